import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../../kernel/backend';
import { testBackend } from '../native-rerun';
import { epsilonSharpness } from '../../kernel/analysis';
import { assertClose, checked, flat, quadraticLoss, quadraticValue, rng, symmetricWithEigenvalues } from './helpers';

before(async () => {
  await initBackend({ prefer: testBackend('wasm'), env: {} });
});

/** diag(a) as a dense matrix. */
const diag = (a: number[]) => a.map((x, i) => a.map((_, j) => (i === j ? x : 0)));

test('separable quadratic: the ascent reaches the farthest corner, φ equals its closed form', () => {
  // L = ½ Σ aᵢθᵢ², aᵢ > 0: max over |yᵢ| ≤ ε(|θᵢ|+1) is at yᵢ = sign(θᵢ)·ε(|θᵢ|+1)
  const a = [1, 4, 0.5, 2, 3, 1.5];
  const w = tf.variable(tf.tensor2d([[0.5, -1.2], [2.0, -0.3]]));
  const b = tf.variable(tf.tensor1d([0.8, -0.1]));
  const vars = [w, b];
  const loss = quadraticLoss(vars, diag(a));
  const eps = 0.05;
  const theta = flat(vars);
  const corner = theta.map((t) => Math.sign(t) * (Math.abs(t) + eps * (Math.abs(t) + 1)));
  const base = quadraticValue(theta, diag(a));
  const max = quadraticValue(corner, diag(a));
  for (const method of ['sign', 'gradient'] as const) {
    for (const start of ['zero', 'random'] as const) {
      const r = checked(vars, `sharpness ${method} start=${start}`, () => epsilonSharpness(vars, loss, { epsilon: eps, steps: 10, method, start }));
      assertClose(r.baseLoss, base, 1e-6, 'baseLoss');
      assertClose(r.maxLoss, max, 1e-5, `maxLoss (${method}, ${start})`);
      assertClose(r.sharpness, ((max - base) / (1 + base)) * 100, 1e-4, `sharpness (${method}, ${start})`);
      assert.equal(r.steps, 10);
    }
  }
  // sign ascent from zero moves α·b per step: after one step with α = 0.5 it is half way to the corner
  const half = theta.map((t) => t + Math.sign(t) * 0.5 * eps * (Math.abs(t) + 1));
  const one = checked(vars, 'one sign step', () => epsilonSharpness(vars, loss, { epsilon: eps, steps: 1, start: 'zero' }));
  assertClose(one.maxLoss, quadraticValue(half, diag(a)), 1e-5, 'one step of α = 0.5');
  tf.dispose(vars);
});

test('at the minimum a zero start stalls (φ = 0) while a random start finds the corner', () => {
  const a = [2, 1, 3];
  const v = tf.variable(tf.zeros([3]));
  const loss = quadraticLoss([v], diag(a));
  const eps = 0.1;
  const stalled = checked([v], 'zero start', () => epsilonSharpness([v], loss, { epsilon: eps, start: 'zero' }));
  assert.equal(stalled.sharpness, 0);
  const found = checked([v], 'random start', () => epsilonSharpness([v], loss, { epsilon: eps, steps: 10, seed: 5 }));
  // every corner of the box |yᵢ| ≤ ε is a maximiser: ½ Σ aᵢ ε²
  assertClose(found.maxLoss, 0.5 * (2 + 1 + 3) * eps * eps, 1e-5, 'corner value');
  assertClose(found.sharpness, found.maxLoss * 100, 1e-6, 'φ with L(θ) = 0');
  v.dispose();
});

