/**
 * The two kernel hosts the rows drive: `tram run` (a child process in its own process group) and
 * `KernelClient` (in this process). The client is loaded from the build at run time, so a missing or broken
 * host makes the rows that need it fail with the reason instead of stopping the suite.
 */
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { CellLanguage, ExecuteStatus, KernelInfo, KernelMessage } from '../../kernel/protocol';
import { processesInGroup, sleep } from './procs';

export const ROOT = path.resolve(__dirname, '..', '..', '..');
export const TRAM = path.join(ROOT, 'bin', 'tram.js');

export interface RunResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  ms: number;
  /** true when the wall-clock guard of the suite had to kill it. */
  killed: boolean;
  /** Processes of its group still alive after it exited (before the suite cleaned them up). */
  leftInGroup: string[];
}

export interface TramRunOptions {
  cwd?: string;
  env?: NodeJS.ProcessEnv;
  /** The suite's own guard (seconds) against a hung `tram run`. */
  wallS?: number;
  /** Called once it is running (with its pid = its process group). */
  during?: (pid: number) => Promise<void>;
}

/** `node bin/tram.js <args>` in a process group of its own. */
export async function tram(args: string[], opts: TramRunOptions = {}): Promise<RunResult> {
  const t0 = Date.now();
  const child = spawn(process.execPath, [TRAM, ...args], {
    cwd: opts.cwd ?? ROOT,
    env: opts.env ?? process.env,
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const pid = child.pid!;
  let stdout = '';
  let stderr = '';
  const cap = 4 << 20;
  child.stdout!.on('data', (d: Buffer) => {
    if (stdout.length < cap) stdout += d.toString('utf8');
  });
  child.stderr!.on('data', (d: Buffer) => {
    if (stderr.length < cap) stderr += d.toString('utf8');
  });
  let killed = false;
  const guard = setTimeout(() => {
    killed = true;
    try {
      process.kill(-pid, 'SIGKILL');
    } catch {
      /* gone */
    }
  }, (opts.wallS ?? 60) * 1000);
  const exited = new Promise<[number | null, NodeJS.Signals | null]>((resolve) => child.on('close', (c, s) => resolve([c, s])));
  if (opts.during) await opts.during(pid).catch((e) => (stderr += `\n[during failed: ${(e as Error).message}]`));
  const [code, signal] = await exited;
  clearTimeout(guard);
  // The group outliving its leader = processes left behind (a kernel tram run did not stop).
  let left = processesInGroup(pid);
  for (let i = 0; i < 30 && left.length; i++) {
    await sleep(100);
    left = processesInGroup(pid);
  }
  const leftInGroup = left.map((p) => `${p.pid} ${p.cmd.slice(0, 80)}`);
  if (left.length) {
    try {
      process.kill(-pid, 'SIGKILL');
    } catch {
      /* gone */
    }
  }
  return { code, signal, stdout, stderr, ms: Date.now() - t0, killed, leftInGroup };
}

// ------------------------------------------------------------------------------------------ KernelClient

export interface ExecuteOutcome {
  status: ExecuteStatus;
  durationMs: number;
  reason?: string;
}

/** What the rows use of `KernelClient` (kernel/host/client.ts). */
export interface Client {
  readonly info: KernelInfo;
  readonly pid?: number;
  execute(cellId: string, code: string, onMessage: (m: KernelMessage) => void, language?: CellLanguage): Promise<ExecuteOutcome>;
  interrupt(): unknown;
  restart(): Promise<unknown>;
  shutdown(): Promise<unknown> | unknown;
  on(event: 'exit', listener: (...args: unknown[]) => void): unknown;
}

export interface StartOptions {
  cwd: string;
  backend?: string;
  env?: Record<string, string>;
  [k: string]: unknown;
}

interface ClientModule {
  KernelClient: { start(o: StartOptions): Promise<Client> };
}

export function clientModule(): ClientModule {
  const file = path.join(ROOT, 'out', 'kernel', 'host', 'client.js');
  if (!fs.existsSync(file)) throw new Error(`${path.relative(ROOT, file)} is missing: kernel/host/client.ts is not built`);
  return require(file) as ClientModule;
}

export function startClient(o: StartOptions): Promise<Client> {
  return clientModule().KernelClient.start(o);
}

/** The pid of the kernel process behind a client. */
export function kernelPid(c: Client): number {
  return c.pid ?? c.info.pid;
}

export interface CellRun extends ExecuteOutcome {
  messages: KernelMessage[];
  stdout: string;
  stderr: string;
  /** ename: evalue of the error message, if any. */
  error?: string;
  result?: string;
  /** bytes of stream text received. */
  streamBytes: number;
  ms: number;
}

let seq = 0;

/** Runs one cell and gathers what came back. `after` runs while the cell is running (e.g. an interrupt). */
export async function cell(c: Client, code: string, opts: { during?: (started: number) => Promise<void>; id?: string } = {}): Promise<CellRun> {
  const messages: KernelMessage[] = [];
  let stdout = '';
  let stderr = '';
  let streamBytes = 0;
  const id = opts.id ?? `f${++seq}`;
  const t0 = Date.now();
  const run = c.execute(id, code, (m) => {
    if (m.type === 'stream') {
      streamBytes += Buffer.byteLength(m.text);
      if (m.name === 'stdout') {
        if (stdout.length < 1 << 20) stdout += m.text;
      } else if (stderr.length < 1 << 20) stderr += m.text;
      return;
    }
    messages.push(m);
  });
  if (opts.during) await opts.during(t0);
  const out = await run;
  const err = messages.find((m) => m.type === 'error') as Extract<KernelMessage, { type: 'error' }> | undefined;
  const res = messages.find((m) => m.type === 'result') as Extract<KernelMessage, { type: 'result' }> | undefined;
  return {
    ...out,
    messages,
    stdout,
    stderr,
    streamBytes,
    error: err ? `${err.ename}: ${err.evalue}` : undefined,
    result: res ? String(res.data['text/plain'] ?? '') : undefined,
    ms: Date.now() - t0,
  };
}
