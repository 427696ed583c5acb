#!/usr/bin/env node
// spex's benchmark: `npm run bench` (builds first), or `node bench/run.mjs` on a fresh build.
//
//   node bench/run.mjs [--quick] [--only NAME] [--reps R] [--deadline SECONDS] [--no-record]
//
//   --quick       skip the largest configurations (counter-grid K=37, 9.37M states; wide P=20,000,
//                 a level of 400 MB; states that wide run on one thread whatever --workers says)
//   --only NAME   run only the benchmarks whose name contains NAME (counter-grid, memcg, wide,
//                 twophase, temporal, simulate, symmetry, refinement, diehard, spin, parse, swarm,
//                 disk)
//   --reps R      runs shorter than 10 s are repeated R times and the fastest is kept (default 3)
//   --deadline S  a spex run still exploring after S seconds is stopped and reported (default 300)
//   --no-record   do not append the results to bench/results.md
//   --workers L   spex runs with each of these worker counts, comma-separated (default: 1, the
//                 number of cores and auto), one row each; runs of a configuration alternate;
//                 auto's row says how many threads ran
//   --engine E    spex's --engine: auto (the default: packed where the spec allows), packed or
//                 generic; the engine column says which one ran
//
// Every spex run is a child process (bench/spex-one.mjs) so its peak RSS is its own; so is
// every hand-written BFS (bench/handwritten/). Counts are checked against the hand-written
// BFS and TLC's closed forms; any mismatch, or a verdict other than the expected one, is
// printed loudly and makes the exit code 1. See bench/README.md.
import { spawnSync, execFileSync } from 'node:child_process';
import { appendFileSync, existsSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, cpus, loadavg, tmpdir, totalmem } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runSpinGroup, timed } from './spin.mjs';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const RESULTS = join(ROOT, 'bench', 'results.md');
const HEAP = '--max-old-space-size=16384';

// ---- command line

const argv = process.argv.slice(2);
const opt = { quick: false, only: undefined, reps: 3, deadline: 300, record: true, workers: [...new Set([1, availableParallelism()]), 'auto'], engine: 'auto' };
for (let i = 0; i < argv.length; i++) {
  const a = argv[i];
  if (a === '--quick') opt.quick = true;
  else if (a === '--only') opt.only = argv[++i];
  else if (a === '--reps') opt.reps = Number(argv[++i]);
  else if (a === '--deadline') opt.deadline = Number(argv[++i]);
  else if (a === '--no-record') opt.record = false;
  else if (a === '--workers') opt.workers = argv[++i].split(',').map((w) => (w === 'auto' ? 'auto' : Number(w)));
  else if (a === '--engine') opt.engine = argv[++i];
  else {
    console.error(`bench: unknown argument ${a}`);
    process.exit(1);
  }
}
if (!existsSync(join(ROOT, 'dist', 'engine', 'run.js'))) {
  console.error('bench: dist/ is missing; run `npm run build` (or `npm run bench`, which builds first)');
  process.exit(1);
}

// ---- the benchmarks

/** TLC's closed forms for counter-grid. */
function counterGridCounts(N, K) {
  return { distinct: K ** N * (N + 1), generated: 2 * N * K ** N + 1, depth: 2 * N * (K - 1) + 2 };
}

