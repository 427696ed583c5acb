/**
 * The packed engine's seen set (the one-thread vector search's, and each shard of the vector
 * explorer's): 64-bit fingerprints and nothing else, in one flat table with linear probing,
 * built for speed where CompactFingerprintSet is built for memory.
 *
 * Layout: one Uint32Array, two words a slot (the fingerprint's high and low words; 0, 0 when
 * free), a power of two of slots. The load is kept at most 3/4 and the table doubles past it,
 * so the load is between 3/8 and 3/4: 10.7–21.3 bytes a state (CompactFingerprintSet: 10–12
 * bytes, but its sorted clusters make every insertion shift part of a cluster, and its growth
 * by ×1.2 moves every key about six times over a run; measured on a million random
 * fingerprints it takes twice the time). A lookup that misses scans to the first free slot:
 * 1.8–8.5 slots expected, 8 bytes each, so mostly one or two cache lines.
 *
 * Growing doubles the table in place: the table is on a growable SharedArrayBuffer
 * (fresh-pages.ts), which grows by the added half, whose pages are first written in address
 * order, and the keys are rehashed within it (see grow). A new table in fresh memory each time
 * would take twice the final table's size in fresh pages over a run instead of once, and on
 * the bench's VM a fresh page costs some 10 µs: counter-grid K=37's seen set, 128 MiB, spent
 * 0.7 s of a 4 s search in them. A buffer is made to grow to 64 times its first size, at
 * least 256 MiB (see table): past that the table moves to a new one. A table past what a
 * growable buffer holds (4 GiB, 2^29 slots) is a plain typed array, rehashed into a fresh one
 * as it doubles.
 *
 * The home slot: the top bits of (lo xor hi·K1)·K2, multiplicative (Fibonacci) hashing, so
 * that fingerprints that differ in few bits (exact keys of small states, hand-made test
 * systems) still spread over the table. The fingerprints themselves are stored, not a mixed
 * key: two multiplications before the probe, where murmur3's finalizer twice over (the mix
 * CompactFingerprintSet keys by) put some 20 cycles of dependent operations in front of every
 * lookup (3-4 % of counter-grid K=21's and TwoPhase N=7's searches). The fingerprint 0, 0,
 * the empty marker, is remembered by a flag instead of a slot. For the disk-backed search,
 * sortedKeys gives the keys mixed as CompactFingerprintSet's.
 *
 * Numbered (`FlatFingerprintSet.numbered`, the one-thread search that records the state graph
 * of temporal properties): a second table, a word a slot, holds each fingerprint's state
 * number (the order it was added in), moved with its key as the table grows, so that
 * `insertOrFind` and `numberOf` give the number of a state seen before.
 */
import { mixHi } from './compact-set.js';
import { MAX_GROWABLE_BYTES, freshWords, growableWords, grownWords } from './fresh-pages.js';
import type { SeenSet } from './seen-set.js';

/** The home slot of fingerprint hi, lo in a table of 2^(32 − shift) slots (see above). */
function home(hi: number, lo: number, shift: number): number {
  return Math.imul(lo ^ Math.imul(hi, 0x85ebca6b), 0x9e3779b1) >>> shift;
}

/** The shift for `home` in a table of `capacity` slots (a power of two). */
function shiftFor(capacity: number): number {
  return Math.clz32(capacity) + 1;
}

/** Slots of a fresh table (a power of two). */
const MIN_CAPACITY = 1024;
/**
 * A table's buffer can grow to this many times its first size, and at least to
 * RESERVE_MIN_BYTES (2^25 slots, some 25M states): a table that outgrows it moves to a new
 * buffer, fresh memory once more.
 */
const RESERVE_FACTOR = 64;
const RESERVE_MIN_BYTES = 256 * 2 ** 20;
const MAX_SIZE = 2 ** 31 - 2;

/** How FlatFingerprintSet's tables grow (see its constructor and `table`). */
export interface TableLimits {
  readonly maxInPlaceBytes?: number;
  readonly reserveFactor?: number;
  readonly reserveMinBytes?: number;
}

/** A FlatFingerprintSet's contents, as structured-cloneable data (to move it to another thread). */
export interface FlatSetSnapshot {
  readonly kind: 'flat';
  readonly keys: Uint32Array;
  readonly count: number;
  readonly hasZero: boolean;
}

