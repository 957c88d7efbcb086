/**
 * Turns the kernel's messages about one cell into notebook output operations, without depending on VS Code.
 *
 * - stream: consecutive text on the same channel goes into one output (appended), so a training loop's log
 *   reads as one block; a change of channel, or any rich output in between, starts a new output.
 * - display: a new output; the kernel's `displayId` is remembered, and a later `update` with that id
 *   replaces the items of that same output (live charts and progress bars redraw in place).
 * - result / error: a new output. Errors use VS Code's error item (name, message, stack = traceback).
 *
 * The `OutputSink` is implemented over `NotebookCellExecution` in `cellSink.ts`; tests use a recording sink.
 */
import type { KernelMessage, MimeBundle } from '../kernel/protocol';

/** One output item: a MIME type and its bytes (what `new vscode.NotebookCellOutputItem(data, mime)` takes). */
export interface OutputItem {
  mime: string;
  data: Uint8Array;
}

/** Output operations on one cell. `O` is whatever handle the sink uses for an output it created. */
export interface OutputSink<O> {
  create(items: OutputItem[], metadata?: Record<string, unknown>): O;
  append(output: O, items: OutputItem[]): void;
  replace(output: O, items: OutputItem[]): void;
}

export const STDOUT_MIME = 'application/vnd.code.notebook.stdout';
export const STDERR_MIME = 'application/vnd.code.notebook.stderr';
export const ERROR_MIME = 'application/vnd.code.notebook.error';

const encoder = new TextEncoder();

/** MIME types that are base64 text in a Jupyter bundle but raw bytes in a VS Code output item. */
const BASE64_MIMES = new Set(['image/png', 'image/jpeg', 'image/gif', 'image/bmp', 'image/webp']);

/**
 * A MIME bundle as output items, richest first (the order of the bundle, with `text/plain` last) so that
 * VS Code picks the chart renderer over the PNG over the text.
 */
export function bundleToItems(bundle: MimeBundle): OutputItem[] {
  const mimes = Object.keys(bundle).sort((a, b) => Number(a === 'text/plain') - Number(b === 'text/plain'));
  const items: OutputItem[] = [];
  for (const mime of mimes) {
    const value = bundle[mime];
    if (value === undefined) continue;
    if (BASE64_MIMES.has(mime) && typeof value === 'string') {
      items.push({ mime, data: new Uint8Array(Buffer.from(value, 'base64')) });
    } else if (typeof value === 'string') {
      items.push({ mime, data: encoder.encode(value) });
    } else {
      items.push({ mime, data: encoder.encode(JSON.stringify(value)) });
    }
  }
  return items;
}

/** VS Code's error item: JSON `{name, message, stack}` under `application/vnd.code.notebook.error`. */
export function errorItem(ename: string, evalue: string, traceback: string[]): OutputItem {
  const stack = traceback.length ? traceback.join('\n') : `${ename}: ${evalue}`;
  return { mime: ERROR_MIME, data: encoder.encode(JSON.stringify({ name: ename, message: evalue, stack })) };
}

export class CellOutputMapper<O> {
  private lastStream: { name: 'stdout' | 'stderr'; output: O } | undefined;
  private readonly displays = new Map<string, O>();

  constructor(private readonly sink: OutputSink<O>) {}

  /** Applies one kernel message; messages that are not outputs (done, status, ...) are ignored. */
  handle(msg: KernelMessage): void {
    switch (msg.type) {
      case 'stream': {
        if (!msg.text) return;
        const item: OutputItem = { mime: msg.name === 'stderr' ? STDERR_MIME : STDOUT_MIME, data: encoder.encode(msg.text) };
        if (this.lastStream && this.lastStream.name === msg.name) {
          this.sink.append(this.lastStream.output, [item]);
        } else {
          this.lastStream = { name: msg.name, output: this.sink.create([item]) };
        }
        return;
      }
      case 'display': {
        const items = bundleToItems(msg.data);
        const known = msg.displayId !== undefined ? this.displays.get(msg.displayId) : undefined;
        if (msg.update && known !== undefined) {
          this.sink.replace(known, items);
          return;
        }
        const output = this.sink.create(items, msg.metadata);
        this.lastStream = undefined;
        if (msg.displayId !== undefined) this.displays.set(msg.displayId, output);
        return;
      }
      case 'result':
        this.sink.create(bundleToItems(msg.data));
        this.lastStream = undefined;
        return;
      case 'error':
        this.sink.create([errorItem(msg.ename, msg.evalue, msg.traceback)]);
        this.lastStream = undefined;
        return;
      default:
        return;
    }
  }
}
