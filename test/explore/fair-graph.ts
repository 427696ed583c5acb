/**
 * Hand-made graphs with fairness, for testing the liveness checker without a language front
 * end: a graph-model.ts graph whose edge labels name fairness units ("a", "b", ...), a map
 * from label to strength, and predicates given as sets of nodes. Also a brute-force oracle
 * and a lasso validator that know nothing of the checker's algorithm.
 */
import { explore, LivenessChecker, type Lasso, type StateGraph, type TemporalQuery } from '../../src/explore/index.js';
import { graphModel, type Edge } from './graph-model.js';

export type Strength = 'weak' | 'strong';

export interface FairGraph {
  edges: readonly Edge[];
  initial: readonly number[];
  /** label → strength; labels not listed are not fair. */
  fair?: Readonly<Record<string, Strength>>;
  /** Group fairness: unit name → its strength and member labels, fair as one disjunction. */
  groups?: Readonly<Record<string, { strength: Strength; members: readonly string[] }>>;
  /** Predicates as node sets: P, and Q for ~>. */
  p: readonly number[];
  q?: readonly number[];
}

export interface Explored {
  graph: StateGraph<number, string>;
  lasso: Lasso | undefined;
  /** The lasso as nodes and labels. */
  states: number[];
  labels: string[];
  unitOf: (label: string) => number;
  strong: boolean[];
  /** tag → its units (for the checker's third argument). */
  tagUnits: number[][];
}

/** Explores the graph, recording it, and runs one query. */
export function checkFair(spec: FairGraph, kind: TemporalQuery['kind']): Explored {
  const system = graphModel({ edges: spec.edges, initial: spec.initial, done: allNodes(spec) });
  // Units: the fair labels and the groups; a tag per distinct set of units a label belongs to.
  const units = new Map<string, number>();
  const strong: boolean[] = [];
  for (const [name, s] of Object.entries(unitStrengths(spec))) {
    units.set(name, strong.length);
    strong.push(s === 'strong');
  }
  const tags = new Map<string, number>();
  const tagUnits: number[][] = [];
  const unitOf = (label: string): number => {
    const us = unitsOf(spec, label).map((n) => units.get(n)!);
    if (us.length === 0) return -1;
    const key = us.join(',');
    let t = tags.get(key);
    if (t === undefined) tags.set(key, (t = tagUnits.push(us) - 1));
    return t;
  };
  const p = new Set(spec.p);
  const q = new Set(spec.q ?? []);
  const r = explore(system, {
    checkDeadlock: false,
    recordGraph: { edgeTag: unitOf, predicates: [(s) => p.has(s), (s) => q.has(s)] },
  });
  if (!r.graph) throw new Error(`no graph: ${r.outcome.kind}`);
  const graph = r.graph;
  // Intern every unit before the checker sizes its arrays (recording did, for reachable edges).
  const lasso = new LivenessChecker(graph, strong, tagUnits).check(kind === 'leadsTo' ? { kind, p: 0, q: 1 } : { kind, p: 0 });
  const t = lasso ? graph.path(lasso.start, lasso.edges) : { states: [], labels: [] };
  return { graph, lasso, states: t.states, labels: t.labels, unitOf, strong, tagUnits };
}

function allNodes(spec: FairGraph): number[] {
  return [...new Set(spec.edges.flatMap(([a, b]) => [a, b]).concat(spec.initial))];
}

/** The edges as a list of [from, to, label] with default labels. */
function labelled(spec: FairGraph): [number, number, string][] {
  return spec.edges.map(([a, b, l]) => [a, b, l ?? `${a}->${b}`]);
}

function reachable(spec: FairGraph, from: Iterable<number>, inside: (n: number) => boolean): Set<number> {
  const out = new Set<number>();
  const todo = [...from].filter(inside);
  for (const n of todo) out.add(n);
  while (todo.length > 0) {
    const n = todo.pop()!;
    for (const [a, b] of labelled(spec)) {
      if (a === n && inside(b) && !out.has(b)) {
        out.add(b);
        todo.push(b);
      }
    }
  }
  return out;
}

/** Every fairness unit (a fair label, or a group) and its strength. */
export function unitStrengths(spec: FairGraph): Record<string, Strength> {
  const out: Record<string, Strength> = { ...(spec.fair ?? {}) };
  for (const [name, g] of Object.entries(spec.groups ?? {})) out[name] = g.strength;
  return out;
}

/** The units a step with this label belongs to: the label's own, and its groups. */
export function unitsOf(spec: FairGraph, label: string): string[] {
  const out = spec.fair?.[label] !== undefined ? [label] : [];
  for (const [name, g] of Object.entries(spec.groups ?? {})) if (g.members.includes(label)) out.push(name);
  return out;
}

/** Units enabled in node n: the units of its edges to other nodes. */
function enabledUnits(spec: FairGraph, n: number): Set<string> {
  return new Set(labelled(spec).filter(([a, b]) => a === n && b !== n).flatMap(([, , l]) => unitsOf(spec, l)));
}

/**
 * Brute force: is there a fair behaviour violating the property? Enumerates every set X of
 * nodes a behaviour could visit infinitely often (strongly connected through edges inside X,
 * or a single node where the behaviour stutters), taking every edge inside X infinitely often
 * (the best a behaviour can do for fairness), and checks the property's condition on X.
 */
