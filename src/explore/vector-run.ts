/**
 * The single-threaded breadth-first search for systems whose states are fixed-width vectors
 * of numbers (the packed engine's, `TransitionSystem.vectorWidth`): explore() hands them here
 * when nothing needs the states as objects (no step checks). State constraints (`inModel`, a
 * predicate of the vector) are taken as explore() takes them, and so is the state graph of
 * temporal properties (`recordGraph`, whose predicates are of the vector too).
 *
 * It does what BreadthFirstRun (explorer.ts) does, with the same counts, verdicts, traces,
 * limits and checkpoints, in the same order; only the representation differs:
 *   - the two levels are flat typed arrays, `width` numbers a state, so a stored state costs
 *     no allocation and the garbage collector has nothing to trace. A level grows in chunks
 *     (LEVEL_CHUNK numbers each; the first doubles until it is that big), so that a level of
 *     wide states is never copied to grow, and is not bounded by the largest typed array. The
 *     state being expanded
 *     is read from its level by the system's successorsAt (the packed engine's), or copied
 *     into one reused array for `successors`. They are arrays of the narrowest type that
 *     holds the system's numbers (`vectorNumbers`: a byte a slot for a packed state of small
 *     codes); for a layout with an unbounded Int, of the narrowest type for its other slots
 *     (`vectorUnbounded`: a byte a slot for small codes again) until a state holds a number
 *     that type does not (only the unbounded slots are looked at), or, for a system that says
 *     neither, Int32Arrays until a state holds a number beyond 32 bits: from then on
 *     Float64Arrays, which hold any safe integer;
 *   - a level's states are numbered consecutively (new states are numbered, checked and
 *     queued in the order they turn up), so a state's number is the level's first number plus
 *     its position, and no array of numbers is kept;
 *   - the seen set is a FlatFingerprintSet (faster than CompactFingerprintSet, at 10.7–21.3
 *     bytes a state rather than 10–12); with the state graph, a numbered one, which gives
 *     the number of a state seen before for the edge to it.
 */
import { FlatFingerprintSet } from './flat-set.js';
import { GraphRecorder } from './state-graph.js';
import { levelArrayOf, releaseLevelPool, retire } from './level-pool.js';
import { ModelError, directSuccessors, levelArrayType, replayedEdge, type Invariant, type LevelArray, type VectorNumbers, type StepCoverage, type TransitionSystem, type VectorSuccessors } from './system.js';
import { ReplayIndex, rebuildTrace, type Trace } from './trace.js';
import { deadlockStop, invariantStop, outcomeOf, searchStats, type Stop } from './stop.js';
import { CHECK_EVERY, CHECK_SLOTS, CUT_SHORT, LONG_EXPANSION_MASK, budgetWouldPass, guardStop, noteMemoryStop } from './guard.js';
import { continueOnDisk, exploreOnDisk, type Handover, type StateList } from './disk/explorer.js';
import { CheckpointWriter, readTableKeys } from './disk/memory-checkpoint.js';
import type { Manifest } from './disk/checkpoint.js';
import { DiskError, StateReader } from './disk/files.js';
import { readReplayFile } from './disk/replay-file.js';
import { join } from 'node:path';
import type { ExploreOptions, ExploreResult, Outcome, Progress } from './explorer.js';
import { groupDigits } from '../values/format.js';

/** A system whose states are arrays of exactly `vectorWidth` numbers. */
export interface FlatVectorSystem<L> extends TransitionSystem<number[], L> {
  readonly vectorWidth: number;
}

const PROGRESS_PERIOD_MS = 1000;
/**
 * The width from which a state is copied into its level with one `set` rather than a loop: the
 * call costs about 24 ns, and then 0.5 ns a slot against the loop's 1.8 (an array of small
 * integers into bytes; even at 20 slots). A `set` also leaves the array's kind alone, where
 * the loop, once V8 had seen arrays of doubles there, turned each array of small integers into
 * one of doubles before reading it.
 */
const SET_FROM_WIDTH = 16;
/**
 * The numbers of one chunk of a level (a chunk holds as many whole states as fit, at least
 * one): 8 MB of a level of bytes. Growing one array by doubling copied a level of wide states
 * again and again (a level of 20,000 states of 40,053 slots spent 2.5 s of its 8.4 s growing),
 * and a level could not pass V8's largest typed array (2^32 elements). Test-only knob:
 * `SPEX_LEVEL_CHUNK=n` makes it n numbers.
 */
const LEVEL_CHUNK = 2 ** 23;

function levelChunk(): number {
  const n = Number(process.env['SPEX_LEVEL_CHUNK'] ?? '');
  return Number.isSafeInteger(n) && n > 0 ? n : LEVEL_CHUNK;
}

/**
 * The most numbers (states times slots) a level may hold to be handed over to the threads
 * (`later`): the threads hold a level as 8-byte numbers, so a hand-over copies it into a shared
 * buffer eight times the size of a level of bytes. A level of 20,000 states of 20,001 slots
 * took 11.7 s and 3.2 GB to hand over (spec/bench/wide-pages.spex with 20,000 pages: 19 s and
 * 3.6 GB under `--workers auto`, against 4.1 s and 500 MB on one thread); 8M numbers (64 MB
 * as the threads hold them) take a few hundredths. A larger level stays here, and the hand-over
 * waits for a smaller one (a level given by number, `atLevel`, as tests give it, is handed over
 * whatever its size).
 */
