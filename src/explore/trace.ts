/**
 * Counterexample traces from the explorers' compact records: per state only its parent's
 * number and the ordinal of the emission that produced it, states being numbered in the
 * order the seen set took them. Shared by the single-threaded and the parallel explorer.
 */
import type { SeenSet } from './seen-set.js';
import { ModelError, type TransitionSystem } from './system.js';
import { IntMap } from './int-map.js';

/** Entries per chunk of the ReplayIndex (a power of two). */
const CHUNK_BITS = 16;
const CHUNK = 1 << CHUNK_BITS;
const CHUNK_MASK = CHUNK - 1;
/** The size the first chunk starts at, doubling up to CHUNK as it fills; later chunks start full. */
const FIRST_CHUNK = 1024;
/** Parent distances from this one up are kept in a map (the entry holds it as a marker). */
const FAR = 0xffffff;
/** Ordinals from this one up are kept in a map (the entry holds it as a marker). */
const BIG_ORDINAL = 0xff;

/**
 * What a trace needs of each stored state, by state number: its parent and the ordinal of the
 * emission that produced it, in one 32-bit word a state.
 *   - The parent as its distance back from the state, index − parent (index + 1 for an
 *     initial state), in the word's high 24 bits. In a breadth-first search a state's parent
 *     is in the level before it, so the distance is at most the width of two levels: beyond
 *     2^24 − 2 it goes to a map.
 *   - The ordinal in the low byte: a state seldom has 255 successors; larger ones go to a map.
 * The words live in chunks of 65,536, so growing never copies a full chunk; the first one
 * starts at 1,024 words and doubles as it fills, so a small search holds little, and the
 * others are made whole (a search past 65,536 states is not small: a chunk that doubled its
 * way up took twice its size in fresh memory, whose pages cost their first write). One store a
 * state: with three bytes and a byte in chunks of 1,024 (two typed arrays made every 1,024
 * states), recording took up to 9.5 % of counter-grid K=21's one-thread search. States are
 * recorded in number order, each once.
 */
export class ReplayIndex {
  private readonly chunks: Uint32Array[] = [];
  /** The last chunk, being filled. */
  private chunk = new Uint32Array(0);
  // Typed-array maps, made at their first entry: a state with 255 successors or more has an
  // entry in bigOrdinals, and a JavaScript Map holds at most 2^24 entries.
  private farParents: IntMap | undefined;
  private bigOrdinals: IntMap | undefined;
  private count = 0;

  get size(): number {
    return this.count;
  }

  /**
   * Records state `index` (which must be the next number, i.e. `size`): the state it was
   * first produced from (-1 for initial states) and its position among the emissions of the
   * initialStates or successors call that produced it, duplicates counted.
   */
  record(index: number, parent: number, ordinal: number): void {
    if (index !== this.count || parent >= index) {
      throw new Error(`internal error: replay index records state ${index} (parent ${parent}) when state ${this.count} is next`);
    }
    const k = index & CHUNK_MASK;
    if (k === 0 || k >= this.chunk.length) this.grow(k);
    let distance = index - parent;
    if (distance >= FAR) {
      (this.farParents ??= new IntMap()).set(index, parent);
      distance = FAR;
    }
    let o = ordinal;
    if (o >= BIG_ORDINAL) {
      (this.bigOrdinals ??= new IntMap()).set(index, ordinal);
      o = BIG_ORDINAL;
    }
    this.chunk[k] = distance * 256 + o;
    this.count++;
  }

  /** Room for entry k of the last chunk: a new chunk at k = 0, else the last one doubled. */
  private grow(k: number): void {
    if (k === 0) {
      this.chunk = new Uint32Array(this.chunks.length === 0 ? FIRST_CHUNK : CHUNK);
      this.chunks.push(this.chunk);
      return;
    }
    const bigger = new Uint32Array(Math.min(CHUNK, 2 * this.chunk.length));
    bigger.set(this.chunk);
    this.chunk = bigger;
    this.chunks[this.chunks.length - 1] = bigger;
  }

  private entry(index: number): number {
    return this.chunks[index >>> CHUNK_BITS]![index & CHUNK_MASK]!;
  }

