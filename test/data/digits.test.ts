import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { loadDigits } from '../../kernel/data';

test('loadDigits: perClass digits of every class, class by class, grey levels in [0, 1]', () => {
  const { x, y } = loadDigits(3, 5);
  assert.deepEqual(x.shape, [30, 784]);
  assert.deepEqual(Array.from(y.dataSync()), [0, 0, 0, 1, 1, 1, 2, 2, 2, 3, 3, 3, 4, 4, 4, 5, 5, 5, 6, 6, 6, 7, 7, 7, 8, 8, 8, 9, 9, 9]);
  const v = x.dataSync();
  assert.ok(v.every((p) => p >= 0 && p <= 1));
  assert.ok(v.some((p) => p > 0.5), 'strokes are present');
  tf.dispose([x, y]);
});

test('loadDigits: rotation moves the ink but keeps about as much of it; 0° is the digit itself', () => {
  const a = loadDigits(1, 0, 0).x;
  const b = loadDigits(1, 0, 90).x;
  const same = loadDigits(1, 0, 0).x;
  assert.equal(tf.max(tf.abs(tf.sub(a, same))).dataSync()[0], 0);
  const inkA = tf.sum(a).dataSync()[0];
  const inkB = tf.sum(b).dataSync()[0];
  assert.ok(Math.abs(inkA - inkB) / inkA < 0.15, `ink ${inkA} vs ${inkB}`);
  assert.ok(tf.mean(tf.abs(tf.sub(a, b))).dataSync()[0] > 0.01, 'a 90° rotation changes the image');
  tf.dispose([a, b, same]);
});

test('loadDigits: asking for more digits than a class has names the class and the fix', () => {
  assert.throws(() => loadDigits(5000), /class \d has \d+ digits; offset 0 \+ perClass 5000 asks for more/);
  assert.throws(() => loadDigits(0), /perClass must be a whole number >= 1/);
});
