/**
 * What can stop a search from outside its own limits: an interrupt (SIGINT, SIGTERM) and
 * memory. One process-wide guard, read by every explorer at its progress checkpoints (every
 * few thousand expansions, or once per level), so that it costs nothing measurable.
 *
 *   - The interrupt flag is one word of shared memory: the thread that receives the signal
 *     (the CLI's main thread, src/cli/main.ts, which runs the search in a worker thread so
 *     that its own event loop stays free to take signals) stores the signal's number there,
 *     and the explorers, whatever thread they run on, see it at their next checkpoint.
 *   - The memory budget: the process's resident set (RSS) must stay under `maxMemoryBytes`,
 *     and the JavaScript heap of the exploring thread under HEAP_SHARE of V8's own limit
 *     (beyond which V8 would end the process with a fatal error, no report).
 *
 * Library users who set neither get a guard that never stops anything.
 */
import { getHeapStatistics } from 'node:v8';
import { readFileSync } from 'node:fs';
import { totalmem } from 'node:os';

/** Why the guard stops a search. */
export type GuardStop = 'interrupted' | 'memory';

/** The share of V8's heap limit the exploring thread may use before the search stops. */
export const HEAP_SHARE = 0.85;

/** The share of the machine's memory (or the cgroup's limit, if lower) the default --max-memory is. */
export const DEFAULT_MEMORY_SHARE = 0.75;

/** The note of a process over the memory budget. */
function overBudget(rss: number): string {
  return `the process used ${Math.round(rss / MIB)} MiB, over --max-memory ${Math.round(state.maxMemoryBytes / MIB)} MiB`;
}

/** The hint of a stop for the memory budget. */
const BUDGET_HINT = '--max-memory raises the limit.';

interface GuardState {
  /**
   * [0]: the number of the signal that interrupted the run, 0 if none. [1]: 1 while the
   * command takes interrupts (check, test: they report and end at the next checkpoint); 0
   * otherwise, and then the signal ends the process at once.
   */
  flag: Int32Array;
  /** The RSS budget in bytes (Infinity: none). */
  maxMemoryBytes: number;
  /** Whether to watch the heap (set with the memory budget). */
  watchHeap: boolean;
  /** Why the last search the guard stopped was stopped for memory (for the report). */
  memoryNote: string | undefined;
  /** What to do about it, a sentence (empty when the note says). */
  memoryHint: string;
}

/** Words in the interrupt buffer. */
export const INTERRUPT_WORDS = 2;

const state: GuardState = { flag: new Int32Array(new SharedArrayBuffer(4 * INTERRUPT_WORDS)), maxMemoryBytes: Infinity, watchHeap: false, memoryNote: undefined, memoryHint: BUDGET_HINT };

/** Uses `buffer` (a shared Int32 word, set by another thread) as the interrupt flag. */
export function useInterruptFlag(buffer: SharedArrayBuffer): void {
  state.flag = new Int32Array(buffer);
}

/** A signal came while spex was starting, before the command took interrupts (acceptInterrupts). */
let cameWhileStarting = false;

/**
 * Says that the command now takes interrupts (reports and ends at the next checkpoint). A
 * signal that came before, while spex was starting (the launcher leaves it for the command to
 * report, launch.ts), stops the command at its first phase (setPhase).
 */
export function acceptInterrupts(): void {
  Atomics.store(state.flag, 1, 1);
  if (Atomics.load(state.flag, 0) !== 0) cameWhileStarting = true;
}

/** Whether the command takes interrupts (read by the thread that receives the signals). */
export function acceptsInterrupts(flag: Int32Array): boolean {
  return Atomics.load(flag, 1) === 1;
}

/** The shared buffer of the interrupt flag, to hand to worker threads. */
export function interruptBuffer(): SharedArrayBuffer {
  return state.flag.buffer as SharedArrayBuffer;
}

/** Requests an interrupt by signal number (2: SIGINT, 15: SIGTERM); explorers stop at their next checkpoint. */
export function requestInterrupt(signal: number): void {
  Atomics.compareExchange(state.flag, 0, 0, signal);
}

/** The signal number that interrupted the run, 0 if none. */
export function interruptSignal(): number {
  return Atomics.load(state.flag, 0);
}

/** Clears the interrupt (tests). */
export function clearInterrupt(): void {
  Atomics.store(state.flag, 0, 0);
}

/** Sets the memory budget (bytes; Infinity for none) and starts watching the heap too. */
export function setMemoryBudget(bytes: number): void {
  state.maxMemoryBytes = bytes;
  state.watchHeap = Number.isFinite(bytes);
}