export class FlatFingerprintSet implements SeenSet {
  /** Two words a slot: the fingerprint's high and low words; 0, 0 when free. */
  private keys: Uint32Array;
  /** A numbered set's state numbers, a word a slot (null: not numbered). */
  private vals: Uint32Array | null = null;
  /** A numbered set's number of the fingerprint 0, 0, when present. */
  private zeroIndex = -1;
  /** Slots − 1 (slots are a power of two). */
  private mask: number;
  /** 32 − log2(slots): the home slot is the top bits of a 32-bit hash. */
  private shift: number;
  /** Grow when the count reaches this: 3/4 of the slots. */
  private threshold: number;
  private count = 0;
  /** Whether the fingerprint 0, 0 (the empty marker) is present. */
  private hasZero = false;

  private readonly maxInPlaceBytes: number;
  private readonly reserveFactor: number;
  private readonly reserveMinBytes: number;

  /**
   * A set sized for `expected` fingerprints. `limits` (tests make them small, to reach what
   * lies past them): the largest table grown in place, and how far a table's buffer can grow.
   * `keys`: a table to take as it is (fromSnapshot), rather than a fresh one.
   */
  constructor(expected = 0, limits: TableLimits = {}, keys?: Uint32Array) {
    this.maxInPlaceBytes = limits.maxInPlaceBytes ?? MAX_GROWABLE_BYTES;
    this.reserveFactor = limits.reserveFactor ?? RESERVE_FACTOR;
    this.reserveMinBytes = limits.reserveMinBytes ?? RESERVE_MIN_BYTES;
    let capacity = MIN_CAPACITY;
    if (keys !== undefined) capacity = keys.length >>> 1;
    else while ((capacity >>> 2) * 3 <= expected) capacity *= 2;
    this.keys = keys ?? this.table(capacity);
    this.mask = capacity - 1;
    this.shift = shiftFor(capacity);
    this.threshold = (capacity >>> 2) * 3;
  }

  /**
   * The table's contents, to move the set to another thread (the keys' buffer is shared, or,
   * past what a growable buffer holds, transferred: not copied). The set must not be used
   * afterwards.
   */
  snapshot(): FlatSetSnapshot {
    if (this.vals !== null) throw new Error('internal error: a numbered fingerprint set moved to another thread');
    return { kind: 'flat', keys: this.keys, count: this.count, hasZero: this.hasZero };
  }

  /** An empty numbered set (see above): `insertOrFind` and `numberOf` give state numbers. */
  static numbered(expected = 0, limits: TableLimits = {}): FlatFingerprintSet {
    const set = new FlatFingerprintSet(expected, limits);
    set.vals = set.table(set.mask + 1, 1);
    return set;
  }

  /** A set with the contents of a snapshot taken (maybe on another thread) by `snapshot`. */
  static fromSnapshot(s: FlatSetSnapshot): FlatFingerprintSet {
    const capacity = s.keys.length >>> 1;
    if (capacity < MIN_CAPACITY || (capacity & (capacity - 1)) !== 0 || s.count >= (capacity >>> 2) * 3) {
      throw new Error('internal error: a fingerprint set snapshot with an impossible table');
    }
    const set = new FlatFingerprintSet(0, {}, s.keys);
    set.count = s.count;
    set.hasZero = s.hasZero;
    return set;
  }

  get size(): number {
    return this.count;
  }

  bytesUsed(): number {
    return this.keys.byteLength + (this.vals?.byteLength ?? 0);
  }

  /**
   * Every fingerprint as CompactFingerprintSet keys it (mixHi, see compact-set.ts: the high
   * half mixHi(hi, lo), the low half lo xor that), ascending as 64-bit numbers, two words a
   * key, low half first, as its sortedKeys gives them: for the hand-over to the disk-backed
   * search.
   */
  sortedKeys(): Uint32Array {
    const out = new Uint32Array(2 * this.count);
    let o = 0;
    this.eachKey((l, h) => {
      out[o++] = l;
      out[o++] = h;
    });
    new BigUint64Array(out.buffer, out.byteOffset, this.count).sort();
    return out;
  }

  /**
   * Hands each fingerprint to `put` as sortedKeys gives it (low half, high half of the mixed
   * key), in the table's order: for a checkpoint, whose table is read back whole.
   */
  eachKey(put: (l: number, h: number) => void): void {
    const mixed = (hi: number, lo: number): void => {
      const h = mixHi(hi, lo);
      put((lo ^ h) >>> 0, h);
    };
    if (this.hasZero) mixed(0, 0);
    const keys = this.keys;
    for (let i = 0; i < keys.length; i += 2) {
      const h = keys[i]!;
      const l = keys[i + 1]!;
      if (h === 0 && l === 0) continue;
      mixed(h, l);
    }
  }

