/**
 * `npm run bench [-- --quick] [-- --backends wasm,cpu] [-- --models text,cnn-layers] [-- --out DIR]`: the performance
 * suite (#6, #3, #10).
 *
 * Step cost of every method on three models and every available backend, as ratios measured in one run;
 * backend speed (wasm's fast matMul gradient, native); ours vs PyTorch on CPU; kernel cold start, trivial
 * cell, chart render and live-display overhead; IntelliSense latency in cells (bench/editor.ts); memory over a
 * long TRAM run; how cost grows with batch and width. Writes `<date>.md` and `<date>.json` under bench/results/ (bench/results/tmp/ with --quick).
 * Goals missed are reported, not failures: the exit status is 0 whenever the suite ran.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { performance } from 'node:perf_hooks';
import { gitRevision, machineInfo, versions } from './machine';
import { probeBackends, useBackend } from './backends';
import { defaultBatch, defaultSpecs, type ModelKind } from './models';
import { measureStepCost } from './stepcost';
import { compareProducts, compareWithTorch, PYTHON, torchUnavailable } from './torch';
import { spawnSync } from 'node:child_process';
import { chartRenderMs, displayOverhead } from './kernelside';
import { kernelBench } from './kernel';
import { editorBench } from './editor';
import { measureMemory } from './memory';
import { measureGrowth } from './growth';
import { backendSpeed } from './backendspeed';
import { checkGoals } from './goals';
import { toMarkdown } from './markdown';
import type { Schedule } from './timing';
import type { Results } from './results';

interface Options {
  quick: boolean;
  backends: string[] | null;
  models: ModelKind[] | null;
  out: string | null;
}

const ALL_MODELS: ModelKind[] = ['mlp', 'cnn', 'cnn-layers', 'text', 'transformer'];

const usage = `usage: npm run bench [-- --quick] [--backends wasm,cpu,tensorflow] [--models ${ALL_MODELS.join(',')}] [--out DIR]`;

export function parseArgs(argv: string[]): Options {
  const o: Options = { quick: false, backends: null, models: null, out: null };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--quick') o.quick = true;
    else if (a === '--backends' || a === '--out' || a === '--models') {
      const v = argv[++i];
      if (!v || v.startsWith('--')) throw new Error(`${a} needs a value. ${usage}`);
      if (a === '--out') o.out = v;
      else if (a === '--models') {
        const bad = v.split(',').filter((m) => !ALL_MODELS.includes(m as ModelKind));
        if (bad.length) throw new Error(`unknown model${bad.length > 1 ? 's' : ''} ${bad.join(', ')} for --models: use ${ALL_MODELS.join(', ')}. ${usage}`);
        o.models = v.split(',').filter(Boolean) as ModelKind[];
      } else o.backends = v.split(',').filter(Boolean);
    } else if (a === '-h' || a === '--help') {
      console.log(usage);
      process.exit(0);
    } else throw new Error(`unknown option '${a}'. ${usage}`);
  }
  return o;
}

/** Rounds per model and backend: enough rounds for stable medians while the whole run stays under 10 minutes. */
function schedule(quick: boolean, backend: string, model: ModelKind): Schedule {
  if (quick) return { warmup: 1, rounds: 3, stepsPerRound: 2 };
  if (backend === 'cpu') return { warmup: 1, rounds: 3, stepsPerRound: 1 };
  return { warmup: 2, rounds: model === 'mlp' ? 9 : 7, stepsPerRound: model === 'mlp' ? 3 : 2 };
}

/**
 * Batch size per model and backend. The pure-JS cpu backend is 10–30× slower than wasm, so it runs a quarter of
 * the batch to keep the whole suite under 10 minutes; its ratios are then not comparable to wasm's one for one.
 */
function batchFor(backend: string, model: ModelKind): number {
  return backend === 'cpu' ? Math.max(4, defaultBatch[model] / 4) : defaultBatch[model];
}

function log(s: string): void {
  process.stderr.write(s + '\n');
}

