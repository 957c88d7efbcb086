/**
 * Live training curves: a line chart fed one step at a time, re-emitted at most every `minIntervalMs`.
 *
 * The sink receives the whole chart each time, `update = false` the first time and `true` after; the kernel
 * runtime shows the first as a display and the rest as updates of that display (same display id), which the
 * notebook renderer applies to the same chart in place. Points between emits are never lost: a timer emits the
 * latest state when the interval has passed, and `flush()` emits it at once (call it when training ends).
 *
 * Every emit carries the current chart.js config (what the editor draws). Drawing the PNG copy (for Jupyter,
 * GitHub and other viewers) costs tens of milliseconds, so while training it is redrawn only when the last
 * drawing is at least `pngIntervalMs` old and at least 50 times its own drawing time old (so drawing takes at
 * most about 2 % of the loop); other emits reuse the last PNG. The first emit and `flush()` always draw it.
 */
import { lineChart, lineChartConfig } from './line';
import { chartBundle } from './bundle';
import { checkText } from './check';
import { checkMaxPoints } from './decimate';
import { checkSize } from './render';
import type { ChartBundle, ChartSize, ChartText } from './types';

export type BundleSink = (bundle: ChartBundle, update: boolean) => void;

/** Anything with a `mime(bundle)` method that shows a bundle and replaces it on later calls (the kernel's display handles). */
export interface BundleDisplay {
  mime(bundle: ChartBundle): unknown;
}

/** Time source and timer, replaceable in tests. */
export interface Clock {
  now(): number;
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

const systemClock: Clock = {
  now: () => performance.now(),
  setTimeout: (fn, ms) => {
    const t = setTimeout(fn, ms);
    // A pending redraw must not keep the kernel process alive.
    (t as { unref?: () => void }).unref?.();
    return t;
  },
  clearTimeout: (h) => clearTimeout(h as ReturnType<typeof setTimeout>),
};

export interface LiveChartOptions extends ChartText, ChartSize {
  /** Names of the curves, in legend order; `push` may give any subset of them at each step. */
  series: string[];
  /** Logarithmic y axis (values must be > 0). */
  logY?: boolean;
  /** Each curve is decimated to at most this many points when drawn (default 1000); all points are kept. */
  maxPoints?: number;
  /** Least time between two emits (default 250 ms). */
  minIntervalMs?: number;
  /** Least time between two drawings of the PNG copy while training (default 2000 ms); see above. */
  pngIntervalMs?: number;
  /** Time source (tests). */
  clock?: Clock;
}

export const DEFAULT_MIN_INTERVAL_MS = 250;
export const DEFAULT_PNG_INTERVAL_MS = 2000;
/** The PNG is redrawn no sooner than this many times its last drawing time. */
const PNG_COST_FACTOR = 50;

export class LiveChart {
  private readonly _opts: LiveChartOptions;
  private readonly _clock: Clock;
  private readonly _interval: number;
  private readonly _steps = new Map<string, number[]>();
  private readonly _values = new Map<string, number[]>();
  private _emits = 0;
  private _lastEmit = -Infinity;
  private _dirty = false;
  private _timer: unknown = null;
  private _png: string | null = null;
  /** The last emit reused an older PNG. */
  private _pngStale = false;
  private _pngAt = -Infinity;
  private _pngMs = 0;
  private readonly _pngInterval: number;

  private readonly _sink: BundleSink;

  /**
   * @param sink where each emit goes: a function `(bundle, update) => void`, or a display handle
   *   (`display.handle()` in a notebook) whose `mime(bundle)` shows the chart and then replaces it in place.
   */
  constructor(sink: BundleSink | BundleDisplay, opts: LiveChartOptions) {
    const where = 'LiveChart';
    if (typeof sink === 'function') this._sink = sink;
    else if (sink && typeof (sink as BundleDisplay).mime === 'function') this._sink = (bundle) => { (sink as BundleDisplay).mime(bundle); };
    else throw new TypeError(`${where}: the first argument must be a display handle (display.handle()) or a function (bundle, update) => void that shows the chart`);
    if (!opts || !Array.isArray(opts.series) || opts.series.length === 0 || !opts.series.every((s) => typeof s === 'string')) {
      throw new TypeError(`${where}: options.series must be a non-empty list of curve names, e.g. ['train loss', 'test loss']`);
    }
    if (new Set(opts.series).size !== opts.series.length) throw new RangeError(`${where}: options.series has a repeated name`);
    checkMaxPoints(opts.maxPoints, where);
    const interval = opts.minIntervalMs ?? DEFAULT_MIN_INTERVAL_MS;
    if (!(interval >= 0) || !Number.isFinite(interval)) throw new RangeError(`${where}: minIntervalMs must be a finite number >= 0 (got ${interval})`);
    checkText(opts, where);
    checkSize(opts, where);
    this._opts = { ...opts };
    this._clock = opts.clock ?? systemClock;
    this._interval = interval;
    const pngInterval = opts.pngIntervalMs ?? DEFAULT_PNG_INTERVAL_MS;
    if (!(pngInterval >= 0) || !Number.isFinite(pngInterval)) throw new RangeError(`${where}: pngIntervalMs must be a finite number >= 0 (got ${pngInterval})`);
    this._pngInterval = pngInterval;
    for (const name of opts.series) {
      this._steps.set(name, []);
      this._values.set(name, []);
    }
  }

