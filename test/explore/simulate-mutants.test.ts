/**
 * src/explore/simulate.ts on hand-made transition systems: the options a Walker refuses, the
 * initial states' problems, what a step checks (constraints, invariants, step checks, faults,
 * deadlocks) and in which order, the counts of a run, the replay by labels and ranks, the
 * coverage's new states, and what shrinking keeps and reports.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { ModelError, type StepViolation, type TransitionSystem } from '../../src/explore/index.js';
import { MAX_SEED, outcomeOfStop, Rng, runWalks, shrinkWalk, stopName, Walker, type WalkStop } from '../../src/explore/simulate.js';
import { clearInterrupt, Interrupted, requestInterrupt } from '../../src/explore/guard.js';
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

/** The first walk index (below 500) whose walk passes `test`; fails the test if none does. */
function walkWhere<S, L>(w: Walker<S, L>, test: (r: { steps: number; stop: WalkStop | null }) => boolean): { index: number; stop: WalkStop; steps: number } {
  for (let i = 0; i < 500; i++) {
    const r = w.walk(i);
    if (test(r)) return { index: i, stop: r.stop!, steps: r.steps };
  }
  throw new Error('no such walk');
}

/** Fingerprints that share one word between n and n ± 10: (n mod 10, n div 10). */
function splitFingerprint(s: number, out: Uint32Array): void {
  out[0] = s % 10;
  out[1] = Math.floor(s / 10);
}

