/**
 * Golden tests for run-time errors (E701–E709) and failed asserts as `spex check` reports
 * them: each fixture in test/fixtures/runtime/ is run through the real CLI process and its
 * whole stdout (with the wall time scrubbed) is compared with the golden file next to it
 * (same name, `.txt`).
 *
 * A fixture states what it expects on its first line:
 *
 *   // expect runtime E701 at 13:25 after 2 steps in Split
 *   // expect assert at 18:3 after 2 steps in Leak
 *
 * i.e. the code (or a failed assert), the line:col of the offending expression or statement,
 * the length of the shortest trace to the state where it happens, and the failing action.
 *
 * To rewrite the golden files from the current output (then review the diff!):
 *
 *   UPDATE_GOLDEN=1 npx vitest run test/runtime-errors.test.ts
 *
 * dist/ must be built (`npm test` builds it first).
 */
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { spexBin, spexHere, withoutW001 } from './support/cli.js';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const fixtureDir = 'test/fixtures/runtime';
const update = process.env['UPDATE_GOLDEN'] === '1';

const EXIT_SAFETY = 12;
const EXIT_EVALUATION = 75;

interface Expectation {
  /** A code E701–E709, or 'assert'. */
  readonly code: string;
  readonly line: number;
  readonly col: number;
  readonly steps: number;
  readonly action: string;
}

function readExpectation(path: string, text: string): Expectation {
  const first = text.split('\n')[0] ?? '';
  const m = /^\/\/ expect (?:runtime (E7\d\d)|(assert)) at (\d+):(\d+) after (\d+) steps? in (\w+)$/.exec(first);
  if (!m) throw new Error(`${path}: the first line must be '// expect runtime E7XX at LINE:COL after N steps in ACTION' or '// expect assert at ...'`);
  return { code: m[1] ?? m[2]!, line: Number(m[3]), col: Number(m[4]), steps: Number(m[5]), action: m[6]! };
}

/** The wall time at the end of the statistics line is the only thing that varies. */
function scrubTime(s: string): string {
  return s.replace(/, \d+\.\d\d s$/gm, ', <time> s');
}

function runCli(args: string[], bin = false): { status: number | null; stdout: string; stderr: string } {
  const r = bin ? spexBin(args) : spexHere(args);
  return { status: r.code, stdout: r.stdout, stderr: r.stderr };
}

/** The action whose declaration encloses a line (the nearest `action` at or above it). */
function enclosingAction(text: string, line: number): string | undefined {
  const lines = text.split('\n');
  for (let i = line - 1; i >= 0; i--) {
    const m = /^action (\w+)/.exec(lines[i]!);
    if (m) return m[1];
  }
  return undefined;
}

const fixtures = readdirSync(join(root, fixtureDir))
  .filter((f) => f.endsWith('.spex'))
  .sort();

