/**
 * Seeded structural mutations of a notebook (parsed JSON): each applies 1–2 operators at nodes chosen by a
 * mulberry32 stream — delete a member, replace a value by one of another type, add an unknown member, change
 * a cell_type or id, give a markdown cell outputs, duplicate a cell. Whether the result is valid is decided
 * afterwards by the python nbformat oracle, not here.
 */
export type Rng = () => number;

export function mulberry32(seed: number): Rng {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const pick = <T>(rng: Rng, xs: readonly T[]): T => xs[Math.floor(rng() * xs.length)];

const VALUES: readonly unknown[] = [null, true, 0, -1, 1.5, 4, '', 'x y', 'code', [], {}, [1], [null], ['a', 2], { k: 'v' }];
const CELL_TYPES = ['Code', 'sql', '', 'markdown', 'code', 'raw', 'MARKDOWN'];
const IDS: readonly unknown[] = ['a b', 7, 'ok-id', '', 'x'.repeat(65), 'é', 'fine_id-2', null];

type Node = { parent: Record<string, unknown> | unknown[]; key: string | number; value: unknown; path: string };

function nodes(root: unknown): Node[] {
  const out: Node[] = [];
  const walk = (v: unknown, path: string) => {
    if (v && typeof v === 'object') {
      const entries: [string | number, unknown][] = Array.isArray(v) ? v.map((x, i) => [i, x]) : Object.entries(v);
      for (const [k, child] of entries) {
        const p = typeof k === 'number' ? `${path}[${k}]` : `${path}.${k}`;
        out.push({ parent: v as Record<string, unknown>, key: k, value: child, path: p });
        walk(child, p);
      }
    }
  };
  walk(root, '$');
  return out;
}

/** Mutates `nb` in place; returns a short description of what was done. */
export function mutate(nb: Record<string, unknown>, rng: Rng): string {
  const done: string[] = [];
  const times = 1 + Math.floor(rng() * 2);
  for (let t = 0; t < times; t++) {
    const cells = Array.isArray(nb.cells) ? (nb.cells as Record<string, unknown>[]) : [];
    const op = Math.floor(rng() * 7);
    if (op === 0 && cells.length) {
      const c = pick(rng, cells);
      if (c && typeof c === 'object') { c.cell_type = pick(rng, CELL_TYPES); done.push(`cell_type=${JSON.stringify(c.cell_type)}`); continue; }
    }
    if (op === 1 && cells.length) {
      const c = pick(rng, cells);
      if (c && typeof c === 'object') { c.id = pick(rng, IDS); done.push(`id=${JSON.stringify(c.id).slice(0, 20)}`); continue; }
    }
    if (op === 2 && cells.length) {
      const c = pick(rng, cells);
      if (c && typeof c === 'object') { c.outputs = []; done.push(`outputs on a ${String(c.cell_type)} cell`); continue; }
    }
    if (op === 3 && cells.length) {
      const c = JSON.parse(JSON.stringify(pick(rng, cells)));
      cells.push(c);
      done.push('duplicated a cell');
      continue;
    }
    const all = nodes(nb);
    if (!all.length) break;
    const n = pick(rng, all);
    if (op === 4 && !Array.isArray(n.parent)) {
      delete (n.parent as Record<string, unknown>)[n.key as string];
      done.push(`deleted ${n.path}`);
    } else if (op === 5 && n.value && typeof n.value === 'object' && !Array.isArray(n.value)) {
      (n.value as Record<string, unknown>)[pick(rng, ['extra', 'x-unknown', 'outputs', 'id'])] = pick(rng, VALUES);
      done.push(`added a member to ${n.path}`);
    } else {
      const v = pick(rng, VALUES);
      (n.parent as Record<string | number, unknown>)[n.key] = v;
      done.push(`${n.path}=${JSON.stringify(v)}`);
    }
  }
  return done.join('; ');
}
