#!/usr/bin/env node
// Mutation score of whole areas (kernel/optim, kernel/analysis, kernel/runtime) estimated from a random sample of the
// mutants not measured yet, for where running every mutant takes too long (docs/testing.md, "Sampled estimate").
//
//   node scripts/mutation-sample.mjs plan --areas optim,analysis --n 60 [--seed S] [--out F]
//       lists every mutant of the areas with Stryker's instrumenter (the mutants `npm run mutate` would make),
//       leaves out the files already in the measured incremental files, draws n per area uniformly without
//       replacement (seeded), writes the sample (default reports/mutation/sample.json)
//   node scripts/mutation-sample.mjs run [--sample F] [-- stryker options]
//       runs Stryker on exactly those mutants: one `--mutate` range per sampled mutant, and the ignorer in
//       scripts/mutation-sample-ignorer.mjs for what the ranges would drag in; results go to the sample's own
//       incremental file (F with -incremental before .json), so a rerun only runs what changed
//   node scripts/mutation-sample.mjs score [--sample F] [--measured-killed optim=K,analysis=K]
//       per area: the measured files' exact counts, the sample's counts, and the area's score estimated as
//       (killed in measured files + unmeasured mutants · p̂) / all mutants, with p̂'s 95 % Wilson interval carried
//       through (conservative: without the finite-population correction); --measured-killed replaces the measured
//       files' killed count (Stryker's) by one that includes kills checked by hand since (docs/testing.md lists them)
import fs from 'node:fs';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const MEASURED = ['reports/mutation/stryker-incremental.json', 'reports/mutation/optim-confirm.json', 'reports/mutation/analysis-incremental.json'];
/** Each sample's results go to their own incremental file beside it: sample.json → sample-incremental.json. */
const resultsOf = (sampleFile) => sampleFile.replace(/\.json$/, '') + '-incremental.json';
const AREAS = ['optim', 'analysis', 'runtime'];
const usage = 'usage: node scripts/mutation-sample.mjs plan --areas optim,analysis --n 60 [--seed S] [--out F] | run [--sample F] [-- stryker options] | score [--sample F]';

function fail(msg) {
  console.error(`mutation-sample: ${msg}`);
  process.exit(2);
}

function option(args, name, fallback) {
  const i = args.indexOf(name);
  if (i < 0) return fallback;
  const v = args[i + 1];
  if (v === undefined || v.startsWith('--')) fail(`${name} needs a value. ${usage}`);
  return v;
}

/** The key Stryker's incremental file gives a mutant: file@line:col-line:col (0-based) and the mutation. */
const keyOf = (file, m) =>
  `${file}@${m.location.start.line}:${m.location.start.column}-${m.location.end.line}:${m.location.end.column}\n${m.mutatorName}: ${m.replacement}`;

/** Statuses of the measured mutants by key (a later file's result replaces an earlier one's). */
function measuredStatuses(files) {
  const out = new Map();
  for (const f of files) {
    const p = path.join(root, f);
    if (!fs.existsSync(p)) continue;
    const report = JSON.parse(fs.readFileSync(p, 'utf8'));
    for (const [name, file] of Object.entries(report.files)) {
      for (const m of file.mutants) {
        // Report locations are 1-based; keys are 0-based.
        const loc = {
          start: { line: m.location.start.line - 1, column: m.location.start.column - 1 },
          end: { line: m.location.end.line - 1, column: m.location.end.column - 1 },
        };
        out.set(keyOf(name, { ...m, location: loc }), { file: name, status: m.status });
      }
    }
  }
  return out;
}

