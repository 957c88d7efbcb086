import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { enginesNode, findOnPath, locateNode, NodeNotFoundError, satisfies } from '../../extension/nodeLocator';

/** A file-system probe that knows only the given executables. */
const only = (...files: string[]) => (p: string) => files.includes(p);
/** `node --version` stand-in: every known executable is 20.19.0 unless listed. */
const versions = (map: Record<string, string> = {}) => (p: string) => map[p] ?? '20.19.0';

test('the tram.nodePath setting wins over PATH and the editor runtime', () => {
  const r = locateNode({
    setting: '/opt/node20/bin/node',
    pathEnv: '/usr/bin',
    platform: 'linux',
    execPath: '/usr/share/code/code',
    isElectron: true,
    isExecutable: only('/opt/node20/bin/node', '/usr/bin/node', '/usr/share/code/code'),
    versionOf: versions(),
  });
  assert.deepEqual(r, { command: '/opt/node20/bin/node', env: {}, source: 'setting', version: '20.19.0' });
});

test('a tram.nodePath that does not exist is an error naming the setting and the fix, not a fallback', () => {
  assert.throws(
    () =>
      locateNode({
        setting: '/nope/node',
        pathEnv: '/usr/bin',
        platform: 'linux',
        execPath: '/usr/bin/node',
        isElectron: false,
        isExecutable: only('/usr/bin/node'),
      }),
    (e: unknown) => e instanceof NodeNotFoundError && /tram\.nodePath is "\/nope\/node"/.test(e.message) && /full path/.test(e.message),
  );
});

test('a bare name in tram.nodePath is looked up on PATH', () => {
  const r = locateNode({ setting: 'node20', pathEnv: '/a:/b', platform: 'linux', execPath: '', isElectron: false, isExecutable: only('/b/node20'), versionOf: versions() });
  assert.equal(r.command, '/b/node20');
});

test('without the setting, the first node on PATH is used (empty PATH entries skipped)', () => {
  const r = locateNode({
    pathEnv: ':/home/u/.nvm/bin:/usr/bin',
    platform: 'linux',
    execPath: '/usr/share/code/code',
    isElectron: true,
    isExecutable: only('/usr/bin/node', '/home/u/.nvm/bin/node', '/usr/share/code/code'),
    versionOf: versions(),
  });
  assert.deepEqual(r, { command: '/home/u/.nvm/bin/node', env: {}, source: 'path', version: '20.19.0' });
});

test('no node on PATH: the editor runtime runs as Node with ELECTRON_RUN_AS_NODE=1', () => {
  const r = locateNode({ pathEnv: '/usr/bin', platform: 'linux', execPath: '/usr/share/code/code', execVersion: '20.18.3', isElectron: true, isExecutable: only('/usr/share/code/code') });
  assert.equal(r.command, '/usr/share/code/code');
  assert.deepEqual(r.env, { ELECTRON_RUN_AS_NODE: '1' });
  assert.equal(r.source, 'editor');
  assert.equal(r.version, '20.18.3');
  assert.match(r.note ?? '', /the editor's own runtime \(Node v20\.18\.3\) runs the kernel/);
});

test('the runtime of a plain Node extension host (code-server) gets no Electron variable', () => {
  const r = locateNode({ pathEnv: '', platform: 'linux', execPath: '/srv/node', isElectron: false, isExecutable: only('/srv/node') });
  assert.deepEqual(r.env, {});
  assert.equal(r.source, 'editor');
});

test('nothing found: a message that says what to install, never "spawn node ENOENT"', () => {
  assert.throws(
    () => locateNode({ pathEnv: '/usr/bin', platform: 'linux', execPath: '/gone', isElectron: true, isExecutable: only() }),
    (e: unknown) => e instanceof NodeNotFoundError && /Install Node\.js 20/.test(e.message) && !/ENOENT/.test(e.message),
  );
});

test('Windows: PATH entries are ;-separated and PATHEXT extensions are tried', () => {
  const hit = findOnPath('node', 'C:\\tools;C:\\Program Files\\nodejs', 'win32', only('C:\\Program Files\\nodejs\\node.exe'), '.COM;.EXE');
  assert.equal(hit, 'C:\\Program Files\\nodejs\\node.exe');
});

test('with the real file system, the node running this test is found on a PATH made of its folder', () => {
  const dir = path.dirname(process.execPath);
  const found = findOnPath(path.basename(process.execPath), dir, process.platform, (p) => fs.existsSync(p));
  assert.equal(found, path.join(dir, path.basename(process.execPath)));
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'tram-which-'));
  fs.writeFileSync(path.join(tmp, 'node'), '#!/bin/sh\n', { mode: 0o644 });
  try {
    // A file that is not executable is not a runtime.
    assert.throws(() => locateNode({ pathEnv: tmp, platform: 'linux', execPath: path.join(tmp, 'missing'), isElectron: false }), NodeNotFoundError);
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
});