  /** The state that state `index` was first produced from; -1 for an initial state. */
  parent(index: number): number {
    const distance = this.entry(index) >>> 8;
    return distance === FAR ? this.farParents!.get(index)! : index - distance;
  }

  /** The ordinal of the emission that first produced state `index`. */
  ordinal(index: number): number {
    const o = this.entry(index) & 0xff;
    return o === BIG_ORDINAL ? this.bigOrdinals!.get(index)! : o;
  }

  /** Every parent, in one array (for the state graph of temporal properties). */
  parents(): Int32Array {
    const out = new Int32Array(this.count);
    for (let i = 0; i < this.count; i++) out[i] = this.parent(i);
    return out;
  }

  get bytes(): number {
    let words = 0;
    for (const c of this.chunks) words += c.length;
    return words * 4 + (this.farParents?.bytes ?? 0) + (this.bigOrdinals?.bytes ?? 0);
  }
}

/** What a trace needs of the replay records: the ReplayIndex, or the disk-backed search's file of them. */
export interface ReplayLookup {
  parent(index: number): number;
  ordinal(index: number): number;
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
  seen: SeenSet,
  replay: ReplayLookup,
  target: number,
  /** The target's fingerprint, when known: the last replayed state must have it. */
  targetFp?: Uint32Array,
  /**
   * One more step past `target`: the emission with this ordinal of its successors (of the
   * initial states when target is -1). For a state that was not stored (outside the
   * constraints) or a step that was checked; `targetFp` is then that last state's.
   */
  via?: number,
): Trace<S, L> {
  const states: S[] = [];
  const labels: L[] = [];
  if (via !== undefined) return rebuildTraceVia(system, seen, replay, target, via, targetFp);
  if (target < 0) return { states, labels };
  const path: number[] = [];
  for (let id = target; id >= 0; id = replay.parent(id)) path.push(id);
  path.reverse();

  const fp = new Uint32Array(2);
  const replayPick = (
    id: number,
    step: number,
    call: (emit: (state: S, label?: L) => void) => void,
  ): { state: S; label: L | undefined } => {
    const wanted = replay.ordinal(id);
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
          pick.state = system.copyState === undefined ? state : system.copyState(state);
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
    // A set that keeps state numbers can tell that this is the very state; one that does not
    // can at least tell that the state was seen.
    const wrong =
      id === target && targetFp !== undefined
        ? fp[0] !== targetFp[0] || fp[1] !== targetFp[1]
        : seen.indexOf
          ? seen.indexOf(fp[0]!, fp[1]!) !== id
          : !seen.has(fp[0]!, fp[1]!);
    if (wrong) {
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

/** rebuildTrace with one more step: the trace to `target`, then its emission number `via`. */
function rebuildTraceVia<S, L>(
  system: TransitionSystem<S, L>,
  seen: SeenSet,
  replay: ReplayLookup,
  target: number,
  via: number,
  lastFp: Uint32Array | undefined,
): Trace<S, L> {
  const trace = rebuildTrace(system, seen, replay, target);
  const pick: { seen: number; state: S | undefined; label: L | undefined } = { seen: 0, state: undefined, label: undefined };
  const emit = (state: S, label?: L): void => {
    if (pick.seen++ === via) {
      pick.state = system.copyState === undefined ? state : system.copyState(state);
      pick.label = label;
    }
  };
  try {
    if (target < 0) system.initialStates(emit);
    else system.successors(trace.states[trace.states.length - 1]!, emit);
  } catch (e) {
    if (!(e instanceof ModelError)) throw e;
  }
  if (pick.seen <= via) {
    throw new Error(`internal error: replaying the last step got only ${pick.seen} emissions where emission #${via} was recorded; the transition system is not deterministic`);
  }
  const state = pick.state as S;
  if (lastFp !== undefined) {
    const fp = new Uint32Array(2);
    system.fingerprint(state, fp);
    if (fp[0] !== lastFp[0] || fp[1] !== lastFp[1]) {
      throw new Error('internal error: replaying the last step does not give the state it gave during the search; the transition system is not deterministic');
    }
  }
  trace.states.push(state);
  if (target >= 0) trace.labels.push(pick.label as L);
  return trace;
}
