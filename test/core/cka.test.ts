import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../../kernel/backend';
import { linearCka as linearCkaTensor, linearCkaValue as linearCka, InputError } from '../../kernel/core';
import { assertClose, matMul, randomMatrix, randomOrthogonal, rng, transpose } from '../analysis/helpers';
import { testBackend } from '../native-rerun';

// Vendored in the repository (test/golden/cases); a missing file fails the test, it is never skipped.
const GOLDEN = path.resolve(__dirname, '../../../test/golden/cases/divergences.json');

before(async () => {
  await initBackend({ prefer: testBackend('wasm'), env: {} });
});

/** Independent float64 reference straight from the definition. */
function ckaReference(x: number[][], y: number[][]): number {
  const centre = (m: number[][]) => {
    const mean = m[0].map((_, j) => m.reduce((s, r) => s + r[j], 0) / m.length);
    return m.map((r) => r.map((v, j) => v - mean[j]));
  };
  const fro2 = (m: number[][]) => m.reduce((s, r) => s + r.reduce((t, v) => t + v * v, 0), 0);
  const xc = centre(x);
  const yc = centre(y);
  return fro2(matMul(transpose(yc), xc)) / Math.sqrt(fro2(matMul(transpose(xc), xc)) * fro2(matMul(transpose(yc), yc)));
}

test('linear CKA matches the golden cases', () => {
  assert.ok(existsSync(GOLDEN), `golden file ${GOLDEN} is missing: the cases live in test/golden/cases (copied from shared/golden/cases)`);
  const g = JSON.parse(readFileSync(GOLDEN, 'utf8')) as { linearCka: { x: number[][]; y: number[][]; expected: number }[]; tolerance: { rtol: number; atol: number } };
  assert.ok(g.linearCka.length > 0);
  for (const [i, c] of g.linearCka.entries()) {
    assertClose(linearCka(c.x, c.y), c.expected, g.tolerance.rtol, `golden linearCka[${i}]`, g.tolerance.atol);
  }
});

test('both evaluation forms (features and Gram) agree with a float64 reference', () => {
  const r = rng(7);
  // n ≫ d: feature form; n ≪ d: Gram form
  for (const [n, d1, d2] of [[60, 5, 3], [6, 40, 50], [12, 12, 12]]) {
    const x = randomMatrix(r, n, d1);
    const y = randomMatrix(r, n, d2).map((row, i) => row.map((v, j) => v + 0.5 * x[i][j % d1]));
    assertClose(linearCka(x, y), ckaReference(x, y), 1e-5, `n=${n} d1=${d1} d2=${d2}`);
  }
});

test('CKA(X, X·Q) = 1 for an orthogonal Q, and CKA is invariant to isotropic scaling', () => {
  const r = rng(11);
  const x = randomMatrix(r, 30, 8);
  const q = randomOrthogonal(r, 8);
  assertClose(linearCka(x, matMul(x, q)), 1, 1e-5, 'rotation');
  assertClose(linearCka(x, x), 1, 1e-6, 'identity');
  const y = randomMatrix(r, 30, 5);
  const base = linearCka(x, y);
  assert.ok(base < 0.9, 'unrelated features must not look identical');
  assertClose(linearCka(x.map((row) => row.map((v) => 3.7 * v)), y), base, 1e-5, 'scaling x');
  assertClose(linearCka(x, y.map((row) => row.map((v) => 0.01 * v))), base, 1e-5, 'scaling y');
  // and invariance to a per-column offset (the centring)
  assertClose(linearCka(x.map((row) => row.map((v, j) => v + j * 10)), y), base, 1e-4, 'offset');
});

test('takes tensors, leaves numTensors unchanged, and rejects bad input with the reason', () => {
  const r = rng(3);
  const x = tf.tensor2d(randomMatrix(r, 10, 4));
  const y = tf.tensor2d(randomMatrix(r, 10, 6));
  const n = tf.memory().numTensors;
  const v = linearCka(x, y);
  assert.equal(tf.memory().numTensors, n);
  assertClose(v, ckaReference(x.arraySync(), y.arraySync()), 1e-5, 'tensor input');
  assert.throws(() => linearCka(x, tf.zeros([9, 6])), /same number of rows \(examples\), got 10 and 9/);
  assert.throws(() => linearCka(tf.ones([10, 4]), y), /x has no variance/);
  assert.throws(() => linearCka(tf.ones([2, 3, 4]), y), /must be a matrix \[n, d\].*got shape \[2,3,4\]/);
  assert.throws(() => linearCka([[1, 2]], [[3, 4]]), /at least 2 examples/);
  tf.dispose([x, y]);
});

test('the tensor form equals the number form, frees nothing it was given, and is NaN without variance', () => {
  const r = rng(5);
  for (const [n, d1, d2] of [[12, 3, 5], [4, 30, 20]]) {
    const xs = randomMatrix(r, n, d1);
    const ys = randomMatrix(r, n, d2);
    const x = tf.tensor2d(xs);
    const y = tf.tensor2d(ys);
    const before = tf.memory().numTensors;
    const t = linearCkaTensor(x, y);
    assert.equal(t.rank, 0);
    assert.equal(tf.memory().numTensors, before + 1, 'only the result is new');
    assert.ok(!x.isDisposed && !y.isDisposed, 'arguments are not freed');
    assertClose(t.dataSync()[0], ckaReference(xs, ys), 1e-5, `tensor form n=${n}`);
    tf.dispose([t, x, y]);
  }
  const flat = linearCkaTensor(tf.ones([6, 2]), tf.tensor2d(randomMatrix(r, 6, 3)));
  assert.ok(Number.isNaN(flat.dataSync()[0]));
  flat.dispose();
  assert.throws(() => linearCka([[1, 2]], [[3, 4]]), InputError);
});