const HANDOVER_MAX_NUMBERS = 8 * 2 ** 20;

/**
 * Where the search stands between two levels, for another explorer to go on from (the vector
 * explorer, with `--workers auto`): the seen set and the replay index, the level to expand
 * next (`count` states of the system's width, and their fingerprints, two words each; its first
 * state is numbered `first`, and it is level number `level`), the counts so far, when the
 * search began, and each level's emissions and milliseconds, in order. (No state was left out
 * at the depth limit yet: the level after the limit's is empty, and the search ends there.)
 */
export interface LevelStart {
  readonly seen: FlatFingerprintSet;
  readonly replay: ReplayIndex;
  /** The level's states, in chunks: each but the last full (its length a whole number of states), the last with room left. */
  readonly states: readonly LevelArray[];
  readonly fps: Uint32Array;
  readonly count: number;
  readonly first: number;
  readonly level: number;
  readonly generated: number;
  readonly depth: number;
  readonly startMs: number;
  readonly levels: readonly { readonly emitted: number; readonly ms: number }[];
}

/**
 * At the start of the first level after the search has run `afterMs`, or of level number
 * `atLevel`, the search goes on in `then`.
 */
export interface GoOnLater<L> {
  readonly afterMs: number;
  readonly atLevel?: number;
  /** The most numbers a level handed over may hold (HANDOVER_MAX_NUMBERS unless given: tests). */
  readonly maxNumbers?: number;
  readonly then: (start: LevelStart) => ExploreResult<number[], L>;
}

export function exploreVectorLevels<L>(system: FlatVectorSystem<L>, options: ExploreOptions<number[], L>, later?: GoOnLater<L>): ExploreResult<number[], L> {
  return new VectorLevelRun(system, options, later).run();
}

class VectorLevelRun<L> {
  private readonly system: FlatVectorSystem<L>;
  private readonly invariants: readonly Invariant<number[]>[];
  /** Whether the system has state constraints (inModel). */
  private readonly constrained: boolean;
  private readonly W: number;
  /** The system's vectorNumbers: the type of array its states fit as they are, if it says. */
  private readonly numbers: VectorNumbers | undefined;
  /** The system's vectorUnbounded slots, when it has no vectorNumbers: the only slots copies look at. */
  private readonly unbounded: readonly number[] | undefined;
  private readonly checkDeadlock: boolean;
  private readonly maxStates: number;
  private readonly maxDepth: number;
  private readonly onProgress: ((p: Progress) => void) | undefined;
  private readonly progressPeriodMs: number;

  /**
   * Not readonly only so that a hand-over to the disk-backed search can let them go (handOver).
   * With the state graph, the numbered set (`numbered`, the same set).
   */
  private seen: FlatFingerprintSet;
  /**
   * The state graph's recorder, and the seen set that numbers states, when the graph is
   * recorded (temporal properties): `emit` then hands each emission to `recorded`.
   */
  private readonly graph: GraphRecorder<number[], L> | null;
  private readonly numbered: FlatFingerprintSet | null;
  private replay = new ReplayIndex();
  private readonly fp = new Uint32Array(2);

  /**
   * The level being filled: `nextCount` states of W numbers; its first state's number is
   * `nextFirst`. Its full chunks (`per` states each) are `nextChunks`, in order; `next` is the
   * chunk being filled after them.
   */
  private next: LevelArray;
  private nextChunks: LevelArray[] = [];
  /** States in a chunk. */
  private readonly per: number;
  /** Full chunks of the level expanded last, to fill again (of the levels' current type). */
  private spare: LevelArray[] = [];
  /**
   * The type of the levels' arrays now: vectorNumbers, else vectorUnbounded's codes, else
   * Int32Arrays, until a state holds a number that type does not; then Int32Arrays if they hold
   * it, else Float64Arrays (widen).
   */
  private kind: VectorNumbers | 'f64';
  private nextCount = 0;
  /** The fingerprints of the level being filled, two words a state. */
  private nextFps = new Uint32Array(2048);
  /**
   * The fingerprint of the state being expanded (read from its level, not recomputed): a
   * successor with the same one is a step to itself (a stutter, common in specs), a state
   * seen before, known without looking it up in the seen set.
   */
  private parentHi = 0;
  private parentLo = 0;
  /**
   * The system's successorsAt when it fingerprints what its steps emit from what they wrote
   * (fingerprintEmitted), and where the state being expanded lies: its level and first slot.
   */
  private stepped: VectorSuccessors<number[], L> | undefined;
  private parentLevel: ArrayLike<number> = [];
  private parentBase = 0;
  private nextFirst = 0;
  /** The states of the level being expanded still to expand after the one being expanded. */
  private levelLeft = 0;
  /** When an expansion's progress was last reported (longExpansion). */
  private lastLongProgressMs = Date.now();

  /** Number of the state being expanded; -1 while emitting initial states. */
  private parentId = -1;
  private emitted = 0;
  private level = 1;
  private storeNew = true;

