/**
 * `npm run fuzz [-- --quick] [--seed N] [--only WORD]`: the seeded fuzz suite of `tram run` (issue #18).
 *
 * Every case (./cases.ts) runs `node bin/tram.js run …` in its own temporary folder and is checked against its
 * class: refused = exit 2, one line on stderr starting "tram run:" (plus the usage line for option errors), no
 * stack trace, no cell ran, and the folder byte-for-byte as before (nothing written, no temporary file left);
 * runs = exit 0 and the written notebook valid for python nbformat with every cell source unchanged;
 * cell-error / timeout = the case's own checks. Structural mutations get their class from python nbformat
 * (./oracle.ts): invalid → refused, valid → runs. Prints one row per case, writes test-results/fuzz.json and
 * exits 1 when any case fails. --quick (a stage of `npm test`) runs a smaller set in under 2 minutes. Last, the
 * Jupyter host cases (./jupyter.ts: nbconvert --execute with the TRAM kernelspec) in both settings.
 */
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { allCases, type Case, type Outcome } from './cases';
import { jupyterRows, type JupyterRow } from './jupyter';
import { judge, pythonAvailable } from './oracle';

const root = path.resolve(__dirname, '..', '..', '..');
const tram = path.join(root, 'bin', 'tram.js');

/** One fuzz case's outcome: the same shape for the `tram run` and the Jupyter-host rows. */
type Row = JupyterRow;

type Snapshot = Map<string, string>;

function snapshot(dir: string): Snapshot {
  const snap: Snapshot = new Map();
  const walk = (d: string) => {
    for (const name of fs.readdirSync(d)) {
      const p = path.join(d, name);
      const st = fs.lstatSync(p);
      const rel = path.relative(dir, p);
      if (st.isDirectory()) { snap.set(rel, `dir ${st.mode}`); walk(p); }
      else if (st.isSymbolicLink()) snap.set(rel, `link ${fs.readlinkSync(p)}`);
      else if (st.isFile()) snap.set(rel, `file ${st.mode} ${fs.readFileSync(p).toString('base64')}`);
      else snap.set(rel, `special ${st.mode}`);
    }
  };
  walk(dir);
  return snap;
}

function sameSnapshot(a: Snapshot, b: Snapshot): string | undefined {
  for (const [k, v] of a) if (b.get(k) !== v) return `${k} ${b.has(k) ? 'changed' : 'removed'}`;
  for (const k of b.keys()) if (!a.has(k)) return `${k} was created`;
  return undefined;
}

function runTram(args: string[], cwd: string, timeoutMs: number): Promise<{ status: number | null; stdout: string; stderr: string; timedOut: boolean }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [tram, 'run', ...args], { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '', stderr = '';
    child.stdout.on('data', (c) => { if (stdout.length < 1 << 20) stdout += c; });
    child.stderr.on('data', (c) => { if (stderr.length < 1 << 20) stderr += c; });
    let timedOut = false;
    const timer = setTimeout(() => { timedOut = true; child.kill('SIGKILL'); }, timeoutMs);
    child.on('close', (status) => { clearTimeout(timer); resolve({ status, stdout, stderr, timedOut }); });
  });
}

function sources(file: string): string[] {
  const nb = JSON.parse(fs.readFileSync(file, 'utf8')) as { cells: { source: string | string[] }[] };
  return nb.cells.map((c) => (Array.isArray(c.source) ? c.source.join('') : c.source));
}

function checkRefused(o: Outcome & { timedOut: boolean }, before: Snapshot): string | undefined {
  if (o.timedOut) return 'did not finish (hang)';
  if (o.status !== 2) return `exit ${o.status}: ${o.stderr.trim().split('\n')[0]?.slice(0, 80)}`;
  const lines = o.stderr.trim().split('\n').filter((l) => l && !l.startsWith('usage:'));
  if (lines.length !== 1) return `${lines.length} lines on stderr: ${JSON.stringify(o.stderr.slice(0, 120))}`;
  if (!lines[0].startsWith('tram run:')) return `stderr: ${lines[0].slice(0, 80)}`;
  if (/^\s+at /m.test(o.stderr)) return 'a stack trace';
  if (/^\s+\[\d+\]/m.test(o.stdout)) return 'a cell ran';
  const changed = sameSnapshot(before, snapshot(o.dir));
  if (changed) return `written: ${changed}`;
  return undefined;
}

