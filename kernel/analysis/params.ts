/**
 * What every analysis needs from a set of parameters θ = (θ₁ … θ_k), given as `tf.Variable`s that a
 * loss closure reads, beyond kernel/core (checks, snapshot/restore, norms): evaluating the loss at θ + δ, its
 * gradient there, and seeded Gaussian tensors.
 */
import * as tf from '@tensorflow/tfjs';
import { InputError } from '../core';

export type Loss = () => tf.Scalar;

/** θᵢ ← baseᵢ + Σⱼ cⱼ·dⱼᵢ for the given (coefficient, direction) pairs. */
export function assignCombination(variables: readonly tf.Variable[], base: readonly tf.Tensor[], terms: ReadonlyArray<[number, readonly tf.Tensor[]]>): void {
  tf.tidy(() => {
    variables.forEach((v, i) => {
      let x: tf.Tensor = base[i];
      for (const [c, d] of terms) if (c !== 0) x = tf.add(x, tf.mul(d[i], c));
      v.assign(x);
    });
  });
}

/** L at the variables' current values, as a number (read outside the tidy). */
export function lossValue(fn: string, loss: () => tf.Scalar): number {
  const t = tf.tidy(() => {
    const l = loss();
    if (!l || typeof (l as tf.Tensor).dataSync !== 'function') throw new InputError(`${fn}: the loss function must return a tf.Scalar (got ${typeof l})`);
    if (l.size !== 1) throw new InputError(`${fn}: the loss function must return a scalar (got shape [${l.shape}]): reduce it, e.g. with tf.mean`);
    return l;
  });
  const v = t.dataSync()[0];
  t.dispose();
  return v;
}

/**
 * ∇L at the variables' current values, one tensor per variable (zeros where the loss does not
 * depend on a variable), and L itself. The caller owns the returned tensors.
 */
export function gradient(fn: string, variables: readonly tf.Variable[], loss: () => tf.Scalar): { value: number; grads: tf.Tensor[] } {
  const out = tf.tidy(() => {
    let r: { value: tf.Scalar; grads: tf.NamedTensorMap };
    try {
      r = tf.variableGrads(loss, variables as tf.Variable[]);
    } catch (e) {
      throw new InputError(`${fn}: cannot differentiate the loss with respect to the variables (${(e as Error).message.split('\n')[0]}): the loss closure must compute its value from these variables`);
    }
    const grads = variables.map((v) => r.grads[v.name] ?? tf.zerosLike(v));
    return { value: r.value, grads };
  });
  const value = out.value.dataSync()[0];
  out.value.dispose();
  return { value, grads: out.grads };
}

/** Deterministic uniform [0, 1) generator (mulberry32) from an integer seed. */
export function uniformGenerator(seed: number): () => number {
  let s = (Math.floor(seed) ^ 0x9e3779b9) >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * Standard normal tensors shaped like `shapes`, from one seeded stream (Box–Muller): the same
 * seed gives the same numbers on every backend.
 */
export function seededNormals(shapes: ReadonlyArray<readonly number[]>, seed: number): tf.Tensor[] {
  const u = uniformGenerator(seed);
  let spare: number | undefined;
  const next = (): number => {
    if (spare !== undefined) {
      const s = spare;
      spare = undefined;
      return s;
    }
    const u1 = 1 - u();
    const u2 = u();
    const r = Math.sqrt(-2 * Math.log(u1));
    spare = r * Math.sin(2 * Math.PI * u2);
    return r * Math.cos(2 * Math.PI * u2);
  };
  return shapes.map((shape) => {
    const n = shape.reduce((a, b) => a * b, 1);
    const data = new Float32Array(n);
    for (let i = 0; i < n; i++) data[i] = next();
    return tf.tensor(data, shape as number[], 'float32');
  });
}
