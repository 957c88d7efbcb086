/**
 * The output edits of one running cell, applied one after another, with in-place updates paced to the editor.
 *
 * Contract (EditQueue<O, I>; O is an output handle, I its items):
 *   - `push(output, run)` (a new output, text appended to a stream): runs after every edit queued before it; never
 *     merged, never dropped. An edit that fails does not stop the ones after it.
 *   - `replace(output, items)` (a display updated in place: a live chart, a progress bar): if a replace of the
 *     same output is queued and not started yet, its items become these (latest wins) and it keeps its place;
 *     otherwise a new replace is queued. So at most one replace per output waits, however fast the kernel sends
 *     and however slow the editor applies: the editor never falls behind by more than one state per output.
 *   - pacing: a replace of an output starts no sooner than max(minGapMs, busyFactor · d) after that output's
 *     previous replace was applied, d being how long the editor took to apply it. Per output that is at most
 *     1 + T / minGapMs replaces in T ms, and one output's redraws keep a slow editor busy at most
 *     1 / (1 + busyFactor) of the time, leaving it free for other notebooks and the UI. Edits behind a waiting
 *     replace wait too (order is kept).
 *   - `flushed()` resolves once everything queued so far has been applied: the last items given to `replace`
 *     for each output are always applied (the cell's final state reaches the editor).
 */

/** Time source; tests pass a fake one and count edits. */
export interface PaceClock {
  now(): number;
  sleep(ms: number): Promise<void>;
}

export const realClock: PaceClock = {
  now: () => Date.now(),
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
};

export interface EditQueueOptions {
  /** Least time between two replaces of one output (default 200 ms: at most 5 per second). */
  minGapMs?: number;
  /** The gap is also at least this many times the last replace's apply time (default 2). */
  busyFactor?: number;
  clock?: PaceClock;
}

type Entry<O, I> = { kind: 'edit'; output: O; run: () => PromiseLike<void> } | { kind: 'replace'; output: O; items: I };

export class EditQueue<O, I> {
  private readonly queue: Entry<O, I>[] = [];
  /** The replace of each output that is queued and not started. */
  private readonly waiting = new Map<O, { kind: 'replace'; output: O; items: I }>();
  /** When each output may next be replaced. */
  private readonly nextAt = new Map<O, number>();
  private draining = false;
  private idle: (() => void)[] = [];
  private readonly minGapMs: number;
  private readonly busyFactor: number;
  private readonly clock: PaceClock;

  constructor(private readonly applyReplace: (output: O, items: I) => PromiseLike<void>, opts: EditQueueOptions = {}) {
    this.minGapMs = opts.minGapMs ?? 200;
    this.busyFactor = opts.busyFactor ?? 2;
    this.clock = opts.clock ?? realClock;
  }

  push(output: O, run: () => PromiseLike<void>): void {
    // A later replace of this output must come after this edit: it may not merge into one queued before it.
    this.waiting.delete(output);
    this.queue.push({ kind: 'edit', output, run });
    this.drain();
  }

  replace(output: O, items: I): void {
    const queued = this.waiting.get(output);
    if (queued) {
      queued.items = items;
      return;
    }
    const entry = { kind: 'replace' as const, output, items };
    this.waiting.set(output, entry);
    this.queue.push(entry);
    this.drain();
  }

  /** Resolves when every edit queued so far has been applied. */
  flushed(): Promise<void> {
    if (!this.draining && this.queue.length === 0) return Promise.resolve();
    return new Promise((resolve) => this.idle.push(resolve));
  }

  private drain(): void {
    if (this.draining) return;
    this.draining = true;
    void this.loop();
  }

  private async loop(): Promise<void> {
    while (this.queue.length) {
      const head = this.queue[0];
      if (head.kind === 'replace') {
        const wait = (this.nextAt.get(head.output) ?? -Infinity) - this.clock.now();
        if (wait > 0) await this.clock.sleep(wait); // newer items keep merging into `head` meanwhile
      }
      this.queue.shift();
      const t0 = this.clock.now();
      try {
        if (head.kind === 'replace') {
          if (this.waiting.get(head.output) === head) this.waiting.delete(head.output);
          await this.applyReplace(head.output, head.items);
        } else {
          await head.run();
        }
      } catch {
        // The editor refused one edit (e.g. the cell was deleted while it ran): the others still apply.
      }
      if (head.kind === 'replace') {
        const t1 = this.clock.now();
        this.nextAt.set(head.output, t1 + Math.max(this.minGapMs, this.busyFactor * (t1 - t0)));
      }
    }
    this.draining = false;
    for (const resolve of this.idle.splice(0)) resolve();
  }
}
