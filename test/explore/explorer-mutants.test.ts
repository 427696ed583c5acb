/**
 * The object-level search (src/explore/explorer.ts) where the other tests do not look closely:
 * a state with hundreds of successors (progress reports, the guard and the limits in the
 * middle of its expansion, the rest of it cut short), the seen set given in the options, the
 * state graph it records (edges to states seen before, predicates that fail, paths replayed),
 * and the depth limit with constraints.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { explore, ModelError, type ExploreOptions, type Progress, type TransitionSystem } from '../../src/explore/index.js';
import type { StepCoverage } from '../../src/explore/system.js';
import { FlatFingerprintSet } from '../../src/explore/flat-set.js';
import { clearInterrupt, requestInterrupt, setMemoryBudget } from '../../src/explore/guard.js';
import { avoid, graphModel, intFingerprint } from './graph-model.js';

afterEach(() => {
  clearInterrupt();
  setMemoryBudget(Infinity);
});

/**
 * Initial states 0 and 1; state 0 has `fan` successors 10, 11, ... labelled `s<k>`; the other
 * states none (done). `emitted` counts every emission the system makes.
 */
function fanOut(fan: number, extra: Partial<TransitionSystem<number, string>> = {}) {
  const counter = { emitted: 0 };
  const system: TransitionSystem<number, string> = {
    initialStates: (emit) => {
      counter.emitted++;
      emit(0);
      counter.emitted++;
      emit(1);
    },
    successors: (s, emit) => {
      if (s !== 0) return;
      for (let k = 0; k < fan; k++) {
        counter.emitted++;
        emit(10 + k, `s${k}`);
      }
    },
    fingerprint: intFingerprint,
    invariants: [],
    isDone: () => true,
    ...extra,
  };
  return { system, counter };
}

function counting(): StepCoverage & { discoveries: number } {
  return {
    counting: true,
    discoveries: 0,
    discovered() {
      this.discoveries++;
    },
    searchEnded: () => {},
    reachedFlags: () => new Uint8Array(0),
    mergeReached: () => {},
  };
}