interface Prepared {
  c: Case;
  dir: string;
  args: string[];
  before: Snapshot;
  input: string;
  expect: Exclude<Case['expect'], 'oracle'>;
}

/** Writes every case's files; structural cases get their class from one batch of the python oracle. */
function prepare(cases: Case[]): Prepared[] {
  const list = cases.map((c) => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tram-fuzz-'));
    const args = c.setup(dir);
    return { c, dir, args, before: snapshot(dir), input: path.join(dir, 'nb.ipynb'), expect: c.expect as Prepared['expect'] };
  });
  const verdicts = judge(list.filter((p) => p.c.expect === 'oracle').map((p) => p.input));
  for (const p of list) if (p.c.expect === 'oracle') p.expect = verdicts.get(p.input) === null ? 'runs' : 'refused';
  return list;
}

async function runCase(p: Prepared, pending: { file: string; row: Row; inputSources?: string[] }[]): Promise<Row> {
  const { c, dir, args, before, input, expect } = p;
  const t0 = performance.now();
  const r = await runTram(args, dir, c.timeoutMs ?? 30_000);
  const o = { ...r, dir };
  let fail: string | undefined;
  let observed = '';
  if (expect === 'refused') {
    fail = checkRefused(o, before);
    observed = fail ?? `exit 2: ${o.stderr.trim().split('\n')[0].replace(dir, '…').slice(0, 110)}`;
  } else if (r.timedOut) {
    fail = observed = 'did not finish';
  } else if (expect === 'runs') {
    const out = path.join(dir, c.out ?? 'out.ipynb');
    if (r.status !== 0) fail = `exit ${r.status}: ${r.stderr.trim().split('\n')[0]?.slice(0, 100)}`;
    else if (!fs.existsSync(out)) fail = 'no output written';
    else if (fs.readdirSync(dir).some((n) => n.includes('.tram-'))) fail = 'a temporary file was left';
    else fail = c.check?.(o);
    if (!fail) pending.push({ file: out, row: undefined as unknown as Row, inputSources: fs.existsSync(input) && fs.statSync(input).isFile() ? sources(input) : undefined });
    observed = fail ?? 'exit 0; output written';
  } else if (expect === 'timeout') {
    const out = path.join(dir, c.out ?? 'out.ipynb');
    const nb = fs.existsSync(out) ? fs.readFileSync(out, 'utf8') : '';
    if (r.status !== 1) fail = `exit ${r.status}`;
    else if (!/"ename": "Timeout"/.test(nb)) fail = 'no Timeout error in the written notebook';
    observed = fail ?? 'exit 1; Timeout error in the cell';
  } else {
    fail = c.check?.(o);
    observed = fail ?? 'failing cells failed, the others ran; exit 0 (--allow-errors)';
  }
  const row: Row = { family: c.family, name: c.name, expect: c.expect === 'oracle' ? `${expect}*` : expect, observed, pass: !fail, seconds: (performance.now() - t0) / 1000 };
  if (expect === 'runs' && !fail) pending[pending.length - 1].row = row;
  if (!row.pass) row.observed += ` (kept: ${dir})`;
  else if (!(expect === 'runs')) fs.rmSync(dir, { recursive: true, force: true }); // 'runs' dirs go after the output check
  return row;
}

