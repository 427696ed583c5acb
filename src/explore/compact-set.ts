/**
 * The explorer's seen set when nothing needs to look a state's number up by its fingerprint
 * (no temporal properties): 64-bit fingerprints and nothing else, 8 bytes a slot, kept at a
 * load between 0.68 and 0.82, so 10–12 bytes a state. States are still numbered densely in
 * insertion order (add returns the number), but the numbers are not stored here: the explorer
 * keeps them with each queued state and in its parent links.
 *
 * Layout: one Uint32Array, two words a slot (high and low half of the stored key), with
 * linear probing over a table kept *sorted*: every key sits at or after its home slot, and the
 * keys of the whole table are in descending order. That is possible because the home slot is
 * a monotone function of the key (the key's high half, counted down from the top, scaled to
 * the table's size: Lemire's "fastrange"), and it buys three things:
 *   - a lookup stops at the first key smaller than the one sought (or at an empty slot, which
 *     holds the smallest key, zero), so misses, most lookups during a search, are as short as
 *     hits (Amble and Knuth's ordered hash tables; the order Robin Hood hashing keeps);
 *   - an insertion shifts the rest of its cluster one slot to the right;
 *   - growing is a merge: the keys are read in order and each is put at its new home or just
 *     after the previous one, with no probing and no comparisons. So a high load and a small
 *     growth factor (×1.2) are affordable.
 * There is no wrap-around (it would break the order); the table has a tail of spare slots
 * after the last home slot for the last cluster to spill into.
 *
 * Growing is incremental, so no insertion waits for the whole table to be copied: the new
 * table is allocated, and each insertion then moves the next MIGRATE_PER_INSERT slots of the
 * old one over, in order, until none is left (about a tenth of the insertions to the next
 * growth). Meanwhile the keys moved so far are exactly those greater than `boundary`, the
 * largest key still in the old table: a key above it is looked up and inserted in the new
 * table, any other in what is left of the old one (which stays sorted, from `from` on). A
 * growth still in progress when the next one is due is finished first, and one that would
 * overrun a table's end falls back to a whole rebuild; both are rare, and bounded.
 *
 * Keys: fingerprints are first put through a bijective 64-bit mix, so that fingerprints that
 * differ in few bits (hand-made test systems, simple encodings) still spread over the table.
 * Being a bijection, it keeps distinct fingerprints distinct: the set's answer is exactly the
 * answer for the fingerprints themselves. The one fingerprint that mixes to the all-zero key,
 * the empty marker, is remembered by a flag instead of a slot.
 */
import { fmix32 } from '../values/mix.js';
import type { SeenSet } from './seen-set.js';

/** Grow when the load would pass this. */
const MAX_LOAD = 0.82;
/** Home slots after growing: ×1.2, so the load drops to 0.68. */
const GROWTH = 1.2;
/** Home slots of a fresh table. */
const MIN_HOMES = 1024;
/** Spare slots after the last home slot for the last cluster to spill into. */
const TAIL = 64;
/** Old slots moved to the new table per insertion while growing. */
const MIGRATE_PER_INSERT = 64;
const MAX_SIZE = 2 ** 31 - 2;
/** The largest high half; home slots count down from it. */
const TOP = 0xffffffff;

/** A CompactFingerprintSet's contents, as structured-cloneable data. */
export interface CompactSetSnapshot {
  readonly keys: Uint32Array;
  readonly homes: number;
  readonly count: number;
  readonly hasZero: boolean;
}

export class CompactFingerprintSet implements SeenSet {
  /** The table keys are inserted into: two words a slot, the mixed key's halves; 0, 0 when free. */
  private keys: Uint32Array;
  /** Number of home slots (the table has homes + TAIL slots). */
  private homes: number;
  /** Home slot of key k: floor((TOP - k.hi) · scale), with scale = homes / 2^32. */
  private scale: number;
  private threshold: number;
  private count = 0;
  /** Whether the fingerprint that mixes to the all-zero key (the empty marker) is present. */
  private hasZero = false;

