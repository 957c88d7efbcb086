/**
 * Flat-buffer base optimizers (#13): Adam and SGD with momentum whose slots hold every variable in ONE flat buffer,
 * so an update runs a fixed handful of element-wise kernels over all parameters at once instead of ~12 per
 * variable. Usable wherever a tf.Optimizer is (as the base of createOptimizer, or with model.compile).
 *
 * Maths: exactly tf.train.adam's and tf.train.momentum's, element-wise over g = concat(flatten(g₁), …, flatten(gₙ)):
 *   Adam      m ← β₁·m + (1−β₁)·g;   v ← β₂·v + (1−β₂)·g²;
 *             θ ← θ + (−η) · (m / (1−β₁ᵗ)) / (√(v / (1−β₂ᵗ)) + ε)     (β₁ᵗ, β₂ᵗ kept as running products, like tfjs)
 *   Momentum  a ← μ·a + g;   θ ← θ + (−η)·a       (Nesterov: θ ← θ + (−η)·(g + μ·a))
 * Per step: n reshapes + 1 concat for g, ~10 flat kernels, 1 split, then n reshape + n add + n assign for θ.
 *
 * Contract:
 *   - The variables are fixed by the first applyGradients (or setWeights); a later call must name the same set
 *     (any order). Every one needs a gradient: a missing one is an error (tfjs' optimizers skip such a variable).
 *   - getWeights()/setWeights() use tfjs' own layout: [iter, `${v}/m`…, `${v}/v`…] for Adam, [iter, `${v}/momentum`…]
 *     for momentum; so slots move between these and tf.train.adam / tf.train.momentum both ways. getWeights returns
 *     new tensors (the caller disposes them); restoring sets β^t = β^(iter+1), as tfjs does.
 *   - Every update runs in tf.tidy: tf.memory().numTensors is unchanged by a step.
 */
import * as tf from '@tensorflow/tfjs';
import { OptimConfigError } from '../core';

/** tfjs-core's { name, tensor } pair (not re-exported by @tensorflow/tfjs). */
type NamedTensor = { name: string; tensor: tf.Tensor };

type Grads = tf.NamedTensorMap | NamedTensor[];

interface Layout {
  names: string[];
  shapes: number[][];
  sizes: number[];
}

function checkNumber(cls: string, what: string, v: number, ok: (x: number) => boolean, rule: string): void {
  if (typeof v !== 'number' || !Number.isFinite(v) || !ok(v)) {
    throw new OptimConfigError(`${cls}: ${what} must be ${rule} (got ${v})`);
  }
}

/** Shared part: the variable layout, gathering the gradients flat, and spreading a flat delta onto the variables. */
abstract class FlatOptimizer extends tf.Optimizer {
  protected layout: Layout | null = null;

  protected abstract slotCount(): number;
  protected abstract createSlots(total: number): void;

  /** The gradients in layout order (building the layout on the first call). */
  protected ordered(grads: Grads): tf.Tensor[] {
    const pairs: Array<[string, tf.Tensor | null | undefined]> = Array.isArray(grads)
      ? grads.map((g) => [g.name, g.tensor])
      : Object.keys(grads).map((k) => [k, grads[k]]);
    if (!this.layout) {
      const vars = pairs.map(([n]) => this.variable(n));
      this.layout = { names: pairs.map(([n]) => n), shapes: vars.map((v) => v.shape), sizes: vars.map((v) => v.size) };
      this.createSlots(this.layout.sizes.reduce((a, b) => a + b, 0));
    }
    const L = this.layout;
    const byName = new Map(pairs);
    const extra = pairs.map(([n]) => n).filter((n) => !L.names.includes(n));
    if (extra.length || byName.size !== L.names.length) {
      throw new OptimConfigError(
        `${this.getClassName()}: it updates the variables [${L.names.join(', ')}] (fixed by its first step), but got gradients for ` +
          `[${pairs.map(([n]) => n).join(', ')}]: use one ${this.getClassName()} per set of variables`,
      );
    }
    return L.names.map((n, i) => {
      const g = byName.get(n);
      if (g == null) throw new OptimConfigError(`${this.getClassName()}: no gradient for variable '${n}': a flat optimizer updates every variable it holds; use tf.train.* for partial updates`);
      if (!tf.util.arraysEqual(g.shape, L.shapes[i])) {
        throw new OptimConfigError(`${this.getClassName()}: the gradient of '${n}' has shape [${g.shape}] but the variable has [${L.shapes[i]}]`);
      }
      return g;
    });
  }

  protected variable(name: string): tf.Variable {
    const v = tf.engine().registeredVariables[name];
    if (!v) throw new OptimConfigError(`${this.getClassName()}: no variable named '${name}' exists (was it disposed?)`);
    return v;
  }

  /** concat(flatten(gᵢ)) as float32. */
  protected flat(ts: tf.Tensor[]): tf.Tensor1D {
    return ts.length === 1 ? (tf.reshape(ts[0], [-1]) as tf.Tensor1D) : tf.concat(ts.map((t) => tf.reshape(t, [-1])));
  }