describe('run-time errors through the CLI (golden files)', () => {
  it('has a fixture for every run-time code that a well-typed spec can reach, and for assert', () => {
    const codes = new Set(fixtures.map((f) => /^(E7\d\d|assert)-/.exec(f)?.[1]).filter((c) => c !== undefined));
    // E707 (no match arm applies) is not reachable: the checker makes every match exhaustive
    // (E207). The test at the end keeps closed the one way around it that was found.
    expect([...codes].sort()).toEqual(['E701', 'E702', 'E703', 'E704', 'E705', 'E706', 'E708', 'E709', 'E710', 'E715', 'E716', 'assert']);
  });

  it.each(fixtures)('%s', (name) => {
    const path = `${fixtureDir}/${name}`;
    const text = readFileSync(join(root, path), 'utf8');
    const want = readExpectation(path, text);
    const goldenPath = join(root, path.replace(/\.spex$/, '.txt'));
    const isAssert = want.code === 'assert';

    // The expectation is consistent with the fixture itself.
    expect(enclosingAction(text, want.line), `line ${want.line} of ${name} is not inside action ${want.action}`).toBe(want.action);

    // E716 at its count needs the stack of the command's thread (64 MiB), which the test's
    // thread lacks: there the stack runs out first (also E716, with another message).
    const r = runCli(['check', path], name.startsWith('E716-'));

    expect(withoutW001(r.stderr)).toBe('');
    expect(r.stdout).not.toMatch(/^ {4}at /m);
    expect(r.stdout).not.toContain('internal error');
    expect(r.status).toBe(isAssert ? EXIT_SAFETY : EXIT_EVALUATION);

    const lines = r.stdout.split('\n');
    // The verdict names the failing action; the diagnostic names the code and the location.
    expect(lines[1]).toMatch(new RegExp(`^${isAssert ? 'Assertion failed' : 'Evaluation error'} in ${want.action}: `));
    const where = `${path}:${want.line}:${want.col}: ${isAssert ? 'assertion failed' : `error[${want.code}]`}: `;
    expect(lines[2]?.startsWith(where), `line 3 of stdout:\n${lines[2]}\nexpected it to start with:\n${where}`).toBe(true);
    // The caret line points at the offending column.
    const caret = lines.find((l) => /^ *\| *\^+$/.test(l));
    expect(caret).toBeDefined();
    expect(caret!.indexOf('^') - caret!.indexOf('|') - 1).toBe(want.col);

    // The trace: init, then steps 1..N, then the failing step of the expected action.
    const s = want.steps;
    expect(r.stdout).toContain(`Trace (${s} step${s === 1 ? "" : "s"} to the state where it happens, a shortest one):`);
    const start = lines.findIndex((l) => /^0 +init$/.test(l));
    expect(start).toBeGreaterThan(0);
    const stepNumbers = lines.slice(start).flatMap((l) => /^ *(\d+)  \S/.exec(l)?.[1] ?? []).map(Number);
    expect(stepNumbers).toEqual(Array.from({ length: s + 1 }, (_, i) => i));
    const failing = lines.find((l) => l.includes('←'));
    expect(failing?.trim()).toBe(`${want.action}  ← ${isAssert ? 'this step fails its assert' : 'this step fails'}`);

    // The report ends with the collision estimate and the statistics line.
    expect(lines[lines.length - 1]).toBe('');
    expect(lines[lines.length - 2]).toMatch(/^\d+ distinct states, \d+ generated, depth \d+, \d+\.\d\d s$/);

    const actual = scrubTime(r.stdout);
    if (update) {
      writeFileSync(goldenPath, actual);
      return;
    }
    expect(existsSync(goldenPath), `missing golden file ${goldenPath}; run with UPDATE_GOLDEN=1`).toBe(true);
    expect(actual).toBe(readFileSync(goldenPath, 'utf8'));
  });

  // A bug once fixed: types.ts join() kept the first record type as is, so `if c then
  // { a: {} } else { a: {Green} }` had type { a: Set[?] }; an element of that set had the
  // unknown type, the match on it escaped the exhaustiveness check (E207) and failed at run
  // time with E707. The spec must be rejected statically with E207 (exit 120).
  it('rejects a non-exhaustive match on an element of a joined record type (E207, not E707)', () => {
    const spec = [
      'spec Join',
      'enum Color { Red, Green }',
      'var x: 0..3 = 0',
      'action A {',
      '  require x == 0',
      '  let r = if x == 1 then { a: {} } else { a: {Green} }',
      '  for c in r.a {',
      '    match c {',
      '      Red => x := 1',
      '    }',
      '  }',
      '}',
      '',
    ].join('\n');
    const dir = mkdtempSync(join(tmpdir(), 'spex-'));
    try {
      const tmp = join(dir, 'join.spex');
      writeFileSync(tmp, spec);
      const r = runCli(['check', tmp]);
      expect(r.status).toBe(120);
      expect(r.stderr).toContain('error[E207]');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
