/**
 * The training kernels added for wasm (kernel/backend/kernels) against the cpu backend's kernels
 * on random shapes: strides, 'same' / 'valid' / explicit / numeric padding, dilations, NHWC and
 * NCHW, batch sizes and channel multipliers; plus hand-computed cases and the error paths.
 */
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { initBackend, replacedWasmKernels } from '../../kernel/backend';
import { assertClose, on, randomArray, seeded } from './cross';
import { setIm2colLimit } from '../../kernel/backend/kernels/conv2d-backprop-filter';

const TOL = 2e-5;

before(async () => {
  const r = await initBackend({ prefer: 'wasm', env: {} });
  assert.deepEqual(r.addedKernels, ['Conv2DBackpropFilter', 'DepthwiseConv2dNativeBackpropFilter', 'DepthwiseConv2dNativeBackpropInput', 'Einsum', 'UnsortedSegmentSum']);
  assert.deepEqual(replacedWasmKernels(), ['Conv3DBackpropInputV2', 'MaxPoolGrad']);
});

type Pad = 'same' | 'valid' | number | [[number, number], [number, number], [number, number], [number, number]];
const int = (rand: () => number, lo: number, hi: number): number => lo + Math.floor(((rand() + 1) / 2) * (hi - lo + 1));

function randomPad(rand: () => number, nchw: boolean): Pad {
  switch (int(rand, 0, 3)) {
    case 0: return 'same';
    case 1: return 'valid';
    case 2: return int(rand, 0, 2);
    default: {
      const hw: [[number, number], [number, number]] = [[int(rand, 0, 2), int(rand, 0, 2)], [int(rand, 0, 2), int(rand, 0, 2)]];
      return nchw ? [[0, 0], [0, 0], ...hw] : [[0, 0], ...hw, [0, 0]];
    }
  }
}

/**
 * Float64 reference of the depthwise convolution's two gradients, straight from the definition
 * y[b,p,q,c·M+m] = Σ_{i,j} x[b, p·sh + i·dh − top, q·sw + j·dw − left, c] · W[i,j,c,m] (zero outside x).
 */
function depthwiseGradsReference(x: Float32Array, xs: number[], dy: Float32Array, w: Float32Array, fs: number[], info: tf.backend_util.Conv2DInfo): { dW: Float64Array; dX: Float64Array } {
  const [b, h, wd, c] = xs;
  const [fh, fw, , m] = fs;
  const { outHeight: oh, outWidth: ow, strideHeight: sh, strideWidth: sw, dilationHeight: dh, dilationWidth: dw } = info;
  const { top, left } = info.padInfo;
  const dW = new Float64Array(fh * fw * c * m);
  const dX = new Float64Array(b * h * wd * c);
  for (let n = 0; n < b; n++) for (let p = 0; p < oh; p++) for (let q = 0; q < ow; q++) for (let i = 0; i < fh; i++) for (let j = 0; j < fw; j++) {
    const r = p * sh + i * dh - top;
    const s = q * sw + j * dw - left;
    if (r < 0 || r >= h || s < 0 || s >= wd) continue;
    for (let ch = 0; ch < c; ch++) for (let k = 0; k < m; k++) {
      const g = dy[((n * oh + p) * ow + q) * c * m + ch * m + k];
      const xi = ((n * h + r) * wd + s) * c + ch;
      const wi = ((i * fw + j) * c + ch) * m + k;
      dW[wi] += x[xi] * g;
      dX[xi] += w[wi] * g;
    }
  }
  return { dW, dX };
}

/** Runs kernel `name` on both backends from the same data and compares. */
function compareKernel(name: string, shapes: Record<string, number[]>, attrs: Record<string, unknown>, seed: number, what: string): void {
  const rand = seeded(seed);
  const data = Object.fromEntries(Object.entries(shapes).map(([k, s]) => [k, randomArray(s.reduce((a, b) => a * b, 1), rand)]));
  const run = () => {
    const inputs = Object.fromEntries(Object.entries(shapes).map(([k, s]) => [k, tf.tensor(data[k], s)]));
    return tf.engine().runKernel(name, inputs as never, attrs as never) as tf.Tensor;
  };
  const want = on('cpu', run);
  const got = on('wasm', run);
  assertClose(got, want, TOL, what);
}

