/**
 * General temporal formulas through the tableau (src/explore/ltl.ts): on random graphs, the
 * tableau agrees with the fast paths of liveness.ts on the simple forms and on conjunctions of
 * them, and every lasso it reports is a fair behaviour that violates the formula; on hand-made
 * graphs, nested formulas with known answers; the automaton and the lasso evaluator alone.
 */
import fc from 'fast-check';
import { describe, expect, it, vi } from 'vitest';
import { buildAutomaton, checkGeneral, holdsOnLasso, type Automaton, type Ltl } from '../../src/explore/ltl.js';
import { AnalysisOverBudget } from '../../src/explore/liveness.js';
import { memoryBudget, memoryNote, setMemoryBudget } from '../../src/explore/guard.js';
import { checkFair, lassoProblems, unitStrengths, unitsOf, type FairGraph, type Strength } from './fair-graph.js';
import type { Edge } from './graph-model.js';

type Kind = 'always' | 'eventually' | 'alwaysEventually' | 'eventuallyAlways' | 'leadsTo';

const P: Ltl = { k: 'atom', i: 0 };
const Q: Ltl = { k: 'atom', i: 1 };
const not = (a: Ltl): Ltl => ({ k: 'not', a });
const and = (a: Ltl, b: Ltl): Ltl => ({ k: 'and', a, b });
const or = (a: Ltl, b: Ltl): Ltl => ({ k: 'or', a, b });
const G = (a: Ltl): Ltl => ({ k: 'always', a });
const F = (a: Ltl): Ltl => ({ k: 'eventually', a });
const implies = (a: Ltl, b: Ltl): Ltl => or(not(a), b);

/** The simple forms as formulas. */
const asFormula: Record<Kind, Ltl> = {
  always: G(P),
  eventually: F(P),
  alwaysEventually: G(F(P)),
  eventuallyAlways: F(G(P)),
  leadsTo: G(implies(P, F(Q))),
};

/** Runs the tableau on a graph; checks any lasso it returns; says whether the formula fails. */
function tableau(spec: FairGraph, f: Ltl): { violated: boolean; kind?: string; states: number[] } {
  const x = checkFair(spec, 'eventually');
  const { lasso } = checkGeneral(x.graph, f, x.strong, x.tagUnits);
  if (!lasso) return { violated: false, states: [] };
  const t = x.graph.path(lasso.start, lasso.edges);
  const explored = { ...x, lasso, states: t.states, labels: t.labels };
  // A fair behaviour of the graph (lassoProblems' property part is checked separately below).
  const problems = lassoProblems(spec, 'eventually', explored).filter((p) => !p.startsWith('P holds'));
  expect(problems).toEqual([]);
  // ... that violates the formula.
  const last = t.states.length - 1;
  const states = lasso.kind === 'cycle' ? t.states.slice(0, last) : t.states;
  const loop = lasso.kind === 'cycle' ? last - lasso.cycle : last;
  const pSet = new Set(spec.p);
  const qSet = new Set(spec.q ?? []);
  const holds = holdsOnLasso(f, states.length, loop, (i, k) => (i === 0 ? pSet : qSet).has(states[k]!));
  expect(holds).toBe(false);
  return { violated: true, kind: lasso.kind, states: t.states };
}

const LABELS = ['a', 'b', 'c'] as const;
const fairGraph: fc.Arbitrary<FairGraph> = fc.integer({ min: 1, max: 6 }).chain((n) =>
  fc.record({
    edges: fc.array(fc.tuple(fc.nat(n - 1), fc.nat(n - 1), fc.constantFrom(...LABELS, 'u')), { maxLength: 3 * n }) as fc.Arbitrary<Edge[]>,
    initial: fc.array(fc.nat(n - 1), { minLength: 1, maxLength: 2 }),
    fair: fc
      .record({
        a: fc.constantFrom<Strength | undefined>('weak', 'strong', undefined),
        b: fc.constantFrom<Strength | undefined>('weak', 'strong', undefined),
        c: fc.constantFrom<Strength | undefined>('weak', 'strong', undefined),
      })
      .map((r) => Object.fromEntries(Object.entries(r).filter(([, v]) => v !== undefined)) as Record<string, Strength>),
    groups: fc.constantFrom<FairGraph['groups']>({}, { G: { strength: 'weak', members: ['a', 'u'] } }, { G: { strength: 'strong', members: ['b', 'c'] } }),
    p: fc.uniqueArray(fc.nat(n - 1), { maxLength: n }),
    q: fc.uniqueArray(fc.nat(n - 1), { maxLength: n }),
  }),
);

