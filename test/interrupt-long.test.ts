/**
 * Interrupts where the explorers' checkpoints do not reach: inside one state's expansion that
 * has tens of thousands of successors, and in the phases before and after the search (parsing,
 * checking, compiling, the analysis of the temporal properties). src/explore/guard.ts.
 *
 * In-process: the interrupt flag is set before the phase starts, and the phase must throw
 * Interrupted (or the search end with the "interrupted" limit) instead of running to its end.
 * Through the CLI (dist/cli/spex.js, which takes the signals): the signal is sent once the
 * process says it is inside the long phase (a progress line of the huge expansion, or the
 * `phase:` line of the SPEX_TEST_PHASES and SPEX_TEST_STALL test hooks). Nothing waits on a
 * clock.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { spexSignalled } from './support/cli.js';
import { Interrupted, clearInterrupt, requestInterrupt } from '../src/explore/guard.js';
import { explore } from '../src/explore/explorer.js';
import { exploreParallel } from '../src/explore/parallel/explorer.js';
import { exploreVectorsParallel } from '../src/explore/parallel/vector-explorer.js';
import type { StateCodec } from '../src/explore/parallel/bytes.js';
import type { VectorSystem } from '../src/explore/parallel/vectors.js';
import type { TransitionSystem } from '../src/explore/system.js';
import { parseSpec } from '../src/lang/parser.js';
import { checkSpec } from '../src/lang/check.js';
import { compileSpec } from '../src/lang/compile.js';
import { compileFairness, compileGroupFairness } from '../src/lang/compile-temporal.js';
import { checkProperties, temporalSetup } from '../src/engine/temporal.js';

const dir = mkdtempSync(join(tmpdir(), 'spex-interrupt-'));

/** The reproducer: a constant made 30,000 by a long sum; one state has 30,000 successors, each with a 30,000-entry map. */
const HUGE = join(dir, 'huge.spex');
writeFileSync(
  HUGE,
  `spec Huge
const N: Int = ${Array.from({ length: 300 }, () => '100').join(' + ')}
type T = 1..N
var m: Map[T, 0..1] = [i in T |-> 0]
action Set(i: T) {
  require m[i] == 0
  m[i] := 1
}
`,
);

/** A spec with many invariants: parsing, checking and compiling it each poll the guard often. */
function manyInvariants(n: number): string {
  const lines = ['spec Many', 'var x: 0..3 = 0', 'action Step { x := (x + 1) % 4 }'];
  for (let i = 0; i < n; i++) lines.push(`invariant I${i}: x >= 0 and x <= 3 and (x == ${i % 4} or x != ${i % 4})`);
  return lines.join('\n') + '\n';
}

/** A ring of `n` states with a liveness property: its analysis walks every state. */
function ring(n: number): string {
  return `spec Ring
var x: 0..${n - 1} = 0
action Step { x := (x + 1) % ${n} }
property Back: x != 0 ~> x == 0
check Fair {
  fair action Step
  expect ok
}
`;
}

afterEach(() => {
  clearInterrupt();
});

