/**
 * Debug Cell rows (#17): in code-server, TRAM: Debug Cell paused at a breakpoint, then the session is ended the
 * hard way — the kernel restarted (TRAM: Restart Kernel) or the notebook closed. Expected: the paused kernel
 * process and its process group are gone, its inspector port (seen with `ss` while paused: one listener, on
 * 127.0.0.1) no longer listens, no debug session is left running, the mirrored breakpoint and the temporary
 * cell folder are removed; after a restart the next cell runs in a new kernel that listens on nothing.
 *
 * One code-server instance of its own (extensionRows.ts's helpers) serves both rows, in order.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { go, result, startInstance, stop, type DCell } from './extensionRows';
import * as nb from './notebook';
import { alive, listeners, listenersOf, processesInGroup, sleep } from './procs';
import { outcome, type Check } from './runner';
import type { Outcome, Row } from './table';

const CELL = "console.log('dbg', process.pid);\nconst x = tf.ones([2]);\nconsole.log('after', x.shape);";

interface Observed {
  restart?: Outcome;
  close?: Outcome;
  cleanup?: Check[];
  error?: string;
}

const tempDirs = () => fs.readdirSync(os.tmpdir()).filter((d) => d.startsWith('tram-debug-'));

async function until(ok: () => boolean, ms: number): Promise<number> {
  const t0 = Date.now();
  while (!ok() && Date.now() - t0 < ms) await sleep(100);
  return Date.now() - t0;
}

/** Pauses the step's cell in the debugger, lets the driver act (restart / close) and checks what is left. */
async function debugStep(inst: Awaited<ReturnType<typeof startInstance>>, step: string): Promise<{ checks: Check[]; pid: number; after: { cell: DCell; sessions: string[]; breakpoints: string[] } }> {
  const before = new Set(tempDirs());
  go(inst, step);
  const paused = await result<{ pid: number; sessions: string[] }>(inst, `${step}-paused`, 300_000);
  const socks = listenersOf([paused.pid]);
  const port = socks.length === 1 ? socks[0].local.split(':').pop() : undefined;
  const checks: Check[] = [
    {
      ok: socks.length === 1 && socks[0].proto === 'tcp' && socks[0].local.startsWith('127.0.0.1:'),
      text: `paused: kernel ${paused.pid} listens on ${socks.map((s) => s.local).join(', ') || 'nothing'}`,
    },
  ];
  go(inst, `${step}-act`);
  const after = await result<{ cell: DCell; sessions: string[]; breakpoints: string[] }>(inst, step, 180_000);
  const goneMs = await until(() => !alive(paused.pid) && processesInGroup(paused.pid).length === 0, 10_000);
  const left = processesInGroup(paused.pid);
  const stillListening = port ? listeners().filter((l) => l.local.endsWith(`:${port}`)) : [];
  const newDirs = tempDirs().filter((d) => !before.has(d));
  checks.push(
    { ok: !alive(paused.pid) && left.length === 0, text: alive(paused.pid) || left.length ? `✗ kernel ${paused.pid} or its group still runs after 10 s` : `kernel and its group gone (${goneMs} ms after the driver's report)` },
    { ok: !!port && stillListening.length === 0, text: stillListening.length ? `✗ port ${port} still listens` : `port ${port ?? '?'} closed` },
    { ok: after.sessions.length === 0, text: after.sessions.length ? `✗ debug sessions left: ${after.sessions}` : 'no debug session left' },
    { ok: after.breakpoints.every((b) => b.startsWith('vscode-notebook-cell:')), text: `breakpoints left: ${after.breakpoints.join(', ') || 'none'}` },
    { ok: newDirs.length === 0, text: newDirs.length ? `✗ temporary cell folders left: ${newDirs}` : 'temporary cell folder removed' },
  );
  return { checks, pid: paused.pid, after };
}

/** The driver's log and the TRAM Debug output channel of the instance (for a failed row). */
function logs(inst: { io: string; log: string }): string {
  const parts = [`driver.log:\n${fs.readFileSync(path.join(inst.io, 'driver.log'), 'utf8').slice(-1500)}`];
  const base = path.dirname(inst.log);
  const find = (d: string): string[] => fs.readdirSync(d, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? find(path.join(d, e.name)) : e.name.endsWith('TRAM Debug.log') ? [path.join(d, e.name)] : []));
  for (const f of find(path.join(base, 'user-data', 'logs'))) parts.push(`${path.basename(f)}:\n${fs.readFileSync(f, 'utf8').slice(-1500)}`);
  return parts.join('\n');
}

async function scenario(obs: Observed): Promise<void> {
  const nbs = { 'dbg-restart.ipynb': nb.notebook([CELL]), 'dbg-close.ipynb': nb.notebook([CELL]) };
  const inst = await startInstance('debug', nbs, ['debugRestart', 'debugClose'], false);
  try {
    const r = await debugStep(inst, 'debugRestart');
    const fresh = (await result<{ cell: DCell }>(inst, 'debugRestart-after', 120_000)).cell;
    const freshPid = Number((/fresh (\d+)/.exec(fresh.text) ?? [])[1]);
    const freshSocks = freshPid ? listenersOf([freshPid]) : [];
    obs.restart = outcome([
      {
        ok: r.after.cell.success === false && /restarted/.test(r.after.cell.text),
        text: r.after.cell.success === false && /restarted/.test(r.after.cell.text) ? 'debugged cell failed with "the kernel was restarted"' : `✗ debugged cell: ${JSON.stringify(r.after.cell.text.slice(-120))}`,
      },
      ...r.checks,
      { ok: fresh.success === true && freshPid > 0 && freshPid !== r.pid && freshSocks.length === 0, text: `next cell in new kernel ${freshPid}, listening on ${freshSocks.map((s) => s.local).join(', ') || 'nothing'}` },
    ]);
    const c = await debugStep(inst, 'debugClose');
    obs.close = outcome(c.checks);
    for (const o of [obs.restart, obs.close]) if (o && !o.pass) o.details = logs(inst);
  } finally {
    const problems = await stop(inst);
    obs.cleanup = [{ ok: problems.length === 0, text: problems.length ? `✗ ${problems.join('; ')}` : 'code-server and chromium groups stopped' }];
  }
}

let running: Promise<Observed> | undefined;
function run(): Promise<Observed> {
  running ??= (async () => {
    const obs: Observed = {};
    await scenario(obs).catch((e: Error) => (obs.error = e.message));
    return obs;
  })();
  return running;
}

function row(fault: string, expected: string, pick: (o: Observed) => Outcome | undefined): Row {
  return {
    group: 'host',
    fault,
    host: 'VS Code (code-server)',
    expected,
    timeoutS: 600,
    async run() {
      const o = await run();
      const r = pick(o);
      if (!r) return { pass: false, observed: `✗ the scenario ended before this step: ${o.error ?? 'no result'}` };
      if (o.cleanup && !outcome(o.cleanup).pass) return { pass: false, observed: `${r.observed}; ${outcome(o.cleanup).observed}` };
      return r;
    },
  };
}

export function debugRows(): Row[] {
  return [
    row('debug session ended by Restart Kernel (paused at a breakpoint)', 'paused kernel, its group and its inspector port gone; no debug session, mirror or temp folder left; next cell in a new kernel listening on nothing', (o) => o.restart),
    row('debug session ended by closing the notebook (paused at a breakpoint)', 'paused kernel, its group and its inspector port gone; no debug session, mirror or temp folder left', (o) => o.close),
  ];
}
