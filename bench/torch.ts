/**
 * Side by side with PyTorch: the same model, batch size and method stepped in PyTorch on CPU
 * (bench/pytorch/step.py, driven line by line) and in our library, interleaved round by round, so that
 * ours / PyTorch's is a paired ratio from one run.
 */
import { spawn, spawnSync, type ChildProcessWithoutNullStreams } from 'node:child_process';
import * as path from 'node:path';
import * as readline from 'node:readline';
import * as tf from '@tensorflow/tfjs';
import { buildModel, defaultBatch, randomBatch, type ModelSpec } from './models';
import { methodById } from './methods';
import { stepCandidate } from './stepcost';
import { clockFor, interleave, medianMs, pairedRatio, type Candidate, type Clock, type Schedule } from './timing';
import type { PyTorchSide } from './results';

const root = path.resolve(__dirname, '..', '..');
const script = path.join(root, 'bench', 'pytorch', 'step.py');

/**
 * Pythons that may run step.py, in order: the PyTorch 2.x venv of scripts/setup-torch.sh (under $TRAM_CACHE_DIR or
 * .cache/), then Debian's /usr/bin/python3 (python3-torch 1.13).
 */
export function torchPythons(): string[] {
  const cache = process.env.TRAM_CACHE_DIR || path.join(root, '.cache');
  return [path.join(cache, 'torch-venv', 'bin', 'python'), '/usr/bin/python3'];
}

/** The Python in use (set by torchUnavailable). */
export let PYTHON = torchPythons()[0];

/** null when one of `torchPythons()` can import torch (that one is used from then on), else why none can. */
export function torchUnavailable(): string | null {
  const why: string[] = [];
  for (const py of torchPythons()) {
    const r = spawnSync(py, ['-c', 'import torch; print(torch.__version__)'], { encoding: 'utf8', timeout: 60_000 });
    if (r.error) { why.push(`${py} not runnable (${(r.error as NodeJS.ErrnoException).code ?? r.error.message})`); continue; }
    if (r.status !== 0) { why.push(`${py} cannot import torch (${(r.stderr || '').trim().split('\n').pop()})`); continue; }
    PYTHON = py;
    return null;
  }
  return `${why.join('; ')}. Run scripts/setup-torch.sh (PyTorch 2.13 in .cache/torch-venv), or install Debian's python3-torch`;
}

/** A running step.py. */
class TorchProcess {
  private readonly proc: ChildProcessWithoutNullStreams;
  private readonly lines: AsyncIterableIterator<string>;
  private stderr = '';
  constructor(threads: number) {
    // `threads` for PyTorch and its BLAS: 1 beside wasm (single-threaded), all cores beside native. With one
    // thread there is no OpenBLAS pool: its idle threads spin, which inflates the process CPU time by up to 5×
    // on a loaded machine.
    const t = String(threads);
    const env = { ...process.env, OPENBLAS_NUM_THREADS: t, OMP_NUM_THREADS: t, MKL_NUM_THREADS: t };
    this.proc = spawn(PYTHON, [script], { stdio: ['pipe', 'pipe', 'pipe'], env });
    this.proc.stderr.on('data', (d) => { this.stderr += String(d); });
    this.lines = readline.createInterface({ input: this.proc.stdout })[Symbol.asyncIterator]();
  }
  async call<T>(req: Record<string, unknown>): Promise<T> {
    this.proc.stdin.write(JSON.stringify(req) + '\n');
    const next = await this.lines.next();
    if (next.done) throw new Error(`bench/pytorch/step.py exited: ${this.stderr.trim().split('\n').slice(-3).join(' | ')}`);
    return JSON.parse(next.value) as T;
  }
  close(): void {
    this.proc.stdin.end(JSON.stringify({ op: 'quit' }) + '\n');
  }
}

export const torchMethods = ['base', 'asam', 'tram-x'];

interface Reply {
  ms: number;
  cpu_ms: number;
}

/** PyTorch's own figure on the clock ours is measured with (its process CPU time, or wall time). */
function pick(r: Reply, clock: Clock): number {
  return clock === 'cpu' ? r.cpu_ms : r.ms;
}

/**
 * One matrix product [m,k]·[k,n] (the MLP's first layer in the forward pass), ours on the current backend vs
 * torch.mm, interleaved: the kernel-level part of the step ratio.
 */
