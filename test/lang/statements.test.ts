import { describe, expect, it } from 'vitest';
import { compile, reachable, run, stepsFromInit } from './helpers.js';
import { ModelError } from '../../src/explore/index.js';
import { SpecErrors } from '../../src/lang/diagnostics.js';
import { checkSpec } from '../../src/lang/check.js';
import { parseSpec } from '../../src/lang/parser.js';
import { MAX_DEF_DEPTH } from '../../src/lang/compile.js';

const header = 'spec T\n';

/** The diagnostics of a spec that does not check: `code line:col message`. */
function diagnostics(text: string): string[] {
  try {
    checkSpec(parseSpec({ path: 'test.spex', text }));
  } catch (err) {
    if (!(err instanceof SpecErrors)) throw err;
    return err.diagnostics.map((d) => {
      const before = d.span ? text.slice(0, d.span.start).split('\n') : [''];
      return `${d.code} ${before.length}:${before[before.length - 1]!.length + 1} ${d.message}`;
    });
  }
  return [];
}

/** The ModelError a run of a spec's steps from its initial state raises. */
function faultOf(text: string): ModelError {
  const r = run(text);
  if (r.outcome.kind !== 'fault') throw new Error(`expected a fault, got ${r.outcome.kind}`);
  return r.outcome.error;
}

describe('either/or', () => {
  it('yields the successors of every branch that can run, a duplicate included, in the order written', () => {
    const steps = stepsFromInit(`${header}
      var x: Int = 0
      var y: Int = 0
      action A {
        either { x := 1 } or { require y == 0
                               x := 1 } or { require y == 5
                                             x := 9 } or { y := 2 }
      }`);
    expect(steps).toEqual(['A() x=1 y=0', 'A() x=1 y=0', 'A() x=0 y=2']);
  });

  it('runs the statements after it after whichever branch ran', () => {
    const steps = stepsFromInit(`${header}
      var x: Int = 0
      var y: Int = 0
      action A {
        either { x := 1 } or { x := 2 }
        y := x * 10
      }`);
    expect(steps).toEqual(['A() x=1 y=10', 'A() x=2 y=20']);
  });

  it('does not let the writes of one branch leak into the next', () => {
    const steps = stepsFromInit(`${header}
      var x: Int = 0
      var y: Int = 0
      action A {
        either { x := 5 } or { y := x + 1 }
      }`);
    expect(steps).toEqual(['A() x=5 y=0', 'A() x=0 y=1']);
  });

  it('counts differently from require a or b: one successor per enabled branch (TLC: A \\/ B)', () => {
    const either = run(`${header}
      var x: 0..2 = 0
      action Step {
        either { require x < 2
                 x := x + 1 } or { require x == 0
                                   x := x + 1 }
      }`);
    const or = run(`${header}
      var x: 0..2 = 0
      action Step {
        require x < 2 or x == 0
        x := x + 1
      }`);
    expect(either.stats.distinct).toBe(3);
    expect(or.stats.distinct).toBe(3);
    // x = 0 enables both branches: two successors (the same state) instead of one.
    expect(either.stats.generated).toBe(or.stats.generated + 1);
  });

  it('gives several initial states in init', () => {
    expect(reachable(`${header}
      var x: Int
      var y: Int
      init { either { x := 1 } or { x := 2 }
             y := x }`)).toEqual(['x=1 y=1', 'x=2 y=2']);
  });

  it('nests, and a pick in a branch branches within it', () => {
    const steps = stepsFromInit(`${header}
      var x: Int = 0
      action A {
        either { pick v in {1, 2}
                 x := v } or { either { x := 3 } or { x := 4 } }
      }`);
    expect(steps).toEqual(['A() x=1', 'A() x=2', 'A() x=3', 'A() x=4']);
  });

  it('is not reserved: either stays usable as a name', () => {
    const steps = stepsFromInit(`${header}
      var either: Int = 0
      action A { either := either + 1 }`);
    expect(steps).toEqual(['A() either=1']);
  });

  it('needs two branches (E220)', () => {
    expect(diagnostics(`${header}
var x: Int = 0
action A { either { x := 1 } }`)).toEqual([`E220 4:12 'either' needs at least two branches`]);
  });

  it('in a process: the step that reaches it decides, and a branch may hold labels', () => {
    const states = reachable(`${header}
      var x: Int = 0
      process P {
        a: either {
             b: x := 1
           } or {
             x := 2
             goto a2
           }
        a2: x := x + 10
      }`);
    expect(states).toEqual([
      'x=0 P.pc=a', 'x=0 P.pc=b', 'x=1 P.pc=a2', 'x=11 P.pc=done', 'x=12 P.pc=done', 'x=2 P.pc=a2',
    ]);
  });

  it('in a process: a label in a branch inside a for loop is refused as any label in a for', () => {
    expect(diagnostics(`${header}
var x: Int = 0
process P {
  a: for i in 1..2 { either { b: x := i } or { x := 0 } }
}`).map((d) => d.split(' ')[0])).toContain('E215');
  });
});

