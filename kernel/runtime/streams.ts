/**
 * Captures everything written to process.stdout / process.stderr (console.log included) and forwards it to the
 * host as ordered `stream` messages. Writes are coalesced: a buffer is flushed when the stream name or the cell
 * changes, when it grows past 16 KiB, after 30 ms, and always before any display, result, error or done message
 * (`flush()`), so text and rich outputs arrive in the order they were produced.
 */
export type StreamName = 'stdout' | 'stderr';
export type StreamSink = (cell: string, name: StreamName, text: string) => void;

const MAX_BUFFER = 16 * 1024;
const FLUSH_MS = 30;

export class StreamCapture {
  private buf = '';
  private bufCell = '';
  private bufName: StreamName = 'stdout';
  private timer: NodeJS.Timeout | undefined;
  private readonly originals: { stdout: typeof process.stdout.write; stderr: typeof process.stderr.write };

  constructor(private readonly sink: StreamSink, private readonly cellOf: () => string) {
    this.originals = { stdout: process.stdout.write, stderr: process.stderr.write };
  }

  install(): void {
    process.stdout.write = this.writer('stdout') as typeof process.stdout.write;
    process.stderr.write = this.writer('stderr') as typeof process.stderr.write;
  }

  /** Writes straight to the real stream (for kernel diagnostics outside any cell). */
  raw(name: StreamName, text: string): void {
    this.originals[name].call(name === 'stdout' ? process.stdout : process.stderr, text);
  }

  write(name: StreamName, text: string, cell = this.cellOf()): void {
    if (!text) return;
    if (!cell) return this.raw(name, text); // outside any cell: kernel log
    if (this.buf && (name !== this.bufName || cell !== this.bufCell)) this.flush();
    this.bufName = name;
    this.bufCell = cell;
    this.buf += text;
    if (this.buf.length >= MAX_BUFFER) this.flush();
    else if (!this.timer) {
      this.timer = setTimeout(() => this.flush(), FLUSH_MS);
      this.timer.unref();
    }
  }

  flush(): void {
    if (this.timer) {
      clearTimeout(this.timer);
      this.timer = undefined;
    }
    if (!this.buf) return;
    const text = this.buf;
    this.buf = '';
    this.sink(this.bufCell, this.bufName, text);
  }

  private writer(name: StreamName) {
    return (chunk: unknown, encoding?: unknown, cb?: unknown): boolean => {
      const callback = typeof encoding === 'function' ? encoding : cb;
      const enc = typeof encoding === 'string' ? (encoding as BufferEncoding) : 'utf8';
      const text = typeof chunk === 'string' ? chunk : Buffer.from(chunk as Uint8Array).toString(enc);
      this.write(name, text);
      if (typeof callback === 'function') process.nextTick(callback as () => void);
      return true;
    };
  }
}