test('engines: a node on PATH outside the tested versions is passed over for the next one that fits', () => {
  const r = locateNode({
    pathEnv: '/old/bin:/new/bin',
    platform: 'linux',
    execPath: '/usr/share/code/code',
    execVersion: '20.18.3',
    isElectron: true,
    isExecutable: only('/old/bin/node', '/new/bin/node', '/usr/share/code/code'),
    versionOf: versions({ '/old/bin/node': '18.19.1', '/new/bin/node': '24.21.0' }),
    engines: '^20.19.0 || ^24.0.0',
  });
  assert.deepEqual(r, { command: '/new/bin/node', env: {}, source: 'path', version: '24.21.0' });
});

test('engines: when no node on PATH fits, the editor runtime runs the kernel and the note names both versions', () => {
  const r = locateNode({
    pathEnv: '/old/bin',
    platform: 'linux',
    execPath: '/usr/share/code/code',
    execVersion: '22.15.1',
    isElectron: true,
    isExecutable: only('/old/bin/node', '/usr/share/code/code'),
    versionOf: versions({ '/old/bin/node': '18.19.1' }),
    engines: '^20.19.0 || ^24.0.0',
  });
  assert.equal(r.source, 'editor');
  assert.equal(r.version, '22.15.1');
  assert.match(r.note!, /Node v22\.15\.1\) runs the kernel/);
  assert.match(r.note!, /\/old\/bin\/node \(v18\.19\.1\) is outside \^20\.19\.0 \|\| \^24\.0\.0/);
  assert.match(r.note!, /its Node v22\.15\.1 is outside the tested versions/);
});

test('engines: a node whose version cannot be read is passed over; an explicit setting is kept but flagged', () => {
  const broken = locateNode({
    pathEnv: '/x', platform: 'linux', execPath: '/ed', execVersion: '20.19.0', isElectron: false,
    isExecutable: only('/x/node', '/ed'), versionOf: () => undefined, engines: '>=20',
  });
  assert.equal(broken.source, 'editor');
  assert.match(broken.note!, /\/x\/node \(version unknown\)/);
  const set = locateNode({
    setting: '/opt/n18/node', platform: 'linux', execPath: '/ed', isElectron: false,
    isExecutable: only('/opt/n18/node'), versionOf: () => '18.0.0', engines: '^20.19.0 || ^24.0.0',
  });
  assert.equal(set.source, 'setting');
  assert.match(set.note!, /tram\.nodePath is Node v18\.0\.0, outside the tested versions/);
});

test('satisfies: the range forms package.json uses, checked by hand', () => {
  const cases: [string, string, boolean][] = [
    ['20.19.0', '^20.19.0 || ^24.0.0', true],
    ['20.18.9', '^20.19.0 || ^24.0.0', false],
    ['22.1.0', '^20.19.0 || ^24.0.0', false],
    ['24.21.0', '^20.19.0 || ^24.0.0', true],
    ['25.0.0', '^20.19.0 || ^24.0.0', false],
    ['v20.0.0', '>=20', true],
    ['19.9.9', '>=20', false],
    ['22.3.0', '>=20 <23', true],
    ['23.0.0', '>=20 <23', false],
    ['20.5.1', '~20.5', true],
    ['20.6.0', '~20.5', false],
    ['22.4.0', '22.x', true],
    ['23.4.0', '22', false],
    ['1.2.3', '', true],
    ['not a version', '>=20', false],
  ];
  for (const [v, range, want] of cases) assert.equal(satisfies(v, range), want, `${v} in '${range}'`);
  assert.throws(() => satisfies('20.0.0', '>=20 && <25'), /unsupported version range part '&&'/);
});

test("the package's engines.node is read, and the Node running this test satisfies it", () => {
  const engines = enginesNode();
  assert.notEqual(engines, '');
  assert.ok(satisfies(process.versions.node, engines), `Node ${process.versions.node} is outside engines.node ${engines}`);
});

test('with the real `node --version`, the node running this test is chosen from PATH with its version', () => {
  const dir = path.dirname(process.execPath);
  const r = locateNode({ pathEnv: dir, platform: process.platform, execPath: '', isElectron: false, engines: enginesNode() });
  assert.equal(r.source, 'path');
  assert.equal(r.version, process.versions.node);
});
