/**
 * The parallel explorer for fixed-width vector states (the packed engine's; `--workers N`,
 * N ≥ 2): the breadth-first search of ../explorer.ts with both the expansion and the dedupe
 * spread over N threads, the main one included, and results identical to it (distinct,
 * generated, depth, queue, verdict, error and trace) for every N. docs/parallel.md tells why
 * and how; in short, each level goes through three phases, every thread taking part in each
 * (vectors.ts has the phase code):
 *   expand  each thread its contiguous range of the level, into its own emission buffers;
 *   dedupe  each thread its shard of the seen set (a FlatFingerprintSet per thread for the
 *           whole run), scanning all emissions in global order: new is what sequential
 *           insertion would call new;
 *   number  each thread its range again: new states are copied into the next level at
 *           positions given by prefix sums, and the range's first stop event is found.
 * The main thread then records the next level's parents and ordinals in the ReplayIndex,
 * takes the first stop event in global order and cuts there, as explore() would have stopped.
 * The threads synchronise on Atomics.wait/notify over a shared Int32Array, so this function
 * stays synchronous.
 *
 * Levels too small to be worth waking threads for are run on the main thread alone, through
 * the same phase code with every shard set at hand; workers are started when a level first
 * reaches SPAWN_AT states, and the shard sets are handed over to them once they are ready.
 */
import { MessageChannel, receiveMessageOnPort, type MessagePort } from 'node:worker_threads';
import { Supervised, WorkerDied } from './supervisor.js';
import { THREAD_ENTRY, threadData, type ThreadRole } from '../threads.js';
import { FlatFingerprintSet } from '../flat-set.js';
import { GraphRecorder, type RecordGraph } from '../state-graph.js';
import { IndexMap } from './index-map.js';
import { explore, onFlatLevels, type ExploreOptions, type ExploreResult, type Outcome, type Progress } from '../explorer.js';
import type { SeenSet } from '../seen-set.js';
import { CHECK_EVERY, CHECK_SLOTS, CUT_SHORT, Interrupted, LONG_EXPANSION_MASK, budgetWouldPass, checkInterrupt, guardStop, noteMemoryStop } from '../guard.js';
import { checkLimits, deadlockStop, invariantStop, outcomeOf, searchStats, replayedFault, type Stop } from '../stop.js';
import { ModelError, directSuccessors, replayedEdge, vectorEmission } from '../system.js';
import { ReplayIndex, rebuildTrace, type Trace } from '../trace.js';
import { exploreVectorLevels, type FlatVectorSystem, type LevelStart } from '../vector-run.js';
import { releaseLevelPool } from '../level-pool.js';
import type { WorkerSetup } from './worker.js';
import { PARALLEL_MIN, type ParallelOptions } from './explorer.js';
import type { VectorWorkerInit } from './vector-worker.js';
import { AUTO_DEFAULTS, AutoThreads, patternPolicy, type ThreadPolicy } from './auto.js';
import {
  CMD_DEDUPE, CMD_EXIT, CMD_EXPAND, CMD_FINISH, CMD_FIXUP, CMD_GIVE_SHARD, CMD_HAS, CMD_NUMBER, CMD_TAKE_SHARD, C_CMD, C_DONE, C_ERR, C_GEN, C_READY,
  EVENT_WORDS, EV_DEADLOCK, EV_FAULT, EV_INVARIANT, EV_LIMIT, EV_NONE, EV_PREDICATE,
  PhaseRunner, SharedBufferFull, createBuffers, ensureBytes, f64, i32, shardFromSnapshot, shardOf, shardSnapshot, u32, u8, type SharedBuffers, type ShardSnapshot, type VectorSystem,
} from './vectors.js';

/**
 * As for exploreParallel, but `workers` counts the threads the search runs on, this one
 * included (it takes a share of every phase): so N - 1 worker threads are started.
 */
export type VectorParallelOptions = Omit<ParallelOptions<unknown>, 'codec'> & {
  /** Go on from where a one-thread search stands (instead of from the initial states). */
  readonly from?: LevelStart;
  /**
   * Start on the one-thread explorer, and go on here at the first level that starts after
   * `afterMs`, or at level number `atLevel`. Default, with `auto` and no policy given: after
   * AUTO_DEFAULTS.spawnAfterMs (tests set it to hand over at a given level).
   */
  readonly startAlone?: { readonly afterMs: number; readonly atLevel?: number };
};

/**
 * With an explicit `--workers N`, the workers are started by the first level this big once
 * the search has run `spawnAfterMs`, and take part in the levels once they are ready and the
 * search has run `useAfterMs`. Building a worker's system takes about 0.1 s, during which this
 * thread goes on alone, and the phases' synchronisation costs something per level, so a
 * search that ends within `useAfterMs` runs on this thread alone, and one that ends within
 * `spawnAfterMs` starts no thread. Measured on this 2-core machine, idle, alternating
 * (bench/spex-one.mjs, runCheck's seconds, 3 runs each):
 *
 *   workers started at / used from     0.5 s / 0.5 s     0.15 s / 0.35 s    0.1 s / 0.25 s
 *   counter-grid K=21 (0.25 s alone)   0.243–0.247 s     0.255–0.267 s      0.32–0.36 s
 *   counter-grid K=37 (3.4 s alone)    1.90–2.01 s       1.76–1.80 s        1.65–1.69 s
 *   counter-grid-live K=21, temporal   1.55–1.69 s       1.80–1.82 s
 *
 * so the earlier start, where a search that ends by about a third of a second loses a few
 * hundredths, and one of seconds gains a tenth or two. (The loss is the crew's start alone:
 * started at 0.15 s and never used, it made K=21 0.246–0.267 s against 0.231–0.239 s without
 * it; the new threads map their heaps and build their systems while this thread writes fresh
 * memory.) Not when the state graph is recorded, where each level on the threads ends with
 * the main thread recording its edges alone and the threads pay later. (Tests set `eager` to
 * send every level through the threads.)
 */
const VECTOR_SPAWN_AT = 10_000;
const VECTOR_START = { spawnAfterMs: 150, useAfterMs: 350 };
const VECTOR_START_GRAPH = { spawnAfterMs: 500, useAfterMs: 500 };
const PROGRESS_PERIOD_MS = 1000;
/** How long to block before looking again (a worker's completion is always notified; a death or an
 * interrupt, which nothing notifies, is seen at the next look). */
const WAIT_MS = 200;

