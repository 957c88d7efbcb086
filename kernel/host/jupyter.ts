/**
 * The kernel over the Jupyter protocol: the same runtime (preloads, display, interrupt) behind tslab's ZeroMQ
 * server, which binds the ports of the connection file (127.0.0.1) and signs every message with its HMAC key.
 *
 * Started by the kernelspec `tram jupyter install` writes: `node bin/tram.js kernel --jupyter {connection_file}`.
 * Execution is ours: each request publishes execute_input, then stream / display_data / update_display_data /
 * execute_result / error on iopub in the order the cell produced them, then execute_reply. Interrupts arrive
 * as SIGINT (interrupt_mode "signal").
 */
import type { KernelMessage } from '../protocol';
import type { KernelRuntime } from '../runtime/runtime';
import { killOwnGroupMembers } from './pgroup';
import { CommBridge, COMM_TYPES, type CommMsg } from './jupyterComm';
import { WIDGET_MIME } from '../widgets/protocol';

/** What we use of tslab's message object (its class is not exported). */
interface ZmqMsg {
  header: { msg_type: string; msg_id: string };
  content: Record<string, unknown>;
  createReply(): ZmqMsg;
  signAndSend(key: string, sock: unknown): void;
}

export const LANGUAGE_INFO = {
  name: 'typescript',
  version: '5.0',
  mimetype: 'text/typescript',
  file_extension: '.ts',
  codemirror_mode: { name: 'javascript', typescript: true },
  pygments_lexer: 'typescript',
};

