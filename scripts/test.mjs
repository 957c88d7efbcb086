#!/usr/bin/env node
// The whole test suite, stage by stage: `npm test`.
// `npm test -- optim kernel` runs only the named stages (`npm test -- node24` every Node 24 stage);
// TRAM_TEST_SKIP=e2e,faults leaves some out (said in the summary).
// Contract:
//   - First the Debian packages (scripts/setup-system.sh): installed when root, else it stops at once naming
//     the command to run.
//   - Test files are listed here (out/test/<dir>/**/*.test.js) and passed by name: `node --test DIR/` means
//     "run DIR as a module" on Node 22+, so a folder is never passed.
//   - A stage whose folder or script is missing, or whose folder has no test file, FAILS (never dropped).
//   - Skipped and todo tests (node:test's `ℹ skipped N`, `ℹ todo N`) are counted and listed. Under CI=true each
//     one fails the run unless its skip reason contains a word of TRAM_TEST_ALLOW_SKIP (comma list, e.g.
//     `native`): a skip must be allowed on purpose, with its reason in the test.
//   - The Node 24 pass (`node24:*`, node_modules/node from the `node` dev dependency) reruns the fast stages
//     on the newest tested Node with the same build.
//   - The native backend (#13): scripts/setup-native.sh runs before the build (optional: it builds
//     @tensorflow/tfjs-node from the machine's tensorflow-cpu wheel, or says "skipped: no wheel found"; TRAM_NATIVE=off
//     leaves it out); scripts/setup-torch.sh too when the bench stage runs (the PyTorch 2.13 peer; TRAM_TORCH=off). Where it is built, `native:*` reruns optim, analysis and golden with TRAM_BACKEND=tensorflow
//     (`npm test -- native` for all); elsewhere each native:* stage is one skip whose reason starts with `native:`.
//   - Every stage runs even when an earlier one failed (but nothing runs after a failed build); the last
//     line is exactly `N passed, N failed, N skipped`; the exit status is non-zero if anything failed.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, realpathSync, statSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import path from 'node:path';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const node20 = process.execPath;
const node24 = path.join(root, 'node_modules', 'node', 'bin', 'node');

/** Every `*.test.js` under out/test/<dir>, sorted; undefined when the folder is missing. */
function testFiles(dir) {
  const abs = path.join(root, 'out', 'test', dir);
  if (!existsSync(abs) || !statSync(abs).isDirectory()) return undefined;
  const found = [];
  const walk = (d) => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.isFile() && e.name.endsWith('.test.js')) found.push(path.relative(root, p));
    }
  };
  walk(abs);
  return found.sort();
}

/** A node:test stage over out/test/<dir>; `problem` says why it cannot run. */
function nodeTest(name, dir, node = node20) {
  const files = testFiles(dir);
  const problem = !files
    ? `out/test/${dir} is missing (is test/${dir} gone, or did the build not emit it?)`
    : !files.length ? `out/test/${dir} has no *.test.js file` : undefined;
  return { name, cmd: [node, '--test', '--test-concurrency=1', '--test-reporter=spec', ...(files ?? [])], problem, node };
}

/** Whether @tensorflow/tfjs-node is installed with its addon built (scripts/setup-native.sh). */
function nativeBuilt() {
  const lib = path.join(root, 'node_modules', '@tensorflow', 'tfjs-node', 'lib');
  return existsSync(lib) && readdirSync(lib).some((d) => existsSync(path.join(lib, d, 'tfjs_binding.node')));
}

/** A stage rerun on native TensorFlow (TRAM_BACKEND=tensorflow), or one skip naming why not. */
function nativeRerun(stage) {
  const s = { ...stage, name: `native:${stage.name}`, env: { TRAM_BACKEND: 'tensorflow' } };
  if (!nativeBuilt()) s.skip = 'native: @tensorflow/tfjs-node is not built here (scripts/setup-native.sh found no tensorflow-cpu wheel, or TRAM_NATIVE=off)';
  return s;
}

/** A stage that runs a script or folder which must exist. */
function needs(name, rel, cmd, node = node20) {
  return { name, cmd, node, problem: existsSync(path.join(root, rel)) ? undefined : `${rel} is missing` };
}

