/**
 * nbformat 4 notebooks for `tram run`: read and check a notebook, turn kernel messages into nbformat outputs,
 * write the result atomically (temp file + rename). Only `outputs` and `execution_count` of code cells change.
 *
 * Reading refuses, with one line and nothing written: a path that is not a regular file, bytes that are not
 * UTF-8, text that is not JSON, nesting deeper than MAX_JSON_DEPTH, a number JS cannot hold exactly, nbformat
 * other than 4, and anything the nbformat v4.5 schema rejects (./nbschema.ts).
 */
import type { CellLanguage, KernelMessage, MimeBundle } from '../protocol';
import { checkOutputTarget, FileProblem, readRegularFile, writeThrough, type OutputTarget } from './files';
import { MAX_JSON_DEPTH, scanJson } from './jsonscan';
import { validateNotebook } from './nbschema';

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
    bytes = readRegularFile(file);
  } catch (e) {
    throw new NotebookError((e as Error).message);
  }
  if (bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) {
    throw new NotebookError(`${file}: starts with a UTF-8 byte-order mark, which JSON and Jupyter do not allow; save it without the BOM. It was not changed.`);
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
  const scan = scanJson(text);
  if (scan.depth > MAX_JSON_DEPTH) {
    throw new NotebookError(`${file}: nested ${scan.depth} levels deep (the limit is ${MAX_JSON_DEPTH}); flatten the metadata or sources that nest so deep. It was not changed.`);
  }
  if (scan.lossy) {
    const { literal, line, column } = scan.lossy;
    const shown = literal.length > 40 ? literal.slice(0, 37) + '...' : literal;
    throw new NotebookError(`${file}: the number ${shown} (line ${line}, column ${column}) cannot be kept exactly (it would be written back as ${JSON.stringify(Number(literal))}); store it as a string. It was not changed.`);
  }
  if (!nb || typeof nb !== 'object' || Array.isArray(nb) || nb.nbformat !== 4) {
    const got = nb && typeof nb === 'object' && !Array.isArray(nb) ? `nbformat ${JSON.stringify(nb.nbformat)}` : Array.isArray(nb) ? 'a JSON array' : JSON.stringify(nb);
    throw new NotebookError(`${file}: not an nbformat 4 notebook (got ${got}); convert it with \`jupyter nbconvert --to notebook\` first. It was not changed.`);
  }
  if (!Array.isArray(nb.cells)) {
    throw new NotebookError(`${file}: not a valid nbformat 4 notebook: ${'cells' in nb ? `"cells" must be a list (got ${nb.cells === null ? 'null' : typeof nb.cells})` : 'the "cells" list is missing'}; it was not changed.`);
  }
  const invalid = validateNotebook(nb);
  if (invalid) throw new NotebookError(`${file}: not a valid nbformat 4 notebook: ${invalid}; fix that field. It was not changed.`);
  return nb;
}

export function cellSource(c: NbCell): string {
  return Array.isArray(c.source) ? c.source.join('') : c.source;
}

/** 'javascript' when the cell or the notebook says so, else 'typescript'. */
export function cellLanguage(nb: Notebook, c: NbCell): CellLanguage {
  const vscode = (c.metadata?.vscode ?? {}) as { languageId?: string };
  if (vscode.languageId === 'javascript') return 'javascript';
  if (vscode.languageId === 'typescript') return 'typescript';
  const info = (nb.metadata?.language_info ?? {}) as { name?: string };
  return info.name === 'javascript' ? 'javascript' : 'typescript';
}

/** Check before running that `file` can take the result (see ./files.ts); NotebookError otherwise. */
export function checkNotebookTarget(file: string): OutputTarget {
  try {
    return checkOutputTarget(file);
  } catch (e) {
    if (e instanceof FileProblem) throw new NotebookError(e.message);
    throw e;
  }
}

/** Write `nb` through a temp file and a rename onto the real path, keeping its mode (see ./files.ts). */
export function writeNotebookAtomic(target: string | OutputTarget, nb: Notebook): void {
  const t = typeof target === 'string' ? checkNotebookTarget(target) : target;
  try {
    writeThrough(t, JSON.stringify(nb, null, 1) + '\n');
  } catch (e) {
    if (e instanceof FileProblem) throw new NotebookError(e.message);
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
