/**
 * The kernel's widgets: ids, state, callbacks, and the one place widget messages from a host are handled.
 *
 * Contract (messages in ./protocol.ts):
 *   - `handleWidgetMessage(m)` never throws: a malformed message, an unknown id or a refused value is answered
 *     with a `widget_msg` carrying `error` and `code` (and, for a refused value, the unchanged view so the
 *     control snaps back).
 *   - A change is applied to the widget's state first, then its callbacks run through the host's `run` (the
 *     runtime runs them like a cell: after the running cell, with `signal`, stopped by interrupt). A callback's
 *     error is shown in the widget (`view.error`); what it prints goes to `view.log`.
 *   - Every state change sends the widget's whole view (`widget_msg` with `view`), coalesced per widget: at most
 *     one message per FLUSH_MS, and all pending ones when a callback ends.
 * Without a host (library use, unit tests) messages are dropped and callbacks run directly.
 */
import { checkWidgetMessage, type WidgetKernelMessage, type WidgetView } from './protocol';
import type { MimeBundle } from '../protocol';
import { WIDGET_MIME } from './protocol';

export interface WidgetHost {
  send(m: WidgetKernelMessage): void;
  /** Runs a widget callback like a cell; rejects with what it threw. */
  run(widget: string, fn: () => unknown): Promise<void>;
}

const FLUSH_MS = 30;
const LOG_MAX = 2000;

const directHost: WidgetHost = {
  send: () => undefined,
  run: async (_id, fn) => {
    await fn();
  },
};

let host: WidgetHost = directHost;
const widgets = new Map<string, Widget>();
const dirty = new Set<Widget>();
let timer: NodeJS.Timeout | undefined;
let seq = 0;
const stamp = Date.now().toString(36);

/** Installs the host that carries widget messages (the kernel runtime does this at start). */
export function setWidgetHost(h: WidgetHost | undefined): void {
  host = h ?? directHost;
}

/** The widget with this id, if this kernel made it. */
export function getWidget(id: string): Widget | undefined {
  return widgets.get(id);
}

/** Number of live widgets (for tests and the variables view). */
export function widgetCount(): number {
  return widgets.size;
}

/** Sends every pending view now. */
export function flushWidgets(): void {
  if (timer) {
    clearTimeout(timer);
    timer = undefined;
  }
  const items = [...dirty];
  dirty.clear();
  for (const w of items) host.send({ type: 'widget_msg', widget: w.id, view: w.view() });
}

function schedule(w: Widget): void {
  dirty.add(w);
  if (!timer) {
    timer = setTimeout(flushWidgets, FLUSH_MS);
    timer.unref();
  }
}

function message(e: unknown): string {
  if (e instanceof Error) return `${e.name && e.name !== 'Error' ? `${e.name}: ` : ''}${e.message}`;
  return String(e);
}

/** A widget: an id in this kernel, a state drawn by the output, and callbacks. */
export abstract class Widget {
  readonly id: string;
  readonly kernel = process.pid;
  private version = 0;
  private error: string | undefined;
  private log = '';
  private busy = false;
  disabled = false;

  constructor(readonly kind: WidgetView['kind'], public label?: string) {
    this.id = `w${process.pid}.${stamp}.${++seq}`;
    widgets.set(this.id, this);
  }

  /** Kind-specific part of the view. */
  protected abstract state(): Partial<WidgetView>;

  /** Applies a host's `set` / `click`; throws (a clear message) when refused. Returns the callbacks to run. */
  abstract accept(action: 'set' | 'click', value: unknown): Array<() => unknown>;

  /** One line for viewers without the renderer. */
  abstract describe(): string;

  view(): WidgetView {
    const v: WidgetView = { id: this.id, kind: this.kind, kernel: this.kernel, version: this.version, ...this.state() };
    if (this.label !== undefined) v.label = this.label;
    if (this.error !== undefined) v.error = this.error;
    if (this.log) v.log = this.log;
    if (this.busy) v.busy = true;
    if (this.disabled) v.disabled = true;
    return v;
  }

  /** The display of this widget: its view, plus a PNG (when it has one) and text for viewers without a kernel. */
  toMimeBundle(): MimeBundle {
    const b: MimeBundle = { [WIDGET_MIME]: this.view() };
    const png = this.png();
    if (png) b['image/png'] = png;
    b['text/plain'] = this.describe();
    return b;
  }

  /** A PNG (base64) of the current state, for viewers without the renderer; none by default. */
  png(): string | undefined {
    return undefined;
  }

  /** Marks the view changed: it is sent to the host (coalesced). */
  changed(): void {
    this.version++;
    schedule(this);
  }

  /** Forgets the widget: later messages for it are answered as for an unknown widget. */
  close(): void {
    widgets.delete(this.id);
    dirty.delete(this);
  }

  /** @internal */
  setRunState(busy: boolean, error?: string | null): void {
    this.busy = busy;
    if (error !== undefined) this.error = error ?? undefined;
    this.changed();
  }

  /** @internal Text a callback printed. */
  appendLog(text: string): void {
    this.log = (this.log + text).slice(-LOG_MAX);
    this.changed();
  }
}

/** Text printed by a widget callback (the runtime routes the callback's stdout/stderr here). */
export function widgetOutput(id: string, text: string): void {
  widgets.get(id)?.appendLog(text);
}

/**
 * Handles one host→kernel widget message (see the contract above). Resolves when the callbacks it started have
 * finished; never rejects.
 */
export async function handleWidgetMessage(raw: unknown): Promise<void> {
  const problem = checkWidgetMessage(raw);
  const id = raw && typeof raw === 'object' && typeof (raw as { widget?: unknown }).widget === 'string' ? (raw as { widget: string }).widget : '';
  if (problem) {
    host.send({ type: 'widget_msg', widget: id, error: problem, code: 'bad-message' });
    return;
  }
  const m = raw as { action: 'set' | 'click' | 'sync'; value?: unknown };
  const w = widgets.get(id);
  if (!w) {
    host.send({ type: 'widget_msg', widget: id, error: `unknown widget '${id}': this kernel did not make it (it restarted, or the output is from another session); run the cell again`, code: 'unknown-widget' });
    return;
  }
  if (m.action === 'sync') {
    host.send({ type: 'widget_msg', widget: id, view: w.view() });
    return;
  }
  if (w.disabled) {
    host.send({ type: 'widget_msg', widget: id, error: `${w.kind} '${w.label ?? id}' is disabled`, code: 'bad-value', view: w.view() });
    return;
  }
  let callbacks: Array<() => unknown>;
  try {
    callbacks = w.accept(m.action, m.value);
  } catch (e) {
    host.send({ type: 'widget_msg', widget: id, error: message(e), code: 'bad-value', view: w.view() });
    return;
  }
  if (callbacks.length === 0) {
    w.changed();
    flushWidgets();
    return;
  }
  w.setRunState(true);
  flushWidgets();
  let error: string | null = null;
  try {
    await host.run(id, async () => {
      for (const cb of callbacks) await cb();
    });
  } catch (e) {
    error = message(e);
  }
  w.setRunState(false, error);
  flushWidgets();
}