const BENCHMARKS = [
  {
    name: 'counter-grid',
    title: 'counter-grid (spec/bench/counter-grid.spex): N processes, one lock, counters mod K',
    file: 'spec/bench/counter-grid.spex',
    configs: [7, 12, 21, 37].map((K) => ({
      label: `N=4 K=${K}`,
      consts: ['N=4', `K=${K}`],
      hand: ['bench/handwritten/counter-grid.mjs', '4', String(K)],
      tlc: counterGridCounts(4, K),
      big: K === 37,
    })),
  },
  {
    name: 'memcg',
    title: 'memcg RFC (spec/memcg/rfc-reparent-lrus.spex), check PutbackToNearestOnline',
    file: 'spec/memcg/rfc-reparent-lrus.spex',
    check: 'PutbackToNearestOnline',
    configs: [{ label: 'PAGES=5', consts: ['PAGES=5', 'PUTBACK=ToNearestOnline'] }],
  },
  // Temporal properties: the state graph recorded (by the threads too, packed engine), then
  // the sequential SCC/lasso search; wall time includes both.
  {
    name: 'temporal-counter-grid',
    title: 'temporal: counter-grid with liveness (spec/bench/counter-grid-live.spex), check StrongAcquire (every property holds)',
    file: 'spec/bench/counter-grid-live.spex',
    check: 'StrongAcquire',
    configs: [12, 21].map((K) => ({ label: `N=4 K=${K}`, consts: ['N=4', `K=${K}`] })),
  },
  {
    name: 'temporal-memcg',
    title: 'temporal: memcg reparent (spec/memcg/reparent.spex), check Scenario7_FairReclaimTerminates (11-13 property instances hold)',
    file: 'spec/memcg/reparent.spex',
    check: 'Scenario7_FairReclaimTerminates',
    configs: [5, 6, 7].map((P) => ({ label: `PAGES=${P}`, consts: [`PAGES=${P}`] })),
  },
  {
    name: 'temporal-general',
    title: 'temporal: ReadersWriters (spec/tlaplus/readerswriters.spex), check MC: one general formula, a conjunction of 4 × N `always eventually` (checked conjunct by conjunct)',
    file: 'spec/tlaplus/readerswriters.spex',
    check: 'MC',
    configs: [3, 4].map((N) => ({ label: `NumActors=${N}`, consts: [`NumActors=${N}`], big: N === 4 })),
  },
  // Wide states: few states, thousands of slots each (docs/engine.md, "The search on one thread").
  {
    name: 'wide',
    title: 'wide states (spec/bench/wide-pages.spex): a map over P pages, at most one off its LRU; P + 1 states of P + 1 slots',
    file: 'spec/bench/wide-pages.spex',
    check: 'Small',
    configs: [2000, 20000].map((P) => ({ label: `P=${P}`, consts: [`P=${P}`], big: P === 20000 })),
  },
  {
    name: 'wide-counted',
    title: 'wide states with an unbounded Int (spec/bench/wide-pages-counted.spex): wide-pages.spex and a count of pages taken off; P + 1 states of P + 2 slots',
    file: 'spec/bench/wide-pages-counted.spex',
    check: 'Small',
    configs: [2000, 20000].map((P) => ({ label: `P=${P}`, consts: [`P=${P}`], big: P === 20000 })),
  },
  {
    name: 'twophase',
    title: 'TwoPhase (spec/examples/twophase.spex), check TwoPhase3 with N resource managers',
    file: 'spec/examples/twophase.spex',
    check: 'TwoPhase3',
    configs: [5, 7].map((N) => ({
      label: `N=${N}`,
      consts: [`N=${N}`],
      hand: ['bench/handwritten/twophase.mjs', String(N)],
    })),
  },
  // Symmetry reduction (docs/symmetry.md): the same configuration with and without
  // `symmetry`, one worker (a reduced run explores on one thread), the generic engine for
  // the symmetric rows (the packed engine does not reduce).
  // Refinement (docs/refinement.md): the same search with and without `refines`, one worker
  // (a check with a refinement explores on one thread).
  {
    name: 'refinement',
    title: 'refinement: Barriers (spec/tlaplus/barriers.spex), N processes; the invariants and `refines Barrier` (BarriersCfg), or the invariants only (BarriersInvariants)',
    file: 'spec/tlaplus/barriers.spex',
    workers: [1],
    configs: [6, 7].flatMap((N) => [
      { label: `N=${N} refines`, check: 'BarriersCfg', consts: [`N=${N}`] },
      { label: `N=${N} invariants only`, check: 'BarriersInvariants', consts: [`N=${N}`] },
    ]),
  },
  {
    name: 'symmetry-twophase',
    title: 'symmetry: TwoPhase (spec/bench/twophase-symmetric.spex), resource managers symmetric (SymmetricRMs) or not (PlainRMs)',
    file: 'spec/bench/twophase-symmetric.spex',
    workers: [1],
    configs: [3, 5, 7].flatMap((N) => [
      { label: `N=${N} symmetric`, check: 'SymmetricRMs', consts: [`N=${N}`] },
      { label: `N=${N} plain`, check: 'PlainRMs', consts: [`N=${N}`] },
    ]),
  },
  {
    name: 'symmetry-memcg',
    title: 'symmetry: memcg reparent (spec/bench/reparent-symmetric.spex), pages symmetric (SymmetricPages) or not (PlainPages)',
    file: 'spec/bench/reparent-symmetric.spex',
    workers: [1],
    configs: [3, 4, 5].flatMap((P) => [
      { label: `PAGES=${P} symmetric`, check: 'SymmetricPages', consts: [`PAGES=${P}`] },
      { label: `PAGES=${P} plain`, check: 'PlainPages', consts: [`PAGES=${P}`] },
    ]),
  },
  {
    name: 'symmetry-workers',
    title: 'symmetry: process instances (spec/bench/workers-symmetric.spex), N workers with call stacks, symmetric (SymmetricWorkers) or not (PlainWorkers)',
    file: 'spec/bench/workers-symmetric.spex',
    workers: [1],
    configs: [3, 4, 5].flatMap((N) => [
      { label: `N=${N} symmetric`, check: 'SymmetricWorkers', consts: [`N=${N}`] },
      { label: `N=${N} plain`, check: 'PlainWorkers', consts: [`N=${N}`] },
    ]),
  },
];

