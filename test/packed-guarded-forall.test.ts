/**
 * The packed engine skips the rest of a `forall`'s inner loops once a guard that uses only the
 * outer binders is false (codegen/expressions.ts, guardedForall). The verdicts, counts, traces
 * and errors must stay the generic engine's: violations, a run-time error in the guard, and
 * invariants that hold.
 */
import { describe, expect, it } from 'vitest';
import { checkSpec } from '../src/lang/check.js';
import { compileSpec, type Label, type State } from '../src/lang/compile.js';
import { parseSpec } from '../src/lang/parser.js';
import { compilePacked } from '../src/lang/packed/index.js';
import { explore, type ExploreResult } from '../src/explore/index.js';
import { valueEquals } from '../src/values/index.js';

const spec = (invariant: string): string => `spec Guarded
type P = 1..3
var a: Map[P, 0..2] = [i in P |-> 0]
action Inc(i: P) {
  require a[i] < 2
  a[i] := a[i] + 1
}
invariant Inv: ${invariant}
`;

const cases: [string, string, string][] = [
  ['not (G and Q), violated', 'forall i in P, j in P: not (a[i] == 2 and (a[j] == 1 and i != j))', 'invariant'],
  ['G implies Q, violated', 'forall i in P, j in P: (a[i] == 2) implies (a[j] != 1 or i == j)', 'invariant'],
  ['three binders, the guard on the first two', 'forall i in P, j in P, k in P: not (a[i] + a[j] == 4 and (a[k] == 1))', 'invariant'],
  ['a run-time error in the guard', 'forall i in P, j in P: not (6 / (a[i] - 1) > 5 and a[j] == 2)', 'fault'],
  ['holds', 'forall i in P, j in P: (a[i] == 3) implies (a[j] == 0)', 'ok'],
];

describe('packed forall with a guard on the outer binders', () => {
  it.each(cases)('%s: as the generic engine', (_name, invariant, kind) => {
    const checked = checkSpec(parseSpec({ path: 'guarded.spex', text: spec(invariant) }));
    const overrides = new Map();
    const generic = compileSpec(checked, overrides);
    const p = compilePacked(checked, overrides, generic);
    if (!p.ok) throw new Error(p.reason);
    expect(p.system.source).toMatch(/break H\d+;/);
    const opts = { checkDeadlock: false };
    const g = explore(generic, opts);
    const r = explore(p.system, opts) as ExploreResult<number[], Label>;
    expect(g.outcome.kind).toBe(kind);
    expect(r.outcome.kind).toBe(kind);
    expect(r.stats.distinct).toBe(g.stats.distinct);
    expect(r.stats.generated).toBe(g.stats.generated);
    expect(r.stats.depth).toBe(g.stats.depth);
    if ('trace' in g.outcome && 'trace' in r.outcome) {
      const gs: State[] = g.outcome.trace.states;
      const ps = r.outcome.trace.states.map((v) => p.system.decode(v));
      expect(ps.length).toBe(gs.length);
      ps.forEach((s, i) => expect(s.every((x, j) => valueEquals(x, gs[i]![j]!))).toBe(true));
    }
    if (g.outcome.kind === 'fault' && r.outcome.kind === 'fault') expect(r.outcome.error.message).toBe(g.outcome.error.message);
  });
});
