import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { initBackend, isFastMatMulGradientOn, setFastMatMulGradient } from '../../kernel/backend';

before(async () => {
  await initBackend({ prefer: 'wasm', env: {} });
});

/** Runs `f` with the fast kernels on and with them off; returns both results as flat arrays. */
function bothWays(f: () => tf.Tensor[]): { fast: Float32Array[]; plain: Float32Array[] } {
  const run = (on: boolean) => {
    setFastMatMulGradient(on);
    const ts = f();
    const out = ts.map((t) => t.dataSync() as Float32Array);
    tf.dispose(ts);
    return out;
  };
  const plain = run(false);
  const fast = run(true);
  return { fast, plain };
}

function assertClose(a: Float32Array[], b: Float32Array[], tol: number, what: string): void {
  assert.equal(a.length, b.length);
  for (let i = 0; i < a.length; i++) {
    assert.equal(a[i].length, b[i].length);
    let worst = 0;
    let scale = 0;
    for (let j = 0; j < a[i].length; j++) {
      worst = Math.max(worst, Math.abs(a[i][j] - b[i][j]));
      scale = Math.max(scale, Math.abs(b[i][j]));
    }
    assert.ok(scale > 0, `${what}[${i}] is all zeros: the check would be empty`);
    assert.ok(worst <= tol * Math.max(1, scale), `${what}[${i}]: max difference ${worst} (scale ${scale})`);
  }
}

test('the fast kernels replace the wasm matMul kernels and switching off restores the originals exactly', () => {
  setFastMatMulGradient(false);
  const original = tf.getKernel('BatchMatMul', 'wasm');
  const originalFused = tf.getKernel('_FusedMatMul', 'wasm');
  assert.equal(setFastMatMulGradient(true), true);
  assert.equal(isFastMatMulGradientOn(), true);
  assert.notEqual(tf.getKernel('BatchMatMul', 'wasm'), original);
  assert.notEqual(tf.getKernel('_FusedMatMul', 'wasm'), originalFused);
  assert.equal(tf.getKernel('BatchMatMul', 'cpu')?.backendName, 'cpu', 'cpu kernels are untouched');
  assert.equal(setFastMatMulGradient(true), true, 'idempotent');
  assert.equal(setFastMatMulGradient(false), false);
  assert.equal(tf.getKernel('BatchMatMul', 'wasm'), original);
  assert.equal(tf.getKernel('_FusedMatMul', 'wasm'), originalFused);
});

test('dense-layer gradients are the same with and without the fast kernels (tanh: fused path, relu: registered gradient)', () => {
  for (const activation of ['tanh', 'relu', 'linear'] as const) {
    const model = tf.sequential({
      layers: [tf.layers.dense({ inputShape: [7], units: 5, activation, kernelInitializer: tf.initializers.glorotNormal({ seed: 3 }) }), tf.layers.dense({ units: 3, kernelInitializer: tf.initializers.glorotNormal({ seed: 4 }) })],
    });
    const x = tf.randomNormal([6, 7], 0, 1, 'float32', 11);
    const y = tf.tidy(() => tf.oneHot(tf.tensor1d([0, 1, 2, 0, 1, 2], 'int32'), 3));
    const vars = model.trainableWeights.map((w) => w.read() as tf.Variable);
    const { fast, plain } = bothWays(() => {
      const { value, grads } = tf.variableGrads(() => tf.losses.softmaxCrossEntropy(y, model.apply(x) as tf.Tensor) as tf.Scalar, vars);
      value.dispose();
      return vars.map((v) => grads[v.name]);
    });
    assertClose(fast, plain, 1e-6, `dense ${activation} gradients`);
    tf.dispose([x, y]);
    model.dispose();
  }
});

test('batched 3-D matMul: values and gradients agree for every transpose combination', () => {
  const a0 = tf.randomNormal([3, 4, 5], 0, 1, 'float32', 21);
  const b0 = tf.randomNormal([3, 5, 6], 0, 1, 'float32', 22);
  const w = tf.randomNormal([3, 4, 6], 0, 1, 'float32', 23);
  for (const tA of [false, true]) {
    for (const tB of [false, true]) {
      const a = tA ? tf.transpose(a0, [0, 2, 1]) : a0.clone();
      const b = tB ? tf.transpose(b0, [0, 2, 1]) : b0.clone();
      const f = (p: tf.Tensor, q: tf.Tensor) => tf.sum(tf.mul(tf.matMul(p, q, tA, tB), w));
      const { fast, plain } = bothWays(() => {
        const [ga, gb] = tf.grads(f)([a, b]);
        return [tf.matMul(a, b, tA, tB), ga, gb];
      });
      assertClose(fast, plain, 1e-6, `transposeA=${tA} transposeB=${tB}`);
      // and against the math: y = op(A)·op(B) equals the plain product of the original operands
      const ref = tf.matMul(a0, b0);
      assertClose([fast[0]], [ref.dataSync() as Float32Array], 1e-5, 'product');
      tf.dispose([a, b, ref]);
    }
  }
  tf.dispose([a0, b0, w]);
});

test('the fast kernels leak neither tensors nor wasm buffers, and work with broadcasting batch dims', () => {
  setFastMatMulGradient(true);
  const a = tf.randomNormal([2, 3, 4, 5], 0, 1, 'float32', 31);
  const b = tf.randomNormal([6, 5], 0, 1, 'float32', 32);
  const backend = tf.engine().backend as unknown as { numDataIds(): number };
  const tensors = tf.memory().numTensors;
  const ids = backend.numDataIds();
  for (let i = 0; i < 3; i++) {
    tf.tidy(() => {
      const [ga] = tf.grads((p: tf.Tensor) => tf.sum(tf.square(tf.matMul(p, b, false, true))))([a]);
      ga.dataSync();
    });
  }
  assert.equal(tf.memory().numTensors, tensors);
  assert.equal(backend.numDataIds(), ids);
  const got = tf.tidy(() => tf.matMul(a, b, false, true));
  setFastMatMulGradient(false);
  const want = tf.tidy(() => tf.matMul(a, b, false, true));
  assert.deepEqual(got.shape, [2, 3, 4, 6]);
  assertClose([got.dataSync() as Float32Array], [want.dataSync() as Float32Array], 1e-6, 'broadcast product');
  tf.dispose([a, b, got, want]);
});