describe('explore: a long expansion', () => {
  it('reports progress every 256 emissions, saying how far the expansion got and in which step', () => {
    const reports: Progress[] = [];
    const { system } = fanOut(1000);
    const r = explore(system, { checkDeadlock: true, progressPeriodMs: 0, onProgress: (p) => reports.push(p) });
    expect(r.outcome).toEqual({ kind: 'ok' });
    expect(reports.map(({ seconds: _s, ...p }) => p)).toEqual(
      [256, 512, 768].map((n) => ({
        distinct: 2 + n - 1,
        generated: 2 + n - 1,
        depth: 2,
        // State 0 is being expanded: state 1 and the new states are queued.
        queue: 1 + n - 1,
        expanding: n,
        expandingLabel: `s${n - 1}`,
      })),
    );
    // Not more often than the period.
    const none: Progress[] = [];
    explore(fanOut(1000).system, { checkDeadlock: true, progressPeriodMs: 1e9, onProgress: (p) => none.push(p) });
    expect(none).toEqual([]);
  });

  it('reports progress among many initial states too', () => {
    const reports: Progress[] = [];
    const system: TransitionSystem<number, string> = {
      initialStates: (emit) => {
        for (let k = 0; k < 600; k++) emit(k);
      },
      successors: () => {},
      fingerprint: intFingerprint,
      invariants: [],
    };
    explore(system, { checkDeadlock: false, progressPeriodMs: 0, onProgress: (p) => reports.push(p) });
    expect(reports.map(({ seconds: _s, ...p }) => p)).toEqual([
      { distinct: 255, generated: 255, depth: 1, queue: 255, expanding: 256, expandingLabel: undefined },
      { distinct: 511, generated: 511, depth: 1, queue: 511, expanding: 512, expandingLabel: undefined },
    ]);
  });

  it('an interrupt stops it in the middle, with the statistics so far', () => {
    requestInterrupt(2);
    const { system, counter } = fanOut(1000);
    const r = explore(system, { checkDeadlock: true });
    expect(r.outcome).toEqual({ kind: 'limit', limit: 'interrupted' });
    // The 256th successor was not taken.
    expect([r.stats.distinct, r.stats.generated, r.stats.depth, r.stats.queue]).toEqual([257, 257, 2, 256]);
    expect(counter.emitted).toBe(2 + 256);
    expect(r.stats.bytesPerState).toBeGreaterThan(0);
  });

  it('the memory budget stops it after the emission that found it, the rest cut short', () => {
    setMemoryBudget(1);
    const { system, counter } = fanOut(1000);
    const r = explore(system, { checkDeadlock: true });
    expect(r.outcome).toEqual({ kind: 'limit', limit: 'memory' });
    expect([r.stats.distinct, r.stats.generated, r.stats.queue]).toEqual([258, 258, 257]);
    expect(counter.emitted).toBe(2 + 257);
  });

  it('a limit cuts the rest of the expansion short, unless the steps are counted', () => {
    const cut = fanOut(1000);
    const r = explore(cut.system, { checkDeadlock: true, maxStates: 10 });
    expect(r.outcome).toEqual({ kind: 'limit', limit: 'states' });
    expect([r.stats.distinct, r.stats.generated, r.stats.queue]).toEqual([10, 11, 9]);
    expect(cut.counter.emitted).toBe(2 + 9 + 1);
    const coverage = counting();
    const counted = fanOut(1000, { coverage });
    const c = explore(counted.system, { checkDeadlock: true, maxStates: 10 });
    expect(c.outcome).toEqual({ kind: 'limit', limit: 'states' });
    expect(counted.counter.emitted).toBe(2 + 1000);
    expect(coverage.discoveries).toBe(8);
    // After a violation the expansion is not cut (its trace is replayed from the system as it is).
    const bad = fanOut(1000, { invariants: [{ name: 'Few', holds: (s) => s < 20 }] });
    const b = explore(bad.system, { checkDeadlock: true });
    expect(b.outcome.kind).toBe('invariant');
    expect(bad.counter.emitted).toBeGreaterThanOrEqual(2 + 1000);
  });
});

describe('explore: the seen set given in the options', () => {
  it('is the one used, and counted in the bytes per state', () => {
    let made = 0;
    let adds = 0;
    const seenSet = () => {
      made++;
      const set = new FlatFingerprintSet();
      const add = set.add.bind(set);
      set.add = (hi, lo) => (adds++, add(hi, lo));
      return set;
    };
    const { system } = fanOut(100);
    const r = explore(system, { checkDeadlock: true, seenSet });
    expect(made).toBe(1);
    expect(adds).toBe(102);
    expect(r.stats.distinct).toBe(102);
    // A fresh FlatFingerprintSet: 8 KiB; the replay index: one chunk of 4 KiB.
    expect(r.stats.bytesPerState * r.stats.distinct).toBe(8192 + 4096);
  });

  it('is not used when a state graph is recorded', () => {
    let made = 0;
    const { system } = fanOut(10);
    const r = explore(system, {
      checkDeadlock: true,
      seenSet: () => (made++, new FlatFingerprintSet()),
      recordGraph: { edgeTag: () => -1, predicates: [] },
    });
    expect(made).toBe(0);
    expect(r.graph?.size).toBe(12);
  });
});

/** 0 -> 1, 2; 1 -> 2, 1, 0; 2 -> 3 (outside the constraints when `constrained`); labels `a>b`. */
function small(constrained = false, extra: Partial<TransitionSystem<number, string>> = {}): TransitionSystem<number, string> {
  const out: Record<number, number[]> = { 0: [1, 2], 1: [2, 1, 0], 2: [3], 3: [] };
  return {
    initialStates: (emit) => emit(0),
    successors: (s, emit) => {
      for (const t of out[s] ?? []) emit(t, `${s}>${t}`);
    },
    fingerprint: intFingerprint,
    invariants: [],
    isDone: () => true,
    ...(constrained ? { inModel: (s: number) => s !== 3 } : {}),
    ...extra,
  };
}

