// First: the project's native packages are hidden, so these tests mean the same with or without tfjs-node installed.
import { restoreNative } from './hide-native';
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { BackendUnavailableError, initBackend, isFastMatMulGradientOn } from '../../kernel/backend';
import { switchTo } from '../../kernel/backend/candidates';
import { fakeWorkspace, THROWING_NATIVE, type FakeWorkspace } from './fixtures';

const NO_ENV = {};
const made: FakeWorkspace[] = [];
after(() => {
  made.forEach((w) => w.remove());
  restoreNative();
});

test('auto without native packages ends at wasm and says why the native packages were not used', async () => {
  const r = await initBackend({ env: NO_ENV });
  assert.equal(r.name, 'wasm');
  assert.equal(r.name, tf.getBackend());
  assert.equal(r.package, '@tensorflow/tfjs-backend-wasm');
  assert.equal(r.tfModule, require.resolve('@tensorflow/tfjs'));
  assert.equal(typeof require(r.tfModule).tensor, 'function');
  assert.equal(r.gpu, false);
  assert.deepEqual(r.tried.map((t) => [t.candidate, t.ok]), [['tensorflow-gpu', false], ['tensorflow', false], ['wasm', true]]);
  for (const t of r.tried.slice(0, 2)) {
    assert.match(t.reason, /not installed/);
    assert.match(t.fix ?? '', new RegExp(`npm install ${t.package}@4\\.22\\.0`));
  }
  assert.match(r.detail, /Using 'wasm'/);
  assert.match(r.detail, /@tensorflow\/tfjs-node: not installed/);
  assert.equal(r.wasm?.simd, true);
  assert.equal(r.wasm?.threads, false);
  assert.equal(r.fastMatMul, true);
  assert.equal(isFastMatMulGradientOn(), true);
  assert.deepEqual(r.requested, { prefer: 'auto', source: 'default' });
});

test("forcing 'tensorflow' when it is not installed throws a clear error with the fix", async () => {
  await assert.rejects(initBackend({ prefer: 'tensorflow', env: NO_ENV }), (e: unknown) => {
    assert.ok(e instanceof BackendUnavailableError);
    assert.match(e.message, /Backend 'tensorflow' \(@tensorflow\/tfjs-node\) is not available: not installed/);
    assert.match(e.message, /npm install @tensorflow\/tfjs-node@4\.22\.0 in the workspace folder/);
    assert.equal(e.tried.length, 1);
    assert.equal(e.tried[0].ok, false);
    return true;
  });
});

test('forcing cpu works, reports what tfjs really uses, and turns the fast matMul kernels off', async () => {
  await initBackend({ prefer: 'wasm', env: NO_ENV });
  assert.equal(isFastMatMulGradientOn(), true);
  const r = await initBackend({ prefer: 'cpu', env: NO_ENV });
  assert.equal(r.name, 'cpu');
  assert.equal(tf.getBackend(), 'cpu');
  assert.equal(r.fastMatMul, false);
  assert.equal(isFastMatMulGradientOn(), false);
  assert.deepEqual(r.tried.map((t) => t.candidate), ['cpu']);
  assert.equal(tf.tidy(() => tf.add(tf.scalar(2), tf.scalar(3))).dataSync()[0], 5);
});

test('TRAM_BACKEND overrides prefer, and a bad value names itself and the choices', async () => {
  const r = await initBackend({ prefer: 'wasm', env: { TRAM_BACKEND: 'cpu' } });
  assert.equal(r.name, 'cpu');
  assert.deepEqual(r.requested, { prefer: 'cpu', source: 'TRAM_BACKEND' });
  await assert.rejects(initBackend({ env: { TRAM_BACKEND: 'webgpu' } }), /Unknown backend 'webgpu' \(from TRAM_BACKEND\): use one of auto, tensorflow-gpu, tensorflow, wasm, cpu/);
  await assert.rejects(initBackend({ prefer: 'tpu' as never, env: NO_ENV }), /Unknown backend 'tpu' \(from option prefer\)/);
});

test('a native package in a workspace folder is found, and its load failure is reported before falling back', async () => {
  const ws = fakeWorkspace('@tensorflow/tfjs-node', THROWING_NATIVE, 'ours');
  made.push(ws);
  const r = await initBackend({ searchPaths: [ws.dir], env: NO_ENV });
  assert.equal(r.name, 'wasm');
  const node = r.tried.find((t) => t.candidate === 'tensorflow')!;
  assert.equal(node.ok, false);
  assert.match(node.reason, new RegExp(`installed at ${ws.pkgDir.replace(/[/\\.]/g, '\\$&')} \\(4\\.22\\.0\\) but failed to load: The Node\\.js native addon module \\(tfjs_binding\\.node\\) can not be found`));
  assert.match(node.fix ?? '', /npm rebuild @tensorflow\/tfjs-node/);
  assert.match(r.detail, /tfjs_binding\.node/);
});

test('a native package that would load another tfjs-core version is refused without loading it', async () => {
  const ws = fakeWorkspace('@tensorflow/tfjs-node', 'globalThis.__otherCoreLoaded = true;', { version: '3.21.0' });
  made.push(ws);
  await assert.rejects(initBackend({ prefer: 'tensorflow', searchPaths: [ws.dir], env: NO_ENV }), (e: unknown) => {
    assert.ok(e instanceof BackendUnavailableError);
    assert.match(e.message, /loads @tensorflow\/tfjs-core 3\.21\.0 from .*while the kernel runs @tensorflow\/tfjs-core 4\.22\.0/);
    assert.match(e.message, /npm install @tensorflow\/tfjs-node@4\.22\.0 @tensorflow\/tfjs@4\.22\.0/);
    return true;
  });
  assert.equal((globalThis as Record<string, unknown>).__otherCoreLoaded, undefined);
});

test('a native package whose tfjs-core cannot be resolved is refused', async () => {
  const ws = fakeWorkspace('@tensorflow/tfjs-node-gpu', 'globalThis.__noCoreLoaded = true;', 'none');
  made.push(ws);
  // The temp folder has no tfjs-core above it; resolution falls back only to global folders.
  const r = await initBackend({ searchPaths: [ws.dir], env: NO_ENV });
  const gpu = r.tried.find((t) => t.candidate === 'tensorflow-gpu')!;
  assert.match(gpu.reason, /its @tensorflow\/tfjs-core cannot be resolved/);
  assert.equal((globalThis as Record<string, unknown>).__noCoreLoaded, undefined);
  assert.equal(r.name, 'wasm');
});

test('setBackend returning false is caught with the initialisation error, not taken as success', async () => {
  await initBackend({ prefer: 'cpu', env: NO_ENV });
  tf.registerBackend('broken-for-test', () => { throw new Error('cannot start workers: ERR_WORKER_PATH'); }, -1);
  const why = await switchTo('broken-for-test');
  assert.match(why ?? '', /tf\.setBackend\('broken-for-test'\) returned false \(.*ERR_WORKER_PATH.*\); tfjs stays on 'cpu'/);
  assert.equal(tf.getBackend(), 'cpu');
  assert.match((await switchTo('never-registered')) ?? '', /threw: Backend name 'never-registered' not found in registry/);
});