async function main(): Promise<number> {
  const opts = parseArgs(process.argv.slice(2));
  const t0 = performance.now();
  const root = path.resolve(__dirname, '..', '..');
  const date = new Date().toISOString().replace(/\.\d+Z$/, 'Z');
  // Said first (stderr now, the report's first lines later): whether the PyTorch side can run at all.
  const torchWhy = torchUnavailable();
  log(torchWhy ? `bench: PyTorch NOT measured: ${torchWhy}` : `bench: PyTorch from ${PYTHON}`);
  const probe = await probeBackends();
  let measured: string[] = probe.available.filter((b) => !opts.backends || opts.backends.includes(b));
  const skipped = { ...probe.skipped };
  for (const b of probe.available) if (!measured.includes(b)) skipped[b] = 'not requested (--backends)';
  if (opts.quick) {
    for (const b of measured.slice(1)) skipped[b] = '--quick measures the first available backend only';
    measured = measured.slice(0, 1);
  }
  const notes: string[] = [
    'Clock: CPU time of the process (and of the PyTorch process) on the single-threaded wasm and cpu backends, so that ' +
    'other work on the machine does not enter the figures; wall time on native backends.',
    ...Object.entries(probe.detail).filter(([b]) => measured.includes(b as never)).map(([, d]) => d),
  ];
  if (!opts.quick && measured.includes('cpu')) notes.push('cpu (pure JS) runs a quarter of each batch size to keep the run under 10 minutes.');
  if (opts.quick) notes.push('--quick: MLP only, 3 rounds, 500 memory steps (a full run does 10,000), one growth round, 5 editor rounds (30 in a full run); figures are rough.');
  const r: Results = {
    meta: {
      date, command: `npm run bench${process.argv.length > 2 ? ' -- ' + process.argv.slice(2).join(' ') : ''}`,
      quick: opts.quick, machine: machineInfo(), versions: versions(), git: gitRevision(),
      backends: { measured, skipped }, notes,
    },
    stepCost: [], growth: [], goals: [],
  };
  log(`bench: backends ${measured.join(', ') || 'none'}${Object.keys(skipped).length ? ` (not: ${Object.keys(skipped).join(', ')})` : ''}`);
  if (!measured.length) throw new Error('no backend could be started; run `tram doctor` to see why');
  const primary = measured.includes('wasm') ? 'wasm' : measured[0];
  const models: ModelKind[] = opts.models ?? (opts.quick ? ['mlp'] : ALL_MODELS);

  // Step cost, every backend (the primary first, the slow pure-JS cpu last).
  const order = [primary, ...measured.filter((b) => b !== primary)].sort((a, b) => Number(a === 'cpu') - Number(b === 'cpu'));
  const sections: Record<string, number> = {};
  let mark = performance.now();
  const section = (name: string) => {
    const now = performance.now();
    sections[name] = (now - mark) / 1000;
    mark = now;
  };
  log('step cost');
  for (const b of order) {
    await switchTo(b);
    for (const m of models) {
      r.stepCost.push(await measureStepCost(b, m, defaultSpecs[m], batchFor(b, m), schedule(opts.quick, b, m), undefined, log));
    }
  }

  section('step cost');
  await switchTo(primary);
  log('backend speed');
  r.backendSpeed = await backendSpeed(measured, opts.quick, log);
  await switchTo(primary);
  section('backend speed');

  log('PyTorch');
  r.pytorch = { available: !torchWhy, reason: torchWhy ?? undefined, rows: [] };
  if (!torchWhy) {
    // Same threads on both sides: wasm is single-threaded, so PyTorch runs 1 thread beside it; native runs all
    // cores in this process (PyTorch too), and 1 thread in a child process (libtensorflow's pools are fixed at start).
    const cores = os.cpus().length;
    for (const b of order.filter((x) => x !== 'cpu')) {
      await switchTo(b);
      const threads = b === 'wasm' ? 1 : cores;
      for (const m of models) {
        await compareWithTorch(r.pytorch, b, m, defaultSpecs[m], defaultBatch[m],
          opts.quick ? { warmup: 3, rounds: 3, stepsPerRound: 2 } : { warmup: 5, rounds: 5, stepsPerRound: 2 }, log, threads);
      }
      await compareProducts(r.pytorch, b, opts.quick, threads);
    }
    if (order.includes('tensorflow') && !opts.quick && cores > 1) nativeOneThread(r.pytorch, models, log);
    if (order.includes('cpu')) notes.push('PyTorch is compared on the wasm and native backends (the goals name them), not on the pure-JS cpu fallback.');
  } else log(`  skipped: ${torchWhy}`);

  await switchTo(primary);
  section('PyTorch');
  log('kernel');
  r.kernel = { kernelNotes: [] };
  await kernelFigures(r, opts.quick, primary);
  const chart = await chartRenderMs(opts.quick ? 3 : 10);
  r.kernel.chartRenderMs = chart.ms;
  r.kernel.chartPoints = chart.points;
  r.kernel.display = await displayOverhead(primary, defaultSpecs.mlp, defaultBatch.mlp,
    opts.quick ? { warmup: 3, rounds: 3, stepsPerRound: 10 } : { warmup: 10, rounds: 5, stepsPerRound: 40 });

  section('kernel');
  log('editor');
  r.editor = await editorBench({ rounds: opts.quick ? 5 : 30, log });

  section('editor');
  log('memory');
  const small = { kind: 'mlp' as const, input: 32, hidden: [64], classes: 10 };
  r.memory = measureMemory(primary, small, 32, 'tram-theta-prev', opts.quick ? 500 : 10_000, log);

  section('memory');
  log('growth');
  r.growth = await measureGrowth(primary, 'tram-x', [16, 32, 64, 128], [64, 128, 256, 512],
    opts.quick ? { warmup: 1, rounds: 1, stepsPerRound: 2 } : { warmup: 2, rounds: 5, stepsPerRound: 2 }, log);

  section('growth');
  r.meta.sectionsS = sections;
  r.meta.loadAtEnd = Math.round(os.loadavg()[0] * 100) / 100;
  r.goals = checkGoals(r);
  r.meta.durationS = (performance.now() - t0) / 1000;
  const dir = opts.out ?? path.join(root, 'bench', 'results', opts.quick ? 'tmp' : '');
  fs.mkdirSync(dir, { recursive: true });
  const base = path.join(dir, date.replace(/:/g, '-'));
  fs.writeFileSync(`${base}.json`, JSON.stringify(r, null, 2) + '\n');
  const md = toMarkdown(r);
  fs.writeFileSync(`${base}.md`, md);
  process.stdout.write(md);
  log(`bench: wrote ${path.relative(process.cwd(), base)}.md and .json in ${r.meta.durationS.toFixed(0)} s; ` +
    `${r.goals.filter((g) => g.met).length}/${r.goals.length} goals met`);
  return 0;
}

