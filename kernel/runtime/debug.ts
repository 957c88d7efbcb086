/**
 * Debugging a cell (#17): the Node inspector of the kernel process, on demand, and source maps from the
 * compiled cell back to a file holding the cell's text.
 *
 * Contract:
 * - `start(sourceDir)` opens the inspector on 127.0.0.1 with a port the system picks (`inspector.open(0, ...)`)
 *   and returns its WebSocket URL; nothing listens before `start` or after `stop` (`inspector.close()`).
 *   A second `start` while open returns the same URL (one debugger at a time).
 * - While debugging, each cell that runs is written to `<sourceDir>/cell-<id>.ts` (its exact text; the id made
 *   file-safe by `cellSourceName`), and its compiled code ends with an inline source map whose `sources` is that
 *   file's `file://` URL. The map is line-level: compiled line n → the cell line `LineMap.line(n)`, column 0
 *   (the compiler's lines between two cell lines go with the cell line before them; see `lineSourceMap`). A debugger that reads source maps (VS Code's js-debug)
 *   binds breakpoints set in that file to the running cell and shows it when paused.
 * - Cells run while not debugging get no map and no file (the normal path is unchanged).
 * - `stop()` closes the inspector only once its debugger connections are gone: Node (20 and 24 alike) crashes
 *   with SIGSEGV when the next debugger attaches if `inspector.close()` ran while the last one's disconnect was
 *   still in flight (reproduced: close right after the client closed its socket, reopen, attach: a crash within
 *   ~50 cycles; none in 200 when waiting). So `stop()` waits (at most `DRAIN_MS`) until no TCP connection to the
 *   inspector's port is left in this process (read from /proc/net/tcp{,6} on Linux), then lets the event loop
 *   turn (`GRACE_MS`, then a poll phase) so that the main thread handles the session's end, then closes.
 */
import * as fs from 'node:fs';
import * as inspector from 'node:inspector';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { LineMap } from './linemap';

/** The file name a cell's text is written to while debugging (ids are the host's: '3', 'cell-2', ...). */
export function cellSourceName(cell: string): string {
  return `cell-${cell.replace(/[^A-Za-z0-9_-]/g, '_')}.ts`;
}

const B64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';

/** Base64 VLQ of one signed integer (source map v3). */
export function vlq(n: number): string {
  let v = n < 0 ? (-n << 1) | 1 : n << 1;
  let out = '';
  do {
    let digit = v & 31;
    v >>>= 5;
    if (v > 0) digit |= 32;
    out += B64[digit];
  } while (v > 0);
  return out;
}

/**
 * A source map v3 (JSON) mapping each compiled line the line map knows to column 0 of its cell line. A compiler
 * line between two known ones (`exports.rep = rep;` after `const rep = …`) maps to the cell line before it: a
 * debugger stepping onto an unmapped line of a mapped script steps on by itself (js-debug's smart step), and
 * after Step Out of a call it then left the cell altogether. Lines before the first and after the last known line
 * (the compiler's header, the wrapper's end) stay unmapped.
 */
export function lineSourceMap(map: LineMap, compiled: string, sourceUrl: string, file: string): string {
  const lines: string[] = [];
  let prevSource = 0;
  const text = compiled.split('\n');
  const known = text.map((_, i) => map.line(i + 1)); // undefined for the compiler's boilerplate lines (linemap.ts)
  let last = known.length - 1;
  while (last >= 0 && known[last] === undefined) last--;
  let carried: number | undefined;
  for (let n = 1; n <= text.length; n++) {
    const src = known[n - 1] ?? (n - 1 < last ? carried : undefined);
    if (src === undefined) {
      lines.push('');
      continue;
    }
    carried = src;
    // [generated column, source index delta, source line delta, source column delta]
    lines.push(vlq(0) + vlq(0) + vlq(src - 1 - prevSource) + vlq(0));
    prevSource = src - 1;
  }
  return JSON.stringify({ version: 3, file, sources: [sourceUrl], names: [], mappings: lines.join(';') });
}

/** How long `stop()` waits for attached debuggers to disconnect, and the event-loop turn after. */
export const DRAIN_MS = 3000;
export const GRACE_MS = 25;

