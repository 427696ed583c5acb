import fc from 'fast-check';
import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  explore,
  ModelError,
  type ExploreOptions,
  type ExploreResult,
  type Invariant,
  type Outcome,
  type Trace,
  type TransitionSystem,
} from '../../src/explore/index.js';
import { arrayFingerprint, avoid, graphModel, intFingerprint, type Edge } from './graph-model.js';

const NO_DEADLOCK: ExploreOptions = { checkDeadlock: false };
const DEADLOCK: ExploreOptions = { checkDeadlock: true };

function counts<S, L>(result: ExploreResult<S, L>): { distinct: number; generated: number; depth: number } {
  const { distinct, generated, depth } = result.stats;
  return { distinct, generated, depth };
}

function traceOf<S, L>(outcome: Outcome<S, L>): Trace<S, L> {
  if (!('trace' in outcome)) throw new Error(`expected an outcome with a trace, got ${outcome.kind}`);
  return outcome.trace;
}

/** Checks that a trace of a graph model starts in an initial node and follows its edges. */
function expectTraceFollowsGraph(trace: Trace<number, string>, initial: readonly number[], edges: readonly Edge[]): void {
  expect(trace.labels.length).toBe(trace.states.length - 1);
  expect(initial).toContain(trace.states[0]);
  for (let i = 0; i + 1 < trace.states.length; i++) {
    const from = trace.states[i]!;
    const to = trace.states[i + 1]!;
    const label = trace.labels[i]!;
    expect(edges.some(([f, t, l]) => f === from && t === to && (l ?? `${f}->${t}`) === label)).toBe(true);
  }
}

// ---------------------------------------------------------------------------------------------
// The counter grid: N processes share one lock. Acquire(i): the lock is free and i takes it.
// Release(i): i holds it, increments its own counter mod K and frees it. TLC reports
//   distinct = K^N·(N+1), generated = 2·N·K^N + 1, depth = 2·N·(K−1) + 2.
// State: [holder (-1 when free), counter_0, ..., counter_{N-1}].

type GridState = readonly number[];

function counterGrid(n: number, k: number, invariants: Invariant<GridState>[] = []): TransitionSystem<GridState, string> {
  return {
    initialStates(emit) {
      emit([-1, ...new Array<number>(n).fill(0)]);
    },
    successors(state, emit) {
      const holder = state[0]!;
      for (let i = 0; i < n; i++) {
        if (holder === -1) {
          const next = state.slice();
          next[0] = i;
          emit(next, `Acquire(${i})`);
        } else if (holder === i) {
          const next = state.slice();
          next[1 + i] = (next[1 + i]! + 1) % k;
          next[0] = -1;
          emit(next, `Release(${i})`);
        }
      }
    },
    fingerprint(state, out) {
      arrayFingerprint(state, out);
    },
    invariants,
  };
}

