/**
 * The fuzz cases: each writes its files into a fresh folder and gives the `tram run` arguments, with the class
 * of outcome expected — refused (exit 2, one line, nothing written), runs (exit 0, output written and valid),
 * cell-error (the named cells fail, the others run; exit per --allow-errors) or timeout (exit 1, a Timeout error
 * in the cell). Families: structural JSON mutations (expected class from the python nbformat oracle), encodings,
 * truncations, sizes, special files, option values and hostile cells. `quick` keeps the set small (< 2 min).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { spawnSync } from 'node:child_process';
import { mulberry32, mutate } from './mutate';

export type Expect = 'refused' | 'runs' | 'cell-error' | 'timeout' | 'oracle';

export interface Outcome {
  status: number | null;
  stdout: string;
  stderr: string;
  dir: string;
}

export interface Case {
  family: string;
  name: string;
  expect: Expect;
  /** Writes the inputs into `dir`; returns the arguments after `tram run`. */
  setup(dir: string): string[];
  /** The notebook written by the run, when the case expects one (relative to dir). */
  out?: string;
  /** Needs a kernel (slow). */
  kernel?: boolean;
  timeoutMs?: number;
  /** Extra check: a failure message, or undefined. */
  check?(o: Outcome): string | undefined;
}

type Nb = Record<string, unknown> & { cells: Record<string, unknown>[]; metadata: Record<string, unknown> };

/** A valid notebook with no code to run (blank code cells), rich metadata, an attachment and every cell type. */
export function staticNotebook(): Nb {
  return {
    nbformat: 4, nbformat_minor: 5,
    metadata: { kernelspec: { name: 'tram', display_name: 'TRAM' }, language_info: { name: 'typescript' }, tags: ['a'], nested: { a: [1, 2, { b: 'c' }] } },
    cells: [
      { id: 'md1', cell_type: 'markdown', metadata: { tags: ['t'] }, source: ['# Title\n', 'text ![x](attachment:x.png)'], attachments: { 'x.png': { 'image/png': 'iVBORw0KGgo=' } } },
      { id: 'code1', cell_type: 'code', metadata: { collapsed: false }, source: [], outputs: [{ output_type: 'stream', name: 'stdout', text: 'old\n' }], execution_count: 3 },
      { id: 'raw1', cell_type: 'raw', metadata: { format: 'text/plain' }, source: 'raw' },
      { id: 'code2', cell_type: 'code', metadata: {}, source: '  \n', outputs: [], execution_count: null },
    ],
  };
}

function codeNotebook(sources: string[]): Nb {
  return {
    nbformat: 4, nbformat_minor: 5, metadata: { language_info: { name: 'typescript' } },
    cells: sources.map((s, i) => ({ id: `c${i + 1}`, cell_type: 'code', metadata: {}, source: s, outputs: [], execution_count: null })),
  };
}

const write = (dir: string, name: string, data: string | Buffer) => fs.writeFileSync(path.join(dir, name), data);
const json = (nb: unknown) => JSON.stringify(nb, null, 1) + '\n';

function refuse(family: string, name: string, setup: (dir: string) => string[], timeoutMs = 20_000): Case {
  return { family, name, expect: 'refused', setup, timeoutMs };
}

function runs(family: string, name: string, setup: (dir: string) => string[], check?: Case['check']): Case {
  return { family, name, expect: 'runs', setup, out: 'out.ipynb', check };
}

function structural(seed: number, count: number): Case[] {
  const rng = mulberry32(seed);
  const cases: Case[] = [];
  for (let i = 0; i < count; i++) {
    const nb = staticNotebook();
    const what = mutate(nb, rng);
    const text = json(nb);
    cases.push({
      family: 'structural', name: `#${i} ${what}`.slice(0, 90), expect: 'oracle', out: 'out.ipynb',
      setup: (dir) => { write(dir, 'nb.ipynb', text); return [path.join(dir, 'nb.ipynb'), '--out', path.join(dir, 'out.ipynb')]; },
    });
  }
  return cases;
}

function withText(text: string | Buffer): (dir: string) => string[] {
  return (dir) => { write(dir, 'nb.ipynb', text); return [path.join(dir, 'nb.ipynb'), '--out', path.join(dir, 'out.ipynb')]; };
}

