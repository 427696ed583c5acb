/**
 * `--workers auto`: how many threads the vector explorer runs a level on, chosen from measured
 * throughput rather than from the size of the search.
 *
 * The explorer runs every level on one thread or on all of them, and after each level tells
 * the policy which it was, how many emissions it handled and how long it took. The policy
 * compares the rate of the threads (emissions per millisecond, over a window of at least
 * `windowMs` of levels) with the rate of one thread measured just before, keeps the better
 * for a while (`holdMs`, doubled each time the same answer comes again, up to `maxHoldMs`),
 * then measures both again: the machine's load changes, and so does the search (its seen set
 * outgrows the caches, its levels widen and narrow).
 *
 *   solo     one thread, measuring its rate; once the workers are ready and the window is
 *            full, a trial follows;
 *   trial    all threads, measuring theirs; then the verdict: many (faster by `margin` at
 *            least) or hold-solo;
 *   many     all threads for `holdMs`, then solo again (a fresh one-thread rate, then a trial);
 *   hold     one thread for `holdMs` without looking, then a trial against the one-thread rate
 *            of its last window.
 *
 * Nothing here reads a clock: durations are those reported, so tests drive the policy with
 * made-up measurements. The results of a search never depend on its choices (every level
 * gives the same states, in the same order, on one thread or on several).
 */

export interface AutoConfig {
  /** Measured one-thread time before the workers are started. */
  readonly spawnAfterMs: number;
  /**
   * Time on the threads not measured, the first time they run: a worker's code is not
   * optimised yet by then (its first levels run several times slower than its later ones).
   */
  readonly warmMs: number;
  /** The shortest window a rate is measured over. */
  readonly windowMs: number;
  /** How much faster the threads must be to be kept (0.05: 5 %). */
  readonly margin: number;
  /**
   * A trial ends early, for one thread, when after `abortMs` of measurement the threads run
   * below this share of one thread's rate: no need to lose a whole window to find that out.
   */
  readonly abortMs: number;
  readonly abortBelow: number;
  /** How long a verdict holds before the next comparison, first and at most. */
  readonly holdMs: number;
  readonly maxHoldMs: number;
}

export const AUTO_DEFAULTS: AutoConfig = {
  spawnAfterMs: 500,
  warmMs: 200,
  windowMs: 150,
  margin: 0.05,
  abortMs: 50,
  abortBelow: 0.7,
  holdMs: 1000,
  maxHoldMs: 8000,
};

export type AutoPhase = 'solo' | 'trial' | 'many' | 'hold';

/** One comparison of the threads against one thread. */
export interface AutoComparison {
  /** Emissions per millisecond. */
  readonly soloRate: number;
  readonly manyRate: number;
  readonly chose: 1 | 'many';
}

/** What the explorer asks of a policy (AutoThreads; tests give others). */
export interface ThreadPolicy {
  readonly wantWorkers: boolean;
  next(ready: boolean): number;
  /**
   * A level ran on `threads` threads, handling `emitted` emissions in `ms` milliseconds;
   * `grew`: a table of the seen set doubled during it.
   */
  record(threads: number, emitted: number, ms: number, grew?: boolean): void;
  describe(): string;
  readonly most: number;
}

export class AutoThreads implements ThreadPolicy {
  phase: AutoPhase = 'solo';
  /** Every comparison made, in order. */
  readonly comparisons: AutoComparison[] = [];
  /** Levels and emissions run on one thread and on all. */
  readonly levels = { solo: 0, many: 0 };
  readonly emissions = { solo: 0, many: 0 };
  private soloMs = 0;
  private win = { emitted: 0, ms: 0 };
  private soloRate = 0;
  private hold: number;
  private held = 0;
  private warm: number;

  constructor(
    readonly threads: number,
    readonly config: AutoConfig = AUTO_DEFAULTS,
  ) {
    this.hold = config.holdMs;
    this.warm = config.warmMs;
  }

  /** Whether the workers should be started now (the explorer starts them once). */
  get wantWorkers(): boolean {
    return this.threads > 1 && this.soloMs >= this.config.spawnAfterMs;
  }

  /**
   * How many threads the next level runs on (1 or `threads`): `ready` says whether the workers
   * have built their systems.
   */
  next(ready: boolean): number {
    if (this.threads <= 1) return 1;
    if (this.phase === 'solo' && ready && this.win.ms >= this.config.windowMs && this.soloMs >= this.config.spawnAfterMs) {
      this.soloRate = rate(this.win);
      this.phase = 'trial';
      this.win = { emitted: 0, ms: 0 };
    }
    return this.phase === 'trial' || this.phase === 'many' ? this.threads : 1;
  }

