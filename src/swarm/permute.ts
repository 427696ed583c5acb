/**
 * A TransitionSystem whose successors come in a seeded order: the diversification of a swarm
 * job's breadth-first search (docs/scale.md). The order of a state's successors is a
 * permutation drawn from (seed, the state's fingerprint) alone, so it is the same every time
 * the state is expanded: the explorer's traces, rebuilt by replaying emission ordinals, replay
 * through the same wrapper, and the same seed gives the same search every run. The states are
 * the wrapped system's; only their order (and so which of two equally short paths is found
 * first, and, with a lossy seen set, which states are lost) changes.
 */
import { ModelError, type TransitionSystem } from '../explore/system.js';

/** A 32-bit hash of a seed and a fingerprint (murmur3's finaliser over their mix). */
function mix(seed: number, hi: number, lo: number): number {
  let h = (seed ^ Math.imul(hi, 0x9e3779b1)) >>> 0;
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  h ^= Math.imul(lo ^ 0x27d4eb2f, 0xc2b2ae35);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** mulberry32: a small, fast, seeded generator of 32-bit values. */
function nextRandom(state: { s: number }): number {
  state.s = (state.s + 0x6d2b79f5) >>> 0;
  let t = state.s;
  t = Math.imul(t ^ (t >>> 15), t | 1);
  t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
  return (t ^ (t >>> 14)) >>> 0;
}

/** Step counters that credit new states to the row of the latest emission (StepCounters' `last`). */
interface LastRow {
  last: number;
}

/**
 * The system with its initial states and each state's successors emitted in an order drawn
 * from `seed` (a 32-bit integer) and the state's fingerprint. Emitted states are the
 * receiver's to keep (copies, when the system lends its states). A step that fails after
 * some emissions emits those first, permuted, then throws, every time alike.
 */
export function permuted<S, L, T extends TransitionSystem<S, L>>(system: T, seed: number): T {
  const copy = system.copyState?.bind(system);
  const fp = new Uint32Array(2);
  const rng = { s: 0 };
  // With --coverage, the step counters credit a new state to the row of the latest emission:
  // each buffered emission's row is put back before it is passed on.
  const counters = system.coverage?.counting === true && typeof (system.coverage as unknown as Partial<LastRow>).last === 'number' ? (system.coverage as unknown as LastRow) : undefined;

  // Buffers reused from call to call; a call made while one is relaying (none of the explorers
  // makes one, but a TransitionSystem owes no such promise) gets its own.
  const spare = { states: [] as S[], labels: [] as L[], rows: [] as number[], order: new Int32Array(16), busy: false };

  const relay = (call: (emit: (state: S, label: L) => void) => void, key: number, emit: (state: S, label: L) => void): void => {
    const own = !spare.busy;
    spare.busy = true;
    const states: S[] = own ? spare.states : [];
    const labels: L[] = own ? spare.labels : [];
    const rows: number[] = own ? spare.rows : [];
    try {
      relayInto(call, key, emit, states, labels, rows, own);
    } finally {
      if (own) {
        states.length = 0;
        labels.length = 0;
        rows.length = 0;
        spare.busy = false;
      }
    }
  };

  const relayInto = (
    call: (emit: (state: S, label: L) => void) => void,
    key: number,
    emit: (state: S, label: L) => void,
    states: S[],
    labels: L[],
    rows: number[],
    own: boolean,
  ): void => {
    let failure: unknown;
    try {
      call((state, label) => {
        states.push(copy ? copy(state) : state);
        labels.push(label);
        if (counters) rows.push(counters.last);
      });
    } catch (e) {
      if (!(e instanceof ModelError)) throw e;
      failure = e;
    }
    const n = states.length;
    if (n > 1) {
      rng.s = key;
      // Fisher–Yates over an index array, so that states, labels and rows move together.
      if (own && spare.order.length < n) spare.order = new Int32Array(2 * n);
      const order = own ? spare.order : new Int32Array(n);
      for (let i = 0; i < n; i++) order[i] = i;
      for (let i = n - 1; i > 0; i--) {
        const j = nextRandom(rng) % (i + 1);
        const t = order[i]!;
        order[i] = order[j]!;
        order[j] = t;
      }
      for (let i = 0; i < n; i++) {
        const o = order[i]!;
        if (counters) counters.last = rows[o]!;
        emit(states[o]!, labels[o]!);
      }
    } else if (n === 1) {
      if (counters) counters.last = rows[0]!;
      emit(states[0]!, labels[0]!);
    }
    if (failure !== undefined) throw failure;
  };

  const out: T = {
    ...system,
    initialStates(emit: (state: S) => void): void {
      relay((e) => system.initialStates((s) => e(s, undefined as L)), mix(seed, 0x5eed, 0x1), (s) => emit(s));
    },
    successors(state: S, emit: (next: S, label: L) => void): void {
      system.fingerprint(state, fp);
      relay((e) => system.successors(state, e), mix(seed, fp[0]!, fp[1]!), emit);
    },
  };
  // The states passed on are copies: nothing is lent any more.
  delete (out as { copyState?: unknown }).copyState;
  return out;
}
