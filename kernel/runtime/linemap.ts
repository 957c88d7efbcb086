/**
 * Maps lines of a cell's compiled JavaScript back to lines of the cell's source.
 *
 * The compiled text keeps statements in source order but drops types, adds `exports.x = x;` lines and reprints
 * code, so lines are matched by their word tokens: each compiled line goes to the source line (at or after the
 * previous match, then anywhere) sharing the largest fraction of its tokens.
 */
const WORD = /[A-Za-z_$][\w$]*|\d+(?:\.\d+)?|'(?:[^'\\]|\\.)*'|"(?:[^"\\]|\\.)*"|`[^`]*`/g;

/**
 * Lines the compiler adds around a cell's statements, never mapped (the export header
 * `exports.q = exports.p = void 0;` shares names with the declarations and used to pull the match ahead of them):
 * the ES-module marker, the export resets, and `exports.x = x;` after each declaration.
 */
export const BOILERPLATE = /^(?:\((?:async )?function \(exports, require, __tram_import__\) \{)?\s*(?:Object\.defineProperty\(exports, "__esModule"|(?:exports\.[\w$]+ = )+void 0;\s*$|exports\.([\w$]+) = \1;\s*$)/;

function tokens(line: string): string[] {
  return (line.replace(/\bexports\./g, '').match(WORD) ?? []).filter((t) => t !== 'exports');
}

function score(a: string[], b: Set<string>): number {
  if (!a.length || !b.size) return 0;
  let hit = 0;
  for (const t of a) if (b.has(t)) hit++;
  return hit / Math.max(a.length, b.size);
}

export interface LineMap {
  /** 1-based source line for a 1-based compiled line, or undefined. */
  line(compiledLine: number): number | undefined;
  /** 1-based source column for a compiled position (best effort). */
  column(compiledLine: number, compiledColumn: number): number;
}

export function buildLineMap(source: string, compiled: string): LineMap {
  const src = source.split('\n');
  const out = compiled.split('\n');
  const srcTokens = src.map((l) => new Set(tokens(l)));
  const map = new Map<number, number>();
  let prev = 0;
  out.forEach((line, i) => {
    if (BOILERPLATE.test(line)) return;
    const toks = tokens(line);
    if (!toks.length) return;
    let best = -1, bestScore = 0.34;
    for (let j = prev; j < src.length; j++) {
      const s = score(toks, srcTokens[j]);
      if (s > bestScore) { best = j; bestScore = s; }
    }
    if (best < 0) {
      for (let j = 0; j < prev; j++) {
        const s = score(toks, srcTokens[j]);
        if (s > bestScore) { best = j; bestScore = s; }
      }
    }
    if (best >= 0) {
      map.set(i + 1, best + 1);
      if (best >= prev) prev = best;
    }
  });
  return {
    line: (n) => map.get(n),
    column(n, col) {
      const s = map.get(n);
      if (!s) return col;
      const outLine = out[n - 1] ?? '';
      const m = /^[A-Za-z_$][\w$]*|^\S+/.exec(outLine.slice(col - 1).replace(/^exports\./, ''));
      const at = m ? src[s - 1].indexOf(m[0]) : -1;
      return at >= 0 ? at + 1 : 1;
    },
  };
}
