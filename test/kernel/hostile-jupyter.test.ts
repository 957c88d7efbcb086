/**
 * Issue #18, the Jupyter host: a process a cell spawns does not outlive the kernel after jupyter_client shuts it
 * down (the kernel, started by Jupyter in a new session, kills the rest of its process group on exit).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { repoRoot } from './helpers';

const python = '/usr/bin/python3';
const hasClient = fs.existsSync(python) && spawnSync(python, ['-c', 'import jupyter_client'], { encoding: 'utf8' }).status === 0;
const skip = hasClient ? false : `${python} has no jupyter_client (apt-get install python3-jupyter-client)`;

const PROBE = `
import json, time
from jupyter_client import KernelManager
km = KernelManager(kernel_name="tram")
km.start_kernel()
out = {}
try:
    kc = km.client(); kc.start_channels(); kc.wait_for_ready(timeout=90)
    msg_id = kc.execute("const { spawn } = require('node:child_process');\\nspawn('sleep', ['120'], { stdio: 'ignore' }).pid")
    deadline = time.time() + 60
    while time.time() < deadline:
        m = kc.get_iopub_msg(timeout=30)
        if m["parent_header"].get("msg_id") != msg_id: continue
        if m["msg_type"] == "execute_result": out["pid"] = int(m["content"]["data"]["text/plain"])
        if m["msg_type"] == "status" and m["content"]["execution_state"] == "idle": break
finally:
    km.shutdown_kernel(now=False)
print(json.dumps(out))
`;

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

test('a child process a cell spawned ends when Jupyter shuts the kernel down', { skip, timeout: 240_000 }, async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tram-jupyter-pg-'));
  const prefix = path.join(dir, 'prefix');
  const inst = spawnSync(process.execPath, [path.join(repoRoot, 'bin', 'tram.js'), 'jupyter', 'install', '--prefix', prefix], { encoding: 'utf8' });
  assert.equal(inst.status, 0, inst.stderr);
  const env = { ...process.env, JUPYTER_PATH: path.join(prefix, 'share', 'jupyter'), JUPYTER_RUNTIME_DIR: path.join(dir, 'runtime') };
  const r = spawnSync(python, ['-c', PROBE], { cwd: dir, env, encoding: 'utf8', timeout: 200_000 });
  assert.equal(r.status, 0, r.stderr);
  const pid = (JSON.parse(r.stdout.trim().split('\n').pop()!) as { pid?: number }).pid;
  assert.ok(pid && pid > 0, `no child pid in ${r.stdout}`);
  const t0 = Date.now();
  while (alive(pid) && Date.now() - t0 < 3000) await new Promise((res) => setTimeout(res, 50));
  const survived = alive(pid);
  if (survived) process.kill(pid, 'SIGKILL');
  assert.equal(survived, false, `child ${pid} outlived the Jupyter kernel`);
});
