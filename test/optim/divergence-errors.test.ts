/**
 * Bad divergence input gets the library's own error naming the field and the fix (not a tfjs shape error or a
 * TypeError). Written for the mutation-testing survivors of kernel/optim/divergences.ts listed in docs/testing.md.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { divergence, klDivergence, l2Distance, normalizeDivergence, OptimConfigError } from '../../kernel/optim';

const isConfig = (re: RegExp) => (e: unknown) => e instanceof OptimConfigError && re.test((e as Error).message);

test('a divergence spec that is not an object is refused with an example', () => {
  for (const bad of [null, undefined, 'kl', 3]) {
    assert.throws(() => normalizeDivergence(bad), isConfig(/divergence must be an object like \{kind: 'kl'/));
  }
});

test('bad reduction, direction and kernel name the field', () => {
  assert.throws(() => normalizeDivergence({ kind: 'kl', reduction: 'sum' }), isConfig(/divergence\.reduction/));
  assert.throws(() => normalizeDivergence({ kind: 'kl', direction: 'both' }), isConfig(/divergence\.direction/));
  assert.throws(() => normalizeDivergence({ kind: 'mmd', kernel: 'gauss' }), isConfig(/divergence\.kernel/));
});

test('only mmd specs carry a kernel', () => {
  assert.deepEqual(normalizeDivergence({ kind: 'l2' }), { kind: 'l2', reduction: 'batchmean' });
  assert.deepEqual(normalizeDivergence({ kind: 'mmd' }), { kind: 'mmd', kernel: 'imq2', reduction: 'batchmean' });
});

test('logits of different shapes or ranks, and a mask of the wrong shape, are refused before any op', () => {
  tf.tidy(() => {
    const a = tf.zeros([2, 3]);
    assert.throws(() => klDivergence(a, tf.zeros([2, 4])), isConfig(/same shape \[B, C\] or \[B, T, C\] \(got \[2,3\] and \[2,4\]\)/));
    assert.throws(() => l2Distance(a, tf.zeros([2, 3, 1])), isConfig(/same shape/));
    assert.throws(() => klDivergence(tf.zeros([3]), tf.zeros([3])), isConfig(/same shape/));
    assert.throws(() => klDivergence(a, a, 'forward', 'batchmean', tf.ones([3])), isConfig(/mask has shape \[3\] but must be \[2\]/));
    assert.throws(() => divergence({ kind: 'l2' }, a, a, tf.ones([2, 1])), isConfig(/mask has shape \[2,1\] but must be \[2\]/));
    // A mask of lower rank whose shape is a prefix of [B, T] (here [B]) is refused too, not broadcast.
    const s = tf.zeros([2, 3, 4]);
    assert.throws(() => klDivergence(s, s, 'forward', 'batchmean', tf.ones([2])), isConfig(/mask has shape \[2\] but must be \[2,3\]/));
  });
});