describe('shrinking: the loops cut', () => {
  it('goes on from the last visit of a state: one replay, the loop-free trace', () => {
    // 0 <-> 1, then 1 -> 2 -> 3 (bad): walks go back and forth before leaving.
    const g = graphModel({ initial: [0], edges: [[0, 1, 'a'], [1, 0, 'b'], [1, 2, 'c'], [2, 3, 'd']], invariants: [avoid([3], 'No3')] });
    const w = new Walker(g, { checkDeadlock: true, depth: 60, seed: 0 });
    const found = walkWhere(w, (r) => r.stop !== null && r.steps >= 6);
    const s = shrinkWalk(w, found, { keyOf: key, budget: 0, maxReplays: 0 });
    expect(s.report).toEqual({ raw: found.steps + 1, loopsCut: 3, dropped: 3, replays: 1, search: { kind: 'skipped', states: 0 }, final: 3, shortest: false });
    expect(s.outcome).toEqual({ kind: 'invariant', invariant: 'No3', trace: { states: [0, 1, 2, 3], labels: ['a', 'c', 'd'] } });
  });

  it('does not count the bad successor of a refused step among the states walked', () => {
    // The step 2 -> 0 is refused: the trace ends in 0 again, which is no loop.
    const g = system({ initial: [0], edges: [[0, 1, 'a'], [1, 0, 'b'], [1, 2, 'c'], [2, 0, 'd']] }, { checkStep: (f, t) => (f === 2 && t === 0 ? { name: 'Back' } : undefined) });
    const w = new Walker(g, { checkDeadlock: true, depth: 60, seed: 0 });
    const found = walkWhere(w, (r) => r.stop !== null && r.steps >= 6);
    const s = shrinkWalk(w, found, { keyOf: key, budget: 0, maxReplays: 0 });
    expect(s.report.loopsCut).toBe(3);
    expect(s.report.replays).toBe(1);
    expect(s.outcome).toEqual({ kind: 'invariant', invariant: 'Back', step: { name: 'Back' }, trace: { states: [0, 1, 2, 0], labels: ['a', 'c', 'd'] } });
  });

  it('keeps the last state of a deadlock and of a fault without a successor', () => {
    // 0 <-> 1, 1 -> 2: a deadlock at 2; with 2 faulting (after emitting 2 -> 4), a fault at 2.
    const dead = graphModel({ initial: [0], edges: [[0, 1, 'a'], [1, 0, 'b'], [1, 2, 'c']] });
    const wd = new Walker(dead, { checkDeadlock: true, depth: 60, seed: 0 });
    const fd = walkWhere(wd, (r) => r.stop !== null && r.steps >= 6);
    expect(fd.stop).toEqual({ kind: 'deadlock' });
    const sd = shrinkWalk(wd, fd, { keyOf: key, budget: 0, maxReplays: 0 });
    expect(sd.report).toMatchObject({ raw: fd.steps, loopsCut: 2, final: 2, replays: 1 });
    expect(sd.outcome).toEqual({ kind: 'deadlock', trace: { states: [0, 1, 2], labels: ['a', 'c'] } });
    // The search finds the same deadlock.
    const bd = shrinkWalk(wd, fd, { keyOf: key, budget: 100 });
    expect(bd.report.search).toEqual({ kind: 'shortest', states: 3 });
    expect(bd.outcome).toEqual({ kind: 'deadlock', trace: { states: [0, 1, 2], labels: ['a', 'c'] } });
    const fault = graphModel({ initial: [0], edges: [[0, 1, 'a'], [1, 0, 'b'], [1, 2, 'c'], [2, 4, 'e']], faultingStates: [2], done: [4] });
    const wf = new Walker(fault, { checkDeadlock: true, depth: 60, seed: 0 });
    const ff = walkWhere(wf, (r) => r.stop !== null && r.steps >= 6);
    const sf = shrinkWalk(wf, ff, { keyOf: key, budget: 0, maxReplays: 0 });
    expect(sf.report).toMatchObject({ raw: ff.steps, loopsCut: 2, final: 2, replays: 1 });
    expect(sf.outcome.kind === 'fault' && sf.outcome.trace).toEqual({ states: [0, 1, 2], labels: ['a', 'c'] });
  });

  it('cuts a single stutter', () => {
    // 0 -> 0, 0 -> 1, 1 -> 2 (bad): the walk that stutters once.
    const g = graphModel({ initial: [0], edges: [[0, 0, 's'], [0, 1, 'a'], [1, 2, 'b']], invariants: [avoid([2], 'No2')] });
    const w = new Walker(g, { checkDeadlock: true, depth: 20, seed: 0 });
    const found = walkWhere(w, (r) => r.stop !== null && r.steps === 2);
    const s = shrinkWalk(w, found, { keyOf: key, budget: 0, maxReplays: 0 });
    expect(s.report).toMatchObject({ raw: 3, loopsCut: 2, replays: 1 });
    expect(s.outcome).toEqual({ kind: 'invariant', invariant: 'No2', trace: { states: [0, 1, 2], labels: ['a', 'b'] } });
  });

  it('a replay that ends in a deadlock or a fault adds no successor state', () => {
    const w = new Walker(graphModel({ initial: [0], edges: [[0, 1, 'a']] }), { checkDeadlock: true, depth: 5, seed: 0 });
    expect(w.replay(0, [{ key: 'a', rank: 0 }], key)).toEqual({ trace: { states: [0, 1], labels: ['a'] }, steps: [{ key: 'a', rank: 0 }], stop: { kind: 'deadlock' } });
  });
});

describe('shrinking: the ranks of steps with equal labels', () => {
  // From 0: a to 1 (and b back), and two steps labelled x to 4 and 14, whose fingerprints share
  // a word; 14 leads to the bad 99, 4 is a dead end.
  const run = (edges: Edge[]) => {
    const g = { ...graphModel({ initial: [0], edges: [[0, 1, 'a'], [1, 0, 'b'], ...edges, [14, 99, 'z']], invariants: [avoid([99], 'No99')], done: [4, 5, 15, 24] }), fingerprint: splitFingerprint };
    const w = new Walker(g, { checkDeadlock: true, depth: 60, seed: 0 });
    const found = walkWhere(w, (r) => r.stop !== null && r.steps >= 5);
    return shrinkWalk(w, found, { keyOf: key, budget: 0 });
  };

  it('replays the second of two steps with the same label as the second', () => {
    const s = run([[0, 4, 'x'], [0, 14, 'x']]);
    expect(s.outcome).toEqual({ kind: 'invariant', invariant: 'No99', trace: { states: [0, 14, 99], labels: ['x', 'z'] } });
    expect(s.report.loopsCut).toBe(2);
  });

  it('replays the first of two steps with the same label as the first', () => {
    const s = run([[0, 14, 'x'], [0, 4, 'x']]);
    expect(s.outcome).toEqual({ kind: 'invariant', invariant: 'No99', trace: { states: [0, 14, 99], labels: ['x', 'z'] } });
    expect(s.report.loopsCut).toBe(2);
  });

  it('ranks a step among the successors with its label only', () => {
    // Another label's successor before the two x steps does not shift the rank.
    const s = run([[0, 5, 'y'], [0, 4, 'x'], [0, 24, 'w'], [0, 14, 'x']]);
    expect(s.outcome).toEqual({ kind: 'invariant', invariant: 'No99', trace: { states: [0, 14, 99], labels: ['x', 'z'] } });
  });

  it('tells successors apart by both fingerprint words', () => {
    // 15 shares the high word with 14, 4 the low word.
    const s = run([[0, 15, 'x'], [0, 4, 'x'], [0, 14, 'x']]);
    expect(s.outcome).toEqual({ kind: 'invariant', invariant: 'No99', trace: { states: [0, 14, 99], labels: ['x', 'z'] } });
  });
});

