/**
 * Filter-normalised random directions (Li et al., 2018, "Visualizing the Loss Landscape of Neural
 * Nets", §4): draw d ~ N(0, I) shaped like θ, then rescale every filter to the norm of the same
 * filter of θ:
 *
 *     d_{i,j} ← d_{i,j} / ‖d_{i,j}‖ · ‖θ_{i,j}‖
 *
 * where j runs over the filters of layer i. For a convolution a filter is one output channel; a
 * dense layer counts as a 1×1 convolution, so a filter is the weights feeding one output unit.
 * In tfjs layouts (dense kernel [in, out], conv2d kernel [h, w, in, out]) the output unit is the
 * LAST axis, so a filter is a slice along it: `filterAxis: 'last'` (default). For parameters laid
 * out [out, …] (PyTorch style) use `filterAxis: 'first'` (a filter is then a row).
 *
 * One-dimensional parameters (biases, BatchNorm/LayerNorm scales and shifts) and scalars: Li et
 * al. set their direction to zero (`oneD: 'zero'`, default); their released code can instead
 * copy θ itself (`oneD: 'copy'`).
 */
import * as tf from '@tensorflow/tfjs';
import { InputError } from '../core';
import { seededNormals } from './params';

export interface DirectionOptions {
  /** Seed of the Gaussian draw (default 0). Same seed, same direction on every backend. */
  seed?: number;
  /** Which axis indexes the filters of a tensor of rank ≥ 2 (default 'last', the tfjs layout). */
  filterAxis?: 'last' | 'first';
  /** Direction for tensors of rank ≤ 1: 'zero' (default) or 'copy' (d = θ). */
  oneD?: 'zero' | 'copy';
}

/** Tiny floor so that an all-zero random filter cannot divide by zero. */
const FLOOR = 1e-10;

/**
 * Rescales `d` filter by filter to the norms of `theta`'s filters (rank ≥ 2), or applies the
 * 1-D rule. Returns a new tensor.
 */
export function filterNormalize(d: tf.Tensor, theta: tf.Tensor, opts: Pick<DirectionOptions, 'filterAxis' | 'oneD'> = {}): tf.Tensor {
  const filterAxis = opts.filterAxis ?? 'last';
  const oneD = opts.oneD ?? 'zero';
  if (filterAxis !== 'last' && filterAxis !== 'first') throw new InputError(`filterNormalize: filterAxis must be 'last' or 'first' (got ${String(filterAxis)})`);
  if (oneD !== 'zero' && oneD !== 'copy') throw new InputError(`filterNormalize: oneD must be 'zero' or 'copy' (got ${String(oneD)})`);
  if (!tf.util.arraysEqual(d.shape, theta.shape)) throw new InputError(`filterNormalize: direction shape [${d.shape}] differs from parameter shape [${theta.shape}]`);
  return tf.tidy(() => {
    if (theta.rank <= 1) return oneD === 'zero' ? tf.zerosLike(theta) : tf.clone(theta);
    // view as [filters, rest] (first) or [rest, filters] (last); norms over `rest`
    const filters = filterAxis === 'last' ? theta.shape[theta.rank - 1] : theta.shape[0];
    const shape2 = filterAxis === 'last' ? [-1, filters] : [filters, -1];
    const axis = filterAxis === 'last' ? 0 : 1;
    const d2 = tf.reshape(d, shape2);
    const t2 = tf.reshape(theta, shape2);
    const dn = tf.norm(d2, 'euclidean', axis, true);
    const tn = tf.norm(t2, 'euclidean', axis, true);
    return tf.reshape(tf.mul(d2, tf.div(tn, tf.add(dn, FLOOR))), theta.shape);
  });
}

/** A seeded filter-normalised random direction for `params` (one tensor each; the caller disposes). */
export function filterNormalizedDirection(params: readonly tf.Tensor[], opts: DirectionOptions = {}): tf.Tensor[] {
  const seed = opts.seed ?? 0;
  if (!Number.isInteger(seed)) throw new InputError(`filterNormalizedDirection: seed must be an integer (got ${seed})`);
  const raw = seededNormals(params.map((p) => p.shape), seed);
  try {
    return raw.map((d, i) => filterNormalize(d, params[i], opts));
  } finally {
    tf.dispose(raw);
  }
}
