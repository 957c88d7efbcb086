import { describe, it, before } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { createOptimizer, NonFiniteError, OptimConfigError } from '../../kernel/optim';
import { ALL_METHODS, BACKENDS, batch, disposeBatch, label, mlp, useBackend, weightsOf } from './fixtures';

for (const backend of BACKENDS) {
  describe(`tf.memory().numTensors on ${backend}`, () => {
    let ok = false;
    before(async () => {
      ok = await useBackend(backend);
    });

    for (const bn of [false, true]) {
      for (const method of ALL_METHODS) {
        it(`unchanged by every step: ${label(method)}${bn ? ' (BatchNorm model)' : ''}`, (t) => {
          if (!ok) return t.skip(`${backend} backend unavailable`);
          const model = mlp({ batchNorm: bn, seed: 11 });
          const b = batch(8);
          const opt = createOptimizer(method, tf.train.adam(0.01), { batchSplits: method.name === 'sam' ? 2 : 1 });
          // The first step creates the persistent state (base optimizer slots, target weights).
          opt.step(model, b);
          const n0 = tf.memory().numTensors;
          for (let i = 0; i < 3; i++) {
            const r = opt.step(model, b);
            assert.equal(tf.memory().numTensors, n0, `step ${i + 2} changed numTensors`);
            assert.ok(Number.isFinite(r.loss));
          }
          opt.dispose();
          disposeBatch(b);
          model.dispose();
        });
      }
    }

    it("unchanged by like-for-like TRAM steps and by remainder splits (10 = 4 + 3 + 3) on a dropout + BatchNorm model", (t) => {
      if (!ok) return t.skip(`${backend} backend unavailable`);
      const model = mlp({ batchNorm: true, dropout: 0.1, seed: 12 });
      const b = batch(10);
      const opts = [
        createOptimizer({ name: 'tram', target: 'ema', decay: 0.9 }, tf.train.adam(0.01), { compare: 'like-for-like' }),
        createOptimizer({ name: 'tram', target: 'x', noise: { kind: 'gaussian', sigma: 0.1 } }, tf.train.adam(0.01), { compare: 'like-for-like', batchSplits: 3 }),
        createOptimizer({ name: 'tram-fisher' }, tf.train.adam(0.01), { batchSplits: 3 }),
      ];
      for (const opt of opts) {
        opt.step(model, b);
        const n0 = tf.memory().numTensors;
        for (let i = 0; i < 2; i++) {
          opt.step(model, b);
          assert.equal(tf.memory().numTensors, n0, `${opt.name}: step ${i + 2}`);
        }
        opt.dispose();
      }
      disposeBatch(b);
      model.dispose();
    });

    it('unchanged by a step that throws (non-finite loss), and θ is left as it was', (t) => {
      if (!ok) return t.skip(`${backend} backend unavailable`);
      const model = mlp({ seed: 3 });
      const b = batch(8);
      const opt = createOptimizer({ name: 'tram', target: 'x', noise: { kind: 'gaussian', sigma: 0.1 } }, tf.train.sgd(0.1));
      opt.step(model, b);
      const bad = { x: tf.fill([8, 4], NaN), y: b.y };
      const w0 = weightsOf(model);
      const n0 = tf.memory().numTensors;
      assert.throws(() => opt.step(model, bad), NonFiniteError);
      assert.equal(tf.memory().numTensors, n0);
      assert.deepEqual(weightsOf(model), w0);
      bad.x.dispose();
      opt.dispose();
      disposeBatch(b);
      model.dispose();
    });

    it('unchanged by a step that throws mid-way (noise of the wrong shape), and θ is restored', (t) => {
      if (!ok) return t.skip(`${backend} backend unavailable`);
      const model = mlp({ seed: 3 });
      const b = batch(8);
      let calls = 0;
      const opt = createOptimizer({ name: 'asam+r3f' }, tf.train.sgd(0.1), {
        noise: (shape) => (calls++ < 1 ? tf.zeros(shape) : tf.zeros([2, 2])),
      });
      opt.step(model, b);
      const w0 = weightsOf(model);
      const n0 = tf.memory().numTensors;
      assert.throws(() => opt.step(model, b), OptimConfigError);
      assert.equal(tf.memory().numTensors, n0);
      assert.deepEqual(weightsOf(model), w0);
      opt.dispose();
      disposeBatch(b);
      model.dispose();
    });

    it('unchanged by a step-through abandoned after the perturbation, with θ restored exactly', (t) => {
      if (!ok) return t.skip(`${backend} backend unavailable`);
      const model = mlp({ seed: 4 });
      const b = batch(8);
      const opt = createOptimizer({ name: 'asam', rho: 0.5 }, tf.train.sgd(0.1));
      opt.step(model, b);
      const w0 = weightsOf(model);
      const n0 = tf.memory().numTensors;
      const s = opt.begin(model, b);
      s.firstGradient();
      s.perturbation();
      assert.notDeepEqual(weightsOf(model), w0, 'the ascent should move θ');
      s.dispose();
      assert.deepEqual(weightsOf(model), w0);
      assert.equal(tf.memory().numTensors, n0);
      opt.dispose();
      disposeBatch(b);
      model.dispose();
    });
  });
}
