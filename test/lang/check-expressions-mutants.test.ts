/**
 * The checker's type rules (src/lang/check/expressions.ts, src/lang/check/base.ts), in-process.
 *
 * The golden files of test/fixtures/diagnostics/ and test/fixtures/warnings/ are compared
 * through the built CLI (test/diagnostics.test.ts, test/warnings.test.ts), in a child process
 * that a change of src/ cannot reach before a build. Here every fixture that `spex parse` runs
 * is loaded in this process and its report rendered as the CLI renders it, then compared with
 * the same golden file: the message, the position and the hint of every diagnostic, their
 * order and their number. Every spec of spec/ and of the other fixture folders loads without
 * an error. Then every type rule of expressions on one expression each, after declarations of
 * every kind: what it accepts, and the diagnostics of what it refuses.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { constOverrides, loadSpec } from '../../src/engine/run.js';
import { checkSpec } from '../../src/lang/check.js';
import { renderDiagnostic, SpecErrors } from '../../src/lang/diagnostics.js';
import { parseSpec } from '../../src/lang/parser.js';
import { specFiles } from '../support/spec-files.js';

/** What `spex parse FILE` prints on stderr, computed in this process. */
export function parseReport(path: string, text?: string): string {
  try {
    const { spec } = loadSpec(path, text);
    return (spec.warnings ?? []).map((d) => renderDiagnostic(d) + '\n\n').join('');
  } catch (e) {
    if (!(e instanceof SpecErrors)) throw e;
    const n = e.diagnostics.length;
    return e.diagnostics.map((d) => renderDiagnostic(d) + '\n' + '\n').join('') + `${n} error${n === 1 ? '' : 's'}\n`;
  }
}

/** The fixtures of `dir` that `spex parse` runs (no `// run:` line, or `// run: parse`). */
function parseFixtures(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((f) => f.endsWith('.spex'))
    .sort()
    .filter((f) => {
      const lines = readFileSync(join(dir, f), 'utf8').split('\n');
      for (const line of lines) {
        if (!line.startsWith('//')) break;
        const r = /^\/\/ run: (\S+)/.exec(line);
        if (r) return r[1] === 'parse';
      }
      return true;
    });
}

describe('the checker in-process: the golden files of `spex parse`', () => {
  const diagnostics = parseFixtures('test/fixtures/diagnostics');
  const warnings = parseFixtures('test/fixtures/warnings');

  it('finds the fixtures', () => {
    expect(diagnostics.length).toBeGreaterThan(50);
    expect(warnings.length).toBeGreaterThan(0);
  });

  it.each([...diagnostics.map((f) => `test/fixtures/diagnostics/${f}`), ...warnings.map((f) => `test/fixtures/warnings/${f}`)])('%s', (path) => {
    const golden = path.replace(/\.spex$/, '.txt');
    expect(parseReport(path)).toBe(readFileSync(golden, 'utf8'));
  });
});

/** The fixtures whose command is `check --const NAME=VALUE ...` and nothing else. */
function constFixtures(dir: string): [string, string[]][] {
  return readdirSync(dir)
    .filter((f) => f.endsWith('.spex'))
    .sort()
    .flatMap((f): [string, string[]][] => {
      const line = readFileSync(join(dir, f), 'utf8')
        .split('\n')
        .find((l) => l.startsWith('// run: '));
      const m = /^\/\/ run: check((?: --const \S+)+)$/.exec(line ?? '');
      return m ? [[`${dir}/${f}`, m[1]!.trim().split(/\s+/).filter((w) => w !== '--const')]] : [];
    });
}

describe('the checker in-process: the golden files of `spex check --const`', () => {
  const fixtures = constFixtures('test/fixtures/diagnostics');

  it('finds the fixtures', () => {
    expect(fixtures.length).toBeGreaterThan(2);
  });

  it.each(fixtures)('%s', (path, consts) => {
    const { spec } = loadSpec(path);
    let report = '';
    try {
      constOverrides(spec, consts);
    } catch (e) {
      if (!(e instanceof SpecErrors)) throw e;
      const n = e.diagnostics.length;
      report = e.diagnostics.map((d) => renderDiagnostic(d) + '\n\n').join('') + `${n} error${n === 1 ? '' : 's'}\n`;
    }
    expect(report).toBe(readFileSync(path.replace(/\.spex$/, '.txt'), 'utf8'));
  });
});

describe('the checker in-process: specs that load', () => {
  // The fixtures of these folders are specs that run (their errors, if any, come at run time).
  const files = [...specFiles('spec'), ...specFiles('test/fixtures').filter((f) => !/fixtures[/\\](diagnostics|warnings|cli)[/\\]/.test(f))];

  it.each(files)('%s', (path) => {
    let error = '';
    try {
      loadSpec(path);
    } catch (e) {
      if (!(e instanceof SpecErrors)) throw e;
      error = e.diagnostics.map((d) => renderDiagnostic(d)).join('\n');
    }
    expect(error).toBe('');
  });
});

/** Declarations of every kind, for the expressions below to use. */
const CONTEXT = [
  'spec T',
  'type Res = 0..2',
  'enum Color { red, green }',
  'type Shape = Circle(0..3) | Square | Tri(Bool)',
  'type Point = {x: 0..3, y: 0..3}',
  'const N: Int = 2',
  'var n: 0..3 = 0',
  'var b: Bool = false',
  'var s: Set[0..3] = {}',
  'var q: Seq[0..3] = []',
  'var m: Map[0..2, Bool] = [i in 0..2 |-> false]',
  'var o: Option[0..3] = None',
  'var p: Point = {x: 0, y: 0}',
  'var t: (0..1, Bool) = (0, false)',
  'var sh: Shape = Square',
  'var c: Color = red',
  'enum Mode { on, off }',
  'type Big = Int',
  'var qs: Seq[Set[0..1]] = []',
  'var ms: Map[0..1, Set[0..1]] = [i in 0..1 |-> {}]',
  'def inc(k: Int): Int = k + 1',
  'def two: Int = 2',
  'action Step { n := n }',
  "always step Steady: n' == n",
  'process Worker { var w: 0..1 = 0  start: w := 1 }',
  'procedure proc() { r: return }',
  'invariant Inv: n >= 0',
  'property Prop: always b',
  'type Other = Foo | Bar',
  'var ot: Other = Foo',
  'type Num = Int',
].join('\n');

