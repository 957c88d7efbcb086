/**
 * Names across cells: a shorthand property `{ x }` naming an earlier cell's variable, and tfjs's types
 * (`tf.Tensor2D`) in annotations. Runs test/fixtures/notebooks/scope.ipynb through `tram run`.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { repoRoot, tempDir } from './helpers';

test('shorthand properties see earlier cells, locals of the same name stay local, tf types check', () => {
  const dir = tempDir('tram-scope-');
  const input = path.join(dir, 'scope.ipynb');
  fs.copyFileSync(path.join(repoRoot, 'test', 'fixtures', 'notebooks', 'scope.ipynb'), input);
  const out = path.join(dir, 'out.ipynb');
  const r = spawnSync(process.execPath, [path.join(repoRoot, 'bin', 'tram.js'), 'run', input, '--out', out], {
    encoding: 'utf8',
    timeout: 180_000,
  });
  assert.equal(r.status, 0, r.stdout + r.stderr);
  const cells = JSON.parse(fs.readFileSync(out, 'utf8')).cells as { outputs: { output_type: string; data?: Record<string, unknown> }[] }[];
  const results = cells.map((c) => String(c.outputs.find((o) => o.output_type === 'execute_result')?.data?.['text/plain'] ?? ''));
  assert.match(results[1], /\{"o":\{"x":3\},"p":\{"x":10\}\}/);
  assert.match(results[2], /2x3/);
  assert.match(results[3], /3 3/);
});
