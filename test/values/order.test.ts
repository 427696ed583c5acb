import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  Atom,
  NONE,
  Rec,
  Tuple,
  Variant,
  ascending,
  compareValues,
  mkMap,
  mkSeq,
  mkSet,
  some,
  sortedElements,
  sortedEntries,
  valueEquals,
  type Value,
} from '../../src/values/index.js';
import { CPU, RES, arbSameTypePair, arbSameTypeTriple, arbType, arbValue, arbValueOf, rebuild } from './arbitrary.js';

const [R, P] = RES.atoms;

function sign(n: number): number {
  return n < 0 ? -1 : n > 0 ? 1 : 0;
}

describe('compareValues', () => {
  it('orders kinds as bool < int < atom < tuple < record < variant < set < map < seq', () => {
    const byKind: Value[] = [true, -100, R, new Tuple([]), new Rec(['a'], [0]), NONE, mkSet(), mkMap(), mkSeq()];
    for (let i = 0; i < byKind.length; i++) {
      for (let j = 0; j < byKind.length; j++) {
        expect(sign(compareValues(byKind[i], byKind[j]))).toBe(sign(i - j));
      }
    }
  });

  it('orders scalars and atoms naturally, atoms by declaration position', () => {
    expect(compareValues(false, true)).toBeLessThan(0);
    expect(compareValues(-3, 2)).toBeLessThan(0);
    expect(compareValues(2 ** 40, 2 ** 40 + 1)).toBeLessThan(0);
    expect(compareValues(0, -0)).toBe(0);
    // R is declared before P.
    expect(compareValues(R, P)).toBeLessThan(0);
    expect(compareValues(new Atom('Res', 'P', 1), P)).toBe(0);
  });

  it('orders tuples, records and seqs lexicographically, shorter prefixes first', () => {
    expect(compareValues(new Tuple([1, 2]), new Tuple([1, 3]))).toBeLessThan(0);
    expect(compareValues(new Tuple([1]), new Tuple([1, 0]))).toBeLessThan(0);
    expect(compareValues(new Rec(['a', 'b'], [0, 9]), new Rec(['a', 'b'], [1, 0]))).toBeLessThan(0);
    expect(compareValues(mkSeq([2]), mkSeq([1, 5]))).toBeGreaterThan(0);
    expect(compareValues(mkSeq([1]), mkSeq([1, 5]))).toBeLessThan(0);
  });

  it('orders variants by tag position, then payload', () => {
    expect(compareValues(NONE, some(-5))).toBeLessThan(0);
    expect(compareValues(some(1), some(2))).toBeLessThan(0);
    expect(compareValues(new Variant('Free', 0), new Variant('Lru', 1, R))).toBeLessThan(0);
  });

  it('orders sets and maps by size first, then by sorted contents', () => {
    expect(compareValues(mkSet([9]), mkSet([1, 2]))).toBeLessThan(0);
    expect(compareValues(mkSet([1, 3]), mkSet([2, 1]))).toBeGreaterThan(0);
    expect(compareValues(mkMap([[P, 0]]), mkMap([[R, 5], [P, 5]]))).toBeLessThan(0);
    expect(compareValues(mkMap([[R, 1]]), mkMap([[P, 0]]))).toBeLessThan(0);
    expect(compareValues(mkMap([[R, 0], [P, 1]]), mkMap([[R, 0], [P, 2]]))).toBeLessThan(0);
  });

  it('is zero exactly for equal values', () => {
    fc.assert(
      fc.property(arbSameTypePair, ([a, b]) => {
        expect(compareValues(a, b) === 0).toBe(valueEquals(a, b));
      }),
      { numRuns: 2000 },
    );
    fc.assert(
      fc.property(arbValue, fc.integer(), (v, seed) => {
        expect(compareValues(v, rebuild(v, seed))).toBe(0);
      }),
      { numRuns: 500 },
    );
  });

  it('is antisymmetric', () => {
    fc.assert(
      fc.property(fc.oneof(arbSameTypePair, fc.tuple(arbValue, arbValue)), ([a, b]) => {
        expect(sign(compareValues(a, b)) + sign(compareValues(b, a))).toBe(0);
      }),
      { numRuns: 2000 },
    );
  });

  it('is transitive', () => {
    fc.assert(
      fc.property(fc.oneof(arbSameTypeTriple, fc.tuple(arbValue, arbValue, arbValue)), (xs) => {
        // Sorting and then checking every pair is transitivity over all three, whatever order
        // they came in.
        const s = xs.slice().sort(compareValues);
        expect(compareValues(s[0], s[1])).toBeLessThanOrEqual(0);
        expect(compareValues(s[1], s[2])).toBeLessThanOrEqual(0);
        expect(compareValues(s[0], s[2])).toBeLessThanOrEqual(0);
      }),
      { numRuns: 2000 },
    );
  });

  it('does not depend on how a set or map was built', () => {
    fc.assert(
      fc.property(arbSameTypePair, fc.integer(), ([a, b], seed) => {
        expect(compareValues(rebuild(a, seed), b)).toBe(compareValues(a, b));
      }),
      { numRuns: 1000 },
    );
  });
});

