/**
 * Debug Cell end to end (#17): in code-server, a breakpoint on line 3 of a cell, TRAM: Debug Cell on it; the
 * debugger stops at that line (read through the debug session by the driver, and in the browser's call stack),
 * the local tensor `b` shows as `Tensor float32 [2,3]` in the Variables view; the test clicks Continue in the
 * browser; the cell's output appears, the debug session ends, the kernel listens on nothing again, and a later
 * cell sees the debugged cell's variables. Then, with `tram.debug.stepIntoLibrary` on, a cell calling
 * `opt.step(net, batch)` on line 3: Step Into (clicked in the browser) stops in kernel/optim/optimizer.ts shown as
 * TypeScript; Step Into asModel (model.ts), Step Over a line, Step Out back into step(); Continue finishes the cell.
 * Screenshots: test-results/debugging.png, debugging-library.png (TRAM_E2E_SCREENSHOTS=1 also writes
 * docs/debugging.png).
 *
 * Needs: scripts/e2e.sh (code-server, chromium, the .vsix in dist/).
 */
import { after, before, describe, it } from 'node:test';
import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ROOT } from './codeServer';
import { Editor, openScenario, RESULTS, texts, type Cell } from './editor';

const CELLS = [
  "const a = tf.tensor2d([[1, 2, 3], [4, 5, 6]]);\nconst b = a.mul(2);\nconsole.log('sum', b.sum().dataSync()[0], 'pid', process.pid);\nconst c = b.shape.join('x');",
  "console.log('later', c, b.arraySync()[1][2]);",
  [
    "const net = tf.sequential({ layers: [tf.layers.dense({ units: 2, inputShape: [3] })] });",
    "const opt = createOptimizer({ name: 'sam', rho: 0.05 }, tf.train.sgd(0.1)); const batch = { x: tf.ones([4, 3]), y: tf.tensor1d([0, 1, 0, 1], 'int32') };",
    'const rep = opt.step(net, batch);',
    "console.log('stepped', rep.loss > 0);",
  ].join('\n'),
];

interface Stop {
  reason: string;
  frame: { name: string; line: number; source: string };
  frames: string[];
  editor: { uri: string; line: string | null } | null;
}


interface Paused {
  reason: string;
  frame: { name: string; line: number; source: string };
  frames: string[];
  scopes: { scope: string; variables: { name: string; value: string }[] }[];
  cellOutputsWhilePaused: Cell;
}

/** TCP ports process `pid` listens on (ss), e.g. ['127.0.0.1:41234']. */
function listens(pid: number): string[] {
  const r = spawnSync('ss', ['-Hltnp'], { encoding: 'utf8' });
  return r.stdout.split('\n').filter((l) => l.includes(`pid=${pid},`)).map((l) => l.trim().split(/\s+/)[3]);
}

