/**
 * Temporal properties over a recorded state graph (state-graph.ts), under weak and strong
 * fairness, with TLA's stuttering: the search for a fair behaviour that violates a property,
 * returned as a lasso (a path into a cycle that repeats forever, or into a state where the
 * behaviour stutters forever). docs/temporal.md explains the semantics to users.
 *
 * Fairness units. Every edge carries a tag naming the fairness units of its step (an action
 * and its parameter values, for a fair action; a group, for `fair { A, B }` and `fair next`:
 * a step may belong to several units), or -1. A unit is *enabled* in a state when the
 * state has an edge of that unit to another state, and *taken* by such an edge. Self-loops do
 * not count: a step that changes nothing is a stutter (TLA's ⟨A⟩_vars excludes it), so it
 * neither enables nor fulfils a unit.
 *
 * Behaviours. A behaviour is an infinite path; where the system stops (or just chooses to
 * wait) it stutters. An infinite behaviour ends either
 *   - in a cycle repeated forever: fair iff, over the states of the cycle, every weakly fair
 *     unit that is enabled in all of them is taken on the cycle, and every strongly fair unit
 *     enabled in one of them is taken on the cycle; or
 *   - stuttering forever in one state s: fair iff no fair unit (weak or strong) is enabled in
 *     s. A deadlock state (no successor) always qualifies.
 *
 * Reductions. Each property becomes: find, in a subgraph H (given by a state predicate), a
 * state from some set of starts from which a fair end (a fair stuttering state, or a state of
 * a fair cycle) inside H is reachable within H, optionally with a Büchi condition B (the
 * cycle or the stuttering state must contain a B state):
 *
 *   always P            a reachable state where ¬P (no cycle needed: every finite path
 *                       extends to a fair behaviour, fairness of sub-actions being
 *                       machine-closed)
 *   eventually P        H = ¬P, starts = the initial states in H, the prefix inside H
 *   always eventually P H = ¬P, starts = any reachable state
 *   eventually always P H = all states, B = ¬P
 *   P ~> Q              H = ¬Q, starts = the reachable states where P ∧ ¬Q
 *
 * Fair cycles are found per strongly connected component (iterative Tarjan, no recursion),
 * refined Streett-style: in an SCC C, a weakly fair unit enabled in every state of C and taken
 * by no edge inside C rules out every cycle in C (discard C); a strongly fair unit enabled
 * somewhere in C and taken by no edge inside C rules out the states where it is enabled
 * (remove them and decompose the rest again). What survives is a union of fair SCCs: every
 * fair cycle lies in one, and each contains a fair cycle (constructed by `cycleIn`).
 */
import { pollInterrupt } from './guard.js';
import { lastAtMost } from '../values/bisect.js';

export type TemporalKind = 'always' | 'eventually' | 'alwaysEventually' | 'eventuallyAlways' | 'leadsTo';

/** A property in terms of the graph's recorded predicates. */
export interface TemporalQuery {
  readonly kind: TemporalKind;
  /** Index of the predicate P (the left side of ~>). */
  readonly p: number;
  /** For ~>: index of the predicate Q. */
  readonly q?: number;
}

/** The graph as the algorithm needs it (a StateGraph is one). */
export interface LivenessGraph {
  /** Number of states (the explorer's distinct states), indexed 0 .. size - 1. */
  readonly size: number;
  /** Edges in CSR form: the successors of s are targets[offsets[s] .. offsets[s + 1]). */
  readonly offsets: Int32Array;
  readonly targets: Int32Array;
  /** Per edge, the tag of its step (its fairness units, see LivenessChecker); -1 for none. */
  readonly tags: Int32Array;
  /** BFS parent of each state, -1 for initial states: parent links give shortest paths. */
  readonly parents: Int32Array;
  /** Whether predicate i holds in state s. */
  holds(s: number, i: number): boolean;
}

/**
 * A counterexample: the shortest (BFS) path to `start`, then `edges`. The last `cycle` edges
 * form the cycle (they lead back to the state they leave from); `stutter`: the behaviour
 * stutters forever in the last state; `finite`: the last state violates `always P`.
 */
