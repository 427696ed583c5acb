// The bench's spin group (`node bench/run.mjs --only spin`): spex beside Spin on the same state
// spaces, whole process against whole process. The Promela models are in bench/peers/ (each
// says how to build it; bench/README.md gives their counts); spec/bench/memcg-peer.spex is
// memcg.pml's twin.
//
// For each model: pan is generated and compiled as the peers README says (spin -a, then
// gcc -O2 -DSAFETY -DNOREDUCE -DMEMLIM=16384, run as ./pan -m5000000; -DNOCHECK for memcg's
// full space), its compile time reported apart (the binaries are kept in the temporary
// directory and reused while the model and flags are the same). Then Spin's ./pan, spex's
// `node dist/cli/main.js check ...` and the `spex` bin (dist/cli/spex.cjs) run in turn, as
// many rounds as --reps, and each keeps its fastest wall time and its least CPU time. The distinct states must be
// equal (diehard's are not compared: Spin stores 16 states where TLC and spex count 14, its
// pc before the loop and the loop head apart).
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { copyFileSync, existsSync, mkdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Whether a program is on the PATH. */
function onPath(cmd) {
  const r = spawnSync('sh', ['-c', `command -v ${cmd}`], { encoding: 'utf8' });
  return r.status === 0 && r.stdout.trim() !== '';
}

const MEMCG = ['RFC', 'WAIT', 'REPARENT', 'REPARENT_RACY'].map((v) => ({
  label: `memcg ${v} P=5, full space`,
  pml: 'memcg.pml',
  defines: ['-DP=5', `-DVARIANT=${v}`, '-DNOCHECK'],
  spex: ['spec/bench/memcg-peer.spex', '--check', { RFC: 'RfcFull', WAIT: 'WaitFull', REPARENT: 'ReparentFull', REPARENT_RACY: 'ReparentRacyFull' }[v], '--const', 'P=5'],
  spexExit: 0,
}));

const MODELS = [
  ...MEMCG,
  {
    label: 'counter-grid N=4 K=21',
    pml: 'countergrid.pml',
    defines: ['-DN=4', '-DK=21'],
    spex: ['spec/bench/counter-grid.spex', '--check', 'Small', '--const', 'N=4', '--const', 'K=21'],
    spexExit: 0,
  },
  {
    label: 'diehard (spex: to the violation; pan: -DFULL)',
    pml: 'diehard.pml',
    defines: ['-DFULL'],
    spex: ['spec/examples/diehard.spex'],
    spexExit: 12,
    noCompare: true,
  },
];

/**
 * Runs a command; its wall time, and its CPU time (user + system, of the command and its
 * children), which the shell's `times` reports on fd 3. On a loaded machine the wall time
 * mostly says how busy the machine was; the CPU time much less so.
 */
export function timed(cmd, args, opts) {
  const t0 = performance.now();
  const r = spawnSync('sh', ['-c', '"$@"; s=$?; times >&3; exit $s', 'sh', cmd, ...args], {
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
    stdio: ['ignore', 'pipe', 'pipe', 'pipe'],
    ...opts,
  });
  const seconds = (performance.now() - t0) / 1000;
  // `times`: the shell's user and system time, then its children's.
  const children = (r.output?.[3] ?? '').trim().split('\n')[1] ?? '';
  const cpu = [...children.matchAll(/(\d+)m([\d.]+)s/g)].reduce((t, m) => t + Number(m[1]) * 60 + Number(m[2]), 0);
  return { seconds, cpu: cpu > 0 ? cpu : NaN, r };
}

/** Generates and compiles pan for a model (or reuses the binary of an earlier run). */
function buildPan(peers, model) {
  const src = readFileSync(join(peers, model.pml));
  const key = createHash('sha256').update(src).update(model.defines.join(' ')).update(spawnSync('spin', ['-V'], { encoding: 'utf8' }).stdout ?? '').digest('hex').slice(0, 16);
  const dir = join(tmpdir(), 'spex-bench-pan', key);
  const pan = join(dir, 'pan');
  if (existsSync(pan)) return { pan, compileSeconds: undefined };
  mkdirSync(dir, { recursive: true });
  copyFileSync(join(peers, model.pml), join(dir, model.pml));
  const t0 = performance.now();
  const gen = spawnSync('spin', [...model.defines, '-a', model.pml], { cwd: dir, encoding: 'utf8' });
  if (gen.status !== 0) return { failure: `spin -a failed: ${(gen.stdout + gen.stderr).trim().split('\n').slice(-2).join(' | ')}` };
  const cc = spawnSync('gcc', ['-O2', '-DSAFETY', '-DNOREDUCE', '-DMEMLIM=16384', '-o', 'pan.tmp', 'pan.c'], { cwd: dir, encoding: 'utf8' });
  if (cc.status !== 0) return { failure: `gcc failed: ${cc.stderr.trim().split('\n').slice(-2).join(' | ')}` };
  copyFileSync(join(dir, 'pan.tmp'), pan);
  return { pan, compileSeconds: (performance.now() - t0) / 1000 };
}

const panStored = (out) => Number(/(\d+) states, stored/.exec(out)?.[1] ?? NaN);
const spexCounts = (out) => {
  const m = /(\d+) distinct states, (\d+) generated, depth (\d+)/.exec(out);
  return m ? { distinct: Number(m[1]), generated: Number(m[2]), depth: Number(m[3]) } : undefined;
};

/**
 * Runs the group; `say` prints a line of the results, `failures` collects what must fail the
 * bench. `root` is the project's root, `reps` the rounds per model.
 */
export function runSpinGroup({ root, reps, say, failures, progress }) {
  const peers = join(root, 'bench', 'peers');
  say('### spex beside Spin (bench/peers/*.pml; spec/bench/memcg-peer.spex), whole process');
  say();
  const missing = ['spin', 'gcc'].filter((c) => !onPath(c));
  if (missing.length > 0) {
    say(`(skipped: ${missing.join(' and ')} not on the PATH)`);
    say();
    return;
  }
  say(
    `The whole process, fastest of ${reps} rounds (pan, then \`node dist/cli/main.js check\`, then the \`spex\` bin, in turn): wall seconds, and CPU seconds (user + system). ` +
      'pan: `./pan -m5000000`, built with `-DSAFETY -DNOREDUCE` (compile time apart; "cached": built by an earlier run). spex: its defaults (`--workers auto`, `--engine auto`). ' +
      'Ratios: spex ÷ pan, wall / CPU.',
  );
  say();
  say('| model | distinct (Spin) | distinct (spex) | pan compile s | pan wall s | pan CPU s | main.js wall s | main.js CPU s | main.js ÷ pan | bin wall s | bin CPU s | bin ÷ pan | counts |');
  say('|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|---|');
  for (const model of MODELS) {
    progress(`bench: spin ${model.label} ...\n`);
    const built = buildPan(peers, model);
    if (built.failure) {
      failures.push(`spin ${model.label}: ${built.failure}`);
      say(`| ${model.label} | ${built.failure} | | | | | | | | |`);
      continue;
    }
    const runs = {
      pan: () => timed(built.pan, ['-m5000000'], { cwd: tmpdir() }),
      main: () => timed(process.execPath, ['dist/cli/main.js', 'check', ...model.spex], { cwd: root }),
      bin: () => timed(process.execPath, ['dist/cli/spex.cjs', 'check', ...model.spex], { cwd: root }),
    };
    const bestOf = { pan: Infinity, main: Infinity, bin: Infinity };
    const cpuOf = { pan: Infinity, main: Infinity, bin: Infinity };
    const outs = {};
    for (let i = 0; i < reps; i++) {
      for (const [k, run] of Object.entries(runs)) {
        const { seconds, cpu, r } = run();
        outs[k] = r;
        bestOf[k] = Math.min(bestOf[k], seconds);
        cpuOf[k] = Math.min(cpuOf[k], cpu);
      }
    }
    const stored = panStored(outs.pan.stdout ?? '');
    const counts = spexCounts(outs.main.stdout ?? '');
    const binCounts = spexCounts(outs.bin.stdout ?? '');
    const checks = [];
    if (outs.main.status !== model.spexExit) failures.push(`spin ${model.label}: node dist/cli/main.js exited ${outs.main.status}, expected ${model.spexExit}`);
    if (outs.bin.status !== model.spexExit) failures.push(`spin ${model.label}: the spex bin exited ${outs.bin.status}, expected ${model.spexExit}`);
    if (!/errors: 0/.test(outs.pan.stdout ?? '')) failures.push(`spin ${model.label}: pan found errors`);
    if (counts === undefined || binCounts === undefined || counts.distinct !== binCounts.distinct) failures.push(`spin ${model.label}: no counts from spex, or main.js and the bin disagree`);
    if (model.noCompare) checks.push('not compared');
    else if (counts?.distinct === stored) checks.push('= Spin');
    else {
      failures.push(`spin ${model.label}: spex's ${counts?.distinct} distinct states != Spin's ${stored}`);
      checks.push(`**≠ Spin**`);
    }
    const f = (s) => (Number.isFinite(s) ? s.toFixed(3) : '–');
    const ratio = (k) => `${(bestOf[k] / bestOf.pan).toFixed(2)} / ${Number.isFinite(cpuOf[k] / cpuOf.pan) ? (cpuOf[k] / cpuOf.pan).toFixed(2) : '–'}`;
    const compile = built.compileSeconds === undefined ? 'cached' : built.compileSeconds.toFixed(1);
    say(
      `| ${model.label} | ${stored.toLocaleString('en-US')} | ${(counts?.distinct ?? NaN).toLocaleString('en-US')} | ${compile} | ${f(bestOf.pan)} | ${f(cpuOf.pan)} | ` +
        `${f(bestOf.main)} | ${f(cpuOf.main)} | ${ratio('main')} | ${f(bestOf.bin)} | ${f(cpuOf.bin)} | ${ratio('bin')} | ${checks.join(', ')} |`,
    );
  }
  say();
}
