/**
 * Method configs and the factory. A method config is the `method` JSON of the golden cases (FORMAT.md), e.g.
 *   {name: 'tram', target: 'x', eta: 0.01, scope: 'weights', scale: 1, rhoMax: 0.5,
 *    divergence: {kind: 'kl', direction: 'forward', reduction: 'batchmean'}, noise: {kind: 'gaussian', sigma: 0.1}}
 * `createOptimizer(method, base, options)` builds the {@link SharpnessAwareOptimizer} that implements it from the
 * method catalogue (methods.ts: names, keys, defaults, what each builds); `getConfig(opt)` / `fromConfig(json)`
 * round-trip it (the base optimizer through tfjs's own serialization registry).
 */
import * as tf from '@tensorflow/tfjs';
import { OptimConfigError, checkOneOf } from '../core';
import { OptimizerConfig, SharpnessAwareOptimizer, SharpnessAwareOptions } from './optimizer';
import { NoiseConfig, NoiseSource, noiseFromConfig } from './noise';
import { METHOD_NAMES, MethodConfig, MethodName, methodSpec } from './methods';

export { METHOD_NAMES, METHODS } from './methods';
export type { MethodConfig, MethodName, TramTarget } from './methods';

/**
 * Options that are not part of the method itself: the optimizer's own options (see SharpnessAwareOptions for
 * each), and for TRAM θ targets `initialTarget`, weights to start the target from (e.g. pre-trained) instead of
 * the model's at step 1. `noise`, `loss` and `initialTarget` are not serialised.
 */
export type CreateOptions = Pick<SharpnessAwareOptions, 'batchSplits' | 'onNonFinite' | 'reportCleanLoss' | 'targetTraining' | 'compare' | 'loss'> & {
  /** A noise source overriding the method's `noise` config (e.g. given noise in tests). */
  noise?: NoiseSource;
  initialTarget?: tf.Tensor[] | tf.LayersModel;
};

type AnyRecord = Record<string, unknown>;

/** Checks a method config, fills its defaults and returns the normalised copy (what getConfig reports). */
export function normalizeMethod(method: unknown): AnyRecord & { name: MethodName } {
  if (!method || typeof method !== 'object') {
    throw new OptimConfigError(`a method config must be an object like {name: 'sam', rho: 0.05} (got ${JSON.stringify(method)})`);
  }
  const c = method as AnyRecord;
  const name = checkOneOf('method.name', c.name, METHOD_NAMES);
  const allowed: readonly string[] = methodSpec(name).keys;
  const unknown = Object.keys(c).filter((k) => k !== 'name' && !allowed.includes(k) && c[k] !== undefined);
  if (unknown.length) {
    throw new OptimConfigError(
      `unknown option${unknown.length > 1 ? 's' : ''} ${unknown.map((k) => `'${k}'`).join(', ')} for method '${name}': ` +
        (allowed.length ? `it takes ${allowed.map((k) => `'${k}'`).join(', ')}` : 'it takes no options'),
    );
  }
  return { name, ...methodSpec(name).normalize(c) };
}

/** 'sgd' and 'adam' name the base optimizer: the one passed must be of that kind. */
function checkBaseMatches(name: MethodName, base: tf.Optimizer): void {
  const classes = methodSpec(name).baseClasses;
  if (!classes || !(base instanceof tf.Optimizer) || classes.includes(base.getClassName())) return;
  throw new OptimConfigError(
    `method '${name}' means the base optimizer alone, but the base passed is ${base.getClassName()}: ` +
      `pass tf.train.${name}(…), or use {name: 'base'} to run whatever base optimizer you pass`,
  );
}

/** Builds the optimizer for a method config around a base `tf.Optimizer`. */
export function createOptimizer(method: MethodConfig | AnyRecord, base: tf.Optimizer, options: CreateOptions = {}): SharpnessAwareOptimizer {
  const c = normalizeMethod(method);
  checkBaseMatches(c.name, base);
  const { ascent, regularizer } = methodSpec(c.name).build(c, { initialTarget: options.initialTarget });
  const { noise, initialTarget: _, ...rest } = options;
  const opt = new SharpnessAwareOptimizer(base, {
    ...rest,
    name: c.name,
    ascent,
    regularizer,
    noise: noise ?? (c.noise ? noiseFromConfig(c.noise as NoiseConfig) : null),
  });
  opt.methodConfig = c;
  return opt;
}

export type { OptimizerConfig } from './optimizer';

/** The serialisable config of an optimizer built by createOptimizer (same as `opt.getConfig()`). */
export function getConfig(opt: SharpnessAwareOptimizer): OptimizerConfig {
  return opt.getConfig();
}

/** Rebuilds a base tf.Optimizer from its class name and config, through tfjs's serialization registry. */
export function baseFromConfig(b: { className: string; config: tf.serialization.ConfigDict }): tf.Optimizer {
  const registry = tf.serialization.SerializationMap.getMap().classNameMap;
  const entry = registry[b?.className];
  const optimizers = Object.keys(registry).filter((k) => {
    const [cls] = registry[k];
    return (cls as unknown as { prototype: unknown }).prototype instanceof tf.Optimizer;
  });
  if (!entry || !optimizers.includes(b.className)) {
    throw new OptimConfigError(`unknown base optimizer class ${JSON.stringify(b?.className)}: expected one of ${optimizers.join(', ')}`);
  }
  const [cls, fromConfig] = entry;
  return fromConfig(cls, b.config) as tf.Optimizer;
}

/** Rebuilds an optimizer from getConfig's output (its state — slots, target history, step count — starts fresh). */
export function fromConfig(config: OptimizerConfig, extra: Pick<CreateOptions, 'noise' | 'initialTarget' | 'loss'> = {}): SharpnessAwareOptimizer {
  if (!config || typeof config !== 'object' || !config.method || !config.base) {
    throw new OptimConfigError('fromConfig needs {method, base, options} as returned by getConfig');
  }
  return createOptimizer(config.method, baseFromConfig(config.base), { ...(config.options ?? {}), ...extra });
}
