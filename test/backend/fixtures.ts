/**
 * Stand-in workspace folders holding a fake `@tensorflow/tfjs-node`, to exercise resolution from
 * a workspace, the tfjs-core identity check and load failures without the real native package
 * (which cannot be installed here: its install script downloads libtensorflow).
 */
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

export interface FakeWorkspace {
  dir: string;
  /** Folder of the fake package. */
  pkgDir: string;
  remove(): void;
}

/** The real folder of one of our packages. */
export function ourPackageDir(name: string): string {
  return path.dirname(require.resolve(`${name}/package.json`));
}

/**
 * Creates `<tmp>/node_modules/<pkg>` with `index.js` = `body`, and a tfjs-core beside it:
 * 'ours' (a symlink to our tfjs-core: the same instance), 'copy' (a second, loadable copy of our
 * tfjs-core: its package.json and Node bundle, with its dependencies linked), a version string (a
 * stub package.json of another copy), or 'none'. `addon`: an (empty) `lib/napi-v8/tfjs_binding.node`, the file a
 * built native package has.
 */
export function fakeWorkspace(pkg: string, body: string, core: 'ours' | 'copy' | 'none' | { version: string }, addon = true): FakeWorkspace {
  const dir = mkdtempSync(path.join(tmpdir(), 'tram-backend-'));
  const pkgDir = path.join(dir, 'node_modules', ...pkg.split('/'));
  mkdirSync(pkgDir, { recursive: true });
  writeFileSync(path.join(pkgDir, 'package.json'), JSON.stringify({ name: pkg, version: '4.22.0', main: 'index.js' }));
  writeFileSync(path.join(pkgDir, 'index.js'), body);
  if (addon) {
    // where node-pre-gyp puts the built addon (initBackend does not load a package without it); never loaded itself
    mkdirSync(path.join(pkgDir, 'lib', 'napi-v8'), { recursive: true });
    writeFileSync(path.join(pkgDir, 'lib', 'napi-v8', 'tfjs_binding.node'), '');
  }
  const coreDir = path.join(dir, 'node_modules', '@tensorflow', 'tfjs-core');
  if (core === 'ours') {
    symlinkSync(ourPackageDir('@tensorflow/tfjs-core'), coreDir, 'dir');
  } else if (core === 'copy') {
    const ours = ourPackageDir('@tensorflow/tfjs-core');
    const manifest = JSON.parse(readFileSync(path.join(ours, 'package.json'), 'utf8')) as { main: string; dependencies: Record<string, string> };
    mkdirSync(path.dirname(path.join(coreDir, manifest.main)), { recursive: true });
    copyFileSync(path.join(ours, 'package.json'), path.join(coreDir, 'package.json'));
    copyFileSync(path.join(ours, manifest.main), path.join(coreDir, manifest.main));
    for (const dep of Object.keys(manifest.dependencies)) {
      const link = path.join(dir, 'node_modules', ...dep.split('/'));
      mkdirSync(path.dirname(link), { recursive: true });
      symlinkSync(path.dirname(require.resolve(`${dep}/package.json`, { paths: [ours] })), link, 'dir');
    }
  } else if (core !== 'none') {
    mkdirSync(coreDir, { recursive: true });
    writeFileSync(path.join(coreDir, 'package.json'), JSON.stringify({ name: '@tensorflow/tfjs-core', version: core.version, main: 'index.js' }));
    writeFileSync(path.join(coreDir, 'index.js'), 'module.exports = {};');
  }
  return { dir, pkgDir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

/** index.js of a native package whose addon is missing (what a blocked install script leaves). */
export const THROWING_NATIVE = `
globalThis.__fakeNativeLoaded = (globalThis.__fakeNativeLoaded || 0) + 1;
throw new Error('The Node.js native addon module (tfjs_binding.node) can not be found at path: /x/lib/napi-v8/tfjs_binding.node.\\nPlease run command...');
`;

/**
 * index.js of a working stand-in: registers a 'tensorflow' backend on our tfjs engine, backed by
 * the pure-JS kernels (so it computes correctly).
 */
export function workingNative(): string {
  const tfjs = require.resolve('@tensorflow/tfjs');
  const cpu = require.resolve('@tensorflow/tfjs-backend-cpu');
  return `
globalThis.__fakeNativeLoaded = (globalThis.__fakeNativeLoaded || 0) + 1;
const tf = require(${JSON.stringify(tfjs)});
const { MathBackendCPU } = require(${JSON.stringify(cpu)});
for (const k of tf.getKernelsForBackend('cpu')) tf.registerKernel({ ...k, backendName: 'tensorflow' });
tf.registerBackend('tensorflow', () => new MathBackendCPU(), 3);
`;
}

/**
 * index.js of a stand-in that loads the tfjs-core it resolves from its own folder (a second copy)
 * and registers a 'tensorflow' backend through it, backed by the pure-JS kernels.
 */
export function nativeOnOwnCore(): string {
  const cpu = require.resolve('@tensorflow/tfjs-backend-cpu');
  return `
const core = require('@tensorflow/tfjs-core');
globalThis.__standinCore = require.resolve('@tensorflow/tfjs-core');
const { MathBackendCPU } = require(${JSON.stringify(cpu)});
for (const k of core.getKernelsForBackend('cpu')) core.registerKernel({ ...k, backendName: 'tensorflow' });
core.registerBackend('tensorflow', () => new MathBackendCPU(), 3);
`;
}

/** Whether a package resolves from this project (e.g. the optional native backend, built by scripts/setup-native.sh). */
export function installed(name: string): boolean {
  try {
    require.resolve(`${name}/package.json`);
    return true;
  } catch {
    return false;
  }
}
