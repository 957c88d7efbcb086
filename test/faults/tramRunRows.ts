/**
 * Kernel faults through `tram run`. The faults the kernel survives run in one notebook, each between a cell
 * that sets a variable and prints the kernel's pid and a cell printing `alive <variable> <pid>`: the error
 * must land in the fault's own cell and the next cell must see the same process with the variable intact
 * (a fault that kills the kernel fails its own row only: the run goes on in a new kernel). Faults that stop the run (timeouts, exit, out of memory, a killed kernel) get
 * a notebook each.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { descendants, sleep } from './procs';
import { cellText, errorCells, fileChecks, outcome, runNotebook, summary, tail, type Check, type NotebookRun } from './runner';
import type { Row } from './table';

const HOST = 'tram run';
const SETUP = "const a = 42;\nconsole.log('kernel', process.pid);";
const ALIVE = "console.log('alive', a, process.pid);";

interface Fault {
  fault: string;
  expected: string;
  code: string;
  /** What the fault's cell must show. */
  shows: RegExp;
  /** Whether the fault's cell must hold an error output (else stderr text is enough). */
  error?: boolean;
  extra?: (r: NotebookRun, i: number) => Check[];
}

const SURVIVABLE: Fault[] = [
  {
    fault: 'uncaught exception in a timer callback',
    expected: 'error text in the cell that set the timer; kernel lives',
    code: "setTimeout(() => { throw new Error('boom in timer'); }, 50);\nawait new Promise((r) => setTimeout(r, 400));",
    shows: /boom in timer/,
  },
  {
    fault: 'unhandled promise rejection',
    expected: 'rejection text in its cell; kernel lives',
    code: "Promise.reject(new Error('rejected on purpose'));\nawait new Promise((r) => setTimeout(r, 400));",
    shows: /rejected on purpose/,
  },
  {
    fault: 'deep recursion (stack overflow)',
    expected: 'RangeError at the cell line; kernel lives',
    code: 'function down(n: number): number {\n  return down(n + 1) + 1;\n}\ndown(0);',
    shows: /RangeError: Maximum call stack size exceeded[\s\S]*cell \S+:2:/,
    error: true,
  },
  {
    fault: 'stdin read',
    expected: 'EOF at once or a clear error; no hang',
    code: "const fs = require('node:fs') as typeof import('node:fs');\nconsole.log('stdin bytes', fs.readFileSync(0, 'utf8').length);",
    shows: /stdin bytes 0|stdin/i,
  },
  {
    fault: '50 MB printed to stdout',
    expected: 'truncated with a notice; notebook stays small',
    code: "const line = 'y'.repeat(1023) + '\\n';\nfor (let i = 0; i < 50 * 1024; i++) process.stdout.write(line);",
    shows: /truncat/i,
    extra: (r) => {
      const size = fs.existsSync(r.output) ? fs.statSync(r.output).size : 0;
      return [{ ok: size > 0 && size < 10 * 1024 * 1024, text: `notebook ${(size / 1048576).toFixed(2)} MB` }];
    },
  },
];

let survivableRun: Promise<NotebookRun> | undefined;

function runSurvivable(): Promise<NotebookRun> {
  const cells = SURVIVABLE.flatMap((f, k) => [`const a${k} = 42;\nconsole.log('kernel', process.pid);`, f.code, `console.log('alive', a${k}, process.pid);`]);
  survivableRun ??= runNotebook('survivable-faults', cells, ['--allow-errors', '--timeout', '30'], { wallS: 180 });
  return survivableRun;
}

function survivableRow(f: Fault, k: number): Row {
  const i = 1 + 3 * k;
  return {
    group: 'kernel',
    fault: f.fault,
    host: HOST,
    expected: f.expected,
    timeoutS: 200,
    async run() {
      const r = await runSurvivable();
      const pid = /kernel (\d+)/.exec(cellText(r, i - 1))?.[1];
      const text = cellText(r, i);
      const aliveText = cellText(r, i + 1);
      // The cells around the fault must run clean.
      const stray = errorCells(r).filter((j) => j === i - 1 || j === i + 1);
      const checks: Check[] = [
        { ok: f.shows.test(text) && (!f.error || errorCells(r).includes(i)), text: f.shows.test(text) ? `cell ${i}: ${JSON.stringify(text.trim().split('\n')[0].slice(0, 70))}` : `✗ cell ${i} shows ${JSON.stringify(text.slice(0, 120))}` },
        { ok: !!pid && aliveText.trim() === `alive 42 ${pid}`, text: !!pid && aliveText.trim() === `alive 42 ${pid}` ? 'next cell: a = 42, same pid' : `✗ next cell: ${JSON.stringify(aliveText.slice(0, 100))} (kernel ${pid})` },
        { ok: stray.length === 0, text: stray.length ? `✗ errors also in cells ${stray}` : 'no error around it' },
        ...(f.extra ? f.extra(r, i) : []),
        ...fileChecks(r),
      ];
      return { ...outcome(checks), details: tail(r) };
    },
  };
}

