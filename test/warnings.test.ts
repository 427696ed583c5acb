/**
 * Golden tests for warnings (W codes): the spec is accepted and runs, and the warning is
 * printed on stderr as `FILE:LINE:COL: warning[Wnnn]: ...`. Each fixture in
 * test/fixtures/warnings/ is named `Wnnn-what.spex` and states on its first lines
 *
 *   // expect warning W001 at 7:5                 first warning: code and line:col
 *   // run: check --max-states 10                 the CLI command (default `parse`)
 *   // exit: 0                                    the exit code (default 0)
 *
 * Its stderr is compared with the golden file next to it (same name, `.txt`).
 * To rewrite the golden files (then review the diff!):
 *
 *   UPDATE_GOLDEN=1 npx vitest run test/warnings.test.ts
 */
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { spexHere } from './support/cli.js';
import { WARNINGS } from '../src/lang/diagnostics.js';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const fixtureDir = 'test/fixtures/warnings';
const update = process.env['UPDATE_GOLDEN'] === '1';

// The folder holds one fixture per W code (git keeps no empty folder: absent, there are none).
const fixtures = (existsSync(join(root, fixtureDir)) ? readdirSync(join(root, fixtureDir)) : [])
  .filter((f) => f.endsWith('.spex'))
  .sort();

describe('warnings through the CLI (golden files)', () => {
  it('has a fixture for every warning code', () => {
    const codes = new Set(fixtures.map((f) => /^(W\d{3})-/.exec(f)?.[1]).filter((c) => c !== undefined));
    expect([...codes].sort()).toEqual(Object.keys(WARNINGS).sort());
  });

  it.each(fixtures)('%s', (name) => {
    const path = `${fixtureDir}/${name}`;
    const lines = readFileSync(join(root, path), 'utf8').split('\n');
    const m = /^\/\/ expect warning (W\d{3}) at (\d+):(\d+)$/.exec(lines[0] ?? '');
    if (!m) throw new Error(`${path}: the first line must be '// expect warning WXXX at LINE:COL'`);
    let args = ['parse'];
    let exit = 0;
    for (const line of lines.slice(1)) {
      if (!line.startsWith('//')) break;
      const r = /^\/\/ run: (.+)$/.exec(line);
      if (r) args = r[1]!.trim().split(/\s+/);
      const x = /^\/\/ exit: (\d+)$/.exec(line);
      if (x) exit = Number(x[1]);
    }
    const r = spexHere([...args, path]);
    expect(r.stderr).not.toMatch(/^ {4}at /m);
    expect(r.code).toBe(exit);
    expect(r.stderr.startsWith(`${path}:${m[2]}:${m[3]}: warning[${m[1]}]: `), r.stderr).toBe(true);
    const goldenPath = join(root, path.replace(/\.spex$/, '.txt'));
    if (update || !existsSync(goldenPath)) writeFileSync(goldenPath, r.stderr);
    expect(r.stderr).toBe(readFileSync(goldenPath, 'utf8'));
  });
});
