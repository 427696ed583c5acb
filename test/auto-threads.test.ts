/**
 * `--workers auto` (src/explore/parallel/auto.ts): the policy's choices, driven by made-up
 * measurements (nothing here depends on time), and the vector explorer's results under
 * policies that switch between one thread and all of them level by level, which must be those
 * of explore() whatever the switches. Worker threads run the built code: modules from dist/.
 */
import { describe, expect, it, vi } from 'vitest';
import { readFileSync } from 'node:fs';
// @ts-ignore: the built modules (their types are not emitted)
import { configOverrides, constOverrides, loadSpec, onlyInvariants, selectChecks } from '../dist/engine/run.js';
// @ts-ignore
import { compileSpec } from '../dist/lang/compile.js';
// @ts-ignore
import { compilePacked } from '../dist/lang/packed/index.js';
// @ts-ignore
import { explore } from '../dist/explore/explorer.js';
// @ts-ignore
import { exploreVectorsParallel } from '../dist/explore/parallel/vector-explorer.js';
// @ts-ignore
import { memoryNote, setMemoryBudget } from '../dist/explore/guard.js';
import { AutoThreads, type AutoConfig, type ThreadPolicy } from '../src/explore/parallel/auto.js';
import { root, spex, spexHere } from './support/cli.js';

const config: AutoConfig = { spawnAfterMs: 500, warmMs: 200, windowMs: 150, margin: 0.05, abortMs: 50, abortBelow: 0.7, holdMs: 1000, maxHoldMs: 8000 };

/** Runs `ms` of levels of 10 ms each in the mode the policy picks, at the given rates (emissions per ms). */
function drive(p: AutoThreads, ms: number, rates: { solo: number; many: number }, ready = true): number[] {
  const modes: number[] = [];
  for (let t = 0; t < ms; t += 10) {
    const threads = p.next(ready);
    modes.push(threads);
    p.record(threads, 10 * (threads > 1 ? rates.many : rates.solo), 10);
  }
  return modes;
}

