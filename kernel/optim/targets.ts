/**
 * TRAM's trust-region targets: the distribution the current model is compared with (paper Eqs. 4–5, Table 2).
 *
 * - {@link noisedInputTarget} (TRAM-x, d_x): q = f(embed(x) + z; θ_t), the current weights on noised inputs.
 * - {@link parameterHistoryTarget} (TRAM-θ₀, TRAM-θₜ₋₁, EMA; d_θ): q = f(x; θ_tgt) with a second set of weights.
 *   θ_tgt starts as a copy of the model's weights at the first step (or given pre-trained weights); after d is
 *   measured at step t, θ_tgt ← β θ_tgt + (1 − β) θ_t with β = 1 (θ₀), 0 (θₜ₋₁) or the EMA decay. So θₜ₋₁
 *   compares θ_t with θ_{t−1}, and d = 0 at the first step of every θ target. The copy covers trainable weights
 *   and state (BatchNorm moving statistics), like timm's ModelEmaV2.
 *
 * Target passes run in inference mode (training = false: no dropout, BatchNorm uses its moving statistics) and
 * outside any gradient tape; the model's state is saved and restored around them.
 */
import * as tf from '@tensorflow/tfjs';
import { ModelAdapter, allVariables, noisedLogits, withStateRestored, withWeights } from './model';
import { checkDecay, checkShapesMatch, OptimConfigError } from '../core';

export interface TargetContext {
  /** The input batch x. */
  x: tf.Tensor;
  /** Noise z for this step and micro-batch, drawn for the shape of embed(x) (noised-input targets only). */
  noise?: (shape: number[]) => tf.Tensor;
  /** Run the target pass in training mode (dropout on) instead of inference mode. Default false. */
  training?: boolean;
}

export interface Target {
  readonly kind: 'x' | 'theta0' | 'theta-prev' | 'ema';
  /** Whether the target needs input noise z. */
  readonly needsNoise: boolean;
  /** Target logits q (call inside tf.tidy, outside any gradient scope). */
  logits(model: ModelAdapter, ctx: TargetContext): tf.Tensor;
  /** Called once per step after d was measured (θ_tgt ← β θ_tgt + (1 − β) θ_t). */
  update(model: ModelAdapter): void;
  /** Frees the stored weights. */
  dispose(): void;
}

/** TRAM-x: the current model on noised input embeddings. */
export function noisedInputTarget(): Target {
  return {
    kind: 'x',
    needsNoise: true,
    logits(model, ctx) {
      if (!ctx.noise) throw new OptimConfigError('the noised-input target needs noise: give the optimizer a noise source or noise config');
      const noise = ctx.noise;
      return withStateRestored(model, () => noisedLogits(model, ctx.x, noise, ctx.training ?? false));
    },
    update() {},
    dispose() {},
  };
}

export function checkNoiseShape(e: tf.Tensor, z: tf.Tensor): void {
  if (!tf.util.arraysEqual(e.shape, z.shape)) {
    throw new OptimConfigError(
      `noise has shape [${z.shape}] but the input embeddings have [${e.shape}]: a noise source must return a tensor of the shape it is asked for`,
    );
  }
}

export interface ParameterHistoryOptions {
  /** β: 1 keeps the first weights (θ₀), 0 the previous step's (θₜ₋₁), in between an EMA. */
  decay: number;
  /**
   * Weights to start from instead of the model's own at the first step (e.g. pre-trained weights for θ₀):
   * tensors in the model's order (trainable, then state) or a LayersModel with the same architecture.
   */
  initial?: tf.Tensor[] | tf.LayersModel;
}

/** The weights of a LayersModel (trainable then non-trainable), as the adapter orders them. */
function weightsOfLayersModel(m: tf.LayersModel): tf.Tensor[] {
  return [...m.trainableWeights, ...m.nonTrainableWeights].map((w) => w.read());
}

/** θ₀ / θₜ₋₁ / EMA targets: one parameter-history mechanism with a decay β. */
export function parameterHistoryTarget(options: ParameterHistoryOptions): Target & {
  readonly decay: number;
  weights(): tf.Tensor[] | null;
  getState(): tf.Tensor[] | null;
  setState(ts: tf.Tensor[] | null): void;
} {
  const decay = checkDecay('decay', options.decay);
  let weights: tf.Tensor[] | null = null;
  let bound: ModelAdapter | null = null;
  const kind = decay === 1 ? 'theta0' : decay === 0 ? 'theta-prev' : 'ema';

  function init(model: ModelAdapter): tf.Tensor[] {
    if (weights && bound === model) return weights;
    if (weights && bound === null) {
      // Restored by setState: bind to the first model it meets, if the shapes fit.
      checkShapesMatch(
        'restored target weights do not match the model',
        allVariables(model).map((v) => v.shape),
        weights.map((t) => t.shape),
        'load the state into an optimizer training the same architecture',
      );
      bound = model;
      return weights;
    }
    if (weights && bound !== model) {
      throw new OptimConfigError('this parameter-history target already tracks another model: create one optimizer per model');
    }
    const vars = allVariables(model);
    let src: tf.Tensor[];
    if (options.initial === undefined) src = vars;
    else src = options.initial instanceof tf.LayersModel ? weightsOfLayersModel(options.initial) : options.initial;
    checkShapesMatch(
      'target weights do not match the model',
      vars.map((v) => v.shape),
      src.map((t) => t.shape),
      'give target weights of the same architecture as the trained model (trainable weights, then non-trainable state)',
    );
    weights = src.map((t) => tf.keep(t.clone()));
    bound = model;
    return weights;
  }

  return {
    kind,
    decay,
    needsNoise: false,
    weights: () => weights,
    logits(model, ctx) {
      const w = init(model);
      return withWeights(model, w, () => model.forward(ctx.x, ctx.training ?? false));
    },
    update(model) {
      const w = init(model);
      if (decay === 1) return;
      const vars = allVariables(model);
      const next = tf.tidy(() =>
        vars.map((v, i) => (decay === 0 ? v.clone() : tf.add(tf.mul(w[i], decay), tf.mul(v, 1 - decay)))),
      );
      next.forEach((t) => tf.keep(t));
      w.forEach((t) => t.dispose());
      weights = next;
    },
    getState: () => weights,
    setState(ts) {
      weights?.forEach((t) => t.dispose());
      weights = ts ? ts.map((t) => tf.keep(t.clone())) : null;
      bound = null;
    },
    dispose() {
      weights?.forEach((t) => t.dispose());
      weights = null;
      bound = null;
    },
  };
}

/** Target from its FORMAT.md name. */
export function targetFromName(target: string, decay?: number): Target {
  switch (target) {
    case 'x':
      return noisedInputTarget();
    case 'theta0':
      return parameterHistoryTarget({ decay: 1 });
    case 'theta-prev':
      return parameterHistoryTarget({ decay: 0 });
    case 'ema':
      if (decay === undefined) throw new OptimConfigError("target 'ema' needs a decay in [0, 1] (e.g. decay: 0.999)");
      return parameterHistoryTarget({ decay });
    default:
      throw new OptimConfigError(`target must be one of 'x', 'theta0', 'theta-prev', 'ema' (got ${JSON.stringify(target)})`);
  }
}
