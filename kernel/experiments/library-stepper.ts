/**
 * The experiment methods run through the project's optimizer library (`kernel/optim`): each {@link MethodSpec} is
 * translated to the library's method config (the golden-case format) and stepped by
 * `createOptimizer(config, adam)` on a `fromFunction` adapter of the experiment MLP. Training-mode passes
 * (`training = true`) apply the MLP's dropout with masks seeded from the run's seed; `compare` is given to the TRAM
 * methods only (it selects whether d compares training-mode or inference-mode current logits with the target).
 */
import * as tf from '@tensorflow/tfjs';
import { createOptimizer, fromFunction, SharpnessAwareOptimizer, ModelAdapter } from '../optim';
import { MethodConfig, MethodSpec, StepFigures, Batch } from './methods';
import { MlpShape, forward, embedPart, bodyPart, DropoutSeeds } from './model';
import { Rng } from './rng';

export type Compare = 'train-vs-inference' | 'like-for-like';

/** The library's config for one experiment method; `seed` seeds its noise; MESA's start is `startEpochs × stepsPerEpoch`. */
export function libraryConfig(c: MethodConfig, seed: number, stepsPerEpoch = 0): Record<string, unknown> {
  const noise = (sigma: number) => ({ kind: 'gaussian', sigma, seed });
  const kl = { kind: 'kl', direction: 'forward', reduction: 'batchmean' };
  switch (c.name) {
    case 'adam':
      return { name: 'adam' };
    case 'sam':
      return { name: 'sam', rho: c.rho };
    case 'asam':
      return { name: 'asam', rho: c.rho, eta: c.eta, scope: 'weights' };
    case 'fisher-sam':
      return { name: 'fisher-sam', gamma: c.gamma, eta: c.eta };
    case 'r3f':
      return { name: 'r3f', lambda: c.lambda, noise: noise(c.sigma) };
    case 'asam+r3f':
      return { name: 'asam+r3f', rho: c.rho, eta: c.eta, scope: 'weights', lambda: c.lambda, noise: noise(c.sigma) };
    case 'trpo':
      return { name: 'trpo', lambda: c.lambda, divergence: kl };
    case 'mesa':
      if (c.startEpochs > 0 && !(stepsPerEpoch > 0)) throw new Error('MESA with startEpochs > 0 needs the number of steps per epoch');
      return { name: 'mesa', lambda: c.lambda, decay: c.decay, temperature: c.temperature, start: c.startEpochs * stepsPerEpoch, divergence: kl };
    case 'tram':
      return {
        name: 'tram',
        target: c.target,
        eta: c.eta,
        scope: 'weights',
        divergence: kl,
        ...(c.target === 'ema' ? { decay: c.decay ?? 0.99 } : {}),
        ...(c.target === 'x' ? { noise: noise(c.sigma ?? 0.1) } : {}),
      };
    case 'tram-fisher':
      return { name: 'tram-fisher', gamma: c.gamma, eta: c.eta, noise: noise(c.sigma) };
  }
}

/** Dropout masks of run seed s come from Rng(s + DROPOUT_SEED_OFFSET), apart from its noise and batch order. */
export const DROPOUT_SEED_OFFSET = 100003;

export class LibraryStepper {
  private readonly opt: SharpnessAwareOptimizer;
  private readonly model: ModelAdapter;

  constructor(readonly spec: MethodSpec, readonly shape: MlpShape, readonly vars: tf.Variable[], base: tf.Optimizer, seed: number, compare?: Compare, stepsPerEpoch = 0) {
    const rng = new Rng(seed + DROPOUT_SEED_OFFSET);
    const seeds: DropoutSeeds = { next: () => rng.seed() };
    const mode = (training: boolean) => (training ? seeds : undefined);
    this.model = fromFunction(vars, (x, training) => forward(shape, vars, x as tf.Tensor2D, undefined, mode(training)).logits, {
      embed: (x) => embedPart(shape, vars, x),
      body: (e, training) => bodyPart(shape, vars, e, mode(training)),
    });
    this.opt = createOptimizer(libraryConfig(spec.config, seed, stepsPerEpoch), base, spec.config.name === 'tram' && compare ? { compare } : {});
  }

  /** The optimizer's `compare` setting as the library resolved it (the default when none was given). */
  get compare(): Compare {
    return this.opt.compare;
  }

  step(b: Batch): StepFigures {
    const r = this.opt.step(this.model, { x: b.x, y: b.y });
    return { loss: r.loss, radius: r.radius ?? 0, divergence: r.divergence };
  }

  dispose(): void {
    this.opt.dispose();
  }
}
