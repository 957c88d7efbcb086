#!/usr/bin/env node
// Builds the sample notebooks (notebooks/*.ipynb) from their readable sources (notebooks/src/*.ts).
//
// Source format ("percent" format): a line `// %% [markdown]` starts a markdown cell whose lines are written
// as `// text`; a line `// %%` starts a code cell. Text before the first marker is ignored (a file comment).
// The notebooks are written without outputs, with stable cell ids, for the TRAM TypeScript kernel.
//
//   node notebooks/build.mjs           write every notebook
//   node notebooks/build.mjs --check   exit 1 and name the notebooks that differ from their sources
import { readFileSync, writeFileSync, readdirSync, existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const srcDir = path.join(here, 'src');

/** Split a percent-format source into cells: [{type: 'markdown'|'code', lines: string[]}]. */
export function parseSource(text, file = 'source') {
  const cells = [];
  let cur = null;
  text.replace(/\r\n/g, '\n').split('\n').forEach((line, i) => {
    const m = /^\/\/ %%( \[markdown\])?\s*$/.exec(line);
    if (m) {
      cur = { type: m[1] ? 'markdown' : 'code', lines: [] };
      cells.push(cur);
      return;
    }
    if (!cur) return;
    if (cur.type === 'markdown') {
      if (line !== '' && line !== '//' && !line.startsWith('// ')) {
        throw new Error(`${file}:${i + 1}: a markdown cell line must start with "// " (got ${JSON.stringify(line)})`);
      }
      cur.lines.push(line.startsWith('// ') ? line.slice(3) : '');
    } else cur.lines.push(line);
  });
  for (const c of cells) {
    while (c.lines.length && c.lines[c.lines.length - 1].trim() === '') c.lines.pop();
    while (c.lines.length && c.lines[0].trim() === '') c.lines.shift();
  }
  const empty = cells.findIndex((c) => c.lines.length === 0);
  if (empty >= 0) throw new Error(`${file}: cell ${empty + 1} is empty`);
  if (cells.length === 0) throw new Error(`${file}: no cells (start cells with "// %%" or "// %% [markdown]")`);
  return cells;
}

/** nbformat 4.5 notebook JSON text for a source. */
export function toNotebook(text, name) {
  const cells = parseSource(text, name).map((c, i) => {
    const source = c.lines.map((l, k) => (k < c.lines.length - 1 ? `${l}\n` : l));
    const id = `${name.replace(/[^A-Za-z0-9-]/g, '-').slice(0, 40)}-${i}`;
    return c.type === 'markdown'
      ? { cell_type: 'markdown', id, metadata: {}, source }
      : { cell_type: 'code', execution_count: null, id, metadata: {}, outputs: [], source };
  });
  const nb = {
    cells,
    metadata: {
      kernelspec: { display_name: 'TRAM TypeScript', language: 'typescript', name: 'tram' },
      language_info: { name: 'typescript', file_extension: '.ts', mimetype: 'text/typescript' },
    },
    nbformat: 4,
    nbformat_minor: 5,
  };
  return JSON.stringify(nb, null, 1) + '\n';
}

export function sources() {
  if (!existsSync(srcDir)) return [];
  return readdirSync(srcDir).filter((f) => f.endsWith('.ts')).sort().map((f) => ({
    src: path.join(srcDir, f),
    out: path.join(here, f.replace(/\.ts$/, '.ipynb')),
    name: f.replace(/\.ts$/, ''),
  }));
}

function main() {
  const check = process.argv.includes('--check');
  const stale = [];
  for (const s of sources()) {
    const want = toNotebook(readFileSync(s.src, 'utf8'), s.name);
    const have = existsSync(s.out) ? readFileSync(s.out, 'utf8') : null;
    if (have === want) continue;
    if (check) stale.push(path.relative(process.cwd(), s.out));
    else {
      writeFileSync(s.out, want);
      console.log(`wrote ${path.relative(process.cwd(), s.out)}`);
    }
  }
  const orphans = readdirSync(here).filter((f) => f.endsWith('.ipynb') && !existsSync(path.join(srcDir, f.replace(/\.ipynb$/, '.ts'))));
  if (check && (stale.length || orphans.length)) {
    for (const f of stale) console.error(`${f} differs from its source in notebooks/src/: run node notebooks/build.mjs`);
    for (const f of orphans) console.error(`notebooks/${f} has no source in notebooks/src/`);
    process.exit(1);
  }
  if (check) console.log(`${sources().length} notebooks match their sources`);
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) main();