  /** Number of bundles emitted so far. */
  get emits(): number {
    return this._emits;
  }

  /** Adds the values of one step, e.g. `push(step, { 'train loss': 0.31 })`, and emits if the interval has passed. */
  push(step: number, values: Record<string, number>): void {
    if (typeof step !== 'number' || !Number.isFinite(step)) throw new TypeError(`LiveChart.push: step must be a finite number (got ${String(step)})`);
    if (!values || typeof values !== 'object') throw new TypeError('LiveChart.push: values must be an object {series name: number}');
    for (const [name, v] of Object.entries(values)) {
      const ys = this._values.get(name);
      if (!ys) {
        throw new RangeError(`LiveChart.push: unknown series '${name}'; the chart has ${this._opts.series.map((s) => `'${s}'`).join(', ')} (add it to options.series)`);
      }
      if (typeof v !== 'number') throw new TypeError(`LiveChart.push: value of '${name}' must be a number (got ${typeof v})`);
      if (this._opts.logY && v <= 0) {
        throw new RangeError(`LiveChart.push: '${name}' = ${v} at step ${step} cannot be shown on the logarithmic y axis; turn off logY`);
      }
      ys.push(v);
      this._steps.get(name)!.push(step);
    }
    this._dirty = true;
    const now = this._clock.now();
    if (this._emits === 0 || now - this._lastEmit >= this._interval) this._emit(now);
    else if (this._timer === null) this._timer = this._clock.setTimeout(() => this._onTimer(), this._lastEmit + this._interval - now);
  }

  /** Emits the latest state now if anything changed since the last emit (or nothing was emitted yet). */
  flush(): void {
    if (this._dirty || this._emits === 0 || this._pngStale) this._emit(this._clock.now(), true);
  }

  /** The chart as it stands (all points so far, decimated), with a freshly drawn PNG. */
  bundle(): ChartBundle {
    return lineChart(this._lineOptions());
  }

  /** Number of times the PNG copy has been drawn by emits. */
  get pngDraws(): number {
    return this._pngDraws;
  }

  private _pngDraws = 0;

  private _lineOptions() {
    const o = this._opts;
    return {
      title: o.title,
      xLabel: o.xLabel,
      yLabel: o.yLabel,
      width: o.width,
      height: o.height,
      logY: o.logY,
      maxPoints: o.maxPoints,
      series: o.series.map((name) => ({ name, x: this._steps.get(name)!, y: this._values.get(name)! })),
    };
  }

  /** The bundle to emit: the current config, with a new PNG when one is due, else the last one. */
  private _emitBundle(now: number, forcePng: boolean): ChartBundle {
    const opts = this._lineOptions();
    const due = this._png === null || forcePng ||
      (now - this._pngAt >= this._pngInterval && now - this._pngAt >= PNG_COST_FACTOR * this._pngMs);
    this._pngStale = !due;
    if (!due) {
      const { config, description } = lineChartConfig(opts);
      return chartBundle(config, description, opts, this._png as string);
    }
    const t0 = performance.now();
    const b = lineChart(opts);
    this._pngMs = performance.now() - t0;
    this._png = b['image/png'] ?? null;
    this._pngAt = now;
    this._pngDraws++;
    return b;
  }

  private _onTimer(): void {
    this._timer = null;
    if (this._dirty) this._emit(this._clock.now());
  }

  private _emit(now: number, forcePng = false): void {
    if (this._timer !== null) {
      this._clock.clearTimeout(this._timer);
      this._timer = null;
    }
    const bundle = this._emitBundle(now, forcePng);
    const update = this._emits > 0;
    this._emits++;
    this._lastEmit = now;
    this._dirty = false;
    this._sink(bundle, update);
  }
}
