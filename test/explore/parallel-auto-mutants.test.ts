/**
 * The `--workers auto` policy (src/explore/parallel/auto.ts) at its edges, driven by made-up
 * measurements (nothing here reads a clock): the counters, the bounds of every comparison
 * (exactly at spawnAfterMs, the margin, the abort share, the hold), the sliding window of
 * one-thread levels in the solo and hold phases, rates over no time, the sentence it gives,
 * and the fixed-pattern policy of the tests.
 */
import { describe, expect, it } from 'vitest';
import { AUTO_DEFAULTS, AutoThreads, patternPolicy, type AutoConfig } from '../../src/explore/parallel/auto.js';

const base: AutoConfig = { spawnAfterMs: 0, warmMs: 0, windowMs: 150, margin: 0.05, abortMs: 50, abortBelow: 0.7, holdMs: 1000, maxHoldMs: 8000 };

/** A policy in its trial, one thread measured at `solo` emissions a ms over 150 ms. */
function onTrial(config: Partial<AutoConfig> = {}, solo = 1000): AutoThreads {
  const p = new AutoThreads(2, { ...base, ...config });
  p.record(1, 150 * solo, 150);
  expect(p.next(true)).toBe(2);
  expect(p.phase).toBe('trial');
  return p;
}

/** A policy holding one thread for `holdMs` after a trial the threads lost. */
function onHold(holdMs: number): AutoThreads {
  const p = onTrial({ holdMs });
  p.record(2, 150 * 500, 150);
  expect(p.phase).toBe('hold');
  return p;
}

describe('AutoThreads: counters and the start', () => {
  it('counts the levels and emissions of each side, and one thread time only', () => {
    const p = new AutoThreads(2, { ...base, spawnAfterMs: 30 });
    expect(p.levels).toEqual({ solo: 0, many: 0 });
    expect(p.emissions).toEqual({ solo: 0, many: 0 });
    p.record(1, 10, 20);
    p.record(2, 7, 100);
    p.record(2, 5, 100);
    expect(p.levels).toEqual({ solo: 1, many: 2 });
    expect(p.emissions).toEqual({ solo: 10, many: 12 });
    // Levels on the threads do not count toward spawnAfterMs.
    expect(p.wantWorkers).toBe(false);
    expect(p.most).toBe(2);
    p.record(1, 3, 10);
    expect(p.levels).toEqual({ solo: 2, many: 2 });
    expect(p.emissions).toEqual({ solo: 13, many: 12 });
    // Exactly spawnAfterMs of one thread.
    expect(p.wantWorkers).toBe(true);
  });

  it('wants its workers at exactly spawnAfterMs, and the first trial then', () => {
    const p = new AutoThreads(2, { ...base, spawnAfterMs: 200 });
    p.record(1, 1000, 150);
    expect(p.wantWorkers).toBe(false);
    expect(p.next(true)).toBe(1);
    p.record(1, 1000, 50);
    expect(p.wantWorkers).toBe(true);
    expect(p.next(true)).toBe(2);
    expect(AUTO_DEFAULTS.spawnAfterMs).toBe(500);
  });

  it('on one thread: no trial at all, whatever the measurements', () => {
    const p = new AutoThreads(1, base);
    p.record(1, 150_000, 1000);
    expect(p.wantWorkers).toBe(false);
    expect(p.next(true)).toBe(1);
    expect(p.phase).toBe('solo');
    expect(p.most).toBe(1);
    expect(p.describe()).toBe('auto: one core, one thread');
  });

  it('most: 1 until a level ran on the threads', () => {
    const p = new AutoThreads(3, base);
    p.record(1, 10, 10);
    expect(p.most).toBe(1);
    p.record(3, 10, 10);
    expect(p.most).toBe(3);
  });
});

