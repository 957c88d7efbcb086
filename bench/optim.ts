/** The optimizer library as the suite drives it: one stepper per (model, method), Adam as the base optimizer. */
import * as tf from '@tensorflow/tfjs';
import { createOptimizer, FlatAdam, sparseCrossEntropy } from '../kernel/optim';
import { baseOptimizer, type Method } from './methods';
import type { Batch } from './models';

export interface Stepper {
  /** One training step; returns the loss (a number read from the backend, as a training loop would). */
  step(batch: Batch): number;
  dispose(): void;
}

const adam = () => tf.train.adam(baseOptimizer.lr, baseOptimizer.beta1, baseOptimizer.beta2, baseOptimizer.eps);

export function makeStepper(model: tf.LayersModel, method: Method): Stepper {
  if (method.config === null) {
    // Bare tfjs: the step a user would write without the library.
    const opt = adam();
    const vars = model.trainableWeights.map((w) => w.read() as tf.Variable);
    return {
      step(batch) {
        const loss = opt.minimize(() => sparseCrossEntropy(model.apply(batch.x, { training: true }) as tf.Tensor, batch.y), true, vars)!;
        const v = loss.dataSync()[0];
        loss.dispose();
        return v;
      },
      dispose: () => opt.dispose(),
    };
  }
  const base = method.flat
    ? new FlatAdam({ learningRate: baseOptimizer.lr, beta1: baseOptimizer.beta1, beta2: baseOptimizer.beta2, epsilon: baseOptimizer.eps })
    : adam();
  const opt = createOptimizer(method.config, base, method.options ?? {});
  return {
    step: (batch) => opt.step(model, batch).loss,
    dispose: () => opt.dispose(),
  };
}
