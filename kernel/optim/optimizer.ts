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
 * Memory: every stage runs in `tf.tidy`; what must survive between stages is kept and disposed explicitly, so
 * `tf.memory().numTensors` is unchanged after each step, also after a step that throws.
 */
import * as tf from '@tensorflow/tfjs';
import { ModelAdapter, ModelLike, asModel, noisedLogits, withStateRestored } from './model';
import { sparseCrossEntropy } from './loss';
import { Preconditioner, perturbationWithNorm } from './perturbation';
import { DivergenceRadius, radiusFromDivergence } from './radius';
import { Target } from './targets';
import { DivergenceSpec, divergence as evalDivergence } from './divergences';
import { Regularizer } from './regularizers';
import { NoiseSource } from './noise';
import { NonFiniteError, OptimConfigError, checkOneOf, checkPositiveInt, globalNorm, restore, snapshot } from '../core';
import { Schedule, scheduleValue } from './schedule';
import { OptimizerState, loadOptimizerState, saveOptimizerState } from './state';

/** A training batch: inputs, class-index labels, and for sequence logits an optional padding mask. */
export interface Batch {
  x: tf.Tensor;
  /** Class indices, int32 [B] (or [B, T] for sequence logits [B, T, C]). */
  y: tf.Tensor;
  /** 1 for positions that count, 0 for padding; the shape of y. */
  mask?: tf.Tensor;
}

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

/** A task loss: the model's output and the batch → a scalar. */
export type TaskLoss = (output: tf.Tensor, batch: Batch) => tf.Scalar;

const crossEntropyLoss: TaskLoss = (logits, batch) => sparseCrossEntropy(logits, batch.y, batch.mask);

/** Figures of one step. Norms are 2-norms over all tensors together. */
export interface StepReport {
  /** 1-based step index. */
  step: number;
  /** Task loss L(θ) on the clean batch before the step (the noised-batch loss for TRAM-Fisher when reportCleanLoss is false). */
  loss: number;
  /** ‖g‖ of the first-pass gradient (the ascent gradient; the applied one without ascent). */
  gradNorm: number;
  /** Task loss + regulariser, when a regulariser is set. */
  regularizedLoss?: number;
  /** TRAM: the divergence d between target and current distributions. */
  divergence?: number;
  /** The radius r used for the ascent. */
  radius?: number;
  /** ‖ε‖. */
  perturbationNorm?: number;
  /** L(θ + ε). */
  perturbedLoss?: number;
  /** ‖h‖ of the gradient handed to the base optimizer. */
  descentGradNorm: number;
  /** True when the step was skipped because a figure was not finite (onNonFinite: 'skip'). */
  skipped?: boolean;
  /** Which figure was not finite. */
  skipReason?: string;
}

type Figures = Record<string, tf.Scalar>;

/**
 * When the forward function throws inside a gradient scope, tfjs leaves the tensors it saved for the backward
 * pass (kept clones) on its tape. Free them as tfjs itself does after a backward pass, so a failing step does
 * not leak. Only the outermost tape is touched.
 */
function releaseAbandonedTape(): void {
  const state = (tf.engine() as unknown as { state: { gradientDepth: number; activeTape: { saved?: tf.Tensor[] }[] | null } }).state;
  if (state.gradientDepth !== 0 || !state.activeTape) return;
  for (const node of state.activeTape) node.saved?.forEach((t) => t.dispose());
  state.activeTape = null;
}

function gradsOf(
  vars: tf.Variable[],
  f: () => { loss: tf.Scalar; keep: tf.Tensor[] },
): { value: tf.Scalar; grads: tf.Tensor[]; kept: tf.Tensor[] } {
  let kept: tf.Tensor[] = [];
  try {
    const { value, grads } = tf.variableGrads(() => {
      const r = f();
      kept = r.keep.map((t) => tf.keep(t));
      return r.loss;
    }, vars);
    const gs = vars.map((v) => grads[v.name] ?? tf.zerosLike(v));
    return { value, grads: gs, kept: kept.map((t) => t.clone()) };
  } catch (e) {
    releaseAbandonedTape();
    throw e;
  } finally {
    kept.forEach((t) => t.dispose());
  }
}

