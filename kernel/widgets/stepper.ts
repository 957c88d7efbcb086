/**
 * An optimizer step the reader takes stage by stage (the step-through API of kernel/optim, `optimizer.begin`):
 *
 *   stage 1  first gradient     g = ∇L(θ)                      L(θ), ‖g‖
 *   stage 2  divergence         d = D(q ‖ p)  (TRAM only)      d
 *   stage 3  radius             r = ρ, γ or d·scale            r
 *   stage 4  ε                  ε = r·P g/√(gᵀP g); θ ← θ + ε   ‖ε‖, ‖ε‖ per layer (bars)
 *   stage 5  perturbed gradient h = ∇L(θ + ε); θ restored      L(θ+ε), ‖h‖
 *   stage 6  descent            the base optimizer applies h   the step's report, θ after the step
 * (methods without an ascent have stages 1 and 6 only.)
 *
 *   const s = stepper(optimizer, model, batch);        // or stepper(optimizer, (w) => L(w), batch?, {start: [x, y]})
 *   s                                                  // shows: next stage / next step buttons, knobs, figures, chart
 *
 * Buttons: "next stage" runs one stage; "next step" finishes the step (or takes a whole one). Knobs, read from the
 * method config: a ρ, γ or σ slider and, for TRAM, a target select; a change rebuilds the optimizer from its
 * config with that value (its state starts fresh: getConfig/fromConfig) and re-runs the current step up to the
 * stage reached, from the same θ. With two parameters in all, the chart is the loss surface with the path of θ,
 * ε as an arrow and the step; otherwise bars of ‖ε‖ (or ‖g‖ before ε) per layer.
 * Memory: a finished step leaves tf.memory().numTensors as it was (the step's tensors are freed by descend).
 */
import * as tf from '@tensorflow/tfjs';
import { asModel, fromConfig, fromFunction, SharpnessAwareOptimizer, type Batch, type ModelAdapter, type ModelLike, type StepThrough } from '../optim';
import { barChart, trajectoryChart } from '../charts';
import type { MimeBundle } from '../protocol';
import { Box, Button, Output, Select, Slider, box, button, output, select, slider } from './controls';

type Stage = 'start' | 'first gradient' | 'divergence' | 'radius' | 'ε' | 'perturbed gradient' | 'descent';
type XY = [number, number];

export interface StepperOptions {
  /** The first point, for a loss function of a parameter vector (required then; e.g. [−0.6, 0.3]). */
  start?: number[];
  /** Two-parameter problems: the plane drawn under the point ([lo, hi] per axis; default the start ± 1). */
  surface?: { x?: [number, number]; y?: [number, number]; points?: number } | false;
  /** Slider ranges of the knobs (defaults: 0 … max(0.5, 4 × the value), 100 steps). */
  knobs?: Partial<Record<'rho' | 'gamma' | 'sigma', { min: number; max: number; step?: number }>>;
  title?: string;
}

const fmt = (v: number | undefined) => (v === undefined ? '—' : Math.abs(v) >= 1e-3 && Math.abs(v) < 1e4 ? Number(v.toPrecision(4)).toString() : v.toExponential(3));

const TRAM_TARGETS = ['x', 'theta0', 'theta-prev', 'ema'];

/** A two-way step-through of one optimizer on one model and batch (see the file comment). */
export class Stepper {
  readonly widget: Box;
  readonly figuresOut: Output;
  readonly chartOut: Output;
  readonly nextStageButton: Button;
  readonly nextStepButton: Button;
  readonly knobs: Record<string, Slider | Select> = {};
  private opt: SharpnessAwareOptimizer;
  private ownsOpt: boolean;
  private readonly model: ModelAdapter;
  private readonly batch: Batch;
  private readonly loss: SharpnessAwareOptimizer['loss'];
  private step: StepThrough | null = null;
  private stageIndex = 0;
  private stepNo = 0;
  private figures: Record<string, number | undefined> = {};
  private layerNorms: { names: string[]; values: number[]; what: string } | null = null;
  /** Two-parameter problems: θ path, ε at the current point, the surface. */
  private readonly plane: { path: XY[]; eps: XY | null; surface: { x: number[]; y: number[]; z: number[][] } | null } | null;
  private readonly title: string;
  private readonly ownedTensors: tf.Tensor[] = [];

