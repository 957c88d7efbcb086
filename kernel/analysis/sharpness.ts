/**
 * ε-sharpness (Keskar et al., 2017, "On Large-Batch Training for Deep Learning", Metric 2.1) with
 * A = I, as the TRAM paper measures it (Appendix B.7, Table 6):
 *
 *     φ(θ, ε) = ( max_{y ∈ C_ε} L(θ + y) − L(θ) ) / ( 1 + L(θ) ) × 100,
 *     C_ε = { y : |yᵢ| ≤ bᵢ },  bᵢ = ε (|θᵢ| + 1)  (element-wise over every parameter).
 *
 * C_ε is a box, so the inner maximum is approached by ascent projected back onto the box,
 * Π(y)ᵢ = min(max(yᵢ, −bᵢ), bᵢ), from a start y₀ ∈ C_ε:
 *
 *     'sign' (default):  y_{k+1} = Π( y_k + α · b ⊙ sign ∇L(θ + y_k) )   (steepest ascent in the box's ∞-norm;
 *                        α = stepSize, default 0.5: a coordinate crosses the box in 4 steps)
 *     'gradient':        y_{k+1} = Π( y_k + lr · ∇L(θ + y_k) )             (lr = stepSize, default 1)
 *
 * max L is the largest loss over every evaluated iterate y₀ … y_steps (y = 0 included, so φ ≥ 0).
 * With `batches`, L is the batch mean and EVERY iterate is evaluated on ALL batches; only the
 * ascent direction uses batch k mod n (or `accumulate` consecutive ones). This is the one
 * ε-sharpness of the project: kernel/experiments measures its tables with it ('sign', α = 0.5,
 * zero start).
 * The paper maximised with SGD (LR 8e-5, batch 32, 4 accumulation steps, ε = 1e-5; the number of
 * ascent steps is not reported); Keskar et al. used L-BFGS-B with ε = 1e-3 or 5e-4.
 */
import * as tf from '@tensorflow/tfjs';
import { InputError, checkNumber, checkVariables, restore, snapshot } from '../core';
import { assignCombination, gradient, lossValue, uniformGenerator } from './params';

export interface SharpnessOptions {
  /** Box size ε (default 1e-3, Keskar et al.; the TRAM paper used 1e-5). */
  epsilon?: number;
  /** Number of ascent steps (default 20). */
  steps?: number;
  /** 'sign' (projected sign ascent, default) or 'gradient' (projected gradient ascent). */
  method?: 'sign' | 'gradient';
  /** 'sign': the fraction α of the box half-width b moved per step (default 0.5). 'gradient': the learning rate (default 1). */
  stepSize?: number;
  /** Same as `stepSize` for method 'gradient' (kept for existing callers). */
  lr?: number;
  /** Start point: 'random' (uniform in the box, seeded; default) or 'zero' (from θ: stalls where ∇L = 0 exactly). */
  start?: 'random' | 'zero';
  seed?: number;
  /** With `batches`: gradients of this many consecutive batches are averaged per ascent step (default 1; the paper used 4). */
  accumulate?: number;
}

export interface SharpnessResult {
  /** φ in percent. */
  sharpness: number;
  /** L(θ). */
  baseLoss: number;
  /** The largest L(θ + y) over the evaluated iterates. */
  maxLoss: number;
  /** Ascent steps taken. */
  steps: number;
  epsilon: number;
}

const FN = 'epsilonSharpness';

/**
 * ε-sharpness of `loss` around the current values of `variables`; θ is restored bit-exactly and
 * no tensor is left behind.
 *
 * Without `batches`, `loss()` is the whole objective. With `batches` (a finite iterable, read once
 * into an array), L is the mean of `loss(b)` over all batches (equal batch sizes assumed).
 */
