/**
 * The vector explorer's coordinator (src/explore/parallel/vector-explorer.ts) on this thread
 * alone: a policy that never wants its workers (or searches too short to start them) runs every
 * level through the one-pass expansion, the replay index, the traces, the stops and the graph
 * recorded, which must give explore()'s results exactly, whatever the thread count asked. The
 * levels on worker threads are in test/auto-threads.test.ts and test/packed-parallel.test.ts
 * (their workers run the built code), the phases in parallel-vectors-mutants.test.ts.
 */
import { describe, expect, it } from 'vitest';
import { explore } from '../../src/explore/explorer.js';
import type { ExploreOptions, ExploreResult } from '../../src/explore/explorer.js';
import { exploreVectorsParallel } from '../../src/explore/parallel/vector-explorer.js';
import type { ThreadPolicy, ThreadsReport } from '../../src/explore/parallel/auto.js';
import { big, comparable, coordinatorCases, expectSameGraph, small, wide, type V, type Wide } from './parallel-phases.js';

const alone: () => ThreadPolicy = () => ({
  wantWorkers: false,
  next: () => 1,
  record: () => {},
  describe: () => 'alone',
  most: 1,
});

function same(w: Wide, options: Partial<ExploreOptions<V, string>> = {}, threads = 2, policy = true): ExploreResult<V, string> {
  const system = wide(w);
  const o: ExploreOptions<V, string> = { checkDeadlock: false, ...options };
  const want = explore(system, o);
  const reports: ThreadsReport[] = [];
  const got = exploreVectorsParallel(system, o, {
    workers: threads,
    setup: { data: null },
    ...(policy ? { policy: alone() } : {}),
    onThreads: (r) => reports.push(r),
    ...(o.recordGraph !== undefined ? { localTagger: (l: unknown) => o.recordGraph!.edgeTag(l as string) } : {}),
  });
  expect(comparable(got)).toEqual(comparable(want));
  expect(got.stats.bytesPerState).toBeGreaterThan(0);
  expect(reports).toEqual([policy ? { threads: 1, reason: 'alone' } : { threads: 1, reason: `${threads} threads asked, but the search ended before the workers were worth starting` }]);
  expectSameGraph(got, want, o.recordGraph?.predicates.length ?? 0);
  return got;
}

