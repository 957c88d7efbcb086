/**
 * The kernel: one TypeScript session (tslab's converter, our executor) with the preloads, output capture,
 * display, progress and interrupt wired together. Hosts talk to it through `send` (the kernel -> host
 * messages of `kernel/protocol.ts`); the IPC entry (main.ts) and the Jupyter bridge both drive this class.
 */
import * as path from 'node:path';
import type { KernelInfo, KernelMessage, MemoryInfo, TensorSummary, VariableInfo } from '../protocol';
import { CellContext, currentContext, installTimerGuards } from './context';
import { maxOutputBytes, StreamCapture } from './streams';
import { DisplayHandle, flushDisplays, setDisplaySink } from './display';
import { Progress } from './progress';
import { toBundle } from './format';
import { buildGlobals, Globals } from './globals';
import { selectBackend } from './backend';
import { CellExecutor, isInterruption, Language } from './executor';
import { installSeed } from './seed';
import { describeVariables, MemoryTracker, summarizeTensor } from './variables';
import { cellScope } from './context';
import { handleWidgetMessage, setWidgetHost, widgetOutput } from '../widgets/registry';

/** Cell ids of widget callbacks: `widget:<id>`; what they print goes to the widget, not to a cell. */
const WIDGET_CELL = 'widget:';
import { CellDebugger } from './debug';

export interface RuntimeOptions {
  /** The notebook's folder: modules and files resolve from here (default process.cwd()). */
  cwd?: string;
  /** Preferred tfjs backend ('wasm', 'cpu', 'tensorflow', ...). */
  backend?: string;
  send: (m: KernelMessage) => void;
}

import type { CellStatus } from '../protocol';
export type { CellStatus };

export class KernelRuntime {
  private current: CellContext | undefined;
  private lastCell = '';
  private queue: Promise<unknown> = Promise.resolve();
  /** Background errors raised while no cell ran: shown on the next cell. */
  private pendingBackground: string[] = [];
  private readonly memory: MemoryTracker;
  /** The inspector on demand and the cells' source maps while debugging (./debug.ts). */
  readonly debugger = new CellDebugger();

  private constructor(
    readonly info: KernelInfo,
    readonly globals: Globals,
    private readonly executor: CellExecutor,
    private readonly streams: StreamCapture,
    private readonly send: (m: KernelMessage) => void,
  ) {
    this.memory = new MemoryTracker(this.tf);
    executor.annotate = (cell, code, compiled, map, file) => this.debugger.annotate(cell, code, compiled, map, file);
  }

  private get tf(): typeof import('@tensorflow/tfjs') {
    return this.globals.values.tf as typeof import('@tensorflow/tfjs');
  }

  static async create(opts: RuntimeOptions): Promise<KernelRuntime> {
    const cwd = path.resolve(opts.cwd ?? process.cwd());
    const seed = installSeed(); // before tfjs loads: every unseeded draw comes from the seeded Math.random
    installTimerGuards();
    let cellOf: () => string = () => '';
    const cap = maxOutputBytes(process.env, (m) => process.stderr.write(`tram kernel: ${m}`));
    const toWidget = (cell: string, text: string) => widgetOutput(cell.slice(WIDGET_CELL.length), text);
    const streams = new StreamCapture(
      (cell, name, text) => (cell.startsWith(WIDGET_CELL) ? toWidget(cell, text) : opts.send({ type: 'stream', cell, name, text })),
      () => cellOf(),
      cap,
    );
    streams.install();
    // eslint-disable-next-line @typescript-eslint/no-var-requires
    let tf = require('@tensorflow/tfjs') as typeof import('@tensorflow/tfjs');
    const choice = await selectBackend(tf, opts.backend, cwd);
    if (choice.tfModule) {
      try {
        const mod = require(choice.tfModule);
        if (typeof mod.tensor === 'function') tf = mod; // tfjs-node re-exports tfjs (same core) plus tf.node
      } catch {
        /* keep @tensorflow/tfjs */
      }
    }
    const tfDir = path.dirname(require.resolve('@tensorflow/tfjs/package.json'));
    const globals = buildGlobals(tf, tfDir, cwd);
    const executor = new CellExecutor(cwd, globals);
    executor.warmUp();
    const info: KernelInfo = {
      backend: choice.name,
      backendDetail: choice.detail,
      gpu: choice.gpu,
      tfjsVersion: String((tf as unknown as { version: Record<string, string> }).version?.['tfjs'] ?? tf.version_core),
      nodeVersion: process.version,
      pid: process.pid,
      preloads: globals.preloads,
      seed,
      warnings: globals.warnings,
    };
    const rt = new KernelRuntime(info, globals, executor, streams, opts.send);
    cellOf = () => currentContext()?.cell ?? rt.current?.cell ?? rt.lastCell;
    setDisplaySink((data, displayId, update) => {
      streams.flush();
      const cell = cellOf();
      if (cell.startsWith(WIDGET_CELL)) toWidget(cell, `${String(data['text/plain'] ?? '<display>')}\n`);
      else opts.send({ type: 'display', cell, data, displayId, update });
    });
    setWidgetHost({ send: (m) => opts.send(m), run: (id, fn) => rt.runWidgetCallback(id, fn) });
    process.on('SIGINT', () => rt.interrupt());
    process.on('exit', () => streams.flush()); // a cell calling process.exit(): deliver what it printed
    rt.installBackgroundErrorHandlers();
    return rt;
  }