export function epsilonSharpness(variables: tf.Variable[], loss: () => tf.Scalar, opts?: SharpnessOptions): SharpnessResult;
export function epsilonSharpness<B>(variables: tf.Variable[], loss: (batch: B) => tf.Scalar, opts: SharpnessOptions & { batches: Iterable<B> }): SharpnessResult;
export function epsilonSharpness<B>(
  variables: tf.Variable[],
  loss: ((batch: B) => tf.Scalar) | (() => tf.Scalar),
  opts: SharpnessOptions & { batches?: Iterable<B> } = {},
): SharpnessResult {
  checkVariables(FN, variables);
  if (typeof loss !== 'function') throw new InputError(`${FN}: loss must be a function returning a tf.Scalar (got ${typeof loss})`);
  const epsilon = checkNumber(FN, 'epsilon', opts.epsilon ?? 1e-3, { min: 0, hint: 'the box is |yᵢ| ≤ ε(|θᵢ|+1)' });
  const steps = checkNumber(FN, 'steps', opts.steps ?? 20, { min: 0, integer: true });
  const method = opts.method ?? 'sign';
  if (method !== 'sign' && method !== 'gradient') throw new InputError(`${FN}: method must be 'sign' or 'gradient' (got ${String(method)})`);
  if (opts.lr !== undefined && method === 'sign') throw new InputError(`${FN}: lr is the step of method 'gradient'; for 'sign' set stepSize (a fraction of the box half-width), or pass method: 'gradient'`);
  const stepSize = method === 'sign'
    ? checkNumber(FN, 'stepSize', opts.stepSize ?? 0.5, { min: 0, exclusiveMin: true, hint: "for method 'sign' it is a fraction of the box half-width" })
    : checkNumber(FN, opts.lr !== undefined ? 'lr' : 'stepSize', opts.stepSize ?? opts.lr ?? 1, { min: 0, exclusiveMin: true });
  const accumulate = checkNumber(FN, 'accumulate', opts.accumulate ?? 1, { min: 1, integer: true });
  const seed = checkNumber(FN, 'seed', opts.seed ?? 0, { integer: true });
  const start = opts.start ?? 'random';
  if (start !== 'random' && start !== 'zero') throw new InputError(`${FN}: start must be 'random' or 'zero' (got ${String(start)})`);
  const given = opts.batches;
  if (given !== undefined && (given === null || typeof (given as Iterable<B>)[Symbol.iterator] !== 'function')) {
    throw new InputError(`${FN}: batches must be a finite iterable (e.g. an array) of batches (got ${given === null ? 'null' : typeof given})`);
  }
  const batches = given === undefined ? undefined : Array.from(given);
  if (batches && batches.length === 0) throw new InputError(`${FN}: batches must be a non-empty iterable when given (got no batches)`);

  const onBatch = (b: B | undefined) => (): tf.Scalar => (batches ? (loss as (b: B) => tf.Scalar)(b as B) : (loss as () => tf.Scalar)());
  const fullLoss = (): number => {
    if (!batches) return lossValue(FN, onBatch(undefined));
    let s = 0;
    for (const b of batches) s += lossValue(FN, onBatch(b));
    return s / batches.length;
  };

  const saved = snapshot(variables);
  const bounds = tf.tidy(() => saved.map((t) => tf.mul(tf.add(tf.abs(t), 1), epsilon)));
  let y: tf.Tensor[] = [];
  try {
    const baseLoss = fullLoss();
    if (!Number.isFinite(baseLoss)) throw new InputError(`${FN}: the loss at θ is ${baseLoss}: sharpness needs a finite loss`);
    y = start === 'zero' ? saved.map((t) => tf.zerosLike(t)) : randomInBox(bounds, seed);
    let maxLoss = baseLoss;
    const seen = (value: number, k: number) => {
      if (!Number.isFinite(value)) throw new InputError(`${FN}: the loss became ${value} at ascent step ${k}: lower ${method === 'sign' ? 'stepSize' : 'lr'} or epsilon`);
      if (value > maxLoss) maxLoss = value;
    };

    assignCombination(variables, saved, [[1, y]]);
    // L at y₀: without batches it comes with the first gradient; with them (and a random start) it is evaluated here
    if (batches && start === 'random') seen(fullLoss(), 0);
    let cursor = 0;
    for (let k = 0; k < steps; k++) {
      // gradient at θ + y_k (the variables already hold it), averaged over `accumulate` batches
      let g: tf.Tensor[] | undefined;
      let value = 0;
      const parts = batches ? accumulate : 1;
      for (let j = 0; j < parts; j++) {
        const b = batches ? batches[cursor++ % batches.length] : undefined;
        const r = gradient(FN, variables, onBatch(b));
        value += r.value / parts;
        if (!g) g = r.grads;
        else {
          const sum = tf.tidy(() => g!.map((x, i) => tf.add(x, r.grads[i])));
          tf.dispose([...g, ...r.grads]);
          g = sum;
        }
      }
      if (!Number.isFinite(value)) {
        tf.dispose(g!);
        seen(value, k); // the loss of y_k, which ascent step k reached
      }
      if (!batches) seen(value, k);
      const next = tf.tidy(() =>
        y.map((yi, i) => {
          const move = method === 'sign' ? tf.mul(tf.sign(g![i]), tf.mul(bounds[i], stepSize)) : tf.mul(g![i], stepSize / parts);
          return tf.minimum(tf.maximum(tf.add(yi, move), tf.neg(bounds[i])), bounds[i]);
        }));
      tf.dispose([...g!, ...y]);
      y = next;
      assignCombination(variables, saved, [[1, y]]);
      if (batches) seen(fullLoss(), k + 1); // every iterate on all batches
    }
    if (!batches) seen(fullLoss(), steps);
    return { sharpness: ((maxLoss - baseLoss) / (1 + baseLoss)) * 100, baseLoss, maxLoss, steps, epsilon };
  } finally {
    restore(variables, saved);
    tf.dispose(saved);
    tf.dispose([...bounds, ...y]);
  }
}

/** A point drawn uniformly from the box |yᵢ| ≤ bᵢ, from a seeded stream. */
function randomInBox(bounds: readonly tf.Tensor[], seed: number): tf.Tensor[] {
  const u = uniformGenerator(seed);
  return bounds.map((b) => {
    const data = new Float32Array(b.size);
    for (let i = 0; i < data.length; i++) data[i] = 2 * u() - 1;
    return tf.tidy(() => tf.mul(tf.tensor(data, b.shape, 'float32'), b));
  });
}
