/**
 * The paper's fine-tuning protocol at small scale (Appendix B): one pre-trained model per task; fine-tune it with
 * each method and seed; after every epoch measure the loss on the in-domain validation set and keep the
 * checkpoint with the lowest one (model selection on the training domain only); evaluate that checkpoint
 * zero-shot on the shifted domains. Adam with (β1, β2) = (0.9, 0.99) is the base optimizer of every method.
 */
import * as tf from '@tensorflow/tfjs';
import { Dataset, batchOf } from './data/dataset';
import { Task } from './tasks';
import { MethodSpec } from './methods';
import { LibraryStepper, Compare, DROPOUT_SEED_OFFSET } from './library-stepper';
import { MlpShape, Snapshot, initSnapshot, toVariables, snapshotOf, assignSnapshot, crossEntropy, forward } from './model';
import { accuracy, meanLoss, epsilonSharpness, featureCka, SharpnessOptions } from './metrics';
import { Rng } from './rng';


export interface ProtocolSettings {
  readonly pretrainEpochs: number;
  readonly pretrainLr: number;
  readonly fineTuneEpochs: number;
  readonly lr: number;
  readonly batchSize: number;
  readonly sharpness: SharpnessOptions;
  readonly ckaSamples: number;
}

/** Seed of the pre-trained model (initialisation and batch order); fine-tuning seeds vary. */
export const PRETRAIN_SEED = 7;

const adam = (lr: number) => tf.train.adam(lr, 0.9, 0.99, 1e-8);

/**
 * Plain Adam training from a seeded initialisation: the "pre-trained model" every method starts from. With
 * `shape.dropout` > 0 it trains in training mode (dropout masks from Rng(seed + DROPOUT_SEED_OFFSET)).
 */
export function pretrain(shape: MlpShape, data: Dataset, s: ProtocolSettings, seed = PRETRAIN_SEED): Snapshot {
  const rng = new Rng(seed);
  const dropRng = new Rng(seed + DROPOUT_SEED_OFFSET);
  const seeds = { next: () => dropRng.seed() };
  const vars = toVariables(initSnapshot(shape, rng), 'pretrain');
  const opt = adam(s.pretrainLr);
  const all = Array.from({ length: data.n }, (_, i) => i);
  for (let e = 0; e < s.pretrainEpochs; e++) {
    const order = rng.shuffle(all);
    for (let at = 0; at < order.length; at += s.batchSize) {
      const b = batchOf(data, order, at, s.batchSize);
      tf.tidy(() => {
        const x = tf.tensor2d(b.x, [b.n, data.dim]);
        const y = tf.tensor1d(b.y, 'int32');
        opt.minimize(() => crossEntropy(forward(shape, vars, x, undefined, seeds).logits, y, shape.classes), false, vars);
      });
    }
  }
  const snap = snapshotOf(vars);
  vars.forEach((v) => v.dispose());
  opt.dispose();
  return snap;
}

export interface DomainResult {
  readonly domain: string;
  readonly accuracy: number;
  readonly sharpness: number;
  readonly cka: number;
}

export interface RunResult {
  readonly task: string;
  readonly method: string;
  readonly seed: number;
  /** Epoch (1-based) of the checkpoint selected on in-domain validation loss. */
  readonly selectedEpoch: number;
  readonly valLoss: number[];
  readonly valAccuracy: number[];
  readonly inDomain: DomainResult;
  readonly shifted: DomainResult[];
  /** Mean over shifted domains. */
  readonly zeroShotAccuracy: number;
  readonly zeroShotSharpness: number;
  readonly zeroShotCka: number;
  /** Per-step ascent radius (d for TRAM), every step in order. */
  readonly radius: number[];
  /** TRAM only: the divergence d measured at every step, in order (equals `radius` unless d exceeds rhoMax). */
  readonly divergence?: number[];
  /** The run's dropout rate and, for TRAM, the optimizer's `compare` setting (absent in older results). */
  readonly dropout?: number;
  readonly compare?: Compare;
  readonly trainLoss: number[];
  readonly steps: number;
  /** Tensors left alive by the run (0 unless the implementation leaks). */
  readonly leakedTensors: number;
  readonly seconds: number;
}

function evaluateDomain(task: Task, w: Snapshot, pre: Snapshot, d: Dataset, sharpOn: Dataset, s: ProtocolSettings): DomainResult {
  return {
    domain: d.name,
    accuracy: accuracy(task.shape, w, d),
    sharpness: epsilonSharpness(task.shape, w, sharpOn, s.sharpness),
    cka: featureCka(task.shape, pre, w, d, s.ckaSamples),
  };
}

