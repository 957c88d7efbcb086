/**
 * The fine-tuning methods compared in the experiments, as configurations in the golden-case format
 * (`../shared/golden/FORMAT.md`), and a compact step function for the experiment MLP that implements each
 * from the paper's equations. Notation: g = ∇L(θ) on the batch, ‖·‖ the 2-norm over all tensors, products
 * element-wise, 1e-12 added to every denominator norm. "Descend with h": restore θ exactly, then Adam applies h.
 *
 * - adam: descend with g.
 * - sam {rho}: ε = ρ·g/‖g‖ (Foret et al. 2021; paper Eq. 1); descend with ∇L(θ+ε).
 * - asam {rho, eta}: T = |θ|+η on kernels, 1 on biases; ε = ρ·T²g/‖Tg‖ (Kwon et al. 2021; paper Eq. 2).
 * - fisher-sam {gamma, eta}: f = 1+η·g²; ε = γ·(g/f)/√(Σ g²/f) (Kim et al. 2022; paper Eqs. 8–9).
 * - r3f {lambda, sigma}: descend with ∇[L(x) + λ·KLsym(f(x), f(x+z))], z ~ N(0, σ²) (Aghajanyan et al. 2021).
 * - asam+r3f: ASAM whose loss is L + λ·KLsym (the paper's naive combination, Appendix C.3).
 * - tram {target, decay?, sigma?}: d = KL(p_target ‖ p_current) per example, averaged over the batch, no gradient;
 *   ε = d·T²g/‖Tg‖ (paper Eq. 7); descend with ∇L(θ+ε) (Eq. 6). Targets: θ0 (pre-trained weights), θt−1 (the
 *   weights before the previous update), EMA of past weights, or x (current weights on x+z).
 * - tram-fisher {gamma, eta, sigma}: Fisher-SAM with g replaced by g_z = ∇L(θ) on the noised batch (paper Alg. 2).
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
  | { name: 'tram'; target: 'theta0' | 'theta-prev' | 'ema' | 'x'; eta: number; decay?: number; sigma?: number }
  | { name: 'tram-fisher'; gamma: number; eta: number; sigma: number };

export interface MethodSpec {
  /** Short label used in tables and charts. */
  readonly label: string;
  readonly config: MethodConfig;
}