/** One notebook: setup, the fault, a cell after it. */
function stoppingRow(
  fault: string,
  expected: string,
  code: string,
  shows: RegExp,
  args: string[],
  opts: { env?: NodeJS.ProcessEnv; nonZero?: boolean; maxS?: number } = {},
  group: Row['group'] = 'kernel',
): Row {
  return {
    group,
    fault,
    host: `${HOST} ${args.join(' ')}`.trim(),
    expected,
    timeoutS: 120,
    async run() {
      const r = await runNotebook(fault, [SETUP, code, ALIVE], args, { env: opts.env, wallS: 90 });
      const text = cellText(r, 1);
      const errs = errorCells(r);
      const checks: Check[] = [
        { ok: shows.test(text) && errs.includes(1), text: shows.test(text) ? `cell 1 error: ${JSON.stringify(text.trim().split('\n')[0].slice(0, 80))}` : `✗ cell 1 shows ${JSON.stringify(text.slice(0, 140))}` },
        { ok: errs.every((j) => j >= 1), text: errs.includes(0) ? '✗ error in the setup cell' : 'setup cell clean' },
        { ok: !opts.nonZero || (r.run.code ?? 1) !== 0, text: summary(r) },
        { ok: !opts.maxS || r.run.ms < opts.maxS * 1000, text: `${(r.run.ms / 1000).toFixed(1)} s` },
        ...fileChecks(r),
      ];
      return { ...outcome(checks), details: tail(r) };
    },
  };
}

/** The kernel is killed (SIGKILL) while a cell runs: the cell says so, tram run ends, nothing is left. */
function killedRow(): Row {
  return {
    group: 'host',
    fault: 'kernel killed from outside mid-cell',
    host: HOST,
    expected: 'the running cell says the kernel was killed; exit ≠ 0; nothing left',
    timeoutS: 120,
    async run() {
      let killed = 0;
      const loop = "require('node:fs').writeFileSync('looping', String(process.pid));\nfor (;;) await new Promise((r) => setTimeout(r, 10));";
      const r = await runNotebook('kernel-killed', [SETUP, loop, ALIVE], ['--timeout', '60'], {
        wallS: 100,
        during: async (pid) => {
          // The notebook folder is the kernel's cwd; the marker file holds its pid once the loop runs.
          const t0 = Date.now();
          for (;;) {
            const dir = descendants(pid).length ? fs.readlinkSync(`/proc/${pid}/cwd`) : '';
            const marker = dir && path.join(dir, 'looping');
            if (marker && fs.existsSync(marker)) {
              killed = Number(fs.readFileSync(marker, 'utf8'));
              break;
            }
            if (Date.now() - t0 > 60_000) return;
            await sleep(100);
          }
          await sleep(300);
          process.kill(killed, 'SIGKILL');
        },
      });
      const text = cellText(r, 1);
      const checks: Check[] = [
        { ok: killed > 0, text: killed ? `killed kernel ${killed}` : '✗ the loop never started' },
        { ok: /kill|SIGKILL|died|exited/i.test(text) && errorCells(r).includes(1), text: `cell 1: ${JSON.stringify(text.trim().split('\n').slice(-1)[0]?.slice(0, 80) ?? '')}` },
        { ok: (r.run.code ?? 1) !== 0, text: summary(r) },
        ...fileChecks(r),
      ];
      return { ...outcome(checks), details: tail(r) };
    },
  };
}

export function tramRunRows(): Row[] {
  return [
    ...SURVIVABLE.map(survivableRow),
    stoppingRow('sync infinite loop', 'timeout error in that cell; exit ≠ 0; no process left', 'for (;;) {}', /time|interrupt/i, ['--timeout', '3'], { nonZero: true, maxS: 40 }),
    stoppingRow('cell that never settles', 'timeout error in that cell; exit ≠ 0', 'await new Promise(() => {});', /time|interrupt/i, ['--timeout', '3'], { nonZero: true, maxS: 40 }),
    stoppingRow('process.exit(3)', 'the cell says the kernel exited with code 3', 'process.exit(3);', /\b3\b/, ['--allow-errors'], { nonZero: false }),
    stoppingRow(
      'allocation until out of memory (heap 256 MB)',
      'the cell says the kernel ran out of memory',
      'const hog: number[][] = [];\nfor (;;) hog.push(new Array(1e6).fill(1.5));',
      /memory|heap/i,
      ['--allow-errors'],
      { env: { ...process.env, NODE_OPTIONS: '--max-old-space-size=256' }, maxS: 60 },
    ),
    killedRow(),
  ];
}