describe('the tableau agrees with the fast paths on random graphs', () => {
  for (const kind of ['always', 'eventually', 'alwaysEventually', 'eventuallyAlways', 'leadsTo'] as const) {
    it(`${kind}`, () => {
      fc.assert(
        fc.property(fairGraph, (g) => {
          const fast = checkFair(g, kind).lasso !== undefined;
          expect(tableau(g, asFormula[kind]).violated).toBe(fast);
        }),
        { numRuns: 300 },
      );
    });
  }

  it('a conjunction of simple forms is violated when one of them is; dual forms agree', () => {
    fc.assert(
      fc.property(fairGraph, fc.constantFrom<Kind>('eventually', 'alwaysEventually', 'eventuallyAlways', 'leadsTo'), fc.constantFrom<Kind>('always', 'eventually', 'alwaysEventually'), (g, k1, k2) => {
        const swapped: FairGraph = { ...g, p: g.q ?? [], q: g.p };
        const v1 = checkFair(g, k1).lasso !== undefined;
        // The second conjunct about Q: the same form on the graph with P and Q swapped.
        const swap = (f: Ltl): Ltl => {
          switch (f.k) {
            case 'atom':
              return { k: 'atom', i: 1 - f.i };
            case 'const':
              return f;
            case 'not':
            case 'always':
            case 'eventually':
              return { k: f.k, a: swap(f.a) };
            case 'and':
            case 'or':
              return { k: f.k, a: swap(f.a), b: swap(f.b) };
          }
        };
        const v2 = checkFair(swapped, k2).lasso !== undefined;
        expect(tableau(g, and(asFormula[k1], swap(asFormula[k2]))).violated).toBe(v1 || v2);
        // not eventually not P is always P; not always not P is eventually P.
        expect(tableau(g, not(F(not(P)))).violated).toBe(checkFair(g, 'always').lasso !== undefined);
        expect(tableau(g, not(G(not(P)))).violated).toBe(checkFair(g, 'eventually').lasso !== undefined);
      }),
      { numRuns: 300 },
    );
  });
});

describe('nested formulas with known answers', () => {
  // 0 -a-> 1 -b-> 2 -c-> 2 (self-loop: a stutter) ; P = {1}, Q = {2}.
  const chain: FairGraph = { edges: [[0, 1, 'a'], [1, 2, 'b']], initial: [0], p: [1], q: [2], fair: { a: 'weak', b: 'weak' } };

  it('a formula outside temporal operators is read in the initial states', () => {
    expect(tableau(chain, P).violated).toBe(true);
    expect(tableau(chain, not(P)).violated).toBe(false);
    // From 1, b is weakly fair: the behaviour goes on to 2 and stops there.
    expect(tableau({ ...chain, initial: [0, 1] }, not(P))).toMatchObject({ violated: true, kind: 'stutter', states: [1, 2] });
  });

  it('P implies eventually Q: only from initial states where P holds', () => {
    expect(tableau(chain, implies(P, F(Q))).violated).toBe(false);
    expect(tableau({ ...chain, fair: {} }, implies(P, F(Q))).violated).toBe(false); // P is false initially
    expect(tableau({ ...chain, initial: [1], fair: {} }, implies(P, F(Q)))).toMatchObject({ violated: true, kind: 'stutter', states: [1] });
  });

  it('always (P implies eventually always Q)', () => {
    const f = G(implies(P, F(G(Q))));
    expect(tableau(chain, f).violated).toBe(false);
    // Add a way back from 2 to 0 (d): the behaviour may leave Q again and again.
    const loop: FairGraph = { ...chain, edges: [...chain.edges, [2, 0, 'd']], fair: { a: 'weak', b: 'weak', d: 'weak' } };
    expect(tableau(loop, f)).toMatchObject({ violated: true, kind: 'cycle' });
    // With d not fair, the behaviour may stop in 2 for good: the cycle is not forced, but still allowed.
    expect(tableau({ ...loop, fair: { a: 'weak', b: 'weak' } }, f)).toMatchObject({ violated: true, kind: 'cycle' });
  });

  it('eventually (P and always not Q) needs a behaviour that stops or cycles in not Q after P', () => {
    const f = F(and(P, G(not(Q))));
    // Without fairness, stopping in 1 satisfies it: the property not F(P and G not Q) fails.
    expect(tableau({ ...chain, fair: {} }, not(f))).toMatchObject({ violated: true, kind: 'stutter', states: [0, 1] });
    expect(tableau(chain, not(f)).violated).toBe(false);
  });

  it('leads-to nested under always eventually', () => {
    // always eventually (P or Q) holds once the chain ends in Q for good.
    expect(tableau(chain, G(F(or(P, Q)))).violated).toBe(false);
    expect(tableau({ ...chain, fair: { a: 'weak' } }, G(F(or(P, Q)))).violated).toBe(false); // stops in 1: P forever
    expect(tableau({ ...chain, fair: {} }, G(F(or(P, Q))))).toMatchObject({ violated: true, kind: 'stutter', states: [0] });
  });
});

