/**
 * Merges experiment result folders into one, so that methods or seeds run later stay paired by seed with the
 * runs already there:
 *
 *   node out/kernel/experiments/merge.js --into DIR SRC [SRC …]      (DIR's results.json gains SRC's runs)
 *   node out/kernel/experiments/merge.js --out DIR SRC1 SRC2 [SRC …]  (a new DIR from SRC1, then SRC2 …)
 *
 * Contract: every source must come from the same protocol (mode, settings, data/pre-training seeds, vary-pretrain,
 * dropout, compare, implementation, backend) and, task by task, from the same pre-trained model (its evaluation
 * `pretrained`, and `pretrainedBySeed` for a seed both hold, must be equal). A run (task, method, seed) present
 * in two sources must be the same run: equal in everything but its wall time (`seconds`), and it is kept once.
 * Runs are ordered by seed, then by the method table (methods.ts), so summaries list methods in table order.
 * The merged header keeps the first source's command and records every merged source (command, seeds, methods,
 * startedAt, seconds) under `merged`; `seeds` and `methods` become the unions; `seconds` the sum. Then every
 * statistic is recomputed from the runs (as `--resummarise`) and results.json and summary.json are written.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { METHODS } from './methods';
import { RunResult } from './protocol';
import { summarise, comparisons } from './summary';
import { round, summaryOf, TaskEntry } from './main';

type Results = Record<string, unknown> & {
  command: string;
  seeds: number[];
  methods: { label: string; config: unknown }[];
  seconds: number;
  startedAt?: string;
  finished?: boolean;
  environment: { backend: string } & Record<string, unknown>;
  tasks: TaskEntry[];
  merged?: MergedSource[];
};

export interface MergedSource {
  command: string;
  seeds: number[];
  methods: string[];
  startedAt?: string;
  seconds: number;
}

/** Header fields that must agree between merged sources. */
const SAME = ['mode', 'settings', 'dataSeed', 'pretrainSeed', 'varyPretrain', 'dropout', 'compare', 'implementation'] as const;

const canon = (v: unknown) => JSON.stringify(v, round);
/** Results written before the dropout and compare options existed carry neither field: they mean the defaults. */
const HEADER_DEFAULTS: Record<string, unknown> = { varyPretrain: false, dropout: 0, compare: 'train-vs-inference (library default)' };
const headerField = (r: Results, f: string) => r[f] ?? HEADER_DEFAULTS[f];
const order = (label: string) => {
  const i = METHODS.findIndex((m) => m.label === label);
  return i < 0 ? METHODS.length : i;
};
const key = (r: RunResult) => `${r.method} seed ${r.seed}`;
/** A run without its wall time and with the dropout/compare defaults left out, for comparing two copies of it. */
function withoutTime(r: RunResult): string {
  const o: Record<string, unknown> = { ...r, seconds: 0 };
  if (!o.dropout) delete o.dropout;
  if (o.compare === undefined || o.compare === 'train-vs-inference') delete o.compare;
  return canon(o);
}

function describe(r: Results): MergedSource {
  return { command: r.command, seeds: r.seeds, methods: r.methods.map((m) => m.label), startedAt: r.startedAt, seconds: r.seconds };
}

