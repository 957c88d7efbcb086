/**
 * The optimizer's small building blocks called directly, with values worked out by hand: the loss's label-shape
 * check, the preconditioners' names, defaults and input errors, ε for P = 1, the radius rule's checks, and the
 * reported ‖h‖ of the descent gradient. Written for the mutation-testing survivors listed in docs/testing.md (the
 * optimizer path validates most of these inputs earlier, so only a direct call reaches these checks).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import {
  adaptivePreconditioner,
  checkDivergenceRadius,
  createOptimizer,
  fisherPreconditioner,
  fromFunction,
  gaussianNoise,
  identityPreconditioner,
  OptimConfigError,
  perturbation,
  sparseCrossEntropy,
} from '../../kernel/optim';

const isConfig = (re: RegExp) => (e: unknown) => e instanceof OptimConfigError && re.test((e as Error).message);

test('labels must have the shape of the logits without the class axis: a shorter prefix or another size is refused', () => {
  tf.tidy(() => {
    const logits = tf.zeros([2, 3, 4]);
    assert.throws(() => sparseCrossEntropy(logits, tf.zeros([2], 'int32')), isConfig(/^labels have shape \[2\] but logits \[2,3,4\]: labels must be class indices of shape \[2,3\]/));
    assert.throws(() => sparseCrossEntropy(logits, tf.zeros([2, 4], 'int32')), isConfig(/^labels have shape \[2,4\] but logits \[2,3,4\]/));
    assert.throws(() => sparseCrossEntropy(logits, tf.zeros([3, 3], 'int32')), isConfig(/^labels have shape \[3,3\]/));
    // uniform logits over C = 4 classes: −log(1/4) at every position
    assert.ok(Math.abs(sparseCrossEntropy(logits, tf.zeros([2, 3], 'int32')).dataSync()[0] - Math.log(4)) < 1e-6);
  });
});

test('preconditioners: names, the default scope, and input errors naming the field and the fix', () => {
  const id = identityPreconditioner();
  assert.equal(id.name, 'identity');
  tf.tidy(() => assert.deepEqual(id.diag([tf.ones([2, 2]), tf.ones([2])], []), [null, null]));
  const ad = adaptivePreconditioner(0.01);
  assert.equal(ad.name, 'adaptive');
  assert.equal(ad.scope, 'weights');
  assert.equal(fisherPreconditioner(0.1).name, 'fisher');
  assert.throws(() => adaptivePreconditioner(-1), isConfig(/^eta must be >= 0 \(got -1\): eta is the offset in T = \|θ\| \+ η; pass eta >= 0 \(0\.01 in Kwon et al\.\)$/));
  assert.throws(() => adaptivePreconditioner(0.01, 'kernels' as never), isConfig(/^scope must be one of 'weights', 'all' \(got "kernels"\)/));
  assert.throws(() => fisherPreconditioner(-1), isConfig(/^eta must be >= 0 \(got -1\): eta weighs the Fisher term in f = 1 \+ η g²; pass eta >= 0 \(0\.1 in the paper\)$/));
});

test('perturbation with P = 1 is ε = r·g/‖g‖ (g = (3, 4), r = 0.5: ε = (0.3, 0.4))', () => {
  tf.tidy(() => {
    const [e1, e2] = perturbation([tf.tensor1d([3]), tf.tensor1d([4])], [null, null], 0.5);
    assert.ok(Math.abs(e1.dataSync()[0] - 0.3) < 1e-6 && Math.abs(e2.dataSync()[0] - 0.4) < 1e-6);
  });
});

test('the radius rule: scale and rhoMax errors name the fix, rhoMax null (a JSON config) means no cap', () => {
  assert.throws(() => checkDivergenceRadius({ scale: -1 }), isConfig(/scale multiplies the divergence d to give the radius; pass scale >= 0/));
  assert.throws(() => checkDivergenceRadius({ rhoMax: 0 }), isConfig(/^rhoMax must be > 0 \(got 0\): rhoMax caps the radius; pass rhoMax > 0 or leave it out$/));
  assert.deepEqual(checkDivergenceRadius({ rhoMax: null }), { scale: 1 });
  assert.deepEqual(checkDivergenceRadius({ scale: 2, rhoMax: 0.5 }), { scale: 2, rhoMax: 0.5 });
});

test('the report gives ‖h‖ of the descent gradient: SAM on ½ Σ aᵢwᵢ², h = a ⊙ (w + ρ g/‖g‖), g = a ⊙ w', () => {
  const w0 = [0.7, -1.3, 2.1];
  const a = [1, 3, 0.5];
  const rho = 0.05;
  const w = tf.variable(tf.tensor1d(w0));
  const av = tf.tensor1d(a);
  const model = fromFunction([w], () => w.reshape([1, -1]));
  const loss = (out: tf.Tensor) => tf.tidy(() => tf.mul(0.5, tf.sum(tf.mul(av, tf.square(out)))) as tf.Scalar);
  const opt = createOptimizer({ name: 'sam', rho }, tf.train.sgd(0.1), { loss });
  const b = { x: tf.zeros([1, 1]), y: tf.zeros([1], 'int32') };
  const r = opt.step(model, b);
  const g = w0.map((v, i) => a[i] * v);
  const gn = Math.hypot(...g);
  const h = w0.map((v, i) => a[i] * (v + (rho * g[i]) / gn));
  assert.equal(r.step, 1);
  assert.ok(Math.abs(r.gradNorm - gn) < 1e-5, `‖g‖ = ${r.gradNorm}, want ${gn}`);
  assert.ok(Math.abs(r.descentGradNorm - Math.hypot(...h)) < 1e-5, `‖h‖ = ${r.descentGradNorm}, want ${Math.hypot(...h)}`);
  opt.dispose();
  tf.dispose([w, av, b.x, b.y]);
});

test('seeded noise repeats at every (seed, step, split), also where the derived seed would be 0', () => {
  // (((0·1000003) ^ (205995·7919 + 4929·104729 + 1)) >>> 0) mod (2³¹ − 1) = 0, and tf.randomNormal takes seed 0 for
  // "unseeded" (Math.random): that draw must still repeat.
  for (const [step, split] of [[205995, 4929], [3, 1]]) {
    const a = gaussianNoise(1, 0)([64], step, split);
    const b = gaussianNoise(1, 0)([64], step, split);
    assert.deepEqual(Array.from(a.dataSync()), Array.from(b.dataSync()), `step ${step}, split ${split}`);
    tf.dispose([a, b]);
  }
});
