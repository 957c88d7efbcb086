/**
 * The embedding rule: noise never touches integer token ids. Models whose inputs are ids are split at the output
 * of their first Embedding layer ('auto'); where no split exists the noised methods stop with an error naming
 * the option to set.
 */
import { describe, it, before } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { createOptimizer, fromFunction, fromLayersModel, OptimConfigError } from '../../kernel/optim';
import { useBackend } from './fixtures';

const VOCAB = 20;
const DIM = 6;
const T = 5;
const B = 6;

function textSequential(seed = 1, maskZero = false): tf.Sequential {
  return tf.sequential({
    layers: [
      tf.layers.embedding({ inputDim: VOCAB, outputDim: DIM, inputLength: T, maskZero, embeddingsInitializer: tf.initializers.randomNormal({ seed, stddev: 1 }) }),
      maskZero
        ? tf.layers.simpleRNN({ units: 4, kernelInitializer: tf.initializers.glorotUniform({ seed: seed + 1 }), recurrentInitializer: tf.initializers.glorotUniform({ seed: seed + 2 }) })
        : tf.layers.flatten(),
      tf.layers.dense({ units: 3, kernelInitializer: tf.initializers.glorotUniform({ seed: seed + 3 }) }),
    ],
  });
}

/** Functional: ids → token embedding (first) + a second embedding of the same ids (a branch bypassing the split). */
function textFunctional(seed = 1): tf.LayersModel {
  const ids = tf.input({ shape: [T], dtype: 'int32' });
  const tok = tf.layers.embedding({ inputDim: VOCAB, outputDim: DIM, embeddingsInitializer: tf.initializers.randomNormal({ seed, stddev: 1 }) }).apply(ids) as tf.SymbolicTensor;
  const pos = tf.layers.embedding({ inputDim: VOCAB, outputDim: DIM, embeddingsInitializer: tf.initializers.randomNormal({ seed: seed + 5, stddev: 1 }) }).apply(ids) as tf.SymbolicTensor;
  const sum = tf.layers.add().apply([tok, pos]) as tf.SymbolicTensor;
  const flat = tf.layers.flatten().apply(sum) as tf.SymbolicTensor;
  const out = tf.layers.dense({ units: 3, kernelInitializer: tf.initializers.glorotUniform({ seed: seed + 3 }) }).apply(flat) as tf.SymbolicTensor;
  return tf.model({ inputs: ids, outputs: out });
}

function idsBatch(seed = 3) {
  const ids = Array.from({ length: B * T }, (_, i) => (i * 7 + seed * 3) % VOCAB);
  return {
    x: tf.tensor2d(ids, [B, T], 'int32'),
    y: tf.tensor1d(Array.from({ length: B }, (_, i) => (i + seed) % 3), 'int32'),
    ids,
  };
}