export function exploreVectorsParallel<L>(
  system: VectorSystem<L>,
  options: ExploreOptions<number[], L>,
  parallel: VectorParallelOptions,
): ExploreResult<number[], L> {
  checkLimits(options, parallel.workers, true);
  // As in exploreParallel: constraints and step checks run on this thread alone.
  if (system.inModel !== undefined || system.checkStep !== undefined) return explore(system, options);
  const alone = startAlone(system, options, parallel);
  if (alone !== undefined) {
    // `--workers auto` without the state graph: the search starts as on one thread (explore()'s
    // vector-run.ts, whose levels are faster than this explorer's run alone), and goes on here
    // from the level at which the policy would first want threads. A search that ends sooner
    // runs as with --workers 1 (counter-grid K=21 and TwoPhase N=7 were 5-10 % slower here).
    let went = false;
    const r = exploreVectorLevels(system as FlatVectorSystem<L>, options, {
      ...alone,
      then: (from) => {
        went = true;
        return runVectors(system, options, { ...parallel, from });
      },
    });
    if (!went) parallel.onThreads?.({ threads: 1, reason: 'auto: the search ended before more threads were worth trying' });
    return r;
  }
  return runVectors(system, options, parallel);
}

/** When a search starts on the one-thread explorer (see exploreVectorsParallel); undefined: never. */
function startAlone<L>(system: VectorSystem<L>, options: ExploreOptions<number[], L>, parallel: VectorParallelOptions): VectorParallelOptions['startAlone'] {
  // Only where explore() would run vector-run.ts (so not with the state graph, which this
  // explorer records in its own way).
  if (parallel.from !== undefined || !onFlatLevels(system, options) || options.recordGraph !== undefined) return undefined;
  if (parallel.startAlone !== undefined) return parallel.startAlone;
  const tests = (parallel.eager ?? process.env.SPEX_WORKERS_EAGER === '1') || process.env.SPEX_TEST_AUTO_PATTERN !== undefined;
  return parallel.auto === true && parallel.policy === undefined && !tests ? { afterMs: AUTO_DEFAULTS.spawnAfterMs } : undefined;
}

/** The parallel vector explorer could not make its shared buffers: nothing ran on the threads. */
export class SharedBuffersUnavailable extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SharedBuffersUnavailable';
  }
}

function runVectors<L>(system: VectorSystem<L>, options: ExploreOptions<number[], L>, parallel: VectorParallelOptions): ExploreResult<number[], L> {
  releaseLevelPool();
  let run: VectorRun<L>;
  try {
    run = new VectorRun(system, options, parallel);
  } catch (e) {
    // Its shared buffers could not be made (they are small yet: the address space for their
    // growth could not be reserved). The caller runs the search on one thread instead.
    if (e instanceof SharedBufferFull) throw new SharedBuffersUnavailable(e.message);
    throw e;
  }
  try {
    return run.run();
  } catch (e) {
    // A worker died: an internal error, with what the search had done.
    if (e instanceof WorkerDied) e.stats = run.partialStats();
    // An interrupt while this thread waited for the workers or ran a step itself.
    if (e instanceof Interrupted) return { outcome: { kind: 'limit', limit: 'interrupted' }, stats: run.partialStats() };
    // A level too big for the shared buffers, here or on a worker: a stop for memory.
    const full = e instanceof SharedBufferFull ? e.message : e instanceof WorkerError && e.originalName === 'SharedBufferFull' ? e.originalMessage : undefined;
    if (full !== undefined) {
      noteMemoryStop(full, '--workers 1 keeps its levels unshared, with no such limit.');
      return { outcome: { kind: 'limit', limit: 'memory' }, stats: run.partialStats() };
    }
    throw e;
  } finally {
    run.close();
  }
}

/** The worker threads: 1 .. T-1 (thread 0 is the main one). */
class Crew {
  /** The workers, started and watched by a supervisor thread (supervisor.ts). */
  private readonly workers: Supervised;
  private readonly count: number;
  private readonly ports: MessagePort[] = [];
  private readonly ctrl: Int32Array;
  /** Whether the shard sets have been handed over. */
  armed = false;
  /** Whether a command was started whose end has not been waited for (finish). */
  private running = false;

  constructor(buffers: SharedBuffers, setup: WorkerSetup) {
    this.ctrl = new Int32Array(buffers.ctrl);
    const inits: (VectorWorkerInit & { spexThread: ThreadRole })[] = [];
    const transfer: MessagePort[][] = [];
    for (let t = 1; t < buffers.threads; t++) {
      const { port1, port2 } = new MessageChannel();
      inits.push(threadData('explore-vectors', { setup, buffers, index: t, port: port2 }));
      transfer.push([port2]);
      this.ports.push(port1);
    }
    this.count = inits.length;
    // A death wakes this thread wherever it waits for the workers.
    this.workers = new Supervised(THREAD_ENTRY, inits, transfer, [C_READY, C_DONE].map((index) => ({ array: this.ctrl, index })));
  }

  get size(): number {
    return this.count;
  }

  /** Whether every worker has built its system; never blocks. */
  get ready(): boolean {
    this.checkErrors();
    this.workers.check();
    return Atomics.load(this.ctrl, C_READY) === this.size;
  }

  waitReady(): void {
    let r: number;
    while ((r = Atomics.load(this.ctrl, C_READY)) < this.size) {
      Atomics.wait(this.ctrl, C_READY, r, WAIT_MS);
      // A worker that failed to build its system says why (its message) before it ends.
      this.checkErrors();
      this.workers.checkWaiting();
    }
    this.checkErrors();
  }

  post(t: number, message: unknown, transfer: ArrayBuffer[]): void {
    this.ports[t - 1]!.postMessage(message, transfer);
  }

  /** The next message of worker t (one it has posted before counting itself done). */
  receive(t: number): unknown {
    const port = this.ports[t - 1]!;
    let r = receiveMessageOnPort(port);
    for (let spins = 0; r === undefined && spins < 1000; spins++) {
      Atomics.wait(this.ctrl, C_ERR, 0, 1);
      r = receiveMessageOnPort(port);
    }
    if (r === undefined) throw new Error(`internal error: worker ${t} did not send what it was asked for`);
    return r.message;
  }

  /** Starts a command on every worker (the main thread then does its own part). */
  start(cmd: number): void {
    const ctrl = this.ctrl;
    Atomics.store(ctrl, C_DONE, 0);
    Atomics.store(ctrl, C_CMD, cmd);
    this.running = true;
    Atomics.add(ctrl, C_GEN, 1);
    Atomics.notify(ctrl, C_GEN);
  }

  /** Blocks until every worker has finished the command. */
  finish(): void {
    const ctrl = this.ctrl;
    let d: number;
    while ((d = Atomics.load(ctrl, C_DONE)) < this.size) {
      Atomics.wait(ctrl, C_DONE, d, WAIT_MS);
      // Woken by a worker done, or by a death (supervisor.ts); or an interrupt: a worker
      // expanding a state with very many successors is not waited for (close() ends it).
      if (Atomics.load(ctrl, C_DONE) < this.size) {
        this.checkErrors();
        this.workers.checkWaiting();
        checkInterrupt();
      }
    }
    this.checkErrors();
    this.running = false;
  }

