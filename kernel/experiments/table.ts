/**
 * Markdown tables from committed experiment results:
 *
 *   node out/kernel/experiments/table.js [--in notebooks/results/full/summary.json] [--write docs/experiments.md] [--headline]
 *
 * Prints the tables; with `--write FILE` it replaces the text between `<!-- results:begin -->` and
 * `<!-- results:end -->` in FILE (the README's and docs/experiments.md's results come from here). `--headline`
 * keeps only the headline table (the README's).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { MethodSummary, MeanSd, Versus, Comparison, Figure } from './summary';

type Task = { name: string; description: string; pretrained: { inDomain: { accuracy: number }; zeroShotAccuracy: number }; summary: MethodSummary[]; comparisons?: Comparison[] };

interface SummaryFile {
  command: string;
  seeds: number[];
  dataSeed: number | string;
  pretrainSeed: number | string;
  implementation?: string;
  environment: { backend: string; tfjs: string; node: string; cpus: number };
  seconds: number;
  finished: boolean;
  /** Every source of a merged result set, the first one first (merge.ts). */
  merged?: { command: string }[];
  tasks: Task[];
}

const pct = (m: MeanSd) => `${(100 * m.mean).toFixed(1)} ± ${(100 * m.sd).toFixed(1)}`;
const num = (m: MeanSd, k = 2) => `${m.mean.toFixed(k)} ± ${m.sd.toFixed(k)}`;
/** p to 3 decimals, or 4 where 3 would round a p below 0.05 up to 0.050 (so the printed p and the star agree). */
const pv = (p: number) => (Number.isNaN(p) ? 'n/a' : p < 0.001 ? '<0.001' : p < 0.05 && p >= 0.0495 ? p.toFixed(4) : p.toFixed(3));

/** Significance level; a result is starred only when its Holm-adjusted p is below it. */
export const ALPHA = 0.05;

/** `+0.36 (p 0.002, Holm 0.016)*`: the difference (scaled), the raw p and the Holm-adjusted p; * only on the adjusted one. */
export function formatVersus(v: Versus | undefined, scale = 100, digits = 2): string {
  if (!v) return '—';
  if (v.pHolm === undefined) throw new Error('this summary has no Holm-adjusted p-values: run npm run experiments -- --resummarise DIR first');
  const mark = v.pHolm < ALPHA ? '*' : '';
  return `${v.diff >= 0 ? '+' : ''}${(scale * v.diff).toFixed(digits)} (p ${pv(v.p)}, Holm ${pv(v.pHolm)})${mark}`;
}

function versus(m: MethodSummary, which: Figure, scale = 100, digits = 2): string {
  return formatVersus(m.vsBaseline?.[which], scale, digits);
}

/** The headline table: in-domain and zero-shot accuracy per task, with the paired test against Adam. */
export function headlineTable(r: SummaryFile): string {
  const methods = r.tasks[0].summary.map((m) => m.method);
  const head = ['method', ...r.tasks.flatMap((t) => [`${t.name} in-domain`, `${t.name} zero-shot`, `${t.name} Δ zero-shot vs Adam`])];
  const lines = methods.map((name) => {
    const cells = r.tasks.flatMap((t) => {
      const m = t.summary.find((s) => s.method === name);
      return m ? [pct(m.inDomainAccuracy), pct(m.zeroShotAccuracy), versus(m, 'zeroShotAccuracy')] : ['—', '—', '—'];
    });
    return `| ${name} | ${cells.join(' | ')} |`;
  });
  return [`| ${head.join(' | ')} |`, `|${'---|'.repeat(head.length)}`, ...lines].join('\n');
}

export function accuracyTable(t: Task): string {
  const domains = Object.keys(t.summary[0].domainAccuracy);
  const head = ['method', 'in-domain', ...domains, 'zero-shot avg', 'Δ in-domain vs Adam', 'Δ zero-shot vs Adam'];
  return [
    `| ${head.join(' | ')} |`,
    `|${'---|'.repeat(head.length)}`,
    ...t.summary.map((m) => `| ${m.method} | ${pct(m.inDomainAccuracy)} | ${domains.map((d) => pct(m.domainAccuracy[d])).join(' | ')} | ${pct(m.zeroShotAccuracy)} | ${versus(m, 'inDomainAccuracy')} | ${versus(m, 'zeroShotAccuracy')} |`),
  ].join('\n');
}