  private generated = 0;
  private depth = 0;
  private depthLimitHit = false;
  private stop: Stop | null = null;
  private readonly stopFp = new Uint32Array(2);
  private readonly startMs = performance.now();
  private readonly coverage: StepCoverage | null;

  private readonly options: ExploreOptions<number[], L>;
  private readonly later: GoOnLater<L> | undefined;
  /**
   * Whether the disk-backed search goes on at the memory budget (`options.disk`, unless it
   * says not to; never with coverage or the state graph, which stop there).
   */
  private readonly spill: boolean;
  /** The checkpoints (`options.disk.checkpoint`), written in the disk-backed search's format. */
  private readonly checkpoints: CheckpointWriter<number[]> | null;
  /** A resumed run: the seconds the runs before it took, and the level being filled when the checkpoint was written, to load after the level being expanded. */
  private secondsBefore = 0;
  private resumeNext: { readonly file: string; readonly count: number } | null = null;
  /** Whether the search went on on disk (handOver, or a checkpoint that had spilled). */
  private handedOver = false;
  /** An interrupt met in an expansion, with checkpoints: the next look comes right after it. */
  private lookNow = false;
  /** With `later`: each level's emissions and milliseconds. */
  private readonly levelTimes: { emitted: number; ms: number }[] = [];

  constructor(system: FlatVectorSystem<L>, options: ExploreOptions<number[], L>, later?: GoOnLater<L>) {
    this.system = system;
    this.options = options;
    this.later = later;
    this.invariants = system.invariants;
    this.constrained = system.inModel !== undefined;
    this.W = system.vectorWidth;
    this.numbers = system.vectorNumbers;
    const unbounded = this.numbers === undefined ? system.vectorUnbounded : undefined;
    this.unbounded = unbounded?.slots;
    this.kind = this.numbers ?? unbounded?.codes ?? 'i32';
    this.checkDeadlock = options.checkDeadlock;
    this.maxStates = options.maxStates ?? Infinity;
    this.maxDepth = options.maxDepth ?? Infinity;
    this.onProgress = options.onProgress;
    this.progressPeriodMs = options.progressPeriodMs ?? PROGRESS_PERIOD_MS;
    this.coverage = system.coverage?.counting === true ? system.coverage : null;
    this.spill = options.disk !== undefined && options.disk.spill !== false && this.coverage === null && options.recordGraph === undefined;
    const cp = options.disk?.checkpoint;
    this.checkpoints = cp !== undefined && this.coverage === null && options.recordGraph === undefined && later === undefined ? new CheckpointWriter(cp, options.disk!.codec) : null;
    this.per = Math.max(1, Math.floor(levelChunk() / Math.max(1, this.W)));
    this.next = levelArrayOf(this.kind, Math.max(1, this.W) * Math.min(1024, this.per));
    if (options.recordGraph !== undefined) {
      // Steps to states outside the constraints are no edges: each edge keeps its emission's ordinal.
      this.graph = new GraphRecorder(options.recordGraph, this.constrained);
      this.seen = this.numbered = FlatFingerprintSet.numbered();
      if (later !== undefined) throw new Error('internal error: a search that records the state graph cannot be handed over to the threads');
    } else {
      this.graph = null;
      this.numbered = null;
      this.seen = new FlatFingerprintSet();
    }
  }

  run(): ExploreResult<number[], L> {
    const files = this.checkpoints;
    if (files === null) return this.search(false);
    const m = files.start();
    // A checkpoint written on disk after the search had spilled: the disk-backed search resumes it.
    if (m !== null && m.run !== null) return exploreOnDisk(this.system, this.options, this.options.disk!);
    let done = false;
    try {
      if (m !== null) this.resumeFrom(m);
      const result = this.search(m !== null);
      done = true;
      if (!this.handedOver) result.disk = files.info();
      return result;
    } finally {
      // A run that ended (not interrupted) leaves nothing to resume; the disk-backed search
      // saw to its own files.
      const interrupted = this.stop !== null && this.stop.kind === 'limit' && this.stop.limit === 'interrupted';
      if (done && !interrupted && !this.handedOver) files.removeAll();
      else files.close();
    }
  }

  /**
   * Where a checkpoint (of this search or of the disk-backed one, holding no sorted run) left
   * the search: the replay index and the seen set read back, the level being expanded queued as
   * the level to expand next, and the level being filled kept for the search's first level.
   */
  private resumeFrom(m: Manifest): void {
    const files = this.checkpoints!;
    files.resumeFrom(m);
    const dir = files.dir;
    readReplayFile(join(dir, m.replay.file), m.distinct, m.replay.overflow, (i, parent, ordinal) => this.replay.record(i, parent, ordinal));
    // Sized for them all first: the keys come in the order of the table they were written
    // from, and into a table that grows as they come, the first thousands of them would all
    // have homes in its first slots (a cluster that every later one walks through).
    this.seen = new FlatFingerprintSet(m.table.keys);
    readTableKeys(join(dir, m.table.file), m.table.keys, (hi, lo) => this.seen.add(hi, lo));
    if (this.seen.size !== m.distinct || m.current.first + m.current.count + m.next.count !== m.distinct) {
      throw new DiskError('E251', `cannot resume from ${dir}: its checkpoint does not hold ${groupDigits(m.distinct)} distinct states`, 'the files were changed by something else; run the check again from the start');
    }
    this.generated = m.generated;
    this.depth = m.depth;
    this.depthLimitHit = m.depthLimitHit;
    // The search's first level makes it m.level.
    this.level = m.level - 1;
    this.secondsBefore = m.seconds;
    this.nextFirst = m.current.first + m.current.pos;
    this.load(join(dir, m.current.file), m.current.count - m.current.pos, m.current.offset);
    this.resumeNext = { file: join(dir, m.next.file), count: m.next.count };
  }

