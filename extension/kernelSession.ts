/**
 * One kernel process for one notebook: starts it on first use, runs cells one at a time in the order they
 * were asked for, and tracks its state (starting / idle / busy / dead) for the status bar.
 *
 * Interrupt stops the running cell (the kernel keeps every variable) and drops the cells still waiting, as
 * Jupyter does. Restart replaces the process; a dead process is replaced on the next run.
 * Independent of VS Code: the client factory is injected (tests pass a fake one).
 */
import type { CellLanguage as Language, ExecuteStatus, KernelInfo, KernelMessage, MemoryInfo, TensorSummary, VariableInfo } from '../kernel/protocol';
import type { WidgetHostMessage, WidgetKernelMessage } from '../kernel/widgets/protocol';

/** The answer to a `variables` request (KernelClient.variables). */
export interface VariablesResult {
  variables: VariableInfo[];
  memory: MemoryInfo;
  summary?: TensorSummary;
  summaryError?: string;
}

export type KernelState = 'stopped' | 'starting' | 'idle' | 'busy' | 'dead';

export type { Language };

export interface ExecuteOutcome {
  status: ExecuteStatus;
  durationMs: number;
  reason?: string;
}

/** What the session needs of `KernelClient` (kernel/host/client.ts). */
export interface ClientLike {
  readonly info: KernelInfo;
  execute(cellId: string, code: string, onMessage: (m: KernelMessage) => void, language?: Language): Promise<ExecuteOutcome>;
  interrupt(): unknown;
  restart(): Promise<unknown>;
  shutdown(): Promise<unknown> | unknown;
  on(event: 'exit' | 'message', listener: (...args: unknown[]) => void): unknown;
  /** Optional: widget messages to the kernel (false when it does not run). */
  widget?(m: WidgetHostMessage): boolean;
  /** Optional: fakes in tests may leave it out. */
  variables?(opts?: { summarize?: string; maxValues?: number }): Promise<VariablesResult>;
  /** Optional: the kernel's inspector on demand (Debug Cell, extension/debug/). */
  debug?(action: 'start' | 'stop', sourceDir?: string): Promise<{ url?: string; port?: number }>;
}

/** A run that never reached the kernel: dropped by an interrupt or restart while it waited. */
export const CANCELLED: ExecuteOutcome = { status: 'interrupted', durationMs: 0, reason: 'cancelled before it started' };

export class KernelSession {
  private client: ClientLike | undefined;
  private starting: Promise<ClientLike> | undefined;
  private queue: Promise<unknown> = Promise.resolve();
  /** Bumped by interrupt and restart: runs queued under an older generation are dropped. */
  private generation = 0;
  private stopping = false;
  private _state: KernelState = 'stopped';
  private _lastError: string | undefined;
  /** Cells run on the current kernel process (Jupyter's execution count): back to 0 when a new process starts. */
  private executions = 0;
  private readonly listeners = new Set<(s: KernelSession) => void>();

  constructor(private readonly startClient: () => Promise<ClientLike>) {}

  get state(): KernelState {
    return this._state;
  }
  get info(): KernelInfo | undefined {
    return this.client?.info;
  }
  /** Why the kernel is dead or could not start. */
  get lastError(): string | undefined {
    return this._lastError;
  }

  onDidChangeState(listener: (s: KernelSession) => void): { dispose(): void } {
    this.listeners.add(listener);
    return { dispose: () => this.listeners.delete(listener) };
  }

  private setState(state: KernelState): void {
    if (this._state === state) return;
    this._state = state;
    for (const l of [...this.listeners]) l(this);
  }

  /** The running client, starting one when there is none (or the last one died). */
  async ensureStarted(): Promise<ClientLike> {
    if (this.client && this._state !== 'dead') return this.client;
    if (!this.starting) {
      this.client = undefined;
      this.setState('starting');
      this.starting = this.startClient().then(
        (client) => {
          this.client = client;
          this.executions = 0;
          this._lastError = undefined;
          client.on('exit', (...args: unknown[]) => this.onExit(client, args));
          client.on('message', (m: unknown) => {
            if ((m as KernelMessage)?.type === 'widget_msg' && client === this.client) {
              for (const l of [...this.widgetListeners]) l(m as WidgetKernelMessage);
            }
          });
          this.setState('idle');
          return client;
        },
        (err: unknown) => {
          this._lastError = err instanceof Error ? err.message : String(err);
          this.setState('dead');
          throw err;
        },
      );
      this.starting.then(
        () => (this.starting = undefined),
        () => (this.starting = undefined),
      );
    }
    return this.starting;
  }