/**
 * Connections to local TCP port `port` in a state other than LISTEN and TIME_WAIT (connected, or closing but not
 * yet closed by the server side), from /proc/net/tcp and tcp6; undefined where /proc is not readable (not Linux).
 */
export function openConnections(port: number, read: (file: string) => string = (f) => fs.readFileSync(f, 'utf8')): number | undefined {
  const hex = ':' + port.toString(16).toUpperCase().padStart(4, '0');
  let count = 0;
  let readable = false;
  for (const file of ['/proc/net/tcp', '/proc/net/tcp6']) {
    let text: string;
    try {
      text = read(file);
    } catch {
      continue;
    }
    readable = true;
    for (const line of text.split('\n').slice(1)) {
      const cols = line.trim().split(/\s+/);
      // sl local_address rem_address st ...; st 0A = LISTEN, 06 = TIME_WAIT (kernel's tcp_states.h)
      if (cols.length > 3 && cols[1].endsWith(hex) && cols[3] !== '0A' && cols[3] !== '06') count++;
    }
  }
  return readable ? count : undefined;
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
const immediate = () => new Promise<void>((resolve) => setImmediate(resolve));

export interface DebugStart {
  /** ws://127.0.0.1:<port>/<id>, the inspector's WebSocket URL. */
  url: string;
  port: number;
  sourceDir: string;
}

export class CellDebugger {
  private sourceDirValue: string | undefined;

  /** True while the inspector is open. */
  get active(): boolean {
    return this.sourceDirValue !== undefined && inspector.url() !== undefined;
  }

  start(sourceDir: string): DebugStart {
    if (!path.isAbsolute(sourceDir)) throw new Error(`debug: sourceDir must be an absolute path, got '${sourceDir}'`);
    fs.mkdirSync(sourceDir, { recursive: true });
    if (inspector.url() === undefined) inspector.open(0, '127.0.0.1', false);
    const url = inspector.url();
    if (!url) throw new Error('debug: the Node inspector did not open (is the kernel started with --inspect disabled?)');
    this.sourceDirValue = sourceDir;
    return { url, port: Number(new URL(url).port), sourceDir };
  }

  /** Closes the inspector once no debugger is connected (see the contract); true when one still was after DRAIN_MS. */
  async stop(): Promise<boolean> {
    this.sourceDirValue = undefined;
    const url = inspector.url();
    if (url === undefined) return false;
    const port = Number(new URL(url).port);
    const started = Date.now();
    let left = openConnections(port);
    while (left !== undefined && left > 0 && Date.now() - started < DRAIN_MS) {
      await sleep(10);
      left = openConnections(port);
    }
    await sleep(left === undefined ? 8 * GRACE_MS : GRACE_MS);
    // The session's end is posted to this thread (an async handle, run in the loop's poll phase); a timer that
    // expired while the process waited for the CPU runs before that phase, so also let a poll phase pass.
    await immediate();
    await immediate();
    if (inspector.url() !== undefined && !this.sourceDirValue) inspector.close();
    return (left ?? 0) > 0;
  }

  /**
   * While debugging: writes the cell's text to its file and returns the source-map comment to append to the
   * compiled code (`compiled` = the code as run, wrapper included) and the script name to run it under:
   * `<sourceDir>/<file>`, an absolute path, because js-debug takes a script with a bare name (`__tram_cell_3.js`)
   * for a Node internal, which its default `skipFiles` (`<node_internals>/**`) blackboxes: breakpoints still hit,
   * but Step Over and Step Out then run through the cell. Undefined when not debugging.
   */
  annotate(cell: string, code: string, compiled: string, map: LineMap, file: string): { filename: string; suffix: string } | undefined {
    const dir = this.sourceDirValue;
    if (dir === undefined) return undefined;
    const source = path.join(dir, cellSourceName(cell));
    fs.writeFileSync(source, code);
    const json = lineSourceMap(map, compiled, pathToFileURL(source).href, file);
    return {
      filename: path.join(dir, file),
      suffix: `\n//# sourceMappingURL=data:application/json;charset=utf-8;base64,${Buffer.from(json).toString('base64')}`,
    };
  }
}
