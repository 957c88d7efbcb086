/**
 * MESA (Du et al. 2022) as the library implements it (regularizers.ts): with plain SGD(lr) on a linear model
 * z = x·W (2 examples, 2 features, 3 classes) and the mean cross-entropy task loss, step t (0-based) is
 *
 *   W ← W − lr·[ xᵀ(softmax(xW) − onehot(y))/B + 1{t ≥ s}·λ·τ·xᵀ(softmax(xW/τ) − softmax(xW_EMA/τ))/B ]
 *
 * (the gradient of λ·τ²·KL(softmax(xW_EMA/τ) ‖ softmax(xW/τ)), batch-mean), with W_EMA ← β W_EMA + (1 − β) W
 * after every step from the first one, starting from W at step 0. The expected weights, the KL value and the EMA
 * are computed here in float64 by hand, independently of the library's tensor code.
 */
import { describe, it, before } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { OptimConfigError, createOptimizer, fromConfig, fromFunction, normalizeMethod } from '../../kernel/optim';
import { useBackend } from './fixtures';

type M = number[][];
const X: M = [
  [1.0, -0.5],
  [0.3, 2.0],
];
const Y = [2, 0];
const W0: M = [
  [0.2, -0.4, 0.7],
  [-0.3, 0.5, 0.1],
];

const matmul = (a: M, b: M): M => a.map((r) => b[0].map((_, j) => r.reduce((s, v, k) => s + v * b[k][j], 0)));
const softmax = (r: number[], tau: number): number[] => {
  const m = Math.max(...r.map((v) => v / tau));
  const e = r.map((v) => Math.exp(v / tau - m));
  const s = e.reduce((a, b) => a + b, 0);
  return e.map((v) => v / s);
};
const lin = (a: M, b: M, ca: number, cb: number): M => a.map((r, i) => r.map((v, j) => ca * v + cb * b[i][j]));

/** λ·τ²·KL(softmax(xW_ema/τ) ‖ softmax(xW/τ)), averaged over the 2 examples. */
function klTerm(w: M, ema: M, lambda: number, tau: number): number {
  const z = matmul(X, w);
  const t = matmul(X, ema);
  let kl = 0;
  z.forEach((row, i) => {
    const p = softmax(t[i], tau);
    const q = softmax(row, tau);
    p.forEach((pc, c) => (kl += pc * (Math.log(pc) - Math.log(q[c]))));
  });
  return (lambda * tau * tau * kl) / X.length;
}

/** The gradient of mean CE + (on ? λ·τ²·KL : 0) with respect to W. */
function grad(w: M, ema: M, lambda: number, tau: number, on: boolean): M {
  const z = matmul(X, w);
  const t = matmul(X, ema);
  const dz = z.map((row, i) => {
    const s = softmax(row, 1).map((v, c) => v - (c === Y[i] ? 1 : 0));
    if (!on) return s.map((v) => v / X.length);
    const q = softmax(row, tau);
    const p = softmax(t[i], tau);
    return s.map((v, c) => (v + lambda * tau * (q[c] - p[c])) / X.length);
  });
  return W0.map((r, k) => r.map((_, j) => X.reduce((s, xi, i) => s + xi[k] * dz[i][j], 0)));
}

/** Hand-computed SGD trajectory: the weights after each of `steps` steps and the KL term at each step. */
function expected(lr: number, lambda: number, decay: number, tau: number, start: number, steps: number): { ws: M[]; terms: number[] } {
  let w = W0;
  let ema = W0;
  const ws: M[] = [];
  const terms: number[] = [];
  for (let t = 0; t < steps; t++) {
    const on = t >= start;
    terms.push(on ? klTerm(w, ema, lambda, tau) : 0);
    const g = grad(w, ema, lambda, tau, on);
    ema = lin(ema, w, decay, 1 - decay); // the EMA takes the weights the step started from, before the update
    w = lin(w, g, 1, -lr);
    ws.push(w);
  }
  return { ws, terms };
}

function run(method: Record<string, unknown>, lr: number, steps: number) {
  const W = tf.variable(tf.tensor2d(W0));
  const model = fromFunction([W], (x) => tf.matMul(x, W));
  const opt = createOptimizer(method as never, tf.train.sgd(lr));
  const b = { x: tf.tensor2d(X), y: tf.tensor1d(Y, 'int32') };
  const ws: M[] = [];
  const reports = [];
  for (let t = 0; t < steps; t++) {
    reports.push(opt.step(model, b));
    ws.push(W.arraySync() as M);
  }
  return {
    ws,
    reports,
    opt,
    dispose() {
      opt.dispose();
      W.dispose();
      b.x.dispose();
      b.y.dispose();
    },
  };
}

const maxDiff = (a: M, b: M) => Math.max(...a.flatMap((r, i) => r.map((v, j) => Math.abs(v - b[i][j]))));

