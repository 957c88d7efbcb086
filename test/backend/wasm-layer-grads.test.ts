/**
 * For every layer type tfjs-layers 4.22 offers: one gradient step (training mode) on wasm equals
 * the cpu backend's, for the layer's weights and its float inputs. This is how the kernels wasm
 * lacks for training were found (docs/backends.md lists them). Weights, inputs and the loss
 * coefficients come from a seeded generator, identically on both backends; the loss is
 * Σ c ⊙ layer(x), so the upstream gradient is random rather than all ones.
 */
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../../kernel/backend';
import { assertClose, on, randomArray, seeded } from './cross';

before(async () => {
  await initBackend({ prefer: 'wasm', env: {} });
});

interface Spec {
  name: string;
  /** Input shapes without the batch axis (batch 2 is prepended). */
  inputs: number[][];
  layer: () => tf.layers.Layer;
  /** Integer inputs in [0, int) instead of floats (no gradient is taken for them). */
  int?: number;
  tol?: number;
  /** The layer draws unseeded noise in training mode: only shapes and finiteness are compared. */
  random?: boolean;
  /** tfjs cannot take this gradient on any backend: cpu throws this, wasm throws too. */
  throwsEverywhere?: RegExp;
}

const L = tf.layers;
const SPECS: Spec[] = [
  { name: 'dense', inputs: [[5]], layer: () => L.dense({ units: 3, activation: 'tanh' }) },
  { name: 'conv1d (stride 2, same)', inputs: [[9, 4]], layer: () => L.conv1d({ filters: 3, kernelSize: 3, strides: 2, padding: 'same' }) },
  { name: 'conv1d (dilation 2)', inputs: [[9, 2]], layer: () => L.conv1d({ filters: 3, kernelSize: 3, dilationRate: 2 }), throwsEverywhere: /dilation rates greater than 1 are not yet supported in gradients/ },
  { name: 'conv2d (valid)', inputs: [[7, 7, 2]], layer: () => L.conv2d({ filters: 3, kernelSize: 3 }) },
  { name: 'conv2d (stride 2, same, relu)', inputs: [[8, 7, 3]], layer: () => L.conv2d({ filters: 4, kernelSize: [3, 2], strides: 2, padding: 'same', activation: 'relu' }) },
  { name: 'conv2d (channelsFirst)', inputs: [[2, 6, 6]], layer: () => L.conv2d({ filters: 3, kernelSize: 3, dataFormat: 'channelsFirst' }) },
  { name: 'conv2dTranspose (stride 2, same)', inputs: [[4, 4, 2]], layer: () => L.conv2dTranspose({ filters: 3, kernelSize: 3, strides: 2, padding: 'same' }) },
  { name: 'conv3d', inputs: [[4, 4, 4, 2]], layer: () => L.conv3d({ filters: 2, kernelSize: 2 }) },
  { name: 'conv3dTranspose', inputs: [[3, 3, 3, 2]], layer: () => L.conv3dTranspose({ filters: 2, kernelSize: 2, strides: 2 }), throwsEverywhere: /gradient function not found for Conv3DBackpropInputV2/ },
  { name: 'separableConv2d (multiplier 2)', inputs: [[6, 6, 2]], layer: () => L.separableConv2d({ filters: 3, kernelSize: 3, depthMultiplier: 2 }) },
  { name: 'depthwiseConv2d (multiplier 2, stride 2, same)', inputs: [[7, 7, 3]], layer: () => L.depthwiseConv2d({ kernelSize: 3, depthMultiplier: 2, strides: 2, padding: 'same' }) },
  { name: 'embedding', inputs: [[5]], int: 10, layer: () => L.embedding({ inputDim: 10, outputDim: 4 }) },
  { name: 'simpleRNN', inputs: [[4, 3]], layer: () => L.simpleRNN({ units: 3 }) },
  { name: 'lstm (returnSequences)', inputs: [[4, 3]], layer: () => L.lstm({ units: 3, returnSequences: true }) },
  { name: 'gru', inputs: [[4, 3]], layer: () => L.gru({ units: 3 }) },
  { name: 'convLstm2d', inputs: [[3, 5, 5, 2]], layer: () => L.convLstm2d({ filters: 2, kernelSize: 3, padding: 'same' }) },
  { name: 'bidirectional(lstm)', inputs: [[4, 3]], layer: () => L.bidirectional({ layer: L.lstm({ units: 2 }) as never }) },
  { name: 'timeDistributed(dense)', inputs: [[4, 3]], layer: () => L.timeDistributed({ layer: L.dense({ units: 2 }) }) },
  { name: 'batchNormalization', inputs: [[4, 3]], layer: () => L.batchNormalization({}) },
  { name: 'layerNormalization', inputs: [[4, 3]], layer: () => L.layerNormalization({}) },
  { name: 'maxPooling1d', inputs: [[8, 3]], layer: () => L.maxPooling1d({ poolSize: 2 }) },
  { name: 'maxPooling2d (same)', inputs: [[5, 5, 2]], layer: () => L.maxPooling2d({ poolSize: 2, padding: 'same' }) },
  { name: 'maxPooling3d', inputs: [[4, 4, 4, 2]], layer: () => L.maxPooling3d({ poolSize: 2 }) },
  { name: 'averagePooling1d', inputs: [[8, 3]], layer: () => L.averagePooling1d({ poolSize: 2 }) },
  { name: 'averagePooling2d (same, stride 1)', inputs: [[5, 5, 2]], layer: () => L.averagePooling2d({ poolSize: 3, strides: 1, padding: 'same' }) },
  { name: 'averagePooling3d', inputs: [[4, 4, 4, 2]], layer: () => L.averagePooling3d({ poolSize: 2 }) },
  { name: 'globalAveragePooling1d', inputs: [[6, 3]], layer: () => L.globalAveragePooling1d({}) },
  { name: 'globalAveragePooling2d', inputs: [[4, 4, 3]], layer: () => L.globalAveragePooling2d({}) },
  { name: 'globalMaxPooling1d', inputs: [[6, 3]], layer: () => L.globalMaxPooling1d({}) },
  { name: 'globalMaxPooling2d', inputs: [[4, 4, 3]], layer: () => L.globalMaxPooling2d({}) },
  { name: 'dropout (seeded)', inputs: [[6, 3]], layer: () => L.dropout({ rate: 0.4, seed: 7 }) },
  { name: 'spatialDropout1d (seeded)', inputs: [[6, 3]], layer: () => L.spatialDropout1d({ rate: 0.4, seed: 7 }) },
  { name: 'alphaDropout', inputs: [[6, 3]], layer: () => L.alphaDropout({ rate: 0.4 }), random: true },
  { name: 'gaussianNoise', inputs: [[6, 3]], layer: () => L.gaussianNoise({ stddev: 0.1 }) },
  { name: 'gaussianDropout', inputs: [[6, 3]], layer: () => L.gaussianDropout({ rate: 0.3 }), random: true },
  { name: 'upSampling2d (bilinear)', inputs: [[3, 3, 2]], layer: () => L.upSampling2d({ size: [2, 2], interpolation: 'bilinear' }) },
  { name: 'zeroPadding2d', inputs: [[3, 3, 2]], layer: () => L.zeroPadding2d({ padding: [1, 2] }) },
  { name: 'cropping2D', inputs: [[5, 5, 2]], layer: () => L.cropping2D({ cropping: [[1, 0], [0, 2]] }) },
  { name: 'resizing (bilinear)', inputs: [[4, 4, 2]], layer: () => L.resizing({ height: 6, width: 3, interpolation: 'bilinear' }), throwsEverywhere: /resizeBilinear: x must be rank 3 or 4, but got rank 1/ },
  { name: 'resizing (nearest)', inputs: [[4, 4, 2]], layer: () => L.resizing({ height: 6, width: 3, interpolation: 'nearest' }), throwsEverywhere: /resizeNearestNeighbor: x must be rank 3 or 4, but got rank 1/ },
  { name: 'centerCrop', inputs: [[5, 5, 2]], layer: () => L.centerCrop({ height: 3, width: 3 }), throwsEverywhere: /gradient function not found for CropAndResize/ },
  { name: 'rescaling', inputs: [[4]], layer: () => L.rescaling({ scale: 0.5, offset: 1 }) },
  { name: 'flatten', inputs: [[3, 2]], layer: () => L.flatten({}) },
  { name: 'reshape', inputs: [[3, 2]], layer: () => L.reshape({ targetShape: [2, 3] }) },
  { name: 'permute', inputs: [[3, 2]], layer: () => L.permute({ dims: [2, 1] }) },
  { name: 'repeatVector', inputs: [[3]], layer: () => L.repeatVector({ n: 2 }) },
  { name: 'masking', inputs: [[4, 3]], layer: () => L.masking({ maskValue: 0 }), throwsEverywhere: /gradient function not found for Any/ },
  { name: 'activation (selu)', inputs: [[5]], layer: () => L.activation({ activation: 'selu' }) },
  { name: 'activation (softplus)', inputs: [[5]], layer: () => L.activation({ activation: 'softplus' }) },
  { name: 'activation (gelu via swish)', inputs: [[5]], layer: () => L.activation({ activation: 'swish' }) },
  { name: 'leakyReLU', inputs: [[5]], layer: () => L.leakyReLU({ alpha: 0.2 }) },
  { name: 'prelu', inputs: [[5]], layer: () => L.prelu({}) },
  { name: 'elu', inputs: [[5]], layer: () => L.elu({}) },
  { name: 'thresholdedReLU', inputs: [[5]], layer: () => L.thresholdedReLU({ theta: 0.1 }), throwsEverywhere: /gradient function not found for Greater/ },
  { name: 'softmax', inputs: [[5]], layer: () => L.softmax({}) },
  { name: 'reLU', inputs: [[5]], layer: () => L.reLU({ maxValue: 0.5 }) },
  { name: 'add', inputs: [[4], [4]], layer: () => L.add({}) },
  { name: 'concatenate', inputs: [[4], [3]], layer: () => L.concatenate({}) },
  { name: 'multiply', inputs: [[4], [4]], layer: () => L.multiply({}) },
  { name: 'average', inputs: [[4], [4]], layer: () => L.average({}) },
  { name: 'maximum', inputs: [[4], [4]], layer: () => L.maximum({}) },
  { name: 'minimum', inputs: [[4], [4]], layer: () => L.minimum({}) },
  { name: 'dot', inputs: [[4], [4]], layer: () => L.dot({ axes: 1 }) },
];

