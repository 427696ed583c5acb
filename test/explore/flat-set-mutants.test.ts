/**
 * FlatFingerprintSet (src/explore/flat-set.ts) at its edges: the table's size for an expected
 * count and the moment it doubles, probes that wrap around the table's end, the fingerprint
 * 0, 0 kept by a flag, the keys it sorts as CompactFingerprintSet does, and the snapshots it
 * refuses.
 */
import { describe, expect, it } from 'vitest';
import { FlatFingerprintSet } from '../../src/explore/flat-set.js';
import { CompactFingerprintSet, mixedKey, unmixedKey } from '../../src/explore/compact-set.js';

/** The fingerprint whose mixed key (CompactFingerprintSet's mix, which sortedKeys gives) is (h, l). */
function fpFor(h: number, l: number): [number, number] {
  const out = new Uint32Array(2);
  unmixedKey(h >>> 0, l >>> 0, out);
  return [out[0]!, out[1]!];
}

/** The inverse of an odd number mod 2^32 (Newton's iteration). */
function inverse(a: number): number {
  let x = a;
  for (let i = 0; i < 5; i++) x = Math.imul(x, 2 - Math.imul(a, x));
  return x;
}

/** A fingerprint with high word `hi` whose 32-bit home hash (flat-set.ts) is `hash`. */
function fpHashing(hi: number, hash: number): [number, number] {
  const lo = Math.imul(hash, inverse(0x9e3779b1)) ^ Math.imul(hi, 0x85ebca6b);
  return [hi >>> 0, lo >>> 0];
}

