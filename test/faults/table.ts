/**
 * The fault table: one row per injected fault, printed as `fault | host | expected | observed | pass`.
 */

export interface Outcome {
  /** What actually happened, in a few words with the figures measured. */
  observed: string;
  pass: boolean;
  /** Details printed under the table when the row fails (reproduction, logs). */
  details?: string;
}

export interface Row {
  group: 'kernel' | 'library' | 'files' | 'host' | 'security';
  fault: string;
  host: string;
  expected: string;
  /** Seconds after which the row fails as "did not finish". */
  timeoutS?: number;
  run(): Promise<Outcome>;
}

export interface Result extends Outcome {
  group: string;
  fault: string;
  host: string;
  expected: string;
  seconds: number;
}

function cut(s: string, n: number): string {
  const one = s.replace(/\s+/g, ' ').trim();
  return one.length > n ? one.slice(0, n - 1) + '…' : one;
}

/** A plain-text table that also reads as Markdown. */
export function formatTable(results: Result[], width = { fault: 44, host: 18, expected: 60, observed: 80 }): string {
  const rows = results.map((r) => [
    cut(r.fault, width.fault),
    cut(r.host, width.host),
    cut(r.expected, width.expected),
    cut(r.observed, width.observed),
    r.pass ? 'pass' : 'FAIL',
  ]);
  const head = ['fault', 'host', 'expected', 'observed', 'pass'];
  const w = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells: string[]) => `| ${cells.map((c, i) => c.padEnd(w[i])).join(' | ')} |`;
  return [line(head), `|${w.map((n) => '-'.repeat(n + 2)).join('|')}|`, ...rows.map(line)].join('\n');
}
