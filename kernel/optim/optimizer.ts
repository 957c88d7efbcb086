/**
 * The single ascent/descent core. One step on a batch (x, y):
 *
 *   1. first pass:   L(θ), g = ∇L(θ) (+ λ·regulariser when one is set), keeping the logits p = f(x; θ);
 *                    TRAM-Fisher takes g on the noised batch embed(x) + z instead
 *   2. divergence:   d = D(q, p) with q from a target (TRAM only; no gradient flows through d)
 *   3. radius:       r = ρ (constant), or r = min(d·scale, rhoMax) (TRAM, paper Eq. 7)
 *   4. perturbation: ε = r · P g / (√(gᵀPg) + 1e−12), θ ← θ + ε   (see perturbation.ts for P)
 *   5. second pass:  h = ∇L(θ + ε) on the clean batch, then θ is restored exactly from saved values
 *   6. descent:      the wrapped tf.Optimizer applies h (or g when there is no ascent), so learning-rate
 *                    schedules and momentum stay the base optimizer's
 *
 * Without an ascent rule the core is the base optimizer (plus an optional regulariser: R3F, TRPO, MESA).
 *
 * BatchNorm and other state: only the first pass updates moving statistics; the target, reporting, noised
 * and perturbed passes run with the state saved before and restored after (TRAM-Fisher: its noised gradient pass
 * is restored too, and one clean training-mode pass updates the statistics). Target passes run in inference mode
 * (training = false: no dropout) unless `targetTraining` is set; `compare` says whether p is the first pass's
 * training-mode logits ('train-vs-inference', default) or recomputed in the target's mode ('like-for-like').
 *
 * m-sharpness: with `batchSplits: n` the batch is cut into n micro-batches along axis 0 (as even as possible);
 * each gets its own ε and perturbed gradient, and the descent applies their count-weighted sum (weights: each
 * micro-batch's share of loss positions, the mask's sum for masked losses). n = 1 is the plain step.
 * Gradient accumulation: step(model, [b1, b2, …]) sums g, h and the losses over micro-batches with the same count
 * weights, measures d on their concatenated logits and applies one ε: one step on the concatenated batch.
 * Radii (ρ, γ) and TRAM's scale may be schedules of the 0-based step (schedule.ts).
 *
 * Files: batch.ts (micro-batches and weights), pass.ts (stages 1–5 on one batch), report.ts (the step figures),
 * stepThrough.ts (stage-by-stage API), tape.ts (gradients with a cleaned-up tape), state.ts (save/load), this
 * file (the optimizer: options, step, descent, config).
 *
 * Memory: every stage runs in `tf.tidy`; what must survive between stages is kept and disposed explicitly, so
 * `tf.memory().numTensors` is unchanged after each step, also after a step that throws.
 */
import * as tf from '@tensorflow/tfjs';
import { NonFiniteError, OptimConfigError, checkOneOf, checkPositiveInt } from '../core';
import { sparseCrossEntropy } from './loss';
import { ModelLike, asModel } from './model';
import { Batch, checkBatch, countWeights, splitSizes, weighted } from './batch';
import { AscentRule, Pass, PassSettings, TaskLoss } from './pass';
import { StepReport, readFigures } from './report';
import { StepThrough } from './stepThrough';
import { Regularizer } from './regularizers';
import { NoiseSource } from './noise';
import { OptimizerState, loadOptimizerState, saveOptimizerState } from './state';

export type { Batch } from './batch';
export { splitSizes, countWeights } from './batch';
export type { AscentRule, RadiusRule, TaskLoss } from './pass';
export type { StepReport } from './report';
export { StepThrough } from './stepThrough';

