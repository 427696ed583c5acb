/**
 * The parallel breadth-first explorer (`--workers N`, N ≥ 2): the same search as
 * ../explorer.ts, with the expansion of each BFS level split among worker threads, and
 * results identical to it (distinct, generated, depth, queue, verdict and trace) for every N.
 *
 * How (docs/parallel.md tells it at more length):
 *   - The coordinator (this thread) owns the seen set, the per-state parent and ordinal arrays
 *     and the order of insertion. States of the level being expanded and of the next one are
 *     kept encoded (StateCodec), back to back in byte buffers: the coordinator never decodes a
 *     state on the common path.
 *   - A level is cut into contiguous chunks, handed out to the workers round-robin. A worker
 *     decodes its chunk's states, computes their successors, fingerprints and encodes them,
 *     checks the invariants on those it has not emitted before, and returns per expanded state
 *     the successors' fingerprints and bytes plus a few flags (expand.ts).
 *   - The coordinator merges the chunks' results in chunk order, emission by emission, doing
 *     exactly what the single-threaded explorer does on an emission: so states are numbered,
 *     counted and stopped on in the same order. Whenever a worker flags something (an
 *     invariant false on a successor, a fault in a step, a possible deadlock), the coordinator
 *     re-evaluates it on its own thread, on the decoded state, only if the single-threaded
 *     explorer would have evaluated it at that point; so the verdict, the error object and the
 *     trace (rebuilt by replay, as there) are the same.
 *   - Small levels are expanded on this thread with the same code (no thread is started for
 *     a search whose levels stay small); the workers are started when a level first gets big,
 *     and used once they have compiled their own copy of the system.
 */
import { CompactFingerprintSet } from '../compact-set.js';
import { FingerprintSet } from '../fingerprint-set.js';
import type { SeenSet } from '../seen-set.js';
import { GraphRecorder } from '../state-graph.js';
import { explore, type ExploreOptions, type ExploreResult, type Outcome, type Progress } from '../explorer.js';
import { releaseLevelPool } from '../level-pool.js';
import { ModelError, emissionOf, replayedEdge, type Invariant, type TransitionSystem } from '../system.js';
import { ReplayIndex, rebuildTrace, type Trace } from '../trace.js';
import { ByteReader, ByteWriter, IntWriter, type StateCodec } from './bytes.js';
import { Expander, FLAG_DEADLOCK, FLAG_FAULT, type ChunkInput, type ChunkOutput } from './expand.js';
import { WorkerPool } from './pool.js';
import { WorkerDied } from './supervisor.js';
import type { WorkerSetup } from './worker.js';
import type { ThreadPolicy, ThreadsReport } from './auto.js';
import { CHECK_EVERY, CHECK_SLOTS, CUT_SHORT, Interrupted, LONG_EXPANSION_MASK, guardStop, stateSlots } from '../guard.js';
import { checkLimits, deadlockStop, invariantStop, outcomeOf, searchStats, replayedFault, type Stop } from '../stop.js';

export interface ParallelOptions<S> {
  /** Worker threads to use, at least 2. */
  readonly workers: number;
  readonly codec: StateCodec<S>;
  /** How a worker builds its own copy of the system and codec. */
  readonly setup: WorkerSetup;
  /**
   * Start the workers before the search and send them every level however small (for tests:
   * the results must not change). Default: the SPEX_WORKERS_EAGER environment variable is 1.
   */
  readonly eager?: boolean;
  /**
   * `--workers auto`: `workers` is the most threads to use, and a policy measuring throughput
   * (auto.ts) decides level by level whether to use them (the vector explorer; the results do
   * not depend on it).
   */
  readonly auto?: boolean;
  /** The policy for `auto` (tests inject their own); default AutoThreads. */
  readonly policy?: ThreadPolicy;
  /**
   * When the options record the state graph (the vector explorer): a step tagger of the same
   * kind as `recordGraph.edgeTag` but numbering on its own, for this thread's share of the
   * expansion (the workers build theirs; their tags are mapped to the recorder's in order).
   */
  readonly localTagger?: (label: unknown) => number;
  /** Told at the end of the search how many threads ran, and why. */
  readonly onThreads?: (report: ThreadsReport) => void;
}

