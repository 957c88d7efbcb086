/**
 * What a training loop with a LiveChart and a progress bar sends to its host: the soak's training cell
 * (./soak.ts) run through KernelClient (the IPC the extension uses) for S seconds, display messages tallied
 * per output: count, per second, mean and largest size (JSON as sent), and the largest item of each MIME type.
 *   node out/test/faults/displayTraffic.js [S=20]
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { KernelClient } from '../../kernel/host/client';
import { trainingCell } from './soak';

async function main(): Promise<void> {
  const secs = Number(process.argv[2] ?? 20);
  if (!(secs > 0)) throw new Error(`usage: node out/test/faults/displayTraffic.js [SECONDS > 0] (got ${process.argv[2]})`);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tram-traffic-'));
  const k = await KernelClient.start({ cwd: dir });
  type Tally = { n: number; bytes: number; max: number; first: number; last: number; mimes: Record<string, number> };
  const per = new Map<string, Tally>();
  try {
    const r = await k.execute('1', trainingCell(secs / 60, path.join(dir, 'samples.jsonl')), (m) => {
      if (m.type !== 'display') return;
      const now = Date.now();
      const key = 'image/png' in m.data ? 'chart' : 'progress';
      const t = per.get(key) ?? { n: 0, bytes: 0, max: 0, first: now, last: now, mimes: {} };
      const size = Buffer.byteLength(JSON.stringify(m));
      t.n++;
      t.bytes += size;
      t.max = Math.max(t.max, size);
      t.last = now;
      for (const [mime, v] of Object.entries(m.data)) t.mimes[mime] = Math.max(t.mimes[mime] ?? 0, Buffer.byteLength(typeof v === 'string' ? v : JSON.stringify(v)));
      per.set(key, t);
    });
    console.log(`cell ${r.status} in ${(r.durationMs / 1000).toFixed(1)} s`);
  } finally {
    await k.shutdown();
    fs.rmSync(dir, { recursive: true, force: true });
  }
  const kb = (b: number) => (b / 1024).toFixed(1);
  for (const [key, t] of per) {
    const s = Math.max(1e-3, (t.last - t.first) / 1000);
    const mimes = Object.entries(t.mimes).map(([m, b]) => `${m} ${kb(b)} KB`).join(', ');
    console.log(`${key}: ${t.n} messages, ${(t.n / s).toFixed(2)}/s, mean ${kb(t.bytes / t.n)} KB, max ${kb(t.max)} KB, ${kb(t.bytes / s)} KB/s; largest items: ${mimes}`);
  }
}

main().catch((e) => {
  console.error((e as Error).message);
  process.exit(1);
});