test('Conv2DBackpropFilter equals cpu on 60 random convolutions (NHWC and NCHW, strides, every padding form)', () => {
  const rand = seeded(101);
  let nchwCount = 0;
  for (let k = 0; k < 60; k++) {
    const nchw = k % 3 === 2;
    const [b, h, w, c, o] = [int(rand, 1, 3), int(rand, 3, 9), int(rand, 3, 9), int(rand, 1, 4), int(rand, 1, 4)];
    const [fh, fw] = [int(rand, 1, Math.min(3, h)), int(rand, 1, Math.min(3, w))];
    const strides: [number, number] = [int(rand, 1, 3), int(rand, 1, 3)];
    const pad = randomPad(rand, nchw);
    const xShape = nchw ? [b, c, h, w] : [b, h, w, c];
    const info = tf.backend_util.computeConv2DInfo(xShape as never, [fh, fw, c, o], strides, 1, pad as never, undefined, false, nchw ? 'channelsFirst' : 'channelsLast');
    if (info.outHeight < 1 || info.outWidth < 1) continue;
    const dyShape = nchw ? [b, o, info.outHeight, info.outWidth] : [b, info.outHeight, info.outWidth, o];
    compareKernel('Conv2DBackpropFilter', { x: xShape, dy: dyShape }, { strides, pad, dataFormat: nchw ? 'NCHW' : 'NHWC', filterShape: [fh, fw, c, o] }, 1000 + k, `case ${k} x[${xShape}] f[${fh},${fw}] s${strides} pad ${JSON.stringify(pad)}`);
    if (nchw) nchwCount++;
  }
  assert.ok(nchwCount >= 10, 'NCHW was exercised');
});

test('DepthwiseConv2dNativeBackpropFilter and …Input equal cpu on 60 random cases (strides or dilations, multipliers, paddings)', () => {
  const rand = seeded(202);
  let dilated = 0;
  let multiplied = 0;
  for (let k = 0; k < 60; k++) {
    const [b, h, w, c, m] = [int(rand, 1, 3), int(rand, 4, 10), int(rand, 4, 10), int(rand, 1, 4), int(rand, 1, 3)];
    const [fh, fw] = [int(rand, 1, 3), int(rand, 1, 3)];
    // tfjs allows strides > 1 or dilations > 1, not both.
    const dil = k % 2 === 1;
    const strides: [number, number] = dil ? [1, 1] : [int(rand, 1, 3), int(rand, 1, 3)];
    const dilations: [number, number] = dil ? [int(rand, 1, 2), int(rand, 1, 2)] : [1, 1];
    const pad = randomPad(rand, false);
    const info = tf.backend_util.computeConv2DInfo([b, h, w, c], [fh, fw, c, m], strides, dilations, pad as never, undefined, true);
    if (info.outHeight < 1 || info.outWidth < 1) continue;
    const dyShape = [b, info.outHeight, info.outWidth, c * m];
    const what = `case ${k} x[${b},${h},${w},${c}] f[${fh},${fw},${c},${m}] s${strides} d${dilations} pad ${JSON.stringify(pad)}`;
    const isDilated = dilations[0] > 1 || dilations[1] > 1;
    // tfjs' cpu depthwise backprop kernels ignore dilations (docs/backends.md): compare with cpu
    // when undilated, and always with the float64 reference.
    if (!isDilated) {
      compareKernel('DepthwiseConv2dNativeBackpropFilter', { x: [b, h, w, c], dy: dyShape }, { strides, dilations, pad, filterShape: [fh, fw, c, m] }, 3000 + k, `filter ${what}`);
      compareKernel('DepthwiseConv2dNativeBackpropInput', { dy: dyShape, filter: [fh, fw, c, m] }, { strides, dilations, pad, inputShape: [b, h, w, c] }, 5000 + k, `input ${what}`);
    }
    const r2 = seeded(7000 + k);
    const xd = randomArray(b * h * w * c, r2);
    const dyd = randomArray(dyShape.reduce((a, v) => a * v, 1), r2);
    const wdat = randomArray(fh * fw * c * m, r2);
    const ref = depthwiseGradsReference(xd, [b, h, w, c], dyd, wdat, [fh, fw, c, m], info);
    const got = on('wasm', () => [
      tf.engine().runKernel('DepthwiseConv2dNativeBackpropFilter', { x: tf.tensor(xd, [b, h, w, c]), dy: tf.tensor(dyd, dyShape) } as never, { strides, dilations, pad, filterShape: [fh, fw, c, m] } as never) as tf.Tensor,
      tf.engine().runKernel('DepthwiseConv2dNativeBackpropInput', { dy: tf.tensor(dyd, dyShape), filter: tf.tensor(wdat, [fh, fw, c, m]) } as never, { strides, dilations, pad, inputShape: [b, h, w, c] } as never) as tf.Tensor,
    ]);
    assertClose(got, { values: [Float32Array.from(ref.dW), Float32Array.from(ref.dX)], shapes: [[fh, fw, c, m], [b, h, w, c]] }, TOL, `float64 reference ${what}`);
    if (isDilated) dilated++;
    if (m > 1) multiplied++;
  }
  assert.ok(dilated >= 5 && multiplied >= 10, `coverage: ${dilated} dilated, ${multiplied} with multiplier > 1`);
});