  private checkErrors(): void {
    if (Atomics.load(this.ctrl, C_ERR) === 0) return;
    for (let t = 0; t < this.ports.length; t++) {
      let r = receiveMessageOnPort(this.ports[t]!);
      for (let spins = 0; r === undefined && spins < 100; spins++) {
        Atomics.wait(this.ctrl, C_ERR, 1, 1);
        r = receiveMessageOnPort(this.ports[t]!);
      }
      if (r !== undefined) {
        const m = r.message as { error: string; name?: string; message: string };
        throw new WorkerError(`internal error in exploration worker ${t + 1}: ${m.error}`, m.name ?? 'Error', m.message);
      }
    }
    throw new Error('internal error: an exploration worker failed without saying why');
  }

  /**
   * Ends the workers' loops. Workers that are all ready, idle and without an error leave their
   * loop and are given back for a later search (supervisor.ts); otherwise they are terminated.
   */
  close(): void {
    const ready = Atomics.load(this.ctrl, C_READY) === this.size;
    const idle = ready && Atomics.load(this.ctrl, C_ERR) === 0 && !this.running;
    if (ready) this.start(CMD_EXIT);
    let clean = false;
    if (idle) {
      try {
        this.finish();
        clean = true;
      } catch {
        // A worker that did not leave its loop: terminated below.
      }
    }
    if (clean) this.workers.release();
    else this.workers.terminate();
    for (const p of this.ports) p.close();
  }
}

class VectorRun<L> {
  private readonly T: number;
  private readonly W: number;
  private readonly checkDeadlock: boolean;
  private readonly maxStates: number;
  private readonly maxDepth: number;
  private readonly onProgress: ((p: Progress) => void) | undefined;
  private readonly progressPeriodMs: number;
  private readonly eager: boolean;
  /** With `--workers auto`: what decides, level by level, between this thread alone and all. */
  private readonly policy: ThreadPolicy | null;

  private readonly buffers: SharedBuffers;
  private readonly runner: PhaseRunner<L>;
  private readonly nums: Float64Array;
  private crew: Crew | null = null;
  private replay = new ReplayIndex();
  private readonly fp = new Uint32Array(2);
  /**
   * Temporal properties: the state graph, recorded in the single-threaded explorer's order
   * and numbering (docs/parallel.md), and per thread its step tags mapped to the recorder's.
   */
  private readonly record: RecordGraph<number[], L> | null;
  private readonly graph: GraphRecorder<number[], L> | null;
  private readonly tagMaps: number[][] = [];

  /** Which of the two level buffers holds the current level, its size, its first state's number. */
  private cur = 0;
  private count = 0;
  private first = 0;
  private level = 1;
  private generated = 0;
  /** Emissions a state made in the last level (at least 1): what a level on the threads is estimated by. */
  private fanout = 1;
  private depth = 0;
  private depthLimitHit = false;
  private stop: Stop | null = null;
  private readonly stopFp = new Uint32Array(2);
  private queue = 0;
  private startMs = performance.now();
  private lastProgressMs = Date.now();
  /** Where the time goes (printed on stderr with SPEX_PARALLEL_PROFILE=1). */
  private readonly prof = { localLevels: 0, threadLevels: 0, firstThreadsMs: -1, spawnMs: -1, spawnCostMs: 0, ownStates: 0, threadStates: 0, expandMs: 0, dedupeMs: 0, numberMs: 0, recordMs: 0, graphMs: 0 };

  constructor(
    private readonly system: VectorSystem<L>,
    options: ExploreOptions<number[], L>,
    private readonly parallel: VectorParallelOptions,
  ) {
    this.T = parallel.workers;
    this.W = system.width;
    this.checkDeadlock = options.checkDeadlock;
    this.maxStates = options.maxStates ?? Infinity;
    this.maxDepth = options.maxDepth ?? Infinity;
    this.onProgress = options.onProgress;
    this.progressPeriodMs = options.progressPeriodMs ?? PROGRESS_PERIOD_MS;
    this.eager = parallel.eager ?? process.env.SPEX_WORKERS_EAGER === '1';
    const pattern = process.env.SPEX_TEST_AUTO_PATTERN;
    this.policy =
      parallel.policy ??
      (parallel.auto !== true ? null : pattern !== undefined && pattern !== '' ? patternPolicy(this.T, pattern.split(',').map(Number)) : new AutoThreads(this.T));
    this.record = options.recordGraph ?? null;
    this.graph = this.record !== null ? new GraphRecorder(this.record) : null;
    const record = this.record;
    if (record !== null && parallel.localTagger === undefined) throw new Error('internal error: recording the graph on threads needs a tagger for the main thread');
    this.buffers = createBuffers(this.T, this.W, record !== null ? Math.ceil(record.predicates.length / 32) : -1);
    // Thread 0's part of the phases tags steps with a tagger of its own, as the workers do:
    // the recorder's numbering follows the order of the edges, not of the threads' work.
    this.runner = new PhaseRunner(system, this.buffers, record !== null ? { edgeTag: parallel.localTagger as (label: L) => number, predicates: record.predicates } : undefined);
    this.nums = this.runner.nums;
    for (let t = 0; t < this.T; t++) this.tagMaps.push([]);
    // Until the workers take their shards, this thread holds them all.
    for (let s = 0; s < this.T; s++) this.runner.sets[s] = record !== null ? new IndexMap() : new FlatFingerprintSet();
  }

  close(): void {
    this.crew?.close();
    this.crew = null;
  }

  /** The statistics so far (the levels completed), for a search that cannot go on. */
  partialStats(): ExploreResult<number[], L>['stats'] {
    this.flushReplay();
    return searchStats(this.replay.size, this.generated, this.depth, this.count, this.elapsedSeconds(), this.replay.bytes);
  }

