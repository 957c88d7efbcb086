/** The options every helper's chart starts from: title, axis titles, legend, no animation. */
import { formatNumber as fmt } from './plugins';
import type { ChartText, Json } from './types';

export type AxisType = 'linear' | 'logarithmic' | 'category';

/** Base chart.js options: titled axes of the given types, a legend on top, animation off. */
export function baseOptions(text: ChartText, x: AxisType, y: AxisType): { [k: string]: Json } {
  return {
    animation: false,
    plugins: {
      title: { display: true, text: text.title, font: { size: 15, weight: 'bold' } },
      legend: { display: true, position: 'top' },
    },
    scales: {
      x: { type: x, title: { display: true, text: text.xLabel } },
      y: { type: y, title: { display: true, text: text.yLabel } },
    },
  };
}

/** Summary of a series for the text/plain line: count and finite range. */
export function seriesSummary(name: string, ys: ArrayLike<number>): string {
  let lo = Infinity;
  let hi = -Infinity;
  for (let i = 0; i < ys.length; i++) {
    const v = ys[i];
    if (Number.isFinite(v)) { lo = Math.min(lo, v); hi = Math.max(hi, v); }
  }
  const range = lo <= hi ? ` in [${fmt(lo)}, ${fmt(hi)}]` : '';
  return `${name}: ${ys.length} points${range}`;
}
