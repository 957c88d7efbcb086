/**
 * chart.js plugins that draw what chart.js has no chart type for: heatmaps (2-D loss landscapes), their colour
 * bar, arrowheads on vector segments (SAM's ascent step ε), and an opaque background for PNGs.
 *
 * The same module is registered by the PNG renderer in the kernel (`render.ts`) and bundled into the notebook
 * renderer, so a heatmap looks the same in VS Code, in Jupyter and on GitHub. Browser-safe: no Node imports.
 * Each plugin reads its settings from `options.plugins.<id>` (pure JSON) and does nothing when they are absent.
 */
import type { Chart, Plugin } from 'chart.js';
import { VIRIDIS_LUT } from './palette';

/** The part of CanvasRenderingContext2D these plugins use (the kernel's TypeScript has no DOM library). */
interface Ctx2D {
  save(): void;
  restore(): void;
  beginPath(): void;
  closePath(): void;
  moveTo(x: number, y: number): void;
  lineTo(x: number, y: number): void;
  rect(x: number, y: number, w: number, h: number): void;
  clip(): void;
  fill(): void;
  stroke(): void;
  fillRect(x: number, y: number, w: number, h: number): void;
  strokeRect(x: number, y: number, w: number, h: number): void;
  fillText(text: string, x: number, y: number): void;
  createImageData(width: number, height: number): { data: Uint8ClampedArray };
  putImageData(image: unknown, x: number, y: number): void;
  drawImage(image: unknown, x: number, y: number, w: number, h: number): void;
  imageSmoothingEnabled: boolean;
  fillStyle: unknown;
  strokeStyle: unknown;
  lineWidth: number;
  font: string;
  textAlign: string;
  textBaseline: string;
}

interface Scale {
  getPixelForValue(v: number): number;
  getValueForPixel(p: number): number;
}

const ctxOf = (chart: Chart): Ctx2D => chart.ctx as unknown as Ctx2D;
const scale = (chart: Chart, id: string): Scale => chart.scales[id] as unknown as Scale;

/** Settings of `options.plugins.tramBackground`. */
export interface BackgroundOptions {
  /** CSS colour under the whole chart; null or absent leaves the canvas transparent. */
  color?: string | null;
}

/** Fills the canvas before anything is drawn (PNGs are transparent otherwise). */
export const backgroundPlugin: Plugin = {
  id: 'tramBackground',
  beforeDraw(chart: Chart, _args: unknown, opts: BackgroundOptions) {
    if (!opts || !opts.color) return;
    const ctx = ctxOf(chart);
    ctx.save();
    ctx.fillStyle = opts.color;
    ctx.fillRect(0, 0, chart.width, chart.height);
    ctx.restore();
  },
};

/** How z values map to [0, 1] on the colour map. */
export interface ZScale {
  zMin: number;
  zMax: number;
  /** Colour by log10 z (z must be > 0). */
  logZ?: boolean;
}

/** Position of `z` on the colour map, in [0, 1]; NaN for a missing value. */
export function zFraction(z: number | null, s: ZScale): number {
  if (z === null || !Number.isFinite(z)) return NaN;
  const f = s.logZ ? Math.log10 : (v: number) => v;
  const lo = f(s.zMin);
  const hi = f(s.zMax);
  if (!(hi > lo)) return 0.5;
  return Math.min(1, Math.max(0, (f(z) - lo) / (hi - lo)));
}

/** Colour (CSS) of `z` on the viridis map, or null for a missing value. */
export function zColor(z: number | null, s: ZScale): string | null {
  const t = zFraction(z, s);
  return Number.isNaN(t) ? null : VIRIDIS_LUT[Math.round(t * 255)];
}

/**
 * Cell edges from cell centres: midpoints between neighbours, and half a step beyond each end
 * (a single centre c gets edges c ± 0.5).
 */
export function cellEdges(centers: ArrayLike<number>): number[] {
  const n = centers.length;
  if (n === 1) return [centers[0] - 0.5, centers[0] + 0.5];
  const e: number[] = [centers[0] - (centers[1] - centers[0]) / 2];
  for (let i = 0; i + 1 < n; i++) e.push((centers[i] + centers[i + 1]) / 2);
  e.push(centers[n - 1] + (centers[n - 1] - centers[n - 2]) / 2);
  return e;
}

/** Settings of `options.plugins.tramHeatmap`: z[i][j] is the value at (x[j], y[i]). */
export interface HeatmapLayer extends ZScale {
  x: number[];
  y: number[];
  z: (number | null)[][];
  xAxisID?: string;
  yAxisID?: string;
}

