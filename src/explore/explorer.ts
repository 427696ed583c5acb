/**
 * The breadth-first explorer: enumerates the reachable states of a TransitionSystem level by
 * level, checking invariants on every new state and deadlocks on every expanded one, and
 * reports the first problem with a shortest trace.
 *
 * Counting follows TLC exactly, since results are compared with published TLC tables:
 *   - distinct  = states added to the seen set, initial states included;
 *   - generated = every state emitted by initialStates or successors, duplicates and
 *                 self-loops included;
 *   - depth     = number of BFS levels reached, the initial states being level 1.
 *
 * Memory: state objects live only in the current and the next level. For every distinct state
 * the explorer keeps its fingerprint in the seen set (CompactFingerprintSet: 10–12 bytes a
 * state), and its parent and the ordinal of the emission that produced it (ReplayIndex: 4
 * bytes). That is enough to rebuild a trace by replaying the system along the parent links,
 * and it keeps the cost per state near 16 bytes whatever the size of the state. With temporal
 * properties the seen set is a FingerprintSet instead, which can also look a state's number
 * up by its fingerprint, as the state graph needs for edges to states already seen.
 *
 * A system whose states are fixed-width number vectors (`vectorWidth`: the packed engine) is
 * run by vector-run.ts instead, when nothing needs its states as objects (no step checks):
 * the same search over flat typed-array levels, with a faster seen set (FlatFingerprintSet,
 * numbered when it records the state graph).
 *
 * The search is level-synchronous (one array per level, not a FIFO queue) so that a parallel
 * version can later split each level among worker threads and merge their results in a
 * deterministic order, giving the same counts and traces as this one.
 */

import { CompactFingerprintSet } from './compact-set.js';
import { FingerprintSet } from './fingerprint-set.js';
import type { SeenSet } from './seen-set.js';
import { GraphRecorder, type RecordGraph, type StateGraph } from './state-graph.js';
import { ModelError, replayedEdge, type Invariant, type StepCoverage, type StepViolation, type TransitionSystem } from './system.js';
import { ReplayIndex, rebuildTrace, type Trace } from './trace.js';
import { checkLimits, deadlockStop, invariantStop, outcomeOf, searchStats, stepStop, type Stop } from './stop.js';
import { CHECK_EVERY, CHECK_SLOTS, CUT_SHORT, LONG_EXPANSION_MASK, Interrupted, checkInterrupt, guardStop, noteMemoryStop, stateSlots, type GuardStop } from './guard.js';
import { groupDigits } from '../values/format.js';
import { exploreVectorLevels, type FlatVectorSystem } from './vector-run.js';
import { releaseLevelPool } from './level-pool.js';
import { continueOnDisk, type DiskOptions, type DiskRunInfo, type Handover, type StateList } from './disk/explorer.js';
import { ByteReader, ByteWriter, type StateCodec } from './parallel/bytes.js';

export interface ExploreOptions<S = unknown, L = unknown> {
  /** Report states without successors (unless `isDone`) as deadlocks. The CLI defaults it to true. */
  checkDeadlock: boolean;
  /**
   * Stop with `{ kind: 'limit', limit: 'states' }` once this many distinct states are stored
   * and another new one turns up. A state space of exactly this size is not a limit.
   */
  maxStates?: number;
  /**
   * States at depth maxDepth (initial states are depth 1) are still stored, checked and
   * expanded, but their successors that are new are not stored; if any turned up, the outcome
   * is `{ kind: 'limit', limit: 'depth' }` unless a violation is found first.
   */
  maxDepth?: number;
  /** Called about once a second during long runs (never for runs shorter than that). */
  onProgress?: (p: Progress) => void;
  /** Milliseconds between two progress reports (default 1,000; 0: at every look at the clock). */
  progressPeriodMs?: number;
  /**
   * Keep the explored state graph (every edge, tagged, and per state the values of some
   * predicates) for temporal properties: the result then has `graph` when the search
   * completes. Without it nothing is recorded and no memory is spent.
   */
  recordGraph?: RecordGraph<S, L>;
  /**
   * The seen set to use instead of the exact one (CompactFingerprintSet), e.g. a swarm job's
   * bit array (src/swarm/bitstate.ts). Ignored with `recordGraph`, whose state graph needs
   * every state's number looked up by fingerprint.
   */
  seenSet?: () => SeenSet;
  /**
   * Go on with the disk-backed search (src/explore/disk/, docs/scale.md) when the memory
   * budget is reached, instead of stopping with limit 'memory'. Not with `recordGraph` or
   * counting coverage: those stop as before.
   */
  disk?: DiskOptions<S>;
  /**
   * Keep the levels' states encoded with this codec (bytes) rather than as the system's
   * objects. For states of thousands of values (a process of thousands of instances on the
   * generic engine): the collector then neither walks nor copies them (see StoredLevel).
   */
  levelCodec?: StateCodec<S>;
}