export function flatnessTable(t: Task): string {
  const head = ['method', 'ε-sharpness in-domain', 'ε-sharpness zero-shot', 'CKA in-domain', 'CKA zero-shot', 'radius mean', 'radius max', 'steps radius > 0.5', 'selected epochs'];
  return [
    `| ${head.join(' | ')} |`,
    `|${'---|'.repeat(head.length)}`,
    ...t.summary.map((m) =>
      `| ${m.method} | ${num(m.inDomainSharpness)} | ${num(m.zeroShotSharpness)} | ${num(m.inDomainCka, 3)} | ${num(m.zeroShotCka, 3)} | ${m.radius.mean.toExponential(2)} | ${m.radius.max.toExponential(2)} | ${(100 * m.radius.fractionAbove['0.5']).toFixed(1)} % | ${m.selectedEpochs.join(',')} |`),
  ].join('\n');
}

/** Paired differences against Adam for ε-sharpness (absolute) and CKA (×1000), raw and Holm-adjusted p. */
export function flatnessVersusTable(t: Task): string {
  const head = ['method', 'Δ ε-sharpness in-domain', 'Δ ε-sharpness zero-shot', 'Δ CKA in-domain (×1000)', 'Δ CKA zero-shot (×1000)'];
  return [
    `| ${head.join(' | ')} |`,
    `|${'---|'.repeat(head.length)}`,
    ...t.summary.map((m) => `| ${m.method} | ${versus(m, 'inDomainSharpness', 1)} | ${versus(m, 'zeroShotSharpness', 1)} | ${versus(m, 'inDomainCka', 1000)} | ${versus(m, 'zeroShotCka', 1000)} |`),
  ].join('\n');
}

/** The d ≤ ρ = 0.5 check for every TRAM variant (not TRAM-Fisher, whose radius is γ) and task. */
export function radiusCheckTable(r: SummaryFile): string {
  const methods = r.tasks[0].summary.map((m) => m.method).filter((m) => m.startsWith('TRAM') && m !== 'TRAM-Fisher');
  const head = ['method', ...r.tasks.flatMap((t) => [`${t.name}: steps with d > 0.5`, `${t.name}: max d`, `${t.name}: mean d`])];
  return [
    `| ${head.join(' | ')} |`,
    `|${'---|'.repeat(head.length)}`,
    ...methods.map((name) => `| ${name} | ${r.tasks.flatMap((t) => {
      const m = t.summary.find((s) => s.method === name);
      return m ? [`${(100 * m.radius.fractionAbove['0.5']).toFixed(1)} %`, m.radius.max.toPrecision(3), m.radius.mean.toPrecision(3)] : ['—', '—', '—'];
    }).join(' | ')} |`),
  ].join('\n');
}

const FIGURE_LABEL: Record<Figure, [string, number, number]> = {
  inDomainAccuracy: ['in-domain accuracy (points)', 100, 2],
  zeroShotAccuracy: ['zero-shot accuracy (points)', 100, 2],
  inDomainSharpness: ['ε-sharpness in-domain', 1, 2],
  zeroShotSharpness: ['ε-sharpness zero-shot', 1, 2],
  inDomainCka: ['CKA in-domain (×1000)', 1000, 2],
  zeroShotCka: ['CKA zero-shot (×1000)', 1000, 2],
};

/** The between-method comparisons of every task, one Holm family per list. */
export function comparisonsTable(r: SummaryFile): string {
  const head = ['task', 'family (Holm within it)', 'figure', 'a − b', 'difference'];
  const rows = r.tasks.flatMap((t) =>
    (t.comparisons ?? []).map((c) => {
      const [label, scale, digits] = FIGURE_LABEL[c.figure];
      return `| ${t.name} | ${c.family} | ${label} | ${c.a} − ${c.b} | ${formatVersus(c, scale, digits)} |`;
    }));
  return [`| ${head.join(' | ')} |`, `|${'---|'.repeat(head.length)}`, ...rows].join('\n');
}

