/**
 * CompactFingerprintSet (src/explore/compact-set.ts) where its ordinary use seldom goes: keys
 * chosen by their mixed form (through unmixedKey) so that clusters reach the table's end and
 * force a rebuild, the mix and its inverse, snapshots, the table's size for an expected count,
 * its bytes while a growth is in progress, and selfCheck on tables that are wrong.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CompactFingerprintSet, mixedKey, unmixedKey } from '../../src/explore/compact-set.js';
import { fmix32 } from '../../src/values/mix.js';

const TOP = 0xffffffff;

/** The fingerprint stored under the mixed key (h, l). */
function fpFor(h: number, l: number): [number, number] {
  const out = new Uint32Array(2);
  unmixedKey(h >>> 0, l >>> 0, out);
  return [out[0]!, out[1]!];
}

describe('mixedKey and unmixedKey', () => {
  it('are inverse bijections, and the mix is fmix32 of hi xor fmix32(lo xor 0x5bd1e995), then lo xor that', () => {
    const out = new Uint32Array(2);
    const back = new Uint32Array(2);
    fc.assert(
      fc.property(fc.nat({ max: TOP }), fc.nat({ max: TOP }), (hi, lo) => {
        mixedKey(hi, lo, out);
        const h = fmix32((hi ^ fmix32((lo ^ 0x5bd1e995) >>> 0)) >>> 0);
        expect([out[0], out[1]]).toEqual([h, (lo ^ h) >>> 0]);
        unmixedKey(out[0]!, out[1]!, back);
        expect([back[0], back[1]]).toEqual([hi, lo]);
        unmixedKey(hi, lo, back);
        mixedKey(back[0]!, back[1]!, out);
        expect([out[0], out[1]]).toEqual([hi, lo]);
      }),
      { numRuns: 2000 },
    );
    for (const [hi, lo] of [[0, 0], [TOP, TOP], [0x80000000, 1], [1, 0x80000000], [0xdeadbeef, 0x12345678]] as const) {
      mixedKey(hi, lo, out);
      unmixedKey(out[0]!, out[1]!, back);
      expect([back[0], back[1]]).toEqual([hi, lo]);
    }
  });

  it('take signed words as their unsigned forms', () => {
    const a = new Uint32Array(2);
    const b = new Uint32Array(2);
    mixedKey(-1, -2, a);
    mixedKey(TOP, TOP - 1, b);
    expect(a).toEqual(b);
  });
});

describe('CompactFingerprintSet: clusters that reach the end of the table', () => {
  it('rebuilds bigger, as often as needed, and loses nothing', () => {
    // 70 keys whose high words are multiples of 2^16: all home in the last two home slots of
    // a fresh table (1,024 homes, 64 tail slots), more than its tail can hold.
    const set = new CompactFingerprintSet();
    const keys = Array.from({ length: 70 }, (_, k) => fpFor((k + 1) << 16, 12345 + k));
    const before = set.bytesUsed();
    keys.forEach(([hi, lo], i) => {
      expect(set.add(hi, lo)).toBe(i);
      expect(set.selfCheck()).toBeNull();
    });
    expect(set.bytesUsed()).toBeGreaterThan(before);
    expect(set.size).toBe(70);
    for (const [hi, lo] of keys) {
      expect(set.has(hi, lo)).toBe(true);
      expect(set.add(hi, lo)).toBe(-1);
    }
    // Neighbours in the mixed order are absent.
    for (let k = 0; k < 70; k++) {
      expect(set.has(...fpFor((k + 1) << 16, 12344 + k))).toBe(false);
      expect(set.has(...fpFor(((k + 1) << 16) + 1, 12345 + k))).toBe(false);
    }
    expect(set.has(...fpFor(71 << 16, 0))).toBe(false);
    expect(set.has(...fpFor(0, 1))).toBe(false);
    // The keys come back in ascending order.
    const sorted = set.sortedKeys();
    for (let k = 0; k < 70; k++) expect([sorted[2 * k + 1], sorted[2 * k]]).toEqual([(k + 1) << 16, 12345 + k]);
  });

  it('rebuilds while a growth is in progress too, with keys in both tables', () => {
    const set = new CompactFingerprintSet();
    // 839 spread keys reach the load limit (0.82 of 1,024 homes); the next key starts a growth.
    const spread = Array.from({ length: 840 }, (_, i) => fpFor((TOP - i * 4_000_000) >>> 0, i));
    spread.forEach(([hi, lo], i) => expect(set.add(hi, lo)).toBe(i));
    const growing = set.bytesUsed();
    expect(growing).toBeGreaterThan(8 * (1024 + 64) * 2);
    // Then keys crowding the end of the tables, where the growth has not got yet.
    const crowd = Array.from({ length: 90 }, (_, k) => fpFor((k + 1) << 16, k));
    crowd.forEach(([hi, lo], k) => {
      expect(set.add(hi, lo)).toBe(840 + k);
      expect(set.selfCheck()).toBeNull();
    });
    for (const [hi, lo] of [...spread, ...crowd]) expect(set.has(hi, lo)).toBe(true);
    expect(set.size).toBe(930);
    set.finishGrowing();
    expect(set.selfCheck()).toBeNull();
    for (const [hi, lo] of [...spread, ...crowd]) expect(set.add(hi, lo)).toBe(-1);
  });
});

