/**
 * Which cell a piece of code belongs to, across `await`s and timers.
 *
 * Each cell runs inside `cellScope.run(ctx, ...)`; an AsyncLocalStorage carries the context into every
 * continuation the cell starts, so output written later (a timer, a promise) is attributed to the right cell
 * and work started by an interrupted cell can be stopped at its next timer.
 */
import { AsyncLocalStorage } from 'node:async_hooks';

/** Raised inside a cell whose run was interrupted. */
export class InterruptedError extends Error {
  constructor(message = 'interrupted') {
    super(message);
    this.name = 'InterruptedError';
  }
}

export class CellContext {
  readonly controller = new AbortController();
  private rejectInterrupt!: (e: Error) => void;
  /** Rejects when the cell is interrupted; raced against the cell's promise. */
  readonly interrupted: Promise<never>;

  constructor(readonly cell: string) {
    this.interrupted = new Promise<never>((_, reject) => {
      this.rejectInterrupt = reject;
    });
    this.interrupted.catch(() => undefined);
  }

  get signal(): AbortSignal {
    return this.controller.signal;
  }

  get aborted(): boolean {
    return this.controller.signal.aborted;
  }

  interrupt(): void {
    if (this.aborted) return;
    const err = new InterruptedError();
    this.controller.abort(err);
    this.rejectInterrupt(err);
  }
}

export const cellScope = new AsyncLocalStorage<CellContext>();

/** The context of the code running now (undefined outside cells). */
export function currentContext(): CellContext | undefined {
  return cellScope.getStore();
}

/**
 * Make timers created by an interrupted cell never fire, so an awaited loop such as
 * `while (true) { await sleep(10); ... }` stops at its next timer instead of running on in the background.
 */
export function installTimerGuards(): void {
  const g = globalThis as unknown as Record<string, unknown>;
  for (const name of ['setTimeout', 'setInterval', 'setImmediate'] as const) {
    const original = g[name] as (cb: (...a: unknown[]) => void, ...rest: unknown[]) => unknown;
    if ((original as { __tramGuarded?: boolean }).__tramGuarded) continue;
    const guarded = function (this: unknown, cb: unknown, ...rest: unknown[]) {
      const ctx = cellScope.getStore();
      if (!ctx || typeof cb !== 'function') return original.call(this, cb as never, ...rest);
      const fn = cb as (...a: unknown[]) => void;
      return original.call(this, function (this: unknown, ...args: unknown[]) {
        if (ctx.aborted) return;
        return fn.apply(this, args);
      }, ...rest);
    };
    Object.assign(guarded, original); // keeps util.promisify.custom and friends
    for (const sym of Object.getOwnPropertySymbols(original)) {
      (guarded as unknown as Record<symbol, unknown>)[sym] = (original as unknown as Record<symbol, unknown>)[sym];
    }
    (guarded as { __tramGuarded?: boolean }).__tramGuarded = true;
    g[name] = guarded;
  }
}
