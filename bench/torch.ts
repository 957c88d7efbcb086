/**
 * Side by side with PyTorch: the same model, batch size and method stepped in PyTorch on CPU
 * (bench/pytorch/step.py, driven line by line) and in our library, interleaved round by round, so that
 * ours / PyTorch's is a paired ratio from one run.
 */
import { spawn, spawnSync, type ChildProcessWithoutNullStreams } from 'node:child_process';
import * as path from 'node:path';
import * as readline from 'node:readline';
import * as tf from '@tensorflow/tfjs';
import { buildModel, randomBatch, type ModelSpec } from './models';
import { methodById } from './methods';
import { stepCandidate } from './stepcost';
import { clockFor, interleave, medianMs, pairedRatio, type Candidate, type Clock, type Schedule } from './timing';
import type { PyTorchSide } from './results';

export const PYTHON = '/usr/bin/python3';
const script = path.resolve(__dirname, '..', '..', 'bench', 'pytorch', 'step.py');

/** null when `/usr/bin/python3` can import torch, else the reason it cannot. */
export function torchUnavailable(): string | null {
  const r = spawnSync(PYTHON, ['-c', 'import torch; print(torch.__version__)'], { encoding: 'utf8', timeout: 60_000 });
  if (r.error) return `${PYTHON} not runnable (${r.error.message})`;
  if (r.status !== 0) {
    return `${PYTHON} cannot import torch (install Debian's python3-torch and libopenblas0-pthread): ${(r.stderr || '').trim().split('\n').pop()}`;
  }
  return null;
}

/** A running step.py. */
class TorchProcess {
  private readonly proc: ChildProcessWithoutNullStreams;
  private readonly lines: AsyncIterableIterator<string>;
  private stderr = '';
  constructor() {
    // One thread, like the wasm backend, and no OpenBLAS pool: its idle threads spin, which inflates the
    // process CPU time by up to 5× on a loaded machine.
    const env = { ...process.env, OPENBLAS_NUM_THREADS: '1', OMP_NUM_THREADS: '1', MKL_NUM_THREADS: '1' };
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
export async function compareMatMul(out: PyTorchSide, backend: string, m: number, k: number, n: number, sch: Schedule): Promise<void> {
  const py = new TorchProcess();
  const clock = clockFor(backend);
  try {
    await py.call({ op: 'setup', spec: { kind: 'mlp', input: 4, hidden: [4], classes: 2 }, batch: 2, methods: [], lr: 1e-3,
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
    out.matMul.push({ backend, shape: `[${m},${k}]·[${k},${n}]`, oursMs: medianMs(t, 'ours'), torchMs: medianMs(t, 'torch'), ratio: pairedRatio(t, 'ours', 'torch') });
  } finally {
    py.close();
  }
}

/** Paired rounds of ours vs PyTorch for each method on one model; appends rows to `out`. */
export async function compareWithTorch(out: PyTorchSide, backend: string, model: string, spec: ModelSpec,
  batchSize: number, sch: Schedule, log: (s: string) => void): Promise<void> {
  const py = new TorchProcess();
  const clock = clockFor(backend);
  try {
    const info = await py.call<{ torch: string; threads: number }>({
      op: 'setup', spec, batch: batchSize, methods: torchMethods, seed: 1, lr: 1e-3, threads: 1,
      asam: { rho: 0.5, eta: 0.01 }, tram: { sigma: 0.1, eta: 0.01 },
    });
    out.torch = info.torch;
    out.threads = info.threads;
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
        backend, model, batch: batchSize, method: id,
        oursMs: medianMs(t, `ours:${id}`), torchMs: medianMs(t, `torch:${id}`),
        ratio: pairedRatio(t, `ours:${id}`, `torch:${id}`),
      });
    }
  } finally {
    py.close();
  }
}
