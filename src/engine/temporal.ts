/**
 * Temporal properties of one configuration: what the explorer must record for them (the edges
 * tagged with their fairness units, the properties' predicates per state), and the check of
 * every property instance on the recorded graph, in declaration order, stopping at the first
 * violated one with its lasso as a trace. Pure data, like run.ts.
 */
import type { CompiledSpec, Label, State } from '../lang/compile.js';
import type { PropertyInstance } from '../lang/compile-temporal.js';
import type { RecordGraph, StateGraph, Trace } from '../explore/index.js';
import { LivenessChecker, type Lasso, type TemporalQuery } from '../explore/liveness.js';
import { Atom, formatValue, type Value } from '../values/index.js';

/** Fairness units, interned while the explorer records edges: unit id → name and strength. */
export class FairnessUnits {
  readonly names: string[] = [];
  readonly strong: boolean[] = [];
  private readonly byAction = new Map<string, Map<string, number>>();

  constructor(private readonly fair: ReadonlyMap<string, boolean>) {}

  /** The unit of a step (its action and parameter values), or -1 if the action is not fair. */
  readonly unitOf = (label: Label): number => {
    const strong = this.fair.get(label.action);
    if (strong === undefined) return -1;
    let units = this.byAction.get(label.action);
    if (units === undefined) this.byAction.set(label.action, (units = new Map()));
    // Processes' labels also carry `at` (the label name within the process): not part of the
    // unit, which is the process instance.
    const key = label.params.map((p) => valueKey(p.value)).join('\u0000');
    let u = units.get(key);
    if (u === undefined) {
      u = this.names.length;
      units.set(key, u);
      this.names.push(label.params.length === 0 ? label.action : `${label.action}(${label.params.map((p) => `${p.name}=${formatValue(p.value)}`).join(', ')})`);
      this.strong.push(strong);
    }
    return u;
  };
}

/** A cheap key that tells values apart: primitives and enum atoms directly, the rest printed. */
function valueKey(v: Value): string {
  if (typeof v === 'number') return String(v);
  if (typeof v === 'boolean') return v ? 't' : 'f';
  if (v instanceof Atom) return v.name;
  return formatValue(v);
}

export interface TemporalSetup {
  readonly record: RecordGraph<State, Label>;
  readonly units: FairnessUnits;
  /** Per property instance, the indices of its predicates in `record.predicates`. */
  readonly queries: readonly TemporalQuery[];
  /** Whether any step is fair at all. */
  readonly fair: boolean;
}

/** What to record for the spec's properties; undefined when it has none. */
/** @param fairness the fair actions (true: strong): the spec's, and the check block's. */
export function temporalSetup(system: CompiledSpec, fairness: ReadonlyMap<string, boolean> = system.fairness): TemporalSetup | undefined {
  if (system.properties.length === 0) return undefined;
  const predicates: ((s: State) => boolean)[] = [];
  const queries = system.properties.map((p): TemporalQuery => {
    const pi = predicates.push(p.p) - 1;
    if (p.q === undefined) return { kind: p.kind, p: pi };
    const qi = predicates.push(p.q) - 1;
    return { kind: p.kind, p: pi, q: qi };
  });
  const units = new FairnessUnits(fairness);
  return { record: { edgeTag: units.unitOf, predicates }, units, queries, fair: fairness.size > 0 };
}

/** A violated property and the behaviour that violates it. */
export interface TemporalViolation {
  readonly property: PropertyInstance;
  /**
   * The behaviour: `cycle` — the last state is the state at `loop` again (the last step closes
   * the cycle); `stutter` — it stutters forever in the last state; `finite` — the last state
   * violates `always P`, and any continuation does.
   */
  readonly kind: Lasso['kind'];
  readonly trace: Trace<State, Label>;
  /** cycle: the index of the state the cycle starts (and ends) at; stutter: the last index. */
  readonly loop: number | undefined;
}

