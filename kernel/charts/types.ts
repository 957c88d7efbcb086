/**
 * Types shared by the chart helpers: the chart.js configuration as plain JSON, and the MIME bundle a helper returns.
 * This module is also bundled into the notebook renderer, so it imports nothing from Node.
 */
import type { CHART_MIME } from '../protocol';

/** A JSON value (what survives `JSON.stringify`). */
export type Json = string | number | boolean | null | Json[] | { [key: string]: Json };

/** One chart.js dataset, data only: points are `{x, y}` objects, or plain numbers for bar charts. */
export interface DatasetConfig {
  label: string;
  data: (number | null | { x: number | null; y: number | null })[];
  [option: string]: Json | undefined;
}

/**
 * A chart.js configuration that is pure JSON (no functions), so it can travel in a notebook output.
 * `options.plugins.tramHeatmap`, `tramColorBar`, `tramArrows` and `tramBackground` configure the plugins in
 * `plugins.ts`, which both the PNG renderer and the notebook renderer register.
 */
export interface ChartConfig {
  type: 'line' | 'scatter' | 'bar';
  data: { labels?: (string | number)[]; datasets: DatasetConfig[] };
  options: { [option: string]: Json | undefined };
}

/** What every helper returns: one notebook output that our renderer draws and any other viewer shows as a PNG. */
export interface ChartBundle {
  [CHART_MIME]: ChartConfig;
  /** Base64 PNG of the same chart, rendered in the kernel; absent where @napi-rs/canvas cannot load (render.ts). */
  'image/png'?: string;
  /** A one-line description for text-only viewers. */
  'text/plain': string;
}

/** Options every chart helper takes. */
export interface ChartText {
  /** Chart title, drawn above the plot. */
  title: string;
  /** Horizontal axis title. */
  xLabel: string;
  /** Vertical axis title. */
  yLabel: string;
}

export interface ChartSize {
  /** PNG width in pixels (default 800). The renderer keeps the same aspect ratio. */
  width?: number;
  /** PNG height in pixels (default 500). */
  height?: number;
}

/** Numbers from JS arrays or typed arrays (`tensor.dataSync()`). */
export type Numbers = ArrayLike<number>;
