/**
 * General temporal formulas (LTL without next: always, eventually, not, and, or over state
 * predicates) on a recorded state graph, under weak and strong fairness, with TLA's
 * stuttering. The formulas of the simple forms have their own fast paths (liveness.ts); this
 * is what any other nesting goes through. docs/temporal.md explains it to users.
 *
 * 1. The negation of the formula is put in negation normal form, and a generalised Büchi
 *    automaton is built from it by the on-the-fly tableau construction of Gerth, Peled, Vardi
 *    and Wolper ("Simple on-the-fly automatic verification of linear temporal logic", 1995),
 *    with `eventually a` as `true U a` and `always a` as `false R a`. Each automaton node
 *    carries the literals the current state must satisfy; there is one acceptance set per
 *    `eventually` subformula (the nodes that do not promise it, or fulfil it).
 * 2. The product of the state graph and the automaton is built breadth-first from the initial
 *    states: node (s, q) where s satisfies q's literals; an edge s → t of the graph (t ≠ s)
 *    with q → q' gives (s, q) → (t, q'), and every (s, q) also has stutter edges (s, q) →
 *    (s, q') for q → q', since a behaviour may repeat a state. A stutter edge takes no
 *    fairness unit; a cycle made of stutter edges only is the behaviour stopping in s forever.
 * 3. A violating behaviour is a cycle of the product reachable from an initial node that meets
 *    every acceptance set and is fair. Fairness is judged on the graph's states: a unit is
 *    enabled in (s, q) when it is enabled in s. Strongly connected components are refined as
 *    in liveness.ts (a weakly fair unit enabled everywhere and taken nowhere inside drops the
 *    component; a strongly fair one enabled somewhere and taken nowhere drops the nodes where
 *    it is enabled), here with single nodes that have a stutter self-loop counting as cycles.
 * 4. The lasso is the breadth-first path to the nearest node of a fair accepting component,
 *    and a cycle inside it that takes every unit taken inside, visits for each weakly fair
 *    unit not taken a node where it is disabled, and visits every acceptance set. Mapped back
 *    to the graph (stutter edges dropped), it is a cycle, or a stop in one state.
 *
 * The formula has no next operator, so it cannot tell a behaviour from one with more or fewer
 * stutter steps: dropping them from the lasso keeps it a violation.
 */
import { AnalysisOverBudget, Tarjan, untakenStrongUnits, type Lasso, type LivenessGraph, type TemporalQuery } from './liveness.js';
import { budgetWouldPass, pollInterrupt } from './guard.js';
import { lastAtMost } from '../values/bisect.js';
import { IntMap } from './int-map.js';

/** A formula over the graph's recorded predicates (atom i: predicate i holds). */
export type Ltl =
  | { readonly k: 'atom'; readonly i: number }
  | { readonly k: 'const'; readonly v: boolean }
  | { readonly k: 'not'; readonly a: Ltl }
  | { readonly k: 'and' | 'or'; readonly a: Ltl; readonly b: Ltl }
  | { readonly k: 'always' | 'eventually'; readonly a: Ltl };

/** The conjuncts at the top of a formula, left to right (a formula that is no `and`: itself). */
export function conjunctsOf(f: Ltl): Ltl[] {
  const out: Ltl[] = [];
  const todo: Ltl[] = [f];
  for (let x = todo.pop(); x !== undefined; x = todo.pop()) {
    if (x.k === 'and') todo.push(x.b, x.a);
    else out.push(x);
  }
  return out;
}

/** The simple form a formula has the shape of, over atoms (its predicates), if any. */
export function simpleQuery(f: Ltl): TemporalQuery | undefined {
  const atom = (x: Ltl): number | undefined => (x.k === 'atom' ? x.i : undefined);
  if (f.k !== 'always' && f.k !== 'eventually') return undefined;
  const a = f.a;
  const p = atom(a);
  if (p !== undefined) return { kind: f.k, p };
  // always eventually P, eventually always P.
  if (a.k === (f.k === 'always' ? 'eventually' : 'always')) {
    const q = atom(a.a);
    return q === undefined ? undefined : { kind: f.k === 'always' ? 'alwaysEventually' : 'eventuallyAlways', p: q };
  }
  // P ~> Q, as expandTree writes it: always (not P or eventually Q).
  if (f.k === 'always' && a.k === 'or' && a.a.k === 'not' && a.b.k === 'eventually') {
    const l = atom(a.a.a);
    const r = atom(a.b.a);
    return l === undefined || r === undefined ? undefined : { kind: 'leadsTo', p: l, q: r };
  }
  return undefined;
}

