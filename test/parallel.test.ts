/**
 * `--workers N`: the parallel explorer must give exactly what the single-threaded one gives —
 * the same verdict, exit code, counts and trace text — for every N. Through the built CLI
 * (npm test builds dist/ first), since worker threads run the built code.
 *
 * SPEX_WORKERS_EAGER=1 makes the parallel explorer start its workers at once and send them
 * every level, however small, so that these small specs really go through the threads (by
 * default, levels of fewer than a few hundred states are expanded on the main thread).
 */
import { readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { root, scrub, spexHere, withoutW001 } from './support/cli.js';

function spex(args: string[], workers: number, eager: boolean): { code: number; stdout: string; stderr: string } {
  return spexHere([...args, '--workers', String(workers)], { SPEX_WORKERS_EAGER: eager ? '1' : '0' });
}

/** Runs with 1, 2 and 3 workers and expects the same exit code and output (time aside). */
function expectSameForAllWorkers(args: string[], eager = true): { code: number; stdout: string } {
  const one = spex(args, 1, eager);
  expect(withoutW001(one.stderr)).toBe('');
  for (const n of [2, 3]) {
    const r = spex(args, n, eager);
    expect(r.code, `exit code with --workers ${n}`).toBe(one.code);
    expect(scrub(r.stdout), `output with --workers ${n}`).toBe(scrub(one.stdout));
  }
  return one;
}

describe('--workers N gives the same results as one worker', () => {
  it('diehard: the 6-step counterexample (exit 12)', () => {
    expect(expectSameForAllWorkers(['check', 'spec/examples/diehard.spex']).code).toBe(12);
  });

  it('tcommit and twophase: the TLC counts', () => {
    expect(expectSameForAllWorkers(['check', 'spec/examples/tcommit.spex']).stdout).toContain('34 distinct states, 94 generated, depth 7');
    expect(expectSameForAllWorkers(['check', 'spec/examples/twophase.spex']).stdout).toContain('288 distinct states, 1146 generated, depth 11');
  });

  it('the memcg RFC spec, every check', () => {
    expectSameForAllWorkers(['check', 'spec/memcg/rfc-reparent-lrus.spex']);
    expectSameForAllWorkers(['check', 'spec/memcg/rfc-reparent-lrus.spex', '--check', 'PutbackToNearestOnline', '--const', 'PAGES=3']);
  });

  it('the memcg reparenting spec: checks with and without properties in parallel', () => {
    // Two checks of the library, not all of it (some 80 checks, minutes beside other work):
    // one without temporal properties and one with them, both explored by the workers.
    for (const check of ['Scenario6_RfcAwolTwoPages', 'Scenario6_RfcAwol']) {
      const args = ['check', 'spec/memcg/reparent.spex', '--check', check];
      const one = spex(args, 1, true);
      const two = spex(args, 2, true);
      expect(two.code).toBe(one.code);
      expect(scrub(two.stdout)).toBe(scrub(one.stdout));
      expect(withoutW001(one.stderr)).toBe('');
      expect(withoutW001(two.stderr)).toBe('');
    }
  });

  it('symmetry: the same orbits, counts and counterexample, process instances and call stacks permuted on every thread', () => {
    expect(expectSameForAllWorkers(['check', 'spec/bench/twophase-symmetric.spex', '--check', 'SymmetricRMs', '--const', 'N=4']).stdout).toContain('symmetry: RM (4 values)');
    const r = expectSameForAllWorkers(['check', 'test/fixtures/cli/symmetric-workers.spex']);
    expect(r.code).toBe(12);
    expect(r.stdout).toContain('15 distinct states, 29 generated, depth 7');
    expect(r.stdout).toContain('51 distinct states, 86 generated, depth 7');
  });

  it('a deadlock (exit 11) and processes that run to their end', () => {
    expect(expectSameForAllWorkers(['check', 'test/fixtures/cli/counter.spex']).code).toBe(11);
    expectSameForAllWorkers(['check', 'test/fixtures/cli/offline-process.spex']);
  });

  it('a fault in an invariant and an empty initial set', () => {
    expectSameForAllWorkers(['check', 'test/fixtures/cli/invariant-error.spex']);
    expectSameForAllWorkers(['check', 'test/fixtures/cli/no-init.spex']);
  });

  // E716 at its count needs the stack of spex's threads, which the tests' own thread (one
  // worker, in process) lacks: test/deep-steps.test.ts compares it on 1 and 2 workers through
  // the bin.
  const runtime = readdirSync(`${root}test/fixtures/runtime`).filter((f) => f.endsWith('.spex') && !f.startsWith('E716-'));
  // A tenth of the default work budget: E715's fixture then passes it ten times sooner, and
  // no other fixture comes near it.
  for (const f of runtime) {
    it(`run-time error fixture ${f}`, () => {
      const r = expectSameForAllWorkers(['check', `test/fixtures/runtime/${f}`, '--max-eval-work', '1m']);
      expect([12, 75]).toContain(r.code);
    });
  }

  it('--max-states and --max-depth stop at the same place (exit 152)', () => {
    for (const limit of [['--max-states', '100'], ['--max-states', '1'], ['--max-depth', '5'], ['--max-depth', '1']]) {
      expect(expectSameForAllWorkers(['check', 'spec/examples/twophase.spex', ...limit]).code).toBe(152);
    }
    expect(expectSameForAllWorkers(['check', 'spec/bench/counter-grid.spex', '--const', 'N=3', '--const', 'K=5', '--max-states', '300']).code).toBe(152);
  });

  it('a search big enough to start the workers by itself (no eager mode; whether they are ready in time does not matter)', () => {
    const r = expectSameForAllWorkers(['check', 'spec/bench/counter-grid.spex', '--const', 'N=4', '--const', 'K=12'], false);
    expect(r.stdout).toContain('103680 distinct states, 165889 generated, depth 90');
  });

  it('spex test and --json runs agree too', () => {
    expectSameForAllWorkers(['test', 'spec/examples/twophase.spex', 'spec/examples/diehard.spex']);
    const one = spex(['check', 'spec/examples/diehard.spex', '--json'], 1, true);
    const two = spex(['check', 'spec/examples/diehard.spex', '--json'], 2, true);
    // Progress events come with time (one more on a busy machine): they are not results.
    const strip = (s: string): string =>
      s
        .split('\n')
        .filter((l) => !l.startsWith('{"event":"progress"'))
        .join('\n')
        .replace(/"seconds":[0-9.e-]+/g, '"seconds":0')
        .replace(/"(startedAt|time|date)":"[^"]*"/g, '"$1":""')
        // How many threads ran, and why: the one thing that differs.
        .replace(/,"threads":\d+,"threadsReason":"[^"]*"/g, '');
    expect(strip(two.stdout)).toBe(strip(one.stdout));
    expect(two.stdout).toContain('"threads":2,"threadsReason":"2 threads, as asked"');
  });
});
