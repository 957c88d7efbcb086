/**
 * The three benchmark models, as tf.layers models, and random batches for them.
 *
 * - `mlp`: 784-256-256-10 with tanh (an MNIST-sized classifier).
 * - `cnn`: 28×28×1 → conv3×3(8) → maxpool → conv3×3(16) → maxpool → dense 10; the convolutions are im2col +
 *   matMul (`PatchConv2D`), because wasm cannot train `tf.layers.conv2d`.
 * - `cnn-layers`: the same CNN with `tf.layers.conv2d` (its kernel gradient is `Conv2DBackpropFilter`, which the
 *   kernel registers for wasm; before #10 this model could not train on wasm).
 * - `text`: Embedding (integer token ids) → mean over positions → dense: an Embedding text classifier (its gradient is
 *   `UnsortedSegmentSum`, registered for wasm by the kernel since #10). TRAM-x noises the Embedding output.
 * - `transformer`: a 2-block pre-norm encoder over one-hot tokens. The embedding is oneHot × matMul (a
 *   bias-free dense layer on one-hot input), since `tf.gather` cannot be trained on the wasm backend; positional
 *   embeddings and multi-head self-attention are small custom layers; mean pooling, then a dense head.
 *
 * Sizes are chosen so one step costs milliseconds on wasm: the suite measures ratios, not absolute speed.
 * The same architectures are built in `bench/pytorch/step.py` from `ModelSpec`.
 */
import * as tf from '@tensorflow/tfjs';

export type ModelKind = 'mlp' | 'cnn' | 'cnn-layers' | 'text' | 'transformer';

export interface MlpSpec {
  kind: 'mlp';
  input: number;
  hidden: number[];
  classes: number;
}
export interface CnnSpec {
  kind: 'cnn';
  size: number;
  channels: number[];
  classes: number;
}
export interface CnnLayersSpec {
  kind: 'cnn-layers';
  size: number;
  channels: number[];
  classes: number;
}
export interface TextSpec {
  kind: 'text';
  vocab: number;
  seq: number;
  dim: number;
  classes: number;
}
export interface TransformerSpec {
  kind: 'transformer';
  vocab: number;
  seq: number;
  dModel: number;
  heads: number;
  ff: number;
  blocks: number;
  classes: number;
}
export type ModelSpec = MlpSpec | CnnSpec | CnnLayersSpec | TextSpec | TransformerSpec;

export const defaultSpecs: Record<ModelKind, ModelSpec> = {
  mlp: { kind: 'mlp', input: 784, hidden: [256, 256], classes: 10 },
  cnn: { kind: 'cnn', size: 28, channels: [8, 16], classes: 10 },
  'cnn-layers': { kind: 'cnn-layers', size: 28, channels: [8, 16], classes: 10 },
  text: { kind: 'text', vocab: 2000, seq: 64, dim: 32, classes: 2 },
  transformer: { kind: 'transformer', vocab: 64, seq: 32, dModel: 64, heads: 4, ff: 128, blocks: 2, classes: 10 },
};

export const defaultBatch: Record<ModelKind, number> = { mlp: 64, cnn: 32, 'cnn-layers': 32, text: 64, transformer: 16 };

export function describeSpec(s: ModelSpec): string {
  switch (s.kind) {
    case 'mlp':
      return `MLP ${[s.input, ...s.hidden, s.classes].join('-')} tanh`;
    case 'cnn':
      return `CNN ${s.size}×${s.size}×1, conv3×3 (im2col) ${s.channels.join('/')} + maxpool, dense ${s.classes}`;
    case 'cnn-layers':
      return `CNN ${s.size}×${s.size}×1, tf.layers.conv2d 3×3 ${s.channels.join('/')} + maxpool, dense ${s.classes}`;
    case 'text':
      return `text: Embedding ${s.vocab}×${s.dim} on ${s.seq} token ids, mean pooling, dense ${s.classes}`;
    case 'transformer':
      return `transformer ${s.blocks} blocks, d=${s.dModel}, ${s.heads} heads, ff ${s.ff}, seq ${s.seq}, vocab ${s.vocab} (oneHot×matMul embedding), ${s.classes} classes`;
  }
}

