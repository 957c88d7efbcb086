/**
 * FlatAdam / FlatMomentum (kernel/optim/flat.ts, #13) against tfjs' own tf.train.adam / tf.train.momentum over
 * many steps of a real loss, against Adam computed by hand in float64, through getWeights/setWeights (both ways
 * between the flat and tfjs optimizers), as the base of a SAM optimizer, and with numTensors flat. The kernel count
 * of one update is asserted (tf.profile: exact, not timed).
 */
import { describe, it, before } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { createOptimizer, FlatAdam, FlatMomentum, OptimConfigError } from '../../kernel/optim';
import { batch, disposeBatch, maxAbsDiff, mlp, useBackend, weightsOf } from './fixtures';

/** Variables of several shapes (matrix, vector, scalar, rank 3) and a smooth loss of all of them. */
function problem(seed: number): { vars: tf.Variable[]; loss: () => tf.Scalar; dispose(): void } {
  const shapes = [[5, 4], [4], [], [2, 3, 2], [4, 3], [3]];
  const vars = shapes.map((s, i) => tf.variable(tf.randomNormal(s, 0, 0.5, 'float32', seed + i)));
  const x = tf.randomNormal([8, 5], 0, 1, 'float32', seed + 100);
  const loss = () => tf.tidy(() => {
    const h = tf.tanh(tf.add(tf.matMul(x, vars[0]), vars[1]));
    const o = tf.add(tf.matMul(h, vars[4]), vars[5]);
    return tf.addN([tf.mean(tf.square(tf.sub(o, 0.3))), tf.mul(tf.square(vars[2]), 0.1), tf.mean(tf.cos(vars[3]))]) as tf.Scalar;
  });
  return { vars, loss, dispose: () => tf.dispose([...vars, x]) };
}

/** `steps` steps of `opt` on a fresh copy of the problem; returns the final values (and disposes everything). */
function run(opt: tf.Optimizer, steps: number, seed = 1): Float32Array[] {
  const p = problem(seed);
  for (let i = 0; i < steps; i++) opt.minimize(p.loss, false, p.vars);
  const out = p.vars.map((v) => v.dataSync().slice() as Float32Array);
  p.dispose();
  return out;
}

function maxRel(a: ArrayLike<number>[], b: ArrayLike<number>[]): number {
  let m = 0;
  a.forEach((x, i) => Array.from(x).forEach((v, j) => { m = Math.max(m, Math.abs(v - b[i][j]) / Math.max(1e-3, Math.abs(b[i][j]))); }));
  return m;
}

