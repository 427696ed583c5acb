/**
 * The resolutions the checker records for the compiler (src/lang/check/expressions.ts,
 * `this.res`): small specs checked, compiled and run, whose counts and verdicts depend on each
 * name, pattern and call being resolved to what it is.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadSpec, runCheck, selectChecks, type CheckResult } from '../../src/engine/run.js';
import { renderDiagnostic, SpecErrors } from '../../src/lang/diagnostics.js';

const tmp = mkdtempSync(join(tmpdir(), 'spex-check-run-mutants-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

let files = 0;
function run(lines: string[], engine: 'generic' | 'packed' = 'generic', check?: string): CheckResult {
  const path = join(tmp, `t${files++}.spex`);
  writeFileSync(path, lines.join('\n') + '\n');
  const { spec } = loadSpec(path);
  const [c] = selectChecks(spec, check);
  return runCheck(spec, c, new Map(), { engine, workers: 1 });
}

const counts = (r: CheckResult) => ({ verdict: r.verdict.kind, distinct: r.result?.stats.distinct, depth: r.result?.stats.depth });

/** Every kind of resolution the compiler reads: patterns, names, constructors, calls. */
const RESOLVED = [
  'spec Res',
  'enum Color { Red, Green }',
  'type Msg = Ping | Data(0..2)',
  'var box: Msg = Ping',
  'var c: Color = Red',
  'var o: Option[0..2] = None',
  'var n: 0..9 = 0',
  'def weight(m: Msg): Int = match m { Ping => 0, Data(v) => v + 1 }',
  'def hue(x: Color): Int = match x { Red => 1, Green => 2 }',
  'def val(p: Option[0..2]): Int = match p { None => 0, Some(v) => v + 1 }',
  'action Send(v: 0..2) {',
  '  require box is Ping',
  '  let w = v',
  '  box := Data(w)',
  '  o := Some(w)',
  '}',
  'action Clear {',
  '  require box is Data',
  '  box := Ping',
  '  o := None',
  '}',
  'action Paint(x: Color) { require x != c; c := x }',
  'action Count(b in Bool) { require b and n < size(Color) + size(Bool); n := n + 1 }',
  'invariant Agree: weight(box) == val(o)',
  'invariant Hue: hue(c) == (if c == Red then 1 else 2) and (c == Green) == (hue(c) > 1)',
];

describe('the resolutions the compiler reads, run', () => {
  it('a spec using each kind of name, pattern and call explores every state, both engines', () => {
    // box and o agree (4 ways), 2 colours, n from 0 to size(Color) + size(Bool) = 4.
    for (const engine of ['generic', 'packed'] as const) {
      expect(counts(run(RESOLVED, engine))).toEqual({ verdict: 'ok', distinct: 4 * 2 * 5, depth: 7 });
    }
  });

  it('each invariant is evaluated on what the names resolve to', () => {
    const r = run([...RESOLVED, 'invariant Never: not (box is Data and weight(box) == 3 and c == Green and n == 4)']);
    expect(r.verdict).toEqual({ kind: 'violation', name: 'Never' });
    const o = r.result?.outcome;
    expect(o?.kind === 'invariant' ? o.trace.labels.length : -1).toBe(6);
    const r2 = run([...RESOLVED, 'invariant NoneLeft: o != None or box == Ping']);
    expect(r2.verdict.kind).toBe('ok');
    const r3 = run([...RESOLVED, 'invariant AllBool: size(Bool) == 2 and size(Color) == 2 and Bool == {false, true} and Color == {Red, Green}']);
    expect(r3.verdict.kind).toBe('ok');
  });

  it("a process's own variable, read by its steps", () => {
    const spec = [
      'spec Proc',
      'var x: 0..9 = 0',
      'process P {',
      '  var k: 0..3 = 1',
      '  a: k := k + 1',
      '  b: x := k * 2',
      '}',
      'invariant Sum: x == 0 or x == 4',
    ];
    for (const engine of ['generic', 'packed'] as const) {
      const r = run(spec, engine);
      expect(counts(r)).toEqual({ verdict: 'ok', distinct: 3, depth: 3 });
    }
    const r = run([...spec, 'invariant Never: x != 4']);
    expect(r.verdict).toEqual({ kind: 'violation', name: 'Never' });
  });
});

