/**
 * A worker thread of the parallel explorers that dies is reported at once as an internal
 * error, with the statistics of the search so far, in both parallel explorers (the generic
 * engine's, src/explore/parallel/explorer.ts, and the packed engine's, vector-explorer.ts).
 * The death is made by the test hook SPEX_TEST_WORKER_EXIT=n (worker n ends its thread on its
 * first job, without a word); SPEX_WORKERS_EAGER=1 sends every level through the workers.
 */
import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
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
