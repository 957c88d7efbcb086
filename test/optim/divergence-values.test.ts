/**
 * KL, L2 and MMD against values computed independently of the library: by hand (closed forms written in the
 * test) and in float64 from the definitions (paper Eqs. 4–5, Appendix C.5; shared/reference/tram-paper.md):
 *   KL(p‖q) = Σ_c p_c (log p_c − log q_c), p = softmax(target), q = softmax(current); batchmean = mean over
 *     positions (masked positions left out); official = mean / C / B.
 *   L2 = mean over positions of ‖current − target‖₂ on raw logits; official = that / B.
 *   MMD = mean(Kxx + Kyy − 2Kxy), K = Σ_{k ∈ {0.1,0.2,0.5,1,2,5,10}} kernel_k(D), D = squared distances of rows;
 *     official = that / B.
 * Each check runs on cpu and wasm; float32 against float64 within rtol 1e-5 (atol 1e-6).
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { klDivergence, l2Distance, mmd, divergence } from '../../kernel/optim';
import { BACKENDS, useBackend } from './fixtures';

type M = number[][];
const BW = [0.1, 0.2, 0.5, 1, 2, 5, 10];

function softmax64(row: number[]): number[] {
  const m = Math.max(...row);
  const e = row.map((v) => Math.exp(v - m));
  const s = e.reduce((a, b) => a + b, 0);
  return e.map((v) => v / s);
}
function kl64(a: number[], b: number[]): number {
  const p = softmax64(a);
  const q = softmax64(b);
  return p.reduce((s, pc, c) => s + pc * (Math.log(pc) - Math.log(q[c])), 0);
}
const l2row64 = (a: number[], b: number[]) => Math.sqrt(a.reduce((s, v, c) => s + (b[c] - v) ** 2, 0));
const sq64 = (a: number[], b: number[]) => a.reduce((s, v, c) => s + (v - b[c]) ** 2, 0);
const kern64: Record<string, (d: number, k: number) => number> = {
  imq: (d, k) => k / (k + d),
  imq2: (d, k) => 1 / Math.sqrt(k * k + d),
  imq3: (d, k) => (k * k) / (k * k + d),
  rbf: (d, k) => Math.exp(-d / (2 * k)),
};
function mmd64(x: M, y: M, kernel: string): number {
  const K = (a: number[], b: number[]) => BW.reduce((s, k) => s + kern64[kernel](sq64(a, b), k), 0);
  let total = 0;
  for (let i = 0; i < x.length; i++) for (let j = 0; j < x.length; j++) total += K(x[i], x[j]) + K(y[i], y[j]) - 2 * K(x[i], y[j]);
  return total / (x.length * x.length);
}
/** A deterministic pseudo-random matrix (LCG), independent of tf's RNG. */
function mat(rows: number, cols: number, seed: number, scale = 2): M {
  let s = seed >>> 0;
  const next = () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32 - 0.5) * 2 * scale;
  return Array.from({ length: rows }, () => Array.from({ length: cols }, next));
}
const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;

function close(got: number, want: number, what: string, rtol = 1e-5, atol = 1e-6): void {
  assert.ok(Number.isFinite(got), `${what}: got ${got}`);
  assert.ok(Math.abs(got - want) <= atol + rtol * Math.abs(want), `${what}: got ${got}, want ${want} (diff ${Math.abs(got - want)})`);
}
/** Runs f on fresh tensors and checks it leaks none. */
function value(f: () => tf.Scalar): number {
  const before = tf.memory().numTensors;
  const v = tf.tidy(() => f().dataSync()[0]);
  assert.equal(tf.memory().numTensors, before, 'tensors leaked');
  return v;
}

