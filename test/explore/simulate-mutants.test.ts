/**
 * src/explore/simulate.ts on hand-made transition systems: the options a Walker refuses, the
 * initial states' problems, what a step checks (constraints, invariants, step checks, faults,
 * deadlocks) and in which order, the counts of a run, the replay by labels and ranks, the
 * coverage's new states, and what shrinking keeps and reports.
 */
import { describe, expect, it } from 'vitest';
import { ModelError, type StepViolation, type TransitionSystem } from '../../src/explore/index.js';
import { MAX_SEED, outcomeOfStop, Rng, runWalks, shrinkWalk, stopName, Walker, type WalkStop } from '../../src/explore/simulate.js';
import { avoid, graphModel, type Edge, type GraphSpec } from './graph-model.js';

const key = (l: string): string => l;

/** graphModel with optional constraints, step checks and coverage counting. */
function system(
  spec: GraphSpec,
  more: {
    inModel?: (s: number, from: number | undefined) => boolean;
    checkStep?: (from: number, to: number) => StepViolation | undefined;
    coverage?: number[];
  } = {},
): TransitionSystem<number, string> {
  const g = graphModel(spec);
  const found = more.coverage;
  return {
    ...g,
    ...(more.inModel ? { inModel: (s: number, from: number | undefined) => more.inModel!(s, from) } : {}),
    ...(more.checkStep ? { checkStep: (f: number, t: number) => more.checkStep!(f, t) } : {}),
    ...(found
      ? {
          coverage: {
            counting: true,
            discovered: () => found.push(1),
            searchEnded: () => {},
            reachedFlags: () => new Uint8Array(0),
            mergeReached: () => {},
          },
        }
      : {}),
  };
}

const line = (n: number): Edge[] => Array.from({ length: n }, (_, i) => [i, i + 1, `s${i}`] as Edge);

describe('Rng and the Walker’s options', () => {
  it('refuses a bound above 2^32 and gives 0 for bounds up to 1', () => {
    const r = new Rng(5, 0);
    expect(() => r.below(2 ** 32 + 1)).toThrow(RangeError);
    expect(r.below(2 ** 32)).toBeLessThan(2 ** 32);
    expect(r.below(1)).toBe(0);
    expect(r.below(0)).toBe(0);
    const words = new Set(Array.from({ length: 50 }, () => r.below(2)));
    expect(words).toEqual(new Set([0, 1]));
  });

  it('gives different streams different words and keeps every word 32-bit', () => {
    const a = new Rng(0, 0);
    const b = new Rng(0, 1);
    const c = new Rng(1, 0);
    const wa = Array.from({ length: 16 }, () => a.next());
    const wb = Array.from({ length: 16 }, () => b.next());
    const wc = Array.from({ length: 16 }, () => c.next());
    expect(wa).not.toEqual(wb);
    expect(wa).not.toEqual(wc);
    expect(new Set(wa).size).toBe(16);
    for (const w of [...wa, ...wb, ...wc]) expect(Number.isInteger(w) && w >= 0 && w < 2 ** 32).toBe(true);
    // High words of the seed and of the stream count.
    expect(new Rng(2 ** 33, 0).next()).not.toBe(new Rng(0, 0).next());
    expect(new Rng(0, 2 ** 33).next()).not.toBe(new Rng(0, 0).next());
  });

  it('refuses depths and seeds outside their ranges', () => {
    const g = graphModel({ initial: [0], edges: [] });
    const opts = { checkDeadlock: false, depth: 1, seed: 0 };
    expect(() => new Walker(g, opts)).not.toThrow();
    expect(() => new Walker(g, { ...opts, seed: MAX_SEED })).not.toThrow();
    expect(() => new Walker(g, { ...opts, depth: 0 })).toThrow(/depth must be a positive integer, got 0/);
    expect(() => new Walker(g, { ...opts, depth: 1.5 })).toThrow(RangeError);
    expect(() => new Walker(g, { ...opts, seed: -1 })).toThrow(/seed must be a non-negative safe integer, got -1/);
    expect(() => new Walker(g, { ...opts, seed: 0.5 })).toThrow(RangeError);
    expect(() => new Walker(g, { ...opts, seed: MAX_SEED + 1 })).toThrow(RangeError);
  });
});