export interface Lasso {
  readonly kind: 'cycle' | 'stutter' | 'finite';
  readonly start: number;
  readonly edges: readonly number[];
  readonly cycle: number;
}

/**
 * Checking the temporal properties would take the process past --max-memory (guard.ts's
 * note says by how much): thrown before the arrays that would pass it are made.
 */
export class AnalysisOverBudget extends Error {
  constructor() {
    super('checking the temporal properties would pass --max-memory');
    this.name = 'AnalysisOverBudget';
  }
}

/** The stamp past which LivenessChecker starts its stamps again (see `gen`). */
const GEN_LIMIT = 2 ** 29;

export class LivenessChecker {
  private readonly n: number;
  /** stutterOk[s] = 1 when no fair unit is enabled in s: stuttering there forever is fair. */
  private readonly stutterOk: Uint8Array;
  // Scratch arrays, one slot per state or unit, reused by every query.
  private readonly mark: Int32Array;
  private readonly compId: Int32Array;
  private readonly parentEdge: Int32Array;
  private readonly seenAt: Int32Array;
  private readonly queue: Int32Array;
  private readonly unitCount: Int32Array;
  private readonly unitTaken: Int32Array;
  private readonly unitSeenAt: Int32Array;
  /**
   * The last stamp given (marks, units, the BFS's seen states: each a fresh number, so that no
   * array is cleared between uses). Kept under GEN_LIMIT (the arrays are Int32Arrays, and
   * Tarjan's marks of visited nodes are negative) by starting again between two queries.
   */
  private gen = 0;
  /** The SCC search, its arrays made for the first query that needs it and kept for the next. */
  private tarjan: Tarjan | undefined;
  /** The units of tag t: tagUnit[tagStart[t] .. tagStart[t + 1]). */
  private readonly tagStart: Int32Array;
  private readonly tagUnit: Int32Array;

  /**
   * @param strong strong[u]: whether unit u is strongly (else weakly) fair.
   * @param tagUnits tagUnits[t]: the units of an edge tagged t (a step may belong to a unit of
   *   its binding and to groups); without it, tag t is unit t.
   */
  constructor(
    private readonly g: LivenessGraph,
    private readonly strong: ArrayLike<boolean>,
    tagUnits?: readonly (readonly number[])[],
  ) {
    const n = g.size;
    const tags = tagUnits ?? Array.from({ length: strong.length }, (_, u) => [u]);
    this.tagStart = new Int32Array(tags.length + 1);
    tags.forEach((us, t) => (this.tagStart[t + 1] = this.tagStart[t]! + us.length));
    this.tagUnit = Int32Array.from(tags.flat());
    this.n = n;
    this.stutterOk = new Uint8Array(n);
    for (let s = 0; s < n; s++) {
      pollInterrupt();
      let ok = 1;
      for (let e = g.offsets[s]!; e < g.offsets[s + 1]!; e++) {
        if (g.tags[e]! >= 0 && g.targets[e] !== s) {
          ok = 0;
          break;
        }
      }
      this.stutterOk[s] = ok;
    }
    this.mark = new Int32Array(n);
    this.compId = new Int32Array(n);
    this.parentEdge = new Int32Array(n);
    this.seenAt = new Int32Array(n);
    this.queue = new Int32Array(n);
    const u = strong.length;
    this.unitCount = new Int32Array(u);
    this.unitTaken = new Int32Array(u);
    this.unitSeenAt = new Int32Array(u);
  }

  /** Whether stuttering forever in state s is a fair behaviour. */
  canStutter(s: number): boolean {
    return this.stutterOk[s] === 1;
  }

