/**
 * Reproducers of the bad outcomes `npm run fuzz` found (test/fuzz/cli.mjs), one per class, each
 * reduced to what caused it.
 *
 *   - A sequence that grows by one element a step (`s := append(s, 1)`, unbounded): every
 *     state fingerprinted the whole sequence again, and --max-states 20000 took over 10 s of
 *     CPU (quadratic). The fingerprint of an appended sequence now goes on from the one before.
 *   - A variable whose range type has no values (`var hr: (1 + 1 + ... + 1)..12`, the sum over
 *     12): the packed engine's layout took it and failed inside (exit 255). It now refuses the
 *     spec, and the generic engine reports the assignment (E703).
 *   - Nested quantifiers over a large constant (a sum of threes making about 27,000, in
 *     tcommit.spex or twophase-symmetric.spex): minutes in one state. Bounded by
 *     --max-eval-work (E715): below, test/eval-work.test.ts and the runtime fixture
 *     E715-work-budget.
 *   - `concat(q, not not ... slice(q, 0, 1))`: a Bool where a sequence belongs, reported (E205),
 *     and then joined with the sequence's type, which failed inside (exit 255). Joining
 *     incompatible types now keeps the first, and the checker goes on to report the error.
 *   - `exists v in 0..(12 + 12 + ... + 12): eventually always x == v`, a temporal formula over
 *     104,545 values: a chain of as many disjunctions, and the negation normal form recursed
 *     once per link (stack overflow, exit 255). Expanded parts are now joined as a balanced
 *     tree, and a formula of more than 10,000 subformulas is E228 before its tableau is built.
 *   - The same with a predicate of 800 nested `not`s (mutant 1-2173): the thousands of state
 *     predicates compiled before the size was passed took 11.8 s of CPU to report E228. The
 *     predicates are now compiled once the formula is known to be within the size.
 */
import { describe, expect, it } from 'vitest';
import { constOverrides, loadSpec, runCheck, selectChecks } from '../../src/engine/run.js';
import { SpecErrors } from '../../src/lang/diagnostics.js';
import { DEFAULT_MAX_EVAL_WORK, maxEvalWork, setMaxEvalWork } from '../../src/lang/work.js';
import { compileSpec, type RuntimeLocation } from '../../src/lang/compile.js';
import { compilePacked } from '../../src/lang/packed/index.js';
import { expandTree } from '../../src/lang/compile-temporal.js';
import { FormulaTooLarge } from '../../src/explore/ltl.js';
import { fingerprintValue, IList, ISet, mkSeq, noteAppend, type Value } from '../../src/values/index.js';

function fpOf(v: Value): [number, number] {
  const out = new Uint32Array(2);
  fingerprintValue(v, out);
  return [out[0]!, out[1]!];
}

describe('a sequence that grows by one element a step', () => {
  it('has the fingerprint of the same sequence built at once, at every length', () => {
    let s = mkSeq([]) as IList<Value>;
    for (let n = 1; n <= 80; n++) {
      const next = s.push(n % 4);
      noteAppend(s, next);
      // The one before is fingerprinted first, as the search does (its parent state).
      fpOf(s);
      expect(fpOf(next)).toEqual(fpOf(mkSeq(next.toArray()) as IList<Value>));
      s = next;
    }
  });

  it('is fingerprinted from the sequence before it, without walking it again', () => {
    let s = mkSeq(Array.from({ length: 100 }, (_, i) => i)) as IList<Value>;
    fpOf(s);
    const next = s.push(7);
    noteAppend(s, next);
    const whole = fpOf(mkSeq(next.toArray()) as IList<Value>);
    // Walking `next` element by element would call its forEach.
    Object.defineProperty(next, 'forEach', {
      value: () => {
        throw new Error('walked the whole sequence');
      },
    });
    expect(fpOf(next)).toEqual(whole);
    s = next;
  });

  it('a growing sequence explores to the state limit with the generic engine', () => {
    const text = `spec Grow
var s: Seq[0..3] = []
action Push { s := append(s, 1) }
`;
    const { spec } = loadSpec('grow.spex', text);
    const r = runCheck(spec, undefined, new Map(), { workers: 1, maxStates: 3000 });
    expect(r.verdict).toEqual({ kind: 'limit', limit: 'states' });
    expect(r.result!.stats.distinct).toBe(3000);
  });
});

describe('a variable of a range type without values', () => {
  const text = `spec Empty
var hr: (1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1)..12
init {
  pick h in 1..12
  hr := h
}
action Tick { hr := if hr == 12 then 1 else hr + 1 }
`;

  it('is refused by the packed engine, with the reason', () => {
    const { spec } = loadSpec('empty.spex', text);
    const generic = compileSpec(spec);
    const p = compilePacked(spec, new Map(), generic);
    expect(p.ok).toBe(false);
    expect(!p.ok && p.reason).toBe("the type of 'hr' has no values");
  });

  it('is refused naming the variable whose slots hold the empty type, wherever they lie', () => {
    // Slots before it (a map, process instances) and after it: the sizes of every slot are
    // computed once, and each variable looks at its own.
    const later = (decl: string, init: string) => `spec Later
const LO: Int = 12
var m: Map[1..3, 0..2] = [k in 1..3 |-> 0]
${decl}
var last: 0..1 = 0
init {
  ${init}
}
process P(i: 1..4) {
  s: last := 1
}
`;
    for (const [decl, init, name] of [
      ['var r: { a: 0..1, b: LO..3 }', 'r := { a: 0, b: 3 }', 'r'],
      ['var q: Map[1..2, LO..3]', 'q := [k in 1..2 |-> 3]', 'q'],
      ['var ok: 0..3', 'ok := 0', undefined],
    ] as const) {
      const { spec } = loadSpec('later.spex', later(decl, init));
      const p = compilePacked(spec, new Map(), compileSpec(spec));
      expect(p.ok ? undefined : p.reason, decl).toBe(name === undefined ? undefined : `the type of '${name}' has no values`);
    }
  });

  it('gets E703 from the generic engine (auto falls back)', () => {
    const { spec } = loadSpec('empty.spex', text);
    const r = runCheck(spec, undefined, new Map(), { workers: 1 });
    expect(r.engine).toBe('generic');
    expect(r.result!.outcome.kind).toBe('fault');
    const o = r.result!.outcome as Extract<NonNullable<typeof r.result>['outcome'], { kind: 'fault' }>;
    expect((o.error.location as RuntimeLocation).code).toBe('E703');
  });
});

