/**
 * Random walks over a TransitionSystem (`spex simulate`), and the shrinking of the walk that
 * found a problem. Knows nothing of the language: like the breadth-first explorer it sees
 * only the TransitionSystem interface, and it expands a state exactly as that explorer does
 * (one `successors` call, every emission counted as generated and checked against the
 * constraints, the invariants and the step checks, in the same order), so whatever the system
 * counts per call (coverage) counts the steps of walks too.
 *
 * Walk i is driven by its own generator, seeded from (seed, i) alone: it does not depend on
 * which thread runs it or on what ran before. A run hands out walks by increasing index and
 * reports the violation of the lowest index among those that found one; with a time limit the
 * walks below that index are still completed, so the report depends only on the seed.
 * The parallel coordinator is simulate-parallel.ts; src/engine/simulate.ts drives both.
 */
import { fmix32 } from '../values/mix.js';
import { explore, type Outcome } from './explorer.js';
import { ModelError, type StepViolation, type TransitionSystem } from './system.js';
import type { Trace } from './trace.js';
import { Interrupted, interruptSignal } from './guard.js';
import { releaseLevelPool } from './level-pool.js';

// ---------------------------------------------------------------------------------------------
// The generator

/** The largest seed: seeds are non-negative safe integers. */
export const MAX_SEED = Number.MAX_SAFE_INTEGER;

/**
 * xoshiro128** (Blackman and Vigna), seeded by a splitmix-style expansion of (seed, stream):
 * four state words, each a mix of a counter stepped by the golden ratio and both inputs.
 * Deterministic on every platform (32-bit integer arithmetic only); never Math.random.
 */
export class Rng {
  private a: number;
  private b: number;
  private c: number;
  private d: number;

  /** `seed`: 0 .. MAX_SEED; `stream`: 0 .. 2^53 − 1 (a walk's index). */
  constructor(seed: number, stream: number) {
    const sLo = seed >>> 0;
    const sHi = Math.floor(seed / 0x1_0000_0000) >>> 0;
    const wLo = stream >>> 0;
    const wHi = Math.floor(stream / 0x1_0000_0000) >>> 0;
    const k = fmix32(fmix32(fmix32(sLo ^ 0x3c6ef372) ^ sHi) + 0x2545f491) ^ fmix32(fmix32(wLo ^ 0x9e3779b9) ^ wHi);
    let x = k;
    const next = (): number => {
      x = (x + 0x9e3779b9) | 0;
      return fmix32(x ^ fmix32(sLo + wHi) ^ fmix32(wLo + sHi + 0x632be5ab));
    };
    this.a = next();
    this.b = next();
    this.c = next();
    this.d = next();
    // The all-zero state is xoshiro's one fixed point.
    if ((this.a | this.b | this.c | this.d) === 0) this.a = 1;
  }

  /** The next 32-bit word, as a non-negative number. */
  next(): number {
    const result = Math.imul(rotl(Math.imul(this.b, 5), 7), 9) >>> 0;
    const t = this.b << 9;
    this.c ^= this.a;
    this.d ^= this.b;
    this.b ^= this.c;
    this.a ^= this.d;
    this.c ^= t;
    this.d = rotl(this.d, 11);
    return result;
  }

  /** A uniform integer in 0 .. n − 1 (n ≥ 1), by rejection: no bias. */
  below(n: number): number {
    if (n <= 1) return 0;
    if (n > 0x1_0000_0000) throw new RangeError(`Rng.below: ${n} is above 2^32`);
    const limit = 0x1_0000_0000 - (0x1_0000_0000 % n);
    for (;;) {
      const r = this.next();
      if (r < limit) return r % n;
    }
  }
}

function rotl(x: number, k: number): number {
  return (x << k) | (x >>> (32 - k));
}

// ---------------------------------------------------------------------------------------------
// One expansion, shared by walks and by the replays of shrinking

/**
 * Why a walk stopped on a problem. `via`: the problem is in the successor with that emission
 * ordinal of the last state of the walk (its invariants, its constraints or the step to it),
 * which then ends the trace; without it the trace ends in the walk's last state.
 */
