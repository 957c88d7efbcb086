/**
 * Saving and restoring an optimizer's complete state as plain JSON, so that
 *   k steps → saveState → (new process) fromConfig + loadState → n − k steps  ≡  n steps
 * to float tolerance. The state is:
 *   - the base tf.Optimizer's slots and iteration count (tfjs getWeights/setWeights: Adam's moments and β powers,
 *     momentum accumulators, …; slots are matched to variables by position, so train the same model architecture);
 *   - TRAM's θ-target copy (θ₀, θₜ₋₁, EMA) and the TRPO/MESA regulariser's target copy (trainable then state);
 *   - the step count. The noise generator needs nothing more: its draw for (seed, step, split) depends only on
 *     them (an injected noise function is the caller's to restore).
 * Values are stored as number arrays (float32 → number → float32 is exact).
 */
import * as tf from '@tensorflow/tfjs';
import type { SharpnessAwareOptimizer } from './optimizer';
import { OptimConfigError } from '../core';

export interface SavedTensor {
  name: string;
  shape: number[];
  dtype: tf.DataType;
  values: number[];
}

export interface OptimizerState {
  format: 'tram-optimizer-state';
  version: 1;
  /** The method name (opt.name); loadState refuses another method's state. */
  method: string;
  /** Steps taken. */
  iterations: number;
  base: { className: string; weights: SavedTensor[] };
  /** TRAM θ-target weights (null before the first step or for targets without weights). */
  target: SavedTensor[] | null;
  /** TRPO/MESA target weights. */
  regularizerTarget: SavedTensor[] | null;
}

/** Something holding a weight copy that can be read and replaced (parameter-history targets). */
export interface Stateful {
  getState?(): tf.Tensor[] | null;
  setState?(ts: tf.Tensor[] | null): void;
}

function save(name: string, t: tf.Tensor): SavedTensor {
  return { name, shape: [...t.shape], dtype: t.dtype, values: Array.from(t.dataSync()) };
}

function load(s: SavedTensor, what: string): tf.Tensor {
  if (!s || !Array.isArray(s.shape) || !Array.isArray(s.values) || s.values.length !== s.shape.reduce((a, b) => a * b, 1)) {
    throw new OptimConfigError(`optimizer state: ${what} '${s?.name}' is malformed (values do not fill its shape): pass the object saveState() returned`);
  }
  return tf.tensor(s.values, s.shape, s.dtype);
}

function holderOf(opt: SharpnessAwareOptimizer): { target: Stateful | null; reg: Stateful | null } {
  const rule = opt.ascent?.radius;
  return {
    target: rule && rule.kind === 'divergence' ? (rule.target as Stateful) : null,
    reg: (opt.regularizer as Stateful | null) ?? null,
  };
}

export async function saveOptimizerState(opt: SharpnessAwareOptimizer): Promise<OptimizerState> {
  const named = await opt.base.getWeights();
  const base = named.map((w) => save(w.name, w.tensor));
  named.forEach((w) => {
    if (!(w.tensor instanceof tf.Variable)) w.tensor.dispose();
  });
  const { target, reg } = holderOf(opt);
  const list = (h: Stateful | null) => h?.getState?.()?.map((t, i) => save(`w${i}`, t)) ?? null;
  return {
    format: 'tram-optimizer-state',
    version: 1,
    method: opt.name,
    iterations: opt.iterations,
    base: { className: opt.base.getClassName(), weights: base },
    target: list(target),
    regularizerTarget: list(reg),
  };
}

export async function loadOptimizerState(opt: SharpnessAwareOptimizer, state: OptimizerState): Promise<void> {
  if (!state || state.format !== 'tram-optimizer-state' || state.version !== 1) {
    throw new OptimConfigError("loadState needs the object returned by saveState() (format 'tram-optimizer-state', version 1)");
  }
  if (state.method !== opt.name) {
    throw new OptimConfigError(`this state was saved by a '${state.method}' optimizer, not '${opt.name}': rebuild the optimizer with fromConfig(savedConfig) first`);
  }
  if (state.base.className !== opt.base.getClassName()) {
    throw new OptimConfigError(
      `the state's base optimizer is ${state.base.className} but this one is ${opt.base.getClassName()}: rebuild it with fromConfig(savedConfig)`,
    );
  }
  if (!Number.isInteger(state.iterations) || state.iterations < 0) {
    throw new OptimConfigError(`optimizer state: iterations must be an integer >= 0 (got ${state.iterations})`);
  }
  const { target, reg } = holderOf(opt);
  for (const [h, saved, what] of [[target, state.target, 'TRAM target'], [reg, state.regularizerTarget, 'regulariser target']] as const) {
    if (saved && !h?.setState) throw new OptimConfigError(`optimizer state has ${what} weights but this optimizer has no such target`);
  }
  // Base slots: replace (and free) the current ones.
  const old = await opt.base.getWeights();
  const fresh = state.base.weights.map((s) => ({ name: s.name, tensor: load(s, 'base optimizer slot') }));
  await opt.base.setWeights(fresh);
  fresh.forEach((w) => w.tensor.dispose());
  old.forEach((w) => w.tensor.dispose());
  for (const [h, saved] of [[target, state.target], [reg, state.regularizerTarget]] as const) {
    if (!h?.setState) continue;
    const ts = saved ? saved.map((s) => load(s, 'target weight')) : null;
    h.setState(ts);
    ts?.forEach((t) => t.dispose());
  }
  opt.iterations = state.iterations;
}
