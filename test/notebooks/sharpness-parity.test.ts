/**
 * The experiments' ε-sharpness (kernel/experiments/metrics.ts, which calls kernel/analysis/sharpness.ts) equals a
 * direct, independently written projected sign ascent on the perturbation δ — the maximiser the committed results
 * were measured with: δ₀ = 0, δ ← clip(δ + ½·b·sign ∇_δ L(θ + δ), −b, b), b = ε(|θ| + 1), the largest L over the
 * iterates. Both run in float32 on the same backend, so they must agree to rounding.
 */
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../../kernel/backend';
import { epsilonSharpness } from '../../kernel/experiments/metrics';
import { MlpShape, initSnapshot, forward, crossEntropy, Snapshot } from '../../kernel/experiments/model';
import { Rng } from '../../kernel/experiments/rng';
import type { Dataset } from '../../kernel/experiments/data/dataset';

before(async () => {
  await initBackend({ prefer: 'wasm', env: {} });
});

function reference(shape: MlpShape, w: Snapshot, d: Dataset, epsilon: number, steps: number, samples: number): number {
  return tf.tidy(() => {
    const n = Math.min(samples, d.n);
    const x = tf.tensor2d(d.x.subarray(0, n * d.dim), [n, d.dim]);
    const y = tf.tensor1d(d.y.subarray(0, n), 'int32');
    const theta = w.values.map((v, i) => tf.tensor(v, w.shapes[i]));
    const b = theta.map((t) => t.abs().add(1).mul(epsilon));
    const lossAt = (delta: tf.Tensor[]) => crossEntropy(forward(shape, theta.map((t, i) => t.add(delta[i])), x).logits, y, shape.classes);
    const g = tf.grads((...ds: tf.Tensor[]) => lossAt(ds));
    const base = lossAt(theta.map((t) => tf.zerosLike(t))).dataSync()[0];
    let delta = theta.map((t) => tf.zerosLike(t));
    let best = base;
    for (let k = 0; k < steps; k++) {
      const grads = g(delta);
      delta = delta.map((dl, i) => tf.minimum(tf.maximum(dl.add(grads[i].sign().mul(b[i]).mul(0.5)), b[i].neg()), b[i]));
      best = Math.max(best, lossAt(delta).dataSync()[0]);
    }
    return (100 * (best - base)) / (1 + base);
  });
}

test("the experiments' ε-sharpness is projected sign ascent from δ = 0 with step b/2", () => {
  const rng = new Rng(3);
  const shape: MlpShape = { inputs: 12, hidden: [8, 6], classes: 3, noiseAt: 'input' };
  const w = initSnapshot(shape, rng);
  // non-zero biases, so that the box is not the same on every coordinate
  w.values.forEach((v, i) => { if (w.shapes[i].length === 1) for (let j = 0; j < v.length; j++) v[j] = rng.next() - 0.5; });
  const n = 40;
  const x = new Float32Array(n * shape.inputs).map(() => rng.normal());
  const y = new Int32Array(n).map(() => rng.int(3));
  const d: Dataset = { name: 'toy', x, y, n, dim: shape.inputs, classes: 3 };
  for (const [epsilon, steps] of [[1e-3, 10], [5e-2, 6]] as const) {
    const before = tf.memory().numTensors;
    const got = epsilonSharpness(shape, w, d, { epsilon, steps, samples: 32 });
    assert.equal(tf.memory().numTensors, before, 'no tensor left behind');
    const want = reference(shape, w, d, epsilon, steps, 32);
    assert.ok(want > 0, `the reference found no increase (${want})`);
    assert.ok(Math.abs(got - want) <= 1e-5 * Math.abs(want), `ε = ${epsilon}: got ${got}, reference ${want}`);
  }
});
