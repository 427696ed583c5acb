/**
 * The three phases of a level of the vector explorer (vector-explorer.ts), run by every thread
 * over shared memory: the main thread and the workers execute this same code, so a level gives
 * the same result whichever thread did which part, and whether or not workers were used.
 *
 * States are fixed-width vectors of numbers (VectorSystem.width). A level is stored flat, one
 * Float64Array of `width` numbers a state; the state numbered `first + p` is at position p.
 *
 *   - expand (thread t, over its contiguous range of the level): the successors of each state,
 *     each emission's fingerprint and numbers appended to thread t's emission buffers, its
 *     number appended to t's list for the emission's shard (a step to the state being
 *     expanded, known by the level's fingerprints, is left out: seen), and per state the end
 *     of its emissions (complemented when its successors call threw a ModelError: the
 *     emissions before the throw count, as in the single-threaded explorer).
 *   - dedupe (per shard: a thread owns one FlatFingerprintSet, holding the fingerprints of
 *     one shard, for the whole run): every owner reads its shard's lists in global order
 *     (thread 0's, then thread 1's, ...) and adds their emissions to its set, so the first
 *     emission of a fingerprint in global order is the one found new, exactly as sequential
 *     insertion decides; it lists the new ones, each with its mark: new (1), or new with an
 *     invariant that fails or throws (2), and counts them per shard and thread range. It
 *     reads no other shard's emissions and writes only its own lists (with the graph
 *     recorded: the emissions' marks and references, as below).
 *   - number (thread t, its range again): the marks of its new emissions are set from the
 *     owners' lists (every other emission's is 0); new states take consecutive positions in
 *     the next level from the number of new states in the ranges before its own; it copies
 *     them there with their fingerprints, their parent's position and emission ordinal, and stops at its range's first stop
 *     event in emission order (maxStates reached, a failing invariant, a fault, a deadlock).
 *     The main thread takes the first event of the first range that has one: the single
 *     threaded explorer's stop.
 */
import { CompactFingerprintSet, type CompactSetSnapshot } from '../compact-set.js';
import { LONG_EXPANSION_MASK, checkInterrupt } from '../guard.js';
import { FlatFingerprintSet, type FlatSetSnapshot } from '../flat-set.js';
import { MAX_GROWABLE_BYTES, growableBuffer as growable, type GrowableBuffer } from '../fresh-pages.js';
import { ModelError, directSuccessors, type TransitionSystem } from '../system.js';
import type { RecordGraph } from '../state-graph.js';
import { IndexMap, type IndexMapSnapshot } from './index-map.js';

/**
 * A shard of the seen set: its fingerprints (a FlatFingerprintSet, as the single-threaded
 * vector search's seen set: about twice as fast as a CompactFingerprintSet; the latter is
 * still taken from a snapshot of one), or, when the state graph is recorded, its fingerprints
 * with their states' indices (IndexMap).
 */
export type Shard = FlatFingerprintSet | CompactFingerprintSet | IndexMap;
export type ShardSnapshot = FlatSetSnapshot | CompactSetSnapshot | IndexMapSnapshot;

/**
 * Emissions whose home slots dedupe reads ahead of adding them (FlatFingerprintSet.warm). On
 * counter-grid K=37 with 2 threads, blocks of 8 to 128 were within the noise of each other
 * (dedupe 0.77–0.93 s, against 1.10–1.18 s without).
 */
const WARM_BLOCK = 32;

export function shardFromSnapshot(s: ShardSnapshot): Shard {
  if ('kind' in s && s.kind === 'index') return IndexMap.fromSnapshot(s);
  if ('kind' in s && s.kind === 'flat') return FlatFingerprintSet.fromSnapshot(s);
  return CompactFingerprintSet.fromSnapshot(s as CompactSetSnapshot);
}

/** A shard's snapshot and the buffers to transfer with it. */
export function shardSnapshot(set: Shard): { snap: ShardSnapshot; transfer: ArrayBuffer[] } {
  if (set instanceof IndexMap) {
    const snap = set.snapshot();
    return { snap, transfer: [snap.keys.buffer as ArrayBuffer, snap.vals.buffer as ArrayBuffer] };
  }
  if (set instanceof FlatFingerprintSet) {
    const snap = set.snapshot();
    // A table on a growable shared buffer (flat-set.ts) goes to the other thread shared, not transferred.
    return { snap, transfer: snap.keys.buffer instanceof SharedArrayBuffer ? [] : [snap.keys.buffer as ArrayBuffer] };
  }
  const snap = set.snapshot();
  return { snap, transfer: [snap.keys.buffer as ArrayBuffer] };
}