/** Learned positional embedding P [seq, d]: y = x + P (broadcast over the batch). */
class PositionEmbedding extends tf.layers.Layer {
  static className = 'TramBenchPositionEmbedding';
  private table!: tf.LayerVariable;
  build(inputShape: tf.Shape | tf.Shape[]): void {
    const s = inputShape as tf.Shape;
    this.table = this.addWeight('position', [s[1] as number, s[2] as number], 'float32',
      tf.initializers.randomNormal({ stddev: 0.02 }));
    this.built = true;
  }
  call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    const x = Array.isArray(inputs) ? inputs[0] : inputs;
    return tf.add(x, this.table.read());
  }
  computeOutputShape(s: tf.Shape | tf.Shape[]): tf.Shape | tf.Shape[] {
    return s;
  }
}

/**
 * Multi-head self-attention: Q = XWq, K = XWk, V = XWv split into h heads; A = softmax(QKᵀ/√d_h); Y = concat(AV)·Wo.
 * Transposes are explicit (wasm's transposed matMul is slow).
 */
class SelfAttention extends tf.layers.Layer {
  static className = 'TramBenchSelfAttention';
  private readonly heads: number;
  private w: tf.LayerVariable[] = [];
  constructor(config: { heads: number; name?: string }) {
    super(config);
    this.heads = config.heads;
  }
  build(inputShape: tf.Shape | tf.Shape[]): void {
    const d = (inputShape as tf.Shape)[2] as number;
    this.w = ['wq', 'wk', 'wv', 'wo'].map((n) =>
      this.addWeight(n, [d, d], 'float32', tf.initializers.glorotUniform({})));
    this.built = true;
  }
  call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    return tf.tidy(() => {
      const x = (Array.isArray(inputs) ? inputs[0] : inputs) as tf.Tensor3D;
      const [b, t, d] = x.shape;
      const h = this.heads;
      const dh = d / h;
      const flat = x.reshape([b * t, d]);
      const split = (w: tf.LayerVariable) =>
        tf.matMul(flat, w.read() as tf.Tensor2D).reshape([b, t, h, dh]).transpose([0, 2, 1, 3]) as tf.Tensor4D;
      const q = split(this.w[0]);
      const k = split(this.w[1]);
      const v = split(this.w[2]);
      const kt = k.transpose([0, 1, 3, 2]);
      const att = tf.softmax(tf.matMul(q.reshape([b * h, t, dh]), kt.reshape([b * h, dh, t])).mul(1 / Math.sqrt(dh)));
      const y = tf.matMul(att, v.reshape([b * h, t, dh])).reshape([b, h, t, dh]).transpose([0, 2, 1, 3]);
      return tf.matMul(y.reshape([b * t, d]), this.w[3].read() as tf.Tensor2D).reshape([b, t, d]);
    });
  }
  computeOutputShape(s: tf.Shape | tf.Shape[]): tf.Shape | tf.Shape[] {
    return s;
  }
  getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), heads: this.heads };
  }
}

/**
 * 3×3 'same' convolution with ReLU written as im2col: the 9 shifted windows of the zero-padded input are laid
 * out on the channel axis (a convolution with a constant 0/1 filter), then one matMul with the kernel [9·C_in, C_out]:
 * y[b,i,j,:] = relu(Σ_{u,v} x_pad[b,i+u,j+v,:]·K[u,v] + bias). The same function as `tf.layers.conv2d`, built
 * only from ops whose gradients exist on every backend: wasm registers no `Conv2DBackpropFilter`, so a
 * `tf.layers.conv2d` kernel cannot be trained there.
 */