describe('the initial states', () => {
  it('an invariant broken in an initial state stops the run there, with that state', () => {
    const w = new Walker(graphModel({ initial: [0, 3, 4], edges: [], invariants: [avoid([3, 4], 'NoThree')] }), { checkDeadlock: true, depth: 5, seed: 1 });
    expect(w.initialCheck).toEqual({ kind: 'stop', stop: { kind: 'invariant', invariant: 'NoThree', via: 1 }, trace: { states: [3], labels: [] } });
    // Every initial state emitted before the stop counts, not those after.
    expect(w.initialGenerated).toBe(2);
  });

  it('a fault while building the initial states has an empty trace; one in an invariant has the state', () => {
    const w = new Walker(graphModel({ initial: [0, 1], edges: [], faultInInitialAfter: 1 }), { checkDeadlock: true, depth: 5, seed: 1 });
    expect(w.initialCheck.kind).toBe('stop');
    if (w.initialCheck.kind !== 'stop') return;
    expect(w.initialCheck.stop.kind).toBe('fault');
    expect(w.initialCheck.stop).not.toHaveProperty('via');
    expect(w.initialCheck.trace).toEqual({ states: [], labels: [] });
    const bad = { name: 'Throws', holds: (s: number) => { if (s === 1) throw new ModelError('runtime', 'boom'); return true; } };
    const v = new Walker(graphModel({ initial: [0, 1], edges: [], invariants: [bad] }), { checkDeadlock: true, depth: 5, seed: 1 });
    expect(v.initialCheck.kind === 'stop' && v.initialCheck.stop).toMatchObject({ kind: 'fault', via: 1 });
    expect(v.initialCheck.kind === 'stop' && v.initialCheck.trace.states).toEqual([1]);
    // Not a ModelError: not a problem of the spec, thrown on.
    const broken = { name: 'Broken', holds: () => { throw new TypeError('bug'); } };
    expect(() => new Walker(graphModel({ initial: [0], edges: [], invariants: [broken] }), { checkDeadlock: true, depth: 5, seed: 1 })).toThrow(TypeError);
  });

  it('no initial state inside the constraints: nothing to walk; walks start only inside them', () => {
    const none = new Walker(system({ initial: [0, 1], edges: [] }, { inModel: () => false }), { checkDeadlock: true, depth: 5, seed: 1 });
    expect(none.initialCheck).toEqual({ kind: 'none' });
    expect(none.initialGenerated).toBe(2);
    expect(() => none.walk(0)).toThrow(/internal error/);
    const some = new Walker(system({ initial: [0, 1, 2], edges: [] }, { inModel: (s, from) => from !== undefined || s === 2 }), { checkDeadlock: false, depth: 5, seed: 1 });
    expect(some.initialCheck).toEqual({ kind: 'ok' });
    for (let i = 0; i < 20; i++) expect(some.trace(i).trace.states).toEqual([2]);
    const throwing = new Walker(system({ initial: [0], edges: [] }, { inModel: () => { throw new ModelError('runtime', 'in constraint'); } }), { checkDeadlock: true, depth: 5, seed: 1 });
    expect(throwing.initialCheck.kind === 'stop' && throwing.initialCheck.stop).toMatchObject({ kind: 'fault', via: 0 });
  });

  it('starts walks from every initial state', () => {
    const w = new Walker(graphModel({ initial: [0, 1, 2], edges: [] }), { checkDeadlock: false, depth: 5, seed: 3 });
    const starts = new Set(Array.from({ length: 60 }, (_, i) => w.trace(i).trace.states[0]));
    expect(starts).toEqual(new Set([0, 1, 2]));
  });
});