describe('the auto policy', () => {
  it('starts no worker on a search shorter than spawnAfterMs, and then runs one thread only', () => {
    const p = new AutoThreads(2, config);
    expect(drive(p, 490, { solo: 1000, many: 2000 }).every((t) => t === 1)).toBe(true);
    expect(p.wantWorkers).toBe(false);
    expect(p.most).toBe(1);
    expect(p.describe()).toBe('auto: the search ended before more threads were worth trying');
    drive(p, 20, { solo: 1000, many: 2000 }, false);
    expect(p.wantWorkers).toBe(true);
  });

  it('never tries the threads before the workers are ready', () => {
    const p = new AutoThreads(2, config);
    expect(drive(p, 3000, { solo: 1000, many: 2000 }, false).every((t) => t === 1)).toBe(true);
    expect(p.comparisons).toEqual([]);
  });

  it('keeps the threads when they are faster, the warm-up not measured', () => {
    const p = new AutoThreads(2, config);
    drive(p, 500, { solo: 1000, many: 0 });
    // Cold worker code: the first warmMs on the threads do not count against them.
    drive(p, 200, { solo: 1000, many: 100 });
    drive(p, 150, { solo: 1000, many: 1800 });
    expect(p.comparisons).toEqual([{ soloRate: 1000, manyRate: 1800, chose: 'many' }]);
    expect(p.phase).toBe('many');
    expect(p.describe()).toMatch(/^auto: 2 threads ran at 1\.80× the rate of one in the last comparison \(one comparison\); \d+ % of the states generated on 2 threads$/);
  });

  it('falls back to one thread when the threads are slower (a busy second core), and tries again later', () => {
    const p = new AutoThreads(2, config);
    drive(p, 500, { solo: 1000, many: 0 });
    const modes = drive(p, 400, { solo: 1000, many: 800 });
    expect(p.comparisons.map((c) => c.chose)).toEqual([1]);
    expect(p.phase).toBe('hold');
    // Held for holdMs on one thread, then a new trial: the load went, the threads win.
    expect(modes.slice(-5)).toEqual([1, 1, 1, 1, 1]);
    const later = drive(p, 1500, { solo: 1000, many: 1900 });
    expect(later).toContain(2);
    expect(p.comparisons.map((c) => c.chose)).toEqual([1, 'many']);
    expect(p.phase).toBe('many');
  });

  it('ends a trial early when the threads are clearly slower', () => {
    const p = new AutoThreads(2, config);
    drive(p, 500, { solo: 1000, many: 0 });
    drive(p, 200, { solo: 1000, many: 400 }); // warm-up, not measured
    const modes = drive(p, 100, { solo: 1000, many: 400 });
    expect(p.comparisons).toEqual([{ soloRate: 1000, manyRate: 400, chose: 1 }]);
    // 50 ms measured on the threads, then back to one thread.
    expect(modes.slice(0, 5)).toEqual([2, 2, 2, 2, 2]);
    expect(modes.slice(5)).toEqual([1, 1, 1, 1, 1]);
  });

  it('looks less often while the answer stays the same, and measures one thread again before each trial', () => {
    const p = new AutoThreads(2, config);
    drive(p, 500, { solo: 1000, many: 0 });
    drive(p, 30_000, { solo: 1000, many: 500 });
    const n = p.comparisons.length;
    // Holds of 1, 2, 4, 8, 8, ... s: a handful of trials in 30 s, each a short one.
    expect(n).toBeGreaterThanOrEqual(3);
    expect(n).toBeLessThanOrEqual(7);
    expect(p.comparisons.every((c) => c.chose === 1)).toBe(true);
    expect(p.emissions.many).toBeLessThan(0.05 * (p.emissions.solo + p.emissions.many));
  });

  it('leaves the threads when they stop paying', () => {
    const p = new AutoThreads(2, config);
    drive(p, 500, { solo: 1000, many: 0 });
    drive(p, 2000, { solo: 1000, many: 2000 });
    expect(p.phase).toBe('many');
    const before = p.comparisons.length;
    expect(p.comparisons.every((c) => c.chose === 'many')).toBe(true);
    drive(p, 3000, { solo: 1000, many: 600 });
    const after = p.comparisons.slice(before).map((c) => c.chose);
    expect(after.length).toBeGreaterThan(0);
    expect(after.every((c) => c === 1)).toBe(true);
    expect(p.phase).not.toBe('many');
  });

  it('leaves a level in which a table of the seen set grew out of every rate, in each phase', () => {
    // One thread at 1000/ms, its window broken by a doubling (a level at 200/ms), then a trial
    // at 1800/ms broken by another (360/ms, which alone would end the trial early): the rates
    // compared are those of the other levels.
    const p = new AutoThreads(2, config);
    drive(p, 450, { solo: 1000, many: 0 }, false);
    p.record(p.next(false), 10_000, 50, true);
    drive(p, 50, { solo: 1000, many: 0 }, false);
    drive(p, 200, { solo: 1000, many: 100 }); // the trial's warm-up
    expect(p.phase).toBe('trial');
    p.record(p.next(true), 18_000, 50, true);
    expect(p.phase).toBe('trial');
    drive(p, 150, { solo: 1000, many: 1800 });
    expect(p.comparisons).toEqual([{ soloRate: 1000, manyRate: 1800, chose: 'many' }]);
    // The time of a level that grew still counts: a hold ends as soon; and a one-thread window
    // of such levels only is empty, so the next trial waits for a window of other levels.
    const held = new AutoThreads(2, config);
    drive(held, 500, { solo: 1000, many: 0 });
    drive(held, 200, { solo: 1000, many: 100 });
    drive(held, 150, { solo: 1000, many: 800 });
    expect(held.phase).toBe('hold');
    for (let t = 0; t < 1000; t += 100) held.record(held.next(true), 5_000, 100, true);
    expect(held.phase).toBe('solo');
    expect(drive(held, 150, { solo: 1000, many: 1800 })).toEqual(new Array(15).fill(1));
    expect(held.next(true)).toBe(2);
  });

  it('on one core, one thread', () => {
    const p = new AutoThreads(1, config);
    expect(drive(p, 5000, { solo: 1000, many: 2000 }).every((t) => t === 1)).toBe(true);
    expect(p.wantWorkers).toBe(false);
    expect(p.describe()).toBe('auto: one core, one thread');
  });
});

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Any = any;

