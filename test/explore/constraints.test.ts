import { describe, expect, it } from 'vitest';
import { explore, ModelError, type ExploreOptions, type TransitionSystem } from '../../src/explore/index.js';

/**
 * A counter without bound: initial states 0 and 5; Inc: x + 1; Dbl: 2·x when x > 0; Stay: a
 * stutter when x = 3. Bounded by constraints, as TLC's CONSTRAINT would.
 */
function counter(extra: Partial<TransitionSystem<number, string>> = {}): TransitionSystem<number, string> {
  return {
    initialStates(emit) {
      emit(0);
      emit(5);
    },
    successors(x, emit) {
      emit(x + 1, 'Inc');
      if (x > 0) emit(2 * x, 'Dbl');
      if (x === 3) emit(3, 'Stay');
    },
    fingerprint(x, out) {
      out[0] = 0;
      out[1] = x;
    },
    invariants: [],
    ...extra,
  };
}

const DEADLOCK: ExploreOptions = { checkDeadlock: true };

function counts(r: { stats: { distinct: number; generated: number; depth: number } }): [number, number, number] {
  return [r.stats.distinct, r.stats.generated, r.stats.depth];
}

describe('state constraints (TLC CONSTRAINT)', () => {
  const atMost3 = (x: number): boolean => x <= 3;

  it('counts successors outside the constraint as generated, not distinct, and gives them no depth', () => {
    // Stored: 0, 1, 2, 3. Emitted: 0, 5 | 0: 1 | 1: 2, 2 | 2: 3, 4 | 3: 4, 6, 3.
    const r = explore(counter({ inModel: atMost3 }), DEADLOCK);
    expect(r.outcome).toEqual({ kind: 'ok' });
    expect(counts(r)).toEqual([4, 10, 4]);
    expect(r.stats.queue).toBe(0);
  });

  it('does not expand a state outside the constraint (an initial one included)', () => {
    const expanded: number[] = [];
    const sys = counter({ inModel: atMost3 });
    const successors = sys.successors.bind(sys);
    sys.successors = (x, emit) => {
      expanded.push(x);
      successors(x, emit);
    };
    explore(sys, DEADLOCK);
    expect(expanded).toEqual([0, 1, 2, 3]);
  });

  it('judges deadlock on the successors before the constraint', () => {
    // 3's successors are all outside x <= 2... 3 itself is outside; 2's are outside: not a deadlock.
    const r = explore(counter({ inModel: (x) => x <= 2 }), DEADLOCK);
    expect(r.outcome.kind).toBe('ok');
    expect(counts(r)).toEqual([3, 2 + 1 + 2 + 2, 3]);
  });

  it('checks the invariants on a successor outside the constraint, with the trace ending in it', () => {
    const r = explore(counter({ inModel: atMost3, invariants: [{ name: 'Not6', holds: (x) => x !== 6 }] }), DEADLOCK);
    expect(r.outcome).toEqual({ kind: 'invariant', invariant: 'Not6', trace: { states: [0, 1, 2, 3, 6], labels: ['Inc', 'Inc', 'Inc', 'Dbl'] } });
    // Every emission up to and including the violating one is generated.
    expect(r.stats.generated).toBe(2 + 1 + 2 + 2 + 2);
    expect(r.stats.distinct).toBe(4);
  });

  it('checks the invariants on an initial state outside the constraint (as TLC does)', () => {
    const r = explore(counter({ inModel: atMost3, invariants: [{ name: 'Not5', holds: (x) => x !== 5 }] }), DEADLOCK);
    expect(r.outcome).toEqual({ kind: 'invariant', invariant: 'Not5', trace: { states: [5], labels: [] } });
    expect(counts(r)).toEqual([1, 2, 1]);
  });

  it('checks every emission outside the constraint, duplicates included', () => {
    const seen: number[] = [];
    const r = explore(counter({ inModel: atMost3, invariants: [{ name: 'Log', holds: (x) => (seen.push(x), true) }] }), DEADLOCK);
    expect(r.outcome.kind).toBe('ok');
    // Stored states once each; states outside every time they are emitted (4 twice).
    expect(seen).toEqual([0, 5, 1, 2, 3, 4, 4, 6]);
  });

  it('passes the step to an action constraint, and nothing for initial states', () => {
    const calls: string[] = [];
    const inModel = (to: number, from: number | undefined, label: string | undefined): boolean => {
      calls.push(`${from ?? '-'}>${to}:${label ?? '-'}`);
      return to <= 4 && (from === undefined || label !== 'Dbl');
    };
    const r = explore(counter({ inModel }), DEADLOCK);
    expect(r.outcome.kind).toBe('ok');
    // Stored: 0, 5? no: 5 > 4. 0, 1, 2, 3, 4; Dbl steps are outside.
    expect(counts(r)).toEqual([5, 2 + 1 + 2 + 2 + 3 + 2, 5]);
    expect(calls.slice(0, 4)).toEqual(['->0:-', '->5:-', '0>1:Inc', '1>2:Inc']);
  });

  it('reports a run-time error in a constraint with the trace to the state it was evaluated on', () => {
    const r = explore(counter({ inModel: (x) => { if (x === 2) throw new ModelError('runtime', 'boom'); return x <= 3; } }), DEADLOCK);
    expect(r.outcome.kind).toBe('fault');
    if (r.outcome.kind !== 'fault') return;
    expect(r.outcome.error.message).toBe('boom');
    expect(r.outcome.error.label).toBeUndefined();
    expect(r.outcome.trace).toEqual({ states: [0, 1, 2], labels: ['Inc', 'Inc'] });
  });

  it('respects maxStates and maxDepth as without constraints', () => {
    const r = explore(counter({ inModel: atMost3 }), { checkDeadlock: true, maxDepth: 2 });
    expect(r.outcome).toEqual({ kind: 'limit', limit: 'depth' });
    expect(counts(r)).toEqual([2, 2 + 1 + 2, 2]);
    const full = explore(counter({ inModel: atMost3 }), { checkDeadlock: true, maxDepth: 4 });
    expect(full.outcome).toEqual({ kind: 'ok' });
    const s = explore(counter({ inModel: atMost3 }), { checkDeadlock: true, maxStates: 3 });
    expect(s.outcome).toEqual({ kind: 'limit', limit: 'states' });
    expect(s.stats.distinct).toBe(3);
  });
});