export type WalkStop =
  | { kind: 'invariant'; invariant: string; via: number; step?: StepViolation }
  | { kind: 'deadlock' }
  | { kind: 'fault'; error: ModelError; via?: number };

/** How a step picks the successor to go on with. */
const RANDOM = 0;
const BY_LABEL = 1;

/**
 * Expands one state the way the breadth-first explorer does and picks one successor inside
 * the constraints: uniformly at random (reservoir sampling, one draw per candidate), or the
 * one with a given label. One instance per run; its emit callback is created once.
 */
class Stepper<S, L> {
  private readonly system: TransitionSystem<S, L>;
  private readonly checkDeadlock: boolean;
  private readonly copy: (s: S) => S;
  private readonly fpFrom = new Uint32Array(2);
  private readonly fpTo = new Uint32Array(2);
  private fpFromValid = false;
  /** With coverage counted: the fingerprints of every state the walks reached, to tell new ones. */
  private readonly seen: Set<bigint> | undefined;
  private readonly fpNew = new Uint32Array(2);

  // The expansion in progress.
  private cur: S | undefined = undefined;
  private emitted = 0;
  private mode = RANDOM;
  private rng: Rng | undefined = undefined;
  private candidates = 0;
  private wantKey = '';
  private wantRank = 0;
  private keyOf: ((label: L) => string) | undefined = undefined;

  /** Every emission so far, over all expansions (TLC's "generated"). */
  generated = 0;
  /** The result of the last expansion. */
  stop: WalkStop | null = null;
  /** With a `via` stop: the successor it is about, and its label. */
  stopState: S | undefined = undefined;
  stopLabel: L | undefined = undefined;
  chosen: S | undefined = undefined;
  chosenLabel: L | undefined = undefined;
  chosenOrdinal = -1;
  /** By label: how many successors with the wanted label came before the chosen one. */
  chosenRank = 0;
  /** By label: how many successors had the wanted label. */
  matches = 0;

  constructor(system: TransitionSystem<S, L>, checkDeadlock: boolean) {
    this.system = system;
    this.checkDeadlock = checkDeadlock;
    const c = system.copyState?.bind(system);
    this.copy = c ?? ((s: S) => s);
    this.seen = system.coverage?.counting ? new Set<bigint>() : undefined;
  }

  /** Coverage's "new": a successor inside the constraints that no walk reached before (credited to its step). */
  private discover(state: S): void {
    if (this.markSeen(state)) this.system.coverage!.discovered();
  }

  /** With coverage counted: records a state the walks reached; whether it was new. */
  markSeen(state: S): boolean {
    if (this.seen === undefined) return false;
    this.system.fingerprint(state, this.fpNew);
    const key = (BigInt(this.fpNew[0]!) << 32n) | BigInt(this.fpNew[1]!);
    if (this.seen.has(key)) return false;
    this.seen.add(key);
    return true;
  }

  /**
   * Expands `cur` and picks a successor at random with `rng`. Afterwards: `stop` if a problem
   * was found, else `chosen` (undefined when there was nothing to go on with: a done state, a
   * state without successors when deadlocks are not checked, or every successor outside the
   * constraints).
   */
  expandRandom(cur: S, rng: Rng): void {
    this.mode = RANDOM;
    this.rng = rng;
    this.candidates = 0;
    this.expand(cur);
  }

  /**
   * Expands `cur` and picks the successor with label key `key` that comes `rank`-th among
   * those with that key (the last of them if fewer).
   */
  expandByLabel(cur: S, key: string, rank: number, keyOf: (label: L) => string): void {
    this.mode = BY_LABEL;
    this.wantKey = key;
    this.wantRank = rank;
    this.keyOf = keyOf;
    this.expand(cur);
  }