describe('AutoThreads: the windows', () => {
  it('slides the one-thread window: reset once it reaches twice windowMs', () => {
    const p = new AutoThreads(2, base);
    p.record(1, 300 * 10, 300);
    p.record(1, 100 * 2, 100);
    // The window restarted at the second level: 100 ms, too short.
    expect(p.next(true)).toBe(1);
    p.record(1, 50 * 2, 50);
    expect(p.next(true)).toBe(2);
    p.record(2, 150 * 2, 150);
    expect(p.comparisons).toEqual([{ soloRate: 2, manyRate: 2, chose: 1 }]);
  });

  it('takes no one-thread level into a trial window', () => {
    const p = onTrial();
    p.record(1, 0, 500);
    expect(p.comparisons).toEqual([]);
    expect(p.phase).toBe('trial');
    expect(p.next(true)).toBe(2);
  });

  it('ends a trial early at a rate strictly below abortBelow of one thread only', () => {
    const at = onTrial({ abortBelow: 0.5 });
    at.record(2, 50 * 500, 50);
    expect(at.comparisons).toEqual([]);
    const below = onTrial({ abortBelow: 0.5 });
    below.record(2, 50 * 499, 50);
    expect(below.comparisons).toEqual([{ soloRate: 1000, manyRate: 499, chose: 1 }]);
  });

  it('keeps the threads at exactly the margin, not below it', () => {
    const at = onTrial({ margin: 0.5 });
    at.record(2, 150 * 1500, 150);
    expect(at.comparisons.map((c) => c.chose)).toEqual(['many']);
    const below = onTrial({ margin: 0.5 });
    below.record(2, 150 * 1200, 150);
    expect(below.comparisons.map((c) => c.chose)).toEqual([1]);
    const same = onTrial();
    same.record(2, 150 * 1000, 150);
    expect(same.comparisons.map((c) => c.chose)).toEqual([1]);
  });

  it('runs the threads while many, and leaves them at exactly the hold', () => {
    const p = onTrial({ holdMs: 300 });
    p.record(2, 150 * 2000, 150);
    expect(p.phase).toBe('many');
    expect(p.next(true)).toBe(2);
    p.record(2, 1000, 299);
    expect(p.phase).toBe('many');
    expect(p.next(false)).toBe(2);
    p.record(2, 1000, 1);
    expect(p.phase).toBe('solo');
    expect(p.next(true)).toBe(1);
  });

  it('measures one thread while holding: levels of 100 ms add up', () => {
    const p = onHold(200);
    p.record(1, 100 * 1000, 100);
    p.record(1, 100 * 3000, 100);
    expect(p.phase).toBe('solo');
    expect(p.next(true)).toBe(2);
    p.record(2, 150 * 10_000, 150);
    expect(p.comparisons[1]).toEqual({ soloRate: 2000, manyRate: 10_000, chose: 'many' });
  });

  it('slides the window while holding: reset once it reaches twice windowMs', () => {
    const p = onHold(500);
    p.record(1, 300 * 1000, 300);
    p.record(1, 200 * 3000, 200);
    expect(p.phase).toBe('solo');
    expect(p.next(true)).toBe(2);
    p.record(2, 150 * 10_000, 150);
    expect(p.comparisons[1]).toEqual({ soloRate: 3000, manyRate: 10_000, chose: 'many' });
  });

  it('a rate over no time is 0', () => {
    const p = new AutoThreads(2, { ...base, windowMs: 0, abortMs: 0 });
    expect(p.next(true)).toBe(2);
    p.record(2, 100, 10);
    expect(p.comparisons).toEqual([{ soloRate: 0, manyRate: 10, chose: 'many' }]);
  });
});

describe('AutoThreads: what it says', () => {
  it('a search that ended on trial', () => {
    const p = onTrial({ warmMs: 100 });
    p.record(2, 1000, 50);
    expect(p.comparisons).toEqual([]);
    expect(p.describe()).toBe('auto: the search ended while 2 threads were on trial');
  });

  it('one thread chosen, the share on the threads, and the count of comparisons', () => {
    const p = onHold(100);
    // 150 000 one-thread emissions, 75 000 on the threads.
    expect(p.describe()).toBe('auto: 2 threads ran at 0.50× the rate of one in the last comparison (one comparison), so one thread; 33 % of the states generated on 2 threads');
    p.record(1, 150 * 1000, 150);
    expect(p.next(true)).toBe(2);
    p.record(2, 150 * 3000, 150);
    expect(p.describe()).toBe('auto: 2 threads ran at 3.00× the rate of one in the last comparison (2 comparisons); 64 % of the states generated on 2 threads');
  });

  it('no emission at all: 0 %, and more than the rate of one', () => {
    const p = new AutoThreads(2, base);
    p.record(1, 0, 150);
    expect(p.next(true)).toBe(2);
    p.record(2, 0, 150);
    expect(p.describe()).toBe('auto: 2 threads ran at more than the rate of one in the last comparison (one comparison); 0 % of the states generated on 2 threads');
  });
});

describe('patternPolicy', () => {
  it('follows its pattern over and over, and tells the most threads that ran', () => {
    const p = patternPolicy(3, [1, 2, 1]);
    expect(p.wantWorkers).toBe(true);
    expect([p.next(true), p.next(true), p.next(false), p.next(true), p.next(true), p.next(true), p.next(true)]).toEqual([1, 3, 1, 1, 3, 1, 1]);
    expect(p.most).toBe(1);
    p.record(1, 10, 10);
    expect(p.most).toBe(1);
    p.record(3, 10, 10);
    expect(p.most).toBe(3);
    p.record(1, 10, 10);
    expect(p.most).toBe(3);
    expect(p.describe()).toBe('a fixed pattern of thread counts (1, 2, 1)');
    const ones = patternPolicy(2, [1]);
    expect([ones.next(true), ones.next(true)]).toEqual([1, 1]);
  });
});
