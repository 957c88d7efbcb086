/**
 * Method configs and the factory. A method config is the `method` JSON of the golden cases (FORMAT.md), e.g.
 *   {name: 'tram', target: 'x', eta: 0.01, scope: 'weights', scale: 1, rhoMax: 0.5,
 *    divergence: {kind: 'kl', direction: 'forward', reduction: 'batchmean'}, noise: {kind: 'gaussian', sigma: 0.1}}
 * `createOptimizer(method, base, options)` builds the {@link SharpnessAwareOptimizer} that implements it;
 * `getConfig(opt)` / `fromConfig(json)` round-trip it (the base optimizer through its tfjs class name and config).
 * Defaults are the paper's (Appendix B): SAM ρ = 0.05, ASAM ρ = 0.5 (η = 0.01, kernels only), Fisher-SAM γ = η = 0.1,
 * λ = 0.1 and σ = 0.1 for the trust-region terms, MESA decay 0.999.
 */
import * as tf from '@tensorflow/tfjs';
import { AscentRule, OptimizerConfig, SharpnessAwareOptimizer, SharpnessAwareOptions, TaskLoss } from './optimizer';
import { Scope, adaptivePreconditioner, fisherPreconditioner, identityPreconditioner } from './perturbation';
import { DivergenceSpec, normalizeDivergence } from './divergences';
import { checkDivergenceRadius } from './radius';
import { targetFromName, parameterHistoryTarget } from './targets';
import { NoiseConfig, NoiseSource, noiseFromConfig, normalizeNoise } from './noise';
import { Regularizer, mesaRegularizer, r3fRegularizer, trpoRegularizer } from './regularizers';
import { OptimConfigError, checkDecay, checkNonNegative, checkOneOf } from '../core';
import { Schedule, normalizeSchedule } from './schedule';

export type TramTarget = 'x' | 'theta0' | 'theta-prev' | 'ema';

export type MethodConfig =
  | { name: 'sgd' | 'adam' | 'base' | 'none' }
  | { name: 'sam'; rho?: Schedule }
  | { name: 'asam'; rho?: Schedule; eta?: number; scope?: Scope }
  | { name: 'fisher-sam'; gamma?: Schedule; eta?: number }
  | {
      name: 'tram';
      target: TramTarget;
      decay?: number;
      eta?: number;
      scope?: Scope;
      scale?: Schedule;
      rhoMax?: number | null;
      divergence?: DivergenceSpec;
      noise?: NoiseConfig;
    }
  | { name: 'tram-fisher'; gamma?: Schedule; eta?: number; noise?: NoiseConfig }
  | { name: 'r3f'; lambda?: number; noise?: NoiseConfig }
  | { name: 'trpo'; lambda?: number; divergence?: DivergenceSpec }
  | { name: 'mesa'; lambda?: number; decay?: number; divergence?: DivergenceSpec }
  | {
      name: 'asam+r3f' | 'asam+trpo' | 'asam+mesa';
      rho?: Schedule;
      eta?: number;
      scope?: Scope;
      lambda?: number;
      decay?: number;
      noise?: NoiseConfig;
    };

export const METHOD_NAMES = [
  'sgd', 'adam', 'base', 'none', 'sam', 'asam', 'fisher-sam', 'tram', 'tram-fisher', 'r3f', 'trpo', 'mesa',
  'asam+r3f', 'asam+trpo', 'asam+mesa',
] as const;
export type MethodName = (typeof METHOD_NAMES)[number];

/** Options that are not part of the method itself. */
export interface CreateOptions {
  /** A noise source overriding the method's `noise` config (e.g. given noise in tests). Not serialised. */
  noise?: NoiseSource;
  /** TRAM θ targets: start from these weights (e.g. pre-trained) instead of the model's at step 1. Not serialised. */
  initialTarget?: tf.Tensor[] | tf.LayersModel;
  batchSplits?: number;
  onNonFinite?: 'throw' | 'skip';
  reportCleanLoss?: boolean;
  targetTraining?: boolean;
  /** TRAM: 'train-vs-inference' (default) or 'like-for-like' (see SharpnessAwareOptions.compare). */
  compare?: 'train-vs-inference' | 'like-for-like';
  /** A custom task loss (output, batch) → scalar instead of sparse cross-entropy. Not serialised. */
  loss?: TaskLoss;
}

type AnyRecord = Record<string, unknown>;

/** The keys each method config accepts (besides `name`). */
const METHOD_KEYS: Record<MethodName, string[]> = {
  sgd: [],
  adam: [],
  base: [],
  none: [],
  sam: ['rho'],
  asam: ['rho', 'eta', 'scope'],
  'fisher-sam': ['gamma', 'eta'],
  tram: ['target', 'decay', 'eta', 'scope', 'scale', 'rhoMax', 'divergence', 'noise'],
  'tram-fisher': ['gamma', 'eta', 'noise'],
  r3f: ['lambda', 'noise'],
  trpo: ['lambda', 'divergence'],
  mesa: ['lambda', 'decay', 'divergence'],
  'asam+r3f': ['rho', 'eta', 'scope', 'lambda', 'noise'],
  'asam+trpo': ['rho', 'eta', 'scope', 'lambda'],
  'asam+mesa': ['rho', 'eta', 'scope', 'lambda', 'decay'],
};

