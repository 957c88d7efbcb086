/**
 * Tests for the surviving mutants of the #19 uniform mutation sample of kernel/optim (one test per behaviour; the
 * source line each guards is named in the test). Expected values are worked out by hand or in float64 here:
 * error messages name the problem and the fix, leaks are counted with tf.memory().numTensors, numeric results are
 * recomputed from the initial weights (BatchNorm's moving mean, a Dense layer's output, the momentum update), and
 * noise kinds are told apart by their support and variance (U(−σ, σ): |z| ≤ σ, var σ²/3; N(0, σ²): var σ²).
 * Not tested, equivalent: flat.ts:35 `typeof v !== 'number'` → false, since Number.isFinite(v) is false for every
 * non-number (it does not coerce), so the next disjunct refuses the same inputs with the same message.
 */
import { describe, it, before } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import {
  checkNoiseShape,
  createOptimizer,
  evalGraph,
  FlatAdam,
  FlatMomentum,
  fromConfig,
  fromFunction,
  fromLayersModel,
  identityPreconditioner,
  isModelAdapter,
  noiseFromConfig,
  normalizeMethod,
  normalizeSchedule,
  OptimConfigError,
  r3fRegularizer,
  SharpnessAwareOptimizer,
} from '../../kernel/optim';
import { batch, disposeBatch, mlp, useBackend } from './fixtures';

const isConfig = (re: RegExp) => (e: unknown) => e instanceof OptimConfigError && re.test((e as Error).message);

