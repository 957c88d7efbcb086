/**
 * The Variables view's describer (kernel/runtime/variables.ts), in-process on tfjs's cpu backend. Expected values
 * are worked out by hand from the tensors the tests build (bytes = elements x 4 for float32/int32, x 1 for bool;
 * a Dense(3 -> 2) layer has 3*2 + 2 = 8 parameters).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { describeVariables, MemoryTracker, summarizeTensor } from '../../kernel/runtime/variables';

test('tensors, models and plain values are described without reading or creating tensors', () => {
  const x = tf.tensor2d([[1, 2, 3], [4, 5, 6]]);
  const gone = tf.ones([5]);
  gone.dispose();
  const ids = tf.tensor1d([1, 2, 3, 4], 'int32');
  const mask = tf.tensor1d([true, false, true], 'bool');
  const w = tf.variable(tf.zeros([2, 2]));
  const model = tf.sequential({ layers: [tf.layers.dense({ units: 2, inputShape: [3] })] });
  let getterCalls = 0;
  const preloadedTf = tf;
  const locals: Record<string, unknown> = { tf: preloadedTf, x, gone, ids, mask, w, model, lr: 0.01, label: 'sam', items: [1, 2, 3], display: 1 };
  Object.defineProperty(locals, 'signal', { get: () => ++getterCalls, enumerable: true });
  const hidden = { tf: preloadedTf, display: 2, signal: undefined };

  const before = tf.memory().numTensors;
  const rows = describeVariables(locals, hidden, tf);
  assert.equal(tf.memory().numTensors, before);
  assert.equal(getterCalls, 0, 'getters are not called');
  const by = Object.fromEntries(rows.map((r) => [r.name, r]));
  assert.deepEqual(rows.map((r) => r.name), ['display', 'gone', 'ids', 'items', 'label', 'lr', 'mask', 'model', 'w', 'x'],
    'sorted; tf (the preloaded value) and the getter are left out; display was rebound by a cell so it shows');
  assert.deepEqual(by.x, { name: 'x', kind: 'tensor', type: 'Tensor', dtype: 'float32', shape: [2, 3], bytes: 24, disposed: false });
  assert.equal(by.gone.disposed, true);
  assert.deepEqual([by.ids.dtype, by.ids.bytes], ['int32', 16]);
  assert.deepEqual([by.mask.dtype, by.mask.bytes], ['bool', 3]);
  assert.deepEqual([by.w.type, by.w.bytes], ['Variable', 16]);
  assert.deepEqual([by.model.kind, by.model.type, by.model.params, by.model.trainableParams, by.model.layers], ['model', 'Sequential', 8, 8, 1]);
  assert.deepEqual([by.lr.type, by.lr.preview], ['number', '0.01']);
  assert.deepEqual([by.label.type, by.label.preview], ['string', '"sam"']);
  assert.equal(by.items.type, 'Array(3)');
  tf.dispose([x, ids, mask, w]);
  model.dispose();
});

test('frozen layers count as parameters but not as trainable ones', () => {
  const model = tf.sequential({ layers: [tf.layers.dense({ units: 4, inputShape: [2] }), tf.layers.dense({ units: 1 })] });
  model.layers[0].trainable = false;
  const [row] = describeVariables({ model }, {}, tf);
  // (2*4 + 4) + (4*1 + 1) = 17 in all; the second layer alone (5) is trainable.
  assert.deepEqual([row.params, row.trainableParams, row.layers], [17, 5, 2]);
  model.dispose();
});

test('a summary gives min/max ignoring NaN, the mean of the finite values and the first values', () => {
  const t = tf.tensor2d([[1, -2, 3], [4, Number.NaN, Number.POSITIVE_INFINITY]]);
  const before = tf.memory().numTensors;
  const s = summarizeTensor(t, 't', tf, 3);
  assert.equal(tf.memory().numTensors, before, 'no tensor left behind');
  // finite values 1, -2, 3, 4: mean 6/4 = 1.5; max over non-NaN is +Infinity.
  assert.deepEqual(s, { name: 't', dtype: 'float32', shape: [2, 3], size: 6, first: [1, -2, 3], min: -2, max: 'Infinity', mean: 1.5, nanCount: 1, nonFiniteCount: 2 });
  const all = summarizeTensor(t, 't', tf, 100);
  assert.deepEqual(all.first, [1, -2, 3, 4, 'NaN', 'Infinity'], 'at most size values; non-finite ones as strings');
  t.dispose();
});

test('int32 and bool tensors are summarized as numbers; an empty tensor has no statistics', () => {
  const i = tf.tensor1d([7, -1, 3], 'int32');
  const b = tf.tensor1d([true, false, true, true], 'bool');
  const e = tf.zeros([0, 3]);
  assert.deepEqual([summarizeTensor(i, 'i', tf).min, summarizeTensor(i, 'i', tf).max, summarizeTensor(i, 'i', tf).mean], [-1, 7, 3]);
  assert.deepEqual([summarizeTensor(b, 'b', tf).mean, summarizeTensor(b, 'b', tf).first], [0.75, [1, 0, 1, 1]]);
  assert.deepEqual(summarizeTensor(e, 'e', tf), { name: 'e', dtype: 'float32', shape: [0, 3], size: 0, first: [] });
  tf.dispose([i, b, e]);
});

test('a summary of something that is not a live numeric tensor is a clear error', () => {
  const d = tf.ones([2]);
  d.dispose();
  const s = tf.tensor1d(['a', 'b'], 'string');
  assert.throws(() => summarizeTensor(undefined, 'nope', tf), /no variable named 'nope': run the cell that defines it first/);
  assert.throws(() => summarizeTensor(3, 'n', tf), /'n' is a number, not a tensor/);
  assert.throws(() => summarizeTensor(d, 'd', tf), /'d' was disposed/);
  assert.throws(() => summarizeTensor(s, 's', tf), /'s' has dtype string: summaries cover float32, int32 and bool tensors/);
  s.dispose();
});

test('the memory tracker reports the change a leaking cell made', () => {
  const m = new MemoryTracker(tf);
  assert.equal(m.info().lastCell, undefined);
  const total0 = tf.memory();
  m.cellStarted();
  const leaked = [tf.ones([10]), tf.zeros([2, 2], 'int32')]; // 10*4 + 4*4 = 56 bytes
  tf.tidy(() => { tf.ones([100]).add(1); }); // freed by tidy (nothing returned): no change
  m.cellFinished('leaky');
  const info = m.info();
  assert.deepEqual(info.lastCell, { cell: 'leaky', tensors: 2, bytes: 56 });
  assert.deepEqual([info.numTensors, info.numBytes], [total0.numTensors + 2, total0.numBytes + 56]);
  m.cellStarted();
  tf.dispose(leaked);
  m.cellFinished('cleanup');
  assert.deepEqual(m.info().lastCell, { cell: 'cleanup', tensors: -2, bytes: -56 });
});