/**
 * The simple form by which the general check takes a conjunct of a formula (engine/temporal.ts,
 * checkConjuncts), if any: simpleQuery's, but for `always P`, whose fast path ends at the state
 * where P fails, a finite trace, where a general property's counterexample is a lasso (what
 * replay and the exports check); the automaton of `always P`, and so its product, is no larger
 * than the graph.
 */
export function fastConjunct(f: Ltl): TemporalQuery | undefined {
  const q = simpleQuery(f);
  return q === undefined || q.kind === 'always' ? undefined : q;
}

// ---------------------------------------------------------------- negation normal form

/** A subformula in negation normal form, interned (children are ids). */
type N =
  | { readonly k: 'lit'; readonly i: number; readonly pos: boolean }
  | { readonly k: 'true' | 'false' }
  | { readonly k: 'and' | 'or'; readonly a: number; readonly b: number }
  | { readonly k: 'F' | 'G'; readonly a: number };

class Table {
  readonly nodes: N[] = [];
  private readonly ids = new Map<string, number>();

  private key(n: N): string {
    switch (n.k) {
      case 'lit':
        return `${n.pos ? '' : '!'}${n.i}`;
      case 'true':
      case 'false':
        return n.k;
      case 'and':
      case 'or':
        return `${n.k}(${n.a},${n.b})`;
      case 'F':
      case 'G':
        return `${n.k}(${n.a})`;
    }
  }

  id(n: N): number {
    const k = this.key(n);
    let i = this.ids.get(k);
    if (i === undefined) {
      if (this.nodes.length >= MAX_FORMULA_SIZE) throw new FormulaTooLarge(`the formula has more than ${MAX_FORMULA_SIZE} subformulas`);
      this.ids.set(k, (i = this.nodes.push(n) - 1));
    }
    return i;
  }

  find(n: N): number | undefined {
    return this.ids.get(this.key(n));
  }

  /** The NNF of f (negated when `neg`), with constants folded. */
  nnf(f: Ltl, neg: boolean): number {
    const T = (): number => this.id({ k: 'true' });
    const F = (): number => this.id({ k: 'false' });
    switch (f.k) {
      case 'atom':
        return this.id({ k: 'lit', i: f.i, pos: !neg });
      case 'const':
        return f.v !== neg ? T() : F();
      case 'not':
        return this.nnf(f.a, !neg);
      case 'and':
      case 'or': {
        const a = this.nnf(f.a, neg);
        const b = this.nnf(f.b, neg);
        const conj = (f.k === 'and') !== neg;
        const ka = this.nodes[a]!.k;
        const kb = this.nodes[b]!.k;
        if (conj) {
          if (ka === 'false' || kb === 'false') return F();
          if (ka === 'true') return b;
          if (kb === 'true') return a;
          return a === b ? a : this.id({ k: 'and', a, b });
        }
        if (ka === 'true' || kb === 'true') return T();
        if (ka === 'false') return b;
        if (kb === 'false') return a;
        return a === b ? a : this.id({ k: 'or', a, b });
      }
      case 'always':
      case 'eventually': {
        const a = this.nnf(f.a, neg);
        const k = (f.k === 'always') !== neg ? 'G' : 'F';
        const n = this.nodes[a]!;
        if (n.k === 'true' || n.k === 'false' || n.k === k) return a;
        return this.id({ k, a });
      }
    }
  }
}

// ---------------------------------------------------------------- the tableau

/** A generalised Büchi automaton whose nodes read the current state. */
export interface Automaton {
  /** Per node, the literals the state must satisfy: atom index and polarity. */
  readonly labels: readonly (readonly { readonly i: number; readonly pos: boolean }[])[];
  readonly initial: readonly number[];
  readonly succ: readonly (readonly number[])[];
  /** Per acceptance set, membership of each node. */
  readonly accept: readonly Uint8Array[];
  /** The steps its construction took (at most the limit it was built with). */
  readonly steps: number;
}

