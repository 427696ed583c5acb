/** The multiplicative inverse of an odd 32-bit word, by Newton's iteration. */
export function inverse(a: number): number {
  let x = a;
  for (let i = 0; i < 5; i++) x = Math.imul(x, 2 - Math.imul(a, x));
  return x >>> 0;
}

/**
 * Inverse of murmur3's fmix32, written apart from src/ so that the seen sets' tests can build
 * the one fingerprint that mixes to their empty marker.
 */
export function unfmix32(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, inverse(0xc2b2ae35));
  h ^= (h >>> 13) ^ (h >>> 26);
  h = Math.imul(h, inverse(0x85ebca6b));
  h ^= h >>> 16;
  return h >>> 0;
}