describe('the automaton and the lasso evaluator', () => {
  it('builds small automata for the usual formulas', () => {
    for (const f of Object.values(asFormula)) {
      const a = buildAutomaton(not(f));
      expect(a.labels.length).toBeGreaterThan(0);
      expect(a.labels.length).toBeLessThan(8);
      expect(a.initial.length).toBeGreaterThan(0);
    }
    // A contradiction has no accepting run at all: no nodes or no initial node.
    const c = buildAutomaton(and(P, not(P)));
    expect(c.initial).toEqual([]);
  });

  it('evaluates formulas on lassos', () => {
    // States 0..3 with P at 1 only, Q at 3 only; the lasso loops 3 → 2.
    const pAt = new Set([1]);
    const qAt = new Set([3]);
    const atom = (i: number, k: number): boolean => (i === 0 ? pAt : qAt).has(k);
    expect(holdsOnLasso(F(P), 4, 2, atom)).toBe(true);
    expect(holdsOnLasso(G(F(P)), 4, 2, atom)).toBe(false);
    expect(holdsOnLasso(G(F(Q)), 4, 2, atom)).toBe(true);
    expect(holdsOnLasso(F(G(Q)), 4, 2, atom)).toBe(false);
    expect(holdsOnLasso(G(implies(P, F(Q))), 4, 2, atom)).toBe(true);
    expect(holdsOnLasso(P, 4, 2, atom)).toBe(false);
    // A stutter: loop = the last state.
    expect(holdsOnLasso(F(G(Q)), 4, 3, atom)).toBe(true);
  });
});

/**
 * Whether a generalised Büchi automaton accepts the lasso word whose letters are `word` (per
 * position, the truth of atoms 0 and 1), looping from its last letter back to `loop`: a run
 * reachable from an initial node that enters a cycle meeting every acceptance set.
 */
function accepts(a: Automaton, word: readonly (readonly [boolean, boolean])[], loop: number): boolean {
  const m = word.length;
  const Q = a.labels.length;
  const fits = (q: number, k: number): boolean => a.labels[q]!.every((l) => word[k]![l.i as 0 | 1] === l.pos);
  const next = (k: number): number => (k + 1 < m ? k + 1 : loop);
  const succ = (v: number): number[] => {
    const k = Math.floor(v / Q);
    const q = v % Q;
    return a.succ[q]!.filter((r) => fits(r, next(k))).map((r) => next(k) * Q + r);
  };
  const reach = (from: readonly number[]): Set<number> => {
    const seen = new Set<number>();
    const todo = [...from];
    for (let v = todo.pop(); v !== undefined; v = todo.pop()) {
      for (const w of succ(v)) if (!seen.has(w)) (seen.add(w), todo.push(w));
    }
    return seen;
  };
  const starts = a.initial.filter((q) => fits(q, 0));
  const reachable = new Set([...starts, ...reach(starts)]);
  for (const v of reachable) {
    // v on a cycle: the nodes of its component are those it reaches that reach it back.
    const fromV = reach([v]);
    if (!fromV.has(v)) continue;
    const component = [...fromV].filter((w) => reach([w]).has(v));
    if (a.accept.every((set) => component.some((w) => set[w % Q] === 1))) return true;
  }
  return false;
}