/** Loss gradients w.r.t. every weight and float input of a one-layer model, on the current backend. */
function layerGradients(spec: Spec, seed: number): tf.Tensor[] {
  const rand = seeded(seed);
  const ins = spec.inputs.map((s) => tf.input({ shape: s, dtype: spec.int ? 'int32' : 'float32' }));
  const layer = spec.layer();
  const model = tf.model({ inputs: ins, outputs: layer.apply(ins.length === 1 ? ins[0] : ins) as tf.SymbolicTensor });
  try {
    for (const w of model.weights) {
      const shape = w.shape as number[];
      const values = randomArray(shape.reduce((a, b) => a * b, 1), rand).map((v) => (/variance/.test(w.name) ? 0.5 + Math.abs(v) : 0.5 * v));
      tf.tidy(() => {
        w.write(tf.tensor(values, shape));
      });
    }
    const xs = spec.inputs.map((s) => {
      const shape = [2, ...s];
      const n = shape.reduce((a, b) => a * b, 1);
      if (spec.int) return tf.tensor(Int32Array.from({ length: n }, () => Math.floor(((rand() + 1) / 2) * spec.int!)), shape, 'int32');
      return tf.tensor(randomArray(n, rand), shape);
    });
    const outShape = [2, ...(model.outputs[0].shape.slice(1) as number[])];
    const coef = tf.tensor(randomArray(outShape.reduce((a, b) => a * b, 1), rand), outShape);
    const loss = (...inputs: tf.Tensor[]) => tf.sum(tf.mul(coef, model.apply(inputs.length === 1 ? inputs[0] : inputs, { training: true }) as tf.Tensor)) as tf.Scalar;
    const vars = model.trainableWeights.map((w) => (w as unknown as { read(): tf.Variable }).read());
    const out: tf.Tensor[] = [];
    if (vars.length) {
      const { grads } = tf.variableGrads(() => loss(...xs), vars);
      out.push(...vars.map((v) => grads[v.name]));
    }
    if (!spec.int) out.push(...tf.grads(loss)(xs));
    return out;
  } finally {
    model.dispose();
  }
}

