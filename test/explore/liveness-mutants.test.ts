/**
 * src/explore/liveness.ts on hand-built graphs in CSR form (no explorer): the checker without
 * a tag table, stuttering states, the exact lassos of small cases (prefix, cycle, kind),
 * strong fairness that leaves a smaller component, and Tarjan's components with and without
 * self-loops.
 */
import { describe, expect, it } from 'vitest';
import { LivenessChecker, Tarjan, untakenStrongUnits, type LivenessGraph } from '../../src/explore/liveness.js';
import { csr } from './csr-graph.js';

/** The lasso as states: start, then the targets of its edges. */
function statesOf(g: LivenessGraph, l: { start: number; edges: readonly number[] }): number[] {
  return [l.start, ...l.edges.map((e) => g.targets[e]!)];
}

describe('LivenessChecker on hand-built graphs', () => {
  it('without a tag table, tag t is unit t', () => {
    // 0 -> 1 -> 0 (tags 0, 1), 1 -> 2 (tag 2); P = {2}.
    const g = csr(3, [[0, 1, 0], [1, 0, 1], [1, 2, 2]], [0], [[2]]);
    // Unit 2 weakly fair: enabled only in 1, the cycle 0,1 is fair.
    const weak = new LivenessChecker(g, [false, false, false]).check({ kind: 'eventually', p: 0 });
    expect(weak?.kind).toBe('cycle');
    expect(statesOf(g, weak!)).toEqual([0, 1, 0]);
    expect(weak!.cycle).toBe(2);
    // Unit 2 strongly fair: enabled infinitely often on the cycle, so P is reached.
    expect(new LivenessChecker(g, [false, false, true]).check({ kind: 'eventually', p: 0 })).toBeUndefined();
    // The same with an explicit table where tag 2 is units 0 and 2.
    expect(new LivenessChecker(g, [false, false, true], [[0], [1], [0, 2]]).check({ kind: 'eventually', p: 0 })).toBeUndefined();
    // A table where tag 2 belongs to a weak unit only: back to the fair cycle.
    expect(new LivenessChecker(g, [false, false, true], [[0], [1], [0]]).check({ kind: 'eventually', p: 0 })?.kind).toBe('cycle');
  });

  it('stuttering is fair where no fair unit is enabled (self-loops and untagged edges do not count)', () => {
    const g = csr(4, [[0, 0, 0], [0, 1, -1], [1, 2, 0], [2, 3, -1]], [0], [[]]);
    const c = new LivenessChecker(g, [false]);
    expect([0, 1, 2, 3].map((s) => c.canStutter(s))).toEqual([true, false, true, true]);
  });

  it('always P: the first state (breadth-first) where P fails, as a finite lasso', () => {
    const g = csr(4, [[0, 1, -1], [0, 2, -1], [2, 3, -1]], [0], [[0, 1]]);
    expect(new LivenessChecker(g, []).check({ kind: 'always', p: 0 })).toEqual({ kind: 'finite', start: 2, edges: [], cycle: 0 });
    const ok = csr(2, [[0, 1, -1]], [0], [[0, 1]]);
    expect(new LivenessChecker(ok, []).check({ kind: 'always', p: 0 })).toBeUndefined();
  });

  it('eventually P: the shortest prefix from an initial state to a fair end outside P', () => {
    // 0 -> 1 -> 2 -> 3 -> 2 (all weakly fair, one unit each); P = {}: the cycle 2,3 violates.
    const g = csr(4, [[0, 1, 0], [1, 2, 1], [2, 3, 2], [3, 2, 3]], [0], [[]]);
    const l = new LivenessChecker(g, [false, false, false, false]).check({ kind: 'eventually', p: 0 })!;
    expect(l.kind).toBe('cycle');
    expect(l.start).toBe(0);
    expect(statesOf(g, l)).toEqual([0, 1, 2, 3, 2]);
    expect(l.cycle).toBe(2);
    // With P = {0} the initial state satisfies it: holds.
    const p0 = csr(4, [[0, 1, 0], [1, 2, 1], [2, 3, 2], [3, 2, 3]], [0], [[0]]);
    expect(new LivenessChecker(p0, [false, false, false, false]).check({ kind: 'eventually', p: 0 })).toBeUndefined();
    // Two initial states: the start is the one the nearest end is reached from.
    const two = csr(4, [[0, 2, 0], [1, 3, 0]], [0, 1], [[2]]);
    const t = new LivenessChecker(two, [false]).check({ kind: 'eventually', p: 0 })!;
    expect(t).toEqual({ kind: 'stutter', start: 1, edges: [1], cycle: 0 });
  });

  it('always eventually P: a fair cycle outside P anywhere; eventually always P: a cycle through a ¬P state', () => {
    // 0 -> 1 -> 2 -> 1, and 2 -> 3 -> 3; P = {2, 3}. Weak fairness of every unit.
    const g = csr(4, [[0, 1, 0], [1, 2, 1], [2, 1, 2], [2, 3, 3]], [0], [[2, 3]]);
    const strong = [false, false, false, false];
    // The only ¬P end would be 0 or 1, which must move on (weakly fair units enabled): holds.
    expect(new LivenessChecker(g, strong).check({ kind: 'alwaysEventually', p: 0 })).toBeUndefined();
    // The cycle 1,2 visits ¬P state 1 forever: eventually always P fails, the cycle from 1.
    const ea = new LivenessChecker(g, strong).check({ kind: 'eventuallyAlways', p: 0 })!;
    expect(ea.kind).toBe('cycle');
    expect(ea.start).toBe(1);
    expect(statesOf(g, ea)).toEqual([1, 2, 1]);
    // P = {} : the end nearest an initial state is 0 itself? No: 0 must move on; state 1 is on a fair cycle.
    const none = csr(4, [[0, 1, 0], [1, 2, 1], [2, 1, 2], [2, 3, 3]], [0], [[]]);
    const ae = new LivenessChecker(none, strong).check({ kind: 'alwaysEventually', p: 0 })!;
    expect(ae.start).toBe(1);
    expect(ae.kind).toBe('cycle');
    // 3 stutters forever (its self-loop is a stutter, nothing fair enabled): eventually always P
    // with P = {} ends there too, but state 1's cycle comes first (BFS order).
    expect(new LivenessChecker(none, strong).check({ kind: 'eventuallyAlways', p: 0 })!.start).toBe(1);
  });

  it('leads-to: from a P state, a fair end avoiding Q', () => {
    // 0 -> 1 -> 2 -> 1 ; P = {1}, Q = {3}; weakly fair: 1,2 cycle avoids Q.
    const g = csr(4, [[0, 1, 0], [1, 2, 1], [2, 1, 2], [2, 3, -1]], [0], [[1], [3]]);
    const l = new LivenessChecker(g, [false, false, false]).check({ kind: 'leadsTo', p: 0, q: 1 })!;
    expect(l.kind).toBe('cycle');
    expect(l.start).toBe(1);
    expect(statesOf(g, l)).toEqual([1, 2, 1]);
    // Q = {1}: every P state is a Q state.
    const q1 = csr(4, [[0, 1, 0], [1, 2, 1], [2, 1, 2], [2, 3, -1]], [0], [[1], [1]]);
    expect(new LivenessChecker(q1, [false, false, false]).check({ kind: 'leadsTo', p: 0, q: 1 })).toBeUndefined();
  });

  it('strong fairness drops the states where an untaken unit is enabled and keeps a two-state cycle', () => {
    // 0 <-> 1 <-> 2 (tags 0: 0->1, 1: 1->0, 2: 1->2, 3: 2->1), 2 -> 3 by strong unit 4; P = {3}.
    // In the SCC {0,1,2} unit 4 is enabled (in 2) and never taken: 2 is dropped; {0,1} is a fair cycle.
    // (2's step by the strong unit comes first among its steps: the check of 1 must stop at 1's own.)
    const g = csr(4, [[0, 1, 0], [1, 0, 1], [1, 2, 2], [2, 3, 4], [2, 1, 3]], [0], [[3]]);
    const l = new LivenessChecker(g, [false, false, false, false, true]).check({ kind: 'eventually', p: 0 })!;
    expect(l.kind).toBe('cycle');
    expect(statesOf(g, l)).toEqual([0, 1, 0]);
    // Unit 1 (1 -> 0) strong as well and unit 2 weak: still fair, 1 -> 0 is taken.
    expect(new LivenessChecker(g, [false, true, false, false, true]).check({ kind: 'eventually', p: 0 })?.kind).toBe('cycle');
    // Unit 2 (1 -> 2) strong too: enabled in 1, never taken inside {0,1}: 1 goes, nothing cycles.
    expect(new LivenessChecker(g, [false, false, true, false, true]).check({ kind: 'eventually', p: 0 })).toBeUndefined();
  });

  it('a fair cycle takes every unit taken inside its component, and visits a state where each weak unit left untaken is disabled', () => {
    // Component {0, 1, 2}: 0 -a-> 1 -b-> 0, 0 -c-> 2 -d-> 0; e from 1 to 3 (weak, enabled in 1 only).
    const g = csr(4, [[0, 1, 0], [1, 0, 1], [0, 2, 2], [2, 0, 3], [1, 3, 4]], [0], [[3]]);
    const l = new LivenessChecker(g, [false, false, false, false, false]).check({ kind: 'eventually', p: 0 })!;
    expect(l.kind).toBe('cycle');
    const cyc = l.edges.slice(l.edges.length - l.cycle);
    const tagsTaken = new Set(cyc.map((e) => g.tags[e]!));
    expect(tagsTaken).toEqual(new Set([0, 1, 2, 3]));
    const st = statesOf(g, l);
    expect(st[st.length - 1]).toBe(st[st.length - 1 - l.cycle]);
  });

  it('a Büchi end: eventually always P with the only ¬P state on a cycle through P states', () => {
    // 0 -> 1 -> 2 -> 0, P = {0, 1}: the cycle must visit 2.
    const g = csr(3, [[0, 1, 0], [1, 2, 1], [2, 0, 2]], [0], [[0, 1]]);
    const l = new LivenessChecker(g, [false, false, false]).check({ kind: 'eventuallyAlways', p: 0 })!;
    expect(l.kind).toBe('cycle');
    expect(statesOf(g, l)).toContain(2);
    expect(l.cycle).toBe(3);
    // P everywhere: holds.
    const all = csr(3, [[0, 1, 0], [1, 2, 1], [2, 0, 2]], [0], [[0, 1, 2]]);
    expect(new LivenessChecker(all, [false, false, false]).check({ kind: 'eventuallyAlways', p: 0 })).toBeUndefined();
  });
});

