/**
 * Every analysis function on every backend available here (cpu and wasm): no tensor left behind,
 * variables restored bit-exactly, and the same figures on both (seeded draws do not depend on the
 * backend).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../../kernel/backend';
import { linearCkaValue as linearCka } from '../../kernel/core';
import { epsilonSharpness, lossInterpolation, lossLine, lossSurface, topHessianEigenvalue } from '../../kernel/analysis';
import { testBackend } from '../native-rerun';
import { assertClose, checked } from './helpers';

type Figures = Record<string, number>;

async function figuresOn(backend: 'cpu' | 'wasm' | 'tensorflow'): Promise<Figures> {
  const r = await initBackend({ prefer: backend, env: {} });
  assert.equal(r.name, backend);
  const model = tf.sequential({
    layers: [
      tf.layers.dense({ inputShape: [5], units: 6, activation: 'tanh', kernelInitializer: tf.initializers.glorotNormal({ seed: 1 }) }),
      tf.layers.dense({ units: 3, kernelInitializer: tf.initializers.glorotNormal({ seed: 2 }) }),
    ],
  });
  const x = tf.tensor2d(Array.from({ length: 12 }, (_, i) => Array.from({ length: 5 }, (_, j) => Math.sin(i * 5 + j))));
  const y = tf.tidy(() => tf.oneHot(tf.tensor1d(Array.from({ length: 12 }, (_, i) => i % 3), 'int32'), 3));
  const vars = model.trainableWeights.map((w) => w.read() as tf.Variable);
  const loss = () => tf.losses.softmaxCrossEntropy(y, model.apply(x) as tf.Tensor) as tf.Scalar;
  const pre = vars.map((v) => tf.mul(v, 0.5));
  const out: Figures = {};
  out.sharpness = checked(vars, `${backend} sharpness`, () => epsilonSharpness(vars, loss, { epsilon: 1e-2, steps: 5 })).sharpness;
  out.line = checked(vars, `${backend} line`, () => lossLine(vars, loss, { points: 5, seed: 2 })).losses[0];
  out.surface = checked(vars, `${backend} surface`, () => lossSurface(vars, loss, { xPoints: 3, yPoints: 3, seed: 2 })).losses[2][0];
  out.interpolation = checked(vars, `${backend} interpolation`, () => lossInterpolation(vars, loss, { from: pre, points: 3 })).losses[1];
  out.hessian = checked(vars, `${backend} hessian`, () => topHessianEigenvalue(vars, loss, { iterations: 30 })).eigenvalue;
  const feats = tf.tidy(() => (model.layers[0].apply(x) as tf.Tensor));
  const n = tf.memory().numTensors;
  out.cka = linearCka(feats, x);
  assert.equal(tf.memory().numTensors, n, `${backend} cka: numTensors changed`);
  tf.dispose([x, y, feats, ...pre]);
  model.dispose();
  return out;
}

// Under a native rerun (test/native-rerun.ts) the second backend is native TensorFlow.
const OTHER = testBackend('wasm');

test(`all analysis functions agree on cpu and ${OTHER} and leave nothing behind on either`, async () => {
  const cpu = await figuresOn('cpu');
  const other = await figuresOn(OTHER);
  for (const k of Object.keys(cpu)) {
    assert.ok(Number.isFinite(cpu[k]), `${k} on cpu is ${cpu[k]}`);
    assertClose(other[k], cpu[k], k === 'hessian' ? 2e-2 : 1e-3, `${k}: ${OTHER} vs cpu`, 1e-6);
  }
});
