/**
 * Training kernels that tfjs-backend-wasm 4.22 lacks but the cpu backend has, registered for
 * `wasm` (see docs/backends.md for the full list of the 16 missing kernels and why the others are
 * not needed for training). Registration only adds kernels that are absent: it never replaces a
 * kernel the wasm package provides (a later version may ship its own), and is idempotent.
 */
import * as tf from '@tensorflow/tfjs';
import { conv2DBackpropFilterWasm } from './conv2d-backprop-filter';
import { depthwiseBackpropFilterWasm, depthwiseBackpropInputWasm } from './depthwise-backprop';
import { einsumWasm } from './einsum';
import { unsortedSegmentSumWasm } from './unsorted-segment-sum';

const WASM = 'wasm';

/** The kernels this module provides for wasm, by kernel name. */
export const WASM_TRAINING_KERNELS: Readonly<Record<string, tf.KernelFunc>> = {
  Conv2DBackpropFilter: conv2DBackpropFilterWasm,
  DepthwiseConv2dNativeBackpropFilter: depthwiseBackpropFilterWasm,
  DepthwiseConv2dNativeBackpropInput: depthwiseBackpropInputWasm,
  UnsortedSegmentSum: unsortedSegmentSumWasm,
  Einsum: einsumWasm,
};

const added = new Set<string>();

/**
 * Registers the missing training kernels for wasm. Returns the names registered by this module
 * (now or earlier); empty when the wasm package was never imported (its kernels are absent).
 */
export function registerWasmTrainingKernels(): string[] {
  if (tf.getKernel('Transpose', WASM) == null) return [];
  for (const [kernelName, kernelFunc] of Object.entries(WASM_TRAINING_KERNELS)) {
    if (added.has(kernelName) || tf.getKernel(kernelName, WASM) != null) continue;
    tf.registerKernel({ kernelName, backendName: WASM, kernelFunc });
    added.add(kernelName);
  }
  return addedWasmTrainingKernels();
}

/** Names of the wasm kernels registered by `registerWasmTrainingKernels`, sorted. */
export function addedWasmTrainingKernels(): string[] {
  return [...added].sort();
}
