/**
 * Values too long to read on one line: the terminal's traces cut each value after about
 * 1,000 characters and count what is left out (src/cli/value-text.ts); --full-values prints
 * them whole, and the exports always have them whole. Through the built CLI.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { scrub, spex } from './support/cli.js';

const SPEC = 'test/fixtures/cli/long-values.spex';
const dir = mkdtempSync(join(tmpdir(), 'spex-long-values-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const line = (out: string, start: string): string => out.split('\n').find((l) => l.trimStart().startsWith(start))!;

describe('long values in a trace', () => {
  it('are cut in the terminal, with a count of what is left out; --full-values prints them whole', () => {
    const r = spex('check', SPEC, '--workers', '1');
    expect(r.code).toBe(12);
    const m = line(r.stdout, 'm = ');
    expect(m).toMatch(/^ +m = \{0 -> 0, 1 -> 0, 2 -> 0, .* -> 0, … 2,\d\d\d more\}$/);
    expect(m.trim().length).toBeLessThan(1030);
    // A change: both sides cut.
    const s = line(r.stdout, 's: {400, 401');
    expect(s).toMatch(/^ +s: \{400, 401, .*, … \d+ more\} → \{400, 401, .*, … \d+ more\}$/);
    // The short values and changes are whole.
    expect(r.stdout).toContain('m[1]: 0 → 1');
    const full = spex('check', SPEC, '--workers', '1', '--full-values');
    expect(full.code).toBe(12);
    const whole = line(full.stdout, 'm = ');
    expect(whole).toContain(', 2999 -> 0, 3000 -> 0}');
    expect(whole).not.toContain('…');
    // Everything else is the same.
    const rest = (out: string): string[] => out.split('\n').filter((l) => !l.includes('…') && !l.trimStart().startsWith('m = ') && !l.trimStart().startsWith('s: ') && !/\d\.\d\d s$/.test(l));
    expect(rest(r.stdout)).toEqual(rest(full.stdout));
    // The command after it, in the same process (main() run again), cuts them again.
    expect(scrub(spex('check', SPEC, '--workers', '1').stdout)).toBe(scrub(r.stdout));
  });

  it('are whole in the exports', () => {
    const itf = join(dir, 'trace.itf.json');
    expect(spex('check', SPEC, '--workers', '1', '--out-itf', itf).code).toBe(12);
    const t = JSON.parse(readFileSync(itf, 'utf8')) as { states: { m: { '#map': unknown[] } }[] };
    expect(t.states[0]!.m['#map']).toHaveLength(3001);
  });

  it('are cut in simulate’s traces too', () => {
    const r = spex('simulate', SPEC, '--runs', '5');
    expect(r.code).toBe(12);
    expect(line(r.stdout, 'm = ')).toMatch(/… 2,\d\d\d more\}$/);
    expect(line(spex('simulate', SPEC, '--runs', '5', '--full-values').stdout, 'm = ')).toContain('3000 -> 0}');
  });
});
