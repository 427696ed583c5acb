import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { FingerprintSet } from '../../src/explore/index.js';

const key = (hi: number, lo: number): string => `${hi >>> 0}:${lo >>> 0}`;

describe('FingerprintSet', () => {
  it('starts empty and finds nothing', () => {
    const set = new FingerprintSet();
    expect(set.size).toBe(0);
    expect(set.has(0, 0)).toBe(false);
    expect(set.indexOf(1, 2)).toBe(-1);
  });

  it('numbers new fingerprints densely in insertion order and reports them as new with ~index', () => {
    const set = new FingerprintSet();
    expect(set.insertOrFind(5, 6)).toBe(~0);
    expect(set.insertOrFind(7, 8)).toBe(~1);
    expect(set.insertOrFind(5, 6)).toBe(0);
    expect(set.insertOrFind(9, 10)).toBe(~2);
    expect(set.insertOrFind(7, 8)).toBe(1);
    expect(set.size).toBe(3);
    expect(set.indexOf(9, 10)).toBe(2);
  });

  it('treats the all-zero fingerprint as an ordinary key, distinct from its neighbours', () => {
    const set = new FingerprintSet();
    expect(set.has(0, 0)).toBe(false);
    expect(set.insertOrFind(0, 0)).toBe(~0);
    expect(set.has(0, 0)).toBe(true);
    expect(set.insertOrFind(0, 0)).toBe(0);
    expect(set.has(0, 1)).toBe(false);
    expect(set.has(1, 0)).toBe(false);
    expect(set.insertOrFind(1, 0)).toBe(~1);
    expect(set.insertOrFind(0, 1)).toBe(~2);
    expect(set.indexOf(0, 0)).toBe(0);
    expect(set.size).toBe(3);
  });

  it('takes both halves modulo 2^32, so signed and unsigned forms of a word are the same key', () => {
    const set = new FingerprintSet();
    expect(set.insertOrFind(-1, -2)).toBe(~0);
    expect(set.insertOrFind(0xffffffff, 0xfffffffe)).toBe(0);
    expect(set.has(0xffffffff, -2)).toBe(true);
  });

  it('grows by doubling, keeps the load at or below 3/4 and keeps every index', () => {
    const set = new FingerprintSet(0);
    const n = 100_000;
    // Fingerprints that differ only in a few high bits of one half, as hand-made ones do.
    const hi = (i: number): number => i >>> 12;
    const lo = (i: number): number => ((i & 0xfff) << 20) >>> 0;
    const capacities = [set.capacity];
    let wrong = 0; // plain checks in the loop: 10^5 expect() calls would dominate the run time
    for (let i = 0; i < n; i++) {
      if (set.insertOrFind(hi(i), lo(i)) !== ~i) wrong++;
      if (set.size / set.capacity > 0.75) wrong++;
      if (set.capacity !== capacities.at(-1)) capacities.push(set.capacity);
    }
    expect(wrong).toBe(0);
    expect(capacities.every((c, j) => j === 0 || c === capacities[j - 1]! * 2)).toBe(true);
    expect(Math.log2(set.capacity) % 1).toBe(0);
    for (let i = 0; i < n; i++) if (set.indexOf(hi(i), lo(i)) !== i) wrong++;
    expect(wrong).toBe(0);
    expect(set.has(hi(n), lo(n))).toBe(false);
    expect(set.bytesUsed()).toBe(set.capacity * 12);
  });

  it('sizes the initial table from the capacity hint so that the hint fits without growing', () => {
    const set = new FingerprintSet(1000);
    const capacity = set.capacity;
    for (let i = 0; i < 1000; i++) set.insertOrFind(i, i);
    expect(set.capacity).toBe(capacity);
  });

  it('behaves like a Map from fingerprint to first-insertion index (fast-check, colliding keys)', () => {
    // Small domains for both halves so that keys repeat, plus keys that share their low bits
    // and differ only in high bits, which lands many of them in the same probe runs of a
    // small table that has to grow several times.
    const half = fc.oneof(
      fc.constantFrom(0, 1, 0xffffffff, 0x80000000),
      fc.nat(7),
      fc.nat(63).map((x) => (x << 26) >>> 0),
      fc.nat(0xffffffff),
    );
    const op = fc.record({ insert: fc.boolean(), hi: half, lo: half });
    fc.assert(
      fc.property(fc.array(op, { maxLength: 400 }), fc.nat(40), (ops, hint) => {
        const set = new FingerprintSet(hint);
        const model = new Map<string, number>();
        for (const { insert, hi, lo } of ops) {
          const k = key(hi, lo);
          const expected = model.get(k);
          if (insert) {
            const r = set.insertOrFind(hi, lo);
            if (expected === undefined) {
              expect(r).toBe(~model.size);
              model.set(k, model.size);
            } else {
              expect(r).toBe(expected);
            }
          } else {
            expect(set.has(hi, lo)).toBe(expected !== undefined);
            expect(set.indexOf(hi, lo)).toBe(expected ?? -1);
          }
          expect(set.size).toBe(model.size);
        }
        for (const [k, index] of model) {
          const [hi, lo] = k.split(':').map(Number) as [number, number];
          expect(set.indexOf(hi, lo)).toBe(index);
        }
        expect(set.size / set.capacity).toBeLessThanOrEqual(0.75);
      }),
      { numRuns: 300 },
    );
  });
});
