import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CHART_MIME } from '../../kernel/protocol';
import { barChart, heatmap, lineChart, scatterChart, trajectoryChart, type ChartBundle } from '../../kernel/charts';
import { decodePng, inkStats } from './png';

const text = { title: 'The title', xLabel: 'the x label', yLabel: 'the y label' };
const g = Array.from({ length: 21 }, (_, i) => -1 + i / 10);
const bowl = g.map((b) => g.map((a) => a * a + 2 * b * b));

const cases: [string, () => ChartBundle][] = [
  ['lineChart', () => lineChart({ ...text, width: 640, height: 400, series: { loss: [3, 2, 1.5, 1.2, 1] } })],
  ['scatterChart', () => scatterChart({ ...text, width: 500, height: 300, series: [{ name: 'runs', x: [1, 2, 3], y: [3, 1, 2] }] })],
  ['barChart', () => barChart({ ...text, width: 300, height: 600, labels: ['SGD', 'SAM'], series: { acc: [0.8, 0.9] } })],
  ['heatmap', () => heatmap({ ...text, width: 700, height: 500, x: g, y: g, z: bowl, contours: 4 })],
  ['trajectoryChart', () => trajectoryChart({
    ...text, width: 800, height: 500, surface: { x: g, y: g, z: bowl },
    paths: [{ name: 'SAM', points: [[0.9, 0.9], [0.5, 0.4], [0.1, 0.1]] }],
    arrows: [{ from: [0.9, 0.9], to: [1, 1] }],
  })],
];

for (const [name, make] of cases) {
  test(`${name} returns the chart config, a PNG of the requested size that is drawn, and a text line`, async () => {
    const b = make();
    assert.deepEqual(Object.keys(b).sort(), [CHART_MIME, 'image/png', 'text/plain'].sort());
    const cfg = b[CHART_MIME];
    // Pure JSON: survives a round trip unchanged.
    assert.deepEqual(JSON.parse(JSON.stringify(cfg)), cfg);
    const opts = cfg.options as any;
    assert.equal(opts.plugins.title.text, 'The title');
    assert.equal(opts.plugins.title.display, true);
    assert.equal(opts.plugins.legend.display, true);
    assert.equal(opts.scales.x.title.text, 'the x label');
    assert.equal(opts.scales.y.title.text, 'the y label');
    assert.equal(opts.animation, false);
    const png = await decodePng(b['image/png']);
    const want = { lineChart: [640, 400], scatterChart: [500, 300], barChart: [300, 600], heatmap: [700, 500], trajectoryChart: [800, 500] }[name]!;
    assert.deepEqual([png.width, png.height], want);
    const { ink, colors } = inkStats(png);
    assert.ok(ink > 0.01, `only ${(ink * 100).toFixed(2)}% of the PNG is drawn`);
    assert.ok(colors > 8, `only ${colors} colours in the PNG`);
    assert.equal(png.data[3], 255, 'the background is opaque');
    assert.match(b['text/plain'], /The title/);
  });
}

test('log axes set type logarithmic; linear otherwise', () => {
  const log = lineChart({ ...text, series: [{ name: 'a', x: [1, 10, 100], y: [1, 0.1, 0.01] }], logX: true, logY: true });
  const lin = lineChart({ ...text, series: [{ name: 'a', x: [1, 10, 100], y: [1, 0.1, 0.01] }] });
  assert.equal((log[CHART_MIME].options as any).scales.x.type, 'logarithmic');
  assert.equal((log[CHART_MIME].options as any).scales.y.type, 'logarithmic');
  assert.equal((lin[CHART_MIME].options as any).scales.x.type, 'linear');
  assert.equal((lin[CHART_MIME].options as any).scales.y.type, 'linear');
  const bar = barChart({ ...text, labels: ['a'], series: { s: [2] }, logY: true });
  assert.equal((bar[CHART_MIME].options as any).scales.y.type, 'logarithmic');
});

test('series: record form gets x = 0, 1, ...; list form keeps x; NaN becomes a null gap', () => {
  const a = lineChart({ ...text, series: { loss: [3, NaN, 1] } });
  assert.deepEqual(a[CHART_MIME].data.datasets[0].data, [{ x: 0, y: 3 }, { x: 1, y: null }, { x: 2, y: 1 }]);
  assert.equal(a[CHART_MIME].data.datasets[0].label, 'loss');
  const b = lineChart({ ...text, series: [{ name: 'p', x: new Float32Array([5, 6]), y: new Float32Array([1, 2]) }, { name: 'q', y: [4] }] });
  assert.deepEqual(b[CHART_MIME].data.datasets.map((d) => d.label), ['p', 'q']);
  assert.deepEqual(b[CHART_MIME].data.datasets[0].data, [{ x: 5, y: 1 }, { x: 6, y: 2 }]);
  assert.notEqual(b[CHART_MIME].data.datasets[0].borderColor, b[CHART_MIME].data.datasets[1].borderColor);
});