/** The diagnostics of `def probe: Bool = EXPR` after CONTEXT, as `CODE column message | hint`. */
function probe(expr: string): string[] {
  const text = `${CONTEXT}\ndef probe: Bool = ${expr}\n`;
  const line = CONTEXT.split('\n').length + 1;
  try {
    checkSpec(parseSpec({ path: 't.spex', text }));
    return [];
  } catch (e) {
    if (!(e instanceof SpecErrors)) throw e;
    return e.diagnostics.map((d) => {
      const before = text.slice(0, d.span!.start).split('\n');
      expect(before.length).toBe(line);
      return `${d.code} ${before[before.length - 1]!.length + 1} ${d.message}${d.hint ? ` | ${d.hint}` : ''}`;
    });
  }
}

describe('the checker in-process: the type rules of expressions', () => {
  // Every rule of src/lang/check/expressions.ts: what it accepts, and what it refuses with
  // which diagnostic (code, column on the line of the expression, message, hint).
  const table: [string, string[]][] = [
    ['n', ['E205 19 the result of \'probe\' should be Bool, but this is Int']],
    ['-b', ['E205 20 the operand of \'-\' should be Int, but this is Bool', 'E205 19 the result of \'probe\' should be Bool, but this is Int']],
    ['not n', ['E205 23 the operand of \'not\' should be Bool, but this is Int']],
    ['sh is Square', []],
    ['sh is Sqare', ['E201 25 Shape has no case \'Sqare\' | did you mean \'Square\'?']],
    ['n is Square', ['E205 19 \'is\' tests a variant, but this is Int']],
    ['m[b]', ['E205 21 a map key should be Int, but this is Bool']],
    ['q[b]', ['E205 21 a sequence index should be Int, but this is Bool', 'E205 19 the result of \'probe\' should be Bool, but this is Int']],
    ['n[0]', ['E205 19 cannot index into Int']],
    ['t[0]', ['E205 19 cannot index into (Int, Bool) | use .0, .1, ... for tuple items']],
    ['p.z', ['E209 21 { x: Int, y: Int } has no field \'z\' | did you mean \'x\'?']],
    ['p.x', ['E205 19 the result of \'probe\' should be Bool, but this is Int']],
    ['n.x', ['E205 19 Int has no fields']],
    ['s.size', ['E205 19 Set[Int] has no fields | the number of elements is size(s), not .size']],
    ['q.length', ['E205 19 Seq[Int] has no fields | the number of elements is len(q), not .length']],
    ['t.2', ['E209 19 (Int, Bool) has no item 2 | items are numbered from 0 to 1']],
    ['n.0', ['E205 19 Int is not a tuple']],
    ['m with [b] = true', ['E205 27 a map key should be Int, but this is Bool', 'E205 19 the result of \'probe\' should be Bool, but this is Map[Int, Bool]']],
    ['m with [0] = 3', ['E205 32 a map value should be Bool, but this is Int', 'E205 19 the result of \'probe\' should be Bool, but this is Map[Int, Bool]']],
    ['q with [true] = 1', ['E205 27 a sequence index should be Int, but this is Bool', 'E205 19 the result of \'probe\' should be Bool, but this is Seq[Int]']],
    ['q with [0] = true', ['E205 32 a sequence element should be Int, but this is Bool', 'E205 19 the result of \'probe\' should be Bool, but this is Seq[Int]']],
    ['n with [0] = 1', ['E205 19 \'with [k] = v\' updates a map or a sequence, not Int']],
    ['p with { x: true }', ['E205 31 field \'x\' should be Int, but this is Bool', 'E205 19 the result of \'probe\' should be Bool, but this is { x: Int, y: Int }']],
    ['p with { z: 1 }', ['E209 28 { x: Int, y: Int } has no field \'z\' | did you mean \'x\'?', 'E205 19 the result of \'probe\' should be Bool, but this is { x: Int, y: Int }']],
    ['n with { x: 1 }', ['E205 19 \'with { ... }\' updates a record, not Int', 'E205 19 the result of \'probe\' should be Bool, but this is Int']],
    ['{1, true}', ['E205 23 set elements should all be Int, but this is Bool', 'E205 19 the result of \'probe\' should be Bool, but this is Set[Int]']],
    ['[1, true]', ['E205 23 sequence elements should all be Int, but this is Bool', 'E205 19 the result of \'probe\' should be Bool, but this is Seq[Int]']],
    ['{a: 1, a: 2}', ['E203 26 field \'a\' is given twice', 'E205 19 the result of \'probe\' should be Bool, but this is { a: Int, a: Int }']],
    ['{x in s | x}', ['E205 29 a filter condition should be Bool, but this is Int', 'E205 19 the result of \'probe\' should be Bool, but this is Set[Int]']],
    ['{x in n | true}', ['E205 25 \'x in ...\' needs a set, but this is Int', 'E205 19 the result of \'probe\' should be Bool, but this is Set[?]']],
    ['[x in s | x > 0]', ['E205 25 \'[x in ... | ...]\' filters a sequence, but this is Set[Int] | for a set, write \'{x in ... | ...}\'', 'E205 19 the result of \'probe\' should be Bool, but this is Seq[?]']],
    ['[x in q | x]', ['E205 29 a filter condition should be Bool, but this is Int', 'E205 19 the result of \'probe\' should be Bool, but this is Seq[Int]']],
    ['[x + 1 : x in n]', ['E205 33 \'[... : x in ...]\' runs over a sequence, a range or a set, but this is Int', 'E205 19 the result of \'probe\' should be Bool, but this is Seq[Int]']],
    ['if n then 1 else 2', ['E205 22 an if condition should be Bool, but this is Int', 'E205 19 the result of \'probe\' should be Bool, but this is Int']],
    ['if b then 1 else true', ['E205 36 the two branches differ: Int and Bool']],
    ['forall x in s: x', ['E205 34 the body of \'forall\' should be Bool, but this is Int']],
    ['sum x in s: b', ['E205 31 the body of \'sum\' should be Int, but this is Bool', 'E205 19 the result of \'probe\' should be Bool, but this is Int']],
    ['choose x in s: x', ['E205 34 a choose condition should be Bool, but this is Int', 'E205 19 the result of \'probe\' should be Bool, but this is Int']],
    ['match sh { Square => 1, Circle(v) => true, Tri(z) => 2 }', ['E205 56 match arms should all be Int, but this is Bool', 'E205 19 the result of \'probe\' should be Bool, but this is Int']],
    ['match sh { Square => 1 }', ['E207 25 match does not cover \'Circle\', \'Tri\' | add an arm for each, or a \'_ =>\' arm', 'E205 19 the result of \'probe\' should be Bool, but this is Int']],
    ['match c { red => 1 }', ['E207 25 match does not cover \'green\' | add an arm for each, or a \'_ =>\' arm', 'E205 19 the result of \'probe\' should be Bool, but this is Int']],
    ['match n { 0 => 1 }', ['E207 25 match does not cover \'_\' | add an arm for each, or a \'_ =>\' arm', 'E205 19 the result of \'probe\' should be Bool, but this is Int']],
    ['match sh { _ => 1, Square => 2 }', ['E207 38 this arm can never be reached: an earlier arm matches everything', 'E205 19 the result of \'probe\' should be Bool, but this is Int']],
    ['match n { 1 => 1, _ => 2 }', ['E205 19 the result of \'probe\' should be Bool, but this is Int']],
    ['match c { Square => 1, _ => 2 }', ['E205 29 \'Square\' is a case of Shape, but the value matched is Color', 'E205 19 the result of \'probe\' should be Bool, but this is Int']],
    ['match sh { red => 1, _ => 2 }', ['E205 30 \'red\' is a Color, but the value matched is Shape', 'E205 19 the result of \'probe\' should be Bool, but this is Int']],
    ['match sh { Square(v) => 1, _ => 2 }', ['E204 30 \'Square\' carries no value | write \'Square\' without parentheses', 'E205 19 the result of \'probe\' should be Bool, but this is Int']],
    ['match sh { Circle => 1, _ => 2 }', ['E204 30 \'Circle\' carries a value | write \'Circle(x)\' or \'Circle(_)\'', 'E205 19 the result of \'probe\' should be Bool, but this is Int']],
    ['match sh { Blob => 1, _ => 2 }', ['E201 30 unknown case \'Blob\'', 'E205 19 the result of \'probe\' should be Bool, but this is Int']],
    ['match sh { two => 1, _ => 2 }', ['E205 30 \'two\' is a definition, not a pattern | use \'_\' to match any value', 'E205 19 the result of \'probe\' should be Bool, but this is Int']],
    ['match b { 1 => 1, _ => 2 }', ['E205 29 an integer pattern cannot match Bool', 'E205 19 the result of \'probe\' should be Bool, but this is Int']],
    ['match o { None => 1, Some(v) => v }', ['E205 19 the result of \'probe\' should be Bool, but this is Int']],
    ['Int', ['E210 19 \'Int\' is infinite and cannot be used as a set | use a range such as 0..N']],
    ['Bool', ['E205 19 the result of \'probe\' should be Bool, but this is Set[Bool]']],
    ['Res', ['E205 19 the result of \'probe\' should be Bool, but this is Set[Int]']],
    ['Point', ['E205 19 the result of \'probe\' should be Bool, but this is Set[{ x: Int, y: Int }]']],
    ['Color', ['E205 19 the result of \'probe\' should be Bool, but this is Set[Color]']],
    ['Shape', ['E205 19 the result of \'probe\' should be Bool, but this is Set[Shape]']],
    ['two(1)', ['E204 19 \'two\' takes 0 argument(s), not 1', 'E205 19 the result of \'probe\' should be Bool, but this is Int']],
    ['inc', ['E204 19 \'inc\' takes 1 argument(s) | call it as inc(...)', 'E205 19 the result of \'probe\' should be Bool, but this is Int']],
    ['Step', ['E205 19 \'Step\' is an action and has no value here']],
    ['I', ['E201 19 unknown name \'I\' | did you mean \'N\'?']],
    ['Steady', ['E205 19 \'Steady\' is a step property and has no value here']],
    ['proc', ['E205 19 \'proc\' is a procedure and has no value here | a process runs it with \'call proc(...)\'']],
    ['Worker', ['E205 19 \'Worker\' is a process and has no value here | test where it is with \'Worker at <label>\'']],
    ['undefinedName', ['E201 19 unknown name \'undefinedName\'']],
    ['nn', ['E201 19 unknown name \'nn\' | did you mean \'N\'?']],
    ['w', ['E201 19 unknown name \'w\' | \'w\' is a variable of process \'Worker\': read it as \'Worker.w\'']],
    ['inc(true)', ['E205 23 argument 1 of \'inc\' should be Int, but this is Bool', 'E205 19 the result of \'probe\' should be Bool, but this is Int']],
    ['inc(1, 2)', ['E204 19 \'inc\' takes 1 argument(s), not 2', 'E205 19 the result of \'probe\' should be Bool, but this is Int']],
    ['Square(1)', ['E204 19 \'Square\' carries no value | write \'Square\' without parentheses', 'E205 19 the result of \'probe\' should be Bool, but this is Shape']],
    ['Circle', ['E204 19 \'Circle\' needs a value | write \'Circle(...)\'', 'E205 19 the result of \'probe\' should be Bool, but this is Shape']],
    ['Circle(true)', ['E205 26 the value of \'Circle\' should be Int, but this is Bool', 'E205 19 the result of \'probe\' should be Bool, but this is Shape']],
    ['Circle(1, 2)', ['E204 19 \'Circle\' takes 1 argument(s), not 2', 'E205 19 the result of \'probe\' should be Bool, but this is Shape']],
    ['Some(1, 2)', ['E204 19 \'Some\' takes 1 argument(s), not 2']],
    ['Some(1)', ['E205 19 the result of \'probe\' should be Bool, but this is Option[Int]']],
    ['Step(1)', ['E205 19 \'Step\' is an action and cannot be called']],
    ['frob(1)', ['E201 19 unknown function \'frob\'']],
    ['sizee(s)', ['E201 19 unknown function \'sizee\' | did you mean \'size\'?']],
    ['size(n)', ['E205 24 \'size\' needs a set, map or sequence, but this is Int', 'E205 19 the result of \'probe\' should be Bool, but this is Int']],
    ['min(n, b)', ['E205 26 \'min\' needs an integer, but this is Bool', 'E205 19 the result of \'probe\' should be Bool, but this is Int']],
    ['min(s)', ['E205 19 the result of \'probe\' should be Bool, but this is Int']],
    ['min({true})', ['E205 23 \'min\' needs a set of integers, but this is Set[Bool]', 'E205 19 the result of \'probe\' should be Bool, but this is Int']],
    ['min(1, 2, 3)', ['E204 19 \'min\' takes 1 or 2 argument(s), not 3', 'E205 19 the result of \'probe\' should be Bool, but this is Int']],
    ['abs(b)', ['E205 23 \'abs\' needs an integer, but this is Bool', 'E205 19 the result of \'probe\' should be Bool, but this is Int']],
    ['keys(n)', ['E205 24 \'keys\' needs a map, but this is Int']],
    ['values(m)', ['E205 19 the result of \'probe\' should be Bool, but this is Set[Bool]']],
    ['len(s)', ['E205 23 \'len\' needs a sequence, but this is Set[Int]', 'E205 19 the result of \'probe\' should be Bool, but this is Int']],
    ['head(s)', ['E205 24 \'head\' needs a sequence, but this is Set[Int]']],
    ['tail(n)', ['E205 24 \'tail\' needs a sequence, but this is Int', 'E205 19 the result of \'probe\' should be Bool, but this is Int']],
    ['append(q, true)', ['E205 29 the element appended should be Int, but this is Bool', 'E205 19 the result of \'probe\' should be Bool, but this is Seq[Int]']],
    ['append(n, 1)', ['E205 26 \'append\' needs a sequence, but this is Int']],
    ['concat(q, [true])', ['E205 29 the second sequence should be Seq[Int], but this is Seq[Bool]', 'E205 19 the result of \'probe\' should be Bool, but this is Seq[Int]']],
    ['concat(n, q)', ['E205 26 \'concat\' needs a sequence, but this is Int', 'E205 29 the second sequence should be Int, but this is Seq[Int]', 'E205 19 the result of \'probe\' should be Bool, but this is Int']],
    ['put(m, true, true)', ['E205 26 a map key should be Int, but this is Bool', 'E205 19 the result of \'probe\' should be Bool, but this is Map[Int, Bool]']],
    ['put(m, 0, 3)', ['E205 29 a map value should be Bool, but this is Int', 'E205 19 the result of \'probe\' should be Bool, but this is Map[Int, Bool]']],
    ['put(n, 0, 0)', ['E205 23 \'put\' needs a map, but this is Int']],
    ['remove(m, true)', ['E205 29 a map key should be Int, but this is Bool', 'E205 19 the result of \'probe\' should be Bool, but this is Map[Int, Bool]']],
    ['remove(n, 1)', ['E205 26 \'remove\' needs a map, but this is Int', 'E205 19 the result of \'probe\' should be Bool, but this is Int']],
    ['unwrap(n)', ['E205 26 \'unwrap\' needs an Option, but this is Int']],
    ['unwrap(o)', ['E205 19 the result of \'probe\' should be Bool, but this is Int']],
    ['slice(q, true, 1)', ['E205 28 \'slice\' needs an integer, but this is Bool', 'E205 19 the result of \'probe\' should be Bool, but this is Seq[Int]']],
    ['slice(q, 1, true)', ['E205 31 \'slice\' needs an integer, but this is Bool', 'E205 19 the result of \'probe\' should be Bool, but this is Seq[Int]']],
    ['slice(n, 1, 1)', ['E205 25 \'slice\' needs a sequence, but this is Int']],
    ['insertAt(q, 0, true)', ['E205 34 the element inserted should be Int, but this is Bool', 'E205 19 the result of \'probe\' should be Bool, but this is Seq[Int]']],
    ['insertAt(q, true, 1)', ['E205 31 \'insertAt\' needs an integer, but this is Bool', 'E205 19 the result of \'probe\' should be Bool, but this is Seq[Int]']],
    ['insertAt(n, 0, 1)', ['E205 28 \'insertAt\' needs a sequence, but this is Int']],
    ['removeAt(q, true)', ['E205 31 \'removeAt\' needs an integer, but this is Bool', 'E205 19 the result of \'probe\' should be Bool, but this is Seq[Int]']],
    ['removeAt(n, 1)', ['E205 28 \'removeAt\' needs a sequence, but this is Int']],
    ['subsets(n)', ['E205 27 \'subsets\' needs a set, but this is Int']],
    ['maps(n, s)', ['E205 24 \'maps\' needs a set (the domain of every map), but this is Int']],
    ['maps(s, n)', ['E205 27 \'maps\' needs a set (the values), but this is Int']],
    ['Set[Res]', ['E222 19 \'Set[...]\' is a type, not a set of values | write subsets(S) for the sets of elements of S, maps(K, V) for the maps from the keys K to values in V, or name the type (\'type Grant = Map[Res, Bool]\') and use the name as the set of its values']],
    ['Seq[Res]', ['E222 19 \'Seq[...]\' is a type, not a set of values | write subsets(S) for the sets of elements of S, maps(K, V) for the maps from the keys K to values in V, or name the type (\'type Grant = Map[Res, Bool]\') and use the name as the set of its values']],
    ['Option[Res]', ['E222 19 \'Option[...]\' is a type, not a set of values | write subsets(S) for the sets of elements of S, maps(K, V) for the maps from the keys K to values in V, or name the type (\'type Grant = Map[Res, Bool]\') and use the name as the set of its values']],
    ['Map[Res]', ['E222 19 \'Map[...]\' is a type, not a set of values | write subsets(S) for the sets of elements of S, maps(K, V) for the maps from the keys K to values in V, or name the type (\'type Grant = Map[Res, Bool]\') and use the name as the set of its values']],
    ['b and 1', ['E205 25 the right side of \'and\' should be Bool, but this is Int']],
    ['1 or b', ['E205 19 the left side of \'or\' should be Bool, but this is Int']],
    ['1 implies b', ['E205 19 the left side of \'implies\' should be Bool, but this is Int']],
    ['b + 1', ['E205 19 the left side of \'+\' should be Int, but this is Bool', 'E205 19 the result of \'probe\' should be Bool, but this is Int']],
    ['1 - b', ['E205 23 the right side of \'-\' should be Int, but this is Bool', 'E205 19 the result of \'probe\' should be Bool, but this is Int']],
    ['b * 2', ['E205 19 the left side of \'*\' should be Int, but this is Bool', 'E205 19 the result of \'probe\' should be Bool, but this is Int']],
    ['2 / b', ['E205 23 the right side of \'/\' should be Int, but this is Bool', 'E205 19 the result of \'probe\' should be Bool, but this is Int']],
    ['2 % b', ['E205 23 the right side of \'%\' should be Int, but this is Bool', 'E205 19 the result of \'probe\' should be Bool, but this is Int']],
    ['b < 1', ['E205 19 the left side of \'<\' should be Int, but this is Bool']],
    ['1 <= b', ['E205 24 the right side of \'<=\' should be Int, but this is Bool']],
    ['b > 1', ['E205 19 the left side of \'>\' should be Int, but this is Bool']],
    ['1 >= b', ['E205 24 the right side of \'>=\' should be Int, but this is Bool']],
    ['b..2', ['E205 19 the left side of \'..\' should be Int, but this is Bool', 'E205 19 the result of \'probe\' should be Bool, but this is Set[Int]']],
    ['1..b', ['E205 22 the right side of \'..\' should be Int, but this is Bool', 'E205 19 the result of \'probe\' should be Bool, but this is Set[Int]']],
    ['n == b', ['E205 19 cannot compare Int with Bool']],
    ['n != b', ['E205 19 cannot compare Int with Bool']],
    ['b in s', ['E205 19 a Set[Int] cannot contain Bool']],
    ['n in n', ['E205 24 \'in\' needs a set on the right, but this is Int']],
    ['n in m', ['E205 24 \'in\' needs a set on the right, but this is Map[Int, Bool] | use keys(m) for the keys of a map']],
    ['n subset s', ['E205 19 \'subset\' needs sets, but this is Int', 'E205 19 cannot combine Int with Set[Int]']],
    ['s subset n', ['E205 28 \'subset\' needs sets, but this is Int', 'E205 19 cannot combine Set[Int] with Int']],
    ['s union {true}', ['E205 19 cannot combine Set[Int] with Set[Bool]', 'E205 19 the result of \'probe\' should be Bool, but this is Set[Int]']],
    ['s minus n', ['E205 27 \'minus\' needs sets, but this is Int', 'E205 19 cannot combine Set[Int] with Int', 'E205 19 the result of \'probe\' should be Bool, but this is Set[Int]']],
    ['s inter n', ['E205 27 \'inter\' needs sets, but this is Int', 'E205 19 cannot combine Set[Int] with Int', 'E205 19 the result of \'probe\' should be Bool, but this is Set[Int]']],
    ['n union s', ['E205 19 \'union\' needs sets, but this is Int', 'E205 19 cannot combine Int with Set[Int]', 'E205 19 the result of \'probe\' should be Bool, but this is Int']],
    ['let x = 1 in x + b', ['E205 36 the right side of \'+\' should be Int, but this is Bool', 'E205 19 the result of \'probe\' should be Bool, but this is Int']],
    ['s union n', ['E205 27 \'union\' needs sets, but this is Int', 'E205 19 cannot combine Set[Int] with Int', 'E205 19 the result of \'probe\' should be Bool, but this is Set[Int]']],
    ['concat(q, n)', ['E205 29 \'concat\' needs a sequence, but this is Int', 'E205 29 the second sequence should be Seq[Int], but this is Int', 'E205 19 the result of \'probe\' should be Bool, but this is Seq[Int]']],
    ['append(qs, 1)', ['E205 30 the element appended should be Set[Int], but this is Int', 'E205 19 the result of \'probe\' should be Bool, but this is Seq[Set[Int]]']],
    ['insertAt(qs, 0, 1)', ['E205 35 the element inserted should be Set[Int], but this is Int', 'E205 19 the result of \'probe\' should be Bool, but this is Seq[Set[Int]]']],
    ['put(ms, 0, 1)', ['E205 30 a map value should be Set[Int], but this is Int', 'E205 19 the result of \'probe\' should be Bool, but this is Map[Int, Set[Int]]']],
    ['put(ms, true, {})', ['E205 27 a map key should be Int, but this is Bool', 'E205 19 the result of \'probe\' should be Bool, but this is Map[Int, Set[Int]]']],
    ['s union s', ['E205 19 the result of \'probe\' should be Bool, but this is Set[Int]']],
    ['concat(q, q)', ['E205 19 the result of \'probe\' should be Bool, but this is Seq[Int]']],
    ['append(qs, {1})', ['E205 19 the result of \'probe\' should be Bool, but this is Seq[Set[Int]]']],
    ['put(m, 0, true)', ['E205 19 the result of \'probe\' should be Bool, but this is Map[Int, Bool]']],
    ['match sh { Square => 1, Circle(v) => v, Tri(z) => 2 }', ['E205 19 the result of \'probe\' should be Bool, but this is Int']],
    ['match o { None => 0, Some(v) => v } == 1', []],
    ['size(s) + size(m) + size(q) + len(q) + abs(n) + min(s) + max(1, 2) == 0', []],
    ['head(q) + head(tail(q)) + unwrap(o) == 0', []],
    ['keys(m) == {0} and values(m) == {true}', []],
    ['append(q, 1) == q and insertAt(q, 0, 1) == removeAt(q, 0) and slice(q, 0, 1) == q', []],
    ['put(m, 1, true) == remove(m, 2)', []],
    ['subsets(s) == {{1}} and maps(s, Bool) == {}', []],
    ['[x in q | x > 1] == q and [x + 1 : x in s] == q and [x : x in q] == q', []],
    ['{x in s | x > 0} == s and {x + 1 : x in s} == s and [x in s |-> x > 0] == m', []],
    ['sh is Circle and (sum x in s: x) == 1 and (choose x in s: x > 0) == 1', []],
    ['(let x = 1 in x + n) == 2 and (if b then {1} else {}) == s and (if b then None else Some(1)) == o', []],
    ['t.0 == 1 and t.1 and p.x == 1 and (p with { x: 2 }).y == 0 and (m with [0] = true)[0] and (q with [0] = 1)[0] == 1', []],
    ['match sh { N => 1, _ => 2 }', ["E205 30 'N' is a constant, not a pattern | use '_' to match any value", "E205 19 the result of 'probe' should be Bool, but this is Int"]],
    ['match sh { n => 1, _ => 2 }', ["E205 30 'n' is a state variable, not a pattern | use '_' to match any value", "E205 19 the result of 'probe' should be Bool, but this is Int"]],
    ['match sh { Res => 1, _ => 2 }', ["E205 30 'Res' is a type, not a pattern | use '_' to match any value", "E205 19 the result of 'probe' should be Bool, but this is Int"]],
    ['match sh { Step => 1, _ => 2 }', ["E205 30 'Step' is an action, not a pattern | use '_' to match any value", "E205 19 the result of 'probe' should be Bool, but this is Int"]],
    ['match sh { Worker => 1, _ => 2 }', ["E205 30 'Worker' is a process, not a pattern | use '_' to match any value", "E205 19 the result of 'probe' should be Bool, but this is Int"]],
    ['match sh { proc => 1, _ => 2 }', ["E205 30 'proc' is a procedure, not a pattern | use '_' to match any value", "E205 19 the result of 'probe' should be Bool, but this is Int"]],
    ['match sh { Steady => 1, _ => 2 }', ["E205 30 'Steady' is a step property, not a pattern | use '_' to match any value", "E205 19 the result of 'probe' should be Bool, but this is Int"]],
    ['match sh { Inv => 1, _ => 2 }', ["E205 30 'Inv' is an invariant, not a pattern | use '_' to match any value", "E205 19 the result of 'probe' should be Bool, but this is Int"]],
    ['red(1)', ["E205 19 'red' is a value of enum Color and cannot be called"]],
    ['N(1)', ["E205 19 'N' is a constant and cannot be called"]],
    ['n(1)', ["E205 19 'n' is a state variable and cannot be called"]],
    ['Res(1)', ["E205 19 'Res' is a type and cannot be called"]],
    ['Inv', ["E205 19 'Inv' is an invariant and has no value here"]],
    ['Prop', ["E205 19 'Prop' is a property and has no value here"]],
    ['match sh { Prop => 1, _ => 2 }', ["E205 30 'Prop' is a property, not a pattern | use '_' to match any value", "E205 19 the result of 'probe' should be Bool, but this is Int"]],
    ['Inv(1)', ["E205 19 'Inv' is an invariant and cannot be called"]],
    ['Steady(1)', ["E205 19 'Steady' is a step property and cannot be called"]],
    // An operand of unknown type (an error reported already) gets no second diagnostic; calls
    // with too few arguments, patterns of the wrong type, and what each rule's result is.
    ['zz[0]', ['E201 19 unknown name \'zz\'']],
    ['zz.x', ['E201 19 unknown name \'zz\'']],
    ['zz.0', ['E201 19 unknown name \'zz\'']],
    ['zz with [0] = 1', ['E201 19 unknown name \'zz\'']],
    ['zz with { x: 1 }', ['E201 19 unknown name \'zz\'']],
    ['zz is Square', ['E201 19 unknown name \'zz\'']],
    ['[x in zz | true]', ['E201 25 unknown name \'zz\'', 'E205 19 the result of \'probe\' should be Bool, but this is Seq[?]']],
    ['[x : x in zz]', ['E201 29 unknown name \'zz\'', 'E205 19 the result of \'probe\' should be Bool, but this is Seq[?]']],
    ['size(zz)', ['E201 24 unknown name \'zz\'', 'E205 19 the result of \'probe\' should be Bool, but this is Int']],
    ['n in zz', ['E201 24 unknown name \'zz\'']],
    ['zz union s', ['E201 19 unknown name \'zz\'', 'E205 19 the result of \'probe\' should be Bool, but this is Set[Int]']],
    ['s union zz', ['E201 27 unknown name \'zz\'', 'E205 19 the result of \'probe\' should be Bool, but this is Set[Int]']],
    ['match zz { 1 => 1, _ => 2 }', ['E201 25 unknown name \'zz\'', 'E205 19 the result of \'probe\' should be Bool, but this is Int']],
    ['match zz { 0 => 1 }', ['E201 25 unknown name \'zz\'', 'E205 19 the result of \'probe\' should be Bool, but this is Int']],
    ['match zz { Square => 1, _ => 2 }', ['E201 25 unknown name \'zz\'', 'E205 19 the result of \'probe\' should be Bool, but this is Int']],
    ['match zz { red => 1, _ => 2 }', ['E201 25 unknown name \'zz\'', 'E205 19 the result of \'probe\' should be Bool, but this is Int']],
    ['size()', ['E204 19 \'size\' takes 1 argument(s), not 0', 'E205 19 the result of \'probe\' should be Bool, but this is Int']],
    ['abs()', ['E204 19 \'abs\' takes 1 argument(s), not 0', 'E205 19 the result of \'probe\' should be Bool, but this is Int']],
    ['len()', ['E204 19 \'len\' takes 1 argument(s), not 0', 'E205 19 the result of \'probe\' should be Bool, but this is Int']],
    ['keys()', ['E204 19 \'keys\' takes 1 argument(s), not 0']],
    ['head()', ['E204 19 \'head\' takes 1 argument(s), not 0']],
    ['tail()', ['E204 19 \'tail\' takes 1 argument(s), not 0']],
    ['append(q)', ['E204 19 \'append\' takes 2 argument(s), not 1']],
    ['concat(q)', ['E204 19 \'concat\' takes 2 argument(s), not 1']],
    ['put(m, 0)', ['E204 19 \'put\' takes 3 argument(s), not 2']],
    ['remove(m)', ['E204 19 \'remove\' takes 2 argument(s), not 1']],
    ['unwrap()', ['E204 19 \'unwrap\' takes 1 argument(s), not 0']],
    ['slice(q, 0)', ['E204 19 \'slice\' takes 3 argument(s), not 2']],
    ['insertAt(q, 0)', ['E204 19 \'insertAt\' takes 3 argument(s), not 2']],
    ['removeAt(q)', ['E204 19 \'removeAt\' takes 2 argument(s), not 1']],
    ['subsets()', ['E204 19 \'subsets\' takes 1 argument(s), not 0']],
    ['maps(s)', ['E204 19 \'maps\' takes 2 argument(s), not 1']],
    ['match sh { None => 1, _ => 2 }', ['E201 30 unknown case \'None\'', 'E205 19 the result of \'probe\' should be Bool, but this is Int']],
    ['match o { Square => 1, _ => 2 }', ['E205 29 \'Square\' is a case of Shape, but the value matched is Option[Int]', 'E205 19 the result of \'probe\' should be Bool, but this is Int']],
    ['match ot { Square => 1, _ => 2 }', ['E205 30 \'Square\' is a case of Shape, but the value matched is Other', 'E205 19 the result of \'probe\' should be Bool, but this is Int']],
    ['match c { rde => 1, _ => 2 }', ['E201 29 unknown case \'rde\'', 'E205 19 the result of \'probe\' should be Bool, but this is Int']],
    ['match o { None => 0, Some(v) => v } == 1', []],
    ['Num', ['E210 19 type \'Num\' is infinite and cannot be used as a set of values']],
    ['incc(1)', ["E201 19 unknown function 'incc' | did you mean 'inc'?"]],
    ['Squar(1)', ["E201 19 unknown function 'Squar' | did you mean 'Square'?"]],
    ['Stepp(1)', ['E201 19 unknown function \'Stepp\'']],
    ['forall x in s: x(1) > 0', ['E205 34 \'x\' is a local value and cannot be called']],
    ['(q with [0] = 1)[true] == 1', ['E205 36 a sequence index should be Int, but this is Bool']],
    ['head(q) == true', ['E205 19 cannot compare Int with Bool']],
    ['subsets(s) == 1', ['E205 19 cannot compare Set[Set[Int]] with Int']],
    ['maps(s, Bool) == 1', ['E205 19 cannot compare Set[Map[Int, Bool]] with Int']],
    ['m.size', ['E205 19 Map[Int, Bool] has no fields | the number of elements is size(m), not .size']],
    ['s.mylength', ['E205 19 Set[Int] has no fields']],
    ['s.sizes', ['E205 19 Set[Int] has no fields']],
    ['(s  union   s).size', ['E205 20 Set[Int] has no fields | the number of elements is size(s union s), not .size']],
    ['[x in s |-> true] == [y in {true} |-> true]', ['E205 19 cannot compare Map[Int, Bool] with Map[Bool, Bool]']],
    ['[x in s | x]', ['E205 25 \'[x in ... | ...]\' filters a sequence, but this is Set[Int] | for a set, write \'{x in ... | ...}\'', 'E205 19 the result of \'probe\' should be Bool, but this is Seq[?]']],
    ['[x : x in s] == [true]', ['E205 19 cannot compare Seq[Int] with Seq[Bool]']],
    ['(choose x in s: x > 0) == true', ['E205 19 cannot compare Int with Bool']],
    ['match c { on => 1, _ => 2 }', ['E205 29 \'on\' is a Mode, but the value matched is Color', 'E205 19 the result of \'probe\' should be Bool, but this is Int']],
    ['match sh { Blob => 1, _ => 2 }', ['E201 30 unknown case \'Blob\'', 'E205 19 the result of \'probe\' should be Bool, but this is Int']],
    // A value of unknown type (its error reported): no second diagnostic for its patterns.
    ['match zz { Square => 1, red => 2, _ => 3 }', ['E201 25 unknown name \'zz\'', 'E205 19 the result of \'probe\' should be Bool, but this is Int']],
    ['n.size', ['E205 19 Int has no fields']],
    ['{1 -> true, b -> false}', ['E205 31 map keys should all be Int, but this is Bool', 'E205 19 the result of \'probe\' should be Bool, but this is Map[Int, Bool]']],
    ['{1 -> true, 2 -> 3}', ['E205 36 map values should all be Bool, but this is Int', 'E205 19 the result of \'probe\' should be Bool, but this is Map[Int, Bool]']],
    ['[x in n |-> true] == [y in s |-> true]', ['E205 25 \'x in ...\' needs a set, but this is Int']],
    ['[x in n | true]', ['E205 25 \'[x in ... | ...]\' filters a sequence, but this is Int', 'E205 19 the result of \'probe\' should be Bool, but this is Seq[?]']],
    ['[x and true : x in s]', ['E205 20 the left side of \'and\' should be Bool, but this is Int', 'E205 19 the result of \'probe\' should be Bool, but this is Seq[Bool]']],
    ['(choose x in n: true) == true', ['E205 32 \'x in ...\' needs a set, but this is Int']],
    ['forall x in Big: x > 0', ['E210 31 type \'Big\' is infinite and cannot be used as a set of values']],
  ];

  it.each(table)('%s', (expr, want) => {
    expect(probe(expr)).toEqual(want);
  });

  it('suggests a process’s own variable for a misspelt name in its steps', () => {
    const text = 'spec T\nprocess Worker {\n  var count: 0..3 = 0\n  start: count := cont + 1\n}\n';
    let found: string[] = [];
    try {
      checkSpec(parseSpec({ path: 't.spex', text }));
    } catch (e) {
      if (!(e instanceof SpecErrors)) throw e;
      found = e.diagnostics.map((d) => `${d.code} ${d.message} | ${d.hint ?? ''}`);
    }
    expect(found).toEqual(["E201 unknown name 'cont' | did you mean 'count'?"]);
  });

  it('says nothing more of a type whose declaration is already an error', () => {
    const text = 'spec T\ntype Bad = Nope\ndef probe: Bool = forall x in Bad: true\n';
    let found: string[] = [];
    try {
      checkSpec(parseSpec({ path: 't.spex', text }));
    } catch (e) {
      if (!(e instanceof SpecErrors)) throw e;
      found = e.diagnostics.map((d) => `${d.code} ${d.message}`);
    }
    expect(found).toEqual(["E202 unknown type 'Nope'"]);
  });

  it('gives a diagnostic, not a crash, for sets and sequences of types that do not join', () => {
    // join() of incompatible types once threw a TypeError (a stack trace for the user).
    for (const expr of ['s union n', 's minus n', 's inter n', 'concat(q, n)', 'append(qs, 1)', 'insertAt(qs, 0, 1)', 'put(ms, 0, 1)']) {
      expect(probe(expr).length, expr).toBeGreaterThan(0);
      expect(probe(expr).every((d) => d.startsWith('E205 ')), expr).toBe(true);
    }
  });
});

