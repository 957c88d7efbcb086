/** Backend selection (`initBackend`) and the wasm fast matMul kernels. */
export { initBackend, parsePreference, BackendUnavailableError, PREFERENCES } from './init';
export type { BackendPreference, BackendReport, BackendAttempt, InitBackendOptions } from './init';
export { CANDIDATES } from './candidates';
export type { BackendChoice, Candidate } from './candidates';
export { setFastMatMulGradient, isFastMatMulGradientOn } from './fast-matmul';
export { registerNoopKernels, restoreNoopKernels, noopKernels, NOOP_KERNELS, registerWasmTrainingKernels, addedWasmTrainingKernels, replacedWasmKernels, WASM_TRAINING_KERNELS, WASM_FIXED_KERNELS } from './kernels';
export { einsumTensors } from './kernels/einsum';