/** A transition system over fixed-width vectors of numbers (the packed engine's PackedSpec). */
export interface VectorSystem<L> extends TransitionSystem<number[], L> {
  readonly width: number;
}

/** Test hook: SPEX_TEST_SHARED_BUFFER_BYTES=n caps every shared buffer at n bytes. */
const testCap = Number(process.env['SPEX_TEST_SHARED_BUFFER_BYTES'] ?? '');
export const MAX_BYTES = Number.isSafeInteger(testCap) && testCap > 0 && testCap < MAX_GROWABLE_BYTES ? testCap : MAX_GROWABLE_BYTES;

export function growableBuffer(bytes: number): SharedArrayBuffer {
  if (bytes > MAX_BYTES) throw new SharedBufferFull(bytes);
  try {
    return growable(bytes, MAX_BYTES);
  } catch (e) {
    // V8 reserves the address space of MAX_BYTES for each: a process under `ulimit -v` may not have it.
    if (e instanceof RangeError) throw new SharedBufferFull(bytes, true);
    throw e;
  }
}

/**
 * A shared buffer would have to pass MAX_BYTES, the most a growable SharedArrayBuffer can hold
 * in Node 20: the level is too big for this explorer (the explorer stops as for memory, and
 * the check runs again on one thread, whose levels are not shared).
 */
export class SharedBufferFull extends Error {
  /** `unreserved`: the buffer's address space could not be reserved at all. */
  constructor(bytes: number, unreserved = false) {
    super(
      unreserved
        ? `the parallel search could not reserve the address space of a shared buffer (${kib(MAX_BYTES)}): the process's address space is limited (ulimit -v)`
        : `a level of the parallel search would need ${kib(bytes)} in one shared buffer, over the ${kib(MAX_BYTES)} a shared buffer can hold`,
    );
    this.name = 'SharedBufferFull';
  }
}

/** `bytes` in MiB, or in KiB under 1 MiB (rounded up). */
const kib = (bytes: number): string => (bytes >= 2 ** 20 ? `${Math.ceil(bytes / 2 ** 20)} MiB` : `${Math.ceil(bytes / 1024)} KiB`);

/** Grows a buffer to at least `bytes` (by half again at least, to amortise). */
export function ensureBytes(sab: SharedArrayBuffer, bytes: number): void {
  if (bytes <= sab.byteLength) return;
  if (bytes > MAX_BYTES) throw new SharedBufferFull(bytes);
  (sab as GrowableBuffer).grow(Math.min(MAX_BYTES, Math.max(bytes, Math.floor(sab.byteLength * 1.5))));
}

// Fixed-length views: much faster than the length-tracking ones V8 makes for growable buffers.
export const f64 = (b: SharedArrayBuffer): Float64Array<ArrayBufferLike> => new Float64Array(b, 0, b.byteLength >>> 3);
export const i32 = (b: SharedArrayBuffer): Int32Array<ArrayBufferLike> => new Int32Array(b, 0, b.byteLength >>> 2);
export const u32 = (b: SharedArrayBuffer): Uint32Array<ArrayBufferLike> => new Uint32Array(b, 0, b.byteLength >>> 2);
export const u8 = (b: SharedArrayBuffer): Uint8Array<ArrayBufferLike> => new Uint8Array(b, 0, b.byteLength);

