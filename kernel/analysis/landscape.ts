/**
 * Loss-landscape slices (Li et al., 2018, §3–4; Goodfellow et al., 2015, for interpolation):
 *
 *     1-D:          f(α)    = L(θ + α·δ)
 *     2-D:          f(α, β) = L(θ + α·δ + β·η)
 *     between two:  f(α)    = L((1 − α)·θ_a + α·θ_b)     (α = 0 at θ_a, 1 at θ_b)
 *
 * δ, η default to seeded filter-normalised random directions (./directions), so slices of
 * different models are comparable. Each function evaluates the loss on a uniform grid, then
 * restores θ bit-exactly; no tensor is left behind.
 */
import * as tf from '@tensorflow/tfjs';
import { filterNormalizedDirection, type DirectionOptions } from './directions';
import { InputError, checkLike, checkNumber, checkVariables, restore, snapshot } from '../core';
import { assignCombination, lossValue } from './params';

export interface GridOptions {
  /** Grid start and end (inclusive). */
  range?: [number, number];
  /** Number of grid points (≥ 2). */
  points?: number;
}

export interface LineOptions extends GridOptions, DirectionOptions {
  /** δ; default: a filter-normalised random direction from `seed`. */
  direction?: tf.Tensor[];
}

export interface SurfaceOptions extends DirectionOptions {
  /** [δ, η]; default: filter-normalised random directions from `seed` and `seed + 1`. */
  directions?: [tf.Tensor[], tf.Tensor[]];
  xRange?: [number, number];
  yRange?: [number, number];
  xPoints?: number;
  yPoints?: number;
}

export interface InterpolationOptions extends GridOptions {
  /** θ_a, e.g. the pre-trained parameters. */
  from: tf.Tensor[];
  /** θ_b; default: the variables' current values (e.g. the fine-tuned parameters). */
  to?: tf.Tensor[];
}

export interface LineResult {
  alphas: number[];
  losses: number[];
}

export interface SurfaceResult {
  xs: number[];
  ys: number[];
  /** losses[i][j] = L(θ + xs[j]·δ + ys[i]·η): one row per y value. */
  losses: number[][];
}

function grid(fn: string, name: string, range: [number, number], points: number): number[] {
  if (!Array.isArray(range) || range.length !== 2 || !range.every(Number.isFinite) || !(range[0] < range[1])) {
    throw new InputError(`${fn}: ${name} must be [start, end] with finite start < end (got ${JSON.stringify(range)})`);
  }
  const [a, b] = range;
  return Array.from({ length: points }, (_, i) => (i === points - 1 ? b : a + ((b - a) * i) / (points - 1)));
}

/** 1-D slice L(θ + α·δ) over α ∈ range (default [-1, 1], 21 points). */
export function lossLine(variables: tf.Variable[], loss: () => tf.Scalar, opts: LineOptions = {}): LineResult {
  const FN = 'lossLine';
  checkVariables(FN, variables);
  const points = checkNumber(FN, 'points', opts.points ?? 21, { min: 2, integer: true });
  const alphas = grid(FN, 'range', opts.range ?? [-1, 1], points);
  if (opts.direction) checkLike(FN, 'direction', opts.direction, variables);
  const direction = opts.direction ?? filterNormalizedDirection(variables, opts);
  const saved = snapshot(variables);
  try {
    const losses = alphas.map((a) => {
      assignCombination(variables, saved, [[a, direction]]);
      return lossValue(FN, loss);
    });
    return { alphas, losses };
  } finally {
    restore(variables, saved);
    tf.dispose(saved);
    if (!opts.direction) tf.dispose(direction);
  }
}

/** 2-D slice L(θ + α·δ + β·η) on an xPoints × yPoints grid (default [-1, 1]², 21 × 21). */
export function lossSurface(variables: tf.Variable[], loss: () => tf.Scalar, opts: SurfaceOptions = {}): SurfaceResult {
  const FN = 'lossSurface';
  checkVariables(FN, variables);
  const xs = grid(FN, 'xRange', opts.xRange ?? [-1, 1], checkNumber(FN, 'xPoints', opts.xPoints ?? 21, { min: 2, integer: true }));
  const ys = grid(FN, 'yRange', opts.yRange ?? [-1, 1], checkNumber(FN, 'yPoints', opts.yPoints ?? 21, { min: 2, integer: true }));
  if (opts.directions) {
    if (!Array.isArray(opts.directions) || opts.directions.length !== 2) throw new InputError(`${FN}: directions must be a pair [δ, η] of tensor arrays`);
    checkLike(FN, 'directions[0]', opts.directions[0], variables);
    checkLike(FN, 'directions[1]', opts.directions[1], variables);
  }
  const seed = opts.seed ?? 0;
  const [dx, dy] = opts.directions ?? [
    filterNormalizedDirection(variables, { ...opts, seed }),
    filterNormalizedDirection(variables, { ...opts, seed: seed + 1 }),
  ];
  const saved = snapshot(variables);
  try {
    const losses = ys.map((b) =>
      xs.map((a) => {
        assignCombination(variables, saved, [[a, dx], [b, dy]]);
        return lossValue(FN, loss);
      }),
    );
    return { xs, ys, losses };
  } finally {
    restore(variables, saved);
    tf.dispose(saved);
    if (!opts.directions) tf.dispose([...dx, ...dy]);
  }
}

/** L((1−α)θ_a + αθ_b) over α ∈ range (default [0, 1], 21 points). */
export function lossInterpolation(variables: tf.Variable[], loss: () => tf.Scalar, opts: InterpolationOptions): LineResult {
  const FN = 'lossInterpolation';
  checkVariables(FN, variables);
  if (!opts || !opts.from) throw new InputError(`${FN}: opts.from (the start point θ_a, one tensor per variable) is required`);
  checkLike(FN, 'from', opts.from, variables);
  if (opts.to) checkLike(FN, 'to', opts.to, variables);
  const points = checkNumber(FN, 'points', opts.points ?? 21, { min: 2, integer: true });
  const alphas = grid(FN, 'range', opts.range ?? [0, 1], points);
  const saved = snapshot(variables);
  // θ(α) = θ_a + α·(θ_b − θ_a)
  const delta = tf.tidy(() => (opts.to ?? saved).map((b, i) => tf.sub(b, opts.from[i])));
  try {
    const losses = alphas.map((a) => {
      assignCombination(variables, opts.from, [[a, delta]]);
      return lossValue(FN, loss);
    });
    return { alphas, losses };
  } finally {
    restore(variables, saved);
    tf.dispose(saved);
    tf.dispose(delta);
  }
}