/** Checks a method config, fills its defaults and returns the normalised copy (what getConfig reports). */
export function normalizeMethod(method: unknown): AnyRecord {
  if (!method || typeof method !== 'object') {
    throw new OptimConfigError(`a method config must be an object like {name: 'sam', rho: 0.05} (got ${JSON.stringify(method)})`);
  }
  const c = method as AnyRecord;
  const name = checkOneOf('method.name', c.name, METHOD_NAMES);
  const unknown = Object.keys(c).filter((k) => k !== 'name' && !METHOD_KEYS[name].includes(k) && c[k] !== undefined);
  if (unknown.length) {
    const allowed = METHOD_KEYS[name];
    throw new OptimConfigError(
      `unknown option${unknown.length > 1 ? 's' : ''} ${unknown.map((k) => `'${k}'`).join(', ')} for method '${name}': ` +
        (allowed.length ? `it takes ${allowed.map((k) => `'${k}'`).join(', ')}` : 'it takes no options'),
    );
  }
  const rho = (d: number) => normalizeSchedule('rho', c.rho ?? d, 'rho is the ascent radius; pass rho >= 0 (SAM 0.05, ASAM 0.5 in the paper)');
  const eta = (d: number) => checkNonNegative('eta', c.eta ?? d, 'pass eta >= 0');
  const gamma = () => normalizeSchedule('gamma', c.gamma ?? 0.1, 'gamma is the Fisher-SAM radius; pass gamma >= 0 (0.1 in the paper)');
  const lambda = () => checkNonNegative('lambda', c.lambda ?? 0.1, 'lambda weighs the trust-region term; pass lambda >= 0 (0.1 in the paper)');
  const scope = () => checkOneOf('scope', c.scope ?? 'weights', ['weights', 'all'] as const);
  const noise = () => normalizeNoise(c.noise as Partial<NoiseConfig> | undefined);
  switch (name) {
    case 'sgd':
    case 'adam':
    case 'base':
    case 'none':
      return { name };
    case 'sam':
      return { name, rho: rho(0.05) };
    case 'asam':
      return { name, rho: rho(0.5), eta: eta(0.01), scope: scope() };
    case 'fisher-sam':
      return { name, gamma: gamma(), eta: eta(0.1) };
    case 'tram-fisher':
      return { name, gamma: gamma(), eta: eta(0.1), noise: noise() };
    case 'r3f':
      return { name, lambda: lambda(), noise: noise() };
    case 'trpo':
      return { name, lambda: lambda(), divergence: normalizeDivergence(c.divergence ?? { kind: 'kl' }) };
    case 'mesa':
      return { name, lambda: lambda(), decay: checkDecay('decay', c.decay ?? 0.999), divergence: normalizeDivergence(c.divergence ?? { kind: 'kl' }) };
    case 'tram': {
      const target = checkOneOf('target', c.target, ['x', 'theta0', 'theta-prev', 'ema'] as const);
      const r = checkDivergenceRadius({ scale: c.scale as Schedule | undefined, rhoMax: c.rhoMax as number | undefined });
      const out: AnyRecord = { name, target };
      if (target === 'ema') {
        if (c.decay === undefined) throw new OptimConfigError("target 'ema' needs a decay in [0, 1] (e.g. decay: 0.999)");
        out.decay = checkDecay('decay', c.decay);
      }
      Object.assign(out, { eta: eta(0.01), scope: scope(), scale: r.scale });
      if (r.rhoMax !== undefined) out.rhoMax = r.rhoMax;
      out.divergence = normalizeDivergence(c.divergence ?? { kind: 'kl' });
      if (target === 'x') out.noise = noise();
      return out;
    }
    case 'asam+r3f':
    case 'asam+trpo':
    case 'asam+mesa': {
      const out: AnyRecord = { name, rho: rho(0.5), eta: eta(0.01), scope: scope(), lambda: lambda() };
      if (name === 'asam+mesa') out.decay = checkDecay('decay', c.decay ?? 0.999);
      if (name === 'asam+r3f') out.noise = noise();
      return out;
    }
  }
}

