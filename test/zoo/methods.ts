/**
 * Every method of kernel/optim/config.ts the zoo steps, with the base optimizer that applies the final gradient.
 * Radii and noise are the paper's defaults (Appendix B) except where noted; learning rates are large enough for
 * a tiny model's loss to fall in a few steps.
 */
import * as tf from '@tensorflow/tfjs';
import type { MethodConfig } from '../../kernel/optim';

export interface ZooMethod {
  label: string;
  method: MethodConfig;
  base: () => tf.Optimizer;
}

const adam = () => tf.train.adam(0.03);
const noise = { kind: 'gaussian', sigma: 0.1, seed: 3 } as const;

export const METHODS: ZooMethod[] = [
  { label: 'adam', method: { name: 'adam' }, base: adam },
  { label: 'sgd', method: { name: 'sgd' }, base: () => tf.train.sgd(0.2) },
  { label: 'SAM', method: { name: 'sam', rho: 0.05 }, base: adam },
  { label: 'ASAM weights', method: { name: 'asam', rho: 0.5, eta: 0.01, scope: 'weights' }, base: adam },
  { label: 'ASAM all', method: { name: 'asam', rho: 0.5, eta: 0, scope: 'all' }, base: adam },
  { label: 'Fisher-SAM', method: { name: 'fisher-sam', gamma: 0.1, eta: 0.1 }, base: adam },
  { label: 'R3F', method: { name: 'r3f', lambda: 0.1, noise }, base: adam },
  { label: 'TRPO', method: { name: 'trpo', lambda: 0.1 }, base: adam },
  { label: 'MESA', method: { name: 'mesa', lambda: 0.1, decay: 0.9 }, base: adam },
  // τ and the start step other than the defaults: the term switches on mid-run (step 2 of the zoo's steps).
  { label: 'MESA τ 2 from step 2', method: { name: 'mesa', lambda: 0.1, decay: 0.9, temperature: 2, start: 2 }, base: adam },
  { label: 'TRAM-x', method: { name: 'tram', target: 'x', noise }, base: adam },
  { label: 'TRAM-θ0', method: { name: 'tram', target: 'theta0' }, base: adam },
  { label: 'TRAM-θt−1', method: { name: 'tram', target: 'theta-prev' }, base: adam },
  { label: 'TRAM-EMA', method: { name: 'tram', target: 'ema', decay: 0.9 }, base: adam },
  { label: 'TRAM-Fisher', method: { name: 'tram-fisher', gamma: 0.1, eta: 0.1, noise }, base: adam },
];