const formula: fc.Arbitrary<Ltl> = fc.letrec<{ f: Ltl }>((tie) => ({
  f: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc.constantFrom<Ltl>(P, Q, { k: 'const', v: true }),
    fc.record({ k: fc.constantFrom('not' as const, 'always' as const, 'eventually' as const), a: tie('f') }),
    fc.record({ k: fc.constantFrom('and' as const, 'or' as const), a: tie('f'), b: tie('f') }),
  ),
})).f;
const lassoWord = fc.integer({ min: 1, max: 5 }).chain((m) => fc.tuple(fc.array(fc.tuple(fc.boolean(), fc.boolean()), { minLength: m, maxLength: m }), fc.nat(m - 1)));

describe('the automaton of a formula, against the formula on lassos', () => {
  it('accepts exactly the lasso words on which the formula holds (random formulas nested to any depth)', () => {
    // G F G, F G F and the like included: a node of G ¬p once had a successor without it.
    const nested = [F(G(F(P))), G(F(G(P))), not(F(G(F(P)))), F(and(G(F(P)), G(F(Q)))), G(F(or(P, G(Q))))];
    const words: [(readonly [boolean, boolean])[], number][] = [
      [[[false, false], [true, false], [false, false]], 0],
      [[[true, true], [false, false]], 1],
      [[[false, true], [true, false], [true, true]], 1],
    ];
    for (const f of nested) {
      for (const [w, loop] of words) {
        expect(accepts(buildAutomaton(f), w, loop), `${JSON.stringify(f)} on ${JSON.stringify(w)} from ${loop}`).toBe(holdsOnLasso(f, w.length, loop, (i, k) => w[k]![i as 0 | 1]));
      }
    }
    fc.assert(
      fc.property(formula, fc.array(lassoWord, { minLength: 1, maxLength: 4 }), (f, ws) => {
        const a = buildAutomaton(f);
        for (const [w, loop] of ws) {
          expect(accepts(a, w, loop), `${JSON.stringify(w)} from ${loop}`).toBe(holdsOnLasso(f, w.length, loop, (i, k) => w[k]![i as 0 | 1]));
        }
      }),
      { numRuns: 400 },
    );
  });
});

/**
 * Whether some fair lasso of at most `maxSteps` steps violates f, found by enumerating them:
 * a walk from an initial node (each step an edge to another node, or a stutter) whose last
 * state closes a cycle back to one of its states, fair when no strong unit is enabled on the
 * cycle and never taken there, and no weak unit enabled in every state of it and never taken
 * (a step of a self-loop or a stutter takes no unit, as in the product). An oracle that knows
 * nothing of the automaton: a violation it finds, the tableau must find.
 */
function someFairLassoViolates(g: FairGraph, f: Ltl, maxSteps: number): boolean {
  const P = new Set(g.p);
  const Q = new Set(g.q ?? []);
  const edges = g.edges.map(([a, b, l]) => [a, b, l ?? `${a}->${b}`] as const);
  const strengths = Object.entries(unitStrengths(g));
  const enabled = (n: number): Set<string> => new Set(edges.filter(([a, b]) => a === n && b !== n).flatMap(([, , l]) => unitsOf(g, l)));
  /** From n: [next state, units taken]; a stutter and self-loops take none. */
  const moves = (n: number): [number, string[]][] => [[n, []], ...edges.filter(([a]) => a === n).map(([, b, l]): [number, string[]] => [b, b === n ? [] : unitsOf(g, l)])];
  const states: number[] = [];
  const taken: string[][] = [];
  const violates = (loop: number, closing: string[]): boolean => {
    const cycle = states.slice(loop);
    const took = new Set([...taken.slice(loop).flat(), ...closing]);
    for (const [unit, strength] of strengths) {
      if (took.has(unit)) continue;
      const on = cycle.filter((n) => enabled(n).has(unit)).length;
      if (strength === 'strong' ? on > 0 : on === cycle.length) return false;
    }
    return !holdsOnLasso(f, states.length, loop, (i, k) => (i === 0 ? P : Q).has(states[k]!));
  };
  const walk = (): boolean => {
    const last = states[states.length - 1]!;
    // Close a cycle from the last state back to state `loop`.
    for (const [next, units] of moves(last)) {
      for (let loop = 0; loop < states.length; loop++) if (states[loop] === next && violates(loop, units)) return true;
    }
    if (states.length > maxSteps) return false;
    for (const [next, units] of moves(last)) {
      states.push(next);
      taken.push(units);
      const found = walk();
      states.pop();
      taken.pop();
      if (found) return true;
    }
    return false;
  };
  for (const i of new Set(g.initial)) {
    states.push(i);
    const found = walk();
    states.pop();
    if (found) return true;
  }
  return false;
}