for (const [k, spec] of SPECS.entries()) {
  const refusal = spec.throwsEverywhere;
  if (refusal) {
    test(`${spec.name}: tfjs cannot take this gradient on cpu nor on wasm`, () => {
      for (const backend of ['cpu', 'wasm'] as const) {
        tf.setBackend(backend);
        const n = tf.memory().numTensors;
        assert.throws(() => tf.tidy(() => layerGradients(spec, 900 + k)), backend === 'cpu' ? refusal : Error, backend);
        assert.ok(tf.memory().numTensors - n < 50, 'bounded');
      }
    });
    continue;
  }
  if (spec.random) {
    test(`${spec.name}: one training-mode gradient runs on wasm as on cpu (unseeded noise: shapes and finiteness only)`, () => {
      const want = on('cpu', () => layerGradients(spec, 900 + k));
      const got = on('wasm', () => layerGradients(spec, 900 + k));
      assert.deepEqual(got.shapes, want.shapes);
      assert.ok(got.values.every((v) => v.every(Number.isFinite)));
    });
    continue;
  }
  test(`${spec.name}: one training-mode gradient on wasm equals cpu`, () => {
    const want = on('cpu', () => layerGradients(spec, 900 + k));
    const got = on('wasm', () => layerGradients(spec, 900 + k));
    assert.ok(want.values.length > 0);
    assert.ok(want.values.some((v) => v.some((x) => x !== 0)), 'some gradient is non-zero: the comparison is not empty');
    assertClose(got, want, spec.tol ?? 1e-4, spec.name);
  });
}

