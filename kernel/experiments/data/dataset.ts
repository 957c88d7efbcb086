/** A labelled set of dense feature vectors: `x` is row-major [n, dim], `y` holds class indices. */
export interface Dataset {
  readonly name: string;
  readonly x: Float32Array;
  readonly y: Int32Array;
  readonly n: number;
  readonly dim: number;
  readonly classes: number;
}

export function makeDataset(name: string, rows: ArrayLike<number>[], labels: number[], dim: number, classes: number): Dataset {
  if (rows.length !== labels.length) throw new Error(`${name}: ${rows.length} rows but ${labels.length} labels`);
  const x = new Float32Array(rows.length * dim);
  rows.forEach((r, i) => {
    if (r.length !== dim) throw new Error(`${name}: row ${i} has ${r.length} features, expected ${dim}`);
    x.set(r as ArrayLike<number>, i * dim);
  });
  return { name, x, y: Int32Array.from(labels), n: rows.length, dim, classes };
}

/** The rows `idx` of `d`, as a new dataset. */
export function subset(d: Dataset, idx: readonly number[], name = d.name): Dataset {
  const x = new Float32Array(idx.length * d.dim);
  const y = new Int32Array(idx.length);
  idx.forEach((i, k) => {
    if (i < 0 || i >= d.n) throw new Error(`${d.name}: index ${i} out of range [0, ${d.n})`);
    x.set(d.x.subarray(i * d.dim, (i + 1) * d.dim), k * d.dim);
    y[k] = d.y[i];
  });
  return { name, x, y, n: idx.length, dim: d.dim, classes: d.classes };
}

/** Rows i..j of `d` in the order given by `order` (used for mini-batches). */
export function batchOf(d: Dataset, order: readonly number[], start: number, size: number): { x: Float32Array; y: Int32Array; n: number } {
  const end = Math.min(order.length, start + size);
  const n = end - start;
  const x = new Float32Array(n * d.dim);
  const y = new Int32Array(n);
  for (let k = 0; k < n; k++) {
    const i = order[start + k];
    x.set(d.x.subarray(i * d.dim, (i + 1) * d.dim), k * d.dim);
    y[k] = d.y[i];
  }
  return { x, y, n };
}