  constructor(optimizer: SharpnessAwareOptimizer, target: ModelLike | ((w: tf.Tensor1D) => tf.Scalar), batch?: Batch, opts: StepperOptions = {}) {
    if (!(optimizer instanceof SharpnessAwareOptimizer)) {
      throw new TypeError('stepper needs an optimizer from createOptimizer(...) (a SharpnessAwareOptimizer), e.g. createOptimizer({name: \'sam\', rho: 0.05}, tf.train.sgd(0.1))');
    }
    this.title = opts.title ?? `${optimizer.name}: one step, stage by stage`;
    if (typeof target === 'function') {
      const fn = target;
      if (!Array.isArray(opts.start) || opts.start.length === 0 || opts.start.some((v) => typeof v !== 'number' || !Number.isFinite(v))) {
        throw new TypeError('stepper(optimizer, lossFn, …): give the first point as opts.start, e.g. {start: [-0.6, 0.3]}');
      }
      const w = tf.variable(tf.tensor1d(opts.start), true, undefined);
      this.ownedTensors.push(w);
      this.model = fromFunction([w], () => w.clone());
      const dummyX = tf.zeros([1, 1]);
      const dummyY = tf.zeros([1], 'int32');
      this.ownedTensors.push(dummyX, dummyY);
      this.batch = batch ?? { x: dummyX, y: dummyY };
      this.loss = ((out: tf.Tensor) => fn(out as tf.Tensor1D)) as SharpnessAwareOptimizer['loss'];
      this.opt = fromConfig(optimizer.getConfig(), { loss: this.loss });
      this.ownsOpt = true;
    } else {
      if (!batch || !(batch.x instanceof tf.Tensor) || !(batch.y instanceof tf.Tensor)) {
        throw new TypeError('stepper(optimizer, model, batch): batch must be {x: tf.Tensor, y: tf.Tensor}');
      }
      this.model = asModel(target);
      this.batch = batch;
      this.loss = optimizer.loss;
      this.opt = optimizer;
      this.ownsOpt = false;
    }
    const size = this.model.trainable.reduce((n, v) => n + v.size, 0);
    if (size === 2 && opts.surface !== false) {
      const p = this.point();
      const s = opts.surface || {};
      this.plane = { path: [p], eps: null, surface: this.surfaceGrid(s.x ?? [p[0] - 1, p[0] + 1], s.y ?? [p[1] - 1, p[1] + 1], s.points ?? 25) };
    } else this.plane = null;

    this.nextStageButton = button('next stage').onClick(() => this.nextStage());
    this.nextStepButton = button('next step').onClick(() => this.nextStep());
    const method = (this.opt.methodConfig ?? this.opt.getConfig().method) as Record<string, unknown>;
    const range = (name: 'rho' | 'gamma' | 'sigma', v: number) => {
      const max = Math.max(0.5, 4 * v);
      return opts.knobs?.[name] ?? { min: 0, max, step: 10 ** Math.floor(Math.log10(max / 100)) };
    };
    for (const [key, label] of [['rho', 'ρ'], ['gamma', 'γ']] as const) {
      if (typeof method[key] === 'number') {
        const v = method[key] as number;
        this.knobs[key] = slider({ label, ...range(key, v), value: v }).onChange((x) => this.rebuild({ [key]: x }));
      }
    }
    const noise = method.noise as { sigma?: number } | undefined;
    if (noise && typeof noise.sigma === 'number') {
      this.knobs.sigma = slider({ label: 'σ', ...range('sigma', noise.sigma), value: noise.sigma }).onChange((x) => this.rebuild({ noise: { ...(method.noise as object), sigma: x } }));
    }
    if (method.name === 'tram' && typeof method.target === 'string') {
      this.knobs.target = select({ label: 'TRAM target', options: TRAM_TARGETS, value: method.target }).onChange((t) => this.rebuild({ target: t }));
    }
    this.figuresOut = output();
    this.chartOut = output();
    const controls = box([this.nextStageButton, this.nextStepButton, ...Object.values(this.knobs)], { direction: 'row' });
    this.widget = box([controls, this.figuresOut, this.chartOut], { label: this.title });
    this.begin();
    this.render();
  }