/** Native at one thread vs PyTorch at one thread, in a child process (bench/torch-threads.ts); rows appended. */
function nativeOneThread(out: NonNullable<Results['pytorch']>, models: ModelKind[], log: (s: string) => void): void {
  const env = { ...process.env, TF_NUM_INTRAOP_THREADS: '1', TF_NUM_INTEROP_THREADS: '1', OMP_NUM_THREADS: '1', TF_CPP_MIN_LOG_LEVEL: '2' };
  const r = spawnSync(process.execPath, [path.join(__dirname, 'torch-threads.js'), models.join(','), '0'],
    { env, encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'], maxBuffer: 1 << 24 });
  const last = (r.stdout || '').trim().split('\n').pop() ?? '';
  if (r.status !== 0 || !last.startsWith('{')) {
    log(`  native at 1 thread: not measured (child exit ${r.status ?? r.signal})`);
    return;
  }
  const child = JSON.parse(last) as NonNullable<Results['pytorch']>;
  out.rows.push(...child.rows);
  if (child.matMul) out.matMul = [...(out.matMul ?? []), ...child.matMul];
}

async function switchTo(b: string): Promise<void> {
  await useBackend(b);
}

/** Cold start and trivial-cell round trip from the kernel's own benchmark (bench/kernel.ts), on `backend`. */
async function kernelFigures(r: Results, quick: boolean, backend: string): Promise<void> {
  const k = r.kernel!;
  const res = await kernelBench({ quick, backend });
  k.coldStartMs = res.coldStartMs;
  k.trivialCellMs = res.trivialCellMedianMs;
  k.trivialCellP90Ms = res.trivialCellP90Ms;
  k.declareCellMs = res.declareCellMedianMs;
  k.kernelNotes.push(...res.notes);
  k.kernelNotes.push(`interrupt to reply (median): ${res.interruptSyncMs.toFixed(0)} ms busy loop, ${res.interruptAwaitMs.toFixed(0)} ms awaited loop`);
}

main().then(
  (code) => { process.exitCode = code; },
  (err) => { console.error(`bench: ${err && err.stack ? err.stack : String(err)}`); process.exitCode = 1; },
);
