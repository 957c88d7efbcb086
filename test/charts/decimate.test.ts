import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CHART_MIME } from '../../kernel/protocol';
import { decimateIndices, lineChart, trajectoryChart } from '../../kernel/charts';
import { strideIndices } from '../../kernel/charts/decimate';

/** Deterministic noisy series with a spike and a dip at known places. */
function series(n: number): Float64Array {
  let s = 12345;
  const rnd = () => ((s = (s * 1103515245 + 12345) % 2147483648) / 2147483648);
  const y = Float64Array.from({ length: n }, (_, i) => Math.exp(-i / (n / 5)) + 0.1 * rnd());
  y[Math.floor(n * 0.37)] = 50; // loss spike
  y[Math.floor(n * 0.81)] = -3; // dip
  return y;
}

test('decimation keeps first and last point, the global min and max, order, and at most maxPoints', () => {
  for (const [n, m] of [[100_000, 1000], [12_345, 50], [1001, 1000], [10, 4], [5, 4]]) {
    const y = series(n);
    const idx = decimateIndices(y, m);
    assert.ok(idx.length <= m, `${idx.length} > ${m} for n=${n}`);
    assert.equal(idx[0], 0);
    assert.equal(idx[idx.length - 1], n - 1);
    for (let k = 1; k < idx.length; k++) assert.ok(idx[k] > idx[k - 1], 'indices strictly increasing');
    const kept = idx.map((i) => y[i]);
    assert.equal(Math.max(...kept), Math.max(...y));
    assert.equal(Math.min(...kept), Math.min(...y));
    if (n > 2 * m) assert.ok(idx.length >= m - 2, `uses its budget (${idx.length} of ${m})`);
  }
});

test('series no longer than maxPoints are kept whole', () => {
  assert.deepEqual(decimateIndices([3, 1, 2], 4), [0, 1, 2]);
  assert.deepEqual(strideIndices(3, 10), [0, 1, 2]);
});

test('decimation keeps a run of NaN visible as a gap', () => {
  const y = Array.from({ length: 1000 }, (_, i) => (i >= 400 && i < 600 ? NaN : i));
  const idx = decimateIndices(y, 20);
  assert.ok(idx.some((i) => Number.isNaN(y[i])), 'a NaN point is kept');
  const cfg = lineChart({ title: 't', xLabel: 'x', yLabel: 'y', series: { a: y }, maxPoints: 20 })[CHART_MIME];
  assert.ok(cfg.data.datasets[0].data.some((p) => p !== null && typeof p === 'object' && p.y === null));
});

test('lineChart decimates a 100k-point series in the config (and so in the PNG) to maxPoints', () => {
  const y = series(100_000);
  const x = Float64Array.from({ length: y.length }, (_, i) => i * 10);
  const b = lineChart({ title: 't', xLabel: 'step', yLabel: 'loss', series: [{ name: 'loss', x, y }], maxPoints: 500 });
  const data = b[CHART_MIME].data.datasets[0].data as { x: number; y: number }[];
  assert.ok(data.length <= 500 && data.length > 400);
  assert.deepEqual(data[0], { x: 0, y: y[0] });
  assert.deepEqual(data[data.length - 1], { x: 999_990, y: y[y.length - 1] });
  assert.ok(data.some((p) => p.y === 50), 'the spike survives');
  assert.ok(data.some((p) => p.y === -3), 'the dip survives');
  // Default bound is 1000.
  const d = lineChart({ title: 't', xLabel: 'step', yLabel: 'loss', series: { loss: y } })[CHART_MIME].data.datasets[0].data;
  assert.ok(d.length <= 1000 && d.length > 900);
});

test('trajectory paths are thinned evenly to maxPoints with both ends kept', () => {
  const pts = Array.from({ length: 5000 }, (_, i) => [i, Math.sin(i)] as [number, number]);
  const b = trajectoryChart({ title: 't', xLabel: 'w1', yLabel: 'w2', paths: [{ name: 'p', points: pts }], maxPoints: 100 });
  const data = b[CHART_MIME].data.datasets[0].data as { x: number; y: number }[];
  assert.equal(data.length, 100);
  assert.deepEqual(data[0], { x: 0, y: 0 });
  assert.deepEqual(data[99], { x: 4999, y: Math.sin(4999) });
});
