/**
 * The types process over IPC (kernel/runtime/typesServer.ts through extension/typesClient.ts), and parity with
 * the kernel: the diagnostics it reports for a cell are the ones a real kernel reports when it runs the cells
 * above and then that cell.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import * as path from 'node:path';
import { TypesClient } from '../../extension/typesClient';
import { KernelClient } from '../../kernel/host/client';
import type { CellCompletion, CellDiagnostic } from '../../kernel/runtime/cellTypes';
import { collector, repoRoot, tempDir } from '../kernel/helpers';

let client: TypesClient;
before(() => {
  client = new TypesClient({ serverMain: path.join(repoRoot, 'out', 'kernel', 'runtime', 'typesServer.js'), cwd: tempDir() });
});
after(() => client.dispose());

const CELLS = ['const a = 1;\nlet keep = tf.tensor1d([1, 2]);', "const a = 'again';", 'const n: number = a;\nkeep.rank'];

test('the types process answers completions; a superseded request resolves undefined', { timeout: 300_000 }, async () => {
  const cells = [{ code: 'tf.tens' }];
  const first = client.request<CellCompletion[]>('completions', cells, 0, 7);
  const second = client.request<CellCompletion[]>('completions', cells, 0, 7);
  assert.equal(await first, undefined);
  const got = (await second)!.map((e) => e.name);
  assert.ok(got.includes('tensor2d'), got.slice(0, 20).join());
  await assert.rejects(client.request('hover', cells, 3, 0), /cell index 3 is outside the 1 cells sent/);
});

test('diagnostics equal what a kernel reports when it runs the cells in order', { timeout: 300_000 }, async () => {
  const cells = CELLS.map((code) => ({ code }));
  const predicted = await client.request<CellDiagnostic[]>('diagnostics', cells, 2);
  assert.deepEqual(await client.request('diagnostics', cells, 1), []);
  const k = await KernelClient.start({ cwd: tempDir() });
  try {
    for (const [i, code] of CELLS.entries()) {
      const c = collector();
      const r = await k.execute(String(i + 1), code, c.on);
      if (i < 2) assert.equal(r.status, 'ok', c.error()?.evalue);
      else {
        assert.equal(r.status, 'error');
        const err = c.error()!;
        const lines = err.traceback.filter((l) => / - error TS\d+: /.test(l));
        const expected = predicted!.map((d) => `cell 3:${d.line + 1}:${d.character + 1} - error TS${d.code}: ${d.message}`);
        assert.deepEqual(lines, expected);
        assert.equal(lines.length, 1);
      }
    }
  } finally {
    await k.shutdown();
  }
});