describe('shrinking: dropping steps, within the replays allowed', () => {
  // State 4c + t: x counts c up (bad at c = 2), y counts t up (to 3); no state repeats.
  const edges: Edge[] = [];
  for (let c = 0; c < 2; c++) {
    for (let t = 0; t < 4; t++) {
      edges.push([4 * c + t, 4 * (c + 1) + t, 'x']);
      if (t < 3) edges.push([4 * c + t, 4 * c + t + 1, 'y']);
    }
  }
  const g = graphModel({ initial: [0], edges, invariants: [avoid([8, 9, 10, 11], 'Two')] });
  const w = new Walker(g, { checkDeadlock: false, depth: 10, seed: 0 });
  const byLabels = (labels: string) => {
    for (let i = 0; i < 2000; i++) {
      const t = w.trace(i);
      if (t.trace.labels.join('') === labels) return { index: i, stop: t.stop!, steps: labels.length - 1 };
    }
    throw new Error(`no walk ${labels}`);
  };

  it('drops halves, then smaller chunks, from the end backwards (the replays counted)', () => {
    // The walk y y y x x: its steps walked are y y y x (the last x is the step to the bad state).
    // Halves, from the end: without [y x], y y reaches no problem; without [y y], y x then x
    // is bad: kept (3 steps). Halves of [y x]: without [x], y: no problem; without [y], x then
    // x: kept (2 steps). [x] alone: without it, nothing. 5 replays.
    const found = byLabels('yyyxx');
    const s = shrinkWalk(w, found, { keyOf: key, budget: 0 });
    expect(s.outcome.kind === 'invariant' && s.outcome.trace.labels).toEqual(['x', 'x']);
    expect(s.report).toEqual({ raw: 5, loopsCut: 5, dropped: 2, replays: 5, search: { kind: 'skipped', states: 0 }, final: 2, shortest: false });
  });

  it('keeps halving while a half goes, then refines when none does', () => {
    // Up to 7 y steps and 3 x steps; bad at c = 3 (x x x) in `wide`, at c = 2 in `long`.
    const grid = (bad: number, tMax: number) => {
      const e: Edge[] = [];
      for (let c = 0; c < bad; c++) {
        for (let t = 0; t <= tMax; t++) {
          e.push([10 * c + t, 10 * (c + 1) + t, 'x']);
          if (t < tMax) e.push([10 * c + t, 10 * c + t + 1, 'y']);
        }
      }
      const sys = graphModel({ initial: [0], edges: e, invariants: [avoid(Array.from({ length: tMax + 1 }, (_, t) => 10 * bad + t), 'Bad')] });
      const wk = new Walker(sys, { checkDeadlock: false, depth: 20, seed: 0 });
      return (labels: string) => {
        for (let i = 0; i < 5000; i++) {
          const t = wk.trace(i);
          if (t.trace.labels.join('') === labels) return shrinkWalk(wk, { index: i, stop: t.stop!, steps: labels.length - 1 }, { keyOf: key, budget: 0 }).report;
        }
        throw new Error(`no walk ${labels}`);
      };
    };
    // [y y y y y y x]: without the last 4, no problem; without the first 4, y y x x (kept);
    // [y y x]: without [x], no; without [y y], x x (kept); [x]: without it, no. 5 replays.
    expect(grid(2, 7)('yyyyyyxx')).toMatchObject({ raw: 8, dropped: 2, replays: 5 });
    // [y x y x]: neither half can go (2 replays); quarters from the end: without x, no; without
    // y, y x x then x (kept); [y x x] in thirds: without either x, no; without y, x x (kept);
    // [x x]: neither can go. 9 replays.
    const wide = grid(3, 7);
    const a = wide('yxyxx');
    expect(a).toMatchObject({ raw: 5, dropped: 3, final: 3 });
    // [y x y y y x]: neither half (2); quarters (chunks of 2) from the end: without [y x] no,
    // without [y y] y x y x (kept); [y x y x] in thirds (chunks of 2): no, no; then single
    // steps: no, y x x (kept); [y x x]: no, no, x x (kept); [x x]: no, no. 13 replays.
    const b = wide('yxyyyxx');
    expect(b).toMatchObject({ raw: 7, dropped: 3, final: 3 });
    expect([a.replays, b.replays]).toEqual([9, 13]);
    // [y x y y x]: thirds (chunks of 3) from the end: without [y x], no; without [y x y], no;
    // then quarters (chunks of 2, not yet single steps): without [x] no, without [y y]
    // y x x then x (kept); [y x x]: no, no, x x (kept); [x x]: no, no. 9 replays.
    expect(wide('yxyyxx')).toMatchObject({ raw: 6, dropped: 3, final: 3, replays: 9 });
  });

  it('never replays more than allowed, and keeps what it reached', () => {
    const found = byLabels('yyyxx');
    const full = shrinkWalk(w, found, { keyOf: key, budget: 0 }).report.replays;
    const finals: number[] = [];
    for (let m = 0; m <= full + 1; m++) {
      const s = shrinkWalk(w, found, { keyOf: key, budget: 0, maxReplays: m });
      expect(s.report.replays).toBe(Math.min(m, full));
      finals.push(s.report.final);
    }
    expect(finals).toEqual([5, 5, 3, 3, 2, 2, 2]);
  });
});

