/**
 * The disk-backed breadth-first search (docs/scale.md): the same search as explore()
 * (explorer.ts), with the same counts, verdict and trace, whose seen set, replay index and
 * levels are not bounded by memory.
 *
 *   - Levels are files of encoded states (StateCodec: packed vectors, or generic states as the
 *     parallel explorer encodes them). States of one level are numbered consecutively, so a
 *     level is its file, its first number and its count.
 *   - The replay index (4 bytes a state) is a file, appended to (replay-file.ts).
 *   - The seen set is an in-memory table of the recent fingerprints (CompactFingerprintSet)
 *     and one sorted run of all older ones on disk, into which the table is merged when full
 *     (TLC's DiskFPSet).
 *   - While the run is empty the table is exact and emissions are judged at once, as in
 *     explore(). Once it is not, duplicates are detected late (delayed duplicate detection):
 *     the emissions of a block of expansions that the table does not hold are kept as
 *     candidates, with their state bytes; at the block's end their keys are sorted and looked
 *     up in the run in one sequential pass, and the candidates are then judged in emission
 *     order, new states being numbered, checked and queued exactly as explore() would have.
 *     A stop found at emission time (a fault, a deadlock, a step check, a state outside the
 *     constraints) ends the block there; a candidate before it that fails its invariants wins,
 *     as it would have in explore(), and the counts are cut at the emission that stopped.
 *
 * It starts either from a hand-over of explore() at one of its checkpoints (the memory budget
 * was reached: in-memory runs pay nothing for this explorer), or from the start (checkpoints
 * asked for), or from a checkpoint (checkpoint.ts).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CompactFingerprintSet, mixedKey } from '../compact-set.js';
import type { ExploreOptions, ExploreResult, Progress } from '../explorer.js';
import { guardStop, memoryBudget, uncut } from '../guard.js';
import { releaseLevelPool } from '../level-pool.js';
import type { SeenSet } from '../seen-set.js';
import { checkLimits, deadlockStop, invariantStop, outcomeOf, searchStats, stepStop, type Stop } from '../stop.js';
import { ModelError, type Invariant, type TransitionSystem } from '../system.js';
import { rebuildTrace, ReplayIndex, type Trace } from '../trace.js';
import type { StateCodec } from '../parallel/bytes.js';
import { ByteReader, ByteWriter } from '../parallel/bytes.js';
import { hasManifest, makeCheckpointDir, namedFiles, nextFileNumber, readManifest, removeFiles, removeRunFiles, writeManifest, MANIFEST, MANIFEST_FORMAT, type CheckpointIdentity, type Manifest } from './checkpoint.js';
import { DiskError, fileSize, mergeRun, runHas, scanRun, StateReader, StateWriter } from './files.js';
import { ReplayFile } from './replay-file.js';
import { readTableKeys } from './memory-checkpoint.js';

/** How the disk-backed search may go on, given to explore() or to exploreOnDisk. */
export interface DiskOptions<S> {
  readonly codec: StateCodec<S>;
  /** Where a run without checkpoints makes its directory of files (default: the OS's temporary directory). */
  readonly spillDir?: string;
  /** Checkpoints: the directory (the run's files live there too), and how often. */
  readonly checkpoint?: {
    readonly dir: string;
    /** Milliseconds between two checkpoints. */
    readonly everyMs: number;
    /** Also after this many expansions (tests, the bench). */
    readonly everyStates?: number;
    readonly identity: CheckpointIdentity;
    /** Continue from the checkpoint in `dir` (else start afresh, removing an old one). */
    readonly resume: boolean;
    /** Test hook: the process kills itself (SIGKILL) right after this many checkpoints. */
    readonly killAfter?: number;
  };
  /** Keys of the in-memory table before it is merged into the run (default: from the memory budget). */
  readonly tableKeys?: number;
  /**
   * For an in-memory search that writes checkpoints: false if it is not to go on on disk at
   * the memory budget (--no-spill) but to stop there. (Default: it goes on.)
   */
  readonly spill?: boolean;
}

/** How a disk-backed run went, for the report. */
export interface DiskRunInfo {
  /** Whether it continued from a checkpoint, and how far that one was. */
  readonly resumed?: { readonly distinct: number; readonly written: string };
  /** Whether fingerprints went to the sorted run on disk (the table overflowed). */
  readonly spilled: boolean;
  /** The distinct count when explore() handed the search over (the memory budget was reached). */
  readonly handedOverAt?: number;
  readonly checkpoints: number;
  /** Bytes of the largest set of files at once. */
  readonly diskBytes: number;
  readonly dir: string;
}

/**
 * What explore() hands over at one of its checkpoints. The disk-backed search writes the seen
 * set, the replay index and the levels out, then empties those fields, so that no caller still
 * holding the object keeps them in memory.
 */
/** What the disk-backed search needs of a handed-over seen set. */
export interface HandedOverSet {
  /** Every key (mixedKey of the fingerprints), ascending, two words a key, low half first. */
  sortedKeys(): Uint32Array;
  bytesUsed(): number;
}

/**
 * States handed over, read once, in order: an array, or a view of a flat level that yields
 * each state as it is read (it may yield the same array each time, refilled), so that the
 * hand-over makes no second copy of the levels.
 */
