/**
 * Which quantifier domains keep their elements' array between evaluations
 * (ExprCompiler.keptDomain, src/lang/compile/expressions.ts): constants and state variables,
 * the same set object from one evaluation to the next; not domains computed afresh. And which
 * expressions are constant (ExprCompiler.isConstant), through every kind of operand.
 */
import { describe, expect, it } from 'vitest';
import type * as A from '../../src/lang/ast.js';
import { checkSpec } from '../../src/lang/check.js';
import { Compiler } from '../../src/lang/compile/statements.js';
import { parseSpec } from '../../src/lang/parser.js';

const text = `spec K
const N: Int = 3
type Proc = 0..N
var s: Set[Proc] = {}
var lo: 0..3 = 0
var hi: 0..3 = 3
def evens: Set[Int] = {x in 0..hi | x % 2 == 0}
invariant I1: forall p in Proc: p >= 0
invariant I2: forall p in 0..N: p >= 0
invariant I3: forall p in s: p >= 0
invariant I4: forall p in lo..hi: p >= 0
invariant I5: forall p in s union {0}: p >= 0
invariant I6: forall p in evens: p >= 0
invariant I7: forall t in {s}, p in t: p >= 0
action A { s := s union {1} }
`;

describe('kept quantifier domains', () => {
  it('keeps constants and state variables, and nothing computed at each evaluation', () => {
    const spec = checkSpec(parseSpec({ path: 'k.spex', text }));
    const cc = new Compiler(spec, new Map());
    const domains = spec.invariants.map((inv) => (inv.expr as Extract<A.Expr, { kind: 'quant' }>).binders.map((b) => cc.keptDomain(b.domain)));
    expect(Object.fromEntries(spec.invariants.map((inv, i) => [inv.name, domains[i]]))).toEqual({
      I1: [true], // a type, a constant
      I2: [true], // a constant range
      I3: [true], // a state variable
      I4: [false], // a range between two state variables
      I5: [false], // a set built at each evaluation
      I6: [false], // a definition, evaluated at each use
      I7: [false, false], // a set built from the state, and a local bound to its elements
    });
  });
});

describe('constant expressions (ExprCompiler.isConstant)', () => {
  // Each case's expression: constant or not, every operand of every kind counted.
  const cases: [string, boolean][] = [
    ['1 + N * 2', true],
    ['1 + N * lo', false],
    ['lo + 1', false],
    ['-N', true],
    ['-lo', false],
    ['not (N > 1)', true],
    ['not (lo > 1)', false],
    ['[1, 2, N][1]', true],
    ['[1, 2, N][lo]', false],
    ['[1, lo][0]', false],
    ['(1, N).1', true],
    ['(1, lo).1', false],
    ['{ a: 1, b: N }.b', true],
    ['{ a: 1, b: lo }.b', false],
    ['({ a: 1, b: N } with { b: 2 }).a', true],
    ['({ a: 1, b: N } with { b: lo }).a', false],
    ['({ a: lo, b: N } with { b: 2 }).a', false],
    ['({1 -> 2} with [1] = 3)[1]', true],
    ['({1 -> 2} with [lo] = 3)[1]', false],
    ['({1 -> 2} with [1] = lo)[1]', false],
    ['({1 -> N, 2 -> 3})[2]', true],
    ['({lo -> 1})[1]', false],
    ['({1 -> lo})[1]', false],
    ['size({1, 2, N})', true],
    ['size({1, lo})', false],
    ['if N > 1 then 1 else 2', true],
    ['if lo > 1 then 1 else 2', false],
    ['if N > 1 then lo else 2', false],
    ['if N > 1 then 1 else lo', false],
    ['len([1, N])', true],
    ['len([1, lo])', false],
    ['size(evens)', false],
    ['choose p in 0..N: p >= 0', false],
  ];
  const spec = checkSpec(parseSpec({ path: 'c.spex', text: text + cases.map(([e], i) => `invariant C${i}: (${e}) == (${e})\n`).join('') }));
  it.each(cases.map(([e, c], i) => [e, c, i] as const))('%s: %s', (_e, constant, i) => {
    const cc = new Compiler(spec, new Map());
    const inv = spec.invariants.find((x) => x.name === `C${i}`)!;
    expect(cc.isConstant((inv.expr as Extract<A.Expr, { kind: 'binary' }>).left)).toBe(constant);
  });
});