  /** θᵢ ← θᵢ + deltaᵢ for every variable, from one flat delta. */
  protected spread(delta: tf.Tensor1D): void {
    const L = this.layout as Layout;
    const parts = L.names.length === 1 ? [delta] : tf.split(delta, L.sizes);
    L.names.forEach((n, i) => {
      const v = this.variable(n);
      v.assign(tf.add(tf.reshape(parts[i], L.shapes[i]), v));
    });
  }

  /** Splits flat slot buffers back into tfjs-style named slot tensors (new tensors). */
  protected namedSlots(buffers: tf.Variable[], suffixes: string[]): NamedTensor[] {
    const L = this.layout;
    if (!L) return [];
    return tf.tidy(() => buffers.flatMap((b, k) => {
      const parts = L.names.length === 1 ? [b] : tf.split(b, L.sizes);
      return parts.map((p, i) => ({ name: `${L.names[i]}/${suffixes[k]}`, tensor: tf.keep(tf.reshape(p, L.shapes[i])) }));
    }));
  }

  /** Reads tfjs-style slot tensors ([iter] already removed) into the layout and flat buffers (one per suffix). */
  protected fromNamedSlots(weights: NamedTensor[], suffixes: string[]): tf.Tensor1D[] {
    const per = this.slotCount();
    if (weights.length % per !== 0) {
      throw new OptimConfigError(`${this.getClassName()}.setWeights: expected ${per} slot tensors per variable after 'iter', got ${weights.length}`);
    }
    const n = weights.length / per;
    const names = weights.slice(0, n).map((w) => {
      const cut = w.name.lastIndexOf(`/${suffixes[0]}`);
      if (cut < 0) throw new OptimConfigError(`${this.getClassName()}.setWeights: slot '${w.name}' is not named '<variable>/${suffixes[0]}'`);
      return w.name.slice(0, cut);
    });
    for (let k = 1; k < per; k++) {
      weights.slice(k * n, (k + 1) * n).forEach((w, i) => {
        if (w.name !== `${names[i]}/${suffixes[k]}`) {
          throw new OptimConfigError(`${this.getClassName()}.setWeights: expected slot '${names[i]}/${suffixes[k]}' at position ${k * n + i + 1}, got '${w.name}'`);
        }
      });
    }
    const shapes = weights.slice(0, n).map((w) => w.tensor.shape);
    this.layout = { names, shapes, sizes: shapes.map((s) => tf.util.sizeFromShape(s)) };
    return suffixes.map((_, k) => this.flat(weights.slice(k * n, (k + 1) * n).map((w) => tf.cast(w.tensor, 'float32'))));
  }
}

export interface FlatAdamOptions {
  learningRate?: number;
  beta1?: number;
  beta2?: number;
  /** default: the backend's epsilon (1e-7 in float32), as tf.train.adam */
  epsilon?: number;
}

/** Adam over one flat buffer; equal to tf.train.adam(learningRate, beta1, beta2, epsilon) within float rounding. */
export class FlatAdam extends FlatOptimizer {
  static className = 'FlatAdam';
  readonly learningRate: number;
  readonly beta1: number;
  readonly beta2: number;
  readonly epsilon: number;
  private m: tf.Variable | null = null;
  private v: tf.Variable | null = null;
  private accBeta1: tf.Variable;
  private accBeta2: tf.Variable;

  constructor(o: FlatAdamOptions = {}) {
    super();
    this.learningRate = o.learningRate ?? 0.001;
    this.beta1 = o.beta1 ?? 0.9;
    this.beta2 = o.beta2 ?? 0.999;
    this.epsilon = o.epsilon ?? tf.backend().epsilon();
    checkNumber('FlatAdam', 'learningRate', this.learningRate, (x) => x > 0, 'a number > 0');
    checkNumber('FlatAdam', 'beta1', this.beta1, (x) => x >= 0 && x < 1, 'in [0, 1)');
    checkNumber('FlatAdam', 'beta2', this.beta2, (x) => x >= 0 && x < 1, 'in [0, 1)');
    checkNumber('FlatAdam', 'epsilon', this.epsilon, (x) => x >= 0, 'a number >= 0');
    this.accBeta1 = tf.tidy(() => tf.scalar(this.beta1).variable(false));
    this.accBeta2 = tf.tidy(() => tf.scalar(this.beta2).variable(false));
  }

  protected slotCount(): number { return 2; }

  protected createSlots(total: number): void {
    this.m = tf.tidy(() => tf.zeros([total]).variable(false));
    this.v = tf.tidy(() => tf.zeros([total]).variable(false));
  }

