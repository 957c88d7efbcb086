/**
 * Turns a value into a MIME bundle for display: MIME bundles pass through, objects with `toMimeBundle()` use it,
 * tensors become a short summary (dtype, shape, statistics, a few values), everything else `util.inspect`.
 */
import { inspect } from 'node:util';
import type { MimeBundle } from '../protocol';

/** Largest tensor printed in full; bigger ones are summarised. */
const FULL_TENSOR_MAX = 64;
const EDGE_VALUES = 6;

interface TensorLike {
  dtype: string;
  shape: number[];
  size: number;
  isDisposed?: boolean;
  dataSync(): ArrayLike<number | string> | Uint8Array;
  toString(verbose?: boolean): string;
}

export function isTensorLike(v: unknown): v is TensorLike {
  if (!v || typeof v !== 'object') return false;
  const t = v as Partial<TensorLike>;
  return typeof t.dtype === 'string' && Array.isArray(t.shape) && typeof t.dataSync === 'function' && typeof t.size === 'number';
}

/** A plain object whose every key looks like a MIME type (`type/subtype`). */
export function isMimeBundle(v: unknown): v is MimeBundle {
  if (!v || typeof v !== 'object' || Array.isArray(v)) return false;
  const proto = Object.getPrototypeOf(v);
  if (proto !== Object.prototype && proto !== null) return false;
  const keys = Object.keys(v);
  return keys.length > 0 && keys.every((k) => /^[a-z]+\/[-+.\w]+$/i.test(k));
}

function num(x: number): string {
  if (Number.isInteger(x)) return String(x);
  const a = Math.abs(x);
  return a !== 0 && (a < 1e-3 || a >= 1e6) ? x.toExponential(3) : Number(x.toPrecision(5)).toString();
}

/** `Tensor float32 [2,3]` plus values, or statistics and edge values for large tensors. */
export function describeTensor(t: TensorLike): string {
  const head = `Tensor ${t.dtype} [${t.shape.join(', ')}]`;
  if (t.isDisposed) return `${head} (disposed)`;
  if (t.size <= FULL_TENSOR_MAX) {
    const lines = t.toString().split('\n').slice(1); // drop tfjs's own "Tensor" header
    const indent = Math.min(...lines.filter((l) => l.trim()).map((l) => /^ */.exec(l)![0].length));
    return `${head}\n${lines.map((l) => '  ' + l.slice(indent)).join('\n').trimEnd()}`;
  }
  const data = t.dataSync();
  if (t.dtype === 'string') {
    const first = Array.from(data as ArrayLike<string>).slice(0, EDGE_VALUES).map((s) => JSON.stringify(s));
    return `${head} (${t.size} values)\n  [${first.join(', ')}, ...]`;
  }
  const values = data as ArrayLike<number>;
  let min = Infinity, max = -Infinity, sum = 0, sq = 0, nan = 0;
  for (let i = 0; i < values.length; i++) {
    const x = Number(values[i]);
    if (Number.isNaN(x)) { nan++; continue; }
    if (x < min) min = x;
    if (x > max) max = x;
    sum += x;
    sq += x * x;
  }
  const n = values.length - nan;
  const mean = n ? sum / n : NaN;
  const std = n ? Math.sqrt(Math.max(0, sq / n - mean * mean)) : NaN;
  const edge = (from: number, to: number) => Array.from({ length: to - from }, (_, i) => num(Number(values[from + i])));
  const first = edge(0, EDGE_VALUES / 2);
  const last = edge(values.length - EDGE_VALUES / 2, values.length);
  return [
    `${head} (${t.size} values)`,
    `  min ${num(min)}  max ${num(max)}  mean ${num(mean)}  std ${num(std)}${nan ? `  NaN ${nan}` : ''}`,
    `  [${first.join(', ')}, ..., ${last.join(', ')}]`,
  ].join('\n');
}

export function plainText(v: unknown): string {
  if (isTensorLike(v)) return describeTensor(v);
  return inspect(v, { depth: 4, maxArrayLength: 100, maxStringLength: 10_000, breakLength: 100, colors: false });
}

/** The MIME bundle shown for a value (the last expression of a cell, or `display(value)`). */
export function toBundle(v: unknown): MimeBundle {
  if (isMimeBundle(v)) return { ...v };
  if (v && typeof v === 'object' && typeof (v as { toMimeBundle?: unknown }).toMimeBundle === 'function') {
    const b = (v as { toMimeBundle(): unknown }).toMimeBundle();
    if (isMimeBundle(b)) return { ...b };
  }
  return { 'text/plain': plainText(v) };
}
