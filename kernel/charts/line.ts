/** Line charts: several series against x (default: the index), optionally on log axes. */
import { chartBundle } from './bundle';
import { checkText } from './check';
import { checkMaxPoints } from './decimate';
import { baseOptions, seriesSummary } from './options';
import { decimatedPoints, lineDataset, seriesList, type SeriesInput } from './series';
import type { ChartBundle, ChartConfig, ChartSize, ChartText } from './types';

export interface LineChartOptions extends ChartText, ChartSize {
  /** `[{name, x?, y}]` or `{name: y}`; x defaults to 0, 1, 2, ... */
  series: SeriesInput;
  /** Logarithmic x axis (all x must be > 0). */
  logX?: boolean;
  /** Logarithmic y axis (all y must be > 0), the usual choice for losses. */
  logY?: boolean;
  /** Each series is decimated to at most this many points (default 1000), keeping spikes and extremes. */
  maxPoints?: number;
}

/** A line chart as a MIME bundle (chart.js config + PNG + text). */
export function lineChart(opts: LineChartOptions): ChartBundle {
  const { config, description } = lineChartConfig(opts);
  return chartBundle(config, description, opts);
}

/** The chart.js config and the text description of a line chart, without rendering it. */
export function lineChartConfig(opts: LineChartOptions): { config: ChartConfig; description: string } {
  const where = 'lineChart';
  const text = checkText(opts, where);
  const maxPoints = checkMaxPoints(opts.maxPoints, where);
  const list = seriesList(opts.series, where, { logX: opts.logX, logY: opts.logY });
  const datasets = list.map((s, k) => lineDataset(s.name, k, decimatedPoints(s.x, s.y, maxPoints)));
  const options = baseOptions(text, opts.logX ? 'logarithmic' : 'linear', opts.logY ? 'logarithmic' : 'linear');
  const axes = `${opts.logX ? 'log ' : ''}x: ${text.xLabel}; ${opts.logY ? 'log ' : ''}y: ${text.yLabel}`;
  const description = `Line chart "${text.title}" (${axes}): ${list.map((s) => seriesSummary(s.name, s.y)).join('; ')}`;
  return { config: { type: 'line', data: { datasets }, options }, description };
}