/** A policy that runs the levels on `threads` threads following a fixed pattern. */
function patterned(threads: number, pattern: readonly number[]): ThreadPolicy {
  let level = 0;
  return {
    wantWorkers: true,
    next: () => (pattern[level++ % pattern.length]! > 1 ? threads : 1),
    record: () => {},
    describe: () => 'patterned',
    most: threads,
  };
}

function comparable(r: Any): unknown {
  const { seconds: _s, bytesPerState: _b, collisionProbability: _c, ...stats } = r.stats;
  const o = r.outcome;
  const outcome = o.kind === 'fault' ? { ...o, error: { kind: o.error.kind, message: o.error.message, label: o.error.label } } : o;
  return { stats, outcome };
}

/** A check of a spec compiled for the packed engine, and the setup its worker threads build it from. */
function packedCheck(path: string, consts: string[] = [], check?: string, text?: string): { system: Any; chk: Any; setup: Any } {
  const src = text ?? readFileSync(`${root}${path}`, 'utf8');
  const { spec } = loadSpec(path, src);
  const chk = selectChecks(spec, check)[0];
  const overrides = configOverrides(chk, constOverrides(spec, consts));
  const p = compilePacked(spec, overrides, compileSpec(spec, overrides));
  if (!p.ok) throw new Error(p.reason);
  const system = onlyInvariants(p.system, chk?.decl.only?.map((n: Any) => n.text));
  return { system, chk, setup: { data: { path, text: src, check: chk?.name, consts, packed: true } } };
}

function expectSameUnderSwitches(path: string, consts: string[] = [], check?: string, text?: string, deadlock?: boolean): Any {
  const { system, chk, setup } = packedCheck(path, consts, check, text);
  const options = (): Any => ({ checkDeadlock: deadlock ?? chk?.decl.deadlock ?? true });
  const one = explore(system, options());
  for (const [threads, pattern, atLevel] of [
    [2, [1, 2], undefined],
    [2, [2, 2, 1], undefined],
    [3, [1, 1, 3, 3], undefined],
    // Begun on the one-thread explorer, handed over at a level (--workers auto).
    [2, [2, 1], 2],
    [3, [3, 1, 1], 4],
  ] as const) {
    const startAlone = atLevel === undefined ? {} : { startAlone: { afterMs: Infinity, atLevel } };
    const par = exploreVectorsParallel(system, options(), { workers: threads, setup, eager: true, policy: patterned(threads, pattern), ...startAlone });
    expect(comparable(par), `${threads} threads, pattern ${pattern.join(' ')}${atLevel === undefined ? '' : `, from level ${atLevel}`}`).toEqual(comparable(one));
  }
  return one;
}

