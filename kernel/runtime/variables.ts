/**
 * The Variables view's data: what the cells' variables are, without leaking or reading tensors.
 *
 *   describeVariables(locals, hidden, tf)  one row per variable: name, type; tensors with dtype, shape,
 *                                          bytes = size · bytesPerElement(dtype) and `disposed`; models with
 *                                          parameter counts (Σ size of their weights); short previews of primitives.
 *                                          Reads only shape/dtype/isDisposed (no data, no new tensors).
 *   summarizeTensor(value, name, tf, n)    on demand, for one tensor: min, max, mean over all elements (NaN counted
 *                                          apart, mean over the finite ones) and its first n values. Runs inside
 *                                          tf.tidy; dataSync reads at most n + 5 numbers; tf.memory().numTensors
 *                                          is unchanged afterwards.
 *   MemoryTracker                          tf.memory() before and after each cell: the change the last cell made.
 */
import type * as TF from '@tensorflow/tfjs';
import type { MemoryInfo, TensorSummary, VariableInfo } from '../protocol';

type Tf = typeof TF;

/** Bytes per element as tfjs counts them in tf.memory(); strings have no fixed size. */
const BYTES: Record<string, number> = { float32: 4, int32: 4, bool: 1, complex64: 8 };

interface TensorLike {
  dtype: string;
  shape: number[];
  size: number;
  isDisposed: boolean;
}
interface ModelLike {
  name?: string;
  layers: unknown[];
  weights: { shape: number[] }[];
  trainableWeights: { shape: number[] }[];
}

export function isTensor(v: unknown, tf?: Tf): v is TensorLike {
  if (tf && v instanceof tf.Tensor) return true;
  if (typeof v !== 'object' || v === null) return false;
  const t = v as Record<string, unknown>;
  return 'dataId' in t && typeof t.dtype === 'string' && Array.isArray(t.shape) && typeof t.isDisposed === 'boolean';
}

function isModel(v: unknown, tf?: Tf): v is ModelLike {
  if (tf && v instanceof tf.LayersModel) return true;
  if (typeof v !== 'object' || v === null) return false;
  const m = v as Record<string, unknown>;
  return typeof m.countParams === 'function' && Array.isArray(m.layers) && Array.isArray(m.weights);
}

const sizeOf = (shape: number[]) => shape.reduce((a, b) => a * b, 1);

