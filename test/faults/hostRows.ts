/** Host rows through `KernelClient`: two notebooks at once, each with its own kernel and state. */
import { leftBehind, rowDir } from './context';
import { cell, kernelPid, startClient } from './hosts';
import { outcome } from './runner';
import type { Row } from './table';

function twoNotebooksRow(): Row {
  return {
    group: 'host',
    fault: 'two notebooks running at once',
    host: 'KernelClient ×2',
    expected: 'two kernels, cells overlap in time, each keeps its own state',
    timeoutS: 90,
    async run() {
      const dirs = [rowDir('two-a'), rowDir('two-b')];
      const [a, b] = await Promise.all(dirs.map((cwd) => startClient({ cwd })));
      try {
        await Promise.all([cell(a, "const who = 'A';"), cell(b, "const who = 'B';")]);
        const busy = "const t0 = Date.now();\nwhile (Date.now() - t0 < 3000) await new Promise((r) => setTimeout(r, 10));\n[t0, Date.now()].join(' ')";
        const [ra, rb] = await Promise.all([cell(a, busy), cell(b, busy)]);
        const [a0, a1] = (ra.result ?? '').replace(/'/g, '').split(' ').map(Number);
        const [b0, b1] = (rb.result ?? '').replace(/'/g, '').split(' ').map(Number);
        const overlap = Math.min(a1, b1) - Math.max(a0, b0);
        const [wa, wb] = await Promise.all([cell(a, 'who'), cell(b, 'who')]);
        const pa = kernelPid(a);
        const pb = kernelPid(b);
        return outcome([
          { ok: pa !== pb, text: `kernels ${pa} and ${pb}` },
          { ok: overlap > 1500, text: `cells overlapped ${overlap} ms of 3000` },
          { ok: /A/.test(wa.result ?? '') && /B/.test(wb.result ?? ''), text: `who = ${wa.result ?? wa.error} / ${wb.result ?? wb.error}` },
        ]);
      } finally {
        await Promise.all([a, b].map((c) => Promise.resolve(c.shutdown()).catch(() => undefined)));
        for (const d of dirs) await leftBehind(d);
      }
    },
  };
}

export function hostRows(): Row[] {
  return [twoNotebooksRow()];
}
