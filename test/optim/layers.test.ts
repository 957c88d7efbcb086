import { describe, it, before } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { createOptimizer, fromLayersModel, MethodConfig } from '../../kernel/optim';
import { batch, disposeBatch, mlp, useBackend, maxAbsDiff } from './fixtures';

function bnStats(m: tf.LayersModel): number[][] {
  return m.nonTrainableWeights.map((w) => Array.from(w.read().dataSync()));
}

describe('LayersModel support', () => {
  before(async () => {
    await useBackend('cpu');
  });

  it('fine-tunes a tf.sequential of dense layers with TRAM-x (the training loss falls)', () => {
    const model = mlp({ seed: 61, hidden: 16 });
    const b = batch(32, 4, 3, 5);
    const opt = createOptimizer({ name: 'tram', target: 'x', noise: { kind: 'gaussian', sigma: 0.1, seed: 1 } }, tf.train.adam(0.05));
    const losses: number[] = [];
    for (let i = 0; i < 40; i++) losses.push(opt.step(model, b).loss);
    assert.ok(losses[39] < 0.7 * losses[0], `loss ${losses[0]} → ${losses[39]}`);
    opt.dispose();
    model.dispose();
    disposeBatch(b);
  });

  for (const method of [
    { name: 'sam', rho: 0.1 },
    { name: 'tram', target: 'x', noise: { kind: 'gaussian', sigma: 0.3 } },
    { name: 'tram', target: 'theta-prev' },
    { name: 'tram-fisher', noise: { kind: 'gaussian', sigma: 0.3 } },
    { name: 'asam+r3f', noise: { kind: 'gaussian', sigma: 0.3 } },
  ] as MethodConfig[]) {
    it(`BatchNorm moving statistics are moved by the first pass only: ${JSON.stringify(method)}`, () => {
      // The same model and batch stepped by plain SGD (one pass) and by the method (several passes) must leave the
      // same moving statistics.
      const plainModel = mlp({ seed: 62, batchNorm: true });
      const model = mlp({ seed: 62, batchNorm: true });
      const b = batch(16);
      const before = bnStats(model);
      const plain = createOptimizer({ name: 'sgd' }, tf.train.sgd(0.1), { noise: () => tf.zeros([16, 4]) });
      const opt = createOptimizer(method, tf.train.sgd(0.1), method.name === 'tram-fisher' ? { noise: () => tf.zeros([16, 4]) } : {});
      plain.step(plainModel, b);
      opt.step(model, b);
      assert.ok(maxAbsDiff(bnStats(model), before) > 1e-4, 'the first pass updates the statistics');
      assert.ok(maxAbsDiff(bnStats(model), bnStats(plainModel)) < 1e-7, `statistics differ from a single pass by ${maxAbsDiff(bnStats(model), bnStats(plainModel))}`);
      [plain, opt].forEach((o) => o.dispose());
      [plainModel, model].forEach((m) => m.dispose());
      disposeBatch(b);
    });
  }

  it('the target pass runs in inference mode: with dropout, a θ₀ target at step 1 equals model.predict', () => {
    const model = mlp({ seed: 63, dropout: 0.5 });
    const b = batch(8);
    const opt = createOptimizer({ name: 'tram', target: 'theta0' }, tf.train.sgd(0.1));
    const s = opt.begin(model, b);
    s.firstGradient();
    const current = s.logits as tf.Tensor;
    const { divergence } = s.divergence();
    // d = KL(f_inference(x) ‖ f_train(x)) with the training-mode (dropout) first-pass logits.
    const want = tf.tidy(() => {
      const q = model.predict(b.x) as tf.Tensor;
      const lp = tf.logSoftmax(q);
      const lq = tf.logSoftmax(current);
      return tf.mean(tf.sum(tf.mul(tf.exp(lp), tf.sub(lp, lq)), -1)).dataSync()[0];
    });
    assert.ok((divergence as number) > 1e-4, 'dropout makes the training-mode logits differ');
    assert.ok(Math.abs((divergence as number) - want) < 1e-6);
    s.dispose();
    opt.dispose();
    model.dispose();
    disposeBatch(b);
  });

  it('adapters expose trainable and state variables', () => {
    const model = mlp({ seed: 64, batchNorm: true });
    const a = fromLayersModel(model);
    assert.equal(a.trainable.length, 6); // 2 dense × (kernel, bias) + BN gamma, beta
    assert.equal(a.state.length, 2); // BN moving mean, variance
    model.dispose();
  });
});