describe('a step of a walk', () => {
  it('goes to a random successor, each of them sometimes', () => {
    const w = new Walker(graphModel({ initial: [0], edges: [[0, 1], [0, 2], [0, 3]], done: [1, 2, 3] }), { checkDeadlock: true, depth: 5, seed: 9 });
    const ends = Array.from({ length: 90 }, (_, i) => w.trace(i).trace.states.at(-1));
    for (const n of [1, 2, 3]) expect(ends.filter((e) => e === n).length).toBeGreaterThan(10);
  });

  it('counts steps, walks, every emission as generated, and the longest walk', () => {
    // 0 -> 1 -> 2 -> 3, done at 3; depth 10: every walk takes 3 steps.
    const w = new Walker(graphModel({ initial: [0, 0], edges: line(3), done: [3] }), { checkDeadlock: true, depth: 10, seed: 2 });
    expect(w.initialGenerated).toBe(2);
    const r = runWalks(w, { runs: 4, seconds: Infinity });
    expect(r).toEqual({ found: undefined, walks: 4, steps: 12, generated: 2 + 12, longest: 3, timedOut: false });
    expect(w.walk(0)).toEqual({ steps: 3, stop: null });
    // The depth limit: 2 steps, then the walk ends without a problem.
    const short = new Walker(graphModel({ initial: [0], edges: line(3) }), { checkDeadlock: true, depth: 2, seed: 2 });
    expect(short.walk(0)).toEqual({ steps: 2, stop: null });
    expect(short.trace(0).trace).toEqual({ states: [0, 1, 2], labels: ['s0', 's1'] });
  });

  it('reports a deadlock only when checked, and not in a done state', () => {
    const opts = { depth: 10, seed: 0 };
    expect(new Walker(graphModel({ initial: [0], edges: line(2) }), { ...opts, checkDeadlock: true }).walk(0)).toEqual({ steps: 2, stop: { kind: 'deadlock' } });
    expect(new Walker(graphModel({ initial: [0], edges: line(2) }), { ...opts, checkDeadlock: false }).walk(0)).toEqual({ steps: 2, stop: null });
    expect(new Walker(graphModel({ initial: [0], edges: line(2), done: [2] }), { ...opts, checkDeadlock: true }).walk(0)).toEqual({ steps: 2, stop: null });
    // isDone itself failing is a fault.
    const g = graphModel({ initial: [0], edges: [] });
    const failing = { ...g, isDone: () => { throw new ModelError('runtime', 'in isDone'); } };
    const r = new Walker(failing, { ...opts, checkDeadlock: true }).walk(0);
    expect(r.stop).toMatchObject({ kind: 'fault' });
    expect(r.stop!.kind === 'fault' && r.stop!.error.message).toBe('in isDone');
    // Every successor outside the constraints: the walk ends there, no deadlock.
    const out = new Walker(system({ initial: [0], edges: [[0, 1]] }, { inModel: (s) => s !== 1 }), { ...opts, checkDeadlock: true });
    expect(out.walk(0)).toEqual({ steps: 0, stop: null });
    expect(out.generated).toBe(1);
  });

  it('checks each successor’s invariants in emission order; the first problem wins over a later fault', () => {
    const g = graphModel({ initial: [0], edges: [[0, 1], [0, 2]], invariants: [avoid([1], 'A'), avoid([2], 'B')], faultingStates: [0] });
    const w = new Walker(g, { checkDeadlock: true, depth: 5, seed: 0 });
    const t = w.trace(0);
    expect(t.stop).toEqual({ kind: 'invariant', invariant: 'A', via: 0 });
    expect(t.trace).toEqual({ states: [0, 1], labels: ['0->1'] });
    // Without bad successors the fault is the problem, with no successor state.
    const f = new Walker(graphModel({ initial: [0], edges: [[0, 1]], faultingStates: [0] }), { checkDeadlock: true, depth: 5, seed: 0 }).trace(0);
    expect(f.stop).toMatchObject({ kind: 'fault' });
    expect(f.stop).not.toHaveProperty('via');
    expect(f.trace).toEqual({ states: [0], labels: [] });
    // A fault in a successor's invariant names the successor.
    const bad = { name: 'T', holds: (s: number) => { if (s === 2) throw new ModelError('runtime', 'inv'); return true; } };
    const h = new Walker(graphModel({ initial: [0], edges: [[0, 1], [1, 2]], invariants: [bad] }), { checkDeadlock: true, depth: 5, seed: 0 }).trace(0);
    expect(h.stop).toMatchObject({ kind: 'fault', via: 0 });
    expect(h.trace.states).toEqual([0, 1, 2]);
  });

  it('a successor outside the constraints is checked but not taken; a constraint that throws is a fault', () => {
    const w = new Walker(system({ initial: [0], edges: [[0, 1], [0, 2], [2, 3]], done: [3], invariants: [avoid([9])] }, { inModel: (s) => s !== 1 }), { checkDeadlock: true, depth: 5, seed: 0 });
    for (let i = 0; i < 10; i++) expect(w.trace(i).trace.states).toEqual([0, 2, 3]);
    const inv = new Walker(system({ initial: [0], edges: [[0, 1], [0, 2]], done: [2], invariants: [avoid([1])] }, { inModel: (s) => s !== 1 }), { checkDeadlock: true, depth: 5, seed: 0 });
    expect(inv.walk(0).stop).toMatchObject({ kind: 'invariant', via: 0 });
    const thr = new Walker(
      system({ initial: [0], edges: [[0, 1], [0, 2]] }, { inModel: (s, from) => { if (from !== undefined && s === 2) throw new ModelError('runtime', 'c'); return true; } }),
      { checkDeadlock: true, depth: 5, seed: 0 },
    ).trace(0);
    expect(thr.stop).toMatchObject({ kind: 'fault', via: 1 });
    expect(thr.trace).toEqual({ states: [0, 2], labels: ['0->2'] });
  });

  it('checks steps, but not stutters; a refused step and a failing check end the walk', () => {
    const refuse = (f: number, t: number): StepViolation | undefined => (t < f ? { name: 'Grows' } : undefined);
    const stutter = new Walker(system({ initial: [0], edges: [[0, 0], [0, 1]], done: [1] }, { checkStep: () => ({ name: 'Never' }) }), { checkDeadlock: true, depth: 5, seed: 0 });
    // 0 -> 0 is a stutter: allowed; 0 -> 1 is refused.
    const runs = Array.from({ length: 10 }, (_, i) => stutter.trace(i));
    for (const r of runs) expect(r.stop).toEqual({ kind: 'invariant', invariant: 'Never', via: 1, step: { name: 'Never' } });
    const w = new Walker(system({ initial: [0], edges: [[0, 2], [2, 1]], done: [1] }, { checkStep: refuse }), { checkDeadlock: true, depth: 5, seed: 0 });
    const t = w.trace(0);
    expect(t.stop).toEqual({ kind: 'invariant', invariant: 'Grows', via: 0, step: { name: 'Grows' } });
    expect(t.trace).toEqual({ states: [0, 2, 1], labels: ['0->2', '2->1'] });
    const ok = new Walker(system({ initial: [0], edges: [[0, 2], [2, 3]], done: [3] }, { checkStep: refuse }), { checkDeadlock: true, depth: 5, seed: 0 });
    expect(ok.walk(0)).toEqual({ steps: 2, stop: null });
    const thr = new Walker(system({ initial: [0], edges: [[0, 2]], done: [2] }, { checkStep: () => { throw new ModelError('assert', 'in step'); } }), { checkDeadlock: true, depth: 5, seed: 0 });
    expect(thr.walk(0).stop).toMatchObject({ kind: 'fault', via: 0 });
    // A refused step outside the constraints still ends the walk (checked before the constraint decides).
    const outside = new Walker(system({ initial: [0], edges: [[0, 2], [0, 3]], done: [3] }, { inModel: (s) => s !== 2, checkStep: (f, t) => (t === 2 ? { name: 'X' } : undefined) }), { checkDeadlock: true, depth: 5, seed: 0 });
    expect(outside.walk(0).stop).toMatchObject({ kind: 'invariant', invariant: 'X' });
  });

  it('counts new states for coverage: each state once over all walks, the initial ones never', () => {
    const found: number[] = [];
    const w = new Walker(system({ initial: [0], edges: [[0, 1], [1, 0], [1, 2], [2, 0]] }, { coverage: found }), { checkDeadlock: true, depth: 30, seed: 4 });
    runWalks(w, { runs: 30, seconds: Infinity });
    expect(found.length).toBe(2);
  });

  it('copies a state before keeping it when the system reuses its states', () => {
    // The system hands out one mutable box per call and overwrites it afterwards.
    const box = { v: 0 };
    const base: TransitionSystem<{ v: number }, string> = {
      initialStates: (emit) => {
        box.v = 0;
        emit(box);
        box.v = -1;
      },
      successors: (s, emit) => {
        const from = s.v;
        if (from >= 3) return;
        box.v = from + 1;
        emit(box, `to${from + 1}`);
        box.v = -1;
      },
      fingerprint: (s, out) => {
        out[0] = s.v;
        out[1] = 0;
      },
      invariants: [{ name: 'NotThree', holds: (s) => s.v !== 3 }],
      copyState: (s) => ({ v: s.v }),
    };
    const w = new Walker(base, { checkDeadlock: false, depth: 10, seed: 0 });
    const t = w.trace(0);
    expect(t.trace.states.map((s) => s.v)).toEqual([0, 1, 2, 3]);
    const shrunk = shrinkWalk(w, { index: 0, stop: t.stop!, steps: 2 }, { keyOf: key, budget: 0 });
    expect(shrunk.outcome.kind === 'invariant' && shrunk.outcome.trace.states.map((s) => s.v)).toEqual([0, 1, 2, 3]);
  });
});