/** The diagnostics of loading `lines`, as `code line:col message`. */
function errorsOf(lines: string[]): string[] {
  const path = join(tmp, `t${files++}.spex`);
  writeFileSync(path, lines.join('\n') + '\n');
  try {
    loadSpec(path);
    return [];
  } catch (e) {
    const ds = (e as { diagnostics?: { code: string; span: { line: number; col: number }; message: string }[] }).diagnostics;
    if (!ds) throw e;
    return ds.map((d) => `${d.code} ${d.message}`);
  }
}

describe('a constant that reads the state through a definition, inside each kind of expression', () => {
  const head = [
    'spec Reads',
    'enum Color { Red, Green }',
    'type Msg = Ping | Data(0..2)',
    'var x: 0..3 = 0',
    'def r(): Int = x',
    'action Step { x := 1 }',
  ];
  const kinds: [string, string][] = [
    ['call', 'max(r(), 1)'],
    ['unary', '-r()'],
    ['binary', '1 + r()'],
    ['binary, right', 'r() + 1'],
    ['index', '[1, 2][r()]'],
    ['index target', '(if r() == 0 then [1] else [2])[1]'],
    ['field', '{ a: r() }.a'],
    ['tupleItem', '(r(), 1).0'],
    ['withIndex', '([1, 2] with [1] = r())[1]'],
    ['withFields', '({ a: 1 } with { a: r() }).a'],
    ['tuple', '(1, r()).1'],
    ['setLit', 'size({1, r()})'],
    ['seqLit', 'len([1, r()])'],
    ['mapLit', '{1 -> r()}[1]'],
    ['mapLit key', 'size(keys({r() -> 1}))'],
    ['filter domain', 'size({y in {r()} | y > 0})'],
    ['filter condition', 'size({y in 0..2 | y > r()})'],
    ['image domain', 'size({y + 1 : y in {r()}})'],
    ['image body', 'size({r() : y in 0..2})'],
    ['mapFor domain', 'size(keys([y in {r()} |-> 1]))'],
    ['mapFor body', '[y in 0..2 |-> r()][0]'],
    ['seqFilter domain', 'len([y in [r()] | y > 0])'],
    ['seqFilter condition', 'len([y in [1] | y > r()])'],
    ['seqFor domain', 'len([y + 1 : y in [r()]])'],
    ['seqFor body', 'len([r() : y in [1]])'],
    ['ifThen condition', 'if r() == 0 then 1 else 2'],
    ['ifThen then', 'if true then r() else 2'],
    ['ifThen else', 'if false then 1 else r()'],
    ['let value', 'let y = r() in y'],
    ['let body', 'let y = 1 in y + r()'],
    ['quant domain', 'if (forall y in {r()}: y > 0) then 1 else 0'],
    ['quant body', 'if (exists y in 0..2: y == r()) then 1 else 0'],
    ['choose domain', 'choose y in {r(), 1}: y >= 0'],
    ['choose condition', 'choose y in 0..3: y >= r()'],
    ['match scrutinee', 'match (if r() == 0 then Ping else Data(1)) { Ping => 0, Data(v) => v }'],
    ['match arm', 'match Ping { Ping => r(), Data(v) => v }'],
    ['is', 'if (if r() == 0 then Ping else Data(1)) is Ping then 1 else 0'],
  ];
  it.each(kinds)('%s', (_kind, expr) => {
    const errs = errorsOf([...head, `const K: Int = ${expr}`]);
    expect(errs.some((e) => e.startsWith('E216 ') && e.includes("through definition 'r'"))).toBe(true);
    // The same expression over a constant definition is accepted.
    expect(errorsOf([...head, 'def q(): Int = 1', `const K: Int = ${expr.replaceAll('r()', 'q()')}`])).toEqual([]);
  });
});

describe("a constant that reads a process's state through a definition", () => {
  const head = ['spec ProcReads', 'process P {', '  var k: 0..3 = 0', '  a: k := 1', '}', 'process Q(i in 0..1) {', '  b: await true', '}'];
  it.each([
    ['a variable of a process', 'def s(): Int = P.k', 'const K: Int = s()'],
    ['where a process is', 'def s(): Bool = P at a', 'const K: Bool = s()'],
    ['where an instance is', 'def s(): Bool = Q(1) at b', 'const K: Bool = s()'],
  ])('%s', (_what, def, decl) => {
    const errs = errorsOf([...head, def, decl]);
    expect(errs.filter((e) => e.startsWith('E216 '))).toHaveLength(1);
    expect(errs.join('\n')).toContain("through definition 's'");
  });

  it('the instance of `at` is walked: a constant used there before its value is known', () => {
    const errs = errorsOf([...head, 'const K: Bool = Q(L) at b', 'const L: Int = 1']);
    expect(errs).toContain("E216 constant 'L' is used before its value is known");
  });
});

