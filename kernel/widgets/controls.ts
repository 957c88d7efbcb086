/**
 * The widgets a cell makes: slider, select, toggle, button, an output area that updates in place, and a box
 * that lays several out in one output.
 *
 *   const rho = slider({ label: 'ρ', min: 0, max: 0.5, step: 0.01, value: 0.05 });
 *   const out = output();
 *   rho.onChange((v) => out.update(lineChart(...)));
 *   box([rho, out])                         // the last expression (or display(...)) shows it
 *
 * Values from a host are checked here: a slider takes a finite number in [min, max] (snapped to `step`), a select
 * one of its options, a toggle a boolean; anything else is refused with a message naming the expected value, and
 * the control keeps its state. Callbacks get the new value; they may be async.
 */
import { toBundle } from '../runtime/format';
import type { MimeBundle } from '../protocol';
import { Widget } from './registry';
import type { WidgetView } from './protocol';

type Listener<T> = (value: T) => unknown;

function finite(v: unknown, what: string, where: string): number {
  if (typeof v !== 'number' || !Number.isFinite(v)) throw new TypeError(`${where}: ${what} must be a finite number (got ${JSON.stringify(v)})`);
  return v;
}

export interface SliderOptions {
  label?: string;
  min: number;
  max: number;
  /** Values snap to min + k·step (default (max − min)/100). */
  step?: number;
  /** Default: min. */
  value?: number;
}

export class Slider extends Widget {
  readonly min: number;
  readonly max: number;
  readonly step: number;
  private current: number;
  private readonly listeners: Listener<number>[] = [];

  constructor(opts: SliderOptions) {
    super('slider', opts?.label);
    const where = `slider${opts?.label ? ` '${opts.label}'` : ''}`;
    try {
      if (!opts || typeof opts !== 'object') throw new TypeError('slider needs {min, max, step?, value?, label?}');
      this.min = finite(opts.min, 'min', where);
      this.max = finite(opts.max, 'max', where);
      if (!(this.max > this.min)) throw new RangeError(`${where}: max (${this.max}) must be greater than min (${this.min})`);
      this.step = opts.step === undefined ? (this.max - this.min) / 100 : finite(opts.step, 'step', where);
      if (!(this.step > 0)) throw new RangeError(`${where}: step must be > 0 (got ${this.step})`);
      this.current = this.check(opts.value ?? this.min);
    } catch (e) {
      this.close(); // a widget that could not be made is not registered
      throw e;
    }
  }

  /** Snapped to the step grid; throws outside [min, max]. */
  private check(v: unknown): number {
    const where = `slider${this.label ? ` '${this.label}'` : ''}`;
    const x = finite(v, 'the value', where);
    if (x < this.min || x > this.max) throw new RangeError(`${where}: value ${x} is outside [${this.min}, ${this.max}]`);
    const k = Math.round((x - this.min) / this.step);
    return Math.min(this.max, Number((this.min + k * this.step).toPrecision(12)));
  }

  get value(): number {
    return this.current;
  }
  /** Sets the value from code (no callbacks run). */
  set value(v: number) {
    this.current = this.check(v);
    this.changed();
  }

  onChange(fn: Listener<number>): this {
    if (typeof fn !== 'function') throw new TypeError('onChange needs a function (value) => ...');
    this.listeners.push(fn);
    return this;
  }

  accept(action: 'set' | 'click', value: unknown): Array<() => unknown> {
    if (action !== 'set') throw new TypeError(`a slider is moved ('set' with a number), not '${action}'`);
    this.current = this.check(value);
    this.changed();
    const v = this.current;
    return this.listeners.map((l) => () => l(v));
  }

  protected state(): Partial<WidgetView> {
    return { value: this.current, min: this.min, max: this.max, step: this.step };
  }

  describe(): string {
    return `${this.label ?? 'slider'} = ${this.current} (${this.min} … ${this.max})`;
  }
}

export interface SelectOptions {
  label?: string;
  options: string[];
  /** Default: the first option. */
  value?: string;
}

export class Select extends Widget {
  readonly options: string[];
  private current: string;
  private readonly listeners: Listener<string>[] = [];

  constructor(opts: SelectOptions) {
    super('select', opts?.label);
    try {
      if (!opts || !Array.isArray(opts.options) || opts.options.length === 0 || opts.options.some((o) => typeof o !== 'string')) {
        throw new TypeError('select needs {options: string[] (at least one), value?, label?}');
      }
      this.options = [...opts.options];
      this.current = this.check(opts.value ?? this.options[0]);
    } catch (e) {
      this.close();
      throw e;
    }
  }

  private check(v: unknown): string {
    if (typeof v !== 'string' || !this.options.includes(v)) {
      throw new RangeError(`select${this.label ? ` '${this.label}'` : ''}: ${JSON.stringify(v)} is not one of ${this.options.map((o) => JSON.stringify(o)).join(', ')}`);
    }
    return v;
  }

  get value(): string {
    return this.current;
  }
  set value(v: string) {
    this.current = this.check(v);
    this.changed();
  }

  onChange(fn: Listener<string>): this {
    if (typeof fn !== 'function') throw new TypeError('onChange needs a function (value) => ...');
    this.listeners.push(fn);
    return this;
  }

  accept(action: 'set' | 'click', value: unknown): Array<() => unknown> {
    if (action !== 'set') throw new TypeError(`a select is changed ('set' with an option), not '${action}'`);
    this.current = this.check(value);
    this.changed();
    const v = this.current;
    return this.listeners.map((l) => () => l(v));
  }

  protected state(): Partial<WidgetView> {
    return { value: this.current, options: this.options };
  }

  describe(): string {
    return `${this.label ?? 'select'} = ${this.current} (of ${this.options.join(', ')})`;
  }
}

