/**
 * Saving and restoring the complete optimizer state: k steps + saveState (through JSON) + fromConfig + loadState
 * + (n − k) steps on a model restored from the saved weights equals n uninterrupted steps, for adam and
 * sgd-momentum bases and every TRAM target (plus SAM and MESA), on a BatchNorm model.
 */
import { describe, it, before } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { MethodConfig, OptimConfigError, OptimizerState, createOptimizer, fromConfig } from '../../kernel/optim';
import { batch, disposeBatch, mlp, useBackend, weightsOf, maxAbsDiff } from './fixtures';

const METHODS: MethodConfig[] = [
  { name: 'tram', target: 'x', noise: { kind: 'gaussian', sigma: 0.2, seed: 4 } },
  { name: 'tram', target: 'theta0' },
  { name: 'tram', target: 'theta-prev' },
  { name: 'tram', target: 'ema', decay: 0.7 },
  { name: 'tram-fisher', noise: { kind: 'uniform', sigma: 0.1, seed: 2 } },
  { name: 'sam', rho: { kind: 'linear', start: 0.1, end: 0.01, steps: 4 } },
  { name: 'mesa', decay: 0.5 },
  { name: 'mesa', decay: 0.5, temperature: 2, start: 4 }, // the term switches on after the resume
];
const BASES: [string, () => tf.Optimizer][] = [
  ['adam', () => tf.train.adam(0.02)],
  ['sgd-momentum', () => tf.train.momentum(0.1, 0.9)],
];

describe('saveState / loadState', () => {
  before(async () => {
    assert.ok(await useBackend('cpu'));
  });

  for (const [baseName, makeBase] of BASES) {
    for (const method of METHODS) {
      it(`3 steps + save + load + 3 steps = 6 steps: ${baseName}, ${JSON.stringify(method)}`, async () => {
        const bs = [batch(8, 4, 3, 2), batch(8, 4, 3, 3)];
        const ref = mlp({ seed: 81, batchNorm: true });
        const oRef = createOptimizer(method, makeBase());
        const refReports = [];
        for (let t = 0; t < 6; t++) refReports.push(oRef.step(ref, bs[t % 2]));

        const first = mlp({ seed: 81, batchNorm: true });
        const o1 = createOptimizer(method, makeBase());
        for (let t = 0; t < 3; t++) o1.step(first, bs[t % 2]);
        const config = JSON.parse(JSON.stringify(o1.getConfig()));
        const state = JSON.parse(JSON.stringify(await o1.saveState())) as OptimizerState;
        const savedWeights = first.getWeights().map((w) => w.clone());
        o1.dispose();
        first.dispose();

        const resumed = mlp({ seed: 99, batchNorm: true }); // another init: everything comes from the saved state
        resumed.setWeights(savedWeights);
        const o2 = fromConfig(config);
        await o2.loadState(state);
        assert.equal(o2.iterations, 3);
        for (let t = 3; t < 6; t++) {
          const r = o2.step(resumed, bs[t % 2]);
          assert.equal(r.step, t + 1);
          for (const k of ['loss', 'divergence', 'radius'] as const) {
            if (refReports[t][k] === undefined) continue;
            assert.ok(Math.abs((r[k] as number) - (refReports[t][k] as number)) <= 1e-5 * Math.max(1, Math.abs(refReports[t][k] as number)), `step ${t + 1} ${k}: ${r[k]} vs ${refReports[t][k]}`);
          }
        }
        const diff = maxAbsDiff(weightsOf(resumed), weightsOf(ref));
        assert.ok(diff < 1e-5, `weights after 6 steps differ by ${diff}`);
        // A resumed optimizer keeps numTensors flat too.
        const n0 = tf.memory().numTensors;
        o2.step(resumed, bs[0]);
        assert.equal(tf.memory().numTensors, n0);
        [oRef, o2].forEach((o) => o.dispose());
        [ref, resumed].forEach((m) => m.dispose());
        savedWeights.forEach((w) => w.dispose());
        bs.forEach(disposeBatch);
      });
    }
  }

  it('a state is refused by another method or base, with the fix named', async () => {
    const model = mlp({ seed: 82 });
    const b = batch(8);
    const o = createOptimizer({ name: 'tram', target: 'theta0' }, tf.train.adam(0.01));
    o.step(model, b);
    const s = await o.saveState();
    const other = createOptimizer({ name: 'sam' }, tf.train.adam(0.01));
    await assert.rejects(other.loadState(s), (e: Error) => e instanceof OptimConfigError && /saved by a 'tram' optimizer/.test(e.message) && /fromConfig/.test(e.message));
    const sgd = createOptimizer({ name: 'tram', target: 'theta0' }, tf.train.sgd(0.01));
    await assert.rejects(sgd.loadState(s), /base optimizer is Adam but this one is SGD/);
    await assert.rejects(sgd.loadState({} as OptimizerState), /saveState\(\)/);
    [o, other, sgd].forEach((x) => x.dispose());
    model.dispose();
    disposeBatch(b);
  });
});