export interface SharpnessAwareOptions {
  /** The method's name, used in reports and error messages. */
  name?: string;
  /** The ascent rule; null/undefined: no ascent (base optimizer, or a regularised baseline). */
  ascent?: AscentRule | null;
  /** A trust-region loss term added to the task loss in every gradient pass. */
  regularizer?: Regularizer | null;
  /** Noise source for the noised-input variants. */
  noise?: NoiseSource | null;
  /** m-sharpness: number of micro-batches, each with its own ε (default 1). */
  batchSplits?: number;
  /** What to do on a non-finite loss, divergence or gradient: throw a NonFiniteError (default) or skip the step. */
  onNonFinite?: 'throw' | 'skip';
  /**
   * TRAM-Fisher only: run an extra forward pass to report the clean loss L(θ) (its gradient comes from the noised
   * batch, so the clean loss is not otherwise computed). Default false, so a step costs the paper's 2 forward +
   * 2 backward passes and `loss` reports the noised-batch loss; set true for the clean loss at one more forward pass.
   */
  reportCleanLoss?: boolean;
  /** Run target passes in training mode (dropout on) instead of inference mode. Default false. */
  targetTraining?: boolean;
  /**
   * Which current distribution p TRAM compares with the target q (see docs/optimizers.md, "Dropout and BatchNorm"):
   * - 'train-vs-inference' (default, the released code's): p = the first pass's training-mode logits (dropout on,
   *   BatchNorm batch statistics), q in inference mode; no extra pass, but d > 0 at step 1 with dropout/BatchNorm.
   * - 'like-for-like': p recomputed without gradient in the target's mode (inference unless targetTraining), so
   *   d = 0 exactly at step 1 for θ targets; costs one gradient-free forward pass per step.
   */
  compare?: 'train-vs-inference' | 'like-for-like';
  /**
   * The task loss L(output, batch). Default: mean sparse softmax cross-entropy of logits against class indices
   * (loss.ts). A custom loss makes the optimizers usable on any differentiable objective (regression, toy
   * functions); the divergences still read the model's output as logits.
   */
  loss?: TaskLoss;
}

const crossEntropyLoss: TaskLoss = (logits, batch) => sparseCrossEntropy(logits, batch.y, batch.mask);

/** The serialisable config of an optimizer built by createOptimizer (`opt.getConfig()`; rebuild with `fromConfig`). */
export interface OptimizerConfig {
  method: Record<string, unknown>;
  base: { className: string; config: tf.serialization.ConfigDict };
  options: {
    batchSplits: number;
    onNonFinite: 'throw' | 'skip';
    reportCleanLoss: boolean;
    targetTraining: boolean;
    compare: 'train-vs-inference' | 'like-for-like';
  };
}

/**
 * Sharpness-aware optimizer wrapping a `tf.Optimizer`. Build it with `createOptimizer(methodConfig, base)`
 * (config.ts) or directly from an {@link AscentRule} and/or a {@link Regularizer}.
 */
export class SharpnessAwareOptimizer implements PassSettings {
  readonly name: string;
  readonly ascent: AscentRule | null;
  readonly regularizer: Regularizer | null;
  readonly noise: NoiseSource | null;
  readonly batchSplits: number;
  readonly onNonFinite: 'throw' | 'skip';
  readonly reportCleanLoss: boolean;
  readonly targetTraining: boolean;
  readonly compare: 'train-vs-inference' | 'like-for-like';
  readonly loss: TaskLoss;
  /** Steps taken (including skipped ones). */
  iterations = 0;
  /** Set by createOptimizer: the method config this optimizer was built from (for getConfig). */
  methodConfig: Record<string, unknown> | null = null;