describe('sortedElements and sortedEntries', () => {
  it('list a set in canonical order', () => {
    expect(sortedElements(mkSet([3, -1, 2]))).toEqual([-1, 2, 3]);
    const big = Array.from({ length: 50 }, (_, i) => 49 - i);
    expect(sortedElements(mkSet(big))).toEqual(big.slice().reverse());
  });

  it('list map entries in canonical key order', () => {
    expect(sortedEntries(mkMap([[P, 1], [R, 0]]))).toEqual([
      [R, 0],
      [P, 1],
    ]);
  });
});

describe('sorting a large set of small collections', () => {
  it('gives the canonical order, whether the elements were sorted before or not, and leaves comparisons as they were', () => {
    // At least 64 elements (PRESORT_MIN_SIZE), each a value of one type: small sets and maps
    // inside get their sorted forms kept.
    fc.assert(
      fc.property(arbType.chain((t) => fc.array(arbValueOf(t), { minLength: 64, maxLength: 120 })), fc.integer(), (xs, seed) => {
        const pairs = xs.slice(0, 20).map((x, i) => [x, xs[(i * 7 + 3) % xs.length]!] as const);
        // Comparisons on copies that nothing has sorted yet: the reference.
        const fresh = pairs.map(([a, b]) => sign(compareValues(rebuild(a, seed), rebuild(b, seed))));
        const set = mkSet(xs);
        const sorted = sortedElements(set);
        expect(sorted.length).toBe(set.size);
        for (let i = 1; i < sorted.length; i++) expect(compareValues(sorted[i - 1]!, sorted[i]!)).toBeLessThan(0);
        for (const x of xs) expect(sorted.some((y) => valueEquals(x, y))).toBe(true);
        // The same order as a sort of rebuilt copies, which share nothing with the sorted set.
        const again = sortedElements(mkSet(xs.map((x) => rebuild(x, seed + 1))));
        expect(again.length).toBe(sorted.length);
        again.forEach((y, i) => expect(valueEquals(y, sorted[i]!)).toBe(true));
        expect(pairs.map(([a, b]) => sign(compareValues(a, b)))).toEqual(fresh);
      }),
      { numRuns: 100 },
    );
  });

  it('a set of 4,096 maps from 4 atoms to subsets of them', () => {
    const atoms = [...CPU.atoms, new Atom('Cpu', 'F', 3)];
    const subsets: Value[] = [];
    for (let m = 0; m < 16; m++) subsets.push(mkSet(atoms.filter((_, i) => (m >> i) & 1)));
    const maps: Value[] = [];
    for (let k = 0; k < 4096; k++) maps.push(mkMap(atoms.slice(0, 3).map((a, i) => [a, subsets[(k >> (4 * i)) & 15]!] as [Value, Value])));
    const sorted = sortedElements(mkSet(maps));
    expect(sorted.length).toBe(4096);
    for (let i = 1; i < sorted.length; i++) expect(compareValues(sorted[i - 1]!, sorted[i]!)).toBeLessThan(0);
    // The first: every key to the smallest set, {}.
    expect(valueEquals(sorted[0]!, mkMap(atoms.slice(0, 3).map((a) => [a, mkSet()] as [Value, Value])))).toBe(true);
  });
});

describe('ascending', () => {
  it('gives the elements in the order sortedElements gives them, taken all or in part, the first time and again', () => {
    fc.assert(
      fc.property(arbType.chain((t) => fc.array(arbValueOf(t), { minLength: 0, maxLength: 150 })), fc.nat(200), (xs, stop) => {
        const set = mkSet(xs);
        const copy = mkSet(xs.map((x) => rebuild(x, stop)));
        // A part first (a choose that stops early), on a set nothing has sorted yet.
        const part: Value[] = [];
        for (const x of ascending(set)) {
          if (part.length === stop) break;
          part.push(x);
        }
        const whole = [...ascending(set)];
        const want = sortedElements(copy);
        expect(whole.length).toBe(want.length);
        whole.forEach((x, i) => expect(valueEquals(x, want[i]!)).toBe(true));
        part.forEach((x, i) => expect(valueEquals(x, want[i]!)).toBe(true));
        expect(part.length).toBe(Math.min(stop, want.length));
      }),
      { numRuns: 100 },
    );
  });

  it('takes a large set from a heap the first time, in canonical order, whole or in part', () => {
    const rand = (() => {
      let a = 7;
      return () => ((a = (Math.imul(a, 1103515245) + 12345) >>> 0) / 2 ** 32);
    })();
    const pairs: Value[] = Array.from({ length: 700 }, () => new Tuple([Math.floor(rand() * 50) - 25, mkSet([Math.floor(rand() * 5), Math.floor(rand() * 5)])]));
    for (const stop of [0, 1, 5, 64, 10_000]) {
      const set = mkSet(pairs);
      const want = sortedElements(mkSet(pairs.map((x) => rebuild(x, stop))));
      const got: Value[] = [];
      for (const x of ascending(set)) {
        if (got.length === stop) break;
        got.push(x);
      }
      expect(got.length).toBe(Math.min(stop, want.length));
      got.forEach((x, i) => expect(valueEquals(x, want[i]!)).toBe(true));
      // The second time: sorted and kept.
      const again = [...ascending(set)];
      expect(again.length).toBe(want.length);
      again.forEach((x, i) => expect(valueEquals(x, want[i]!)).toBe(true));
      expect(sortedElements(set)).toBe(sortedElements(set));
    }
  });
});
