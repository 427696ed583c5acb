/**
 * The phases of the vector explorer (src/explore/parallel/vectors.ts), in-process: T
 * PhaseRunners over the same buffers, each phase's parts run in turn on this thread and this
 * file playing the coordinator (test/explore/parallel-phases.ts), against a plain
 * breadth-first search emission by emission (each level's states, parents, ordinals and
 * fingerprints, the counts, the stop and where) and against explore(). Levels wider than the
 * first buffers, ranges of every shape, steps to the state itself, every stop event, the
 * graph's edges, tags and predicate words, and the small parts (shards, layout, buffers).
 */
import { describe, expect, it } from 'vitest';
import { explore } from '../../src/explore/explorer.js';
import { CompactFingerprintSet } from '../../src/explore/compact-set.js';
import { FlatFingerprintSet } from '../../src/explore/flat-set.js';
import { IndexMap } from '../../src/explore/parallel/index-map.js';
import { ModelError } from '../../src/explore/system.js';
import {
  CMD_FINISH, CMD_HAS, C_CMD, C_DONE, C_ERR, C_GEN, C_READY, EV_DEADLOCK, EV_FAULT, EV_INVARIANT, EV_LIMIT, EV_PREDICATE, Layout, PhaseRunner,
  MAX_BYTES, SharedBufferFull, createBuffers, ensureBytes, growableBuffer, shardFromSnapshot, shardOf, shardSnapshot,
} from '../../src/explore/parallel/vectors.js';
import { phases, reference, wide, type Options, type Wide } from './parallel-phases.js';

/** Phases and reference agree on everything; and the counts are explore()'s. */
function same(w: Wide, o: Options = {}): ReturnType<typeof phases> {
  const system = wide(w);
  const got = phases(system, o);
  const want = reference(system, o);
  expect(got.levels).toEqual(want.levels);
  expect(got.generated).toBe(want.generated);
  expect(got.distinct).toBe(want.distinct);
  expect(got.stop).toEqual(want.stop);
  expect(got.anyNew).toBe(want.anyNew);
  expect(got.targets).toEqual(want.targets);
  expect(got.tags).toEqual(want.tags);
  // The predicate words of the levels completed (the phases read none of a level that stopped).
  if (o.predicates !== undefined && want.stop === null) expect(got.bits.slice(0, want.distinct)).toEqual(want.bits.slice(0, want.distinct));
  if (o.predicates === undefined) {
    const r = explore(system, { checkDeadlock: o.checkDeadlock ?? false, ...(o.maxStates !== undefined ? { maxStates: o.maxStates } : {}), ...(o.maxDepth !== undefined ? { maxDepth: o.maxDepth } : {}) });
    // explore() counts the initial states' emissions too (each root is emitted twice).
    expect(r.stats.generated).toBe(want.generated + 2 * w.roots);
    expect(r.stats.distinct).toBe(want.distinct);
    const kinds: Record<string, number> = { limit: EV_LIMIT, invariant: EV_INVARIANT, fault: EV_FAULT, deadlock: EV_DEADLOCK };
    if (want.stop === null) expect(r.outcome.kind === 'ok' || (r.outcome.kind === 'limit' && r.outcome.limit === 'depth')).toBe(true);
    // An invariant or isDone that throws: the coordinator replays the stop as a fault.
    else if (r.outcome.kind === 'fault' && (w.badThrows !== undefined || w.doneThrows !== undefined)) expect([EV_INVARIANT, EV_DEADLOCK, EV_FAULT]).toContain(want.stop.kind);
    else expect(kinds[r.outcome.kind]).toBe(want.stop.kind);
  }
  return got;
}

const small: Wide = { roots: 3, columns: 11, depth: 5, self: true };
/** Levels of hundreds of states of 3 numbers: past every buffer's first size. */
const big: Wide = { roots: 300, columns: 900, depth: 4, self: true, width: 3 };

