/**
 * src/explore/ltl.ts beyond ltl.test.ts: the limits on the automaton, formulas with constants
 * and tautologies, the check without a tag table, exact lassos on hand-built graphs (cycles,
 * stops, the shortened prefix, strong fairness), and the lasso evaluator on edge cases.
 */
import { describe, expect, it } from 'vitest';
import { AutomatonTooLarge, buildAutomaton, checkGeneral, holdsOnLasso, MAX_AUTOMATON_NODES, type Ltl } from '../../src/explore/ltl.js';
import type { LivenessGraph } from '../../src/explore/liveness.js';
import { csr } from './csr-graph.js';

const P: Ltl = { k: 'atom', i: 0 };
const Q: Ltl = { k: 'atom', i: 1 };
const T: Ltl = { k: 'const', v: true };
const Fa: Ltl = { k: 'const', v: false };
const not = (a: Ltl): Ltl => ({ k: 'not', a });
const and = (a: Ltl, b: Ltl): Ltl => ({ k: 'and', a, b });
const or = (a: Ltl, b: Ltl): Ltl => ({ k: 'or', a, b });
const G = (a: Ltl): Ltl => ({ k: 'always', a });
const F = (a: Ltl): Ltl => ({ k: 'eventually', a });
const atom = (i: number): Ltl => ({ k: 'atom', i });

function statesOf(g: LivenessGraph, l: { start: number; edges: readonly number[] }): number[] {
  return [l.start, ...l.edges.map((e) => g.targets[e]!)];
}

/** Whether the lasso (as states) satisfies f, read on g's predicates. */
function holdsOn(g: LivenessGraph, f: Ltl, l: { kind: string; start: number; edges: readonly number[]; cycle: number }): boolean {
  const st = statesOf(g, l);
  const seq = l.kind === 'cycle' ? st.slice(0, -1) : st;
  const loop = l.kind === 'cycle' ? seq.length - l.cycle : seq.length - 1;
  return holdsOnLasso(f, seq.length, loop, (i, k) => g.holds(seq[k]!, i));
}

describe('the automaton', () => {
  it('refuses a formula whose automaton has more than MAX_AUTOMATON_NODES nodes', () => {
    const conj = (n: number): Ltl => Array.from({ length: n }, (_, i) => F(atom(i))).reduce((a, b) => and(a, b));
    const seven = buildAutomaton(conj(7));
    expect(seven.labels.length).toBeLessThanOrEqual(MAX_AUTOMATON_NODES);
    expect(seven.accept.length).toBe(7);
    expect(() => buildAutomaton(conj(8))).toThrow(AutomatonTooLarge);
    expect(() => buildAutomaton(conj(8))).toThrow(/more than 4096 nodes/);
  });

  it('folds constants: true has one node that loops, false none', () => {
    const t = buildAutomaton(T);
    expect(t.initial.length).toBeGreaterThan(0);
    expect(t.labels.every((l) => l.length === 0)).toBe(true);
    expect(t.accept).toEqual([]);
    for (const f of [Fa, and(P, Fa), and(Fa, P), not(T), G(Fa), F(Fa), and(P, not(P))]) {
      const a = buildAutomaton(f);
      expect(a.initial).toEqual([]);
    }
    // or with true, and with true, always/eventually of true: all the one-node automaton.
    for (const f of [or(P, T), or(T, P), and(T, T), G(T), F(T), not(Fa), or(Fa, T)]) expect(buildAutomaton(f)).toEqual(t);
    // or with false, and with true: the other side.
    expect(buildAutomaton(or(Fa, P))).toEqual(buildAutomaton(P));
    expect(buildAutomaton(or(P, Fa))).toEqual(buildAutomaton(P));
    expect(buildAutomaton(and(T, P))).toEqual(buildAutomaton(P));
    expect(buildAutomaton(and(P, T))).toEqual(buildAutomaton(P));
  });

  it('labels nodes with the literals they need, positive and negative', () => {
    const a = buildAutomaton(and(P, not(Q)));
    expect(a.initial.length).toBe(1);
    const lits = a.labels[a.initial[0]!]!.map((l) => `${l.pos ? '' : '!'}${l.i}`).sort();
    expect(lits).toEqual(['!1', '0']);
    // P or Q: two initial nodes, one per disjunct.
    const o = buildAutomaton(or(P, Q));
    expect(o.initial.length).toBe(2);
    expect(o.initial.map((q) => o.labels[q]!.map((l) => l.i))).toEqual(expect.arrayContaining([[0], [1]]));
  });

  it('an eventually has an acceptance set: the nodes that fulfil it or do not promise it', () => {
    const a = buildAutomaton(F(P));
    expect(a.accept.length).toBe(1);
    const acc = a.accept[0]!;
    // Some node is accepting (P holds there), some is not (P still promised).
    expect([...acc]).toContain(1);
    expect([...acc]).toContain(0);
    for (let q = 0; q < a.labels.length; q++) if (a.labels[q]!.some((l) => l.i === 0 && l.pos)) expect(acc[q]).toBe(1);
    // always P: no acceptance set.
    expect(buildAutomaton(G(P)).accept).toEqual([]);
  });
});

