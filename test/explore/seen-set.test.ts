/**
 * The seen sets (CompactFingerprintSet, FingerprintSet, FlatFingerprintSet) against a model, on keys built to
 * share one of their halves, or the compact set's mixed high word: `has` and `add` must look
 * at both 32-bit words of a fingerprint. `has` decides whether a limit cut the search short,
 * so a `has` that ignores a word is a wrong verdict, not a slower one.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CompactFingerprintSet } from '../../src/explore/compact-set.js';
import { FingerprintSet } from '../../src/explore/fingerprint-set.js';
import { FlatFingerprintSet } from '../../src/explore/flat-set.js';
import type { SeenSet } from '../../src/explore/seen-set.js';
import { fmix32 } from '../../src/values/mix.js';
import { unfmix32 } from '../support/fmix.js';

const sets: [string, () => SeenSet][] = [
  ['CompactFingerprintSet', () => new CompactFingerprintSet()],
  ['FingerprintSet', () => new FingerprintSet()],
  ['FlatFingerprintSet', () => new FlatFingerprintSet()],
];

/** A key whose compact-set high word (fmix32(hi ^ fmix32(lo ^ c))) equals that of (hi, lo), with another low word. */
function sameMixedHigh(hi: number, lo: number, otherLo: number): [number, number] {
  return [(hi ^ fmix32((lo ^ 0x5bd1e995) >>> 0) ^ fmix32((otherLo ^ 0x5bd1e995) >>> 0)) >>> 0, otherLo >>> 0];
}

/** Keys near a key: each differs from it in one word only. */
function neighbours(hi: number, lo: number): [number, number][] {
  return [
    [hi, (lo ^ 1) >>> 0],
    [hi, (lo + 1) >>> 0],
    [hi, (lo ^ 0x80000000) >>> 0],
    [(hi ^ 1) >>> 0, lo],
    [(hi + 1) >>> 0, lo],
    [lo, hi],
    sameMixedHigh(hi, lo, (lo ^ 1) >>> 0),
    sameMixedHigh(hi, lo, (lo + 0x12345) >>> 0),
  ];
}

const key = (hi: number, lo: number): string => `${hi >>> 0}:${lo >>> 0}`;

describe.each(sets)('%s', (_, make) => {
  /** The set's own consistency check, where it has one (CompactFingerprintSet). */
  const selfCheck = (set: SeenSet): void => {
    const check = (set as { selfCheck?: () => string | null }).selfCheck;
    if (check !== undefined) expect(check.call(set)).toBeNull();
  };

  it('numbers new fingerprints in insertion order and answers -1 for ones it has', () => {
    const set = make();
    expect(set.add(5, 6)).toBe(0);
    expect(set.add(7, 8)).toBe(1);
    expect(set.add(5, 6)).toBe(-1);
    expect(set.add(9, 10)).toBe(2);
    expect(set.has(7, 8)).toBe(true);
    expect(set.has(8, 7)).toBe(false);
    expect(set.size).toBe(3);
    selfCheck(set);
  });

  it('treats all-zero and all-one words as ordinary keys, signed or unsigned', () => {
    const set = make();
    expect(set.add(0, 0)).toBe(0);
    expect(set.add(-1, -1)).toBe(1);
    expect(set.has(0xffffffff, 0xffffffff)).toBe(true);
    expect(set.add(0xffffffff, 0)).toBe(2);
    expect(set.add(0, 0xffffffff)).toBe(3);
    expect(set.add(0, -1)).toBe(-1);
    selfCheck(set);
  });

  it('keeps the fingerprint that mixes to the empty marker apart from empty slots', () => {
    // The mixed key's high word fmix32(hi ^ fmix32(lo ^ 0x5bd1e995)) and low word lo ^ high
    // (CompactFingerprintSet's and FlatFingerprintSet's) are both zero for lo = 0 and
    // hi = unfmix32(0) ^ fmix32(0x5bd1e995): the key their tables mark empty slots with.
    const hi = (unfmix32(0) ^ fmix32(0x5bd1e995)) >>> 0;
    const set = make();
    expect(set.has(hi, 0)).toBe(false);
    expect(set.add(1, 1)).toBe(0);
    expect(set.add(hi, 0)).toBe(1);
    expect(set.has(hi, 0)).toBe(true);
    expect(set.add(hi, 0)).toBe(-1);
    expect(set.size).toBe(2);
    selfCheck(set);
  });

  it('tells apart keys that differ in the low word only', () => {
    const set = make();
    expect(set.add(7, 1)).toBe(0);
    expect(set.has(7, 1)).toBe(true);
    expect(set.has(7, 2)).toBe(false);
    expect(set.has(7, 0)).toBe(false);
    const [h2, l2] = sameMixedHigh(7, 1, 2);
    expect(set.has(h2, l2)).toBe(false);
    expect(set.add(h2, l2)).toBe(1);
    expect(set.has(h2, l2)).toBe(true);
    expect(set.has(h2, 1)).toBe(false);
  });

  it('answers has() and add() as a set of 64-bit keys does (fast-check, near-colliding keys)', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.nat({ max: 0xffffffff }), fc.nat({ max: 0xffffffff })), { minLength: 1, maxLength: 300 }), fc.nat(), (pairs, pick) => {
        const set = make();
        const model = new Map<string, number>();
        // Half of the keys are stored; every neighbour of every key is queried.
        pairs.forEach(([hi, lo], i) => {
          if ((i + pick) % 2 === 0) return;
          for (const [h, l] of [[hi, lo] as [number, number], neighbours(hi, lo)[(i + pick) % 8]!]) {
            const k = key(h, l);
            const want = model.has(k) ? -1 : model.size;
            if (!model.has(k)) model.set(k, model.size);
            expect(set.add(h, l)).toBe(want);
          }
        });
        for (const [hi, lo] of pairs) {
          for (const [h, l] of [[hi, lo] as [number, number], ...neighbours(hi, lo)]) {
            expect(set.has(h, l)).toBe(model.has(key(h, l)));
            if (set.indexOf) expect(set.indexOf(h, l)).toBe(model.get(key(h, l)) ?? -1);
          }
        }
        expect(set.size).toBe(model.size);
      }),
      { numRuns: 60 },
    );
  });

  it('keeps answering right while it grows (thousands of keys sharing their high words)', () => {
    const set = make();
    const n = 5000;
    for (let i = 0; i < n; i++) {
      expect(set.add(i % 16, i)).toBe(i);
      const [h, l] = sameMixedHigh(i % 16, i, i + n);
      expect(set.has(h, l)).toBe(false);
    }
    for (let i = 0; i < n; i++) {
      expect(set.has(i % 16, i)).toBe(true);
      expect(set.has(i % 16, i + n)).toBe(false);
      expect(set.has((i % 16) + 16, i)).toBe(false);
    }
    expect(set.size).toBe(n);
  });
});
