/**
 * code-server for the end-to-end tests: installed by scripts/setup-code-server.sh into .cache/code-server,
 * started on 127.0.0.1 in its own process group (detached = setsid) and stopped by signalling the whole group,
 * so its file watchers, extension hosts and the kernels they started all end with it.
 */
import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as net from 'node:net';
import * as path from 'node:path';

export const ROOT = path.resolve(__dirname, '..', '..', '..');
export const CODE_SERVER = path.join(ROOT, '.cache', 'code-server');

export interface Dirs {
  userData: string;
  extensions: string;
  xdg: string;
}

export function codeServerEntry(): string {
  const entry = path.join(CODE_SERVER, 'out', 'node', 'entry.js');
  if (!fs.existsSync(entry)) throw new Error(`code-server is not installed in ${CODE_SERVER}: run bash scripts/setup-code-server.sh`);
  return entry;
}

function baseArgs(d: Dirs): string[] {
  return ['--user-data-dir', d.userData, '--extensions-dir', d.extensions, '--config', path.join(d.xdg, 'config.yaml')];
}

function baseEnv(d: Dirs): NodeJS.ProcessEnv {
  return { ...process.env, XDG_CONFIG_HOME: d.xdg, XDG_DATA_HOME: d.xdg, XDG_CACHE_HOME: d.xdg };
}

export function installExtensions(d: Dirs, vsixes: string[]): void {
  const args = [codeServerEntry(), ...baseArgs(d)];
  for (const v of vsixes) args.push('--install-extension', v);
  const r = spawnSync(process.execPath, args, { env: baseEnv(d), encoding: 'utf8', timeout: 120_000 });
  if (r.status !== 0) throw new Error(`code-server --install-extension failed (exit ${r.status}):\n${r.stdout}\n${r.stderr}`);
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const port = (srv.address() as net.AddressInfo).port;
      srv.close(() => resolve(port));
    });
  });
}

export interface Server {
  pid: number;
  url: string;
  log: string;
}

/** `trust`: leave workspace trust on (the default is --disable-workspace-trust: every folder trusted). */
export async function startCodeServer(d: Dirs, workspace: string, env: Record<string, string>, log: string, opts: { trust?: boolean } = {}): Promise<Server> {
  const port = await freePort();
  const out = fs.openSync(log, 'a');
  const child = spawn(
    process.execPath,
    [
      codeServerEntry(),
      ...baseArgs(d),
      '--bind-addr',
      `127.0.0.1:${port}`,
      '--auth',
      'none',
      '--disable-telemetry',
      '--disable-update-check',
      ...(opts.trust ? [] : ['--disable-workspace-trust']),
      '--disable-getting-started-override',
      workspace,
    ],
    { detached: true, stdio: ['ignore', out, out], env: { ...baseEnv(d), ...env } },
  );
  fs.closeSync(out);
  child.unref();
  const pid = child.pid!;
  const url = `http://127.0.0.1:${port}/`;
  const t0 = Date.now();
  for (;;) {
    if (await answers(url)) return { pid, url, log };
    if (child.exitCode !== null || Date.now() - t0 > 30_000) {
      await stopGroup(pid);
      throw new Error(`code-server did not answer on ${url} (exit ${child.exitCode}); log:\n${fs.readFileSync(log, 'utf8').slice(-3000)}`);
    }
    await new Promise((r) => setTimeout(r, 200));
  }
}

function answers(url: string): Promise<boolean> {
  return new Promise((resolve) => {
    const req = http.get(url, (res) => {
      res.resume();
      resolve(true);
    });
    req.on('error', () => resolve(false));
    req.setTimeout(2000, () => {
      req.destroy();
      resolve(false);
    });
  });
}

export function groupAlive(pgid: number): boolean {
  try {
    process.kill(-pgid, 0);
    return true;
  } catch {
    return false;
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * SIGTERM to the whole process group, then SIGKILL after 3 s; resolves true when no process of the group is
 * left. (Waits with timers, not a blocking loop, so Node can reap the server process it started.)
 */
export async function stopGroup(pgid: number): Promise<boolean> {
  try {
    process.kill(-pgid, 'SIGTERM');
  } catch {
    return true;
  }
  for (let i = 0; i < 30 && groupAlive(pgid); i++) await sleep(100);
  if (groupAlive(pgid)) {
    try {
      process.kill(-pgid, 'SIGKILL');
    } catch {
      /* gone */
    }
    for (let i = 0; i < 20 && groupAlive(pgid); i++) await sleep(100);
  }
  return !groupAlive(pgid);
}

/** Last resort when the test process exits without its hooks (a crash): kill the group synchronously. */
export function killGroupNow(pgid: number): void {
  try {
    process.kill(-pgid, 'SIGKILL');
  } catch {
    /* gone */
  }
}
