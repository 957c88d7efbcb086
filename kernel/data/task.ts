/**
 * The fine-tuning task the component notebooks share (a small stand-in for the paper's pre-train → fine-tune →
 * zero-shot setting): a 784-64-32-10 tanh network pre-trained with Adam on upright digits, then fine-tuned on
 * digits rotated by `rotation` degrees; "forgetting" is measured on upright digits never trained on.
 *
 *   upright       perClass·10 upright digits (pre-training data)
 *   rotatedTrain  fineTunePerClass·10 rotated digits (fine-tuning data; a different slice)
 *   probe         held-out upright digits          rotatedTest   the same held-out digits, rotated
 *   pretrained    the pre-trained network (Adam, lr 3e-3, `pretrainSteps` full-batch steps, fixed seeds)
 *   makeNet()     a fresh network of the same architecture and initial seeds
 *   fresh()       a copy of the pre-trained network (to fine-tune)
 *   features(m, x)  the penultimate (32-unit) features [n, 32], the representation CKA compares
 *   accuracy(m, d)  top-1 accuracy as a number
 *   fineTune(method, o)  copies the pre-trained network and takes `steps` steps of `method` around
 *                        Adam(lr, 0.9, 0.99) on rotatedTrain; returns the model and every step's report
 *
 * Deterministic: the same options give the same weights on a backend.
 */
import * as tf from '@tensorflow/tfjs';
import { createOptimizer } from '../optim/config';
import { StepReport } from '../optim/report';
import { loadDigits } from './digits';

export interface DigitsTaskOptions {
  /** Upright pre-training digits per class (default 80). */
  perClass?: number;
  /** Rotated fine-tuning digits per class (default 30). */
  fineTunePerClass?: number;
  /** Held-out digits per class for probe/rotatedTest (default 20). */
  heldOutPerClass?: number;
  /** Degrees of the shifted domain (default 45). */
  rotation?: number;
  /** Full-batch Adam steps of pre-training (default 40). */
  pretrainSteps?: number;
}

export interface FineTuneOptions {
  /** Steps (default 60). */
  steps?: number;
  /** Adam learning rate (default 1e-2). */
  lr?: number;
  /** Called after every step with its report. */
  onStep?: (report: StepReport, model: tf.Sequential) => void;
}

type Digits = { x: tf.Tensor2D; y: tf.Tensor1D };

export interface DigitsTask {
  upright: Digits;
  rotatedTrain: Digits;
  probe: Digits;
  rotatedTest: Digits;
  pretrained: tf.Sequential;
  makeNet(): tf.Sequential;
  fresh(): tf.Sequential;
  features(m: tf.Sequential, x: tf.Tensor): tf.Tensor2D;
  accuracy(m: tf.LayersModel, d: { x: tf.Tensor; y: tf.Tensor }): number;
  fineTune(method: Record<string, unknown>, o?: FineTuneOptions): { model: tf.Sequential; reports: StepReport[] };
}

function positiveInt(name: string, v: number): number {
  if (!Number.isInteger(v) || v < 1) throw new RangeError(`pretrainedDigitsTask: ${name} must be a whole number >= 1 (got ${v})`);
  return v;
}

/** Builds (and pre-trains) the shared digits task. */
export function pretrainedDigitsTask(o: DigitsTaskOptions = {}): DigitsTask {
  const perClass = positiveInt('perClass', o.perClass ?? 80);
  const fineTunePerClass = positiveInt('fineTunePerClass', o.fineTunePerClass ?? 30);
  const heldOut = positiveInt('heldOutPerClass', o.heldOutPerClass ?? 20);
  const rotation = o.rotation ?? 45;
  const pretrainSteps = positiveInt('pretrainSteps', o.pretrainSteps ?? 40);
  const upright = loadDigits(perClass, 0, 0);
  const rotatedTrain = loadDigits(fineTunePerClass, 100, rotation);
  const probe = loadDigits(heldOut, 200, 0);
  const makeNet = (): tf.Sequential =>
    tf.sequential({
      layers: [
        tf.layers.dense({ inputShape: [784], units: 64, activation: 'tanh', kernelInitializer: tf.initializers.glorotUniform({ seed: 11 }) }),
        tf.layers.dense({ units: 32, activation: 'tanh', kernelInitializer: tf.initializers.glorotUniform({ seed: 12 }) }),
        tf.layers.dense({ units: 10, kernelInitializer: tf.initializers.glorotUniform({ seed: 13 }) }),
      ],
    });
  const pretrained = makeNet();
  const pre = createOptimizer({ name: 'adam' }, tf.train.adam(3e-3));
  for (let e = 0; e < pretrainSteps; e++) pre.step(pretrained, upright);
  pre.dispose();
  const rotatedTest = loadDigits(heldOut, 200, rotation);
  const fresh = (): tf.Sequential => {
    const m = makeNet();
    m.setWeights(pretrained.getWeights());
    return m;
  };
  return {
    upright,
    rotatedTrain,
    probe,
    rotatedTest,
    pretrained,
    makeNet,
    fresh,
    features: (m, x) => tf.tidy(() => m.layers[1].apply(m.layers[0].apply(x)) as tf.Tensor2D),
    accuracy: (m, d) => tf.tidy(() => (m.predict(d.x) as tf.Tensor).argMax(1).equal(d.y).mean().dataSync()[0]),
    fineTune(method, f = {}) {
      const model = fresh();
      const opt = createOptimizer(method, tf.train.adam(f.lr ?? 1e-2, 0.9, 0.99));
      const reports: StepReport[] = [];
      for (let t = 0; t < (f.steps ?? 60); t++) {
        const r = opt.step(model, rotatedTrain);
        reports.push(r);
        f.onStep?.(r, model);
      }
      opt.dispose();
      return { model, reports };
    },
  };
}
