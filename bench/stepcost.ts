/**
 * Step cost of every method on one model and backend, measured interleaved in one run (see timing.ts), with the
 * pass costs of the same model and batch (passes.ts) as the floor to compare against.
 */
import * as tf from '@tensorflow/tfjs';
import { buildModel, countParams, describeSpec, randomBatch, type ModelSpec } from './models';
import { passCandidates } from './passes';
import { clockFor, interleave, medianMs, pairedRatio, relativeSpread, type Candidate, type Schedule } from './timing';
import { methods, referenceMethods, tramIds, type Method } from './methods';
import { makeStepper } from './optim';
import type { StepCost } from './results';

/** Reads one number of the model's first weight: returns once every queued op has finished. */
export function sync(model: tf.LayersModel): void {
  const v = tf.tidy(() => model.trainableWeights[0].read().flatten().slice(0, 1));
  v.dataSync();
  v.dispose();
}

/** Kernels that multiply matrices: each pass over a layer runs them once (forward) or about twice (backward). */
const MATMUL = new Set(['BatchMatMul', '_FusedMatMul', 'Conv2D', 'FusedConv2D', 'Conv2DBackpropInput', 'Conv2DBackpropFilter']);

export interface KernelCount {
  matMul: number;
  /** eager kernels one step runs (#13: each one is a trip through the tfjs engine) */
  total: number;
  /**
   * Kernel time of one step (ms): the sum of tf.profile's per-kernel times, each measured around the backend's kernel
   * alone. Not `tf.time(f).kernelMs`: on wasm and native that is the elapsed time of the whole of `f` (their
   * backend.time() times f, not its kernels), so it includes the engine overhead this figure is meant to separate.
   */
  kernelMs: number;
  /** kernel time by kernel name (ms, tf.profile; nested op scopes excluded), the largest first */
  timeMs: Record<string, number>;
}

/** Kernels one call of `f` runs (tf.profile over `reps` calls, divided), counting matMul-like kernels apart. */
export async function countKernels(f: () => void, reps = 3): Promise<KernelCount> {
  const p = await tf.profile(() => { for (let i = 0; i < reps; i++) f(); });
  const kernels = p.kernels.filter((k) => !k.name.includes('__op') && k.name !== 'unnamed scope');
  const time: Record<string, number> = {};
  for (const k of kernels) time[k.name] = (time[k.name] ?? 0) + Number(k.kernelTimeMs) / reps;
  const timeMs = Object.fromEntries(Object.entries(time).sort((a, b) => b[1] - a[1]).slice(0, 6).map(([n, t]) => [n, Math.round(t * 100) / 100]));
  const kernelMs = kernels.reduce((a, k) => a + Number(k.kernelTimeMs), 0) / reps;
  return { matMul: kernels.filter((k) => MATMUL.has(k.name)).length / reps, total: kernels.length / reps, kernelMs, timeMs };
}

/** A candidate running `n` steps of `method` on its own copy of `model` (same initial weights). */
export function stepCandidate(name: string, spec: ModelSpec, init: tf.LayersModel, method: Method,
  batch: { x: tf.Tensor; y: tf.Tensor1D }, growth: Record<string, number>):
  { cand: Candidate; countKernels(): Promise<KernelCount>; dispose(): void } {
  const model = buildModel(spec);
  model.setWeights(init.getWeights());
  const stepper = makeStepper(model, method);
  let calls = 0;
  const cand: Candidate = {
    name,
    async run(n) {
      const before = tf.memory().numTensors;
      for (let i = 0; i < n; i++) await stepper.step(batch);
      sync(model);
      // The first call is the warm-up: it may create optimizer state and target weights.
      if (calls++ > 0) growth[name] = (growth[name] ?? 0) + tf.memory().numTensors - before;
    },
  };
  return {
    cand,
    countKernels: () => countKernels(() => { stepper.step(batch); }),
    dispose: () => { stepper.dispose(); model.dispose(); },
  };
}

export async function measureStepCost(backend: string, model: string, spec: ModelSpec, batchSize: number,
  sch: Schedule, methodList: Method[] = [...methods, ...referenceMethods], log: (s: string) => void = () => undefined): Promise<StepCost> {
  const init = buildModel(spec);
  const params = countParams(init);
  const batch = randomBatch(spec, batchSize);
  const growth: Record<string, number> = {};
  const made = methodList.map((m) => stepCandidate(m.id, spec, init, m, batch, growth));
  const passes = passCandidates(init, batch, 'pass:');
  log(`  ${backend} ${model}: ${methodList.length} methods + 2 passes, ${sch.rounds} rounds × ${sch.stepsPerRound} steps`);
  const t = await interleave([...made.map((x) => x.cand), ...passes], sch, clockFor(backend));
  // Passes counted, not timed: matMul kernels of one step against those of one forward pass.
  const forward = await countKernels(() => tf.tidy(() => { init.apply(batch.x, { training: true }); }));
  const kernels: Record<string, KernelCount> = { forward };
  for (let i = 0; i < made.length; i++) kernels[methodList[i].id] = await made[i].countKernels();
  for (const x of made) x.dispose();
  init.dispose();
  tf.dispose([batch.x, batch.y]);

  const ids = methodList.map((m) => m.id);
  const ms = Object.fromEntries(ids.map((id) => [id, medianMs(t, id)]));
  const spread = Object.fromEntries(ids.map((id) => [id, relativeSpread(t.samples[id])]));
  const vsBase = Object.fromEntries(ids.map((id) => [id, pairedRatio(t, id, 'base')]));
  const tramOverAsam = Object.fromEntries(tramIds.filter((id) => ids.includes(id)).map((id) => [id, pairedRatio(t, id, 'asam')]));
  const F = medianMs(t, 'pass:forward');
  const FB = medianMs(t, 'pass:forward+backward');
  // The update U is estimated from the base step, whose floor is FB + U.
  const U = Math.max(0, ms.base - FB);
  return {
    backend, model, description: describeSpec(spec), params, batch: batchSize,
    schedule: sch, clock: t.clock, ms, spread, vsBase, tramOverAsam,
    tramFisherOverFisherSam: pairedRatio(t, 'tram-fisher', 'fisher-sam'),
    extraRatios: {
      'TRAM-Fisher (reportCleanLoss off) / Fisher-SAM': pairedRatio(t, 'tram-fisher-noreport', 'fisher-sam'),
      'base (library Adam) / tf.train.adam': pairedRatio(t, 'base', 'tfjs-adam'),
      'base on FlatAdam / tf.train.adam': pairedRatio(t, 'base-flat', 'tfjs-adam'),
      'TRAM-x on FlatAdam / TRAM-x': pairedRatio(t, 'tram-x-flat', 'tram-x'),
      'TRAM-x / base': pairedRatio(t, 'tram-x', 'base'),
    },
    passes: {
      forwardMs: F, forwardBackwardMs: FB,
      floorTramOverAsam: (2 * FB + F + U) / (2 * FB + U),
      floorSamOverBase: (2 * FB + U) / (FB + U),
    },
    tensorGrowth: growth,
    kernels,
  };
}