export interface Progress {
  distinct: number;
  generated: number;
  depth: number;
  queue: number;
  seconds: number;
  /**
   * Only in a report made in the middle of one state's expansion (a state with very many
   * successors): how many it has emitted so far.
   */
  expanding?: number;
  /** With `expanding`: the label of the last successor emitted (the step being taken). */
  expandingLabel?: unknown;
}

export type { Trace };

export type Outcome<S, L> =
  | { kind: 'ok' }
  /**
   * The trace ends in the violating state. `step`: a step check refused the last step of the
   * trace (a step property or a refinement; `invariant` is then its name).
   */
  | { kind: 'invariant'; invariant: string; trace: Trace<S, L>; step?: StepViolation }
  /** The trace ends in the deadlocked state. */
  | { kind: 'deadlock'; trace: Trace<S, L> }
  /**
   * The trace ends in the state in which the failing step (error.label) or predicate was
   * evaluated; for a fault in initialStates it is empty (no states).
   */
  | { kind: 'fault'; error: ModelError; trace: Trace<S, L> }
  | { kind: 'limit'; limit: LimitKind };

/**
 * What cut a search short: --max-states, --max-depth, the memory budget or an interrupt
 * (guard.ts; both checked at the progress checkpoints).
 */
export type LimitKind = 'states' | 'depth' | GuardStop;

export interface Stats {
  distinct: number;
  generated: number;
  depth: number;
  /** States stored but not yet expanded when the run ended (0 for a complete run). */
  queue: number;
  /** Wall-clock time of the run. */
  seconds: number;
  /** TLC's optimistic estimate n·(m−n)/2^64, n = distinct, m = generated. */
  collisionProbability: number;
  /** Bytes of the seen set plus the per-state arrays, divided by distinct (0 if none). */
  bytesPerState: number;
}

export interface ExploreResult<S, L> {
  outcome: Outcome<S, L>;
  stats: Stats;
  /** The state graph, when `recordGraph` was given and the outcome is ok. */
  graph?: StateGraph<S, L>;
  /** How the disk-backed search went, when it ran (docs/scale.md). */
  disk?: DiskRunInfo;
}

/**
 * Whether explore() runs a search on flat vector levels (vector-run.ts): fixed-width vectors
 * (the packed engine), the default seen set, and nothing that needs states as objects (no
 * step checks; state constraints are a predicate of the vector, and the state graph's
 * predicates are too). A search that records the state graph does so only for states of
 * fewer than RECORD_FLAT_MAX_SLOTS slots.
 */
export function onFlatLevels<S, L>(system: TransitionSystem<S, L>, options: ExploreOptions<S, L>): boolean {
  if (system.vectorWidth === undefined || options.seenSet !== undefined || system.checkStep !== undefined) return false;
  return options.recordGraph === undefined || system.vectorWidth < RECORD_FLAT_MAX_SLOTS;
}

/**
 * The widest states whose search records the state graph on flat levels. Wider, the object
 * levels (states kept as views on slabs, the packed engine's copyState) were the faster: a fuzz
 * mutant of test/fixtures/temporal/procs-fair.spex with 6,940 process instances and an
 * unbounded Int, four temporal checks of 20,000 states, took 20.6 s on flat levels against
 * 15.3 s on object levels (one check alone: the same); narrow states gain (counter-grid-live
 * K=21: 0.55-0.63 s against 0.87-0.96 s).
 */
export const RECORD_FLAT_MAX_SLOTS = 1024;

export function explore<S, L>(
  system: TransitionSystem<S, L>,
  options: ExploreOptions<S, L>,
): ExploreResult<S, L> {
  checkLimits(options);
  if (onFlatLevels(system, options)) {
    return exploreVectorLevels(system as unknown as FlatVectorSystem<L>, options as unknown as ExploreOptions<number[], L>) as unknown as ExploreResult<S, L>;
  }
  releaseLevelPool();
  const run = new BreadthFirstRun(system, options);
  try {
    return run.run();
  } catch (e) {
    // An interrupt in the middle of an expansion (or of a long loop of the system's).
    if (!(e instanceof Interrupted)) throw e;
    return run.interrupted();
  }
}