/** Nodes at most, beyond which the automaton of a formula is refused (E228). */
export const MAX_AUTOMATON_NODES = 4096;
/** Steps of the construction at most (it may split far more often than it makes nodes). */
const MAX_TABLEAU_STEPS = 200_000;

export class AutomatonTooLarge extends Error {}

/**
 * Subformulas at most in a formula, counted as its quantifiers expand it and again in its
 * negation normal form: every node of the tableau carries sets of them, so a formula past this
 * (`exists v in 0..100000: ...`) is refused (E228) before the construction, which would take
 * hours and all the memory there is.
 */
export const MAX_FORMULA_SIZE = 10_000;

/** A formula with more than MAX_FORMULA_SIZE subformulas. */
export class FormulaTooLarge extends AutomatonTooLarge {}

/**
 * The automaton of the formula f (not of its negation): accepting exactly its models. Past
 * `maxSteps` steps of the construction, AutomatonTooLarge (the tests give a smaller limit).
 */
export function buildAutomaton(f: Ltl, maxSteps = MAX_TABLEAU_STEPS): Automaton {
  const t = new Table();
  const root = t.nnf(f, false);
  const INIT = -1;
  // The sets of subformulas a node carries are bit sets (membership, and the node's key) with
  // the order their elements came in beside them (the order the construction takes them in):
  // copied at every step, as sets of numbers they were most of the construction's time.
  const words = (t.nodes.length + 31) >>> 5;
  const has = (b: Uint32Array, i: number): boolean => (b[i >>> 5]! & (1 << (i & 31))) !== 0;
  interface Bits {
    readonly bits: Uint32Array;
    readonly list: readonly number[];
  }
  const EMPTY: Bits = { bits: new Uint32Array(words), list: [] };
  const withAll = (b: Bits, ids: readonly number[]): Bits => {
    let bits: Uint32Array | undefined;
    let list: number[] | undefined;
    for (const i of ids) {
      if (has(bits ?? b.bits, i)) continue;
      bits ??= b.bits.slice();
      list ??= b.list.slice();
      bits[i >>> 5]! |= 1 << (i & 31);
      list.push(i);
    }
    return bits === undefined ? b : { bits, list: list! };
  };
  const keyOf = (b: Bits): string => b.bits.join(',');
  interface Done {
    readonly id: number;
    readonly incoming: Set<number>;
    readonly old: Bits;
  }
  const done: Done[] = [];
  const index = new Map<string, Done>();

  // Iterative, with an explicit stack of partial nodes, so deep formulas need no recursion.
  interface Partial {
    incoming: Set<number>;
    fresh: number[];
    old: Bits;
    next: Bits;
  }
  const stack: Partial[] = [{ incoming: new Set([INIT]), fresh: [root], old: EMPTY, next: EMPTY }];
  let steps = 0;
  while (stack.length > 0) {
    const nd = stack.pop()!;
    if (++steps > maxSteps) throw new AutomatonTooLarge(`the formula's tableau takes more than ${maxSteps} steps`);
    if (nd.fresh.length === 0) {
      const key = `${keyOf(nd.old)}|${keyOf(nd.next)}`;
      const same = index.get(key);
      if (same !== undefined) {
        for (const i of nd.incoming) same.incoming.add(i);
        continue;
      }
      if (done.length >= MAX_AUTOMATON_NODES) throw new AutomatonTooLarge(`the formula's automaton has more than ${MAX_AUTOMATON_NODES} nodes`);
      // A set of its own: the branches of a split share their partial node's set, and the
      // merges below add to a finished node's; shared, a merge into one node gave its
      // predecessors to the other (edges the formula does not have: a node of G ¬p followed by
      // one without it, and a false violation of `eventually always eventually p`).
      const d: Done = { id: done.length, incoming: new Set(nd.incoming), old: nd.old };
      done.push(d);
      index.set(key, d);
      stack.push({ incoming: new Set([d.id]), fresh: nd.next.list.slice(), old: EMPTY, next: EMPTY });
      continue;
    }
    const eta = nd.fresh.pop()!;
    if (has(nd.old.bits, eta)) {
      stack.push(nd);
      continue;
    }
    const n = t.nodes[eta]!;
    const add = (p: Partial, ids: number[], nexts: number[]): Partial => {
      const fresh = p.fresh.slice();
      for (const i of ids) if (!has(p.old.bits, i)) fresh.push(i);
      return { incoming: p.incoming, fresh, old: withAll(p.old, [eta]), next: withAll(p.next, nexts) };
    };
    switch (n.k) {
      case 'false':
        break; // contradiction: the node is dropped
      case 'true':
        stack.push(add(nd, [], []));
        break;
      case 'lit': {
        const neg = t.find({ k: 'lit', i: n.i, pos: !n.pos });
        if (neg !== undefined && has(nd.old.bits, neg)) break;
        stack.push(add(nd, [], []));
        break;
      }
      case 'and':
        stack.push(add(nd, [n.a, n.b], []));
        break;
      case 'or':
        stack.push(add(nd, [n.b], []));
        stack.push(add(nd, [n.a], []));
        break;
      case 'F':
        // F a = a ∨ X F a.
        stack.push(add(nd, [], [eta]));
        stack.push(add(nd, [n.a], []));
        break;
      case 'G':
        // G a = a ∧ X G a.
        stack.push(add(nd, [n.a], [eta]));
        break;
    }
  }

  const labels = done.map((d) => {
    const out: { i: number; pos: boolean }[] = [];
    for (const id of d.old.list) {
      const n = t.nodes[id]!;
      if (n.k === 'lit') out.push({ i: n.i, pos: n.pos });
    }
    return out;
  });
  const succ: number[][] = done.map(() => []);
  const initial: number[] = [];
  for (const d of done) {
    for (const i of d.incoming) {
      if (i === INIT) initial.push(d.id);
      else succ[i]!.push(d.id);
    }
  }
  for (const s of succ) s.sort((a, b) => a - b);
  initial.sort((a, b) => a - b);
  const accept: Uint8Array[] = [];
  t.nodes.forEach((n, id) => {
    if (n.k !== 'F') return;
    const set = new Uint8Array(done.length);
    done.forEach((d, q) => (set[q] = !has(d.old.bits, id) || has(d.old.bits, n.a) ? 1 : 0));
    accept.push(set);
  });
  return { labels, initial, succ, accept, steps };
}