  constructor(
    readonly base: tf.Optimizer,
    options: SharpnessAwareOptions = {},
  ) {
    if (!(base instanceof tf.Optimizer)) {
      throw new OptimConfigError('the base optimizer must be a tf.Optimizer, e.g. tf.train.sgd(0.1) or tf.train.adam(1e-3)');
    }
    this.name = options.name ?? (options.ascent ? 'sharpness-aware' : 'base');
    this.ascent = options.ascent ?? null;
    this.regularizer = options.regularizer ?? null;
    this.noise = options.noise ?? null;
    this.batchSplits = checkPositiveInt('batchSplits', options.batchSplits ?? 1);
    this.onNonFinite = checkOneOf('onNonFinite', options.onNonFinite ?? 'throw', ['throw', 'skip'] as const);
    this.reportCleanLoss = options.reportCleanLoss ?? false;
    this.targetTraining = options.targetTraining ?? false;
    this.compare = checkOneOf('compare', options.compare ?? 'train-vs-inference', ['train-vs-inference', 'like-for-like'] as const);
    this.loss = options.loss ?? crossEntropyLoss;
    if (typeof this.loss !== 'function') throw new OptimConfigError('loss must be a function (output, batch) => scalar');
    const needsNoise =
      this.ascent?.gradient === 'noised' ||
      (this.ascent?.radius.kind === 'divergence' && this.ascent.radius.target.needsNoise) ||
      !!this.regularizer?.needsNoise;
    if (needsNoise && !this.noise) {
      throw new OptimConfigError(
        `${this.name} adds noise to the inputs: give a noise config {kind: 'gaussian' | 'uniform', sigma} or a noise source`,
      );
    }
  }

  /**
   * One full step. `batch` is one batch, or an array of micro-batches for gradient accumulation: their
   * gradients (and losses) are summed with count weights before one ascent and one descent, so for mean losses
   * the step equals one step on the concatenated batch (BatchNorm aside: each micro-batch's first pass updates its
   * statistics). Accumulation and m-sharpness (`batchSplits > 1`) do not combine.
   */
  step(model: ModelLike, batch: Batch | Batch[]): StepReport {
    const m = asModel(model);
    if (Array.isArray(batch)) {
      if (batch.length === 0) throw new OptimConfigError('step(model, batches) needs at least one batch');
      if (this.batchSplits !== 1) {
        throw new OptimConfigError(
          `gradient accumulation over ${batch.length} micro-batches and batchSplits = ${this.batchSplits} do not combine: use one or the other`,
        );
      }
      batch.forEach((b) => checkBatch(b));
      const pass = new Pass(this, m, batch, countWeights(batch), this.iterations, 0);
      try {
        this.runStages(pass);
        return this.finish([pass]);
      } finally {
        pass.dispose();
      }
    }
    checkBatch(batch);
    const n = this.batchSplits;
    const passes: Pass[] = [];
    const parts: Batch[] = [];
    try {
      if (n === 1) parts.push(batch);
      else {
        const sizes = splitSizes(batch.x.shape[0], n);
        const xs = tf.split(batch.x, sizes, 0);
        const ys = tf.split(batch.y, sizes, 0);
        const ms = batch.mask ? tf.split(batch.mask, sizes, 0) : null;
        for (let k = 0; k < n; k++) parts.push({ x: xs[k], y: ys[k], mask: ms ? ms[k] : undefined });
      }
      for (let k = 0; k < n; k++) {
        const p = new Pass(this, m, [parts[k]], [1], this.iterations, k);
        passes.push(p);
        this.runStages(p);
      }
      return this.finish(passes, n === 1 ? [1] : countWeights(parts));
    } finally {
      passes.forEach((p) => p.dispose());
      if (n > 1) parts.forEach((b) => [b.x, b.y, b.mask].forEach((t) => t?.dispose()));
    }
  }

  private runStages(p: Pass): void {
    p.firstGradient();
    if (this.ascent) {
      p.measureDivergence();
      p.computeRadius();
      p.perturb();
      p.perturbedGradient();
    }
  }

  /**
   * Starts a step to be taken stage by stage (see {@link StepThrough}) on a batch, or on micro-batches accumulated
   * as in step(). Needs batchSplits = 1.
   */
  begin(model: ModelLike, batch: Batch | Batch[]): StepThrough {
    if (this.batchSplits !== 1) {
      throw new OptimConfigError(`the step-through API takes whole batches (batchSplits = 1; this optimizer has ${this.batchSplits}): use step()`);
    }
    const m = asModel(model);
    const parts = Array.isArray(batch) ? batch : [batch];
    if (parts.length === 0) throw new OptimConfigError('begin(model, batches) needs at least one batch');
    parts.forEach((b) => checkBatch(b));
    const pass = new Pass(this, m, parts, parts.length === 1 ? [1] : countWeights(parts), this.iterations, 0);
    return new StepThrough(pass, (p) => this.finish([p]));
  }

