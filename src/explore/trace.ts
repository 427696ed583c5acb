/**
 * Counterexample traces from the explorers' compact records: per state only its parent's
 * index and the ordinal of the emission that produced it, states being numbered by the
 * FingerprintSet. Shared by the single-threaded and the parallel explorer.
 */
import type { FingerprintSet } from './fingerprint-set.js';
import { ModelError, type TransitionSystem } from './system.js';

/**
 * What a trace needs of each stored state, in growable typed arrays indexed by the
 * FingerprintSet's numbering: its parent and the ordinal of the emission that produced it.
 */
export class ReplayIndex {
  /** parents[i]: index of the state whose expansion first produced state i; -1 for initial states. */
  parents = new Int32Array(1024);
  /**
   * ordinals[i]: position of state i among the emissions of the initialStates or successors
   * call that first produced it, duplicates counted. With the parent, it names the emission
   * to pick when replaying.
   */
  ordinals = new Uint32Array(1024);

  record(index: number, parent: number, ordinal: number): void {
    if (index >= this.parents.length) {
      const parents = new Int32Array(this.parents.length * 2);
      parents.set(this.parents);
      this.parents = parents;
      const ordinals = new Uint32Array(this.ordinals.length * 2);
      ordinals.set(this.ordinals);
      this.ordinals = ordinals;
    }
    this.parents[index] = parent;
    this.ordinals[index] = ordinal;
  }

  get bytes(): number {
    return this.parents.byteLength + this.ordinals.byteLength;
  }
}

/** labels.length === states.length - 1; labels[i] leads from states[i] to states[i + 1]. */
export interface Trace<S, L> {
  states: S[];
  labels: L[];
}

/**
 * Rebuilds the trace to state `target` (-1: the empty trace) by following parent links up
 * to an initial state and replaying the system forward along them, picking at each step the
 * emission with the stored ordinal. Each picked state must have the stored fingerprint;
 * otherwise the system did not emit the same thing twice, which is a bug in it (or in the
 * front end that built it), reported as an internal error.
 */
export function rebuildTrace<S, L>(
  system: TransitionSystem<S, L>,
  seen: FingerprintSet,
  replay: ReplayIndex,
  target: number,
): Trace<S, L> {
  const { parents, ordinals } = replay;
  const states: S[] = [];
  const labels: L[] = [];
  if (target < 0) return { states, labels };
  const path: number[] = [];
  for (let id = target; id >= 0; id = parents[id]!) path.push(id);
  path.reverse();

  const fp = new Uint32Array(2);
  const replayPick = (
    id: number,
    step: number,
    call: (emit: (state: S, label?: L) => void) => void,
  ): { state: S; label: L | undefined } => {
    const wanted = ordinals[id]!;
    // A holder object rather than locals: TypeScript does not see assignments made inside
    // the callback and would narrow locals to their initial values.
    const pick: { seen: number; found: boolean; state: S | undefined; label: L | undefined } = {
      seen: 0,
      found: false,
      state: undefined,
      label: undefined,
    };
    try {
      call((state, label) => {
        if (pick.seen++ === wanted) {
          pick.found = true;
          pick.state = state;
          pick.label = label;
        }
      });
    } catch (e) {
      // During the search the call may have failed after emitting the state we want (the
      // run then stopped on that state's invariant before the failure counted); that
      // failure is expected again now. Failing before it is a divergence, reported below.
      if (!(e instanceof ModelError)) throw e;
    }
    const where = step === 0 ? 'the initial state' : `step ${step} of the trace`;
    if (!pick.found) {
      throw new Error(
        `internal error: replaying ${where} got only ${pick.seen} emissions where emission ` +
          `#${wanted} was recorded during the search; the transition system is not deterministic`,
      );
    }
    const state = pick.state as S;
    system.fingerprint(state, fp);
    if (seen.indexOf(fp[0]!, fp[1]!) !== id) {
      throw new Error(
        `internal error: replaying ${where}, emission #${wanted} does not have the fingerprint ` +
          `it had during the search; the transition system is not deterministic`,
      );
    }
    return { state, label: pick.label };
  };

  const root = replayPick(path[0]!, 0, (emit) => system.initialStates(emit));
  states.push(root.state);
  for (let k = 1; k < path.length; k++) {
    const from = states[k - 1]!;
    const step = replayPick(path[k]!, k, (emit) => system.successors(from, emit));
    states.push(step.state);
    labels.push(step.label as L); // always present: successors emits a label with each state
  }
  return { states, labels };
}