describe('checkGeneral on hand-built graphs', () => {
  it('a tautology is never violated and builds nothing', () => {
    const g = csr(2, [[0, 1, 0]], [0], [[1]]);
    expect(checkGeneral(g, or(P, not(P)), [false])).toEqual({ lasso: undefined, productNodes: 0, automatonNodes: 0 });
    expect(checkGeneral(g, T, [false])).toEqual({ lasso: undefined, productNodes: 0, automatonNodes: 0 });
  });

  it('counts the product and the automaton', () => {
    const g = csr(3, [[0, 1, 0], [1, 2, 0]], [0], [[2]]);
    const r = checkGeneral(g, F(P), [false]);
    expect(r.lasso).toBeUndefined();
    expect(r.automatonNodes).toBe(buildAutomaton(not(F(P))).labels.length);
    // The nodes of the product: the states where not P holds (0 and 1), one automaton node each.
    expect(r.productNodes).toBe(2);
  });

  it('without a tag table, tag t is unit t', () => {
    // 0 <-> 1 (tags 0, 1), 1 -> 2 (tag 2); P = {2}.
    const g = csr(3, [[0, 1, 0], [1, 0, 1], [1, 2, 2]], [0], [[2]]);
    const weak = checkGeneral(g, F(P), [false, false, false]).lasso;
    expect(weak?.kind).toBe('cycle');
    expect(statesOf(g, weak!)).toEqual([0, 1, 0]);
    expect(checkGeneral(g, F(P), [false, false, true]).lasso).toBeUndefined();
    expect(checkGeneral(g, F(P), [false, false, true], [[0], [1], [2]]).lasso).toBeUndefined();
    expect(checkGeneral(g, F(P), [false, false, true], [[0], [1], [0]]).lasso?.kind).toBe('cycle');
  });

  it('a stop: the behaviour stutters in a state where nothing fair is enabled', () => {
    // 0 -> 1 -> 2, only the first step fair; P = {2}: the behaviour may stop in 1.
    const g = csr(3, [[0, 1, 0], [1, 2, -1]], [0], [[2]]);
    const l = checkGeneral(g, F(P), [false]).lasso!;
    expect(l).toEqual({ kind: 'stutter', start: 0, edges: [0], cycle: 0 });
    // Both fair: holds.
    const h = csr(3, [[0, 1, 0], [1, 2, 1]], [0], [[2]]);
    expect(checkGeneral(h, F(P), [false, false]).lasso).toBeUndefined();
    // Nothing fair: stops in the initial state.
    const u = csr(3, [[0, 1, -1], [1, 2, -1]], [0], [[2]]);
    expect(checkGeneral(u, F(P), []).lasso).toEqual({ kind: 'stutter', start: 0, edges: [], cycle: 0 });
  });

  it('a cycle: the lasso closes on the state it loops back to and violates the formula', () => {
    // 0 -> 1 -> 2 -> 1 ; P = {2}; always eventually not P fails? No: G F P holds on the cycle; F G P fails.
    const g = csr(3, [[0, 1, 0], [1, 2, 1], [2, 1, 2]], [0], [[2]]);
    const strong = [false, false, false];
    expect(checkGeneral(g, G(F(P)), strong).lasso).toBeUndefined();
    const l = checkGeneral(g, F(G(P)), strong).lasso!;
    expect(l.kind).toBe('cycle');
    const st = statesOf(g, l);
    expect(st[st.length - 1]).toBe(st[st.length - 1 - l.cycle]);
    expect(holdsOn(g, F(G(P)), l)).toBe(false);
    expect(st).toEqual([0, 1, 2, 1]);
  });

  it('the lasso is cut to the first visit of its cycle when the formula still fails there', () => {
    // A ring 0 -> 1 -> 2 -> 0 (all weak) with P = {1}, Q = {2}: G(P -> F Q) holds; F G not P fails
    // on the ring from the start: the lasso is the ring itself, no detour round it first.
    const g = csr(3, [[0, 1, 0], [1, 2, 1], [2, 0, 2]], [0], [[1], [2]]);
    const strong = [false, false, false];
    expect(checkGeneral(g, G(or(not(P), F(Q))), strong).lasso).toBeUndefined();
    for (const f of [F(G(not(P))), F(G(not(Q))), not(G(F(P))), F(and(P, G(not(Q))))]) {
      const l = checkGeneral(g, f, strong).lasso;
      if (l === undefined) continue;
      expect(l.kind).toBe('cycle');
      expect(l.edges.length).toBe(3);
      expect(l.cycle).toBe(3);
      expect(holdsOn(g, f, l)).toBe(false);
    }
    expect(checkGeneral(g, F(G(not(P))), strong).lasso).toEqual({ kind: 'cycle', start: 0, edges: [0, 1, 2], cycle: 3 });
  });

  it('a stop is cut short too: the first visit of the state it stops in', () => {
    // 0 -> 1 (unfair), 1 -> 0 (unfair): G F P with P = {1} fails by stopping in 0 at once.
    const g = csr(2, [[0, 1, -1], [1, 0, -1]], [0], [[1]]);
    expect(checkGeneral(g, G(F(P)), []).lasso).toEqual({ kind: 'stutter', start: 0, edges: [], cycle: 0 });
    // F(Q) and G F P with Q = {1}: stopping in 0 violates F Q.
    const h = csr(2, [[0, 1, -1], [1, 0, -1]], [0], [[1], [1]]);
    const l = checkGeneral(h, and(F(Q), G(F(P))), []).lasso!;
    expect(l.kind).toBe('stutter');
    expect(holdsOn(h, and(F(Q), G(F(P))), l)).toBe(false);
    expect(statesOf(h, l)).toEqual([0]);
    // P -> G F not P ... with the stop needed in 1 after visiting 0: not cut below it.
    const k = csr(2, [[0, 1, -1], [1, 0, -1]], [0], [[1], [0]]);
    const f = or(not(F(P)), F(and(P, F(Q))));
    const m = checkGeneral(k, f, []).lasso!;
    expect(m.kind).toBe('stutter');
    expect(holdsOn(k, f, m)).toBe(false);
    expect(statesOf(k, m)).toEqual([0, 1]);
  });

  it('strong fairness drops the product nodes where an untaken strong unit is enabled', () => {
    // 0 <-> 1 by units 0, 1; 1 -> 2 by strong unit 2; P = {2}.
    const g = csr(3, [[0, 1, 0], [1, 0, 1], [1, 2, 2]], [0], [[2]]);
    expect(checkGeneral(g, F(P), [false, false, true]).lasso).toBeUndefined();
    // Unit 1 strong too (taken on the cycle): still fair only if unit 2 is weak.
    expect(checkGeneral(g, F(P), [false, true, false]).lasso?.kind).toBe('cycle');
    // A stutter: a lone product node with a stutter self-loop, kept after dropping.
    const s = csr(3, [[0, 1, 0], [1, 0, 1], [0, 2, 2]], [0], [[2]]);
    const l = checkGeneral(s, F(P), [true, true, true]).lasso;
    expect(l).toBeUndefined();
    const w = checkGeneral(s, F(P), [true, true, false]).lasso!;
    expect(w.kind).toBe('cycle');
    expect(holdsOn(s, F(P), w)).toBe(false);
  });

  it('a fair cycle takes every unit taken in its component and visits every acceptance set', () => {
    // Component {0,1,2}: 0 -a-> 1 -b-> 0, 0 -c-> 2 -d-> 0; P = {1}, Q = {2}: G F P and G F Q hold
    // under weak fairness of all; F G(not P or not Q) fails, its cycle visits both 1 and 2.
    const g = csr(3, [[0, 1, 0], [1, 0, 1], [0, 2, 2], [2, 0, 3]], [0], [[1], [2]]);
    const strong = [false, false, false, false];
    const f = not(and(G(F(P)), G(F(Q))));
    const l = checkGeneral(g, f, strong).lasso!;
    expect(l.kind).toBe('cycle');
    const cyc = statesOf(g, l).slice(-l.cycle - 1);
    expect(cyc).toContain(1);
    expect(cyc).toContain(2);
    const tags = new Set(l.edges.slice(-l.cycle).map((e) => g.tags[e]!));
    expect(tags).toEqual(new Set([0, 1, 2, 3]));
  });

  it('reads a formula outside temporal operators in the initial states only', () => {
    const g = csr(3, [[0, 1, 0], [1, 2, 0]], [0], [[1], [2]]);
    expect(checkGeneral(g, not(P), [false]).lasso).toBeUndefined();
    // P fails in the initial state 0; the fair behaviour then goes on to 2 and stops there.
    expect(checkGeneral(g, P, [false]).lasso).toEqual({ kind: 'stutter', start: 0, edges: [0, 1], cycle: 0 });
    const u = csr(3, [[0, 1, -1], [1, 2, -1]], [0], [[1], [2]]);
    for (const f of [P, F(P), and(P, F(Q))]) {
      const l = checkGeneral(u, f, []).lasso!;
      expect(l.kind).toBe('stutter');
      expect(l.start).toBe(0);
      expect(holdsOn(u, f, l)).toBe(false);
    }
    expect(checkGeneral(u, or(P, not(P)), []).lasso).toBeUndefined();
  });
});