/**
 * Simulation throughput (spex simulate): states generated per second by random walks, against
 * the breadth-first search's on the same configuration. Walks store no states, so the figure
 * to compare is generated/s; no problem is found in these configurations, so every walk runs
 * to its full depth.
 */
const SIMULATIONS = [
  { label: 'memcg RFC PAGES=5', file: 'spec/memcg/rfc-reparent-lrus.spex', check: 'PutbackToNearestOnline', consts: ['PAGES=5', 'PUTBACK=ToNearestOnline'], runs: 2000, depth: 100 },
  { label: 'TwoPhase N=7', file: 'spec/examples/twophase.spex', check: 'TwoPhase3', consts: ['N=7'], runs: 2000, depth: 100 },
];

// ---- running children

/**
 * Runs each of `runs` (one per worker count), repeating all of them in turn while they are
 * short, so that the rows of one configuration see the same machine; keeps each one's fastest.
 */
function bestAlternating(runs) {
  const bests = runs.map((run) => run());
  for (let i = 1; i < opt.reps; i++) {
    if (!bests.every((r) => r.ok && r.seconds < 10)) break;
    runs.forEach((run, k) => {
      const r = run();
      if (!r.ok) bests[k] = r;
      else if (bests[k].ok && r.seconds < bests[k].seconds) bests[k] = r;
    });
  }
  return bests;
}

/** Repeat a run while it is short; keep the fastest. */
function best(run) {
  let first = run();
  if (!first.ok || first.seconds >= 10) return first;
  for (let i = 1; i < opt.reps; i++) {
    const r = run();
    if (!r.ok) return r;
    if (r.seconds < first.seconds) first = r;
  }
  return first;
}

function lastJson(stdout, type) {
  const lines = stdout.split('\n').filter((l) => l.startsWith('{'));
  for (let i = lines.length - 1; i >= 0; i--) {
    const o = JSON.parse(lines[i]);
    if (type === undefined || o.type === type) return o;
  }
  return undefined;
}

/** Runs one node script as a child; returns { ok, seconds, ...result } or { ok: false, failure }. */
function runChild(args, deadlineSeconds) {
  const r = spawnSync(process.execPath, args, {
    cwd: ROOT,
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
    // Backstop only: spex-one stops itself at its deadline.
    timeout: (deadlineSeconds + 120) * 1000,
  });
  const result = lastJson(r.stdout ?? '', 'result');
  if (r.status === 0 && result) return { ok: true, ...result };
  const timeout = lastJson(r.stdout ?? '', 'timeout');
  const progress = lastJson(r.stdout ?? '', 'progress');
  const at = (p) => (p ? ` (at ${fmtInt(p.distinct)} distinct, depth ${p.depth}, peak RSS ${fmtMiB(p.maxRssMiB)} MiB)` : '');
  let failure;
  if (timeout) failure = `did not finish in ${timeout.deadline} s${at(timeout)}`;
  else if (/heap out of memory|Allocation failed/i.test(r.stderr ?? '')) failure = `out of memory${at(progress)}`;
  else if (r.error?.code === 'ETIMEDOUT') failure = `killed after ${deadlineSeconds + 120} s${at(progress)}`;
  else if (result) return { ok: true, ...result }; // finished, non-zero exit: judged by its verdict below
  else failure = `crashed (exit ${r.status}, signal ${r.signal}): ${(r.stderr ?? '').trim().split('\n').slice(-3).join(' | ')}`;
  return { ok: false, failure, seconds: Infinity };
}

function runSpex(bench, config, workers) {
  const args = [HEAP, 'bench/spex-one.mjs', bench.file, '--deadline', String(opt.deadline), '--workers', String(workers), '--engine', opt.engine];
  const check = config.check ?? bench.check;
  if (check) args.push('--check', check);
  for (const c of config.consts) args.push('--const', c);
  return runChild(args, opt.deadline);
}

function runHand(config) {
  return runChild([HEAP, ...config.hand, '--json'], opt.deadline);
}

// ---- formatting

