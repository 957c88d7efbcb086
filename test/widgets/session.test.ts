/**
 * Widget messages through the extension's KernelSession (extension/kernelSession.ts) with a fake client: sent
 * only to a running kernel (never starting one), the kernel's widget messages reach the listeners, and
 * `kernelPid` (what the widget bridge compares an output's pid with) is undefined while no kernel runs.
 */
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import type { KernelInfo } from '../../kernel/protocol';
import type { WidgetHostMessage, WidgetKernelMessage } from '../../kernel/widgets/protocol';
import { KernelSession, type ClientLike, type ExecuteOutcome } from '../../extension/kernelSession';

class FakeKernel extends EventEmitter implements ClientLike {
  info: KernelInfo = { backend: 'wasm', backendDetail: 'wasm', gpu: false, tfjsVersion: '4.22.0', nodeVersion: '20', pid: 100 };
  sent: WidgetHostMessage[] = [];
  async execute(): Promise<ExecuteOutcome> {
    return { status: 'ok', durationMs: 1 };
  }
  interrupt(): void {}
  async restart(): Promise<void> {
    this.info = { ...this.info, pid: this.info.pid + 1 };
  }
  shutdown(): void {}
  widget(m: WidgetHostMessage): boolean {
    this.sent.push(m);
    return true;
  }
}

test('widget messages go to a running kernel only, and its answers reach the listeners', async () => {
  const kernel = new FakeKernel();
  let starts = 0;
  const s = new KernelSession(async () => (starts++, kernel));
  const msg: WidgetHostMessage = { type: 'widget_msg', widget: 'w1', action: 'click' };
  assert.equal(s.widget(msg), false, 'no kernel yet: nothing sent');
  assert.equal(s.kernelPid, undefined);
  assert.equal(starts, 0, 'a widget message never starts a kernel');
  const got: WidgetKernelMessage[] = [];
  s.onWidgetMessage((m) => got.push(m));
  await s.run('1', 'x', 'typescript', () => undefined);
  assert.equal(s.kernelPid, 100);
  assert.equal(s.widget(msg), true);
  assert.deepEqual(kernel.sent, [msg]);
  kernel.emit('message', { type: 'widget_msg', widget: 'w1', view: { id: 'w1', kind: 'button', kernel: 100, version: 1 } });
  kernel.emit('message', { type: 'stream', cell: '1', name: 'stdout', text: 'not a widget message' });
  assert.deepEqual(got.map((m) => m.widget), ['w1']);
  await s.restart();
  assert.equal(s.kernelPid, 101, 'a restarted kernel has a new pid: outputs of pid 100 are detached');
  await s.shutdown();
  assert.equal(s.widget(msg), false);
  assert.equal(s.kernelPid, undefined);
});