describe('runWalks', () => {
  it('stops at the first walk that finds a problem and counts the walks up to it', () => {
    // From 0: 1 (fine, done) or 2 (bad).
    const g = graphModel({ initial: [0], edges: [[0, 1], [0, 2]], done: [1], invariants: [avoid([2])] });
    const w = new Walker(g, { checkDeadlock: true, depth: 5, seed: 1 });
    const firstBad = Array.from({ length: 50 }, (_, i) => i).find((i) => w.walk(i).stop !== null)!;
    const w2 = new Walker(g, { checkDeadlock: true, depth: 5, seed: 1 });
    const r = runWalks(w2, { runs: 50, seconds: Infinity });
    expect(r.found).toEqual({ index: firstBad, stop: { kind: 'invariant', invariant: 'Avoid', via: expect.any(Number) }, steps: 0 });
    expect(r.walks).toBe(firstBad + 1);
    expect(r.steps).toBe(firstBad);
    expect(r.longest).toBe(firstBad > 0 ? 1 : 0);
    expect(r.generated).toBe(1 + 2 * (firstBad + 1));
    expect(r.timedOut).toBe(false);
  });

  it('runs no walk beyond runs, and the time limit of 0 still runs one walk', () => {
    const g = graphModel({ initial: [0], edges: line(2), done: [2] });
    expect(runWalks(new Walker(g, { checkDeadlock: true, depth: 5, seed: 1 }), { runs: 3, seconds: Infinity }).walks).toBe(3);
    const t = runWalks(new Walker(g, { checkDeadlock: true, depth: 5, seed: 1 }), { runs: 3, seconds: 0 });
    expect(t.walks).toBe(1);
    expect(t.timedOut).toBe(true);
    const one = runWalks(new Walker(g, { checkDeadlock: true, depth: 5, seed: 1 }), { runs: 1, seconds: 0 });
    expect(one.timedOut).toBe(false);
  });
});