// Built lazily: the file lists exist only after the build stage.
const stages = () => [
  { name: 'build', cmd: ['npm', 'run', '--silent', 'build'] },
  nodeTest('core', 'core'),
  nodeTest('optim', 'optim'),
  nodeTest('analysis', 'analysis'),
  nodeTest('backend', 'backend'),
  nodeTest('data', 'data'),
  needs('golden', 'test/golden/cases', [node20, 'bin/tram.js', 'golden', 'test/golden/cases']),
  nodeTest('zoo', 'zoo'),
  nodeTest('charts', 'charts'),
  nodeTest('widgets', 'widgets'),
  nodeTest('kernel', 'kernel'),
  nodeTest('jupyter', 'jupyter'),
  nodeTest('extension', 'extension'),
  nodeTest('package', 'package'),
  needs('e2e', 'scripts/e2e.sh', ['bash', 'scripts/e2e.sh']),
  needs('notebooks', 'scripts/run-notebooks.mjs', [node20, 'scripts/run-notebooks.mjs']),
  needs('bench', 'bench', ['npm', 'run', '--silent', 'bench', '--', '--quick']),
  needs('faults', 'scripts/faults.mjs', ['npm', 'run', '--silent', 'faults']),
  needs('fuzz', 'out/test/fuzz/main.js', [node20, 'out/test/fuzz/main.js', '--quick']),
  // The editor soak row (#18) at its quick setting: 2 minutes of training with a live chart in code-server.
  needs('soak', 'out/test/faults/soak.js', ['npm', 'run', '--silent', 'soak', '--', '--minutes', '2']),
  // Native TensorFlow (#13): the optimizer, analysis and golden stages again on it (zoo runs it in its own matrix).
  nativeRerun(nodeTest('optim', 'optim')),
  nativeRerun(nodeTest('analysis', 'analysis')),
  nativeRerun(needs('golden', 'test/golden/cases', [node20, 'bin/tram.js', 'golden', 'test/golden/cases'])),
  // Node 24: the unit, kernel, jupyter and notebook stages (not e2e/bench/faults: code-server and the
  // fault suite are the slow half of the suite and do not depend on the kernel's Node).
  ...['core', 'optim', 'analysis', 'backend', 'data', 'kernel', 'jupyter', 'extension'].map((d) => nodeTest(`node24:${d}`, d, node24)),
  needs('node24:notebooks', 'scripts/run-notebooks.mjs', [node24, 'scripts/run-notebooks.mjs'], node24),
];

/** Sum of every `ℹ <key> N` line (one per node:test run in the stage). */
function count(out, key) {
  let n = 0;
  let seen = false;
  for (const m of out.matchAll(new RegExp(`^ℹ ${key} (\\d+)$`, 'gm'))) { n += Number(m[1]); seen = true; }
  return seen ? n : undefined;
}