function checkBatch(batch: Batch): void {
  if (!batch || !(batch.x instanceof tf.Tensor) || !(batch.y instanceof tf.Tensor)) {
    throw new OptimConfigError('a batch must be {x: tf.Tensor, y: tf.Tensor (class indices), mask?: tf.Tensor}');
  }
  const B = batch.x.shape[0];
  if (batch.y.shape[0] !== B) {
    throw new OptimConfigError(
      `batch shapes do not match: x has ${B} examples ([${batch.x.shape}]) but y has ${batch.y.shape[0]} ([${batch.y.shape}]): give one label per example`,
    );
  }
  if (batch.mask && batch.mask.shape.some((d, i) => d !== batch.y.shape[i])) {
    throw new OptimConfigError(`batch mask has shape [${batch.mask.shape}] but must match y's [${batch.y.shape}]`);
  }
}

/**
 * Sizes of n micro-batches of a batch of B examples: as equal as possible, the first B mod n one larger
 * (B = 10, n = 3 → 4, 3, 3).
 */
export function splitSizes(B: number, n: number): number[] {
  if (B < n) {
    throw new OptimConfigError(`batchSplits = ${n} is more than the batch size ${B}: use batchSplits <= ${B} or a larger batch`);
  }
  return Array.from({ length: n }, (_, k) => Math.floor(B / n) + (k < B % n ? 1 : 0));
}

/**
 * How much a micro-batch counts in a mean loss over several: the number of loss positions (the mask's sum for
 * masked sequence losses, else y's element count). Weights are counts / total, so a weighted sum of per-micro-batch
 * mean losses (and gradients) is the mean over the whole batch.
 */
export function countWeights(parts: Batch[]): number[] {
  const counts = parts.map((b) => (b.mask ? tf.tidy(() => tf.sum(b.mask as tf.Tensor).dataSync()[0]) : b.y.size));
  const total = counts.reduce((a, c) => a + c, 0);
  return total > 0 ? counts.map((c) => c / total) : counts.map(() => 1 / parts.length);
}

/** Σ wₖ tₖ (tₖ itself when there is one part, so a single batch is computed exactly as before). */
function weighted<T extends tf.Tensor>(ts: T[], w: number[]): T {
  if (ts.length === 1) return ts[0].clone() as T;
  return tf.addN(ts.map((t, k) => tf.mul(t, w[k]))) as T;
}

/** Concatenates per-micro-batch logits/masks along axis 0 (a missing mask counts as all ones). */
function concatParts(ts: tf.Tensor[], what: string): tf.Tensor {
  if (ts.length === 1) return ts[0];
  const tail = ts[0].shape.slice(1);
  const bad = ts.find((t) => t.rank !== ts[0].rank || t.shape.slice(1).some((d, i) => d !== tail[i]));
  if (bad) {
    throw new OptimConfigError(
      `accumulated micro-batches give ${what} of shapes [${ts[0].shape}] and [${bad.shape}]: they must match except in the batch axis ` +
        '(pad sequences to one length)',
    );
  }
  return tf.concat(ts, 0);
}

/**
 * Stages 1–5 on one batch made of one or more parts (gradient accumulation: several micro-batches, one ε).
 * Gradients and losses are count-weighted sums over the parts (equal to the mean over the concatenated batch
 * for mean losses); d is measured on the concatenated logits. Holds what survives between stages and frees it in
 * dispose(). The model's weights are θ after every stage except between perturb() and perturbedGradient().
 */
class Pass {
  private owned: tf.Tensor[] = [];
  private z: (tf.Tensor | null)[];
  private prepared: tf.Tensor[][] = [];
  saved: tf.Tensor[] | null = null;
  g: tf.Tensor[] | null = null;
  logitsParts: tf.Tensor[] | null = null;
  eps: tf.Tensor[] | null = null;
  h: tf.Tensor[] | null = null;
  d: tf.Scalar | null = null;
  r: tf.Scalar | null = null;
  gradSq: tf.Scalar | null = null;
  figures: Figures = {};

