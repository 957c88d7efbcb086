/**
 * Widgets end to end (#16): a notebook whose cell shows the optimizer stepper (SAM on a 2-D surface) runs in
 * code-server; in chromium the test clicks "next stage" in the output and reads the figures the kernel sent back
 * (checked against float64 closed forms), moves the ρ slider with the keyboard and sees ‖ε‖ and the chart on the
 * canvas change, then restarts the kernel and sees the widget say it is detached.
 * Screenshot: test-results/widgets.png (docs/widgets.png with TRAM_E2E_SCREENSHOTS=1).
 *
 * Needs: scripts/e2e.sh (code-server, chromium, the .vsix in dist/).
 */
import { after, before, describe, it } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Frame, Page } from 'playwright-core';
import { ROOT } from './codeServer';
import { Editor, openScenario, RESULTS, type Cell } from './editor';

const WIDGET_MIME = 'application/vnd.tram.widget+json';
const W0 = [-0.6, 0.3];
const A = [-0.5, 0];
const B = [0.7, 0];
const S = 0.15;

const CELLS = [
  [
    '// SAM on L(w) = 0.3‖w − b‖² − exp(−‖w − a‖²/(2·0.15²)), one step stage by stage',
    'const L = (w: tf.Tensor1D) => tf.tidy(() => {',
    '  const da = w.sub(tf.tensor1d([-0.5, 0])).square().sum();',
    '  const db = w.sub(tf.tensor1d([0.7, 0])).square().sum();',
    '  return db.mul(0.3).sub(tf.exp(da.div(-2 * 0.15 * 0.15))) as tf.Scalar;',
    '});',
    "const s = stepper(createOptimizer({ name: 'sam', rho: 0.3 }, tf.train.sgd(0.02)), L, undefined, {",
    '  start: [-0.6, 0.3], surface: { x: [-1.1, 1.1], y: [-0.6, 0.6] },',
    '});',
    's',
  ].join('\n'),
];


/** float64: L(w0) and ‖∇L(w0)‖. */
function firstGradient(): { loss: number; gradNorm: number } {
  const da = (W0[0] - A[0]) ** 2 + (W0[1] - A[1]) ** 2;
  const e = Math.exp(-da / (2 * S * S));
  const g = [0, 1].map((k) => 0.6 * (W0[k] - B[k]) + (e * (W0[k] - A[k])) / (S * S));
  const db = (W0[0] - B[0]) ** 2 + (W0[1] - B[1]) ** 2;
  return { loss: 0.3 * db - e, gradNorm: Math.hypot(g[0], g[1]) };
}

/** The output webview frame that holds the widget. */
async function widgetFrame(p: Page, timeoutMs = 60_000): Promise<Frame> {
  const t0 = Date.now();
  for (;;) {
    for (const f of p.frames()) {
      if (await f.locator('.tram-widget [data-kind="button"]').count().catch(() => 0)) return f;
    }
    if (Date.now() - t0 > timeoutMs) throw new Error(`no widget in ${p.frames().length} frames after ${timeoutMs} ms`);
    await p.waitForTimeout(500);
  }
}

