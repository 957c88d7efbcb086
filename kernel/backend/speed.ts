/**
 * A quick side-by-side of one training step with the fast wasm matMul kernels on and off
 * (`tram doctor --speed`). The benchmark suite measures more; this is the one-minute check.
 *
 * Model: MLP 784-256-256-10 (tanh, then relu), batch 64, softmax cross-entropy, plain SGD step
 * (forward, backward, update). Rounds alternate on/off so that
 * load from other processes hits both sides alike; the figure is the ratio of medians.
 */
import * as tf from '@tensorflow/tfjs';
import { isFastMatMulGradientOn, setFastMatMulGradient } from './fast-matmul';

export interface SpeedResult {
  backend: string;
  activation: string;
  /** Median ms per step with the built-in kernels. */
  defaultMs: number;
  /** Median ms per step with the fast matMul kernels. */
  fastMs: number;
  /** defaultMs / fastMs. */
  speedup: number;
  steps: number;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/** Times `steps` SGD steps per side (after 3 warm-up steps per side), alternating sides in rounds. */
export function measureFastMatMul(opts: { steps?: number; activation?: 'tanh' | 'relu'; batch?: number } = {}): SpeedResult {
  const steps = opts.steps ?? 20;
  const activation = opts.activation ?? 'tanh';
  const batch = opts.batch ?? 64;
  const wasOn = isFastMatMulGradientOn();
  const model = tf.sequential({
    layers: [
      tf.layers.dense({ inputShape: [784], units: 256, activation }),
      tf.layers.dense({ units: 256, activation }),
      tf.layers.dense({ units: 10 }),
    ],
  });
  const x = tf.randomNormal([batch, 784], 0, 1, 'float32', 1);
  const y = tf.tidy(() => tf.oneHot(tf.randomUniform([batch], 0, 10, 'int32', 2), 10));
  const opt = tf.train.sgd(0.01);
  const step = (): number => {
    const t0 = performance.now();
    const loss = opt.minimize(() => tf.losses.softmaxCrossEntropy(y, model.apply(x) as tf.Tensor) as tf.Scalar, true)!;
    loss.dataSync();
    loss.dispose();
    return performance.now() - t0;
  };
  const times = { on: [] as number[], off: [] as number[] };
  try {
    for (const side of ['off', 'on'] as const) {
      setFastMatMulGradient(side === 'on');
      for (let i = 0; i < 3; i++) step();
    }
    const rounds = 5;
    for (let r = 0; r < rounds; r++) {
      for (const side of r % 2 ? (['on', 'off'] as const) : (['off', 'on'] as const)) {
        setFastMatMulGradient(side === 'on');
        for (let i = 0; i < Math.ceil(steps / rounds); i++) times[side].push(step());
      }
    }
  } finally {
    setFastMatMulGradient(wasOn);
    tf.dispose([x, y]);
    model.dispose();
    opt.dispose();
  }
  const defaultMs = median(times.off);
  const fastMs = median(times.on);
  return { backend: tf.getBackend(), activation, defaultMs, fastMs, speedup: defaultMs / fastMs, steps: times.on.length };
}
