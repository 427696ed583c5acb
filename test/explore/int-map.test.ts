/**
 * IntMap (src/explore/int-map.ts), the typed-array map that stands where a JavaScript Map,
 * limited to 2^24 entries, would overflow: the product of a state graph with an automaton,
 * the search's replay records of states with 255 successors or more.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { IntMap } from '../../src/explore/int-map.js';

describe('IntMap', () => {
  it('holds what a Map holds: every key set, its last value, no other key, as it grows', () => {
    const key = fc.oneof(fc.nat(100), fc.integer({ min: 0, max: 2 ** 43 }), fc.integer({ min: 0, max: Number.MAX_SAFE_INTEGER }));
    fc.assert(
      fc.property(fc.array(fc.tuple(key, fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 })), { maxLength: 300 }), fc.array(key, { maxLength: 50 }), (sets, others) => {
        const m = new IntMap(2);
        const ref = new Map<number, number>();
        for (const [k, v] of sets) {
          m.set(k, v);
          ref.set(k, v);
        }
        expect(m.size).toBe(ref.size);
        for (const k of [...sets.map(([k]) => k), ...others]) expect(m.get(k)).toBe(ref.get(k));
        expect(m.entries().sort((a, b) => a[0] - b[0])).toEqual([...ref].sort((a, b) => a[0] - b[0]));
      }),
      { numRuns: 200 },
    );
  });

  it('keeps keys apart that differ only past 32 bits, and grows twice its slots when half full', () => {
    const m = new IntMap(4);
    for (let i = 0; i < 100; i++) m.set(i * 2 ** 32 + 7, i);
    expect(Array.from({ length: 100 }, (_, i) => m.get(i * 2 ** 32 + 7))).toEqual(Array.from({ length: 100 }, (_, i) => i));
    expect(m.get(7 + 100 * 2 ** 32)).toBeUndefined();
    // Setting a key again changes its value, not the count.
    m.set(7, 1);
    m.set(7, 2);
    expect([m.size, m.get(7)]).toEqual([100, 2]);
    // 100 entries: 256 slots (128 would be more than half full), 12 bytes each.
    expect(m.bytes).toBe(256 * 12);
  });

  it('refuses a value that is no 32-bit integer rather than cut it short', () => {
    const m = new IntMap();
    for (const bad of [2 ** 31, -(2 ** 31) - 1, 1.5, Number.NaN]) expect(() => m.set(1, bad), String(bad)).toThrow(`internal error: IntMap value ${bad} is not a 32-bit integer`);
    expect(m.size).toBe(0);
    m.set(1, -(2 ** 31));
    m.set(2, 2 ** 31 - 1);
    expect([m.get(1), m.get(2)]).toEqual([-(2 ** 31), 2 ** 31 - 1]);
  });

  it('starts with a power of two of slots, at least two', () => {
    for (const bad of [0, 1, 3, 6, 2.5, -4, Number.NaN]) expect(() => new IntMap(bad), String(bad)).toThrow(`internal error: IntMap capacity ${bad} is not a power of two`);
    for (const good of [2, 4, 1024]) expect(new IntMap(good).bytes).toBe(good * 12);
  });

  it('asks before it grows, with the bytes it would take; a refusal leaves it as it was', () => {
    const asked: number[] = [];
    const m = new IntMap(4, (bytes) => {
      asked.push(bytes);
      if (bytes > 16 * 12) throw new Error('over budget');
    });
    for (let i = 0; i < 8; i++) m.set(i, i);
    expect(asked).toEqual([8 * 12, 16 * 12]);
    expect(() => m.set(8, 8)).toThrow('over budget');
    expect(m.size).toBe(8);
    expect(m.get(8)).toBeUndefined();
    expect(Array.from({ length: 8 }, (_, i) => m.get(i))).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
  });
});
