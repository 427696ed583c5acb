import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CompactFingerprintSet } from '../../src/explore/compact-set.js';

const key = (hi: number, lo: number): string => `${hi >>> 0}:${lo >>> 0}`;

describe('CompactFingerprintSet', () => {
  it('grows through many sizes, with fingerprints that differ in few bits, and loses nothing', () => {
    const set = new CompactFingerprintSet();
    const n = 200_000;
    let sizes = true;
    for (let i = 0; i < n; i++) {
      // (0, 0) turns up three times for i = 0, and is new only the first time.
      for (const [hi, lo] of [[0, i], [i, 0], [i, i]] as const) {
        const before = set.size;
        const r = set.add(hi, lo);
        sizes &&= i === 0 && before > 0 ? r === -1 : r === before;
      }
    }
    expect(sizes).toBe(true);
    expect(set.size).toBe(3 * n - 2);
    for (let i = 0; i < n; i += 997) {
      expect(set.has(0, i) && set.has(i, 0) && set.has(i, i)).toBe(true);
      expect(set.has(i + n, 1)).toBe(false);
    }
    expect(set.selfCheck()).toBeNull();
    // Load between 0.68 and 0.82 of the home slots: 9.8 to 11.7 bytes a key (plus the tail),
    // once a growth in progress is finished.
    set.finishGrowing();
    expect(set.selfCheck()).toBeNull();
    expect(set.bytesUsed() / set.size).toBeLessThan(11.8);
    expect(set.bytesUsed() / set.size).toBeGreaterThan(9.7);
  });

  it('stays ordered and complete at every step of its incremental growths', () => {
    const set = new CompactFingerprintSet();
    const n = 30_000;
    // Distinct keys in few bits, some with the top bit set, so that clusters form.
    const key = (i: number): [number, number] => [i % 7 === 0 ? ((i >>> 4) | 0x80000000) >>> 0 : i >>> 4, i & 15];
    let ok = true;
    let problem: string | null = null;
    for (let i = 0; i < n && ok; i++) {
      const hi = key(i)[0];
      const lo = key(i)[1];
      ok &&= set.add(hi, lo) === i;
      if (i % 37 === 0) {
        problem = set.selfCheck();
        ok &&= problem === null;
        for (let k = 0; k <= i; k += 101) {
          ok &&= set.has(...key(k));
          ok &&= set.add(...key(k)) === -1;
        }
        ok &&= !set.has(i + 1, 99);
      }
    }
    expect(problem).toBeNull();
    expect(ok).toBe(true);
    expect(set.size).toBe(n);
    set.finishGrowing();
    expect(set.selfCheck()).toBeNull();
    expect(set.bytesUsed() / set.size).toBeLessThan(12.5);
  });

  it('agrees with a Set of strings on random sequences of operations', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.boolean(), fc.integer({ min: 0, max: 1500 }), fc.integer({ min: 0, max: 3 })), { maxLength: 6000 }),
        (ops) => {
          const set = new CompactFingerprintSet();
          const model = new Map<string, number>();
          for (const [insert, a, b] of ops) {
            // Few distinct values per half, clustered high and low, so that keys collide in
            // one half and clusters form.
            const hi = b === 3 ? 0xffffffff - a : a;
            const lo = b === 2 ? 0xffffffff : b;
            const k = key(hi, lo);
            if (insert) {
              const r = set.add(hi, lo);
              if (model.has(k)) {
                if (r !== -1) return false;
              } else {
                if (r !== model.size) return false;
                model.set(k, r);
              }
            } else if (set.has(hi, lo) !== model.has(k)) {
              return false;
            }
          }
          return set.size === model.size && set.selfCheck() === null;
        },
      ),
      { numRuns: 60 },
    );
  });
});

describe('ReplayIndex', () => {
  it('gives back parents and ordinals, near and far, small and large', async () => {
    const { ReplayIndex } = await import('../../src/explore/trace.js');
    const replay = new ReplayIndex();
    const n = 300_000;
    const parentOf = (i: number): number => (i < 3 ? -1 : i % 5 === 0 ? i - 1 : i % 7 === 0 ? 0 : Math.floor(i / 2));
    const ordinalOf = (i: number): number => (i % 11 === 0 ? 1000 + i : i % 256);
    for (let i = 0; i < n; i++) replay.record(i, parentOf(i), ordinalOf(i));
    let ok = true;
    for (let i = 0; i < n; i++) ok &&= replay.parent(i) === parentOf(i) && replay.ordinal(i) === ordinalOf(i);
    expect(ok).toBe(true);
    expect(Array.from(replay.parents().subarray(0, 6))).toEqual([-1, -1, -1, 1, 2, 4]);
    expect(() => replay.record(n + 1, 0, 0)).toThrow(/internal error/);
  });

  it('holds little for a small search, and makes the chunks after the first whole', async () => {
    const { ReplayIndex } = await import('../../src/explore/trace.js');
    const replay = new ReplayIndex();
    for (let i = 0; i < 1000; i++) replay.record(i, i - 1, 0);
    expect(replay.bytes).toBe(4 * 1024);
    for (let i = 1000; i < 70_000; i++) replay.record(i, i - 1, 0);
    // The first chunk doubled up to 65,536 words; the second was made whole.
    expect(replay.bytes).toBe(4 * 2 * 65_536);
    expect(replay.parent(69_999)).toBe(69_998);
  });

  it('keeps parents more than 2^24 states back in a map', async () => {
    const { ReplayIndex } = await import('../../src/explore/trace.js');
    const replay = new ReplayIndex();
    const far = 2 ** 24 + 5;
    for (let i = 0; i <= far; i++) replay.record(i, i === far ? 1 : i - 1, 0);
    expect(replay.parent(far)).toBe(1);
    expect(replay.parent(far - 1)).toBe(far - 2);
    expect(replay.parent(0)).toBe(-1);
  });
});