describe('explore: counting like TLC', () => {
  it('counts a small graph with a self-loop and a back edge', () => {
    // 0 → 1, 0 → 2, 1 → 3, 2 → 3, 3 → 3, 3 → 0
    // distinct: {0, 1, 2, 3} = 4
    // generated: 1 initial + out-degrees 2 + 1 + 1 + 2 = 7
    // depth: levels {0}, {1, 2}, {3} = 3
    const system = graphModel({ initial: [0], edges: [[0, 1], [0, 2], [1, 3], [2, 3], [3, 3], [3, 0]] });
    const result = explore(system, DEADLOCK);
    expect(result.outcome).toEqual({ kind: 'ok' });
    expect(counts(result)).toEqual({ distinct: 4, generated: 7, depth: 3 });
    expect(result.stats.queue).toBe(0);
  });

  it('counts duplicate edges and repeated initial states as generated', () => {
    // initial [0, 0, 1]; 0 → 1 twice, 1 → 2, 2 → 2
    // distinct: {0, 1, 2} = 3
    // generated: 3 initial emissions + 2 + 1 + 1 = 7
    // depth: levels {0, 1}, {2} = 2
    const system = graphModel({ initial: [0, 0, 1], edges: [[0, 1], [0, 1], [1, 2], [2, 2]] });
    const result = explore(system, DEADLOCK);
    expect(result.outcome).toEqual({ kind: 'ok' });
    expect(counts(result)).toEqual({ distinct: 3, generated: 7, depth: 2 });
  });

  it('gives a lone initial state depth 1, and an empty system depth 0', () => {
    expect(counts(explore(graphModel({ initial: [4], edges: [[4, 4]] }), DEADLOCK))).toEqual({
      distinct: 1,
      generated: 2, // the initial state and its self-loop
      depth: 1,
    });
    const empty = explore(graphModel({ initial: [], edges: [] }), DEADLOCK);
    expect(empty.outcome).toEqual({ kind: 'ok' });
    expect(counts(empty)).toEqual({ distinct: 0, generated: 0, depth: 0 });
    expect(empty.stats.bytesPerState).toBe(0);
  });

  it('counts a chain of ten states as ten levels', () => {
    // 0 → 1 → ... → 9 → 9: distinct 10, generated 1 + 10, depth 10
    const edges: Edge[] = Array.from({ length: 10 }, (_, i) => [i, Math.min(i + 1, 9)] as const);
    expect(counts(explore(graphModel({ initial: [0], edges }), DEADLOCK))).toEqual({
      distinct: 10,
      generated: 11,
      depth: 10,
    });
  });

  it.each([
    [2, 3],
    [3, 4],
    [1, 2],
    [4, 3],
  ])('matches TLC closed forms on the counter grid with N=%i, K=%i', (n, k) => {
    const result = explore(counterGrid(n, k), DEADLOCK);
    expect(result.outcome).toEqual({ kind: 'ok' });
    expect(counts(result)).toEqual({
      distinct: k ** n * (n + 1),
      generated: 2 * n * k ** n + 1,
      depth: 2 * n * (k - 1) + 2,
    });
  });

  it('reports TLC’s optimistic collision probability and the memory per state', () => {
    const result = explore(counterGrid(3, 4), DEADLOCK);
    const { distinct, generated, collisionProbability, bytesPerState, seconds, queue } = result.stats;
    expect(collisionProbability).toBe((distinct * (generated - distinct)) / 2 ** 64);
    expect(collisionProbability).toBeGreaterThan(0);
    expect(bytesPerState).toBeGreaterThan(0);
    expect(seconds).toBeGreaterThanOrEqual(0);
    expect(queue).toBe(0);
  });
});

describe('explore: invariants', () => {
  it('returns a shortest trace to the violating state that replays along the edges', () => {
    // Two ways to 5: 0 → 1 → 2 → 3 → 5 (listed first) and 0 → 4 → 5 (shorter).
    const edges: Edge[] = [[0, 1, 'a'], [1, 2, 'b'], [2, 3, 'c'], [3, 5, 'd'], [0, 4, 'e'], [4, 5, 'f']];
    const system = graphModel({ initial: [0], edges, invariants: [avoid([5], 'NotFive')] });
    const result = explore(system, NO_DEADLOCK);
    expect(result.outcome).toEqual({
      kind: 'invariant',
      invariant: 'NotFive',
      trace: { states: [0, 4, 5], labels: ['e', 'f'] },
    });
    expectTraceFollowsGraph(traceOf(result.outcome), [0], edges);
  });

  it('reports the first failing invariant in the order of system.invariants', () => {
    const system = graphModel({
      initial: [0],
      edges: [[0, 1], [1, 2]],
      invariants: [avoid([2], 'First'), avoid([1, 2], 'Second')],
    });
    const outcome = explore(system, NO_DEADLOCK).outcome;
    expect(outcome.kind === 'invariant' && outcome.invariant).toBe('Second');
    expect(traceOf(outcome).states).toEqual([0, 1]);

    const both = graphModel({ initial: [0], edges: [[0, 1]], invariants: [avoid([1], 'A'), avoid([1], 'B')] });
    const first = explore(both, NO_DEADLOCK).outcome;
    expect(first.kind === 'invariant' && first.invariant).toBe('A');
  });

  it('gives a one-state trace for a violation in an initial state', () => {
    const system = graphModel({ initial: [0, 7, 8], edges: [[0, 1]], invariants: [avoid([7])] });
    const result = explore(system, NO_DEADLOCK);
    expect(result.outcome).toEqual({ kind: 'invariant', invariant: 'Avoid', trace: { states: [7], labels: [] } });
    expect(result.stats.distinct).toBe(2);
    expect(result.stats.depth).toBe(1);
    expect(result.stats.queue).toBe(1); // state 0 was stored but never expanded
  });

  it('finds the shortest counterexample in the counter grid', () => {
    // Process 0's counter reaches K−1 after K−1 rounds of Acquire(0), Release(0).
    const k = 4;
    const system = counterGrid(3, k, [{ name: 'Below', holds: (s) => s[1]! < k - 1 }]);
    const outcome = explore(system, DEADLOCK).outcome;
    const trace = traceOf(outcome);
    expect(trace.states.length).toBe(2 * (k - 1) + 1);
    expect(trace.labels).toEqual(['Acquire(0)', 'Release(0)', 'Acquire(0)', 'Release(0)', 'Acquire(0)', 'Release(0)']);
    expect(trace.states.at(-1)).toEqual([-1, 3, 0, 0]);
  });

  it('counts the queue of unexplored states when it stops', () => {
    // Expanding 0 stores 1, then finds 2 bad: 1 is left on the queue.
    const system = graphModel({ initial: [0], edges: [[0, 1], [0, 2], [0, 3]], invariants: [avoid([2])] });
    const result = explore(system, NO_DEADLOCK);
    expect(result.outcome.kind).toBe('invariant');
    expect(result.stats.queue).toBe(1);
    expect(counts(result)).toEqual({ distinct: 3, generated: 3, depth: 2 });
  });
});

