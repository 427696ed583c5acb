/**
 * A swarm of four local jobs (child processes, `--swarm 1/4` … `4/4`) on the memcg library,
 * merged with `spex swarm merge`: the merged verdict is `spex check`'s, the merged trace
 * replays and is as short as the exhaustive job's, and a job is a function of (i, n, seed).
 * Runs the built CLI (npm test builds dist/ first). Small configurations only.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { root, spex } from '../support/cli.js';
import type { JobRecord } from '../../src/swarm/record.js';

const dir = mkdtempSync(join(tmpdir(), 'spex-swarm-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Runs the CLI without waiting, so that the jobs of a swarm run side by side. */
function spexAsync(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const p = spawn(process.execPath, ['dist/cli/main.js', ...args], { cwd: root });
    let stdout = '';
    let stderr = '';
    p.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    p.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    p.on('error', reject);
    p.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr }));
  });
}

/** Runs jobs 1..n of a swarm on FILE (extra args after), each writing DIR/NAME-i.json. */
async function swarm(name: string, n: number, file: string, ...extra: string[]): Promise<string[]> {
  const paths = [...Array(n).keys()].map((i) => join(dir, `${name}-${i + 1}.json`));
  const runs = await Promise.all(paths.map((out, i) => spexAsync('check', file, '--swarm', `${i + 1}/${n}`, '--out', out, ...extra)));
  for (const r of runs) {
    expect(r.stderr).not.toContain('internal error');
    expect([0, 11, 12, 13, 152]).toContain(r.code);
  }
  return paths;
}

const read = (path: string): JobRecord => JSON.parse(readFileSync(path, 'utf8')) as JobRecord;

