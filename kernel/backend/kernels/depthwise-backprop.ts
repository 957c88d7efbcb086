/**
 * `DepthwiseConv2dNativeBackpropFilter` / `…BackpropInput` for wasm. Forward:
 *
 *     y[b, p, q, c·M + m] = Σ_{i, j} x̃[b, p·sh + i·dh, q·sw + j·dw, c] · W[i, j, c, m]
 *
 * Filter: dW[i, j, c, m] = Σ_{b, p, q} x̃[b, p·sh + i·dh, q·sw + j·dw, c] · dy[b, p, q, c·M + m].
 * The T = fh·fw tap slices of x̃ are stacked into [N, T, C] and transposed to [C, T, N]; dy is
 * [N, C, M] → [C, N, M]; one batched matMul over channels gives [C, T, M] → [fh, fw, C, M].
 *
 * Input: dx[b, h, w, c] = Σ_{i, j, m} U[b, h + top − i·dh, w + left − j·dw, c·M + m] · W[i, j, c, m],
 * U = dy spread onto the stride grid (zeros between outputs). With the filter rotated by 180°
 * this is a plain depthwise convolution (stride 1, dilation (dh, dw), 'valid') of U padded by
 * (fh−1)·dh − top above (negative: cropped) and enough below to give inH rows, with the
 * rotated filter reshaped to [fh, fw, C·M, 1]; summing the M channels of each c gives dx. It
 * runs on wasm's own DepthwiseConv2dNative.
 */
import * as tf from '@tensorflow/tfjs';
import { composed, padForTaps, spreadAxis, tapSlice } from './compose';

type Attrs = {
  strides: number | [number, number];
  dilations?: number | [number, number];
  pad: 'valid' | 'same' | number | tf.backend_util.ExplicitPadding;
  dimRoundingMode?: 'floor' | 'round' | 'ceil';
};

export const depthwiseBackpropFilterWasm = composed(['x', 'dy'], ([x0, dy], attrs) => {
  const { strides, dilations, pad, dimRoundingMode, filterShape } = attrs as Attrs & { filterShape: [number, number, number, number] };
  const x = x0 as tf.Tensor4D;
  const info = tf.backend_util.computeConv2DInfo(x.shape, filterShape, strides, dilations ?? 1, pad as never, dimRoundingMode, true);
  const { filterHeight: fh, filterWidth: fw, strideHeight: sh, strideWidth: sw, dilationHeight: dh, dilationWidth: dw, outHeight: oh, outWidth: ow, inChannels: c, batchSize: b } = info;
  const m = filterShape[3];
  if (dy.shape[1] !== oh || dy.shape[2] !== ow || dy.shape[3] !== c * m) {
    throw new Error(`DepthwiseConv2dNativeBackpropFilter: dy has shape [${dy.shape}] but the convolution's output is [${b},${oh},${ow},${c * m}]; pass the dy of this convolution.`);
  }
  const xp = padForTaps(x, info.padInfo.top, info.padInfo.left, fh, fw, dh, dw, oh, ow, sh, sw);
  const n = b * oh * ow;
  const taps: tf.Tensor4D[] = [];
  for (let i = 0; i < fh; i++) for (let j = 0; j < fw; j++) taps.push(tapSlice(xp, i * dh, j * dw, oh, ow, sh, sw));
  const t = taps.length;
  const cols = tf.transpose((t === 1 ? taps[0] : tf.stack(taps, 3)).reshape([n, t, c]), [2, 1, 0]); // [C, T, N]
  const g = tf.transpose(dy.reshape([n, c, m]), [1, 0, 2]); // [C, N, M]
  return tf.transpose(tf.matMul(cols, g), [1, 0, 2]).reshape([fh, fw, c, m]);
});

export const depthwiseBackpropInputWasm = composed(['dy', 'filter'], ([dy0, w0], attrs) => {
  const { strides, dilations, pad, dimRoundingMode, inputShape } = attrs as Attrs & { inputShape: [number, number, number, number] };
  const dy = dy0 as tf.Tensor4D;
  const w = w0 as tf.Tensor4D;
  const info = tf.backend_util.computeConv2DInfo(inputShape, w.shape, strides, dilations ?? 1, pad as never, dimRoundingMode, true);
  const { filterHeight: fh, filterWidth: fw, strideHeight: sh, strideWidth: sw, dilationHeight: dh, dilationWidth: dw, outHeight: oh, outWidth: ow, inChannels: c, inHeight: ih, inWidth: iw, batchSize: b } = info;
  const m = w.shape[3];
  if (dy.shape[0] !== b || dy.shape[1] !== oh || dy.shape[2] !== ow || dy.shape[3] !== c * m) {
    throw new Error(`DepthwiseConv2dNativeBackpropInput: dy has shape [${dy.shape}] but the convolution's output is [${b},${oh},${ow},${c * m}]; pass the dy of this convolution.`);
  }
  // U: dy on the stride grid, [(oh−1)·sh + 1, (ow−1)·sw + 1].
  let u = spreadAxis(spreadAxis(dy, 1, sh), 2, sw) as tf.Tensor4D;
  const uh = (oh - 1) * sh + 1;
  const uw = (ow - 1) * sw + 1;
  // Pad (or crop) so that a 'valid' dilated convolution yields exactly ih × iw.
  const padTop = (fh - 1) * dh - info.padInfo.top;
  const padLeft = (fw - 1) * dw - info.padInfo.left;
  const padBottom = ih + (fh - 1) * dh - padTop - uh;
  const padRight = iw + (fw - 1) * dw - padLeft - uw;
  const cropTop = Math.max(0, -padTop);
  const cropLeft = Math.max(0, -padLeft);
  const keepH = uh - cropTop - Math.max(0, -padBottom);
  const keepW = uw - cropLeft - Math.max(0, -padRight);
  if (cropTop || cropLeft || keepH !== uh || keepW !== uw) u = tf.slice(u, [0, cropTop, cropLeft, 0], [b, keepH, keepW, c * m]);
  const up = tf.pad(u, [[0, 0], [Math.max(0, padTop), Math.max(0, padBottom)], [Math.max(0, padLeft), Math.max(0, padRight)], [0, 0]]);
  const rotated = tf.reverse(w, [0, 1]).reshape([fh, fw, c * m, 1]) as tf.Tensor4D;
  const full = tf.depthwiseConv2d(up, rotated, 1, 'valid', 'NHWC', [dh, dw]);
  return m === 1 ? full.reshape([b, ih, iw, c]) : full.reshape([b, ih, iw, c, m]).sum(4);
});
