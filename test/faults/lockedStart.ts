/**
 * `npm start` is locked: scripts/start.mjs serves code-server with a new random password at every start. This
 * row starts it for real (`--no-build --home <tmp>`: the built .vsix, a profile of its own) and, without the
 * secret, expects: the editor page and the workspace URL redirect (302) to the login page, the editor's
 * websocket (the only way to the extension host and its kernels) is refused with 401, a wrong password sets no
 * session; code-server's process group listens on its HTTP port only. With the printed secret, read back from
 * the 0600 file, login gives a session with which the page is 200 and the websocket upgrades (101), so the
 * refusals above are the lock and not a broken server.
 */
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as path from 'node:path';
import { rowDir } from './context';
import { ROOT } from './hosts';
import { descendants, listenersOf, sleep } from './procs';
import { outcome, type Check } from './runner';
import type { Row } from './table';

type CS = typeof import('../e2e/codeServer');
const codeServer = (): CS => require('../e2e/codeServer') as CS;

interface Reply {
  status: number;
  location?: string;
  setCookie: string[];
}

function request(port: number, method: string, urlPath: string, headers: Record<string, string> = {}, body?: string): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, method, path: urlPath, headers, timeout: 10_000 });
    req.on('response', (res) => {
      res.resume();
      resolve({ status: res.statusCode ?? 0, location: res.headers.location, setCookie: res.headers['set-cookie'] ?? [] });
    });
    // A websocket upgrade the server accepts (101) arrives here, not as a response.
    req.on('upgrade', (res, socket) => {
      socket.destroy();
      resolve({ status: res.statusCode ?? 101, setCookie: [] });
    });
    req.on('timeout', () => req.destroy(new Error(`${method} ${urlPath}: no answer in 10 s`)));
    req.on('error', reject);
    req.end(body);
  });
}

/** Process group of a pid (field 5 of /proc/PID/stat), or undefined when it is gone. */
function pgidOf(pid: number): number | undefined {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[2]);
  } catch {
    return undefined;
  }
}

const WS_PATH = '/?reconnectionToken=fault-suite&reconnection=false&skipWebSocketFrames=false';
function websocket(port: number, cookie?: string): Promise<Reply> {
  return request(port, 'GET', WS_PATH, {
    Connection: 'Upgrade',
    Upgrade: 'websocket',
    'Sec-WebSocket-Version': '13',
    'Sec-WebSocket-Key': 'dGhlIHNhbXBsZSBub25jZQ==',
    ...(cookie ? { Cookie: cookie } : {}),
  }).catch((e: Error) => ({ status: -1, location: e.message, setCookie: [] }));
}

export function lockedStartRow(): Row {
  return {
    group: 'security',
    fault: 'editor, websocket and kernel without the secret',
    host: 'npm start (code-server)',
    expected: 'no secret: / and /?folder= → 302 to login, websocket → 401, wrong password → no session, one TCP port; secret from the 0600 file → 200 and websocket 101',
    timeoutS: 180,
    async run() {
      const checks: Check[] = [];
      const home = rowDir('locked-start');
      const { freePort, stopGroup } = codeServer();
      const port = await freePort();
      const child = spawn(process.execPath, [path.join(ROOT, 'scripts', 'start.mjs'), '--no-build', '--home', home, '--port', String(port)], {
        cwd: ROOT,
        detached: true,
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let out = '';
      child.stdout.on('data', (b) => (out += b.toString()));
      child.stderr.on('data', (b) => (out += b.toString()));
      const groups = new Set<number>([child.pid!]);
      try {
        const t0 = Date.now();
        while (!/^Password: /m.test(out) && child.exitCode === null && Date.now() - t0 < 150_000) await sleep(200);
        const secret = /^Password: (\S+)/m.exec(out)?.[1];
        const url = /TRAM Notebooks in VS Code: (http\S+)/.exec(out)?.[1];
        if (!secret || !url) return { pass: false, observed: `✗ npm start printed no URL and password (exit ${child.exitCode})`, details: out.slice(-3000) };
        checks.push({ ok: url.startsWith(`http://127.0.0.1:${port}/`), text: `URL on 127.0.0.1:${port}` });
        const procs = descendants(child.pid!);
        for (const p of procs) {
          const g = pgidOf(p.pid);
          if (g) groups.add(g);
        }
        const configFile = path.join(home, 'xdg', 'config.yaml');
        const mode = fs.statSync(configFile).mode & 0o777;
        const stored = /^password: (\S+)$/m.exec(fs.readFileSync(configFile, 'utf8'))?.[1];
        checks.push({ ok: mode === 0o600 && stored === secret, text: `secret in config.yaml, mode ${mode.toString(8)}${stored === secret ? '' : ' ✗ differs from the printed one'}` });
        checks.push({ ok: !/Authentication is disabled/.test(out) && /Authentication is enabled/.test(out), text: /Authentication is enabled/.test(out) ? 'code-server: authentication enabled' : '✗ code-server did not say authentication is enabled' });

        const folderPath = url.slice(`http://127.0.0.1:${port}`.length);
        for (const p of ['/', folderPath]) {
          const r = await request(port, 'GET', p);
          checks.push({ ok: r.status === 302 && /\/login/.test(r.location ?? ''), text: `GET ${p.length > 12 ? `${p.slice(0, 12)}…` : p} → ${r.status} ${r.location ?? ''}` });
        }
        const ws = await websocket(port);
        checks.push({ ok: ws.status === 401, text: `websocket without session → ${ws.status}` });
        const wrong = await request(port, 'POST', '/login', { 'Content-Type': 'application/x-www-form-urlencoded' }, 'password=not-the-secret');
        checks.push({ ok: !wrong.setCookie.some((c) => /code-server-session=[^;]+/.test(c)), text: `wrong password → ${wrong.status}, ${wrong.setCookie.length ? 'cookie ✗' : 'no session'}` });
        const tcp = listenersOf([...new Set([child.pid!, ...procs.map((p) => p.pid), ...descendants(child.pid!).map((p) => p.pid)])]);
        const ports = [...new Set(tcp.map((l) => l.local))];
        checks.push({ ok: ports.length === 1 && ports[0].endsWith(`:${port}`), text: `listening: ${ports.join(' ') || 'none'}` });

        // With the secret (positive control).
        const login = await request(port, 'POST', '/login', { 'Content-Type': 'application/x-www-form-urlencoded' }, `password=${encodeURIComponent(secret)}`);
        const cookie = login.setCookie.map((c) => c.split(';')[0]).find((c) => c.startsWith('code-server-session='));
        checks.push({ ok: login.status === 302 && !!cookie, text: `secret → ${login.status}${cookie ? ' + session' : ' ✗ no session'}` });
        if (cookie) {
          const page = await request(port, 'GET', folderPath, { Cookie: cookie });
          checks.push({ ok: page.status === 200, text: `page with session → ${page.status}` });
          const ws2 = await websocket(port, cookie);
          checks.push({ ok: ws2.status === 101, text: `websocket with session → ${ws2.status}` });
        }
        return { ...outcome(checks), details: out.slice(-2000) };
      } finally {
        try {
          process.kill(child.pid!, 'SIGINT');
        } catch {
          /* gone */
        }
        await sleep(3500);
        for (const g of groups) await stopGroup(g);
      }
    },
  };
}
