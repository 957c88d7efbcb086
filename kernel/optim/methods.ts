/**
 * The method catalogue: one table from which the method names, each method's accepted keys, its defaults and
 * validation (normalise), what it builds (an ascent rule and/or a regulariser) and the config types derive.
 * Adding a method is adding one row.
 *
 * Defaults are the paper's (Appendix B): SAM ρ = 0.05, ASAM ρ = 0.5 (η = 0.01, kernels only), Fisher-SAM
 * γ = η = 0.1, λ = 0.1 and σ = 0.1 for the trust-region terms, MESA decay 0.999; MESA's temperature τ = 5 is Du et
 * al.'s released default and its start step 0 (the term on from the first step) the library's (regularizers.ts).
 *
 *   SAM          ε = ρ g/‖g‖                               (ascent: P = 1, r = ρ)
 *   ASAM         ε = ρ T²g/‖Tg‖, T = |θ| + η               (ascent: P = T², r = ρ)
 *   Fisher-SAM   ε = γ f⁻¹g/√(gᵀf⁻¹g), f = 1 + η g²         (ascent: P = f⁻¹, r = γ)
 *   TRAM         ASAM with r = min(scale·d, rhoMax), d = D(q_target, p)
 *   TRAM-Fisher  Fisher-SAM with g from the noised batch
 *   R3F / TRPO / MESA   no ascent; L + λ·(trust-region term); MESA's term is τ²·KL(q_EMA/τ ‖ p/τ) from step `start`
 *   asam+…       ASAM's ascent with the regulariser added
 *   sgd | adam | base | none   the base optimizer alone ('sgd' and 'adam' must match the base passed)
 */
import * as tf from '@tensorflow/tfjs';
import { OptimConfigError, checkDecay, checkNonNegative, checkOneOf, checkPositive } from '../core';
import { DivergenceSpec, normalizeDivergence } from './divergences';
import { NoiseConfig, normalizeNoise } from './noise';
import { AscentRule } from './pass';
import { Scope, adaptivePreconditioner, fisherPreconditioner, identityPreconditioner } from './perturbation';
import { checkDivergenceRadius } from './radius';
import { Regularizer, checkStart, mesaRegularizer, r3fRegularizer, trpoRegularizer } from './regularizers';
import { Schedule, normalizeSchedule } from './schedule';
import { parameterHistoryTarget, targetFromName } from './targets';

export type TramTarget = 'x' | 'theta0' | 'theta-prev' | 'ema';

type AnyRecord = Record<string, unknown>;

/** What a method adds around the base optimizer. */
export interface MethodParts {
  ascent?: AscentRule;
  regularizer?: Regularizer;
}

/** Options of createOptimizer that a method's build reads. */
export interface BuildContext {
  initialTarget?: tf.Tensor[] | tf.LayersModel;
}

/** One row: `In` is the user-facing config (besides `name`), `Out` the normalised one. */
export interface MethodSpec<In, Out> {
  /** The keys the config accepts. */
  keys: readonly (keyof In & string)[];
  /** Checks a config and fills its defaults. */
  normalize(c: AnyRecord): Out;
  /** The ascent and/or regulariser for a normalised config. */
  build(c: Out, ctx: BuildContext): MethodParts;
  /** For 'sgd' / 'adam': the tfjs class names of the base optimizers the name stands for. */
  baseClasses?: readonly string[];
  /** Phantom: carries `In` for the config types. */
  readonly input?: In;
}

/** A row with its input type fixed and its normalised type inferred. */
const row =
  <In>() =>
  <Out>(spec: Omit<MethodSpec<In, Out>, 'input'>): MethodSpec<In, Out> =>
    spec;

// Field readers: each checks one key and applies its default.
const rho = (c: AnyRecord, d: number): Schedule =>
  normalizeSchedule('rho', c.rho ?? d, 'rho is the ascent radius; pass rho >= 0 (SAM 0.05, ASAM 0.5 in the paper)');
const eta = (c: AnyRecord, d: number): number => checkNonNegative('eta', c.eta ?? d, 'pass eta >= 0');
const gamma = (c: AnyRecord): Schedule =>
  normalizeSchedule('gamma', c.gamma ?? 0.1, 'gamma is the Fisher-SAM radius; pass gamma >= 0 (0.1 in the paper)');