export interface StateList<S> extends Iterable<S> {
  readonly length: number;
}

export interface Handover<S, L> {
  readonly system: TransitionSystem<S, L>;
  readonly options: ExploreOptions<S, L>;
  /** explore()'s CompactFingerprintSet, or the flat-level search's FlatFingerprintSet: both keep mixedKey keys. */
  seen: HandedOverSet;
  replay: ReplayIndex;
  /** The current level's states not yet expanded, numbered from `first`. */
  current: StateList<S>;
  readonly first: number;
  /** The next level so far (numbered on from the current level's last). */
  next: StateList<S>;
  readonly generated: number;
  readonly depth: number;
  readonly depthLimitHit: boolean;
  /** The level being expanded. */
  readonly level: number;
  readonly startMs: number;
  /**
   * A search that wrote checkpoints before the hand-over (in the directory of
   * DiskOptions.checkpoint): how many, and the one it resumed from, if it did. The disk-backed
   * search writes its own at once, then lets those go.
   */
  readonly checkpoints?: { readonly written: number; readonly resumed?: { readonly distinct: number; readonly written: string } };
}

/** Expansions between two looks at the clock and the guard while the table is exact. */
const CHECK_EVERY = 4096;
const PROGRESS_PERIOD_MS = 1000;
/** The smallest table and block, whatever the budget. */
const MIN_KEYS = 1 << 16;
/** Bytes a candidate takes besides its state's bytes. */
const CANDIDATE_BYTES = 48;

/** A search from the start, or from the checkpoint in options.checkpoint.dir. */
export function exploreOnDisk<S, L>(system: TransitionSystem<S, L>, options: ExploreOptions<S, L>, disk: DiskOptions<S>): ExploreResult<S, L> {
  checkLimits(options);
  if (options.recordGraph) throw new Error('internal error: the disk-backed search does not record state graphs');
  releaseLevelPool();
  return uncut(() => new DiskRun(system, options, disk).run());
}

/** Goes on from explore()'s state (the memory budget was reached). */
export function continueOnDisk<S, L>(h: Handover<S, L>, disk: DiskOptions<S>): ExploreResult<S, L> {
  return uncut(() => new DiskRun(h.system, h.options, disk, h).run());
}

/** Emission candidates of a block (deferred mode), in emission order. */
class Candidates {
  n = 0;
  hi = new Uint32Array(1024);
  lo = new Uint32Array(1024);
  parent = new Int32Array(1024);
  ordinal = new Int32Array(1024);
  /** Generated count right after the emission. */
  gen = new Float64Array(1024);
  /** Position of the expanded state in its level. */
  pos = new Int32Array(1024);
  /** FLAG_*. */
  flags = new Uint8Array(1024);
  /** End of the state's bytes in `bytes`. */
  ends = new Int32Array(1024);
  readonly bytes = new ByteWriter(1 << 16);

  push(hi: number, lo: number, parent: number, ordinal: number, gen: number, pos: number, flags: number): void {
    if (this.n === this.hi.length) this.grow();
    const i = this.n++;
    this.hi[i] = hi;
    this.lo[i] = lo;
    this.parent[i] = parent;
    this.ordinal[i] = ordinal;
    this.gen[i] = gen;
    this.pos[i] = pos;
    this.flags[i] = flags;
    this.ends[i] = this.bytes.pos;
  }

  private grow(): void {
    const g = <T extends { length: number; set(a: T): void }>(a: T, make: (n: number) => T): T => {
      const b = make(2 * a.length);
      b.set(a);
      return b;
    };
    this.hi = g(this.hi, (n) => new Uint32Array(n));
    this.lo = g(this.lo, (n) => new Uint32Array(n));
    this.parent = g(this.parent, (n) => new Int32Array(n));
    this.ordinal = g(this.ordinal, (n) => new Int32Array(n));
    this.gen = g(this.gen, (n) => new Float64Array(n));
    this.pos = g(this.pos, (n) => new Int32Array(n));
    this.flags = g(this.flags, (n) => new Uint8Array(n));
    this.ends = g(this.ends, (n) => new Int32Array(n));
  }

  clear(): void {
    this.n = 0;
    this.bytes.clear();
  }

  get byteSize(): number {
    return this.hi.length * 33 + this.bytes.buf.byteLength;
  }
}

/** A candidate at maxDepth: only noticed (depthLimitHit) if new. */
const FLAG_NO_STORE = 1;
/** Its constraint held (checked systems at maxDepth). */
const FLAG_IN_MODEL = 2;
/** Its constraint threw (checked systems at maxDepth): a fault if it is new. */
const FLAG_IN_MODEL_FAULT = 4;

