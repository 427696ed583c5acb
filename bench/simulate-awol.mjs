#!/usr/bin/env node
// How well `spex simulate` finds and shrinks the memcg AWOL page, over 20 seeds (docs/simulate.md):
// for each seed, whether the walks found the violation, the walk's raw trace length, the length
// after each shrinking phase, and the breadth-first search's shortest for comparison.
//
//   node bench/simulate-awol.mjs [--seeds N] [--json]
//
// Uses the built engine (dist/); run `npm run build` first.
import { constOverrides, loadSpec, runCheck, selectChecks } from '../dist/engine/run.js';
import { runSimulation } from '../dist/engine/simulate.js';

const argv = process.argv.slice(2);
const seeds = argv.includes('--seeds') ? Number(argv[argv.indexOf('--seeds') + 1]) : 20;
const json = argv.includes('--json');

const CASES = [
  { file: 'spec/memcg/rfc-reparent-lrus.spex', check: 'RfcAwol', consts: ['PAGES=5'] },
  { file: 'spec/memcg/reparent.spex', check: 'Scenario6_RfcAwol', consts: [] },
];

for (const c of CASES) {
  const { spec } = loadSpec(c.file);
  const check = selectChecks(spec, c.check)[0];
  const cli = constOverrides(spec, c.consts);
  const bfs = runCheck(spec, check, cli, { consts: c.consts, workers: 1 });
  const shortest = bfs.result.outcome.trace.states.length - 1;
  const rows = [];
  for (let seed = 0; seed < seeds; seed++) {
    const r = runSimulation(spec, check, cli, { consts: c.consts, depth: 100, runs: 10_000, seconds: Infinity, seed, workers: 1, shrinkBudget: 500_000 });
    const k = r.simulation.shrink;
    const found = r.verdict.kind === 'violation' && r.verdict.name === bfs.verdict.name;
    rows.push({ seed, found, walk: r.simulation.walk ?? null, raw: k?.raw ?? null, loopsCut: k?.loopsCut ?? null, dropped: k?.dropped ?? null, final: k?.final ?? null, shortest: k?.shortest ?? false, seconds: r.simulation.elapsed });
  }
  const f = rows.filter((x) => x.found);
  const stat = (key) => {
    const v = f.map((x) => x[key]).sort((a, b) => a - b);
    return v.length === 0 ? '-' : `min ${v[0]}, median ${v[Math.floor(v.length / 2)]}, max ${v[v.length - 1]}`;
  };
  if (json) {
    process.stdout.write(JSON.stringify({ case: c, shortest, rows }) + '\n');
    continue;
  }
  console.log(`${c.file} ${c.check} ${c.consts.join(' ')}: BFS shortest ${shortest} steps`);
  console.log('seed  found  walk   raw  loops-cut  dropped  final  shortest  seconds');
  for (const x of rows) {
    console.log(`${String(x.seed).padStart(4)}  ${x.found ? 'yes' : 'NO '}    ${String(x.walk ?? '-').padStart(4)}  ${String(x.raw ?? '-').padStart(4)}  ${String(x.loopsCut ?? '-').padStart(9)}  ${String(x.dropped ?? '-').padStart(7)}  ${String(x.final ?? '-').padStart(5)}  ${x.shortest ? 'yes' : 'no '}       ${x.seconds.toFixed(2)}`);
  }
  console.log(`found ${f.length}/${rows.length}; raw: ${stat('raw')}; after loops: ${stat('loopsCut')}; after dropping steps: ${stat('dropped')}; reported: ${stat('final')}; reported ≤ 1.5 × shortest: ${f.filter((x) => x.final <= 1.5 * shortest).length}/${f.length}; dropping alone ≤ 1.5 × shortest: ${f.filter((x) => x.dropped <= 1.5 * shortest).length}/${f.length}\n`);
}
