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
