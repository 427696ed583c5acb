/**
 * Reports on large and hostile specs stay readable and take time in proportion to the spec:
 * positions by binary search over line starts, source lines cut around the caret, long
 * messages and name lists cut, the checker stopping after MAX_ERRORS errors, and lookups of
 * declarations by name (src/lang/by-name.ts) that make checking and compiling thousands of
 * declarations linear.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { describe, expect, it, vi } from 'vitest';
import { named } from '../../src/lang/by-name.js';
import { checkSpec } from '../../src/lang/check.js';
import { Diagnostic, MAX_ERRORS, escapeInvisible, MAX_LISTED, MAX_MESSAGE, MAX_SNIPPET, SpecErrors, lineCol, nameList, renderDiagnostic, snippet } from '../../src/lang/diagnostics.js';
import { parseSpec } from '../../src/lang/parser.js';
import { ExprCompiler } from '../../src/lang/compile/expressions.js';
import { compile, run } from './helpers.js';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

/** lineCol as a scan from the start: what the binary search must agree with. */
function scanned(text: string, offset: number): { line: number; col: number } {
  let line = 1;
  let start = 0;
  for (let i = 0; i < offset && i < text.length; i++) {
    if (text.charCodeAt(i) === 10) {
      line++;
      start = i + 1;
    }
  }
  return { line, col: offset - start + 1 };
}

function staticErrors(text: string): SpecErrors {
  try {
    checkSpec(parseSpec({ path: 'big.spex', text }));
  } catch (e) {
    if (e instanceof SpecErrors) return e;
    throw e;
  }
  throw new Error('expected static errors');
}

describe('lineCol', () => {
  it('agrees with a scan from the start at every offset', () => {
    fc.assert(
      fc.property(fc.array(fc.constantFrom('a', 'b', '\n', '\r', ' '), { maxLength: 60 }), (chars) => {
        const text = chars.join('');
        const source = { path: 'p', text };
        for (let offset = 0; offset <= text.length; offset++) expect(lineCol(source, offset)).toEqual(scanned(text, offset));
      }),
    );
  });

  it('indexes a source again when its text is another', () => {
    const source = { path: 'p', text: 'a\nb\nc' };
    expect(lineCol(source, 4)).toEqual({ line: 3, col: 1 });
    const edited = { ...source, text: 'abcd\ne' };
    expect(lineCol(edited, 4)).toEqual({ line: 1, col: 5 });
    expect(lineCol(edited, 5)).toEqual({ line: 2, col: 1 });
  });
});