/** A level this big starts the workers (when none are running yet). */
export const SPAWN_AT = 10_000;
/** Levels smaller than this are expanded on the coordinator's thread even with workers ready. */
export const PARALLEL_MIN = 2048;
/** Chunks per worker and level: a few, so the merge of early chunks overlaps later work... */
const CHUNKS_PER_WORKER = 4;
/** ...but not so small that messages cost more than the work they carry. */
const MIN_CHUNK = 512;
const PROGRESS_PERIOD_MS = 1000;


/** A BFS level: encoded states back to back, with their end offsets, ids and fingerprints. */
class Level {
  bytes = new ByteWriter(1 << 16);
  ends = new IntWriter(1024);
  ids = new IntWriter(1024);
  fps = new IntWriter(2048);

  get count(): number {
    return this.ids.length;
  }

  add(src: Uint8Array, start: number, end: number, id: number, hi: number, lo: number): void {
    this.bytes.bytes(src.subarray(start, end));
    this.ends.push(this.bytes.pos);
    this.ids.push(id);
    this.fps.push(hi);
    this.fps.push(lo);
  }

  clear(): void {
    this.bytes.clear();
    this.ends.clear();
    this.ids.clear();
    this.fps.clear();
  }

  /** States [from, to) as a chunk (copies, since chunks are transferred to other threads). */
  chunk(from: number, to: number, fpsOnly: boolean, checkDeadlock: boolean): ChunkInput {
    const base = from === 0 ? 0 : this.ends.buf[from - 1]!;
    const end = this.ends.buf[to - 1]!;
    const ends = new Uint32Array(to - from);
    for (let i = from; i < to; i++) ends[i - from] = this.ends.buf[i]! - base;
    return {
      bytes: this.bytes.buf.slice(base, end),
      ends,
      fps: new Uint32Array(this.fps.buf.buffer.slice(8 * from, 8 * to)),
      fpsOnly,
      checkDeadlock,
    };
  }

  /** Every state, as a chunk of views (no copy) for expansion on this thread. */
  whole(fpsOnly: boolean, checkDeadlock: boolean): ChunkInput {
    const n = this.count;
    return {
      bytes: this.bytes.view(),
      ends: new Uint32Array(this.ends.buf.buffer, 0, n),
      fps: new Uint32Array(this.fps.buf.buffer, 0, 2 * n),
      fpsOnly,
      checkDeadlock,
    };
  }

  /** Decodes state i. */
  decode<S>(codec: StateCodec<S>, i: number): S {
    return codec.decode(new ByteReader(this.bytes.buf, i === 0 ? 0 : this.ends.buf[i - 1]!));
  }
}

export function exploreParallel<S, L>(
  system: TransitionSystem<S, L>,
  options: ExploreOptions<S, L>,
  parallel: ParallelOptions<S>,
): ExploreResult<S, L> {
  checkLimits(options, parallel.workers, true);
  releaseLevelPool();
  // Constraints and step checks are evaluated where the states are stored, i.e. on this
  // thread: such a system is explored by the single-threaded explorer (same results).
  if (system.inModel !== undefined || system.checkStep !== undefined) return explore(system, options);
  const run = new ParallelRun(system, options, parallel);
  try {
    return run.run();
  } catch (e) {
    // A worker died: an internal error, with what the search had done.
    if (e instanceof WorkerDied) e.stats = run.partialStats();
    // An interrupt while this thread waited for the workers or ran a step itself.
    if (e instanceof Interrupted) return { outcome: { kind: 'limit', limit: 'interrupted' }, stats: run.partialStats() };
    throw e;
  } finally {
    run.close();
  }
}

