/**
 * The widget registry and its messages (kernel/widgets/registry.ts, protocol.ts): every host message is answered,
 * never thrown; values are checked against the control; callbacks see the new value, their errors and prints land
 * in the widget's view; views are coalesced per widget.
 */
import { afterEach, beforeEach, describe, it } from 'node:test';
import * as assert from 'node:assert/strict';
import {
  box, button, checkWidgetMessage, widgetCount, flushWidgets, handleWidgetMessage, output, select, setWidgetHost, slider, toggle,
  WIDGET_MIME, type WidgetKernelMessage, type WidgetView,
} from '../../kernel/widgets';
import { widgetOutput } from '../../kernel/widgets/registry';

let sent: WidgetKernelMessage[] = [];
let runs: string[] = [];

beforeEach(() => {
  sent = [];
  runs = [];
  setWidgetHost({
    send: (m) => sent.push(JSON.parse(JSON.stringify(m))),
    run: async (id, fn) => {
      runs.push(id);
      await fn();
    },
  });
});
afterEach(() => {
  flushWidgets();
  setWidgetHost(undefined);
});

const last = (id: string): WidgetKernelMessage | undefined => [...sent].reverse().find((m) => m.widget === id);
const views = (id: string): WidgetView[] => sent.filter((m) => m.widget === id && m.view).map((m) => m.view!);