function encodings(): Case[] {
  const text = json(staticNotebook());
  const utf8 = Buffer.from(text, 'utf8');
  const withMd = (s: string) => { const nb = staticNotebook(); nb.cells[0].source = s; return json(nb); };
  return [
    refuse('encoding', 'UTF-8 byte-order mark', withText(Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), utf8]))),
    refuse('encoding', 'UTF-16LE with BOM', withText(Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text, 'utf16le')]))),
    refuse('encoding', 'UTF-16LE without BOM', withText(Buffer.from(text, 'utf16le'))),
    refuse('encoding', 'Latin-1 é in a string', withText(Buffer.from(withMd('caf\u00e9'), 'latin1'))),
    refuse('encoding', 'CESU-8 surrogate bytes', withText(Buffer.concat([utf8.subarray(0, 40), Buffer.from([0xed, 0xa0, 0x80]), utf8.subarray(40)]))),
    refuse('encoding', 'overlong encoding of /', withText(Buffer.concat([utf8.subarray(0, 40), Buffer.from([0xc0, 0xaf]), utf8.subarray(40)]))),
    refuse('encoding', 'lone continuation byte', withText(Buffer.concat([utf8.subarray(0, 40), Buffer.from([0x80]), utf8.subarray(40)]))),
    runs('encoding', 'emoji, RTL, combining marks', withText(withMd('😀 שלום e\u0301 \u2028 \u2029'))),
    runs('encoding', 'escaped NUL and lone surrogate in a string', withText(withMd('a\u0000b').replace('a\\u0000b', 'a\\u0000b\\ud800'))),
  ];
}

function truncations(seed: number, count: number): Case[] {
  const rng = mulberry32(seed + 1);
  const text = json(staticNotebook());
  const cases: Case[] = [refuse('truncation', 'empty file', withText(''))];
  for (let i = 0; i < count; i++) {
    const at = 1 + Math.floor(rng() * (text.length - 3)); // always loses the final brace
    cases.push(refuse('truncation', `cut at byte ${at} of ${text.length}`, withText(text.slice(0, at))));
  }
  return cases;
}

function sizes(quick: boolean): Case[] {
  const deep = (n: number) => { const t = json(staticNotebook()); return t.replace('"metadata": {', `"metadata": {\n  "deep": ${'['.repeat(n)}${']'.repeat(n)},`); };
  const many = () => { const nb = staticNotebook(); for (let i = 0; i < (quick ? 2000 : 20000); i++) nb.cells.push({ id: `m${i}`, cell_type: 'markdown', metadata: {}, source: `cell ${i}` }); return json(nb); };
  const longLine = () => { const nb = staticNotebook(); nb.cells[0].source = 'x'.repeat(quick ? 1 << 20 : 8 << 20); return json(nb); };
  const num = (lit: string) => json(staticNotebook()).replace('"tags": [\n   "a"\n  ]', `"big": ${lit}`);
  return [
    refuse('size', 'one byte "{"', withText('{')),
    refuse('size', 'a JSON array', withText('[]')),
    refuse('size', 'JSON null', withText('null')),
    refuse('size', 'a bare number', withText('4')),
    refuse('size', 'nesting 10,000 deep in metadata', withText(deep(10000))),
    refuse('size', 'nesting 300 deep in metadata', withText(deep(300))),
    runs('size', 'nesting 250 deep in metadata (kept)', withText(deep(250))),
    refuse('size', 'source nested 10,000 deep', withText(json(staticNotebook()).replace('"raw"\n', `${'['.repeat(10000)}${']'.repeat(10000)}\n`))),
    refuse('size', 'metadata number 12345678901234567890123', withText(num('12345678901234567890123'))),
    refuse('size', 'metadata number 1e400', withText(num('1e400'))),
    refuse('size', 'metadata number -1e400', withText(num('-1e400'))),
    refuse('size', 'metadata number 1e-400', withText(num('1e-400'))),
    refuse('size', 'metadata number 0.12345678901234567890', withText(num('0.12345678901234567890'))),
    runs('size', 'metadata numbers 1.0, 2.5e3, 9007199254740991 (kept)', withText(num('[1.0, 2.5e3, 9007199254740991, -0]')), (o) => {
      const out = fs.readFileSync(path.join(o.dir, 'out.ipynb'), 'utf8');
      return /"big": \[\s*1,\s*2500,\s*9007199254740991,\s*0\s*\]/.test(out) ? undefined : 'numbers changed value';
    }),
    runs('size', `${quick ? 2000 : 20000} markdown cells`, withText(many())),
    runs('size', `a ${quick ? 1 : 8} MB source line`, withText(longLine())),
  ];
}

