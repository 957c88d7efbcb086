import * as tf from '@tensorflow/tfjs';
import { OptimConfigError, restore, snapshot } from '../core';
import { Batch, concatParts, weighted } from './batch';
import { DivergenceSpec, divergence as evalDivergence } from './divergences';
import { ModelAdapter, noisedLogits, withStateRestored } from './model';
import { Preconditioner, perturbationWithNorm } from './perturbation';
import { DivergenceRadius, radiusFromDivergence } from './radius';
import { Figures } from './report';
import { Regularizer } from './regularizers';
import { Schedule, scheduleValue } from './schedule';
import { Target } from './targets';
import { NoiseSource } from './noise';
import { gradsOf } from './tape';

/** How the ascent radius is chosen. */
export type RadiusRule =
  | { kind: 'constant'; value: Schedule }
  | ({ kind: 'divergence'; target: Target; divergence: DivergenceSpec } & DivergenceRadius);

/** The ascent: ε = r · P g / √(gᵀPg), with g from the clean or the noised batch. */
export interface AscentRule {
  preconditioner: Preconditioner;
  radius: RadiusRule;
  /** 'noised': g (metric and direction) from embed(x) + z, as TRAM-Fisher. Default 'clean'. */
  gradient?: 'clean' | 'noised';
}

/** A task loss: the model's output and the batch → a scalar. */
export type TaskLoss = (output: tf.Tensor, batch: Batch) => tf.Scalar;

/** What a pass reads from the optimizer that runs it (see SharpnessAwareOptions for each). */
export interface PassSettings {
  readonly name: string;
  readonly ascent: AscentRule | null;
  readonly regularizer: Regularizer | null;
  readonly noise: NoiseSource | null;
  readonly loss: TaskLoss;
  readonly reportCleanLoss: boolean;
  readonly targetTraining: boolean;
  readonly compare: 'train-vs-inference' | 'like-for-like';
}

/**
 * Stages 1–5 on one batch made of one or more parts (gradient accumulation: several micro-batches, one ε).
 * Gradients and losses are count-weighted sums over the parts (equal to the mean over the concatenated batch
 * for mean losses); d is measured on the concatenated logits. Holds what survives between stages and frees it in
 * dispose(). The model's weights are θ after every stage except between perturb() and perturbedGradient().
 *
 * Every stage first runs the earlier stages it needs (once: a stage that has run returns at once), so callers
 * (step(), the step-through API) may call any stage in any order; this is the only place that logic lives.
 */
export class Pass {
  private owned: tf.Tensor[] = [];
  private noise: (tf.Tensor | null)[];
  private prepared: tf.Tensor[][] = [];
  /** θ saved while the weights are θ + ε. */
  saved: tf.Tensor[] | null = null;
  /** g = ∇L(θ), one tensor per trainable variable (stage 1). */
  gradient: tf.Tensor[] | null = null;
  logitsParts: tf.Tensor[] | null = null;
  /** ε (stage 4). */
  epsilon: tf.Tensor[] | null = null;
  /** h = ∇L(θ + ε) (stage 5). */
  perturbedGrad: tf.Tensor[] | null = null;
  /** d = D(q, p) (stage 2, TRAM). */
  divergence: tf.Scalar | null = null;
  /** r (stage 3). */
  radius: tf.Scalar | null = null;
  /** gᵀg, reused as gᵀPg when P = 1. */
  gradSq: tf.Scalar | null = null;
  figures: Figures = {};

  constructor(
    readonly settings: PassSettings,
    readonly model: ModelAdapter,
    readonly parts: Batch[],
    readonly weights: number[],
    readonly stepIndex: number,
    readonly split: number,
  ) {
    this.noise = parts.map(() => null);
  }

  private own<T extends tf.Tensor>(t: T): T {
    this.owned.push(tf.keep(t));
    return t;
  }

  private ownAll<T extends tf.Tensor>(ts: T[]): T[] {
    return ts.map((t) => this.own(t));
  }

  /** The first-pass logits (concatenated over parts). */
  get logits(): tf.Tensor | null {
    if (!this.logitsParts) return null;
    if (this.logitsParts.length === 1) return this.logitsParts[0];
    const lp = this.logitsParts;
    const cat = this.own(tf.tidy(() => concatParts(lp, 'logits')));
    this.logitsParts = [cat];
    return cat;
  }

