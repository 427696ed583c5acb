/**
 * murmur3's 32-bit finalizer (fmix32): a bijection of 32-bit words that spreads every input
 * bit over the whole output. Returned unsigned.
 */
export function fmix32(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}