  /**
   * A level ran on `threads` threads, handling `emitted` emissions in `ms` milliseconds. A
   * level during which a table of the seen set doubled (`grew`) counts for the time that
   * passed, but in no rate: a doubling costs in proportion to the table, not to the level, and
   * one in a window of 150 ms could make either side look several times slower than it is.
   */
  record(threads: number, emitted: number, ms: number, grew = false): void {
    const many = threads > 1;
    if (many) {
      this.levels.many++;
      this.emissions.many += emitted;
    } else {
      this.levels.solo++;
      this.emissions.solo += emitted;
      this.soloMs += ms;
    }
    switch (this.phase) {
      case 'solo':
        if (many || grew) return;
        // A sliding window: the last windowMs or so of one-thread levels.
        if (this.win.ms >= 2 * this.config.windowMs) this.win = { emitted: 0, ms: 0 };
        this.win.emitted += emitted;
        this.win.ms += ms;
        return;
      case 'trial': {
        if (!many) return;
        if (this.warm > 0) {
          this.warm -= ms;
          return;
        }
        if (grew) return;
        this.win.emitted += emitted;
        this.win.ms += ms;
        const clearlySlower = this.win.ms >= this.config.abortMs && rate(this.win) < this.soloRate * this.config.abortBelow;
        if (this.win.ms < this.config.windowMs && !clearlySlower) return;
        const manyRate = rate(this.win);
        const chose = manyRate >= this.soloRate * (1 + this.config.margin) ? 'many' : 1;
        const previous = this.comparisons[this.comparisons.length - 1]?.chose;
        this.comparisons.push({ soloRate: this.soloRate, manyRate, chose });
        // The same answer again: look less often; a different one: look again soon.
        this.hold = previous === chose ? Math.min(this.config.maxHoldMs, 2 * this.hold) : this.config.holdMs;
        this.phase = chose === 'many' ? 'many' : 'hold';
        this.held = 0;
        this.win = { emitted: 0, ms: 0 };
        return;
      }
      case 'many':
        this.held += ms;
        if (this.held >= this.hold) {
          this.phase = 'solo';
          this.win = { emitted: 0, ms: 0 };
        }
        return;
      case 'hold':
        this.held += ms;
        if (this.held >= this.hold) this.phase = 'solo';
        if (grew) return;
        if (this.win.ms >= 2 * this.config.windowMs) this.win = { emitted: 0, ms: 0 };
        this.win.emitted += emitted;
        this.win.ms += ms;
        return;
    }
  }

  /** Why the search ran on the threads it ran on, in a sentence (stats, --json, progress). */
  describe(): string {
    const n = this.threads;
    if (n <= 1) return 'auto: one core, one thread';
    const last = this.comparisons[this.comparisons.length - 1];
    if (last === undefined) {
      return this.levels.many > 0
        ? `auto: the search ended while ${n} threads were on trial`
        : 'auto: the search ended before more threads were worth trying';
    }
    const ratio = last.soloRate > 0 ? last.manyRate / last.soloRate : Infinity;
    const r = Number.isFinite(ratio) ? `${ratio.toFixed(2)}×` : 'more than';
    const share = `${pct(this.emissions.many, this.emissions.many + this.emissions.solo)} of the states generated on ${n} threads`;
    const times = this.comparisons.length === 1 ? 'one comparison' : `${this.comparisons.length} comparisons`;
    return last.chose === 'many'
      ? `auto: ${n} threads ran at ${r} the rate of one in the last comparison (${times}); ${share}`
      : `auto: ${n} threads ran at ${r} the rate of one in the last comparison (${times}), so one thread; ${share}`;
  }

  /** The most threads that ran a level. */
  get most(): number {
    return this.levels.many > 0 ? this.threads : 1;
  }
}

function rate(w: { emitted: number; ms: number }): number {
  return w.ms > 0 ? w.emitted / w.ms : 0;
}

function pct(a: number, b: number): string {
  return b === 0 ? '0 %' : `${Math.round((100 * a) / b)} %`;
}

/** What a parallel explorer reports of the threads it ran on. */
export interface ThreadsReport {
  /** The most threads that ran a level (1: the search never left the main thread). */
  readonly threads: number;
  /** Why, in a sentence. */
  readonly reason: string;
}

/**
 * A policy for tests (SPEX_TEST_AUTO_PATTERN=1,2,...): the levels run on 1 or all threads
 * following the pattern, over and over, whatever the measurements; the results must not
 * change.
 */
export function patternPolicy(threads: number, pattern: readonly number[]): ThreadPolicy {
  let level = 0;
  let many = false;
  return {
    wantWorkers: true,
    next: () => (pattern[level++ % pattern.length]! > 1 ? threads : 1),
    record: (t) => {
      if (t > 1) many = true;
    },
    describe: () => `a fixed pattern of thread counts (${pattern.join(', ')})`,
    get most() {
      return many ? threads : 1;
    },
  };
}
