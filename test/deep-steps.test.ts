/**
 * Steps that nest deep. `for` loops nested deeper than a step allows (E716): both engines run
 * a loop's elements as nested calls, count them the same way and stop at MAX_FOR_NESTING with
 * E716 at the outermost loop; where a thread's stack runs out first (the tests' own thread),
 * E716 too, never an internal error. Through the `spex` bin, whose threads have
 * THREAD_STACK_MB of stack. And a step of many `let`s, which the packed engine's code
 * generator once compiled in quadratic memory.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadSpec, runCheck, selectChecks } from '../src/engine/run.js';
import { compileSpec, type RuntimeLocation, type State } from '../src/lang/compile.js';
import type { ModelError } from '../src/explore/system.js';
import { MAX_FOR_NESTING } from '../src/lang/diagnostics.js';
import { root, spexBin } from './support/cli.js';
import { Locals } from '../src/lang/packed/codegen/base.js';

const dir = mkdtempSync(join(tmpdir(), 'spex-deep-steps-'));
function specFile(name: string, text: string): string {
  const path = join(dir, `${name}.spex`);
  writeFileSync(path, text);
  return path;
}

/**
 * One action whose step runs `loops` (the action's body) once, from the initial state; with
 * `checks`, a check block per [name, value of the constant N].
 */
function once(name: string, vars: string, loops: string, checks: [string, number][] = [['C', 0]]): string {
  const blocks = checks.map(([c, n]) => `check ${c} { deadlock off  const N = ${n} }`).join('\n');
  return specFile(name, `spec ${name}\n${vars}\nvar done: Bool = false\naction Run {\n  require not done\n${loops}\n  done := true\n}\nconst N: Int = 0\n${blocks}\n`);
}

/**
 * The verdict lines and the diagnostic lines of `spex check`, and its exit code. With
 * `--workers 2` the levels go to the worker threads from the first (SPEX_WORKERS_EAGER), so
 * that the steps run there.
 */
