/**
 * The values of state-free definitions, kept by the generic engine (memoBody in
 * src/lang/compile/expressions.ts): which definitions are kept (CheckedDef.stateFree, from
 * the checker), that a kept value is used, and that nothing the spec can see changes: the
 * verdicts, counts and errors, the work charged to --max-eval-work (E715) and the depth of
 * recursion (E709) are those of the computation the kept value stands for.
 */
import { describe, expect, it, afterEach } from 'vitest';
import { loadSpec, runCheck, selectChecks, type CheckResult } from '../src/engine/run.js';
import { MEMO_WEIGHT, memoCounts } from '../src/lang/compile/expressions.js';
import { DEFAULT_MAX_EVAL_WORK, setMaxEvalWork } from '../src/lang/work.js';
import type { RuntimeLocation } from '../src/lang/compile.js';

afterEach(() => setMaxEvalWork(DEFAULT_MAX_EVAL_WORK));

function run(text: string, check?: string): CheckResult {
  const { spec } = loadSpec('memo.spex', text);
  const [c] = selectChecks(spec, check);
  return runCheck(spec, c, new Map(), { engine: 'generic', workers: 1 });
}

function stateFree(text: string): Record<string, boolean | undefined> {
  const { spec } = loadSpec('memo.spex', text);
  return Object.fromEntries(spec.defs.map((d) => [d.name, d.stateFree]));
}

/** What a run says: verdict, counts, and for a run-time error its code, message and place. */
function summary(r: CheckResult): unknown {
  const o = r.result?.outcome;
  const loc = o?.kind === 'fault' ? (o.error.location as RuntimeLocation | undefined) : undefined;
  return {
    verdict: r.verdict,
    distinct: r.result?.stats.distinct,
    generated: r.result?.stats.generated,
    code: loc?.code,
    at: loc?.span.source.text.slice(loc.span.start, loc.span.end),
    message: o?.kind === 'fault' ? o.error.message : undefined,
    trace: o !== undefined && 'trace' in o ? o.trace.states.length : undefined,
  };
}

