#!/usr/bin/env node
// `node scripts/mutation-summary.mjs [report.json …]`: the per-file table and the list of surviving / uncovered
// mutants of Stryker reports (default reports/mutation/stryker-incremental.json, the committed incremental file;
// several reports are read as one, a later one's files replacing an earlier one's), as Markdown for docs/testing.md.
// `--ranges` prints instead the surviving and uncovered mutants as Stryker `--mutate` ranges (whole lines, file:from-to,
// comma-separated; other mutants on those lines come along), to rerun just those with `--force` after adding tests.
// score = killed (incl. timeouts) / (killed + survived + no coverage); score of covered
// leaves the no-coverage mutants out. Ignored and compile-error mutants are not counted.
import fs from 'node:fs';

const args = process.argv.slice(2);
const rangesOnly = args.includes('--ranges');
const given = args.filter((a) => a !== '--ranges');
const paths = given.length ? given : ['reports/mutation/stryker-incremental.json'];
const report = { files: {} };
for (const p of paths) Object.assign(report.files, JSON.parse(fs.readFileSync(p, 'utf8')).files);
const pct = (a, b) => (b ? ((100 * a) / b).toFixed(2) + ' %' : '–');
const rows = [];
const open = [];
const ranges = [];
const total = { mutants: 0, killed: 0, survived: 0, noCov: 0 };
for (const [name, f] of Object.entries(report.files).sort(([a], [b]) => a.localeCompare(b))) {
  const c = { mutants: 0, killed: 0, survived: 0, noCov: 0 };
  for (const m of f.mutants) {
    if (m.status === 'Ignored' || m.status === 'CompileError' || m.status === 'RuntimeError') continue;
    c.mutants++;
    if (m.status === 'Killed' || m.status === 'Timeout') c.killed++;
    else if (m.status === 'Survived') c.survived++;
    else if (m.status === 'NoCoverage') c.noCov++;
    if (m.status === 'Survived' || m.status === 'NoCoverage') {
      const lines = f.source.split('\n');
      const { start, end } = m.location;
      ranges.push(`${name}:${start.line}-${end.line}`);
      const orig = start.line === end.line
        ? lines[start.line - 1].slice(start.column - 1, end.column - 1)
        : lines[start.line - 1].slice(start.column - 1) + ' …';
      const cell = (t) => '`' + t.trim().replace(/\s+/g, ' ').slice(0, 60).replace(/\|/g, '\\|') + '`';
      open.push(`| ${name}:${start.line} | ${m.mutatorName} | ${cell(orig)} → ${cell(m.replacement ?? '')} | ${m.status} |`);
    }
  }
  for (const k of Object.keys(total)) total[k] += c[k];
  rows.push(`| ${name} | ${c.mutants} | ${c.killed} | ${c.survived} | ${c.noCov} | ${pct(c.killed, c.mutants)} | ${pct(c.killed, c.killed + c.survived)} |`);
}
if (rangesOnly) {
  console.log([...new Set(ranges)].join(','));
  process.exit(0);
}
console.log('| file | mutants | killed | survived | no coverage | score | score of covered |');
console.log('|---|---|---|---|---|---|---|');
for (const r of rows) console.log(r);
console.log(`| **all measured** | ${total.mutants} | ${total.killed} | ${total.survived} | ${total.noCov} | ${pct(total.killed, total.mutants)} | ${pct(total.killed, total.killed + total.survived)} |`);
console.log('\n| where | mutator | mutation | status |\n|---|---|---|---|');
for (const o of open) console.log(o);