describe('CompactFingerprintSet: sizes and bytes', () => {
  it('starts at 1,024 home slots plus a tail of 64, more for a larger expected count', () => {
    const slotBytes = (slots: number): number => 8 * slots;
    expect(new CompactFingerprintSet().bytesUsed()).toBe(slotBytes(1024 + 64));
    expect(new CompactFingerprintSet(839).bytesUsed()).toBe(slotBytes(1024 + 64));
    expect(new CompactFingerprintSet(840).bytesUsed()).toBe(slotBytes(1229 + 64));
    expect(new CompactFingerprintSet(100_000).bytesUsed()).toBeGreaterThanOrEqual(slotBytes(100_000 / 0.82));
    expect(new CompactFingerprintSet(100_000).bytesUsed()).toBeLessThan(slotBytes((1.2 * 100_000) / 0.82 + 64));
  });

  it('counts both tables while a growth is in progress, and the new one alone after', () => {
    const set = new CompactFingerprintSet();
    for (let i = 0; i < 839; i++) set.add(i, i);
    expect(set.bytesUsed()).toBe(8 * (1024 + 64));
    set.add(839, 839); // starts growing to 1,229 homes
    expect(set.bytesUsed()).toBe(8 * (1024 + 64) + 8 * (1229 + 64));
    expect(set.selfCheck()).toBeNull();
    set.finishGrowing();
    expect(set.bytesUsed()).toBe(8 * (1229 + 64));
    expect(set.size).toBe(840);
    for (let i = 0; i < 840; i++) expect(set.has(i, i)).toBe(true);
  });

  it('ends a growth by itself after about a tenth of the insertions to the next one', () => {
    const set = new CompactFingerprintSet();
    let i = 0;
    for (; i < 840; i++) set.add(i, i);
    // 1,088 old slots, up to 64 moved per insertion (empty ones skipped): at most 17 insertions.
    let insertions = 0;
    while (set.bytesUsed() > 8 * (1229 + 64)) {
      expect(set.bytesUsed()).toBe(8 * (1024 + 64) + 8 * (1229 + 64));
      set.add(i, i++);
      insertions++;
    }
    expect(insertions).toBeGreaterThan(1);
    expect(insertions).toBeLessThanOrEqual(17);
    expect(set.selfCheck()).toBeNull();
  });
});

