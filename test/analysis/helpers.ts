/** Shared test helpers: float64 reference math, quadratic losses, bit-exact snapshots. */
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';

/** Deterministic uniform generator for test data (independent of the library's). */
export function rng(seed: number): () => number {
  let s = seed >>> 0 || 1;
  return () => {
    s ^= s << 13; s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5; s >>>= 0;
    return s / 4294967296;
  };
}

export function randomMatrix(r: () => number, rows: number, cols: number): number[][] {
  return Array.from({ length: rows }, () => Array.from({ length: cols }, () => 2 * r() - 1));
}

export function matMul(a: number[][], b: number[][]): number[][] {
  return a.map((row) => b[0].map((_, j) => row.reduce((s, x, k) => s + x * b[k][j], 0)));
}

export function transpose(a: number[][]): number[][] {
  return a[0].map((_, j) => a.map((row) => row[j]));
}

/** Orthonormal Q (n×n) by Gram–Schmidt on a random matrix, in float64. */
export function randomOrthogonal(r: () => number, n: number): number[][] {
  const cols: number[][] = [];
  while (cols.length < n) {
    let v = Array.from({ length: n }, () => 2 * r() - 1);
    for (const c of cols) {
      const p = c.reduce((s, x, i) => s + x * v[i], 0);
      v = v.map((x, i) => x - p * c[i]);
    }
    const norm = Math.hypot(...v);
    if (norm > 1e-6) cols.push(v.map((x) => x / norm));
  }
  return transpose(cols);
}

/** A = Q diag(λ) Qᵀ: a symmetric matrix with known eigenvalues. */
export function symmetricWithEigenvalues(r: () => number, eigenvalues: number[]): number[][] {
  const q = randomOrthogonal(r, eigenvalues.length);
  const qd = q.map((row) => row.map((x, j) => x * eigenvalues[j]));
  const a = matMul(qd, transpose(q));
  return a.map((row, i) => row.map((_, j) => (a[i][j] + a[j][i]) / 2));
}

/** Eigenvalues of a symmetric matrix by cyclic Jacobi rotations (float64). */
export function symmetricEigenvalues(m: number[][]): number[] {
  const a = m.map((row) => [...row]);
  const n = a.length;
  for (let sweep = 0; sweep < 100; sweep++) {
    let off = 0;
    for (let p = 0; p < n; p++) for (let q = p + 1; q < n; q++) off += a[p][q] ** 2;
    if (off < 1e-22) break;
    for (let p = 0; p < n; p++) {
      for (let q = p + 1; q < n; q++) {
        if (Math.abs(a[p][q]) < 1e-300) continue;
        const theta = (a[q][q] - a[p][p]) / (2 * a[p][q]);
        const t = Math.sign(theta || 1) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
        const c = 1 / Math.sqrt(t * t + 1);
        const s = t * c;
        for (let k = 0; k < n; k++) {
          const akp = a[k][p], akq = a[k][q];
          a[k][p] = c * akp - s * akq;
          a[k][q] = s * akp + c * akq;
        }
        for (let k = 0; k < n; k++) {
          const apk = a[p][k], aqk = a[q][k];
          a[p][k] = c * apk - s * aqk;
          a[q][k] = s * apk + c * aqk;
        }
      }
    }
  }
  return a.map((row, i) => row[i]);
}

/** All parameters as one flat float64 vector. */
export function flat(variables: readonly tf.Tensor[]): number[] {
  return variables.flatMap((v) => Array.from(v.dataSync()));
}

/** ½ θᵀAθ − bᵀθ over the variables concatenated (float32 in tf). */
export function quadraticLoss(variables: readonly tf.Variable[], a: number[][], b?: number[]): () => tf.Scalar {
  const A = tf.tensor2d(a);
  const B = b ? tf.tensor1d(b) : undefined;
  tf.keep(A);
  if (B) tf.keep(B);
  return () =>
    tf.tidy(() => {
      const theta = tf.concat(variables.map((v) => tf.reshape(v, [-1])));
      const q = tf.mul(0.5, tf.sum(tf.mul(theta, tf.squeeze(tf.matMul(A, tf.reshape(theta, [-1, 1]))))));
      return (B ? tf.sub(q, tf.sum(tf.mul(B, theta))) : q) as tf.Scalar;
    });
}

/** Float64 value of ½ θᵀAθ − bᵀθ. */
export function quadraticValue(theta: number[], a: number[][], b?: number[]): number {
  let q = 0;
  for (let i = 0; i < theta.length; i++) for (let j = 0; j < theta.length; j++) q += 0.5 * theta[i] * a[i][j] * theta[j];
  return b ? q - b.reduce((s, x, i) => s + x * theta[i], 0) : q;
}

/** Raw bits of every variable, to compare before/after bit for bit. */
export function bits(variables: readonly tf.Tensor[]): Uint32Array[] {
  return variables.map((v) => new Uint32Array(new Float32Array(v.dataSync()).buffer));
}

export function assertSameBits(before: Uint32Array[], variables: readonly tf.Tensor[], what: string): void {
  const after = bits(variables);
  before.forEach((b, i) => assert.deepEqual(after[i], b, `${what}: variables[${i}] was not restored bit-exactly`));
}

/**
 * Runs `f` and checks it leaves numTensors unchanged and restores the variables bit-exactly.
 * Returns f's result.
 */
export function checked<T>(variables: readonly tf.Tensor[], what: string, f: () => T): T {
  const before = bits(variables);
  const n = tf.memory().numTensors;
  const out = f();
  assert.equal(tf.memory().numTensors, n, `${what}: numTensors changed`);
  assertSameBits(before, variables, what);
  return out;
}

export function assertClose(got: number, want: number, rtol: number, what: string, atol = 0): void {
  assert.ok(Math.abs(got - want) <= atol + rtol * Math.abs(want), `${what}: got ${got}, want ${want} (rtol ${rtol}, atol ${atol})`);
}

/** diag(a) as a dense matrix. */
export const diag = (a: number[]) => a.map((x, i) => a.map((_, j) => (i === j ? x : 0)));

/** An assert.throws matcher: an InputError whose message matches `re`. */
export const inputError = (re: RegExp) => (e: unknown) => {
  assert.ok(e instanceof Error && e.name === 'InputError', `expected an InputError, got ${String(e)}`);
  assert.match((e as Error).message, re);
  return true;
};