const fmtInt = (n) => Math.round(n).toLocaleString('en-US');
const fmtMiB = (n) => n.toFixed(0);
const fmtSec = (s) => (s < 10 ? s.toFixed(3) : s.toFixed(1));
function fmtRatio(r) {
  if (!Number.isFinite(r)) return '–';
  return r >= 1 ? `${r.toFixed(2)}` : `${r.toFixed(3)} (1/${(1 / r).toFixed(0)})`;
}

const HEADER =
  '| config | engine | distinct | generated | depth | wall s | distinct/s | generated/s | peak RSS MiB | B/state | spex ÷ hand | speed-up over 1 worker | counts |';
const RULE = '|---|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|---|';

function row(config, engine, r, ratio, counts, speedup = '') {
  if (!r.ok) return `| ${config} | ${engine} | ${r.failure} | | | | | | | | | | ${counts} |`;
  return (
    `| ${config} | ${engine} | ${fmtInt(r.distinct)} | ${fmtInt(r.generated)} | ${r.depth} | ${fmtSec(r.seconds)} | ` +
    `${fmtInt(r.distinct / r.seconds)} | ${fmtInt(r.generated / r.seconds)} | ${fmtMiB(r.maxRssMiB ?? r.maxRssKiB / 1024)} | ` +
    `${r.bytesPerState.toFixed(1)} | ${ratio} | ${speedup} | ${counts} |`
  );
}

const sameCounts = (a, b) => a.distinct === b.distinct && a.generated === b.generated && a.depth === b.depth;
const countsText = (c) => `${c.distinct}/${c.generated}/${c.depth}`;

// ---- main

const out = [];
const failures = [];
const notes = [];
const say = (line = '') => {
  console.log(line);
  out.push(line);
};

// The machine may be shared: record how busy it was, before and after.
const loadText = () => loadavg().map((x) => x.toFixed(2)).join(' ');
const loadBefore = loadText();
const loadBefore1 = loadavg()[0];

const selected = (name) => opt.only === undefined || name.includes(opt.only);

for (const bench of BENCHMARKS) {
  if (!selected(bench.name)) continue;
  say(`### ${bench.title}`);
  say();
  say(HEADER);
  say(RULE);
  for (const config of bench.configs) {
    if (config.big && opt.quick) {
      say(`| ${config.label} | (skipped: --quick) | | | | | | | | | | |`);
      continue;
    }
    process.stderr.write(`bench: ${bench.name} ${config.label} ...\n`);
    // The hand-written BFS and spex's runs alternate, round after round, so that both see the
    // same state of the machine (on a shared VM the same run can take 30 % longer ten minutes
    // later).
    const workerCounts = bench.workers ?? opt.workers;
    const spexFns = workerCounts.map((w) => () => runSpex(bench, config, w));
    const runs = bestAlternating(config.hand ? [() => runHand(config), ...spexFns] : spexFns);
    const hand = config.hand ? runs[0] : undefined;
    const spexRuns = config.hand ? runs.slice(1) : runs;
    const spexChecks = spexRuns.map((spex, k) => {
      const label = `${bench.name} ${config.label} --workers ${workerCounts[k]}`;
      const checks = [];
      if (spex.ok) {
        if (spex.verdict.kind !== spex.expected) {
          failures.push(`${label}: spex's verdict is ${JSON.stringify(spex.verdict)}, expected ${spex.expected}`);
          checks.push(`VERDICT ${spex.verdict.kind}`);
        }
        if (k > 0 && spexRuns[0].ok && !sameCounts(spex, spexRuns[0])) {
          failures.push(`${label}: spex counts ${countsText(spex)} != with --workers ${workerCounts[0]} ${countsText(spexRuns[0])}`);
          checks.push(`**≠ ${workerCounts[0]} worker(s)**`);
        }
        if (hand?.ok) {
          if (sameCounts(spex, hand)) checks.push('= hand');
          else {
            failures.push(`${label}: spex counts ${countsText(spex)} != hand-written ${countsText(hand)}`);
            checks.push(`**≠ hand ${countsText(hand)}**`);
          }
        }
        if (config.tlc) {
          if (sameCounts(spex, config.tlc)) checks.push('= TLC');
          else {
            failures.push(`${label}: spex counts ${countsText(spex)} != TLC's closed form ${countsText(config.tlc)}`);
            checks.push(`**≠ TLC ${countsText(config.tlc)}**`);
          }
        }
      } else {
        notes.push(`${label}: spex ${spex.failure}`);
        if (!config.big) failures.push(`${label}: spex ${spex.failure}`);
      }
      return checks;
    });
    const handChecks = [];
    if (hand?.ok) {
      if (hand.outcome !== 'ok') failures.push(`${bench.name} ${config.label}: the hand-written BFS ended with ${hand.outcome}`);
      if (config.tlc) {
        if (sameCounts(hand, config.tlc)) handChecks.push('= TLC');
        else {
          failures.push(`${bench.name} ${config.label}: hand-written counts ${countsText(hand)} != TLC's closed form ${countsText(config.tlc)}`);
          handChecks.push(`**≠ TLC ${countsText(config.tlc)}**`);
        }
      }
    } else if (hand) {
      failures.push(`${bench.name} ${config.label}: hand-written BFS ${hand.failure}`);
    }

    spexRuns.forEach((spex, k) => {
      const ratio = spex.ok && hand?.ok ? fmtRatio(spex.distinct / spex.seconds / (hand.distinct / hand.seconds)) : '–';
      const one = spexRuns[workerCounts.indexOf(1)];
      const speedup = workerCounts[k] !== 1 && spex.ok && one?.ok ? `${(one.seconds / spex.seconds).toFixed(2)}×` : '';
      const name = spex.engine ? `spex ${spex.engine}` : 'spex';
      const w = workerCounts[k];
      // auto: how many threads ran at most (the reason is in the notes).
      const workersText = w === 'auto' ? `auto (${spex.threads ?? '?'} thread${spex.threads === 1 ? '' : 's'})` : `${w} worker${w === 1 ? '' : 's'}`;
      if (w === 'auto' && spex.ok && spex.threadsReason) notes.push(`${bench.name} ${config.label} --workers auto: ${spex.threadsReason}`);
      const engine = workerCounts.length === 1 && workerCounts[0] === 1 ? name : `${name}, ${workersText}`;
      say(row(config.label, engine, spex, ratio, spexChecks[k].join(', ') || '–', speedup));
    });
    if (hand) say(row(config.label, 'hand-written', hand, '', handChecks.join(', ') || '–'));
  }
  say();
}