test('Conv2DBackpropFilter equals cpu when its im2col matrix is split into batch chunks', () => {
  const prev = setIm2colLimit(200);
  try {
    for (const [k, pad] of (['same', 'valid', 1] as const).entries()) {
      const info = tf.backend_util.computeConv2DInfo([5, 6, 5, 3], [3, 2, 3, 2], [2, 1], 1, pad, undefined, false, 'channelsLast');
      compareKernel('Conv2DBackpropFilter', { x: [5, 6, 5, 3], dy: [5, info.outHeight, info.outWidth, 2] }, { strides: [2, 1], pad, dataFormat: 'NHWC', filterShape: [3, 2, 3, 2] }, 1500 + k, `chunked ${pad}`);
    }
  } finally {
    setIm2colLimit(prev);
  }
});

test('Conv2DBackpropFilter by hand: a 1×1 input channel, 2×2 filter, stride 1, valid', () => {
  // x = [[1,2,3],[4,5,6],[7,8,9]], dy = ones(2,2): dW[i][j] = Σ of the 2×2 window starting at (i, j).
  const { values } = on('wasm', () => tf.engine().runKernel('Conv2DBackpropFilter', { x: tf.tensor4d([1, 2, 3, 4, 5, 6, 7, 8, 9], [1, 3, 3, 1]), dy: tf.ones([1, 2, 2, 1]) } as never, { strides: 1, pad: 'valid', dataFormat: 'NHWC', filterShape: [2, 2, 1, 1] } as never) as tf.Tensor);
  assert.deepEqual(Array.from(values[0]), [12, 16, 24, 28]);
});

test('UnsortedSegmentSum equals cpu (random ids incl. negatives, rank-2 and rank-3 x) and hand-computed cases', () => {
  const rand = seeded(303);
  for (let k = 0; k < 20; k++) {
    const n = int(rand, 1, 30);
    const inner = k % 2 ? [int(rand, 1, 5), int(rand, 1, 4)] : [int(rand, 1, 6)];
    const s = int(rand, 1, 12);
    const ids = Int32Array.from({ length: n }, () => int(rand, -1, s - 1));
    const xs = randomArray(n * inner.reduce((a, b) => a * b, 1), rand);
    const run = () => tf.unsortedSegmentSum(tf.tensor(xs, [n, ...inner]), tf.tensor1d(ids, 'int32'), s);
    assertClose(on('wasm', run), on('cpu', run), TOL, `case ${k}`);
  }
  const { values, shapes } = on('wasm', () => tf.unsortedSegmentSum(tf.tensor2d([1, 2, 10, 20, 100, 200, 5, 5], [4, 2]), tf.tensor1d([1, 0, 1, -1], 'int32'), 3));
  assert.deepEqual(shapes[0], [3, 2]);
  assert.deepEqual(Array.from(values[0]), [10, 20, 101, 202, 0, 0]);
  const { values: iv } = on('wasm', () => tf.unsortedSegmentSum(tf.tensor1d([3, 4, 5], 'int32'), tf.tensor1d([0, 0, 1], 'int32'), 2));
  assert.deepEqual(Array.from(iv[0]), [7, 5]);
});