class ParallelRun<S, L> {
  private readonly invariants: readonly Invariant<S>[];
  private readonly checkDeadlock: boolean;
  private readonly maxStates: number;
  private readonly maxDepth: number;
  private readonly onProgress: ((p: Progress) => void) | undefined;
  private readonly progressPeriodMs: number;
  private readonly codec: StateCodec<S>;
  private readonly eager: boolean;

  private readonly seen: SeenSet;
  /**
   * Temporal properties: the seen set numbering states (`seen` itself), the state graph
   * recorded in explore()'s order, and per expander (the workers', then this thread's) its
   * step tags mapped to the recorder's numbering.
   */
  private readonly numbered: FingerprintSet | null;
  private readonly graph: GraphRecorder<S, L> | null;
  private readonly tagMaps: number[][] = [];
  private readonly predicateWords: number;
  private readonly bitsScratch: Uint32Array;
  private readonly replay = new ReplayIndex();
  private readonly fp = new Uint32Array(2);

  private current = new Level();
  private next = new Level();
  private readonly local: Expander<S, L>;
  private pool: WorkerPool | null = null;

  private parentId = -1;
  private emitted = 0;
  private level = 1;
  private generated = 0;
  private depth = 0;
  private depthLimitHit = false;
  private stop: Stop | null = null;
  /** The fingerprint of the state the stop is about, to check the trace rebuilt to it. */
  private readonly stopFp = new Uint32Array(2);
  private queue = 0;
  private readonly startMs = performance.now();
  /** Expansions, and slots of the states emitted since the last checkpoint, as in explore(). */
  private expanded = 0;
  private emittedSlots = 0;
  private readonly slots: number;
  private lastProgressMs = Date.now();
  /** Where the coordinator's time goes (printed on stderr with SPEX_PARALLEL_PROFILE=1). */
  private readonly prof = { localLevels: 0, poolLevels: 0, chunks: 0, localMs: 0, sendMs: 0, waitMs: 0, mergeMs: 0 };
  /** For encoding initial states. */
  private readonly scratch = new ByteWriter(256);

  constructor(
    private readonly system: TransitionSystem<S, L>,
    options: ExploreOptions<S, L>,
    private readonly parallel: ParallelOptions<S>,
  ) {
    this.invariants = system.invariants;
    this.slots = stateSlots(system);
    this.checkDeadlock = options.checkDeadlock;
    this.maxStates = options.maxStates ?? Infinity;
    this.maxDepth = options.maxDepth ?? Infinity;
    this.onProgress = options.onProgress;
    this.progressPeriodMs = options.progressPeriodMs ?? PROGRESS_PERIOD_MS;
    this.codec = parallel.codec;
    this.eager = parallel.eager ?? process.env.SPEX_WORKERS_EAGER === '1';
    const record = options.recordGraph;
    if (record !== undefined && parallel.localTagger === undefined) throw new Error('internal error: recording the graph on threads needs a tagger for the main thread');
    this.graph = record !== undefined ? new GraphRecorder(record) : null;
    this.numbered = record !== undefined ? new FingerprintSet() : null;
    this.seen = this.numbered ?? new CompactFingerprintSet();
    // This thread's expander tags steps with a tagger of its own, as the workers' do.
    this.local = new Expander(system, parallel.codec, record !== undefined ? { edgeTag: parallel.localTagger as (label: L) => number, predicates: record.predicates } : undefined);
    this.predicateWords = this.local.predicateWords;
    this.bitsScratch = new Uint32Array(Math.max(1, this.predicateWords));
    for (let w = 0; w <= parallel.workers; w++) this.tagMaps.push([]);
  }

  close(): void {
    this.pool?.close();
    this.pool = null;
  }