describe('Debug Cell (code-server + chromium)', { timeout: 480_000 }, () => {
  let editor: Editor;
  let paused: Paused;

  before(async () => {
    editor = await openScenario('e2e-debug', 'debug', 'debug.ipynb', CELLS);
    editor.failures++; // keep the profile and logs when the debugger never stops
    paused = await editor.result<Paused>('paused', 300_000);
    editor.failures--;
  });

  after(async () => {
    assert.ok(await editor?.close(), 'the code-server process group is still alive');
  });

  it('stops at line 3 of the cell, before the line ran', () => {
    assert.equal(paused.reason, 'breakpoint', JSON.stringify(paused));
    assert.equal(paused.frame.line, 3, JSON.stringify(paused));
    assert.match(paused.frame.source, /cell-1\.ts$/, JSON.stringify(paused));
    assert.deepEqual(texts(paused.cellOutputsWhilePaused, 'application/vnd.code.notebook.stdout'), [], 'nothing printed yet');
  });

  it('the local tensors show as dtype and shape', () => {
    const local = paused.scopes.find((s) => /local/i.test(s.scope));
    assert.ok(local, JSON.stringify(paused.scopes));
    const byName = Object.fromEntries(local.variables.map((v) => [v.name, v.value]));
    assert.equal(byName.a, 'Tensor float32 [2,3]', JSON.stringify(local));
    assert.equal(byName.b, 'Tensor float32 [2,3]', JSON.stringify(local));
  });

  it('the Variables view shows b as a tensor; Continue in the browser finishes the cell; a later cell sees its variables', async () => {
    editor.failures++;
    const page = editor.page!;
    const row = page.locator('.debug-view-content .monaco-list-row', { hasText: 'Tensor float32 [2,3]' }).first();
    await row.waitFor({ timeout: 60_000 });
    const rowText = (await row.innerText()).replace(/\s+/g, ' ').trim();
    assert.match(rowText, /^[ab] = Tensor float32 \[2,3\]$/);
    await page.screenshot({ path: path.join(RESULTS, 'debugging.png') });
    if (process.env.TRAM_E2E_SCREENSHOTS) await page.screenshot({ path: path.join(ROOT, 'docs', 'debugging.png') });
    await page.locator('.debug-toolbar .codicon-debug-continue').first().click();
    const done = await editor.result<{ cells: Cell[]; runningDebugSessions: string[]; breakpoints: string[] }>('debugged', 180_000);
    const [first, second] = done.cells;
    assert.equal(first.success, true, JSON.stringify(first));
    const out = texts(first, 'application/vnd.code.notebook.stdout').join('');
    assert.match(out, /^sum 42 pid \d+\n$/); // 2+4+6+8+10+12
    assert.equal(second.success, true, JSON.stringify(second));
    assert.equal(texts(second, 'application/vnd.code.notebook.stdout').join(''), 'later 2x3 12\n');
    assert.deepEqual(done.runningDebugSessions, [], 'the debug sessions ended with the cell');
    assert.equal(await page.locator('.debug-toolbar .codicon-debug-continue').count(), 0, 'the debug toolbar is gone');
    assert.deepEqual(done.breakpoints, ['vscode-notebook-cell:debug.ipynb:3'], 'the mirrored breakpoint was removed; the cell\'s stays');
    const pid = Number(/pid (\d+)/.exec(out)![1]);
    assert.deepEqual(listens(pid), [], `the kernel ${pid} listens on nothing after the session`);
    editor.failures--;
  });

  it('with tram.debug.stepIntoLibrary: Step Into opt.step shows optimizer.ts; into asModel, Step Over, Step Out back to step()', async () => {
    editor.failures++;
    const page = editor.page!;
    editor.go('library');
    const paused = await editor.result<Stop>('libPaused', 300_000);
    assert.equal(paused.frame.line, 3, JSON.stringify(paused));
    assert.match(paused.frame.source, /cell-3\.ts$/, JSON.stringify(paused));
    const click = async (icon: string) => {
      const button = page.locator(`.debug-toolbar .codicon-${icon}`).first();
      await button.waitFor({ timeout: 30_000 });
      await button.click();
    };
    await click('debug-step-into');
    const into = await editor.result<Stop>('libStepped', 120_000);
    // The optimizer's step method, shown as the library's TypeScript (the map's inlined source).
    assert.match(into.frame.source, /kernel[\\/]optim[\\/]optimizer\.ts$/, JSON.stringify(into));
    assert.match(into.frames[0], /step/, JSON.stringify(into));
    assert.match(into.frames[1] ?? '', /cell-3\.ts:3$/, JSON.stringify(into));
    assert.ok(into.editor && /optimizer\.ts/.test(into.editor.uri), JSON.stringify(into.editor));
    assert.match(into.editor!.line ?? '', /asModel\(model\)/, 'the paused line is the TypeScript of step()');
    // The browser shows the same: an editor tab named optimizer.ts whose text has the method's TypeScript signature.
    await page.locator('.tab.active', { hasText: 'optimizer.ts' }).first().waitFor({ timeout: 30_000 });
    await page.locator('.monaco-editor .view-lines', { hasText: 'step(model: ModelLike, batch: Batch | Batch[]): StepReport' }).first().waitFor({ timeout: 30_000 });
    await page.screenshot({ path: path.join(RESULTS, 'debugging-library.png') });
    // Step Into asModel (kernel/optim/model.ts), Step Over one line there, Step Out back into step().
    await click('debug-step-into');
    const inner = await editor.result<Stop>('libSteppedIn2', 120_000);
    assert.match(inner.frame.source, /kernel[\\/]optim[\\/]model\.ts$/, JSON.stringify(inner));
    assert.match(inner.frames[0], /asModel/, JSON.stringify(inner));
    assert.match(inner.frames[1] ?? '', /optimizer\.ts:\d+$/, JSON.stringify(inner));
    await click('debug-step-over');
    const over = await editor.result<Stop>('libSteppedOver', 120_000);
    assert.equal(over.frame.source, inner.frame.source, JSON.stringify(over));
    assert.ok(over.frame.line > inner.frame.line, `Step Over moved down asModel: ${inner.frame.line} → ${over.frame.line}`);
    await click('debug-step-out');
    const out = await editor.result<Stop>('libSteppedOut', 120_000);
    assert.equal(out.frame.source, into.frame.source, JSON.stringify(out));
    assert.match(out.frames[0], /step/, JSON.stringify(out));
    assert.ok(out.frame.line >= into.frame.line, `back in step() at or after the call: ${out.frame.line}`);
    await click('debug-continue');
    const done = await editor.result<{ cells: Cell[]; runningDebugSessions: string[] }>('libDebugged', 180_000);
    assert.equal(done.cells[2].success, true, JSON.stringify(done.cells[2]));
    assert.equal(texts(done.cells[2], 'application/vnd.code.notebook.stdout').join(''), 'stepped true\n');
    assert.deepEqual(done.runningDebugSessions, []);
    editor.failures--;
  });
});
