/**
 * Two native packages, the first broken (#13): one installed without its addon is not loaded at all, and one whose
 * load registers its 'tensorflow' kernels and then throws (what tfjs-node does when its addon is missing or cannot be
 * opened) leaves nothing behind, so the working package loads with no "The kernel '…' for backend 'tensorflow' is
 * already registered" warning. Its own file: it registers a backend in this process.
 */
// First: the project's own native packages are hidden, so only the stand-ins can be found.
import { restoreNative } from './hide-native';
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../../kernel/backend';
import { fakeWorkspace, workingNative } from './fixtures';

/** Registers every cpu kernel for 'tensorflow' (as tfjs-node's register_all_kernels does), then fails as it does. */
const REGISTERS_THEN_THROWS = `
globalThis.__halfLoaded = (globalThis.__halfLoaded || 0) + 1;
const tf = require(${JSON.stringify(require.resolve('@tensorflow/tfjs'))});
for (const k of tf.getKernelsForBackend('cpu')) tf.registerKernel({ ...k, backendName: 'tensorflow' });
throw new Error('libcuda.so.1: cannot open shared object file');
`;
const g = globalThis as Record<string, unknown>;

const noAddon = fakeWorkspace('@tensorflow/tfjs-node-gpu', REGISTERS_THEN_THROWS, 'ours', false);
const halfLoading = fakeWorkspace('@tensorflow/tfjs-node-gpu', REGISTERS_THEN_THROWS, 'ours');
const working = fakeWorkspace('@tensorflow/tfjs-node', workingNative(), 'ours');
after(() => {
  [noAddon, halfLoading, working].forEach((w) => w.remove());
  restoreNative();
});

/** Runs `f` with console.warn captured. */
async function warnings<T>(f: () => Promise<T>): Promise<{ value: T; warned: string[] }> {
  const warned: string[] = [];
  const warn = console.warn;
  console.warn = (...a: unknown[]) => { warned.push(a.map(String).join(' ')); };
  try {
    return { value: await f(), warned };
  } finally {
    console.warn = warn;
  }
}

test('a native package without its built addon is not loaded; the reason names the missing file and the fix', async () => {
  const r = await initBackend({ prefer: 'tensorflow-gpu', searchPaths: [noAddon.dir], env: {} }).catch((e: Error & { tried: unknown }) => e);
  assert.ok(r instanceof Error);
  assert.match(r.message, /native addon was never built \(no lib\/napi-v\*\/tfjs_binding\.node\)/);
  assert.match(r.message, /npm rebuild @tensorflow\/tfjs-node-gpu/);
  assert.equal(g.__halfLoaded, undefined, 'its index.js was never run');
  assert.deepEqual(tf.getKernelsForBackend('tensorflow'), []);
});

test('a native package that registers kernels and then fails leaves none behind: the next one loads without duplicate warnings', async () => {
  const { value: r, warned } = await warnings(() => initBackend({ searchPaths: [halfLoading.dir, working.dir], env: {} }));
  assert.equal(g.__halfLoaded, 1, 'the broken package was really loaded (and failed)');
  assert.deepEqual(r.tried.map((t) => [t.candidate, t.ok]), [['tensorflow-gpu', false], ['tensorflow', true]]);
  assert.match(r.tried[0].reason, /failed to load: libcuda\.so\.1/);
  assert.equal(r.name, 'tensorflow');
  assert.deepEqual(warned.filter((w) => /already registered/.test(w)), []);
  // the kernels in place are the working package's: they compute
  assert.deepEqual(Array.from(tf.add(tf.tensor1d([1, 2]), 3).dataSync()), [4, 5]);
});
