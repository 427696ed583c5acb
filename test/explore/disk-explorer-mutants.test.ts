/**
 * The disk-backed search (src/explore/disk/explorer.ts) in-process, on small graphs: whatever
 * the table size, the block size and the checkpoints, it gives explore()'s verdict, counts,
 * queue and trace; interrupted at a checkpoint and resumed, it ends as the uninterrupted run;
 * handed over from explore() at the memory budget, too. Seeded graphs, so that a failure
 * reproduces. (test/disk.test.ts runs every spec of spec/ and test/fixtures this way, through
 * the language; here the graphs reach the corners: constraints that throw at the depth limit,
 * step checks on late-judged emissions, faults in initial states, limits inside a block.)
 */
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { explore, ModelError, type ExploreOptions, type ExploreResult, type TransitionSystem } from '../../src/explore/index.js';
import { exploreOnDisk, type DiskOptions } from '../../src/explore/disk/explorer.js';
import { DiskError } from '../../src/explore/disk/files.js';
import { mixedKey, unmixedKey } from '../../src/explore/compact-set.js';
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

/** Runs exact (a big table) and judged late (a table of one key), each against explore(). */
function bothWays(system: TransitionSystem<number, string>, options: ExploreOptions<number, string>, what: string): { kind: string; stats: number[] } {
  const mem = summary(explore(system, options));
  for (const tableKeys of [1, 1 << 20]) expect(summary(exploreOnDisk(system, options, diskOptions(tableKeys, undefined))), `${what}, table of ${tableKeys}`).toEqual(mem);
  return mem as { kind: string; stats: number[] };
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

/** The system with its expansions counted (successors calls). */
function counted<S, L>(system: TransitionSystem<S, L>): { system: TransitionSystem<S, L>; expansions: () => number } {
  let n = 0;
  return {
    system: {
      ...system,
      successors(state, emit) {
        n++;
        system.successors(state, emit);
      },
    },
    expansions: () => n,
  };
}

/** 0 -> 1 .. k, and i -> 100000 + i (done): one wide level, then another. */
function fan(k: number): TransitionSystem<number, string> {
  const edges: Edge[] = [];
  for (let i = 1; i <= k; i++) edges.push([0, i]);
  for (let i = 1; i <= k; i++) edges.push([i, 100000 + i]);
  return graphModel({ edges, initial: [0], done: Array.from({ length: k }, (_, i) => 100001 + i) });
}

describe('the disk-backed search: refusals and errors', () => {
  it('refuses to record a state graph', () => {
    const system = graphModel({ edges: [[0, 1]], initial: [0], done: [1] });
    expect(() => exploreOnDisk(system, { checkDeadlock: true, recordGraph: {} as never }, diskOptions(1, undefined))).toThrow(/does not record state graphs/);
  });

  it('reports E250 for a checkpoint directory or a spill directory it cannot make', () => {
    const system = graphModel({ edges: [[0, 1]], initial: [0], done: [1] });
    const file = join(dir, 'a-file');
    writeFileSync(file, 'not a directory');
    const codeOf = (f: () => unknown): { code: string; message: string; hint: string } => {
      try {
        f();
      } catch (e) {
        expect(e).toBeInstanceOf(DiskError);
        return e as DiskError;
      }
      throw new Error('no error');
    };
    const cp = codeOf(() => exploreOnDisk(system, { checkDeadlock: true }, diskOptions(1, { everyStates: 5, dir: join(file, 'cp') })));
    expect(cp.code).toBe('E250');
    expect(cp.message).toContain(`cannot use ${join(file, 'cp')} for checkpoints: `);
    expect(cp.hint).toBe('give --checkpoint a directory spex can create and write');
    const spill = codeOf(() => exploreOnDisk(system, { checkDeadlock: true }, { codec, spillDir: join(dir, 'missing', 'deeper') }));
    expect(spill.code).toBe('E250');
    expect(spill.message).toContain(`cannot make a directory for the disk-backed search in ${join(dir, 'missing', 'deeper')}: `);
    expect(spill.hint).toContain('--spill-dir');
  });

  it('lets an error that is not the model\'s through, and keeps the checkpoint to resume from', () => {
    const c = grid(10, 'ok');
    const mem = summary(explore(c.system, c.options));
    const broken = (at: number, where: 'initial' | 'successors'): TransitionSystem<number, string> => ({
      ...c.system,
      initialStates(emit) {
        if (where === 'initial') throw new TypeError('broken initial states');
        c.system.initialStates(emit);
      },
      successors(state, emit) {
        if (where === 'successors' && state === at) throw new TypeError(`broken at ${state}`);
        c.system.successors(state, emit);
      },
    });
    expect(() => exploreOnDisk(broken(0, 'initial'), c.options, diskOptions(1, undefined))).toThrow(TypeError);
    // Exact (the table never fills) and deferred (a table of 2 keys).
    for (const keys of [undefined, '2']) {
      if (keys === undefined) delete process.env['SPEX_DISK_TABLE_KEYS'];
      else process.env['SPEX_DISK_TABLE_KEYS'] = keys;
      expect(() => exploreOnDisk(broken(10 * 6 + 7, 'successors'), c.options, diskOptions(keys === undefined ? 100000 : undefined, undefined))).toThrow(TypeError);
    }
    process.env['SPEX_DISK_TABLE_KEYS'] = '2';
    const cp = join(dir, 'broken');
    expect(() => exploreOnDisk(broken(10 * 6 + 7, 'successors'), c.options, diskOptions(undefined, { everyStates: 20, dir: cp }))).toThrow('broken at 67');
    expect(readdirSync(cp)).toContain('checkpoint.json');
    const again = exploreOnDisk(c.system, c.options, diskOptions(undefined, { everyStates: 20, dir: cp, resume: true }));
    expect(again.disk?.resumed).toBeDefined();
    expect(summary(again)).toEqual(mem);
  });
});

/** The files the checkpoint in `cp` names, with the manifest itself. */
function manifestFiles(cp: string): string[] {
  const m = JSON.parse(readFileSync(join(cp, 'checkpoint.json'), 'utf8')) as { replay: { file: string }; run: { file: string } | null; table: { file: string }; current: { file: string }; next: { file: string } };
  return ['checkpoint.json', m.replay.file, ...(m.run ? [m.run.file] : []), m.table.file, m.current.file, m.next.file].sort();
}

describe('the disk-backed search: its files', () => {
  it('keeps in the checkpoint directory only the files the last checkpoint names, and no one else\'s file is touched', () => {
    const c = grid(14, 'ok');
    const mem = summary(explore(c.system, c.options));
    process.env['SPEX_DISK_TABLE_KEYS'] = '16';
    const cp = join(dir, 'files');
    mkdirSync(cp);
    // Others' files, named like the run's but for a prefix or a suffix, and an old run's file.
    const others = ['keep-level-1.bin', 'checkpoint.json.old', 'level-1.bin.keep', 'notes.txt'];
    for (const f of [...others, 'level-999.bin', 'run-998.bin']) writeFileSync(join(cp, f), 'x');
    let rounds = 0;
    let last: ExploreResult<number, string> | undefined;
    for (let round = 0; round < 200 && last === undefined; round++) {
      clearInterrupt();
      if (round === 1) writeFileSync(join(cp, 'table-997.bin'), 'x');
      let calls = 0;
      const onProgress = (): void => {
        // At every look, the files of the last checkpoint are there (a kill now could resume).
        if (existsSync(join(cp, 'checkpoint.json'))) for (const f of manifestFiles(cp)) expect(existsSync(join(cp, f)), f).toBe(true);
        if (++calls === 6) requestInterrupt(15);
      };
      // Several checkpoints a round: each one's table goes with the next.
      const r = exploreOnDisk(c.system, { ...c.options, progressPeriodMs: 0, onProgress }, diskOptions(undefined, { everyStates: 8, dir: cp, resume: round > 0 }));
      if (r.outcome.kind === 'limit' && r.outcome.limit === 'interrupted') {
        rounds++;
        // Interrupted: the run's files are exactly those the checkpoint names (the old run's are gone).
        expect(readdirSync(cp).filter((f) => !others.includes(f)).sort(), `round ${round}`).toEqual(manifestFiles(cp));
        expect(readdirSync(cp).filter((f) => others.includes(f)).sort()).toEqual([...others].sort());
      } else last = r;
    }
    expect(rounds).toBeGreaterThan(2);
    expect(summary(last!)).toEqual(mem);
    expect(readdirSync(cp).sort()).toEqual([...others].sort());
  });

  it('keeps no more than the two levels and one run in its own directory without checkpoints', () => {
    const c = grid(14, 'ok');
    const mem = summary(explore(c.system, c.options));
    process.env['SPEX_DISK_TABLE_KEYS'] = '4';
    const spill = join(dir, 'own');
    mkdirSync(spill);
    let looks = 0;
    const onProgress = (): void => {
      const [own] = readdirSync(spill);
      const files = readdirSync(join(spill, own!));
      looks++;
      expect(files.filter((f) => f.startsWith('level-')).length, files.join(' ')).toBeLessThanOrEqual(2);
      expect(files.filter((f) => f.startsWith('run-')).length, files.join(' ')).toBeLessThanOrEqual(1);
    };
    const r = exploreOnDisk(c.system, { ...c.options, progressPeriodMs: 0, onProgress }, { codec, spillDir: spill });
    expect(summary(r)).toEqual(mem);
    expect(looks).toBeGreaterThan(20);
    expect(readdirSync(spill)).toEqual([]);
  });

  it('writes a checkpoint every `everyStates` expansions', () => {
    const c = grid(10, 'ok');
    process.env['SPEX_DISK_TABLE_KEYS'] = '2';
    const { system, expansions } = counted(c.system);
    const r = exploreOnDisk(system, c.options, diskOptions(undefined, { everyStates: 10, dir: join(dir, 'every-10') }));
    expect(r.outcome.kind).toBe('ok');
    // At the end of a block after 10 expansions or more; blocks of about two candidates.
    expect(r.disk!.checkpoints).toBeGreaterThanOrEqual(Math.floor(expansions() / 20));
    expect(r.disk!.checkpoints).toBeLessThanOrEqual(Math.floor(expansions() / 10));
  });
});

describe('the disk-backed search: where it looks at the clock', () => {
  it('while the table is exact, every 4,096 expansions: an interrupt stops it there, with the queue it leaves', () => {
    const { system, expansions } = counted(fan(6000));
    requestInterrupt(2);
    // No checkpoints: an interrupt just stops.
    const r = exploreOnDisk(system, { checkDeadlock: true }, diskOptions(1 << 20, undefined));
    expect(r.outcome).toEqual({ kind: 'limit', limit: 'interrupted' });
    expect(expansions()).toBe(4096);
    expect(r.stats.queue).toBe(r.stats.distinct - expansions());
    expect(r.disk?.spilled).toBe(false);
  });

  it('once the table is not exact, at the end of a level even when no block filled', () => {
    const { system, expansions } = counted(fan(10));
    requestInterrupt(2);
    // A table of one key spills after the first expansion; blocks as large as the memory allows.
    const r = exploreOnDisk(system, { checkDeadlock: true }, diskOptions(1, undefined));
    expect(r.outcome).toEqual({ kind: 'limit', limit: 'interrupted' });
    expect(expansions()).toBe(1);
    expect(r.stats.distinct).toBe(11);
    expect(r.stats.queue).toBe(10);
  });

  it('at the end of each block, and reports the queue left in the middle of a level', () => {
    process.env['SPEX_DISK_TABLE_KEYS'] = '2';
    const { system, expansions } = counted(fan(200));
    let looks = 0;
    const r = exploreOnDisk(system, { checkDeadlock: true, progressPeriodMs: 0, onProgress: () => void looks++ }, diskOptions(undefined, undefined));
    expect(r.outcome.kind).toBe('ok');
    // Blocks of about two candidates: the 200 expansions of the second level, one new state each.
    expect(looks).toBeGreaterThanOrEqual(100);
    expect(looks).toBeLessThanOrEqual(110);
    for (const at of [3, 40]) {
      const c = counted(fan(200));
      let calls = 0;
      clearInterrupt();
      const cut = exploreOnDisk(c.system, { checkDeadlock: true, progressPeriodMs: 0, onProgress: () => { if (++calls === at) requestInterrupt(2); } }, diskOptions(undefined, undefined));
      expect(cut.outcome).toEqual({ kind: 'limit', limit: 'interrupted' });
      expect(c.expansions()).toBeGreaterThan(1);
      expect(c.expansions()).toBeLessThan(201);
      // Every state found and not yet expanded is in the queue.
      expect(cut.stats.queue).toBe(cut.stats.distinct - c.expansions());
    }
    expect(expansions()).toBe(401);
  });

  it('reports progress only when asked, and not more often than its period', () => {
    process.env['SPEX_DISK_TABLE_KEYS'] = '2';
    const r = exploreOnDisk(fan(50), { checkDeadlock: true, progressPeriodMs: 0 }, diskOptions(undefined, undefined));
    expect(r.outcome.kind).toBe('ok');
    let calls = 0;
    const hour = exploreOnDisk(fan(50), { checkDeadlock: true, progressPeriodMs: 3_600_000, onProgress: () => void calls++ }, diskOptions(undefined, undefined));
    expect(hour.outcome.kind).toBe('ok');
    expect(calls).toBe(0);
  });
});

/** The fingerprint whose table key (mixedKey) is (h, l). */
function fingerprintOfKey(h: number, l: number): [number, number] {
  const out = new Uint32Array(2);
  unmixedKey(h, l, out);
  const check = new Uint32Array(2);
  mixedKey(out[0]!, out[1]!, check);
  expect([check[0], check[1]]).toEqual([h >>> 0, l >>> 0]);
  return [out[0]!, out[1]!];
}

/** The graph with the fingerprints of some states chosen. */
function withFingerprints(system: TransitionSystem<number, string>, chosen: Map<number, [number, number]>): TransitionSystem<number, string> {
  return {
    ...system,
    fingerprint(state, out) {
      const fp = chosen.get(state);
      if (fp === undefined) system.fingerprint(state, out);
      else {
        out[0] = fp[0];
        out[1] = fp[1];
      }
    },
  };
}

describe('the disk-backed search: keys and blocks at their edges', () => {
  it('tells apart two keys of a block that share a word, one of them in the run', () => {
    // 0 -> 1; 1 -> 1 (seen: in the run by then), 1 -> 2 (new); the keys of 1 and 2 differ in their low word only.
    const base = graphModel({ edges: [[0, 1], [1, 1], [1, 2]], initial: [0], done: [2] });
    // Sharing the high word (either one the smaller), then the low word.
    const pairs: [number, number, number, number][] = [[0x12345678, 5, 0x12345678, 9], [0x12345678, 9, 0x12345678, 5], [0x100, 0xabcdef, 0x200, 0xabcdef], [0x200, 0xabcdef, 0x100, 0xabcdef]];
    for (const [h1, l1, h2, l2] of pairs) {
      const system = withFingerprints(base, new Map([[1, fingerprintOfKey(h1, l1)], [2, fingerprintOfKey(h2, l2)]]));
      const mem = summary(explore(system, { checkDeadlock: true }));
      expect((mem as { stats: number[] }).stats[0]).toBe(3);
      expect(summary(exploreOnDisk(system, { checkDeadlock: true }, diskOptions(1, undefined))), `${h1}:${l1} ${h2}:${l2}`).toEqual(mem);
    }
  });

  it('judges a block of more candidates than its first arrays hold', () => {
    const system = fan(3000);
    const mem = summary(explore(system, { checkDeadlock: true }));
    const r = exploreOnDisk(system, { checkDeadlock: true }, diskOptions(1, undefined));
    expect(summary(r)).toEqual(mem);
    expect(r.stats.distinct).toBe(6001);
    // The memory it reports counts the table, the replay index and the block's arrays.
    expect(Number.isFinite(r.stats.bytesPerState)).toBe(true);
    expect(r.stats.bytesPerState).toBeGreaterThan(0);
  });

  it('checks a step from the first state it expands after a resume (stuttering steps are not checked)', () => {
    // 0 -> 1, 2; 1 -> 1 (a stuttering step the check would refuse), 1 -> 3.
    const system = graphModel({ edges: [[0, 1], [0, 2], [1, 1], [1, 3], [2, 3]], initial: [0], done: [3] });
    system.checkStep = (from, to) => (to === from ? { name: 'NoStutter' } : undefined);
    const mem = summary(explore(system, { checkDeadlock: true }));
    expect((mem as { kind: string }).kind).toBe('ok');
    const cp = join(dir, 'step-after-resume');
    // Interrupted at the first look: the end of the first level, the table spilled.
    requestInterrupt(2);
    const first = exploreOnDisk(system, { checkDeadlock: true }, diskOptions(1, { everyStates: 1000, dir: cp }));
    expect(first.outcome).toEqual({ kind: 'limit', limit: 'interrupted' });
    expect(first.stats.distinct).toBe(3);
    clearInterrupt();
    expect(summary(exploreOnDisk(system, { checkDeadlock: true }, diskOptions(1, { everyStates: 1000, dir: cp, resume: true })))).toEqual(mem);
  });

  it('stops at a violation in the middle of a level while the table is exact, with explore()\'s queue', () => {
    const edges: Edge[] = [];
    for (let i = 1; i <= 50; i++) edges.push([0, i]);
    const system = graphModel({ edges, initial: [0], invariants: [avoid([10])], done: edges.map(([, t]) => t) });
    const mem = summary(explore(system, { checkDeadlock: true }));
    expect((mem as { kind: string }).kind).toBe('invariant');
    expect(summary(exploreOnDisk(system, { checkDeadlock: true }, diskOptions(1000, undefined)))).toEqual(mem);
  });
});

describe('the disk-backed search: explore()\'s results on random graphs, in every mode', () => {
  it.each(SEEDS)('graph %i: with and without constraints and step checks, under each limit, exact and judged late', (seed) => {
    const c = randomCase(seed);
    const { inModel: _inModel, checkStep: _checkStep, ...bare } = c.system;
    const plain = { checkDeadlock: c.options.checkDeadlock };
    for (const [what, system] of [['as drawn', c.system], ['unchecked', bare]] as const) {
      for (const options of [plain, { ...plain, maxStates: 1 + ((seed * 7) % 40) }, { ...plain, maxDepth: 1 + (seed % 7) }]) {
        const mem = summary(explore(system, options));
        for (const keys of [1, 1 << 20, 'blocks of two'] as const) {
          if (keys === 'blocks of two') process.env['SPEX_DISK_TABLE_KEYS'] = '2';
          else delete process.env['SPEX_DISK_TABLE_KEYS'];
          const r = exploreOnDisk(system, options, diskOptions(typeof keys === 'number' ? keys : undefined, undefined));
          expect(summary(r), `${c.name}, ${what}, ${JSON.stringify(options)}, ${keys}`).toEqual(mem);
        }
      }
    }
  });

  it('reports no depth limit when every state past it was seen before, also for a system with constraints', () => {
    for (const n of [3, 7]) {
      const edges: Edge[] = Array.from({ length: n }, (_, i) => [i, (i + 1) % n] as Edge);
      const system = graphModel({ edges, initial: [0] });
      system.inModel = () => true;
      for (const [maxDepth, kind] of [[n, 'ok'], [n - 1, 'limit']] as const) {
        const options = { checkDeadlock: true, maxDepth };
        expect(explore(system, options).outcome.kind).toBe(kind);
        for (const tableKeys of [1, 1000]) expect(exploreOnDisk(system, options, diskOptions(tableKeys, undefined)).outcome.kind, `${n} ${maxDepth} ${tableKeys}`).toBe(kind);
      }
    }
  });
});

describe('the disk-backed search: constraints and step checks at their edges', () => {
  it('lets an error of a constraint that is not the model\'s through, before and past the depth limit', () => {
    const system = graphModel({ edges: [[0, 1], [1, 2], [2, 3], [3, 4]], initial: [0], done: [4] });
    system.inModel = (s) => {
      if (s === 3) throw new TypeError('broken constraint');
      return true;
    };
    expect(() => explore(system, { checkDeadlock: true })).toThrow(TypeError);
    for (const maxDepth of [undefined, 3]) {
      for (const tableKeys of [1, 1 << 20]) expect(() => exploreOnDisk(system, { checkDeadlock: true, ...(maxDepth ? { maxDepth } : {}) }, diskOptions(tableKeys, undefined)), `${maxDepth} ${tableKeys}`).toThrow(TypeError);
    }
  });

  it('gives a constraint the step\'s label (none for an initial state), and never checks a step into an initial state', () => {
    const system = graphModel({ edges: [[0, 1, 'go'], [1, 2, 'skip'], [1, 3, 'go'], [3, 4, 'go'], [2, 5, 'go']], initial: [0, 6], done: [4, 5, 6] });
    system.inModel = (_s, from, label) => (from === undefined ? label === undefined : label === 'go');
    system.checkStep = (from) => (from === undefined ? { name: 'NoInitialStep' } : undefined);
    const mem = bothWays(system, { checkDeadlock: true }, 'labels');
    expect(mem.stats[0]).toBe(5);
  });

  it('checks a step between states whose fingerprints share one word', () => {
    // 0 -> 1 -> 2 -> 3: the step 1 -> 2 is refused; 2's fingerprint shares a word with 1's.
    const base = graphModel({ edges: [[0, 1], [1, 2], [2, 3]], initial: [0], done: [3] });
    base.checkStep = (from, to) => (from === 1 && to === 2 ? { name: 'NotOneTwo' } : undefined);
    const [h, l] = fingerprintOfKey(0x1234, 0x5678);
    for (const two of [[h, l ^ 1], [h ^ 1, l]] as [number, number][]) {
      const system = withFingerprints(base, new Map([[1, [h, l]], [2, two]]));
      const mem = bothWays(system, { checkDeadlock: true }, `${two}`);
      expect(mem.kind).toBe('invariant');
    }
  });

  it('past the depth limit: a state outside the constraints is not a new state, and a constraint that fails after the limit was reached is not looked at', () => {
    // 0 -> 1 -> {2, 3, 4}, all three past the limit and new; their order decides the outcome.
    for (const [order, maxDepth] of [[[2, 3, 4], 2], [[3, 2, 4], 2], [[4, 3], 2], [[2, 3, 4], 3]] as const) {
      const system = graphModel({ edges: [[0, 1], ...order.map((t) => [1, t] as Edge)], initial: [0], done: [2, 3, 4] });
      // 2 lies outside the constraints, 3 inside, 4's constraint fails.
      system.inModel = (s) => {
        if (s === 4) throw new ModelError('runtime', 'constraint fails at 4');
        return s !== 2;
      };
      bothWays(system, { checkDeadlock: true, maxDepth }, `${order} ${maxDepth}`);
    }
    const outside = graphModel({ edges: [[0, 1], [1, 2]], initial: [0], done: [2] });
    outside.inModel = (s) => s !== 2;
    for (const maxDepth of [2, 3]) expect(bothWays(outside, { checkDeadlock: true, maxDepth }, `outside ${maxDepth}`).kind).toBe('ok');
  });
});

describe('the disk-backed search: two stops in one expansion, and a stop judged late', () => {
  it('keeps the first stop of an expansion: a refused step before the state\'s fault, a fault before any successor is no deadlock', () => {
    // 0 -> 1 -> 2: the step 1 -> 2 is refused, then 1 fails; 0 -> 3, whose first edge fails (3 has no successor).
    const stepThenFault = graphModel({ edges: [[0, 4], [4, 1], [1, 2]], initial: [0], done: [2], faultingStates: [1] });
    stepThenFault.checkStep = (from, to) => (from === 1 && to === 2 ? { name: 'NotOneTwo' } : undefined);
    expect(bothWays(stepThenFault, { checkDeadlock: true }, 'step, then fault').kind).toBe('invariant');
    const faultFirst = graphModel({ edges: [[0, 4], [4, 3], [3, 5]], initial: [0], done: [5], faultingEdges: [[3, 5]] });
    expect(bothWays(faultFirst, { checkDeadlock: true }, 'fault before any successor').kind).toBe('fault');
  });

  it('reports explore()\'s queue when a state of an earlier expansion of the block fails its invariant', () => {
    // Level 2 is 1, 2, 3: 1 -> 10 (violates), 2 -> 11 (a refused step: the block ends there).
    const system = graphModel({ edges: [[0, 1], [0, 2], [0, 3], [1, 10], [2, 11], [3, 12]], initial: [0], done: [10, 11, 12], invariants: [avoid([10])] });
    system.checkStep = (from, to) => (from === 2 && to === 11 ? { name: 'NotTwoEleven' } : undefined);
    const mem = bothWays(system, { checkDeadlock: true }, 'invariant before a refused step');
    expect(mem.kind).toBe('invariant');
    expect(mem.stats[3]).toBeGreaterThan(0);
  });
});

describe('the disk-backed search: a constraint\'s fault past the depth limit, found again', () => {
  it('replays the fault from the state of the level that emitted it', () => {
    // Level 2 is 1, 5; past the limit, 1 -> 2 (outside the constraints), 5 -> 6 (fine), 5 -> 4 (fails).
    const system = graphModel({ edges: [[0, 1], [0, 5], [1, 2], [5, 6], [5, 4]], initial: [0], done: [2, 4, 6] });
    system.inModel = (s) => {
      if (s === 4) throw new ModelError('runtime', 'constraint fails at 4');
      return s !== 2 && s !== 6;
    };
    const options = { checkDeadlock: true, maxDepth: 2 };
    const mem = summary(explore(system, options)) as { kind: string; states: number[] };
    expect(mem.kind).toBe('fault');
    expect(mem.states).toEqual([0, 5, 4]);
    for (const tableKeys of [1, 1 << 20]) expect(summary(exploreOnDisk(system, options, diskOptions(tableKeys, undefined))), `${tableKeys}`).toEqual(mem);
  });

  it('calls a system whose constraint fails only once not deterministic', () => {
    const system = graphModel({ edges: [[0, 1], [1, 3], [1, 2]], initial: [0], done: [2, 3] });
    let failed = false;
    system.inModel = (s) => {
      if (s === 3 && !failed) {
        failed = true;
        throw new ModelError('runtime', 'constraint fails at 3, once');
      }
      return true;
    };
    expect(() => exploreOnDisk(system, { checkDeadlock: true, maxDepth: 2 }, diskOptions(1, undefined))).toThrow('internal error: a constraint that failed during the search does not fail again; the transition system is not deterministic');
  });
});

describe('the disk-backed search: what explore() checks of a state whether or not it is new', () => {
  it('the invariants of a state outside the constraints, and a constraint\'s fault before them', () => {
    // 0 -> 1 -> 2 -> 5, 3: 3 lies outside the constraints and violates the invariant; 5, new, comes before it.
    const outside = graphModel({ edges: [[0, 1], [1, 2], [2, 5], [2, 3]], initial: [0], done: [3, 5], invariants: [avoid([3], 'NotThree')] });
    outside.inModel = (s) => s !== 3;
    expect(bothWays(outside, { checkDeadlock: false }, 'outside').kind).toBe('invariant');
    // A refused step into a state outside the constraints.
    const stepOutside = graphModel({ edges: [[0, 1], [1, 2], [2, 5], [2, 3]], initial: [0], done: [3, 5] });
    stepOutside.inModel = (s) => s !== 3;
    stepOutside.checkStep = (_from, to) => (to === 3 ? { name: 'NotIntoThree' } : undefined);
    expect(bothWays(stepOutside, { checkDeadlock: false }, 'step outside').kind).toBe('invariant');
    // Now 3's constraint fails: the fault, not the invariant.
    const faulty = graphModel({ edges: [[0, 1], [1, 2], [2, 3]], initial: [0], done: [3], invariants: [avoid([3], 'NotThree')] });
    faulty.inModel = (s) => {
      if (s === 3) throw new ModelError('runtime', 'constraint fails at 3');
      return true;
    };
    expect(bothWays(faulty, { checkDeadlock: false }, 'fault, then invariant').kind).toBe('fault');
  });

  it('a refused step to a state seen before, also once the state limit is reached', () => {
    // 0 -> 1, 2; 1 -> 5 (new), 2 (seen: refused); 2 -> 4.
    const system = graphModel({ edges: [[0, 1], [0, 2], [1, 5], [1, 2], [2, 4]], initial: [0], done: [4, 5] });
    system.checkStep = (from, to) => (from === 1 && to === 2 ? { name: 'NotOneTwo' } : undefined);
    expect(bothWays(system, { checkDeadlock: true }, 'seen').kind).toBe('invariant');
    expect(bothWays(system, { checkDeadlock: true, maxStates: 4 }, 'seen at the state limit').kind).toBe('invariant');
  });
});

describe('the disk-backed search: the deduplication of a block\'s keys', () => {
  // A block's candidate keys are sorted and deduplicated before they are looked up in the run:
  // only a copy of the key just kept may be dropped. Each graph below reaches, in one block,
  // keys in an order where comparing with any other key would drop a key that is in the run
  // (state 1, met one level earlier), which would then be counted as new a second time.
  function sameAsExplore(keys: Map<number, [number, number]>, edges: Edge[]): void {
    const base = graphModel({ edges, initial: [0], done: [1, 3, 4] });
    const system = withFingerprints(base, keys);
    const mem = summary(explore(system, { checkDeadlock: true }));
    expect((mem as { stats: number[] }).stats[0]).toBe(new Set([0, ...edges.map(([, t]) => t)]).size);
    expect(summary(exploreOnDisk(system, { checkDeadlock: true }, diskOptions(1, undefined)))).toEqual(mem);
  }

  it('keeps a key whose high word is that of the key before it and whose low word is that of the key after it', () => {
    // The block of state 2's expansion: 3, 1, 4, 3; keys (h, 3) twice, (h, 5), (h + 1, 5) sorted.
    sameAsExplore(
      new Map([[3, fingerprintOfKey(0x5000, 3)], [1, fingerprintOfKey(0x5000, 5)], [4, fingerprintOfKey(0x5001, 5)]]),
      [[0, 1], [0, 2], [2, 3], [2, 1], [2, 4], [2, 3]],
    );
  });

  it('keeps a key whose low word is that of the key before it and whose high word is the low word of the one before that', () => {
    // The block of state 2's expansion: 3, 4, 1; keys (1, 0x100), (2, 7), (0x100, 7) sorted.
    sameAsExplore(
      new Map([[3, fingerprintOfKey(1, 0x100)], [4, fingerprintOfKey(2, 7)], [1, fingerprintOfKey(0x100, 7)]]),
      [[0, 1], [0, 2], [2, 3], [2, 4], [2, 1]],
    );
  });
});