describe('in-process: a pending interrupt stops each phase', () => {
  /**
   * One state with 100,000 successors, as a system of objects (explorer.ts) or of vectors of
   * one number (vector-run.ts, the packed engine's levels); `calls` counts the emissions.
   */
  function fan(kind: 'objects' | 'vectors'): { system: TransitionSystem<unknown, string>; calls: () => number } {
    let calls = 0;
    const vec = kind === 'vectors';
    const system = {
      varNames: ['x'],
      invariants: [],
      initialStates: (emit: (s: unknown, l: string) => void) => emit(vec ? [0] : 0, 'init'),
      successors: (s: unknown, emit: (s: unknown, l: string) => void) => {
        if ((vec ? (s as number[])[0] : s) !== 0) return;
        for (let i = 1; i <= 100_000; i++) {
          calls++;
          emit(vec ? [i] : i, 'step');
        }
      },
      fingerprint: (s: unknown, out: Uint32Array) => {
        const x = vec ? (s as number[])[0]! : (s as number);
        out[0] = x;
        out[1] = x * 7 + 1;
      },
      ...(vec ? { vectorWidth: 1, vectorNumbers: 'i32' } : {}),
    } as unknown as TransitionSystem<unknown, string>;
    return { system, calls: () => calls };
  }

  for (const kind of ['objects', 'vectors'] as const) {
    it(`one state with 100,000 successors (${kind}): the search ends in the middle of its expansion`, () => {
      const { system, calls } = fan(kind);
      requestInterrupt(2);
      const r = explore(system, { checkDeadlock: false });
      expect(r.outcome).toEqual({ kind: 'limit', limit: 'interrupted' });
      // Stopped within the expansion of the initial state, not after it.
      expect(r.stats.generated).toBeGreaterThan(1);
      expect(r.stats.generated).toBeLessThan(100_001);
      expect(calls()).toBeLessThan(100_000);
      expect(r.stats.distinct).toBe(r.stats.generated);
      expect(r.stats.queue).toBe(r.stats.distinct - 1);
    });

    it(`--max-states cuts the expansion that reached it short, with the same counts (${kind})`, () => {
      const { system, calls } = fan(kind);
      const r = explore(system, { checkDeadlock: false, maxStates: 10 });
      expect(r.outcome).toEqual({ kind: 'limit', limit: 'states' });
      expect([r.stats.distinct, r.stats.generated, r.stats.queue]).toEqual([10, 11, 9]);
      // The 10th emission found the limit (generated counts the initial state too); the 11th is cut short.
      expect(calls()).toBe(11);
    });
  }

  // The parallel explorers on this thread alone (levels too small for their workers): the
  // vector explorer's one-pass expansion, and the initial states of the explorer of encoded
  // states (its expansions run on the workers, which it stops waiting for: pool.ts).
  it('the vector explorer alone: the search ends in the middle of the expansion', () => {
    const { system, calls } = fan('vectors');
    requestInterrupt(2);
    const policy = { wantWorkers: false, next: () => 1, record: () => {}, describe: () => 'alone', most: 1 };
    const r = exploreVectorsParallel(system as unknown as VectorSystem<string>, { checkDeadlock: false }, { workers: 2, setup: { data: null }, policy });
    expect(r.outcome).toEqual({ kind: 'limit', limit: 'interrupted' });
    expect(r.stats.generated).toBeGreaterThan(1);
    expect(calls()).toBeLessThan(100_000);
    expect(r.stats.distinct).toBe(r.stats.generated);
  });

  it('the explorer of encoded states: 100,000 initial states are cut short too', () => {
    const system = {
      varNames: ['x'],
      invariants: [],
      initialStates: (emit: (s: number, l: string) => void) => {
        for (let i = 0; i < 100_000; i++) emit(i, 'init');
      },
      successors: () => {},
      fingerprint: (s: number, out: Uint32Array) => {
        out[0] = s;
        out[1] = s * 7 + 1;
      },
    } as unknown as TransitionSystem<number, string>;
    const codec: StateCodec<number> = { encode: (s, out) => out.f64(s), decode: (input) => input.f64() };
    requestInterrupt(2);
    const r = exploreParallel(system, { checkDeadlock: false }, { workers: 2, codec, setup: { data: null } });
    expect(r.outcome).toEqual({ kind: 'limit', limit: 'interrupted' });
    expect(r.stats.distinct).toBeGreaterThan(1);
    expect(r.stats.distinct).toBeLessThan(100_000);
  });

  it('parsing, checking and compiling throw Interrupted, naming nothing else', () => {
    const source = { path: 'many.spex', text: manyInvariants(1500) };
    requestInterrupt(2);
    expect(() => parseSpec(source)).toThrow(Interrupted);
    clearInterrupt();
    const ast = parseSpec(source);
    requestInterrupt(15);
    expect(() => checkSpec(ast)).toThrow(Interrupted);
    clearInterrupt();
    const spec = checkSpec(ast);
    requestInterrupt(2);
    let thrown: unknown;
    try {
      compileSpec(spec, new Map(), undefined);
    } catch (e) {
      thrown = e;
    }
    expect(thrown).toBeInstanceOf(Interrupted);
    expect((thrown as Interrupted).signal).toBe(2);
  });

  it('the analysis of the temporal properties throws Interrupted', () => {
    const spec = checkSpec(parseSpec({ path: 'ring.spex', text: ring(5000) }));
    const check = spec.checks[0]!;
    const system = compileSpec(spec, new Map(), check);
    const setup = temporalSetup(system, compileFairness(spec, check.fairness), compileGroupFairness(spec, check.fairness), { actions: true, processes: false })!;
    const r = explore(system, { checkDeadlock: true, recordGraph: setup.record });
    expect(r.outcome.kind).toBe('ok');
    // Without an interrupt the property holds; with one pending the analysis stops.
    expect(checkProperties(system, r.graph!, setup).violation).toBeUndefined();
    requestInterrupt(2);
    expect(() => checkProperties(system, r.graph!, setup)).toThrow(Interrupted);
  });
});