const PROGRESS_PERIOD_MS = 1000;

/**
 * Why a run stopped early, recorded while inside a system callback. Turning it into an
 * Outcome needs a replay, i.e. calls back into the system, which must wait until the system
 * has returned (a TransitionSystem need not be re-entrant).
 */

/**
 * One run's mutable state. A class rather than closures over locals so that the emit callback
 * is created once per run and its fields have a fixed shape for the JIT.
 */
class BreadthFirstRun<S, L> {
  private readonly system: TransitionSystem<S, L>;
  private readonly invariants: readonly Invariant<S>[];
  /** The system's copyState, if it lends the states it emits. */
  private readonly copyState: ((state: S) => S) | undefined;
  private readonly checkDeadlock: boolean;
  private readonly maxStates: number;
  private readonly maxDepth: number;
  private readonly onProgress: ((p: Progress) => void) | undefined;
  private readonly progressPeriodMs: number;

  /** The seen set; `numbered` is the same set when the graph needs states looked up by fingerprint. */
  /** Not readonly only so that a hand-over to the disk-backed search can let it go (handOver). */
  private seen: SeenSet;
  private readonly numbered: FingerprintSet | null;
  /** Parent and emission ordinal of every stored state, for traces. */
  private replay = new ReplayIndex();
  /** The one buffer fingerprints are written into; never allocated per state. */
  private readonly fp = new Uint32Array(2);

  // The two levels. `current*` is being expanded while `next*` is being filled; ids are the
  // states' indices in the seen set, in step with the state arrays.
  private current: StoredLevel<S>;
  private currentIds: number[] = [];
  private next: StoredLevel<S>;
  private nextIds: number[] = [];

  // Context of the initialStates / successors call in progress, read by `emit`.
  /** Index of the state being expanded; -1 while emitting initial states. */
  private parentId = -1;
  /** Emissions so far in the call in progress (the ordinal of the next one). */
  private emitted = 0;
  /** The level new states are stored at. */
  private level = 1;
  /** False while expanding states at maxDepth: their new successors are only noticed. */
  private storeNew = true;
  /** The state being expanded (undefined while emitting initial states), for step checks. */
  private expanding: S | undefined = undefined;
  /** The fingerprint of `expanding`, computed when a step check first needs it. */
  private readonly fromFp = new Uint32Array(2);
  private fromFpOf = -1;
  /** When longExpansion last reported progress. */
  private lastLongProgressMs = Date.now();

  private generated = 0;
  private depth = 0;
  private depthLimitHit = false;
  private stop: Stop | null = null;
  /** The fingerprint of the state the stop is about, to check the trace rebuilt to it. */
  private readonly stopFp = new Uint32Array(2);
  private readonly startMs = performance.now();
  /** Records edges and predicate values when temporal properties are checked; else null. */
  private readonly graph: GraphRecorder<S, L> | null;
  /** The system's step counters when they count (`--coverage`): told of every new state. */
  private readonly coverage: StepCoverage | null;
  private readonly options: ExploreOptions<S, L>;
  private readonly disk: DiskOptions<S> | undefined;

  constructor(system: TransitionSystem<S, L>, options: ExploreOptions<S, L>) {
    this.system = system;
    this.invariants = system.invariants;
    this.copyState = system.copyState?.bind(system);
    this.checkDeadlock = options.checkDeadlock;
    this.maxStates = options.maxStates ?? Infinity;
    this.maxDepth = options.maxDepth ?? Infinity;
    this.onProgress = options.onProgress;
    this.progressPeriodMs = options.progressPeriodMs ?? PROGRESS_PERIOD_MS;
    this.graph = options.recordGraph ? new GraphRecorder(options.recordGraph, this.checked) : null;
    this.numbered = this.graph !== null ? new FingerprintSet() : null;
    this.seen = this.numbered ?? options.seenSet?.() ?? new CompactFingerprintSet();
    this.coverage = system.coverage?.counting === true ? system.coverage : null;
    this.options = options;
    this.disk = options.disk;
    const level = (): StoredLevel<S> => (options.levelCodec !== undefined ? new EncodedLevel(options.levelCodec) : new ObjectLevel(this.copyState));
    this.current = level();
    this.next = level();
  }

