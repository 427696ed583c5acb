/**
 * `npm run fuzz -- N [--seed S] [--from K] [--out DIR]`: runs N mutants of the specs in spec/
 * and test/ (test/fuzz/mutator.mjs; seed 1 unless given), numbers K to K + N - 1 (K = 0 unless
 * given: two runs of `--from 0` and `--from 5000` with N = 5000, on two cores, run the mutants of
 * `npm run fuzz -- 10000`), through the real CLI, one at a time, as
 *
 *   spex check MUTANT --max-states 20000 --workers 1
 *
 * and prints a table of outcome classes (by exit code: ok, syntax, static, runtime, limit,
 * usage, internal, crash) and every bad outcome: exit 255, a death by signal or another
 * unexpected code, a run over 10 s of CPU time, a peak RSS over 2 GiB (both measured inside
 * the process, test/fuzz/rss-hook.mjs). CPU time rather than wall time, so that a run on a
 * busy machine (or at `nice -n 19`) does not call slow what only waited for a core; a run
 * still going after 60 s of wall time is killed (SIGKILL) and counted as a timeout. Each bad
 * mutant is saved in DIR (default: a new folder under the system's temporary directory) for
 * reproduction. Exit code: 0 when nothing was bad, 1 otherwise. SIGINT or SIGTERM (to this
 * process) stops it once the running mutant ends, with the table of those run (exit 130 if
 * none was bad).
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, mkdirSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { classOfExit, corpus, mutant } from './mutator.mjs';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
/** A run over this much CPU time is bad. */
const CPU_LIMIT_S = 10;
/** A run still going after this much wall time is killed: a hang, or far over the CPU limit. */
const TIMEOUT_MS = 60_000;
const RSS_LIMIT_KIB = 2 * 1024 * 1024;

const args = process.argv.slice(2);
let n = 100;
let seed = 1;
let from = 0;
let out;
for (let i = 0; i < args.length; i++) {
  if (args[i] === '--seed') seed = Number(args[++i]);
  else if (args[i] === '--from') from = Number(args[++i]);
  else if (args[i] === '--out') out = resolve(args[++i]);
  else n = Number(args[i]);
}
if (!Number.isSafeInteger(n) || n < 1 || !Number.isSafeInteger(seed) || !Number.isSafeInteger(from) || from < 0) {
  process.stderr.write('usage: npm run fuzz -- N [--seed S] [--from K] [--out DIR]\n');
  process.exit(1);
}
out ??= mkdtempSync(join(tmpdir(), `spex-fuzz-${seed}-`));
mkdirSync(out, { recursive: true });
const work = mkdtempSync(join(tmpdir(), 'spex-fuzz-work-'));

const files = corpus(root);
const counts = new Map();
const bad = [];
let slowest = { ms: 0, index: -1 };
let biggest = { kib: 0, index: -1 };
const started = Date.now();

// SIGINT or SIGTERM: the table of the mutants run so far, once the one running ends (the
// runner waits for each child synchronously; between two it lets the event loop take the
// signal).
let stopping = false;
for (const sig of ['SIGINT', 'SIGTERM']) process.on(sig, () => (stopping = true));
let done = 0;
for (let i = from; i < from + n; i++) {
  await new Promise((r) => setImmediate(r));
  if (stopping) break;
  done = i + 1 - from;
  const m = mutant(files, seed, i);
  // In a folder of its own, not in the repository: a spec that imports another gets E229.
  const name = `fuzz-${seed}-${i}.spex`;
  const file = join(work, name);
  const rssFile = join(work, `${i}.rss`);
  writeFileSync(file, m.text);
  const t0 = Date.now();
  const r = spawnSync(process.execPath, ['--import', join(root, 'test/fuzz/rss-hook.mjs'), 'dist/cli/spex.cjs', 'check', file, '--max-states', '20000', '--workers', '1'], {
    cwd: root,
    encoding: 'utf8',
    timeout: TIMEOUT_MS,
    killSignal: 'SIGKILL',
    maxBuffer: 64 * 1024 * 1024,
    env: { ...process.env, SPEX_FUZZ_RSS_FILE: rssFile },
  });
  const ms = Date.now() - t0;
  rmSync(file, { force: true });
  const [kibText, cpuText] = existsSync(rssFile) ? readFileSync(rssFile, 'utf8').split(' ') : [];
  const kib = kibText === undefined ? undefined : Number(kibText);
  const cpu = cpuText === undefined ? undefined : Number(cpuText);
  let cls = r.status === null ? (ms >= TIMEOUT_MS ? 'timeout' : `signal ${r.signal}`) : classOfExit(r.status);
  const why = [];
  if (r.status === null) why.push(ms >= TIMEOUT_MS ? `over ${TIMEOUT_MS / 1000} s of wall time` : `killed by ${r.signal}`);
  else if (cls === 'internal' || cls === 'crash') why.push(`exit ${r.status}`);
  if (cpu !== undefined && cpu > CPU_LIMIT_S) why.push(`${cpu.toFixed(1)} s of CPU`);
  if (kib !== undefined && kib > RSS_LIMIT_KIB) why.push(`RSS ${Math.round(kib / 1024)} MiB`);
  if (cls.startsWith('signal')) cls = 'signal';
  counts.set(cls, (counts.get(cls) ?? 0) + 1);
  // The slowest by CPU time (wall time when the process did not report it).
  const spent = cpu !== undefined ? cpu * 1000 : ms;
  if (spent > slowest.ms) slowest = { ms: spent, index: i };
  if (kib !== undefined && kib > biggest.kib) biggest = { kib, index: i };
  if (why.length > 0) {
    const saved = join(out, name);
    writeFileSync(saved, m.text);
    // The error itself, not the header of an internal error.
    const first = (r.stderr ?? '').split('\n').find((l) => l.trim() !== '' && !l.startsWith('internal error (a bug in spex')) ?? '';
    bad.push(`${saved}: ${why.join(', ')}; from ${m.path} by ${m.ops.join(', ')}; ${first.slice(0, 160)}`);
  }
  if ((i + 1 - from) % 25 === 0) process.stderr.write(`fuzz: ${i + 1 - from}/${n}\n`);
}
rmSync(work, { recursive: true, force: true });

const order = ['ok', 'syntax', 'static', 'runtime', 'limit', 'usage', 'internal', 'crash', 'signal', 'timeout'];
const lines = ['', `fuzz: ${done} mutants${done < n ? ` of ${n} (interrupted)` : ''}, seed ${seed}${from > 0 ? `, from number ${from}` : ''}, ${((Date.now() - started) / 1000).toFixed(0)} s`, '', '| outcome | mutants | share |', '|---|---:|---:|'];
for (const cls of [...order, ...[...counts.keys()].filter((k) => !order.includes(k))]) {
  const c = counts.get(cls) ?? 0;
  if (c > 0) lines.push(`| ${cls} | ${c} | ${((100 * c) / done).toFixed(1)}% |`);
}
lines.push('', `slowest: mutant ${slowest.index}, ${(slowest.ms / 1000).toFixed(2)} s of CPU; largest RSS: mutant ${biggest.index}, ${Math.round(biggest.kib / 1024)} MiB`);
lines.push('', bad.length === 0 ? 'bad outcomes: none' : `bad outcomes (${bad.length}; the mutants are in ${out}):`);
for (const b of bad) lines.push(`  ${b}`);
process.stdout.write(lines.join('\n') + '\n');
if (bad.length === 0) rmSync(out, { recursive: true, force: true });
process.exit(bad.length > 0 ? 1 : stopping ? 130 : 0);