/** The shared memory of a run; structured-cloneable, so workers get the same buffers. */
export interface SharedBuffers {
  readonly threads: number;
  readonly width: number;
  /** Int32 control words (C_*). */
  readonly ctrl: SharedArrayBuffer;
  /** Float64 parameters and results (Layout). */
  readonly nums: SharedArrayBuffer;
  /** Per thread: two words (hi, lo) an emission. */
  readonly emFp: SharedArrayBuffer[];
  /** Per thread: `width` numbers an emission (only when new states are stored). */
  readonly emSt: SharedArrayBuffer[];
  /**
   * Per thread: a byte an emission (0 seen, 1 new, 2 new and failing, 3 a predicate threw),
   * zeroed by expand and set by the thread itself from its shard owners' lists of new
   * emissions (emNew) in number; with the graph recorded, written by the owners in dedupe.
   */
  readonly emMark: SharedArrayBuffer[];
  /**
   * Per thread t and shard s, at t·T + s: the Int32 numbers of t's emissions of shard s, in
   * order (written by t in expand; steps to the state being expanded are left out), and what
   * the owner of s found new among them, two Int32s each: the emission number and its mark
   * (written by the owner in dedupe). So each owner reads only its shard's emissions, and no
   * two threads write into the same buffer in a phase.
   */
  readonly emIdx: SharedArrayBuffer[];
  readonly emNew: SharedArrayBuffer[];
  /** Per thread: an Int32 a state of its range, the end of its emissions (~end: it faulted). */
  readonly ends: SharedArrayBuffer[];
  /**
   * Whether the state graph is recorded (temporal properties), and the Uint32 words of
   * predicate values a state. Then, per thread and emission: its step's tag as the thread's
   * own tagger numbers it (emTag), what the shard owner found (emRef: the state's index, or
   * its level emission number complemented while the level is numbered), and the predicate
   * values of a new state (emBits); and per level emission its state's index once numbered
   * (lvIdx).
   */
  readonly graph: boolean;
  readonly predicateWords: number;
  readonly emTag: SharedArrayBuffer[];
  readonly emRef: SharedArrayBuffer[];
  readonly emBits: SharedArrayBuffer[];
  readonly lvIdx: SharedArrayBuffer;
  /** The two levels: states, parents' positions, emission ordinals. */
  readonly lvSt: SharedArrayBuffer[];
  readonly lvPar: SharedArrayBuffer[];
  readonly lvOrd: SharedArrayBuffer[];
  /**
   * The two levels' fingerprints, two Uint32 words a state (written by number; by the main
   * thread for a level it made alone): a successor with its parent's fingerprint is a step
   * to itself, seen, and is not looked up (as in vector-run.ts).
   */
  readonly lvFp: SharedArrayBuffer[];
}

// Control words.
export const C_GEN = 0;
export const C_CMD = 1;
export const C_DONE = 2;
export const C_READY = 3;
export const C_ERR = 4;
const C_WORDS = 8;

// Commands.
export const CMD_EXPAND = 1;
export const CMD_DEDUPE = 2;
export const CMD_NUMBER = 3;
export const CMD_TAKE_SHARD = 4;
export const CMD_HAS = 5;
export const CMD_EXIT = 6;
/** Finish any growth in progress of the shard sets held, and report their bytes (at the end of a search). */
export const CMD_FINISH = 7;
/** Give the shard set held back to the main thread (posted on the worker's port). */
export const CMD_GIVE_SHARD = 8;
/** Give the level's new states their indices in the shard maps (graph recording). */
export const CMD_FIXUP = 9;

// Stop events found by `number`.
export const EV_NONE = 0;
export const EV_LIMIT = 1;
export const EV_INVARIANT = 2;
export const EV_FAULT = 3;
export const EV_DEADLOCK = 4;
/** A recorded predicate threw on a new state (graph recording). */
export const EV_PREDICATE = 5;

/** Offsets into `nums`. */
export class Layout {
  readonly count = 0;
  readonly cur = 1;
  readonly store = 2;
  readonly deadlock = 3;
  readonly distinct = 4;
  readonly maxStates = 5;
  readonly hasHi = 6;
  readonly hasLo = 7;
  readonly hasResult = 8;
  /** T + 1 range bounds. */
  readonly range = 9;
  /** Per thread: emissions. */
  readonly emitted: number;
  /** Per shard s and thread t, at s·T + t: new emissions of shard s in t's range. */
  readonly newCount: number;
  /** Per shard: whether an emission of it was new (when new states are not stored). */
  readonly anyNew: number;
  /** Per shard: its set's bytes. */
  readonly bytes: number;
  /** Per thread: new states in the ranges before it (the main thread fills it in). */
  readonly base: number;
  /** Per thread, EVENT_WORDS each: kind, level position, emissions counted, new states written. */
  readonly event: number;
  /** Per thread t and shard s, at t·T + s: the length of t's list of emissions of s (emIdx). */
  readonly listLen: number;
  /** Whether the current level's fingerprints are in lvFp (1) or unknown (0). */
  readonly fpsValid: number;
  readonly words: number;

  constructor(readonly threads: number) {
    const T = threads;
    this.emitted = this.range + T + 1;
    this.newCount = this.emitted + T;
    this.anyNew = this.newCount + T * T;
    this.bytes = this.anyNew + T;
    this.base = this.bytes + T;
    this.event = this.base + T;
    this.listLen = this.event + EVENT_WORDS * T;
    this.fpsValid = this.listLen + T * T;
    this.words = this.fpsValid + 1;
  }
}
export const EVENT_WORDS = 4;

