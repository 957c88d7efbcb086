/**
 * Driving the TRAM kernel the way Jupyter does: a Python script using jupyter_client (Debian's
 * /usr/bin/python3) against the kernelspec that `tram jupyter install --prefix` writes into a temporary prefix.
 * A probe is the body of one kernel session: `kc` (a ready client), `km` (its manager) and Session are in scope,
 * and it fills the dict `out`, which `runProbe` returns parsed; the kernel is shut down whatever happens.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

const repoRoot = path.resolve(__dirname, '..', '..', '..');
export const python = '/usr/bin/python3';
const hasClient = fs.existsSync(python) && spawnSync(python, ['-c', 'import jupyter_client'], { encoding: 'utf8' }).status === 0;
/** node:test `skip` value: false, or why jupyter_client cannot be used here. */
export const jupyterSkip: false | string = hasClient ? false : `${python} has no jupyter_client (apt-get install python3-jupyter-client)`;

const SESSION = (body: string) => `
import json, sys, time
from jupyter_client import KernelManager
from jupyter_client.session import Session
km = KernelManager(kernel_name="tram")
km.start_kernel()
out = {}
try:
    kc = km.client(); kc.start_channels(); kc.wait_for_ready(timeout=90)
${body}finally:
    km.shutdown_kernel(now=False)
print(json.dumps(out))
`;

/** Installs the kernelspec into a fresh prefix, runs the probe `body` in one kernel session, returns `out`. */
export function runProbe<T = Record<string, unknown>>(body: string, label: string, timeoutMs = 200_000): T {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `tram-jupyter-${label}-`));
  const prefix = path.join(dir, 'prefix');
  const inst = spawnSync(process.execPath, [path.join(repoRoot, 'bin', 'tram.js'), 'jupyter', 'install', '--prefix', prefix], { encoding: 'utf8' });
  assert.equal(inst.status, 0, inst.stderr);
  const env = { ...process.env, JUPYTER_PATH: path.join(prefix, 'share', 'jupyter'), JUPYTER_RUNTIME_DIR: path.join(dir, 'runtime') };
  const r = spawnSync(python, ['-c', SESSION(body)], { cwd: dir, env, encoding: 'utf8', timeout: timeoutMs });
  assert.equal(r.status, 0, r.stderr);
  return JSON.parse(r.stdout.trim().split('\n').pop()!) as T;
}
