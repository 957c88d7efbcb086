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
