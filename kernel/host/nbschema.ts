/**
 * nbformat 4 validation against the official v4.5 JSON schema (vendored in ./schema, BSD-3-Clause) with ajv.
 *
 * Contract: validateNotebook(nb) returns undefined for a valid notebook, else ONE line naming the first bad
 * field as a JSON path (`cells[2].source[0] must be string (got number)`). As Jupyter's own validator
 * (python nbformat 5.5) decides: a cell id may be missing (it warns and adds one; an id that is present must
 * match the schema's pattern); nbformat_minor 0–4 is checked as v4.4 was, i.e. the same schema without cell
 * ids (an id there is refused) and with the minor's minimum at 0. Each cell is checked against the schema of its own cell_type, and each output against that of
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

function variant(v45: boolean): Validators {
  const hit = cache.get(v45);
  if (hit) return hit;
  const s = JSON.parse(JSON.stringify(schema45)) as Json & { definitions: Record<string, Json>; properties: Record<string, Json> };
  delete s.$schema; // draft-04; the keywords it uses mean the same in ajv's default draft
  for (const k of ['raw_cell', 'markdown_cell', 'code_cell']) {
    const d = s.definitions[k] as Json & { properties: Json };
    d.required = (d.required as string[]).filter((r) => r !== 'id');
    if (!v45) delete d.properties.id;
  }
  if (!v45) (s.properties.nbformat_minor as Json).minimum = 0;
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
  cache.set(v45, v);
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
      return `${jsonPath(at === '(top level)' ? '' : at, '/' + String(p.additionalProperty))} is not allowed here${p.additionalProperty === 'id' && prefix.startsWith('cells[') ? ' (cell ids need nbformat_minor 5)' : ''}`;
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
  if (typeof minor === 'number' && minor < 0) return `nbformat_minor must be an integer >= 0 (got ${minor})`;
  const v = variant(!(typeof minor === 'number' && minor < 5));
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
