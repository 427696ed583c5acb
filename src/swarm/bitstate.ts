/**
 * Bitstate hashing (Holzmann's supertrace, Spin's -DBITSTATE): a seen set that keeps no
 * fingerprints, only a bit array. A state is stored by setting k bits chosen from its 64-bit
 * fingerprint, and is taken as seen when all k bits are set. A state seen before is therefore
 * always recognised (no false "new"); a new state whose k bits happen to be set already is
 * taken as seen and lost with everything only it leads to. The search is lossy: its counts
 * are lower bounds and "no violation found" is not a proof. The memory is fixed in advance
 * (bits / 8 bytes), whatever the number of states.
 *
 * Used by swarm jobs (docs/scale.md); the explorer takes it through ExploreOptions.seenSet.
 */
import type { SeenSet } from '../explore/seen-set.js';
import { fmix32 } from '../values/mix.js';

/** The smallest and largest bit arrays: 2^10 bits (128 bytes) to 2^34 bits (2 GiB). */
export const MIN_BITSTATE_LOG2 = 10;
export const MAX_BITSTATE_LOG2 = 34;
export const MAX_HASHES = 8;
export const DEFAULT_HASHES = 3;
/** The default size of a swarm job's bit array: 2^28 bits, 32 MiB (Spin's -w28). */
export const DEFAULT_BITSTATE_LOG2 = 28;

export class BitstateSet implements SeenSet {
  private readonly words: Int32Array;
  /** Mask of a word index (the array has 2^(log2 - 5) words). */
  private readonly wordMask: number;
  private readonly k: number;
  private count = 0;
  /** Bits set so far, for the fill ratio. */
  private ones = 0;
  /** The k (word, bit) pairs of the fingerprint last hashed. */
  private readonly at: Int32Array;
  private readonly bit: Int32Array;

  /** `log2`: the array has 2^log2 bits; `hashes`: bits set per state (k). */
  constructor(readonly log2: number, hashes: number = DEFAULT_HASHES) {
    if (!Number.isInteger(log2) || log2 < MIN_BITSTATE_LOG2 || log2 > MAX_BITSTATE_LOG2) throw new RangeError(`bitstate size 2^${log2} is out of range`);
    if (!Number.isInteger(hashes) || hashes < 1 || hashes > MAX_HASHES) throw new RangeError(`${hashes} hash functions is out of range`);
    this.words = new Int32Array(2 ** (log2 - 5));
    this.wordMask = 2 ** (log2 - 5) - 1;
    this.k = hashes;
    this.at = new Int32Array(hashes);
    this.bit = new Int32Array(hashes);
  }

  get size(): number {
    return this.count;
  }

  get hashes(): number {
    return this.k;
  }

  /** The number of bits of the array. */
  get bits(): number {
    return 2 ** this.log2;
  }

  /**
   * The k positions of a fingerprint, by double hashing (Kirsch and Mitzenmacher): position j
   * is a + j·b over two independent 32-bit hashes of the fingerprint for the word, and the same
   * over two others for the bit within it. The word index uses up to 29 bits (2^34 bits).
   */
  private positions(hi: number, lo: number): void {
    const a = fmix32(hi ^ 0x3c6ef372) ^ fmix32(lo + 0x9e3779b9);
    const b = (fmix32(lo ^ 0xa54ff53a) ^ fmix32(hi + 0x510e527f)) | 1;
    const c = fmix32(a ^ 0x1f83d9ab);
    const d = fmix32(b ^ 0x5be0cd19) | 1;
    for (let j = 0; j < this.k; j++) {
      this.at[j] = (a + Math.imul(j, b)) & this.wordMask;
      this.bit[j] = ((c + Math.imul(j, d)) >>> 0) & 31;
    }
  }

  add(hi: number, lo: number): number {
    this.positions(hi, lo);
    let fresh = false;
    for (let j = 0; j < this.k; j++) {
      const w = this.at[j]!;
      const m = 1 << this.bit[j]!;
      const v = this.words[w]!;
      if ((v & m) === 0) {
        this.words[w] = v | m;
        this.ones++;
        fresh = true;
      }
    }
    return fresh ? this.count++ : -1;
  }

  has(hi: number, lo: number): boolean {
    this.positions(hi, lo);
    for (let j = 0; j < this.k; j++) {
      if ((this.words[this.at[j]!]! & (1 << this.bit[j]!)) === 0) return false;
    }
    return true;
  }

  bytesUsed(): number {
    return this.words.byteLength;
  }

  /** The share of the bits that are set. */
  get fill(): number {
    return this.ones / this.bits;
  }

  /**
   * The estimated probability that a new state is taken as seen (lost) at the end of the run:
   * the chance that its k bits are all set already, fill^k (the standard Bloom filter
   * estimate). A state met earlier ran a smaller risk, so this bounds each loss from above.
   */
  get lossProbability(): number {
    return this.fill ** this.k;
  }
}

/**
 * Parses a bitstate size: `2^N` or `2**N`, or a number of bits that is a power of two
 * (optionally with k, m, g for 2^10, 2^20, 2^30). Returns log2 of the size, or undefined.
 */
export function parseBitstateSize(text: string): number | undefined {
  const t = text.trim().toLowerCase();
  const pow = /^2\s*(?:\^|\*\*)\s*(\d{1,3})$/.exec(t);
  let log2: number;
  if (pow) log2 = Number(pow[1]);
  else {
    const m = /^(\d{1,15})([kmg]?)$/.exec(t);
    if (!m) return undefined;
    const n = Number(m[1]) * (m[2] === 'k' ? 2 ** 10 : m[2] === 'm' ? 2 ** 20 : m[2] === 'g' ? 2 ** 30 : 1);
    log2 = Math.log2(n);
    if (!Number.isInteger(log2)) return undefined;
  }
  return log2 >= MIN_BITSTATE_LOG2 && log2 <= MAX_BITSTATE_LOG2 ? log2 : undefined;
}