  /** The stages of this optimizer's step, in order ('start' first). */
  get stages(): Stage[] {
    const s: Stage[] = ['start', 'first gradient'];
    const a = this.opt.ascent;
    if (a) {
      if (a.radius.kind === 'divergence') s.push('divergence');
      s.push('radius', 'ε', 'perturbed gradient');
    }
    s.push('descent');
    return s;
  }

  /** The stage shown now. */
  get stage(): Stage {
    return this.stages[this.stageIndex];
  }

  /** The figures measured so far in this step. */
  get values(): Readonly<Record<string, number | undefined>> {
    return { ...this.figures };
  }

  /** The optimizer taking the steps (a rebuilt one after a knob changed). */
  get optimizer(): SharpnessAwareOptimizer {
    return this.opt;
  }

  toMimeBundle(): MimeBundle {
    return this.widget.toMimeBundle();
  }

  /** Runs the next stage (after the descent: starts the next step at its first stage). */
  nextStage(): void {
    this.recovering(() => {
      if (this.stage === 'descent') this.begin();
      this.runStage(this.stageIndex + 1);
    });
  }

  /** Finishes this step (all its remaining stages), or takes a whole step when the last one is finished. */
  nextStep(): void {
    this.recovering(() => {
      if (this.stage === 'descent') this.begin();
      while (this.stage !== 'descent') this.runStage(this.stageIndex + 1);
    });
  }

  /**
   * Runs stages, then redraws. A stage that throws (a non-finite loss, a bad config) has already abandoned its
   * step (θ restored, StepThrough's contract): start a fresh one so the next click works, and rethrow so the
   * widget shows the error.
   */
  private recovering(f: () => void): void {
    try {
      f();
    } catch (e) {
      this.step = null;
      this.begin();
      this.render();
      throw e;
    }
    this.render();
  }

  /** Abandons the step in progress (θ restored) and frees what the stepper holds. */
  dispose(): void {
    this.step?.dispose();
    this.step = null;
    if (this.ownsOpt) this.opt.dispose();
    this.ownedTensors.forEach((t) => t.dispose());
    this.ownedTensors.length = 0;
    this.beforeStep?.forEach((t) => t.dispose());
    this.beforeStep = null;
    for (const w of [this.widget, ...this.widget.children, ...(this.widget.children[0] as Box).children]) w.disabled = true;
    this.widget.changed();
  }

  private begin(): void {
    this.step?.dispose();
    this.step = this.opt.begin(this.model, this.batch);
    this.stageIndex = 0;
    this.figures = {};
    this.layerNorms = null;
    if (this.plane) this.plane.eps = null;
    // θ at the start of this step, for a knob that re-takes it once finished.
    this.beforeStep?.forEach((t) => t.dispose());
    this.beforeStep = this.model.trainable.map((v) => v.clone());
  }

