import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mean, sd, pairedTTest, studentTwoSidedP, logGamma, pearson, holm } from '../../kernel/experiments/stats';

const close = (got: number, want: number, tol: number) => assert.ok(Math.abs(got - want) <= tol, `got ${got}, want ${want} ± ${tol}`);

test('mean and sample sd of a hand-computed list', () => {
  // 2, 4, 4, 4, 5, 5, 7, 9: mean 5, squared deviations sum to 32, sample variance 32/7
  close(mean([2, 4, 4, 4, 5, 5, 7, 9]), 5, 1e-12);
  close(sd([2, 4, 4, 4, 5, 5, 7, 9]), Math.sqrt(32 / 7), 1e-12);
});

test('paired t-test, 3 pairs, hand-computed', () => {
  // differences 1, 2, 3: mean 2, sd 1, t = 2/(1/√3) = 2√3, df 2.
  // For df = 2 the t CDF is 1/2 + t/(2√(t²+2)), so p = 1 − t/√(t²+2) = 1 − 2√3/√14.
  const r = pairedTTest([11, 12, 13], [10, 10, 10]);
  close(r.t, 2 * Math.sqrt(3), 1e-12);
  assert.equal(r.df, 2);
  close(r.p, 1 - (2 * Math.sqrt(3)) / Math.sqrt(14), 1e-10);
  close(r.p, 0.07418, 1e-5);
});

test('paired t-test, 2 pairs: df 1 is the Cauchy distribution', () => {
  // differences 1, 3: mean 2, sd √2, se 1, t = 2; p = 1 − (2/π)·atan(2)
  const r = pairedTTest([1, 3], [0, 0]);
  close(r.t, 2, 1e-12);
  close(r.p, 1 - (2 / Math.PI) * Math.atan(2), 1e-10);
});

test('t distribution tail matches the normal for large df and a textbook value', () => {
  // t = 2.228 is the two-sided 5 % critical value for df = 10
  close(studentTwoSidedP(2.228, 10), 0.05, 2e-4);
  close(studentTwoSidedP(1.959964, 1e6), 0.05, 1e-5);
  close(studentTwoSidedP(0, 5), 1, 1e-12);
});

test('logGamma on integers and a half-integer', () => {
  close(logGamma(5), Math.log(24), 1e-12);
  close(logGamma(0.5), 0.5 * Math.log(Math.PI), 1e-12);
});

test('pearson of a line and its mirror', () => {
  close(pearson([1, 2, 3, 4], [2, 4, 6, 8]), 1, 1e-12);
  close(pearson([1, 2, 3, 4], [8, 6, 4, 2]), -1, 1e-12);
});

test('bad input gets a clear error', () => {
  assert.throws(() => pairedTTest([1, 2], [1]), /same number of runs/);
  assert.throws(() => pairedTTest([1], [1]), /at least 2 pairs/);
  assert.throws(() => mean([]), /empty/);
});

test('Holm adjustment, hand-computed', () => {
  // p = 0.01, 0.04, 0.03, 0.005 (m = 4). Sorted: 0.005·4 = 0.02; 0.01·3 = 0.03; 0.03·2 = 0.06; 0.04·1 = 0.04,
  // raised to the running maximum 0.06. Back in input order: 0.03, 0.06, 0.06, 0.02.
  const got = holm([0.01, 0.04, 0.03, 0.005]);
  [0.03, 0.06, 0.06, 0.02].forEach((w, i) => close(got[i], w, 1e-12));
  // at α = 0.05 only the 2 smallest survive although all 4 raw p are below 0.05
  assert.deepEqual(got.map((p) => p < 0.05), [true, false, false, true]);
  // NaN (undefined test) is left out of the family: m = 2 here
  const n = holm([NaN, 0.2, 0.6]);
  assert.ok(Number.isNaN(n[0]));
  close(n[1], 0.4, 1e-12);
  close(n[2], 0.6, 1e-12);
  // capped at 1
  assert.deepEqual(holm([0.5, 0.6]), [1, 1]);
  assert.deepEqual(holm([]), []);
  assert.throws(() => holm([0.1, 1.5]), /p-values must lie in \[0, 1\] or be NaN \(got 1.5\)/);
});
