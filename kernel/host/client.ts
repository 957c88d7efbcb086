/**
 * `KernelClient`: starts a kernel process and runs cells in it over Node IPC (no network port).
 *
 *   const k = await KernelClient.start({ cwd: notebookDir });
 *   const r = await k.execute('cell-1', 'tf.ones([2]).sum()', (m) => ...);   // r.status: ok|error|interrupted|died
 *   k.interrupt(); await k.restart(); await k.shutdown();
 *
 * If the process dies (process.exit, out of memory, a native crash, a kill), the running cells resolve with
 * status 'died' and a reason (exit code or signal, and the end of the kernel's own stderr), 'exit' is emitted,
 * and the next `execute` starts a fresh kernel. The kernel leads its own process group (spawned detached); every
 * way a kernel ends (shutdown, restart, kill, its own death, this process exiting) kills the whole group, so
 * processes a cell started do not outlive it (./pgroup.ts).
 */
import { ChildProcess, spawn } from 'node:child_process';
import { EventEmitter } from 'node:events';
import * as path from 'node:path';
import type { CellLanguage, ExecuteStatus, HostMessage, KernelInfo, KernelMessage } from '../protocol';
import { kernelEnv } from './env';
import type { WidgetHostMessage } from '../widgets/protocol';
import { ExitInfo, STDERR_TAIL, describeExit, installExitHook, liveGroups } from './kernelExit';
import { killGroup } from './pgroup';

export { describeExit, killAllKernels } from './kernelExit';
export type { ExitInfo } from './kernelExit';

export interface KernelStartOptions {
  /** The notebook's folder; module imports and relative paths resolve from here. */
  cwd?: string;
  /** Preferred tfjs backend ('wasm', 'cpu', 'tensorflow', ...). */
  backend?: string;
  /** Passed to the kernel as TRAM_SEED; unset: unseeded (a TRAM_SEED in this process's environment is not inherited). */
  seed?: number;
  /** Node executable (default: the one running this code). */
  nodePath?: string;
  /** Extra environment variables (added to the allow-listed ones from this process). */
  env?: NodeJS.ProcessEnv;
  /** The kernel entry (default: out/kernel/runtime/main.js next to this file). */
  kernelMain?: string;
  /** Milliseconds to wait for the kernel to become ready (default 60000). */
  startTimeoutMs?: number;
}

export type { ExecuteStatus };
export interface ExecuteResult {
  status: ExecuteStatus;
  durationMs: number;
  reason?: string;
}

interface Pending {
  onMessage: (m: KernelMessage) => void;
  resolve: (r: ExecuteResult) => void;
  t0: number;
}

export class KernelClient extends EventEmitter {
  private proc!: ChildProcess;
  private infoValue!: KernelInfo;
  private pending = new Map<string, Pending>();
  private alive = false;
  private stderrTail = '';
  private starting: Promise<void> | undefined;
  private expectingExit = false;
  private requestSeq = 0;

  private constructor(private readonly opts: KernelStartOptions) {
    super();
  }

  static async start(opts: KernelStartOptions = {}): Promise<KernelClient> {
    const k = new KernelClient(opts);
    await k.spawnKernel();
    return k;
  }

  /** Facts from the kernel's `ready` message (backend, versions, pid, preloads). */
  get info(): KernelInfo {
    return this.infoValue;
  }

  get pid(): number | undefined {
    return this.proc?.pid;
  }

  /** True while the kernel process runs. */
  get running(): boolean {
    return this.alive;
  }