describe('CompactFingerprintSet: snapshots', () => {
  it('go on as the set would have, a growth in progress finished first, the zero key kept', () => {
    const zero = fpFor(0, 0);
    const set = new CompactFingerprintSet();
    const twin = new CompactFingerprintSet();
    for (let i = 0; i < 845; i++) {
      set.add(i, 7 * i);
      twin.add(i, 7 * i);
    }
    set.add(...zero);
    twin.add(...zero);
    const snap = set.snapshot();
    expect(snap.count).toBe(846);
    expect(snap.hasZero).toBe(true);
    expect(snap.homes).toBe(1229);
    expect(snap.keys.length).toBe(2 * (1229 + 64));
    const moved = CompactFingerprintSet.fromSnapshot(structuredClone(snap));
    expect(moved.selfCheck()).toBeNull();
    expect(moved.size).toBe(846);
    expect(moved.has(...zero)).toBe(true);
    expect(moved.add(...zero)).toBe(-1);
    for (let i = 0; i < 845; i++) expect(moved.has(i, 7 * i)).toBe(true);
    expect(moved.has(845, 7 * 845)).toBe(false);
    for (let i = 845; i < 3000; i++) expect(moved.add(i, 7 * i)).toBe(twin.add(i, 7 * i));
    expect(moved.sortedKeys()).toEqual(twin.sortedKeys());
    expect(moved.bytesUsed()).toBe(twin.bytesUsed());
  });

  it('sortedKeys puts the zero key first, and the others ascending as 64-bit numbers', () => {
    const set = new CompactFingerprintSet();
    const mixed: bigint[] = [];
    const out = new Uint32Array(2);
    for (let i = 0; i < 2000; i++) {
      set.add(i * 31, i);
      mixedKey(i * 31, i, out);
      mixed.push((BigInt(out[0]!) << 32n) | BigInt(out[1]!));
    }
    set.add(...fpFor(0, 0));
    mixed.push(0n);
    mixed.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
    const keys = set.sortedKeys();
    expect(keys.length).toBe(2 * 2001);
    expect(Array.from(new BigUint64Array(keys.buffer, keys.byteOffset, 2001))).toEqual(mixed);
  });
});

describe('CompactFingerprintSet.selfCheck on tables that are wrong', () => {
  const HOMES = 1024;
  const SLOTS = HOMES + 64;
  /** A set over a table with the given keys (mixed form) at the given slots. */
  function table(entries: [slot: number, h: number, l: number][], count = entries.length, hasZero = false): CompactFingerprintSet {
    const keys = new Uint32Array(2 * SLOTS);
    for (const [slot, h, l] of entries) {
      keys[2 * slot] = h;
      keys[2 * slot + 1] = l;
    }
    return CompactFingerprintSet.fromSnapshot({ keys, homes: HOMES, count, hasZero });
  }

  it('finds nothing wrong with a right one', () => {
    expect(table([[0, TOP, 5], [1, TOP, 4], [2, TOP - 1, TOP], [1023, 1, 1], [1024, 1, 0]]).selfCheck()).toBeNull();
    expect(table([], 1, true).selfCheck()).toBeNull();
    expect(table([]).selfCheck()).toBeNull();
  });

  it('says which key is before its home slot', () => {
    expect(table([[0, 1, 1]]).selfCheck()).toBe('table: key at slot 0 is before its home slot');
    expect(table([[0, TOP, 1], [1022, 1, 1]]).selfCheck()).toBe('table: key at slot 1022 is before its home slot');
  });

  it('says which key is out of order: a high word above, or the same high word and a low word not below', () => {
    expect(table([[0, TOP - 1, 1], [1, TOP, 1]]).selfCheck()).toBe('table: key at slot 1 is out of order');
    expect(table([[0, TOP, 1], [1, TOP, 2]]).selfCheck()).toBe('table: key at slot 1 is out of order');
    expect(table([[0, TOP, 1], [1, TOP, 1]]).selfCheck()).toBe('table: key at slot 1 is out of order');
    expect(table([[0, TOP, 2], [5, TOP, 1], [9, TOP - 1, TOP]]).selfCheck()).toBeNull();
  });

  it('says when the last slot is not empty, or the count is not the keys stored', () => {
    expect(table([[SLOTS - 1, 1, 1]]).selfCheck()).toBe('table: the last slot is not empty');
    expect(table([[SLOTS - 1, 0, 1]]).selfCheck()).toBe('table: the last slot is not empty');
    expect(table([[SLOTS - 1, 1, 0]]).selfCheck()).toBe('table: the last slot is not empty');
    expect(table([[SLOTS - 2, 1, 1]]).selfCheck()).toBeNull();
    expect(table([[0, TOP, 1]], 2).selfCheck()).toBe('1 keys stored, size says 2');
    expect(table([[0, TOP, 1]], 1, true).selfCheck()).toBe('2 keys stored, size says 1');
    expect(table([[0, TOP, 1]], 2, true).selfCheck()).toBeNull();
  });
});

