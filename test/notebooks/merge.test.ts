/**
 * Merging result folders (kernel/experiments/merge.ts): runs of later methods or seeds join the committed ones,
 * stay paired by seed with Adam, and every statistic is recomputed; a different protocol, another pre-trained
 * model or a run that does not reproduce is refused. Also: MESA's start step in the experiments is
 * startEpochs × steps per epoch.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mergeResults } from '../../kernel/experiments/merge';
import { libraryConfig } from '../../kernel/experiments/library-stepper';

type Run = Record<string, unknown>;

/** A fake run whose figures are given; the rest is what summarise reads. */
function run(method: string, seed: number, zeroShot: number, seconds = 1): Run {
  return {
    task: 't',
    method,
    seed,
    selectedEpoch: 2,
    inDomain: { domain: 'a', accuracy: 0.9, sharpness: 1 + seed / 10, cka: 0.9 },
    shifted: [{ domain: 'b', accuracy: zeroShot, sharpness: 2, cka: 0.8 }],
    zeroShotAccuracy: zeroShot,
    zeroShotSharpness: 2 + (method === 'Adam' ? 0 : seed / 100),
    zeroShotCka: 0.8,
    radius: [0, 0],
    steps: 2,
    leakedTensors: 0,
    seconds,
  };
}

const pretrained = { inDomain: { accuracy: 0.5 }, zeroShotAccuracy: 0.4 };

function results(command: string, runs: Run[], extra: Record<string, unknown> = {}) {
  const seeds = [...new Set(runs.map((r) => r.seed as number))];
  const methods = [...new Set(runs.map((r) => r.method as string))].map((label) => ({ label, config: {} }));
  return {
    command,
    mode: 'full',
    seeds,
    implementation: 'kernel/optim createOptimizer',
    dataSeed: 2024,
    pretrainSeed: 7,
    settings: { protocol: { lr: 0.001 } },
    methods,
    environment: { backend: 'wasm' },
    startedAt: 'then',
    finished: true,
    seconds: 100,
    tasks: [{ name: 't', description: 'd', pretrained, runs, summary: [], comparisons: [] }],
    ...extra,
  };
}

const ADAM = [0.60, 0.62, 0.61];
const MESA = [0.63, 0.62, 0.65];

test('new methods join the committed runs, paired by seed with Adam; the statistics are recomputed', () => {
  const committed = results('first', [1, 2, 3].flatMap((s) => [run('Adam', s, ADAM[s - 1]), run('SAM', s, 0.6)]));
  // the later run repeats Adam (identical but for its wall time) and adds MESA and TRPO, in another order
  const later = results('second', [3, 1, 2].flatMap((s) => [run('MESA', s, MESA[s - 1]), run('Adam', s, ADAM[s - 1], 7), run('TRPO', s, 0.6)]), { dropout: 0, varyPretrain: false });
  const m = mergeResults([committed, later] as never);
  const t = m.tasks[0];
  assert.equal(t.runs.length, 12); // 6 + 9, the 3 repeated Adam runs kept once
  assert.deepEqual(
    t.summary.map((s) => s.method),
    ['Adam', 'SAM', 'TRPO', 'MESA'],
  );
  // seed-major, methods in table order
  assert.deepEqual(t.runs.slice(0, 4).map((r) => `${r.method}${r.seed}`), ['Adam1', 'SAM1', 'TRPO1', 'MESA1']);
  // MESA − Adam, paired: differences 0.03, 0.00, 0.04 → mean 0.02333…; sd of the differences by hand
  const diffs = MESA.map((v, i) => v - ADAM[i]);
  const mean = diffs.reduce((a, b) => a + b, 0) / 3;
  const sd = Math.sqrt(diffs.reduce((a, b) => a + (b - mean) ** 2, 0) / 2);
  const v = t.summary.find((s) => s.method === 'MESA')?.vsBaseline?.zeroShotAccuracy;
  assert.ok(v && Math.abs(v.diff - mean) < 1e-12 && Math.abs(v.t - mean / (sd / Math.sqrt(3))) < 1e-9, JSON.stringify(v));
  // Holm over the 3 methods compared with Adam: each adjusted p is at least its raw p
  for (const s of t.summary.slice(1)) assert.ok((s.vsBaseline?.zeroShotAccuracy.pHolm as number) >= (s.vsBaseline?.zeroShotAccuracy.p as number));
  assert.deepEqual(m.merged?.map((x) => x.command), ['first', 'second']);
  assert.deepEqual(m.methods.map((x) => x.label), ['Adam', 'SAM', 'TRPO', 'MESA']);
  assert.equal(m.seconds, 200);
});

test('seeds run separately (vary-pretrain) merge into one set with every pre-trained model', () => {
  const a = results('s1', [run('Adam', 1, 0.6), run('SAM', 1, 0.61)], { varyPretrain: true, dataSeed: '2024 + seed' });
  const b = results('s2', [run('Adam', 2, 0.62), run('SAM', 2, 0.64)], { varyPretrain: true, dataSeed: '2024 + seed' });
  a.tasks[0] = { ...a.tasks[0], pretrainedBySeed: { 1: { x: 1 } } } as never;
  b.tasks[0] = { ...b.tasks[0], pretrainedBySeed: { 2: { x: 2 } } } as never;
  const m = mergeResults([a, b] as never);
  assert.deepEqual(m.seeds, [1, 2]);
  assert.deepEqual(Object.keys(m.tasks[0].pretrainedBySeed ?? {}), ['1', '2']);
  assert.equal(m.tasks[0].summary[1].vsBaseline?.zeroShotAccuracy.diff.toFixed(3), '0.015');
});

test('refused: another protocol, another pre-trained model, a run that does not reproduce, an unfinished run', () => {
  const base = results('a', [run('Adam', 1, 0.6), run('Adam', 2, 0.61)]);
  assert.throws(() => mergeResults([base, results('b', [run('MESA', 1, 0.6)], { dropout: 0.1 })] as never), /differs from source 1 in dropout/);
  assert.throws(() => mergeResults([base, results('b', [run('MESA', 1, 0.6)], { settings: { protocol: { lr: 0.01 } } })] as never), /in settings/);
  const other = results('b', [run('MESA', 1, 0.6)]);
  other.tasks[0].pretrained = { inDomain: { accuracy: 0.51 }, zeroShotAccuracy: 0.4 };
  assert.throws(() => mergeResults([base, other] as never), /another pre-trained model/);
  assert.throws(() => mergeResults([base, results('b', [run('Adam', 1, 0.59)])] as never), /Adam seed 1 is in both sources with different results/);
  assert.throws(() => mergeResults([base, results('b', [run('MESA', 1, 0.6)], { finished: false })] as never), /unfinished run/);
});

test("MESA's start in the experiments is startEpochs × steps per epoch; TRPO is λ·KL against θₜ₋₁", () => {
  const mesa = libraryConfig({ name: 'mesa', lambda: 0.1, decay: 0.999, temperature: 5, startEpochs: 1 }, 3, 47);
  assert.equal(mesa.start, 47);
  assert.equal(mesa.temperature, 5);
  assert.equal(mesa.decay, 0.999);
  assert.equal(libraryConfig({ name: 'trpo', lambda: 0.1 }, 3).lambda, 0.1);
  assert.throws(() => libraryConfig({ name: 'mesa', lambda: 0.1, decay: 0.999, temperature: 5, startEpochs: 1 }, 3), /steps per epoch/);
});