  run(): ExploreResult<number[], L> {
    if (this.eager) {
      this.crew = this.startCrew();
      this.crew.waitReady();
    }
    if (this.parallel.from !== undefined) this.goOnFrom(this.parallel.from);
    else this.initialLevel();
    while (this.stop === null && this.count > 0) {
      const currentLevel = this.level;
      this.level = currentLevel + 1;
      this.expandLevel(currentLevel < this.maxDepth);
      if (this.stop === null) {
        // The checkpoint for levels run on the threads (once a level, and before it
        // threadLevelPassesBudget; expandLevelAlone looks as explore() does): an interrupt or
        // the memory budget stops here.
        const why = guardStop();
        if (why !== null) {
          this.stop = { kind: 'limit', limit: why };
          this.queue = this.count;
        }
      }
      this.progress();
    }
    if (process.env.SPEX_PARALLEL_PROFILE === '1') {
      const p = this.prof;
      const s = (x: number): string => `${(x / 1000).toFixed(2)} s`;
      process.stderr.write(
        `parallel (vectors): ${p.localLevels} levels on the main thread, ${p.threadLevels} on ${this.T} threads; ` +
          `expanding ${s(p.expandMs)} (${p.threadStates > 0 ? Math.round((100 * p.ownStates) / p.threadStates) : 0} % of the states on the main thread), dedupe ${s(p.dedupeMs)}, numbering ${s(p.numberMs)}, recording ${s(p.recordMs)}${this.graph !== null ? `, state graph ${s(p.graphMs)}` : ''}; ` +
          `${p.spawnMs >= 0 ? `workers started at ${s(p.spawnMs)} (in ${s(p.spawnCostMs)}); ` : ''}` +
          `${p.firstThreadsMs >= 0 ? `first level on the threads at ${s(p.firstThreadsMs)}; ` : ''}total ${s(performance.now() - this.startMs)}\n`,
      );
      if (this.policy instanceof AutoThreads) {
        const c = this.policy.comparisons.map((x) => `${Math.round(x.soloRate)}→${Math.round(x.manyRate)}/ms: ${x.chose}`);
        process.stderr.write(`parallel (vectors): auto: ${c.join(', ') || 'no comparison'}\n`);
      }
    }
    this.parallel.onThreads?.(
      this.policy !== null
        ? { threads: this.policy.most, reason: this.policy.describe() }
        : this.prof.threadLevels > 0
          ? { threads: this.T, reason: `${this.T} threads, as asked` }
          : { threads: 1, reason: `${this.T} threads asked, but the search ended before the workers were worth starting` },
    );
    this.flushReplay();
    // Traces may ask the workers whether their shards hold a fingerprint: before closing.
    const outcome = outcomeOf(this.stop, this.depthLimitHit, (state) => this.trace(state));
    const distinct = this.replay.size;
    // The graph's paths are rebuilt after the search: the shards must be on this thread then.
    if (this.graph !== null && this.crew !== null && this.crew.armed) this.takeBackShards(this.crew);
    // The shard sets' bytes once any growth in progress is finished (its old table dropped).
    this.phase(this.crew !== null && this.crew.armed ? this.crew : null, CMD_FINISH);
    const bytes = this.replay.bytes + this.shardBytes();
    this.close();
    const result: ExploreResult<number[], L> = {
      outcome,
      stats: searchStats(distinct, this.generated, this.depth, this.queue, this.elapsedSeconds(), bytes),
    };
    if (this.graph !== null && outcome.kind === 'ok') {
      result.graph = this.graph.finish(distinct, this.replay.parents(), (id) => this.trace(id), (from, ordinal, to) => this.replayEdge(from, ordinal, to));
    }
    return result;
  }

  /** The state and label of emission `ordinal` of `from`, which must lead to state `to` (graph paths). */
  private replayEdge(from: number[], ordinal: number, to: number): { state: number[]; label: L } {
    return replayedEdge(this.system, from, ordinal, to, (s) => s.slice(), (hi, lo) => {
      const set = this.runner.sets[shardOf(lo, this.T)];
      return set instanceof IndexMap ? (set.get(hi, lo) ?? -1) : -1;
    });
  }

  /** Emission `ordinal` of the successors of `from`: a copy of the state, and its label. */
  private emission(from: number[], ordinal: number): { state: number[]; label: L } {
    return vectorEmission(this.system, from, ordinal);
  }

  /**
   * The search where a one-thread search left it, between two levels: its seen set dealt into
   * the shards, its replay index, its next level in the level buffer, its counts and its clock,
   * and each level's measurements told to the policy, as if this explorer had run them alone.
   */
  private goOnFrom(from: LevelStart): void {
    this.startMs = from.startMs;
    this.replay = from.replay;
    this.takeSeen(from.seen);
    const n = from.count * this.W;
    ensureBytes(this.buffers.lvSt[0]!, 8 * Math.max(1, n));
    const level = f64(this.buffers.lvSt[0]!);
    // Chunk by chunk: each but the last is full.
    for (let c = 0, at = 0; at < n; c++) {
      const chunk = from.states[c]!;
      const take = Math.min(chunk.length, n - at);
      level.set(take === chunk.length ? chunk : chunk.subarray(0, take), at);
      at += take;
    }
    if (this.curFps.length < 2 * from.count) this.curFps = new Uint32Array(2 * from.count);
    this.curFps.set(from.fps.subarray(0, 2 * from.count));
    this.curFpsValid = true;
    this.sharedFpsValid = false;
    this.cur = 0;
    this.count = from.count;
    this.first = from.first;
    this.level = from.level;
    this.generated = from.generated;
    // Every state numbered before this level's first was expanded.
    if (from.first > 0) this.fanout = Math.max(1, from.generated / from.first);
    this.depth = from.depth;
    for (const l of from.levels) this.policy?.record(1, l.emitted, l.ms);
  }

  /**
   * Deals the seen set of a search handed over (goOnFrom) into the shards: about 45 ns a
   * state, writing fresh memory (94 ms for the 2.1M states counter-grid K=37 has at half a
   * second). Done before the workers are started: done while they build their systems, it
   * took 214–235 ms (the two threads' page faults serialise, see fresh-pages.ts).
   */
  private takeSeen(seen: FlatFingerprintSet): void {
    const T = this.T;
    const shards = seen.split(T, (lo) => shardOf(lo, T));
    for (let s = 0; s < T; s++) this.runner.sets[s] = shards[s];
  }

  /** Level 1: the initial states, on this thread, as explore() takes them. */
  private initialLevel(): void {
    this.alone = { store: true, dest: 0, parent: -1, emitted: 0, made: 0, view: f64(this.buffers.lvSt[0]!), skipHi: 0, skipLo: 0, skip: false };
    try {
      this.system.initialStates(this.emitAlone);
    } catch (e) {
      if (e !== CUT_SHORT) {
        if (!(e instanceof ModelError)) throw e;
        this.stop ??= { kind: 'fault', error: e, state: -1 };
      }
    }
    const n = this.alone.made;
    this.swapFps();
    this.cur = 0;
    this.count = n;
    this.first = 0;
    if (this.stop !== null) this.queue = n;
  }