async function main(): Promise<number> {
  const argv = process.argv.slice(2);
  const quick = argv.includes('--quick');
  const seedAt = argv.indexOf('--seed');
  const seed = seedAt >= 0 ? Number(argv[seedAt + 1]) : 18;
  const onlyAt = argv.indexOf('--only');
  const only = onlyAt >= 0 ? argv[onlyAt + 1].toLowerCase() : undefined;
  if (!pythonAvailable()) {
    console.error('fuzz: /usr/bin/python3 with nbformat is needed as the oracle (apt-get install -y python3-nbformat)');
    return 1;
  }
  let cases = allCases(seed, quick);
  if (only) cases = cases.filter((c) => `${c.family} ${c.name}`.toLowerCase().includes(only));
  const t0 = performance.now();
  const pending: { file: string; row: Row; inputSources?: string[] }[] = [];
  const rows: Row[] = new Array(cases.length);
  // Cases without a kernel two at a time; kernel cases one at a time after them (2 cores).
  const prepared = prepare(cases);
  const light = prepared.map((c, i) => [c, i] as const).filter(([c]) => !c.c.kernel);
  const heavy = prepared.map((c, i) => [c, i] as const).filter(([c]) => c.c.kernel);
  let next = 0;
  const worker = async () => {
    while (next < light.length) {
      const [c, i] = light[next++];
      rows[i] = await runCase(c, pending);
    }
  };
  await Promise.all([worker(), worker()]);
  for (const [c, i] of heavy) rows[i] = await runCase(c, pending);
  // Every notebook written must be valid for Jupyter's validator and keep its cell sources.
  const verdicts = judge(pending.map((p) => p.file));
  for (const p of pending) {
    const v = verdicts.get(p.file);
    if (v) { p.row.pass = false; p.row.observed = `output invalid for nbformat: ${v}`; continue; }
    if (p.inputSources && JSON.stringify(sources(p.file)) !== JSON.stringify(p.inputSources)) { p.row.pass = false; p.row.observed = 'cell sources changed'; continue; }
    p.row.observed += ', valid for nbformat, sources unchanged';
    fs.rmSync(path.dirname(p.file), { recursive: true, force: true });
  }
  // A handful of the hostile notebooks through the Jupyter host (nbconvert --execute, TRAM kernelspec).
  rows.push(...jupyterRows(only));
  const seconds = (performance.now() - t0) / 1000;
  for (const r of rows) console.log(`${r.pass ? 'pass' : 'FAIL'} | ${r.family.padEnd(13)} | ${r.expect.padEnd(10)} | ${r.name.slice(0, 60).padEnd(60)} | ${r.observed.slice(0, 140)}`);
  const failed = rows.filter((r) => !r.pass).length;
  const byFamily = new Map<string, { n: number; pass: number; classes: Set<string> }>();
  for (const r of rows) {
    const f = byFamily.get(r.family) ?? { n: 0, pass: 0, classes: new Set<string>() };
    f.n++;
    if (r.pass) f.pass++;
    f.classes.add(r.expect);
    byFamily.set(r.family, f);
  }
  const summary = {
    date: new Date().toISOString(), node: process.version, seed, quick, seconds: Number(seconds.toFixed(1)),
    cases: rows.length, passed: rows.length - failed, failed,
    families: [...byFamily].map(([family, f]) => ({ family, cases: f.n, passed: f.pass })),
    classes: rows.reduce<Record<string, number>>((acc, r) => ((acc[r.expect] = (acc[r.expect] ?? 0) + 1), acc), {}),
    rows,
  };
  fs.mkdirSync(path.join(root, 'test-results'), { recursive: true });
  fs.writeFileSync(path.join(root, 'test-results', quick ? 'fuzz-quick.json' : 'fuzz.json'), JSON.stringify(summary, null, 1));
  console.log(`\nfuzz (seed ${seed}${quick ? ', quick' : ''}): ${rows.length - failed} of ${rows.length} cases pass in ${seconds.toFixed(1)} s`);
  for (const [family, f] of byFamily) console.log(`  ${family.padEnd(14)} ${f.pass}/${f.n}  (${[...f.classes].join(', ')})`);
  return failed ? 1 : 0;
}

main().then((code) => process.exit(code), (e) => { console.error(e); process.exit(1); });