  /** A fair behaviour violating the property, or undefined when it holds. */
  check(query: TemporalQuery): Lasso | undefined {
    const g = this.g;
    const n = this.n;
    const p = query.p;
    if (this.gen > GEN_LIMIT) {
      // A query takes a few stamps a state at most: start again, every stamp forgotten.
      this.gen = 0;
      for (const a of [this.mark, this.seenAt, this.unitTaken, this.unitSeenAt]) a.fill(0);
    }
    if (query.kind === 'always') {
      for (let s = 0; s < n; s++) if (!g.holds(s, p)) return { kind: 'finite', start: s, edges: [], cycle: 0 };
      return undefined;
    }
    const inH = new Uint8Array(n);
    let buchi: ((s: number) => boolean) | undefined;
    switch (query.kind) {
      case 'eventually':
      case 'alwaysEventually':
        for (let s = 0; s < n; s++) inH[s] = g.holds(s, p) ? 0 : 1;
        break;
      case 'leadsTo': {
        const q = query.q!;
        for (let s = 0; s < n; s++) inH[s] = g.holds(s, q) ? 0 : 1;
        break;
      }
      case 'eventuallyAlways':
        inH.fill(1);
        buchi = (s) => !g.holds(s, p);
        break;
    }
    this.fairComponents(inH, buchi);
    const compId = this.compId;
    const isEnd = (s: number): boolean => (this.stutterOk[s] === 1 && (buchi === undefined || buchi(s))) || compId[s]! >= 0;

    let start = -1;
    let prefix: number[] = [];
    let end = -1;
    if (query.kind === 'alwaysEventually' || query.kind === 'eventuallyAlways') {
      // Any reachable state may start: the end closest to an initial state (BFS index order).
      for (let s = 0; s < n && end < 0; s++) if (inH[s] === 1 && isEnd(s)) end = s;
      start = end;
    } else {
      const sources: number[] = [];
      for (let s = 0; s < n; s++) {
        if (inH[s] !== 1) continue;
        if (query.kind === 'eventually' ? g.parents[s] === -1 : g.holds(s, p)) sources.push(s);
      }
      const found = this.bfs(sources, (s) => inH[s] === 1, isEnd);
      if (found !== undefined) {
        end = found.end;
        start = found.source;
        prefix = found.edges;
      }
    }
    if (end < 0) return undefined;
    if (this.stutterOk[end] === 1 && (buchi === undefined || buchi(end))) {
      return { kind: 'stutter', start, edges: prefix, cycle: 0 };
    }
    const cycle = this.cycleIn(end, buchi);
    return { kind: 'cycle', start, edges: [...prefix, ...cycle], cycle: cycle.length };
  }

  // ---------------------------------------------------------------- fair SCCs

  /**
   * Sets compId[s] to a component number for every state of H that lies in a fair SCC (with a
   * B state, when `buchi` is given), and to -1 for the others.
   */
  private fairComponents(inH: Uint8Array, buchi: ((s: number) => boolean) | undefined): void {
    const g = this.g;
    const { offsets, targets, tags } = g;
    const mark = this.mark;
    const compId = this.compId;
    compId.fill(-1);
    const strong = this.strong;
    const count = this.unitCount;
    const taken = this.unitTaken;
    const seenAt = this.unitSeenAt;
    const { tagStart, tagUnit } = this;
    let comps = 0;

    // The states of H, counted first: a typed array filled in place, not a JavaScript array
    // grown by push and copied (a third of this function's time on a million states).
    const n = this.n;
    let inHCount = 0;
    for (let s = 0; s < n; s++) if (inH[s] === 1) inHCount++;
    const all = new Int32Array(inHCount);
    for (let s = 0, k = 0; s < n; s++) if (inH[s] === 1) all[k++] = s;
    const work: Int32Array[] = [all];
    const tarjan = (this.tarjan ??= new Tarjan(this.n));

    while (work.length > 0) {
      const nodes = work.pop()!;
      const itemGen = ++this.gen;
      for (let i = 0; i < nodes.length; i++) mark[nodes[i]!] = itemGen;
      const sccs = tarjan.run(g, nodes, mark, itemGen);
      for (const scc of sccs) {
        const sccGen = ++this.gen;
        for (let i = 0; i < scc.length; i++) mark[scc[i]!] = sccGen;
        // Per unit: in how many states of the SCC it is enabled, and whether an edge inside
        // the SCC takes it.
        const touched: number[] = [];
        for (let i = 0; i < scc.length; i++) {
          pollInterrupt();
          const s = scc[i]!;
          const stamp = ++this.gen;
          for (let e = offsets[s]!; e < offsets[s + 1]!; e++) {
            const tag = tags[e]!;
            const t = targets[e]!;
            if (tag < 0 || t === s) continue;
            for (let k = tagStart[tag]!; k < tagStart[tag + 1]!; k++) {
              const u = tagUnit[k]!;
              if (seenAt[u] !== stamp) {
                seenAt[u] = stamp;
                if (count[u] === 0) touched.push(u);
                count[u]!++;
              }
              if (mark[t] === sccGen) taken[u] = sccGen;
            }
          }
        }
        const strongViolated = untakenStrongUnits(touched, count, taken, strong, sccGen, scc.length);
        if (strongViolated === undefined) continue;
        if (strongViolated.length > 0) {
          // Drop the states where an untaken strong unit is enabled; decompose the rest again.
          const bad = ++this.gen;
          for (const u of strongViolated) seenAt[u] = bad;
          const keep = new Int32Array(scc.length);
          let kept = 0;
          for (let i = 0; i < scc.length; i++) {
            const s = scc[i]!;
            let ok = true;
            for (let e = offsets[s]!; e < offsets[s + 1]! && ok; e++) {
              const tag = tags[e]!;
              if (tag < 0 || targets[e] === s) continue;
              for (let k = tagStart[tag]!; k < tagStart[tag + 1]!; k++) if (seenAt[tagUnit[k]!] === bad) ok = false;
            }
            if (ok) keep[kept++] = s;
          }
          if (kept >= 2) work.push(keep.subarray(0, kept));
          continue;
        }
        if (buchi !== undefined) {
          let any = false;
          for (let i = 0; i < scc.length && !any; i++) any = buchi(scc[i]!);
          if (!any) continue;
        }
        const c = comps++;
        for (let i = 0; i < scc.length; i++) compId[scc[i]!] = c;
      }
    }
  }

