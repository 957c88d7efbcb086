#!/usr/bin/env node
// postinstall: the `node` dev dependency (Node 24 for the node24:* test stages) declares a `node` bin, so npm links
// node_modules/.bin/node, and every `npm run`/`npm test`/`npx` would then run on Node 24 instead of the
// machine's Node. This removes that one link (only when it points into node_modules/node); the binary stays at
// node_modules/node/bin/node, where scripts/test.mjs calls it by path.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const link = path.join(root, 'node_modules', '.bin', 'node');
let target;
try {
  target = fs.readlinkSync(link);
} catch {
  process.exit(0); // no link (or not a symlink we made): nothing to do
}
if (path.resolve(path.dirname(link), target) === path.join(root, 'node_modules', 'node', 'bin', 'node')) {
  fs.unlinkSync(link);
  console.log('postinstall: removed node_modules/.bin/node (Node 24 stays at node_modules/node/bin/node)');
}
