/**
 * Experiment options `--dropout P` and `--compare MODE` (issue #12): they parse with clear errors, `--dropout`
 * makes the MLP drop units between layers in training mode only, `--compare` reaches the TRAM optimizer, and the
 * summary reports d per TRAM method.
 *
 * Dropout check (closed form): with W0 = W1 = W2 = I and zero biases, inference logits are tanh(tanh(x)); in
 * training mode with rate p each logit is 0 or tanh(tanh(x)/(1−p))/(1−p) (the first mask on tanh(e), the second
 * on h, inverted scaling 1/(1−p)).
 * Compare check: at step 1 of TRAM-θ0 the target is the current weights, so like-for-like (both in inference
 * mode) gives d = 0 exactly, while train-vs-inference with dropout gives d > 0 (dropout-on vs dropout-off logits).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { parseArgs, withDropout } from '../../kernel/experiments/main';
import { forward, MlpShape, toVariables, Snapshot } from '../../kernel/experiments/model';
import { LibraryStepper } from '../../kernel/experiments/library-stepper';
import { summarise } from '../../kernel/experiments/summary';
import { digitsTask } from '../../kernel/experiments/tasks';
import { METHODS } from '../../kernel/experiments/methods';
import type { RunResult } from '../../kernel/experiments/protocol';
import { Rng } from '../../kernel/experiments/rng';

test('--dropout and --compare parse, default to none, and reject bad values naming the fix', () => {
  const a = parseArgs(['--quick', '--dropout', '0.1', '--compare', 'like-for-like']);
  assert.equal(a.dropout, 0.1);
  assert.equal(a.compare, 'like-for-like');
  const d = parseArgs(['--quick']);
  assert.equal(d.dropout, 0);
  assert.equal(d.compare, undefined);
  assert.throws(() => parseArgs(['--quick', '--dropout', '1']), /--dropout takes a rate in \[0, 1\)/);
  assert.throws(() => parseArgs(['--quick', '--dropout', 'ten']), /--dropout takes a rate/);
  assert.throws(() => parseArgs(['--quick', '--dropout']), /--dropout needs a value/);
  assert.throws(() => parseArgs(['--quick', '--compare', 'train']), /--compare takes train-vs-inference or like-for-like/);
});

test('--dropout gives the task MLP dropout between layers; 0 leaves the task unchanged', () => {
  const task = digitsTask({ pretrain: 10, train: 10, val: 10, test: 10 });
  assert.equal(withDropout(task, 0.1).shape.dropout, 0.1);
  assert.equal(withDropout(task, 0).shape.dropout, undefined);
  assert.equal(task.shape.dropout, undefined, 'the original task is not modified');
});

const eye = (n: number) => Array.from({ length: n * n }, (_, i) => (i % (n + 1) === 0 ? 1 : 0));
const identityMlp = (p: number): { shape: MlpShape; snap: Snapshot } => ({
  shape: { inputs: 4, hidden: [4, 4], classes: 4, noiseAt: 'input', dropout: p },
  snap: {
    values: [eye(4), [0, 0, 0, 0], eye(4), [0, 0, 0, 0], eye(4), [0, 0, 0, 0]].map((v) => Float32Array.from(v)),
    shapes: [[4, 4], [4], [4, 4], [4], [4, 4], [4]],
  },
});

test('dropout acts in training mode only, with the closed-form inverted scaling, and reproduces from its seeds', () => {
  const p = 0.5;
  const { shape, snap } = identityMlp(p);
  const n = 200;
  const rng = new Rng(3);
  const xs = Array.from({ length: n * 4 }, () => 2 * rng.next() - 1);
  const w = snap.values.map((v, i) => tf.tensor(v, snap.shapes[i]));
  const x = tf.tensor2d(xs, [n, 4]);
  const seedsFrom = (s: number) => {
    const r = new Rng(s);
    return { next: () => r.seed() };
  };
  const inference = forward(shape, w, x).logits.arraySync().flat();
  const train1 = forward(shape, w, x, undefined, seedsFrom(11)).logits.arraySync().flat();
  const train2 = forward(shape, w, x, undefined, seedsFrom(11)).logits.arraySync().flat();
  let zeros = 0;
  xs.forEach((xi, i) => {
    assert.ok(Math.abs(inference[i] - Math.tanh(Math.tanh(xi))) < 1e-6, `inference logit ${i}`);
    const kept = Math.tanh(Math.tanh(xi) / (1 - p)) / (1 - p);
    const ok = Math.abs(train1[i]) < 1e-7 || Math.abs(train1[i] - kept) < 1e-5;
    assert.ok(ok, `training logit ${i} = ${train1[i]} is neither 0 nor ${kept}`);
    if (Math.abs(train1[i]) < 1e-7) zeros++;
  });
  // a logit survives when both of its units survive: P = (1 − p)² = 0.25, so ~600 of 800 are 0
  assert.ok(zeros > 0.6 * n * 4 && zeros < 0.9 * n * 4, `${zeros} of ${n * 4} logits dropped, expected about ${0.75 * n * 4}`);
  assert.deepEqual(train1, train2, 'the same seeds give the same masks');
  // without a rate, training mode is inference mode
  const noDrop = forward({ ...shape, dropout: 0 }, w, x, undefined, seedsFrom(11)).logits.arraySync().flat();
  assert.deepEqual(noDrop, inference);
  tf.dispose([...w, x]);
});

function firstStepD(p: number, compare?: 'train-vs-inference' | 'like-for-like', label = 'TRAM-θ0'): { d: number | undefined; stepper: LibraryStepper } {
  const shape: MlpShape = { inputs: 6, hidden: [8, 8], classes: 3, noiseAt: 'input', dropout: p };
  const rng = new Rng(5);
  const snap: Snapshot = {
    shapes: [[6, 8], [8], [8, 8], [8], [8, 3], [3]],
    values: [[6, 8], [8], [8, 8], [8], [8, 3], [3]].map((sh) => Float32Array.from({ length: sh.reduce((a, b) => a * b, 1) }, () => rng.next() - 0.5)),
  };
  const before = tf.memory().numTensors;
  const vars = toVariables(snap, `cmp-${label}-${p}-${compare}`);
  const base = tf.train.adam(1e-3);
  const spec = METHODS.find((m) => m.label === label);
  assert.ok(spec);
  const stepper = new LibraryStepper(spec, shape, vars, base, 1, compare);
  const x = tf.tensor2d(Array.from({ length: 16 * 6 }, () => rng.next() * 2 - 1), [16, 6]);
  const y = tf.tensor1d(Array.from({ length: 16 }, (_, i) => i % 3), 'int32');
  const f = stepper.step({ x, y }); // creates the Adam slots and the target copy
  const mid = tf.memory().numTensors;
  stepper.step({ x, y });
  assert.equal(tf.memory().numTensors, mid, 'a later step leaves the tensor count unchanged');
  tf.dispose([x, y]);
  stepper.dispose();
  vars.forEach((v) => v.dispose());
  assert.equal(tf.memory().numTensors, before);
  return { d: f.divergence, stepper };
}

test('--compare reaches the TRAM optimizer: with dropout, d at step 1 of TRAM-θ0 is 0 like-for-like and > 0 train-vs-inference', () => {
  const lfl = firstStepD(0.1, 'like-for-like');
  assert.equal(lfl.stepper.compare, 'like-for-like');
  assert.equal(lfl.d, 0);
  const tvi = firstStepD(0.1, 'train-vs-inference');
  assert.equal(tvi.stepper.compare, 'train-vs-inference');
  assert.ok((tvi.d as number) > 1e-4, `d = ${tvi.d}`);
  const dflt = firstStepD(0.1);
  assert.equal(dflt.stepper.compare, 'train-vs-inference', 'the library default');
  assert.equal(dflt.d, tvi.d, 'same seeds, same masks, same d');
  // no dropout: train and inference logits agree, so d = 0 either way (up to float rounding)
  assert.ok(Math.abs(firstStepD(0, 'train-vs-inference').d as number) < 1e-6);
  // Adam has no d and ignores --compare
  assert.equal(firstStepD(0.1, 'like-for-like', 'Adam').d, undefined);
});

test('the summary reports d per TRAM method: mean, median, max and the fraction of steps above ρ = 0.5', () => {
  const run = (method: string, seed: number, divergence?: number[]): RunResult => ({
    task: 't', method, seed, selectedEpoch: 1, valLoss: [1], valAccuracy: [0.5],
    inDomain: { domain: 'in', accuracy: 0.5, sharpness: 1, cka: 0.9 },
    shifted: [{ domain: 's', accuracy: 0.4, sharpness: 1, cka: 0.8 }],
    zeroShotAccuracy: 0.4, zeroShotSharpness: 1, zeroShotCka: 0.8,
    radius: divergence ?? [0, 0], trainLoss: [1, 1], steps: 2, leakedTensors: 0, seconds: 1,
    ...(divergence ? { divergence, compare: 'like-for-like' as const } : {}), dropout: 0.1,
  });
  const s = summarise([run('Adam', 1), run('TRAM-θ0', 1, [0.1, 0.6, 0.5]), run('TRAM-θ0', 2, [0.9, 0.2, 0.3])]);
  assert.equal(s[0].d, undefined);
  const d = s[1].d;
  assert.ok(d);
  // steps 0.1, 0.6, 0.5, 0.9, 0.2, 0.3: mean 2.6/6, median (0.3+0.5)/2, 2 of 6 strictly above 0.5
  assert.ok(Math.abs(d.mean - 2.6 / 6) < 1e-12);
  assert.ok(Math.abs(d.median - 0.4) < 1e-12);
  assert.equal(d.max, 0.9);
  assert.equal(d.fractionAboveRho, 2 / 6);
  assert.equal(d.compare, 'like-for-like');
  assert.equal(d.dropout, 0.1);
});
