/**
 * The index of the last of `sorted[0 .. count)` (ascending) that is at most `x`, for a
 * `sorted[0]` at most `x`: the line of an offset among the lines' starts
 * (src/lang/diagnostics.ts), the state an edge leaves among the CSR offsets of a graph
 * (src/explore/liveness.ts, ltl.ts). Equal neighbours, as states without edges have, give
 * the last of them.
 */
export function lastAtMost(sorted: ArrayLike<number>, count: number, x: number): number {
  let lo = 0;
  let hi = count - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >>> 1;
    if (sorted[mid]! <= x) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}
