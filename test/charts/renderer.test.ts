/**
 * The notebook renderer (out/renderer/chartRenderer.js, built by `npm run build`) in headless Chromium: a page
 * that plays VS Code's part (activate with a context, renderOutputItem into an element) and reads the canvas back.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { CHART_MIME } from '../../kernel/protocol';
import { heatmap, lineChart, type ChartConfig } from '../../kernel/charts';
import { launchChromium, type Headless } from './browser';
import { decodePng, pixel } from './png';

const root = path.resolve(__dirname, '../../..');
const bundlePath = path.join(root, 'out/renderer/chartRenderer.js');
const ORIGIN = 'http://tram-renderer.test';

/** The page: VS Code's light theme variables, and helpers that act as the notebook and read pixels. */
const PAGE = `<!doctype html>
<html style="--vscode-editor-foreground: #333333; --vscode-editor-background: #ffffff">
<body class="vscode-light" style="margin:0">
<script type="module">
  const mod = await import('/chartRenderer.js');
  const ctx = { setState() {}, getState() { return undefined; }, getRenderer: async () => undefined, workspace: { isTrusted: true } };
  const api = await mod.activate(ctx);
  const item = (id, config) => ({ id, mime: '${CHART_MIME}', metadata: {}, json: () => JSON.parse(JSON.stringify(config)),
    text: () => JSON.stringify(config), data: () => new TextEncoder().encode(JSON.stringify(config)), blob: () => new Blob([JSON.stringify(config)]) });
  const frames = () => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)));
  window.tram = {
    element(id, width) {
      let el = document.getElementById(id);
      if (!el) { el = document.createElement('div'); el.id = id; el.style.width = width + 'px'; document.body.appendChild(el); }
      return el;
    },
    async render(id, config, width = 800) {
      const t0 = performance.now();
      await api.renderOutputItem(item(id, config), this.element(id, width), new AbortController().signal);
      const ms = performance.now() - t0;
      await frames();
      return ms;
    },
    canvas(id) { return document.getElementById(id).querySelector('canvas'); },
    info(id) {
      const el = document.getElementById(id);
      const c = el.querySelector('canvas');
      return { canvases: el.querySelectorAll('canvas').length, children: el.children.length, width: c?.width, height: c?.height, ...(el.firstElementChild?.dataset ?? {}), text: el.textContent };
    },
    stats(id) {
      const c = this.canvas(id);
      const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
      const bg = [d[0], d[1], d[2]];
      let ink = 0; const colors = new Set();
      for (let i = 0; i < d.length; i += 4) {
        if (Math.abs(d[i] - bg[0]) + Math.abs(d[i + 1] - bg[1]) + Math.abs(d[i + 2] - bg[2]) > 30) ink++;
        colors.add((d[i] << 16) | (d[i + 1] << 8) | d[i + 2]);
      }
      return { ink: ink / (c.width * c.height), colors: colors.size, bg, hash: Array.from(d.filter((_, i) => i % 97 === 0)).join(',') };
    },
    pixel(id, x, y) { return Array.from(this.canvas(id).getContext('2d').getImageData(x, y, 1, 1).data); },
    /** Pixels close to a colour. */
    near(id, rgb) {
      const c = this.canvas(id);
      const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
      let n = 0;
      for (let i = 0; i < d.length; i += 4) if (Math.abs(d[i] - rgb[0]) + Math.abs(d[i + 1] - rgb[1]) + Math.abs(d[i + 2] - rgb[2]) < 12) n++;
      return n;
    },
    setTheme(dark) {
      document.documentElement.style.setProperty('--vscode-editor-foreground', dark ? '#cccccc' : '#333333');
      document.documentElement.style.setProperty('--vscode-editor-background', dark ? '#1e1e1e' : '#ffffff');
      document.body.className = dark ? 'vscode-dark' : 'vscode-light';
    },
    dispose(id) { api.disposeOutputItem(id); },
    frames,
  };
  window.tramReady = true;
</script>
</body></html>`;

