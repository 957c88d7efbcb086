// The experiments step every method with the optimizer library; kernel/experiments/methods.ts implements the same
// equations a second time, independently. Where no noise is drawn the two must agree step for step.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { METHODS, MethodStepper } from '../../kernel/experiments/methods';
import { LibraryStepper } from '../../kernel/experiments/library-stepper';
import { MlpShape, initSnapshot, toVariables, snapshotOf } from '../../kernel/experiments/model';
import { Rng } from '../../kernel/experiments/rng';

const shape: MlpShape = { inputs: 12, hidden: [8, 6], classes: 4, noiseAt: 'input' };

function batch(seed: number) {
  const r = new Rng(seed);
  return {
    x: tf.tensor2d(Array.from({ length: 16 * 12 }, () => r.normal()), [16, 12]),
    y: tf.tensor1d(Array.from({ length: 16 }, () => r.int(4)), 'int32'),
  };
}

const deterministic = METHODS.filter((m) => !['r3f', 'asam+r3f', 'tram-fisher'].includes(m.config.name) && !(m.config.name === 'tram' && m.config.target === 'x'));

for (const m of deterministic) {
  test(`${m.label}: the library and the compact implementation agree over 4 steps`, () => {
    const init = initSnapshot(shape, new Rng(1));
    const va = toVariables(init, `lib-${m.label}`);
    const vb = toVariables(init, `loc-${m.label}`);
    const a = new LibraryStepper(m, shape, va, tf.train.adam(0.01, 0.9, 0.99, 1e-8), 1);
    const b = new MethodStepper(m, shape, vb, tf.train.adam(0.01, 0.9, 0.99, 1e-8), 1);
    for (let s = 0; s < 4; s++) {
      const bt = batch(10 + s);
      const fa = a.step(bt);
      const fb = b.step(bt);
      tf.dispose([bt.x, bt.y]);
      assert.ok(Math.abs(fa.loss - fb.loss) < 1e-5, `step ${s} loss ${fa.loss} vs ${fb.loss}`);
      assert.ok(Math.abs(fa.radius - fb.radius) <= 1e-5 + 1e-4 * Math.abs(fb.radius), `step ${s} radius ${fa.radius} vs ${fb.radius}`);
    }
    const wa = snapshotOf(va).values;
    const wb = snapshotOf(vb).values;
    wa.forEach((w, i) => w.forEach((v, j) => assert.ok(Math.abs(v - wb[i][j]) < 1e-5, `weight ${i}[${j}]: ${v} vs ${wb[i][j]}`)));
    a.dispose();
    b.dispose();
    [...va, ...vb].forEach((v) => v.dispose());
  });
}

for (const impl of ['compact', 'library'] as const) {
test(`a ${impl}-implementation step leaves the number of live tensors unchanged, and dispose frees the rest`, () => {
  for (const m of METHODS) {
    const start = tf.memory().numTensors;
    const vars = toVariables(initSnapshot(shape, new Rng(2)), `mem-${impl}-${m.label}`);
    const st = impl === 'compact' ? new MethodStepper(m, shape, vars, tf.train.adam(0.01), 3) : new LibraryStepper(m, shape, vars, tf.train.adam(0.01), 3);
    const bt = batch(5);
    st.step(bt); // creates the Adam slots
    const before = tf.memory().numTensors;
    for (let s = 0; s < 3; s++) st.step(bt);
    assert.equal(tf.memory().numTensors, before, m.label);
    st.dispose();
    tf.dispose([bt.x, bt.y]);
    vars.forEach((v) => v.dispose());
    assert.equal(tf.memory().numTensors, start, `${m.label}: tensors left after dispose`);
  }
});
}
