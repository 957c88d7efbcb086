/**
 * `npm run experiments -- --full | --quick [--seeds 1,2,3] [--tasks digits,spam] [--methods Adam,TRAM-x] [--vary-pretrain] [--dropout P] [--compare MODE] [--out DIR]`
 *
 * Runs the small-scale reproduction of the paper's Tables 5 and 6: for each task, pre-train once, fine-tune with
 * every method and seed, select on in-domain validation loss, evaluate in-domain and zero-shot. Writes
 * `results.json` (settings, command, seeds, every run), `summary.json` (mean ± sd, paired t-tests vs Adam) and
 * chart PNGs to `notebooks/results/<mode>/` (or `--out`). Results are written after every run, so an interrupted
 * run keeps what it finished.
 *
 * `--vary-pretrain`: run seed s also draws the data split (seed DATA_SEED + s) and the pre-trained model (seed
 * PRETRAIN_SEED + s), so the spread over seeds includes the pre-trained model and the split; every method still
 * pairs with Adam on the same seed (same split, same pre-trained model, same batches).
 *
 * `--dropout P` (0 ≤ P < 1, default 0): the pre-trained and fine-tuned MLPs apply dropout P between layers in
 * training mode (model.ts). `--compare train-vs-inference | like-for-like` is passed to the TRAM methods' optimizer
 * (default: the library's, train-vs-inference). Both are recorded in the results header and in every run.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { METHODS } from './methods';
import type { Compare } from './library-stepper';
import { MODES, Mode } from './settings';
import { digitsTask, spamTask, Task, DATA_SEED } from './tasks';
import { pretrain, fineTune, evaluate, RunResult, PRETRAIN_SEED } from './protocol';
import { summarise, comparisons, MethodSummary, Comparison } from './summary';
import { accuracyChart, tradeOffChart, sharpnessChart, ckaChart, radiusChart, deltaChart } from './charts';

interface Args {
  mode: Mode;
  seeds?: number[];
  tasks: string[];
  methods?: string[];
  out?: string;
  varyPretrain?: boolean;
  dropout: number;
  compare?: Compare;
}

const USAGE = 'usage: npm run experiments -- --full | --quick [--seeds 1,2,3] [--tasks digits,spam] [--methods Adam,TRAM-x] [--vary-pretrain] [--dropout P] [--compare train-vs-inference|like-for-like] [--out DIR]\n       npm run experiments -- --replot DIR   (redraw the charts of DIR/results.json)\n       npm run experiments -- --resummarise DIR   (recompute the statistics of DIR/summary.json from DIR/results.json)';

export function parseArgs(argv: string[]): Args {
  let mode: Mode | undefined;
  const a: Partial<Args> = { tasks: ['digits', 'spam'], dropout: 0 };
  for (let i = 0; i < argv.length; i++) {
    const k = argv[i];
    const value = () => {
      const v = argv[++i];
      if (v === undefined) throw new Error(`${k} needs a value\n${USAGE}`);
      return v;
    };
    if (k === '--full' || k === '--quick') mode = k.slice(2) as Mode;
    else if (k === '--seeds') a.seeds = value().split(',').map((s) => {
      const n = Number(s);
      if (!Number.isInteger(n) || n < 0) throw new Error(`--seeds takes non-negative integers separated by commas (got "${s}")`);
      return n;
    });
    else if (k === '--tasks') a.tasks = value().split(',');
    else if (k === '--methods') a.methods = value().split(',');
    else if (k === '--out') a.out = value();
    else if (k === '--vary-pretrain') a.varyPretrain = true;
    else if (k === '--dropout') {
      const v = value();
      const p = Number(v);
      if (v.trim() === '' || !Number.isFinite(p) || p < 0 || p >= 1) throw new Error(`--dropout takes a rate in [0, 1), e.g. --dropout 0.1 (got "${v}")`);
      a.dropout = p;
    } else if (k === '--compare') {
      const v = value();
      if (v !== 'train-vs-inference' && v !== 'like-for-like') throw new Error(`--compare takes train-vs-inference or like-for-like (got "${v}")`);
      a.compare = v;
    }
    else throw new Error(`unknown option "${k}"\n${USAGE}`);
  }
  if (!mode) throw new Error(`choose --full or --quick\n${USAGE}`);
  for (const t of a.tasks ?? []) if (t !== 'digits' && t !== 'spam') throw new Error(`unknown task "${t}": the tasks are digits, spam`);
  for (const m of a.methods ?? []) if (!METHODS.some((s) => s.label === m)) throw new Error(`unknown method "${m}": the methods are ${METHODS.map((s) => s.label).join(', ')}`);
  return { ...(a as Args), mode };
}

/** The task with its MLP given dropout rate `p` between layers (0: unchanged). */
export function withDropout(task: Task, p: number): Task {
  return p > 0 ? { ...task, shape: { ...task.shape, dropout: p } } : task;
}

