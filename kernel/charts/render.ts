/**
 * Renders a chart config to PNG in the kernel process: chart.js 4 on an @napi-rs/canvas canvas
 * (no browser, no native build). The only global state in the chart helpers is chart.js's registry.
 *
 * @napi-rs/canvas is a native addon shipped per platform. It is loaded on first use, not at import: where its
 * binary cannot load (a platform the .vsix was not built for, a missing system library), `tryRenderPng`
 * returns undefined and writes one notice to stderr per process, so a chart still shows through the editor's
 * renderer and only its PNG copy is skipped; `renderPng` (an explicit request for a PNG) throws and says why.
 */
import { Chart, registerables } from 'chart.js';
import { tramPlugins } from './plugins';
import { applyTheme, LIGHT_THEME, type ChartTheme } from './theme';
import type { ChartConfig, ChartSize } from './types';

export const DEFAULT_WIDTH = 800;
export const DEFAULT_HEIGHT = 500;
const MAX_SIDE = 8000;

type CanvasModule = typeof import('@napi-rs/canvas');
/** undefined: not tried yet; null: tried and failed (`loadError` says why). */
let canvasModule: CanvasModule | null | undefined;
let loadError = '';
let noticed = false;

function loadCanvas(): CanvasModule | null {
  if (canvasModule !== undefined) return canvasModule;
  try {
    canvasModule = require('@napi-rs/canvas') as CanvasModule;
    if (typeof canvasModule?.createCanvas !== 'function') throw new Error('the module has no createCanvas');
  } catch (e) {
    canvasModule = null;
    const err = e as Error & { cause?: Error };
    loadError = [err?.message ?? String(e), err?.cause?.message].filter(Boolean).map((m) => String(m).split('\n')[0]).join(': ');
  }
  return canvasModule;
}

/** Whether PNGs can be drawn in this process, and if not, why (the load error of @napi-rs/canvas). */
export function pngAvailable(): { available: boolean; reason?: string } {
  return loadCanvas() ? { available: true } : { available: false, reason: loadError };
}

let registered = false;
function register(canvas: CanvasModule): void {
  if (registered) return;
  Chart.register(...registerables, ...tramPlugins((w, h) => canvas.createCanvas(w, h)));
  registered = true;
}

/** Checks a size option and fills in the defaults (800 × 500). */
export function checkSize(size: ChartSize | undefined, where: string): { width: number; height: number } {
  const width = size?.width ?? DEFAULT_WIDTH;
  const height = size?.height ?? DEFAULT_HEIGHT;
  for (const [name, v] of [['width', width], ['height', height]] as const) {
    if (!Number.isInteger(v) || v < 16 || v > MAX_SIDE) {
      throw new RangeError(`${where}: ${name} must be an integer number of pixels in 16..${MAX_SIDE} (got ${v})`);
    }
  }
  return { width, height };
}

/**
 * Draws `config` at width × height pixels (light theme, white background, no animation) and returns the PNG bytes.
 * The config is not modified. Throws when @napi-rs/canvas cannot load on this platform.
 */
export function renderPng(config: ChartConfig, size: ChartSize = {}, theme: ChartTheme = LIGHT_THEME): Buffer {
  const { width, height } = checkSize(size, 'renderPng');
  const canvasModule = loadCanvas();
  if (!canvasModule) {
    throw new Error(`renderPng: the PNG renderer (@napi-rs/canvas) cannot load on ${process.platform}-${process.arch}: ${loadError}. ` +
      'Charts still show in VS Code (the chart helpers skip the PNG copy); for PNG files install the extension built for this platform.');
  }
  register(canvasModule);
  const cfg = JSON.parse(JSON.stringify(config)) as ChartConfig;
  cfg.options = { ...cfg.options, animation: false, responsive: false, devicePixelRatio: 1 };
  applyTheme(cfg.options, theme);
  const canvas = canvasModule.createCanvas(width, height);
  // chart.js takes any object with getContext('2d'); @napi-rs/canvas provides a compatible 2-D context.
  const chart = new Chart(canvas as never, cfg as never);
  try {
    return canvas.toBuffer('image/png');
  } finally {
    chart.destroy();
  }
}

/**
 * As `renderPng`, but where @napi-rs/canvas cannot load returns undefined, and the first time writes one
 * notice to stderr (in a notebook: under the cell) saying the PNG copies are skipped and why.
 * Errors of the chart itself (a bad size, a config chart.js rejects) still throw.
 */
export function tryRenderPng(config: ChartConfig, size: ChartSize = {}, theme: ChartTheme = LIGHT_THEME): Buffer | undefined {
  checkSize(size, 'renderPng');
  if (!loadCanvas()) {
    if (!noticed) {
      noticed = true;
      process.stderr.write(`Note: charts show in VS Code, but their PNG copies (for other notebook viewers) are skipped: ` +
        `the PNG renderer (@napi-rs/canvas) cannot load on ${process.platform}-${process.arch} (${loadError}).\n`);
    }
    return undefined;
  }
  return renderPng(config, size, theme);
}
