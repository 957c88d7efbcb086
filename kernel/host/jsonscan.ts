/**
 * One pass over the text of a JSON document that JSON.parse accepted, before anything else touches it:
 *
 *   depth  = the deepest nesting of [ and { (strings skipped). Deeper than MAX_JSON_DEPTH is refused, because
 *            JSON.stringify and Array.join recurse and would overflow the stack after every cell ran.
 *   lossy  = the first number literal that a JS double cannot hold exactly as written: its decimal digits and
 *            exponent differ from those of String(Number(literal)) (12345678901234567890123 → 1.2345678901234568e22,
 *            1e400 → Infinity → null, 1e-400 → 0). Writing the notebook back would change it silently.
 *
 * Number literals are compared as decimals: digits with leading/trailing zeros removed plus the decimal exponent,
 * so 1.0, 1e0 and 10e-1 all equal "1" and are exact.
 */

/** Jupyter's own validator (python nbformat 5.5) handles 300 levels and overflows its stack at 500. */
export const MAX_JSON_DEPTH = 256;

export interface JsonScan {
  depth: number;
  lossy?: { literal: string; line: number; column: number };
}

/** [significant digits, exponent of the first digit] of a decimal literal, or undefined for a zero. */
function decimal(literal: string): [string, number] | undefined {
  const m = /^-?(\d+)(?:\.(\d+))?(?:[eE]([+-]?\d+))?$/.exec(literal);
  if (!m) return undefined;
  const int = m[1], frac = m[2] ?? '';
  const exp = Number(m[3] ?? 0);
  let digits = int + frac;
  let point = int.length + exp; // the decimal point sits after `point` digits of `digits`
  const lead = digits.length - digits.replace(/^0+/, '').length;
  digits = digits.slice(lead);
  point -= lead;
  digits = digits.replace(/0+$/, '');
  return digits ? [digits, point] : undefined;
}

/** True when `literal` (a JSON number) survives JSON.parse then JSON.stringify with the same value. */
export function numberIsExact(literal: string): boolean {
  const value = Number(literal);
  if (!Number.isFinite(value)) return false;
  const a = decimal(literal), b = decimal(String(value).replace(/^-/, ''));
  if (!a || !b) return !a && !b;
  return a[0] === b[0] && a[1] === b[1];
}

export function scanJson(text: string): JsonScan {
  let depth = 0, max = 0;
  let lossy: JsonScan['lossy'];
  const n = text.length;
  for (let i = 0; i < n; i++) {
    const ch = text.charCodeAt(i);
    if (ch === 0x22 /* " */) {
      i++;
      while (i < n) {
        const c = text.charCodeAt(i);
        if (c === 0x5c /* \ */) i += 2;
        else if (c === 0x22) break;
        else i++;
      }
    } else if (ch === 0x5b || ch === 0x7b) {
      if (++depth > max) max = depth;
    } else if (ch === 0x5d || ch === 0x7d) depth--;
    else if (ch === 0x2d || (ch >= 0x30 && ch <= 0x39)) {
      let j = i + 1;
      while (j < n && /[0-9eE.+-]/.test(text[j])) j++;
      const literal = text.slice(i, j);
      if (!lossy && !numberIsExact(literal)) {
        const before = text.slice(0, i);
        const line = before.split('\n').length;
        lossy = { literal, line, column: i - before.lastIndexOf('\n') };
      }
      i = j - 1;
    }
  }
  return { depth: max, lossy };
}
