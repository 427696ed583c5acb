/**
 * The stops (src/explore/stop.ts) one by one, outside a search: each stop's fields, the order
 * invariants are checked in, which errors become faults and which go through, the limits'
 * range checks and the statistics' arithmetic. The explorers' tests see these only through
 * whole searches, where a missing field or a swapped check can go unnoticed.
 */
import { describe, expect, it } from 'vitest';
import { checkLimits, deadlockStop, invariantStop, outcomeOf, replayedFault, searchStats, stepStop, type Stop } from '../../src/explore/stop.js';
import { ModelError, type Invariant, type TransitionSystem } from '../../src/explore/system.js';
import type { Trace } from '../../src/explore/trace.js';

const fault = new ModelError('runtime', 'division by zero');

/** A system of numbers whose successors, isDone and checkStep are given. */
function system(parts: Partial<TransitionSystem<number, string>>): TransitionSystem<number, string> {
  return {
    initialStates: (emit) => emit(0),
    successors: () => {},
    fingerprint: (s, out) => {
      out[0] = 0;
      out[1] = s;
    },
    invariants: [],
    ...parts,
  };
}

const throwing = (e: unknown) => (): never => {
  throw e;
};

describe('outcomeOf', () => {
  const trace = (state: number): Trace<number, string> => ({ states: [state], labels: [] });

  it('is ok, or the depth limit, for a search that ran to its end', () => {
    expect(outcomeOf(null, false, trace)).toStrictEqual({ kind: 'ok' });
    expect(outcomeOf(null, true, trace)).toStrictEqual({ kind: 'limit', limit: 'depth' });
  });

  it('gives each stop its trace and its own fields, and only those', () => {
    expect(outcomeOf({ kind: 'invariant', invariant: 'Safe', state: 3 }, true, trace)).toStrictEqual({ kind: 'invariant', invariant: 'Safe', trace: trace(3) });
    const step = { name: 'Step', detail: 'tried' };
    expect(outcomeOf({ kind: 'invariant', invariant: 'Step', state: 4, via: 1, step }, false, trace)).toStrictEqual({
      kind: 'invariant',
      invariant: 'Step',
      trace: trace(4),
      step,
    });
    expect(outcomeOf({ kind: 'deadlock', state: 5 }, false, trace)).toStrictEqual({ kind: 'deadlock', trace: trace(5) });
    expect(outcomeOf({ kind: 'fault', error: fault, state: 6 }, false, trace)).toStrictEqual({ kind: 'fault', error: fault, trace: trace(6) });
    expect(outcomeOf({ kind: 'limit', limit: 'states' }, true, trace)).toStrictEqual({ kind: 'limit', limit: 'states' });
    expect(outcomeOf({ kind: 'limit', limit: 'interrupted' }, false, trace)).toStrictEqual({ kind: 'limit', limit: 'interrupted' });
  });
});

describe('invariantStop', () => {
  const holds = (name: string, f: (s: number) => boolean): Invariant<number> => ({ name, holds: f });
  const invariants = [holds('Small', (s) => s < 10), holds('Even', (s) => s % 2 === 0)];

  it('is null when every invariant holds, and names the first that fails', () => {
    expect(invariantStop(invariants, 4, 7)).toBeNull();
    expect(invariantStop([], 13, 7)).toBeNull();
    expect(invariantStop(invariants, 5, 7)).toStrictEqual({ kind: 'invariant', invariant: 'Even', state: 7 });
    expect(invariantStop(invariants, 13, 7)).toStrictEqual({ kind: 'invariant', invariant: 'Small', state: 7 });
    expect(invariantStop(invariants, 13, 7, 2)).toStrictEqual({ kind: 'invariant', invariant: 'Small', state: 7, via: 2 });
    expect(invariantStop(invariants, 13, 7, 0)).toStrictEqual({ kind: 'invariant', invariant: 'Small', state: 7, via: 0 });
  });

  it('stops at the first failing invariant: the ones after it are not evaluated', () => {
    let later = 0;
    const stop = invariantStop([holds('No', () => false), holds('Later', () => (later++, true))], 0, 0);
    expect(stop).toStrictEqual({ kind: 'invariant', invariant: 'No', state: 0 });
    expect(later).toBe(0);
  });

  it('turns a ModelError into a fault, and lets anything else through', () => {
    const bad = [holds('Ok', () => true), holds('Fails', throwing(fault))];
    expect(invariantStop(bad, 1, 2)).toStrictEqual({ kind: 'fault', error: fault, state: 2 });
    expect(invariantStop(bad, 1, 2, 3)).toStrictEqual({ kind: 'fault', error: fault, state: 2, via: 3 });
    const bug = new TypeError('bug');
    expect(() => invariantStop([holds('Bug', throwing(bug))], 1, 2)).toThrow(bug);
  });
});

