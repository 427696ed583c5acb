/**
 * Temporal properties of one configuration: what the explorer must record for them (the edges
 * tagged with their fairness units, the properties' predicates per state), and the check of
 * every property instance on the recorded graph, in declaration order, stopping at the first
 * violated one with its lasso as a trace. Pure data, like run.ts.
 */
import type { CompiledSpec, Label, State } from '../lang/compile.js';
import type { FairGroup, PropertyInstance } from '../lang/compile-temporal.js';
import type { RecordGraph, StateGraph, Trace } from '../explore/index.js';
import { budgetWouldPass } from '../explore/guard.js';
import { AnalysisOverBudget, LivenessChecker, type Lasso, type TemporalQuery } from '../explore/liveness.js';
import { checkGeneral, conjunctsOf, fastConjunct, holdsOnLasso, type Ltl } from '../explore/ltl.js';
import { Atom, formatValue, type Value } from '../values/index.js';

/**
 * Fairness units, interned while the explorer records edges: unit id → name and strength. A
 * unit is an action binding (`fair action A`: one per binding) or a group (`fair { A, B }`,
 * `fair next`: one for all the bindings of its members). A step may belong to several units
 * (its binding's and its groups'): its edge's tag names the combination, `tagUnits[tag]`.
 */
export class FairnessUnits {
  readonly names: string[] = [];
  readonly strong: boolean[] = [];
  /** tag → the units of a step with that tag. */
  readonly tagUnits: number[][] = [];
  private readonly byAction = new Map<string, Map<string | number, number>>();
  /** Per label name: its group units and, when it has no per-binding fairness, its one tag. */
  private readonly groupsOf = new Map<string, { units: number[]; tag: number }>();
  private readonly allGroups: number[] = [];
  private readonly groups: readonly FairGroup[];

  constructor(
    private readonly fair: ReadonlyMap<string, boolean>,
    groups: readonly FairGroup[] = [],
  ) {
    this.groups = groups;
    for (const g of groups) {
      const u = this.names.length;
      this.names.push(g.members === 'all' ? 'next' : g.name);
      this.strong.push(g.strong);
      if (g.members === 'all') this.allGroups.push(u);
    }
  }

  /** The group units of the steps named `action`, and their tag when they have no other unit. */
  private groupInfo(action: string): { units: number[]; tag: number } {
    let info = this.groupsOf.get(action);
    if (info === undefined) {
      const units: number[] = [];
      this.groups.forEach((g, u) => {
        if (g.members === 'all' || g.members.includes(action)) units.push(u);
      });
      let tag = -1;
      if (units.length > 0 && !this.fair.has(action)) tag = this.tagUnits.push(units) - 1;
      this.groupsOf.set(action, (info = { units, tag }));
    }
    return info;
  }

