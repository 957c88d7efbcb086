/**
 * `tram run` on a notebook written for one fault, with the checks every such row shares: which cells hold
 * errors, the input file byte-for-byte unchanged (with --out) or unchanged except outputs (--inplace), and
 * nothing left running in the row's folder or in tram's process group.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { leftBehind, rowDir } from './context';
import { tram, type RunResult, type TramRunOptions } from './hosts';
import * as nb from './notebook';

export interface NotebookRun {
  dir: string;
  input: string;
  output: string;
  before: nb.Notebook;
  /** What tram run wrote (undefined when it wrote nothing or it is not JSON). */
  after?: nb.Notebook;
  run: RunResult;
  /** Input file unchanged byte for byte (--out) — for --inplace, see `diff`. */
  inputUnchanged: boolean;
  /** Non-output paths that differ between input and output ([] = only outputs changed). */
  diff: string[];
  left: string;
}

export async function runNotebook(
  name: string,
  cells: (string | nb.NbCell)[],
  args: string[],
  opts: TramRunOptions & { inplace?: boolean } = {},
): Promise<NotebookRun> {
  const dir = rowDir(name);
  const input = path.join(dir, 'fault.ipynb');
  const output = opts.inplace ? input : path.join(dir, 'out.ipynb');
  const before = nb.notebook(cells);
  nb.write(input, before);
  const sha = nb.sha256(input);
  const run = await tram(['run', input, ...(opts.inplace ? ['--inplace'] : ['--out', output]), ...args], { cwd: dir, ...opts });
  let after: nb.Notebook | undefined;
  try {
    after = nb.read(output);
  } catch {
    after = undefined;
  }
  const left = [await leftBehind(dir), ...run.leftInGroup].filter(Boolean).join('; ');
  return {
    dir,
    input,
    output,
    before,
    after,
    run,
    inputUnchanged: opts.inplace ? true : nb.sha256(input) === sha,
    diff: after ? nb.nonOutputDiff(before, after) : ['(no output notebook)'],
    left,
  };
}

export interface Check {
  ok: boolean;
  text: string;
}

/** The checks shared by every `tram run` row. */
export function fileChecks(r: NotebookRun): Check[] {
  return [
    { ok: r.inputUnchanged && r.diff.length === 0, text: r.inputUnchanged && r.diff.length === 0 ? 'file unchanged but outputs' : `✗ notebook changed: input ${r.inputUnchanged ? 'same' : 'REWRITTEN'}, differs at ${r.diff.join(', ')}` },
    { ok: !r.left && !r.run.killed, text: r.left || r.run.killed ? `✗ ${r.run.killed ? 'tram run hung (killed by the suite); ' : ''}left behind: ${r.left}` : 'nothing left running' },
  ];
}

/** The error (or stderr) text of cell `i` of the written notebook. */
export function cellText(r: NotebookRun, i: number): string {
  return nb.outputText(r.after?.cells[i]);
}

export function errorCells(r: NotebookRun): number[] {
  return r.after ? nb.cellsWithErrors(r.after) : [];
}

export function summary(r: NotebookRun): string {
  return `exit ${r.run.code ?? r.run.signal} in ${(r.run.ms / 1000).toFixed(1)} s`;
}

export function outcome(checks: Check[]): { pass: boolean; observed: string } {
  return { pass: checks.every((c) => c.ok), observed: checks.map((c) => (c.ok || c.text.startsWith('✗') ? c.text : `✗ ${c.text}`)).join('; ') };
}

export function tail(r: NotebookRun): string {
  return `stdout: ${r.run.stdout.slice(-1500)}\nstderr: ${r.run.stderr.slice(-1500)}\nfolder: ${r.dir}`;
}

export function exists(f: string): boolean {
  return fs.existsSync(f);
}
