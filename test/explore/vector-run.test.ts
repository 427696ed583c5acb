/**
 * The flat-level search explore() runs for vector systems (src/explore/vector-run.ts) against
 * the object-level one (BreadthFirstRun, which explore() runs for the same packed system once
 * it no longer says its width): the same counts, queue, outcome and trace, with and without
 * --max-states and --max-depth cuts, on specs that pass, violate an invariant, deadlock or
 * fail at run time; and, for temporal properties, the same state graph.
 */
import { describe, expect, it } from 'vitest';
import { constOverrides, loadSpec, selectChecks, configOverrides, packedRecordOf, temporalSetupOf } from '../../src/engine/run.js';
import { compileSpec, type Label } from '../../src/lang/compile.js';
import { compilePacked, type PackedSpec } from '../../src/lang/packed/index.js';
import { explore, type ExploreOptions, type ExploreResult } from '../../src/explore/index.js';
import { onFlatLevels, RECORD_FLAT_MAX_SLOTS } from '../../src/explore/explorer.js';
import type { TransitionSystem } from '../../src/explore/system.js';
import type { RecordGraph } from '../../src/explore/state-graph.js';
import { pooledChunksTaken, releaseLevelPool } from '../../src/explore/level-pool.js';
import { exploreVectorLevels, type FlatVectorSystem, type LevelStart } from '../../src/explore/vector-run.js';
import { checkSpec } from '../../src/lang/check.js';
import { parseSpec } from '../../src/lang/parser.js';
import { permuted } from '../../src/swarm/permute.js';

const files = [
  'spec/bench/counter-grid.spex',
  'spec/examples/twophase.spex',
  'spec/examples/diehard.spex',
  'spec/examples/peterson.spex',
  'spec/examples/increment-race.spex',
  'test/fixtures/runtime/E701-division-by-zero.spex',
  'test/fixtures/runtime/E703-value-outside-range.spex',
  'test/fixtures/runtime/assert-failed.spex',
];

function packedOf(file: string, text?: string): PackedSpec[] {
  const spec = text === undefined ? loadSpec(file).spec : checkSpec(parseSpec({ path: file, text }));
  const out: PackedSpec[] = [];
  for (const check of selectChecks(spec, undefined)) {
    const overrides = configOverrides(check, constOverrides(spec, []));
    const p = compilePacked(spec, overrides, compileSpec(spec, overrides, check));
    if (p.ok) out.push(p.system);
  }
  return out;
}

/** The same system without its width: explore() then takes it through BreadthFirstRun. */
function objectLevels(p: PackedSpec): TransitionSystem<number[], Label> {
  const { vectorWidth: _w, ...rest } = p;
  return rest;
}

function expectSame(a: ExploreResult<number[], Label>, b: ExploreResult<number[], Label>): void {
  const { seconds: _a, bytesPerState: _ab, ...sa } = a.stats;
  const { seconds: _b, bytesPerState: _bb, ...sb } = b.stats;
  expect(sa).toEqual(sb);
  expect(a.outcome.kind).toBe(b.outcome.kind);
  expect(a.outcome).toEqual(b.outcome);
}

/**
 * An unbounded Int that passes 2^31 on the way (levels go from Int32Array to Float64Array),
 * a second one that goes negative, and a deadlock at the end (a trace through both kinds).
 */
const wide = `spec Wide
var x: Int = 1
var y: Int = 0
var b: Bool = false
action Grow {
  require x < 40000000000
  x := x * 3 + 1
  y := y - x
}
action Flip {
  require x > 3000000000 and not b
  b := true
}
invariant Small: y > -100000000000
`;

function check(file: string, text?: string): void {
  const systems = packedOf(file, text);
  expect(systems.length).toBeGreaterThan(0);
  for (const p of systems) {
    expect(p.vectorWidth).toBe(p.width);
    const whole = explore(objectLevels(p), { checkDeadlock: true, maxStates: 50_000 });
    const { distinct, depth } = whole.stats;
    const cuts: Omit<ExploreOptions<number[], Label>, 'checkDeadlock'>[] = [
      { maxStates: 50_000 },
      { maxStates: Math.max(0, Math.floor(distinct / 2)) },
      { maxStates: 1 },
      { maxStates: distinct },
      { maxDepth: Math.max(1, Math.floor(depth / 2)), maxStates: 50_000 },
      { maxDepth: 1, maxStates: 50_000 },
      // The whole depth: past it, only states seen before or outside the constraints.
      { maxDepth: Math.max(1, depth), maxStates: 50_000 },
    ];
    for (const deadlock of [true, false]) {
      for (const cut of cuts) {
        const opts = { checkDeadlock: deadlock, ...cut };
        expectSame(explore(p, opts), explore(objectLevels(p), opts));
      }
    }
  }
}

