/**
 * The first SIGINT or SIGTERM stops `spex simulate`, `spex graph` and `spex replay` as it stops
 * check and test (test/interrupt.test.ts): with what they have, an "interrupted" verdict, the
 * `exit` event of --json, and exit code 128 + the signal's number. Through `spex` itself
 * (dist/cli/spex.js, which takes the signals on its main thread). Nothing waits on a clock:
 * the signal goes once simulate has printed a progress line, or once graph or replay is held
 * in the phase under test (SPEX_TEST_STALL, src/explore/guard.ts).
 */
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { spex, spexSignalled } from './support/cli.js';



// Walks that go on for minutes: counter-grid with K = 60, many millions of walks.
const LONG_WALKS = ['spec/bench/counter-grid.spex', '--const', 'N=4', '--const', 'K=60', '--runs', '100000000', '--progress', '--progress-interval', '0.1'];
// A progress line that counts at least one walk: on a busy machine the first may count none,
// and the signal would then come before any walk was done.
const PROGRESS = /^progress: [1-9][\d,]* walks/m;

describe('spex simulate stops on the first signal with the walks so far', () => {
  it('SIGINT, one thread: the walks completed, interrupted, exit 130', async () => {
    const r = await spexSignalled(['simulate', ...LONG_WALKS], PROGRESS, 'SIGINT');
    expect(r.stderr).not.toMatch(/^ {4}at /m);
    expect(r.code).toBe(130);
    const m = /^Interrupted \(SIGINT\) after ([\d,]+) walks of up to 100 steps: no walk found a problem up to there; the run is not complete\.$/m.exec(r.stdout);
    expect(m).not.toBeNull();
    const walks = Number(m![1]!.replace(/,/g, ''));
    expect(walks).toBeGreaterThan(0);
    expect(walks).toBeLessThan(100_000_000);
    // The statistics line counts the same walks.
    expect(r.stdout).toMatch(new RegExp(`^${m![1]} walks, [\\d,]+ steps, [\\d,]+ states generated, longest walk \\d+ steps?, `, 'm'));
  });

  it('SIGTERM, two threads, --json: simulation, check and exit events, exit 143', async () => {
    const r = await spexSignalled(['simulate', ...LONG_WALKS, '--workers', '2', '--json'], PROGRESS, 'SIGTERM');
    expect(r.code).toBe(143);
    const events = r.stdout.trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(events.at(-1)).toEqual({ event: 'exit', code: 143 });
    const sim = events.find((e) => e['event'] === 'simulation')!;
    expect(sim['interrupted']).toBe(true);
    expect(sim['timedOut']).toBe(false);
    expect(sim['walks']).toBeGreaterThan(0);
    const check = events.find((e) => e['event'] === 'check')!;
    expect(check['verdict']).toBe('interrupted');
    expect(check['name']).toBe('SIGTERM');
    expect(check['exitCode']).toBe(143);
  });
});

describe('spex graph and spex replay stop on the first signal and say so', () => {
  it('graph, SIGINT while the graph is built: nothing written, exit 130', async () => {
    const out = join(mkdtempSync(join(tmpdir(), 'spex-graph-int-')), 'g.dot');
    const r = await spexSignalled(['graph', 'spec/examples/diehard.spex', '--out', out], /held until a signal/, 'SIGINT', { SPEX_TEST_STALL: 'building the state graph' });
    expect(r.stderr).not.toMatch(/^ {4}at /m);
    expect(r.code).toBe(130);
    expect(r.stdout).toBe(`Interrupted (SIGINT) while building the state graph; nothing written to ${out}.\n`);
    expect(existsSync(out)).toBe(false);
  });

  it('replay, SIGTERM while the trace is replayed: the steps replayed so far, exit 143', async () => {
    const r = await spexSignalled(['replay', 'test/fixtures/itf/diehard.itf.json', 'spec/examples/diehard.spex'], /held until a signal/, 'SIGTERM', { SPEX_TEST_STALL: 'replaying the trace' });
    expect(r.stderr).not.toMatch(/^ {4}at /m);
    expect(r.code).toBe(143);
    expect(r.stdout).toMatch(/^Interrupted \(SIGTERM\) while replaying the trace: 0 of its 6 steps replayed; no verdict\.$/m);
  });
});

