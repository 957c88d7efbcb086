/**
 * Messages between a host (the VS Code extension, `tram run`, the Jupyter bridge) and the kernel process.
 *
 * The kernel is a separate Node process started with an IPC channel (`child_process.fork` or
 * `spawn(..., { stdio: [..., 'ipc'] })`); messages are these plain objects sent with `process.send`.
 * No network port is opened. Every message about a cell carries the `cell` id the host chose.
 */

import type { WidgetHostMessage, WidgetKernelMessage } from './widgets/protocol';

/** A cell's language: TypeScript (the default) or JavaScript (type-checked with checkJs). */
export type CellLanguage = 'typescript' | 'javascript';

/** How a cell ended in the kernel: 'interrupted' when stopped by `interrupt` (state survives). */
export type CellStatus = 'ok' | 'error' | 'interrupted';

/** How a cell ended as a host sees it: also 'died' when the kernel process exited during the cell. */
export type ExecuteStatus = CellStatus | 'died';

/** A MIME bundle, as in Jupyter: mime type to data (string, or JSON value for `+json` types). */
export type MimeBundle = Record<string, unknown>;

// ---------------------------------------------------------------- host -> kernel
export type HostMessage =
  /** Run a cell. `language` is 'typescript' (default) or 'javascript'. */
  | { type: 'execute'; cell: string; code: string; language?: CellLanguage }
  /** Stop the running cell, keeping every variable. */
  | { type: 'interrupt' }
  /** Report the backend and kernel facts again (answered with a `status` message). */
  | { type: 'info' }
  /** Completion and hover requests (optional for hosts). */
  | { type: 'complete'; request: string; code: string; position: number }
  | { type: 'inspect'; request: string; code: string; position: number }
  /**
   * The cells' variables and tf.memory() (answered with `variablesReply`, also while a cell awaits). With
   * `summarize`, also a value summary of that tensor (its first `maxValues` values, default 10).
   */
  | { type: 'variables'; request: string; summarize?: string; maxValues?: number }
  /** A widget in an output was used (kernel/widgets/protocol.ts). */
  | WidgetHostMessage
  /**
   * Debugging (#17): `start` opens the Node inspector on 127.0.0.1 with a random port (answered with its URL)
   * and maps the cells run from then on to files `sourceDir/cell-<id>.ts`; `stop` closes it.
   */
  | { type: 'debug'; request: string; action: 'start' | 'stop'; sourceDir?: string }
  /** Finish cleanly. */
  | { type: 'shutdown' };

// ---------------------------------------------------------------- kernel -> host
export interface KernelInfo {
  /** tfjs backend in use: 'tensorflow' (native, CPU or GPU), 'wasm', 'cpu'. */
  backend: string;
  /** Human-readable: which backend, and why the others were not used. */
  backendDetail: string;
  /** true when the native backend runs on a GPU. */
  gpu: boolean;
  tfjsVersion: string;
  nodeVersion: string;
  pid: number;
  /** Names preloaded as globals in cells (tf, display, progress, ...). Optional: added after the first version. */
  preloads?: string[];
  /** TRAM_SEED in use (Math.random seeded, see kernel/runtime/seed.ts); absent when unseeded. */
  seed?: number;
  /** Problems met while preloading (a module that failed to load), shown to the user. */
  warnings?: string[];
}

export type KernelMessage =
  /** Sent once when the kernel can take cells, and in answer to `info`. */
  | { type: 'ready'; info: KernelInfo }
  | { type: 'status'; info: KernelInfo }
  /** stdout / stderr text produced while `cell` ran, in order. */
  | { type: 'stream'; cell: string; name: 'stdout' | 'stderr'; text: string }
  /**
   * A rich output. With `displayId`, later messages with `update: true` and the same id replace it
   * in place (progress bars, live charts).
   */
  | { type: 'display'; cell: string; data: MimeBundle; metadata?: Record<string, unknown>; displayId?: string; update?: boolean }
  /** The value of the cell's last expression. */
  | { type: 'result'; cell: string; data: MimeBundle }
  /** A compile (type) error or a runtime error. `traceback` lines refer to cell lines. */
  | { type: 'error'; cell: string; ename: string; evalue: string; traceback: string[] }
  /** The cell finished. `status` 'interrupted' when stopped by `interrupt`. */
  | { type: 'done'; cell: string; status: CellStatus; durationMs: number }
  | { type: 'completeReply'; request: string; matches: string[]; start: number; end: number }
  | { type: 'inspectReply'; request: string; found: boolean; text: string }
  /** `summary` when asked for and possible, else `summaryError` says why (not a tensor, disposed, ...). */
  | { type: 'variablesReply'; request: string; variables: VariableInfo[]; memory: MemoryInfo; summary?: TensorSummary; summaryError?: string }
  /** A widget's new view, or why a widget message was refused (kernel/widgets/protocol.ts). */
  | WidgetKernelMessage
  /** Answer to `debug`: the inspector's WebSocket URL and port after `start`; `error` when it failed. */
  | { type: 'debugReply'; request: string; url?: string; port?: number; error?: string };

/** One variable of the cells (kernel/runtime/variables.ts). Preloaded globals are left out. */
export interface VariableInfo {
  name: string;
  kind: 'tensor' | 'model' | 'function' | 'value';
  /** 'Tensor', 'Variable', 'Sequential', 'number', 'Array(3)', a class name, ... */
  type: string;
  /** Tensors: dtype, shape, bytes (size x bytes per element; absent for strings) and whether disposed. */
  dtype?: string;
  shape?: number[];
  bytes?: number;
  disposed?: boolean;
  /** Models: parameter counts (total and trainable) and number of layers. */
  params?: number;
  trainableParams?: number;
  layers?: number;
  /** Numbers, booleans, bigints and (shortened, quoted) strings. */
  preview?: string;
}

/** tf.memory() now, and the change the last finished cell made to it (a leak shows as tensors > 0). */
export interface MemoryInfo {
  numTensors: number;
  numBytes: number;
  lastCell?: { cell: string; tensors: number; bytes: number };
}

/** NaN and ±Infinity are sent as the strings 'NaN', 'Infinity', '-Infinity' (JSON has no such numbers). */
export type SummaryNumber = number | string;

/** Values of one numeric tensor: min/max ignore NaN, mean is over the finite values; `first` in row-major order. */
export interface TensorSummary {
  name: string;
  dtype: string;
  shape: number[];
  size: number;
  first: SummaryNumber[];
  /** Absent for an empty tensor. */
  min?: SummaryNumber;
  max?: SummaryNumber;
  mean?: SummaryNumber;
  nanCount?: number;
  nonFiniteCount?: number;
}

/** Custom MIME type of a chart: a chart.js configuration (JSON), drawn by the extension's renderer. */
export const CHART_MIME = 'application/vnd.tram.chart+json';