  /** Queues `count` states read from a level file from byte `offset` (a checkpoint's). */
  private load(file: string, count: number, offset: number): void {
    const reader = new StateReader(this.options.disk!.codec, file, offset);
    try {
      for (let k = 0; k < count && this.stop === null; k++) {
        const state = reader.read();
        this.system.fingerprint(state, this.fp);
        if (!this.queued(state, this.fp[0]! | 0, this.fp[1]! | 0)) this.stop = { kind: 'limit', limit: 'memory' };
      }
    } finally {
      reader.file.close();
    }
  }

  private search(resumed: boolean): ExploreResult<number[], L> {
    const system = this.system;
    const emit = this.emit;
    const W = this.W;
    let queue = 0;

    try {
      if (!resumed) system.initialStates(emit);
    } catch (e) {
      if (e !== CUT_SHORT && !(e instanceof ModelError)) throw e;
      this.stop ??= { kind: 'fault', error: e as ModelError, state: -1 };
    }
    if (this.stop !== null) queue = this.nextCount;

    // The chunks of the level being expanded; its first becomes the next level's first.
    let cur: LevelArray[] = [levelArrayOf(this.kind, this.next.length)];
    const per = this.per;
    let curFps = new Uint32Array(this.nextFps.length);
    const state: number[] = [];
    for (let k = 0; k < W; k++) state.push(0);
    const direct = directSuccessors(system);
    this.stepped = direct?.fingerprintEmitted !== undefined ? direct : undefined;
    // Expansions, and slots of the states emitted since the last checkpoint, as in explore().
    let expanded = 0;
    let emittedSlots = 0;
    let lastProgressMs = Date.now();
    let handover: Handover<number[], L> | undefined;
    const later = this.later;
    // The first measurement runs from the search's start: the levels' times then add up to
    // the time the search has run, as the policy counts it.
    let levelMs = this.startMs;
    let levelGenerated = 0;
    const files = this.checkpoints;
    const cp = this.options.disk?.checkpoint;
    // Expansions at which a checkpoint is due (the test hook), and when the last was written.
    const everyStates = cp?.everyStates ?? Infinity;
    let checkpointAt = everyStates;
    let lastCheckpointMs = files !== null ? Date.now() : 0;
    levels: while (this.stop === null && (this.nextCount > 0 || this.resumeNext !== null)) {
      if (later !== undefined) {
        const now = performance.now();
        this.levelTimes.push({ emitted: this.generated - levelGenerated, ms: now - levelMs });
        levelMs = now;
        levelGenerated = this.generated;
        const handOver = now - this.startMs >= later.afterMs || this.level >= (later.atLevel ?? Infinity);
        if (handOver && (later.atLevel !== undefined || this.nextCount * this.W <= (later.maxNumbers ?? HANDOVER_MAX_NUMBERS))) {
          // As for the disk-backed search: this frame stays on the stack, its level let go.
          cur = [];
          curFps = new Uint32Array(0);
          releaseLevelPool();
          return later.then(this.levelStart());
        }
      }
      const done = cur;
      cur = this.nextChunks;
      cur.push(this.next);
      this.nextChunks = [];
      const reuse = done[0]!;
      // Chunks of a type the levels have since widened from are let go.
      const type = levelArrayType(this.kind);
      this.next = reuse.constructor === type ? reuse : new type(reuse.length);
      for (let c = 1; c < done.length; c++) {
        const chunk = done[c]!;
        if (chunk.constructor === type) this.spare.push(chunk);
      }
      const fps = curFps;
      curFps = this.nextFps;
      this.nextFps = fps;
      const count = this.nextCount;
      const first = this.nextFirst;
      this.nextCount = 0;
      this.nextFirst = this.seen.size;
      if (this.resumeNext !== null) {
        // A resumed search's first level: the level being filled at the checkpoint goes on.
        const { file, count: n } = this.resumeNext;
        this.resumeNext = null;
        this.nextFirst = first + count;
        this.load(file, n, 0);
        if (this.stop !== null) {
          queue = count + this.nextCount;
          break;
        }
      }
      const currentLevel = this.level;
      this.level = currentLevel + 1;
      this.storeNew = currentLevel < this.maxDepth;

      let c = 0;
      let chunk = cur[0]!;
      let chunkFirst = 0;
      for (let i = 0; i < count; i++) {
        if (i - chunkFirst === per) {
          chunkFirst = i;
          chunk = cur[++c]!;
        }
        const base = (i - chunkFirst) * W;
        // With successorsAt the state is read from the level itself, and copied only when a
        // fault or a deadlock needs it as an array.
        if (direct === undefined) for (let k = 0; k < W; k++) state[k] = chunk[base + k]!;
        const id = first + i;
        this.parentId = id;
        this.parentHi = curFps[2 * i]! | 0;
        this.parentLo = curFps[2 * i + 1]! | 0;
        this.parentLevel = chunk;
        this.parentBase = base;
        this.emitted = 0;
        this.levelLeft = count - i - 1;
        if (this.graph !== null) this.graph.beginState(id);
        try {
          if (direct !== undefined) direct.at(chunk, base, emit);
          else system.successors(state, emit);
        } catch (e) {
          // CUT_SHORT: the search stopped in the expansion (longExpansion), and stops below.
          if (e !== CUT_SHORT) {
            if (!(e instanceof ModelError)) throw e;
            if (direct !== undefined) for (let k = 0; k < W; k++) state[k] = chunk[base + k]!;
            if (this.stop === null) this.stopAt({ kind: 'fault', error: e, state: id }, state);
          }
        }
        if (this.stop === null && this.emitted === 0 && this.checkDeadlock) {
          if (direct !== undefined) for (let k = 0; k < W; k++) state[k] = chunk[base + k]!;
          const stop = deadlockStop(system, state, id);
          if (stop !== null) this.stopAt(stop, state);
        }
        if (this.stop !== null) {
          queue = count - i - 1 + this.nextCount;
          break levels;
        }
        emittedSlots += this.emitted * W;
        if (++expanded % CHECK_EVERY === 0 || emittedSlots >= CHECK_SLOTS || expanded === checkpointAt || this.lookNow) {
          emittedSlots = 0;
          this.lookNow = false;
          const why = guardStop() ?? (this.growthPassesBudget() ? 'memory' : null);
          if (why === 'memory' && this.spill) {
            // The budget is reached: the disk-backed search goes on from here (docs/scale.md).
            handover = this.handOver(cur, count, first, i, currentLevel);
            break levels;
          }
          if (why !== null) {
            // An interrupt between two expansions: a checkpoint of where the search stands.
            if (why === 'interrupted' && files !== null) this.writeCheckpoint(files, cur, count, first, i);
            this.stop = { kind: 'limit', limit: why };
            queue = count - i - 1 + this.nextCount;
            break levels;
          }
          if (files !== null && (expanded >= checkpointAt || Date.now() - lastCheckpointMs >= cp!.everyMs)) {
            this.writeCheckpoint(files, cur, count, first, i);
            checkpointAt = expanded + everyStates;
            lastCheckpointMs = Date.now();
          }
          if (this.onProgress === undefined) continue;
          const now = Date.now();
          if (now - lastProgressMs >= this.progressPeriodMs) {
            lastProgressMs = now;
            this.onProgress({
              distinct: this.seen.size,
              generated: this.generated,
              depth: this.depth,
              queue: count - i - 1 + this.nextCount,
              seconds: this.elapsedSeconds(),
            });
          }
        }
      }
    }
    if (handover !== undefined) {
      this.handedOver = true;
      // Let the levels go before the disk-backed search runs: this frame stays on the stack.
      releaseLevelPool();
      cur = [];
      curFps = new Uint32Array(0);
      return continueOnDisk(handover, this.options.disk!);
    }
    retire([...cur, ...this.nextChunks, this.next, ...this.spare], this.per * W);
    cur = [];
    // Rebuilding traces replays steps: they must not count as the search's.
    system.coverage?.searchEnded();

    const outcome = this.outcome();
    const distinct = this.seen.size;
    const bytes = this.seen.bytesUsed() + this.replay.bytes;
    const result: ExploreResult<number[], L> = { outcome, stats: searchStats(distinct, this.generated, this.depth, queue, this.elapsedSeconds(), bytes) };
    if (this.graph !== null && outcome.kind === 'ok') {
      result.graph = this.graph.finish(distinct, this.replay.parents(), (id) => this.trace(id), (from, ordinal, to) => this.replayEdge(from, ordinal, to));
    }
    return result;
  }

