/**
 * Why a search stopped, and the outcome it reports: one definition for the single-threaded
 * and the parallel explorer, so both report alike.
 */
import type { Outcome } from './explorer.js';
import { ModelError, type Invariant, type StepViolation, type TransitionSystem } from './system.js';
import type { ExploreOptions, Stats } from './explorer.js';
import type { Trace } from './trace.js';
import type { GuardStop } from './guard.js';

/**
 * `via`: the stop is about a state reached by one more step from `state` (its emission with
 * that ordinal; from the initial states if `state` is -1) and not stored itself: a state
 * outside the constraints, or the target of a step that a step check refuses.
 */
export type Stop =
  | { kind: 'invariant'; invariant: string; state: number; via?: number; step?: StepViolation }
  | { kind: 'deadlock'; state: number; via?: undefined }
  /** state -1: the fault happened in initialStates, before any state. */
  | { kind: 'fault'; error: ModelError; state: number; via?: number }
  | { kind: 'limit'; limit: 'states' | GuardStop };

/** The outcome of a search that stopped for `stop` (null: it ran to its end). */
export function outcomeOf<S, L>(stop: Stop | null, depthLimitHit: boolean, trace: (state: number) => Trace<S, L>): Outcome<S, L> {
  if (stop === null) {
    return depthLimitHit ? { kind: 'limit', limit: 'depth' } : { kind: 'ok' };
  }
  switch (stop.kind) {
    case 'invariant':
      if (stop.step !== undefined) return { kind: 'invariant', invariant: stop.invariant, trace: trace(stop.state), step: stop.step };
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
export function invariantStop<S>(invariants: readonly Invariant<S>[], state: S, index: number, via?: number): Stop | null {
  try {
    for (let i = 0; i < invariants.length; i++) {
      if (!invariants[i]!.holds(state)) {
        return via === undefined ? { kind: 'invariant', invariant: invariants[i]!.name, state: index } : { kind: 'invariant', invariant: invariants[i]!.name, state: index, via };
      }
    }
  } catch (e) {
    if (!(e instanceof ModelError)) throw e;
    return via === undefined ? { kind: 'fault', error: e, state: index } : { kind: 'fault', error: e, state: index, via };
  }
  return null;
}

/**
 * The stop for the step from `from` (stored as state `parent`) to its emission number
 * `ordinal`, `to`, when the system's step check refuses it or fails on it (a fault); either
 * way the trace ends in `to`. Null if the check allows it. The caller skips stutters.
 */
export function stepStop<S, L>(system: TransitionSystem<S, L>, parent: number, from: S, to: S, label: L, ordinal: number): Stop | null {
  let v: StepViolation | undefined;
  try {
    v = system.checkStep!(from, to, label);
  } catch (e) {
    if (!(e instanceof ModelError)) throw e;
    return { kind: 'fault', error: e, state: parent, via: ordinal };
  }
  return v === undefined ? null : { kind: 'invariant', invariant: v.name, state: parent, via: ordinal, step: v };
}

/**
 * The stop for an expanded state that emitted nothing: a deadlock unless it is done; a fault
 * if isDone, a predicate on the state like an invariant, throws a ModelError. Null if done.
 */
export function deadlockStop<S, L>(system: TransitionSystem<S, L>, state: S, id: number): Stop | null {
  let done: boolean;
  try {
    done = system.isDone?.(state) ?? false;
  } catch (e) {
    if (!(e instanceof ModelError)) throw e;
    return { kind: 'fault', error: e, state: id };
  }
  return done ? null : { kind: 'deadlock', state: id };
}

/**
 * Another thread saw the step fail on this state: fails it again on this thread, to get the
 * very error for the report.
 */
export function replayedFault<S, L>(system: TransitionSystem<S, L>, state: S, id: number): Stop {
  try {
    system.successors(state, () => {});
  } catch (e) {
    if (!(e instanceof ModelError)) throw e;
    return { kind: 'fault', error: e, state: id };
  }
  throw new Error('internal error: a step that failed on a worker does not fail on the main thread; the transition system is not deterministic');
}

/** Throws a RangeError for maxStates or maxDepth out of range (and, with workers, for those). */
export function checkLimits<S, L>(options: ExploreOptions<S, L>, workers?: number, recordsGraphs = false): void {
  const { maxStates, maxDepth } = options;
  if (maxStates !== undefined && !(Number.isInteger(maxStates) && maxStates >= 0)) {
    throw new RangeError(`maxStates must be a non-negative integer, got ${maxStates}`);
  }
  if (maxDepth !== undefined && !(Number.isInteger(maxDepth) && maxDepth >= 1)) {
    throw new RangeError(`maxDepth must be a positive integer, got ${maxDepth}`);
  }
  if (workers === undefined) return;
  if (options.recordGraph && !recordsGraphs) throw new Error('internal error: the parallel explorer does not record state graphs');
  if (!(Number.isInteger(workers) && workers >= 2)) {
    throw new RangeError(`workers must be an integer ≥ 2, got ${workers}`);
  }
}

const TWO_TO_THE_64 = 2 ** 64;

/** A search's statistics from its counts and the bytes its seen set and replay index hold. */
export function searchStats(distinct: number, generated: number, depth: number, queue: number, seconds: number, bytes: number): Stats {
  return {
    distinct,
    generated,
    depth,
    queue,
    seconds,
    collisionProbability: (distinct * (generated - distinct)) / TWO_TO_THE_64,
    bytesPerState: distinct === 0 ? 0 : bytes / distinct,
  };
}