  /** The statistics so far, for a search that cannot go on. */
  partialStats(): ExploreResult<S, L>['stats'] {
    return searchStats(this.seen.size, this.generated, this.depth, this.current.count + this.next.count, this.elapsedSeconds(), this.seen.bytesUsed() + this.replay.bytes);
  }

  run(): ExploreResult<S, L> {
    if (this.eager) {
      this.pool = new WorkerPool(this.parallel.workers, this.parallel.setup);
      this.pool.waitReady();
    }
    try {
      this.system.initialStates(this.emitInitial);
    } catch (e) {
      if (e !== CUT_SHORT) {
        if (!(e instanceof ModelError)) throw e;
        this.stop ??= { kind: 'fault', error: e, state: -1 };
      }
    }
    if (this.stop !== null) this.queue = this.next.count;

    while (this.stop === null && this.next.count > 0) {
      const done = this.current;
      this.current = this.next;
      this.next = done;
      done.clear();
      const currentLevel = this.level;
      this.level = currentLevel + 1;
      this.expandLevel(currentLevel >= this.maxDepth);
    }
    this.close();
    if (process.env.SPEX_PARALLEL_PROFILE === '1') {
      const p = this.prof;
      const ms = (x: number): string => `${(x / 1000).toFixed(2)} s`;
      process.stderr.write(
        `parallel: ${p.localLevels} levels on the coordinator (${ms(p.localMs)} expanding), ${p.poolLevels} on ${this.parallel.workers} workers ` +
          `in ${p.chunks} chunks; coordinator: cutting and sending ${ms(p.sendMs)}, waiting ${ms(p.waitMs)}, merging ${ms(p.mergeMs)}; total ${ms(performance.now() - this.startMs)}\n`,
      );
    }

    const w = this.parallel.workers;
    this.parallel.onThreads?.(
      this.prof.poolLevels > 0
        ? { threads: w, reason: `${w} threads, as asked` }
        : { threads: 1, reason: `${w} threads asked, but the search ended before the workers were worth starting` },
    );
    const outcome = this.outcome();
    const distinct = this.seen.size;
    this.seen.finishGrowing?.();
    const bytes = this.seen.bytesUsed() + this.replay.bytes;
    const result: ExploreResult<S, L> = {
      outcome,
      stats: searchStats(distinct, this.generated, this.depth, this.queue, this.elapsedSeconds(), bytes),
    };
    if (this.graph !== null && outcome.kind === 'ok') {
      result.graph = this.graph.finish(distinct, this.replay.parents(), (id) => this.trace(id), (from, ordinal, to) => this.replayEdge(from, ordinal, to));
    }
    return result;
  }

  /** Emission `ordinal` of the successors of `from`: the state and its label. */
  private emission(from: S, ordinal: number): { state: S; label: L } {
    return emissionOf(this.system, from, ordinal, this.copy());
  }

  /** How an emitted state is kept: the system's copyState, if it lends the states it emits. */
  private copy(): (state: S) => S {
    return this.system.copyState?.bind(this.system) ?? ((state: S): S => state);
  }

  /** The state and label of emission `ordinal` of `from`, which must lead to state `to` (graph paths). */
  private replayEdge(from: S, ordinal: number, to: number): { state: S; label: L } {
    return replayedEdge(this.system, from, ordinal, to, this.copy(), (hi, lo) => this.numbered!.indexOf(hi, lo));
  }

