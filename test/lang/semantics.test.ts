import { describe, expect, it } from 'vitest';
import { compile, reachable, run, stepsFromInit } from './helpers.js';
import { ModelError } from '../../src/explore/index.js';

const header = 'spec T\n';

describe('action semantics', () => {
  it('gives one successor per parameter binding, in canonical order', () => {
    const steps = stepsFromInit(`${header}
      enum E { A, B }
      var x: Int = 0
      action Set(v: 1..2, e: E) { x := v }`);
    expect(steps).toEqual(['Set(v=1,e=A) x=1', 'Set(v=1,e=B) x=1', 'Set(v=2,e=A) x=2', 'Set(v=2,e=B) x=2']);
  });

  it('gives one successor per pick value and skips values failing where', () => {
    const steps = stepsFromInit(`${header}
      var x: Int = 0
      action P { pick v in {3, 1, 2} where v != 2
                 x := v }`);
    expect(steps).toEqual(['P() x=1', 'P() x=3']);
  });

  it('lets reads see earlier writes of the same step, and keeps unassigned variables', () => {
    const steps = stepsFromInit(`${header}
      var x: Int = 1
      var y: Int = 0
      var z: Int = 7
      action A { x := x + 1
                 y := x * 10 }`);
    expect(steps).toEqual(['A() x=2 y=20 z=7']);
  });

  it('does not leak writes of one branch into another (pick inside a for loop)', () => {
    // Each iteration picks independently; the writes of one branch must be undone before the next.
    const states = reachable(`${header}
      var s: Set[Int] = {}
      var n: Int = 0
      action A {
        require n == 0
        for i in {10, 20} {
          let base = i
          pick d in {0, 1}
          s := s union {base + d}
        }
        n := 1
      }`);
    expect(states).toEqual([
      's={10, 20} n=1',
      's={10, 21} n=1',
      's={11, 20} n=1',
      's={11, 21} n=1',
      's={} n=0',
    ]);
  });

  it('makes require filter the step without partial effects', () => {
    const steps = stepsFromInit(`${header}
      var x: Int = 0
      var y: Int = 0
      action A { x := 5
                 require x == 6
                 y := 1 }
      action B { y := 2 }`);
    expect(steps).toEqual(['B() x=0 y=2']);
  });

  it('updates maps, records and sequences in place by path', () => {
    const steps = stepsFromInit(`${header}
      enum M { R, C }
      var m: Map[M, { res: Int, css: Bool }] = [k in M |-> { res: 0, css: true }]
      var q: Seq[Int] = [1, 2, 3]
      action A { m[C].res := 4
                 q[1] := 9 }`);
    expect(steps).toEqual(['A() m={R -> { css: true, res: 0 }, C -> { css: true, res: 4 }} q=[1, 9, 3]']);
  });

  it('takes variants apart with match and is', () => {
    const steps = stepsFromInit(`${header}
      enum M { R, C }
      type Pos = Free | Lru(M) | Isolated
      var p: Pos = Lru(C)
      var seen: Int = 0
      action A { match p {
                   Lru(m) => { seen := if m == C then 1 else 2 }
                   _ => { seen := 3 }
                 } }
      action B { require p is Lru
                 p := Isolated }`);
    expect(steps).toEqual(['A() p=Lru(C) seen=1', 'B() p=Isolated seen=0']);
  });

  it('evaluates the expression language', () => {
    const { system } = compile(`${header}
      enum M { R, P, C }
      type Page = 1..3
      var ok: Bool = true
      invariant Exprs:
        size({1, 2} union {2, 3}) == 3 and ({1, 2, 3} minus {2}) == {1, 3} and ({1, 2} inter {2, 5}) == {2}
        and {1} subset {1, 2} and 7 / 2 == 3 and -7 / 2 == -4 and -7 % 3 == 2
        and min({4, 2, 9}) == 2 and max(3, 8) == 8 and abs(-3) == 3
        and (forall x in 1..3: x > 0) and (exists x in Page: x == 2) and (sum x in Page: x) == 6
        and { x in 1..5 | x % 2 == 0 } == {2, 4} and { x * x : x in 1..3 } == {1, 4, 9}
        and (choose x in 1..5: x > 2) == 3 and keys({R -> 1, C -> 2}) == {R, C}
        and values([m in M |-> 0]) == {0} and put({R -> 1}, C, 2) == {R -> 1, C -> 2}
        and remove({R -> 1, C -> 2}, C) == {R -> 1}
        and len([1, 2]) == 2 and head([5, 6]) == 5 and tail([5, 6]) == [6] and append([1], 2) == [1, 2]
        and concat([1], [2]) == [1, 2] and unwrap(Some(4)) == 4 and None != Some(1)
        and (1, R).1 == R and { a: 1, b: 2 }.b == 2 and ({ a: 1, b: 2 } with { b: 3 }).b == 3
        and ({R -> 1} with [R] = 5)[R] == 5 and (let y = 4 in y + 1) == 5
        and (match Some(3) { None => 0, Some(v) => v }) == 3 and M == {R, P, C} and Bool == {false, true}
        and (false implies 1 / 0 == 1) and not (true and false)`);
    expect(system.invariants[0]!.holds([true])).toBe(true);
  });
});

