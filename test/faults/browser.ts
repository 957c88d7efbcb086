/**
 * Keeps a page of the editor open in headless chromium (playwright-core) until this process is signalled:
 *   node out/test/faults/browser.js URL CHROMIUM
 * Started in a process group of its own by extensionRows.ts, which stops the whole group.
 */
import { chromium } from 'playwright-core';

async function main(): Promise<void> {
  const [url, executablePath] = process.argv.slice(2);
  const browser = await chromium.launch({
    executablePath,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--disable-dev-shm-usage'],
  });
  const close = () => void browser.close().finally(() => process.exit(0));
  process.on('SIGTERM', close);
  process.on('SIGINT', close);
  const page = await (await browser.newContext({ viewport: { width: 1200, height: 900 } })).newPage();
  await page.goto(url, { waitUntil: 'domcontentloaded' });
  console.log(`opened ${url}`);
  await new Promise(() => undefined);
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
