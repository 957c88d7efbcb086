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
 *   (lines the map does not know are left unmapped). A debugger that reads source maps (VS Code's js-debug)
 *   binds breakpoints set in that file to the running cell and shows it when paused.
 * - Cells run while not debugging get no map and no file (the normal path is unchanged).
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

/** A source map v3 (JSON) mapping each compiled line the line map knows to column 0 of its cell line. */
export function lineSourceMap(map: LineMap, compiled: string, sourceUrl: string, file: string): string {
  const lines: string[] = [];
  let prevSource = 0;
  const text = compiled.split('\n');
  for (let n = 1; n <= text.length; n++) {
    const src = map.line(n); // undefined for the compiler's boilerplate lines too (linemap.ts)
    if (src === undefined) {
      lines.push('');
      continue;
    }
    // [generated column, source index delta, source line delta, source column delta]
    lines.push(vlq(0) + vlq(0) + vlq(src - 1 - prevSource) + vlq(0));
    prevSource = src - 1;
  }
  return JSON.stringify({ version: 3, file, sources: [sourceUrl], names: [], mappings: lines.join(';') });
}

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

  stop(): void {
    this.sourceDirValue = undefined;
    if (inspector.url() !== undefined) inspector.close();
  }

  /**
   * While debugging: writes the cell's text to its file and returns the source-map comment to append to the
   * compiled code (`compiled` = the code as run, wrapper included); undefined when not debugging.
   */
  annotate(cell: string, code: string, compiled: string, map: LineMap, file: string): string | undefined {
    const dir = this.sourceDirValue;
    if (dir === undefined) return undefined;
    const source = path.join(dir, cellSourceName(cell));
    fs.writeFileSync(source, code);
    const json = lineSourceMap(map, compiled, pathToFileURL(source).href, file);
    return `\n//# sourceMappingURL=data:application/json;charset=utf-8;base64,${Buffer.from(json).toString('base64')}`;
  }
}
