/**
 * The model zoo: tiny models of each kind the optimizers must train, one builder per row.
 * Contract of a row: `build(seed)` gives the same weights on every backend (seeded initialisers), `batch()` a
 * fixed batch {x, y} (integer ids for `integer` rows), and `adapter(model)` the optimizer's view
 *   logits = body(embed(x)),
 * where embed is the Embedding lookup on integer-input rows (so TRAM-x / R3F / TRAM-Fisher noise the embedding
 * output, never the ids) and the identity otherwise. `wasmNeeds` lists the training kernels (gradients) the row
 * uses that tfjs-backend-wasm 4.22 does not register; the matrix checks that list against the backend.
 */
import * as tf from '@tensorflow/tfjs';
import { fromFunction, fromLayersModel } from '../../kernel/optim';
import type { Batch, ModelAdapter } from '../../kernel/optim';

export interface ZooModel {
  dispose(): void;
}

export interface ZooRow {
  name: string;
  /** Inputs are integer token ids (an Embedding in front). */
  integer: boolean;
  wasmNeeds: string[];
  /** Integer rows: a noise scale σ small enough for d(σ) ≈ c σ² yet large enough for d to stand above float32 rounding. */
  probeSigma?: number;
  /** build() also returns the tf.LayersModel itself as `layers`. */
  isLayersModel: boolean;
  /** `layers`: the tf.LayersModel itself, for rows that are one (to pass it to step() without an adapter). */
  build(seed: number): { model: ZooModel; adapter: ModelAdapter; layers?: tf.LayersModel };
  batch(): Batch;
}

const B = 8;
const CLASSES = 3;
const VOCAB = 12;
const T = 5;

const glorot = (seed: number) => tf.initializers.glorotUniform({ seed });
const small = (seed: number) => tf.initializers.randomNormal({ seed, stddev: 0.1 });

/** Labels that depend on the inputs, so a few steps can lower the loss. */
function labels(n: number, f: (i: number) => number): tf.Tensor {
  return tf.tensor1d(Array.from({ length: n }, (_, i) => f(i) % CLASSES), 'int32');
}

function idsBatch(seed: number): Batch {
  const ids = Array.from({ length: B * T }, (_, k) => (k * 7 + seed * 3 + Math.floor(k / T)) % VOCAB);
  return {
    x: tf.tensor2d(ids, [B, T], 'int32'),
    y: labels(B, (i) => ids[i * T] + ids[i * T + 1]),
  };
}

function denseBatch(shape: number[], seed: number): Batch {
  return tf.tidy(() => {
    const x = tf.randomNormal([B, ...shape], 0, 1, 'float32', seed);
    return { x, y: labels(B, (i) => i * 5 + seed) };
  });
}

function layersRow(
  name: string,
  integer: boolean | number,
  wasmNeeds: string[],
  layers: (seed: number) => tf.layers.Layer[],
  batch: () => Batch,
): ZooRow {
  return {
    name,
    integer: integer !== false,
    ...(typeof integer === 'number' ? { probeSigma: integer } : {}),
    wasmNeeds,
    isLayersModel: true,
    batch,
    build(seed) {
      const model = tf.sequential({ layers: layers(seed) });
      const adapter = fromLayersModel(model, { embedLayers: integer !== false ? 1 : 0 });
      return { model: { dispose: () => model.dispose() }, adapter, layers: model };
    },
  };
}

/** One pre-norm transformer block (single-head self-attention + ReLU MLP) on token embeddings, mean-pooled. */
function transformerRow(): ZooRow {
  const D = 8;
  return {
    name: 'transformer block',
    integer: true,
    wasmNeeds: ['UnsortedSegmentSum'],
    isLayersModel: false,
    probeSigma: 0.02,
    batch: () => idsBatch(4),
    build(seed) {
      const v = (shape: number[], s: number, init = small) => tf.variable(init(seed + s).apply(shape) as tf.Tensor);
      const table = v([VOCAB, D], 1);
      const pos = v([T, D], 2);
      const [wq, wk, wv, wo] = [3, 4, 5, 6].map((s) => v([D, D], s, glorot));
      const w1 = v([D, 2 * D], 7, glorot);
      const w2 = v([2 * D, D], 8, glorot);
      const head = v([D, CLASSES], 9, glorot);
      const vars = [table, pos, wq, wk, wv, wo, w1, w2, head];
      const norm = (h: tf.Tensor) => {
        const { mean, variance } = tf.moments(h, -1, true);
        return tf.div(tf.sub(h, mean), tf.sqrt(tf.add(variance, 1e-5)));
      };
      const proj = (h: tf.Tensor, w: tf.Tensor) => tf.matMul(h.reshape([-1, w.shape[0] as number]), w as tf.Tensor2D).reshape([-1, T, w.shape[1] as number]);
      const embed = (x: tf.Tensor) => tf.add(tf.gather(table, x.toInt()), pos);
      const body = (e: tf.Tensor) => {
        const h = norm(e);
        const att = tf.softmax(tf.div(tf.matMul(proj(h, wq), proj(h, wk), false, true), Math.sqrt(D)));
        const r = tf.add(e, proj(tf.matMul(att, proj(h, wv)), wo));
        const f = tf.add(r, proj(tf.relu(proj(norm(r), w1)), w2));
        return tf.matMul(tf.mean(f, 1) as tf.Tensor2D, head as tf.Tensor2D);
      };
      const adapter = fromFunction(vars, (x) => body(embed(x)), { embed, body });
      return { model: { dispose: () => vars.forEach((t) => t.dispose()) }, adapter };
    },
  };
}