  /** The search's state after expanding states[i] of the current level, for the disk-backed search. */
  private handOver(states: StoredLevel<S>, ids: number[], i: number, currentLevel: number): Handover<S, L> {
    const current = states.from(i + 1);
    const next = this.next.from(0);
    const first = i + 1 < ids.length ? ids[i + 1]! : ids[i]! + 1;
    if ((next.length > 0 && this.nextIds[0] !== first + current.length) || first + current.length + next.length !== this.seen.size) {
      throw new Error('internal error: the levels are not numbered consecutively at the hand-over to the disk-backed search');
    }
    this.current = this.current.detached();
    this.next = this.next.detached();
    const h: Handover<S, L> = {
      system: this.system, options: this.options, seen: this.seen as CompactFingerprintSet, replay: this.replay,
      current, first, next, generated: this.generated, depth: this.depth, depthLimitHit: this.depthLimitHit,
      level: currentLevel + 1, startMs: this.startMs,
    };
    // This run stays on the stack while the disk-backed search goes on: it must not keep the
    // seen set and the replay index, which the disk-backed search writes out and lets go.
    this.seen = new CompactFingerprintSet();
    this.replay = new ReplayIndex();
    return h;
  }

  run(): ExploreResult<S, L> {
    const system = this.system;
    const emit = this.checked ? this.emitChecked : this.emit;
    let queue = 0;

    // Level 1: the initial states. The same emit callback serves (its label argument is
    // simply absent here): with parentId -1 it records initial states.
    try {
      system.initialStates(emit);
    } catch (e) {
      if (e !== CUT_SHORT && !(e instanceof ModelError)) throw e;
      // A violation found on an earlier initial state came first and wins.
      this.stop ??= { kind: 'fault', error: e as ModelError, state: -1 };
    }
    if (this.stop !== null) queue = this.next.length;

    // Expansions, and slots of the states emitted since the last checkpoint (guard.ts).
    let expanded = 0;
    let emittedSlots = 0;
    const slots = stateSlots(system);
    let lastProgressMs = Date.now();
    levels: while (this.stop === null && this.next.length > 0) {
      this.swapLevels();
      const states = this.current;
      const ids = this.currentIds;
      const currentLevel = this.level;
      this.level = currentLevel + 1;
      this.storeNew = currentLevel < this.maxDepth;

      for (let i = 0; i < states.length; i++) {
        const state = states.at(i);
        const id = ids[i]!;
        this.parentId = id;
        this.expanding = state;
        this.emitted = 0;
        if (this.graph !== null) this.graph.beginState(id);
        try {
          system.successors(state, emit);
        } catch (e) {
          if (e !== CUT_SHORT && !(e instanceof ModelError)) throw e;
          if (this.stop === null) this.stopAt({ kind: 'fault', error: e as ModelError, state: id }, state);
        }
        if (this.stop === null && this.emitted === 0 && this.checkDeadlock) {
          this.checkDeadlockAt(state, id);
        }
        if (this.stop !== null) {
          queue = states.length - i - 1 + this.next.length;
          break levels;
        }
        emittedSlots += this.emitted * slots;
        if (++expanded % CHECK_EVERY === 0 || emittedSlots >= CHECK_SLOTS) {
          // The checkpoint: an interrupt or the memory budget stops the run here, between two
          // expansions; then progress, about once a second.
          emittedSlots = 0;
          const why = guardStop();
          if (why === 'memory' && this.disk !== undefined && this.graph === null && this.coverage === null) {
            return continueOnDisk(this.handOver(states, ids, i, currentLevel), this.disk);
          }
          if (why !== null) {
            this.stop = { kind: 'limit', limit: why };
            queue = states.length - i - 1 + this.next.length;
            break levels;
          }
          if (this.onProgress === undefined) continue;
          const now = Date.now();
          if (now - lastProgressMs >= this.progressPeriodMs) {
            lastProgressMs = now;
            this.onProgress({
              distinct: this.seen.size,
              generated: this.generated,
              depth: this.depth,
              queue: states.length - i - 1 + this.next.length,
              seconds: this.elapsedSeconds(),
            });
          }
        }
      }
    }
    // Let the last level's states be collected even if the caller keeps the result around.
    this.current = this.current.detached();
    this.next = this.next.detached();
    // Rebuilding traces replays steps: they must not count as the search's.
    system.coverage?.searchEnded();

    const outcome = this.outcome();
    const distinct = this.seen.size;
    this.seen.finishGrowing?.();
    const bytes = this.seen.bytesUsed() + this.replay.bytes;
    const result: ExploreResult<S, L> = {
      outcome,
      stats: searchStats(distinct, this.generated, this.depth, queue, this.elapsedSeconds(), bytes),
    };
    if (this.graph !== null && outcome.kind === 'ok') {
      result.graph = this.graph.finish(distinct, this.replay.parents(), (id) => this.trace(id), (from, ordinal, to) => this.replayEdge(from, ordinal, to));
    }
    return result;
  }