describe('the phases against a plain search', () => {
  for (const T of [2, 3]) {
    it(`a small system on ${T} threads`, () => {
      const r = same(small, { threads: T });
      expect(r.stop).toBeNull();
      expect(r.levels.length).toBeGreaterThan(4);
    });
    it(`levels wider than the first buffers on ${T} threads`, () => {
      const r = same(big, { threads: T });
      expect(Math.max(...r.levels.map((l) => l.states.length))).toBeGreaterThan(600);
    });
  }

  it('without steps to the state itself, with the fingerprints of the level unknown, with compact sets', () => {
    same({ ...small, self: false });
    same(small, { fpsValid: false });
    same(big, { fpsValid: false, threads: 3 });
    same(big, { sets: 'compact' });
  });

  it('steps that share a word of their fingerprint with the state expanded are not steps to it', () => {
    for (const T of [2, 3]) {
      same({ ...small, halves: true }, { threads: T });
      same({ ...small, halves: true, side: true }, { threads: T });
      same({ ...small, halves: true, side: true, self: false }, { threads: T });
    }
  });

  it('ranges of every shape: all on one thread, an empty one between, one state each', () => {
    same(small, { threads: 2, split: (n) => [0, 0, n] });
    same(small, { threads: 2, split: (n) => [0, n, n] });
    same(small, { threads: 3, split: (n) => [0, 1, 1, n] });
    same(big, { threads: 3, split: (n) => [0, n - 1, n - 1, n] });
    same(big, { threads: 3, split: (n) => [0, 0, Math.floor(n / 4), n] });
  });

  it('the depth limit: whether a state was left unstored', () => {
    expect(same(small, { maxDepth: 3 }).anyNew).toBe(true);
    expect(same(small, { maxDepth: 3, threads: 3, split: (n) => [0, 0, 0, n] }).anyNew).toBe(true);
    // Past the last new level: nothing new left out.
    expect(same({ roots: 3, columns: 1, depth: 2 }, { maxDepth: 3 }).anyNew).toBe(false);
    expect(same({ roots: 3, columns: 1, depth: 2 }, { maxDepth: 4 }).anyNew).toBe(false);
  });
});

describe('the phases at their edges', () => {
  it('the threads parts run in any order: each writes only its own words', () => {
    for (const T of [2, 3]) {
      same(small, { threads: T, reverse: true });
      same(big, { threads: T, reverse: true });
      same(small, { threads: T, reverse: true, predicates: [(s) => s[1]! % 2 === 0] });
    }
  });

  it('a level whose fingerprints are unknown: no step is taken for a step to the state expanded', () => {
    for (const T of [2, 3]) {
      same(small, { threads: T, fpsValid: false });
      same({ ...small, self: false }, { threads: T, fpsValid: false });
      same({ ...small, self: false }, { threads: T, fpsValid: false, predicates: [] });
    }
  });

  it('the fingerprint 0, 0 is a state like any other, in the first level expanded too', () => {
    for (const T of [2, 3]) {
      const r = same({ ...small, halves: true, zeroAt: (s) => s[0] === 1 && s[1] === 1 }, { threads: T });
      expect(r.levels[1]!.states).toContainEqual([1, 1]);
    }
  });

  it('no invariant at all', () => {
    for (const T of [2, 3]) same({ ...small, noInvariants: true }, { threads: T });
    same({ ...big, noInvariants: true }, { threads: 3, predicates: [] });
  });

  it('a state with no step first in a range is no fault, and no deadlock unless asked', () => {
    const stuck = (s: number[]): boolean => s[0] === 1 && s[1] === 0;
    for (const T of [2, 3]) {
      const split = (n: number): number[] => [0, ...Array.from({ length: T - 1 }, () => 0), n];
      expect(same({ ...small, stuck }, { threads: T, split }).stop).toBeNull();
      expect(same({ ...small, stuck }, { threads: T, split, checkDeadlock: true }).stop?.kind).toBe(EV_DEADLOCK);
    }
  });

  it('the depth limit: a state left unstored in one shard only is seen', () => {
    // A root whose every step, down to the limit, leads to shard 1 of 2 (fingerprints by
    // halves: the shard is i's). At a limit of 2, the level before it found new states in
    // shard 1 on thread 1 (its count in nums, next to the flags of the shards).
    const C = 4096;
    const fp = new Uint32Array(2);
    const sys = wide({ roots: 1, columns: C, depth: 3, halves: true });
    const inShard1 = (i: number): boolean => {
      sys.fingerprint([1, i], fp);
      return shardOf(fp[1]!, 2) === 1;
    };
    const below = (i: number, depth: number): boolean =>
      depth === 0 || [(3 * i) % C, (3 * i + 1) % C].every((c) => inShard1(c) && below(c, depth - 1));
    for (const maxDepth of [1, 2]) {
      let root = 0;
      while (root < C && !below(root, maxDepth)) root++;
      expect(root).toBeLessThan(C);
      const shifted: typeof sys = { ...sys, initialStates: (emit) => emit([0, root]) };
      for (const predicates of [undefined, []]) {
        const o = { threads: 2, maxDepth, ...(predicates ? { predicates } : {}) };
        const got = phases(shifted, o);
        const want = reference(shifted, o);
        expect(want.anyNew).toBe(true);
        expect(got.anyNew).toBe(true);
        expect(got.generated).toBe(want.generated);
        expect(got.levels).toEqual(want.levels);
      }
    }
  });

  it('the depth limit with the graph recorded: nothing new, or something', () => {
    for (const T of [2, 3]) {
      expect(same({ roots: 3, columns: 1, depth: 2 }, { threads: T, maxDepth: 3, predicates: [] }).anyNew).toBe(false);
      expect(same({ roots: 3, columns: 1, depth: 2 }, { threads: T, maxDepth: 4, predicates: [] }).anyNew).toBe(false);
      expect(same(small, { threads: T, maxDepth: 3, predicates: [] }).anyNew).toBe(true);
    }
  });

  it('the graph recorded with a new state first in a range', () => {
    for (const T of [2, 3]) {
      same({ ...small, self: false }, { threads: T, predicates: [(s) => s[0] === 2] });
      same({ ...big, self: false }, { threads: T, predicates: [] });
    }
  });

  it('dedupe with the graph reports each owned map bytes', () => {
    const r = phases(wide(big), { threads: 3, predicates: [] });
    const { nums, L } = r.runners[0]!;
    for (let s = 0; s < 3; s++) expect(nums[L.bytes + s]).toBe(r.runners[s]!.sets[s]!.bytesUsed());
    expect(nums[L.bytes + 1]).toBeGreaterThan(0);
  });
});

