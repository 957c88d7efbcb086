/**
 * nbformat 4 notebooks for `tram run`: read and check a notebook, turn kernel messages into nbformat outputs,
 * write the result atomically (temp file + rename). Only `outputs` and `execution_count` of code cells change.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { KernelMessage, MimeBundle } from '../protocol';

export interface NbOutput {
  output_type: 'stream' | 'display_data' | 'execute_result' | 'error';
  [k: string]: unknown;
}

export interface NbCell {
  cell_type: 'code' | 'markdown' | 'raw';
  source: string | string[];
  metadata?: Record<string, unknown>;
  outputs?: NbOutput[];
  execution_count?: number | null;
  [k: string]: unknown;
}

export interface Notebook {
  nbformat: number;
  nbformat_minor: number;
  metadata: Record<string, unknown>;
  cells: NbCell[];
}

/** Raised for a file that is not a notebook we can run; the message names the problem and the fix. */
export class NotebookError extends Error {}

/** Offset of the first byte that does not start or continue a valid UTF-8 sequence (for the error message). */
function firstInvalidUtf8(bytes: Buffer): number {
  const decoder = new TextDecoder('utf-8', { fatal: true });
  let lo = 0;
  let hi = bytes.length; // invariant: bytes[0, lo) decodes; bytes[0, hi) does not
  while (hi - lo > 1) {
    const mid = (lo + hi) >> 1;
    try {
      decoder.decode(bytes.subarray(0, mid), { stream: true });
      decoder.decode(); // reset
      lo = mid;
    } catch {
      hi = mid;
    }
  }
  return Math.min(lo, bytes.length - 1);
}

export function readNotebook(file: string): Notebook {
  let bytes: Buffer;
  try {
    bytes = fs.readFileSync(file);
  } catch (e) {
    throw new NotebookError(`${file}: cannot read it (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
  }
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    const at = firstInvalidUtf8(bytes);
    throw new NotebookError(
      `${file}: not valid UTF-8 (byte 0x${bytes[at].toString(16).toUpperCase().padStart(2, '0')} at offset ${at}); notebooks must be UTF-8 — re-save it as UTF-8 (e.g. \`iconv -f latin1 -t utf-8\`). It was not changed.`,
    );
  }
  let nb: Notebook;
  try {
    nb = JSON.parse(text);
  } catch (e) {
    throw new NotebookError(`${file}: not valid JSON (${(e as Error).message}); fix the file or save it again from the editor. It was not changed.`);
  }
  if (!nb || typeof nb !== 'object' || nb.nbformat !== 4 || !Array.isArray(nb.cells)) {
    const got = nb && typeof nb === 'object' ? `nbformat ${JSON.stringify(nb.nbformat)}` : typeof nb;
    throw new NotebookError(`${file}: not an nbformat 4 notebook (got ${got}); convert it with \`jupyter nbconvert --to notebook\` first. It was not changed.`);
  }
  for (const [i, c] of nb.cells.entries()) {
    if (!c || typeof c !== 'object' || typeof c.cell_type !== 'string' || (typeof c.source !== 'string' && !Array.isArray(c.source))) {
      throw new NotebookError(`${file}: cell ${i + 1} is malformed (needs cell_type and source); it was not changed.`);
    }
  }
  return nb;
}

export function cellSource(c: NbCell): string {
  return Array.isArray(c.source) ? c.source.join('') : c.source;
}

/** 'javascript' when the cell or the notebook says so, else 'typescript'. */
export function cellLanguage(nb: Notebook, c: NbCell): 'typescript' | 'javascript' {
  const vscode = (c.metadata?.vscode ?? {}) as { languageId?: string };
  if (vscode.languageId === 'javascript') return 'javascript';
  if (vscode.languageId === 'typescript') return 'typescript';
  const info = (nb.metadata?.language_info ?? {}) as { name?: string };
  return info.name === 'javascript' ? 'javascript' : 'typescript';
}

/** Write `nb` to `file` through a temp file in the same folder and a rename, so readers never see half a file. */
export function writeNotebookAtomic(file: string, nb: Notebook): void {
  const tmp = path.join(path.dirname(file), `.${path.basename(file)}.tram-${process.pid}.tmp`);
  fs.writeFileSync(tmp, JSON.stringify(nb, null, 1) + '\n');
  try {
    fs.renameSync(tmp, file);
  } catch (e) {
    fs.rmSync(tmp, { force: true });
    throw e;
  }
}

/** nbformat stores text MIME data as strings and JSON MIME data as values. */
function nbData(data: MimeBundle): MimeBundle {
  const out: MimeBundle = {};
  for (const [mime, v] of Object.entries(data)) {
    const isJson = mime === 'application/json' || mime.endsWith('+json');
    out[mime] = isJson || typeof v === 'string' ? v : JSON.stringify(v);
  }
  return out;
}

/**
 * Collects outputs of the cells of one notebook run: streams are merged, `update` displays replace the
 * output they created in place (in whichever cell it is).
 */
export class OutputCollector {
  private readonly byCell = new Map<string, NbOutput[]>();
  private readonly displays = new Map<string, NbOutput[]>();

  outputs(cell: string): NbOutput[] {
    let list = this.byCell.get(cell);
    if (!list) this.byCell.set(cell, (list = []));
    return list;
  }

  add(m: KernelMessage, executionCount: (cell: string) => number | null): void {
    if (!('cell' in m)) return;
    const list = this.outputs(m.cell);
    switch (m.type) {
      case 'stream': {
        const last = list[list.length - 1];
        if (last && last.output_type === 'stream' && last.name === m.name) last.text = String(last.text) + m.text;
        else list.push({ output_type: 'stream', name: m.name, text: m.text });
        break;
      }
      case 'display': {
        const data = nbData(m.data);
        const shown = m.displayId ? this.displays.get(m.displayId) : undefined;
        if (m.update && shown) {
          for (const o of shown) o.data = data;
          break;
        }
        const out: NbOutput = { output_type: 'display_data', data, metadata: m.metadata ?? {} };
        list.push(out);
        if (m.displayId) this.displays.set(m.displayId, [...(shown ?? []), out]);
        break;
      }
      case 'result':
        list.push({ output_type: 'execute_result', execution_count: executionCount(m.cell), data: nbData(m.data), metadata: {} });
        break;
      case 'error':
        list.push({ output_type: 'error', ename: m.ename, evalue: m.evalue, traceback: m.traceback });
        break;
    }
  }

  /** An error output added by the host (timeout, kernel died). */
  addError(cell: string, ename: string, evalue: string): void {
    this.outputs(cell).push({ output_type: 'error', ename, evalue, traceback: [`${ename}: ${evalue}`] });
  }
}
