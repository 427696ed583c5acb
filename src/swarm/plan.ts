/**
 * Which search a swarm job runs (docs/scale.md): job i of n, with a seed, gets one of a mix
 * of diversified searches, chosen deterministically from (i, n, seed) and the user's
 * overrides. Pure: the job runner (src/swarm/job.ts) carries the plan out.
 *
 * The mix, i = 1 .. n:
 *   - job 1: `exhaustive`, the plain breadth-first search `spex check` runs (the only job
 *     that can prove a check, when it completes);
 *   - jobs 2, 3, 4, 5, 6, ...: in turn `bitstate`, `simulate`, `depth`, `bfs`, then again
 *     from `bitstate`, each round r = floor((i - 2) / 4) with other parameters:
 *       bitstate  a breadth-first search over a bit array (--bitstate, default 2^28 bits) with
 *                 3 + (r mod 3) hash functions, successor order permuted;
 *       simulate  random walks (spex simulate) of depth 100·2^r, with the job's seed;
 *       depth     a breadth-first search bounded at depth 2^(4+r) (or --max-depth), order
 *                 permuted, with an exact seen set;
 *       bfs       an exact breadth-first search, order permuted.
 * `--swarm-mode` gives every job the same kind (still diversified by its own seed).
 */

export type SwarmMode = 'exhaustive' | 'bfs' | 'bitstate' | 'depth' | 'simulate';
export const SWARM_MODES: readonly SwarmMode[] = ['exhaustive', 'bfs', 'bitstate', 'depth', 'simulate'];

/** The order of the mix after job 1. */
const CYCLE: readonly SwarmMode[] = ['bitstate', 'simulate', 'depth', 'bfs'];

export interface SwarmSlice {
  /** 1-based. */
  readonly index: number;
  readonly of: number;
}

export interface SwarmOverrides {
  readonly seed?: number;
  readonly mode?: SwarmMode;
  /** log2 of the bit array's size. */
  readonly bitstateLog2?: number;
  readonly hashes?: number;
  readonly maxDepth?: number;
}

export interface JobPlan {
  readonly slice: SwarmSlice;
  readonly seed: number;
  readonly mode: SwarmMode;
  /** The seed of the successor order (undefined: the spec's own order) or of the walks. */
  readonly orderSeed?: number;
  readonly bitstate?: { readonly log2: number; readonly hashes: number };
  /** The depth bound of a `depth` job (the user's --max-depth bounds the others too). */
  readonly maxDepth?: number;
  /** A `simulate` job's walks: their depth and seed. */
  readonly walkDepth?: number;
}

/** Parses `i/n`; undefined unless 1 ≤ i ≤ n. */
export function parseSlice(text: string): SwarmSlice | undefined {
  const m = /^\s*(\d{1,9})\s*\/\s*(\d{1,9})\s*$/.exec(text);
  if (!m) return undefined;
  const index = Number(m[1]);
  const of = Number(m[2]);
  return index >= 1 && index <= of ? { index, of } : undefined;
}

/** A job's own 32-bit seed from the swarm's seed and the job's index (splitmix32-style). */
export function jobSeed(seed: number, index: number): number {
  let h = (Math.imul(seed >>> 0, 0x9e3779b9) ^ Math.floor(seed / 2 ** 32) ^ Math.imul(index, 0x85ebca6b)) >>> 0;
  h ^= h >>> 16;
  h = Math.imul(h, 0x7feb352d);
  h ^= h >>> 15;
  h = Math.imul(h, 0x846ca68b);
  h ^= h >>> 16;
  return h >>> 0;
}

export const DEFAULT_WALK_DEPTH = 100;

/** The search job `slice` runs. */
export function planJob(slice: SwarmSlice, o: SwarmOverrides, defaultLog2: number, defaultHashes: number): JobPlan {
  const seed = o.seed ?? 0;
  const own = jobSeed(seed, slice.index);
  const round = slice.index >= 2 ? Math.floor((slice.index - 2) / CYCLE.length) : 0;
  const mode: SwarmMode = o.mode ?? (slice.index === 1 ? 'exhaustive' : CYCLE[(slice.index - 2) % CYCLE.length]!);
  const base = { slice, seed, mode };
  switch (mode) {
    case 'exhaustive':
      return base;
    case 'bfs':
      return { ...base, orderSeed: own };
    case 'bitstate':
      return { ...base, orderSeed: own, bitstate: { log2: o.bitstateLog2 ?? defaultLog2, hashes: o.hashes ?? defaultHashes + (round % 3) } };
    case 'depth':
      return { ...base, orderSeed: own, maxDepth: o.maxDepth ?? 2 ** (4 + Math.min(round, 16)) };
    case 'simulate':
      return { ...base, orderSeed: own, walkDepth: o.maxDepth ?? DEFAULT_WALK_DEPTH * 2 ** Math.min(round, 10) };
  }
}

/** One line on what a job runs, for its report. */
export function describePlan(p: JobPlan): string {
  const order = p.orderSeed === undefined ? "the spec's successor order" : `successor order permuted (seed ${p.orderSeed})`;
  switch (p.mode) {
    case 'exhaustive':
      return `exhaustive breadth-first search, ${order}`;
    case 'bfs':
      return `exhaustive breadth-first search, ${order}`;
    case 'bitstate':
      return `bitstate breadth-first search over 2^${p.bitstate!.log2} bits with ${p.bitstate!.hashes} hash functions, ${order}`;
    case 'depth':
      return `breadth-first search to depth ${p.maxDepth!}, ${order}`;
    case 'simulate':
      return `random walks of up to ${p.walkDepth!} steps (seed ${p.orderSeed!})`;
  }
}
