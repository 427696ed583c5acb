/**
 * src/engine/temporal.ts in-process: the fairness units interned from labels (names, tags,
 * groups), what temporalSetup records for the properties, the answer of checkProperties
 * (order, loop index, the no-fairness hint), and lassoMisses on hand-made lassos.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { explore } from '../../src/explore/index.js';
import { loadSpec, runCheck, selectChecks, type CheckResult } from '../../src/engine/run.js';
import { checkProperties, FairnessUnits, lassoMisses, temporalSetup, type TemporalResult } from '../../src/engine/temporal.js';
import type { PropertyInstance } from '../../src/lang/compile-temporal.js';
import type { Label, State } from '../../src/lang/compile.js';
import type { Ltl } from '../../src/explore/ltl.js';
import { Atom, mkSet, Rec, type Value } from '../../src/values/index.js';

const tmp = mkdtempSync(join(tmpdir(), 'spex-temporal-mutants-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

let files = 0;
function load(lines: string[]) {
  const path = join(tmp, `t${files++}.spex`);
  writeFileSync(path, lines.join('\n') + '\n');
  return loadSpec(path).spec;
}

function run(lines: string[], check?: string, engine?: 'generic' | 'packed'): CheckResult {
  const spec = load(lines);
  const [c] = selectChecks(spec, check);
  return runCheck(spec, c, new Map(), engine ? { engine } : {});
}

function temporalOf(r: CheckResult): TemporalResult {
  const t = r.temporal;
  if (t === undefined || !('checked' in t)) throw new Error('no temporal result');
  return t;
}

const label = (action: string, ...params: [string, Value][]): Label => ({ action, params: params.map(([name, value]) => ({ name, value })) });

describe('FairnessUnits', () => {
  it('gives no tag to a step when nothing is fair', () => {
    const u = new FairnessUnits(new Map());
    expect(u.unitOf(label('A'))).toBe(-1);
    expect(u.names).toEqual([]);
    expect(u.tagUnits).toEqual([]);
  });

  it('gives one unit per binding of a fair action, named after the binding, with its strength', () => {
    const u = new FairnessUnits(
      new Map([
        ['A', false],
        ['B', true],
      ]),
    );
    const a1 = u.unitOf(label('A', ['i', 1], ['j', true]));
    const a2 = u.unitOf(label('A', ['i', 2], ['j', true]));
    const a1again = u.unitOf(label('A', ['i', 1], ['j', true]));
    const a1f = u.unitOf(label('A', ['i', 1], ['j', false]));
    const b = u.unitOf(label('B'));
    const c = u.unitOf(label('C', ['i', 1]));
    expect(c).toBe(-1);
    expect(a1again).toBe(a1);
    expect(new Set([a1, a2, a1f, b]).size).toBe(4);
    expect(u.names).toEqual(['A(i=1, j=true)', 'A(i=2, j=true)', 'A(i=1, j=false)', 'B']);
    expect(u.strong).toEqual([false, false, false, true]);
    expect(u.tagUnits).toEqual([[0], [1], [2], [3]]);
    // The same parameter values of another action are another unit.
    const u2 = new FairnessUnits(
      new Map([
        ['A', false],
        ['B', false],
      ]),
    );
    expect(u2.unitOf(label('A', ['i', 1]))).not.toBe(u2.unitOf(label('B', ['i', 1])));
    // Two parameters whose values written one after the other read the same: other bindings.
    expect(u2.unitOf(label('A', ['i', 1], ['j', 11]))).not.toBe(u2.unitOf(label('A', ['i', 11], ['j', 1])));
  });

  it('tells bindings apart by enum values, records and sets, and ignores the process label', () => {
    const u = new FairnessUnits(new Map([['A', false]]));
    const r1 = new Rec(['x'], [1]);
    const r2 = new Rec(['x'], [2]);
    const tags = [
      u.unitOf(label('A', ['v', new Atom('E', 'a', 0)])),
      u.unitOf(label('A', ['v', new Atom('E', 'b', 1)])),
      u.unitOf(label('A', ['v', r1])),
      u.unitOf(label('A', ['v', r2])),
      u.unitOf(label('A', ['v', mkSet([1])])),
      u.unitOf(label('A', ['v', mkSet([2])])),
    ];
    expect(new Set(tags).size).toBe(6);
    expect(u.unitOf(label('A', ['v', new Rec(['x'], [2])]))).toBe(tags[3]);
    expect(u.unitOf({ ...label('A', ['v', new Atom('E', 'a', 0)]), at: 'other' })).toBe(tags[0]);
  });

  it('a group is one unit for all its members; fair next is every step', () => {
    const u = new FairnessUnits(new Map([['A', true]]), [
      { name: 'G', strong: false, members: ['A', 'B'] },
      { name: 'H', strong: true, members: 'all' },
    ]);
    expect(u.names).toEqual(['G', 'next']);
    expect(u.strong).toEqual([false, true]);
    const b = u.unitOf(label('B', ['i', 1]));
    const b2 = u.unitOf(label('B', ['i', 2]));
    const c = u.unitOf(label('C'));
    const a = u.unitOf(label('A', ['i', 1]));
    expect(b2).toBe(b); // B has no per-binding fairness: one tag for all its steps
    expect(u.tagUnits[b]).toEqual([0, 1]);
    expect(u.tagUnits[c]).toEqual([1]);
    expect(u.tagUnits[a]).toEqual([2, 0, 1]);
    expect(u.names[2]).toBe('A(i=1)');
    expect(u.strong[2]).toBe(true);
    expect(new Set([a, b, c]).size).toBe(3);
  });

  it('a step outside every group and not fair has no tag, even when groups exist', () => {
    const u = new FairnessUnits(new Map(), [{ name: 'G', strong: false, members: ['A'] }]);
    expect(u.unitOf(label('B'))).toBe(-1);
    expect(u.unitOf(label('B'))).toBe(-1);
    const a = u.unitOf(label('A'));
    expect(a).toBeGreaterThanOrEqual(0);
    expect(u.tagUnits[a]).toEqual([0]);
    expect(u.tagUnits.length).toBe(1);
  });
});

describe('temporalSetup', () => {
  const spec = [
    'spec S',
    'var x: 0..3 = 0',
    'action Up { require x < 3  x := x + 1 }',
    'property E: eventually x == 3',
    'property L: x == 1 ~> x == 2',
    'property G: always eventually x == 3 and eventually always x == 3',
    'property A: always x <= 3',
  ];

  it('is undefined without properties', () => {
    const s = load(['spec S', 'var x: 0..1 = 0', 'action A { x := 1 }']);
    const r = runCheck(s, undefined, new Map(), {});
    expect(r.temporal).toBeUndefined();
    expect(temporalSetup(r.system!)).toBeUndefined();
  });

  it('records each property’s predicates in order; a general formula’s atoms shifted after them', () => {
    const r = run(spec);
    const setup = temporalSetup(r.system!)!;
    expect(setup.fair).toBe(false);
    expect(setup.steps).toEqual({ actions: true, processes: false });
    const q = setup.queries;
    expect(q[0]).toEqual({ kind: 'eventually', p: 0 });
    expect(q[1]).toEqual({ kind: 'leadsTo', p: 1, q: 2 });
    expect(q[2]!.kind).toBe('general');
    const atoms: number[] = [];
    const walk = (f: Ltl): void => {
      if (f.k === 'atom') atoms.push(f.i);
      else if (f.k === 'not' || f.k === 'always' || f.k === 'eventually') walk(f.a);
      else if (f.k === 'and' || f.k === 'or') {
        walk(f.a);
        walk(f.b);
      }
    };
    walk((q[2] as { formula: Ltl }).formula);
    expect(Math.min(...atoms)).toBe(3);
    expect(q[3]).toEqual({ kind: 'always', p: 3 + r.system!.properties[2]!.atoms!.length });
    expect(setup.record.predicates.length).toBe(4 + r.system!.properties[2]!.atoms!.length);
    // The predicates are the properties' own, in that order.
    const preds = setup.record.predicates;
    expect([0, 1, 2, 3].map((x) => preds[0]!([x]))).toEqual([false, false, false, true]);
    expect([0, 1, 2, 3].map((x) => preds[1]!([x]))).toEqual([false, true, false, false]);
    expect([0, 1, 2, 3].map((x) => preds[2]!([x]))).toEqual([false, false, true, false]);
  });

  it('is fair with a fair action, and with a group alone', () => {
    const r = run(spec);
    expect(temporalSetup(r.system!, new Map([['Up', false]]))!.fair).toBe(true);
    expect(temporalSetup(r.system!, new Map(), [{ name: 'G', strong: false, members: 'all' }])!.fair).toBe(true);
  });

  it('the general formula keeps its shape with constants, and each atom at its own index', () => {
    const r = run([
      'spec S',
      'var x: 0..2 = 0',
      'var y: 0..2 = 0',
      'action A { require x < 2  x := x + 1 }',
      'action B { require y < 2  y := y + 1 }',
      'property N: eventually always (x == 2 and y == 2)',
      'property M: always (x == 2 implies eventually (y == 2 or (exists v in 1..0: eventually x == v)))',
    ]);
    const setup = temporalSetup(r.system!)!;
    const [n, m] = setup.queries as { kind: string; formula: Ltl }[];
    expect(n!.kind).toBe('eventuallyAlways');
    expect(m!.kind).toBe('general');
    const props = r.system!.properties;
    const pred = setup.record.predicates;
    // Every atom of the general formula names the recorded predicate that is that atom.
    const base = pred.length - props[1]!.atoms!.length;
    const seen: number[] = [];
    const walk = (f: Ltl): void => {
      if (f.k === 'atom') seen.push(f.i);
      else if (f.k === 'not' || f.k === 'always' || f.k === 'eventually') walk(f.a);
      else if (f.k === 'and' || f.k === 'or') {
        walk(f.a);
        walk(f.b);
      }
    };
    walk(m!.formula);
    expect(seen.length).toBeGreaterThan(0);
    for (const i of seen) {
      expect(i).toBeGreaterThanOrEqual(base);
      for (const s of [[0, 0], [2, 0], [2, 2], [0, 2]]) expect(pred[i]!(s)).toBe(props[1]!.atoms![i - base]!(s));
    }
    expect(JSON.stringify(m!.formula)).toContain('"k":"const"');
  });
});

describe('checkProperties', () => {
  it('checks the instances in order and stops at the first violated one, with its loop index', () => {
    const r = run([
      'spec S',
      'var x: 0..3 = 0',
      'action Up { require x < 3  x := x + 1 }',
      'action Back { require x == 3  x := 1 }',
      'property Ok: always x <= 3',
      'property Never: eventually always x == 3',
      'property Later: eventually x == 2',
      'check C { fair action Up  fair action Back }',
    ]);
    const t = temporalOf(r);
    expect(t.checked).toEqual(['Ok', 'Never']);
    expect(t.violation!.property.name).toBe('Never');
    expect(t.violation!.kind).toBe('cycle');
    const { states } = t.violation!.trace;
    const last = states.length - 1;
    // The cycle 1 -> 2 -> 3 -> 1: it starts at state 1 and the last state is that state again.
    expect(states.map((s) => s[0])).toEqual([0, 1, 2, 3, 1]);
    expect(t.violation!.loop).toBe(1);
    expect(states[t.violation!.loop!]).toEqual(states[last]);
    expect(t.units).toBe(2);
    expect(t.graphBytes).toBe(r.result!.graph!.bytes);
    expect(t.graphBytes).toBeGreaterThan(0);
    expect(t.warnings).toEqual([]);
  });

  it('a stutter loops on the last state; a finite trace has no loop', () => {
    const r = run(['spec S', 'var x: 0..2 = 0', 'action Up { require x < 2  x := x + 1 }', 'property E: eventually x == 2', 'check C { deadlock off  fair action Up }', 'check D { deadlock off }']);
    expect(temporalOf(r).violation).toBeUndefined();
    expect(temporalOf(r).checked).toEqual(['E']);
    const spec = load(['spec S', 'var x: 0..2 = 0', 'action Up { require x < 2  x := x + 1 }', 'property E: eventually x == 2', 'property A: always x < 2', 'check D { deadlock off }']);
    const d = temporalOf(runCheck(spec, selectChecks(spec, 'D')[0], new Map(), {}));
    expect(d.violation!.kind).toBe('stutter');
    expect(d.violation!.loop).toBe(d.violation!.trace.states.length - 1);
    const a = load(['spec S', 'var x: 0..2 = 0', 'action Up { require x < 2  x := x + 1 }', 'property A: always x < 2', 'check D { deadlock off }']);
    const f = temporalOf(runCheck(a, selectChecks(a, 'D')[0], new Map(), {}));
    expect(f.violation!.kind).toBe('finite');
    expect(f.violation!.loop).toBeUndefined();
    expect(f.warnings).toEqual([]);
  });

  it('warns, for a stop without fairness, with the declarations that fit the spec', () => {
    const actions = temporalOf(run(['spec S', 'var x: 0..2 = 0', 'action Up { require x < 2  x := x + 1 }', 'property E: eventually x == 2', 'check D { deadlock off }']));
    expect(actions.warnings).toHaveLength(1);
    expect(actions.warnings[0]).toContain('the spec declares no fairness, so every behaviour may stop');
    expect(actions.warnings[0]).toContain("'E' fails by stopping in an initial state.");
    expect(actions.warnings[0]).toContain("'fair action <Name>'");
    expect(actions.warnings[0]).not.toContain('fair process');

    const procs = temporalOf(run(['spec P', 'type W = 1..2', 'var n: Int = 0', 'process Wk(w: W) {', '  work: n := n + 1', '}', 'property Done: eventually n == 2', 'check D { deadlock off }']));
    expect(procs.warnings).toHaveLength(1);
    expect(procs.warnings[0]).toContain("'fair process <Name>' (or 'fair next' for every step)");
    expect(procs.warnings[0]).not.toContain('fair action');

    const both = temporalOf(
      run(['spec P', 'type W = 1..2', 'var n: Int = 0', 'var m: 0..1 = 0', 'action Go { require m == 0  m := 1 }', 'process Wk(w: W) {', '  work: n := n + 1', '}', 'property Done: eventually n == 2', 'check D { deadlock off }']),
    );
    expect(both.warnings[0]).toContain("'fair action <Name>', 'fair process <Name>' (or 'fair next' for every step)");

    // A stop after some steps (in the first state where the left side of ~> holds): no "initial state".
    const later = temporalOf(run(['spec S', 'var x: 0..2 = 0', 'action Up { require x < 2  x := x + 1 }', 'property L: x == 1 ~> x == 2', 'check D { deadlock off }']));
    const v = later.violation!;
    expect(v.kind).toBe('stutter');
    expect(v.trace.states.map((s) => s[0])).toEqual([0, 1]);
    expect(later.warnings[0]).toContain("'L' fails by stopping. ");
  });

  it('does not warn for a stop under fairness (a deadlock), nor for a cycle', () => {
    const stop = temporalOf(run(['spec S', 'var x: 0..2 = 0', 'action Up { require x == 0  x := 1 }', 'property E: eventually x == 2', 'check D { deadlock off  fair action Up }']));
    expect(stop.violation!.kind).toBe('stutter');
    expect(stop.warnings).toEqual([]);
  });

  it('the same answer from an explorer run directly', () => {
    const spec = load(['spec S', 'var x: 0..3 = 0', 'action Up { require x < 3  x := x + 1 }', 'property E: eventually x == 3', 'property F: eventually x == 9']);
    const r = runCheck(spec, undefined, new Map(), { engine: 'generic' });
    const system = r.system!;
    const setup = temporalSetup(system, new Map([['Up', false]]))!;
    const x = explore(system, { checkDeadlock: false, recordGraph: setup.record });
    const t = checkProperties(system, x.graph!, setup);
    expect(t.checked).toEqual(['E', 'F']);
    expect(t.violation!.property.name).toBe('F');
    expect(t.violation!.kind).toBe('stutter');
    expect(t.violation!.trace.states.map((s) => s[0])).toEqual([0, 1, 2, 3]);
    expect(t.violation!.loop).toBe(3);
    expect(t.warnings).toEqual([]);
    expect(t.units).toBe(1);
  });
});

describe('lassoMisses', () => {
  const is = (v: number) => (s: State) => s[0] === v;
  const prop = (kind: PropertyInstance['kind'], p: (s: State) => boolean, q?: (s: State) => boolean, formula?: Ltl, atoms?: ((s: State) => boolean)[]): PropertyInstance =>
    ({ name: 'P', property: 'P', kind, p, ...(q ? { q } : {}), ...(formula ? { formula, atoms } : {}) }) as unknown as PropertyInstance;
  const st = (...xs: number[]): State[] => xs.map((x) => [x]);

  it('always: violated when some state falsifies it, with or without a loop', () => {
    const p = prop('always', (s) => s[0] !== 2);
    expect(lassoMisses(p, st(0, 1, 2), undefined)).toBeUndefined();
    expect(lassoMisses(p, st(0, 1, 2), 0)).toBeUndefined();
    expect(lassoMisses(p, st(0, 1), undefined)).toMatch(/holds in every state/);
  });

  it('the other kinds need a loop', () => {
    expect(lassoMisses(prop('eventually', is(5)), st(0, 1), undefined)).toMatch(/no loop/);
  });

  it('eventually: violated when no state satisfies it; else says where it holds', () => {
    const p = prop('eventually', is(1));
    expect(lassoMisses(p, st(0, 2, 3), 1)).toBeUndefined();
    expect(lassoMisses(p, st(0, 2, 1, 3), 3)).toMatch(/state 2\b/);
    // In the prefix only: still satisfied.
    expect(lassoMisses(p, st(1, 2, 3), 1)).toMatch(/state 0\b/);
  });

  it('always eventually: violated when the cycle never satisfies it', () => {
    const p = prop('alwaysEventually', is(1));
    expect(lassoMisses(p, st(1, 2, 3), 1)).toBeUndefined();
    expect(lassoMisses(p, st(0, 2, 1, 3), 1)).toMatch(/state 2\b.*repeats forever/);
    expect(lassoMisses(p, st(0, 2, 3, 1), 2)).toMatch(/state 3\b/);
    // Where the cycle starts.
    expect(lassoMisses(p, st(0, 1, 2), 1)).toMatch(/state 1\b/);
  });

  it('eventually always: violated when the cycle leaves it', () => {
    const p = prop('eventuallyAlways', is(1));
    expect(lassoMisses(p, st(0, 1, 0), 1)).toBeUndefined();
    expect(lassoMisses(p, st(0, 1, 1), 1)).toMatch(/every state that repeats/);
    expect(lassoMisses(p, st(1, 1, 0, 1), 3)).toMatch(/every state that repeats/);
    expect(lassoMisses(p, st(0, 1, 1, 0), 3)).toBeUndefined();
  });

  it('leads-to: violated by a P state never followed by Q', () => {
    const p = prop('leadsTo', is(1), is(2));
    // Q on the cycle: answered forever.
    expect(lassoMisses(p, st(1, 0, 2), 1)).toMatch(/state 2\b.*repeats forever/);
    expect(lassoMisses(p, st(0, 1, 3, 2), 2)).toMatch(/state 3\b/);
    expect(lassoMisses(p, st(0, 2, 3), 1)).toMatch(/state 1\b.*repeats forever/);
    // P after the only Q, which is in the prefix.
    expect(lassoMisses(p, st(2, 1, 0), 1)).toBeUndefined();
    expect(lassoMisses(p, st(0, 2, 1, 3), 3)).toBeUndefined();
    // Every P followed by Q in the prefix, Q not on the cycle.
    expect(lassoMisses(p, st(1, 2, 0, 3), 2)).toMatch(/followed by one where the right side does/);
    // P on the cycle and Q nowhere.
    expect(lassoMisses(p, st(0, 3, 1), 1)).toBeUndefined();
    // P in the last state only, Q before it.
    expect(lassoMisses(p, st(2, 0, 1), 2)).toBeUndefined();
    expect(lassoMisses(p, st(0, 0, 0), 1)).toMatch(/followed/);
  });

  it('general: violated when the formula is false on the lasso', () => {
    // eventually always (atom 0 or atom 1), atoms: x == 1, x == 2.
    const f: Ltl = { k: 'eventually', a: { k: 'always', a: { k: 'or', a: { k: 'atom', i: 0 }, b: { k: 'atom', i: 1 } } } };
    const p = prop('general', is(1), undefined, f, [is(1), is(2)]);
    expect(lassoMisses(p, st(0, 1, 2), 1)).toMatch(/formula holds/);
    expect(lassoMisses(p, st(0, 1, 0), 1)).toBeUndefined();
    expect(lassoMisses(p, st(0, 1, 2, 3), 1)).toBeUndefined();
    expect(lassoMisses(p, st(3, 1, 2, 3), 3)).toBeUndefined();
    expect(lassoMisses(p, st(3, 0, 2, 1), 2)).toMatch(/formula holds/);
  });
});
