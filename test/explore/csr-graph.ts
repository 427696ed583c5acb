/**
 * Hand-built state graphs in the CSR form the temporal checkers read (LivenessGraph), for
 * testing liveness.ts and ltl.ts without the explorer.
 */
import type { LivenessGraph } from '../../src/explore/liveness.js';

/**
 * A graph over states 0 .. n-1 numbered breadth-first from `initial`; edges [from, to, tag]
 * (tag -1: no fairness unit), kept in the order given per state; predicate i holds where
 * preds[i] says.
 */
export function csr(n: number, edges: readonly (readonly [number, number, number])[], initial: readonly number[], preds: readonly (readonly number[])[]): LivenessGraph {
  const offsets = new Int32Array(n + 1);
  const sorted = edges.map((e, i) => [e, i] as const).sort((a, b) => a[0][0] - b[0][0] || a[1] - b[1]);
  for (const [[f]] of sorted) offsets[f + 1]!++;
  for (let s = 0; s < n; s++) offsets[s + 1]! += offsets[s]!;
  const targets = Int32Array.from(sorted.map(([[, t]]) => t));
  const tags = Int32Array.from(sorted.map(([[, , g]]) => g));
  const parents = new Int32Array(n).fill(-2);
  const queue = [...initial];
  for (const s of initial) parents[s] = -1;
  for (let h = 0; h < queue.length; h++) {
    const s = queue[h]!;
    for (let e = offsets[s]!; e < offsets[s + 1]!; e++) {
      const t = targets[e]!;
      if (parents[t] === -2) {
        parents[t] = s;
        queue.push(t);
      }
    }
  }
  const sets = preds.map((p) => new Set(p));
  return { size: n, offsets, targets, tags, parents, holds: (s, i) => sets[i]!.has(s) };
}

