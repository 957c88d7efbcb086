/**
 * SAM steps against a float64 reference written here from the definition (FORMAT.md `sam`; Foret et al.),
 * independent of the library, on softmax regression where every gradient has a closed form:
 *   logits = x·W + b,  L = mean_i CE(softmax(logits_i), y_i),
 *   ∂L/∂logits = (softmax − onehot(y)) / B,  ∂L/∂W = xᵀ·∂L/∂logits,  ∂L/∂b = Σ_rows ∂L/∂logits.
 *   SAM: g = ∇L(θ); ε = ρ·g/(‖g‖ + 1e-12) (‖·‖ over W and b together); θ ← θ − lr·∇L(θ + ε).
 *   m-sharpness (batchSplits = n): each of the n equal slices of the batch gets its own ε from its own gradient;
 *   θ ← θ − lr·mean_k ∇L_k(θ + ε_k).
 * Replaces "batchSplits = 1 equals the plain step", which compared the library with itself. Every step leaves
 * tf.memory().numTensors unchanged.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { createOptimizer, fromFunction } from '../../kernel/optim';
import { BACKENDS, useBackend } from './fixtures';

type M = number[][];
interface Params { W: M; b: number[] }

function grad64(p: Params, x: M, y: number[]): Params {
  const B = x.length;
  const C = p.b.length;
  const gW = p.W.map((r) => r.map(() => 0));
  const gb = p.b.map(() => 0);
  for (let i = 0; i < B; i++) {
    const z = p.b.map((bc, c) => bc + x[i].reduce((s, xv, k) => s + xv * p.W[k][c], 0));
    const m = Math.max(...z);
    const e = z.map((v) => Math.exp(v - m));
    const s = e.reduce((a, v) => a + v, 0);
    for (let c = 0; c < C; c++) {
      const d = (e[c] / s - (y[i] === c ? 1 : 0)) / B;
      gb[c] += d;
      for (let k = 0; k < x[i].length; k++) gW[k][c] += x[i][k] * d;
    }
  }
  return { W: gW, b: gb };
}
const axpy = (p: Params, a: number, g: Params): Params => ({ W: p.W.map((r, k) => r.map((v, c) => v + a * g.W[k][c])), b: p.b.map((v, c) => v + a * g.b[c]) });
const norm = (g: Params) => Math.sqrt(g.W.flat().reduce((s, v) => s + v * v, 0) + g.b.reduce((s, v) => s + v * v, 0));
const avg = (gs: Params[]): Params => ({ W: gs[0].W.map((r, k) => r.map((_, c) => gs.reduce((s, g) => s + g.W[k][c], 0) / gs.length)), b: gs[0].b.map((_, c) => gs.reduce((s, g) => s + g.b[c], 0) / gs.length) });

function samStep64(p: Params, x: M, y: number[], rho: number, lr: number, splits: number): Params {
  const n = x.length / splits;
  const hs: Params[] = [];
  for (let k = 0; k < splits; k++) {
    const xs = x.slice(k * n, (k + 1) * n);
    const ys = y.slice(k * n, (k + 1) * n);
    const g = grad64(p, xs, ys);
    const eps = axpy({ W: g.W.map((r) => r.map(() => 0)), b: g.b.map(() => 0) }, rho / (norm(g) + 1e-12), g);
    hs.push(grad64(axpy(p, 1, eps), xs, ys));
  }
  return axpy(p, -lr, avg(hs));
}

/** Deterministic data (LCG), independent of tf's RNG. */
function lcg(seed: number) {
  let s = seed >>> 0;
  return () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32) * 2 - 1;
}
const D = 3;
const C = 4;
const B = 8;
const r = lcg(7);
const X: M = Array.from({ length: B }, () => Array.from({ length: D }, r));
const Y = Array.from({ length: B }, (_, i) => (i * 3 + 1) % C);
const P0: Params = { W: Array.from({ length: D }, () => Array.from({ length: C }, () => r() * 0.5)), b: Array.from({ length: C }, () => r() * 0.1) };

function maxRelErr(got: Params, want: Params): number {
  const g = [...got.W.flat(), ...got.b];
  const w = [...want.W.flat(), ...want.b];
  return Math.max(...g.map((v, i) => Math.abs(v - w[i]) / (1e-6 + Math.abs(w[i]))));
}

function runLibrary(splits: number, steps: number, rho: number, lr: number): { params: Params; leaked: number[] } {
  const W = tf.variable(tf.tensor2d(P0.W), true, 'samref_W');
  const b = tf.variable(tf.tensor1d(P0.b), true, 'samref_b');
  const model = fromFunction([W, b], (x) => tf.add(tf.matMul(x, W), b));
  const opt = createOptimizer({ name: 'sam', rho }, tf.train.sgd(lr), { batchSplits: splits });
  const x = tf.tensor2d(X);
  const y = tf.tensor1d(Y, 'int32');
  const leaked: number[] = [];
  for (let t = 0; t < steps; t++) {
    const before = tf.memory().numTensors;
    opt.step(model, { x, y });
    leaked.push(tf.memory().numTensors - before);
  }
  const params = { W: W.arraySync() as M, b: b.arraySync() as number[] };
  [x, y, W, b].forEach((v) => v.dispose());
  opt.dispose();
  return { params, leaked };
}

for (const backend of BACKENDS) {
  describe(`SAM against the float64 reference on ${backend}`, () => {
    it('backend starts', async () => {
      assert.ok(await useBackend(backend), `${backend} did not initialise`);
    });

    for (const splits of [1, 2]) {
      it(`three SAM steps with batchSplits = ${splits} match the reference`, () => {
        const rho = 0.3;
        const lr = 0.5;
        let want = P0;
        for (let t = 0; t < 3; t++) want = samStep64(want, X, Y, rho, lr, splits);
        const { params, leaked } = runLibrary(splits, 3, rho, lr);
        const err = maxRelErr(params, want);
        assert.ok(err < 1e-4, `max relative error ${err}`);
        assert.deepEqual(leaked, [0, 0, 0], 'tensors left behind by each step');
      });
    }

    it('the reference tells the two apart: one split and two splits give different weights', () => {
      // Guards the check above against a reference (or library) that ignores batchSplits.
      const one = samStep64(P0, X, Y, 0.3, 0.5, 1);
      const two = samStep64(P0, X, Y, 0.3, 0.5, 2);
      assert.ok(maxRelErr(two, one) > 1e-3);
      const lib2 = runLibrary(2, 1, 0.3, 0.5).params;
      assert.ok(maxRelErr(lib2, two) < 1e-4 && maxRelErr(lib2, one) > 1e-3);
    });
  });
}
