import { describe, it, before } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { initGoldenBackend, runGoldenDir, runStepCase, formatResult } from '../../kernel/golden/run';

const dir = path.resolve(__dirname, '../../../../shared/golden/cases');

describe('golden cases', () => {
  before(async () => {
    await initGoldenBackend();
  });

  it('every step_*.json and divergences.json case is within tolerance', (t) => {
    if (!fs.existsSync(dir)) return t.skip(`no golden cases at ${dir}`);
    const results = runGoldenDir(dir);
    assert.ok(results.length >= 19, `only ${results.length} cases found`);
    const failed = results.filter((r) => !r.ok);
    assert.deepEqual(failed.map(formatResult), []);
  });

  it('the runner fails a case whose expected value is off by more than the tolerance', (t) => {
    const file = path.join(dir, 'step_tram-x.json');
    if (!fs.existsSync(file)) return t.skip('no step_tram-x.json');
    const c = JSON.parse(fs.readFileSync(file, 'utf8'));
    c.expected.trace[1].divergence *= 1.01;
    const r = runStepCase(c, 'altered');
    assert.equal(r.ok, false);
    assert.match(r.failures.join('\n'), /step 2 divergence/);
  });
});