  /**
   * @internal Combines the passes' descent gradients (weights: each pass's share of the loss positions, for
   * m-sharpness), checks every figure, updates targets, applies the base optimizer.
   */
  finish(passes: Pass[], weights: number[] = [1]): StepReport {
    const m = passes[0].model;
    const stepNo = this.iterations + 1;
    const grads = passes.map((p) => p.descentGradient());
    const h = tf.tidy(() =>
      passes.length === 1 ? grads[0].map((t) => t.clone()) : grads[0].map((_, i) => weighted(grads.map((g) => g[i]), weights)),
    );
    try {
      const { report, nonFinite } = readFigures(stepNo, passes, weights, h);
      this.iterations++;
      if (nonFinite) {
        const { figure, value, what } = nonFinite;
        if (this.onNonFinite === 'skip') {
          report.skipped = true;
          report.skipReason = `non-finite ${what} (${value})`;
          return report;
        }
        throw new NonFiniteError(
          `${this.name}: non-finite ${what} (${value}) at step ${stepNo}; the weights were left unchanged. ` +
            "Lower the learning rate or radius, check the inputs, or pass onNonFinite: 'skip' to skip such steps",
          this.name,
          stepNo,
          figure,
        );
      }
      const rule = this.ascent?.radius;
      if (rule && rule.kind === 'divergence') rule.target.update(m);
      this.regularizer?.update(m);
      this.base.applyGradients(m.trainable.map((v, i) => ({ name: v.name, tensor: h[i] })));
      return report;
    } finally {
      h.forEach((t) => t.dispose());
    }
  }

  /**
   * The serialisable config {method, base: {className, config}, options} (optimizers built by createOptimizer);
   * rebuild with `fromConfig`. Injected noise functions and initial target weights are not part of it.
   */
  getConfig(): OptimizerConfig {
    if (!this.methodConfig) {
      throw new OptimConfigError('getConfig needs an optimizer built by createOptimizer (a hand-built one has no method config)');
    }
    const fn = Object.entries(this.methodConfig).find(([, v]) => typeof v === 'function');
    if (fn) {
      throw new OptimConfigError(
        `getConfig cannot serialise '${fn[0]}': it is a function. Use a named schedule ` +
          "{kind: 'linear' | 'cosine', start, end, steps} or {kind: 'step', boundaries, values} to save the config",
      );
    }
    return {
      method: JSON.parse(JSON.stringify(this.methodConfig)),
      base: { className: this.base.getClassName(), config: this.base.getConfig() },
      options: {
        batchSplits: this.batchSplits,
        onNonFinite: this.onNonFinite,
        reportCleanLoss: this.reportCleanLoss,
        targetTraining: this.targetTraining,
        compare: this.compare,
      },
    };
  }

  /**
   * The complete state (base optimizer slots, TRAM/TRPO/MESA target weights, step count) as plain JSON; with
   * getConfig() it resumes training exactly: `fromConfig(config)` then `await loadState(state)` (state.ts).
   */
  saveState(): Promise<OptimizerState> {
    return saveOptimizerState(this);
  }

  /** Restores what saveState() returned (into an optimizer built from the same config). */
  loadState(state: OptimizerState): Promise<void> {
    return loadOptimizerState(this, state);
  }

  /** Frees the stored target weights and the base optimizer's slots. */
  dispose(): void {
    const rule = this.ascent?.radius;
    if (rule && rule.kind === 'divergence') rule.target.dispose();
    this.regularizer?.dispose();
    this.base.dispose();
  }
}
