/**
 * `--engine auto`'s pilot on the generic engine for a spec whose packed code is large: a
 * search that ends within a budget in proportion to the code is answered there, a larger one
 * runs packed; the figures, verdict and trace are the same either way.
 */
import { describe, expect, it } from 'vitest';
import { configOverrides, constOverrides, loadSpec, runCheck, selectChecks, type CheckResult } from '../src/engine/run.js';
import { compileSpec } from '../src/lang/compile.js';
import { compilePacked } from '../src/lang/packed/index.js';

/**
 * A lock and three counters mod K; the step Never, which never fires (its first guard is
 * false), holds `guards` more: large packed code, next to nothing for the generic engine to
 * evaluate.
 */
function lockSpec(guards: number, K: number): string {
  const g = Array.from({ length: guards }, (_, i) => `  require not (forall j in Proc: counter[j] == ${K + (i % 3)})`).join('\n');
  return `spec Guards
type Proc = 1..3
var lock: Option[Proc] = None
var counter: Map[Proc, 0..${K - 1}] = [i in Proc |-> 0]
action Acquire(i: Proc) {
  require lock == None
  lock := Some(i)
}
action Release(i: Proc) {
  require lock == Some(i)
  counter[i] := (counter[i] + 1) % ${K}
  lock := None
}
action Never(i: Proc) {
  require lock == Some(i) and counter[i] == ${K}
${g}
  lock := None
}
invariant NotAll: not (forall i in Proc: counter[i] == ${K - 1})
`;
}

/** A check of `text`; the pilot's time unbounded unless `pilotMs` says (what runs must not depend on the machine's speed). */
function run(text: string, engine: 'auto' | 'packed', pilotMs = Infinity): CheckResult {
  const { spec } = loadSpec('guards.spex', text);
  return runCheck(spec, selectChecks(spec, undefined)[0], new Map(), { engine, workers: 1, pilotMs });
}

/** What must not depend on the engine (its time and memory may). */
const figures = (r: CheckResult) => {
  const { seconds: _s, bytesPerState: _b, ...stats } = r.result!.stats;
  // The states' values, without the fingerprints and hashes they memoise as they are used.
  const outcome = JSON.parse(JSON.stringify(r.result!.outcome, (k, v: unknown) => (k === 'fpHi' || k === 'fpLo' || k === 'hashMemo' ? undefined : v)));
  return { verdict: r.verdict, exit: r.exitCode, outcome, stats };
};

describe('the pilot for large packed code', () => {
  it('answers a small search on the generic engine, the same as the packed engine would', () => {
    // 1,100 guards: some 280 KB of packed code, past PILOT_CODE_CHARS; 4 · 4^3 states at most.
    const text = lockSpec(1100, 4);
    const auto = run(text, 'auto');
    const packed = run(text, 'packed');
    expect([auto.engine, packed.engine]).toEqual(['generic', 'packed']);
    expect(auto.engineReason).toMatch(/^the search ended within 2,\d{3} states, before compiling it for the packed engine would pay off$/);
    expect(auto.verdict.kind).toBe('violation');
    expect(figures(auto)).toEqual(figures(packed));
  });

  it('stops the pilot when its time is up, and runs the search on the packed engine', () => {
    // The search the pilot answers above, with no time for it (MAX_PILOT_MS, a second, where
    // the generic engine's states are slow: fuzz mutant 1-8799).
    const text = lockSpec(1100, 4);
    const out = run(text, 'auto', 0);
    expect(out.engine).toBe('packed');
    expect(out.engineReason).toBeUndefined();
    expect(figures(out)).toEqual(figures(run(text, 'auto')));
  });

  it('runs a larger search on the packed engine, and code under the threshold with no pilot', () => {
    // 1,100 guards and 4 · 15^3 states, past the pilot's budget of some 2,800: the search
    // stops at NotAll's violation (every counter at 14), which leaves 3 states unstored.
    const big = run(lockSpec(1100, 15), 'auto');
    expect(big.engine).toBe('packed');
    expect(big.engineReason).toBeUndefined();
    expect(big.result!.stats.distinct).toBe(4 * 15 ** 3 - 3);
    // 300 guards: under the threshold, packed however small the search.
    const small = run(lockSpec(300, 4), 'auto');
    expect(small.engine).toBe('packed');
    expect(small.engineReason).toBeUndefined();
  });

  it('looks at the largest function, not at all the code: many small ones get no pilot', () => {
    // 1,000 process instances taking turns: 1,001 states, past the pilot of specs with
    // processes (400), and some 400 KB of packed code, a small function an instance.
    const text = `spec Turns
var turn: 1..1001 = 1
process W(w: 1..1000) {
  step: await turn == w
        turn := turn + 1
}
`;
    const { spec } = loadSpec('turns.spex', text);
    const check = selectChecks(spec, undefined)[0];
    const overrides = configOverrides(check, constOverrides(spec, []));
    const p = compilePacked(spec, overrides, compileSpec(spec, overrides, check));
    if (!p.ok) throw new Error(p.reason);
    expect(p.system.source.length).toBeGreaterThan(192 * 1024);
    expect(p.system.largestFunction).toBeLessThan(192 * 1024);
    const auto = run(text, 'auto');
    expect(auto.engine).toBe('packed');
    expect(auto.engineReason).toBeUndefined();
    expect(auto.result!.stats.distinct).toBe(1001);
    expect(figures(auto)).toEqual(figures(run(text, 'packed')));
  });
});