describe('the stop events', () => {
  it('the state limit, at every count', () => {
    for (let max = 4; max <= 40; max += 3) for (const T of [2, 3]) same(small, { threads: T, maxStates: max });
    same(big, { maxStates: 1000 });
    same(big, { maxStates: 1900, threads: 3 });
  });

  it('an invariant that fails, or throws, on a new state', () => {
    for (const T of [2, 3]) {
      expect(same({ ...small, bad: (s) => s[0] === 3 && s[1] === 7 }, { threads: T }).stop?.kind).toBe(EV_INVARIANT);
      expect(same({ ...small, badThrows: (s) => s[0] === 2 && s[1] === 4 }, { threads: T }).stop?.kind).toBe(EV_INVARIANT);
      expect(same({ ...big, bad: (s) => s[0] === 3 && s[1] === 883 }, { threads: T }).stop?.kind).toBe(EV_INVARIANT);
      // The second of two failing states in the level, on a later range: the first one stops.
      same({ ...big, bad: (s) => s[0] === 2 && (s[1] === 100 || s[1] === 550) }, { threads: T });
    }
  });

  it('a fault, after no emission or after some (those count)', () => {
    for (const T of [2, 3]) {
      expect(same({ ...small, faultAt: (s) => s[0] === 2 && s[1] === 4 }, { threads: T }).stop?.kind).toBe(EV_FAULT);
      expect(same({ ...small, faultAt: (s) => s[0] === 2 && s[1] === 4, faultAfter: 3 }, { threads: T }).stop?.kind).toBe(EV_FAULT);
      expect(same({ ...big, faultAt: (s) => s[0] === 3 && s[1] === 883, faultAfter: 2 }, { threads: T }).stop?.kind).toBe(EV_FAULT);
      // A fault at the depth limit (nothing stored) still stops.
      expect(same({ ...small, faultAt: (s) => s[0] === 2 && s[1] === 4, faultAfter: 2 }, { threads: T, maxDepth: 3 }).stop?.kind).toBe(EV_FAULT);
    }
  });

  it('a deadlock, unless the state is done (a fault in isDone: not done)', () => {
    const stuck = (s: number[]): boolean => s[0] === 2 && s[1] === 4;
    for (const T of [2, 3]) {
      expect(same({ ...small, stuck }, { threads: T, checkDeadlock: true }).stop?.kind).toBe(EV_DEADLOCK);
      expect(same({ ...small, stuck }, { threads: T, checkDeadlock: false }).stop).toBeNull();
      expect(same({ ...small, stuck, done: stuck }, { threads: T, checkDeadlock: true }).stop).toBeNull();
      expect(same({ ...small, stuck, done: () => false }, { threads: T, checkDeadlock: true }).stop?.kind).toBe(EV_DEADLOCK);
      expect(same({ ...small, stuck, doneThrows: stuck }, { threads: T, checkDeadlock: true }).stop?.kind).toBe(EV_DEADLOCK);
      // At the depth limit too.
      expect(same({ ...small, stuck }, { threads: T, checkDeadlock: true, maxDepth: 3 }).stop?.kind).toBe(EV_DEADLOCK);
      expect(same({ ...big, stuck: (s) => s[0] === 3 && s[1] === 883 }, { threads: T, checkDeadlock: true }).stop?.kind).toBe(EV_DEADLOCK);
    }
  });

  it('an error that is not a ModelError is thrown on', () => {
    const boom = (): never => {
      throw new Error('boom');
    };
    const sys = wide(small);
    expect(() => phases({ ...sys, successors: (s, emit) => (s[0] === 2 ? boom() : sys.successors(s, emit)) })).toThrow('boom');
    expect(() => phases({ ...sys, invariants: [{ name: 'I', holds: (s) => (s[0] === 2 ? boom() : true) }] })).toThrow('boom');
    const stuck = wide({ ...small, stuck: (s) => s[0] === 2 });
    expect(() => phases({ ...stuck, isDone: boom }, { checkDeadlock: true })).toThrow('boom');
    expect(() => phases(sys, { predicates: [(s) => (s[0] === 2 ? boom() : true)] })).toThrow('boom');
  });
});