export function createBuffers(threads: number, width: number, predicateWords = -1): SharedBuffers {
  const per = (bytes: number): SharedArrayBuffer[] => Array.from({ length: threads }, () => growableBuffer(bytes));
  const graph = predicateWords >= 0;
  return {
    threads,
    width,
    graph,
    predicateWords: Math.max(0, predicateWords),
    emTag: per(graph ? 1 << 12 : 8),
    emRef: per(graph ? 1 << 12 : 8),
    emBits: per(graph ? 1 << 12 : 8),
    lvIdx: growableBuffer(graph ? 1 << 12 : 8),
    ctrl: new SharedArrayBuffer(4 * C_WORDS),
    nums: new SharedArrayBuffer(8 * new Layout(threads).words),
    emFp: per(1 << 12),
    emSt: per(1 << 12),
    emMark: per(1 << 10),
    emIdx: Array.from({ length: threads * threads }, () => growableBuffer(1 << 10)),
    emNew: Array.from({ length: threads * threads }, () => growableBuffer(1 << 10)),
    lvFp: [growableBuffer(1 << 10), growableBuffer(1 << 10)],
    ends: per(1 << 10),
    lvSt: [growableBuffer(1 << 12), growableBuffer(1 << 12)],
    lvPar: [growableBuffer(1 << 10), growableBuffer(1 << 10)],
    lvOrd: [growableBuffer(1 << 10), growableBuffer(1 << 10)],
  };
}

/** The shard of a fingerprint: its low word scaled to the number of shards. */
export function shardOf(lo: number, shards: number): number {
  return Math.floor((lo >>> 0) * shards * 2.3283064365386963e-10);
}

/** One thread's side of the phases: its system, its shards, its views and scratch arrays. */
export class PhaseRunner<L> {
  readonly T: number;
  readonly W: number;
  readonly nums: Float64Array;
  readonly L: Layout;
  /** The shard sets this thread owns (undefined for the others). */
  readonly sets: (Shard | undefined)[];
  /** Graph recording: this thread's tagger and the recorded predicates. */
  private readonly tagOf: ((label: L) => number) | null;
  private readonly preds: readonly ((state: number[]) => boolean)[];
  /** Graph recording: the level's new emissions of the owned shards, (thread, emission) pairs, for CMD_FIXUP. */
  private fresh: number[] = [];
  private tagOut: Int32Array<ArrayBufferLike> = new Int32Array(0);
  private tagBuf!: SharedArrayBuffer;
  private readonly scratch: number[] = [];
  private readonly fp = new Uint32Array(2);
  /** The words the warming loads read, folded together, so that the loads are kept (FlatFingerprintSet.warm). */
  sink = 0;

  // The expansion in progress (read by `emit`).
  private fpOut: Uint32Array<ArrayBufferLike> = new Uint32Array(0);
  private stOut: Float64Array<ArrayBufferLike> = new Float64Array(0);
  private fpBuf!: SharedArrayBuffer;
  private stBuf!: SharedArrayBuffer;
  private storing = true;
  private e = 0;
  /** Per shard: this thread's list of its emissions of the shard (emIdx), its view and length. */
  private idxBufs: SharedArrayBuffer[] = [];
  private idxOut: Int32Array<ArrayBufferLike>[] = [];
  private idxLen: number[] = [];
  /** The fingerprint of the state being expanded, when known (skipping): a step to itself is seen. */
  private skipping = false;
  private parentHi = 0;
  private parentLo = 0;

  constructor(
    private readonly system: VectorSystem<L>,
    readonly buffers: SharedBuffers,
    record?: RecordGraph<number[], L>,
  ) {
    if (buffers.graph && record === undefined) throw new Error('internal error: a vector explorer thread records the graph without a tagger');
    this.tagOf = buffers.graph ? record!.edgeTag : null;
    this.preds = buffers.graph ? record!.predicates : [];
    this.T = buffers.threads;
    this.W = buffers.width;
    this.nums = new Float64Array(buffers.nums);
    this.L = new Layout(this.T);
    this.sets = new Array<Shard | undefined>(this.T).fill(undefined);
    for (let i = 0; i < this.W; i++) this.scratch.push(0);
  }