  /** Run a cell after the ones already queued. Messages go out through `send`; resolves with the status. */
  execute(cell: string, code: string, language: Language = 'typescript'): Promise<CellStatus> {
    const run = this.queue.then(() => this.runCell(cell, code, language));
    this.queue = run.catch(() => undefined);
    return run;
  }

  /** A host→kernel widget message (kernel/widgets): answered with `widget_msg` messages, never a throw. */
  widget(m: unknown): Promise<void> {
    return handleWidgetMessage(m);
  }

  /**
   * Runs a widget callback like a cell: after the cells already queued, with its own AbortSignal (`signal`),
   * stopped by interrupt; what it prints goes to the widget. Rejects with what the callback threw.
   */
  runWidgetCallback(id: string, fn: () => unknown): Promise<void> {
    const run = this.queue.then(async () => {
      const ctx = new CellContext(`${WIDGET_CELL}${id}`);
      this.current = ctx;
      try {
        await Promise.race([cellScope.run(ctx, async () => fn()), ctx.interrupted]);
      } finally {
        this.streams.flush();
        flushDisplays();
        if (this.current === ctx) this.current = undefined;
      }
    });
    this.queue = run.catch(() => undefined);
    return run;
  }

  /** Stop the running cell (variables are kept). */
  interrupt(): void {
    this.current?.interrupt();
  }

  complete(code: string, position: number) {
    return this.executor.complete(code, position);
  }

  inspect(code: string, position: number) {
    return this.executor.inspect(code, position);
  }

  /** The cells' variables (preloads left out), tf.memory() with the last cell's change, and optionally one tensor's summary. */
  variables(summarize?: string, maxValues?: number): { variables: VariableInfo[]; memory: MemoryInfo; summary?: TensorSummary; summaryError?: string } {
    const variables = describeVariables(this.executor.locals, this.globals.values, this.tf);
    const out: { variables: VariableInfo[]; memory: MemoryInfo; summary?: TensorSummary; summaryError?: string } = { variables, memory: this.memory.info() };
    if (summarize !== undefined) {
      try {
        const d = Object.getOwnPropertyDescriptor(this.executor.locals, summarize);
        out.summary = summarizeTensor(d && 'value' in d ? d.value : undefined, summarize, this.tf, maxValues);
      } catch (e) {
        out.summaryError = e instanceof Error ? e.message : String(e);
      }
    }
    return out;
  }

  private readonly onBackgroundError = (e: unknown) => this.reportBackgroundError(e);

  /**
   * Errors thrown by work a cell left behind (a timer callback, a promise nobody awaited) must not end the
   * process. Node ends it when an 'uncaughtException' listener throws, and the wasm backend (Emscripten) adds
   * listeners that rethrow; so the kernel takes uncaught exceptions through the capture callback (which replaces
   * the 'uncaughtException' event) and keeps only its own 'unhandledRejection' listener.
   */
  private installBackgroundErrorHandlers(): void {
    try {
      process.setUncaughtExceptionCaptureCallback(null);
      process.setUncaughtExceptionCaptureCallback(this.onBackgroundError);
    } catch {
      process.on('uncaughtException', this.onBackgroundError); // a domain owns the capture callback
    }
    this.keepOwnRejectionHandlers();
  }