describe('CompactFingerprintSet: the table made for an expected count', () => {
  it('holds exactly the expected count at the load limit without growing, and one more in the next size', () => {
    // 13,435,550 home slots (the 15th size from 1,024, each ×1.2 rounded up) × 0.82 is exactly
    // 11,017,151: a set made for that many needs no more home slots.
    const homes = (expected: number): number => new CompactFingerprintSet(expected).bytesUsed() / 8 - 64;
    expect(homes(11_017_151)).toBe(13_435_550);
    expect(homes(11_017_152)).toBe(Math.ceil(13_435_550 * 1.2));
  });
});

describe('CompactFingerprintSet: keys whose high word is zero', () => {
  it('are stored in the table like any other, apart from the all-zero key', () => {
    const set = new CompactFingerprintSet();
    // Keys (mixed form) with a zero high word or a zero low word, but not both.
    const zeroHigh = [fpFor(0, 5), fpFor(0, 1), fpFor(0, TOP), fpFor(5, 0), fpFor(TOP, 0)];
    for (const [i, [hi, lo]] of zeroHigh.entries()) expect(set.add(hi, lo)).toBe(i);
    for (const [hi, lo] of zeroHigh) {
      expect(set.has(hi, lo)).toBe(true);
      expect(set.add(hi, lo)).toBe(-1);
    }
    expect(set.has(...fpFor(0, 0))).toBe(false);
    expect(set.has(...fpFor(0, 2))).toBe(false);
    expect(set.add(...fpFor(0, 0))).toBe(5);
    expect(set.has(...fpFor(0, 0))).toBe(true);
    expect(set.has(...fpFor(0, 2))).toBe(false);
    expect(set.selfCheck()).toBeNull();
    // sortedKeys: the zero key, then the others ascending (low word first in each pair).
    expect(Array.from(set.sortedKeys())).toEqual([0, 0, 1, 0, 5, 0, TOP, 0, 0, 5, 0, TOP]);
  });
});

describe('CompactFingerprintSet: keys that share their high word with the boundary of a growth', () => {
  it('are found in the table they are in, at every step of the growth, and the others are not', () => {
    // 210 groups of 4 keys with the same high word (spread over the table), so that the
    // growth's boundary, the largest key left in the old table, falls inside a group.
    const groups = 210;
    const step = Math.floor(2 ** 32 / 215);
    const keys: [number, number][] = [];
    const absent: [number, number][] = [];
    for (let g = 0; g < groups; g++) {
      const h = (TOP - g * step) >>> 0;
      for (const l of [0x90000000 + g, 0x60000000 + g, 0x30000000 + g, 7 + g]) keys.push(fpFor(h, l));
      for (const l of [TOP - g, 0x80000000 + g, 0x50000000 + g, 0x20000000 + g, 3]) absent.push(fpFor(h, l));
    }
    const set = new CompactFingerprintSet();
    keys.forEach(([hi, lo], i) => expect(set.add(hi, lo)).toBe(i));
    // More keys, each with a high word of its own: the 840th starts a growth, each moves the
    // next 64 slots; all keys are asked for after each.
    const more: [number, number][] = [];
    let stepsWhileGrowing = 0;
    for (let k = 0; k < 30; k++) {
      const extra = fpFor((TOP - k * step - (step >>> 1)) >>> 0, k);
      more.push(extra);
      expect(set.add(...extra)).toBe(keys.length + k);
      const growing = set.bytesUsed() > 8 * (1229 + 64);
      let found = 0;
      for (const [hi, lo] of [...keys, ...more]) if (set.has(hi, lo)) found++;
      expect(found).toBe(keys.length + more.length);
      for (const [hi, lo] of absent) expect(set.has(hi, lo)).toBe(false);
      // Adding them again finds them too, whichever table they are in.
      for (const [hi, lo] of [...keys, ...more]) if (set.add(hi, lo) !== -1) found--;
      expect(found).toBe(keys.length + more.length);
      expect(set.size).toBe(keys.length + more.length);
      expect(set.selfCheck()).toBeNull();
      if (growing) stepsWhileGrowing++;
    }
    expect(stepsWhileGrowing).toBeGreaterThan(3);
  });
});

