/**
 * `display`: rich outputs from cells, and displays that update in place by id.
 *
 *   display(value)                   show a value (tensor summary, MIME bundle, chart, inspect text)
 *   display.html(s) / markdown(s) / text(s) / json(v) / png(bytes|base64) / svg(s) / mime(bundle)
 *   const h = display.handle()       an empty display; h.html(...), h.update(value) ... replace it in place
 *
 * Every call returns a `DisplayHandle` whose methods replace that output. Updates are coalesced before they
 * leave the kernel: at most one message per display per UPDATE_MS (200 ms, so at most 5 per second per
 * output, however tight the loop), the latest wins, pending displays go out in the order they were first
 * updated, and nothing is lost at the end (`flushDisplays()` runs before a cell or widget callback reports
 * done). The editor applies each update as a whole redraw, so this rate is what keeps it responsive while a
 * loop trains (test/kernel/display-rate.test.ts counts the messages with a fake clock).
 */
import type { MimeBundle } from '../protocol';
import { toBundle } from './format';

export type DisplaySink = (data: MimeBundle, displayId: string, update: boolean) => void;

export const UPDATE_MS = 200;
let sink: DisplaySink = () => undefined;
let seq = 0;
const pending = new Map<string, MimeBundle>();
let timer: NodeJS.Timeout | undefined;

export function setDisplaySink(s: DisplaySink): void {
  sink = s;
}

/** Sends every coalesced update now. */
export function flushDisplays(): void {
  if (timer) {
    clearTimeout(timer);
    timer = undefined;
  }
  const items = [...pending];
  pending.clear();
  for (const [id, data] of items) sink(data, id, true);
}

function toBase64(b: Uint8Array | string): string {
  return typeof b === 'string' ? b.replace(/^data:[^,]*;base64,/, '') : Buffer.from(b).toString('base64');
}

export const bundles = {
  html: (s: string): MimeBundle => ({ 'text/html': String(s), 'text/plain': stripTags(String(s)) }),
  markdown: (s: string): MimeBundle => ({ 'text/markdown': String(s), 'text/plain': String(s) }),
  text: (s: string): MimeBundle => ({ 'text/plain': String(s) }),
  json: (v: unknown): MimeBundle => ({ 'application/json': JSON.parse(JSON.stringify(v ?? null)), 'text/plain': JSON.stringify(v, null, 2) ?? 'undefined' }),
  png: (b: Uint8Array | string): MimeBundle => ({ 'image/png': toBase64(b), 'text/plain': '<image/png>' }),
  svg: (s: string): MimeBundle => ({ 'image/svg+xml': String(s), 'text/plain': '<image/svg+xml>' }),
};

function stripTags(s: string): string {
  return s.replace(/<[^>]*>/g, '').trim() || '<html>';
}

/** One output area. The first call shows it; later calls replace it in place. */
export class DisplayHandle {
  private shown = false;
  constructor(readonly id: string) {}

  /** Replace the output with a value (same rendering as the last expression of a cell). */
  update(value: unknown): this {
    return this.mime(toBundle(value));
  }
  html(s: string): this { return this.mime(bundles.html(s)); }
  markdown(s: string): this { return this.mime(bundles.markdown(s)); }
  text(s: string): this { return this.mime(bundles.text(s)); }
  json(v: unknown): this { return this.mime(bundles.json(v)); }
  png(b: Uint8Array | string): this { return this.mime(bundles.png(b)); }
  svg(s: string): this { return this.mime(bundles.svg(s)); }

  /** Replace the output with an explicit MIME bundle (`{ 'text/html': ..., 'image/png': base64 }`). */
  mime(bundle: object): this {
    if (!bundle || typeof bundle !== 'object') throw new TypeError(`display mime: expected a MIME bundle object like { 'text/html': '...' } (got ${typeof bundle})`);
    if (!this.shown) {
      this.shown = true;
      pending.delete(this.id);
      sink(bundle as MimeBundle, this.id, false);
      return this;
    }
    pending.set(this.id, bundle as MimeBundle);
    if (!timer) {
      timer = setTimeout(flushDisplays, UPDATE_MS);
      timer.unref();
    }
    return this;
  }
}

export function newDisplayId(): string {
  return `tram-${process.pid}-${++seq}-${Date.now().toString(36)}`;
}

export interface Display {
  (value: unknown): DisplayHandle;
  html(s: string): DisplayHandle;
  markdown(s: string): DisplayHandle;
  text(s: string): DisplayHandle;
  json(v: unknown): DisplayHandle;
  png(bytes: Uint8Array | string): DisplayHandle;
  svg(s: string): DisplayHandle;
  mime(bundle: object): DisplayHandle;
  /** An empty display to fill and update later (`h.text('...')`, `h.update(value)`). */
  handle(): DisplayHandle;
}

function fresh(): DisplayHandle {
  return new DisplayHandle(newDisplayId());
}

export const display: Display = Object.assign((value: unknown) => fresh().update(value), {
  html: (s: string) => fresh().html(s),
  markdown: (s: string) => fresh().markdown(s),
  text: (s: string) => fresh().text(s),
  json: (v: unknown) => fresh().json(v),
  png: (b: Uint8Array | string) => fresh().png(b),
  svg: (s: string) => fresh().svg(s),
  mime: (bundle: object) => fresh().mime(bundle),
  handle: () => fresh(),
});
