/**
 * The ascent step shared by every sharpness-aware method. With a diagonal preconditioner P,
 *
 *   ε = r · P g / (√(gᵀ P g) + 1e−12),
 *
 * the maximiser of gᵀε over the ellipsoid εᵀP⁻¹ε ≤ r². The methods differ only in P and in r:
 * - SAM (Foret et al. 2021):          P = 1,                 r = ρ           → ε = ρ g/‖g‖
 * - ASAM (Kwon et al. 2021, paper Eq. 2): P = T², T = |θ| + η, r = ρ           → ε = ρ T²g/‖Tg‖
 * - Fisher-SAM (Kim et al. 2022, paper Eq. 8): P = 1/(1 + η g²), r = γ       → ε = γ (g/f)/√(Σ g²/f)
 * - TRAM (paper Eq. 7): ASAM's P with r read from a divergence each step (see radius.ts).
 *
 * T applies to kernels only (tensors of rank ≥ 2) with scope 'weights' — Kwon et al.'s released form — or to
 * every tensor with scope 'all' (the paper's written θ² with η = 0); elsewhere T = 1.
 *
 * Note: the TRAM authors' released `first_step` shifts θ by s·θ² (or s) without the gradient factor g. That is
 * not the paper's Eq. 7 and is deliberately not reproduced here: ε always carries P g.
 */
import * as tf from '@tensorflow/tfjs';
import { checkNonNegative, checkOneOf } from '../core';

export type Scope = 'weights' | 'all';

export interface Preconditioner {
  readonly name: 'identity' | 'adaptive' | 'fisher';
  /** Diagonal P per tensor (null: P = 1 for that tensor), from the weights θ and the ascent gradient g. */
  diag(theta: tf.Tensor[], g: tf.Tensor[]): (tf.Tensor | null)[];
}

/** SAM: P = 1. */
export function identityPreconditioner(): Preconditioner {
  return { name: 'identity', diag: (theta) => theta.map(() => null) };
}

/** ASAM: P = T², T = |θ| + η on kernels (scope 'weights') or on every tensor (scope 'all'), 1 elsewhere. */
export function adaptivePreconditioner(eta: number, scope: Scope = 'weights'): Preconditioner & { eta: number; scope: Scope } {
  checkNonNegative('eta', eta, 'eta is the offset in T = |θ| + η; pass eta >= 0 (0.01 in Kwon et al.)');
  checkOneOf('scope', scope, ['weights', 'all'] as const);
  return {
    name: 'adaptive',
    eta,
    scope,
    diag: (theta) =>
      theta.map((p) => (scope === 'all' || p.rank >= 2 ? tf.square(eta === 0 ? tf.abs(p) : tf.add(tf.abs(p), eta)) : null)),
  };
}

/** Fisher-SAM: P = 1/f with the diagonal empirical Fisher metric f = 1 + η g². */
export function fisherPreconditioner(eta: number): Preconditioner & { eta: number } {
  checkNonNegative('eta', eta, 'eta weighs the Fisher term in f = 1 + η g²; pass eta >= 0 (0.1 in the paper)');
  return { name: 'fisher', eta, diag: (_theta, g) => g.map((gi) => tf.reciprocal(tf.add(tf.mul(tf.square(gi), eta), 1))) };
}

/** The norm denominators' offset (FORMAT.md; as in the reference implementations). */
export const NORM_EPS = 1e-12;

/**
 * ε = r · P g / (√(gᵀ P g) + 1e−12) for every tensor. `p` from a {@link Preconditioner}; r a number or a scalar
 * tensor (TRAM's radius stays on the device). Call inside `tf.tidy`.
 */
export function perturbation(g: tf.Tensor[], p: (tf.Tensor | null)[], radius: number | tf.Scalar): tf.Tensor[] {
  return perturbationWithNorm(g, p, radius).eps;
}

/**
 * ε as in {@link perturbation}, with ‖ε‖₂. `gradSq` = Σ g² when already known (it is gᵀPg for P = 1, so SAM
 * needs no extra reduction). Call inside `tf.tidy`.
 */
export function perturbationWithNorm(
  g: tf.Tensor[],
  p: (tf.Tensor | null)[],
  radius: number | tf.Scalar,
  gradSq?: tf.Scalar,
): { eps: tf.Tensor[]; norm: tf.Scalar } {
  const identity = p.every((pi) => pi === null);
  const pg = g.map((gi, i) => (p[i] ? tf.mul(p[i] as tf.Tensor, gi) : gi));
  const quad = identity && gradSq ? gradSq : tf.addN(g.map((gi, i) => tf.sum(tf.mul(gi, pg[i]))));
  const scale = tf.div(radius, tf.add(tf.sqrt(quad), NORM_EPS));
  const eps = pg.map((v) => tf.mul(v, scale));
  // ‖ε‖ = scale·‖Pg‖, and ‖Pg‖² = gᵀPg when P = 1.
  const pgSq = identity ? quad : tf.addN(pg.map((v) => tf.sum(tf.square(v))));
  return { eps, norm: tf.mul(scale, tf.sqrt(pgSq)) as tf.Scalar };
}