describe('holdsOnLasso edge cases', () => {
  const at = (set: number[]) => (i: number, k: number): boolean => i === 0 && set.includes(k);
  it('an empty lasso satisfies everything', () => {
    expect(holdsOnLasso(Fa, 0, 0, at([]))).toBe(true);
  });

  it('constants, and, or', () => {
    expect(holdsOnLasso(T, 2, 1, at([]))).toBe(true);
    expect(holdsOnLasso(Fa, 2, 1, at([]))).toBe(false);
    expect(holdsOnLasso(and(P, T), 2, 1, at([0]))).toBe(true);
    expect(holdsOnLasso(and(P, Fa), 2, 1, at([0]))).toBe(false);
    expect(holdsOnLasso(and(T, P), 2, 1, at([1]))).toBe(false);
    expect(holdsOnLasso(or(P, Fa), 2, 1, at([1]))).toBe(false);
    expect(holdsOnLasso(or(Fa, P), 2, 1, at([0]))).toBe(true);
    expect(holdsOnLasso(or(P, T), 2, 1, at([]))).toBe(true);
  });

  it('always and eventually over the prefix and the cycle', () => {
    // States 0 1 2 3, loop back to 2.
    expect(holdsOnLasso(G(P), 4, 2, at([0, 1, 2, 3]))).toBe(true);
    expect(holdsOnLasso(G(P), 4, 2, at([0, 2, 3]))).toBe(false);
    expect(holdsOnLasso(G(P), 4, 2, at([0, 1, 2]))).toBe(false);
    expect(holdsOnLasso(F(P), 4, 2, at([1]))).toBe(true);
    expect(holdsOnLasso(F(P), 4, 2, at([]))).toBe(false);
    expect(holdsOnLasso(F(P), 4, 2, at([3]))).toBe(true);
    expect(holdsOnLasso(F(G(P)), 4, 2, at([2, 3]))).toBe(true);
    expect(holdsOnLasso(F(G(P)), 4, 2, at([0, 1, 3]))).toBe(false);
    expect(holdsOnLasso(G(F(P)), 4, 2, at([0, 1]))).toBe(false);
    expect(holdsOnLasso(G(F(P)), 4, 2, at([3]))).toBe(true);
    // A nested formula read from a later state: G(P -> F not P) with P on the prefix only.
    expect(holdsOnLasso(G(or(not(P), F(not(P)))), 4, 2, at([0, 1]))).toBe(true);
    expect(holdsOnLasso(G(or(not(P), F(not(P)))), 4, 2, at([2, 3]))).toBe(false);
    // Loop at the first state.
    expect(holdsOnLasso(G(F(P)), 3, 0, at([1]))).toBe(true);
    expect(holdsOnLasso(F(G(P)), 3, 0, at([1, 2]))).toBe(false);
  });
});