describe('spex check: a signal between two checks', () => {
  // The signal comes once the first check has ended, while the command is held between it and
  // the second (SPEX_TEST_STALL).
  const FILE = 'test/fixtures/cli/symmetric-workers.spex';

  it('says which checks did not run, gives no W100 of a partial run, and exits 130', async () => {
    const r = await spexSignalled(['check', FILE], /held until a signal/, 'SIGINT', { SPEX_TEST_STALL: 'between checks' });
    expect(r.stdout).toContain('check Reduced (SymmetricWorkers');
    expect(r.stdout).not.toContain('check Plain (');
    expect(r.stdout).toMatch(/^Interrupted \(SIGINT\) between checks: check not run \(Plain\); no verdict for it\.$/m);
    expect(r.stderr).not.toContain('W100');
    expect(r.code).toBe(130);
  });

  it('a swarm job: its result says so by its exit code, and merges with the checks it ran', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'spex-between-'));
    const out = join(dir, 'job1.json');
    const r = await spexSignalled(['check', FILE, '--swarm', '1/2', '--out', out], /held until a signal/, 'SIGINT', { SPEX_TEST_STALL: 'between checks' });
    expect(r.stdout).toMatch(/^Interrupted \(SIGINT\) between checks: check not run \(Plain\); no verdict for it\.$/m);
    expect(r.code).toBe(130);
    const rec = JSON.parse(readFileSync(out, 'utf8')) as { exitCode: number; checks: { check: string }[] };
    expect(rec.exitCode).toBe(130);
    expect(rec.checks.map((c) => c.check)).toEqual(['Reduced']);
    const m = spex('swarm', 'merge', out);
    expect(m.stderr).not.toContain('error');
    expect(m.stdout).toContain('Reduced');
    expect(m.code).toBe(12);
  });

  it('--json: an interrupted error event, then the exit event, exit 143 for SIGTERM', async () => {
    const r = await spexSignalled(['check', FILE, '--json'], /held until a signal/, 'SIGTERM', { SPEX_TEST_STALL: 'between checks' });
    const events = r.stdout.trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(events.filter((e) => e['event'] === 'check').map((e) => e['check'])).toEqual(['Reduced']);
    expect(events.at(-2)).toMatchObject({ event: 'error', kind: 'interrupted', message: 'Interrupted (SIGTERM) between checks: check not run (Plain); no verdict for it.' });
    expect(events.at(-1)).toEqual({ event: 'exit', code: 143 });
    expect(r.code).toBe(143);
  });
});

describe('a signal while spex is starting', () => {
  it('is reported by the command once it takes interrupts: check, with --json, and parse', async () => {
    const hold = { SPEX_TEST_STALL: 'starting' };
    const r = await spexSignalled(['check', 'spec/examples/diehard.spex'], /held until a signal/, 'SIGINT', hold);
    expect(r.stderr).toContain('Interrupted (SIGINT) while parsing spec/examples/diehard.spex: no verdict.');
    expect(r.code).toBe(130);
    const j = await spexSignalled(['check', 'spec/examples/diehard.spex', '--json'], /held until a signal/, 'SIGTERM', hold);
    const events = j.stdout.trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(events.at(-2)).toMatchObject({ event: 'error', kind: 'interrupted', message: 'interrupted (SIGTERM) while parsing spec/examples/diehard.spex' });
    expect(events.at(-1)).toEqual({ event: 'exit', code: 143 });
    const p = await spexSignalled(['parse', 'spec/examples/diehard.spex'], /held until a signal/, 'SIGINT', hold);
    expect(p.stderr).toContain('Interrupted (SIGINT) while parsing');
    expect(p.code).toBe(130);
  });
});
