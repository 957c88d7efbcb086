/**
 * The library's one error hierarchy. Every message names the problem, the value received and the fix, e.g.
 * `rho must be >= 0 (got -1): the SAM radius is a ball size; pass rho >= 0`.
 *
 *   TramError            anything the library throws on purpose
 *   ├─ InputError        an argument that cannot be used (shape, type, range); analysis tools, data, charts
 *   │  └─ OptimConfigError   a hyperparameter or optimizer input (kept as its own name: users catch it)
 *   └─ NonFiniteError    a non-finite loss, divergence or gradient met during a step
 */

/** Base class of every error the library raises deliberately. */
export class TramError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TramError';
  }
}

/** An argument that cannot be used. */
export class InputError extends TramError {
  constructor(message: string) {
    super(message);
    this.name = 'InputError';
  }
}

/** A hyperparameter or optimizer input that cannot be used. */
export class OptimConfigError extends InputError {
  constructor(message: string) {
    super(message);
    this.name = 'OptimConfigError';
  }
}

/** A non-finite loss, divergence or gradient met during a step (see the optimizer's `onNonFinite` option). */
export class NonFiniteError extends TramError {
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
