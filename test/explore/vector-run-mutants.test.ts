/**
 * The flat-level search (src/explore/vector-run.ts) against the object-level one on hand-made
 * vector systems, no parser: levels wider than its first arrays, a number beyond 32 bits
 * turning up in the middle of a level, steps to the state itself, faults in every callback,
 * an invariant that does not hold the same twice, limits, the guard, progress reports and the
 * step counters. Both searches must give the same counts, outcome and reports.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { explore, ModelError, type ExploreOptions, type ExploreResult, type Progress, type TransitionSystem } from '../../src/explore/index.js';
import type { StepCoverage } from '../../src/explore/system.js';
import { clearInterrupt, requestInterrupt, setMemoryBudget } from '../../src/explore/guard.js';
import type { StateCodec } from '../../src/explore/parallel/bytes.js';
import { FlatFingerprintSet } from '../../src/explore/flat-set.js';
import { arrayFingerprint } from './graph-model.js';

type V = number[];

/** The states of the trees as bytes (the disk-backed search's codec): three numbers, any (also beyond 32 bits). */
const codec: StateCodec<V> = {
  encode(s, out) {
    for (const x of s) out.f64(x);
  },
  decode(input) {
    return [input.f64(), input.f64(), input.f64()];
  },
};

interface Tree {
  /** Leaves at this depth (a state [d, i] has children [d + 1, 2i] and [d + 1, 2i + 1]). */
  depth: number;
  /** Extra emissions of [d, i]: the state itself, a repeat of a child. */
  stutter?: boolean;
  /** The state [d, i] with this i (at any d) emits a child with this huge value as its third number. */
  hugeAt?: number;
  bad?: (s: V) => boolean;
  faultAt?: (s: V) => boolean;
  invariantFaultAt?: (s: V) => boolean;
  doneAtLeaves?: boolean;
  initialFault?: boolean;
}

/** A binary tree of vectors [depth, index, extra], the root [1, 0, 0]. */
function tree(t: Tree): TransitionSystem<V, string> & { vectorWidth: number } {
  return {
    vectorWidth: 3,
    initialStates(emit) {
      emit([1, 0, 0]);
      emit([1, 0, 0]);
      if (t.initialFault) throw new ModelError('runtime', 'bad initial state');
    },
    successors(s, emit) {
      const [d, i, x] = s as [number, number, number];
      if (t.faultAt?.(s)) throw new ModelError('assert', `fails at ${d},${i}`, undefined, `F(${i})`);
      if (d >= t.depth) return;
      if (t.stutter) emit([d, i, x], 'Stay');
      emit([d + 1, 2 * i, x], `L(${i})`);
      emit([d + 1, 2 * i + 1, t.hugeAt === i ? 2 ** 40 + i : x], `R(${i})`);
      if (t.stutter) emit([d + 1, 2 * i, x], `L(${i})`);
    },
    fingerprint: arrayFingerprint,
    invariants: [
      {
        name: 'Good',
        holds: (s) => {
          if (t.invariantFaultAt?.(s)) throw new ModelError('runtime', `invariant fails at ${s}`);
          return !(t.bad?.(s) ?? false);
        },
      },
    ],
    isDone: (s) => t.doneAtLeaves === true && s[0] === t.depth,
  };
}

/** The system without its width: explore() takes it through the object-level search. */
function objects<S extends { vectorWidth?: number }>(system: S): Omit<S, 'vectorWidth'> {
  const { vectorWidth: _w, ...rest } = system;
  return rest;
}

function comparable<L>(r: ExploreResult<V, L>) {
  const { seconds: _s, bytesPerState: _b, ...stats } = r.stats;
  return { outcome: r.outcome, stats };
}

/** Runs both searches; expects the same results; returns the flat one's. */
function both(system: TransitionSystem<V, string> & { vectorWidth: number }, options: ExploreOptions<V, string>): ExploreResult<V, string> {
  const flat = explore(system, options);
  const object = explore(objects(system) as TransitionSystem<V, string>, options);
  expect(comparable(flat)).toEqual(comparable(object));
  return flat;
}

