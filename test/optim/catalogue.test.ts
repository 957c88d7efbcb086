// The method catalogue (kernel/optim/methods.ts): names, keys, defaults and base-name checks come from one table.
import { describe, it, before } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { FlatAdam, METHOD_NAMES, METHODS, OptimConfigError, baseFromConfig, createOptimizer, fromConfig, normalizeMethod } from '../../kernel/optim';
import { useBackend } from './fixtures';

/** The smallest valid config of each method (TRAM needs a target). */
const minimal = (name: string) => (name === 'tram' ? { name, target: 'theta0' } : { name });

describe('method catalogue', () => {
  before(async () => {
    await useBackend('cpu');
  });

  it('lists the paper methods, the baselines and the base-optimizer names', () => {
    for (const n of ['sam', 'asam', 'fisher-sam', 'tram', 'tram-fisher', 'r3f', 'trpo', 'mesa', 'asam+r3f', 'asam+trpo', 'asam+mesa', 'sgd', 'adam', 'base', 'none']) {
      assert.ok(METHOD_NAMES.includes(n as never), `${n} missing`);
    }
    assert.equal(METHOD_NAMES.length, Object.keys(METHODS).length);
  });

  it('normalising is idempotent and accepts exactly the keys it reports', () => {
    for (const name of METHOD_NAMES) {
      const once = normalizeMethod(minimal(name));
      assert.deepEqual(normalizeMethod(once), once, name);
      for (const k of Object.keys(once)) if (k !== 'name') assert.ok((METHODS[name].keys as readonly string[]).includes(k), `${name} reports ${k} but does not accept it`);
      assert.throws(() => normalizeMethod({ ...minimal(name), bogus: 1 }), (e: Error) => e instanceof OptimConfigError && /unknown option 'bogus'/.test(e.message));
    }
  });

  it("applies the paper's defaults (Appendix B)", () => {
    assert.equal(normalizeMethod({ name: 'sam' }).rho, 0.05);
    assert.deepEqual(normalizeMethod({ name: 'asam' }), { name: 'asam', rho: 0.5, eta: 0.01, scope: 'weights' });
    assert.deepEqual(normalizeMethod({ name: 'fisher-sam' }), { name: 'fisher-sam', gamma: 0.1, eta: 0.1 });
    assert.equal(normalizeMethod({ name: 'r3f' }).lambda, 0.1);
    assert.equal(normalizeMethod({ name: 'mesa' }).decay, 0.999);
  });

  it("'sgd' and 'adam' must match the base optimizer passed; 'base' takes any", () => {
    const mismatch = (name: string, base: tf.Optimizer, cls: string) =>
      assert.throws(() => createOptimizer({ name } as never, base), (e: Error) => e instanceof OptimConfigError && e.message.includes(`the base passed is ${cls}`) && e.message.includes(`tf.train.${name}`));
    mismatch('adam', tf.train.sgd(0.1), 'SGD');
    mismatch('sgd', tf.train.adam(0.1), 'Adam');
    mismatch('adam', tf.train.rmsprop(0.1), 'RMSProp');
    assert.equal(createOptimizer({ name: 'sgd' }, tf.train.momentum(0.1, 0.9)).name, 'sgd');
    assert.equal(createOptimizer({ name: 'adam' }, tf.train.adam(0.1)).name, 'adam');
    assert.equal(createOptimizer({ name: 'base' }, tf.train.adagrad(0.1)).name, 'base');
    assert.equal(createOptimizer({ name: 'sam' }, tf.train.rmsprop(0.1)).name, 'sam');
  });

  it("rebuilds every tfjs optimizer from tfjs's own serialization registry", () => {
    const bases = [tf.train.sgd(0.1), tf.train.momentum(0.1, 0.8), tf.train.adam(0.01, 0.8, 0.9), tf.train.adamax(0.01), tf.train.adagrad(0.2), tf.train.adadelta(0.3), tf.train.rmsprop(0.05, 0.8)];
    for (const b of bases) {
      const r = baseFromConfig({ className: b.getClassName(), config: b.getConfig() });
      assert.equal(r.getClassName(), b.getClassName());
      assert.deepEqual(r.getConfig(), b.getConfig());
    }
    assert.throws(() => baseFromConfig({ className: 'Dense', config: {} }), /unknown base optimizer class "Dense"/);
    // The library's own registered base optimizers come back too, and 'adam' accepts the flat Adam.
    const flat = createOptimizer({ name: 'adam' }, new FlatAdam({ learningRate: 0.01, beta1: 0.8, beta2: 0.9, epsilon: 1e-7 }));
    const again = fromConfig(JSON.parse(JSON.stringify(flat.getConfig())));
    assert.equal(again.base.getClassName(), 'FlatAdam');
    assert.deepEqual(again.getConfig(), flat.getConfig());
  });
});