  /**
   * Receives every emitted state, initial or successor. An arrow function stored once per
   * run, so the hot loop creates no closure per state. The label is not needed here: traces
   * get their labels from the replay.
   */
  private readonly emit = (state: S, label?: L): void => {
    // The system cannot be told to stop emitting; once the run has stopped, ignore the rest.
    if (this.stop !== null) return this.stopped();
    const ordinal = this.emitted++;
    if ((ordinal & LONG_EXPANSION_MASK) === LONG_EXPANSION_MASK) this.longExpansion(ordinal, label);
    this.generated++;
    const fp = this.fp;
    this.system.fingerprint(state, fp);
    const hi = fp[0]!;
    const lo = fp[1]!;

    if (!this.storeNew) {
      // Expanding at maxDepth: the successor is counted, but a new one is not stored.
      if (!this.depthLimitHit && !this.seen.has(hi, lo)) this.depthLimitHit = true;
      return;
    }
    if (this.seen.size >= this.maxStates) {
      // Full: only a state already seen may pass; a new one is the limit (and is not stored,
      // so distinct ends at exactly maxStates).
      if (!this.seen.has(hi, lo)) this.stop = { kind: 'limit', limit: 'states' };
      return;
    }
    let index: number;
    if (this.numbered === null) {
      index = this.seen.add(hi, lo);
      if (index < 0) return; // seen before
    } else {
      const r = this.numbered.insertOrFind(hi, lo);
      if (r >= 0) {
        // Seen before: still an edge of the graph.
        if (this.parentId >= 0) this.graph!.edge(r, label as L);
        return;
      }
      index = ~r;
    }

    this.replay.record(index, this.parentId, ordinal);
    if (this.level > this.depth) this.depth = this.level;
    if (this.coverage !== null && this.parentId >= 0) this.coverage.discovered();
    if (this.violates(state, index)) return;
    if (this.graph !== null) {
      if (this.parentId >= 0) this.graph.edge(index, label as L);
      if (this.graphPredicatesFail(state, index)) return;
    }
    this.keep(state, index);
  };

  /**
   * An emission after the run stopped. At a limit (--max-states, the memory budget) the rest
   * of the expansion is cut short (CUT_SHORT, caught around the system's call): its
   * emissions would be ignored, but the system would still compute them, and a state with a
   * huge number of successors would keep the run going long after the limit. Not when the
   * steps are counted (`--coverage`, whose counts the rest of the expansion still adds to),
   * nor after a violation (its trace is rebuilt by replaying the system, which is left as
   * it is).
   */
  private stopped(): void {
    if (this.stop!.kind === 'limit' && this.coverage === null) throw CUT_SHORT;
  }

  /**
   * Every LONG_EXPANSION_MASK + 1 emissions of one expansion (or of the initial states): an
   * interrupt stops the run at once (Interrupted, caught in explore()), the memory budget
   * stops it after this emission; and a progress report, if one is due, says how far the
   * expansion got.
   */
  private longExpansion(ordinal: number, label: L | undefined): void {
    checkInterrupt();
    // With the disk-backed search to go on with, the budget is met at the next checkpoint
    // between two expansions, where the search is handed over (run()).
    if (guardStop() === 'memory' && !(this.disk !== undefined && this.graph === null && this.coverage === null)) {
      this.stop = { kind: 'limit', limit: 'memory' };
      return;
    }
    if (this.onProgress === undefined) return;
    const now = Date.now();
    if (now - this.lastLongProgressMs < this.progressPeriodMs) return;
    this.lastLongProgressMs = now;
    this.onProgress({ distinct: this.seen.size, generated: this.generated, depth: this.depth, queue: this.queueNow(), seconds: this.elapsedSeconds(), expanding: ordinal + 1, expandingLabel: label });
  }