// ---------------------------------------------------------------- the product

/**
 * Looks for a fair behaviour of the graph that violates `formula`, as a lasso over the graph;
 * undefined when every fair behaviour from an initial state satisfies it.
 *
 * @param strong strong[u]: whether unit u is strongly (else weakly) fair.
 * @param tagUnits tagUnits[t]: the units of an edge tagged t; without it, tag t is unit t.
 */
export function checkGeneral(
  g: LivenessGraph,
  formula: Ltl,
  strong: ArrayLike<boolean>,
  tagUnits?: readonly (readonly number[])[],
  flatMax = FLAT_PRODUCT_MAX,
): { lasso: Lasso | undefined; productNodes: number; automatonNodes: number } {
  const aut = buildAutomaton({ k: 'not', a: formula });
  const Q = aut.labels.length;
  const product = new Product(g, aut, flatMax);
  if (Q === 0) return { lasso: undefined, productNodes: 0, automatonNodes: 0 };
  const tags = tagUnits ?? Array.from({ length: strong.length }, (_, u) => [u]);
  const found = new FairSearch(product, g, aut, strong, tags).run();
  const lasso = found === undefined ? undefined : shorten(g, formula, found);
  return { lasso, productNodes: product.size, automatonNodes: Q };
}

/**
 * A shorter lasso with the same repeated part, when there is one: the product's path may reach
 * the cycle's states early and only enter the cycle later (the automaton had to wait there).
 * Cut the prefix at the first state that lies on the cycle, rotate the cycle to start there,
 * and keep the result if the formula is still false on it. Fairness depends only on the
 * states and steps of the cycle, which do not change.
 */