describe('errors that are not the model’s', () => {
  it('are thrown on, from every place a step evaluates the spec', () => {
    const opts = { checkDeadlock: true, depth: 5, seed: 0 };
    const bug = (): never => {
      throw new TypeError('bug');
    };
    const g = graphModel({ initial: [0], edges: [[0, 1]], done: [1] });
    expect(() => new Walker({ ...g, successors: bug }, opts).walk(0)).toThrow(TypeError);
    expect(() => new Walker({ ...graphModel({ initial: [0], edges: [] }), isDone: bug }, opts).walk(0)).toThrow(TypeError);
    expect(() => new Walker({ ...g, inModel: (s: number) => (s === 1 ? bug() : true) }, opts).walk(0)).toThrow(TypeError);
    expect(() => new Walker({ ...g, invariants: [{ name: 'I', holds: (s: number) => (s === 1 ? bug() : true) }] }, opts).walk(0)).toThrow(TypeError);
    expect(() => new Walker({ ...g, checkStep: bug }, opts).walk(0)).toThrow(TypeError);
  });
});

describe('runWalks on a walker that walked before', () => {
  it('counts only the emissions of its own walks, beside the initial states', () => {
    const g = graphModel({ initial: [0], edges: line(3), done: [3] });
    const w = new Walker(g, { checkDeadlock: true, depth: 10, seed: 2 });
    w.walk(0);
    expect(runWalks(w, { runs: 2, seconds: Infinity }).generated).toBe(1 + 6);
    const bad = graphModel({ initial: [0], edges: line(3), done: [3], invariants: [avoid([3])] });
    const b = new Walker(bad, { checkDeadlock: true, depth: 10, seed: 2 });
    b.walk(0);
    expect(runWalks(b, { runs: 2, seconds: Infinity }).generated).toBe(1 + 3);
  });
});