  /**
   * Where `emitAlone` puts what it takes: whether new states are stored (false at maxDepth),
   * the level buffer they go to, the number of the state being expanded (-1 for initial
   * states), the emissions of its call so far, the states stored in the level so far, and a
   * view of the buffer (remade when the buffer grows).
   */
  private alone: { store: boolean; dest: number; parent: number; emitted: number; made: number; view: Float64Array; skipHi: number; skipLo: number; skip: boolean } = {
    store: true,
    dest: 0,
    parent: -1,
    emitted: 0,
    made: 0,
    view: new Float64Array(0),
    skipHi: 0,
    skipLo: 0,
    skip: false,
  };

  /**
   * The fingerprints of the states of the current level (two words a state) when it was made
   * by a level run on this thread alone (or is the initial one), and of the level it is
   * filling: a successor with its parent's fingerprint is a step to itself, a state seen before,
   * known without looking it up (as in vector-run.ts). A level made on the threads leaves
   * them in the shared buffer lvFp instead (`sharedFpsValid`); they are copied from one to the
   * other when the search switches between this thread alone and all threads.
   */
  private curFps = new Uint32Array(2048);
  private nextFps = new Uint32Array(2048);
  private curFpsValid = false;
  /**
   * The new states of the last level run on the threads while they are not yet in the replay
   * index (their parents' positions and ordinals are in level buffer `which`, intact until the
   * level after next is numbered): this thread records them while the workers expand the next
   * level (flushReplay), and before anything reads the index.
   */
  private pending: { which: number; count: number; parentBase: number } | null = null;
  /** Measured costs, in milliseconds a state, of recording in the replay index and of expanding. */
  private recordMsPerState = 0;
  private expandMsPerState = 0;
  /** Whether the current level's fingerprints are in the shared buffer lvFp[cur] (see shareFps). */
  private sharedFpsValid = false;

  /**
   * Takes one emission on this thread alone, as explore()'s emit does: counts it, looks it up
   * in its shard, and numbers, checks and stores it in level buffer `alone.dest` if it is new.
   * An arrow function made once, so the loops create no closure.
   */
  private readonly emitAlone = (succ: number[], label?: L): void => {
    if (this.stop !== null) return;
    const a = this.alone;
    const ordinal = a.emitted++;
    // Inside one long expansion, as in explore(): an interrupt or the memory budget stops the
    // search here and cuts the rest of the expansion short.
    if ((ordinal & LONG_EXPANSION_MASK) === LONG_EXPANSION_MASK) {
      const why = guardStop();
      if (why !== null) {
        this.stop = { kind: 'limit', limit: why };
        throw CUT_SHORT;
      }
    }
    this.generated++;
    const fp = this.fp;
    this.system.fingerprint(succ, fp);
    // As int32s, as explore()'s (vector-run.ts): none becomes a heap number.
    const hi = fp[0]! | 0;
    const lo = fp[1]! | 0;
    // A step to the state being expanded: seen, whatever follows would find.
    if (hi === a.skipHi && lo === a.skipLo && a.skip) return;
    const set = this.runner.sets[shardOf(lo, this.T)]!;
    if (!a.store) {
      if (!this.depthLimitHit && !set.has(hi, lo)) this.depthLimitHit = true;
      return;
    }
    if (this.replay.size >= this.maxStates) {
      if (!set.has(hi, lo)) this.stop = { kind: 'limit', limit: 'states' };
      return;
    }
    const graph = this.graph;
    if (graph !== null) {
      // As explore() records the graph: an edge to a state seen before, or to the new one.
      const map = set as IndexMap;
      if (!map.lookupOrInsert(hi, lo, this.replay.size)) {
        if (a.parent >= 0) graph.edge(map.found, label as L);
        return;
      }
    } else if ((set as FlatFingerprintSet).add(hi, lo) < 0) return;
    const index = this.replay.size;
    this.replay.record(index, a.parent, ordinal);
    this.depth = this.level;
    const stop = invariantStop(this.system.invariants, succ, index);
    if (stop !== null) {
      this.stopAt(stop, succ);
      return;
    }
    if (graph !== null) {
      if (a.parent >= 0) graph.edge(index, label as L);
      const error = graph.predicatesFault(succ, index);
      if (error !== undefined) {
        this.stopAt({ kind: 'fault', error, state: index }, succ);
        return;
      }
    }
    const W = this.W;
    if ((a.made + 1) * W > a.view.length) {
      const buffer = this.buffers.lvSt[a.dest]!;
      ensureBytes(buffer, 8 * W * (a.made + 1));
      a.view = f64(buffer);
    }
    const o = a.made * W;
    for (let k = 0; k < W; k++) a.view[o + k] = succ[k]!;
    let fps = this.nextFps;
    const f = 2 * a.made;
    if (f + 2 > fps.length) {
      fps = new Uint32Array(Math.max(fps.length * 2, f + 2));
      fps.set(this.nextFps);
      this.nextFps = fps;
    }
    fps[f] = hi;
    fps[f + 1] = lo;
    a.made++;
  };

  /** The states numbered so far: those in the replay index and those pending. */
  private get distinct(): number {
    return this.replay.size + (this.pending?.count ?? 0);
  }

  /** Records the pending level's states in the replay index; returns the milliseconds it took. */
  private flushReplay(): number {
    const p = this.pending;
    if (p === null) return 0;
    this.pending = null;
    const t0 = performance.now();
    const b = this.buffers;
    const par = i32(b.lvPar[p.which]!);
    const ord = i32(b.lvOrd[p.which]!);
    const replay = this.replay;
    const first = replay.size;
    for (let q = 0; q < p.count; q++) replay.record(first + q, p.parentBase + par[q]!, ord[q]!);
    const ms = performance.now() - t0;
    this.prof.recordMs += ms;
    if (p.count >= 1000) this.recordMsPerState = this.ema(this.recordMsPerState, ms / p.count);
    return ms;
  }

  /** A running average of per-state costs (0: none yet). */
  private ema(average: number, sample: number): number {
    return average === 0 ? sample : 0.75 * average + 0.25 * sample;
  }

  /** Starts the workers (they build their systems while this thread goes on). */
  private startCrew(): Crew {
    const t0 = performance.now();
    const crew = new Crew(this.buffers, this.parallel.setup);
    this.prof.spawnMs = t0 - this.startMs;
    this.prof.spawnCostMs = performance.now() - t0;
    return crew;
  }

  /** Runs one level through the phases; sets `stop` and `queue` if the run ends in it. */
  private expandLevel(store: boolean): void {
    const n = this.count;
    const before = this.generated;
    this.expandLevelBy(store);
    if (n > 0 && this.stop === null) this.fanout = Math.max(1, (this.generated - before) / n);
  }

