/**
 * Widgets in a real kernel process over IPC (KernelClient.widget): a cell shows a slider and an output area, a
 * widget message from the host runs the callback like a cell (its prints land in the widget, its error in the
 * widget's view, `signal` is its own), the output's new view comes back; bad messages are answered, not fatal;
 * a restarted kernel answers the old widget ids as unknown (the output is then detached); interrupt stops a
 * callback that awaits.
 */
import { after, before, describe, it } from 'node:test';
import * as assert from 'node:assert/strict';
import { KernelClient } from '../../kernel/host/client';
import type { KernelMessage } from '../../kernel/protocol';
import { WIDGET_MIME, type WidgetKernelMessage, type WidgetView } from '../../kernel/widgets/protocol';
import { tempDir } from '../kernel/helpers';

let k: KernelClient;
const widgetMsgs: WidgetKernelMessage[] = [];

before(async () => {
  k = await KernelClient.start({ cwd: tempDir('tram-widgets-') });
  k.on('message', (m: KernelMessage) => {
    if (m.type === 'widget_msg') widgetMsgs.push(m);
  });
});
after(async () => {
  await k.shutdown();
});

async function run(cell: string, code: string): Promise<KernelMessage[]> {
  const msgs: KernelMessage[] = [];
  const r = await k.execute(cell, code, (m) => msgs.push(m));
  const err = msgs.find((m) => m.type === 'error') as { evalue?: string } | undefined;
  assert.equal(r.status, 'ok', err?.evalue);
  return msgs;
}

/** Waits for a widget message about `id` matching `pred`. */
async function waitFor(id: string, pred: (m: WidgetKernelMessage) => boolean, ms = 20_000): Promise<WidgetKernelMessage> {
  const t0 = Date.now();
  for (;;) {
    const hit = widgetMsgs.find((m) => m.widget === id && pred(m));
    if (hit) return hit;
    if (Date.now() - t0 > ms) throw new Error(`no matching widget message for ${id} in ${ms} ms: ${JSON.stringify(widgetMsgs.slice(-5))}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('widgets in the kernel process', { timeout: 120_000 }, () => {
  let ids: { s: string; out: string; panel: string; fail: string; slow: string };

  it('a cell shows a box of widgets as one output of the widget MIME type, with a text fallback', async () => {
    const msgs = await run('1', [
      "const s = slider({ label: 'ρ', min: 0, max: 1, step: 0.1, value: 0.2 });",
      'const out = output();',
      "s.onChange((v) => { console.log('moved to', v); out.text(`ρ is ${v}, signal ${signal.aborted}`); });",
      "const fail = button('fail').onClick(() => { throw new Error('no such layer'); });",
      "const slow = button('slow').onClick(async () => { for (;;) await new Promise((r) => setTimeout(r, 20)); });",
      'const panel = box([s, out, fail, slow]);',
      'display(panel);',
      'console.log(JSON.stringify({ s: s.id, out: out.id, panel: panel.id, fail: fail.id, slow: slow.id }));',
    ].join('\n'));
    const shown = msgs.find((m) => m.type === 'display') as { data: Record<string, unknown> } | undefined;
    assert.ok(shown, 'a display');
    const view = shown.data[WIDGET_MIME] as WidgetView;
    assert.equal(view.kind, 'box');
    assert.deepEqual(view.children!.map((c) => c.kind), ['slider', 'output', 'button', 'button']);
    assert.equal(view.kernel, k.info.pid);
    assert.match(String(shown.data['text/plain']), /ρ = 0\.2 \(0 … 1\)/);
    const stdout = msgs.filter((m) => m.type === 'stream').map((m) => (m as { text: string }).text).join('');
    ids = JSON.parse(stdout.trim().split('\n').pop()!);
  });

  it("moving the slider runs its callback in the kernel: the output's new view comes back, the print goes to the slider's log", async () => {
    assert.ok(k.widget({ type: 'widget_msg', widget: ids.s, action: 'set', value: 0.7 }));
    const outView = await waitFor(ids.out, (m) => m.view?.bundle?.['text/plain'] === 'ρ is 0.7, signal false');
    assert.ok(outView.view!.version > 0);
    const sView = await waitFor(ids.s, (m) => !!m.view && m.view.busy !== true && m.view.log === 'moved to 0.7\n');
    assert.equal(sView.view!.value, 0.7);
  });

  it("a callback's error is shown in its widget; a bad value and a malformed message are answered; the kernel lives on", async () => {
    k.widget({ type: 'widget_msg', widget: ids.fail, action: 'click' });
    const failed = await waitFor(ids.fail, (m) => !!m.view?.error);
    assert.equal(failed.view!.error, 'no such layer');
    k.widget({ type: 'widget_msg', widget: ids.s, action: 'set', value: 7 });
    const refused = await waitFor(ids.s, (m) => m.code === 'bad-value');
    assert.match(refused.error!, /value 7 is outside \[0, 1\]/);
    k.widget({ type: 'widget_msg', widget: ids.s, action: 'explode' } as never);
    await waitFor(ids.s, (m) => m.code === 'bad-message');
    const again = await run('2', 's.value');
    assert.equal((again.find((m) => m.type === 'result') as { data: Record<string, string> }).data['text/plain'], '0.7');
  });

  it('interrupt stops a callback that awaits (a cell queued behind it lets the host signal the kernel)', async () => {
    k.widget({ type: 'widget_msg', widget: ids.slow, action: 'click' });
    await waitFor(ids.slow, (m) => m.view?.busy === true);
    // The pending cell makes the client signal the kernel; the callback is what runs. (The client repeats the
    // signal while that cell is pending, so the cell itself may be interrupted too: its status is not checked.)
    const cell = k.execute('3', '1 + 1', () => undefined);
    await new Promise((r) => setTimeout(r, 300));
    k.interrupt();
    await cell;
    const stopped = await waitFor(ids.slow, (m) => !!m.view && m.view.busy !== true && !!m.view.error);
    assert.match(stopped.view!.error!, /interrupt/i);
  });

  it('after a restart the old widget ids are unknown: the output is detached', async () => {
    const oldPid = k.info.pid;
    await k.restart();
    assert.notEqual(k.info.pid, oldPid);
    k.widget({ type: 'widget_msg', widget: ids.s, action: 'set', value: 0.5 });
    const m = await waitFor(ids.s, (x) => x.code === 'unknown-widget');
    assert.match(m.error!, /run the cell again/);
  });
});