  /**
   * The search's state after expanding state i of the current level (`count` states from
   * number `first`, in `cur`), for the disk-backed search, as explore()'s handOver gives it:
   * the levels as vectors, the seen set and the replay index, which this run then lets go.
   */
  private handOver(cur: LevelArray[], count: number, first: number, i: number, currentLevel: number): Handover<number[], L> {
    const current = this.levelView(cur, i + 1, count);
    const next = this.levelView([...this.nextChunks, this.next], 0, this.nextCount);
    const from = first + i + 1;
    if ((next.length > 0 && this.nextFirst !== from + current.length) || from + current.length + next.length !== this.seen.size) {
      throw new Error('internal error: the levels are not numbered consecutively at the hand-over to the disk-backed search');
    }
    if (this.numbered !== null) throw new Error('internal error: a search that records the state graph cannot go on on disk');
    const files = this.checkpoints;
    // The disk-backed search writes its checkpoints where this search wrote its own.
    files?.close();
    const h: Handover<number[], L> = {
      system: this.system, options: this.options, seen: this.seen, replay: this.replay,
      current, first: from, next, generated: this.generated, depth: this.depth, depthLimitHit: this.depthLimitHit,
      level: currentLevel + 1, startMs: this.startMs - 1000 * this.secondsBefore,
      ...(files !== null ? { checkpoints: { written: files.checkpoints, ...(files.resumed ? { resumed: files.resumed } : {}) } } : {}),
    };
    this.seen = new FlatFingerprintSet();
    this.replay = new ReplayIndex();
    this.next = new Int32Array(0);
    this.nextChunks = [];
    this.spare = [];
    this.nextFps = new Uint32Array(0);
    this.nextCount = 0;
    return h;
  }

