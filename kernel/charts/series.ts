/** Series input of line and scatter charts: a list of {name, x?, y}, or a record name -> y values. */
import { checkNumbers, checkLogAxis, finiteOrNull } from './check';
import { decimateIndices } from './decimate';
import { seriesColor, withAlpha } from './palette';
import type { DatasetConfig, Numbers } from './types';

export interface Series {
  name: string;
  /** x values; default 0, 1, 2, ... */
  x?: Numbers;
  y: Numbers;
}

export type SeriesInput = Series[] | Record<string, Numbers>;

/** Validates series input and returns it as a list with x filled in. */
export function seriesList(input: SeriesInput, where: string, opts: { needX?: boolean; logX?: boolean; logY?: boolean } = {}):
  { name: string; x: Numbers; y: Numbers }[] {
  if (!input || typeof input !== 'object') {
    throw new TypeError(`${where}: series must be a list of {name, x?, y} or an object {name: y values}`);
  }
  const list: Series[] = Array.isArray(input)
    ? input
    : Object.entries(input).map(([name, y]) => ({ name, y }));
  if (list.length === 0) throw new RangeError(`${where}: series is empty; give at least one series`);
  return list.map((s, k) => {
    if (!s || typeof s.name !== 'string') throw new TypeError(`${where}: series[${k}] needs a string name`);
    const label = `series '${s.name}'`;
    const y = checkNumbers(s.y, `${label} y`, where);
    if (opts.needX && s.x === undefined) throw new TypeError(`${where}: ${label} needs x values (a scatter chart has no default x)`);
    const x = s.x === undefined ? Float64Array.from({ length: y.length }, (_, i) => i) : checkNumbers(s.x, `${label} x`, where);
    if (x.length !== y.length) {
      throw new RangeError(`${where}: ${label} has ${x.length} x values but ${y.length} y values; give x and y the same length`);
    }
    for (let i = 0; i < x.length; i++) {
      if (!Number.isFinite(x[i])) throw new RangeError(`${where}: ${label} x[${i}] is ${x[i]}; x values must be finite`);
    }
    if (opts.logX) checkLogAxis(x, `${label} x`, 'x', where);
    if (opts.logY) checkLogAxis(y, `${label} y`, 'y', where);
    return { name: s.name, x, y };
  });
}

/** `{x, y}` points of a series, decimated to at most maxPoints (min/max per bucket, first and last kept). */
export function decimatedPoints(x: Numbers, y: Numbers, maxPoints: number): { x: number; y: number | null }[] {
  return decimateIndices(y, maxPoints).map((i) => ({ x: x[i], y: finiteOrNull(y[i]) }));
}

/** Dataset style of series `k` drawn as a line. */
export function lineDataset(name: string, k: number, data: DatasetConfig['data']): DatasetConfig {
  const color = seriesColor(k);
  return {
    label: name,
    data,
    borderColor: color,
    backgroundColor: withAlpha(color, 0.25),
    borderWidth: 2,
    pointRadius: data.length > 60 ? 0 : 2.5,
    pointHoverRadius: 4,
    fill: false,
    tension: 0,
    spanGaps: false,
  };
}
