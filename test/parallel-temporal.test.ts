/**
 * Checks with temporal properties on threads: the vector explorer's (packed engine) and the
 * coordinator's (generic engine). The state
 * graph recorded from the threads' results must be the one-thread graph, edge for edge, so the
 * verdicts, the lassos, the counts and the exit codes are those of one thread. Every temporal
 * spec and fixture the packed engine takes, with 1 and 2 threads (SPEX_WORKERS_EAGER=1: the
 * workers start at once and take every level), and, every other one, with 3 threads or with
 * `--workers auto` switching between one thread and two level by level
 * (SPEX_TEST_AUTO_PATTERN), which moves the shard maps back and forth between the threads.
 * Through the built CLI: worker threads run the built code.
 */
import { describe, expect, it } from 'vitest';
import { scrub, spexHere, withoutW001 } from './support/cli.js';

function spex(args: string[], workers: string, env: Record<string, string> = {}): { code: number; stdout: string; stderr: string } {
  return spexHere([...args, '--workers', workers], { SPEX_WORKERS_EAGER: '1', ...env });
}

const cases: { name: string; args: string[] }[] = [
  ...[
    'spec/examples/peterson.spex',
    'spec/examples/turns.spex',
    'spec/examples/intermittent.spex',
    'spec/examples/requests.spex',
    'spec/bench/counter-grid-live.spex',
    'test/fixtures/temporal/lasso.spex',
    'test/fixtures/temporal/nested.spex',
    'test/fixtures/temporal/pred-error.spex',
    'test/fixtures/temporal/procs-fair.spex',
    'test/fixtures/temporal/unpacked.spex',
    'spec/memcg/idrecycle.spex',
  ].map((f) => ({ name: f, args: ['check', f] })),
  // Two actors: 390 states, where its own configuration (three) has 21,527 and took a quarter of
  // the file's time on four thread counts.
  { name: 'spec/tlaplus/readerswriters.spex NumActors=2', args: ['check', 'spec/tlaplus/readerswriters.spex', '--const', 'NumActors=2'] },
  // Levels of hundreds of states, split among the threads; a lasso found and one not.
  { name: 'counter-grid-live N=3 K=5', args: ['check', 'spec/bench/counter-grid-live.spex', '--const', 'N=3', '--const', 'K=5'] },
  // Temporal checks of the memcg library (all of it is some 80 checks).
  { name: 'memcg reparent: Scenario6_RfcAwol', args: ['check', 'spec/memcg/reparent.spex', '--check', 'Scenario6_RfcAwol'] },
  // A search cut by --max-states: inconclusive, the same on every thread count.
  { name: 'counter-grid-live, --max-states 50', args: ['check', 'spec/bench/counter-grid-live.spex', '--max-states', '50'] },
];

describe('temporal checks explored on threads give the one-thread verdicts, lassos and counts', () => {
  // Every case on 2 threads; every other one on 3 threads (three shards, on a 2-core machine:
  // the slowest runs of the file), the others with auto switching, which keeps the suite short.
  for (const [k, c] of cases.entries()) {
    it(c.name, () => {
      const one = spex(c.args, '1');
      expect(withoutW001(one.stderr)).toBe('');
      const runs: [string, ReturnType<typeof spex>][] = [
        ['2 threads', spex(c.args, '2')],
        k % 2 === 0 ? ['3 threads', spex(c.args, '3')] : ['auto, switching 1, 2', spex(c.args, 'auto', { SPEX_TEST_AUTO_PATTERN: '1,2' })],
      ];
      for (const [what, r] of runs) {
        expect(r.code, `exit code, ${what}`).toBe(one.code);
        expect(scrub(r.stdout), `output, ${what}`).toBe(scrub(one.stdout));
        // No fallback note: the threads explored it.
        expect(withoutW001(r.stderr), `stderr, ${what}`).toBe('');
      }
    }, 120_000);
  }

  // The generic engine's parallel explorer (the coordinator's merge) records the graph too.
  const generic = [
    ['check', 'spec/examples/peterson.spex'],
    ['check', 'spec/examples/requests.spex'],
    ['check', 'test/fixtures/temporal/lasso.spex'],
    ['check', 'test/fixtures/temporal/nested.spex'],
    ['check', 'test/fixtures/temporal/pred-error.spex'],
    ['check', 'test/fixtures/temporal/procs-fair.spex'],
    ['check', 'test/fixtures/temporal/unpacked.spex'],
    ['check', 'spec/bench/counter-grid-live.spex', '--const', 'N=3', '--const', 'K=5'],
    ['check', 'spec/bench/counter-grid-live.spex', '--max-states', '50'],
  ];
  for (const [k, args] of generic.entries()) {
    it(`generic engine: ${args.slice(1).join(' ')}`, () => {
      const a = [...args, '--engine', 'generic'];
      const one = spex(a, '1');
      // 2 workers for every other case, 3 for the rest: both ways of cutting levels into chunks.
      for (const w of [k % 2 === 0 ? '2' : '3']) {
        const r = spex(a, w);
        expect(r.code, `exit code, ${w} workers`).toBe(one.code);
        expect(scrub(r.stdout), `output, ${w} workers`).toBe(scrub(one.stdout));
        expect(withoutW001(r.stderr), `stderr, ${w} workers`).toBe('');
      }
    }, 120_000);
  }

  it('the threads did explore: --json says how many ran', () => {
    const r = spex(['check', 'spec/bench/counter-grid-live.spex', '--const', 'N=3', '--const', 'K=5', '--json', '--check', 'WeakAcquire'], '2');
    const stats = JSON.parse(r.stdout.split('\n').find((l) => l.includes('"event":"stats"'))!) as Record<string, unknown>;
    expect(stats).toMatchObject({ engine: 'packed', threads: 2 });
  });
});