  /**
   * A view of states `from` to `to` of a level (its chunks), read once, in order, as a
   * checkpoint or the disk-backed search writes them out: one array refilled for each state,
   * not an array a state beside the levels.
   */
  private levelView(level: readonly LevelArray[], from: number, to: number): StateList<number[]> {
    const W = this.W;
    const per = this.per;
    return {
      length: to - from,
      *[Symbol.iterator]() {
        const state = new Array<number>(W).fill(0);
        for (let k = from; k < to; k++) {
          const chunk = level[Math.floor(k / per)]!;
          const base = (k % per) * W;
          for (let j = 0; j < W; j++) state[j] = chunk[base + j]!;
          yield state;
        }
      },
    };
  }

  /** A checkpoint after the expansion of state i of the current level (`count` states from number `first`, in `cur`). */
  private writeCheckpoint(files: CheckpointWriter<number[]>, cur: LevelArray[], count: number, first: number, i: number): void {
    files.write({
      seen: this.seen, replay: this.replay,
      current: this.levelView(cur, i + 1, count), first: first + i + 1,
      next: this.levelView([...this.nextChunks, this.next], 0, this.nextCount),
      generated: this.generated, depth: this.depth, depthLimitHit: this.depthLimitHit, level: this.level, seconds: this.elapsedSeconds(),
    });
  }

  /** The search between two levels, for `later` (the level filled last is the one to expand). */
  private levelStart(): LevelStart {
    if (this.numbered !== null) throw new Error('internal error: a search that records the state graph cannot be handed over to the threads');
    const start: LevelStart = {
      seen: this.seen, replay: this.replay, states: [...this.nextChunks, this.next], fps: this.nextFps, count: this.nextCount, first: this.nextFirst,
      level: this.level, generated: this.generated, depth: this.depth, startMs: this.startMs,
      levels: this.levelTimes,
    };
    this.seen = new FlatFingerprintSet();
    this.replay = new ReplayIndex();
    return start;
  }

  /** Receives every emitted state, initial or successor, as explore()'s `emit`. */
  private readonly emit = (state: number[], label?: L): void => {
    // Once the search has stopped for a limit, the rest of the expansion is cut short, as in
    // explore(); after a violation the system is left to run on (its trace is replayed).
    if (this.stop !== null) {
      if (this.stop.kind === 'limit' && this.coverage === null) throw CUT_SHORT;
      return;
    }
    const ordinal = this.emitted++;
    if ((ordinal & LONG_EXPANSION_MASK) === LONG_EXPANSION_MASK) this.longExpansion(ordinal, label);
    this.generated++;
    const fp = this.fp;
    const stepped = this.stepped;
    if (stepped !== undefined && this.parentId >= 0) stepped.fingerprintEmitted!(state, this.parentLevel, this.parentBase, this.parentHi, this.parentLo, fp);
    else this.system.fingerprint(state, fp);
    // Fingerprints travel as int32s (the same 32 bits; the seen set and the fps arrays take them
    // so): a uint32 past 2^31 is a double in a field and a heap number when passed to a call
    // that is not inlined, an allocation for every new state.
    const hi = fp[0]! | 0;
    const lo = fp[1]! | 0;
    if (this.numbered !== null) return this.recorded(state, label, ordinal, hi, lo);
    // A step to the state being expanded: seen, whatever follows would find (initial states have no parent).
    if (hi === this.parentHi && lo === this.parentLo && this.parentId >= 0) return;
    if (!this.storeNew) {
      if (!this.depthLimitHit && !this.seen.has(hi, lo) && (this.constrained === false || this.isInModel(state, ordinal))) this.depthLimitHit = true;
      return;
    }
    if (this.constrained && !this.isInModel(state, ordinal)) {
      // Outside the constraints (or they failed: a stop): checked, never stored, as in explore().
      if (this.stop === null) {
        const stop = invariantStop(this.invariants, state, this.parentId, ordinal);
        if (stop !== null) this.stopAt(stop, state);
      }
      return;
    }
    if (this.seen.size >= this.maxStates) {
      if (!this.seen.has(hi, lo)) this.stop = { kind: 'limit', limit: 'states' };
      return;
    }
    const index = this.seen.add(hi, lo);
    if (index >= 0) this.stored(state, index, ordinal, hi, lo, label);
  };