describe('the fair cycle visits a state where an untaken weak unit is disabled', () => {
  it('goes out of its way to the one state of the component where the unit is not enabled', () => {
    // 0 -> 1 by unit 3; in the component {1, 2, 3}: 1 -> 2 and 1 -> 3 by unit 0, 2 -> 1 and 3 -> 1 by
    // unit 1; unit 2 leaves it for 4 (where P holds) from 1 and 2, not from 3. F P fails under
    // weak fairness of every unit only on a cycle that passes through 3.
    const g = csr(5, [[0, 1, 3], [1, 2, 0], [1, 3, 0], [1, 4, 2], [2, 1, 1], [2, 4, 2], [3, 1, 1], [4, 4, -1]], [0], [[4]]);
    const l = checkGeneral(g, F(P), [false, false, false, false]).lasso!;
    expect(l.kind).toBe('cycle');
    expect(holdsOn(g, F(P), l)).toBe(false);
    const cyc = statesOf(g, l).slice(-l.cycle - 1);
    expect(cyc).toContain(3);
    expect(cyc).not.toContain(4);
    expect(new Set(l.edges.slice(-l.cycle).map((e) => g.tags[e]!))).toEqual(new Set([0, 1]));
    // Tag 2 of no unit: nothing asks for 3, the cycle is 1 -> 2 -> 1.
    const u = checkGeneral(g, F(P), [false, false, false, false], [[0], [1], [], [3]]).lasso!;
    expect(u.kind).toBe('cycle');
    expect(statesOf(g, u).slice(-u.cycle - 1)).toEqual([1, 2, 1]);
  });

  it('goes out of its way to an acceptance set once every unit is taken', () => {
    // 0 -> 1 by unit 3; 1 -> 2 and 1 -> 3 by unit 0, 2 -> 1 and 3 -> 1 by unit 1; Q holds in
    // 3 only. F G not Q fails on a cycle through 3; 1 -> 2 -> 1 takes every unit but never Q.
    const g = csr(4, [[0, 1, 3], [1, 2, 0], [1, 3, 0], [2, 1, 1], [3, 1, 1]], [0], [[], [3]]);
    const f = F(G(not(Q)));
    const l = checkGeneral(g, f, [false, false, false, false]).lasso!;
    expect(l.kind).toBe('cycle');
    expect(holdsOn(g, f, l)).toBe(false);
    expect(statesOf(g, l).slice(-l.cycle - 1)).toContain(3);
  });
});
