/**
 * End to end: the packaged .vsix in a real VS Code (code-server on 127.0.0.1), driven by Debian's chromium.
 *
 * The page is loaded in the browser; a test-only extension inside the editor (fixtures/driver) opens the
 * fixture notebook, selects the TRAM kernel, runs all, interrupts a running cell and restarts the kernel
 * through the VS Code API, writing what the notebook holds after each step to a JSON file. The browser
 * checks what the user sees: the chart drawn on a canvas in the output webview, kept as a screenshot in
 * test-results/notebook.png.
 *
 * Needs: scripts/e2e.sh (code-server, chromium, the .vsix in dist/).
 */
import { after, before, describe, it } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Page } from 'playwright-core';
import { ROOT } from './codeServer';
import { Editor, FIXTURES, RESULTS, texts, type Cell } from './editor';

const CHART_MIME = 'application/vnd.tram.chart+json';
const ERROR_MIME = 'application/vnd.code.notebook.error';
const STDOUT_MIME = 'application/vnd.code.notebook.stdout';
const STDERR_MIME = 'application/vnd.code.notebook.stderr';
/** The sample notebook run end to end (the quickest of notebooks/). */
const SAMPLE = process.env.TRAM_E2E_SAMPLE ?? '00-welcome.ipynb';

interface Canvas { width: number; height: number; inked: number }

/**
 * Runs in a page frame: every canvas with its size and its count of "inked" pixels, opaque ones that differ
 * from the top-left pixel (the background). A string, as it runs in the browser, not in Node.
 */
const SCAN_CANVASES = `Array.from(document.querySelectorAll('canvas')).map((c) => {
  const ctx = c.getContext('2d');
  if (!ctx || !c.width || !c.height) return { width: c.width, height: c.height, inked: 0 };
  const px = ctx.getImageData(0, 0, c.width, c.height).data;
  let inked = 0;
  for (let i = 0; i < px.length; i += 4) {
    if (px[i + 3] > 0 && (px[i] !== px[0] || px[i + 1] !== px[1] || px[i + 2] !== px[2] || px[i + 3] !== px[3])) inked++;
  }
  return { width: c.width, height: c.height, inked };
})`;

/** Canvases with drawn pixels in any frame of the page (outputs live in nested webview iframes). */
async function drawnCanvases(p: Page): Promise<({ frame: string } & Canvas)[]> {
  const found: ({ frame: string } & Canvas)[] = [];
  for (const frame of p.frames()) {
    const canvases = await frame
      .evaluate<Canvas[]>(SCAN_CANVASES)
      .catch(() => []);
    for (const c of canvases) found.push({ frame: frame.url().slice(0, 80), ...c });
  }
  return found;
}

