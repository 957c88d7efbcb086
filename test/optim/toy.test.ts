/**
 * The two-minima toy of optax's SAM example: L(x, y) = −exp(−(x−2)² − y²) − exp(−(x² + 100y²)) has a minimum at
 * (0, 0), sharp in y, and a flat one at (2, 0). From (−0.4, −0.4) with SGD(0.01) for 4000 steps, plain SGD ends in the sharp
 * minimum; SAM (ρ = 0.1) and ASAM (ρ = 0.1, T = |w| + 1 on every tensor) end in the flat one.
 */
import { describe, it, before } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { createOptimizer, fromFunction, MethodConfig } from '../../kernel/optim';
import { useBackend } from './fixtures';

function twoMinima(w: tf.Tensor): tf.Tensor {
  const x = w.slice([0], [1]);
  const y = w.slice([1], [1]);
  const flat = tf.exp(tf.neg(tf.add(tf.square(tf.sub(x, 2)), tf.square(y))));
  const sharp = tf.exp(tf.neg(tf.add(tf.square(x), tf.mul(100, tf.square(y)))));
  return tf.neg(tf.add(flat, sharp));
}

function train(method: MethodConfig, steps: number): number[] {
  const w = tf.variable(tf.tensor1d([-0.4, -0.4]));
  const model = fromFunction([w], () => twoMinima(w));
  const opt = createOptimizer(method, tf.train.sgd(0.01), { loss: (out) => tf.sum(out) as tf.Scalar });
  const b = { x: tf.zeros([1, 1]), y: tf.zeros([1], 'int32') };
  for (let i = 0; i < steps; i++) opt.step(model, b);
  const end = Array.from(w.dataSync());
  opt.dispose();
  w.dispose();
  b.x.dispose();
  b.y.dispose();
  return end;
}

const dist = (p: number[], q: number[]) => Math.hypot(p[0] - q[0], p[1] - q[1]);

describe('two-minima toy (sharp at (0,0), flat at (2,0))', () => {
  before(async () => {
    await useBackend('cpu');
  });

  it('plain SGD ends in the sharp minimum', () => {
    const end = train({ name: 'sgd' }, 4000);
    assert.ok(dist(end, [0, 0]) < 0.2, `SGD ended at ${end}`);
  });

  it('SAM ends in the flat minimum', () => {
    const end = train({ name: 'sam', rho: 0.1 }, 4000);
    assert.ok(dist(end, [2, 0]) < 0.2, `SAM ended at ${end}`);
  });

  it('ASAM ends in the flat minimum', () => {
    const end = train({ name: 'asam', rho: 0.1, eta: 1, scope: 'all' }, 4000);
    assert.ok(dist(end, [2, 0]) < 0.2, `ASAM ended at ${end}`);
  });
});
