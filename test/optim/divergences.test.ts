import { describe, it, before } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { divergence, klDivergence, l2Distance, sparseCrossEntropy, linearCka, OptimConfigError } from '../../kernel/optim';
import { useBackend } from './fixtures';

const close = (a: number, b: number, tol = 1e-6) => assert.ok(Math.abs(a - b) <= tol * (1 + Math.abs(b)), `${a} vs ${b}`);

describe('divergences and loss on sequence logits with a padding mask', () => {
  before(async () => {
    await useBackend('cpu');
  });

  it('masked positions are left out of batchmean KL, L2 and the cross-entropy', () => {
    const t = tf.randomNormal([2, 3, 5], 0, 1, 'float32', 1);
    const c = tf.randomNormal([2, 3, 5], 0, 1, 'float32', 2);
    const y = tf.tensor2d([[0, 1, 2], [3, 4, 0]], [2, 3], 'int32');
    const mask = tf.tensor2d([[1, 1, 0], [1, 0, 0]]);
    // The kept positions: (0,0), (0,1), (1,0).
    const keep = (a: tf.Tensor) => tf.concat([a.slice([0, 0], [1, 2]).reshape([2, -1]), a.slice([1, 0], [1, 1]).reshape([1, -1])]);
    const tk = keep(t);
    const ck = keep(c);
    const yk = keep(y).reshape([3]);
    for (const direction of ['forward', 'reverse', 'symmetric'] as const) {
      close(klDivergence(t, c, direction, 'batchmean', mask).dataSync()[0], klDivergence(tk, ck, direction).dataSync()[0]);
    }
    close(l2Distance(t, c, 'batchmean', mask).dataSync()[0], l2Distance(tk, ck).dataSync()[0]);
    close(sparseCrossEntropy(c, y, mask).dataSync()[0], sparseCrossEntropy(ck, yk).dataSync()[0]);
    // official: masked mean over positions / C / B (B = 2 sequences).
    close(klDivergence(t, c, 'forward', 'official', mask).dataSync()[0], klDivergence(tk, ck).dataSync()[0] / 5 / 2);
    assert.throws(() => divergence({ kind: 'mmd' }, t, c, mask), (e: unknown) => e instanceof OptimConfigError && /mmd divergence takes no padding mask/.test((e as Error).message));
    assert.throws(() => klDivergence(t, c, 'forward', 'batchmean', tf.ones([2, 2])), /mask has shape \[2,2\] but must be \[2,3\]/);
    tf.dispose([t, c, y, mask, tk, ck, yk]);
  });

  it('KL is 0 for identical logits and forward ≠ reverse in general; symmetric is their sum', () => {
    const a = tf.tensor2d([[2, 0, -1], [0.5, 0.1, 3]]);
    const b = tf.tensor2d([[0, 1, 0], [1, -2, 0]]);
    close(klDivergence(a, a).dataSync()[0], 0);
    const f = klDivergence(a, b, 'forward').dataSync()[0];
    const r = klDivergence(a, b, 'reverse').dataSync()[0];
    assert.ok(Math.abs(f - r) > 1e-3);
    close(klDivergence(a, b, 'symmetric').dataSync()[0], f + r);
    tf.dispose([a, b]);
  });

  it('linear CKA is 1 for a representation and an orthogonal transform of it, and rejects mismatched rows', () => {
    const x = tf.randomNormal([20, 4], 0, 1, 'float32', 3) as tf.Tensor2D;
    const q = tf.tensor2d([[0, 1, 0, 0], [1, 0, 0, 0], [0, 0, 0, -1], [0, 0, 1, 0]]);
    const xq = tf.matMul(x, q).mul(3) as tf.Tensor2D;
    close(linearCka(x, xq).dataSync()[0], 1, 1e-5);
    assert.throws(() => linearCka(x, tf.zeros([5, 2]) as tf.Tensor2D), /same number of rows/);
    tf.dispose([x, q, xq]);
  });
});