  private expand(cur: S): void {
    this.cur = cur;
    this.emitted = 0;
    this.stop = null;
    this.stopState = undefined;
    this.stopLabel = undefined;
    this.chosen = undefined;
    this.chosenLabel = undefined;
    this.chosenOrdinal = -1;
    this.chosenRank = 0;
    this.matches = 0;
    this.fpFromValid = false;
    try {
      this.system.successors(cur, this.emit);
    } catch (e) {
      if (!(e instanceof ModelError)) throw e;
      // A problem found on an earlier successor came first and wins, as in the explorer.
      if (this.stop === null) this.stop = { kind: 'fault', error: e };
    }
    if (this.stop === null && this.emitted === 0 && this.checkDeadlock) {
      let done: boolean;
      try {
        done = this.system.isDone?.(cur) ?? false;
      } catch (e) {
        if (!(e instanceof ModelError)) throw e;
        this.stop = { kind: 'fault', error: e };
        return;
      }
      if (!done) this.stop = { kind: 'deadlock' };
    }
    if (this.stop !== null) this.chosen = undefined;
  }

  private readonly emit = (state: S, label: L): void => {
    if (this.stop !== null) return;
    const ordinal = this.emitted++;
    this.generated++;
    const system = this.system;
    let inModel = true;
    if (system.inModel !== undefined) {
      try {
        inModel = system.inModel(state, this.cur, label);
      } catch (e) {
        if (!(e instanceof ModelError)) throw e;
        this.stopOn({ kind: 'fault', error: e, via: ordinal }, state, label);
        return;
      }
    }
    const invariants = system.invariants;
    try {
      for (let i = 0; i < invariants.length; i++) {
        if (!invariants[i]!.holds(state)) {
          this.stopOn({ kind: 'invariant', invariant: invariants[i]!.name, via: ordinal }, state, label);
          return;
        }
      }
    } catch (e) {
      if (!(e instanceof ModelError)) throw e;
      this.stopOn({ kind: 'fault', error: e, via: ordinal }, state, label);
      return;
    }
    if (system.checkStep !== undefined && this.stepRefused(state, label, ordinal)) return;
    if (!inModel) return;
    if (this.seen !== undefined) this.discover(state);
    if (this.mode === RANDOM) {
      const n = ++this.candidates;
      if (n === 1 || this.rng!.below(n) === 0) this.take(state, label, ordinal);
    } else if (this.keyOf!(label) === this.wantKey) {
      if (this.matches === 0 || this.matches <= this.wantRank) {
        this.take(state, label, ordinal);
        this.chosenRank = this.matches;
      }
      this.matches++;
    }
  };

  private take(state: S, label: L, ordinal: number): void {
    this.chosen = this.copy(state);
    this.chosenLabel = label;
    this.chosenOrdinal = ordinal;
  }

  /** The step check on cur → state (stutters excepted, as in the explorer); true if it stopped. */
  private stepRefused(state: S, label: L, ordinal: number): boolean {
    const system = this.system;
    if (!this.fpFromValid) {
      system.fingerprint(this.cur!, this.fpFrom);
      this.fpFromValid = true;
    }
    system.fingerprint(state, this.fpTo);
    if (this.fpTo[0] === this.fpFrom[0] && this.fpTo[1] === this.fpFrom[1]) return false;
    let v: StepViolation | undefined;
    try {
      v = system.checkStep!(this.cur!, state, label);
    } catch (e) {
      if (!(e instanceof ModelError)) throw e;
      this.stopOn({ kind: 'fault', error: e, via: ordinal }, state, label);
      return true;
    }
    if (v === undefined) return false;
    this.stopOn({ kind: 'invariant', invariant: v.name, via: ordinal, step: v }, state, label);
    return true;
  }

  private stopOn(stop: WalkStop, state: S, label: L): void {
    this.stop = stop;
    this.stopState = this.copy(state);
    this.stopLabel = label;
  }
}

// ---------------------------------------------------------------------------------------------
// Walks

export interface WalkOptions {
  /** Report states without successors (unless `isDone`) as deadlocks. */
  readonly checkDeadlock: boolean;
  /** The most steps a walk takes. */
  readonly depth: number;
  readonly seed: number;
}