/** Skipped (`﹣ name (…) # reason`) and todo (`✔|✖ name (…) # reason`) lines of the spec reporter. */
function skipLines(out) {
  const lines = [];
  for (const m of out.matchAll(/^\s*(﹣|✔|✖) (.*) \([\d.]+m?s\) # (.*)$/gm)) lines.push({ kind: m[1] === '﹣' ? 'skip' : 'todo', name: m[2], reason: m[3] });
  return lines;
}

const argv = process.argv.slice(2);
const only = argv;
const skip = (process.env.TRAM_TEST_SKIP || '').split(',').filter(Boolean);
const allow = (process.env.TRAM_TEST_ALLOW_SKIP || '').split(',').map((w) => w.trim().toLowerCase()).filter(Boolean);
const ci = process.env.CI === 'true';
const chosen = (name) => !only.length || name === 'build' || only.includes(name) || (only.includes('node24') && name.startsWith('node24:')) || (only.includes('native') && name.startsWith('native:'));

{
  const names = stages().map((s) => s.name);
  const unknown = only.filter((n) => n !== 'node24' && n !== 'native' && !names.includes(n));
  if (unknown.length) {
    console.error(`npm test: no stage named ${unknown.join(', ')}; stages: ${names.join(', ')} (or node24 for all node24:*, native for all native:*)`);
    process.exit(1);
  }
}

// The Node 24 dev dependency must not shadow the machine's node in npm scripts (scripts/unlink-node-bin.mjs).
if (existsSync(node24) && realpathSync(process.execPath) === realpathSync(node24)) {
  console.error('npm test: running on node_modules/node (Node 24) because node_modules/.bin/node exists; run `node scripts/unlink-node-bin.mjs` (npm ci does) and retry.');
  console.log('0 passed, 1 failed, 0 skipped');
  process.exit(1);
}

// The two-commands rule: system packages first, installed here when possible, else one clear command.
{
  const r = spawnSync('bash', [path.join(root, 'scripts/setup-system.sh')], { cwd: root, stdio: ['ignore', 'inherit', 'inherit'] });
  if (r.status !== 0) {
    console.error('npm test: the system packages above are needed first (scripts/setup-system.sh); nothing was run.');
    console.log('0 passed, 1 failed, 0 skipped');
    process.exit(1);
  }
}

let passed = 0;
let failed = 0;
let skipped = 0;
const summary = [];
const skipReport = [];

// Optional, before the build (#13): the native backend (scripts/setup-native.sh) and the bench's PyTorch peer
// (scripts/setup-torch.sh, only when the bench stage runs). A missing wheel is a line, not a failure; a wheel that
// was found but did not give a working install is a failure (the rest still runs: on wasm, or without PyTorch).
for (const [name, script, prefix, wanted] of [
  ['native-setup', 'scripts/setup-native.sh', 'native: ', true],
  ['torch-setup', 'scripts/setup-torch.sh', 'torch: ', chosen('bench') && !skip.includes('bench')],
]) {
  if (!wanted) continue;
  const t0 = Date.now();
  console.log(`\n=== ${name}: bash ${script}`);
  const r = spawnSync('bash', [path.join(root, script)], { cwd: root, stdio: ['ignore', 'pipe', 'inherit'], encoding: 'utf8' });
  process.stdout.write(r.stdout || '');
  const last = (r.stdout || '').trim().split('\n').pop() || '';
  const secs = ((Date.now() - t0) / 1000).toFixed(1);
  if (r.status === 0) summary.push(`${name}: ok in ${secs}s (${last.replace(prefix, '')})`);
  else { failed += 1; summary.push(`${name}: FAILED (exit ${r.status ?? r.signal}) in ${secs}s`); }
}
for (const name of stages().map((x) => x.name)) {
  if (!chosen(name)) continue;
  // Built now, not before the loop: the file lists exist only once the build stage has run.
  const s = stages().find((x) => x.name === name);
  if (skip.includes(s.name)) { summary.push(`${s.name}: left out (TRAM_TEST_SKIP)`); continue; }
  if (s.node === node24 && !existsSync(node24)) s.problem = `${path.relative(root, node24)} is missing: run \`npm ci\` (the \`node\` dev dependency provides Node 24)`;
  if (s.skip) {
    const allowed = allow.some((w) => s.skip.toLowerCase().includes(w));
    if (ci && !allowed) { failed += 1; summary.push(`${s.name}: FAILED (skipped, reason not allowed under CI: ${s.skip})`); }
    else { skipped += 1; summary.push(`${s.name}: skipped (${s.skip})`); }
    skipReport.push(`${s.name}: skip "${s.name}" # ${s.skip}${ci ? (allowed ? ' (allowed by TRAM_TEST_ALLOW_SKIP)' : ' (NOT allowed under CI)') : ''}`);
    continue;
  }
  if (s.problem) {
    failed += 1;
    summary.push(`${s.name}: FAILED (${s.problem})`);
    continue;
  }
  const t0 = Date.now();
  const envNote = s.env ? `${Object.entries(s.env).map(([k, v]) => `${k}=${v}`).join(' ')} ` : '';
  console.log(`\n=== ${s.name}: ${envNote}${s.cmd.map((a) => (a.startsWith(root) ? path.relative(root, a) : a)).join(' ')}`);
  const r = spawnSync(s.cmd[0], s.cmd.slice(1), { cwd: root, stdio: ['ignore', 'pipe', 'inherit'], encoding: 'utf8', maxBuffer: 1 << 28, env: { ...process.env, ...s.env } });
  const out = r.stdout || '';
  process.stdout.write(out);
  const secs = ((Date.now() - t0) / 1000).toFixed(1);
  const p = count(out, 'pass');
  const f = count(out, 'fail') ?? 0;
  const sk = (count(out, 'skipped') ?? 0) + (count(out, 'todo') ?? 0);
  let ok = r.status === 0;
  let notes = '';
  if (p !== undefined) {
    passed += p;
    failed += f;
    if (!ok && f === 0) failed += 1;
  } else if (ok) passed += 1; else failed += 1;
  if (sk) {
    const lines = skipLines(out);
    const isAllowed = (l) => allow.some((w) => l.reason.toLowerCase().includes(w));
    const refused = ci ? lines.filter((l) => !isAllowed(l)).length + Math.max(0, sk - lines.length) : 0;
    skipped += sk - refused;
    failed += refused;
    if (refused) ok = false;
    for (const l of lines) skipReport.push(`${s.name}: ${l.kind} "${l.name}" # ${l.reason}${ci ? (isAllowed(l) ? ' (allowed by TRAM_TEST_ALLOW_SKIP)' : ' (NOT allowed under CI)') : ''}`);
    notes = `, ${sk} skipped${refused ? `, ${refused} of them not allowed under CI: add the reason's word to TRAM_TEST_ALLOW_SKIP only if the skip is intended` : ''}`;
  }
  summary.push(`${s.name}: ${ok ? 'ok' : `FAILED (exit ${r.status ?? r.signal})`} in ${secs}s${p !== undefined ? ` (${p} passed, ${f} failed${notes})` : notes ? ` (${notes.slice(2)})` : ''}`);
  if (s.name === 'build' && r.status !== 0) break;
}
console.log('\n=== summary');
for (const line of summary) console.log(line);
if (skipReport.length) {
  console.log('\n=== skipped tests');
  for (const line of skipReport) console.log(line);
}
console.log(`\n${passed} passed, ${failed} failed, ${skipped} skipped`);
process.exit(failed ? 1 : 0);
