import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../../kernel/backend';
import { testBackend } from '../native-rerun';
import { filterNormalizedDirection, lossInterpolation, lossLine, lossSurface } from '../../kernel/analysis';
import { assertClose, checked, flat, quadraticLoss, quadraticValue, randomMatrix, rng, symmetricWithEigenvalues } from './helpers';

before(async () => {
  await initBackend({ prefer: testBackend('wasm'), env: {} });
});

/** Norms of the slices of a 2-D array along rows (axis 'first') or columns ('last'), float64. */
function sliceNorms(m: number[][], along: 'rows' | 'cols'): number[] {
  return along === 'rows' ? m.map((r) => Math.hypot(...r)) : m[0].map((_, j) => Math.hypot(...m.map((r) => r[j])));
}

test('filter normalisation: each filter of the direction has the norm of the same filter of θ', () => {
  const r = rng(1);
  const kernel = tf.variable(tf.tensor2d(randomMatrix(r, 5, 3)));   // dense [in, out]
  const bias = tf.variable(tf.tensor1d([0.3, -0.2, 0.9]));
  const conv = tf.variable(tf.randomNormal([3, 3, 2, 4], 0, 1, 'float32', 9)); // [h, w, in, out]
  const params = [kernel, bias, conv];
  const n = tf.memory().numTensors;

  const [dk, db, dc] = filterNormalizedDirection(params, { seed: 4 });
  // 'last' (tfjs layout): a filter is a column of the dense kernel / an output channel of the conv
  const want = sliceNorms(kernel.arraySync(), 'cols');
  sliceNorms(dk.arraySync() as number[][], 'cols').forEach((g, j) => assertClose(g, want[j], 1e-5, `dense column ${j}`));
  const c2 = (t: tf.Tensor) => tf.tidy(() => tf.reshape(t, [-1, 4]).arraySync() as number[][]);
  const wantC = sliceNorms(c2(conv), 'cols');
  sliceNorms(c2(dc), 'cols').forEach((g, j) => assertClose(g, wantC[j], 1e-5, `conv filter ${j}`));
  assert.deepEqual(Array.from(db.dataSync()), [0, 0, 0], 'biases get a zero direction by default');
  // the direction is not θ itself: it is random within each filter
  assert.ok(Math.abs((dk.arraySync() as number[][])[0][0] - kernel.arraySync()[0][0]) > 1e-6);
  tf.dispose([dk, db, dc]);

  // 'first' (rows, [out, in] layouts) and oneD 'copy'
  const [rk, rb] = filterNormalizedDirection([kernel, bias], { seed: 4, filterAxis: 'first', oneD: 'copy' });
  const wantRows = sliceNorms(kernel.arraySync(), 'rows');
  sliceNorms(rk.arraySync() as number[][], 'rows').forEach((g, i) => assertClose(g, wantRows[i], 1e-5, `row ${i}`));
  assert.deepEqual(Array.from(rb.dataSync()), Array.from(bias.dataSync()));
  tf.dispose([rk, rb]);
  assert.equal(tf.memory().numTensors, n);

  // seeded: same seed, same direction; another seed, another one
  const [a1] = filterNormalizedDirection([kernel], { seed: 7 });
  const [a2] = filterNormalizedDirection([kernel], { seed: 7 });
  const [a3] = filterNormalizedDirection([kernel], { seed: 8 });
  assert.deepEqual(Array.from(a1.dataSync()), Array.from(a2.dataSync()));
  assert.notDeepEqual(Array.from(a1.dataSync()), Array.from(a3.dataSync()));
  tf.dispose([a1, a2, a3, ...params]);
});

/** The quadratic L(θ) = ½θᵀAθ − bᵀθ over two variables, and its float64 closed forms. */
function quadraticSetup(seed: number) {
  const r = rng(seed);
  const A = symmetricWithEigenvalues(r, [4, 2, 1, 0.5, -0.5, 3]);
  const b = Array.from({ length: 6 }, () => 2 * r() - 1);
  const w = tf.variable(tf.tensor2d([[0.4, -0.7], [1.1, 0.2]]));
  const c = tf.variable(tf.tensor1d([-0.5, 0.9]));
  const vars = [w, c];
  return { A, b, vars, loss: quadraticLoss(vars, A, b), value: (p: number[]) => quadraticValue(p, A, b) };
}

