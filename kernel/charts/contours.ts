/**
 * Contour lines of a gridded surface by marching squares.
 *
 * For a level L, each grid cell whose corners are not all on one side of L is crossed by the contour; the
 * crossing on an edge between corners p and q is at p + t (q − p), t = (L − z_p) / (z_q − z_p) (linear
 * interpolation). A cell with four crossings (a saddle) is resolved by the mean of its corners, the value at its
 * centre: the contour keeps the centre on the side where it lies.
 */

export type Point = [number, number];

/** `n` levels evenly spaced strictly inside (zMin, zMax); spaced evenly in log10 z when `logZ`. */
export function contourLevels(zMin: number, zMax: number, n: number, logZ = false): number[] {
  const f = logZ ? Math.log10 : (v: number) => v;
  const g = logZ ? (v: number) => 10 ** v : (v: number) => v;
  const lo = f(zMin);
  const hi = f(zMax);
  return Array.from({ length: n }, (_, k) => g(lo + ((k + 1) / (n + 1)) * (hi - lo)));
}

/**
 * Segments of the contour z = level, for z[i][j] given at (x[j], y[i]). Cells with a non-finite corner are
 * skipped (the contour stops at missing data).
 */
export function contourSegments(x: ArrayLike<number>, y: ArrayLike<number>, z: ArrayLike<number>[], level: number): [Point, Point][] {
  const out: [Point, Point][] = [];
  for (let i = 0; i + 1 < y.length; i++) {
    for (let j = 0; j + 1 < x.length; j++) {
      // Corners counter-clockwise: a (j, i), b (j+1, i), c (j+1, i+1), d (j, i+1).
      const corners: [number, number, number][] = [
        [x[j], y[i], z[i][j]],
        [x[j + 1], y[i], z[i][j + 1]],
        [x[j + 1], y[i + 1], z[i + 1][j + 1]],
        [x[j], y[i + 1], z[i + 1][j]],
      ];
      if (corners.some((c) => !Number.isFinite(c[2]))) continue;
      const above = corners.map((c) => c[2] >= level);
      // Crossing on edge e (from corner e to corner e+1), or null.
      const cross: (Point | null)[] = [0, 1, 2, 3].map((e) => {
        const p = corners[e];
        const q = corners[(e + 1) % 4];
        if (above[e] === above[(e + 1) % 4]) return null;
        const t = (level - p[2]) / (q[2] - p[2]);
        return [p[0] + t * (q[0] - p[0]), p[1] + t * (q[1] - p[1])];
      });
      const hits = [0, 1, 2, 3].filter((e) => cross[e] !== null);
      if (hits.length === 2) {
        out.push([cross[hits[0]]!, cross[hits[1]]!]);
      } else if (hits.length === 4) {
        const centreAbove = corners.reduce((s, c) => s + c[2], 0) / 4 >= level;
        // Cut off corners b and d (edges 0|1 and 2|3) when a lies on the centre's side, else corners a and c.
        if (above[0] === centreAbove) out.push([cross[0]!, cross[1]!], [cross[2]!, cross[3]!]);
        else out.push([cross[3]!, cross[0]!], [cross[1]!, cross[2]!]);
      }
    }
  }
  return out;
}
