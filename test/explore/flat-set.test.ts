import { describe, expect, it } from 'vitest';
import { shardFromSnapshot, shardOf, shardSnapshot } from '../../src/explore/parallel/vectors.js';
import { FlatFingerprintSet, type TableLimits } from '../../src/explore/flat-set.js';
import { CompactFingerprintSet } from '../../src/explore/compact-set.js';
import { fmix32 } from '../../src/values/mix.js';
import { unfmix32 } from '../support/fmix.js';

describe('FlatFingerprintSet', () => {
  it('gives its keys for the disk-backed search sorted exactly as CompactFingerprintSet does', () => {
    const flat = new FlatFingerprintSet();
    const compact = new CompactFingerprintSet();
    // The fingerprint whose mixed key is all zero (the empty marker of both tables), and others.
    const zeroLo = 0;
    const zeroHi = fmix32(zeroLo ^ 0x5bd1e995) ^ unfmix32(0);
    const fps: [number, number][] = [[zeroHi >>> 0, zeroLo], [0, 0], [1, 2], [0xffffffff, 0xffffffff]];
    let x = 12345;
    for (let i = 0; i < 5000; i++) {
      x = fmix32(x + i);
      fps.push([x, fmix32(x ^ 0xabcdef)]);
    }
    for (const [hi, lo] of fps) {
      flat.add(hi, lo);
      compact.add(hi, lo);
    }
    expect(flat.size).toBe(compact.size);
    expect(Array.from(flat.sortedKeys())).toEqual(Array.from(compact.sortedKeys()));
  });

  it('keeps every key across its doublings, at a load of at most 3/4', () => {
    const set = new FlatFingerprintSet();
    const n = 50_000;
    const wrong: string[] = [];
    for (let i = 0; i < n; i++) {
      if (set.add(Math.imul(i, 0x9e3779b1), i >>> 3) !== i) wrong.push(`add ${i}`);
      // 8 bytes a slot: the table never holds more than 3/4 of its slots.
      if (set.size * 8 > (set.bytesUsed() * 3) / 4) wrong.push(`load at ${i}`);
    }
    for (let i = 0; i < n; i++) {
      if (!set.has(Math.imul(i, 0x9e3779b1), i >>> 3)) wrong.push(`has ${i}`);
      if (set.has(Math.imul(i, 0x9e3779b1), (i >>> 3) + 1 + n)) wrong.push(`has not ${i}`);
      if (set.add(Math.imul(i, 0x9e3779b1), i >>> 3) !== -1) wrong.push(`add again ${i}`);
    }
    expect(wrong).toEqual([]);
    expect(set.size).toBe(n);
  });

  it('deals its fingerprints into shards, each holding exactly its own (the vector explorer taking over a search)', () => {
    const zeroHi = (fmix32(0 ^ 0x5bd1e995) ^ unfmix32(0)) >>> 0;
    for (const n of [1, 2, 3]) {
      for (const count of [0, 1, 700, 20_000]) {
        const fps: [number, number][] = [[zeroHi, 0]];
        let x = 7 + count;
        for (let i = 0; i < count; i++) {
          x = fmix32(x + i);
          fps.push([x, fmix32(x ^ 0x1234567)]);
        }
        const set = new FlatFingerprintSet();
        for (const [hi, lo] of fps) set.add(hi, lo);
        const shards = set.split(n, (lo) => shardOf(lo, n));
        expect(shards).toHaveLength(n);
        expect(shards.reduce((a, s) => a + s.size, 0)).toBe(fps.length);
        const wrong: string[] = [];
        for (const [hi, lo] of fps) {
          const own = shardOf(lo, n);
          for (let s = 0; s < n; s++) if (shards[s]!.has(hi, lo) !== (s === own)) wrong.push(`${hi},${lo} in shard ${s}`);
          // A shard goes on as a set: what it holds is not added again.
          if (shards[own]!.add(hi, lo) !== -1) wrong.push(`${hi},${lo} added again`);
        }
        expect(wrong).toEqual([]);
        // Each shard's keys are exactly those of its fingerprints.
        const all = new FlatFingerprintSet();
        for (const [hi, lo] of fps) all.add(hi, lo);
        const merged = shards.flatMap((s) => { const k = s.sortedKeys(); return Array.from({ length: k.length / 2 }, (_, i) => `${k[2 * i]},${k[2 * i + 1]}`); }).sort();
        const whole = all.sortedKeys();
        expect(merged).toEqual(Array.from({ length: whole.length / 2 }, (_, i) => `${whole[2 * i]},${whole[2 * i + 1]}`).sort());
      }
    }
  });

  it('deals into shards however unevenly (a shard grows as it fills)', () => {
    const set = new FlatFingerprintSet();
    for (let i = 0; i < 30_000; i++) set.add(fmix32(i), i);
    const [all, none] = set.split(2, () => 0);
    expect([all!.size, none!.size]).toEqual([30_000, 0]);
    const missing: number[] = [];
    for (let i = 0; i < 30_000; i++) if (!all!.has(fmix32(i), i)) missing.push(i);
    expect(missing).toEqual([]);
    expect(all!.size * 8).toBeLessThanOrEqual((all!.bytesUsed() * 3) / 4);
  });

  it('is sized for an expected count up front', () => {
    const set = new FlatFingerprintSet(100_000);
    const bytes = set.bytesUsed();
    for (let i = 0; i < 100_000; i++) set.add(i, i);
    expect(set.bytesUsed()).toBe(bytes);
  });

  it('moves to another thread by snapshot (its table transferred) and goes on as it would have', () => {
    // The fingerprint 0, 0 is kept by a flag, not a slot: it must move too.
    const zeroHi = 0;
    const zeroLo = 0;
    const fps: [number, number][] = [[zeroHi, zeroLo]];
    let x = 99;
    for (let i = 0; i < 6000; i++) {
      x = fmix32(x + i);
      fps.push([x, fmix32(x ^ 0x1234567)]);
    }
    const stay = new FlatFingerprintSet();
    let moved = new FlatFingerprintSet();
    const wrong: string[] = [];
    for (let i = 0; i < fps.length; i++) {
      const [hi, lo] = fps[i]!;
      if (i % 1000 === 500) {
        // As the vector explorer hands a shard to a worker and takes it back (vectors.ts).
        const { snap, transfer } = shardSnapshot(moved);
        if (!('kind' in snap) || snap.kind !== 'flat' || !snap.hasZero) wrong.push(`snapshot at ${i}`);
        const copy = structuredClone(snap, { transfer });
        // A table on a shared buffer is shared (a write through the copy is seen through the
        // original), any other transferred.
        if (snap.keys.buffer instanceof SharedArrayBuffer) {
          if (transfer.length !== 0 || !(copy.keys.buffer instanceof SharedArrayBuffer)) wrong.push(`not shared at ${i}`);
          const last = copy.keys.length - 1;
          const was = copy.keys[last]!;
          copy.keys[last] = was ^ 1;
          if (snap.keys[last] !== (was ^ 1) >>> 0) wrong.push(`copied at ${i}`);
          copy.keys[last] = was;
        } else if (transfer[0]!.byteLength !== 0) wrong.push(`not transferred at ${i}`);
        const back = shardFromSnapshot(copy);
        if (!(back instanceof FlatFingerprintSet)) throw new Error('not a FlatFingerprintSet');
        moved = back;
        if (moved.size !== stay.size || moved.bytesUsed() !== stay.bytesUsed()) wrong.push(`size at ${i}`);
      }
      const a = stay.add(hi, lo);
      const b = moved.add(hi, lo);
      if (a !== i || b !== i) wrong.push(`add ${i}: ${a}, ${b}`);
    }
    for (const [hi, lo] of fps) if (!moved.has(hi, lo) || moved.add(hi, lo) !== -1) wrong.push(`lost ${hi},${lo}`);
    expect(moved.has(zeroHi, zeroLo)).toBe(true);
    expect(wrong).toEqual([]);
    expect(moved.sortedKeys()).toEqual(stay.sortedKeys());
  });

  it('grows in place, keeping every key (and, numbered, its number) wherever the keys put their homes', () => {
    // Fingerprints with a chosen 32-bit hash (home is its top bits): lo = hash·K2⁻¹ xor hi·K1.
    let inverse = 0x9e3779b1;
    for (let k = 0; k < 5; k++) inverse = Math.imul(inverse, 2 - Math.imul(0x9e3779b1, inverse));
    const withHash = (hash: number, hi: number): [number, number] => [hi >>> 0, (Math.imul(hash, inverse) ^ Math.imul(hi, 0x85ebca6b)) >>> 0];
    const kinds: Record<string, (i: number) => number> = {
      // homes at the table's start, whatever its size: keys pushed far from home there
      start: (i) => i % 7,
      // in its first 1/1024: a run from the start, its keys' homes spread over its first slots
      low: (i) => fmix32(i) >>> 10,
      // at its end: runs that wrap around to the start
      end: (i) => (0xffffffff - (i % 11)) >>> 0,
      high: (i) => ~(fmix32(i) >>> 10) >>> 0,
      // one key in 8 or 16 crowded into its first 1/512 or 1/1024, the others anywhere: keys
      // pushed about their home's distance from it, among keys at home
      crowded: (i) => (i % 8 === 0 ? (fmix32(i) >>> 0) % 0x800000 : fmix32(i)),
      sparse: (i) => (i % 16 === 0 ? (fmix32(i) >>> 0) % 0x400000 : fmix32(i)),
      // a few homes, long runs
      clustered: (i) => Math.imul(i % 13, 0x10000001) >>> 0,
      // anywhere
      spread: (i) => fmix32(i),
      // all of the above
      mixed: (i) => [(j: number) => j % 5, (j: number) => (0xffffffff - (j % 5)) >>> 0, fmix32][i % 3]!(i),
    };
    const wrong: string[] = [];
    for (const [kind, hashOf] of Object.entries(kinds)) {
      const ways: [string, TableLimits][] = [
        ['', {}],
        // Tables past 2,048 slots are plain arrays, rehashed into fresh ones.
        [', past 16 KiB not in place', { maxInPlaceBytes: 16 * 1024 }],
        // Each buffer can grow to twice its first size: every other doubling moves the table.
        [', moved every other doubling', { reserveFactor: 2, reserveMinBytes: 0 }],
      ];
      // A numbered set's keys table passes 16 KiB a doubling before its numbers' does: the
      // two then grow differently (neither in place).
      for (const [way, limits] of ways) {
        for (const numbered of [false, true]) {
          const set = numbered ? FlatFingerprintSet.numbered(0, limits) : new FlatFingerprintSet(0, limits);
          const n = kind === 'spread' ? 20_000 : kind === 'mixed' || kind === 'crowded' || kind === 'sparse' ? 6_000 : 2_500;
          const fps = Array.from({ length: n }, (_, i) => withHash(hashOf(i), i + 1));
          const at = `${kind}${way}${numbered ? ', numbered' : ''}`;
          for (let i = 0; i < n; i++) {
            const [hi, lo] = fps[i]!;
            if (numbered && i % 2 === 1 ? set.insertOrFind(hi, lo) !== ~i : set.add(hi, lo) !== i) wrong.push(`${at}: add ${i}`);
            // Right after each doubling, every key is still found, with its number.
            if (i > 0 && (i + 1) % 768 === 0 && (i + 1) / 768 === 2 ** Math.round(Math.log2((i + 1) / 768))) {
              for (let k = 0; k <= i; k++) {
                if (!set.has(fps[k]![0], fps[k]![1])) wrong.push(`${at}: key ${k} lost at ${i + 1}`);
                if (numbered && set.numberOf(fps[k]![0], fps[k]![1]) !== k) wrong.push(`${at}: key ${k} renumbered at ${i + 1}`);
              }
            }
          }
          for (let i = 0; i < n; i++) {
            const [hi, lo] = fps[i]!;
            if (!set.has(hi, lo) || set.add(hi, lo) !== -1) wrong.push(`${at}: key ${i} lost`);
            if (set.has(hi ^ 0x80000000, lo)) wrong.push(`${at}: holds a key never added (${i})`);
            if (numbered && (set.insertOrFind(hi, lo) !== i || set.numberOf(hi, lo) !== i)) wrong.push(`${at}: key ${i} renumbered`);
            if (numbered && set.numberOf(hi ^ 0x80000000, lo) !== -1) wrong.push(`${at}: numbers a key never added (${i})`);
          }
          if (set.size !== n) wrong.push(`${at}: size ${set.size}`);
          if (set.size * (numbered ? 12 : 8) > (set.bytesUsed() * 3) / 4) wrong.push(`${at}: load`);
        }
      }
    }
    expect(wrong.slice(0, 10)).toEqual([]);
    // A table that outgrew its buffer moved to a new growable one; past maxInPlaceBytes, a plain one.
    const moved = new FlatFingerprintSet(0, { reserveFactor: 2, reserveMinBytes: 0 });
    const plain = new FlatFingerprintSet(0, { maxInPlaceBytes: 16 * 1024 });
    for (let i = 0; i < 10_000; i++) {
      moved.add(fmix32(i), i);
      plain.add(fmix32(i), i);
    }
    expect(moved.snapshot().keys.buffer).toBeInstanceOf(SharedArrayBuffer);
    expect(plain.snapshot().keys.buffer).toBeInstanceOf(ArrayBuffer);
  });

  it('numbers the fingerprint 0, 0 as any other, and keeps a numbered set on its thread', () => {
    const set = FlatFingerprintSet.numbered();
    expect(set.insertOrFind(5, 6)).toBe(~0);
    expect(set.numberOf(0, 0)).toBe(-1);
    expect(set.insertOrFind(0, 0)).toBe(~1);
    expect(set.insertOrFind(0, 0)).toBe(1);
    expect(set.add(0, 0)).toBe(-1);
    expect(set.add(7, 8)).toBe(2);
    expect([set.numberOf(0, 0), set.numberOf(7, 8), set.numberOf(5, 6), set.size]).toEqual([1, 2, 0, 3]);
    expect(() => set.snapshot()).toThrow(/internal error: a numbered fingerprint set moved/);
    expect(() => set.split(2, () => 0)).toThrow(/internal error: a numbered fingerprint set dealt/);
  });

  it('refuses a snapshot whose table is not one it could have made', () => {
    expect(() => FlatFingerprintSet.fromSnapshot({ kind: 'flat', keys: new Uint32Array(2 * 1000), count: 0, hasZero: false })).toThrow(/impossible table/);
    expect(() => FlatFingerprintSet.fromSnapshot({ kind: 'flat', keys: new Uint32Array(2 * 1024), count: 768, hasZero: false })).toThrow(/impossible table/);
  });
});
