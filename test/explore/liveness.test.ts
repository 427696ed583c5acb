import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { explore } from '../../src/explore/index.js';
import { checkFair, lassoProblems, oracleViolated, type FairGraph, type Strength } from './fair-graph.js';
import { graphModel, type Edge } from './graph-model.js';

type Kind = Parameters<typeof checkFair>[1];

/** Runs the checker and, when it finds a violation, validates the lasso. */
function verdict(spec: FairGraph, kind: Kind): { violated: boolean; kind?: string; states: number[]; labels: string[] } {
  const x = checkFair(spec, kind);
  if (x.lasso) expect(lassoProblems(spec, kind, x)).toEqual([]);
  return { violated: x.lasso !== undefined, kind: x.lasso?.kind, states: x.states, labels: x.labels };
}

describe('liveness on hand-made graphs', () => {
  // 0 -a-> 1 -b-> 2 -c-> 0 ; P = {2}
  const ring: FairGraph = { edges: [[0, 1, 'a'], [1, 2, 'b'], [2, 0, 'c']], initial: [0], p: [2] };

  it('without fairness, eventually P fails by stuttering in the initial state', () => {
    const v = verdict(ring, 'eventually');
    expect(v).toMatchObject({ violated: true, kind: 'stutter', states: [0] });
  });

  it('with weak fairness of every step, the ring reaches P', () => {
    const fair = { ...ring, fair: { a: 'weak', b: 'weak', c: 'weak' } as Record<string, Strength> };
    expect(verdict(fair, 'eventually').violated).toBe(false);
    expect(verdict(fair, 'alwaysEventually').violated).toBe(false);
    // P is left again and again: eventually always P fails, with a cycle.
    expect(verdict(fair, 'eventuallyAlways')).toMatchObject({ violated: true, kind: 'cycle' });
  });

  it('stutters where the only fair step is disabled, not where it is enabled', () => {
    // b is not fair: the behaviour may stop in 1.
    const partly = { ...ring, fair: { a: 'weak', c: 'weak' } as Record<string, Strength> };
    expect(verdict(partly, 'eventually')).toMatchObject({ violated: true, kind: 'stutter', states: [0, 1] });
  });

  it('a self-loop is a stutter: it neither enables nor fulfils a fair unit', () => {
    // 0 -a-> 0 (self-loop), 0 -b-> 1. With b weakly fair the behaviour cannot loop on a forever.
    const g: FairGraph = { edges: [[0, 0, 'a'], [0, 1, 'b']], initial: [0], p: [1], fair: { a: 'weak', b: 'weak' } };
    expect(verdict(g, 'eventually').violated).toBe(false);
    // Only a fair: looping on a is stuttering, and stuttering in 0 is fair (b is not fair, a is a self-loop).
    const h: FairGraph = { ...g, fair: { a: 'weak' } };
    expect(verdict(h, 'eventually')).toMatchObject({ violated: true, kind: 'stutter', states: [0] });
  });

  it('a deadlock state stutters forever whatever the fairness', () => {
    const g: FairGraph = { edges: [[0, 1, 'a']], initial: [0], p: [2], fair: { a: 'strong' } };
    expect(verdict(g, 'eventually')).toMatchObject({ violated: true, kind: 'stutter', states: [0, 1] });
  });

  it('an unfair cycle does not count; a fair one does', () => {
    // 0 <-> 1 by a, b; from 1, c leads to 2 (= P). Weak fairness of c: c is enabled only in 1,
    // so the cycle 0,1,0,1 is weakly fair (c not always enabled): P can be avoided.
    const g: FairGraph = {
      edges: [[0, 1, 'a'], [1, 0, 'b'], [1, 2, 'c'], [2, 2, 'd']],
      initial: [0],
      p: [2],
      fair: { a: 'weak', b: 'weak', c: 'weak' },
    };
    const weak = verdict(g, 'eventually');
    expect(weak).toMatchObject({ violated: true, kind: 'cycle' });
    expect(weak.labels).toContain('a');
    // Strong fairness of c: enabled infinitely often, so it must be taken: P is reached.
    expect(verdict({ ...g, fair: { a: 'weak', b: 'weak', c: 'strong' } }, 'eventually').violated).toBe(false);
  });

  it('weak fairness forces a step enabled all along the cycle', () => {
    // 0 <-> 1 by a, b, and c leads from both 0 and 1 to 2: c is enabled everywhere on the cycle.
    const g: FairGraph = {
      edges: [[0, 1, 'a'], [1, 0, 'b'], [0, 2, 'c'], [1, 2, 'c']],
      initial: [0],
      p: [2],
      fair: { a: 'weak', b: 'weak', c: 'weak' },
    };
    expect(verdict(g, 'eventually').violated).toBe(false);
    expect(verdict({ ...g, fair: { a: 'weak', b: 'weak' } }, 'eventually')).toMatchObject({ violated: true, kind: 'cycle' });
  });

  it('refines SCCs for strong fairness: a sub-cycle avoiding the enabled states survives', () => {
    // SCC {0, 1, 2}: 0 <-> 1 by a/b, 1 <-> 2 by e/f; s (strong) leads from 2 out to 3 (= P).
    // The SCC has no s edge inside, so the states where s is enabled (2) go; {0, 1} remains fair.
    const g: FairGraph = {
      edges: [[0, 1, 'a'], [1, 0, 'b'], [1, 2, 'e'], [2, 1, 'f'], [2, 3, 's']],
      initial: [0],
      p: [3],
      fair: { a: 'weak', b: 'weak', s: 'strong' },
    };
    const v = verdict(g, 'eventually');
    expect(v).toMatchObject({ violated: true, kind: 'cycle' });
    expect(v.states).not.toContain(2);
    // With a weakly fair, 0 -> 1 must happen; make 1's only way on a strong-enabled state:
    // then nothing remains and P is reached.
    const h: FairGraph = { ...g, edges: [[0, 1, 'a'], [1, 2, 'e'], [2, 1, 'f'], [2, 3, 's'], [1, 0, 'b']], fair: { a: 'weak', e: 'weak', f: 'weak', s: 'strong', b: 'weak' } };
    expect(verdict(h, 'eventually').violated).toBe(true);
  });

  it('several SCCs: finds the fair one among unfair ones, and the nearest', () => {
    // Two components reachable from 0: {1, 2} (unfair: w always enabled, never taken) and {3, 4}.
    const g: FairGraph = {
      edges: [[0, 1, 'x'], [0, 3, 'y'], [1, 2, 'a'], [2, 1, 'a'], [1, 9, 'w'], [2, 9, 'w'], [3, 4, 'b'], [4, 3, 'b']],
      initial: [0],
      p: [9],
      fair: { x: 'weak', a: 'weak', w: 'weak', b: 'weak' },
    };
    const v = verdict(g, 'eventually');
    expect(v).toMatchObject({ violated: true, kind: 'cycle' });
    expect(v.states).toContain(3);
  });

  it('P ~> Q: from a P state, a fair ¬Q cycle', () => {
    // 0 -r-> 1 (P: request) ; 1 <-> 2 busy loop by a/b ; 2 -g-> 3 (Q: granted) ; 3 -d-> 0.
    const base: FairGraph = {
      edges: [[0, 1, 'r'], [1, 2, 'a'], [2, 1, 'b'], [2, 3, 'g'], [3, 0, 'd']],
      initial: [0],
      p: [1],
      q: [3],
      fair: { r: 'weak', a: 'weak', b: 'weak', g: 'weak', d: 'weak' },
    };
    // g is enabled only in 2: weak fairness does not force it.
    expect(verdict(base, 'leadsTo')).toMatchObject({ violated: true, kind: 'cycle' });
    expect(verdict({ ...base, fair: { ...base.fair, g: 'strong' } }, 'leadsTo').violated).toBe(false);
    // always eventually Q holds under strong fairness of g too, and fails without fairness.
    expect(verdict({ ...base, p: [3], fair: { ...base.fair, g: 'strong' } }, 'alwaysEventually').violated).toBe(false);
    expect(verdict({ ...base, p: [3], fair: {} }, 'alwaysEventually')).toMatchObject({ violated: true, kind: 'stutter' });
  });

  it('always P gives a shortest finite counterexample', () => {
    const v = verdict({ edges: [[0, 1], [1, 2], [0, 2]], initial: [0], p: [0, 1] }, 'always');
    expect(v).toMatchObject({ violated: true, kind: 'finite', states: [0, 2] });
  });

  it('records nothing without recordGraph', () => {
    const r = explore(graphModel({ edges: [[0, 1]], initial: [0] }), { checkDeadlock: false });
    expect(r.graph).toBeUndefined();
  });
});

