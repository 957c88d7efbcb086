/**
 * Faster matMul gradients on the wasm backend.
 *
 * The gradient of y = A·B is dA = dy·Bᵀ and dB = Aᵀ·dy. tfjs computes both with one `BatchMatMul`
 * call that carries `transposeA`/`transposeB` attributes. The wasm backend's `BatchMatMul` runs
 * ~10× slower with either attribute set than on plain operands, while an explicit `Transpose` is
 * cheap. So on wasm we replace the `BatchMatMul` and `_FusedMatMul` kernels by ones that
 * materialise the transposed operand first and then call the original kernel with
 * `transposeA = transposeB = false`:
 *
 *     matMul(A, B, tA, tB) = matMul(tA ? Aᵀ : A, tB ? Bᵀ : B, false, false)
 *
 * This is done at the kernel level, not by re-registering the `BatchMatMul` gradient, because
 * `tf.layers.dense` (and every `tf.fused.matMul` with a linear activation) computes its
 * gradient inside a `customGrad` that calls the transposed kernel directly: a new gradient
 * function would never be consulted there. Replacing the kernel reaches every path — the
 * registered gradient, fused gradients, and transposed matMuls in the forward pass (attention's
 * Q·Kᵀ). Results are the same products summed in another order (differences ~1e-7 relative).
 *
 * Only the kernels registered for the `wasm` backend are replaced; cpu and the native backends
 * never see them (there the built-in transposed kernels are as fast or faster).
 */
import * as tf from '@tensorflow/tfjs';

type KernelConfig = ReturnType<typeof tf.getKernel>;
type TensorInfo = { dataId: object; shape: number[]; dtype: string };

const WASM = 'wasm';
const KERNELS = ['BatchMatMul', '_FusedMatMul'] as const;

/** The original wasm kernels while the fast ones are registered; empty when off. */
const originals = new Map<string, NonNullable<KernelConfig>>();

/** Whether the wasm backend's kernels are registered at all (the wasm package was imported). */
function wasmKernelsPresent(): boolean {
  return tf.getKernel('BatchMatMul', WASM) != null && tf.getKernel('Transpose', WASM) != null;
}

/** Permutation that swaps the last two axes of a rank-r tensor. */
function swapLastTwo(rank: number): number[] {
  const perm = Array.from({ length: rank }, (_, i) => i);
  perm[rank - 2] = rank - 1;
  perm[rank - 1] = rank - 2;
  return perm;
}

/** A kernel function that transposes explicitly, then calls `original` without transpose flags. */
function explicitTransposeKernel(original: NonNullable<KernelConfig>): tf.KernelFunc {
  const transpose = tf.getKernel('Transpose', WASM)!;
  return (args) => {
    const { inputs, backend, attrs } = args;
    const a0 = inputs.a as unknown as TensorInfo;
    const b0 = inputs.b as unknown as TensorInfo;
    const tA = Boolean(attrs?.transposeA);
    const tB = Boolean(attrs?.transposeB);
    if (!tA && !tB) return original.kernelFunc(args);
    const swap = (t: TensorInfo): TensorInfo =>
      transpose.kernelFunc({ inputs: { x: t } as never, backend, attrs: { perm: swapLastTwo(t.shape.length) } }) as unknown as TensorInfo;
    const a = tA ? swap(a0) : a0;
    const b = tB ? swap(b0) : b0;
    try {
      return original.kernelFunc({
        inputs: { ...inputs, a, b } as never,
        backend,
        attrs: { ...attrs, transposeA: false, transposeB: false },
      });
    } finally {
      const store = backend as unknown as tf.KernelBackend;
      if (a !== a0) store.disposeData(a.dataId);
      if (b !== b0) store.disposeData(b.dataId);
    }
  };
}

/**
 * Turns the fast wasm matMul kernels on or off. Returns whether they are on afterwards (false
 * when the wasm backend's kernels are not registered, i.e. `@tensorflow/tfjs-backend-wasm` was
 * never imported). Idempotent; switching off restores the original kernel configs exactly.
 */
export function setFastMatMulGradient(on: boolean): boolean {
  if (on) {
    if (originals.size) return true;
    if (!wasmKernelsPresent()) return false;
    for (const name of KERNELS) {
      const original = tf.getKernel(name, WASM);
      if (!original) continue;
      originals.set(name, original);
      tf.unregisterKernel(name, WASM);
      // setupFunc is kept: the engine calls it when the wasm backend initialises, and it binds
      // the wasm function the original kernelFunc uses.
      tf.registerKernel({ ...original, kernelFunc: explicitTransposeKernel(original) });
    }
    return originals.size > 0;
  }
  for (const [name, original] of originals) {
    tf.unregisterKernel(name, WASM);
    tf.registerKernel(original);
  }
  originals.clear();
  return false;
}

/** True while the fast wasm matMul kernels are registered. */
export function isFastMatMulGradientOn(): boolean {
  return originals.size > 0;
}
