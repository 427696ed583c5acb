/**
 * JSON that spex reads from users (src/export/json-input.ts): nesting bounded before anything
 * walks it, and quoted in messages by its first characters only.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { MAX_JSON_NESTING, describeJson, nestedDeeperThan, parseJsonInput, roundedToInteger } from '../src/export/json-input.js';
import { spex } from './support/cli.js';

const nested = (levels: number): string => '['.repeat(levels) + ']'.repeat(levels);

describe('parseJsonInput', () => {
  it('takes JSON nested up to MAX_JSON_NESTING levels and refuses one level more', () => {
    expect(parseJsonInput(nested(MAX_JSON_NESTING))).toMatchObject({ ok: true });
    expect(parseJsonInput(nested(MAX_JSON_NESTING + 1))).toEqual({ ok: false, kind: 'nesting', why: 'has arrays and objects nested more than 1,000 levels deep' });
    expect(parseJsonInput(`{"a":${'{"b":'.repeat(MAX_JSON_NESTING)}1${'}'.repeat(MAX_JSON_NESTING)}}`)).toMatchObject({ ok: false, kind: 'nesting' });
    expect(parseJsonInput(nested(200_000))).toMatchObject({ ok: false, kind: 'nesting' });
    expect(parseJsonInput('{"x": [1, 2, {"y": null}]}')).toEqual({ ok: true, value: { x: [1, 2, { y: null }] } });
    expect(parseJsonInput('{')).toMatchObject({ ok: false, kind: 'syntax' });
    expect((parseJsonInput('{') as { why: string }).why).toMatch(/^is not JSON: /);
  });

  it('refuses a number that is not an integer but reads as one, with its line and column', () => {
    expect(parseJsonInput('{"x":\n  [1, 1e-400]}')).toEqual({
      ok: false,
      kind: 'number',
      why: "has the number 1e-400 (line 2, column 7), which is not an integer but reads as the integer 0 in JSON's double precision: write an integer as one",
    });
    for (const t of ['1e-400', '-1E-400', `0.${'0'.repeat(400)}1`, '2.0000000000000001', '9007199254740993.5', '1e-324']) {
      expect(roundedToInteger(`[${t}]`), t).toEqual({ token: t, at: 1 });
    }
    // Integers however written, fractions that stay fractions, and numbers in strings pass.
    for (const t of ['0', '-0', '7', '1.0', '1.50e1', '100e-2', '0.000e5', '12e300', '0.5', '123e-1', '1e-300', '1e400', '"1e-400"', '"a\\"', '{"k\\"1e-400": 1}']) {
      expect(roundedToInteger(`[${t}, 3]`), t).toBeUndefined();
    }
    expect(roundedToInteger('["\\"", 1e-400]')).toEqual({ token: '1e-400', at: 7 });
  });

  it('counts depth as nesting, not size', () => {
    expect(nestedDeeperThan(1, 0)).toBe(false);
    expect(nestedDeeperThan([], 0)).toBe(true);
    expect(nestedDeeperThan([], 1)).toBe(false);
    expect(nestedDeeperThan([[], [[]]], 2)).toBe(true);
    expect(nestedDeeperThan([[], [[]]], 3)).toBe(false);
    expect(nestedDeeperThan(Array.from({ length: 100_000 }, () => [1]), 2)).toBe(false);
  });
});

describe('describeJson', () => {
  it('quotes at most 60 characters, of any value, however large or deep', () => {
    expect(describeJson({ a: [1, 'x', null, true] })).toBe('{"a":[1,"x",null,true]}');
    expect(describeJson(JSON.parse(nested(100_000)))).toBe(`${'['.repeat(57)}...`);
    expect(describeJson('y'.repeat(1000))).toBe(`"${'y'.repeat(56)}...`);
    expect(describeJson(Array.from({ length: 1_000_000 }, (_, i) => i)).length).toBe(60);
    // A number JSON cannot hold parses as Infinity: named as such, not as null.
    expect(describeJson(JSON.parse('1' + '0'.repeat(400)))).toBe('Infinity');
    expect(describeJson(undefined)).toBe('undefined');
  });
});

describe('the commands that read JSON', () => {
  it('refuse a trace nested 100,000 levels deep with a message, not a stack overflow', () => {
    const dir = mkdtempSync(join(tmpdir(), 'spex-json-'));
    try {
      const trace = join(dir, 'deep.itf.json');
      writeFileSync(trace, `{"vars": ${nested(100_000)}}`);
      const r = spex('replay', trace, 'spec/examples/diehard.spex');
      expect(r.code).toBe(1);
      expect(r.stderr).toBe(`error: ${trace} has arrays and objects nested more than 1,000 levels deep\n`);
      const shallow = join(dir, 'shallow.itf.json');
      writeFileSync(shallow, `{"vars": ${nested(900)}}`);
      const s = spex('replay', shallow, 'spec/examples/diehard.spex');
      expect(s.code).toBe(1);
      expect(s.stderr).toMatch(/is not an ITF trace of spec DieHard: vars: expected an array of variable names, found \[{57}\.\.\.$/m);
      const job = join(dir, 'job.json');
      writeFileSync(job, `{"format": ${nested(100_000)}}`);
      const m = spex('swarm', 'merge', job, '--spec', 'spec/examples/diehard.spex');
      expect(m.code).toBe(120);
      expect(m.stderr).toContain(`error[E258]: ${job} is not a swarm job result: it has arrays and objects nested more than 1,000 levels deep`);
      // An integer of a trace that a double cannot tell from another (1e-400 reads as 0).
      const tiny = join(dir, 'tiny.itf.json');
      writeFileSync(tiny, '{"vars": ["big", "small"],\n "states": [{"big": 0, "small": 1e-400}]}');
      const t = spex('replay', tiny, 'spec/examples/diehard.spex');
      expect(t.code).toBe(1);
      expect(t.stderr).toBe(`error: ${tiny} has the number 1e-400 (line 2, column 33), which is not an integer but reads as the integer 0 in JSON's double precision: write an integer as one\n`);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