describe('flat-buffer base optimizers', () => {
  before(async () => {
    assert.ok(await useBackend('cpu'));
  });

  it('FlatAdam equals tf.train.adam over 300 steps (several shapes, a real loss)', () => {
    const flat = new FlatAdam({ learningRate: 0.01, beta1: 0.9, beta2: 0.99 });
    const ref = tf.train.adam(0.01, 0.9, 0.99);
    const a = run(flat, 300);
    const b = run(ref, 300);
    assert.ok(maxRel(a, b) < 1e-5, `max relative difference ${maxRel(a, b)}`);
    assert.ok(maxRel(b, run(tf.train.adam(0.01, 0.9, 0.99), 0)) > 1e-2, 'the weights really moved');
    flat.dispose();
    ref.dispose();
  });

  it('FlatMomentum equals tf.train.momentum over 300 steps, plain and Nesterov', () => {
    for (const useNesterov of [false, true]) {
      const flat = new FlatMomentum({ learningRate: 0.02, momentum: 0.9, useNesterov });
      const ref = tf.train.momentum(0.02, 0.9, useNesterov);
      const a = run(flat, 300);
      const b = run(ref, 300);
      assert.ok(maxRel(a, b) < 1e-5, `nesterov ${useNesterov}: max relative difference ${maxRel(a, b)}`);
      flat.dispose();
      ref.dispose();
    }
  });

  it('FlatAdam matches Adam computed by hand in float64 (3 steps, fixed gradients)', () => {
    const theta0 = [0.5, -1, 2];
    const grads = [[0.1, -0.2, 0.3], [0.05, 0.1, -0.4], [-0.3, 0.2, 0.1]];
    const [lr, b1, b2, eps] = [0.1, 0.9, 0.999, 1e-7];
    const m = [0, 0, 0];
    const v = [0, 0, 0];
    const want = theta0.slice();
    grads.forEach((g, t) => {
      for (let i = 0; i < 3; i++) {
        m[i] = b1 * m[i] + (1 - b1) * g[i];
        v[i] = b2 * v[i] + (1 - b2) * g[i] * g[i];
        want[i] -= lr * (m[i] / (1 - b1 ** (t + 1))) / (Math.sqrt(v[i] / (1 - b2 ** (t + 1))) + eps);
      }
    });
    const w = tf.variable(tf.tensor1d(theta0));
    const opt = new FlatAdam({ learningRate: lr, beta1: b1, beta2: b2, epsilon: eps });
    for (const g of grads) {
      const gt = tf.tensor1d(g);
      opt.applyGradients([{ name: w.name, tensor: gt }]);
      gt.dispose();
    }
    // float32 tolerance: 1 − β₂ itself rounds by 1.3e-5 relative in float32 (0.999 is not representable), which
    // reaches the step through √v̂; the steps here are ~0.1, so 1e-5 absolute
    Array.from(w.dataSync()).forEach((x, i) => assert.ok(Math.abs(x - want[i]) < 1e-5, `θ[${i}] = ${x}, float64 ${want[i]}`));
    assert.ok(Math.abs(w.dataSync()[0] - theta0[0]) > 0.1, 'θ moved');
    opt.dispose();
    w.dispose();
  });

  it('slots saved and restored: 120 steps, getWeights → a new optimizer setWeights → 180 steps ≡ 300 steps; tfjs slots load both ways', async () => {
    const ref = run(tf.train.adam(0.01), 300);
    for (const [first, second] of [['flat', 'flat'], ['tfjs', 'flat'], ['flat', 'tfjs']] as const) {
      const make = (k: string) => (k === 'flat' ? new FlatAdam({ learningRate: 0.01 }) : tf.train.adam(0.01));
      const p = problem(1);
      const a = make(first);
      for (let i = 0; i < 120; i++) a.minimize(p.loss, false, p.vars);
      const saved = await a.getWeights();
      assert.deepEqual(saved.map((w) => w.name), ['iter', ...p.vars.map((v) => `${v.name}/m`), ...p.vars.map((v) => `${v.name}/v`)]);
      assert.equal(saved[0].tensor.dataSync()[0], 120);
      const b = make(second);
      await b.setWeights(saved);
      if (first === 'flat') saved.forEach((w) => w.tensor.dispose());
      a.dispose();
      for (let i = 0; i < 180; i++) b.minimize(p.loss, false, p.vars);
      const got = p.vars.map((v) => v.dataSync().slice() as Float32Array);
      // restoring sets β^t = β^(iter+1) with pow (as tfjs does) instead of the running product: float rounding only
      assert.ok(maxRel(got, ref) < 1e-4, `${first} → ${second}: max relative difference ${maxRel(got, ref)}`);
      b.dispose();
      p.dispose();
    }
    const p = problem(1);
    const a = new FlatMomentum({ learningRate: 0.02, momentum: 0.9 });
    for (let i = 0; i < 50; i++) a.minimize(p.loss, false, p.vars);
    const saved = await a.getWeights();
    const b = tf.train.momentum(0.02, 0.9);
    await b.setWeights(saved);
    const c = tf.train.momentum(0.02, 0.9);
    const q = problem(1);
    for (let i = 0; i < 50; i++) c.minimize(q.loss, false, q.vars);
    const theirs = await c.getWeights();
    assert.deepEqual(saved.map((w) => w.name), theirs.map((w) => w.name).map((n, i) => (i === 0 ? n : n.replace(q.vars[(i - 1) % q.vars.length].name, p.vars[(i - 1) % p.vars.length].name))));
    for (let i = 1; i < saved.length; i++) assert.ok(maxAbsDiff([Array.from(saved[i].tensor.dataSync())], [Array.from(theirs[i].tensor.dataSync())]) < 1e-5, `momentum slot ${saved[i].name}`);
    saved.forEach((w) => w.tensor.dispose());
    [a, b, c].forEach((o) => o.dispose());
    p.dispose();
    q.dispose();
  });

  it('numTensors is unchanged by every step after the first (which creates the slots), over 200 steps', () => {
    for (const opt of [new FlatAdam({ learningRate: 0.01 }), new FlatMomentum({ learningRate: 0.01, momentum: 0.9, useNesterov: true })]) {
      const p = problem(3);
      opt.minimize(p.loss, false, p.vars);
      const n = tf.memory().numTensors;
      for (let i = 0; i < 200; i++) {
        opt.minimize(p.loss, false, p.vars);
        assert.equal(tf.memory().numTensors, n, `${opt.getClassName()} step ${i + 2}`);
      }
      opt.dispose();
      p.dispose();
    }
  });

  it('one update runs far fewer kernels than tfjs\' own (tf.profile, 12 variables)', async () => {
    const count = async (opt: tf.Optimizer) => {
      const vars = Array.from({ length: 12 }, (_, i) => tf.variable(tf.fill([3, 4], i + 1)));
      const grads = vars.map((v) => ({ name: v.name, tensor: tf.onesLike(v) }));
      opt.applyGradients(grads); // slots created
      const prof = await tf.profile(() => opt.applyGradients(grads));
      tf.dispose([...vars, ...grads.map((g) => g.tensor)]);
      opt.dispose();
      return prof.kernels.length;
    };
    const flatAdam = await count(new FlatAdam({ learningRate: 0.01 }));
    const tfAdam = await count(tf.train.adam(0.01));
    const flatMom = await count(new FlatMomentum({ learningRate: 0.01, momentum: 0.9 }));
    const tfMom = await count(tf.train.momentum(0.01, 0.9));
    // flat Adam: 12 reshapes + concat + 13 flat kernels + split + 12 × (reshape, add) ≈ 3n + 15; tfjs: ~12 per variable
    assert.ok(flatAdam <= 3 * 12 + 20, `FlatAdam ran ${flatAdam} kernels`);
    assert.ok(flatAdam < tfAdam / 2, `FlatAdam ${flatAdam} vs tf.train.adam ${tfAdam} kernels`);
    assert.ok(flatMom < tfMom, `FlatMomentum ${flatMom} vs tf.train.momentum ${tfMom} kernels`);
  });

  it('as the base optimizer of SAM it gives the weights tf.train.adam gives (20 steps)', () => {
    const results = [() => new FlatAdam({ learningRate: 0.01 }), () => tf.train.adam(0.01)].map((make) => {
      const model = mlp({ seed: 4 });
      const b = batch(16, 4, 3, 5);
      const opt = createOptimizer({ name: 'sam', rho: 0.05 }, make());
      const n0 = tf.memory().numTensors;
      for (let i = 0; i < 20; i++) opt.step(model, b);
      const grew = tf.memory().numTensors - n0;
      const w = weightsOf(model);
      opt.dispose();
      disposeBatch(b);
      model.dispose();
      return { w, grew };
    });
    results[0].w.forEach((x, i) => assert.ok(maxRel([x], [results[1].w[i]]) < 1e-5, `weight ${i}`));
    // after 20 steps only the slots remain: FlatAdam's two flat buffers, tf.train.adam's two per variable (4 here)
    assert.equal(results[0].grew, 2);
    assert.equal(results[1].grew, 8);
  });

  it('bad input is an error naming the problem and the fix', () => {
    assert.throws(() => new FlatAdam({ learningRate: 0 }), /FlatAdam: learningRate must be a number > 0 \(got 0\)/);
    assert.throws(() => new FlatAdam({ beta1: 1 }), /beta1 must be in \[0, 1\)/);
    assert.throws(() => new FlatMomentum({ learningRate: 0.1, momentum: -1 }), /momentum must be a number >= 0/);
    assert.throws(() => new FlatMomentum({ learningRate: NaN, momentum: 0.9 }), /learningRate must be a number > 0 \(got NaN\)/);
    const a = tf.variable(tf.zeros([2]));
    const b = tf.variable(tf.zeros([3]));
    const opt = new FlatAdam();
    const ga = tf.ones([2]);
    const gb = tf.ones([3]);
    opt.applyGradients([{ name: a.name, tensor: ga }]);
    assert.throws(() => opt.applyGradients([{ name: a.name, tensor: ga }, { name: b.name, tensor: gb }]), (e: Error) =>
      e instanceof OptimConfigError && /updates the variables \[.*\] \(fixed by its first step\).*use one FlatAdam per set of variables/.test(e.message));
    assert.throws(() => opt.applyGradients({ [a.name]: null as unknown as tf.Tensor }), /no gradient for variable/);
    assert.throws(() => opt.applyGradients([{ name: a.name, tensor: gb }]), /has shape \[3\] but the variable has \[2\]/);
    tf.dispose([a, b, ga, gb]);
    opt.dispose();
  });
});
