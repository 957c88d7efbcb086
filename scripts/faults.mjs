#!/usr/bin/env node
// `npm run faults`: the fault suite (test/faults/). Prints `fault | host | expected | observed | pass` and exits
// non-zero when any row fails. Gets what the rows need first:
//   the build (out/test/faults; `npm run build` when it is missing),
//   code-server in .cache/code-server (scripts/setup-code-server.sh, cached),
//   the .vsix (scripts/package.mjs --no-build, when missing or older than the build).
// A missing piece is not a skip: the rows that need it fail and say why.
// Arguments go to the suite: `npm run faults -- --only files kernel`, `--skip-extension` (no code-server rows).
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const rel = (p) => path.join(root, p);
const mtime = (p) => (fs.existsSync(rel(p)) ? fs.statSync(rel(p)).mtimeMs : 0);
const step = (what, cmd, args) => {
  const t0 = Date.now();
  const r = spawnSync(cmd, args, { cwd: root, stdio: ['ignore', 'ignore', 'pipe'], encoding: 'utf8' });
  const ok = r.status === 0;
  console.error(`faults: ${what} ${ok ? 'ready' : `FAILED (exit ${r.status ?? r.signal})`} in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
  if (!ok) console.error((r.stderr || '').slice(-2000));
  return ok;
};

if (!fs.existsSync(rel('out/test/faults/main.js'))) step('build', 'npm', ['run', '--silent', 'build']);
const wantsEditor = !process.argv.includes('--skip-extension') &&
  (!process.argv.includes('--only') || process.argv.some((a) => /vs ?code|security|host|untrusted|editor|debug/i.test(a)));
if (wantsEditor) {
  step('code-server', 'bash', ['scripts/setup-code-server.sh']);
  const pkg = JSON.parse(fs.readFileSync(rel('package.json'), 'utf8'));
  const vsix = `dist/${pkg.name}-${pkg.version}.vsix`;
  const built = Math.max(mtime('out/extension/extension.js'), mtime('out/kernel/runtime/main.js'), mtime('out/kernel/host/client.js'));
  if (mtime(vsix) < built) step('the .vsix', process.execPath, ['scripts/package.mjs', '--no-build']);
}
const r = spawnSync(process.execPath, [rel('out/test/faults/main.js'), ...process.argv.slice(2)], { cwd: root, stdio: 'inherit' });
process.exit(r.status ?? 1);