afterEach(() => {
  clearInterrupt();
  setMemoryBudget(Infinity);
});

describe('the flat-level search against the object-level one', () => {
  it('agrees on a tree whose last levels are wider than its first arrays', () => {
    const r = both(tree({ depth: 13, doneAtLeaves: true }), { checkDeadlock: true });
    expect(r.outcome).toEqual({ kind: 'ok' });
    expect(r.stats.distinct).toBe(2 ** 13 - 1);
    expect(r.stats.generated).toBe(2 + 2 * (2 ** 12 - 1));
    expect(r.stats.depth).toBe(13);
    expect(r.stats.queue).toBe(0);
    expect(r.stats.bytesPerState).toBeGreaterThan(0);
  });

  it('agrees with steps to the state itself and repeated successors', () => {
    const r = both(tree({ depth: 6, stutter: true, doneAtLeaves: true }), { checkDeadlock: true });
    expect(r.stats.distinct).toBe(2 ** 6 - 1);
    expect(r.stats.generated).toBe(2 + 4 * (2 ** 5 - 1));
    both(tree({ depth: 6, stutter: true }), { checkDeadlock: true });
  });

  it('agrees when a number beyond 32 bits turns up in the middle of a wide level', () => {
    for (const hugeAt of [0, 700, 2000]) {
      const r = both(tree({ depth: 13, hugeAt, doneAtLeaves: true }), { checkDeadlock: true });
      expect(r.stats.distinct).toBe(2 ** 13 - 1);
      const bad = both(tree({ depth: 13, hugeAt, bad: (s) => s[0] === 13 && s[1] === 2 * hugeAt + 3 }), { checkDeadlock: true });
      expect(bad.outcome.kind).toBe('invariant');
      // The trace goes through the huge number, kept exactly.
      const huge = both(tree({ depth: 13, hugeAt, bad: (s) => s[2]! > 2 ** 32 && s[0] === 13 }), { checkDeadlock: true });
      if (huge.outcome.kind !== 'invariant') throw new Error('expected a violation');
      expect(huge.outcome.trace.states.at(-1)![2]).toBe(2 ** 40 + hugeAt);
    }
  });

  it('agrees on deadlocks, at the leaves and nowhere with checkDeadlock off', () => {
    const r = both(tree({ depth: 5 }), { checkDeadlock: true });
    expect(r.outcome.kind).toBe('deadlock');
    if (r.outcome.kind !== 'deadlock') return;
    expect(r.outcome.trace.states).toEqual([[1, 0, 0], [2, 0, 0], [3, 0, 0], [4, 0, 0], [5, 0, 0]]);
    expect(r.stats.queue).toBe(15);
    expect(both(tree({ depth: 5 }), { checkDeadlock: false }).outcome.kind).toBe('ok');
  });

  it('agrees on invariant violations: the first state, with a shortest trace and the queue left', () => {
    const r = both(tree({ depth: 10, doneAtLeaves: true, bad: (s) => s[0] === 7 && s[1] >= 40 }), { checkDeadlock: true });
    expect(r.outcome.kind).toBe('invariant');
    if (r.outcome.kind !== 'invariant') return;
    expect(r.outcome.invariant).toBe('Good');
    expect(r.outcome.trace.states.at(-1)).toEqual([7, 40, 0]);
    expect(r.outcome.trace.labels).toEqual(['R(0)', 'L(1)', 'R(2)', 'L(5)', 'L(10)', 'L(20)']);
    expect(r.stats.distinct).toBe(2 ** 6 - 1 + 41);
    both(tree({ depth: 4, bad: (s) => s[0] === 1 }), { checkDeadlock: true });
  });

  it('agrees on faults in a step, in an invariant, and in the initial states', () => {
    const step = both(tree({ depth: 8, doneAtLeaves: true, faultAt: (s) => s[0] === 4 && s[1] === 5 }), { checkDeadlock: true });
    expect(step.outcome.kind).toBe('fault');
    if (step.outcome.kind === 'fault') {
      expect(step.outcome.error.message).toBe('fails at 4,5');
      expect(step.outcome.trace.states.at(-1)).toEqual([4, 5, 0]);
    }
    const inv = both(tree({ depth: 8, doneAtLeaves: true, invariantFaultAt: (s) => s[0] === 5 && s[1] === 9 }), { checkDeadlock: true });
    expect(inv.outcome.kind).toBe('fault');
    if (inv.outcome.kind === 'fault') expect(inv.outcome.trace.states.at(-1)).toEqual([5, 9, 0]);
    const init = both(tree({ depth: 8, initialFault: true }), { checkDeadlock: true });
    expect(init.outcome.kind).toBe('fault');
    if (init.outcome.kind === 'fault') expect(init.outcome.trace).toEqual({ states: [], labels: [] });
    expect(init.stats.distinct).toBe(1);
    expect(init.stats.queue).toBe(1);
    // A violation in an initial state before the fault wins.
    const first = both(tree({ depth: 8, initialFault: true, bad: (s) => s[0] === 1 }), { checkDeadlock: true });
    expect(first.outcome.kind).toBe('invariant');
  });

  it('lets errors that are not ModelErrors through', () => {
    const system = tree({ depth: 5 });
    const broken = { ...system, successors: () => { throw new TypeError('a bug'); } };
    expect(() => explore(broken, { checkDeadlock: true })).toThrow('a bug');
    const brokenInit = { ...system, initialStates: () => { throw new TypeError('a bug at the start'); } };
    expect(() => explore(brokenInit, { checkDeadlock: true })).toThrow('a bug at the start');
  });

  it('reports an invariant that fails once and then holds as an internal error', () => {
    let calls = 0;
    const system = tree({ depth: 5 });
    const flaky = { ...system, invariants: [{ name: 'Flaky', holds: () => calls++ !== 3 }] };
    expect(() => explore(flaky, { checkDeadlock: false })).toThrow('internal error: an invariant that failed holds when evaluated again');
  });

  it('agrees on the states and depth limits', () => {
    const t = tree({ depth: 12, doneAtLeaves: true, stutter: true });
    for (const maxStates of [0, 1, 2, 3, 1000, 2 ** 12 - 1, 2 ** 12, 2 ** 12 + 1]) both(t, { checkDeadlock: true, maxStates });
    for (const maxDepth of [1, 2, 6, 11, 12, 13]) both(t, { checkDeadlock: true, maxDepth });
    expect(both(t, { checkDeadlock: true, maxDepth: 11 }).outcome).toEqual({ kind: 'limit', limit: 'depth' });
    expect(both(t, { checkDeadlock: true, maxDepth: 12 }).outcome).toEqual({ kind: 'ok' });
    expect(both(t, { checkDeadlock: true, maxStates: 2 ** 12 - 2 }).outcome).toEqual({ kind: 'limit', limit: 'states' });
    // A violation within the depth wins over the depth limit.
    expect(both(tree({ depth: 12, bad: (s) => s[0] === 3 }), { checkDeadlock: true, maxDepth: 5 }).outcome.kind).toBe('invariant');
  });

  it('stops at the guard’s first checkpoint, as the object-level search does', () => {
    requestInterrupt(2);
    const r = both(tree({ depth: 14, doneAtLeaves: true }), { checkDeadlock: true });
    expect(r.outcome).toEqual({ kind: 'limit', limit: 'interrupted' });
    expect(r.stats.distinct).toBe(8193);
    expect(r.stats.queue).toBe(8193 - 4096);
    clearInterrupt();
    setMemoryBudget(1);
    expect(both(tree({ depth: 14, doneAtLeaves: true }), { checkDeadlock: true }).outcome).toEqual({ kind: 'limit', limit: 'memory' });
    // Shorter than a checkpoint: not stopped.
    expect(both(tree({ depth: 11, doneAtLeaves: true }), { checkDeadlock: true }).outcome).toEqual({ kind: 'ok' });
  });

  it('reports progress at the same checkpoints with the same numbers', () => {
    const reports = (vector: boolean, period: number): Omit<Progress, 'seconds'>[] => {
      const out: Omit<Progress, 'seconds'>[] = [];
      const system = tree({ depth: 15, doneAtLeaves: true });
      explore(vector ? system : (objects(system) as TransitionSystem<V, string>), {
        checkDeadlock: true,
        progressPeriodMs: period,
        onProgress: ({ seconds, ...p }) => {
          expect(seconds).toBeGreaterThanOrEqual(0);
          out.push(p);
        },
      });
      return out;
    };
    const flat = reports(true, 0);
    expect(flat.length).toBe(Math.floor((2 ** 15 - 1) / 4096));
    expect(flat).toEqual(reports(false, 0));
    expect(flat[0]).toEqual({ distinct: 8193, generated: 8194, depth: 14, queue: 8193 - 4096 });
    // A period no run reaches: none.
    expect(reports(true, 1e9)).toEqual([]);
  });

  it('tells the step counters of each new state reached by a step, and of the end of the search', () => {
    const counters = (): StepCoverage & { discoveries: number; ended: number } => ({
      counting: true,
      discoveries: 0,
      ended: 0,
      discovered() {
        this.discoveries++;
      },
      searchEnded() {
        this.ended++;
      },
      reachedFlags: () => new Uint8Array(0),
      mergeReached: () => {},
    });
    const a = counters();
    const b = counters();
    const system = tree({ depth: 7, stutter: true, doneAtLeaves: true });
    explore({ ...system, coverage: a }, { checkDeadlock: true });
    explore({ ...objects(system), coverage: b } as TransitionSystem<V, string>, { checkDeadlock: true });
    expect(a.discoveries).toBe(2 ** 7 - 2);
    expect([b.discoveries, b.ended]).toEqual([a.discoveries, a.ended]);
    expect(a.ended).toBe(1);
    // Not counting: not told.
    const c = { ...counters(), counting: false };
    explore({ ...system, coverage: c }, { checkDeadlock: true });
    expect(c.discoveries).toBe(0);
  });
});

