/**
 * The guard (src/explore/guard.ts) in the single-threaded explorer: an interrupt or a memory
 * budget already passed stops the search at its first checkpoint (4,096 expansions, or
 * sooner when the states emitted hold CHECK_SLOTS slots) as a limit, with the statistics so
 * far; without either the search runs to its end. The CLI's
 * own tests (test/interrupt.test.ts) send real signals, on both engines and with workers.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { explore, type TransitionSystem } from '../../src/explore/index.js';
import { CHECK_EVERY, CHECK_SLOTS, clearInterrupt, memoryNote, requestInterrupt, setMemoryBudget } from '../../src/explore/guard.js';
import { intFingerprint } from './graph-model.js';

/** A chain 0 → 1 → … → n: one state a level. */
function chain(n: number): TransitionSystem<number, string> {
  return {
    initialStates: (emit) => emit(0),
    successors: (s, emit) => {
      if (s < n) emit(s + 1, 'next');
    },
    fingerprint: intFingerprint,
    invariants: [],
  };
}

/**
 * A tree: state s has FANOUT successors, s·FANOUT + 1 … s·FANOUT + FANOUT, every one new.
 * As a generic system whose states hold `stateSize` slots, or (width given) as a vector
 * system of states [s, 0, …, 0] of that width, which explore() runs on its flat levels.
 */
const FANOUT = 100;
function tree(opts: { stateSize?: number; width?: number }): TransitionSystem<number, string> | TransitionSystem<number[], string> {
  if (opts.width === undefined) {
    return {
      initialStates: (emit) => emit(0),
      successors: (s, emit) => {
        for (let k = 1; k <= FANOUT; k++) emit(s * FANOUT + k, 'child');
      },
      fingerprint: intFingerprint,
      invariants: [],
      ...(opts.stateSize !== undefined ? { stateSize: opts.stateSize } : {}),
    };
  }
  const W = opts.width;
  const vec = (s: number): number[] => [s, ...new Array<number>(W - 1).fill(0)];
  return {
    vectorWidth: W,
    initialStates: (emit) => emit(vec(0)),
    successors: (s, emit) => {
      for (let k = 1; k <= FANOUT; k++) emit(vec(s[0]! * FANOUT + k), 'child');
    },
    fingerprint: (s, out) => intFingerprint(s[0]!, out),
    invariants: [],
  };
}

afterEach(() => {
  clearInterrupt();
  setMemoryBudget(Infinity);
  vi.restoreAllMocks();
});

describe('the guard in explore()', () => {
  it('without an interrupt or a budget, the search runs to its end', () => {
    const r = explore(chain(10_000), { checkDeadlock: false });
    expect(r.outcome.kind).toBe('ok');
    expect(r.stats.distinct).toBe(10_001);
  });

  it('an interrupt stops it at the first checkpoint, with the statistics so far', () => {
    requestInterrupt(2);
    const r = explore(chain(10_000), { checkDeadlock: false });
    expect(r.outcome).toEqual({ kind: 'limit', limit: 'interrupted' });
    // 4,096 states expanded, the last one's successor stored and queued.
    expect(r.stats.distinct).toBe(4097);
    expect(r.stats.queue).toBe(1);
  });

  it('a memory budget already passed stops it the same way', () => {
    setMemoryBudget(1);
    const r = explore(chain(10_000), { checkDeadlock: false });
    expect(r.outcome).toEqual({ kind: 'limit', limit: 'memory' });
    expect(r.stats.distinct).toBe(4097);
  });

  // Without the slot count, the tree would be stopped after CHECK_EVERY expansions; with wide
  // states, as soon as the states emitted hold CHECK_SLOTS slots.
  it.each([
    ['narrow generic states', { stateSize: 1 }, 1],
    ['generic states of 1,000 slots', { stateSize: 1000 }, 1000],
    ['states of no stated size', {}, 1],
    ['vectors of 1,000 numbers', { width: 1000 }, 1000],
    ['vectors of 4 numbers', { width: 4 }, 4],
  ] as const)('%s: a budget already passed stops the search at the first checkpoint', (_name, opts, slots) => {
    setMemoryBudget(1);
    const r = explore(tree(opts) as TransitionSystem<unknown, string>, { checkDeadlock: false });
    expect(r.outcome).toEqual({ kind: 'limit', limit: 'memory' });
    // 4,096 expansions of narrow states with 100 successors each, 2,622 of 4 numbers, 11 of 1,000.
    const expansions = Math.min(CHECK_EVERY, Math.ceil(CHECK_SLOTS / (FANOUT * slots)));
    expect(r.stats.distinct).toBe(1 + expansions * FANOUT);
    expect(r.stats.queue).toBe(1 + expansions * FANOUT - expansions);
  });

  // The flat levels grow by copying into arrays twice as big: from half full, a growth that
  // would take the process past the budget stops the search (or hands it to the disk) first.
  it('flat levels: a growth of the level being filled that would pass the budget stops the search', () => {
    const MIB = 1024 * 1024;
    vi.spyOn(process.memoryUsage, 'rss').mockReturnValue(500 * MIB);
    setMemoryBudget(501 * MIB);
    const r = explore(tree({ width: 1000 }) as TransitionSystem<unknown, string>, { checkDeadlock: false, maxStates: 20_000 });
    expect(r.outcome).toEqual({ kind: 'limit', limit: 'memory' });
    expect(memoryNote()).toMatch(/^growing the level being filled would take the process from 500 MiB to about \d+ MiB, over --max-memory 501 MiB$/);
    // At the first checkpoint: 11 expansions of 100 successors of 1,000 numbers.
    expect(r.stats.distinct).toBe(1 + Math.ceil(CHECK_SLOTS / (FANOUT * 1000)) * FANOUT);
    // With room for it, the same search runs to its state limit.
    setMemoryBudget(2 ** 50);
    expect(explore(tree({ width: 1000 }) as TransitionSystem<unknown, string>, { checkDeadlock: false, maxStates: 20_000 }).outcome).toEqual({ kind: 'limit', limit: 'states' });
  });

  it('a search shorter than a checkpoint is not stopped', () => {
    requestInterrupt(15);
    expect(explore(chain(100), { checkDeadlock: false }).outcome.kind).toBe('ok');
  });
});
