/**
 * Kernel faults through `KernelClient` (the host the extension uses). Faults the process survives share one
 * kernel holding `const a = 42`: after each, the same process must answer `a` with 42. Faults that end the
 * process (exit, out of memory) get a kernel of their own; afterwards a restart must give a fresh, working one.
 */
import { leftBehind, rowDir } from './context';
import { cell, Client, kernelPid, startClient, type CellRun } from './hosts';
import { alive, descendants, listenersOf, sleep } from './procs';
import { ENV_CELL, envCheck } from './securityRows';
import type { Outcome, Row } from './table';

const HOST = 'KernelClient';

/** One kernel for the rows it survives; restarted (and the row failed) when a row kills it. */
class SharedKernel {
  client: Client | undefined;
  pid = 0;
  dir = '';
  exited: unknown[] | undefined;

  async ensure(): Promise<Client> {
    if (this.client && !this.exited) return this.client;
    if (this.client) await Promise.resolve(this.client.shutdown()).catch(() => undefined);
    this.dir = rowDir('shared-kernel');
    this.exited = undefined;
    const c = await startClient({ cwd: this.dir });
    c.on('exit', (...args: unknown[]) => (this.exited = args));
    const setup = await cell(c, 'const a = 42;\nconsole.log("pid", process.pid);');
    if (setup.status !== 'ok') throw new Error(`setup cell failed: ${setup.error ?? setup.reason}`);
    this.client = c;
    this.pid = kernelPid(c);
    return c;
  }

  /** "state kept": the same process answers `a` with 42 (and quickly). */
  async stateKept(): Promise<{ ok: boolean; text: string; ms: number }> {
    const c = this.client!;
    if (this.exited || !alive(this.pid)) return { ok: false, text: `kernel ${this.pid} exited (${JSON.stringify(this.exited)})`, ms: 0 };
    const r = await cell(c, 'console.log(process.pid);\na');
    const pid = Number(r.stdout.trim());
    const ok = r.status === 'ok' && r.result === '42' && pid === this.pid;
    return { ok, text: ok ? `a = 42 in the same kernel (next cell ${r.ms} ms)` : `after: ${r.status} ${r.result ?? r.error ?? ''} pid ${pid} (was ${this.pid})`, ms: r.ms };
  }

  async close(): Promise<string> {
    if (!this.client) return '';
    await Promise.resolve(this.client.shutdown()).catch(() => undefined);
    this.client = undefined;
    return leftBehind(this.dir);
  }
}

const shared = new SharedKernel();

function verdict(parts: { ok: boolean; text: string }[]): Outcome {
  return { pass: parts.every((p) => p.ok), observed: parts.map((p) => (p.ok || p.text.startsWith('✗') ? p.text : `✗ ${p.text}`)).join('; ') };
}

/** A survivable fault: run `code` (optionally interrupting after `interruptAfterMs`), check, then check state. */
function survivable(
  fault: string,
  expected: string,
  code: string,
  check: (r: CellRun) => { ok: boolean; text: string }[],
  interruptAfterMs?: number,
): Row {
  return {
    group: 'kernel',
    fault,
    host: HOST,
    expected,
    timeoutS: 60,
    async run() {
      const c = await shared.ensure();
      let interruptAt = 0;
      const r = await cell(c, code, {
        during:
          interruptAfterMs === undefined
            ? undefined
            : async () => {
                await sleep(interruptAfterMs);
                interruptAt = Date.now();
                c.interrupt();
              },
      });
      const stopMs = interruptAt ? Date.now() - interruptAt : 0;
      const parts = check(r);
      if (interruptAfterMs !== undefined) parts.push({ ok: r.status === 'interrupted' && stopMs <= 2000, text: `${r.status} ${stopMs} ms after interrupt` });
      parts.push(await shared.stateKept());
      return verdict(parts);
    },
  };
}

/** A fault that ends the process: the host must say why, and a restart must give a fresh working kernel. */
function fatal(fault: string, expected: string, code: string, why: RegExp, startExtra: Record<string, unknown> = {}): Row {
  return {
    group: 'kernel',
    fault,
    host: HOST,
    expected,
    timeoutS: 90,
    async run() {
      const dir = rowDir(fault);
      const c = await startClient({ cwd: dir, ...startExtra });
      let exited: unknown[] | undefined;
      c.on('exit', (...args: unknown[]) => (exited = args));
      try {
        const setup = await cell(c, 'const a = 42;');
        const pid = kernelPid(c);
        const r = await cell(c, code);
        const text = `${r.reason ?? ''} ${r.error ?? ''} ${r.stderr.slice(-400)}`;
        const parts = [
          { ok: setup.status === 'ok', text: `setup ${setup.status}` },
          { ok: r.status === 'died' && why.test(text), text: `${r.status}: "${(r.reason ?? r.error ?? '').slice(0, 90)}"` },
        ];
        await sleep(200);
        parts.push({ ok: !alive(pid) && !!exited, text: `old kernel ${alive(pid) ? 'still alive' : 'gone'}, exit event ${exited ? JSON.stringify(exited) : 'missing'}` });
        await c.restart();
        const fresh = await cell(c, 'console.log(process.pid);\n1 + 1');
        const fresh2 = await cell(c, 'a');
        const newPid = Number(fresh.stdout.trim());
        parts.push({
          ok: fresh.result === '2' && newPid !== pid && fresh2.status === 'error' && /Cannot find name 'a'|a is not defined/.test(fresh2.error ?? ''),
          text: fresh.result === '2' && newPid !== pid ? `restart: fresh kernel ${newPid}, a gone` : `restart: ${fresh.status} ${fresh.result ?? fresh.error} / a: ${fresh2.result ?? fresh2.error}`,
        });
        return verdict(parts);
      } finally {
        await Promise.resolve(c.shutdown()).catch(() => undefined);
        const left = await leftBehind(dir);
        if (left) throw new Error(`left behind: ${left}`);
      }
    },
  };
}