// ---------------------------------------------------------------------------------------------
// Random graphs against a brute-force oracle.

const LABELS = ['a', 'b', 'c'] as const;

const fairGraph: fc.Arbitrary<FairGraph> = fc.integer({ min: 1, max: 6 }).chain((n) =>
  fc.record({
    edges: fc.array(fc.tuple(fc.nat(n - 1), fc.nat(n - 1), fc.constantFrom(...LABELS, 'u')), { maxLength: 3 * n }) as fc.Arbitrary<Edge[]>,
    initial: fc.array(fc.nat(n - 1), { minLength: 1, maxLength: 2 }),
    fair: fc.record({
      a: fc.constantFrom<Strength | undefined>('weak', 'strong', undefined),
      b: fc.constantFrom<Strength | undefined>('weak', 'strong', undefined),
      c: fc.constantFrom<Strength | undefined>('weak', 'strong', undefined),
    }).map((r) => Object.fromEntries(Object.entries(r).filter(([, v]) => v !== undefined)) as Record<string, Strength>),
    p: fc.uniqueArray(fc.nat(n - 1), { maxLength: n }),
    q: fc.uniqueArray(fc.nat(n - 1), { maxLength: n }),
  }),
);

describe('liveness on random graphs', () => {
  for (const kind of ['eventually', 'alwaysEventually', 'eventuallyAlways', 'leadsTo', 'always'] as const) {
    it(`${kind}: agrees with brute force, and every lasso is a fair violating behaviour`, () => {
      fc.assert(
        fc.property(fairGraph, (g) => {
          const x = checkFair(g, kind);
          expect(x.lasso !== undefined).toBe(oracleViolated(g, kind));
          if (x.lasso) expect(lassoProblems(g, kind, x)).toEqual([]);
        }),
        { numRuns: 400 },
      );
    });
  }
});