/** Evaluate a checkpoint on the in-domain test set and every shifted domain (sharpness in-domain on validation data). */
export function evaluate(task: Task, w: Snapshot, pre: Snapshot, s: ProtocolSettings): Pick<RunResult, 'inDomain' | 'shifted' | 'zeroShotAccuracy' | 'zeroShotSharpness' | 'zeroShotCka'> {
  const inDomain = evaluateDomain(task, w, pre, task.test, task.val, s);
  const shifted = task.shifted.map((d) => evaluateDomain(task, w, pre, d, d, s));
  const avg = (f: (r: DomainResult) => number) => shifted.reduce((a, r) => a + f(r), 0) / shifted.length;
  return { inDomain, shifted, zeroShotAccuracy: avg((r) => r.accuracy), zeroShotSharpness: avg((r) => r.sharpness), zeroShotCka: avg((r) => r.cka) };
}

/**
 * Fine-tune the pre-trained weights with one method and seed, select on validation loss, evaluate. `compare` is
 * passed to the TRAM methods' optimizer; dropout comes from `task.shape.dropout`.
 */
export function fineTune(task: Task, pre: Snapshot, method: MethodSpec, seed: number, s: ProtocolSettings, onStep?: () => void, compare?: Compare): RunResult {
  const t0 = Date.now();
  const tensorsBefore = tf.memory().numTensors;
  const vars = toVariables(pre, `ft-${task.name}-${seed}`);
  const opt = adam(s.lr);
  const stepper = new LibraryStepper(method, task.shape, vars, opt, seed, compare, Math.ceil(task.train.n / s.batchSize));
  const isTram = method.config.name === 'tram';
  const resolvedCompare = stepper.compare;
  const divergence: number[] = [];
  const order0 = Array.from({ length: task.train.n }, (_, i) => i);
  const rng = new Rng(seed);
  const radius: number[] = [];
  const trainLoss: number[] = [];
  const valLoss: number[] = [];
  const valAccuracy: number[] = [];
  let best: Snapshot | null = null;
  let bestLoss = Infinity;
  let selectedEpoch = 0;
  for (let e = 1; e <= s.fineTuneEpochs; e++) {
    const order = rng.shuffle(order0);
    for (let at = 0; at < order.length; at += s.batchSize) {
      const b = batchOf(task.train, order, at, s.batchSize);
      const x = tf.tensor2d(b.x, [b.n, task.train.dim]);
      const y = tf.tensor1d(b.y, 'int32');
      const f = stepper.step({ x, y });
      x.dispose();
      y.dispose();
      if (!Number.isFinite(f.loss)) throw new Error(`${method.label} on ${task.name}, seed ${seed}: loss became ${f.loss} at step ${trainLoss.length + 1}`);
      radius.push(f.radius);
      if (isTram) {
        if (f.divergence === undefined) throw new Error(`${method.label}: the optimizer reported no divergence d at step ${trainLoss.length + 1}`);
        divergence.push(f.divergence);
      }
      trainLoss.push(f.loss);
      onStep?.();
    }
    const snap = snapshotOf(vars);
    const vl = meanLoss(task.shape, snap, task.val);
    valLoss.push(vl);
    valAccuracy.push(accuracy(task.shape, snap, task.val));
    if (vl < bestLoss) {
      bestLoss = vl;
      best = snap;
      selectedEpoch = e;
    }
  }
  stepper.dispose(); // also frees the base optimizer's slots
  vars.forEach((v) => v.dispose());
  // Tensors still alive after the run's variables, optimizer and targets were freed: 0 when nothing leaks.
  const leakedTensors = tf.memory().numTensors - tensorsBefore;
  if (leakedTensors !== 0) throw new Error(`${method.label} left ${leakedTensors} tensors alive after fine-tuning: a step or dispose() does not free what it creates`);
  const ev = evaluate(task, best as Snapshot, pre, s);
  return {
    task: task.name,
    method: method.label,
    seed,
    selectedEpoch,
    valLoss,
    valAccuracy,
    ...ev,
    radius,
    ...(isTram ? { divergence, compare: resolvedCompare } : {}),
    dropout: task.shape.dropout ?? 0,
    trainLoss,
    steps: trainLoss.length,
    leakedTensors,
    seconds: (Date.now() - t0) / 1000,
  };
}
