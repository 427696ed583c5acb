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
import { ModelError } from '../../src/explore/system.js';
import { wide, type V, type Wide } from './parallel-phases.js';

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

/** The result without its timing and memory figures, errors as plain fields. */
function comparable(r: ExploreResult<V, string>): unknown {
  const { seconds: _s, bytesPerState: _b, collisionProbability: _c, ...stats } = r.stats as unknown as Record<string, unknown>;
  const o = r.outcome as unknown as Record<string, unknown>;
  const e = o['error'] as ModelError | undefined;
  const outcome = e !== undefined ? { ...o, error: { kind: e.kind, message: e.message, label: e.label } } : o;
  return { stats, outcome };
}

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
  if (want.graph !== undefined) {
    const g = got.graph!;
    const h = want.graph;
    expect(g.size).toBe(h.size);
    expect(Array.from(g.offsets.subarray(0, h.size + 1))).toEqual(Array.from(h.offsets.subarray(0, h.size + 1)));
    const edges = h.offsets[h.size]!;
    expect(Array.from(g.targets.subarray(0, edges))).toEqual(Array.from(h.targets.subarray(0, edges)));
    expect(Array.from(g.tags.subarray(0, edges))).toEqual(Array.from(h.tags.subarray(0, edges)));
    expect(Array.from(g.parents.subarray(0, h.size))).toEqual(Array.from(h.parents.subarray(0, h.size)));
    const preds = o.recordGraph!.predicates.length;
    for (let s = 0; s < h.size; s++) for (let i = 0; i < preds; i++) expect(g.holds(s, i)).toBe(h.holds(s, i));
    expect(g.path(h.size - 1, []).states).toEqual(h.path(h.size - 1, []).states);
    // A path on from a state along a recorded edge: the edge replayed.
    for (const step of [h.offsets[0]!, h.offsets[0]! + 1, h.offsets[1]! - 1]) {
      if (step >= h.offsets[0]! && step < h.offsets[1]!) expect(g.path(0, [step]).states).toEqual(h.path(0, [step]).states);
    }
  } else {
    expect(got.graph).toBeUndefined();
  }
  return got;
}

const small: Wide = { roots: 3, columns: 11, depth: 5, self: true };
const big: Wide = { roots: 300, columns: 900, depth: 4, self: true, width: 3 };

describe('the parallel explorer on this thread alone, against explore()', () => {
  it('whole searches, on 2 and 3 threads asked', () => {
    for (const T of [2, 3]) {
      expect(same(small, {}, T).outcome.kind).toBe('ok');
      same(big, {}, T);
      same({ ...small, self: false, width: 4 }, {}, T);
    }
  });

  it('the state limit at every count, the depth limit', () => {
    for (let max = 1; max <= 40; max += 3) same(small, { maxStates: max });
    same(big, { maxStates: 1000 });
    expect(same(small, { maxDepth: 3 }).outcome).toEqual({ kind: 'limit', limit: 'depth' });
    same(small, { maxDepth: 1 });
    same({ roots: 3, columns: 1, depth: 2 }, { maxDepth: 3 });
  });

  it('an invariant that fails or throws, with its trace', () => {
    expect(same({ ...small, bad: (s) => s[0] === 3 && s[1] === 7 }).outcome.kind).toBe('invariant');
    expect(same({ ...small, bad: (s) => s[0] === 0 && s[1] === 1 }).outcome.kind).toBe('invariant');
    expect(same({ ...small, badThrows: (s) => s[0] === 2 && s[1] === 4 }).outcome.kind).toBe('fault');
    same({ ...big, bad: (s) => s[0] === 3 && s[1] === 883 });
  });

  it('faults in successors, initial states, isDone; deadlocks', () => {
    expect(same({ ...small, faultAt: (s) => s[0] === 2 && s[1] === 4, faultAfter: 2 }).outcome.kind).toBe('fault');
    same({ ...small, faultAt: (s) => s[0] === 0 && s[1] === 2 });
    const stuck = (s: number[]): boolean => s[0] === 2 && s[1] === 4;
    expect(same({ ...small, stuck }, { checkDeadlock: true }).outcome.kind).toBe('deadlock');
    expect(same({ ...small, stuck, done: stuck }, { checkDeadlock: true }).outcome.kind).toBe('ok');
    expect(same({ ...small, stuck, doneThrows: stuck }, { checkDeadlock: true }).outcome.kind).toBe('fault');
    const { width: _w, ...sys } = wide(small);
    const initialFault = {
      ...sys,
      initialStates(emit: (s: V) => void) {
        emit([0, 0]);
        throw new ModelError('runtime', 'no more initial states');
      },
    };
    const want = explore(initialFault, { checkDeadlock: false });
    const got = exploreParallel(initialFault, { checkDeadlock: false }, { workers: 2, codec, setup: { data: null } });
    expect(comparable(got)).toEqual(comparable(want));
  });

  it('the state graph recorded: edges, tags, predicates, paths', () => {
    const predicates = Array.from({ length: 34 }, (_, k) => (s: V) => (s[1]! + k) % 4 === 0);
    const recordGraph = { edgeTag: (l: string) => (l === 'up' ? -1 : l.charCodeAt(0) % 5), predicates };
    same(small, { recordGraph });
    same(small, { recordGraph }, 3);
    same({ ...small, self: false }, { recordGraph, maxStates: 25 });
    same(small, { recordGraph, maxDepth: 3 });
    // The depth limit with nothing new left out, and the state limit at every count.
    same({ roots: 3, columns: 1, depth: 2 }, { recordGraph, maxDepth: 3 });
    same({ roots: 3, columns: 1, depth: 2 }, { recordGraph, maxDepth: 4 });
    for (let max = 2; max <= 40; max += 3) same(small, { recordGraph, maxStates: max });
    same({ ...small, bad: (s) => s[0] === 3 && s[1] === 7 }, { recordGraph });
    const throwing = [...predicates, (s: V): boolean => {
      if (s[0] === 3 && s[1] === 5) throw new ModelError('runtime', 'predicate fails');
      return true;
    }];
    expect(same(small, { recordGraph: { ...recordGraph, predicates: throwing } }).outcome.kind).toBe('fault');
  });

  it('an error that is not a ModelError is thrown on, from every callback', () => {
    const boom = (): never => {
      throw new Error('boom');
    };
    const { width: _w, ...sys } = wide({ ...small, stuck: (s) => s[0] === 2 });
    const run = (system: typeof sys, o: Partial<ExploreOptions<V, string>> = {}): unknown =>
      exploreParallel(system, { checkDeadlock: true, ...o }, { workers: 2, codec, setup: { data: null }, ...(o.recordGraph ? { localTagger: () => 0 } : {}) });
    expect(() => run({ ...sys, initialStates: boom })).toThrow('boom');
    expect(() => run({ ...sys, successors: (s, emit) => (s[0] === 1 ? boom() : sys.successors(s, emit)) })).toThrow('boom');
    expect(() => run({ ...sys, invariants: [{ name: 'I', holds: (s) => (s[0] === 2 ? boom() : true) }] })).toThrow('boom');
    expect(() => run({ ...sys, isDone: boom })).toThrow('boom');
    expect(() => run(sys, { recordGraph: { edgeTag: () => 0, predicates: [(s) => (s[0] === 2 ? boom() : true)] } })).toThrow('boom');
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
