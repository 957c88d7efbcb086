/**
 * Behaviours of epsilonSharpness and topHessianEigenvalue that the sampled mutation run of kernel/analysis (#19)
 * found unasserted: error messages and their step numbers, refused options, the number of loss evaluations,
 * the sign of a zero φ, the Hessian of a linear loss (Hv = 0 exactly), the `converged` flag of the shifted
 * 'largest' search, and a Hessian-vector product whose norm overflows float32. Every expected value is derived
 * by hand in the comment above its assertion.
 */
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../../kernel/backend';
import { testBackend } from '../native-rerun';
import { epsilonSharpness, topHessianEigenvalue } from '../../kernel/analysis';
import { assertClose, checked, diag, inputError, quadraticLoss } from './helpers';

before(async () => {
  await initBackend({ prefer: testBackend('wasm'), env: {} });
});

const sharpnessInputs = () => {
  const v = tf.variable(tf.ones([2]));
  return { v, loss: () => tf.sum(v) as tf.Scalar };
};

test('epsilonSharpness: a loss that is not a function is named, with its type', () => {
  const { v } = sharpnessInputs();
  assert.throws(() => epsilonSharpness([v], 42 as never), inputError(/epsilonSharpness: loss must be a function returning a tf\.Scalar \(got number\)/));
  v.dispose();
});

test("epsilonSharpness: an unknown start names both choices", () => {
  const { v, loss } = sharpnessInputs();
  assert.throws(() => epsilonSharpness([v], loss, { start: 'middle' as never }), inputError(/epsilonSharpness: start must be 'random' or 'zero' \(got middle\)/));
  v.dispose();
});

test("epsilonSharpness 'gradient' without lr: a bad step is named stepSize", () => {
  const { v, loss } = sharpnessInputs();
  assert.throws(() => epsilonSharpness([v], loss, { method: 'gradient', stepSize: 0 }), inputError(/epsilonSharpness: stepSize must be a number > 0 \(got 0\)/));
  v.dispose();
});

test('epsilonSharpness: accumulate must be a positive integer (it counts batches)', () => {
  const { v, loss } = sharpnessInputs();
  assert.throws(() => epsilonSharpness([v], loss as never, { batches: [1], accumulate: 0 }), inputError(/epsilonSharpness: accumulate must be an integer >= 1 \(got 0\)/));
  assert.throws(() => epsilonSharpness([v], loss as never, { batches: [1], accumulate: 1.5 }), inputError(/epsilonSharpness: accumulate must be an integer >= 1 \(got 1\.5\)/));
  v.dispose();
});

test('epsilonSharpness: batches that are not an iterable (null, a number) are refused and named', () => {
  const { v, loss } = sharpnessInputs();
  assert.throws(() => epsilonSharpness([v], loss as never, { batches: null as never }), inputError(/epsilonSharpness: batches must be a finite iterable \(e\.g\. an array\) of batches \(got null\)/));
  assert.throws(() => epsilonSharpness([v], loss as never, { batches: 3 as never }), inputError(/epsilonSharpness: batches must be a finite iterable \(e\.g\. an array\) of batches \(got number\)/));
  v.dispose();
});

test('epsilonSharpness with batches: a loss that leaves its domain names the ascent step that got there and the fix (stepSize)', () => {
  // L(θ) = −log θ on one batch, θ = 0.01, ε = 0.015: b = ε(|θ| + 1) = 0.01515. Sign ascent from zero with α = 0.5
  // moves y by −b/2 per step (∇L = −1/θ < 0): y₁ = −0.007575 (θ + y₁ = 0.002425 > 0, finite) and y₂ = −b
  // (θ + y₂ = −0.00515 < 0: log is NaN). The first non-finite loss is that of y₂, reached by ascent step 2.
  const v = tf.variable(tf.tensor1d([0.01]));
  const loss = (c: number) => tf.tidy(() => tf.neg(tf.sum(tf.log(tf.mul(v, c))))) as tf.Scalar;
  checked([v], 'NaN at y₂ with batches', () =>
    assert.throws(() => epsilonSharpness([v], loss, { epsilon: 0.015, steps: 5, start: 'zero', batches: [1] }),
      inputError(/epsilonSharpness: the loss became NaN at ascent step 2: lower stepSize or epsilon/)),
  );
  v.dispose();
});

