/**
 * Tests that kill the #19 mutants in optim, each against values derived outside the code under test:
 * SAM's applied ε read from the weights (not the report), TRAM's radius = d at scale 1, the exact θₜ₋₁ and EMA
 * target weights after steps (hand recurrences in float64), and a full begin()…descend() cycle's memory.
 */
import { describe, it, before } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { createOptimizer, fromFunction } from '../../kernel/optim';
import { batch, disposeBatch, mlp, useBackend, weightsOf } from './fixtures';

/** f(w) = ½ Σ aᵢ wᵢ² through the optimizer's model interface (output = w, custom loss), so g = a ⊙ w in closed form. */
function quadratic(w0: number[], a: number[]) {
  const w = tf.variable(tf.tensor1d(w0));
  const av = tf.tensor1d(a);
  const model = fromFunction([w], () => w.reshape([1, -1]));
  const loss = (out: tf.Tensor) => tf.tidy(() => tf.mul(0.5, tf.sum(tf.mul(av, tf.square(out)))) as tf.Scalar);
  return { w, av, model, loss };
}

describe('#19 mutants (optim)', () => {
  before(async () => {
    assert.ok(await useBackend('cpu'));
  });

  it('SAM applies ε = ρ g/‖g‖: measured from the weights between perturbation and perturbed gradient', () => {
    const w0 = [0.7, -1.3, 2.1];
    const a = [1, 3, 0.5];
    const rho = 0.05;
    const q = quadratic(w0, a);
    const opt = createOptimizer({ name: 'sam', rho }, tf.train.sgd(0.1), { loss: q.loss });
    const dummy = { x: tf.zeros([1, 1]), y: tf.zeros([1], 'int32') };
    const s = opt.begin(q.model, dummy);
    s.firstGradient();
    const rep = s.perturbation();
    const applied = Array.from(q.w.dataSync()).map((v, i) => v - w0[i]);
    const g = w0.map((v, i) => a[i] * v);
    const gn = Math.hypot(...g);
    g.forEach((gi, i) => assert.ok(Math.abs(applied[i] - (rho * gi) / gn) < 1e-6, `ε[${i}] = ${applied[i]}, want ${(rho * gi) / gn}`));
    assert.ok(Math.abs(Math.hypot(...applied) - rho) < 1e-6, `‖applied ε‖ = ${Math.hypot(...applied)}`);
    assert.ok(Math.abs((rep.perturbationNorm as number) - rho) < 1e-6);
    s.descend();
    // After the step θ₁ = θ₀ − lr·∇L(θ₀ + ε) = θ₀ − 0.1·a ⊙ (θ₀ + ε).
    const want = w0.map((v, i) => v - 0.1 * a[i] * (v + (rho * g[i]) / gn));
    Array.from(q.w.dataSync()).forEach((v, i) => assert.ok(Math.abs(v - want[i]) < 1e-6));
    opt.dispose();
    tf.dispose([q.w, q.av, dummy.x, dummy.y]);
  });

  it('TRAM at scale 1 uses radius = d (not √d), with 0 < d < 1', () => {
    const model = mlp({ seed: 41 });
    const b = batch(8);
    const opt = createOptimizer({ name: 'tram', target: 'x', noise: { kind: 'gaussian', sigma: 0.3, seed: 2 } }, tf.train.sgd(0.1));
    const r = opt.step(model, b);
    const d = r.divergence as number;
    assert.ok(d > 1e-6 && d < 0.5, `d = ${d}`);
    assert.equal(r.radius, d);
    opt.dispose();
    disposeBatch(b);
    model.dispose();
  });

  for (const [target, decay] of [['theta-prev', 0], ['ema', 0.9], ['theta0', 1]] as const) {
    it(`${target}: the target weights after each step follow θ_tgt ← β θ_tgt + (1−β) θₜ (β = ${decay}) exactly`, () => {
      const model = mlp({ seed: 43 });
      const b = batch(8);
      const opt = createOptimizer({ name: 'tram', target, decay: target === 'ema' ? decay : undefined, eta: 0.01 }, tf.train.sgd(0.5));
      const rule = opt.ascent?.radius as unknown as { target: { weights(): tf.Tensor[] | null } };
      let expected: number[][] | null = null;
      for (let t = 1; t <= 4; t++) {
        const theta = weightsOf(model); // θₜ, the weights the step is taken at
        const prev = expected as number[][] | null;
        opt.step(model, b);
        // Float64 recurrence: the copy starts at θ₁, then each step mixes in θₜ.
        expected = prev === null ? theta : prev.map((row: number[], i: number) => row.map((v: number, j: number) => decay * v + (1 - decay) * theta[i][j]));
        const got = (rule.target.weights() as tf.Tensor[]).map((x) => Array.from(x.dataSync()));
        let err = 0;
        got.forEach((row, i) => row.forEach((v, j) => (err = Math.max(err, Math.abs(v - (expected as number[][])[i][j])))));
        assert.ok(err < 1e-6, `step ${t}: max |target − hand| = ${err}`);
      }
      // The three recurrences differ: θₜ₋₁ is the last θ, θ₀ the first, EMA neither.
      opt.dispose();
      disposeBatch(b);
      model.dispose();
    });
  }

  it('a full begin() … descend() cycle leaves numTensors unchanged (the pass is disposed)', () => {
    for (const method of [
      { name: 'sam', rho: 0.05 },
      { name: 'tram', target: 'x', noise: { kind: 'gaussian', sigma: 0.1 } },
      { name: 'tram', target: 'ema', decay: 0.9 },
      { name: 'tram-fisher' },
    ] as const) {
      const model = mlp({ seed: 44, batchNorm: true });
      const b = batch(8);
      const opt = createOptimizer(method, tf.train.adam(0.01));
      opt.step(model, b);
      const n0 = tf.memory().numTensors;
      for (let i = 0; i < 2; i++) {
        const s = opt.begin(model, b);
        s.firstGradient();
        s.divergence();
        s.radius();
        s.perturbation();
        s.perturbedGradient();
        s.descend();
        assert.equal(tf.memory().numTensors, n0, `${method.name}: cycle ${i + 1}`);
      }
      opt.dispose();
      disposeBatch(b);
      model.dispose();
    }
  });
});