test('1-D slice of a quadratic matches L(θ + αδ) in closed form, for a given and a default direction', () => {
  const { vars, loss, value } = quadraticSetup(2);
  const theta = flat(vars);
  const given = [tf.tensor2d([[1, 0.5], [-0.3, 0.2]]), tf.tensor1d([0.7, -1])];
  const res = checked(vars, 'lossLine', () => lossLine(vars, loss, { direction: given, range: [-2, 2], points: 9 }));
  const d = flat(given);
  assert.deepEqual(res.alphas, [-2, -1.5, -1, -0.5, 0, 0.5, 1, 1.5, 2]);
  res.alphas.forEach((a, i) => assertClose(res.losses[i], value(theta.map((t, k) => t + a * d[k])), 1e-5, `α=${a}`, 1e-6));

  // default direction = filterNormalizedDirection(vars, { seed })
  const dd = filterNormalizedDirection(vars, { seed: 3 });
  const dflat = flat(dd);
  const res2 = checked(vars, 'lossLine default', () => lossLine(vars, loss, { seed: 3, points: 5 }));
  res2.alphas.forEach((a, i) => assertClose(res2.losses[i], value(theta.map((t, k) => t + a * dflat[k])), 1e-5, `default α=${a}`, 1e-6));
  assert.ok(dflat.slice(4).every((x) => x === 0), 'the bias part of the default direction is zero');
  tf.dispose([...given, ...dd, ...vars]);
});

test('2-D slice of a quadratic matches the closed form; losses[i][j] is at (xs[j], ys[i])', () => {
  const { vars, loss, value } = quadraticSetup(5);
  const theta = flat(vars);
  const d1 = [tf.tensor2d([[1, 0], [0, 1]]), tf.tensor1d([0, 0.5])];
  const d2 = [tf.tensor2d([[0, -1], [0.5, 0]]), tf.tensor1d([1, 0])];
  const res = checked(vars, 'lossSurface', () => lossSurface(vars, loss, { directions: [d1, d2], xRange: [-1, 1], yRange: [0, 2], xPoints: 3, yPoints: 4 }));
  assert.deepEqual(res.xs, [-1, 0, 1]);
  assert.equal(res.ys.length, 4);
  assert.equal(res.losses.length, 4);
  const f1 = flat(d1);
  const f2 = flat(d2);
  res.ys.forEach((y, i) =>
    res.xs.forEach((x, j) => assertClose(res.losses[i][j], value(theta.map((t, k) => t + x * f1[k] + y * f2[k])), 1e-5, `(${x}, ${y})`, 1e-6)),
  );
  // default directions leave nothing behind either
  checked(vars, 'lossSurface default', () => lossSurface(vars, loss, { xPoints: 3, yPoints: 3 }));
  tf.dispose([...d1, ...d2, ...vars]);
});

test('interpolation between two points matches L((1−α)θa + αθb); endpoints are L(θa) and L(θb)', () => {
  const { vars, loss, value } = quadraticSetup(8);
  const pre = [tf.tensor2d([[0, 0.1], [0.2, 0.3]]), tf.tensor1d([1, -1])];
  const a = flat(pre);
  const b = flat(vars); // default `to`: the current values
  const res = checked(vars, 'lossInterpolation', () => lossInterpolation(vars, loss, { from: pre, range: [-0.5, 1.5], points: 5 }));
  res.alphas.forEach((al, i) => assertClose(res.losses[i], value(a.map((x, k) => (1 - al) * x + al * b[k])), 1e-5, `α=${al}`, 1e-6));
  const ends = lossInterpolation(vars, loss, { from: pre, points: 2 });
  assertClose(ends.losses[0], value(a), 1e-6, 'L(θa)', 1e-7);
  assertClose(ends.losses[1], value(b), 1e-6, 'L(θb)', 1e-7);
  // an explicit `to`
  const post = [tf.tensor2d([[1, 1], [1, 1]]), tf.tensor1d([0, 0])];
  const mid = lossInterpolation(vars, loss, { from: pre, to: post, points: 3 });
  assertClose(mid.losses[1], value(a.map((x, k) => 0.5 * x + 0.5 * flat(post)[k])), 1e-5, 'midpoint', 1e-6);
  tf.dispose([...pre, ...post, ...vars]);
});

