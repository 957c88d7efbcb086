/**
 * A minimal Chrome DevTools Protocol client for tests (Node 20 has no WebSocket client): RFC 6455 handshake over
 * `http`, masked text frames out, unmasked (possibly fragmented) text frames in; `send(method, params)` resolves
 * with the result of the reply of the same id; events are emitted by method name.
 */
import { EventEmitter } from 'node:events';
import * as crypto from 'node:crypto';
import * as http from 'node:http';
import type { Socket } from 'node:net';

export class Cdp extends EventEmitter {
  private seq = 0;
  private readonly waiting = new Map<number, { resolve: (v: any) => void; reject: (e: Error) => void }>();
  private buf = Buffer.alloc(0);
  private fragments: Buffer[] = [];

  private constructor(private readonly socket: Socket) {
    super();
    socket.on('data', (d: Buffer) => this.onData(d));
    socket.on('close', () => {
      for (const w of this.waiting.values()) w.reject(new Error('CDP socket closed'));
      this.waiting.clear();
      this.emit('close');
    });
  }

  static connect(wsUrl: string): Promise<Cdp> {
    const u = new URL(wsUrl);
    const key = crypto.randomBytes(16).toString('base64');
    return new Promise((resolve, reject) => {
      const req = http.request({
        host: u.hostname,
        port: u.port,
        path: u.pathname,
        headers: { Connection: 'Upgrade', Upgrade: 'websocket', 'Sec-WebSocket-Version': '13', 'Sec-WebSocket-Key': key },
      });
      req.on('upgrade', (_res, socket, head) => {
        const c = new Cdp(socket);
        if (head.length) c.onData(head);
        resolve(c);
      });
      req.on('response', (res) => reject(new Error(`no WebSocket upgrade: HTTP ${res.statusCode}`)));
      req.on('error', reject);
      req.end();
    });
  }

  send(method: string, params: Record<string, unknown> = {}): Promise<any> {
    const id = ++this.seq;
    const payload = Buffer.from(JSON.stringify({ id, method, params }));
    const mask = crypto.randomBytes(4);
    const len = payload.length;
    const head = len < 126 ? Buffer.from([0x81, 0x80 | len]) : len < 65536 ? Buffer.from([0x81, 0x80 | 126, len >> 8, len & 255]) : (() => {
      const b = Buffer.alloc(10);
      b[0] = 0x81;
      b[1] = 0x80 | 127;
      b.writeBigUInt64BE(BigInt(len), 2);
      return b;
    })();
    const body = Buffer.alloc(len);
    for (let i = 0; i < len; i++) body[i] = payload[i] ^ mask[i & 3];
    this.socket.write(Buffer.concat([head, mask, body]));
    return new Promise((resolve, reject) => this.waiting.set(id, { resolve, reject }));
  }

  /** Resolves with the params of the next event `method` (that satisfies `pred`). */
  next(method: string, pred: (p: any) => boolean = () => true, timeoutMs = 30000): Promise<any> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.off(method, on);
        reject(new Error(`no ${method} within ${timeoutMs} ms`));
      }, timeoutMs);
      const on = (p: any) => {
        if (!pred(p)) return;
        clearTimeout(timer);
        this.off(method, on);
        resolve(p);
      };
      this.on(method, on);
    });
  }

  close(): void {
    this.socket.end(Buffer.from([0x88, 0x80, 0, 0, 0, 0]));
    this.socket.destroy();
  }

  private onData(d: Buffer): void {
    this.buf = Buffer.concat([this.buf, d]);
    for (;;) {
      if (this.buf.length < 2) return;
      const fin = (this.buf[0] & 0x80) !== 0;
      const op = this.buf[0] & 0x0f;
      let len = this.buf[1] & 0x7f;
      let off = 2;
      if (len === 126) {
        if (this.buf.length < 4) return;
        len = this.buf.readUInt16BE(2);
        off = 4;
      } else if (len === 127) {
        if (this.buf.length < 10) return;
        len = Number(this.buf.readBigUInt64BE(2));
        off = 10;
      }
      if (this.buf.length < off + len) return;
      const data = this.buf.subarray(off, off + len);
      this.buf = this.buf.subarray(off + len);
      if (op === 0x8) {
        this.socket.destroy();
        return;
      }
      if (op !== 0x1 && op !== 0x0) continue;
      this.fragments.push(Buffer.from(data));
      if (!fin) continue;
      const msg = JSON.parse(Buffer.concat(this.fragments).toString('utf8'));
      this.fragments = [];
      if (msg.id !== undefined) {
        const w = this.waiting.get(msg.id);
        this.waiting.delete(msg.id);
        if (msg.error) w?.reject(new Error(`${msg.error.message} (${msg.error.code})`));
        else w?.resolve(msg.result);
      } else this.emit(msg.method, msg.params);
    }
  }
}

/** Decodes a source map's `mappings` (independent of the kernel's encoder): per generated line, its segments. */
export function decodeMappings(mappings: string): number[][][] {
  const B64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
  const state = [0, 0, 0, 0];
  return mappings.split(';').map((line) => {
    state[0] = 0;
    if (!line) return [];
    return line.split(',').map((seg) => {
      const vals: number[] = [];
      let shift = 0, acc = 0;
      for (const ch of seg) {
        const d = B64.indexOf(ch);
        acc += (d & 31) << shift;
        if (d & 32) shift += 5;
        else {
          vals.push(acc & 1 ? -(acc >> 1) : acc >> 1);
          acc = 0;
          shift = 0;
        }
      }
      return vals.map((v, i) => (state[i] += v));
    });
  });
}
