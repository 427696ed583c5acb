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
 */
export function freshWords(length: number): Uint32Array {
  return mapped(new Uint32Array(length));
}

/** As freshWords, for an Int32Array. */
export function freshInts(length: number): Int32Array {
  return mapped(new Int32Array(length));
}

/** The array, one word of each 4 KiB of it written, in address order. */
function mapped<A extends Uint32Array | Int32Array>(a: A): A {
  for (let i = 0; i < a.length; i += 1024) a[i] = 0;
  return a;
}
