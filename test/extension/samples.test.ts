import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { copySamples } from '../../extension/samples';

test('copies the .ipynb samples and their results folder, and never overwrites a copy the user edited', async () => {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'tram-samples-'));
  try {
    const from = path.join(tmp, 'shipped');
    const to = path.join(tmp, 'ws', 'tram-samples');
    fs.mkdirSync(from);
    fs.writeFileSync(path.join(from, '01-sam.ipynb'), '{"cells":[]}');
    fs.writeFileSync(path.join(from, '02-tram.ipynb'), '{"cells":[1]}');
    fs.writeFileSync(path.join(from, 'README.txt'), 'not a notebook');
    fs.mkdirSync(path.join(from, 'results', 'full'), { recursive: true });
    fs.writeFileSync(path.join(from, 'results', 'full', 'summary.json'), '{"seeds":[1]}');
    fs.mkdirSync(path.join(from, 'src'));
    fs.writeFileSync(path.join(from, 'src', '01-sam.ts'), '// source');
    assert.deepEqual(await copySamples(from, to), { copied: ['01-sam.ipynb', '02-tram.ipynb'], kept: [] });
    assert.deepEqual(fs.readdirSync(to).sort(), ['01-sam.ipynb', '02-tram.ipynb', 'results']);
    assert.equal(fs.readFileSync(path.join(to, 'results', 'full', 'summary.json'), 'utf8'), '{"seeds":[1]}');
    fs.writeFileSync(path.join(to, 'results', 'full', 'summary.json'), 'mine');
    fs.writeFileSync(path.join(to, '01-sam.ipynb'), 'edited');
    assert.deepEqual(await copySamples(from, to), { copied: [], kept: ['01-sam.ipynb', '02-tram.ipynb'] });
    assert.equal(fs.readFileSync(path.join(to, '01-sam.ipynb'), 'utf8'), 'edited');
    assert.equal(fs.readFileSync(path.join(to, 'results', 'full', 'summary.json'), 'utf8'), 'mine');
    assert.equal(fs.readFileSync(path.join(from, '01-sam.ipynb'), 'utf8'), '{"cells":[]}');
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
});
