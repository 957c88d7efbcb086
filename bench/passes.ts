/**
 * The cost of the passes a step is made of, measured on the same model and batch as the step costs, so the
 * floor an optimizer can reach is known from measurements rather than assumed:
 *
 * - `forward`: logits f(x; θ) with no gradient tape (what a TRAM target pass should cost);
 * - `forward+backward`: L(θ) and ∇L(θ) through `tf.variableGrads` (one SAM-style half step).
 *
 * With F and FB those costs and U the base optimizer's update, the floors are
 * base ≈ FB + U, SAM/ASAM ≈ 2·FB + U, TRAM ≈ 2·FB + F + U (paper Table 1: 3 forward, 2 backward),
 * so TRAM/ASAM ≥ (2·FB + F + U)/(2·FB + U).
 */
import * as tf from '@tensorflow/tfjs';
import { sparseCrossEntropy } from '../kernel/optim';
import type { Batch } from './models';
import type { Candidate } from './timing';

export function taskLoss(model: tf.LayersModel, batch: Batch): tf.Scalar {
  return sparseCrossEntropy(model.apply(batch.x, { training: true }) as tf.Tensor, batch.y);
}

export function trainableVariables(model: tf.LayersModel): tf.Variable[] {
  return model.trainableWeights.map((w) => w.read() as tf.Variable);
}

/** Candidates timing one forward pass and one forward+backward pass (named `<prefix>forward`, `<prefix>forward+backward`). */
export function passCandidates(model: tf.LayersModel, batch: Batch, prefix = ''): Candidate[] {
  const vars = trainableVariables(model);
  return [
    {
      name: `${prefix}forward`,
      run(n) {
        for (let i = 0; i < n; i++) {
          const l = tf.tidy(() => (model.apply(batch.x, { training: true }) as tf.Tensor).sum());
          l.dataSync();
          l.dispose();
        }
      },
    },
    {
      name: `${prefix}forward+backward`,
      run(n) {
        for (let i = 0; i < n; i++) {
          const l = tf.tidy(() => {
            const { value, grads } = tf.variableGrads(() => taskLoss(model, batch), vars);
            // Sum of one gradient entry per variable forces every gradient to exist.
            return tf.addN([value, ...Object.values(grads).map((g) => g.flatten().slice(0, 1).sum())]) as tf.Scalar;
          });
          l.dataSync();
          l.dispose();
        }
      },
    },
  ];
}
