/**
 * Sets and maps of finite types as values to enumerate: `Set[T]` and `Map[K, V]` as types of
 * parameters and as sets of values, `subsets(S)`, `maps(S, T)`, `var x: T in S`, and the bound
 * on every enumeration (E221 before the exploration, E710 in a step).
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { compile, run, stepsFromInit } from './helpers.js';
import { ModelError } from '../../src/explore/index.js';
import { SpecErrors } from '../../src/lang/diagnostics.js';
import { partialMapsOf, subsetsOf, totalMapsOf } from '../../src/lang/compile.js';
import { compareValues, formatValue, mkSet, sortedElements, type Value } from '../../src/values/index.js';
import type { State } from '../../src/lang/compile.js';

const header = 'spec T\n';

/** The values of an expression, evaluated in the single initial state. */
function evalIn(decls: string, expr: string): Value {
  const { system } = compile(`${header}${decls}\nvar out: Bool = true\nview V: ${expr}\n`);
  const inits: State[] = [];
  system.initialStates((s) => inits.push(s));
  return system.views[0]!.value(inits[0]!);
}

function inits(text: string): string[] {
  const { system } = compile(text);
  const out: string[] = [];
  system.initialStates((s) => out.push(s.map((v, i) => `${system.varNames[i]}=${formatValue(v)}`).join(' ')));
  return out;
}

function staticError(text: string): string {
  try {
    compile(text);
  } catch (err) {
    if (err instanceof SpecErrors) return err.diagnostics.map((d) => `${d.code}: ${d.message}`).join('\n');
    throw err;
  }
  return 'no error';
}

const strictlyAscending = (vs: readonly Value[]): boolean => vs.every((v, i) => i === 0 || compareValues(vs[i - 1]!, v) < 0);

describe('Set[T] and Map[K, V] over finite types', () => {
  it('takes every subset as an action parameter, in canonical order', () => {
    const steps = stepsFromInit(`${header}
      type Res = 0..2
      var held: Set[Res] = {}
      action Request(S: Set[Res]) { held := S }`);
    expect(steps).toEqual([
      'Request(S={}) held={}',
      'Request(S={0}) held={0}',
      'Request(S={1}) held={1}',
      'Request(S={2}) held={2}',
      'Request(S={0, 1}) held={0, 1}',
      'Request(S={0, 2}) held={0, 2}',
      'Request(S={1, 2}) held={1, 2}',
      'Request(S={0, 1, 2}) held={0, 1, 2}',
    ]);
  });

  it('counts (|V| + 1)^|K| maps of a map type, each with its own domain, in canonical order', () => {
    const v = evalIn('enum Res { a, b }\ntype Grant = Map[Res, Bool]', 'Grant') as ReturnType<typeof mkSet>;
    expect(v.size).toBe(9);
    const sorted = sortedElements(v);
    expect(sorted.map(formatValue)).toEqual([
      '{->}',
      '{a -> false}',
      '{a -> true}',
      '{b -> false}',
      '{b -> true}',
      '{a -> false, b -> false}',
      '{a -> false, b -> true}',
      '{a -> true, b -> false}',
      '{a -> true, b -> true}',
    ]);
  });

  it('uses type names as sets in quantifiers, pick, for and size', () => {
    const r = run(`${header}
      type Res = 0..2
      type Grant = Map[Res, Bool]
      type Claims = Set[Res]
      var n: Int = 0
      var last: Grant = [r in {} |-> true]
      action A {
        require n == 0
        pick g in Grant where size(keys(g)) == 3 and forall r in keys(g): g[r]
        last := g
        for s in Claims { n := n + size(s) }
      }
      type Pairs = Set[(Bool, Bool)]
      invariant Sizes: size(Grant) == 27 and size(Claims) == 8 and size(Pairs) == 16
      invariant Count: n == 0 or n == 12
      invariant Every: forall g in Grant: size(keys(g)) <= 3
    `);
    expect(r.outcome.kind).toBe('ok');
    expect(r.stats.distinct).toBe(2);
  });

  it('makes options, tuples, records and variants of sets and maps finite', () => {
    const v = evalIn('type Res = 0..1\ntype W = Option[Set[Res]]\ntype R = { s: Set[Res], m: Map[Res, Bool] }\ntype P = (Set[Res], Bool)\ntype X = Ping | Held(Set[Res])', 'size(W) * 1000000 + size(R) * 1000 + size(P) * 100 + size(X)');
    expect(v).toBe(5 * 1000000 + 4 * 9 * 1000 + 8 * 100 + 5);
  });

  it('accepts process parameters over a set type', () => {
    const r = run(`${header}
      type Res = 0..1
      var total: Int = 0
      process P(S: Set[Res]) {
        go: total := total + size(S)
      }`);
    expect(r.outcome.kind).toBe('ok');
    // 4 instances, every interleaving: the subsets of 4 finished instances.
    expect(r.stats.distinct).toBe(16);
  });

  it('still refuses sets of infinite types, naming the type as written', () => {
    expect(staticError(`${header}type Res = 0..3\nvar x: Int = 0\naction A(S: Set[Int]) { x := size(S) }`)).toBe(
      "E210: action parameter 'S' has the infinite type Set[Int]",
    );
    expect(staticError(`${header}type Big = Seq[Bool]\nvar x: Int = 0\naction A(S: Big) { x := len(S) }`)).toBe(
      "E210: action parameter 'S' has the infinite type Big",
    );
  });
});