describe('CompactFingerprintSet: the old table full while a growth is in progress', () => {
  it('finishes the growth and inserts into the new table, which has room, without growing again', () => {
    // 77 keys whose home slots are 1,010–1,023 of the fresh table (1,024 homes): together with
    // the tail they fill slots 1,010–1,086, the last free one but the table's last slot. In a
    // table of 1,229 homes their homes are 1,212–1,228, with room for 80 keys before its end.
    const crowdStep = Math.floor((14 * 2 ** 22) / 80);
    const crowd = Array.from({ length: 80 }, (_, k) => fpFor(1 + k * crowdStep, k));
    // Spread keys in the first 1,000 home slots make 839, the load limit.
    const spread = Array.from({ length: 762 }, (_, k) => fpFor((TOP - k * 5_500_000) >>> 0, k));
    const set = new CompactFingerprintSet();
    let n = 0;
    for (const [hi, lo] of [...crowd.slice(0, 77), ...spread]) expect(set.add(hi, lo)).toBe(n++);
    expect(set.bytesUsed()).toBe(8 * (1024 + 64));
    // The 840th key starts a growth; the next, one of the crowd, is due in the old table's
    // last cluster, which is full.
    expect(set.add(...fpFor(TOP - 1, 1))).toBe(n++);
    expect(set.bytesUsed()).toBe(8 * (1024 + 64) + 8 * (1229 + 64));
    expect(set.add(...crowd[77]!)).toBe(n++);
    expect(set.bytesUsed()).toBe(8 * (1229 + 64));
    expect(set.selfCheck()).toBeNull();
    for (const [hi, lo] of [...crowd.slice(0, 78), ...spread]) expect(set.has(hi, lo)).toBe(true);
    expect(set.has(...crowd[78]!)).toBe(false);
    expect(set.size).toBe(n);
  });
});

describe('CompactFingerprintSet: a growth over a table laid out by hand', () => {
  /** The slots a key at its home slot each: 0–849 and every 64th; 1,023 and 1,024 keys with a zero high word. */
  const slots = [...Array.from({ length: 1023 }, (_, s) => s).filter((s) => s < 850 || s % 64 === 0)];
  function full(): CompactFingerprintSet {
    const keys = new Uint32Array(2 * (1024 + 64));
    for (const s of slots) {
      keys[2 * s] = (TOP - s * 2 ** 22) >>> 0;
      keys[2 * s + 1] = 1;
    }
    keys.set([0, 9, 0, 5], 2 * 1023);
    return CompactFingerprintSet.fromSnapshot({ keys, homes: 1024, count: slots.length + 2, hasZero: false });
  }

  it('moves keys with a zero high word, also the one the migration stops at', () => {
    const set = full();
    expect(set.selfCheck()).toBeNull();
    // Keys above every old one, so in the new table: each insertion moves the next 64 old
    // slots (the slot after each 64 is full), up to slot 1,024, where the 16th insertion stops.
    const n = slots.length + 2;
    for (let k = 0; k < 18; k++) {
      expect(set.add(...fpFor(TOP, 2 + k))).toBe(n + k);
      expect(set.has(...fpFor(0, 9))).toBe(true);
      expect(set.has(...fpFor(0, 5))).toBe(true);
      expect(set.selfCheck()).toBeNull();
    }
    expect(set.bytesUsed()).toBe(8 * (1229 + 64));
    for (const s of slots) expect(set.has(...fpFor(TOP - s * 2 ** 22, 1))).toBe(true);
    expect(set.size).toBe(n + 18);
  });
});