describe('shrinking: the breadth-first search and the problem kept', () => {
  it('finds a step property by the search and keeps it a step property', () => {
    // 0 -> 1 -> 2 -> 3 and 0 -> 2: the step 2 -> 3 is refused; the walk may take the long way.
    const g = system({ initial: [0], edges: [[0, 1, 'a'], [1, 2, 'b'], [0, 2, 'c'], [2, 3, 'd']] }, { checkStep: (f, t) => (t === 3 ? { name: 'P' } : undefined) });
    const w = new Walker(g, { checkDeadlock: true, depth: 5, seed: 0 });
    const found = walkWhere(w, (r) => r.steps === 2);
    const s = shrinkWalk(w, found, { keyOf: key, budget: 100 });
    expect(s.report.search).toEqual({ kind: 'shortest', states: 4 });
    expect(s.outcome).toEqual({ kind: 'invariant', invariant: 'P', step: { name: 'P' }, trace: { states: [0, 2, 3], labels: ['c', 'd'] } });
  });

  it('tells a step property from an invariant of the same name', () => {
    // The search meets the invariant P at 1 first; the walk's problem is the step property P to 3.
    const g = system({ initial: [0], edges: [[0, 2], [0, 1], [2, 3]], invariants: [avoid([1], 'P')] }, { checkStep: (f, t) => (t === 3 ? { name: 'P' } : undefined) });
    const w = new Walker(g, { checkDeadlock: false, depth: 5, seed: 0 });
    // Every walk meets the invariant at 1 first (0's successors are checked before a step is taken).
    expect(w.walk(0).stop).toEqual({ kind: 'invariant', invariant: 'P', via: 1 });
    const h = system({ initial: [0], edges: [[0, 2], [0, 4], [4, 1], [2, 3]], invariants: [avoid([1], 'P')] }, { checkStep: (f, t) => (t === 3 ? { name: 'P' } : undefined) });
    const v = new Walker(h, { checkDeadlock: false, depth: 5, seed: 0 });
    const found = walkWhere(v, (r) => r.stop?.kind === 'invariant' && r.stop.step !== undefined);
    const s = shrinkWalk(v, found, { keyOf: key, budget: 100 });
    expect(s.report.search).toEqual({ kind: 'shortest', states: expect.any(Number) });
    expect(s.outcome).toMatchObject({ kind: 'invariant', invariant: 'P', step: { name: 'P' } });
    const found2 = walkWhere(v, (r) => r.stop?.kind === 'invariant' && r.stop.step === undefined);
    const s2 = shrinkWalk(v, found2, { keyOf: key, budget: 100 });
    expect(s2.report.search).toEqual({ kind: 'other', states: expect.any(Number), other: 'step property P' });
    expect(s2.outcome).toEqual({ kind: 'invariant', invariant: 'P', trace: { states: [0, 4, 1], labels: ['0->4', '4->1'] } });
  });

  it('faults of different kinds are different problems, whatever sameFault says', () => {
    // An assert on the edge 2 -> 3 (far) and a run-time error in state 1 (near).
    const g = graphModel({ initial: [0], edges: [[0, 5, 'a'], [5, 2, 'b'], [0, 1, 'c'], [2, 3, 'f']], faultingEdges: [[2, 3]], faultingStates: [1], done: [3] });
    const w = new Walker(g, { checkDeadlock: true, depth: 10, seed: 0 });
    const found = walkWhere(w, (r) => r.stop?.kind === 'fault' && r.stop.error.kind === 'assert');
    const s = shrinkWalk(w, found, { keyOf: key, budget: 100, sameFault: () => true });
    expect(s.report.search).toMatchObject({ kind: 'other', other: 'a run-time error (state 1 fails)' });
    expect(s.outcome.kind === 'fault' && s.outcome.error.kind).toBe('assert');
  });

  it('a walk without a problem, or a problem found at its start, is not searched', () => {
    const g = graphModel({ initial: [0], edges: [] });
    const w = new Walker(g, { checkDeadlock: true, depth: 5, seed: 0 });
    const s = shrinkWalk(w, { index: 0, stop: { kind: 'deadlock' }, steps: 0 }, { keyOf: key, budget: 100 });
    expect(s.report).toEqual({ raw: 0, loopsCut: 0, dropped: 0, replays: 0, search: { kind: 'skipped', states: 0 }, final: 0, shortest: false });
    expect(s.outcome).toEqual({ kind: 'deadlock', trace: { states: [0], labels: [] } });
    const fine = new Walker(graphModel({ initial: [0], edges: [[0, 1]], done: [1] }), { checkDeadlock: true, depth: 5, seed: 0 });
    expect(() => shrinkWalk(fine, { index: 0, stop: { kind: 'deadlock' }, steps: 1 }, { keyOf: key, budget: 0 })).toThrow(/internal error: a walk rerun/);
  });

  it('a search that does not meet the replayed problem is an internal error', () => {
    // initialStates gives 0 to the walker, then 5 (a dead end, or a long chain) to the search.
    const twoFaced = (after: number[], edges: Edge[]): TransitionSystem<number, string> => {
      const g = graphModel({ initial: [0], edges: [[0, 1, 'a'], [1, 2, 'b'], ...edges], invariants: [avoid([2], 'No2')], done: [5] });
      let calls = 0;
      return { ...g, initialStates: (emit) => (calls++ === 0 ? emit(0) : after.forEach((s) => emit(s))) };
    };
    const ok = new Walker(twoFaced([5], []), { checkDeadlock: true, depth: 5, seed: 0 });
    const f = walkWhere(ok, (r) => r.stop !== null);
    expect(() => shrinkWalk(ok, f, { keyOf: key, budget: 100 })).toThrow(/internal error: a breadth-first search does not meet the problem/);
    const deep = new Walker(twoFaced([10], line(30).map(([a, b]) => [a + 10, b + 10, 'n'] as Edge)), { checkDeadlock: true, depth: 5, seed: 0 });
    const d = walkWhere(deep, (r) => r.stop !== null);
    expect(() => shrinkWalk(deep, d, { keyOf: key, budget: 100 })).toThrow(/internal error: a breadth-first search does not meet the problem/);
  });
});

