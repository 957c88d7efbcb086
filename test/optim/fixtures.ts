/** Shared fixtures for the optimizer tests: backends, small models, batches, method list. */
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import type { Batch, MethodConfig, NoiseSource } from '../../kernel/optim';
import { gaussianNoise } from '../../kernel/optim';
import { initBackend, registerWasmTrainingKernels } from '../../kernel/backend';
import { NATIVE_RERUN, testBackend } from '../native-rerun';

/** Backends to test on: those that initialise here (cpu always; wasm on Node); native only under a native rerun. */
export const BACKENDS = NATIVE_RERUN ? (['tensorflow'] as const) : (['cpu', 'wasm'] as const);

/** Switches to `name` (native TensorFlow instead, under a native rerun: test/native-rerun.ts). */
export async function useBackend(requested: string): Promise<boolean> {
  const name = testBackend(requested);
  try {
    if (name === 'tensorflow' && tf.engine().registryFactory['tensorflow'] == null) await initBackend({ prefer: 'tensorflow' });
    const ok = await tf.setBackend(name);
    await tf.ready();
    if (name === 'wasm') registerWasmTrainingKernels(); // as every host does at backend initialisation
    return ok && tf.getBackend() === name;
  } catch {
    return false;
  }
}

export interface MlpOptions {
  inDim?: number;
  hidden?: number;
  classes?: number;
  seed?: number;
  batchNorm?: boolean;
  dropout?: number;
}

/** A small tf.sequential: dense(tanh) [→ BN] [→ dropout] → dense, with seeded initialisers. */
export function mlp(o: MlpOptions = {}): tf.Sequential {
  const { inDim = 4, hidden = 8, classes = 3, seed = 1 } = o;
  const layers: tf.layers.Layer[] = [
    tf.layers.dense({ inputShape: [inDim], units: hidden, activation: 'tanh', kernelInitializer: tf.initializers.glorotUniform({ seed }), biasInitializer: tf.initializers.randomNormal({ seed: seed + 7, stddev: 0.1 }) }),
  ];
  if (o.batchNorm) layers.push(tf.layers.batchNormalization());
  if (o.dropout) layers.push(tf.layers.dropout({ rate: o.dropout, seed: seed + 3 }));
  layers.push(tf.layers.dense({ units: classes, kernelInitializer: tf.initializers.glorotUniform({ seed: seed + 1 }), biasInitializer: tf.initializers.randomNormal({ seed: seed + 9, stddev: 0.1 }) }));
  return tf.sequential({ layers });
}

/** A fixed random batch (Gaussian inputs, labels in [0, classes)). Dispose with disposeBatch. */
export function batch(B = 8, inDim = 4, classes = 3, seed = 2): Batch {
  return tf.tidy(() => ({
    x: tf.randomNormal([B, inDim], 0, 1, 'float32', seed),
    y: tf.tensor1d(Array.from({ length: B }, (_, i) => (i * 7 + seed) % classes), 'int32'),
  }));
}

export function disposeBatch(b: Batch): void {
  b.x.dispose();
  b.y.dispose();
  b.mask?.dispose();
}

export function values(ts: tf.Tensor[]): number[][] {
  return ts.map((t) => Array.from(t.dataSync()));
}

export function weightsOf(m: tf.LayersModel): number[][] {
  return m.getWeights().map((t) => Array.from(t.dataSync()));
}

export function maxAbsDiff(a: number[][], b: number[][]): number {
  let d = 0;
  a.forEach((row, i) => row.forEach((v, j) => (d = Math.max(d, Math.abs(v - b[i][j])))));
  return d;
}

/** Every method the factory knows, with small hyperparameters. */
export const ALL_METHODS: MethodConfig[] = [
  { name: 'base' }, // the base optimizer alone, whichever the test passes
  { name: 'sam', rho: 0.05 },
  { name: 'asam', rho: 0.5, eta: 0.01, scope: 'weights' },
  { name: 'asam', rho: 0.5, eta: 0, scope: 'all' },
  { name: 'fisher-sam', gamma: 0.1, eta: 0.1 },
  { name: 'tram', target: 'x', eta: 0.01, scope: 'weights', noise: { kind: 'gaussian', sigma: 0.1, seed: 3 } },
  { name: 'tram', target: 'theta0', eta: 0.01 },
  { name: 'tram', target: 'theta-prev', eta: 0.01, divergence: { kind: 'l2' } },
  { name: 'tram', target: 'ema', decay: 0.9, eta: 0.01, scale: 5, rhoMax: 0.5, divergence: { kind: 'mmd', kernel: 'imq' } },
  { name: 'tram-fisher', gamma: 0.1, eta: 0.1, noise: { kind: 'uniform', sigma: 0.1, seed: 4 } },
  { name: 'r3f', lambda: 0.1, noise: { kind: 'gaussian', sigma: 0.1 } },
  { name: 'trpo', lambda: 0.1 },
  { name: 'mesa', lambda: 0.1, decay: 0.999 },
  { name: 'asam+r3f', rho: 0.5, lambda: 0.1 },
  { name: 'asam+trpo', rho: 0.5, lambda: 0.1 },
  { name: 'asam+mesa', rho: 0.5, lambda: 0.1 },
];

export function label(m: MethodConfig): string {
  return JSON.stringify(m);
}

/** Seeded Gaussian noise. */
export function noise(sigma = 0.1, seed = 5): NoiseSource {
  return gaussianNoise(sigma, seed);
}
