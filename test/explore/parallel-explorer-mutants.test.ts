/**
 * The parallel explorer of encoded states (src/explore/parallel/explorer.ts) on this thread
 * alone: levels smaller than SPAWN_AT start no worker, and this thread expands them with its
 * own Expander (expand.ts), encoding the states (bytes.ts) and merging the results as it
 * merges a worker's; stops, traces, limits and the graph recorded must be explore()'s. The
 * levels on worker threads are in test/parallel.test.ts (their workers run the built code).
 */
import { describe, expect, it } from 'vitest';
import { explore } from '../../src/explore/explorer.js';
import type { ExploreOptions, ExploreResult } from '../../src/explore/explorer.js';
import { exploreParallel } from '../../src/explore/parallel/explorer.js';
import type { StateCodec } from '../../src/explore/parallel/bytes.js';
import { big, comparable, coordinatorCases, expectSameGraph, small, wide, type V, type Wide } from './parallel-phases.js';

/** Vectors of any numbers, with their length first. */
const codec: StateCodec<V> = {
  encode(s, out) {
    out.varuint(s.length);
    for (const x of s) out.f64(x);
  },
  decode(input) {
    const n = input.varuint();
    const s: V = [];
    for (let i = 0; i < n; i++) s.push(input.f64());
    return s;
  },
};

function same(w: Wide, options: Partial<ExploreOptions<V, string>> = {}, threads = 2): ExploreResult<V, string> {
  const { width: _w, ...system } = wide(w);
  const o: ExploreOptions<V, string> = { checkDeadlock: false, ...options };
  const want = explore(system, o);
  const got = exploreParallel(system, o, {
    workers: threads,
    codec,
    setup: { data: null },
    ...(o.recordGraph !== undefined ? { localTagger: (l: unknown) => o.recordGraph!.edgeTag(l as string) } : {}),
  });
  expect(comparable(got)).toEqual(comparable(want));
  expectSameGraph(got, want, o.recordGraph?.predicates.length ?? 0);
  return got;
}

describe('the parallel explorer on this thread alone, against explore()', () => {
  it('whole searches, on 2 and 3 threads asked', () => {
    for (const T of [2, 3]) {
      expect(same(small, {}, T).outcome.kind).toBe('ok');
      same(big, {}, T);
      same({ ...small, self: false, width: 4 }, {}, T);
    }
  });

  coordinatorCases(same, (system, o, tagger) => {
    const { width: _w, ...sys } = system;
    return exploreParallel(sys, o, { workers: 2, codec, setup: { data: null }, ...(tagger === true ? { localTagger: () => 0 } : {}) });
  });

  it('a system with constraints goes to explore(); recording the graph needs a tagger', () => {
    const { width: _w, ...plain } = wide(small);
    const sys = { ...plain, inModel: (s: V) => s[1] !== 3 };
    const want = explore(sys, { checkDeadlock: false });
    const got = exploreParallel(sys, { checkDeadlock: false }, { workers: 2, codec, setup: { data: null } });
    expect(comparable(got)).toEqual(comparable(want));
    expect(got.stats.distinct).toBeLessThan(explore(plain, { checkDeadlock: false }).stats.distinct);
    const checked = { ...plain, checkStep: (from: V, to: V) => (from[0] === 2 && to[1] === 7 ? { name: 'Step' } : undefined) };
    const wantStep = explore(checked, { checkDeadlock: false });
    expect(wantStep.outcome.kind).toBe('invariant');
    expect(comparable(exploreParallel(checked, { checkDeadlock: false }, { workers: 2, codec, setup: { data: null } }))).toEqual(comparable(wantStep));
    const recordGraph = { edgeTag: () => 0, predicates: [] };
    expect(() => exploreParallel(plain, { checkDeadlock: false, recordGraph }, { workers: 2, codec, setup: { data: null } })).toThrow(/needs a tagger/);
  });
});
