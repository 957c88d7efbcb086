/**
 * Backends of the zoo matrix: cpu, wasm (with the fast matMul kernels the notebook kernel uses on wasm) and
 * native TensorFlow where `@tensorflow/tfjs-node` loads. Each is initialised once through `initBackend`
 * (TRAM_BACKEND ignored); one that does not initialise is reported by `switchTo` as a skip reason.
 * `missingKernels(row, backend)` is the part of a row's `wasmNeeds` the backend has not registered.
 */
import * as tf from '@tensorflow/tfjs';
import { initBackend, setFastMatMulGradient } from '../../kernel/backend';
import type { ZooRow } from './models';

export const ZOO_BACKENDS = ['cpu', 'wasm', 'tensorflow'] as const;
export type ZooBackend = (typeof ZOO_BACKENDS)[number];

const unavailable = new Map<ZooBackend, string>();

export async function initZooBackends(): Promise<void> {
  for (const b of ZOO_BACKENDS) {
    try {
      await initBackend({ prefer: b, env: {} });
    } catch (e) {
      // Only a native backend may be missing on purpose (its install downloads libtensorflow): its skip reason starts
      // with `native:`, the word CI allows (TRAM_TEST_ALLOW_SKIP); a missing wasm or cpu backend stays a refused skip.
      const native = b === 'tensorflow';
      unavailable.set(b, `${native ? 'native: ' : ''}${b} backend unavailable here: ${(e as Error).message.split('. Fix:')[0]}`);
    }
  }
  setFastMatMulGradient(!unavailable.has('wasm'));
  await restoreCpu();
}

/** Switches to `b`; returns a skip reason when it is not available. */
export async function switchTo(b: ZooBackend): Promise<string | undefined> {
  const why = unavailable.get(b);
  if (why) return why;
  const ok = await tf.setBackend(b);
  if (!ok || tf.getBackend() !== b) return `${b} backend did not switch (tf.getBackend() = ${tf.getBackend()})`;
  return undefined;
}

export async function restoreCpu(): Promise<void> {
  await tf.setBackend('cpu');
}

export function missingKernels(row: ZooRow, b: ZooBackend): string[] {
  return row.wasmNeeds.filter((k) => !tf.getKernel(k, b));
}