test("epsilonSharpness 'gradient': one step moves y by lr·∇L, not by a fraction of the box", () => {
  // L = ½(θ₁² + 3θ₂²) at θ = (1, −2), ε = 0.5: b = (1, 1.5). ∇L(θ) = (1, −6); one step of lr = 0.1 from zero:
  // y₁ = (0.1, −0.6), inside the box. The largest loss is L(θ + y₁) = ½(1.1² + 3·2.6²) = 10.745, L(θ) = 6.5.
  const v = tf.variable(tf.tensor1d([1, -2]));
  const loss = quadraticLoss([v], diag([1, 3]));
  const r = checked([v], 'one gradient step', () => epsilonSharpness([v], loss, { epsilon: 0.5, steps: 1, method: 'gradient', lr: 0.1, start: 'zero' }));
  assertClose(r.baseLoss, 6.5, 1e-6, 'L(θ)');
  assertClose(r.maxLoss, 10.745, 1e-6, 'L(θ + lr·∇L)');
  v.dispose();
});

test('epsilonSharpness evaluates the loss once per iterate (besides the gradients)', () => {
  // Without batches: L(θ) once, then ∇L at y₀ … y_{steps−1} (each gives L(θ + y_k) with it), then L(θ + y_steps):
  // steps + 2 calls, whatever the start.
  const v = tf.variable(tf.tensor1d([0.5, -0.3]));
  const quad = quadraticLoss([v], diag([2, 1]));
  let calls = 0;
  const counted = () => { calls++; return quad(); };
  for (const start of ['random', 'zero'] as const) {
    calls = 0;
    checked([v], `calls, ${start} start`, () => epsilonSharpness([v], counted, { epsilon: 0.01, steps: 3, start }));
    assert.equal(calls, 3 + 2, `loss calls without batches, ${start} start`);
  }
  // With n = 2 batches, accumulate 1, steps 2: L(θ) on both (2), then per step one batch gradient and the new
  // iterate on both (1 + 2); a random y₀ is evaluated on both as well (2), a zero start is y₀ = 0, i.e. L(θ), already known.
  let batchCalls = 0;
  const perBatch = (c: number) => { batchCalls++; return tf.tidy(() => tf.mul(c, quad())) as tf.Scalar; };
  for (const [start, want] of [['zero', 2 + 2 * 3], ['random', 2 + 2 + 2 * 3]] as const) {
    batchCalls = 0;
    checked([v], `calls with batches, ${start} start`, () => epsilonSharpness([v], perBatch, { epsilon: 0.01, steps: 2, start, batches: [1, 2] }));
    assert.equal(batchCalls, want, `loss calls with two batches, ${start} start`);
  }
  v.dispose();
});

test('epsilonSharpness: when no iterate raises the loss, φ and the maximum are +0 (the maximum of +0 and −0 is +0)', () => {
  // L(θ) = 0·Σ(0 − |θᵢ − 1|) at θ = 1: +0 at θ (0 − (+0) = +0), −0 at every other point (0 times a negative number).
  // max{+0, −0, …} = +0 (Math.max), so maxLoss = +0 and φ = (+0 − (+0))/(1 + 0)·100 = +0; a notebook would show −0 otherwise.
  const v = tf.variable(tf.ones([4]));
  const loss = () => tf.tidy(() => tf.mul(0, tf.sum(tf.sub(0, tf.abs(tf.sub(v, 1)))))) as tf.Scalar;
  const r = checked([v], 'signed zeros', () => epsilonSharpness([v], loss, { epsilon: 0.1, steps: 3, seed: 1 }));
  assert.ok(Object.is(r.baseLoss, 0), `baseLoss is +0 (got ${Object.is(r.baseLoss, -0) ? '-0' : r.baseLoss})`);
  assert.ok(Object.is(r.maxLoss, 0), `maxLoss is +0 (got ${Object.is(r.maxLoss, -0) ? '-0' : r.maxLoss})`);
  assert.ok(Object.is(r.sharpness, 0), `sharpness is +0 (got ${Object.is(r.sharpness, -0) ? '-0' : r.sharpness})`);
  v.dispose();
});

