/**
 * One editor session for the end-to-end tests: a fresh profile, the packaged .vsix and the test-only driver
 * extension (fixtures/driver) installed, code-server on 127.0.0.1 in its own process group, and the page
 * loaded in Debian's chromium (which starts the extension host, hence the driver).
 *
 * The driver reads `plan.json` from its folder and writes `<step>.json` results there; `go(step)` releases a
 * step that waits for the test. `close()` stops the browser and the whole process group, and keeps the
 * profile and logs when a test failed.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { groupAlive, installExtensions, killGroupNow, ROOT, startCodeServer, stopGroup, type Server } from './codeServer';
import { packageDriver } from '../support/driverVsix';

export const CHROMIUM = process.env.TRAM_CHROMIUM ?? '/usr/bin/chromium';
export const FIXTURES = path.join(ROOT, 'test', 'e2e', 'fixtures');
export const RESULTS = path.join(ROOT, 'test-results');
export const KERNEL = { id: 'tram-typescript', extension: 'tram-notebooks.tram-notebooks' };

const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--disable-dev-shm-usage',
];

export interface OutputItem { mime: string; text?: string; bytes: number }
export interface Cell { index: number; kind: string; source: string; executionOrder?: number; success?: boolean; outputs: { items: OutputItem[] }[] }

export function packagedVsix(): string {
  const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8'));
  const vsix = path.join(ROOT, 'dist', `${pkg.name}-${pkg.version}.vsix`);
  if (!fs.existsSync(vsix)) throw new Error(`${vsix} is missing: run npm run package (scripts/e2e.sh does)`);
  return vsix;
}

/** The test-only driver extension, packaged with vsce from the fixture folder. */
function driverVsix(tmp: string): string {
  return packageDriver(path.join(FIXTURES, 'driver'), tmp, 'driver');
}

const open = new Set<Editor>();
process.on('exit', () => {
  for (const e of open) if (e.server) killGroupNow(e.server.pid);
});
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
  process.on(signal, () => {
    for (const e of open) if (e.server) killGroupNow(e.server.pid);
    process.exit(1);
  });
}

export interface EditorOptions {
  /** Prefix of the temporary folder. */
  name: string;
  /** false: code-server with --disable-workspace-trust; true: workspace trust on, the folder not trusted. */
  untrusted?: boolean;
  /** Fills the workspace folder; returns the plan for the driver. */
  setup(workspace: string): Record<string, unknown>;
}

/** A TRAM TypeScript notebook (nbformat 4.5 JSON) with one code cell per source, ids c0, c1, … */
export function tramNotebook(sources: readonly string[]): string {
  return JSON.stringify({
    nbformat: 4,
    nbformat_minor: 5,
    metadata: { kernelspec: { name: 'tram', display_name: 'TRAM TypeScript', language: 'typescript' }, language_info: { name: 'typescript' } },
    cells: sources.map((source, i) => ({ cell_type: 'code', id: `c${i}`, metadata: {}, execution_count: null, outputs: [], source })),
  });
}

/**
 * An editor whose workspace holds one notebook `file` with `sources`, and a driver plan {scenario, notebook, …extra}.
 */
export function openScenario(name: string, scenario: string, file: string, sources: readonly string[], extra: Record<string, unknown> = {}): Promise<Editor> {
  return Editor.open({
    name,
    setup: (workspace) => {
      const notebook = path.join(workspace, file);
      fs.writeFileSync(notebook, tramNotebook(sources));
      return { scenario, notebook, ...extra };
    },
  });
}

export class Editor {
  readonly tmp: string;
  readonly driverDir: string;
  readonly workspace: string;
  server: Server | undefined;
  browser: Browser | undefined;
  page: Page | undefined;
  /** Raised by a test body until it returns; when non-zero at close, the profile and logs are kept. */
  failures = 0;

  private constructor(readonly opts: EditorOptions) {
    this.tmp = fs.mkdtempSync(path.join(os.tmpdir(), `${opts.name}-`));
    this.driverDir = path.join(this.tmp, 'driver-io');
    this.workspace = path.join(this.tmp, 'workspace');
  }