// ---------------------------------------------------------------------------------------------
// Fairness of groups: one unit for all its members' steps.

describe('group fairness on hand-made graphs', () => {
  it('per-binding and whole-action fairness give different verdicts', () => {
    // 0 -x-> 1 -y-> 0 is a cycle of one action's steps (x, y); z and w are the two bindings of
    // another action B: w leaves 0, z leaves 1, both to P. P = {2, 3}.
    const b: FairGraph = { edges: [[0, 1, 'x'], [1, 0, 'y'], [1, 2, 'z'], [0, 3, 'w']], initial: [0], p: [2, 3] };
    // Per binding: w is enabled only in 0, z only in 1, so weak fairness of each allows the
    // cycle forever.
    expect(verdict({ ...b, fair: { z: 'weak', w: 'weak', x: 'weak', y: 'weak' } }, 'eventually')).toMatchObject({ violated: true, kind: 'cycle' });
    // B as a whole is enabled in every state of the cycle and taken on none of its steps: the
    // cycle is not weakly fair to B, and P is reached.
    expect(verdict({ ...b, fair: { x: 'weak', y: 'weak' }, groups: { B: { strength: 'weak', members: ['z', 'w'] } } }, 'eventually').violated).toBe(false);
    // A group with the cycle's own steps in it is taken on the cycle: fair again.
    expect(verdict({ ...b, groups: { N: { strength: 'strong', members: ['x', 'y', 'z', 'w'] } } }, 'eventually')).toMatchObject({ violated: true, kind: 'cycle' });
  });

  it('strong fairness of a group: enabled again and again means taken', () => {
    // 0 -l-> 1 -u-> 0; r (in 0 only) reaches 2 = P. Weak group {r} is not forced (r is enabled
    // only in 0); strong is.
    const g: FairGraph = { edges: [[0, 1, 'l'], [1, 0, 'u'], [0, 2, 'r']], initial: [0], p: [2], fair: { l: 'weak', u: 'weak' } };
    expect(verdict({ ...g, groups: { R: { strength: 'weak', members: ['r'] } } }, 'eventually')).toMatchObject({ violated: true, kind: 'cycle' });
    expect(verdict({ ...g, groups: { R: { strength: 'strong', members: ['r'] } } }, 'eventually').violated).toBe(false);
  });

  it('fairness of every step (fair next) forbids stopping, not choosing', () => {
    const g: FairGraph = { edges: [[0, 1, 'a'], [1, 0, 'b'], [1, 2, 'c']], initial: [0], p: [2] };
    const next = { N: { strength: 'weak' as Strength, members: ['a', 'b', 'c'] } };
    // No stutter in 0: the cycle 0,1,0 is fair to next, and avoids P.
    expect(verdict({ ...g, groups: next }, 'eventually')).toMatchObject({ violated: true, kind: 'cycle' });
    // With P = {1}, stopping in 0 is not fair any more.
    expect(verdict({ ...g, p: [1], groups: next }, 'eventually').violated).toBe(false);
    expect(verdict({ ...g, p: [1] }, 'eventually')).toMatchObject({ violated: true, kind: 'stutter' });
  });
});

const groupedGraph: fc.Arbitrary<FairGraph> = fairGraph.chain((g) =>
  fc
    .record({
      G: fc.constantFrom<Strength | undefined>('weak', 'strong', undefined),
      members: fc.subarray(['a', 'b', 'c', 'u'], { minLength: 1 }),
      H: fc.constantFrom<Strength | undefined>('weak', 'strong', undefined),
      hMembers: fc.subarray(['a', 'b', 'c', 'u'], { minLength: 1 }),
    })
    .map((r) => {
      const groups: Record<string, { strength: Strength; members: string[] }> = {};
      if (r.G) groups['G'] = { strength: r.G, members: r.members };
      if (r.H) groups['H'] = { strength: r.H, members: r.hMembers };
      return { ...g, groups };
    }),
);

describe('group fairness on random graphs', () => {
  for (const kind of ['eventually', 'alwaysEventually', 'eventuallyAlways', 'leadsTo'] as const) {
    it(`${kind}: agrees with brute force, and every lasso is a fair violating behaviour`, () => {
      fc.assert(
        fc.property(groupedGraph, (g) => {
          const x = checkFair(g, kind);
          expect(x.lasso !== undefined).toBe(oracleViolated(g, kind));
          if (x.lasso) expect(lassoProblems(g, kind, x)).toEqual([]);
        }),
        { numRuns: 300 },
      );
    });
  }
});