describe('MESA: temperature, start step, EMA target', () => {
  before(async () => {
    assert.ok(await useBackend('cpu'));
  });

  for (const [tau, start] of [
    [2, 1],
    [5, 0],
    [1, 0],
    [3, 2],
  ] as const) {
    it(`τ = ${tau}, start ${start}: weights, KL term and EMA match the float64 hand computation over 4 steps`, () => {
      const lambda = 0.7;
      const decay = 0.5;
      const lr = 0.5;
      const want = expected(lr, lambda, decay, tau, start, 4);
      const got = run({ name: 'mesa', lambda, decay, temperature: tau, start }, lr, 4);
      try {
        for (let t = 0; t < 4; t++) {
          assert.ok(maxDiff(got.ws[t], want.ws[t]) < 2e-6, `step ${t}: ${JSON.stringify(got.ws[t])} vs ${JSON.stringify(want.ws[t])}`);
          const r = got.reports[t];
          const term = (r.regularizedLoss as number) - r.loss;
          assert.ok(Math.abs(term - want.terms[t]) < 2e-6, `step ${t}: λτ²KL ${term} vs ${want.terms[t]}`);
          if (t < start) assert.equal(term, 0, `step ${t} is before start ${start}: the term must be off`);
        }
        // the KL term is not trivially zero once the EMA has moved away from the weights
        assert.ok(want.terms[3] > 1e-4, `term at step 3: ${want.terms[3]}`);
      } finally {
        got.dispose();
      }
    });
  }

  it('the temperature changes the step (τ = 5 differs from τ = 1 on the same trajectory)', () => {
    const a = expected(0.5, 0.7, 0.5, 5, 0, 3).ws[2];
    const b = expected(0.5, 0.7, 0.5, 1, 0, 3).ws[2];
    assert.ok(maxDiff(a, b) > 1e-4);
  });

  it('defaults: λ 0.1, decay 0.999 (TRAM paper), τ 5 (Du et al.), start 0; asam+mesa the same', () => {
    assert.deepEqual(normalizeMethod({ name: 'mesa' }), {
      name: 'mesa',
      lambda: 0.1,
      decay: 0.999,
      temperature: 5,
      start: 0,
      divergence: { kind: 'kl', direction: 'forward', reduction: 'batchmean' },
    });
    const am = normalizeMethod({ name: 'asam+mesa' });
    assert.equal(am.temperature, 5);
    assert.equal(am.start, 0);
  });

  it('bad temperature or start: a clear error naming the key and the fix', () => {
    const sgd = () => tf.train.sgd(0.1);
    for (const t of [0, -1, Number.NaN, '5']) {
      assert.throws(() => createOptimizer({ name: 'mesa', temperature: t } as never, sgd()), (e: Error) => e instanceof OptimConfigError && /temperature must be/.test(e.message) && /temperature > 0/.test(e.message));
    }
    for (const s of [-1, 1.5, '3']) {
      assert.throws(() => createOptimizer({ name: 'asam+mesa', start: s } as never, sgd()), (e: Error) => e instanceof OptimConfigError && /start must be a non-negative integer step/.test(e.message));
    }
  });

  for (const method of [
    { name: 'mesa', lambda: 0.3, decay: 0.5, temperature: 2, start: 2 },
    { name: 'asam+mesa', rho: 0.3, lambda: 0.3, decay: 0.5, temperature: 4, start: 1 },
  ]) {
    it(`getConfig → fromConfig rebuilds ${method.name} and steps identically; numTensors flat before and after start`, () => {
      const a = run(method, 0.3, 1);
      const config = JSON.parse(JSON.stringify(a.opt.getConfig()));
      assert.deepEqual(config.method, normalizeMethod(method));
      a.dispose();

      const W1 = tf.variable(tf.tensor2d(W0));
      const W2 = tf.variable(tf.tensor2d(W0));
      const o1 = createOptimizer(method as never, tf.train.sgd(0.3));
      const o2 = fromConfig(config);
      const m1 = fromFunction([W1], (x) => tf.matMul(x, W1));
      const m2 = fromFunction([W2], (x) => tf.matMul(x, W2));
      const b = { x: tf.tensor2d(X), y: tf.tensor1d(Y, 'int32') };
      try {
        o1.step(m1, b);
        o2.step(m2, b); // first step creates the EMA copy
        const before = tf.memory().numTensors;
        for (let t = 1; t < 5; t++) {
          o1.step(m1, b);
          o2.step(m2, b);
          assert.equal(tf.memory().numTensors, before, `numTensors changed at step ${t}`);
        }
        assert.ok(maxDiff(W1.arraySync() as M, W2.arraySync() as M) === 0);
      } finally {
        o1.dispose();
        o2.dispose();
        W1.dispose();
        W2.dispose();
        b.x.dispose();
        b.y.dispose();
      }
    });
  }
});
