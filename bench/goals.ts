/** The goals of #6 and #3, checked against one run's results. */
import { methods } from './methods';
import type { Goal, Results } from './results';

const label = (id: string) => methods.find((m) => m.id === id)?.label ?? id;
const goalBackends = (b: string) => b === 'wasm' || b.startsWith('tensorflow');

export function checkGoals(r: Results): Goal[] {
  const g: Goal[] = [];
  const add = (goal: string, where: string, value: number | undefined, limit: number, below = true) => {
    if (value === undefined || !Number.isFinite(value)) return;
    g.push({ goal, where, value, limit, met: below ? value <= limit : value >= limit });
  };
  for (const s of r.stepCost.filter((x) => goalBackends(x.backend))) {
    for (const [id, v] of Object.entries(s.tramOverAsam)) add(`${label(id)} / ASAM ≤ 1.25`, `${s.backend} ${s.model}`, v, 1.25);
    add('SAM / base ≤ 2.1', `${s.backend} ${s.model}`, s.vsBase.sam, 2.1);
  }
  // #13: the engine overhead around the kernels, and our Adam against tfjs' own
  for (const s of r.stepCost) {
    const k = s.kernels?.base?.kernelMs;
    if (s.backend.startsWith('tensorflow') && s.model === 'mlp' && k) add('base step wall / kernel time ≤ 1.3', `${s.backend} ${s.model}`, s.ms.base / k, 1.3);
    // "no slower" with the ±5 % a paired median of this suite moves between runs
    const adam = s.extraRatios?.['base on FlatAdam / tf.train.adam'];
    if (adam !== undefined && s.backend !== 'cpu') add('library base step on FlatAdam no slower than tf.train.adam (≤ 1.05)', `${s.backend} ${s.model}`, adam, 1.05);
  }
  const bs = r.backendSpeed;
  if (bs) {
    for (const [k, v] of Object.entries(bs.ratios)) if (k.startsWith('wasm fast / tensorflow')) add('wasm within 2× of native (MLP step)', k, v, 2);
  }
  for (const row of r.pytorch?.rows ?? []) {
    if (row.method !== 'tram-x') continue;
    // #13: native ≤ 1.3 on the MLP and CNN, ≤ 2 on the transformer; wasm ≤ 2.5 on the MLP (same threads both sides)
    const limit = row.backend === 'wasm' ? (row.model === 'mlp' ? 2.5 : NaN)
      : row.backend.startsWith('tensorflow') ? ({ mlp: 1.3, cnn: 1.3, transformer: 2 } as Record<string, number>)[row.model] ?? NaN : NaN;
    if (Number.isFinite(limit)) add(`TRAM-x ours / PyTorch ≤ ${limit}`, `${row.backend} ${row.model}, ${row.threads ?? 1} thread${(row.threads ?? 1) > 1 ? 's' : ''}`, row.ratio, limit);
  }
  const k = r.kernel;
  if (k) {
    add('kernel cold start ≤ 4 s', r.meta.backends.measured.includes('wasm') ? 'wasm' : 'primary backend', k.coldStartMs === undefined ? undefined : k.coldStartMs / 1000, 4);
    add('trivial cell round trip ≤ 30 ms', 'median after warm-up', k.trivialCellMs, 30);
    add('progress bar slows training < 5 %', 'MLP TRAM-x loop, % slower', k.display ? 100 * k.display.progressOverhead : undefined, 5);
    add('live chart slows training < 5 %', 'MLP TRAM-x loop, % slower', k.display ? 100 * k.display.liveChartOverhead : undefined, 5);
  }
  const e = r.editor;
  if (e) {
    // #11: wall clock in the types process, over IPC, as the editor asks (bench/editor.ts)
    add('completion p95 ≤ 300 ms', 'after `tf.`, 12-cell notebook', e.completion.p95, 300);
    add('hover p95 ≤ 300 ms', "an earlier cell's variable", e.hover.p95, 300);
    add('squiggles ≤ 1 s after the last keystroke (p95)', 'typing in the last cell', e.squigglesLastCell.p95, 1000);
    add('squiggles ≤ 1 s after the last keystroke (p95)', "the edited cell, first cell's declarations changed", e.squigglesEarlyCell.p95, 1000);
  }
  const m = r.memory;
  if (m) {
    add('numTensors flat', `${m.steps} steps`, m.numTensorsEnd - m.numTensorsStart, 0);
    add('RSS growth < 5 %', `${m.steps} steps`, 100 * m.rssGrowth, 5);
  }
  return g;
}