describe('LivenessChecker: fairness details', () => {
  const weak = (n: number): boolean[] => new Array<boolean>(n).fill(false);

  it('a self-loop of a unit neither takes it nor enables it', () => {
    // {0, 1} by a (0 -> 1) and b (1 -> 0); c leaves both to 2 and loops on 1: c is enabled in
    // every state of {0, 1} and taken by no real step: weak fairness forces it, P = {2} holds.
    const g = csr(3, [[0, 1, 0], [1, 0, 1], [0, 2, 2], [1, 2, 2], [1, 1, 2]], [0], [[2]]);
    expect(new LivenessChecker(g, weak(3)).check({ kind: 'eventually', p: 0 })).toBeUndefined();
  });

  it('a self-loop of a strong unit does not drop its state', () => {
    // {0, 1, 2}: 0 -a-> 1 -b-> 0, 1 -d-> 2 -e-> 1; strong s from 2 to 3 and on 0 itself.
    // 2 is dropped (s enabled there, never taken); {0, 1} remains a fair cycle avoiding P = {3}.
    const g = csr(4, [[0, 1, 0], [1, 0, 1], [1, 2, 2], [2, 1, 3], [2, 3, 4], [0, 0, 4]], [0], [[3]]);
    const l = new LivenessChecker(g, [false, false, false, false, true]).check({ kind: 'eventually', p: 0 })!;
    expect(l.kind).toBe('cycle');
    expect(statesOf(g, l)).toEqual([0, 1, 0]);
  });

  it('tag 0 counts like any other: a weak unit of tag 0 forces its step, a strong one drops its states', () => {
    // {0, 1} by a, b (tags 1, 2); c (tag 0) from both to 2 = P: weakly fair, it forces P.
    const g = csr(3, [[0, 1, 1], [1, 0, 2], [0, 2, 0], [1, 2, 0]], [0], [[2]]);
    expect(new LivenessChecker(g, weak(3)).check({ kind: 'eventually', p: 0 })).toBeUndefined();
    // {0, 1, 2} by tags 1..4; strong s (tag 0) from 2 to 3 = P: 2 goes, {0, 1} cycles.
    const h = csr(4, [[0, 1, 1], [1, 0, 2], [1, 2, 3], [2, 3, 0], [2, 1, 4]], [0], [[3]]);
    const l = new LivenessChecker(h, [true, false, false, false, false]).check({ kind: 'eventually', p: 0 })!;
    expect(statesOf(h, l)).toEqual([0, 1, 0]);
  });

  it('a unit enabled by two steps of a state counts once for that state', () => {
    // {0, 1} by a, b; c from 0 to 2 and to 3, and from 1 to 2: enabled in both states, never
    // taken inside: weakly fair, it forces P = {2, 3}.
    const g = csr(4, [[0, 1, 0], [1, 0, 1], [0, 2, 2], [0, 3, 2], [1, 2, 2]], [0], [[2, 3]]);
    expect(new LivenessChecker(g, weak(3)).check({ kind: 'eventually', p: 0 })).toBeUndefined();
  });

  it('every fair component counts, not only the first one found', () => {
    // Two fair cycles, {0, 1} then {2, 3} downstream; P = {}: the violation starts at once in 0.
    const g = csr(4, [[0, 1, 0], [1, 0, 1], [1, 2, 2], [2, 3, 3], [3, 2, 4]], [0], [[]]);
    const l = new LivenessChecker(g, weak(5)).check({ kind: 'eventually', p: 0 })!;
    expect(l.kind).toBe('cycle');
    expect(statesOf(g, l)).toEqual([0, 1, 0]);
    // Any state may start always eventually: the first end, state 0.
    const a = new LivenessChecker(g, weak(5)).check({ kind: 'alwaysEventually', p: 0 })!;
    expect(a.start).toBe(0);
    expect(statesOf(g, a)).toEqual([0, 1, 0]);
  });

  it('the cycle visits a state where a weak unit left untaken is disabled', () => {
    // {0, 1, 2} all by a (tag 1); c (tag 0) from 0 and 1 to 3 (P): 0 -> 1 -> 0 alone would keep c enabled for
    // ever; a fair cycle goes through 2.
    const g = csr(4, [[0, 1, 1], [1, 0, 1], [1, 2, 1], [2, 0, 1], [0, 3, 0], [1, 3, 0]], [0], [[3]]);
    const l = new LivenessChecker(g, weak(2)).check({ kind: 'eventually', p: 0 })!;
    expect(l.kind).toBe('cycle');
    const st = statesOf(g, l);
    expect(st.slice(-l.cycle - 1)).toContain(2);
    expect(st[st.length - 1]).toBe(st[st.length - 1 - l.cycle]);
  });

  it('the cycle stays inside its component when a step out takes a unit it needs', () => {
    // 0 -a-> 3 (out, P) listed first, 0 -b-> 1, 1 -a-> 0: the cycle takes a by 1 -> 0.
    const g = csr(4, [[0, 3, 0], [0, 1, 1], [1, 0, 0]], [0], [[3]]);
    const l = new LivenessChecker(g, [false, true]).check({ kind: 'eventually', p: 0 });
    // a is enabled in both states and taken inside: fair; b strong, taken: fair.
    expect(l?.kind).toBe('cycle');
    expect(statesOf(g, l!)).toEqual([0, 1, 0]);
  });
});