const lambda = (c: AnyRecord): number =>
  checkNonNegative('lambda', c.lambda ?? 0.1, 'lambda weighs the trust-region term; pass lambda >= 0 (0.1 in the paper)');
const scope = (c: AnyRecord): Scope => checkOneOf('scope', c.scope ?? 'weights', ['weights', 'all'] as const);
const noise = (c: AnyRecord): NoiseConfig => normalizeNoise(c.noise as Partial<NoiseConfig> | undefined);
const kl = (c: AnyRecord): DivergenceSpec => normalizeDivergence(c.divergence ?? { kind: 'kl' });
const mesaDecay = (c: AnyRecord): number => checkDecay('decay', c.decay ?? 0.999);
const temperature = (c: AnyRecord): number =>
  checkPositive('temperature', c.temperature ?? 5, 'the temperature divides both logits inside the KL; pass temperature > 0 (5 in Du et al., 1 for none)');
const start = (c: AnyRecord): number => checkStart(c.start ?? 0);

interface AsamIn { rho?: Schedule; eta?: number; scope?: Scope }
interface Asam { rho: Schedule; eta: number; scope: Scope }
const asamOf = (c: AnyRecord): Asam => ({ rho: rho(c, 0.5), eta: eta(c, 0.01), scope: scope(c) });
const asamAscent = (c: Asam): AscentRule => ({
  preconditioner: adaptivePreconditioner(c.eta, c.scope),
  radius: { kind: 'constant', value: c.rho },
});
const baseOnly = (classes?: readonly string[]) =>
  row<Record<never, never>>()({ keys: [], normalize: () => ({}), build: () => ({}), baseClasses: classes });

interface TramIn {
  target: TramTarget;
  decay?: number;
  eta?: number;
  scope?: Scope;
  scale?: Schedule;
  rhoMax?: number | null;
  divergence?: DivergenceSpec;
  noise?: NoiseConfig;
}
interface Tram {
  target: TramTarget;
  decay?: number;
  eta: number;
  scope: Scope;
  scale: Schedule;
  rhoMax?: number;
  divergence: DivergenceSpec;
  noise?: NoiseConfig;
}

function normalizeTram(c: AnyRecord): Tram {
  const target = checkOneOf('target', c.target, ['x', 'theta0', 'theta-prev', 'ema'] as const);
  const r = checkDivergenceRadius({ scale: c.scale as Schedule | undefined, rhoMax: c.rhoMax as number | undefined });
  if (target === 'ema' && c.decay === undefined) throw new OptimConfigError("target 'ema' needs a decay in [0, 1] (e.g. decay: 0.999)");
  // Key order is what getConfig reports.
  return {
    target,
    ...(target === 'ema' ? { decay: checkDecay('decay', c.decay) } : {}),
    eta: eta(c, 0.01),
    scope: scope(c),
    scale: r.scale,
    ...(r.rhoMax !== undefined ? { rhoMax: r.rhoMax } : {}),
    divergence: kl(c),
    ...(target === 'x' ? { noise: noise(c) } : {}),
  };
}

function buildTram(c: Tram, ctx: BuildContext): MethodParts {
  const decay = c.target === 'theta0' ? 1 : c.target === 'theta-prev' ? 0 : c.decay;
  const target = c.target === 'x' ? targetFromName('x') : parameterHistoryTarget({ decay: decay as number, initial: ctx.initialTarget });
  return {
    ascent: {
      preconditioner: adaptivePreconditioner(c.eta, c.scope),
      radius: { kind: 'divergence', target, divergence: c.divergence, scale: c.scale, ...(c.rhoMax !== undefined ? { rhoMax: c.rhoMax } : {}) },
    },
  };
}

