/**
 * Noise z for the noised-input variants (TRAM-x, TRAM-Fisher, R3F): q = f(embed(x) + z).
 * A {@link NoiseSource} is a function (shape, step, split) → tensor; it is called once per step and micro-batch,
 * and the caller disposes what it returns. Seeded generators make runs reproducible: the draw for
 * (step, split) depends only on the seed, the step and the split.
 */
import * as tf from '@tensorflow/tfjs';
import { checkNonNegative, checkOneOf, checkFinite } from '../core';

export type NoiseSource = (shape: number[], step: number, split: number) => tf.Tensor;

/** Serializable noise settings: Gaussian N(0, σ²) (σ is the standard deviation) or uniform U(−σ, σ). */
export interface NoiseConfig {
  kind: 'gaussian' | 'uniform';
  sigma: number;
  seed?: number;
}

/** Checks a noise config (σ ≥ 0, a known kind) and fills the seed (default 0). */
export function normalizeNoise(c: Partial<NoiseConfig> | undefined, fallbackSigma = 0.1): Required<NoiseConfig> {
  const kind = checkOneOf('noise.kind', c?.kind ?? 'gaussian', ['gaussian', 'uniform'] as const);
  const sigma = checkNonNegative('sigma', c?.sigma ?? fallbackSigma, 'sigma is the noise scale added to the inputs; pass sigma >= 0');
  const seed = checkFinite('noise.seed', c?.seed ?? 0);
  return { kind, sigma, seed };
}

function drawSeed(seed: number, step: number, split: number): number {
  // A distinct integer seed per (seed, step, split). tf.randomNormal takes seed 0 for "no seed" (Math.random), so the
  // one value the formula can give that would not repeat, 0, becomes the modulus, which it never gives.
  const s = (((seed * 1000003) ^ (step * 7919 + split * 104729 + 1)) >>> 0) % 2147483647;
  return s === 0 ? 2147483647 : s;
}

/** Seeded Gaussian noise N(0, σ²). */
export function gaussianNoise(sigma: number, seed = 0): NoiseSource {
  checkNonNegative('sigma', sigma, 'sigma is the standard deviation of the input noise; pass sigma >= 0');
  return (shape, step, split) => tf.randomNormal(shape, 0, sigma, 'float32', drawSeed(seed, step, split));
}

/** Seeded uniform noise U(−σ, σ). */
export function uniformNoise(sigma: number, seed = 0): NoiseSource {
  checkNonNegative('sigma', sigma, 'sigma is the half-width of the input noise; pass sigma >= 0');
  return (shape, step, split) =>
    sigma === 0 ? tf.zeros(shape) : tf.randomUniform(shape, -sigma, sigma, 'float32', drawSeed(seed, step, split));
}

/** A noise source from its config. */
export function noiseFromConfig(c: Partial<NoiseConfig> | undefined): NoiseSource {
  const n = normalizeNoise(c);
  return n.kind === 'gaussian' ? gaussianNoise(n.sigma, n.seed) : uniformNoise(n.sigma, n.seed);
}
