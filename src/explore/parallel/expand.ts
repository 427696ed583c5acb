/**
 * Expanding a chunk of a BFS level: the work a worker thread does (and the coordinator
 * itself, for levels too small to be worth sending out). Input and output are flat typed
 * arrays, so they cross threads by transfer.
 *
 * Input: the chunk's states, encoded back to back (`bytes`, state i ending at `ends[i]`), and
 * their fingerprints (`fps`, 2 words per state).
 *
 * Output, in emission order: per expanded state a header [successor count, flags], then per
 * successor [fingerprint hi, fingerprint lo, info], and the encoded successors in `bytes`:
 *   info = -1          the successor's bytes are not sent: this expander has emitted (or been
 *                      given) the same fingerprint before, so the coordinator, which merges
 *                      emissions in order, already holds it;
 *   info = len·2 + bad len bytes of encoded state follow in `bytes`; bad = 1 if an invariant
 *                      is false or fails on it (the coordinator re-checks it if it is new).
 * Flags: FAULT (successors threw a ModelError after the emitted ones), DEADLOCK (no successor
 * and not done, or isDone threw). The coordinator re-runs the step on its own thread to get
 * the error object and the verdict exactly as the single-threaded explorer would.
 *
 * When the state graph is recorded (temporal properties: the Expander has a RecordGraph), each
 * successor's record is [hi, lo, tag, info] and, when its bytes follow (info ≥ 0), [thrown,
 * predicate words...]: the step's tag as this expander's own tagger numbers it, whether a
 * recorded predicate threw a ModelError on the successor, and the predicates' values.
 *
 * The fingerprint cache is lossy (direct-mapped, fixed size): a hit is certain, a miss only
 * costs sending bytes the coordinator will find to be a duplicate.
 */
import { ModelError, type TransitionSystem } from '../system.js';
import type { RecordGraph } from '../state-graph.js';
import { ByteReader, ByteWriter, IntWriter, type StateCodec } from './bytes.js';

export const FLAG_FAULT = 1;
export const FLAG_DEADLOCK = 2;

export interface ChunkInput {
  bytes: Uint8Array;
  ends: Uint32Array;
  fps: Uint32Array;
  /** Only count successors and report their fingerprints (expanding at the depth limit). */
  fpsOnly: boolean;
  checkDeadlock: boolean;
}

export interface ChunkOutput {
  meta: Int32Array;
  bytes: Uint8Array;
}

/** log2 of the fingerprint cache's slots: 2^16 slots, 512 KiB, small enough to stay in cache. */
const CACHE_BITS = 16;

export class Expander<S, L> {
  private readonly cache = new Int32Array(2 << CACHE_BITS);
  private readonly cacheMask = (1 << CACHE_BITS) - 1;
  private readonly fp = new Uint32Array(2);
  private meta = new IntWriter(1024);
  private out = new ByteWriter(4096);
  private fpsOnly = false;
  private emitted = 0;
  private readonly tagOf: ((label: L) => number) | null;
  private readonly preds: readonly ((state: S) => boolean)[];
  /** Graph recording: the Int32 words of predicate values a successor (-1: no recording). */
  readonly predicateWords: number;

  constructor(
    private readonly system: TransitionSystem<S, L>,
    private readonly codec: StateCodec<S>,
    record?: RecordGraph<S, L>,
  ) {
    this.tagOf = record?.edgeTag ?? null;
    this.preds = record?.predicates ?? [];
    this.predicateWords = record === undefined ? -1 : Math.ceil(this.preds.length / 32);
  }

  expand(input: ChunkInput): ChunkOutput {
    const { bytes, ends, fps, checkDeadlock } = input;
    this.fpsOnly = input.fpsOnly;
    // Fresh buffers each time: the previous ones were handed over (transferred) with their result.
    this.meta = new IntWriter(Math.max(1024, this.meta.length));
    this.out = new ByteWriter(input.fpsOnly ? 16 : Math.max(4096, this.out.pos));
    const meta = this.meta;
    const reader = new ByteReader(bytes, 0);
    const system = this.system;
    for (let i = 0; i < ends.length; i++) {
      reader.pos = i === 0 ? 0 : ends[i - 1]!;
      const state = this.codec.decode(reader);
      // The state itself is stored already: its self-loops need no bytes.
      this.remember(fps[2 * i]! | 0, fps[2 * i + 1]! | 0);
      const header = meta.length;
      meta.push(0);
      meta.push(0);
      this.emitted = 0;
      let flags = 0;
      try {
        system.successors(state, this.emit);
      } catch (e) {
        if (!(e instanceof ModelError)) throw e;
        flags |= FLAG_FAULT;
      }
      if (flags === 0 && this.emitted === 0 && checkDeadlock) {
        let done: boolean;
        try {
          done = system.isDone?.(state) ?? false;
        } catch (e) {
          if (!(e instanceof ModelError)) throw e;
          done = false;
        }
        if (!done) flags |= FLAG_DEADLOCK;
      }
      meta.buf[header] = this.emitted;
      meta.buf[header + 1] = flags;
    }
    return { meta: meta.view(), bytes: this.out.view() };
  }

  private readonly emit = (state: S, label?: L): void => {
    this.emitted++;
    const fp = this.fp;
    this.system.fingerprint(state, fp);
    const hi = fp[0]! | 0;
    const lo = fp[1]! | 0;
    const meta = this.meta;
    meta.push(hi);
    meta.push(lo);
    if (this.tagOf !== null) meta.push(this.tagOf(label as L));
    if (this.fpsOnly || !this.remember(hi, lo)) {
      meta.push(-1);
      return;
    }
    let bad = 0;
    const invariants = this.system.invariants;
    try {
      for (let i = 0; i < invariants.length; i++) {
        if (!invariants[i]!.holds(state)) {
          bad = 1;
          break;
        }
      }
    } catch (e) {
      if (!(e instanceof ModelError)) throw e;
      bad = 1;
    }
    const out = this.out;
    const start = out.pos;
    this.codec.encode(state, out);
    meta.push(((out.pos - start) << 1) | bad);
    if (this.tagOf !== null) this.predicateValues(state, meta);
  };

  /** Graph recording: [thrown, predicate words...] of a successor whose bytes are sent. */
  private predicateValues(state: S, meta: IntWriter): void {
    const at = meta.length;
    meta.push(0);
    const words = this.predicateWords;
    for (let w = 0; w < words; w++) meta.push(0);
    const preds = this.preds;
    try {
      for (let i = 0; i < preds.length; i++) if (preds[i]!(state)) meta.buf[at + 1 + (i >>> 5)]! |= 1 << (i & 31);
    } catch (e) {
      if (!(e instanceof ModelError)) throw e;
      meta.buf[at] = 1;
    }
  }

  /** Puts the fingerprint (as int32 halves) in the cache; false if it was there already. */
  private remember(hi: number, lo: number): boolean {
    if ((hi | lo) === 0) return true; // (0, 0) marks an empty slot: never cached
    const cache = this.cache;
    const slot = (cacheHash(hi, lo) & this.cacheMask) << 1;
    if (cache[slot] === hi && cache[slot + 1] === lo) return false;
    cache[slot] = hi;
    cache[slot + 1] = lo;
    return true;
  }
}

function cacheHash(hi: number, lo: number): number {
  let h = hi ^ Math.imul(lo, 0x9e3779b1);
  h ^= h >>> 15;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  return h;
}
