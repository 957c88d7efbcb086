import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

const ROOT = path.resolve(__dirname, '../../..');
const TRAM = path.join(ROOT, 'bin', 'tram.js');
// The project's own native packages hidden in the child (test/backend/hide-native.ts), so these tests mean the same
// whether or not scripts/setup-native.sh built @tensorflow/tfjs-node here; the last test checks the built one.
const HIDE = path.join(__dirname, 'hide-native.js');

function doctor(args: string[], env: Record<string, string> = {}, hide = true) {
  const clean = { ...process.env };
  delete clean.TRAM_BACKEND;
  const r = spawnSync(process.execPath, [...(hide ? ['-r', HIDE] : []), TRAM, 'doctor', ...args], { cwd: ROOT, env: { ...clean, ...env }, encoding: 'utf8', timeout: 120_000 });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

/** Whether @tensorflow/tfjs-node is installed in the project with its addon built (scripts/setup-native.sh). */
function nativeBuilt(): boolean {
  const lib = path.join(ROOT, 'node_modules', '@tensorflow', 'tfjs-node', 'lib');
  return fs.existsSync(lib) && fs.readdirSync(lib).some((d) => fs.existsSync(path.join(lib, d, 'tfjs_binding.node')));
}

test('tram doctor prints the backend in use, each candidate with its reason, versions and wasm features', () => {
  const r = doctor([]);
  assert.equal(r.code, 0, r.err);
  assert.match(r.out, /^backend\s+wasm \(@tensorflow\/tfjs-backend-wasm 4\.22\.0\), fast matMul kernels on$/m);
  assert.match(r.out, /no\s+tensorflow-gpu\s+@tensorflow\/tfjs-node-gpu: not installed/);
  assert.match(r.out, /no\s+tensorflow\s+@tensorflow\/tfjs-node: not installed/);
  assert.match(r.out, /fix: npm install @tensorflow\/tfjs-node@4\.22\.0/);
  assert.match(r.out, /ok\s+wasm\s+@tensorflow\/tfjs-backend-wasm: SIMD on, threads off/);
  assert.match(r.out, /^tfjs\s+4\.22\.0/m);
  assert.match(r.out, new RegExp(`^node\\s+${process.versions.node.replace(/\./g, '\\.')}`, 'm'));
  assert.match(r.out, /^wasm\s+SIMD yes, threads no$/m);
});

test('tram doctor --json is the report; a forced backend that is unavailable exits 1 with the fix', () => {
  const ok = doctor(['--json', '--backend', 'cpu']);
  assert.equal(ok.code, 0, ok.err);
  const rep = JSON.parse(ok.out);
  assert.equal(rep.ok, true);
  assert.equal(rep.name, 'cpu');
  assert.equal(rep.requested.prefer, 'cpu');

  const bad = doctor([], { TRAM_BACKEND: 'tensorflow' });
  assert.equal(bad.code, 1);
  assert.match(bad.out, /UNAVAILABLE: Backend 'tensorflow' \(@tensorflow\/tfjs-node\) is not available.*npm install @tensorflow\/tfjs-node@4\.22\.0/);

  const badJson = doctor(['--json', '--backend=tensorflow-gpu']);
  assert.equal(badJson.code, 1);
  const j = JSON.parse(badJson.out);
  assert.equal(j.ok, false);
  assert.equal(j.tried[0].candidate, 'tensorflow-gpu');

  const usage = doctor(['--backend', 'metal']);
  assert.equal(usage.code, 2);
  assert.match(usage.err, /Unknown backend 'metal' \(from --backend\)/);
});

test('with @tensorflow/tfjs-node built here, auto picks it, and one native package is loaded without duplicate registrations', { skip: nativeBuilt() ? false : 'native: @tensorflow/tfjs-node is not built here (scripts/setup-native.sh found no tensorflow-cpu wheel)' }, () => {
  const r = doctor(['--json'], {}, false);
  assert.equal(r.code, 0, r.err);
  const rep = JSON.parse(r.out);
  assert.equal(rep.name, 'tensorflow');
  assert.equal(rep.package, '@tensorflow/tfjs-node');
  assert.doesNotMatch(r.err + r.out, /already registered/);
  const forced = doctor(['--backend', 'tensorflow'], {}, false);
  assert.equal(forced.code, 0, forced.err);
  assert.match(forced.out, /^backend\s+tensorflow \(@tensorflow\/tfjs-node 4\.22\.0\)/m);
  assert.doesNotMatch(forced.err + forced.out, /already registered/);
});