describe('a step of a walk: uniform choice, stutters, systems without isDone', () => {
  it('chooses among four successors uniformly', () => {
    const w = new Walker(graphModel({ initial: [0], edges: [[0, 1], [0, 2], [0, 3], [0, 4]], done: [1, 2, 3, 4] }), { checkDeadlock: true, depth: 5, seed: 7 });
    const ends = Array.from({ length: 400 }, (_, i) => w.trace(i).trace.states.at(-1));
    for (const n of [1, 2, 3, 4]) {
      const c = ends.filter((e) => e === n).length;
      expect(c).toBeGreaterThan(60);
      expect(c).toBeLessThan(140);
    }
  });

  it('takes a stutter without checking it, and checks a step that changes one fingerprint word', () => {
    const st = new Walker(system({ initial: [0], edges: [[0, 0]] }, { checkStep: () => ({ name: 'Never' }) }), { checkDeadlock: true, depth: 3, seed: 0 });
    expect(st.trace(0)).toEqual({ trace: { states: [0, 0, 0, 0], labels: ['0->0', '0->0', '0->0'] }, stop: null });
    for (const [from, to] of [[1, 11], [1, 2]]) {
      const g = { ...system({ initial: [from!], edges: [[from!, to!]], done: [to!] }, { checkStep: () => ({ name: 'Never' }) }), fingerprint: splitFingerprint };
      expect(new Walker(g, { checkDeadlock: true, depth: 3, seed: 0 }).walk(0).stop).toEqual({ kind: 'invariant', invariant: 'Never', via: 0, step: { name: 'Never' } });
    }
  });

  it('a system without isDone: every state without successors is a deadlock', () => {
    const { isDone: _, ...g } = graphModel({ initial: [0], edges: line(1) });
    expect(new Walker(g, { checkDeadlock: true, depth: 5, seed: 0 }).walk(0)).toEqual({ steps: 1, stop: { kind: 'deadlock' } });
  });

  it('below(n) for n up to 1 draws no word; a bound above 2^32 is named', () => {
    const a = new Rng(3, 4);
    const b = new Rng(3, 4);
    a.below(1);
    a.below(0);
    expect(a.next()).toBe(b.next());
    expect(() => a.below(2 ** 32 + 1)).toThrow(/Rng.below: 4294967297 is above 2\^32/);
  });
});