  /** Runs thread t's part of a command (CMD_EXPAND, CMD_DEDUPE, CMD_NUMBER, CMD_HAS or CMD_FINISH). */
  run(cmd: number, t: number): void {
    switch (cmd) {
      case CMD_EXPAND:
        return this.expand(t);
      case CMD_DEDUPE:
        return this.dedupe();
      case CMD_NUMBER:
        return this.number(t);
      case CMD_HAS:
        return this.answerHas();
      case CMD_FINISH:
        return this.finishSets();
      case CMD_FIXUP:
        return this.fixup();
    }
  }

  /** Finishes the growth in progress of every shard set this thread holds, and reports their bytes. */
  private finishSets(): void {
    const nums = this.nums;
    for (let s = 0; s < this.T; s++) {
      const set = this.sets[s];
      if (set === undefined) continue;
      if (set instanceof CompactFingerprintSet) set.finishGrowing();
      nums[this.L.bytes + s] = set.bytesUsed();
    }
  }

  /** Loads state p of a flat array into the scratch vector. */
  private load(src: Float64Array, p: number): number[] {
    const s = this.scratch;
    const W = this.W;
    const o = p * W;
    for (let k = 0; k < W; k++) s[k] = src[o + k]!;
    return s;
  }

  private readonly emit = (next: number[], label?: L): void => {
    const e = this.e++;
    // Thread 0 (the command's thread, where the interrupt flag is set) stops inside a long
    // expansion, as explore() does; the workers' flag is never set, and the explorer that waits
    // for them stops waiting (Crew.finish) and ends them.
    if ((e & LONG_EXPANSION_MASK) === LONG_EXPANSION_MASK) checkInterrupt();
    if (this.tagOf !== null) {
      if (e + 1 > this.tagOut.length) {
        ensureBytes(this.tagBuf, 4 * (e + 1));
        this.tagOut = i32(this.tagBuf);
      }
      this.tagOut[e] = this.tagOf(label as L);
    }
    if (2 * e + 2 > this.fpOut.length) {
      ensureBytes(this.fpBuf, 8 * (e + 1));
      this.fpOut = u32(this.fpBuf);
    }
    if (this.storing && (e + 1) * this.W > this.stOut.length) {
      ensureBytes(this.stBuf, 8 * this.W * (e + 1));
      this.stOut = f64(this.stBuf);
    }
    const fp = this.fp;
    this.system.fingerprint(next, fp);
    const hi = fp[0]!;
    const lo = fp[1]!;
    this.fpOut[2 * e] = hi;
    this.fpOut[2 * e + 1] = lo;
    if (this.storing) {
      const st = this.stOut;
      const W = this.W;
      const o = e * W;
      for (let k = 0; k < W; k++) st[o + k] = next[k]!;
    }
    // A step to the state being expanded: seen, left out of the owner's list (its mark stays 0).
    if (hi === this.parentHi && lo === this.parentLo && this.skipping) return;
    const s = shardOf(lo, this.T);
    const n = this.idxLen[s]!;
    let out = this.idxOut[s]!;
    if (n >= out.length) {
      ensureBytes(this.idxBufs[s]!, 4 * (n + 1));
      out = this.idxOut[s] = i32(this.idxBufs[s]!);
    }
    out[n] = e;
    this.idxLen[s] = n + 1;
  };