class PatchConv2D extends tf.layers.Layer {
  static className = 'TramBenchPatchConv2D';
  private readonly filters: number;
  private kernel!: tf.LayerVariable;
  private bias!: tf.LayerVariable;
  private patches?: tf.Tensor4D;
  constructor(config: { filters: number; name?: string; inputShape?: tf.Shape }) {
    super(config);
    this.filters = config.filters;
  }
  build(inputShape: tf.Shape | tf.Shape[]): void {
    const c = (inputShape as tf.Shape)[3] as number;
    this.kernel = this.addWeight('kernel', [9 * c, this.filters], 'float32', tf.initializers.glorotUniform({}));
    this.bias = this.addWeight('bias', [this.filters], 'float32', tf.initializers.zeros());
    this.built = true;
  }
  call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    return tf.tidy(() => {
      const x = (Array.isArray(inputs) ? inputs[0] : inputs) as tf.Tensor4D;
      const [b, h, w, c] = x.shape;
      const cols = tf.conv2d(x, this.patchFilter(c), 1, 'same').reshape([b * h * w, 9 * c]);
      const y = tf.relu(tf.add(tf.matMul(cols, this.kernel.read() as tf.Tensor2D), this.bias.read()));
      return y.reshape([b, h, w, this.filters]);
    });
  }
  /** The constant filter E [3,3,C,9C] with E[u,v,c,(3u+v)·C+c] = 1: conv2d(x, E) lays out the 9 windows. */
  private patchFilter(c: number): tf.Tensor4D {
    if (!this.patches) {
      const e = new Float32Array(9 * c * 9 * c);
      for (let u = 0; u < 3; u++) for (let v = 0; v < 3; v++) for (let k = 0; k < c; k++) {
        e[((u * 3 + v) * c + k) * 9 * c + (u * 3 + v) * c + k] = 1;
      }
      this.patches = tf.keep(tf.tensor4d(e, [3, 3, c, 9 * c]));
    }
    return this.patches;
  }
  computeOutputShape(s: tf.Shape | tf.Shape[]): tf.Shape | tf.Shape[] {
    const t = s as tf.Shape;
    return [t[0], t[1], t[2], this.filters];
  }
  getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), filters: this.filters };
  }
}

/**
 * Layer normalisation over the last axis: y = (x − μ)/√(σ² + 1e-5)·γ + β. Written with broadcasting because
 * `tf.layers.layerNormalization` tiles its statistics to the full shape, and wasm's Tile is slow.
 */
class LayerNorm extends tf.layers.Layer {
  static className = 'TramBenchLayerNorm';
  private gamma!: tf.LayerVariable;
  private beta!: tf.LayerVariable;
  build(inputShape: tf.Shape | tf.Shape[]): void {
    const s = inputShape as tf.Shape;
    const d = s[s.length - 1] as number;
    this.gamma = this.addWeight('gamma', [d], 'float32', tf.initializers.ones());
    this.beta = this.addWeight('beta', [d], 'float32', tf.initializers.zeros());
    this.built = true;
  }
  call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    return tf.tidy(() => {
      const x = Array.isArray(inputs) ? inputs[0] : inputs;
      const axis = x.rank - 1;
      const mu = tf.mean(x, axis, true);
      const c = tf.sub(x, mu);
      const v = tf.mean(tf.square(c), axis, true);
      return tf.add(tf.mul(tf.mul(c, tf.rsqrt(tf.add(v, 1e-5))), this.gamma.read()), this.beta.read());
    });
  }
  computeOutputShape(s: tf.Shape | tf.Shape[]): tf.Shape | tf.Shape[] {
    return s;
  }
}

tf.serialization.registerClass(PatchConv2D);
tf.serialization.registerClass(LayerNorm);
tf.serialization.registerClass(PositionEmbedding);
tf.serialization.registerClass(SelfAttention);

function buildMlp(s: MlpSpec): tf.LayersModel {
  const m = tf.sequential();
  s.hidden.forEach((h, i) =>
    m.add(tf.layers.dense({ units: h, activation: 'tanh', ...(i === 0 ? { inputShape: [s.input] } : {}) })));
  m.add(tf.layers.dense({ units: s.classes }));
  return m;
}

function buildCnn(s: CnnSpec): tf.LayersModel {
  const m = tf.sequential();
  s.channels.forEach((c, i) => {
    m.add(new PatchConv2D({ filters: c, ...(i === 0 ? { inputShape: [s.size, s.size, 1] } : {}) }));
    m.add(tf.layers.maxPooling2d({ poolSize: 2 }));
  });
  m.add(tf.layers.flatten());
  m.add(tf.layers.dense({ units: s.classes }));
  return m;
}

