/** The per-cell output cap (TRAM_MAX_OUTPUT_BYTES) and its parsing, without a kernel process. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DEFAULT_MAX_OUTPUT_BYTES, maxOutputBytes, StreamCapture, StreamName } from '../../kernel/runtime/streams';

test('TRAM_MAX_OUTPUT_BYTES: default, explicit, unlimited, and a bad value warns', () => {
  assert.equal(maxOutputBytes({}), DEFAULT_MAX_OUTPUT_BYTES);
  assert.equal(maxOutputBytes({ TRAM_MAX_OUTPUT_BYTES: '2048' }), 2048);
  assert.equal(maxOutputBytes({ TRAM_MAX_OUTPUT_BYTES: 'unlimited' }), Infinity);
  assert.equal(maxOutputBytes({ TRAM_MAX_OUTPUT_BYTES: '0' }), Infinity);
  const warnings: string[] = [];
  assert.equal(maxOutputBytes({ TRAM_MAX_OUTPUT_BYTES: '-5' }, (m) => warnings.push(m)), DEFAULT_MAX_OUTPUT_BYTES);
  assert.match(warnings[0], /TRAM_MAX_OUTPUT_BYTES must be a positive integer.*got "-5"/);
});

test('a cell over the cap keeps the first bytes (stdout and stderr together) and gets one notice at its end', () => {
  const out: { cell: string; name: StreamName; text: string }[] = [];
  const s = new StreamCapture((cell, name, text) => out.push({ cell, name, text }), () => 'c1', 100);
  s.beginCell('c1');
  s.write('stdout', 'a'.repeat(60));
  s.write('stderr', 'b'.repeat(60));
  s.write('stdout', 'c'.repeat(500));
  s.endCell('c1');
  const text = out.map((o) => o.text).join('');
  assert.ok(text.startsWith('a'.repeat(60) + 'b'.repeat(40) + '\n… output truncated: 520 bytes more'), text);
  assert.equal(out.filter((o) => /truncated/.test(o.text)).length, 1);
  assert.equal(out[out.length - 1].name, 'stderr');
  out.length = 0;
  s.beginCell('c2');
  s.write('stdout', 'x'.repeat(100), 'c2');
  s.endCell('c2');
  assert.deepEqual(out, [{ cell: 'c2', name: 'stdout', text: 'x'.repeat(100) }]);
});

test('a cut inside a multi-byte character drops the whole character', () => {
  const out: string[] = [];
  const s = new StreamCapture((_c, _n, text) => out.push(text), () => 'c', 5);
  s.beginCell('c');
  s.write('stdout', 'abcdé'); // é is 2 bytes: only 'abcd' fits
  s.endCell('c');
  assert.equal(out[0], 'abcd');
  assert.match(out[1], /2 bytes more/);
});
