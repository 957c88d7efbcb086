import { describe, it, before } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { createOptimizer, fromConfig, getConfig, normalizeMethod } from '../../kernel/optim';
import { ALL_METHODS, batch, disposeBatch, label, mlp, useBackend, weightsOf } from './fixtures';

describe('getConfig / fromConfig', () => {
  before(async () => {
    await useBackend('cpu');
  });

  for (const method of ALL_METHODS) {
    it(`round-trips through JSON and trains identically: ${label(method)}`, () => {
      const base = tf.train.adam(0.02, 0.9, 0.99, 1e-8);
      const a = createOptimizer(method, base, { batchSplits: 2, onNonFinite: 'skip', reportCleanLoss: false });
      const json = JSON.parse(JSON.stringify(a.getConfig()));
      const b = fromConfig(json);
      assert.deepEqual(b.getConfig(), a.getConfig());
      assert.deepEqual(getConfig(b), json);
      assert.equal(json.method.name, method.name);
      assert.equal(json.base.className, 'Adam');
      assert.deepEqual(json.options, { batchSplits: 2, onNonFinite: 'skip', reportCleanLoss: false, targetTraining: false, compare: 'train-vs-inference' });
      const ma = mlp({ seed: 51 });
      const mb = mlp({ seed: 51 });
      const data = batch(8);
      for (let i = 0; i < 2; i++) {
        a.step(ma, data);
        b.step(mb, data);
      }
      assert.deepEqual(weightsOf(mb), weightsOf(ma));
      a.dispose();
      b.dispose();
      ma.dispose();
      mb.dispose();
      disposeBatch(data);
    });
  }

  it('fills the paper defaults', () => {
    assert.deepEqual(normalizeMethod({ name: 'sam' }), { name: 'sam', rho: 0.05 });
    assert.deepEqual(normalizeMethod({ name: 'asam' }), { name: 'asam', rho: 0.5, eta: 0.01, scope: 'weights' });
    assert.deepEqual(normalizeMethod({ name: 'fisher-sam' }), { name: 'fisher-sam', gamma: 0.1, eta: 0.1 });
    assert.deepEqual(normalizeMethod({ name: 'tram', target: 'theta-prev' }), {
      name: 'tram',
      target: 'theta-prev',
      eta: 0.01,
      scope: 'weights',
      scale: 1,
      divergence: { kind: 'kl', direction: 'forward', reduction: 'batchmean' },
    });
    assert.deepEqual(normalizeMethod({ name: 'mesa' }).decay, 0.999);
  });

  it('keeps the base optimizer class and hyperparameters (momentum)', () => {
    const a = createOptimizer({ name: 'sam', rho: 0.1 }, tf.train.momentum(0.05, 0.9, true));
    const b = fromConfig(JSON.parse(JSON.stringify(a.getConfig())));
    assert.equal(b.base.getClassName(), 'Momentum');
    assert.deepEqual(b.base.getConfig(), a.base.getConfig());
    a.dispose();
    b.dispose();
  });
});
