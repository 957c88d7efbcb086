/**
 * The kernel process started by `KernelClient` (IPC channel, no network port):
 *   node out/kernel/runtime/main.js [--backend NAME]
 * cwd is the notebook's folder. Reads HostMessage objects, answers with KernelMessage objects.
 */
import type { HostMessage, KernelMessage } from '../protocol';
import { DRAIN_MS } from './debug';
import { KernelRuntime } from './runtime';
import { watchParent } from './watchdog';

function argValue(args: string[], name: string): string | undefined {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
}

export async function startIpcKernel(args: string[]): Promise<void> {
  if (!process.send) {
    process.stderr.write('tram kernel: start it with an IPC channel (KernelClient.start does this); it is not an interactive command.\n');
    process.exit(2);
  }
  const send = (m: KernelMessage) => {
    if (process.connected) process.send!(m);
  };
  const rt = await KernelRuntime.create({ backend: argValue(args, '--backend') ?? process.env.TRAM_BACKEND, send });
  process.on('disconnect', () => process.exit(0)); // the host is gone
  watchParent(); // ... and if it dies while a cell keeps this thread busy, a worker thread ends the process
  process.on('message', (m: HostMessage) => {
    switch (m.type) {
      case 'execute':
        void rt.execute(m.cell, m.code, m.language);
        break;
      case 'interrupt':
        rt.interrupt();
        break;
      case 'info':
        send({ type: 'status', info: rt.info });
        break;
      case 'complete': {
        const r = rt.complete(m.code, m.position);
        send({ type: 'completeReply', request: m.request, matches: r.candidates, start: r.start, end: r.end });
        break;
      }
      case 'inspect': {
        const text = rt.inspect(m.code, m.position);
        send({ type: 'inspectReply', request: m.request, found: !!text, text: text ?? '' });
        break;
      }
      case 'variables':
        send({ type: 'variablesReply', request: m.request, ...rt.variables(m.summarize, m.maxValues) });
        break;
      case 'widget_msg':
        void rt.widget(m);
        break;
      case 'debug':
        void (async () => {
          try {
            if (m.action === 'start') {
              const { url, port } = rt.debugger.start(m.sourceDir ?? '');
              send({ type: 'debugReply', request: m.request, url, port });
            } else {
              if (await rt.debugger.stop()) {
                // Closing under a live connection is what crashed Node (debug.ts); say so where the kernel logs.
                process.stderr.write(`tram kernel: a debugger was still connected ${DRAIN_MS / 1000} s after debug stop; the inspector was closed anyway\n`);
              }
              send({ type: 'debugReply', request: m.request });
            }
          } catch (e) {
            send({ type: 'debugReply', request: m.request, error: e instanceof Error ? e.message : String(e) });
          }
        })();
        break;
      case 'shutdown':
        process.exit(0);
    }
  });
  send({ type: 'ready', info: rt.info });
}

if (require.main === module) {
  startIpcKernel(process.argv.slice(2)).catch((e) => {
    process.stderr.write(`tram kernel failed to start: ${e && e.stack ? e.stack : e}\n`);
    process.exit(1);
  });
}