describe('nested quantifiers over a constant made large', () => {
  it('stop with E715 in the first state instead of running for minutes', () => {
    const { spec } = loadSpec('spec/examples/tcommit.spex');
    const check = selectChecks(spec, undefined)[0];
    // A tenth of the default budget, which the invariant passes as it passes the default (the
    // default's own figures are test/eval-work.test.ts's), ten times sooner.
    const before = maxEvalWork();
    setMaxEvalWork(DEFAULT_MAX_EVAL_WORK / 10);
    let r: ReturnType<typeof runCheck>;
    try {
      r = runCheck(spec, check, constOverrides(spec, ['N=27000']), { workers: 1, maxStates: 20000 });
    } finally {
      setMaxEvalWork(before);
    }
    expect(r.result!.outcome.kind).toBe('fault');
    const o = r.result!.outcome as Extract<NonNullable<typeof r.result>['outcome'], { kind: 'fault' }>;
    expect((o.error.location as RuntimeLocation).code).toBe('E715');
    expect((o.error.location as RuntimeLocation).invariant).toBe('TCConsistent');
    expect(o.trace.states.length).toBe(1);
  });
});

describe('an argument of the wrong kind where a sequence, set or tuple is joined', () => {
  it.each([
    ['concat(q, true)', "'concat' needs a sequence, but this is Bool"],
    ['concat(q, not q)', "the operand of 'not' should be Bool, but this is Seq[Int]"],
  ])('%s is E205, not an internal error', (expr, message) => {
    const text = `spec T
var q: Seq[0..2] = [0]
action A {
  q := ${expr}
}
`;
    let err: unknown;
    try {
      loadSpec('t.spex', text);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(SpecErrors);
    const d = (err as SpecErrors).diagnostics;
    expect(d[0]!.code).toBe('E205');
    expect(d[0]!.message).toBe(message);
  });
});

describe('a temporal formula whose quantifier expands over a large domain', () => {
  const text = (n: number): string => `spec T
var x: 0..12 = 0
action Step { x := (x + 1) % 13 }
property Settles: exists v in 0..${n}: eventually (x == v or always x == v)
`;

  it('is E228 before the tableau is built, not a stack overflow or hours of construction', () => {
    // 104,545 values made a chain of as many disjunctions, and the negation normal form
    // recursed once per link (exit 255).
    const { spec } = loadSpec('t.spex', text(104_544));
    let err: unknown;
    try {
      compileSpec(spec);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(SpecErrors);
    const d = (err as SpecErrors).diagnostics;
    expect(d[0]!.code).toBe('E228');
    expect(d[0]!.message).toContain('more than 10,000 subformulas');
  });

  it('compiles none of its state predicates when it is E228 (fuzz mutant 1-2173)', () => {
    // A predicate of 800 nested `not`s under a quantifier over 100,001 values: the thousands
    // of predicates made before the size was passed took 11.8 s of CPU to report E228.
    const { spec } = loadSpec('t.spex', `spec T
var x: 0..12 = 0
action Step { x := (x + 1) % 13 }
property Settles: exists v in 0..100000: eventually always ${'not '.repeat(800)}x == v
`);
    const prop = spec.properties[0]!;
    const f = prop.decl.formula;
    if (f.kind !== 'general') throw new Error('expected a general formula');
    // The one domain, 0..100000 (compileSpec would stop at E228 itself).
    const domain = ISet<Value>(Array.from({ length: 100_001 }, (_, i) => i));
    let made = 0;
    expect(() => expandTree(f.tree, [], spec.slots, () => made++, () => domain)).toThrow(FormulaTooLarge);
    expect(made).toBe(0);
    // Within the size, every atom is made, in order.
    const small = loadSpec('s.spex', `spec S
var x: 0..12 = 0
action Step { x := (x + 1) % 13 }
property P: exists v in 0..3: eventually (x == v or always x != v)
`).spec;
    const g = small.properties[0]!.decl.formula;
    if (g.kind !== 'general') throw new Error('expected a general formula');
    const order: number[] = [];
    const ltl = expandTree(g.tree, [], small.slots, () => order.push(order.length) - 1 + 100, () => ISet<Value>([0, 1, 2, 3]));
    expect(order).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
    expect(JSON.stringify(ltl).match(/"i":\d+/g)).toEqual([100, 101, 102, 103, 104, 105, 106, 107].map((i) => `"i":${i}`));
  });

  it('a smaller one compiles and holds', () => {
    const { spec } = loadSpec('t.spex', `spec T
var x: 0..12 = 0
action Step { x := (x + 1) % 13 }
property Visits: (exists v in 0..500: eventually x == v) or eventually x == 5
`);
    const r = runCheck(spec, undefined, new Map(), { workers: 1 });
    expect(r.verdict).toEqual({ kind: 'ok' });
  });
});
