/**
 * Chart helpers: each returns one notebook output (a MIME bundle) holding a chart.js config for the editor's
 * renderer and a PNG of the same chart for every other viewer. See docs/charts.md.
 */
export type { ChartBundle, ChartConfig, ChartSize, ChartText, DatasetConfig, Numbers } from './types';
export { lineChart, type LineChartOptions } from './line';
export { scatterChart, type ScatterChartOptions } from './scatter';
export { barChart, type BarChartOptions } from './bar';
export { heatmap, type HeatmapChartOptions, type Surface } from './heatmap';
export { trajectoryChart, type TrajectoryChartOptions, type XY } from './trajectory';
export { LiveChart, type LiveChartOptions, type BundleSink, type BundleDisplay, type Clock } from './live';
export { chartBundle } from './bundle';
export { renderPng } from './render';
export { decimateIndices, DEFAULT_MAX_POINTS } from './decimate';
export type { Series, SeriesInput } from './series';
