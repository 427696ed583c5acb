#!/usr/bin/env node
// Runs one spex check in-process and reports it as JSON lines on stdout, for bench/run.mjs.
// One process per check, so that its peak RSS is the check's alone.
//
//   node bench/spex-one.mjs FILE [--check NAME] [--const NAME=VALUE]... [--workers N|auto] [--engine E] [--deadline SECONDS]
//   node bench/spex-one.mjs FILE ... --simulate RUNS [--depth D] [--seed S]   (spex simulate's walks instead)
//   node bench/spex-one.mjs FILE ... [--max-memory MIB] [--checkpoint DIR [--resume] [--checkpoint-states N] [--kill-after N] [--checkpoint-on-disk]]
//     the disk-backed search (docs/scale.md): the memory budget it goes on on disk past; checkpoints
//     into DIR (every N expansions; the process kills itself with SIGKILL after that many of them),
//     written by the in-memory search, or with --checkpoint-on-disk by the disk-backed search from
//     the start (SPEX_CHECKPOINT_ON_DISK)
//
// Output: a {"type":"progress",...} line about once a second during long runs (so that a run
// killed for lack of memory still leaves its last known size behind), then one
// {"type":"result",...} line. With --deadline, a run still going after that many seconds
// stops at its next progress report and ends with {"type":"timeout",...} instead.
//
// Uses the built engine (dist/); run `npm run build` first.
import { constOverrides, loadSpec, runCheck, selectChecks } from '../dist/engine/run.js';
import { runSimulation } from '../dist/engine/simulate.js';
import { setMemoryBudget } from '../dist/explore/guard.js';

const argv = process.argv.slice(2);
let file;
let check;
let deadline = Infinity;
let workers = 1;
let engine = 'auto';
let simulate;
let depth = 100;
let seed = 0;
const consts = [];
const disk = {};
for (let i = 0; i < argv.length; i++) {
  const a = argv[i];
  if (a === '--check') check = argv[++i];
  else if (a === '--const') consts.push(argv[++i]);
  else if (a === '--deadline') deadline = Number(argv[++i]);
  else if (a === '--workers') workers = argv[++i] === 'auto' ? 'auto' : Number(argv[i]);
  else if (a === '--engine') engine = argv[++i];
  else if (a === '--simulate') simulate = Number(argv[++i]);
  else if (a === '--depth') depth = Number(argv[++i]);
  else if (a === '--seed') seed = Number(argv[++i]);
  else if (a === '--max-memory') setMemoryBudget(Number(argv[++i]) * 2 ** 20);
  else if (a === '--checkpoint') disk.checkpoint = argv[++i];
  else if (a === '--resume') disk.resume = true;
  else if (a === '--checkpoint-states') disk.checkpointEveryStates = Number(argv[++i]);
  else if (a === '--kill-after') disk.killAfterCheckpoints = Number(argv[++i]);
  else if (a === '--checkpoint-on-disk') process.env['SPEX_CHECKPOINT_ON_DISK'] = '1';
  else if (file === undefined) file = a;
  else throw new Error(`unexpected argument ${a}`);
}
if (file === undefined) {
  console.error('usage: node bench/spex-one.mjs FILE [--check NAME] [--const NAME=VALUE]... [--workers N] [--engine E] [--deadline SECONDS]');
  process.exit(1);
}

const rssMiB = () => process.resourceUsage().maxRSS / 1024;
const emit = (o) => process.stdout.write(JSON.stringify(o) + '\n');

const loadStart = performance.now();
const { spec } = loadSpec(file);
const checks = selectChecks(spec, check);
if (checks.length !== 1) throw new Error(`${file}: ${checks.length} checks selected; pass --check NAME`);
const cli = constOverrides(spec, consts);
const loadSeconds = (performance.now() - loadStart) / 1000;

if (simulate !== undefined) {
  const start = performance.now();
  const r = runSimulation(spec, checks[0], cli, { consts, workers, engine, depth, seed, runs: simulate, seconds: Infinity, shrinkBudget: 0 });
  const seconds = (performance.now() - start) / 1000;
  const s = r.simulation;
  emit({
    type: 'result', check: r.name ?? null, verdict: r.verdict, exitCode: r.exitCode, expected: 'ok', simulate: true,
    walks: s.walks, steps: s.steps, generated: s.generated, longest: s.longest, workers: s.workers, engine: r.engine,
    seconds, simulateSeconds: s.elapsed, loadSeconds, maxRssMiB: rssMiB(),
  });
  process.exit(0);
}

const start = performance.now();
const r = runCheck(spec, checks[0], cli, {
  consts,
  workers,
  engine,
  disk,
  onProgress(p) {
    emit({ type: 'progress', ...p, maxRssMiB: rssMiB() });
    if (p.seconds > deadline) {
      emit({ type: 'timeout', ...p, deadline, maxRssMiB: rssMiB() });
      process.exit(3);
    }
  },
});
const seconds = (performance.now() - start) / 1000;
const stats = r.result?.stats;
emit({
  type: 'result',
  check: r.name ?? null,
  verdict: r.verdict,
  exitCode: r.exitCode,
  expected: r.expect?.kind ?? 'ok',
  distinct: stats?.distinct ?? 0,
  generated: stats?.generated ?? 0,
  depth: stats?.depth ?? 0,
  workers: r.workers,
  /** How many threads explored at most, and why (auto: what the measurements said). */
  threads: r.threads?.threads,
  threadsReason: r.threads?.reason,
  engine: r.engine,
  /** runCheck's wall time: compiling the configuration plus exploring it. */
  seconds,
  /** The explorer's own clock (exploration only). */
  exploreSeconds: stats?.seconds ?? 0,
  loadSeconds,
  bytesPerState: stats?.bytesPerState ?? 0,
  maxRssMiB: rssMiB(),
  ...(r.result?.disk ? { disk: r.result.disk } : {}),
});