  /** Expands thread t's range of the current level. */
  expand(t: number): void {
    const nums = this.nums;
    const L = this.L;
    const b = this.buffers;
    const from = nums[L.range + t]!;
    const to = nums[L.range + t + 1]!;
    const level = f64(b.lvSt[nums[L.cur]!]!);
    ensureBytes(b.ends[t]!, 4 * (to - from));
    const ends = i32(b.ends[t]!);
    this.fpBuf = b.emFp[t]!;
    this.stBuf = b.emSt[t]!;
    this.tagBuf = b.emTag[t]!;
    this.tagOut = i32(this.tagBuf);
    this.fpOut = u32(this.fpBuf);
    this.storing = nums[L.store] === 1;
    this.stOut = this.storing ? f64(this.stBuf) : new Float64Array(0);
    this.e = 0;
    const T = this.T;
    for (let s = 0; s < T; s++) {
      this.idxBufs[s] = b.emIdx[t * T + s]!;
      this.idxOut[s] = i32(this.idxBufs[s]!);
      this.idxLen[s] = 0;
    }
    // With the graph recorded a step to itself is an edge to record, looked up as any other.
    const skip = nums[L.fpsValid] === 1 && !b.graph;
    const curFp = skip ? u32(b.lvFp[nums[L.cur]!]!) : new Uint32Array(0);
    this.skipping = skip;
    const system = this.system;
    // It reads the state from the level itself.
    const direct = directSuccessors(system);
    const W = this.W;
    for (let i = from; i < to; i++) {
      if (skip) {
        this.parentHi = curFp[2 * i]!;
        this.parentLo = curFp[2 * i + 1]!;
      }
      let faulted = false;
      try {
        if (direct !== undefined) direct.at(level, i * W, this.emit);
        else system.successors(this.load(level, i), this.emit);
      } catch (err) {
        if (!(err instanceof ModelError)) throw err;
        faulted = true;
      }
      ends[i - from] = faulted ? ~this.e : this.e;
    }
    nums[L.emitted + t] = this.e;
    for (let s = 0; s < T; s++) {
      nums[L.listLen + t * T + s] = this.idxLen[s]!;
      this.idxOut[s] = new Int32Array(0);
    }
    this.skipping = false;
    ensureBytes(b.emMark[t]!, this.e);
    u8(b.emMark[t]!).fill(0, 0, this.e);
    if (b.graph) {
      ensureBytes(b.emRef[t]!, 4 * this.e);
      ensureBytes(b.emBits[t]!, 4 * b.predicateWords * this.e);
      this.tagOut = new Int32Array(0);
    }
    this.fpOut = new Uint32Array(0);
    this.stOut = new Float64Array(0);
  }

  /**
   * Adds the emissions of each owned shard to its set, in global order (thread 0's list, then
   * thread 1's, ...), and lists the new ones with their marks (1, or 2 when an invariant fails).
   */
  dedupe(): void {
    if (this.buffers.graph) return this.dedupeGraph();
    const nums = this.nums;
    const L = this.L;
    const T = this.T;
    const b = this.buffers;
    const sets = this.sets;
    const store = nums[L.store] === 1;
    const invariants = this.system.invariants;
    for (let s = 0; s < T; s++) {
      const set = sets[s] as FlatFingerprintSet | CompactFingerprintSet | undefined;
      if (set === undefined) continue;
      for (let t = 0; t < T; t++) {
        const n = nums[L.listLen + t * T + s]!;
        const idx = i32(b.emIdx[t * T + s]!);
        const fps = u32(b.emFp[t]!);
        if (!store) {
          if (nums[L.anyNew + s] !== 0) continue;
          for (let j = 0; j < n; j++) {
            const e = idx[j]!;
            if (!set.has(fps[2 * e]!, fps[2 * e + 1]!)) {
              nums[L.anyNew + s] = 1;
              break;
            }
          }
          continue;
        }
        const st = invariants.length > 0 ? f64(b.emSt[t]!) : null;
        const newBuf = b.emNew[t * T + s]!;
        let out = i32(newBuf);
        let c = 0;
        for (let j0 = 0; j0 < n; j0 += WARM_BLOCK) {
          const j1 = Math.min(n, j0 + WARM_BLOCK);
          let sink = 0;
          for (let j = j0; j < j1; j++) {
            const e = idx[j]!;
            sink ^= set.warm(fps[2 * e]!, fps[2 * e + 1]!);
          }
          this.sink ^= sink;
          for (let j = j0; j < j1; j++) {
            const e = idx[j]!;
            if (set.add(fps[2 * e]!, fps[2 * e + 1]!) < 0) continue;
            if (2 * c + 2 > out.length) {
              ensureBytes(newBuf, 8 * (c + 1));
              out = i32(newBuf);
            }
            out[2 * c] = e;
            out[2 * c + 1] = st !== null && !this.holds(st, e) ? 2 : 1;
            c++;
          }
        }
        nums[L.newCount + s * T + t] = c;
      }
      nums[L.bytes + s] = set.bytesUsed();
    }
  }

  /** The level emission number of thread t's first emission. */
  private emBase(t: number): number {
    let base = 0;
    for (let u = 0; u < t; u++) base += this.nums[this.L.emitted + u]!;
    return base;
  }