  // While growing: the old table, what is left of it, and where moved keys go next.
  private old: Uint32Array | null = null;
  private oldScale = 0;
  /** Word index in `old` of its largest remaining key (`boundary`); slots before it are moved. */
  private from = 0;
  private boundaryHi = 0;
  private boundaryLo = 0;
  /** Word index in `keys` after the last key there (moved or inserted): moved keys go at or after it. */
  private end = 0;

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

  /** Bytes held by the table, and by the old one while a growth is in progress. */
  bytesUsed(): number {
    return this.keys.byteLength + (this.old === null ? 0 : this.old.byteLength);
  }

  has(hi: number, lo: number): boolean {
    const h = mixHi(hi >>> 0, lo >>> 0);
    const l = (lo ^ h) >>> 0;
    if (h === 0 && l === 0) return this.hasZero;
    let keys = this.keys;
    let i = (((TOP - h) * this.scale) | 0) << 1;
    if (this.old !== null && !(h > this.boundaryHi || (h === this.boundaryHi && l > this.boundaryLo))) {
      keys = this.old;
      i = Math.max((((TOP - h) * this.oldScale) | 0) << 1, this.from);
    }
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

  /** Reads the first word of fingerprint hi, lo's home and returns it, changing nothing: a prefetch, as FlatFingerprintSet.warm. */
  warm(hi: number, lo: number): number {
    const h = mixHi(hi >>> 0, lo >>> 0);
    return this.keys[(((TOP - h) * this.scale) | 0) << 1]!;
  }

  add(hi: number, lo: number): number {
    const h = mixHi(hi >>> 0, lo >>> 0);
    const l = (lo ^ h) >>> 0;
    if (h === 0 && l === 0) {
      if (this.hasZero) return -1;
      this.hasZero = true;
      return this.count++;
    }
    if (this.count >= this.threshold) this.startGrowing();
    for (;;) {
      let keys = this.keys;
      let i = (((TOP - h) * this.scale) | 0) << 1;
      const inOld = this.old !== null && !(h > this.boundaryHi || (h === this.boundaryHi && l > this.boundaryLo));
      if (inOld) {
        keys = this.old!;
        i = Math.max((((TOP - h) * this.oldScale) | 0) << 1, this.from);
      }
      // Find the first key not above (h, l).
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
      const j = insertAt(keys, i, h, l);
      if (j < 0) {
        // The cluster reached the table's end (whose last slot stays empty, so scans stop):
        // make room and look again.
        if (this.old !== null) this.finishGrowing();
        else this.rebuild(Math.ceil(this.homes * GROWTH));
        continue;
      }
      if (this.old !== null) {
        if (!inOld && j >= this.end) this.end = j + 2;
        this.migrate(MIGRATE_PER_INSERT);
      }
      if (this.count >= MAX_SIZE) throw new RangeError(`fingerprint set: more than ${MAX_SIZE} states`);
      return this.count++;
    }
  }

  /**
   * The table's contents, to move the set to another thread (the keys' buffer can be
   * transferred); a growth in progress is finished first. The set must not be used afterwards.
   */
  snapshot(): CompactSetSnapshot {
    this.finishGrowing();
    return { keys: this.keys, homes: this.homes, count: this.count, hasZero: this.hasZero };
  }

  /** A set with the contents of a snapshot taken (maybe on another thread) by `snapshot`. */
  static fromSnapshot(s: CompactSetSnapshot): CompactFingerprintSet {
    const set = new CompactFingerprintSet();
    set.keys = s.keys;
    set.setHomes(s.homes);
    set.count = s.count;
    set.hasZero = s.hasZero;
    return set;
  }

  /**
   * Every stored key (mixedKey of the fingerprints), ascending as 64-bit numbers high half
   * first, two words a key, low half first (so a BigUint64Array view of the words reads the
   * keys): the reverse of the table's order, so no sort. A growth in progress is finished.
   */
  sortedKeys(): Uint32Array {
    this.finishGrowing();
    const out = new Uint32Array(2 * this.count);
    let o = 0;
    if (this.hasZero) o = 2; // the zero key, the smallest, stays 0, 0
    const keys = this.keys;
    for (let i = keys.length - 2; i >= 0; i -= 2) {
      const h = keys[i]!;
      const l = keys[i + 1]!;
      if (h === 0 && l === 0) continue;
      out[o++] = l;
      out[o++] = h;
    }
    return out;
  }

  /**
   * Checks the table's order (for tests): every key at or after its home slot, all keys in
   * descending order (those moved to the new table above those left in the old one while
   * growing), the last slot of each table empty, and as many keys as `size` says. Returns
   * what is wrong, or null.
   */
  selfCheck(): string | null {
    let stored = this.hasZero ? 1 : 0;
    let prevH = Infinity;
    let prevL = Infinity;
    const parts: [Uint32Array, number, number, string][] = [[this.keys, this.scale, 0, 'table']];
    if (this.old !== null) parts.push([this.old, this.oldScale, this.from, 'old table']);
    for (const [keys, scale, start, name] of parts) {
      for (let i = start; i < keys.length; i += 2) {
        const h = keys[i]!;
        const l = keys[i + 1]!;
        if (h === 0 && l === 0) continue;
        stored++;
        if ((((TOP - h) * scale) | 0) << 1 > i) return `${name}: key at slot ${i / 2} is before its home slot`;
        if (h > prevH || (h === prevH && l >= prevL)) return `${name}: key at slot ${i / 2} is out of order`;
        if (name === 'table' && this.old !== null && i >= this.end) return `table: key at slot ${i / 2} is after the end of the moved keys`;
        prevH = h;
        prevL = l;
      }
      if (keys[keys.length - 2] !== 0 || keys[keys.length - 1] !== 0) return `${name}: the last slot is not empty`;
    }
    if (this.old !== null && (this.old[this.from] !== this.boundaryHi || this.old[this.from + 1] !== this.boundaryLo)) {
      return 'old table: the boundary is not its first remaining key';
    }
    return stored === this.count ? null : `${stored} keys stored, size says ${this.count}`;
  }

  /** Starts moving the keys to a table with GROWTH times the home slots (finishing a growth still in progress). */
  private startGrowing(): void {
    this.finishGrowing();
    const homes = Math.ceil(this.homes * GROWTH);
    this.old = this.keys;
    this.oldScale = this.scale;
    this.from = 0;
    this.end = 0;
    this.keys = new Uint32Array((homes + TAIL) * 2);
    this.setHomes(homes);
    this.migrate(0);
  }

  /**
   * Moves up to `slots` slots of the old table to the new one, then finds the next boundary;
   * when nothing is left, drops the old table.
   */
  private migrate(slots: number): void {
    const old = this.old!;
    const keys = this.keys;
    const scale = this.scale;
    const last = keys.length - 2; // stays empty
    let i = this.from;
    let end = this.end;
    for (const stop = Math.min(old.length, i + 2 * slots); i < stop; i += 2) {
      const h = old[i]!;
      const l = old[i + 1]!;
      if (h === 0 && l === 0) continue;
      const home = (((TOP - h) * scale) | 0) << 1;
      const at = home > end ? home : end;
      if (at >= last) {
        // The new table is too small for what is left: rebuild from both, bigger.
        this.from = i;
        this.rebuild(Math.ceil(this.homes * GROWTH));
        return;
      }
      keys[at] = h;
      keys[at + 1] = l;
      end = at + 2;
    }
    while (i < old.length && old[i] === 0 && old[i + 1] === 0) i += 2;
    this.end = end;
    this.from = i;
    if (i >= old.length) {
      this.old = null;
      return;
    }
    this.boundaryHi = old[i]!;
    this.boundaryLo = old[i + 1]!;
  }

  /** Finishes a growth in progress, dropping the old table (the explorers call it when a search ends). */
  finishGrowing(): void {
    while (this.old !== null) this.migrate(1 << 20);
  }

  /**
   * Builds a table of `homes` home slots from every key (the table's, then what is left of
   * the old one: together, all keys in descending order) in one merge pass; tries bigger if
   * the last cluster would overrun its end. Used only when a table overflows.
   */
  private rebuild(homes: number): void {
    const sources: [Uint32Array, number][] = [[this.keys, 0]];
    if (this.old !== null) sources.push([this.old, this.from]);
    for (;;) {
      const keys = new Uint32Array((homes + TAIL) * 2);
      const scale = homes / 4294967296;
      const last = keys.length - 2;
      let end = 0;
      let ok = true;
      copy: for (const [src, start] of sources) {
        for (let i = start; i < src.length; i += 2) {
          const h = src[i]!;
          const l = src[i + 1]!;
          if (h === 0 && l === 0) continue;
          const home = (((TOP - h) * scale) | 0) << 1;
          const at = home > end ? home : end;
          if (at >= last) {
            ok = false;
            break copy;
          }
          keys[at] = h;
          keys[at + 1] = l;
          end = at + 2;
        }
      }
      if (ok) {
        this.keys = keys;
        this.old = null;
        this.setHomes(homes);
        return;
      }
      homes = Math.ceil(homes * GROWTH);
    }
  }

  private setHomes(homes: number): void {
    this.homes = homes;
    this.scale = homes / 4294967296;
    this.threshold = Math.floor(homes * MAX_LOAD);
  }
}

/**
 * Puts the key at word i of the table, shifting the rest of its cluster one slot right into
 * the first empty slot after it (a loop: clusters are short, and a copyWithin call costs more
 * than it moves). Returns the word index of the slot that was empty, or -1, changing nothing,
 * if that is the table's last slot (which stays empty so that scans stop there).
 */
function insertAt(keys: Uint32Array, i: number, h: number, l: number): number {
  let j = i;
  while (keys[j] !== 0 || keys[j + 1] !== 0) j += 2;
  if (j + 2 >= keys.length) return -1;
  const empty = j;
  for (; j > i; j -= 2) {
    keys[j] = keys[j - 2]!;
    keys[j + 1] = keys[j - 1]!;
  }
  keys[i] = h;
  keys[i + 1] = l;
  return empty;
}

/**
 * The high half of the bijective mix of (hi, lo): murmur3's finalizer (itself a bijection of
 * 32-bit words) applied to hi xor a hash of lo. With the low half stored as lo xor this, the
 * pair can be inverted (lo = stored low xor stored high; hi from inverting the finalizer), so
 * distinct fingerprints give distinct keys; and the high half, which picks the home slot,
 * depends on every bit of both halves.
 */
export function mixHi(hi: number, lo: number): number {
  return fmix32((hi ^ fmix32(lo ^ 0x5bd1e995)) >>> 0);
}

/**
 * The key a fingerprint is stored under (the bijective mix above), for sets kept elsewhere in
 * the same order (the disk-backed search's sorted runs, src/explore/disk/): out[0] the high
 * half, out[1] the low half.
 */
export function mixedKey(hi: number, lo: number, out: Uint32Array): void {
  const h = mixHi(hi >>> 0, lo >>> 0);
  out[0] = h;
  out[1] = (lo ^ h) >>> 0;
}

/** The inverse of mixedKey: the fingerprint stored under key (h, l), into out[0] (high), out[1] (low). */
export function unmixedKey(h: number, l: number, out: Uint32Array): void {
  const lo = (l ^ h) >>> 0;
  out[0] = (fmix32Inverse(h) ^ fmix32(lo ^ 0x5bd1e995)) >>> 0;
  out[1] = lo;
}

/** The multiplicative inverse of an odd 32-bit word (Newton's iteration, exact after five steps). */
function inverse32(c: number): number {
  let x = c;
  for (let i = 0; i < 5; i++) x = Math.imul(x, 2 - Math.imul(c, x));
  return x;
}
const INV_C1 = inverse32(0x85ebca6b);
const INV_C2 = inverse32(0xc2b2ae35);

/** The inverse of murmur3's finalizer fmix32. */
function fmix32Inverse(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, INV_C2);
  h ^= (h >>> 13) ^ (h >>> 26);
  h = Math.imul(h, INV_C1);
  h ^= h >>> 16;
  return h >>> 0;
}