for (const backend of BACKENDS) {
  describe(`divergence values on ${backend}`, () => {
    it('backend starts', async () => {
      assert.ok(await useBackend(backend), `${backend} did not initialise`);
    });

    it('KL by hand: p = (1/2, 1/2), q = (3/4, 1/4)', () => {
      // forward: ½ln(½/¾) + ½ln(½/¼) = ½ln(4/3); reverse: ¾ln(¾/½) + ¼ln(¼/½) = ¾ln(3/2) − ¼ln 2.
      const t = () => tf.tensor2d([[0, 0]]);
      const c = () => tf.tensor2d([[Math.log(3), 0]]);
      const fwd = 0.5 * Math.log(4 / 3);
      const rev = 0.75 * Math.log(1.5) - 0.25 * Math.log(2);
      close(value(() => klDivergence(t(), c(), 'forward')), fwd, 'forward');
      close(value(() => klDivergence(t(), c(), 'reverse')), rev, 'reverse');
      close(value(() => klDivergence(t(), c(), 'symmetric')), fwd + rev, 'symmetric');
      // official with B = 1, C = 2: KL / 2.
      close(value(() => klDivergence(t(), c(), 'forward', 'official')), fwd / 2, 'official');
    });

    it('KL on [B, C] and masked [B, T, C] logits equals the float64 definition', () => {
      const a = mat(5, 4, 11);
      const b = mat(5, 4, 12);
      const rows = a.map((r, i) => kl64(r, b[i]));
      const back = a.map((r, i) => kl64(b[i], r));
      close(value(() => klDivergence(tf.tensor2d(a), tf.tensor2d(b))), mean(rows), 'forward batchmean');
      close(value(() => klDivergence(tf.tensor2d(a), tf.tensor2d(b), 'reverse')), mean(back), 'reverse batchmean');
      close(value(() => divergence({ kind: 'kl', direction: 'symmetric' }, tf.tensor2d(a), tf.tensor2d(b))), mean(rows) + mean(back), 'symmetric');
      close(value(() => klDivergence(tf.tensor2d(a), tf.tensor2d(b), 'forward', 'official')), mean(rows) / 4 / 5, 'official = mean / C / B');
      // [B=2, T=3, C=4] with the last position of the second sequence masked out.
      const a3 = [mat(3, 4, 21), mat(3, 4, 22)];
      const b3 = [mat(3, 4, 23), mat(3, 4, 24)];
      const mask = [[1, 1, 1], [1, 1, 0]];
      const kept: number[] = [];
      for (let i = 0; i < 2; i++) for (let t = 0; t < 3; t++) if (mask[i][t]) kept.push(kl64(a3[i][t], b3[i][t]));
      close(value(() => klDivergence(tf.tensor3d(a3), tf.tensor3d(b3), 'forward', 'batchmean', tf.tensor2d(mask))), mean(kept), 'masked batchmean');
    });

    it('L2 by hand (3-4-5) and on random logits, plain and masked', () => {
      close(value(() => l2Distance(tf.tensor2d([[0, 0], [1, 1]]), tf.tensor2d([[3, 4], [1, 1]]))), 2.5, 'mean of 5 and 0');
      close(value(() => l2Distance(tf.tensor2d([[0, 0], [1, 1]]), tf.tensor2d([[3, 4], [1, 1]]), 'official')), 1.25, 'official = mean / B');
      const a = mat(6, 3, 31);
      const b = mat(6, 3, 32);
      close(value(() => divergence({ kind: 'l2' }, tf.tensor2d(a), tf.tensor2d(b))), mean(a.map((r, i) => l2row64(r, b[i]))), 'random batchmean');
      const mask = [1, 0, 1, 1, 0, 1];
      const kept = a.map((r, i) => l2row64(r, b[i])).filter((_, i) => mask[i]);
      close(value(() => l2Distance(tf.tensor2d(a), tf.tensor2d(b), 'batchmean', tf.tensor1d(mask))), mean(kept), 'masked');
    });

    it('MMD by hand: one row each, x = (0, 0), y = (3, 4)', () => {
      // Kxx = Kyy = Σ_k kernel_k(0); Kxy = Σ_k kernel_k(25). imq2: Σ 1/k and Σ (k² + 25)^−½.
      const imq2 = 2 * BW.reduce((s, k) => s + 1 / k, 0) - 2 * BW.reduce((s, k) => s + 1 / Math.sqrt(k * k + 25), 0);
      close(value(() => mmd(tf.tensor2d([[0, 0]]), tf.tensor2d([[3, 4]]))), imq2, 'imq2 (default)');
      // rbf: Kxx = Kyy = 7; Kxy = Σ exp(−25 / 2k).
      const rbf = 14 - 2 * BW.reduce((s, k) => s + Math.exp(-25 / (2 * k)), 0);
      close(value(() => mmd(tf.tensor2d([[0, 0]]), tf.tensor2d([[3, 4]]), 'rbf')), rbf, 'rbf');
    });

    it('MMD with every kernel on random [B, C] logits equals the float64 definition; official divides by B', () => {
      const x = mat(4, 3, 41, 1);
      const y = mat(4, 3, 42, 1);
      for (const kernel of ['imq', 'imq2', 'imq3', 'rbf'] as const) {
        const want = mmd64(x, y, kernel);
        close(value(() => mmd(tf.tensor2d(x), tf.tensor2d(y), kernel)), want, `mmd ${kernel}`, 1e-4, 1e-5);
        close(value(() => divergence({ kind: 'mmd', kernel, reduction: 'official' }, tf.tensor2d(x), tf.tensor2d(y))), want / 4, `mmd ${kernel} official`, 1e-4, 1e-5);
      }
      // Identical inputs: exactly no discrepancy.
      close(value(() => mmd(tf.tensor2d(x), tf.tensor2d(x))), 0, 'mmd(x, x)', 0, 1e-5);
    });
  });
}