describe('LivenessChecker: stamps', () => {
  it('starts its stamps again before they pass what an Int32Array holds, with the same answers', () => {
    // 0 -> 1 -> 0 by weak units 0 and 1, 1 -> 2 by weak unit 2 (enabled in 1 only); P = {2}:
    // the cycle 0, 1 is fair, so `eventually P` fails with a lasso.
    const g = csr(3, [[0, 1, 0], [1, 0, 1], [1, 2, 2]], [0], [[2]]);
    const answers = (checker: LivenessChecker): unknown[] =>
      (['eventually', 'alwaysEventually', 'eventuallyAlways', 'leadsTo'] as const).map((kind) => checker.check({ kind, p: 0, q: 0 }) ?? 'holds');
    const fresh = answers(new LivenessChecker(g, [false, false, false]));
    expect(fresh[0]).toMatchObject({ kind: 'cycle' });
    const late = new LivenessChecker(g, [false, false, false]);
    // A checker that has given 2^31 - 3 stamps already (millions of queries on a large graph):
    // the next ones would wrap to negative numbers in the marks.
    (late as unknown as { gen: number }).gen = 2 ** 31 - 3;
    expect(answers(late)).toEqual(fresh);
    expect((late as unknown as { gen: number }).gen).toBeLessThan(1000);
  });
});

