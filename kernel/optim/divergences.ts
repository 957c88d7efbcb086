/**
 * Trust-region divergences between a target distribution and the current model's, both given as logits
 * [B, C] or [B, T, C] (paper Eqs. 4–5 and Appendix C.5). Arguments are always (target, current).
 *
 * - KL, per position and summed over classes, with p = softmax(target), q = softmax(current):
 *   forward KL(p‖q) = Σ_c p (log p − log q) (the paper's default), reverse KL(q‖p), symmetric = their sum.
 * - L2: ‖current − target‖₂ over the class axis on raw logits.
 * - MMD on raw logits [B, C] with pairwise squared distances D and the bandwidths
 *   k ∈ {0.1, 0.2, 0.5, 1, 2, 5, 10} summed: imq k/(k+D), imq2 (k²+D)^−½, imq3 k²/(k²+D), rbf exp(−D/(2k));
 *   value mean(Kxx + Kyy − 2Kxy).
 *
 * Reductions: `batchmean` averages per-position values over all positions (B, or B·T; positions with mask 0
 * are left out). `official` reproduces the TRAM authors' released `kl.py`: KL summed over everything, divided by
 * the number of logit entries and then by B again (so d ≈ KL/(C·B)); L2 and MMD are divided by B again.
 * Use it only to reproduce released-code runs, usually with a divergence `scale`.
 */
import * as tf from '@tensorflow/tfjs';
import { OptimConfigError, checkOneOf } from '../core';

export type KlDirection = 'forward' | 'reverse' | 'symmetric';
export type Reduction = 'batchmean' | 'official';
export type MmdKernel = 'imq' | 'imq2' | 'imq3' | 'rbf';

/** The `divergence` object of a TRAM method config (FORMAT.md). */
export type DivergenceSpec =
  | { kind: 'kl'; direction?: KlDirection; reduction?: Reduction }
  | { kind: 'l2'; reduction?: Reduction }
  | { kind: 'mmd'; kernel?: MmdKernel; reduction?: Reduction };

export const MMD_BANDWIDTHS = [0.1, 0.2, 0.5, 1, 2, 5, 10] as const;

/** Checks a divergence spec and fills its defaults (forward, batchmean, imq2). */
export function normalizeDivergence(spec: unknown): DivergenceSpec {
  if (!spec || typeof spec !== 'object') {
    throw new OptimConfigError(
      `divergence must be an object like {kind: 'kl', direction: 'forward', reduction: 'batchmean'} (got ${JSON.stringify(spec)})`,
    );
  }
  const s = spec as Record<string, unknown>;
  const kind = checkOneOf('divergence.kind', s.kind, ['kl', 'l2', 'mmd'] as const);
  const reduction = checkOneOf('divergence.reduction', s.reduction ?? 'batchmean', ['batchmean', 'official'] as const);
  if (kind === 'kl') {
    const direction = checkOneOf('divergence.direction', s.direction ?? 'forward', ['forward', 'reverse', 'symmetric'] as const);
    return { kind, direction, reduction };
  }
  if (kind === 'mmd') {
    const kernel = checkOneOf('divergence.kernel', s.kernel ?? 'imq2', ['imq', 'imq2', 'imq3', 'rbf'] as const);
    return { kind, kernel, reduction };
  }
  return { kind, reduction };
}

function checkPair(target: tf.Tensor, current: tf.Tensor, mask?: tf.Tensor): void {
  if (target.rank < 2 || target.shape.some((d, i) => d !== current.shape[i]) || target.rank !== current.rank) {
    throw new OptimConfigError(
      `divergence needs target and current logits of the same shape [B, C] or [B, T, C] (got [${target.shape}] and [${current.shape}])`,
    );
  }
  if (mask) {
    const lead = target.shape.slice(0, -1);
    if (mask.rank !== lead.length || mask.shape.some((d, i) => d !== lead[i])) {
      throw new OptimConfigError(`divergence mask has shape [${mask.shape}] but must be [${lead}] (logits without the class axis)`);
    }
  }
}

/** KL(a‖b) per position (summed over the last axis) from logits. */
export function klRows(aLogits: tf.Tensor, bLogits: tf.Tensor): tf.Tensor {
  return tf.tidy(() => {
    const la = tf.logSoftmax(aLogits);
    const lb = tf.logSoftmax(bLogits);
    return tf.sum(tf.mul(tf.exp(la), tf.sub(la, lb)), -1);
  });
}

