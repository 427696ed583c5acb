// Mutation testing (`npm run mutate`): StrykerJS changes the code under test one small edit
// at a time (a condition negated, an operator swapped, a statement removed) and runs the
// in-process tests against each mutant; a mutant that no test notices "survives". The score
// is the share of mutants killed. See docs/testing.md.
//
//   npm run mutate                                   the whole scope below (hours on 2 cores)
//   npm run mutate -- --mutate src/lang/types.ts     one file
//   SPEX_MUTATE_TESTS='test/lang/*.test.ts' npm run mutate -- --mutate src/lang/types.ts
//                                                    ... against some of the tests only (minutes)
/** @type {import('@stryker-mutator/api/core').PartialStrykerOptions} */
export default {
  testRunner: 'vitest',
  vitest: { configFile: 'test/mutate/vitest.config.ts' },
  plugins: ['@stryker-mutator/vitest-runner'],
  mutate: [
    'src/explore/**/*.ts',
    // The parallel explorers' thread bodies and thread starters: a test that imports src/
    // starts no thread (THREAD_ENTRY and the supervisor's module resolve beside the module
    // loaded, so from src/ to src/cli/main.js, which does not exist, and to a .ts file), and
    // the workers of the tests that import dist/ run dist/. The rest of src/explore/parallel/
    // runs in-process: the auto policy, the index map, the phases (one PhaseRunner per thread
    // index, run in turn), and both coordinators on their own thread (levels too small for
    // workers, or a policy that wants none). See docs/testing.md.
    '!src/explore/parallel/worker.ts',
    '!src/explore/parallel/vector-worker.ts',
    '!src/explore/parallel/supervisor.ts',
    '!src/explore/parallel/pool.ts',
    'src/lang/types.ts',
    'src/lang/check/expressions.ts',
    'src/lang/check/base.ts',
    'src/engine/temporal.ts',
  ],
  coverageAnalysis: 'perTest',
  concurrency: 2,
  timeoutMS: 60_000,
  dryRunTimeoutMinutes: 60,
  reporters: ['clear-text', 'progress', 'html', 'json'],
  htmlReporter: { fileName: 'reports/mutation/mutation.html' },
  jsonReporter: { fileName: 'reports/mutation/mutation.json' },
  tempDirName: '.stryker-tmp',
  cleanTempDir: true,
  ignoreStatic: true,
  thresholds: { high: 80, low: 60, break: null },
};