test('bad input gets an error that names the problem and the fix', () => {
  assert.throws(() => lineChart({ ...text, series: [{ name: 'a', x: [1, 2], y: [1, 2, 3] }] }), /series 'a' has 2 x values but 3 y values; give x and y the same length/);
  assert.throws(() => lineChart({ ...text, series: { a: [1, 0] }, logY: true }), /a' y\[1\] = 0 cannot be shown on the logarithmic y axis/);
  assert.throws(() => lineChart({ ...text, series: { a: [1, 2] }, logX: true }), /x\[0\] = 0 cannot be shown on the logarithmic x axis/);
  assert.throws(() => lineChart({ title: 't', xLabel: 'x', series: { a: [1] } } as any), /yLabel must be a string/);
  assert.throws(() => lineChart({ ...text, series: {} }), /series is empty/);
  assert.throws(() => lineChart({ ...text, series: { a: ['1' as any] } }), /a' y\[0\] is the string "1", not a number/);
  assert.throws(() => lineChart({ ...text, series: { a: [1] }, width: 0 }), /width must be an integer number of pixels/);
  assert.throws(() => lineChart({ ...text, series: { a: [1] }, maxPoints: 2 }), /maxPoints must be an integer >= 4/);
  assert.throws(() => scatterChart({ ...text, series: [{ name: 's', y: [1] } as any] }), /series 's' needs x values/);
  assert.throws(() => barChart({ ...text, labels: ['a', 'b'], series: { s: [1] } }), /has 1 values for 2 labels/);
  assert.throws(() => heatmap({ ...text, z: [[1, 2], [3]] }), /z\[1\] has 1 values but z\[0\] has 2; z must be rectangular/);
  assert.throws(() => heatmap({ ...text, z: [[1, 2]], x: [1, 2, 3] }), /x has 3 values but z has 2 columns/);
  assert.throws(() => heatmap({ ...text, z: [[1, 2]], x: [2, 1] }), /x must be finite and strictly increasing/);
  assert.throws(() => heatmap({ ...text, z: [[NaN]] }), /z has no finite value/);
  assert.throws(() => heatmap({ ...text, z: [[1, 0]], logZ: true }), /logZ cannot colour/);
  assert.throws(() => trajectoryChart({ ...text, paths: [{ name: 'p', points: [[1, NaN]] }] }), /point 0 must be a pair of finite numbers/);
});

test('trajectory: paths are line datasets marked at start and end; arrows get arrowheads; contours stay underneath', () => {
  const b = trajectoryChart({
    ...text, surface: { x: g, y: g, z: bowl, contours: 3 },
    paths: [{ name: 'SAM', points: [[0.9, 0.9], [0.5, 0.4], [0.1, 0.1]] }, { name: 'SGD', points: [[-0.9, 0.9], [-0.1, 0.1]] }],
    arrows: [{ from: [0.9, 0.9], to: [1, 1] }, { from: [0.5, 0.4], to: [0.6, 0.5] }],
  });
  const cfg = b[CHART_MIME];
  const labels = cfg.data.datasets.map((d) => d.label);
  assert.deepEqual(labels, ['contours (3 levels)', 'SAM', 'SGD', 'ascent step ε']);
  const sam = cfg.data.datasets[1];
  assert.equal(sam.showLine, true);
  assert.deepEqual(sam.data, [{ x: 0.9, y: 0.9 }, { x: 0.5, y: 0.4 }, { x: 0.1, y: 0.1 }]);
  assert.deepEqual((sam.pointRadius as number[]).map((r) => r > 3), [true, false, true]);
  const arrows = cfg.data.datasets[3];
  assert.deepEqual(arrows.data, [{ x: 0.9, y: 0.9 }, { x: 1, y: 1 }, { x: null, y: null }, { x: 0.5, y: 0.4 }, { x: 0.6, y: 0.5 }, { x: null, y: null }]);
  assert.deepEqual((cfg.options as any).plugins.tramArrows.datasets, [3]);
  assert.ok((cfg.data.datasets[0].order as number) > 0);
  assert.ok((cfg.options as any).plugins.tramHeatmap.z.length === g.length);
});
