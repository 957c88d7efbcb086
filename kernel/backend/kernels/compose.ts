/**
 * Writing a wasm kernel as a composition of tf ops.
 *
 * A kernelFunc receives TensorInfos and must return TensorInfos that the engine then owns. Inside
 * a kernel the engine does not tape (kernelDepth > 0), so tf ops are plain computations on the
 * current backend. `composed(f)` runs `f` on Tensors in a `tf.tidy` and hands the result's data to
 * the engine: the backend's reference count is raised once, then our Tensor is disposed, so the
 * engine's new output Tensor is the only owner. Net effect on `tf.memory().numTensors`: exactly
 * the outputs the engine creates; every intermediate is freed by the tidy.
 */
import * as tf from '@tensorflow/tfjs';

export type TensorInfo = { dataId: object; shape: number[]; dtype: tf.DataType };
type RefCounting = { incRef(dataId: object): void };

/** A Tensor view of a kernel input (inputs are Tensors already when called through tf ops). */
function asTensor(info: TensorInfo, backend: RefCounting): tf.Tensor {
  if (info instanceof tf.Tensor) return info;
  backend.incRef(info.dataId);
  return tf.engine().makeTensorFromTensorInfo(info as never);
}

/**
 * A kernelFunc computing `f(inputs, attrs)` with tf ops. `f` must return a new tensor (never one
 * of its inputs unchanged); `names` lists the input names in the order `f` receives them.
 */
export function composed(names: readonly string[], f: (xs: tf.Tensor[], attrs: Record<string, unknown>, backend: tf.KernelBackend) => tf.Tensor): tf.KernelFunc {
  return ({ inputs, backend, attrs }) => {
    const rc = backend as unknown as RefCounting;
    const result = tf.tidy(() => {
      const xs = names.map((n) => {
        const info = (inputs as Record<string, TensorInfo | undefined>)[n];
        if (info == null) throw new Error(`missing kernel input '${n}'`);
        return asTensor(info, rc);
      });
      const r = f(xs, (attrs ?? {}) as Record<string, unknown>, backend as tf.KernelBackend);
      return xs.includes(r) ? r.clone() : r;
    });
    rc.incRef(result.dataId);
    const out: TensorInfo = { dataId: result.dataId, shape: result.shape, dtype: result.dtype };
    result.dispose();
    return out as never;
  };
}

/**
 * Rows `start + k·stride` (k = 0 … count−1) along axes 1 and 2 of an NHWC tensor: the input
 * positions one filter tap sees across the output grid.
 */
export function tapSlice(xp: tf.Tensor4D, rowStart: number, colStart: number, outH: number, outW: number, strideH: number, strideW: number): tf.Tensor4D {
  const [b, , , c] = xp.shape;
  return tf.stridedSlice(xp, [0, rowStart, colStart, 0], [b, rowStart + (outH - 1) * strideH + 1, colStart + (outW - 1) * strideW + 1, c], [1, strideH, strideW, 1]) as tf.Tensor4D;
}

/**
 * Pads NHWC `x` with the convolution's top/left padding and enough bottom/right zeros for every
 * tap of a (fh, fw) filter with dilation (dh, dw) over an (outH, outW) grid; extra zeros past the
 * convolution's own padding are never read by a tap.
 */
export function padForTaps(x: tf.Tensor4D, top: number, left: number, fh: number, fw: number, dh: number, dw: number, outH: number, outW: number, sh: number, sw: number, value = 0): tf.Tensor4D {
  const [, h, w] = x.shape;
  const needH = (fh - 1) * dh + (outH - 1) * sh + 1;
  const needW = (fw - 1) * dw + (outW - 1) * sw + 1;
  const bottom = Math.max(0, needH - h - top);
  const right = Math.max(0, needW - w - left);
  if (top === 0 && left === 0 && bottom === 0 && right === 0) return x;
  return tf.pad(x, [[0, 0], [top, bottom], [left, right], [0, 0]], value);
}

/**
 * Places t [B, oh, ow, C] on a stride grid inside a zero [B, outH, outW, C]: t[p, q] lands at
 * (row + p·sh, col + q·sw). The caller guarantees row + (oh−1)·sh < outH and col + (ow−1)·sw < outW.
 */
export function spreadOnGrid(t: tf.Tensor4D, row: number, col: number, sh: number, sw: number, outH: number, outW: number): tf.Tensor4D {
  const u = spreadAxis(spreadAxis(t, 1, sh), 2, sw) as tf.Tensor4D;
  const [, uh, uw] = u.shape;
  return tf.pad(u, [[0, 0], [row, outH - row - uh], [col, outW - col - uw], [0, 0]]);
}

/**
 * Inserts stride − 1 zeros between consecutive entries along `axis`: length n becomes
 * (n − 1)·stride + 1. Done on a rank-4 view (wasm's pad is wrong for rank 8; rank 4 is tested).
 */
export function spreadAxis(t: tf.Tensor, axis: number, stride: number): tf.Tensor {
  if (stride === 1) return t;
  const shape = t.shape;
  const n = shape[axis];
  const pre = shape.slice(0, axis).reduce((a, b) => a * b, 1);
  const post = shape.slice(axis + 1).reduce((a, b) => a * b, 1);
  const padded = tf.pad(t.reshape([pre, n, 1, post]), [[0, 0], [0, 0], [0, stride - 1], [0, 0]]);
  const len = (n - 1) * stride + 1;
  const kept = tf.slice(padded.reshape([pre, n * stride, post]), [0, 0, 0], [pre, len, post]);
  return kept.reshape([...shape.slice(0, axis), len, ...shape.slice(axis + 1)]);
}