describe('explore: the state graph', () => {
  const record = (preds: ((s: number) => boolean)[] = []): ExploreOptions<number, string>['recordGraph'] => ({
    edgeTag: (label) => Number(label.split('>')[1]),
    predicates: preds,
  });

  it('has every edge, to new states and to states seen before, with tags and predicate values', () => {
    const r = explore(small(), { checkDeadlock: true, recordGraph: record([(s) => s % 2 === 1, (s) => s >= 2]) });
    const g = r.graph!;
    expect(g.size).toBe(4);
    expect(Array.from(g.offsets)).toEqual([0, 2, 5, 6, 6]);
    expect(Array.from(g.targets)).toEqual([1, 2, 2, 1, 0, 3]);
    expect(Array.from(g.tags)).toEqual([1, 2, 2, 1, 0, 3]);
    expect(Array.from(g.parents)).toEqual([-1, 0, 0, 2]);
    expect([0, 1, 2, 3].map((s) => [g.holds(s, 0), g.holds(s, 1)])).toEqual([
      [false, false],
      [true, false],
      [false, true],
      [true, true],
    ]);
    expect(g.path(1, [3, 4, 1, 5])).toEqual({ states: [0, 1, 1, 0, 2, 3], labels: ['0>1', '1>1', '1>0', '0>2', '2>3'] });
  });

  it('with constraints, leaves out the steps to states outside them and replays the others by their emission', () => {
    const r = explore(small(true), { checkDeadlock: true, recordGraph: record() });
    const g = r.graph!;
    expect(g.size).toBe(3);
    expect(Array.from(g.offsets)).toEqual([0, 2, 5, 5]);
    expect(Array.from(g.targets)).toEqual([1, 2, 2, 1, 0]);
    expect(g.path(2, [])).toEqual({ states: [0, 2], labels: ['0>2'] });
    expect(g.path(1, [4, 1])).toEqual({ states: [0, 1, 0, 2], labels: ['0>1', '1>0', '0>2'] });
  });

  it('is not kept when the search stops on a violation', () => {
    const r = explore(small(false, { invariants: [{ name: 'No3', holds: (s) => s !== 3 }] }), { checkDeadlock: true, recordGraph: record() });
    expect(r.outcome.kind).toBe('invariant');
    expect(r.graph).toBeUndefined();
  });

  it('reports a predicate that fails as a fault on the state it was evaluated on', () => {
    const bad = (s: number): boolean => {
      if (s === 2) throw new ModelError('runtime', 'no value at 2');
      return true;
    };
    for (const constrained of [false, true]) {
      const r = explore(small(constrained), { checkDeadlock: true, recordGraph: record([bad]) });
      expect(r.outcome.kind).toBe('fault');
      if (r.outcome.kind !== 'fault') continue;
      expect(r.outcome.error.message).toBe('no value at 2');
      expect(r.outcome.trace).toEqual({ states: [0, 2], labels: ['0>2'] });
      expect(r.graph).toBeUndefined();
    }
    const other = (): boolean => {
      throw new TypeError('a bug');
    };
    expect(() => explore(small(), { checkDeadlock: true, recordGraph: record([other]) })).toThrow('a bug');
  });

  it('says so when a path is replayed from a system that does not emit the same again', () => {
    let calls = 0;
    const flaky = small(false, {
      successors: (s, emit) => {
        if (s === 0) {
          if (calls++ === 0) (emit(1, '0>1'), emit(2, '0>2'));
          else (emit(2, '0>2'), emit(1, '0>1'));
        }
      },
    });
    const g = explore(flaky, { checkDeadlock: false, recordGraph: record() }).graph!;
    expect(() => g.path(0, [0])).toThrow('internal error: replaying an edge does not reach the state it reached during the search; the transition system is not deterministic');
    const shrinking = small(false, {
      successors: (s, emit) => {
        if (s === 0 && calls++ < 3) (emit(1, '0>1'), emit(2, '0>2'));
      },
    });
    const h = explore(shrinking, { checkDeadlock: false, recordGraph: record() }).graph!;
    calls = 10;
    expect(() => h.path(0, [1])).toThrow('internal error: replaying an edge got only 0 emissions where emission #1 was recorded');
  });
});

