/**
 * Fresh memory for the hash tables' growth, with its pages mapped in address order.
 *
 * A large typed array comes zeroed from the OS, page by page as it is first written. A table's
 * rehash writes it in hash order, so its pages are first written in no order, interleaved
 * with the reads of the old table; measured on the 2-core VM of bench/results.md, that made
 * a FlatFingerprintSet of 4.7M random fingerprints 10–15 % slower alone, and two such sets
 * growing at once on two threads took twice as long each as one alone (the threads' faults
 * serialise), where, with the pages written once in order first (one word per 4 KiB), the two
 * ran as fast as one. The parallel explorers' shards grow at the same time on every thread,
 * so this is what lets their dedupe scale.
 *
 * A page's first write is dear on such a VM (some 10 µs a page, 2.5–3 ns a byte), so a table
 * that doubles had better not take all its memory fresh each time: growableWords puts a table
 * on a growable SharedArrayBuffer, and grownWords doubles it in place, only the added half
 * fresh (FlatFingerprintSet's growth, flat-set.ts).
 */
export function freshWords(length: number): Uint32Array {
  return mapped(new Uint32Array(length));
}

/** As freshWords, for an Int32Array. */
export function freshInts(length: number): Int32Array {
  return mapped(new Int32Array(length));
}

/** The array, one word of each 4 KiB of it from `from` on written, in address order. */
function mapped<A extends Uint32Array | Int32Array>(a: A, from = 0): A {
  for (let i = from; i < a.length; i += 1024) a[i] = 0;
  return a;
}

/** The lib this project compiles against predates growable SharedArrayBuffers (ES2024). */
export type GrowableBuffer = SharedArrayBuffer & { grow(byteLength: number): void; readonly maxByteLength: number; readonly growable: boolean };

/** The most bytes a growable SharedArrayBuffer can hold in Node 20. */
export const MAX_GROWABLE_BYTES = 2 ** 32;

/** A growable SharedArrayBuffer of `bytes`, that can grow to `maxBytes`. */
export function growableBuffer(bytes: number, maxBytes: number): SharedArrayBuffer {
  const make = SharedArrayBuffer as unknown as new (n: number, o: { maxByteLength: number }) => SharedArrayBuffer;
  return new make(bytes, { maxByteLength: maxBytes });
}

/** The typed arrays these helpers make and grow. */
type IntArray = Int32Array | Uint32Array;

/**
 * `length` zeroed ints (`make`: Int32Array or Uint32Array) on a growable SharedArrayBuffer that
 * can grow to `maxBytes` (at most MAX_GROWABLE_BYTES), in a fixed-length view (as fast as a
 * plain typed array; a length-tracking one is not). V8 reserves the address space of the most
 * a buffer can grow to when it makes it: in a process whose address space is limited (`ulimit
 * -v`) that can fail, and the array is then a plain one, as it is past MAX_GROWABLE_BYTES. Its
 * pages are left to be mapped as they are first written (growableWords maps them in order).
 */
export function growableArray<T extends IntArray>(make: new (b: ArrayBufferLike, at: number, n: number) => T, length: number, maxBytes: number): T {
  const bytes = 4 * length;
  if (bytes <= MAX_GROWABLE_BYTES) {
    try {
      return new make(growableBuffer(bytes, Math.min(MAX_GROWABLE_BYTES, Math.max(bytes, maxBytes))), 0, length);
    } catch (e) {
      if (!(e instanceof RangeError)) throw e;
    }
  }
  return new (make as unknown as new (n: number) => T)(length);
}

/** As growableArray, for words, its pages mapped in address order. */
export function growableWords(length: number, maxBytes: number): Uint32Array {
  return mapped(growableArray(Uint32Array, length, maxBytes));
}

/**
 * The elements of `a` and zeroed ones after them, `length` in all, in the same memory: its
 * buffer grown in place (only the added pages are fresh, left to be mapped as they are first
 * written). Undefined when `a` is not the whole of a growable buffer that can hold `length`.
 */
export function grownInPlace<T extends IntArray>(a: T, length: number): T | undefined {
  const buffer = a.buffer as GrowableBuffer;
  if (!(buffer instanceof SharedArrayBuffer) || buffer.growable !== true || a.byteOffset !== 0 || a.length * 4 !== buffer.byteLength || 4 * length > buffer.maxByteLength) return undefined;
  buffer.grow(4 * length);
  return new (a.constructor as new (b: ArrayBufferLike, at: number, n: number) => T)(buffer, 0, length);
}

/** As grownInPlace, for words, the added pages mapped in address order. */
export function grownWords(words: Uint32Array, length: number): Uint32Array | undefined {
  const grown = grownInPlace(words, length);
  return grown === undefined ? undefined : mapped(grown, words.length);
}