function shorten(g: LivenessGraph, f: Ltl, l: Lasso): Lasso {
  const prefixLen = l.edges.length - l.cycle;
  const states = [l.start];
  for (const e of l.edges) states.push(g.targets[e]!);
  const atom = (seq: readonly number[]) => (i: number, k: number): boolean => g.holds(seq[k]!, i);
  if (l.kind === 'stutter') {
    const end = states[states.length - 1]!;
    const j = states.indexOf(end);
    if (j < prefixLen) {
      const seq = states.slice(0, j + 1);
      if (!holdsOnLasso(f, seq.length, j, atom(seq))) return { kind: 'stutter', start: l.start, edges: l.edges.slice(0, j), cycle: 0 };
    }
    return l;
  }
  const cycleEdges = l.edges.slice(prefixLen);
  const cycleStates = states.slice(prefixLen, states.length - 1); // C_0 .. C_{m-1}
  for (let j = 0; j < prefixLen; j++) {
    const i = cycleStates.indexOf(states[j]!);
    if (i < 0) continue;
    const rotated = [...cycleEdges.slice(i), ...cycleEdges.slice(0, i)];
    const seq = [...states.slice(0, j + 1), ...rotated.slice(0, -1).map((e) => g.targets[e]!)];
    if (!holdsOnLasso(f, seq.length, j, atom(seq))) {
      return { kind: 'cycle', start: l.start, edges: [...l.edges.slice(0, j), ...rotated], cycle: rotated.length };
    }
  }
  return l;
}

/** Entries at most of a product's flat index of (s, q) pairs (an Int32Array of 256 MB). */
const FLAT_PRODUCT_MAX = 1 << 26;

/** The memory budget's check before a hash table of the product grows to `bytes`. */
function productGrowing(bytes: number): void {
  if (budgetWouldPass(bytes, 'the product of a temporal formula with its automaton')) throw new AnalysisOverBudget();
}

/** The reachable product of a graph and an automaton, in CSR form, nodes numbered breadth-first. */
class Product {
  size = 0;
  /** Per node: its graph state and automaton node; its BFS parent edge (-1: initial). */
  state: Int32Array;
  aut: Int32Array;
  parentEdge: Int32Array;
  offsets: Int32Array;
  targets: Int32Array;
  /** Per edge, the graph edge it follows, or -1 for a stutter edge. */
  sysEdge: Int32Array;
  edges = 0;

  constructor(g: LivenessGraph, a: Automaton, flatMax: number) {
    const Q = a.labels.length;
    const n = g.size;
    // (s, q) → node: a flat array while it stays reasonable, a hash table beyond (big automata,
    // big graphs: ReadersWriters with 4 actors, its property written so that it has no
    // conjunction at its top, took more than the 2^24 entries of a JavaScript Map).
    const flat = n * Q <= flatMax ? new Int32Array(n * Q).fill(-1) : undefined;
    const sparse = flat === undefined ? new IntMap(1 << 16, productGrowing) : undefined;
    let cap = Math.max(16, n);
    this.state = new Int32Array(cap);
    this.aut = new Int32Array(cap);
    this.parentEdge = new Int32Array(cap);
    this.offsets = new Int32Array(cap + 1);
    let ecap = Math.max(16, g.targets.length);
    this.targets = new Int32Array(ecap);
    this.sysEdge = new Int32Array(ecap);
    const fits = (s: number, q: number): boolean => {
      for (const l of a.labels[q]!) if (g.holds(s, l.i) !== l.pos) return false;
      return true;
    };
    const node = (s: number, q: number, parent: number): number => {
      const k = s * Q + q;
      let p = flat !== undefined ? flat[k]! : (sparse!.get(k) ?? -1);
      if (p >= 0) return p;
      p = this.size++;
      if (p >= cap) {
        cap *= 2;
        // Four words a node here, and as many again for the fair-component search later.
        if (budgetWouldPass(cap * 32, 'the product of a temporal formula with its automaton')) throw new AnalysisOverBudget();
        this.state = growTo(this.state, cap);
        this.aut = growTo(this.aut, cap);
        this.parentEdge = growTo(this.parentEdge, cap);
        this.offsets = growTo(this.offsets, cap + 1);
      }
      if (flat !== undefined) flat[k] = p;
      else sparse!.set(k, p);
      this.state[p] = s;
      this.aut[p] = q;
      this.parentEdge[p] = parent;
      return p;
    };
    const edge = (to: number, sys: number): void => {
      const e = this.edges++;
      if (e >= ecap) {
        ecap *= 2;
        if (budgetWouldPass(ecap * 8, 'the product of a temporal formula with its automaton')) throw new AnalysisOverBudget();
        this.targets = growTo(this.targets, ecap);
        this.sysEdge = growTo(this.sysEdge, ecap);
      }
      this.targets[e] = to;
      this.sysEdge[e] = sys;
    };
    if (Q === 0) return;
    for (let s = 0; s < n; s++) {
      if (g.parents[s] !== -1) continue;
      for (const q of a.initial) if (fits(s, q)) node(s, q, -1);
    }
    // Nodes are expanded in number order, which is breadth-first: edges are contiguous.
    for (let p = 0; p < this.size; p++) {
      pollInterrupt();
      this.offsets[p] = this.edges;
      const s = this.state[p]!;
      const succ = a.succ[this.aut[p]!]!;
      for (let e = g.offsets[s]!; e < g.offsets[s + 1]!; e++) {
        const t = g.targets[e]!;
        if (t === s) continue; // a stutter: the stutter edges below stand for it
        for (const q of succ) if (fits(t, q)) edge(node(t, q, this.edges), e);
      }
      for (const q of succ) if (fits(s, q)) edge(node(s, q, this.edges), -1);
    }
    this.offsets[this.size] = this.edges;
  }

