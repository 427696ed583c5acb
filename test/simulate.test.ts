/**
 * `spex simulate` (docs/simulate.md): the walks and their generator, shrinking (fast-check:
 * shrunk traces are behaviours of the system that still end in the problem, and replay with
 * `spex replay`), the golden text output for fixed seeds, determinism (the same seed twice,
 * and with worker threads), the exports and the --json events.
 * The CLI tests run the built CLI (npm test builds dist/ first). UPDATE_GOLDEN=1 rewrites the
 * golden files instead of comparing.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { Rng, Walker, runWalks, shrinkWalk } from '../src/explore/simulate.js';
import { explore } from '../src/explore/index.js';
import { constOverrides, loadSpec, selectChecks } from '../src/engine/run.js';
import { runSimulation, type SimulateOptions } from '../src/engine/simulate.js';
import { replayTrace } from '../src/engine/replay.js';
import { itfOfCheck } from '../src/export/itf.js';
import { formatValue } from '../src/values/index.js';
import { compileSpec } from '../src/lang/compile.js';
import { avoid, graphModel, type Edge } from './explore/graph-model.js';
import { golden, scrub, spex } from './support/cli.js';

const tmp = mkdtempSync(join(tmpdir(), 'spex-simulate-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const MEMCG = 'spec/memcg/rfc-reparent-lrus.spex';

describe('Rng', () => {
  it('gives the same words for the same seed and stream, and different ones otherwise', () => {
    const words = (seed: number, stream: number): number[] => {
      const r = new Rng(seed, stream);
      return Array.from({ length: 8 }, () => r.next());
    };
    expect(words(7, 3)).toEqual(words(7, 3));
    expect(words(7, 3)).not.toEqual(words(7, 4));
    expect(words(7, 3)).not.toEqual(words(8, 3));
    expect(words(2 ** 40, 0)).not.toEqual(words(0, 0));
    for (const w of words(1, 1)) expect(w >>> 0).toBe(w);
  });

  it('draws below n uniformly enough, never outside 0 .. n - 1', () => {
    const r = new Rng(1, 0);
    const counts = new Array<number>(6).fill(0);
    for (let i = 0; i < 60_000; i++) counts[r.below(6)]!++;
    for (const c of counts) expect(Math.abs(c - 10_000)).toBeLessThan(600);
    expect(r.below(1)).toBe(0);
  });
});

interface RandomGraph {
  n: number;
  edges: Edge[];
  initial: number[];
  bad: number[];
}

const randomGraph: fc.Arbitrary<RandomGraph> = fc.integer({ min: 2, max: 30 }).chain((n) =>
  fc.record({
    n: fc.constant(n),
    edges: fc.array(fc.tuple(fc.nat(n - 1), fc.nat(n - 1)), { minLength: 1, maxLength: 3 * n }) as fc.Arbitrary<Edge[]>,
    initial: fc.array(fc.nat(n - 1), { minLength: 1, maxLength: 3 }),
    bad: fc.uniqueArray(fc.nat(n - 1), { minLength: 1, maxLength: 3 }),
  }),
);

function followsGraph(states: readonly number[], initial: readonly number[], edges: readonly Edge[]): boolean {
  if (!initial.includes(states[0]!)) return false;
  for (let i = 1; i < states.length; i++) if (!edges.some(([f, t]) => f === states[i - 1] && t === states[i])) return false;
  return true;
}

describe('walks and shrinking on random graphs', () => {
  const key = (l: string): string => l;

  it('finds bad nodes only along edges, and shrinks to a path that still ends in one, never below the shortest', () => {
    fc.assert(
      fc.property(randomGraph, fc.nat(1000), fc.integer({ min: 0, max: 1 }), (g, seed, withSearch) => {
        const system = graphModel({ initial: g.initial, edges: g.edges, invariants: [avoid(g.bad)], done: [...Array(g.n).keys()] });
        const walker = new Walker(system, { checkDeadlock: false, depth: 30, seed });
        if (walker.initialCheck.kind === 'stop') {
          expect(g.bad).toContain(walker.initialCheck.trace.states[0]);
          return;
        }
        const walks = runWalks(walker, { runs: 20, seconds: Infinity });
        if (!walks.found) return;
        const shrunk = shrinkWalk(walker, walks.found, { keyOf: key, budget: withSearch ? 10_000 : 0 });
        const o = shrunk.outcome;
        expect(o.kind).toBe('invariant');
        if (o.kind !== 'invariant') return;
        expect(followsGraph(o.trace.states, g.initial, g.edges)).toBe(true);
        expect(g.bad).toContain(o.trace.states.at(-1));
        // Every state before the last is good: the walk would have stopped there.
        for (const s of o.trace.states.slice(0, -1)) expect(g.bad).not.toContain(s);
        const k = shrunk.report;
        expect(k.final).toBe(o.trace.labels.length);
        expect(k.loopsCut).toBeLessThanOrEqual(k.raw);
        expect(k.dropped).toBeLessThanOrEqual(k.loopsCut);
        expect(k.final).toBeLessThanOrEqual(k.dropped);
        const bfs = explore(system, { checkDeadlock: false });
        const shortest = bfs.outcome.kind === 'invariant' ? bfs.outcome.trace.labels.length : -1;
        expect(k.final).toBeGreaterThanOrEqual(shortest);
        // The search up to the dropped length is complete on graphs this small: the result is shortest.
        if (withSearch) {
          expect(k.shortest).toBe(true);
          expect(k.final).toBe(shortest);
        }
      }),
      { numRuns: 300 },
    );
  });

  it('reports the same walk and the same trace for the same seed', () => {
    fc.assert(
      fc.property(randomGraph, fc.nat(1000), (g, seed) => {
        const run = (): unknown => {
          const system = graphModel({ initial: g.initial, edges: g.edges, invariants: [avoid(g.bad)] });
          const walker = new Walker(system, { checkDeadlock: true, depth: 20, seed });
          if (walker.initialCheck.kind !== 'ok') return walker.initialCheck.kind;
          const walks = runWalks(walker, { runs: 10, seconds: Infinity });
          if (!walks.found) return walks;
          return { walks: walks.walks, steps: walks.steps, generated: walks.generated, shrunk: shrinkWalk(walker, walks.found, { keyOf: key, budget: 1000 }) };
        };
        expect(run()).toEqual(run());
      }),
      { numRuns: 100 },
    );
  });

  it('reports a deadlock as such, at a node without successors', () => {
    const system = graphModel({ initial: [0], edges: [[0, 1], [1, 0], [1, 2], [2, 3]] });
    const walker = new Walker(system, { checkDeadlock: true, depth: 50, seed: 3 });
    const walks = runWalks(walker, { runs: 100, seconds: Infinity });
    expect(walks.found?.stop.kind).toBe('deadlock');
    const { outcome, report } = shrinkWalk(walker, walks.found!, { keyOf: key, budget: 100 });
    expect(outcome.kind).toBe('deadlock');
    if (outcome.kind === 'deadlock') expect(outcome.trace.states).toEqual([0, 1, 2, 3]);
    expect(report.shortest).toBe(true);
  });
});

const loaded = new Map<string, ReturnType<typeof loadSpec>>();

/** Simulates a spec's check in-process. */
function simulate(file: string, check: string | undefined, consts: string[], opts: Partial<SimulateOptions> = {}) {
  if (!loaded.has(file)) loaded.set(file, loadSpec(file));
  const { spec } = loaded.get(file)!;
  const c = selectChecks(spec, check)[0];
  return runSimulation(spec, c, constOverrides(spec, consts), { consts, depth: 100, runs: 200, seconds: Infinity, seed: 0, workers: 1, shrinkBudget: 100_000, ...opts });
}

