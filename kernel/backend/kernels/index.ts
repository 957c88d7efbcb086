/**
 * Training kernels that tfjs-backend-wasm 4.22 lacks but the cpu backend has, registered for
 * `wasm` (see docs/backends.md for the full list of the 16 missing kernels and why the others are
 * not needed for training). Missing kernels are only added when absent (a later version may ship
 * its own). Two gradient kernels that wasm 4.22 computes wrongly (./wasm-fixes) are replaced,
 * only with tfjs-core 4.22.0. Idempotent.
 */
import * as tf from '@tensorflow/tfjs';
import { conv2DBackpropFilterWasm } from './conv2d-backprop-filter';
import { depthwiseBackpropFilterWasm, depthwiseBackpropInputWasm } from './depthwise-backprop';
import { einsumWasm } from './einsum';
import { unsortedSegmentSumWasm } from './unsorted-segment-sum';
import { conv3dBackpropInputWasm, maxPoolGradWasm } from './wasm-fixes';

export { registerNoopKernels, restoreNoopKernels, noopKernels, NOOP_KERNELS } from './noops';

const WASM = 'wasm';

/** The kernels this module provides for wasm, by kernel name. */
export const WASM_TRAINING_KERNELS: Readonly<Record<string, tf.KernelFunc>> = {
  Conv2DBackpropFilter: conv2DBackpropFilterWasm,
  DepthwiseConv2dNativeBackpropFilter: depthwiseBackpropFilterWasm,
  DepthwiseConv2dNativeBackpropInput: depthwiseBackpropInputWasm,
  UnsortedSegmentSum: unsortedSegmentSumWasm,
  Einsum: einsumWasm,
};

type KernelConfig = NonNullable<ReturnType<typeof tf.getKernel>>;

/** wasm kernels of tfjs-backend-wasm 4.22 that give wrong results, and their replacements (./wasm-fixes). */
export const WASM_FIXED_KERNELS: Readonly<Record<string, (original: KernelConfig) => tf.KernelFunc>> = {
  MaxPoolGrad: () => maxPoolGradWasm,
  Conv3DBackpropInputV2: () => conv3dBackpropInputWasm,
};

const added = new Set<string>();
const replaced = new Map<string, KernelConfig>();

/**
 * Registers the missing training kernels for wasm and replaces the wrong ones (WASM_FIXED_KERNELS,
 * tfjs-core 4.22.0 only). Returns the names of the kernels added by this module (now or earlier);
 * empty when the wasm package was never imported (its kernels are absent).
 */
export function registerWasmTrainingKernels(): string[] {
  if (tf.getKernel('Transpose', WASM) == null) return [];
  for (const [kernelName, kernelFunc] of Object.entries(WASM_TRAINING_KERNELS)) {
    if (added.has(kernelName) || tf.getKernel(kernelName, WASM) != null) continue;
    tf.registerKernel({ kernelName, backendName: WASM, kernelFunc });
    added.add(kernelName);
  }
  if ((tf.version as Record<string, string>)['tfjs-core'] === '4.22.0') {
    for (const [kernelName, make] of Object.entries(WASM_FIXED_KERNELS)) {
      const original = tf.getKernel(kernelName, WASM);
      if (replaced.has(kernelName) || !original) continue;
      tf.unregisterKernel(kernelName, WASM);
      // setupFunc is kept: the engine runs it when the wasm backend initialises, binding the
      // wasm function the original kernelFunc (still called by the replacements) uses.
      tf.registerKernel({ ...original, kernelFunc: make(original) });
      replaced.set(kernelName, original);
    }
  }
  return addedWasmTrainingKernels();
}

/** Names of the wasm kernels replaced because tfjs-backend-wasm 4.22 computes them wrongly, sorted. */
export function replacedWasmKernels(): string[] {
  return [...replaced.keys()].sort();
}

/** Names of the wasm kernels registered by `registerWasmTrainingKernels`, sorted. */
export function addedWasmTrainingKernels(): string[] {
  return [...added].sort();
}
