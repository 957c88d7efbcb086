// Notebook-driving helpers shared by the test-only driver extensions (test/e2e/fixtures/driver and
// test/faults/driver). Packaging (test/support/driverVsix.ts) copies this file next to the driver's extension.js,
// which loads it with `require('./driverKit')(ioDir)`. Results are JSON files in ioDir; driver.log is its log.
'use strict';
const vscode = require('vscode');
const fs = require('fs');
const path = require('path');

/** Output items whose bytes are read as text (the rest are described by mime and size). */
const TEXT = /^(text\/|application\/(json|vnd\.code\.notebook\.(stdout|stderr|error))|application\/vnd\.tram\.(chart|widget)\+json)/;

module.exports = function driverKit(dir) {
  const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
  const log = (line) => fs.appendFileSync(path.join(dir, 'driver.log'), `${new Date().toISOString()} ${line}\n`);

  /** Writes <name>.json atomically (the test polls for it). */
  function write(name, data) {
    const file = path.join(dir, `${name}.json`);
    fs.writeFileSync(file + '.tmp', JSON.stringify(data, null, 1));
    fs.renameSync(file + '.tmp', file);
    log(`wrote ${name}.json`);
  }

  async function waitFor(what, predicate, timeoutMs) {
    const t0 = Date.now();
    for (;;) {
      const v = predicate();
      if (v) return v;
      if (Date.now() - t0 > timeoutMs) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
      await sleep(100);
    }
  }

  const outputText = (cell) =>
    cell.outputs.flatMap((o) => o.items.map((i) => (TEXT.test(i.mime) ? Buffer.from(i.data).toString('utf8') : ''))).join('');

  /** A cell as the tests read it: source, execution order, success, outputs (text decoded), all text, mimes. */
  function describeCell(cell) {
    return {
      index: cell.index,
      kind: cell.kind === vscode.NotebookCellKind.Code ? 'code' : 'markup',
      source: cell.document.getText(),
      executionOrder: cell.executionSummary ? cell.executionSummary.executionOrder : undefined,
      success: cell.executionSummary ? cell.executionSummary.success : undefined,
      outputs: cell.outputs.map((o) => ({
        items: o.items.map((i) => ({ mime: i.mime, text: TEXT.test(i.mime) ? Buffer.from(i.data).toString('utf8') : undefined, bytes: i.data.byteLength })),
      })),
      text: outputText(cell),
      mimes: cell.outputs.flatMap((o) => o.items.map((i) => i.mime)),
    };
  }

  const finished = (cell) => cell.executionSummary && cell.executionSummary.success !== undefined && cell.executionSummary.timing;

  /** Starts cell `index` and returns at once (the execute command settles only when the cell ends; a loop never does). */
  function runCell(doc, index) {
    log(`run cell ${index}`);
    vscode.commands
      .executeCommand('notebook.cell.execute', { ranges: [{ start: index, end: index + 1 }], document: doc.uri })
      .then(undefined, (e) => log(`notebook.cell.execute ${index}: ${e && e.message}`));
  }

  /** Appends TypeScript code cells; returns the index of the first. */
  async function appendCells(doc, sources) {
    const start = doc.cellCount;
    const edit = new vscode.WorkspaceEdit();
    edit.set(doc.uri, [vscode.NotebookEdit.insertCells(start, sources.map((s) => new vscode.NotebookCellData(vscode.NotebookCellKind.Code, s, 'typescript')))]);
    if (!(await vscode.workspace.applyEdit(edit))) throw new Error('could not add cells');
    return start;
  }

  async function selectKernel(editor, kernel) {
    const args = { id: kernel.id, extension: kernel.extension, notebookEditor: editor };
    try {
      await vscode.commands.executeCommand('notebook.selectKernel', args);
    } catch (e) {
      log(`notebook.selectKernel: ${e.message}; trying _notebook.selectKernel`);
      await vscode.commands.executeCommand('_notebook.selectKernel', args);
    }
    log('kernel selected');
  }

  /** Opens a notebook file in an editor and selects the kernel on it. */
  async function openWithKernel(file, kernel, settleMs = 300) {
    const doc = await vscode.workspace.openNotebookDocument(vscode.Uri.file(file));
    const editor = await vscode.window.showNotebookDocument(doc);
    await sleep(settleMs);
    await selectKernel(editor, kernel);
    return { doc, editor };
  }

  return { dir, sleep, log, write, waitFor, outputText, describeCell, finished, runCell, appendCells, selectKernel, openWithKernel };
};