describe('step checks (checkStep)', () => {
  const bounded = (x: number): boolean => x <= 3;

  it('refuses a step with the trace ending in it, even when its target is outside the constraint', () => {
    // Steps may grow x by 1 at most: Dbl from 2 to 4 is the first that does not (1 -> 2 does).
    const checkStep = (from: number, to: number) => (to - from > 1 ? { name: 'Slow', detail: to - from } : undefined);
    const r = explore(counter({ inModel: bounded, checkStep }), DEADLOCK);
    expect(r.outcome).toEqual({
      kind: 'invariant',
      invariant: 'Slow',
      step: { name: 'Slow', detail: 2 },
      trace: { states: [0, 1, 2, 4], labels: ['Inc', 'Inc', 'Dbl'] },
    });
  });

  it('checks steps to states seen before, and skips stutters', () => {
    const steps: string[] = [];
    const checkStep = (from: number, to: number, label: string) => {
      steps.push(`${from}>${to}:${label}`);
      return undefined;
    };
    const r = explore(counter({ inModel: bounded, checkStep }), DEADLOCK);
    expect(r.outcome.kind).toBe('ok');
    expect(steps).toEqual(['0>1:Inc', '1>2:Inc', '1>2:Dbl', '2>3:Inc', '2>4:Dbl', '3>4:Inc', '3>6:Dbl']);
    expect(counts(r)).toEqual([4, 10, 4]);
  });

  it('reports the invariant before the step check of the same successor', () => {
    const r = explore(
      counter({ inModel: bounded, invariants: [{ name: 'Not2', holds: (x) => x !== 2 }], checkStep: () => ({ name: 'Never' }) }),
      DEADLOCK,
    );
    expect(r.outcome.kind).toBe('invariant');
    if (r.outcome.kind === 'invariant') expect(r.outcome.invariant).toBe('Never');
    const r2 = explore(counter({ inModel: bounded, invariants: [{ name: 'Not1', holds: (x) => x !== 1 }], checkStep: () => ({ name: 'Never' }) }), DEADLOCK);
    if (r2.outcome.kind === 'invariant') expect(r2.outcome.invariant).toBe('Not1');
  });

  it('reports a run-time error in a step check as a fault, with the trace ending in the step', () => {
    const checkStep = (from: number): undefined => {
      if (from === 1) throw new ModelError('runtime', 'bad step');
      return undefined;
    };
    const r = explore(counter({ checkStep, inModel: bounded }), DEADLOCK);
    expect(r.outcome.kind).toBe('fault');
    if (r.outcome.kind !== 'fault') return;
    expect(r.outcome.error.label).toBeUndefined();
    expect(r.outcome.trace).toEqual({ states: [0, 1, 2], labels: ['Inc', 'Inc'] });
  });

  it('works alone (no constraints), with the same counts as without it', () => {
    const plain = counter({ inModel: bounded });
    const r = explore({ ...plain, checkStep: () => undefined }, DEADLOCK);
    expect(counts(r)).toEqual(counts(explore(plain, DEADLOCK)));
  });
});
