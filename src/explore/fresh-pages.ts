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

/**
 * `length` zeroed words on a growable SharedArrayBuffer that can grow to `maxBytes`, in a
 * fixed-length view (as fast as a plain Uint32Array's; a length-tracking one is not), its
 * pages mapped in address order. V8 reserves the address space of the most a buffer can grow
 * to when it makes it: in a process whose address space is limited (`ulimit -v`) that can
 * fail, and the words are then a plain array.
 */
export function growableWords(length: number, maxBytes: number): Uint32Array {
  let buffer: SharedArrayBuffer;
  try {
    buffer = growableBuffer(4 * length, maxBytes);
  } catch (e) {
    if (!(e instanceof RangeError)) throw e;
    return freshWords(length);
  }
  return mapped(new Uint32Array(buffer, 0, length));
}

/**
 * The words of `words` and zeroed ones after them, `length` in all, in the same memory: its
 * buffer grown in place (only the added pages are fresh, and they are mapped in address
 * order). Undefined when `words` is not the whole of a growable buffer that can hold `length`.
 */
export function grownWords(words: Uint32Array, length: number): Uint32Array | undefined {
  const buffer = words.buffer as GrowableBuffer;
  if (!(buffer instanceof SharedArrayBuffer) || buffer.growable !== true || words.byteOffset !== 0 || words.length * 4 !== buffer.byteLength || 4 * length > buffer.maxByteLength) return undefined;
  buffer.grow(4 * length);
  return mapped(new Uint32Array(buffer, 0, length), words.length);
}