describe('pick over an empty set', () => {
  it('disables the step instead of failing', () => {
    expect(stepsFromInit(`${header}
      var s: Set[Int] = {}
      var x: Int = 0
      action A { pick v in s
                 x := v }
      action B { x := 7 }`)).toEqual(['B() s={} x=7']);
  });

  it('disables the step when no element satisfies where', () => {
    expect(stepsFromInit(`${header}
      var x: Int = 0
      action A { pick v in {1, 3} where v % 2 == 0
                 x := v }`)).toEqual([]);
  });

  it('only disables its branch of an either', () => {
    expect(stepsFromInit(`${header}
      var x: Int = 0
      action A { either { pick v in {} where v > 0
                          x := 1 } or { x := 2 } }`)).toEqual(['A() x=2']);
  });

  it('is a deadlock when nothing else is enabled, not an error', () => {
    const r = run(`${header}
      var s: Set[0..1] = {0, 1}
      action Take { pick v in s
                    s := s minus {v} }`, true);
    expect(r.outcome.kind).toBe('deadlock');
  });

  it('is explained by replay as the pick that found no element', () => {
    const { system } = compile(`${header}
      var s: Set[Int] = {}
      action A { pick v in s
                 s := {v} }`);
    const inits: unknown[][] = [];
    system.initialStates((st) => inits.push(st));
    const e = system.explainStep(inits[0] as never, { action: 'A', params: [] });
    expect(e.kind).toBe('rejected');
    if (e.kind === 'rejected') expect(e.require.keyword).toBe('pick');
  });

  it('leaves choose with E704', () => {
    const err = faultOf(`${header}
      var x: Int = 0
      action A { x := choose v in {1, 2}: v > 5 }`);
    expect((err.location as { code: string }).code).toBe('E704');
  });
});

