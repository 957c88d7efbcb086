/**
 * `node out/kernel/backend/kernel-speed.js [rounds]`: times the training kernels added for wasm
 * (./kernels) against the cpu backend's own kernels on the same inputs, as medians of alternating
 * rounds, and prints cpu ms / wasm ms per case. Cases: the filter gradient of a 3×3 'same' conv2d
 * (x [16, 28, 28, 16], 32 filters) and of a depthwise conv (x [16, 28, 28, 32]), and the
 * embedding gradient (UnsortedSegmentSum of [1024, 32] rows into 2000 segments, what
 * `tf.gather`'s gradient calls for a batch of 32×32 tokens and a 2000-word vocabulary).
 */
import { performance } from 'node:perf_hooks';
import * as tf from '@tensorflow/tfjs';
import { initBackend } from './init';

interface Case {
  name: string;
  kernel: string;
  inputs: () => Record<string, tf.Tensor>;
  attrs: Record<string, unknown>;
}

const CASES: Case[] = [
  {
    name: 'conv2d filter gradient, x [16,28,28,16], 3x3x16x32, same',
    kernel: 'Conv2DBackpropFilter',
    inputs: () => ({ x: tf.randomNormal([16, 28, 28, 16], 0, 1, 'float32', 1), dy: tf.randomNormal([16, 28, 28, 32], 0, 1, 'float32', 2) }),
    attrs: { strides: [1, 1], pad: 'same', dataFormat: 'NHWC', filterShape: [3, 3, 16, 32] },
  },
  {
    name: 'depthwise filter gradient, x [16,28,28,32], 3x3x32x1, same',
    kernel: 'DepthwiseConv2dNativeBackpropFilter',
    inputs: () => ({ x: tf.randomNormal([16, 28, 28, 32], 0, 1, 'float32', 3), dy: tf.randomNormal([16, 28, 28, 32], 0, 1, 'float32', 4) }),
    attrs: { strides: [1, 1], dilations: [1, 1], pad: 'same', filterShape: [3, 3, 32, 1] },
  },
  {
    name: 'embedding gradient, 1024 rows x 32 into 2000 segments',
    kernel: 'UnsortedSegmentSum',
    inputs: () => ({ x: tf.randomNormal([1024, 32], 0, 1, 'float32', 5), segmentIds: tf.randomUniform([1024], 0, 2000, 'int32', 6) }),
    attrs: { numSegments: 2000 },
  },
];

function timeOnce(c: Case, inputs: Record<string, tf.Tensor>): number {
  const t0 = performance.now();
  const r = tf.engine().runKernel(c.kernel, inputs as never, c.attrs as never) as tf.Tensor;
  r.dataSync();
  const ms = performance.now() - t0;
  r.dispose();
  return ms;
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

export interface KernelSpeed {
  name: string;
  kernel: string;
  cpuMs: number;
  wasmMs: number;
  /** cpu ms / wasm ms: how many times faster the wasm kernel is. */
  ratio: number;
}

export async function measureKernelSpeed(rounds = 5): Promise<KernelSpeed[]> {
  await initBackend({ prefer: 'wasm', env: {} });
  const out: KernelSpeed[] = [];
  for (const c of CASES) {
    const data: Record<string, { backend: 'cpu' | 'wasm'; inputs: Record<string, tf.Tensor> }> = {};
    for (const backend of ['cpu', 'wasm'] as const) {
      tf.setBackend(backend);
      const made = c.inputs();
      // The same values on both backends.
      data[backend] = { backend, inputs: backend === 'cpu' ? made : Object.fromEntries(Object.entries(data.cpu.inputs).map(([k, t]) => [k, tf.tensor(t.dataSync(), t.shape, t.dtype)])) };
      if (backend === 'wasm') tf.dispose(Object.values(made));
    }
    const ms: Record<'cpu' | 'wasm', number[]> = { cpu: [], wasm: [] };
    for (let r = 0; r <= rounds; r++) {
      for (const backend of ['cpu', 'wasm'] as const) {
        tf.setBackend(backend);
        const t = timeOnce(c, data[backend].inputs);
        if (r > 0) ms[backend].push(t); // round 0 warms up
      }
    }
    for (const d of Object.values(data)) {
      tf.setBackend(d.backend);
      tf.dispose(Object.values(d.inputs));
    }
    const cpuMs = median(ms.cpu);
    const wasmMs = median(ms.wasm);
    out.push({ name: c.name, kernel: c.kernel, cpuMs, wasmMs, ratio: cpuMs / wasmMs });
  }
  tf.setBackend('wasm');
  return out;
}

if (require.main === module) {
  const rounds = Number(process.argv[2] ?? 5);
  measureKernelSpeed(rounds).then((rs) => {
    for (const r of rs) console.log(`${r.name}: cpu ${r.cpuMs.toFixed(1)} ms, wasm ${r.wasmMs.toFixed(1)} ms, cpu/wasm ${r.ratio.toFixed(2)}x (medians of ${rounds})`);
  });
}