  private runStage(i: number): void {
    const st = this.step;
    if (!st) throw new Error('stepper: no step in progress (it was disposed)');
    const stage = this.stages[i];
    switch (stage) {
      case 'first gradient':
        Object.assign(this.figures, st.firstGradient());
        this.layerNorms = this.norms(st.gradient, '‖g‖');
        break;
      case 'divergence':
        Object.assign(this.figures, st.divergence());
        break;
      case 'radius':
        Object.assign(this.figures, st.radius());
        break;
      case 'ε': {
        Object.assign(this.figures, st.perturbation());
        this.layerNorms = this.norms(st.epsilon, '‖ε‖') ?? this.layerNorms;
        if (this.plane && st.epsilon) this.plane.eps = this.flat(st.epsilon) as XY;
        break;
      }
      case 'perturbed gradient':
        Object.assign(this.figures, st.perturbedGradient());
        break;
      case 'descent': {
        const r = st.descend();
        this.step = null;
        this.stepNo++;
        this.figures.descentGradNorm = r.descentGradNorm;
        if (r.skipped) this.figures.skipped = 1;
        if (this.plane) this.plane.path.push(this.point());
        break;
      }
      default:
        break;
    }
    this.stageIndex = i;
  }

  /** New method settings: rebuild the optimizer from its config, re-run this step from the same θ to the stage reached. */
  private rebuild(change: Record<string, unknown>): void {
    const reached = this.stageIndex;
    const cfg = this.opt.getConfig();
    const method: Record<string, unknown> = { ...cfg.method, ...change };
    if (method.name === 'tram' && method.target === 'x' && !method.noise) method.noise = { kind: 'gaussian', sigma: 0.1, seed: 0 };
    const next = fromConfig({ ...cfg, method }, { loss: this.loss }); // a refused config leaves everything as it was
    this.step?.dispose(); // θ back to where this step started
    this.step = null;
    if (this.ownsOpt) this.opt.dispose();
    this.opt = next;
    this.ownsOpt = true;
    const finished = this.stages[reached] === 'descent';
    if (finished && this.plane) this.plane.path.pop(); // re-take the finished step from where it started
    if (finished) {
      this.undoLastStep();
      this.stepNo--;
    }
    this.recovering(() => {
      this.begin();
      const target = Math.min(reached, this.stages.length - 1);
      while (this.stageIndex < target) this.runStage(this.stageIndex + 1);
    });
  }

  /** θ before the step just finished (kept when it finished), so that a knob re-runs that same step. */
  private undoLastStep(): void {
    if (this.beforeStep) this.model.trainable.forEach((v, i) => v.assign(this.beforeStep![i]));
  }
  private beforeStep: tf.Tensor[] | null = null;

  private norms(ts: tf.Tensor[] | null, what: string): { names: string[]; values: number[]; what: string } | null {
    if (!ts) return null;
    return { names: this.model.trainable.map((v) => v.name), values: ts.map((t) => tf.tidy(() => t.norm().dataSync()[0])), what };
  }

  private flat(ts: tf.Tensor[]): number[] {
    return ts.flatMap((t) => Array.from(t.dataSync()));
  }

  private point(): XY {
    return this.flat(this.model.trainable) as XY;
  }

  private surfaceGrid(xr: [number, number], yr: [number, number], n: number): { x: number[]; y: number[]; z: number[][] } {
    const xs = Array.from({ length: n }, (_, i) => xr[0] + ((xr[1] - xr[0]) * i) / (n - 1));
    const ys = Array.from({ length: n }, (_, i) => yr[0] + ((yr[1] - yr[0]) * i) / (n - 1));
    const vars = this.model.trainable;
    const saved = vars.map((v) => v.clone());
    try {
      const z = ys.map((y) => xs.map((x) => {
        let k = 0;
        const p = [x, y];
        vars.forEach((v) => {
          const vals = p.slice(k, k + v.size);
          k += v.size;
          tf.tidy(() => v.assign(tf.tensor(vals, v.shape, v.dtype)));
        });
        return tf.tidy(() => this.loss(this.model.forward(this.batch.x, false), this.batch).dataSync()[0]);
      }));
      return { x: xs, y: ys, z };
    } finally {
      vars.forEach((v, i) => v.assign(saved[i]));
      saved.forEach((t) => t.dispose());
    }
  }

