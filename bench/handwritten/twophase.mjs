#!/usr/bin/env node
// A hand-written breadth-first search of TwoPhase (spec/examples/twophase.spex, Lamport's
// Two-Phase Commit from the TLA+ Examples), the same model as spex checks, with the same
// counts (TLC's: 288 distinct / 1146 generated / depth 11 for N = 3).
//
//   node bench/handwritten/twophase.mjs N [--json]        (1 <= N <= 7)
//
// Representation: a state is one 32-bit integer (4N + 4 bits):
//   bits 2r, 2r+1      rmState[r + 1]: 0 working, 1 prepared, 2 committed, 3 aborted
//   bits 2N, 2N+1      tmState: 0 init, 1 committed, 2 aborted
//   bit  2N+2+r        r + 1 in tmPrepared
//   bit  3N+2+r        Prepared(r + 1) in msgs
//   bit  4N+2, 4N+3    Commit in msgs, Abort in msgs
// 0xFFFFFFFF would need tmState = 3 and so never occurs; it marks an empty slot.
//
// The seen set, the per-state parent links, the level arrays and the counting are those of
// counter-grid.mjs (see there). Successors are emitted in spex's order (actions in
// declaration order, parameters ascending); every enabled action instance counts as a
// generated successor, self-loops included (receiving a message again), as TLC counts.

const args = process.argv.slice(2);
const json = args.includes('--json');
const [N] = args.filter((a) => !a.startsWith('--')).map(Number);
if (!(Number.isInteger(N) && N >= 1 && N <= 7)) {
  console.error('usage: node bench/handwritten/twophase.mjs N [--json]   (1 <= N <= 7)');
  process.exit(1);
}
const EMPTY = 0xffffffff;

const WORKING = 0;
const PREPARED = 1;
const COMMITTED = 2;
const ABORTED = 3;
const TM_SHIFT = 2 * N; // tmState: 0 init, 1 committed, 2 aborted
const TMP_SHIFT = 2 * N + 2; // tmPrepared bits
const MSG_SHIFT = 3 * N + 2; // Prepared(rm) bits
const COMMIT_BIT = 2 ** (4 * N + 2); // as numbers: bit 31 does not fit a positive int32
const ABORT_BIT = 2 ** (4 * N + 3);
const ALL_PREPARED = (2 ** N - 1) * 2 ** TMP_SHIFT;

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
  // Invariant TCConsistent: no RM committed while another aborted. (TPTypeOK holds by
  // construction of the encoding.)
  let committed = false;
  let aborted = false;
  for (let r = 0; r < N; r++) {
    const v = (s >>> (2 * r)) & 3;
    if (v === COMMITTED) committed = true;
    else if (v === ABORTED) aborted = true;
  }
  if (committed && aborted) problem ??= { kind: 'invariant', state: id };
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
add(0, -1); // every RM working, TM init, nothing prepared, no message
while (nextLen > 0 && problem === null) {
  [cur, next] = [next, cur];
  [curIds, nextIds] = [nextIds, curIds];
  const len = nextLen;
  nextLen = 0;
  level++;
  for (let j = 0; j < len; j++) {
    const s = cur[j];
    const id = curIds[j];
    let emitted = 0;
    const tm = (s >>> TM_SHIFT) & 3;
    const commitSent = Math.floor(s / COMMIT_BIT) % 2 === 1;
    const abortSent = Math.floor(s / ABORT_BIT) % 2 === 1;
    if (tm === 0) {
      // TMRcvPrepared(rm): Prepared(rm) in msgs; adds rm to tmPrepared (maybe a self-loop).
      for (let r = 0; r < N; r++) {
        if ((s >>> (MSG_SHIFT + r)) & 1) {
          add((s | (1 << (TMP_SHIFT + r))) >>> 0, id);
          emitted++;
        }
      }
      // TMCommit: every RM prepared.
      if ((s & ALL_PREPARED) >>> 0 === ALL_PREPARED) {
        add(s + (1 << TM_SHIFT) + (commitSent ? 0 : COMMIT_BIT), id);
        emitted++;
      }
      // TMAbort.
      add(s + (2 << TM_SHIFT) + (abortSent ? 0 : ABORT_BIT), id);
      emitted++;
    }
    // RMPrepare(rm): working -> prepared, sends Prepared(rm).
    for (let r = 0; r < N; r++) {
      if (((s >>> (2 * r)) & 3) === WORKING) {
        add((s | (PREPARED << (2 * r)) | (1 << (MSG_SHIFT + r))) >>> 0, id);
        emitted++;
      }
    }
    // RMChooseToAbort(rm): working -> aborted.
    for (let r = 0; r < N; r++) {
      if (((s >>> (2 * r)) & 3) === WORKING) {
        add((s | (ABORTED << (2 * r))) >>> 0, id);
        emitted++;
      }
    }
    // RMRcvCommitMsg(rm): Commit in msgs; rm := committed.
    if (commitSent) {
      for (let r = 0; r < N; r++) {
        add(((s & ~(3 << (2 * r))) | (COMMITTED << (2 * r))) >>> 0, id);
        emitted++;
      }
    }
    // RMRcvAbortMsg(rm): Abort in msgs; rm := aborted.
    if (abortSent) {
      for (let r = 0; r < N; r++) {
        add((s | (ABORTED << (2 * r))) >>> 0, id);
        emitted++;
      }
    }
    if (emitted === 0) problem ??= { kind: 'deadlock', state: id };
  }
}
const seconds = (performance.now() - t0) / 1000;

const bytes = keys.byteLength + vals.byteLength + parents.byteLength + cur.byteLength + curIds.byteLength + next.byteLength + nextIds.byteLength;
const result = {
  model: 'twophase',
  N,
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
