/**
 * Golden tests for the static diagnostics (E100, E201–E219) as the user sees them: each
 * fixture in test/fixtures/diagnostics/ is run through the built CLI (its main(), in this
 * process: test/support/cli.ts) and its stderr is compared with the golden file next to it
 * (same name, `.txt`).
 *
 * A fixture states what it expects in comments on its first lines:
 *
 *   // expect error E201 at 13:11                 first diagnostic: code, line:col in the fixture
 *   // expect error E205 at --const Max:1:1       ... or in another source (a --const value)
 *   // expect error E213 without location         ... or a diagnostic without a source span
 *   // errors: 3                                  how many diagnostics (default 1)
 *   // run: check --const Max=true                the CLI command (default `parse`)
 *
 * The fixture path is appended to the command; the process runs with cwd = the repository
 * root, so paths in the golden text are relative and the test is machine-independent.
 *
 * To rewrite the golden files from the current output (then review the diff!):
 *
 *   UPDATE_GOLDEN=1 npx vitest run test/diagnostics.test.ts
 *
 * dist/ must be built (`npm test` builds it first).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { CODES } from '../src/lang/diagnostics.js';
import { spexHere } from './support/cli.js';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const fixtureDir = 'test/fixtures/diagnostics';
const update = process.env['UPDATE_GOLDEN'] === '1';

const EXIT_SYNTAX = 150;
const EXIT_STATIC = 120;

interface Expectation {
  readonly code: string;
  /** `path:line:col` of the first diagnostic, or undefined for one without a span. */
  readonly location: string | undefined;
  readonly count: number;
  readonly args: string[];
}

function readExpectation(path: string, text: string): Expectation {
  const lines = text.split('\n');
  const m = /^\/\/ expect error (E\d{3})(?: at (?:(.+):)?(\d+):(\d+)| (without location))$/.exec(lines[0] ?? '');
  if (!m) throw new Error(`${path}: the first line must be '// expect error EXXX at LINE:COL' (or '... without location')`);
  const location = m[5] !== undefined ? undefined : `${m[2] ?? path}:${m[3]}:${m[4]}`;
  let count = 1;
  let args = ['parse'];
  for (const line of lines.slice(1)) {
    if (!line.startsWith('//')) break;
    const c = /^\/\/ errors: (\d+)$/.exec(line);
    if (c) count = Number(c[1]);
    const r = /^\/\/ run: (.+)$/.exec(line);
    if (r) args = r[1]!.trim().split(/\s+/);
  }
  return { code: m[1]!, location, count, args };
}

function runCli(args: string[]): { status: number | null; stdout: string; stderr: string } {
  const r = spexHere(args);
  return { status: r.code, stdout: r.stdout, stderr: r.stderr };
}

const fixtures = readdirSync(join(root, fixtureDir))
  .filter((f) => f.endsWith('.spex'))
  .sort();

describe('static diagnostics through the CLI (golden files)', () => {
  it('has a fixture for every static code the checker raises', () => {
    const codes = new Set(fixtures.map((f) => /^(E\d{3})-/.exec(f)?.[1]).filter((c) => c !== undefined));
    // Every static code of the catalog (E1xx, E2xx); run-time codes (E7xx) have their own fixtures.
    // E101 (a file over the size limit) and E102 (not a regular file) concern the file, not
    // its text: test/lang/input.test.ts covers them.
    const wanted = Object.keys(CODES).filter((c) => /^E[12]\d\d$/.test(c) && c !== 'E101' && c !== 'E102').sort();
    expect([...codes].sort()).toEqual(wanted);
  });

  it.each(fixtures)('%s', (name) => {
    const path = `${fixtureDir}/${name}`;
    const text = readFileSync(join(root, path), 'utf8');
    const want = readExpectation(path, text);
    const goldenPath = join(root, path.replace(/\.spex$/, '.txt'));

    const r = runCli([...want.args, path]);

    // Never a JS stack trace, never an internal error.
    expect(r.stderr).not.toMatch(/^ {4}at /m);
    expect(r.stderr).not.toContain('internal error');
    // Front-end errors print nothing on stdout; E217, found when a configuration is about to
    // run, follows the spec's header line.
    if (want.code === 'E217') expect(r.stdout).toBe(`spec Journal (${path})\n`);
    // E228 too: a formula's automaton is built when its check compiles the properties.
    else if (want.code === 'E228') expect(r.stdout).toBe(`spec TooLarge (${path})\n`);
    // E221 too: the size of a type or constant set is known once a configuration's constants are.
    else if (want.code === 'E221' || want.code === 'E233') expect(r.stdout).toMatch(new RegExp(`^spec \\w+ \\(${path.replace(/[.]/g, '\\.')}\\)\n$`));
    // E243 too: whether a configuration checks temporal properties with its symmetry.
    // E252 too: a checkpoint's configuration is compared when its check is about to run.
    else if (want.code === 'E252') expect(r.stdout).toMatch(new RegExp(`^check \\w+ \\(\\w+, ${path.replace(/[.]/g, '\\.')}\\)\n$`));
    else if (want.code === 'E243') expect(r.stdout).toMatch(new RegExp(`^check \\w+ \\(\\w+, ${path.replace(/[.]/g, '\\.')}\\)\n$`));
    else expect(r.stdout).toBe('');
    expect(r.status).toBe(/^E10\d$/.test(want.code) ? EXIT_SYNTAX : EXIT_STATIC);

    // The first diagnostic is the one the fixture announces.
    const first = r.stderr.split('\n')[0];
    const header = want.location === undefined ? `error[${want.code}]: ` : `${want.location}: error[${want.code}]: `;
    expect(first?.startsWith(header), `first line of stderr:\n${first}\nexpected it to start with:\n${header}`).toBe(true);

    // Every diagnostic is counted, and the count closes the report.
    const headers = r.stderr.split('\n').filter((l) => /(^|: )error\[E\d{3}\]: /.test(l));
    expect(headers).toHaveLength(want.count);
    expect(r.stderr.endsWith(`\n\n${want.count} error${want.count === 1 ? '' : 's'}\n`)).toBe(true);

    if (update) {
      writeFileSync(goldenPath, r.stderr);
      return;
    }
    expect(existsSync(goldenPath), `missing golden file ${goldenPath}; run with UPDATE_GOLDEN=1`).toBe(true);
    expect(r.stderr).toBe(readFileSync(goldenPath, 'utf8'));
  });
});

