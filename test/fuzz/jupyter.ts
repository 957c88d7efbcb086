/**
 * A handful of the hostile notebooks through the Jupyter host: `jupyter nbconvert --to notebook --execute` with the
 * TRAM kernelspec (`tram jupyter install --prefix` into a temp folder, Debian's /usr/bin/python3), each with the
 * class of outcome expected from Jupyter:
 *   refused     nbconvert exits non-zero before any kernel runs a cell, nothing written (invalid JSON or schema);
 *   runs        exit 0, the written notebook valid for python nbformat, the case's own check;
 *   cell-error  with --allow-errors: exit 0, the named cell holds an error output, the others ran;
 *   timeout     --ExecutePreprocessor.timeout=N on a busy loop: exit non-zero naming the timeout, no kernel left.
 * Every case also checks that no process a cell started outlives the run.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { judge } from './oracle';

const root = path.resolve(__dirname, '..', '..', '..');
const python = '/usr/bin/python3';

export interface JupyterRow {
  family: string;
  name: string;
  expect: string;
  observed: string;
  pass: boolean;
  seconds: number;
}

type Out = { output_type: string; name?: string; text?: string | string[]; data?: Record<string, string | string[]>; ename?: string; evalue?: string };
type Cell = { outputs: Out[]; execution_count: number | null };
const join = (v: string | string[] | undefined) => (Array.isArray(v) ? v.join('') : v ?? '');

function codeNotebook(sources: string[]) {
  return {
    nbformat: 4,
    nbformat_minor: 5,
    metadata: { kernelspec: { name: 'tram', display_name: 'TRAM TypeScript', language: 'typescript' } },
    cells: sources.map((s, i) => ({ id: `c${i + 1}`, cell_type: 'code', metadata: {}, source: s, outputs: [], execution_count: null })),
  };
}

interface JCase {
  name: string;
  expect: 'refused' | 'runs' | 'cell-error' | 'timeout';
  /** The input file's text. */
  input: string;
  extra?: string[];
  /** --ExecutePreprocessor.timeout (seconds per cell; 120 unless given). */
  timeoutS?: number;
  /** Extra check on the written cells: a failure message or undefined. */
  check?(cells: Cell[], dir: string): string | undefined;
}

const SPAWN = "const { spawn } = require('node:child_process');\nconst ch = spawn('sleep', ['120'], { stdio: 'ignore' });\nrequire('node:fs').writeFileSync('child.pid', String(ch.pid));\nch.pid > 0";

function cases(): JCase[] {
  const valid = JSON.stringify(codeNotebook(['1 + 1']));
  return [
    { name: 'truncated JSON (first 40 % of a notebook)', expect: 'refused', input: valid.slice(0, Math.floor(valid.length * 0.4)) },
    { name: 'cells is an object, not a list', expect: 'refused', input: JSON.stringify({ ...codeNotebook([]), cells: { a: 1 } }) },
    { name: 'nbformat 3 header on v4 cells', expect: 'refused', input: JSON.stringify({ ...codeNotebook(['1']), nbformat: 3 }) },
    {
      name: 'U+2028 in a string, 3 MB printed, a child process spawned',
      expect: 'runs',
      input: JSON.stringify(codeNotebook(['const s = "line\u2028separator\u2029para";\ns.length', "console.log('y'.repeat(3 << 20)); 'printed'", SPAWN])),
      check(cells) {
        const r1 = join(cells[0].outputs.find((o) => o.output_type === 'execute_result')?.data?.['text/plain']);
        if (r1 !== '19') return `cell 1 result ${JSON.stringify(r1)}, expected 19`;
        const out2 = cells[1].outputs.filter((o) => o.name === 'stdout').map((o) => join(o.text)).join('');
        if (out2.length > 2 << 20) return `cell 2: ${out2.length} chars of stdout (not capped)`;
        const err2 = cells[1].outputs.filter((o) => o.name === 'stderr').map((o) => join(o.text)).join('');
        if (!/output truncated/.test(err2)) return 'cell 2: no truncation notice on stderr';
        return undefined;
      },
    },
    {
      name: 'a thrown error with --allow-errors',
      expect: 'cell-error',
      input: JSON.stringify(codeNotebook(['const before = 1;', "throw new Error('thrown on purpose')", 'await new Promise((r) => setTimeout(r, 400));\n40 + 2'])),
      extra: ['--allow-errors'],
      check(cells) {
        const err = cells[1].outputs.find((o) => o.output_type === 'error');
        if (!err || !/thrown on purpose/.test(err.evalue ?? '')) return `cell 2: ${err ? `error ${err.ename}: ${err.evalue}` : 'no error output'}`;
        if (cells[0].outputs.some((o) => o.output_type === 'error')) return 'cell 1 failed';
        const r3 = join(cells[2].outputs.find((o) => o.output_type === 'execute_result')?.data?.['text/plain']);
        if (r3 !== '42') return `cell 3 after the error: result ${JSON.stringify(r3)}, expected 42`;
        return undefined;
      },
    },
    {
      name: 'busy loop with --ExecutePreprocessor.timeout=3',
      expect: 'timeout',
      input: JSON.stringify(codeNotebook(['const t = 1;', SPAWN.replace('ch.pid > 0', 'while (true) {}')])),
      timeoutS: 3,
    },
  ];
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2)[0] !== 'Z';
  } catch {
    return false;
  }
}

