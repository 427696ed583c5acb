/**
 * Maps made from another by one entry in the generic engine (src/lang/compile/expressions.ts:
 * mapWith, mapWithout, keysOf): their fingerprints are worked out from the map before and
 * their key sets handed on, and both must be what the map itself gives.
 */
import { describe, expect, it } from 'vitest';
import type * as A from '../../src/lang/ast.js';
import { checkSpec } from '../../src/lang/check.js';
import type { Ctx } from '../../src/lang/compile/base.js';
import { keysOf } from '../../src/lang/compile/expressions.js';
import { Compiler } from '../../src/lang/compile/statements.js';
import { parseSpec } from '../../src/lang/parser.js';
import { IMap, fingerprintValue, mkMap, valueEquals, type Value } from '../../src/values/index.js';

const text = `spec W
type Proc = 1..40
enum Pc { a, b }
var pc: Map[Proc, Pc] = [p in Proc |-> a]
var m: Map[Proc, Map[Proc, Int]] = [p in Proc |-> [q in Proc |-> 0]]
var r: Map[Int, { n: Int, on: Bool }] = [p in Proc |-> { n: 0, on: false }]
action Set(self: Proc) { pc[self] := b }
action Same(self: Proc) { pc[self] := pc[self] }
action Nested(self: Proc) { m[self][41 - self] := self }
action Field(self: Proc) { r[self].n := self }
action Put(self: Proc) { r := put(r, self + 100, { n: self, on: true }) }
action Remove(self: Proc) { r := remove(r, self) }
action With(self: Proc) { pc := pc with [self] = b }
invariant K: keys(pc) == Proc
invariant L: keys(r) == Proc
`;

type M = IMap<Value, Value>;

function fp(v: Value): string {
  const out = new Uint32Array(2);
  fingerprintValue(v, out);
  return `${out[0]}:${out[1]}`;
}

/** Every map in `v`, nested ones included, rebuilt entry by entry in the opposite order. */
function rebuilt(v: Value): Value {
  if (!IMap.isMap(v)) return v;
  return mkMap([...(v as M).entries()].reverse().map(([k, x]) => [k, rebuilt(x)] as [Value, Value]));
}

function setup() {
  const spec = checkSpec(parseSpec({ path: 'w.spex', text }));
  const cc = new Compiler(spec, new Map());
  // The initial state: the variables' initial values, as compileSpec evaluates them.
  const init = spec.vars.map((v) => cc.constValue(v.decl.init!));
  // Each action run for self = 1, from the initial state: its one successor.
  const step = (name: string, from: Value[], self = 1): Value[] => {
    const a = spec.actions.find((x) => x.name === name)!;
    const out: Value[][] = [];
    const c: Ctx = { st: from.slice(), loc: new Array<Value>(Math.max(1, a.frameSize)) };
    c.loc[0] = self;
    cc.stmts(a.decl.body, (x) => {
      out.push(x.st.slice());
    })(c);
    return out[0]!;
  };
  const sides = (name: string) => {
    const e = spec.invariants.find((x) => x.name === name)!.expr as Extract<A.Expr, { kind: 'binary' }>;
    return { keys: cc.expr(e.left), set: cc.expr(e.right) };
  };
  return { init, step, sides };
}

describe('maps updated by one entry in the generic engine', () => {
  it('have the fingerprints of the same maps built from scratch', () => {
    const { init, step } = setup();
    // The initial state fingerprinted first, as the search does, then each step from it.
    for (const v of init) fp(v);
    for (const name of ['Set', 'Same', 'Nested', 'Field', 'Put', 'Remove', 'With']) {
      let s = init;
      for (let self = 1; self <= 20; self++) {
        s = step(name, s, self);
        s.forEach((v, i) => expect(fp(v), `${name}(self=${self}) var ${i}`).toBe(fp(rebuilt(v))));
      }
    }
  });

  it('share the key set of a map built over a type, which is that type as a value', () => {
    const { init, step, sides } = setup();
    const K = sides('K');
    const proc = K.set({ st: init, loc: [] });
    expect(K.keys({ st: init, loc: [] })).toBe(proc);
    let s = init;
    for (const name of ['Set', 'Same', 'With']) {
      s = step(name, s, 7);
      expect(K.keys({ st: s, loc: [] })).toBe(proc);
    }
    // Another mention of the type is the same set.
    expect(sides('L').set({ st: init, loc: [] })).toBe(proc);
  });

  it('hand on key sets with the key added or removed, equal to the keys of the map', () => {
    const { init, step, sides } = setup();
    const L = sides('L');
    const r0 = init[2] as M;
    expect(L.keys({ st: init, loc: [] })).toBe(L.set({ st: init, loc: [] }));
    let s = init;
    for (const [name, self] of [['Field', 3], ['Put', 3], ['Put', 5], ['Remove', 3], ['Remove', 4], ['Field', 5]] as const) {
      s = step(name, s, self);
      const r = s[2] as M;
      const keys = keysOf(r);
      expect(valueEquals(keys, r.keySeq().toSet()), `${name}(${self})`).toBe(true);
      expect(keys.size).toBe(r.size);
    }
    expect(keysOf(s[2] as M).has(103)).toBe(true);
    expect(keysOf(s[2] as M).has(3)).toBe(false);
    expect(L.keys({ st: s, loc: [] })).not.toBe(keysOf(r0));
  });
});
