/**
 * E104 near the stack limit points at the construct where the nesting became too deep, not at
 * 1:1 (src/lang/fast-parser.ts overflowAt, src/lang/input.ts stackOverflowAsE104).
 */
import { describe, expect, it } from 'vitest';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { root, spex } from './support/cli.js';
import { stackOverflowAsE104, deepestNode } from '../src/lang/input.js';
import { parseSpec } from '../src/lang/parser.js';
import { SpecErrors } from '../src/lang/diagnostics.js';

const nestedSets = (n: number): string => `spec Deep\nvar x: 0..1 = 0\naction A { x := 1 }\ninvariant I: ${'{'.repeat(n)}1${'}'.repeat(n)} != {}\n`;

describe('E104 near the stack limit', () => {
  it('the parser running out of stack: at the token it had reached, on the nested line', () => {
    // 2,000 nested set literals: beyond what the parser follows on the main thread
    // (main.js), and beyond MAX_NESTING anyway; either way the report points into line 4.
    const dir = mkdtempSync(join(tmpdir(), 'spex-e104-'));
    const file = join(dir, 'deep.spex');
    writeFileSync(file, nestedSets(2000));
    const r = spex('check', file);
    expect(r.code).toBe(150);
    const m = /^[^\n]*deep\.spex:(\d+):(\d+): error\[E104\]: /m.exec(r.stderr);
    expect(m).not.toBeNull();
    expect(Number(m![1])).toBe(4);
    // Well inside the braces, not at the start of the invariant.
    expect(Number(m![2])).toBeGreaterThan(100);
    expect(r.stderr).not.toMatch(/^ {4}at /m);
  });

  it('a later phase running out of stack: at the innermost construct of the deepest chain', () => {
    const source = { path: 'deep.spex', text: nestedSets(50) };
    const ast = parseSpec(source);
    const deepest = deepestNode(ast)!;
    // The innermost `1`.
    expect(source.text.slice(deepest.span.start, deepest.span.end)).toBe('1');
    const e = stackOverflowAsE104(new RangeError('Maximum call stack size exceeded'), source, ast);
    expect(e).toBeInstanceOf(SpecErrors);
    const d = (e as SpecErrors).diagnostics[0]!;
    expect(d.code).toBe('E104');
    expect(d.span!.start).toBe(deepest.span.start);
    expect(d.message).toBe(`the spec is nested too deeply to be checked: this is ${deepest.depth} levels deep`);
    expect(deepest.depth).toBeGreaterThan(50);
    // Other errors pass through.
    const other = new Error('x');
    expect(stackOverflowAsE104(other, source, ast)).toBe(other);
  });

  it("a syntax error inside some 200 brackets: E100, not a stack overflow in ohm (fuzz mutant 2-1474)", () => {
    // ohm works out the expected tokens by matching again, as deeply as the text nests; that
    // overflowed the stack through the bin (a worker thread) in some runs: an internal error.
    const dir = mkdtempSync(join(tmpdir(), "spex-e100-"));
    const file = join(dir, "deep-error.spex");
    writeFileSync(file, "// Coverage: an action whose require never holds (x stays in 0..3), a pick whose set is\n// always empty, a process label whose await blocks until x reaches 3.\nspec Dead\n\nvar x: 1000000000..3 = 0\nvar y: 0..3 = 0\n\naction Inc {\n  require x < 3\n  x := x + 1\n}\n\naction Grow {\n  require x > 5\n  x := (((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((");
    // Once: the bin's command thread has THREAD_STACK_MB of stack, far more than ohm needs here
    // (a run takes about a second more than another syntax error: ohm matches the brackets again
    // to find the expected tokens).
    const r = spawnSync(process.execPath, ["dist/cli/spex.js", "check", file], { cwd: root, encoding: "utf8" });
    expect(r.stderr).not.toContain("internal error");
    expect(r.status).toBe(150);
    expect(r.stderr).toMatch(/error\[E100\]/);
  });
});

/** f0 .. f(n-1), each calling the one before: calls n - 1 deep from the last; `shape` varies the calls. */
function defChain(n: number, shape: (i: number) => string = (i) => `f${i - 1}(a) + 1`): string {
  const defs = Array.from({ length: n - 1 }, (_, i) => `def f${i + 1}(a: Int): Int = ${shape(i + 1)}`).join('\n');
  return `spec Chain\ndef f0(a: Int): Int = a\n${defs}\nvar x: 0..3 = 0\naction A { x := (x + 1) % 4 }\ninvariant I: f${n - 1}(x) >= 0\n`;
}

describe('definitions calling one another (E104)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'spex-def-chain-'));
  const file = (name: string, text: string): string => {
    const path = join(dir, name);
    writeFileSync(path, text);
    return path;
  };

  it('1,000 deep is checked and run; 1,001 deep is refused at the deepest one, before it overflows a stack', () => {
    const ok = spex('check', file('ok.spex', defChain(1001)), '--workers', '1');
    expect(ok.stderr).toBe('');
    expect(ok.code).toBe(0);
    const over = spex('check', file('over.spex', defChain(1002)), '--workers', '1');
    expect(over.code).toBe(150);
    expect(over.stderr).toMatch(/^[^\n]*over\.spex:1003:5: error\[E104\]: definition 'f1001' calls definitions 1,001 levels deep \('f1001' → 'f1000' → 'f999' → … → 'f0'\), more than 1000$/m);
    // 40,000 deep (once an internal error in the generic compiler at 4,000): the same.
    const far = spex('check', file('far.spex', defChain(40_000)), '--workers', '1');
    expect(far.code).toBe(150);
    expect(far.stderr).toMatch(/error\[E104\]: definition 'f39999' calls definitions 39,999 levels deep/);
    expect(far.stderr).not.toMatch(/internal error|^ {4}at /m);
  });

  it('the longest chain counts, whichever branch it takes; calls that close a cycle do not', () => {
    // Each calls the one before and a short helper; the longest chain is still 1,001.
    const branching = defChain(1002, (i) => `f${i - 1}(a) + g(a)`).replace('def f0(a: Int): Int = a', 'def f0(a: Int): Int = a\ndef g(a: Int): Int = a');
    expect(spex('check', file('branching.spex', branching), '--workers', '1').stderr).toMatch(/definition 'f1001' calls definitions 1,001 levels deep/);
    // A recursive definition (bounded at run time, E709) beside a short chain is not refused.
    const rec = `spec Rec\ndef even(n: Int): Bool = if n == 0 then true else odd(n - 1)\ndef odd(n: Int): Bool = if n == 0 then false else even(n - 1)\nvar x: 0..3 = 0\naction A { x := (x + 1) % 4 }\ninvariant I: even(2 * x)\n`;
    const r = spex('check', file('rec.spex', rec), '--workers', '1');
    expect(r.code).toBe(0);
  });
});
