/**
 * A shard of the vector explorer's seen set when the state graph is recorded (temporal
 * properties): fingerprint → state index, where the plain shard (FlatFingerprintSet) keeps
 * only the fingerprints. An edge to a state seen before needs that state's index, and the
 * shard's owner is the only thread that can look it up.
 *
 * Open addressing with linear probing over two typed arrays (keys: two words a slot, the
 * fingerprint's halves, 0, 0 free; values: an Int32 a slot), doubled past half full. The
 * fingerprint 0, 0 is kept aside. Fingerprints are hashes already: the slot is the low word
 * mixed with the high one. A snapshot is the arrays themselves, transferred between threads.
 *
 * Values are state indices, or, for a state found new in the level being expanded, its level
 * emission number complemented (negative) until the numbering phase has given it its index
 * and the owner `set`s it.
 */
import { freshInts, freshWords } from '../fresh-pages.js';

export interface IndexMapSnapshot {
  readonly kind: 'index';
  readonly keys: Uint32Array;
  readonly vals: Int32Array;
  readonly count: number;
  readonly zero: number | null;
}

const MIN_SLOTS = 1 << 12;

export class IndexMap {
  private keys: Uint32Array;
  private vals: Int32Array;
  private mask: number;
  private count = 0;
  /** The value of fingerprint 0, 0, or null. */
  private zero: number | null = null;
  /** After a lookupOrInsert that found the fingerprint: its value. */
  found = 0;

  constructor(slots = MIN_SLOTS) {
    this.keys = new Uint32Array(2 * slots);
    this.vals = new Int32Array(slots);
    this.mask = slots - 1;
  }

  static fromSnapshot(s: IndexMapSnapshot): IndexMap {
    const m = new IndexMap(1);
    m.keys = s.keys;
    m.vals = s.vals;
    m.mask = s.vals.length - 1;
    m.count = s.count;
    m.zero = s.zero;
    return m;
  }

  snapshot(): IndexMapSnapshot {
    return { kind: 'index', keys: this.keys, vals: this.vals, count: this.count, zero: this.zero };
  }

  get size(): number {
    return this.count + (this.zero === null ? 0 : 1);
  }

  private slotOf(hi: number, lo: number): number {
    return (Math.imul(hi ^ (lo >>> 15), 0x9e3779b1) ^ lo) & this.mask;
  }

  /** Inserts the fingerprint with value v and returns true; or, if present, sets `found` to its value and returns false. */
  lookupOrInsert(hi: number, lo: number, v: number): boolean {
    hi >>>= 0;
    lo >>>= 0;
    if (hi === 0 && lo === 0) {
      if (this.zero !== null) {
        this.found = this.zero;
        return false;
      }
      this.zero = v;
      return true;
    }
    const keys = this.keys;
    const mask = this.mask;
    let s = this.slotOf(hi, lo);
    for (;;) {
      const kh = keys[2 * s]!;
      const kl = keys[2 * s + 1]!;
      if (kh === 0 && kl === 0) break;
      if (kh === hi && kl === lo) {
        this.found = this.vals[s]!;
        return false;
      }
      s = (s + 1) & mask;
    }
    keys[2 * s] = hi;
    keys[2 * s + 1] = lo;
    this.vals[s] = v;
    if (++this.count * 2 > this.vals.length) this.grow();
    return true;
  }

  /** Reads fingerprint hi, lo's home slot and returns its word, changing nothing: a prefetch, as FlatFingerprintSet.warm. */
  warm(hi: number, lo: number): number {
    return this.keys[2 * this.slotOf(hi >>> 0, lo >>> 0)]!;
  }

  /** The value of a fingerprint, or undefined. */
  get(hi: number, lo: number): number | undefined {
    hi >>>= 0;
    lo >>>= 0;
    if (hi === 0 && lo === 0) return this.zero ?? undefined;
    const keys = this.keys;
    const mask = this.mask;
    let s = this.slotOf(hi, lo);
    for (;;) {
      const kh = keys[2 * s]!;
      const kl = keys[2 * s + 1]!;
      if (kh === 0 && kl === 0) return undefined;
      if (kh === hi && kl === lo) return this.vals[s]!;
      s = (s + 1) & mask;
    }
  }

  has(hi: number, lo: number): boolean {
    return this.get(hi, lo) !== undefined;
  }

  /** Sets the value of a fingerprint that is present. */
  set(hi: number, lo: number, v: number): void {
    hi >>>= 0;
    lo >>>= 0;
    if (hi === 0 && lo === 0) {
      this.zero = v;
      return;
    }
    const keys = this.keys;
    const mask = this.mask;
    let s = this.slotOf(hi, lo);
    for (;;) {
      const kh = keys[2 * s]!;
      const kl = keys[2 * s + 1]!;
      if (kh === 0 && kl === 0) throw new Error('internal error: setting the index of a fingerprint not in its shard');
      if (kh === hi && kl === lo) {
        this.vals[s] = v;
        return;
      }
      s = (s + 1) & mask;
    }
  }

  bytesUsed(): number {
    return this.keys.byteLength + this.vals.byteLength;
  }

  private grow(): void {
    const oldKeys = this.keys;
    const oldVals = this.vals;
    const slots = 2 * oldVals.length;
    this.keys = freshWords(2 * slots);
    this.vals = freshInts(slots);
    this.mask = slots - 1;
    const keys = this.keys;
    const mask = this.mask;
    for (let o = 0; o < oldVals.length; o++) {
      const hi = oldKeys[2 * o]!;
      const lo = oldKeys[2 * o + 1]!;
      if (hi === 0 && lo === 0) continue;
      let s = this.slotOf(hi, lo);
      while (keys[2 * s] !== 0 || keys[2 * s + 1] !== 0) s = (s + 1) & mask;
      keys[2 * s] = hi;
      keys[2 * s + 1] = lo;
      this.vals[s] = oldVals[o]!;
    }
  }
}
