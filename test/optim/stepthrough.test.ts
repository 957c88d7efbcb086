import { describe, it, before } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { createOptimizer, OptimConfigError } from '../../kernel/optim';
import { batch, disposeBatch, mlp, useBackend, weightsOf } from './fixtures';

describe('step-through API', () => {
  before(async () => {
    await useBackend('cpu');
  });

  it('taking the stages one by one gives the same step as step()', () => {
    const method = { name: 'tram', target: 'x', eta: 0.01, noise: { kind: 'gaussian', sigma: 0.2, seed: 2 } } as const;
    const a = mlp({ seed: 71 });
    const b2 = mlp({ seed: 71 });
    const data = batch(8);
    const oa = createOptimizer(method, tf.train.adam(0.01));
    const ob = createOptimizer(method, tf.train.adam(0.01));
    for (let i = 0; i < 3; i++) {
      const whole = oa.step(a, data);
      const s = ob.begin(b2, data);
      const first = s.firstGradient();
      const { divergence } = s.divergence();
      const { radius } = s.radius();
      const { perturbationNorm } = s.perturbation();
      const { perturbedLoss } = s.perturbedGradient();
      const report = s.descend();
      assert.equal(first.loss, whole.loss);
      assert.equal(first.gradNorm, whole.gradNorm);
      assert.equal(divergence, whole.divergence);
      assert.equal(radius, whole.radius);
      assert.equal(perturbationNorm, whole.perturbationNorm);
      assert.equal(perturbedLoss, whole.perturbedLoss);
      assert.deepEqual(report, whole);
      assert.deepEqual(weightsOf(b2), weightsOf(a));
    }
    [oa, ob].forEach((o) => o.dispose());
    [a, b2].forEach((m) => m.dispose());
    disposeBatch(data);
  });

  it('a finished step cannot be continued; stages of other methods report undefined', () => {
    const model = mlp({ seed: 72 });
    const data = batch(8);
    const opt = createOptimizer({ name: 'sam', rho: 0.05 }, tf.train.sgd(0.1));
    const s = opt.begin(model, data);
    assert.equal(s.divergence().divergence, undefined);
    assert.ok(Math.abs((s.radius().radius as number) - 0.05) < 1e-8);
    s.descend();
    assert.throws(() => s.perturbation(), (e: unknown) => e instanceof OptimConfigError && /this step is finished/.test((e as Error).message));
    const split = createOptimizer({ name: 'sam' }, tf.train.sgd(0.1), { batchSplits: 2 });
    assert.throws(() => split.begin(model, data), /step-through API takes whole batches/);
    [opt, split].forEach((o) => o.dispose());
    model.dispose();
    disposeBatch(data);
  });

  it('any stage runs the first gradient it needs, also for methods without an ascent', () => {
    for (const method of [{ name: 'base' }, { name: 'r3f', noise: { kind: 'gaussian', sigma: 0.1, seed: 1 } }, { name: 'sam', rho: 0.05 }] as const) {
      for (const stage of ['perturbedGradient', 'perturbation', 'radius', 'divergence'] as const) {
        const m = mlp({ seed: 5 });
        const data = batch(6);
        const opt = createOptimizer(method, tf.train.sgd(0.1));
        const n = tf.memory().numTensors;
        const s = opt.begin(m, data);
        s[stage]();
        assert.ok(s.gradient && s.gradient.length === m.trainableWeights.length, `${method.name} ${stage}: no first gradient`);
        if (method.name === 'sam' && (stage === 'perturbedGradient')) assert.ok(s.perturbedGrad, 'sam: no perturbed gradient');
        s.dispose();
        assert.equal(tf.memory().numTensors, n, `${method.name} ${stage}: numTensors`);
        opt.dispose();
        disposeBatch(data);
        m.dispose();
      }
    }
  });
});