  /**
   * The states stored and not yet expanded, from inside an expansion: the ids of a level are
   * consecutive, so the state being expanded is number parentId - currentIds[0] of its level.
   */
  private queueNow(): number {
    if (this.parentId < 0 || this.currentIds.length === 0) return this.next.length;
    return this.current.length - (this.parentId - this.currentIds[0]!) - 1 + this.next.length;
  }

  /**
   * The result of a run that an interrupt stopped in the middle of a step of the system
   * (Interrupted thrown through it): the partial statistics and the "interrupted" limit.
   */
  interrupted(): ExploreResult<S, L> {
    const queue = this.queueNow();
    this.current = this.current.detached();
    this.next = this.next.detached();
    this.system.coverage?.searchEnded();
    this.stop = { kind: 'limit', limit: 'interrupted' };
    const distinct = this.seen.size;
    this.seen.finishGrowing?.();
    return { outcome: { kind: 'limit', limit: 'interrupted' }, stats: searchStats(distinct, this.generated, this.depth, queue, this.elapsedSeconds(), this.seen.bytesUsed() + this.replay.bytes) };
  }

  /**
   * Queues new state `index` in the next level. An encoded level that cannot grow (the
   * allocator refuses its buffer) stops the search for memory, as the packed engine's levels
   * do, rather than failing.
   */
  private keep(state: S, index: number): void {
    try {
      this.next.push(state);
    } catch (e) {
      if (!(e instanceof RangeError) || !(this.next instanceof EncodedLevel)) throw e;
      noteMemoryStop(`a level of ${groupDigits(this.next.length)} states and more: its ${groupDigits(this.next.bytesUsed)} bytes could not grow`, '');
      this.stop = { kind: 'limit', limit: 'memory' };
      return;
    }
    this.nextIds.push(index);
  }

  /** The system has constraints or step checks: emissions go through `emitChecked`. */
  private get checked(): boolean {
    return this.system.inModel !== undefined || this.system.checkStep !== undefined;
  }

  /**
   * `emit` for a system with constraints or step checks (TLC's order): a state outside the
   * constraints is counted and checked against the invariants but not stored; then every
   * step from an expanded state is checked, to a state seen before or outside the
   * constraints too. Kept apart so that the common path above pays nothing for it.
   */
  private readonly emitChecked = (state: S, label?: L): void => {
    if (this.stop !== null) return this.stopped();
    const ordinal = this.emitted++;
    if ((ordinal & LONG_EXPANSION_MASK) === LONG_EXPANSION_MASK) this.longExpansion(ordinal, label);
    this.generated++;
    const system = this.system;
    const parent = this.parentId;
    if (!this.storeNew) {
      // Expanding at maxDepth: as in emit, the successor is only noticed.
      system.fingerprint(state, this.fp);
      if (!this.depthLimitHit && !this.seen.has(this.fp[0]!, this.fp[1]!) && this.isInModel(state, label, ordinal)) this.depthLimitHit = true;
      return;
    }
    const inModel = this.isInModel(state, label, ordinal);
    if (this.stop !== null) return;
    const fp = this.fp;
    system.fingerprint(state, fp);
    const hi = fp[0]!;
    const lo = fp[1]!;
    if (!inModel) {
      // Outside the constraints: checked, never stored.
      const stop = invariantStop(this.invariants, state, parent, ordinal);
      if (stop !== null) this.stopAt(stop, state);
      else this.checkStepTo(state, label, ordinal, hi, lo);
      return;
    }
    if (this.seen.size >= this.maxStates) {
      if (!this.seen.has(hi, lo)) this.stop = { kind: 'limit', limit: 'states' };
      else this.checkStepTo(state, label, ordinal, hi, lo);
      return;
    }
    let index: number;
    if (this.numbered === null) {
      index = this.seen.add(hi, lo);
    } else {
      const r = this.numbered.insertOrFind(hi, lo);
      if (r >= 0 && parent >= 0) this.graph!.edge(r, label as L, ordinal);
      index = r >= 0 ? -1 : ~r;
    }
    if (index < 0) {
      this.checkStepTo(state, label, ordinal, hi, lo);
      return;
    }
    this.replay.record(index, parent, ordinal);
    if (this.level > this.depth) this.depth = this.level;
    if (this.coverage !== null && parent >= 0) this.coverage.discovered();
    if (this.violates(state, index)) return;
    if (this.graph !== null) {
      if (parent >= 0) this.graph.edge(index, label as L, ordinal);
      if (this.graphPredicatesFail(state, index)) return;
    }
    if (this.checkStepTo(state, label, ordinal, hi, lo)) return;
    this.keep(state, index);
  };

