import { describe, it, before } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import {
  createOptimizer,
  fromFunction,
  gaussianNoise,
  uniformNoise,
  NonFiniteError,
  OptimConfigError,
  parameterHistoryTarget,
  divergence,
  fromConfig,
} from '../../kernel/optim';
import { batch, disposeBatch, mlp, useBackend, weightsOf } from './fixtures';

const sgd = () => tf.train.sgd(0.1);

function throwsConfig(f: () => unknown, re: RegExp): void {
  assert.throws(f, (e: unknown) => e instanceof OptimConfigError && re.test((e as Error).message), `expected OptimConfigError matching ${re}`);
}

describe('bad input gets an error that names the problem', () => {
  before(async () => {
    await useBackend('cpu');
  });

  it('rho < 0', () => {
    throwsConfig(() => createOptimizer({ name: 'sam', rho: -1 }, sgd()), /rho must be >= 0 \(got -1\)/);
    throwsConfig(() => createOptimizer({ name: 'asam+trpo', rho: -0.5 }, sgd()), /rho must be >= 0 \(got -0.5\)/);
  });

  it('sigma < 0', () => {
    throwsConfig(() => createOptimizer({ name: 'r3f', noise: { kind: 'gaussian', sigma: -0.1 } }, sgd()), /sigma must be >= 0 \(got -0.1\)/);
    throwsConfig(() => createOptimizer({ name: 'tram', target: 'x', noise: { kind: 'uniform', sigma: -2 } }, sgd()), /sigma must be >= 0 \(got -2\)/);
    throwsConfig(() => gaussianNoise(-1), /sigma must be >= 0/);
    throwsConfig(() => uniformNoise(-1), /sigma must be >= 0/);
  });

  it('decay outside [0, 1]', () => {
    throwsConfig(() => createOptimizer({ name: 'tram', target: 'ema', decay: 1.5 }, sgd()), /decay must be in \[0, 1\] \(got 1.5\)/);
    throwsConfig(() => createOptimizer({ name: 'mesa', decay: -0.1 }, sgd()), /decay must be in \[0, 1\] \(got -0.1\)/);
    throwsConfig(() => parameterHistoryTarget({ decay: 2 }), /decay must be in \[0, 1\]/);
    throwsConfig(() => createOptimizer({ name: 'tram', target: 'ema' }, sgd()), /target 'ema' needs a decay/);
  });

  it('NaN and infinite hyperparameters', () => {
    throwsConfig(() => createOptimizer({ name: 'sam', rho: NaN }, sgd()), /rho must be a finite number \(got NaN\)/);
    throwsConfig(() => createOptimizer({ name: 'asam', eta: NaN }, sgd()), /eta must be a finite number \(got NaN\)/);
    throwsConfig(() => createOptimizer({ name: 'fisher-sam', gamma: Infinity }, sgd()), /gamma must be a finite number \(got Infinity\)/);
    throwsConfig(() => createOptimizer({ name: 'tram', target: 'x', scale: NaN }, sgd()), /scale must be a finite number \(got NaN\)/);
    throwsConfig(() => createOptimizer({ name: 'tram', target: 'x', rhoMax: 0 }, sgd()), /rhoMax must be > 0 \(got 0\)/);
    throwsConfig(() => createOptimizer({ name: 'r3f', lambda: NaN }, sgd()), /lambda must be a finite number \(got NaN\)/);
    throwsConfig(() => createOptimizer({ name: 'trpo', lambda: -1 }, sgd()), /lambda must be >= 0 \(got -1\)/);
  });

  it('unknown names and options', () => {
    throwsConfig(() => createOptimizer({ name: 'fsam' } as never, sgd()), /method.name must be one of .*'fisher-sam'.* \(got "fsam"\)/);
    throwsConfig(() => createOptimizer({ name: 'tram', target: 'theta' } as never, sgd()), /target must be one of 'x', 'theta0', 'theta-prev', 'ema'/);
    throwsConfig(() => createOptimizer({ name: 'asam', scope: 'kernels' } as never, sgd()), /scope must be one of 'weights', 'all' \(got "kernels"\)/);
    throwsConfig(() => createOptimizer({ name: 'tram', target: 'x', divergence: { kind: 'js' } } as never, sgd()), /divergence.kind must be one of 'kl', 'l2', 'mmd'/);
    throwsConfig(() => createOptimizer({ name: 'sam', rh0: 0.1 } as never, sgd()), /unknown option 'rh0' for method 'sam': it takes 'rho'/);
    throwsConfig(() => createOptimizer({ name: 'sam' }, sgd(), { batchSplits: 0 }), /batchSplits must be a positive integer \(got 0\)/);
    throwsConfig(() => createOptimizer({ name: 'sam' }, sgd(), { onNonFinite: 'ignore' as never }), /onNonFinite must be one of 'throw', 'skip'/);
    throwsConfig(() => createOptimizer({ name: 'sam' }, {} as never), /base optimizer must be a tf.Optimizer/);
    throwsConfig(() => fromConfig({ method: { name: 'sam' }, base: { className: 'Lion', config: {} } } as never), /unknown base optimizer class "Lion"/);
  });

  it('a non-finite loss names the method and the step; skip leaves θ unchanged', () => {
    const model = mlp({ seed: 41 });
    const b = batch(8);
    const nanBatch = { x: tf.fill([8, 4], NaN), y: b.y };
    const opt = createOptimizer({ name: 'tram', target: 'theta-prev' }, sgd());
    opt.step(model, b);
    assert.throws(
      () => opt.step(model, nanBatch),
      (e: unknown) =>
        e instanceof NonFiniteError && /^tram: non-finite loss \(NaN\) at step 2/.test(e.message) && e.step === 2 && e.method === 'tram' &&
        /onNonFinite: 'skip'/.test(e.message),
    );
    const skip = createOptimizer({ name: 'asam' }, sgd(), { onNonFinite: 'skip' });
    const w0 = weightsOf(model);
    const r = skip.step(model, nanBatch);
    assert.equal(r.skipped, true);
    assert.match(r.skipReason as string, /non-finite loss/);
    assert.deepEqual(weightsOf(model), w0);
    const r2 = skip.step(model, b);
    assert.equal(r2.skipped, undefined);
    assert.notDeepEqual(weightsOf(model), w0);
    nanBatch.x.dispose();
    opt.dispose();
    skip.dispose();
    model.dispose();
    disposeBatch(b);
  });

  it('a non-finite gradient with a finite loss is named as a gradient', () => {
    // logits = [0, √w] at w = 0: the loss is finite, its gradient is not.
    const w = tf.variable(tf.zeros([1]));
    const model = fromFunction([w], (x) => tf.concat([tf.zerosLike(x), tf.mul(tf.sqrt(w), tf.onesLike(x))], 1));
    const b = { x: tf.ones([2, 1]), y: tf.tensor1d([0, 1], 'int32') };
    const opt = createOptimizer({ name: 'sam' }, sgd());
    assert.throws(() => opt.step(model, b), (e: unknown) => e instanceof NonFiniteError && /sam: non-finite gradient \((NaN|Infinity)\) at step 1/.test(e.message));
    assert.deepEqual(Array.from(w.dataSync()), [0]);
    w.dispose();
    b.x.dispose();
    b.y.dispose();
    opt.dispose();
  });

  it('a target model whose shapes do not match', () => {
    const model = mlp({ seed: 42, hidden: 8 });
    const other = mlp({ seed: 42, hidden: 5 });
    const b = batch(8);
    const opt = createOptimizer({ name: 'tram', target: 'theta0' }, sgd(), { initialTarget: other });
    throwsConfig(() => opt.step(model, b), /target weights do not match the model: tensor 0 has shape \[4,5\] but the model's has \[4,8\]/);
    const opt2 = createOptimizer({ name: 'tram', target: 'theta0' }, sgd(), { initialTarget: [tf.zeros([4, 8])] });
    throwsConfig(() => opt2.step(model, b), /target weights do not match the model: expected 4 tensors, got 1/);
    opt.dispose();
    opt2.dispose();
    model.dispose();
    other.dispose();
    disposeBatch(b);
  });

  it('mismatched batch shapes, labels and noise', () => {
    const model = mlp({ seed: 43 });
    const b = batch(8);
    const opt = createOptimizer({ name: 'sam' }, sgd());
    const short = { x: b.x, y: tf.tensor1d([0, 1, 2], 'int32') };
    throwsConfig(() => opt.step(model, short), /batch shapes do not match: x has 8 examples .* but y has 3/);
    const oneHot = { x: b.x, y: tf.oneHot(b.y, 3) };
    throwsConfig(() => opt.step(model, oneHot), /labels have shape \[8,3\] but logits \[8,3\]: labels must be class indices of shape \[8\]/);
    const split9 = createOptimizer({ name: 'sam' }, sgd(), { batchSplits: 9 });
    throwsConfig(() => split9.step(model, b), /batchSplits = 9 is more than the batch size 8: use batchSplits <= 8/);
    const badNoise = createOptimizer({ name: 'tram', target: 'x' }, sgd(), { noise: () => tf.zeros([8, 2]) });
    throwsConfig(() => badNoise.step(model, b), /noise source returned \[8,2\] but the input embeddings have shape \[8,4\]/);
    throwsConfig(() => divergence({ kind: 'kl' }, tf.zeros([2, 3]), tf.zeros([2, 4])), /same shape/);
    [short.y, oneHot.y].forEach((t) => t.dispose());
    [opt, split9, badNoise].forEach((o) => o.dispose());
    model.dispose();
    disposeBatch(b);
  });
});
