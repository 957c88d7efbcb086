/**
 * The evaluation figures of the paper's Table 6, for the experiment MLP: accuracy, ε-sharpness (Keskar et al.
 * 2017 with A = I, paper Appendix B.7) and linear CKA (Kornblith et al. 2019) between pre-trained and
 * fine-tuned penultimate features.
 */
import * as tf from '@tensorflow/tfjs';
import { Dataset } from './data/dataset';
import { MlpShape, Snapshot, forward, crossEntropy } from './model';
import { epsilonSharpness as analysisSharpness } from '../analysis/sharpness';
import { linearCkaValue } from '../core';

function tensorsOf(d: Dataset, limit = d.n): { x: tf.Tensor2D; y: tf.Tensor1D } {
  const n = Math.min(limit, d.n);
  return { x: tf.tensor2d(d.x.subarray(0, n * d.dim), [n, d.dim]), y: tf.tensor1d(d.y.subarray(0, n), 'int32') };
}

function weightTensors(s: Snapshot): tf.Tensor[] {
  return s.values.map((v, i) => tf.tensor(v, s.shapes[i]));
}

/** Fraction of `d` classified correctly by weights `w`. */
export function accuracy(shape: MlpShape, w: Snapshot, d: Dataset): number {
  return tf.tidy(() => {
    const { x, y } = tensorsOf(d);
    const pred = forward(shape, weightTensors(w), x).logits.argMax(1);
    return pred.equal(y).sum().dataSync()[0] / d.n;
  });
}

/** Mean cross-entropy of weights `w` on `d`. */
export function meanLoss(shape: MlpShape, w: Snapshot, d: Dataset): number {
  return tf.tidy(() => {
    const { x, y } = tensorsOf(d);
    return crossEntropy(forward(shape, weightTensors(w), x).logits, y, shape.classes).dataSync()[0];
  });
}

export interface SharpnessOptions {
  /** Box size ε: |δ_i| ≤ ε(|θ_i| + 1). */
  readonly epsilon: number;
  /** Projected ascent steps. */
  readonly steps: number;
  /** Examples used (the first n of the set). */
  readonly samples: number;
  /** Start of the ascent (default 'zero', as the committed results were measured). */
  readonly start?: 'zero' | 'random';
}

/**
 * ε-sharpness φ = 100·(max_{δ∈C_ε} L(θ+δ) − L(θ)) / (1 + L(θ)), C_ε = {δ : |δ_i| ≤ ε(|θ_i|+1)}, measured by the
 * analysis module's {@link analysisSharpness} (projected sign ascent, step ε(|θ|+1)/2, from δ = 0 unless
 * `o.start` says otherwise; the largest loss over every iterate is kept).
 */
export function epsilonSharpness(shape: MlpShape, w: Snapshot, d: Dataset, o: SharpnessOptions): number {
  const vars = tf.tidy(() => weightTensors(w).map((t) => tf.variable(t)));
  const { x, y } = tensorsOf(d, o.samples);
  try {
    const loss = () => crossEntropy(forward(shape, vars, x).logits, y, shape.classes);
    return analysisSharpness(vars, loss, { epsilon: o.epsilon, steps: o.steps, method: 'sign', stepSize: 0.5, start: o.start ?? 'zero', seed: 0 }).sharpness;
  } finally {
    tf.dispose([x, y, ...vars]);
  }
}

/** CKA between the penultimate features of weights `a` and `b` on the first `samples` examples of `d`. */
export function featureCka(shape: MlpShape, a: Snapshot, b: Snapshot, d: Dataset, samples: number): number {
  return tf.tidy(() => {
    const { x } = tensorsOf(d, samples);
    return linearCkaValue(forward(shape, weightTensors(a), x).features, forward(shape, weightTensors(b), x).features);
  });
}
