/**
 * The Jupyter path: `tram jupyter install --prefix DIR`, then the kernel started through jupyter_client (as
 * JupyterLab does; test/faults/jupyter_probe.py). Its sockets must all be on 127.0.0.1 (the ports of its
 * connection file), the key non-empty with hmac-sha256, a message signed with another key unanswered, and
 * nothing left once it is shut down.
 */
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as readline from 'node:readline';
import { rowDir } from './context';
import { ROOT, tram } from './hosts';
import { alive, descendants, listenersOf, sleep } from './procs';
import { outcome, type Check } from './runner';
import type { Row } from './table';

const PYTHON = process.env.TRAM_PYTHON ?? '/usr/bin/python3';

function jupyterRow(): Row {
  return {
    group: 'security',
    fault: 'Jupyter path: sockets and message signing',
    host: 'jupyter_client',
    expected: 'listens on 127.0.0.1 only; hmac-sha256 with a non-empty key; wrongly signed request unanswered',
    timeoutS: 150,
    async run() {
      const dir = rowDir('jupyter');
      const prefix = path.join(dir, 'prefix');
      const inst = await tram(['jupyter', 'install', '--prefix', prefix], { cwd: dir, wallS: 60 });
      if (inst.code !== 0) return { pass: false, observed: `✗ tram jupyter install failed (exit ${inst.code}): ${(inst.stderr || inst.stdout).trim().split('\n')[0]}` };
      const env = { ...process.env, JUPYTER_PATH: path.join(prefix, 'share', 'jupyter'), JUPYTER_RUNTIME_DIR: path.join(dir, 'runtime'), JUPYTER_DATA_DIR: path.join(dir, 'data') };
      const kernels = path.join(prefix, 'share', 'jupyter', 'kernels');
      const names = fs.existsSync(kernels) ? fs.readdirSync(kernels) : [];
      if (names.length !== 1) return { pass: false, observed: `✗ expected one kernelspec in ${kernels}, found ${JSON.stringify(names)}` };
      const probe = spawn(PYTHON, [path.join(ROOT, 'test', 'faults', 'jupyter_probe.py'), names[0]], { cwd: dir, env, stdio: ['pipe', 'pipe', 'pipe'], detached: true });
      let stderr = '';
      probe.stderr!.on('data', (d: Buffer) => (stderr = (stderr + d.toString()).slice(-3000)));
      const lines = readline.createInterface({ input: probe.stdout! });
      const next = () =>
        new Promise<Record<string, unknown>>((resolve, reject) => {
          const onLine = (l: string) => {
            try {
              const m = JSON.parse(l);
              lines.off('line', onLine);
              resolve(m);
            } catch {
              /* other output */
            }
          };
          lines.on('line', onLine);
          probe.once('exit', (c) => reject(new Error(`the probe exited (${c}): ${stderr.trim().split('\n').slice(-3).join(' | ')}`)));
        });
      const checks: Check[] = [];
      let pid = 0;
      try {
        const ready = await next();
        pid = Number(ready.pid);
        const conn = ready.conn as { ip: string; key: string; signature_scheme: string; transport: string } & Record<string, unknown>;
        const ports = Object.entries(conn).filter(([k]) => k.endsWith('_port')).map(([, v]) => Number(v));
        const pids = [pid, ...descendants(pid).map((p) => p.pid)];
        const socks = listenersOf(pids);
        const notLocal = socks.filter((s) => !s.local.startsWith('127.0.0.1:'));
        const extra = socks.filter((s) => !ports.includes(Number(s.local.split(':').pop())));
        checks.push(
          { ok: conn.signature_scheme === 'hmac-sha256' && typeof conn.key === 'string' && conn.key.length >= 16, text: `${conn.signature_scheme}, key of ${conn.key.length} chars` },
          { ok: socks.length >= 5 && notLocal.length === 0, text: notLocal.length ? `✗ listens beyond 127.0.0.1: ${notLocal.map((s) => s.local)}` : `${socks.length} sockets, all on 127.0.0.1` },
          { ok: extra.length === 0, text: extra.length ? `✗ sockets not in the connection file: ${extra.map((s) => s.local)}` : 'only the connection file ports' },
        );
        probe.stdin!.write('\n');
        const done = await next();
        checks.push(
          { ok: done.bad_replied === false, text: done.bad_replied ? '✗ answered a request signed with the wrong key' : 'wrongly signed request not answered' },
          { ok: done.alive === true, text: done.alive ? 'kernel lives on' : '✗ the kernel process died on the wrongly signed request' },
          { ok: done.good === true && /42/.test(String(done.result)), text: done.good === true && /42/.test(String(done.result)) ? `signed request answered; cell → ${done.result}` : `✗ no answer to a correctly signed request (cell → ${done.result})` },
        );
        await next(); // stopped
      } catch (e) {
        checks.push({ ok: false, text: `✗ ${(e as Error).message}` });
      }
      await new Promise((r) => (probe.exitCode === null ? probe.once('exit', r) : r(undefined)));
      await sleep(300);
      const left = pid && alive(pid);
      if (left) process.kill(pid, 'SIGKILL');
      try {
        process.kill(-probe.pid!, 'SIGKILL');
      } catch {
        /* gone */
      }
      checks.push({ ok: !left, text: left ? `✗ kernel ${pid} left running` : 'kernel gone after shutdown' });
      return { ...outcome(checks), details: `probe stderr: ${stderr}\nkernelspec: ${fs.existsSync(prefix) ? 'installed' : 'missing'}` };
    },
  };
}

export function jupyterRows(): Row[] {
  return [jupyterRow()];
}