  /**
   * dedupe when the graph is recorded: the shards are IndexMaps, and each emission of an owned
   * shard gets in emRef the index of its state (seen in an earlier level), or the level
   * emission number, complemented, of its state's first emission in this level; a new state
   * gets its predicate values in emBits (mark 3: a predicate threw).
   */
  private dedupeGraph(): void {
    const nums = this.nums;
    const L = this.L;
    const T = this.T;
    const b = this.buffers;
    const sets = this.sets;
    const store = nums[L.store] === 1;
    const invariants = this.system.invariants;
    const counts = new Array<number>(T).fill(0);
    const pw = b.predicateWords;
    this.fresh = [];
    const fresh = this.fresh;
    for (let t = 0; t < T; t++) {
      const fps = u32(b.emFp[t]!);
      const mark = u8(b.emMark[t]!);
      const ref = i32(b.emRef[t]!);
      const bits = u32(b.emBits[t]!);
      const st = store ? f64(b.emSt[t]!) : null;
      const base = this.emBase(t);
      counts.fill(0);
      // Each owned shard's list of t's emissions (every emission is listed: no step is skipped).
      for (let s = 0; s < T; s++) {
        const map = sets[s] as IndexMap | undefined;
        if (map === undefined) continue;
        const n = nums[L.listLen + t * T + s]!;
        const idx = i32(b.emIdx[t * T + s]!);
        for (let j = 0; j < n; j++) {
          const e = idx[j]!;
          if (j % WARM_BLOCK === 0) {
            let sink = 0;
            for (let k = j; k < Math.min(n, j + WARM_BLOCK); k++) {
              const ek = idx[k]!;
              sink ^= map.warm(fps[2 * ek]!, fps[2 * ek + 1]!);
            }
            this.sink ^= sink;
          }
          const lo = fps[2 * e + 1]!;
          const hi = fps[2 * e]!;
          if (!store) {
            if (nums[L.anyNew + s] === 0 && !map.has(hi, lo)) nums[L.anyNew + s] = 1;
            continue;
          }
          if (!map.lookupOrInsert(hi, lo, ~(base + e))) {
            mark[e] = 0;
            ref[e] = map.found;
            continue;
          }
          counts[s]!++;
          ref[e] = ~(base + e);
          fresh.push(t, e);
          if (invariants.length > 0 && !this.holds(st!, e)) mark[e] = 2;
          else mark[e] = this.predicateBits(st!, e, bits, e * pw) ? 1 : 3;
        }
      }
      for (let s = 0; s < T; s++) if (sets[s] !== undefined) nums[L.newCount + s * T + t] = counts[s]!;
    }
    for (let s = 0; s < T; s++) {
      const set = sets[s];
      if (set !== undefined) nums[L.bytes + s] = set.bytesUsed();
    }
  }

  /** The recorded predicates' values on emission e, into bits[at..]; false if one threw a ModelError. */
  private predicateBits(st: Float64Array, e: number, bits: Uint32Array, at: number): boolean {
    const preds = this.preds;
    const words = this.buffers.predicateWords;
    for (let w = 0; w < words; w++) bits[at + w] = 0;
    if (preds.length === 0) return true;
    const state = this.load(st, e);
    try {
      for (let i = 0; i < preds.length; i++) if (preds[i]!(state)) bits[at + (i >>> 5)]! |= 1 << (i & 31);
    } catch (err) {
      if (!(err instanceof ModelError)) throw err;
      return false;
    }
    return true;
  }

  /** Gives the level's new states of the owned shards their indices, numbered by now (lvIdx). */
  private fixup(): void {
    const fresh = this.fresh;
    const b = this.buffers;
    const lvIdx = i32(b.lvIdx);
    const T = this.T;
    const bases: number[] = [];
    for (let t = 0; t < T; t++) bases.push(this.emBase(t));
    let fps = new Uint32Array(0) as Uint32Array<ArrayBufferLike>;
    let ft = -1;
    for (let k = 0; k < fresh.length; k += 2) {
      const t = fresh[k]!;
      const e = fresh[k + 1]!;
      if (t !== ft) {
        fps = u32(b.emFp[t]!);
        ft = t;
      }
      const lo = fps[2 * e + 1]!;
      (this.sets[shardOf(lo, T)] as IndexMap).set(fps[2 * e]!, lo, lvIdx[bases[t]! + e]!);
    }
    this.fresh = [];
  }

  /** Whether every invariant holds on emission e (false too if one throws a ModelError). */
  private holds(st: Float64Array, e: number): boolean {
    const state = this.load(st, e);
    const invariants = this.system.invariants;
    try {
      for (let k = 0; k < invariants.length; k++) if (!invariants[k]!.holds(state)) return false;
    } catch (err) {
      if (!(err instanceof ModelError)) throw err;
      return false;
    }
    return true;
  }

