/**
 * The parallel explorer for packed states (exploreVectorsParallel) against the single-threaded
 * explorer on the same packed systems: identical counts (distinct, generated, depth, queue),
 * verdict, error and trace, with 2 and 3 threads. Eager mode sends every level, however
 * small, through the worker threads. Worker threads run the built code, so everything here
 * comes from dist/ (npm test builds it first): one ModelError class on both sides.
 */
import { describe, expect, it } from 'vitest';
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
import { patternPolicy } from '../dist/explore/parallel/auto.js';
import { root } from './support/cli.js';

interface Case {
  path: string;
  text?: string;
  check?: string;
  consts?: string[];
  deadlock?: boolean;
  maxStates?: number;
  maxDepth?: number;
  /** Thread counts level by level (patternPolicy), each run as well: levels switching between one thread and all. */
  patterns?: number[][];
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Any = any;

function packedSystem(c: Case): Any {
  const text = c.text ?? readFileSync(`${root}${c.path}`, 'utf8');
  const { spec } = loadSpec(c.path, text);
  const check = selectChecks(spec, c.check)[0];
  const overrides = configOverrides(check, constOverrides(spec, c.consts ?? []));
  const p = compilePacked(spec, overrides, compileSpec(spec, overrides));
  if (!p.ok) throw new Error(`the packed engine does not take ${c.path}: ${p.reason}`);
  return { system: onlyInvariants(p.system, check?.decl.only?.map((n: Any) => n.text)), text, check };
}

function options(c: Case, check: Any): Any {
  const o: Any = { checkDeadlock: c.deadlock ?? check?.decl.deadlock ?? true };
  if (c.maxStates !== undefined) o.maxStates = c.maxStates;
  if (c.maxDepth !== undefined) o.maxDepth = c.maxDepth;
  return o;
}

/** The result with what may differ (time, bytes) left out, and errors as plain data. */
function comparable(r: Any): unknown {
  const { seconds: _s, bytesPerState: _b, collisionProbability: _c, ...stats } = r.stats;
  const o = r.outcome;
  const outcome = o.kind === 'fault' ? { ...o, error: { kind: o.error.kind, message: o.error.message, label: o.error.label } } : o;
  return { stats, outcome };
}

/** Runs the case single-threaded and with 2 and 3 threads (started at once, or not at all); returns the single-threaded result. */
function expectSame(c: Case): Any {
  const { system, text, check } = packedSystem(c);
  const one = explore(system, options(c, check));
  for (const workers of [2, 3]) {
    const setup = { data: { path: c.path, text, check: check?.name, consts: c.consts ?? [], packed: true } };
    const par = exploreVectorsParallel(system, options(c, check), { workers, setup, eager: true });
    expect(comparable(par), `${workers} threads`).toEqual(comparable(one));
    // Without eager mode no worker starts on searches this small: every level runs on the
    // main thread alone, in one pass (expandLevelAlone).
    const alone = exploreVectorsParallel(system, options(c, check), { workers, setup, eager: false });
    expect(comparable(alone), `${workers} threads, none started`).toEqual(comparable(one));
    for (const pattern of c.patterns ?? []) {
      const switching = exploreVectorsParallel(system, options(c, check), { workers, setup, eager: true, policy: patternPolicy(workers, pattern) });
      expect(comparable(switching), `${workers} threads, levels on ${pattern.join(', ')} threads`).toEqual(comparable(one));
    }
  }
  return one;
}

const grid = (n: number, k: number): Case => ({ path: 'spec/bench/counter-grid.spex', consts: [`N=${n}`, `K=${k}`] });

describe('the vector explorer gives what explore() gives', () => {
  it('counter-grid: every state, TLC counts', () => {
    const r = expectSame(grid(3, 4));
    expect(r.outcome.kind).toBe('ok');
    expect(r.stats.distinct).toBe(4 ** 3 * 4);
    expect(r.stats.generated).toBe(2 * 3 * 4 ** 3 + 1);
  });

  it('counter-grid with an invariant that fails deep in the search', () => {
    const text = readFileSync(`${root}spec/bench/counter-grid.spex`, 'utf8').replace(
      'invariant CounterInRange',
      'invariant NotAllHigh: counter[1] + counter[2] + counter[3] < 3 * (K - 1) - 1\ninvariant CounterInRange',
    );
    const r = expectSame({ path: 'deep.spex', text, consts: ['N=3', 'K=5'] });
    expect(r.outcome.kind).toBe('invariant');
    expect(r.outcome.trace.states.length).toBeGreaterThan(15);
  });

  it('twophase and diehard (a violation)', () => {
    expect(expectSame({ path: 'spec/examples/twophase.spex' }).stats.distinct).toBe(288);
    expect(expectSame({ path: 'spec/examples/diehard.spex' }).outcome.kind).toBe('invariant');
  });

  it('a deadlock', () => {
    expect(expectSame({ path: 'test/fixtures/cli/counter.spex', check: 'Deadlocks' }).outcome.kind).toBe('deadlock');
  });

  it('a fault (division by zero) after some states, and in an invariant', () => {
    const text = [
      'spec Faulty',
      'var n: 0..9 = 0',
      'var m: 0..3 = 0',
      'action Inc { require n < 9\n n := n + 1 }',
      'action Bump { require m < 3\n m := m + 1 }',
      'action Div { require n == 6\n m := 3 / (m - 2) }',
    ].join('\n');
    const r = expectSame({ path: 'faulty.spex', text });
    expect(r.outcome.kind).toBe('fault');
    expect(r.stats.distinct).toBeGreaterThan(10);
    const inv = expectSame({ path: 'faulty-inv.spex', text: text.replace('action Div', 'invariant Odd: 12 / (n - 7) < 100\naction Never') });
    expect(inv.outcome.kind).toBe('fault');
  });

  it('maxStates, cutting between and inside levels', () => {
    for (const maxStates of [0, 1, 2, 50, 101, 255, 256, 257]) {
      const r = expectSame({ ...grid(3, 4), maxStates });
      expect(r.stats.distinct).toBe(Math.min(maxStates, 256));
    }
  });

  it('steps to the state itself (seen by their parent\'s fingerprint), levels switching between one thread and all', () => {
    const text = [
      'spec Stutter',
      'var n: 0..12 = 0',
      'var m: 0..3 = 0',
      'action Stay { require m != 2\n m := m }',
      'action Inc { require n < 12\n n := n + 1 }',
      'action Bump { require m < 3\n m := m + 1 }',
      'action Wrap { require m == 3\n m := 0 }',
      'invariant Low: n + m < 16',
    ].join('\n');
    const patterns = [[1, 2], [2, 2, 1]];
    const ok = expectSame({ path: 'stutter.spex', text, patterns });
    expect(ok.outcome.kind).toBe('ok');
    expect(ok.stats.distinct).toBe(13 * 4);
    const bad = expectSame({ path: 'stutter-bad.spex', text: text.replace('n + m < 16', 'n + m < 13'), patterns });
    expect(bad.outcome.kind).toBe('invariant');
    expectSame({ path: 'stutter.spex', text, patterns, maxStates: 30 });
    expectSame({ path: 'stutter.spex', text, patterns, maxDepth: 6 });
  });

  it('maxDepth', () => {
    for (const maxDepth of [1, 2, 7, 25, 26, 40]) expectSame({ ...grid(3, 4), maxDepth });
    expectSame({ path: 'spec/examples/diehard.spex', maxDepth: 3 });
  });
});
