/**
 * Extension-host rows: the packaged .vsix in code-server (127.0.0.1) with chromium loading the page, and a
 * test-only driver extension (./driver) that runs the notebook side through the VS Code API. One trusted
 * instance serves the host rows (two notebooks at once, a kernel killed mid-cell, the extension host
 * restarted under a busy cell) and the VS Code socket and environment checks; a second, short-lived
 * instance with workspace trust on checks that no kernel starts in an untrusted workspace.
 *
 * code-server and chromium missing is a failure of every row here, never a skip.
 * The code-server helpers are the end-to-end suite's (test/e2e/codeServer.ts).
 */
import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { TMP } from './context';
import { ROOT } from './hosts';
import * as nb from './notebook';
import { alive, describe as describeProcs, killAll, listenersOf, processesUnder, sleep } from './procs';
import { outcome, type Check } from './runner';
import { envCheck, SECRETS } from './securityRows';
import type { Outcome, Row } from './table';
import { packageDriver } from '../support/driverVsix';

const CHROMIUM = process.env.TRAM_CHROMIUM ?? '/usr/bin/chromium';
const KERNEL = { id: 'tram-typescript', extension: 'tram-notebooks.tram-notebooks' };

type CS = typeof import('../e2e/codeServer');
function codeServer(): CS {
  return require('../e2e/codeServer') as CS;
}

export interface DCell {
  index: number;
  source: string;
  executionOrder?: number;
  success?: boolean;
  text: string;
  mimes: string[];
}

function vsix(): string {
  const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8'));
  const file = path.join(ROOT, 'dist', `${pkg.name}-${pkg.version}.vsix`);
  if (!fs.existsSync(file)) throw new Error(`${path.relative(ROOT, file)} is missing: run npm run package (scripts/faults.mjs does)`);
  return file;
}

function driverVsix(): string {
  const out = path.join(TMP, 'faults-driver.vsix');
  return fs.existsSync(out) ? out : packageDriver(path.join(ROOT, 'test', 'faults', 'driver'), TMP, 'faults-driver');
}

export interface Instance {
  name: string;
  io: string;
  workspace: string;
  pgid: number;
  log: string;
  browserPgid: number;
  sha: Record<string, string>;
}

/**
 * code-server in its own process group (the e2e helper). `trustOn` keeps workspace trust on (the folder is
 * then untrusted); otherwise every folder is trusted.
 */