  // ---------------------------------------------------------------- paths

  /**
   * Breadth-first from every source at once (in the order given), through states where
   * `inside` holds, to the first state where `target` holds: its source and the edges there.
   */
  private bfs(
    sources: readonly number[],
    inside: (s: number) => boolean,
    target: (s: number) => boolean,
  ): { source: number; end: number; edges: number[] } | undefined {
    const { offsets, targets } = this.g;
    const seen = this.seenAt;
    const parentEdge = this.parentEdge;
    const queue = this.queue;
    const stamp = ++this.gen;
    let head = 0;
    let tail = 0;
    for (const s of sources) {
      if (seen[s] === stamp) continue;
      seen[s] = stamp;
      parentEdge[s] = -1;
      queue[tail++] = s;
    }
    while (head < tail) {
      const s = queue[head++]!;
      if (target(s)) {
        const edges: number[] = [];
        let at = s;
        while (parentEdge[at] !== -1) {
          const e = parentEdge[at]!;
          edges.push(e);
          at = this.sourceOf(e);
        }
        edges.reverse();
        return { source: at, end: s, edges };
      }
      for (let e = offsets[s]!; e < offsets[s + 1]!; e++) {
        const t = targets[e]!;
        if (seen[t] === stamp || !inside(t)) continue;
        seen[t] = stamp;
        parentEdge[t] = e;
        queue[tail++] = t;
      }
    }
    return undefined;
  }

  /** The state an edge leaves: binary search in the offsets. */
  private sourceOf(e: number): number {
    // The last s with offsets[s] <= e (states without edges share their offset with the next).
    return lastAtMost(this.g.offsets, this.n, e);
  }

