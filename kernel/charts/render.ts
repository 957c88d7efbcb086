/**
 * Renders a chart config to PNG in the kernel process: chart.js 4 on an @napi-rs/canvas canvas
 * (no browser, no native build). The only global state in the chart helpers is chart.js's registry.
 */
import { Chart, registerables } from 'chart.js';
import { createCanvas } from '@napi-rs/canvas';
import { tramPlugins } from './plugins';
import { applyTheme, LIGHT_THEME, type ChartTheme } from './theme';
import type { ChartConfig, ChartSize } from './types';

export const DEFAULT_WIDTH = 800;
export const DEFAULT_HEIGHT = 500;
const MAX_SIDE = 8000;

let registered = false;
function register(): void {
  if (registered) return;
  Chart.register(...registerables, ...tramPlugins((w, h) => createCanvas(w, h)));
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
 * The config is not modified.
 */
export function renderPng(config: ChartConfig, size: ChartSize = {}, theme: ChartTheme = LIGHT_THEME): Buffer {
  register();
  const { width, height } = checkSize(size, 'renderPng');
  const cfg = JSON.parse(JSON.stringify(config)) as ChartConfig;
  cfg.options = { ...cfg.options, animation: false, responsive: false, devicePixelRatio: 1 };
  applyTheme(cfg.options, theme);
  const canvas = createCanvas(width, height);
  // chart.js takes any object with getContext('2d'); @napi-rs/canvas provides a compatible 2-D context.
  const chart = new Chart(canvas as never, cfg as never);
  try {
    return canvas.toBuffer('image/png');
  } finally {
    chart.destroy();
  }
}
