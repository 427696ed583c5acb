/**
 * What the explorers need of a seen set: 64-bit fingerprints, numbered densely in insertion
 * order. Two implementations: CompactFingerprintSet (fingerprints only, the default) and
 * FingerprintSet (which also maps each fingerprint back to its number, for the state graph of
 * temporal properties).
 */
export interface SeenSet {
  /** Fingerprints stored; also the number the next new one gets. */
  readonly size: number;
  /** Adds the fingerprint if absent: returns its number (the size before the call), or -1 if it was present. */
  add(hi: number, lo: number): number;
  has(hi: number, lo: number): boolean;
  /** Bytes held by the table (its capacity, not just the occupied part). */
  bytesUsed(): number;
  /** Completes any work left (an incremental growth), so that bytesUsed is the table's own. */
  finishGrowing?(): void;
  /** The number of a stored fingerprint, or -1; only sets that keep the numbers have it. */
  indexOf?(hi: number, lo: number): number;
}