  constructor(
    readonly opt: SharpnessAwareOptimizer,
    readonly model: ModelAdapter,
    readonly parts: Batch[],
    readonly weights: number[],
    readonly stepIndex: number,
    readonly split: number,
  ) {
    this.z = parts.map(() => null);
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
    let z = this.z[k];
    if (!z) {
      const src = this.opt.noise;
      if (!src) {
        throw new OptimConfigError(
          `${this.opt.name} needs input noise: give a noise config {kind: 'gaussian', sigma} or a noise source (shape, step, split) => tensor`,
        );
      }
      const drawn = src(shape, this.stepIndex, this.split + k);
      if (!(drawn instanceof tf.Tensor) || drawn.shape.length !== shape.length || drawn.shape.some((d, i) => d !== shape[i])) {
        const got = drawn instanceof tf.Tensor ? `[${drawn.shape}]` : String(drawn);
        if (drawn instanceof tf.Tensor) drawn.dispose();
        throw new OptimConfigError(
          `noise source returned ${got} but the input embeddings have shape [${shape}]: return a tensor of the shape asked for`,
        );
      }
      z = this.own(drawn.toFloat());
      if (z !== drawn) drawn.dispose();
      this.z[k] = z;
    }
    if (z.shape.some((d, i) => d !== shape[i])) {
      throw new OptimConfigError(`noise of shape [${z.shape}] cannot be added to embeddings of shape [${shape}]`);
    }
    return z;
  };

  private lossOf(k: number, logits: tf.Tensor, withReg: boolean): { total: tf.Scalar; task: tf.Scalar } {
    const b = this.parts[k];
    const task = this.opt.loss(logits, b);
    const reg = this.opt.regularizer;
    if (!withReg || !reg) return { total: task, task };
    const term = reg.term(this.model, { x: b.x, noise: this.noiseFor(k), mask: b.mask }, logits, this.prepared[k]);
    return { total: tf.add(task, term) as tf.Scalar, task };
  }

  /** Stage 1: first gradient g (and p, L). */
  firstGradient(): void {
    const reg = this.opt.regularizer;
    const m = this.model;
    const noised = this.opt.ascent?.gradient === 'noised';
    const w = this.weights;
    tf.tidy(() => {
      const gs: tf.Tensor[][] = [];
      const logits: tf.Tensor[] = [];
      const tasks: tf.Scalar[] = [];
      const totals: tf.Scalar[] = [];
      const cleans: tf.Scalar[] = [];
      this.parts.forEach((b, k) => {
        if (reg) this.prepared[k] = this.ownAll(reg.prepare(m, { x: b.x, noise: this.noiseFor(k), mask: b.mask }));
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
        if (noised && (this.opt.reportCleanLoss || m.state.length > 0)) {
          // One clean training-mode forward pass: updates BatchNorm statistics once, and gives L(θ).
          cleans.push(this.opt.loss(m.forward(b.x, true), b));
        }
      });
      const grads = gs.length === 1 ? gs[0] : gs[0].map((_, i) => weighted(gs.map((g) => g[i]), w));
      this.g = this.ownAll(grads);
      this.logitsParts = this.ownAll(logits);
      this.gradSq = this.own(tf.addN(grads.map((gi) => tf.sum(tf.square(gi)))) as tf.Scalar);
      this.figures.gradNorm = this.own(tf.sqrt(this.gradSq) as tf.Scalar);
      if (reg) this.figures.regularizedLoss = this.own(weighted(totals, w));
      const task = this.own(weighted(tasks, w));
      if (noised) {
        this.figures.noisedLoss = task;
        this.figures.loss = this.opt.reportCleanLoss ? this.own(weighted(cleans, w)) : task;
      } else this.figures.loss = task;
    });
  }