describe('shrunk traces of specs replay and still violate', () => {
  const cases: [string, string | undefined, string[]][] = [
    [MEMCG, 'RfcAwol', ['PAGES=3']],
    ['spec/examples/diehard.spex', undefined, []],
    ['spec/memcg/reparent.spex', 'Scenario6_RfcAwol', []],
    ['test/fixtures/itf/kinds.spex', 'DivideByZero', []],
    ['spec/examples/increment-race.spex', undefined, []],
  ];
  for (const [file, check, consts] of cases) {
    it(`${file} ${check ?? ''}: every seed's shrunk trace replays (spex replay's check) and reproduces the problem`, () => {
      fc.assert(
        fc.property(fc.nat(10_000), fc.integer({ min: 0, max: 1 }), (seed, search) => {
          const r = simulate(file, check, consts, { seed, shrinkBudget: search ? 100_000 : 0 });
          if (r.verdict.kind === 'ok') return;
          const itf = itfOfCheck(r, file, 'x');
          expect(itf).toBeDefined();
          const replay = replayTrace(r.system!, itf!.trace, itf!.meta);
          expect(replay.ok).toBe(true);
          if (replay.ok) expect(replay.outcome?.reproduced).toBe(true);
        }),
        { numRuns: 8 },
      );
    });
  }

  it('finds the memcg AWOL page with 5 pages and reports a shortest trace (BFS: 4 steps)', () => {
    const r = simulate(MEMCG, 'RfcAwol', ['PAGES=5'], { seed: 11 });
    expect(r.verdict).toEqual({ kind: 'violation', name: 'NoAwol' });
    expect(r.simulation.shrink?.final).toBe(4);
    expect(r.simulation.shrink?.shortest).toBe(true);
  });

  it('runs on the generic engine with the same result as on the packed one', () => {
    const packed = simulate(MEMCG, 'RfcAwol', ['PAGES=3'], { seed: 4, engine: 'packed' });
    const generic = simulate(MEMCG, 'RfcAwol', ['PAGES=3'], { seed: 4, engine: 'generic' });
    expect(packed.engine).toBe('packed');
    expect(generic.engine).toBe('generic');
    const strip = (r: typeof packed) => {
      const o = r.result!.outcome;
      const trace = o.kind === 'ok' || o.kind === 'limit' ? [] : o.trace.states.map((s) => s.map(formatValue).join(' '));
      return { ...r.simulation, elapsed: 0, kind: o.kind, trace };
    };
    expect(strip(packed)).toEqual(strip(generic));
  });
});