function special(): Case[] {
  const nbText = json(staticNotebook());
  const input = (dir: string) => { write(dir, 'nb.ipynb', nbText); return path.join(dir, 'nb.ipynb'); };
  const modeOf = (f: string) => fs.statSync(f).mode & 0o777;
  return [
    refuse('special file', 'input is a FIFO', (dir) => { spawnSync('mkfifo', [path.join(dir, 'nb.ipynb')]); return [path.join(dir, 'nb.ipynb')]; }, 15_000),
    refuse('special file', 'input is a folder', (dir) => { fs.mkdirSync(path.join(dir, 'nb.ipynb')); return [path.join(dir, 'nb.ipynb')]; }),
    refuse('special file', 'input is /dev/null', () => ['/dev/null']),
    refuse('special file', 'input is /dev/zero', () => ['/dev/zero']),
    refuse('special file', 'input does not exist', (dir) => [path.join(dir, 'missing.ipynb')]),
    refuse('special file', 'input is a dangling symlink', (dir) => { fs.symlinkSync('missing.ipynb', path.join(dir, 'nb.ipynb')); return [path.join(dir, 'nb.ipynb')]; }),
    refuse('special file', 'input is a symlink loop', (dir) => { fs.symlinkSync('b.ipynb', path.join(dir, 'a.ipynb')); fs.symlinkSync('a.ipynb', path.join(dir, 'b.ipynb')); return [path.join(dir, 'a.ipynb')]; }),
    refuse('special file', '--out into a missing folder', (dir) => [input(dir), '--out', path.join(dir, 'no', 'out.ipynb')]),
    refuse('special file', '--out onto a folder', (dir) => { fs.mkdirSync(path.join(dir, 'sub')); return [input(dir), '--out', path.join(dir, 'sub')]; }),
    refuse('special file', '--out under /proc', (dir) => [input(dir), '--out', '/proc/tram-fuzz.ipynb']),
    refuse('special file', '--out onto /proc/self/status', (dir) => [input(dir), '--out', '/proc/self/status']),
    refuse('special file', '--out onto /dev/null', (dir) => [input(dir), '--out', '/dev/null']),
    refuse('special file', '--out onto a FIFO', (dir) => { spawnSync('mkfifo', [path.join(dir, 'out.ipynb')]); return [input(dir), '--out', path.join(dir, 'out.ipynb')]; }),
    refuse('special file', '--out a symlink to a missing folder', (dir) => { fs.symlinkSync('no/out.ipynb', path.join(dir, 'out.ipynb')); return [input(dir), '--out', path.join(dir, 'out.ipynb')]; }),
    {
      family: 'special file', name: '--inplace on a symlink to a 0600 file', expect: 'runs',
      setup: (dir) => { write(dir, 'real.ipynb', nbText); fs.chmodSync(path.join(dir, 'real.ipynb'), 0o600); fs.symlinkSync('real.ipynb', path.join(dir, 'nb.ipynb')); return [path.join(dir, 'nb.ipynb'), '--inplace']; },
      out: 'real.ipynb',
      check: (o) => (!fs.lstatSync(path.join(o.dir, 'nb.ipynb')).isSymbolicLink() ? 'the link was replaced' : modeOf(path.join(o.dir, 'real.ipynb')) !== 0o600 ? `mode became ${modeOf(path.join(o.dir, 'real.ipynb')).toString(8)}` : undefined),
    },
    {
      family: 'special file', name: '--out onto a symlink to a 0640 file', expect: 'runs',
      setup: (dir) => { write(dir, 'real.ipynb', '{}'); fs.chmodSync(path.join(dir, 'real.ipynb'), 0o640); fs.symlinkSync('real.ipynb', path.join(dir, 'out.ipynb')); return [input(dir), '--out', path.join(dir, 'out.ipynb')]; },
      out: 'real.ipynb',
      check: (o) => (!fs.lstatSync(path.join(o.dir, 'out.ipynb')).isSymbolicLink() ? 'the link was replaced' : modeOf(path.join(o.dir, 'real.ipynb')) !== 0o640 ? 'mode changed' : undefined),
    },
  ];
}

function options(): Case[] {
  const nbText = json(staticNotebook());
  const with_ = (...extra: string[]) => (dir: string) => { write(dir, 'nb.ipynb', nbText); return [path.join(dir, 'nb.ipynb'), ...extra]; };
  const cases: Case[] = [];
  for (const v of ['3000000', '1e9', 'Infinity', '-Infinity', '0', '-1', 'NaN', 'abc', '', '1e-400', '0x']) cases.push(refuse('option', `--timeout ${JSON.stringify(v)}`, with_('--timeout', v)));
  for (const v of ['bogus', '', 'WASM', 'auto ', '--inplace']) cases.push(refuse('option', `--backend ${JSON.stringify(v)}`, with_('--backend', v)));
  cases.push(
    refuse('option', 'unknown option --frobnicate', with_('--frobnicate')),
    refuse('option', '--out without a value', with_('--out')),
    refuse('option', '--out and --inplace together', (dir) => { write(dir, 'nb.ipynb', nbText); return [path.join(dir, 'nb.ipynb'), '--inplace', '--out', path.join(dir, 'o.ipynb')]; }),
    refuse('option', 'no notebook at all', () => []),
    runs('option', '--timeout 2147483 (the largest) and --backend cpu', (dir) => { write(dir, 'nb.ipynb', nbText); return [path.join(dir, 'nb.ipynb'), '--timeout', '2147483', '--backend', 'cpu', '--out', path.join(dir, 'out.ipynb')]; }),
  );
  return cases;
}

