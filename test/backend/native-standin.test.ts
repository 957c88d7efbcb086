/**
 * The native path end to end with a stand-in `@tensorflow/tfjs-node` in a workspace folder that
 * registers a working 'tensorflow' backend. Its own file: it registers a backend in this process.
 */
// First: the project's own native packages are hidden, so only the stand-in can be found (#13: tfjs-node may be built).
import { restoreNative } from './hide-native';
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { initBackend, isFastMatMulGradientOn } from '../../kernel/backend';
import { fakeWorkspace, workingNative } from './fixtures';

const ws = fakeWorkspace('@tensorflow/tfjs-node', workingNative(), 'ours');
after(() => {
  ws.remove();
  restoreNative();
});

test('auto picks a working native package from the workspace folder and reports it', async () => {
  const r = await initBackend({ searchPaths: [ws.dir], env: {} });
  assert.equal(r.name, 'tensorflow');
  assert.equal(tf.getBackend(), 'tensorflow');
  assert.equal(r.package, '@tensorflow/tfjs-node');
  assert.equal(r.tfModule, path.join(ws.pkgDir, 'index.js'));
  assert.equal(r.gpu, false);
  assert.deepEqual(r.tried.map((t) => [t.candidate, t.ok]), [['tensorflow-gpu', false], ['tensorflow', true]]);
  assert.match(r.detail, /Using 'tensorflow' from @tensorflow\/tfjs-node 4\.22\.0/);
  assert.equal(r.fastMatMul, false, 'the fast kernels are for wasm only');
  assert.equal(isFastMatMulGradientOn(), false);
  assert.equal(tf.tidy(() => tf.matMul(tf.ones([2, 3]), tf.ones([3, 1]))).dataSync()[0], 3);
});

test('initialising again reuses the loaded package instead of loading it twice', async () => {
  await initBackend({ prefer: 'wasm', env: {} });
  const r = await initBackend({ prefer: 'tensorflow', searchPaths: [ws.dir], env: {} });
  assert.equal(r.name, 'tensorflow');
  assert.equal(r.versions.backendPackage, '4.22.0');
  assert.equal(r.tfModule, path.join(ws.pkgDir, 'index.js'));
  assert.equal((globalThis as Record<string, unknown>).__fakeNativeLoaded, 1);
});

test('the GPU package cannot be switched to once the CPU one is loaded, and says so', async () => {
  await assert.rejects(initBackend({ prefer: 'tensorflow-gpu', searchPaths: [ws.dir], env: {} }), /@tensorflow\/tfjs-node is already loaded in this process.*restart the kernel/);
});