describe('the tableau and the fair lassos that violate a formula', () => {
  it('whenever some lasso of a few steps does, and reports none that does not (random graphs, random formulas nested to any depth)', () => {
    let violations = 0;
    let runs = 0;
    const small: fc.Arbitrary<FairGraph> = fairGraph.filter((g) => new Set(g.edges.flatMap(([a, b]) => [a, b]).concat(g.initial)).size <= 4 && g.edges.length <= 6);
    fc.assert(
      fc.property(small, formula, (g, random) => {
        // A random formula, and nested ones whose automata once had edges they should not.
        for (const f of [random, F(G(F(P))), G(F(G(Q))), F(and(G(F(P)), G(F(Q))))]) {
          runs++;
          const found = someFairLassoViolates(g, f, 4);
          // tableau() checks that what it reports is a fair lasso of the graph violating f.
          const reported = tableau(g, f).violated;
          if (found) expect(reported, JSON.stringify(f)).toBe(true);
          if (found) violations++;
        }
      }),
      { numRuns: 150 },
    );
    // Not vacuous: many of the cases have a violation for the tableau to find.
    expect(violations).toBeGreaterThan(runs / 5);
  });
});

describe('the product of a large graph and automaton, indexed by a hash table', () => {
  it('finds the lassos of the flat index, the same ones', () => {
    fc.assert(
      fc.property(fairGraph, formula, (g, f) => {
        const x = checkFair(g, 'eventually');
        const flat = checkGeneral(x.graph, f, x.strong, x.tagUnits);
        const hashed = checkGeneral(x.graph, f, x.strong, x.tagUnits, 0);
        expect(hashed).toEqual(flat);
      }),
      { numRuns: 300 },
    );
  });
});

describe('the product and the memory budget', () => {
  it('stops before the product with the automaton grows past --max-memory', () => {
    // A ring of 50,000 states where P never holds: G F P's negation F G ¬P has a product of
    // more nodes than states, so its arrays double (by 1.6 MB and more) once at least.
    const n = 50_000;
    const offsets = Int32Array.from({ length: n + 1 }, (_, s) => s);
    const targets = Int32Array.from({ length: n }, (_, s) => (s + 1) % n);
    const graph = { size: n, offsets, targets, tags: new Int32Array(n).fill(-1), parents: Int32Array.from({ length: n }, (_, s) => s - 1), holds: () => false };
    expect(checkGeneral(graph, G(F(P)), []).lasso?.kind).toBe('stutter');
    // A process of 100 MiB (its RSS as the guard reads it, fixed: the test process's own would
    // move with the collector and the other files of its worker) and a budget 1 MiB above it:
    // less than the product's first doubling (3.2 MB).
    const MIB = 1024 * 1024;
    const before = memoryBudget();
    const rss = vi.spyOn(process.memoryUsage, 'rss').mockReturnValue(100 * MIB);
    setMemoryBudget(101 * MIB);
    try {
      expect(() => checkGeneral(graph, G(F(P)), [])).toThrow(AnalysisOverBudget);
      expect(memoryNote()).toMatch(/^the product of a temporal formula with its automaton would take the process from 100 MiB to about 10[2-9] MiB, over --max-memory 101 MiB$/);
    } finally {
      rss.mockRestore();
      setMemoryBudget(before);
    }
    expect(checkGeneral(graph, G(F(P)), []).lasso?.kind).toBe('stutter');
  });
});
