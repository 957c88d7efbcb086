/**
 * The figures of one step: which there are, their order, and how a non-finite one is named in errors. Every
 * figure is a scalar tensor while the step runs; the report reads them all with one download at the end.
 */
import * as tf from '@tensorflow/tfjs';
import { globalNorm } from '../core';
import { weighted } from './batch';

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

/**
 * The step figures in report order, each with the words an error uses for it. One table: the report keys,
 * their order and the non-finite messages all derive from it.
 */
export const STEP_FIGURES = {
  loss: 'loss',
  gradNorm: 'gradient',
  regularizedLoss: 'regularised loss',
  divergence: 'divergence',
  radius: 'radius',
  perturbationNorm: 'perturbation',
  perturbedLoss: 'perturbed loss',
  descentGradNorm: 'descent gradient',
} as const;

export type FigureName = keyof typeof STEP_FIGURES;

/** The scalar figures one pass holds (TRAM-Fisher also keeps `noisedLoss`, which is not reported). */
export type Figures = Partial<Record<FigureName | 'noisedLoss', tf.Scalar>>;

/** What a finished step read back: the report, and the first non-finite figure if any. */
export interface ReadFigures {
  report: StepReport;
  nonFinite?: { figure: FigureName; value: number; what: string };
}

/**
 * Reads the figures of the passes of one step (count-weighted over passes for m-sharpness) and ‖h‖ of the
 * descent gradient, in one download.
 */
export function readFigures(step: number, passes: { figures: Figures }[], weights: number[], descent: tf.Tensor[]): ReadFigures {
  const names: FigureName[] = [];
  const stacked = tf.tidy(() => {
    const cols: tf.Scalar[] = [];
    for (const key of Object.keys(STEP_FIGURES) as FigureName[]) {
      if (key === 'descentGradNorm') {
        names.push(key);
        cols.push(globalNorm(descent));
        continue;
      }
      const ts = passes.map((p) => p.figures[key]).filter((t): t is tf.Scalar => !!t);
      if (ts.length === 0) continue;
      names.push(key);
      cols.push(ts.length === 1 ? ts[0] : weighted(ts, weights));
    }
    return tf.stack(cols);
  });
  let values: Float32Array | Int32Array | Uint8Array;
  try {
    values = stacked.dataSync();
  } finally {
    stacked.dispose();
  }
  const report: StepReport = { step, loss: NaN, gradNorm: NaN, descentGradNorm: NaN };
  names.forEach((k, i) => (report[k] = values[i]));
  const i = names.findIndex((_, j) => !Number.isFinite(values[j]));
  return i < 0 ? { report } : { report, nonFinite: { figure: names[i], value: values[i], what: STEP_FIGURES[names[i]] } };
}