  /** Stage 2: d = D(q, p) (TRAM), on the concatenated parts. Runs outside any gradient tape. */
  measureDivergence(): void {
    const rule = this.opt.ascent?.radius;
    if (!rule || rule.kind !== 'divergence') return;
    if (!this.logitsParts) throw new OptimConfigError('measure the divergence after the first gradient');
    const first = this.logitsParts;
    const m = this.model;
    const training = this.opt.targetTraining;
    const likeForLike = this.opt.compare === 'like-for-like';
    this.d = tf.tidy(() => {
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
    this.figures.divergence = this.d;
  }

  /** Stage 3: the radius (a schedule is read at this step's 0-based index). */
  computeRadius(): void {
    const rule = this.opt.ascent?.radius;
    if (!rule) return;
    if (rule.kind === 'constant') this.r = this.own(tf.scalar(scheduleValue(rule.value, this.stepIndex, 'radius')));
    else {
      if (!this.d) this.measureDivergence();
      const scale = scheduleValue(rule.scale, this.stepIndex, 'scale');
      this.r = this.own(radiusFromDivergence(this.d as tf.Scalar, { scale, rhoMax: rule.rhoMax }));
    }
    this.figures.radius = this.r;
  }

  /** Stage 4: ε and θ ← θ + ε (θ saved for an exact restore). */
  perturb(): void {
    const a = this.opt.ascent;
    if (!a) return;
    if (!this.g) throw new OptimConfigError('perturb after the first gradient');
    if (!this.r) this.computeRadius();
    const vars = this.model.trainable;
    const g = this.g;
    tf.tidy(() => {
      const { eps, norm } = perturbationWithNorm(g, a.preconditioner.diag(vars, g), this.r as tf.Scalar, this.gradSq ?? undefined);
      this.eps = this.ownAll(eps);
      this.figures.perturbationNorm = this.own(norm);
      this.saved = this.ownAll(snapshot(vars));
      vars.forEach((v, i) => v.assign(tf.add(v, eps[i])));
    });
  }

  /** Stage 5: h = ∇L(θ + ε) on the clean parts, then θ restored exactly. */
  perturbedGradient(): void {
    if (!this.opt.ascent) return;
    if (!this.saved) this.perturb();
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
        this.h = this.ownAll(hs.length === 1 ? hs[0] : hs[0].map((_, i) => weighted(hs.map((h) => h[i]), w)));
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
    if (this.opt.ascent && !this.h) this.perturbedGradient();
    const out = this.opt.ascent ? this.h : this.g;
    if (!out) throw new OptimConfigError('no gradient yet: run the first gradient stage');
    return out;
  }

  dispose(): void {
    this.restoreWeights();
    this.owned.forEach((t) => t.dispose());
    this.owned = [];
    this.g = this.h = this.eps = this.logitsParts = null;
    this.d = this.r = this.gradSq = null;
    this.z = this.parts.map(() => null);
    this.prepared = [];
  }
}

const FIGURE_ORDER = [
  'loss',
  'gradNorm',
  'regularizedLoss',
  'divergence',
  'radius',
  'perturbationNorm',
  'perturbedLoss',
  'descentGradNorm',
] as const;

/**
 * A step taken stage by stage, for notebooks that show each component. Create with
 * `optimizer.begin(model, batch)`; call the stages in order (a later stage runs the earlier ones it needs);
 * `descend()` finishes the step, `dispose()` abandons it (θ is restored). Tensors exposed here belong to the
 * step and are freed by descend()/dispose().
 */
export class StepThrough {
  private done = false;
  constructor(
    private readonly opt: SharpnessAwareOptimizer,
    private readonly pass: Pass,
  ) {}

  private guard<T>(f: () => T): T {
    if (this.done) throw new OptimConfigError('this step is finished: call optimizer.begin(model, batch) for the next one');
    try {
      return f();
    } catch (e) {
      this.dispose();
      throw e;
    }
  }

  private read(name: keyof Figures): number | undefined {
    const t = this.pass.figures[name];
    return t ? t.dataSync()[0] : undefined;
  }

  /** Stage 1: L(θ) and g = ∇L(θ). */
  firstGradient(): { loss: number; gradNorm: number; regularizedLoss?: number } {
    return this.guard(() => {
      this.pass.firstGradient();
      return { loss: this.read('loss') as number, gradNorm: this.read('gradNorm') as number, regularizedLoss: this.read('regularizedLoss') };
    });
  }

  /** Stage 2: the divergence d (TRAM; undefined for other methods). */
  divergence(): { divergence?: number } {
    return this.guard(() => {
      if (!this.pass.g) this.pass.firstGradient();
      this.pass.measureDivergence();
      return { divergence: this.read('divergence') };
    });
  }

  /** Stage 3: the radius r. */
  radius(): { radius?: number } {
    return this.guard(() => {
      if (!this.pass.g) this.pass.firstGradient();
      this.pass.computeRadius();
      return { radius: this.read('radius') };
    });
  }

  /** Stage 4: ε, applied to the weights (θ + ε until the next stage). */
  perturbation(): { perturbationNorm?: number } {
    return this.guard(() => {
      if (!this.pass.g) this.pass.firstGradient();
      this.pass.perturb();
      return { perturbationNorm: this.read('perturbationNorm') };
    });
  }

  /** Stage 5: the perturbed gradient h = ∇L(θ + ε); θ restored afterwards. */
  perturbedGradient(): { perturbedLoss?: number; perturbedGradNorm?: number } {
    return this.guard(() => {
      if (!this.pass.g) this.pass.firstGradient();
      this.pass.perturbedGradient();
      const h = this.pass.h;
      const n = h ? tf.tidy(() => globalNorm(h).dataSync()[0]) : undefined;
      return { perturbedLoss: this.read('perturbedLoss'), perturbedGradNorm: n };
    });
  }

  /** First-pass gradient g (one tensor per trainable variable), or null before stage 1. */
  get gradient(): tf.Tensor[] | null {
    return this.pass.g;
  }
  /** The perturbation ε, or null before stage 4 / without ascent. */
  get epsilon(): tf.Tensor[] | null {
    return this.pass.eps;
  }
  /** The perturbed gradient h, or null before stage 5. */
  get perturbedGrad(): tf.Tensor[] | null {
    return this.pass.h;
  }
  /** First-pass logits p. */
  get logits(): tf.Tensor | null {
    return this.pass.logits;
  }

  /** Stage 6: the base optimizer applies the descent gradient. Returns the step's report. */
  descend(): StepReport {
    return this.guard(() => {
      if (!this.pass.g) this.pass.firstGradient();
      try {
        return this.opt.finish([this.pass]);
      } finally {
        this.done = true;
        this.pass.dispose();
      }
    });
  }

  /** Abandons the step: restores θ and frees its tensors. */
  dispose(): void {
    if (this.done) return;
    this.done = true;
    this.pass.dispose();
  }
}

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
export class SharpnessAwareOptimizer {
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
    return new StepThrough(this, new Pass(this, m, parts, parts.length === 1 ? [1] : countWeights(parts), this.iterations, 0));
  }

  /**
   * @internal Combines the passes' descent gradients (weights: each pass's share of the loss positions, for
   * m-sharpness), checks every figure, updates targets, applies the base optimizer.
   */
  finish(passes: Pass[], weights: number[] = [1]): StepReport {
    const m = passes[0].model;
    const stepNo = this.iterations + 1;
    const grads = passes.map((p) => p.descentGradient());
    const names: string[] = [];
    let values: Float32Array | Int32Array | Uint8Array;
    const h = tf.tidy(() =>
      passes.length === 1 ? grads[0].map((t) => t.clone()) : grads[0].map((_, i) => weighted(grads.map((g) => g[i]), weights)),
    );
    try {
      const stacked = tf.tidy(() => {
        const cols: tf.Scalar[] = [];
        for (const key of FIGURE_ORDER) {
          if (key === 'descentGradNorm') {
            names.push(key);
            cols.push(globalNorm(h));
            continue;
          }
          const ts = passes.map((p) => p.figures[key]).filter((t): t is tf.Scalar => !!t);
          if (ts.length === 0) continue;
          names.push(key);
          cols.push(ts.length === 1 ? ts[0] : weighted(ts, weights));
        }
        return tf.stack(cols);
      });
      try {
        values = stacked.dataSync();
      } finally {
        stacked.dispose();
      }
      const report: StepReport = { step: stepNo, loss: NaN, gradNorm: NaN, descentGradNorm: NaN };
      names.forEach((k, i) => ((report as unknown as Record<string, number>)[k] = values[i]));
      const bad = names.find((k, i) => !Number.isFinite(values[i]));
      this.iterations++;
      if (bad) {
        const what: Record<string, string> = {
          loss: 'loss',
          gradNorm: 'gradient',
          regularizedLoss: 'regularised loss',
          divergence: 'divergence',
          radius: 'radius',
          perturbationNorm: 'perturbation',
          perturbedLoss: 'perturbed loss',
          descentGradNorm: 'descent gradient',
        };
        if (this.onNonFinite === 'skip') {
          report.skipped = true;
          report.skipReason = `non-finite ${what[bad]} (${values[names.indexOf(bad)]})`;
          return report;
        }
        throw new NonFiniteError(
          `${this.name}: non-finite ${what[bad]} (${values[names.indexOf(bad)]}) at step ${stepNo}; the weights were left unchanged. ` +
            "Lower the learning rate or radius, check the inputs, or pass onNonFinite: 'skip' to skip such steps",
          this.name,
          stepNo,
          bad,
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
