/**
 * Top Hessian eigenvalue by power iteration (as in PyHessian, Yao et al., 2020) on
 * finite-difference Hessian-vector products:
 *
 *     Hv ≈ ( ∇L(θ + h·v) − ∇L(θ − h·v) ) / (2h)        (error O(h²); exact for a quadratic)
 *     v₀ ~ N(0, I) seeded, ‖v₀‖ = 1
 *     λ_k = v_kᵀ H v_k,   v_{k+1} = H v_k / ‖H v_k‖
 *
 * stopping when |λ_k − λ_{k−1}| ≤ tol·|λ_k|. Norms and inner products run over all parameter
 * tensors together. Power iteration converges to the eigenvalue of largest MAGNITUDE, returned
 * with its sign (`which: 'magnitude'`, the default): near a minimum that is the largest positive
 * curvature, but at a saddle or away from a minimum it can be a large NEGATIVE eigenvalue. The
 * rate is |λ₂/λ₁| per iteration.
 *
 * `which: 'largest'` returns the largest ALGEBRAIC eigenvalue λ_max by a shift: first λ_m (largest
 * magnitude); if λ_m ≥ 0 it is λ_max. Otherwise the iteration runs again on H − λ_m·I, whose
 * eigenvalues λᵢ − λ_m are all ≥ 0, so its largest-magnitude one is λ_max − λ_m: λ_max = μ + λ_m.
 *
 * Grad-of-grad is deliberately not used: tfjs' second-order gradients are wrong for tanh and
 * throw for sigmoid, exp and softmax cross-entropy. Two first-order gradients work for any loss.
 */
import * as tf from '@tensorflow/tfjs';
import { InputError, checkNumber, checkVariables, dot, globalNorm, restore, scalarValue, snapshot } from '../core';
import { assignCombination, gradient, seededNormals } from './params';

export interface HessianOptions {
  /** Maximum power iterations (default 20). Each costs two gradients. */
  iterations?: number;
  /** Finite-difference step along the unit vector v (default 5e-3: in float32 the rounding error of the difference grows like 1e-7/h and the truncation error like h², which balance near there). */
  h?: number;
  /** Relative change of λ that counts as converged (default 1e-4). */
  tol?: number;
  /** Seed of v₀ (default 0). */
  seed?: number;
  /** 'magnitude' (default): the eigenvalue of largest magnitude, with its sign; 'largest': the largest algebraic one (via a shift). */
  which?: 'magnitude' | 'largest';
}

export interface HessianResult {
  /** λ: the Rayleigh quotient vᵀHv at the last iterate (plus the shift for `which: 'largest'`). */
  eigenvalue: number;
  /** Which eigenvalue `eigenvalue` is. */
  which: 'magnitude' | 'largest';
  /** The shift σ subtracted from H in the second pass of `which: 'largest'` (0 when there was none). */
  shift: number;
  /** Iterations run (both passes). */
  iterations: number;
  converged: boolean;
  /** λ after each iteration (of the last pass, shift added back). */
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

/** A Hessian eigenvalue of `loss` at the current θ (largest magnitude, or largest algebraic with `which: 'largest'`); θ is restored bit-exactly. */
export function topHessianEigenvalue(variables: tf.Variable[], loss: () => tf.Scalar, opts: HessianOptions = {}): HessianResult {
  checkVariables(FN, variables);
  if (typeof loss !== 'function') throw new InputError(`${FN}: loss must be a function returning a tf.Scalar (got ${typeof loss})`);
  const iterations = checkNumber(FN, 'iterations', opts.iterations ?? 20, { min: 1, integer: true });
  const h = checkNumber(FN, 'h', opts.h ?? 5e-3, { min: 0, exclusiveMin: true, hint: 'the finite-difference step must be positive' });
  const tol = checkNumber(FN, 'tol', opts.tol ?? 1e-4, { min: 0 });
  const seed = checkNumber(FN, 'seed', opts.seed ?? 0, { integer: true });
  const which = opts.which ?? 'magnitude';
  if (which !== 'magnitude' && which !== 'largest') throw new InputError(`${FN}: which must be 'magnitude' or 'largest' (got ${String(which)})`);

  const saved = snapshot(variables);
  try {
    const first = powerIteration(variables, loss, saved, { iterations, h, tol, seed }, 0);
    if (which === 'magnitude' || first.eigenvalue >= 0) return { ...first, which, shift: 0 };
    const second = powerIteration(variables, loss, saved, { iterations, h, tol, seed }, first.eigenvalue);
    return { ...second, which, shift: first.eigenvalue, iterations: first.iterations + second.iterations, converged: first.converged && second.converged };
  } finally {
    restore(variables, saved);
    tf.dispose(saved);
  }
}

/** Power iteration on H − shift·I; eigenvalues are reported with the shift added back. The variables are left perturbed. */
function powerIteration(
  variables: tf.Variable[],
  loss: () => tf.Scalar,
  saved: tf.Tensor[],
  o: { iterations: number; h: number; tol: number; seed: number },
  shift: number,
): { eigenvalue: number; iterations: number; converged: boolean; history: number[] } {
  let v = seededNormals(variables.map((x) => x.shape), o.seed);
  try {
    const n0 = scalarValue(() => globalNorm(v));
    const unit = tf.tidy(() => v.map((x) => tf.div(x, n0)));
    tf.dispose(v);
    v = unit;
    const history: number[] = [];
    let converged = false;
    for (let k = 0; k < o.iterations; k++) {
      const raw = hessianVector(variables, loss, saved, v, o.h);
      const hv = shift === 0 ? raw : tf.tidy(() => raw.map((x, i) => tf.sub(x, tf.mul(v[i], shift))));
      if (shift !== 0) tf.dispose(raw);
      const mu = scalarValue(() => dot(v, hv));
      const norm = scalarValue(() => globalNorm(hv));
      if (!Number.isFinite(mu) || !Number.isFinite(norm)) {
        tf.dispose(hv);
        // A finite vᵀHv means every entry of Hv is finite, so it is ‖Hv‖² that overflowed.
        const why = Number.isFinite(mu)
          ? `its norm overflows float32 (vᵀHv = ${mu}): the curvature is too large for float32; scale the loss down`
          : 'the loss or its gradient is NaN/Infinity near θ (try a smaller h)';
        throw new InputError(`${FN}: the Hessian-vector product is not finite at iteration ${k + 1}: ${why}`);
      }
      const lambda = mu + shift;
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
      if (prev !== undefined && Math.abs(lambda - prev) <= o.tol * Math.abs(lambda)) {
        converged = true;
        break;
      }
    }
    return { eigenvalue: history[history.length - 1], iterations: history.length, converged, history };
  } finally {
    tf.dispose(v);
  }
}