  /** The tag of a step (its fairness units), or -1 if it belongs to none. */
  readonly unitOf = (label: Label): number => {
    const strong = this.fair.get(label.action);
    if (strong === undefined) return this.groups.length === 0 ? -1 : this.groupInfo(label.action).tag;
    let units = this.byAction.get(label.action);
    if (units === undefined) this.byAction.set(label.action, (units = new Map()));
    // Processes' labels also carry `at` (the label name within the process): not part of the
    // unit, which is the process instance. Called once a recorded edge: a single Int parameter
    // (the common case) is its own key, the rest a string of the values' keys.
    const params = label.params;
    let key: number | string;
    if (params.length === 1 && typeof params[0]!.value === 'number') key = params[0]!.value;
    else {
      key = params.length === 0 ? '' : valueKey(params[0]!.value);
      for (let i = 1; i < params.length; i++) key += '\u0000' + valueKey(params[i]!.value);
    }
    let t = units.get(key);
    if (t === undefined) {
      const u = this.names.length;
      this.names.push(label.params.length === 0 ? label.action : `${label.action}(${label.params.map((p) => `${p.name}=${formatValue(p.value)}`).join(', ')})`);
      this.strong.push(strong);
      const groups = this.groups.length === 0 ? [] : this.groupInfo(label.action).units;
      t = this.tagUnits.push([u, ...groups]) - 1;
      units.set(key, t);
    }
    return t;
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
  /**
   * Per property instance, the indices of its predicates in `record.predicates`; for a general
   * formula, the formula over them.
   */
  readonly queries: readonly (TemporalQuery | GeneralQuery)[];
  /** Whether any step is fair at all. */
  readonly fair: boolean;
  /** What the spec's steps are made of, for the no-fairness hint. */
  readonly steps: { readonly actions: boolean; readonly processes: boolean };
}

/** A general formula, its atoms being recorded predicates. */
export interface GeneralQuery {
  readonly kind: 'general';
  readonly formula: Ltl;
}

/** The formula with atom i renamed to predicate base + i. */
function shift(f: Ltl, base: number): Ltl {
  switch (f.k) {
    case 'atom':
      return { k: 'atom', i: base + f.i };
    case 'const':
      return f;
    case 'not':
    case 'always':
    case 'eventually':
      return { k: f.k, a: shift(f.a, base) };
    case 'and':
    case 'or':
      return { k: f.k, a: shift(f.a, base), b: shift(f.b, base) };
  }
}

/** What to record for the spec's properties; undefined when it has none. */
/**
 * @param fairness the fair actions (true: strong): the spec's, and the check block's.
 * @param groups the group fairness (`fair { A, B }`, `fair next`): the spec's and the check block's.
 */
export function temporalSetup(
  system: CompiledSpec,
  fairness: ReadonlyMap<string, boolean> = system.fairness,
  groups: readonly FairGroup[] = [],
  steps: { readonly actions: boolean; readonly processes: boolean } = { actions: true, processes: false },
): TemporalSetup | undefined {
  if (system.properties.length === 0) return undefined;
  const predicates: ((s: State) => boolean)[] = [];
  const queries = system.properties.map((p): TemporalQuery | GeneralQuery => {
    if (p.kind === 'general') {
      const base = predicates.length;
      predicates.push(...p.atoms!);
      return { kind: 'general', formula: shift(p.formula!, base) };
    }
    const pi = predicates.push(p.p) - 1;
    if (p.q === undefined) return { kind: p.kind, p: pi };
    const qi = predicates.push(p.q) - 1;
    return { kind: p.kind, p: pi, q: qi };
  });
  const units = new FairnessUnits(fairness, groups);
  return { record: { edgeTag: units.unitOf, predicates }, units, queries, fair: fairness.size > 0 || groups.length > 0, steps };
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

/**
 * What the check of the properties takes beside the graph, a state: the checker's arrays (a
 * byte and five words), the component search's (four words), and a query's (a byte, and a
 * word or two a state of the subgraph, its components and what is left of them).
 */
export const ANALYSIS_BYTES_PER_STATE = 50;

/**
 * Checks the property instances in declaration order, stopping at the first violated one.
 * Throws AnalysisOverBudget, before it begins, when its arrays would take the process past
 * the memory budget (and, for a general formula, before its product with the automaton grows
 * past it: ltl.ts).
 */
export function checkProperties(system: CompiledSpec, graph: StateGraph<State, Label>, setup: TemporalSetup): TemporalResult {
  const start = performance.now();
  if (budgetWouldPass(graph.size * ANALYSIS_BYTES_PER_STATE, 'checking the temporal properties')) throw new AnalysisOverBudget();
  const checker = new LivenessChecker(graph, setup.units.strong, setup.units.tagUnits);
  const checked: string[] = [];
  const warnings: string[] = [];
  const noFairness = !setup.fair;
  let violation: TemporalViolation | undefined;
  for (let i = 0; i < system.properties.length && violation === undefined; i++) {
    const prop = system.properties[i]!;
    checked.push(prop.name);
    const query = setup.queries[i]!;
    const lasso = query.kind === 'general' ? checkConjuncts(checker, graph, query.formula, setup.units) : checker.check(query);
    if (lasso === undefined) continue;
    const trace = graph.path(lasso.start, lasso.edges);
    const last = trace.states.length - 1;
    const loop = lasso.kind === 'cycle' ? last - lasso.cycle : lasso.kind === 'stutter' ? last : undefined;
    violation = { property: prop, kind: lasso.kind, trace, loop };
    if (lasso.kind === 'stutter' && noFairness) {
      warnings.push(
        `the spec declares no fairness, so every behaviour may stop (stutter forever) in any state: ` +
          `'${prop.property}' fails by stopping${last === 0 ? ' in an initial state' : ''}. ` +
          `Declare the steps that must not stop for good with ${fairnessHint(setup.steps)} (docs/temporal.md).`,
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
 * A general formula checked conjunct by conjunct: the conjuncts at its top (`A and B`, and a
 * `forall` its quantifier expanded into one), in order, since the formula fails on a fair
 * behaviour exactly when one of them does. A conjunct of a simple form's shape over atoms
 * (eventually P, always eventually P, eventually always P, P ~> Q) takes the fast path, any
 * other the automaton of that conjunct; the automaton of the whole holds every conjunct's at
 * once, and its product with the graph is up to as many times the graph as it has nodes
 * (readerswriters.spex's property, twelve conjuncts `always eventually P`: an automaton of 60
 * nodes, a product of 516,666 nodes and 2.4 million edges over 21,527 states, where each
 * conjunct alone is a pass over the graph). The lasso is the first failing
 * conjunct's: a behaviour that fails a conjunct fails the formula.
 */
function checkConjuncts(checker: LivenessChecker, graph: StateGraph<State, Label>, formula: Ltl, units: TemporalSetup['units']): Lasso | undefined {
  for (const c of conjunctsOf(formula)) {
    const simple = fastConjunct(c);
    const lasso = simple !== undefined ? checker.check(simple) : checkGeneral(graph, c, units.strong, units.tagUnits).lasso;
    if (lasso !== undefined) return lasso;
  }
  return undefined;
}

/** The fairness declarations that fit a spec made of actions, of processes, or of both. */
function fairnessHint(steps: TemporalSetup['steps']): string {
  if (!steps.processes) return `'fair action <Name>'`;
  if (!steps.actions) return `'fair process <Name>' (or 'fair next' for every step)`;
  return `'fair action <Name>', 'fair process <Name>' (or 'fair next' for every step)`;
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
  if (p.kind === 'general') {
    const atoms = p.atoms!;
    return holdsOnLasso(p.formula!, states.length, loop, (i, k) => atoms[i]!(states[k]!)) ? 'the formula holds on this lasso' : undefined;
  }
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