test('topHessianEigenvalue: a linear loss has H = 0: eigenvalue 0, converged after one iteration', () => {
  // L = 2θ₁ − 3θ₂: ∇L is constant, so Hv = (∇L(θ + hv) − ∇L(θ − hv))/2h = 0 exactly and ‖Hv‖ = 0: λ = 0, nothing to iterate.
  const v = tf.variable(tf.tensor1d([0.1, 0.2]));
  const c = tf.keep(tf.tensor1d([2, -3]));
  const loss = () => tf.tidy(() => tf.sum(tf.mul(c, v))) as tf.Scalar;
  const r = checked([v], 'linear loss', () => topHessianEigenvalue([v], loss));
  assert.equal(r.eigenvalue, 0);
  assert.equal(r.converged, true);
  assert.equal(r.iterations, 1);
  assert.deepEqual(r.history, [0]);
  tf.dispose([v, c]);
});

test("topHessianEigenvalue 'largest': converged is false when the shifted pass did not converge", () => {
  // H = diag(−10, 3, 1, 0.5). Pass 1 (largest magnitude) has rate |3/−10| = 0.3 and converges within 10 iterations
  // (the 'magnitude' run with the same seed is that very pass). Pass 2 runs on H + 10·I = diag(0, 13, 11, 10.5),
  // rate 11/13 ≈ 0.85: after 10 iterations λ still moves by more than tol·|λ|, so that pass did not converge.
  const v = tf.variable(tf.tensor1d([0.3, -0.1, 0.2, 0.4]));
  const loss = quadraticLoss([v], diag([-10, 3, 1, 0.5]));
  const opts = { iterations: 10, tol: 1e-4 };
  const first = checked([v], 'pass 1', () => topHessianEigenvalue([v], loss, opts));
  assert.equal(first.converged, true, 'pass 1 converges');
  assertClose(first.eigenvalue, -10, 1e-3, 'pass 1 eigenvalue');
  const top = checked([v], 'shifted', () => topHessianEigenvalue([v], loss, { ...opts, which: 'largest' }));
  const [a, b] = top.history.slice(-2);
  assert.equal(top.history.length, opts.iterations, 'pass 2 ran all its iterations');
  assert.ok(Math.abs(b - a) > opts.tol * Math.abs(b), `pass 2 is still moving (${a} → ${b})`);
  assert.equal(top.converged, false, 'both passes must converge for converged: true');
  v.dispose();
});

test('topHessianEigenvalue: a Hessian-vector product whose norm overflows float32 is refused, not answered with a wrong eigenvalue', () => {
  // L = ½·1e20·‖θ‖²: H = 1e20·I, so Hv = 1e20·v and vᵀHv = 1e20 (finite in float32), but ‖Hv‖² = 1e40 overflows
  // float32 (max ≈ 3.4e38): the iteration cannot normalise Hv and has to stop with an error.
  const v = tf.variable(tf.tensor1d([0.1, 0.2]));
  const loss = () => tf.tidy(() => tf.mul(0.5e20, tf.sum(tf.square(v)))) as tf.Scalar;
  checked([v], 'overflow', () =>
    assert.throws(() => topHessianEigenvalue([v], loss), inputError(/topHessianEigenvalue: the Hessian-vector product is not finite at iteration 1: its norm overflows float32 .*scale the loss down/)),
  );
  v.dispose();
});

test('topHessianEigenvalue: a non-integer seed is refused', () => {
  const v = tf.variable(tf.ones([2]));
  const loss = () => tf.sum(tf.square(v)) as tf.Scalar;
  assert.throws(() => topHessianEigenvalue([v], loss, { seed: 1.5 }), inputError(/topHessianEigenvalue: seed must be an integer \(got 1\.5\)/));
  v.dispose();
});