describe('explore: the depth limit with constraints and step checks', () => {
  it('is hit only by a new state inside the constraints', () => {
    // 0 -> 1 -> 2 -> 3; 3 is outside.
    const chain = (outside: number): TransitionSystem<number, string> => ({
      initialStates: (emit) => emit(0),
      successors: (s, emit) => {
        if (s < 3) emit(s + 1, `${s}>${s + 1}`);
      },
      fingerprint: intFingerprint,
      invariants: [],
      isDone: () => true,
      inModel: (s) => s !== outside,
    });
    expect(explore(chain(3), { checkDeadlock: true, maxDepth: 3 }).outcome).toEqual({ kind: 'ok' });
    expect(explore(chain(99), { checkDeadlock: true, maxDepth: 3 }).outcome).toEqual({ kind: 'limit', limit: 'depth' });
    // A state seen before is no new depth either.
    const loop: TransitionSystem<number, string> = { ...chain(99), successors: (s, emit) => emit((s + 1) % 3, 'next') };
    expect(explore(loop, { checkDeadlock: true, maxDepth: 3 }).outcome).toEqual({ kind: 'ok' });
    expect(explore(loop, { checkDeadlock: true, maxDepth: 2 }).outcome).toEqual({ kind: 'limit', limit: 'depth' });
  });

  it('checks each step once per expanded state’s fingerprint, stutters left out', () => {
    const steps: string[] = [];
    const fingerprints: number[] = [];
    const system: TransitionSystem<number, string> = {
      initialStates: (emit) => emit(0),
      successors: (s, emit) => {
        if (s < 3) {
          emit(s, 'stay');
          emit(s + 1, 'next');
          emit(s + 1, 'again');
        }
      },
      fingerprint: (s, out) => {
        fingerprints.push(s);
        intFingerprint(s, out);
      },
      invariants: [],
      isDone: () => true,
      checkStep: (from, to, label) => {
        steps.push(`${from}>${to}:${label}`);
        return undefined;
      },
    };
    const r = explore(system, { checkDeadlock: true });
    expect(r.stats.distinct).toBe(4);
    expect(steps).toEqual(['0>1:next', '0>1:again', '1>2:next', '1>2:again', '2>3:next', '2>3:again']);
    // Each expanded state's fingerprint computed once more for its step checks: 1 + 3 * 3 emissions + 3.
    expect(fingerprints.length).toBe(1 + 9 + 3);
  });
});

describe('a fault in a state with no successor is not a deadlock', () => {
  it('reports the fault of successors() that emitted nothing, with deadlock checking on', () => {
    const system = graphModel({ edges: [[0, 1]], initial: [0], faultingStates: [1] });
    const r = explore(system, { checkDeadlock: true });
    expect(r.outcome.kind).toBe('fault');
    if (r.outcome.kind === 'fault') expect(r.outcome.trace.states).toEqual([0, 1]);
    // Without the fault, 1 is a deadlock.
    expect(explore(graphModel({ edges: [[0, 1]], initial: [0] }), { checkDeadlock: true }).outcome.kind).toBe('deadlock');
  });

  it('a constraint that fails on a new state ends the run there: its invariants are not checked', () => {
    const system = graphModel({ edges: [[0, 1], [0, 2]], initial: [0], done: [1, 2], invariants: [avoid([1], 'NotOne')] });
    system.inModel = (s) => {
      if (s === 1) throw new ModelError('runtime', 'constraint fails at 1');
      return true;
    };
    const r = explore(system, { checkDeadlock: true });
    expect(r.outcome.kind).toBe('fault');
    expect([r.stats.distinct, r.stats.generated]).toEqual([1, 2]);
  });

  it('a stop in the middle of a level reports the states left in the queue', () => {
    // Level 2 is 1, 2, 3; 2 goes to 5, then to 4, which violates: 3 is left, and 5.
    const system = graphModel({ edges: [[0, 1], [0, 2], [0, 3], [2, 5], [2, 4]], initial: [0], done: [1, 3, 4, 5], invariants: [avoid([4], 'NotFour')] });
    const r = explore(system, { checkDeadlock: true });
    expect(r.outcome.kind).toBe('invariant');
    expect(r.stats.queue).toBe(2);
  });
});

