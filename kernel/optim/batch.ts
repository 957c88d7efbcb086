/**
 * Batches and micro-batches. A batch is (x, y[, mask]); a step may cut it into n micro-batches (m-sharpness) or
 * take several (gradient accumulation). Micro-batch k counts with weight wₖ = cₖ / Σc, cₖ its number of loss
 * positions (the mask's sum for masked sequence losses, else y's element count), so Σ wₖ·(mean loss)ₖ is the
 * mean over the whole batch, and the same for gradients.
 */
import * as tf from '@tensorflow/tfjs';
import { OptimConfigError } from '../core';

/** A training batch: inputs, class-index labels, and for sequence logits an optional padding mask. */
export interface Batch {
  x: tf.Tensor;
  /** Class indices, int32 [B] (or [B, T] for sequence logits [B, T, C]). */
  y: tf.Tensor;
  /** 1 for positions that count, 0 for padding; the shape of y. */
  mask?: tf.Tensor;
}

export function checkBatch(batch: Batch): void {
  if (!batch || !(batch.x instanceof tf.Tensor) || !(batch.y instanceof tf.Tensor)) {
    throw new OptimConfigError('a batch must be {x: tf.Tensor, y: tf.Tensor (class indices), mask?: tf.Tensor}');
  }
  const B = batch.x.shape[0];
  if (batch.y.shape[0] !== B) {
    throw new OptimConfigError(
      `batch shapes do not match: x has ${B} examples ([${batch.x.shape}]) but y has ${batch.y.shape[0]} ([${batch.y.shape}]): give one label per example`,
    );
  }
  if (batch.mask && !tf.util.arraysEqual(batch.mask.shape, batch.y.shape)) {
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
export function weighted<T extends tf.Tensor>(ts: T[], w: number[]): T {
  if (ts.length === 1) return ts[0].clone() as T;
  return tf.addN(ts.map((t, k) => tf.mul(t, w[k]))) as T;
}

/** Concatenates per-micro-batch logits/masks along axis 0 (a missing mask counts as all ones). */
export function concatParts(ts: tf.Tensor[], what: string): tf.Tensor {
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