/** A walk that found a problem: enough to rebuild it (the walk is rerun from its seed). */
export interface WalkFound {
  readonly index: number;
  readonly stop: WalkStop;
  /** Steps taken before the problem (the trace has one more state with a `via` stop). */
  readonly steps: number;
}

/** What the initial states hold, checked once for a whole run. */
export type InitialCheck<S, L> =
  | { kind: 'ok' }
  /** No initial state inside the constraints: there is nothing to walk. */
  | { kind: 'none' }
  /** A problem in the initial states: its trace (empty for a fault in initialStates itself). */
  | { kind: 'stop'; stop: WalkStop; trace: Trace<S, L> };

/**
 * Runs walks by index. Builds the initial states once (checking every one of them, as the
 * explorer does) and keeps those inside the constraints to start walks from.
 */
export class Walker<S, L> {
  readonly system: TransitionSystem<S, L>;
  readonly options: WalkOptions;
  private readonly stepper: Stepper<S, L>;
  private readonly initial: S[] = [];
  readonly initialCheck: InitialCheck<S, L>;
  /** Initial states emitted (they count as generated once per run). */
  readonly initialGenerated: number;

  constructor(system: TransitionSystem<S, L>, options: WalkOptions) {
    if (!(Number.isInteger(options.depth) && options.depth >= 1)) throw new RangeError(`depth must be a positive integer, got ${options.depth}`);
    if (!(Number.isSafeInteger(options.seed) && options.seed >= 0)) throw new RangeError(`seed must be a non-negative safe integer, got ${options.seed}`);
    this.system = system;
    this.options = options;
    this.stepper = new Stepper(system, options.checkDeadlock);
    const copy = system.copyState?.bind(system) ?? ((s: S) => s);
    let stop: { stop: WalkStop; state: S | undefined } | undefined;
    let generated = 0;
    const initial = this.initial;
    try {
      system.initialStates((state) => {
        if (stop !== undefined) return;
        const ordinal = generated++;
        let inModel = true;
        try {
          if (system.inModel !== undefined) inModel = system.inModel(state, undefined, undefined);
          for (const inv of system.invariants) {
            if (!inv.holds(state)) {
              stop = { stop: { kind: 'invariant', invariant: inv.name, via: ordinal }, state: copy(state) };
              return;
            }
          }
        } catch (e) {
          if (!(e instanceof ModelError)) throw e;
          stop = { stop: { kind: 'fault', error: e, via: ordinal }, state: copy(state) };
          return;
        }
        if (inModel) initial.push(copy(state));
      });
    } catch (e) {
      if (!(e instanceof ModelError)) throw e;
      stop ??= { stop: { kind: 'fault', error: e }, state: undefined };
    }
    this.initialGenerated = generated;
    // Coverage's "new" counts states first reached by a step: the initial states are not.
    for (const s of initial) this.stepper.markSeen(s);
    if (stop !== undefined) {
      const st = stop.state;
      this.initialCheck = { kind: 'stop', stop: stop.stop, trace: { states: st === undefined ? [] : [st], labels: [] } };
    } else {
      this.initialCheck = initial.length === 0 ? { kind: 'none' } : { kind: 'ok' };
    }
  }

  /** Emissions of successors so far, over every walk this walker ran. */
  get generated(): number {
    return this.stepper.generated;
  }

  /**
   * Runs walk `index` and returns the number of steps it took and its problem, if any. The
   * same index always gives the same walk.
   */
  walk(index: number): { steps: number; stop: WalkStop | null } {
    return this.run(index, undefined);
  }

  /** Walk `index` again, keeping its states and labels: the trace to its problem. */
  trace(index: number): { trace: Trace<S, L>; stop: WalkStop | null } {
    const trace: Trace<S, L> = { states: [], labels: [] };
    const r = this.run(index, trace);
    return { trace, stop: r.stop };
  }

