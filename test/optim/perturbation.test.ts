import { describe, it, before } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { createOptimizer, fromLayersModel } from '../../kernel/optim';
import { batch, disposeBatch, mlp, useBackend, values } from './fixtures';

function dot(a: number[][], b: number[][]): number {
  let s = 0;
  a.forEach((r, i) => r.forEach((v, j) => (s += v * b[i][j])));
  return s;
}
function norm(a: number[][]): number {
  return Math.sqrt(dot(a, a));
}
function cosine(a: number[][], b: number[][]): number {
  return dot(a, b) / (norm(a) * norm(b));
}

describe('the ascent direction', () => {
  before(async () => {
    await useBackend('cpu');
  });

  for (const method of [
    { name: 'asam', rho: 0.5, eta: 0.01, scope: 'weights' },
    { name: 'asam', rho: 0.5, eta: 0.2, scope: 'all' },
    { name: 'tram', target: 'x', eta: 0.01, scope: 'weights', noise: { kind: 'gaussian', sigma: 0.3, seed: 1 } },
  ] as const) {
    it(`${method.name} (${method.scope}) perturbs along T²g with ‖ε‖ = r·‖T²g‖/‖Tg‖`, () => {
      const model = mlp({ seed: 21 });
      const adapter = fromLayersModel(model);
      const b = batch(8);
      const opt = createOptimizer(method, tf.train.sgd(0.1));
      const s = opt.begin(model, b);
      s.firstGradient();
      const { radius } = s.radius();
      const theta = values(adapter.trainable);
      const g = values(s.gradient as tf.Tensor[]);
      s.perturbation();
      const eps = values(s.epsilon as tf.Tensor[]);
      // T = |θ| + η on kernels (rank ≥ 2) or every tensor, 1 elsewhere — computed here in plain numbers.
      const T = theta.map((row, i) =>
        row.map((v) => (method.scope === 'all' || adapter.trainable[i].rank >= 2 ? Math.abs(v) + method.eta : 1)),
      );
      const t2g = g.map((row, i) => row.map((v, j) => T[i][j] * T[i][j] * v));
      const tg = g.map((row, i) => row.map((v, j) => T[i][j] * v));
      assert.ok(radius !== undefined && radius > 0, `radius ${radius}`);
      assert.ok(cosine(eps, t2g) > 1 - 1e-6, `cosine ${cosine(eps, t2g)}`);
      const want = ((radius as number) * norm(t2g)) / norm(tg);
      assert.ok(Math.abs(norm(eps) - want) <= 1e-5 * want, `‖ε‖ ${norm(eps)} vs ${want}`);
      // ε is not parallel to g itself (the preconditioner matters).
      assert.ok(cosine(eps, g) < 0.999, `cosine with g ${cosine(eps, g)}`);
      s.dispose();
      opt.dispose();
      disposeBatch(b);
      model.dispose();
    });
  }

  it('SAM perturbs along g with ‖ε‖ = ρ', () => {
    const model = mlp({ seed: 22 });
    const b = batch(8);
    const opt = createOptimizer({ name: 'sam', rho: 0.05 }, tf.train.sgd(0.1));
    const s = opt.begin(model, b);
    s.firstGradient();
    const { perturbationNorm } = s.perturbation();
    const g = values(s.gradient as tf.Tensor[]);
    const eps = values(s.epsilon as tf.Tensor[]);
    assert.ok(cosine(eps, g) > 1 - 1e-6);
    assert.ok(Math.abs((perturbationNorm as number) - 0.05) < 1e-6);
    s.dispose();
    opt.dispose();
    disposeBatch(b);
    model.dispose();
  });

  it('Fisher-SAM perturbs along g/(1 + ηg²) with ‖ε‖ = γ‖g/f‖/√(Σg²/f)', () => {
    const model = mlp({ seed: 23 });
    const b = batch(8);
    const eta = 50; // large enough that the metric visibly bends the direction
    const opt = createOptimizer({ name: 'fisher-sam', gamma: 0.1, eta }, tf.train.sgd(0.1));
    const s = opt.begin(model, b);
    s.firstGradient();
    s.perturbation();
    const g = values(s.gradient as tf.Tensor[]);
    const eps = values(s.epsilon as tf.Tensor[]);
    const u = g.map((r) => r.map((v) => v / (1 + eta * v * v)));
    assert.ok(cosine(eps, u) > 1 - 1e-6);
    assert.ok(cosine(eps, g) < 0.9999, 'the Fisher metric should change the direction');
    const want = (0.1 * norm(u)) / Math.sqrt(dot(g, u));
    assert.ok(Math.abs(norm(eps) - want) < 1e-5 * want);
    s.dispose();
    opt.dispose();
    disposeBatch(b);
    model.dispose();
  });

  it('the SAM descent gradient is ∇L(θ+ε), which differs from ∇L(θ) on a non-quadratic loss', () => {
    const model = mlp({ seed: 24 });
    const adapter = fromLayersModel(model);
    const b = batch(16);
    const opt = createOptimizer({ name: 'sam', rho: 0.2 }, tf.train.sgd(0.1));
    const s = opt.begin(model, b);
    s.firstGradient();
    s.perturbation();
    const eps = values(s.epsilon as tf.Tensor[]);
    s.perturbedGradient();
    const g = values(s.gradient as tf.Tensor[]);
    const h = values(s.perturbedGrad as tf.Tensor[]);
    // Independent check: set θ + ε by hand and take the gradient with tf.variableGrads.
    const theta = adapter.trainable.map((v) => v.clone());
    adapter.trainable.forEach((v, i) => v.assign(tf.add(v, tf.tensor(eps[i], v.shape))));
    const manual = tf.tidy(() => {
      const { grads } = tf.variableGrads(() => {
        const logits = model.apply(b.x, { training: true }) as tf.Tensor;
        return tf.losses.softmaxCrossEntropy(tf.oneHot(b.y, 3), logits) as tf.Scalar;
      }, adapter.trainable);
      return adapter.trainable.map((v) => grads[v.name]);
    });
    adapter.trainable.forEach((v, i) => v.assign(theta[i]));
    const hm = values(manual);
    manual.forEach((t) => t.dispose());
    theta.forEach((t) => t.dispose());
    const diff = (a: number[][], c: number[][]) => norm(a.map((r, i) => r.map((v, j) => v - c[i][j])));
    assert.ok(diff(h, hm) < 1e-5 * norm(hm), `h vs manual ∇L(θ+ε): ${diff(h, hm)}`);
    assert.ok(diff(h, g) > 1e-3 * norm(g), `∇L(θ+ε) should differ from ∇L(θ): ${diff(h, g)}`);
    s.dispose();
    opt.dispose();
    disposeBatch(b);
    model.dispose();
  });

  it('descent restores θ exactly and lets the base optimizer apply h (θ ← θ − lr·h for sgd)', () => {
    const model = mlp({ seed: 25 });
    const adapter = fromLayersModel(model);
    const b = batch(8);
    const opt = createOptimizer({ name: 'asam', rho: 0.5 }, tf.train.sgd(0.3));
    const before = values(adapter.trainable);
    const s = opt.begin(model, b);
    s.perturbedGradient();
    const h = values(s.perturbedGrad as tf.Tensor[]);
    assert.deepEqual(values(adapter.trainable), before, 'θ restored bit for bit after the second pass');
    s.descend();
    const after = values(adapter.trainable);
    after.forEach((r, i) => r.forEach((v, j) => assert.ok(Math.abs(v - (before[i][j] - 0.3 * h[i][j])) < 1e-6)));
    opt.dispose();
    disposeBatch(b);
    model.dispose();
  });
});