export class Toggle extends Widget {
  private current: boolean;
  private readonly listeners: Listener<boolean>[] = [];

  constructor(opts: { label?: string; value?: boolean } = {}) {
    super('toggle', opts.label);
    if (opts.value !== undefined && typeof opts.value !== 'boolean') {
      this.close();
      throw new TypeError(`toggle: value must be true or false (got ${JSON.stringify(opts.value)})`);
    }
    this.current = opts.value ?? false;
  }

  get value(): boolean {
    return this.current;
  }
  set value(v: boolean) {
    if (typeof v !== 'boolean') throw new TypeError(`toggle: value must be true or false (got ${JSON.stringify(v)})`);
    this.current = v;
    this.changed();
  }

  onChange(fn: Listener<boolean>): this {
    if (typeof fn !== 'function') throw new TypeError('onChange needs a function (value) => ...');
    this.listeners.push(fn);
    return this;
  }

  accept(action: 'set' | 'click', value: unknown): Array<() => unknown> {
    if (action !== 'set' || typeof value !== 'boolean') throw new TypeError(`a toggle takes 'set' with true or false (got ${action} ${JSON.stringify(value)})`);
    this.current = value;
    this.changed();
    return this.listeners.map((l) => () => l(value));
  }

  protected state(): Partial<WidgetView> {
    return { value: this.current };
  }

  describe(): string {
    return `${this.label ?? 'toggle'}: ${this.current ? 'on' : 'off'}`;
  }
}

export class Button extends Widget {
  private readonly listeners: Listener<void>[] = [];

  constructor(opts: { label: string }) {
    super('button', typeof opts === 'string' ? opts : opts?.label);
    if (typeof this.label !== 'string' || !this.label) {
      this.close();
      throw new TypeError("button needs a label: button({ label: 'next' })");
    }
  }

  onClick(fn: () => unknown): this {
    if (typeof fn !== 'function') throw new TypeError('onClick needs a function () => ...');
    this.listeners.push(fn as Listener<void>);
    return this;
  }

  accept(action: 'set' | 'click'): Array<() => unknown> {
    if (action !== 'click') throw new TypeError(`a button is clicked ('click'), not '${action}'`);
    return this.listeners.map((l) => () => l(undefined));
  }

  protected state(): Partial<WidgetView> {
    return {};
  }

  describe(): string {
    return `[${this.label}]`;
  }
}

/** An output area: shows one value (chart, PNG, HTML, markdown, text, tensor…) and replaces it in place. */
export class Output extends Widget {
  private current: MimeBundle;

  constructor(initial?: unknown) {
    super('output');
    this.current = initial === undefined ? { 'text/plain': '' } : toBundle(initial);
  }

  /** Replaces what the area shows (same rendering as a cell's last expression; a chart helper's bundle stays a chart). */
  update(value: unknown): this {
    this.current = toBundle(value);
    this.changed();
    return this;
  }
  html(s: string): this {
    return this.update({ 'text/html': String(s), 'text/plain': String(s).replace(/<[^>]*>/g, '') });
  }
  markdown(s: string): this {
    return this.update({ 'text/markdown': String(s), 'text/plain': String(s) });
  }
  text(s: string): this {
    return this.update({ 'text/plain': String(s) });
  }

  get bundle(): MimeBundle {
    return this.current;
  }

  accept(action: 'set' | 'click'): Array<() => unknown> {
    throw new TypeError(`an output area takes no input (got '${action}')`);
  }

  protected state(): Partial<WidgetView> {
    return { bundle: this.current };
  }

  png(): string | undefined {
    const p = this.current['image/png'];
    return typeof p === 'string' ? p : undefined;
  }

  describe(): string {
    const t = this.current['text/plain'];
    return typeof t === 'string' ? t : '<output>';
  }
}

/** Several widgets in one output, in a row or a column. */
export class Box extends Widget {
  readonly children: Widget[];

  constructor(children: Widget[], opts: { label?: string; direction?: 'row' | 'column' } = {}) {
    super('box', opts.label);
    const bad = !Array.isArray(children) || children.some((c) => !(c instanceof Widget))
      ? 'box needs an array of widgets (slider, select, toggle, button, output, box)'
      : opts.direction !== undefined && opts.direction !== 'row' && opts.direction !== 'column'
        ? `box: direction must be 'row' or 'column' (got ${JSON.stringify(opts.direction)})`
        : undefined;
    if (bad) {
      this.close();
      throw new TypeError(bad);
    }
    this.children = [...children];
    this.direction = opts.direction ?? 'column';
  }
  private readonly direction: 'row' | 'column';

  accept(action: 'set' | 'click'): Array<() => unknown> {
    throw new TypeError(`a box takes no input itself (got '${action}'): send it to one of its widgets`);
  }

  protected state(): Partial<WidgetView> {
    return { direction: this.direction, children: this.children.map((c) => c.view()) };
  }

  png(): string | undefined {
    for (const c of this.children) {
      const p = c.png();
      if (p) return p;
    }
    return undefined;
  }

  describe(): string {
    const lines = this.children.map((c) => c.describe()).filter(Boolean);
    return [this.label, ...lines].filter(Boolean).join('\n');
  }
}

export const slider = (opts: SliderOptions): Slider => new Slider(opts);
export const select = (opts: SelectOptions): Select => new Select(opts);
export const toggle = (opts: { label?: string; value?: boolean } = {}): Toggle => new Toggle(opts);
export const button = (opts: { label: string } | string): Button => new Button(typeof opts === 'string' ? { label: opts } : opts);
export const output = (initial?: unknown): Output => new Output(initial);
export const box = (children: Widget[], opts: { label?: string; direction?: 'row' | 'column' } = {}): Box => new Box(children, opts);
