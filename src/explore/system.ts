/**
 * The one narrow interface between the language front end and the search back end.
 *
 * The explorer never sees syntax: it asks a TransitionSystem for initial states, successors
 * (each with a label naming the action and its parameters), fingerprints and invariant checks.
 * Hand-made systems in tests implement it directly, without a parser.
 */

/** A state property checked on every reachable state. */
export interface Invariant<S> {
  readonly name: string;
  /** May throw a ModelError (e.g. division by zero inside the predicate). */
  holds(state: S): boolean;
}

export interface TransitionSystem<S, L> {
  /**
   * Emits every initial state, in a deterministic order. May throw a ModelError, in which
   * case the error concerns no state yet.
   */
  initialStates(emit: (state: S) => void): void;
  /**
   * Emits every successor of `state`, in a deterministic order, each with the label of the
   * step that produced it. Duplicates and self-loops are emitted as they arise (they count as
   * generated states). May throw a ModelError: a failed assert or a run-time error in the step
   * named by the error's `label`.
   */
  successors(state: S, emit: (next: S, label: L) => void): void;
  /** Writes the state's 64-bit fingerprint into out[0] (high 32 bits) and out[1] (low 32 bits). */
  fingerprint(state: S, out: Uint32Array): void;
  readonly invariants: readonly Invariant<S>[];
  /**
   * Present when the system lends the states it emits: an emitted state is valid only until
   * `emit` returns (the system goes on to reuse it), and whoever keeps one keeps
   * `copyState(state)` instead. Without it, emitted states are the receiver's to keep.
   */
  copyState?(state: S): S;
  /**
   * A state with no successor is a deadlock unless it is done (e.g. every process has run to
   * its end). Optional: without it, every state with no successor is a deadlock.
   */
  isDone?(state: S): boolean;
  /**
   * State and action constraints (TLC's CONSTRAINT and ACTION_CONSTRAINT). Optional: without
   * it every state is inside the model. Called on every emitted state: for an initial state
   * with `from` and `label` undefined, for a successor with the state being expanded and the
   * step's label. False puts the state outside the model: it is still counted as generated
   * and checked against the invariants (and the step checks), but it is not stored, not
   * counted as distinct, not expanded and adds no depth. Deadlock is judged on the
   * successors before constraints. May throw a ModelError (a run-time error in a constraint):
   * a fault whose trace ends in the state judged.
   * The parallel explorers run a system that has it on one thread (docs/parallel.md).
   */
  inModel?(state: S, from: S | undefined, label: L | undefined): boolean;
  /**
   * Step checks, e.g. step properties (TLA+'s `[][A]_v`) or a refinement mapping. Optional.
   * Called for every transition from an expanded state to each of its successors, including
   * successors seen before and successors outside the constraints, but not for stuttering
   * transitions (the successor has the fingerprint of `from`): `[A]_v` allows those. Called
   * after the successor's invariants. Returns undefined if the step is allowed, else the
   * violation: the run stops with outcome `invariant` named `violation.name`, whose trace
   * ends in the bad step. May throw a ModelError (a run-time error in the check): a fault
   * whose trace ends in the step too. The parallel explorers run a system that has it on one thread.
   */
  checkStep?(from: S, to: S, label: L): StepViolation | undefined;
  /**
   * The system's step counters (src/lang/coverage.ts, docs/coverage.md), if it keeps any:
   * opaque to the explorers but for this interface.
   */
  readonly coverage?: StepCoverage;
  /**
   * About how many values a state holds (the generic engine's slots), when it has no
   * vectorWidth: the explorers look at the memory budget more often as states are wider
   * (guard.ts, CHECK_SLOTS).
   */
  readonly stateSize?: number;
  /**
   * Present when every state is an array of exactly this many numbers (the packed engine's
   * vectors): the single-threaded explorer may then keep its levels in flat typed arrays
   * (src/explore/vector-run.ts) and hand `successors` one reused array, or the level itself
   * to `successorsAt`.
   */
  readonly vectorWidth?: number;
  /**
   * With vectorWidth: the narrowest typed array that holds every number of every state as it
   * is: 'u8' when every number is an integer from 0 to 255, 'u16' to 65,535, 'i32' to
   * 2^31 − 1 (the packed engine's, from the sizes of its slots when none holds an unbounded
   * integer; its fingerprint refuses a state that breaks them). The explorer then keeps
   * states in arrays of that type without checking that each number fits: a packed state of
   * small codes takes a byte a slot. Absent: Int32Arrays, each number checked, Float64Arrays
   * once one does not fit.
   */
  readonly vectorNumbers?: VectorNumbers;
  /**
   * With vectorWidth and without vectorNumbers (a layout that holds an unbounded integer): the
   * slots that hold one (`slots`), and the narrowest typed array that holds every other slot's
   * numbers (`codes`). The explorer then keeps its levels in arrays of that type, and looks at
   * those slots alone for a number the array does not hold as it is (then Float64Arrays).
   * Absent: Int32Arrays, each number checked.
   */
  readonly vectorUnbounded?: { readonly slots: readonly number[]; readonly codes: VectorNumbers };
  /**
   * With vectorWidth, may be present: `at` runs `of`, the system's `successors`, on the state
   * at `level[base]` to `level[base + vectorWidth - 1]`, read from the explorer's level itself
   * rather than from a copy of it (the packed engine's generated code copies the state into
   * its working array anyway), and emits exactly what `of` emits, in the same order. An
   * explorer uses it only while the system's `successors` is `of`: a wrapper that replaces
   * `successors` (src/swarm/permute.ts) and copies the rest is never bypassed.
   */
  readonly successorsAt?: VectorSuccessors<S, L>;
}

/** TransitionSystem.vectorNumbers. */
export type VectorNumbers = 'u8' | 'u16' | 'i32';