describe('loops over ranges', () => {
  it('visit the integers of a range that depends on the state in ascending order, in every kind of loop, whichever bounds came before', () => {
    // One range expression per loop, evaluated with bounds that change from state to state,
    // and again inside a recursive definition while an outer evaluation of it is under way.
    const states = reachable(`${header}
      def tri(k: Int): Int = if k <= 0 then 0 else sum i in (k - 1)..k: (if i == k then i else tri(i))
      var n: 0..4 = 0
      var a: Seq[Int] = []
      var b: Seq[Int] = []
      var c: Set[Int] = {}
      var d: Set[Int] = {}
      var t: Int = 0
      action Step {
        require n < 4
        n := n + 1
        a := []
        for i in (n - 1)..(n + 1) { a := append(a, i) }
        b := [i * 10 : i in 1..n]
        c := {i in 0..(2 * n) | i % 2 == 1}
        d := {i + j : i in 0..n, j in (n - 1)..n}
        t := tri(n)
      }
      action Pick {
        require n == 4 and t > 0
        pick i in (n - 2)..n where forall j in 0..i: j <= i
        t := 0 - i
      }`);
    expect(states).toEqual([
      'n=0 a=[] b=[] c={} d={} t=0',
      'n=1 a=[0, 1, 2] b=[10] c={1} d={0, 1, 2} t=1',
      'n=2 a=[1, 2, 3] b=[10, 20] c={1, 3} d={1, 2, 3, 4} t=3',
      'n=3 a=[2, 3, 4] b=[10, 20, 30] c={1, 3, 5} d={2, 3, 4, 5, 6} t=6',
      'n=4 a=[3, 4, 5] b=[10, 20, 30, 40] c={1, 3, 5, 7} d={3, 4, 5, 6, 7, 8} t=-2',
      'n=4 a=[3, 4, 5] b=[10, 20, 30, 40] c={1, 3, 5, 7} d={3, 4, 5, 6, 7, 8} t=-3',
      'n=4 a=[3, 4, 5] b=[10, 20, 30, 40] c={1, 3, 5, 7} d={3, 4, 5, 6, 7, 8} t=-4',
      'n=4 a=[3, 4, 5] b=[10, 20, 30, 40] c={1, 3, 5, 7} d={3, 4, 5, 6, 7, 8} t=10',
    ]);
  });

  it('bind an action parameter over a range that depends on the state, in ascending order', () => {
    expect(
      stepsFromInit(`${header}
      var n: 0..3 = 3
      var last: Int = 0
      action Lose(i in (n - 2)..n) { last := i }`),
    ).toEqual(['Lose(i=1) n=3 last=1', 'Lose(i=2) n=3 last=2', 'Lose(i=3) n=3 last=3']);
  });

  it('choose takes the first integer of a range that satisfies it, and none is E704', () => {
    expect(
      reachable(`${header}
      var n: 0..5 = 0
      var m: Int = 0
      action Step { require n < 5
                    n := n + 1
                    m := choose i in (n - 1)..(n + 2): i % 3 == 0 }`),
    ).toEqual(['n=0 m=0', 'n=1 m=0', 'n=2 m=3', 'n=3 m=3', 'n=4 m=3', 'n=5 m=6']);
    const r = run(`${header}
      var n: 0..5 = 0
      action Step { require n < 5
                    n := choose i in (n + 1)..(n + 2): i % 4 == 0 }`);
    expect(r.outcome.kind).toBe('fault');
    if (r.outcome.kind === 'fault') expect((r.outcome.error as ModelError).message).toBe('choose found no element that satisfies its condition');
  });

  it('stop a step at a range too large to enumerate (E710), and refuse a constant one (E221)', () => {
    const r = run(`${header}
      var n: Int = 0
      action Grow { require n < 2000000 and forall i in 0..n: i >= 0
                    n := n + 999999 }`);
    expect(r.outcome.kind).toBe('fault');
    if (r.outcome.kind === 'fault') expect((r.outcome.error as ModelError).message).toMatch(/^the range 0\.\.1999998 has 1,999,999 values/);
    expect(() => compile(`${header}var n: Int = 0\ninvariant I: forall i in 0..2000000: i >= n\n`)).toThrow(/E221|range 0\.\.2000000/);
  });
});