  applyGradients(variableGradients: Grads): void {
    const grads = this.ordered(variableGradients);
    tf.tidy(() => {
      const g = this.flat(grads);
      const m = this.m as tf.Variable;
      const v = this.v as tf.Variable;
      const newM = tf.add(tf.mul(m, this.beta1), tf.mul(g, 1 - this.beta1));
      const newV = tf.add(tf.mul(v, this.beta2), tf.mul(tf.square(g), 1 - this.beta2));
      const mHat = tf.div(newM, tf.sub(1, this.accBeta1));
      const vHat = tf.div(newV, tf.sub(1, this.accBeta2));
      m.assign(newM);
      v.assign(newV);
      this.spread(tf.mul(tf.div(mHat, tf.add(tf.sqrt(vHat), this.epsilon)), -this.learningRate) as tf.Tensor1D);
      this.accBeta1.assign(tf.mul(this.accBeta1, this.beta1));
      this.accBeta2.assign(tf.mul(this.accBeta2, this.beta2));
    });
    this.incrementIterations();
  }

  async getWeights(): Promise<NamedTensor[]> {
    return [await this.saveIterations(), ...(this.m && this.v ? this.namedSlots([this.m, this.v], ['m', 'v']) : [])];
  }

  async setWeights(weightValues: NamedTensor[]): Promise<void> {
    const rest = await this.extractIterations(weightValues);
    tf.tidy(() => {
      this.accBeta1.assign(tf.pow(this.beta1, this.iterations + 1));
      this.accBeta2.assign(tf.pow(this.beta2, this.iterations + 1));
    });
    if (!rest.length) return;
    const [m, v] = tf.tidy(() => this.fromNamedSlots(rest, ['m', 'v']));
    this.m?.dispose();
    this.v?.dispose();
    this.m = m.variable(false);
    this.v = v.variable(false);
    tf.dispose([m, v]);
  }

  dispose(): void {
    tf.dispose([this.accBeta1, this.accBeta2, ...(this.m ? [this.m] : []), ...(this.v ? [this.v] : [])]);
    this.m = this.v = null;
  }

  getConfig(): tf.serialization.ConfigDict {
    return { learningRate: this.learningRate, beta1: this.beta1, beta2: this.beta2, epsilon: this.epsilon };
  }

  static fromConfig<T extends tf.serialization.Serializable>(cls: tf.serialization.SerializableConstructor<T>, config: tf.serialization.ConfigDict): T {
    return new cls(config) as T;
  }
}

export interface FlatMomentumOptions {
  learningRate: number;
  momentum: number;
  useNesterov?: boolean;
}

/** SGD with momentum over one flat buffer; equal to tf.train.momentum(learningRate, momentum, useNesterov). */
export class FlatMomentum extends FlatOptimizer {
  static className = 'FlatMomentum';
  readonly learningRate: number;
  readonly momentum: number;
  readonly useNesterov: boolean;
  private acc: tf.Variable | null = null;

  constructor(o: FlatMomentumOptions) {
    super();
    this.learningRate = o?.learningRate;
    this.momentum = o?.momentum;
    this.useNesterov = o?.useNesterov ?? false;
    checkNumber('FlatMomentum', 'learningRate', this.learningRate, (x) => x > 0, 'a number > 0');
    checkNumber('FlatMomentum', 'momentum', this.momentum, (x) => x >= 0, 'a number >= 0');
  }

  protected slotCount(): number { return 1; }

  protected createSlots(total: number): void {
    this.acc = tf.tidy(() => tf.zeros([total]).variable(false));
  }

  applyGradients(variableGradients: Grads): void {
    const grads = this.ordered(variableGradients);
    tf.tidy(() => {
      const g = this.flat(grads);
      const acc = this.acc as tf.Variable;
      const newAcc = tf.add(tf.mul(acc, this.momentum), g);
      const dir = this.useNesterov ? tf.add(g, tf.mul(newAcc, this.momentum)) : newAcc;
      acc.assign(newAcc);
      this.spread(tf.mul(dir, -this.learningRate) as tf.Tensor1D);
    });
    this.incrementIterations();
  }

  async getWeights(): Promise<NamedTensor[]> {
    return [await this.saveIterations(), ...(this.acc ? this.namedSlots([this.acc], ['momentum']) : [])];
  }

  async setWeights(weightValues: NamedTensor[]): Promise<void> {
    const rest = await this.extractIterations(weightValues);
    if (!rest.length) return;
    const [a] = tf.tidy(() => this.fromNamedSlots(rest, ['momentum']));
    this.acc?.dispose();
    this.acc = a.variable(false);
    a.dispose();
  }

  dispose(): void {
    this.acc?.dispose();
    this.acc = null;
  }

  getConfig(): tf.serialization.ConfigDict {
    return { learningRate: this.learningRate, momentum: this.momentum, useNesterov: this.useNesterov };
  }

  static fromConfig<T extends tf.serialization.Serializable>(cls: tf.serialization.SerializableConstructor<T>, config: tf.serialization.ConfigDict): T {
    return new cls(config) as T;
  }
}

tf.serialization.registerClass(FlatAdam);
tf.serialization.registerClass(FlatMomentum);