/** The memory budget in bytes (Infinity: none), for the disk-backed search to size its tables by. */
export function memoryBudget(): number {
  return state.maxMemoryBytes;
}

/** Why the guard last stopped a search for memory: which budget, and how much was used. */
export function memoryNote(): string | undefined {
  return state.memoryNote;
}

/** What to do about the last stop for memory: a sentence, or '' when the note says it. */
export function memoryHint(): string {
  return state.memoryHint;
}

const MIB = 1024 * 1024;

/**
 * How often the explorers look at the guard: every CHECK_EVERY expansions, as the time
 * between two checkpoints is what matters for states of a few slots; and as soon as the
 * states emitted since the last one hold CHECK_SLOTS slots (`stateSlots` each: a few
 * megabytes of states stored), so that a level of wide states, or of states with hundreds of
 * successors, cannot pass the memory budget by gigabytes between two looks.
 */
export const CHECK_EVERY = 4096;
export const CHECK_SLOTS = 1 << 20;
/**
 * Emissions of one expansion between two looks at the guard, less one (a power of two less
 * one): a state with tens of thousands of successors is interrupted, stopped at the memory
 * budget and reported in the progress reports while it is being expanded, by every explorer.
 */
export const LONG_EXPANSION_MASK = 255;
/** Thrown through the system's step by an explorer's emit to cut an expansion short once the search stops. */
export const CUT_SHORT: unique symbol = Symbol('cut short');

/** The slots of a state of `system` for the guard's cadence: its vector width, or its stated size, at least 1. */
export function stateSlots(system: { readonly vectorWidth?: number; readonly stateSize?: number }): number {
  return Math.max(1, system.vectorWidth ?? system.stateSize ?? 1);
}

/**
 * Whether the search must stop, and why; null to go on. Called at checkpoints only: reading
 * the RSS and the heap statistics costs a few microseconds.
 */
export function guardStop(): GuardStop | null {
  if (Atomics.load(state.flag, 0) !== 0) return 'interrupted';
  if (!state.watchHeap) return null;
  const rss = process.memoryUsage.rss();
  if (rss > state.maxMemoryBytes) {
    state.memoryNote = overBudget(rss);
    state.memoryHint = BUDGET_HINT;
    return 'memory';
  }
  const h = getHeapStatistics();
  if (h.used_heap_size > HEAP_SHARE * h.heap_size_limit) {
    state.memoryNote = `the JavaScript heap reached ${Math.round(h.used_heap_size / MIB)} MiB of its ${Math.round(h.heap_size_limit / MIB)} MiB limit (node --max-old-space-size raises it)`;
    state.memoryHint = '';
    return 'memory';
  }
  return null;
}

/** Records why a search stopped for memory when something other than the budget decided it. */
export function noteMemoryStop(note: string, hint: string): void {
  state.memoryNote = note;
  state.memoryHint = hint;
}

/**
 * Whether `bytes` more would take the process past the memory budget (false without one);
 * when so, the note says so with `what` (e.g. "a level on 2 threads"). For a step that
 * allocates in one go and cannot look at the guard on the way, as a level run on the threads.
 */
export function budgetWouldPass(bytes: number, what: string): boolean {
  if (!state.watchHeap) return false;
  const rss = process.memoryUsage.rss();
  if (rss + bytes <= state.maxMemoryBytes) return false;
  state.memoryNote = rss > state.maxMemoryBytes
    ? overBudget(rss)
    : `${what} would take the process from ${Math.round(rss / MIB)} MiB to about ${Math.round((rss + bytes) / MIB)} MiB, over --max-memory ${Math.round(state.maxMemoryBytes / MIB)} MiB`;
  state.memoryHint = BUDGET_HINT;
  return true;
}

/** The memory limit of this process's cgroup (v2 or v1), in bytes, if any. */
function cgroupLimit(): number | undefined {
  for (const path of ['/sys/fs/cgroup/memory.max', '/sys/fs/cgroup/memory/memory.limit_in_bytes']) {
    try {
      const text = readFileSync(path, 'utf8').trim();
      const n = Number(text);
      // v1 reports "no limit" as a huge number near 2^63.
      if (Number.isFinite(n) && n > 0 && n < 2 ** 60) return n;
    } catch {
      // No such file: no limit there.
    }
  }
  return undefined;
}

/** The default --max-memory: DEFAULT_MEMORY_SHARE of the machine's memory, or of the cgroup's limit if lower. */
export function defaultMaxMemory(): number {
  const total = totalmem();
  const cg = cgroupLimit();
  return Math.floor(DEFAULT_MEMORY_SHARE * (cg !== undefined && cg < total ? cg : total));
}

