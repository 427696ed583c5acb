/**
 * The explorer's seen set when nothing needs to look a state's index up by its fingerprint
 * (no temporal properties): 64-bit fingerprints and nothing else, 8 bytes a slot, kept at a
 * load between 3/4 and 9/10, so 9–11 bytes a state. States are still numbered densely in
 * insertion order (add returns the number), but the numbers are not stored here: the explorer
 * keeps them with each queued state and in its parent links.
 *
 * Layout: one Uint32Array, two words a slot (high and low half of the stored key), with
 * linear probing over a table kept *sorted*: every key sits at or after its home slot, and the
 * keys of the whole table are in ascending order. That is possible because the home slot is a
 * monotone function of the key (the key's high half scaled to the table's size, Lemire's
 * "fastrange"), and it buys three things:
 *   - a lookup stops at the first key greater than the one sought (or at an empty slot), so
 *     misses, most lookups during a search, are as short as hits (Amble and Knuth's ordered
 *     hash tables; the same order Robin Hood hashing keeps);
 *   - an insertion shifts the rest of its cluster one slot to the right with copyWithin, a
 *     memmove, instead of a loop of swaps;
 *   - growing is a single sequential merge pass: the keys are read in order and each is put
 *     at its new home or just after the previous one. No probing, no comparisons, so a high
 *     load and a small growth factor (×1.2) are affordable: the table grows more often but
 *     each growth is a streaming copy.
 * There is no wrap-around (it would break the order); the table has a tail of spare slots
 * after the last home slot for the last cluster to spill into, and grows early if it ever
 * reaches the end.
 *
 * Keys: fingerprints are first put through a bijective 64-bit mix, so that fingerprints that
 * differ in few bits (hand-made test systems, simple encodings) still spread over the table.
 * Being a bijection, it keeps distinct fingerprints distinct: the set's answer is exactly the
 * answer for the fingerprints themselves. An empty slot holds the all-ones key; the one
 * fingerprint that mixes to all ones is remembered by a flag instead of a slot.
 */
import { fmix32 } from '../values/mix.js';
import type { SeenSet } from './seen-set.js';

/** Grow when the load would pass this. */
const MAX_LOAD = 0.8;
/** Home slots after growing: ×1.2, so the load drops to 2/3. */
const GROWTH = 1.2;
/** Home slots of a fresh table. */
const MIN_HOMES = 1024;
/** Spare slots after the last home slot for the last cluster to spill into. */
const TAIL = 256;
const MAX_SIZE = 2 ** 31 - 2;

/** A CompactFingerprintSet's contents, as structured-cloneable data. */
export interface CompactSetSnapshot {
  readonly keys: Uint32Array;
  readonly homes: number;
  readonly count: number;
  readonly hasZero: boolean;
}

export class CompactFingerprintSet implements SeenSet {
  /** Two words a slot: the mixed key's high and low halves; 0, 0 when free. */
  private keys: Uint32Array;
  /** Number of home slots (the table has homes + TAIL slots). */
  private homes: number;
  /** Home slot of key k: floor((2^32 - 1 - k.hi) · scale), with scale = homes / 2^32. */
  private scale: number;
  private threshold: number;
  private count = 0;
  /** Whether the fingerprint that mixes to the all-zero key (the empty marker) is present. */
  private hasZero = false;

  constructor(expected = 0) {
    let homes = MIN_HOMES;
    while (homes * MAX_LOAD < expected) homes = Math.ceil(homes * GROWTH);
    this.homes = homes;
    this.scale = homes / 4294967296;
    this.threshold = Math.floor(homes * MAX_LOAD);
    this.keys = new Uint32Array((homes + TAIL) * 2);
  }

  get size(): number {
    return this.count;
  }

  /** Slots in the table, tail included (for tests and statistics). */
  get capacity(): number {
    return this.keys.length >>> 1;
  }

  bytesUsed(): number {
    return this.keys.byteLength;
  }

  has(hi: number, lo: number): boolean {
    const h = mixHi(hi >>> 0, lo >>> 0);
    const l = (lo ^ h) >>> 0;
    if (h === 0 && l === 0) return this.hasZero;
    const keys = this.keys;
    let i = (((EMPTY_HI - h) * this.scale) | 0) << 1;
    for (;;) {
      const kh = keys[i]!;
      if (kh < h) return false;
      if (kh === h) {
        const kl = keys[i + 1]!;
        if (kl === l) return true;
        if (kl < l) return false;
      }
      i += 2;
    }
  }

  add(hi: number, lo: number): number {
    const h = mixHi(hi >>> 0, lo >>> 0);
    const l = (lo ^ h) >>> 0;
    if (h === 0 && l === 0) {
      if (this.hasZero) return -1;
      this.hasZero = true;
      return this.count++;
    }
    const keys = this.keys;
    let i = (((EMPTY_HI - h) * this.scale) | 0) << 1;
    // Find the first key not above (h, l); the empty marker is below every key.
    for (;;) {
      const kh = keys[i]!;
      if (kh < h) break;
      if (kh === h) {
        const kl = keys[i + 1]!;
        if (kl === l) return -1;
        if (kl < l) break;
      }
      i += 2;
    }
    if (this.count >= this.threshold) {
      this.grow();
      return this.insertAbsent(h, l);
    }
    // If the cluster reaches the table's end, grow (the tail becomes spare again).
    if (!this.insertAt(i, h, l)) {
      this.grow();
      return this.insertAbsent(h, l);
    }
    return this.count++;
  }