/** Merges `sources` (parsed results.json files) in order; throws on any mismatch, naming it. */
export function mergeResults(sources: Results[], names: string[] = sources.map((_, i) => `source ${i + 1}`)): Results {
  if (sources.length < 2) throw new Error('merge needs at least two result sets');
  const [first, ...rest] = sources;
  if (first.finished === false) throw new Error(`${names[0]} is an unfinished run: merge finished runs only`);
  const out: Results = JSON.parse(JSON.stringify(first));
  out.merged = [...(first.merged ?? [describe(first)])];
  rest.forEach((src, k) => {
    const name = names[k + 1];
    if (src.finished === false) throw new Error(`${name} is an unfinished run: merge finished runs only`);
    for (const f of SAME) {
      const a = canon(headerField(src, f));
      const b = canon(headerField(first, f));
      if (a !== b) throw new Error(`${name} differs from ${names[0]} in ${f} (${a} vs ${b}): only runs of the same protocol can be paired`);
    }
    if (src.environment.backend !== first.environment.backend) throw new Error(`${name} ran on ${src.environment.backend}, ${names[0]} on ${first.environment.backend}`);
    for (const t of src.tasks) {
      const into = out.tasks.find((x) => x.name === t.name);
      if (!into) {
        out.tasks.push(JSON.parse(JSON.stringify(t)));
        continue;
      }
      if (canon(t.pretrained) !== canon(into.pretrained)) throw new Error(`${name}: task ${t.name} has another pre-trained model than ${names[0]} (its evaluation differs)`);
      for (const [seed, ev] of Object.entries(t.pretrainedBySeed ?? {})) {
        const have = (into.pretrainedBySeed ?? {})[seed];
        if (have !== undefined && canon(have) !== canon(ev)) throw new Error(`${name}: task ${t.name} seed ${seed} has another pre-trained model than ${names[0]}`);
        into.pretrainedBySeed = { ...(into.pretrainedBySeed ?? {}), [seed]: ev };
      }
      for (const r of t.runs) {
        const same = into.runs.find((x) => x.method === r.method && x.seed === r.seed);
        if (!same) into.runs.push(r);
        else if (withoutTime(same) !== withoutTime(r)) throw new Error(`${name}: ${t.name} ${key(r)} is in both sources with different results: the runs are not reproducible, so they cannot be merged`);
      }
    }
    out.merged?.push(describe(src));
    out.seeds = [...new Set([...out.seeds, ...src.seeds])].sort((a, b) => a - b);
    for (const m of src.methods) if (!out.methods.some((x) => x.label === m.label)) out.methods.push(m);
    out.seconds += src.seconds;
  });
  out.methods.sort((a, b) => order(a.label) - order(b.label));
  for (const t of out.tasks) {
    t.runs.sort((a, b) => a.seed - b.seed || order(a.method) - order(b.method));
    if (t.pretrainedBySeed) t.pretrainedBySeed = Object.fromEntries(Object.entries(t.pretrainedBySeed).sort((a, b) => Number(a[0]) - Number(b[0])));
    t.summary = summarise(t.runs);
    t.comparisons = comparisons(t.runs);
  }
  out.finished = true;
  return out;
}

export function main(argv: string[]): number {
  const usage = 'usage: node out/kernel/experiments/merge.js --into DIR SRC [SRC …] | --out DIR SRC1 SRC2 [SRC …]';
  const mode = argv[0];
  const dir = argv[1];
  const srcs = argv.slice(2);
  if ((mode !== '--into' && mode !== '--out') || !dir || srcs.length < (mode === '--into' ? 1 : 2)) {
    process.stderr.write(`${usage}\n`);
    return 2;
  }
  const folders = mode === '--into' ? [dir, ...srcs] : srcs;
  const read = (d: string) => JSON.parse(fs.readFileSync(path.join(d, 'results.json'), 'utf8')) as Results;
  const merged = mergeResults(folders.map(read), folders);
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, 'results.json'), JSON.stringify(merged, round, 1) + '\n');
  fs.writeFileSync(path.join(dir, 'summary.json'), JSON.stringify(summaryOf(merged), round, 1) + '\n');
  process.stdout.write(`merged ${folders.join(', ')} into ${dir}: ${merged.tasks.map((t) => `${t.name} ${t.runs.length} runs`).join(', ')}\n`);
  return 0;
}

if (require.main === module) {
  try {
    process.exit(main(process.argv.slice(2)));
  } catch (e) {
    process.stderr.write(`${(e as Error).message}\n`);
    process.exit(1);
  }
}