  /**
   * Numbers thread t's new states into the next level, and finds the first stop event of its
   * range (written at L.event + EVENT_WORDS·t).
   */
  number(t: number): void {
    const nums = this.nums;
    const L = this.L;
    const b = this.buffers;
    const W = this.W;
    const from = nums[L.range + t]!;
    const to = nums[L.range + t + 1]!;
    const cur = nums[L.cur]!;
    const store = nums[L.store] === 1;
    const checkDeadlock = nums[L.deadlock] === 1;
    const first = nums[L.distinct]!;
    const maxStates = nums[L.maxStates]!;
    const base = nums[L.base + t]!;
    const ends = i32(b.ends[t]!);
    const mark = u8(b.emMark[t]!);
    const T = this.T;
    if (store && !b.graph) {
      // The marks of this range's new emissions, from the owners' lists (the others stay 0).
      for (let s = 0; s < T; s++) {
        const c = nums[L.newCount + s * T + t]!;
        const list = i32(b.emNew[t * T + s]!);
        for (let j = 0; j < 2 * c; j += 2) mark[list[j]!] = list[j + 1]!;
      }
    }
    const fps = u32(b.emFp[t]!);
    const nextFp = store ? u32(b.lvFp[1 - cur]!) : new Uint32Array(0);
    const st = store ? f64(b.emSt[t]!) : new Float64Array(0);
    const nextSt = store ? f64(b.lvSt[1 - cur]!) : new Float64Array(0);
    const nextPar = store ? i32(b.lvPar[1 - cur]!) : new Int32Array(0);
    const nextOrd = store ? i32(b.lvOrd[1 - cur]!) : new Int32Array(0);
    const graph = b.graph && store;
    const lvIdx = graph ? i32(b.lvIdx) : new Int32Array(0);
    const emBase = graph ? this.emBase(t) : 0;
    let pos = base;
    let e = 0;
    let kind = EV_NONE;
    let at = 0;
    let counted = 0;
    outer: for (let i = from; i < to; i++) {
      const raw = ends[i - from]!;
      const faulted = raw < 0;
      const end = faulted ? ~raw : raw;
      const start = e;
      if (store) {
        for (; e < end; e++) {
          const m = mark[e]!;
          if (m === 0) continue;
          if (first + pos >= maxStates) {
            kind = EV_LIMIT;
            at = i;
            counted = e + 1;
            break outer;
          }
          const o = pos * W;
          const so = e * W;
          for (let k = 0; k < W; k++) nextSt[o + k] = st[so + k]!;
          nextPar[pos] = i;
          nextOrd[pos] = e - start;
          nextFp[2 * pos] = fps[2 * e]!;
          nextFp[2 * pos + 1] = fps[2 * e + 1]!;
          if (graph) lvIdx[emBase + e] = first + pos;
          pos++;
          if (m >= 2) {
            kind = m === 2 ? EV_INVARIANT : EV_PREDICATE;
            at = i;
            counted = e + 1;
            break outer;
          }
        }
      } else {
        e = end;
      }
      if (faulted || (end === start && checkDeadlock && !this.done(cur, i))) {
        kind = faulted ? EV_FAULT : EV_DEADLOCK;
        at = i;
        counted = end;
        break;
      }
    }
    const ev = L.event + EVENT_WORDS * t;
    nums[ev] = kind;
    nums[ev + 1] = at;
    nums[ev + 2] = kind === EV_NONE ? e : counted;
    nums[ev + 3] = pos - base;
  }

  /** Whether state i of the current level is done (not a deadlock); a fault in isDone says no. */
  private done(cur: number, i: number): boolean {
    const isDone = this.system.isDone;
    if (isDone === undefined) return false;
    try {
      return isDone.call(this.system, this.load(f64(this.buffers.lvSt[cur]!), i));
    } catch (err) {
      if (!(err instanceof ModelError)) throw err;
      return false;
    }
  }

  /** Answers a membership query for a fingerprint of an owned shard. */
  answerHas(): void {
    const nums = this.nums;
    const L = this.L;
    const hi = nums[L.hasHi]!;
    const lo = nums[L.hasLo]!;
    const set = this.sets[shardOf(lo, this.T)];
    if (set instanceof IndexMap) nums[L.hasResult] = set.get(hi, lo) ?? -1;
    else if (set !== undefined) nums[L.hasResult] = set.has(hi, lo) ? 1 : 0;
  }
}
