/**
 * A behaviour of a compiled spec as the tools outside the search see it: its states, the step
 * into each, where it loops, and what is said of it (verdict, fault, constants). The ITF
 * exporter writes it and reads it back (src/export/itf.ts), `spex replay` checks it against
 * the spec (src/engine/replay.ts); it lives below both so that neither depends on the other.
 */
import type { Label, State } from './compile.js';
import type { Value } from '../values/index.js';
import type { ShownExpr } from './show.js';
import type { KernelOf } from './kernel.js';

/**
 * What a trace shows beyond its states, computed from them when it is written: the shown
 * expressions (`show`, `--show`) in every state, the kernel function of every step (`@kernel`).
 */
export interface TraceExtras {
  readonly shown?: readonly ShownExpr[] | undefined;
  readonly kernelOf?: KernelOf | undefined;
}

/** A trace to write or as read: states, and the step into each state after the first. */
export interface ItfTrace {
  readonly vars: readonly string[];
  readonly states: readonly State[];
  /**
   * labels[i] leads from states[i] to states[i + 1]; undefined where the ITF state gave no
   * `#meta.action` (traces written by other tools).
   */
  readonly labels: readonly (Label | undefined)[];
  /**
   * Index of the state the last state loops back to, for lassos: a temporal property's
   * counterexample repeats states loop .. last forever (loop = last: it stutters forever in
   * the last state).
   */
  readonly loop?: number;
  /** Written into each state's `#meta` (`shown`, `kernel`); not read back. */
  readonly extras?: TraceExtras;
}

/** The failing step of a fault (a failed assert or a run-time error). */
export interface ItfFault {
  readonly kind: 'assert' | 'runtime';
  /** A diagnostic code (E701, ...) or `assert`. */
  readonly code: string;
  readonly message: string;
  /** `file:line:col` of the failing statement or expression. */
  readonly location?: string;
  /** The step that fails; absent when the fault is in an invariant's predicate. */
  readonly label?: Label;
}

/**
 * What `#meta` says of the trace. Every field is optional so that traces from other tools
 * decode; toItf writes the fields that are set, in this order.
 */
export interface ItfTraceMeta {
  /** The spec file. */
  readonly source?: string;
  readonly description?: string;
  /** The spec's name. */
  readonly spec?: string;
  /** The check block, or null for a spec run with its default constants. */
  readonly check?: string | null;
  /** `violation`, `deadlock` or `error`. */
  readonly verdict?: string;
  /** The violated invariant or property, or the action whose assert failed; else null. */
  readonly violation?: string | null;
  /** For a temporal property: the violated instance (`Starvation[i=P0]`). */
  readonly property?: string;
  /** The constants the trace was found with. */
  readonly constants?: readonly { readonly name: string; readonly value: Value }[];
  readonly error?: ItfFault;
}
