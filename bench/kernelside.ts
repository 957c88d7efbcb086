/**
 * Kernel-side figures: chart render time, and how much a live display slows a training loop.
 * (Cold start and the trivial-cell round trip come from `kernelBench()` in bench/kernel.ts.)
 */
import * as tf from '@tensorflow/tfjs';
import { lineChart, LiveChart, renderPng } from '../kernel/charts';
import type { ChartConfig } from '../kernel/charts';
import { buildModel, randomBatch, type ModelSpec } from './models';
import { methodById } from './methods';
import { makeStepper } from './optim';
import { interleave, median, pairedRatio, medianMs, timeOnce, type Schedule } from './timing';

/** Median time to render a 1,000-point, 2-series line chart to an 800×500 PNG (after one warm-up render). */
export async function chartRenderMs(reps: number): Promise<{ ms: number; points: number }> {
  const n = 1000;
  const x = Array.from({ length: n }, (_, i) => i);
  const bundle = lineChart({
    title: 'loss', xLabel: 'step', yLabel: 'loss',
    series: [
      { name: 'train', x, y: x.map((i) => Math.exp(-i / 300) + 0.05 * Math.sin(i)) },
      { name: 'test', x, y: x.map((i) => Math.exp(-i / 400) + 0.1) },
    ],
  });
  const config = bundle['application/vnd.tram.chart+json'] as ChartConfig;
  renderPng(config, { width: 800, height: 500 });
  const times: number[] = [];
  for (let i = 0; i < reps; i++) times.push(await timeOnce(() => renderPng(config, { width: 800, height: 500 })));
  return { ms: median(times), points: 2 * n };
}

/**
 * A training loop of `stepsPerRound` TRAM-x steps reading the loss each step, with and without a live loss chart
 * fed every step (its bundles serialised as the kernel would send them). Interleaved rounds; the overhead is the
 * paired ratio − 1.
 */
export async function progressOverhead(spec: ModelSpec, batchSize: number, sch: Schedule):
  Promise<{ steps: number; plainMs: number; withDisplayMs: number; overhead: number; emits: number; bytesSent: number }> {
  const batch = randomBatch(spec, batchSize);
  const models = [buildModel(spec), buildModel(spec)];
  models[1].setWeights(models[0].getWeights());
  const steppers = models.map((m) => makeStepper(m, methodById('tram-x')));
  let sent = 0;
  const chart = new LiveChart((b) => { sent += JSON.stringify(b).length; }, { series: ['loss'], title: 'training loss', xLabel: 'step', yLabel: 'loss' });
  let step = 0;
  const t = await interleave([
    {
      name: 'plain',
      async run(n) {
        for (let i = 0; i < n; i++) await steppers[0].step(batch);
      },
    },
    {
      name: 'live chart',
      async run(n) {
        for (let i = 0; i < n; i++) {
          const loss = await steppers[1].step(batch);
          chart.push(step++, { loss });
        }
      },
    },
  ], sch);
  chart.flush();
  for (const s of steppers) s.dispose();
  for (const m of models) m.dispose();
  tf.dispose([batch.x, batch.y]);
  return {
    steps: sch.rounds * sch.stepsPerRound,
    plainMs: medianMs(t, 'plain'),
    withDisplayMs: medianMs(t, 'live chart'),
    overhead: pairedRatio(t, 'live chart', 'plain') - 1,
    emits: chart.emits,
    bytesSent: sent,
  };
}
