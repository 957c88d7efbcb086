import { describe, it, before } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as os from 'node:os';
import { spawnSync } from 'node:child_process';
import { initGoldenBackend, runGoldenDir, runStepCase, formatResult } from '../../kernel/golden/run';

// The cases are vendored in the repository; their absence is a failure, never a skip.
const dir = path.resolve(__dirname, '../../../test/golden/cases');
function need(file: string): string {
  assert.ok(fs.existsSync(file), `golden file ${file} is missing: the cases live in test/golden/cases (copied from shared/golden/cases)`);
  return file;
}

describe('golden cases', () => {
  before(async () => {
    await initGoldenBackend();
  });

  it('every step_*.json and divergences.json case is within tolerance', () => {
    need(dir);
    const results = runGoldenDir(dir);
    assert.ok(results.length >= 19, `only ${results.length} cases found`);
    const failed = results.filter((r) => !r.ok);
    assert.deepEqual(failed.map(formatResult), []);
  });

  it('the step cases are also within tolerance on the cpu backend', async () => {
    need(dir);
    const tf = await import('@tensorflow/tfjs');
    const prev = tf.getBackend();
    await tf.setBackend('cpu');
    try {
      const failed = runGoldenDir(dir).filter((r) => !r.ok);
      assert.deepEqual(failed.map(formatResult), []);
    } finally {
      await tf.setBackend(prev);
    }
  });

  it('the runner fails a case whose expected value is off by more than the tolerance', () => {
    const file = need(path.join(dir, 'step_tram-x.json'));
    const c = JSON.parse(fs.readFileSync(file, 'utf8'));
    c.expected.trace[1].divergence *= 1.01;
    const r = runStepCase(c, 'altered');
    assert.equal(r.ok, false);
    assert.match(r.failures.join('\n'), /step 2 divergence/);
  });

  it('`tram golden <dir>` prints one line per case and exits 1 when a case fails, 0 when all pass', () => {
    const file = need(path.join(dir, 'step_sam.json'));
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'golden-'));
    const bin = path.resolve(__dirname, '../../../bin/tram.js');
    try {
      fs.copyFileSync(file, path.join(tmp, 'step_sam.json'));
      const good = spawnSync(process.execPath, [bin, 'golden', tmp], { encoding: 'utf8' });
      assert.equal(good.status, 0, good.stdout + good.stderr);
      assert.match(good.stdout, /^PASS\s+step_sam\.json\s+max err \S+ +\(.* of tolerance rtol 0\.0001 atol 0\.00001/m);
      const c = JSON.parse(fs.readFileSync(file, 'utf8'));
      c.expected.params[0][0][0][0] += 1e-3;
      fs.writeFileSync(path.join(tmp, 'step_bad.json'), JSON.stringify(c));
      const bad = spawnSync(process.execPath, [bin, 'golden', tmp], { encoding: 'utf8' });
      assert.equal(bad.status, 1);
      assert.match(bad.stdout, /^FAIL\s+step_bad\.json/m);
      assert.match(bad.stdout, /1\/2 passed, 1 FAILED/);
    } finally {
      fs.rmSync(tmp, { recursive: true, force: true });
    }
  });
});
