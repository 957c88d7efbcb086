// StrykerJS configuration for `npm run mutate` (scripts/mutate.mjs); not part of `npm test`. docs/testing.md has
// the scores. Mutants are made in the TypeScript sources; the sandbox is built once with tsc; the tap runner runs
// the compiled node:test files, and (per-file coverage) each mutant only runs the files that executed it.
// TRAM_MUTATE_TESTS (comma-separated globs) narrows the test files, e.g. to the tests of one module.
const tests = process.env.TRAM_MUTATE_TESTS
  ? process.env.TRAM_MUTATE_TESTS.split(',').filter(Boolean)
  : [
      // Everything under optim and analysis except the two slowest files (toy.test 57 s, memory.test 25 s a run
      // on 2 cores): they add training-curve and leak checks, not value checks.
      'out/test/optim/!(toy|memory).test.js',
      'out/test/analysis/*.test.js',
    ];

// `node scripts/mutation-sample.mjs run` names its sample here: the 'sample' ignorer then keeps only sampled mutants.
const sampled = process.env.TRAM_MUTATION_SAMPLE
  ? { plugins: ['@stryker-mutator/*', './scripts/mutation-sample-ignorer.mjs'], ignorers: ['sample'] }
  : {};

export default {
  ...sampled,
  packageManager: 'npm',
  testRunner: 'tap',
  tap: { testFiles: tests, nodeArgs: ['--test-reporter=tap'] },
  buildCommand: 'npx tsc -p .',
  coverageAnalysis: 'perTest',
  mutate: ['kernel/optim/**/*.ts', 'kernel/analysis/**/*.ts', 'kernel/runtime/**/*.ts'],
  ignorePatterns: ['out', 'dist', '.cache', 'test-results', 'reports', 'bench/results', 'docs', '*.vsix'],
  incremental: true,
  // Committed: it holds every finished mutant's result, so a rerun of one file keeps the others' results.
  incrementalFile: 'reports/mutation/stryker-incremental.json',
  concurrency: 1,
  timeoutMS: 60000,
  disableTypeChecks: '{kernel,test,bench,extension,scripts}/**/*.ts',
  reporters: ['clear-text', 'json', 'progress'],
  jsonReporter: { fileName: 'test-results/mutation/mutation.json' },
  clearTextReporter: { allowColor: false, logTests: false, maxTestsToLog: 0 },
  tempDirName: '.stryker-tmp',
  cleanTempDir: 'always',
};