/**
 * State constraints on flat levels: states outside them are counted and checked against the
 * invariants, never stored, and a successor outside them still keeps its parent from being a
 * deadlock. Default: x ≤ 3 and y ≤ x kept. Outside: an invariant fails on a successor outside
 * the constraint (x = 4). Fault: the constraint divides by zero on the first successor with
 * y = 3. Initial: the initial state outside the constraint (nothing stored). Stuck: (0, 0)
 * reached again is outside, so Reset's states have successors outside only. `check` adds the
 * depth and state limits.
 */
const constrained = `spec Constrained
var x: 0..9 = 0
var y: 0..9 = 0
const Limit: Int = 3
const Bound: Int = 9
const Zero: Int = 1
action IncX { x := x + 1 }
action IncY { require y < x  y := y + 1 }
action Reset { require x == Limit  x := 0  y := 0 }
constraint Small: x <= Limit and y <= x
invariant Fine: y <= x
invariant Below: x < Bound
check Default {}
check Outside { const Bound = 4 }
check Fault { constraint Divides: 6 / (y - 3 * Zero) != 7 }
check Initial { constraint Above: x >= 1 }
check Stuck {
  constraint NoReset: not (x == 0 and y == 0) or x + y == 0
  const Limit = 2
}
`;

describe('explore() on flat vector levels', () => {
  for (const file of files) {
    it(`runs ${file} as the object-level search does, with and without limits`, () => check(file));
  }
  it('takes state constraints as the object-level search does', () => {
    for (const file of ['test/fixtures/disk/grid-outcomes.spex', 'spec/tlaplus/innerfifo.spex']) check(file);
    check('constrained.spex', constrained);
    const outcomes = packedOf('constrained.spex', constrained).map((p) => {
      expect(p.inModel).toBeDefined();
      const r = explore(p, { checkDeadlock: true });
      return `${r.outcome.kind} ${r.stats.distinct}/${r.stats.generated}`;
    });
    expect(outcomes).toEqual(['ok 10/21', 'invariant 6/8', 'fault 9/18', 'ok 0/1', 'ok 6/13']);
  });
  it('widens its levels when a state holds a number beyond 32 bits, and still agrees', () => {
    check('wide.spex', wide);
    const p = packedOf('wide.spex', wide)[0]!;
    const r = explore(p, { checkDeadlock: true });
    expect(r.outcome.kind).toBe('deadlock');
    if (r.outcome.kind === 'deadlock') expect(r.outcome.trace.states.some((v) => v.some((x) => Math.abs(x) > 2 ** 31))).toBe(true);
  });

  it('keeps a layout with an unbounded Int in bytes, widening its levels to 32 bits, then 64, as its numbers need', () => {
    for (const w of [false, true]) {
      const p = packedOf('tiers.spex', tiers(w))[0]!;
      expect(p.vectorNumbers).toBeUndefined();
      expect(p.vectorUnbounded).toEqual({ slots: [0], codes: 'u8' });
      check('tiers.spex', tiers(w));
      const r = explore(p, { checkDeadlock: false });
      expect(r.outcome.kind).toBe('invariant');
      if (r.outcome.kind === 'invariant') expect(r.outcome.trace.states.map((v) => v[0])).toEqual([0, 5, 300, 5000000000, 5000000001, 5000000002, 5000000003]);
    }
  });

  it('reads states from the level through successorsAt only while it stands for the system\'s successors', () => {
    for (const file of ['spec/examples/increment-race.spex', 'test/fixtures/runtime/E701-division-by-zero.spex', 'spec/examples/twophase.spex']) {
      for (const p of packedOf(file)) {
        // The packed system's own: taken, and the same search.
        let calls = 0;
        const counted: PackedSpec = { ...p, successorsAt: { of: p.successors, at: (level, base, emit) => (calls++, p.successorsAt!.at(level, base, emit)) } };
        expectSame(explore(counted, { checkDeadlock: true }), explore(objectLevels(p), { checkDeadlock: true }));
        expect(calls).toBeGreaterThan(0);
        // A wrapper that replaces successors and copies the rest (the swarm's permuted order,
        // successors in reverse): followed, so that traces replay through the same successors.
        const reversed: PackedSpec = {
          ...p,
          successors(vec, emit) {
            const out: [number[], Label][] = [];
            p.successors(vec, (next, label) => out.push([next.slice(), label]));
            for (const [next, label] of out.reverse()) emit(next, label);
          },
        };
        for (const system of [reversed, permuted<number[], Label, PackedSpec>(p, 3)]) {
          expectSame(explore(system, { checkDeadlock: true }), explore(objectLevels(system), { checkDeadlock: true }));
        }
      }
    }
  });
});

