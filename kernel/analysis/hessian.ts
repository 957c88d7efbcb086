/**
 * Top Hessian eigenvalue by power iteration (as in PyHessian, Yao et al., 2020) on
 * finite-difference Hessian-vector products:
 *
 *     Hv ≈ ( ∇L(θ + h·v) − ∇L(θ − h·v) ) / (2h)        (error O(h²); exact for a quadratic)
 *     v₀ ~ N(0, I) seeded, ‖v₀‖ = 1
 *     λ_k = v_kᵀ H v_k,   v_{k+1} = H v_k / ‖H v_k‖
 *
 * stopping when |λ_k − λ_{k−1}| ≤ tol·|λ_k|. Norms and inner products run over all parameter
 * tensors together. Power iteration converges to the eigenvalue of largest MAGNITUDE; at or near
 * a minimum that is the largest (positive) one, the usual sharpness measure. The rate is
 * |λ₂/λ₁| per iteration.
 *
 * Grad-of-grad is deliberately not used: tfjs' second-order gradients are wrong for tanh and
 * throw for sigmoid, exp and softmax cross-entropy. Two first-order gradients work for any loss.
 */
import * as tf from '@tensorflow/tfjs';
import { assignCombination, checkNumber, checkVariables, dot, globalNorm, gradient, restore, seededNormals, snapshot } from './params';

export interface HessianOptions {
  /** Maximum power iterations (default 20). Each costs two gradients. */
  iterations?: number;
  /** Finite-difference step along the unit vector v (default 5e-3: in float32 the rounding error of the difference grows like 1e-7/h and the truncation error like h², which balance near there). */
  h?: number;
  /** Relative change of λ that counts as converged (default 1e-4). */
  tol?: number;
  /** Seed of v₀ (default 0). */
  seed?: number;
}

export interface HessianResult {
  /** λ: the Rayleigh quotient vᵀHv at the last iterate. */
  eigenvalue: number;
  /** Iterations run. */
  iterations: number;
  converged: boolean;
  /** λ after each iteration. */
  history: number[];
}

const FN = 'topHessianEigenvalue';

/** Hv by central differences; θ is taken from `base` and the variables are left at θ − h·v. */
function hessianVector(variables: tf.Variable[], loss: () => tf.Scalar, base: tf.Tensor[], v: tf.Tensor[], h: number): tf.Tensor[] {
  assignCombination(variables, base, [[h, v]]);
  const plus = gradient(FN, variables, loss);
  assignCombination(variables, base, [[-h, v]]);
  const minus = gradient(FN, variables, loss);
  const hv = tf.tidy(() => plus.grads.map((g, i) => tf.div(tf.sub(g, minus.grads[i]), 2 * h)));
  tf.dispose([...plus.grads, ...minus.grads]);
  return hv;
}

/** Largest-magnitude Hessian eigenvalue of `loss` at the current θ; θ is restored bit-exactly. */
export function topHessianEigenvalue(variables: tf.Variable[], loss: () => tf.Scalar, opts: HessianOptions = {}): HessianResult {
  checkVariables(FN, variables);
  if (typeof loss !== 'function') throw new Error(`${FN}: loss must be a function returning a tf.Scalar (got ${typeof loss})`);
  const iterations = checkNumber(FN, 'iterations', opts.iterations ?? 20, { min: 1, integer: true });
  const h = checkNumber(FN, 'h', opts.h ?? 5e-3, { min: 0, exclusiveMin: true, hint: 'the finite-difference step must be positive' });
  const tol = checkNumber(FN, 'tol', opts.tol ?? 1e-4, { min: 0 });
  const seed = checkNumber(FN, 'seed', opts.seed ?? 0, { integer: true });

  const saved = snapshot(variables);
  let v = seededNormals(variables.map((x) => x.shape), seed);
  try {
    const n0 = globalNorm(v);
    const unit = tf.tidy(() => v.map((x) => tf.div(x, n0)));
    tf.dispose(v);
    v = unit;
    const history: number[] = [];
    let converged = false;
    for (let k = 0; k < iterations; k++) {
      const hv = hessianVector(variables, loss, saved, v, h);
      const lambda = dot(v, hv);
      const norm = globalNorm(hv);
      if (!Number.isFinite(lambda) || !Number.isFinite(norm)) {
        tf.dispose(hv);
        throw new Error(`${FN}: the Hessian-vector product is not finite at iteration ${k + 1}: the loss or its gradient is NaN/Infinity near θ (try a smaller h)`);
      }
      history.push(lambda);
      if (norm === 0) {
        tf.dispose(hv);
        converged = true;
        break;
      }
      const next = tf.tidy(() => hv.map((x) => tf.div(x, norm)));
      tf.dispose([...hv, ...v]);
      v = next;
      const prev = history[history.length - 2];
      if (prev !== undefined && Math.abs(lambda - prev) <= tol * Math.abs(lambda)) {
        converged = true;
        break;
      }
    }
    return { eigenvalue: history[history.length - 1], iterations: history.length, converged, history };
  } finally {
    restore(variables, saved);
    tf.dispose(v);
  }
}
