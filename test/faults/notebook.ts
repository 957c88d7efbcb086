/**
 * Notebooks for the fault rows: building them, reading what `tram run` wrote, and checking that nothing but
 * outputs changed (every cell's type, id, metadata and source, the notebook's metadata and nbformat).
 */
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';

export interface NbCell {
  cell_type: string;
  id?: string;
  metadata: Record<string, unknown>;
  source: string | string[];
  outputs?: NbOutput[];
  execution_count?: number | null;
  attachments?: Record<string, unknown>;
}

export interface NbOutput {
  output_type: string;
  name?: string;
  text?: string | string[];
  ename?: string;
  evalue?: string;
  traceback?: string[];
  data?: Record<string, unknown>;
}

export interface Notebook {
  cells: NbCell[];
  metadata: Record<string, unknown>;
  nbformat: number;
  nbformat_minor: number;
}

/** Source text as nbformat stores it: a list of lines, each but the last ending in "\n". */
export function lines(src: string): string[] {
  const parts = src.split('\n');
  return parts.map((l, i) => (i < parts.length - 1 ? l + '\n' : l)).filter((l) => l !== '');
}

export function notebook(cells: (string | NbCell)[]): Notebook {
  return {
    cells: cells.map((c, i) =>
      typeof c === 'string'
        ? { cell_type: 'code', id: `c${i}`, metadata: { tags: [`t${i}`] }, source: lines(c), outputs: [], execution_count: null }
        : c,
    ),
    metadata: {
      kernelspec: { name: 'tram-typescript', display_name: 'TRAM TypeScript', language: 'typescript' },
      language_info: { name: 'typescript' },
      custom: { keep: 'this metadata must survive', n: 1 },
    },
    nbformat: 4,
    nbformat_minor: 5,
  };
}

export function write(file: string, nb: Notebook): void {
  fs.writeFileSync(file, JSON.stringify(nb, null, 1) + '\n');
}

export function read(file: string): Notebook {
  return JSON.parse(fs.readFileSync(file, 'utf8')) as Notebook;
}

export function sha256(file: string): string {
  return crypto.createHash('sha256').update(fs.readFileSync(file)).digest('hex');
}

const text = (s: string | string[] | undefined) => (Array.isArray(s) ? s.join('') : s ?? '');

/** Everything in a notebook but outputs and execution counts. */
export function withoutOutputs(nb: Notebook): unknown {
  return {
    ...nb,
    cells: nb.cells.map((c) => {
      const { outputs: _o, execution_count: _e, ...rest } = c;
      return { ...rest, source: text(rest.source) };
    }),
  };
}

/** Paths where the non-output parts of two notebooks differ ([] when they are the same). */
export function nonOutputDiff(before: Notebook, after: Notebook): string[] {
  const diffs: string[] = [];
  const walk = (a: unknown, b: unknown, at: string) => {
    if (diffs.length > 8) return;
    if (a === b) return;
    if (typeof a !== typeof b || a === null || b === null || typeof a !== 'object') {
      diffs.push(at || '(root)');
      return;
    }
    if (Array.isArray(a) !== Array.isArray(b)) {
      diffs.push(at);
      return;
    }
    const keys = new Set([...Object.keys(a as object), ...Object.keys(b as object)]);
    for (const k of keys) walk((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k], `${at}.${k}`);
  };
  walk(withoutOutputs(before), withoutOutputs(after), '');
  return diffs;
}

/** All text of a cell's outputs: stream text, error name/value/traceback, text/plain of results. */
export function outputText(cell: NbCell | undefined): string {
  if (!cell?.outputs) return '';
  return cell.outputs
    .map((o) => {
      if (o.output_type === 'stream') return text(o.text);
      if (o.output_type === 'error') return `${o.ename}: ${o.evalue}\n${(o.traceback ?? []).join('\n')}\n`;
      return text(o.data?.['text/plain'] as string | string[] | undefined) + '\n';
    })
    .join('');
}

export function errorsOf(cell: NbCell | undefined): NbOutput[] {
  return (cell?.outputs ?? []).filter((o) => o.output_type === 'error');
}

/** Index of the cells whose outputs hold an error. */
export function cellsWithErrors(nb: Notebook): number[] {
  return nb.cells.map((c, i) => (errorsOf(c).length ? i : -1)).filter((i) => i >= 0);
}