describe('the checker in-process: definitions that depend on themselves', () => {
  it('finds a cycle through any of the definitions a definition uses, not only the last', () => {
    const text = ['spec T', 'var x: 0..1 = 0', 'def a: Int = b + c', 'def b: Int = a + 1', 'def c: Int = 1', 'action A { x := 0 }', ''].join('\n');
    let messages: string[] = [];
    try {
      checkSpec(parseSpec({ path: 't.spex', text }));
    } catch (e) {
      if (!(e instanceof SpecErrors)) throw e;
      messages = e.diagnostics.map((d) => `${d.code} ${d.message}`);
    }
    expect(messages).toEqual(["E211 'a' is defined in terms of itself (a → b → a)", "E211 'b' is defined in terms of itself (b → a → b)"]);
  });

  /** Definitions f0..f(n-1), each calling those of its list in order; with a parameter or without. */
  const callGraph = (calls: number[][], params: boolean): string => {
    const call = (j: number): string => (params ? `f${j}(a)` : `f${j}`);
    const defs = calls.map((to, i) => `def f${i}${params ? '(a: Int)' : ''}: Int = ${[...to.map(call), '0'].join(' + ')}`);
    return ['spec G', 'var x: 0..1 = 0', ...defs, 'action A { x := 0 }', ''].join('\n');
  };
  /** Whether f`i` reaches itself, and the first path back a depth-first search finds (the calls in order, each definition once). */
  const reference = (calls: number[][], i: number): string[] | undefined => {
    const seen = new Set<number>();
    const find = (at: number, path: number[]): number[] | undefined => {
      for (const dep of new Set(calls[at])) {
        if (dep === i) return [...path, dep];
        if (seen.has(dep)) continue;
        seen.add(dep);
        const found = find(dep, [...path, dep]);
        if (found) return found;
      }
      return undefined;
    };
    return find(i, [i])?.map((j) => `f${j}`);
  };
  const graphs = fc.integer({ min: 1, max: 9 }).chain((n) => fc.array(fc.array(fc.nat({ max: n - 1 }), { maxLength: 3 }), { minLength: n, maxLength: n }));

  it('marks recursive exactly the definitions that reach themselves, on any graph of calls', () => {
    fc.assert(
      fc.property(graphs, (calls) => {
        const spec = checkSpec(parseSpec({ path: 'g.spex', text: callGraph(calls, true) }));
        const got = spec.defs.map((d) => `${d.name} ${d.recursive === true}`);
        expect(got).toEqual(calls.map((_, i) => `f${i} ${reference(calls, i) !== undefined}`));
      }),
      { numRuns: 300 },
    );
  });

  it('names, for each value defined in terms of itself, the first cycle a depth-first search finds', () => {
    fc.assert(
      fc.property(graphs, (calls) => {
        let messages: string[] = [];
        try {
          checkSpec(parseSpec({ path: 'g.spex', text: callGraph(calls, false) }));
        } catch (e) {
          if (!(e instanceof SpecErrors)) throw e;
          messages = e.diagnostics.filter((d) => d.code === 'E211').map((d) => d.message);
        }
        const expected = calls.flatMap((_, i) => {
          const cycle = reference(calls, i);
          return cycle ? [`'f${i}' is defined in terms of itself (${cycle.join(' → ')})`] : [];
        });
        expect(messages).toEqual(expected);
      }),
      { numRuns: 300 },
    );
  });

  it('finds the cycles of a long chain that closes on itself at its end, and none in the chain before', () => {
    // 900 definitions, each calling the next; the last 10 form a cycle. A search from every
    // definition copying its path took time cubic in the chain's length.
    const calls = Array.from({ length: 900 }, (_, i) => (i === 899 ? [890] : [i + 1]));
    const spec = checkSpec(parseSpec({ path: 'g.spex', text: callGraph(calls, true) }));
    expect(spec.defs.filter((d) => d.recursive).map((d) => d.name)).toEqual(Array.from({ length: 10 }, (_, i) => `f${890 + i}`));
  });
});