describe('untakenStrongUnits', () => {
  it('returns undefined for a weak unit enabled everywhere and untaken; the untaken strong units otherwise; resets the counts', () => {
    const count = Int32Array.from([2, 1, 2, 2]);
    const taken = Int32Array.from([0, 0, 7, 0]);
    expect(untakenStrongUnits([0, 1, 2], count, taken, [false, true, false], 7, 2)).toBeUndefined();
    expect([...count]).toEqual([0, 0, 0, 2]);
    const c2 = Int32Array.from([1, 1, 2]);
    expect(untakenStrongUnits([0, 1, 2], c2, Int32Array.from([0, 0, 7]), [false, true, false], 7, 2)).toEqual([1]);
    expect([...c2]).toEqual([0, 0, 0]);
    // A strong unit taken inside is fine.
    expect(untakenStrongUnits([1], Int32Array.from([0, 2]), Int32Array.from([0, 7]), [false, true], 7, 2)).toEqual([]);
  });
});

describe('Tarjan', () => {
  const g = csr(5, [[0, 1, -1], [1, 0, -1], [2, 2, -1], [3, 4, -1], [1, 2, -1]], [0, 3], [[]]);
  const all = (n: number): Int32Array => Int32Array.from({ length: n }, (_, i) => i);

  it('reports components of two nodes or more; a lone node with a self-loop only with selfLoops', () => {
    const sort = (cs: Int32Array[]): number[][] => cs.map((c) => [...c]).sort((a, b) => a[0]! - b[0]!);
    expect(sort(new Tarjan(5).run(g, all(5), new Int32Array(5).fill(1), 1))).toEqual([[0, 1]]);
    expect(sort(new Tarjan(5, true).run(g, all(5), new Int32Array(5).fill(1), 1))).toEqual([[0, 1], [2]]);
  });

  it('lists each component in increasing order, and leaves the marks of the nodes it visited negative', () => {
    // 4 -> 2 -> 0 -> 3 -> 4 (one component, found from 4 in the order 4, 2, 0, 3); 1 -> 1 alone.
    const h = csr(5, [[0, 3, -1], [1, 1, -1], [2, 0, -1], [3, 4, -1], [4, 2, -1]], [4], [[]]);
    const mark = Int32Array.from([5, 5, 5, 5, 5]);
    expect(new Tarjan(5).run(h, Int32Array.from([4, 1]), mark, 5).map((c) => [...c])).toEqual([[0, 2, 3, 4]]);
    expect([...mark].every((m) => m < 0)).toBe(true);
    // The same marks again: nothing left to visit.
    expect(new Tarjan(5).run(h, all(5), mark, 5)).toEqual([]);
  });

  it('keeps a component whole whose nodes are visited in an order that crosses back and forth', () => {
    // Two cycles joined by one edge each way, entered at the middle, and a tail out of each:
    // 0 <-> 1, 1 -> 2 -> 3 -> 1, 3 -> 4 (no way back), 2 -> 5 -> 6 -> 5.
    const h = csr(7, [[0, 1, -1], [1, 0, -1], [1, 2, -1], [2, 3, -1], [2, 5, -1], [3, 1, -1], [3, 4, -1], [5, 6, -1], [6, 5, -1]], [2], [[]]);
    const out = new Tarjan(7).run(h, Int32Array.from([2, 0, 1, 3, 4, 5, 6]), new Int32Array(7).fill(9), 9).map((c) => [...c]);
    expect(out.sort((a, b) => a[0]! - b[0]!)).toEqual([[0, 1, 2, 3], [5, 6]]);
  });

  it('only follows marked nodes', () => {
    const mark = Int32Array.from([1, 0, 1, 1, 1]);
    expect(new Tarjan(5, true).run(g, Int32Array.from([0, 2, 3, 4]), mark, 1).map((c) => [...c])).toEqual([[2]]);
  });

  it('finds the components a reachability closure finds, on random graphs and random subgraphs', () => {
    let seed = 12345;
    const rand = (k: number): number => {
      seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
      return (seed >>> 8) % k;
    };
    let compared = 0;
    for (let round = 0; round < 300; round++) {
      const n = 1 + rand(40);
      const edges: [number, number, number][] = [];
      const m = rand(3 * n + 1);
      for (let k = 0; k < m; k++) edges.push([rand(n), rand(n), -1]);
      const h = csr(n, edges, [0], [[]]);
      const member = Array.from({ length: n }, () => rand(4) !== 0);
      const nodes = Int32Array.from(Array.from({ length: n }, (_, i) => i).filter((i) => member[i]));
      for (const selfLoops of [false, true]) {
        const mark = Int32Array.from(member.map((x) => (x ? 7 : 3)));
        const got = new Tarjan(n, selfLoops).run(h, nodes, mark, 7).map((c) => [...c].join(',')).sort();
        // Reference: x and y share a component when each reaches the other inside the subgraph.
        const reach = member.map((x, i) => {
          const seen = new Set<number>();
          const todo = x ? [i] : [];
          while (todo.length > 0) {
            const v = todo.pop()!;
            for (let e = h.offsets[v]!; e < h.offsets[v + 1]!; e++) {
              const w = h.targets[e]!;
              if (member[w] && !seen.has(w)) {
                seen.add(w);
                todo.push(w);
              }
            }
          }
          return seen;
        });
        const want = new Set<string>();
        for (const i of nodes) {
          const comp = [...nodes].filter((j) => j === i || (reach[i]!.has(j) && reach[j]!.has(i)));
          if (comp.length >= 2 || (selfLoops && reach[i]!.has(i))) want.add(comp.join(','));
        }
        expect(got).toEqual([...want].sort());
        compared++;
      }
    }
    expect(compared).toBe(600);
  });

  it('finds a component entered from a node outside it, and nested cycles as one', () => {
    // 0 -> 1 -> 2 -> 3 -> 1, 3 -> 2 ; 4 -> 0.
    const h = csr(5, [[0, 1, -1], [1, 2, -1], [2, 3, -1], [3, 1, -1], [3, 2, -1], [4, 0, -1]], [4], [[]]);
    const mark = new Int32Array(5).fill(3);
    const out = new Tarjan(5).run(h, Int32Array.from([4, 0, 1, 2, 3]), mark, 3);
    expect(out.map((c) => [...c])).toEqual([[1, 2, 3]]);
  });
});

