import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  Atom,
  NONE,
  Rec,
  Tuple,
  Variant,
  fingerprintValue,
  fingerprintValues,
  mkMap,
  mkSeq,
  mkSet,
  noteMapRemove,
  noteMapSet,
  some,
  valueEquals,
  type IMap,
  type Value,
} from '../../src/values/index.js';
import { CPU, arbSameTypePair, arbType, arbValue, arbValueOf, prng, rebuild } from './arbitrary.js';

function fpOf(v: Value): string {
  const out = new Uint32Array(2);
  fingerprintValue(v, out);
  return hex(out);
}

function fpOfState(vs: readonly Value[]): string {
  const out = new Uint32Array(2);
  fingerprintValues(vs, out);
  return hex(out);
}

function hex(out: Uint32Array): string {
  return out[0].toString(16).padStart(8, '0') + out[1].toString(16).padStart(8, '0');
}

/** Number of pairs that share a key, over the given keys. */
function collisions(keys: Iterable<string | number>): number {
  const seen = new Set<string | number>();
  let n = 0;
  for (const k of keys) {
    if (seen.has(k)) n++;
    else seen.add(k);
  }
  return n;
}

describe('fingerprints', () => {
  it('are the same for equal values built along different histories', () => {
    fc.assert(
      fc.property(arbValue, fc.integer(), (v, seed) => {
        expect(fpOf(rebuild(v, seed))).toBe(fpOf(v));
      }),
      { numRuns: 1000 },
    );
  });

  it('agree with equality on pairs of values of one type', () => {
    fc.assert(
      fc.property(arbSameTypePair, ([a, b]) => {
        expect(fpOf(a) === fpOf(b)).toBe(valueEquals(a, b));
      }),
      { numRuns: 3000 },
    );
  });

  it('do not depend on the insertion order of large sets and maps, even after removals', () => {
    const rand = prng(42);
    const elems = Array.from({ length: 200 }, (_, i) => i * 7 - 300);
    const ref = mkSet(elems);
    const refMap = mkMap(elems.map((x) => [x, some(x)]));
    for (let round = 0; round < 20; round++) {
      const order = elems.slice().sort(() => rand() - 0.5);
      const extra = [1000, 1001, 1002, 5];
      let s = mkSet([...extra, ...order]);
      for (const x of extra) if (!elems.includes(x)) s = s.delete(x);
      expect(fpOf(s)).toBe(fpOf(ref));
      let m = mkMap(order.map((x) => [x, NONE]));
      for (const x of extra) m = m.set(x, 0);
      for (const x of order) m = m.set(x, some(x));
      for (const x of extra) if (!elems.includes(x)) m = m.delete(x);
      expect(fpOf(m)).toBe(fpOf(refMap));
      // A large collection nested in a fresh container: the cache must not change the result.
      expect(fpOf(new Tuple([s, m]))).toBe(fpOf(new Tuple([ref, refMap])));
    }
  });

  it('tell apart every kind of empty or zero-like value', () => {
    const values: Value[] = [
      0,
      false,
      NONE,
      mkSet(),
      mkMap(),
      mkSeq(),
      new Tuple([]),
      new Rec([], []),
      new Variant('Free', 0),
      mkSet([0]),
      mkSeq([0]),
      new Tuple([0]),
      some(0),
      mkSet([mkSet()]),
      mkSeq([mkSeq()]),
    ];
    const fps = values.map(fpOf);
    expect(new Set(fps).size).toBe(values.length);
  });

  it('depend on atom enum names, record field names and variant tags', () => {
    expect(fpOf(new Atom('Cpu', 'C', 0))).not.toBe(fpOf(new Atom('Mode', 'C', 0)));
    expect(fpOf(new Atom('Cpu', 'C', 0))).not.toBe(fpOf(new Atom('Cpu', 'D', 0)));
    expect(fpOf(new Atom('Cpu', 'C', 0))).toBe(fpOf(new Atom('Cpu', 'C', 7)));
    expect(fpOf(new Rec(['a', 'b'], [1, 2]))).not.toBe(fpOf(new Rec(['a', 'c'], [1, 2])));
    expect(fpOf(new Rec(['ab'], [1]))).not.toBe(fpOf(new Rec(['a'], [1])));
    expect(fpOf(new Variant('Lru', 1, 1))).not.toBe(fpOf(new Variant('Busy', 1, 1)));
    expect(fpOf(new Variant('Some', 1, 3))).toBe(fpOf(some(3)));
  });

  it('distinguish integers across the whole safe range, including their sign', () => {
    const big = [0, -1, 1, 2 ** 32, -(2 ** 32), 2 ** 32 + 1, 2 ** 31, -(2 ** 31), Number.MAX_SAFE_INTEGER, Number.MIN_SAFE_INTEGER];
    expect(new Set(big.map(fpOf)).size).toBe(big.length);
    expect(fpOf(-0)).toBe(fpOf(0));
  });

  it('take the order of state variables into account', () => {
    expect(fpOfState([1, 2])).not.toBe(fpOfState([2, 1]));
    expect(fpOfState([1, 2])).toBe(fpOfState([1, 2]));
    expect(fpOfState([1, 2])).not.toBe(fpOf(new Tuple([1, 2])));
    expect(fpOfState([1, 2])).not.toBe(fpOf(mkSeq([1, 2])));
    expect(fpOfState([])).not.toBe(fpOfState([0]));
  });

  it('never collide, and rarely collide per 32-bit lane, on large families of similar values', () => {
    // Every subset of 0..15, every Cpu -> 0..3 map with up to three keys (as sets of entries
    // these differ in one entry at a time), and a dense range of integers: ~0.5 expected
    // collisions per lane for the 65536 subsets if the lanes behave like random functions.
    const family: Value[] = [];
    for (let mask = 0; mask < 1 << 16; mask++) {
      const xs: number[] = [];
      for (let i = 0; i < 16; i++) if (mask & (1 << i)) xs.push(i);
      family.push(mkSet(xs));
    }
    const [c, d, e] = CPU.atoms;
    for (let x = -1; x < 4; x++) {
      for (let y = -1; y < 4; y++) {
        for (let z = -1; z < 4; z++) {
          const entries: [Value, Value][] = [];
          if (x >= 0) entries.push([c, x]);
          if (y >= 0) entries.push([d, y]);
          if (z >= 0) entries.push([e, z]);
          family.push(mkMap(entries));
        }
      }
    }
    for (let i = -50_000; i < 50_000; i++) family.push(i);
    const out = new Uint32Array(2);
    const full: string[] = [];
    const hi: number[] = [];
    const lo: number[] = [];
    for (const v of family) {
      fingerprintValue(v, out);
      hi.push(out[0]);
      lo.push(out[1]);
      full.push(hex(out));
    }
    expect(collisions(full)).toBe(0);
    expect(collisions(hi)).toBeLessThanOrEqual(6);
    expect(collisions(lo)).toBeLessThanOrEqual(6);
  });

  it('never collide on states that differ in one small variable', () => {
    const out = new Uint32Array(2);
    const seen = new Set<string>();
    const base: Value[] = [mkSet([1, 2]), mkMap([[CPU.atoms[0], 1]]), NONE, 0];
    for (let i = 0; i < 4; i++) {
      for (let x = 0; x < 20_000; x++) {
        const s = base.slice();
        s[i] = x;
        fingerprintValues(s, out);
        seen.add(hex(out));
      }
    }
    // All 80000 states are distinct (only position 3 with x = 0 gives back the base state).
    expect(seen.size).toBe(4 * 20_000);
  });

  it('are pinned, so that changing the hash (and invalidating stored fingerprints) is deliberate', () => {
    // The same in every process: they depend on nothing but structure and names.
    const state: Value[] = [
      mkMap([
        [CPU.atoms[0], mkSet([1, 2])],
        [CPU.atoms[1], mkSet()],
      ]),
      new Rec(['res', 'css'], [0, new Atom('Mode', 'Online', 0)]),
      some(new Tuple([1, true])),
      mkSeq([-5, 2 ** 40]),
    ];
    expect(state.map(fpOf)).toMatchInlineSnapshot(`
      [
        "182b63d058fce2a9",
        "55b182e8d3003db1",
        "f74543cb91b6564c",
        "059560444b77281e",
      ]
    `);
    expect(fpOfState(state)).toMatchInlineSnapshot(`"50b31987bd546dbc"`);
  });
});

