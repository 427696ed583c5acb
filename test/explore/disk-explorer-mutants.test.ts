/**
 * The disk-backed search (src/explore/disk/explorer.ts) in-process, on small graphs: whatever
 * the table size, the block size and the checkpoints, it gives explore()'s verdict, counts,
 * queue and trace; interrupted at a checkpoint and resumed, it ends as the uninterrupted run;
 * handed over from explore() at the memory budget, too. Seeded graphs, so that a failure
 * reproduces. (test/disk.test.ts runs every spec of spec/ and test/fixtures this way, through
 * the language; here the graphs reach the corners: constraints that throw at the depth limit,
 * step checks on late-judged emissions, faults in initial states, limits inside a block.)
 */
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { explore, ModelError, type ExploreOptions, type ExploreResult, type TransitionSystem } from '../../src/explore/index.js';
import { exploreOnDisk, type DiskOptions } from '../../src/explore/disk/explorer.js';
import { clearInterrupt, requestInterrupt, setMemoryBudget } from '../../src/explore/guard.js';
import type { StateCodec } from '../../src/explore/parallel/bytes.js';
import { avoid, graphModel, type Edge, type GraphSpec } from './graph-model.js';
import { words } from '../support/words.js';

let dir = '';
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'spex-disk-mutants-'));
});
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});
const savedKeys = process.env['SPEX_DISK_TABLE_KEYS'];
afterEach(() => {
  clearInterrupt();
  setMemoryBudget(Infinity);
  if (savedKeys === undefined) delete process.env['SPEX_DISK_TABLE_KEYS'];
  else process.env['SPEX_DISK_TABLE_KEYS'] = savedKeys;
});

/** States of the graphs are integers, any (also negative, also beyond 2^32). */
const codec: StateCodec<number> = {
  encode(n, out) {
    out.f64(n);
  },
  decode(input) {
    return input.f64();
  },
};

interface Case {
  readonly name: string;
  readonly system: TransitionSystem<number, string>;
  readonly options: ExploreOptions<number, string>;
}

/** A random graph of `n` nodes with some of every kind of outcome, constraint and step check. */
function randomCase(seed: number): Case {
  const next = words(seed);
  const pick = (k: number): number => next() % k;
  const n = 20 + pick(160);
  const edges: Edge[] = [];
  for (let v = 0; v < n; v++) {
    const out = pick(5);
    for (let e = 0; e < out; e++) {
      // Mostly forward (depth), sometimes back (duplicates), sometimes far.
      const r = pick(10);
      const to = r < 6 ? Math.min(n - 1, v + 1 + pick(6)) : r < 9 ? pick(n) : v;
      edges.push([v, to]);
    }
  }
  const initial = [0, ...(pick(2) === 0 ? [pick(n), 0] : [])];
  const kind = pick(8);
  const spec: GraphSpec = {
    edges,
    initial,
    ...(kind === 1 ? { invariants: [avoid([n - 1 - pick(5)], 'NotLast'), avoid([pick(n)], 'NotThere')] } : {}),
    ...(kind === 2 ? { faultingStates: [n - 1 - pick(10)] } : {}),
    ...(kind === 3 ? { faultingEdges: [edges[pick(edges.length)]!.slice(0, 2) as [number, number]] } : {}),
    ...(kind === 4 ? { faultInInitialAfter: pick(initial.length + 1) } : {}),
    done: pick(2) === 0 ? Array.from({ length: n }, (_, i) => i).filter(() => pick(3) > 0) : [],
  };
  const system = graphModel(spec);
  const constrained = pick(3);
  const mod = 3 + pick(9);
  const throwAt = pick(4) === 0 ? n - 1 - pick(20) : -1;
  if (constrained > 0) {
    system.inModel = (s, from) => {
      if (s === throwAt) throw new ModelError('runtime', `constraint fails at ${s}`);
      return s % mod !== 1 || from === undefined;
    };
  }
  const stepped = pick(3);
  const jump = 4 + pick(n);
  const stepThrow = pick(4) === 0 ? n - 1 - pick(20) : -1;
  if (stepped > 0) {
    system.checkStep = (from, to) => {
      if (to === stepThrow) throw new ModelError('runtime', `step check fails at ${to}`);
      // A stuttering step (a self-loop) is never checked: refusing it must not matter.
      if (to === from) return { name: 'NoStutter' };
      return to - from > jump ? { name: 'SmallSteps' } : undefined;
    };
  }
  const limits = pick(4);
  const options: ExploreOptions<number, string> = {
    checkDeadlock: pick(3) > 0,
    ...(limits === 1 ? { maxStates: 1 + pick(n) } : {}),
    ...(limits === 2 ? { maxDepth: 1 + pick(12) } : {}),
  };
  return { name: `graph ${seed}: ${n} nodes, outcome kind ${kind}, constraint ${constrained}, step ${stepped}, limits ${limits}`, system, options };
}