test('general quadratic: the ascent result is feasible (never above the best box corner) and well above L(θ)', () => {
  const r = rng(19);
  const A = symmetricWithEigenvalues(r, [5, 3, 2, 1]);
  const v = tf.variable(tf.tensor1d([0.3, -0.2, 0.5, 0.1]));
  const loss = quadraticLoss([v], A);
  const eps = 0.2;
  const theta = flat([v]);
  // a convex function on a box is maximised at a vertex: enumerate all 16
  let best = -Infinity;
  for (let m = 0; m < 16; m++) {
    const p = theta.map((t, i) => t + ((m >> i) & 1 ? 1 : -1) * eps * (Math.abs(t) + 1));
    best = Math.max(best, quadraticValue(p, A));
  }
  for (const opts of [{ method: 'sign' as const }, { method: 'gradient' as const, lr: 0.5 }]) {
    const res = checked([v], `general quadratic ${opts.method}`, () => epsilonSharpness([v], loss, { epsilon: eps, steps: 30, ...opts }));
    assert.ok(res.maxLoss <= best * (1 + 1e-6), `${opts.method}: maxLoss ${res.maxLoss} exceeds the true maximum ${best}`);
    assert.ok(res.maxLoss >= res.baseLoss + 0.9 * (best - res.baseLoss), `${opts.method}: maxLoss ${res.maxLoss} is far below the maximum ${best}`);
  }
  v.dispose();
});

test('with batches: L is the batch mean, ascent uses the batches in turn (and accumulates), closed form holds', () => {
  // loss(b) = ½ Σ aᵢ (θᵢ − cᵦᵢ)²; the batch mean is ½ Σ aᵢ((θᵢ − c̄ᵢ)² + varᵢ), maximised at yᵢ = sign(θᵢ − c̄ᵢ)·bᵢ
  const a = [1, 2, 0.5];
  const cs = [[0.1, -0.2, 0.05], [-0.1, 0.0, 0.15]];
  const v = tf.variable(tf.tensor1d([1.0, -1.5, 2.0]));
  const A = tf.keep(tf.tensor1d(a));
  const batches = cs.map((c) => tf.keep(tf.tensor1d(c)));
  const loss = (c: tf.Tensor) => tf.tidy(() => tf.mul(0.5, tf.sum(tf.mul(A, tf.square(tf.sub(v, c))))) as tf.Scalar);
  const eps = 0.01;
  const theta = flat([v]);
  const mean = (f: (c: number[]) => number) => cs.reduce((s, c) => s + f(c), 0) / cs.length;
  const full = (p: number[]) => mean((c) => p.reduce((s, t, i) => s + 0.5 * a[i] * (t - c[i]) ** 2, 0));
  const cbar = a.map((_, i) => mean((c) => c[i]));
  const corner = theta.map((t, i) => t + Math.sign(t - cbar[i]) * eps * (Math.abs(t) + 1));
  for (const accumulate of [1, 2]) {
    // a generator works as well as an array
    const source = accumulate === 1 ? batches : (function* () { yield* batches; })();
    const r = checked([v], `batches accumulate=${accumulate}`, () => epsilonSharpness([v], loss, { epsilon: eps, steps: 6, batches: source, accumulate }));
    assertClose(r.baseLoss, full(theta), 1e-5, 'baseLoss is the batch mean');
    assertClose(r.maxLoss, full(corner), 1e-5, `maxLoss accumulate=${accumulate}`);
  }
  tf.dispose([v, A, ...batches]);
});

test('with batches every iterate is evaluated on all of them: an intermediate iterate can be the maximum', () => {
  // loss(c) = ½ a (θ − c)², batches c = 2 and c = −2, θ = −0.2, zero start, sign ascent with α = 0.5.
  // Step 1 follows batch c = 2 (gradient a(θ − 2) < 0): y₁ = −b/2; step 2 follows c = −2 (gradient > 0): y₂ = 0.
  // The batch-mean loss ½a((θ + y)² + 4) is largest at y₁, which only an evaluation of every iterate on every batch finds.
  const a = 3;
  const v = tf.variable(tf.tensor1d([-0.2]));
  const batches = [2, -2].map((c) => tf.keep(tf.scalar(c)));
  const loss = (c: tf.Tensor) => tf.tidy(() => tf.mul(0.5 * a, tf.sum(tf.square(tf.sub(v, c)))) as tf.Scalar);
  const eps = 0.05;
  const b = eps * (0.2 + 1);
  const mean = (t: number) => 0.5 * a * ((t - 2) ** 2 + (t + 2) ** 2) / 2;
  const r = checked([v], 'alternating batches', () => epsilonSharpness([v], loss, { epsilon: eps, steps: 2, start: 'zero', batches }));
  assertClose(r.baseLoss, mean(-0.2), 1e-5, 'baseLoss');
  assertClose(r.maxLoss, mean(-0.2 - b / 2), 1e-5, 'the maximum is the intermediate iterate y₁');
  // accumulating both batches, the direction is the full gradient's: two steps reach the corner y = −b
  const acc = checked([v], 'accumulated', () => epsilonSharpness([v], loss, { epsilon: eps, steps: 2, start: 'zero', batches, accumulate: 2 }));
  assertClose(acc.maxLoss, mean(-0.2 - b), 1e-5, 'corner with accumulate = 2');
  tf.dispose([v, ...batches]);
});