  private expandLevelBy(store: boolean): void {
    if (this.policy !== null) {
      this.expandLevelAuto(store, this.policy);
      return;
    }
    const n = this.count;
    const ms = performance.now() - this.startMs;
    const start = this.graph === null ? VECTOR_START : VECTOR_START_GRAPH;
    if (this.crew === null && n >= VECTOR_SPAWN_AT && ms >= start.spawnAfterMs) {
      this.crew = this.startCrew();
    }
    // Once the workers hold their shards, every level goes through them.
    const crew = this.crew !== null && (this.crew.armed || this.eager || (n >= PARALLEL_MIN && ms >= start.useAfterMs && this.crew.ready)) ? this.crew : null;
    if (crew === null) {
      this.expandLevelAlone(store);
      return;
    }
    if (this.threadLevelPassesBudget()) return;
    this.expandLevelThreads(store, crew);
  }

  /**
   * Whether the level about to run on the threads would take the process past the memory
   * budget; if so the run stops there for memory (the caller runs the search again on one
   * thread, which goes on on disk). The threads keep every emission of a level (its numbers
   * as Float64s, its fingerprint, its place in a shard's list and its mark) until it is
   * deduplicated, and the new ones again in the next level, so the level cannot look at
   * the guard on the way as a level run on this thread does: it is estimated from the
   * emissions a state made in the last level, twice over for the buffers' growth.
   */
  private threadLevelPassesBudget(): boolean {
    const perEmission = 8 * this.W + 8 + 4 + 1;
    if (!budgetWouldPass(2 * this.count * this.fanout * perEmission, `the next level on ${this.T} threads`)) return false;
    this.stop = { kind: 'limit', limit: 'memory' };
    this.queue = this.count;
    return true;
  }

  /**
   * `--workers auto`: the policy says whether this level runs on this thread alone or on all,
   * and is told how long it took. The shards follow: handed to the workers for a level on the
   * threads, taken back for one on this thread alone.
   */
  private expandLevelAuto(store: boolean, policy: ThreadPolicy): void {
    const n = this.count;
    if (this.crew === null && (this.eager || (policy.wantWorkers && n >= PARALLEL_MIN))) {
      this.crew = this.startCrew();
      if (this.eager) this.crew.waitReady();
    }
    const crew = this.crew;
    const threads = policy.next(crew !== null && crew.ready);
    const before = this.generated;
    if (threads > 1 && crew !== null) {
      if (this.threadLevelPassesBudget()) return;
      if (!crew.armed) this.handOverShards(crew);
      const bytes = this.shardBytes();
      const t0 = performance.now();
      this.expandLevelThreads(store, crew);
      policy.record(this.T, this.generated - before, performance.now() - t0, this.shardBytes() !== bytes);
    } else {
      if (crew !== null && crew.armed) this.takeBackShards(crew);
      const bytes = this.shardBytes();
      const t0 = performance.now();
      this.expandLevelAlone(store);
      policy.record(1, this.generated - before, performance.now() - t0, this.shardBytes() !== bytes);
    }
  }

  /** Runs one level through the phases on every thread (the workers holding their shards). */
  private expandLevelThreads(store: boolean, crew: Crew): void {
    const T = this.T;
    const n = this.count;
    const nums = this.nums;
    const L = this.runner.L;
    const b = this.buffers;
    if (!crew.armed) this.handOverShards(crew);

    nums[L.count] = n;
    nums[L.cur] = this.cur;
    nums[L.store] = store ? 1 : 0;
    nums[L.deadlock] = this.checkDeadlock ? 1 : 0;
    nums[L.distinct] = this.distinct;
    nums[L.maxStates] = this.maxStates;
    // This thread records the last level in the replay index while the workers expand this
    // one: its range is made smaller by about that much (from the last measured costs), the
    // others share the rest. Any split gives the same result (the ranges are in level order).
    const record = this.pending !== null ? this.pending.count * this.recordMsPerState : 0;
    const own = this.expandMsPerState > 0 && record > 0 ? Math.max(0, n / T - (record * (T - 1)) / (T * this.expandMsPerState)) : n / T;
    nums[L.range] = 0;
    for (let t = 1; t <= T; t++) nums[L.range + t] = Math.floor(own + ((t - 1) * (n - own)) / (T - 1));
    for (let s = 0; s < T; s++) nums[L.anyNew + s] = 0;
    nums[L.fpsValid] = this.shareFps() ? 1 : 0;
    const prof = this.prof;

    let t0 = performance.now();
    if (prof.firstThreadsMs < 0) prof.firstThreadsMs = t0 - this.startMs;
    crew.start(CMD_EXPAND);
    const recordMs = this.flushReplay();
    const e0 = performance.now();
    this.runner.run(CMD_EXPAND, 0);
    const ownStates = nums[L.range + 1]!;
    prof.ownStates += ownStates;
    prof.threadStates += n;
    if (ownStates >= 1000) this.expandMsPerState = this.ema(this.expandMsPerState, (performance.now() - e0) / ownStates);
    crew.finish();
    if (b.graph && store) {
      let emitted = 0;
      for (let t = 0; t < T; t++) emitted += nums[L.emitted + t]!;
      ensureBytes(b.lvIdx, 4 * emitted);
    }
    let t1 = performance.now();
    prof.expandMs += t1 - t0 - recordMs;
    this.phase(crew, CMD_DEDUPE);
    t0 = performance.now();
    prof.dedupeMs += t0 - t1;

    // Number: prefix sums of the new states per range, and room for them in the next level.
    let total = 0;
    for (let t = 0; t < T; t++) {
      nums[L.base + t] = total;
      for (let s = 0; s < T; s++) total += nums[L.newCount + s * T + t]!;
    }
    const next = 1 - this.cur;
    if (store) {
      ensureBytes(b.lvSt[next]!, 8 * this.W * total);
      ensureBytes(b.lvPar[next]!, 4 * total);
      ensureBytes(b.lvOrd[next]!, 4 * total);
      ensureBytes(b.lvFp[next]!, 8 * total);
    }
    this.phase(crew, CMD_NUMBER);
    t1 = performance.now();
    prof.numberMs += t1 - t0;
    prof.threadLevels++;

    // The first stop event in global order, and what came before it.
    let kind = EV_NONE;
    let at = 0;
    let made = 0;
    for (let t = 0; t < T; t++) {
      const ev = L.event + EVENT_WORDS * t;
      this.generated += nums[ev + 2]!;
      made += nums[ev + 3]!;
      kind = nums[ev]!;
      if (kind !== EV_NONE) {
        at = nums[ev + 1]!;
        break;
      }
    }
    if (!store) {
      for (let s = 0; s < T; s++) if (nums[L.anyNew + s] === 1) this.depthLimitHit = true;
    }
    const first = this.replay.size;
    if (made > 0) {
      // Recorded during the next level's expansion, unless the search stops here (traces need
      // them now) or the graph is recorded.
      this.pending = { which: next, count: made, parentBase: this.first };
      if (kind !== EV_NONE || this.graph !== null) this.flushReplay();
      this.depth = this.level;
    }

    let queued = made;
    switch (kind) {
      case EV_NONE:
        break;
      case EV_LIMIT:
        this.stop = { kind: 'limit', limit: 'states' };
        break;
      case EV_PREDICATE: {
        // A recorded predicate threw on the new state: its fault, as explore() reports it.
        const index = first + made - 1;
        const state = this.stateAt(next, made - 1);
        let error: ModelError | undefined;
        try {
          for (const p of this.record!.predicates) p(state);
        } catch (e) {
          if (!(e instanceof ModelError)) throw e;
          error = e;
        }
        if (error === undefined) throw new Error('internal error: a predicate that threw in a worker holds on the main thread; the transition system is not deterministic');
        this.stopAt({ kind: 'fault', error, state: index }, state);
        queued = made - 1;
        break;
      }
      case EV_INVARIANT: {
        const index = first + made - 1;
        const state = this.stateAt(next, made - 1);
        const stop = invariantStop(this.system.invariants, state, index);
        if (stop === null) throw new Error('internal error: an invariant that failed in a worker holds on the main thread; the transition system is not deterministic');
        this.stopAt(stop, state);
        queued = made - 1;
        break;
      }
      case EV_FAULT: {
        const state = this.stateAt(this.cur, at);
        this.stopAt(replayedFault(this.system, state, this.first + at), state);
        break;
      }
      case EV_DEADLOCK: {
        const state = this.stateAt(this.cur, at);
        const stop = deadlockStop(this.system, state, this.first + at);
        if (stop === null) throw new Error('internal error: a state done on a worker is not done on the main thread');
        this.stopAt(stop, state);
        break;
      }
    }
    if (this.stop !== null) {
      this.queue = n - at - 1 + queued;
      return;
    }
    if (this.graph !== null) {
      const g0 = performance.now();
      if (store) this.phase(crew, CMD_FIXUP);
      this.recordLevelGraph(n, first, store);
      prof.graphMs += performance.now() - g0;
    }
    this.curFpsValid = false;
    this.sharedFpsValid = store;
    this.cur = next;
    this.first = first;
    this.count = made;
  }