function summary(r: ExploreResult<number, string>): unknown {
  const o = r.outcome;
  return {
    stats: [r.stats.distinct, r.stats.generated, r.stats.depth, r.stats.queue],
    kind: o.kind,
    ...(o.kind === 'limit' ? { limit: o.limit } : {}),
    ...(o.kind === 'invariant' ? { invariant: o.invariant, step: o.step?.name } : {}),
    ...(o.kind === 'fault' ? { error: o.error.message, label: o.error.label } : {}),
    ...('trace' in o ? { states: o.trace.states, labels: o.trace.labels } : {}),
  };
}

let runs = 0;
function diskOptions(tableKeys: number | undefined, checkpoint: { everyStates: number; resume?: boolean; dir?: string } | undefined): DiskOptions<number> {
  return {
    codec,
    spillDir: dir,
    ...(tableKeys !== undefined ? { tableKeys } : {}),
    ...(checkpoint ? { checkpoint: { dir: checkpoint.dir ?? join(dir, `cp-${runs++}`), everyMs: 3_600_000, everyStates: checkpoint.everyStates, identity: { spec: 'graph' }, resume: checkpoint.resume ?? false } } : {}),
  };
}

const SEEDS = Array.from({ length: 24 }, (_, i) => i + 1);

describe('the disk-backed search: explore()\'s results on random graphs', () => {
  it.each(SEEDS)('graph %i, every table size', (seed) => {
    const c = randomCase(seed);
    const mem = summary(explore(c.system, c.options));
    for (const tableKeys of [1, 64]) {
      const r = exploreOnDisk(c.system, c.options, diskOptions(tableKeys, undefined));
      expect(summary(r), `${c.name}, table of ${tableKeys} keys`).toEqual(mem);
      expect(r.disk?.checkpoints).toBe(0);
      expect(r.disk?.resumed).toBeUndefined();
      expect(r.disk?.handedOverAt).toBeUndefined();
      // Without checkpoints its files live in a directory of its own in the spill directory, removed at the end.
      expect(r.disk!.dir.startsWith(join(dir, 'spex-spill-'))).toBe(true);
      expect(existsSync(r.disk!.dir)).toBe(false);
      // The table spills once it holds more keys than it may (checked after each expansion).
      if (r.outcome.kind === 'ok' && r.stats.distinct > tableKeys) {
        expect(r.disk?.spilled).toBe(true);
        expect(r.disk!.diskBytes).toBeGreaterThanOrEqual(8 * tableKeys);
      }
      if (r.stats.distinct < tableKeys) expect(r.disk?.spilled).toBe(false);
    }
  });

  it.each(SEEDS)('graph %i, small blocks and checkpoints', (seed) => {
    const c = randomCase(seed);
    const mem = summary(explore(c.system, c.options));
    // The test knob: a table of 2 keys, and blocks of about 2 candidates.
    process.env['SPEX_DISK_TABLE_KEYS'] = '2';
    const cp = join(dir, `every-${seed}`);
    const r = exploreOnDisk(c.system, c.options, diskOptions(undefined, { everyStates: 15, dir: cp }));
    expect(summary(r), c.name).toEqual(mem);
    // A run that ended leaves nothing behind.
    expect(readdirSync(cp)).toEqual([]);
  });
});

