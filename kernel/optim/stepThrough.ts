/**
 * A step taken stage by stage, for notebooks (and the stepper widget) that show each component: first gradient,
 * divergence, radius, perturbation, perturbed gradient, descent. Each stage returns its figures as numbers; the
 * stages' tensors (g, ε, h, logits) are readable until the step ends. Which earlier stages a stage needs is the
 * pass's business (pass.ts), not this wrapper's.
 */
import * as tf from '@tensorflow/tfjs';
import { OptimConfigError, globalNorm, scalarValue } from '../core';
import { Pass } from './pass';
import { Figures, StepReport } from './report';

/**
 * A step taken stage by stage, for notebooks that show each component. Create with
 * `optimizer.begin(model, batch)`; call the stages in order (a later stage runs the earlier ones it needs);
 * `descend()` finishes the step, `dispose()` abandons it (θ is restored). Tensors exposed here belong to the
 * step and are freed by descend()/dispose().
 */
export class StepThrough {
  private done = false;
  constructor(
    private readonly pass: Pass,
    /** Applies the descent (the optimizer's finish) and returns the step's report. */
    private readonly finish: (pass: Pass) => StepReport,
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
      this.pass.measureDivergence();
      return { divergence: this.read('divergence') };
    });
  }

  /** Stage 3: the radius r. */
  radius(): { radius?: number } {
    return this.guard(() => {
      this.pass.computeRadius();
      return { radius: this.read('radius') };
    });
  }

  /** Stage 4: ε, applied to the weights (θ + ε until the next stage). */
  perturbation(): { perturbationNorm?: number } {
    return this.guard(() => {
      this.pass.perturb();
      return { perturbationNorm: this.read('perturbationNorm') };
    });
  }

  /** Stage 5: the perturbed gradient h = ∇L(θ + ε); θ restored afterwards. */
  perturbedGradient(): { perturbedLoss?: number; perturbedGradNorm?: number } {
    return this.guard(() => {
      this.pass.perturbedGradient();
      const h = this.pass.perturbedGrad;
      const n = h ? scalarValue(() => globalNorm(h)) : undefined;
      return { perturbedLoss: this.read('perturbedLoss'), perturbedGradNorm: n };
    });
  }

  /** First-pass gradient g (one tensor per trainable variable), or null before stage 1. */
  get gradient(): tf.Tensor[] | null {
    return this.pass.gradient;
  }
  /** The perturbation ε, or null before stage 4 / without ascent. */
  get epsilon(): tf.Tensor[] | null {
    return this.pass.epsilon;
  }
  /** The perturbed gradient h, or null before stage 5. */
  get perturbedGrad(): tf.Tensor[] | null {
    return this.pass.perturbedGrad;
  }
  /** First-pass logits p. */
  get logits(): tf.Tensor | null {
    return this.pass.logits;
  }

  /** Stage 6: the base optimizer applies the descent gradient. Returns the step's report. */
  descend(): StepReport {
    return this.guard(() => {
      try {
        return this.finish(this.pass);
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
