/**
 * A map from non-negative integers below 2^53 to 32-bit integers, over typed arrays: open
 * addressing with linear probing, at most half full, grown by doubling. A JavaScript Map
 * holds at most 2^24 entries (16.7 million), which a search or the product of a state graph
 * with an automaton passes: such a Map stopped spex with an internal error ("Map maximum size
 * exceeded"). Twelve bytes a slot, so 24 to 48 bytes an entry.
 */
import { fmix32 } from '../values/mix.js';

export class IntMap {
  /** The keys, -1 where a slot is empty, and the value of each. */
  private keys: Float64Array;
  private values: Int32Array;
  private count = 0;

  /**
   * @param capacity slots to start with (a power of two)
   * @param growing called with the bytes the next size would take, before growing to it; it
   *   may throw (a memory budget)
   */
  constructor(
    capacity = 16,
    private readonly growing?: (bytes: number) => void,
  ) {
    if (!(Number.isInteger(capacity) && capacity >= 2 && (capacity & (capacity - 1)) === 0)) throw new Error(`internal error: IntMap capacity ${capacity} is not a power of two`);
    this.keys = new Float64Array(capacity).fill(-1);
    this.values = new Int32Array(capacity);
  }

  get size(): number {
    return this.count;
  }

  /** The bytes its arrays take. */
  get bytes(): number {
    return this.keys.length * 12;
  }

  /** The value of key k, or undefined. */
  get(k: number): number | undefined {
    const i = this.find(k);
    return this.keys[i] === k ? this.values[i] : undefined;
  }

  /** Sets the value of key k, a 32-bit integer (anything else is an internal error, not a value cut short). */
  set(k: number, value: number): void {
    if ((value | 0) !== value) throw new Error(`internal error: IntMap value ${value} is not a 32-bit integer`);
    let i = this.find(k);
    if (this.keys[i] !== k) {
      if (2 * (this.count + 1) > this.keys.length) {
        this.grow();
        i = this.find(k);
      }
      this.keys[i] = k;
      this.count++;
    }
    this.values[i] = value;
  }

  /** Every entry, in no particular order. */
  entries(): [number, number][] {
    const out: [number, number][] = [];
    for (let i = 0; i < this.keys.length; i++) if (this.keys[i] !== -1) out.push([this.keys[i]!, this.values[i]!]);
    return out;
  }

  /** The slot of key k, or of the empty slot where it would go. */
  private find(k: number): number {
    const mask = this.keys.length - 1;
    let i = mix(k) & mask;
    for (let x = this.keys[i]!; x !== k && x !== -1; x = this.keys[i]!) i = (i + 1) & mask;
    return i;
  }

  private grow(): void {
    const cap = this.keys.length * 2;
    this.growing?.(cap * 12);
    const { keys, values } = this;
    this.keys = new Float64Array(cap).fill(-1);
    this.values = new Int32Array(cap);
    for (let i = 0; i < keys.length; i++) {
      if (keys[i] === -1) continue;
      const j = this.find(keys[i]!);
      this.keys[j] = keys[i]!;
      this.values[j] = values[i]!;
    }
  }
}

/** A well-mixed 32-bit hash of a non-negative integer below 2^53: its two words through murmur3's finalizer. */
function mix(k: number): number {
  return fmix32((k >>> 0) ^ fmix32((k / 4294967296) >>> 0));
}
