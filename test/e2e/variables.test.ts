/**
 * The TRAM Variables view end to end (#11): a notebook whose cells create a tensor, a model, a disposed tensor
 * and leak three tensors runs in code-server; the browser reads the view's rows from the DOM (x float32 [2,3],
 * the model's 8 parameters, the disposed tensor, the tf.memory() change of the leaking cell), then selects x
 * and reads its value summary from the TRAM Variables output channel. Screenshot: docs/variables.png.
 *
 * Needs: scripts/e2e.sh (code-server, chromium, the .vsix in dist/).
 */
import { after, before, describe, it } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ROOT } from './codeServer';
import { Editor, openScenario, RESULTS, type Cell } from './editor';

const CELLS = [
  'const x = tf.tensor2d([[1, 2, 3], [4, 5, 6]]);',
  // Dense(3 -> 2): kernel 3x2 + bias 2 = 8 parameters in 2 tensors (32 B); three ones([2]) leaked (24 B).
  'const model = tf.sequential({ layers: [tf.layers.dense({ units: 2, inputShape: [3] })] });\nconst old = tf.ones([4]);\nold.dispose();\nfor (let i = 0; i < 3; i++) tf.ones([2]);',
];


describe('TRAM Variables view (code-server + chromium)', { timeout: 420_000 }, () => {
  let editor: Editor;
  let cells: Cell[];

  before(async () => {
    editor = await openScenario('e2e-variables', 'variables', 'variables.ipynb', CELLS, { runAllTimeoutMs: 240_000 });
    cells = (await editor.result<{ cells: Cell[] }>('variables', 300_000)).cells;
  });

  after(async () => {
    assert.ok(await editor?.close(), 'the code-server process group is still alive');
  });

  it('both cells ran', () => {
    assert.deepEqual(cells.map((c) => c.success), [true, true], JSON.stringify(cells));
  });

  it('the view lists x float32 [2,3], the model, the disposed tensor and the leak of the last cell', async () => {
    editor.failures++;
    const page = editor.page!;
    const row = (text: string) => page.locator('.monaco-list-row', { hasText: text }).first();
    await row('float32 [2,3]').waitFor({ timeout: 60_000 });
    // Drag the sidebar's edge 300 px to the right, so that the rows are not cut in the screenshot (the DOM holds
    // the full text either way).
    const side = await page.locator('.part.sidebar').boundingBox();
    if (side) {
      const y = side.y + side.height / 3;
      await page.mouse.move(side.x + side.width + 1, y);
      await page.mouse.down();
      await page.mouse.move(side.x + side.width + 150, y, { steps: 5 });
      await page.mouse.move(side.x + side.width + 300, y, { steps: 5 });
      await page.mouse.up();
    }
    // A tree row is the label (.label-name) and the description (.label-description), read as "name  description".
    const rowText = async (text: string) => {
      const r = row(text);
      const part = async (sel: string) => (await r.locator(sel).first().innerText()).replace(/\s+/g, ' ').trim();
      return `${await part('.label-name')}  ${await part('.label-description')}`;
    };
    assert.match(await rowText('float32 [2,3]'), /^x {2}float32 \[2,3\] · 24 B$/);
    assert.match(await rowText('Sequential'), /^model {2}Sequential · 8 params \(8 trainable\) · 1 layer$/);
    assert.match(await rowText('float32 [4]'), /^old {2}float32 \[4\] · disposed$/);
    assert.match(await rowText('tf.memory()'), /^tf\.memory\(\) {2}\d+ tensors · .* · cell 2: \+5 tensors, \+56 B$/);
    editor.failures--;
  });

  it('selecting x prints min, max, mean and its first values', async () => {
    editor.failures++;
    const page = editor.page!;
    await page.locator('.monaco-list-row', { hasText: 'float32 [2,3]' }).first().click();
    // x = [[1,2,3],[4,5,6]]: min 1, max 6, mean 21/6 = 3.5.
    // The output channel is a Monaco editor: its text is read as shown (non-breaking spaces made plain).
    const panelText = async () => (await page.locator('.part.panel').first().innerText().catch(() => '')).replace(/\u00a0/g, ' ');
    let text = '';
    for (const t0 = Date.now(); Date.now() - t0 < 60_000; await new Promise((r) => setTimeout(r, 500))) {
      text = await panelText();
      if (/min 1\s+max 6\s+mean 3\.5/.test(text)) break;
    }
    assert.match(text, /min 1\s+max 6\s+mean 3\.5/);
    assert.match(text, /x: float32 \[2,3\], 6 elements/);
    assert.match(text, /first values: \[1, 2, 3, 4, 5, 6\]/);
    await page.screenshot({ path: path.join(RESULTS, 'variables.png') });
    if (process.env.TRAM_E2E_SCREENSHOTS) await page.screenshot({ path: path.join(ROOT, 'docs', 'variables.png') });
    editor.failures--;
  });
});
