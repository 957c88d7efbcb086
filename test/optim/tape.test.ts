/**
 * gradsOf (kernel/optim/tape.ts) after a forward function that throws: at the top level the tensors tfjs saved for
 * the backward pass are freed; inside an outer gradient scope (a step called from the user's own tf.grad, say) the
 * shared tape is left alone, so the outer gradient is still right. Values by hand: d/dw Σ w² = 2w.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { gradsOf } from '../../kernel/optim/tape';

type TapeState = { gradientDepth: number; activeTape: { saved?: tf.Tensor[] }[] | null };
const engineState = () => (tf.engine() as unknown as { state: TapeState }).state;

test('a throwing forward at the top level: its saved tensors are freed and the tape is dropped', () => {
  const w = tf.variable(tf.tensor1d([1, 2, 3]));
  const before = tf.memory().numTensors;
  let saved: (tf.Tensor[] | undefined)[] = [];
  assert.throws(() => gradsOf([w], () => {
    const loss = tf.sum(tf.mul(tf.add(w, w), w)) as tf.Scalar;
    saved = (engineState().activeTape ?? []).map((n) => n.saved);
    throw new Error('forward failed');
  }), /forward failed/);
  // tfjs 4.22 gives every tape node a `saved` array (empty for op scopes): the guard's `saved?.` is a safeguard only.
  assert.ok(saved.length > 0 && saved.every((s) => Array.isArray(s)), 'every tape node has a saved array');
  assert.ok(saved.some((s) => (s ?? []).length > 0), 'some node saved tensors');
  assert.equal(engineState().activeTape, null);
  assert.equal(tf.memory().numTensors, before, 'nothing the failed forward saved is left');
  w.dispose();
});

test('a throwing forward inside an outer gradient scope leaves the outer tape alone: the outer gradient is 2w', () => {
  const w = tf.variable(tf.tensor1d([1, 2, 3]));
  const before = tf.memory().numTensors;
  let innerFailed = false;
  const { value, grads } = tf.variableGrads(() => {
    const loss = tf.sum(tf.square(w)) as tf.Scalar;
    try {
      gradsOf([w], () => {
        tf.sum(tf.mul(w, w));
        throw new Error('inner forward failed');
      });
    } catch {
      innerFailed = true;
    }
    return loss;
  }, [w]);
  assert.ok(innerFailed);
  assert.equal(value.dataSync()[0], 14);
  assert.deepEqual(Array.from(grads[w.name].dataSync()), [2, 4, 6]);
  tf.dispose([value, grads[w.name]]);
  assert.equal(engineState().gradientDepth, 0);
  assert.equal(tf.memory().numTensors, before, 'the outer backward pass freed what both scopes saved');
  w.dispose();
});