async function selectBackend(): Promise<string> {
  const wanted = process.env.TRAM_BACKEND || 'wasm';
  if (wanted === 'wasm') require('@tensorflow/tfjs-backend-wasm');
  const ok = await tf.setBackend(wanted);
  await tf.ready();
  if (!ok) process.stderr.write(`backend ${wanted} could not start; using ${tf.getBackend()}\n`);
  return tf.getBackend();
}

/** Round to 5 significant digits to keep the JSON readable. */
export const round = (_k: string, v: unknown) => (typeof v === 'number' && Number.isFinite(v) && !Number.isInteger(v) ? Number(v.toPrecision(5)) : v);

function writePng(file: string, bundle: { 'image/png'?: string }): void {
  if (bundle['image/png'] === undefined) throw new Error(`cannot write ${file}: the PNG renderer (@napi-rs/canvas) did not load on this platform`);
  fs.writeFileSync(file, Buffer.from(bundle['image/png'], 'base64'));
}

/** Chart PNGs of one task's runs: `<task>-<chart>.png`. */
export function writeCharts(out: string, task: string, runs: RunResult[]): void {
  const summary = summarise(runs);
  const charts = {
    accuracy: accuracyChart(task, summary),
    // paired differences need Adam and at least two seeds
    ...(summary.some((m) => m.vsBaseline) ? { delta: deltaChart(task, summary) } : {}),
    tradeoff: tradeOffChart(task, summary),
    sharpness: sharpnessChart(task, summary),
    cka: ckaChart(task, summary),
    radius: radiusChart(task, runs),
  };
  for (const [k, b] of Object.entries(charts)) writePng(path.join(out, `${task}-${k}.png`), b);
}

export type TaskEntry = { name: string; description: string; pretrained: unknown; pretrainedBySeed?: Record<string, unknown>; runs: RunResult[]; summary: MethodSummary[]; comparisons: Comparison[] };

/** The summary file: the header and, per task, everything but the runs. */
export function summaryOf(results: { tasks: TaskEntry[] } & Record<string, unknown>): unknown {
  return { ...results, tasks: results.tasks.map((t) => ({ name: t.name, description: t.description, pretrained: t.pretrained, ...(t.pretrainedBySeed ? { pretrainedBySeed: t.pretrainedBySeed } : {}), summary: t.summary, comparisons: t.comparisons })) };
}

/** Recompute every statistic (means, paired tests, Holm, comparisons) of a finished run from its runs. */
export function resummarise(dir: string): void {
  const file = path.join(dir, 'results.json');
  const r = JSON.parse(fs.readFileSync(file, 'utf8')) as { tasks: TaskEntry[] } & Record<string, unknown>;
  for (const t of r.tasks) {
    t.summary = summarise(t.runs);
    t.comparisons = comparisons(t.runs);
  }
  fs.writeFileSync(file, JSON.stringify(r, round, 1) + '\n');
  fs.writeFileSync(path.join(dir, 'summary.json'), JSON.stringify(summaryOf(r), round, 1) + '\n');
}

