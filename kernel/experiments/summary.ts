/**
 * Aggregation of fine-tuning runs into the paper's Table 5 / Table 6 figures: mean ± sd over seeds, and paired
 * two-sided t-tests over the same seeds, against the baseline (Adam) for every figure and between chosen pairs of
 * methods. Multiple comparisons: Holm's adjustment (stats.holm) within one family, where a family is one figure of
 * one task compared across all methods (e.g. digits zero-shot accuracy, 10 methods against Adam), or one list of
 * {@link comparisons}. Tables mark significance on the Holm-adjusted p only and show the raw p beside it.
 */
import { RunResult } from './protocol';
import { mean, sd, pairedTTest, holm } from './stats';

export interface MeanSd {
  readonly mean: number;
  readonly sd: number;
}

export interface Versus {
  /** Mean difference method − baseline. */
  readonly diff: number;
  readonly t: number;
  /** Raw two-sided p. */
  readonly p: number;
  /** Holm-adjusted p within the family (absent in summaries written before the adjustment existed). */
  readonly pHolm?: number;
}

/** The per-run figures that are compared between methods. */
export const FIGURES = ['inDomainAccuracy', 'zeroShotAccuracy', 'inDomainSharpness', 'zeroShotSharpness', 'inDomainCka', 'zeroShotCka'] as const;
export type Figure = (typeof FIGURES)[number];

export const figureOf: Record<Figure, (r: RunResult) => number> = {
  inDomainAccuracy: (r) => r.inDomain.accuracy,
  zeroShotAccuracy: (r) => r.zeroShotAccuracy,
  inDomainSharpness: (r) => r.inDomain.sharpness,
  zeroShotSharpness: (r) => r.zeroShotSharpness,
  inDomainCka: (r) => r.inDomain.cka,
  zeroShotCka: (r) => r.zeroShotCka,
};

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
  /** Paired t-tests against the baseline, one per figure; absent for the baseline itself or with fewer than 2 seeds. */
  readonly vsBaseline?: Partial<Record<Figure, Versus>> & { inDomainAccuracy: Versus; zeroShotAccuracy: Versus };
  /** The ascent radius (d for TRAM) over every step of every seed. */
  readonly radius: { mean: number; max: number; fractionAbove: Record<string, number> };
  /**
   * TRAM only: the divergence d over every step of every seed: mean, median, max and the fraction of steps with
   * d > ρ = 0.5 (ASAM's radius), with the `compare` setting and dropout rate of the runs.
   */
  readonly d?: { mean: number; median: number; max: number; fractionAboveRho: number; rho: number; compare?: string; dropout?: number };
  readonly secondsPerRun: number;
  readonly selectedEpochs: number[];
}

/** A paired test between two methods on one figure, part of a Holm family. */
export interface Comparison extends Versus {
  readonly family: string;
  readonly figure: Figure;
  /** Method a − method b. */
  readonly a: string;
  readonly b: string;
}

const ms = (xs: number[]): MeanSd => ({ mean: mean(xs), sd: sd(xs) });

function versus(a: readonly RunResult[], b: readonly RunResult[], f: (r: RunResult) => number): Versus {
  const bySeed = new Map(b.map((r) => [r.seed, r]));
  const pairs = a.filter((r) => bySeed.has(r.seed));
  const t = pairedTTest(pairs.map(f), pairs.map((r) => f(bySeed.get(r.seed) as RunResult)));
  return { diff: t.meanDiff, t: t.t, p: t.p };
}

/** ASAM's radius, the level TRAM's d is compared with. */
export const ASAM_RHO = 0.5;

