/**
 * Behaviours of epsilonSharpness and topHessianEigenvalue that the second sampled mutation run of kernel/analysis
 * (#19) found unasserted: the random start of ε-sharpness is ONE seeded stream across all variables, the seed
 * must be an integer (and the refusal names it), the stopping rule of the power iteration is the RELATIVE change
 * |λ_k − λ_{k−1}| ≤ tol·|λ_k|, and a loss that is not a function is refused by name before any work.
 * Every expected value is derived by hand (or in float64 from the stream that test/analysis/params.test.ts
 * checks against an independent implementation) in the comment above its assertion.
 */
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../../kernel/backend';
import { testBackend } from '../native-rerun';
import { epsilonSharpness, topHessianEigenvalue } from '../../kernel/analysis';
import { uniformGenerator } from '../../kernel/analysis/params';
import { assertClose, checked, diag, inputError, quadraticLoss } from './helpers';

before(async () => {
  await initBackend({ prefer: testBackend('wasm'), env: {} });
});

test('epsilonSharpness: the random start draws one seeded stream across all variables, element after element', () => {
  // θ = 0 in two variables a ∈ R³, b ∈ R², L = Σ cᵢ θᵢ² with c = (1, 2, 3, 4, 5) over (a, b) concatenated.
  // The box is bᵢ = ε(|0| + 1) = ε, y₀ᵢ = (2uᵢ − 1)·ε with u₁ … u₅ the first five draws of the seed's stream
  // (a takes u₁…u₃, b takes u₄, u₅). With steps: 0 the only iterate is y₀, so maxLoss = max(L(0), L(y₀)) =
  // Σ cᵢ y₀ᵢ² (> 0 = L(0)), and φ = (maxLoss − 0)/(1 + 0)·100. Computed here in float64.
  const epsilon = 0.1;
  const seed = 3;
  const a = tf.variable(tf.zeros([3]));
  const b = tf.variable(tf.zeros([2]));
  const c = [1, 2, 3, 4, 5];
  const ca = tf.keep(tf.tensor1d(c.slice(0, 3)));
  const cb = tf.keep(tf.tensor1d(c.slice(3)));
  const loss = () => tf.tidy(() => tf.add(tf.sum(tf.mul(ca, tf.square(a))), tf.sum(tf.mul(cb, tf.square(b))))) as tf.Scalar;
  const u = uniformGenerator(seed);
  const y0 = c.map(() => (2 * u() - 1) * epsilon);
  const want = y0.reduce((s, y, i) => s + c[i] * y * y, 0);
  const r = checked([a, b], 'two variables', () => epsilonSharpness([a, b], loss, { epsilon, steps: 0, seed, start: 'random' }));
  assert.equal(r.baseLoss, 0);
  assertClose(r.maxLoss, want, 1e-5, 'maxLoss = L(y₀)');
  assertClose(r.sharpness, want * 100, 1e-5, 'φ');
  tf.dispose([a, b, ca, cb]);
});

test('epsilonSharpness: a non-integer or non-finite seed is refused, naming the seed', () => {
  // The seed picks the random start; a fractional one would silently act as another seed, so it is refused.
  const v = tf.variable(tf.ones([2]));
  const loss = () => tf.sum(tf.square(v)) as tf.Scalar;
  checked([v], 'seed 1.5', () =>
    assert.throws(() => epsilonSharpness([v], loss, { seed: 1.5 }), inputError(/^epsilonSharpness: seed must be an integer \(got 1\.5\)$/)));
  checked([v], 'seed NaN', () =>
    assert.throws(() => epsilonSharpness([v], loss, { seed: NaN }), inputError(/^epsilonSharpness: seed must be an integer \(got NaN\)$/)));
  v.dispose();
});

test('topHessianEigenvalue: it stops at the first relative change |λ_k − λ_{k−1}| ≤ tol·|λ_k|, not before and not later', () => {
  // H = diag(100, 50): the Rayleigh quotients approach 100 from below and their change shrinks about
  // (50/100)² = 1/4 per iteration, from at most 50. With tol = 1e-2 the rule's threshold is ≈ tol·100 = 1, reached
  // within a handful of iterations, far before the 60 allowed; the run must stop at the first pair of the history
  // meeting it (and no earlier pair may meet it), with λ within 1 % of 100 (a change ≤ 1 then a geometric tail ≤ 1/3).
  const v = tf.variable(tf.tensor1d([0.2, -0.3]));
  const loss = quadraticLoss([v], diag([100, 50]));
  const tol = 1e-2;
  const r = checked([v], 'relative tol', () => topHessianEigenvalue([v], loss, { iterations: 60, tol }));
  const h = r.history;
  assert.equal(r.converged, true);
  assert.equal(r.iterations, h.length);
  assert.ok(h.length >= 3 && h.length < 60, `stopped after ${h.length} iterations`);
  const meets = (k: number) => Math.abs(h[k] - h[k - 1]) <= tol * Math.abs(h[k]);
  assert.ok(meets(h.length - 1), `the last change ${h[h.length - 2]} → ${h[h.length - 1]} meets the rule`);
  for (let k = 1; k < h.length - 1; k++) assert.ok(!meets(k), `the change ${h[k - 1]} → ${h[k]} already met the rule at iteration ${k + 1}`);
  assertClose(r.eigenvalue, 100, 1e-2, 'λ');
  v.dispose();
});

test('topHessianEigenvalue: a loss that is not a function is named, with its type, before any work', () => {
  const v = tf.variable(tf.ones([2]));
  checked([v], 'loss 42', () =>
    assert.throws(() => topHessianEigenvalue([v], 42 as never), inputError(/^topHessianEigenvalue: loss must be a function returning a tf\.Scalar \(got number\)$/)));
  v.dispose();
});