export async function main(argv: string[]): Promise<number> {
  const resum = argv.indexOf('--resummarise');
  if (resum >= 0) {
    const dir = argv[resum + 1];
    if (!dir) throw new Error(`--resummarise needs the results folder, e.g. --resummarise notebooks/results/full\n${USAGE}`);
    resummarise(dir);
    process.stdout.write(`recomputed the statistics of ${dir}/summary.json and ${dir}/results.json from the runs in results.json\n`);
    return 0;
  }
  const replot = argv.indexOf('--replot');
  if (replot >= 0) {
    // redraw the charts of a finished run from its results.json, without running anything
    const dir = argv[replot + 1];
    if (!dir) throw new Error(`--replot needs the results folder, e.g. --replot notebooks/results/full\n${USAGE}`);
    const r = JSON.parse(fs.readFileSync(path.join(dir, 'results.json'), 'utf8')) as { tasks: { name: string; runs: RunResult[] }[] };
    for (const t of r.tasks) writeCharts(dir, t.name, t.runs);
    process.stdout.write(`redrew the charts in ${dir}\n`);
    return 0;
  }
  const args = parseArgs(argv);
  const settings = MODES[args.mode];
  const seeds = args.seeds ?? settings.seeds;
  const methods = METHODS.filter((m) => !args.methods || args.methods.includes(m.label));
  const out = path.resolve(args.out ?? path.join('notebooks', 'results', args.mode));
  fs.mkdirSync(out, { recursive: true });
  const backend = await selectBackend();
  const started = Date.now();
  const header = {
    command: `npm run experiments -- ${argv.join(' ')}`,
    mode: args.mode,
    seeds,
    implementation: 'kernel/optim createOptimizer',
    dataSeed: args.varyPretrain ? `${DATA_SEED} + seed` : DATA_SEED,
    pretrainSeed: args.varyPretrain ? `${PRETRAIN_SEED} + seed` : PRETRAIN_SEED,
    varyPretrain: Boolean(args.varyPretrain),
    dropout: args.dropout,
    compare: args.compare ?? 'train-vs-inference (library default)',
    settings: { protocol: settings.protocol, digits: settings.digits, spam: settings.spam },
    methods: methods.map((m) => ({ label: m.label, config: m.config })),
    environment: { backend, tfjs: tf.version.tfjs, node: process.version, cpus: os.cpus().length, platform: `${os.platform()} ${os.arch()}` },
    startedAt: new Date(started).toISOString(),
  };
  const taskResults: TaskEntry[] = [];
  const save = (done: boolean) => {
    const seconds = (Date.now() - started) / 1000;
    fs.writeFileSync(path.join(out, 'results.json'), JSON.stringify({ ...header, finished: done, seconds, tasks: taskResults }, round, 1) + '\n');
    fs.writeFileSync(path.join(out, 'summary.json'), JSON.stringify(summaryOf({ ...header, finished: done, seconds, tasks: taskResults }), round, 1) + '\n');
  };
  const log = (s: string) => process.stdout.write(`[${((Date.now() - started) / 1000).toFixed(0).padStart(5)}s] ${s}\n`);
  log(`experiments --${args.mode}: backend ${backend}, seeds ${seeds.join(',')}, ${methods.length} methods, tasks ${args.tasks.join(',')} -> ${out}`);
  const build = (name: string, dataSeed: number): Task => withDropout(name === 'digits' ? digitsTask(settings.digits, dataSeed) : spamTask(settings.spam, dataSeed), args.dropout);
  for (const name of args.tasks) {
    let task: Task = build(name, DATA_SEED);
    let pre = pretrain(task.shape, task.pretrain, settings.protocol);
    const pretrained = evaluate(task, pre, pre, settings.protocol);
    log(`${task.name}: pre-trained; in-domain acc ${pretrained.inDomain.accuracy.toFixed(3)}, zero-shot ${pretrained.zeroShotAccuracy.toFixed(3)}`);
    const entry: TaskEntry = { name: task.name, description: task.description, pretrained, runs: [], summary: [], comparisons: [] };
    if (args.varyPretrain) entry.pretrainedBySeed = {};
    taskResults.push(entry);
    for (const seed of seeds) {
      if (args.varyPretrain) {
        // this seed's split and pre-trained model; `pretrained` above (the default seeds) stays as the reference row
        task = build(name, DATA_SEED + seed);
        pre = pretrain(task.shape, task.pretrain, settings.protocol, PRETRAIN_SEED + seed);
        const ev = evaluate(task, pre, pre, settings.protocol);
        (entry.pretrainedBySeed as Record<string, unknown>)[seed] = ev;
        log(`${task.name} seed ${seed}: split ${DATA_SEED + seed}, pre-trained with seed ${PRETRAIN_SEED + seed}; in-domain acc ${ev.inDomain.accuracy.toFixed(3)}, zero-shot ${ev.zeroShotAccuracy.toFixed(3)}`);
      }
      for (const m of methods) {
        const r = fineTune(task, pre, m, seed, settings.protocol, undefined, args.compare);
        entry.runs.push(r);
        entry.summary = summarise(entry.runs);
        entry.comparisons = comparisons(entry.runs);
        save(false);
        const dMean = r.divergence ? ` mean d ${(r.divergence.reduce((x, y) => x + y, 0) / Math.max(1, r.divergence.length)).toPrecision(3)}` : '';
        log(`${task.name} seed ${seed} ${m.label.padEnd(12)} ${r.seconds.toFixed(1)}s epoch ${r.selectedEpoch}: in-domain ${r.inDomain.accuracy.toFixed(3)} zero-shot ${r.zeroShotAccuracy.toFixed(3)} sharpness ${r.inDomain.sharpness.toFixed(2)}/${r.zeroShotSharpness.toFixed(2)} CKA ${r.inDomain.cka.toFixed(3)}/${r.zeroShotCka.toFixed(3)}${dMean}`);
      }
    }
    writeCharts(out, task.name, entry.runs);
  }
  save(true);
  log(`done in ${((Date.now() - started) / 1000).toFixed(0)}s; wrote ${path.relative(process.cwd(), out)}/results.json, summary.json and charts`);
  return 0;
}

if (require.main === module) {
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (e: Error) => {
      process.stderr.write(`${e.message}\n`);
      process.exit(1);
    },
  );
}