describe('a system that lends the states it emits (copyState)', () => {
  // States are pairs (a, b), 0 ≤ a, b < 3; steps `a` and `b` add one to a or b, modulo 3.
  // The lending system writes every state it emits, initial ones included, into one array.
  type Pair = number[];
  const steps = (s: Pair): [Pair, string][] => [
    [[(s[0]! + 1) % 3, s[1]!], 'a'],
    [[s[0]!, (s[1]! + 1) % 3], 'b'],
  ];
  function pairs(lends: boolean): TransitionSystem<Pair, string> {
    const buffer: Pair = [0, 0];
    const out = (p: Pair): Pair => {
      if (!lends) return p;
      buffer[0] = p[0]!;
      buffer[1] = p[1]!;
      return buffer;
    };
    return {
      initialStates: (emit) => emit(out([0, 0])),
      successors: (s, emit) => {
        for (const [t, label] of steps(s)) emit(out(t), label);
      },
      fingerprint: (s, o) => intFingerprint(s[0]! * 3 + s[1]!, o),
      invariants: [{ name: 'NotTwoOne', holds: (s) => !(s[0] === 2 && s[1] === 1) }],
      isDone: () => true,
      ...(lends ? { copyState: (s: Pair) => [...s] } : {}),
    };
  }

  it('is explored as one that gives them: the same counts, and the same trace to a violation', () => {
    const lent = explore(pairs(true), { checkDeadlock: true });
    const given = explore(pairs(false), { checkDeadlock: true });
    expect(given.outcome.kind).toBe('invariant');
    expect(lent.stats).toMatchObject({ distinct: given.stats.distinct, generated: given.stats.generated, depth: given.stats.depth });
    expect(lent.outcome).toEqual(given.outcome);
    // Without the invariant, all nine states.
    const all = (lends: boolean) => explore({ ...pairs(lends), invariants: [] }, { checkDeadlock: true });
    expect(all(true).stats).toMatchObject({ distinct: 9, generated: all(false).stats.generated });
  });

  it('as fixed-width vectors, go to the flat levels only when nothing needs the states as objects', () => {
    // vectorWidth sends a system to vector-run.ts, which has no constraints, no step checks,
    // no state graph and its own seen set: with any of those, explore() must keep it.
    const plain = { ...pairs(false), invariants: [] };
    const vectors = { ...plain, vectorWidth: 2 };
    expect(explore(vectors, { checkDeadlock: true }).stats).toMatchObject({ distinct: 9, generated: 19 });
    const inModel = (s: Pair): boolean => !(s[0] === 1 && s[1] === 1);
    expect(explore({ ...vectors, inModel }, { checkDeadlock: true }).stats).toMatchObject(
      { distinct: explore({ ...plain, inModel }, { checkDeadlock: true }).stats.distinct },
    );
    expect(explore({ ...vectors, inModel }, { checkDeadlock: true }).stats.distinct).toBe(8);
    const checkStep = (from: Pair, to: Pair): { name: string } | undefined => (to[0]! < from[0]! ? { name: 'NoWrap' } : undefined);
    const stepped = explore({ ...vectors, checkStep }, { checkDeadlock: true });
    expect(stepped.outcome.kind).toBe('invariant');
    expect(stepped.outcome).toEqual(explore({ ...plain, checkStep }, { checkDeadlock: true }).outcome);
    const recordGraph = { edgeTag: () => -1, predicates: [] };
    expect(explore(vectors, { checkDeadlock: true, recordGraph }).graph?.size).toBe(9);
    const seenSet = new FlatFingerprintSet();
    explore(vectors, { checkDeadlock: true, seenSet: () => seenSet });
    expect(seenSet.size).toBe(9);
  });

  it('with a constraint (the search’s other path), too', () => {
    // Everything but (1, 1) is in the model.
    const inModel = (s: Pair): boolean => !(s[0] === 1 && s[1] === 1);
    const lent = explore({ ...pairs(true), inModel }, { checkDeadlock: true });
    const given = explore({ ...pairs(false), inModel }, { checkDeadlock: true });
    expect(given.outcome.kind).toBe('invariant');
    expect(lent.stats).toMatchObject({ distinct: given.stats.distinct, generated: given.stats.generated, depth: given.stats.depth });
    expect(lent.outcome).toEqual(given.outcome);
  });

  it('with the state graph recorded, too: the same graph and the same paths replayed', () => {
    const recordGraph = { edgeTag: (label: string) => (label === 'a' ? 0 : 1), predicates: [(s: Pair) => s[0] === s[1]] };
    const lent = explore({ ...pairs(true), invariants: [] }, { checkDeadlock: true, recordGraph });
    const given = explore({ ...pairs(false), invariants: [] }, { checkDeadlock: true, recordGraph });
    const g = lent.graph!;
    const h = given.graph!;
    expect(g.size).toBe(9);
    expect(Array.from(g.targets)).toEqual(Array.from(h.targets));
    expect([...Array(9).keys()].map((s) => g.holds(s, 0))).toEqual([...Array(9).keys()].map((s) => h.holds(s, 0)));
    // The last state found, and one step on along its first edge: states replayed from the system.
    const far = g.size - 1;
    const path = g.path(far, [g.offsets[far]!]);
    expect(path).toEqual(h.path(far, [h.offsets[far]!]));
    expect(path.states).toEqual([[0, 0], [1, 0], [2, 0], [2, 1], [2, 2], [0, 2]]);
  });
});