/** An offscreen canvas: `new OffscreenCanvas(w, h)` in the browser, `createCanvas(w, h)` of @napi-rs/canvas in Node. */
export type CanvasFactory = (width: number, height: number) => { getContext(kind: '2d'): unknown };

/** Index k with edges[k] <= v < edges[k + 1] for increasing edges, or -1 outside. */
function cellIndex(edges: number[], v: number): number {
  if (!(v >= edges[0]) || !(v < edges[edges.length - 1])) return -1;
  let lo = 0;
  let hi = edges.length - 1;
  while (hi - lo > 1) {
    const mid = (lo + hi) >> 1;
    if (edges[mid] <= v) lo = mid;
    else hi = mid;
  }
  return lo;
}

/** viridis as RGB bytes, index = round(255 t). */
const VIRIDIS_RGB: number[][] = VIRIDIS_LUT.map((c) => c.match(/\d+/g)!.map(Number));

/**
 * Draws a grid of coloured cells under the datasets, inside the plot area. Each pixel of the plot area takes the
 * colour of the cell its centre falls in (cells of any size and spacing, one image, however many cells), so the
 * kernel PNG and the editor agree pixel for pixel; missing values and pixels outside the grid stay transparent.
 */
export function heatmapPlugin(makeCanvas: CanvasFactory): Plugin {
  return {
    id: 'tramHeatmap',
    beforeDatasetsDraw(chart: Chart, _args: unknown, opts: HeatmapLayer) {
      if (!opts || !opts.z || !opts.x || !opts.y) return;
      const xs = scale(chart, opts.xAxisID ?? 'x');
      const ys = scale(chart, opts.yAxisID ?? 'y');
      if (!xs || !ys) return;
      const area = chart.chartArea;
      const left = Math.floor(area.left);
      const top = Math.floor(area.top);
      const width = Math.ceil(area.right) - left;
      const height = Math.ceil(area.bottom) - top;
      if (width <= 0 || height <= 0) return;
      const ex = cellEdges(opts.x);
      const ey = cellEdges(opts.y);
      const col = Array.from({ length: width }, (_, u) => cellIndex(ex, xs.getValueForPixel(left + u + 0.5)));
      const row = Array.from({ length: height }, (_, v) => cellIndex(ey, ys.getValueForPixel(top + v + 0.5)));
      const s: ZScale = { zMin: opts.zMin, zMax: opts.zMax, logZ: opts.logZ };
      const colour = opts.z.map((r) => r.map((z) => {
        const t = zFraction(z, s);
        return Number.isNaN(t) ? null : VIRIDIS_RGB[Math.round(t * 255)];
      }));
      const off = makeCanvas(width, height);
      const octx = off.getContext('2d') as Ctx2D;
      const image = octx.createImageData(width, height);
      const px = image.data;
      for (let v = 0; v < height; v++) {
        const i = row[v];
        if (i < 0) continue;
        for (let u = 0; u < width; u++) {
          const j = col[u];
          const rgb = j < 0 ? null : colour[i][j];
          if (!rgb) continue;
          const k = (v * width + u) * 4;
          px[k] = rgb[0];
          px[k + 1] = rgb[1];
          px[k + 2] = rgb[2];
          px[k + 3] = 255;
        }
      }
      octx.putImageData(image, 0, 0);
      const ctx = ctxOf(chart);
      ctx.save();
      ctx.imageSmoothingEnabled = false;
      ctx.drawImage(off, left, top, width, height);
      ctx.restore();
    },
  };
}

/** Settings of `options.plugins.tramColorBar`. */
export interface ColorBarOptions extends ZScale {
  /** Text colour of the tick labels (set by the theme). */
  color?: string;
  /** Number of labelled ticks (default 5). */
  ticks?: number;
}

/** Number formatting for colour-bar ticks and descriptions: `digits` significant digits, no trailing zeros. */
export function formatNumber(v: number, digits = 4): string {
  if (!Number.isFinite(v)) return String(v);
  if (v === 0) return '0';
  const a = Math.abs(v);
  if (a >= 1e5 || a < 1e-3) return v.toExponential(Math.max(0, digits - 2)).replace(/\.?0+e/, 'e');
  return String(Number(v.toPrecision(digits)));
}

/** Width the colour bar takes to the right of the plot; the heatmap helper reserves it as layout padding. */
export const COLOR_BAR_SPACE = 84;

