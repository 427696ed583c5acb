/**
 * State constraints, action constraints, step properties and PlusCal's Terminating through
 * the CLI: golden output, and the same counts and trace whatever the workers and the engine.
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { golden, scrub, spex } from './support/cli.js';

const stats = (out: string): string[] => out.split('\n').filter((l) => /^(PASS|FAIL) /.test(l)).map((l) => l.replace(/, \d+\.\d\d s\)$/, ')'));

describe('constraints and step properties (CLI)', () => {
  it('counts a constrained spec as TLC does (golden)', () => {
    const r = spex('test', 'test/fixtures/constraints/bounded.spex', '--trace');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('Default: ok  (10 distinct states, 21 generated, depth 7');
    expect(r.stdout).toContain('Tight: ok  (7 distinct states, 15 generated, depth 5');
    golden('constraints', 'bounded.txt', scrub(r.stdout));
  });

  it('reports a step property violation with the trace ending in the bad step (golden)', () => {
    const r = spex('check', 'test/fixtures/constraints/steps.spex', '--check', 'Default');
    expect(r.code).toBe(12);
    expect(r.stdout).toContain('Step property ByOne is violated by the last step.');
    golden('constraints', 'steps.txt', scrub(r.stdout));
  });

  it('gives the same results on 1, 2 and 3 workers and on both engines', () => {
    for (const f of ['bounded', 'steps', 'terminating']) {
      const path = `test/fixtures/constraints/${f}.spex`;
      const base = spex('test', path, '--trace');
      for (const extra of [['--workers', '2'], ['--workers', '3'], ['--engine', 'generic'], ['--engine', 'auto']]) {
        const r = spex('test', path, '--trace', ...extra);
        expect(r.code).toBe(base.code);
        expect(stats(r.stdout)).toEqual(stats(base.stdout));
        expect(scrub(r.stdout)).toBe(scrub(base.stdout));
      }
    }
  });

  it('runs on one thread with --workers 2, and says so (the parallel explorers check neither)', () => {
    for (const [path, check] of [['test/fixtures/constraints/bounded.spex', 'Tight'], ['test/fixtures/constraints/steps.spex', 'Default'], ['test/fixtures/disk/grid-outcomes.spex', 'Constrained']]) {
      const r = spex('check', path, '--check', check!, '--workers', '2', '--json');
      const stats = JSON.parse(r.stdout.split('\n').find((l) => l.includes('"event":"stats"'))!) as Record<string, unknown>;
      expect([path, stats['threads'], stats['threadsReason']]).toEqual([path, 1, 'state constraints and step properties are checked on one thread']);
      expect(r.stderr).toContain(`note: ${check} has state constraints or step properties, which the parallel explorers do not check yet: exploring with 1 worker instead of 2`);
    }
  });

  it('adds the Terminating stutter once every process is done, on both engines', () => {
    for (const engine of ['generic', 'packed']) {
      const r = spex('test', 'test/fixtures/constraints/terminating.spex', '--engine', engine);
      expect(r.code).toBe(0);
      expect(r.stdout).toContain('9 distinct states, 14 generated, depth 5');
    }
  });

  it('adds no Terminating stutter where an instance rests at an end label, on both engines', () => {
    for (const engine of ['generic', 'packed']) {
      const r = spex('test', 'test/fixtures/processes/end-no-terminating.spex', '--engine', engine);
      expect(r.code).toBe(0);
      expect(r.stdout).toContain('6 distinct states, 6 generated, depth 6');
    }
  });

  it('names a step-property violation as such in the exports', () => {
    const dir = mkdtempSync(join(tmpdir(), 'spex-constraints-'));
    const json = spex('check', 'test/fixtures/constraints/steps.spex', '--check', 'Default', '--json', '--out-itf', `${dir}/steps.itf.json`);
    expect(json.code).toBe(12);
    expect(json.stdout).toContain('"message":"Step property ByOne is violated by the last step."');
    const itf = JSON.parse(readFileSync(`${dir}/steps.itf.json`, 'utf8')) as { '#meta': { description: string } };
    expect(itf['#meta'].description).toMatch(/^Step property ByOne is violated by the last step of a shortest trace/);
  });

  it('replays a step-property counterexample', () => {
    const dir = mkdtempSync(join(tmpdir(), 'spex-constraints-'));
    const out = spex('check', 'test/fixtures/constraints/steps.spex', '--check', 'Default', '--out-itf', `${dir}/steps.itf.json`);
    expect(out.code).toBe(12);
    const r = spex('replay', `${dir}/steps.itf.json`, 'test/fixtures/constraints/steps.spex');
    expect(r.stdout + r.stderr).toMatch(/step property ByOne is violated by the last step/);
  });
});