  /**
   * merge when the state graph is recorded: as merge, and as explore() records the graph,
   * an edge per emission (to the state's index, new or not) and the predicate values of each
   * new state. `expander` is the expander the chunk came from (its tags are its own).
   */
  private mergeGraph(out: ChunkOutput, from: number, to: number, storeNew: boolean, expander: number): boolean {
    const meta = out.meta;
    const bytes = out.bytes;
    const level = this.current;
    const ids = level.ids.buf;
    const numbered = this.numbered!;
    const graph = this.graph!;
    const words = this.predicateWords;
    const tagMap = this.tagMaps[expander]!;
    const bits = this.bitsScratch;
    let m = 0;
    let b = 0;
    for (let i = from; i < to; i++) {
      const id = ids[i]!;
      const count = meta[m]!;
      const flags = meta[m + 1]!;
      m += 2;
      this.parentId = id;
      graph.beginState(id);
      let emitted = 0;
      for (let k = 0; k < count && this.stop === null; k++) {
        const hi = meta[m]!;
        const lo = meta[m + 1]!;
        const local = meta[m + 2]!;
        const info = meta[m + 3]!;
        m += 4;
        const start = b;
        let pm = -1;
        if (info >= 0) {
          b += info >>> 1;
          pm = m;
          m += 1 + words;
        }
        const ordinal = emitted++;
        this.generated++;
        if (!storeNew) {
          if (!this.depthLimitHit && !numbered.has(hi, lo)) this.depthLimitHit = true;
          continue;
        }
        if (numbered.size >= this.maxStates) {
          if (!numbered.has(hi, lo)) this.stop = { kind: 'limit', limit: 'states' };
          continue;
        }
        const r = numbered.insertOrFind(hi, lo);
        if (r >= 0) {
          graph.taggedEdge(r, this.tagOf(tagMap, local, level, i, ordinal));
          continue;
        }
        const index = ~r;
        this.replay.record(index, this.parentId, ordinal);
        if (this.level > this.depth) this.depth = this.level;
        if (info < 0) {
          throw new Error('internal error: a worker did not send a state that is new to the coordinator');
        }
        if ((info & 1) !== 0) {
          const state = this.codec.decode(new ByteReader(bytes, start));
          if (this.violates(state, index)) continue;
        }
        graph.taggedEdge(index, this.tagOf(tagMap, local, level, i, ordinal));
        if (meta[pm]! !== 0) {
          // A predicate threw on the new state: its fault, as explore() reports it.
          const state = this.codec.decode(new ByteReader(bytes, start));
          const error = graph.predicatesFault(state, index);
          if (error === undefined) throw new Error('internal error: a predicate that threw in a worker holds on the main thread; the transition system is not deterministic');
          this.stopAt({ kind: 'fault', error, state: index }, state);
          continue;
        }
        for (let w = 0; w < words; w++) bits[w] = meta[pm + 1 + w]!;
        graph.predicateBits(index, bits, 0);
        this.next.add(bytes, start, b, index, hi, lo);
      }
      if (!this.afterState(level, i, id, flags, count, numbered.size)) return false;
    }
    return true;
  }

  /**
   * The recorder's tag for an expander's tag: mapped the first time the pair is met, in edge
   * order, by replaying the emission for its label (so the recorder numbers fairness units in
   * the order explore() meets them).
   */
  private tagOf(tagMap: number[], local: number, level: Level, i: number, ordinal: number): number {
    if (local < 0) return -1;
    const tag = tagMap[local];
    if (tag !== undefined) return tag;
    return (tagMap[local] = this.graph!.tagOf(this.emission(level.decode(this.codec, i), ordinal).label));
  }

