import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CHART_MIME } from '../../kernel/protocol';
import { heatmap } from '../../kernel/charts';
import { contourLevels, contourSegments } from '../../kernel/charts/contours';
import { viridis } from '../../kernel/charts/palette';
import { cellEdges, zColor } from '../../kernel/charts/plugins';
import { decodePng, pixel } from './png';

const text = { title: 'Landscape', xLabel: 'a', yLabel: 'b' };

test('heatmap colours follow z: low z dark blue-purple, high z yellow-green, across the PNG', async () => {
  const x = Array.from({ length: 40 }, (_, j) => j);
  const y = Array.from({ length: 10 }, (_, i) => i);
  const z = y.map(() => x.map((v) => v)); // z grows left to right
  const b = heatmap({ ...text, x, y, z, width: 800, height: 500 });
  const png = await decodePng(b['image/png']);
  const left = pixel(png, 150, 250);
  const right = pixel(png, 650, 250);
  assert.ok(left[2] > left[1], `left cell is blue/purple: ${left}`);
  assert.ok(right[1] > right[2], `right cell is green/yellow: ${right}`);
  const mid = pixel(png, 400, 250);
  assert.notDeepEqual(mid.slice(0, 3), left.slice(0, 3));
  assert.notDeepEqual(mid.slice(0, 3), right.slice(0, 3));
  // A constant column of z gives one colour from top to bottom.
  assert.deepEqual(pixel(png, 400, 150), pixel(png, 400, 350));
});

test('zColor maps zMin and zMax to the ends of viridis, missing values to nothing, and logZ by decades', () => {
  const rgb = (c: string | null) => c!.match(/\d+/g)!.map(Number);
  assert.deepEqual(rgb(zColor(0, { zMin: 0, zMax: 4 })), viridis(0));
  assert.deepEqual(rgb(zColor(4, { zMin: 0, zMax: 4 })), viridis(1));
  assert.equal(zColor(null, { zMin: 0, zMax: 1 }), null);
  assert.deepEqual(rgb(zColor(10, { zMin: 1, zMax: 100, logZ: true })), rgb(zColor(0.5, { zMin: 0, zMax: 1 })));
});

test('heatmap config spans the cell edges and carries z for the plugin; missing z becomes null', () => {
  const b = heatmap({ ...text, x: [0, 1, 2], y: [10, 20], z: [[1, 2, NaN], [4, 5, 6]] });
  const o = b[CHART_MIME].options as any;
  assert.deepEqual([o.scales.x.min, o.scales.x.max, o.scales.y.min, o.scales.y.max], [-0.5, 2.5, 5, 25]);
  assert.deepEqual(o.plugins.tramHeatmap.z, [[1, 2, null], [4, 5, 6]]);
  assert.deepEqual([o.plugins.tramColorBar.zMin, o.plugins.tramColorBar.zMax], [1, 6]);
  assert.deepEqual(cellEdges([0, 1, 3]), [-0.5, 0.5, 2, 4]);
});

test('contours of a cone are circles: every crossing lies at the level radius', () => {
  const g = Array.from({ length: 41 }, (_, i) => -2 + i / 10);
  const z = g.map((yy) => g.map((xx) => Math.hypot(xx, yy)));
  for (const r of [0.5, 1, 1.5]) {
    const segs = contourSegments(g, g, z, r);
    assert.ok(segs.length > 20, `level ${r}: ${segs.length} segments`);
    for (const seg of segs) for (const [px, py] of seg) assert.ok(Math.abs(Math.hypot(px, py) - r) < 0.02, `(${px}, ${py}) is off the circle r=${r}`);
  }
  assert.equal(contourSegments(g, g, z, 10).length, 0, 'a level above the surface gives no contour');
});

test('a saddle cell gives two separate segments, and NaN corners stop the contour', () => {
  const segs = contourSegments([0, 1], [0, 1], [[1, 0], [0, 1]], 0.5);
  assert.equal(segs.length, 2);
  assert.equal(contourSegments([0, 1], [0, 1], [[1, NaN], [0, 1]], 0.5).length, 0);
});

test('contour levels are evenly spaced inside the range (in log10 with logZ) and become one dataset', () => {
  assert.deepEqual(contourLevels(0, 4, 3), [1, 2, 3]);
  assert.deepEqual(contourLevels(1, 1000, 2, true).map((v) => Math.round(v)), [10, 100]);
  const g = Array.from({ length: 21 }, (_, i) => -1 + i / 10);
  const b = heatmap({ ...text, x: g, y: g, z: g.map((yy) => g.map((xx) => xx * xx + yy * yy)), contours: 4 });
  const ds = b[CHART_MIME].data.datasets;
  assert.equal(ds.length, 1);
  assert.match(ds[0].label, /4 levels/);
  assert.ok(ds[0].data.some((p) => p !== null && typeof p === 'object' && p.x === null), 'segments are separated by gaps');
});