describe('recursive definitions', () => {
  it('computes with self and mutual recursion', () => {
    const { system } = compile(`${header}
      var ok: Bool = true
      def fact(n: Int): Int = if n == 0 then 1 else n * fact(n - 1)
      def even(k: Int): Bool = if k == 0 then true else odd(k - 1)
      def odd(k: Int): Bool = if k == 0 then false else even(k - 1)
      def rev(s: Seq[Int]): Seq[Int] = if len(s) == 0 then [] else append(rev(tail(s)), head(s))
      invariant I: fact(5) == 120 and even(10) and odd(7) and rev([1, 2, 3]) == [3, 2, 1]`);
    expect(system.invariants[0]!.holds([true])).toBe(true);
  });

  it('may be used in constants and initial values (the constant analysis terminates)', () => {
    const { system } = compile(`${header}
      def fact(n: Int): Int = if n == 0 then 1 else n * fact(n - 1)
      const N: Int = fact(3)
      var x: 0..10 = fact(3) - 1
      action A { require x < N
                 x := x + 1 }`);
    expect(system.constValues[0]!.value).toBe(6);
    const r = explore1(system);
    expect(r).toEqual([5, 6]);
  });

  it('reports a recursive definition that reads the state where a constant is required (E216)', () => {
    const d = diagnostics(`${header}
var x: Int = 0
def f(n: Int): Int = if n == 0 then x else f(n - 1)
const N: Int = f(2)
action A { x := N }`);
    expect(d.map((x) => x.split(' ')[0])).toEqual(['E216']);
  });

  it('keeps E211 for a definition without parameters that depends on itself', () => {
    expect(diagnostics(`${header}
var x: Int = 0
def a: Int = b(1)
def b(n: Int): Int = a + n
action A { x := a }`)).toEqual([`E211 4:5 'a' is defined in terms of itself (a → b → a)`]);
  });

  it(`stops at ${MAX_DEF_DEPTH} nested calls with E709 at the outermost call`, () => {
    const err = faultOf(`${header}
      var x: Int = 0
      def down(n: Int): Int = if n == 0 then 0 else down(n - 1)
      action A { x := down(x - 1) }`);
    expect((err.location as { code: string }).code).toBe('E709');
    expect(err.message).toContain(`'down'`);
    expect(err.label).toMatchObject({ action: 'A' });
    // Exactly the limit still works.
    const { system } = compile(`${header}
      var ok: Bool = true
      def down(n: Int): Int = if n == 0 then 0 else down(n - 1)
      invariant Deep: down(${MAX_DEF_DEPTH - 1}) == 0`);
    expect(system.invariants[0]!.holds([true])).toBe(true);
    const over = compile(`${header}
      var ok: Bool = true
      def down(n: Int): Int = if n == 0 then 0 else down(n - 1)
      invariant Deep: down(${MAX_DEF_DEPTH}) == 0`).system;
    expect(() => over.invariants[0]!.holds([true])).toThrow(/recursion too deep/);
  });

  it('gives E709, not a crash, when recursion runs away through two definitions', () => {
    const err = faultOf(`${header}
      var x: Int = 0
      def ping(n: Int): Int = pong(n + 1)
      def pong(n: Int): Int = ping(n + 1)
      action A { x := ping(0) }`);
    expect((err.location as { code: string }).code).toBe('E709');
  });
});

describe('sequence operations', () => {
  it('evaluates slice, insertAt, removeAt, the filter and the comprehensions', () => {
    const { system } = compile(`${header}
      var ok: Bool = true
      invariant Seqs:
        slice([5, 6, 7, 8], 1, 3) == [6, 7] and slice([5, 6], 0, 0) == [] and slice([5, 6], 2, 2) == []
        and insertAt([1, 2], 0, 9) == [9, 1, 2] and insertAt([1, 2], 2, 9) == [1, 2, 9] and insertAt([1, 2], 1, 9) == [1, 9, 2]
        and removeAt([1, 2, 3], 1) == [1, 3] and removeAt([4], 0) == []
        and [x in [3, 1, 4, 1, 5] | x < 4] == [3, 1, 1] and [x in [1, 2] | false] == []
        and [x * 2 : x in [3, 1, 3]] == [6, 2, 6] and [i : i in 3..5] == [3, 4, 5] and [i : i in 5..3] == []
        and [x : x in {3, 1, 2}] == [1, 2, 3] and [(i, i * i) : i in 0..2] == [(0, 0), (1, 1), (2, 4)]`);
    expect(system.invariants[0]!.holds([true])).toBe(true);
  });

  it.each([
    ['slice([1, 2], 1, 3)', 'E705'],
    ['slice([1, 2], 2, 1)', 'E705'],
    ['slice([1, 2], -1, 1)', 'E705'],
    ['insertAt([1, 2], 3, 0)', 'E705'],
    ['removeAt([1, 2], 2)', 'E705'],
    ['removeAt([], 0)', 'E705'],
  ])('reports %s out of bounds (%s)', (call, code) => {
    const err = faultOf(`${header}
      var s: Seq[Int] = []
      action A { s := ${call} }`);
    expect((err.location as { code: string }).code).toBe(code);
  });

  it.each([
    ['slice({1}, 0, 1)', `'slice' needs a sequence`],
    ['slice([1], true, 1)', `'slice' needs an integer`],
    ['insertAt([1], 0, true)', 'the element inserted should be Int'],
    ['removeAt([1], [0])', `'removeAt' needs an integer`],
    ['[x in {1, 2} | x > 1]', 'filters a sequence'],
    ['[x : x in 5]', 'runs over a sequence, a range or a set'],
    ['[x in [1] | x + 1]', 'a filter condition should be Bool'],
  ])('refuses %s (E205)', (expr, message) => {
    const d = diagnostics(`${header}
var s: Seq[Int] = []
invariant I: ${expr} == ${expr}`);
    expect(d.length).toBeGreaterThan(0);
    expect(d[0]).toMatch(/^E205 /);
    expect(d[0]).toContain(message);
  });

  it('keeps the map constructor [k in S |-> e] apart from the filter [x in s | c]', () => {
    const { system } = compile(`${header}
      var ok: Bool = true
      invariant I: [k in {1, 2} |-> k * 2][2] == 4 and [k in [1, 2] | k == 2] == [2]`);
    expect(system.invariants[0]!.holds([true])).toBe(true);
  });
});

