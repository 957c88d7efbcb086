// Test-only extension for the fault suite (test/faults/extensionRows.ts), installed next to TRAM in the
// code-server it starts. When TRAM_FAULTS_IO is set it reads plan.json there and runs the steps named in
// plan.steps, each writing <step>.json (the cells it ran, their success and decoded outputs):
//   two        a.ipynb and b.ipynb, each with its own kernel, cells run at the same time, then each reads `who`
//   killed     a cell loops in a.ipynb; the suite kills the kernel (go-kill); then a cell runs in a fresh kernel
//   reload     a busy cell in reload.ipynb; the window is reloaded under it (the extension host restarts); the
//              driver, activated again, runs a cell there in a new kernel (reload-after.json), then
//   flood      (after go-flood) a cell there prints 50 MB; then a trivial cell (is the editor still responsive?)
//   untrusted  in an untrusted workspace: runs a cell and reports what the notebook shows
//   debugRestart, debugClose  (test/faults/debugRows.ts) TRAM: Debug Cell paused at a breakpoint, then the kernel
//              restarted or the notebook closed (after go-<step>-act)
//   soak       (test/faults/soak.ts) runs `1 + 1` in side.ipynb (own kernel) and a UI command round trip once
//              (the baseline), then the training cell of soak.ipynb for plan.soak.minutes; at 1/4, 1/2, 3/4
//              of it the same probe again; then a cell in
//              soak.ipynb; saves soak.ipynb
'use strict';
const vscode = require('vscode');
const fs = require('fs');
const path = require('path');

const kit = require('./driverKit')(process.env.TRAM_FAULTS_IO);
const { dir, sleep, log, write, waitFor, outputText, describeCell, finished } = kit;

async function open(plan, name) {
  return (await kit.openWithKernel(path.join(plan.workspace, name), plan.kernel)).doc;
}

async function append(doc, source) {
  return doc.cellAt(await kit.appendCells(doc, [source]));
}

/** Starts a cell and returns at once (the execute command itself settles only when the cell ends). */
const start = (doc, cell) => kit.runCell(doc, cell.index);

async function run(doc, source, timeoutMs = 120_000) {
  const cell = await append(doc, source);
  start(doc, cell);
  await waitFor(`cell ${cell.index} of ${path.basename(doc.uri.fsPath)}`, () => finished(cell), timeoutMs);
  return cell;
}

const ENV = "console.log('env', JSON.stringify(Object.keys(process.env).sort()));";

/** Debug sessions running now (activeDebugSession can still name one that has ended). */
const debugSessions = new Map();
const debugStops = [];
let debugWatched = false;
function watchDebug() {
  if (debugWatched) return;
  debugWatched = true;
  vscode.debug.onDidStartDebugSession((s) => debugSessions.set(s.id, s.name));
  vscode.debug.onDidTerminateDebugSession((s) => debugSessions.delete(s.id));
  vscode.debug.registerDebugAdapterTrackerFactory('pwa-node', {
    createDebugAdapterTracker: (session) => ({
      onDidSendMessage(m) {
        if (m.type === 'event' && m.event === 'stopped') debugStops.push({ session, body: m.body });
      },
    }),
  });
}

/**
 * Debug Cell on the first cell of `name` with a breakpoint on its line 2; once paused writes <step>-paused.json
 * (the kernel pid the cell printed on line 1), waits for go-<step>-act, then `act(doc)` (restart or close), and
 * writes <step>.json: the debugged cell, the debug sessions still running, the breakpoints left.
 */
async function debugThen(plan, step, name, act) {
  watchDebug();
  const doc = await open(plan, name);
  const cell = doc.cellAt(0);
  vscode.debug.addBreakpoints([new vscode.SourceBreakpoint(new vscode.Location(cell.document.uri, new vscode.Position(1, 0)))]);
  const stops = debugStops.length;
  vscode.commands.executeCommand('tram.debugCell', cell).then(undefined, (e) => log(`tram.debugCell: ${e.message}`));
  await waitFor('the debugger to stop', () => debugStops.length > stops, 180_000);
  // Output printed before the breakpoint is sent when the kernel runs again: ask the paused kernel instead.
  const { session, body } = debugStops[debugStops.length - 1];
  const trace = await session.customRequest('stackTrace', { threadId: body.threadId, startFrame: 0, levels: 1 });
  const ev = await session.customRequest('evaluate', { expression: 'process.pid', frameId: trace.stackFrames[0].id, context: 'watch' });
  const pid = ev.result;
  write(`${step}-paused`, { pid: Number(pid), sessions: [...debugSessions.values()] });
  await waitFor(`go-${step}-act`, () => fs.existsSync(path.join(dir, `go-${step}-act`)), 120_000);
  await act(doc);
  await waitFor('the debug sessions to end', () => debugSessions.size === 0, 30_000).catch((e) => log(e.message));
  write(step, {
    cell: describeCell(cell),
    sessions: [...debugSessions.values()],
    breakpoints: vscode.debug.breakpoints.filter((b) => b.location).map((b) => `${b.location.uri.scheme}:${path.basename(b.location.uri.path)}:${b.location.range.start.line + 1}`),
  });
}

