/**
 * Backend speed on the MLP: wasm with its fast matMul kernels against its default kernels (interleaved, paired),
 * and against the native backend where one is available (separate medians: one process cannot interleave two
 * backends without moving every weight between them each round). On each backend also the no-op kernels
 * (kernel/backend/kernels/noops.ts) on against the backend's own (interleaved, paired).
 */
import * as tf from '@tensorflow/tfjs';
import { noopKernels, registerNoopKernels, restoreNoopKernels, setFastMatMulGradient } from '../kernel/backend';
import { useBackend } from './backends';
import { buildModel, defaultBatch, defaultSpecs, randomBatch } from './models';
import { methodById } from './methods';
import { stepCandidate } from './stepcost';
import { clockFor, interleave, medianMs, pairedRatio, type Candidate, type Schedule } from './timing';
import type { BackendSpeed } from './results';

const ids = ['base', 'tram-x'];

async function timeOn(label: string, sch: Schedule, wrap?: (c: Candidate) => Candidate[]) {
  const spec = defaultSpecs.mlp;
  const init = buildModel(spec);
  const batch = randomBatch(spec, defaultBatch.mlp);
  const growth: Record<string, number> = {};
  const made = ids.map((id) => stepCandidate(`${label} ${id}`, spec, init, methodById(id), batch, growth));
  const cands = wrap ? made.flatMap((m) => wrap(m.cand)) : made.map((m) => m.cand);
  const t = await interleave(cands, sch, clockFor(label));
  for (const m of made) m.dispose();
  init.dispose();
  tf.dispose([batch.x, batch.y]);
  return t;
}

/** Candidates `c` with the no-op kernels on and off (restored to on after each run). */
function noopsOnOff(backend: string) {
  return (c: Candidate): Candidate[] => [true, false].map((on) => ({
    name: `${c.name} noops ${on ? 'on' : 'off'}`,
    async run(n: number) {
      if (!on) restoreNoopKernels(backend);
      try {
        await c.run(n);
      } finally {
        registerNoopKernels(backend);
      }
    },
  }));
}

/** Paired ratio off / on of the no-op kernels for each method, on the backend in use. */
async function noopEffect(backend: string, sch: Schedule, out: BackendSpeed): Promise<void> {
  if (noopKernels(backend).length === 0) return;
  const t = await timeOn(backend, sch, noopsOnOff(backend));
  for (const id of ids) {
    out.ratios[`${backend}: no-op kernels off / on (${id})`] = pairedRatio(t, `${backend} ${id} noops off`, `${backend} ${id} noops on`);
  }
}

export async function backendSpeed(measured: string[], quick: boolean, log: (s: string) => void): Promise<BackendSpeed> {
  const sch: Schedule = quick ? { warmup: 1, rounds: 3, stepsPerRound: 2 } : { warmup: 2, rounds: 7, stepsPerRound: 3 };
  const out: BackendSpeed = { model: 'mlp', batch: defaultBatch.mlp, ms: {}, ratios: {}, notes: [] };
  if (measured.includes('wasm')) {
    await useBackend('wasm');
    log('  wasm: fast matMul kernels on vs off');
    // The same model and optimizer state stepped with the kernels switched per candidate.
    const t = await timeOn('wasm', sch, (c) => [true, false].map((fast) => ({
      name: `${c.name.replace('wasm ', `wasm/${fast ? 'fast' : 'default'} `)}`,
      async run(n: number) {
        setFastMatMulGradient(fast);
        try {
          await c.run(n);
        } finally {
          setFastMatMulGradient(true);
        }
      },
    })));
    for (const id of ids) {
      out.ms[`wasm/fast ${id}`] = medianMs(t, `wasm/fast ${id}`);
      out.ms[`wasm/default ${id}`] = medianMs(t, `wasm/default ${id}`);
      out.ratios[`wasm default / wasm fast (${id})`] = pairedRatio(t, `wasm/default ${id}`, `wasm/fast ${id}`);
    }
    log('  wasm: no-op kernels on vs off');
    await noopEffect('wasm', sch, out);
  } else out.notes.push('wasm not measured, so no fast-vs-default matMul comparison.');
  const native = measured.find((b) => b.startsWith('tensorflow'));
  if (native) {
    await useBackend(native);
    log(`  ${native}`);
    const t = await timeOn(native, sch);
    for (const id of ids) {
      out.ms[`${native} ${id}`] = medianMs(t, `${native} ${id}`);
      if (out.ms[`wasm/fast ${id}`]) out.ratios[`wasm fast / ${native} (${id})`] = out.ms[`wasm/fast ${id}`] / out.ms[`${native} ${id}`];
    }
    out.notes.push(`wasm / ${native} compares medians measured one after the other, not interleaved.`);
    log(`  ${native}: no-op kernels on vs off`);
    await noopEffect('tensorflow', sch, out);
  } else {
    out.notes.push('No native backend here (@tensorflow/tfjs-node and -gpu cannot install on this machine), so wasm is not compared with native.');
  }
  return out;
}