describe('explore: deadlocks', () => {
  const edges: Edge[] = [[0, 3], [3, 4], [4, 0], [0, 1], [1, 2]];

  it('reports a state without successors with a trace ending in it', () => {
    const result = explore(graphModel({ initial: [0], edges }), DEADLOCK);
    expect(result.outcome).toEqual({ kind: 'deadlock', trace: { states: [0, 1, 2], labels: ['0->1', '1->2'] } });
  });

  it('does not report deadlocks when checkDeadlock is false', () => {
    const result = explore(graphModel({ initial: [0], edges }), NO_DEADLOCK);
    expect(result.outcome).toEqual({ kind: 'ok' });
    expect(counts(result)).toEqual({ distinct: 5, generated: 6, depth: 3 });
  });

  it('does not report done states', () => {
    const result = explore(graphModel({ initial: [0], edges, done: [2] }), DEADLOCK);
    expect(result.outcome).toEqual({ kind: 'ok' });
  });

  it('does not count a self-loop as a deadlock', () => {
    expect(explore(graphModel({ initial: [0], edges: [[0, 0]] }), DEADLOCK).outcome).toEqual({ kind: 'ok' });
  });

  it('reports a deadlocked initial state with a one-state trace', () => {
    expect(explore(graphModel({ initial: [3], edges: [[0, 1]] }), DEADLOCK).outcome).toEqual({
      kind: 'deadlock',
      trace: { states: [3], labels: [] },
    });
  });
});

