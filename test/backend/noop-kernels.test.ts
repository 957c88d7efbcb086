/**
 * No-op kernels answered by sharing data (kernel/backend/kernels/noops.ts): on wasm Identity and same-dtype Cast, on
 * the native backend same-dtype Cast and same-shape Reshape share the input's data; every other Cast and Reshape
 * still converts; the data lives until its last sharer is disposed; gradients through them are the plain ops'
 * (values by hand). The native test skips (reason "native:") where @tensorflow/tfjs-node is not built.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { initBackend, noopKernels, registerNoopKernels, restoreNoopKernels } from '../../kernel/backend';
import { installed } from './fixtures';

type Tf = typeof import('@tensorflow/tfjs');

const buffers = (tf: Tf) => (tf.memory() as unknown as { numDataBuffers: number }).numDataBuffers;

/** The checks common to both backends. */
function check(tf: Tf): void {
  const backend = tf.backend() as unknown as { refCount(id: object): number };
  const before = { ...tf.memory(), buffers: buffers(tf) };

  const x = tf.tensor2d([[1.5, -2], [3, 4]]);
  const same = tf.cast(x, 'float32');
  assert.equal(same.dataId, x.dataId, 'float32 → float32 shares the data');
  const copy = x.clone();
  const flat = tf.reshape(x, [2, 2]);
  assert.equal(copy.dataId, x.dataId, 'a clone shares the data');
  assert.equal(flat.dataId, x.dataId, 'a reshape to the same shape shares the data');
  assert.equal(backend.refCount(x.dataId), 4);

  const toInt = tf.cast(x, 'int32');
  assert.notEqual(toInt.dataId, x.dataId);
  assert.equal(toInt.dtype, 'int32');
  assert.deepEqual(Array.from(toInt.dataSync()), [1, -2, 3, 4], 'float32 → int32 truncates');
  const ints = tf.tensor1d([7, -1], 'int32');
  const back = tf.cast(ints, 'float32');
  assert.equal(back.dtype, 'float32');
  assert.deepEqual(Array.from(back.dataSync()), [7, -1]);
  const row = tf.reshape(x, [4]);
  assert.deepEqual(row.shape, [4]);
  assert.deepEqual(Array.from(row.dataSync()), [1.5, -2, 3, 4]);
  const inferred = tf.reshape(x, [-1, 2]);
  assert.deepEqual(inferred.shape, [2, 2]);
  assert.deepEqual(Array.from(inferred.dataSync()), [1.5, -2, 3, 4]);

  // The data lives until its last sharer is disposed.
  x.dispose();
  for (const t of [same, copy, flat]) {
    assert.deepEqual(Array.from(t.dataSync()), [1.5, -2, 3, 4]);
    t.dispose();
  }
  tf.dispose([toInt, ints, back, row, inferred]);
  assert.equal(tf.memory().numTensors, before.numTensors);
  assert.equal(tf.memory().numBytes, before.numBytes);
  assert.equal(buffers(tf), before.buffers, 'every buffer freed');

  // Gradients through them (Mul's gradient casts float32 to float32; the tape clones what it keeps):
  // d/dw Σ (w·x)² = 2·x²·w, by hand.
  const w = tf.tensor1d([0.5, -1, 2]);
  const xs = tf.tensor1d([1, 2, -3]);
  const g = tf.grad((v: import('@tensorflow/tfjs').Tensor) => tf.sum(tf.square(tf.reshape(tf.mul(v, xs), [3]))))(w);
  assert.deepEqual(Array.from(g.dataSync()), [2 * 1 * 0.5, 2 * 4 * -1, 2 * 9 * 2]);
  tf.dispose([w, xs, g]);
  assert.equal(buffers(tf), before.buffers, 'the gradient left no buffer behind');
}

test('wasm: Identity and same-dtype Cast share data; conversions still convert', async () => {
  const r = await initBackend({ prefer: 'wasm', env: {} });
  const tf = require(r.tfModule) as Tf;
  assert.equal(tf.getBackend(), 'wasm');
  assert.deepEqual(noopKernels('wasm'), ['Cast', 'Identity']);
  check(tf);
  // Idempotent: a second initialisation replaces nothing twice.
  await initBackend({ prefer: 'wasm', env: {} });
  assert.deepEqual(noopKernels('wasm'), ['Cast', 'Identity']);
  check(tf);
  // Restored, wasm's own kernels copy again; registered again, they share.
  restoreNoopKernels('wasm');
  assert.deepEqual(noopKernels('wasm'), []);
  const x = tf.ones([3]);
  const [c1, k1] = [x.clone(), tf.cast(x, 'float32')];
  assert.notEqual(c1.dataId, x.dataId, "wasm's own Identity copies");
  assert.notEqual(k1.dataId, x.dataId, "wasm's own Cast copies");
  assert.deepEqual(registerNoopKernels('wasm'), ['Cast', 'Identity']);
  const c2 = x.clone();
  assert.equal(c2.dataId, x.dataId);
  tf.dispose([x, c1, k1, c2]);
});

test('native: same-dtype Cast and same-shape Reshape share data; conversions still convert',
  { skip: installed('@tensorflow/tfjs-node') ? false : 'native: @tensorflow/tfjs-node is not installed here (scripts/setup-native.sh builds it)' },
  async () => {
    const r = await initBackend({ prefer: 'tensorflow', env: {} });
    const tf = require(r.tfModule) as Tf;
    assert.equal(tf.getBackend(), 'tensorflow');
    assert.deepEqual(noopKernels('tensorflow'), ['Cast', 'Reshape']);
    check(tf);
    restoreNoopKernels('tensorflow');
    const x = tf.ones([3]);
    const r1 = tf.reshape(x, [3]);
    assert.notEqual(r1.dataId, x.dataId, "tfjs-node's own Reshape runs a TensorFlow op");
    registerNoopKernels('tensorflow');
    const r2 = tf.reshape(x, [3]);
    assert.equal(r2.dataId, x.dataId);
    tf.dispose([x, r1, r2]);
  });
