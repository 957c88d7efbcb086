/** Bar charts: one bar per label and series (grouped). */
import { chartBundle } from './bundle';
import { checkNumbers, checkLogAxis, checkText, finiteOrNull } from './check';
import { baseOptions, seriesSummary } from './options';
import { seriesColor, withAlpha } from './palette';
import type { ChartBundle, ChartSize, ChartText, Numbers } from './types';

export interface BarChartOptions extends ChartText, ChartSize {
  /** Category of each bar group, along x. */
  labels: (string | number)[];
  /** `[{name, values}]` or `{name: values}`; one value per label. */
  series: { name: string; values: Numbers }[] | Record<string, Numbers>;
  /** Logarithmic value axis (values must be > 0). */
  logY?: boolean;
}

/** A grouped bar chart as a MIME bundle (chart.js config + PNG + text). */
export function barChart(opts: BarChartOptions): ChartBundle {
  const where = 'barChart';
  const text = checkText(opts, where);
  if (!Array.isArray(opts.labels) || opts.labels.length === 0) {
    throw new TypeError(`${where}: labels must be a non-empty array of category names (one per bar group)`);
  }
  const input = opts.series;
  if (!input || typeof input !== 'object') throw new TypeError(`${where}: series must be [{name, values}] or {name: values}`);
  const list = Array.isArray(input) ? input : Object.entries(input).map(([name, values]) => ({ name, values }));
  if (list.length === 0) throw new RangeError(`${where}: series is empty; give at least one series`);
  const datasets = list.map((s, k) => {
    const values = checkNumbers(s.values, `series '${s.name}' values`, where);
    if (values.length !== opts.labels.length) {
      throw new RangeError(`${where}: series '${s.name}' has ${values.length} values for ${opts.labels.length} labels; give one value per label`);
    }
    if (opts.logY) checkLogAxis(values, `series '${s.name}' values`, 'y', where);
    const color = seriesColor(k);
    return {
      label: s.name,
      data: Array.from(values, finiteOrNull),
      borderColor: color,
      backgroundColor: withAlpha(color, 0.75),
      borderWidth: 1,
    };
  });
  const options = baseOptions(text, 'category', opts.logY ? 'logarithmic' : 'linear');
  const description = `Bar chart "${text.title}" (${opts.labels.length} groups of ${text.xLabel}; y: ${text.yLabel}): ` +
    list.map((s) => seriesSummary(s.name, s.values)).join('; ');
  return chartBundle({ type: 'bar', data: { labels: opts.labels.map(String), datasets }, options }, description, opts);
}
