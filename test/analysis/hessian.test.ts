import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../../kernel/backend';
import { testBackend } from '../native-rerun';
import { topHessianEigenvalue } from '../../kernel/analysis';
import { assertClose, checked, flat, quadraticLoss, rng, symmetricEigenvalues, symmetricWithEigenvalues } from './helpers';

before(async () => {
  await initBackend({ prefer: testBackend('wasm'), env: {} });
});

/** The eigenvalue of largest magnitude. */
const topByMagnitude = (ev: number[]) => ev.reduce((a, b) => (Math.abs(b) > Math.abs(a) ? b : a));

test('quadratic ½θᵀAθ over two variables: the top eigenvalue is max eig(A)', () => {
  const A = symmetricWithEigenvalues(rng(3), [6, 3, 1, -2, 0.5, 2.5, -1]);
  const w = tf.variable(tf.tensor2d([[0.2, -0.4], [1.0, 0.3]]));
  const b = tf.variable(tf.tensor1d([0.5, -0.6, 0.1]));
  const vars = [w, b];
  const loss = quadraticLoss(vars, A);
  const r = checked(vars, 'hessian quadratic', () => topHessianEigenvalue(vars, loss, { iterations: 100 }));
  assertClose(r.eigenvalue, 6, 1e-3, 'top eigenvalue');
  assert.equal(r.converged, true);
  assert.ok(r.iterations < 100);
  assert.equal(r.history.length, r.iterations);
  tf.dispose(vars);
});

test('a negative eigenvalue of largest magnitude is returned with its sign', () => {
  const A = symmetricWithEigenvalues(rng(4), [-5, 2, 1]);
  const v = tf.variable(tf.tensor1d([0.1, 0.2, 0.3]));
  const loss = quadraticLoss([v], A);
  const r = checked([v], 'negative', () => topHessianEigenvalue([v], loss, { iterations: 100 }));
  assertClose(r.eigenvalue, -5, 1e-3, 'eigenvalue');
  v.dispose();
});

test("a diagonal Hessian with a large negative eigenvalue: 'magnitude' returns it with its sign, 'largest' the largest algebraic one", () => {
  // L = ½ θᵀ diag(−10, 3, 1, 0.5) θ: eigenvalues are the diagonal; largest magnitude −10, largest algebraic 3
  const A = [[-10, 0, 0, 0], [0, 3, 0, 0], [0, 0, 1, 0], [0, 0, 0, 0.5]];
  const v = tf.variable(tf.tensor1d([0.3, -0.1, 0.2, 0.4]));
  const loss = quadraticLoss([v], A);
  const mag = checked([v], 'diag magnitude', () => topHessianEigenvalue([v], loss, { iterations: 200, tol: 1e-9 }));
  assertClose(mag.eigenvalue, -10, 1e-3, 'largest magnitude');
  assert.equal(mag.which, 'magnitude');
  assert.equal(mag.shift, 0);
  const top = checked([v], 'diag largest', () => topHessianEigenvalue([v], loss, { iterations: 400, tol: 1e-10, which: 'largest' }));
  assertClose(top.eigenvalue, 3, 1e-3, 'largest algebraic');
  assert.equal(top.which, 'largest');
  assertClose(top.shift, -10, 1e-3, 'the shift is the first pass\'s eigenvalue');
  assert.equal(top.converged, true);
  assert.ok(top.iterations > top.history.length, 'both passes are counted');
  // with a positive largest-magnitude eigenvalue no shift is needed
  const B = [[4, 0], [0, -1]];
  const u = tf.variable(tf.tensor1d([0.1, 0.2]));
  const lossB = quadraticLoss([u], B);
  const pos = checked([u], 'no shift', () => topHessianEigenvalue([u], lossB, { iterations: 200, tol: 1e-9, which: 'largest' }));
  assertClose(pos.eigenvalue, 4, 1e-3, 'largest, no shift');
  assert.equal(pos.shift, 0);
  tf.dispose([v, u]);
});

