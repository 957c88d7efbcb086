/**
 * Dropout and BatchNorm: TRAM's comparison mode (`compare`) and TRAM-Fisher's BatchNorm statistics.
 * - 'like-for-like': d == 0 exactly at step 1 for θ targets on a dropout + BatchNorm model.
 * - 'train-vs-inference' (default): training-mode p against inference-mode q, so d > 0 at step 1 there.
 * - TRAM-Fisher: after a step the moving statistics equal those of one clean training-mode forward pass at θ
 *   (computed on an identical model), not those of the noised pass.
 */
import { describe, it, before } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { createOptimizer } from '../../kernel/optim';
import { batch, disposeBatch, mlp, useBackend, maxAbsDiff } from './fixtures';

describe('compare mode and BatchNorm', () => {
  before(async () => {
    assert.ok(await useBackend('cpu'));
  });

  for (const target of ['theta0', 'theta-prev', 'ema'] as const) {
    it(`${target} on a dropout + BatchNorm model: d = 0 exactly at step 1 like-for-like, d > 0 train-vs-inference`, () => {
      const b = batch(16);
      const d1 = (compare?: 'like-for-like' | 'train-vs-inference') => {
        const model = mlp({ seed: 51, dropout: 0.1, batchNorm: true });
        const opt = createOptimizer({ name: 'tram', target, decay: target === 'ema' ? 0.9 : undefined }, tf.train.sgd(0.1), { compare });
        const r = opt.step(model, b);
        const r2 = opt.step(model, b);
        opt.dispose();
        model.dispose();
        return [r, r2];
      };
      const [like, like2] = d1('like-for-like');
      assert.equal(like.divergence, 0);
      assert.equal(like.radius, 0);
      assert.equal(like.perturbationNorm, 0);
      assert.ok((like2.divergence as number) > 0, 'd > 0 once θ moved');
      const [def] = d1();
      const [tvi] = d1('train-vs-inference');
      assert.equal(def.divergence, tvi.divergence, "the default is 'train-vs-inference'");
      assert.ok((tvi.divergence as number) > 1e-4, `train-vs-inference d at step 1 = ${tvi.divergence}`);
      disposeBatch(b);
    });
  }

  it('compare is checked and round-trips through getConfig', () => {
    assert.throws(() => createOptimizer({ name: 'sam' }, tf.train.sgd(0.1), { compare: 'same' as never }), /compare must be one of 'train-vs-inference', 'like-for-like'/);
    const o = createOptimizer({ name: 'tram', target: 'theta0' }, tf.train.sgd(0.1), { compare: 'like-for-like' });
    assert.equal(o.getConfig().options.compare, 'like-for-like');
    o.dispose();
  });

  it("TRAM-Fisher's noised pass does not move BatchNorm statistics; one clean pass does", () => {
    const b = batch(16);
    const model = mlp({ seed: 52, batchNorm: true });
    const twin = mlp({ seed: 52, batchNorm: true });
    const opt = createOptimizer({ name: 'tram-fisher', gamma: 0.1, noise: { kind: 'gaussian', sigma: 2, seed: 1 } }, tf.train.sgd(0.1));
    opt.step(model, b);
    tf.tidy(() => {
      twin.apply(b.x, { training: true });
    });
    const stats = (m: tf.LayersModel) => m.nonTrainableWeights.map((w) => Array.from(w.read().dataSync()));
    const moved = stats(twin);
    assert.ok(maxAbsDiff(stats(model), moved) < 1e-6, `max diff ${maxAbsDiff(stats(model), moved)}`);
    // …and they did move (the check above is not vacuous).
    const fresh = mlp({ seed: 52, batchNorm: true });
    assert.ok(maxAbsDiff(stats(fresh), moved) > 1e-4);
    [model, twin, fresh].forEach((m) => m.dispose());
    opt.dispose();
    disposeBatch(b);
  });
});
