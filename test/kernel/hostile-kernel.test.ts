/**
 * Issue #18, the kernel side: a literal U+2028 / U+2029 inside a string literal runs; an unawaited rejection is
 * reported once ("Uncaught 1", not "Uncaught Uncaught 1") on the cell that made it; a process a cell spawns
 * does not outlive the kernel on shutdown, restart or kill (KernelClient kills the kernel's process group).
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { KernelClient } from '../../kernel/host/client';
import { escapeLineSeparators } from '../../kernel/runtime/linesep';
import { alive, collector, gone, tempDir } from './helpers';

let k: KernelClient;
before(async () => {
  k = await KernelClient.start({ cwd: tempDir() });
});
after(async () => {
  await k.shutdown();
});


test('escapeLineSeparators: only inside quoted strings, with the same string value', () => {
  const src = 'const a = "x\u2028y";\u2028const b = \'p\u2029q\'; // c\u2028\nconst t = `t\u2028${"i\u2028"}`;';
  const out = escapeLineSeparators(src);
  assert.equal(out, 'const a = "x\\u2028y";\u2028const b = \'p\\u2029q\'; // c\u2028\nconst t = `t\u2028${"i\\u2028"}`;');
  // Same values when evaluated (the original is valid ES2019).
  const f = (s: string) => new Function(`${s}; return [a, b, t];`)();
  assert.deepEqual(f(out), f(src));
  assert.equal(escapeLineSeparators('no separators'), 'no separators');
});

test('a literal U+2028 and U+2029 inside a string literal run in a cell', async () => {
  const c = collector();
  const r = await k.execute('ls', 'const s = "a\u2028b\u2029c";\ns.length', c.on);
  assert.equal(r.status, 'ok', JSON.stringify(c.error()));
  assert.equal(c.result(), '5');
});

test('an unawaited rejection of a non-Error is reported once, on the cell that made it', async () => {
  const a = collector();
  const r = await k.execute('rej', 'Promise.reject(1);\n2', a.on);
  assert.equal(r.status, 'ok');
  assert.match(a.text('stderr'), /Uncaught 1/);
  assert.doesNotMatch(a.text('stderr'), /Uncaught Uncaught/);
  const b = collector();
  await k.execute('after-rej', '3', b.on);
  assert.equal(b.text('stderr'), '', 'nothing carried over to the next cell');
  assert.equal(b.result(), '3');
});

async function spawnSleeper(cell: string): Promise<number> {
  const c = collector();
  const code = "const { spawn } = require('node:child_process');\nconst child = spawn('sleep', ['60'], { stdio: 'ignore' });\nchild.pid";
  const r = await k.execute(cell, code, c.on);
  assert.equal(r.status, 'ok', JSON.stringify(c.error()));
  const pid = Number(c.result());
  assert.ok(pid > 0 && alive(pid), 'the child runs');
  return pid;
}

test('a child process a cell spawned ends with the kernel: restart', async () => {
  const pid = await spawnSleeper('spawn1');
  await k.restart();
  assert.ok(await gone(pid), `child ${pid} outlived the restart`);
});

test('a child process a cell spawned ends with the kernel: kill', async () => {
  const pid = await spawnSleeper('spawn2');
  k.kill();
  assert.ok(await gone(pid), `child ${pid} outlived the kill`);
});

test('a child process a cell spawned ends with the kernel: shutdown', async () => {
  const pid = await spawnSleeper('spawn3');
  await k.shutdown();
  assert.ok(await gone(pid), `child ${pid} outlived the shutdown`);
  k = await KernelClient.start({ cwd: tempDir() }); // for after()
});
