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

/** Default cap on the stream output (stdout + stderr) one cell sends to the host. */
export const DEFAULT_MAX_OUTPUT_BYTES = 1024 * 1024;

/**
 * The per-cell output cap from `TRAM_MAX_OUTPUT_BYTES` (a positive integer, bytes; `0` or `unlimited` turns the
 * cap off). A value that is neither falls back to the default with a warning on the kernel's log.
 */
export function maxOutputBytes(env: NodeJS.ProcessEnv = process.env, warn: (m: string) => void = () => undefined): number {
  const raw = env.TRAM_MAX_OUTPUT_BYTES?.trim();
  if (!raw) return DEFAULT_MAX_OUTPUT_BYTES;
  if (raw === '0' || raw.toLowerCase() === 'unlimited') return Infinity;
  const n = Number(raw);
  if (Number.isInteger(n) && n > 0) return n;
  warn(`TRAM_MAX_OUTPUT_BYTES must be a positive integer number of bytes, 0 or "unlimited" (got ${JSON.stringify(raw)}); using ${DEFAULT_MAX_OUTPUT_BYTES}.\n`);
  return DEFAULT_MAX_OUTPUT_BYTES;
}

function formatBytes(n: number): string {
  if (n >= 1024 * 1024) return `${(n / (1024 * 1024)).toFixed(1)} MB`;
  if (n >= 1024) return `${(n / 1024).toFixed(1)} KB`;
  return `${n} bytes`;
}

/** The one notice a cell gets when its output went over the cap. */
export function truncationNotice(dropped: number, cap: number): string {
  return `\n… output truncated: ${formatBytes(dropped)} more were printed after the first ${formatBytes(cap)} (TRAM_MAX_OUTPUT_BYTES); write large data to a file\n`;
}

export class StreamCapture {
  private buf = '';
  private bufCell = '';
  private bufName: StreamName = 'stdout';
  private timer: NodeJS.Timeout | undefined;
  private readonly originals: { stdout: typeof process.stdout.write; stderr: typeof process.stderr.write };

  /** Bytes sent and bytes dropped per cell, since the cell started (see `beginCell`). */
  private readonly sent = new Map<string, { bytes: number; dropped: number }>();

  constructor(
    private readonly sink: StreamSink,
    private readonly cellOf: () => string,
    /** Cap on one cell's stream output in bytes; the rest is dropped and counted. */
    readonly maxBytes: number = DEFAULT_MAX_OUTPUT_BYTES,
  ) {
    this.originals = { stdout: process.stdout.write, stderr: process.stderr.write };
  }

  /** A cell starts: its output count starts at zero. */
  beginCell(cell: string): void {
    this.sent.set(cell, { bytes: 0, dropped: 0 });
  }

  /** A cell ends: flush, and if output was dropped, send the one truncation notice (on stderr, after the output). */
  endCell(cell: string): void {
    const count = this.sent.get(cell);
    this.flush();
    if (count && count.dropped > 0) {
      this.sink(cell, 'stderr', truncationNotice(count.dropped, this.maxBytes));
      count.dropped = 0;
    }
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
    let count = this.sent.get(cell);
    if (!count) this.sent.set(cell, (count = { bytes: 0, dropped: 0 }));
    const size = Buffer.byteLength(text);
    if (count.bytes + size > this.maxBytes) {
      const room = this.maxBytes - count.bytes;
      if (room > 0) {
        const kept = Buffer.from(text).subarray(0, room).toString('utf8').replace(/\uFFFD$/, '');
        count.dropped += size - Buffer.byteLength(kept);
        count.bytes = this.maxBytes;
        text = kept;
      } else {
        count.dropped += size;
        return;
      }
      if (!text) return;
    } else count.bytes += size;
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
