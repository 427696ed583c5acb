/**
 * A process whose address space is limited (`ulimit -v`): the packed engine's seen set reserves
 * address space for its growth (FlatFingerprintSet, on a growable SharedArrayBuffer), as much as
 * it may need and no more, and makes a plain table when even that cannot be had. A reservation
 * of 4 GiB a set made a one-thread search fail at once under a limit of 4 GB. The parallel
 * vector explorer's shared buffers reserve 4 GiB each: where they cannot, the search runs on
 * one thread (it was an internal error, and with temporal properties a stop for memory).
 */
import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { root } from './support/cli.js';

describe('a limited address space', () => {
  it('still runs a one-thread search of a million states', () => {
    // 4,000,000 KiB of address space: node itself takes much of it.
    const r = spawnSync('bash', ['-c', `ulimit -v 4000000 && exec "${process.execPath}" dist/cli/spex.cjs check spec/bench/counter-grid.spex --const N=4 --const K=21 --workers 1`], {
      cwd: root,
      encoding: 'utf8',
    });
    expect(r.stderr).not.toContain('internal error');
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('972405 distinct states, 1555849 generated, depth 162');
  });

  it('runs on one thread when the parallel search cannot reserve its shared buffers, and says so', () => {
    // With temporal properties too, whose state graph stays in memory (no search on disk).
    for (const [args, figures] of [
      ['spec/bench/counter-grid.spex --const N=4 --const K=21', '972405 distinct states, 1555849 generated, depth 162'],
      ['spec/bench/counter-grid-live.spex --check StrongAcquire --const N=4 --const K=7', '12005 distinct states'],
    ] as const) {
      const r = spawnSync('bash', ['-c', `ulimit -v 4000000 && exec "${process.execPath}" dist/cli/spex.cjs check ${args} --workers 2`], {
        cwd: root,
        encoding: 'utf8',
        env: { ...process.env, SPEX_WORKERS_EAGER: '1' },
      });
      expect(r.stderr).not.toContain('internal error');
      expect(r.status).toBe(0);
      expect(r.stdout + r.stderr).toContain('could not reserve the address space of a shared buffer');
      expect(r.stdout + r.stderr).toContain('exploring with 1 worker instead of 2');
      expect(r.stdout).toContain(figures);
    }
  });
});
