/**
 * `Conv2DBackpropFilter` for wasm: the filter gradient of `y = conv2d(x, W)`, by im2col.
 *
 *     dW[i, j, c, o] = Σ_{b, p, q} x̃[b, p·sh + i, q·sw + j, c] · dy[b, p, q, o]
 *
 * with x̃ the zero-padded input (padding from `computeConv2DInfo`, as the cpu kernel; dilation is
 * 1: tfjs' conv2d gradient refuses dilations > 1). Each tap (i, j) is one strided slice of x̃; the
 * taps are concatenated along channels into cols [N = B·outH·outW, fh·fw·C] and
 * dW = (dyᵀ · cols)ᵀ = colsᵀ · dy[N, O], one matMul (on the fast wasm matMul when it is on), reshaped to
 * [fh, fw, C, O]. NCHW inputs are transposed to NHWC first. To bound memory, cols holds at most
 * `im2colLimit` elements (default 2²² = 16 MB): larger batches are split into batch chunks whose
 * dW are summed (the sum over b is split, nothing else changes).
 */
import * as tf from '@tensorflow/tfjs';
import { composed, padForTaps, tapSlice } from './compose';

let im2colLimit = 1 << 22;

/** Sets the largest im2col matrix (elements) before the batch is chunked; returns the previous value. */
export function setIm2colLimit(elements: number): number {
  const prev = im2colLimit;
  im2colLimit = Math.max(1, Math.floor(elements));
  return prev;
}

export const conv2DBackpropFilterWasm = composed(['x', 'dy'], ([x0, dy0], attrs) => {
  const { strides, pad, dataFormat, dimRoundingMode, filterShape } = attrs as {
    strides: number | [number, number];
    pad: 'valid' | 'same' | number | tf.backend_util.ExplicitPadding;
    dataFormat: 'NHWC' | 'NCHW';
    dimRoundingMode?: 'floor' | 'round' | 'ceil';
    filterShape: [number, number, number, number];
  };
  const nchw = dataFormat === 'NCHW';
  const x = (nchw ? tf.transpose(x0, [0, 2, 3, 1]) : x0) as tf.Tensor4D;
  const dy = (nchw ? tf.transpose(dy0, [0, 2, 3, 1]) : dy0) as tf.Tensor4D;
  // Padding is read in the caller's layout (an explicit NCHW pad lists H and W last).
  const info = tf.backend_util.computeConv2DInfo(x0.shape as [number, number, number, number], filterShape, strides, 1, pad as never, dimRoundingMode, false, nchw ? 'channelsFirst' : 'channelsLast');
  const { filterHeight: fh, filterWidth: fw, strideHeight: sh, strideWidth: sw, outHeight: oh, outWidth: ow, inChannels: c, outChannels: o, batchSize: b } = info;
  if (dy.shape[1] !== oh || dy.shape[2] !== ow || dy.shape[3] !== o) {
    throw new Error(`Conv2DBackpropFilter: dy has shape [${dy.shape}] but the convolution's output is [${b},${oh},${ow},${o}] (NHWC); pass the dy of this convolution.`);
  }
  const xp = padForTaps(x, info.padInfo.top, info.padInfo.left, fh, fw, 1, 1, oh, ow, sh, sw);
  const perImage = oh * ow * fh * fw * c;
  const chunk = Math.max(1, Math.min(b, Math.floor(im2colLimit / perImage)));
  let dw: tf.Tensor | undefined;
  for (let start = 0; start < b; start += chunk) {
    const nb = Math.min(chunk, b - start);
    const xs = nb === b ? xp : tf.slice(xp, [start, 0, 0, 0], [nb, -1, -1, -1]);
    const dys = nb === b ? dy : tf.slice(dy, [start, 0, 0, 0], [nb, -1, -1, -1]);
    const n = nb * oh * ow;
    const taps: tf.Tensor4D[] = [];
    for (let i = 0; i < fh; i++) for (let j = 0; j < fw; j++) taps.push(tapSlice(xs, i, j, oh, ow, sh, sw));
    const cols = (taps.length === 1 ? taps[0] : tf.concat(taps, 3)).reshape([n, fh * fw * c]);
    // dWᵀ = dyᵀ · cols then one small transpose: the matMul transposes dy [N, O] rather than the
    // much larger cols [N, fh·fw·C] (2.3× faster for N = 12544, K = 144, O = 32 on wasm).
    const part = tf.transpose(tf.matMul(dys.reshape([n, o]), cols, true, false));
    tf.dispose([...taps, cols]);
    dw = dw ? tf.add(dw, part) : part;
  }
  return dw!.reshape([fh, fw, c, o]);
});
