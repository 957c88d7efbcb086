/**
 * Linear CKA (Kornblith et al. 2019) between two representations of the same n examples:
 * with column-centred X [n, d1] and Y [n, d2],
 *   CKA(X, Y) = ‖YᵀX‖²_F / (‖XᵀX‖_F · ‖YᵀY‖_F).
 * Used by the paper (Table 6) to measure how close fine-tuned features stay to the pre-trained ones.
 */
import * as tf from '@tensorflow/tfjs';
import { OptimConfigError } from './errors';

export function linearCka(x: tf.Tensor2D, y: tf.Tensor2D): tf.Scalar {
  if (x.rank !== 2 || y.rank !== 2 || x.shape[0] !== y.shape[0]) {
    throw new OptimConfigError(
      `linearCka needs two matrices with the same number of rows (got [${x.shape}] and [${y.shape}]): ` +
        'pass features [n, d1] and [n, d2] of the same n examples',
    );
  }
  return tf.tidy(() => {
    const xc = tf.sub(x, tf.mean(x, 0, true));
    const yc = tf.sub(y, tf.mean(y, 0, true));
    const fro = (a: tf.Tensor, b: tf.Tensor) => tf.sum(tf.square(tf.matMul(a, b, true, false)));
    const num = fro(yc, xc);
    const den = tf.sqrt(tf.mul(fro(xc, xc), fro(yc, yc)));
    return tf.div(num, den) as tf.Scalar;
  });
}