const has = (re: RegExp, s: string, what: string) => ({ ok: re.test(s), text: re.test(s) ? what : `no ${what} in ${JSON.stringify(s.slice(0, 100))}` });

export function kernelClientRows(): Row[] {
  return [
    survivable('sync infinite loop', 'interrupt stops it ≤ 2 s; a = 42 in the same process', 'for (;;) {}', () => [], 800),
    survivable(
      'infinite async loop',
      'interrupt stops it ≤ 2 s; a = 42 in the same process',
      'let spins = 0;\nfor (;;) { spins++; await new Promise((r) => setTimeout(r, 5)); }',
      () => [],
      800,
    ),
    survivable(
      'cell that never settles',
      'interrupt ends the await ≤ 2 s; state kept',
      'await new Promise(() => {});',
      () => [],
      800,
    ),
    survivable(
      'uncaught exception in a timer callback',
      'the error shown on the cell that set the timer; kernel lives',
      "setTimeout(() => { throw new Error('boom in timer'); }, 50);\nawait new Promise((r) => setTimeout(r, 400));\n'done'",
      (r) => [has(/boom in timer/, `${r.stderr} ${r.error ?? ''}`, 'error text on the cell')],
    ),
    survivable(
      'unhandled promise rejection',
      'the rejection shown on its cell; kernel lives',
      "Promise.reject(new Error('rejected on purpose'));\nawait new Promise((r) => setTimeout(r, 400));\n'done'",
      (r) => [has(/rejected on purpose/, `${r.stderr} ${r.error ?? ''}`, 'rejection text on the cell')],
    ),
    survivable(
      '50 MB printed to stdout',
      'output capped with a truncation notice; next cell answers < 1 s',
      "const line = 'y'.repeat(1023) + '\\n';\nfor (let i = 0; i < 50 * 1024; i++) process.stdout.write(line);\n'printed'",
      (r) => [
        { ok: r.streamBytes < 8 * 1024 * 1024, text: `${(r.streamBytes / 1048576).toFixed(2)} MB reached the host in ${r.ms} ms` },
        has(/truncat/i, r.stdout.slice(-4000) + r.stderr + JSON.stringify(r.messages).slice(0, 4000), 'truncation notice'),
      ],
    ),
    survivable(
      'stdin read',
      'returns at once (EOF) or a clear error; no hang',
      "const fs = require('node:fs') as typeof import('node:fs');\nconst input = fs.readFileSync(0, 'utf8');\ninput.length",
      (r) => [{ ok: r.ms < 10_000 && (r.status === 'ok' || /stdin/i.test(r.error ?? '')), text: `${r.status} in ${r.ms} ms: ${r.result ?? r.error ?? ''}` }],
    ),
    survivable(
      'deep recursion (stack overflow)',
      'RangeError with the cell line; kernel lives',
      'function down(n: number): number {\n  return down(n + 1) + 1;\n}\ndown(0)',
      (r) => {
        const tb = r.messages.find((m) => m.type === 'error') as { traceback?: string[] } | undefined;
        return [
          has(/RangeError: Maximum call stack size exceeded/, r.error ?? '', 'RangeError'),
          has(/cell \S+:2:/, (tb?.traceback ?? []).join('\n'), 'frame at cell line 2'),
        ];
      },
    ),
    fatal('process.exit(3)', 'host told "exited with code 3"; restart gives a fresh kernel', 'process.exit(3);', /\b3\b/),
    fatal(
      'allocation until out of memory (heap 256 MB)',
      'host told the kernel ran out of memory; restart gives a fresh kernel',
      'const hog: number[][] = [];\nfor (;;) hog.push(new Array(1e6).fill(1.5));',
      /memory|heap|SIGABRT|134/i,
      { execArgv: ['--max-old-space-size=256'], maxOldSpaceMb: 256, env: { NODE_OPTIONS: '--max-old-space-size=256' } },
    ),
    {
      group: 'security',
      fault: 'secrets in the host environment',
      host: HOST,
      expected: 'AWS_SECRET_ACCESS_KEY, GITHUB_TOKEN, NPM_TOKEN set in the host: absent from the kernel',
      async run() {
        const c = await shared.ensure();
        const r = await cell(c, ENV_CELL);
        return verdict([envCheck(r.stdout)]);
      },
    },
    {
      group: 'security',
      fault: 'listening sockets (KernelClient path), then shutdown',
      host: HOST,
      expected: 'ss -ltunp: the kernel listens on nothing while a cell runs; shutdown leaves no process',
      async run() {
        const c = await shared.ensure();
        const pid = shared.pid;
        let socks: ReturnType<typeof listenersOf> = [];
        await cell(c, 'await new Promise((r) => setTimeout(r, 1500));', {
          during: async () => {
            await sleep(700);
            socks = listenersOf([process.pid, pid, ...descendants(pid).map((p) => p.pid)]);
          },
        });
        const left = await shared.close();
        return verdict([
          { ok: socks.length === 0, text: socks.length ? `listening: ${JSON.stringify(socks)}` : `kernel ${pid} listens on nothing while a cell runs` },
          { ok: !left, text: left ? `left behind: ${left}` : 'nothing left after shutdown' },
        ]);
      },
    },
  ];
}

