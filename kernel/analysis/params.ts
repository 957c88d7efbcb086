/**
 * What every analysis needs from a set of parameters θ = (θ₁ … θ_k), given as `tf.Variable`s
 * that a loss closure reads: checks, a bit-exact snapshot/restore, evaluating the loss at
 * θ + δ, its gradient there, and seeded Gaussian tensors.
 *
 * Restoring assigns the saved tensors themselves (tfjs data buffers are immutable), so θ comes
 * back bit for bit, never as θ + δ − δ.
 */
import * as tf from '@tensorflow/tfjs';

export type Loss = () => tf.Scalar;

/** Throws a clear error unless `variables` is a non-empty array of float32 variables. */
export function checkVariables(fn: string, variables: readonly tf.Variable[]): void {
  if (!Array.isArray(variables) || variables.length === 0) {
    throw new Error(
      `${fn}: variables must be a non-empty array of tf.Variable (got ${Array.isArray(variables) ? 'an empty array' : typeof variables}): ` +
        'pass e.g. model.trainableWeights.map((w) => w.read())',
    );
  }
  variables.forEach((v, i) => {
    if (v == null || typeof (v as tf.Variable).assign !== 'function') {
      throw new Error(`${fn}: variables[${i}] is not a tf.Variable: pass the variables the loss reads (for a model, model.trainableWeights.map((w) => w.read()))`);
    }
    if (v.dtype !== 'float32') throw new Error(`${fn}: variables[${i}] (${v.name}) has dtype ${v.dtype}; only float32 parameters can be perturbed`);
  });
}

/** Throws unless `x` is a finite number within [min, max] (and an integer when asked). */
export function checkNumber(fn: string, name: string, x: unknown, opts: { min?: number; max?: number; integer?: boolean; exclusiveMin?: boolean; hint?: string }): number {
  const ok =
    typeof x === 'number' &&
    Number.isFinite(x) &&
    (!opts.integer || Number.isInteger(x)) &&
    (opts.min === undefined || (opts.exclusiveMin ? x > opts.min : x >= opts.min)) &&
    (opts.max === undefined || x <= opts.max);
  if (!ok) {
    const kind = opts.integer ? 'an integer' : 'a number';
    const lo = opts.min === undefined ? '' : ` ${opts.exclusiveMin ? '>' : '>='} ${opts.min}`;
    const hi = opts.max === undefined ? '' : `${lo ? ' and' : ''} <= ${opts.max}`;
    throw new Error(`${fn}: ${name} must be ${kind}${lo}${hi} (got ${String(x)})${opts.hint ? `: ${opts.hint}` : ''}`);
  }
  return x as number;
}

/** Tensors with the same shapes as `variables` (e.g. a direction), checked one by one. */
export function checkLike(fn: string, name: string, tensors: readonly tf.Tensor[] | undefined, variables: readonly tf.Variable[]): void {
  if (!Array.isArray(tensors) || tensors.length !== variables.length) {
    throw new Error(`${fn}: ${name} must be an array of ${variables.length} tensors, one per variable (got ${Array.isArray(tensors) ? tensors.length : typeof tensors})`);
  }
  tensors.forEach((t, i) => {
    if (!t || !tf.util.arraysEqual(t.shape, variables[i].shape)) {
      throw new Error(`${fn}: ${name}[${i}] has shape [${t?.shape}] but variables[${i}] has shape [${variables[i].shape}]`);
    }
  });
}

/** Copies of the current values (the caller owns them; `restore` consumes them). */
export function snapshot(variables: readonly tf.Variable[]): tf.Tensor[] {
  return variables.map((v) => tf.clone(v));
}

/** θᵢ ← savedᵢ exactly, then disposes the saved copies. */
export function restore(variables: readonly tf.Variable[], saved: tf.Tensor[]): void {
  variables.forEach((v, i) => v.assign(saved[i]));
  tf.dispose(saved);
}

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
    if (!l || typeof (l as tf.Tensor).dataSync !== 'function') throw new Error(`${fn}: the loss function must return a tf.Scalar (got ${typeof l})`);
    if (l.size !== 1) throw new Error(`${fn}: the loss function must return a scalar (got shape [${l.shape}]): reduce it, e.g. with tf.mean`);
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
      throw new Error(`${fn}: cannot differentiate the loss with respect to the variables (${(e as Error).message.split('\n')[0]}): the loss closure must compute its value from these variables`);
    }
    const grads = variables.map((v) => r.grads[v.name] ?? tf.zerosLike(v));
    return { value: r.value, grads };
  });
  const value = out.value.dataSync()[0];
  out.value.dispose();
  return { value, grads: out.grads };
}

/** Σᵢ ⟨aᵢ, bᵢ⟩ over all tensors, as a number. */
export function dot(a: readonly tf.Tensor[], b: readonly tf.Tensor[]): number {
  const t = tf.tidy(() => tf.addN(a.map((x, i) => tf.sum(tf.mul(x, b[i])))));
  const v = t.dataSync()[0];
  t.dispose();
  return v;
}

/** ‖a‖₂ over all tensors together. */
export function globalNorm(a: readonly tf.Tensor[]): number {
  return Math.sqrt(dot(a, a));
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