describe('the graph recorded', () => {
  const preds = Array.from({ length: 35 }, (_, k) => (s: number[]) => (s[1]! + k) % 3 === 0 || k === 33);

  it('every edge to its state, with its tag, and the predicate words of new states', () => {
    for (const T of [2, 3]) {
      const r = same(small, { threads: T, predicates: preds });
      expect(r.targets.length).toBeGreaterThan(3);
      same(big, { threads: T, predicates: preds });
      same(big, { threads: T, predicates: [] });
      same(small, { threads: T, predicates: preds, split: (n) => [0, ...Array.from({ length: T - 1 }, () => 0), n] });
      same(small, { threads: T, predicates: preds, fpsValid: false });
    }
  });

  it('stops: a predicate that throws, an invariant, the state limit, the depth limit', () => {
    const throwing = [...preds, (s: number[]): boolean => {
      if (s[0] === 3 && s[1] === 5) throw new ModelError('runtime', 'predicate fails');
      return true;
    }];
    for (const T of [2, 3]) {
      expect(same(small, { threads: T, predicates: throwing }).stop?.kind).toBe(EV_PREDICATE);
      expect(same({ ...small, bad: (s) => s[0] === 3 && s[1] === 5 }, { threads: T, predicates: throwing }).stop?.kind).toBe(EV_INVARIANT);
      expect(same(small, { threads: T, predicates: preds, maxStates: 20 }).stop?.kind).toBe(EV_LIMIT);
      expect(same(small, { threads: T, predicates: preds, maxDepth: 3 }).anyNew).toBe(true);
    }
  });

  it('each index map holds the index of each state of its shard', () => {
    const system = wide(small);
    const r = phases(system, { threads: 3, predicates: preds });
    let index = 0;
    const fp = new Uint32Array(2);
    for (const level of r.levels) {
      for (const s of level.states) {
        system.fingerprint(s, fp);
        const sh = shardOf(fp[1]!, 3);
        r.runners.forEach((runner, t) => expect(runner.sets[t] === undefined || t !== sh || (runner.sets[t] as IndexMap).get(fp[0]!, fp[1]!) === index).toBe(true));
        index++;
      }
    }
    expect(index).toBe(r.distinct);
  });

  it('a runner needs a tagger to record the graph', () => {
    expect(() => new PhaseRunner(wide(small), createBuffers(2, 2, 0))).toThrow(/without a tagger/);
    expect(new PhaseRunner(wide(small), createBuffers(2, 2)).T).toBe(2);
  });
});

