/**
 * Damaged and unusual notebook files given to `tram run --inplace` (the mode that could destroy them): each
 * must be refused with an error that names the file and the problem, leaving it byte-for-byte as it was, or
 * be loaded correctly, run, and written back with nothing but outputs changed.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { leftBehind, rowDir } from './context';
import { tram, type RunResult } from './hosts';
import * as nb from './notebook';
import { outcome, type Check } from './runner';
import type { Row } from './table';

interface FileCase {
  fault: string;
  expected: string;
  /** The file's bytes. */
  make(): Buffer;
  /** What a refusal must say (stderr), besides the file's name. */
  refusal: RegExp;
  /** May it be loaded and run instead of refused? */
  mayLoad: boolean;
  /** Checks on a loaded-and-run file. */
  loaded?(before: Buffer, after: Buffer, run: RunResult): Check[];
}

const json = (o: unknown) => Buffer.from(JSON.stringify(o, null, 1) + '\n');

const CASES: FileCase[] = [
  {
    fault: 'malformed JSON (merge conflict markers)',
    expected: 'refused: names the file and the JSON error; file untouched',
    make() {
      const good = json(nb.notebook(["console.log('one');", "console.log('two');"])).toString();
      const at = good.indexOf('"cell_type"', good.indexOf('"cell_type"') + 1);
      return Buffer.from(`${good.slice(0, at)}<<<<<<< HEAD\n"x": 1,\n=======\n"x": 2,\n>>>>>>> feature\n${good.slice(at)}`);
    },
    refusal: /JSON|parse|Unexpected token|line \d+/i,
    mayLoad: false,
  },
  {
    fault: 'wrong nbformat version (3)',
    expected: 'refused: says nbformat 3 and what is supported; file untouched',
    make: () =>
      json({
        metadata: { name: 'old' },
        nbformat: 3,
        nbformat_minor: 0,
        worksheets: [{ cells: [{ cell_type: 'code', input: "console.log('v3')", language: 'typescript', outputs: [], prompt_number: 1 }], metadata: {} }],
      }),
    refusal: /nbformat[^\n]*3/i,
    mayLoad: false,
  },
  {
    fault: 'unknown cell types',
    expected: 'loaded: code cells run, the unknown cell kept as it was (or a clear refusal)',
    make: () =>
      json(
        nb.notebook([
          "const a = 1;\nconsole.log('first', a);",
          { cell_type: 'sql', id: 'odd', metadata: { dialect: 'x' }, source: ['SELECT 1;\n', 'SELECT 2;'] },
          { cell_type: 'raw', id: 'raw1', metadata: { format: 'text/plain' }, source: ['raw text'] },
          "console.log('after', a + 1);",
        ]),
      ),
    refusal: /cell[_ ]type|sql|unknown/i,
    mayLoad: true,
    loaded(before, after) {
      const a = JSON.parse(after.toString('utf8')) as nb.Notebook;
      const b = JSON.parse(before.toString('utf8')) as nb.Notebook;
      const diff = nb.nonOutputDiff(b, a);
      const last = nb.outputText(a.cells[3]);
      return [
        { ok: diff.length === 0, text: diff.length ? `✗ changed at ${diff.join(', ')}` : 'sql and raw cells kept as they were' },
        { ok: /after 2/.test(last), text: /after 2/.test(last) ? 'code cells ran' : `✗ last cell: ${JSON.stringify(last.slice(0, 100))}` },
      ];
    },
  },
  {
    fault: '100 MB notebook',
    expected: 'loaded and run; a 60 MB attachment and old outputs handled; only outputs change',
    make() {
      const blob = Buffer.alloc(45 * 1024 * 1024, 7).toString('base64'); // 60 MB of base64
      const old = 'z'.repeat(1023) + '\n';
      const oldOutputs = Array.from({ length: 40 }, () => ({ output_type: 'stream', name: 'stdout', text: [old.repeat(1024)] }));
      const n = nb.notebook([
        { cell_type: 'markdown', id: 'pic', metadata: {}, source: ['![big](attachment:big.bin)'], attachments: { 'big.bin': { 'application/octet-stream': blob } } },
        "console.log('big notebook ran');",
      ]);
      n.cells[1].outputs = oldOutputs;
      n.cells[1].execution_count = 7;
      return json(n);
    },
    refusal: /size|large|MB/i,
    mayLoad: true,
    loaded(before, after, run) {
      const a = JSON.parse(after.toString('utf8')) as nb.Notebook;
      const b = JSON.parse(before.toString('utf8')) as nb.Notebook;
      const diff = nb.nonOutputDiff(b, a);
      const out = nb.outputText(a.cells[1]);
      return [
        { ok: diff.length === 0, text: diff.length ? `✗ changed at ${diff.join(', ')}` : `${(before.length / 1048576).toFixed(0)} MB in, ${(after.length / 1048576).toFixed(0)} MB out, attachment intact` },
        { ok: out.trim() === 'big notebook ran', text: out.trim() === 'big notebook ran' ? `ran in ${(run.ms / 1000).toFixed(1)} s` : `✗ cell output ${JSON.stringify(out.slice(0, 80))}` },
      ];
    },
  },
  {
    fault: 'non-UTF-8 bytes (Latin-1 é)',
    expected: 'refused: names invalid UTF-8 and where; file untouched (never a silent U+FFFD)',
    make() {
      const text = JSON.stringify(nb.notebook(["console.log('café');"]), null, 1) + '\n';
      const [head, rest] = text.split('café');
      return Buffer.concat([Buffer.from(head), Buffer.from([0x63, 0x61, 0x66, 0xe9]), Buffer.from(rest)]);
    },
    refusal: /UTF-?8|encoding|byte/i,
    mayLoad: true,
    loaded(before, after) {
      const kept = after.includes(Buffer.from([0x63, 0x61, 0x66, 0xe9]));
      return [{ ok: kept, text: kept ? 'bytes kept' : '✗ file rewritten: the 0xE9 byte was replaced' }];
    },
  },
];