function typeName(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return `Array(${v.length})`;
  if (typeof v === 'function') return /^class[\s{]/.test(Function.prototype.toString.call(v)) ? 'class' : 'function';
  if (typeof v !== 'object') return typeof v;
  const name = Object.getPrototypeOf(v)?.constructor?.name;
  if (v instanceof Map || v instanceof Set) return `${name ?? 'Map'}(${v.size})`;
  return typeof name === 'string' && name ? name : 'object';
}

function preview(v: unknown): string | undefined {
  if (typeof v === 'string') return JSON.stringify(v.length > 60 ? `${v.slice(0, 57)}...` : v);
  if (typeof v === 'number' || typeof v === 'boolean' || typeof v === 'bigint') return String(v);
  return undefined;
}

/** One variable, described from its value. Never throws (a hostile getter or proxy gives type 'unknown'). */
export function describeValue(name: string, v: unknown, tf?: Tf): VariableInfo {
  try {
    if (isTensor(v, tf)) {
      const shape = [...v.shape];
      const per = BYTES[v.dtype];
      const info: VariableInfo = { name, kind: 'tensor', type: tf && v instanceof tf.Variable ? 'Variable' : 'Tensor', dtype: v.dtype, shape, disposed: v.isDisposed };
      if (per !== undefined) info.bytes = sizeOf(shape) * per;
      return info;
    }
    if (isModel(v, tf)) {
      const count = (ws: { shape: number[] }[]) => ws.reduce((a, w) => a + sizeOf(w.shape), 0);
      return { name, kind: 'model', type: typeName(v), params: count(v.weights), trainableParams: count(v.trainableWeights), layers: v.layers.length };
    }
    const info: VariableInfo = { name, kind: typeof v === 'function' ? 'function' : 'value', type: typeName(v) };
    const p = preview(v);
    if (p !== undefined) info.preview = p;
    return info;
  } catch {
    return { name, kind: 'value', type: 'unknown' };
  }
}

/**
 * Every own enumerable variable of `locals`, sorted by name, except the preloaded globals (`hidden`: name ->
 * preloaded value; a cell that rebinds such a name shows it again). Getters are not called.
 */
export function describeVariables(locals: Record<string, unknown>, hidden: Record<string, unknown>, tf?: Tf): VariableInfo[] {
  const out: VariableInfo[] = [];
  for (const name of Object.keys(locals)) {
    const d = Object.getOwnPropertyDescriptor(locals, name);
    if (!d || !('value' in d)) continue; // a getter (the preloaded `signal`)
    if (name in hidden && hidden[name] === d.value) continue;
    out.push(describeValue(name, d.value, tf));
  }
  return out.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

/** Min / max / mean and the first `maxValues` values of a numeric tensor (see the header). Throws a clear error otherwise. */
export function summarizeTensor(value: unknown, name: string, tf: Tf, maxValues = 10): TensorSummary {
  if (value === undefined) throw new Error(`no variable named '${name}': run the cell that defines it first`);
  if (!isTensor(value, tf)) throw new Error(`'${name}' is a ${typeName(value)}, not a tensor: only tensors have value summaries`);
  if (value.isDisposed) throw new Error(`'${name}' was disposed: its values are gone (re-run the cell that creates it)`);
  if (!(value.dtype in BYTES) || value.dtype === 'complex64') {
    throw new Error(`'${name}' has dtype ${value.dtype}: summaries cover float32, int32 and bool tensors`);
  }
  const n = Math.max(0, Math.min(Math.floor(maxValues), value.size));
  const base: TensorSummary = { name, dtype: value.dtype, shape: [...value.shape], size: value.size, first: [] };
  if (value.size === 0) return base;
  return tf.tidy(() => {
    const flat = tf.reshape(tf.cast(value as unknown as TF.Tensor, 'float32'), [-1]);
    const nan = tf.isNaN(flat);
    const finite = tf.isFinite(flat);
    const nFinite = tf.sum(tf.cast(finite, 'float32'));
    // min/max ignore NaN (±Infinity kept); mean over the finite values only.
    const min = tf.min(tf.where(nan, tf.fill(flat.shape, Infinity), flat));
    const max = tf.max(tf.where(nan, tf.fill(flat.shape, -Infinity), flat));
    const mean = tf.div(tf.sum(tf.where(finite, flat, tf.zerosLike(flat))), tf.maximum(nFinite, 1));
    const stats = tf.stack([min, max, mean, tf.sum(tf.cast(nan, 'float32')), nFinite]).dataSync();
    const first = Array.from(tf.slice(flat, 0, n).dataSync(), num);
    const [lo, hi, avg, nanCount, finiteCount] = Array.from(stats);
    const allNaN = nanCount === value.size;
    return {
      ...base,
      first,
      min: allNaN ? 'NaN' : num(lo),
      max: allNaN ? 'NaN' : num(hi),
      mean: finiteCount > 0 ? avg : 'NaN',
      nanCount,
      nonFiniteCount: value.size - finiteCount,
    };
  });
}

/** JSON (the IPC channel) turns NaN and ±Infinity into null: send those as the strings 'NaN', 'Infinity', '-Infinity'. */
function num(x: number): number | string {
  return Number.isFinite(x) ? x : String(x);
}

/** tf.memory() at the start and end of each cell; `info()` gives the totals now and the last cell's change. */
export class MemoryTracker {
  private before: { numTensors: number; numBytes: number } | undefined;
  private last: MemoryInfo['lastCell'];

  constructor(private readonly tf: Tf) {}

  cellStarted(): void {
    const m = this.tf.memory();
    this.before = { numTensors: m.numTensors, numBytes: m.numBytes };
  }

  cellFinished(cell: string): void {
    if (!this.before) return;
    const m = this.tf.memory();
    this.last = { cell, tensors: m.numTensors - this.before.numTensors, bytes: m.numBytes - this.before.numBytes };
    this.before = undefined;
  }

  info(): MemoryInfo {
    const m = this.tf.memory();
    return { numTensors: m.numTensors, numBytes: m.numBytes, ...(this.last ? { lastCell: this.last } : {}) };
  }
}
