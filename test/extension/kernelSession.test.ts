import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import type { KernelInfo, KernelMessage } from '../../kernel/protocol';
import { CANCELLED, KernelSession, type ClientLike, type ExecuteOutcome, type KernelState } from '../../extension/kernelSession';

const INFO: KernelInfo = { backend: 'wasm', backendDetail: 'wasm', gpu: false, tfjsVersion: '4.22.0', nodeVersion: '20', pid: 1 };

/** A kernel whose cells finish when the test says so; variables live in `vars` until restart. */
class FakeKernel extends EventEmitter implements ClientLike {
  info = INFO;
  vars = new Map<string, number>();
  started: string[] = [];
  interrupts = 0;
  restarts = 0;
  private finish: ((o: ExecuteOutcome) => void) | undefined;
  execute(cellId: string, code: string, onMessage: (m: KernelMessage) => void): Promise<ExecuteOutcome> {
    this.started.push(cellId);
    const m = /^set (\w+)=(\d+)$/.exec(code);
    if (m) this.vars.set(m[1], Number(m[2]));
    onMessage({ type: 'stream', cell: cellId, name: 'stdout', text: code });
    if (code === 'wait') return new Promise((resolve) => (this.finish = resolve));
    return Promise.resolve({ status: code === 'throw' ? 'error' : 'ok', durationMs: 1 });
  }
  interrupt(): void {
    this.interrupts++;
    this.finish?.({ status: 'interrupted', durationMs: 5 });
  }
  async restart(): Promise<void> {
    this.restarts++;
    this.vars.clear();
    this.emit('exit', null, 'SIGTERM');
  }
  shutdown(): void {}
}

const tick = () => new Promise((r) => setImmediate(r));

test('starts the kernel once, on first run, and reports starting → idle → busy → idle', async () => {
  let starts = 0;
  const kernel = new FakeKernel();
  const s = new KernelSession(async () => (starts++, kernel));
  const states: KernelState[] = [];
  s.onDidChangeState((x) => states.push(x.state));
  assert.equal(s.state, 'stopped');
  const seen: string[] = [];
  await s.run('c1', 'set a=1', 'typescript', (m) => m.type === 'stream' && seen.push(m.text));
  await s.run('c2', 'print', 'typescript', () => undefined);
  assert.equal(starts, 1);
  assert.deepEqual(seen, ['set a=1']);
  assert.deepEqual(states, ['starting', 'idle', 'busy', 'idle', 'busy', 'idle']);
  assert.equal(s.info?.backend, 'wasm');
});

test('cells run one at a time in the order asked, even when asked together', async () => {
  const kernel = new FakeKernel();
  const s = new KernelSession(async () => kernel);
  const first = s.run('c1', 'wait', 'typescript', () => undefined);
  const second = s.run('c2', 'set b=2', 'typescript', () => undefined);
  await tick();
  assert.deepEqual(kernel.started, ['c1']);
  kernel.interrupt();
  assert.equal((await first).status, 'interrupted');
  // c2 was queued before the interrupt, but the kernel's own interrupt() was called directly here, not the
  // session's: it still runs.
  assert.equal((await second).status, 'ok');
  assert.deepEqual(kernel.started, ['c1', 'c2']);
});

test('interrupt stops the running cell, keeps state, and drops the queued cells', async () => {
  const kernel = new FakeKernel();
  const s = new KernelSession(async () => kernel);
  await s.run('c0', 'set x=7', 'typescript', () => undefined);
  const long = s.run('c1', 'wait', 'typescript', () => undefined);
  let startedQueued = false;
  const queued = s.run('c2', 'set y=1', 'typescript', () => undefined, () => (startedQueued = true));
  await tick();
  assert.equal(s.state, 'busy');
  s.interrupt();
  assert.equal((await long).status, 'interrupted');
  assert.equal(await queued, CANCELLED);
  assert.equal(startedQueued, false);
  assert.equal(kernel.interrupts, 1);
  assert.equal(kernel.vars.get('x'), 7);
  assert.equal(kernel.vars.has('y'), false);
  // New runs after the interrupt go through.
  assert.equal((await s.run('c3', 'set z=3', 'typescript', () => undefined)).status, 'ok');
  assert.equal(s.state, 'idle');
});

