// kernel/core/tensors.ts: the contract (return tensors, never free the arguments) and the values, by hand.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../../kernel/backend';
import { dot, globalNorm, restore, scalarValue, snapshot, InputError, OptimConfigError, TramError, NonFiniteError, checkNumber } from '../../kernel/core';

before(async () => {
  await initBackend({ prefer: 'wasm', env: {} });
});

test('snapshot survives a tidy, restore puts θ back bit for bit and leaves the saved copies alive', () => {
  const v = [tf.variable(tf.tensor1d([0.1, 0.2, 0.3])), tf.variable(tf.tensor2d([[1e-7, -3]]))];
  const want = v.map((x) => Array.from(x.dataSync()));
  const saved = tf.tidy(() => snapshot(v));
  tf.tidy(() => v.forEach((x) => x.assign(tf.add(x, 0.7))));
  tf.tidy(() => v.forEach((x) => x.assign(tf.sub(x, 0.7)))); // θ + δ − δ is not θ in float32
  const before = tf.memory().numTensors;
  restore(v, saved);
  assert.equal(tf.memory().numTensors, before);
  assert.ok(saved.every((t) => !t.isDisposed), 'restore must not free the saved tensors');
  v.forEach((x, i) => assert.deepEqual(Array.from(x.dataSync()), want[i]));
  tf.dispose([...saved, ...v]);
});

test('dot and globalNorm are scalar tensors with the hand-computed values', () => {
  const a = [tf.tensor1d([3, 0]), tf.tensor2d([[0, 4]])];
  const b = [tf.tensor1d([1, 2]), tf.tensor2d([[5, -1]])];
  const n = tf.memory().numTensors;
  const d = dot(a, b);
  const g = globalNorm(a);
  assert.equal(tf.memory().numTensors, n + 2, 'only the two results are new');
  assert.equal(d.dataSync()[0], 3 * 1 + 0 * 2 + 0 * 5 + 4 * -1);
  assert.equal(g.dataSync()[0], 5);
  assert.equal(scalarValue(() => globalNorm(b)), Math.fround(Math.sqrt(1 + 4 + 25 + 1))); // float32
  assert.equal(tf.memory().numTensors, n + 2, 'scalarValue frees what it computed');
  tf.dispose([d, g, ...a, ...b]);
});

test('one error hierarchy: every library error is a TramError', () => {
  assert.ok(new OptimConfigError('x') instanceof InputError);
  assert.ok(new InputError('x') instanceof TramError);
  assert.ok(new NonFiniteError('x', 'sam', 3, 'loss') instanceof TramError);
  assert.throws(() => checkNumber('f', 'h', -1, { min: 0, exclusiveMin: true }), (e: Error) => e instanceof InputError && /f: h must be a number > 0 \(got -1\)/.test(e.message));
});
