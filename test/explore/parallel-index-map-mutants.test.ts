/**
 * IndexMap (src/explore/parallel/index-map.ts), the vector explorer's shard when the state
 * graph is recorded, at its edges: the fingerprint 0, 0 kept aside, probes that collide and
 * wrap around the table's end, the doubling past half full, the words of a fingerprint taken
 * as unsigned, snapshots, and `set` of a fingerprint that is not there.
 */
import { describe, expect, it } from 'vitest';
import { IndexMap } from '../../src/explore/parallel/index-map.js';

/** Distinct non-zero fingerprints, some with a zero word. */
function fps(n: number): [number, number][] {
  const out: [number, number][] = [];
  for (let i = 0; i < n; i++) out.push(i % 3 === 0 ? [0, i + 1] : i % 3 === 1 ? [i + 1, 0] : [(i * 2654435761) >>> 0, i]);
  return out;
}

describe('IndexMap', () => {
  it('inserts, finds and sets values, the fingerprint 0, 0 kept aside', () => {
    const m = new IndexMap();
    expect(m.size).toBe(0);
    expect(m.get(0, 0)).toBeUndefined();
    expect(m.has(0, 0)).toBe(false);
    expect(m.lookupOrInsert(0, 0, 7)).toBe(true);
    expect(m.size).toBe(1);
    expect(m.has(0, 0)).toBe(true);
    expect(m.get(0, 0)).toBe(7);
    m.found = -99;
    expect(m.lookupOrInsert(0, 0, 8)).toBe(false);
    expect(m.found).toBe(7);
    m.set(0, 0, 9);
    expect(m.get(0, 0)).toBe(9);
    // 0 is a value like any other, for the fingerprint 0, 0 too.
    m.set(0, 0, 0);
    expect(m.get(0, 0)).toBe(0);
    expect(m.has(0, 0)).toBe(true);
    expect(m.size).toBe(1);

    expect(m.lookupOrInsert(0, 5, -3)).toBe(true);
    expect(m.lookupOrInsert(5, 0, 4)).toBe(true);
    expect(m.size).toBe(3);
    expect(m.get(0, 5)).toBe(-3);
    expect(m.get(5, 0)).toBe(4);
    expect(m.get(5, 5)).toBeUndefined();
    expect(m.has(5, 5)).toBe(false);
    expect(m.lookupOrInsert(0, 5, 100)).toBe(false);
    expect(m.found).toBe(-3);
    m.set(0, 5, 12);
    expect(m.get(0, 5)).toBe(12);
    expect(m.get(5, 0)).toBe(4);
    expect(m.has(0, 5)).toBe(true);
  });

  it('takes the words as unsigned', () => {
    const m = new IndexMap();
    expect(m.lookupOrInsert(-1, -2, 1)).toBe(true);
    expect(m.get(0xffffffff, 0xfffffffe)).toBe(1);
    expect(m.lookupOrInsert(0xffffffff, 0xfffffffe, 2)).toBe(false);
    expect(m.found).toBe(1);
    m.set(0xffffffff, -2, 3);
    expect(m.get(-1, 0xfffffffe)).toBe(3);
    expect(m.warm(-1, -2)).toBe(0xffffffff);
    // The zero fingerprint given as -0 and 2^32 - 2^32.
    m.lookupOrInsert(-0, 0, 5);
    expect(m.get(0, -0)).toBe(5);
  });

  it('probes past collisions and around the table end, in a table of 4 slots', () => {
    // Every key of a table of 4 slots has one of 4 homes: 6 keys collide, and the table
    // doubles at the third.
    const m = new IndexMap(4);
    const keys = fps(40);
    keys.forEach(([hi, lo], i) => expect(m.lookupOrInsert(hi, lo, i)).toBe(true));
    expect(m.size).toBe(40);
    keys.forEach(([hi, lo], i) => {
      expect(m.get(hi, lo)).toBe(i);
      expect(m.lookupOrInsert(hi, lo, -1)).toBe(false);
      expect(m.found).toBe(i);
    });
    keys.forEach(([hi, lo], i) => m.set(hi, lo, 1000 + i));
    keys.forEach(([hi, lo], i) => expect(m.get(hi, lo)).toBe(1000 + i));
    for (let i = 0; i < 40; i++) expect(m.has(i + 1, i + 1)).toBe(false);
  });

  it('wraps probes around the end in a table that never grows', () => {
    // 8 slots hold 4 keys before the doubling: 4 keys whose home is the last slot.
    const m = new IndexMap(8);
    const home = (hi: number, lo: number): number => (Math.imul(hi ^ (lo >>> 15), 0x9e3779b1) ^ lo) & 7;
    const same: [number, number][] = [];
    for (let lo = 1; same.length < 4; lo++) if (home(1, lo) === 7) same.push([1, lo]);
    same.forEach(([hi, lo], i) => expect(m.lookupOrInsert(hi, lo, i)).toBe(true));
    expect(m.bytesUsed()).toBe(8 * 12);
    same.forEach(([hi, lo], i) => expect(m.get(hi, lo)).toBe(i));
    same.forEach(([hi, lo], i) => m.set(hi, lo, 10 + i));
    same.forEach(([hi, lo], i) => expect(m.get(hi, lo)).toBe(10 + i));
    // An absent key with the same home: probes the whole cluster and the wrap to the free slot.
    let absent = 0;
    for (let lo = same[3]![1] + 1; ; lo++)
      if (home(1, lo) === 7) {
        absent = lo;
        break;
      }
    expect(m.get(1, absent)).toBeUndefined();
    expect(() => m.set(1, absent, 0)).toThrow(/not in its shard/);
    // The key in its home slot is the one warm reads.
    expect(m.warm(1, same[0]![1])).toBe(1);
    expect(m.warm(2, 3)).toBe(m.snapshot().keys[2 * home(2, 3)]);
  });

  it('tells apart fingerprints with the same low word in one probe run', () => {
    const m = new IndexMap(8);
    const home = (hi: number, lo: number): number => (Math.imul(hi ^ (lo >>> 15), 0x9e3779b1) ^ lo) & 7;
    const his: number[] = [];
    for (let hi = 1; his.length < 3; hi++) if (home(hi, 42) === 3) his.push(hi);
    his.forEach((hi, i) => expect(m.lookupOrInsert(hi, 42, i)).toBe(true));
    m.set(his[2]!, 42, 20);
    m.set(his[1]!, 42, 10);
    expect(his.map((hi) => m.get(hi, 42))).toEqual([0, 10, 20]);
    expect(m.get(his[2]! + 1000, 42)).toBeUndefined();
  });

  it('doubles when more than half full, keeping every value', () => {
    const m = new IndexMap();
    const base = m.bytesUsed();
    expect(base).toBe(4096 * 12);
    const keys = fps(2049);
    for (let i = 0; i < 2048; i++) m.lookupOrInsert(keys[i]![0], keys[i]![1], i);
    expect(m.bytesUsed()).toBe(base);
    expect(m.snapshot().vals.length).toBe(4096);
    m.lookupOrInsert(keys[2048]![0], keys[2048]![1], 2048);
    expect(m.bytesUsed()).toBe(2 * base);
    expect(m.snapshot().vals.length).toBe(8192);
    expect(m.snapshot().keys.length).toBe(16384);
    keys.forEach(([hi, lo], i) => expect(m.get(hi, lo)).toBe(i));
    // The zero fingerprint is not counted toward the doubling.
    const z = new IndexMap(4);
    z.lookupOrInsert(0, 0, 1);
    z.lookupOrInsert(1, 1, 2);
    z.lookupOrInsert(2, 2, 3);
    expect(z.bytesUsed()).toBe(4 * 12);
    z.lookupOrInsert(3, 3, 4);
    expect(z.bytesUsed()).toBe(8 * 12);
    expect([z.get(0, 0), z.get(1, 1), z.get(2, 2), z.get(3, 3)]).toEqual([1, 2, 3, 4]);
  });

  it('is rebuilt whole from its snapshot', () => {
    const m = new IndexMap(4);
    const keys = fps(30);
    keys.forEach(([hi, lo], i) => m.lookupOrInsert(hi, lo, -1 - i));
    m.lookupOrInsert(0, 0, 77);
    const s = m.snapshot();
    expect(s.kind).toBe('index');
    expect(s.count).toBe(30);
    expect(s.zero).toBe(77);
    const r = IndexMap.fromSnapshot(s);
    expect(r.size).toBe(31);
    expect(r.bytesUsed()).toBe(m.bytesUsed());
    keys.forEach(([hi, lo], i) => expect(r.get(hi, lo)).toBe(-1 - i));
    expect(r.get(0, 0)).toBe(77);
    // It goes on growing from there, with the snapshot's count.
    const more = fps(80).slice(30);
    more.forEach(([hi, lo], i) => expect(r.lookupOrInsert(hi, lo, i)).toBe(true));
    expect(r.size).toBe(81);
    expect(r.snapshot().vals.length).toBe(256);
    keys.forEach(([hi, lo], i) => expect(r.get(hi, lo)).toBe(-1 - i));
    more.forEach(([hi, lo], i) => expect(r.get(hi, lo)).toBe(i));
    const e = IndexMap.fromSnapshot(new IndexMap().snapshot());
    expect(e.size).toBe(0);
    expect(e.get(0, 0)).toBeUndefined();
  });
});