/** Cells that fail: expected failing cells by index (1-based); every other code cell must succeed. */
function hostileCells(): Case[] {
  const sources = [
    'const s = "line\u2028separator\u2029para";\ns.length',                                  // 1 ok: 19
    'Promise.reject(1);\n"after"',                                                             // 2 ok, stderr "Uncaught 1" once
    "throw new Error('thrown on purpose')",                                                    // 3 error
    'const n: number = "not a number";',                                                       // 4 error (type)
    "console.log('y'.repeat(3 << 20)); 'printed'",                                             // 5 ok, capped
    "const { spawn } = require('node:child_process');\nconst ch = spawn('sleep', ['120'], { stdio: 'ignore' });\nrequire('node:fs').writeFileSync('child.pid', String(ch.pid));\nch.pid > 0", // 6 ok
    'process.exit(3)',                                                                         // 7 error: the kernel died
    'const after = 40 + 2;\nafter',                                                            // 8 ok in a new kernel
  ];
  const failing = new Set([3, 4, 7]);
  return [
    {
      family: 'hostile cells', name: '8 hostile cells with --allow-errors', expect: 'cell-error', kernel: true, out: 'out.ipynb', timeoutMs: 120_000,
      setup: (dir) => { write(dir, 'nb.ipynb', json(codeNotebook(sources))); return [path.join(dir, 'nb.ipynb'), '--allow-errors', '--out', path.join(dir, 'out.ipynb')]; },
      check: (o) => {
        if (o.status !== 0) return `exit ${o.status} with --allow-errors`;
        const nb = JSON.parse(fs.readFileSync(path.join(o.dir, 'out.ipynb'), 'utf8')) as Nb;
        for (const [i, c] of nb.cells.entries()) {
          const outs = c.outputs as { output_type: string; name?: string; text?: string; ename?: string; data?: Record<string, string> }[];
          const err = outs.find((x) => x.output_type === 'error');
          if (failing.has(i + 1) !== !!err) return `cell ${i + 1}: ${err ? `unexpected ${err.ename}` : 'expected an error'}`;
        }
        const outsOf = (i: number) => nb.cells[i - 1].outputs as { output_type: string; name?: string; text?: string; ename?: string; data?: Record<string, string> }[];
        if (outsOf(1).find((x) => x.output_type === 'execute_result')?.data?.['text/plain'] !== '19') return 'cell 1: U+2028 string length is not 19';
        const err2 = outsOf(2).filter((x) => x.name === 'stderr').map((x) => x.text).join('');
        if (!/Uncaught 1/.test(err2) || /Uncaught Uncaught/.test(err2)) return `cell 2 stderr: ${JSON.stringify(err2.slice(0, 80))}`;
        const out5 = outsOf(5).filter((x) => x.name === 'stdout').map((x) => x.text).join('');
        if (out5.length > 2 << 20) return `cell 5: ${out5.length} chars of stdout (not capped)`;
        if (!/KernelDied/.test(outsOf(7).find((x) => x.output_type === 'error')?.ename ?? '')) return 'cell 7: no KernelDied';
        const pid = Number(fs.readFileSync(path.join(o.dir, 'child.pid'), 'utf8'));
        try {
          process.kill(pid, 0);
          process.kill(pid, 'SIGKILL');
          return `the child process ${pid} a cell spawned outlived the kernel`;
        } catch { /* gone, as it should be */ }
        return undefined;
      },
    },
    {
      family: 'hostile cells', name: 'busy loop with --timeout 2', expect: 'timeout', kernel: true, out: 'out.ipynb', timeoutMs: 90_000,
      setup: (dir) => { write(dir, 'nb.ipynb', json(codeNotebook(['const t = 1;', 'while (true) {}']))); return [path.join(dir, 'nb.ipynb'), '--timeout', '2', '--out', path.join(dir, 'out.ipynb')]; },
    },
    {
      family: 'hostile cells', name: 'a plain notebook runs', expect: 'runs', kernel: true, out: 'out.ipynb', timeoutMs: 90_000,
      setup: (dir) => { write(dir, 'nb.ipynb', json(codeNotebook(['const a = tf.ones([2]).sum().dataSync()[0];\na']))); return [path.join(dir, 'nb.ipynb'), '--out', path.join(dir, 'out.ipynb')]; },
    },
  ];
}

export function allCases(seed: number, quick: boolean): Case[] {
  return [
    ...structural(seed, quick ? 30 : 200),
    ...encodings(),
    ...truncations(seed, quick ? 4 : 40),
    ...sizes(quick),
    ...special(),
    ...options(),
    ...hostileCells().filter((c) => !quick || c.name !== 'a plain notebook runs'),
  ];
}
