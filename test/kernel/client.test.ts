import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { KernelClient } from '../../kernel/host/client';
import { kernelEnv } from '../../kernel/host/env';
import { collector, tempDir } from './helpers';
import { autoBackend } from '../native-rerun';

let k: KernelClient;
before(async () => {
  k = await KernelClient.start({ cwd: tempDir() });
});
after(async () => {
  await k.shutdown();
});

test('ready reports the backend and the preloaded globals', () => {
  assert.equal(k.info.backend, autoBackend(), 'auto: native TensorFlow where scripts/setup-native.sh built it, else wasm');
  assert.ok(k.info.pid > 0 && k.info.pid !== process.pid);
  for (const name of ['tf', 'display', 'progress', 'signal', 'importESM']) assert.ok(k.info.preloads?.includes(name), name);
});

test('state persists across cells and the last expression is the result', async () => {
  const a = collector();
  assert.equal((await k.execute('a', 'const base: number = 40;', a.on)).status, 'ok');
  const b = collector();
  const r = await k.execute('b', 'base + 2', b.on);
  assert.equal(r.status, 'ok');
  assert.equal(b.result(), '42');
});

test('info is answered on request', async () => {
  const info = await k.refreshInfo();
  assert.equal(info.backend, k.info.backend);
  assert.equal(info.pid, k.info.pid);
});

// Interrupt latency is a timing, measured by `npm run bench` (bench/kernel.ts); here only the behaviour.
test('interrupt stops a synchronous busy loop and keeps the variables', async () => {
  await k.execute('set', 'let before = 7; let spins = 0;', () => undefined);
  const c = collector();
  const running = k.execute('loop', 'while (true) { spins++; }', c.on);
  setTimeout(() => k.interrupt(), 500);
  const r = await running;
  assert.equal(r.status, 'interrupted');
  const after = collector();
  assert.equal((await k.execute('after', 'before * 10 + (spins > 0 ? 1 : 0)', after.on)).status, 'ok');
  assert.equal(after.result(), '71');
});

test('interrupt stops an awaited loop, aborts the signal and the loop does not continue', async () => {
  const code = [
    'let ticks = 0; let sawAbort = false;',
    'signal.addEventListener("abort", () => { sawAbort = true; });',
    'while (true) { await new Promise((r) => setTimeout(r, 5)); ticks++; }',
  ].join('\n');
  const running = k.execute('aloop', code, () => undefined);
  setTimeout(() => k.interrupt(), 500);
  const r = await running;
  assert.equal(r.status, 'interrupted');
  const c1 = collector();
  await k.execute('t1', '[ticks > 0, sawAbort, ticks]', c1.on);
  await new Promise((r) => setTimeout(r, 200));
  const c2 = collector();
  await k.execute('t2', 'ticks', c2.on);
  const [, , ticksThen] = JSON.parse(c1.result()!.replace(/'/g, '"'));
  assert.match(c1.result()!, /^\[ true, true, \d+ \]$/);
  assert.equal(Number(c2.result()), ticksThen, 'the loop kept running after the interrupt');
});

test('a variable declared in a cell that then throws is usable in the next cell', async () => {
  const a = collector();
  const r = await k.execute('throws', 'let keptAfterThrow = 5;\nconst alsoKept = "x";\nthrow new Error("boom after the declarations");', a.on);
  assert.equal(r.status, 'error');
  assert.match(a.error()!.evalue, /boom after the declarations/);
  const b = collector();
  const r2 = await k.execute('uses', 'keptAfterThrow += 1; [keptAfterThrow, alsoKept]', b.on);
  assert.equal(r2.status, 'ok', JSON.stringify(b.error()));
  assert.equal(b.result(), "[ 6, 'x' ]");
});

test('a cell calling process.exit is reported as died, then a fresh kernel runs the next cell', async () => {
  const exits: unknown[] = [];
  k.once('exit', (e) => exits.push(e));
  const pid = k.info.pid;
  const r = await k.execute('exit', 'process.exit(3)', () => undefined);
  assert.equal(r.status, 'died');
  assert.match(r.reason!, /exited with code 3/);
  assert.equal(exits.length, 1);
  const c = collector();
  const r2 = await k.execute('next', '1 + 1', c.on);
  assert.equal(r2.status, 'ok');
  assert.equal(c.result(), '2');
  assert.notEqual(k.info.pid, pid);
});

test('an external SIGKILL is reported with the signal and the kernel is replaced', async () => {
  const running = k.execute('sleep', 'await new Promise((r) => setTimeout(r, 30000));', () => undefined);
  setTimeout(() => process.kill(k.info.pid, 'SIGKILL'), 300);
  const r = await running;
  assert.equal(r.status, 'died');
  assert.match(r.reason!, /SIGKILL/);
  const c = collector();
  assert.equal((await k.execute('again', '"alive"', c.on)).status, 'ok');
  assert.equal(c.result(), "'alive'");
});

test('restart gives a fresh process without the old variables', async () => {
  await k.execute('v', 'const keep = 1;', () => undefined);
  const pid = k.info.pid;
  await k.restart();
  assert.notEqual(k.info.pid, pid);
  const c = collector();
  const r = await k.execute('v2', 'typeof keep', c.on);
  assert.equal(r.status, 'error');
  assert.match(c.error()!.evalue, /Cannot find name 'keep'/);
});

test('the kernel gets only allow-listed environment variables', async () => {
  process.env.TRAM_TEST_VISIBLE = 'yes';
  process.env.SECRET_TOKEN_FOR_TEST = 'leak';
  assert.equal(kernelEnv(process.env).SECRET_TOKEN_FOR_TEST, undefined);
  await k.restart();
  const c = collector();
  await k.execute('env', '[process.env.TRAM_TEST_VISIBLE, process.env.SECRET_TOKEN_FOR_TEST]', c.on);
  assert.equal(c.result(), "[ 'yes', undefined ]");
});