describe('stepStop', () => {
  it('is null for an allowed step, a violation with the step for a refused one', () => {
    const allowed = system({ checkStep: () => undefined });
    expect(stepStop(allowed, 4, 1, 2, 'Inc', 3)).toBeNull();
    const v = { name: 'Monotone', detail: [1, 2] };
    let args: unknown[] = [];
    const refusing = system({
      checkStep: (...a) => {
        args = a;
        return v;
      },
    });
    expect(stepStop(refusing, 4, 1, 2, 'Inc', 3)).toStrictEqual({ kind: 'invariant', invariant: 'Monotone', state: 4, via: 3, step: v });
    expect(args).toEqual([1, 2, 'Inc']);
  });

  it('turns a ModelError into a fault on the step, and lets anything else through', () => {
    expect(stepStop(system({ checkStep: throwing(fault) }), 4, 1, 2, 'Inc', 3)).toStrictEqual({ kind: 'fault', error: fault, state: 4, via: 3 });
    const bug = new RangeError('bug');
    expect(() => stepStop(system({ checkStep: throwing(bug) }), 4, 1, 2, 'Inc', 3)).toThrow(bug);
  });
});

describe('deadlockStop', () => {
  it('is a deadlock unless the system says the state is done', () => {
    expect(deadlockStop(system({}), 3, 8)).toStrictEqual({ kind: 'deadlock', state: 8 });
    expect(deadlockStop(system({ isDone: (s) => s === 3 }), 3, 8)).toBeNull();
    expect(deadlockStop(system({ isDone: (s) => s === 3 }), 4, 8)).toStrictEqual({ kind: 'deadlock', state: 8 });
  });

  it('turns a ModelError in isDone into a fault, and lets anything else through', () => {
    expect(deadlockStop(system({ isDone: throwing(fault) }), 3, 8)).toStrictEqual({ kind: 'fault', error: fault, state: 8 });
    const bug = new Error('bug');
    expect(() => deadlockStop(system({ isDone: throwing(bug) }), 3, 8)).toThrow(bug);
  });
});

describe('replayedFault', () => {
  it('is the fault the step throws again', () => {
    expect(replayedFault(system({ successors: throwing(fault) }), 3, 9)).toStrictEqual({ kind: 'fault', error: fault, state: 9 });
  });

  it('is an internal error when the step does not fail again, or fails otherwise', () => {
    expect(() => replayedFault(system({ successors: (s, emit) => emit(s + 1, 'Inc') }), 3, 9)).toThrow(/internal error: a step that failed on a worker does not fail/);
    const bug = new Error('bug');
    expect(() => replayedFault(system({ successors: throwing(bug) }), 3, 9)).toThrow(bug);
  });
});

describe('checkLimits', () => {
  const opts = (o: { maxStates?: number; maxDepth?: number; recordGraph?: boolean }) => ({
    checkDeadlock: true,
    ...(o.maxStates !== undefined ? { maxStates: o.maxStates } : {}),
    ...(o.maxDepth !== undefined ? { maxDepth: o.maxDepth } : {}),
    ...(o.recordGraph ? { recordGraph: { edgeTag: () => -1, predicates: [] } } : {}),
  });

  it('takes maxStates ≥ 0 and maxDepth ≥ 1, integers, and no limit at all', () => {
    for (const o of [{}, { maxStates: 0 }, { maxStates: 1 }, { maxDepth: 1 }, { maxDepth: 2, maxStates: 10 }]) {
      expect(() => checkLimits(opts(o))).not.toThrow();
    }
  });

  it('refuses the others, saying which and what it got', () => {
    for (const bad of [-1, 1.5, NaN, Infinity]) {
      expect(() => checkLimits(opts({ maxStates: bad }))).toThrow(new RangeError(`maxStates must be a non-negative integer, got ${bad}`));
    }
    for (const bad of [0, -1, 2.5, NaN]) {
      expect(() => checkLimits(opts({ maxDepth: bad }))).toThrow(new RangeError(`maxDepth must be a positive integer, got ${bad}`));
    }
  });

  it('with workers: takes 2 or more, and a graph only from an explorer that records one', () => {
    expect(() => checkLimits(opts({}), 2)).not.toThrow();
    expect(() => checkLimits(opts({}), 3)).not.toThrow();
    for (const bad of [1, 0, 2.5, NaN]) {
      expect(() => checkLimits(opts({}), bad)).toThrow(new RangeError(`workers must be an integer ≥ 2, got ${bad}`));
    }
    expect(() => checkLimits(opts({ recordGraph: true }), 2)).toThrow(/internal error: the parallel explorer does not record state graphs/);
    expect(() => checkLimits(opts({ recordGraph: true }), 2, true)).not.toThrow();
    // Without workers the graph is the single-threaded explorer's to record, and the count is not checked.
    expect(() => checkLimits(opts({ recordGraph: true }))).not.toThrow();
    // The limits are checked before the workers.
    expect(() => checkLimits(opts({ maxDepth: 0 }), 1)).toThrow(/maxDepth/);
  });
});

describe('searchStats', () => {
  it('passes the counts through and derives the collision probability and bytes per state', () => {
    expect(searchStats(3, 10, 4, 2, 1.5, 300)).toStrictEqual({
      distinct: 3,
      generated: 10,
      depth: 4,
      queue: 2,
      seconds: 1.5,
      collisionProbability: 21 / 2 ** 64,
      bytesPerState: 100,
    });
  });

  it('gives 0 bytes a state, not a division by zero, when nothing was stored', () => {
    expect(searchStats(0, 0, 0, 0, 0, 4096).bytesPerState).toBe(0);
    expect(searchStats(0, 0, 0, 0, 0, 4096).collisionProbability).toBe(0);
  });
});

/** Keeps the Stop type in use, so that a change to its shape fails to compile here too. */
export const sample: Stop = { kind: 'limit', limit: 'memory' };