const steps = {
  async two(plan) {
    const a = await open(plan, 'a.ipynb');
    const b = await open(plan, 'b.ipynb');
    const setup = (who) => `const who = '${who}';\nconsole.log('pid', process.pid);\n${ENV}`;
    const [sa, sb] = await Promise.all([run(a, setup('A'), 180_000), run(b, setup('B'), 180_000)]);
    const busy = "const t0 = Date.now();\nwhile (Date.now() - t0 < 3000) await new Promise((r) => setTimeout(r, 10));\nconsole.log('span', t0, Date.now());";
    const [ba, bb] = await Promise.all([run(a, busy), run(b, busy)]);
    const [wa, wb] = await Promise.all([run(a, "console.log('who', who, process.pid);"), run(b, "console.log('who', who, process.pid);")]);
    write('two', { a: [sa, ba, wa].map(describeCell), b: [sb, bb, wb].map(describeCell) });
  },

  async flood(plan) {
    const doc = vscode.workspace.notebookDocuments.find((d) => d.uri.fsPath.endsWith('reload.ipynb')) || (await open(plan, 'reload.ipynb'));
    const big = await append(doc, "const line = 'y'.repeat(1023) + '\\n';\nfor (let i = 0; i < 50 * 1024; i++) process.stdout.write(line);");
    const t0 = Date.now();
    start(doc, big);
    const bytes = () => big.outputs.reduce((n, o) => n + o.items.reduce((m, i) => m + i.data.byteLength, 0), 0);
    let timedOut = false;
    await waitFor('the 50 MB cell', () => finished(big), 90_000).catch(() => (timedOut = true));
    const floodMs = Date.now() - t0;
    if (timedOut) {
      write('flood', { timedOut, floodMs, bytes: bytes() });
      return;
    }
    const t1 = Date.now();
    const next = await run(doc, "console.log('responsive');", 60_000);
    write('flood', { timedOut, floodMs, nextMs: Date.now() - t1, bytes: bytes(), tail: outputText(big).slice(-300), next: describeCell(next) });
  },

  async killed(plan) {
    const a = vscode.workspace.notebookDocuments.find((d) => d.uri.fsPath.endsWith('a.ipynb')) || (await open(plan, 'a.ipynb'));
    const loop = await append(a, "console.log('looping', process.pid);\nfor (;;) await new Promise((r) => setTimeout(r, 20));");
    start(a, loop);
    const pid = await waitFor('the loop to print its pid', () => (/looping (\d+)/.exec(outputText(loop)) || [])[1], 60_000);
    write('looping', { pid: Number(pid) });
    await waitFor('the loop cell to end after the kill', () => finished(loop), 60_000);
    const after = await run(a, "console.log('fresh', process.pid);\n1 + 1");
    write('killed', { loop: describeCell(loop), after: describeCell(after) });
  },

  async reload(plan) {
    const doc = await open(plan, 'reload.ipynb');
    const busy = await append(doc, "console.log('busy', process.pid);\nawait new Promise((r) => setTimeout(r, 300));\nfor (;;) {}");
    start(doc, busy);
    const pid = await waitFor('the busy cell to print its pid', () => (/busy (\d+)/.exec(outputText(busy)) || [])[1], 120_000);
    write('reload', { pid: Number(pid) });
    await sleep(300);
    // "Developer: Reload Window": the extension host (and TRAM in it) is shut down and started again.
    log('reloading the window');
    await vscode.commands.executeCommand('workbench.action.reloadWindow');
  },

  async reloadAfter(plan) {
    const doc = await open(plan, 'reload.ipynb');
    const first = doc.cellAt(0);
    start(doc, first);
    await waitFor('the first cell after the reload', () => finished(first), 120_000);
    write('reload-after', { cell: describeCell(first), cells: doc.cellCount });
    await waitFor('go-flood', () => fs.existsSync(path.join(dir, 'go-flood')), 600_000);
    await steps.flood(plan);
  },

  async soak(plan) {
    const totalMs = plan.soak.minutes * 60_000;
    const side = await open(plan, 'side.ipynb');
    const warm = side.cellAt(0);
    start(side, warm);
    await waitFor('the side notebook kernel', () => finished(warm), 180_000);
    // The same probe once before training: how fast the editor answers on this machine with nothing training.
    const b0 = Date.now();
    const base = await run(side, '1 + 1', 60_000);
    const baseCellMs = Date.now() - b0;
    const b1 = Date.now();
    await vscode.commands.executeCommand('workbench.action.files.newUntitledFile');
    await vscode.commands.executeCommand('workbench.action.closeActiveEditor');
    const baseline = { cellMs: baseCellMs, uiMs: Date.now() - b1, cell: describeCell(base) };
    log(`soak baseline: cell ${baseline.cellMs} ms, ui ${baseline.uiMs} ms`);
    const doc = await open(plan, 'soak.ipynb');
    const train = doc.cellAt(0);
    // Output changes of the training cell as the editor applied them (how many display updates reached it).
    const applied = { outputChanges: 0 };
    const watch = vscode.workspace.onDidChangeNotebookDocument((e) => {
      if (e.notebook !== doc) return;
      for (const c of e.cellChanges) if (c.cell.index === 0 && c.outputs) applied.outputChanges++;
    });
    const t0 = Date.now();
    start(doc, train);
    const pid = await waitFor('the training cell to print its pid', () => (/soak-pid (\d+)/.exec(outputText(train)) || [])[1], 180_000);
    write('soak-started', { pid: Number(pid) });
    const probes = [];
    for (const frac of [0.25, 0.5, 0.75]) {
      await waitFor(`${frac} of the soak`, () => Date.now() - t0 >= frac * totalMs || finished(train), totalMs + 60_000);
      if (finished(train)) break;
      const t1 = Date.now();
      const cell = await run(side, '1 + 1', 60_000);
      const cellMs = Date.now() - t1;
      const t2 = Date.now();
      await vscode.commands.executeCommand('workbench.action.files.newUntitledFile');
      await vscode.commands.executeCommand('workbench.action.closeActiveEditor');
      const uiMs = Date.now() - t2;
      probes.push({ atMs: Date.now() - t0, cellMs, cell: describeCell(cell), uiMs, trainingRunning: !finished(train) });
      log(`soak probe ${frac}: cell ${cellMs} ms, ui ${uiMs} ms`);
    }
    await waitFor('the training cell', () => finished(train), totalMs + 600_000);
    const trainEndAt = Date.now(); // the editor shows the cell done: every output update before it was applied
    watch.dispose();
    const trainMs = trainEndAt - t0;
    write('soak-trained', { trainMs });
    const t3 = Date.now();
    const after = await run(doc, "console.log('after', process.pid);\n2 + 2", 60_000);
    const afterMs = Date.now() - t3;
    await doc.save();
    const t = describeCell(train);
    t.text = t.text.slice(-2000);
    write('soak', { pid: Number(pid), baseline, probes, train: t, trainMs, trainEndAt, applied, afterMs, after: describeCell(after) });
  },

  // Debug Cell paused at a breakpoint, then TRAM: Restart Kernel; then a cell runs in the new kernel.
  async debugRestart(plan) {
    let after;
    await debugThen(plan, 'debugRestart', 'dbg-restart.ipynb', async (doc) => {
      await vscode.commands.executeCommand('tram.restartKernel', doc.uri);
      log('restarted under the paused cell');
      await waitFor('the debugged cell to end', () => finished(doc.cellAt(0)), 60_000);
      after = await run(doc, "console.log('fresh', process.pid);");
    });
    write('debugRestart-after', { cell: describeCell(after) });
  },

  // Debug Cell paused at a breakpoint, then the notebook is closed (its changes reverted).
  async debugClose(plan) {
    await debugThen(plan, 'debugClose', 'dbg-close.ipynb', async (doc) => {
      const tabs = () => vscode.window.tabGroups.all.flatMap((g) => g.tabs);
      const ofDoc = tabs().filter((t) => t.input && t.input.uri && t.input.uri.toString() === doc.uri.toString());
      log(`tabs: ${tabs().map((t) => t.label).join(', ')}; closing ${ofDoc.length}; dirty ${doc.isDirty}`);
      await vscode.window.tabGroups.close(ofDoc, true);
      log(`closed the notebook's tab under the paused cell; tabs now: ${tabs().map((t) => t.label).join(', ')}`);
      await waitFor('the notebook document to close', () => doc.isClosed, 30_000).catch((e) => log(`${e.message}; dirty ${doc.isDirty}`));
    });
  },

  async untrusted(plan) {
    const doc = await open(plan, 'u.ipynb');
    const first = doc.cellAt(0);
    start(doc, first);
    // The editor itself may hold the run back until the folder is trusted: then the cell never starts.
    await waitFor('the cell in the untrusted workspace', () => finished(first), 20_000).catch(() => log('the cell did not finish in 20 s'));
    write('untrusted', { isTrusted: vscode.workspace.isTrusted, cell: describeCell(first), finished: !!finished(first) });
  },
};

async function main() {
  const plan = JSON.parse(fs.readFileSync(path.join(dir, 'plan.json'), 'utf8'));
  // Activated again after the reload: finish the reload scenario.
  if (fs.existsSync(path.join(dir, 'reload.json'))) {
    log('activated after the extension host restart');
    await steps.reloadAfter(plan);
    return;
  }
  log(`plan ${JSON.stringify(plan)}`);
  for (const step of plan.steps) {
    await waitFor(`go-${step}`, () => fs.existsSync(path.join(dir, `go-${step}`)), 600_000);
    log(`step ${step}`);
    await steps[step](plan);
  }
}

exports.activate = () => {
  if (!dir) return;
  main().catch((e) => {
    log(`failed: ${e && e.stack ? e.stack : e}`);
    write('failed', { message: String(e && e.stack ? e.stack : e) });
  });
};

exports.deactivate = () => undefined;
