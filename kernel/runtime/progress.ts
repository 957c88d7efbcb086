/**
 * `progress`: one display that follows a long loop — count, rate, ETA and the latest metrics (loss ...).
 *
 *   const bar = progress(1000, { label: 'train' });
 *   for (let i = 0; i < 1000; i++) { ...; bar.tick({ loss }); }
 *   bar.done();
 *
 *   for (const i of progress.range(1000)) { ... }        // same, as an iterator
 *
 * Redraws are throttled (every 200 ms by default, plus the first and the last), so a tight loop pays only a
 * clock read per tick. `tick` throws `InterruptedError` once the cell was interrupted, which ends async loops
 * that would otherwise keep running in the background.
 */
import { currentContext, InterruptedError } from './context';
import { display, DisplayHandle } from './display';

export interface ProgressOptions {
  /** Text before the bar. */
  label?: string;
  /** Minimum milliseconds between redraws (default 200). */
  throttleMs?: number;
}

export type Metrics = Record<string, number>;

function fmtDuration(s: number): string {
  if (!Number.isFinite(s)) return '?';
  if (s < 60) return `${s.toFixed(s < 10 ? 1 : 0)}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m${String(Math.round(s % 60)).padStart(2, '0')}s`;
  return `${Math.floor(m / 60)}h${String(m % 60).padStart(2, '0')}m`;
}

function fmtMetric(x: number): string {
  return Math.abs(x) >= 1e4 || (x !== 0 && Math.abs(x) < 1e-3) ? x.toExponential(3) : x.toFixed(4);
}

function escapeHtml(s: string): string {
  return s.replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]!);
}

export class Progress {
  count = 0;
  metrics: Metrics = {};
  private readonly started = Date.now();
  private lastDraw = 0;
  private finished = false;
  private readonly handle: DisplayHandle;
  private readonly throttleMs: number;

  constructor(readonly total: number | undefined, private readonly opts: ProgressOptions = {}) {
    if (total !== undefined && !(Number.isFinite(total) && total >= 0)) {
      throw new RangeError(`progress total must be a finite number >= 0 (got ${total}); omit it when unknown`);
    }
    this.throttleMs = opts.throttleMs ?? 200;
    this.handle = display.handle();
    this.draw();
  }

  /** Advance by `n` (default 1) and record metrics such as `{ loss }`. */
  tick(n: number | Metrics = 1, metrics?: Metrics): void {
    if (typeof n === 'object') {
      metrics = n;
      n = 1;
    }
    if (currentContext()?.aborted) throw new InterruptedError();
    this.count += n;
    if (metrics) Object.assign(this.metrics, metrics);
    const now = Date.now();
    if (now - this.lastDraw >= this.throttleMs || (this.total !== undefined && this.count >= this.total)) this.draw(now);
  }

  /** Record metrics without advancing. */
  set(metrics: Metrics): void {
    Object.assign(this.metrics, metrics);
  }

  /** Draw the final state. */
  done(): void {
    if (this.finished) return;
    this.finished = true;
    this.draw();
  }

  /** One line: `label  37/100  37%  12.3 it/s  ETA 5.1s  loss 0.1234`. */
  text(now = Date.now()): string {
    const secs = Math.max(1e-3, (now - this.started) / 1000);
    const rate = this.count / secs;
    const parts: string[] = [];
    if (this.opts.label) parts.push(this.opts.label);
    if (this.total !== undefined) {
      const frac = this.total ? Math.min(1, this.count / this.total) : 1;
      parts.push(`${this.count}/${this.total}`, `${(100 * frac).toFixed(0)}%`);
    } else parts.push(String(this.count));
    parts.push(`${rate >= 100 ? rate.toFixed(0) : rate.toFixed(1)} it/s`);
    if (this.total !== undefined && !this.finished && this.count < this.total) {
      parts.push(`ETA ${fmtDuration(rate > 0 ? (this.total - this.count) / rate : Infinity)}`);
    } else parts.push(`in ${fmtDuration(secs)}`);
    for (const [k, v] of Object.entries(this.metrics)) parts.push(`${k} ${fmtMetric(v)}`);
    return parts.join('  ');
  }

  private draw(now = Date.now()): void {
    this.lastDraw = now;
    const line = this.text(now);
    const frac = this.total ? Math.min(1, this.count / this.total) : this.total === 0 ? 1 : 0;
    const bar = this.total !== undefined
      ? `<div style="display:inline-block;width:12em;height:0.8em;border:1px solid #888;vertical-align:middle;margin-right:0.6em">` +
        `<div style="width:${(100 * frac).toFixed(1)}%;height:100%;background:#4c8bf5"></div></div>`
      : '';
    this.handle.mime({ 'text/html': `<div style="font-family:monospace">${bar}${escapeHtml(line)}</div>`, 'text/plain': line });
  }
}

export interface ProgressFn {
  (total?: number, opts?: ProgressOptions): Progress;
  /** Iterate 0..n-1 with a progress display. */
  range(n: number, opts?: ProgressOptions): Generator<number, void, undefined>;
  /** Iterate any iterable (with a known length when it is an array) with a progress display. */
  over<T>(items: Iterable<T>, opts?: ProgressOptions): Generator<T, void, undefined>;
}

export const progress: ProgressFn = Object.assign((total?: number, opts?: ProgressOptions) => new Progress(total, opts), {
  *range(n: number, opts?: ProgressOptions) {
    const bar = new Progress(n, opts);
    for (let i = 0; i < n; i++) {
      yield i;
      bar.tick();
    }
    bar.done();
  },
  *over<T>(items: Iterable<T>, opts?: ProgressOptions) {
    const bar = new Progress(Array.isArray(items) ? items.length : undefined, opts);
    for (const item of items) {
      yield item;
      bar.tick();
    }
    bar.done();
  },
});