test('works on a tf.layers model with softmax cross-entropy: φ > 0, weights restored bit-exactly', () => {
  const model = tf.sequential({ layers: [tf.layers.dense({ inputShape: [4], units: 8, activation: 'tanh', kernelInitializer: tf.initializers.glorotNormal({ seed: 1 }) }), tf.layers.dense({ units: 3, kernelInitializer: tf.initializers.glorotNormal({ seed: 2 }) })] });
  const x = tf.randomNormal([16, 4], 0, 1, 'float32', 3);
  const y = tf.tidy(() => tf.oneHot(tf.tensor1d(Array.from({ length: 16 }, (_, i) => i % 3), 'int32'), 3));
  const vars = model.trainableWeights.map((w) => w.read() as tf.Variable);
  const loss = () => tf.losses.softmaxCrossEntropy(y, model.apply(x) as tf.Tensor) as tf.Scalar;
  const r = checked(vars, 'model sharpness', () => epsilonSharpness(vars, loss, { epsilon: 1e-3, steps: 5 }));
  assert.ok(r.sharpness > 0 && Number.isFinite(r.sharpness), `sharpness ${r.sharpness}`);
  assert.ok(r.maxLoss > r.baseLoss);
  tf.dispose([x, y]);
  model.dispose();
});

test('bad input gets an error naming the problem', () => {
  const v = tf.variable(tf.ones([2]));
  const loss = () => tf.sum(v) as tf.Scalar;
  assert.throws(() => epsilonSharpness([v], loss, { epsilon: -1 }), /epsilonSharpness: epsilon must be a number >= 0 \(got -1\)/);
  assert.throws(() => epsilonSharpness([v], loss, { steps: 1.5 }), /steps must be an integer >= 0 \(got 1\.5\)/);
  assert.throws(() => epsilonSharpness([v], loss, { method: 'gradient', lr: 0 }), /lr must be a number > 0 \(got 0\)/);
  assert.throws(() => epsilonSharpness([v], loss, { stepSize: -1 }), /stepSize must be a number > 0 \(got -1\): for method 'sign' it is a fraction of the box half-width/);
  assert.throws(() => epsilonSharpness([v], loss, { lr: 1 }), /lr is the step of method 'gradient'; for 'sign' set stepSize/);
  assert.throws(() => epsilonSharpness([v], loss, { method: 'newton' as never }), /method must be 'sign' or 'gradient' \(got newton\)/);
  assert.throws(() => epsilonSharpness([], loss), /variables must be a non-empty array of tf\.Variable/);
  assert.throws(() => epsilonSharpness([v], (() => tf.add(v, 0)) as unknown as () => tf.Scalar), /must return a scalar \(got shape \[2\]\)/);
  assert.throws(() => epsilonSharpness([v], () => tf.scalar(NaN)), /the loss at θ is NaN/);
  assert.throws(() => epsilonSharpness([v], loss as never, { batches: [] }), /batches must be a non-empty iterable when given \(got no batches\)/);
  v.dispose();
  // an error in mid-ascent still restores θ and leaves no tensor behind; θ + y₁ = [0.01 − 2.02, 1 − 4] (the first
  // gradient step, −lr/θ, clipped to the box ±2(|θ| + 1)) is outside log's domain: reached by ascent step 1
  const u = tf.variable(tf.tensor1d([0.01, 1]));
  const logLoss = () => tf.neg(tf.sum(tf.log(u))) as tf.Scalar;
  checked([u], 'failed ascent', () =>
    assert.throws(() => epsilonSharpness([u], logLoss, { epsilon: 2, start: 'zero', method: 'gradient', lr: 10 }), /the loss became NaN at ascent step 1: lower lr or epsilon/),
  );
  u.dispose();
});
