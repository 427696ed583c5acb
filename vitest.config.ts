import { availableParallelism } from 'node:os';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // fast-check's properties draw the same cases every run (FC_SEED=random for new ones).
    setupFiles: ['test/support/fast-check-seed.ts'],
    // One test file per core: vitest's default keeps a core free, which on a 2-core machine
    // runs the files one at a time.
    maxWorkers: availableParallelism(),
    // A guard against a hang, not a measure of speed: the slowest test takes some 20 s on an
    // idle 2-core machine, and several times that beside other work.
    testTimeout: 180_000,
  },
});