  /** Drop 'uncaughtException' / 'unhandledRejection' listeners added by libraries (they may rethrow). */
  private keepOwnRejectionHandlers(): void {
    for (const event of ['uncaughtException', 'unhandledRejection'] as const) {
      const emitter = process as NodeJS.EventEmitter;
      for (const l of emitter.listeners(event)) {
        if (l !== this.onBackgroundError) emitter.removeListener(event, l as (...a: unknown[]) => void);
      }
    }
    if (!process.listeners('unhandledRejection').includes(this.onBackgroundError)) process.on('unhandledRejection', this.onBackgroundError as (reason: unknown) => void);
  }

  /** Output of work a cell left running (a timer, a promise), reported on stderr of that cell. */
  private reportBackgroundError(e: unknown): void {
    try {
      if (isInterruption(e)) return;
      const err = this.executor.runtimeError(e);
      // A thrown non-Error is already labelled 'Uncaught' by runtimeError: do not say it twice.
      const text = `${err.ename === 'Uncaught' ? '' : 'Uncaught '}${err.traceback.join('\n')}\n`;
      const origin = currentContext();
      // The cell that started the work if it still runs, else the cell running now, else the next one.
      const target = origin && origin === this.current ? origin.cell : this.current?.cell;
      if (target) this.streams.write('stderr', text, target);
      else this.pendingBackground.push(origin ? `(from cell ${origin.cell}, after it finished) ${text}` : text);
    } catch (inner) {
      this.streams.raw('stderr', `tram kernel: could not report a background error: ${(inner as Error)?.stack ?? inner}\n`);
    }
  }

  private async runCell(cell: string, code: string, language: Language): Promise<CellStatus> {
    const ctx = new CellContext(cell);
    this.current = ctx;
    this.streams.beginCell(cell);
    this.keepOwnRejectionHandlers(); // a backend loaded by the previous cell may have added rethrowing ones
    for (const text of this.pendingBackground.splice(0)) this.streams.write('stderr', text, cell);
    const t0 = performance.now();
    this.memory.cellStarted();
    let status: CellStatus;
    try {
      const outcome = await this.executor.run(ctx, code, language);
      // A promise the cell rejected and left unawaited is reported after the microtask queue drains: let that
      // happen while this cell is still the current one, so the rejection lands on it, not on the next cell.
      await new Promise((resolve) => setImmediate(resolve));
      status = outcome.status;
      this.streams.endCell(cell);
      flushDisplays();
      if (outcome.status === 'ok' && outcome.hasValue && !isQuietValue(outcome.value)) {
        let data;
        try {
          data = toBundle(outcome.value);
        } catch (e) {
          data = { 'text/plain': `<value could not be shown: ${(e as Error).message}>` };
        }
        this.send({ type: 'result', cell, data });
      } else if (outcome.error) {
        this.send({ type: 'error', cell, ...outcome.error });
      } else if (outcome.status === 'interrupted') {
        this.send({ type: 'error', cell, ename: 'Interrupted', evalue: 'the cell was interrupted; variables are kept', traceback: ['Interrupted: the cell was interrupted; variables are kept'] });
      }
    } catch (e) {
      // A failure of the kernel itself (the converter, a formatter): report it on the cell.
      status = 'error';
      this.streams.endCell(cell);
      const err = this.executor.runtimeError(e);
      this.send({ type: 'error', cell, ename: `KernelError: ${err.ename}`, evalue: err.evalue, traceback: err.traceback });
    } finally {
      this.current = undefined;
      this.lastCell = cell;
      this.memory.cellFinished(cell);
    }
    this.send({ type: 'done', cell, status, durationMs: performance.now() - t0 });
    return status;
  }
}

/** Values not worth echoing when they end a cell: `display(...)` and `progress(...)` handles. */
function isQuietValue(v: unknown): boolean {
  return v instanceof DisplayHandle || v instanceof Progress;
}