/** The catalogue. */
export const METHODS = {
  sgd: baseOnly(['SGD', 'Momentum', 'FlatMomentum']),
  adam: baseOnly(['Adam', 'FlatAdam']),
  base: baseOnly(),
  none: baseOnly(),
  sam: row<{ rho?: Schedule }>()({
    keys: ['rho'],
    normalize: (c) => ({ rho: rho(c, 0.05) }),
    build: (c) => ({ ascent: { preconditioner: identityPreconditioner(), radius: { kind: 'constant', value: c.rho } } }),
  }),
  asam: row<AsamIn>()({ keys: ['rho', 'eta', 'scope'], normalize: asamOf, build: (c) => ({ ascent: asamAscent(c) }) }),
  'fisher-sam': row<{ gamma?: Schedule; eta?: number }>()({
    keys: ['gamma', 'eta'],
    normalize: (c) => ({ gamma: gamma(c), eta: eta(c, 0.1) }),
    build: (c) => ({ ascent: { preconditioner: fisherPreconditioner(c.eta), radius: { kind: 'constant', value: c.gamma }, gradient: 'clean' } }),
  }),
  tram: row<TramIn>()({
    keys: ['target', 'decay', 'eta', 'scope', 'scale', 'rhoMax', 'divergence', 'noise'],
    normalize: normalizeTram,
    build: buildTram,
  }),
  'tram-fisher': row<{ gamma?: Schedule; eta?: number; noise?: NoiseConfig }>()({
    keys: ['gamma', 'eta', 'noise'],
    normalize: (c) => ({ gamma: gamma(c), eta: eta(c, 0.1), noise: noise(c) }),
    build: (c) => ({ ascent: { preconditioner: fisherPreconditioner(c.eta), radius: { kind: 'constant', value: c.gamma }, gradient: 'noised' } }),
  }),
  r3f: row<{ lambda?: number; noise?: NoiseConfig }>()({
    keys: ['lambda', 'noise'],
    normalize: (c) => ({ lambda: lambda(c), noise: noise(c) }),
    build: (c) => ({ regularizer: r3fRegularizer(c.lambda) }),
  }),
  trpo: row<{ lambda?: number; divergence?: DivergenceSpec }>()({
    keys: ['lambda', 'divergence'],
    normalize: (c) => ({ lambda: lambda(c), divergence: kl(c) }),
    build: (c) => ({ regularizer: trpoRegularizer(c.lambda, c.divergence) }),
  }),
  mesa: row<{ lambda?: number; decay?: number; temperature?: number; start?: number; divergence?: DivergenceSpec }>()({
    keys: ['lambda', 'decay', 'temperature', 'start', 'divergence'],
    normalize: (c) => ({ lambda: lambda(c), decay: mesaDecay(c), temperature: temperature(c), start: start(c), divergence: kl(c) }),
    build: (c) => ({ regularizer: mesaRegularizer(c.lambda, c.decay, c.divergence, { temperature: c.temperature, start: c.start }) }),
  }),
  'asam+r3f': row<AsamIn & { lambda?: number; noise?: NoiseConfig }>()({
    keys: ['rho', 'eta', 'scope', 'lambda', 'noise'],
    normalize: (c) => ({ ...asamOf(c), lambda: lambda(c), noise: noise(c) }),
    build: (c) => ({ ascent: asamAscent(c), regularizer: r3fRegularizer(c.lambda) }),
  }),
  'asam+trpo': row<AsamIn & { lambda?: number }>()({
    keys: ['rho', 'eta', 'scope', 'lambda'],
    normalize: (c) => ({ ...asamOf(c), lambda: lambda(c) }),
    build: (c) => ({ ascent: asamAscent(c), regularizer: trpoRegularizer(c.lambda) }),
  }),
  'asam+mesa': row<AsamIn & { lambda?: number; decay?: number; temperature?: number; start?: number }>()({
    keys: ['rho', 'eta', 'scope', 'lambda', 'decay', 'temperature', 'start'],
    normalize: (c) => ({ ...asamOf(c), lambda: lambda(c), decay: mesaDecay(c), temperature: temperature(c), start: start(c) }),
    build: (c) => ({ ascent: asamAscent(c), regularizer: mesaRegularizer(c.lambda, c.decay, undefined, { temperature: c.temperature, start: c.start }) }),
  }),
};

type Catalogue = typeof METHODS;
export type MethodName = keyof Catalogue;
type InputOf<S> = S extends MethodSpec<infer I, unknown> ? I : never;

/** A method config (FORMAT.md's `method` JSON), typed per method from the catalogue. */
export type MethodConfig = { [N in MethodName]: { name: N } & InputOf<Catalogue[N]> }[MethodName];

export const METHOD_NAMES = Object.keys(METHODS) as MethodName[];

/** The catalogue row of a name (the row's types widened: callers hold a normalised config of that row). */
export function methodSpec(name: MethodName): MethodSpec<unknown, AnyRecord> {
  return METHODS[name] as unknown as MethodSpec<unknown, AnyRecord>;
}
