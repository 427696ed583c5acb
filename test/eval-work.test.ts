/**
 * The work budget of one evaluation (--max-eval-work, E715; src/lang/work.ts): what the loops
 * charge, that each evaluation has its own count, that both engines stop at the same place
 * (the packed engine gives up on a state past the budget and the generic engine decides), and
 * the option on the command line.
 */
import { mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { loadSpec, runCheck, selectChecks, type CheckResult } from '../src/engine/run.js';
import { DEFAULT_MAX_EVAL_WORK, maxEvalWork, parseEvalWork, setMaxEvalWork } from '../src/lang/work.js';
import type { RuntimeLocation } from '../src/lang/compile.js';
import { spex, withoutW001 } from './support/cli.js';

afterEach(() => setMaxEvalWork(DEFAULT_MAX_EVAL_WORK));

const dir = mkdtempSync(join(tmpdir(), 'spex-eval-work-'));
function specFile(name: string, text: string): string {
  const path = join(dir, `${name}.spex`);
  writeFileSync(path, text);
  return path;
}

/** Runs every configuration of a spec on one engine with the budget `max`. */
function run(path: string, engine: 'generic' | 'packed' | 'auto', max: number, maxStates = 5000): CheckResult[] {
  setMaxEvalWork(max);
  const { spec } = loadSpec(path);
  return selectChecks(spec, undefined).map((check) => runCheck(spec, check, new Map(), { engine, workers: 1, maxStates }));
}

function codeOf(r: CheckResult): string | undefined {
  const o = r.result?.outcome;
  return o?.kind === 'fault' ? (o.error.location as RuntimeLocation | undefined)?.code : undefined;
}

/** What a run says, for comparing engines: verdict, error code, counts, trace length. */
function summary(r: CheckResult): unknown {
  const o = r.result?.outcome;
  return {
    verdict: r.verdict,
    code: codeOf(r),
    message: o?.kind === 'fault' ? o.error.message : undefined,
    distinct: r.result?.stats.distinct,
    generated: r.result?.stats.generated,
    trace: o !== undefined && 'trace' in o ? o.trace.states.length : undefined,
  };
}

// Two nested loops over 10 values: 10 on entering the outer one, 10 on entering the inner one
// each of 10 times: 110 per evaluation of the invariant, in every state (x counts 0..3).
const NESTED = specFile(
  'nested',
  `spec Nested
var x: 0..3 = 0
action Inc { x := (x + 1) % 4 }
invariant Pairs: forall a in 0..9, b in 0..9: a + b >= 0
`,
);

// Parameters: 10 on entering i's loop, 10 on entering j's for each i: 110 per expansion.
const PARAMS = specFile(
  'params',
  `spec Params
var x: 0..3 = 0
action Set(i: 0..9, j: 0..9) {
  require i == j
  x := (x + i) % 4
}
`,
);

describe('parseEvalWork', () => {
  it('takes counts with k, m, g (powers of 1000), and 0 or none for no bound', () => {
    expect(parseEvalWork('5000')).toBe(5000);
    expect(parseEvalWork('2k')).toBe(2000);
    expect(parseEvalWork('3M')).toBe(3_000_000);
    expect(parseEvalWork('1g')).toBe(1_000_000_000);
    expect(parseEvalWork('0')).toBe(Infinity);
    expect(parseEvalWork('none')).toBe(Infinity);
    for (const bad of ['', 'abc', '-1', '1.5', '2kb', '10 k0']) expect(parseEvalWork(bad)).toBeUndefined();
  });

  it('0 and Infinity set no bound; the default is in force otherwise', () => {
    expect(maxEvalWork()).toBe(DEFAULT_MAX_EVAL_WORK);
    setMaxEvalWork(0);
    expect(maxEvalWork()).toBe(Infinity);
    setMaxEvalWork(42);
    expect(maxEvalWork()).toBe(42);
  });
});

describe('what one evaluation may charge', () => {
  it.each(['generic', 'packed'] as const)('nested quantifiers charge |A| + |A|·|B| per evaluation of the invariant (%s)', (engine) => {
    // 110 is enough, in each of the 4 states: the count starts again in every evaluation.
    const [ok] = run(NESTED, engine, 110);
    expect(ok!.verdict).toEqual({ kind: 'ok' });
    expect(ok!.result!.stats.distinct).toBe(4);
    const [over] = run(NESTED, engine, 109);
    expect(codeOf(over!)).toBe('E715');
    expect(over!.result!.outcome.kind).toBe('fault');
    const o = over!.result!.outcome as Extract<NonNullable<CheckResult['result']>['outcome'], { kind: 'fault' }>;
    // The initial state already fails: a trace of one state, the invariant named.
    expect(o.trace.states.length).toBe(1);
    expect((o.error.location as RuntimeLocation).invariant).toBe('Pairs');
    expect(o.error.message).toBe('this evaluation is over its work budget: its loops have enumerated 110 values, more than the 109 of --max-eval-work (this loop passed it)');
  });

  it.each(['generic', 'packed'] as const)('the parameters of an action charge their loops per expansion (%s)', (engine) => {
    expect(run(PARAMS, engine, 110)[0]!.verdict).toEqual({ kind: 'ok' });
    const [over] = run(PARAMS, engine, 109);
    expect(codeOf(over!)).toBe('E715');
    const o = over!.result!.outcome as Extract<NonNullable<CheckResult['result']>['outcome'], { kind: 'fault' }>;
    expect(o.trace.states.length).toBe(1);
    // Entering j's loop for i = 9 passed the budget: the label binds i only.
    expect(o.error.label).toEqual({ action: 'Set', params: [{ name: 'i', value: 9 }] });
  });

  it('a loop over values holding sequences charges their elements too, and so do the sequences a set comprehension builds', () => {
    // The packed engine holds no set of sequences: these run on the generic engine alone.
    const path = specFile(
      'seqs',
      `spec Seqs
const S: Set[Seq[Int]] = {[1, 2, 3], [4], []}
const MODE: Int = 0
var x: 0..1 = 0
action Flip { x := 1 - x }
action Pick {
  require MODE == 1
  pick s in S where len(s) == 4
  x := 0
}
invariant Loop: MODE != 1 or forall s in S: len(s) + x >= 0
invariant Built: MODE != 2 or {[a, b + x] : a in 0..2, b in 0..2} != {}
invariant Pairs: MODE != 3 or forall p in {([1, 2], 0), ([3], x)}: p.1 >= 0
check Loop { const MODE = 1 }
check Built { const MODE = 2 }
check Pairs { const MODE = 3 }
`,
    );
    const byCheck = (max: number): Map<string, CheckResult> => new Map(run(path, 'auto', max).map((r) => [r.name!, r]));
    const message = (r: CheckResult): string | undefined => (summary(r) as { message?: string }).message;
    // Loop: 3 values and 3 + 1 + 0 elements, 7 in every state; Pick's expansion charges the same.
    // Built: 3 + 3·3 values entered, then 9 new sequences of 2 elements: 30.
    // Pairs: 2 tuples holding 2 + 1 elements, 5; the set literal is built without a loop.
    for (const [check, needs, what] of [['Loop', 7, 'this loop over sequences passed it'], ['Built', 30, 'the sequences this comprehension built passed it'], ['Pairs', 5, 'this loop over sequences passed it']] as const) {
      const ok = byCheck(needs).get(check)!;
      expect(ok.verdict, check).toEqual({ kind: 'ok' });
      expect(ok.engine, check).toBe('generic');
      expect(ok.result!.stats.distinct, check).toBe(2);
      const over = byCheck(needs - 1).get(check)!;
      expect(codeOf(over), check).toBe('E715');
      expect(message(over), check).toBe(
        `this evaluation is over its work budget: its loops and set comprehensions have come to ${needs} values and elements of sequences, more than the ${needs - 1} of --max-eval-work (${what})`,
      );
    }
  });

  it('no bound (Infinity) lets any evaluation run', () => {
    expect(run(NESTED, 'generic', Infinity)[0]!.verdict).toEqual({ kind: 'ok' });
  });

  it('a recursive definition charges each call', () => {
    const path = specFile(
      'recursive',
      `spec Rec
def fib(n: Int): Int = if n < 2 then n else fib(n - 1) + fib(n - 2)
var x: 0..1 = 0
action Flip { x := 1 - x }
invariant Fib: fib(10) == 55
`,
    );
    // fib(10) makes 177 calls.
    expect(run(path, 'generic', 177)[0]!.verdict).toEqual({ kind: 'ok' });
    expect(codeOf(run(path, 'generic', 176)[0]!)).toBe('E715');
  });
});

// f0 .. f11, each calling the one before twice: f11(x) makes 2^12 - 2 = 4,094 calls in
// definitions' bodies, which count (the invariant's own call of f11 does not).
function doubling(n: number): string {
  const defs = Array.from({ length: n - 1 }, (_, i) => `def f${i + 1}(a: Int): Int = f${i}(a) + f${i}(a)`).join('\n');
  return `spec Doubling\ndef f0(a: Int): Int = a\n${defs}\nvar x: 0..1 = 0\naction Flip { x := 1 - x }\ninvariant Calls: f${n - 1}(x) >= 0\n`;
}

describe('definition calls', () => {
  const path = specFile('doubling', doubling(12));
  it('in definitions\' bodies charge one each, on both engines alike', () => {
    for (const engine of ['generic', 'packed', 'auto'] as const) {
      expect(run(path, engine, 4094)[0]!.verdict, engine).toEqual({ kind: 'ok' });
      const over = run(path, engine, 4093)[0]!;
      expect(codeOf(over), engine).toBe('E715');
      expect(summary(over)).toEqual(summary(run(path, 'generic', 4093)[0]!));
    }
    const o = run(path, 'generic', 4093)[0]!.result!.outcome;
    expect(o.kind === 'fault' && o.error.message).toBe('this evaluation is over its work budget: its loops and definition calls have come to 4,094 values and calls, more than the 4,093 of --max-eval-work (this call passed it)');
    // A call from an invariant or an action is not counted: f1(x) makes one call, in f1's body.
    const one = specFile('one-call', doubling(2));
    expect(run(one, 'generic', 2)[0]!.verdict).toEqual({ kind: 'ok' });
    expect(codeOf(run(one, 'generic', 1)[0]!)).toBe('E715');
    expect(codeOf(run(one, 'packed', 1)[0]!)).toBe('E715');
  });

  // Calls that multiply: the packed engine writes each call out, up to MAX_INLINED_CALLS
  // copies; past them the generic engine, which compiles a definition once, evaluates the
  // invariant on the packed engine's states (decoded), charging its calls as it does alone.
  it('past the copies the packed engine writes out, the generic engine evaluates the invariant', () => {
    const deep = specFile('doubling-deep', doubling(16));
    for (const engine of ['auto', 'packed'] as const) {
      const r = run(deep, engine, Infinity)[0]!;
      expect(r.engine, engine).toBe('packed');
      expect(r.engineReason, engine).toMatch(/evaluating on decoded states what it cannot compile: invariant 'Calls': the definitions' calls expand into more than 20,000 copies of their bodies for the packed engine, which writes each call out in full/);
      expect(r.verdict, engine).toEqual({ kind: 'ok' });
    }
    for (const max of [65534, 65533]) expect(summary(run(deep, 'packed', max)[0]!)).toEqual(summary(run(deep, 'generic', max)[0]!));
    expect(codeOf(run(deep, 'packed', 65533)[0]!)).toBe('E715');
    expect(run(path, 'auto', Infinity)[0]!.engineReason).toBeUndefined();
  });
});

describe('both engines stop at the same place', () => {
  // The examples with budgets small enough to stop most of them somewhere: the packed engine
  // charges at least what the generic engine does; where it gives up, the generic engine's
  // evaluation of the state decides. Same verdicts, errors, counts and traces.
  const examples = readdirSync('spec/examples').filter((f) => f.endsWith('.spex')).map((f) => join('spec/examples', f));
  it.each(examples)('%s', (path) => {
    for (const max of [20, 200, 2000]) {
      const g = run(path, 'generic', max, 3000).map(summary);
      const p = run(path, 'auto', max, 3000).map(summary);
      expect(p).toEqual(g);
    }
  });
});

describe('--max-eval-work on the command line', () => {
  it('check: E715 with its trace, exit 75; none lifts the bound', () => {
    const r = spex('check', NESTED, '--max-eval-work', '109');
    expect(r.code).toBe(75);
    expect(r.stdout).toContain('error[E715]: this evaluation is over its work budget');
    expect(r.stdout).toContain('  = hint: nested quantifiers and parameters multiply the sizes of their domains');
    expect(withoutW001(r.stderr)).toBe('');
    expect(spex('check', NESTED, '--max-eval-work', 'none').code).toBe(0);
    expect(spex('check', NESTED, '--max-eval-work', '0').code).toBe(0);
  });

  it('check --json: the violation event carries E715, exit 75', () => {
    const r = spex('check', NESTED, '--max-eval-work', '109', '--json');
    const events = r.stdout.trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    const v = events.find((e) => e['event'] === 'violation')!;
    expect(v['code']).toBe('E715');
    expect(events.at(-1)).toEqual({ event: 'exit', code: 75 });
  });

  it('with worker threads: the workers take the budget over', () => {
    const r = spex('check', PARAMS, '--max-eval-work', '109', '--workers', '2', '--engine', 'generic');
    expect(r.code).toBe(75);
    expect(r.stdout).toContain('error[E715]');
  });

  it('simulate and test take it too', () => {
    const s = spex('simulate', PARAMS, '--max-eval-work', '109', '--runs', '3');
    expect(s.code).toBe(75);
    expect(s.stdout).toContain('error[E715]');
    const w = spex('simulate', PARAMS, '--max-eval-work', '109', '--runs', '40', '--workers', '2');
    expect(w.code).toBe(75);
    expect(w.stdout).toContain('error[E715]');
  });

  it('refuses a value that is not a count', () => {
    const r = spex('check', NESTED, '--max-eval-work', 'lots');
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("option '--max-eval-work <n>' argument 'lots' is invalid");
  });
});