let chrome: Headless | undefined;
let page: Page;

before(async () => {
  assert.ok(existsSync(bundlePath), `${bundlePath} is missing: run npm run build first`);
  const bundle = readFileSync(bundlePath, 'utf8');
  chrome = await launchChromium();
  try {
    const context = await chrome.browser.newContext({ viewport: { width: 1000, height: 900 }, deviceScaleFactor: 1 });
    page = await context.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(String(e)));
    await context.route(`${ORIGIN}/**`, (route) => {
      const url = new URL(route.request().url());
      if (url.pathname === '/chartRenderer.js') return route.fulfill({ contentType: 'text/javascript', body: bundle });
      return route.fulfill({ contentType: 'text/html', body: PAGE });
    });
    await page.goto(`${ORIGIN}/`);
    await page.waitForFunction('window.tramReady === true', undefined, { timeout: 20_000 }).catch((e) => {
      throw new Error(`renderer page did not load: ${errors.join('\n') || e}`);
    });
  } catch (e) {
    await chrome.close();
    chrome = undefined;
    throw e;
  }
});

after(async () => {
  await chrome?.close();
});

const text = { title: 'Training loss', xLabel: 'step', yLabel: 'loss' };
const curve = (n: number) => Array.from({ length: n }, (_, i) => 2 * Math.exp(-i / (n / 4)) + 0.1 * Math.sin(i));
const config = (b: { [CHART_MIME]: ChartConfig }) => b[CHART_MIME];

test('renders a chart config into a canvas with drawn pixels', async () => {
  await page.evaluate(`tram.render('a', ${JSON.stringify(config(lineChart({ ...text, series: { SGD: curve(50), SAM: curve(50).map((v) => v * 0.7) } })))})`);
  const info = await page.evaluate<any>(`tram.info('a')`);
  assert.equal(info.canvases, 1);
  assert.equal(info.width, 800, 'the chart fills the output width');
  assert.equal(info.height, 500, 'and keeps the PNG aspect ratio');
  assert.equal(info.points, '100');
  assert.equal(info.drawnPoints, '100', 'short series are drawn whole');
  const s = await page.evaluate<any>(`tram.stats('a')`);
  assert.ok(s.ink > 0.02, `only ${(s.ink * 100).toFixed(2)}% of the canvas is drawn`);
  assert.ok(s.colors > 8, `only ${s.colors} colours`);
});

test('a second render of the same output updates the same canvas in place with the new data', async () => {
  await page.evaluate(`window.first = tram.canvas('a')`);
  const before = await page.evaluate<any>(`tram.stats('a')`);
  await page.evaluate(`tram.render('a', ${JSON.stringify(config(lineChart({ ...text, series: { SGD: curve(400), SAM: curve(400).map((v) => v * 0.7), TRAM: curve(400).map((v) => v * 0.5) } })))})`);
  const info = await page.evaluate<any>(`tram.info('a')`);
  assert.equal(await page.evaluate(`tram.canvas('a') === window.first`), true, 'same canvas element (no flicker)');
  assert.equal(info.canvases, 1);
  assert.equal(info.children, 1);
  assert.equal(info.renders, '2');
  assert.equal(info.points, '1200');
  const after = await page.evaluate<any>(`tram.stats('a')`);
  assert.notEqual(after.hash, before.hash, 'the pixels changed');
  // The third series' colour (palette entry 3) now appears.
  assert.ok((await page.evaluate<number>(`tram.near('a', [225, 87, 89])`)) > 50);
});