describe('a swarm of four local jobs', () => {
  it('on rfc-reparent-lrus.spex: the merged verdicts and exit code are spex check\'s, with the exhaustive job\'s shortest trace', async () => {
    const file = 'spec/memcg/rfc-reparent-lrus.spex';
    const paths = await swarm('rfc', 4, file);
    expect(paths.map((p) => read(p).job.mode)).toEqual(['exhaustive', 'bitstate', 'simulate', 'depth']);
    const check = spex('check', file, '--json');
    const verdicts = check.stdout.trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>).filter((e) => e['event'] === 'check');

    const itf = join(dir, 'rfc-merged.itf.json');
    const m = spex('swarm', 'merge', ...paths, '--json', '--out-itf', itf);
    expect(m.code).toBe(check.code);
    const merged = m.stdout.trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>).filter((e) => e['event'] === 'merged');
    expect(merged.map((e) => [e['check'], e['verdict'], e['name']])).toEqual(verdicts.map((e) => [e['check'], e['verdict'], e['name']]));
    // The passing check is verified by the exhaustive job, the failing one has a trace.
    expect(merged.map((e) => e['status'])).toEqual(['violation', 'verified']);
    const awol = merged[0]!;
    const bfs = read(paths[0]!).checks[0]!;
    expect(awol['steps']).toBe(bfs.steps);
    for (const p of paths) {
      const c = read(p).checks[0]!;
      if (c.verdict === 'violation') {
        expect(c.replayed).toBe(true);
        expect(c.steps!).toBeGreaterThanOrEqual(awol['steps'] as number);
      }
    }
    // The merged trace is a real behaviour of the spec.
    const replay = spex('replay', join(dir, 'rfc-merged.itf.json'), file);
    expect(replay.code).toBe(0);
    expect(replay.stdout).toContain('NoAwol');
  }, 60_000);

  it('on reparent.spex: a violation 25 steps deep, past the depth job\'s bound, found by the exhaustive, bitstate and random-walk jobs', async () => {
    const file = 'spec/memcg/reparent.spex';
    const paths = await swarm('rep', 4, file, '--check', 'Scenario11b_PutParentFirstUngated');
    const checks = paths.map((p) => read(p).checks[0]!);
    expect(checks.map((c) => [c.search, c.verdict])).toEqual([
      ['exhaustive', 'violation'],
      ['bitstate', 'violation'],
      ['simulate', 'violation'],
      ['depth', 'limit'],
    ]);
    const m = spex('swarm', 'merge', ...paths, '--spec', file);
    expect(m.code).toBe(12);
    expect(m.stdout).toContain('Scenario11b_PutParentFirstUngated: violation NoFreeIntoFreed, found by jobs 1/4, 2/4, 3/4 of 4');
    expect(m.stdout).toContain(`the shortest trace found: ${checks[0]!.steps} steps, from job 1/4 (exhaustive, a shortest one)`);
    expect(m.stdout).toContain('the trace replays on the spec');
  }, 60_000);

  it('on a temporal property: the bitstate job searches exactly instead, and the lasso replays', () => {
    const file = 'spec/memcg/reparent.spex';
    const out = join(dir, 'lasso-2.json');
    const r = spex('check', file, '--check', 'Scenario19_FilipeStalledOwnerLoops', '--swarm', '2/4', '--out', out);
    expect(r.code).toBe(13);
    expect(r.stderr).toContain("checks temporal property 'OfflineTerminates', which bitstate hashing cannot: this job runs an exact breadth-first search instead");
    const c = read(out).checks[0]!;
    expect(c).toMatchObject({ search: 'bfs', verdict: 'violation', name: 'OfflineTerminates', replayed: true, shortest: true });
    expect((c.trace as { loop?: number }).loop).toBeDefined();
    const m = spex('swarm', 'merge', out, '--spec', file);
    expect(m.code).toBe(13);
    expect(m.stdout).toContain('the trace replays on the spec');
    // Asked for explicitly, bitstate hashing of a temporal property is refused before anything runs.
    const forced = spex('check', file, '--check', 'Scenario19_FilipeStalledOwnerLoops', '--bitstate', '2^20');
    expect(forced.code).toBe(120);
    expect(forced.stderr).toContain('error[E257]');
    expect(forced.stdout).toBe('');
  });

  it('without the exhaustive job: no violation found, which is not a proof (exit 152)', () => {
    const m = spex('swarm', 'merge', join(dir, 'rfc-2.json'), join(dir, 'rfc-3.json'));
    expect(m.code).toBe(12);
    expect(m.stdout).toContain('PutbackToNearestOnline: no violation found (not a proof)');
    const only = spex('swarm', 'merge', join(dir, 'rfc-3.json'), join(dir, 'rfc-2.json'), '--json');
    const merged = only.stdout.trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>).find((e) => e['event'] === 'merged' && e['check'] === 'PutbackToNearestOnline')!;
    expect(merged['status']).toBe('unproven');
    expect(merged['exitCode']).toBe(152);
  });

  it('gives the same result for the same i/n and seed, every run', () => {
    const strip = (r: JobRecord): unknown => ({ ...r, checks: r.checks.map((c) => ({ ...c, seconds: 0 })) });
    const again = join(dir, 'again.json');
    for (const i of [2, 3]) {
      spex('check', 'spec/memcg/rfc-reparent-lrus.spex', '--swarm', `${i}/4`, '--out', again);
      expect(strip(read(again))).toEqual(strip(read(join(dir, `rfc-${i}.json`))));
    }
    const other = spex('check', 'spec/memcg/rfc-reparent-lrus.spex', '--swarm', '2/4', '--seed', '9', '--check', 'RfcAwol', '--json');
    expect(other.stdout).toContain('"event":"swarm"');
    const m = spex('swarm', 'merge', join(dir, 'rfc-1.json'), join(dir, 'rfc-2.json'));
    expect(m.code).toBe(12);
  });

  it('merges the NDJSON of --json as it merges --out files', () => {
    const ndjson = join(dir, 'job2.ndjson');
    const r = spex('check', 'spec/memcg/rfc-reparent-lrus.spex', '--swarm', '2/4', '--json');
    writeFileSync(ndjson, r.stdout);
    const a = spex('swarm', 'merge', join(dir, 'rfc-1.json'), ndjson, '--json');
    const b = spex('swarm', 'merge', join(dir, 'rfc-1.json'), join(dir, 'rfc-2.json'), '--json');
    expect(a.stdout).toBe(b.stdout);
  });
});