describe('the vector explorer switching between one thread and all, level by level', () => {
  it('counter-grid, twophase, a violation, a deadlock', () => {
    expect(expectSameUnderSwitches('spec/bench/counter-grid.spex', ['N=3', 'K=5']).stats.distinct).toBe(5 ** 3 * 4);
    expect(expectSameUnderSwitches('spec/examples/twophase.spex').stats.distinct).toBe(288);
    expect(expectSameUnderSwitches('spec/examples/diehard.spex').outcome.kind).toBe('invariant');
    expect(expectSameUnderSwitches('test/fixtures/cli/counter.spex', [], 'Deadlocks').outcome.kind).toBe('deadlock');
  });

  it('an invariant failing deep in the search', () => {
    const text = readFileSync(`${root}spec/bench/counter-grid.spex`, 'utf8').replace(
      'invariant CounterInRange',
      'invariant NotAllHigh: counter[1] + counter[2] + counter[3] < 3 * (K - 1) - 1\ninvariant CounterInRange',
    );
    const r = expectSameUnderSwitches('deep.spex', ['N=3', 'K=5'], undefined, text);
    expect(r.outcome.kind).toBe('invariant');
  });
});

describe('a level on the threads that would pass the memory budget', () => {
  // The threads keep every emission of a level until it is deduplicated: the level cannot
  // look at the guard on the way, so it is estimated first (threadLevelPassesBudget).
  it('is not run: the search stops for memory before it, the levels before it complete', () => {
    const { system, setup } = packedCheck('spec/bench/counter-grid.spex', ['N=4', 'K=12']);
    const MIB = 1024 * 1024;
    const rss = vi.spyOn(process.memoryUsage, 'rss').mockReturnValue(500 * MIB);
    try {
      setMemoryBudget(500 * MIB + 256 * 1024);
      const r = exploreVectorsParallel(system, { checkDeadlock: true }, { workers: 2, setup, eager: true, policy: patterned(2, [2]) });
      expect(r.outcome).toEqual({ kind: 'limit', limit: 'memory' });
      expect(memoryNote()).toMatch(/^the next level on 2 threads would take the process from 500 MiB to about 50[01] MiB, over --max-memory 500 MiB$/);
      // Stopped between two levels: what explore() has down to that depth, its last level queued.
      const upTo = explore(system, { checkDeadlock: true, maxDepth: r.stats.depth });
      const before = explore(system, { checkDeadlock: true, maxDepth: r.stats.depth - 1 });
      expect(r.stats.depth).toBeGreaterThan(2);
      expect(r.stats.distinct).toBe(upTo.stats.distinct);
      expect(r.stats.queue).toBe(upTo.stats.distinct - before.stats.distinct);
      // Generated: every state expanded, the last level's not yet.
      expect(r.stats.generated).toBe(before.stats.generated);
    } finally {
      rss.mockRestore();
      setMemoryBudget(Infinity);
    }
  });
});

describe('what the vector explorer tells its policy', () => {
  it('says which levels grew a table of the seen set, the same levels whichever threads ran them', () => {
    // counter-grid N=3 K=12: 6,912 states; each shard's table (1,024 slots to start) doubles a
    // few times. When a table doubles depends on the states alone, so the levels that grew one
    // are the same on one thread, on both, and switching between them (the shards moving).
    const { system, setup } = packedCheck('spec/bench/counter-grid.spex', ['N=3', 'K=12']);
    const grewOn = (pattern: readonly number[]): { grew: number[]; threads: number[] } => {
      const grew: number[] = [];
      const threads: number[] = [];
      let level = 0;
      const policy: ThreadPolicy = {
        wantWorkers: true,
        next: () => pattern[level++ % pattern.length]!,
        record: (t, _emitted, _ms, g) => {
          if (g === true) {
            grew.push(level);
            threads.push(t);
          }
        },
        describe: () => 'recording',
        most: 2,
      };
      const r = exploreVectorsParallel(system, { checkDeadlock: true }, { workers: 2, setup, eager: true, policy });
      expect(r.stats.distinct).toBe(12 ** 3 * 4);
      return { grew, threads };
    };
    const one = grewOn([1]);
    // Two shards of about 3,456 states: from 1,024 slots to 8,192, three doublings each at most.
    expect(one.grew.length).toBeGreaterThanOrEqual(3);
    expect(one.grew.length).toBeLessThanOrEqual(6);
    expect(grewOn([2]).grew).toEqual(one.grew);
    const switching = grewOn([1, 2]);
    expect(switching.grew).toEqual(one.grew);
    expect(new Set(switching.threads)).toEqual(new Set([1, 2]));
    expect(grewOn([2, 1, 1]).grew).toEqual(one.grew);
  });
});