function dStats(rs: readonly RunResult[]): NonNullable<MethodSummary['d']> {
  const d = rs.flatMap((r) => r.divergence as number[]);
  const sorted = [...d].sort((a, b) => a - b);
  const n = sorted.length;
  const median = n === 0 ? 0 : n % 2 ? sorted[(n - 1) / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
  return {
    mean: n ? mean(d) : 0,
    median,
    max: n ? sorted[n - 1] : 0,
    fractionAboveRho: d.filter((v) => v > ASAM_RHO).length / Math.max(1, n),
    rho: ASAM_RHO,
    compare: rs[0].compare,
    dropout: rs[0].dropout,
  };
}

/** One summary per method, in the order the methods first appear in `runs`; Holm within each figure. */
export function summarise(runs: readonly RunResult[], baseline = 'Adam'): MethodSummary[] {
  const methods = [...new Set(runs.map((r) => r.method))];
  const base = runs.filter((r) => r.method === baseline);
  const out = methods.map((m) => {
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
        ? (Object.fromEntries(FIGURES.map((f) => [f, versus(rs, base, figureOf[f])])) as MethodSummary['vsBaseline'])
        : undefined,
      radius: {
        mean: radius.length ? mean(radius) : 0,
        max: radius.length ? Math.max(...radius) : 0,
        fractionAbove: { '0.05': above(0.05), '0.5': above(0.5) },
      },
      ...(rs.every((r) => r.divergence) ? { d: dStats(rs) } : {}),
      secondsPerRun: mean(rs.map((r) => r.seconds)),
      selectedEpochs: rs.map((r) => r.selectedEpoch),
    };
  });
  // Holm within each figure: the family is every method's test against the baseline on that figure
  for (const f of FIGURES) {
    const tested = out.filter((m) => m.vsBaseline?.[f]);
    const adj = holm(tested.map((m) => (m.vsBaseline as Record<Figure, Versus>)[f].p));
    tested.forEach((m, i) => {
      const v = m.vsBaseline as Record<Figure, Versus>;
      v[f] = { ...v[f], pHolm: adj[i] };
    });
  }
  return out;
}

/**
 * The comparisons between methods that the discussion rests on, each list one Holm family:
 * - ASAM+R3F against ASAM and against every TRAM variant, on zero-shot accuracy (the paper's "naive combination is
 *   worse than TRAM");
 * - TRPO and MESA against every TRAM variant, on zero-shot accuracy (the paper's "TRAM beats the trust-region
 *   baselines"), when the runs hold them;
 * - the flattest method (lowest mean ε-sharpness) against every other method, in-domain and zero-shot.
 * Methods missing from `runs` are skipped; lists with fewer than 2 paired seeds are empty.
 */
export function comparisons(runs: readonly RunResult[]): Comparison[] {
  const methods = [...new Set(runs.map((r) => r.method))];
  const of = (m: string) => runs.filter((r) => r.method === m);
  const out: Comparison[] = [];
  const family = (name: string, figure: Figure, pairs: [string, string][]) => {
    const ok = pairs.filter(([a, b]) => of(a).length >= 2 && of(b).length >= 2);
    const tests = ok.map(([a, b]) => versus(of(a), of(b), figureOf[figure]));
    const adj = holm(tests.map((t) => t.p));
    ok.forEach(([a, b], i) => out.push({ family: name, figure, a, b, ...tests[i], pHolm: adj[i] }));
  };
  const tram = methods.filter((m) => m.startsWith('TRAM'));
  if (methods.includes('ASAM+R3F')) {
    family('ASAM+R3F vs ASAM and the TRAM variants', 'zeroShotAccuracy', ['ASAM', ...tram].filter((m) => methods.includes(m)).map((m) => ['ASAM+R3F', m]));
  }
  const baselines = ['TRPO', 'MESA'].filter((m) => methods.includes(m));
  if (baselines.length && tram.length) {
    family('TRPO and MESA vs the TRAM variants', 'zeroShotAccuracy', baselines.flatMap((b) => tram.map((m): [string, string] => [b, m])));
  }
  for (const figure of ['inDomainSharpness', 'zeroShotSharpness'] as const) {
    const means = methods.map((m) => ({ m, v: mean(of(m).map(figureOf[figure])) }));
    const flattest = means.reduce((a, b) => (b.v < a.v ? b : a)).m;
    family(`flattest (${figure}) vs the rest`, figure, methods.filter((m) => m !== flattest).map((m) => [flattest, m]));
  }
  return out;
}
