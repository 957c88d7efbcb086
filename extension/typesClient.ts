/**
 * Talks to the types process (kernel/runtime/typesServer.js): one per notebook folder, started on first use with
 * the same Node and environment as a kernel, restarted on the next request if it exits. Requests are answered in
 * order; a request made while an older one of the same kind and cell waits replaces it (the old one resolves
 * `undefined`), so fast typing never builds a queue. No VS Code import (unit-testable).
 */
import { ChildProcess, spawn } from 'node:child_process';
import type { CellText } from '../kernel/runtime/cellTypes';
import type { TypesMethod, TypesReply } from '../kernel/runtime/typesServer';
import { kernelEnv } from '../kernel/host/env';

export interface TypesClientOptions {
  serverMain: string;
  cwd: string;
  nodePath?: string;
  env?: Record<string, string>;
  log?: (s: string) => void;
  /** Node options for the types process (default none). */
  execArgv?: string[];
  /** Called when a started process has warmed up (its `{ ready: true }`). */
  onReady?: () => void;
}

interface Pending {
  resolve(v: unknown): void;
  reject(e: Error): void;
  key: string;
}

export class TypesClient {
  private proc: ChildProcess | undefined;
  private seq = 0;
  private readonly pending = new Map<number, Pending>();
  private readonly latest = new Map<string, number>();

  constructor(private readonly o: TypesClientOptions) {}

  private start(): ChildProcess {
    if (this.proc && this.proc.exitCode === null && this.proc.connected) return this.proc;
    const proc = spawn(this.o.nodePath ?? process.execPath, [...(this.o.execArgv ?? []), this.o.serverMain], {
      cwd: this.o.cwd,
      env: kernelEnv(process.env, this.o.env ?? {}),
      stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
    });
    proc.stderr?.on('data', (c: Buffer) => this.o.log?.(c.toString('utf8')));
    proc.stdout?.on('data', (c: Buffer) => this.o.log?.(c.toString('utf8')));
    proc.on('message', (m: TypesReply) => {
      if (!('id' in m)) {
        if ('ready' in m) this.o.onReady?.();
        return;
      }
      const p = this.pending.get(m.id);
      if (!p) return;
      this.pending.delete(m.id);
      if ('error' in m) p.reject(new Error(m.error));
      else p.resolve(this.latest.get(p.key) === m.id ? m.result : undefined);
    });
    proc.on('exit', (code, signal) => {
      if (this.proc === proc) this.proc = undefined;
      for (const p of this.pending.values()) p.reject(new Error(`the types process exited (${signal ?? code})`));
      this.pending.clear();
    });
    this.proc = proc;
    return proc;
  }

  /** `undefined` when a newer request of the same method for the same cell superseded this one. */
  request<T>(method: TypesMethod, cells: CellText[], index: number, offset?: number, trigger?: string): Promise<T | undefined> {
    const proc = this.start();
    const id = ++this.seq;
    const key = `${method}:${index}`;
    this.latest.set(key, id);
    return new Promise<T | undefined>((resolve, reject) => {
      this.pending.set(id, { resolve: resolve as (v: unknown) => void, reject, key });
      proc.send({ id, method, cells, index, offset, trigger });
    });
  }

  get pid(): number | undefined {
    return this.proc?.pid;
  }

  dispose(): void {
    this.proc?.kill();
    this.proc = undefined;
  }
}
