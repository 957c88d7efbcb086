/**
 * The fine-tuning methods compared in the experiments, at the paper's hyperparameters. Each is stepped by the
 * optimizer library (`library-stepper.ts` translates it to the library's method config). Notation: g = ∇L(θ) on the batch, ‖·‖ the 2-norm over all tensors, products
 * element-wise, 1e-12 added to every denominator norm. "Descend with h": restore θ exactly, then Adam applies h.
 *
 * - adam: descend with g.
 * - sam {rho}: ε = ρ·g/‖g‖ (Foret et al. 2021; paper Eq. 1); descend with ∇L(θ+ε).
 * - asam {rho, eta}: T = |θ|+η on kernels, 1 on biases; ε = ρ·T²g/‖Tg‖ (Kwon et al. 2021). η = 0.01 and the
 *   kernels-only T follow Kwon et al.'s released code; the TRAM paper's Eq. 2 writes θ² on every tensor.
 * - fisher-sam {gamma, eta}: f = 1+η·g²; ε = γ·(g/f)/√(Σ g²/f) (Kim et al. 2022; paper Eqs. 8–9).
 * - r3f {lambda, sigma}: descend with ∇[L(x) + λ·KLsym(f(x), f(x+z))], z ~ N(0, σ²) (Aghajanyan et al. 2021).
 * - asam+r3f: ASAM whose loss is L + λ·KLsym (the paper's naive combination, Appendix C.3).
 * - trpo {lambda}: descend with ∇[L + λ·KL(f(x; θₜ₋₁) ‖ f(x; θ))] (paper Eq. 4 as a penalty, λ = 0.1 as the paper).
 * - mesa {lambda, decay, temperature, startEpochs}: descend with ∇[L + λ·τ²·KL(softmax(f(x; θ_EMA)/τ) ‖
 *   softmax(f(x; θ)/τ))] once `startEpochs` epochs of steps are done, the EMA (decay β) kept from the first step
 *   (Du et al. 2022 as released; kernel/optim/regularizers.ts). λ = 0.1 and β = 0.999 are the TRAM paper's, τ = 5
 *   Du et al.'s default; the start after 1 of 6 epochs (17 %) lies within Du et al.'s advice (epoch 5 of 90, or
 *   ~30 % of training).
 * - tram {target, decay?, sigma?}: d = KL(p_target ‖ p_current) per example, averaged over the batch, no gradient;
 *   ε = d·T²g/‖Tg‖ (paper Eq. 7); descend with ∇L(θ+ε) (Eq. 6). Targets: θ0 (pre-trained weights), θt−1 (the
 *   weights before the previous update), EMA of past weights, or x (current weights on x+z).
 * - tram-fisher {gamma, eta, sigma}: Fisher-SAM with g replaced by g_z = ∇L(θ) on the noised batch, for both the
 *   Fisher diagonal and the direction. This is the project's reading: the paper's Algorithm 2 takes the direction
 *   from the clean gradient and only the Fisher from noised inputs.
 */
import * as tf from '@tensorflow/tfjs';
import { MlpShape, forward, crossEntropy, noiseShape } from './model';

export type MethodConfig =
  | { name: 'adam' }
  | { name: 'sam'; rho: number }
  | { name: 'asam'; rho: number; eta: number }
  | { name: 'fisher-sam'; gamma: number; eta: number }
  | { name: 'r3f'; lambda: number; sigma: number }
  | { name: 'asam+r3f'; rho: number; eta: number; lambda: number; sigma: number }
  | { name: 'trpo'; lambda: number }
  | { name: 'mesa'; lambda: number; decay: number; temperature: number; startEpochs: number }
  | { name: 'tram'; target: 'theta0' | 'theta-prev' | 'ema' | 'x'; eta: number; decay?: number; sigma?: number }
  | { name: 'tram-fisher'; gamma: number; eta: number; sigma: number };

export interface MethodSpec {
  /** Short label used in tables and charts. */
  readonly label: string;
  readonly config: MethodConfig;
}

/** Every method of the comparison at the paper's hyperparameters (Appendix B) where it gives them, in table order. */
export const METHODS: readonly MethodSpec[] = [
  { label: 'Adam', config: { name: 'adam' } },
  { label: 'SAM', config: { name: 'sam', rho: 0.05 } },
  { label: 'ASAM', config: { name: 'asam', rho: 0.5, eta: 0.01 } },
  { label: 'Fisher-SAM', config: { name: 'fisher-sam', gamma: 0.1, eta: 0.1 } },
  { label: 'R3F', config: { name: 'r3f', lambda: 0.1, sigma: 0.1 } },
  { label: 'ASAM+R3F', config: { name: 'asam+r3f', rho: 0.5, eta: 0.01, lambda: 0.1, sigma: 0.1 } },
  { label: 'TRPO', config: { name: 'trpo', lambda: 0.1 } },
  { label: 'MESA', config: { name: 'mesa', lambda: 0.1, decay: 0.999, temperature: 5, startEpochs: 1 } },
  { label: 'TRAM-θ0', config: { name: 'tram', target: 'theta0', eta: 0.01 } },
  { label: 'TRAM-θt−1', config: { name: 'tram', target: 'theta-prev', eta: 0.01 } },
  { label: 'TRAM-EMA', config: { name: 'tram', target: 'ema', eta: 0.01, decay: 0.99 } },
  { label: 'TRAM-x', config: { name: 'tram', target: 'x', eta: 0.01, sigma: 0.1 } },
  { label: 'TRAM-Fisher', config: { name: 'tram-fisher', gamma: 0.1, eta: 0.1, sigma: 0.1 } },
];

export interface StepFigures {
  /** Clean task loss at θ before the step. */
  loss: number;
  /** The radius of the ascent step (ρ, γ, or d for TRAM); 0 for methods without one. */
  radius: number;
  /** d, TRAM only. */
  divergence?: number;
}

export interface Batch {
  readonly x: tf.Tensor2D;
  readonly y: tf.Tensor1D;
}
