/**
 * Where @napi-rs/canvas cannot load (a .vsix for another platform, a missing system library), charts still
 * produce their notebook output: the chart config and text, no PNG, one notice on stderr, and no exception.
 * The failed load is real, not mocked: a child Node process points @napi-rs/canvas's loader at a binary that
 * does not exist (its NAPI_RS_NATIVE_LIBRARY_PATH override), then calls the chart helpers.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as path from 'node:path';

const charts = path.resolve(__dirname, '../../kernel/charts/index.js');
const protocol = path.resolve(__dirname, '../../kernel/protocol.js');

const SCRIPT = `
const c = require(${JSON.stringify(charts)});
const { CHART_MIME } = require(${JSON.stringify(protocol)});
const out = { bundles: [], live: [] };
const opts = { title: 'loss', xLabel: 'step', yLabel: 'loss', series: { train: [3, 2, 1.5, 1.2] } };
for (let i = 0; i < 3; i++) {
  const b = c.lineChart(opts);
  out.bundles.push({ keys: Object.keys(b).sort(), type: b[CHART_MIME].type, text: b['text/plain'] });
}
const h = c.heatmap({ title: 'h', xLabel: 'x', yLabel: 'y', z: [[1, 2], [3, 4]] });
out.heatmapKeys = Object.keys(h).sort();
const live = new c.LiveChart((b) => out.live.push(Object.keys(b).sort()), { title: 'live', xLabel: 'step', yLabel: 'loss', series: ['a'], minIntervalMs: 0 });
live.push(0, { a: 1 }); live.push(1, { a: 0.5 }); live.flush();
try { c.renderPng(c.lineChart(opts)[CHART_MIME]); out.renderPng = 'returned'; } catch (e) { out.renderPng = e.message; }
console.log(JSON.stringify(out));
`;

function runWith(env: NodeJS.ProcessEnv) {
  const r = spawnSync(process.execPath, ['-e', SCRIPT], { encoding: 'utf8', env: { ...process.env, ...env }, timeout: 60_000 });
  assert.equal(r.status, 0, `child failed: ${r.stderr}`);
  return { out: JSON.parse(r.stdout.trim().split('\n').pop()!), stderr: r.stderr };
}

test('a canvas binary that cannot load: charts without PNG, one notice, renderPng explains', () => {
  const { out, stderr } = runWith({ NAPI_RS_NATIVE_LIBRARY_PATH: '/nonexistent/skia.simulated.node' });
  const chartMime = 'application/vnd.tram.chart+json';
  for (const b of out.bundles) {
    assert.deepEqual(b.keys, [chartMime, 'text/plain']);
    assert.equal(b.type, 'line');
    assert.ok(b.text.length > 0);
  }
  assert.deepEqual(out.heatmapKeys, [chartMime, 'text/plain']);
  assert.ok(out.live.length >= 1, 'the live chart emitted');
  for (const keys of out.live) assert.deepEqual(keys, [chartMime, 'text/plain']);
  const notices = stderr.split('\n').filter((l) => /PNG copies/.test(l));
  assert.equal(notices.length, 1, `exactly one notice, got:\n${stderr}`);
  assert.match(notices[0], /charts show in VS Code/);
  assert.match(notices[0], /@napi-rs\/canvas/);
  assert.match(notices[0], /skia\.simulated\.node/, 'the notice carries the load error');
  assert.match(out.renderPng, /^renderPng: the PNG renderer \(@napi-rs\/canvas\) cannot load on /);
});

test('the same script with the canvas binary in place draws PNGs and prints no notice', () => {
  const env = { ...process.env };
  delete env.NAPI_RS_NATIVE_LIBRARY_PATH;
  const r = spawnSync(process.execPath, ['-e', SCRIPT], { encoding: 'utf8', env, timeout: 60_000 });
  assert.equal(r.status, 0, r.stderr);
  const out = JSON.parse(r.stdout.trim().split('\n').pop()!);
  for (const b of out.bundles) assert.ok(b.keys.includes('image/png'));
  assert.ok(out.heatmapKeys.includes('image/png'));
  assert.equal(out.renderPng, 'returned');
  assert.doesNotMatch(r.stderr, /PNG copies/);
});
