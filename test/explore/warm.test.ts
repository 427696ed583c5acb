/**
 * The seen sets' `warm` (a prefetch: the parallel dedupe reads a block of home slots before
 * adding the block, docs/parallel.md) and the fresh tables their growth allocates
 * (src/explore/fresh-pages.ts). Neither may change what a set holds; warm must read the very
 * slot the key's probe starts at.
 */
import { describe, expect, it } from 'vitest';
import { FlatFingerprintSet } from '../../src/explore/flat-set.js';
import { CompactFingerprintSet } from '../../src/explore/compact-set.js';
import { IndexMap } from '../../src/explore/parallel/index-map.js';
import { freshInts, freshWords } from '../../src/explore/fresh-pages.js';
import { fmix32 } from '../../src/values/mix.js';

function fingerprints(n: number, seed: number): [number, number][] {
  const out: [number, number][] = [];
  let x = seed;
  for (let i = 0; i < n; i++) {
    x = fmix32(x + i + 1);
    out.push([x >>> 0, fmix32(x ^ 0x1234567) >>> 0]);
  }
  return out;
}

describe('warm', () => {
  it('reads the home slot of a key: the word its set keeps there when the key is alone, 0 in an empty table', () => {
    for (const [hi, lo] of fingerprints(200, 7)) {
      const flat = new FlatFingerprintSet();
      const compact = new CompactFingerprintSet();
      expect(flat.warm(hi, lo)).toBe(0);
      expect(compact.warm(hi, lo)).toBe(0);
      flat.add(hi, lo);
      compact.add(hi, lo);
      // FlatFingerprintSet keeps the fingerprint's high word; CompactFingerprintSet the mixed
      // key's (sortedKeys gives it, low half first).
      expect(flat.warm(hi, lo)).toBe(hi);
      expect(compact.warm(hi, lo)).toBe(compact.sortedKeys()[1]!);
      expect(flat.sortedKeys()).toEqual(compact.sortedKeys());
      const map = new IndexMap();
      expect(map.warm(hi, lo)).toBe(0);
      map.lookupOrInsert(hi, lo, 5);
      // IndexMap keeps fingerprints as they are.
      expect(map.warm(hi, lo)).toBe(hi);
    }
  });

  it('changes nothing in a set, across its doublings', () => {
    const fps = fingerprints(5000, 11);
    const flat = new FlatFingerprintSet();
    const compact = new CompactFingerprintSet();
    const map = new IndexMap();
    fps.forEach(([hi, lo], i) => {
      flat.warm(hi, lo);
      compact.warm(hi, lo);
      map.warm(hi, lo);
      if (i % 2 === 0) {
        flat.add(hi, lo);
        compact.add(hi, lo);
        map.lookupOrInsert(hi, lo, i);
      }
    });
    expect(flat.size).toBe(2500);
    expect(compact.size).toBe(2500);
    expect(map.size).toBe(2500);
    fps.forEach(([hi, lo], i) => {
      expect(flat.has(hi, lo)).toBe(i % 2 === 0);
      expect(compact.has(hi, lo)).toBe(i % 2 === 0);
      expect(map.get(hi, lo)).toBe(i % 2 === 0 ? i : undefined);
    });
  });
});

describe('fresh tables', () => {
  it('are zeroed typed arrays of the length asked, whatever the length against a page', () => {
    for (const n of [0, 1, 1023, 1024, 1025, 4096 * 3 + 7]) {
      const w = freshWords(n);
      const i = freshInts(n);
      expect(w).toBeInstanceOf(Uint32Array);
      expect(i).toBeInstanceOf(Int32Array);
      expect(w.length).toBe(n);
      expect(i.length).toBe(n);
      expect(w.every((x) => x === 0)).toBe(true);
      expect(i.every((x) => x === 0)).toBe(true);
    }
  });
});
