/**
 * Tests for the surviving mutants of the second #19 uniform mutation sample of kernel/optim (one test per behaviour;
 * the source line each guards is named in the test). Expected values are worked out by hand: error messages name the
 * problem and the fix, leaks are counted with tf.memory().numTensors, refused/accepted inputs follow the documented
 * rules (finite numbers, integer steps, step boundaries >= 0), and the documented "a missing mask counts as all ones"
 * is checked against an explicit all-ones mask.
 * Not tested, equivalent: schedule.ts:37 `i > 0` → true, since at i = 0 the comparison is x <= b[-1] = undefined,
 * false for every number x; targets.ts:102 `bound !== model` → true, since that line is only reached with bound
 * neither model (returned above) nor null (returned above), so the condition is already true whenever weights is set.
 * Not killed: noise.ts:29 `+ 1` → `- 1` only changes which seeded stream a (seed, step, split) draws; determinism
 * and distinctness, the documented contract, hold for both, and pinning the stream would restate the formula.
 */
import { describe, it, before } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import {
  createOptimizer,
  FlatAdam,
  FlatMomentum,
  fromFunction,
  fromLayersModel,
  identityPreconditioner,
  mesaRegularizer,
  noisedLogits,
  normalizeSchedule,
  OptimConfigError,
  parameterHistoryTarget,
  scheduleValue,
  SharpnessAwareOptimizer,
  type Target,
} from '../../kernel/optim';
import { concatParts } from '../../kernel/optim/batch';
import { batch, disposeBatch, mlp, useBackend } from './fixtures';

const isConfig = (re: RegExp) => (e: unknown) => e instanceof OptimConfigError && re.test((e as Error).message);

/** A token model: Embedding(10 → 4) → flatten → Dense(3), input [B, 2] int32. */
function tokenModel(): tf.Sequential {
  return tf.sequential({
    layers: [
      tf.layers.embedding({ inputDim: 10, outputDim: 4, inputLength: 2, embeddingsInitializer: tf.initializers.randomNormal({ seed: 1 }) }),
      tf.layers.flatten(),
      tf.layers.dense({ units: 3, kernelInitializer: tf.initializers.glorotUniform({ seed: 2 }) }),
    ],
  });
}