  private onExit(client: ClientLike, args: unknown[]): void {
    if (client !== this.client || this.stopping) return;
    const [code, signal] = args;
    this._lastError = `the kernel process exited (${signal ? `signal ${String(signal)}` : `code ${String(code)}`})`;
    this.setState('dead');
  }

  /**
   * Runs a cell after the ones already queued; `onStart` runs just before the kernel gets it, with the cell's
   * execution count on this kernel process (1, 2, … ; a restarted or replaced kernel starts again at 1), and not
   * at all when the run is dropped: the result is then `CANCELLED`. Rejects only when the kernel cannot start.
   */
  run(
    cellId: string,
    code: string,
    language: Language,
    onMessage: (m: KernelMessage) => void,
    onStart: (executionCount: number) => unknown = () => undefined,
  ): Promise<ExecuteOutcome> {
    const gen = this.generation;
    const task = this.queue.then(async (): Promise<ExecuteOutcome> => {
      if (gen !== this.generation) return CANCELLED;
      const client = await this.ensureStarted();
      if (gen !== this.generation) return CANCELLED;
      await onStart(++this.executions);
      this.setState('busy');
      try {
        const outcome = await client.execute(cellId, code, onMessage, language);
        if (outcome.status === 'died') {
          this._lastError = outcome.reason ?? this._lastError ?? 'the kernel process exited';
          this.setState('dead');
        }
        return outcome;
      } finally {
        if (this._state === 'busy') this.setState('idle');
      }
    });
    this.queue = task.catch(() => undefined);
    return task;
  }

  /**
   * The kernel's variables (and a tensor's summary with `summarize`); undefined when no kernel runs (never
   * started, dead, restarting). Does not start a kernel.
   */
  async variables(opts?: { summarize?: string; maxValues?: number }): Promise<VariablesResult | undefined> {
    const client = this.client;
    if (!client?.variables || (this._state !== 'idle' && this._state !== 'busy')) return undefined;
    return client.variables(opts);
  }

  private readonly widgetListeners = new Set<(m: WidgetKernelMessage) => void>();

  /** Widget messages from the running kernel (views and refusals, kernel/widgets/protocol.ts). */
  onWidgetMessage(listener: (m: WidgetKernelMessage) => void): { dispose(): void } {
    this.widgetListeners.add(listener);
    return { dispose: () => this.widgetListeners.delete(listener) };
  }

  /** The kernel process now running (its pid), if any: widgets from another pid are detached. */
  get kernelPid(): number | undefined {
    return this.client && (this._state === 'idle' || this._state === 'busy') ? this.client.info?.pid : undefined;
  }

  /**
   * Sends a widget message to the running kernel; false (nothing sent) when no kernel runs. Never starts one: a
   * widget outlives its kernel only as a detached output.
   */
  widget(m: WidgetHostMessage): boolean {
    const client = this.client;
    if (!client?.widget || (this._state !== 'idle' && this._state !== 'busy')) return false;
    return client.widget(m);
  }

  /**
   * Opens (`start`, with the folder cells are mapped to) or closes (`stop`) the kernel's inspector; `start`
   * resolves with its WebSocket URL. Rejects when no kernel runs or it cannot debug.
   */
  async debug(action: 'start' | 'stop', sourceDir?: string): Promise<{ url: string }> {
    const client = this.client;
    if (!client || this._state === 'dead' || this._state === 'stopped') throw new Error('the kernel is not running');
    if (!client.debug) throw new Error('this kernel cannot be debugged');
    const r = await client.debug(action, sourceDir);
    if (action === 'start' && !r.url) throw new Error('the kernel did not say where its inspector listens');
    return { url: r.url ?? '' };
  }

  /** Stops the running cell (state survives) and drops the queued ones. */
  interrupt(): void {
    this.generation++;
    if (this.client && this._state === 'busy') this.client.interrupt();
  }

  /** A fresh kernel process: every variable is gone. Queued cells are dropped. */
  async restart(): Promise<void> {
    this.generation++;
    const client = this.client;
    if (!client || this._state === 'dead') {
      await this.ensureStarted();
      return;
    }
    this.stopping = true;
    this.setState('starting');
    try {
      await client.restart();
      this.executions = 0;
      this._lastError = undefined;
      this.setState('idle');
    } catch (err) {
      this._lastError = err instanceof Error ? err.message : String(err);
      this.setState('dead');
      throw err;
    } finally {
      this.stopping = false;
    }
  }

  async shutdown(): Promise<void> {
    this.generation++;
    const client = this.client;
    this.client = undefined;
    this.stopping = true;
    try {
      if (client) await client.shutdown();
    } finally {
      this.stopping = false;
      this.setState('stopped');
    }
  }
}