async function listMutants(areas) {
  const { Instrumenter } = await import(path.join(root, 'node_modules/@stryker-mutator/instrumenter/dist/src/index.js'));
  const noop = () => undefined;
  const logger = Object.fromEntries(['trace', 'debug', 'info', 'warn', 'error', 'fatal'].flatMap((l) => [[l, noop], [`is${l[0].toUpperCase()}${l.slice(1)}Enabled`, () => false]]));
  const files = areas.flatMap((a) =>
    fs.readdirSync(path.join(root, 'kernel', a)).filter((n) => n.endsWith('.ts') && !n.endsWith('.d.ts')).sort()
      .map((n) => ({ area: a, name: `kernel/${a}/${n}` })));
  const result = await new Instrumenter(logger).instrument(
    files.map((f) => ({ name: f.name, content: fs.readFileSync(path.join(root, f.name), 'utf8'), mutate: true })),
    { plugins: null, excludedMutations: [], ignorers: [] },
  );
  const areaOf = new Map(files.map((f) => [f.name, f.area]));
  return result.mutants.map((m) => ({ area: areaOf.get(m.fileName), file: m.fileName, mutatorName: m.mutatorName, replacement: m.replacement, location: m.location }));
}

/** mulberry32: a small seeded generator, enough to make the draw reproducible. */
function rng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

async function plan(args) {
  const areas = option(args, '--areas', 'optim,analysis').split(',').filter(Boolean);
  const bad = areas.filter((a) => !AREAS.includes(a));
  if (bad.length) fail(`unknown area ${bad.join(', ')}: use ${AREAS.join(', ')}`);
  const n = Number(option(args, '--n', '60'));
  if (!Number.isInteger(n) || n < 1) fail(`--n must be a positive integer (mutants drawn per area), got ${option(args, '--n', '')}`);
  const seed = Number(option(args, '--seed', '20261129'));
  const out = option(args, '--out', 'reports/mutation/sample.json');
  const all = await listMutants(areas);
  const measured = measuredStatuses(MEASURED);
  const measuredFiles = new Set([...measured.values()].map((v) => v.file));
  const random = rng(seed);
  const summary = {};
  const picked = [];
  for (const a of areas) {
    const pool = all.filter((m) => m.area === a && !measuredFiles.has(m.file));
    // Partial Fisher–Yates: the first k entries are a uniform sample without replacement.
    const k = Math.min(n, pool.length);
    for (let i = 0; i < k; i++) {
      const j = i + Math.floor(random() * (pool.length - i));
      [pool[i], pool[j]] = [pool[j], pool[i]];
    }
    picked.push(...pool.slice(0, k));
    summary[a] = {
      mutants: all.filter((m) => m.area === a).length,
      unmeasured: pool.length,
      measuredFiles: [...measuredFiles].filter((f) => f.startsWith(`kernel/${a}/`)).sort(),
      sampled: k,
    };
  }
  const doc = { created: new Date().toISOString(), seed, perArea: n, areas: summary, mutants: picked };
  fs.mkdirSync(path.dirname(path.resolve(root, out)), { recursive: true });
  fs.writeFileSync(path.resolve(root, out), JSON.stringify(doc, null, 1) + '\n');
  for (const [a, s] of Object.entries(summary)) console.log(`${a}: ${s.mutants} mutants, ${s.unmeasured} in files not measured yet, ${s.sampled} drawn`);
  console.log(`sample written to ${out}`);
}

function readSample(args) {
  const file = option(args, '--sample', 'reports/mutation/sample.json');
  const p = path.resolve(root, file);
  if (!fs.existsSync(p)) fail(`no sample at ${file}: run \`node scripts/mutation-sample.mjs plan\` first`);
  return { file, doc: JSON.parse(fs.readFileSync(p, 'utf8')) };
}

function run(args) {
  const dash = args.indexOf('--');
  const own = dash < 0 ? args : args.slice(0, dash);
  const extra = dash < 0 ? [] : args.slice(dash + 1);
  const { file, doc } = readSample(own);
  const ranges = [...new Set(doc.mutants.map((m) =>
    `${m.file}:${m.location.start.line + 1}:${m.location.start.column}-${m.location.end.line + 1}:${m.location.end.column}`))];
  const stryker = path.join(root, 'node_modules', '@stryker-mutator', 'core', 'bin', 'stryker.js');
  const r = spawnSync('nice', ['-n', '15', process.execPath, stryker, 'run', 'stryker.config.mjs',
    '--mutate', ranges.join(','), '--incrementalFile', resultsOf(file), ...extra],
  { cwd: root, stdio: 'inherit', env: { ...process.env, TRAM_MUTATION_SAMPLE: path.resolve(root, file) } });
  process.exit(r.status ?? 1);
}

