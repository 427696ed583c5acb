/**
 * The checker's shared rules (src/lang/check/base.ts), each on a small spec: which types are
 * finite (action parameters must be), written types as messages quote them, names suggested
 * from enclosing scopes, range bounds of every kind of type that must not use a later
 * constant, records whatever order their fields are written in, and type names that cannot be
 * declared or resolved.
 */
import { describe, expect, it } from 'vitest';
import { checkSpec } from '../../src/lang/check.js';
import { SpecErrors } from '../../src/lang/diagnostics.js';
import { parseSpec } from '../../src/lang/parser.js';
import { compile, reachable } from './helpers.js';

const spec = (...lines: string[]): string => ['spec T', ...lines, ''].join('\n');

/** The diagnostics of a spec, as `CODE line:col message | hint`; [] when it checks. */
function diagnostics(text: string): string[] {
  try {
    const checked = checkSpec(parseSpec({ path: 't.spex', text }));
    return (checked.warnings ?? []).map((d) => `${d.code} ${d.message}`);
  } catch (err) {
    if (!(err instanceof SpecErrors)) throw err;
    return err.diagnostics.map((d) => {
      const at = d.span ? text.slice(0, d.span.start).split('\n') : undefined;
      return `${d.code}${at ? ` ${at.length}:${at[at.length - 1]!.length + 1}` : ''} ${d.message}${d.hint ? ` | ${d.hint}` : ''}`;
    });
  }
}

const param = (type: string): string => spec('var x: 0..1 = 0', `action A(p: ${type}) { x := 0 }`);
const infinite = (type: string, written = type): string =>
  `E210 3:13 action parameter 'p' has the infinite type ${written} | give it a finite type such as a range (0..N) or an enum, or write 'p in <set>'`;

describe('the checker base: finite types', () => {
  it('takes tuples, records, variants, sets and maps of finite types as finite', () => {
    for (const t of ['(0..2, Bool)', '{a: 0..1, b: Bool}', 'Set[(Bool, 0..1)]', 'Map[0..1, Bool]', 'Option[0..2]']) expect(diagnostics(param(t)), t).toEqual([]);
    expect(diagnostics(spec('type V = P | Q(0..1) | R', 'var x: 0..1 = 0', 'action A(p: V) { x := 0 }'))).toEqual([]);
    expect(diagnostics(spec('enum E { a, b }', 'var x: 0..1 = 0', 'action A(p: E, q: Bool) { x := 0 }'))).toEqual([]);
  });

  it('refuses a type with one infinite part anywhere', () => {
    for (const t of ['Int', '(0..2, Int)', '(Int, 0..2)', '{a: 0..1, b: Int}', '{a: Int, b: 0..1}', 'Map[0..1, Int]', 'Map[Int, 0..1]', 'Set[(Bool, Int)]', 'Seq[0..1]', 'Option[Int]']) expect(diagnostics(param(t)), t).toEqual([infinite(t)]);
    expect(diagnostics(spec('type V = P | Q(Int)', 'var x: 0..1 = 0', 'action A(p: V) { x := 0 }'))).toEqual([infinite('V').replace('3:13', '4:13')]);
    expect(diagnostics(spec('type V = P(0..1) | Q(Int) | R', 'var x: 0..1 = 0', 'action A(p: V) { x := 0 }'))).toEqual([infinite('V').replace('3:13', '4:13')]);
  });

  it('quotes a type as written, its spaces and line breaks made one space', () => {
    expect(diagnostics(param('Map[Int,\n     0..1]'))).toEqual([infinite('Map[Int,\n     0..1]', 'Map[Int, 0..1]')]);
    expect(diagnostics(param('(0..2,   Int)'))).toEqual([infinite('(0..2,   Int)', '(0..2, Int)')]);
  });
});

describe('the checker base: names', () => {
  it('suggests a name bound in an enclosing scope', () => {
    const d = diagnostics(spec('var x: 0..3 = 0', 'action A { x := 0 }', 'invariant I: forall abc in 0..3: exists d in 0..2: abd > d'));
    expect(d).toEqual(["E201 4:52 unknown name 'abd' | did you mean 'abc'?"]);
  });

  it('refuses to redeclare a built-in type or a name, once each', () => {
    expect(diagnostics(spec('type Int = 0..3', 'var x: 0..1 = 0', 'action A { x := 0 }'))).toEqual([expect.stringMatching(/^E203 2:6 'Int' is a built-in type and cannot be redeclared/)]);
    expect(diagnostics(spec('const x: Int = 1', 'var x: 0..1 = 0', 'action A { y := 0 }'))[0]).toBe("E203 3:5 'x' is declared twice | rename one of the two declarations");
  });

  it('names an unknown type, suggesting a declared one', () => {
    expect(diagnostics(spec('type Proc = 0..2', 'var x: Procs = 0', 'action A { x := 0 }'))).toEqual(["E202 3:8 unknown type 'Procs' | did you mean 'Proc'?"]);
    // A name that is not a type is not one.
    expect(diagnostics(spec('const C: Int = 1', 'var x: C = 0', 'action A { x := 0 }'))).toEqual([expect.stringMatching(/^E202 3:8 unknown type 'C'/)]);
  });
});

