/**
 * Helpers to run the same computation on the cpu and wasm backends from the same seeded data and
 * compare the results (float32 tolerance relative to the largest magnitude).
 */
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';

/** Deterministic uniform numbers in [-1, 1) (a 32-bit LCG), independent of any backend. */
export function seeded(seed: number): () => number {
  let s = seed >>> 0 || 1;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 31 - 1;
  };
}

export function randomArray(n: number, rand: () => number): Float32Array {
  const a = new Float32Array(n);
  for (let i = 0; i < n; i++) a[i] = rand();
  return a;
}

/** Runs `f` on `backend`; returns its outputs as arrays and checks that no tensor leaked. */
export function on(backend: 'cpu' | 'wasm', f: () => tf.Tensor | tf.Tensor[]): { values: Float32Array[]; shapes: number[][] } {
  assert.ok(tf.setBackend(backend), `setBackend(${backend})`);
  const before = tf.memory().numTensors;
  const out = tf.tidy(f);
  const list = Array.isArray(out) ? out : [out];
  const values = list.map((t) => Float32Array.from(t.dataSync()));
  const shapes = list.map((t) => t.shape);
  tf.dispose(list);
  assert.equal(tf.memory().numTensors, before, `${backend}: tensors leaked`);
  return { values, shapes };
}

/** Asserts max |a − b| ≤ tol · max(1, max |b|) elementwise, with equal shapes. */
export function assertClose(got: { values: Float32Array[]; shapes: number[][] }, want: { values: Float32Array[]; shapes: number[][] }, tol: number, what: string): void {
  assert.deepEqual(got.shapes, want.shapes, `${what}: shapes`);
  for (let i = 0; i < want.values.length; i++) {
    const a = got.values[i];
    const b = want.values[i];
    let worst = 0;
    let scale = 0;
    for (let j = 0; j < b.length; j++) {
      worst = Math.max(worst, Math.abs(a[j] - b[j]));
      scale = Math.max(scale, Math.abs(b[j]));
      if (Number.isNaN(a[j]) !== Number.isNaN(b[j])) assert.fail(`${what}[${i}]: NaN mismatch at ${j}`);
    }
    assert.ok(worst <= tol * Math.max(1, scale), `${what}[${i}]: max |wasm − cpu| = ${worst} (scale ${scale}, tol ${tol})`);
  }
}