  private render(): void {
    const stages = this.stages;
    const f = this.figures;
    const rows: [string, string, string][] = [
      ['first gradient', 'L(θ), ‖g‖', `${fmt(f.loss)}, ${fmt(f.gradNorm)}`],
      ['divergence', 'd', fmt(f.divergence)],
      ['radius', 'r', fmt(f.radius)],
      ['ε', '‖ε‖', fmt(f.perturbationNorm)],
      ['perturbed gradient', 'L(θ+ε), ‖h‖', `${fmt(f.perturbedLoss)}, ${fmt(f.perturbedGradNorm)}`],
      ['descent', '‖descent gradient‖', fmt(f.descentGradNorm)],
    ];
    const shown = rows.filter((r) => stages.includes(r[0] as Stage));
    const reached = (name: string) => stages.indexOf(name as Stage) <= this.stageIndex;
    const head = `step ${this.stepNo + (this.stage === 'descent' ? 0 : 1)} · stage ${this.stageIndex}/${stages.length - 1}: ${this.stage}`;
    const html = [
      `<div class="tram-stepper-figures"><b data-stage="${this.stage}">${head}</b>`,
      '<table>',
      ...shown.map(([name, what, v]) => `<tr${name === this.stage ? ' class="current"' : ''}><td>${reached(name) ? '●' : '○'} ${name}</td><td>${what}</td><td data-figure="${name}">${reached(name) ? v : ''}</td></tr>`),
      '</table>',
      this.plane ? `<div>${this.thetaLine()}</div>` : '',
      '</div>',
    ].join('');
    const text = [head, ...shown.filter((r) => reached(r[0])).map(([name, what, v]) => `${name}: ${what} = ${v}`)].join('\n');
    this.figuresOut.update({ 'text/html': html, 'text/plain': text });
    this.chartOut.update(this.chart());
  }

  /** θ of the step (the weights hold θ + ε between the ε and the perturbed-gradient stages). */
  private thetaLine(): string {
    const p = this.plane!.path[this.plane!.path.length - 1];
    const at = `θ = (${p.map((v) => fmt(v)).join(', ')})`;
    return this.stage === 'ε' ? `${at}; the weights hold θ + ε until the next stage` : at;
  }

  private chart(): unknown {
    if (this.plane) {
      const p = this.plane;
      const here = p.path[p.path.length - 1];
      const eps = p.eps;
      const prev = p.path.length > 1 ? p.path[p.path.length - 2] : null;
      const arrows = eps && this.stage !== 'descent' ? [{ from: here, to: [here[0] + eps[0], here[1] + eps[1]] as XY }] : [];
      return trajectoryChart({
        title: `${this.opt.name}: ${this.stage}${this.stage === 'descent' && prev ? ' (the step just taken ends the path)' : ''}`,
        xLabel: 'θ₁',
        yLabel: 'θ₂',
        width: 640,
        height: 440,
        surface: p.surface ? { ...p.surface, contours: 12 } : undefined,
        paths: [{ name: 'θ', points: p.path }],
        arrows,
        arrowsLabel: 'ε (θ → θ + ε)',
      });
    }
    // Before the first gradient: the weights' norms per layer, so that the picture is never empty.
    const n = this.layerNorms ?? this.norms(this.model.trainable, '‖θ‖')!;
    return barChart({
      title: `${n.what} per variable (${this.opt.name}, ${this.stage})`,
      xLabel: 'variable',
      yLabel: n.what,
      width: 640,
      height: 360,
      labels: n.names,
      series: [{ name: n.what, values: n.values }],
    });
  }
}

/** Builds a {@link Stepper}; show it as a cell's last expression or with display(). */
export function stepper(optimizer: SharpnessAwareOptimizer, target: ModelLike | ((w: tf.Tensor1D) => tf.Scalar), batch?: Batch, opts?: StepperOptions): Stepper {
  return new Stepper(optimizer, target, batch, opts);
}
