#!/usr/bin/env node
// A hand-written breadth-first search of the counter-grid model (spec/bench/counter-grid.spex),
// as fast as plain JavaScript reasonably gets: the practical ceiling spex is measured against.
//
//   node bench/handwritten/counter-grid.mjs N K [--json]
//
// Model: N processes, one lock. Acquire(i): the lock is free and i takes it. Release(i): i
// holds the lock, increments its counter mod K and frees the lock. It counts as TLC and spex
// do: distinct = states stored (initial included), generated = every state produced (the
// initial one and every successor, duplicates included), depth = BFS levels (initial = 1).
//
// Representation: a state is one integer in mixed radix,
//     s = lock + (N + 1) * (c_1 + K * c_2 + K^2 * c_3 + ...)
// with lock 0 = free, i = held by process i. The seen set is open addressing with linear
// probing over a Uint32Array of exact keys (no fingerprints: the key is the state), with a
// parallel Int32Array mapping each key to its dense state index; load ≤ 1/2, doubling. The
// BFS is level-synchronous over typed arrays (one for the level being expanded, one for the
// next). Like spex it keeps, per state, the index of its parent (enough to rebuild a shortest
// trace), checks the spec's invariant on every new state and checks every expanded state for
// deadlock, so both do the same work; what differs is how states are represented and how
// successors are computed.

const args = process.argv.slice(2);
const json = args.includes('--json');
const [N, K] = args.filter((a) => !a.startsWith('--')).map(Number);
if (!(Number.isInteger(N) && N >= 1 && Number.isInteger(K) && K >= 1)) {
  console.error('usage: node bench/handwritten/counter-grid.mjs N K [--json]');
  process.exit(1);
}
const EMPTY = 0xffffffff;
if ((N + 1) * K ** N >= EMPTY) {
  console.error(`N=${N}, K=${K}: the packed state does not fit in 32 bits`);
  process.exit(1);
}

// place[i] = (N + 1) * K^(i - 1): the weight of process i's counter, for i = 1..N.
const place = new Float64Array(N + 1);
for (let i = 1; i <= N; i++) place[i] = (N + 1) * K ** (i - 1);
const STRIDE = N + 1;

// ---- the seen set: exact 32-bit keys → dense indices

let capacity = 1024;
let mask = capacity - 1;
let keys = new Uint32Array(capacity).fill(EMPTY);
let vals = new Int32Array(capacity);
let shift = 32 - 10; // 32 - log2(capacity)
let size = 0;

function hash(key) {
  // Fibonacci hashing; the high bits are the well-mixed ones, hence the shift.
  return Math.imul(key, 0x9e3779b1) >>> 0;
}

function grow() {
  const oldKeys = keys;
  const oldVals = vals;
  capacity *= 2;
  mask = capacity - 1;
  keys = new Uint32Array(capacity).fill(EMPTY);
  vals = new Int32Array(capacity);
  shift--;
  for (let j = 0; j < oldKeys.length; j++) {
    const k = oldKeys[j];
    if (k === EMPTY) continue;
    let h = hash(k) >>> shift;
    while (keys[h] !== EMPTY) h = (h + 1) & mask;
    keys[h] = k;
    vals[h] = oldVals[j];
  }
}

// ---- per-state arrays and the two levels

let parents = new Int32Array(1024);
let cur = new Uint32Array(1024);
let curIds = new Int32Array(1024);
let next = new Uint32Array(1024);
let nextIds = new Int32Array(1024);
let nextLen = 0;

let generated = 0;
let depth = 0;
let level = 1;
let problem = null;

/** Counts one generated state; stores it, checks the invariant and queues it if new. */
function add(s, parent) {
  generated++;
  let h = hash(s) >>> shift;
  for (;;) {
    const k = keys[h];
    if (k === s) return; // seen before
    if (k === EMPTY) break;
    h = (h + 1) & mask;
  }
  const id = size++;
  keys[h] = s;
  vals[h] = id;
  if (size * 2 > capacity) grow();
  if (id >= parents.length) {
    const p = new Int32Array(parents.length * 2);
    p.set(parents);
    parents = p;
  }
  parents[id] = parent;
  if (level > depth) depth = level;
  // Invariant CounterInRange: every counter in 0..K-1.
  let rest = Math.floor(s / STRIDE);
  for (let i = 1; i <= N; i++) {
    const c = rest % K;
    if (c < 0 || c >= K) problem ??= { kind: 'invariant', state: id };
    rest = (rest - c) / K;
  }
  if (nextLen === next.length) {
    const a = new Uint32Array(next.length * 2);
    a.set(next);
    next = a;
    const b = new Int32Array(nextIds.length * 2);
    b.set(nextIds);
    nextIds = b;
  }
  next[nextLen] = s;
  nextIds[nextLen] = id;
  nextLen++;
}

const t0 = performance.now();
add(0, -1); // every counter 0, lock free
while (nextLen > 0 && problem === null) {
  [cur, next] = [next, cur];
  [curIds, nextIds] = [nextIds, curIds];
  const len = nextLen;
  nextLen = 0;
  level++;
  for (let j = 0; j < len; j++) {
    const s = cur[j];
    const id = curIds[j];
    const lock = s % STRIDE;
    let emitted = 0;
    if (lock === 0) {
      // Acquire(i) for every i: the lock is free.
      for (let i = 1; i <= N; i++) {
        add(s + i, id);
        emitted++;
      }
    } else {
      // Release(lock): increment the holder's counter mod K, free the lock.
      const w = place[lock];
      const c = Math.floor(s / w) % K;
      add(c === K - 1 ? s - lock - c * w : s - lock + w, id);
      emitted++;
    }
    if (emitted === 0) problem ??= { kind: 'deadlock', state: id };
  }
}
const seconds = (performance.now() - t0) / 1000;

const bytes = keys.byteLength + vals.byteLength + parents.byteLength + cur.byteLength + curIds.byteLength + next.byteLength + nextIds.byteLength;
const result = {
  model: 'counter-grid',
  N,
  K,
  outcome: problem === null ? 'ok' : problem.kind,
  distinct: size,
  generated,
  depth,
  seconds,
  bytesPerState: bytes / size,
  maxRssKiB: process.resourceUsage().maxRSS,
};
if (json) {
  console.log(JSON.stringify({ type: 'result', ...result }));
} else {
  console.log(
    `${result.outcome}: ${size} distinct states, ${generated} generated, depth ${depth}, ${seconds.toFixed(2)} s` +
      ` (${Math.round(size / seconds)} distinct/s)`,
  );
}
process.exitCode = problem === null ? 0 : 1;