/** The states of a level of a vector search, one after another (TransitionSystem.vectorNumbers). */
export type LevelArray = Uint8Array | Uint16Array | Int32Array | Float64Array;

/** A constructor of one of the LevelArray types. */
export interface LevelArrayType {
  new (length: number): LevelArray;
  new (values: ArrayLike<number>): LevelArray;
  new (buffer: ArrayBuffer, byteOffset: number, length: number): LevelArray;
  readonly BYTES_PER_ELEMENT: number;
  readonly name: string;
}

/**
 * The typed array of a level of the given kind: Int32Array when not given, Float64Array for
 * 'f64' (a level widened for a number beyond 32 bits).
 */
export function levelArrayType(kind: VectorNumbers | 'f64' | undefined): LevelArrayType {
  return (kind === 'u8' ? Uint8Array : kind === 'u16' ? Uint16Array : kind === 'f64' ? Float64Array : Int32Array) as LevelArrayType;
}

/** A level array of `n` numbers of the given kind (Int32Array when not given). */
export function levelArray(kind: VectorNumbers | undefined, n: number): LevelArray {
  return new (levelArrayType(kind))(n);
}

/** TransitionSystem.successorsAt. */
export interface VectorSuccessors<S, L> {
  readonly of: TransitionSystem<S, L>['successors'];
  at(level: LevelArray, base: number, emit: (next: S, label: L) => void): void;
  /**
   * May be present: the system's fingerprint of `next`, a state being emitted by `at(level,
   * base, ...)` or by `of(level...)` (from inside the emit call, base 0 for `of`), given the
   * fingerprint `hi`, `lo` of the state expanded: the same value, in time proportional to
   * what the step wrote (the packed engine's wide states, stepFingerprint).
   */
  fingerprintEmitted?(next: S, level: ArrayLike<number>, base: number, hi: number, lo: number, out: Uint32Array): void;
}

/** The system's successorsAt, if it stands for the system's successors (see successorsAt). */
export function directSuccessors<S, L>(system: TransitionSystem<S, L>): VectorSuccessors<S, L> | undefined {
  const at = system.successorsAt;
  return at !== undefined && at.of === system.successors ? at : undefined;
}

/**
 * What a driver of the search (the BFS explorer, a random walk) tells a system's step counters,
 * and how the parallel explorers merge the counters of their workers' copies of the system.
 */
export interface StepCoverage {
  /** Whether per-step counts are kept (`--coverage`): then the driver calls `discovered`. */
  readonly counting: boolean;
  /** The successor just emitted is a state not seen before: credited to the step that emitted it. */
  discovered(): void;
  /** The search is over: calls into the system from now on (replays for traces) count nothing. */
  searchEnded(): void;
  /** Per step: whether it ever emitted a successor (a copy, to send between threads). */
  reachedFlags(): Uint8Array;
  /** Takes in the `reachedFlags` of another copy of the system (a worker's). */
  mergeReached(flags: Uint8Array): void;
}

/** What `TransitionSystem.checkStep` returns for a step it refuses. */
export interface StepViolation {
  /** The name of the violated property: the verdict is `violation <name>`. */
  readonly name: string;
  /** More to report (e.g. which abstract steps were tried); opaque to the explorer. */
  readonly detail?: unknown;
}

/**
 * A fault of the model itself, thrown by a TransitionSystem while evaluating a step or a
 * predicate: a failed `assert` (a safety violation) or a run-time error in the spec (division
 * by zero, a key outside a map's domain, ...). The explorer catches these and reports them with
 * the trace that leads to the state where they happened; anything else it lets through as an
 * internal error.
 */
export class ModelError extends Error {
  constructor(
    readonly kind: 'assert' | 'runtime',
    message: string,
    /** Where in the spec it happened; opaque to the explorer. */
    readonly location?: unknown,
    /** The label of the step being taken when it happened, if any. */
    public label?: unknown,
  ) {
    super(message);
    this.name = 'ModelError';
  }
}

/**
 * Emission number `ordinal` of the successors of state `from`: the state (`copy` of it: a
 * system may lend the arrays it emits), and its label (replaying an edge of the state graph).
 */
export function emissionOf<S, L>(system: TransitionSystem<S, L>, from: S, ordinal: number, copy: (state: S) => S): { state: S; label: L } {
  let seen = 0;
  let state: S | undefined;
  let label: L | undefined;
  system.successors(from, (s, l) => {
    if (seen++ === ordinal) {
      state = copy(s);
      label = l;
    }
  });
  if (state === undefined) throw new Error(`internal error: replaying an edge got only ${seen} emissions where emission #${ordinal} was recorded`);
  return { state, label: label as L };
}

/**
 * A recorded edge of the state graph replayed: emission `ordinal` of `from` (emissionOf), which
 * must be state `to` (`numberOf`: a state's number by its fingerprint), as it was in the search.
 */
export function replayedEdge<S, L>(
  system: TransitionSystem<S, L>,
  from: S,
  ordinal: number,
  to: number,
  copy: (state: S) => S,
  numberOf: (hi: number, lo: number) => number,
): { state: S; label: L } {
  const pick = emissionOf(system, from, ordinal, copy);
  const fp = new Uint32Array(2);
  system.fingerprint(pick.state, fp);
  if (numberOf(fp[0]!, fp[1]!) !== to) {
    throw new Error('internal error: replaying an edge does not reach the state it reached during the search; the transition system is not deterministic');
  }
  return pick;
}

/** emissionOf for a vector state, copied with `slice`. */
export function vectorEmission<L>(system: TransitionSystem<number[], L>, from: number[], ordinal: number): { state: number[]; label: L } {
  return emissionOf(system, from, ordinal, (s) => s.slice());
}
