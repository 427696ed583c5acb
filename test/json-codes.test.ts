/**
 * Every coded error of a run reaches --json (docs/json-events.md): a run-time error's code in
 * its `violation` event and in the `check` event, the constants' error, and E711 (no initial
 * state), which has no violation event and was only printed.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { spex } from './support/cli.js';

const dir = mkdtempSync(join(tmpdir(), 'spex-json-codes-'));
function file(name: string, text: string): string {
  const p = join(dir, name);
  writeFileSync(p, text);
  return p;
}

function events(stdout: string): Record<string, unknown>[] {
  return stdout.trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
}

const NO_INIT = file('noinit.spex', 'spec NoInit\nvar x: 0..3 = 0\ninit { require x > 2 }\naction A { x := 1 }\n');
const CONST_ERROR = file('consterr.spex', 'spec C\nconst K: Int = 3\nconst M: Map[Int, Int] = {1 -> 2}\nconst L: Int = M[K]\nvar x: 0..1 = 0\naction A { x := L % 2 }\n');

describe('--json carries the code of every error verdict', () => {
  it.each(['packed', 'generic'])('E711 (no initial state), engine %s: check event with code and message', (engine) => {
    const r = spex('check', NO_INIT, '--json', '--workers', '1', '--engine', engine);
    expect(r.code).toBe(75);
    expect(r.stdout).not.toContain('"event":"violation"');
    const check = events(r.stdout).find((e) => e['event'] === 'check')!;
    expect(check).toMatchObject({ verdict: 'error', code: 'E711', exitCode: 75 });
    expect(check['error']).toMatch(/^there is no initial state/);
    // The text report says the same.
    const text = spex('check', NO_INIT, '--workers', '1', '--engine', engine);
    expect(text.stdout).toContain(`error[E711]: ${check['error'] as string}.`);
  });

  it('a run-time error: its code in the violation and check events', () => {
    const r = spex('check', 'test/fixtures/runtime/E701-division-by-zero.spex', '--json', '--workers', '1');
    expect(r.code).toBe(75);
    const es = events(r.stdout);
    expect(es.find((e) => e['event'] === 'violation')).toMatchObject({ kind: 'error', code: 'E701', message: 'division by zero' });
    expect(es.find((e) => e['event'] === 'check')).toMatchObject({ verdict: 'error', code: 'E701', error: null });
  });

  it.each(['E702-key-outside-domain', 'E705-index-out-of-bounds', 'E708-unwrap-none'])('%s: the code the text report prints', (name) => {
    const path = `test/fixtures/runtime/${name}.spex`;
    const text = spex('check', path, '--workers', '1');
    const code = /error\[(E7\d\d)\]/.exec(text.stdout)![1];
    const es = events(spex('check', path, '--json', '--workers', '1').stdout);
    expect(es.find((e) => e['event'] === 'violation')!['code']).toBe(code);
    expect(es.find((e) => e['event'] === 'check')!['code']).toBe(code);
  });

  it('the constants: the code and the message in the check event', () => {
    const r = spex('check', CONST_ERROR, '--json', '--workers', '1');
    expect(r.code).toBe(75);
    expect(events(r.stdout).find((e) => e['event'] === 'check')).toMatchObject({ verdict: 'error', code: 'E702', error: "key 3 is outside the map's domain {1}" });
  });

  it('no code where the verdict is not an error', () => {
    const r = spex('check', 'spec/examples/diehard.spex', '--json', '--workers', '1');
    for (const e of events(r.stdout).filter((x) => x['event'] !== 'exit' && x['event'] !== 'warning')) expect(e).not.toHaveProperty('code');
    const a = spex('check', 'test/fixtures/runtime/assert-failed.spex', '--json', '--workers', '1');
    expect(events(a.stdout).find((e) => e['event'] === 'violation')).not.toHaveProperty('code');
  });

  it('spex simulate: E711 in the text and the check event', () => {
    const r = spex('simulate', NO_INIT);
    expect(r.code).toBe(75);
    expect(r.stdout).toContain('error[E711]: there is no initial state inside the constraints: nothing was simulated.');
    const j = spex('simulate', NO_INIT, '--json');
    expect(events(j.stdout).find((e) => e['event'] === 'check')).toMatchObject({ verdict: 'error', code: 'E711' });
  });
});
