/**
 * Regressions found by the fault suite: errors thrown by work a cell left running (a timer callback, an unhandled
 * promise rejection) are reported on a cell and the kernel keeps running with its state.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { KernelClient } from '../../kernel/host/client';
import { collector, tempDir } from './helpers';

let k: KernelClient;
let exited = false;
before(async () => {
  // wasm asked for: one test re-initialises the wasm backend (auto would pick native TensorFlow where it is built)
  k = await KernelClient.start({ cwd: tempDir(), backend: 'wasm' });
  k.on('exit', () => (exited = true));
  assert.equal((await k.execute('setup', 'const kept = 42;', () => undefined)).status, 'ok');
});
after(async () => {
  await k.shutdown();
});

async function stateKept(): Promise<void> {
  const c = collector();
  const r = await k.execute(`check-${Date.now()}`, 'kept', c.on);
  assert.equal(exited, false, 'the kernel process exited');
  assert.equal(r.status, 'ok');
  assert.equal(c.result(), '42');
}

test('an exception thrown in a timer callback is shown on the cell that set the timer; the kernel lives', async () => {
  const pid = k.info.pid;
  const c = collector();
  const r = await k.execute('timer', "setTimeout(() => { throw new Error('boom in timer'); }, 20);\nawait new Promise((r) => setTimeout(r, 300));\n'done'", c.on);
  assert.equal(r.status, 'ok');
  assert.match(c.text('stderr'), /Uncaught Error: boom in timer/);
  assert.match(c.text('stderr'), /cell timer:1:/, 'the stack is mapped to the cell line');
  assert.ok(c.messages.filter((m) => m.type === 'stream').every((m) => (m as { cell?: string }).cell === 'timer'));
  await stateKept();
  assert.equal(k.info.pid, pid);
});

test('an unhandled promise rejection is shown on its cell; the kernel lives', async () => {
  const c = collector();
  const r = await k.execute('reject', "Promise.reject(new Error('rejected on purpose'));\nawait new Promise((r) => setTimeout(r, 300));\n'done'", c.on);
  assert.equal(r.status, 'ok');
  assert.match(c.text('stderr'), /Uncaught Error: rejected on purpose/);
  await stateKept();
});

test('a timer that throws after its cell finished is reported on the next cell', async () => {
  const a = collector();
  assert.equal((await k.execute('early', "setTimeout(() => { throw new Error('late failure'); }, 50);\n1", a.on)).status, 'ok');
  await new Promise((r) => setTimeout(r, 300));
  const b = collector();
  const r = await k.execute('next', 'kept + 1', b.on);
  assert.equal(r.status, 'ok');
  assert.equal(b.result(), '43');
  assert.match(b.text('stderr'), /late failure/);
  assert.match(b.text('stderr'), /from cell early/);
  await stateKept();
});

test('a rejection after the wasm backend is re-initialised by a cell still does not end the kernel', async () => {
  const c = collector();
  await k.execute('backend', "await tf.setBackend('cpu');\nawait tf.setBackend('wasm');\nPromise.reject(new Error('after backend switch'));\nawait new Promise((r) => setTimeout(r, 200));", c.on);
  assert.match(c.text('stderr'), /after backend switch/);
  await stateKept();
});

test('stream output is capped per cell with one truncation notice, and the next cell answers', async () => {
  const c = collector();
  let bytes = 0;
  const r = await k.execute(
    'flood',
    "const line = 'y'.repeat(1023) + '\\n';\nfor (let i = 0; i < 20 * 1024; i++) process.stdout.write(line);\n'printed'",
    (m) => {
      if (m.type === 'stream') bytes += Buffer.byteLength(m.text);
      c.on(m);
    },
  );
  assert.equal(r.status, 'ok');
  assert.equal(c.result(), "'printed'");
  const notice = c.text('stderr');
  assert.ok(bytes < 1.1 * 1024 * 1024, `${bytes} bytes reached the host`);
  assert.equal(Buffer.byteLength(c.text('stdout')), 1024 * 1024, 'the first 1 MB is kept');
  assert.equal(notice.match(/output truncated/g)?.length, 1, notice);
  assert.match(notice, /19\.0 MB more were printed/);
  assert.match(notice, /write large data to a file/);
  await stateKept();
  const next = collector();
  await k.execute('small', "console.log('small output')", next.on);
  assert.equal(next.text('stdout'), 'small output\n', 'the cap starts over for each cell');
  assert.doesNotMatch(next.text('stderr'), /truncated/);
});
