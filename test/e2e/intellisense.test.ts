/**
 * IntelliSense in TRAM notebook cells, end to end, before any cell runs (#11): the fixture
 * fixtures/intellisense.ipynb is opened with the TRAM kernel selected and never run. The driver asks VS Code
 * (every provider, the built-in TypeScript's included) for completions, hovers, definitions and diagnostics; the
 * browser types `tf.tens` + Ctrl+Space in a cell as a person would and reads the suggest widget, and finds the
 * squiggle under the type error. Screenshot: docs/completion.png.
 *
 * Needs: scripts/e2e.sh (code-server, chromium, the .vsix in dist/).
 */
import { after, before, describe, it } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ROOT } from './codeServer';
import { Editor, FIXTURES, RESULTS } from './editor';

interface Result {
  diagMs: number;
  builtinTsSeen: boolean;
  diagnostics: { source: string; message: string; code: string; line: number; character: number }[][];
  tfTens: string[];
  methodNames: string[];
  hoverCount: string[];
  hoverT: string[];
  hoverCreate: string[];
  definition: string[];
}

describe('IntelliSense in TRAM notebook cells (code-server + chromium)', { timeout: 420_000 }, () => {
  let editor: Editor;
  let r: Result;

  before(async () => {
    editor = await Editor.open({
      name: 'e2e-intellisense',
      setup: (workspace) => {
        fs.copyFileSync(path.join(FIXTURES, 'intellisense.ipynb'), path.join(workspace, 'intellisense.ipynb'));
        return { scenario: 'intellisense', notebook: path.join(workspace, 'intellisense.ipynb') };
      },
    });
    r = await editor.result<Result>('intellisense', 300_000);
  });

  after(async () => {
    assert.ok(await editor?.close(), 'the code-server process group is still alive');
  });

  it('squiggles the type error before the cell runs, and nothing else', () => {
    editor.failures++;
    const tram = r.diagnostics.map((d) => d.filter((x) => x.source === 'tram'));
    assert.deepEqual(tram[0], [], 'cell 1 is fine');
    assert.equal(tram[1].length, 1);
    assert.equal(tram[1][0].code, '2322');
    assert.match(tram[1][0].message, /Type 'string' is not assignable to type 'number'/);
    assert.deepEqual([tram[1][0].line, tram[1][0].character], [0, 6]);
    assert.deepEqual(tram[2], [], 'cell 3 uses cell 1 variables: no "Cannot find name"');
    // No other source claims that the kernel's globals or other cells' variables do not exist.
    const all = r.diagnostics.flat().map((d) => d.message);
    assert.ok(!all.some((m) => /Cannot find name '(tf|count|t|createOptimizer)'/.test(m)), all.join('\n'));
    editor.failures--;
  });

  it('completes tf.tens with the tensor factories and method names inside createOptimizer({ name: \'', () => {
    editor.failures++;
    for (const n of ['tensor2d', 'tensor1d', 'tensor']) assert.ok(r.tfTens.includes(n), `${n} not in ${r.tfTens.slice(0, 30)}`);
    for (const n of ['sam', 'asam', 'fisher-sam', 'tram']) assert.ok(r.methodNames.includes(n), `${n} not in ${r.methodNames.slice(0, 30)}`);
    assert.ok(!r.methodNames.includes('HTMLElement') && !r.methodNames.includes('document'), 'no DOM globals');
    editor.failures--;
  });

  it('hovers show the real types of earlier cells\' variables and the library doc comments; definitions lead to .d.ts files', () => {
    editor.failures++;
    assert.ok(r.hoverCount.some((h) => h.includes('let count: number')), r.hoverCount.join('\n'));
    assert.ok(r.hoverT.some((h) => /const t: .*Tensor2D/.test(h)), r.hoverT.join('\n'));
    assert.ok(r.hoverCreate.some((h) => /Builds the optimizer for a method config/.test(h)), r.hoverCreate.join('\n'));
    // Only ours: VS Code's built-in TypeScript, which serves these cells (its syntax error is there), adds no hover
    // of its own (it typed the kernel's globals `any`: `const t: any`); tram-ts-plugin keeps it quiet.
    assert.ok(r.builtinTsSeen, 'the built-in TypeScript reported on the cells');
    for (const [name, hs] of Object.entries({ count: r.hoverCount, t: r.hoverT, createOptimizer: r.hoverCreate })) {
      assert.equal(hs.length, 1, `one hover for ${name}, ours: ${JSON.stringify(hs)}`);
      assert.ok(!/: any\b/.test(hs[0]), `no \`: any\` in the hover of ${name}: ${hs[0]}`);
    }
    assert.ok(r.definition.some((f) => /tfjs-core\/dist\/ops\/tensor2d\.d\.ts$/.test(f)), r.definition.join('\n'));
    editor.failures--;
  });

  it('typing tf.tens and Ctrl+Space in a cell shows tensor2d in the suggest widget; the error is squiggled', async () => {
    editor.failures++;
    const page = editor.page!;
    const editors = page.locator('.notebook-editor .cell-editor-container .monaco-editor');
    await editors.nth(4).waitFor({ timeout: 60_000 });
    assert.ok((await page.locator('.notebook-editor .squiggly-error').count()) >= 1, 'a squiggle is drawn');
    // A fresh line at the end of the `tf.tens` cell, typed key by key.
    await editors.nth(3).locator('.view-lines').click();
    await page.keyboard.press('Control+End');
    await page.keyboard.press('Enter');
    await page.keyboard.type('tf.tens', { delay: 60 });
    await page.keyboard.press('Control+Space');
    const widget = page.locator('.suggest-widget.visible');
    await widget.waitFor({ timeout: 60_000 });
    await page.waitForFunction("/tensor2d/.test(document.querySelector('.suggest-widget.visible')?.textContent ?? '')", undefined, { timeout: 60_000 });
    const text = await widget.innerText();
    assert.match(text, /tensor2d/);
    assert.ok(!/\babc\b/.test(text));
    await page.screenshot({ path: path.join(RESULTS, 'completion.png') });
    if (process.env.TRAM_E2E_SCREENSHOTS) await page.screenshot({ path: path.join(ROOT, 'docs', 'completion.png') });
    await page.keyboard.press('Escape');
    editor.failures--;
  });
});
