/**
 * Gradient accumulation and batch splitting with count weights:
 * - step(model, [b1, b2]) equals one step on the concatenated batch (mean losses; no BatchNorm), for SAM, ASAM,
 *   TRAM θ targets (KL and MMD, measured on the concatenated logits) and masked sequence losses;
 * - batchSplits with a remainder (10 = 4 + 3 + 3) and masked sequence losses weighted by token count give the
 *   unsplit loss and descent when there is no ascent.
 */
import { describe, it, before } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { Batch, MethodConfig, createOptimizer, fromFunction, OptimConfigError } from '../../kernel/optim';
import { batch, disposeBatch, mlp, useBackend, weightsOf, maxAbsDiff } from './fixtures';

function slice(b: Batch, start: number, size: number): Batch {
  return {
    x: b.x.slice(start, size),
    y: b.y.slice(start, size),
    mask: b.mask ? b.mask.slice(start, size) : undefined,
  };
}

/** A sequence model: logits [B, T, C] = x [B, T, D] · W, and a batch whose rows have 1…T counted tokens. */
function sequenceSetup(seed = 1) {
  const B = 6, T = 4, D = 3, C = 5;
  const W = tf.variable(tf.randomNormal([D, C], 0, 1, 'float32', seed));
  const model = fromFunction([W], (x) => tf.tidy(() => tf.matMul(x.reshape([-1, D]), W).reshape([x.shape[0], T, C])));
  const tokens = [1, 4, 2, 4, 1, 3];
  const b: Batch = {
    x: tf.randomNormal([B, T, D], 0, 1, 'float32', seed + 1),
    y: tf.tensor2d(Array.from({ length: B * T }, (_, i) => (i * 3 + 1) % C), [B, T], 'int32'),
    mask: tf.tensor2d(tokens.flatMap((n) => Array.from({ length: T }, (_, t) => (t < n ? 1 : 0))), [B, T]),
  };
  return { W, model, b };
}

