import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadDigits, rotate, thicken, PIXELS, SIDE } from '../../kernel/experiments/data/mnist';
import { subjectAndBody, tokens, hashedFeatures, fnv1a } from '../../kernel/experiments/data/spam';
import { digitsTask } from '../../kernel/experiments/tasks';
import { Rng } from '../../kernel/experiments/rng';

test('the mnist package yields 10,000 labelled 28×28 digits with grey levels in [0, 1]', () => {
  const d = loadDigits();
  assert.equal(d.length, 10000);
  const counts = new Array(10).fill(0);
  for (const x of d) {
    counts[x.label]++;
    assert.equal(x.pixels.length, PIXELS);
  }
  assert.ok(counts.every((c) => c > 800 && c < 1200), `class counts ${counts}`);
  const all = d.slice(0, 50).flatMap((x) => Array.from(x.pixels));
  assert.ok(Math.min(...all) >= 0 && Math.max(...all) <= 1 && Math.max(...all) > 0.9);
});

test('rotation by 90° moves a pixel where the geometry says, and four quarter turns give the image back', () => {
  const img = new Float32Array(PIXELS);
  img[5 * SIDE + 20] = 1; // row 5, column 20: right of centre, above it
  const r = rotate(img, 90);
  // counter-clockwise by 90° about (13.5, 13.5): (row 5, col 20) -> (row 7, col 5)
  assert.equal(r.indexOf(Math.max(...r)), 7 * SIDE + 5);
  const digit = loadDigits()[123].pixels;
  const back = rotate(rotate(rotate(rotate(digit, 90), 90), 90), 90);
  for (let i = 0; i < PIXELS; i++) assert.ok(Math.abs(back[i] - digit[i]) < 1e-4);
  assert.deepEqual(Array.from(rotate(digit, 0)), Array.from(digit));
});

test('thickening is a 3×3 maximum filter', () => {
  const img = new Float32Array(PIXELS);
  img[10 * SIDE + 10] = 0.7;
  const t = thicken(img);
  let lit = 0;
  for (let i = 0; i < PIXELS; i++) if (t[i] > 0) lit++;
  assert.equal(lit, 9);
  assert.equal(t[9 * SIDE + 11], img[10 * SIDE + 10]);
});

test('e-mail features drop the headers except the subject, and are unit-norm hashed counts', () => {
  const raw = 'From: someone@example.com\nSubject: Cheap Meds now\nX-Mailer: foo\n\nBuy cheap meds, cheap!';
  const sb = subjectAndBody(raw);
  assert.ok(!sb.includes('example') && !sb.includes('Mailer'));
  assert.deepEqual(tokens(sb), ['cheap', 'meds', 'now', 'buy', 'cheap', 'meds', 'cheap']);
  const v = hashedFeatures(raw, 64);
  const norm = Math.sqrt(v.reduce((a, b) => a + b * b, 0));
  assert.ok(Math.abs(norm - 1) < 1e-6);
  // "cheap" occurs 3 times: its bucket holds log(1 + 3) before normalisation, the largest value
  assert.equal(v.indexOf(Math.max(...v)), fnv1a('cheap') % 64);
  assert.equal(fnv1a('a'), 0xe40c292c); // FNV-1a test vector
  assert.throws(() => hashedFeatures(raw, 0), /dim must be a positive integer/);
});

test('the digits task splits are disjoint and its shifted sets hold the same digits as the in-domain test', () => {
  const t = digitsTask({ pretrain: 200, train: 100, val: 50, test: 60 });
  assert.deepEqual([t.pretrain.n, t.train.n, t.val.n, t.test.n], [200, 100, 50, 60]);
  assert.deepEqual(t.shifted.map((d) => d.name), ['rot0', 'rot60', 'rot-30', 'thick-rot30']);
  for (const d of t.shifted) assert.deepEqual(Array.from(d.y), Array.from(t.test.y));
  // no pre-training image (upright) equals an upright rendering of a test digit
  const key = (x: Float32Array, i: number, dim: number) => Array.from(x.subarray(i * dim, (i + 1) * dim)).join(',');
  const pre = new Set(Array.from({ length: t.pretrain.n }, (_, i) => key(t.pretrain.x, i, 784)));
  const up = t.shifted[0];
  for (let i = 0; i < up.n; i++) assert.ok(!pre.has(key(up.x, i, 784)));
});

test('the seeded generator is reproducible and shuffles into a permutation', () => {
  const a = new Rng(3).shuffle([...Array(20).keys()]);
  const b = new Rng(3).shuffle([...Array(20).keys()]);
  assert.deepEqual(a, b);
  assert.deepEqual([...a].sort((x, y) => x - y), [...Array(20).keys()]);
  assert.notDeepEqual(a, new Rng(4).shuffle([...Array(20).keys()]));
  assert.throws(() => new Rng(-1), /seed must be a non-negative integer/);
});
