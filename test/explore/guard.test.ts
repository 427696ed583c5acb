/**
 * The guard (src/explore/guard.ts) in the single-threaded explorer: an interrupt or a memory
 * budget already passed stops the search at its first checkpoint (4,096 expansions) as a
 * limit, with the statistics so far; without either the search runs to its end. The CLI's
 * own tests (test/interrupt.test.ts) send real signals, on both engines and with workers.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { explore, type TransitionSystem } from '../../src/explore/index.js';
import { clearInterrupt, requestInterrupt, setMemoryBudget } from '../../src/explore/guard.js';
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

afterEach(() => {
  clearInterrupt();
  setMemoryBudget(Infinity);
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

  it('a search shorter than a checkpoint is not stopped', () => {
    requestInterrupt(15);
    expect(explore(chain(100), { checkDeadlock: false }).outcome.kind).toBe('ok');
  });
});
