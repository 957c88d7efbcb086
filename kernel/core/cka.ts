/**
 * Linear centred kernel alignment (Kornblith et al., 2019, "Similarity of Neural Network Representations
 * Revisited", Eq. 5), as the TRAM paper compares pre-trained and fine-tuned penultimate features (Appendix B.8,
 * Table 6):
 *
 *     X̃ = X − 1·mean(X),  Ỹ = Y − 1·mean(Y)          (centre every column)
 *     CKA(X, Y) = ‖ỸᵀX̃‖²_F / ( ‖X̃ᵀX̃‖_F · ‖ỸᵀỸ‖_F )
 *
 * for X [n, d₁], Y [n, d₂] holding features of the same n examples in the same order. CKA ∈ [0, 1]; it is
 * invariant to orthogonal transforms and isotropic scaling of either side. When n is small next to the widths
 * the same value is computed from the n×n Gram matrices K = X̃X̃ᵀ, L = ỸỸᵀ as ⟨K, L⟩_F / (‖K‖_F‖L‖_F)
 * (‖ỸᵀX̃‖²_F = tr(KL)), which is cheaper.
 *
 *   linearCka(x, y)       a scalar tensor (NaN when a side has no variance); never frees x or y
 *   linearCkaValue(x, y)  the number, with a clear error when a side has no variance
 */
import * as tf from '@tensorflow/tfjs';
import { InputError } from './errors';

const FN = 'linearCka';

/** Features as a matrix: a tf.Tensor2D or number[][] (rows = examples). */
export type Features = tf.Tensor | number[][];

function asMatrix(name: string, m: Features): tf.Tensor2D {
  if (!Array.isArray(m) && typeof (m as tf.Tensor | undefined)?.dataSync === 'function') {
    const t = m as tf.Tensor;
    if (t.rank !== 2) throw new InputError(`${FN}: ${name} must be a matrix [n, d] of features (got shape [${t.shape}]): flatten or reshape it to [examples, features]`);
    return t.toFloat() as tf.Tensor2D;
  }
  if (!Array.isArray(m) || !Array.isArray(m[0])) throw new InputError(`${FN}: ${name} must be a tf.Tensor2D or a number[][] (got ${typeof m})`);
  return tf.tensor2d(m as number[][], undefined, 'float32');
}

/** [‖ỸᵀX̃‖²_F, ‖X̃ᵀX̃‖_F, ‖ỸᵀỸ‖_F] as one tensor [3]. */
function ckaParts(x: Features, y: Features): tf.Tensor1D {
  return tf.tidy(() => {
    const X = asMatrix('x', x);
    const Y = asMatrix('y', y);
    const [n, d1] = X.shape;
    const d2 = Y.shape[1];
    if (Y.shape[0] !== n) {
      throw new InputError(`${FN}: x and y must have the same number of rows (examples), got ${n} and ${Y.shape[0]}: pass features of the same examples in the same order`);
    }
    if (n < 2) throw new InputError(`${FN}: need at least 2 examples (got ${n}): centring one row leaves nothing`);
    const xc = tf.sub(X, tf.mean(X, 0, true));
    const yc = tf.sub(Y, tf.mean(Y, 0, true));
    if (d1 * d2 + d1 * d1 + d2 * d2 <= n * n * 3) {
      const xt = tf.transpose(xc);
      const yt = tf.transpose(yc);
      return tf.stack([tf.sum(tf.square(tf.matMul(yt, xc))), tf.norm(tf.matMul(xt, xc)), tf.norm(tf.matMul(yt, yc))]) as tf.Tensor1D;
    }
    const k = tf.matMul(xc, tf.transpose(xc));
    const l = tf.matMul(yc, tf.transpose(yc));
    return tf.stack([tf.sum(tf.mul(k, l)), tf.norm(k), tf.norm(l)]) as tf.Tensor1D;
  });
}

/** Linear CKA as a scalar tensor (the caller owns it; NaN when x or y has no variance). */
export function linearCka(x: Features, y: Features): tf.Scalar {
  return tf.tidy(() => {
    const [num, nx, ny] = tf.unstack(ckaParts(x, y));
    return tf.div(num, tf.mul(nx, ny)) as tf.Scalar;
  });
}

/** Linear CKA as a number in [0, 1]; throws when x or y has no variance (CKA is undefined there). */
export function linearCkaValue(x: Features, y: Features): number {
  const parts = ckaParts(x, y);
  const [num, nx, ny] = Array.from(parts.dataSync());
  parts.dispose();
  if (!(nx > 0)) throw new InputError(`${FN}: x has no variance (every row is the same after centring the columns): CKA is undefined`);
  if (!(ny > 0)) throw new InputError(`${FN}: y has no variance (every row is the same after centring the columns): CKA is undefined`);
  return num / (nx * ny);
}