  /**
   * Records the level's edges and its new states' predicate values in the recorder, in the
   * order explore() records them: state by state, emission by emission (`first`: the states
   * before the level's new ones).
   */
  private recordLevelGraph(n: number, first: number, store: boolean): void {
    const g = this.graph!;
    if (!store) {
      // At maxDepth explore() records no edge (nor stores a state).
      for (let i = 0; i < n; i++) g.beginState(this.first + i);
      return;
    }
    const T = this.T;
    const b = this.buffers;
    const nums = this.nums;
    const L = this.runner.L;
    const pw = b.predicateWords;
    const lvIdx = i32(b.lvIdx);
    const maxStates = this.maxStates;
    let distinct = first;
    let base = 0;
    for (let t = 0; t < T; t++) {
      const from = nums[L.range + t]!;
      const to = nums[L.range + t + 1]!;
      const ends = i32(b.ends[t]!);
      const mark = u8(b.emMark[t]!);
      const ref = i32(b.emRef[t]!);
      const tags = i32(b.emTag[t]!);
      const bits = u32(b.emBits[t]!);
      const tagMap = this.tagMaps[t]!;
      let e = 0;
      for (let i = from; i < to; i++) {
        g.beginState(this.first + i);
        const end = ends[i - from]!;
        for (let k = 0; e < end; e++, k++) {
          const m = mark[e]!;
          let target: number;
          if (m !== 0) {
            target = lvIdx[base + e]!;
          } else {
            // explore() records no edge to a state seen before once maxStates are stored.
            if (distinct >= maxStates) continue;
            const r = ref[e]!;
            target = r >= 0 ? r : lvIdx[~r]!;
          }
          const local = tags[e]!;
          let tag = local < 0 ? -1 : tagMap[local];
          if (tag === undefined) tag = tagMap[local] = g.tagOf(this.emission(this.stateAt(this.cur, i), k).label);
          g.taggedEdge(target, tag);
          if (m !== 0) {
            g.predicateBits(target, bits, e * pw);
            distinct++;
          }
        }
      }
      base += nums[L.emitted + t]!;
    }
  }

  /**
   * Runs one level on this thread alone, every shard at hand, in one pass as explore() does:
   * each emission is looked up as it comes and only new states are copied into the next
   * level (the phases would copy every emission first). Same counts, numbering and stops.
   */
  private expandLevelAlone(store: boolean): void {
    this.flushReplay();
    const W = this.W;
    const n = this.count;
    const system = this.system;
    const cur = f64(this.buffers.lvSt[this.cur]!);
    const next = 1 - this.cur;
    const first = this.replay.size;
    const state: number[] = new Array<number>(W).fill(0);
    this.alone = { store, dest: next, parent: 0, emitted: 0, made: 0, view: f64(this.buffers.lvSt[next]!), skipHi: 0, skipLo: 0, skip: false };
    const a = this.alone;
    const emit = this.emitAlone;
    // The step-to-itself shortcut: not with the graph recorded (the edge is recorded too).
    if (!this.curFpsValid && this.sharedFpsValid) this.takeSharedFps();
    const skip = this.curFpsValid && this.graph === null;
    const curFps = this.curFps;
    // As explore()'s: the state read from the level through successorsAt, if the system's
    // stands for its successors, and copied only for a fault or a deadlock.
    const direct = directSuccessors(system);
    // Slots of the states emitted since the last look at the guard, as in explore().
    let emittedSlots = 0;
    for (let i = 0; i < n; i++) {
      if (direct === undefined) for (let k = 0; k < W; k++) state[k] = cur[i * W + k]!;
      const parent = this.first + i;
      a.parent = parent;
      a.emitted = 0;
      if (skip) {
        a.skipHi = curFps[2 * i]! | 0;
        a.skipLo = curFps[2 * i + 1]! | 0;
        a.skip = true;
      }
      if (this.graph !== null) this.graph.beginState(parent);
      try {
        if (direct !== undefined) direct.at(cur, i * W, emit);
        else system.successors(state, emit);
      } catch (e) {
        // CUT_SHORT: the guard stopped the search inside the expansion (emitAlone).
        if (e !== CUT_SHORT) {
          if (!(e instanceof ModelError)) throw e;
          if (direct !== undefined) for (let k = 0; k < W; k++) state[k] = cur[i * W + k]!;
          // An invariant that failed on an earlier emission of this step came first.
          if (this.stop === null) this.stopAt({ kind: 'fault', error: e, state: parent }, state);
        }
      }
      if (this.stop === null && a.emitted === 0 && this.checkDeadlock) {
        if (direct !== undefined) for (let k = 0; k < W; k++) state[k] = cur[i * W + k]!;
        const stop = deadlockStop(system, state, parent);
        if (stop !== null) this.stopAt(stop, state);
      }
      emittedSlots += a.emitted * W;
      if (((i + 1) % CHECK_EVERY === 0 || emittedSlots >= CHECK_SLOTS) && this.stop === null) {
        emittedSlots = 0;
        const why = guardStop();
        if (why !== null) this.stop = { kind: 'limit', limit: why };
      }
      if (this.stop !== null) {
        this.queue = n - i - 1 + a.made;
        return;
      }
    }
    this.prof.localLevels++;
    this.swapFps();
    this.cur = next;
    this.first = first;
    this.count = a.made;
  }