describe('embedding rule (integer inputs)', () => {
  before(async () => {
    assert.ok(await useBackend('cpu'));
  });

  it('auto split of a Sequential: embed(x) is the embedding rows of the ids, body(embed(x)) = model(x) exactly', () => {
    for (const maskZero of [false, true]) {
      const model = textSequential(1, maskZero);
      const b = idsBatch();
      const a = fromLayersModel(model);
      const table = model.layers[0].getWeights()[0].arraySync() as number[][];
      const e = a.embed(b.x, false);
      assert.deepEqual(e.shape, [B, T, DIM]);
      const ev = e.arraySync() as number[][][];
      b.ids.forEach((id, k) => assert.deepEqual(ev[Math.floor(k / T)][k % T], table[id]));
      const viaSplit = a.body(e, false, b.x).dataSync();
      const direct = model.predict(b.x) as tf.Tensor;
      assert.deepEqual(Array.from(viaSplit), Array.from(direct.dataSync()), `maskZero=${maskZero}`);
      tf.dispose([e, direct, b.x, b.y]);
      model.dispose();
    }
  });

  it('auto split of a functional model with a branch that bypasses the first embedding: body(embed(x), x) = model(x)', () => {
    const model = textFunctional();
    const b = idsBatch();
    const a = fromLayersModel(model);
    const out = tf.tidy(() => Array.from(a.body(a.embed(b.x, false), false, b.x).dataSync()));
    const direct = tf.tidy(() => Array.from((model.predict(b.x) as tf.Tensor).dataSync()));
    assert.deepEqual(out, direct);
    tf.dispose([b.x, b.y]);
    model.dispose();
  });

  for (const kind of ['sequential', 'functional'] as const) {
    it(`TRAM-x with σ = 1e-6 on a ${kind} text model measures d ≈ 0 (noise on embeddings, not on ids)`, () => {
      const model = kind === 'sequential' ? textSequential(2) : textFunctional(2);
      const b = idsBatch(4);
      const opt = createOptimizer({ name: 'tram', target: 'x', noise: { kind: 'gaussian', sigma: 1e-6, seed: 1 } }, tf.train.sgd(0.1));
      const r = opt.step(model, b);
      // |d|, not d ≥ 0: in float32 the KL of two nearly equal distributions can round below 0 (−1.8e-9 on native
      // TensorFlow, whose oneDNN kernels sum in another order)
      assert.ok(Math.abs(r.divergence as number) < 1e-6, `d = ${r.divergence}`);
      opt.dispose();
      tf.dispose([b.x, b.y]);
      model.dispose();
    });
  }

  it('the old behaviour, noise on (float) ids truncated back by the Embedding layer, measures d > 1e-2 at σ = 1e-6', () => {
    const model = textSequential(2);
    const b = idsBatch(4);
    const fx = b.x.toFloat();
    // Identity embed: the noise lands on the ids, as before the embedding rule.
    const onIds = fromFunction(model.trainableWeights.map((w) => w.read() as tf.Variable), (x, training) => model.apply(x, { training }) as tf.Tensor);
    const opt = createOptimizer({ name: 'tram', target: 'x', noise: { kind: 'gaussian', sigma: 1e-6, seed: 1 } }, tf.train.sgd(0.1));
    const d = opt.step(onIds, { x: fx, y: b.y }).divergence as number;
    assert.ok(d > 1e-2, `d = ${d}`);
    opt.dispose();
    tf.dispose([b.x, b.y, fx]);
    model.dispose();
  });

  for (const method of [
    { name: 'tram', target: 'x' },
    { name: 'tram-fisher' },
    { name: 'r3f' },
    { name: 'asam+r3f' },
  ] as const) {
    it(`${method.name}${'target' in method ? '-' + method.target : ''} asks for noise of the embedding shape, and numTensors stays flat`, () => {
      const model = textSequential(3);
      const b = idsBatch(5);
      const shapes: number[][] = [];
      const opt = createOptimizer(method, tf.train.adam(0.01), {
        noise: (shape) => {
          shapes.push(shape);
          return tf.randomNormal(shape, 0, 0.1, 'float32', 7);
        },
      });
      opt.step(model, b);
      const n0 = tf.memory().numTensors;
      const r = opt.step(model, b);
      assert.equal(tf.memory().numTensors, n0);
      assert.ok(Number.isFinite(r.loss));
      assert.ok(shapes.length > 0);
      for (const s of shapes) assert.deepEqual(s, [B, T, DIM]);
      opt.dispose();
      tf.dispose([b.x, b.y]);
      model.dispose();
    });
  }

  it('integer inputs without an embedding to find: a clear error naming embedLayers, weights untouched, no leak', () => {
    const w = tf.variable(tf.randomNormal([T, 3], 0, 1, 'float32', 1));
    const m = fromFunction([w], (x) => tf.matMul(x.toFloat(), w));
    const b = idsBatch();
    const opt = createOptimizer({ name: 'tram', target: 'x', noise: { kind: 'gaussian', sigma: 0.1 } }, tf.train.sgd(0.1));
    const before = Array.from(w.dataSync());
    const n0 = tf.memory().numTensors;
    assert.throws(() => opt.step(m, b), (e: Error) => e instanceof OptimConfigError && /int32/.test(e.message) && /embedLayers/.test(e.message));
    assert.equal(tf.memory().numTensors, n0);
    assert.deepEqual(Array.from(w.dataSync()), before);
    opt.dispose();
    tf.dispose([b.x, b.y, w]);
  });

  it('embedLayers: 0 on a model with an Embedding layer is refused for noised methods, naming the value to set', () => {
    const model = textSequential(4);
    const b = idsBatch();
    const a = fromLayersModel(model, { embedLayers: 0 });
    const opt = createOptimizer({ name: 'r3f', noise: { kind: 'gaussian', sigma: 0.1 } }, tf.train.sgd(0.1));
    assert.throws(() => opt.step(a, b), /embedLayers to 1/);
    // Methods without noise do not care where the split is.
    const sam = createOptimizer({ name: 'sam' }, tf.train.sgd(0.1));
    assert.ok(Number.isFinite(sam.step(a, b).loss));
    opt.dispose();
    sam.dispose();
    tf.dispose([b.x, b.y]);
    model.dispose();
  });
});