/** Parses a --max-memory size: a number of bytes with an optional k, m, g or t suffix (powers of 1024); a count of bytes is a whole number. */
export function parseMemorySize(text: string): number | undefined {
  const m = /^(\d+(?:\.\d+)?)\s*([kmgt]?)i?b?$/i.exec(text.trim());
  if (!m) return undefined;
  const scale = { '': 1, k: 1024, m: MIB, g: 1024 * MIB, t: 1024 * 1024 * MIB }[m[2]!.toLowerCase() as '' | 'k' | 'm' | 'g' | 't'];
  // A fraction of a byte (`1.5` for 1.5 GiB?): refused, not rounded down to 1 byte.
  if (scale === 1 && m[1]!.includes('.')) return undefined;
  const n = Math.floor(Number(m[1]) * scale);
  return n > 0 ? n : undefined;
}

/**
 * Thrown from inside a long computation (a huge expansion, a big quantifier, parsing a big
 * file) once an interrupt is pending: it unwinds to the explorer, which ends the search as
 * its checkpoints do (the partial statistics, the "interrupted" verdict), or to the CLI, which
 * says which phase was interrupted. Only the thread that holds the launcher's interrupt word
 * (the command's thread) ever sees the flag set: exploration workers never throw it.
 */
export class Interrupted extends Error {
  constructor(
    /** The signal's number (2: SIGINT, 15: SIGTERM). */
    readonly signal: number,
    /** What was running (`parsing`, `checking`, ...; see setPhase). */
    readonly phase: string,
  ) {
    super(`interrupted while ${phase}`);
    this.name = 'Interrupted';
  }
}

/** Calls of pollInterrupt between two reads of the interrupt word (a power of two). */
export const POLL_EVERY = 1024;

let polls = 0;
let phase = 'running';
/** Whether the phase in progress may be cut short (setPhase). */
let interruptible = true;

/**
 * Says what the command is doing now (`parsing FILE`, `checking the temporal properties`,
 * ...), for the message of an interrupt that stops it; `cut` false for a phase an interrupt
 * must not cut short (checkInterrupt). With SPEX_TEST_PHASES=1 (tests) each
 * phase is also announced on stderr as `phase: ...`, so that a test can send its signal once
 * the process is inside it.
 */
export function setPhase(what: string, cut = true): void {
  phase = what;
  interruptible = cut;
  if (process.env['SPEX_TEST_PHASES'] === '1') process.stderr.write(`phase: ${what}\n`);
  if (cameWhileStarting && cut) {
    cameWhileStarting = false;
    checkInterrupt();
  }
  // Test hook: SPEX_TEST_STALL=WORD holds the command in the phase that starts with WORD until
  // a signal comes (at most a minute), so that a test can interrupt it there whatever the
  // machine's speed.
  const stall = process.env['SPEX_TEST_STALL'];
  if (stall !== undefined && stall !== '' && what.startsWith(stall)) {
    process.stderr.write(`phase: ${what} (held until a signal)\n`);
    Atomics.wait(state.flag, 0, 0, 60_000);
    checkInterrupt();
  }
}

/**
 * Runs `f` with checkInterrupt not throwing: for the disk-backed search, which looks at the
 * interrupt flag itself between two expansions, where it can write a consistent checkpoint; an
 * expansion cut short in the middle would leave it none. The phase's own setting comes back after.
 */
export function uncut<T>(f: () => T): T {
  const before = interruptible;
  interruptible = false;
  try {
    return f();
  } finally {
    interruptible = before;
  }
}

/** What the command is doing now (setPhase). */
export function currentPhase(): string {
  return phase;
}

/**
 * The cheap check for long loops (the generic engine's quantifiers and comprehensions, the
 * parser's tokens, ...): a counter, and every POLL_EVERY calls one read of the interrupt word;
 * throws Interrupted if a signal came.
 */
export function pollInterrupt(): void {
  if ((++polls & (POLL_EVERY - 1)) === 0) checkInterrupt();
}

/**
 * Throws Interrupted now if a signal came (one read of the shared word), unless the phase in
 * progress is not to be cut short: the report of a search the signal already stopped, which
 * may still evaluate a little (the `--show` expressions, the coverage report).
 */
export function checkInterrupt(): void {
  const signal = Atomics.load(state.flag, 0);
  if (signal !== 0 && interruptible) throw new Interrupted(signal, phase);
}
