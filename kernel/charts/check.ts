/** Input checks shared by the chart helpers: each error names the option, the problem and the fix. */
import type { ChartText, Numbers } from './types';

/** Throws unless title, xLabel and yLabel are strings. */
export function checkText(o: Partial<ChartText> | undefined, where: string): ChartText {
  if (!o || typeof o !== 'object') throw new TypeError(`${where}: expected an options object with title, xLabel and yLabel`);
  for (const k of ['title', 'xLabel', 'yLabel'] as const) {
    if (typeof o[k] !== 'string') {
      throw new TypeError(`${where}: ${k} must be a string (got ${typeof o[k]}); every chart has a title and axis labels`);
    }
  }
  return { title: o.title!, xLabel: o.xLabel!, yLabel: o.yLabel! };
}

/** Throws unless `v` is an array or typed array of numbers. */
export function checkNumbers(v: unknown, what: string, where: string): Numbers {
  const ok = (Array.isArray(v) || ArrayBuffer.isView(v)) && typeof (v as Numbers).length === 'number';
  if (!ok) throw new TypeError(`${where}: ${what} must be an array of numbers or a typed array (got ${describe(v)})`);
  const a = v as Numbers;
  for (let i = 0; i < a.length; i++) {
    if (typeof a[i] !== 'number') {
      throw new TypeError(`${where}: ${what}[${i}] is ${describe(a[i])}, not a number; pass numbers (use NaN for a missing value)`);
    }
  }
  return a;
}

/** Throws if a value that a log axis must show is <= 0. */
export function checkLogAxis(a: Numbers, what: string, axis: string, where: string): void {
  for (let i = 0; i < a.length; i++) {
    if (a[i] <= 0) {
      throw new RangeError(`${where}: ${what}[${i}] = ${a[i]} cannot be shown on the logarithmic ${axis} axis; ` +
        `drop values <= 0 or turn off log${axis.toUpperCase()}`);
    }
  }
}

export function describe(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return `an array of length ${v.length}`;
  if (typeof v === 'string') return `the string ${JSON.stringify(v.length > 20 ? v.slice(0, 20) + '…' : v)}`;
  return typeof v === 'object' ? (v as object).constructor?.name ?? 'an object' : `${typeof v} ${String(v)}`;
}

/** A finite number, or null (JSON has no NaN/Infinity; chart.js draws null as a gap). */
export const finiteOrNull = (v: number): number | null => (Number.isFinite(v) ? v : null);