  has(hi: number, lo: number): boolean {
    const h = hi >>> 0;
    const l = lo >>> 0;
    if (h === 0 && l === 0) return this.hasZero;
    return this.probe(h, l) >= 0;
  }

  /**
   * Reads the word of fingerprint hi, lo's home slot and returns it, changing nothing: a
   * prefetch. The caller reads the homes of a block of fingerprints first (loads that do not
   * depend on one another, so the CPU has their cache misses in flight together), then adds
   * them, each probe then finding its line in the cache: the vector explorer's dedupe
   * (docs/parallel.md). The caller folds the words it gets into a value it keeps, so that the
   * loads are not dropped.
   */
  warm(hi: number, lo: number): number {
    return this.keys[2 * (home(hi, lo, this.shift))]!;
  }

  add(hi: number, lo: number): number {
    if (this.vals !== null) {
      const r = this.insertOrFind(hi, lo);
      return r < 0 ? ~r : -1;
    }
    const h = hi >>> 0;
    const l = lo >>> 0;
    if (h === 0 && l === 0) {
      if (this.hasZero) return -1;
      this.hasZero = true;
      return this.count++;
    }
    const i = this.probe(h, l);
    if (i >= 0) return -1;
    if (this.count >= MAX_SIZE) throw new RangeError(`fingerprint set: more than ${MAX_SIZE} states`);
    const keys = this.keys;
    keys[2 * ~i] = h;
    keys[2 * ~i + 1] = l;
    const index = this.count++;
    if (this.count >= this.threshold) this.grow();
    return index;
  }

  /**
   * A numbered set's lookup and insertion in one: the number of the fingerprint when it is
   * present, else the complement (`~n`, negative) of the number it is added with.
   */
  insertOrFind(hi: number, lo: number): number {
    const h = hi >>> 0;
    const l = lo >>> 0;
    if (h === 0 && l === 0) {
      if (this.hasZero) return this.zeroIndex;
      this.hasZero = true;
      this.zeroIndex = this.count++;
      return ~this.zeroIndex;
    }
    const i = this.probe(h, l);
    if (i >= 0) return this.vals![i]!;
    if (this.count >= MAX_SIZE) throw new RangeError(`fingerprint set: more than ${MAX_SIZE} states`);
    const keys = this.keys;
    keys[2 * ~i] = h;
    keys[2 * ~i + 1] = l;
    const index = this.count++;
    this.vals![~i] = index;
    if (this.count >= this.threshold) this.grow();
    return ~index;
  }

  /**
   * A numbered set's number of the fingerprint, or -1 when it is absent. (Not SeenSet's
   * `indexOf`, which rebuildTrace asks of every set that has it: a set that is not numbered
   * has none.)
   */
  numberOf(hi: number, lo: number): number {
    const h = hi >>> 0;
    const l = lo >>> 0;
    if (h === 0 && l === 0) return this.hasZero ? this.zeroIndex : -1;
    const i = this.probe(h, l);
    return i >= 0 ? this.vals![i]! : -1;
  }

  /** The slot of fingerprint h, l (not 0, 0), or the complement of the free slot its probe ends at. */
  private probe(h: number, l: number): number {
    const keys = this.keys;
    const mask = this.mask;
    let i = home(h, l, this.shift);
    for (;;) {
      const kh = keys[2 * i]!;
      const kl = keys[2 * i + 1]!;
      if (kh === h && kl === l) return i;
      if (kh === 0 && kl === 0) return ~i;
      i = (i + 1) & mask;
    }
  }

  /**
   * This set's fingerprints dealt into `n` new sets, fingerprint hi, lo into set
   * `shardOf(lo)`: the vector explorer's shards, when a search that began on one thread goes
   * on there. This set is not to be used afterwards.
   */
  split(n: number, shardOf: (lo: number) => number): FlatFingerprintSet[] {
    if (this.vals !== null) throw new Error('internal error: a numbered fingerprint set dealt into shards');
    const sets: FlatFingerprintSet[] = [];
    for (let s = 0; s < n; s++) sets.push(new FlatFingerprintSet(Math.ceil((this.count * 1.1) / n)));
    const keys = this.keys;
    for (let j = 0; j < keys.length; j += 2) {
      const h = keys[j]!;
      const l = keys[j + 1]!;
      if (h === 0 && l === 0) continue;
      sets[shardOf(l)]!.insertKey(h, l);
    }
    if (this.hasZero) {
      const set = sets[shardOf(0)]!;
      set.hasZero = true;
      set.count++;
    }
    this.keys = new Uint32Array(0);
    this.count = 0;
    return sets;
  }

