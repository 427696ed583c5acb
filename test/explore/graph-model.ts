/**
 * A TransitionSystem over an explicit directed graph (in the spirit of Stateright's DGraph),
 * for testing the explorer without a language front end. States are integers; the graph, its
 * initial states, invariants, done states and faults are all given as data.
 */

import { ModelError, type Invariant, type TransitionSystem } from '../../src/explore/index.js';
import { fmix32 } from '../../src/values/mix.js';

/** [from, to] or [from, to, label]; the default label is `${from}->${to}`. */
export type Edge = readonly [from: number, to: number, label?: string];

export interface GraphSpec {
  /** Successors are emitted in the order the edges appear here; repeats are emitted twice. */
  edges: readonly Edge[];
  /** Emitted in this order; repeats are emitted (and counted as generated) again. */
  initial: readonly number[];
  invariants?: readonly Invariant<number>[];
  /** Nodes that are not deadlocks when they have no out-edge. */
  done?: readonly number[];
  /** successors(n) throws a ModelError (label `fault@n`) after emitting n's out-edges. */
  faultingStates?: readonly number[];
  /**
   * successors(from) throws a ModelError labelled with the edge's label when it reaches this
   * edge (the edges before it are emitted, this one and later ones are not).
   */
  faultingEdges?: readonly (readonly [from: number, to: number])[];
  /** initialStates throws a ModelError after emitting this many initial states. */
  faultInInitialAfter?: number;
}

/** An invariant "the state is not one of these nodes". */
export function avoid(nodes: Iterable<number>, name = 'Avoid'): Invariant<number> {
  const bad = new Set(nodes);
  return { name, holds: (n) => !bad.has(n) };
}

/** The graph as a transition system with numeric states and string labels. */
export function graphModel(spec: GraphSpec): TransitionSystem<number, string> {
  const adjacency = new Map<number, { to: number; label: string; faults: boolean }[]>();
  const faultingEdges = new Set((spec.faultingEdges ?? []).map(([f, t]) => `${f}->${t}`));
  for (const [from, to, label] of spec.edges) {
    let out = adjacency.get(from);
    if (out === undefined) adjacency.set(from, (out = []));
    out.push({ to, label: label ?? `${from}->${to}`, faults: faultingEdges.has(`${from}->${to}`) });
  }
  const faultingStates = new Set(spec.faultingStates ?? []);
  const done = new Set(spec.done ?? []);

  const system: TransitionSystem<number, string> = {
    initialStates(emit) {
      spec.initial.forEach((n, i) => {
        if (i === spec.faultInInitialAfter) throw new ModelError('runtime', 'bad initial state');
        emit(n);
      });
      if (spec.faultInInitialAfter === spec.initial.length) {
        throw new ModelError('runtime', 'bad initial state');
      }
    },
    successors(state, emit) {
      for (const edge of adjacency.get(state) ?? []) {
        if (edge.faults) {
          throw new ModelError('assert', `edge ${edge.label} fails`, undefined, edge.label);
        }
        emit(edge.to, edge.label);
      }
      if (faultingStates.has(state)) {
        throw new ModelError('runtime', `state ${state} fails`, undefined, `fault@${state}`);
      }
    },
    fingerprint(state, out) {
      intFingerprint(state, out);
    },
    invariants: spec.invariants ?? [],
    isDone: (state) => done.has(state),
  };
  return system;
}

/** A fixed 64-bit mix of an integer: two unrelated 32-bit integer hashes. */
export function intFingerprint(n: number, out: Uint32Array): void {
  out[0] = hash32(n, 0x9e3779b9);
  out[1] = hash32(n, 0x7f4a7c15);
}

/** The murmur3 finalizer over a seeded input; a bijection of 32-bit integers per seed. */
export function hash32(n: number, seed: number): number {
  return fmix32(n ^ seed);
}

/** Hashes an array of small integers to 64 bits (FNV-1a style, two seeds, then mixed). */
export function arrayFingerprint(values: ArrayLike<number>, out: Uint32Array): void {
  let a = 0x811c9dc5;
  let b = 0x050c5d1f;
  for (let i = 0; i < values.length; i++) {
    const v = values[i]! | 0;
    a = Math.imul(a ^ v, 0x01000193);
    b = Math.imul(b ^ v, 0x01000193) ^ (b >>> 15);
  }
  out[0] = hash32(a, 0x3c6ef372);
  out[1] = hash32(b ^ a, 0xa54ff53a);
}
