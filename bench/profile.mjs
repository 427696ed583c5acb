#!/usr/bin/env node
// Profiles a single-worker spex run with V8's sampling profiler (node --cpu-prof) and prints
// where the time goes: the top functions by self time, by total (inclusive) time, and self
// time summed per source file.
//
//   node bench/profile.mjs [--runs R] [--top N] [--all] [--keep] [-- SPEX-ONE ARGS...]
//
// Default run: counter-grid N=4 K=12 (spec/bench/counter-grid.spex). Anything after `--` is
// passed to bench/spex-one.mjs instead, e.g.
//   node bench/profile.mjs -- spec/examples/twophase.spex --check TwoPhase3 --const N=6
// --runs R profiles R separate processes and adds their samples up (short runs are noisy).
// Only samples inside runCheck (compiling the configuration and exploring it) count, not
// node's start-up, module loading or parsing; --all counts the whole process. GC samples have
// no JavaScript stack: they count when taken between the first and last sample in runCheck.
// --keep leaves the .cpuprofile files (loadable in Chrome DevTools → Performance, or
// speedscope) in bench/profiles/. Needs a build (npm run build).
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');

const argv = process.argv.slice(2);
let top = 25;
let runs = 1;
let keep = false;
let all = false;
let runArgs = ['spec/bench/counter-grid.spex', '--const', 'N=4', '--const', 'K=12'];
for (let i = 0; i < argv.length; i++) {
  if (argv[i] === '--top') top = Number(argv[++i]);
  else if (argv[i] === '--runs') runs = Number(argv[++i]);
  else if (argv[i] === '--keep') keep = true;
  else if (argv[i] === '--all') all = true;
  else if (argv[i] === '--') {
    runArgs = argv.slice(i + 1);
    break;
  } else {
    console.error(`profile: unknown argument ${argv[i]}`);
    process.exit(1);
  }
}

const where = (cf) => {
  if (!cf.url) return '';
  const path = cf.url.startsWith('file://') ? relative(ROOT, fileURLToPath(cf.url)) : cf.url;
  return `${path}:${cf.lineNumber + 1}`;
};
const keyOf = (cf) => `${cf.functionName || '(anonymous)'}  ${where(cf)}`.trimEnd();

const selfByFunction = new Map();
const totalByFunction = new Map();
const selfByFile = new Map();
const add = (m, k, us) => m.set(k, (m.get(k) ?? 0) + us);
let total = 0;
const results = [];
const kept = [];

for (let run = 0; run < runs; run++) {
  const dir = mkdtempSync(join(tmpdir(), 'spex-prof-'));
  const r = spawnSync(
    process.execPath,
    ['--cpu-prof', '--cpu-prof-dir', dir, '--cpu-prof-interval', '100', 'bench/spex-one.mjs', ...runArgs],
    { cwd: ROOT, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 },
  );
  if (r.status !== 0) {
    console.error(r.stderr);
    process.exit(1);
  }
  results.push(r.stdout.trim().split('\n').map((l) => JSON.parse(l)).find((o) => o.type === 'result'));
  const file = readdirSync(dir).find((f) => f.endsWith('.cpuprofile'));
  const profile = JSON.parse(readFileSync(join(dir, file), 'utf8'));

  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parentOf = new Map();
  for (const n of profile.nodes) for (const c of n.children ?? []) parentOf.set(c, n.id);
  const rootId = profile.nodes[0].id;
  const memo = new Map();
  const underRunCheck = (id) => {
    let v = memo.get(id);
    if (v === undefined) {
      v = byId.get(id).callFrame.functionName === 'runCheck' || (parentOf.has(id) && underRunCheck(parentOf.get(id)));
      memo.set(id, v);
    }
    return v;
  };
  const vmLevel = (id) => parentOf.get(id) === rootId && !byId.get(id).callFrame.url;
  let first = -1;
  let last = -1;
  profile.samples.forEach((id, i) => {
    if (underRunCheck(id)) {
      if (first < 0) first = i;
      last = i;
    }
  });
  profile.samples.forEach((id, i) => {
    if (!all && !(underRunCheck(id) || (i >= first && i <= last && vmLevel(id)))) return;
    const us = profile.timeDeltas[i] ?? 0;
    total += us;
    const cf = byId.get(id).callFrame;
    add(selfByFunction, keyOf(cf), us);
    add(selfByFile, where(cf).replace(/:\d+$/, '') || cf.functionName, us);
    // Inclusive: every distinct function on the stack (recursion counted once).
    const onStack = new Set();
    for (let n = id; n !== undefined && n !== rootId; n = parentOf.get(n)) onStack.add(keyOf(byId.get(n).callFrame));
    for (const k of onStack) add(totalByFunction, k, us);
  });

  if (keep) {
    const outDir = join(ROOT, 'bench', 'profiles');
    mkdirSync(outDir, { recursive: true });
    renameSync(join(dir, file), join(outDir, file));
    kept.push(relative(ROOT, join(outDir, file)));
  }
  rmSync(dir, { recursive: true, force: true });
}

const pct = (us) => `${((100 * us) / total).toFixed(1).padStart(5)} %`;
const ms = (us) => `${(us / 1000).toFixed(0).padStart(6)} ms`;
const show = (m, n) => {
  for (const [k, us] of [...m].sort((a, b) => b[1] - a[1]).slice(0, n)) console.log(`${pct(us)} ${ms(us)}  ${k}`);
};
const r0 = results[0];
console.log(`bench/spex-one.mjs ${runArgs.join(' ')}   (${runs} profiled run${runs === 1 ? '' : 's'})`);
if (r0) {
  console.log(
    `${r0.distinct} distinct, ${r0.generated} generated, depth ${r0.depth}; runCheck ` +
      results.map((r) => r.seconds.toFixed(2)).join(', ') + ' s (the profiler slows it down)',
  );
}
const scope = all ? 'in the whole process' : 'inside runCheck';
console.log(`\nTop ${top} functions by self time (${(total / 1e6).toFixed(2)} s sampled ${scope}):`);
show(selfByFunction, top);
console.log(`\nTop ${top} functions by total time (self + callees):`);
show(totalByFunction, top);
console.log('\nSelf time per file:');
show(selfByFile, 15);
for (const k of kept) console.log(`\nprofile: ${k}`);
