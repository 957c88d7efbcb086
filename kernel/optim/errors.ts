/**
 * Errors and input checks for the optimizer library. Every message names the problem, the value received and
 * the fix, e.g. `rho must be >= 0 (got -1): the SAM radius is a ball size; pass rho >= 0`.
 */

/** A hyperparameter or input that cannot be used. */
export class OptimConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'OptimConfigError';
  }
}

/** A non-finite loss, divergence or gradient met during a step (see the `onNonFinite` option). */
export class NonFiniteError extends Error {
  constructor(
    message: string,
    readonly method: string,
    readonly step: number,
    readonly quantity: string,
  ) {
    super(message);
    this.name = 'NonFiniteError';
  }
}

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