describe('run-time errors', () => {
  it('reports division by zero as a ModelError carrying the step label', () => {
    const { system } = compile(`${header}
      var x: Int = 0
      action A(d: 0..1) { x := 10 / d }`);
    const inits: unknown[][] = [];
    system.initialStates((s) => inits.push(s));
    let caught: unknown;
    try {
      system.successors(inits[0] as never, () => {});
    } catch (e) {
      caught = e;
    }
    expect(caught).toBeInstanceOf(ModelError);
    const err = caught as ModelError;
    expect(err.kind).toBe('runtime');
    expect((err.location as { code: string }).code).toBe('E701');
    expect(err.label).toMatchObject({ action: 'A', params: [{ name: 'd', value: 0 }] });
  });

  it('ends exploration with a fault and the trace that leads to it', () => {
    const r = run(`${header}
      var x: 0..3 = 0
      action Inc { x := x + 1 }`);
    expect(r.outcome.kind).toBe('fault');
    if (r.outcome.kind !== 'fault') return;
    expect((r.outcome.error.location as { code: string }).code).toBe('E703');
    expect(r.outcome.trace.states.map((s) => s[0])).toEqual([0, 1, 2, 3]);
  });

  it('treats a failed assert as a safety violation', () => {
    const r = run(`${header}
      var x: Int = 0
      action Inc { assert x < 2, "x stays small"
                   x := x + 1 }`);
    expect(r.outcome.kind).toBe('fault');
    if (r.outcome.kind !== 'fault') return;
    expect(r.outcome.error.kind).toBe('assert');
    expect(r.outcome.error.message).toBe('x stays small');
    expect(r.outcome.trace.states.length).toBe(3);
  });
});

describe('determinism', () => {
  it('visits quantified sets in canonical order, so a failing element fails whatever the insertion order', () => {
    for (const lit of ['{1, 2}', '{2, 1}']) {
      const { system } = compile(`${header}
        var s: Set[Int] = ${lit}
        invariant Q: exists x in s: 10 / (x - 1) > 0`);
      const inits: unknown[][] = [];
      system.initialStates((st) => inits.push(st));
      // x = 1 comes first in canonical order: division by zero, even though x = 2 decides it.
      expect(() => system.invariants[0]!.holds(inits[0] as never)).toThrow(ModelError);
    }
  });

  it('gives the same successors whatever the insertion order of a set', () => {
    const a = stepsFromInit(`${header}
      var s: Set[Int] = {3, 1, 2}
      var x: Int = 0
      action A { pick v in s
                 x := v }`);
    const b = stepsFromInit(`${header}
      var s: Set[Int] = {2, 3, 1}
      var x: Int = 0
      action A { pick v in s
                 x := v }`);
    expect(a).toEqual(b);
  });
});
