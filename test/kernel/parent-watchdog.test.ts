/**
 * The kernel exits when its host dies, even while a cell is in a synchronous busy loop: a host process starts a
 * kernel with KernelClient and runs `while (true) {}`; the host is killed with SIGKILL (no chance to clean up);
 * the kernel, re-parented, must be gone within a few seconds.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import * as path from 'node:path';
import { alive, tempDir } from './helpers';


const HOST = `
const { KernelClient } = require(${JSON.stringify(path.resolve(__dirname, '..', '..', 'kernel', 'host', 'client.js'))});
(async () => {
  const k = await KernelClient.start({ cwd: process.argv[1] });
  void k.execute('busy', 'while (true) {}', () => undefined);
  setTimeout(() => console.log(JSON.stringify({ kernel: k.info.pid })), 300);
})();
`;

test('a kernel busy in while(true) exits within a few seconds after its host is SIGKILLed', { timeout: 90_000 }, async () => {
  const host = spawn(process.execPath, ['-e', HOST, tempDir()], { stdio: ['ignore', 'pipe', 'inherit'] });
  const kernelPid = await new Promise<number>((resolve, reject) => {
    let out = '';
    host.stdout!.on('data', (d) => {
      out += d;
      const m = /"kernel":(\d+)/.exec(out);
      if (m) resolve(Number(m[1]));
    });
    host.on('exit', (c) => reject(new Error(`host exited early (${c})`)));
  });
  assert.ok(alive(kernelPid));
  await new Promise((r) => setTimeout(r, 500)); // the cell is now spinning
  assert.ok(alive(kernelPid), 'the kernel should still run while its host lives');
  host.kill('SIGKILL');
  const t0 = Date.now();
  while (alive(kernelPid) && Date.now() - t0 < 5000) await new Promise((r) => setTimeout(r, 100));
  const gone = !alive(kernelPid);
  if (!gone) process.kill(kernelPid, 'SIGKILL');
  assert.ok(gone, `kernel ${kernelPid} still alive ${Date.now() - t0} ms after its host was killed`);
});