describe('explore: faults', () => {
  const chain: Edge[] = [[0, 1], [1, 2], [2, 3]];

  it('reports a ModelError from successors with the trace to the state being expanded', () => {
    const outcome = explore(graphModel({ initial: [0], edges: chain, faultingStates: [2] }), NO_DEADLOCK).outcome;
    expect(outcome.kind).toBe('fault');
    if (outcome.kind !== 'fault') return;
    expect(outcome.error).toBeInstanceOf(ModelError);
    expect(outcome.error.label).toBe('fault@2');
    expect(outcome.trace).toEqual({ states: [0, 1, 2], labels: ['0->1', '1->2'] });
  });

  it('reports a failing step with its label, the trace ending before it', () => {
    const outcome = explore(graphModel({ initial: [0], edges: chain, faultingEdges: [[1, 2]] }), NO_DEADLOCK).outcome;
    expect(outcome.kind === 'fault' && outcome.error.label).toBe('1->2');
    expect(traceOf(outcome)).toEqual({ states: [0, 1], labels: ['0->1'] });
  });

  it('reports a ModelError from an invariant with the trace to the state being checked', () => {
    const throwing: Invariant<number> = {
      name: 'Throws',
      holds: (n) => {
        if (n === 2) throw new ModelError('runtime', 'division by zero');
        return true;
      },
    };
    const outcome = explore(graphModel({ initial: [0], edges: chain, invariants: [throwing] }), NO_DEADLOCK).outcome;
    expect(outcome.kind === 'fault' && outcome.error.message).toBe('division by zero');
    expect(traceOf(outcome).states).toEqual([0, 1, 2]);
  });

  it('reports a ModelError from initialStates with an empty trace', () => {
    const result = explore(graphModel({ initial: [0, 1], edges: chain, faultInInitialAfter: 1 }), NO_DEADLOCK);
    expect(result.outcome.kind).toBe('fault');
    expect(traceOf(result.outcome)).toEqual({ states: [], labels: [] });
    expect(result.stats.generated).toBe(1);
  });

  it('keeps a violation found before a later fault in the same call', () => {
    // Expanding 0 emits the bad state 1 and then throws: the violation came first. Replaying
    // the trace meets the same throw after the emission it needs, which is fine.
    const system = graphModel({ initial: [0], edges: [[0, 1], [0, 2]], faultingStates: [0], invariants: [avoid([1])] });
    expect(explore(system, NO_DEADLOCK).outcome).toEqual({
      kind: 'invariant',
      invariant: 'Avoid',
      trace: { states: [0, 1], labels: ['0->1'] },
    });
    const initial = graphModel({ initial: [5, 6], edges: [], faultInInitialAfter: 2, invariants: [avoid([5])] });
    expect(explore(initial, NO_DEADLOCK).outcome).toEqual({
      kind: 'invariant',
      invariant: 'Avoid',
      trace: { states: [5], labels: [] },
    });
  });

  it('lets any other error through unchanged', () => {
    const boom = new TypeError('internal');
    const base = graphModel({ initial: [0], edges: chain });
    const fromSuccessors: TransitionSystem<number, string> = {
      ...base,
      successors: (s, emit) => {
        if (s === 1) throw boom;
        base.successors(s, emit);
      },
    };
    const fromInvariant: TransitionSystem<number, string> = {
      ...base,
      invariants: [{ name: 'Bad', holds: (s) => { if (s === 2) throw boom; return true; } }],
    };
    const fromInitial: TransitionSystem<number, string> = { ...base, initialStates: () => { throw boom; } };
    for (const system of [fromSuccessors, fromInvariant, fromInitial]) {
      expect(() => explore(system, NO_DEADLOCK)).toThrow(boom);
    }
  });
});