async function until<T>(what: string, f: () => Promise<T | undefined | false>, timeoutMs = 30_000): Promise<T> {
  const t0 = Date.now();
  let last: unknown;
  for (;;) {
    try {
      const v = await f();
      if (v) return v;
      last = v;
    } catch (e) {
      last = e;
    }
    if (Date.now() - t0 > timeoutMs) throw new Error(`timed out waiting for ${what} (last: ${String(last)})`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

/** A digest of the chart canvas's pixels in the widget (changes when the chart is redrawn differently). */
const CANVAS_DIGEST = `(() => {
  const c = document.querySelector('.tram-widget canvas');
  if (!c || !c.width) return '';
  const px = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
  let h = 0, inked = 0;
  for (let i = 0; i < px.length; i += 4) {
    h = (h * 31 + px[i] * 7 + px[i + 1] * 3 + px[i + 2]) | 0;
    if (px[i + 3] > 0 && (px[i] !== px[0] || px[i + 1] !== px[1] || px[i + 2] !== px[2])) inked++;
  }
  return c.width + 'x' + c.height + ':' + inked + ':' + h;
})()`;

describe('widgets in code-server, driven by chromium', { timeout: 480_000 }, () => {
  let editor: Editor;
  let cells: Cell[];
  let frame: Frame;

  before(async () => {
    editor = await openScenario('e2e-widgets', 'widgets', 'widgets.ipynb', CELLS, { runAllTimeoutMs: 240_000 });
    cells = (await editor.result<{ cells: Cell[] }>('widgets', 300_000)).cells;
  });

  after(async () => {
    assert.ok(await editor?.close(), 'the code-server process group is still alive');
  });

  it('the cell ran and its output is a widget (with a PNG fallback for viewers without a kernel)', () => {
    assert.deepEqual(cells.map((c) => c.success), [true], JSON.stringify(cells).slice(0, 2000));
    const items = cells[0].outputs.flatMap((o) => o.items);
    assert.ok(items.some((i) => i.mime === WIDGET_MIME), JSON.stringify(items.map((i) => i.mime)));
    assert.ok(items.some((i) => i.mime === 'image/png' && i.bytes > 1000));
  });

  it('clicking "next stage" shows the first gradient\'s figures, as float64 gives them', async () => {
    editor.failures++;
    frame = await widgetFrame(editor.page!);
    const stageText = () => frame.locator('.tram-stepper-figures b').first().innerText();
    assert.match(await until('the stepper at stage 0', async () => (/stage 0\/5: start/.test(await stageText()) ? await stageText() : false)), /step 1/);
    await frame.getByRole('button', { name: 'next stage' }).click();
    await until('stage 1', async () => /stage 1\/5: first gradient/.test(await stageText()));
    const cell = await frame.locator('[data-figure="first gradient"]').innerText();
    const [loss, gradNorm] = cell.split(',').map((v) => Number(v.trim()));
    const want = firstGradient();
    assert.ok(Math.abs(loss - want.loss) < 1e-3 * Math.abs(want.loss), `L(θ) shown ${loss}, float64 ${want.loss}`);
    assert.ok(Math.abs(gradNorm - want.gradNorm) < 1e-3 * want.gradNorm, `‖g‖ shown ${gradNorm}, float64 ${want.gradNorm}`);
    editor.failures--;
  });

  it('moving the ρ slider re-runs the step: ‖ε‖ follows and the chart on the canvas changes', async () => {
    editor.failures++;
    const next = frame.getByRole('button', { name: 'next stage' });
    await next.click();
    await until('stage 2', async () => /stage 2\/5: radius/.test(await frame.locator('.tram-stepper-figures b').first().innerText()));
    await next.click();
    await until('‖ε‖ = 0.3', async () => (await frame.locator('[data-figure="ε"]').innerText()).trim() === '0.3');
    await frame.waitForTimeout(500);
    const before = await frame.evaluate<string>(CANVAS_DIGEST);
    assert.ok(before, 'a chart canvas in the widget');
    const rho = frame.getByRole('slider', { name: 'ρ' });
    await rho.focus();
    await rho.press('ArrowRight');
    await until('‖ε‖ = 0.31', async () => (await frame.locator('[data-figure="ε"]').innerText()).trim() === '0.31');
    assert.equal(await frame.locator('[data-kind="slider"] .tram-value').innerText(), '0.31');
    const after = await until('the chart redrawn', async () => {
      const d = await frame.evaluate<string>(CANVAS_DIGEST);
      return d && d !== before ? d : false;
    });
    assert.notEqual(after, before);
    await editor.page!.screenshot({ path: path.join(RESULTS, 'widgets.png') });
    if (process.env.TRAM_E2E_SCREENSHOTS) await editor.page!.screenshot({ path: path.join(ROOT, 'docs', 'widgets.png') });
    editor.failures--;
  });

  it('after a kernel restart the widget says it is detached and takes no input', async () => {
    editor.failures++;
    editor.go('restart');
    await editor.result('restarted', 120_000);
    const banner = frame.locator('.tram-detached');
    await until('the detached banner', async () => (await banner.isVisible()) && /detached: the kernel restarted; run the cell again/.test(await banner.innerText()), 60_000);
    assert.equal(await frame.getByRole('button', { name: 'next stage' }).isDisabled(), true);
    await editor.page!.screenshot({ path: path.join(RESULTS, 'widgets-detached.png') });
    editor.failures--;
  });
});
