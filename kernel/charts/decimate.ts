/**
 * Decimation of long series, so that a chart of a million training steps stays a few kilobytes and draws fast.
 *
 * Min/max bucketing: the first and last points are kept; the points between are cut into B equal-count
 * buckets, and from each bucket the points holding the smallest and the largest finite y are kept, in their
 * original order. So at most 2B + 2 ≤ maxPoints points remain, spikes survive (a loss blow-up is never
 * averaged away), and the global minimum and maximum are always kept.
 * A bucket with no finite y keeps its first point, so a run of NaN/Infinity (a diverged loss) still shows as a gap.
 */

/** Smallest maxPoints accepted: first, last and one bucket. */
export const MIN_MAX_POINTS = 4;

/** Default bound on the points of one series, in the config and in the PNG. */
export const DEFAULT_MAX_POINTS = 1000;

/** Checks a maxPoints option and returns it (default 1000). */
export function checkMaxPoints(maxPoints: number | undefined, where: string): number {
  const m = maxPoints ?? DEFAULT_MAX_POINTS;
  if (!Number.isInteger(m) || m < MIN_MAX_POINTS) {
    throw new RangeError(`${where}: maxPoints must be an integer >= ${MIN_MAX_POINTS} (got ${m}); the default is ${DEFAULT_MAX_POINTS}`);
  }
  return m;
}

/** Indices (ascending) of the points of `y` kept by min/max bucketing to at most `maxPoints` points. */
export function decimateIndices(y: ArrayLike<number>, maxPoints: number): number[] {
  const n = y.length;
  if (n <= maxPoints) return Array.from({ length: n }, (_, i) => i);
  const buckets = Math.floor((maxPoints - 2) / 2);
  const inner = n - 2;
  const kept: number[] = [0];
  for (let b = 0; b < buckets; b++) {
    const start = 1 + Math.floor((b * inner) / buckets);
    const end = 1 + Math.floor(((b + 1) * inner) / buckets);
    let lo = -1;
    let hi = -1;
    for (let i = start; i < end; i++) {
      const v = y[i];
      if (!Number.isFinite(v)) continue;
      if (lo < 0 || v < y[lo]) lo = i;
      if (hi < 0 || v > y[hi]) hi = i;
    }
    if (lo < 0) kept.push(start);
    else if (lo === hi) kept.push(lo);
    else kept.push(Math.min(lo, hi), Math.max(lo, hi));
  }
  kept.push(n - 1);
  return kept;
}

/** Indices of at most `maxPoints` points evenly spaced along a path, first and last included (for 2-D paths). */
export function strideIndices(n: number, maxPoints: number): number[] {
  if (n <= maxPoints) return Array.from({ length: n }, (_, i) => i);
  const out: number[] = [];
  for (let k = 0; k < maxPoints; k++) out.push(Math.round((k * (n - 1)) / (maxPoints - 1)));
  return out;
}