/** A graph big enough to have many levels and blocks: a grid, with an outcome far in. */
function grid(w: number, outcome: 'ok' | 'violation' | 'deadlock' | 'fault'): Case {
  const edges: Edge[] = [];
  const at = (x: number, y: number): number => y * w + x;
  for (let y = 0; y < w; y++) {
    for (let x = 0; x < w; x++) {
      if (x + 1 < w) edges.push([at(x, y), at(x + 1, y), 'right']);
      if (y + 1 < w) edges.push([at(x, y), at(x, y + 1), 'down']);
      if (x > 0 && y > 0) edges.push([at(x, y), at(x - 1, y - 1), 'back']);
    }
  }
  const far = at(w - 2, w - 3);
  const spec: GraphSpec = {
    edges: outcome === 'deadlock' ? edges.filter(([f]) => f !== far) : edges,
    initial: [0],
    done: [at(w - 1, w - 1)],
    ...(outcome === 'violation' ? { invariants: [avoid([far], 'NotFar')] } : {}),
    ...(outcome === 'fault' ? { faultingStates: [far] } : {}),
  };
  return { name: `grid ${w}x${w} ${outcome}`, system: graphModel(spec), options: { checkDeadlock: true } };
}

describe('the disk-backed search: the depth limit', () => {
  it('is not reported when every state past it was seen before', () => {
    // A cycle of n states, every one within maxDepth: nothing new lies past the limit.
    for (const n of [3, 7]) {
      const edges: Edge[] = Array.from({ length: n }, (_, i) => [i, (i + 1) % n] as Edge);
      const system = graphModel({ edges, initial: [0] });
      for (const maxDepth of [n, n + 1]) {
        const options: ExploreOptions<number, string> = { checkDeadlock: true, maxDepth };
        expect(explore(system, options).outcome.kind).toBe('ok');
        for (const tableKeys of [1, 1000]) expect(exploreOnDisk(system, options, diskOptions(tableKeys, undefined)).outcome.kind, `${n} ${maxDepth} ${tableKeys}`).toBe('ok');
      }
      const cut = { checkDeadlock: true, maxDepth: n - 1 };
      expect(explore(system, cut).outcome).toEqual({ kind: 'limit', limit: 'depth' });
      for (const tableKeys of [1, 1000]) expect(exploreOnDisk(system, cut, diskOptions(tableKeys, undefined)).outcome).toEqual({ kind: 'limit', limit: 'depth' });
    }
  });
});

describe('the disk-backed search: a constraint that fails on a new state past the depth limit', () => {
  it('reports the fault with explore()\'s trace, though the state is judged at the block\'s end', () => {
    const edges: Edge[] = [];
    // The first new state past depth maxDepth is 2 maxDepth - 1, the one whose constraint fails.
    for (let i = 0; i < 20; i++) edges.push([i, i + 1], [i, i + 2]);
    for (const [bad, maxDepth] of [[5, 3], [7, 4], [11, 6]] as const) {
      const system = graphModel({ edges, initial: [0] });
      system.inModel = (st) => {
        if (st === bad) throw new ModelError('runtime', `constraint fails at ${st}`);
        return true;
      };
      const options: ExploreOptions<number, string> = { checkDeadlock: false, maxDepth };
      const mem = summary(explore(system, options));
      expect((mem as { kind: string }).kind).toBe('fault');
      for (const tableKeys of [1, 2, 1000]) expect(summary(exploreOnDisk(system, options, diskOptions(tableKeys, undefined))), `${bad} ${maxDepth} ${tableKeys}`).toEqual(mem);
    }
  });
});

