/**
 * Trust-region baselines as loss terms (paper §2, B.2): the descent loss becomes L_S(θ) + λ·d.
 *
 * - R3F (Aghajanyan et al. 2021): d = KL_sym(f(x) ‖ f(embed(x) + z)) per example, summed over classes and
 *   averaged over the batch; gradients flow through both passes. z ~ N(0, σ²) or U(−σ, σ) (paper: σ = 0.1,
 *   λ = 0.1).
 * - TRPO-style (paper Eq. 4 as a penalty): d = KL(f(x; θₜ₋₁) ‖ f(x; θ)), the previous step's model as a fixed
 *   target.
 * - MESA (Du et al. 2022): the same with an EMA of past weights as target (decay 0.999).
 *
 * Target logits are computed before the gradient pass, in inference mode, without taping. Used alone they give
 * the baselines (`r3f`, `trpo`, `mesa`); added to ASAM's loss they give the paper's naive combinations
 * (Appendix C.3: `asam+r3f`, `asam+trpo`, `asam+mesa`), whose both passes use the regularised loss.
 */
import * as tf from '@tensorflow/tfjs';
import { ModelAdapter, noisedLogits, withStateRestored } from './model';
import { checkNonNegative, OptimConfigError } from '../core';
import { DivergenceSpec, divergence, klDivergence, normalizeDivergence } from './divergences';
import { parameterHistoryTarget } from './targets';

export interface RegularizerContext {
  x: tf.Tensor;
  /** Noise z for this step and micro-batch, drawn for a shape (R3F). */
  noise?: (shape: number[]) => tf.Tensor;
  /** Padding mask for sequence logits. */
  mask?: tf.Tensor;
}

export interface Regularizer {
  readonly name: 'r3f' | 'trpo' | 'mesa';
  readonly lambda: number;
  readonly needsNoise: boolean;
  /** Constants for the term, computed without taping before the gradient pass (e.g. target logits). */
  prepare(model: ModelAdapter, ctx: RegularizerContext): tf.Tensor[];
  /** λ·d, differentiable in the model's weights; `logits` are the clean training-mode logits. */
  term(model: ModelAdapter, ctx: RegularizerContext, logits: tf.Tensor, prepared: tf.Tensor[]): tf.Scalar;
  /** Once per step, after the gradient passes (advances the target history). */
  update(model: ModelAdapter): void;
  dispose(): void;
  getConfig(): Record<string, unknown>;
}

/** R3F: λ·KL_sym(f(x) ‖ f(embed(x) + z)), gradients through both passes. */
export function r3fRegularizer(lambda: number): Regularizer {
  checkNonNegative('lambda', lambda, 'lambda weighs the trust-region term in L + λ·d; pass lambda >= 0 (0.1 in the paper)');
  return {
    name: 'r3f',
    lambda,
    needsNoise: true,
    prepare: () => [],
    term(model, ctx, logits) {
      if (!ctx.noise) throw new OptimConfigError('r3f needs input noise: give a noise config {kind, sigma} or a noise source');
      const noise = ctx.noise;
      // The noised pass must not move BatchNorm statistics a second time.
      const noised = withStateRestored(model, () => noisedLogits(model, ctx.x, noise, true));
      return tf.mul(klDivergence(logits, noised, 'symmetric', 'batchmean', ctx.mask), lambda) as tf.Scalar;
    },
    update() {},
    dispose() {},
    getConfig: () => ({ name: 'r3f', lambda }),
  };
}

/**
 * Parameter-history penalty λ·d(f(x; θ_tgt), f(x; θ)) with θ_tgt ← β θ_tgt + (1 − β) θ after each step:
 * β = 0 gives the TRPO-style d_θ(θₜ₋₁, θ) penalty, β = 0.999 MESA.
 */
export function historyRegularizer(
  name: 'trpo' | 'mesa',
  lambda: number,
  decay: number,
  spec: DivergenceSpec = { kind: 'kl', direction: 'forward', reduction: 'batchmean' },
): Regularizer & { getState(): tf.Tensor[] | null; setState(ts: tf.Tensor[] | null): void } {
  checkNonNegative('lambda', lambda, 'lambda weighs the trust-region term in L + λ·d; pass lambda >= 0 (0.1 in the paper)');
  const div = normalizeDivergence(spec);
  const target = parameterHistoryTarget({ decay });
  return {
    name,
    lambda,
    needsNoise: false,
    prepare: (model, ctx) => [target.logits(model, { x: ctx.x })],
    term: (_model, ctx, logits, prepared) => tf.mul(divergence(div, prepared[0], logits, ctx.mask), lambda) as tf.Scalar,
    update: (model) => target.update(model),
    getState: () => target.getState(),
    setState: (ts: tf.Tensor[] | null) => target.setState(ts),
    dispose: () => target.dispose(),
    getConfig: () => ({ name, lambda, decay, divergence: div }),
  };
}

/** TRPO-style penalty against the previous step's weights. */
export function trpoRegularizer(lambda: number, spec?: DivergenceSpec): Regularizer {
  return historyRegularizer('trpo', lambda, 0, spec);
}

/** MESA: penalty against an EMA of past weights (decay 0.999 in the paper). */
export function mesaRegularizer(lambda: number, decay = 0.999, spec?: DivergenceSpec): Regularizer {
  return historyRegularizer('mesa', lambda, decay, spec);
}