  private run(index: number, trace: Trace<S, L> | undefined): { steps: number; stop: WalkStop | null } {
    if (this.initialCheck.kind !== 'ok') throw new Error('internal error: a walk without initial states to start from');
    const rng = new Rng(this.options.seed, index);
    const stepper = this.stepper;
    let cur: S = this.initial[rng.below(this.initial.length)] as S;
    trace?.states.push(cur);
    const depth = this.options.depth;
    for (let steps = 0; steps < depth; steps++) {
      stepper.expandRandom(cur, rng);
      if (stepper.stop !== null) {
        if (trace && stepper.stopState !== undefined) {
          trace.states.push(stepper.stopState);
          trace.labels.push(stepper.stopLabel!);
        }
        return { steps, stop: stepper.stop };
      }
      if (stepper.chosen === undefined) return { steps, stop: null };
      cur = stepper.chosen as S;
      if (trace) {
        trace.states.push(cur);
        trace.labels.push(stepper.chosenLabel!);
      }
    }
    return { steps: depth, stop: null };
  }

  /**
   * Replays a sequence of steps given by label keys (and, among successors with the same
   * label, the rank of the one taken) from `init`, expanding each state as a walk does. The
   * replay ends at the first problem (possibly before the last step), when a step's label is
   * not among the successors, or after the last step.
   */
  replay(init: S, steps: readonly { key: string; rank: number }[], keyOf: (label: L) => string): Replayed<S, L> {
    const stepper = this.stepper;
    const trace: Trace<S, L> = { states: [init], labels: [] };
    const taken: { key: string; rank: number }[] = [];
    let cur = init;
    for (let k = 0; k <= steps.length; k++) {
      // The last state is expanded too: its problems (a deadlock, a failing step, a bad successor) end the trace.
      const want = steps[k];
      if (want === undefined) {
        stepper.expandByLabel(cur, '\u0000', 0, keyOf);
      } else {
        stepper.expandByLabel(cur, want.key, want.rank, keyOf);
      }
      if (stepper.stop !== null) {
        if (stepper.stopState !== undefined) {
          trace.states.push(stepper.stopState);
          trace.labels.push(stepper.stopLabel!);
        }
        return { trace, steps: taken, stop: stepper.stop };
      }
      if (want === undefined || stepper.chosen === undefined) return { trace, steps: taken, stop: null };
      cur = stepper.chosen as S;
      trace.states.push(cur);
      trace.labels.push(stepper.chosenLabel!);
      taken.push({ key: want.key, rank: stepper.chosenRank });
    }
    return { trace, steps: taken, stop: null };
  }
}

export interface Replayed<S, L> {
  readonly trace: Trace<S, L>;
  /** The steps actually taken (with the rank each took); not the step to the bad successor of a `via` problem. */
  readonly steps: { key: string; rank: number }[];
  readonly stop: WalkStop | null;
}

// ---------------------------------------------------------------------------------------------
// Runs of many walks (one thread; simulate-parallel.ts has the threaded version)

export interface SimulationLimits {
  /** Stop after this many walks (walks 0 .. runs − 1). */
  readonly runs: number;
  /** Stop handing out walks after this many seconds (walks under way finish). */
  readonly seconds: number;
  /** Milliseconds between progress reports (default PROGRESS_PERIOD_MS; 0: after every walk). */
  readonly progressPeriodMs?: number;
}

export interface SimulationProgress {
  readonly walks: number;
  /** Steps taken over all walks. */
  readonly steps: number;
  /** States generated (emitted and checked), initial states included. */
  readonly generated: number;
  readonly seconds: number;
}

export interface WalksResult {
  /** The problem of the lowest walk index found, if any. */
  readonly found: WalkFound | undefined;
  /** Walks counted: 0 .. found.index when something was found, else every walk completed. */
  readonly walks: number;
  readonly steps: number;
  readonly generated: number;
  /** The longest walk counted, in steps. */
  readonly longest: number;
  /** Whether the time limit ended the run (before `runs` walks, without a problem found). */
  readonly timedOut: boolean;
  /**
   * Set when a signal (SIGINT, SIGTERM) ended the run before `runs` walks, without a problem
   * found: the walks counted are those completed before it; a walk it cut short is not counted.
   */
  readonly interrupted?: boolean;
}

export const PROGRESS_PERIOD_MS = 1000;