describe('snippet', () => {
  it('shows a line that fits whole, the caret under the span', () => {
    expect(snippet('var x: Foo = 0', 7, 10)).toEqual({ shown: 'var x: Foo = 0', caret: 7, width: 3 });
    // An empty span still gets one caret; a span past the line's end is cut at it.
    expect(snippet('abc', 3, 3)).toEqual({ shown: 'abc', caret: 3, width: 1 });
    expect(snippet('abc', 1, 99)).toEqual({ shown: 'abc', caret: 1, width: 2 });
    // Escapes are wider than what they stand for.
    expect(snippet('a\u200bb c', 4, 5)).toEqual({ shown: 'a\\u200bb c', caret: 9, width: 1 });
  });

  it('cuts a long line around the span, marking the cuts', () => {
    const line = 'x'.repeat(5000) + ' BAD ' + 'y'.repeat(5000);
    const { shown, caret, width } = snippet(line, 5001, 5004);
    expect(shown.length).toBeLessThanOrEqual(MAX_SNIPPET);
    expect(shown.startsWith('…')).toBe(true);
    expect(shown.endsWith('…')).toBe(true);
    expect(shown.slice(caret, caret + width)).toBe('BAD');
    // At the start of the line: no cut before it.
    const start = snippet(line, 0, 1);
    expect(start.shown.startsWith('x')).toBe(true);
    expect(start.caret).toBe(0);
    expect(start.shown.length).toBeLessThanOrEqual(MAX_SNIPPET);
    // At its end: no cut after it, the caret one past the last character.
    const end = snippet(line, line.length, line.length);
    expect(end.shown.endsWith('y')).toBe(true);
    expect(end.caret).toBe(end.shown.length);
    // A span longer than the window: its caret runs to the window's end.
    const wide = snippet(line, 10, 9000);
    expect(wide.shown.length).toBeLessThanOrEqual(MAX_SNIPPET);
    expect(wide.caret + wide.width).toBe(wide.shown.length - 1);
  });

  it('never cuts an escape or a surrogate pair, and keeps the caret on its span', () => {
    fc.assert(
      fc.property(
        fc.array(fc.constantFrom('a', '\u200b', '😀', ' ', '\u202e'), { minLength: 1, maxLength: 400 }),
        fc.nat(),
        fc.nat(8),
        (parts, at, len) => {
          const line = parts.join('');
          const from = at % (line.length + 1);
          const { shown, caret, width } = snippet(line, from, from + len);
          const whole = escapeInvisible(line);
          if (whole.length <= MAX_SNIPPET) expect(shown).toBe(whole);
          else expect(shown.length).toBeLessThanOrEqual(MAX_SNIPPET);
          // The caret is on the span's first character.
          const c = line.charCodeAt(from);
          if (from < line.length && !(c >= 0xdc00 && c <= 0xdfff)) {
            const first = escapeInvisible(line.slice(from, c >= 0xd800 && c <= 0xdbff ? from + 2 : from + 1));
            expect(shown.slice(caret, caret + first.length)).toBe(first);
          }
          expect(shown).not.toMatch(/[\u200b\u202e]/);
          expect(shown).not.toMatch(/[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/);
          // Every escape in what is shown is whole.
          expect(shown.replace(/\\u[0-9a-f]{4}/g, '')).not.toContain('\\');
          expect(caret).toBeGreaterThanOrEqual(0);
          expect(caret + width).toBeLessThanOrEqual(shown.length + 1);
        },
      ),
    );
  });

  it('is what a diagnostic on a long line renders', () => {
    const text = `spec P\nvar x: 0..3 = ${Array.from({ length: 20000 }, () => '0').join('+')} + y\naction A { x := x }\n`;
    const e = staticErrors(text);
    const rendered = renderDiagnostic(e.diagnostics[0]!);
    const lines = rendered.split('\n');
    expect(lines[0]).toBe(`big.spex:2:${text.split('\n')[1]!.indexOf('y') + 1}: error[E201]: unknown name 'y'`);
    expect(lines[2]!.length).toBeLessThanOrEqual(MAX_SNIPPET + 4);
    expect(lines[2]!.endsWith('+ y')).toBe(true);
    expect(lines[3]!.indexOf('^')).toBe(lines[2]!.length - 1);
    expect(rendered.length).toBeLessThan(1000);
  });
});

describe('long messages and lists', () => {
  it('cuts a message or hint past MAX_MESSAGE characters', () => {
    const name = 'n'.repeat(5000);
    const d = new Diagnostic('E201', undefined, `unknown name '${name}'`, `did you mean '${name}'?`);
    expect(d.message.length).toBe(MAX_MESSAGE);
    expect(d.message.endsWith('…')).toBe(true);
    expect(d.hint!.length).toBe(MAX_MESSAGE);
    // Not inside a surrogate pair.
    const emoji = new Diagnostic('E201', undefined, 'a'.repeat(MAX_MESSAGE - 2) + '😀😀😀');
    expect(emoji.message).toBe('a'.repeat(MAX_MESSAGE - 2) + '…');
    const fits = new Diagnostic('E201', undefined, 'm'.repeat(MAX_MESSAGE));
    expect(fits.message).toBe('m'.repeat(MAX_MESSAGE));
  });

  it('lists at most MAX_LISTED names and counts the rest', () => {
    const names = Array.from({ length: 2000 }, (_, i) => `c${i}`);
    expect(nameList(names.slice(0, MAX_LISTED))).toBe(names.slice(0, MAX_LISTED).join(', '));
    expect(nameList(names)).toBe(`${names.slice(0, MAX_LISTED).join(', ')} and ${(2000 - MAX_LISTED).toLocaleString('en-US')} more`);
    expect(nameList([])).toBe('');
  });

  it('a hint naming the checks of a spec with thousands of them stays short', () => {
    const checks = Array.from({ length: 3000 }, (_, i) => `check K${i} { deadlock off }`).join('\n');
    const dir = mkdtempSync(join(tmpdir(), 'spex-large-'));
    try {
      const file = join(dir, 'many-checks.spex');
      writeFileSync(file, `spec P\nvar x: 0..1 = 0\naction A { x := 1 - x }\n${checks}\n`);
      const r = spawnSync(process.execPath, [join(root, 'dist', 'cli', 'main.js'), 'check', file, '--check', 'Nope'], { encoding: 'utf8' });
      expect(r.status).toBe(120);
      expect(r.stderr).toContain(`the checks are: K0, K1, K2`);
      expect(r.stderr).toContain(`and ${(3000 - MAX_LISTED).toLocaleString('en-US')} more`);
      expect(r.stderr.length).toBeLessThan(2000);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('the checker stops after MAX_ERRORS errors', () => {
  const spec = (errors: number): string => `spec P\n${Array.from({ length: errors }, (_, i) => `var x${i}: Foo = 0\n`).join('')}action A { x0 := x0 }\n`;

  it('reports the first MAX_ERRORS and says it stopped', () => {
    const e = staticErrors(spec(5000));
    expect(e.diagnostics.length).toBe(MAX_ERRORS);
    expect(e.stopped).toBe(true);
    expect(e.diagnostics.map((d) => lineCol(d.span!.source, d.span!.start).line)).toEqual(Array.from({ length: MAX_ERRORS }, (_, i) => i + 2));
    expect(e.summary()).toBe(`${MAX_ERRORS} errors; checking stopped there (at most ${MAX_ERRORS} are reported): fix these and check again`);
    expect(e.summary('big.spex')).toMatch(new RegExp(`^${MAX_ERRORS} errors in big\\.spex; checking stopped there`));
  });

  it('reports exactly MAX_ERRORS errors without saying it stopped', () => {
    const e = staticErrors(spec(MAX_ERRORS));
    expect(e.diagnostics.length).toBe(MAX_ERRORS);
    expect(e.stopped).toBe(false);
    expect(e.summary()).toBe(`${MAX_ERRORS} errors`);
    const one = staticErrors(spec(1));
    expect(one.summary('f.spex')).toBe('1 error in f.spex');
  });

  it('counts show lines that name nothing among the errors it stops at', () => {
    const shows = Array.from({ length: 500 }, (_, i) => `show nothing${i}\n`).join('');
    const e = staticErrors(`spec P\nvar x: 0..1 = 0\ndef d: Int = x\naction A { x := 1 - x }\n${shows}`);
    expect(e.diagnostics.length).toBe(MAX_ERRORS);
    expect(e.stopped).toBe(true);
    expect(e.diagnostics.every((d) => d.code === 'E246')).toBe(true);
  });

  it('says it stopped when it stopped in an imported spec', () => {
    const dir = mkdtempSync(join(tmpdir(), 'spex-large-'));
    try {
      writeFileSync(join(dir, 'abstract.spex'), spec(300));
      writeFileSync(join(dir, 'concrete.spex'), 'spec C\nimport A from "abstract.spex"\nvar y: 0..1 = 0\naction B { y := 1 - y }\n');
      const r = spawnSync(process.execPath, [join(root, 'dist', 'cli', 'main.js'), 'check', join(dir, 'concrete.spex')], { encoding: 'utf8' });
      expect(r.status).toBe(120);
      expect(r.stderr.match(/error\[E202\]/g)?.length).toBe(MAX_ERRORS);
      expect(r.stderr.trimEnd().split('\n').at(-1)).toMatch(/^100 errors; checking stopped there/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('the CLI prints the MAX_ERRORS errors and the line that says it stopped; --json says so too', () => {
    const dir = mkdtempSync(join(tmpdir(), 'spex-large-'));
    try {
      const file = join(dir, 'many.spex');
      writeFileSync(file, spec(20000));
      const r = spawnSync(process.execPath, [join(root, 'dist', 'cli', 'main.js'), 'check', file], { encoding: 'utf8' });
      expect(r.status).toBe(120);
      expect(r.stderr.match(/error\[E202\]/g)?.length).toBe(MAX_ERRORS);
      expect(r.stderr.trimEnd().split('\n').at(-1)).toBe(`${MAX_ERRORS} errors; checking stopped there (at most ${MAX_ERRORS} are reported): fix these and check again`);
      const j = spawnSync(process.execPath, [join(root, 'dist', 'cli', 'main.js'), 'check', file, '--json'], { encoding: 'utf8' });
      const error = j.stdout.trim().split('\n').map((l) => JSON.parse(l) as { event: string; message?: string; diagnostics?: unknown[] }).find((o) => o.event === 'error')!;
      expect(error.message).toMatch(new RegExp(`^${MAX_ERRORS} errors in .*many\\.spex; checking stopped there`));
      expect(error.diagnostics!.length).toBe(MAX_ERRORS);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('named', () => {
  it('finds the first element of a name, as find does', () => {
    const list = [{ name: 'a', v: 1 }, { name: 'b', v: 2 }, { name: 'a', v: 3 }];
    expect(named(list, 'a')).toBe(list[0]);
    expect(named(list, 'b')).toBe(list[1]);
    expect(named(list, 'c')).toBeUndefined();
  });

  it('sees what is appended after its first lookup, and a list made shorter', () => {
    const list: { name: string }[] = [{ name: 'a' }];
    expect(named(list, 'b')).toBeUndefined();
    list.push({ name: 'b' }, { name: 'a' });
    expect(named(list, 'b')).toBe(list[1]);
    expect(named(list, 'a')).toBe(list[0]);
    list.splice(0, 2);
    expect(named(list, 'b')).toBeUndefined();
    expect(named(list, 'a')).toBe(list[0]);
  });

  it('agrees with find on random lists grown step by step', () => {
    fc.assert(
      fc.property(fc.array(fc.array(fc.constantFrom('a', 'b', 'c', 'd'), { maxLength: 4 }), { maxLength: 6 }), (steps) => {
        const list: { name: string; i: number }[] = [];
        let i = 0;
        for (const step of steps) {
          for (const name of step) list.push({ name, i: i++ });
          for (const name of ['a', 'b', 'c', 'd']) expect(named(list, name)).toBe(list.find((x) => x.name === name));
        }
      }),
    );
  });

  it('a spec of thousands of definitions, each shown and called, checks and compiles', () => {
    const n = 3000;
    const decls = Array.from({ length: n }, (_, i) => `def f${i}(a: Int): Int = a + ${i}\ndef g${i}: Int = f${i}(x)\nshow g${i}\nview v${i}: x * ${i}\n`).join('');
    const { spec, system } = compile(`spec P\nvar x: 0..1 = 0\n${decls}action A { x := 1 - x }\n`);
    expect(spec.defs.length).toBe(2 * n);
    expect(spec.shows?.length).toBe(n);
    expect(spec.shows?.[n - 1]?.name).toBe(`g${n - 1}`);
    let count = 0;
    system.initialStates(() => count++);
    expect(count).toBe(1);
  });
});

describe('constant parts of a long expression', () => {
  it('are found constant from their operands, not by walking each subtree again', () => {
    // A chain of 3,000 literals nests about 12 deep once balanced; asking isConstant at each of
    // its operations walked each one's whole subtree (n log n nodes in all).
    const n = 3000;
    const terms = Array.from({ length: n }, (_, i) => String(i % 10)).join(' + ');
    const asked = vi.spyOn(ExprCompiler.prototype, 'isConstant');
    try {
      const { system } = compile(`spec L\nvar x: 0..3 = 0\naction A { x := (x + 1) % 4 }\ninvariant I: ${terms} >= x\n`);
      expect(asked.mock.calls.length).toBeLessThan(50);
      let states = 0;
      system.initialStates(() => states++);
      expect(states).toBe(1);
    } finally {
      asked.mockRestore();
    }
  });

  it('are evaluated once where their operands are constant, and with the state where one is not', () => {
    // Operations over constants, state variables, a quantifier's variable and both (an
    // operation taken for constant when one of its operands is not: x or i read at compile
    // time, where a local reads as nothing, fails one of these); a constant part that fails (a
    // division by zero) is reported in the step that reaches it.
    const spec = (inv: string): string => `spec M\nconst C: Int = 5\nvar x: 0..3 = 0\naction A { x := (x + 1) % 4 }\ninvariant I: ${inv}\n`;
    /** The outcome's kind, and the x of the trace's last state. */
    const outcome = (inv: string): [string, unknown] => {
      const o = run(spec(inv)).outcome;
      return [o.kind, o.kind === 'invariant' || o.kind === 'fault' ? o.trace.states.at(-1)?.[0] : undefined];
    };
    expect(outcome('C * 2 + 3 - x + x == 13 and (x + C) * 1 - x == C')).toEqual(['ok', undefined]);
    expect(outcome('(2 + C) * (x + 1) + 0 * 7 < 22')).toEqual(['invariant', 3]);
    expect(outcome('x != C - 2')).toEqual(['invariant', 3]);
    expect(outcome('C - 2 != x and 1 + 1 == 2')).toEqual(['invariant', 3]);
    expect(outcome('forall i in 0..3: i != x + 1 or i == C - 5')).toEqual(['invariant', 0]);
    expect(outcome('exists i in 1..3: i == C - 4 and x < 3')).toEqual(['invariant', 3]);
    expect(outcome('x in (C - 5)..(C - 4) or x == 3')).toEqual(['invariant', 2]);
    expect(outcome('x < 3 or 1 / (C - 5) == 0')).toEqual(['fault', 3]);
  });
});