describe('FlatFingerprintSet at its edges', () => {
  it('starts at 1,024 slots, more for an expected count that would pass 3/4 of them', () => {
    expect(new FlatFingerprintSet().bytesUsed()).toBe(8 * 1024);
    expect(new FlatFingerprintSet(767).bytesUsed()).toBe(8 * 1024);
    expect(new FlatFingerprintSet(768).bytesUsed()).toBe(8 * 2048);
    expect(new FlatFingerprintSet(1535).bytesUsed()).toBe(8 * 2048);
    expect(new FlatFingerprintSet(1536).bytesUsed()).toBe(8 * 4096);
  });

  it('doubles when the count reaches 3/4 of the slots, and keeps every key', () => {
    const set = new FlatFingerprintSet();
    for (let i = 0; i < 767; i++) expect(set.add(i, 3 * i)).toBe(i);
    expect(set.bytesUsed()).toBe(8 * 1024);
    expect(set.add(767, 3 * 767)).toBe(767);
    expect(set.bytesUsed()).toBe(8 * 2048);
    for (let i = 768; i < 1535; i++) set.add(i, 3 * i);
    expect(set.bytesUsed()).toBe(8 * 2048);
    set.add(1535, 3 * 1535);
    expect(set.bytesUsed()).toBe(8 * 4096);
    for (let i = 0; i < 1536; i++) expect(set.add(i, 3 * i)).toBe(-1);
    expect(set.has(1536, 3 * 1536)).toBe(false);
  });

  it('probes past the table’s end to its start', () => {
    // Hashes whose top ten bits are all set: all home in the last slot of 1,024.
    const keys = Array.from({ length: 6 }, (_, k) => fpHashing(1 + k, 0xffc00000 + k));
    const absent = Array.from({ length: 6 }, (_, k) => fpHashing(100 + k, 0xffc00000 + 50 + k));
    // Where they went: the last slot, then the first five.
    const look = new FlatFingerprintSet();
    for (const [hi, lo] of keys) look.add(hi, lo);
    const table = look.snapshot().keys;
    const at = (slot: number): [number, number] => [table[2 * slot]!, table[2 * slot + 1]!];
    expect([1023, 0, 1, 2, 3, 4].map(at)).toEqual(keys);
    const set = new FlatFingerprintSet();
    keys.forEach(([hi, lo], i) => expect(set.add(hi, lo)).toBe(i));
    for (const [hi, lo] of keys) {
      expect(set.has(hi, lo)).toBe(true);
      expect(set.add(hi, lo)).toBe(-1);
    }
    for (const [hi, lo] of absent) expect(set.has(hi, lo)).toBe(false);
    // And after the table has doubled around them.
    for (let i = 0; i < 800; i++) set.add(i + 5000, i);
    for (const [hi, lo] of keys) expect(set.has(hi, lo)).toBe(true);
    for (const [hi, lo] of absent) expect(set.has(hi, lo)).toBe(false);
    expect(set.size).toBe(806);
  });

  it('keeps the fingerprint 0, 0 (the empty marker) by a flag, through growth, sorting and snapshots', () => {
    const zero: [number, number] = [0, 0];
    // And the fingerprint whose mixed key is 0, 0: the first of the sorted keys.
    const mixedZero = fpFor(0, 0);
    const set = new FlatFingerprintSet();
    const compact = new CompactFingerprintSet();
    expect(set.has(...zero)).toBe(false);
    for (let i = 1; i < 100; i++) expect(set.add(i, i)).toBe(compact.add(i, i));
    expect(set.add(...zero)).toBe(99);
    expect(set.add(...zero)).toBe(-1);
    expect(set.add(...mixedZero)).toBe(100);
    compact.add(...zero);
    compact.add(...mixedZero);
    for (let i = 100; i < 2000; i++) expect(set.add(i, i)).toBe(i + 1);
    for (let i = 100; i < 2000; i++) compact.add(i, i);
    expect(set.has(...zero)).toBe(true);
    expect(set.size).toBe(2001);
    const sorted = set.sortedKeys();
    expect(sorted.length).toBe(2 * 2001);
    expect([sorted[0], sorted[1]]).toEqual([0, 0]);
    expect(sorted).toEqual(compact.sortedKeys());
    const snap = set.snapshot();
    expect([snap.kind, snap.count, snap.hasZero, snap.keys.length]).toEqual(['flat', 2001, true, 2 * 4096]);
    const back = FlatFingerprintSet.fromSnapshot(structuredClone(snap));
    expect(back.has(...zero)).toBe(true);
    expect(back.add(...zero)).toBe(-1);
    expect(back.has(...mixedZero)).toBe(true);
    expect(back.size).toBe(2001);
    expect(back.bytesUsed()).toBe(8 * 4096);
    // It goes on growing from where it was.
    for (let i = 2000; i < 3072; i++) expect(back.add(i, i)).toBe(i + 1);
    expect(back.bytesUsed()).toBe(8 * 8192);
    const none = FlatFingerprintSet.fromSnapshot(new FlatFingerprintSet().snapshot());
    expect(none.has(...zero)).toBe(false);
    expect(none.sortedKeys().length).toBe(0);
  });

  it('refuses snapshots of tables it could not have made, and takes those it could', () => {
    const snap = (slots: number, count: number) => ({ kind: 'flat' as const, keys: new Uint32Array(2 * slots), count, hasZero: false });
    expect(() => FlatFingerprintSet.fromSnapshot(snap(512, 0))).toThrow('internal error: a fingerprint set snapshot with an impossible table');
    expect(() => FlatFingerprintSet.fromSnapshot(snap(1536, 0))).toThrow(/impossible table/);
    expect(() => FlatFingerprintSet.fromSnapshot(snap(1024, 768))).toThrow(/impossible table/);
    expect(() => FlatFingerprintSet.fromSnapshot(snap(2048, 1536))).toThrow(/impossible table/);
    expect(FlatFingerprintSet.fromSnapshot(snap(1024, 767)).size).toBe(767);
    expect(FlatFingerprintSet.fromSnapshot(snap(2048, 1535)).bytesUsed()).toBe(8 * 2048);
  });

  it('tells keys with one zero word from empty slots and from the key kept by the flag', () => {
    // Fingerprints (0, l) and (h, 0): a slot is empty only when both words are zero.
    const keys: [number, number][] = [];
    for (let k = 1; k <= 700; k++) keys.push([0, (k * 0x9e3779b1) >>> 0], [(k * 0x85ebca6b) >>> 0, 0]);
    const set = new FlatFingerprintSet();
    keys.forEach(([hi, lo], i) => {
      expect(set.has(hi, lo)).toBe(false);
      expect(set.add(hi, lo)).toBe(i);
    });
    // 1,400 keys: the table has doubled once, from 1,024 slots to 2,048.
    expect(set.bytesUsed()).toBe(8 * 2048);
    for (const [hi, lo] of keys) {
      expect(set.has(hi, lo)).toBe(true);
      expect(set.add(hi, lo)).toBe(-1);
    }
    expect(set.has(0, 0)).toBe(false);
    for (let k = 701; k <= 720; k++) {
      expect(set.has(0, (k * 0x9e3779b1) >>> 0)).toBe(false);
      expect(set.has((k * 0x85ebca6b) >>> 0, 0)).toBe(false);
    }
    expect(set.size).toBe(1400);
    // Ascending as 64-bit numbers, high word first (not CompactFingerprintSet: 700 keys with
    // one high word are more than its table's tail can hold).
    const out = new Uint32Array(2);
    const want = keys.map(([hi, lo]) => (mixedKey(hi, lo, out), (BigInt(out[0]!) << 32n) | BigInt(out[1]!))).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
    const sorted = set.sortedKeys();
    expect(Array.from(new BigUint64Array(sorted.buffer, sorted.byteOffset, 1400))).toEqual(want);
    const back = FlatFingerprintSet.fromSnapshot(structuredClone(set.snapshot()));
    for (let k = 701; k <= 1200; k++) back.add(0, (k * 0x9e3779b1) >>> 0);
    for (const [hi, lo] of keys) expect(back.has(hi, lo)).toBe(true);
  });

  it('sorts its keys without the flag’s key when it does not have it', () => {
    const set = new FlatFingerprintSet();
    const compact = new CompactFingerprintSet();
    for (let i = 0; i < 50; i++) {
      set.add(i, ~i);
      compact.add(i, ~i);
    }
    const sorted = set.sortedKeys();
    expect(sorted.length).toBe(100);
    expect(sorted).toEqual(compact.sortedKeys());
    expect(sorted[0] !== 0 || sorted[1] !== 0).toBe(true);
  });
});