describe('membership queries and the end of a search', () => {
  it('CMD_HAS: each owner answers for its shard, an index map with the index', () => {
    for (const graph of [false, true]) {
      const system = wide(small);
      const r = phases(system, { threads: 3, ...(graph ? { predicates: [] } : {}) });
      const { nums, L } = r.runners[0]!;
      const fp = new Uint32Array(2);
      const ask = (hi: number, lo: number): number[] => {
        const out: number[] = [];
        r.runners.forEach((runner, t) => {
          nums[L.hasHi] = hi;
          nums[L.hasLo] = lo;
          nums[L.hasResult] = -7;
          runner.run(CMD_HAS, t);
          out.push(nums[L.hasResult]!);
        });
        return out;
      };
      system.fingerprint(r.levels[2]!.states[1]!, fp);
      const sh = shardOf(fp[1]!, 3);
      const index = r.levels[0]!.states.length + r.levels[1]!.states.length + 1;
      const found = ask(fp[0]!, fp[1]!);
      found.forEach((x, t) => expect(x).toBe(t === sh ? (graph ? index : 1) : -7));
      const absent = ask(fp[0]! ^ 1, fp[1]!);
      absent.forEach((x, t) => expect(x).toBe(t === sh ? (graph ? -1 : 0) : -7));
    }
  });

  it('CMD_FINISH: each owner reports its set bytes', () => {
    for (const sets of ['flat', 'compact'] as const) {
      const r = phases(wide(big), { threads: 3, sets });
      const { nums, L } = r.runners[0]!;
      for (let s = 0; s < 3; s++) nums[L.bytes + s] = -1;
      r.runners.forEach((runner, t) => runner.run(CMD_FINISH, t));
      for (let s = 0; s < 3; s++) expect(nums[L.bytes + s]).toBe(r.runners[s]!.sets[s]!.bytesUsed());
      expect(nums[L.bytes + 0]).toBeGreaterThan(0);
    }
  });

  it('CMD_FINISH: a compact set growing is finished before its bytes are reported', () => {
    let growing = 0;
    for (let roots = 100; roots <= 400; roots += 25) {
      const r = phases(wide({ ...big, roots }), { threads: 2, sets: 'compact' });
      const { nums, L } = r.runners[0]!;
      const before = r.runners.map((runner, t) => runner.sets[t]!.bytesUsed());
      r.runners.forEach((runner, t) => runner.run(CMD_FINISH, t));
      r.runners.forEach((runner, t) => {
        const set = runner.sets[t] as CompactFingerprintSet;
        set.finishGrowing();
        expect(nums[L.bytes + t]).toBe(set.bytesUsed());
        if (set.bytesUsed() < before[t]!) growing++;
      });
    }
    expect(growing).toBeGreaterThan(0);
  });

  it('dedupe reports each owned set bytes', () => {
    const r = phases(wide(big), { threads: 2 });
    const { nums, L } = r.runners[0]!;
    for (let s = 0; s < 2; s++) expect(nums[L.bytes + s]).toBe(r.runners[s]!.sets[s]!.bytesUsed());
  });
});