describe('replay and shrinking', () => {
  it('replays steps by label and rank, the last of equal labels when the rank is too high', () => {
    // Two steps labelled x from 0: to 1 and to 2; one labelled y to 3.
    const g = graphModel({ initial: [0], edges: [[0, 1, 'x'], [0, 2, 'x'], [0, 3, 'y'], [1, 4, 'z'], [2, 4, 'z']] });
    const w = new Walker(g, { checkDeadlock: false, depth: 5, seed: 0 });
    expect(w.replay(0, [{ key: 'x', rank: 0 }], key)).toEqual({ trace: { states: [0, 1], labels: ['x'] }, steps: [{ key: 'x', rank: 0 }], stop: null });
    expect(w.replay(0, [{ key: 'x', rank: 1 }], key).trace.states).toEqual([0, 2]);
    expect(w.replay(0, [{ key: 'x', rank: 5 }], key)).toEqual({ trace: { states: [0, 2], labels: ['x'] }, steps: [{ key: 'x', rank: 1 }], stop: null });
    expect(w.replay(0, [{ key: 'y', rank: 0 }, { key: 'z', rank: 0 }], key).trace.states).toEqual([0, 3]);
    expect(w.replay(0, [{ key: 'x', rank: 1 }, { key: 'z', rank: 0 }], key).trace.states).toEqual([0, 2, 4]);
    expect(w.replay(0, [], key)).toEqual({ trace: { states: [0], labels: [] }, steps: [], stop: null });
  });

  it('a replay ends at the first problem, also after its last step', () => {
    const g = graphModel({ initial: [0], edges: [[0, 1, 'a'], [1, 2, 'b'], [1, 3, 'c']], invariants: [avoid([3], 'No3')] });
    const w = new Walker(g, { checkDeadlock: true, depth: 5, seed: 0 });
    const r = w.replay(0, [{ key: 'a', rank: 0 }], key);
    expect(r.stop).toEqual({ kind: 'invariant', invariant: 'No3', via: 1 });
    expect(r.trace).toEqual({ states: [0, 1, 3], labels: ['a', 'c'] });
    expect(r.steps).toEqual([{ key: 'a', rank: 0 }]);
    const d = w.replay(0, [{ key: 'a', rank: 0 }, { key: 'b', rank: 0 }], key);
    expect(d.stop).toEqual({ kind: 'invariant', invariant: 'No3', via: 1 });
  });

  it('cuts loops, drops steps and finds the shortest trace by a search', () => {
    // A ring 0 -> 1 -> 2 -> 0 with a way out 2 -> 3 (bad); walks go round before leaving.
    const g = graphModel({ initial: [0], edges: [[0, 1, 'a'], [1, 2, 'b'], [2, 0, 'c'], [2, 3, 'd']], invariants: [avoid([3], 'No3')] });
    for (let seed = 0; seed < 10; seed++) {
      const w = new Walker(g, { checkDeadlock: true, depth: 40, seed });
      const r = runWalks(w, { runs: 10, seconds: Infinity });
      expect(r.found).toBeDefined();
      const noSearch = shrinkWalk(w, r.found!, { keyOf: key, budget: 0 });
      expect(noSearch.outcome.kind === 'invariant' && noSearch.outcome.trace.states).toEqual([0, 1, 2, 3]);
      expect(noSearch.report.search).toEqual({ kind: 'skipped', states: 0 });
      expect(noSearch.report.shortest).toBe(false);
      expect(noSearch.report.raw).toBe(r.found!.steps + 1);
      expect(noSearch.report.final).toBe(3);
      expect(noSearch.report.loopsCut).toBe(3);
      const search = shrinkWalk(w, r.found!, { keyOf: key, budget: 100 });
      expect(search.report.search).toEqual({ kind: 'shortest', states: 4 });
      expect(search.report.shortest).toBe(true);
    }
  });

  it('drops steps that the problem does not need, within the replays allowed', () => {
    // State 4c + t: x counts c up (bad at c = 2), y counts t up (to 3); no state repeats.
    const edges: Edge[] = [];
    for (let c = 0; c < 2; c++) {
      for (let t = 0; t < 4; t++) {
        edges.push([4 * c + t, 4 * (c + 1) + t, 'x']);
        if (t < 3) edges.push([4 * c + t, 4 * c + t + 1, 'y']);
      }
    }
    const bad = [8, 9, 10, 11];
    const g = graphModel({ initial: [0], edges, invariants: [avoid(bad, 'Two')] });
    const w = new Walker(g, { checkDeadlock: false, depth: 10, seed: 0 });
    let index = -1;
    for (let i = 0; i < 500 && index < 0; i++) if (w.trace(i).trace.labels.length >= 4) index = i;
    expect(index).toBeGreaterThanOrEqual(0);
    const r = w.walk(index);
    const found = { index, stop: r.stop!, steps: r.steps };
    const raw = r.steps + 1;
    const none = shrinkWalk(w, found, { keyOf: key, budget: 0, maxReplays: 0 });
    expect(none.report.replays).toBe(0);
    expect(none.report.final).toBe(raw);
    expect(none.report.dropped).toBe(raw);
    const some = shrinkWalk(w, found, { keyOf: key, budget: 0 });
    expect(some.report.loopsCut).toBe(raw);
    expect(some.report.dropped).toBe(2);
    expect(some.report.final).toBe(2);
    expect(some.report.replays).toBeGreaterThan(0);
    expect(some.outcome.kind === 'invariant' && some.outcome.trace.labels).toEqual(['x', 'x']);
    expect(some.outcome.kind === 'invariant' && some.outcome.trace.states).toEqual([0, 4, 8]);
  });

  it('a search that meets another problem first, or runs out of budget, keeps the shrunk trace', () => {
    // Bad 9 is far (0..4 then 9); bad 7 is near (0 -> 7), under another invariant.
    const edges: Edge[] = [...line(4), [4, 9, 'last'], [0, 6, 'side'], [6, 7, 'other']];
    const g = graphModel({ initial: [0], edges, invariants: [avoid([9], 'Far'), avoid([7], 'Near')], done: [7, 9] });
    const w = new Walker(g, { checkDeadlock: true, depth: 10, seed: 0 });
    let index = -1;
    for (let i = 0; i < 200 && index < 0; i++) if (w.walk(i).stop?.kind === 'invariant' && (w.walk(i).stop as { invariant: string }).invariant === 'Far') index = i;
    expect(index).toBeGreaterThanOrEqual(0);
    const found = { index, stop: w.walk(index).stop!, steps: 4 };
    const other = shrinkWalk(w, found, { keyOf: key, budget: 1000 });
    expect(other.report.search).toEqual({ kind: 'other', states: expect.any(Number), other: 'invariant Near' });
    expect(other.outcome).toMatchObject({ kind: 'invariant', invariant: 'Far' });
    expect(other.report.shortest).toBe(false);
    const budget = shrinkWalk(w, found, { keyOf: key, budget: 2 });
    expect(budget.report.search.kind).toBe('budget');
    expect(budget.outcome).toMatchObject({ kind: 'invariant', invariant: 'Far' });
    expect(budget.outcome.kind !== 'ok' && budget.outcome.kind !== 'limit' && budget.outcome.trace.states).toEqual([0, 1, 2, 3, 4, 9]);
  });

  it('shrinks faults to the same fault, by kind and message unless told how to compare', () => {
    // Two ways to a faulting edge, a long one and a short one.
    const g = graphModel({ initial: [0], edges: [[0, 1, 'a'], [1, 2, 'b'], [0, 2, 'c'], [2, 3, 'f']], faultingEdges: [[2, 3]], done: [3] });
    const w = new Walker(g, { checkDeadlock: true, depth: 10, seed: 0 });
    let index = -1;
    for (let i = 0; i < 100 && index < 0; i++) if (w.trace(i).trace.labels.length === 2) index = i;
    expect(index).toBeGreaterThanOrEqual(0);
    const r = w.walk(index);
    expect(r.stop?.kind).toBe('fault');
    const s = shrinkWalk(w, { index, stop: r.stop!, steps: r.steps }, { keyOf: key, budget: 100 });
    expect(s.outcome.kind).toBe('fault');
    expect(s.outcome.kind === 'fault' && s.outcome.trace.states).toEqual([0, 2]);
    expect(s.report.shortest).toBe(true);
    // Faults in other places are other problems, unless told otherwise.
    const two = graphModel({ initial: [0], edges: [[0, 1, 'a'], [1, 2, 'b'], [0, 3, 'c']], faultingStates: [2, 3] });
    const w3 = new Walker(two, { checkDeadlock: true, depth: 10, seed: 0 });
    let far = -1;
    for (let i = 0; i < 100 && far < 0; i++) if (w3.trace(i).trace.labels.length === 2) far = i;
    expect(far).toBeGreaterThanOrEqual(0);
    const f3 = w3.walk(far);
    const byMessage = shrinkWalk(w3, { index: far, stop: f3.stop!, steps: f3.steps }, { keyOf: key, budget: 100 });
    expect(byMessage.report.search).toMatchObject({ kind: 'other', other: 'a run-time error (state 3 fails)' });
    expect(byMessage.report.final).toBe(2);
    const any = shrinkWalk(w3, { index: far, stop: f3.stop!, steps: f3.steps }, { keyOf: key, budget: 100, sameFault: () => true });
    expect(any.report.search.kind).toBe('shortest');
    expect(any.outcome.kind === 'fault' && any.outcome.trace.states).toEqual([0, 3]);
    // Another message is another fault.
    const other = graphModel({ initial: [0], edges: [[0, 1, 'a'], [1, 2, 'b'], [0, 2, 'c'], [2, 3, 'f']], faultingEdges: [[2, 3]], faultingStates: [0], done: [3] });
    const w2 = new Walker(other, { checkDeadlock: true, depth: 10, seed: 0 });
    expect(() => shrinkWalk(w2, { index: 0, stop: { kind: 'fault', error: new ModelError('assert', 'edge f fails') }, steps: 0 }, { keyOf: key, budget: 0 })).toThrow(/internal error/);
  });

  it('refuses a walk that does not end in the problem it is said to have found', () => {
    const g = graphModel({ initial: [0], edges: [[0, 1]], invariants: [avoid([1], 'A')] });
    const w = new Walker(g, { checkDeadlock: true, depth: 5, seed: 0 });
    expect(() => shrinkWalk(w, { index: 0, stop: { kind: 'invariant', invariant: 'B', via: 0 }, steps: 0 }, { keyOf: key, budget: 0 })).toThrow(/internal error/);
    expect(() => shrinkWalk(w, { index: 0, stop: { kind: 'deadlock' }, steps: 0 }, { keyOf: key, budget: 0 })).toThrow(/internal error/);
  });
});