function buildCnnLayers(s: CnnLayersSpec): tf.LayersModel {
  const m = tf.sequential();
  s.channels.forEach((c, i) => {
    m.add(tf.layers.conv2d({ filters: c, kernelSize: 3, padding: 'same', activation: 'relu', ...(i === 0 ? { inputShape: [s.size, s.size, 1] } : {}) }));
    m.add(tf.layers.maxPooling2d({ poolSize: 2 }));
  });
  m.add(tf.layers.flatten());
  m.add(tf.layers.dense({ units: s.classes }));
  return m;
}

function buildText(s: TextSpec): tf.LayersModel {
  return tf.sequential({ layers: [
    tf.layers.embedding({ inputDim: s.vocab, outputDim: s.dim, inputLength: s.seq }),
    tf.layers.globalAveragePooling1d({}),
    tf.layers.dense({ units: s.classes }),
  ] });
}

function buildTransformer(s: TransformerSpec): tf.LayersModel {
  const input = tf.input({ shape: [s.seq, s.vocab] });
  let x = tf.layers.dense({ units: s.dModel, useBias: false, name: 'embedding' }).apply(input) as tf.SymbolicTensor;
  x = new PositionEmbedding({ name: 'position' }).apply(x) as tf.SymbolicTensor;
  for (let i = 0; i < s.blocks; i++) {
    const a = new LayerNorm({ name: `ln_att_${i}` }).apply(x) as tf.SymbolicTensor;
    const att = new SelfAttention({ heads: s.heads, name: `attention_${i}` }).apply(a) as tf.SymbolicTensor;
    x = tf.layers.add().apply([x, att]) as tf.SymbolicTensor;
    const f = new LayerNorm({ name: `ln_ff_${i}` }).apply(x) as tf.SymbolicTensor;
    const h = tf.layers.dense({ units: s.ff, activation: 'relu', name: `ff_in_${i}` }).apply(f) as tf.SymbolicTensor;
    const o = tf.layers.dense({ units: s.dModel, name: `ff_out_${i}` }).apply(h) as tf.SymbolicTensor;
    x = tf.layers.add().apply([x, o]) as tf.SymbolicTensor;
  }
  x = new LayerNorm({ name: 'ln_final' }).apply(x) as tf.SymbolicTensor;
  x = tf.layers.globalAveragePooling1d().apply(x) as tf.SymbolicTensor;
  const out = tf.layers.dense({ units: s.classes, name: 'head' }).apply(x) as tf.SymbolicTensor;
  return tf.model({ inputs: input, outputs: out });
}

export function buildModel(s: ModelSpec): tf.LayersModel {
  switch (s.kind) {
    case 'mlp':
      return buildMlp(s);
    case 'cnn':
      return buildCnn(s);
    case 'cnn-layers':
      return buildCnnLayers(s);
    case 'text':
      return buildText(s);
    case 'transformer':
      return buildTransformer(s);
  }
}

/** Input shape of one example. */
export function inputShape(s: ModelSpec): number[] {
  switch (s.kind) {
    case 'mlp':
      return [s.input];
    case 'cnn':
    case 'cnn-layers':
      return [s.size, s.size, 1];
    case 'text':
      return [s.seq];
    case 'transformer':
      return [s.seq, s.vocab];
  }
}

export interface Batch {
  x: tf.Tensor;
  /** class indices, int32 [B] */
  y: tf.Tensor1D;
}

/**
 * A fixed random batch: Gaussian inputs (MLP/CNN), random token ids (text) or one-hot random tokens (transformer),
 * uniform labels.
 * The caller disposes it.
 */
export function randomBatch(s: ModelSpec, batch: number, seed = 1): Batch {
  return tf.tidy(() => {
    const x = s.kind === 'transformer'
      ? tf.oneHot(tf.randomUniform([batch, s.seq], 0, s.vocab, 'int32', seed), s.vocab).toFloat()
      : s.kind === 'text'
        ? tf.randomUniform([batch, s.seq], 0, s.vocab, 'int32', seed)
        : tf.randomNormal([batch, ...inputShape(s)], 0, 1, 'float32', seed);
    const y = tf.randomUniform([batch], 0, s.classes, 'int32', seed + 1) as tf.Tensor1D;
    return { x, y };
  });
}

export function countParams(m: tf.LayersModel): number {
  return m.trainableWeights.reduce((n, w) => n + w.shape.reduce((a: number, b) => a * (b as number), 1), 0);
}
