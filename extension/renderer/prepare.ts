/**
 * From the chart config in the notebook output (pure JSON, as the kernel wrote it) to what chart.js draws in the
 * editor: no animation, resizing with the output, the editor's colours, and the fast path for long series.
 *
 * Long series (chart.js slows beyond a few thousand points): point data is passed unparsed (`parsing: false`)
 * and, for line charts whose x values increase, `normalized: true`; the decimation plugin ('min-max', which keeps
 * spikes) then thins any series longer than four points per pixel; points are not drawn beyond 1000 per series.
 */
import { applyTheme, type ChartTheme } from '../../kernel/charts/theme';
import type { ChartConfig, DatasetConfig } from '../../kernel/charts/types';

type Obj = { [k: string]: unknown };

/** Throws unless `value` looks like a chart config: {type, data: {datasets: []}, options?}. */
export function checkConfig(value: unknown): ChartConfig {
  const c = value as ChartConfig | null;
  if (!c || typeof c !== 'object' || typeof c.type !== 'string' || !c.data || !Array.isArray(c.data.datasets)) {
    throw new Error('not a chart: expected a chart.js config {type, data: {datasets: [...]}, options}');
  }
  if (!c.options || typeof c.options !== 'object') c.options = {};
  return c;
}

const isPoint = (p: unknown): boolean => p === null || (typeof p === 'object' && p !== null && 'x' in p && 'y' in p);

function increasingX(ds: DatasetConfig): boolean {
  let last = -Infinity;
  for (const p of ds.data) {
    const x = (p as { x: number | null } | null)?.x;
    if (x === null || x === undefined) continue;
    if (!(x > last)) return false;
    last = x;
  }
  return true;
}

/** Number of data points over all datasets. */
export const pointCount = (c: ChartConfig): number => c.data.datasets.reduce((n, d) => n + d.data.length, 0);

/** Mutates `config` into the chart.js config drawn in the editor with `theme`. */
export function prepareConfig(config: ChartConfig, theme: ChartTheme): ChartConfig {
  const o = config.options as Obj;
  o.animation = false;
  o.responsive = true;
  o.maintainAspectRatio = true;
  if (typeof o.aspectRatio !== 'number') o.aspectRatio = 1.6;
  const plugins = (o.plugins ??= {}) as Obj;
  plugins.decimation = { enabled: true, algorithm: 'min-max' };
  const datasets = config.data.datasets;
  const pointData = (config.type === 'line' || config.type === 'scatter') &&
    datasets.every((d) => Array.isArray(d.data) && d.data.every(isPoint));
  if (pointData) {
    o.parsing = false;
    if (config.type === 'line' && datasets.every(increasingX)) o.normalized = true;
    for (const d of datasets) if (d.data.length > 1000) d.pointRadius = 0;
    const x = ((o.scales ??= {}) as Obj).x as Obj | undefined;
    if (x) x.ticks = { ...(x.ticks as Obj | undefined), maxRotation: 0, sampleSize: 50 };
  }
  applyTheme(config.options, theme);
  return config;
}
