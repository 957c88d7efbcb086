/**
 * `npm run experiments -- --full | --quick [--seeds 1,2,3] [--tasks digits,spam] [--methods Adam,TRAM-x] [--out DIR]`
 *
 * Runs the small-scale reproduction of the paper's Tables 5 and 6: for each task, pre-train once, fine-tune with
 * every method and seed, select on in-domain validation loss, evaluate in-domain and zero-shot. Writes
 * `results.json` (settings, command, seeds, every run), `summary.json` (mean ± sd, paired t-tests vs Adam) and
 * chart PNGs to `notebooks/results/<mode>/` (or `--out`). Results are written after every run, so an interrupted
 * run keeps what it finished.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { METHODS } from './methods';
import { MODES, Mode } from './settings';
import { digitsTask, spamTask, Task, DATA_SEED } from './tasks';
import { pretrain, fineTune, evaluate, RunResult, PRETRAIN_SEED } from './protocol';
import { summarise, MethodSummary } from './summary';
import { accuracyChart, tradeOffChart, sharpnessChart, ckaChart, radiusChart, deltaChart } from './charts';

interface Args {
  mode: Mode;
  seeds?: number[];
  tasks: string[];
  methods?: string[];
  out?: string;
}

const USAGE = 'usage: npm run experiments -- --full | --quick [--seeds 1,2,3] [--tasks digits,spam] [--methods Adam,TRAM-x] [--out DIR]\n       npm run experiments -- --replot DIR   (redraw the charts of DIR/results.json)';

export function parseArgs(argv: string[]): Args {
  let mode: Mode | undefined;
  const a: Partial<Args> = { tasks: ['digits', 'spam'] };
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
    else throw new Error(`unknown option "${k}"\n${USAGE}`);
  }
  if (!mode) throw new Error(`choose --full or --quick\n${USAGE}`);
  for (const t of a.tasks ?? []) if (t !== 'digits' && t !== 'spam') throw new Error(`unknown task "${t}": the tasks are digits, spam`);
  for (const m of a.methods ?? []) if (!METHODS.some((s) => s.label === m)) throw new Error(`unknown method "${m}": the methods are ${METHODS.map((s) => s.label).join(', ')}`);
  return { ...(a as Args), mode };
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
const round = (_k: string, v: unknown) => (typeof v === 'number' && Number.isFinite(v) && !Number.isInteger(v) ? Number(v.toPrecision(5)) : v);

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

export async function main(argv: string[]): Promise<number> {
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
    dataSeed: DATA_SEED,
    pretrainSeed: PRETRAIN_SEED,
    settings: { protocol: settings.protocol, digits: settings.digits, spam: settings.spam },
    methods: methods.map((m) => ({ label: m.label, config: m.config })),
    environment: { backend, tfjs: tf.version.tfjs, node: process.version, cpus: os.cpus().length, platform: `${os.platform()} ${os.arch()}` },
    startedAt: new Date(started).toISOString(),
  };
  const taskResults: { name: string; description: string; pretrained: ReturnType<typeof evaluate>; runs: RunResult[]; summary: MethodSummary[] }[] = [];
  const save = (done: boolean) => {
    const seconds = (Date.now() - started) / 1000;
    fs.writeFileSync(path.join(out, 'results.json'), JSON.stringify({ ...header, finished: done, seconds, tasks: taskResults }, round, 1) + '\n');
    fs.writeFileSync(
      path.join(out, 'summary.json'),
      JSON.stringify({ ...header, finished: done, seconds, tasks: taskResults.map((t) => ({ name: t.name, description: t.description, pretrained: t.pretrained, summary: t.summary })) }, round, 1) + '\n',
    );
  };
  const log = (s: string) => process.stdout.write(`[${((Date.now() - started) / 1000).toFixed(0).padStart(5)}s] ${s}\n`);
  log(`experiments --${args.mode}: backend ${backend}, seeds ${seeds.join(',')}, ${methods.length} methods, tasks ${args.tasks.join(',')} -> ${out}`);
  for (const name of args.tasks) {
    const task: Task = name === 'digits' ? digitsTask(settings.digits) : spamTask(settings.spam);
    const pre = pretrain(task.shape, task.pretrain, settings.protocol);
    const pretrained = evaluate(task, pre, pre, settings.protocol);
    log(`${task.name}: pre-trained; in-domain acc ${pretrained.inDomain.accuracy.toFixed(3)}, zero-shot ${pretrained.zeroShotAccuracy.toFixed(3)}`);
    const entry = { name: task.name, description: task.description, pretrained, runs: [] as RunResult[], summary: [] as MethodSummary[] };
    taskResults.push(entry);
    for (const seed of seeds) {
      for (const m of methods) {
        const r = fineTune(task, pre, m, seed, settings.protocol);
        entry.runs.push(r);
        entry.summary = summarise(entry.runs);
        save(false);
        log(`${task.name} seed ${seed} ${m.label.padEnd(12)} ${r.seconds.toFixed(1)}s epoch ${r.selectedEpoch}: in-domain ${r.inDomain.accuracy.toFixed(3)} zero-shot ${r.zeroShotAccuracy.toFixed(3)} sharpness ${r.inDomain.sharpness.toFixed(2)}/${r.zeroShotSharpness.toFixed(2)} CKA ${r.inDomain.cka.toFixed(3)}/${r.zeroShotCka.toFixed(3)}`);
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