export interface TemporalResult {
  /** The instances checked, in order, up to and including a violated one. */
  readonly checked: readonly string[];
  readonly violation?: TemporalViolation;
  /** Things the user should know about the answer (vacuity, missing fairness). */
  readonly warnings: readonly string[];
  readonly seconds: number;
  /** Bytes of the recorded graph. */
  readonly graphBytes: number;
  readonly units: number;
}

/** How to declare fairness, in the words of what the spec has: processes, actions or both. */
function fairnessAdvice(system: CompiledSpec): string {
  if (system.processSlots.length === 0) return `'fair action <Name>'`;
  return system.hasActions === false ? `'fair process <Name>'` : `'fair process <Name>' or 'fair action <Name>'`;
}

export function checkProperties(system: CompiledSpec, graph: StateGraph<State, Label>, setup: TemporalSetup): TemporalResult {
  const start = performance.now();
  const checker = new LivenessChecker(graph, setup.units.strong);
  const checked: string[] = [];
  const warnings: string[] = [];
  const noFairness = !setup.fair;
  let violation: TemporalViolation | undefined;
  for (let i = 0; i < system.properties.length && violation === undefined; i++) {
    const prop = system.properties[i]!;
    checked.push(prop.name);
    const lasso = checker.check(setup.queries[i]!);
    if (lasso === undefined) continue;
    const trace = graph.path(lasso.start, lasso.edges);
    const last = trace.states.length - 1;
    const loop = lasso.kind === 'cycle' ? last - lasso.cycle : lasso.kind === 'stutter' ? last : undefined;
    violation = { property: prop, kind: lasso.kind, trace, loop };
    if (lasso.kind === 'stutter' && noFairness) {
      warnings.push(
        `the spec declares no fairness, so every behaviour may stop (stutter forever) in any state: ` +
          `'${prop.property}' fails by stopping${last === 0 ? ' in an initial state' : ''}. ` +
          `Declare the steps that must not stop for good with ${fairnessAdvice(system)} (docs/temporal.md).`,
      );
    }
  }
  return {
    checked,
    ...(violation ? { violation } : {}),
    warnings,
    seconds: (performance.now() - start) / 1000,
    graphBytes: graph.bytes,
    units: setup.units.names.length,
  };
}

/**
 * Whether a lasso (states, and the index the last state loops back to; undefined for a finite
 * trace) violates a property instance, whatever the fairness: for `always P` a state where
 * ¬P; for the others, the condition on the states repeated forever (states loop .. last).
 * Returns why not, or undefined when it does violate the property. May throw a ModelError.
 */
export function lassoMisses(p: PropertyInstance, states: readonly State[], loop: number | undefined): string | undefined {
  if (p.kind === 'always') return states.some((s) => !p.p(s)) ? undefined : 'the property holds in every state of the trace';
  if (loop === undefined) return 'the trace is not a lasso (it has no loop)';
  const cycle = states.slice(loop);
  switch (p.kind) {
    case 'eventually': {
      const i = states.findIndex((s) => p.p(s));
      return i < 0 ? undefined : `its predicate holds in state ${i}`;
    }
    case 'alwaysEventually': {
      const i = cycle.findIndex((s) => p.p(s));
      return i < 0 ? undefined : `its predicate holds in state ${loop + i}, which repeats forever`;
    }
    case 'eventuallyAlways':
      return cycle.some((s) => !p.p(s)) ? undefined : 'its predicate holds in every state that repeats forever';
    case 'leadsTo': {
      const q = cycle.findIndex((s) => p.q!(s));
      if (q >= 0) return `the right side of ~> holds in state ${loop + q}, which repeats forever`;
      // Some state with P after which (the tail, then the cycle forever) Q never holds.
      for (let i = 0; i < states.length; i++) {
        if (p.p(states[i]!) && !states.slice(i).some((s) => p.q!(s))) return undefined;
      }
      return 'every state where the left side of ~> holds is followed by one where the right side does';
    }
  }
}