test('restart clears the kernel and is not reported as a death', async () => {
  const kernel = new FakeKernel();
  const s = new KernelSession(async () => kernel);
  await s.run('c0', 'set x=7', 'typescript', () => undefined);
  await s.restart();
  assert.equal(kernel.restarts, 1);
  assert.equal(kernel.vars.size, 0);
  assert.equal(s.state, 'idle');
  assert.equal(s.lastError, undefined);
});

test('an unexpected exit marks the kernel dead; the next run starts a new one', async () => {
  const kernels: FakeKernel[] = [];
  const s = new KernelSession(async () => {
    const k = new FakeKernel();
    kernels.push(k);
    return k;
  });
  await s.run('c0', 'set x=1', 'typescript', () => undefined);
  kernels[0].emit('exit', 137, null);
  assert.equal(s.state, 'dead');
  assert.match(s.lastError ?? '', /exited \(code 137\)/);
  await s.run('c1', 'set y=1', 'typescript', () => undefined);
  assert.equal(kernels.length, 2);
  assert.equal(s.state, 'idle');
});

test('a kernel that cannot start rejects the run with its reason and shows dead', async () => {
  const s = new KernelSession(async () => {
    throw new Error('No Node.js runtime was found');
  });
  await assert.rejects(s.run('c', 'x', 'typescript', () => undefined), /No Node\.js runtime/);
  assert.equal(s.state, 'dead');
  assert.equal(s.lastError, 'No Node.js runtime was found');
});

test('variables: none before a kernel runs or after it died; asked of the client while it runs', async () => {
  class VarsKernel extends FakeKernel {
    asked: unknown[] = [];
    async variables(opts?: { summarize?: string }) {
      this.asked.push(opts);
      return { variables: [...this.vars].map(([name, v]) => ({ name, kind: 'value' as const, type: 'number', preview: String(v) })), memory: { numTensors: 0, numBytes: 0 } };
    }
  }
  const kernel = new VarsKernel();
  const s = new KernelSession(async () => kernel);
  assert.equal(await s.variables(), undefined, 'no kernel started: nothing, and none is started');
  assert.equal(s.state, 'stopped');
  await s.run('1', 'set a=5', 'typescript', () => undefined);
  const r = await s.variables({ summarize: 'a' });
  assert.deepEqual(r?.variables.map((v) => [v.name, v.preview]), [['a', '5']]);
  assert.deepEqual(kernel.asked, [{ summarize: 'a' }]);
  kernel.emit('exit', 1, null);
  assert.equal(s.state, 'dead');
  assert.equal(await s.variables(), undefined, 'a dead kernel has no variables');
});

test('execution counts belong to the kernel process: 1, 2, … and back to 1 after a restart or a replaced kernel', async () => {
  const kernels: FakeKernel[] = [];
  const s = new KernelSession(async () => {
    const k = new FakeKernel();
    kernels.push(k);
    return k;
  });
  const counts: number[] = [];
  const run = (id: string) => s.run(id, 'set a=1', 'typescript', () => undefined, (n) => counts.push(n));
  await run('a');
  await run('b');
  await s.restart();
  await run('c');
  kernels[0].emit('exit', 137, null); // the process dies: the next run starts a new one
  await run('d');
  await run('e');
  assert.deepEqual(counts, [1, 2, 1, 1, 2]);
  assert.equal(kernels.length, 2);
});

test('debug (#17): refused with no kernel; passed to a running kernel; a start without a URL is an error', async () => {
  const calls: string[] = [];
  let url: string | undefined = 'ws://127.0.0.1:9229/x';
  const kernel = Object.assign(new FakeKernel(), {
    async debug(action: 'start' | 'stop', dir?: string) {
      calls.push(`${action} ${dir ?? ''}`.trim());
      return { url: action === 'start' ? url : undefined };
    },
  });
  const s = new KernelSession(async () => kernel);
  await assert.rejects(s.debug('start', '/tmp/d'), /the kernel is not running/);
  await s.ensureStarted();
  assert.deepEqual(await s.debug('start', '/tmp/d'), { url: 'ws://127.0.0.1:9229/x' });
  await s.debug('stop');
  assert.deepEqual(calls, ['start /tmp/d', 'stop']);
  url = undefined;
  await assert.rejects(s.debug('start', '/tmp/d'), /did not say where its inspector listens/);
  const plain = new KernelSession(async () => new FakeKernel());
  await plain.ensureStarted();
  await assert.rejects(plain.debug('start', '/tmp/d'), /cannot be debugged/);
});
