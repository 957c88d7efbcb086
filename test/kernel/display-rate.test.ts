// Display updates leaving the kernel (kernel/runtime/display.ts), counted with node:test's fake timers: at most
// one message per display per UPDATE_MS, latest wins, order kept, and flushDisplays() always sends the last state.
// Expected counts are worked out from the contract by hand, not read from the code.
import { test, mock } from 'node:test';
import * as assert from 'node:assert/strict';
import { display, flushDisplays, setDisplaySink, UPDATE_MS } from '../../kernel/runtime/display';

type Sent = { id: string; text: string; update: boolean };

function recorder(): Sent[] {
  const sent: Sent[] = [];
  setDisplaySink((data, id, update) => sent.push({ id, text: String(data['text/plain']), update }));
  return sent;
}

test('a display updated every 10 ms for 10 s sends at most one message per 200 ms, and its last state', () => {
  mock.timers.enable({ apis: ['setTimeout'] });
  try {
    assert.equal(UPDATE_MS, 200);
    const sent = recorder();
    const h = display.handle();
    h.text('0'); // shown at once
    let last = 0;
    for (let t = 10; t <= 10_000; t += 10) {
      last = t / 10;
      h.text(String(last));
      mock.timers.tick(10);
    }
    flushDisplays();
    const mine = sent.filter((s) => s.id === h.id);
    // 1000 updates over 10 000 ms: the first show, at most one per 200 ms window (50), and the final flush.
    assert.ok(mine.length <= 1 + 10_000 / 200 + 1, `${mine.length} messages`);
    // and at least one per 210 ms (a window plus one loop step) while it runs.
    assert.ok(mine.length >= Math.floor(10_000 / 210), `updates still flow while the loop runs (${mine.length})`);
    assert.deepEqual(mine.map((s) => s.update), [false, ...Array(mine.length - 1).fill(true)]);
    const values = mine.map((s) => Number(s.text));
    for (let i = 1; i < values.length; i++) assert.ok(values[i] > values[i - 1], `order kept: ${values[i - 1]} then ${values[i]}`);
    assert.equal(values[values.length - 1], last, 'the final state is delivered');
  } finally {
    mock.timers.reset();
    setDisplaySink(() => undefined);
  }
});

test('two displays: each bounded, pending ones flushed in the order they were first updated, nothing after the flush', () => {
  mock.timers.enable({ apis: ['setTimeout'] });
  try {
    const sent = recorder();
    const a = display.handle();
    const b = display.handle();
    a.text('a0');
    b.text('b0');
    b.text('b1'); // b pending first
    a.text('a1');
    a.text('a2'); // a pending second; a2 replaces a1
    b.text('b2'); // b2 replaces b1, b keeps its place
    flushDisplays();
    assert.deepEqual(sent.map((s) => s.text), ['a0', 'b0', 'b2', 'a2']);
    mock.timers.tick(1_000);
    assert.equal(sent.length, 4, 'a flush leaves nothing pending to be sent again');
  } finally {
    mock.timers.reset();
    setDisplaySink(() => undefined);
  }
});