function outcome(path: string, ...args: string[]): { code: number; lines: string[] } {
  const r = spexBin(['check', path, ...args], { SPEX_WORKERS_EAGER: '1' });
  return { code: r.code, lines: r.stdout.split('\n').filter((l) => /^(Evaluation error|No error)|error\[/.test(l)) };
}

describe('for loops nested too deep (E716)', () => {
  it('counts the elements of a loop, of nested loops (unrolled ones included) and of the loops after them, on both engines and on threads', () => {
    expect(MAX_FOR_NESTING).toBe(50_000);
    // One action per shape, each enabled in its own checks (MODE): one process per engine
    // and number of workers runs them all.
    const path = specFile(
      'Shapes',
      [
        'spec Shapes',
        'const MODE: Int = 0',
        'const N: Int = 0',
        'type T = 1..16',
        'var x: Int = 0',
        'var done: Bool = false',
        'action Single {',
        '  require not done and MODE == 1',
        '  for i in 1..N {',
        '    x := x + 1',
        '  }',
        '  done := true',
        '}',
        // A loop over a type of 16 values (unrolled by the packed engine) around one of N:
        // 16 + 16 * N elements nested: 48,016 for 3,000, 64,016 for 4,000.
        'action Nested {',
        '  require not done and MODE == 2',
        '  for a in T {',
        '    for i in 1..N {',
        '      x := x + 1',
        '    }',
        '  }',
        '  done := true',
        '}',
        // The second loop runs in the first's continuation: 2 * N elements.
        'action InRow {',
        '  require not done and MODE == 3',
        '  for i in 1..N {',
        '    x := x + 1',
        '  }',
        '  for j in 1..N {',
        '    x := x + 1',
        '  }',
        '  done := true',
        '}',
        ...[
          ['AtLimit', 1, 50_000],
          ['OverLimit', 1, 50_001],
          ['NestedUnder', 2, 3000],
          ['NestedOver', 2, 4000],
          ['InRowOver', 3, 30_000],
        ].map(([name, mode, n]) => `check ${name} { deadlock off  const MODE = ${mode}  const N = ${n} }`),
        '',
      ].join('\n'),
    );
    const ok = 'No error found: every reachable state satisfies every invariant.';
    const e716 = (action: string, line: number, elems: string): string[] => {
      const what = `step nested too deep: this \`for\` over ${elems} elements, with the statements after it: more than 50,000 elements of loops nested in one step`;
      return [`Evaluation error in ${action}: ${what}`, `${path}:${line}:12: error[E716]: ${what}`];
    };
    // The packed engine gives up at the count and the generic engine reports, on whichever
    // thread; two workers run the generic engine's steps on the worker threads, which every
    // role of thread gets from the same place (supervisor.ts).
    for (const [engine, workers] of [['generic', '1'], ['packed', '1'], ['generic', '2']]) {
      // Each error is reported at the outermost loop of its step.
      expect(outcome(path, '--engine', engine!, '--workers', workers!), `${engine} ${workers}`).toEqual({
        code: 75,
        lines: [ok, ...e716('Single', 9, '50,001'), ok, ...e716('Nested', 16, '16'), ...e716('InRow', 25, '30,000')],
      });
    }
  });

  it('is E716 where the stack runs out before the count: on a thread with less stack, in process', () => {
    // The tests' own thread has far less than THREAD_STACK_MB: 45,000 elements exhaust it.
    const path = once('InProcess', 'var x: Int = 0', '  for i in 1..45000 {\n    x := x + 1\n  }');
    const { spec } = loadSpec(path);
    for (const engine of ['generic', 'packed'] as const) {
      const r = runCheck(spec, selectChecks(spec, undefined)[0], new Map(), { engine, workers: 1 });
      const o = r.result?.outcome;
      expect(o?.kind, engine).toBe('fault');
      if (o?.kind !== 'fault') continue;
      expect((o.error.location as RuntimeLocation | undefined)?.code, engine).toBe('E716');
      expect(o.error.message, engine).toBe('step nested too deep: this `for` over 45,000 elements, with the statements after it: nested so deep that it exhausted the stack');
    }
    // The bin's thread has the stack for them.
    expect(outcome(path).code).toBe(0);
  });

  it('is E716 at the action or process whose straight-line statements exhaust the stack', () => {
    // Each statement nests the next: 60,000 of them exhaust the stack of the tests' thread.
    const lines = Array.from({ length: 60_000 }, () => '    x := x + 1').join('\n');
    const action = once('LongAction', 'var x: Int = 0', lines.replace(/^ {2}/gm, ''));
    const proc = specFile('LongProcess', `spec LongProcess\nvar x: Int = 0\nprocess P {\n  a:\n${lines}\n}\ncheck C { deadlock off }\n`);
    for (const [path, where, span] of [
      [action, "the statements of 'Run'", 'Run'],
      [proc, "the statements of 'P' at label 'a'", 'P'],
    ] as const) {
      const { spec } = loadSpec(path);
      // The packed engine does not generate code this deep (E217 with --engine packed): auto
      // runs the generic engine.
      for (const engine of ['generic', 'auto'] as const) {
        const r = runCheck(spec, selectChecks(spec, undefined)[0], new Map(), { engine, workers: 1 });
        const o = r.result?.outcome;
        expect(o?.kind, `${span} ${engine}`).toBe('fault');
        if (o?.kind !== 'fault') continue;
        const loc = o.error.location as RuntimeLocation | undefined;
        expect(loc?.code, `${span} ${engine}`).toBe('E716');
        expect(o.error.message, `${span} ${engine}`).toBe(`step nested too deep: ${where} nested so deep that they exhausted the stack`);
        expect(spec.ast.source.text.slice(loc!.span.start, loc!.span.end)).toBe(span);
      }
      // `spex explore` lists a state's steps with stepsOf: the same fault, not a crash.
      const system = compileSpec(spec, new Map());
      const init: State[] = [];
      system.initialStates((st) => init.push(st.slice()));
      const faults: ModelError[] = [];
      system.stepsOf(init[0]!, () => {}, (err) => faults.push(err));
      expect(faults.map((f) => [(f.location as RuntimeLocation | undefined)?.code, f.message]), span).toEqual([['E716', `step nested too deep: ${where} nested so deep that they exhausted the stack`]]);
    }
  });
});

describe('a step of many lets', () => {
  it('a step of 20,000 lets runs in little memory: the packed engine leaves it to the generic one', () => {
    // Each let opens a scope of the packed code generator, and each statement's code encloses
    // the rest of the step's. Copying the locals per scope took 4.3 GB (and 52 s) for these
    // 20,000; V8 compiles code nested that deep in quadratic time. The generator now stops at
    // 1,000 statements in a row (E217 with --engine packed: the require and 999 lets fill them,
    // the 1,000th let, line 1005, is one too many), and logs the bindings of scopes.
    const lets = Array.from({ length: 20_000 }, (_, i) => `  let a${i} = ${i % 7}`).join('\n');
    const path = once('Lets', 'var x: Int = 0', `${lets}\n  x := a19999 + a6`);
    const rss = join(dir, 'lets.rss');
    const r = spexBin(['check', path], { NODE_OPTIONS: `--import ${join(root, 'test/fuzz/rss-hook.mjs')}`, SPEX_FUZZ_RSS_FILE: rss });
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('2 distinct states, 2 generated');
    const kib = Number(readFileSync(rss, 'utf8').split(' ')[0]);
    expect(kib).toBeGreaterThan(0);
    expect(kib).toBeLessThan(1024 * 1024);
    const packed = spexBin(['check', path, '--engine', 'packed']);
    expect(packed.code).toBe(120);
    expect(packed.stderr).toContain(":1005:3: error[E217]: action 'Run': a step of more than 1,000 statements one after the other (loops unrolled included) is not supported by the packed engine");
  });

  it('Locals puts back the bindings of a scope, shadowed ones included', () => {
    const env = new Locals();
    const v = (n: number) => ({ r: 'int' as const, v: String(n), lo: n, hi: n });
    env.set(1, v(1));
    const outer = env.mark();
    env.set(1, v(2));
    env.set(2, v(3));
    const inner = env.mark();
    env.set(2, v(4));
    env.set(3, v(5));
    expect([env.get(1), env.get(2), env.get(3)]).toEqual([v(2), v(4), v(5)]);
    env.rewind(inner);
    expect([env.get(1), env.get(2), env.get(3)]).toEqual([v(2), v(3), undefined]);
    env.rewind(outer);
    expect([env.get(1), env.get(2), env.get(3)]).toEqual([v(1), undefined, undefined]);
  });
});
