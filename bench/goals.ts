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
  const bs = r.backendSpeed;
  if (bs) {
    for (const [k, v] of Object.entries(bs.ratios)) if (k.startsWith('wasm fast / tensorflow')) add('wasm within 2× of native (MLP step)', k, v, 2);
  }
  for (const row of r.pytorch?.rows ?? []) {
    if (row.method !== 'tram-x') continue;
    const limit = row.backend === 'wasm' ? 2.5 : row.backend.startsWith('tensorflow') ? 1.2 : NaN;
    if (Number.isFinite(limit)) add(`TRAM-x ours / PyTorch ≤ ${limit}`, `${row.backend} ${row.model}`, row.ratio, limit);
  }
  const k = r.kernel;
  if (k) {
    add('kernel cold start ≤ 4 s', r.meta.backends.measured.includes('wasm') ? 'wasm' : 'primary backend', k.coldStartMs === undefined ? undefined : k.coldStartMs / 1000, 4);
    add('trivial cell round trip ≤ 30 ms', 'median after warm-up', k.trivialCellMs, 30);
    add('progress bar slows training < 5 %', 'MLP TRAM-x loop, % slower', k.display ? 100 * k.display.progressOverhead : undefined, 5);
    add('live chart slows training < 5 %', 'MLP TRAM-x loop, % slower', k.display ? 100 * k.display.liveChartOverhead : undefined, 5);
  }
  const m = r.memory;
  if (m) {
    add('numTensors flat', `${m.steps} steps`, m.numTensorsEnd - m.numTensorsStart, 0);
    add('RSS growth < 5 %', `${m.steps} steps`, 100 * m.rssGrowth, 5);
  }
  return g;
}
