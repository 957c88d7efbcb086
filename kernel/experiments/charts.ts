/**
 * Charts of an experiment's results, built with the project's chart helpers (MIME bundles with a PNG inside):
 * the same functions draw the committed PNGs and the charts in the experiment notebooks.
 */
import { barChart, lineChart, scatterChart } from '../charts';
import type { ChartBundle } from '../charts';
import type { MethodSummary } from './summary';
import type { RunResult } from './protocol';

export function accuracyChart(task: string, s: readonly MethodSummary[]): ChartBundle {
  return barChart({
    title: `${task}: accuracy after fine-tuning (mean over seeds)`,
    xLabel: 'method',
    yLabel: 'accuracy (%)',
    labels: s.map((m) => m.method),
    series: [
      { name: 'in-domain test', values: s.map((m) => 100 * m.inDomainAccuracy.mean) },
      { name: 'zero-shot (mean of shifted domains)', values: s.map((m) => 100 * m.zeroShotAccuracy.mean) },
    ],
  });
}

export function tradeOffChart(task: string, s: readonly MethodSummary[]): ChartBundle {
  return scatterChart({
    title: `${task}: in-domain vs zero-shot accuracy, one point per method`,
    xLabel: 'in-domain test accuracy (%)',
    yLabel: 'zero-shot accuracy (%)',
    pointRadius: 6,
    series: s.map((m) => ({ name: m.method, x: [100 * m.inDomainAccuracy.mean], y: [100 * m.zeroShotAccuracy.mean] })),
  });
}

/** Paired differences against Adam (percentage points, mean over seeds): the comparison the t-tests make. */
export function deltaChart(task: string, s: readonly MethodSummary[]): ChartBundle {
  const rest = s.filter((m) => m.vsBaseline);
  return barChart({
    title: `${task}: accuracy minus Adam's on the same seeds (percentage points)`,
    xLabel: 'method',
    yLabel: 'Δ accuracy vs Adam (points)',
    labels: rest.map((m) => m.method),
    series: [
      { name: 'in-domain test', values: rest.map((m) => 100 * (m.vsBaseline as NonNullable<MethodSummary['vsBaseline']>).inDomainAccuracy.diff) },
      { name: 'zero-shot (mean of shifted domains)', values: rest.map((m) => 100 * (m.vsBaseline as NonNullable<MethodSummary['vsBaseline']>).zeroShotAccuracy.diff) },
    ],
  });
}

export function sharpnessChart(task: string, s: readonly MethodSummary[]): ChartBundle {
  return barChart({
    title: `${task}: ε-sharpness of the selected checkpoint (lower is flatter)`,
    xLabel: 'method',
    yLabel: 'ε-sharpness',
    labels: s.map((m) => m.method),
    series: [
      { name: 'in-domain', values: s.map((m) => m.inDomainSharpness.mean) },
      { name: 'zero-shot (mean of shifted domains)', values: s.map((m) => m.zeroShotSharpness.mean) },
    ],
  });
}

export function ckaChart(task: string, s: readonly MethodSummary[]): ChartBundle {
  return barChart({
    title: `${task}: linear CKA with the pre-trained model's features (higher = less forgetting)`,
    xLabel: 'method',
    yLabel: 'linear CKA',
    labels: s.map((m) => m.method),
    series: [
      { name: 'in-domain', values: s.map((m) => m.inDomainCka.mean) },
      { name: 'zero-shot (mean of shifted domains)', values: s.map((m) => m.zeroShotCka.mean) },
    ],
  });
}

/** d per step for the TRAM variants (first seed), against ASAM's ρ = 0.5 and SAM's ρ = 0.05. */
export function radiusChart(task: string, runs: readonly RunResult[]): ChartBundle {
  const seed = Math.min(...runs.map((r) => r.seed));
  const tram = runs.filter((r) => r.seed === seed && r.method.startsWith('TRAM') && r.method !== 'TRAM-Fisher');
  const steps = tram.length ? tram[0].radius.length : 1;
  const floor = 1e-6;
  return lineChart({
    title: `${task}: TRAM radius d per step (seed ${seed}) against ASAM ρ = 0.5 and SAM ρ = 0.05`,
    xLabel: 'fine-tuning step',
    yLabel: 'd (log scale, floored at 1e-6)',
    logY: true,
    series: [
      ...tram.map((r) => ({ name: r.method, y: r.radius.map((v) => Math.max(v, floor)) })),
      { name: 'ASAM ρ = 0.5', x: [0, steps - 1], y: [0.5, 0.5] },
      { name: 'SAM ρ = 0.05', x: [0, steps - 1], y: [0.05, 0.05] },
    ],
  });
}