describe('the vector explorer on this thread alone, against explore()', () => {
  it('whole searches, on 2 and 3 threads asked, with and without a policy', () => {
    for (const T of [2, 3]) {
      expect(same(small, {}, T).outcome.kind).toBe('ok');
      same(big, {}, T);
      same({ ...small, self: false }, {}, T, false);
      same(big, {}, T, false);
    }
  });

  coordinatorCases(same, (system, o, tagger) =>
    exploreVectorsParallel(system, o, { workers: 2, setup: { data: null }, policy: alone(), ...(tagger === true ? { localTagger: () => 0 } : {}) }),
  );

  it('successors lent in one working array, as the packed engine emits them: traces and the graph\'s replayed edges keep copies', () => {
    for (const T of [2, 3]) {
      const r = same({ ...small, lend: true, bad: (s) => s[0] === 3 && s[1] === 3 }, {}, T);
      expect(r.outcome.kind).toBe('invariant');
      const trace = (r.outcome as { trace: { states: V[] } }).trace.states;
      expect(trace.at(-1)).toEqual([3, 3]);
      expect(trace.flat().includes(-7)).toBe(false);
      same({ ...small, lend: true, side: true, self: false }, {}, T);
      // The state graph's paths replay edges: each step a copy of the emission it took.
      const recordGraph = { edgeTag: (l: string) => (l === 'up' ? -1 : l.charCodeAt(0) % 5), predicates: [(s: V) => s[1]! % 2 === 0] };
      const g = same({ ...small, lend: true }, { recordGraph }, T);
      expect(g.graph!.path(0, [g.graph!.offsets[0]!]).states.flat().includes(-7)).toBe(false);
    }
  });

  it('progress reports, one a level with a period of 0', () => {
    const seen: number[] = [];
    exploreVectorsParallel(wide(small), { checkDeadlock: false, progressPeriodMs: 0, onProgress: (p) => seen.push(p.distinct) }, { workers: 2, setup: { data: null }, policy: alone() });
    expect(seen.length).toBeGreaterThan(3);
    expect(seen.every((d, i) => i === 0 || d >= seen[i - 1]!)).toBe(true);
    expect(seen[seen.length - 1]).toBe(explore(wide(small), { checkDeadlock: false }).stats.distinct);
  });

  it('fingerprints sharing a word with the state expanded, and the fingerprint 0, 0 among the initial states', () => {
    for (const T of [2, 3]) {
      same({ ...small, halves: true, side: true }, {}, T);
      same({ ...small, halves: true, side: true, self: false }, {}, T);
      same({ ...small, halves: true, zeroAt: (s) => s[0] === 0 && s[1] === 1 }, {}, T);
      same({ ...small, halves: true, zeroAt: (s) => s[0] === 1 && s[1] === 1 }, {}, T);
    }
  });

  it('a stop and a fault in one state: the first stands', () => {
    // The state's second emission is new and bad, its third throws.
    expect(same({ ...small, bad: (s) => s[0] === 3 && s[1] === 3, faultAt: (s) => s[0] === 2 && s[1] === 1, faultAfter: 2 }).outcome.kind).toBe('invariant');
    // A fault before any emission, deadlocks checked: the fault, not a deadlock.
    expect(same({ ...small, faultAt: (s) => s[0] === 2 && s[1] === 4 }, { checkDeadlock: true }).outcome.kind).toBe('fault');
  });

  it('a system with constraints goes to explore()', () => {
    const sys = { ...wide(small), inModel: (s: V) => s[1] !== 3 };
    const want = explore(sys, { checkDeadlock: false });
    const got = exploreVectorsParallel(sys, { checkDeadlock: false }, { workers: 2, setup: { data: null }, policy: alone() });
    expect(comparable(got)).toEqual(comparable(want));
    expect(got.stats.distinct).toBeLessThan(explore(wide(small), { checkDeadlock: false }).stats.distinct);
    // And a system with a step check.
    const checked = { ...wide(small), checkStep: (from: V, to: V) => (from[0] === 2 && to[1] === 7 ? { name: 'Step' } : undefined) };
    const wantStep = explore(checked, { checkDeadlock: false });
    expect(wantStep.outcome.kind).toBe('invariant');
    expect(comparable(exploreVectorsParallel(checked, { checkDeadlock: false }, { workers: 2, setup: { data: null }, policy: alone() }))).toEqual(comparable(wantStep));
  });

  it('recording the graph needs a tagger for this thread', () => {
    const recordGraph = { edgeTag: () => 0, predicates: [] };
    expect(() => exploreVectorsParallel(wide(small), { checkDeadlock: false, recordGraph }, { workers: 2, setup: { data: null }, policy: alone() })).toThrow(/needs a tagger/);
  });

  it('the last progress report of a search that stopped gives its queue', () => {
    const reports: number[] = [];
    const o = { checkDeadlock: false, progressPeriodMs: 0, onProgress: (p: { queue: number }) => reports.push(p.queue) };
    const r = exploreVectorsParallel(wide({ ...small, bad: (s) => s[0] === 3 && s[1] === 3 }), o, { workers: 2, setup: { data: null }, policy: alone() });
    expect(r.outcome.kind).toBe('invariant');
    expect(reports[reports.length - 1]).toBe(r.stats.queue);
  });

  it('tells its policy what each level emitted, and which levels grew a table of the seen set', () => {
    const levels: { threads: number; emitted: number; grew: boolean }[] = [];
    const policy: ThreadPolicy = { ...alone(), record: (threads, emitted, _ms, grew) => levels.push({ threads, emitted, grew: grew ?? false }) };
    const r = exploreVectorsParallel(wide(big), { checkDeadlock: false }, { workers: 2, setup: { data: null }, policy });
    expect(levels.every((l) => l.threads === 1)).toBe(true);
    expect(levels.reduce((a, l) => a + l.emitted, 0)).toBe(r.stats.generated - 2 * big.roots);
    // A table doubles in a few levels only (each shard's at 768 and 1,536 fingerprints).
    const grew = levels.filter((l) => l.grew).length;
    expect(grew).toBeGreaterThan(0);
    expect(grew).toBeLessThan(levels.length - grew);
  });
});

