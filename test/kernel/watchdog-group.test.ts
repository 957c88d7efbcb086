/**
 * Issue #18: when the host is SIGKILLed, nothing a cell spawned outlives the kernel. A host process starts a kernel
 * with KernelClient (detached: the kernel leads its process group); a cell spawns `sleep 600` (a plain child, same
 * group) and writes its pid to a file; the host is killed with SIGKILL (no chance to clean up). Both the kernel and
 * the sleep must be gone within a few seconds, in the idle case (IPC disconnect -> exit) and while the cell keeps
 * the kernel's main thread busy (`while (true) {}`: only the watchdog worker can act).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { tempDir } from './helpers';

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  // a killed child of a dead host is reaped by init; a zombie still answers kill(0) until then
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2)[0] !== 'Z';
  } catch {
    return false;
  }
}

const client = JSON.stringify(path.resolve(__dirname, '..', '..', 'kernel', 'host', 'client.js'));

function host(busy: boolean): string {
  return `
const { KernelClient } = require(${client});
const fs = require('node:fs');
const dir = process.argv[1];
const pidFile = require('node:path').join(dir, 'sleep.pid');
const cell = "const { spawn } = require('node:child_process');\\n" +
  "const c = spawn('sleep', ['600'], { stdio: 'ignore' });\\n" +
  "require('node:fs').writeFileSync(" + JSON.stringify(pidFile) + ", String(c.pid));\\n" +
  ${busy ? '"while (true) {}\\n"' : '"c.pid\\n"'};
(async () => {
  const k = await KernelClient.start({ cwd: dir });
  const done = k.execute('spawn', cell, () => undefined);
  ${busy ? '' : 'await done;'}
  const t = setInterval(() => {
    if (!fs.existsSync(pidFile)) return;
    clearInterval(t);
    console.log(JSON.stringify({ kernel: k.info.pid, sleep: Number(fs.readFileSync(pidFile, 'utf8')) }));
  }, 100);
})();
`;
}

async function killHostAndWatch(busy: boolean): Promise<void> {
  const host_ = spawn(process.execPath, ['-e', host(busy), tempDir()], { stdio: ['ignore', 'pipe', 'inherit'] });
  const pids = await new Promise<{ kernel: number; sleep: number }>((resolve, reject) => {
    let out = '';
    host_.stdout!.on('data', (d) => {
      out += d;
      const m = /\{"kernel":(\d+),"sleep":(\d+)\}/.exec(out);
      if (m) resolve({ kernel: Number(m[1]), sleep: Number(m[2]) });
    });
    host_.on('exit', (c) => reject(new Error(`host exited early (${c})`)));
  });
  assert.ok(pids.sleep > 0 && alive(pids.sleep), 'the cell should have started sleep 600');
  await new Promise((r) => setTimeout(r, 500));
  assert.ok(alive(pids.kernel) && alive(pids.sleep), 'kernel and sleep should run while the host lives');
  host_.kill('SIGKILL');
  const t0 = Date.now();
  while ((alive(pids.kernel) || alive(pids.sleep)) && Date.now() - t0 < 5000) await new Promise((r) => setTimeout(r, 100));
  const kernelGone = !alive(pids.kernel);
  const sleepGone = !alive(pids.sleep);
  for (const p of [pids.kernel, pids.sleep]) if (alive(p)) try { process.kill(p, 'SIGKILL'); } catch { /* gone */ }
  assert.ok(kernelGone, `kernel ${pids.kernel} still alive ${Date.now() - t0} ms after its host was killed`);
  assert.ok(sleepGone, `the cell's sleep ${pids.sleep} still alive ${Date.now() - t0} ms after the host was killed`);
}

test('host SIGKILLed while the kernel is idle: the sleep a cell spawned is gone within 5 s', { timeout: 90_000 }, () =>
  killHostAndWatch(false));

test('host SIGKILLed while a cell spins in while(true): the sleep it spawned is gone within 5 s', { timeout: 90_000 }, () =>
  killHostAndWatch(true));