export async function startInstance(
  name: string,
  notebooks: Record<string, nb.Notebook>,
  steps: string[],
  trustOn: boolean,
  extra: Record<string, unknown> = {},
): Promise<Instance> {
  if (!fs.existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: apt-get install -y chromium (scripts/setup-system.sh)`);
  const cs = codeServer();
  const base = path.join(TMP, `vscode-${name}`);
  const io = path.join(base, 'io');
  const workspace = path.join(base, 'workspace');
  const dirs = { userData: path.join(base, 'user-data'), extensions: path.join(base, 'extensions'), xdg: path.join(base, 'xdg') };
  for (const d of [io, workspace, path.join(dirs.userData, 'User'), dirs.xdg]) fs.mkdirSync(d, { recursive: true });
  const sha: Record<string, string> = {};
  for (const [file, n] of Object.entries(notebooks)) {
    nb.write(path.join(workspace, file), n);
    sha[file] = nb.sha256(path.join(workspace, file));
  }
  fs.writeFileSync(path.join(io, 'plan.json'), JSON.stringify({ ...extra, workspace, kernel: KERNEL, steps }));
  fs.writeFileSync(
    path.join(dirs.userData, 'User', 'settings.json'),
    JSON.stringify({
      'workbench.startupEditor': 'none',
      'workbench.tips.enabled': false,
      'extensions.ignoreRecommendations': true,
      'telemetry.telemetryLevel': 'off',
      'window.restoreWindows': 'none',
      'files.hotExit': 'off',
      'files.autoSave': 'off',
      'security.workspace.trust.enabled': trustOn,
      'security.workspace.trust.startupPrompt': 'never',
      'security.workspace.trust.emptyWindow': false,
      'tram.seed': 1,
    }),
  );
  cs.installExtensions(dirs, [vsix(), driverVsix()]);
  const log = path.join(base, 'code-server.log');
  const server = await cs.startCodeServer(dirs, workspace, { ...SECRETS, TRAM_FAULTS_IO: io }, log, { trust: trustOn });
  const pgid = server.pid;
  const url = server.url;
  const browserPgid = await openBrowser(`${url}?folder=${encodeURIComponent(workspace)}`, base);
  return { name, io, workspace, pgid, log, browserPgid, sha };
}

/** chromium (through playwright-core) loading the editor, in a process group of its own. */
async function openBrowser(url: string, base: string): Promise<number> {
  const script = path.join(__dirname, 'browser.js');
  const child = spawn(process.execPath, [script, url, CHROMIUM], { detached: true, stdio: ['ignore', fs.openSync(path.join(base, 'browser.log'), 'a'), fs.openSync(path.join(base, 'browser.log'), 'a')], cwd: base });
  child.unref();
  return child.pid!;
}

export async function stop(inst: Instance): Promise<string[]> {
  const cs = codeServer();
  const problems: string[] = [];
  if (!(await cs.stopGroup(inst.browserPgid))) problems.push(`browser group ${inst.browserPgid} still alive`);
  if (!(await cs.stopGroup(inst.pgid))) problems.push(`code-server group ${inst.pgid} still alive`);
  return problems;
}

export async function result<T>(inst: Instance, name: string, timeoutMs: number): Promise<T> {
  const file = path.join(inst.io, `${name}.json`);
  const failed = path.join(inst.io, 'failed.json');
  const t0 = Date.now();
  while (!fs.existsSync(file)) {
    if (fs.existsSync(failed)) throw new Error(`driver failed: ${fs.readFileSync(failed, 'utf8').slice(0, 600)}`);
    if (Date.now() - t0 > timeoutMs) {
      const dlog = path.join(inst.io, 'driver.log');
      throw new Error(`no ${name}.json after ${timeoutMs / 1000} s; driver.log: ${fs.existsSync(dlog) ? fs.readFileSync(dlog, 'utf8').slice(-600) : '(none)'}; code-server log: ${fs.readFileSync(inst.log, 'utf8').slice(-400)}`);
    }
    await sleep(200);
  }
  return JSON.parse(fs.readFileSync(file, 'utf8')) as T;
}

/** Kernel processes (not the editor's own helpers such as ripgrep) working in `dir`. */
export function kernelsUnder(dir: string) {
  return processesUnder(dir).filter((p) => /runtime\/main\.js|tram\.js/.test(p.cmd));
}

function readPpid(pid: number): number {
  try {
    return Number(fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ')[1]);
  } catch {
    return 0;
  }
}

export const go = (inst: Instance, step: string) => fs.writeFileSync(path.join(inst.io, `go-${step}`), '');

function filesUnchanged(inst: Instance): Check {
  const changed = Object.entries(inst.sha).filter(([f, s]) => nb.sha256(path.join(inst.workspace, f)) !== s).map(([f]) => f);
  return { ok: changed.length === 0, text: changed.length ? `✗ files changed on disk: ${changed}` : 'notebook files on disk unchanged' };
}

// ------------------------------------------------------------------------------------------ scenario

interface Observed {
  two?: Outcome;
  flood?: Outcome;
  killed?: Outcome;
  reload?: Outcome;
  sockets?: Outcome;
  env?: Outcome;
  untrusted?: Outcome;
  cleanup?: Check[];
  trustedError?: string;
  untrustedError?: string;
}

const cellNb = (src: string) => nb.notebook([src]);

async function trustedScenario(obs: Observed): Promise<void> {
  const inst = await startInstance(
    'trusted',
    { 'a.ipynb': cellNb("console.log('a');"), 'b.ipynb': cellNb("console.log('b');"), 'reload.ipynb': cellNb("console.log('after reload', process.pid);") },
    ['two', 'killed', 'reload'],
    false,
  );
  try {
    // Two notebooks at once, and the VS Code path's environment.
    go(inst, 'two');
    const two = await result<{ a: DCell[]; b: DCell[] }>(inst, 'two', 240_000);
    const pid = (c: DCell) => Number((/pid (\d+)/.exec(c.text) ?? /who \w+ (\d+)/.exec(c.text) ?? [])[1]);
    const span = (c: DCell) => (/span (\d+) (\d+)/.exec(c.text) ?? []).slice(1).map(Number);
    const [a0, a1] = span(two.a[1]);
    const [b0, b1] = span(two.b[1]);
    const overlap = Math.min(a1, b1) - Math.max(a0, b0);
    obs.two = outcome([
      { ok: pid(two.a[0]) > 0 && pid(two.b[0]) > 0 && pid(two.a[0]) !== pid(two.b[0]), text: `kernels ${pid(two.a[0])} and ${pid(two.b[0])}` },
      { ok: overlap > 1500, text: `cells overlapped ${overlap} ms of 3000` },
      { ok: /who A/.test(two.a[2].text) && /who B/.test(two.b[2].text), text: `who = ${two.a[2].text.trim()} / ${two.b[2].text.trim()}` },
    ]);
    obs.env = outcome([envCheck(two.a[0].text)]);

    // A kernel killed from outside mid-cell; the VS Code path's sockets while the cell runs.
    go(inst, 'killed');
    const looping = await result<{ pid: number }>(inst, 'looping', 60_000);
    const extHost = readPpid(looping.pid);
    const socks = listenersOf([looping.pid]);
    obs.sockets = outcome([{ ok: socks.length === 0, text: socks.length ? `✗ kernel listens: ${JSON.stringify(socks)}` : `kernel ${looping.pid} (child of ${extHost}) listens on nothing while a cell runs` }]);
    process.kill(looping.pid, 'SIGKILL');
    const killed = await result<{ loop: DCell; after: DCell }>(inst, 'killed', 120_000);
    const freshPid = Number((/fresh (\d+)/.exec(killed.after.text) ?? [])[1]);
    obs.killed = outcome([
      { ok: killed.loop.success === false && /SIGKILL|killed|died/i.test(killed.loop.text), text: `cell: ${JSON.stringify(killed.loop.text.split('\n').find((l) => /SIGKILL|killed|died/i.test(l))?.slice(0, 90) ?? killed.loop.text.slice(-90))}` },
      { ok: killed.after.success === true && freshPid > 0 && freshPid !== looping.pid, text: `next cell ran in a fresh kernel ${freshPid}` },
      filesUnchanged(inst),
    ]);

    // The window reloaded (extension host restarted) while a busy (synchronous) cell runs.
    go(inst, 'reload');
    const busy = await result<{ pid: number }>(inst, 'reload', 120_000);
    const oldHost = readPpid(busy.pid);
    const t0 = Date.now();
    while (alive(busy.pid) && Date.now() - t0 < 15_000) await sleep(100);
    const goneMs = Date.now() - t0;
    const oldAlive = alive(busy.pid);
    const orphan = oldAlive ? `; its extension host ${oldHost} ${alive(oldHost) ? 'still runs' : 'has exited'}, parent now ${readPpid(busy.pid)}` : '';
    if (oldAlive) process.kill(busy.pid, 'SIGKILL');
    const after = await result<{ cell: DCell }>(inst, 'reload-after', 180_000);
    const newPid = Number((/after reload (\d+)/.exec(after.cell.text) ?? [])[1]);
    obs.reload = outcome([
      { ok: !oldAlive, text: oldAlive ? `✗ the busy kernel ${busy.pid} outlived the reload (> 15 s${orphan})` : `old kernel gone ${goneMs} ms after the reload` },
      { ok: after.cell.success === true && newPid > 0 && newPid !== busy.pid, text: `after the reload: ${after.cell.success ? `new kernel ${newPid}` : JSON.stringify(after.cell.text.slice(0, 80))}` },
      filesUnchanged(inst),
    ]);

    // 50 MB printed (last: it may leave the editor busy): capped with a notice, the next cell answered at once.
    go(inst, 'flood');
    const flood = await result<{ timedOut: boolean; floodMs: number; nextMs?: number; bytes: number; tail?: string; next?: DCell }>(inst, 'flood', 180_000);
    obs.flood = flood.timedOut
      ? outcome([{ ok: false, text: `✗ the cell had not finished after ${(flood.floodMs / 1000).toFixed(0)} s (${(flood.bytes / 1048576).toFixed(1)} MB of output so far)` }])
      : outcome([
          { ok: flood.bytes < 8 * 1024 * 1024, text: `${(flood.bytes / 1048576).toFixed(2)} MB of output in the cell (${(flood.floodMs / 1000).toFixed(1)} s)` },
          { ok: /truncat/i.test(flood.tail ?? ''), text: /truncat/i.test(flood.tail ?? '') ? 'truncation notice' : '✗ no truncation notice' },
          { ok: flood.next?.success === true && (flood.nextMs ?? 1e9) < 5000, text: `next cell ${flood.next?.success ? 'ran' : 'FAILED'} in ${flood.nextMs} ms` },
        ]);
  } finally {
    const problems = await stop(inst);
    await sleep(500);
    const left = kernelsUnder(inst.workspace);
    if (left.length) killAll(left);
    obs.cleanup = [
      { ok: problems.length === 0, text: problems.length ? `✗ ${problems.join('; ')}` : 'code-server and chromium groups stopped' },
      { ok: left.length === 0, text: left.length ? `✗ kernels left: ${describeProcs(left)}` : 'no kernel left' },
    ];
  }
}

let scenario: Promise<Observed> | undefined;

/** Starts the editor scenario now (it runs beside the other rows; its rows wait for it). */
export function startEditorScenario(): void {
  void runScenario();
}

function runScenario(): Promise<Observed> {
  scenario ??= (async () => {
    const obs: Observed = {};
    await trustedScenario(obs).catch((e: Error) => (obs.trustedError = e.message));
    await untrustedOnly(obs).catch((e: Error) => (obs.untrustedError = e.message));
    return obs;
  })();
  return scenario;
}

async function untrustedOnly(obs: Observed): Promise<void> {
  const inst = await startTrustInstance();
  let spawned: string[] = [];
  try {
    go(inst, 'untrusted');
    const watch = (async () => {
      for (;;) {
        const p = kernelsUnder(inst.workspace);
        if (p.length) spawned = spawned.concat(describeProcs(p));
        if (fs.existsSync(path.join(inst.io, 'untrusted.json')) || fs.existsSync(path.join(inst.io, 'failed.json'))) return;
        await sleep(150);
      }
    })();
    const r = await result<{ isTrusted: boolean; cell: DCell; finished: boolean }>(inst, 'untrusted', 150_000);
    await watch;
    // Either TRAM's controller refuses the run with its message, or the editor holds the run back until the
    // folder is trusted (the cell never starts). A cell that ran, or ended without saying why, fails.
    const refused = r.finished && r.cell.success === false && /trust/i.test(r.cell.text);
    const heldBack = !r.finished && r.cell.executionOrder === undefined && r.cell.text === '';
    obs.untrusted = outcome([
      { ok: r.isTrusted === false, text: `workspace.isTrusted = ${r.isTrusted}` },
      { ok: refused || heldBack, text: refused ? `cell: ${JSON.stringify(r.cell.text.replace(/\s+/g, ' ').slice(0, 90))}` : heldBack ? 'the editor held the run back (cell never started)' : `✗ cell: ${JSON.stringify(r.cell)}` },
      { ok: spawned.length === 0, text: spawned.length ? `✗ a kernel started: ${spawned[0]}` : 'no kernel process started' },
      filesUnchanged(inst),
    ]);
  } finally {
    const problems = await stop(inst);
    (obs.cleanup ??= []).push({ ok: problems.length === 0, text: problems.length ? `✗ ${problems.join('; ')}` : 'untrusted instance stopped' });
  }
}

/** Workspace trust on, the folder never trusted. */
function startTrustInstance(): Promise<Instance> {
  return startInstance('untrusted', { 'u.ipynb': cellNb("console.log('ran', process.pid);") }, ['untrusted'], true);
}

function row(group: Row['group'], fault: string, expected: string, pick: (o: Observed) => Outcome | undefined): Row {
  return {
    group,
    fault,
    host: 'VS Code (code-server)',
    expected,
    timeoutS: 420,
    async run() {
      const o = await runScenario();
      const r = pick(o);
      const why = fault === 'untrusted workspace' ? o.untrustedError : o.trustedError ?? o.untrustedError;
      if (!r) return { pass: false, observed: `✗ the scenario ended before this step: ${why ?? 'no result'}` };
      return r;
    },
  };
}

export function extensionRows(): Row[] {
  return [
    row('host', 'two notebooks running at once', 'two kernels, cells overlap, each keeps its own state', (o) => o.two),
    row('kernel', '50 MB printed to stdout', 'capped with a truncation notice; the editor answers the next cell < 5 s', (o) => o.flood),
    row('host', 'kernel killed from outside mid-cell', 'cell fails with "Kernel died … SIGKILL"; next run in a fresh kernel; file unchanged', (o) => o.killed),
    row('host', 'extension reloaded (window reload) while a busy cell runs', 'old kernel gone ≤ 15 s; after the reload a cell runs in a new kernel; file unchanged', (o) => o.reload),
    row('security', 'listening sockets (VS Code path)', 'the kernel listens on nothing while a cell runs (ss)', (o) => o.sockets),
    row('security', 'secrets in the host environment', 'absent from the kernel the extension starts', (o) => o.env),
    row('security', 'untrusted workspace', 'no kernel process; the run refused with a trust message or held back until trusted', (o) => o.untrusted),
    row('host', '(end of editor rows)', 'code-server, chromium and kernels all stopped', (o) => (o.cleanup ? outcome(o.cleanup) : undefined)),
  ];
}