/** Runs walks 0, 1, 2, ... on this thread until one finds a problem or a limit is reached. */
export function runWalks<S, L>(walker: Walker<S, L>, limits: SimulationLimits, onProgress?: (p: SimulationProgress) => void): WalksResult {
  releaseLevelPool();
  const start = performance.now();
  const deadline = start + limits.seconds * 1000;
  const period = limits.progressPeriodMs ?? PROGRESS_PERIOD_MS;
  let lastProgress = start;
  let steps = 0;
  let longest = 0;
  const base = walker.initialGenerated;
  const from = walker.generated;
  for (let i = 0; i < limits.runs; i++) {
    let r;
    try {
      r = walker.walk(i);
    } catch (err) {
      // A signal inside a long step (the evaluator's loops poll it): the walks before this one.
      if (!(err instanceof Interrupted)) throw err;
      return { found: undefined, walks: i, steps, generated: base + walker.generated - from, longest, timedOut: false, interrupted: true };
    }
    steps += r.steps;
    if (r.steps > longest) longest = r.steps;
    if (r.stop !== null) {
      return { found: { index: i, stop: r.stop, steps: r.steps }, walks: i + 1, steps, generated: base + walker.generated - from, longest, timedOut: false };
    }
    // A signal: the walks so far (one read of the shared word per walk).
    if (interruptSignal() !== 0 && i + 1 < limits.runs) {
      return { found: undefined, walks: i + 1, steps, generated: base + walker.generated - from, longest, timedOut: false, interrupted: true };
    }
    // Reading the clock costs little next to a walk.
    const now = performance.now();
    if (now >= deadline) return { found: undefined, walks: i + 1, steps, generated: base + walker.generated - from, longest, timedOut: i + 1 < limits.runs };
    if (onProgress !== undefined && now - lastProgress >= period) {
      lastProgress = now;
      onProgress({ walks: i + 1, steps, generated: base + walker.generated - from, seconds: (now - start) / 1000 });
    }
  }
  return { found: undefined, walks: limits.runs, steps, generated: base + walker.generated - from, longest, timedOut: false };
}

// ---------------------------------------------------------------------------------------------
// Shrinking

export interface ShrinkOptions<L> {
  /** A key that tells labels apart (two steps with equal keys are the same action binding). */
  readonly keyOf: (label: L) => string;
  /** When two faults are the same problem (same kind, same place); default: same kind and message. */
  readonly sameFault?: (a: ModelError, b: ModelError) => boolean;
  /** States the breadth-first search may store; 0: no search. */
  readonly budget: number;
  /** Replays the step-dropping phase may spend at most. */
  readonly maxReplays?: number;
}

/** What shrinking did, phase by phase, in steps. */
export interface ShrinkReport {
  /** The walk's own trace. */
  readonly raw: number;
  /** After cutting the loops (a state visited twice: the steps between go). */
  readonly loopsCut: number;
  /** After dropping steps while the problem still replays. */
  readonly dropped: number;
  readonly replays: number;
  /**
   * The breadth-first search up to `dropped` steps: `shortest` when it found the same problem
   * (its trace is then a shortest one), `budget` when it needed more than the budget's states,
   * `other` when it met another problem first, `skipped` with a budget of 0 or nothing to shorten.
   */
  readonly search: { readonly kind: 'shortest' | 'budget' | 'other' | 'skipped'; readonly states: number; readonly other?: string };
  /** The trace reported, in steps. */
  readonly final: number;
  /** Whether the reported trace is known to be a shortest one. */
  readonly shortest: boolean;
}

export function stopName(stop: WalkStop): string {
  switch (stop.kind) {
    case 'invariant':
      return stop.step ? `step property ${stop.invariant}` : `invariant ${stop.invariant}`;
    case 'deadlock':
      return 'a deadlock';
    case 'fault':
      return stop.error.kind === 'assert' ? `a failed assert (${stop.error.message})` : `a run-time error (${stop.error.message})`;
  }
}