describe('the TRAM extension in code-server, driven by chromium', { timeout: 420_000 }, () => {
  let runAll: { ms: number; cells: Cell[] } | undefined;

  let editor: Editor;
  /** A test body that counts as a failure until it returns (the editor's logs are kept on failure). */
  const tracked = (fn: () => Promise<void>) => async () => {
    editor.failures++;
    await fn();
    editor.failures--;
  };

  before(async () => {
    editor = await Editor.open({
      name: 'e2e',
      setup: (workspace) => {
        fs.copyFileSync(path.join(FIXTURES, 'e2e.ipynb'), path.join(workspace, 'e2e.ipynb'));
        // A sample notebook as a user gets it from "TRAM: Open Sample Notebooks": a copy, with its results folder.
        const samples = path.join(workspace, 'tram-samples');
        fs.mkdirSync(samples);
        fs.copyFileSync(path.join(ROOT, 'notebooks', SAMPLE), path.join(samples, SAMPLE));
        const results = path.join(ROOT, 'notebooks', 'results');
        if (fs.existsSync(results)) fs.cpSync(results, path.join(samples, 'results'), { recursive: true });
        return {
          scenario: 'notebook',
          notebook: path.join(workspace, 'e2e.ipynb'),
          runAllTimeoutMs: Number(process.env.TRAM_E2E_RUN_ALL_MS ?? 240_000),
          sample: path.join(samples, SAMPLE),
          sampleTimeoutMs: 150_000,
        };
      },
    });
  });

  after(async () => {
    assert.ok(await editor?.close(), 'the code-server process group is still alive');
  });

  it('runs all cells with the TRAM kernel: text, a value, a live chart updated in place, a type error', tracked(async () => {
    runAll = await editor.result<{ ms: number; cells: Cell[] }>('runAll', 300_000);
    const code = runAll.cells.filter((c) => c.kind === 'code');
    assert.equal(code.length, 4);
    const [first, second, chart, wrong] = code;
    assert.deepEqual(texts(first, STDOUT_MIME), ['answer 42\n']);
    assert.match(texts(first, STDERR_MIME).join(''), /a warning on stderr/);
    assert.equal(first.success, true);
    assert.equal(second.success, true);
    assert.match(second.outputs.flatMap((o) => o.items).find((i) => i.mime === 'text/plain')?.text ?? '', /^43$/);
    // Execution order counts up in run order.
    assert.deepEqual(code.map((c) => c.executionOrder), [1, 2, 3, 4]);
    // The live chart: one output (updated in place, not appended) holding the last of the updates.
    const chartOutputs = chart.outputs.filter((o) => o.items.some((i) => i.mime === CHART_MIME));
    assert.equal(chartOutputs.length, 1, `expected one chart output, got ${JSON.stringify(chart.outputs.map((o) => o.items.map((i) => i.mime)))}`);
    const config = JSON.parse(chartOutputs[0].items.find((i) => i.mime === CHART_MIME)!.text!);
    const points = config.data.datasets[0].data as ({ y: number } | number)[];
    assert.equal(points.length, 8, 'the chart holds all 8 points of the last update');
    assert.ok(chartOutputs[0].items.some((i) => i.mime === 'image/png' && i.bytes > 1000), 'a PNG fallback is in the same output');
    assert.deepEqual(texts(chart, STDOUT_MIME), ['points 8\n']);
    // The type error: an error output, the cell marked failed.
    assert.equal(wrong.success, false);
    const err = JSON.parse(texts(wrong, ERROR_MIME)[0] ?? '{}');
    assert.match(`${err.name} ${err.message} ${err.stack}`, /not assignable to type 'number'/);
  }));

  it('draws the chart on a canvas in the output webview; the status bar shows the kernel (screenshot: test-results/notebook.png)', { timeout: 120_000 }, tracked(async () => {
    assert.ok(runAll, 'run all did not finish');
    const p = editor.page!;
    let canvases: Awaited<ReturnType<typeof drawnCanvases>> = [];
    const t0 = Date.now();
    while (Date.now() - t0 < 60_000) {
      canvases = await drawnCanvases(p);
      if (canvases.some((c) => c.inked > 500)) break;
      await p.waitForTimeout(500);
    }
    await p.screenshot({ path: path.join(RESULTS, 'notebook.png') });
    const drawn = canvases.filter((c) => c.inked > 500);
    assert.ok(drawn.length >= 1, `no canvas with a drawn chart in ${p.frames().length} frames: ${JSON.stringify(canvases)}`);
    assert.ok(drawn[0].width >= 200 && drawn[0].height >= 100, `chart canvas too small: ${JSON.stringify(drawn[0])}`);
    assert.ok(fs.statSync(path.join(RESULTS, 'notebook.png')).size > 20_000);
    // The status bar item shows the kernel state and backend; the toolbar has the restart button.
    assert.match(await p.locator('.statusbar').innerText(), /TRAM: idle · (wasm|cpu|tensorflow)/);
    assert.equal(await p.getByRole('button', { name: 'Restart Kernel' }).count(), 1);
  }));

  it('interrupts a running cell and keeps the kernel and its variables', tracked(async () => {
    assert.ok(runAll, 'run all did not finish');
    editor.go('interrupt');
    const r = await editor.result<{ stopMs: number; loop: Cell; after: Cell }>('interrupt', 180_000);
    const loopOut = texts(r.loop, STDOUT_MIME).join('');
    assert.match(loopOut, /tick 20/);
    assert.notEqual(r.loop.success, true, 'the interrupted cell is not marked successful');
    assert.ok(r.stopMs < 10_000, `interrupt took ${r.stopMs} ms`);
    const pid = /pid (\d+)/.exec(loopOut)?.[1];
    assert.ok(pid, 'the loop printed the kernel pid');
    assert.equal(r.after.success, true);
    assert.deepEqual(texts(r.after, STDOUT_MIME), [`after interrupt 42 true ${pid}\n`]);
  }));

  it('restarts the kernel: a new process without the old variables', tracked(async () => {
    editor.go('restart');
    const r = await editor.result<{ first: Cell; second: Cell }>('restart', 180_000);
    const interrupt = JSON.parse(fs.readFileSync(path.join(editor.driverDir, 'interrupt.json'), 'utf8')) as { loop: Cell };
    const oldPid = /pid (\d+)/.exec(texts(interrupt.loop, STDOUT_MIME).join(''))?.[1];
    const newPid = /fresh (\d+)/.exec(texts(r.first, STDOUT_MIME).join(''))?.[1];
    assert.ok(newPid && oldPid && newPid !== oldPid, `kernel pid before ${oldPid}, after ${newPid}`);
    assert.equal(r.first.success, true);
    assert.equal(r.first.executionOrder, 1, 'the execution count starts again at 1');
    assert.equal(r.second.success, false);
    const err = JSON.parse(texts(r.second, ERROR_MIME)[0] ?? '{}');
    assert.match(`${err.message} ${err.stack}`, /Cannot find name 'a'|a is not defined/);
  }));

  it(`runs the sample notebook ${SAMPLE} top to bottom without an error`, tracked(async () => {
    editor.go('sample');
    const r = await editor.result<{ ms: number; cells: Cell[] }>('sample', 200_000);
    await editor.page?.screenshot({ path: path.join(RESULTS, 'sample.png') });
    const code = r.cells.filter((c) => c.kind === 'code');
    assert.ok(code.length > 0);
    const errors = code.flatMap((c) => texts(c, ERROR_MIME).map((e) => `cell ${c.index + 1}: ${e.slice(0, 400)}`));
    assert.deepEqual(errors, []);
    assert.deepEqual(code.map((c) => c.success), code.map(() => true));
    assert.ok(code.some((c) => c.outputs.length > 0), 'the sample shows something');
  }));
});