describe('CompactFingerprintSet: a table whose last cluster does not fit the tail of the next size', () => {
  /**
   * A table of 1,024 home slots but a tail of 200 (as no set makes, but fromSnapshot takes):
   * 760 spread keys, then `crowd` keys whose home slots are 1,000–1,023 (the last with a zero
   * high word), in one cluster from slot 1,000. The growth's new table, 1,229 home slots and a tail of 64, has their homes at
   * 1,200–1,228 and room for 93 of them.
   */
  function wideTail(crowd: number): { set: CompactFingerprintSet; fps: [number, number][] } {
    const keys = new Uint32Array(2 * (1024 + 200));
    const fps: [number, number][] = [];
    const put = (slot: number, h: number, l: number): void => {
      keys[2 * slot] = h;
      keys[2 * slot + 1] = l;
      fps.push(fpFor(h, l));
    };
    for (let s = 0; s < 760; s++) put(s, (TOP - s * 2 ** 22) >>> 0, 3);
    const step = Math.floor((24 * 2 ** 22) / crowd);
    for (let k = 0; k < crowd; k++) put(1000 + k, (crowd - 1 - k) * step, 7);
    const set = CompactFingerprintSet.fromSnapshot({ keys, homes: 1024, count: fps.length, hasZero: false });
    expect(set.selfCheck()).toBeNull();
    return { set, fps };
  }

  it('rebuilds from both tables, bigger, when the moved keys reach the last slot of the new one', () => {
    // 93 and more: the growth's migration rebuilds, at 1,475 home slots, where 98 fill every
    // slot but the last, 99 would fill that too, so 1,770.
    for (const [crowd, homes] of [[92, 1229], [93, 1475], [94, 1475], [98, 1475], [99, 1770], [150, 4406]] as const) {
      const { set, fps } = wideTail(crowd);
      expect(set.add(...fpFor(TOP, 0))).toBe(fps.length);
      set.finishGrowing();
      expect(set.selfCheck(), `${crowd} keys`).toBeNull();
      expect(set.bytesUsed(), `${crowd} keys`).toBe(8 * (homes + 64));
      for (const [hi, lo] of fps) expect(set.has(hi, lo)).toBe(true);
      expect(set.has(...fpFor(1, 1))).toBe(false);
      expect(set.size).toBe(fps.length + 1);
    }
  });
});

describe('CompactFingerprintSet.selfCheck while a growth is in progress', () => {
  interface Inside {
    keys: Uint32Array;
    old: Uint32Array;
    from: number;
    end: number;
    boundaryHi: number;
    boundaryLo: number;
  }
  /** A set a few insertions into a growth, and its fields. */
  function growing(): { set: CompactFingerprintSet; inside: Inside } {
    const set = new CompactFingerprintSet();
    for (let i = 0; i < 842; i++) set.add(i, i);
    expect(set.bytesUsed()).toBe(8 * (1024 + 64) + 8 * (1229 + 64));
    expect(set.selfCheck()).toBeNull();
    return { set, inside: set as unknown as Inside };
  }

  it('says when the old table’s last slot is not empty', () => {
    const { set, inside } = growing();
    inside.old.set([0, 1], inside.old.length - 2);
    expect(set.selfCheck()).toBe('old table: the last slot is not empty');
  });

  it('says which key of the new table is after the end of the moved keys', () => {
    const { set, inside } = growing();
    // The boundary with a low word one more: between the moved keys and the old ones, at its
    // home slot, which becomes the end of the moved keys.
    const h = inside.boundaryHi;
    const at = (((TOP - h) * (1229 / 2 ** 32)) | 0) << 1;
    expect(inside.boundaryLo).toBeLessThan(TOP);
    expect(inside.keys[at]).toBe(0);
    inside.keys.set([h, inside.boundaryLo + 1], at);
    inside.end = at + 2;
    expect(set.selfCheck()).toBe('843 keys stored, size says 842');
    inside.end = at;
    expect(set.selfCheck()).toBe(`table: key at slot ${at / 2} is after the end of the moved keys`);
  });

  it('says when the boundary is not the old table’s first remaining key, in its high or low word', () => {
    const { set, inside } = growing();
    inside.boundaryLo++;
    expect(set.selfCheck()).toBe('old table: the boundary is not its first remaining key');
    inside.boundaryLo--;
    expect(set.selfCheck()).toBeNull();
    inside.boundaryHi++;
    expect(set.selfCheck()).toBe('old table: the boundary is not its first remaining key');
  });
});
