/**
 * Tensor helpers over parameter lists θ = (θ₁ … θ_k), shared by the optimizers, the analysis tools and the
 * experiments.
 *
 * Contract: every helper returns tensors (the caller owns them) and never frees its arguments; numbers are
 * read by the caller (`tf.tidy(() => globalNorm(g).dataSync()[0])`). Restoring assigns the saved tensors
 * themselves (tfjs data buffers are immutable), so θ comes back bit for bit, never as θ + δ − δ.
 *
 *   snapshot(θ)        copies of the current values, kept out of any enclosing tidy
 *   restore(θ, s)      θᵢ ← sᵢ exactly (s stays the caller's to free)
 *   dot(a, b)          Σᵢ ⟨aᵢ, bᵢ⟩                     (scalar)
 *   globalNorm(a)      ‖a‖₂ over all tensors together  (scalar)
 */
import * as tf from '@tensorflow/tfjs';

/** Copies of the current values of `vars`, kept (they survive an enclosing tidy); the caller frees them. */
export function snapshot(vars: readonly tf.Variable[]): tf.Tensor[] {
  return vars.map((v) => tf.keep(v.clone()));
}

/** θᵢ ← savedᵢ exactly. Does not dispose `saved`. */
export function restore(vars: readonly tf.Variable[], saved: readonly tf.Tensor[]): void {
  vars.forEach((v, i) => v.assign(saved[i]));
}

/** Σᵢ ⟨aᵢ, bᵢ⟩ over all tensors, as a scalar tensor. */
export function dot(a: readonly tf.Tensor[], b: readonly tf.Tensor[]): tf.Scalar {
  return tf.tidy(() => tf.addN(a.map((x, i) => tf.sum(tf.mul(x, b[i])))) as tf.Scalar);
}

/** ‖a‖₂ over all tensors together, as a scalar tensor. */
export function globalNorm(a: readonly tf.Tensor[]): tf.Scalar {
  return tf.tidy(() => tf.sqrt(tf.addN(a.map((t) => tf.sum(tf.square(t))))) as tf.Scalar);
}

/** The value of a scalar computed by `f`, with every tensor `f` made freed. */
export function scalarValue(f: () => tf.Scalar): number {
  return tf.tidy(() => f().dataSync()[0]);
}