  /** The node an edge leaves: binary search in the offsets. */
  sourceOf(e: number): number {
    return lastAtMost(this.offsets, this.size, e);
  }
}

function growTo(a: Int32Array, n: number): Int32Array {
  const b = new Int32Array(n);
  b.set(a.subarray(0, Math.min(a.length, n)));
  return b;
}

/** Fair accepting components of the product, and the lasso through the nearest one. */
class FairSearch {
  private readonly compId: Int32Array;
  private readonly mark: Int32Array;
  private gen = 0;
  private readonly unitCount: Int32Array;
  private readonly unitTaken: Int32Array;
  private readonly unitSeenAt: Int32Array;

  constructor(
    private readonly p: Product,
    private readonly g: LivenessGraph,
    private readonly a: Automaton,
    private readonly strong: ArrayLike<boolean>,
    private readonly tagUnits: readonly (readonly number[])[],
  ) {
    this.compId = new Int32Array(p.size).fill(-1);
    this.mark = new Int32Array(p.size);
    const u = strong.length;
    this.unitCount = new Int32Array(u);
    this.unitTaken = new Int32Array(u);
    this.unitSeenAt = new Int32Array(u);
  }

  /** The units enabled in graph state s (edges to other states), each once. */
  private enabled(s: number, out: (u: number) => void): void {
    const g = this.g;
    for (let e = g.offsets[s]!; e < g.offsets[s + 1]!; e++) {
      const tag = g.tags[e]!;
      if (tag < 0 || g.targets[e] === s) continue;
      for (const u of this.tagUnits[tag]!) out(u);
    }
  }

  /** The units a product edge takes (none for a stutter edge). */
  private taken(e: number): readonly number[] {
    const se = this.p.sysEdge[e]!;
    if (se < 0) return [];
    const tag = this.g.tags[se]!;
    return tag < 0 ? [] : this.tagUnits[tag]!;
  }

  run(): Lasso | undefined {
    this.components();
    const p = this.p;
    let end = -1;
    for (let x = 0; x < p.size && end < 0; x++) if (this.compId[x]! >= 0) end = x;
    if (end < 0) return undefined;
    const prefix: number[] = [];
    for (let x = end; p.parentEdge[x] !== -1; x = p.sourceOf(p.parentEdge[x]!)) prefix.push(p.parentEdge[x]!);
    prefix.reverse();
    let start = end;
    while (p.parentEdge[start] !== -1) start = p.sourceOf(p.parentEdge[start]!);
    const cycle = this.cycleIn(end);
    const sys = (es: number[]): number[] => es.map((e) => p.sysEdge[e]!).filter((e) => e >= 0);
    const pre = sys(prefix);
    const cyc = sys(cycle);
    if (cyc.length === 0) return { kind: 'stutter', start: p.state[start]!, edges: pre, cycle: 0 };
    return { kind: 'cycle', start: p.state[start]!, edges: [...pre, ...cyc], cycle: cyc.length };
  }

