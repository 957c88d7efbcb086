/**
 * A native package that brings its own copy of the same @tensorflow/tfjs-core version: tfjs-core
 * keeps its engine and kernel registry in process-wide globals, so the backend it registers is
 * the one our tf runs on. Its own file: it registers a backend in this process.
 */
// First: the project's own native packages are hidden, so only the stand-in can be found (#13: tfjs-node may be built).
import { restoreNative } from './hide-native';
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../../kernel/backend';
import { fakeWorkspace, nativeOnOwnCore, ourPackageDir } from './fixtures';

const ws = fakeWorkspace('@tensorflow/tfjs-node', nativeOnOwnCore(), 'copy');
after(() => {
  ws.remove();
  restoreNative();
});

test('a second copy of the same tfjs-core version is accepted, said so, and really serves our tf', async () => {
  const r = await initBackend({ prefer: 'tensorflow', searchPaths: [ws.dir], env: {} });
  const copy = (globalThis as Record<string, unknown>).__standinCore as string;
  assert.ok(copy.startsWith(ws.dir), `the stand-in loaded its own tfjs-core (${copy})`);
  assert.ok(!copy.startsWith(ourPackageDir('@tensorflow/tfjs-core')));
  assert.equal(r.name, 'tensorflow');
  assert.equal(tf.getBackend(), 'tensorflow');
  assert.match(r.detail, new RegExp(`second copy of @tensorflow/tfjs-core 4\\.22\\.0 from ${path.join(ws.dir, 'node_modules').replace(/[/\\.]/g, '\\$&')}`));
  // our ops and gradients (layers included) run on the backend the copy registered
  const model = tf.sequential({ layers: [tf.layers.dense({ inputShape: [3], units: 2, kernelInitializer: 'ones' })] });
  const { value, grads } = tf.variableGrads(() => tf.sum(model.apply(tf.ones([4, 3])) as tf.Tensor) as tf.Scalar);
  assert.equal(value.dataSync()[0], 24);
  assert.deepEqual(Array.from(grads[(model.trainableWeights[0].read() as tf.Variable).name].dataSync()), [4, 4, 4, 4, 4, 4]);
  assert.equal(tf.engine().backendName, 'tensorflow');
  model.dispose();
});
