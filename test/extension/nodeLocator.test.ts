import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { findOnPath, locateNode, NodeNotFoundError } from '../../extension/nodeLocator';

/** A file-system probe that knows only the given executables. */
const only = (...files: string[]) => (p: string) => files.includes(p);

test('the tram.nodePath setting wins over PATH and the editor runtime', () => {
  const r = locateNode({
    setting: '/opt/node20/bin/node',
    pathEnv: '/usr/bin',
    platform: 'linux',
    execPath: '/usr/share/code/code',
    isElectron: true,
    isExecutable: only('/opt/node20/bin/node', '/usr/bin/node', '/usr/share/code/code'),
  });
  assert.deepEqual(r, { command: '/opt/node20/bin/node', env: {}, source: 'setting' });
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
  const r = locateNode({ setting: 'node20', pathEnv: '/a:/b', platform: 'linux', execPath: '', isElectron: false, isExecutable: only('/b/node20') });
  assert.equal(r.command, '/b/node20');
});

test('without the setting, the first node on PATH is used (empty PATH entries skipped)', () => {
  const r = locateNode({
    pathEnv: ':/home/u/.nvm/bin:/usr/bin',
    platform: 'linux',
    execPath: '/usr/share/code/code',
    isElectron: true,
    isExecutable: only('/usr/bin/node', '/home/u/.nvm/bin/node', '/usr/share/code/code'),
  });
  assert.deepEqual(r, { command: '/home/u/.nvm/bin/node', env: {}, source: 'path' });
});

test('no node on PATH: the editor runtime runs as Node with ELECTRON_RUN_AS_NODE=1', () => {
  const r = locateNode({ pathEnv: '/usr/bin', platform: 'linux', execPath: '/usr/share/code/code', isElectron: true, isExecutable: only('/usr/share/code/code') });
  assert.deepEqual(r, { command: '/usr/share/code/code', env: { ELECTRON_RUN_AS_NODE: '1' }, source: 'editor' });
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