  /** compId[x] ≥ 0 for the nodes of fair components that meet every acceptance set. */
  private components(): void {
    const p = this.p;
    const { offsets, targets } = p;
    const mark = this.mark;
    const count = this.unitCount;
    const taken = this.unitTaken;
    const seenAt = this.unitSeenAt;
    const strong = this.strong;
    let comps = 0;
    const all = new Int32Array(p.size);
    for (let x = 0; x < p.size; x++) all[x] = x;
    const work: Int32Array[] = [all];
    const tarjan = new Tarjan(p.size, true);
    while (work.length > 0) {
      const nodes = work.pop()!;
      const itemGen = ++this.gen;
      for (let i = 0; i < nodes.length; i++) mark[nodes[i]!] = itemGen;
      for (const scc of tarjan.run(p, nodes, mark, itemGen)) {
        const sccGen = ++this.gen;
        for (let i = 0; i < scc.length; i++) mark[scc[i]!] = sccGen;
        const touched: number[] = [];
        for (let i = 0; i < scc.length; i++) {
          pollInterrupt();
          const x = scc[i]!;
          const stamp = ++this.gen;
          this.enabled(p.state[x]!, (u) => {
            if (seenAt[u] === stamp) return;
            seenAt[u] = stamp;
            if (count[u] === 0) touched.push(u);
            count[u]!++;
          });
          for (let e = offsets[x]!; e < offsets[x + 1]!; e++) {
            if (mark[targets[e]!] !== sccGen) continue;
            for (const u of this.taken(e)) taken[u] = sccGen;
          }
        }
        const strongViolated = untakenStrongUnits(touched, count, taken, strong, sccGen, scc.length);
        if (strongViolated === undefined) continue;
        if (strongViolated.length > 0) {
          const bad = ++this.gen;
          for (const u of strongViolated) seenAt[u] = bad;
          const keep: number[] = [];
          for (let i = 0; i < scc.length; i++) {
            let ok = true;
            this.enabled(p.state[scc[i]!]!, (u) => {
              if (seenAt[u] === bad) ok = false;
            });
            if (ok) keep.push(scc[i]!);
          }
          if (keep.length >= 1) work.push(Int32Array.from(keep));
          continue;
        }
        let accepting = true;
        for (const set of this.a.accept) {
          let any = false;
          for (let i = 0; i < scc.length && !any; i++) any = set[p.aut[scc[i]!]!] === 1;
          if (!any) accepting = false;
        }
        if (!accepting) continue;
        const c = comps++;
        for (let i = 0; i < scc.length; i++) this.compId[scc[i]!] = c;
      }
    }
  }

  /** Breadth-first inside component c from `from` to a node where `target` holds; its edges. */
  private bfs(from: number, c: number, target: (x: number) => boolean, atLeastOne: boolean): number[] {
    const p = this.p;
    // Per node reached, the edge it was reached by (ROOT for `from`): a component may have
    // more nodes than a JavaScript Map holds.
    const ROOT = -2;
    const parent = new IntMap(1024, productGrowing);
    const queue: number[] = [];
    if (!atLeastOne && target(from)) return [];
    parent.set(from, ROOT);
    queue.push(from);
    for (let h = 0; h < queue.length; h++) {
      const x = queue[h]!;
      for (let e = p.offsets[x]!; e < p.offsets[x + 1]!; e++) {
        const y = p.targets[e]!;
        if (this.compId[y] !== c) continue;
        if (target(y)) {
          const path = [e];
          for (let z = x; parent.get(z) !== ROOT; z = p.sourceOf(parent.get(z)!)) path.push(parent.get(z)!);
          return path.reverse();
        }
        if (parent.get(y) !== undefined) continue;
        parent.set(y, e);
        queue.push(y);
      }
    }
    throw new Error('internal error: a fair component of the product does not contain its fair cycle');
  }

