/** Shared helpers for kernel tests: a temp notebook folder and a collector of a cell's messages. */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { KernelMessage } from '../../kernel/protocol';

export const repoRoot = path.resolve(__dirname, '..', '..', '..');

export function tempDir(prefix = 'tram-kernel-test-'): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), prefix));
}

export function collector() {
  const messages: KernelMessage[] = [];
  return {
    messages,
    on: (m: KernelMessage) => void messages.push(m),
    text(name: 'stdout' | 'stderr' = 'stdout'): string {
      return messages.filter((m) => m.type === 'stream' && m.name === name).map((m) => (m as { text: string }).text).join('');
    },
    result(): string | undefined {
      const r = messages.find((m) => m.type === 'result') as { data: Record<string, unknown> } | undefined;
      return r ? String(r.data['text/plain']) : undefined;
    },
    error() {
      return messages.find((m) => m.type === 'error') as Extract<KernelMessage, { type: 'error' }> | undefined;
    },
  };
}

/** Whether a process exists (signal 0). */
export function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Waits up to `ms` for a process to end; true when it has. */
export async function gone(pid: number, ms = 3000): Promise<boolean> {
  const t0 = Date.now();
  while (Date.now() - t0 < ms) {
    if (!alive(pid)) return true;
    await new Promise((r) => setTimeout(r, 50));
  }
  return !alive(pid);
}
