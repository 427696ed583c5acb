import { readdirSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { configDefaults, defineConfig } from 'vitest/config';

/**
 * The tests of these folders run in one module graph per worker (`isolate: false`): each of
 * their files would otherwise start a process and import spex's modules anew, some 0.3 s
 * apiece for tests that often take milliseconds (the suite, idle: 227 s against 242 s with
 * only the unit tests' folders shared). They keep no state between files: the command line they
 * run in process (test/support/cli.ts) sets its state anew at each command.
 */
const SHARED_DIRS = ['test', 'test/engine', 'test/explore', 'test/values', 'test/lang', 'test/swarm', 'test/fuzz'];
/**
 * Files of those folders that change the state of a module (the guard's memory budget and
 * interrupt flag, environment variables the explorers read) or mock one: each runs alone.
 */
const ISOLATED = new Set([
  'test/explore/guard.test.ts',
  'test/explore/guard-mutants.test.ts',
  'test/explore/disk-explorer-mutants.test.ts',
  'test/explore/explorer.test.ts',
  'test/explore/explorer-mutants.test.ts',
  'test/explore/simulate-mutants.test.ts',
  'test/explore/vector-run-mutants.test.ts',
  'test/auto-threads.test.ts',
  'test/eval-work.test.ts',
  'test/disk.test.ts',
  'test/interrupt-long.test.ts',
]);
const shared = SHARED_DIRS.flatMap((dir) =>
  readdirSync(dir)
    .filter((name) => name.endsWith('.test.ts'))
    .map((name) => `${dir}/${name}`),
).filter((file) => !ISOLATED.has(file));

export default defineConfig({
  test: {
    // fast-check's properties draw the same cases every run (FC_SEED=random for new ones).
    setupFiles: ['test/support/fast-check-seed.ts'],
    // One test file per core: vitest's default keeps a core free, which on a 2-core machine
    // runs the files one at a time.
    maxWorkers: availableParallelism(),
    // A guard against a hang, not a measure of speed: the slowest test takes some 20 s on an
    // idle 2-core machine, and several times that beside other work.
    testTimeout: 180_000,
    // The built code (dist/, which tests run in process through test/support/cli.ts) is loaded
    // by Node as it is, not transformed: as `spex` runs it.
    server: { deps: { external: [/\/dist\//] } },
    projects: [
      { extends: true, test: { name: 'shared', include: shared, isolate: false } },
      { extends: true, test: { name: 'isolated', include: ['test/**/*.test.ts'], exclude: [...configDefaults.exclude, ...shared] } },
    ],
  },
});
