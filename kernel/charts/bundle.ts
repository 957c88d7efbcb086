/** Turns a chart config into the notebook output: config JSON + PNG of the same chart + a text line. */
import { CHART_MIME } from '../protocol';
import { checkSize, tryRenderPng } from './render';
import type { ChartBundle, ChartConfig, ChartSize } from './types';

/** Throws if the config holds anything that is not JSON data (functions, NaN, class instances...). */
export function checkJson(value: unknown, path: string): void {
  if (value === null || typeof value === 'string' || typeof value === 'boolean') return;
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new TypeError(`chartBundle: ${path} is ${value}; a chart config is JSON, use null for a gap`);
    return;
  }
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) checkJson(value[i], `${path}[${i}]`);
    return;
  }
  if (typeof value === 'object' && Object.getPrototypeOf(value) === Object.prototype) {
    for (const [k, v] of Object.entries(value)) if (v !== undefined) checkJson(v, `${path}.${k}`);
    return;
  }
  throw new TypeError(`chartBundle: ${path} is a ${typeof value === 'object' ? 'class instance' : typeof value}; ` +
    'a chart config must be plain JSON data (no functions or callbacks), because it travels in the notebook file');
}

/**
 * The MIME bundle of a chart: `application/vnd.tram.chart+json` (the config, drawn by the editor's renderer),
 * `image/png` (base64, drawn here at width × height, default 800 × 500; absent where the PNG renderer cannot load
 * on this platform) and `text/plain` (`description`).
 * Sets `options.aspectRatio` so the renderer keeps the PNG's proportions. Use it for hand-written chart.js configs.
 * `png` (base64) reuses an image already drawn instead of rendering one (live charts between redraws).
 */
export function chartBundle(config: ChartConfig, description: string, size: ChartSize = {}, png?: string): ChartBundle {
  const { width, height } = checkSize(size, 'chartBundle');
  checkJson(config, 'config');
  config.options.aspectRatio = width / height;
  // No PNG where the renderer cannot load on this platform (one notice, see render.ts): the chart still shows.
  const image = png ?? tryRenderPng(config, { width, height })?.toString('base64');
  return image === undefined
    ? { [CHART_MIME]: config, 'text/plain': description }
    : { [CHART_MIME]: config, 'image/png': image, 'text/plain': description };
}
