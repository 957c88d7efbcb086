/**
 * Linear centred kernel alignment (Kornblith et al., 2019, "Similarity of Neural Network
 * Representations Revisited", Eq. 5), as the TRAM paper compares pre-trained and fine-tuned
 * penultimate features (Appendix B.8, Table 6):
 *
 *     X̃ = X − 1·mean(X),  Ỹ = Y − 1·mean(Y)          (centre every column)
 *     CKA(X, Y) = ‖ỸᵀX̃‖²_F / ( ‖X̃ᵀX̃‖_F · ‖ỸᵀỸ‖_F )
 *
 * for X [n, d₁], Y [n, d₂] holding features of the same n examples in the same order.
 * CKA ∈ [0, 1]; it is invariant to orthogonal transforms and isotropic scaling of either side.
 * When n is small next to the widths, the same value is computed from the n×n Gram matrices
 * K = X̃X̃ᵀ, L = ỸỸᵀ as ⟨K, L⟩_F / (‖K‖_F‖L‖_F) (‖ỸᵀX̃‖²_F = tr(KL)), which is cheaper.
 */
import * as tf from '@tensorflow/tfjs';

const FN = 'linearCka';

function asMatrix(name: string, m: tf.Tensor | number[][]): tf.Tensor2D {
  if (!Array.isArray(m) && typeof (m as unknown as tf.Tensor)?.dataSync === 'function') {
    const t = m as tf.Tensor;
    if (t.rank !== 2) throw new Error(`${FN}: ${name} must be a matrix [n, d] of features (got shape [${t.shape}]): flatten or reshape it to [examples, features]`);
    return t.toFloat() as tf.Tensor2D;
  }
  if (!Array.isArray(m) || !Array.isArray(m[0])) throw new Error(`${FN}: ${name} must be a tf.Tensor2D or a number[][] (got ${typeof m})`);
  return tf.tensor2d(m as number[][], undefined, 'float32');
}

/** Linear CKA between two feature matrices with the same rows; returns a number in [0, 1]. */
export function linearCka(x: tf.Tensor | number[][], y: tf.Tensor | number[][]): number {
  const parts = tf.tidy(() => {
    const X = asMatrix('x', x);
    const Y = asMatrix('y', y);
    const [n, d1] = X.shape;
    const d2 = Y.shape[1];
    if (Y.shape[0] !== n) {
      throw new Error(`${FN}: x and y must have the same number of rows (examples), got ${n} and ${Y.shape[0]}: pass features of the same examples in the same order`);
    }
    if (n < 2) throw new Error(`${FN}: need at least 2 examples (got ${n}): centring one row leaves nothing`);
    const xc = tf.sub(X, tf.mean(X, 0, true));
    const yc = tf.sub(Y, tf.mean(Y, 0, true));
    const featureCost = d1 * d2 + d1 * d1 + d2 * d2;
    const gramCost = n * n * 3;
    let num: tf.Tensor;
    let nx: tf.Tensor;
    let ny: tf.Tensor;
    if (featureCost <= gramCost) {
      const xt = tf.transpose(xc);
      const yt = tf.transpose(yc);
      num = tf.sum(tf.square(tf.matMul(yt, xc)));
      nx = tf.norm(tf.matMul(xt, xc));
      ny = tf.norm(tf.matMul(yt, yc));
    } else {
      const k = tf.matMul(xc, tf.transpose(xc));
      const l = tf.matMul(yc, tf.transpose(yc));
      num = tf.sum(tf.mul(k, l));
      nx = tf.norm(k);
      ny = tf.norm(l);
    }
    return tf.stack([num, nx, ny]);
  });
  const [num, nx, ny] = Array.from(parts.dataSync());
  parts.dispose();
  if (!(nx > 0)) throw new Error(`${FN}: x has no variance (every row is the same after centring the columns): CKA is undefined`);
  if (!(ny > 0)) throw new Error(`${FN}: y has no variance (every row is the same after centring the columns): CKA is undefined`);
  return num / (nx * ny);
}