describe('#19 sampled mutants, second sample (optim)', () => {
  before(async () => {
    assert.ok(await useBackend('cpu'));
  });

  it('schedule.ts: a linear schedule with non-integer steps is refused, naming steps', () => {
    assert.throws(() => normalizeSchedule('lr', { kind: 'linear', start: 1, end: 0, steps: 2.5 }, 'hint'), isConfig(/lr\.steps must be a positive integer \(got 2\.5\)/));
  });

  it('schedule.ts: step boundaries may start at step 0 (value from step 0 is values[1])', () => {
    const s = normalizeSchedule('lr', { kind: 'step', boundaries: [0, 3], values: [1, 0.5, 0.25] }, 'hint');
    // t >= 0 passes the first boundary at once, t >= 3 the second.
    assert.equal(scheduleValue(s, 0, 'lr'), 0.5);
    assert.equal(scheduleValue(s, 3, 'lr'), 0.25);
  });

  it('schedule.ts: negative or fractional step boundaries are refused, naming the rule', () => {
    const re = /lr\.boundaries must be increasing step indices >= 0/;
    assert.throws(() => normalizeSchedule('lr', { kind: 'step', boundaries: [-2], values: [1, 0.5] }, 'hint'), isConfig(re));
    assert.throws(() => normalizeSchedule('lr', { kind: 'step', boundaries: [1.5], values: [1, 0.5] }, 'hint'), isConfig(re));
  });

  it('flat.ts: an infinite learning rate is refused (finite numbers only)', () => {
    assert.throws(() => new FlatAdam({ learningRate: Infinity }), isConfig(/FlatAdam: learningRate must be a number > 0 \(got Infinity\)/));
    assert.throws(() => new FlatMomentum({ learningRate: Infinity, momentum: 0.9 }), isConfig(/FlatMomentum: learningRate must be/));
  });

  it("flat.ts: FlatAdam's own variables are not trainable (tf.variableGrads without a list must not see them)", () => {
    const before = new Set(Object.keys(tf.engine().registeredVariables));
    const o = new FlatAdam({ learningRate: 0.1 });
    const added = Object.entries(tf.engine().registeredVariables).filter(([k]) => !before.has(k));
    assert.ok(added.length >= 2, 'the bias-correction accumulators are variables');
    for (const [name, v] of added) assert.equal(v.trainable, false, `${name} must not be trainable`);
    o.dispose();
  });

  it('flat.ts: FlatAdam.setWeights checks the names of the second slot group (v) against the first (m)', async () => {
    const o = new FlatAdam({ learningRate: 0.1 });
    const t = () => tf.zeros([2]);
    const iter = { name: 'iter', tensor: tf.scalar(3) };
    const good = [iter, { name: 'a/m', tensor: t() }, { name: 'b/m', tensor: t() }, { name: 'a/v', tensor: t() }, { name: 'b/v', tensor: t() }];
    await o.setWeights(good);
    const bad = [iter, { name: 'a/m', tensor: t() }, { name: 'b/m', tensor: t() }, { name: 'a/v', tensor: t() }, { name: 'c/v', tensor: t() }];
    await assert.rejects(() => o.setWeights(bad), isConfig(/expected slot 'b\/v' at position 4, got 'c\/v'/));
    o.dispose();
    [...good, ...bad].forEach((w) => w.tensor.dispose());
  });

  it('flat.ts: FlatMomentum.setWeights loads the momentum slot it is given', async () => {
    const o = new FlatMomentum({ learningRate: 0.1, momentum: 0.9 });
    const iter = tf.scalar(2);
    const acc = tf.tensor1d([0.5, -1.5]);
    await o.setWeights([{ name: 'iter', tensor: iter }, { name: 'w/momentum', tensor: acc }]);
    const back = await o.getWeights();
    assert.deepEqual(back.map((w) => w.name), ['iter', 'w/momentum']);
    assert.deepEqual(Array.from(back[1].tensor.dataSync()), [0.5, -1.5]);
    back.forEach((w) => { if (!(w.tensor instanceof tf.Variable)) w.tensor.dispose(); });
    o.dispose();
    iter.dispose();
    acc.dispose();
  });

  it('flat.ts: FlatMomentum.getConfig gives its hyper-parameters', () => {
    const o = new FlatMomentum({ learningRate: 0.05, momentum: 0.8, useNesterov: true });
    assert.deepEqual(o.getConfig(), { learningRate: 0.05, momentum: 0.8, useNesterov: true });
    o.dispose();
  });

  it('model.ts: fromFunction refuses an array holding a non-Variable, naming tf.variable', () => {
    const t = tf.tensor1d([1, 2]);
    assert.throws(() => fromFunction([t as unknown as tf.Variable], (x) => x), isConfig(/fromFunction needs an array of tf\.Variable \(create them with tf\.variable/));
    t.dispose();
  });

  it('model.ts: an embedding model with one input and two outputs is not split automatically, naming the fix', () => {
    const input = tf.input({ shape: [2], dtype: 'int32' });
    const e = tf.layers.flatten().apply(tf.layers.embedding({ inputDim: 10, outputDim: 4, inputLength: 2 }).apply(input) as tf.SymbolicTensor) as tf.SymbolicTensor;
    const o1 = tf.layers.dense({ units: 3 }).apply(e) as tf.SymbolicTensor;
    const o2 = tf.layers.dense({ units: 2 }).apply(e) as tf.SymbolicTensor;
    const model = tf.model({ inputs: input, outputs: [o1, o2] });
    assert.throws(() => fromLayersModel(model), isConfig(/1 inputs and 2 outputs cannot be split at its embedding automatically: give the split with fromLayersModel\(\{embed, body\}\)/));
    model.dispose();
  });

  it('model.ts: noising integer inputs without an embedding names all three ways to give the split', () => {
    const v = tf.variable(tf.zeros([2, 3]));
    const m = fromFunction([v], (x) => tf.matMul(tf.cast(x, 'float32'), v));
    const x = tf.tensor2d([[1, 2]], [1, 2], 'int32');
    assert.throws(
      () => noisedLogits(m, x, (s) => tf.zeros(s), true),
      isConfig(/integer token ids.*fromLayersModel\(model, \{embedLayers: k\}\).*fromLayersModel\(\{embed, body\}\) or fromFunction\(vars, forward, \{embed, body\}\)/),
    );
    v.dispose();
    x.dispose();
  });

  it('model.ts: embedLayers before the Embedding layer is refused when noising, naming embedLayers and its fix', () => {
    const model = tokenModel();
    const m = fromLayersModel(model, { embedLayers: 0 });
    const x = tf.tensor2d([[1, 2]], [1, 2], 'int32');
    // The Embedding is layer 1 of 3, so the split must come after it: embedLayers = 1.
    assert.throws(
      () => noisedLogits(m, x, (s) => tf.zeros(s), true),
      isConfig(/embedLayers = 0 splits the model before its Embedding layer '.+', so input noise would be added to token ids: leave embedLayers out \('auto'\) or set embedLayers to 1/),
    );
    x.dispose();
    model.dispose();
  });

  it("targets.ts: decay 0 is the θt−1 target (kind 'theta-prev'), decay 1 θ0, else EMA", () => {
    assert.equal(parameterHistoryTarget({ decay: 0 }).kind, 'theta-prev');
    assert.equal(parameterHistoryTarget({ decay: 1 }).kind, 'theta0');
    assert.equal(parameterHistoryTarget({ decay: 0.5 }).kind, 'ema');
  });

  it('targets.ts: restored target weights of the wrong shape are refused at first use, naming the fix', () => {
    const model = mlp({ seed: 3 });
    const m = fromLayersModel(model);
    const t = parameterHistoryTarget({ decay: 1 });
    const wrong = [tf.zeros([1])];
    t.setState(wrong);
    const x = tf.zeros([1, 4]);
    assert.throws(() => tf.tidy(() => t.logits(m, { x })), isConfig(/restored target weights do not match the model: expected 4 tensors, got 1: load the state into an optimizer/));
    t.dispose();
    wrong.forEach((w) => w.dispose());
    x.dispose();
    model.dispose();
  });

  it('targets.ts: dispose frees the stored target weights', () => {
    const model = mlp({ seed: 3 });
    const m = fromLayersModel(model);
    const x = tf.zeros([1, 4]);
    const t = parameterHistoryTarget({ decay: 1 });
    tf.tidy(() => t.logits(m, { x }));
    assert.equal(t.weights()?.length, 4, 'θ0 keeps a copy of the 4 weights');
    // Measured around dispose alone (tfjs's layers apply keeps one tensor per call on this backend).
    const before = tf.memory().numTensors;
    t.dispose();
    assert.equal(tf.memory().numTensors, before - 4);
    x.dispose();
    model.dispose();
  });

  it('batch.ts: micro-batch logits that differ in a non-batch axis are refused, naming the fix (padding)', () => {
    const a = tf.zeros([2, 3]);
    const b = tf.zeros([2, 4]);
    assert.throws(() => concatParts([a, b], 'logits'), isConfig(/logits of shapes \[2,3\] and \[2,4\].*pad sequences to one length/));
    a.dispose();
    b.dispose();
  });

  it('state.ts: a TRAM-θ0 state saved before any step has no target weights (null), and loads back', async () => {
    const opt = createOptimizer({ name: 'tram', target: 'theta0' }, tf.train.sgd(0.1));
    const s = await opt.saveState();
    assert.equal(s.target, null);
    await opt.loadState(s);
    opt.dispose();
  });

  it("regularizers.ts: MESA's config names it 'mesa' with its temperature 5 and start 0", () => {
    const r = mesaRegularizer(0.1);
    assert.equal(r.name, 'mesa');
    const c = r.getConfig();
    assert.equal(c.name, 'mesa');
    assert.equal(c.temperature, 5);
    assert.equal(c.start, 0);
    r.dispose();
  });

  it('pass.ts: the divergence is measured once per step (the target pass runs once)', () => {
    const model = mlp({ seed: 3 });
    const b = batch(8);
    const inner = parameterHistoryTarget({ decay: 1 });
    let calls = 0;
    const target: Target = {
      kind: inner.kind,
      needsNoise: false,
      logits: (m, ctx) => { calls++; return inner.logits(m, ctx); },
      update: (m) => inner.update(m),
      dispose: () => inner.dispose(),
    };
    const ascent = {
      preconditioner: identityPreconditioner(),
      radius: { kind: 'divergence' as const, target, divergence: { kind: 'kl' as const, direction: 'forward' as const, reduction: 'batchmean' as const }, scale: 1 },
    };
    const opt = new SharpnessAwareOptimizer(tf.train.sgd(0.1), { name: 'custom-tram', ascent });
    opt.step(model, b);
    assert.equal(calls, 1);
    opt.step(model, b);
    assert.equal(calls, 2);
    opt.dispose();
    inner.dispose();
    disposeBatch(b);
    model.dispose();
  });

  it('pass.ts: with accumulated micro-batches, a missing mask counts as all ones in the divergence', () => {
    const run = (explicitOnes: boolean) => {
      const model = mlp({ seed: 3 });
      const b1 = batch(4, 4, 3, 5);
      const b2 = batch(4, 4, 3, 6);
      b1.mask = tf.tensor1d([1, 1, 0, 0]);
      if (explicitOnes) b2.mask = tf.ones([4]);
      const opt = createOptimizer({ name: 'tram', target: 'x', noise: { kind: 'gaussian', sigma: 0.5, seed: 4 } }, tf.train.sgd(0.1));
      const r = opt.step(model, [b1, b2]);
      opt.dispose();
      disposeBatch(b1);
      disposeBatch(b2);
      model.dispose();
      return r.divergence as number;
    };
    const implicit = run(false);
    const explicit = run(true);
    assert.ok(Number.isFinite(implicit) && implicit > 0);
    assert.ok(Math.abs(implicit - explicit) <= 1e-6 * Math.abs(explicit), `${implicit} vs ${explicit}`);
  });
});
