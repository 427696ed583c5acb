/**
 * Crews of worker threads kept between searches (src/explore/parallel/supervisor.ts): a search
 * that ends with its workers idle gives its crew back, and the next search of the process that
 * wants as many workers of the same role, under the same SPEX_ variables, takes it instead of
 * starting threads. Through the built command line in this process (the crews are the
 * process's), counting the crews the built supervisor module started. Each test sets a
 * variable of its own (SPEX_TEST_CREW_TAG), which no crew of another test shares.
 */
import { describe, expect, it } from 'vitest';
import { scrub, spexHere, withoutW001 } from './support/cli.js';

const supervisorUrl = new URL('../dist/explore/parallel/supervisor.js', import.meta.url).href;
const { crewCounts, MAX_IDLE_CREWS } = (await import(/* @vite-ignore */ supervisorUrl)) as { crewCounts: () => { started: number; idle: number }; MAX_IDLE_CREWS: number };

let tags = 0;
function tag(): string {
  return `${process.pid}-${++tags}`;
}

/** `spex args` here, and how many crews it started. */
function counted(args: string[], env: Record<string, string>): { code: number; stdout: string; stderr: string; started: number } {
  const before = crewCounts().started;
  const r = spexHere(args, { SPEX_WORKERS_EAGER: '1', ...env });
  return { ...r, started: crewCounts().started - before };
}

describe('crews of worker threads', () => {
  it('a file of three temporal checks on 2 threads starts one crew, with the one-thread results', () => {
    const env = { SPEX_TEST_CREW_TAG: tag() };
    const one = spexHere(['check', 'spec/examples/peterson.spex', '--workers', '1']);
    const two = counted(['check', 'spec/examples/peterson.spex', '--workers', '2'], env);
    expect(two.started).toBe(1);
    expect(two.code).toBe(one.code);
    expect(scrub(two.stdout)).toBe(scrub(one.stdout));
    expect(withoutW001(two.stderr)).toBe('');
    // And the next command of the process, on both engines, takes it again.
    expect(counted(['check', 'spec/examples/peterson.spex', '--workers', '2'], env).started).toBe(0);
    const generic = counted(['check', 'spec/bench/counter-grid.spex', '--workers', '2', '--engine', 'generic', '--const', 'K=5'], env);
    const generic2 = counted(['check', 'spec/bench/counter-grid.spex', '--workers', '2', '--engine', 'generic', '--const', 'K=6'], env);
    expect([generic.code, generic.started, generic2.code, generic2.started]).toEqual([0, 1, 0, 0]);
    expect(scrub(generic2.stdout)).toBe(scrub(spexHere(['check', 'spec/bench/counter-grid.spex', '--workers', '1', '--engine', 'generic', '--const', 'K=6']).stdout));
  });

  it('keeps a crew per thread count, and at most MAX_IDLE_CREWS', () => {
    const env = { SPEX_TEST_CREW_TAG: tag() };
    const runs = ['2', '3', '2', '3'].map((w) => counted(['check', 'spec/bench/counter-grid.spex', '--const', 'K=5', '--workers', w], env));
    expect(runs.map((r) => [r.code, r.started])).toEqual([[0, 1], [0, 1], [0, 0], [0, 0]]);
    for (let i = 0; i < MAX_IDLE_CREWS + 2; i++) counted(['check', 'spec/bench/counter-grid.spex', '--const', 'K=5', '--workers', '2'], { SPEX_TEST_CREW_TAG: tag() });
    expect(crewCounts().idle).toBe(MAX_IDLE_CREWS);
  });

  it('takes no crew started under other SPEX_ variables', () => {
    const env = { SPEX_TEST_CREW_TAG: tag() };
    expect(counted(['check', 'spec/bench/counter-grid.spex', '--const', 'K=5', '--workers', '2'], env).started).toBe(1);
    expect(counted(['check', 'spec/bench/counter-grid.spex', '--const', 'K=5', '--workers', '2'], { ...env, SPEX_NO_CACHE: '1' }).started).toBe(1);
  });

  it('does not keep a crew one of whose workers died', () => {
    const env = { SPEX_TEST_CREW_TAG: tag(), SPEX_TEST_WORKER_EXIT: '1' };
    for (const engine of ['packed', 'generic']) {
      for (let i = 0; i < 2; i++) {
        const r = counted(['check', 'spec/bench/counter-grid.spex', '--workers', '2', '--engine', engine], env);
        expect(r.code).toBe(255);
        expect(r.stderr).toContain('internal error: exploration worker 1 died');
        expect(r.started).toBe(1);
      }
    }
  });

  it('simulation gives its crew back too, with the same results', () => {
    const env = { SPEX_TEST_CREW_TAG: tag() };
    const args = ['simulate', 'spec/examples/twophase.spex', '--const', 'N=4', '--runs', '300', '--seed', '7', '--workers', '2'];
    const a = counted(args, env);
    const b = counted(args, env);
    expect([a.started, b.started]).toEqual([1, 0]);
    expect(scrub(b.stdout)).toBe(scrub(a.stdout));
    expect(b.code).toBe(a.code);
  });
});