/** Builds the optimizer for a method config around a base `tf.Optimizer`. */
export function createOptimizer(method: MethodConfig | AnyRecord, base: tf.Optimizer, options: CreateOptions = {}): SharpnessAwareOptimizer {
  const c = normalizeMethod(method);
  const name = c.name as MethodName;
  const noise = options.noise ?? (c.noise ? noiseFromConfig(c.noise as NoiseConfig) : null);
  let ascent: AscentRule | null = null;
  let regularizer: Regularizer | null = null;
  const asam = (): AscentRule => ({
    preconditioner: adaptivePreconditioner(c.eta as number, c.scope as Scope),
    radius: { kind: 'constant', value: c.rho as Schedule },
  });
  switch (name) {
    case 'sam':
      ascent = { preconditioner: identityPreconditioner(), radius: { kind: 'constant', value: c.rho as Schedule } };
      break;
    case 'asam':
      ascent = asam();
      break;
    case 'fisher-sam':
    case 'tram-fisher':
      ascent = {
        preconditioner: fisherPreconditioner(c.eta as number),
        radius: { kind: 'constant', value: c.gamma as Schedule },
        gradient: name === 'tram-fisher' ? 'noised' : 'clean',
      };
      break;
    case 'tram': {
      const target =
        c.target === 'x'
          ? targetFromName('x')
          : parameterHistoryTarget({
              decay: c.target === 'theta0' ? 1 : c.target === 'theta-prev' ? 0 : (c.decay as number),
              initial: options.initialTarget,
            });
      ascent = {
        preconditioner: adaptivePreconditioner(c.eta as number, c.scope as Scope),
        radius: {
          kind: 'divergence',
          target,
          divergence: c.divergence as DivergenceSpec,
          scale: c.scale as Schedule,
          ...(c.rhoMax !== undefined ? { rhoMax: c.rhoMax as number } : {}),
        },
      };
      break;
    }
    case 'r3f':
      regularizer = r3fRegularizer(c.lambda as number);
      break;
    case 'trpo':
      regularizer = trpoRegularizer(c.lambda as number, c.divergence as DivergenceSpec);
      break;
    case 'mesa':
      regularizer = mesaRegularizer(c.lambda as number, c.decay as number, c.divergence as DivergenceSpec);
      break;
    case 'asam+r3f':
      ascent = asam();
      regularizer = r3fRegularizer(c.lambda as number);
      break;
    case 'asam+trpo':
      ascent = asam();
      regularizer = trpoRegularizer(c.lambda as number);
      break;
    case 'asam+mesa':
      ascent = asam();
      regularizer = mesaRegularizer(c.lambda as number, c.decay as number);
      break;
    default:
      break;
  }
  const opts: SharpnessAwareOptions = {
    name,
    ascent,
    regularizer,
    noise,
    batchSplits: options.batchSplits,
    onNonFinite: options.onNonFinite,
    reportCleanLoss: options.reportCleanLoss,
    targetTraining: options.targetTraining,
    compare: options.compare,
    loss: options.loss,
  };
  const opt = new SharpnessAwareOptimizer(base, opts);
  opt.methodConfig = c;
  return opt;
}

export type { OptimizerConfig } from './optimizer';

/** The serialisable config of an optimizer built by createOptimizer (same as `opt.getConfig()`). */
export function getConfig(opt: SharpnessAwareOptimizer): OptimizerConfig {
  return opt.getConfig();
}

const BASE_CLASSES: Record<string, tf.serialization.SerializableConstructor<tf.Optimizer>> = {
  SGD: tf.SGDOptimizer as unknown as tf.serialization.SerializableConstructor<tf.Optimizer>,
  Momentum: tf.MomentumOptimizer as unknown as tf.serialization.SerializableConstructor<tf.Optimizer>,
  Adam: tf.AdamOptimizer as unknown as tf.serialization.SerializableConstructor<tf.Optimizer>,
  Adamax: tf.AdamaxOptimizer as unknown as tf.serialization.SerializableConstructor<tf.Optimizer>,
  Adagrad: tf.AdagradOptimizer as unknown as tf.serialization.SerializableConstructor<tf.Optimizer>,
  Adadelta: tf.AdadeltaOptimizer as unknown as tf.serialization.SerializableConstructor<tf.Optimizer>,
  RMSProp: tf.RMSPropOptimizer as unknown as tf.serialization.SerializableConstructor<tf.Optimizer>,
};

/** Rebuilds a base tf.Optimizer from its class name and config. */
export function baseFromConfig(b: { className: string; config: tf.serialization.ConfigDict }): tf.Optimizer {
  const cls = BASE_CLASSES[b?.className];
  if (!cls) {
    throw new OptimConfigError(`unknown base optimizer class ${JSON.stringify(b?.className)}: expected one of ${Object.keys(BASE_CLASSES).join(', ')}`);
  }
  return (cls as unknown as { fromConfig(c: unknown, cfg: tf.serialization.ConfigDict): tf.Optimizer }).fromConfig(cls, b.config);
}

/** Rebuilds an optimizer from getConfig's output (its state — slots, target history, step count — starts fresh). */
export function fromConfig(config: OptimizerConfig, extra: Pick<CreateOptions, 'noise' | 'initialTarget' | 'loss'> = {}): SharpnessAwareOptimizer {
  if (!config || typeof config !== 'object' || !config.method || !config.base) {
    throw new OptimConfigError('fromConfig needs {method, base, options} as returned by getConfig');
  }
  return createOptimizer(config.method, baseFromConfig(config.base), { ...(config.options ?? {}), ...extra });
}
