/**
 * Golden-case runner: reproduces the float64 reference records of `test/golden/cases` (see test/golden/FORMAT.md) with
 * the float32 library and compares every parameter and trace figure: pass when |got − want| ≤ atol + rtol·|want|.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { createOptimizer } from '../optim/config';
import { fromFunction } from '../optim/model';
import { divergence as evalDivergence, DivergenceSpec } from '../optim/divergences';
import { linearCka } from '../core';
import { initBackend, registerWasmTrainingKernels } from '../backend';

export interface Tolerance {
  rtol: number;
  atol: number;
}

export interface CaseResult {
  name: string;
  ok: boolean;
  /** Largest |got − want| over everything compared. */
  maxError: number;
  /** Largest |got − want| / (atol + rtol·|want|): the case passes when this is ≤ 1. */
  worstRatio: number;
  tolerance: Tolerance;
  checked: number;
  /** What failed (first few), or an error message. */
  failures: string[];
}

class Comparer {
  maxError = 0;
  worstRatio = 0;
  checked = 0;
  failures: string[] = [];
  constructor(readonly tol: Tolerance) {}
  check(what: string, got: number, want: number): void {
    const err = Math.abs(got - want);
    const bound = this.tol.atol + this.tol.rtol * Math.abs(want);
    const ratio = Number.isFinite(err) ? err / bound : Infinity;
    this.checked++;
    if (!(err <= this.maxError)) this.maxError = Number.isFinite(err) ? Math.max(this.maxError, err) : Infinity;
    if (!(ratio <= this.worstRatio)) this.worstRatio = ratio;
    if (!(err <= bound) && this.failures.length < 5) this.failures.push(`${what}: got ${got}, want ${want}`);
  }
  result(name: string): CaseResult {
    return {
      name,
      ok: this.failures.length === 0 && this.checked > 0,
      maxError: this.maxError,
      worstRatio: this.worstRatio,
      tolerance: this.tol,
      checked: this.checked,
      failures: this.failures,
    };
  }
}

type Nested = number | Nested[];
function flat(a: Nested): number[] {
  return Array.isArray(a) ? a.flatMap(flat) : [a];
}

interface StepCase {
  name: string;
  model: { params: Nested[] };
  batches: { x: number[][]; y: number[] }[];
  noise: (number[][] | null)[] | null;
  method: Record<string, unknown>;
  base: { name: 'sgd' | 'adam'; lr: number; beta1?: number; beta2?: number; eps?: number };
  steps: number;
  expected: { params: Nested[][]; trace: Record<string, number>[] };
  tolerance: Tolerance;
}

function baseOptimizer(b: StepCase['base']): tf.Optimizer {
  if (b.name === 'sgd') return tf.train.sgd(b.lr);
  if (b.name === 'adam') return tf.train.adam(b.lr, b.beta1, b.beta2, b.eps);
  throw new Error(`unknown base optimizer ${JSON.stringify(b)}`);
}

/** Runs one `step_*.json` case. */
export function runStepCase(c: StepCase, name = c.name): CaseResult {
  const cmp = new Comparer(c.tolerance);
  const params = c.model.params.map((p) => tf.variable(tf.tensor(p as number[], undefined, 'float32')));
  const [k0, b0, k1, b1] = params;
  const model = fromFunction(params, (x) => tf.add(tf.matMul(tf.tanh(tf.add(tf.matMul(x, k0), b0)), k1), b1));
  const noise = c.noise;
  const opt = createOptimizer(c.method, baseOptimizer(c.base), {
    noise: noise
      ? (shape, step) => {
          const z = noise[step];
          if (!z) throw new Error(`case ${name} has no noise for step ${step}`);
          return tf.tensor(z, shape as [number, number]);
        }
      : undefined,
    // the golden trace records the clean loss L(θ) for every method, TRAM-Fisher included
    reportCleanLoss: true,
  });
  try {
    for (let t = 0; t < c.steps; t++) {
      const b = c.batches[t];
      const x = tf.tensor2d(b.x);
      const y = tf.tensor1d(b.y, 'int32');
      let report;
      try {
        report = opt.step(model, { x, y });
      } finally {
        x.dispose();
        y.dispose();
      }
      const want = c.expected.trace[t];
      for (const [k, v] of Object.entries(want)) {
        const got = (report as unknown as Record<string, number | undefined>)[k];
        cmp.check(`step ${t + 1} ${k}`, got ?? NaN, v);
      }
      params.forEach((p, i) => {
        const got = p.dataSync();
        const w = flat(c.expected.params[t][i]);
        if (w.length !== got.length) cmp.failures.push(`step ${t + 1} param ${i}: ${got.length} values, want ${w.length}`);
        w.forEach((v, j) => cmp.check(`step ${t + 1} param ${i}[${j}]`, got[j], v));
      });
    }
  } finally {
    opt.dispose();
    params.forEach((p) => p.dispose());
  }
  return cmp.result(name);
}

