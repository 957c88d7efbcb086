/**
 * Child process of the bench's PyTorch section (#13): ours on native TensorFlow vs PyTorch at one thread each.
 * libtensorflow sizes its thread pools once, from TF_NUM_INTRAOP_THREADS / TF_NUM_INTEROP_THREADS / OMP_NUM_THREADS
 * read when it starts, so a one-thread native run needs its own process: the parent (bench/main.ts) sets them to 1
 * and runs `node out/bench/torch-threads.js <models,comma> <quick 0|1>`; this prints one JSON line
 * `{ rows, matMul, torch, python }` (PyTorchSide fields) on stdout. Progress goes to stderr.
 */
import { initBackend } from '../kernel/backend';
import { defaultBatch, defaultSpecs, type ModelKind } from './models';
import { compareProducts, compareWithTorch, torchUnavailable } from './torch';
import type { PyTorchSide } from './results';
// Clock: process CPU time on both sides, as for wasm: with one thread each it is the work done, and other jobs on a
// shared machine stay out of it (wall time is what the all-cores rows in the parent measure).

async function main(): Promise<void> {
  const models = (process.argv[2] ?? 'mlp').split(',').filter(Boolean) as ModelKind[];
  const quick = process.argv[3] === '1';
  const why = torchUnavailable();
  if (why) throw new Error(why);
  await initBackend({ prefer: 'tensorflow', env: {} });
  const out: PyTorchSide = { available: true, rows: [] };
  const log = (s: string) => process.stderr.write(s + '\n');
  for (const m of models) {
    await compareWithTorch(out, 'tensorflow', m, defaultSpecs[m], defaultBatch[m],
      quick ? { warmup: 3, rounds: 3, stepsPerRound: 2 } : { warmup: 5, rounds: 5, stepsPerRound: 2 }, log, 1, 'cpu');
  }
  await compareProducts(out, 'tensorflow', quick, 1, 'cpu');
  process.stdout.write(JSON.stringify(out) + '\n');
}

main().catch((e) => {
  process.stderr.write(`bench/torch-threads: ${(e as Error).stack ?? e}\n`);
  process.exitCode = 1;
});
