/**
 * A short TRAM demo: fine-tunes a small tf.sequential on synthetic data with TRAM-x (paper Eq. 6–7) for 50 steps
 * on the default backend and prints each step's figures: task loss, trust-region divergence d, the radius read
 * from it, and ‖ε‖. Run with `node out/kernel/demo.js` (or `npm start` while no kernel exists).
 */
import * as tf from '@tensorflow/tfjs';
import { createOptimizer } from './optim';
import { registerWasmTrainingKernels } from './backend';

async function pickBackend(): Promise<string> {
  try {
    require('@tensorflow/tfjs-backend-wasm');
    if (await tf.setBackend('wasm')) {
      await tf.ready();
      registerWasmTrainingKernels();
      return 'wasm';
    }
  } catch {
    // use cpu
  }
  await tf.setBackend('cpu');
  await tf.ready();
  return 'cpu';
}

/** Two Gaussian blobs per class in 8-D; labels from the nearest class centre. */
function syntheticData(n: number, dim: number, classes: number, seed: number): { x: tf.Tensor2D; y: tf.Tensor1D } {
  return tf.tidy(() => {
    const centres = tf.randomNormal([classes, dim], 0, 1.5, 'float32', seed);
    const y = tf.randomUniform([n], 0, classes, 'int32', seed + 1) as tf.Tensor1D;
    const x = tf.add(tf.gather(centres, y), tf.randomNormal([n, dim], 0, 1, 'float32', seed + 2)) as tf.Tensor2D;
    return { x, y };
  });
}

export async function main(steps = 50): Promise<void> {
  const backend = await pickBackend();
  const model = tf.sequential({
    layers: [
      tf.layers.dense({ inputShape: [8], units: 32, activation: 'tanh', kernelInitializer: tf.initializers.glorotUniform({ seed: 1 }) }),
      tf.layers.dense({ units: 4, kernelInitializer: tf.initializers.glorotUniform({ seed: 2 }) }),
    ],
  });
  const data = syntheticData(256, 8, 4, 7);
  const opt = createOptimizer(
    {
      name: 'tram',
      target: 'x',
      eta: 0.01,
      scope: 'weights',
      divergence: { kind: 'kl', direction: 'forward', reduction: 'batchmean' },
      noise: { kind: 'gaussian', sigma: 0.5, seed: 3 },
    },
    tf.train.adam(0.02, 0.9, 0.99),
  );
  console.log(`TRAM-x on ${backend}: MLP 8-32-4, batch 64, Adam(0.02), σ = 0.5`);
  console.log('step    loss        d    radius      ‖ε‖');
  const t0 = Date.now();
  let n1 = 0;
  for (let t = 0; t < steps; t++) {
    const i = (t * 64) % 256;
    const batch = tf.tidy(() => ({ x: data.x.slice([i, 0], [64, 8]), y: data.y.slice([i], [64]) }));
    const r = opt.step(model, batch);
    batch.x.dispose();
    batch.y.dispose();
    const f = (v: number | undefined) => (v ?? NaN).toFixed(4).padStart(8);
    console.log(`${String(r.step).padStart(4)}  ${f(r.loss)} ${f(r.divergence)} ${f(r.radius)} ${f(r.perturbationNorm)}`);
    if (t === 0) n1 = tf.memory().numTensors;
  }
  console.log(`${steps} steps in ${Date.now() - t0} ms; tf.memory().numTensors after step 1: ${n1}, after step ${steps}: ${tf.memory().numTensors}`);
  opt.dispose();
  model.dispose();
  data.x.dispose();
  data.y.dispose();
}

if (require.main === module) {
  main().catch((e) => {
    console.error(e);
    process.exitCode = 1;
  });
}