describe('merging results no swarm gives', () => {
  const real = join(dir, 'diehard-1.json');
  beforeAll(() => {
    expect(spex('check', 'spec/examples/diehard.spex', '--swarm', '1/2', '--out', real).code).toBe(12);
  });
  /** The result of a real job 1/2 on diehard.spex, edited, in DIR/NAME. */
  const edited = (name: string, edit: (r: JobRecord) => JobRecord): string => {
    const path = join(dir, name);
    writeFileSync(path, JSON.stringify(edit(read(real))));
    return path;
  };

  it('refuses a job index outside 1..n (E258, exit 120), as --swarm 7/2 is refused', () => {
    for (const index of [7, 0]) {
      const path = edited(`index-${index}.json`, (r) => ({ ...r, job: { ...r.job, index } }));
      const m = spex('swarm', 'merge', path);
      expect(m.code).toBe(120);
      expect(m.stdout).toBe('');
      expect(m.stderr).toContain(`error[E258]: ${path} is not a swarm job result: it is job ${index} of 2, and the jobs of a swarm of 2 are numbered 1 to 2`);
      expect(m.stderr).toContain('hint: no swarm job writes this (was the file edited?)');
    }
  });

  it('refuses a result with no checks rather than exit 0 with no verdict, in text and in --json', () => {
    const path = edited('no-checks.json', (r) => ({ ...r, checks: [] }));
    const why = `${path} is not a swarm job result: it has no checks, and its job was not interrupted (exit code 12)`;
    const m = spex('swarm', 'merge', path);
    expect(m.code).toBe(120);
    expect(m.stdout).toBe('');
    expect(m.stderr).toContain(`error[E258]: ${why}`);
    // With --json the refusal is an error event, then the exit event.
    const j = spex('swarm', 'merge', path, '--json');
    expect(j.code).toBe(120);
    const events = j.stdout.trim().split('\n').map((l) => JSON.parse(l) as { event: string; kind?: string; code?: number; diagnostics?: { code: string; message: string }[] });
    expect(events.map((e) => e.event)).toEqual(['error', 'exit']);
    expect(events[0]!.kind).toBe('static');
    expect(events[0]!.diagnostics![0]).toMatchObject({ code: 'E258', message: why });
    expect(events[1]!.code).toBe(120);
  });

  it('refuses jobs of swarms of different sizes (E259) instead of calling the given job missing', () => {
    const other = edited('job-2-of-3.json', (r) => ({ ...r, job: { ...r.job, index: 2, of: 3 } }));
    const m = spex('swarm', 'merge', real, other);
    expect(m.code).toBe(120);
    expect(m.stdout).toBe('');
    expect(m.stderr).toContain(`error[E259]: ${other} is job 2/3, of a swarm of 3, and ${real} job 1/2, of a swarm of 2`);
  });

  it('refuses a violation whose exit code says it passed (E258), which would make the merge exit 0', () => {
    const path = edited('exit-0.json', (r) => ({ ...r, job: { ...r.job, index: 2 }, checks: r.checks.map((c) => ({ ...c, exitCode: 0 })) }));
    const m = spex('swarm', 'merge', real, path);
    expect(m.code).toBe(120);
    expect(m.stderr).toContain(`error[E258]: ${path} is not a swarm job result: check DieHard has verdict violation and exit code 0, not 12 or 13`);
    // The result as the job wrote it merges.
    expect(spex('swarm', 'merge', real).code).toBe(12);
  });
});