describe('subsets(S) and maps(S, T)', () => {
  it('builds the power set and the set of maps with domain exactly S', () => {
    expect(formatValue(evalIn('', 'subsets({1, 2})'))).toBe('{{}, {1}, {2}, {1, 2}}');
    expect(formatValue(evalIn('', 'maps({1, 2}, {false, true})'))).toBe(
      '{{1 -> false, 2 -> false}, {1 -> false, 2 -> true}, {1 -> true, 2 -> false}, {1 -> true, 2 -> true}}',
    );
    expect(formatValue(evalIn('', 'maps({}, {1})'))).toBe('{{->}}');
    expect(formatValue(evalIn('', 'maps({1}, {})'))).toBe('{}');
    expect(formatValue(evalIn('', 'subsets({})'))).toBe('{{}}');
  });

  it('works on sets computed from the state', () => {
    const steps = stepsFromInit(`${header}
      var s: Set[0..3] = {1, 3}
      var t: Set[0..3] = {}
      action A { pick x in subsets(s)
                 t := x }
      action B(m in maps(s, {0, 1})) { t := values(m) }`);
    expect(steps).toEqual([
      'A() s={1, 3} t={}',
      'A() s={1, 3} t={1}',
      'A() s={1, 3} t={3}',
      'A() s={1, 3} t={1, 3}',
      'B(m={1 -> 0, 3 -> 0}) s={1, 3} t={0}',
      'B(m={1 -> 0, 3 -> 1}) s={1, 3} t={0, 1}',
      'B(m={1 -> 1, 3 -> 0}) s={1, 3} t={0, 1}',
      'B(m={1 -> 1, 3 -> 1}) s={1, 3} t={1}',
    ]);
  });

  it('has 2^|S| distinct subsets and |T|^|S| maps, in canonical order (property)', () => {
    fc.assert(
      fc.property(fc.uniqueArray(fc.integer({ min: -20, max: 20 }), { maxLength: 7 }), fc.uniqueArray(fc.integer({ min: 0, max: 5 }), { maxLength: 3 }), (s, t) => {
        const S = sortedElements(mkSet(s)) as Value[];
        const T = sortedElements(mkSet(t)) as Value[];
        const subs = subsetsOf(S);
        const maps = totalMapsOf(S, T);
        const partial = partialMapsOf(S, T);
        expect(mkSet(subs).size).toBe(2 ** S.length);
        expect(mkSet(maps).size).toBe(T.length ** S.length);
        expect(mkSet(partial).size).toBe((T.length + 1) ** S.length);
        expect(strictlyAscending(subs)).toBe(true);
        expect(strictlyAscending(maps)).toBe(true);
        expect(strictlyAscending(partial)).toBe(true);
        const direct = evalIn('', `size(subsets({${s.join(', ')}})) * 10000 + size(maps({${s.join(', ')}}, {${t.join(', ')}}))`);
        expect(direct).toBe(2 ** S.length * 10000 + T.length ** S.length);
      }),
      { numRuns: 60 },
    );
  });

  it('keeps the canonical order it builds a type, subsets(S) and maps(S, T) in, which choose and loops then take as it is', () => {
    const decls = [
      'enum E { e1, e2, e3 }',
      'type Q = Lo | Mid(0..1) | Hi(E)',
      'type R = { a: Bool, b: 0..2 }',
      'type T = (E, Bool, 0..1)',
      'type U = Set[Q]',
      'type W = Map[0..1, R]',
    ].join('\n');
    for (const expr of ['Q', 'R', 'T', 'U', 'W', 'subsets(T)', 'maps(Q, 0..2)', 'maps({e1, e2}, subsets(E))']) {
      const set = evalIn(decls, expr) as ReturnType<typeof mkSet>;
      // The kept order (sortedElements finds it) is the one sorting the elements gives.
      const kept = sortedElements(set);
      expect(kept.length, expr).toBe(set.size);
      expect(strictlyAscending(kept), expr).toBe(true);
      expect(kept, expr).toEqual([...set.toArray()].sort(compareValues));
    }
    // choose takes the first element of that order that satisfies its condition.
    expect(formatValue(evalIn(decls, 'choose m in maps({e1, e2}, subsets(E)): forall k in {e1, e2}: size(m[k]) == 2'))).toBe('{e1 -> {e1, e2}, e2 -> {e1, e2}}');
    expect(formatValue(evalIn(decls, 'choose q in Q: q != Lo'))).toBe('Mid(0)');
  });
});

