// Stryker ignorer plugin 'sample' for `node scripts/mutation-sample.mjs run` (read by stryker.config.mjs when
// TRAM_MUTATION_SAMPLE names a sample file). Stryker's `--mutate` ranges, one per sampled mutant, already limit
// mutation to the sampled nodes and their descendants; this ignores every node whose source span contains no
// sampled mutant, so a sampled node's descendants (e.g. everything inside a sampled `{}` block mutant) are not run.
// What is left: the sampled mutants, plus the other mutators' mutants of the same nodes (run, not counted).
import fs from 'node:fs';
import { declareValuePlugin, PluginKind } from '@stryker-mutator/api/plugin';

const sample = process.env.TRAM_MUTATION_SAMPLE
  ? JSON.parse(fs.readFileSync(process.env.TRAM_MUTATION_SAMPLE, 'utf8')).mutants.map((m) => m.location)
  : [];

const before = (a, b) => a.line < b.line || (a.line === b.line && a.column <= b.column);

/** Stryker locations are 0-based in lines and columns; Babel's node.loc lines are 1-based. */
function contains(loc, inner) {
  const start = { line: loc.start.line - 1, column: loc.start.column };
  const end = { line: loc.end.line - 1, column: loc.end.column };
  return before(start, inner.start) && before(inner.end, end);
}

export const strykerPlugins = [
  declareValuePlugin(PluginKind.Ignore, 'sample', {
    shouldIgnore(path) {
      const loc = path.node?.loc;
      if (!loc) return undefined;
      return sample.some((s) => contains(loc, s)) ? undefined : 'not in the mutant sample';
    },
  }),
];
