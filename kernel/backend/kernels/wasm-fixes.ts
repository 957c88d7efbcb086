/**
 * Replacements for two tfjs-backend-wasm 4.22 kernels whose results are wrong (found by
 * test/backend/wasm-layer-grads.test.ts; checked against cpu and by hand in
 * test/backend/wasm-kernels.test.ts):
 *
 * - `MaxPoolGrad` routes dy to the wrong positions when a window's values are negative. Replaced
 *   by: for each tap (i, j) of the window, in row-major order, hit = [x̃_tap = y] ∧ no earlier hit
 *   (the first maximum, as the cpu kernel), dx̃ += spread(dy ⊙ hit) at offset (i, j) with the
 *   pooling stride, x̃ = x padded with −∞; dx = dx̃ without its padding.
 * - `Conv3DBackpropInputV2` accumulates into an output buffer it never zeroes: results depend on
 *   what the allocator hands back (right on fresh memory, wrong after reuse). Replaced by the
 *   transposed convolution written as a forward one: dy spread on the stride grid, padded by
 *   f − 1 − pad_before (cropped when negative) and to the input's size, convolved ('valid',
 *   stride 1) with the filter rotated 180° in space and its in/out channels swapped; runs on
 *   wasm's own Conv3D.
 */
import * as tf from '@tensorflow/tfjs';
import { composed, padForTaps, spreadAxis, spreadOnGrid, tapSlice } from './compose';

export const maxPoolGradWasm = composed(['dy', 'input', 'output'], ([dy0, x0, y0], attrs) => {
  const { filterSize, strides, pad, dimRoundingMode } = attrs as { filterSize: number | [number, number]; strides: number | [number, number]; pad: 'valid' | 'same' | number; dimRoundingMode?: 'floor' | 'round' | 'ceil' };
  const x = x0 as tf.Tensor4D;
  const dy = dy0 as tf.Tensor4D;
  const y = y0 as tf.Tensor4D;
  const info = tf.backend_util.computePool2DInfo(x.shape, filterSize, strides, 1, pad as never, dimRoundingMode);
  const { filterHeight: fh, filterWidth: fw, strideHeight: sh, strideWidth: sw, outHeight: oh, outWidth: ow, inHeight: h, inWidth: w } = info;
  const { top, left } = info.padInfo;
  const xp = padForTaps(x, top, left, fh, fw, 1, 1, oh, ow, sh, sw, -Infinity);
  const [, hp, wp] = xp.shape;
  let remaining: tf.Tensor = tf.onesLike(dy);
  let dxp: tf.Tensor4D | undefined;
  for (let i = 0; i < fh; i++) {
    for (let j = 0; j < fw; j++) {
      const hit = tf.mul(tf.cast(tf.equal(tapSlice(xp, i, j, oh, ow, sh, sw), y), 'float32'), remaining);
      remaining = tf.sub(remaining, hit);
      const part = spreadOnGrid(tf.mul(dy, hit) as tf.Tensor4D, i, j, sh, sw, hp, wp);
      dxp = dxp ? (tf.add(dxp, part) as tf.Tensor4D) : part;
    }
  }
  return tf.slice(dxp!, [0, top, left, 0], [x.shape[0], h, w, x.shape[3]]);
});

export const conv3dBackpropInputWasm = composed(['dy', 'filter'], ([dy0, filter], attrs) => {
  const { strides, pad, inputShape } = attrs as { strides: number | [number, number, number]; pad: 'valid' | 'same'; inputShape: [number, number, number, number, number] };
  const dy = dy0 as tf.Tensor5D;
  const info = tf.backend_util.computeConv3DInfo(inputShape, filter.shape as [number, number, number, number, number], strides, 1, pad);
  const f = [info.filterDepth, info.filterHeight, info.filterWidth];
  const st = [info.strideDepth, info.strideHeight, info.strideWidth];
  const out = [info.outDepth, info.outHeight, info.outWidth];
  const inn = [info.inDepth, info.inHeight, info.inWidth];
  const before = [info.padInfo.front, info.padInfo.top, info.padInfo.left];
  const [b, , , , o] = dy.shape;
  const c = inputShape[4];
  // U: dy on the stride grid.
  let u = spreadAxis(spreadAxis(spreadAxis(dy, 1, st[0]), 2, st[1]), 3, st[2]) as tf.Tensor5D;
  const ulen = out.map((n, k) => (n - 1) * st[k] + 1);
  // Pad (or crop) so that a 'valid' convolution with the rotated filter yields the input's size.
  const lo = f.map((n, k) => n - 1 - before[k]);
  const hi = f.map((n, k) => inn[k] + n - 1 - lo[k] - ulen[k]);
  const crop = lo.map((v) => Math.max(0, -v));
  const keep = ulen.map((n, k) => n - crop[k] - Math.max(0, -hi[k]));
  if (crop.some((v) => v > 0) || keep.some((n, k) => n !== ulen[k])) u = tf.slice(u, [0, ...crop, 0], [b, ...keep, o]);
  const up = tf.pad(u, [[0, 0], ...lo.map((v, k) => [Math.max(0, v), Math.max(0, hi[k])] as [number, number]), [0, 0]]);
  const rotated = tf.transpose(tf.reverse(filter, [0, 1, 2]), [0, 1, 2, 4, 3]) as tf.Tensor5D;
  const dx = tf.conv3d(up as tf.Tensor5D, rotated, 1, 'valid');
  if (dx.shape[4] !== c) throw new Error(`Conv3DBackpropInputV2: filter has ${dx.shape[4]} input channels but inputShape has ${c}.`);
  return dx;
});
