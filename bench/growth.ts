/**
 * How step cost grows: base and TRAM step times against batch size and against hidden width of the MLP,
 * measured interleaved at each point, so the trend of TRAM / base is visible.
 */
import * as tf from '@tensorflow/tfjs';
import { buildModel, randomBatch, type MlpSpec } from './models';
import { methodById } from './methods';
import { stepCandidate } from './stepcost';
import { clockFor, interleave, medianMs, pairedRatio, type Schedule } from './timing';
import type { Growth } from './results';

async function point(backend: string, spec: MlpSpec, batchSize: number, tramId: string, sch: Schedule) {
  const init = buildModel(spec);
  const batch = randomBatch(spec, batchSize);
  const growth: Record<string, number> = {};
  const made = ['base', tramId].map((id) => stepCandidate(id, spec, init, methodById(id), batch, growth));
  const t = await interleave(made.map((m) => m.cand), sch, clockFor(backend));
  for (const m of made) m.dispose();
  init.dispose();
  tf.dispose([batch.x, batch.y]);
  return { baseMs: medianMs(t, 'base'), tramMs: medianMs(t, tramId), ratio: pairedRatio(t, tramId, 'base') };
}

export async function measureGrowth(backend: string, tramId: string, batches: number[], widths: number[],
  sch: Schedule, log: (s: string) => void): Promise<Growth[]> {
  const mlp = (w: number): MlpSpec => ({ kind: 'mlp', input: 784, hidden: [w, w], classes: 10 });
  log(`  ${backend}: batch ${batches.join('/')} at width 256; width ${widths.join('/')} at batch 64`);
  const byBatch: Growth = { backend, method: tramId, axis: 'batch', points: [] };
  for (const b of batches) byBatch.points.push({ value: b, ...(await point(backend, mlp(256), b, tramId, sch)) });
  const byWidth: Growth = { backend, method: tramId, axis: 'width', points: [] };
  for (const w of widths) byWidth.points.push({ value: w, ...(await point(backend, mlp(w), 64, tramId, sch)) });
  return [byBatch, byWidth];
}