/**
 * Temporal specs the packed engine takes, one with state constraints (edges then keep their
 * emission ordinals) and a predicate that divides by zero in some states (PredFault).
 */
const temporalFiles = ['spec/bench/counter-grid-live.spex', 'spec/examples/peterson.spex', 'test/fixtures/temporal/procs-fair.spex', 'test/fixtures/temporal/lasso.spex', 'spec/memcg/idrecycle.spex'];
const constrainedLive = `spec ConstrainedLive
var x: 0..9 = 0
var y: 0..9 = 0
const Shift: Int = 10
action IncX { x := x + 1 }
action IncY { require y < x  y := y + 1 }
action Stay { require x == 2  x := 2 }
action Reset { require x == 3  x := 0  y := 0 }
fair action IncX
fair action Reset
constraint Small: x <= 3 and y <= x
property Back: always eventually x == 0
property Tops: x == 3 ~> y >= 1
property Div: always eventually 6 / (y - 2 + Shift) != 7
check Default {}
check PredFault { const Shift = 0 }
`;

/** The packed systems of a file's checks, each with what the search records for its temporal properties. */
function recordedOf(file: string, text?: string): { system: PackedSpec; record: () => RecordGraph<number[], Label> }[] {
  const spec = text === undefined ? loadSpec(file).spec : checkSpec(parseSpec({ path: file, text }));
  const out: { system: PackedSpec; record: () => RecordGraph<number[], Label> }[] = [];
  for (const check of selectChecks(spec, undefined)) {
    const overrides = configOverrides(check, constOverrides(spec, []));
    const full = compileSpec(spec, overrides, check);
    const p = compilePacked(spec, overrides, full);
    if (!p.ok || p.system.predicates === undefined) continue;
    const predicates = p.system.predicates;
    // A fresh setup for each search: the fairness units are numbered as the edges come.
    const record = (): RecordGraph<number[], Label> => packedRecordOf(full, predicates, temporalSetupOf(spec, check, full)!.record, undefined);
    if (temporalSetupOf(spec, check, full) !== undefined) out.push({ system: p.system, record });
  }
  return out;
}

function expectSameGraph(a: ExploreResult<number[], Label>, b: ExploreResult<number[], Label>, predicates: number): void {
  expectSame(a, b);
  expect(a.graph === undefined).toBe(b.graph === undefined);
  if (a.graph === undefined || b.graph === undefined) return;
  const ga = a.graph;
  const gb = b.graph;
  expect(ga.size).toBe(gb.size);
  expect(Array.from(ga.offsets)).toEqual(Array.from(gb.offsets));
  expect(Array.from(ga.targets)).toEqual(Array.from(gb.targets));
  expect(Array.from(ga.tags)).toEqual(Array.from(gb.tags));
  expect(Array.from(ga.parents)).toEqual(Array.from(gb.parents));
  const bits = (g: typeof ga): string => Array.from({ length: g.size }, (_, s) => Array.from({ length: predicates }, (_, i) => (g.holds(s, i) ? 1 : 0)).join('')).join(' ');
  expect(bits(ga)).toBe(bits(gb));
  // Paths replay the same states and labels: from the last state, its edges in turn.
  const last = ga.size - 1;
  const edges: number[] = [];
  for (let at = last, k = 0; k < 3 && ga.offsets[at + 1]! > ga.offsets[at]!; k++) {
    const e = ga.offsets[at]! + (k % (ga.offsets[at + 1]! - ga.offsets[at]!));
    edges.push(e);
    at = ga.targets[e]!;
  }
  expect(ga.path(last, edges)).toEqual(gb.path(last, edges));
}