  /**
   * A fair cycle through `start` inside its fair component: it takes one edge of every fair
   * unit that some edge inside the component takes, visits, for every weakly fair unit enabled
   * in the component but taken inside it by no edge, a state where that unit is disabled, and
   * visits a B state when `buchi` is given. Greedy: always the nearest obligation next.
   */
  private cycleIn(start: number, buchi: ((s: number) => boolean) | undefined): number[] {
    const { offsets, targets, tags } = this.g;
    const compId = this.compId;
    const c = compId[start]!;
    const inside = (s: number): boolean => compId[s] === c;
    const { tagStart, tagUnit } = this;
    const unitsOf = (tag: number): Int32Array => tagUnit.subarray(tagStart[tag]!, tagStart[tag + 1]!);

    // The obligations.
    const take = new Set<number>();
    const enabledSomewhere = new Set<number>();
    const scan = (s: number): void => {
      for (let e = offsets[s]!; e < offsets[s + 1]!; e++) {
        const tag = tags[e]!;
        const t = targets[e]!;
        if (tag < 0 || t === s) continue;
        for (const u of unitsOf(tag)) {
          enabledSomewhere.add(u);
          if (compId[t] === c) take.add(u);
        }
      }
    };
    const members: number[] = [];
    for (let s = 0; s < this.n; s++) if (compId[s] === c) members.push(s);
    members.forEach(scan);
    const visitDisabled = new Set<number>([...enabledSomewhere].filter((u) => !take.has(u)));
    let needB = buchi !== undefined;

    const enabledAt = (s: number): Set<number> => {
      const out = new Set<number>();
      for (let e = offsets[s]!; e < offsets[s + 1]!; e++) {
        if (tags[e]! >= 0 && targets[e] !== s) for (const u of unitsOf(tags[e]!)) out.add(u);
      }
      return out;
    };
    /** Crosses off what visiting s fulfils. */
    const visit = (s: number): void => {
      if (visitDisabled.size > 0) {
        const en = enabledAt(s);
        for (const u of [...visitDisabled]) if (!en.has(u)) visitDisabled.delete(u);
      }
      if (needB && buchi!(s)) needB = false;
    };
    /** An internal edge of s that takes a unit still to be taken, or -1. */
    const takingEdge = (s: number): number => {
      for (let e = offsets[s]!; e < offsets[s + 1]!; e++) {
        const t = targets[e]!;
        if (t !== s && compId[t] === c && tags[e]! >= 0 && unitsOf(tags[e]!).some((u) => take.has(u))) return e;
      }
      return -1;
    };

    const cycle: number[] = [];
    let at = start;
    visit(at);
    const follow = (edges: number[]): void => {
      for (const e of edges) {
        if (tags[e]! >= 0) for (const u of unitsOf(tags[e]!)) take.delete(u);
        at = targets[e]!;
        cycle.push(e);
        visit(at);
      }
    };
    const enabledHere = (s: number): boolean => {
      if (takingEdge(s) >= 0) return true;
      if (needB && buchi!(s)) return true;
      if (visitDisabled.size > 0) {
        const en = enabledAt(s);
        for (const u of visitDisabled) if (!en.has(u)) return true;
      }
      return false;
    };
    while (take.size > 0 || visitDisabled.size > 0 || needB) {
      const found = this.bfs([at], inside, enabledHere);
      if (found === undefined) throw new Error('internal error: a fair component does not contain its fair cycle');
      follow(found.edges);
      const e = takingEdge(at);
      if (e >= 0) follow([e]);
    }
    // Back to the start, with at least one step.
    if (cycle.length === 0) {
      let first = -1;
      for (let e = offsets[start]!; e < offsets[start + 1]! && first < 0; e++) {
        if (targets[e] !== start && compId[targets[e]!] === c) first = e;
      }
      follow([first]);
    }
    if (at !== start) {
      const back = this.bfs([at], inside, (s) => s === start);
      if (back === undefined) throw new Error('internal error: a fair component is not strongly connected');
      follow(back.edges);
    }
    return cycle;
  }
}

/**
 * The fairness verdict on a strongly connected component, given per unit touched (enabled in
 * some state of it) `count`, the number of its states where the unit is enabled, and whether
 * an edge inside takes it (`taken[u] === sccGen`). Undefined when a weakly fair unit is enabled
 * in every state and taken by no edge inside: no fair cycle stays in the component. Else the
 * strongly fair units enabled somewhere and taken nowhere, whose states must be dropped. Resets
 * the touched units' counts.
 */
export function untakenStrongUnits(
  touched: readonly number[],
  count: Int32Array,
  taken: Int32Array,
  strong: ArrayLike<boolean>,
  sccGen: number,
  size: number,
): number[] | undefined {
  let weakViolated = false;
  const strongViolated: number[] = [];
  for (const u of touched) {
    if (taken[u] === sccGen) continue;
    if (strong[u]) strongViolated.push(u);
    else if (count[u] === size) weakViolated = true;
  }
  for (const u of touched) count[u] = 0;
  return weakViolated ? undefined : strongViolated;
}