export async function compareMatMul(out: PyTorchSide, backend: string, m: number, k: number, n: number, sch: Schedule, threads = 1,
  clock: Clock = clockFor(backend)): Promise<void> {
  const py = new TorchProcess(threads);
  try {
    await py.call({ op: 'setup', spec: { kind: 'mlp', input: 4, hidden: [4], classes: 2 }, batch: 2, methods: [], lr: 1e-3, threads,
      asam: { rho: 0.5, eta: 0.01 }, tram: { sigma: 0.1, eta: 0.01 } });
    const a = tf.randomNormal([m, k]);
    const b = tf.randomNormal([k, n]);
    const t = await interleave([
      {
        name: 'ours',
        run(reps) {
          for (let i = 0; i < reps; i++) {
            const c = tf.matMul(a, b);
            if (i === reps - 1) c.dataSync();
            c.dispose();
          }
        },
      },
      { name: 'torch', run: async (reps) => pick(await py.call<Reply>({ op: 'matmul', m, k, n, reps }), clock) },
    ], sch, clock);
    tf.dispose([a, b]);
    out.matMul = out.matMul ?? [];
    out.matMul.push({ backend, threads, clock, shape: `[${m},${k}]·[${k},${n}]`, oursMs: medianMs(t, 'ours'), torchMs: medianMs(t, 'torch'), ratio: pairedRatio(t, 'ours', 'torch') });
  } finally {
    py.close();
  }
}

/**
 * The two products the report compares with `torch.mm`: the MLP's first layer ([64,784]·[784,256], the arithmetic),
 * and [1,1]·[1,1], which is all dispatch (what one eager op costs beside its arithmetic).
 */
export async function compareProducts(out: PyTorchSide, backend: string, quick: boolean, threads = 1,
  clock: Clock = clockFor(backend)): Promise<void> {
  await compareMatMul(out, backend, defaultBatch.mlp, 784, 256, { warmup: 20, rounds: quick ? 3 : 7, stepsPerRound: 50 }, threads, clock);
  await compareMatMul(out, backend, 1, 1, 1, { warmup: 200, rounds: quick ? 3 : 7, stepsPerRound: 500 }, threads, clock);
}

/** Paired rounds of ours vs PyTorch for each method on one model; appends rows to `out`. */
export async function compareWithTorch(out: PyTorchSide, backend: string, model: string, spec: ModelSpec,
  batchSize: number, sch: Schedule, log: (s: string) => void, threads = 1, clock: Clock = clockFor(backend)): Promise<void> {
  const py = new TorchProcess(threads);
  try {
    const info = await py.call<{ torch: string; threads: number }>({
      op: 'setup', spec, batch: batchSize, methods: torchMethods, seed: 1, lr: 1e-3, threads,
      asam: { rho: 0.5, eta: 0.01 }, tram: { sigma: 0.1, eta: 0.01 },
    });
    out.torch = info.torch;
    out.python = PYTHON;
    const init = buildModel(spec);
    const batch = randomBatch(spec, batchSize);
    const growth: Record<string, number> = {};
    const ours = torchMethods.map((id) => stepCandidate(`ours:${id}`, spec, init, methodById(id), batch, growth));
    const theirs: Candidate[] = torchMethods.map((id) => ({
      name: `torch:${id}`,
      run: async (n: number) => pick(await py.call<Reply>({ op: 'run', method: id, steps: n }), clock),
    }));
    log(`  ${backend} ${model}: ours vs PyTorch ${info.torch} (${info.threads} thread${info.threads > 1 ? 's' : ''}), ${sch.rounds} rounds`);
    // Ours and theirs alternate: [ours base, torch base, ours asam, torch asam, ...].
    const t = await interleave(ours.flatMap((o, i) => [o.cand, theirs[i]]), sch, clock);
    for (const o of ours) o.dispose();
    init.dispose();
    tf.dispose([batch.x, batch.y]);
    for (const id of torchMethods) {
      out.rows.push({
        backend, threads: info.threads, clock, model, batch: batchSize, method: id,
        oursMs: medianMs(t, `ours:${id}`), torchMs: medianMs(t, `torch:${id}`),
        ratio: pairedRatio(t, `ours:${id}`, `torch:${id}`),
      });
    }
  } finally {
    py.close();
  }
}