describe('explore() on flat vector levels, recording the state graph', () => {
  it('records the graph the object-level search records, edge for edge, with and without limits', () => {
    let graphs = 0;
    const cases: [string, string | undefined][] = [...temporalFiles.map((f): [string, undefined] => [f, undefined]), ['constrained-live.spex', constrainedLive]];
    for (const [file, text] of cases) {
      const systems = recordedOf(file, text);
      expect(systems.length, file).toBeGreaterThan(0);
      for (const { system: p, record } of systems) {
        const predicates = record().predicates.length;
        const whole = explore(objectLevels(p), { checkDeadlock: false, maxStates: 50_000, recordGraph: record() });
        const { distinct, depth } = whole.stats;
        const cuts: Omit<ExploreOptions<number[], Label>, 'checkDeadlock'>[] = [
          { maxStates: 50_000 },
          { maxStates: Math.max(1, Math.floor(distinct / 2)) },
          { maxStates: distinct },
          { maxDepth: Math.max(1, Math.floor(depth / 2)), maxStates: 50_000 },
          { maxDepth: Math.max(1, depth), maxStates: 50_000 },
        ];
        for (const deadlock of [true, false]) {
          for (const cut of cuts) {
            const flat = explore(p, { checkDeadlock: deadlock, ...cut, recordGraph: record() });
            const objects = explore(objectLevels(p), { checkDeadlock: deadlock, ...cut, recordGraph: record() });
            expectSameGraph(flat, objects, predicates);
            if (flat.graph !== undefined) graphs++;
          }
        }
      }
    }
    expect(graphs).toBeGreaterThan(20);
  });

  it('records the graph of states of RECORD_FLAT_MAX_SLOTS slots or more on object levels', () => {
    const [{ system: p, record }] = recordedOf('spec/bench/counter-grid-live.spex');
    expect(onFlatLevels(p, { checkDeadlock: true, recordGraph: record() })).toBe(true);
    const wide = { ...p, vectorWidth: RECORD_FLAT_MAX_SLOTS };
    expect(onFlatLevels(wide, { checkDeadlock: true, recordGraph: record() })).toBe(false);
    expect(onFlatLevels(wide, { checkDeadlock: true })).toBe(true);
  });

  it('ends with a fault where a recorded predicate fails, as the object-level search does', () => {
    const [, fault] = recordedOf('constrained-live.spex', constrainedLive);
    const flat = explore(fault!.system, { checkDeadlock: false, recordGraph: fault!.record() });
    expect(flat.outcome.kind).toBe('fault');
    expectSame(flat, explore(objectLevels(fault!.system), { checkDeadlock: false, recordGraph: fault!.record() }));
  });
});

/** Runs f with the levels in chunks of `numbers` numbers (SPEX_LEVEL_CHUNK, read as a search starts). */
function inChunks<T>(numbers: number, f: () => T): T {
  const saved = process.env['SPEX_LEVEL_CHUNK'];
  process.env['SPEX_LEVEL_CHUNK'] = String(numbers);
  try {
    return f();
  } finally {
    if (saved === undefined) delete process.env['SPEX_LEVEL_CHUNK'];
    else process.env['SPEX_LEVEL_CHUNK'] = saved;
  }
}

/** Level 2: six states (x = 0..5, y = 1). */
const sixOnLevel2 = `var x: Int = 0
var y: 0..9 = 0
action A(i: 0..5) {
  require y == 0
  x := i
  y := 1
}
`;

/**
 * Six small states on level 2, then a number beyond 32 bits on level 3 after five of them, and
 * on each level after, growing until the invariant fails: the levels are widened with chunks
 * already filled, and chunks of the narrow kind are left over, not to be filled again.
 */
