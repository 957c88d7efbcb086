/**
 * `npm run faults`: injects each fault through the real hosts and prints
 * `fault | host | expected | observed | pass`; exits non-zero when any row fails.
 *
 *   node out/test/faults/main.js [--only WORD…] [--skip-extension] [--json FILE]
 *
 * --only keeps the rows whose group, fault or host contains one of the words. The table and every row's
 * details are also written to test-results/faults.json and test-results/faults.md.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { TMP } from './context';
import { extensionRows, startEditorScenario } from './extensionRows';
import { fileRows } from './fileRows';
import { ROOT } from './hosts';
import { hostRows } from './hostRows';
import { jupyterRows } from './jupyterRows';
import { kernelClientRows } from './kernelClientRows';
import { libraryRows } from './libraryRows';
import { SECRETS, securityRows } from './securityRows';
import { formatTable, type Result, type Row } from './table';
import { tramRunRows } from './tramRunRows';

function args(): { only: string[]; json: string } {
  const a = process.argv.slice(2);
  const only: string[] = [];
  let json = path.join(ROOT, 'test-results', 'faults.json');
  for (let i = 0; i < a.length; i++) {
    if (a[i] === '--only') while (a[i + 1] && !a[i + 1].startsWith('--')) only.push(a[++i].toLowerCase());
    else if (a[i] === '--json') json = a[++i];
  }
  return { only, json };
}

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
  const { only, json } = args();
  const t0 = Date.now();
  // Secrets in the environment of every host the suite starts; no kernel may see them (security rows).
  Object.assign(process.env, SECRETS);
  let rows: Row[] = [...kernelClientRows(), ...tramRunRows(), ...libraryRows(), ...fileRows(), ...hostRows(), ...securityRows(), ...jupyterRows(), ...extensionRows()];
  if (only.length) rows = rows.filter((r) => only.some((w) => `${r.group} ${r.fault} ${r.host}`.toLowerCase().includes(w)));
  // The editor rows wait mostly on code-server and chromium: their scenario runs beside the other rows.
  if (rows.some((r) => r.host.startsWith('VS Code'))) startEditorScenario();
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
    console.error(e);
    process.exit(2);
  },
);