describe('the flat-level search: the hand-over to the disk-backed search at the memory budget', () => {
  const summary = (r: ExploreResult<V, string>): unknown => {
    const o = r.outcome;
    return {
      stats: [r.stats.distinct, r.stats.generated, r.stats.depth, r.stats.queue],
      outcome: o.kind === 'fault' ? { kind: o.kind, error: o.error.message, trace: o.trace } : o,
    };
  };

  it('goes on on disk from the first look at the budget, with the results of the search in memory', () => {
    const dir = mkdtempSync(join(tmpdir(), 'spex-vector-handover-'));
    try {
      const cases: [Tree, ExploreOptions<V, string>][] = [
        [{ depth: 14, doneAtLeaves: true, hugeAt: 3000 }, { checkDeadlock: true }],
        [{ depth: 14, bad: (s) => s[0] === 14 && s[1] === 9000 }, { checkDeadlock: true }],
        [{ depth: 14, doneAtLeaves: true, stutter: true }, { checkDeadlock: true, maxDepth: 13 }],
      ];
      for (const [t, options] of cases) {
        const system = tree(t);
        const mem = explore(system, options);
        setMemoryBudget(1);
        let r: ExploreResult<V, string>;
        try {
          r = explore(system, { ...options, disk: { codec, spillDir: dir } });
        } finally {
          setMemoryBudget(Infinity);
        }
        expect(r.disk?.handedOverAt).toBeGreaterThan(4096);
        expect(summary(r)).toEqual(summary(mem));
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('the flat-level search: what the first tests left open', () => {
  afterEach(() => {
    vi.restoreAllMocks();
  });

  /** A ternary tree of vectors [depth, index, 0]: its levels are 1, 3, 9, ... states. */
  function ternary(depth: number): TransitionSystem<V, string> & { vectorWidth: number } {
    return {
      vectorWidth: 3,
      initialStates(emit) {
        emit([1, 0, 0]);
      },
      successors(s, emit) {
        const [d, i] = s as [number, number];
        if (d >= depth) return;
        for (let k = 0; k < 3; k++) emit([d + 1, 3 * i + k, 0], `T${k}(${i})`);
      },
      fingerprint: arrayFingerprint,
      invariants: [],
      isDone: (s) => s[0] === depth,
    };
  }

  it('keeps a number beyond 32 bits in an initial state exactly', () => {
    const huge = 2 ** 40 + 7;
    const system = { ...tree({ depth: 6, doneAtLeaves: true, bad: (s) => s[0] === 3 && s[2] === huge }) };
    system.initialStates = (emit) => emit([1, 0, huge]);
    const r = both(system, { checkDeadlock: true });
    expect(r.outcome.kind).toBe('invariant');
    if (r.outcome.kind === 'invariant') expect(r.outcome.trace.states).toEqual([[1, 0, huge], [2, 0, huge], [3, 0, huge]]);
  });

  it('reports the violation found in a step that then fails, not the failure', () => {
    const system = tree({ depth: 6, doneAtLeaves: true, bad: (s) => s[0] === 4 && s[1] === 3 });
    const successors = system.successors;
    system.successors = (s, emit) => {
      successors.call(system, s, emit);
      if (s[0] === 3 && s[1] === 1) throw new ModelError('runtime', 'fails after its successors');
    };
    const r = both(system, { checkDeadlock: true });
    expect(r.outcome.kind).toBe('invariant');
    if (r.outcome.kind === 'invariant') expect(r.outcome.trace.states.at(-1)).toEqual([4, 3, 0]);
  });

  it('leaves the rest of the level in the queue when the guard stops it in the middle of one', () => {
    // 4,096 expansions: the levels of 1 to 3^7 states (3,280), then 816 of the 6,561 of the next.
    requestInterrupt(2);
    const r = both(ternary(10), { checkDeadlock: true });
    expect(r.outcome).toEqual({ kind: 'limit', limit: 'interrupted' });
    expect(r.stats.distinct).toBe(3280 + 6561 + 3 * 816);
    expect(r.stats.queue).toBe(6561 - 816 + 3 * 816);
  });

  it('stops when interrupted, with disk options too: only the memory budget hands over to the disk', () => {
    const dir = mkdtempSync(join(tmpdir(), 'spex-vector-guard-'));
    try {
      requestInterrupt(2);
      const r = explore(ternary(10), { checkDeadlock: true, disk: { codec, spillDir: dir } });
      expect(r.outcome).toEqual({ kind: 'limit', limit: 'interrupted' });
      expect(r.disk).toBeUndefined();
      expect(r.stats.queue).toBe(6561 - 816 + 3 * 816);
      clearInterrupt();
      // Step counters counting: the search stops at the budget instead (the disk-backed search
      // does not count steps).
      setMemoryBudget(1);
      const counting: StepCoverage = { counting: true, discovered() {}, searchEnded() {}, reachedFlags: () => new Uint8Array(0), mergeReached: () => {} };
      const c = explore({ ...ternary(10), coverage: counting }, { checkDeadlock: true, disk: { codec, spillDir: dir } });
      expect(c.outcome).toEqual({ kind: 'limit', limit: 'memory' });
      expect(c.disk).toBeUndefined();
    } finally {
      setMemoryBudget(Infinity);
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('reports progress once a second by default, on a clock that moves half a second a look', () => {
    const system = tree({ depth: 14, doneAtLeaves: true });
    const every: Omit<Progress, 'seconds'>[] = [];
    explore(system, { checkDeadlock: true, progressPeriodMs: 0, onProgress: ({ seconds: _s, ...p }) => every.push(p) });
    expect(every.length).toBe(3);
    let now = 0;
    vi.spyOn(Date, 'now').mockImplementation(() => (now += 500));
    const reports: Omit<Progress, 'seconds'>[] = [];
    explore(system, { checkDeadlock: true, onProgress: ({ seconds: _s, ...p }) => reports.push(p) });
    // The start at 500 ms, the checkpoints at 1,000, 1,500 and 2,000: a report at the second.
    expect(reports).toEqual([every[1]]);
    // Without a listener, nothing is reported, whatever the clock says.
    expect(explore(system, { checkDeadlock: true }).outcome).toEqual({ kind: 'ok' });
  });

  it('hands over to the disk-backed search in the middle of a level', () => {
    const dir = mkdtempSync(join(tmpdir(), 'spex-vector-handover-'));
    try {
      const mem = explore(ternary(10), { checkDeadlock: true });
      setMemoryBudget(1);
      const r = explore(ternary(10), { checkDeadlock: true, disk: { codec, spillDir: dir } });
      setMemoryBudget(Infinity);
      expect(r.disk?.handedOverAt).toBe(3280 + 6561 + 3 * 816);
      expect(r.outcome).toEqual(mem.outcome);
      expect([r.stats.distinct, r.stats.generated, r.stats.depth, r.stats.queue]).toEqual([mem.stats.distinct, mem.stats.generated, mem.stats.depth, mem.stats.queue]);
    } finally {
      setMemoryBudget(Infinity);
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('takes a step to the state being expanded for a state seen, and only that: fingerprints that share a word', () => {
    // Fingerprints [depth - 1, index] and [index, depth - 1]: the root's is 0, 0 (as the
    // fingerprint of the state being expanded is before any), and [d + 1, 0] shares a word
    // with its parent [d, 0].
    const byDepth = (s: ArrayLike<number>, out: Uint32Array): void => {
      out[0] = s[0]! - 1;
      out[1] = s[1]!;
    };
    const byIndex = (s: ArrayLike<number>, out: Uint32Array): void => {
      out[0] = s[1]!;
      out[1] = s[0]! - 1;
    };
    for (const fingerprint of [byDepth, byIndex]) {
      for (const stutter of [false, true]) {
        const r = both({ ...tree({ depth: 8, doneAtLeaves: true, stutter }), fingerprint }, { checkDeadlock: true });
        expect(r.outcome).toEqual({ kind: 'ok' });
        expect(r.stats.distinct).toBe(2 ** 8 - 1);
      }
    }
  });

  it('does not report the depth limit when every state past it was seen before', () => {
    const system = tree({ depth: 6 });
    const successors = system.successors;
    system.successors = (s, emit) => {
      successors.call(system, s, emit);
      if (s[0] === 6) emit([1, 0, 0], 'Back');
    };
    expect(both(system, { checkDeadlock: true, maxDepth: 6 }).outcome).toEqual({ kind: 'ok' });
    expect(both(system, { checkDeadlock: true, maxDepth: 5 }).outcome).toEqual({ kind: 'limit', limit: 'depth' });
  });

  it('checks the last state of a trace against the fingerprint of the state it stopped at', () => {
    // [3, 1] emits its children the other way round once they have been emitted: replaying
    // the step to [4, 3] (its second emission) gives [4, 2], a state seen too.
    const system = tree({ depth: 5, bad: (s) => s[0] === 4 && s[1] === 3 });
    let calls = 0;
    const successors = system.successors;
    system.successors = (s, emit) => {
      if (s[0] === 3 && s[1] === 1 && calls++ > 0) {
        emit([4, 3, 0], 'R(1)');
        emit([4, 2, 0], 'L(1)');
        return;
      }
      successors.call(system, s, emit);
    };
    expect(() => explore(system, { checkDeadlock: true })).toThrow('does not have the fingerprint it had during the search');
  });

  it('gives the seconds from its start to its end, on a mocked clock', () => {
    let calls = 0;
    vi.spyOn(performance, 'now').mockImplementation(() => (calls++ === 0 ? 5000 : 7500));
    const r = explore(tree({ depth: 5, doneAtLeaves: true }), { checkDeadlock: true });
    expect(r.stats.seconds).toBe(2.5);
  });

  it('counts the bytes of the seen set and of the replay index', () => {
    const r = both(tree({ depth: 13, doneAtLeaves: true }), { checkDeadlock: true });
    const seen = new FlatFingerprintSet();
    const fp = new Uint32Array(2);
    for (let d = 1; d <= 13; d++) {
      for (let i = 0; i < 2 ** (d - 1); i++) {
        arrayFingerprint([d, i, 0], fp);
        seen.add(fp[0]!, fp[1]!);
      }
    }
    expect(seen.size).toBe(r.stats.distinct);
    // The replay index takes about four bytes a state.
    expect(r.stats.bytesPerState * r.stats.distinct).toBeGreaterThan(seen.bytesUsed() + 3 * r.stats.distinct);
  });
});