describe('state-free definitions', () => {
  it('are those that read no state themselves or through the definitions they call', () => {
    expect(stateFree(`spec S
var x: 0..3 = 0
def plain(k: Int): Int = k + 1
def viaVar(k: Int): Int = x + k
def viaCall(k: Int): Set[Int] = {viaVar(k) + i : i in 0..2}
def viaCallOfCall(k: Int): Int = size(viaCall(k))
def pure(k: Int): Set[Int] = {plain(k) + i : i in 0..2}
def constant: Set[Int] = {i * i : i in 0..9}
def rec(n: Int): Int = if n <= 0 then 0 else rec(n - 1) + x
def mutual(n: Int): Int = if n <= 0 then 0 else other(n - 1)
def other(n: Int): Int = mutual(n) + x
action Inc { x := (x + 1) % 4 }
`)).toEqual({ plain: true, viaVar: false, viaCall: false, viaCallOfCall: false, pure: true, constant: true, rec: false, mutual: false, other: false });
  });

  it('that read a process variable or `at` read the state', () => {
    expect(stateFree(`spec P
var x: 0..3 = 0
def free(k: Int): Int = k
process W {
  var y: 0..3 = 0
  a: while true { y := (y + 1) % 4  x := y }
}
def atA: Bool = W at a
def ofW: Int = W.y
`)).toEqual({ free: true, atA: false, ofW: false });
  });

  it('a definition that reads the state through another is evaluated in every state', () => {
    // Kept after its first evaluation (x = 0), s(0) would never hold 3 and the violation would be missed.
    const r = run(`spec S
var x: 0..5 = 0
def r(k: Int): Int = x + k
def s(k: Int): Set[Int] = {r(k) + i : i in 0..2}
action Inc { require x < 5  x := x + 1 }
invariant Small: forall v in s(0): v < 3
`);
    expect(r.verdict).toEqual({ kind: 'violation', name: 'Small' });
    expect(summary(r)).toMatchObject({ trace: 2 });
  });

  it('a kept value is used: a recursive definition is computed once per argument', () => {
    memoCounts.hits = 0;
    memoCounts.misses = 0;
    const r = run(`spec Fib
var n: 0..20 = 0
def fib(k: Int): Int = if k < 2 then k else fib(k - 1) + fib(k - 2)
action Next { require n < 20  n := n + 1 }
invariant Grows: fib(n) >= n - 1
check Up { deadlock off }
`);
    expect(r.verdict.kind).toBe('ok');
    // fib(0..20), each computed once, in the 21 states; without the memo fib(20) alone is 21,891 calls.
    expect(memoCounts.misses).toBe(21);
    expect(memoCounts.hits).toBeGreaterThan(0);
    expect(memoCounts.hits).toBeLessThan(200);
  });

  /**
   * Runs `text` (two states, whose invariant calls a definition with 10 different arguments)
   * with a memo of weight 50: entries of weight 11 (a set of 10, as the value or the argument),
   * four fit; the six others are computed in both states.
   */
  const withWeight50 = (text: string): void => {
    memoCounts.hits = 0;
    memoCounts.misses = 0;
    memoCounts.limit = 50;
    try {
      expect(run(text).verdict.kind).toBe('ok');
      expect(memoCounts.misses).toBe(10 + 6);
      expect(memoCounts.hits).toBe(4);
    } finally {
      memoCounts.limit = MEMO_WEIGHT;
    }
  };

  it('holds values up to its weight, and computes the others every time', () => {
    withWeight50(`spec Rows
var x: 0..1 = 0
def row(k: Int): Set[Int] = {k * 10 + i : i in 0..9}
action Flip { x := 1 - x }
invariant Rows: forall k in 0..9: size(row(k)) == 10
`);
  });

  it('weighs the arguments it keeps as well as the values', () => {
    // count(S) is a number, but each entry keeps its argument.
    withWeight50(`spec Args
var x: 0..1 = 0
def count(S: Set[Int]): Int = size({i : i in S})
action Flip { x := 1 - x }
invariant Counts: forall k in 0..9: count({k * 10 + i : i in 0..9}) == 10
`);
  });

  it('charges the work of the computation a kept value stands for: E715 where it came without the memo', () => {
    // big charges 100 + 100·100 = 10,100; then the forall 10,000.
    const spec = (stateful: boolean): string => `spec W
var x: 0..1 = 0
def big: Int = size({a * 100 + b : a in 0..99, b in 0..99})${stateful ? ' + x * 0' : ''}
action Flip { x := 1 - x }
invariant Twice: big + big > 0 and (forall i in 0..9999: i >= 0)
`;
    const both = (max: number): unknown => {
      setMaxEvalWork(max);
      const kept = summary(run(spec(false)));
      expect(kept).toEqual(summary(run(spec(true))));
      return kept;
    };
    // The second call would pass the budget: it is computed, and passes it inside.
    expect(both(15_000)).toMatchObject({ code: 'E715', at: '0..99' });
    // The two calls fit, the loop after them does not: the kept value charged what it saves.
    expect(both(25_000)).toMatchObject({ code: 'E715', at: '0..9999' });
    memoCounts.hits = 0;
    expect(both(40_000)).toMatchObject({ verdict: { kind: 'ok' } });
    expect(memoCounts.hits).toBeGreaterThan(0);
  });

  it('counts the recursion a kept value stands for: E709 where it came without the memo', () => {
    const spec = (stateful: boolean): string => `spec D
var x: 0..1 = 0
def down(n: Int): Int = if n <= 0 then 0 else down(n - 1) + 1${stateful ? ' + x * 0' : ''}
def deep(k: Int): Int = if k <= 0 then down(990) else deep(k - 1)
action Flip { x := 1 - x }
invariant A: down(990) >= 0
invariant B: deep(20) >= 0
`;
    const kept = summary(run(spec(false)));
    expect(kept).toMatchObject({ code: 'E709' });
    expect(kept).toEqual(summary(run(spec(true))));
  });

  it("keeps the verdicts and counts of the library's specs with recursive definitions", () => {
    // Quicksort's PermsOf and seqsOfLen, against TLC's figures (spec/tlaplus/README.md).
    const { spec } = loadSpec('spec/tlaplus/quicksort.spex');
    const [c] = selectChecks(spec, undefined);
    const r = runCheck(spec, c, new Map(), { engine: 'generic', workers: 1 });
    expect(r.verdict.kind).toBe('ok');
    expect(r.result?.stats.distinct).toBe(4548);
    expect(r.result?.stats.generated).toBe(11223);
  });
});