  /** Expands the current level into the next; sets `stop` and `queue` if the run ends in it. */
  private expandLevel(atMaxDepth: boolean): void {
    const level = this.current;
    const n = level.count;
    const workers = this.parallel.workers;
    if (this.pool === null && n >= SPAWN_AT) this.pool = new WorkerPool(workers, this.parallel.setup);
    const usePool = this.pool !== null && (this.eager || (n >= PARALLEL_MIN && this.pool.ready));
    const prof = this.prof;
    let t = performance.now();
    if (!usePool) {
      const out = this.local.expand(level.whole(atMaxDepth, this.checkDeadlock));
      const t1 = performance.now();
      if (this.graph !== null) this.mergeGraph(out, 0, n, !atMaxDepth, workers);
      else this.merge(out, 0, n, !atMaxDepth);
      prof.localLevels++;
      prof.localMs += t1 - t;
      prof.mergeMs += performance.now() - t1;
      return;
    }
    const pool = this.pool!;
    const chunks = this.eager ? Math.min(n, workers * CHUNKS_PER_WORKER) : Math.max(1, Math.min(workers * CHUNKS_PER_WORKER, Math.floor(n / MIN_CHUNK)));
    const bounds: number[] = [];
    for (let c = 0; c <= chunks; c++) bounds.push(Math.floor((c * n) / chunks));
    for (let c = 0; c < chunks; c++) pool.send(c % workers, level.chunk(bounds[c]!, bounds[c + 1]!, atMaxDepth, this.checkDeadlock));
    prof.poolLevels++;
    prof.chunks += chunks;
    let t1 = performance.now();
    prof.sendMs += t1 - t;
    for (let c = 0; c < chunks; c++) {
      const out = pool.receive(c % workers);
      t = performance.now();
      prof.waitMs += t - t1;
      const going = this.graph !== null ? this.mergeGraph(out, bounds[c]!, bounds[c + 1]!, !atMaxDepth, c % workers) : this.merge(out, bounds[c]!, bounds[c + 1]!, !atMaxDepth);
      t1 = performance.now();
      prof.mergeMs += t1 - t;
      if (!going) {
        // Results still on their way are dropped with the workers.
        this.close();
        return;
      }
    }
  }

  /**
   * Merges one chunk's expansion results (states [from, to) of the current level), emission
   * by emission, as the single-threaded explorer's emit does. False when the run stopped.
   */
  private merge(out: ChunkOutput, from: number, to: number, storeNew: boolean): boolean {
    const meta = out.meta;
    const bytes = out.bytes;
    const level = this.current;
    const ids = level.ids.buf;
    const seen = this.seen;
    let m = 0;
    let b = 0;
    for (let i = from; i < to; i++) {
      const id = ids[i]!;
      const count = meta[m]!;
      const flags = meta[m + 1]!;
      m += 2;
      this.parentId = id;
      let emitted = 0;
      for (let k = 0; k < count && this.stop === null; k++) {
        const hi = meta[m]!;
        const lo = meta[m + 1]!;
        const info = meta[m + 2]!;
        m += 3;
        const start = b;
        if (info >= 0) b += info >>> 1;
        const ordinal = emitted++;
        this.generated++;
        if (!storeNew) {
          if (!this.depthLimitHit && !seen.has(hi, lo)) this.depthLimitHit = true;
          continue;
        }
        if (seen.size >= this.maxStates) {
          if (!seen.has(hi, lo)) this.stop = { kind: 'limit', limit: 'states' };
          continue;
        }
        const index = seen.add(hi, lo);
        if (index < 0) continue;
        this.replay.record(index, this.parentId, ordinal);
        if (this.level > this.depth) this.depth = this.level;
        if (info < 0) {
          throw new Error('internal error: a worker did not send a state that is new to the coordinator');
        }
        if ((info & 1) !== 0) {
          const state = this.codec.decode(new ByteReader(bytes, start));
          if (this.violates(state, index)) continue;
        }
        this.next.add(bytes, start, b, index, hi, lo);
      }
      if (!this.afterState(level, i, id, flags, count, seen.size)) return false;
    }
    return true;
  }

