/**
 * nbformat 4 validation against the official v4.5 JSON schema (vendored in ./schema, BSD-3-Clause) with ajv.
 *
 * Contract: validateNotebook(nb) returns undefined for a valid notebook, else ONE line naming the first bad
 * field as a JSON path (`cells[2].source[0] must be string (got number)`). Notebooks with nbformat_minor < 5
 * are checked with the same schema except that cell ids are optional (they were added in 4.5) and the minor
 * may be 0–4. Each cell is checked against the schema of its own cell_type, and each output against that of
 * its output_type, so the message names what is wrong rather than "must match exactly one schema".
 */
import Ajv, { type ErrorObject, type ValidateFunction } from 'ajv';
import schema45 from './schema/nbformat.v4.5.schema.json';

type Json = Record<string, unknown>;

interface Validators {
  top: ValidateFunction;
  cell: Record<string, ValidateFunction>;
  output: Record<string, ValidateFunction>;
}

const CELL_TYPES = ['code', 'markdown', 'raw'];
const OUTPUT_TYPES = ['execute_result', 'display_data', 'stream', 'error'];
const cache = new Map<boolean, Validators>();

function variant(idsRequired: boolean): Validators {
  const hit = cache.get(idsRequired);
  if (hit) return hit;
  const s = JSON.parse(JSON.stringify(schema45)) as Json & { definitions: Record<string, Json>; properties: Record<string, Json> };
  delete s.$schema; // draft-04; the keywords it uses mean the same in ajv's default draft
  if (!idsRequired) {
    (s.properties.nbformat_minor as Json).minimum = 0;
    for (const k of ['raw_cell', 'markdown_cell', 'code_cell']) {
      const d = s.definitions[k];
      d.required = (d.required as string[]).filter((r) => r !== 'id');
    }
  }
  // Cells (and outputs) are dispatched on their type below; the top-level check only needs an array here.
  s.properties.cells = { type: 'array', items: { type: 'object' } };
  const codeCell = s.definitions.code_cell as Json & { properties: Record<string, Json> };
  codeCell.properties.outputs = { type: 'array', items: { type: 'object' } };
  const ajv = new Ajv({ strict: false, allErrors: false });
  ajv.addSchema(s, 'nb');
  const v: Validators = {
    top: ajv.getSchema('nb')!,
    cell: {
      code: ajv.compile({ $ref: 'nb#/definitions/code_cell' }),
      markdown: ajv.compile({ $ref: 'nb#/definitions/markdown_cell' }),
      raw: ajv.compile({ $ref: 'nb#/definitions/raw_cell' }),
    },
    output: {},
  };
  for (const t of OUTPUT_TYPES) v.output[t] = ajv.compile({ $ref: `nb#/definitions/${t}` });
  cache.set(idsRequired, v);
  return v;
}

function kind(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  return typeof v;
}

/** `/cells/2/source/0` under prefix `` → `cells[2].source[0]`. */
function jsonPath(prefix: string, pointer: string): string {
  let out = prefix;
  for (const raw of pointer.split('/').slice(1)) {
    const part = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    out += /^\d+$/.test(part) ? `[${part}]` : /^[A-Za-z_$][\w$]*$/.test(part) ? `${out ? '.' : ''}${part}` : `[${JSON.stringify(part)}]`;
  }
  return out || '(top level)';
}

function valueAt(root: unknown, pointer: string): unknown {
  let v = root;
  for (const raw of pointer.split('/').slice(1)) {
    if (v === null || typeof v !== 'object') return undefined;
    v = (v as Json)[raw.replace(/~1/g, '/').replace(/~0/g, '~')];
  }
  return v;
}

/** The most specific error: the deepest instance path, leaving out the combinators' summaries. */
function describe(errors: ErrorObject[], root: unknown, prefix: string): string {
  const useful = errors.filter((e) => !['oneOf', 'anyOf', 'if'].includes(e.keyword));
  const list = useful.length ? useful : errors;
  const e = list.reduce((a, b) => (b.instancePath.split('/').length > a.instancePath.split('/').length ? b : a));
  const at = jsonPath(prefix, e.instancePath);
  const got = valueAt(root, e.instancePath);
  const p = e.params as Record<string, unknown>;
  switch (e.keyword) {
    case 'required':
      return `${at === '(top level)' ? 'the notebook' : at} is missing "${p.missingProperty}"`;
    case 'additionalProperties':
      return `${jsonPath(at === '(top level)' ? '' : at, '/' + String(p.additionalProperty))} is not allowed here`;
    case 'type':
      return `${at} must be ${String(p.type).replace(',', ' or ')} (got ${kind(got)}${kind(got) === 'string' ? ` ${JSON.stringify(String(got).slice(0, 40))}` : ''})`;
    case 'enum':
    case 'const':
      return `${at} must be ${JSON.stringify(p.allowedValues ?? p.allowedValue)} (got ${JSON.stringify(got)})`;
    case 'pattern':
      return `${at} must match ${p.pattern} (got ${JSON.stringify(got)})`;
    default:
      return `${at} ${e.message ?? 'is invalid'}${got !== undefined && typeof got !== 'object' ? ` (got ${JSON.stringify(got)})` : ''}`;
  }
}

/** undefined when `nb` is a valid nbformat 4 notebook, else one line naming the first invalid field. */
export function validateNotebook(nb: unknown): string | undefined {
  const minor = (nb as Json | null)?.nbformat_minor;
  const v = variant(typeof minor === 'number' && minor >= 5);
  if (!v.top(nb)) return describe(v.top.errors ?? [], nb, '');
  const cells = (nb as { cells: Json[] }).cells;
  for (const [i, cell] of cells.entries()) {
    const at = `cells[${i}]`;
    const type = cell.cell_type;
    if (typeof type !== 'string' || !CELL_TYPES.includes(type)) {
      return `${at}.cell_type must be one of "code", "markdown", "raw" (got ${JSON.stringify(type) ?? 'nothing'})`;
    }
    const check = v.cell[type];
    if (!check(cell)) return describe(check.errors ?? [], cell, at);
    if (type !== 'code') continue;
    for (const [j, out] of (cell.outputs as Json[]).entries()) {
      const ot = out.output_type;
      if (typeof ot !== 'string' || !OUTPUT_TYPES.includes(ot)) {
        return `${at}.outputs[${j}].output_type must be one of ${OUTPUT_TYPES.map((t) => `"${t}"`).join(', ')} (got ${JSON.stringify(ot) ?? 'nothing'})`;
      }
      const checkOut = v.output[ot];
      if (!checkOut(out)) return describe(checkOut.errors ?? [], out, `${at}.outputs[${j}]`);
    }
  }
  return undefined;
}
