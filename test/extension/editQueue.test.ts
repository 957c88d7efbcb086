// The extension's output edit queue (extension/editQueue.ts) under a fake clock and a fake editor that takes a
// set time to apply each edit: latest-wins replaces, the final state always applied, order kept, and the number
// of replaces bounded by the pacing rule (counts worked out by hand from the contract, no real time involved).
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { EditQueue, type PaceClock } from '../../extension/editQueue';

/** Virtual time: sleep() resolves when advance() passes its deadline. */
class FakeClock implements PaceClock {
  t = 0;
  private timers: { at: number; resolve: () => void }[] = [];
  now(): number {
    return this.t;
  }
  sleep(ms: number): Promise<void> {
    return new Promise((resolve) => this.timers.push({ at: this.t + ms, resolve }));
  }
  /** Moves time forward 1 ms at a time, letting promise callbacks run after each timer fires. */
  async advance(ms: number): Promise<void> {
    for (let i = 0; i < ms; i++) {
      this.t++;
      const due = this.timers.filter((x) => x.at <= this.t);
      this.timers = this.timers.filter((x) => x.at > this.t);
      for (const x of due) x.resolve();
      await settle();
    }
  }
}

const settle = () => new Promise<void>((resolve) => setImmediate(resolve));

/** A fake editor: every edit takes `editMs` of virtual time and is logged when applied. */
function editor(clock: FakeClock, editMs: number) {
  const log: string[] = [];
  const apply = (what: string) => clock.sleep(editMs).then(() => void log.push(what));
  return { log, apply };
}

test('a fast kernel and a slow editor: replaces are latest-wins, paced, and the last state is applied', async () => {
  const clock = new FakeClock();
  const ed = editor(clock, 100); // each edit takes 100 ms: gap = max(200, 2 × 100) = 200 ms after it applied
  const q = new EditQueue<string, number>((o, n) => ed.apply(`${o}=${n}`), { clock, minGapMs: 200, busyFactor: 2 });
  q.push('chart', () => ed.apply('create chart'));
  let last = 0;
  for (let i = 1; i <= 1000; i++) {
    // 1000 updates, one every 10 ms: 10 s of training sending 100 updates per second.
    q.replace('chart', i);
    last = i;
    await clock.advance(10);
  }
  const done = q.flushed();
  await clock.advance(1000);
  await done;
  const replaces = ed.log.filter((l) => l.startsWith('chart='));
  assert.equal(ed.log[0], 'create chart', 'the output is created before any replace');
  // A replace cycle is 100 ms applying + 200 ms gap = 300 ms: over 10 s at most 10 000 / 300 + 1 ≈ 34, plus the final.
  assert.ok(replaces.length <= Math.floor(10_000 / 300) + 2, `${replaces.length} replaces for 1000 updates`);
  assert.ok(replaces.length >= Math.floor(10_000 / 300) - 2, `the editor still follows the loop (${replaces.length})`);
  const values = replaces.map((l) => Number(l.split('=')[1]));
  for (let i = 1; i < values.length; i++) assert.ok(values[i] > values[i - 1], `order kept: ${values[i - 1]} then ${values[i]}`);
  assert.equal(values[values.length - 1], last, 'the final state is applied');
});

test('a slower editor gets proportionally fewer replaces (busy at most a third of the time)', async () => {
  const clock = new FakeClock();
  const ed = editor(clock, 500); // gap = max(200, 2 × 500) = 1000 ms: a cycle of 1500 ms
  const q = new EditQueue<string, number>((o, n) => ed.apply(`${o}=${n}`), { clock, minGapMs: 200, busyFactor: 2 });
  for (let i = 1; i <= 600; i++) {
    q.replace('bar', i);
    await clock.advance(10); // 6 s
  }
  const done = q.flushed();
  await clock.advance(3000);
  await done;
  const values = ed.log.map((l) => Number(l.split('=')[1]));
  assert.ok(values.length <= Math.floor(6000 / 1500) + 2, `${values.length} replaces`);
  assert.equal(values[values.length - 1], 600);
});

test('creates and appends are never merged or dropped, and stay in order around replaces', async () => {
  const clock = new FakeClock();
  const ed = editor(clock, 5);
  const q = new EditQueue<string, string>((o, s) => ed.apply(`replace ${o} ${s}`), { clock, minGapMs: 200 });
  q.push('p', () => ed.apply('create p'));
  q.replace('p', 'p1');
  q.push('s', () => ed.apply('create s'));
  q.replace('p', 'p2'); // merges into the queued p1 and keeps its place, before "create s"
  q.push('s', () => ed.apply('append s 1'));
  q.push('s', () => ed.apply('append s 2'));
  q.replace('p', 'p3'); // still queued (nothing has been applied yet): merges too
  q.push('p', () => ed.apply('append p x')); // an edit of p: a later replace of p must follow it
  q.replace('p', 'p4'); // so this one is queued anew, after it
  const done = q.flushed();
  await clock.advance(2000);
  await done;
  assert.deepEqual(ed.log, ['create p', 'replace p p3', 'create s', 'append s 1', 'append s 2', 'append p x', 'replace p p4']);
});

test('an edit the editor refuses does not stop the ones after it; flushed() on an idle queue resolves', async () => {
  const clock = new FakeClock();
  const ed = editor(clock, 1);
  const q = new EditQueue<string, string>((o, s) => ed.apply(`replace ${o} ${s}`), { clock });
  await q.flushed();
  q.push('a', () => Promise.reject(new Error('cell deleted')));
  q.push('b', () => ed.apply('create b'));
  q.replace('b', 'b1');
  const done = q.flushed();
  await clock.advance(500);
  await done;
  assert.deepEqual(ed.log, ['create b', 'replace b b1']);
});