  /** Noise for this step and part, drawn once and shared by every pass that needs it. */
  noiseFor = (k: number) => (shape: number[]): tf.Tensor => {
    let z = this.noise[k];
    if (!z) {
      const src = this.settings.noise;
      if (!src) {
        throw new OptimConfigError(
          `${this.settings.name} needs input noise: give a noise config {kind: 'gaussian', sigma} or a noise source (shape, step, split) => tensor`,
        );
      }
      const drawn = src(shape, this.stepIndex, this.split + k);
      if (!(drawn instanceof tf.Tensor) || !tf.util.arraysEqual(drawn.shape, shape)) {
        const got = drawn instanceof tf.Tensor ? `[${drawn.shape}]` : String(drawn);
        if (drawn instanceof tf.Tensor) drawn.dispose();
        throw new OptimConfigError(
          `noise source returned ${got} but the input embeddings have shape [${shape}]: return a tensor of the shape asked for`,
        );
      }
      z = this.own(drawn.toFloat());
      if (z !== drawn) drawn.dispose();
      this.noise[k] = z;
    }
    if (z.shape.some((d, i) => d !== shape[i])) {
      throw new OptimConfigError(`noise of shape [${z.shape}] cannot be added to embeddings of shape [${shape}]`);
    }
    return z;
  };

  private lossOf(k: number, logits: tf.Tensor, withReg: boolean): { total: tf.Scalar; task: tf.Scalar } {
    const b = this.parts[k];
    const task = this.settings.loss(logits, b);
    const reg = this.settings.regularizer;
    if (!withReg || !reg) return { total: task, task };
    const term = reg.term(this.model, { x: b.x, noise: this.noiseFor(k), mask: b.mask, step: this.stepIndex }, logits, this.prepared[k]);
    return { total: tf.add(task, term) as tf.Scalar, task };
  }

  /** Stage 1: first gradient g (and p, L). */
  firstGradient(): void {
    if (this.gradient) return;
    const reg = this.settings.regularizer;
    const m = this.model;
    const noised = this.settings.ascent?.gradient === 'noised';
    const w = this.weights;
    tf.tidy(() => {
      const gs: tf.Tensor[][] = [];
      const logits: tf.Tensor[] = [];
      const tasks: tf.Scalar[] = [];
      const totals: tf.Scalar[] = [];
      const cleans: tf.Scalar[] = [];
      this.parts.forEach((b, k) => {
        if (reg) this.prepared[k] = this.ownAll(reg.prepare(m, { x: b.x, noise: this.noiseFor(k), mask: b.mask, step: this.stepIndex }));
        const { value, grads, kept } = gradsOf(m.trainable, () => {
          // TRAM-Fisher's noised pass must not move BatchNorm statistics: they come from the clean pass below.
          const out = noised ? withStateRestored(m, () => noisedLogits(m, b.x, this.noiseFor(k), true)) : m.forward(b.x, true);
          const { total, task } = this.lossOf(k, out, true);
          return { loss: total, keep: [out, task] };
        });
        gs.push(grads);
        logits.push(kept[0]);
        tasks.push(kept[1] as tf.Scalar);
        totals.push(value);
        if (noised && (this.settings.reportCleanLoss || m.state.length > 0)) {
          // One clean training-mode forward pass: updates BatchNorm statistics once, and gives L(θ).
          cleans.push(this.settings.loss(m.forward(b.x, true), b));
        }
      });
      const grads = gs.length === 1 ? gs[0] : gs[0].map((_, i) => weighted(gs.map((g) => g[i]), w));
      this.gradient = this.ownAll(grads);
      this.logitsParts = this.ownAll(logits);
      this.gradSq = this.own(tf.addN(grads.map((gi) => tf.sum(tf.square(gi)))) as tf.Scalar);
      this.figures.gradNorm = this.own(tf.sqrt(this.gradSq) as tf.Scalar);
      if (reg) this.figures.regularizedLoss = this.own(weighted(totals, w));
      const task = this.own(weighted(tasks, w));
      if (noised) {
        this.figures.noisedLoss = task;
        this.figures.loss = this.settings.reportCleanLoss ? this.own(weighted(cleans, w)) : task;
      } else this.figures.loss = task;
    });
  }