  /**
   * The rest of `emit` when the state graph is recorded, as explore()'s: every step from an
   * expanded state to a state stored is an edge, to itself and to a state seen before included
   * (with its emission's ordinal when there are constraints); as there, none out of a state at
   * the depth limit and none once --max-states states are stored (runCheck leaves such a graph
   * unchecked). Apart, so that the common path stays small for the JIT.
   */
  private recorded(state: number[], label: L | undefined, ordinal: number, hi: number, lo: number): void {
    if (!this.storeNew) {
      if (!this.depthLimitHit && !this.seen.has(hi, lo) && (this.constrained === false || this.isInModel(state, ordinal))) this.depthLimitHit = true;
      return;
    }
    const parent = this.parentId;
    // A step to the state being expanded (an edge: a stutter) met the constraints when it was stored.
    const self = hi === this.parentHi && lo === this.parentLo && parent >= 0;
    if (this.constrained && !self && !this.isInModel(state, ordinal)) {
      if (this.stop === null) {
        const stop = invariantStop(this.invariants, state, parent, ordinal);
        if (stop !== null) this.stopAt(stop, state);
      }
      return;
    }
    if (this.seen.size >= this.maxStates) {
      if (!this.seen.has(hi, lo)) this.stop = { kind: 'limit', limit: 'states' };
      return;
    }
    const r = this.numbered!.insertOrFind(hi, lo);
    if (r >= 0) {
      if (parent >= 0) this.graph!.edge(r, label as L, ordinal);
      return;
    }
    this.stored(state, ~r, ordinal, hi, lo, label);
  }

  /**
   * Replays the edge that is emission `ordinal` of state `from`, which must lead to state `to`
   * (explore()'s replayEdge): the state and label it produces.
   */
  private replayEdge(from: number[], ordinal: number, to: number): { state: number[]; label: L } {
    return replayedEdge(this.system, from, ordinal, to, (s) => s.slice(), (hi, lo) => this.numbered!.numberOf(hi, lo));
  }

  /**
   * The system's state constraints on an emitted state (explore()'s isInModel): a ModelError
   * in them stops the search with a fault at that emission. A step to the state being
   * expanded is not asked (emit leaves it out before): that state met them when it was stored,
   * and they are a function of the state.
   */
  private isInModel(state: number[], ordinal: number): boolean {
    try {
      return this.system.inModel!(state, undefined, undefined);
    } catch (e) {
      if (!(e instanceof ModelError)) throw e;
      this.stopAt({ kind: 'fault', error: e, state: this.parentId, via: ordinal }, state);
      return false;
    }
  }

  /**
   * A new state, numbered `index`: recorded for traces, checked, queued. Apart from `emit`,
   * whose common case (a state seen before: most emissions) stays small for the JIT.
   */
  private stored(state: number[], index: number, ordinal: number, hi: number, lo: number, label: L | undefined): void {
    this.replay.record(index, this.parentId, ordinal);
    if (this.level > this.depth) this.depth = this.level;
    if (this.coverage !== null && this.parentId >= 0) this.coverage.discovered();
    const invariants = this.invariants;
    for (let k = 0; k < invariants.length; k++) {
      let holds = false;
      try {
        holds = invariants[k]!.holds(state);
      } catch {
        // Evaluated again below, to report it.
      }
      if (!holds) {
        // Which invariant fails first, or what it throws (invariants are pure: the same again).
        const stop = invariantStop(invariants, state, index);
        if (stop === null) throw new Error('internal error: an invariant that failed holds when evaluated again');
        this.stopAt(stop, state);
        return;
      }
    }
    const graph = this.graph;
    if (graph !== null) {
      if (this.parentId >= 0) graph.edge(index, label as L, ordinal);
      const error = graph.predicatesFault(state, index);
      if (error !== undefined) {
        this.stopAt({ kind: 'fault', error, state: index }, state);
        return;
      }
    }
    // Counted and checked, not queued: the search stops here.
    if (!this.queued(state, hi, lo)) this.stop = { kind: 'limit', limit: 'memory' };
  }

  /**
   * Appends a state and its fingerprint to the level being filled; false, with the memory
   * note, when the level cannot grow.
   */
  private queued(state: number[], hi: number, lo: number): boolean {
    const W = this.W;
    let inChunk = this.nextCount - this.nextChunks.length * this.per;
    if (inChunk === this.per) {
      if (!this.newChunk()) return false;
      inChunk = 0;
    }
    const at = inChunk * W;
    if (at + W > this.next.length && !this.growNext(at + W)) return false;
    const next = this.next;
    // Copied and checked in one pass: a number an Int32Array does not hold as it is (past 32
    // bits, or not an integer) reads back different, and the level is widened and the state
    // copied again. Not for a system whose numbers all fit (vectorNumbers): 6 % of
    // counter-grid K=21's search.
    let exact = true;
    if (this.numbers !== undefined) {
      // A wide state in one call: V8 copies an array of small integers natively (see
      // SET_FROM_WIDTH); a few slots cost less than the call.
      if (W >= SET_FROM_WIDTH && state.length === W) next.set(state, at);
      else for (let k = 0; k < W; k++) next[at + k] = state[k]!;
    } else if (this.unbounded !== undefined && W >= SET_FROM_WIDTH && state.length === W) {
      // The other slots' codes fit the level's type (vectorUnbounded): one native copy, then a
      // look at the unbounded slots.
      next.set(state, at);
      const unbounded = this.unbounded;
      for (let j = 0; j < unbounded.length; j++) {
        const k = unbounded[j]!;
        if (next[at + k] !== state[k]) {
          exact = false;
          break;
        }
      }
    } else {
      for (let k = 0; k < W; k++) {
        const x = state[k]!;
        next[at + k] = x;
        if (next[at + k] !== x) exact = false;
      }
    }
    if (!exact) {
      this.widen(state);
      const wide = this.next;
      for (let k = 0; k < W; k++) wide[at + k] = state[k]!;
    }
    let fps = this.nextFps;
    const f = 2 * this.nextCount;
    if (f + 2 > fps.length) {
      fps = new Uint32Array(Math.max(fps.length * 2, f + 2));
      fps.set(this.nextFps);
      this.nextFps = fps;
    }
    fps[f] = hi;
    fps[f + 1] = lo;
    this.nextCount++;
    return true;
  }