describe('P(i) at {a, b}', () => {
  it('holds when the pc is at any of the labels', () => {
    const text = `${header}
      var x: Int = 0
      process P(i: 1..2) {
        a: x := x + 1
        b: x := x + 1
        c: x := x + 1
      }
      invariant AB: (P(1) at {a, b}) == (P(1) at a or P(1) at b)
      invariant Done: P(2) at {c, done} implies x >= 2
      invariant QAt: Q at {q, skip}
      process Q { q: skip: goto q }`;
    const r = run(text);
    expect(r.outcome.kind).toBe('ok');
    const bad = run(text.replace('QAt: Q at {q, skip}', 'QAt: Q at {skip, done}'));
    expect(bad.outcome.kind).toBe('invariant');
    if (bad.outcome.kind === 'invariant') expect(bad.outcome.trace.states.length).toBe(1);
  });

  it('reports an unknown label in the list (E201)', () => {
    const d = diagnostics(`${header}
var x: Int = 0
process P { a: x := 1 }
invariant I: P at {a, nowhere}`);
    expect(d).toEqual([`E201 5:23 process 'P' has no label 'nowhere'`]);
  });
});

describe('a keyword used as a name', () => {
  it.each([
    ['var in: Int = 0', 'in'],
    ['action A { let at = 1 }', 'at'],
    ['action A(for: 0..1) { }', 'for'],
    ['def f(in: Int): Int = 1', 'in'],
  ])('%s is a syntax error that says %s is a keyword', (line, word) => {
    const d = diagnostics(`${header}${line}\n`);
    expect(d).toHaveLength(1);
    expect(d[0]).toMatch(/^E100 /);
    expect(d[0]).toContain(`'${word}' is a keyword and cannot be used as a name`);
  });

  it('leaves other syntax errors as they were', () => {
    const d = diagnostics(`${header}var x: Int = 0\naction A { x := }\n`);
    expect(d[0]).toMatch(/^E100 3:17 unexpected '}'/);
  });
});

/** The values of the first variable over every reachable state, sorted. */
function explore1(system: ReturnType<typeof compile>['system']): unknown[] {
  const seen = new Set<unknown>();
  let frontier: unknown[][] = [];
  system.initialStates((s) => frontier.push(s));
  while (frontier.length > 0) {
    const next: unknown[][] = [];
    for (const s of frontier) {
      if (seen.has(s[0])) continue;
      seen.add(s[0]);
      system.successors(s as never, (t) => next.push(t));
    }
    frontier = next;
  }
  return [...seen].sort();
}
