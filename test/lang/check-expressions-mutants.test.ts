/**
 * The checker's type rules (src/lang/check/expressions.ts, src/lang/check/base.ts), in-process.
 *
 * The golden files of test/fixtures/diagnostics/ and test/fixtures/warnings/ are compared
 * through the built CLI (test/diagnostics.test.ts, test/warnings.test.ts), in a child process
 * that a change of src/ cannot reach before a build. Here every fixture that `spex parse` runs
 * is loaded in this process and its report rendered as the CLI renders it, then compared with
 * the same golden file: the message, the position and the hint of every diagnostic, their
 * order and their number. Every spec of spec/ and of the other fixture folders loads without
 * an error. Then a few type rules the fixtures leave open, each on a small spec.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { constOverrides, loadSpec } from '../../src/engine/run.js';
import { renderDiagnostic, SpecErrors } from '../../src/lang/diagnostics.js';

/** What `spex parse FILE` prints on stderr, computed in this process. */
export function parseReport(path: string, text?: string): string {
  try {
    const { spec } = loadSpec(path, text);
    return (spec.warnings ?? []).map((d) => renderDiagnostic(d) + '\n\n').join('');
  } catch (e) {
    if (!(e instanceof SpecErrors)) throw e;
    const n = e.diagnostics.length;
    return e.diagnostics.map((d) => renderDiagnostic(d) + '\n' + '\n').join('') + `${n} error${n === 1 ? '' : 's'}\n`;
  }
}

/** The fixtures of `dir` that `spex parse` runs (no `// run:` line, or `// run: parse`). */
function parseFixtures(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((f) => f.endsWith('.spex'))
    .sort()
    .filter((f) => {
      const lines = readFileSync(join(dir, f), 'utf8').split('\n');
      for (const line of lines) {
        if (!line.startsWith('//')) break;
        const r = /^\/\/ run: (\S+)/.exec(line);
        if (r) return r[1] === 'parse';
      }
      return true;
    });
}

function specFiles(d: string): string[] {
  return readdirSync(d)
    .sort()
    .flatMap((f) => {
      const p = join(d, f);
      return statSync(p).isDirectory() ? specFiles(p) : p.endsWith('.spex') ? [p] : [];
    });
}

describe('the checker in-process: the golden files of `spex parse`', () => {
  const diagnostics = parseFixtures('test/fixtures/diagnostics');
  const warnings = parseFixtures('test/fixtures/warnings');

  it('finds the fixtures', () => {
    expect(diagnostics.length).toBeGreaterThan(50);
    expect(warnings.length).toBeGreaterThan(0);
  });

  it.each([...diagnostics.map((f) => `test/fixtures/diagnostics/${f}`), ...warnings.map((f) => `test/fixtures/warnings/${f}`)])('%s', (path) => {
    const golden = path.replace(/\.spex$/, '.txt');
    expect(parseReport(path)).toBe(readFileSync(golden, 'utf8'));
  });
});

/** The fixtures whose command is `check --const NAME=VALUE ...` and nothing else. */
function constFixtures(dir: string): [string, string[]][] {
  return readdirSync(dir)
    .filter((f) => f.endsWith('.spex'))
    .sort()
    .flatMap((f): [string, string[]][] => {
      const line = readFileSync(join(dir, f), 'utf8')
        .split('\n')
        .find((l) => l.startsWith('// run: '));
      const m = /^\/\/ run: check((?: --const \S+)+)$/.exec(line ?? '');
      return m ? [[`${dir}/${f}`, m[1]!.trim().split(/\s+/).filter((w) => w !== '--const')]] : [];
    });
}

describe('the checker in-process: the golden files of `spex check --const`', () => {
  const fixtures = constFixtures('test/fixtures/diagnostics');

  it('finds the fixtures', () => {
    expect(fixtures.length).toBeGreaterThan(2);
  });

  it.each(fixtures)('%s', (path, consts) => {
    const { spec } = loadSpec(path);
    let report = '';
    try {
      constOverrides(spec, consts);
    } catch (e) {
      if (!(e instanceof SpecErrors)) throw e;
      const n = e.diagnostics.length;
      report = e.diagnostics.map((d) => renderDiagnostic(d) + '\n\n').join('') + `${n} error${n === 1 ? '' : 's'}\n`;
    }
    expect(report).toBe(readFileSync(path.replace(/\.spex$/, '.txt'), 'utf8'));
  });
});

describe('the checker in-process: specs that load', () => {
  // The fixtures of these folders are specs that run (their errors, if any, come at run time).
  const files = [...specFiles('spec'), ...specFiles('test/fixtures').filter((f) => !/fixtures[/\\](diagnostics|warnings|cli)[/\\]/.test(f))];

  it.each(files)('%s', (path) => {
    let error = '';
    try {
      loadSpec(path);
    } catch (e) {
      if (!(e instanceof SpecErrors)) throw e;
      error = e.diagnostics.map((d) => renderDiagnostic(d)).join('\n');
    }
    expect(error).toBe('');
  });
});