/** A functional tf.model with two inputs (a: 3 features, b: 4 features), fed as one [B, 7] tensor split in two. */
function twoInputRow(): ZooRow {
  return {
    name: 'two-input functional',
    integer: false,
    wasmNeeds: [],
    isLayersModel: false,
    batch: () => denseBatch([7], 5),
    build(seed) {
      const a = tf.input({ shape: [3] });
      const b = tf.input({ shape: [4] });
      const ha = tf.layers.dense({ units: 6, activation: 'tanh', kernelInitializer: glorot(seed) }).apply(a) as tf.SymbolicTensor;
      const hb = tf.layers.dense({ units: 6, activation: 'relu', kernelInitializer: glorot(seed + 1) }).apply(b) as tf.SymbolicTensor;
      const cat = tf.layers.concatenate().apply([ha, hb]) as tf.SymbolicTensor;
      const out = tf.layers.dense({ units: CLASSES, kernelInitializer: glorot(seed + 2) }).apply(cat) as tf.SymbolicTensor;
      const model = tf.model({ inputs: [a, b], outputs: out });
      const vars = model.trainableWeights.map((w) => w.read() as tf.Variable);
      const forward = (x: tf.Tensor, training: boolean) =>
        model.apply([x.slice([0, 0], [-1, 3]), x.slice([0, 3], [-1, 4])], { training }) as tf.Tensor;
      const adapter = fromFunction(vars, forward);
      return { model: { dispose: () => model.dispose() }, adapter };
    },
  };
}

export const ZOO: ZooRow[] = [
  layersRow('dense MLP', false, [], (s) => [
    tf.layers.dense({ inputShape: [6], units: 12, activation: 'tanh', kernelInitializer: glorot(s) }),
    tf.layers.dense({ units: CLASSES, kernelInitializer: glorot(s + 1) }),
  ], () => denseBatch([6], 1)),
  layersRow('CNN conv2d+BN+dropout+maxpool', false, ['Conv2DBackpropFilter'], (s) => [
    tf.layers.conv2d({ inputShape: [6, 6, 1], filters: 4, kernelSize: 3, padding: 'same', kernelInitializer: glorot(s) }),
    tf.layers.batchNormalization({ momentum: 0.5 }),
    tf.layers.activation({ activation: 'relu' }),
    tf.layers.maxPooling2d({ poolSize: 2 }),
    tf.layers.dropout({ rate: 0.25, seed: s + 5 }),
    tf.layers.flatten(),
    tf.layers.dense({ units: CLASSES, kernelInitializer: glorot(s + 1) }),
  ], () => denseBatch([6, 6, 1], 2)),
  layersRow('separable + depthwise conv', false, ['DepthwiseConv2dNativeBackpropFilter', 'DepthwiseConv2dNativeBackpropInput', 'Conv2DBackpropFilter'], (s) => [
    tf.layers.separableConv2d({ inputShape: [6, 6, 2], filters: 4, kernelSize: 3, activation: 'relu', depthwiseInitializer: glorot(s), pointwiseInitializer: glorot(s + 1) }),
    tf.layers.depthwiseConv2d({ kernelSize: 3, activation: 'relu', depthwiseInitializer: glorot(s + 2) }),
    tf.layers.globalAveragePooling2d({}),
    tf.layers.dense({ units: CLASSES, kernelInitializer: glorot(s + 3) }),
  ], () => denseBatch([6, 6, 2], 3)),
  layersRow('Embedding + pooling text classifier', 0.02, ['UnsortedSegmentSum'], (s) => [
    tf.layers.embedding({ inputDim: VOCAB, outputDim: 6, inputLength: T, embeddingsInitializer: small(s) }),
    tf.layers.globalAveragePooling1d({}),
    tf.layers.dense({ units: CLASSES, kernelInitializer: glorot(s + 1) }),
  ], () => idsBatch(1)),
  layersRow('Embedding + LSTM + GRU', 0.1, ['UnsortedSegmentSum'], (s) => [
    tf.layers.embedding({ inputDim: VOCAB, outputDim: 4, inputLength: T, embeddingsInitializer: small(s) }),
    tf.layers.lstm({ units: 5, returnSequences: true, kernelInitializer: glorot(s + 1), recurrentInitializer: glorot(s + 2) }),
    tf.layers.gru({ units: 5, kernelInitializer: glorot(s + 3), recurrentInitializer: glorot(s + 4) }),
    tf.layers.dense({ units: CLASSES, kernelInitializer: glorot(s + 5) }),
  ], () => idsBatch(2)),
  transformerRow(),
  twoInputRow(),
];