describe("the fair cycle's construction ignores self-loops", () => {
  const weak = (n: number): boolean[] => new Array<boolean>(n).fill(false);
  it('a unit whose only step in the component is a self-loop is not an obligation', () => {
    // {0, 1} by a (0 -> 1) and b (1 -> 0); c only loops on 1: never enabled, nothing to take.
    const g = csr(2, [[0, 1, 0], [1, 0, 1], [1, 1, 2]], [0], [[]]);
    const l = new LivenessChecker(g, weak(3)).check({ kind: 'eventually', p: 0 })!;
    expect(l.kind).toBe('cycle');
    expect(statesOf(g, l)).toEqual([0, 1, 0]);
  });

  it('a state where a unit only loops is one where it is disabled', () => {
    // {0, 1, 2} all by a; c leaves 0 and 1 for 3 (P) and loops on 2: a fair cycle goes
    // through 2, where c is disabled.
    const g = csr(4, [[0, 1, 0], [0, 3, 1], [1, 0, 0], [1, 2, 0], [1, 3, 1], [2, 0, 0], [2, 2, 1]], [0], [[3]]);
    const l = new LivenessChecker(g, weak(2)).check({ kind: 'eventually', p: 0 })!;
    expect(l.kind).toBe('cycle');
    expect(statesOf(g, l)).toEqual([0, 1, 2, 0]);
  });

  it('a self-loop does not take a unit: the cycle takes it by a real step', () => {
    // 0 loops by a (listed first) and goes to 1 by a; 1 -> 0 by b.
    const g = csr(2, [[0, 0, 0], [0, 1, 0], [1, 0, 1]], [0], [[]]);
    const l = new LivenessChecker(g, weak(2)).check({ kind: 'eventually', p: 0 })!;
    expect(l.kind).toBe('cycle');
    expect(statesOf(g, l)).toEqual([0, 1, 0]);
    expect(l.cycle).toBe(2);
  });
});
