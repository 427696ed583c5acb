/**
 * The flat-level search explore() runs for vector systems (src/explore/vector-run.ts) against
 * the object-level one (BreadthFirstRun, which explore() runs for the same packed system once
 * it no longer says its width): the same counts, queue, outcome and trace, with and without
 * --max-states and --max-depth cuts, on specs that pass, violate an invariant, deadlock or
 * fail at run time.
 */
import { describe, expect, it } from 'vitest';
import { constOverrides, loadSpec, selectChecks, configOverrides } from '../../src/engine/run.js';
import { compileSpec, type Label } from '../../src/lang/compile.js';
import { compilePacked, type PackedSpec } from '../../src/lang/packed/index.js';
import { explore, type ExploreOptions, type ExploreResult } from '../../src/explore/index.js';
import type { TransitionSystem } from '../../src/explore/system.js';
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
    const p = compilePacked(spec, overrides, compileSpec(spec, overrides));
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
    ];
    for (const deadlock of [true, false]) {
      for (const cut of cuts) {
        const opts = { checkDeadlock: deadlock, ...cut };
        expectSame(explore(p, opts), explore(objectLevels(p), opts));
      }
    }
  }
}

describe('explore() on flat vector levels', () => {
  for (const file of files) {
    it(`runs ${file} as the object-level search does, with and without limits`, () => check(file));
  }
  it('widens its levels when a state holds a number beyond 32 bits, and still agrees', () => {
    check('wide.spex', wide);
    const p = packedOf('wide.spex', wide)[0]!;
    const r = explore(p, { checkDeadlock: true });
    expect(r.outcome.kind).toBe('deadlock');
    if (r.outcome.kind === 'deadlock') expect(r.outcome.trace.states.some((v) => v.some((x) => Math.abs(x) > 2 ** 31))).toBe(true);
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

describe('a level past the most one array holds', () => {
  it('stops the search for memory, with a note, instead of failing to allocate', async () => {
    const { memoryNote } = await import('../../src/explore/guard.js');
    // One state with 100,000 successors of one slot each, on a level of at most 5,000 numbers
    // (SPEX_LEVEL_NUMBERS, for V8's 2^32).
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
    const saved = process.env['SPEX_LEVEL_NUMBERS'];
    process.env['SPEX_LEVEL_NUMBERS'] = '5000';
    let r: ExploreResult<number[], string>;
    try {
      r = explore(system, { checkDeadlock: false });
    } finally {
      if (saved === undefined) delete process.env['SPEX_LEVEL_NUMBERS'];
      else process.env['SPEX_LEVEL_NUMBERS'] = saved;
    }
    expect(r.outcome).toEqual({ kind: 'limit', limit: 'memory' });
    // The 5,001st successor found the level full: counted, not queued; the next emission is
    // cut short.
    expect([r.stats.distinct, r.stats.generated, r.stats.queue]).toEqual([5002, 5002, 5000]);
    expect(calls).toBe(5002);
    expect(memoryNote()).toBe('a level of 5,000 states of 1 slots and more: more than 5,000 numbers, the most one array holds');
    // Without the knob, the same search runs to its end.
    expect(explore(system, { checkDeadlock: false }).stats.distinct).toBe(100_001);
  });
});
