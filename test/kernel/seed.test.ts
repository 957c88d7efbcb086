/**
 * tram.seed / TRAM_SEED / `tram run --seed`: a seeded kernel repeats weight initialisation, shuffles, dropout and
 * noise exactly across processes; unseeded kernels differ; a bad seed is a clear error.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { spawnSync } from 'node:child_process';
import { KernelClient } from '../../kernel/host/client';
import { kernelEnv } from '../../kernel/host/env';
import { parseSeed, seededRandom } from '../../kernel/runtime/seed';
import { collector, repoRoot, tempDir } from './helpers';

// Draws from every source that takes no explicit seed: a layer's initialiser, tf.util.shuffle, dropout, randomNormal.
const CELL = `
const m = tf.sequential({ layers: [tf.layers.dense({ inputShape: [3], units: 4 })] });
const w = Array.from(m.getWeights()[0].dataSync()).map((v) => v.toFixed(6)).join(',');
const order = [0, 1, 2, 3, 4, 5, 6, 7]; tf.util.shuffle(order);
const drop = Array.from(tf.dropout(tf.ones([8]), 0.5).dataSync()).join(',');
const noise = Array.from(tf.randomNormal([3]).dataSync()).map((v) => v.toFixed(6)).join(',');
console.log(JSON.stringify({ w, order: order.join(','), drop, noise }));
`;

async function draws(seed: number | undefined): Promise<Record<string, string>> {
  const k = await KernelClient.start({ cwd: tempDir(), seed });
  try {
    const c = collector();
    const r = await k.execute('1', CELL, c.on);
    assert.equal(r.status, 'ok', c.error()?.evalue);
    assert.equal(k.info.seed, seed);
    return JSON.parse(c.text().trim());
  } finally {
    await k.shutdown();
  }
}

test('seeded kernels repeat every unseeded draw; unseeded kernels differ', async () => {
  const a = await draws(42);
  const b = await draws(42);
  assert.deepEqual(a, b);
  const other = await draws(43);
  for (const key of ['w', 'order', 'noise']) assert.notEqual(other[key], a[key], key);
  const u1 = await draws(undefined);
  const u2 = await draws(undefined);
  assert.notEqual(u1.w, u2.w);
  assert.notEqual(u1.noise, u2.noise);
});

test('tram run --seed N gives the same outputs on two runs', () => {
  const dir = tempDir();
  const nb = path.join(dir, 'seeded.ipynb');
  const cell = { cell_type: 'code', metadata: {}, execution_count: null, outputs: [], source: ['tf.randomNormal([4]).dataSync().join(",")'] };
  fs.writeFileSync(nb, JSON.stringify({ nbformat: 4, nbformat_minor: 5, metadata: { kernelspec: { name: 'tram', display_name: 'TRAM TypeScript', language: 'typescript' } }, cells: [cell] }));
  const run = (out: string) => {
    const r = spawnSync(process.execPath, [path.join(repoRoot, 'bin', 'tram.js'), 'run', nb, '--out', out, '--seed', '5'], { encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr + r.stdout);
    return JSON.stringify(JSON.parse(fs.readFileSync(out, 'utf8')).cells[0].outputs);
  };
  const first = run(path.join(dir, 'a.ipynb'));
  assert.match(first, /-?\d\.\d+,/);
  assert.equal(run(path.join(dir, 'b.ipynb')), first);
  const bad = spawnSync(process.execPath, [path.join(repoRoot, 'bin', 'tram.js'), 'run', nb, '--seed', '1.5'], { encoding: 'utf8' });
  assert.equal(bad.status, 2);
  assert.match(bad.stderr, /--seed must be an integer \(got 1\.5\)/);
});

// #11: the seed is explicit. A TRAM_SEED in the environment of whoever starts kernels (a shell, the editor, a test
// run) is not inherited; only KernelClient's `seed` (tram.seed, tram run --seed) seeds a kernel.
test('a TRAM_SEED in the host environment does not seed kernels; the seed option does', async () => {
  assert.equal(kernelEnv({ TRAM_SEED: '42', TRAM_OTHER: 'kept' }).TRAM_SEED, undefined);
  assert.equal(kernelEnv({ TRAM_SEED: '42', TRAM_OTHER: 'kept' }).TRAM_OTHER, 'kept');
  assert.equal(kernelEnv({ TRAM_SEED: '42' }, { TRAM_SEED: '7' }).TRAM_SEED, '7');
  const saved = process.env.TRAM_SEED;
  process.env.TRAM_SEED = '42';
  try {
    const seeded = await draws(42);
    const u1 = await draws(undefined); // asserts info.seed === undefined
    const u2 = await draws(undefined);
    assert.notEqual(u1.w, seeded.w);
    assert.notEqual(u1.w, u2.w);
    assert.notEqual(u1.noise, u2.noise);
    assert.deepEqual(await draws(7), await draws(7));
  } finally {
    if (saved === undefined) delete process.env.TRAM_SEED;
    else process.env.TRAM_SEED = saved;
  }
});

test('tram run without --seed is unseeded under a TRAM_SEED in the environment, and says so', () => {
  const dir = tempDir();
  const nb = path.join(dir, 'unseeded.ipynb');
  const cell = { cell_type: 'code', metadata: {}, execution_count: null, outputs: [], source: ['tf.randomNormal([4]).dataSync().join(",")'] };
  fs.writeFileSync(nb, JSON.stringify({ nbformat: 4, nbformat_minor: 5, metadata: {}, cells: [cell] }));
  const run = (out: string) => {
    const r = spawnSync(process.execPath, [path.join(repoRoot, 'bin', 'tram.js'), 'run', nb, '--out', out], { encoding: 'utf8', env: { ...process.env, TRAM_SEED: '5' } });
    assert.equal(r.status, 0, r.stderr + r.stdout);
    assert.match(r.stderr, /TRAM_SEED=5 in the environment is ignored; the kernels are unseeded \(pass --seed 5 to seed them\)/);
    return JSON.stringify(JSON.parse(fs.readFileSync(out, 'utf8')).cells[0].outputs);
  };
  const first = run(path.join(dir, 'a.ipynb'));
  assert.match(first, /-?\d\.\d+,/);
  assert.notEqual(run(path.join(dir, 'b.ipynb')), first);
});

test('the generator: deterministic, in [0, 1), seeds give different streams, mean ≈ 1/2', () => {
  const a = seededRandom(1), b = seededRandom(1), c = seededRandom(2);
  const xs = Array.from({ length: 20000 }, () => a());
  assert.deepEqual(Array.from({ length: 20000 }, () => b()), xs);
  assert.notDeepEqual(Array.from({ length: 5 }, () => c()), xs.slice(0, 5));
  assert.ok(xs.every((x) => x >= 0 && x < 1));
  const mean = xs.reduce((s, x) => s + x, 0) / xs.length;
  assert.ok(Math.abs(mean - 0.5) < 0.01, `mean ${mean}`); // sd of the mean of U(0,1) is 0.0020 for n = 20000
  assert.equal(new Set(xs).size, xs.length);
});

test('TRAM_SEED: empty is unseeded, a non-integer is an error naming the fix', () => {
  assert.equal(parseSeed(undefined), undefined);
  assert.equal(parseSeed(''), undefined);
  assert.equal(parseSeed('7'), 7);
  assert.throws(() => parseSeed('abc'), /TRAM_SEED must be an integer \(got "abc"\).*tram\.seed/);
  assert.throws(() => parseSeed('0.5'), /TRAM_SEED must be an integer/);
});
