#!/usr/bin/env node
// The whole test suite, stage by stage: `npm test`.
// `npm test -- optim kernel` runs only the named stages; TRAM_TEST_SKIP=e2e,faults skips some.
// Every stage runs even when an earlier one failed; the exit status is non-zero if any failed.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import path from 'node:path';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const node = process.execPath;
const nodeTest = (dir) => [node, '--test', '--test-concurrency=1', '--test-reporter=spec', `out/test/${dir}/`];

/** name, command, and whether it counts node:test results. `needs` is a path that must exist. */
const stages = [
  { name: 'build', cmd: ['npm', 'run', '--silent', 'build'] },
  { name: 'optim', cmd: nodeTest('optim'), needs: 'out/test/optim' },
  { name: 'analysis', cmd: nodeTest('analysis'), needs: 'out/test/analysis' },
  { name: 'backend', cmd: nodeTest('backend'), needs: 'out/test/backend' },
  { name: 'data', cmd: nodeTest('data'), needs: 'out/test/data' },
  { name: 'golden', cmd: [node, 'bin/tram.js', 'golden', '../shared/golden/cases'] },
  { name: 'zoo', cmd: nodeTest('zoo'), needs: 'out/test/zoo' },
  { name: 'charts', cmd: nodeTest('charts'), needs: 'out/test/charts' },
  { name: 'kernel', cmd: nodeTest('kernel'), needs: 'out/test/kernel' },
  { name: 'jupyter', cmd: nodeTest('jupyter'), needs: 'out/test/jupyter' },
  { name: 'extension', cmd: nodeTest('extension'), needs: 'out/test/extension' },
  { name: 'e2e', cmd: ['bash', 'scripts/e2e.sh'], needs: 'scripts/e2e.sh' },
  { name: 'notebooks', cmd: [node, 'scripts/run-notebooks.mjs'], needs: 'scripts/run-notebooks.mjs' },
  { name: 'bench', cmd: ['npm', 'run', '--silent', 'bench', '--', '--quick'], needs: 'bench' },
  { name: 'faults', cmd: ['npm', 'run', '--silent', 'faults'], needs: 'scripts/faults.mjs' },
];

const only = process.argv.slice(2);
const skip = (process.env.TRAM_TEST_SKIP || '').split(',').filter(Boolean);
let passed = 0;
let failed = 0;
const summary = [];
for (const s of stages) {
  if (only.length && !only.includes(s.name) && s.name !== 'build') continue;
  if (skip.includes(s.name)) { summary.push(`${s.name}: skipped (TRAM_TEST_SKIP)`); continue; }
  if (s.needs && !existsSync(path.join(root, s.needs))) continue;
  const t0 = Date.now();
  console.log(`\n=== ${s.name}: ${s.cmd.join(' ')}`);
  const r = spawnSync(s.cmd[0], s.cmd.slice(1), { cwd: root, stdio: ['ignore', 'pipe', 'inherit'], encoding: 'utf8', maxBuffer: 1 << 28 });
  process.stdout.write(r.stdout || '');
  const secs = ((Date.now() - t0) / 1000).toFixed(1);
  const p = /^ℹ pass (\d+)$/m.exec(r.stdout || '');
  const f = /^ℹ fail (\d+)$/m.exec(r.stdout || '');
  const ok = r.status === 0;
  if (p) {
    passed += Number(p[1]);
    failed += Number(f ? f[1] : 0);
    if (!ok && !(f && Number(f[1]) > 0)) failed += 1;
  } else if (ok) passed += 1; else failed += 1;
  summary.push(`${s.name}: ${ok ? 'ok' : `FAILED (exit ${r.status ?? r.signal})`} in ${secs}s${p ? ` (${p[1]} tests, ${f ? f[1] : 0} failed)` : ''}`);
  if (s.name === 'build' && !ok) break;
}
console.log('\n=== summary');
for (const line of summary) console.log(line);
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);