test('UnsortedSegmentSum refuses an id ≥ numSegments and ids that are not 1-D, naming the fix, and leaks nothing', () => {
  tf.setBackend('wasm');
  const x = tf.ones([3, 2]);
  const ids = tf.tensor1d([0, 5, 1], 'int32');
  const ids2 = tf.tensor2d([0, 1, 1, 0, 0, 1], [3, 2], 'int32');
  const n = tf.memory().numTensors;
  assert.throws(() => tf.unsortedSegmentSum(x, ids, 3), /segment id 5 at position 1 is out of range \[0, 3\); raise numSegments/);
  assert.throws(() => tf.engine().runKernel('UnsortedSegmentSum', { x, segmentIds: ids2 } as never, { numSegments: 2 } as never), /segmentIds must be 1-D with one id per row of x; got ids \[3,2\] for x \[3,2\]\. Fix: reshape/);
  assert.equal(tf.memory().numTensors, n);
  tf.dispose([x, ids, ids2]);
});

test('Einsum equals cpu on matmul, batched, outer, transpose, reduction and dot forms', () => {
  const rand = seeded(404);
  const cases: Array<[string, number[][]]> = [
    ['ij,jk->ik', [[3, 4], [4, 5]]],
    ['bij,bjk->bik', [[2, 3, 4], [2, 4, 5]]],
    ['bij,bkj->bik', [[2, 3, 4], [2, 5, 4]]],
    ['i,j->ij', [[3], [4]]],
    ['ij->ji', [[3, 4]]],
    ['ij->i', [[3, 4]]],
    ['i,i->', [[6], [6]]],
    ['bqhd,bkhd->bhqk', [[2, 3, 2, 4], [2, 5, 2, 4]]],
    ['abc,cd->abd', [[2, 3, 4], [4, 2]]],
    ['ij,kj->ik', [[3, 4], [2, 4]]],
    ['ijk,j->ik', [[2, 3, 4], [3]]],
  ];
  for (const [eq, shapes] of cases) {
    const data = shapes.map((s) => randomArray(s.reduce((a, b) => a * b, 1), rand));
    const run = () => tf.einsum(eq, ...data.map((d, i) => tf.tensor(d, shapes[i])));
    assertClose(on('wasm', run), on('cpu', run), TOL, eq);
  }
  tf.setBackend('wasm');
  assert.throws(() => tf.einsum('ij,jk,kl->il', tf.ones([2, 2]), tf.ones([2, 2]), tf.ones([2, 2])), /more than 2 input tensors/);
});

test('gradients through tf ops reach the new kernels: conv2d, depthwiseConv2d, gather on wasm equal cpu', () => {
  const rand = seeded(505);
  const x = randomArray(2 * 7 * 6 * 3, rand);
  const w = randomArray(3 * 3 * 3 * 4, rand);
  const dw = randomArray(3 * 3 * 3 * 2, rand);
  const table = randomArray(10 * 4, rand);
  const ids = Int32Array.from([1, 3, 3, 9, 0, 1]);
  const run = () => {
    const f = (xt: tf.Tensor, wt: tf.Tensor, dwt: tf.Tensor, tt: tf.Tensor) => {
      const c = tf.conv2d(xt as tf.Tensor4D, wt as tf.Tensor4D, 2, 'same');
      const d = tf.depthwiseConv2d(xt as tf.Tensor4D, dwt as tf.Tensor4D, 1, 'valid');
      const g = tf.gather(tt, tf.tensor1d(ids, 'int32'));
      return tf.add(tf.add(tf.sum(tf.square(c)), tf.sum(tf.tanh(d))), tf.sum(tf.sin(g)));
    };
    return tf.grads(f)([tf.tensor4d(x, [2, 7, 6, 3]), tf.tensor4d(w, [3, 3, 3, 4]), tf.tensor4d(dw, [3, 3, 3, 2]), tf.tensor2d(table, [10, 4])]);
  };
  assertClose(on('wasm', run), on('cpu', run), 1e-4, 'grads');
});