describe('the small parts', () => {
  it('shardOf: the low word, unsigned, scaled to the shards', () => {
    expect(shardOf(0, 3)).toBe(0);
    expect(shardOf(0xffffffff, 3)).toBe(2);
    expect(shardOf(-1, 2)).toBe(1);
    expect(shardOf(0x7fffffff, 2)).toBe(0);
    expect(shardOf(0x80000000, 2)).toBe(1);
    expect(shardOf(0x55555555, 3)).toBe(0);
    expect(shardOf(0x55555556, 3)).toBe(1);
    expect(shardOf(123456789, 1)).toBe(0);
  });

  it('the layout of nums', () => {
    const L = new Layout(3);
    expect([L.count, L.cur, L.store, L.deadlock, L.distinct, L.maxStates, L.hasHi, L.hasLo, L.hasResult, L.range]).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect([L.emitted, L.newCount, L.anyNew, L.bytes, L.base, L.event, L.listLen, L.fpsValid, L.words]).toEqual([13, 16, 25, 28, 31, 34, 46, 55, 56]);
    expect(new Layout(2).words).toBe(37);
    expect([C_GEN, C_CMD, C_DONE, C_READY, C_ERR]).toEqual([0, 1, 2, 3, 4]);
  });

  it('createBuffers: per thread, per pair of threads, the graph and its words', () => {
    const b = createBuffers(3, 4);
    expect([b.threads, b.width, b.graph, b.predicateWords]).toEqual([3, 4, false, 0]);
    expect(b.emFp.length).toBe(3);
    expect(b.emIdx.length).toBe(9);
    expect(b.emNew.length).toBe(9);
    expect(b.lvSt.length).toBe(2);
    expect(b.ctrl.byteLength).toBe(32);
    expect(b.nums.byteLength).toBe(8 * new Layout(3).words);
    expect(new Set([...b.emIdx, ...b.emNew]).size).toBe(18);
    const g = createBuffers(2, 1, 2);
    expect([g.graph, g.predicateWords]).toEqual([true, 2]);
    expect(g.emTag[0]!.byteLength).toBe(4096);
    expect(b.emTag[0]!.byteLength).toBe(8);
    expect(createBuffers(2, 1, 0).graph).toBe(true);
  });

  it('ensureBytes: nothing when large enough, by half again at least, never past 4 GiB', () => {
    const b = growableBuffer(1000);
    ensureBytes(b, 1000);
    expect(b.byteLength).toBe(1000);
    ensureBytes(b, 1001);
    expect(b.byteLength).toBe(1500);
    ensureBytes(b, 4000);
    expect(b.byteLength).toBe(4000);
    // Past the cap: SharedBufferFull, which the explorer takes as a stop for memory.
    expect(() => ensureBytes(b, 2 ** 32 + 1)).toThrow(SharedBufferFull);
    expect(() => ensureBytes(b, 2 ** 32 + 1)).toThrow('a level of the parallel search would need 4097 MiB in one shared buffer, over the 4096 MiB a shared buffer can hold');
    expect((b as unknown as { maxByteLength: number }).maxByteLength).toBe(2 ** 32);
    expect(MAX_BYTES).toBe(2 ** 32);
    expect(() => growableBuffer(2 ** 32 + 1)).toThrow(SharedBufferFull);
  });

  it('shard snapshots: each kind back, with the buffers to transfer', () => {
    const flat = new FlatFingerprintSet();
    const compact = new CompactFingerprintSet();
    const map = new IndexMap();
    for (let i = 1; i <= 50; i++) {
      flat.add(i, 7 * i);
      compact.add(i, 7 * i);
      map.lookupOrInsert(i, 7 * i, i + 100);
    }
    const f = shardSnapshot(flat);
    // Its table is on a shared buffer: shared, nothing to transfer; a plain one is transferred.
    expect((f.snap as { keys: Uint32Array }).keys.buffer).toBeInstanceOf(SharedArrayBuffer);
    expect(f.transfer).toEqual([]);
    const big = new FlatFingerprintSet(0, { maxInPlaceBytes: 1024 });
    for (let i = 1; i <= 2000; i++) big.add(i, 7 * i);
    const b = shardSnapshot(big);
    expect(b.transfer).toEqual([(b.snap as { keys: Uint32Array }).keys.buffer]);
    expect(b.transfer[0]).toBeInstanceOf(ArrayBuffer);
    const c = shardSnapshot(compact);
    expect(c.transfer.length).toBe(1);
    const m = shardSnapshot(map);
    expect(m.transfer.length).toBe(2);
    const f2 = shardFromSnapshot(f.snap);
    const c2 = shardFromSnapshot(c.snap);
    const m2 = shardFromSnapshot(m.snap);
    expect(f2).toBeInstanceOf(FlatFingerprintSet);
    expect(c2).toBeInstanceOf(CompactFingerprintSet);
    expect(m2).toBeInstanceOf(IndexMap);
    for (let i = 1; i <= 50; i++) {
      expect(f2.has(i, 7 * i)).toBe(true);
      expect(c2.has(i, 7 * i)).toBe(true);
      expect((m2 as IndexMap).get(i, 7 * i)).toBe(i + 100);
    }
    expect(f2.has(51, 7 * 51)).toBe(false);
  });
});