  /** The system's constraints on an emitted state; a ModelError in them stops the run. */
  private isInModel(state: S, label: L | undefined, ordinal: number): boolean {
    if (this.system.inModel === undefined) return true;
    try {
      return this.system.inModel(state, this.parentId >= 0 ? this.expanding : undefined, this.parentId >= 0 ? label : undefined);
    } catch (e) {
      if (!(e instanceof ModelError)) throw e;
      this.stopAt({ kind: 'fault', error: e, state: this.parentId, via: ordinal }, state);
      return false;
    }
  }

  /**
   * The system's step check on the step from the state being expanded to `state` (fingerprint
   * hi, lo), unless it is an initial state or a stutter. True if it stopped the run.
   */
  private checkStepTo(state: S, label: L | undefined, ordinal: number, hi: number, lo: number): boolean {
    const parent = this.parentId;
    if (this.system.checkStep === undefined || parent < 0) return false;
    if (this.fromFpOf !== parent) {
      this.system.fingerprint(this.expanding!, this.fromFp);
      this.fromFpOf = parent;
    }
    if (this.fromFp[0] === hi && this.fromFp[1] === lo) return false;
    const stop = stepStop(this.system, parent, this.expanding!, state, label as L, ordinal);
    if (stop === null) return false;
    this.stopAt(stop, state);
    return true;
  }

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

  /** Evaluates the recorded predicates on a new state; a model error in one stops the run. */
  private graphPredicatesFail(state: S, index: number): boolean {
    const error = this.graph!.predicatesFault(state, index);
    if (error !== undefined) this.stopAt({ kind: 'fault', error, state: index }, state);
    return error !== undefined;
  }

  /**
   * Replays the edge that is emission `ordinal` of state `from`, which must lead to state `to`:
   * the state and label it produces.
   */
  private replayEdge(from: S, ordinal: number, to: number): { state: S; label: L } {
    return replayedEdge(this.system, from, ordinal, to, this.copyState ?? ((state: S) => state), (hi, lo) => this.numbered!.indexOf(hi, lo));
  }

  /** Called for an expanded state that emitted nothing. */
  private checkDeadlockAt(state: S, id: number): void {
    const stop = deadlockStop(this.system, state, id);
    if (stop !== null) this.stopAt(stop, state);
  }

  private swapLevels(): void {
    const states = this.current;
    const ids = this.currentIds;
    this.current = this.next;
    this.currentIds = this.nextIds;
    // Reuse the old level; clearing it drops its references to the expanded states.
    states.clear();
    ids.length = 0;
    this.next = states;
    this.nextIds = ids;
  }

  private outcome(): Outcome<S, L> {
    return outcomeOf(this.stop, this.depthLimitHit, (state) => this.trace(state));
  }

  /** The shortest trace to state `target` (-1: the empty trace), rebuilt by replay. */
  private trace(target: number): Trace<S, L> {
    const stop = this.stop;
    const expect = stop !== null && stop.kind !== 'limit' && stop.state === target ? this.stopFp : undefined;
    return rebuildTrace(this.system, this.seen, this.replay, target, expect, stop !== null && stop.kind !== 'limit' && stop.state === target ? stop.via : undefined);
  }

  private elapsedSeconds(): number {
    return (performance.now() - this.startMs) / 1000;
  }
}

/**
 * The states of one level, in order: the explorer's queue. Kept as the states themselves
 * (ObjectLevel: a copy when the system reuses what it emits, copyState), or encoded
 * (EncodedLevel, with ExploreOptions.levelCodec).
 */
interface StoredLevel<S> {
  readonly length: number;
  /** Keeps `state`, which the caller may change afterwards. */
  push(state: S): void;
  /** State i, as pushed (a new object each time for an encoded level). */
  at(i: number): S;
  /** Forgets every state, keeping the room they took for the next level. */
  clear(): void;
  /** The states from `first` on, for the disk-backed search, which reads them once. */
  from(first: number): StateList<S>;
  /** An empty level of the same kind that holds nothing of this one (its room let go). */
  detached(): StoredLevel<S>;
}

class ObjectLevel<S> implements StoredLevel<S> {
  private readonly states: S[] = [];

  constructor(private readonly copy: ((state: S) => S) | undefined) {}

  get length(): number {
    return this.states.length;
  }

  push(state: S): void {
    this.states.push(this.copy === undefined ? state : this.copy(state));
  }

  at(i: number): S {
    return this.states[i]!;
  }

