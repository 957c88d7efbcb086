/**
 * Kernel figures: cold start to first result, and the round trip of a trivial cell after warm-up, both measured
 * through `KernelClient` exactly as the editor and `tram run` use it (spawn, IPC, type-check, run, reply).
 *
 *   node out/bench/kernel.js [--quick]
 * Goals (issue #3): cold start <= 4 s on wasm, trivial cell <= 30 ms. The trivial cell is `1 + 1` run again and
 * again (the type-checker reuses its program when the text is unchanged); `${i} + 1` and a declaring cell are
 * reported beside it. Interrupt latency: from `interrupt()` to the cell's `interrupted` reply, for a synchronous busy
 * loop and for an awaited loop (test/kernel/client.test.ts checks only that the interrupt works).
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { KernelClient } from '../kernel/host/client';

export interface KernelBenchResult {
  /** Median over starts: KernelClient.start() until the result of the first cell (`1 + 1`) arrived. */
  coldStartMs: number;
  /** Median round trip of a trivial cell after warm-up (execute() call to its resolution). */
  trivialCellMedianMs: number;
  /** Same figure, under the name bench/main.ts reads. */
  trivialCellMs: number;
  /** Median round trip of trivial cells that differ each time (`${i} + 1`: nothing cached by the type-checker). */
  trivialDistinctMedianMs: number;
  /** 90th percentile of the trivial-cell round trip. */
  trivialCellP90Ms: number;
  /** Median round trip of a cell that declares a variable (types carried to later cells). */
  declareCellMedianMs: number;
  /** Median time from interrupt() to the `interrupted` reply: synchronous `while (true)` loop. */
  interruptSyncMs: number;
  /** Same for a loop that awaits a timer each turn (the abort signal path). */
  interruptAwaitMs: number;
  backend: string;
  starts: number;
  cells: number;
  notes: string[];
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
}

function quantile(xs: number[], q: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(q * s.length))];
}

/** Starts `code`, interrupts it after `afterMs`, returns ms from interrupt() to the `interrupted` reply. */
async function interruptLatency(k: KernelClient, cell: string, code: string, afterMs = 300): Promise<number> {
  let t0 = 0;
  const running = k.execute(cell, code, () => undefined);
  await new Promise((r) => setTimeout(r, afterMs));
  t0 = performance.now();
  k.interrupt();
  const r = await running;
  const ms = performance.now() - t0;
  if (r.status !== 'interrupted') throw new Error(`bench cell '${cell}' ended '${r.status}' instead of interrupted`);
  return ms;
}

async function roundTrip(k: KernelClient, cell: string, code: string): Promise<number> {
  const t0 = performance.now();
  let ok = false;
  const r = await k.execute(cell, code, (m) => { if (m.type === 'result') ok = true; });
  const ms = performance.now() - t0;
  if (r.status !== 'ok' || !ok) throw new Error(`bench cell '${code}' did not give a result (status ${r.status}${r.reason ? `: ${r.reason}` : ''})`);
  return ms;
}

export async function kernelBench(opts: { quick?: boolean; backend?: string } = {}): Promise<KernelBenchResult> {
  const starts = opts.quick ? 1 : 3;
  const cells = opts.quick ? 15 : 60;
  const cwd = fs.mkdtempSync(path.join(os.tmpdir(), 'tram-kernel-bench-'));
  const cold: number[] = [];
  let backend = '';
  for (let i = 0; i < starts; i++) {
    const t0 = performance.now();
    const k = await KernelClient.start({ cwd, backend: opts.backend ?? 'wasm' });
    await roundTrip(k, 'first', '1 + 1');
    cold.push(performance.now() - t0);
    backend = k.info.backend;
    await k.shutdown();
  }
  const k = await KernelClient.start({ cwd, backend: opts.backend ?? 'wasm' });
  try {
    for (let i = 0; i < 5; i++) await roundTrip(k, `warm${i}`, `${i} + 1`);
    const trivial: number[] = [];
    for (let i = 0; i < cells; i++) trivial.push(await roundTrip(k, `t${i}`, '1 + 1'));
    const distinct: number[] = [];
    for (let i = 0; i < cells; i++) distinct.push(await roundTrip(k, `u${i}`, `${i} + 1`));
    const declare: number[] = [];
    for (let i = 0; i < Math.min(cells, 20); i++) declare.push(await roundTrip(k, `d${i}`, `const v${i % 3} = ${i}; v${i % 3}`));
    const intSync: number[] = [];
    const intAwait: number[] = [];
    for (let i = 0; i < (opts.quick ? 2 : 5); i++) {
      intSync.push(await interruptLatency(k, `is${i}`, 'while (true) {}'));
      intAwait.push(await interruptLatency(k, `ia${i}`, 'while (true) { await new Promise((r) => setTimeout(r, 5)); }'));
    }
    const load = os.loadavg()[0];
    const notes = [
      `kernel: ${starts} cold start(s) and ${cells} trivial cells on ${backend}, ${os.cpus().length} CPU(s), load average ${load.toFixed(1)} during the run`,
    ];
    return {
      coldStartMs: median(cold),
      trivialCellMedianMs: median(trivial),
      trivialCellMs: median(trivial),
      trivialDistinctMedianMs: median(distinct),
      trivialCellP90Ms: quantile(trivial, 0.9),
      declareCellMedianMs: median(declare),
      interruptSyncMs: median(intSync),
      interruptAwaitMs: median(intAwait),
      backend,
      starts,
      cells,
      notes,
    };
  } finally {
    await k.shutdown();
    fs.rmSync(cwd, { recursive: true, force: true });
  }
}

if (require.main === module) {
  kernelBench({ quick: process.argv.includes('--quick') }).then((r) => {
    console.log(`cold start to first result   ${r.coldStartMs.toFixed(0)} ms (goal <= 4000 ms on wasm)`);
    console.log(`trivial cell, median         ${r.trivialCellMedianMs.toFixed(1)} ms (goal <= 30 ms); p90 ${r.trivialCellP90Ms.toFixed(1)} ms`);
    console.log(`trivial cells, each new text ${r.trivialDistinctMedianMs.toFixed(1)} ms (median)`);
    console.log(`cell declaring a variable    ${r.declareCellMedianMs.toFixed(1)} ms (median)`);
    console.log(`interrupt to reply           ${r.interruptSyncMs.toFixed(0)} ms busy loop, ${r.interruptAwaitMs.toFixed(0)} ms awaited loop (median)`);
    for (const n of r.notes) console.log(n);
  }, (e) => {
    console.error(`bench/kernel: ${e && e.stack ? e.stack : e}`);
    process.exitCode = 1;
  });
}
