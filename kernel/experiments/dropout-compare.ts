/**
 * `node out/kernel/experiments/dropout-compare.js OUT DIR_A DIR_B …` (issue #12, "the dropout question").
 *
 * Joins finished experiment folders that differ only in `--compare` (same task, seeds, dropout) and writes
 * OUT/comparison.json: per TRAM run set (method × compare), the d statistics (mean, median, max, fraction of steps
 * with d > ρ = 0.5, ASAM's radius) and zero-shot / in-domain accuracy, each with paired two-sided t-tests over
 * the shared seeds against Adam and against ASAM. Holm's adjustment within each family: one family per
 * (baseline, figure), across every TRAM run set. Adam and ASAM runs are taken from whichever folder has them:
 * `--compare` is given to TRAM methods only, so they are the same runs under either setting.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { RunResult } from './protocol';
import { mean, sd, pairedTTest, holm } from './stats';
import { ASAM_RHO } from './summary';
import { round } from './main';

type Figure = 'zeroShotAccuracy' | 'inDomainAccuracy';
const FIG: Record<Figure, (r: RunResult) => number> = { zeroShotAccuracy: (r) => r.zeroShotAccuracy, inDomainAccuracy: (r) => r.inDomain.accuracy };

export function compareDirs(dirs: string[]): unknown {
  const files = dirs.map((d) => ({ dir: d, r: JSON.parse(fs.readFileSync(path.join(d, 'results.json'), 'utf8')) }));
  const runs: RunResult[] = files.flatMap((f) => (f.r.tasks as { runs: RunResult[] }[]).flatMap((t) => t.runs));
  const baseline = (m: string) => {
    const rs = runs.filter((r) => r.method === m);
    return [...new Map(rs.map((r) => [r.seed, r])).values()]; // one run per seed
  };
  const sets = new Map<string, RunResult[]>();
  for (const r of runs.filter((r) => r.divergence)) {
    const k = `${r.method} [${r.compare}]`;
    sets.set(k, [...(sets.get(k) ?? []), r]);
  }
  const rows = [...sets.entries()].map(([key, rs]) => {
    const d = rs.flatMap((r) => r.divergence as number[]);
    const sorted = [...d].sort((a, b) => a - b);
    return {
      key, method: rs[0].method, compare: rs[0].compare, dropout: rs[0].dropout, seeds: rs.map((r) => r.seed),
      d: { mean: mean(d), median: sorted.length % 2 ? sorted[(sorted.length - 1) / 2] : (sorted[sorted.length / 2 - 1] + sorted[sorted.length / 2]) / 2, max: sorted[sorted.length - 1], fractionAboveRho: d.filter((v) => v > ASAM_RHO).length / d.length, rho: ASAM_RHO, steps: d.length },
      zeroShotAccuracy: { mean: mean(rs.map(FIG.zeroShotAccuracy)), sd: sd(rs.map(FIG.zeroShotAccuracy)) },
      inDomainAccuracy: { mean: mean(rs.map(FIG.inDomainAccuracy)), sd: sd(rs.map(FIG.inDomainAccuracy)) },
      tests: [] as { vs: string; figure: Figure; diff: number; t: number; p: number; pHolm: number; pairs: number }[],
    };
  });
  const baselines = Object.fromEntries(['Adam', 'ASAM'].map((m) => {
    const rs = baseline(m);
    return [m, { seeds: rs.map((r) => r.seed), zeroShotAccuracy: { mean: mean(rs.map(FIG.zeroShotAccuracy)), sd: sd(rs.map(FIG.zeroShotAccuracy)) }, inDomainAccuracy: { mean: mean(rs.map(FIG.inDomainAccuracy)), sd: sd(rs.map(FIG.inDomainAccuracy)) } }];
  }));
  for (const vs of ['Adam', 'ASAM']) {
    const base = new Map(baseline(vs).map((r) => [r.seed, r]));
    for (const figure of ['zeroShotAccuracy', 'inDomainAccuracy'] as Figure[]) {
      const fam = rows.map((row) => {
        const rs = (sets.get(row.key) as RunResult[]).filter((r) => base.has(r.seed));
        if (rs.length < 2) return null;
        const t = pairedTTest(rs.map(FIG[figure]), rs.map((r) => FIG[figure](base.get(r.seed) as RunResult)));
        return { row, vs, figure, diff: t.meanDiff, t: t.t, p: t.p, pairs: rs.length };
      });
      const tested = fam.filter((x): x is NonNullable<typeof x> => x !== null);
      const adj = holm(tested.map((x) => x.p));
      tested.forEach((x, i) => x.row.tests.push({ vs: x.vs, figure: x.figure, diff: x.diff, t: x.t, p: x.p, pHolm: adj[i], pairs: x.pairs }));
    }
  }
  return { command: `node out/kernel/experiments/dropout-compare.js ${dirs.join(' ')}`, sources: files.map((f) => ({ dir: f.dir, command: f.r.command, finished: f.r.finished })), holmFamilies: 'one per (baseline, figure) across every TRAM run set', baselines, rows };
}

if (require.main === module) {
  const [out, ...dirs] = process.argv.slice(2);
  if (!out || dirs.length === 0) {
    process.stderr.write('usage: node out/kernel/experiments/dropout-compare.js OUT DIR_A [DIR_B …]\n');
    process.exit(1);
  }
  fs.mkdirSync(out, { recursive: true });
  fs.writeFileSync(path.join(out, 'comparison.json'), JSON.stringify(compareDirs(dirs), round, 1) + '\n');
  process.stdout.write(`wrote ${path.join(out, 'comparison.json')}\n`);
}