// spex simulate takes a number of threads only.
const simWorkers = opt.workers.filter((w) => w !== 'auto');
if (selected('simulate')) {
  say('### Simulation throughput (spex simulate, seed 0, no problem found: every walk runs to its depth)');
  say();
  say('| config | run | walks × depth | generated | wall s | generated/s | ÷ BFS generated/s |');
  say('|---|---|--:|--:|--:|--:|--:|');
  for (const sim of SIMULATIONS) {
    process.stderr.write(`bench: simulate ${sim.label} ...\n`);
    const common = [HEAP, 'bench/spex-one.mjs', sim.file, '--check', sim.check, '--engine', opt.engine, '--deadline', String(opt.deadline), ...sim.consts.flatMap((c) => ['--const', c])];
    const bfs = best(() => runChild([...common, '--workers', '1'], opt.deadline));
    const walks = simWorkers.map((w) => best(() => runChild([...common, '--workers', String(w), '--simulate', String(sim.runs), '--depth', String(sim.depth)], opt.deadline)));
    const bfsRate = bfs.ok ? bfs.generated / bfs.seconds : NaN;
    if (bfs.ok) say(`| ${sim.label} | BFS (spex check, ${bfs.engine}) | – | ${fmtInt(bfs.generated)} | ${fmtSec(bfs.seconds)} | ${fmtInt(bfsRate)} | 1 |`);
    else failures.push(`simulate ${sim.label}: BFS ${bfs.failure}`);
    walks.forEach((r, k) => {
      const w = simWorkers[k];
      if (!r.ok) {
        failures.push(`simulate ${sim.label} --workers ${w}: ${r.failure}`);
        return;
      }
      if (r.verdict.kind !== 'ok') failures.push(`simulate ${sim.label}: verdict ${JSON.stringify(r.verdict)}, expected ok`);
      if (k > 0 && walks[0].ok && (r.generated !== walks[0].generated || r.steps !== walks[0].steps)) {
        failures.push(`simulate ${sim.label} --workers ${w}: counts differ from --workers ${simWorkers[0]}`);
      }
      const rate = r.generated / r.seconds;
      say(`| ${sim.label} | simulate (${r.engine}, ${w} worker${w === 1 ? '' : 's'}) | ${fmtInt(r.walks)} × ${sim.depth} | ${fmtInt(r.generated)} | ${fmtSec(r.seconds)} | ${fmtInt(rate)} | ${fmtRatio(rate / bfsRate)} |`);
    });
  }
  say();
}

