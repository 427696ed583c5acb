/**
 * Level memory kept between the searches of one thread, for the flat-level search
 * (vector-run.ts).
 */
import { memoryBudget } from './guard.js';
import { levelArrayType, type LevelArray, type VectorNumbers } from './system.js';

/**
 * The memory of the level chunks the last run on this thread ended with, for the next run to
 * fill again (a command runs its checks one after another on one thread). Memory touched for
 * the first time costs far more than memory written again: on a virtual machine, a level of
 * 534 MB took 1.75 s to fill fresh and a seventh of that refilled, and a spec of eight checks
 * filled such a level eight times. At most POOL_MAX_BYTES, and at most POOL_BUDGET_SHARE of
 * --max-memory, which counts the pool as used. A search that does not run on flat levels here
 * lets it go (releaseLevelPool), and so does a run whose chunks it does not fit.
 */
const pool: ArrayBuffer[] = [];
const POOL_MAX_BYTES = 2 ** 30;
const POOL_BUDGET_SHARE = 0.25;
/** Chunks taken from the pool since the thread started: for tests. */
let taken = 0;

/** Lets the pooled level memory go: for searches that do not run on flat levels on this thread. */
export function releaseLevelPool(): void {
  pool.length = 0;
}

/** The number of chunks taken from the pool so far on this thread (for tests). */
export function pooledChunksTaken(): number {
  return taken;
}

/**
 * Pools the memory of a finished run's full chunks (`full` numbers each; see pool), in place
 * of what the pool held; a run with no full chunk (a level that never grew to one) leaves the
 * pool as it was.
 */
export function retire(chunks: readonly LevelArray[], full: number): void {
  const cap = Math.min(POOL_MAX_BYTES, POOL_BUDGET_SHARE * memoryBudget());
  const kept = new Set<ArrayBuffer>();
  let bytes = 0;
  for (const chunk of chunks) {
    const buffer = chunk.buffer as ArrayBuffer;
    if (chunk.length !== full || kept.has(buffer) || bytes + buffer.byteLength > cap) continue;
    kept.add(buffer);
    bytes += buffer.byteLength;
  }
  if (kept.size === 0) return;
  pool.length = 0;
  pool.push(...kept);
}

/**
 * An array of n numbers of the given kind on pooled memory (whatever a run before left in it),
 * or null: a pooled buffer that holds it and is at most twice its size. A request of less than
 * half the smallest buffer (a level's first chunk, growing) gets null; one that no buffer fits
 * otherwise lets the pool go (it was another shape of run's).
 */
function pooled(kind: VectorNumbers | 'f64' | undefined, n: number): LevelArray | null {
  if (pool.length === 0) return null;
  const Typed = levelArrayType(kind);
  const bytes = n * Typed.BYTES_PER_ELEMENT;
  if (2 * bytes < Math.min(...pool.map((b) => b.byteLength))) return null;
  for (let i = pool.length - 1; i >= 0; i--) {
    const buffer = pool[i]!;
    if (buffer.byteLength < bytes || buffer.byteLength > 2 * bytes) continue;
    pool.splice(i, 1);
    taken++;
    return new Typed(buffer, 0, n);
  }
  pool.length = 0;
  return null;
}

/** An array of n numbers of the given kind (levelArrayType): on pooled memory if it fits (pooled), else new. */
export function levelArrayOf(kind: VectorNumbers | 'f64' | undefined, n: number): LevelArray {
  return pooled(kind, n) ?? new (levelArrayType(kind))(n);
}