  /** The level just filled by emitAlone becomes the current one, with its fingerprints. */
  private swapFps(): void {
    const fps = this.curFps;
    this.curFps = this.nextFps;
    this.nextFps = fps;
    this.curFpsValid = true;
    this.sharedFpsValid = false;
  }

  /**
   * Whether the current level's fingerprints are in the shared buffer (lvFp) for the threads:
   * a level made on the threads leaves them there, one made alone in curFps, copied over.
   */
  private shareFps(): boolean {
    if (this.sharedFpsValid) return true;
    if (!this.curFpsValid) return false;
    const buffer = this.buffers.lvFp[this.cur]!;
    ensureBytes(buffer, 8 * this.count);
    u32(buffer).set(this.curFps.subarray(0, 2 * this.count));
    this.sharedFpsValid = true;
    return true;
  }

  /** The current level's fingerprints, left by the threads in lvFp, into curFps (for a level run alone). */
  private takeSharedFps(): void {
    const n = 2 * this.count;
    if (this.curFps.length < n) this.curFps = new Uint32Array(Math.max(n, 2 * this.curFps.length));
    this.curFps.set(u32(this.buffers.lvFp[this.cur]!).subarray(0, n));
    this.curFpsValid = true;
  }

  /**
   * Runs a phase: with the workers, this thread does thread 0's part; alone, every thread's
   * part (dedupe covers every shard this thread holds in one pass).
   */
  private phase(crew: Crew | null, cmd: number): void {
    if (crew !== null) {
      crew.start(cmd);
      this.runner.run(cmd, 0);
      crew.finish();
    } else {
      for (let t = 0; t < (cmd === CMD_DEDUPE ? 1 : this.T); t++) this.runner.run(cmd, t);
    }
  }

  /**
   * The bytes of the seen set's tables: of the shards on this thread, and as the last dedupe
   * reported them for those on the workers (a change says a table grew).
   */
  private shardBytes(): number {
    let bytes = 0;
    for (let s = 0; s < this.T; s++) bytes += this.runner.sets[s]?.bytesUsed() ?? this.nums[this.runner.L.bytes + s]!;
    return bytes;
  }

  /** Gives each worker its shard set (from then on, this thread keeps only shard 0). */
  private handOverShards(crew: Crew): void {
    const sets = this.runner.sets;
    for (let t = 1; t < this.T; t++) {
      this.nums[this.runner.L.bytes + t] = sets[t]!.bytesUsed();
      const { snap, transfer } = shardSnapshot(sets[t]!);
      crew.post(t, snap, transfer);
      sets[t] = undefined;
    }
    crew.start(CMD_TAKE_SHARD);
    crew.finish();
    crew.armed = true;
  }

  /** Takes the workers' shard sets back (from then on, this thread holds them all). */
  private takeBackShards(crew: Crew): void {
    crew.start(CMD_GIVE_SHARD);
    crew.finish();
    for (let t = 1; t < this.T; t++) this.runner.sets[t] = shardFromSnapshot(crew.receive(t) as ShardSnapshot);
    crew.armed = false;
  }

  /** State p of a level buffer, as a fresh vector. */
  private stateAt(which: number, p: number): number[] {
    const st = f64(this.buffers.lvSt[which]!);
    const out: number[] = [];
    for (let k = 0; k < this.W; k++) out.push(st[p * this.W + k]!);
    return out;
  }

  private progress(): void {
    if (this.onProgress === undefined) return;
    const now = Date.now();
    if (now - this.lastProgressMs < this.progressPeriodMs) return;
    this.lastProgressMs = now;
    this.onProgress({
      distinct: this.distinct,
      generated: this.generated,
      depth: this.depth,
      queue: this.stop === null ? this.count : this.queue,
      seconds: this.elapsedSeconds(),
    });
  }

  /** Records why the run stops, and the fingerprint of the state it stops on. */
  private stopAt(stop: Stop, state: number[]): void {
    this.stop = stop;
    this.system.fingerprint(state, this.stopFp);
  }

  /** The seen set as the trace rebuilder sees it: the shards, wherever they live. */
  private seenView(): SeenSet {
    const run = this;
    return {
      get size() {
        return run.replay.size;
      },
      add(): number {
        throw new Error('internal error: the trace rebuilder adds to the seen set');
      },
      has: (hi, lo) => this.has(hi, lo),
      bytesUsed: () => 0,
    };
  }

  private has(hi: number, lo: number): boolean {
    const set = this.runner.sets[shardOf(lo, this.T)];
    if (set !== undefined) return set.has(hi, lo);
    const nums = this.nums;
    const L = this.runner.L;
    nums[L.hasHi] = hi;
    nums[L.hasLo] = lo;
    nums[L.hasResult] = -1;
    this.crew!.start(CMD_HAS);
    this.crew!.finish();
    // An IndexMap answers with the state's index (-1: absent).
    return this.graph !== null ? nums[L.hasResult]! >= 0 : nums[L.hasResult] === 1;
  }

  private trace(target: number): Trace<number[], L> {
    const stop = this.stop;
    const expect = stop !== null && stop.kind !== 'limit' && stop.state === target ? this.stopFp : undefined;
    return rebuildTrace(this.system, this.seenView(), this.replay, target, expect);
  }

  private elapsedSeconds(): number {
    return (performance.now() - this.startMs) / 1000;
  }
}

export type { Outcome };

/**
 * An error thrown in a worker thread, as the main thread rethrows it: the original's name and
 * message are kept, so that a caller can tell what kind of error it was (errors cannot cross
 * threads as objects).
 */
export class WorkerError extends Error {
  constructor(
    message: string,
    readonly originalName: string,
    readonly originalMessage: string,
  ) {
    super(message);
    this.name = 'WorkerError';
  }
}