/** Per-position values [B] or [B, T] reduced by `reduction`; mask (same shape, 1 = keep) optional. */
function reduceRows(rows: tf.Tensor, reduction: Reduction, B: number, perRowDivisor: number, mask?: tf.Tensor): tf.Scalar {
  const m = mask ? mask.toFloat() : null;
  const total = m ? tf.sum(tf.mul(rows, m)) : tf.sum(rows);
  const count = m ? tf.maximum(tf.sum(m), 1) : tf.scalar(rows.size);
  const mean = tf.div(total, count);
  if (reduction === 'batchmean') return mean as tf.Scalar;
  return tf.div(mean, perRowDivisor * B) as tf.Scalar;
}

/** KL divergence between target and current logits (see the module doc). */
export function klDivergence(
  target: tf.Tensor,
  current: tf.Tensor,
  direction: KlDirection = 'forward',
  reduction: Reduction = 'batchmean',
  mask?: tf.Tensor,
): tf.Scalar {
  checkPair(target, current, mask);
  return tf.tidy(() => {
    const rows =
      direction === 'forward'
        ? klRows(target, current)
        : direction === 'reverse'
          ? klRows(current, target)
          : tf.add(klRows(target, current), klRows(current, target));
    // official: sum / (number of logit entries) / B = mean over positions / C / B
    return reduceRows(rows, reduction, target.shape[0], target.shape[target.rank - 1], mask);
  });
}

/** Mean over positions of ‖current − target‖₂ on raw logits; `official` divides by B again. */
export function l2Distance(target: tf.Tensor, current: tf.Tensor, reduction: Reduction = 'batchmean', mask?: tf.Tensor): tf.Scalar {
  checkPair(target, current, mask);
  return tf.tidy(() => {
    const rows = tf.sqrt(tf.sum(tf.square(tf.sub(current, target)), -1));
    return reduceRows(rows, reduction, target.shape[0], 1, mask);
  });
}

/** Pairwise squared distances D_ij = ‖a_i − b_j‖² computed from differences (never negative). */
function pairwiseSq(a: tf.Tensor2D, b: tf.Tensor2D): tf.Tensor2D {
  return tf.sum(tf.square(tf.sub(a.expandDims(1), b.expandDims(0))), -1) as tf.Tensor2D;
}

function mmdKernel(d: tf.Tensor, kernel: MmdKernel): tf.Tensor {
  const parts = MMD_BANDWIDTHS.map((k) => {
    switch (kernel) {
      case 'imq':
        return tf.div(k, tf.add(d, k));
      case 'imq2':
        return tf.rsqrt(tf.add(d, k * k));
      case 'imq3':
        return tf.div(k * k, tf.add(d, k * k));
      case 'rbf':
        return tf.exp(tf.mul(d, -1 / (2 * k)));
    }
  });
  return tf.addN(parts);
}

/** Maximum mean discrepancy between the rows of target and current logits (flattened to [B, ·]). */
export function mmd(target: tf.Tensor, current: tf.Tensor, kernel: MmdKernel = 'imq2', reduction: Reduction = 'batchmean'): tf.Scalar {
  checkPair(target, current);
  return tf.tidy(() => {
    const B = target.shape[0];
    const x = target.reshape([B, -1]) as tf.Tensor2D;
    const y = current.reshape([B, -1]) as tf.Tensor2D;
    const kxx = mmdKernel(pairwiseSq(x, x), kernel);
    const kyy = mmdKernel(pairwiseSq(y, y), kernel);
    const kxy = mmdKernel(pairwiseSq(x, y), kernel);
    const v = tf.mean(tf.sub(tf.add(kxx, kyy), tf.mul(kxy, 2)));
    return (reduction === 'official' ? tf.div(v, B) : v) as tf.Scalar;
  });
}

/** Evaluates a divergence spec on (target, current) logits. MMD takes no mask. */
export function divergence(spec: DivergenceSpec, target: tf.Tensor, current: tf.Tensor, mask?: tf.Tensor): tf.Scalar {
  const s = normalizeDivergence(spec);
  switch (s.kind) {
    case 'kl':
      return klDivergence(target, current, s.direction, s.reduction, mask);
    case 'l2':
      return l2Distance(target, current, s.reduction, mask);
    case 'mmd':
      if (mask) throw new OptimConfigError('the mmd divergence takes no padding mask: use kl or l2 for masked sequence logits');
      return mmd(target, current, s.kernel, s.reduction);
  }
}