const STATS = /^(\d+) distinct states, (\d+) generated, depth (\d+), /m;

describe('through the CLI: the first signal stops a huge expansion', () => {
  it('check, 1 worker: progress says how far the expansion is; SIGINT ends it with the partial report', async () => {
    const r = await spexSignalled(['check', HUGE, '--workers', '1', '--progress', '--progress-interval', '0'], /one state's expansion at [\d,]+ successors/, 'SIGINT');
    expect(r.stderr).not.toMatch(/^ {4}at /m);
    expect(r.stderr).not.toMatch(/again: stopping at once/);
    expect(r.code).toBe(130);
    // Which step is being taken, by its binding.
    expect(r.stderr).toMatch(/one state's expansion at [\d,]+ successors \(now Set\(i=\d+\)\)$/m);
    expect(r.stdout).toMatch(/^Interrupted \(SIGINT\): the search was stopped before it was complete; nothing was violated up to there\.$/m);
    const m = STATS.exec(r.stdout);
    expect(m).not.toBeNull();
    expect(Number(m![1])).toBeGreaterThan(1);
    expect(Number(m![1])).toBeLessThan(30_001);
  });

  it('check --json, SIGTERM during the search: stats, check and exit events', async () => {
    const r = await spexSignalled(['check', HUGE, '--workers', '1', '--json'], /^phase: searching/m, 'SIGTERM', { SPEX_TEST_PHASES: '1' });
    expect(r.code).toBe(143);
    const events = r.stdout.trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(events.at(-1)).toEqual({ event: 'exit', code: 143 });
    const check = events.find((e) => e['event'] === 'check')!;
    expect([check['verdict'], check['name'], check['exitCode']]).toEqual(['interrupted', 'SIGTERM', 143]);
    expect(events.find((e) => e['event'] === 'stats')!['distinct']).toBeGreaterThan(0);
  });

  it('check --json: a progress event in the middle of the expansion has `expanding`', async () => {
    const r = await spexSignalled(['check', HUGE, '--workers', '1', '--json', '--progress', '--progress-interval', '0'], /one state's expansion at/, 'SIGTERM');
    expect(r.code).toBe(143);
    const events = r.stdout.trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    const p = events.find((e) => e['event'] === 'progress' && typeof e['expanding'] === 'number');
    expect(p).toBeDefined();
    expect(p!['expanding']).toBeGreaterThan(0);
    expect(p!['step']).toMatch(/^Set\(i=\d+\)$/);
    expect(events.find((e) => e['event'] === 'check')!['verdict']).toBe('interrupted');
    expect(events.at(-1)).toEqual({ event: 'exit', code: 143 });
  });

  // The parallel search expands a level alone on this thread (the first, of one state, here)
  // or on the threads (SPEX_WORKERS_EAGER: from the first level). Either way the interrupt ends
  // the expansion of the 30,000 successors: run to its end, it filled the level's shared buffer
  // (4 GiB: a memory stop, after some 15 s) before the signal was seen.
  for (const [where, env] of [['alone', {}], ['on the threads', { SPEX_WORKERS_EAGER: '1' }]] as const) {
    it(`check, 2 workers, the level expanded ${where}: the search stops inside the expansion`, async () => {
      const r = await spexSignalled(['check', HUGE, '--workers', '2'], /^phase: searching/m, 'SIGINT', { SPEX_TEST_PHASES: '1', ...env });
      expect(r.stderr).not.toMatch(/again: stopping at once/);
      expect(r.code).toBe(130);
      expect(r.stdout).toMatch(/^Interrupted \(SIGINT\): /m);
      expect(r.stdout + r.stderr).not.toMatch(/stopped for memory/);
      const [, distinct] = STATS.exec(r.stdout)!;
      expect(Number(distinct)).toBeLessThan(30_001);
    });
  }
});

describe('through the CLI: the output of the command thread', () => {
  it('progress lines reach stderr while the search runs, not only at its end', async () => {
    // --max-states ends the run by itself if the lines were held back until the end (the
    // signal would then never go): exit 152 instead of 130.
    const r = await spexSignalled(
      ['check', 'spec/bench/counter-grid.spex', '--const', 'N=4', '--const', 'K=60', '--workers', '1', '--max-states', '3000000', '--progress', '--progress-interval', '0'],
      /^progress: [^\n]*\n(?:.*\n)*progress: [^\n]*\n(?:.*\n)*progress: /m,
      'SIGINT',
    );
    expect(r.code).toBe(130);
    expect(r.stdout).toMatch(/^Interrupted \(SIGINT\)/m);
  });
});

describe('through the CLI: the first signal stops the phases around the search', () => {
  const hold = (phase: string) => ({ SPEX_TEST_STALL: phase });
  const HELD = /\(held until a signal\)/;

  it('parsing: a message naming the phase, exit 130', async () => {
    const r = await spexSignalled(['check', 'spec/examples/diehard.spex'], HELD, 'SIGINT', hold('parsing'));
    expect(r.code).toBe(130);
    expect(r.stderr).toMatch(/^Interrupted \(SIGINT\) while parsing spec\/examples\/diehard\.spex: no verdict\.$/m);
    expect(r.stderr).not.toMatch(/^ {4}at /m);
  });

  it('checking, with --json: an error event of kind interrupted, then exit', async () => {
    const r = await spexSignalled(['check', 'spec/examples/diehard.spex', '--json'], HELD, 'SIGTERM', hold('checking'));
    expect(r.code).toBe(143);
    const events = r.stdout.trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(events).toEqual([
      { event: 'error', kind: 'interrupted', message: 'interrupted (SIGTERM) while checking spec/examples/diehard.spex', diagnostics: [] },
      { event: 'exit', code: 143 },
    ]);
  });

  it('compiling, in spex test: what ran is reported, then INTERRUPTED', async () => {
    const r = await spexSignalled(['test', 'spec/examples/diehard.spex'], HELD, 'SIGINT', hold('compiling'));
    expect(r.code).toBe(130);
    expect(r.stdout).toMatch(/^INTERRUPTED spec\/examples\/diehard\.spex DieHard \(while compiling DieHard\)$/m);
    expect(r.stdout).toMatch(/^0 passed, 0 failed, interrupted /m);
  });

  it('the temporal properties: the search was complete, the verdict is interrupted', async () => {
    const r = await spexSignalled(['check', 'spec/examples/peterson.spex', '--check', 'Fair', '--workers', '1'], HELD, 'SIGINT', hold('checking the temporal properties'));
    expect(r.code).toBe(130);
    expect(r.stdout).toMatch(/^Temporal properties: inconclusive\. The search was complete, but the run was interrupted while they were being checked\.$/m);
    expect(r.stdout).toMatch(STATS);
  });

  it('spex parse takes the first signal too', async () => {
    const r = await spexSignalled(['parse', 'spec/examples/diehard.spex'], HELD, 'SIGINT', hold('parsing'));
    expect(r.code).toBe(130);
    expect(r.stderr).toMatch(/^Interrupted \(SIGINT\) while parsing spec\/examples\/diehard\.spex: no verdict\.$/m);
  });

  it('compiling a range of a million values: stopped while it is built, not after', async () => {
    // Building the set of the initial choice takes some 2 s; the signal comes as compiling starts.
    const file = join(dir, 'million.spex');
    writeFileSync(file, 'spec Million\nvar x: 0..999999 in 0..999999\naction Stay { x := x }\n');
    const r = await spexSignalled(['check', file, '--engine', 'generic'], /^phase: compiling/m, 'SIGINT', { SPEX_TEST_PHASES: '1' });
    expect(r.code).toBe(130);
    expect(r.stderr).toMatch(/^Interrupted \(SIGINT\) while compiling Million: no verdict\.$/m);
  });
});