describe('var x: T in S', () => {
  it('gives one initial state per element, the first variable varying slowest, init run for each', () => {
    expect(
      inits(`${header}
        var a: 0..2 in {2, 0}
        var b: Bool = false
        var c: Set[0..1] in subsets({0, 1})
        init { pick x in {true, false} where x or a == 0
               b := x }`),
    ).toEqual([
      'a=0 b=false c={}',
      'a=0 b=true c={}',
      'a=0 b=false c={0}',
      'a=0 b=true c={0}',
      'a=0 b=false c={1}',
      'a=0 b=true c={1}',
      'a=0 b=false c={0, 1}',
      'a=0 b=true c={0, 1}',
      'a=2 b=true c={}',
      'a=2 b=true c={0}',
      'a=2 b=true c={1}',
      'a=2 b=true c={0, 1}',
    ]);
  });

  it('needs a constant set of the variable type, and range-checks its elements', () => {
    expect(staticError(`${header}var a: 0..2 = 0\nvar b: 0..2 in {a}`)).toMatch(/^E216: /);
    expect(staticError(`${header}var b: 0..2 in {true}`)).toMatch(/^E205: /);
    expect(() => compile(`${header}var b: 0..2 in {1, 5}`)).toThrow(/outside its declared type/);
  });
});

