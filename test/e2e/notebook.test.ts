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
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { groupAlive, installExtensions, killGroupNow, ROOT, startCodeServer, stopGroup, type Server } from './codeServer';

const CHART_MIME = 'application/vnd.tram.chart+json';
const ERROR_MIME = 'application/vnd.code.notebook.error';
const STDOUT_MIME = 'application/vnd.code.notebook.stdout';
const STDERR_MIME = 'application/vnd.code.notebook.stderr';
const CHROMIUM = process.env.TRAM_CHROMIUM ?? '/usr/bin/chromium';
const FIXTURES = path.join(ROOT, 'test', 'e2e', 'fixtures');
const RESULTS = path.join(ROOT, 'test-results');
/** The sample notebook run end to end (the quickest of notebooks/). */
const SAMPLE = process.env.TRAM_E2E_SAMPLE ?? '00-welcome.ipynb';

interface Item { mime: string; text?: string; bytes: number }
interface Cell { index: number; kind: string; source: string; executionOrder?: number; success?: boolean; outputs: { items: Item[] }[] }

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'tram-e2e-'));
const driverDir = path.join(tmp, 'driver-io');
const workspace = path.join(tmp, 'workspace');
let server: Server | undefined;
let browser: Browser | undefined;
let page: Page | undefined;
let failures = 0;
/** A test body that counts as a failure until it returns. */
const tracked = (fn: () => Promise<void>) => async () => {
  failures++;
  await fn();
  failures--;
};
process.on('exit', () => {
  if (server) killGroupNow(server.pid);
});
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
  process.on(signal, () => {
    if (server) killGroupNow(server.pid);
    process.exit(1);
  });
}

function packageVsix(): string {
  const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8'));
  const vsix = path.join(ROOT, 'dist', `${pkg.name}-${pkg.version}.vsix`);
  if (!fs.existsSync(vsix)) throw new Error(`${vsix} is missing: run npm run package (scripts/e2e.sh does)`);
  return vsix;
}

/** The test-only driver extension, packaged with vsce from the fixture folder. */
function driverVsix(): string {
  const src = path.join(tmp, 'driver-src');
  fs.cpSync(path.join(FIXTURES, 'driver'), src, { recursive: true });
  const out = path.join(tmp, 'driver.vsix');
  const r = spawnSync(
    process.execPath,
    [path.join(ROOT, 'node_modules/@vscode/vsce/vsce'), 'package', '--no-dependencies', '--allow-missing-repository', '--skip-license', '--out', out],
    { cwd: src, encoding: 'utf8' },
  );
  if (r.status !== 0) throw new Error(`packaging the driver extension failed:\n${r.stdout}\n${r.stderr}`);
  return out;
}

function diagnostics(): string {
  const parts: string[] = [];
  const driverLog = path.join(driverDir, 'driver.log');
  if (fs.existsSync(driverLog)) parts.push(`driver.log:\n${fs.readFileSync(driverLog, 'utf8').slice(-3000)}`);
  if (server) parts.push(`code-server log:\n${fs.readFileSync(server.log, 'utf8').slice(-3000)}`);
  return parts.join('\n');
}

/** Waits for the driver's `name`.json; fails early with its error when it wrote failed.json. */
async function driverResult<T>(name: string, timeoutMs: number): Promise<T> {
  const file = path.join(driverDir, `${name}.json`);
  const failed = path.join(driverDir, 'failed.json');
  const t0 = Date.now();
  while (!fs.existsSync(file)) {
    if (fs.existsSync(failed)) throw new Error(`the driver failed: ${fs.readFileSync(failed, 'utf8')}\n${diagnostics()}`);
    if (Date.now() - t0 > timeoutMs) throw new Error(`no ${name}.json after ${timeoutMs} ms\n${diagnostics()}`);
    await new Promise((r) => setTimeout(r, 250));
  }
  fs.copyFileSync(file, path.join(RESULTS, `e2e-${name}.json`));
  return JSON.parse(fs.readFileSync(file, 'utf8')) as T;
}