describe('gradient accumulation and batch splits', () => {
  before(async () => {
    assert.ok(await useBackend('cpu'));
  });

  const methods: MethodConfig[] = [
    { name: 'sam', rho: 0.05 },
    { name: 'asam', rho: 0.5 },
    { name: 'tram', target: 'theta-prev' },
    { name: 'tram', target: 'ema', decay: 0.5, scale: 3, divergence: { kind: 'mmd', kernel: 'rbf' } },
  ];
  for (const method of methods) {
    it(`step(model, [3 + 5 examples]) = one step on the 8 concatenated: ${JSON.stringify(method)}`, () => {
      const full = batch(8);
      const parts = [slice(full, 0, 3), slice(full, 3, 5)];
      const a = mlp({ seed: 61 });
      const c = mlp({ seed: 61 });
      const oa = createOptimizer(method, tf.train.adam(0.05));
      const oc = createOptimizer(method, tf.train.adam(0.05));
      oa.step(a, parts);
      oc.step(c, full);
      const n0 = tf.memory().numTensors;
      for (let i = 0; i < 3; i++) {
        const ra = oa.step(a, parts);
        const rc = oc.step(c, full);
        assert.equal(tf.memory().numTensors, n0);
        for (const k of ['loss', 'gradNorm', 'divergence', 'radius', 'perturbationNorm', 'perturbedLoss'] as const) {
          if (rc[k] === undefined) continue;
          assert.ok(Math.abs((ra[k] as number) - (rc[k] as number)) <= 1e-5 * Math.max(1, Math.abs(rc[k] as number)), `${k}: ${ra[k]} vs ${rc[k]}`);
        }
      }
      assert.ok(maxAbsDiff(weightsOf(a), weightsOf(c)) < 1e-5, `weights differ by ${maxAbsDiff(weightsOf(a), weightsOf(c))}`);
      [oa, oc].forEach((o) => o.dispose());
      [a, c].forEach((m) => m.dispose());
      parts.forEach(disposeBatch);
      disposeBatch(full);
    });
  }

  it('accumulated masked sequence batches (token counts 1+4 | 2+4+1+3) = the concatenated step (SAM)', () => {
    const s1 = sequenceSetup(3);
    const s2 = sequenceSetup(3);
    const parts = [slice(s1.b, 0, 2), slice(s1.b, 2, 4)];
    const oa = createOptimizer({ name: 'sam', rho: 0.1 }, tf.train.sgd(0.5));
    const oc = createOptimizer({ name: 'sam', rho: 0.1 }, tf.train.sgd(0.5));
    for (let i = 0; i < 3; i++) {
      const ra = oa.step(s1.model, parts);
      const rc = oc.step(s2.model, s2.b);
      assert.ok(Math.abs(ra.loss - rc.loss) < 1e-6, `loss ${ra.loss} vs ${rc.loss}`);
    }
    assert.ok(maxAbsDiff([Array.from(s1.W.dataSync())], [Array.from(s2.W.dataSync())]) < 1e-6);
    parts.forEach(disposeBatch);
    [s1, s2].forEach((s) => (disposeBatch(s.b), s.W.dispose()));
  });

  it('batchSplits = 3 on 10 examples (4 + 3 + 3) without ascent = the unsplit step', () => {
    const b = batch(10);
    const a = mlp({ seed: 62 });
    const c = mlp({ seed: 62 });
    const oa = createOptimizer({ name: 'sgd' }, tf.train.sgd(0.5), { batchSplits: 3 });
    const oc = createOptimizer({ name: 'sgd' }, tf.train.sgd(0.5));
    const ra = oa.step(a, b);
    const rc = oc.step(c, b);
    assert.ok(Math.abs(ra.loss - rc.loss) < 1e-6);
    assert.ok(maxAbsDiff(weightsOf(a), weightsOf(c)) < 1e-6);
    // With an ascent every micro-batch (of 4, 3, 3) gets its own ε and the step runs.
    const sam = createOptimizer({ name: 'sam' }, tf.train.sgd(0.5), { batchSplits: 3 });
    assert.ok(Number.isFinite(sam.step(a, b).loss));
    [oa, oc, sam].forEach((o) => o.dispose());
    [a, c].forEach((m) => m.dispose());
    disposeBatch(b);
  });

  it('batchSplits = 2 on a masked sequence batch weights the splits by token count (loss and step = unsplit)', () => {
    const s1 = sequenceSetup(5);
    const s2 = sequenceSetup(5);
    // Splits of rows 0–2 (1+4+2 = 7 tokens) and 3–5 (4+1+3 = 8 tokens): plain averaging would be wrong.
    const oa = createOptimizer({ name: 'sam', rho: 0 }, tf.train.sgd(0.5), { batchSplits: 2 });
    const oc = createOptimizer({ name: 'sgd' }, tf.train.sgd(0.5));
    const ra = oa.step(s1.model, s1.b);
    const rc = oc.step(s2.model, s2.b);
    assert.ok(Math.abs(ra.loss - rc.loss) < 1e-6, `loss ${ra.loss} vs unsplit ${rc.loss}`);
    assert.ok(maxAbsDiff([Array.from(s1.W.dataSync())], [Array.from(s2.W.dataSync())]) < 1e-6);
    [oa, oc].forEach((o) => o.dispose());
    [s1, s2].forEach((s) => (disposeBatch(s.b), s.W.dispose()));
  });

  it('accumulation with batchSplits > 1, or an empty list, is refused before any work', () => {
    const b = batch(8);
    const model = mlp({ seed: 63 });
    const w0 = weightsOf(model);
    const o = createOptimizer({ name: 'sam' }, tf.train.sgd(0.5), { batchSplits: 2 });
    assert.throws(() => o.step(model, [b, b]), (e: Error) => e instanceof OptimConfigError && /do not combine/.test(e.message));
    assert.throws(() => o.step(model, []), /at least one batch/);
    assert.deepEqual(weightsOf(model), w0);
    o.dispose();
    model.dispose();
    disposeBatch(b);
  });
});

describe('gradient accumulation stage by stage', () => {
  before(async () => {
    assert.ok(await useBackend('cpu'));
  });

  it('begin(model, [b1, b2]) … descend() = step(model, [b1, b2]), and numTensors stays flat', () => {
    const full = batch(8);
    const parts = [slice(full, 0, 5), slice(full, 5, 3)];
    const method = { name: 'tram', target: 'x', noise: { kind: 'gaussian', sigma: 0.2, seed: 1 } } as const;
    const a = mlp({ seed: 64 });
    const c = mlp({ seed: 64 });
    const oa = createOptimizer(method, tf.train.adam(0.05));
    const oc = createOptimizer(method, tf.train.adam(0.05));
    oa.step(a, parts);
    oc.step(c, parts);
    const n0 = tf.memory().numTensors;
    const whole = oa.step(a, parts);
    const s = oc.begin(c, parts);
    s.firstGradient();
    assert.deepEqual(s.logits?.shape, [8, 3]);
    const { divergence } = s.divergence();
    const r = s.descend();
    assert.equal(tf.memory().numTensors, n0);
    assert.equal(divergence, whole.divergence);
    assert.equal(r.loss, whole.loss);
    assert.deepEqual(weightsOf(a), weightsOf(c));
    [oa, oc].forEach((o) => o.dispose());
    [a, c].forEach((m) => m.dispose());
    parts.forEach(disposeBatch);
    disposeBatch(full);
  });
});
