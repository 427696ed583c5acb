/**
 * Interrupts and the memory budget through the real CLI (src/explore/guard.ts). Interrupts go
 * through `spex` itself (dist/cli/spex.js, the bin, which runs the command in a worker thread
 * and takes the signals on its main thread): a search that would run for minutes (counter-grid with
 * K = 60, some 65 million states) is started with --progress; once its first progress line is
 * on stderr the test sends the signal, and the run must end with the partial statistics, the
 * "interrupted" verdict and exit code 128 + the signal's number. Nothing here waits on a
 * clock: the signal goes when the progress line is there.
 */
import { describe, expect, it } from 'vitest';
import { totalmem } from 'node:os';
import { spex, spexSignalled } from './support/cli.js';
import { defaultMaxMemory, parseMemorySize } from '../src/explore/guard.js';


/** A progress line: the search is under way. */
const PROGRESS_LINE = /^progress: /m;

// A progress line a tenth of a second into the search, not a second: the signal comes as soon.
const LONG = ['spec/bench/counter-grid.spex', '--const', 'N=4', '--const', 'K=60', '--progress', '--progress-interval', '0.1'];


describe('SIGINT and SIGTERM stop the search and report', () => {
  it.each([1, 2])('check, SIGINT, %i worker(s): partial statistics, interrupted, exit 130', async (workers) => {
    const r = await spexSignalled(['check', ...LONG, '--workers', String(workers)], PROGRESS_LINE, ['SIGINT']);
    expect(r.stderr).not.toMatch(/^ {4}at /m);
    expect(r.code).toBe(130);
    expect(r.stdout).toMatch(/^Interrupted \(SIGINT\): the search was stopped before it was complete; nothing was violated up to there\.$/m);
    const m = /^(\d+) distinct states, (\d+) generated, depth (\d+), /m.exec(r.stdout);
    expect(m).not.toBeNull();
    // Partial: more than nothing, less than the whole (65 million).
    expect(Number(m![1])).toBeGreaterThan(0);
    expect(Number(m![1])).toBeLessThan(60 ** 4 * 5);
  });

  it('check --json, SIGTERM, 2 workers: stats, check and exit events, exit 143', async () => {
    const r = await spexSignalled(['check', ...LONG, '--workers', '2', '--json'], PROGRESS_LINE, ['SIGTERM']);
    expect(r.code).toBe(143);
    const events = r.stdout.trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    const last = events.at(-1)!;
    expect(last).toEqual({ event: 'exit', code: 143 });
    const check = events.find((e) => e['event'] === 'check')!;
    expect(check['verdict']).toBe('interrupted');
    expect(check['name']).toBe('SIGTERM');
    expect(check['exitCode']).toBe(143);
    const stats = events.find((e) => e['event'] === 'stats')!;
    expect(stats['distinct']).toBeGreaterThan(0);
  });

  it('test: reports what ran, then the interrupted check, and stops', async () => {
    const r = await spexSignalled(['test', ...LONG, '--workers', '1'], PROGRESS_LINE, ['SIGINT']);
    expect(r.code).toBe(130);
    expect(r.stdout).toMatch(/^INTERRUPTED spec\/bench\/counter-grid\.spex Small {2}\(\d+ distinct states, \d+ generated, depth \d+, /m);
    expect(r.stdout).toMatch(/^0 passed, 0 failed, interrupted /m);
  });

  it('a second signal ends the process at once', async () => {
    // Two different signals (the same one twice may merge into one while pending).
    const r = await spexSignalled(['check', ...LONG, '--workers', '1'], PROGRESS_LINE, ['SIGINT', 'SIGTERM']);
    expect(r.stderr).toMatch(/(SIGINT|SIGTERM) again: stopping at once/);
    expect([130, 143]).toContain(r.code);
  });
});

describe('--max-memory', () => {
  it('stops the search with the partial report and exit 152 once the process is over it (--no-spill)', () => {
    // 1 MiB: any process is over it, so the search stops at its first checkpoint. (Without
    // --no-spill it would go on on disk: test/disk.test.ts.)
    const r = spex('check', 'spec/bench/counter-grid.spex', '--const', 'N=4', '--const', 'K=60', '--max-memory', '1m', '--workers', '1', '--no-spill');
    expect(r.code).toBe(152);
    expect(r.stdout).toMatch(/^Stopped: the memory limit was reached before the search was complete \(the process used \d+ MiB, over --max-memory 1 MiB\); nothing was violated up to there\. --max-memory raises the limit\.$/m);
    expect(r.stdout).toMatch(/^\d+ distinct states, \d+ generated, depth \d+, /m);
  });

  it('is sent as a limit in --json', () => {
    const r = spex('check', 'spec/bench/counter-grid.spex', '--const', 'N=4', '--const', 'K=60', '--max-memory', '1m', '--workers', '2', '--json', '--no-spill');
    expect(r.code).toBe(152);
    const check = r.stdout.trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>).find((e) => e['event'] === 'check')!;
    expect([check['verdict'], check['name']]).toEqual(['limit', 'memory']);
  });

  it('takes sizes in bytes or with k, m, g, t (powers of 1024), and refuses others', () => {
    expect(parseMemorySize('512m')).toBe(512 * 1024 * 1024);
    expect(parseMemorySize('4G')).toBe(4 * 1024 ** 3);
    expect(parseMemorySize('1.5g')).toBe(1.5 * 1024 ** 3);
    expect(parseMemorySize('2000000')).toBe(2_000_000);
    expect(parseMemorySize('4gb')).toBe(4 * 1024 ** 3);
    expect(parseMemorySize('1.5k')).toBe(1536);
    // A fraction of a byte: 1.5 GiB meant, perhaps; not 1 byte.
    for (const bad of ['', 'lots', '-1g', '0', '4x', '1.5', '2.5b']) expect(parseMemorySize(bad)).toBeUndefined();
    const r = spex('check', 'spec/examples/diehard.spex', '--max-memory', 'lots');
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/expected a size such as 512m, 4g/);
  });

  it('defaults to 3/4 of the machine or cgroup memory', () => {
    const d = defaultMaxMemory();
    expect(d).toBeGreaterThan(0);
    expect(d).toBeLessThanOrEqual(0.75 * totalmem());
  });
});