export async function startJupyterKernel(connectionFile: string): Promise<void> {
  // eslint-disable-next-line @typescript-eslint/no-var-requires
  const { ZmqServer } = require('tslab/dist/jupyter') as typeof import('tslab/dist/jupyter');
  // eslint-disable-next-line @typescript-eslint/no-var-requires
  const { KernelRuntime } = require('../runtime/runtime') as typeof import('../runtime/runtime');

  /** cell id -> the execute_request it answers (late outputs of a cell still go to its request). */
  const parents = new Map<string, ZmqMsg>();
  const counts = new Map<string, number>();
  const errors = new Map<string, Extract<KernelMessage, { type: 'error' }>>();
  let server: InstanceType<typeof ZmqServer> & { publish(parent: ZmqMsg, type: string, content: unknown): void };

  // Widgets over comms (./jupyterComm.ts): the parent of kernel-initiated comm messages is the last request.
  let lastRequest: ZmqMsg | undefined;
  let comms: CommBridge;
  const send = (m: KernelMessage) => {
    if (m.type === 'widget_msg') {
      if (server) comms.fromKernel(m, lastRequest as CommMsg | undefined);
      return;
    }
    if (!('cell' in m)) return;
    const parent = parents.get(m.cell);
    if (!parent || !server) return;
    switch (m.type) {
      case 'stream':
        server.publish(parent, 'stream', { name: m.name, text: m.text });
        break;
      case 'display':
        server.publish(parent, m.update ? 'update_display_data' : 'display_data', {
          data: m.data, metadata: m.metadata ?? {}, transient: m.displayId ? { display_id: m.displayId } : {},
        });
        if (m.data[WIDGET_MIME]) comms.shown(parent as CommMsg, m.data);
        break;
      case 'result':
        server.publish(parent, 'execute_result', { execution_count: counts.get(m.cell), data: m.data, metadata: {} });
        if (m.data[WIDGET_MIME]) comms.shown(parent as CommMsg, m.data);
        break;
      case 'error':
        errors.set(m.cell, m);
        server.publish(parent, 'error', { ename: m.ename, evalue: m.evalue, traceback: m.traceback });
        break;
    }
  };
  // The kernel's own log: the real stderr, taken before the runtime starts capturing it for cells.
  const log = process.stderr.write.bind(process.stderr) as (text: string) => boolean;
  const runtime: Promise<KernelRuntime> = KernelRuntime.create({ send });
  comms = new CommBridge({
    publish: (parent, type, content) => server.publish(parent as ZmqMsg, type, content),
    reply: (sock, request, type, content) => {
      const r = request.createReply();
      r.header.msg_type = type;
      r.content = content as Record<string, unknown>;
      r.signAndSend(server.connInfo.key, sock);
    },
    toKernel: (m) => void runtime.then((rt) => rt.widget(m)),
    log: (text) => void log(text),
  });
  runtime.catch((e) => {
    process.stderr.write(`tram kernel failed to start: ${e && e.stack ? e.stack : e}\n`);
    process.exit(1);
  });

  // Jupyter starts kernels in a new session: processes a cell spawned share our group and end with us.
  process.on('exit', () => void killOwnGroupMembers());

  let executionCount = 0;
  const handler = {
    handleKernel: () => ({
      status: 'ok',
      protocol_version: '5.3',
      implementation: 'tram',
      implementation_version: '0.1.0',
      language_info: LANGUAGE_INFO,
      banner: 'TRAM TypeScript: tf, the TRAM optimizers, charts, display and progress are preloaded',
    }),
    handleExecute: async () => ({ status: 'error', execution_count: executionCount }),
    handleIsComplete: (req: { code: string }) => {
      // eslint-disable-next-line @typescript-eslint/no-var-requires
      const { isCompleteCode } = require('tslab/dist/converter') as typeof import('tslab/dist/converter');
      const r = isCompleteCode(req.code);
      return r.completed ? { status: 'complete' as const } : { status: 'incomplete' as const, indent: r.indent ?? '' };
    },
    handleInspect: () => ({ status: 'ok' as const, found: false, data: {}, metadata: {} }),
    handleComplete: (req: { cursor_pos: number }) => ({ status: 'ok' as const, matches: [], cursor_start: req.cursor_pos, cursor_end: req.cursor_pos, metadata: {} }),
    handleShutdown: (req: { restart: boolean }) => ({ restart: !!req.restart }),
    close: () => undefined,
  };

  let Parsed: { fromRaw(key: string, args: unknown[]): ZmqMsg } | undefined;

  class TramServer extends ZmqServer {
    /**
     * A request that fails to parse or whose HMAC signature does not match is dropped (one line on the kernel's
     * stderr, without the expected signature), never answered and never fatal; later requests are served.
     */
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    async handleShellMessage(sock: any, ...args: any[]): Promise<void> {
      try {
        // Comm messages are ours (tslab does not serve them); the parser is the class of a message already seen.
        if (Parsed) {
          const msg = Parsed.fromRaw(this.connInfo.key, args);
          lastRequest = msg;
          if (COMM_TYPES.has(msg.header.msg_type)) {
            this.publishStatus('busy', msg);
            try {
              comms.handle(sock, msg);
            } finally {
              this.publishStatus('idle', msg);
            }
            return;
          }
        }
        await (ZmqServer.prototype as unknown as { handleShellMessage(sock: unknown, ...a: unknown[]): Promise<void> }).handleShellMessage.call(this, sock, ...args);
      } catch (e) {
        const text = String((e as Error)?.message ?? e);
        const why = /invalid hmac/i.test(text) ? 'invalid HMAC signature' : text.slice(0, 200);
        log(`tram kernel: ignored a Jupyter message (${why})\n`);
      }
    }

    /** Called with every parsed request first: keeps the message class to parse comm messages with. */
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    publishStatus(status: string, parent: any): void {
      Parsed ??= parent.constructor as typeof Parsed;
      (ZmqServer.prototype as unknown as { publishStatus(s: string, p: ZmqMsg): void }).publishStatus.call(this, status, parent);
    }

    publish(parent: ZmqMsg, type: string, content: unknown): void {
      const m = parent.createReply();
      m.header.msg_type = type;
      m.content = content as Record<string, unknown>;
      m.signAndSend(this.connInfo.key, this.iopub);
    }

    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    async handleExecute(sock: any, msg: any): Promise<void> {
      const content = msg.content as { code: string; silent?: boolean; store_history?: boolean };
      if (!content.silent && content.store_history !== false) executionCount++;
      const count = executionCount;
      const cell = parents.has(String(count)) ? `${count}.${msg.header.msg_id.slice(0, 8)}` : String(count);
      parents.set(cell, msg);
      counts.set(cell, count);
      this.publish(msg, 'execute_input', { code: content.code, execution_count: count });
      const rt = await runtime;
      const status = await rt.execute(cell, content.code).catch(() => 'error');
      const e = errors.get(cell);
      errors.delete(cell);
      const reply = msg.createReply();
      reply.header.msg_type = 'execute_reply';
      reply.content = status === 'ok'
        ? { status: 'ok', execution_count: count, payload: [], user_expressions: {} }
        : { status: 'error', execution_count: count, ename: e?.ename ?? 'Interrupted', evalue: e?.evalue ?? '', traceback: e?.traceback ?? [] };
      reply.signAndSend(this.connInfo.key, sock);
    }

    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    handleInspect(sock: any, msg: any): void {
      void this.answer(sock, msg, 'inspect_reply', async (rt) => {
        const c = msg.content as { code: string; cursor_pos: number };
        const text = rt.inspect(c.code, c.cursor_pos);
        return { status: 'ok', found: !!text, data: text ? { 'text/plain': text } : {}, metadata: {} };
      });
    }

    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    handleComplete(sock: any, msg: any): void {
      void this.answer(sock, msg, 'complete_reply', async (rt) => {
        const c = msg.content as { code: string; cursor_pos: number };
        const r = rt.complete(c.code, c.cursor_pos);
        return { status: 'ok', matches: r.candidates, cursor_start: r.start, cursor_end: r.end, metadata: {} };
      });
    }

    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    handleShutdown(sock: any, msg: any): void {
      super.handleShutdown(sock, msg);
      setTimeout(() => process.exit(0), 100);
    }

    private async answer(sock: unknown, msg: ZmqMsg, type: string, make: (rt: KernelRuntime) => Promise<unknown>) {
      const reply = msg.createReply();
      reply.header.msg_type = type;
      reply.content = (await make(await runtime)) as Record<string, unknown>;
      reply.signAndSend(this.connInfo.key, sock);
    }
  }

  server = new TramServer(handler as never, connectionFile) as unknown as typeof server;
  await server.init();
}