test('tanh loss (where tfjs grad-of-grad is wrong): matches the exact Hessian', () => {
  // L = Σ cᵢ tanh(θᵢ) + ½ θᵀAθ;  H = A + diag(cᵢ · tanh''(θᵢ)),  tanh'' = −2 tanh·(1 − tanh²)
  const A = symmetricWithEigenvalues(rng(6), [3, 1, 0.5, 2]);
  const c = [4, -3, 5, 2];
  const v = tf.variable(tf.tensor1d([0.6, -0.4, 0.9, 0.2]));
  const C = tf.keep(tf.tensor1d(c));
  const quad = quadraticLoss([v], A);
  const loss = () => tf.tidy(() => tf.add(tf.sum(tf.mul(C, tf.tanh(v))), quad()) as tf.Scalar);
  const theta = flat([v]);
  const H = A.map((row, i) => row.map((x, j) => (i === j ? x + c[i] * -2 * Math.tanh(theta[i]) * (1 - Math.tanh(theta[i]) ** 2) : x)));
  const want = topByMagnitude(symmetricEigenvalues(H));
  const r = checked([v], 'tanh', () => topHessianEigenvalue([v], loss, { iterations: 200, tol: 1e-8, h: 1e-2 }));
  assertClose(r.eigenvalue, want, 2e-3, 'tanh top eigenvalue');
  tf.dispose([v, C]);
});

test('softmax cross-entropy on a dense model (where grad-of-grad throws): agrees with the full finite-difference Hessian', () => {
  const model = tf.sequential({ layers: [tf.layers.dense({ inputShape: [3], units: 2, activation: 'tanh', kernelInitializer: tf.initializers.glorotNormal({ seed: 1 }) }), tf.layers.dense({ units: 3, kernelInitializer: tf.initializers.glorotNormal({ seed: 2 }) })] });
  const x = tf.randomNormal([10, 3], 0, 1, 'float32', 5);
  const y = tf.tidy(() => tf.oneHot(tf.tensor1d([0, 1, 2, 0, 1, 2, 0, 1, 2, 0], 'int32'), 3));
  const vars = model.trainableWeights.map((w) => w.read() as tf.Variable);
  const loss = () => tf.losses.softmaxCrossEntropy(y, model.apply(x) as tf.Tensor) as tf.Scalar;
  // reference: the whole Hessian, column by column, from central differences along unit vectors
  const n = vars.reduce((s, v) => s + v.size, 0);
  const h = 1e-2;
  const gradAt = (theta: number[]) => {
    let k = 0;
    vars.forEach((v) => { v.assign(tf.tensor(theta.slice(k, k + v.size), v.shape)); k += v.size; });
    const g = tf.tidy(() => { const { grads } = tf.variableGrads(loss, vars); return tf.concat(vars.map((v) => tf.reshape(grads[v.name], [-1]))); });
    const out = Array.from(g.dataSync());
    g.dispose();
    return out;
  };
  const theta0 = flat(vars);
  const saved = vars.map((v) => tf.clone(v));
  const H: number[][] = Array.from({ length: n }, () => new Array(n).fill(0));
  for (let j = 0; j < n; j++) {
    const gp = gradAt(theta0.map((t, k) => (k === j ? t + h : t)));
    const gm = gradAt(theta0.map((t, k) => (k === j ? t - h : t)));
    for (let i = 0; i < n; i++) H[i][j] = (gp[i] - gm[i]) / (2 * h);
  }
  vars.forEach((v, i) => v.assign(saved[i]));
  tf.dispose(saved);
  const sym = H.map((row, i) => row.map((_, j) => (H[i][j] + H[j][i]) / 2));
  const want = topByMagnitude(symmetricEigenvalues(sym));
  const r = checked(vars, 'softmax CE', () => topHessianEigenvalue(vars, loss, { iterations: 300, tol: 1e-7, h }));
  assert.ok(want > 0, 'near a random init the top eigenvalue should be positive');
  assertClose(r.eigenvalue, want, 2e-2, 'softmax CE top eigenvalue');
  tf.dispose([x, y]);
  model.dispose();
});

test('bad options get errors naming the problem', () => {
  const v = tf.variable(tf.ones([2]));
  const loss = () => tf.sum(tf.square(v)) as tf.Scalar;
  assert.throws(() => topHessianEigenvalue([v], loss, { h: 0 }), /topHessianEigenvalue: h must be a number > 0 \(got 0\): the finite-difference step must be positive/);
  assert.throws(() => topHessianEigenvalue([v], loss, { iterations: 0 }), /iterations must be an integer >= 1 \(got 0\)/);
  assert.throws(() => topHessianEigenvalue([v], loss, { which: 'smallest' as never }), /which must be 'magnitude' or 'largest' \(got smallest\)/);
  assert.throws(() => topHessianEigenvalue([v], () => tf.div(tf.sum(v), 0) as tf.Scalar), /not finite at iteration 1: the loss or its gradient is NaN\/Infinity near θ \(try a smaller h\)/);
  v.dispose();
});
