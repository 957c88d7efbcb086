/**
 * Kernels that are no-ops on their input (Identity; Cast to the same dtype; Reshape to the same shape), answered by
 * sharing the input's data instead of computing.
 *
 * tfjs-core runs many of them: its gradient tape keeps a clone (Identity) of every tensor a gradient needs, its
 * gradients cast float32 operands to float32 (Mul's, Div's, …) and reshape gradients to the shape they already
 * have. The cpu backend shares the data for all three. tfjs-node runs the Cast and the Reshape as TensorFlow
 * eager ops, and on the native backend the number of eager ops, not the arithmetic, is most of a small model's step
 * (docs/performance.md, "Step anatomy"); tfjs-backend-wasm copies the data for Identity and Cast. Here each answers by
 * raising the data's reference count and returning the same data, as tfjs-node's own Identity and wasm's own Reshape
 * do; every other call goes to the backend's kernel. Kernels are immutable in tfjs (an assignment swaps a variable's
 * data, it never writes into it), so shared data cannot be changed under a sharer. Idempotent; only with tfjs-core
 * 4.22.0, the version this was checked against.
 */
import * as tf from '@tensorflow/tfjs';

type KernelConfig = NonNullable<ReturnType<typeof tf.getKernel>>;
type Backend = { incRef(dataId: object): void };
type Noop = (x: tf.TensorInfo, attrs: tf.NamedAttrMap) => boolean;

const always: Noop = () => true;
const sameDtype: Noop = (x, attrs) => attrs.dtype === x.dtype;
const sameShapeAttr: Noop = (x, attrs) => tf.util.arraysEqual(x.shape, attrs.shape as number[]);

/** Per backend, the kernels replaced and when each is a no-op. */
export const NOOP_KERNELS: Readonly<Record<string, Readonly<Record<string, Noop>>>> = {
  tensorflow: { Cast: sameDtype, Reshape: sameShapeAttr },
  wasm: { Identity: always, Cast: sameDtype },
};

const replaced = new Map<string, KernelConfig>();

/** Replaces the no-op kernels of `backendName` (NOOP_KERNELS). Returns the names replaced there, now or earlier. */
export function registerNoopKernels(backendName: string): string[] {
  if ((tf.version as Record<string, string>)['tfjs-core'] !== '4.22.0') return [];
  for (const [kernelName, isNoop] of Object.entries(NOOP_KERNELS[backendName] ?? {})) {
    const key = `${backendName}/${kernelName}`;
    const original = tf.getKernel(kernelName, backendName);
    if (replaced.has(key) || !original) continue;
    const kernelFunc: tf.KernelFunc = (args) => {
      const x = args.inputs.x as tf.TensorInfo;
      if (x && x.dtype !== 'string' && isNoop(x, args.attrs ?? {})) {
        (args.backend as unknown as Backend).incRef(x.dataId);
        return { dataId: x.dataId, shape: x.shape, dtype: x.dtype };
      }
      return original.kernelFunc(args);
    };
    tf.unregisterKernel(kernelName, backendName);
    tf.registerKernel({ ...original, kernelFunc });
    replaced.set(key, original);
  }
  return noopKernels(backendName);
}

/** Puts the backend's own kernels back (for measuring the replacement's effect; registerNoopKernels redoes it). */
export function restoreNoopKernels(backendName: string): void {
  for (const [key, original] of [...replaced]) {
    if (!key.startsWith(`${backendName}/`)) continue;
    tf.unregisterKernel(original.kernelName, backendName);
    tf.registerKernel(original);
    replaced.delete(key);
  }
}

/** The kernels of `backendName` replaced by {@link registerNoopKernels}, sorted. */
export function noopKernels(backendName: string): string[] {
  return [...replaced.keys()].filter((k) => k.startsWith(`${backendName}/`)).map((k) => k.slice(backendName.length + 1)).sort();
}
