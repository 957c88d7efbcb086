/**
 * `tram run`: executes notebooks, each in a fresh kernel, and writes their outputs.
 *
 * A cell that fails stops the notebook unless errors are allowed. A cell over the time limit is interrupted,
 * and its kernel killed if it does not stop within 3 s; a kernel that dies is reported in the cell and the next
 * cell (with --allow-errors) or notebook gets a new kernel. One summary line per cell goes to `log`.
 */
import * as path from 'node:path';
import { KernelClient, KernelStartOptions } from './client';
import { cellLanguage, cellSource, checkNotebookTarget, Notebook, OutputCollector, readNotebook, writeNotebookAtomic } from './notebook';

export interface RunOptions {
  /** Where to write the executed notebook; undefined = do not write. */
  out?: string;
  /** Seconds per cell; undefined = no limit. */
  timeoutS?: number;
  allowErrors?: boolean;
  backend?: string;
  log?: (line: string) => void;
  kernel?: Partial<KernelStartOptions>;
}

export type CellOutcome = 'ok' | 'error' | 'interrupted' | 'died' | 'timeout' | 'skipped';

export interface CellSummary {
  index: number;
  status: CellOutcome;
  seconds: number;
}

export interface NotebookResult {
  file: string;
  ok: boolean;
  timedOut: boolean;
  cells: CellSummary[];
  seconds: number;
  notebook: Notebook;
}

const KILL_AFTER_INTERRUPT_MS = 3000;

function firstLine(code: string): string {
  const line = code.split('\n').find((l) => l.trim()) ?? '';
  return line.length > 50 ? line.slice(0, 47) + '...' : line;
}

export async function runNotebook(file: string, opts: RunOptions = {}): Promise<NotebookResult> {
  const log = opts.log ?? ((l: string) => console.log(l));
  const nb = readNotebook(file);
  const target = opts.out !== undefined ? checkNotebookTarget(opts.out) : undefined; // before any cell runs
  const t0 = performance.now();
  if (!nb.cells.some((c) => c.cell_type === 'code' && cellSource(c).trim())) {
    // Nothing to run: no kernel. Blank code cells are cleared as they would be after a run.
    for (const c of nb.cells) if (c.cell_type === 'code') { c.outputs = []; c.execution_count = null; }
    log(`${file}: no code to run (no kernel started)`);
    if (target) writeNotebookAtomic(target, nb);
    return { file, ok: true, timedOut: false, cells: [], seconds: (performance.now() - t0) / 1000, notebook: nb };
  }
  const kernel = await KernelClient.start({ cwd: path.dirname(path.resolve(file)), backend: opts.backend, ...opts.kernel });
  log(`${file}: kernel ${kernel.info.backend} (pid ${kernel.info.pid})`);
  const collector = new OutputCollector();
  const counts = new Map<string, number>();
  kernel.on('message', (m) => collector.add(m, (cell) => counts.get(cell) ?? null));
  const summaries: CellSummary[] = [];
  let ok = true;
  let timedOut = false;
  let count = 0;
  try {
    for (const [i, cell] of nb.cells.entries()) {
      if (cell.cell_type !== 'code') continue;
      const id = String(i + 1);
      const code = cellSource(cell);
      if (!ok && !opts.allowErrors) {
        summaries.push({ index: i + 1, status: 'skipped', seconds: 0 });
        continue;
      }
      if (!code.trim()) {
        cell.outputs = [];
        cell.execution_count = null;
        continue;
      }
      counts.set(id, ++count);
      const started = performance.now();
      let hitTimeout = false;
      let killTimer: NodeJS.Timeout | undefined;
      const limit = opts.timeoutS !== undefined
        ? setTimeout(() => {
          hitTimeout = true;
          kernel.interrupt();
          killTimer = setTimeout(() => kernel.kill(), KILL_AFTER_INTERRUPT_MS);
        }, opts.timeoutS * 1000)
        : undefined;
      const r = await kernel.execute(id, code, () => undefined, cellLanguage(nb, cell));
      clearTimeout(limit);
      clearTimeout(killTimer);
      const seconds = (performance.now() - started) / 1000;
      let status: CellOutcome = r.status;
      if (hitTimeout) {
        status = 'timeout';
        timedOut = true;
        const outs = collector.outputs(id);
        const kernelNote = outs.findIndex((o) => o.output_type === 'error' && o.ename === 'Interrupted');
        if (kernelNote >= 0) outs.splice(kernelNote, 1); // replaced by the Timeout error below
        const how = r.status === 'died' ? 'the kernel did not stop and was killed' : 'the cell was interrupted';
        collector.addError(id, 'Timeout', `cell ${id} ran longer than ${opts.timeoutS} s; ${how}`);
      } else if (r.status === 'died') {
        collector.addError(id, 'KernelDied', `${r.reason ?? 'the kernel process died'}; the next cell starts a new kernel`);
      }
      cell.outputs = collector.outputs(id);
      cell.execution_count = count;
      if (status !== 'ok') ok = false;
      summaries.push({ index: i + 1, status, seconds });
      log(`  [${i + 1}] ${status.padEnd(11)} ${seconds.toFixed(2).padStart(7)} s  ${firstLine(code)}`);
    }
  } finally {
    await kernel.shutdown();
  }
  // Late outputs (updates from timers) may have reached cells after they finished: they are the same arrays.
  const seconds = (performance.now() - t0) / 1000;
  const skipped = summaries.filter((s) => s.status === 'skipped').length;
  const failed = summaries.filter((s) => s.status !== 'ok' && s.status !== 'skipped').length;
  log(`${file}: ${summaries.length - skipped} cells run, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}, ${seconds.toFixed(1)} s`);
  if (target) writeNotebookAtomic(target, nb);
  return { file, ok: (ok || !!opts.allowErrors) && !timedOut, timedOut, cells: summaries, seconds, notebook: nb };
}
