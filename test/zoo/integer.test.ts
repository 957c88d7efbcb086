/**
 * Integer-input zoo models (Embedding / gather in front): TRAM-x noises the embedding output e = embed(ids),
 * never the ids. With q = f(e + z) and p = f(e) on the same weights:
 *   σ = 0  → q = p exactly, so d = KL(q ‖ p) = 0 (up to float32 rounding);
 *   σ → 0  → d ≈ ½ σ² uᵀ F u for a fixed draw u (z = σ u with the same seed), so d(σ/2) / d(σ) → 1/4.
 * The noise source is asked for the embedding's shape [B, T, D], not the ids' [B, T].
 */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { createOptimizer, gaussianNoise } from '../../kernel/optim';
import type { ModelLike } from '../../kernel/optim';
import { ZOO, ZooRow } from './models';
import { ZOO_BACKENDS, initZooBackends, missingKernels, restoreCpu, switchTo } from './backends';

const SEED = 7;

/** d at the first step of TRAM-x with noise N(0, σ²) (fixed seed), and the shapes the noise was drawn for. */
function firstDivergence(row: ZooRow, sigma: number, plainModel = false): { d: number; shapes: number[][] } {
  const { model, adapter, layers } = row.build(SEED);
  const b = row.batch();
  const shapes: number[][] = [];
  const draw = gaussianNoise(sigma, 11);
  const opt = createOptimizer({ name: 'tram', target: 'x' }, tf.train.sgd(0.1), {
    noise: (shape, step, split) => {
      shapes.push(shape);
      return draw(shape, step, split);
    },
  });
  try {
    const target: ModelLike = plainModel && layers ? layers : adapter;
    const s = opt.begin(target, b);
    const { divergence } = s.divergence();
    s.dispose();
    return { d: divergence as number, shapes };
  } finally {
    opt.dispose();
    model.dispose();
    b.x.dispose();
    b.y.dispose();
  }
}

before(async () => {
  await initZooBackends();
});
after(async () => {
  await restoreCpu();
});

for (const row of ZOO.filter((r) => r.integer)) {
  describe(`zoo integer inputs: ${row.name}`, () => {
    for (const backend of ZOO_BACKENDS) {
      it(`TRAM-x on ${backend}: d = 0 at σ = 0, d ∝ σ² as σ → 0, noise drawn for the embeddings`, async (t) => {
        const why = await switchTo(backend);
        if (why) return t.skip(why);
        assert.deepEqual(missingKernels(row, backend), [], 'initBackend registers the Embedding gradient for wasm');
        const zero = firstDivergence(row, 0);
        assert.ok(Math.abs(zero.d) < 1e-6, `d at σ = 0 is ${zero.d}`);
        const ids = row.batch();
        const idShape = ids.x.shape;
        ids.x.dispose();
        ids.y.dispose();
        for (const shape of zero.shapes) {
          assert.equal(shape.length, idShape.length + 1, `noise drawn for shape [${shape}], the ids are [${idShape}]`);
          assert.deepEqual(shape.slice(0, -1), idShape);
        }
        const sigma = row.probeSigma as number;
        const d1 = firstDivergence(row, sigma).d;
        const dHalf = firstDivergence(row, sigma / 2).d;
        assert.ok(d1 > 0 && dHalf > 0, `d must be positive for σ > 0: ${dHalf}, ${d1}`);
        const ratio = dHalf / d1;
        assert.ok(Math.abs(ratio - 0.25) < 0.05, `d(${sigma / 2}) / d(${sigma}) = ${ratio} (d = ${dHalf}, ${d1}), expected ≈ 1/4`);
      });
      if (row.isLayersModel) {
        // A plain tf.LayersModel with integer inputs is split after its first Embedding layer (#10).
        it(`TRAM-x on ${backend}, the tf.LayersModel passed as is: d = 0 at σ = 0, noise drawn for the embeddings`, async (t) => {
          const why = await switchTo(backend);
          if (why) return t.skip(why);
          assert.deepEqual(missingKernels(row, backend), [], 'initBackend registers the Embedding gradient for wasm');
          const zero = firstDivergence(row, 0, true);
          assert.ok(Math.abs(zero.d) < 1e-6, `d at σ = 0 is ${zero.d}`);
          for (const shape of zero.shapes) assert.equal(shape.length, 3, `noise drawn for shape [${shape}], not for the embeddings`);
        });
      }
    }
  });
}