if (selected('disk')) {
  // The disk-backed search (docs/scale.md) on counter-grid, one thread: the in-memory run, then
  // the same with --max-memory at a quarter of its peak RSS (measured here), so that it goes on
  // on disk; then checkpoints: a run writing them, one killed (SIGKILL) at its checkpoint at
  // half the states and resumed; and a run writing them from the disk-backed search (the packed
  // engine's checkpoints are its in-memory search's). Counts must equal the closed form's in
  // every run.
  say('### disk-backed search and resume: counter-grid (spec/bench/counter-grid.spex), 1 thread');
  say();
  say('| config | run | distinct | generated | depth | wall s | ÷ in-memory time | peak RSS MiB | disk MiB | counts |');
  say('|---|---|--:|--:|--:|--:|--:|--:|--:|---|');
  const cpRoot = join(tmpdir(), `spex-bench-disk-${process.pid}`);
  for (const K of opt.quick ? [21] : [21, 37]) {
    const label = `N=4 K=${K}`;
    process.stderr.write(`bench: disk ${label} ...\n`);
    const want = counterGridCounts(4, K);
    const base = [HEAP, 'bench/spex-one.mjs', 'spec/bench/counter-grid.spex', '--deadline', String(opt.deadline), '--workers', '1', '--engine', opt.engine, '--const', 'N=4', '--const', `K=${K}`];
    const once = K >= 37;
    const runIt = (extra) => runChild([...base, ...extra], opt.deadline);
    const timed = (extra) => {
      const t0 = performance.now();
      const r = runIt(extra);
      return { r, wall: (performance.now() - t0) / 1000 };
    };
    const mem = once ? runIt([]) : best(() => runIt([]));
    if (!mem.ok) {
      failures.push(`disk ${label} in memory: ${mem.failure}`);
      say(`| ${label} | in memory | ${mem.failure} | | | | | | | |`);
      continue;
    }
    const budget = Math.floor(mem.maxRssMiB / 4);
    const spill = once ? runIt(['--max-memory', String(budget)]) : best(() => runIt(['--max-memory', String(budget)]));
    const cp = join(cpRoot, `K${K}`);
    const every = Math.floor(want.distinct / 2);
    rmSync(cp, { recursive: true, force: true });
    const withCp = runIt(['--checkpoint', cp, '--checkpoint-states', String(every)]);
    rmSync(cp, { recursive: true, force: true });
    const killed = timed(['--checkpoint', cp, '--checkpoint-states', String(every), '--kill-after', '1']);
    const resumed = timed(['--checkpoint', cp, '--resume', '--checkpoint-states', String(every)]);
    rmSync(cp, { recursive: true, force: true });
    const onDisk = runIt(['--checkpoint', cp, '--checkpoint-states', String(every), '--checkpoint-on-disk']);
    rmSync(cp, { recursive: true, force: true });
    const check = (r, what) => {
      if (!r.ok) {
        failures.push(`disk ${label} ${what}: ${r.failure}`);
        return r.failure;
      }
      if (!sameCounts(r, want)) {
        failures.push(`disk ${label} ${what}: counts ${countsText(r)}, expected ${countsText(want)}`);
        return `**≠ TLC** (${countsText(want)})`;
      }
      return '= TLC';
    };
    const line = (what, r, wall, extra = '') =>
      r.ok
        ? `| ${label} | ${what} | ${fmtInt(r.distinct)} | ${fmtInt(r.generated)} | ${r.depth} | ${fmtSec(wall ?? r.seconds)} | ${fmtRatio((wall ?? r.seconds) / mem.seconds)} | ${fmtMiB(r.maxRssMiB)} | ${r.disk ? (r.disk.diskBytes / 2 ** 20).toFixed(0) : ''} | ${extra}${check(r, what)} |`
        : `| ${label} | ${what} | ${r.failure} | | | | | | | |`;
    say(line('in memory', mem));
    say(line(`--max-memory ${budget} MiB (¼ of the peak RSS)`, spill, undefined, spill.ok && spill.disk?.handedOverAt !== undefined ? `on disk from ${fmtInt(spill.disk.handedOverAt)} states; ` : spill.ok ? 'did not spill; ' : ''));
    say(line(`--checkpoint, one at ${fmtInt(every)} states`, withCp));
    // The killed run has no result: its wall time (start-up included) counts.
    const killedOk = killed.r.failure !== undefined && /signal SIGKILL/.test(killed.r.failure);
    if (!killedOk) failures.push(`disk ${label}: the run to kill was not killed (${killed.r.failure ?? 'it finished'})`);
    if (resumed.r.ok && !resumed.r.disk?.resumed) failures.push(`disk ${label}: the resumed run did not resume`);
    say(line(`killed at its checkpoint (${fmtSec(killed.wall)} s), then --resume`, resumed.r, killed.wall + resumed.wall, `total of both; resumed run alone ${fmtSec(resumed.wall)} s; `));
    say(line(`--checkpoint on the disk-backed search from the start, one at ${fmtInt(every)} states`, onDisk));
  }
  rmSync(cpRoot, { recursive: true, force: true });
  say();
}