describe('the disk-backed search: interrupted at a checkpoint, then resumed', () => {
  it.each(['ok', 'violation', 'deadlock', 'fault'] as const)('a %s grid: every interrupt, resumed, gives the uninterrupted run', (outcome) => {
    const c = grid(14, outcome);
    const mem = summary(explore(c.system, c.options));
    process.env['SPEX_DISK_TABLE_KEYS'] = '16';
    const cp = join(dir, `resume-${outcome}`);
    for (const after of [2, 7]) {
      let calls = 0;
      let resumes = 0;
      let last: ExploreResult<number, string> | undefined;
      // Interrupted at every `after`-th look at the clock, then resumed, until it ends.
      for (let round = 0; round < 200; round++) {
        clearInterrupt();
        const r = exploreOnDisk(c.system, { ...c.options, progressPeriodMs: 0, onProgress: () => { if (++calls % after === 0) requestInterrupt(15); } }, diskOptions(undefined, { everyStates: 25, dir: cp, resume: round > 0 }));
        if (round > 0) {
          expect(r.disk?.resumed).toBeDefined();
          resumes++;
        }
        if (!(r.outcome.kind === 'limit' && r.outcome.limit === 'interrupted')) {
          last = r;
          break;
        }
        expect(r.disk?.checkpoints).toBeGreaterThan(0);
        expect(readdirSync(cp)).toContain('checkpoint.json');
      }
      expect(resumes).toBeGreaterThan(0);
      expect(summary(last!), `${c.name}, interrupted every ${after}`).toEqual(mem);
      expect(last!.disk!.checkpoints).toBeGreaterThan(0);
      expect(readdirSync(cp)).toEqual([]);
    }
  });

  it('keeps having reached the depth limit across a resume', () => {
    const c = grid(14, 'ok');
    const options = { ...c.options, maxDepth: 12 };
    const mem = summary(explore(c.system, options));
    expect((mem as { kind: string; limit: string }).limit).toBe('depth');
    process.env['SPEX_DISK_TABLE_KEYS'] = '16';
    const cp = join(dir, 'resume-depth');
    let last: ExploreResult<number, string> | undefined;
    let calls = 0;
    for (let round = 0; round < 200 && last === undefined; round++) {
      clearInterrupt();
      const r = exploreOnDisk(c.system, { ...options, progressPeriodMs: 0, onProgress: () => { if (++calls % 2 === 0) requestInterrupt(15); } }, diskOptions(undefined, { everyStates: 10, dir: cp, resume: round > 0 }));
      if (!(r.outcome.kind === 'limit' && r.outcome.limit === 'interrupted')) last = r;
    }
    expect(summary(last!)).toEqual(mem);
  });

  it('an interrupted run reports the queue it leaves and the distinct states so far', () => {
    const c = grid(24, 'ok');
    process.env['SPEX_DISK_TABLE_KEYS'] = '16';
    const cp = join(dir, 'queue');
    let calls = 0;
    const r = exploreOnDisk(c.system, { ...c.options, progressPeriodMs: 0, onProgress: (p) => { if (++calls === 5) { requestInterrupt(2); expect(p.distinct).toBeGreaterThan(0); } } }, diskOptions(undefined, { everyStates: 1000, dir: cp }));
    expect(r.outcome).toEqual({ kind: 'limit', limit: 'interrupted' });
    expect(r.stats.queue).toBeGreaterThan(0);
    expect(r.stats.distinct).toBeGreaterThan(r.stats.queue);
    expect(r.stats.distinct).toBeLessThan(24 * 24);
    // Interrupted with checkpoints: one is written at the interrupt.
    expect(r.disk?.checkpoints).toBe(1);
    clearInterrupt();
    const again = exploreOnDisk(c.system, c.options, diskOptions(undefined, { everyStates: 1000, dir: cp, resume: true }));
    expect(again.disk?.resumed?.distinct).toBe(r.stats.distinct);
    expect(summary(again)).toEqual(summary(explore(c.system, c.options)));
  });

  it('starts afresh without --resume, and reports progress without interrupts', () => {
    const c = grid(12, 'violation');
    const cp = join(dir, 'afresh');
    process.env['SPEX_DISK_TABLE_KEYS'] = '16';
    let calls = 0;
    const first = exploreOnDisk(c.system, { ...c.options, progressPeriodMs: 0, onProgress: () => { if (++calls === 4) requestInterrupt(15); } }, diskOptions(undefined, { everyStates: 30, dir: cp }));
    expect(first.outcome.kind).toBe('limit');
    clearInterrupt();
    const seen: number[] = [];
    const fresh = exploreOnDisk(c.system, { ...c.options, progressPeriodMs: 0, onProgress: (p) => seen.push(p.distinct) }, diskOptions(undefined, { everyStates: 30, dir: cp, resume: false }));
    expect(fresh.disk?.resumed).toBeUndefined();
    expect(summary(fresh)).toEqual(summary(explore(c.system, c.options)));
    expect(seen.length).toBeGreaterThan(2);
    for (let i = 1; i < seen.length; i++) expect(seen[i]!).toBeGreaterThanOrEqual(seen[i - 1]!);
  });
});