describe('#19 sampled mutants (optim)', () => {
  before(async () => {
    assert.ok(await useBackend('cpu'));
  });

  it('state.ts: loadState frees the slot tensors it built (numTensors unchanged by a load)', async () => {
    const model = mlp({ seed: 3 });
    const b = batch(8);
    const opt = createOptimizer({ name: 'sam', rho: 0.05 }, tf.train.adam(0.01));
    opt.step(model, b);
    opt.step(model, b);
    const s = await opt.saveState();
    const before = tf.memory().numTensors;
    await opt.loadState(s);
    assert.equal(tf.memory().numTensors, before, 'loading a state must replace the slots, not add to them');
    await opt.loadState(s);
    assert.equal(tf.memory().numTensors, before);
    opt.dispose();
    disposeBatch(b);
    model.dispose();
  });

  it('state.ts: a saved tensor without a shape or values is refused as malformed, naming the fix', async () => {
    const model = mlp({ seed: 3 });
    const b = batch(8);
    const opt = createOptimizer({ name: 'sam', rho: 0.05 }, tf.train.sgd(0.1));
    opt.step(model, b);
    const good = await opt.saveState();
    const noShape = JSON.parse(JSON.stringify(good));
    delete noShape.base.weights[0].shape;
    await assert.rejects(opt.loadState(noShape), isConfig(/^optimizer state: base optimizer slot '.*' is malformed .*: pass the object saveState\(\) returned$/));
    const noValues = JSON.parse(JSON.stringify(good));
    noValues.base.weights[0].values = null;
    await assert.rejects(opt.loadState(noValues), isConfig(/is malformed/));
    opt.dispose();
    disposeBatch(b);
    model.dispose();
  });

  it('schedule.ts: a negative value of a step schedule is named by its index', () => {
    assert.throws(
      () => normalizeSchedule('rho', { kind: 'step', boundaries: [2], values: [0.05, -1] }, 'pass rho >= 0'),
      isConfig(/^rho\.values\[1\] must be >= 0 \(got -1\): pass rho >= 0$/),
    );
  });

  it('batch.ts: a mask whose shape differs from y is refused (single batch and micro-batches)', () => {
    const model = mlp({ seed: 3 });
    const b = batch(4);
    const mask = tf.ones([3]);
    const opt = createOptimizer({ name: 'sam', rho: 0.05 }, tf.train.sgd(0.1));
    assert.throws(() => opt.step(model, { ...b, mask }), isConfig(/^batch mask has shape \[3\] but must match y's \[4\]$/));
    assert.throws(() => opt.step(model, [b, { ...b, mask }]), isConfig(/^batch mask has shape \[3\] but must match y's \[4\]$/));
    opt.dispose();
    mask.dispose();
    disposeBatch(b);
    model.dispose();
  });

  it('batch.ts: a mask of lower rank than y is refused (mask [1] for y [1, 3] would turn the masked mean into a sum)', () => {
    const w = tf.variable(tf.zeros([4]));
    const model = fromFunction([w], () => tf.add(tf.zeros([1, 3, 4]), w));
    const b = { x: tf.zeros([1, 2]), y: tf.zeros([1, 3], 'int32'), mask: tf.ones([1]) };
    const opt = createOptimizer({ name: 'sam', rho: 0.05 }, tf.train.sgd(0.1));
    assert.throws(() => opt.step(model, b), isConfig(/^batch mask has shape \[1\] but must match y's \[1,3\]$/));
    // With the mask of y's shape the loss is the mean over the 3 positions: uniform logits over 4 classes give log 4.
    const full = { ...b, mask: tf.ones([1, 3]) };
    assert.ok(Math.abs((opt.step(model, full).loss as number) - Math.log(4)) < 1e-6);
    opt.dispose();
    tf.dispose([w, b.x, b.y, b.mask, full.mask]);
  });

  it('optimizer.ts: each micro-batch is checked: mismatched x and y in the second one name the problem', () => {
    const model = mlp({ seed: 3 });
    const b = batch(4);
    const y3 = tf.tensor1d([0, 1, 2], 'int32');
    const w0 = model.getWeights().map((t) => Array.from(t.dataSync()));
    const opt = createOptimizer({ name: 'sam', rho: 0.05 }, tf.train.sgd(0.1));
    assert.throws(
      () => opt.step(model, [b, { x: b.x, y: y3 }]),
      isConfig(/^batch shapes do not match: x has 4 examples \(\[4,4\]\) but y has 3 \(\[3\]\): give one label per example$/),
    );
    assert.deepEqual(model.getWeights().map((t) => Array.from(t.dataSync())), w0, 'a refused step leaves the weights alone');
    opt.dispose();
    y3.dispose();
    disposeBatch(b);
    model.dispose();
  });

  it('pass.ts: a regulariser that draws noise although it declares none gets a config error, not a TypeError', () => {
    const model = mlp({ seed: 3 });
    const b = batch(4);
    const reg = { ...r3fRegularizer(0.1), needsNoise: false };
    const opt = new SharpnessAwareOptimizer(tf.train.sgd(0.1), { name: 'custom', regularizer: reg });
    assert.throws(() => opt.step(model, b), isConfig(/^custom needs input noise: give a noise config \{kind: 'gaussian', sigma\} or a noise source/));
    opt.dispose();
    disposeBatch(b);
    model.dispose();
  });

  it('optimizer.ts: a noised ascent gradient without a divergence radius still needs noise at construction', () => {
    const ascent = { preconditioner: identityPreconditioner(), radius: { kind: 'constant' as const, value: 0.05 }, gradient: 'noised' as const };
    assert.throws(
      () => new SharpnessAwareOptimizer(tf.train.sgd(0.1), { name: 'noised-sam', ascent }),
      isConfig(/^noised-sam adds noise to the inputs: give a noise config/),
    );
    // (the catalogue's tram-fisher always has a noise config: normalizeNoise fills the default, so only a hand-built ascent reaches this)
  });

  it('model.ts: an {embed, body} pair keeps the BatchNorm statistics as state, restored around the perturbed pass', () => {
    const embed = tf.sequential({
      layers: [tf.layers.dense({ inputShape: [2], units: 3, kernelInitializer: tf.initializers.glorotUniform({ seed: 5 }), biasInitializer: 'zeros' })],
    });
    const body = tf.sequential({
      layers: [
        tf.layers.batchNormalization({ inputShape: [3], momentum: 0.9 }),
        tf.layers.dense({ units: 2, kernelInitializer: tf.initializers.glorotUniform({ seed: 6 }) }),
      ],
    });
    const a = fromLayersModel({ embed, body });
    assert.equal(a.state.length, 2, 'moving mean and moving variance');
    assert.deepEqual(a.state.map((v) => v.shape), [[3], [3]]);
    // One SAM step: only the clean pass moves the statistics, mean ← 0.9·0 + 0.1·mean_batch(x·W + b).
    const xs = [[1, 2], [-1, 0.5], [0.3, -2], [2, 1]];
    const W = (embed.getWeights()[0].arraySync() as number[][]);
    const want = [0, 1, 2].map((j) => (0.1 * xs.reduce((s, x) => s + x[0] * W[0][j] + x[1] * W[1][j], 0)) / xs.length);
    const x = tf.tensor2d(xs);
    const y = tf.tensor1d([0, 1, 0, 1], 'int32');
    const opt = createOptimizer({ name: 'sam', rho: 0.5 }, tf.train.sgd(0.1));
    opt.step(a, { x, y });
    const got = Array.from(body.layers[0].getWeights()[2].dataSync());
    got.forEach((g, j) => assert.ok(Math.abs(g - want[j]) < 1e-6, `moving mean[${j}] = ${g}, want ${want[j]}`));
    opt.dispose();
    tf.dispose([x, y]);
    embed.dispose();
    body.dispose();
  });

  it('model.ts: body(e) without x on a mask_zero embedding model is the layers after the embedding applied to e', () => {
    const model = tf.sequential({
      layers: [
        tf.layers.embedding({ inputDim: 5, outputDim: 2, inputLength: 3, maskZero: true, embeddingsInitializer: tf.initializers.randomNormal({ seed: 7 }) }),
        tf.layers.dense({ units: 2, kernelInitializer: tf.initializers.glorotUniform({ seed: 8 }), biasInitializer: tf.initializers.randomNormal({ seed: 9 }) }),
      ],
    });
    const a = fromLayersModel(model);
    const eRows = [[0.5, -1], [2, 0.25], [-0.75, 1.5]];
    const [Wt, bt] = model.layers[1].getWeights();
    const W = Wt.arraySync() as number[][];
    const bias = Array.from(bt.dataSync());
    const e = tf.tensor3d([eRows]);
    const out = a.body(e, false);
    assert.deepEqual(out.shape, [1, 3, 2]);
    const got = out.arraySync() as number[][][];
    eRows.forEach((r, t) => [0, 1].forEach((k) => {
      const want = r[0] * W[0][k] + r[1] * W[1][k] + bias[k];
      assert.ok(Math.abs(got[0][t][k] - want) < 1e-6, `out[${t}][${k}] = ${got[0][t][k]}, want ${want}`);
    }));
    tf.dispose([e, out]);
    model.dispose();
  });

  it('model.ts: null, undefined and functions are not adapters; step(null) names the model kinds it takes', () => {
    assert.equal(isModelAdapter(null), false);
    assert.equal(isModelAdapter(undefined), false);
    const fn = Object.assign(() => null, { trainable: [], forward: () => null, body: () => null });
    assert.equal(isModelAdapter(fn), false);
    const b = batch(4);
    const opt = createOptimizer({ name: 'sam', rho: 0.05 }, tf.train.sgd(0.1));
    assert.throws(() => opt.step(null as never, b), isConfig(/^expected a model: a tf\.LayersModel/));
    opt.dispose();
    disposeBatch(b);
  });

  it('config.ts: an unknown option lists the method\'s options separated by commas', () => {
    assert.throws(
      () => normalizeMethod({ name: 'asam', rho: 0.5, gamma: 1 }),
      isConfig(/^unknown option 'gamma' for method 'asam': it takes 'rho', 'eta', 'scope'$/),
    );
  });

  it('config.ts: fromConfig of null, a non-object or a config without method or base names what it needs', () => {
    for (const bad of [null, undefined, 42, {}, { method: { name: 'sam', rho: 0.05 } }, { base: { className: 'SGD', config: { learningRate: 0.1 } } }]) {
      assert.throws(() => fromConfig(bad as never), isConfig(/^fromConfig needs \{method, base, options\} as returned by getConfig$/), JSON.stringify(bad));
    }
  });

  it('targets.ts: checkNoiseShape refuses noise of another shape (same rank or not) and accepts the same shape', () => {
    tf.tidy(() => {
      const e = tf.zeros([2, 3]);
      assert.throws(() => checkNoiseShape(e, tf.zeros([2, 4])), isConfig(/^noise has shape \[2,4\] but the input embeddings have \[2,3\]: a noise source must return a tensor of the shape it is asked for$/));
      assert.throws(() => checkNoiseShape(e, tf.zeros([2, 3, 1])), isConfig(/^noise has shape \[2,3,1\] but the input embeddings have \[2,3\]/));
      assert.throws(() => checkNoiseShape(e, tf.zeros([6])), isConfig(/^noise has shape \[6\]/));
      assert.doesNotThrow(() => checkNoiseShape(e, tf.ones([2, 3])));
    });
  });

  it('noise.ts: the config kind picks the distribution: uniform stays in [−σ, σ] with variance σ²/3, gaussian has variance σ²', () => {
    const sigma = 0.5;
    const n = 4000;
    const draw = (kind: 'gaussian' | 'uniform') => {
      const t = noiseFromConfig({ kind, sigma, seed: 11 })([n], 0, 0);
      const v = Array.from(t.dataSync());
      t.dispose();
      return { max: Math.max(...v.map(Math.abs)), variance: v.reduce((s, z) => s + z * z, 0) / n };
    };
    const u = draw('uniform');
    assert.ok(u.max <= sigma, `uniform max |z| = ${u.max}`);
    assert.ok(Math.abs(u.variance - (sigma * sigma) / 3) < 0.1 * (sigma * sigma) / 3, `uniform variance ${u.variance}`);
    const g = draw('gaussian');
    assert.ok(g.max > 2 * sigma, `gaussian max |z| = ${g.max}`);
    assert.ok(Math.abs(g.variance - sigma * sigma) < 0.1 * sigma * sigma, `gaussian variance ${g.variance}`);
  });

  it('flat.ts: FlatMomentum loads the weights of one that never stepped; its next step is plain SGD (zero momentum)', async () => {
    const fresh = new FlatMomentum({ learningRate: 0.1, momentum: 0.9 });
    const saved = await fresh.getWeights();
    assert.equal(saved.length, 1, 'only the iteration count');
    const opt = new FlatMomentum({ learningRate: 0.1, momentum: 0.9 });
    await opt.setWeights(saved);
    const w = tf.variable(tf.tensor1d([1, -2]));
    const g = tf.tensor1d([0.5, 4]);
    opt.applyGradients([{ name: w.name, tensor: g }]);
    // θ₁ = θ₀ − lr·(0.9·0 + g) = (1 − 0.05, −2 − 0.4)
    const got = Array.from(w.dataSync());
    [0.95, -2.4].forEach((v, i) => assert.ok(Math.abs(got[i] - v) < 1e-6, `θ[${i}] = ${got[i]}, want ${v}`));
    tf.dispose([w, g, ...saved.map((s) => s.tensor)]);
    fresh.dispose();
    opt.dispose();
  });

  it('flat.ts: FlatAdam refuses beta2 = 1 and beta1 = 1 (the rule is [0, 1))', () => {
    assert.throws(() => new FlatAdam({ beta2: 1 }), isConfig(/^FlatAdam: beta2 must be in \[0, 1\) \(got 1\)$/));
    assert.throws(() => new FlatAdam({ beta1: 1 }), isConfig(/^FlatAdam: beta1 must be in \[0, 1\) \(got 1\)$/));
    const ok = new FlatAdam({ beta1: 0, beta2: 0.999999 });
    ok.dispose();
  });

  it('graph.ts: evaluating a graph with its input unfed names the input, not a stack overflow', () => {
    const input = tf.input({ shape: [2], name: 'features' });
    const out = tf.layers.dense({ units: 1 }).apply(input) as tf.SymbolicTensor;
    const model = tf.model({ inputs: input, outputs: out });
    assert.throws(() => evalGraph(model.outputs[0], new Map(), false), isConfig(/^model input 'features' has no value: the model needs an input the optimizer cannot give$/));
    model.dispose();
  });
});