/** 95 % Wilson score interval for k successes in n. */
function wilson(k, n, z = 1.96) {
  if (n === 0) return [0, 1];
  const p = k / n;
  const d = 1 + (z * z) / n;
  const c = (p + (z * z) / (2 * n)) / d;
  const h = (z * Math.sqrt((p * (1 - p)) / n + (z * z) / (4 * n * n))) / d;
  return [Math.max(0, c - h), Math.min(1, c + h)];
}

function score(args) {
  const { file, doc } = readSample(args);
  const override = Object.fromEntries(option(args, '--measured-killed', '').split(',').filter(Boolean).map((kv) => {
    const [a, k] = kv.split('=');
    if (!AREAS.includes(a) || !Number.isInteger(Number(k))) fail(`--measured-killed takes area=count pairs, e.g. optim=265 (got ${kv})`);
    return [a, Number(k)];
  }));
  const results = measuredStatuses([resultsOf(file)]);
  const measured = measuredStatuses(MEASURED);
  const pct = (x) => `${(100 * x).toFixed(1)} %`;
  const counted = (s) => !['Ignored', 'CompileError', 'RuntimeError'].includes(s);
  const killed = (s) => s === 'Killed' || s === 'Timeout';
  console.log(`Sample ${file} (seed ${doc.seed}, drawn ${doc.created.slice(0, 10)}); results ${resultsOf(file)}.\n`);
  console.log('| area | mutants | measured files: killed / mutants | unmeasured | sample: killed / run (survived, no coverage, not run) | p̂ (95 % Wilson) | area score, estimated (95 %) |');
  console.log('|---|---|---|---|---|---|---|');
  const open = [];
  for (const [area, s] of Object.entries(doc.areas)) {
    const mine = [...measured.values()].filter((v) => v.file.startsWith(`kernel/${area}/`) && counted(v.status));
    const km = override[area] ?? mine.filter((v) => killed(v.status)).length;
    const c = { killed: 0, survived: 0, noCov: 0, notRun: 0, excluded: 0 };
    for (const m of doc.mutants.filter((x) => x.area === area)) {
      const r = results.get(keyOf(m.file, m));
      if (!r) c.notRun++;
      else if (!counted(r.status)) c.excluded++;
      else if (killed(r.status)) c.killed++;
      else {
        if (r.status === 'NoCoverage') c.noCov++;
        else c.survived++;
        open.push(`| ${m.file}:${m.location.start.line + 1} | ${m.mutatorName} → \`${m.replacement.replace(/\s+/g, ' ').slice(0, 60).replace(/\|/g, '\\|')}\` | ${r.status} |`);
      }
    }
    const n = c.killed + c.survived + c.noCov;
    const [lo, hi] = wilson(c.killed, n);
    // Mutants the instrumenter makes but the report drops (compile errors) are few; the area's total is the
    // measured files' counted mutants plus the unmeasured population.
    const total = mine.length + s.unmeasured;
    const est = (p) => (km + s.unmeasured * p) / total;
    console.log(`| ${area} | ${total} | ${km} / ${mine.length} | ${s.unmeasured} | ${c.killed} / ${n} (${c.survived}, ${c.noCov}, ${c.notRun}) | ` +
      `${n ? pct(c.killed / n) : '–'} (${pct(lo)}–${pct(hi)}) | ${n ? pct(est(c.killed / n)) : '–'} (${pct(est(lo))}–${pct(est(hi))}) |`);
  }
  if (open.length) {
    console.log('\nSampled mutants that survived or had no coverage:\n\n| where | mutation | status |\n|---|---|---|');
    open.forEach((o) => console.log(o));
  }
}

const [cmd, ...rest] = process.argv.slice(2);
if (cmd === 'plan') await plan(rest);
else if (cmd === 'run') run(rest);
else if (cmd === 'score') score(rest);
else fail(usage);