describe('how a problem is named and reported', () => {
  it('names each kind of problem', () => {
    expect(stopName({ kind: 'invariant', invariant: 'Inv', via: 0 })).toBe('invariant Inv');
    expect(stopName({ kind: 'invariant', invariant: 'Grows', via: 0, step: { name: 'Grows' } })).toBe('step property Grows');
    expect(stopName({ kind: 'deadlock' })).toBe('a deadlock');
    expect(stopName({ kind: 'fault', error: new ModelError('assert', 'x > 0') })).toBe('a failed assert (x > 0)');
    expect(stopName({ kind: 'fault', error: new ModelError('runtime', 'division by zero') })).toBe('a run-time error (division by zero)');
  });

  it('turns a problem into the explorer’s outcome', () => {
    const trace = { states: [1, 2], labels: ['a'] };
    const err = new ModelError('runtime', 'e');
    expect(outcomeOfStop({ kind: 'invariant', invariant: 'I', via: 0 }, trace)).toEqual({ kind: 'invariant', invariant: 'I', trace });
    expect(outcomeOfStop({ kind: 'invariant', invariant: 'S', via: 0, step: { name: 'S' } }, trace)).toEqual({ kind: 'invariant', invariant: 'S', trace, step: { name: 'S' } });
    expect(outcomeOfStop({ kind: 'deadlock' }, trace)).toEqual({ kind: 'deadlock', trace });
    expect(outcomeOfStop({ kind: 'fault', error: err }, trace)).toEqual({ kind: 'fault', error: err, trace });
  });

  it('shrinking tells a step property from an invariant of the same name, and a deadlock from a fault', () => {
    // The search meets the deadlock at 1 first (BFS) when the walk's problem is the refused step to 3.
    const g = system({ initial: [0], edges: [[0, 1], [0, 2], [2, 3]], invariants: [] }, { checkStep: (f, t) => (t === 3 ? { name: 'P' } : undefined) });
    const w = new Walker(g, { checkDeadlock: true, depth: 5, seed: 0 });
    let index = -1;
    for (let i = 0; i < 50 && index < 0; i++) if (w.walk(i).stop?.kind === 'invariant') index = i;
    expect(index).toBeGreaterThanOrEqual(0);
    const s = shrinkWalk(w, { index, stop: w.walk(index).stop!, steps: 1 }, { keyOf: key, budget: 100 });
    expect(s.report.search).toMatchObject({ kind: 'other', other: 'a deadlock' });
    expect(s.outcome).toMatchObject({ kind: 'invariant', invariant: 'P', step: { name: 'P' } });
  });
});