describe('explore: limits', () => {
  const diamond = graphModel({ initial: [0], edges: [[0, 1], [0, 2], [1, 3], [2, 3], [3, 0]] }); // 4 states

  it('accepts a state space that fits maxStates exactly', () => {
    const result = explore(diamond, { checkDeadlock: true, maxStates: 4 });
    expect(result.outcome).toEqual({ kind: 'ok' });
    expect(result.stats.distinct).toBe(4);
  });

  it('stops with the states limit when one more new state turns up, storing exactly maxStates', () => {
    const result = explore(diamond, { checkDeadlock: true, maxStates: 3 });
    expect(result.outcome).toEqual({ kind: 'limit', limit: 'states' });
    expect(result.stats.distinct).toBe(3);
    const none = explore(diamond, { checkDeadlock: true, maxStates: 0 });
    expect(none.outcome).toEqual({ kind: 'limit', limit: 'states' });
    expect(none.stats.distinct).toBe(0);
  });

  const chain: Edge[] = Array.from({ length: 10 }, (_, i) => [i, Math.min(i + 1, 9)] as const);

  it('stores states up to maxDepth and reports the depth limit when deeper new states exist', () => {
    // Levels {0}, {1}, {2} are stored and expanded; 2's successor 3 is generated, not stored.
    const result = explore(graphModel({ initial: [0], edges: chain }), { checkDeadlock: true, maxDepth: 3 });
    expect(result.outcome).toEqual({ kind: 'limit', limit: 'depth' });
    expect(counts(result)).toEqual({ distinct: 3, generated: 4, depth: 3 });
  });

  it('does not find a violation beyond maxDepth, reporting the depth limit instead', () => {
    const system = graphModel({ initial: [0], edges: chain, invariants: [avoid([5])] });
    expect(explore(system, { checkDeadlock: true, maxDepth: 5 }).outcome).toEqual({ kind: 'limit', limit: 'depth' });
    expect(explore(system, { checkDeadlock: true, maxDepth: 6 }).outcome.kind).toBe('invariant');
  });

  it('prefers a violation found within maxDepth over the depth limit', () => {
    const system = graphModel({ initial: [0], edges: chain, invariants: [avoid([1])] });
    expect(explore(system, { checkDeadlock: true, maxDepth: 3 }).outcome.kind).toBe('invariant');
  });

  it('is not a depth limit when the space is exactly maxDepth levels deep', () => {
    expect(explore(graphModel({ initial: [0], edges: chain }), { checkDeadlock: true, maxDepth: 10 }).outcome).toEqual({
      kind: 'ok',
    });
    // At maxDepth 2, state 1 only leads back to 0, which is not new.
    expect(explore(graphModel({ initial: [0], edges: [[0, 1], [1, 0]] }), { checkDeadlock: true, maxDepth: 2 }).outcome).toEqual({
      kind: 'ok',
    });
  });

  it('still expands states at maxDepth, so deadlocks there are found', () => {
    const system = graphModel({ initial: [0], edges: [[0, 1], [1, 2]] });
    expect(explore(system, { checkDeadlock: true, maxDepth: 3 }).outcome.kind).toBe('deadlock');
    expect(explore(system, { checkDeadlock: true, maxDepth: 2 }).outcome).toEqual({ kind: 'limit', limit: 'depth' });
  });

  it('rejects nonsensical limits', () => {
    expect(() => explore(diamond, { checkDeadlock: true, maxDepth: 0 })).toThrow(RangeError);
    expect(() => explore(diamond, { checkDeadlock: true, maxStates: -1 })).toThrow(RangeError);
    expect(() => explore(diamond, { checkDeadlock: true, maxStates: 1.5 })).toThrow(RangeError);
  });
});

/**
 * counterGrid lending its states: every emission is the same array, overwritten by the next,
 * with copyState for whoever keeps one (as the packed engine does).
 */
function lendingGrid(n: number, k: number, invariants: Invariant<GridState>[] = [], copy = true): TransitionSystem<GridState, string> {
  const fresh = counterGrid(n, k, invariants);
  const lent: GridState = [];
  const lend = (emit: (s: GridState, l: string) => void) => (s: GridState, l: string) => {
    lent.length = 0;
    lent.push(...s);
    emit(lent, l);
  };
  const sys: TransitionSystem<GridState, string> = {
    initialStates: (emit) => fresh.initialStates(lend(emit as (s: GridState, l: string) => void)),
    successors: (state, emit) => fresh.successors(state, lend(emit)),
    fingerprint: fresh.fingerprint,
    invariants,
  };
  if (copy) sys.copyState = (s) => s.slice();
  return sys;
}

describe('explore: systems that lend the states they emit (copyState)', () => {
  it('keeps copies, so counts and traces are those of a system emitting fresh states', () => {
    const sum = (limit: number): Invariant<GridState> => ({ name: 'Sum', holds: (s) => s[1]! + s[2]! + s[3]! < limit });
    const withoutTime = <S, L>(r: ExploreResult<S, L>) => ({ ...r, stats: { ...r.stats, seconds: 0 } });
    expect(withoutTime(explore(lendingGrid(3, 4), DEADLOCK))).toEqual(withoutTime(explore(counterGrid(3, 4), DEADLOCK)));
    const bad = explore(lendingGrid(3, 4, [sum(5)]), DEADLOCK);
    expect(bad.outcome.kind).toBe('invariant');
    expect(withoutTime(bad)).toEqual(withoutTime(explore(counterGrid(3, 4, [sum(5)]), DEADLOCK)));
  });

  it('would go wrong without copyState (the test above can fail)', () => {
    const r = explore(lendingGrid(3, 4, [], false), DEADLOCK);
    expect(r.stats.distinct).not.toBe(explore(counterGrid(3, 4), DEADLOCK).stats.distinct);
  });
});

