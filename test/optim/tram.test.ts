import { describe, it, before } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { createOptimizer, fromLayersModel, klDivergence, gaussianNoise } from '../../kernel/optim';
import { batch, disposeBatch, mlp, useBackend, weightsOf, maxAbsDiff } from './fixtures';

describe('TRAM', () => {
  before(async () => {
    await useBackend('cpu');
  });

  for (const target of ['theta0', 'theta-prev', 'ema'] as const) {
    it(`d = 0 at the first step for the ${target} target, then d > 0`, () => {
      const model = mlp({ seed: 31 });
      const b = batch(8);
      const opt = createOptimizer({ name: 'tram', target, decay: 0.5, eta: 0.01 }, tf.train.sgd(0.5));
      const r1 = opt.step(model, b);
      assert.equal(r1.divergence, 0);
      assert.equal(r1.radius, 0);
      assert.equal(r1.perturbationNorm, 0);
      const r2 = opt.step(model, b);
      assert.ok((r2.divergence as number) > 0, `d at step 2: ${r2.divergence}`);
      opt.dispose();
      disposeBatch(b);
      model.dispose();
    });
  }

  it('theta0 keeps comparing with the first weights; theta-prev with the previous step', () => {
    const b = batch(8);
    const run = (target: 'theta0' | 'theta-prev') => {
      const model = mlp({ seed: 32 });
      const opt = createOptimizer({ name: 'tram', target, eta: 0.01 }, tf.train.sgd(0.5));
      const ds = [1, 2, 3, 4].map(() => opt.step(model, b).divergence as number);
      opt.dispose();
      model.dispose();
      return ds;
    };
    const d0 = run('theta0');
    const dp = run('theta-prev');
    assert.equal(d0[1], dp[1], 'at step 2 both targets are θ₁');
    assert.notEqual(d0[3], dp[3], 'at step 4 θ₀ and θ₃ differ');
    disposeBatch(b);
  });

  it('radius = d·scale, clamped to rhoMax, and ‖ε‖ proportional to the radius', () => {
    const b = batch(8);
    const run = (scale: number, rhoMax?: number) => {
      const model = mlp({ seed: 33 });
      const opt = createOptimizer(
        { name: 'tram', target: 'x', eta: 0.01, scale, rhoMax, noise: { kind: 'gaussian', sigma: 0.5, seed: 9 } },
        tf.train.sgd(0.1),
      );
      const r = opt.step(model, b);
      opt.dispose();
      model.dispose();
      return r;
    };
    const a = run(1);
    const s = run(7);
    const c = run(7, 0.5 * 7 * (a.divergence as number));
    assert.ok((a.divergence as number) > 0);
    assert.ok(Math.abs((s.divergence as number) - (a.divergence as number)) < 1e-7, 'd does not depend on scale');
    assert.ok(Math.abs((s.radius as number) - 7 * (a.divergence as number)) < 1e-6 * (s.radius as number));
    assert.ok(Math.abs((c.radius as number) - 0.5 * 7 * (a.divergence as number)) < 1e-6 * (c.radius as number), 'clamped');
    const ratio = (r: typeof a) => (r.perturbationNorm as number) / (r.radius as number);
    assert.ok(Math.abs(ratio(s) - ratio(a)) < 1e-4 * ratio(a));
    assert.ok(Math.abs(ratio(c) - ratio(a)) < 1e-4 * ratio(a));
    disposeBatch(b);
  });

  it('TRAM-x on a model split embed → body measures d = KL(body(embed(x)+z) ‖ f(x))', () => {
    const model = tf.sequential({
      layers: [
        tf.layers.dense({ inputShape: [4], units: 6, kernelInitializer: tf.initializers.glorotUniform({ seed: 1 }) }),
        tf.layers.dense({ units: 8, activation: 'tanh', kernelInitializer: tf.initializers.glorotUniform({ seed: 2 }) }),
        tf.layers.dense({ units: 3, kernelInitializer: tf.initializers.glorotUniform({ seed: 3 }) }),
      ],
    });
    const adapter = fromLayersModel(model, { embedLayers: 1 });
    const b = batch(8);
    const noise = gaussianNoise(0.5, 4);
    const opt = createOptimizer({ name: 'tram', target: 'x', eta: 0.01 }, tf.train.sgd(0.1), { noise });
    const s = opt.begin(adapter, b);
    s.firstGradient();
    const { divergence } = s.divergence();
    // By hand: the noise has the embedding's shape [8, 6], not the input's [8, 4].
    const want = tf.tidy(() => {
      const e = model.layers[0].apply(b.x) as tf.Tensor;
      assert.deepEqual(e.shape, [8, 6]);
      let h = tf.add(e, noise(e.shape, 0, 0));
      for (const l of model.layers.slice(1)) h = l.apply(h) as tf.Tensor;
      return klDivergence(h, model.predict(b.x) as tf.Tensor).dataSync()[0];
    });
    assert.ok((divergence as number) > 1e-4);
    assert.ok(Math.abs((divergence as number) - want) < 1e-6, `${divergence} vs ${want}`);
    const r = s.descend();
    assert.ok(Number.isFinite(r.loss));
    opt.dispose();
    disposeBatch(b);
    model.dispose();
  });

  it('TRAM-x works with a model given as {embed, body}', () => {
    const embed = tf.sequential({ layers: [tf.layers.dense({ inputShape: [4], units: 5 })] });
    const body = tf.sequential({ layers: [tf.layers.dense({ inputShape: [5], units: 3 })] });
    const b = batch(8);
    const opt = createOptimizer({ name: 'tram', target: 'x', noise: { kind: 'uniform', sigma: 0.2 } }, tf.train.sgd(0.1));
    const before = [...weightsOf(embed), ...weightsOf(body)];
    const r = opt.step({ embed, body }, b);
    assert.ok((r.divergence as number) > 0);
    assert.ok(maxAbsDiff([...weightsOf(embed), ...weightsOf(body)], before) > 0, 'both parts are trained');
    opt.dispose();
    disposeBatch(b);
  });

  it('m-sharpness: batchSplits = 2 averages per-split perturbed gradients (batchSplits 1 and 2 against a float64 SAM: sam-reference.test.ts)', () => {
    const b = batch(8);
    const method = { name: 'sam', rho: 0.1 } as const;
    const train = (splits: number) => {
      const model = mlp({ seed: 34 });
      const opt = createOptimizer(method, tf.train.sgd(0.5), { batchSplits: splits });
      for (let i = 0; i < 3; i++) opt.step(model, b);
      const w = weightsOf(model);
      opt.dispose();
      model.dispose();
      return w;
    };

    // Two splits by hand: each half gets its own ε; the two perturbed gradients are averaged.
    const model = mlp({ seed: 34 });
    const adapter = fromLayersModel(model);
    const halves = [0, 1].map((k) => ({ x: b.x.slice([4 * k, 0], [4, 4]), y: b.y.slice([4 * k], [4]) }));
    const stepper = createOptimizer(method, tf.train.sgd(0.5));
    const hs = halves.map((hb) => {
      const s = stepper.begin(model, hb);
      s.perturbedGradient();
      const h = (s.perturbedGrad as tf.Tensor[]).map((t) => t.clone());
      s.dispose();
      return h;
    });
    const two = train(2);
    const avg = hs[0].map((t, i) => tf.div(tf.add(t, hs[1][i]), 2));
    tf.train.sgd(0.5).applyGradients(adapter.trainable.map((v, i) => ({ name: v.name, tensor: avg[i] })));
    const w1 = weightsOf(model);
    const twoFirst = (() => {
      const m = mlp({ seed: 34 });
      const o = createOptimizer(method, tf.train.sgd(0.5), { batchSplits: 2 });
      o.step(m, b);
      const w = weightsOf(m);
      o.dispose();
      m.dispose();
      return w;
    })();
    assert.ok(maxAbsDiff(twoFirst, w1) < 1e-6, `split step vs by hand: ${maxAbsDiff(twoFirst, w1)}`);
    assert.ok(maxAbsDiff(two, train(1)) > 1e-6, 'two splits differ from one');
    [...hs.flat(), ...avg, ...halves.flatMap((h) => [h.x, h.y])].forEach((t) => t.dispose());
    stepper.dispose();
    model.dispose();
    disposeBatch(b);
  });

  it('initial target weights: θ₀ can be given pre-trained weights', () => {
    const pre = mlp({ seed: 35 });
    const model = mlp({ seed: 36 });
    const b = batch(8);
    // d at step 1 = KL(f(x; θ_pre) ‖ f(x; θ₁)), measured before the update.
    const want = tf.tidy(() => klDivergence(pre.predict(b.x) as tf.Tensor, model.predict(b.x) as tf.Tensor).dataSync()[0]);
    const opt = createOptimizer({ name: 'tram', target: 'theta0' }, tf.train.sgd(0.1), { initialTarget: pre });
    const r = opt.step(model, b);
    assert.ok(want > 1e-4);
    assert.ok(Math.abs((r.divergence as number) - want) < 1e-6, `${r.divergence} vs ${want}`);
    opt.dispose();
    pre.dispose();
    model.dispose();
    disposeBatch(b);
  });

  it('trains on sequence logits [B, T, C] with a padding mask (TRAM-θₜ₋₁, two micro-batches)', () => {
    const model = tf.sequential({
      layers: [
        tf.layers.dense({ inputShape: [5, 4], units: 8, activation: 'tanh', kernelInitializer: tf.initializers.glorotUniform({ seed: 5 }) }),
        tf.layers.dense({ units: 6, kernelInitializer: tf.initializers.glorotUniform({ seed: 6 }) }),
      ],
    });
    const x = tf.randomNormal([4, 5, 4], 0, 1, 'float32', 8);
    const y = tf.tensor2d([[1, 2, 3, 0, 0], [5, 4, 0, 0, 0], [1, 1, 1, 1, 1], [2, 0, 0, 0, 0]], [4, 5], 'int32');
    const mask = tf.tensor2d([[1, 1, 1, 0, 0], [1, 1, 0, 0, 0], [1, 1, 1, 1, 1], [1, 0, 0, 0, 0]]);
    const opt = createOptimizer({ name: 'tram', target: 'theta-prev', scale: 10 }, tf.train.adam(0.05), { batchSplits: 2 });
    const r1 = opt.step(model, { x, y, mask });
    const n0 = tf.memory().numTensors;
    let last = r1;
    for (let i = 0; i < 15; i++) last = opt.step(model, { x, y, mask });
    assert.equal(tf.memory().numTensors, n0);
    assert.equal(r1.divergence, 0);
    assert.ok((last.divergence as number) > 0);
    assert.ok(last.loss < r1.loss, `loss ${r1.loss} → ${last.loss}`);
    opt.dispose();
    model.dispose();
    tf.dispose([x, y, mask]);
  });
});
