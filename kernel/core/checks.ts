/**
 * The library's input checks, one module. Each returns the checked value or throws a {@link TramError} whose
 * message names the argument, the value received and the fix:
 * - hyperparameters (`checkFinite`, `checkNonNegative`, `checkPositive`, `checkDecay`, `checkOneOf`,
 *   `checkPositiveInt`, `checkShapesMatch`) throw {@link OptimConfigError};
 * - the analysis tools' arguments (`checkVariables`, `checkNumber`, `checkLike`) throw {@link InputError}
 *   prefixed with the calling function's name.
 */
import * as tf from '@tensorflow/tfjs';
import { InputError, OptimConfigError } from './errors';

function fmt(v: unknown): string {
  return typeof v === 'number' ? String(v) : JSON.stringify(v);
}

/** `name` must be a finite number (not NaN, not ±Infinity). */
export function checkFinite(name: string, v: unknown, hint = ''): number {
  if (typeof v !== 'number' || !Number.isFinite(v)) {
    throw new OptimConfigError(`${name} must be a finite number (got ${fmt(v)})${hint ? ': ' + hint : ''}`);
  }
  return v;
}

/** `name` must be a finite number >= 0. */
export function checkNonNegative(name: string, v: unknown, hint = ''): number {
  checkFinite(name, v, hint);
  if ((v as number) < 0) {
    throw new OptimConfigError(`${name} must be >= 0 (got ${fmt(v)})${hint ? ': ' + hint : ''}`);
  }
  return v as number;
}

/** `name` must be a finite number > 0. */
export function checkPositive(name: string, v: unknown, hint = ''): number {
  checkFinite(name, v, hint);
  if ((v as number) <= 0) {
    throw new OptimConfigError(`${name} must be > 0 (got ${fmt(v)})${hint ? ': ' + hint : ''}`);
  }
  return v as number;
}

/** A decay (EMA coefficient) must lie in [0, 1]. */
export function checkDecay(name: string, v: unknown): number {
  checkFinite(name, v, 'pass a decay in [0, 1] (0 = previous step, 1 = frozen initial weights)');
  if ((v as number) < 0 || (v as number) > 1) {
    throw new OptimConfigError(
      `${name} must be in [0, 1] (got ${fmt(v)}): 0 keeps the previous step's weights, 1 the initial weights, ` +
        'values in between an exponential moving average',
    );
  }
  return v as number;
}

/** `v` must be one of `allowed`. */
export function checkOneOf<T extends string>(name: string, v: unknown, allowed: readonly T[]): T {
  if (typeof v !== 'string' || !(allowed as readonly string[]).includes(v)) {
    throw new OptimConfigError(`${name} must be one of ${allowed.map((a) => `'${a}'`).join(', ')} (got ${fmt(v)})`);
  }
  return v as T;
}

/** A positive integer (e.g. batchSplits). */
export function checkPositiveInt(name: string, v: unknown): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 1) {
    throw new OptimConfigError(`${name} must be a positive integer (got ${fmt(v)})`);
  }
  return v;
}

/** Two shape lists must match tensor by tensor. `what` names the tensors compared. */
export function checkShapesMatch(what: string, want: number[][], got: number[][], fix: string): void {
  if (want.length !== got.length) {
    throw new OptimConfigError(`${what}: expected ${want.length} tensors, got ${got.length}: ${fix}`);
  }
  for (let i = 0; i < want.length; i++) {
    const a = want[i];
    const b = got[i];
    if (a.length !== b.length || a.some((d, j) => d !== b[j])) {
      throw new OptimConfigError(`${what}: tensor ${i} has shape [${b}] but the model's has [${a}]: ${fix}`);
    }
  }
}

/** Throws a clear error unless `variables` is a non-empty array of float32 variables. */
export function checkVariables(fn: string, variables: readonly tf.Variable[]): void {
  if (!Array.isArray(variables) || variables.length === 0) {
    throw new InputError(
      `${fn}: variables must be a non-empty array of tf.Variable (got ${Array.isArray(variables) ? 'an empty array' : typeof variables}): ` +
        'pass e.g. model.trainableWeights.map((w) => w.read())',
    );
  }
  variables.forEach((v, i) => {
    if (v == null || typeof (v as tf.Variable).assign !== 'function') {
      throw new InputError(`${fn}: variables[${i}] is not a tf.Variable: pass the variables the loss reads (for a model, model.trainableWeights.map((w) => w.read()))`);
    }
    if (v.dtype !== 'float32') throw new InputError(`${fn}: variables[${i}] (${v.name}) has dtype ${v.dtype}; only float32 parameters can be perturbed`);
  });
}

/** Throws unless `x` is a finite number within [min, max] (and an integer when asked). */
export function checkNumber(fn: string, name: string, x: unknown, opts: { min?: number; max?: number; integer?: boolean; exclusiveMin?: boolean; hint?: string }): number {
  const ok =
    typeof x === 'number' &&
    Number.isFinite(x) &&
    (!opts.integer || Number.isInteger(x)) &&
    (opts.min === undefined || (opts.exclusiveMin ? x > opts.min : x >= opts.min)) &&
    (opts.max === undefined || x <= opts.max);
  if (!ok) {
    const kind = opts.integer ? 'an integer' : 'a number';
    const lo = opts.min === undefined ? '' : ` ${opts.exclusiveMin ? '>' : '>='} ${opts.min}`;
    const hi = opts.max === undefined ? '' : `${lo ? ' and' : ''} <= ${opts.max}`;
    throw new InputError(`${fn}: ${name} must be ${kind}${lo}${hi} (got ${String(x)})${opts.hint ? `: ${opts.hint}` : ''}`);
  }
  return x as number;
}

/** Tensors with the same shapes as `variables` (e.g. a direction), checked one by one. */
export function checkLike(fn: string, name: string, tensors: readonly tf.Tensor[] | undefined, variables: readonly tf.Variable[]): void {
  if (!Array.isArray(tensors) || tensors.length !== variables.length) {
    throw new InputError(`${fn}: ${name} must be an array of ${variables.length} tensors, one per variable (got ${Array.isArray(tensors) ? tensors.length : typeof tensors})`);
  }
  tensors.forEach((t, i) => {
    if (!t || !tf.util.arraysEqual(t.shape, variables[i].shape)) {
      throw new InputError(`${fn}: ${name}[${i}] has shape [${t?.shape}] but variables[${i}] has shape [${variables[i].shape}]`);
    }
  });
}