  static async open(opts: EditorOptions): Promise<Editor> {
    const e = new Editor(opts);
    open.add(e);
    e.failures++;
    try {
      await e.start();
    } catch (err) {
      await e.close();
      throw err;
    }
    e.failures--;
    return e;
  }

  private async start(): Promise<void> {
    if (!fs.existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: apt-get install -y chromium (scripts/setup-system.sh)`);
    fs.mkdirSync(RESULTS, { recursive: true });
    fs.mkdirSync(this.driverDir, { recursive: true });
    fs.mkdirSync(this.workspace, { recursive: true });
    const plan = { kernel: KERNEL, ...this.opts.setup(this.workspace) };
    fs.writeFileSync(path.join(this.driverDir, 'plan.json'), JSON.stringify(plan));
    const dirs = { userData: path.join(this.tmp, 'user-data'), extensions: path.join(this.tmp, 'extensions'), xdg: path.join(this.tmp, 'xdg') };
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
        'security.workspace.trust.startupPrompt': 'never',
        'security.workspace.trust.banner': 'never',
        'tram.seed': 1,
      }),
    );
    installExtensions(dirs, [packagedVsix(), driverVsix(this.tmp)]);
    this.server = await startCodeServer(dirs, this.workspace, { TRAM_E2E_DIR: this.driverDir }, path.join(this.tmp, 'code-server.log'), {
      trust: Boolean(this.opts.untrusted),
    });
    this.browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
    const context = await this.browser.newContext({ viewport: { width: 1400, height: 1000 } });
    this.page = await context.newPage();
    await this.page.goto(`${this.server.url}?folder=${encodeURIComponent(this.workspace)}`, { waitUntil: 'domcontentloaded' });
  }

  /** Lets the driver go on with `step`. */
  go(step: string): void {
    fs.writeFileSync(path.join(this.driverDir, `go-${step}`), '');
  }

  diagnostics(): string {
    const parts: string[] = [];
    const driverLog = path.join(this.driverDir, 'driver.log');
    if (fs.existsSync(driverLog)) parts.push(`driver.log:\n${fs.readFileSync(driverLog, 'utf8').slice(-3000)}`);
    if (this.server) parts.push(`code-server log:\n${fs.readFileSync(this.server.log, 'utf8').slice(-3000)}`);
    return parts.join('\n');
  }

  /** Waits for the driver's `name`.json (copied to test-results/); fails early when it wrote failed.json. */
  async result<T>(name: string, timeoutMs: number): Promise<T> {
    const file = path.join(this.driverDir, `${name}.json`);
    const failed = path.join(this.driverDir, 'failed.json');
    const t0 = Date.now();
    while (!fs.existsSync(file)) {
      if (fs.existsSync(failed)) throw new Error(`the driver failed: ${fs.readFileSync(failed, 'utf8')}\n${this.diagnostics()}`);
      if (Date.now() - t0 > timeoutMs) throw new Error(`no ${name}.json after ${timeoutMs} ms\n${this.diagnostics()}`);
      await new Promise((r) => setTimeout(r, 250));
    }
    fs.copyFileSync(file, path.join(RESULTS, `${this.opts.name}-${name}.json`));
    return JSON.parse(fs.readFileSync(file, 'utf8')) as T;
  }

  /** Stops the browser and code-server's whole process group; returns whether the group is gone. */
  async close(): Promise<boolean> {
    if (this.failures && this.page) await this.page.screenshot({ path: path.join(RESULTS, `${this.opts.name}-failure.png`) }).catch(() => undefined);
    await this.browser?.close().catch(() => undefined);
    let stopped = true;
    if (this.server) stopped = (await stopGroup(this.server.pid)) && !groupAlive(this.server.pid);
    open.delete(this);
    // Kept after a failure for its logs (user-data/logs: the extension host's, the TRAM output channel).
    if (this.failures) console.log(`${this.opts.name}: failed; editor profile and logs kept in ${this.tmp}`);
    else fs.rmSync(this.tmp, { recursive: true, force: true });
    return stopped;
  }
}

/** The text of a cell's output items of one MIME type. */
export const texts = (cell: Cell, mime: string): string[] =>
  cell.outputs.flatMap((o) => o.items.filter((i) => i.mime === mime).map((i) => i.text ?? ''));