  /**
   * A fresh table of `capacity` slots: on a growable buffer that can grow to reserveFactor
   * times that, at least reserveMinBytes and at most maxInPlaceBytes (V8 reserves that much
   * address space up front, so not the most it could, 4 GiB a set: a process with `ulimit -v`
   * would run out of it); a plain array past maxInPlaceBytes, or when the address space cannot
   * be had (fresh-pages.ts, growableWords).
   */
  private table(capacity: number, words = 2): Uint32Array {
    const bytes = capacity * 4 * words;
    if (bytes > this.maxInPlaceBytes) return freshWords(capacity * words);
    return growableWords(capacity * words, Math.min(this.maxInPlaceBytes, Math.max(bytes, this.reserveMinBytes, this.reserveFactor * bytes)));
  }

  /** Stores a fingerprint known to be absent (and not 0, 0). */
  private insertKey(h: number, l: number): void {
    put(this.keys, this.mask, home(h, l, this.shift), h, l);
    if (++this.count >= this.threshold) this.grow();
  }

  /** Doubles the table, putting every key at its new home (or after it). */
  private grow(): void {
    const old = this.keys;
    const half = this.mask + 1;
    const capacity = half * 2;
    const mask = capacity - 1;
    const shift = shiftFor(capacity);
    const oldVals = this.vals;
    let keys = grownWords(old, capacity * 2);
    let vals = oldVals === null ? null : grownWords(oldVals, capacity);
    if (keys !== undefined && vals !== undefined) {
      rehashInPlace(keys, half, shift, vals);
    } else {
      // Fresh tables (a numbered set's two together: one grown in place and not the other would
      // leave them out of step).
      keys = this.table(capacity);
      vals = oldVals === null ? null : this.table(capacity, 1);
      for (let j = 0; j < old.length; j += 2) {
        const h = old[j]!;
        const l = old[j + 1]!;
        if (h === 0 && l === 0) continue;
        const at = put(keys, mask, home(h, l, shift), h, l);
        if (vals !== null) vals[at] = oldVals![j >>> 1]!;
      }
    }
    this.keys = keys;
    this.vals = vals;
    this.mask = mask;
    this.shift = shift;
    this.threshold = (capacity >>> 2) * 3;
  }
}

/** Stores fingerprint h, l at the first free slot from slot i on, cyclically: that slot. */
function put(keys: Uint32Array, mask: number, i: number, h: number, l: number): number {
  while (keys[2 * i] !== 0 || keys[2 * i + 1] !== 0) i = (i + 1) & mask;
  keys[2 * i] = h;
  keys[2 * i + 1] = l;
  return i;
}

/**
 * Rehashes a table of `half` slots, grown in place to twice that (the added slots free), for
 * its new size (`shift`). A key's new home is twice its old one, or one more (the home is the
 * top bits of a hash). The slots are taken from the last of the old ones down: a key is taken
 * out of its slot j and put at the first free slot from its new home on, when that home is j
 * or past it and the scan does not run past the end of the table. The slots from j on then
 * hold only keys put there by this pass, which stay where they are: no slot between a key's
 * home and its place is emptied later, as linear probing needs. The others (a home before j:
 * a key pushed more than its home's distance from it, so only near the table's start; a scan
 * that would wrap around) are kept aside and put in at the end, into the rehashed table.
 * A numbered set's `vals` (grown in place too) move with their keys.
 */
function rehashInPlace(keys: Uint32Array, half: number, shift: number, vals: Uint32Array | null): void {
  const capacity = half * 2;
  const aside: number[] = [];
  for (let j = half - 1; j >= 0; j--) {
    const h = keys[2 * j]!;
    const l = keys[2 * j + 1]!;
    if (h === 0 && l === 0) continue;
    keys[2 * j] = 0;
    keys[2 * j + 1] = 0;
    let i = home(h, l, shift);
    if (i >= j) {
      while (i < capacity && (keys[2 * i] !== 0 || keys[2 * i + 1] !== 0)) i++;
      if (i < capacity) {
        keys[2 * i] = h;
        keys[2 * i + 1] = l;
        if (vals !== null) vals[i] = vals[j]!;
        continue;
      }
    }
    aside.push(h, l, vals === null ? 0 : vals[j]!);
  }
  for (let k = 0; k < aside.length; k += 3) {
    const at = put(keys, capacity - 1, home(aside[k]!, aside[k + 1]!, shift), aside[k]!, aside[k + 1]!);
    if (vals !== null) vals[at] = aside[k + 2]!;
  }
}
