/**
 * The counterexample of a check result, in the terms every exporter needs: what went wrong,
 * where, and the trace (with an optional lasso loop). One place, so that the TLC JSON, the
 * NDJSON events, the HTML report and the DOT graph say the same thing.
 */
import type { CheckResult } from '../engine/run.js';
import type { Label, RuntimeLocation, State } from '../lang/compile.js';
import { formatLocation } from '../lang/diagnostics.js';

export interface Counterexample {
  /**
   * invariant: a violated invariant; deadlock; assert: a failed assert; error: a run-time
   * error; property: a violated temporal property (a lasso, with `loop`).
   */
  readonly kind: 'invariant' | 'deadlock' | 'assert' | 'error' | 'property';
  /** The invariant, or the action whose step fails (`init`); null for a deadlock or a fault in a predicate. */
  readonly name: string | null;
  /** One sentence. For a fault, the spec's own message (an assert's string). */
  readonly message: string;
  /** `file:line:col` of the invariant or failing statement; null for a deadlock. */
  readonly location: string | null;
  /** The text of the violated invariant's predicate, on one line. */
  readonly predicate?: string;
  readonly vars: readonly string[];
  readonly states: readonly State[];
  /** labels[i] leads from states[i] to states[i + 1]. */
  readonly labels: readonly Label[];
  /** A fault's failing step, taken in the last state (it produces no state). */
  readonly failing?: Label;
  /** Lassos: the index of the state the last state steps back to. */
  readonly loop?: number;
  /** How the trace was found, when it is not known to be a shortest one (`spex simulate`). */
  readonly traceNote?: string;
}

/**
 * What a report says of a trace's length: `a shortest one` for the breadth-first search's, or
 * for `spex simulate` how it was found, unless shrinking proved it shortest.
 */
export function traceNote(r: CheckResult): string {
  if (r.traceNote !== undefined) return r.traceNote;
  const sim = r.simulation;
  if (!sim || sim.shrink === undefined || sim.shrink.shortest) return 'a shortest one';
  return 'from a random walk and shrunk, not known to be a shortest one';
}

export function counterexampleOf(r: CheckResult): Counterexample | undefined {
  const o = r.result?.outcome;
  const system = r.system;
  if (!o || !system) return undefined;
  const tv = r.temporal && 'checked' in r.temporal ? r.temporal.violation : undefined;
  if (tv) {
    const p = tv.property;
    return {
      vars: system.varNames,
      states: tv.trace.states,
      labels: tv.trace.labels,
      ...(tv.loop === undefined ? {} : { loop: tv.loop }),
      kind: 'property',
      name: p.property,
      message: `Property ${p.name} is violated.`,
      location: formatLocation(p.span),
      predicate: p.span.source.text.slice(p.span.start, p.span.end).replace(/\s+/g, ' '),
    };
  }
  const note = traceNote(r);
  const base = {
    vars: system.varNames, states: o.kind === 'ok' || o.kind === 'limit' ? [] : o.trace.states, labels: o.kind === 'ok' || o.kind === 'limit' ? [] : o.trace.labels,
    ...(note === 'a shortest one' ? {} : { traceNote: note }),
  };
  // Traces from a temporal check carry a loop index; read it without depending on it.
  const loop = o.kind === 'ok' || o.kind === 'limit' ? undefined : (o.trace as { loop?: number }).loop;
  const withLoop = loop === undefined ? {} : { loop };
  switch (o.kind) {
    case 'invariant': {
      if (r.refinement) {
        return { ...base, ...withLoop, kind: 'invariant', name: o.invariant, message: r.refinement.message, location: formatLocation(r.refinement.refinement.span) };
      }
      const span = system.invariantSpans.get(o.invariant);
      return {
        ...base,
        ...withLoop,
        kind: 'invariant',
        name: o.invariant,
        message: o.step ? `Step property ${o.invariant} is violated by the last step.` : `Invariant ${o.invariant} is violated.`,
        location: span ? formatLocation(span) : null,
        ...(span ? { predicate: span.source.text.slice(span.start, span.end).replace(/\s+/g, ' ') } : {}),
      };
    }
    case 'deadlock':
      return { ...base, ...withLoop, kind: 'deadlock', name: null, message: 'Deadlock: a reachable state has no enabled action.', location: null };
    case 'fault': {
      const loc = o.error.location as RuntimeLocation | undefined;
      const label = o.error.label as Label | undefined;
      return {
        ...base,
        ...withLoop,
        kind: o.error.kind === 'assert' ? 'assert' : 'error',
        name: label?.action ?? null,
        message: o.error.message,
        location: loc ? formatLocation(loc.span) : null,
        ...(label ? { failing: label } : {}),
      };
    }
    default:
      return undefined;
  }
}