test('the chart follows the editor theme: dark and light give different colours', async () => {
  const light = await page.evaluate<any>(`tram.stats('a')`);
  assert.deepEqual(light.bg, [255, 255, 255]);
  await page.evaluate(`tram.setTheme(true)`);
  await page.waitForFunction(`tram.info('a').theme === 'dark'`, undefined, { timeout: 5000 });
  await page.evaluate(`tram.frames()`);
  const dark = await page.evaluate<any>(`tram.stats('a')`);
  assert.deepEqual(dark.bg, [30, 30, 30], 'canvas takes --vscode-editor-background');
  assert.ok((await page.evaluate<number>(`tram.near('a', [204, 204, 204])`)) > 100, 'text in --vscode-editor-foreground');
  assert.equal(await page.evaluate(`tram.canvas('a') === window.first`), true, 're-theming keeps the canvas');
  await page.evaluate(`tram.setTheme(false)`);
  await page.waitForFunction(`tram.info('a').theme === 'light'`, undefined, { timeout: 5000 });
  await page.evaluate(`tram.frames()`);
  assert.deepEqual((await page.evaluate<any>(`tram.stats('a')`)).bg, [255, 255, 255]);
});

test('a heatmap looks the same in the renderer as in the kernel PNG', async () => {
  const x = [0, 1, 2, 3];
  const y = [0, 1, 2];
  const z = y.map((i) => x.map((j) => j + 4 * i));
  const b = heatmap({ title: 'Landscape', xLabel: 'a', yLabel: 'b', x, y, z, width: 800, height: 500 });
  await page.evaluate(`tram.render('h', ${JSON.stringify(config(b))})`);
  const png = await decodePng(b['image/png']);
  // Cell centres: the plot spans about x 60..710 and y 60..450 for this size; sample the middle of each cell.
  let compared = 0;
  for (const [px, py] of [[140, 390], [300, 390], [460, 390], [620, 390], [140, 255], [460, 255], [300, 120], [620, 120]]) {
    const node = pixel(png, px, py).slice(0, 3);
    const web = (await page.evaluate<number[]>(`tram.pixel('h', ${px}, ${py})`)).slice(0, 3);
    assert.ok(node.every((v, k) => Math.abs(v - web[k]) <= 3), `(${px}, ${py}): kernel PNG ${node} vs renderer ${web}`);
    compared++;
  }
  assert.equal(compared, 8);
  // and the sampled cells are not all one colour
  assert.notDeepEqual(pixel(png, 140, 390), pixel(png, 620, 120));
});

test('a 200k-point series renders (decimated in the browser) and updates in place', async () => {
  const n = 200_000;
  const big = { type: 'line', data: { datasets: [{ label: 'loss', data: Array.from({ length: n }, (_, i) => ({ x: i, y: Math.exp(-i / 50_000) + 0.05 * Math.sin(i / 7) })) }] },
    options: { plugins: { title: { display: true, text: 'long run' } }, scales: { x: { type: 'linear' }, y: { type: 'linear' } } } };
  const ms1 = await page.evaluate<number>(`tram.render('big', ${JSON.stringify(big)})`);
  const ms2 = await page.evaluate<number>(`tram.render('big', ${JSON.stringify(big)})`);
  const info = await page.evaluate<any>(`tram.info('big')`);
  assert.equal(info.points, String(n));
  assert.ok(Number(info.drawnPoints) < 10_000, `decimated to ${info.drawnPoints} points`);
  assert.equal(info.renders, '2');
  assert.ok((await page.evaluate<any>(`tram.stats('big')`)).ink > 0.01);
  console.log(`# renderer: 200k-point line chart first render ${ms1.toFixed(0)} ms, update ${ms2.toFixed(0)} ms`);
});

test('a bad config shows an error in the output instead of throwing; dispose removes the chart', async () => {
  await page.evaluate(`tram.render('bad', { nope: 1 })`);
  const info = await page.evaluate<any>(`tram.info('bad')`);
  assert.equal(info.canvases, 0);
  assert.match(info.text, /Cannot draw this chart .*expected a chart.js config/);
  await page.evaluate(`tram.dispose('a')`);
  assert.equal((await page.evaluate<any>(`tram.info('a')`)).canvases, 0);
});
