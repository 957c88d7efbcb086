/**
 * Memory over a long run: tf.memory().numTensors and the process RSS over many TRAM steps on a small model,
 * in a fresh Node process (so the RSS is that of the training loop, not of everything the suite loaded before).
 * Both are read after a warm-up (optimizer state and target weights exist, wasm memory and the JS heap have
 * grown to their working size) and after a garbage collection at every sample, so samples compare like with like.
 */
import { spawnSync } from 'node:child_process';
import * as tf from '@tensorflow/tfjs';
import { useBackend } from './backends';
import { buildModel, randomBatch, type ModelSpec } from './models';
import { methodById } from './methods';
import { makeStepper } from './optim';
import type { Memory } from './results';

interface Request {
  backend: string;
  spec: ModelSpec;
  batch: number;
  method: string;
  steps: number;
}

const mib = (b: number) => Math.round((b / 2 ** 20) * 10) / 10;

/** Runs in the child process (`node --expose-gc out/bench/memory.js '<json>'`). */
async function child(req: Request): Promise<Memory> {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (!gc) throw new Error('memory.ts must run with node --expose-gc');
  await useBackend(req.backend);
  const model = buildModel(req.spec);
  const batch = randomBatch(req.spec, req.batch);
  const stepper = makeStepper(model, methodById(req.method));
  const warmup = Math.min(1000, Math.max(200, Math.ceil(req.steps / 10)));
  for (let i = 0; i < warmup; i++) await stepper.step(batch);
  gc();
  const numTensorsStart = tf.memory().numTensors;
  const rssStart = process.memoryUsage().rss;
  const trace: Array<[number, number]> = [[0, mib(rssStart)]];
  const every = Math.max(1, Math.floor(req.steps / 10));
  for (let i = 1; i <= req.steps; i++) {
    await stepper.step(batch);
    if (i % every === 0) {
      gc();
      trace.push([i, mib(process.memoryUsage().rss)]);
    }
  }
  gc();
  const numTensorsEnd = tf.memory().numTensors;
  const rssEnd = process.memoryUsage().rss;
  stepper.dispose();
  model.dispose();
  return {
    steps: req.steps, warmup,
    model: `${req.method}, MLP ${[(req.spec as { input: number }).input, ...((req.spec as { hidden: number[] }).hidden), (req.spec as { classes: number }).classes].join('-')}, batch ${req.batch}`,
    backend: req.backend, numTensorsStart, numTensorsEnd, rssStartMiB: mib(rssStart), rssEndMiB: mib(rssEnd),
    rssGrowth: rssEnd / rssStart - 1, rssTrace: trace,
  };
}

export function measureMemory(backend: string, spec: ModelSpec & { kind: 'mlp' }, batch: number, method: string,
  steps: number, log: (s: string) => void): Memory {
  log(`  ${backend}: ${steps} ${method} steps in a fresh process`);
  const req: Request = { backend, spec, batch, method, steps };
  const r = spawnSync(process.execPath, ['--expose-gc', __filename, JSON.stringify(req)], { encoding: 'utf8', maxBuffer: 1 << 24 });
  if (r.status !== 0) throw new Error(`memory run failed (exit ${r.status}): ${(r.stderr || '').trim().split('\n').slice(-5).join(' | ')}`);
  return JSON.parse(r.stdout.trim().split('\n').pop()!) as Memory;
}

if (require.main === module) {
  child(JSON.parse(process.argv[2]) as Request).then(
    (m) => { process.stdout.write(JSON.stringify(m) + '\n'); },
    (e) => { console.error(e && e.stack ? e.stack : String(e)); process.exitCode = 1; },
  );
}
