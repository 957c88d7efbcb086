/**
 * Aggregation of fine-tuning runs into the paper's Table 5 / Table 6 figures: mean ± sd over seeds, and a paired
 * two-sided t-test against the baseline (Adam) over the same seeds.
 */
import { RunResult } from './protocol';
import { mean, sd, pairedTTest } from './stats';

export interface MeanSd {
  readonly mean: number;
  readonly sd: number;
}

export interface Versus {
  /** Mean difference method − baseline. */
  readonly diff: number;
  readonly t: number;
  readonly p: number;
}

export interface MethodSummary {
  readonly method: string;
  readonly seeds: number[];
  readonly inDomainAccuracy: MeanSd;
  readonly zeroShotAccuracy: MeanSd;
  /** Accuracy per shifted domain, in the task's order. */
  readonly domainAccuracy: Record<string, MeanSd>;
  readonly inDomainSharpness: MeanSd;
  readonly zeroShotSharpness: MeanSd;
  readonly inDomainCka: MeanSd;
  readonly zeroShotCka: MeanSd;
  /** Paired t-tests against the baseline; absent for the baseline itself or with fewer than 2 seeds. */
  readonly vsBaseline?: { inDomainAccuracy: Versus; zeroShotAccuracy: Versus };
  /** The ascent radius (d for TRAM) over every step of every seed. */
  readonly radius: { mean: number; max: number; fractionAbove: Record<string, number> };
  readonly secondsPerRun: number;
  readonly selectedEpochs: number[];
}

const ms = (xs: number[]): MeanSd => ({ mean: mean(xs), sd: sd(xs) });

function versus(a: RunResult[], b: RunResult[], f: (r: RunResult) => number): Versus {
  const bySeed = new Map(b.map((r) => [r.seed, r]));
  const pairs = a.filter((r) => bySeed.has(r.seed));
  const t = pairedTTest(pairs.map(f), pairs.map((r) => f(bySeed.get(r.seed) as RunResult)));
  return { diff: t.meanDiff, t: t.t, p: t.p };
}

/** One summary per method, in the order the methods first appear in `runs`. */
export function summarise(runs: readonly RunResult[], baseline = 'Adam'): MethodSummary[] {
  const methods = [...new Set(runs.map((r) => r.method))];
  const base = runs.filter((r) => r.method === baseline);
  return methods.map((m) => {
    const rs = runs.filter((r) => r.method === m);
    const domains = rs[0].shifted.map((d) => d.domain);
    const radius = rs.flatMap((r) => r.radius);
    const above = (rho: number) => radius.filter((v) => v > rho).length / Math.max(1, radius.length);
    const paired = m !== baseline && base.length >= 2 && rs.length >= 2;
    return {
      method: m,
      seeds: rs.map((r) => r.seed),
      inDomainAccuracy: ms(rs.map((r) => r.inDomain.accuracy)),
      zeroShotAccuracy: ms(rs.map((r) => r.zeroShotAccuracy)),
      domainAccuracy: Object.fromEntries(domains.map((d, k) => [d, ms(rs.map((r) => r.shifted[k].accuracy))])),
      inDomainSharpness: ms(rs.map((r) => r.inDomain.sharpness)),
      zeroShotSharpness: ms(rs.map((r) => r.zeroShotSharpness)),
      inDomainCka: ms(rs.map((r) => r.inDomain.cka)),
      zeroShotCka: ms(rs.map((r) => r.zeroShotCka)),
      vsBaseline: paired
        ? {
            inDomainAccuracy: versus(rs, base, (r) => r.inDomain.accuracy),
            zeroShotAccuracy: versus(rs, base, (r) => r.zeroShotAccuracy),
          }
        : undefined,
      radius: {
        mean: radius.length ? mean(radius) : 0,
        max: radius.length ? Math.max(...radius) : 0,
        fractionAbove: { '0.05': above(0.05), '0.5': above(0.5) },
      },
      secondsPerRun: mean(rs.map((r) => r.seconds)),
      selectedEpochs: rs.map((r) => r.selectedEpoch),
    };
  });
}