/**
 * Iterative Tarjan over the subgraph of the nodes s with mark[s] === gen: the states of a
 * liveness graph, or the nodes of ltl.ts's product with an automaton. With `selfLoops`, a lone
 * node with an edge to itself is a cycle too (the product's stutter edges); without, self-loops
 * are stutters and only components of two nodes or more are reported, each a list of its
 * nodes in increasing order.
 *
 * On a graph of millions of states the search is bound by cache misses, one per array it
 * reads at a node an edge leads to, so it reads one: `mark` itself holds a visited node's state
 * (-2 - its index while it is on the stack, -1 once its component is done), and the low link
 * lives in the node's frame on the call stack (Pearce's variant: only nodes on the call stack
 * need one). So `run` overwrites the marks of the nodes it visits; gens must be positive. The
 * components' nodes are sorted, so that the loops over them that follow read the graph's
 * arrays in address order (counter-grid-live K=30, 3.2M states a query: the fair-component
 * search took 1.7-3.7 s a query in the order Tarjan found the nodes, 0.9-1.7 s sorted).
 */
export class Tarjan {
  /** The nodes whose component is not done yet, in the order they were visited. */
  private readonly stack: Int32Array;
  /** The call stack: per frame its node, the next edge to follow, and its low link. */
  private readonly callNode: Int32Array;
  private readonly callEdge: Int32Array;
  private readonly callLow: Int32Array;

  constructor(
    n: number,
    private readonly selfLoops = false,
  ) {
    this.stack = new Int32Array(n);
    this.callNode = new Int32Array(n);
    this.callEdge = new Int32Array(n);
    this.callLow = new Int32Array(n);
  }

  /** The SCCs of the subgraph that can cycle, each a list of nodes. */
  run(g: { readonly offsets: Int32Array; readonly targets: Int32Array }, nodes: Int32Array, mark: Int32Array, gen: number): Int32Array[] {
    const { offsets, targets } = g;
    const { stack, callNode, callEdge, callLow } = this;
    const out: Int32Array[] = [];
    let counter = 0;
    let sp = 0;
    for (let r = 0; r < nodes.length; r++) {
      const root = nodes[r]!;
      if (mark[root] !== gen) continue;
      let top = 0;
      callNode[0] = root;
      callEdge[0] = offsets[root]!;
      callLow[0] = counter;
      mark[root] = -2 - counter++;
      stack[sp++] = root;
      while (top >= 0) {
        pollInterrupt();
        const v = callNode[top]!;
        const e = callEdge[top]!;
        if (e < offsets[v + 1]!) {
          callEdge[top] = e + 1;
          const w = targets[e]!;
          const m = mark[w]!;
          if (m === gen) {
            // Not visited yet (v itself is marked on the stack: a self-loop never comes here).
            top++;
            callNode[top] = w;
            callEdge[top] = offsets[w]!;
            callLow[top] = counter;
            mark[w] = -2 - counter++;
            stack[sp++] = w;
          } else if (m <= -2 && -2 - m < callLow[top]!) {
            // On the stack: in v's component if it is below v's low link.
            callLow[top] = -2 - m;
          }
          continue;
        }
        // v is finished.
        const low = callLow[top]!;
        if (low === -2 - mark[v]!) {
          let k = sp - 1;
          while (stack[k] !== v) k--;
          // Lone states are dropped here: most states of a big graph are, and they cannot
          // cycle (self-loops are stutters), so allocating nothing for them matters.
          let cyclic = sp - k >= 2;
          if (!cyclic && this.selfLoops) {
            for (let f = offsets[v]!; f < offsets[v + 1]! && !cyclic; f++) cyclic = targets[f] === v;
          }
          if (cyclic) out.push(stack.slice(k, sp).sort());
          for (let i = k; i < sp; i++) mark[stack[i]!] = -1;
          sp = k;
        }
        top--;
        if (top >= 0 && low < callLow[top]!) callLow[top] = low;
      }
    }
    return out;
  }
}
