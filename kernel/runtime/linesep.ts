/**
 * U+2028 / U+2029 inside quoted string literals.
 *
 * Since ES2019 a string literal may hold LINE SEPARATOR and PARAGRAPH SEPARATOR as they are, but the TypeScript
 * 5.0 scanner tslab carries still ends the literal there ("Unterminated string literal"). escapeLineSeparators
 * rewrites each one inside a '…' or "…" literal as the escape \u2028 / \u2029 (the same string value), and leaves
 * every other character alone: outside strings they stay line terminators, in comments and template literals
 * (which TypeScript already reads correctly) they are untouched. A small lexer tracks comments, quotes and
 * template literals with ${…} nesting; regular expression literals are not recognised (a quote inside one can
 * only misplace the escaping on that one line).
 */

const LS = '\u2028', PS = '\u2029';

export function escapeLineSeparators(code: string): string {
  if (!code.includes(LS) && !code.includes(PS)) return code;
  let out = '';
  let quote = ''; // '"' or "'" while inside a string literal
  const braces: number[] = []; // for each open template ${: the brace depth at which it closes
  let depth = 0;
  let inTemplate = false;
  for (let i = 0; i < code.length; i++) {
    const ch = code[i];
    const next = code[i + 1];
    if (quote) {
      if (ch === '\\') { out += ch + (next ?? ''); i++; continue; }
      if (ch === LS || ch === PS) { out += ch === LS ? '\\u2028' : '\\u2029'; continue; }
      if (ch === quote || ch === '\n') quote = '';
      out += ch;
      continue;
    }
    if (inTemplate) {
      if (ch === '\\') { out += ch + (next ?? ''); i++; continue; }
      if (ch === '`') inTemplate = false;
      else if (ch === '$' && next === '{') { braces.push(depth++); inTemplate = false; out += '${'; i++; continue; }
      out += ch;
      continue;
    }
    if (ch === '/' && next === '/') {
      const end = code.slice(i).search(/[\n\u2028\u2029]/);
      const stop = end < 0 ? code.length : i + end;
      out += code.slice(i, stop);
      i = stop - 1;
      continue;
    }
    if (ch === '/' && next === '*') {
      const end = code.indexOf('*/', i + 2);
      const stop = end < 0 ? code.length : end + 2;
      out += code.slice(i, stop);
      i = stop - 1;
      continue;
    }
    if (ch === '"' || ch === "'") quote = ch;
    else if (ch === '`') inTemplate = true;
    else if (ch === '{') depth++;
    else if (ch === '}') {
      depth--;
      if (braces.length && braces[braces.length - 1] === depth) { braces.pop(); inTemplate = true; }
    }
    out += ch;
  }
  return out;
}
