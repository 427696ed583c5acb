/**
 * Why a search stopped, and the outcome it reports: one definition for the single-threaded
 * and the parallel explorer, so both report alike.
 */
import type { Outcome } from './explorer.js';
import { ModelError, type Invariant } from './system.js';
import type { Trace } from './trace.js';

export type Stop =
  | { kind: 'invariant'; invariant: string; state: number }
  | { kind: 'deadlock'; state: number }
  /** state -1: the fault happened in initialStates, before any state. */
  | { kind: 'fault'; error: ModelError; state: number }
  | { kind: 'limit'; limit: 'states' };

/** The outcome of a search that stopped for `stop` (null: it ran to its end). */
export function outcomeOf<S, L>(stop: Stop | null, depthLimitHit: boolean, trace: (state: number) => Trace<S, L>): Outcome<S, L> {
  if (stop === null) {
    return depthLimitHit ? { kind: 'limit', limit: 'depth' } : { kind: 'ok' };
  }
  switch (stop.kind) {
    case 'invariant':
      return { kind: 'invariant', invariant: stop.invariant, trace: trace(stop.state) };
    case 'deadlock':
      return { kind: 'deadlock', trace: trace(stop.state) };
    case 'fault':
      return { kind: 'fault', error: stop.error, trace: trace(stop.state) };
    case 'limit':
      return { kind: 'limit', limit: stop.limit };
  }
}

/**
 * Checks every invariant, in order, on a newly stored state: the stop for the first that
 * fails (or throws a ModelError), or null. Anything else thrown is an internal error.
 */
export function invariantStop<S>(invariants: readonly Invariant<S>[], state: S, index: number): Stop | null {
  try {
    for (let i = 0; i < invariants.length; i++) {
      if (!invariants[i]!.holds(state)) return { kind: 'invariant', invariant: invariants[i]!.name, state: index };
    }
  } catch (e) {
    if (!(e instanceof ModelError)) throw e;
    return { kind: 'fault', error: e, state: index };
  }
  return null;
}
