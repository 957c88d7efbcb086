#!/usr/bin/env node
// `npm run mutate [-- --mutate kernel/optim/divergences.ts …]`: StrykerJS mutation testing (stryker.config.mjs)
// at low priority (nice -n 15). Mutants are made in the TypeScript of kernel/optim, kernel/analysis and
// kernel/runtime; the sandbox is built once with tsc, then each mutant runs only the compiled test files that
// executed it (tap runner, per-file coverage). Incremental: reports/mutation/stryker-incremental.json (committed) keeps
// earlier results, so a rerun tests only changed code. Not part of `npm test`; scores go in docs/testing.md.
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const stryker = path.join(root, 'node_modules', '@stryker-mutator', 'core', 'bin', 'stryker.js');
const r = spawnSync('nice', ['-n', '15', process.execPath, stryker, 'run', 'stryker.config.mjs', ...process.argv.slice(2)], { cwd: root, stdio: 'inherit' });
process.exit(r.status ?? 1);