describe('explore: determinism and replay', () => {
  it('gives identical results on two runs', () => {
    const withoutTime = <S, L>(r: ExploreResult<S, L>) => ({ ...r, stats: { ...r.stats, seconds: 0 } });
    const ok = counterGrid(3, 4);
    expect(withoutTime(explore(ok, DEADLOCK))).toEqual(withoutTime(explore(ok, DEADLOCK)));
    const bad = counterGrid(3, 4, [{ name: 'Sum', holds: (s) => s[1]! + s[2]! + s[3]! < 5 }]);
    const first = explore(bad, DEADLOCK);
    expect(first.outcome.kind).toBe('invariant');
    expect(withoutTime(first)).toEqual(withoutTime(explore(bad, DEADLOCK)));
  });

  /** Node 0 leads to 1 and 2, and 2 is bad; `replay` says what 0 emits from the second call on. */
  function flaky(replay: number[]): TransitionSystem<number, string> {
    let calls = 0;
    return {
      initialStates: (emit) => emit(0),
      successors(state, emit) {
        if (state !== 0) return;
        for (const n of calls++ === 0 ? [1, 2] : replay) emit(n, `0->${n}`);
      },
      fingerprint: intFingerprint,
      invariants: [avoid([2])],
    };
  }

  it('throws an internal error when the replay emits a different state', () => {
    expect(() => explore(flaky([2, 1]), NO_DEADLOCK)).toThrow(/not deterministic/);
  });

  it('throws an internal error when the replay emits fewer states', () => {
    expect(() => explore(flaky([1]), NO_DEADLOCK)).toThrow(/not deterministic/);
  });
});

describe('explore: progress', () => {
  afterEach(() => {
    vi.restoreAllMocks();
  });

  it('never reports progress on a quick run', () => {
    const onProgress = vi.fn();
    explore(counterGrid(3, 4), { checkDeadlock: true, onProgress });
    expect(onProgress).not.toHaveBeenCalled();
  });

  it('reports progress when the clock says a second has passed', () => {
    let now = 0;
    vi.spyOn(Date, 'now').mockImplementation(() => (now += 1000));
    const onProgress = vi.fn();
    const result = explore(counterGrid(4, 6), { checkDeadlock: true, onProgress }); // 6480 states
    expect(onProgress).toHaveBeenCalledTimes(1);
    const p = onProgress.mock.calls[0]![0] as { distinct: number; generated: number; depth: number; queue: number };
    expect(p.distinct).toBeGreaterThan(4096);
    expect(p.distinct).toBeLessThanOrEqual(result.stats.distinct);
    expect(p.generated).toBeLessThanOrEqual(result.stats.generated);
    expect(p.queue).toBeGreaterThan(0);
  });
});

// ---------------------------------------------------------------------------------------------
// Properties on random graphs, against an independent reference search.

interface RandomGraph {
  n: number;
  edges: Edge[];
  initial: number[];
  bad: number[];
}

const randomGraph: fc.Arbitrary<RandomGraph> = fc.integer({ min: 1, max: 40 }).chain((n) =>
  fc.record({
    n: fc.constant(n),
    edges: fc.array(fc.tuple(fc.nat(n - 1), fc.nat(n - 1)), { maxLength: 3 * n }) as fc.Arbitrary<Edge[]>,
    initial: fc.array(fc.nat(n - 1), { maxLength: 4 }),
    bad: fc.uniqueArray(fc.nat(n - 1), { maxLength: 4 }),
  }),
);

/** Multi-source BFS distances from the initial nodes (undefined: unreachable). */
function reference(g: RandomGraph) {
  const out: number[][] = Array.from({ length: g.n }, () => []);
  for (const [f, t] of g.edges) out[f]!.push(t);
  const dist = new Array<number | undefined>(g.n).fill(undefined);
  let frontier = [...new Set(g.initial)];
  for (const s of frontier) dist[s] = 0;
  for (let d = 1; frontier.length > 0; d++) {
    const next: number[] = [];
    for (const s of frontier) {
      for (const t of out[s]!) {
        if (dist[t] === undefined) {
          dist[t] = d;
          next.push(t);
        }
      }
    }
    frontier = next;
  }
  const reachable = [...dist.keys()].filter((v) => dist[v] !== undefined);
  const minDist = (nodes: number[]): number | undefined => {
    const ds = nodes.map((v) => dist[v]).filter((d): d is number => d !== undefined);
    return ds.length === 0 ? undefined : Math.min(...ds);
  };
  return {
    out,
    dist,
    distinct: reachable.length,
    generated: g.initial.length + reachable.reduce((sum, v) => sum + out[v]!.length, 0),
    depth: reachable.length === 0 ? 0 : 1 + Math.max(...reachable.map((v) => dist[v]!)),
    minDist,
    sinks: reachable.filter((v) => out[v]!.length === 0),
  };
}