if (selected('diehard')) {
  process.stderr.write('bench: diehard whole process ...\n');
  // node dist/cli/main.js (the command on the main thread) and the spex bin (dist/cli/spex.cjs:
  // the command in a worker thread, signals on the main one), alternating.
  const entries = [
    { file: 'dist/cli/main.js', note: '', times: [], cpu: [] },
    { file: 'dist/cli/spex.cjs', note: ', the spex bin', times: [], cpu: [] },
  ];
  for (let i = 0; i < 5; i++) {
    for (const e of entries) {
      // Wall time, and CPU time (user + system, from the shell's `times`): on a busy machine
      // the wall time says more about the load than about spex.
      const { seconds, cpu, r } = timed(process.execPath, [e.file, 'check', 'spec/examples/diehard.spex'], { cwd: ROOT });
      e.times.push(seconds);
      e.cpu.push(cpu);
      if (r.status !== 12) failures.push(`diehard (${e.file}): exit code ${r.status}, expected 12 (violation NotSolved)`);
    }
  }
  for (const e of entries) {
    say(
      `Whole process \`node ${e.file} check spec/examples/diehard.spex\`${e.note} (exit 12, a 6-step trace): ` +
        `best of 5 **${Math.min(...e.times).toFixed(3)} s** (all: ${e.times.map((t) => t.toFixed(3)).join(', ')}); ` +
        `CPU time, least of 5: ${Math.min(...e.cpu).toFixed(2)} s`,
    );
    say();
  }
}

if (selected('spin')) runSpinGroup({ root: ROOT, reps: opt.reps, say, failures, progress: (s) => process.stderr.write(s) });

if (selected('parse')) {
  // Parsing generated texts of 1 MB and 4 MB: MB/s of wall and CPU time, and the memory the
  // parse takes as a multiple of the source (the aim: at least 1 MB/s, under 50x). A spec as
  // people write them, and dense arithmetic, where each byte or two of source is a node.
  say('### parse (bench/parse-one.mjs): generated texts');
  say();
  say('`spec`: declarations of every kind, comments included; `sum`: `1 + 1 + …`; `names`: `x + x + …`; `tight`: `1+1+…`.');
  say('RSS growth is the process\'s peak RSS less its RSS before the parse (V8\'s young generation, up to');
  say('about 48 MiB, is part of it); the AST kept is the heap still used after the parse and a full collection.');
  say();
  say('| text | size | declarations | wall s | MB/s | CPU s | MB/s of CPU | peak RSS MiB | RSS growth ÷ size | AST kept ÷ size |');
  say('|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|');
  const runs = opt.quick ? [['spec', 1], ['sum', 1]] : [['spec', 1], ['spec', 4], ['sum', 1], ['sum', 4], ['names', 4], ['tight', 4]];
  for (const [text, mb] of runs) {
    process.stderr.write(`bench: parse ${text} ${mb} MB ...\n`);
    const r = best(() => runChild(['--expose-gc', 'bench/parse-one.mjs', String(mb * 2 ** 20), text], opt.deadline));
    if (!r.ok) {
      failures.push(`parse ${text} ${mb} MB: ${r.failure}`);
      say(`| ${text} | ${mb} MB | ${r.failure} | | | | | | | |`);
      continue;
    }
    const MB = r.bytes / 1e6;
    say(
      `| ${text} | ${MB.toFixed(2)} MB | ${fmtInt(r.decls)} | ${fmtSec(r.seconds)} | ${(MB / r.seconds).toFixed(2)} | ${fmtSec(r.cpuSeconds)} | ` +
        `${(MB / r.cpuSeconds).toFixed(2)} | ${fmtMiB(r.peakRssMiB)} | ${(r.rssGrowthMiB * 2 ** 20 / r.bytes).toFixed(0)}× | ${(r.keptMiB * 2 ** 20 / r.bytes).toFixed(0)}× |`,
    );
  }
  say();
}

