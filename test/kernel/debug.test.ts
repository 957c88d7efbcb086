/**
 * Debugging a cell over the kernel's inspector (#17), as a debugger would: `debug start` opens the inspector on
 * 127.0.0.1 (random port) only until `debug stop`; a cell run meanwhile is written to `cell-<id>.ts` and carries a
 * source map to it. A CDP client (test/kernel/cdp.ts) pauses before the cell's script, decodes the map itself,
 * sets a breakpoint on the compiled line of cell line 3, and checks where it stops and what the locals hold;
 * after resume the cell's output arrives and a later cell sees its variables.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { KernelClient } from '../../kernel/host/client';
import { cellSourceName, lineSourceMap, openConnections, vlq } from '../../kernel/runtime/debug';
import type { LineMap } from '../../kernel/runtime/linemap';
import { Cdp, decodeMappings } from './cdp';
import { collector, tempDir } from './helpers';
import { TENSOR_DESCRIPTION } from '../../extension/debug/tensorDescription';

let k: KernelClient;
let dir: string;
before(async () => {
  dir = tempDir();
  k = await KernelClient.start({ cwd: dir });
  if (process.env.TRAM_TEST_KERNEL_LOG) k.on('log', (t: string) => process.stderr.write(t));
});
after(async () => {
  await k.shutdown();
});

function listening(port: number): Promise<string | undefined> {
  return new Promise((resolve) => {
    const req = http.get({ host: '127.0.0.1', port, path: '/json/list' }, (res) => {
      let body = '';
      res.on('data', (c) => (body += c));
      res.on('end', () => resolve(body));
    });
    req.on('error', () => resolve(undefined));
    req.setTimeout(3000, () => {
      req.destroy();
      resolve(undefined);
    });
  });
}

test('vlq encodes as the source map spec says (hand-checked values)', () => {
  // 0 → A, 1 → C (1<<1), -1 → D ((1<<1)|1), 15 → e (30), 16 → gB (32 = 0 with continuation, then 1)
  assert.deepEqual([0, 1, -1, 15, 16].map(vlq), ['A', 'C', 'D', 'e', 'gB']);
  assert.deepEqual(decodeMappings('AAgBA'), [[[0, 0, 16, 0]]]);
  assert.equal(cellSourceName('3'), 'cell-3.ts');
  assert.equal(cellSourceName('../x y'), 'cell-___x_y.ts');
});

test('lineSourceMap: known lines map to their cell line, compiler lines between them to the one before, the ends stay unmapped', () => {
  // compiled lines 1..8; the line map knows 3 → cell 1 and 5 → cell 2 (1-based), as for header, stmt, export, stmt, export, end
  const known: Record<number, number> = { 3: 1, 5: 2 };
  const fake = { line: (n: number) => known[n] } as unknown as LineMap;
  const json = JSON.parse(lineSourceMap(fake, 'h\nh\nA\nexpA\nB\nexpB\n}\n', 'file:///c.ts', 'x.js'));
  assert.deepEqual(json.sources, ['file:///c.ts']);
  // [generated line] → source line (0-based) of its one segment, decoded by the test's own VLQ decoder
  const got = decodeMappings(json.mappings).map((segs) => (segs.length ? segs[0][2] : null));
  assert.deepEqual(got, [null, null, 0, 0, 1, null, null, null]);
});

test('the inspector listens on 127.0.0.1 only between debug start and stop', async () => {
  const srcDir = path.join(dir, 'src-a');
  const r = await k.debug('start', srcDir);
  const u = new URL(r.url!);
  assert.equal(u.protocol, 'ws:');
  assert.equal(u.hostname, '127.0.0.1');
  assert.equal(Number(u.port), r.port);
  assert.ok(r.port! > 0);
  const list = await listening(r.port!);
  assert.ok(list && list.includes(r.url!.slice('ws://'.length)), `the inspector lists its target: ${list}`);
  await k.debug('stop');
  assert.equal(await listening(r.port!), undefined, 'nothing answers on the port after stop');
  await assert.rejects(k.debug('start', 'relative/dir'), /sourceDir must be an absolute path/);
});

test('a breakpoint on cell line 3 stops there with the locals; resume finishes the cell; state is kept', async () => {
  const srcDir = path.join(dir, 'src-b');
  const { url } = await k.debug('start', srcDir);
  const cdp = await Cdp.connect(url!);
  const scripts = new Map<string, any>();
  cdp.on('Debugger.scriptParsed', (p) => scripts.set(p.scriptId, p));
  await cdp.send('Runtime.enable');
  await cdp.send('Debugger.enable');
  await cdp.send('Debugger.setInstrumentationBreakpoint', { instrumentation: 'beforeScriptWithSourceMapExecution' });
  await cdp.send('Runtime.runIfWaitingForDebugger');

  const code = "const a = tf.tensor2d([[1, 2, 3], [4, 5, 6]]);\nconst b = a.mul(2);\nconsole.log('sum', b.sum().dataSync()[0]);\nconst c = 7;";
  const out = collector();
  const firstPause = cdp.next('Debugger.paused');
  const run = k.execute('dbg', code, out.on);
  const p1 = await firstPause;
  assert.equal(p1.reason, 'instrumentation');
  const script = scripts.get(p1.callFrames[0].location.scriptId) ?? scripts.get(p1.data?.scriptId);
  assert.ok(script, 'the paused script was reported');
  // An absolute script path in the session's folder: a bare name would be taken for a Node internal and skipped.
  assert.equal(path.dirname(fileURLToPath(script.url)), srcDir, script.url);
  assert.match(script.sourceMapURL, /^data:application\/json;charset=utf-8;base64,/);
  const map = JSON.parse(Buffer.from(script.sourceMapURL.split(',')[1], 'base64').toString('utf8'));
  const cellFile = path.join(srcDir, 'cell-dbg.ts');
  assert.deepEqual(map.sources.map((s: string) => fileURLToPath(s)), [cellFile]);
  assert.equal(fs.readFileSync(cellFile, 'utf8'), code, 'the cell file holds the cell text exactly');
  // The compiled line that maps to source line 3 (0-based 2), from our own decoding of the map.
  const lines = decodeMappings(map.mappings);
  const gen = lines.findIndex((segs) => segs.some((s) => s[2] === 2));
  assert.ok(gen >= 0, `a compiled line maps to cell line 3: ${map.mappings}`);
  const { scriptSource } = await cdp.send('Debugger.getScriptSource', { scriptId: script.scriptId });
  assert.match(scriptSource.split('\n')[gen], /console\.log\('sum'/, 'the mapped compiled line is the console.log of cell line 3');
  await cdp.send('Debugger.setBreakpoint', { location: { scriptId: script.scriptId, lineNumber: gen, columnNumber: 0 } });
  const secondPause = cdp.next('Debugger.paused');
  await cdp.send('Debugger.resume');
  const p2 = await secondPause;
  assert.equal(p2.callFrames[0].location.lineNumber, gen);
  assert.equal(out.text(), '', 'stopped before line 3 printed');
  const frame = p2.callFrames[0];
  const local = frame.scopeChain.find((s: any) => s.type === 'local');
  const props = await cdp.send('Runtime.getProperties', { objectId: local.object.objectId, ownProperties: true });
  const names = props.result.map((p: any) => p.name);
  assert.ok(names.includes('a') && names.includes('b'), `locals: ${names}`);
  // The tensor description js-debug is given, evaluated on the paused local b (hand: float32, shape [2,3]).
  const b = props.result.find((p: any) => p.name === 'b');
  const desc = await cdp.send('Runtime.callFunctionOn', { functionDeclaration: TENSOR_DESCRIPTION, objectId: b.value.objectId, arguments: [{ value: 'default' }], returnByValue: true });
  assert.equal(desc.result.value, 'Tensor float32 [2,3]');
  const ev = await cdp.send('Debugger.evaluateOnCallFrame', { callFrameId: frame.callFrameId, expression: 'b.arraySync().flat().join(",")', returnByValue: true });
  assert.equal(ev.result.value, '2,4,6,8,10,12');
  await cdp.send('Debugger.resume');
  const r = await run;
  assert.equal(r.status, 'ok');
  assert.equal(out.text(), 'sum 42\n'); // 2+4+6+8+10+12
  cdp.close();
  await k.debug('stop');
  // After the session: the next cell runs normally, sees the debugged cell's variables, and gets no file.
  const later = collector();
  const r2 = await k.execute('later', 'console.log(b.shape.join("x"), c)', later.on);
  assert.equal(r2.status, 'ok', JSON.stringify(later.error()));
  assert.equal(later.text(), '2x3 7\n');
  assert.equal(fs.existsSync(path.join(srcDir, 'cell-later.ts')), false);
});

test('the tensor description: tensors, variables, disposed ones; anything else keeps the default', async () => {
  // eslint-disable-next-line @typescript-eslint/no-var-requires
  const tf = require('@tensorflow/tfjs') as typeof import('@tensorflow/tfjs');
  const describe = new Function(`return (${TENSOR_DESCRIPTION})`)() as (this: unknown, d: string) => string;
  const x = tf.zeros([4], 'int32');
  const v = tf.variable(tf.ones([3, 2]), true, 'w');
  assert.equal(describe.call(x, 'dflt'), 'Tensor int32 [4]');
  assert.equal(describe.call(v, 'dflt'), 'Variable float32 [3,2] w');
  x.dispose();
  assert.equal(describe.call(x, 'dflt'), 'Tensor int32 [4] (disposed)');
  assert.equal(describe.call({ dtype: 'x', shape: [1] }, 'dflt'), 'dflt');
  assert.equal(describe.call([1, 2], 'dflt'), 'dflt');
  v.dispose();
});

test('a top-level await cell: a breakpoint after the await stops there with the value computed after it', async () => {
  const srcDir = path.join(dir, 'src-c');
  const { url } = await k.debug('start', srcDir);
  const cdp = await Cdp.connect(url!);
  const scripts = new Map<string, any>();
  cdp.on('Debugger.scriptParsed', (p) => scripts.set(p.scriptId, p));
  await cdp.send('Debugger.enable');
  await cdp.send('Debugger.setInstrumentationBreakpoint', { instrumentation: 'beforeScriptWithSourceMapExecution' });
  const code = "const p = 20;\nawait new Promise((r) => setTimeout(r, 5));\nconst q = p + 1;\nconsole.log('q', q * 2);";
  const out = collector();
  const first = cdp.next('Debugger.paused');
  const run = k.execute('aw', code, out.on);
  const p1 = await first;
  const script = scripts.get(p1.callFrames[0].location.scriptId);
  const map = JSON.parse(Buffer.from(script.sourceMapURL.split(',')[1], 'base64').toString('utf8'));
  const lines = decodeMappings(map.mappings);
  const gen = lines.findIndex((segs) => segs.some((s) => s[2] === 3)); // cell line 4
  assert.ok(gen >= 0, map.mappings);
  // The compiled lines mapped to cell line 3 (`const q = p + 1`) are that statement and the compiler's export of
  // it that follows, not the `exports.q = exports.p = … = void 0;` header that shares its names.
  const { scriptSource } = await cdp.send('Debugger.getScriptSource', { scriptId: script.scriptId });
  const toLine3 = lines.map((segs, i) => (segs.some((s) => s[2] === 2) ? scriptSource.split('\n')[i].trim() : undefined)).filter((l) => l !== undefined);
  assert.deepEqual(toLine3, ['const q = p + 1;', 'exports.q = q;']);
  await cdp.send('Debugger.setBreakpoint', { location: { scriptId: script.scriptId, lineNumber: gen, columnNumber: 0 } });
  const second = cdp.next('Debugger.paused');
  await cdp.send('Debugger.resume');
  const p2 = await second;
  assert.equal(p2.callFrames[0].location.lineNumber, gen);
  const ev = await cdp.send('Debugger.evaluateOnCallFrame', { callFrameId: p2.callFrames[0].callFrameId, expression: 'q', returnByValue: true });
  assert.equal(ev.result.value, 21);
  await cdp.send('Debugger.resume');
  assert.equal((await run).status, 'ok');
  assert.equal(out.text(), 'q 42\n');
  cdp.close();
  await k.debug('stop');
});

test('openConnections counts the port\'s connections that are not LISTEN or TIME_WAIT (hand-written /proc lines)', () => {
  const header = '  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode\n';
  // port 8AE9 = 35561: one LISTEN (0A), one ESTABLISHED (01), one CLOSE_WAIT (08), one TIME_WAIT (06); another port 01
  const tcp = header + [
    '   0: 0100007F:8AE9 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 1 1 0 100 0 0 10 0',
    '   1: 0100007F:8AE9 0100007F:C350 01 00000000:00000000 00:00000000 00000000     0        0 2 1 0 20 4 30 10 -1',
    '   2: 0100007F:8AE9 0100007F:C351 08 00000000:00000000 00:00000000 00000000     0        0 3 1 0 20 4 30 10 -1',
    '   3: 0100007F:8AE9 0100007F:C352 06 00000000:00000000 00:00000000 00000000     0        0 0 0 0 0 0 0 0 0',
    '   4: 0100007F:1F90 0100007F:C353 01 00000000:00000000 00:00000000 00000000     0        0 4 1 0 20 4 30 10 -1',
  ].join('\n');
  const files: Record<string, string> = { '/proc/net/tcp': tcp, '/proc/net/tcp6': header };
  const read = (f: string) => {
    if (!(f in files)) throw new Error('ENOENT');
    return files[f];
  };
  assert.equal(openConnections(35561, read), 2);
  assert.equal(openConnections(8080, read), 1);
  assert.equal(openConnections(1, read), 0);
  assert.equal(openConnections(35561, () => { throw new Error('ENOENT'); }), undefined, 'no /proc: unknown');
});

test('debuggers that attach and leave at once, 40 times over: the kernel survives every reopen of its inspector', async () => {
  // Node crashes (SIGSEGV) at the next attach when the inspector closed while the last client's disconnect was
  // in flight; stop() waits for it. Each cycle: start, attach, enable, run a cell, detach, stop at once.
  for (let i = 0; i < 40; i++) {
    const { url } = await k.debug('start', path.join(dir, 'src-cycle'));
    const cdp = await Cdp.connect(url!);
    await cdp.send('Runtime.enable');
    await cdp.send('Debugger.enable');
    const r = await k.execute(`cycle${i}`, `const cycle${i} = ${i};`, collector().on);
    assert.equal(r.status, 'ok', `cycle ${i}`);
    cdp.close();
    await k.debug('stop');
  }
  const out = collector();
  assert.equal((await k.execute('alive', 'console.log(cycle0 + cycle39)', out.on)).status, 'ok');
  assert.equal(out.text(), '39\n');
});

test('an error thrown in a cell run while debugging is reported at the cell\'s line, as without the debugger', async () => {
  await k.debug('start', path.join(dir, 'src-err'));
  const out = collector();
  const r = await k.execute('err', "const ok = 1;\nthrow new RangeError('bad ' + ok);", out.on);
  await k.debug('stop');
  assert.equal(r.status, 'error');
  const e = out.error()!;
  assert.equal(e.evalue, 'bad 1');
  assert.match(e.traceback[1] ?? '', /^    at .*:2:\d+\)?$/, JSON.stringify(e.traceback));
  assert.doesNotMatch(e.traceback.join('\n'), /__tram_cell_|src-err/, 'no compiled file name or debug folder in the traceback');
});