describe('the disk-backed search: the hand-over from explore() at the memory budget', () => {
  it('keeps the depth limit after the hand-over', () => {
    const c = grid(66, 'ok');
    let handedOver = 0;
    // Around the level explore() is in at its first look at the budget (4,096 expansions).
    for (const maxDepth of [108, 109, 110, 111, 128]) {
      const options = { ...c.options, maxDepth };
      const mem = summary(explore(c.system, options));
      setMemoryBudget(1);
      let r: ExploreResult<number, string>;
      try {
        r = explore(c.system, { ...options, disk: { codec, spillDir: dir } });
      } finally {
        setMemoryBudget(Infinity);
      }
      if (r.disk?.handedOverAt !== undefined) handedOver++;
      expect(summary(r), `maxDepth ${maxDepth}`).toEqual(mem);
    }
    // With the lowest limit the search ends before explore() looks at the budget.
    expect(handedOver).toBeGreaterThanOrEqual(3);
  });

  it.each(['ok', 'violation', 'deadlock', 'fault'] as const)('a %s grid goes on on disk with explore()\'s results', (outcome) => {
    // Over 4,096 expansions: explore() looks at the budget then.
    const c = grid(66, outcome);
    const mem = summary(explore(c.system, c.options));
    for (const keys of ['4', '5000']) {
      process.env['SPEX_DISK_TABLE_KEYS'] = keys;
      setMemoryBudget(1);
      let r: ExploreResult<number, string>;
      try {
        r = explore(c.system, { ...c.options, disk: { codec, spillDir: dir } });
      } finally {
        setMemoryBudget(Infinity);
      }
      expect(summary(r), `${c.name}, ${keys} keys`).toEqual(mem);
      expect(r.disk?.handedOverAt).toBeGreaterThan(4000);
      // explore()'s seen set becomes the sorted run on disk.
      expect(r.disk?.spilled).toBe(true);
    }
  });
});

describe('the disk-backed search: the depth limit reached before a checkpoint', () => {
  it('is kept by the checkpoint when no state left in the queue goes past the limit again', () => {
    // 0 -> 1 .. 120; past the limit (depth 2) only 1 -> 1000 is new, listed first: the others
    // go back to 0. Interrupted at each of the first looks at the clock in turn: an interrupt
    // after 1 is expanded leaves a queue whose successors were all seen, so only the
    // checkpoint's depthLimitHit tells the resumed run that the limit was reached.
    const K = 120;
    const edges: Edge[] = [];
    for (let i = 1; i <= K; i++) edges.push([0, i]);
    edges.push([1, 1000]);
    for (let i = 2; i <= K; i++) edges.push([i, 0]);
    const system = graphModel({ edges, initial: [0], done: [1000] });
    const options = { checkDeadlock: false, maxDepth: 2 };
    const mem = summary(explore(system, options));
    expect((mem as { limit: string }).limit).toBe('depth');
    process.env['SPEX_DISK_TABLE_KEYS'] = '16';
    for (let at = 1; at <= 12; at++) {
      const cp = join(dir, `depth-first-${at}`);
      let calls = 0;
      clearInterrupt();
      const r = exploreOnDisk(system, { ...options, progressPeriodMs: 0, onProgress: () => { if (++calls === at) requestInterrupt(15); } }, diskOptions(undefined, { everyStates: 8, dir: cp }));
      if (!(r.outcome.kind === 'limit' && r.outcome.limit === 'interrupted')) {
        expect(summary(r)).toEqual(mem);
        continue;
      }
      clearInterrupt();
      const again = exploreOnDisk(system, options, diskOptions(undefined, { everyStates: 8, dir: cp, resume: true }));
      expect(summary(again), `interrupted at look ${at}`).toEqual(mem);
    }
  });
});