describe('fingerprints of maps made from another by one entry (noteMapSet, noteMapRemove)', () => {
  type M = IMap<Value, Value>;
  /** The same entries in a new map, built in the opposite order: nothing cached for it. */
  const rebuilt = (m: M): M => mkMap([...m.entries()].reverse());
  const key = (i: number): Value => (i % 3 === 0 ? new Tuple([i, CPU.atoms[i % 3]]) : i);

  it('are those of the same map built from scratch, along random sets and removals', () => {
    // Values of a random type (nested maps and sets among them), sometimes large maps, so
    // that the entries' own fingerprints come from the cache too.
    const arbValues = arbType.chain((t) => fc.array(arbValueOf(t), { minLength: 1, maxLength: 6 }));
    const arbOp = fc.record({ remove: fc.boolean(), key: fc.nat(59), value: fc.nat(7), copy: fc.boolean(), forget: fc.nat(9) });
    fc.assert(
      fc.property(arbValues, fc.integer({ min: 14, max: 40 }), fc.array(arbOp, { maxLength: 60 }), fc.boolean(), (pool, n, ops, known) => {
        const large = mkMap(Array.from({ length: 20 }, (_, i) => [i, pool[i % pool.length]!] as [Value, Value]));
        const values = [...pool, large];
        let m: M = mkMap(Array.from({ length: n }, (_, i) => [key(i), values[i % values.length]!] as [Value, Value]));
        if (known) fpOf(m);
        for (const op of ops) {
          // An equal key of another object than the one in the map, now and then.
          const k = op.copy ? rebuild(key(op.key), op.key) : key(op.key);
          const old = m.get(k);
          let next: M;
          if (op.remove) {
            next = m.remove(k);
            if (old !== undefined) noteMapRemove(m, next, k, old);
          } else {
            // The value the key has (the same object: `set` gives the map back), an equal copy
            // of it, or another.
            const v = op.value === 7 && old !== undefined ? (op.copy ? rebuild(old, op.key) : old) : values[op.value % values.length]!;
            next = m.set(k, v);
            noteMapSet(m, next, k, old);
          }
          expect(fpOf(next)).toBe(fpOf(rebuilt(next)));
          // A map rebuilt in the middle of the chain: its successors are noted against a map
          // whose fingerprint is not known until it is computed.
          m = op.forget === 0 ? rebuilt(next) : next;
        }
      }),
      { numRuns: 300 },
    );
  });

  it('come from the map before, without walking the new one', () => {
    const m = mkMap(Array.from({ length: 100 }, (_, i) => [i, some(i)] as [Value, Value]));
    fpOf(m);
    const walked = (x: M): M => {
      Object.defineProperty(x, 'forEach', {
        value: () => {
          throw new Error('walked the whole map');
        },
      });
      return x;
    };
    const set = m.set(7, NONE);
    noteMapSet(m, set, 7, some(7));
    const added = set.set(1000, NONE);
    noteMapSet(set, added, 1000, undefined);
    const removed = added.remove(3);
    noteMapRemove(added, removed, 3, some(3));
    const expected = [set, added, removed].map((x) => fpOf(rebuilt(x)));
    expect([walked(set), walked(added), walked(removed)].map(fpOf)).toEqual(expected);
    expect(new Set(expected).size).toBe(3);
  });

  it('follow a long run of updates without a chain to walk later', () => {
    let m: M = mkMap(Array.from({ length: 1000 }, (_, i) => [i, 0] as [Value, Value]));
    fpOf(m);
    for (let i = 0; i < 30_000; i++) {
      const k = (i * 7919) % 1500;
      const old = m.get(k);
      const next = i % 5 === 4 ? m.remove(k) : m.set(k, i % 4);
      if (i % 5 === 4) {
        if (old !== undefined) noteMapRemove(m, next, k, old);
      } else noteMapSet(m, next, k, old);
      m = next;
    }
    expect(fpOf(m)).toBe(fpOf(rebuilt(m)));
  });

  it('are left alone when the map is too small to be cached, or unchanged', () => {
    const small = mkMap([[1, 1]]);
    fpOf(small);
    const bigger = small.set(2, 2);
    noteMapSet(small, bigger, 2, undefined);
    expect(fpOf(bigger)).toBe(fpOf(rebuilt(bigger)));
    const m = mkMap(Array.from({ length: 30 }, (_, i) => [i, i] as [Value, Value]));
    const before = fpOf(m);
    // `set` with the value a key has gives the same map back; noting it changes nothing.
    noteMapSet(m, m.set(3, 3), 3, 3);
    expect(fpOf(m)).toBe(before);
    expect(fpOf(m)).toBe(fpOf(rebuilt(m)));
  });
});
