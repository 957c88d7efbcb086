/** The shape of one run's results (the JSON file) and the goals checked against them. */
import type { MachineInfo } from './machine';
import type { Schedule } from './timing';
import type { DisplayOverhead } from './kernelside';
import type { EditorFigures } from './editor';

export interface Meta {
  date: string;
  command: string;
  quick: boolean;
  machine: MachineInfo;
  versions: Record<string, string | null>;
  git: string | null;
  /** backends measured, and why each other one was not */
  backends: { measured: string[]; skipped: Record<string, string> };
  notes: string[];
  durationS?: number;
  /** 1-minute load average when the run ended */
  loadAtEnd?: number;
  /** seconds per section */
  sectionsS?: Record<string, number>;
}

/** One model on one backend: every method's median step time and the ratios of the issue. */
export interface StepCost {
  backend: string;
  model: string;
  description: string;
  params: number;
  batch: number;
  schedule: Schedule;
  /** 'cpu' (process CPU time) or 'wall' */
  clock?: string;
  /** median ms per step, by method id */
  ms: Record<string, number>;
  /** relative spread (MAD / median) of each method's per-round times */
  spread: Record<string, number>;
  /** paired ratio method / base, by method id */
  vsBase: Record<string, number>;
  /** paired ratio TRAM-<target> / ASAM, by TRAM method id */
  tramOverAsam: Record<string, number>;
  tramFisherOverFisherSam: number;
  /** reference ratios (library overhead, TRAM-Fisher without its reporting pass) */
  extraRatios: Record<string, number>;
  /** pass costs on the same model and batch */
  passes: { forwardMs: number; forwardBackwardMs: number; floorTramOverAsam: number; floorSamOverBase: number };
  /** tf.memory().numTensors growth over all measured steps, by method id (0 = no leak) */
  tensorGrowth: Record<string, number>;
  /** kernels run by one step of each method (tf.profile), and by one forward pass ('forward') */
  kernels: Record<string, { matMul: number; total: number; kernelMs?: number; timeMs: Record<string, number> }>;
}

export interface BackendSpeed {
  model: string;
  batch: number;
  /** median ms per step by "<backend>[/variant] <method>" */
  ms: Record<string, number>;
  /** named ratios, e.g. "wasm default / wasm fast (base)" */
  ratios: Record<string, number>;
  notes: string[];
}

export interface PyTorchSide {
  available: boolean;
  reason?: string;
  torch?: string;
  /** the Python that ran bench/pytorch/step.py (the venv of scripts/setup-torch.sh, or Debian's) */
  python?: string;
  rows: Array<{
    backend: string;
    /** threads of both sides: PyTorch's torch.get_num_threads(), and ours (wasm 1; native as set for the process) */
    threads: number;
    /** what was timed on both sides: process CPU time, or wall time */
    clock?: 'cpu' | 'wall';
    model: string;
    batch: number;
    method: string;
    oursMs: number;
    torchMs: number;
    /** ours / PyTorch, paired by round */
    ratio: number;
  }>;
  /** one matrix product, ours vs torch.mm */
  matMul?: Array<{ backend: string; threads: number; clock?: 'cpu' | 'wall'; shape: string; oursMs: number; torchMs: number; ratio: number }>;
}

export interface KernelSide {
  coldStartMs?: number;
  trivialCellMs?: number;
  trivialCellP90Ms?: number;
  /** median round trip of a cell declaring a variable */
  declareCellMs?: number;
  kernelNotes: string[];
  chartRenderMs?: number;
  chartPoints?: number;
  display?: DisplayOverhead;
}

export interface Memory {
  steps: number;
  /** steps run before the first reading */
  warmup: number;
  model: string;
  backend: string;
  numTensorsStart: number;
  numTensorsEnd: number;
  rssStartMiB: number;
  rssEndMiB: number;
  rssGrowth: number;
  /** RSS sampled along the run, [step, MiB] */
  rssTrace: Array<[number, number]>;
}

export interface Growth {
  backend: string;
  method: string;
  axis: 'batch' | 'width';
  points: Array<{ value: number; baseMs: number; tramMs: number; ratio: number }>;
}

export interface Goal {
  goal: string;
  where: string;
  value: number;
  limit: number;
  met: boolean;
}

export interface Results {
  meta: Meta;
  stepCost: StepCost[];
  backendSpeed?: BackendSpeed;
  pytorch?: PyTorchSide;
  kernel?: KernelSide;
  memory?: Memory;
  /** IntelliSense latency in notebook cells (bench/editor.ts, #11) */
  editor?: EditorFigures;
  growth: Growth[];
  goals: Goal[];
}
