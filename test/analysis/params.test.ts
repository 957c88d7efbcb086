/**
 * The seeded draws every analysis shares (kernel/analysis/params.ts), against an independent reference:
 * mulberry32 as published (state += 0x6D2B79F5, two xorshift-multiply rounds, output / 2³²) started at
 * seed XOR 0x9E3779B9, and Box–Muller pairs (r cos 2πu₂ first, then r sin 2πu₂, u₁ = 1 − u, r = √(−2 ln u₁)),
 * computed in Python with unbounded integers and float64:
 *
 *   g = gen(0): 0.3588899802416563, 0.10590326134115458, 0.675290479324758, 0.9179345588199794
 *   g = gen(12345): 0.5975837109144777, 0.6314287825953215, 0.6228211561683565, 0.4621145336423069
 *   normals(7, 5): −1.4334240242784855, 2.4544590889052187, 1.0707846387191051, 1.0913176903471697,
 *                  0.20996792459552166
 *
 * Also the shared helpers' and the directions' input errors (mutation-testing survivors, docs/testing.md).
 *
 * A generator that is merely "random-looking" (another constant, another shift) passes statistical checks, so
 * only exact values pin it; the same numbers on every backend is what lets the landscape and Hessian results agree
 * across backends.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { uniformGenerator, seededNormals } from '../../kernel/analysis/params';
import { epsilonSharpness, filterNormalize, filterNormalizedDirection, lossLine } from '../../kernel/analysis';
import { InputError } from '../../kernel/core';

test('uniformGenerator is mulberry32 from seed XOR 0x9E3779B9 (exact values of an independent implementation)', () => {
  const want: Record<number, number[]> = {
    0: [0.3588899802416563, 0.10590326134115458, 0.675290479324758, 0.9179345588199794],
    12345: [0.5975837109144777, 0.6314287825953215, 0.6228211561683565, 0.4621145336423069],
  };
  for (const [seed, values] of Object.entries(want)) {
    const u = uniformGenerator(Number(seed));
    assert.deepEqual(values.map(() => u()), values, `seed ${seed}`);
  }
});

test('seededNormals is one Box–Muller stream across the requested tensors (cos then sin of each pair)', () => {
  const want = [-1.4334240242784855, 2.4544590889052187, 1.0707846387191051, 1.0913176903471697, 0.20996792459552166];
  const n0 = tf.memory().numTensors;
  const [a, b] = seededNormals([[2], [3]], 7);
  assert.deepEqual(a.shape, [2]);
  assert.deepEqual(b.shape, [3]);
  const got = [...a.dataSync(), ...b.dataSync()];
  got.forEach((v, i) => assert.ok(Math.abs(v - want[i]) < 1e-6, `z[${i}] = ${v}, want ${want[i]}`));
  tf.dispose([a, b]);
  assert.equal(tf.memory().numTensors, n0);
});

test('a loss closure that returns no tensor, or does not read the variables, gets an error naming the fix', () => {
  const v = tf.variable(tf.ones([2]));
  const n0 = tf.memory().numTensors;
  for (const [bad, got] of [[() => 3, 'number'], [() => undefined, 'undefined']] as const) {
    assert.throws(
      () => lossLine([v], bad as unknown as () => tf.Scalar, { points: 2 }),
      (e: unknown) => e instanceof InputError && /^lossLine: the loss function must return a tf\.Scalar \(got (\w+)\)$/.exec((e as Error).message)?.[1] === got,
    );
  }
  // The gradient step of the ascent: tfjs's own first line is kept, then the fix.
  assert.throws(
    () => epsilonSharpness([v], () => tf.scalar(1), { steps: 1 }),
    (e: unknown) =>
      e instanceof InputError &&
      /^epsilonSharpness: cannot differentiate the loss with respect to the variables \(Cannot find a connection between any variable and the result of the loss function[^\n]*\): the loss closure must compute its value from these variables$/.test(
        (e as Error).message,
      ),
  );
  assert.equal(tf.memory().numTensors, n0);
  v.dispose();
});

test('filterNormalize and filterNormalizedDirection refuse a bad oneD, a direction of another shape and a fractional seed', () => {
  tf.tidy(() => {
    const isInput = (re: RegExp) => (e: unknown) => e instanceof InputError && re.test((e as Error).message);
    assert.throws(() => filterNormalize(tf.ones([3]), tf.ones([3]), { oneD: 'keep' as never }), isInput(/^filterNormalize: oneD must be 'zero' or 'copy' \(got keep\)$/));
    // Same size, other shape: without the check it would silently normalise the wrong filters.
    assert.throws(() => filterNormalize(tf.ones([2, 3]), tf.ones([3, 2])), isInput(/^filterNormalize: direction shape \[2,3\] differs from parameter shape \[3,2\]$/));
    assert.throws(() => filterNormalizedDirection([tf.ones([2, 2])], { seed: 1.5 }), isInput(/^filterNormalizedDirection: seed must be an integer \(got 1\.5\)$/));
  });
});