test('landscape functions reject bad grids and mismatched directions', () => {
  const v = tf.variable(tf.ones([2, 2]));
  const loss = () => tf.sum(tf.square(v)) as tf.Scalar;
  assert.throws(() => lossLine([v], loss, { points: 1 }), /lossLine: points must be an integer >= 2 \(got 1\)/);
  assert.throws(() => lossLine([v], loss, { range: [1, -1] }), /range must be \[start, end\] with finite start < end/);
  const bad = [tf.ones([3])];
  assert.throws(() => lossLine([v], loss, { direction: bad }), /direction\[0\] has shape \[3\] but variables\[0\] has shape \[2,2\]/);
  assert.throws(() => lossSurface([v], loss, { directions: [bad, bad] }), /directions\[0\]\[0\] has shape \[3\]/);
  assert.throws(() => lossInterpolation([v], loss, {} as never), /opts\.from .* is required/);
  assert.throws(() => filterNormalizedDirection([v], { filterAxis: 'middle' as never }), /filterAxis must be 'last' or 'first'/);
  tf.dispose([v, ...bad]);
});

test('grid defaults: 21 points on [-1, 1] (line, both surface axes) and on [0, 1] (interpolation); the last point is the range end exactly', () => {
  const v = tf.variable(tf.tensor2d([[0.3, -0.2], [0.1, 0.5]]));
  const loss = () => tf.sum(tf.square(v)) as tf.Scalar;
  // Hand grid: start + step·i, step = (end − start)/20.
  const hand = (a: number, b: number) => Array.from({ length: 21 }, (_, i) => a + ((b - a) / 20) * i);
  const near = (got: number[], want: number[], what: string) => {
    assert.equal(got.length, want.length, `${what}: ${got.length} points`);
    got.forEach((x, i) => assert.ok(Math.abs(x - want[i]) < 1e-12, `${what}[${i}] = ${x}, want ${want[i]}`));
  };
  const line = checked([v], 'lossLine defaults', () => lossLine([v], loss));
  near(line.alphas, hand(-1, 1), 'line alphas');
  assert.equal(line.losses.length, 21);
  const surf = checked([v], 'lossSurface defaults', () => lossSurface([v], loss));
  near(surf.xs, hand(-1, 1), 'surface xs');
  near(surf.ys, hand(-1, 1), 'surface ys');
  assert.equal(surf.losses.length, 21);
  assert.ok(surf.losses.every((row) => row.length === 21));
  const from = [tf.zeros([2, 2])];
  const interp = checked([v], 'lossInterpolation defaults', () => lossInterpolation([v], loss, { from }));
  near(interp.alphas, hand(0, 1), 'interpolation alphas');
  // −0.1 + 3·(0.2 − (−0.1))/3 is 0.20000000000000004 in float64: the last point must be the end itself.
  const ends = lossLine([v], loss, { range: [-0.1, 0.2], points: 4 });
  assert.equal(ends.alphas[0], -0.1);
  assert.equal(ends.alphas[3], 0.2);
  const surfEnds = lossSurface([v], loss, { xRange: [-0.1, 0.2], yRange: [-0.1, 0.2], xPoints: 4, yPoints: 4 });
  assert.equal(surfEnds.xs[3], 0.2);
  assert.equal(surfEnds.ys[3], 0.2);
  tf.dispose([v, ...from]);
});

