/** `tram run` refuses a notebook that is not valid UTF-8 and leaves it byte-for-byte untouched. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { NotebookError, readNotebook } from '../../kernel/host/notebook';
import { repoRoot, tempDir } from './helpers';

function latin1Notebook(): { file: string; bytes: Buffer } {
  const json = '{"nbformat":4,"nbformat_minor":5,"metadata":{},"cells":[{"cell_type":"code","metadata":{},"source":"1 + 1 // caf\u00e9","outputs":[],"execution_count":null}]}';
  const bytes = Buffer.from(json, 'latin1'); // é as the single byte 0xE9
  const file = path.join(tempDir(), 'latin1.ipynb');
  fs.writeFileSync(file, bytes);
  return { file, bytes };
}

test('readNotebook names the file, the byte and its offset for invalid UTF-8', () => {
  const { file, bytes } = latin1Notebook();
  assert.throws(() => readNotebook(file), (e: unknown) => {
    assert.ok(e instanceof NotebookError);
    assert.ok(e.message.startsWith(`${file}: not valid UTF-8`), e.message);
    assert.match(e.message, new RegExp(`byte 0xE9 at offset ${bytes.indexOf(0xe9)}\\b`));
    assert.match(e.message, /re-save it as UTF-8/);
    return true;
  });
});

test('tram run --inplace refuses a Latin-1 notebook, exits non-zero and leaves it byte-for-byte unchanged', () => {
  const { file, bytes } = latin1Notebook();
  const r = spawnSync(process.execPath, [path.join(repoRoot, 'bin', 'tram.js'), 'run', '--inplace', file], { encoding: 'utf8', timeout: 60_000 });
  assert.notEqual(r.status, 0);
  assert.match(r.stderr, /not valid UTF-8/);
  assert.ok(r.stderr.includes(path.basename(file)));
  assert.ok(fs.readFileSync(file).equals(bytes), 'the file was modified');
});

test('a valid UTF-8 notebook with non-ASCII text still reads', () => {
  const file = path.join(tempDir(), 'utf8.ipynb');
  fs.writeFileSync(file, Buffer.from('{"nbformat":4,"nbformat_minor":5,"metadata":{},"cells":[{"cell_type":"markdown","metadata":{},"source":"café ∑"}]}', 'utf8'));
  assert.equal(readNotebook(file).cells.length, 1);
});
