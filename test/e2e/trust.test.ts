/**
 * Workspace trust, end to end: with trust on and the folder not trusted (Restricted Mode), the notebook opens
 * and the TRAM kernel can be selected; running asks whether to trust the folder, and when the user declines,
 * no kernel process starts. (Should a run reach the controller anyway, through the API, the controller itself
 * refuses while `workspace.isTrusted` is false and says why in the cell: extension/controller.ts.)
 */
import { after, before, describe, it } from 'node:test';
import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Editor, FIXTURES, RESULTS, type Cell } from './editor';

/** Command lines of the processes in a process group. */
function groupCommands(pgid: number): string[] {
  const ps = spawnSync('ps', ['-eo', 'pgid=,args='], { encoding: 'utf8' });
  return ps.stdout
    .split('\n')
    .map((l) => l.trim().match(/^(\d+)\s+(.*)$/))
    .filter((m): m is RegExpMatchArray => !!m && Number(m[1]) === pgid)
    .map((m) => m[2]);
}

describe('the TRAM extension in an untrusted workspace', { timeout: 240_000 }, () => {
  let editor: Editor;

  before(async () => {
    editor = await Editor.open({
      name: 'e2e-untrusted',
      untrusted: true,
      setup: (workspace) => {
        fs.copyFileSync(path.join(FIXTURES, 'e2e.ipynb'), path.join(workspace, 'e2e.ipynb'));
        return { scenario: 'untrusted', notebook: path.join(workspace, 'e2e.ipynb') };
      },
    });
  });

  after(async () => {
    assert.ok(await editor?.close(), 'the code-server process group is still alive');
  });

  it('asks whether to trust the folder before running; declined, no kernel process starts and no cell runs', async () => {
    editor.failures++;
    const asked = await editor.result<{ isTrusted: boolean }>('asked', 150_000);
    assert.equal(asked.isTrusted, false, 'the workspace is in Restricted Mode');
    const page = editor.page!;
    const dialog = page.getByText('Do you trust the authors of the files in this folder?');
    await dialog.waitFor({ timeout: 30_000 });
    await page.screenshot({ path: path.join(RESULTS, 'untrusted.png') });
    await page.getByRole('button', { name: 'Cancel' }).click();
    await dialog.waitFor({ state: 'detached', timeout: 10_000 });
    await page.waitForTimeout(2000);
    editor.go('record');
    const r = await editor.result<{ isTrusted: boolean; cells: Cell[] }>('untrusted', 60_000);
    assert.equal(r.isTrusted, false);
    for (const c of r.cells.filter((x) => x.kind === 'code')) {
      assert.equal(c.executionOrder, undefined, `cell ${c.index} ran`);
      assert.deepEqual(c.outputs, []);
    }
    const kernels = groupCommands(editor.server!.pid).filter((cmd) => cmd.includes('kernel/runtime/main.js'));
    assert.deepEqual(kernels, [], 'no kernel process was started');
    assert.match(await page.locator('.statusbar').innerText(), /TRAM: stopped/);
    editor.failures--;
  });
});
