/**
 * The native reruns of the suite (#13): `npm test -- native:optim` (and native:analysis, native:golden) run a stage
 * again with TRAM_BACKEND=tensorflow, where scripts/setup-native.sh built @tensorflow/tfjs-node. Under such a rerun
 * every backend a test asks for through `testBackend` is native TensorFlow instead, so the same assertions (values,
 * tolerances, numTensors) are checked on it. Outside a rerun `testBackend(b)` is `b`.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';

export const NATIVE_RERUN = (process.env.TRAM_BACKEND ?? '').trim() === 'tensorflow';

export function testBackend<T extends string>(name: T): T | 'tensorflow' {
  return NATIVE_RERUN ? 'tensorflow' : name;
}

/** Whether @tensorflow/tfjs-node is installed in the project with its addon built: `auto` then picks 'tensorflow'. */
export function nativeBuilt(): boolean {
  const lib = path.resolve(__dirname, '..', '..', 'node_modules', '@tensorflow', 'tfjs-node', 'lib');
  return fs.existsSync(lib) && fs.readdirSync(lib).some((d) => fs.existsSync(path.join(lib, d, 'tfjs_binding.node')));
}

/** The backend `auto` selects on this machine: native TensorFlow where built, else wasm. */
export function autoBackend(): 'tensorflow' | 'wasm' {
  return nativeBuilt() ? 'tensorflow' : 'wasm';
}
