/**
 * The small network every experiment fine-tunes: an MLP `in → h1 → h2 → classes` with tanh activations, written
 * as a function of an explicit weight list so that the same code evaluates the live weights, a checkpoint, the
 * pre-trained weights or an EMA copy.
 *
 *   e = x·W0 + b0              ("embedding": for bag-of-words inputs this sums one learned vector per token)
 *   h = tanh(tanh(e)·W1 + b1)  (penultimate features, compared with CKA)
 *   logits = h·W2 + b2
 *
 * Dropout (`--dropout P`, `shape.dropout` = P > 0): in training mode, inverted dropout with rate P on tanh(e) and on
 * h (the inputs of the second and third layers); masks are drawn from a seeded {@link DropoutSeeds} so runs
 * reproduce. Inference mode (evaluation, CKA, sharpness, TRAM's target passes) never drops.
 *
 * Noise for the trust-region methods (R3F, TRAM-x, TRAM-Fisher) is added either to the input x (continuous
 * inputs such as pixels) or to the embedding e (bag-of-words inputs), as the paper adds it to input embeddings.
 */
import * as tf from '@tensorflow/tfjs';
import { Rng } from './rng';

export type NoiseSite = 'input' | 'embedding';

export interface MlpShape {
  readonly inputs: number;
  readonly hidden: readonly [number, number];
  readonly classes: number;
  readonly noiseAt: NoiseSite;
  /** Dropout rate between layers in training mode; 0 or absent: none. */
  readonly dropout?: number;
}

/** Source of per-call dropout seeds: each training-mode pass draws a fresh mask. */
export interface DropoutSeeds {
  next(): number;
}

/** Training-mode dropout on `h` when the shape has a rate and seeds are given; identity otherwise. */
function drop<T extends tf.Tensor>(shape: MlpShape, h: T, seeds?: DropoutSeeds): T {
  const p = shape.dropout ?? 0;
  if (!seeds || p <= 0) return h;
  return tf.dropout(h, p, undefined, seeds.next()) as T;
}

/** Weights as plain arrays: [W0, b0, W1, b1, W2, b2] with their shapes. A checkpoint. */
export interface Snapshot {
  readonly values: Float32Array[];
  readonly shapes: number[][];
}

export function weightShapes(s: MlpShape): number[][] {
  const [h1, h2] = s.hidden;
  return [[s.inputs, h1], [h1], [h1, h2], [h2], [h2, s.classes], [s.classes]];
}

/** Glorot-uniform kernels and zero biases, drawn from `rng`. */
export function initSnapshot(s: MlpShape, rng: Rng): Snapshot {
  const shapes = weightShapes(s);
  const values = shapes.map((sh) => {
    const v = new Float32Array(sh.reduce((a, b) => a * b, 1));
    if (sh.length === 2) {
      const lim = Math.sqrt(6 / (sh[0] + sh[1]));
      for (let i = 0; i < v.length; i++) v[i] = (2 * rng.next() - 1) * lim;
    }
    return v;
  });
  return { values, shapes };
}

export interface Outputs {
  readonly embedding: tf.Tensor2D;
  readonly features: tf.Tensor2D;
  readonly logits: tf.Tensor2D;
}

/**
 * Forward pass with weights `w`; `noise` (same shape as the noise site) is added at `shape.noiseAt`. Training
 * mode (dropout on) when `seeds` is given, inference mode otherwise.
 */
export function forward(shape: MlpShape, w: readonly tf.Tensor[], x: tf.Tensor2D, noise?: tf.Tensor2D, seeds?: DropoutSeeds): Outputs {
  const [W0, b0, W1, b1, W2, b2] = w as tf.Tensor2D[];
  const xin = noise && shape.noiseAt === 'input' ? x.add(noise) : x;
  let e = xin.matMul(W0).add(b0) as tf.Tensor2D;
  if (noise && shape.noiseAt === 'embedding') e = e.add(noise);
  const features = tf.tanh(drop(shape, tf.tanh(e), seeds).matMul(W1).add(b1)) as tf.Tensor2D;
  const logits = drop(shape, features, seeds).matMul(W2).add(b2) as tf.Tensor2D;
  return { embedding: e, features, logits };
}

/** The model split at the noise site, for adapters that add noise to "input embeddings": forward = body(embed(x)). */
export function embedPart(shape: MlpShape, w: readonly tf.Tensor[], x: tf.Tensor): tf.Tensor {
  return shape.noiseAt === 'input' ? x : x.matMul(w[0] as tf.Tensor2D).add(w[1]);
}

export function bodyPart(shape: MlpShape, w: readonly tf.Tensor[], e: tf.Tensor, seeds?: DropoutSeeds): tf.Tensor {
  const [W0, b0, W1, b1, W2, b2] = w as tf.Tensor2D[];
  const pre = shape.noiseAt === 'input' ? (e as tf.Tensor2D).matMul(W0).add(b0) : e;
  const h = tf.tanh(drop(shape, tf.tanh(pre), seeds).matMul(W1).add(b1));
  return drop(shape, h, seeds).matMul(W2).add(b2);
}

/** Shape of the noise tensor for a batch of `n` rows. */
export function noiseShape(shape: MlpShape, n: number): [number, number] {
  return shape.noiseAt === 'input' ? [n, shape.inputs] : [n, shape.hidden[0]];
}

/** Live weights as tf.Variables, created from a snapshot. */
export function toVariables(s: Snapshot, prefix: string): tf.Variable[] {
  return tf.tidy(() => s.values.map((v, i) => tf.variable(tf.tensor(v, s.shapes[i]), true, `${prefix}/w${i}`)));
}

export function snapshotOf(vars: readonly tf.Tensor[]): Snapshot {
  return { values: vars.map((v) => v.dataSync().slice() as Float32Array), shapes: vars.map((v) => v.shape.slice()) };
}

export function assignSnapshot(vars: readonly tf.Variable[], s: Snapshot): void {
  tf.tidy(() => vars.forEach((v, i) => v.assign(tf.tensor(s.values[i], s.shapes[i]))));
}

/** Mean softmax cross-entropy of `logits` against class indices `y`. */
export function crossEntropy(logits: tf.Tensor2D, y: tf.Tensor1D, classes: number): tf.Scalar {
  return tf.losses.softmaxCrossEntropy(tf.oneHot(y, classes), logits) as tf.Scalar;
}