  /**
   * The table's contents, to move the set to another thread (the keys' buffer can be
   * transferred); the set must not be used afterwards.
   */
  snapshot(): CompactSetSnapshot {
    return { keys: this.keys, homes: this.homes, count: this.count, hasZero: this.hasZero };
  }

  /** A set with the contents of a snapshot taken (maybe on another thread) by `snapshot`. */
  static fromSnapshot(s: CompactSetSnapshot): CompactFingerprintSet {
    const set = new CompactFingerprintSet();
    set.keys = s.keys;
    set.homes = s.homes;
    set.scale = s.homes / 4294967296;
    set.threshold = Math.floor(s.homes * MAX_LOAD);
    set.count = s.count;
    set.hasZero = s.hasZero;
    return set;
  }

  /**
   * Puts the key at word i, shifting the rest of its cluster one slot right into the first
   * empty slot after it (a loop: clusters are short, and a copyWithin call costs more than it
   * moves). Refuses, changing nothing, if that would fill the table's last slot.
   */
  private insertAt(i: number, h: number, l: number): boolean {
    const keys = this.keys;
    let j = i;
    while (keys[j] !== 0 || keys[j + 1] !== 0) j += 2;
    if (j + 2 >= keys.length) return false;
    for (; j > i; j -= 2) {
      keys[j] = keys[j - 2]!;
      keys[j + 1] = keys[j - 1]!;
    }
    keys[i] = h;
    keys[i + 1] = l;
    return true;
  }

  /**
   * Checks the table's order (for tests): every key at or after its home slot, all keys in
   * descending order, the last slot empty, and as many keys as `size` says. Returns what is
   * wrong, or null.
   */
  selfCheck(): string | null {
    const keys = this.keys;
    let stored = this.hasZero ? 1 : 0;
    let prevH = Infinity;
    let prevL = Infinity;
    for (let i = 0; i < keys.length; i += 2) {
      const h = keys[i]!;
      const l = keys[i + 1]!;
      if (h === 0 && l === 0) continue;
      stored++;
      if ((((EMPTY_HI - h) * this.scale) | 0) << 1 > i) return `key at slot ${i / 2} is before its home slot`;
      if (h > prevH || (h === prevH && l >= prevL)) return `key at slot ${i / 2} is out of order`;
      prevH = h;
      prevL = l;
    }
    if (keys[keys.length - 2] !== 0 || keys[keys.length - 1] !== 0) return 'the last slot is not empty';
    return stored === this.count ? null : `${stored} keys stored, size says ${this.count}`;
  }

  /** Inserts a mixed key known to be absent (after growing). */
  private insertAbsent(h: number, l: number): number {
    if (this.count >= MAX_SIZE) throw new RangeError(`fingerprint set: more than ${MAX_SIZE} states`);
    for (;;) {
      const keys = this.keys;
      let i = (((EMPTY_HI - h) * this.scale) | 0) << 1;
      while (keys[i]! > h || (keys[i] === h && keys[i + 1]! > l)) i += 2;
      if (this.insertAt(i, h, l)) return this.count++;
      this.grow();
    }
  }

  /**
   * Rebuilds the table with GROWTH times the home slots, by one merge pass over the keys in
   * order. If the last cluster would overrun the new table's end, tries again bigger.
   */
  private grow(): void {
    const old = this.keys;
    let homes = Math.ceil(this.homes * GROWTH);
    for (;;) {
      const keys = new Uint32Array((homes + TAIL) * 2);
      const scale = homes / 4294967296;
      const end = keys.length - 2; // the last slot stays empty: scans stop on it
      let next = 0;
      let ok = true;
      for (let i = 0; i < old.length; i += 2) {
        const h = old[i]!;
        const l = old[i + 1]!;
        if (h === 0 && l === 0) continue;
        const home = (((EMPTY_HI - h) * scale) | 0) << 1;
        const at = home > next ? home : next;
        if (at >= end) {
          ok = false;
          break;
        }
        keys[at] = h;
        keys[at + 1] = l;
        next = at + 2;
      }
      if (ok) {
        this.keys = keys;
        this.homes = homes;
        this.scale = scale;
        this.threshold = Math.floor(homes * MAX_LOAD);
        return;
      }
      homes = Math.ceil(homes * GROWTH);
    }
  }
}

/** The largest high half; home slots count down from it. */
const EMPTY_HI = 0xffffffff;

/**
 * The high half of the bijective mix of (hi, lo): murmur3's finalizer (itself a bijection of
 * 32-bit words) applied to hi xor a hash of lo. With the low half stored as lo xor this, the
 * pair can be inverted (lo = stored low xor stored high; hi from inverting the finalizer), so
 * distinct fingerprints give distinct keys; and the high half, which picks the home slot,
 * depends on every bit of both halves.
 */
function mixHi(hi: number, lo: number): number {
  return fmix32((hi ^ fmix32(lo ^ 0x5bd1e995)) >>> 0);
}