/** The index of key (h, l) among the `m` sorted keys (pairs, low half first), which hold it. */
function sortedIndex(keys: Uint32Array, m: number, h: number, l: number): number {
  let lo = 0;
  let hi = m - 1;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    const mh = keys[2 * mid + 1]!;
    if (mh < h || (mh === h && keys[2 * mid]! < l)) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

class DiskRun<S, L> {
  private readonly system: TransitionSystem<S, L>;
  private readonly invariants: readonly Invariant<S>[];
  private readonly codec: StateCodec<S>;
  private readonly checkDeadlock: boolean;
  private readonly maxStates: number;
  private readonly maxDepth: number;
  private readonly onProgress: ((p: Progress) => void) | undefined;
  private readonly progressPeriodMs: number;
  private readonly checked: boolean;
  private readonly disk: DiskOptions<S>;
  /** explore()'s state, until open() has written it out. */
  private handover: Handover<S, L> | undefined;
  private handedOverAt: number | undefined;
  /** Whether the search starts from its initial states (neither a hand-over nor a checkpoint). */
  private fresh = false;

  private dir = '';
  private ownsDir = false;
  private readonly tableKeys: number;
  private readonly blockBytes: number;
  private mem = new CompactFingerprintSet();
  private run_: { file: string; keys: number } | null = null;
  private replay!: ReplayFile;
  private distinct = 0;
  private fileSeq = 0;

  private cur: { file: string; count: number; first: number; pos: number; reader: StateReader<S> | null } = { file: '', count: 0, first: 0, pos: 0, reader: null };
  private next!: { file: string; writer: StateWriter<S> };

  private level = 1;
  private storeNew = true;
  private parentId = -1;
  private expandPos = 0;
  private emitted = 0;
  private expanding: S | undefined = undefined;
  private readonly fromFp = new Uint32Array(2);
  private fromFpOf = -1;
  private readonly fp = new Uint32Array(2);
  private readonly key = new Uint32Array(2);

  private generated = 0;
  private depth = 0;
  private depthLimitHit = false;
  private stop: Stop | null = null;
  private readonly stopFp = new Uint32Array(2);
  private queue = 0;
  /** Deferred mode: a stop found at emission time, ending the block (generated then at `pendingGen`). */
  private pending: Stop | null = null;
  /** The generated count at the emission the pending stop is about; -1 for a stop about an expansion. */
  private pendingGen = -1;
  private readonly pendingFp = new Uint32Array(2);
  private readonly cands = new Candidates();
  /** resolve()'s buffers, kept from block to block. */
  private sortBuf = new Uint32Array(0);
  private foundBuf = new Uint8Array(0);

  private startMs = performance.now();
  private secondsBefore = 0;
  private checkpoints = 0;
  private lastProgressMs = Date.now();
  private lastCheckpointMs = Date.now();
  private expandedSinceCheckpoint = 0;
  private diskBytes = 0;
  /** Files the last manifest names that the run no longer needs: removed once the next one is written. */
  private obsolete: string[] = [];
  private resumed: DiskRunInfo['resumed'];

  constructor(system: TransitionSystem<S, L>, options: ExploreOptions<S, L>, disk: DiskOptions<S>, handover?: Handover<S, L>) {
    this.system = system;
    this.invariants = system.invariants;
    this.codec = disk.codec;
    this.checkDeadlock = options.checkDeadlock;
    this.maxStates = options.maxStates ?? Infinity;
    this.maxDepth = options.maxDepth ?? Infinity;
    this.onProgress = options.onProgress;
    this.progressPeriodMs = options.progressPeriodMs ?? PROGRESS_PERIOD_MS;
    this.checked = system.inModel !== undefined || system.checkStep !== undefined;
    this.disk = disk;
    this.handover = handover;
    if (handover) this.handedOverAt = handover.replay.size;
    if (handover) this.startMs = handover.startMs;
    // The table and a block of candidates share what the budget leaves, a third each.
    const budget = memoryBudget();
    const rss = process.memoryUsage.rss();
    const held = handover ? handover.seen.bytesUsed() + handover.replay.bytes : 0;
    const spare = Number.isFinite(budget) ? Math.max(0, budget - (rss - held)) : 4 * 1024 ** 3;
    const envKeys = Number(process.env['SPEX_DISK_TABLE_KEYS'] ?? '');
    this.tableKeys = disk.tableKeys ?? (Number.isSafeInteger(envKeys) && envKeys > 0 ? envKeys : Math.max(MIN_KEYS, Math.floor(spare / 3 / 12)));
    this.blockBytes = Number.isSafeInteger(envKeys) && envKeys > 0 ? envKeys * CANDIDATE_BYTES : Math.max(MIN_KEYS * CANDIDATE_BYTES, Math.floor(spare / 3));
  }

  run(): ExploreResult<S, L> {
    let done = false;
    try {
      this.open();
      if (this.fresh) this.initialStates();
      if (this.stop === null) this.levels();
      const result = this.finish();
      done = true;
      return result;
    } finally {
      this.cleanup(done);
    }
  }

  // ---- setting up ----

  private open(): void {
    const cp = this.disk.checkpoint;
    if (cp) {
      this.dir = cp.dir;
      makeCheckpointDir(this.dir);
      if (this.handover?.checkpoints !== undefined) {
        // The in-memory search wrote checkpoints here: they stay until this run's first
        // replaces them (open() writes it once the hand-over is written out).
        this.fileSeq = nextFileNumber(this.dir);
        this.checkpoints = this.handover.checkpoints.written;
        this.resumed = this.handover.checkpoints.resumed;
      } else if (cp.resume && hasManifest(this.dir)) {
        this.resume(readManifest(this.dir, cp.identity));
        return;
      } else {
        this.removeFiles(() => true);
      }
    } else {
      const base = this.disk.spillDir ?? tmpdir();
      try {
        this.dir = mkdtempSync(join(base, 'spex-spill-'));
      } catch (e) {
        throw new DiskError('E250', `cannot make a directory for the disk-backed search in ${base}: ${(e as Error).message}`, 'give --spill-dir a directory spex can write, or --no-spill to stop at --max-memory instead');
      }
      this.ownsDir = true;
    }
    this.replay = new ReplayFile(this.file('replay'));
    const h = this.handover;
    if (h === undefined) {
      this.fresh = true;
      this.next = this.newLevel();
      return;
    }
    // explore()'s state: its replay index and seen set go to files, its levels too.
    for (let i = 0; i < h.replay.size; i++) this.replay.record(i, h.replay.parent(i), h.replay.ordinal(i));
    this.distinct = h.replay.size;
    const keys = h.seen.sortedKeys();
    const run = this.file('run');
    this.run_ = { file: run, keys: mergeRun(null, keys, run, false) };
    this.generated = h.generated;
    this.depth = h.depth;
    this.depthLimitHit = h.depthLimitHit;
    this.level = h.level;
    const cur = this.newLevel();
    for (const s of h.current) cur.writer.write(s);
    cur.writer.file.close();
    this.cur = { file: cur.file, count: h.current.length, first: h.first, pos: 0, reader: new StateReader(this.codec, cur.file) };
    this.next = this.newLevel();
    for (const s of h.next) this.next.writer.write(s);
    this.storeNew = this.level - 1 < this.maxDepth;
    this.noteDiskBytes();
    // Written out: let explore()'s structures go.
    h.seen = new CompactFingerprintSet();
    h.replay = new ReplayIndex();
    h.current = [];
    h.next = [];
    this.handover = undefined;
    if (cp && h.checkpoints !== undefined) {
      // At once, so that a kill from here on resumes from this run's files, not from the
      // in-memory search's older checkpoint, whose files then go.
      const keep = namedFiles(this.writeCheckpoint());
      this.removeFiles((f) => !keep.has(f));
    }
  }

  private resume(m: Manifest): void {
    this.resumed = { distinct: m.distinct, written: m.written };
    this.checkpoints = m.checkpoints;
    this.secondsBefore = m.seconds;
    const keep = namedFiles(m);
    this.removeFiles((f) => !keep.has(f));
    this.fileSeq = nextFileNumber(this.dir);
    this.replay = new ReplayFile(join(this.dir, m.replay.file), m.distinct, m.replay.overflow);
    this.distinct = m.distinct;
    this.run_ = m.run ? { file: join(this.dir, m.run.file), keys: m.run.keys } : null;
    // The table's keys go back in: unmixed, since the table mixes what it is given.
    readTableKeys(join(this.dir, m.table.file), m.table.keys, (hi, lo) => this.mem.add(hi, lo));
    this.obsolete.push(join(this.dir, m.table.file));
    this.generated = m.generated;
    this.depth = m.depth;
    this.depthLimitHit = m.depthLimitHit;
    this.level = m.level;
    this.storeNew = this.level - 1 < this.maxDepth;
    this.cur = { file: join(this.dir, m.current.file), count: m.current.count, first: m.current.first, pos: m.current.pos, reader: null };
    this.cur.reader = new StateReader(this.codec, this.cur.file, m.current.offset);
    const nf = join(this.dir, m.next.file);
    this.next = { file: nf, writer: new StateWriter(this.codec, nf, m.next.bytes, m.next.count) };
  }

  private file(kind: string): string {
    return join(this.dir, `${kind}-${this.fileSeq++}.bin`);
  }

  private newLevel(): { file: string; writer: StateWriter<S> } {
    const file = this.file('level');
    return { file, writer: new StateWriter(this.codec, file) };
  }

  /** Removes this run's files from the directory (those `which` picks). */
  private removeFiles(which: (name: string) => boolean): void {
    removeRunFiles(this.dir, which);
  }

  private cleanup(done: boolean): void {
    this.replay?.close();
    this.next?.writer.file.abandon();
    this.cur.reader?.file.close();
    if (this.ownsDir) {
      rmSync(this.dir, { recursive: true, force: true });
      return;
    }
    // With checkpoints: a run that ended (not interrupted) leaves nothing to resume.
    const interrupted = this.stop !== null && this.stop.kind === 'limit' && this.stop.limit === 'interrupted';
    if (done && !interrupted) this.removeFiles(() => true);
  }

  // ---- the search ----

  private initialStates(): void {
    this.parentId = -1;
    this.emitted = 0;
    try {
      this.system.initialStates(this.emitExact);
    } catch (e) {
      if (!(e instanceof ModelError)) throw e;
      this.stop ??= { kind: 'fault', error: e, state: -1 };
    }
    if (this.stop !== null) this.queue = this.next.writer.count;
  }

  private get deferred(): boolean {
    return this.run_ !== null;
  }

  private levels(): void {
    const system = this.system;
    let expanded = 0;
    for (;;) {
      if (this.cur.pos >= this.cur.count) {
        if (this.deferred) this.resolve();
        if (this.stop !== null) return;
        if (this.next.writer.count === 0) return;
        this.swapLevels();
        if (this.deferred && this.atCheckpoint()) return;
        continue;
      }
      const state = this.cur.reader!.read();
      const pos = this.cur.pos++;
      const id = this.cur.first + pos;
      this.parentId = id;
      this.expandPos = pos;
      this.expanding = state;
      this.emitted = 0;
      const deferred = this.deferred;
      try {
        system.successors(state, deferred ? this.emitDeferred : this.emitExact);
      } catch (e) {
        if (!(e instanceof ModelError)) throw e;
        if (this.stop === null && this.pending === null) {
          this.halt({ kind: 'fault', error: e, state: id }, state, deferred);
          this.pendingGen = -1;
        }
      }
      if (this.stop === null && this.pending === null && this.emitted === 0 && this.checkDeadlock) {
        const stop = deadlockStop(system, state, id);
        if (stop !== null) {
          this.halt(stop, state, deferred);
          this.pendingGen = -1;
        }
      }
      let resolved = false;
      if (deferred && (this.pending !== null || this.cands.n * CANDIDATE_BYTES + this.cands.bytes.pos >= this.blockBytes)) {
        this.resolve();
        resolved = true;
      }
      if (this.stop !== null) {
        if (this.queue < 0) this.queue = this.cur.count - pos - 1 + this.next.writer.count;
        return;
      }
      this.expandedSinceCheckpoint++;
      // The checkpoint of explore(): every few thousand expansions while the table is exact,
      // at the end of each block once it is not (a block's candidates are not yet judged).
      if (!deferred && this.mem.size >= this.tableKeys) this.spill();
      if (deferred ? resolved : ++expanded % CHECK_EVERY === 0) {
        if (this.atCheckpoint()) return;
      }
    }
  }

  /**
   * Between two expansions with no candidate pending: an interrupt stops the run here (after a
   * checkpoint, with --checkpoint); a checkpoint when one is due; progress. True if it stopped.
   */
  private atCheckpoint(): boolean {
    const queue = this.cur.count - this.cur.pos + this.next.writer.count;
    if (guardStop() === 'interrupted') {
      if (this.disk.checkpoint) this.writeCheckpoint();
      this.stop = { kind: 'limit', limit: 'interrupted' };
      this.queue = queue;
      return true;
    }
    // 'memory': the table and the blocks are sized from the budget; nothing else grows.
    this.maybeCheckpoint();
    if (this.onProgress !== undefined) {
      const now = Date.now();
      if (now - this.lastProgressMs >= this.progressPeriodMs) {
        this.lastProgressMs = now;
        this.onProgress({ distinct: this.distinct, generated: this.generated, depth: this.depth, queue, seconds: this.elapsedSeconds() });
      }
    }
    return false;
  }

  /** Records a stop found at emission time: at once while the table is exact, else pending to the block's end. */
  private halt(stop: Stop, state: S, deferred: boolean): void {
    if (deferred) {
      this.pending = stop;
      this.pendingGen = this.generated;
      this.system.fingerprint(state, this.pendingFp);
    } else {
      this.stop = stop;
      this.queue = -1;
      this.system.fingerprint(state, this.stopFp);
    }
  }

  private swapLevels(): void {
    this.next.writer.file.close();
    this.cur.reader?.file.close();
    if (this.cur.file !== '') this.retire(this.cur.file);
    this.cur = { file: this.next.file, count: this.next.writer.count, first: this.cur.first + this.cur.count, pos: 0, reader: null };
    this.cur.reader = new StateReader(this.codec, this.cur.file);
    this.next = this.newLevel();
    this.level++;
    this.storeNew = this.level - 1 < this.maxDepth;
    this.noteDiskBytes();
  }

  /** A file the run no longer reads: removed now, or after the next checkpoint if the last one names it. */
  private retire(file: string): void {
    if (this.disk.checkpoint && this.checkpoints > 0) this.obsolete.push(file);
    else removeFiles([file]);
  }

  /** A new state (number `distinct`): recorded, checked, queued. False if it stopped the run. */
  private storeState(state: S): boolean {
    const index = this.distinct++;
    this.replay.record(index, this.parentId, this.emitted - 1);
    if (this.level > this.depth) this.depth = this.level;
    const stop = invariantStop(this.invariants, state, index);
    if (stop !== null) {
      this.stop = stop;
      this.queue = -1;
      this.system.fingerprint(state, this.stopFp);
      return false;
    }
    return true;
  }

  /** emit while the table is exact: explore()'s emit and emitChecked in one. */
  private readonly emitExact = (state: S, label?: L): void => {
    if (this.stop !== null) return;
    const ordinal = this.emitted++;
    this.generated++;
    const fp = this.fp;
    if (this.checked) {
      this.emitExactChecked(state, label, ordinal);
      return;
    }
    this.system.fingerprint(state, fp);
    const hi = fp[0]!;
    const lo = fp[1]!;
    if (!this.storeNew) {
      if (!this.depthLimitHit && !this.mem.has(hi, lo)) this.depthLimitHit = true;
      return;
    }
    if (this.distinct >= this.maxStates) {
      if (!this.mem.has(hi, lo)) {
        this.stop = { kind: 'limit', limit: 'states' };
        this.queue = -1;
      }
      return;
    }
    if (this.mem.add(hi, lo) < 0) return;
    if (this.storeState(state)) this.next.writer.write(state);
  };

  private emitExactChecked(state: S, label: L | undefined, ordinal: number): void {
    const system = this.system;
    const fp = this.fp;
    if (!this.storeNew) {
      system.fingerprint(state, fp);
      if (!this.depthLimitHit && !this.mem.has(fp[0]!, fp[1]!) && this.isInModel(state, label, ordinal, false)) this.depthLimitHit = true;
      return;
    }
    const inModel = this.isInModel(state, label, ordinal, false);
    if (this.stop !== null) return;
    system.fingerprint(state, fp);
    const hi = fp[0]!;
    const lo = fp[1]!;
    if (!inModel) {
      const stop = invariantStop(this.invariants, state, this.parentId, ordinal);
      if (stop !== null) this.halt(stop, state, false);
      else this.checkStepTo(state, label, ordinal, hi, lo, false);
      return;
    }
    if (this.distinct >= this.maxStates) {
      if (!this.mem.has(hi, lo)) {
        this.stop = { kind: 'limit', limit: 'states' };
        this.queue = -1;
      } else this.checkStepTo(state, label, ordinal, hi, lo, false);
      return;
    }
    if (this.mem.add(hi, lo) < 0) {
      this.checkStepTo(state, label, ordinal, hi, lo, false);
      return;
    }
    if (!this.storeState(state)) return;
    if (this.checkStepTo(state, label, ordinal, hi, lo, false)) return;
    this.next.writer.write(state);
  }

  /**
   * emit once the run is on disk: what the table holds is a duplicate; anything else is a
   * candidate, judged at the block's end. What explore() does whether or not the state is new
   * (constraints, step checks, invariants of states outside the constraints) is done now.
   */
  private readonly emitDeferred = (state: S, label?: L): void => {
    if (this.stop !== null || this.pending !== null) return;
    const ordinal = this.emitted++;
    this.generated++;
    const system = this.system;
    const fp = this.fp;
    let flags = 0;
    if (this.checked) {
      if (!this.storeNew) {
        system.fingerprint(state, fp);
        if (this.depthLimitHit || this.mem.has(fp[0]!, fp[1]!)) return;
        // Whether it is new is not known yet: the constraint's answer (or fault) is kept.
        try {
          if (system.inModel === undefined || system.inModel(state, this.expanding, label)) flags = FLAG_IN_MODEL;
        } catch (e) {
          if (!(e instanceof ModelError)) throw e;
          flags = FLAG_IN_MODEL_FAULT;
        }
        this.addCandidate(state, fp[0]!, fp[1]!, ordinal, flags | FLAG_NO_STORE, false);
        return;
      }
      const inModel = this.isInModel(state, label, ordinal, true);
      if (this.pending !== null) return;
      system.fingerprint(state, fp);
      const hi = fp[0]!;
      const lo = fp[1]!;
      if (!inModel) {
        const stop = invariantStop(this.invariants, state, this.parentId, ordinal);
        if (stop !== null) this.halt(stop, state, true);
        else this.checkStepTo(state, label, ordinal, hi, lo, true);
        return;
      }
      if (!this.mem.has(hi, lo)) this.addCandidate(state, hi, lo, ordinal, 0, true);
      // Run for new states too (after their invariants, which the block's end checks first).
      this.checkStepTo(state, label, ordinal, hi, lo, true);
      return;
    }
    system.fingerprint(state, fp);
    const hi = fp[0]!;
    const lo = fp[1]!;
    if (!this.storeNew) {
      if (!this.depthLimitHit && !this.mem.has(hi, lo)) this.addCandidate(state, hi, lo, ordinal, FLAG_NO_STORE, false);
      return;
    }
    if (this.mem.has(hi, lo)) return;
    this.addCandidate(state, hi, lo, ordinal, 0, true);
  };

  private addCandidate(state: S, hi: number, lo: number, ordinal: number, flags: number, withBytes: boolean): void {
    if (withBytes) this.codec.encode(state, this.cands.bytes);
    this.cands.push(hi, lo, this.parentId, ordinal, this.generated, this.expandPos, flags);
  }

  /** The system's constraints on an emitted state; a ModelError in them stops the run. */
  private isInModel(state: S, label: L | undefined, ordinal: number, deferred: boolean): boolean {
    if (this.system.inModel === undefined) return true;
    try {
      return this.system.inModel(state, this.parentId >= 0 ? this.expanding : undefined, this.parentId >= 0 ? label : undefined);
    } catch (e) {
      if (!(e instanceof ModelError)) throw e;
      this.halt({ kind: 'fault', error: e, state: this.parentId, via: ordinal }, state, deferred);
      return false;
    }
  }

  private checkStepTo(state: S, label: L | undefined, ordinal: number, hi: number, lo: number, deferred: boolean): boolean {
    const parent = this.parentId;
    if (this.system.checkStep === undefined || parent < 0) return false;
    if (this.fromFpOf !== parent) {
      this.system.fingerprint(this.expanding!, this.fromFp);
      this.fromFpOf = parent;
    }
    if (this.fromFp[0] === hi && this.fromFp[1] === lo) return false;
    const stop = stepStop(this.system, parent, this.expanding!, state, label as L, ordinal);
    if (stop === null) return false;
    this.halt(stop, state, deferred);
    return true;
  }

  /**
   * The block's end: the candidates' keys sorted and looked up in the run, then each judged in
   * emission order; then the pending stop, if no candidate stopped the run first.
   */
  private resolve(): void {
    const c = this.cands;
    const n = c.n;
    if (n > 0) {
      // Sorted distinct keys (two words each, low half first: a BigUint64Array view sorts them).
      if (this.sortBuf.length < 2 * n) this.sortBuf = new Uint32Array(4 * n);
      const sorted = this.sortBuf.subarray(0, 2 * n);
      const key = this.key;
      for (let i = 0; i < n; i++) {
        mixedKey(c.hi[i]!, c.lo[i]!, key);
        sorted[2 * i] = key[1]!;
        sorted[2 * i + 1] = key[0]!;
      }
      new BigUint64Array(sorted.buffer, sorted.byteOffset, n).sort();
      let m = 0;
      for (let i = 0; i < n; i++) {
        const l = sorted[2 * i]!;
        const h = sorted[2 * i + 1]!;
        if (m > 0 && sorted[2 * m - 2] === l && sorted[2 * m - 1] === h) continue;
        sorted[2 * m] = l;
        sorted[2 * m + 1] = h;
        m++;
      }
      const keys = sorted.subarray(0, 2 * m);
      if (this.foundBuf.length < m) this.foundBuf = new Uint8Array(2 * m);
      const found = this.foundBuf.subarray(0, m);
      found.fill(0);
      scanRun(this.run_!.file, keys, found);
      const reader = new ByteReader(c.bytes.buf);
      let start = 0;
      for (let i = 0; i < n; i++) {
        const end = c.ends[i]!;
        const from = start;
        start = end;
        const hi = c.hi[i]!;
        const lo = c.lo[i]!;
        if (this.mem.has(hi, lo)) continue;
        mixedKey(hi, lo, key);
        if (found[sortedIndex(keys, m, key[0]!, key[1]!)] === 1) continue;
        const flags = c.flags[i]!;
        if ((flags & FLAG_NO_STORE) !== 0) {
          if (this.depthLimitHit) continue;
          if ((flags & FLAG_IN_MODEL_FAULT) !== 0) {
            this.replayFault(i);
            return;
          }
          if (!this.checked || (flags & FLAG_IN_MODEL) !== 0) this.depthLimitHit = true;
          continue;
        }
        if (this.distinct >= this.maxStates) {
          this.cutAt(i, { kind: 'limit', limit: 'states' });
          return;
        }
        this.mem.add(hi, lo);
        reader.pos = from;
        const state = this.codec.decode(reader);
        this.parentId = c.parent[i]!;
        this.emitted = c.ordinal[i]! + 1;
        if (!this.storeState(state)) {
          this.cutAt(i, this.stop!);
          return;
        }
        // A step check that refused this very emission: the state is not queued (as in explore()).
        if (this.pending !== null && c.gen[i] === this.pendingGen) continue;
        this.next.writer.writeBytes(c.bytes.buf.subarray(from, end));
      }
      c.clear();
    }
    if (this.pending !== null) {
      this.stop = this.pending;
      this.stopFp.set(this.pendingFp);
      this.pending = null;
      this.queue = -1;
    }
    if (this.mem.size >= this.tableKeys) this.spill();
  }

  /** A candidate stopped the run: the counts are cut at its emission. */
  private cutAt(i: number, stop: Stop): void {
    const c = this.cands;
    this.stop = stop;
    this.generated = c.gen[i]!;
    this.queue = this.cur.count - c.pos[i]! - 1 + this.next.writer.count;
    this.pending = null;
    c.clear();
  }

  /** A new candidate at maxDepth whose constraint threw: the fault, found again on this thread for its error. */
  private replayFault(i: number): void {
    const c = this.cands;
    const parent = c.parent[i]!;
    const ordinal = c.ordinal[i]!;
    // The expanded state is re-read from its level file, then its successors replayed.
    const from = this.stateAt(c.pos[i]!);
    let error: ModelError | undefined;
    let k = 0;
    let picked: S | undefined;
    this.system.successors(from, (s, label) => {
      if (k++ !== ordinal) return;
      picked = this.system.copyState ? this.system.copyState(s) : s;
      try {
        this.system.inModel?.(s, from, label);
      } catch (e) {
        if (!(e instanceof ModelError)) throw e;
        error = e;
      }
    });
    if (error === undefined || picked === undefined) throw new Error('internal error: a constraint that failed during the search does not fail again; the transition system is not deterministic');
    this.cutAt(i, { kind: 'fault', error, state: parent, via: ordinal });
    this.system.fingerprint(picked, this.stopFp);
  }

  /** The state at position `pos` of the current level, read again from its file. */
  private stateAt(pos: number): S {
    const r = new StateReader(this.codec, this.cur.file);
    try {
      let s = r.read();
      for (let k = 0; k < pos; k++) s = r.read();
      return s;
    } finally {
      r.file.close();
    }
  }

  /** The table is full: its keys are merged into the run, and it starts empty. */
  private spill(): void {
    const keys = this.mem.sortedKeys();
    const to = this.file('run');
    const keysOut = mergeRun(this.run_?.file ?? null, keys, to, this.disk.checkpoint !== undefined);
    if (this.run_ !== null) this.retire(this.run_.file);
    this.run_ = { file: to, keys: keysOut };
    this.mem = new CompactFingerprintSet();
    this.noteDiskBytes();
  }

  private noteDiskBytes(): void {
    const bytes = 4 * this.distinct + 8 * (this.run_?.keys ?? 0) + fileSize(this.cur.file) + this.next.writer.file.length;
    if (bytes > this.diskBytes) this.diskBytes = bytes;
  }

  // ---- checkpoints ----

  private maybeCheckpoint(): void {
    const cp = this.disk.checkpoint;
    if (!cp) return;
    const byStates = cp.everyStates !== undefined && this.expandedSinceCheckpoint >= cp.everyStates;
    if (!byStates && Date.now() - this.lastCheckpointMs < cp.everyMs) return;
    this.writeCheckpoint();
  }

  /** Writes a checkpoint, and returns its manifest. */
  private writeCheckpoint(): Manifest {
    const cp = this.disk.checkpoint!;
    this.replay.sync();
    this.next.writer.file.sync();
    const tableFile = this.file('table');
    const tableKeys = this.mem.size;
    mergeRun(null, this.mem.sortedKeys(), tableFile, true);
    const name = (p: string): string => p.slice(this.dir.length + 1);
    const m: Manifest = {
      format: MANIFEST_FORMAT,
      identity: cp.identity,
      written: new Date().toISOString(),
      seconds: this.elapsedSeconds(),
      generated: this.generated,
      depth: this.depth,
      depthLimitHit: this.depthLimitHit,
      level: this.level,
      distinct: this.distinct,
      replay: { file: name(this.replay.path), overflow: this.replay.overflow() },
      run: this.run_ ? { file: name(this.run_.file), keys: this.run_.keys } : null,
      table: { file: name(tableFile), keys: tableKeys },
      current: { file: name(this.cur.file), count: this.cur.count, first: this.cur.first, pos: this.cur.pos, offset: this.cur.reader?.file.offset ?? 0 },
      next: { file: name(this.next.file), count: this.next.writer.count, bytes: this.next.writer.file.length },
      checkpoints: this.checkpoints + 1,
    };
    writeManifest(this.dir, m);
    this.checkpoints++;
    removeFiles(this.obsolete);
    this.obsolete = [tableFile];
    this.lastCheckpointMs = Date.now();
    this.expandedSinceCheckpoint = 0;
    if (cp.killAfter !== undefined && this.checkpoints >= cp.killAfter) process.kill(process.pid, 'SIGKILL');
    return m;
  }

  // ---- the result ----

  private finish(): ExploreResult<S, L> {
    if (this.queue < 0) this.queue = 0;
    this.system.coverage?.searchEnded();
    const outcome = outcomeOf<S, L>(this.stop, this.depthLimitHit, (target) => this.trace(target));
    const bytes = this.mem.bytesUsed() + this.replay.bytes + this.cands.byteSize;
    const result: ExploreResult<S, L> = {
      outcome,
      stats: searchStats(this.distinct, this.generated, this.depth, this.stop === null ? 0 : this.queue, this.elapsedSeconds(), bytes),
    };
    const info: DiskRunInfo = {
      ...(this.resumed ? { resumed: this.resumed } : {}),
      spilled: this.run_ !== null,
      ...(this.handedOverAt !== undefined ? { handedOverAt: this.handedOverAt } : {}),
      checkpoints: this.checkpoints,
      diskBytes: this.diskBytes,
      dir: this.dir,
    };
    result.disk = info;
    return result;
  }

  private trace(target: number): Trace<S, L> {
    const stop = this.stop;
    const mine = stop !== null && stop.kind !== 'limit' && stop.state === target;
    this.replay.flush();
    const seen: SeenSet = {
      size: this.distinct,
      add: () => {
        throw new Error('internal error: the seen set of a finished search is read-only');
      },
      has: (hi, lo) => {
        if (this.mem.has(hi, lo)) return true;
        if (this.run_ === null) return false;
        mixedKey(hi, lo, this.key);
        return runHas(this.run_.file, this.run_.keys, this.key[0]!, this.key[1]!);
      },
      bytesUsed: () => 0,
    };
    return rebuildTrace(this.system, seen, this.replay, target, mine ? this.stopFp : undefined, mine ? stop.via : undefined);
  }

  private elapsedSeconds(): number {
    return this.secondsBefore + (performance.now() - this.startMs) / 1000;
  }
}

export { MANIFEST };
