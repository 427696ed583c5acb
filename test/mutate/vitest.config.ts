import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

/**
 * The tests a mutation run uses: those that run spex in-process. The others run the built CLI
 * (dist/) in a child process, where a mutant of src/ cannot reach, so they could never kill
 * one and would only slow the run.
 */
export default defineConfig({
  test: {
    root: fileURLToPath(new URL('../..', import.meta.url)),
    // SPEX_MUTATE_TESTS (comma-separated globs) narrows the tests, for a run over a few files.
    include: process.env['SPEX_MUTATE_TESTS']?.split(',') ?? [
      'test/explore/**/*.test.ts',
      'test/lang/*.test.ts',
      'test/values/**/*.test.ts',
      'test/packed.test.ts',
      'test/tlaplus.test.ts',
      'test/temporal.test.ts',
      'test/engine/*.test.ts',
      'test/constraints.test.ts',
      'test/procedures.test.ts',
      'test/refine.test.ts',
    ],
    testTimeout: 180_000,
  },
});
