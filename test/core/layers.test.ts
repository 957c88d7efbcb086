// The layers of docs/architecture.md, checked on the sources: each folder of kernel/ (and extension/) imports
// only the layers below it. A new edge is a design decision: change the table here and the picture there.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';

const root = path.resolve(__dirname, '../../..');

/** Layer → the layers it may import (besides itself). Layers are kernel/<folder>, kernel/<file>.ts or extension. */
const ALLOWED: Record<string, string[]> = {
  // The widget messages (kernel/widgets/protocol.ts) are part of the protocol: allowed wherever it is.
  'kernel/protocol': ['kernel/widgets/protocol'],
  'kernel/core': [],
  'kernel/backend': [],
  'kernel/charts': ['kernel/protocol'],
  'kernel/optim': ['kernel/core'],
  'kernel/analysis': ['kernel/core'],
  'kernel/data': ['kernel/core', 'kernel/optim'],
  'kernel/experiments': ['kernel/core', 'kernel/optim', 'kernel/analysis', 'kernel/data', 'kernel/charts'],
  'kernel/golden': ['kernel/core', 'kernel/optim', 'kernel/backend'],
  'kernel/notebook': ['kernel/core', 'kernel/optim', 'kernel/analysis', 'kernel/data', 'kernel/widgets'],
  // Widgets run in the kernel process: the stepper drives an optimizer and draws with the charts.
  'kernel/widgets': ['kernel/protocol', 'kernel/optim', 'kernel/charts', 'kernel/runtime/format'],
  'kernel/index': ['kernel/notebook'],
  'kernel/demo': ['kernel/backend', 'kernel/optim'],
  // The kernel process. It loads the notebook surface and the charts by path at start (globals.ts), not by import.
  'kernel/runtime': ['kernel/protocol', 'kernel/widgets/protocol', 'kernel/widgets/registry', 'kernel/host/pgroup'],
  // Hosts talk to a kernel process; the Jupyter bridge runs the runtime in its own process.
  'kernel/host': ['kernel/protocol', 'kernel/widgets/protocol', 'kernel/runtime'],
  'kernel/cli': ['kernel/backend', 'kernel/golden', 'kernel/host', 'kernel/runtime', 'kernel/experiments'],
  // The extension is thin: protocol types, the client that starts a kernel, the types process, the chart renderer.
  extension: ['kernel/protocol', 'kernel/widgets/protocol', 'kernel/host', 'kernel/runtime', 'kernel/charts'],
};

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((e) => {
    const p = path.join(dir, e);
    return statSync(p).isDirectory() ? files(p) : p.endsWith('.ts') ? [p] : [];
  });
}

/** kernel/optim/x.ts → kernel/optim; kernel/notebook.ts → kernel/notebook; extension/** → extension. */
function layerOf(rel: string): string {
  const parts = rel.replace(/\.ts$/, '').split('/');
  if (parts[0] === 'extension') return 'extension';
  return parts.length > 2 ? `${parts[0]}/${parts[1]}` : rel.replace(/\.ts$/, '');
}

test('every import crosses layers only downward (docs/architecture.md)', () => {
  const bad: string[] = [];
  let edges = 0;
  for (const f of [...files(path.join(root, 'kernel')), ...files(path.join(root, 'extension'))]) {
    const rel = path.relative(root, f).split(path.sep).join('/');
    const from = layerOf(rel);
    const allowed = ALLOWED[from];
    if (!allowed) {
      bad.push(`${rel}: layer ${from} is not in the table (add it here and in docs/architecture.md)`);
      continue;
    }
    for (const m of readFileSync(f, 'utf8').matchAll(/(?:from |require\(|import\()\s*'(\.[^']+)'/g)) {
      const target = path.relative(root, path.resolve(path.dirname(f), m[1])).split(path.sep).join('/');
      const to = layerOf(target + '.ts');
      if (to === from) continue;
      edges++;
      if (!allowed.includes(to) && !allowed.includes(target)) bad.push(`${rel} imports ${m[1]} (${to}), which ${from} may not import`);
    }
  }
  assert.ok(edges > 20, `only ${edges} cross-layer imports found: is the scan reading the sources?`);
  assert.deepEqual(bad, []);
});
