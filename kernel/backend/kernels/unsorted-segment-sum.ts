/**
 * `UnsortedSegmentSum` for wasm: the gradient of `tf.gather` and of every Embedding lookup.
 *
 *     out[s, …] = Σ_{i : ids[i] = s} x[i, …]        out: [numSegments, …x.shape[ids.rank:]]
 *
 * One pass over x, O(|x|), accumulating in float32 in index order straight into the output's
 * wasm memory (the cpu kernel builds a mask per segment, O(numSegments·|x|)). Ids < 0 are
 * dropped (TensorFlow's rule, and what the cpu kernel does); an id ≥ numSegments, a non-integer
 * numSegments or ids that are not 1-D with one id per row of x is an error naming the fix. (For
 * ids of rank > 1 TensorFlow sums over all id axes while tfjs' cpu kernel sums over axis 0 with a
 * broadcast mask; the two disagree, so the ambiguous form is refused rather than guessed.)
 */
import type * as tf from '@tensorflow/tfjs';
import type { TensorInfo } from './compose';

type WasmStore = {
  readSync(dataId: object): ArrayLike<number>;
  makeOutput(shape: number[], dtype: tf.DataType): TensorInfo;
  typedArrayFromHeap(info: TensorInfo): Float32Array | Int32Array;
};

export const unsortedSegmentSumWasm: tf.KernelFunc = ({ inputs, backend, attrs }) => {
  const x = inputs.x as unknown as TensorInfo;
  const ids = inputs.segmentIds as unknown as TensorInfo;
  const numSegments = Number((attrs as { numSegments: number }).numSegments);
  if (!Number.isInteger(numSegments) || numSegments < 0) {
    throw new Error(`UnsortedSegmentSum: numSegments must be a non-negative integer, got ${numSegments}.`);
  }
  const r = 1;
  if (ids.shape.length !== 1 || x.shape.length < 1 || ids.shape[0] !== x.shape[0]) {
    throw new Error(`UnsortedSegmentSum on wasm: segmentIds must be 1-D with one id per row of x; got ids [${ids.shape}] for x [${x.shape}]. Fix: reshape the ids to [-1] and x to [-1, ...its trailing axes].`);
  }
  const store = backend as unknown as WasmStore;
  const id = store.readSync(ids.dataId);
  const n = id.length;
  for (let i = 0; i < n; i++) {
    if (id[i] >= numSegments) {
      throw new Error(`UnsortedSegmentSum: segment id ${id[i]} at position ${i} is out of range [0, ${numSegments}); raise numSegments (e.g. the vocabulary size) or fix the ids.`);
    }
  }
  const inner = x.shape.slice(r);
  const d = inner.reduce((a, b) => a * b, 1);
  const xs = store.readSync(x.dataId);
  const out = store.makeOutput([numSegments, ...inner], x.dtype);
  const o = store.typedArrayFromHeap(out);
  o.fill(0);
  for (let i = 0; i < n; i++) {
    const s = id[i];
    if (s < 0) continue;
    const src = i * d;
    const dst = s * d;
    for (let k = 0; k < d; k++) o[dst + k] += xs[src + k];
  }
  return out as never;
};