function sameStop<L>(a: WalkStop, b: WalkStop, opts: ShrinkOptions<L>): boolean {
  if (a.kind !== b.kind) return false;
  switch (a.kind) {
    case 'invariant': {
      const o = b as typeof a;
      return a.invariant === o.invariant && (a.step === undefined) === (o.step === undefined);
    }
    case 'deadlock':
      return true;
    case 'fault': {
      const o = (b as typeof a).error;
      if (a.error.kind !== o.kind) return false;
      return opts.sameFault ? opts.sameFault(a.error, o) : a.error.message === o.message;
    }
  }
}

/** The explorer's outcome for a problem, as the check reports it. */
export function outcomeOfStop<S, L>(stop: WalkStop, trace: Trace<S, L>): Outcome<S, L> {
  switch (stop.kind) {
    case 'invariant':
      return stop.step ? { kind: 'invariant', invariant: stop.invariant, trace, step: stop.step } : { kind: 'invariant', invariant: stop.invariant, trace };
    case 'deadlock':
      return { kind: 'deadlock', trace };
    case 'fault':
      return { kind: 'fault', error: stop.error, trace };
  }
}

/** The walk's problem as the explorer's stop would be described, to compare with an outcome. */
function stopOfOutcome<S, L>(o: Outcome<S, L>): WalkStop | undefined {
  switch (o.kind) {
    case 'invariant':
      return o.step ? { kind: 'invariant', invariant: o.invariant, via: 0, step: o.step } : { kind: 'invariant', invariant: o.invariant, via: 0 };
    case 'deadlock':
      return { kind: 'deadlock' };
    case 'fault':
      return { kind: 'fault', error: o.error };
    default:
      return undefined;
  }
}

/**
 * Shrinks the trace of walk `found.index`:
 *   1. cut the loops: where the walk visits a state twice, the steps between go;
 *   2. drop steps while the same problem still happens (delta debugging: chunks of half the
 *      trace, then quarters, ..., then single steps), each candidate re-executed from the
 *      initial state by its steps' labels, with every check a walk makes;
 *   3. search breadth-first up to the length reached, storing at most `budget` states: if the
 *      search finds the same problem its trace is a shortest one.
 * Each phase keeps a trace only if replaying it ends in the same problem (same invariant, or
 * deadlock, or a fault of the same kind at the same place), so the result is always a real
 * behaviour of the system that ends in that problem.
 */