describe('the bound on enumerations', () => {
  it('refuses a type of more than 1,000,000 values before building it (E221)', () => {
    expect(staticError(`${header}type Big = Set[0..20]\nvar x: Int = 0\naction A(S: Big) { x := size(S) }`)).toBe(
      "E221: the type of parameter 'S' has 2,097,152 values, more than the 1,000,000 spex enumerates",
    );
    expect(staticError(`${header}type Huge = Map[0..99, 0..99]\nvar x: Int = 0\ninvariant I: size(Huge) > 0`)).toBe(
      'E221: the type Huge has about 10^200 values, more than the 1,000,000 spex enumerates',
    );
    expect(staticError(`${header}type Vast = Set[Set[0..40]]\nvar x: Int = 0\ninvariant I: forall s in Vast: true`)).toBe(
      'E221: the type Vast has more than 10^308 values, more than the 1,000,000 spex enumerates',
    );
    // A map into a type without values from a key type too large to count: refused, not built.
    expect(staticError(`${header}type W = Map[Set[Set[0..40]], 1..0]\nvar x: Int = 0\ninvariant I: size(W) > 0`)).toMatch(/^E221: the type W has /);
    expect(staticError(`${header}type W = (1..0, Set[Set[0..40]])\nvar x: Int = 0\ninvariant I: size(W) > 0`)).toMatch(/^E221: the type W has /);
    expect(staticError(`${header}var x: Int = 0\ninvariant I: size(subsets(0..29)) > 0`)).toBe(
      'E221: subsets of a set of 30 elements: 2^30 = 1,073,741,824 sets, more than the 1,000,000 spex enumerates',
    );
  });

  it('stops a step that enumerates too much with E710 and its trace', () => {
    const r = run(`${header}
      var k: 0..40 = 3
      var n: Int = 0
      action Step { require k < 40
                    n := size(subsets(1..k))
                    k := k + 17 }`);
    expect(r.outcome.kind).toBe('fault');
    if (r.outcome.kind !== 'fault') return;
    const err = r.outcome.error;
    expect(err).toBeInstanceOf(ModelError);
    expect((err.location as { code: string }).code).toBe('E710');
    expect(err.message).toBe('subsets of a set of 20 elements: 2^20 = 1,048,576 sets, more than the 1,000,000 spex enumerates');
    expect(r.outcome.trace.states.length).toBe(2);
  });
});

describe('the CLI', () => {
  const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
  const cli = (args: string[], cwd: string) => spawnSync(process.execPath, [join(root, 'dist/cli/main.js'), ...args], { cwd, encoding: 'utf8' });

  it('reproduces the hand-counted figures of spec/examples/set-allocator.spex on every engine', () => {
    for (const engine of ['auto', 'generic', 'packed']) {
      const two = cli(['check', 'spec/examples/set-allocator.spex', '--check', 'TwoResources', '--engine', engine], root);
      expect(two.status).toBe(0);
      expect(two.stdout).toMatch(/\n9 distinct states, 21 generated, depth 3, /);
      const three = cli(['check', 'spec/examples/set-allocator.spex', '--check', 'ThreeResources', '--engine', engine], root);
      expect(three.status).toBe(0);
      expect(three.stdout).toMatch(/\n27 distinct states, 77 generated, depth 3, /);
    }
  });

  it('spex test reports a configuration too large to enumerate (E221) and runs the other checks', () => {
    const dir = mkdtempSync(join(tmpdir(), 'spex-enum-'));
    try {
      writeFileSync(
        join(dir, 'families.spex'),
        ['spec Families', 'const N: Int = 24', 'var chosen: Set[0..N] = {}', 'action Choose(S in subsets(0..N)) { chosen := S }',
          'check Small { const N = 3  deadlock off  expect ok }', 'check Big { expect ok }', ''].join('\n'),
      );
      const r = cli(['test', 'families.spex'], dir);
      expect(r.status).toBe(1);
      expect(r.stdout).toContain('PASS families.spex Small: ok  (16 distinct states, 257 generated, depth 2');
      expect(r.stdout).toContain('FAIL families.spex Big: the configuration does not check');
      expect(r.stderr).toContain('families.spex:4:20: error[E221]: subsets of a set of 25 elements: 2^25 = 33,554,432 sets');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