describe('--workers auto on the command line', () => {
  it('gives the counts, verdict and exit code of one thread, and says how many threads ran and why', () => {
    const stats = (out: string): Record<string, unknown> => JSON.parse(out.split('\n').find((l) => l.includes('"event":"stats"'))!) as Record<string, unknown>;
    const auto = spex('check', 'spec/bench/counter-grid.spex', '--const', 'N=3', '--const', 'K=6', '--json', '--workers', 'auto');
    const one = spex('check', 'spec/bench/counter-grid.spex', '--const', 'N=3', '--const', 'K=6', '--json', '--workers', '1');
    expect(auto.code).toBe(one.code);
    const { seconds: _a, threads: ta, threadsReason: ra, ...a } = stats(auto.stdout);
    const { seconds: _o, threads: to, threadsReason: ro, ...o } = stats(one.stdout);
    expect(a).toEqual(o);
    expect(to).toBe(1);
    expect(ro).toBe('one thread, as asked');
    expect(typeof ta).toBe('number');
    expect(ra).toMatch(/^auto: /);
    const bad = spex('check', 'spec/bench/counter-grid.spex', '--workers', 'many');
    expect(bad.code).not.toBe(0);
    expect(bad.stderr).toMatch(/expected a positive integer up to 64 or auto/);
  });

  it('records the state graph of temporal properties on one thread, where --workers 2 uses the threads', () => {
    const stats = (out: string): Record<string, unknown> => JSON.parse(out.split('\n').find((l) => l.includes('"event":"stats"'))!) as Record<string, unknown>;
    const run = (workers: string) => spexHere(['check', 'spec/bench/counter-grid-live.spex', '--check', 'StrongAcquire', '--const', 'N=3', '--const', 'K=5', '--json', '--workers', workers], { SPEX_WORKERS_EAGER: '1' });
    const auto = run('auto');
    expect(auto.code).toBe(0);
    expect(stats(auto.stdout)).toMatchObject({ threads: 1, threadsReason: 'auto: the state graph of temporal properties is recorded on one thread (--workers N records it from the threads)' });
    expect(auto.stderr).not.toContain('note:');
    const two = run('2');
    expect(two.code).toBe(0);
    expect(stats(two.stdout)).toMatchObject({ threads: 2, distinct: stats(auto.stdout)['distinct'] });
  });

  it('explores states of 1,024 slots or more on one thread, asked for more or not, and says why', () => {
    const stats = (out: string): Record<string, unknown> => JSON.parse(out.split('\n').find((l) => l.includes('"event":"stats"'))!) as Record<string, unknown>;
    const run = (workers: string, pages: number) => spex('check', 'spec/bench/wide-pages.spex', '--const', `P=${pages}`, '--json', '--workers', workers);
    const two = run('2', 1100);
    expect(two.code).toBe(0);
    expect(stats(two.stdout)).toMatchObject({ distinct: 1101, threads: 1, threadsReason: 'states of 1,101 slots run on one thread' });
    expect(two.stderr).toContain('note: the states of Small have 1,101 slots, which the parallel explorer copies whole at every step');
    const auto = run('auto', 1100);
    expect(stats(auto.stdout)).toMatchObject({ distinct: 1101, threads: 1, threadsReason: 'states of 1,101 slots run on one thread' });
    expect(auto.stderr).not.toContain('note:');
    // Narrower: the parallel explorer's own choice (this search ends before its workers start).
    const narrow = stats(run('2', 1000).stdout);
    expect(narrow).toMatchObject({ distinct: 1001 });
    expect(narrow['threadsReason']).not.toMatch(/slots/);
  });
});
