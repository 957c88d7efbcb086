/**
 * Writes the measured part of docs/reliability.md from test-results/faults.json (the last `npm run faults`):
 *   node out/test/faults/reliabilityDoc.js
 * Everything between the two marker lines is replaced; the promises above them are kept.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ROOT } from './hosts';
import { formatTable, type Result } from './table';

const DOC = path.join(ROOT, 'docs', 'reliability.md');
const BEGIN = '<!-- faults:begin (generated from test-results/faults.json by out/test/faults/reliabilityDoc.js) -->';
const END = '<!-- faults:end -->';

function main(): void {
  const run = JSON.parse(fs.readFileSync(path.join(ROOT, 'test-results', 'faults.json'), 'utf8')) as { date: string; seconds: number; results: Result[] };
  const pass = run.results.filter((r) => r.pass).length;
  const table = formatTable(run.results, { fault: 48, host: 26, expected: 90, observed: 200 }).replace(/\| FAIL \|/g, '| **FAIL** |');
  const body = [
    BEGIN,
    '',
    `Measured with \`npm run faults\` on ${run.date.slice(0, 16).replace('T', ' ')} UTC (Node ${process.version}, 2 cores shared with other`,
    `jobs): **${pass} of ${run.results.length} rows pass**, in ${run.seconds.toFixed(0)} s.`,
    '',
    table,
    '',
    END,
  ].join('\n');
  const doc = fs.readFileSync(DOC, 'utf8');
  const a = doc.indexOf(BEGIN);
  const b = doc.indexOf(END);
  if (a < 0 || b < 0) throw new Error(`${DOC} has no ${BEGIN} … ${END} block`);
  fs.writeFileSync(DOC, doc.slice(0, a) + body + doc.slice(b + END.length));
  console.log(`docs/reliability.md: ${pass}/${run.results.length} rows (${run.date})`);
}

main();
