#!/usr/bin/env node
// A swarm of N local jobs against the plain check, for bench/run.mjs (--only swarm):
//
//   node bench/swarm-run.mjs FILE --jobs N [--check NAME] [--const NAME=VALUE ...]
//
// First the plain `spex check` (one process, --workers 1), then jobs 1..N of
// `spex check --swarm i/N --out DIR/job-i.json` started together, then `spex swarm merge`.
// Prints one JSON line {type: 'result', ...}: the plain check's wall time and verdict, the
// time from the swarm's start to the first job that exits with a violation, to the last job's
// exit, and to the merged verdict (the merge included), and each job's mode, exit code and time.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const CLI = join(ROOT, 'dist', 'cli', 'main.js');
const argv = process.argv.slice(2);
const file = argv[0];
let jobs = 4;
const extra = [];
for (let i = 1; i < argv.length; i++) {
  if (argv[i] === '--jobs') jobs = Number(argv[++i]);
  else extra.push(argv[i]);
}
const VIOLATION = new Set([11, 12, 13, 75]);

const t0 = performance.now();
const plain = spawnSync(process.execPath, [CLI, 'check', file, '--workers', '1', '--quiet', ...extra], { cwd: ROOT, encoding: 'utf8' });
const plainSeconds = (performance.now() - t0) / 1000;

const dir = mkdtempSync(join(tmpdir(), 'spex-swarm-bench-'));
const paths = [...Array(jobs).keys()].map((i) => join(dir, `job-${i + 1}.json`));
const start = performance.now();
const runs = await Promise.all(
  paths.map(
    (out, i) =>
      new Promise((resolve) => {
        const p = spawn(process.execPath, [CLI, 'check', file, '--swarm', `${i + 1}/${jobs}`, '--out', out, '--quiet', ...extra], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
        let stdout = '';
        p.stdout.on('data', (d) => (stdout += d));
        p.stderr.on('data', () => {});
        p.on('close', (code) => {
          const seconds = (performance.now() - start) / 1000;
          const mode = existsSync(out) ? JSON.parse(readFileSync(out, 'utf8')).job.mode : '?';
          resolve({ job: i + 1, code, seconds, mode, ok: stdout.includes('swarm job result written') });
        });
      }),
  ),
);
const allDone = (performance.now() - start) / 1000;
const merge = spawnSync(process.execPath, [CLI, 'swarm', 'merge', ...paths], { cwd: ROOT, encoding: 'utf8' });
const merged = (performance.now() - start) / 1000;
rmSync(dir, { recursive: true, force: true });
const found = runs.filter((r) => VIOLATION.has(r.code)).map((r) => r.seconds);
console.log(
  JSON.stringify({
    type: 'result',
    plain: { code: plain.status, seconds: plainSeconds },
    firstViolation: found.length > 0 ? Math.min(...found) : null,
    allDone,
    merged,
    mergeCode: merge.status,
    verdictLine: merge.stdout.split('\n').filter((l) => /^\S.*: (violation|verified|no violation)/.test(l)).join(' | '),
    jobs: runs,
  }),
);
