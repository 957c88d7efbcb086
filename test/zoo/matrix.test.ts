/**
 * Model-zoo matrix: every zoo model (models.ts) × every method (methods.ts) × every backend.
 * Per cell: a few steps on a fixed batch lower the clean loss L(θ) = CE(f(x; θ), y) (inference mode), and
 * `tf.memory().numTensors` is the same after every step once the first has created the persistent state.
 * Per model × method: the gradient handed to the base optimizer (h = ∇L(θ + ε), or g without ascent) computed
 * on wasm (and native) from the same weights and batch matches cpu's within a relative tolerance.
 * A backend that is not there is a visible skip with its reason. The training kernels wasm 4.22 lacks
 * (each row's `wasmNeeds`) must be registered by initBackend (kernel/backend/kernels).
 */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { createOptimizer, sparseCrossEntropy } from '../../kernel/optim';
import type { Batch } from '../../kernel/optim';
import { ZOO, ZooRow } from './models';
import { METHODS, ZooMethod } from './methods';
import { ZOO_BACKENDS, initZooBackends, missingKernels, restoreCpu, switchTo } from './backends';

const STEPS = 4;
const SEED = 7;
/** ‖h_backend − h_cpu‖ / ‖h_cpu‖ over all variables together. */
const GRAD_RTOL = 2e-3;

function cleanLoss(row: ZooRow, adapter: ReturnType<ZooRow['build']>['adapter'], b: Batch): number {
  return tf.tidy(() => sparseCrossEntropy(adapter.forward(b.x, false), b.y).dataSync()[0]);
}

function disposeBatch(b: Batch): void {
  b.x.dispose();
  b.y.dispose();
}

/** The gradient the base optimizer would get on the first step, as plain arrays. */
function firstDescentGradient(row: ZooRow, m: ZooMethod): Float32Array[] {
  const { model, adapter } = row.build(SEED);
  const b = row.batch();
  const opt = createOptimizer(m.method, m.base());
  try {
    const s = opt.begin(adapter, b);
    s.perturbedGradient();
    const h = (s.perturbedGrad ?? s.gradient) as tf.Tensor[];
    const out = h.map((t) => t.dataSync() as Float32Array).map((a) => Float32Array.from(a));
    s.dispose();
    return out;
  } finally {
    opt.dispose();
    model.dispose();
    disposeBatch(b);
  }
}

function relativeError(got: Float32Array[], want: Float32Array[]): number {
  let num = 0;
  let den = 0;
  want.forEach((w, i) => w.forEach((v, j) => {
    num += (got[i][j] - v) ** 2;
    den += v * v;
  }));
  return Math.sqrt(num) / (Math.sqrt(den) + 1e-12);
}

before(async () => {
  await initZooBackends();
});
after(async () => {
  await restoreCpu();
});

for (const row of ZOO) {
  describe(`zoo: ${row.name}`, () => {
    for (const m of METHODS) {
      for (const backend of ZOO_BACKENDS) {
        it(`${m.label} on ${backend}: loss falls over ${STEPS} steps, numTensors flat`, async (t) => {
          const why = await switchTo(backend);
          if (why) return t.skip(why);
          assert.deepEqual(missingKernels(row, backend), [], `initBackend registers the wasm training kernels (kernel/backend/kernels)`);
          const { model, adapter } = row.build(SEED);
          const b = row.batch();
          const opt = createOptimizer(m.method, m.base());
          try {
            const before = cleanLoss(row, adapter, b);
            opt.step(adapter, b);
            const n0 = tf.memory().numTensors;
            for (let i = 1; i < STEPS; i++) {
              const r = opt.step(adapter, b);
              assert.ok(Number.isFinite(r.loss), `step ${i + 1} loss ${r.loss}`);
              assert.equal(tf.memory().numTensors, n0, `step ${i + 1} changed numTensors`);
            }
            const afterLoss = cleanLoss(row, adapter, b);
            assert.ok(afterLoss < before, `clean loss ${before} → ${afterLoss} did not fall`);
          } finally {
            opt.dispose();
            model.dispose();
            disposeBatch(b);
          }
        });
      }
      for (const backend of ZOO_BACKENDS.filter((x) => x !== 'cpu')) {
        it(`${m.label}: first-step gradient on ${backend} matches cpu (rtol ${GRAD_RTOL})`, async (t) => {
          const why = await switchTo(backend);
          if (why) return t.skip(why);
          assert.deepEqual(missingKernels(row, backend), [], `initBackend registers the wasm training kernels (kernel/backend/kernels)`);
          const got = firstDescentGradient(row, m);
          await switchTo('cpu');
          const want = firstDescentGradient(row, m);
          const err = relativeError(got, want);
          assert.ok(err < GRAD_RTOL, `relative gradient difference ${backend} vs cpu: ${err}`);
        });
      }
    }
  });
}