describe('widget messages', () => {
  it('checkWidgetMessage names what is wrong and the expected shape', () => {
    assert.equal(checkWidgetMessage({ type: 'widget_msg', widget: 'a', action: 'click' }), undefined);
    assert.equal(checkWidgetMessage({ type: 'widget_msg', widget: 'a', action: 'set', value: 1 }), undefined);
    assert.match(checkWidgetMessage(null)!, /must be an object/);
    assert.match(checkWidgetMessage([])!, /must be an object/);
    assert.match(checkWidgetMessage({ type: 'execute', widget: 'a', action: 'click' })!, /not a widget message/);
    assert.match(checkWidgetMessage({ type: 'widget_msg', widget: 3, action: 'click' })!, /widget must be a non-empty string/);
    assert.match(checkWidgetMessage({ type: 'widget_msg', widget: 'a', action: 'drag' })!, /unknown widget action "drag"/);
    assert.match(checkWidgetMessage({ type: 'widget_msg', widget: 'a', action: 'set' })!, /'set' needs a value/);
  });

  it('a malformed message or an unknown id is answered with an error, never thrown', async () => {
    await handleWidgetMessage({ nonsense: true });
    assert.equal(sent.length, 1);
    assert.equal(sent[0].code, 'bad-message');
    await handleWidgetMessage({ type: 'widget_msg', widget: 'w-from-another-kernel', action: 'click' });
    const m = last('w-from-another-kernel')!;
    assert.equal(m.code, 'unknown-widget');
    assert.match(m.error!, /unknown widget 'w-from-another-kernel'.*run the cell again/);
    assert.equal(m.view, undefined);
  });

  it('a slider snaps to its step, refuses values outside [min, max] or not numbers, and keeps its value', async () => {
    const s = slider({ label: 'ρ', min: 0, max: 1, step: 0.25, value: 0.5 });
    const seen: number[] = [];
    s.onChange((v) => seen.push(v));
    await handleWidgetMessage({ type: 'widget_msg', widget: s.id, action: 'set', value: 0.6 });
    assert.equal(s.value, 0.5, '0.6 snaps to the nearest multiple of 0.25 above min');
    await handleWidgetMessage({ type: 'widget_msg', widget: s.id, action: 'set', value: 0.9 });
    assert.equal(s.value, 1);
    assert.deepEqual(seen, [0.5, 1]);
    for (const bad of [1.5, -0.1, 'x', null, Number.NaN]) {
      sent = [];
      await handleWidgetMessage({ type: 'widget_msg', widget: s.id, action: 'set', value: bad });
      const m = last(s.id)!;
      assert.equal(m.code, 'bad-value', `value ${String(bad)}`);
      assert.match(m.error!, /slider 'ρ'/);
      assert.equal(m.view?.value, 1, 'the refused message carries the unchanged view');
    }
    await handleWidgetMessage({ type: 'widget_msg', widget: s.id, action: 'click' });
    assert.match(last(s.id)!.error!, /a slider is moved/);
    assert.deepEqual(seen, [0.5, 1], 'no callback ran for a refused value');
    const before = widgetCount();
    assert.throws(() => slider({ min: 1, max: 0 }), /max \(0\) must be greater than min \(1\)/);
    assert.throws(() => box([{} as never]), /box needs an array of widgets/);
    assert.equal(widgetCount(), before, 'a widget that could not be made is not registered');
  });

  it('select takes one of its options, toggle a boolean, button a click', async () => {
    const sel = select({ label: 'target', options: ['x', 'theta0'] });
    const tog = toggle({ label: 'log' });
    const btn = button('go');
    const got: unknown[] = [];
    sel.onChange((v) => got.push(v));
    tog.onChange((v) => got.push(v));
    btn.onClick(() => got.push('clicked'));
    await handleWidgetMessage({ type: 'widget_msg', widget: sel.id, action: 'set', value: 'theta0' });
    await handleWidgetMessage({ type: 'widget_msg', widget: sel.id, action: 'set', value: 'ema' });
    assert.match(last(sel.id)!.error!, /"ema" is not one of "x", "theta0"/);
    await handleWidgetMessage({ type: 'widget_msg', widget: tog.id, action: 'set', value: true });
    await handleWidgetMessage({ type: 'widget_msg', widget: tog.id, action: 'set', value: 'yes' });
    assert.equal(last(tog.id)!.code, 'bad-value');
    await handleWidgetMessage({ type: 'widget_msg', widget: btn.id, action: 'click' });
    assert.deepEqual(got, ['theta0', true, 'clicked']);
    assert.equal(sel.value, 'theta0');
    assert.equal(tog.value, true);
    assert.deepEqual(runs, [sel.id, tog.id, btn.id], 'each callback ran through the host, under its widget id');
  });

  it("a callback's error is shown in the widget and cleared by the next good run; prints go to its log", async () => {
    const b = button('fail once');
    let n = 0;
    b.onClick(() => {
      n++;
      if (n === 1) throw new RangeError('bad learning rate');
      widgetOutput(b.id, 'ok now\n');
    });
    await handleWidgetMessage({ type: 'widget_msg', widget: b.id, action: 'click' });
    const failed = views(b.id).at(-1)!;
    assert.equal(failed.error, 'RangeError: bad learning rate');
    assert.equal(failed.busy, undefined);
    assert.ok(views(b.id).some((v) => v.busy === true), 'busy while the callback ran');
    await handleWidgetMessage({ type: 'widget_msg', widget: b.id, action: 'click' });
    const fine = views(b.id).at(-1)!;
    assert.equal(fine.error, undefined);
    assert.equal(fine.log, 'ok now\n');
  });

  it('an output area updated by a callback sends its new view; updates are coalesced per widget', async () => {
    const out = output('before');
    const b = button('draw');
    b.onClick(() => {
      for (let i = 1; i <= 5; i++) out.text(`update ${i}`);
    });
    await handleWidgetMessage({ type: 'widget_msg', widget: b.id, action: 'click' });
    const outViews = views(out.id);
    assert.equal(outViews.length, 1, `five updates inside one callback arrive as one view, got ${outViews.length}`);
    assert.deepEqual(outViews[0].bundle, { 'text/plain': 'update 5' });
    assert.ok(outViews[0].version >= 5);
  });

  it('sync answers the current view; a box holds its children; the bundle has a text fallback', async () => {
    const s = slider({ label: 'σ', min: 0, max: 1, value: 0.1 });
    const out = output({ 'text/html': '<b>hi</b>', 'image/png': 'iVBORw0KGgo=', 'text/plain': 'hi' });
    const panel = box([s, out], { label: 'panel' });
    await handleWidgetMessage({ type: 'widget_msg', widget: panel.id, action: 'sync' });
    const v = last(panel.id)!.view!;
    assert.equal(v.kind, 'box');
    assert.deepEqual(v.children!.map((c) => c.kind), ['slider', 'output']);
    assert.equal(v.children![0].value, 0.1);
    assert.equal(v.kernel, process.pid);
    const bundle = panel.toMimeBundle();
    assert.deepEqual(Object.keys(bundle), [WIDGET_MIME, 'image/png', 'text/plain']);
    assert.equal(bundle['image/png'], 'iVBORw0KGgo=', "the box's PNG fallback is its first child's PNG");
    assert.equal(bundle['text/plain'], 'panel\nσ = 0.1 (0 … 1)\nhi');
    // JSON all the way (it travels in the notebook file)
    assert.deepEqual(JSON.parse(JSON.stringify(bundle[WIDGET_MIME])), bundle[WIDGET_MIME]);
  });

  it('a disabled or closed widget refuses input', async () => {
    const b = button('x');
    let clicks = 0;
    b.onClick(() => clicks++);
    b.disabled = true;
    await handleWidgetMessage({ type: 'widget_msg', widget: b.id, action: 'click' });
    assert.match(last(b.id)!.error!, /disabled/);
    b.disabled = false;
    b.close();
    await handleWidgetMessage({ type: 'widget_msg', widget: b.id, action: 'click' });
    assert.equal(last(b.id)!.code, 'unknown-widget');
    assert.equal(clicks, 0);
  });
});
