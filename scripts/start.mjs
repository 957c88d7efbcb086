#!/usr/bin/env node
// `npm start`: the extension in a real VS Code, from a fresh clone.
//   1. builds the .vsix (scripts/package.mjs)
//   2. installs code-server 4.100.3 into .cache/code-server (scripts/setup-code-server.sh; once, then cached)
//   3. installs the .vsix into a project-local profile (.cache/start/)
//   4. copies the sample notebooks into .cache/start/samples/ (your edits there are kept; the originals in
//      notebooks/ stay clean) and serves that folder on 127.0.0.1 on a free port, printing the URL.
// The editor is locked: code-server runs with password authentication, the password a new random secret at
// every start (24 characters of base64url, 144 bits), printed with the URL and stored in
// .cache/start/xdg/config.yaml, owner-only (0600), which code-server reads. Without it every page redirects
// to the login page and the editor's websocket (through which the extension host and kernels are reached)
// is refused: test/faults/securityRows.ts checks this.
// Ctrl-C stops code-server and everything it started (its whole process group).
//
// Options: --port N (default: a free port), --no-build (reuse dist/*.vsix),
//          --home DIR (profile, samples and secret in DIR instead of .cache/start; the fault suite uses it).
import { spawn, spawnSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);
const opt = (name) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
};
const pkg = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8'));
const vsix = path.join(root, 'dist', `${pkg.name}-${pkg.version}.vsix`);
const home = path.resolve(root, opt('--home') ?? path.join('.cache', 'start'));
const dirs = { userData: path.join(home, 'user-data'), extensions: path.join(home, 'extensions'), xdg: path.join(home, 'xdg') };
const samples = path.join(home, 'samples');

function step(cmd, cmdArgs, what) {
  console.log(`\n== ${what}`);
  const r = spawnSync(cmd, cmdArgs, { cwd: root, stdio: 'inherit' });
  if (r.status !== 0) {
    console.error(`npm start: ${what} failed (exit ${r.status ?? r.signal}).`);
    process.exit(1);
  }
}

function freePort() {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

if (!args.includes('--no-build')) step(process.execPath, ['scripts/package.mjs'], 'building the extension (.vsix)');
if (!fs.existsSync(vsix)) {
  console.error(`npm start: ${vsix} is missing; run without --no-build.`);
  process.exit(1);
}
step('bash', ['scripts/setup-code-server.sh'], 'code-server 4.100.3 in .cache/code-server (installed once, then cached)');
const entry = path.join(root, '.cache', 'code-server', 'out', 'node', 'entry.js');
const common = ['--user-data-dir', dirs.userData, '--extensions-dir', dirs.extensions, '--config', path.join(dirs.xdg, 'config.yaml')];
const env = { ...process.env, XDG_CONFIG_HOME: dirs.xdg, XDG_DATA_HOME: dirs.xdg, XDG_CACHE_HOME: dirs.xdg };
// code-server prefers $PASSWORD / $HASHED_PASSWORD over its config file: the secret written below must win.
delete env.PASSWORD;
delete env.HASHED_PASSWORD;

fs.mkdirSync(path.join(dirs.userData, 'User'), { recursive: true });
const settings = path.join(dirs.userData, 'User', 'settings.json');
if (!fs.existsSync(settings)) {
  fs.writeFileSync(settings, JSON.stringify({ 'workbench.startupEditor': 'none', 'telemetry.telemetryLevel': 'off' }, null, 2) + '\n');
}
step(process.execPath, [entry, ...common, '--install-extension', vsix, '--force'], `installing ${path.relative(root, vsix)}`);

// A new secret for this start, in code-server's config file, readable by this user only.
const secret = crypto.randomBytes(18).toString('base64url');
const configFile = path.join(dirs.xdg, 'config.yaml');
fs.mkdirSync(dirs.xdg, { recursive: true });
fs.chmodSync(dirs.xdg, 0o700);
fs.rmSync(configFile, { force: true });
fs.writeFileSync(configFile, `# written by npm start (scripts/start.mjs): a new password at every start\nauth: password\npassword: ${secret}\ncert: false\n`, { mode: 0o600 });
fs.chmodSync(configFile, 0o600);

fs.mkdirSync(samples, { recursive: true });
const notebooks = fs.existsSync(path.join(root, 'notebooks')) ? fs.readdirSync(path.join(root, 'notebooks')).filter((n) => n.endsWith('.ipynb')) : [];
let copied = 0;
for (const n of notebooks) {
  const to = path.join(samples, n);
  if (!fs.existsSync(to)) {
    fs.copyFileSync(path.join(root, 'notebooks', n), to);
    copied++;
  }
}
// The committed experiment results one sample reads (09-experiments), also copied only when absent.
const results = path.join(root, 'notebooks', 'results');
if (fs.existsSync(results)) fs.cpSync(results, path.join(samples, 'results'), { recursive: true, force: false, errorOnExist: false });
console.log(`\n== samples: ${notebooks.length} notebooks in ${path.relative(root, samples)} (${copied} copied now, ${notebooks.length - copied} kept with your edits)`);

const port = Number(opt('--port') ?? (await freePort()));
const server = spawn(
  process.execPath,
  [
    entry,
    ...common,
    '--bind-addr',
    `127.0.0.1:${port}`,
    '--auth',
    'password',
    '--disable-telemetry',
    '--disable-update-check',
    '--disable-workspace-trust',
    samples,
  ],
  { cwd: root, env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] },
);
const url = `http://127.0.0.1:${port}/?folder=${encodeURIComponent(samples)}`;
let announced = false;
const relay = (stream, out) => {
  let partial = '';
  stream.on('data', (b) => {
    const text = partial + b.toString();
    const lines = text.split('\n');
    partial = lines.pop();
    for (const line of lines) if (line.trim()) out.write(`  [code-server] ${line}\n`);
    if (!announced && /HTTP server listening/.test(text)) {
      announced = true;
      console.log(
        `\nTRAM Notebooks in VS Code: ${url}\n` +
          `Password: ${secret}   (new at every start; stored owner-only in ${configFile.startsWith(root + path.sep) ? path.relative(root, configFile) : configFile})\n` +
          'Open a notebook, pick the kernel "TRAM TypeScript" (top right), run. Ctrl-C stops everything.\n',
      );
    }
  });
};
relay(server.stdout, process.stdout);
relay(server.stderr, process.stderr);

let stopping = false;
function stop(code) {
  if (stopping) return;
  stopping = true;
  try {
    process.kill(-server.pid, 'SIGTERM');
  } catch {
    /* already gone */
  }
  const t = setTimeout(() => {
    try {
      process.kill(-server.pid, 'SIGKILL');
    } catch {
      /* gone */
    }
    process.exit(code);
  }, 3000);
  server.on('exit', () => {
    // The group may still hold extension hosts and kernels: make sure they go too.
    try {
      process.kill(-server.pid, 'SIGKILL');
    } catch {
      /* gone */
    }
    clearTimeout(t);
    process.exit(code);
  });
}
process.on('SIGINT', () => stop(0));
process.on('SIGTERM', () => stop(0));
process.on('SIGHUP', () => stop(0));
server.on('exit', (code, signal) => {
  if (stopping) return;
  console.error(`npm start: code-server stopped (${signal ?? `exit ${code}`}).`);
  try {
    process.kill(-server.pid, 'SIGKILL');
  } catch {
    /* gone */
  }
  process.exit(code ?? 1);
});
