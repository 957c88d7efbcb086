/**
 * Task loss: mean sparse softmax cross-entropy,
 *   L = −(1/N) Σ_n log softmax(ℓ_n)[y_n],
 * over every position n (B rows for logits [B, C]; B·T for sequence logits [B, T, C]; only positions whose
 * mask is 1 when a mask is given). Labels are class indices. Built from oneHot × logSoftmax, which has
 * gradients on every backend (gather's gradient is missing on wasm).
 */
import * as tf from '@tensorflow/tfjs';
import { OptimConfigError } from '../core';

export function sparseCrossEntropy(logits: tf.Tensor, labels: tf.Tensor, mask?: tf.Tensor): tf.Scalar {
  const C = logits.shape[logits.rank - 1];
  const lead = logits.shape.slice(0, -1);
  if (labels.shape.length !== lead.length || labels.shape.some((d, i) => d !== lead[i])) {
    throw new OptimConfigError(
      `labels have shape [${labels.shape}] but logits [${logits.shape}]: labels must be class indices of shape ` +
        `[${lead}] (logits without the class axis)`,
    );
  }
  return tf.tidy(() => {
    const flat = logits.reshape([-1, C]);
    const y = labels.reshape([-1]).toInt();
    const nll = tf.neg(tf.sum(tf.mul(tf.oneHot(y, C), tf.logSoftmax(flat)), -1));
    if (!mask) return tf.mean(nll) as tf.Scalar;
    const m = mask.reshape([-1]).toFloat();
    return tf.div(tf.sum(tf.mul(nll, m)), tf.maximum(tf.sum(m), 1)) as tf.Scalar;
  });
}