interface DivergenceFile {
  divergences: { target: Nested; current: Nested; divergence: DivergenceSpec; expected: number }[];
  linearCka: { x: number[][]; y: number[][]; expected: number }[];
  tolerance: Tolerance;
}

/** Runs `divergences.json`: one result per entry. */
export function runDivergenceCases(d: DivergenceFile, file = 'divergences.json'): CaseResult[] {
  const out: CaseResult[] = [];
  d.divergences.forEach((e, i) => {
    const cmp = new Comparer(d.tolerance);
    const v = tf.tidy(() => evalDivergence(e.divergence, tf.tensor(e.target as number[]), tf.tensor(e.current as number[])).dataSync()[0]);
    cmp.check('value', v, e.expected);
    const s = e.divergence as Record<string, unknown>;
    const label = [s.kind, s.direction ?? s.kernel, s.reduction].filter(Boolean).join('/');
    const shape = tf.tensor(e.target as number[]);
    const rank = shape.rank;
    shape.dispose();
    out.push(cmp.result(`${file}#${i} ${label} ${rank === 3 ? '[B,T,C]' : '[B,C]'}`));
  });
  d.linearCka.forEach((e, i) => {
    const cmp = new Comparer(d.tolerance);
    const v = tf.tidy(() => linearCka(tf.tensor2d(e.x), tf.tensor2d(e.y)).dataSync()[0]);
    cmp.check('value', v, e.expected);
    out.push(cmp.result(`${file}#cka${i} linearCka`));
  });
  return out;
}

/** Runs every `step_*.json` and `divergences.json` in a folder. */
export function runGoldenDir(dir: string): CaseResult[] {
  const files = fs.readdirSync(dir).filter((f) => /^step_.*\.json$/.test(f) || f === 'divergences.json').sort();
  if (files.length === 0) throw new Error(`no step_*.json or divergences.json in ${dir}`);
  const results: CaseResult[] = [];
  for (const f of files) {
    const data = JSON.parse(fs.readFileSync(path.join(dir, f), 'utf8'));
    try {
      if (f === 'divergences.json') results.push(...runDivergenceCases(data, f));
      else results.push(runStepCase(data, f));
    } catch (e) {
      results.push({
        name: f,
        ok: false,
        maxError: Infinity,
        worstRatio: Infinity,
        tolerance: data.tolerance ?? { rtol: 0, atol: 0 },
        checked: 0,
        failures: [String((e as Error)?.message ?? e)],
      });
    }
  }
  return results;
}

/** One line per case. */
export function formatResult(r: CaseResult): string {
  const e = (v: number) => (Number.isFinite(v) ? v.toExponential(2) : String(v));
  const head = `${r.ok ? 'PASS' : 'FAIL'}  ${r.name.padEnd(42)} max err ${e(r.maxError)}  (${(r.worstRatio).toFixed(3)} of tolerance rtol ${r.tolerance.rtol} atol ${r.tolerance.atol}; ${r.checked} values)`;
  return r.ok ? head : `${head}\n      ${r.failures.join('\n      ')}`;
}

/**
 * Sets the wasm backend, falling back to cpu when it cannot initialise. Returns the backend in use.
 * With TRAM_BACKEND set (e.g. `tensorflow`, the native rerun of #13) that backend instead, or an error naming why not.
 */
export async function initGoldenBackend(): Promise<string> {
  const forced = (process.env.TRAM_BACKEND ?? '').trim();
  if (forced && forced !== 'auto') return (await initBackend({})).name;
  try {
    require('@tensorflow/tfjs-backend-wasm');
    if (await tf.setBackend('wasm')) {
      await tf.ready();
      registerWasmTrainingKernels(); // the kernels every wasm host registers (conv/embedding gradients)
      return tf.getBackend();
    }
  } catch {
    // fall through to cpu
  }
  await tf.setBackend('cpu');
  await tf.ready();
  return tf.getBackend();
}
