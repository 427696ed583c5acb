/**
 * The seen set for searches that record the state graph (temporal properties): 64-bit state
 * fingerprints, each mapped to a dense state index 0, 1, 2, ... in insertion order, which it
 * can look up (an edge to a state seen before needs that state's number). Searches without
 * a graph use CompactFingerprintSet, which keeps fingerprints only.
 *
 * Layout: open addressing with linear probing over two flat typed arrays, so a table of
 * millions of entries is three allocations the garbage collector never has to trace:
 *   - `keys`  (Uint32Array, 2 words per slot): the fingerprint's high and low halves;
 *   - `slots` (Int32Array, 1 word per slot): index + 1, with 0 meaning "empty".
 * Occupancy lives in `slots`, not in the key, so every fingerprint — (0, 0) included — is a
 * legal key and no sentinel value has to be reserved.
 *
 * Load factor: at most 3/4, doubling when the next insertion would exceed it. With linear
 * probing, the expected probe count for a hit is about (1 + 1/(1-α))/2 and for a miss about
 * (1 + 1/(1-α)²)/2, i.e. 2.5 and 8.5 at α = 3/4; because the table doubles, the load is
 * between 3/8 and 3/4 (so about 1.4–2.5 and 1.8–8.5 probes), and consecutive probes share cache
 * lines, which keeps misses cheap. At 12 bytes per slot that is 16–32 bytes per state; a
 * bound of 1/2 would make it 24–48, half as much again, for a lookup that is rarely the
 * bottleneck next to computing successors. 3/4 is the usual trade-off for this layout.
 *
 * No deletion: a model checker only ever adds states, which is what keeps linear probing
 * simple (no tombstones).
 */

import { fmix32 } from '../values/mix.js';
import type { SeenSet } from './seen-set.js';

/** Never shrink below this many slots (a power of two). */
const MIN_CAPACITY = 16;

/**
 * Indices are stored as index + 1 in an Int32Array, so at most 2^31 - 2 entries; the table
 * itself (12 bytes per slot) would exceed any realistic heap well before that.
 */
const MAX_SIZE = 0x7ffffffe;

export class FingerprintSet implements SeenSet {
  private keys: Uint32Array;
  private slots: Int32Array;
  /** capacity - 1; capacity is a power of two so that `hash & mask` picks the home slot. */
  private mask: number;
  /** Grow when size reaches this: floor(capacity · 3/4). */
  private threshold: number;
  private count = 0;

  /** @param initialCapacity a hint: the expected number of entries (rounded up to fit at load ≤ 3/4). */
  constructor(initialCapacity = 1024) {
    let capacity = MIN_CAPACITY;
    while (capacity * 0.75 < initialCapacity) capacity *= 2;
    this.keys = new Uint32Array(capacity * 2);
    this.slots = new Int32Array(capacity);
    this.mask = capacity - 1;
    this.threshold = (capacity >>> 2) * 3;
  }

  /** Number of distinct fingerprints stored; also the index the next new one will get. */
  get size(): number {
    return this.count;
  }

  /** Number of slots in the table (exposed for tests and memory statistics). */
  get capacity(): number {
    return this.mask + 1;
  }

  /**
   * Looks the fingerprint up and inserts it if absent.
   *
   * Returns the existing index (≥ 0) when the fingerprint was already present, and the
   * bitwise complement `~newIndex` (= -newIndex - 1, always < 0) when it was just inserted —
   * one number, no side channel, and `r < 0` is the cheap "is new" test on the hot path:
   *
   *     const r = set.insertOrFind(hi, lo);
   *     if (r < 0) { const index = ~r; ... }
   *
   * `hi` and `lo` are taken modulo 2^32, so signed results of `Math.imul` and `|0` are fine.
   */
  insertOrFind(hi: number, lo: number): number {
    hi >>>= 0;
    lo >>>= 0;
    const keys = this.keys;
    const slots = this.slots;
    const mask = this.mask;
    let i = slotHash(hi, lo) & mask;
    for (;;) {
      const v = slots[i]!;
      if (v === 0) break;
      if (keys[2 * i] === hi && keys[2 * i + 1] === lo) return v - 1;
      i = (i + 1) & mask;
    }
    // Absent. Grow first if this insertion would push the load past 3/4; the probe has to
    // be redone in the new table, but that happens only O(log n) times in total.
    if (this.count >= this.threshold) {
      this.grow();
      return ~this.insertNew(hi, lo);
    }
    const index = this.count++;
    keys[2 * i] = hi;
    keys[2 * i + 1] = lo;
    slots[i] = index + 1;
    return ~index;
  }

  add(hi: number, lo: number): number {
    const r = this.insertOrFind(hi, lo);
    return r < 0 ? ~r : -1;
  }

  /** The index of the fingerprint, or -1 if it is absent. */
  indexOf(hi: number, lo: number): number {
    hi >>>= 0;
    lo >>>= 0;
    const keys = this.keys;
    const slots = this.slots;
    const mask = this.mask;
    let i = slotHash(hi, lo) & mask;
    for (;;) {
      const v = slots[i]!;
      if (v === 0) return -1;
      if (keys[2 * i] === hi && keys[2 * i + 1] === lo) return v - 1;
      i = (i + 1) & mask;
    }
  }

  has(hi: number, lo: number): boolean {
    return this.indexOf(hi, lo) >= 0;
  }

  /** Bytes held by the table's typed arrays (capacity, not just the occupied part). */
  bytesUsed(): number {
    return this.keys.byteLength + this.slots.byteLength;
  }

  /** Inserts a fingerprint known to be absent, after a grow. Returns its index. */
  private insertNew(hi: number, lo: number): number {
    if (this.count >= MAX_SIZE) {
      throw new RangeError(`FingerprintSet: more than ${MAX_SIZE} fingerprints`);
    }
    const index = this.count++;
    this.place(hi, lo, index + 1);
    return index;
  }

  /** Writes an entry into the first free slot of its probe sequence (no equality check). */
  private place(hi: number, lo: number, slotValue: number): void {
    const mask = this.mask;
    const slots = this.slots;
    let i = slotHash(hi, lo) & mask;
    while (slots[i] !== 0) i = (i + 1) & mask;
    this.keys[2 * i] = hi;
    this.keys[2 * i + 1] = lo;
    slots[i] = slotValue;
  }

  private grow(): void {
    const oldKeys = this.keys;
    const oldSlots = this.slots;
    const capacity = (this.mask + 1) * 2;
    this.keys = new Uint32Array(capacity * 2);
    this.slots = new Int32Array(capacity);
    this.mask = capacity - 1;
    this.threshold = (capacity >>> 2) * 3;
    for (let i = 0; i < oldSlots.length; i++) {
      const v = oldSlots[i]!;
      if (v !== 0) this.place(oldKeys[2 * i]!, oldKeys[2 * i + 1]!, v);
    }
  }
}

/**
 * Mixes both halves into the home-slot hash. Fingerprints from a good 64-bit hash would do
 * as they are, but hand-written ones (tests, simple encodings) often differ only in a few
 * bits of one half; mixing with the murmur3 finalizer keeps those from piling up in adjacent
 * slots, which linear probing punishes. A few multiplications cost nothing next to computing
 * a successor.
 */
function slotHash(hi: number, lo: number): number {
  return fmix32(lo ^ Math.imul(hi, 0x9e3779b1));
}
