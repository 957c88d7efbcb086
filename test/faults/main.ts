/**
 * `npm run faults`: injects each fault through the real hosts and prints
 * `fault | host | expected | observed | pass`; exits non-zero when any row fails.
 *
 *   node out/test/faults/main.js [--only WORD…] [--skip-extension] [--json FILE]
 *
 * --only keeps the rows whose group, fault or host contains one of the words; words that match no row are an
 * error (exit 1), never an empty green run. --skip-extension drops the rows whose host is the editor
 * (code-server), so the suite runs without code-server and chromium. The table and every row's details are
 * also written to test-results/faults.json and test-results/faults.md.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { TMP } from './context';
import { extensionRows, startEditorScenario } from './extensionRows';
import { debugRows } from './debugRows';
import { fileRows } from './fileRows';
import { ROOT } from './hosts';
import { hostRows } from './hostRows';
import { jupyterRows } from './jupyterRows';
import { kernelClientRows } from './kernelClientRows';
import { libraryRows } from './libraryRows';
import { SECRETS, securityRows } from './securityRows';
import { soakRows } from './soak';
import { formatTable, type Result, type Row } from './table';
import { tramRunRows } from './tramRunRows';

class UsageError extends Error {}

function args(): { only: string[]; json: string; skipExtension: boolean } {
  const a = process.argv.slice(2);
  const only: string[] = [];
  let json = path.join(ROOT, 'test-results', 'faults.json');
  let skipExtension = false;
  for (let i = 0; i < a.length; i++) {
    if (a[i] === '--only') {
      const n = only.length;
      while (a[i + 1] && !a[i + 1].startsWith('--')) only.push(a[++i].toLowerCase());
      if (only.length === n) throw new UsageError('--only needs at least one word, e.g. `npm run faults -- --only files`');
    } else if (a[i] === '--json') {
      if (!a[i + 1] || a[i + 1].startsWith('--')) throw new UsageError('--json needs a file name, e.g. `--json test-results/faults.json`');
      json = a[++i];
    } else if (a[i] === '--skip-extension') skipExtension = true;
    else throw new UsageError(`unknown argument '${a[i]}': use --only WORD…, --skip-extension or --json FILE`);
  }
  return { only, json, skipExtension };
}

const isEditorRow = (r: Row) => r.host.startsWith('VS Code');

async function withTimeout<T>(p: Promise<T>, s: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const t = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`row did not finish in ${s} s`)), s * 1000);
  });
  try {
    return await Promise.race([p, t]);
  } finally {
    clearTimeout(timer);
  }
}

async function main(): Promise<number> {
  const { only, json, skipExtension } = args();
  const t0 = Date.now();
  // Secrets in the environment of every host the suite starts; no kernel may see them (security rows).
  Object.assign(process.env, SECRETS);
  const editorRows = extensionRows(); // one scenario serves them all; the soak row starts an editor of its own
  // The soak row runs only when asked for (`npm run soak -- --minutes M`, or TRAM_SOAK_MINUTES set): it takes
  // minutes and an editor of its own, so `npm test` runs it as a stage of its own (`soak`, 2 minutes).
  let rows: Row[] = [...kernelClientRows(), ...tramRunRows(), ...libraryRows(), ...fileRows(), ...hostRows(), ...securityRows(), ...jupyterRows(), ...editorRows, ...debugRows(), ...(process.env.TRAM_SOAK_MINUTES ? soakRows() : [])];
  const all = rows;
  if (skipExtension) rows = rows.filter((r) => !isEditorRow(r));
  if (only.length) {
    const matches = (r: Row, w: string) => `${r.group} ${r.fault} ${r.host}`.toLowerCase().includes(w);
    const unmatched = only.filter((w) => !rows.some((r) => matches(r, w)));
    if (unmatched.length) {
      const groups = [...new Set(all.map((r) => r.group))].join(', ');
      throw new UsageError(
        `--only ${unmatched.map((w) => `'${w}'`).join(', ')} matches no row${skipExtension ? ' (with --skip-extension)' : ''}: ` +
          `use a word from a row's group (${groups}), fault or host`,
      );
    }
    rows = rows.filter((r) => only.some((w) => matches(r, w)));
  }
  // The editor rows wait mostly on code-server and chromium: their scenario runs beside the other rows.
  if (rows.some((r) => editorRows.includes(r))) startEditorScenario();
  const results: Result[] = [];
  for (const row of rows) {
    const r0 = Date.now();
    process.stderr.write(`faults: ${row.group} / ${row.fault} / ${row.host} … `);
    let res: Result;
    try {
      const o = await withTimeout(row.run(), row.timeoutS ?? 60);
      res = { group: row.group, fault: row.fault, host: row.host, expected: row.expected, ...o, seconds: (Date.now() - r0) / 1000 };
    } catch (e) {
      const err = e as Error;
      res = { group: row.group, fault: row.fault, host: row.host, expected: row.expected, pass: false, observed: `✗ ${err.message.split('\n')[0]}`, details: err.stack, seconds: (Date.now() - r0) / 1000 };
    }
    process.stderr.write(`${res.pass ? 'pass' : 'FAIL'} (${res.seconds.toFixed(1)} s)\n`);
    results.push(res);
  }
  const seconds = (Date.now() - t0) / 1000;
  const failed = results.filter((r) => !r.pass);
  const table = formatTable(results);
  console.log(`\n${table}\n`);
  for (const f of failed) console.log(`--- FAIL: ${f.fault} (${f.host})\n${f.observed}\n${(f.details ?? '').slice(0, 3000)}\n`);
  console.log(`${results.length - failed.length}/${results.length} rows pass in ${seconds.toFixed(0)} s (${new Date().toISOString()}, node ${process.version})`);
  fs.mkdirSync(path.dirname(json), { recursive: true });
  fs.writeFileSync(json, JSON.stringify({ date: new Date().toISOString(), seconds, results }, null, 1));
  const wide = formatTable(results, { fault: 48, host: 26, expected: 90, observed: 220 });
  fs.writeFileSync(json.replace(/\.json$/, '.md'), `${wide}\n\n${results.length - failed.length}/${results.length} rows pass in ${seconds.toFixed(0)} s\n`);
  fs.rmSync(TMP, { recursive: true, force: true });
  return failed.length ? 1 : 0;
}

main().then(
  (code) => process.exit(code),
  (e) => {
    if (e instanceof UsageError) {
      console.error(`faults: ${e.message}`);
      process.exit(1);
    }
    console.error(e);
    process.exit(2);
  },
);