/** Draws a vertical colour bar with labelled ticks in the space right of the plot area. */
export const colorBarPlugin: Plugin = {
  id: 'tramColorBar',
  afterDraw(chart: Chart, _args: unknown, opts: ColorBarOptions) {
    if (!opts || typeof opts.zMin !== 'number' || typeof opts.zMax !== 'number') return;
    const area = chart.chartArea;
    const ctx = ctxOf(chart);
    const left = area.right + 16;
    const width = 14;
    const top = area.top;
    const height = area.bottom - area.top;
    const bands = 128;
    ctx.save();
    for (let k = 0; k < bands; k++) {
      ctx.fillStyle = VIRIDIS_LUT[Math.round(((bands - 1 - k) / (bands - 1)) * 255)];
      ctx.fillRect(left, top + Math.floor((k * height) / bands), width, Math.ceil(height / bands) + 1);
    }
    const textColor = opts.color ?? String((chart.options as { color?: unknown }).color ?? '#666');
    ctx.strokeStyle = textColor;
    ctx.lineWidth = 1;
    ctx.strokeRect(left + 0.5, top + 0.5, width - 1, height - 1);
    const family = (chart.options as { font?: { family?: string } }).font?.family ?? 'sans-serif';
    ctx.font = `12px ${family}`;
    ctx.fillStyle = textColor;
    ctx.textAlign = 'left';
    ctx.textBaseline = 'middle';
    const n = Math.max(2, opts.ticks ?? 5);
    for (let k = 0; k < n; k++) {
      const t = k / (n - 1);
      const v = opts.logZ
        ? 10 ** (Math.log10(opts.zMin) + t * (Math.log10(opts.zMax) - Math.log10(opts.zMin)))
        : opts.zMin + t * (opts.zMax - opts.zMin);
      // Linear ticks are rounded to a thousandth of their spacing (so a tick at -6e-7 between -1 and 1 reads 0).
      const q = 10 ** (Math.floor(Math.log10((opts.zMax - opts.zMin) / (n - 1))) - 2);
      const shown = opts.logZ || !(q > 0) ? v : Math.round(v / q) * q;
      ctx.fillText(formatNumber(shown, 3), left + width + 6, top + (1 - t) * height);
    }
    ctx.restore();
  },
};

/** Settings of `options.plugins.tramArrows`. */
export interface ArrowOptions {
  /** Indices of datasets whose data is [from, to, null, from, to, null, ...]: each pair gets an arrowhead. */
  datasets: number[];
  /** Arrowhead length in pixels (default 9). */
  size?: number;
}

/** Draws an arrowhead at the end of each from→to segment of the listed datasets (their lines are drawn by chart.js). */
export const arrowsPlugin: Plugin = {
  id: 'tramArrows',
  afterDatasetsDraw(chart: Chart, _args: unknown, opts: ArrowOptions) {
    if (!opts || !Array.isArray(opts.datasets)) return;
    const ctx = ctxOf(chart);
    const size = opts.size ?? 9;
    for (const index of opts.datasets) {
      const ds = chart.data.datasets[index];
      if (!ds || !chart.isDatasetVisible(index)) continue;
      const meta = chart.getDatasetMeta(index);
      const xs = scale(chart, meta.xAxisID ?? 'x');
      const ys = scale(chart, meta.yAxisID ?? 'y');
      const data = ds.data as ({ x: number; y: number } | null)[];
      ctx.save();
      ctx.fillStyle = (ds as { borderColor?: unknown }).borderColor ?? '#666';
      for (let k = 0; k + 1 < data.length; k += 3) {
        const a = data[k];
        const b = data[k + 1];
        if (!a || !b || a.x === null || b.x === null) continue;
        const x0 = xs.getPixelForValue(a.x);
        const y0 = ys.getPixelForValue(a.y);
        const x1 = xs.getPixelForValue(b.x);
        const y1 = ys.getPixelForValue(b.y);
        const len = Math.hypot(x1 - x0, y1 - y0);
        if (!(len > 0)) continue;
        const ux = (x1 - x0) / len;
        const uy = (y1 - y0) / len;
        const h = Math.min(size, len);
        ctx.beginPath();
        ctx.moveTo(x1, y1);
        ctx.lineTo(x1 - h * ux - 0.5 * h * uy, y1 - h * uy + 0.5 * h * ux);
        ctx.lineTo(x1 - h * ux + 0.5 * h * uy, y1 - h * uy - 0.5 * h * ux);
        ctx.closePath();
        ctx.fill();
      }
      ctx.restore();
    }
  },
};

/**
 * All plugins, to register once with `Chart.register(...tramPlugins(makeCanvas))` (kernel and renderer);
 * `makeCanvas` gives the heatmap its offscreen canvas.
 */
export function tramPlugins(makeCanvas: CanvasFactory): Plugin[] {
  return [backgroundPlugin, heatmapPlugin(makeCanvas), colorBarPlugin, arrowsPlugin];
}
