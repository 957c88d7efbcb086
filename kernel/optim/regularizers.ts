/**
 * Trust-region baselines as loss terms (paper §2, B.2): the descent loss becomes L_S(θ) + λ·d.
 *
 * - R3F (Aghajanyan et al. 2021): d = KL_sym(f(x) ‖ f(embed(x) + z)) per example, summed over classes and
 *   averaged over the batch; gradients flow through both passes. z ~ N(0, σ²) or U(−σ, σ) (paper: σ = 0.1,
 *   λ = 0.1).
 * - TRPO-style (paper Eq. 4 as a penalty): d = KL(f(x; θₜ₋₁) ‖ f(x; θ)), the previous step's model as a fixed
 *   target.
 * - MESA (Du et al. 2022, "Sharpness-Aware Training for Free", SAF with an EMA target): with a temperature τ and a
 *   start step s,
 *
 *       d = τ² · KL(softmax(f(x; θ_EMA)/τ) ‖ softmax(f(x; θ)/τ))   for 0-based steps t ≥ s,   d = 0 before,
 *       θ_EMA ← β θ_EMA + (1 − β) θ after every step, from the first step (θ_EMA starts as the weights at step 1).
 *
 *   This follows the authors' released MESA training script (AngusDujw/SAF, MESA_train.py): both logits divided
 *   by τ, the KL summed over classes and averaged over the batch, times τ²; the EMA model is updated after every
 *   step from the start of training while the KL term is only added after `kl_start_epoch`. So here too the EMA
 *   is kept from step 1 whatever s is, and s only switches the term on. (The script updates its EMA after the weight
 *   update; here, as for every target, the update uses the weights the step started from: one step later.) Their defaults: τ = 5 (README: "a very
 *   stable parameter"), start epoch 5 (of 90, or ~30 % of training), λ 0.3–0.8, EMA decay 0.9998 (timm's default
 *   in that script). The TRAM paper's MESA baseline states λ = 0.1 and decay 0.999 and no temperature. Library
 *   defaults (methods.ts): λ = 0.1, decay 0.999 (TRAM paper), τ = 5 (Du et al.), s = 0 (the library counts steps,
 *   not epochs: pass s = E_start × steps per epoch for the published schedule). τ = 1, s = 0 is the earlier
 *   EMA-KL regulariser (no temperature, on from the first step). Whether the paper's own equation carries the τ²
 *   factor could not be confirmed from the text; the released code has it.
 *
 * Target logits are computed before the gradient pass, in inference mode, without taping. Used alone they give
 * the baselines (`r3f`, `trpo`, `mesa`); added to ASAM's loss they give the paper's naive combinations
 * (Appendix C.3: `asam+r3f`, `asam+trpo`, `asam+mesa`), whose both passes use the regularised loss.
 */
import * as tf from '@tensorflow/tfjs';
import { ModelAdapter, noisedLogits, withStateRestored } from './model';
import { checkNonNegative, checkPositive, OptimConfigError } from '../core';
import { DivergenceSpec, divergence, klDivergence, normalizeDivergence } from './divergences';
import { parameterHistoryTarget } from './targets';

export interface RegularizerContext {
  x: tf.Tensor;
  /** Noise z for this step and micro-batch, drawn for a shape (R3F). */
  noise?: (shape: number[]) => tf.Tensor;
  /** Padding mask for sequence logits. */
  mask?: tf.Tensor;
  /** The 0-based index of the step (the optimizer's iteration count before the step). */
  step?: number;
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

/** MESA's knobs: temperature τ and the 0-based step s from which the term is on. */
export interface SoftenedOptions {
  temperature?: number;
  start?: number;
}

/** MESA's start step: a non-negative integer. */
export function checkStart(v: unknown): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 0) {
    throw new OptimConfigError(
      `start must be a non-negative integer step (got ${JSON.stringify(v)}): the 0-based step from which the MESA term is added, e.g. 5 × steps per epoch`,
    );
  }
  return v;
}

/**
 * Parameter-history penalty λ·τ²·d(f(x; θ_tgt)/τ, f(x; θ)/τ), on from 0-based step `start`, with
 * θ_tgt ← β θ_tgt + (1 − β) θ after every step (also before `start`): β = 0 gives the TRPO-style d_θ(θₜ₋₁, θ)
 * penalty (τ = 1, start 0), β = 0.999 with τ = 5 MESA.
 */
export function historyRegularizer(
  name: 'trpo' | 'mesa',
  lambda: number,
  decay: number,
  spec: DivergenceSpec = { kind: 'kl', direction: 'forward', reduction: 'batchmean' },
  softened: SoftenedOptions = {},
): Regularizer & { getState(): tf.Tensor[] | null; setState(ts: tf.Tensor[] | null): void } {
  checkNonNegative('lambda', lambda, 'lambda weighs the trust-region term in L + λ·d; pass lambda >= 0 (0.1 in the paper)');
  const div = normalizeDivergence(spec);
  const tau = checkPositive('temperature', softened.temperature ?? 1, 'the temperature divides both logits inside the KL; pass temperature > 0 (5 in Du et al., 1 for none)');
  const start = checkStart(softened.start ?? 0);
  const target = parameterHistoryTarget({ decay });
  const on = (ctx: RegularizerContext): boolean => {
    if (start === 0) return true;
    if (ctx.step === undefined) throw new OptimConfigError(`${name} with start = ${start} needs the step index in its context (the optimizer passes it)`);
    return ctx.step >= start;
  };
  const soften = (t: tf.Tensor): tf.Tensor => (tau === 1 ? t : tf.div(t, tau));
  return {
    name,
    lambda,
    needsNoise: false,
    prepare: (model, ctx) => (on(ctx) ? [target.logits(model, { x: ctx.x })] : []),
    term(_model, ctx, logits, prepared) {
      if (!on(ctx)) return tf.scalar(0);
      const d = divergence(div, soften(prepared[0]), soften(logits), ctx.mask);
      return tf.mul(d, lambda * tau * tau) as tf.Scalar;
    },
    update: (model) => target.update(model),
    getState: () => target.getState(),
    setState: (ts: tf.Tensor[] | null) => target.setState(ts),
    dispose: () => target.dispose(),
    getConfig: () => ({ name, lambda, decay, ...(name === 'mesa' ? { temperature: tau, start } : {}), divergence: div }),
  };
}

/** TRPO-style penalty against the previous step's weights. */
export function trpoRegularizer(lambda: number, spec?: DivergenceSpec): Regularizer {
  return historyRegularizer('trpo', lambda, 0, spec);
}

/**
 * MESA (Du et al. 2022): λ·τ²·KL(softmax(f(x; θ_EMA)/τ) ‖ softmax(f(x; θ)/τ)) from 0-based step `start`, the EMA
 * (decay β) kept from step 1. Defaults here: β = 0.999, τ = 5, start 0; τ = 1, start 0 is the plain EMA-KL term.
 */
export function mesaRegularizer(lambda: number, decay = 0.999, spec?: DivergenceSpec, softened: SoftenedOptions = {}): Regularizer {
  return historyRegularizer('mesa', lambda, decay, spec, { temperature: softened.temperature ?? 5, start: softened.start ?? 0 });
}