export function resultsMarkdown(r: SummaryFile, source: string, headlineOnly = false): string {
  const tested = r.tasks[0].summary.filter((m) => m.vsBaseline).length;
  const parts = [
    `Generated by \`node out/kernel/experiments/table.js\` from \`${source}\`, written by \`${r.command}\`` +
      (r.merged && r.merged.length > 1 ? ` and merged (\`node out/kernel/experiments/merge.js\`) with ${r.merged.slice(1).map((m) => `\`${m.command}\``).join(', ')} ` : ' ') +
      `(seeds ${r.seeds.join(', ')}; data split seed ${r.dataSeed}; pre-training seed ${r.pretrainSeed}; ` +
      `${r.implementation ?? 'kernel/optim createOptimizer'}; backend ${r.environment.backend}, TensorFlow.js ${r.environment.tfjs}, ` +
      `Node ${r.environment.node}, ${r.environment.cpus} CPUs; wall time ${(r.seconds / 60).toFixed(1)} min${r.finished ? '' : '; UNFINISHED run'}).`,
    '',
    'Accuracy in %, mean ± sd over seeds. Δ: paired mean difference against Adam over the same seeds, with the raw two-sided paired t-test p and the ' +
      `Holm-adjusted p (Holm within one task and one figure, over the ${tested} method${tested === 1 ? '' : 's'} compared with Adam); * marks Holm-adjusted p < 0.05 only.`,
    '',
    '### Headline',
    '',
    headlineTable(r),
  ];
  if (headlineOnly) return parts.join('\n');
  for (const t of r.tasks) {
    parts.push(
      '',
      `### ${t.name}: ${t.description}`,
      '',
      `Pre-trained model before fine-tuning: in-domain ${(100 * t.pretrained.inDomain.accuracy).toFixed(1)} %, zero-shot ${(100 * t.pretrained.zeroShotAccuracy).toFixed(1)} %.`,
      '',
      '**Accuracy (the paper\'s Table 5 in miniature)**',
      '',
      accuracyTable(t),
      '',
      '**ε-sharpness (ε = 1e-3, lower is flatter), linear CKA with the pre-trained features, ascent radius (the paper\'s Table 6 in miniature)**',
      '',
      flatnessTable(t),
      '',
      '**Paired differences against Adam: ε-sharpness (negative = flatter than Adam) and CKA (positive = closer to the pre-trained features)**',
      '',
      flatnessVersusTable(t),
      '',
      `Charts: ${['accuracy', 'delta', 'tradeoff', 'sharpness', 'cka', 'radius'].map((k) => `[${k}](../notebooks/results/full/${t.name}-${k}.png)`).join(', ')}.`,
    );
  }
  parts.push(
    '',
    '### The d ≤ ρ = 0.5 assumption, every TRAM variant',
    '',
    'Over every fine-tuning step of every seed (`radius` in `summary.json`); per-example KL ("batchmean").',
    '',
    radiusCheckTable(r),
    '',
    '### Comparisons between methods',
    '',
    'Paired over the same seeds; each family is Holm-adjusted on its own; * marks Holm-adjusted p < 0.05.',
    '',
    comparisonsTable(r),
  );
  return parts.join('\n');
}

export function main(argv: string[]): number {
  const get = (k: string) => {
    const i = argv.indexOf(k);
    return i >= 0 ? argv[i + 1] : undefined;
  };
  const input = get('--in') ?? path.join('notebooks', 'results', 'full', 'summary.json');
  if (!fs.existsSync(input)) {
    process.stderr.write(`${input} not found: run npm run experiments -- --full first, or pass --in FILE\n`);
    return 1;
  }
  const r = JSON.parse(fs.readFileSync(input, 'utf8')) as SummaryFile;
  const md = resultsMarkdown(r, input.replace(/\\/g, '/'), argv.includes('--headline'));
  const target = get('--write');
  if (!target) {
    process.stdout.write(md + '\n');
    return 0;
  }
  return writeBlock(target, 'results', md);
}

/**
 * Replaces the text between `<!-- NAME:begin -->` and `<!-- NAME:end -->` in file `target` with `md`; 1 (and a
 * message) when the file has no such block.
 */
export function writeBlock(target: string, name: string, md: string): number {
  const text = fs.readFileSync(target, 'utf8');
  const begin = `<!-- ${name}:begin -->`;
  const end = `<!-- ${name}:end -->`;
  const a = text.indexOf(begin);
  const b = text.indexOf(end);
  if (a < 0 || b < a) {
    process.stderr.write(`${target} has no ${begin} ... ${end} block to replace\n`);
    return 1;
  }
  fs.writeFileSync(target, `${text.slice(0, a + begin.length)}\n${md}\n${text.slice(b)}`);
  process.stdout.write(`updated the ${name} block of ${target}\n`);
  return 0;
}

if (require.main === module) process.exit(main(process.argv.slice(2)));