const texts = (cell: Cell, mime: string) => cell.outputs.flatMap((o) => o.items.filter((i) => i.mime === mime).map((i) => i.text ?? ''));

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

  before(async () => {
    failures++; // until the editor is up
    fs.mkdirSync(RESULTS, { recursive: true });
    fs.mkdirSync(driverDir, { recursive: true });
    fs.mkdirSync(workspace, { recursive: true });
    if (!fs.existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: apt-get install -y chromium (scripts/setup-system.sh)`);
    fs.copyFileSync(path.join(FIXTURES, 'e2e.ipynb'), path.join(workspace, 'e2e.ipynb'));
    const notebook = path.join(workspace, 'e2e.ipynb');
    // A sample notebook as a user gets it from "TRAM: Open Sample Notebooks": a copy, with its results folder.
    const samples = path.join(workspace, 'tram-samples');
    fs.mkdirSync(samples);
    fs.copyFileSync(path.join(ROOT, 'notebooks', SAMPLE), path.join(samples, SAMPLE));
    if (fs.existsSync(path.join(ROOT, 'notebooks', 'results'))) fs.cpSync(path.join(ROOT, 'notebooks', 'results'), path.join(samples, 'results'), { recursive: true });
    fs.writeFileSync(
      path.join(driverDir, 'plan.json'),
      JSON.stringify({
        notebook,
        kernel: { id: 'tram-typescript', extension: 'tram-notebooks.tram-notebooks' },
        runAllTimeoutMs: Number(process.env.TRAM_E2E_RUN_ALL_MS ?? 240_000),
        sample: path.join(samples, SAMPLE),
        sampleTimeoutMs: 150_000,
      }),
    );
    const dirs = { userData: path.join(tmp, 'user-data'), extensions: path.join(tmp, 'extensions'), xdg: path.join(tmp, 'xdg') };
    fs.mkdirSync(path.join(dirs.userData, 'User'), { recursive: true });
    fs.writeFileSync(
      path.join(dirs.userData, 'User', 'settings.json'),
      JSON.stringify({
        'workbench.startupEditor': 'none',
        'workbench.tips.enabled': false,
        'workbench.welcomePage.walkthroughs.openOnInstall': false,
        'extensions.ignoreRecommendations': true,
        'telemetry.telemetryLevel': 'off',
        'window.restoreWindows': 'none',
        'files.hotExit': 'off',
        'workbench.colorTheme': 'Default Light Modern',
        'tram.seed': 1,
      }),
    );
    installExtensions(dirs, [packageVsix(), driverVsix()]);
    server = await startCodeServer(dirs, workspace, { TRAM_E2E_DIR: driverDir }, path.join(tmp, 'code-server.log'));
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        '--disable-dev-shm-usage',
      ],
    });
    const context = await browser.newContext({ viewport: { width: 1400, height: 1000 } });
    page = await context.newPage();
    await page.goto(`${server.url}?folder=${encodeURIComponent(workspace)}`, { waitUntil: 'domcontentloaded' });
    failures--;
  });

  after(async () => {
    if (failures && page) await page.screenshot({ path: path.join(RESULTS, 'failure.png') }).catch(() => undefined);
    await browser?.close().catch(() => undefined);
    if (server) {
      const stopped = await stopGroup(server.pid);
      assert.ok(stopped && !groupAlive(server.pid), `code-server process group ${server.pid} is still alive`);
    }
    // Kept after a failure for its logs (user-data/logs: the extension host's, the TRAM output channel).
    if (failures) console.log(`e2e: failed; editor logs kept in ${tmp}`);
    else fs.rmSync(tmp, { recursive: true, force: true });
  });

  it('runs all cells with the TRAM kernel: text, a value, a live chart updated in place, a type error', tracked(async () => {
    runAll = await driverResult<{ ms: number; cells: Cell[] }>('runAll', 300_000);
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

  it('draws the chart on a canvas in the output webview (screenshot in test-results/notebook.png)', { timeout: 120_000 }, tracked(async () => {
    assert.ok(runAll, 'run all did not finish');
    const p = page!;
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
  }));

  it('interrupts a running cell and keeps the kernel and its variables', tracked(async () => {
    assert.ok(runAll, 'run all did not finish');
    fs.writeFileSync(path.join(driverDir, 'go-interrupt'), '');
    const r = await driverResult<{ stopMs: number; loop: Cell; after: Cell }>('interrupt', 180_000);
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
    fs.writeFileSync(path.join(driverDir, 'go-restart'), '');
    const r = await driverResult<{ first: Cell; second: Cell }>('restart', 180_000);
    const interrupt = JSON.parse(fs.readFileSync(path.join(driverDir, 'interrupt.json'), 'utf8')) as { loop: Cell };
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
    fs.writeFileSync(path.join(driverDir, 'go-sample'), '');
    const r = await driverResult<{ ms: number; cells: Cell[] }>('sample', 200_000);
    await page?.screenshot({ path: path.join(RESULTS, 'sample.png') });
    const code = r.cells.filter((c) => c.kind === 'code');
    assert.ok(code.length > 0);
    const errors = code.flatMap((c) => texts(c, ERROR_MIME).map((e) => `cell ${c.index + 1}: ${e.slice(0, 400)}`));
    assert.deepEqual(errors, []);
    assert.deepEqual(code.map((c) => c.success), code.map(() => true));
    assert.ok(code.some((c) => c.outputs.length > 0), 'the sample shows something');
  }));
});