/** Every method of the comparison at the paper's hyperparameters (Appendix B), in table order. */
export const METHODS: readonly MethodSpec[] = [
  { label: 'Adam', config: { name: 'adam' } },
  { label: 'SAM', config: { name: 'sam', rho: 0.05 } },
  { label: 'ASAM', config: { name: 'asam', rho: 0.5, eta: 0.01 } },
  { label: 'Fisher-SAM', config: { name: 'fisher-sam', gamma: 0.1, eta: 0.1 } },
  { label: 'R3F', config: { name: 'r3f', lambda: 0.1, sigma: 0.1 } },
  { label: 'ASAM+R3F', config: { name: 'asam+r3f', rho: 0.5, eta: 0.01, lambda: 0.1, sigma: 0.1 } },
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

/** Per-example KL(p‖q) from logits, averaged over the batch ("batchmean"). */
export function klBatchmean(targetLogits: tf.Tensor2D, currentLogits: tf.Tensor2D): tf.Scalar {
  const lp = tf.logSoftmax(targetLogits);
  const lq = tf.logSoftmax(currentLogits);
  return tf.sum(tf.exp(lp).mul(lp.sub(lq)), 1).mean() as tf.Scalar;
}

export const klSymmetric = (a: tf.Tensor2D, b: tf.Tensor2D): tf.Scalar => klBatchmean(a, b).add(klBatchmean(b, a)) as tf.Scalar;

export interface Batch {
  readonly x: tf.Tensor2D;
  readonly y: tf.Tensor1D;
}

/**
 * One method bound to a model's live variables and a base optimizer. `step` leaves the number of live tensors
 * unchanged (the Adam slots and the target weights are created at the first step and kept).
 */
export class MethodStepper {
  private target: tf.Tensor[] | null = null;
  private noiseSeed: number;

  constructor(
    readonly spec: MethodSpec,
    readonly shape: MlpShape,
    readonly vars: tf.Variable[],
    readonly base: tf.Optimizer,
    seed: number,
  ) {
    this.noiseSeed = seed;
    const c = spec.config;
    if (c.name === 'tram' && c.target !== 'x') this.target = vars.map((v) => tf.keep(v.clone()));
  }

  private noise(n: number, sigma: number): tf.Tensor2D {
    this.noiseSeed = (this.noiseSeed * 1103515245 + 12345) % 2147483647;
    return tf.randomNormal(noiseShape(this.shape, n), 0, sigma, 'float32', this.noiseSeed) as tf.Tensor2D;
  }

  private gradsOf(f: () => tf.Scalar): { value: tf.Scalar; grads: tf.Tensor[] } {
    const { value, grads } = tf.variableGrads(f, this.vars);
    return { value, grads: this.vars.map((v) => grads[v.name]) };
  }

  private taskLoss(b: Batch): tf.Scalar {
    return crossEntropy(forward(this.shape, this.vars, b.x).logits, b.y, this.shape.classes);
  }

  private r3fLoss(b: Batch, lambda: number, z: tf.Tensor2D): tf.Scalar {
    const clean = forward(this.shape, this.vars, b.x).logits;
    const noised = forward(this.shape, this.vars, b.x, z).logits;
    return crossEntropy(clean, b.y, this.shape.classes).add(klSymmetric(clean, noised).mul(lambda)) as tf.Scalar;
  }

  /** ASAM direction T²g/‖Tg‖ with T = |θ|+η on kernels (rank 2) and 1 on biases. */
  private asamDirection(g: tf.Tensor[], eta: number): tf.Tensor[] {
    const tg = g.map((gi, i) => (gi.rank >= 2 ? this.vars[i].abs().add(eta).mul(gi) : gi));
    const norm = tf.sqrt(tf.addN(tg.map((t) => t.square().sum()))).add(1e-12);
    return tg.map((t, i) => (g[i].rank >= 2 ? this.vars[i].abs().add(eta).mul(t) : t).div(norm));
  }

  private samDirection(g: tf.Tensor[]): tf.Tensor[] {
    const norm = tf.sqrt(tf.addN(g.map((t) => t.square().sum()))).add(1e-12);
    return g.map((t) => t.div(norm));
  }

  private fisherDirection(g: tf.Tensor[], eta: number): tf.Tensor[] {
    const u = g.map((t) => t.div(t.square().mul(eta).add(1)));
    const norm = tf.sqrt(tf.addN(g.map((t, i) => t.mul(u[i]).sum()))).add(1e-12);
    return u.map((t) => t.div(norm));
  }

  /** Ascend by ε, take the gradient of `f` there, restore θ exactly, and let the base optimizer descend. */
  private ascendDescend(eps: tf.Tensor[], f: () => tf.Scalar): void {
    const saved = this.vars.map((v) => v.clone());
    this.vars.forEach((v, i) => v.assign(v.add(eps[i])));
    const { grads } = this.gradsOf(f);
    this.vars.forEach((v, i) => v.assign(saved[i]));
    this.descend(grads);
  }

  private descend(grads: tf.Tensor[]): void {
    const map: tf.NamedTensorMap = {};
    this.vars.forEach((v, i) => (map[v.name] = grads[i]));
    this.base.applyGradients(map);
  }

  step(b: Batch): StepFigures {
    const c = this.spec.config;
    const figures: StepFigures = { loss: NaN, radius: 0 };
    tf.tidy(() => {
      const task = () => this.taskLoss(b);
      const n = b.x.shape[0];
      switch (c.name) {
        case 'adam': {
          const { value, grads } = this.gradsOf(task);
          figures.loss = value.dataSync()[0];
          this.descend(grads);
          break;
        }
        case 'sam':
        case 'asam':
        case 'fisher-sam': {
          const { value, grads } = this.gradsOf(task);
          figures.loss = value.dataSync()[0];
          const dir = c.name === 'sam' ? this.samDirection(grads) : c.name === 'asam' ? this.asamDirection(grads, c.eta) : this.fisherDirection(grads, c.eta);
          const r = c.name === 'fisher-sam' ? c.gamma : c.rho;
          figures.radius = r;
          this.ascendDescend(dir.map((t) => t.mul(r)), task);
          break;
        }
        case 'r3f': {
          const z = this.noise(n, c.sigma);
          const { grads } = this.gradsOf(() => this.r3fLoss(b, c.lambda, z));
          figures.loss = task().dataSync()[0];
          this.descend(grads);
          break;
        }
        case 'asam+r3f': {
          const z = this.noise(n, c.sigma);
          const reg = () => this.r3fLoss(b, c.lambda, z);
          const { grads } = this.gradsOf(reg);
          figures.loss = task().dataSync()[0];
          figures.radius = c.rho;
          this.ascendDescend(this.asamDirection(grads, c.eta).map((t) => t.mul(c.rho)), reg);
          break;
        }
        case 'tram': {
          let current!: tf.Tensor2D;
          const { value, grads } = this.gradsOf(() => {
            const out = forward(this.shape, this.vars, b.x).logits;
            current = tf.keep(out);
            return crossEntropy(out, b.y, this.shape.classes);
          });
          figures.loss = value.dataSync()[0];
          const targetLogits =
            c.target === 'x'
              ? forward(this.shape, this.vars, b.x, this.noise(n, c.sigma ?? 0.1)).logits
              : forward(this.shape, this.target as tf.Tensor[], b.x).logits;
          const d = klBatchmean(targetLogits, current);
          current.dispose();
          const dv = d.dataSync()[0];
          figures.divergence = dv;
          figures.radius = dv;
          if (this.target && c.target !== 'theta0') {
            // θ_tgt ← β·θ_tgt + (1−β)·θ_t: β = 0 for θt−1, `decay` for EMA (FORMAT.md, TRAM step 2)
            const beta = c.target === 'ema' ? (c.decay ?? 0.99) : 0;
            const next = this.target.map((t, i) => tf.keep(t.mul(beta).add(this.vars[i].mul(1 - beta))));
            this.target.forEach((t) => t.dispose());
            this.target = next;
          }
          this.ascendDescend(this.asamDirection(grads, c.eta).map((t) => t.mul(dv)), task);
          break;
        }
        case 'tram-fisher': {
          const z = this.noise(n, c.sigma);
          figures.loss = task().dataSync()[0];
          const { grads } = this.gradsOf(() => crossEntropy(forward(this.shape, this.vars, b.x, z).logits, b.y, this.shape.classes));
          figures.radius = c.gamma;
          this.ascendDescend(this.fisherDirection(grads, c.eta).map((t) => t.mul(c.gamma)), task);
          break;
        }
      }
    });
    return figures;
  }

  /** Frees the target weights and the base optimizer's slots. */
  dispose(): void {
    this.target?.forEach((t) => t.dispose());
    this.target = null;
    this.base.dispose();
  }
}
