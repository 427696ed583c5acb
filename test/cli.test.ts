/**
 * The CLI end to end, as a user runs it: exit codes, the trace format (golden), limits,
 * overrides and determinism. Runs the built CLI (npm test builds dist/ first).
 * UPDATE_GOLDEN=1 rewrites the golden files instead of comparing.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { golden, scrub, spex } from './support/cli.js';





describe('spex CLI', () => {
  it('prints the flagship memcg counterexample in the documented trace format', () => {
    const r = spex('test', 'spec/memcg/rfc-reparent-lrus.spex', '--check', 'RfcAwol', '--trace');
    expect(r.code).toBe(0);
    golden('cli', 'rfc-awol.txt', scrub(r.stdout));
  });

  it('prints a process trace: each step as `Instance at label`, pcs and process variables among the changes', () => {
    const r = spex('test', 'test/fixtures/cli/offline-process.spex', '--trace');
    expect(r.code).toBe(0);
    golden('cli', 'offline-process.txt', scrub(r.stdout));
  });

  it('exits 12 on an invariant violation and shows only what changed per step', () => {
    const r = spex('check', 'spec/memcg/rfc-reparent-lrus.spex', '--check', 'RfcAwol');
    expect(r.code).toBe(12);
    expect(r.stdout).toContain('3  Offline(m=Child)\n      online: {Root, Parent, Child} → {Root, Parent}\n4  Putback(p=1)');
    expect(r.stdout).toMatch(/^18 distinct states, 37 generated, depth 5, \d+\.\d\d s$/m);
  });

  it('ends every run with the statistics line', () => {
    const r = spex('check', 'spec/examples/tcommit.spex');
    const lines = r.stdout.trimEnd().split('\n');
    expect(lines[lines.length - 1]).toMatch(/^34 distinct states, 94 generated, depth 7, \d+\.\d\d s$/);
    expect(lines[lines.length - 2]).toMatch(/^fingerprint collision probability \(optimistic\): \d\.\de-\d+$/);
  });

  it('exits 11 on a deadlock with the trace to it, and 0 with deadlock detection off', () => {
    const dead = spex('check', 'test/fixtures/cli/counter.spex', '--check', 'Deadlocks');
    expect(dead.code).toBe(11);
    golden('cli', 'counter-deadlock.txt', scrub(dead.stdout));
    expect(spex('check', 'test/fixtures/cli/counter.spex', '--check', 'Deadlocks', '--no-deadlock').code).toBe(0);
    expect(spex('check', 'test/fixtures/cli/counter.spex', '--check', 'NoDeadlockCheck').code).toBe(0);
    expect(spex('check', 'test/fixtures/cli/counter.spex', '--check', 'NoDeadlockCheck', '--deadlock').code).toBe(11);
  });

  it('applies --const overrides on top of a check block', () => {
    const r = spex('check', 'test/fixtures/cli/counter.spex', '--check', 'NoDeadlockCheck', '--const', 'LIMIT=20');
    expect(r.code).toBe(12);
    expect(r.stdout).toContain('Invariant Small is violated.');
    expect(r.stdout).toContain('Counterexample (11 steps');
  });

  it('stops cleanly with exit 152 at --max-states and --max-depth', () => {
    const s = spex('check', 'spec/examples/twophase.spex', '--max-states', '50');
    expect(s.code).toBe(152);
    expect(s.stdout).toContain('Stopped: the state limit was reached');
    const d = spex('check', 'spec/examples/twophase.spex', '--max-depth', '3');
    expect(d.code).toBe(152);
    expect(d.stdout).toContain('Stopped: the depth limit was reached');
    expect(spex('check', 'spec/examples/twophase.spex', '--max-depth', '11').code).toBe(0);
  });

  it('spex test fails when it finds no check to run', () => {
    const dir = mkdtempSync(join(tmpdir(), 'spex-empty-'));
    try {
      const r = spex('test', dir);
      expect(r.code).toBe(1);
      expect(r.stdout).toBe('');
      expect(r.stderr).toContain(`error: no check blocks in ${dir}`);
      const n = spex('test', 'spec/bench/counter-grid.spex', '--check', 'NoSuchCheck');
      expect(n.code).toBe(1);
    } finally {
      rmSync(dir, { recursive: true });
    }
  });

  it('spex test fails, with the reason, when an outcome differs from its expect', () => {
    const r = spex('test', 'test/fixtures/cli/counter.spex');
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('FAIL test/fixtures/cli/counter.spex WrongExpectation: violation Small, expected ok');
    expect(r.stdout).toMatch(/^2 passed, 1 failed$/m);
  });

  it('gives the same output on every run', () => {
    const a = spex('check', 'spec/examples/twophase.spex', '--const', 'N=2', '--max-states', '30');
    const b = spex('check', 'spec/examples/twophase.spex', '--const', 'N=2', '--max-states', '30');
    expect(scrub(a.stdout)).toBe(scrub(b.stdout));
    const c = spex('check', 'spec/memcg/rfc-reparent-lrus.spex');
    const d = spex('check', 'spec/memcg/rfc-reparent-lrus.spex');
    expect(scrub(c.stdout)).toBe(scrub(d.stdout));
  });

  it('answers --version and --help, and reports a missing file without a stack trace', () => {
    const v = spex('--version');
    expect(v.code).toBe(0);
    expect(v.stdout.trim()).toMatch(/^\d+\.\d+\.\d+$/);
    const h = spex('check', '--help');
    expect(h.code).toBe(0);
    expect(h.stdout).toContain('--max-states');
    const m = spex('check', 'no/such/file.spex');
    expect(m.code).toBe(1);
    expect(m.stderr).toBe('error: cannot read no/such/file.spex: no such file\n');
    const dir = spex('check', 'spec');
    expect(dir.code).toBe(1);
    expect(dir.stderr).toContain('error: cannot read spec: it is a directory');
    const none = spex();
    expect(none.code).toBe(1);
    expect(none.stderr).toContain('Usage: spex');
  });

  it('reports a spec without initial states as an error, not as a pass', () => {
    const r = spex('check', 'test/fixtures/cli/no-init.spex');
    expect(r.code).toBe(75);
    expect(r.stdout).toContain('there is no initial state');
  });

  it('names the invariant whose evaluation fails, with the trace to the state', () => {
    const r = spex('check', 'test/fixtures/cli/invariant-error.spex');
    expect(r.code).toBe(75);
    expect(r.stdout).toContain('Evaluation error in invariant Div: division by zero');
    expect(r.stdout).toContain('test/fixtures/cli/invariant-error.spex:8:16: error[E701]');
    expect(r.stdout).toContain('Trace (2 steps to the state where it happens');
  });

  it('answers small searches of specs with processes on the generic engine alone, and the rest on the packed engine', () => {
    const stats = (r: { stdout: string }) => r.stdout.split('\n').filter((l) => l.includes('"event":"stats"')).map((l) => JSON.parse(l) as Record<string, unknown>);
    // increment-race: processes, 12 states. The same figures and verdict either way; only the
    // engine differs.
    const auto = spex('check', 'spec/examples/increment-race.spex', '--check', 'Racy', '--json');
    const packed = spex('check', 'spec/examples/increment-race.spex', '--check', 'Racy', '--json', '--engine', 'packed');
    expect(auto.code).toBe(12);
    expect(packed.code).toBe(12);
    const { seconds: _a, engine: ea, engineReason, threads: _ta, threadsReason: _ra, ...a } = stats(auto)[0]!;
    const { seconds: _p, engine: ep, threads: _tp, threadsReason: _rp, ...p } = stats(packed)[0]!;
    expect([ea, ep]).toEqual(['generic', 'packed']);
    expect(engineReason).toBe('the search ended within 400 states, before compiling it for the packed engine would pay off');
    expect(a).toEqual(p);
    // Processes and 1,024 states: past the pilot.
    expect(stats(spex('check', 'test/fixtures/cli/ticks.spex', '--json'))[0]).toMatchObject({ distinct: 1024, engine: 'packed' });
    // No processes: no pilot, however small (diehard: 14 states).
    const d = stats(spex('check', 'spec/examples/diehard.spex', '--json'))[0]!;
    expect(d).toMatchObject({ distinct: 14, engine: 'packed' });
    expect(d['engineReason']).toBeUndefined();
  });

  it('redoes a run on the generic engine when the packed engine meets a value it cannot encode', () => {
    const file = 'test/fixtures/cli/int-set-ranges.spex';
    const auto = spex('check', file, '--json');
    const generic = spex('check', file, '--json', '--engine', 'generic');
    const stats = (r: { stdout: string }) => JSON.parse(r.stdout.split('\n').find((l) => l.includes('"event":"stats"'))!);
    const { seconds: _a, engineReason, threads: _ta, threadsReason: _ra, ...a } = stats(auto);
    const { seconds: _g, threads: _tg, threadsReason: _rg, ...g } = stats(generic);
    expect(a).toEqual(g);
    // --json says why auto ran the generic engine.
    expect(engineReason).toMatch(/^the packed engine met a value it cannot encode in a step/);
    expect(a.engine).toBe('generic');
    expect(a.distinct).toBe(1233);
    expect(auto.code).toBe(generic.code);
    expect(auto.code).toBe(11);
    // The same when the packed engine gives up in a worker thread.
    const threads = spawnSync(process.execPath, ['dist/cli/main.js', 'check', file, '--json', '--workers', '2'], {
      encoding: 'utf8',
      env: { ...process.env, SPEX_WORKERS_EAGER: '1' },
    });
    const { seconds: _t, engineReason: _r, threads: _tt, threadsReason: _rt, ...t } = stats({ stdout: threads.stdout });
    expect(t).toEqual(g);
    expect(threads.status).toBe(11);
    const packed = spex('check', file, '--engine', 'packed');
    expect(packed.code).toBe(120);
    expect(packed.stderr).toContain('error[E217]: the packed engine met a value it cannot encode in a step');
  });

  it('verifies only the invariants a check names with only', () => {
    const r = spex('test', 'test/fixtures/cli/only.spex');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('PASS test/fixtures/cli/only.spex Both: violation Tiny');
    expect(r.stdout).toContain('PASS test/fixtures/cli/only.spex JustSmall: violation Small');
  });

  it('exports a violated temporal property as a lasso to HTML, TLC JSON and NDJSON', () => {
    const dir = mkdtempSync(join(tmpdir(), 'spex-lasso-'));
    try {
      const html = join(dir, 'l.html');
      const tlc = join(dir, 'l.json');
      const r = spex('check', 'spec/memcg/reparent.spex', '--check', 'Scenario1_ParentFirstLoops', '--out-html', html, '--out-tlc-json', tlc);
      expect(r.code).toBe(13);
      const page = readFileSync(html, 'utf8');
      expect(page).toContain('Property OfflineTerminates[m=P] is violated.');
      expect(page).toContain('the last state steps back to state 6');
      expect(page).toContain('<span class="at">at reparentCharges.recheck</span>');
      expect(JSON.parse(readFileSync(tlc, 'utf8')).state.length).toBeGreaterThan(5);
      const events = spex('check', 'spec/memcg/reparent.spex', '--check', 'Scenario1_ParentFirstLoops', '--json')
        .stdout.trim().split('\n').map((l) => JSON.parse(l) as { event: string; kind?: string; name?: string; trace?: { loop?: number } });
      const v = events.find((e) => e.event === 'violation')!;
      expect(v.kind).toBe('property');
      expect(v.name).toBe('OfflineTerminates');
      expect(v.trace?.loop).toBe(6);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('spex parse reports a summary of a good spec', () => {
    const r = spex('parse', 'spec/examples/diehard.spex');
    expect(r.code).toBe(0);
    expect(r.stdout).toBe('ok: spec DieHard: 2 variables, 6 actions, 2 invariants, 1 check\n');
  });
});
