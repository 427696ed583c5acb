import { readdirSync, statSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { dirname, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { configDefaults, defineConfig, type Plugin } from 'vitest/config';
import { BaseSequencer, type TestSpecification } from 'vitest/node';

const ROOT = fileURLToPath(new URL('./', import.meta.url));
const SRC = `${ROOT}src/`;
const DIST = `${ROOT}dist/`;
/** Test files that mock a module (vi.mock) under what they test. */
const MOCKING = new Set(['test/explore/guard-mutants.test.ts']);

/**
 * The tests import spex's modules from src/, and run the JavaScript the build wrote for them in
 * dist/ (`npm test` builds it first; test/support/built.ts builds it again when a file of src/ is
 * newer), loaded by Node as `spex` loads it: what users run, at its speed. Transformed by vite
 * instead, every use of an imported name goes through a getter, which made the in-process runs
 * about twice as slow (the library's `spex test`, one thread: 25 s against 11 s). Files that
 * mock a module spex imports (MOCKING) keep src/, transformed, since Node's loader knows nothing
 * of vitest's mocks; so does the mutation run (test/mutate), whose mutants are of src/.
 */
function builtModules(): Plugin {
  return {
    name: 'spex-built-modules',
    enforce: 'pre',
    resolveId(source, importer) {
      if (importer === undefined || !source.startsWith('.') || MOCKING.has(importer.slice(ROOT.length))) return null;
      const path = resolve(dirname(importer), source);
      if (!path.startsWith(SRC)) return null;
      return DIST + path.slice(SRC.length).replace(/\.ts$/, '.js');
    },
  };
}
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
 * interrupt flag, environment variables the explorers read) or mock one, or that read what V8
 * learnt of the arrays spex's functions were called with (packed-smi): each runs alone.
 */
const ISOLATED = new Set([
  'test/packed-smi.test.ts',
  'test/explore/guard.test.ts',
  'test/explore/guard-mutants.test.ts',
  'test/explore/disk-explorer-mutants.test.ts',
  'test/explore/memory-checkpoint.test.ts',
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

/**
 * The longest files of the suite (idle, 2 cores: 8 to 30 s each), longest first. They start
 * first, so that none of them is left running alone at the end with a core idle. Vitest's own
 * order starts the files that took longest in the last run on this machine, and without that
 * record (a fresh clone, as in CI) the largest files: typecheck.test.ts, the smallest, ran
 * last and alone for its 14 s. The order changes only how long the suite takes.
 */
const LONGEST = [
  'test/disk.test.ts',
  'test/packed.test.ts',
  'test/parallel-temporal.test.ts',
  'test/typecheck.test.ts',
  'test/code-cache.test.ts',
  'test/parallel.test.ts',
  'test/deep-steps.test.ts',
  'test/interrupt-long.test.ts',
  'test/tlaplus.test.ts',
  'test/lang/input.test.ts',
  'test/interrupt.test.ts',
  'test/lsp/misuse.test.ts',
];

/** Each project's files: LONGEST in its order, then the others, largest first; the same order on every machine. */
class LongestFirst extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const rank = (f: TestSpecification): number => {
      const i = LONGEST.indexOf(relative(ROOT, f.moduleId));
      return i < 0 ? LONGEST.length : i;
    };
    const size = new Map(files.map((f) => [f, statSync(f.moduleId).size]));
    const project = (a: TestSpecification, b: TestSpecification): number => (a.project.name < b.project.name ? -1 : a.project.name > b.project.name ? 1 : 0);
    return [...files].sort((a, b) => project(a, b) || rank(a) - rank(b) || size.get(b)! - size.get(a)!);
  }
}

export default defineConfig({
  plugins: [builtModules()],
  test: {
    // fast-check's properties draw the same cases every run (FC_SEED=random for new ones).
    setupFiles: ['test/support/fast-check-seed.ts'],
    sequence: { sequencer: LongestFirst },
    globalSetup: ['test/support/built.ts'],
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