  /**
   * What follows the merge of state i's emissions (id its number, `count` its successors), in
   * explore()'s order: its fault or deadlock, then, as often as explore() has one, the
   * checkpoint (an interrupt or the memory budget stops here, as in ../explorer.ts) and
   * progress (`distinct` states so far). False when the run stops.
   */
  private afterState(level: Level, i: number, id: number, flags: number, count: number, distinct: number): boolean {
    if (this.stop === null && (flags & FLAG_FAULT) !== 0) this.replayFault(level.decode(this.codec, i), id);
    if (this.stop === null && count === 0 && this.checkDeadlock && (flags & FLAG_DEADLOCK) !== 0) {
      this.checkDeadlockAt(level.decode(this.codec, i), id);
    }
    if (this.stop !== null) {
      this.queue = level.count - i - 1 + this.next.count;
      return false;
    }
    this.emittedSlots += count * this.slots;
    if (++this.expanded % CHECK_EVERY !== 0 && this.emittedSlots < CHECK_SLOTS) return true;
    this.emittedSlots = 0;
    const why = guardStop();
    if (why !== null) {
      this.stop = { kind: 'limit', limit: why };
      this.queue = level.count - i - 1 + this.next.count;
      return false;
    }
    if (this.onProgress === undefined) return true;
    const now = Date.now();
    if (now - this.lastProgressMs >= this.progressPeriodMs) {
      this.lastProgressMs = now;
      this.onProgress({
        distinct,
        generated: this.generated,
        depth: this.depth,
        queue: level.count - i - 1 + this.next.count,
        seconds: this.elapsedSeconds(),
      });
    }
    return true;
  }

  /** The single-threaded explorer's emit, for initial states (level 1, parent -1). */
  private readonly emitInitial = (state: S): void => {
    if (this.stop !== null) return;
    const ordinal = this.emitted++;
    // Very many initial states: the guard is looked at as inside a long expansion.
    if ((ordinal & LONG_EXPANSION_MASK) === LONG_EXPANSION_MASK) {
      const why = guardStop();
      if (why !== null) {
        this.stop = { kind: 'limit', limit: why };
        throw CUT_SHORT;
      }
    }
    this.generated++;
    const fp = this.fp;
    this.system.fingerprint(state, fp);
    const hi = fp[0]!;
    const lo = fp[1]!;
    if (this.seen.size >= this.maxStates) {
      if (!this.seen.has(hi, lo)) this.stop = { kind: 'limit', limit: 'states' };
      return;
    }
    const index = this.seen.add(hi, lo);
    if (index < 0) return;
    this.replay.record(index, this.parentId, ordinal);
    if (this.level > this.depth) this.depth = this.level;
    if (this.violates(state, index)) return;
    const error = this.graph?.predicatesFault(state, index);
    if (error !== undefined) {
      this.stopAt({ kind: 'fault', error, state: index }, state);
      return;
    }
    const w = this.scratch;
    w.clear();
    this.codec.encode(state, w);
    this.next.add(w.buf, 0, w.pos, index, hi | 0, lo | 0);
  };

  /** Checks every invariant on a newly stored state; records a stop on failure. */
  private violates(state: S, index: number): boolean {
    const stop = invariantStop(this.invariants, state, index);
    if (stop === null) return false;
    this.stopAt(stop, state);
    return true;
  }

  /** Records why the run stops, and the fingerprint of the state it stops on. */
  private stopAt(stop: Stop, state: S): void {
    this.stop = stop;
    this.system.fingerprint(state, this.stopFp);
  }

  /** A worker saw the step fail on this state: fail it here, to get the very error. */
  private replayFault(state: S, id: number): void {
    this.stopAt(replayedFault(this.system, state, id), state);
  }

  private checkDeadlockAt(state: S, id: number): void {
    const stop = deadlockStop(this.system, state, id);
    if (stop !== null) this.stopAt(stop, state);
  }

  private outcome(): Outcome<S, L> {
    return outcomeOf(this.stop, this.depthLimitHit, (state) => this.trace(state));
  }

  private trace(target: number): Trace<S, L> {
    const stop = this.stop;
    const expect = stop !== null && stop.kind !== 'limit' && stop.state === target ? this.stopFp : undefined;
    return rebuildTrace(this.system, this.seen, this.replay, target, expect);
  }

  private elapsedSeconds(): number {
    return (performance.now() - this.startMs) / 1000;
  }
}
