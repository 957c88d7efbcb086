/**
 * Library faults, as a user meets them: cells of one notebook run by `tram run` in the kernel, with the
 * library preloaded. Each fault's error must name the problem (method and step for non-finite values, the
 * parameter and the value for bad hyperparameters) in that cell, and a throwing step must free its tensors.
 */
import { cellText, errorCells, fileChecks, outcome, runNotebook, tail, type Check, type NotebookRun } from './runner';
import type { Row } from './table';

const SETUP = `const mlp = (hidden: number) => tf.sequential({ layers: [
  tf.layers.dense({ inputShape: [4], units: hidden, activation: 'tanh', kernelInitializer: tf.initializers.glorotUniform({ seed: 1 }) }),
  tf.layers.dense({ units: 3, kernelInitializer: tf.initializers.glorotUniform({ seed: 2 }) }),
] });
const model = mlp(8);
const x = tf.randomNormal([8, 4], 0, 1, 'float32', 1);
const y = tf.tensor1d([0, 1, 2, 0, 1, 2, 0, 1], 'int32');
const nanX = tf.fill([8, 4], NaN);
const weights = () => JSON.stringify(model.getWeights().map((w) => Array.from(w.dataSync())));
const opt = createOptimizer({ name: 'tram', target: 'theta-prev' }, tf.train.sgd(0.1));
opt.step(model, { x: x, y: y });
console.log('ready');`;

interface LibFault {
  fault: string;
  expected: string;
  code: string;
  shows: RegExp;
  error: boolean;
}

const FAULTS: LibFault[] = [
  {
    fault: 'NaN loss',
    expected: 'NonFiniteError naming method and step, in that cell',
    code: 'opt.step(model, { x: nanX, y: y });',
    shows: /NonFiniteError: tram: non-finite loss \(NaN\) at step 2/,
    error: true,
  },
  {
    fault: "NaN loss with onNonFinite: 'skip'",
    expected: 'step skipped, weights unchanged',
    code: `const skipper = createOptimizer({ name: 'asam' }, tf.train.sgd(0.1), { onNonFinite: 'skip' });
const w0 = weights();
const report = skipper.step(model, { x: nanX, y: y });
console.log('skipped', report.skipped, weights() === w0);`,
    shows: /skipped true true/,
    error: false,
  },
  {
    fault: 'infinite gradient (finite loss)',
    expected: 'NonFiniteError naming the gradient, method and step',
    code: `const w = tf.variable(tf.zeros([1]));
const sqrtModel = fromFunction([w], (inp) => tf.concat([tf.zerosLike(inp), tf.mul(tf.sqrt(w), tf.onesLike(inp))], 1));
const sam = createOptimizer({ name: 'sam' }, tf.train.sgd(0.1));
sam.step(sqrtModel, { x: tf.ones([2, 1]), y: tf.tensor1d([0, 1], 'int32') });`,
    shows: /sam: non-finite gradient \((NaN|Infinity)\) at step 1/,
    error: true,
  },
  {
    fault: 'negative hyperparameter (rho = -1)',
    expected: 'OptimConfigError "rho must be >= 0 (got -1)"',
    code: "createOptimizer({ name: 'sam', rho: -1 }, tf.train.sgd(0.1));",
    shows: /OptimConfigError: rho must be >= 0 \(got -1\)/,
    error: true,
  },
  {
    fault: 'NaN hyperparameter (gamma = NaN)',
    expected: 'OptimConfigError "gamma must be a finite number (got NaN)"',
    code: "createOptimizer({ name: 'fisher-sam', gamma: NaN }, tf.train.sgd(0.1));",
    shows: /OptimConfigError: gamma must be a finite number \(got NaN\)/,
    error: true,
  },
  {
    fault: 'target model of the wrong shape',
    expected: 'OptimConfigError naming both shapes',
    code: `const other = mlp(5);
const toTheta0 = createOptimizer({ name: 'tram', target: 'theta0' }, tf.train.sgd(0.1), { initialTarget: other });
toTheta0.step(model, { x: x, y: y });`,
    shows: /OptimConfigError: target weights do not match the model: tensor 0 has shape \[4,5\] but the model's has \[4,8\]/,
    error: true,
  },
  {
    fault: 'disposal when a step throws',
    expected: 'tf.memory().numTensors unchanged after 6 failed steps',
    code: `const before = tf.memory().numTensors;
const names: string[] = [];
for (let i = 0; i < 5; i++) {
  try { opt.step(model, { x: nanX, y: y }); } catch (e) { names.push((e as Error).name); }
}
try { toTheta0.step(model, { x: x, y: y }); } catch (e) { names.push((e as Error).name); }
console.log('numTensors', before, tf.memory().numTensors, names.join(','));`,
    shows: /numTensors (\d+) \1 (NonFiniteError,){5}OptimConfigError/,
    error: false,
  },
];

let shared: Promise<NotebookRun> | undefined;

export function libraryRows(): Row[] {
  return FAULTS.map((f, k): Row => ({
    group: 'library',
    fault: f.fault,
    host: 'tram run (kernel)',
    expected: f.expected,
    timeoutS: 200,
    async run() {
      shared ??= runNotebook('library-faults', [SETUP, ...FAULTS.map((g) => g.code), "console.log('alive', tf.memory().numTensors > 0);"], ['--allow-errors', '--timeout', '60'], { wallS: 180 });
      const r = await shared;
      const i = k + 1;
      const text = cellText(r, i);
      const errs = errorCells(r);
      const want = FAULTS.map((g, j) => (g.error ? j + 1 : -1)).filter((j) => j > 0);
      const checks: Check[] = [
        { ok: /ready/.test(cellText(r, 0)), text: /ready/.test(cellText(r, 0)) ? 'setup ran' : `✗ setup: ${JSON.stringify(cellText(r, 0).slice(0, 200))}` },
        { ok: f.shows.test(text) && errs.includes(i) === f.error, text: f.shows.test(text) ? `cell ${i}: ${JSON.stringify(text.trim().split('\n')[0].slice(0, 90))}` : `✗ cell ${i}: ${JSON.stringify(text.slice(0, 200))}` },
        { ok: errs.every((j) => want.includes(j)), text: errs.every((j) => want.includes(j)) ? 'no other cell failed' : `✗ errors in cells ${errs} (expected ${want})` },
        { ok: /alive true/.test(cellText(r, FAULTS.length + 1)), text: /alive true/.test(cellText(r, FAULTS.length + 1)) ? 'kernel alive after' : '✗ last cell did not run' },
        ...fileChecks(r),
      ];
      return { ...outcome(checks), details: tail(r) };
    },
  }));
}