  clear(): void {
    this.states.length = 0;
  }

  from(first: number): StateList<S> {
    return this.states.slice(first);
  }

  detached(): StoredLevel<S> {
    return new ObjectLevel(this.copy);
  }
}

/** The bytes after which an encoded level begins a new chunk (EncodedLevel): 8 MB. */
const ENCODED_CHUNK_BYTES = 1 << 23;

/** ENCODED_CHUNK_BYTES, or SPEX_ENCODED_CHUNK from the environment (tests: chunks of a few bytes). */
function encodedChunkBytes(): number {
  const n = Number(process.env['SPEX_ENCODED_CHUNK'] ?? '');
  return Number.isSafeInteger(n) && n > 0 ? n : ENCODED_CHUNK_BYTES;
}
/** A chunk's index in an encoded state's start (EncodedLevel.starts): offsets stay below it. */
const CHUNK_SPAN = 2 ** 32;

/**
 * A level of states as bytes (a codec's encodings, one after another) and where each begins.
 * States of thousands of values, each a new array of that many slots, are what V8's collector
 * does worst with: a young one is copied out at every scavenge, and the old ones are walked
 * at every full collection. A mutant of either-process.spex with 3,710 instances (states of
 * 7,422 values, 20,000 of them new) spent 5.9 s of an 8.8 s run collecting them; encoded, a
 * state costs 50 µs to write and 60 to read back.
 */
class EncodedLevel<S> implements StoredLevel<S> {
  /**
   * The chunks the states are written in, one after another: a state lies whole in one, and
   * the next chunk is begun once one holds ENCODED_CHUNK_BYTES or more. One buffer for the
   * level grew by doubling, so a level of wide states was copied again and again as it grew,
   * each copy into memory touched for the first time (the mutant above: 300 MB a level, 0.7 s
   * of its run). Cleared, they are filled again from the first.
   */
  private readonly chunks: ByteWriter[] = [new ByteWriter(1 << 16)];
  /** The chunk being written. */
  private current = 0;
  private readonly chunkBytes = encodedChunkBytes();
  /** The bytes of the largest state written so far. */
  private largest = 0;
  /** Where each state begins: its chunk's index times CHUNK_SPAN, plus its offset in the chunk. */
  private starts = new Float64Array(1024);
  private count = 0;

  constructor(private readonly codec: StateCodec<S>) {}

  get length(): number {
    return this.count;
  }

  /** The bytes its states take. */
  get bytesUsed(): number {
    let bytes = 0;
    for (let c = 0; c <= this.current; c++) bytes += this.chunks[c]!.pos;
    return bytes;
  }

  /** A state that cannot be written (a RangeError from a buffer that cannot grow) leaves the level as it was. */
  push(state: S): void {
    if (this.count === this.starts.length) {
      const starts = new Float64Array(this.starts.length * 2);
      starts.set(this.starts);
      this.starts = starts;
    }
    let chunk = this.chunks[this.current]!;
    if (chunk.pos >= this.chunkBytes) {
      this.current++;
      // A chunk after the first is made with room for its states at once (memory untouched
      // until written), so that it is not copied to grow either.
      if (this.current === this.chunks.length) this.chunks.push(new ByteWriter(this.chunkBytes + Math.max(1 << 16, 2 * this.largest)));
      chunk = this.chunks[this.current]!;
    }
    const at = chunk.pos;
    try {
      this.codec.encode(state, chunk);
    } catch (e) {
      chunk.pos = at;
      throw e;
    }
    if (chunk.pos - at > this.largest) this.largest = chunk.pos - at;
    this.starts[this.count++] = this.current * CHUNK_SPAN + at;
  }

  at(i: number): S {
    const start = this.starts[i]!;
    const c = Math.floor(start / CHUNK_SPAN);
    return this.codec.decode(new ByteReader(this.chunks[c]!.buf, start - c * CHUNK_SPAN));
  }

  clear(): void {
    for (let c = 0; c <= this.current; c++) this.chunks[c]!.clear();
    this.current = 0;
    this.count = 0;
  }

  from(first: number): StateList<S> {
    const count = this.count;
    return {
      length: Math.max(0, count - first),
      [Symbol.iterator]: function* (this: EncodedLevel<S>) {
        for (let i = first; i < count; i++) yield this.at(i);
      }.bind(this),
    };
  }

  detached(): StoredLevel<S> {
    return new EncodedLevel(this.codec);
  }
}