describe('spex simulate (CLI)', () => {
  it('prints the diehard counterexample found and shrunk from a fixed seed (golden)', () => {
    const r = spex('simulate', 'spec/examples/diehard.spex', '--seed', '0');
    expect(r.code).toBe(12);
    golden('simulate', 'diehard-seed0.txt', scrub(r.stdout));
  });

  it('prints a run-time error, a deadlock and a run without error (golden)', () => {
    const fault = spex('simulate', 'test/fixtures/itf/kinds.spex', '--seed', '2');
    expect(fault.code).toBe(75);
    const spec = join(tmp, 'stuck.spex');
    writeFileSync(spec, 'spec Stuck\nvar x: 0..9 = 0\naction Up { require x < 3\n x := x + 1 }\naction Loop { require x == 1\n x := 0 }\n');
    const deadlock = spex('simulate', spec, '--seed', '5');
    expect(deadlock.code).toBe(11);
    const ok = spex('simulate', MEMCG, '--check', 'PutbackToNearestOnline', '--seed', '1', '--runs', '50', '--depth', '20');
    expect(ok.code).toBe(0);
    golden('simulate', 'kinds.txt', scrub(fault.stdout) + '\n' + scrub(deadlock.stdout).replace(spec, 'stuck.spex') + '\n' + scrub(ok.stdout));
  });

  it('says that temporal properties are not checked, in one line', () => {
    const r = spex('simulate', 'spec/examples/peterson.spex', '--check', 'Unfair', '--runs', '20');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('\nnote: temporal properties are not checked by simulation (StarvationFree); spex check checks them\n');
  });

  it('gives the same output for the same seed, twice and on 2 worker threads', () => {
    const args = ['simulate', MEMCG, '--check', 'RfcAwol', '--const', 'PAGES=4', '--seed', '9', '--depth', '40'];
    const a = spex(...args);
    const b = spex(...args);
    const c = spex(...args, '--workers', '2');
    expect(a.code).toBe(12);
    expect(scrub(b.stdout)).toBe(scrub(a.stdout));
    expect(scrub(c.stdout)).toBe(scrub(a.stdout));
    // Without a problem, the counts too.
    const ok = ['simulate', MEMCG, '--check', 'PutbackToNearestOnline', '--seed', '3', '--runs', '300', '--depth', '30'];
    expect(scrub(spex(...ok, '--workers', '2').stdout)).toBe(scrub(spex(...ok).stdout));
  });

  it('reports the same walk under a time limit as without, once some walk finds a problem', () => {
    const args = ['simulate', 'spec/examples/diehard.spex', '--seed', '0'];
    const plain = scrub(spex(...args).stdout);
    expect(scrub(spex(...args, '--time', '600').stdout)).toBe(plain);
    expect(scrub(spex(...args, '--time', '600', '--workers', '2').stdout)).toBe(plain);
  });

  it('changes the walks with the seed', () => {
    const walk = (seed: string): string => spex('simulate', 'spec/examples/diehard.spex', '--seed', seed).stdout.match(/^Walk .*$/m)![0];
    expect(new Set(['1', '2', '3', '4'].map(walk)).size).toBeGreaterThan(1);
  });

  it('rejects bad options with exit code 1', () => {
    for (const args of [['--seed', '-1'], ['--seed', 'x'], ['--depth', '0'], ['--runs', '1.5'], ['--time', '0'], ['--shrink-budget', '-3']]) {
      const r = spex('simulate', 'spec/examples/diehard.spex', ...args);
      expect(r.code, args.join(' ')).toBe(1);
      expect(r.stderr).toMatch(/error: option/);
      expect(r.stdout).toBe('');
    }
  });

  it('prints the seed it drew for --seed random, and that seed reproduces the run', () => {
    const r = spex('simulate', 'spec/examples/diehard.spex', '--seed', 'random');
    const seed = r.stdout.match(/\(seed (\d+),/)![1]!;
    expect(scrub(spex('simulate', 'spec/examples/diehard.spex', '--seed', seed).stdout)).toBe(scrub(r.stdout));
  });

  it('writes every export, and the ITF trace replays with spex replay', () => {
    const itf = join(tmp, 'awol.itf.json');
    const tlc = join(tmp, 'awol.tlc.json');
    const html = join(tmp, 'awol.html');
    const r = spex('simulate', MEMCG, '--check', 'RfcAwol', '--const', 'PAGES=5', '--seed', '13', '--shrink-budget', '0', '--out-itf', itf, '--out-tlc-json', tlc, '--out-html', html);
    expect(r.code).toBe(12);
    expect(r.stdout).toContain(`ITF trace written to ${itf}\nTLC JSON trace written to ${tlc}\nHTML report written to ${html}\n`);
    const replay = spex('replay', itf, MEMCG, '--const', 'PAGES=5');
    expect(replay.stderr).toBe('');
    expect(replay.code).toBe(0);
    expect(replay.stdout).toMatch(/\nTrace replays: \d+ steps\nAs recorded, /);
    const meta = JSON.parse(readFileSync(itf, 'utf8'))['#meta'];
    expect(meta.description).toMatch(/from a random walk and shrunk, not known to be a shortest one/);
    const ce = JSON.parse(readFileSync(tlc, 'utf8'));
    expect(ce.action.length + 1).toBe(ce.state.length);
    expect(readFileSync(html, 'utf8')).toContain('from a random walk and shrunk, not known to be a shortest one');
  });

  it('writes the run as NDJSON events: start, violation, simulation, check, exit', () => {
    const r = spex('simulate', MEMCG, '--check', 'RfcAwol', '--const', 'PAGES=5', '--seed', '13', '--json');
    expect(r.code).toBe(12);
    const events = r.stdout.trimEnd().split('\n').map((l) => JSON.parse(l));
    expect(events.map((e) => e.event).filter((e) => e !== 'progress')).toEqual(['start', 'violation', 'simulation', 'check', 'exit']);
    expect(events[0]).toMatchObject({ command: 'simulate', spec: 'RfcReparentLrus', checks: ['RfcAwol'] });
    const v = events.find((e) => e.event === 'violation');
    expect(v).toMatchObject({ kind: 'invariant', name: 'NoAwol', steps: 4 });
    expect(v.trace.states).toHaveLength(5);
    const s = events.find((e) => e.event === 'simulation');
    expect(s).toMatchObject({ seed: 13, depth: 100, runs: 10000, time: null, workers: 1, shrink: { final: 4, shortest: true, search: 'shortest' }, temporalUnchecked: [] });
    expect(s.walks).toBe(s.walk + 1);
    expect(events.at(-2)).toMatchObject({ event: 'check', verdict: 'violation', name: 'NoAwol', met: true, exitCode: 12 });
    expect(events.at(-1)).toEqual({ event: 'exit', code: 12 });
  });

  it('--progress-interval 0 reports after every walk on one thread, on stderr and in --json', () => {
    const args = ['simulate', 'spec/bench/counter-grid.spex', '--runs', '5', '--progress'];
    const every = spex(...args, '--progress-interval', '0');
    expect(every.code).toBe(0);
    expect(every.stderr.match(/^progress: \d+ walks/gm)).toEqual([1, 2, 3, 4, 5].map((n) => `progress: ${n} walks`));
    const json = spex(...args, '--progress-interval', '0', '--json');
    expect(json.stdout.split('\n').filter((l) => l.includes('"event":"progress"')).map((l) => JSON.parse(l).walks)).toEqual([1, 2, 3, 4, 5]);
    expect(spex(...args, '--progress-interval', '-1').code).toBe(1);
  });

  it('stops at --time without a problem, and says so', () => {
    const r = spex('simulate', MEMCG, '--check', 'PutbackToNearestOnline', '--time', '0.2', '--depth', '10', '--json');
    expect(r.code).toBe(0);
    const s = r.stdout.split('\n').filter(Boolean).map((l) => JSON.parse(l)).find((e) => e.event === 'simulation');
    expect(s).toMatchObject({ runs: null, time: 0.2, walk: null, shrink: null });
    expect(s.walks).toBeGreaterThan(0);
  });
});


describe('spex simulate --coverage', () => {
  const file = 'test/fixtures/coverage/dead.spex';
  const check = (): { spec: ReturnType<typeof loadSpec>['spec']; sel: ReturnType<typeof selectChecks>[number] } => {
    const { spec } = loadSpec(file);
    return { spec, sel: selectChecks(spec, undefined)[0] };
  };
  const opts = (engine: 'packed' | 'generic'): SimulateOptions => ({ depth: 100, runs: 50, seconds: Infinity, seed: 0, workers: 1, shrinkBudget: 0, coverage: true, engine });

  it('counts the same on both engines, and the new states of the walks add up to the states they reached', () => {
    const { spec, sel } = check();
    const packed = runSimulation(spec, sel, new Map(), opts('packed'));
    const generic = runSimulation(spec, sel, new Map(), opts('generic'));
    expect(packed.engine).toBe('packed');
    expect(generic.engine).toBe('generic');
    expect(packed.coverage).toBeDefined();
    const strip = (r: typeof packed) => ({ rows: r.coverage!.rows, evaluated: [...r.coverage!.evaluated], blocked: [...r.coverage!.blocked] });
    expect(strip(packed)).toEqual(strip(generic));
    // 50 walks of 100 steps reach every one of the 12 states: 11 besides the initial one,
    // each credited to the step that first reached it, as a complete search credits them.
    const fresh = packed.coverage!.rows.reduce((n, r) => n + r.fresh, 0);
    const { spec: s2 } = loadSpec(file);
    expect(explore(runSimulationSystem(s2), { checkDeadlock: false }).stats.distinct - 1).toBe(fresh);
    // The dead action and the empty pick: never enabled, always empty.
    const grow = packed.coverage!.rows.find((r) => packed.coverage!.sites.steps[r.site]!.owner === 'Grow');
    expect(grow?.enabled ?? 0).toBe(0);
  });

  it('prints the table and sends the coverage event; --workers falls back to one thread with the same result', () => {
    const one = spex('simulate', file, '--coverage', '--runs', '50');
    const two = spex('simulate', file, '--coverage', '--runs', '50', '--workers', '2');
    expect(one.code).toBe(0);
    expect(one.stdout).toContain("Coverage (of the walks, before shrinking");
    expect(one.stdout).toMatch(/^ {2}Grow +\d+ +0 +0 +0 +never enabled$/m);
    expect(scrub(two.stdout)).toBe(scrub(one.stdout));
    const json = spex('simulate', file, '--coverage', '--runs', '50', '--json');
    const events = json.stdout.trimEnd().split('\n').map((l) => JSON.parse(l) as { event: string; complete?: boolean });
    const cov = events.find((e) => e.event === 'coverage');
    expect(cov).toMatchObject({ complete: false });
  });
});

/** The compiled system of a spec's default configuration, for a breadth-first count. */
function runSimulationSystem(spec: ReturnType<typeof loadSpec>['spec']) {
  return compileSpec(spec, new Map());
}
