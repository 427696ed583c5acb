/**
 * FingerprintSet (src/explore/fingerprint-set.ts) at its edges: the table's size for a hint,
 * the moment it doubles, and the indices it gives back across a doubling.
 */
import { describe, expect, it } from 'vitest';
import { FingerprintSet } from '../../src/explore/fingerprint-set.js';

describe('FingerprintSet at its edges', () => {
  it('takes the smallest power of two from 16 whose 3/4 holds the hint', () => {
    const capacity = (hint: number): number => new FingerprintSet(hint).capacity;
    expect([0, 1, 12, 13, 24, 25, 48, 49, 768, 769].map(capacity)).toEqual([16, 16, 16, 32, 32, 64, 64, 128, 1024, 2048]);
    expect(new FingerprintSet().capacity).toBe(2048);
    expect(new FingerprintSet(12).bytesUsed()).toBe(16 * 12);
  });

  it('doubles on the insertion past 3/4 of its slots, not before, and keeps the indices', () => {
    const set = new FingerprintSet(0);
    for (let i = 0; i < 12; i++) expect(set.insertOrFind(i, ~i)).toBe(~i);
    expect(set.capacity).toBe(16);
    // Finding one present does not grow it.
    expect(set.insertOrFind(3, ~3)).toBe(3);
    expect(set.capacity).toBe(16);
    expect(set.insertOrFind(12, ~12)).toBe(~12);
    expect(set.capacity).toBe(32);
    for (let i = 0; i <= 12; i++) expect([set.indexOf(i, ~i), set.insertOrFind(i, ~i), set.add(i, ~i)]).toEqual([i, i, -1]);
    for (let i = 13; i < 24; i++) expect(set.add(i, ~i)).toBe(i);
    expect(set.capacity).toBe(32);
    expect(set.add(24, ~24)).toBe(24);
    expect(set.capacity).toBe(64);
    expect(set.indexOf(25, ~25)).toBe(-1);
    expect(set.has(25, ~25)).toBe(false);
    expect(set.has(24, ~24)).toBe(true);
    expect(set.size).toBe(25);
    expect(set.bytesUsed()).toBe(64 * 12);
  });

  it('finds keys whose probes wrap around a small table', () => {
    const set = new FingerprintSet(0);
    const keys: [number, number][] = [];
    for (let i = 0; i < 12; i++) keys.push([i * 0x10001, i]);
    keys.forEach(([h, l], i) => expect(set.add(h, l)).toBe(i));
    // At 12 of 16 slots some probe sequence passes the end.
    keys.forEach(([h, l], i) => expect(set.indexOf(h, l)).toBe(i));
    for (let i = 12; i < 40; i++) expect(set.indexOf(i * 0x10001, i)).toBe(-1);
  });
});