/** Runs the CLI on a spec written to a temporary file `t.spex`, in the temporary directory. */
function runOnText(text: string, args: string[]): { status: number | null; stdout: string; stderr: string } {
  const dir = mkdtempSync(join(tmpdir(), 'spex-'));
  try {
    writeFileSync(join(dir, 't.spex'), text);
    const r = spawnSync(process.execPath, [join(root, 'dist/cli/main.js'), ...args, 't.spex'], { cwd: dir, encoding: 'utf8' });
    if (r.error) throw r.error;
    return { status: r.status, stdout: r.stdout, stderr: r.stderr };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const counter = (extra: string): string =>
  ['spec Counter', 'const Max: Int = 3', 'const Step: Int = 1', 'var count: 0..3 = 0', 'action Inc { count := (count + Step) % (Max + 1) }', extra, ''].join('\n');

// Bugs once found in src/, kept as regression tests of the behaviour they should have.
describe('diagnostic bugs that stay fixed', () => {
  // bug: parser.ts checkNumbers scans the whole source text, comments and strings included.
  it('accepts a long digit string in a comment (no E100)', () => {
    const r = runOnText(counter('// ticket 12345678901234567890'), ['parse']);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
  });

  // bug: parseExpr (used for --const) does not check integer literals; 1e20 becomes the
  // constant and only fails later, as E706 at its first use.
  it('rejects a --const value that is not a safe integer (E100 in --const Max)', () => {
    const r = runOnText(counter(''), ['check', '--const', 'Max=99999999999999999999']);
    expect(r.status).toBe(150);
    expect(r.stderr.startsWith('--const Max:1:1: error[E100]: integer literal too large')).toBe(true);
  });

  // bug: an override may name a constant declared later; it is then evaluated while that
  // constant has no value yet and fails as E706 "the result NaN is beyond ±2^53".
  it('rejects an override that uses a later constant (E216)', () => {
    const r = runOnText(counter('check C { const Max = Step + 2 }'), ['parse']);
    expect(r.status).toBe(120);
    expect(r.stderr).toContain('error[E216]');
  });

  // bug: `type Set = ...` reports E203 and then a spurious E202 "unknown type 'Set'".
  it('reports a redeclared built-in type once (E203 only)', () => {
    const r = runOnText(['spec T', 'type Set = 0..3', 'var x: 0..3 = 0', ''].join('\n'), ['parse']);
    expect(r.status).toBe(120);
    expect(r.stderr).toContain('error[E203]');
    expect(r.stderr).not.toContain('error[E202]');
    expect(r.stderr.endsWith('\n1 error\n')).toBe(true);
  });

  // bug: renderDiagnostic keeps the '\r' of a CRLF line in the source excerpt.
  it('renders the source line of a CRLF file without the carriage return', () => {
    const r = runOnText('spec T\r\nvar x: 0..3\r\ninit { x := y }\r\n', ['parse']);
    expect(r.status).toBe(120);
    expect(r.stderr).toContain('3 | init { x := y }\n');
  });
});