describe('explore: properties on random graphs', () => {
  it('counts distinct, generated and depth like a reference search', () => {
    fc.assert(
      fc.property(randomGraph, (g) => {
        const ref = reference(g);
        const result = explore(graphModel({ initial: g.initial, edges: g.edges }), NO_DEADLOCK);
        expect(result.outcome).toEqual({ kind: 'ok' });
        expect(counts(result)).toEqual({ distinct: ref.distinct, generated: ref.generated, depth: ref.depth });
      }),
      { numRuns: 300 },
    );
  });

  it('finds a reachable bad node with a shortest trace, and reports ok otherwise', () => {
    fc.assert(
      fc.property(randomGraph, (g) => {
        const ref = reference(g);
        const system = graphModel({ initial: g.initial, edges: g.edges, invariants: [avoid(g.bad)] });
        const { outcome } = explore(system, NO_DEADLOCK);
        const shortest = ref.minDist(g.bad);
        if (shortest === undefined) {
          expect(outcome).toEqual({ kind: 'ok' });
          return;
        }
        expect(outcome.kind).toBe('invariant');
        const trace = traceOf(outcome);
        expect(trace.states.length).toBe(shortest + 1);
        expectTraceFollowsGraph(trace, g.initial, g.edges);
        expect(g.bad).toContain(trace.states.at(-1));
      }),
      { numRuns: 300 },
    );
  });

  it('finds a reachable node without out-edges as a deadlock with a shortest trace', () => {
    fc.assert(
      fc.property(randomGraph, (g) => {
        const ref = reference(g);
        const { outcome } = explore(graphModel({ initial: g.initial, edges: g.edges }), DEADLOCK);
        const shortest = ref.minDist(ref.sinks);
        if (shortest === undefined) {
          expect(outcome).toEqual({ kind: 'ok' });
          return;
        }
        expect(outcome.kind).toBe('deadlock');
        const trace = traceOf(outcome);
        expect(trace.states.length).toBe(shortest + 1);
        expectTraceFollowsGraph(trace, g.initial, g.edges);
        expect(ref.sinks).toContain(trace.states.at(-1));
      }),
      { numRuns: 300 },
    );
  });

  it('stores at most maxStates states and hits the limit exactly when more are reachable', () => {
    fc.assert(
      fc.property(randomGraph, fc.nat(45), (g, maxStates) => {
        const ref = reference(g);
        const result = explore(graphModel({ initial: g.initial, edges: g.edges }), { checkDeadlock: false, maxStates });
        expect(result.stats.distinct).toBe(Math.min(maxStates, ref.distinct));
        expect(result.outcome).toEqual(ref.distinct > maxStates ? { kind: 'limit', limit: 'states' } : { kind: 'ok' });
      }),
      { numRuns: 300 },
    );
  });

  it('stores exactly the states within maxDepth and hits the limit exactly when deeper ones exist', () => {
    fc.assert(
      fc.property(randomGraph, fc.integer({ min: 1, max: 12 }), (g, maxDepth) => {
        const ref = reference(g);
        const result = explore(graphModel({ initial: g.initial, edges: g.edges }), { checkDeadlock: false, maxDepth });
        const within = ref.dist.filter((d) => d !== undefined && d < maxDepth).length;
        expect(result.stats.distinct).toBe(within);
        expect(result.stats.generated).toBe(
          g.initial.length +
            ref.dist.reduce<number>((sum, d, v) => (d !== undefined && d < maxDepth ? sum + ref.out[v]!.length : sum), 0),
        );
        expect(result.outcome).toEqual(ref.depth > maxDepth ? { kind: 'limit', limit: 'depth' } : { kind: 'ok' });
      }),
      { numRuns: 300 },
    );
  });
});
