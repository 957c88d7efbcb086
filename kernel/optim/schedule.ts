/**
 * Schedules for the ascent radius (ρ of SAM/ASAM, γ of Fisher-SAM/TRAM-Fisher) and TRAM's `scale`, read at the
 * 0-based step index t (the optimizer's `iterations` before the step), like tfjs/Keras learning-rate schedules.
 *
 *   number                                       constant
 *   {kind: 'linear', start, end, steps}          start + (end − start) · min(t, steps)/steps
 *   {kind: 'cosine', start, end, steps}          end + (start − end) · (1 + cos(π · min(t, steps)/steps)) / 2
 *   {kind: 'step', boundaries, values}           values[i] for boundaries[i−1] <= t < boundaries[i]
 *                                                (boundaries increasing, one more value than boundaries)
 *   (t) => number                                any function: usable, but not serialisable (getConfig refuses it)
 *
 * Named schedules are plain JSON and round-trip through getConfig/fromConfig unchanged.
 */
import { OptimConfigError, checkNonNegative, checkOneOf } from '../core';

export type ScheduleConfig =
  | { kind: 'linear' | 'cosine'; start: number; end: number; steps: number }
  | { kind: 'step'; boundaries: number[]; values: number[] };
export type Schedule = number | ScheduleConfig | ((step: number) => number);

/** Checks a schedule (values >= 0) and returns its normalised copy; functions are returned as they are. */
export function normalizeSchedule(name: string, s: unknown, hint: string): Schedule {
  if (typeof s === 'number') return checkNonNegative(name, s, hint);
  if (typeof s === 'function') return s as (step: number) => number;
  if (!s || typeof s !== 'object') {
    throw new OptimConfigError(`${name} must be a number, a schedule {kind: 'linear' | 'cosine' | 'step', ...} or a function (step) => number (got ${JSON.stringify(s)})`);
  }
  const c = s as Record<string, unknown>;
  const kind = checkOneOf(`${name}.kind`, c.kind, ['linear', 'cosine', 'step'] as const);
  if (kind === 'step') {
    const b = c.boundaries;
    const v = c.values;
    if (!Array.isArray(b) || !Array.isArray(v) || v.length !== b.length + 1) {
      throw new OptimConfigError(`${name}: a step schedule needs boundaries: number[] and values: number[] with one more value than boundaries`);
    }
    b.forEach((x, i) => {
      if (!Number.isInteger(x) || x < 0 || (i > 0 && x <= b[i - 1])) {
        throw new OptimConfigError(`${name}.boundaries must be increasing step indices >= 0 (got ${JSON.stringify(b)})`);
      }
    });
    return { kind, boundaries: [...b], values: v.map((x, i) => checkNonNegative(`${name}.values[${i}]`, x, hint)) };
  }
  const steps = c.steps;
  if (typeof steps !== 'number' || !Number.isInteger(steps) || steps < 1) {
    throw new OptimConfigError(`${name}.steps must be a positive integer (got ${JSON.stringify(steps)}): the step at which the schedule reaches its end value`);
  }
  return { kind, start: checkNonNegative(`${name}.start`, c.start, hint), end: checkNonNegative(`${name}.end`, c.end, hint), steps };
}

/** The schedule's value at 0-based step t; a function's result must be a finite number >= 0. */
export function scheduleValue(s: Schedule, t: number, name: string): number {
  if (typeof s === 'number') return s;
  if (typeof s === 'function') {
    const v = s(t);
    if (typeof v !== 'number' || !Number.isFinite(v) || v < 0) {
      throw new OptimConfigError(`the ${name} schedule returned ${JSON.stringify(v)} at step ${t}: a schedule must return a finite number >= 0`);
    }
    return v;
  }
  if (s.kind === 'step') {
    let i = 0;
    while (i < s.boundaries.length && t >= s.boundaries[i]) i++;
    return s.values[i];
  }
  const f = Math.min(t, s.steps) / s.steps;
  if (s.kind === 'linear') return s.start + (s.end - s.start) * f;
  return s.end + ((s.start - s.end) * (1 + Math.cos(Math.PI * f))) / 2;
}