  private spawnKernel(): Promise<void> {
    const o = this.opts;
    const main = o.kernelMain ?? path.join(__dirname, '..', 'runtime', 'main.js');
    const args = [main];
    if (o.backend) args.push('--backend', o.backend);
    const extra: NodeJS.ProcessEnv = { ...(o.env ?? {}) };
    if (o.seed !== undefined) extra.TRAM_SEED = String(o.seed);
    this.stderrTail = '';
    this.expectingExit = false;
    const proc = spawn(o.nodePath ?? process.execPath, args, {
      cwd: o.cwd ?? process.cwd(),
      env: kernelEnv(process.env, extra),
      stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
      detached: process.platform !== 'win32', // a new process group led by the kernel (setsid)
    });
    this.proc = proc;
    const group = proc.pid;
    if (group) {
      liveGroups.add(group);
      installExitHook();
    }
    const keepTail = (chunk: Buffer) => {
      this.stderrTail = (this.stderrTail + chunk.toString('utf8')).slice(-STDERR_TAIL);
    };
    proc.stderr!.on('data', (c: Buffer) => { keepTail(c); this.emit('log', c.toString('utf8')); });
    proc.stdout!.on('data', (c: Buffer) => this.emit('log', c.toString('utf8')));
    const ready = new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        reject(new Error(`the kernel did not start within ${(o.startTimeoutMs ?? 60000) / 1000} s: ${this.stderrTail.trim()}`));
        if (!killGroup(group)) proc.kill('SIGKILL');
      }, o.startTimeoutMs ?? 60000);
      proc.on('message', (m: KernelMessage) => {
        if (m.type === 'ready') {
          clearTimeout(timer);
          this.infoValue = m.info;
          this.alive = true;
          resolve();
        }
        this.onKernelMessage(m);
      });
      proc.on('error', (e) => {
        clearTimeout(timer);
        reject(new Error(`could not start the kernel with ${o.nodePath ?? process.execPath}: ${e.message}`));
      });
      proc.on('exit', (code, signal) => {
        clearTimeout(timer);
        if (group) {
          killGroup(group); // whatever the cells started goes with the kernel
          liveGroups.delete(group);
        }
        const wasAlive = this.alive;
        this.alive = false;
        if (proc !== this.proc) return;
        const reason = describeExit(code, signal, this.stderrTail);
        if (!wasAlive) reject(new Error(`the kernel failed to start: ${reason}`));
        this.failPending(reason);
        if (wasAlive && !this.expectingExit) this.emit('exit', { code, signal, reason } satisfies ExitInfo);
      });
    });
    const starting = ready.finally(() => { this.starting = undefined; });
    starting.catch(() => undefined); // the caller gets the rejection from `ready`; this copy must not crash the host
    this.starting = starting;
    return ready;
  }

  private failPending(reason: string): void {
    const all = [...this.pending.values()];
    this.pending.clear();
    for (const p of all) p.resolve({ status: 'died', durationMs: performance.now() - p.t0, reason });
  }

  private onKernelMessage(m: KernelMessage): void {
    this.emit('message', m);
    if (!('cell' in m)) return;
    const p = this.pending.get(m.cell);
    if (!p) return;
    try {
      p.onMessage(m);
    } catch (e) {
      this.emit('error', e);
    }
    if (m.type === 'done') {
      this.pending.delete(m.cell);
      p.resolve({ status: m.status, durationMs: m.durationMs });
    }
  }

  private post(m: HostMessage): void {
    this.proc.send(m);
  }

  /** Ask the kernel for its info again (backend etc.). */
  async refreshInfo(): Promise<KernelInfo> {
    await this.ensureRunning();
    return new Promise((resolve) => {
      const on = (m: KernelMessage) => {
        if (m.type === 'status') {
          this.off('message', on);
          this.infoValue = m.info;
          resolve(m.info);
        }
      };
      this.on('message', on);
      this.post({ type: 'info' });
    });
  }

  private async ensureRunning(): Promise<void> {
    if (this.starting) await this.starting;
    if (!this.alive) await this.spawnKernel();
  }

  /**
   * Run `code` as cell `cell` (ids must be unique among running cells). Every message about the cell goes to
   * `onMessage`, in order; resolves when the cell is done or the kernel died.
   */
  async execute(cell: string, code: string, onMessage: (m: KernelMessage) => void, language?: CellLanguage): Promise<ExecuteResult> {
    if (this.pending.has(cell)) throw new Error(`cell '${cell}' is already running in this kernel; give each run its own id`);
    await this.ensureRunning();
    return new Promise<ExecuteResult>((resolve) => {
      this.pending.set(cell, { onMessage, resolve, t0: performance.now() });
      this.post({ type: 'execute', cell, code, language });
    });
  }

  /**
   * Sends a request message and resolves with the kernel's reply of type `replyType` carrying the same `request`
   * id. Rejects when the kernel is not running, exits first, or gives no answer within `timeoutMs` (a cell keeping
   * it busy synchronously). `what` names the request in those errors.
   */
  private request<T extends KernelMessage['type']>(
    what: string,
    replyType: T,
    send: (request: string) => HostMessage,
    timeoutMs: number,
  ): Promise<Extract<KernelMessage, { type: T }>> {
    if (!this.alive) return Promise.reject(new Error('the kernel is not running: run a cell to start it'));
    const request = `${what}-${++this.requestSeq}`;
    const proc = this.proc;
    return new Promise((resolve, reject) => {
      const done = () => {
        clearTimeout(timer);
        this.off('message', on);
        proc.off('exit', onExit);
      };
      const on = (m: KernelMessage) => {
        if (m.type !== replyType || (m as { request?: string }).request !== request) return;
        done();
        resolve(m as Extract<KernelMessage, { type: T }>);
      };
      const onExit = (code: number | null, signal: NodeJS.Signals | null) => {
        done();
        reject(new Error(`the kernel exited before answering the ${what} request: ${describeExit(code, signal, this.stderrTail)}`));
      };
      const timer = setTimeout(() => {
        done();
        reject(new Error(`the kernel did not answer the ${what} request within ${timeoutMs / 1000} s (a cell is keeping it busy)`));
      }, timeoutMs);
      this.on('message', on);
      proc.once('exit', onExit);
      this.post(send(request));
    });
  }

  /**
   * The cells' variables and tf.memory() (with the last cell's change); with `summarize`, also that tensor's
   * values summary (or `summaryError`). Answered while a cell awaits.
   */
  async variables(opts: { summarize?: string; maxValues?: number; timeoutMs?: number } = {}): Promise<Omit<Extract<KernelMessage, { type: 'variablesReply' }>, 'type' | 'request'>> {
    const m = await this.request('variables', 'variablesReply', (request) => ({ type: 'variables', request, summarize: opts.summarize, maxValues: opts.maxValues }), opts.timeoutMs ?? 10000);
    const { type: _t, request: _r, ...rest } = m;
    return rest;
  }

  /**
   * Sends a widget message (kernel/widgets/protocol.ts); the kernel answers with `widget_msg` messages (the
   * 'message' event). false when no kernel runs: a widget made by an earlier kernel is detached.
   */
  widget(m: WidgetHostMessage): boolean {
    if (!this.alive || !this.proc.connected) return false;
    this.post(m);
    return true;
  }

  /**
   * Debugging (#17): `start` opens the kernel's Node inspector on 127.0.0.1 (random port) and resolves with its
   * WebSocket URL; cells run from then on are mapped to `sourceDir/cell-<id>.ts`. `stop` closes the inspector.
   * Rejects when the kernel is not running, refuses, or does not answer within `timeoutMs` (a busy cell).
   */
  async debug(action: 'start' | 'stop', sourceDir?: string, timeoutMs = 10000): Promise<{ url?: string; port?: number }> {
    const m = await this.request('debug', 'debugReply', (request) => ({ type: 'debug', request, action, sourceDir }), timeoutMs);
    if (m.error) throw new Error(m.error);
    return { url: m.url, port: m.port };
  }

  /**
   * Stop the running cell, keeping every variable. A SIGINT stops synchronous code (a busy loop); awaited
   * code is stopped at its next await and the cell's `signal` is aborted.
   */
  interrupt(): void {
    if (!this.alive || this.pending.size === 0) return;
    const cells = new Set(this.pending.keys());
    const proc = this.proc;
    const signal = () => {
      if (process.platform === 'win32') this.post({ type: 'interrupt' });
      else proc.kill('SIGINT');
    };
    signal();
    // A signal that lands before the kernel has picked the cell up (a busy kernel still reading its queue) is
    // lost; repeat it (every 0.3 s, up to 15 times) while the same cells are still running.
    let tries = 0;
    const timer: NodeJS.Timeout = setInterval(() => {
      const still = [...cells].some((c) => this.pending.has(c));
      if (!still || !this.alive || proc !== this.proc || ++tries > 15) return clearInterval(timer);
      signal();
    }, 300);
    timer.unref();
  }

  /** Kill the process and start a fresh one (all state is lost). Running cells resolve as 'died'. */
  async restart(): Promise<void> {
    await this.stop('restarted');
    await this.spawnKernel();
  }

  /** Finish the kernel: ask it to exit, kill it after 2 s. */
  async shutdown(): Promise<void> {
    await this.stop('shut down');
  }

  /** Kill the kernel process now (SIGKILL). */
  kill(): void {
    if (this.alive && !killGroup(this.proc.pid)) this.proc.kill('SIGKILL');
  }

  private async stop(why: string): Promise<void> {
    if (this.starting) await this.starting.catch(() => undefined);
    const proc = this.proc;
    if (!proc || proc.exitCode !== null || proc.signalCode !== null) return;
    this.expectingExit = true;
    const exited = new Promise<void>((resolve) => proc.once('exit', () => resolve()));
    this.failPending(`the kernel was ${why}`);
    try {
      if (proc.connected) proc.send({ type: 'shutdown' } satisfies HostMessage);
    } catch {
      /* already gone */
    }
    const timer = setTimeout(() => { if (!killGroup(proc.pid)) proc.kill('SIGKILL'); }, 2000);
    await exited;
    clearTimeout(timer);
    this.alive = false;
  }
}