const widening = `spec Widening
${sixOnLevel2}action B {
  require y >= 1 and y < 6
  x := if x == 5 then 5000000000 else if x > 5 then x + 1 else x
  y := y + 1
}
invariant Reached: x != 5000000004
`;

/**
 * Level 2 leaves five spare chunks of the narrow kind (one state each); level 4 widens the
 * levels at its second state, with four of them left; level 5 fills its second chunk after.
 */
const widenLater = `spec WidenLater
${sixOnLevel2}action B {
  require y == 1
  x := 0
  y := 2
}
action C(i: 0..1) {
  require y == 2
  x := if i == 1 then 5000000000 else 1
  y := 3
}
action D {
  require y >= 3 and y < 6
  x := if x > 5 then x + 1 else x
  y := y + 1
}
invariant Reached: x != 5000000002
`;

/**
 * An unbounded Int beside bounded slots (levels of bytes, TransitionSystem.vectorUnbounded):
 * 0 to 5 fit bytes; -7 and 300 do not, and widen the levels to Int32Arrays; 5,000,000,000 on
 * a later level widens them to Float64Arrays. `wide`: twenty more slots, so that each state is
 * copied in one call and only the unbounded slot is looked at.
 */
const tiers = (wide: boolean): string => `spec Tiers
var x: Int = 0
var y: 0..9 = 0
${wide ? 'var m: Map[0..19, 0..1] = [i in 0..19 |-> 0]\n' : ''}action A(i: 0..5) {
  require y == 0
  x := i
  y := 1
}
action B {
  require y >= 1 and y < 7
  x := if x == 5 then 300 else if x == 4 then -7 else if x == 300 then 5000000000 else if x > 5 or x < 0 then x + 1 else x
  y := y + 1${wide ? '\n  m[y] := 1 - m[y]' : ''}
}
invariant Reached: x != 5000000003
`;