describe('runWalks: the clock, progress, interrupts and the longest walk', () => {
  afterEach(() => {
    vi.restoreAllMocks();
    clearInterrupt();
  });
  /** A clock that starts at 1 s and moves 500 ms at each reading. */
  const fakeClock = (): void => {
    let t = 500;
    vi.spyOn(performance, 'now').mockImplementation(() => (t += 500));
  };
  const g = graphModel({ initial: [0], edges: line(2), done: [2] });
  /** A walker that ran one walk before the run (its emissions are not the run's). */
  const used = (sys: TransitionSystem<number, string>): Walker<number, string> => {
    const w = new Walker(sys, { checkDeadlock: true, depth: 5, seed: 0 });
    w.walk(0);
    return w;
  };

  it('ends at the deadline (reached exactly), counting the walks run', () => {
    fakeClock();
    const r = runWalks(used(g), { runs: 10, seconds: 1 });
    expect(r).toEqual({ found: undefined, walks: 2, steps: 4, generated: 1 + 4, longest: 2, timedOut: true });
  });

  it('without a progress callback, a period passing reports nothing', () => {
    fakeClock();
    expect(runWalks(used(g), { runs: 4, seconds: 100 }).walks).toBe(4);
  });

  it('reports progress once a period (reached exactly)', () => {
    fakeClock();
    const seen: unknown[] = [];
    const r = runWalks(used(g), { runs: 4, seconds: 100 }, (p) => seen.push(p));
    expect(r.walks).toBe(4);
    expect(seen).toEqual([
      { walks: 2, steps: 4, generated: 5, seconds: 1 },
      { walks: 4, steps: 8, generated: 9, seconds: 2 },
    ]);
  });

  it('the longest walk is the longest of all, not the last', () => {
    const h = graphModel({ initial: [0], edges: [[0, 1], [1, 2], [0, 3]], done: [2, 3] });
    const w = new Walker(h, { checkDeadlock: true, depth: 5, seed: 0 });
    const lengths = Array.from({ length: 20 }, (_, i) => w.walk(i).steps);
    expect(new Set(lengths)).toEqual(new Set([1, 2]));
    const n = lengths.lastIndexOf(1) + 1;
    expect(lengths.slice(0, n)).toContain(2);
    expect(runWalks(new Walker(h, { checkDeadlock: true, depth: 5, seed: 0 }), { runs: n, seconds: Infinity }).longest).toBe(2);
  });

  it('an Interrupted thrown inside a walk ends the run with the walks before it', () => {
    let calls = 0;
    const h = { ...g, successors: (s: number, emit: (s: number, l: string) => void) => {
      if (++calls === 8) throw new Interrupted(2, 'simulating');
      g.successors(s, emit);
    } };
    const w = used(h);
    calls = 0;
    const r = runWalks(w, { runs: 10, seconds: Infinity });
    // Walks 0 and 1 expand 0, 1 and 2 each; walk 2 emits 0 -> 1, then is cut at 1.
    expect(r).toEqual({ found: undefined, walks: 2, steps: 4, generated: 1 + 5, longest: 2, timedOut: false, interrupted: true });
    const bug = { ...g, successors: () => { throw new TypeError('bug'); } };
    expect(() => runWalks(new Walker(bug, { checkDeadlock: true, depth: 5, seed: 0 }), { runs: 10, seconds: Infinity })).toThrow(TypeError);
  });

  it('a signal ends the run after the walk under way, unless that was the last', () => {
    let calls = 0;
    const h = { ...g, successors: (s: number, emit: (s: number, l: string) => void) => {
      if (++calls === 4) requestInterrupt(15);
      g.successors(s, emit);
    } };
    const w = used(h);
    calls = 0;
    const r = runWalks(w, { runs: 10, seconds: Infinity });
    expect(r).toEqual({ found: undefined, walks: 2, steps: 4, generated: 1 + 4, longest: 2, timedOut: false, interrupted: true });
    clearInterrupt();
    calls = 0;
    const last = runWalks(new Walker(h, { checkDeadlock: true, depth: 5, seed: 0 }), { runs: 2, seconds: Infinity });
    expect(last).toEqual({ found: undefined, walks: 2, steps: 4, generated: 1 + 4, longest: 2, timedOut: false });
  });
});

describe('the walks’ generator', () => {
  it('is xoshiro128**: every word is the published algorithm’s, computed from the generator’s state', () => {
    // Blackman and Vigna's xoshiro128**, written out again here from its definition.
    const rotl = (x: number, k: number): number => ((x << k) | (x >>> (32 - k))) >>> 0;
    for (const [seed, stream] of [[0, 0], [7, 3], [2 ** 40 + 5, 2 ** 33 + 1]] as const) {
      const rng = new Rng(seed, stream);
      const s = rng as unknown as { a: number; b: number; c: number; d: number };
      let [a, b, c, d] = [s.a >>> 0, s.b >>> 0, s.c >>> 0, s.d >>> 0];
      for (let i = 0; i < 64; i++) {
        const want = Math.imul(rotl(Math.imul(b, 5) >>> 0, 7), 9) >>> 0;
        const t = (b << 9) >>> 0;
        c = (c ^ a) >>> 0;
        d = (d ^ b) >>> 0;
        b = (b ^ c) >>> 0;
        a = (a ^ d) >>> 0;
        c = (c ^ t) >>> 0;
        d = rotl(d, 11);
        expect(rng.next(), `seed ${seed}, stream ${stream}, word ${i}`).toBe(want);
      }
    }
  });
});
