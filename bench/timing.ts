/**
 * Interleaved timing for a shared, noisy machine.
 *
 * Every candidate is warmed up, then measured in rounds. In each round every candidate runs `stepsPerRound`
 * steps back to back; the order rotates from round to round so no candidate always runs first or last.
 * A candidate's figure is the median over rounds of its per-step time, and a ratio between two candidates is
 * the median over rounds of the ratio of their times in the same round (paired), so slow drifts of the
 * machine (another process, thermal state) cancel out of the ratios.
 *
 * Clock: 'cpu' measures this process's CPU time (user + system, all its threads), 'wall' elapsed time. On a
 * machine shared with other work, CPU time barely moves with the load, while elapsed time of a single-threaded
 * backend (wasm, cpu) grows with every competing process; a native backend that runs ops on other threads or
 * on a GPU needs the wall clock. A candidate that runs elsewhere (another process) returns its own
 * milliseconds from run().
 */
import { performance } from 'node:perf_hooks';

export interface Candidate {
  name: string;
  /**
   * Runs n steps and returns once their results exist (the backend has finished). May return the milliseconds
   * the n steps took, measured by the candidate itself (work done in another process).
   */
  run(n: number): void | number | Promise<void | number>;
}

export interface Schedule {
  warmup: number;
  rounds: number;
  stepsPerRound: number;
}

export type Clock = 'cpu' | 'wall';

export interface Timings {
  /** per-step milliseconds, one entry per round, for each candidate */
  samples: Record<string, number[]>;
  schedule: Schedule;
  clock: Clock;
}

/** Milliseconds now on the given clock. */
export function clockMs(clock: Clock): number {
  if (clock === 'wall') return performance.now();
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
}

export function median(xs: number[]): number {
  if (xs.length === 0) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/** Median absolute deviation relative to the median: a robust spread figure (0.05 = ±5 %). */
export function relativeSpread(xs: number[]): number {
  const m = median(xs);
  return median(xs.map((x) => Math.abs(x - m))) / m;
}

export async function interleave(cands: Candidate[], sch: Schedule, clock: Clock = 'wall'): Promise<Timings> {
  for (const c of cands) await c.run(sch.warmup);
  const samples: Record<string, number[]> = Object.fromEntries(cands.map((c) => [c.name, [] as number[]]));
  for (let r = 0; r < sch.rounds; r++) {
    for (let i = 0; i < cands.length; i++) {
      const c = cands[(i + r) % cands.length];
      const t0 = clockMs(clock);
      const own = await c.run(sch.stepsPerRound);
      const elapsed = typeof own === 'number' ? own : clockMs(clock) - t0;
      samples[c.name].push(elapsed / sch.stepsPerRound);
    }
  }
  return { samples, schedule: sch, clock };
}

export function medianMs(t: Timings, name: string): number {
  return median(t.samples[name]);
}

/** Median over rounds of a/b measured in the same round. */
export function pairedRatio(t: Timings, a: string, b: string): number {
  const xa = t.samples[a];
  const xb = t.samples[b];
  if (!xa || !xb) return NaN;
  return median(xa.map((x, i) => x / xb[i]));
}

/** The clock for a backend: CPU time for the single-threaded ones (wasm without threads, cpu), else wall. */
export function clockFor(backend: string): Clock {
  return backend === 'wasm' || backend === 'cpu' ? 'cpu' : 'wall';
}

/** Time one call, in ms. */
export async function timeOnce(f: () => unknown | Promise<unknown>): Promise<number> {
  const t0 = performance.now();
  await f();
  return performance.now() - t0;
}