/** The diagnostics of loading `lines` (in a file of the temporary folder), rendered as the CLI does. */
function reportOf(lines: string[]): string {
  const path = join(tmp, `t${files++}.spex`);
  writeFileSync(path, lines.join('\n') + '\n');
  try {
    loadSpec(path);
    return '';
  } catch (e) {
    if (!(e instanceof SpecErrors)) throw e;
    return e.diagnostics.map((d) => renderDiagnostic(d)).join('\n');
  }
}

describe('names with no value, and their hints', () => {
  it('a name bound by let in an earlier step of a process', () => {
    const r = reportOf(['spec A', 'var x: 0..3 = 0', 'process P {', '  a: let y = 1', '     x := y', '  b: x := y', '}']);
    expect(r).toContain("error[E201]: unknown name 'y'");
    expect(r).toContain("hint: 'y' was bound in an earlier step: names bound by let and pick end at the next label; keep the value in a process variable ('var y: ...')");
    expect(r.match(/error\[/g)).toHaveLength(1);
  });

  it('a process with a parameter, and one without, used as a value', () => {
    const r = reportOf(['spec B', 'var x: 0..3 = 0', 'process Q(i in 0..1) {', '  a: x := 1', '}', 'process R {', '  a: x := 2', '}', 'invariant I: Q == R']);
    expect(r).toContain("error[E205]: 'Q' is a process and has no value here");
    expect(r).toContain("hint: test where it is with 'Q(<i>) at <label>'");
    expect(r).toContain("error[E205]: 'R' is a process and has no value here");
    expect(r).toContain("hint: test where it is with 'R at <label>'");
  });

  it('an imported spec used as a value', () => {
    writeFileSync(join(tmp, 'hour.spex'), ['spec H', 'var hr: 1..12 = 1', 'action Tick { hr := if hr == 12 then 1 else hr + 1 }'].join('\n') + '\n');
    const r = reportOf(['spec D', 'var hour: 0..11 = 0', 'action Tick { hour := (hour + 1) % 12 }', 'import Hc from "hour.spex" with { hr: hour + 1 }', 'invariant I: Hc == 1']);
    expect(r).toContain("error[E205]: 'Hc' is an imported spec and has no value here");
    expect(r).toContain("hint: its variables are the mapped expressions of 'import Hc ... with { ... }'");
  });

  it("'not in' a map, and 'in' a map", () => {
    for (const op of ['in', 'not in']) {
      const r = reportOf(['spec C', 'var m: Map[0..1, Bool] = [i in 0..1 |-> true]', `invariant I: 1 ${op} m`]);
      expect(r).toContain(`error[E205]: '${op}' needs a set on the right, but this is Map[Int, Bool]`);
      expect(r).toContain('hint: use keys(m) for the keys of a map');
    }
  });
});

describe('what a constant set of a property reads, named', () => {
  const head = ['spec E', 'var x: 0..3 = 0', 'process P {', '  var k: 0..3 = 0', '  a: k := 1', '}', 'action Step { x := 1 }'];
  it.each([
    ['{x, 1}', "8:27: error[E216]: a property quantifies over a constant set, but this reads the state variable 'x'"],
    ['{P.k}', '8:27: error[E216]: a property quantifies over a constant set, but this reads the state of a process'],
    ['(if P at a then {1} else {2})', '8:30: error[E216]: a property quantifies over a constant set, but this reads the state of a process'],
    // The first read is named, not a later one.
    ['{r(), s()}', "8:27: error[E216]: a property quantifies over a constant set, but this reads the state through definition 'r'"],
    ['{s(), r()}', "8:27: error[E216]: a property quantifies over a constant set, but this reads the state through definition 's'"],
  ])('%s', (domain, error) => {
    const r = reportOf([...head, `property Pr: forall i in ${domain}: x == i ~> x == 0`, 'def r(): Int = x', 'def s(): Int = P.k']);
    expect(r).toContain(error);
    expect(r.match(/error\[/g)).toHaveLength(1);
  });

  it("'in' a set of another kind than a map has no hint", () => {
    for (const op of ['in', 'not in']) {
      const r = reportOf(['spec C', 'var m: 0..1 = 0', `invariant I: 1 ${op} m`]);
      expect(r).toContain(`error[E205]: '${op}' needs a set on the right, but this is Int`);
      expect(r).not.toContain('hint');
    }
  });
});
