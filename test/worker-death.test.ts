/**
 * A worker thread of the parallel explorers that dies is reported at once as an internal
 * error, with the statistics of the search so far, in both parallel explorers (the generic
 * engine's, src/explore/parallel/explorer.ts, and the packed engine's, vector-explorer.ts),
 * and so is a simulation worker (simulate-parallel.ts). The death is made by the test hook
 * SPEX_TEST_WORKER_EXIT=n (worker n ends its thread on its first job, without a word; a
 * simulation worker as it starts, since it may get no job when the machine is busy);
 * SPEX_WORKERS_EAGER=1 sends every level through the workers. The thread that watches the
 * workers (supervisor.ts) dying is reported once it has been silent for SILENT_MS: the hook
 * SPEX_TEST_SUPERVISOR_EXIT=1 makes it end as soon as it has started its workers, and
 * SPEX_TEST_SILENT_MS shortens the silence.
 */
import { spawn, spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { Heartbeat, SILENT_MS } from '../src/explore/parallel/supervisor.js';
import { root } from './support/cli.js';

function spexDying(...args: string[]): { code: number | null; stdout: string; stderr: string } {
  const env = { ...process.env, SPEX_TEST_WORKER_EXIT: '1', SPEX_WORKERS_EAGER: '1' };
  // The timeout is a guard against the hang this test is about, not a measure.
  const r = spawnSync(process.execPath, ['dist/cli/main.js', ...args], { cwd: root, encoding: 'utf8', env, timeout: 120_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('a worker that dies', () => {
  it.each(['packed', 'generic'])('is an internal error with the search so far (--engine %s)', (engine) => {
    const r = spexDying('check', 'spec/bench/counter-grid.spex', '--workers', '2', '--engine', engine);
    expect(r.code).toBe(255);
    expect(r.stderr).toMatch(/^internal error: exploration worker 1 died \(it exited with code 70\); the search cannot go on without it$/m);
    expect(r.stderr).toMatch(/^the search so far: \d+ distinct states, \d+ generated, depth \d+, /m);
    expect(r.stderr).not.toMatch(/^ {4}at /m);
  });

  it('ends --json with an error event carrying the statistics, then exit', () => {
    const r = spexDying('check', 'spec/bench/counter-grid.spex', '--workers', '3', '--json');
    expect(r.code).toBe(255);
    const events = r.stdout.trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(events.at(-1)).toEqual({ event: 'exit', code: 255 });
    const error = events.at(-2)!;
    expect(error['event']).toBe('error');
    expect(error['kind']).toBe('internal');
    expect(error['message']).toMatch(/exploration worker 1 died/);
    expect((error['stats'] as { distinct: number }).distinct).toBeGreaterThan(0);
  });
});

/** The CLI with the given environment, run asynchronously so that several run at once. */
function spexAsync(env: Record<string, string>, ...args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((done) => {
    const child = spawn(process.execPath, ['dist/cli/main.js', ...args], { cwd: root, env: { ...process.env, ...env } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    // A guard against the hang this is about, not a measure.
    const guard = setTimeout(() => child.kill('SIGKILL'), 120_000);
    child.on('close', (code) => {
      clearTimeout(guard);
      done({ code, stdout, stderr });
    });
  });
}

describe('a simulation worker that dies', () => {
  it('is an internal error, not a wait for ever', async () => {
    const r = await spexAsync({ SPEX_TEST_WORKER_EXIT: '1' }, 'simulate', 'spec/examples/twophase.spex', '--check', 'TwoPhase3', '--workers', '2', '--runs', '200');
    expect(r.code).toBe(255);
    expect(r.stderr).toMatch(/^internal error: simulation worker 1 died \(it exited with code 70\); the simulation cannot go on without it$/m);
    expect(r.stderr).not.toMatch(/^ {4}at /m);
  });
});

describe('the thread that watches the workers', () => {
  it('counts as dead only after SILENT_MS of waits that all saw the same beat', () => {
    const h = new Heartbeat();
    expect(h.alive(0, 0)).toBe(true);
    // The same beat: silent from the first wait that saw it unchanged (t = 1,000), not from 0.
    expect(h.alive(0, 1000)).toBe(true);
    expect(h.alive(0, 1000 + SILENT_MS - 1)).toBe(true);
    expect(h.alive(0, 1000 + SILENT_MS)).toBe(false);
    // A beat resets the silence.
    const g = new Heartbeat();
    g.alive(3, 0);
    g.alive(3, 100);
    expect(g.alive(4, 100 + SILENT_MS)).toBe(true);
    expect(g.alive(4, 100 + 2 * SILENT_MS)).toBe(true);
    expect(g.alive(4, 100 + 3 * SILENT_MS)).toBe(false);
  });

  it('a process stopped for longer than SILENT_MS and continued is not taken for dead', () => {
    // Before the stop, a beat is seen; after it, the first wait sees the old beat (the
    // supervisor has not run yet), the next one a new beat.
    const h = new Heartbeat();
    expect(h.alive(7, 0)).toBe(true);
    expect(h.alive(7, 60_000)).toBe(true);
    expect(h.alive(8, 60_250)).toBe(true);
  });

  // Each waits through SILENT_MS of silence: the three wait at once.
  it.concurrent.for([
    ['the packed explorer', ['check', 'spec/bench/counter-grid.spex', '--workers', '2', '--engine', 'packed'], /the exploration workers has stopped .*; the search cannot go on without it$/m],
    ['the generic explorer', ['check', 'spec/bench/counter-grid.spex', '--workers', '2', '--engine', 'generic'], /the exploration workers has stopped .*; the search cannot go on without it$/m],
    ['the simulation', ['simulate', 'spec/examples/twophase.spex', '--check', 'TwoPhase3', '--workers', '2', '--runs', '200'], /the simulation workers has stopped .*; the simulation cannot go on without it$/m],
  ] as const)('dying is an internal error in %s, not a wait for ever', async ([, args, message], { expect }) => {
    // The silence shortened to a second (a test hook), to keep the suite short.
    const r = await spexAsync({ SPEX_TEST_SUPERVISOR_EXIT: '1', SPEX_WORKERS_EAGER: '1', SPEX_TEST_SILENT_MS: '1000' }, ...args);
    expect(r.code).toBe(255);
    expect(r.stderr).toMatch(/^internal error: the thread that watches the .*\(no sign of life for 1 s\)/m);
    expect(r.stderr).toMatch(message);
    expect(r.stderr).not.toMatch(/^ {4}at /m);
  });
});