describe('a search that starts on the one-thread explorer and goes on here (--workers auto)', () => {
  /**
   * The one-thread explorer (vector-run.ts) hands the search over at the start of level
   * `atLevel`: seen set, replay index, level, counts. Against explore() on the object-level
   * search, whatever the level and whatever stops the search.
   */
  function sameFrom(w: Wide, options: Partial<ExploreOptions<V, string>>, atLevel: number, threads = 2): ThreadsReport[] {
    const system = { ...wide(w), vectorWidth: w.width ?? 2 };
    const o: ExploreOptions<V, string> = { checkDeadlock: false, ...options };
    const want = explore(wide(w), o);
    const reports: ThreadsReport[] = [];
    const records: number[] = [];
    const policy: ThreadPolicy = { ...alone(), record: (_t, emitted) => records.push(emitted) };
    const got = exploreVectorsParallel(system, o, { workers: threads, setup: { data: null }, policy, startAlone: { afterMs: Infinity, atLevel }, onThreads: (r) => reports.push(r) });
    expect(comparable(got), `handed over at level ${atLevel}`).toEqual(comparable(want));
    // Handed over (the policy's report): the policy heard of every level the one-thread
    // explorer ran, and of the rest. Else the search ended before the level.
    expect(reports).toHaveLength(1);
    if (reports[0]!.reason === 'alone') expect(records.reduce((a, b) => a + b, 0)).toBe(got.stats.generated);
    else expect(reports[0]).toEqual({ threads: 1, reason: 'auto: the search ended before more threads were worth trying' });
    if (atLevel < got.stats.depth) expect(reports[0]!.reason).toBe('alone');
    return reports;
  }

  it('gives explore()\'s results whatever the level it goes on at, and says who ran the search', () => {
    expect(explore(wide(small), { checkDeadlock: false }).stats.depth).toBe(7);
    for (const atLevel of [1, 2, 3, 5, 7]) {
      for (const T of [2, 3]) {
        expect(sameFrom(small, {}, atLevel, T)).toEqual([{ threads: 1, reason: 'alone' }]);
        sameFrom(big, {}, atLevel, T);
      }
      sameFrom({ ...small, lend: true }, {}, atLevel);
      sameFrom({ ...small, width: 5 }, {}, atLevel);
      // The fingerprint whose mixed key is the table's empty marker, dealt to its shard.
      sameFrom({ ...small, halves: true, zeroAt: (s) => s[0] === 0 && s[1] === 1 }, {}, atLevel);
      sameFrom({ ...small, halves: true, zeroAt: (s) => s[0] === 1 && s[1] === 1 }, {}, atLevel, 3);
      sameFrom({ ...small, halves: true, side: true }, {}, atLevel);
    }
    // A search over before the level: the one-thread explorer's result, and no threads.
    expect(sameFrom(small, {}, 10_000)).toEqual([{ threads: 1, reason: 'auto: the search ended before more threads were worth trying' }]);
  });

  it('takes the one-thread explorer\'s level in chunks (SPEX_LEVEL_CHUNK: three states each)', () => {
    const saved = process.env['SPEX_LEVEL_CHUNK'];
    process.env['SPEX_LEVEL_CHUNK'] = '6';
    try {
      for (const atLevel of [2, 3, 5, 7]) {
        sameFrom(small, {}, atLevel);
        sameFrom(big, {}, atLevel, 3);
        sameFrom({ ...small, bad: (s) => s[0] === 3 && s[1] === 7 }, {}, atLevel);
      }
    } finally {
      if (saved === undefined) delete process.env['SPEX_LEVEL_CHUNK'];
      else process.env['SPEX_LEVEL_CHUNK'] = saved;
    }
  });

  it('the limits, violations, faults and deadlocks after the hand-over', () => {
    for (const atLevel of [2, 4]) {
      for (let max = 1; max <= 40; max += 3) sameFrom(small, { maxStates: max }, atLevel);
      sameFrom(small, { maxDepth: 3 }, atLevel);
      sameFrom(small, { maxDepth: 6 }, atLevel);
      sameFrom({ ...small, bad: (s) => s[0] === 3 && s[1] === 7 }, {}, atLevel);
      sameFrom({ ...small, badThrows: (s) => s[0] === 2 && s[1] === 4 }, {}, atLevel);
      sameFrom({ ...small, faultAt: (s) => s[0] === 2 && s[1] === 4, faultAfter: 2 }, {}, atLevel);
      const stuck = (s: number[]): boolean => s[0] === 2 && s[1] === 4;
      sameFrom({ ...small, stuck }, { checkDeadlock: true }, atLevel);
      sameFrom({ ...big, bad: (s) => s[0] === 3 && s[1] === 883 }, {}, atLevel);
    }
  });

  it('not with the state graph recorded, a policy of the tests\' own, or a seen set given', () => {
    const system = { ...wide(small), vectorWidth: 2 };
    const o: ExploreOptions<V, string> = { checkDeadlock: false };
    const reports: ThreadsReport[] = [];
    // `auto` with a policy given: the policy runs every level (its report), no hand-over.
    exploreVectorsParallel(system, o, { workers: 2, setup: { data: null }, auto: true, policy: alone(), onThreads: (r) => reports.push(r) });
    const recordGraph = { edgeTag: () => 0, predicates: [] };
    const r = exploreVectorsParallel(system, { ...o, recordGraph }, { workers: 2, setup: { data: null }, policy: alone(), startAlone: { afterMs: 0 }, localTagger: () => 0, onThreads: (x) => reports.push(x) });
    expect(r.graph).toBeDefined();
    expect(reports).toEqual([{ threads: 1, reason: 'alone' }, { threads: 1, reason: 'alone' }]);
  });
});