if (selected('swarm')) {
  // A swarm of 4 local jobs (docs/scale.md) on this machine's cores against the plain check
  // (one process, one worker): the time from the swarm's start to the first job that exits
  // with a violation, to the last job's exit, and to the merged verdict, merge included.
  say('### swarm: 4 local jobs (spex check --swarm i/4, then spex swarm merge) against the plain check');
  say();
  say('| config | plain check s | first violation s | all jobs s | merged verdict s | merged ÷ plain | jobs (mode: exit, s) | merged verdict |');
  say('|---|--:|--:|--:|--:|--:|---|---|');
  const SWARMS = [
    { label: 'memcg RFC PAGES=5, RfcAwol (violation)', file: 'spec/memcg/rfc-reparent-lrus.spex', args: ['--check', 'RfcAwol', '--const', 'PAGES=5'], code: 12 },
    { label: 'memcg RFC PAGES=5, PutbackToNearestOnline (ok)', file: 'spec/memcg/rfc-reparent-lrus.spex', args: ['--check', 'PutbackToNearestOnline', '--const', 'PAGES=5', '--const', 'PUTBACK=ToNearestOnline'], code: 0 },
    { label: 'memcg reparent PAGES=5, PlainPages (ok)', file: 'spec/bench/reparent-symmetric.spex', args: ['--check', 'PlainPages', '--const', 'PAGES=5'], code: 0 },
  ];
  for (const sw of SWARMS) {
    process.stderr.write(`bench: swarm ${sw.label} ...\n`);
    const r = runChild(['bench/swarm-run.mjs', sw.file, '--jobs', '4', ...sw.args], opt.deadline);
    if (!r.ok) {
      failures.push(`swarm ${sw.label}: ${r.failure}`);
      say(`| ${sw.label} | ${r.failure} | | | | | | |`);
      continue;
    }
    if (r.plain.code !== sw.code || r.mergeCode !== sw.code) failures.push(`swarm ${sw.label}: exit codes plain ${r.plain.code}, merged ${r.mergeCode}, expected ${sw.code}`);
    const jobs = r.jobs.map((j) => `${j.mode}: ${j.code}, ${fmtSec(j.seconds)}`).join('; ');
    say(
      `| ${sw.label} | ${fmtSec(r.plain.seconds)} | ${r.firstViolation === null ? '–' : fmtSec(r.firstViolation)} | ${fmtSec(r.allDone)} | ${fmtSec(r.merged)} | ` +
        `${(r.merged / r.plain.seconds).toFixed(2)} | ${jobs} | ${r.verdictLine} |`,
    );
  }
  say();
}

for (const n of notes) say(`Note: ${n}`);
if (notes.length) say();

if (failures.length > 0) {
  say('**BENCH FAILED:**');
  for (const f of failures) say(`- ${f}`);
  say();
  console.error('\n' + '!'.repeat(72));
  for (const f of failures) console.error(`!!! ${f}`);
  console.error('!'.repeat(72));
}

// ---- record

if (opt.record) {
  const git = (...a) => {
    try {
      return execFileSync('git', a, { cwd: ROOT, encoding: 'utf8' }).trim();
    } catch {
      return '';
    }
  };
  const head = git('rev-parse', '--short', 'HEAD') || 'unknown';
  const dirty = git('status', '--porcelain', '--', 'src', 'grammar') !== '' ? ' + uncommitted changes in src/ or grammar/' : '';
  const cpu = cpus();
  const flags = argv.length ? ` ${argv.join(' ')}` : '';
  const header = [
    `## ${new Date().toISOString().replace('T', ' ').replace(/\.\d+Z$/, ' UTC')}`,
    '',
    `node ${process.version}, commit ${head}${dirty}; ${cpu.length} × ${cpu[0]?.model.trim() ?? 'unknown CPU'}, ` +
      `${(totalmem() / 2 ** 30).toFixed(0)} GiB; \`node bench/run.mjs${flags}\``,
    `load average (1, 5, 15 min) before: ${loadBefore}; after: ${loadText()}`,
    '',
  ];
  if (Math.max(loadBefore1, loadavg()[0]) > cpus().length) {
    header.push(
      `**The machine was busy** (load above its ${cpus().length} cores, other processes running): ` +
        'these figures are pessimistic; compare ratios rather than absolute rates.',
      '',
    );
  }
  if (!existsSync(RESULTS)) {
    writeFileSync(
      RESULTS,
      '# Benchmark results\n\nAppended by `npm run bench` (bench/run.mjs), one section per run, newest last. ' +
        'See bench/README.md for what the columns mean.\n\n',
    );
  }
  appendFileSync(RESULTS, [...header, ...out].join('\n') + '\n');
  console.error(`bench: appended to ${RESULTS}`);
}

process.exitCode = failures.length > 0 ? 1 : 0;