test('upSampling2d (nearest): the input gradient on wasm equals the closed form Σ of each 2×2 block of dy (cpu is wrong for batch > 1)', () => {
  // y[b, 2i+a, 2j+e, c] = x[b, i, j, c], so ∂Σ(coef ⊙ y)/∂x[b, i, j, c] = Σ_{a,e ∈ {0,1}} coef[b, 2i+a, 2j+e, c].
  const [b, h, w, c] = [3, 3, 2, 2];
  const coef = randomArray(b * 2 * h * 2 * w * c, seeded(77));
  const x = randomArray(b * h * w * c, seeded(78));
  const want = new Float32Array(b * h * w * c);
  for (let n = 0; n < b; n++) for (let i = 0; i < h; i++) for (let j = 0; j < w; j++) for (let k = 0; k < c; k++) {
    let s = 0;
    for (let a = 0; a < 2; a++) for (let e = 0; e < 2; e++) s += coef[((n * 2 * h + 2 * i + a) * 2 * w + 2 * j + e) * c + k];
    want[((n * h + i) * w + j) * c + k] = s;
  }
  const run = () => {
    const layer = L.upSampling2d({ size: [2, 2] });
    const ct = tf.tensor(coef, [b, 2 * h, 2 * w, c]);
    return tf.grad((xt: tf.Tensor) => tf.sum(tf.mul(ct, layer.apply(xt) as tf.Tensor)))(tf.tensor(x, [b, h, w, c]));
  };
  assertClose(on('wasm', run), { values: [want], shapes: [[b, h, w, c]] }, 1e-5, 'upSampling2d nearest');
});

test('SGD steps of a conv2d + depthwiseConv2d + embedding model on wasm leave tf.memory().numTensors unchanged', () => {
  tf.setBackend('wasm');
  const img = tf.input({ shape: [8, 8, 2] });
  const tok = tf.input({ shape: [5], dtype: 'int32' });
  const a = L.flatten({}).apply(L.depthwiseConv2d({ kernelSize: 3, depthMultiplier: 2, strides: 2 }).apply(L.conv2d({ filters: 3, kernelSize: 3, padding: 'same' }).apply(img))) as tf.SymbolicTensor;
  const b = L.flatten({}).apply(L.embedding({ inputDim: 20, outputDim: 3 }).apply(tok)) as tf.SymbolicTensor;
  const model = tf.model({ inputs: [img, tok], outputs: L.dense({ units: 1 }).apply(L.concatenate({}).apply([a, b])) as tf.SymbolicTensor });
  const x = tf.randomNormal([4, 8, 8, 2], 0, 1, 'float32', 1);
  const t = tf.tensor2d([[1, 2, 3, 4, 5], [0, 19, 2, 2, 7], [3, 3, 3, 3, 3], [9, 8, 7, 6, 5]], [4, 5], 'int32');
  const opt = tf.train.sgd(0.01);
  const step = () => opt.minimize(() => tf.mean(tf.square(model.apply([x, t]) as tf.Tensor)) as tf.Scalar);
  step();
  const n = tf.memory().numTensors;
  const before0 = model.getWeights()[0].dataSync().slice();
  for (let i = 0; i < 3; i++) step();
  assert.equal(tf.memory().numTensors, n);
  assert.notDeepEqual(Array.from(model.getWeights()[0].dataSync()), Array.from(before0), 'the conv kernel was trained');
  tf.dispose([x, t]);
  opt.dispose();
  model.dispose();
});