export function shrinkWalk<S, L>(walker: Walker<S, L>, found: WalkFound, opts: ShrinkOptions<L>): { outcome: Outcome<S, L>; report: ShrinkReport } {
  const system = walker.system;
  const { trace: raw, stop } = walker.trace(found.index);
  if (stop === null || !sameStop(stop, found.stop, opts)) {
    throw new Error('internal error: a walk rerun from its seed does not end in the same problem; the transition system is not deterministic');
  }
  const rawSteps = raw.labels.length;
  const init = raw.states[0]!;
  const keyOf = opts.keyOf;
  // The states the walk stood on: with a `via` problem the last state is the bad successor.
  const walked = raw.states.length - (stop.kind !== 'deadlock' && stop.via !== undefined ? 1 : 0);
  let best: { trace: Trace<S, L>; steps: { key: string; rank: number }[]; stop: WalkStop } = { trace: raw, steps: rankedSteps(walker, raw, walked - 1, keyOf), stop };
  let replays = 0;
  /** Replays `steps`; keeps the result if it ends in the same problem by a shorter trace. */
  const tryReplay = (steps: readonly { key: string; rank: number }[]): boolean => {
    replays++;
    const r = walker.replay(init, steps, keyOf);
    if (r.stop === null || !sameStop(r.stop, stop, opts) || r.trace.labels.length >= best.trace.labels.length) return false;
    best = { trace: r.trace, steps: r.steps, stop: r.stop };
    return true;
  };

  // 1. Loops: from each state visited again later, go on from its last visit.
  if (walked > 1) {
    const fps: string[] = [];
    const fp = new Uint32Array(2);
    for (let i = 0; i < walked; i++) {
      system.fingerprint(raw.states[i]!, fp);
      fps.push(`${fp[0]}:${fp[1]}`);
    }
    const last = new Map<string, number>();
    fps.forEach((f, i) => last.set(f, i));
    const kept: { key: string; rank: number }[] = [];
    for (let i = 0; i < best.steps.length; ) {
      const j = last.get(fps[i]!)!;
      if (j > i) {
        i = j;
        continue;
      }
      kept.push(best.steps[i]!);
      i++;
    }
    if (kept.length < best.steps.length) tryReplay(kept);
  }
  const loopsCut = best.trace.labels.length;

  // 2. Drop steps: chunks of 1/2, 1/3, 1/4, ... of the steps, down to single steps (ddmin's
  // complements), each time from the end backwards.
  const maxReplays = opts.maxReplays ?? 5000;
  let parts = 2;
  while (best.steps.length >= 1 && replays < maxReplays) {
    const len = best.steps.length;
    const chunk = Math.max(1, Math.ceil(len / Math.min(parts, len)));
    let reduced = false;
    for (let start = Math.floor((len - 1) / chunk) * chunk; start >= 0 && replays < maxReplays; start -= chunk) {
      if (tryReplay([...best.steps.slice(0, start), ...best.steps.slice(start + chunk)])) {
        reduced = true;
        break;
      }
    }
    if (reduced) {
      parts = Math.max(parts - 1, 2);
      continue;
    }
    if (chunk === 1) break;
    parts = Math.min(parts * 2, len);
  }
  const dropped = best.trace.labels.length;

  // 3. Breadth-first up to that length, on the system as it is (every check on): it stops at
  // the first problem in breadth-first order, which counts only if it is the same one.
  let search: ShrinkReport['search'] = { kind: 'skipped', states: 0 };
  let shortest = false;
  if (opts.budget > 0 && best.trace.labels.length > 0) {
    const r = explore(system, { checkDeadlock: walker.options.checkDeadlock, maxDepth: best.trace.states.length, maxStates: opts.budget });
    const o = r.outcome;
    const st = stopOfOutcome(o);
    if (st !== undefined && o.kind !== 'ok' && o.kind !== 'limit') {
      if (sameStop(st, stop, opts) && o.trace.labels.length <= best.trace.labels.length) {
        best = { trace: o.trace, steps: [], stop: st };
        search = { kind: 'shortest', states: r.stats.distinct };
        shortest = true;
      } else {
        search = { kind: 'other', states: r.stats.distinct, other: stopName(st) };
      }
    } else if (o.kind === 'limit' && o.limit === 'states') {
      search = { kind: 'budget', states: r.stats.distinct };
    } else {
      // The search ended without meeting the problem the replay shows: the system does not
      // behave the same twice.
      throw new Error('internal error: a breadth-first search does not meet the problem a replay met within its depth; the transition system is not deterministic');
    }
  }
  return {
    outcome: outcomeOfStop(best.stop, best.trace),
    report: { raw: rawSteps, loopsCut, dropped, replays, search, final: best.trace.labels.length, shortest },
  };
}

/**
 * The first `count` steps of a trace as label keys, each with its rank among the successors
 * with that label (the first with the state the trace goes to).
 */
function rankedSteps<S, L>(walker: Walker<S, L>, trace: Trace<S, L>, count: number, keyOf: (label: L) => string): { key: string; rank: number }[] {
  const out: { key: string; rank: number }[] = [];
  const system = walker.system;
  const fp = new Uint32Array(2);
  const want = new Uint32Array(2);
  for (let k = 0; k < count; k++) {
    const key = keyOf(trace.labels[k]!);
    system.fingerprint(trace.states[k + 1]!, want);
    const r = { rank: -1, seen: 0 };
    try {
      system.successors(trace.states[k]!, (s, l) => {
        if (r.rank >= 0 || keyOf(l) !== key) return;
        system.fingerprint(s, fp);
        if (fp[0] === want[0] && fp[1] === want[1]) r.rank = r.seen;
        r.seen++;
      });
    } catch (e) {
      if (!(e instanceof ModelError)) throw e;
    }
    out.push({ key, rank: Math.max(0, r.rank) });
  }
  return out;
}