export function jupyterAvailable(): string | undefined {
  if (!fs.existsSync(python)) return `${python} is missing`;
  const r = spawnSync(python, ['-m', 'jupyter', 'nbconvert', '--version'], { encoding: 'utf8' });
  return r.status === 0 ? undefined : `${python} has no jupyter nbconvert (apt-get install -y jupyter-nbconvert python3-nbclient; scripts/setup-system.sh)`;
}

function runCase(c: JCase, prefix: string): JupyterRow {
  const t0 = performance.now();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tram-fuzz-jupyter-'));
  fs.writeFileSync(path.join(dir, 'nb.ipynb'), c.input);
  const env = { ...process.env, JUPYTER_PATH: path.join(prefix, 'share', 'jupyter'), JUPYTER_RUNTIME_DIR: path.join(dir, 'runtime') };
  const r = spawnSync(
    python,
    ['-m', 'jupyter', 'nbconvert', '--to', 'notebook', '--execute', '--ExecutePreprocessor.kernel_name=tram', `--ExecutePreprocessor.timeout=${c.timeoutS ?? 120}`, ...(c.extra ?? []), '--output', 'out.ipynb', 'nb.ipynb'],
    { cwd: dir, env, encoding: 'utf8', timeout: 180_000 },
  );
  const out = path.join(dir, 'out.ipynb');
  const lastLine = (r.stderr || '').trim().split('\n').filter(Boolean).slice(-1)[0] ?? '';
  let fail: string | undefined;
  let observed = '';
  if (r.error) fail = `nbconvert: ${r.error.message}`;
  else if (c.expect === 'refused') {
    if (r.status === 0) fail = 'exit 0: the notebook was accepted';
    else if (fs.existsSync(out)) fail = 'an output notebook was written';
    else if (fs.existsSync(path.join(dir, 'child.pid'))) fail = 'a cell ran';
    observed = `exit ${r.status}: ${lastLine.slice(0, 100)}`;
  } else if (c.expect === 'timeout') {
    if (r.status === 0) fail = 'exit 0 despite the busy loop';
    else if (!/CellTimeoutError|timed out/.test(r.stderr)) fail = `no cell timeout named: ${lastLine.slice(0, 100)}`;
    observed = `exit ${r.status}: ${(/.*(CellTimeoutError|timed out).*/.exec(r.stderr)?.[0] ?? lastLine).trim().slice(0, 100)}`;
  } else {
    if (r.status !== 0) fail = `exit ${r.status}: ${lastLine.slice(0, 120)}`;
    else if (!fs.existsSync(out)) fail = 'no output written';
    else {
      const v = judge([out]).get(out);
      if (v) fail = `output invalid for nbformat: ${v}`;
      else fail = c.check?.((JSON.parse(fs.readFileSync(out, 'utf8')) as { cells: Cell[] }).cells, dir);
    }
    observed = `exit 0; output valid for nbformat${c.expect === 'cell-error' ? '; the thrown cell holds its error' : ''}`;
  }
  // Nothing a cell started may outlive the run (the kernel kills its process group on exit).
  const pidFile = path.join(dir, 'child.pid');
  if (!fail && fs.existsSync(pidFile)) {
    const pid = Number(fs.readFileSync(pidFile, 'utf8'));
    const t1 = Date.now();
    while (alive(pid) && Date.now() - t1 < 5000) spawnSync('sleep', ['0.1']);
    if (alive(pid)) {
      process.kill(pid, 'SIGKILL');
      fail = `the child ${pid} a cell spawned outlived the run`;
    } else observed += '; spawned child gone';
  }
  if (fail) observed = `✗ ${fail} (kept: ${dir})`;
  else fs.rmSync(dir, { recursive: true, force: true });
  return { family: 'jupyter host', name: c.name, expect: c.expect, observed, pass: !fail, seconds: (performance.now() - t0) / 1000 };
}

/** Runs the Jupyter cases (names filtered by `only`); one failing row when Jupyter is missing. */
export function jupyterRows(only?: string): JupyterRow[] {
  const list = cases().filter((c) => !only || `jupyter host ${c.name}`.toLowerCase().includes(only));
  if (!list.length) return [];
  const missing = jupyterAvailable();
  if (missing) return [{ family: 'jupyter host', name: 'nbconvert available', expect: 'runs', observed: `✗ ${missing}`, pass: false, seconds: 0 }];
  const prefix = fs.mkdtempSync(path.join(os.tmpdir(), 'tram-fuzz-kernelspec-'));
  const inst = spawnSync(process.execPath, [path.join(root, 'bin', 'tram.js'), 'jupyter', 'install', '--prefix', prefix], { encoding: 'utf8' });
  if (inst.status !== 0) return [{ family: 'jupyter host', name: 'tram jupyter install --prefix', expect: 'runs', observed: `✗ exit ${inst.status}: ${inst.stderr.trim().slice(0, 120)}`, pass: false, seconds: 0 }];
  try {
    return list.map((c) => runCase(c, prefix));
  } finally {
    fs.rmSync(prefix, { recursive: true, force: true });
  }
}

// `node out/test/fuzz/jupyter.js`: these cases alone.
if (require.main === module) {
  const rows = jupyterRows(process.argv[2]?.toLowerCase());
  for (const r of rows) console.log(`${r.pass ? 'pass' : 'FAIL'} | ${r.expect.padEnd(10)} | ${r.name.slice(0, 60).padEnd(60)} | ${r.observed.slice(0, 160)} (${r.seconds.toFixed(1)} s)`);
  process.exit(rows.every((r) => r.pass) ? 0 : 1);
}