describe('the checker base: types that refer to themselves', () => {
  it('refuses a recursive variant, alias or pair of variants (E211)', () => {
    expect(diagnostics(spec('type T = A | B(T)', 'var x: 0..1 = 0', 'action A2 { x := 0 }'))).toEqual(["E211 2:16 type 'T' is defined in terms of itself | recursive types are not supported"]);
    expect(diagnostics(spec('type T = Set[T]', 'var x: 0..1 = 0', 'action A2 { x := 0 }'))).toEqual([expect.stringMatching(/^E211 2:14 type 'T' is defined in terms of itself/)]);
    expect(diagnostics(spec('type U = X(W) | Y', 'type W = Z(U) | R', 'var x: 0..1 = 0', 'action A2 { x := 0 }'))).toEqual([expect.stringMatching(/^E211 3:12 type 'U' is defined in terms of itself/)]);
  });

  it('resolves a variant used before its declaration, and an alias of an alias', () => {
    expect(diagnostics(spec('type W = Z(U) | R', 'type U = X(0..1) | Y', 'var w: W = Z(X(1))', 'action A2 { w := R }'))).toEqual([]);
    expect(reachable(spec('type A = B', 'type B = 0..2', 'var x: A = 0', 'action Inc { require x < 2  x := x + 1 }'))).toEqual(['x=0', 'x=1', 'x=2']);
  });
});

describe('the checker base: range bounds', () => {
  const later = "E216 constant 'B' is used before its value is known";
  it('refuses a later constant in a bound inside any kind of type', () => {
    for (const [t, v] of [['0..B', '0'], ['Set[0..B]', '{}'], ['Seq[0..B]', '[]'], ['Map[0..1, 0..B]', '[i in 0..1 |-> 0]'], ['Map[0..B, Bool]', '[i in 0..1 |-> true]'], ['(Bool, 0..B)', '(true, 0)'], ['{a: 0..B}', '{a: 0}'], ['Option[0..B]', 'None']]) {
      expect(diagnostics(spec(`const S: ${t} = ${v}`, 'const B: Int = 3', 'var x: 0..1 = 0', 'action A { x := 0 }')).map((d) => d.replace(/ \d+:\d+ /, ' ').split(' | ')[0]), t).toEqual([later]);
      expect(diagnostics(spec('const B: Int = 3', `const S: ${t} = ${v}`, 'var x: 0..1 = 0', 'action A { x := 0 }')), t).toEqual([]);
    }
    expect(diagnostics(spec('type V = P | Q(0..B)', 'const S: V = P', 'const B: Int = 3', 'var x: 0..1 = 0', 'action A { x := 0 }')).map((d) => d.replace(/ \d+:\d+ /, ' ').split(' | ')[0])).toEqual([later]);
  });

  it('refuses a state variable or a non-integer in a bound', () => {
    expect(diagnostics(spec('var x: 0..3 = 0', 'var y: 0..x = 0', 'action A { x := 0 }'))).toEqual([expect.stringMatching(/^E216 3:11 'x' is a state variable, but this expression must be constant/)]);
    expect(diagnostics(spec('const F: Bool = true', 'var y: 0..F = 0', 'action A { y := 0 }'))).toEqual([expect.stringMatching(/^E205 3:11 a range bound should be Int, but this is Bool/)]);
  });
});

describe('the checker base: records', () => {
  it('takes a record whatever order its fields are written in', () => {
    expect(reachable(spec('var r: {b: 0..1, a: Bool} = {a: true, b: 0}', 'action A { r := {b: 1, a: false} }'))).toEqual(['r={ a: false, b: 1 }', 'r={ a: true, b: 0 }']);
    const { spec: checked } = compile(spec('type R = {c: Bool, a: 0..1, b: 0..2}', 'var r: R = {b: 2, c: true, a: 0}', 'action A { r := r }'));
    expect(checked.vars[0]!.type).toMatchObject({ k: 'record', fields: ['a', 'b', 'c'] });
  });

  it('refuses a field declared twice (E203)', () => {
    expect(diagnostics(spec('var r: {a: 0..1, a: Bool} = {a: 0}', 'action A { r := r }'))[0]).toBe("E203 2:18 field 'a' is declared twice");
  });
});

describe('the checker base: more of what the rules decide', () => {
  it('gives each name bound in a constant its own slot', () => {
    // Two binders of a constant's expression: x and y must not share a slot.
    expect(reachable(spec('const K: Set[0..4] = {x + 2 * y : x in 0..1, y in 0..1}', 'var v: Set[0..4] = K', 'action A { v := v }'))).toEqual(['v={0, 1, 2, 3}']);
  });

  it('suggests only types for an unknown type', () => {
    expect(diagnostics(spec('const Size: Int = 3', 'var x: Sise = 0', 'action A { x := 0 }'))).toEqual(["E202 3:8 unknown type 'Sise'"]);
  });

  it('reports an unknown parameter type once, not also as infinite', () => {
    expect(diagnostics(spec('var x: 0..1 = 0', 'action A(p: Foo) { x := 0 }'))).toEqual([expect.stringMatching(/^E202 3:13 unknown type 'Foo'/)]);
  });

  it('names what an assignment target is when it is not a state variable', () => {
    expect(diagnostics(spec('type Shape = Sq | Ci(0..1)', 'var x: 0..1 = 0', 'action A { Sq := 0 }'))).toEqual(["E206 4:12 cannot assign to 'Sq': it is a case of Shape, not a state variable"]);
    expect(diagnostics(spec('enum E { a, b }', 'var x: 0..1 = 0', 'action A { a := 0 }'))).toEqual(["E206 4:12 cannot assign to 'a': it is a value of enum E, not a state variable"]);
  });
});
