/**
 * Headless Chromium for renderer tests: started in its own process group with a fresh profile, driven over the
 * DevTools protocol by playwright-core, and always stopped by killing the whole group.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { chromium, type Browser } from 'playwright-core';

export const CHROMIUM = '/usr/bin/chromium';
const ARGS = [
  '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
  '--disable-component-update', '--disable-sync', '--disable-dev-shm-usage',
];

export interface Headless {
  browser: Browser;
  close(): Promise<void>;
}

function killGroup(proc: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (proc.exitCode !== null || proc.signalCode !== null) return resolve();
    proc.once('exit', () => resolve());
    try { process.kill(-proc.pid!, 'SIGKILL'); } catch { resolve(); }
  });
}

export async function launchChromium(): Promise<Headless> {
  if (!existsSync(CHROMIUM)) {
    throw new Error(`${CHROMIUM} not found: install Debian's chromium (scripts/setup-system.sh, or apt-get install -y chromium)`);
  }
  const profile = mkdtempSync(path.join(tmpdir(), 'tram-chromium-'));
  const proc = spawn(CHROMIUM, [...ARGS, `--user-data-dir=${profile}`, '--remote-debugging-port=0', 'about:blank'], {
    detached: true,
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  const cleanup = async () => {
    await killGroup(proc);
    rmSync(profile, { recursive: true, force: true });
  };
  try {
    const ws = await new Promise<string>((resolve, reject) => {
      let err = '';
      const timer = setTimeout(() => reject(new Error(`chromium did not start in 30 s:\n${err}`)), 30_000);
      proc.stderr!.on('data', (d: Buffer) => {
        err += d.toString();
        const m = /DevTools listening on (ws:\/\/\S+)/.exec(err);
        if (m) { clearTimeout(timer); resolve(m[1]); }
      });
      proc.once('exit', (code) => { clearTimeout(timer); reject(new Error(`chromium exited (${code}):\n${err}`)); });
    });
    const browser = await chromium.connectOverCDP(ws);
    return {
      browser,
      close: async () => {
        await browser.close().catch(() => {});
        await cleanup();
      },
    };
  } catch (e) {
    await cleanup();
    throw e;
  }
}
