#!/usr/bin/env node
// The `notebooks` stage of `npm test`:
//   1. unit tests of the experiment code (out/test/notebooks/: statistics, data loaders);
//   2. the committed notebooks match their sources (node notebooks/build.mjs --check);
//   3. the experiments' quick setting runs end to end (npm run experiments -- --quick, into a temporary folder);
//   4. every notebook under notebooks/ runs top to bottom in a fresh kernel with `tram run` (outputs to a temporary
//      folder; the committed notebooks stay without outputs).
// TRAM_NOTEBOOKS=00-welcome,05-tram runs only those notebooks; TRAM_NOTEBOOKS_SKIP_QUICK=1 skips step 3.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const node = process.execPath;
const NOTEBOOK_TIMEOUT_S = 300;
const tmp = mkdtempSync(path.join(tmpdir(), 'tram-notebooks-'));
const rows = [];
let failed = 0;

function step(name, cmd, args, timeoutS) {
  const t0 = Date.now();
  console.log(`\n--- ${name}: ${[cmd, ...args].map((a) => path.relative(root, a) || a).join(' ')}`);
  const r = spawnSync(cmd, args, { cwd: root, stdio: 'inherit', timeout: timeoutS * 1000, killSignal: 'SIGKILL' });
  const secs = (Date.now() - t0) / 1000;
  const ok = r.status === 0;
  const why = r.error ? (r.error.code === 'ETIMEDOUT' ? `timed out after ${timeoutS}s` : r.error.message) : `exit ${r.status ?? r.signal}`;
  rows.push({ name, ok, secs, why: ok ? '' : why });
  if (!ok) failed++;
  return ok;
}

try {
  if (existsSync(path.join(root, 'out/test/notebooks'))) {
    // Files by name: on Node 22+ `node --test DIR/` would load DIR as a module.
    const files = readdirSync(path.join(root, 'out/test/notebooks')).filter((f) => f.endsWith('.test.js')).sort().map((f) => path.join('out/test/notebooks', f));
    step('unit tests', node, ['--test', '--test-concurrency=1', '--test-reporter=spec', ...files], 600);
  }
  step('notebooks match sources', node, ['notebooks/build.mjs', '--check'], 60);
  if (!process.env.TRAM_NOTEBOOKS_SKIP_QUICK) {
    const out = path.join(tmp, 'quick');
    if (step('experiments --quick', node, ['out/kernel/experiments/main.js', '--quick', '--out', out], 600)) {
      const r = JSON.parse(readFileSync(path.join(out, 'results.json'), 'utf8'));
      const runs = r.tasks.flatMap((t) => t.runs);
      const bad = runs.filter((x) => ![x.inDomain.accuracy, x.zeroShotAccuracy, x.inDomain.sharpness, x.inDomain.cka].every(Number.isFinite));
      const pngs = readdirSync(out).filter((f) => f.endsWith('.png'));
      const ok = r.finished && runs.length === r.seeds.length * r.methods.length * r.tasks.length && bad.length === 0 && pngs.length === 6 * r.tasks.length;
      rows.push({ name: 'quick results complete', ok, secs: 0, why: ok ? '' : `finished ${r.finished}, ${runs.length} runs, ${bad.length} with non-finite figures, ${pngs.length} charts` });
      if (!ok) failed++;
    }
  }
  const runner = path.join(root, 'out/kernel/cli/run.js');
  const only = (process.env.TRAM_NOTEBOOKS || '').split(',').filter(Boolean);
  const notebooks = readdirSync(path.join(root, 'notebooks')).filter((f) => f.endsWith('.ipynb')).sort()
    .filter((f) => !only.length || only.includes(f.replace(/\.ipynb$/, '')));
  if (!existsSync(runner)) {
    rows.push({ name: 'tram run', ok: false, secs: 0, why: 'out/kernel/cli/run.js is missing: `tram run` is needed to execute the notebooks' });
    failed++;
  } else {
    for (const nb of notebooks) {
      step(nb, node, ['bin/tram.js', 'run', path.join('notebooks', nb), '--out', path.join(tmp, nb), '--timeout', String(NOTEBOOK_TIMEOUT_S)], NOTEBOOK_TIMEOUT_S + 30);
    }
  }
} finally {
  rmSync(tmp, { recursive: true, force: true });
}

console.log('\n--- notebooks summary');
for (const r of rows) console.log(`${r.ok ? 'ok  ' : 'FAIL'} ${r.name.padEnd(36)} ${r.secs.toFixed(1).padStart(6)}s ${r.why}`);
const total = rows.reduce((a, r) => a + r.secs, 0);
console.log(`${rows.length - failed} ok, ${failed} failed, ${total.toFixed(0)}s`);
process.exit(failed ? 1 : 0);
