/** Scatter charts: point clouds, one colour per series. */
import { chartBundle } from './bundle';
import { checkText } from './check';
import { checkMaxPoints } from './decimate';
import { baseOptions, seriesSummary } from './options';
import { seriesColor, withAlpha } from './palette';
import { decimatedPoints, seriesList, type Series } from './series';
import type { ChartBundle, ChartSize, ChartText } from './types';

export interface ScatterChartOptions extends ChartText, ChartSize {
  /** `[{name, x, y}]`: x is required. */
  series: (Series & { x: Series['y'] })[];
  logX?: boolean;
  logY?: boolean;
  /** Point radius in pixels (default 3). */
  pointRadius?: number;
  /** Each series keeps at most this many points (default 1000; min/max of y per bucket, in input order). */
  maxPoints?: number;
}

/** A scatter chart as a MIME bundle (chart.js config + PNG + text). */
export function scatterChart(opts: ScatterChartOptions): ChartBundle {
  const where = 'scatterChart';
  const text = checkText(opts, where);
  const maxPoints = checkMaxPoints(opts.maxPoints, where);
  const list = seriesList(opts.series, where, { needX: true, logX: opts.logX, logY: opts.logY });
  const radius = opts.pointRadius ?? 3;
  if (!(radius > 0)) throw new RangeError(`${where}: pointRadius must be > 0 (got ${radius})`);
  const datasets = list.map((s, k) => {
    const color = seriesColor(k);
    return {
      label: s.name,
      data: decimatedPoints(s.x, s.y, maxPoints),
      borderColor: color,
      backgroundColor: withAlpha(color, 0.6),
      pointRadius: radius,
      showLine: false,
    };
  });
  const options = baseOptions(text, opts.logX ? 'logarithmic' : 'linear', opts.logY ? 'logarithmic' : 'linear');
  const description = `Scatter chart "${text.title}" (x: ${text.xLabel}; y: ${text.yLabel}): ` +
    list.map((s) => seriesSummary(s.name, s.y)).join('; ');
  return chartBundle({ type: 'scatter', data: { datasets }, options }, description, opts);
}