  /**
   * From now on the levels are of a type that holds `state` as it is: Int32Arrays if they
   * do (from bytes or 16 bits), else Float64Arrays, which hold any number. The chunk being
   * filled is converted (the full ones hold their numbers exactly as they are), and the spare
   * chunks are let go.
   */
  private widen(state: readonly number[]): void {
    if (this.kind === 'f64') return;
    const fits32 = this.kind !== 'i32' && state.every((x) => x === (x | 0));
    this.kind = fits32 ? 'i32' : 'f64';
    this.next = new (levelArrayType(this.kind))(this.next);
    this.spare = [];
  }

  /**
   * Whether the next growth of the level being filled would take the process past the memory
   * budget: a chunk as big as the one being filled (a new one, or the first one copied into
   * one twice as big), and the fingerprints copied into an array twice as big, at once. Looked
   * at from half full, where a growth is near.
   */
  private growthPassesBudget(): boolean {
    if ((this.nextCount - this.nextChunks.length * this.per) * this.W * 2 < this.next.length) return false;
    return budgetWouldPass(this.next.byteLength + this.nextFps.byteLength, 'growing the level being filled');
  }

  /**
   * Every LONG_EXPANSION_MASK + 1 emissions of one expansion (or of the initial states), as in
   * explore(): an interrupt stops the search at once (with checkpoints, once the expansion is
   * done, at a look that writes one), and the memory budget does unless the
   * disk-backed search is to go on (the budget is then met at the next look between two
   * expansions, where the search is handed over); the rest of the expansion is cut short,
   * unless steps are counted (`--coverage`, whose counts the rest still adds to). A progress
   * report, if one is due, says how far the expansion got.
   */
  private longExpansion(ordinal: number, label: L | undefined): void {
    const why = guardStop();
    if (why === 'interrupted' && this.checkpoints !== null) {
      // Finished first, so that the look after it writes a checkpoint and stops there.
      this.lookNow = true;
      return;
    }
    if (why === 'interrupted' || (why === 'memory' && !this.spill)) {
      this.stop = { kind: 'limit', limit: why };
      if (why === 'interrupted' || this.coverage === null) throw CUT_SHORT;
      return;
    }
    if (this.onProgress === undefined) return;
    const now = Date.now();
    if (now - this.lastLongProgressMs < this.progressPeriodMs) return;
    this.lastLongProgressMs = now;
    const queue = (this.parentId < 0 ? 0 : this.levelLeft) + this.nextCount;
    this.onProgress({ distinct: this.seen.size, generated: this.generated, depth: this.depth, queue, seconds: this.elapsedSeconds(), expanding: ordinal + 1, expandingLabel: label });
  }

  /**
   * The level's first chunk in an array twice as big (at least `min` numbers, at most a
   * chunk's); false, with the memory note, when the allocator refuses it.
   */
  private growNext(min: number): boolean {
    const next = this.next;
    const bigger = this.allocate(Math.min(Math.max(next.length * 2, min), this.per * this.W));
    if (bigger === null) return false;
    bigger.set(next);
    this.next = bigger;
    return true;
  }

  /** The chunk being filled is full: the next one, a spare or a new one; false as growNext. */
  private newChunk(): boolean {
    const chunk = this.spare.pop() ?? this.allocate(this.per * this.W);
    if (chunk === null) return false;
    this.nextChunks.push(this.next);
    this.next = chunk;
    return true;
  }

  /**
   * An array of n numbers of the levels' type, or null, with the memory note, when the
   * allocator refuses it (a level that grows inside one expansion, between two looks at the
   * budget).
   */
  private allocate(n: number): LevelArray | null {
    try {
      return levelArrayOf(this.kind, n);
    } catch (e) {
      if (!(e instanceof RangeError)) throw e;
      const what = `${groupDigits(this.nextCount)} states of ${groupDigits(this.W)} slots`;
      noteMemoryStop(`a level of ${what} and more: an array of ${groupDigits(n)} numbers could not be allocated`, '');
      return null;
    }
  }

  private stopAt(stop: Stop, state: number[]): void {
    this.stop = stop;
    this.system.fingerprint(state, this.stopFp);
  }

  private outcome(): Outcome<number[], L> {
    return outcomeOf(this.stop, this.depthLimitHit, (state) => this.trace(state));
  }

  private trace(target: number): Trace<number[], L> {
    const stop = this.stop;
    const at = stop !== null && stop.kind !== 'limit' && stop.state === target;
    return rebuildTrace(this.system, this.seen, this.replay, target, at ? this.stopFp : undefined, stop !== null && stop.kind !== 'limit' && stop.state === target ? stop.via : undefined);
  }

  private elapsedSeconds(): number {
    return this.secondsBefore + (performance.now() - this.startMs) / 1000;
  }
}
