/**
 * Summary statistics over seeds and the paired significance test used to compare a method with the baseline
 * (the same seeds give the same data order and the same noise to both, so runs pair up seed by seed).
 */

export function mean(xs: readonly number[]): number {
  if (xs.length === 0) throw new Error('mean of an empty list');
  return xs.reduce((a, b) => a + b, 0) / xs.length;
}

/** Sample standard deviation (n − 1 in the denominator); 0 for a single value. */
export function sd(xs: readonly number[]): number {
  if (xs.length < 2) return 0;
  const m = mean(xs);
  return Math.sqrt(xs.reduce((a, b) => a + (b - m) * (b - m), 0) / (xs.length - 1));
}

/** ln Γ(x) for x > 0 (Lanczos approximation, g = 7, 9 terms). */
export function logGamma(x: number): number {
  const c = [
    0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059,
    12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7,
  ];
  if (x < 0.5) return Math.log(Math.PI / Math.sin(Math.PI * x)) - logGamma(1 - x);
  x -= 1;
  let a = c[0];
  const t = x + 7.5;
  for (let i = 1; i < 9; i++) a += c[i] / (x + i);
  return 0.5 * Math.log(2 * Math.PI) + (x + 0.5) * Math.log(t) - t + Math.log(a);
}

/** Continued fraction for the incomplete beta function (modified Lentz). */
function betaContinuedFraction(x: number, a: number, b: number): number {
  const tiny = 1e-300;
  let c = 1;
  let d = 1 - ((a + b) * x) / (a + 1);
  if (Math.abs(d) < tiny) d = tiny;
  d = 1 / d;
  let h = d;
  for (let m = 1; m <= 300; m++) {
    const m2 = 2 * m;
    let aa = (m * (b - m) * x) / ((a + m2 - 1) * (a + m2));
    d = 1 + aa * d;
    if (Math.abs(d) < tiny) d = tiny;
    c = 1 + aa / c;
    if (Math.abs(c) < tiny) c = tiny;
    d = 1 / d;
    h *= d * c;
    aa = (-(a + m) * (a + b + m) * x) / ((a + m2) * (a + m2 + 1));
    d = 1 + aa * d;
    if (Math.abs(d) < tiny) d = tiny;
    c = 1 + aa / c;
    if (Math.abs(c) < tiny) c = tiny;
    d = 1 / d;
    const del = d * c;
    h *= del;
    if (Math.abs(del - 1) < 1e-14) break;
  }
  return h;
}

/** The regularised incomplete beta function I_x(a, b). */
export function incompleteBeta(x: number, a: number, b: number): number {
  if (x < 0 || x > 1) throw new Error(`incompleteBeta: x must be in [0, 1] (got ${x})`);
  if (x === 0 || x === 1) return x;
  const front = Math.exp(logGamma(a + b) - logGamma(a) - logGamma(b) + a * Math.log(x) + b * Math.log(1 - x));
  return x < (a + 1) / (a + b + 2) ? (front * betaContinuedFraction(x, a, b)) / a : 1 - (front * betaContinuedFraction(1 - x, b, a)) / b;
}

/** Two-sided p-value of Student's t statistic `t` with `df` degrees of freedom: P(|T| ≥ |t|) = I_{df/(df+t²)}(df/2, 1/2). */
export function studentTwoSidedP(t: number, df: number): number {
  if (!(df > 0)) throw new Error(`degrees of freedom must be > 0 (got ${df})`);
  if (!Number.isFinite(t)) return Number.isNaN(t) ? NaN : 0;
  return incompleteBeta(df / (df + t * t), df / 2, 0.5);
}

export interface PairedTest {
  /** Mean of the differences a − b. */
  readonly meanDiff: number;
  readonly t: number;
  readonly df: number;
  /** Two-sided p-value; NaN when every difference is equal (the test is undefined). */
  readonly p: number;
  readonly n: number;
}

/**
 * Paired two-sided t-test of H0: mean(a − b) = 0. t = mean(d) / (sd(d)/√n), df = n − 1.
 * `a[i]` and `b[i]` must come from the same seed.
 */
export function pairedTTest(a: readonly number[], b: readonly number[]): PairedTest {
  if (a.length !== b.length) throw new Error(`paired t-test needs the same number of runs (got ${a.length} and ${b.length})`);
  if (a.length < 2) throw new Error(`paired t-test needs at least 2 pairs (got ${a.length})`);
  const d = a.map((v, i) => v - b[i]);
  const m = mean(d);
  const s = sd(d);
  const n = d.length;
  if (s === 0) return { meanDiff: m, t: m === 0 ? 0 : Math.sign(m) * Infinity, df: n - 1, p: m === 0 ? 1 : NaN, n };
  const t = m / (s / Math.sqrt(n));
  return { meanDiff: m, t, df: n - 1, p: studentTwoSidedP(t, n - 1), n };
}

/** Pearson correlation coefficient of two equally long lists. */
export function pearson(a: readonly number[], b: readonly number[]): number {
  if (a.length !== b.length || a.length < 2) throw new Error(`pearson needs two lists of the same length ≥ 2 (got ${a.length}, ${b.length})`);
  const ma = mean(a);
  const mb = mean(b);
  let sab = 0;
  let saa = 0;
  let sbb = 0;
  for (let i = 0; i < a.length; i++) {
    sab += (a[i] - ma) * (b[i] - mb);
    saa += (a[i] - ma) ** 2;
    sbb += (b[i] - mb) ** 2;
  }
  return sab / Math.sqrt(saa * sbb);
}

/**
 * Holm's step-down adjustment (Holm 1979) of one family of m p-values, controlling the family-wise error rate:
 * sort p₍₁₎ ≤ … ≤ p₍ₘ₎, then p̃₍ᵢ₎ = max_{j ≤ i} min(1, (m − j + 1)·p₍ⱼ₎), returned in the input order. A test is
 * significant at level α when p̃ < α. NaN entries (undefined tests) are not part of the family: they stay NaN and
 * do not count in m.
 */
export function holm(ps: readonly number[]): number[] {
  for (const p of ps) if (!Number.isNaN(p) && !(p >= 0 && p <= 1)) throw new Error(`holm: p-values must lie in [0, 1] or be NaN (got ${p})`);
  const idx = ps.map((p, i) => i).filter((i) => !Number.isNaN(ps[i])).sort((a, b) => ps[a] - ps[b]);
  const m = idx.length;
  const out = ps.map(() => NaN);
  let running = 0;
  idx.forEach((i, k) => {
    running = Math.max(running, Math.min(1, (m - k) * ps[i]));
    out[i] = running;
  });
  return out;
}
