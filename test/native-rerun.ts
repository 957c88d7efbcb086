/**
 * The native reruns of the suite (#13): `npm test -- native:optim` (and native:analysis, native:golden) run a stage
 * again with TRAM_BACKEND=tensorflow, where scripts/setup-native.sh built @tensorflow/tfjs-node. Under such a rerun
 * every backend a test asks for through `testBackend` is native TensorFlow instead, so the same assertions (values,
 * tolerances, numTensors) are checked on it. Outside a rerun `testBackend(b)` is `b`.
 */
export const NATIVE_RERUN = (process.env.TRAM_BACKEND ?? '').trim() === 'tensorflow';

export function testBackend<T extends string>(name: T): T | 'tensorflow' {
  return NATIVE_RERUN ? 'tensorflow' : name;
}