  /** A fair accepting cycle through `start` inside its component (greedy, nearest obligation first). */
  private cycleIn(start: number): number[] {
    const p = this.p;
    const c = this.compId[start]!;
    const members: number[] = [];
    for (let x = 0; x < p.size; x++) if (this.compId[x] === c) members.push(x);
    const take = new Set<number>();
    const enabledSomewhere = new Set<number>();
    for (const x of members) {
      this.enabled(p.state[x]!, (u) => enabledSomewhere.add(u));
      for (let e = p.offsets[x]!; e < p.offsets[x + 1]!; e++) {
        if (this.compId[p.targets[e]!] === c) for (const u of this.taken(e)) take.add(u);
      }
    }
    const visitDisabled = new Set([...enabledSomewhere].filter((u) => !take.has(u)));
    const needAccept = new Set(this.a.accept.map((_, j) => j));
    const enabledAt = (x: number): Set<number> => {
      const out = new Set<number>();
      this.enabled(p.state[x]!, (u) => out.add(u));
      return out;
    };
    const visit = (x: number): void => {
      if (visitDisabled.size > 0) {
        const en = enabledAt(x);
        for (const u of [...visitDisabled]) if (!en.has(u)) visitDisabled.delete(u);
      }
      for (const j of [...needAccept]) if (this.a.accept[j]![p.aut[x]!] === 1) needAccept.delete(j);
    };
    const takingEdge = (x: number): number => {
      for (let e = p.offsets[x]!; e < p.offsets[x + 1]!; e++) {
        if (this.compId[p.targets[e]!] === c && this.taken(e).some((u) => take.has(u))) return e;
      }
      return -1;
    };
    const useful = (x: number): boolean => {
      if (takingEdge(x) >= 0) return true;
      for (const j of needAccept) if (this.a.accept[j]![p.aut[x]!] === 1) return true;
      if (visitDisabled.size > 0) {
        const en = enabledAt(x);
        for (const u of visitDisabled) if (!en.has(u)) return true;
      }
      return false;
    };
    const cycle: number[] = [];
    let at = start;
    const follow = (es: number[]): void => {
      for (const e of es) {
        for (const u of this.taken(e)) take.delete(u);
        at = p.targets[e]!;
        cycle.push(e);
        visit(at);
      }
    };
    visit(at);
    while (take.size > 0 || visitDisabled.size > 0 || needAccept.size > 0) {
      follow(this.bfs(at, c, useful, false));
      const e = takingEdge(at);
      if (e >= 0) follow([e]);
    }
    // Back to the start, with at least one step.
    follow(this.bfs(at, c, (x) => x === start, cycle.length === 0 || at !== start ? true : false));
    return cycle;
  }
}

// ---------------------------------------------------------------- on a given lasso

/**
 * Whether the formula holds on a lasso: states 0 .. m-1, the last one followed by state
 * `loop` again (a stutter when loop = m - 1). `atom(i, k)`: whether atom i holds in state k.
 */
export function holdsOnLasso(f: Ltl, m: number, loop: number, atom: (i: number, k: number) => boolean): boolean {
  const ev = (f: Ltl): boolean[] => {
    switch (f.k) {
      case 'atom':
        return Array.from({ length: m }, (_, k) => atom(f.i, k));
      case 'const':
        return new Array<boolean>(m).fill(f.v);
      case 'not':
        return ev(f.a).map((x) => !x);
      case 'and': {
        const a = ev(f.a);
        const b = ev(f.b);
        return a.map((x, k) => x && b[k]!);
      }
      case 'or': {
        const a = ev(f.a);
        const b = ev(f.b);
        return a.map((x, k) => x || b[k]!);
      }
      case 'always':
      case 'eventually': {
        const a = ev(f.a);
        const want = f.k === 'eventually';
        // The future of k: k .. m-1, and the cycle loop .. m-1 again.
        const onCycle = a.slice(loop).some((x) => x === want);
        const out = new Array<boolean>(m);
        let seen = onCycle;
        for (let k = m - 1; k >= 0; k--) {
          if (k >= loop) out[k] = onCycle ? want : !want;
          else {
            if (a[k] === want) seen = true;
            out[k] = seen ? want : !want;
          }
        }
        return out;
      }
    }
  };
  return ev(f)[0] ?? true;
}