describe('levels in chunks', () => {
  // A chunk of one number holds one state (at least one fits); of 7, two or three of two or
  // three slots: every level spans many chunks, filled, expanded, handed on and widened.
  for (const numbers of [1, 7]) {
    it(`chunks of ${numbers} number(s): the same searches, limits and traces as the object-level search`, () => {
      inChunks(numbers, () => {
        for (const file of ['spec/examples/twophase.spex', 'spec/examples/diehard.spex', 'test/fixtures/runtime/E701-division-by-zero.spex']) check(file);
        check('wide.spex', wide);
        check('widening.spex', widening);
        check('widen-later.spex', widenLater);
        check('tiers.spex', tiers(false));
        check('tiers-wide.spex', tiers(true));
      });
    });
  }

  // A run ends with its chunks in the pool (src/explore/level-pool.ts), and the next run on
  // the thread fills them again: whatever they held must not matter.
  it('chunks a run before left, filled again: the same searches, limits and traces', () => {
    inChunks(16, () => {
      const systems = ['spec/examples/twophase.spex', 'spec/bench/counter-grid.spex', 'spec/examples/diehard.spex', 'test/fixtures/runtime/E701-division-by-zero.spex'].flatMap((f) => packedOf(f));
      const options: ExploreOptions<number[], Label>[] = [{ checkDeadlock: true }, { checkDeadlock: true, maxStates: 40 }];
      const fresh = systems.map((p) => options.map((o) => (releaseLevelPool(), explore(p, o))));
      const before = pooledChunksTaken();
      // Twice round: each run on the chunks of the one before it, of another spec or of its own.
      for (let round = 0; round < 2; round++) systems.forEach((p, i) => options.forEach((o, j) => expectSame(explore(p, o), fresh[i]![j]!)));
      expect(pooledChunksTaken() - before).toBeGreaterThan(10);
    });
  });

  // A small search between two large ones: its first chunks, smaller than the pool's, are its
  // own, and the pool stays for the next large one.
  it('a small search between two large ones leaves the pool to the second', () => {
    const wide = (n: number) =>
      ({
        varNames: ['x'],
        invariants: [],
        initialStates: (emit: (s: number[], l: string) => void) => emit([0], 'init'),
        successors: (s: number[], emit: (s: number[], l: string) => void) => {
          if (s[0] === 0) for (let i = 1; i <= n; i++) emit([i], 'step');
        },
        fingerprint: (s: number[], out: Uint32Array) => {
          out[0] = s[0]!;
          out[1] = s[0]! * 7 + 1;
        },
        vectorWidth: 1,
        vectorNumbers: 'i32',
      }) as unknown as TransitionSystem<number[], string>;
    inChunks(4096, () => {
      releaseLevelPool();
      const first = explore(wide(100_000), { checkDeadlock: false });
      const before = pooledChunksTaken();
      const small = explore(packedOf('spec/examples/diehard.spex')[0]!, { checkDeadlock: true });
      expect(small.outcome.kind).toBe('invariant');
      expect(pooledChunksTaken()).toBe(before);
      const second = explore(wide(100_000), { checkDeadlock: false });
      // Level 2's 100,000 states in chunks of 4,096 numbers: at least its 24 full ones come
      // from the pool (and the first chunk's last growth may too).
      expect(pooledChunksTaken() - before).toBeGreaterThanOrEqual(24);
      expect([second.stats.distinct, second.stats.generated]).toEqual([first.stats.distinct, first.stats.generated]);
    });
  });

  // `--workers auto` starts on this explorer and hands the search over to the threads at a
  // level start (GoOnLater); the threads hold a level as 8-byte numbers, so a level too large
  // for that stays here and the hand-over waits for a smaller one.
  it('hands over to the threads only a level of at most maxNumbers numbers', () => {
    const system = {
      varNames: ['x'],
      invariants: [],
      // 1,000 initial states; the first ten have one successor each, the rest none.
      initialStates: (emit: (s: number[], l: string) => void) => {
        for (let i = 1; i <= 1000; i++) emit([i], 'init');
      },
      successors: (s: number[], emit: (s: number[], l: string) => void) => {
        if (s[0]! <= 10) emit([s[0]! + 1000], 'step');
      },
      fingerprint: (s: number[], out: Uint32Array) => {
        out[0] = s[0]!;
        out[1] = s[0]! * 7 + 1;
      },
      vectorWidth: 1,
      vectorNumbers: 'i32',
    } as unknown as FlatVectorSystem<string>;
    const handed: { level: number; count: number }[] = [];
    const later = (maxNumbers?: number) => ({
      afterMs: 0,
      ...(maxNumbers === undefined ? {} : { maxNumbers }),
      then: (start: LevelStart) => {
        handed.push({ level: start.level, count: start.count });
        return explore(system, { checkDeadlock: false });
      },
    });
    exploreVectorLevels(system, { checkDeadlock: false }, later(100));
    expect(handed).toEqual([{ level: 2, count: 10 }]);
    handed.length = 0;
    exploreVectorLevels(system, { checkDeadlock: false }, later());
    expect(handed).toEqual([{ level: 1, count: 1000 }]);
  });

  it('a level of 100,000 states of one slot in chunks of 1,000: whole, as in one chunk', () => {
    let calls = 0;
    const system = {
      varNames: ['x'],
      invariants: [],
      initialStates: (emit: (s: number[], l: string) => void) => emit([0], 'init'),
      successors: (s: number[], emit: (s: number[], l: string) => void) => {
        if (s[0] !== 0) return;
        for (let i = 1; i <= 100_000; i++) {
          calls++;
          emit([i], 'step');
        }
      },
      fingerprint: (s: number[], out: Uint32Array) => {
        out[0] = s[0]!;
        out[1] = s[0]! * 7 + 1;
      },
      vectorWidth: 1,
      vectorNumbers: 'i32',
    } as unknown as TransitionSystem<number[], string>;
    const chunked = inChunks(1000, () => explore(system, { checkDeadlock: false }));
    expect(calls).toBe(100_000);
    const whole = explore(system, { checkDeadlock: false });
    expect(chunked.outcome).toEqual({ kind: 'ok' });
    expect([chunked.stats.distinct, chunked.stats.generated, chunked.stats.depth]).toEqual([100_001, 100_001, 2]);
    expect([chunked.stats.distinct, chunked.stats.generated, chunked.stats.depth]).toEqual([whole.stats.distinct, whole.stats.generated, whole.stats.depth]);
  });
});