test('bad ranges, direction pairs and interpolation ends are refused naming the field', () => {
  const v = tf.variable(tf.ones([2, 2]));
  const loss = () => tf.sum(tf.square(v)) as tf.Scalar;
  const n0 = tf.memory().numTensors;
  const range = (re: RegExp) => (e: unknown) => e instanceof Error && re.test(e.message);
  assert.throws(() => lossLine([v], loss, { range: [0, 1, 2] as never }), range(/^lossLine: range must be \[start, end\] with finite start < end \(got \[0,1,2\]\)$/));
  assert.throws(() => lossLine([v], loss, { range: [0, Infinity] }), range(/^lossLine: range must be .* \(got \[0,null\]\)$/));
  assert.throws(() => lossLine([v], loss, { range: 'ab' as never }), range(/^lossLine: range must be .* \(got "ab"\)$/));
  assert.throws(() => lossSurface([v], loss, { xRange: [1, 1] }), range(/^lossSurface: xRange must be/));
  assert.throws(() => lossSurface([v], loss, { yRange: [2, 1] }), range(/^lossSurface: yRange must be/));
  const good = [tf.zeros([2, 2])];
  const bad = [tf.zeros([3])];
  assert.throws(() => lossInterpolation([v], loss, { from: good, range: [1, 0] }), range(/^lossInterpolation: range must be/));
  assert.throws(() => lossSurface([v], loss, { directions: [good] as never }), range(/^lossSurface: directions must be a pair \[δ, η\] of tensor arrays$/));
  assert.throws(() => lossSurface([v], loss, { directions: [good, bad] }), range(/^lossSurface: directions\[1\]\[0\] has shape \[3\]/));
  assert.throws(() => lossInterpolation([v], loss, undefined as never), range(/^lossInterpolation: opts\.from \(the start point θ_a, one tensor per variable\) is required$/));
  assert.throws(() => lossInterpolation([v], loss, { from: good, to: bad }), range(/^lossInterpolation: to\[0\] has shape \[3\] but variables\[0\] has shape \[2,2\]/));
  assert.throws(() => lossInterpolation([v], loss, { from: bad }), range(/^lossInterpolation: from\[0\] has shape \[3\] but variables\[0\] has shape \[2,2\]/));
  // every grid size is an integer >= 2
  assert.throws(() => lossSurface([v], loss, { xPoints: 1 }), range(/^lossSurface: xPoints must be an integer >= 2 \(got 1\)$/));
  assert.throws(() => lossSurface([v], loss, { xPoints: 2.5 }), range(/^lossSurface: xPoints must be an integer >= 2 \(got 2\.5\)$/));
  assert.throws(() => lossSurface([v], loss, { yPoints: 1 }), range(/^lossSurface: yPoints must be an integer >= 2 \(got 1\)$/));
  assert.throws(() => lossSurface([v], loss, { yPoints: 2.5 }), range(/^lossSurface: yPoints must be an integer >= 2 \(got 2\.5\)$/));
  assert.throws(() => lossInterpolation([v], loss, { from: good, points: 1 }), range(/^lossInterpolation: points must be an integer >= 2 \(got 1\)$/));
  assert.throws(() => lossInterpolation([v], loss, { from: good, points: 2.5 }), range(/^lossInterpolation: points must be an integer >= 2 \(got 2\.5\)$/));
  tf.dispose([...good, ...bad]);
  assert.equal(tf.memory().numTensors, n0);
  v.dispose();
});

test("lossSurface's default directions are the filter-normalised directions of seed and seed + 1, with the caller's direction options", () => {
  const w = tf.variable(tf.tensor2d([[0.4, -0.7, 0.3], [1.1, 0.2, -0.5]]));
  const c = tf.variable(tf.tensor1d([-0.5, 0.9, 0.1]));
  const vars = [w, c];
  // a loss that is not symmetric in the direction, so that another direction gives other values
  const loss = () => tf.tidy(() => tf.add(tf.sum(tf.mul(w, tf.tensor2d([[1, 2, 3], [4, 5, 6]]))), tf.sum(tf.square(c))) as tf.Scalar);
  const opts = { seed: 3, filterAxis: 'first' as const, oneD: 'copy' as const };
  const given: [tf.Tensor[], tf.Tensor[]] = [filterNormalizedDirection(vars, opts), filterNormalizedDirection(vars, { ...opts, seed: 4 })];
  const grid = { xPoints: 3, yPoints: 3 };
  const want = lossSurface(vars, loss, { ...grid, directions: given });
  const got = checked(vars, 'lossSurface default', () => lossSurface(vars, loss, { ...grid, ...opts }));
  got.losses.forEach((row, i) => row.forEach((x, j) => assertClose(x, want.losses[i][j], 1e-6, `(${i}, ${j})`, 1e-7)));
  tf.dispose([...given[0], ...given[1], ...vars]);
});