function fileRow(c: FileCase): Row {
  return {
    group: 'files',
    fault: c.fault,
    host: 'tram run --inplace',
    expected: c.expected,
    timeoutS: 180,
    async run() {
      const dir = rowDir(c.fault);
      const file = path.join(dir, 'damaged.ipynb');
      const before = c.make();
      fs.writeFileSync(file, before);
      const run = await tram(['run', file, '--inplace', '--timeout', '60'], { cwd: dir, wallS: 150 });
      const after = fs.readFileSync(file);
      const untouched = after.equals(before);
      const left = [await leftBehind(dir), ...run.leftInGroup].filter(Boolean).join('; ');
      const checks: Check[] = [];
      const firstLine = (run.stderr.trim().split('\n').find((l) => l.trim()) ?? '').slice(0, 110);
      if (run.code !== 0) {
        const named = run.stderr.includes('damaged.ipynb');
        const says = c.refusal.test(run.stderr);
        const stack = /^\s+at .*\.js:\d+/m.test(run.stderr);
        checks.push(
          { ok: named && says && !stack, text: `refused (exit ${run.code}): ${JSON.stringify(firstLine)}${named ? '' : ' ✗ file not named'}${stack ? ' ✗ a raw stack trace' : ''}` },
          { ok: untouched, text: untouched ? 'file byte-for-byte unchanged' : '✗ FILE REWRITTEN after a refusal' },
        );
        if (c.mayLoad && !says) checks.push({ ok: false, text: '✗ neither loaded nor refused with a clear reason' });
      } else if (c.mayLoad && c.loaded) {
        checks.push(...c.loaded(before, after, run));
      } else {
        checks.push({ ok: false, text: `✗ accepted (exit 0); file ${untouched ? 'unchanged' : 'REWRITTEN'}` });
      }
      checks.push({ ok: !left && !run.killed, text: left || run.killed ? `✗ ${run.killed ? 'hung; ' : ''}left behind: ${left}` : 'nothing left running' });
      return { ...outcome(checks), details: `stdout: ${run.stdout.slice(-800)}\nstderr: ${run.stderr.slice(-1500)}\nfile: ${file}` };
    },
  };
}

export function fileRows(): Row[] {
  return CASES.map(fileRow);
}
