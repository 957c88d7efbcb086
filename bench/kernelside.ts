/**
 * Kernel-side figures: chart render time, and how much a live display slows a training loop.
 * (Cold start and the trivial-cell round trip come from `kernelBench()` in bench/kernel.ts.)
 */
import * as tf from '@tensorflow/tfjs';
import { lineChart, LiveChart, renderPng } from '../kernel/charts';
import { flushDisplays, setDisplaySink } from '../kernel/runtime/display';
import { Progress } from '../kernel/runtime/progress';
import type { ChartConfig } from '../kernel/charts';
import { buildModel, randomBatch, type ModelSpec } from './models';
import { methodById } from './methods';
import { makeStepper } from './optim';
import { clockFor, interleave, median, pairedRatio, medianMs, timeOnce, type Schedule } from './timing';

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

export interface DisplayOverhead {
  steps: number;
  plainMs: number;
  progressMs: number;
  liveChartMs: number;
  /** paired ratio − 1, progress bar (count, rate, ETA, loss) updated every step */
  progressOverhead: number;
  /** paired ratio − 1, live loss chart fed every step */
  liveChartOverhead: number;
  progressMessages: number;
  liveChartEmits: number;
  bytesSent: number;
}

/**
 * A training loop of TRAM-x steps that reads the loss each step, three ways: plain; with a progress bar
 * (`progress`, the kernel's display updates serialised as the kernel would send them); with a live loss chart
 * (`LiveChart`, each emitted bundle serialised). Interleaved rounds; each overhead is the paired ratio − 1.
 */
export async function displayOverhead(backend: string, spec: ModelSpec, batchSize: number, sch: Schedule): Promise<DisplayOverhead> {
  const batch = randomBatch(spec, batchSize);
  const models = [buildModel(spec), buildModel(spec), buildModel(spec)];
  models.slice(1).forEach((m) => m.setWeights(models[0].getWeights()));
  const steppers = models.map((m) => makeStepper(m, methodById('tram-x')));
  let sent = 0;
  let messages = 0;
  setDisplaySink((data) => { messages++; sent += JSON.stringify(data).length; });
  const chart = new LiveChart((b) => { sent += JSON.stringify(b).length; }, { series: ['loss'], title: 'training loss', xLabel: 'step', yLabel: 'loss' });
  const bar = new Progress(undefined, { label: 'train' });
  let step = 0;
  const t = await interleave([
    {
      name: 'plain',
      async run(n) {
        for (let i = 0; i < n; i++) await steppers[0].step(batch);
      },
    },
    {
      name: 'progress',
      async run(n) {
        for (let i = 0; i < n; i++) bar.tick({ loss: await steppers[1].step(batch) });
        // Let the display's coalescing timer fire between rounds, as it would between awaits in a cell.
        await new Promise((r) => setImmediate(r));
      },
    },
    {
      name: 'live chart',
      async run(n) {
        for (let i = 0; i < n; i++) chart.push(step++, { loss: await steppers[2].step(batch) });
        await new Promise((r) => setImmediate(r));
      },
    },
  ], sch, clockFor(backend));
  bar.done();
  chart.flush();
  flushDisplays();
  setDisplaySink(() => undefined);
  for (const s of steppers) s.dispose();
  for (const m of models) m.dispose();
  tf.dispose([batch.x, batch.y]);
  return {
    steps: sch.rounds * sch.stepsPerRound,
    plainMs: medianMs(t, 'plain'),
    progressMs: medianMs(t, 'progress'),
    liveChartMs: medianMs(t, 'live chart'),
    progressOverhead: pairedRatio(t, 'progress', 'plain') - 1,
    liveChartOverhead: pairedRatio(t, 'live chart', 'plain') - 1,
    progressMessages: messages,
    liveChartEmits: chart.emits,
    bytesSent: sent,
  };
}