  /** Stage 2: d = D(q, p) (TRAM), on the concatenated parts. Runs outside any gradient tape. */
  measureDivergence(): void {
    this.firstGradient();
    if (this.divergence) return;
    const rule = this.settings.ascent?.radius;
    if (!rule || rule.kind !== 'divergence') return;
    const first = this.logitsParts as tf.Tensor[];
    const m = this.model;
    const training = this.settings.targetTraining;
    const likeForLike = this.settings.compare === 'like-for-like';
    this.divergence = tf.tidy(() => {
      const qs = this.parts.map((b, k) => rule.target.logits(m, { x: b.x, noise: this.noiseFor(k), training }));
      // like-for-like: the current distribution in the target's mode (no dropout, BatchNorm moving statistics).
      const ps = likeForLike ? this.parts.map((b) => withStateRestored(m, () => m.forward(b.x, training))) : first;
      const masks = this.parts.some((b) => b.mask)
        ? this.parts.map((b) => (b.mask ? b.mask.toFloat() : tf.ones(b.y.shape)))
        : null;
      const q = concatParts(qs, 'target logits');
      const p = ps.length === 1 ? ps[0] : concatParts(ps, 'logits');
      const mask = masks ? concatParts(masks, 'masks') : undefined;
      return this.own(evalDivergence(rule.divergence, q, p, mask));
    });
    this.figures.divergence = this.divergence;
  }

  /** Stage 3: the radius (a schedule is read at this step's 0-based index). */
  computeRadius(): void {
    this.firstGradient();
    const rule = this.settings.ascent?.radius;
    if (!rule || this.radius) return;
    if (rule.kind === 'divergence') this.measureDivergence();
    if (rule.kind === 'constant') this.radius = this.own(tf.scalar(scheduleValue(rule.value, this.stepIndex, 'radius')));
    else {
      const scale = scheduleValue(rule.scale, this.stepIndex, 'scale');
      this.radius = this.own(radiusFromDivergence(this.divergence as tf.Scalar, { scale, rhoMax: rule.rhoMax }));
    }
    this.figures.radius = this.radius;
  }

  /** Stage 4: ε and θ ← θ + ε (θ saved for an exact restore). */
  perturb(): void {
    this.firstGradient();
    const a = this.settings.ascent;
    if (!a || this.epsilon) return;
    this.computeRadius();
    const vars = this.model.trainable;
    const g = this.gradient as tf.Tensor[];
    tf.tidy(() => {
      const { eps, norm } = perturbationWithNorm(g, a.preconditioner.diag(vars, g), this.radius as tf.Scalar, this.gradSq ?? undefined);
      this.epsilon = this.ownAll(eps);
      this.figures.perturbationNorm = this.own(norm);
      this.saved = this.ownAll(snapshot(vars));
      vars.forEach((v, i) => v.assign(tf.add(v, eps[i])));
    });
  }

  /** Stage 5: h = ∇L(θ + ε) on the clean parts, then θ restored exactly. */
  perturbedGradient(): void {
    this.firstGradient();
    if (!this.settings.ascent || this.perturbedGrad) return;
    this.perturb();
    const m = this.model;
    const w = this.weights;
    try {
      tf.tidy(() => {
        const hs: tf.Tensor[][] = [];
        const losses: tf.Scalar[] = [];
        this.parts.forEach((b, k) => {
          const { grads, kept } = withStateRestored(m, () =>
            gradsOf(m.trainable, () => {
              const logits = m.forward(b.x, true);
              const { total, task } = this.lossOf(k, logits, true);
              return { loss: total, keep: [task] };
            }),
          );
          hs.push(grads);
          losses.push(kept[0] as tf.Scalar);
        });
        this.perturbedGrad = this.ownAll(hs.length === 1 ? hs[0] : hs[0].map((_, i) => weighted(hs.map((h) => h[i]), w)));
        this.figures.perturbedLoss = this.own(weighted(losses, w));
      });
    } finally {
      this.restoreWeights();
    }
  }

  /** Puts θ back if it is perturbed. */
  restoreWeights(): void {
    if (this.saved) {
      restore(this.model.trainable, this.saved);
      this.saved = null;
    }
  }

  /** The gradient for the descent: h with an ascent, g without. */
  descentGradient(): tf.Tensor[] {
    this.perturbedGradient(); // runs the first gradient too, and is a no-op without an ascent
    const out = this.settings.ascent ? this.perturbedGrad : this.gradient;
    return out as tf.Tensor[];
  }

  dispose(): void {
    this.restoreWeights();
    this.owned.forEach((t) => t.dispose());
    this.owned = [];
    this.gradient = this.perturbedGrad = this.epsilon = this.logitsParts = null;
    this.divergence = this.radius = this.gradSq = null;
    this.noise = this.parts.map(() => null);
    this.prepared = [];
  }
}
