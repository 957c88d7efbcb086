/**
 * Heatmaps of a 2-D surface (a loss landscape L(θ + a·d1 + b·d2) over a grid of (a, b)), with optional contour
 * lines. chart.js has no heatmap type: the cells are drawn by the `tramHeatmap` plugin (plugins.ts) under an
 * empty scatter chart whose axes span the grid; contour lines are an ordinary line dataset.
 */
import { chartBundle } from './bundle';
import { checkNumbers, checkText, finiteOrNull } from './check';
import { contourLevels, contourSegments } from './contours';
import { baseOptions } from './options';
import { cellEdges, COLOR_BAR_SPACE, formatNumber } from './plugins';
import type { ChartBundle, ChartSize, ChartText, DatasetConfig, Json, Numbers } from './types';

/** The surface: z[i][j] is the value at (x[j], y[i]) (row i along y, column j along x, as numpy's meshgrid). */
export interface Surface {
  z: Numbers[];
  /** Column coordinates, increasing (default 0, 1, ...). */
  x?: Numbers;
  /** Row coordinates, increasing (default 0, 1, ...). */
  y?: Numbers;
  /** Contour lines: a number of levels evenly spaced between min and max z, or the levels themselves. */
  contours?: number | number[];
  /** Colour by log10 z (z must be > 0): loss landscapes often span decades. */
  logZ?: boolean;
}

export interface HeatmapChartOptions extends Surface, ChartText, ChartSize {}

/** Most cells a heatmap draws (a 300 × 300 grid). */
export const MAX_CELLS = 90_000;

/** A checked surface with its z range and the axis span of its cells. */
export interface SurfaceLayer {
  x: number[];
  y: number[];
  z: (number | null)[][];
  zMin: number;
  zMax: number;
  logZ: boolean;
  xEdges: [number, number];
  yEdges: [number, number];
  contours: number[];
}

function checkAxis(v: Numbers | undefined, n: number, name: string, where: string): number[] {
  if (v === undefined) return Array.from({ length: n }, (_, i) => i);
  const a = Array.from(checkNumbers(v, name, where));
  if (a.length !== n) {
    throw new RangeError(`${where}: ${name} has ${a.length} values but z has ${n} ${name === 'x' ? 'columns' : 'rows'}; give one coordinate per ${name === 'x' ? 'column' : 'row'}`);
  }
  for (let i = 0; i < n; i++) {
    if (!Number.isFinite(a[i]) || (i > 0 && !(a[i] > a[i - 1]))) {
      throw new RangeError(`${where}: ${name} must be finite and strictly increasing (${name}[${i}] = ${a[i]}${i > 0 ? ` after ${a[i - 1]}` : ''})`);
    }
  }
  return a;
}

/** Validates a surface: rectangular z, coordinates, z range (over finite values), contour levels. */
export function checkSurface(s: Surface, where: string): SurfaceLayer {
  if (!s || !Array.isArray(s.z) || s.z.length === 0) {
    throw new TypeError(`${where}: z must be a non-empty array of rows (z[i][j] is the value at x[j], y[i])`);
  }
  const rows = s.z.length;
  const cols = checkNumbers(s.z[0], 'z[0]', where).length;
  if (cols === 0) throw new RangeError(`${where}: z[0] is empty; each row needs one value per x`);
  if (rows * cols > MAX_CELLS) {
    throw new RangeError(`${where}: z has ${rows} × ${cols} = ${rows * cols} cells, more than ${MAX_CELLS}; evaluate the surface on a coarser grid`);
  }
  let zMin = Infinity;
  let zMax = -Infinity;
  const z = s.z.map((row, i) => {
    const r = checkNumbers(row, `z[${i}]`, where);
    if (r.length !== cols) throw new RangeError(`${where}: z[${i}] has ${r.length} values but z[0] has ${cols}; z must be rectangular`);
    return Array.from(r, (v) => {
      if (s.logZ && v <= 0) throw new RangeError(`${where}: z has ${v} at row ${i}, which logZ cannot colour; use z > 0 or turn off logZ`);
      if (Number.isFinite(v)) { zMin = Math.min(zMin, v); zMax = Math.max(zMax, v); }
      return finiteOrNull(v);
    });
  });
  if (zMin > zMax) throw new RangeError(`${where}: z has no finite value; nothing to draw`);
  const x = checkAxis(s.x, cols, 'x', where);
  const y = checkAxis(s.y, rows, 'y', where);
  const ex = cellEdges(x);
  const ey = cellEdges(y);
  let contours: number[] = [];
  if (typeof s.contours === 'number') {
    if (!Number.isInteger(s.contours) || s.contours < 0 || s.contours > 50) {
      throw new RangeError(`${where}: contours must be a whole number of levels in 0..50, or a list of levels (got ${s.contours})`);
    }
    contours = contourLevels(zMin, zMax, s.contours, !!s.logZ);
  } else if (s.contours !== undefined) {
    contours = Array.from(checkNumbers(s.contours, 'contours', where));
  }
  return { x, y, z, zMin, zMax, logZ: !!s.logZ, xEdges: [ex[0], ex[ex.length - 1]], yEdges: [ey[0], ey[ey.length - 1]], contours };
}

