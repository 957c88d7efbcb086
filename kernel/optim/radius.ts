/**
 * Radius rules: a constant ρ (SAM, ASAM; γ for Fisher-SAM) or TRAM's radius read each step from the
 * trust-region divergence d (paper Eq. 7): r = d · scale, then min(r, rhoMax) when rhoMax is set.
 *
 * `scale` is the released code's `logit_scale` (1 in the paper); `rhoMax` enforces the paper's d ≤ ρ bound
 * (§3, "TRAM is a subsolution of ASAM"), which the paper assumes but does not apply. Both default to off.
 */
import * as tf from '@tensorflow/tfjs';
import { checkPositive } from '../core';
import { Schedule, normalizeSchedule } from './schedule';

export interface DivergenceRadius {
  /** A number or a schedule of the step (schedule.ts). */
  scale: Schedule;
  rhoMax?: number;
}

export function checkDivergenceRadius(r: { scale?: Schedule; rhoMax?: number | null }): DivergenceRadius {
  const scale = normalizeSchedule('scale', r.scale ?? 1, 'scale multiplies the divergence d to give the radius; pass scale >= 0');
  const out: DivergenceRadius = { scale };
  if (r.rhoMax !== undefined && r.rhoMax !== null) {
    out.rhoMax = checkPositive('rhoMax', r.rhoMax, 'rhoMax caps the radius; pass rhoMax > 0 or leave it out');
  }
  return out;
}

/** r = min(d·scale, rhoMax) as a scalar tensor (no gradient flows through d). */
export function radiusFromDivergence(d: tf.Scalar, rule: { scale: number; rhoMax?: number }): tf.Scalar {
  return tf.tidy(() => {
    const r = rule.scale === 1 ? d.clone() : tf.mul(d, rule.scale);
    return (rule.rhoMax !== undefined ? tf.minimum(r, rule.rhoMax) : r) as tf.Scalar;
  });
}