/** A system over integers with the given initial states and steps (no invariants; every state done). */
function intSystem(
  initialStates: TransitionSystem<number, string>['initialStates'],
  successors: TransitionSystem<number, string>['successors'],
  extra: Partial<TransitionSystem<number, string>> = {},
): TransitionSystem<number, string> {
  return { initialStates, successors, fingerprint: intFingerprint, invariants: [], isDone: () => true, ...extra };
}

describe('explore: queues, checkpoints and the checked path at their edges', () => {
  it('a state whose expansion needs no step check leaves none stale for the next one', () => {
    // Initial states 0 and 1; 0 has no step, 1 only a step to itself (a stutter, never checked).
    const system = intSystem((emit) => {
      emit(0);
      emit(1);
    }, (s, emit) => {
      if (s === 1) emit(1, 'stay');
    }, { checkStep: () => ({ name: 'NoStep' }) });
    expect(explore(system, { checkDeadlock: true }).outcome.kind).toBe('ok');
  });

  it('an interrupt in an expansion in the middle of a later level counts the queue from that state', () => {
    // Level 0: 0, 1; level 1: 2, 3, 4 (from 0); 3 has 1,000 successors.
    requestInterrupt(2);
    const system = intSystem((emit) => {
      emit(0);
      emit(1);
    }, (s, emit) => {
      if (s === 0) for (const t of [2, 3, 4]) emit(t, `0>${t}`);
      if (s === 3) for (let k = 0; k < 1000; k++) emit(100 + k, `3>${100 + k}`);
    });
    const r = explore(system, { checkDeadlock: true });
    expect(r.outcome).toEqual({ kind: 'limit', limit: 'interrupted' });
    // Expanded: 0, 1, 2, and 3 in part; queued: 4 and what 3 emitted so far.
    expect(r.stats.queue).toBe(r.stats.distinct - 4);
    expect(r.stats.distinct).toBe(5 + 255);
  });

  it('an interrupt with a seen set of the caller’s that has nothing to finish', () => {
    requestInterrupt(2);
    const { system } = fanOut(1000);
    const r = explore(system, { checkDeadlock: true, seenSet: () => new FlatFingerprintSet() });
    expect(r.outcome).toEqual({ kind: 'limit', limit: 'interrupted' });
    expect(r.stats.distinct).toBe(257);
  });

  it('an interrupt while the initial states are emitted counts them as the queue', () => {
    requestInterrupt(2);
    const system = intSystem((emit) => {
      for (let k = 0; k < 1000; k++) emit(k);
    }, () => {});
    const r = explore(system, { checkDeadlock: true });
    expect(r.outcome).toEqual({ kind: 'limit', limit: 'interrupted' });
    expect([r.stats.distinct, r.stats.queue]).toEqual([255, 255]);
  });

  it('the memory budget met between two expansions, without the disk-backed search: a limit, with the queue', () => {
    // 0 -> 200 states, each -> 200 states (done): no expansion is long; the budget is looked
    // at every 4,096 expansions.
    setMemoryBudget(1);
    const system = intSystem((emit) => emit(0), (s, emit) => {
      if (s === 0) for (let k = 1; k <= 200; k++) emit(k, 'a');
      else if (s <= 200) for (let k = 0; k < 200; k++) emit(1000 + (s - 1) * 200 + k, 'b');
    });
    const r = explore(system, { checkDeadlock: true });
    expect(r.outcome).toEqual({ kind: 'limit', limit: 'memory' });
    expect(r.stats.queue).toBe(r.stats.distinct - 4096);
  });

  it('the state graph: an initial state emitted twice is one state, no edge; a step of state 0 to a state seen before is an edge', () => {
    const recordGraph = { edgeTag: () => -1, predicates: [] };
    for (const inModel of [undefined, (s: number) => s !== 9]) {
      const system = intSystem((emit) => {
        emit(0);
        emit(0);
      }, (s, emit) => {
        if (s === 0) {
          emit(1, '0>1');
          emit(0, '0>0');
        }
      }, inModel ? { inModel } : {});
      const g = explore(system, { checkDeadlock: true, recordGraph }).graph!;
      expect(g.size).toBe(2);
      expect(Array.from(g.offsets)).toEqual([0, 2, 2]);
      expect(Array.from(g.targets)).toEqual([1, 0]);
    }
  });

  it('with constraints: steps counted as discovering states, and an error in a constraint that is not the model’s goes through', () => {
    const coverage = counting();
    const r = explore(small(true, { coverage }), { checkDeadlock: true });
    expect(r.outcome.kind).toBe('ok');
    // 1 and 2 are found from 0; 3 is outside the constraints.
    expect(coverage.discoveries).toBe(r.stats.distinct - 1);
    expect(coverage.discoveries).toBe(2);
    const broken = small(false, {
      inModel: (s: number) => {
        if (s === 2) throw new TypeError('a bug');
        return true;
      },
    });
    expect(() => explore(broken, { checkDeadlock: true })).toThrow('a bug');
  });

  it('with constraints: a full seen set stops the run only at a new state; an interrupt in a long expansion stops it', () => {
    // small(true) has exactly 3 states in its constraints, and steps back to them.
    const full = explore(small(true), { checkDeadlock: true, maxStates: 3 });
    expect(full.outcome.kind).toBe('ok');
    expect(full.stats.distinct).toBe(3);
    requestInterrupt(2);
    const { system } = fanOut(1000, { inModel: () => true });
    const r = explore(system, { checkDeadlock: true });
    expect(r.outcome).toEqual({ kind: 'limit', limit: 'interrupted' });
    expect([r.stats.distinct, r.stats.generated, r.stats.depth, r.stats.queue]).toEqual([257, 257, 2, 256]);
  });

  it('a recorded predicate’s fault stops the run with the state it failed on unqueued', () => {
    const bad = (s: number): boolean => {
      if (s === 2) throw new ModelError('runtime', 'no value at 2');
      return true;
    };
    for (const constrained of [false, true]) {
      const r = explore(small(constrained), { checkDeadlock: true, recordGraph: { edgeTag: () => -1, predicates: [bad] } });
      expect(r.outcome.kind).toBe('fault');
      // 0 expanded; 1 queued; 2 failed.
      expect([r.stats.distinct, r.stats.queue]).toEqual([3, 1]);
    }
  });
});