/** The contour dataset of a surface: all levels in one line dataset, segments separated by null points. */
export function contourDataset(layer: SurfaceLayer): DatasetConfig | null {
  if (layer.contours.length === 0) return null;
  const zs = layer.z.map((row) => row.map((v) => (v === null ? NaN : v)));
  const data: DatasetConfig['data'] = [];
  for (const level of layer.contours) {
    for (const [p, q] of contourSegments(layer.x, layer.y, zs, level)) {
      data.push({ x: p[0], y: p[1] }, { x: q[0], y: q[1] }, { x: null, y: null });
    }
  }
  return {
    label: `contours (${layer.contours.length} levels)`,
    data,
    // chart.js draws higher `order` first: contours stay under paths and arrows.
    order: 10,
    showLine: true,
    spanGaps: false,
    pointRadius: 0,
    pointHoverRadius: 0,
    borderWidth: 1,
    borderColor: 'rgba(255, 255, 255, 0.75)',
    // Only the legend swatch is filled (no points, no area): grey so it shows on light and dark legends.
    backgroundColor: 'rgba(128, 128, 128, 0.6)',
  };
}

/** Plugin settings and layout that draw a surface layer under a scatter chart (used by heatmap and trajectory charts). */
export function surfacePlugins(layer: SurfaceLayer): { [k: string]: Json } {
  const scale = { zMin: layer.zMin, zMax: layer.zMax, logZ: layer.logZ };
  return {
    tramHeatmap: { x: layer.x, y: layer.y, z: layer.z, ...scale },
    tramColorBar: scale,
  };
}

/** Sets the axis span, plugins and colour-bar room of a surface on chart options. */
export function addSurface(options: { [k: string]: Json }, layer: SurfaceLayer, span = { x: layer.xEdges, y: layer.yEdges }): void {
  const scales = options.scales as { [k: string]: { [k: string]: Json } };
  scales.x.min = span.x[0];
  scales.x.max = span.x[1];
  scales.y.min = span.y[0];
  scales.y.max = span.y[1];
  Object.assign(options.plugins as object, surfacePlugins(layer));
  options.layout = { padding: { right: COLOR_BAR_SPACE } };
}

export function surfaceSummary(layer: SurfaceLayer): string {
  return `${layer.y.length} × ${layer.x.length} grid, z in [${formatNumber(layer.zMin)}, ${formatNumber(layer.zMax)}]` +
    `${layer.logZ ? ' (log colour)' : ''}${layer.contours.length ? `, ${layer.contours.length} contour levels` : ''}`;
}

/** A heatmap (with optional contour lines) as a MIME bundle (chart.js config + PNG + text). */
export function heatmap(opts: HeatmapChartOptions): ChartBundle {
  const where = 'heatmap';
  const text = checkText(opts, where);
  const layer = checkSurface(opts, where);
  const options = baseOptions(text, 'linear', 'linear');
  addSurface(options, layer);
  const contours = contourDataset(layer);
  const description = `Heatmap "${text.title}" (x: ${text.xLabel}; y: ${text.yLabel}): ${surfaceSummary(layer)}`;
  return chartBundle({ type: 'scatter', data: { datasets: contours ? [contours] : [] }, options }, description, opts);
}
