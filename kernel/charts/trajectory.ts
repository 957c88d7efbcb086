/**
 * Optimizer trajectories in a 2-D parameter plane, optionally over the loss surface, with vectors such as SAM's
 * ascent step ε = ρ ∇L / ‖∇L‖ drawn as arrows from w to w + ε (Foret et al. 2021; TRAM, ICLR 2024, Alg. 1).
 */
import { chartBundle } from './bundle';
import { checkText } from './check';
import { checkMaxPoints, strideIndices } from './decimate';
import { addSurface, checkSurface, contourDataset, surfaceSummary, type Surface } from './heatmap';
import { baseOptions } from './options';
import { seriesColor, withAlpha } from './palette';
import type { ChartBundle, ChartSize, ChartText, DatasetConfig } from './types';

export type XY = [number, number];

export interface TrajectoryChartOptions extends ChartText, ChartSize {
  /** The loss surface under the paths (as for `heatmap`). */
  surface?: Surface;
  /** One path per optimizer: the iterates w_0, w_1, ... in the plane. Start and end are marked. */
  paths: { name: string; points: XY[] }[];
  /** Vectors drawn as arrows, e.g. the ascent step ε at each iterate: from w_t to w_t + ε_t. */
  arrows?: { from: XY; to: XY }[];
  /** Legend label of the arrows (default 'ascent step ε'). */
  arrowsLabel?: string;
  /** Each path keeps at most this many points (default 1000, evenly spaced, first and last kept). */
  maxPoints?: number;
}

function checkXY(p: unknown, what: string, where: string): XY {
  if (!Array.isArray(p) || p.length !== 2 || !p.every((v) => typeof v === 'number' && Number.isFinite(v))) {
    throw new TypeError(`${where}: ${what} must be a pair of finite numbers [x, y] (got ${JSON.stringify(p)})`);
  }
  return p as XY;
}

/** A trajectory chart as a MIME bundle (chart.js config + PNG + text). */
export function trajectoryChart(opts: TrajectoryChartOptions): ChartBundle {
  const where = 'trajectoryChart';
  const text = checkText(opts, where);
  const maxPoints = checkMaxPoints(opts.maxPoints, where);
  if (!Array.isArray(opts.paths)) throw new TypeError(`${where}: paths must be a list of {name, points: [x, y][]}`);
  const lo = [Infinity, Infinity];
  const hi = [-Infinity, -Infinity];
  const see = (p: XY) => {
    for (const k of [0, 1]) { lo[k] = Math.min(lo[k], p[k]); hi[k] = Math.max(hi[k], p[k]); }
  };
  const datasets: DatasetConfig[] = opts.paths.map((path, k) => {
    if (!path || typeof path.name !== 'string' || !Array.isArray(path.points) || path.points.length === 0) {
      throw new TypeError(`${where}: paths[${k}] must be {name: string, points: [x, y][]} with at least one point`);
    }
    const pts = path.points.map((p, i) => checkXY(p, `paths[${k}] ('${path.name}') point ${i}`, where));
    pts.forEach(see);
    const kept = strideIndices(pts.length, maxPoints);
    const small = kept.length > 80 ? 0 : 2;
    const color = seriesColor(k);
    return {
      label: path.name,
      data: kept.map((i) => ({ x: pts[i][0], y: pts[i][1] })),
      showLine: true,
      borderColor: color,
      backgroundColor: withAlpha(color, 0.9),
      borderWidth: 2,
      // Start: a large point; end: a large point with a white ring; between: small points.
      pointRadius: kept.map((_, i) => (i === 0 || i === kept.length - 1 ? 5 : small)),
      pointBorderColor: kept.map((_, i) => (i === kept.length - 1 ? '#ffffff' : color)),
      pointBorderWidth: kept.map((_, i) => (i === kept.length - 1 ? 2 : 1)),
    };
  });
  const options = baseOptions(text, 'linear', 'linear');
  const arrows = opts.arrows ?? [];
  if (!Array.isArray(arrows)) throw new TypeError(`${where}: arrows must be a list of {from: [x, y], to: [x, y]}`);
  if (arrows.length > 0) {
    const data: DatasetConfig['data'] = [];
    arrows.forEach((a, i) => {
      const from = checkXY(a?.from, `arrows[${i}].from`, where);
      const to = checkXY(a?.to, `arrows[${i}].to`, where);
      see(from);
      see(to);
      data.push({ x: from[0], y: from[1] }, { x: to[0], y: to[1] }, { x: null, y: null });
    });
    const color = seriesColor(opts.paths.length);
    datasets.push({
      label: opts.arrowsLabel ?? 'ascent step ε',
      data,
      showLine: true,
      spanGaps: false,
      pointRadius: 0,
      pointHoverRadius: 0,
      borderWidth: 1.5,
      borderColor: color,
      backgroundColor: color,
    });
    (options.plugins as { [k: string]: unknown }).tramArrows = { datasets: [datasets.length - 1], size: 8 };
  }
  if (datasets.length === 0 && !opts.surface) throw new RangeError(`${where}: nothing to draw; give paths, arrows or a surface`);
  let summary = `${opts.paths.length} paths (${opts.paths.map((p) => `${p.name}: ${p.points.length} points`).join(', ')})`;
  if (arrows.length) summary += `, ${arrows.length} arrows`;
  if (opts.surface) {
    const layer = checkSurface(opts.surface, `${where}: surface`);
    // Widen the axes to the paths when they leave the surface's grid.
    const span = {
      x: [Math.min(layer.xEdges[0], lo[0]), Math.max(layer.xEdges[1], hi[0])] as [number, number],
      y: [Math.min(layer.yEdges[0], lo[1]), Math.max(layer.yEdges[1], hi[1])] as [number, number],
    };
    addSurface(options, layer, span);
    const contours = contourDataset(layer);
    if (contours) datasets.unshift(contours);
    if (arrows.length) (options.plugins as { tramArrows: { datasets: number[] } }).tramArrows.datasets = [datasets.length - 1];
    summary += ` over a ${surfaceSummary(layer)}`;
  }
  const description = `Trajectory chart "${text.title}" (x: ${text.xLabel}; y: ${text.yLabel}): ${summary}`;
  return chartBundle({ type: 'scatter', data: { datasets }, options }, description, opts);
}