export function oracleViolated(spec: FairGraph, kind: TemporalQuery['kind']): boolean {
  const nodes = [...reachable(spec, spec.initial, () => true)].sort((a, b) => a - b);
  const P = new Set(spec.p);
  const Q = new Set(spec.q ?? []);
  if (kind === 'always') return nodes.some((n) => !P.has(n));
  const edges = labelled(spec);
  const fairEnds: Set<number>[] = [];
  for (let mask = 1; mask < 1 << nodes.length; mask++) {
    const X = new Set(nodes.filter((_, i) => (mask >> i) & 1));
    if (X.size === 1) {
      const [n] = [...X];
      if (enabledUnits(spec, n!).size === 0) fairEnds.push(X);
      continue;
    }
    const internal = edges.filter(([a, b]) => X.has(a) && X.has(b) && a !== b);
    // Strongly connected through internal edges.
    const first = [...X][0]!;
    const fwd = new Set([first]);
    const bwd = new Set([first]);
    for (let changed = true; changed; ) {
      changed = false;
      for (const [a, b] of internal) {
        if (fwd.has(a) && !fwd.has(b)) (fwd.add(b), (changed = true));
        if (bwd.has(b) && !bwd.has(a)) (bwd.add(a), (changed = true));
      }
    }
    if (fwd.size !== X.size || bwd.size !== X.size) continue;
    const taken = new Set(internal.flatMap(([, , l]) => unitsOf(spec, l)));
    let fair = true;
    for (const [label, strength] of Object.entries(unitStrengths(spec))) {
      const enabledIn = [...X].filter((n) => enabledUnits(spec, n).has(label)).length;
      if (taken.has(label)) continue;
      if (strength === 'strong' && enabledIn > 0) fair = false;
      if (strength === 'weak' && enabledIn === X.size) fair = false;
    }
    if (fair) fairEnds.push(X);
  }
  const all = (X: Set<number>, f: (n: number) => boolean): boolean => [...X].every(f);
  switch (kind) {
    case 'eventually': {
      const r = reachable(spec, spec.initial, (n) => !P.has(n));
      return fairEnds.some((X) => all(X, (n) => !P.has(n)) && [...X].some((n) => r.has(n)));
    }
    case 'alwaysEventually':
      return fairEnds.some((X) => all(X, (n) => !P.has(n)));
    case 'eventuallyAlways':
      return fairEnds.some((X) => [...X].some((n) => !P.has(n)));
    case 'leadsTo': {
      const starts = nodes.filter((n) => P.has(n) && !Q.has(n));
      const r = reachable(spec, starts, (n) => !Q.has(n));
      return fairEnds.some((X) => all(X, (n) => !Q.has(n)) && [...X].some((n) => r.has(n)));
    }
  }
}

/**
 * Checks that a lasso is a behaviour of the graph (each step an edge with its label, the cycle
 * closing on an edge), that it is fair, and that it violates the property. Returns the
 * problems found (none: valid).
 */
export function lassoProblems(spec: FairGraph, kind: TemporalQuery['kind'], x: Explored): string[] {
  const problems: string[] = [];
  const { states, labels, lasso } = x;
  if (!lasso) return ['no lasso'];
  const edges = labelled(spec);
  if (!spec.initial.includes(states[0]!)) problems.push(`state 0 (${states[0]}) is not initial`);
  for (let i = 1; i < states.length; i++) {
    if (!edges.some(([a, b, l]) => a === states[i - 1] && b === states[i] && l === labels[i - 1])) {
      problems.push(`step ${i}: no edge ${states[i - 1]} -${labels[i - 1]}-> ${states[i]}`);
    }
  }
  const P = new Set(spec.p);
  const Q = new Set(spec.q ?? []);
  const last = states.length - 1;
  if (lasso.kind === 'finite') {
    if (kind !== 'always' || P.has(states[last]!)) problems.push('a finite counterexample must end in a ¬P state of `always P`');
    return problems;
  }
  const loop = lasso.kind === 'cycle' ? last - lasso.cycle : last;
  if (lasso.kind === 'cycle') {
    if (lasso.cycle < 1) problems.push('empty cycle');
    if (states[loop] !== states[last]) problems.push(`the cycle does not close: state ${loop} is ${states[loop]}, state ${last} is ${states[last]}`);
  }
  // The states visited infinitely often, and the units taken on the cycle.
  const cycleStates = states.slice(loop, lasso.kind === 'cycle' ? last : last + 1);
  const taken = new Set(lasso.kind === 'cycle' ? labels.slice(loop).filter((_, i) => states[loop + i] !== states[loop + i + 1]).flatMap((l) => unitsOf(spec, l)) : []);
  for (const [label, strength] of Object.entries(unitStrengths(spec))) {
    const enabledIn = cycleStates.filter((n) => enabledUnits(spec, n).has(label)).length;
    if (taken.has(label)) continue;
    if (strength === 'strong' && enabledIn > 0) problems.push(`unfair: strong ${label} enabled on the cycle, never taken`);
    if (strength === 'weak' && enabledIn === cycleStates.length) problems.push(`unfair: weak ${label} always enabled on the cycle, never taken`);
  }
  const behaviour = (i: number): boolean[] => states.slice(i).map((n) => P.has(n));
  switch (kind) {
    case 'eventually':
      if (states.some((n) => P.has(n))) problems.push('P holds somewhere on the lasso');
      break;
    case 'alwaysEventually':
      if (cycleStates.some((n) => P.has(n))) problems.push('P holds on the cycle');
      break;
    case 'eventuallyAlways':
      if (cycleStates.every((n) => P.has(n))) problems.push('P holds all along the cycle');
      break;
    case 'leadsTo': {
      if (cycleStates.some((n) => Q.has(n))) problems.push('Q holds on the cycle');
      // Some state with P ∧ ¬Q after which Q never holds.
      const ok = states.some((n, i) => P.has(n) && !states.slice(i).some((m) => Q.has(m)));
      if (!ok) problems.push('no state with P after which Q never holds');
      break;
    }
    case 'always':
      problems.push('always P needs a finite counterexample');
  }
  void behaviour;
  return problems;
}