test('MaxPoolGrad (replaced on wasm) equals cpu on 40 random poolings of negative and mixed data, and by hand', () => {
  const rand = seeded(606);
  for (let k = 0; k < 40; k++) {
    const [b, h, w, c] = [int(rand, 1, 3), int(rand, 2, 9), int(rand, 2, 9), int(rand, 1, 3)];
    const [fh, fw] = [int(rand, 1, Math.min(3, h)), int(rand, 1, Math.min(3, w))];
    const strides: [number, number] = [int(rand, 1, 3), int(rand, 1, 3)];
    const pad = k % 2 ? 'same' : 'valid';
    const shift = k % 3 === 0 ? -2 : 0; // all-negative inputs: where wasm 4.22's own kernel goes wrong
    const xs = randomArray(b * h * w * c, rand).map((v) => v + shift);
    const run = () => {
      const x = tf.tensor4d(xs, [b, h, w, c]);
      const y = tf.maxPool(x, [fh, fw], strides, pad);
      const dy = tf.tensor(randomArray(y.size, seeded(k)), y.shape);
      return tf.engine().runKernel('MaxPoolGrad', { dy, input: x, output: y } as never, { filterSize: [fh, fw], strides, pad } as never) as tf.Tensor;
    };
    assertClose(on('wasm', run), on('cpu', run), TOL, `case ${k} x[${b},${h},${w},${c}] pool ${fh}x${fw} s${strides} ${pad} shift ${shift}`);
  }
  // Windows [-3,-1;-5,-9] → max at (0,1); [-4,-1.5;-2,-6] → (0,3)... dy = 1, 2, 3, 4.
  const { values } = on('wasm', () => tf.grad((a: tf.Tensor) => tf.sum(tf.mul(tf.maxPool(a as tf.Tensor4D, 2, 2, 'valid'), tf.tensor4d([1, 2, 3, 4], [1, 2, 2, 1]))))(tf.tensor4d([-3, -1, -4, -1.5, -5, -9, -2, -6, -5, -3, -5.5, -8, -9.7, -7, -9.3, -2.3], [1, 4, 4, 1])));
  assert.deepEqual(Array.from(values[0]), [0, 1, 0, 2, 0, 0, 0, 0, 0, 3, 0, 0, 0, 0, 0, 4]);
});

test('Conv3DBackpropInputV2 (replaced on wasm) equals cpu on 20 random cases, also right after other allocations', () => {
  const rand = seeded(707);
  for (let k = 0; k < 20; k++) {
    const [b, d, h, w, c, o] = [int(rand, 1, 2), int(rand, 2, 6), int(rand, 2, 6), int(rand, 2, 6), int(rand, 1, 3), int(rand, 1, 3)];
    const f = [int(rand, 1, Math.min(2, d)), int(rand, 1, Math.min(3, h)), int(rand, 1, Math.min(3, w))];
    const s = int(rand, 1, 2);
    const pad = k % 2 ? 'same' : 'valid';
    const info = tf.backend_util.computeConv3DInfo([b, d, h, w, c], [f[0], f[1], f[2], c, o], s, 1, pad);
    const dyShape = [b, info.outDepth, info.outHeight, info.outWidth, o];
    // Fill the allocator with garbage first: the original wasm kernel read uninitialised memory.
    on('wasm', () => tf.mul(tf.ones([b * d * h * w * c * 4]), 7));
    compareKernel('Conv3DBackpropInputV2', { dy: dyShape, filter: [f[0], f[1], f[2], c, o] }, { strides: [s, s, s], pad, inputShape: [b, d, h, w, c] }, 8000 + k, `case ${k} x[${b},${d},${h},${w},${c}] f${f} s${s} ${pad}`);
  }
});
