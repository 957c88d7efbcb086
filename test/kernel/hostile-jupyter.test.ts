/**
 * Issue #18, the Jupyter host: a process a cell spawns does not outlive the kernel after jupyter_client shuts it
 * down (the kernel, started by Jupyter in a new session, kills the rest of its process group on exit).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { jupyterSkip as skip, runProbe } from '../jupyter/probe';
import { alive } from './helpers';

/** Runs inside probe.ts's kernel session (`kc`, `km`, `out` and Session in scope). */
const PROBE = `
    msg_id = kc.execute("const { spawn } = require('node:child_process');\\nspawn('sleep', ['120'], { stdio: 'ignore' }).pid")
    deadline = time.time() + 60
    while time.time() < deadline:
        m = kc.get_iopub_msg(timeout=30)
        if m["parent_header"].get("msg_id") != msg_id: continue
        if m["msg_type"] == "execute_result": out["pid"] = int(m["content"]["data"]["text/plain"])
        if m["msg_type"] == "status" and m["content"]["execution_state"] == "idle": break
`;


test('a child process a cell spawned ends when Jupyter shuts the kernel down', { skip, timeout: 240_000 }, async () => {
  const { pid } = runProbe<{ pid?: number }>(PROBE, 'pg');
  assert.ok(pid && pid > 0, 'no child pid from the probe');
  const t0 = Date.now();
  while (alive(pid) && Date.now() - t0 < 3000) await new Promise((res) => setTimeout(res, 50));
  const survived = alive(pid);
  if (survived) process.kill(pid, 'SIGKILL');
  assert.equal(survived, false, `child ${pid} outlived the Jupyter kernel`);
});
