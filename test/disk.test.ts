/**
 * The disk-backed search and its checkpoints (src/explore/disk/, docs/scale.md).
 *
 *   - its files: sorted runs of fingerprint keys, the replay file, the vector codec;
 *   - every configuration of spec/ and test/fixtures on the disk-backed search with a tiny
 *     in-memory table (SPEX_DISK_TABLE_KEYS, a test-only knob), so that it spills at once and
 *     judges nearly every emission late, against the in-memory search: same verdict, counts,
 *     queue, trace and error, on both engines; and the hand-over from explore() at the memory
 *     budget;
 *   - through the CLI: runs killed (SIGKILL) after n checkpoints (SPEX_KILL_AFTER_CHECKPOINTS)
 *     or after a random delay, then resumed, give the uninterrupted run's JSON events.
 * Nothing here depends on time: a kill that lands after the run ended is fine too.
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { configOverrides, constOverrides, loadSpec, runCheck, selectChecks, temporalSetupOf, type CheckResult, type RunOptions } from '../src/engine/run.js';
import { CompactFingerprintSet, mixedKey, unmixedKey } from '../src/explore/compact-set.js';
import { mergeRun, runHas, scanRun, VectorCodec } from '../src/explore/disk/files.js';
import { ReplayFile } from '../src/explore/disk/replay-file.js';
import { ByteReader, ByteWriter } from '../src/explore/parallel/bytes.js';
import { setMemoryBudget } from '../src/explore/guard.js';
import { maxEvalWork, setMaxEvalWork } from '../src/lang/work.js';
import type { CheckedSpec } from '../src/lang/check.js';
import { SpecErrors } from '../src/lang/diagnostics.js';
import { valueEquals } from '../src/values/index.js';
import { compileSpec, type CompiledSpec, type Label, type State } from '../src/lang/compile.js';
import { ModelError } from '../src/explore/system.js';
import { words } from './support/words.js';
import { specFiles } from './support/spec-files.js';
import { spexHere } from './support/cli.js';

let dir = '';
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'spex-disk-test-'));
});
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

describe('disk-backed search: files', () => {
  it('mixes fingerprints into keys and back', () => {
    const next = words(7);
    const k = new Uint32Array(2);
    const f = new Uint32Array(2);
    for (let i = 0; i < 10_000; i++) {
      const hi = next();
      const lo = next();
      mixedKey(hi, lo, k);
      unmixedKey(k[0]!, k[1]!, f);
      expect([f[0], f[1]]).toEqual([hi, lo]);
    }
    for (const [hi, lo] of [[0, 0], [0xffffffff, 0xffffffff], [1, 0]] as const) {
      mixedKey(hi, lo, k);
      unmixedKey(k[0]!, k[1]!, f);
      expect([f[0], f[1]]).toEqual([hi, lo]);
    }
  });

  it('lists a set\'s keys sorted, merges runs, and finds keys in them', () => {
    const next = words(11);
    const set = new CompactFingerprintSet();
    const more = new CompactFingerprintSet();
    const fps: [number, number][] = [];
    for (let i = 0; i < 5000; i++) {
      const fp: [number, number] = [next(), next()];
      if (i % 2 === 0) set.add(fp[0], fp[1]);
      else more.add(fp[0], fp[1]);
      fps.push(fp);
    }
    set.add(0, 0); // whatever key it mixes to
    const a = set.sortedKeys();
    const b = more.sortedKeys();
    const big = (w: Uint32Array, i: number): bigint => (BigInt(w[2 * i + 1]!) << 32n) | BigInt(w[2 * i]!);
    for (let i = 1; i < a.length / 2; i++) expect(big(a, i) > big(a, i - 1)).toBe(true);
    const first = join(dir, 'run-a.bin');
    const merged = join(dir, 'run-b.bin');
    expect(mergeRun(null, a, first, false)).toBe(set.size);
    expect(mergeRun(first, b, merged, true)).toBe(set.size + more.size);
    const k = new Uint32Array(2);
    for (const [hi, lo] of fps) {
      mixedKey(hi, lo, k);
      expect(runHas(merged, set.size + more.size, k[0]!, k[1]!)).toBe(true);
    }
    mixedKey(12345, 67890, k);
    expect(runHas(merged, set.size + more.size, k[0]!, k[1]!)).toBe(false);
    // A scan marks exactly the keys of the run: those of `more` in the first run, none.
    const found = new Uint8Array(b.length / 2);
    scanRun(first, b, found);
    expect(found.every((x) => x === 0)).toBe(true);
    scanRun(merged, b, found);
    expect(found.every((x) => x === 1)).toBe(true);
  });

  it('encodes vectors of any numbers', () => {
    const codec = new VectorCodec(7);
    const v = [0, -1, 1, 2 ** 30 - 1, -(2 ** 30) + 1, 2 ** 40, 0.5];
    const w = new ByteWriter();
    codec.encode(v, w);
    codec.encode([5, 4, 3, 2, 1, 0, -5], w);
    const r = new ByteReader(w.view());
    expect(codec.decode(r)).toEqual(v);
    expect(codec.decode(r)).toEqual([5, 4, 3, 2, 1, 0, -5]);
  });

  it('keeps parents and ordinals in its replay file, far ones and large ones too', () => {
    const path = join(dir, 'replay.bin');
    const r = new ReplayFile(path);
    const n = 300_000;
    const parent = (i: number): number => (i < 3 ? -1 : i % 1000 === 0 ? 0 : i - 1 - (i % 7));
    const ordinal = (i: number): number => (i % 997 === 0 ? 1000 + i : i % 200);
    for (let i = 0; i < n; i++) r.record(i, parent(i), ordinal(i));
    for (const i of [0, 1, 2, 3, 999, 1000, 2 ** 17, n - 1]) {
      expect(r.parent(i)).toBe(parent(i));
      expect(r.ordinal(i)).toBe(ordinal(i));
    }
    r.sync();
    const again = new ReplayFile(path, 200_000, r.overflow());
    r.close();
    for (const i of [0, 1000, 199_999]) {
      expect(again.parent(i)).toBe(parent(i));
      expect(again.ordinal(i)).toBe(ordinal(i));
    }
    again.close();
  });
});

interface Config {
  readonly name: string;
  readonly spec: CheckedSpec;
  readonly check: ReturnType<typeof selectChecks>[number];
}

function configs(): Config[] {
  const out: Config[] = [];
  for (const file of [...specFiles('spec'), ...specFiles('test/fixtures')]) {
    let spec: CheckedSpec;
    try {
      spec = loadSpec(file).spec;
    } catch (err) {
      if (err instanceof SpecErrors && file.startsWith('test/fixtures/diagnostics/')) continue;
      throw err;
    }
    for (const check of selectChecks(spec, undefined)) out.push({ name: `${file} ${check?.name ?? '-'}`, spec, check });
  }
  return out;
}

/** The run, or the static error that stopped it (E217 with --engine packed, E221, ...). */
function attempt(c: Config, opts: RunOptions): CheckResult | string {
  try {
    return runCheck(c.spec, c.check, constOverrides(c.spec, []), opts);
  } catch (err) {
    if (err instanceof SpecErrors) return err.diagnostics.map((d) => d.code).join(',');
    throw err;
  }
}

/** Whether the configuration checks temporal properties (false when its constants fail to compile). */
function temporal(c: Config): boolean {
  let system: CompiledSpec;
  try {
    system = compileSpec(c.spec, configOverrides(c.check, constOverrides(c.spec, [])));
  } catch (err) {
    if (err instanceof SpecErrors || err instanceof ModelError) return false;
    throw err;
  }
  return temporalSetupOf(c.spec, c.check, system) !== undefined;
}

function sameState(a: State, b: State): boolean {
  return a.length === b.length && a.every((v, i) => valueEquals(v, b[i]!));
}

function sameLabel(a: Label, b: Label): boolean {
  return a.action === b.action && a.at === b.at && a.params.length === b.params.length && a.params.every((p, i) => p.name === b.params[i]!.name && valueEquals(p.value, b.params[i]!.value));
}

/** Same verdict, counts, queue, trace and error. */
function expectSame(disk: CheckResult | string, mem: CheckResult | string): void {
  if (typeof mem === 'string' || typeof disk === 'string') {
    expect(disk).toEqual(mem);
    return;
  }
  expect(disk.verdict).toEqual(mem.verdict);
  expect(disk.engine).toBe(mem.engine);
  if (!mem.result || !disk.result) {
    expect(disk.result === undefined).toBe(mem.result === undefined);
    return;
  }
  const [d, m] = [disk.result, mem.result];
  expect([d.stats.distinct, d.stats.generated, d.stats.depth, d.stats.queue]).toEqual([m.stats.distinct, m.stats.generated, m.stats.depth, m.stats.queue]);
  expect(d.outcome.kind).toBe(m.outcome.kind);
  if ('trace' in m.outcome && 'trace' in d.outcome) {
    const [dt, mt] = [d.outcome.trace, m.outcome.trace];
    expect(dt.states.length).toBe(mt.states.length);
    dt.states.forEach((s, i) => expect(sameState(s, mt.states[i]!)).toBe(true));
    dt.labels.forEach((l, i) => expect(sameLabel(l, mt.labels[i]!)).toBe(true));
  }
  if (m.outcome.kind === 'fault' && d.outcome.kind === 'fault') expect(d.outcome.error.message).toBe(m.outcome.error.message);
  if (m.outcome.kind === 'invariant' && d.outcome.kind === 'invariant') expect(d.outcome.invariant).toBe(m.outcome.invariant);
}

describe('disk-backed search: the same runs as in memory', () => {
  const all = configs();
  // Past the table of 256 keys twice over (two merges into the run on disk) and 16 checkpoints
  // at 37 states: the disk's mechanics, on every configuration; bigger runs are the grid's below.
  const MAX_STATES = 600;
  const saved = process.env['SPEX_DISK_TABLE_KEYS'];
  // A tenth of the default work budget (--max-eval-work): the fixture that passes it (E715)
  // does so ten times sooner; no other configuration comes near it.
  const savedWork = maxEvalWork();
  beforeAll(() => {
    process.env['SPEX_DISK_TABLE_KEYS'] = '256';
    setMaxEvalWork(1_000_000);
  });
  afterAll(() => {
    if (saved === undefined) delete process.env['SPEX_DISK_TABLE_KEYS'];
    else process.env['SPEX_DISK_TABLE_KEYS'] = saved;
    setMaxEvalWork(savedWork);
  });

  it.each(all.map((c, i) => [c.name, i] as const))('%s', (_name, i) => {
    const c = all[i]!;
    // Both engines on the configurations --engine auto runs packed; the grid fixture's tests
    // below run both engines on every outcome, with bigger runs.
    // Temporal properties keep their state graph in memory: no disk-backed search to compare
    // (known from the compiled configuration, without running it).
    if (temporal(c)) return;
    const mem0 = attempt(c, { workers: 1, maxStates: MAX_STATES });
    expect(typeof mem0 === 'string' || mem0.temporal === undefined).toBe(true);
    const engines = typeof mem0 !== 'string' && mem0.engine === 'packed' && i % 4 === 0 ? (['auto', 'generic'] as const) : (['auto'] as const);
    for (const engine of engines) {
      const opts: RunOptions = { workers: 1, engine, maxStates: MAX_STATES };
      const mem = engine === 'auto' ? mem0 : attempt(c, opts);
      const cp = join(dir, `all-${i}-${engine}`);
      // The packed engine's checkpoints are written by its in-memory search, and with the
      // test hook by the disk-backed search from the start, as the generic engine's: half each.
      if (i % 2 === 1) process.env['SPEX_CHECKPOINT_ON_DISK'] = '1';
      let disk: ReturnType<typeof attempt>;
      try {
        disk = attempt(c, { ...opts, disk: { checkpoint: cp, checkpointEveryStates: 37 } });
      } finally {
        delete process.env['SPEX_CHECKPOINT_ON_DISK'];
      }
      expectSame(disk, mem);
      // A run that ended leaves no checkpoint behind.
      if (typeof disk !== 'string' && disk.result?.disk) expect(readdirSync(join(cp, c.check?.name ?? c.spec.name))).toEqual([]);
    }
  });

  it('takes over from the in-memory search at the memory budget, on both engines and every outcome', () => {
    const { spec } = loadSpec('test/fixtures/disk/grid-outcomes.spex');
    let handedOver = 0;
    for (const check of selectChecks(spec, undefined)) {
      // Big enough for explore() to reach its first look at the budget (4,096 expansions).
      const consts = ['K=12', ...({ Violation: ['Bad=9'], Deadlock: ['Stuck=9'], Fault: ['Crash=9'] } as Record<string, string[]>)[check!.name] ?? []];
      const cli = constOverrides(spec, consts);
      for (const engine of ['auto', 'generic'] as const) {
        const opts: RunOptions = { workers: 1, engine, consts };
        const run = (): CheckResult | string => {
          try {
            return runCheck(spec, check, cli, opts);
          } catch (err) {
            if (err instanceof SpecErrors) return err.diagnostics.map((d) => d.code).join(',');
            throw err;
          }
        };
        const mem = run();
        // Any budget is passed at the first look: explore() hands over after 4,096 expansions;
        // the packed engine's levels in one chunk, and in chunks of 20 numbers (a few states).
        for (const chunk of engine === 'auto' ? [undefined, '20'] : [undefined]) {
          setMemoryBudget(1);
          if (chunk !== undefined) process.env['SPEX_LEVEL_CHUNK'] = chunk;
          let disk: CheckResult | string;
          try {
            disk = run();
          } finally {
            setMemoryBudget(Infinity);
            delete process.env['SPEX_LEVEL_CHUNK'];
          }
          expectSame(disk, mem);
          if (typeof disk !== 'string' && disk.result?.disk?.handedOverAt !== undefined) {
            handedOver++;
            expect(disk.note).toMatch(/went on on disk/);
          }
        }
      }
    }
    // Every check but Constrained, whose constraint keeps it small, on both engines (and the
    // packed engine's twice).
    expect(handedOver).toBe(12);
  });
});

const CLI = 'dist/cli/main.js';
const GRID = 'test/fixtures/disk/grid-outcomes.spex';

/** The JSON events of a run, without what differs between runs (time, progress, the disk fields). */
function events(stdout: string): unknown[] {
  return stdout
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => JSON.parse(l) as Record<string, unknown>)
    .filter((e) => e['event'] !== 'progress')
    .map((e) => {
      const { seconds: _s, resumed: _r, disk: _d, threads: _t, threadsReason: _tr, ...rest } = e;
      return rest;
    });
}

/** A run of the CLI; in a process of its own when it is to be killed (SPEX_KILL_AFTER_CHECKPOINTS). */
function cli(args: string[], env: Record<string, string> = {}): { status: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string } {
  const all = { SPEX_DISK_TABLE_KEYS: '40', SPEX_CHECKPOINT_EVERY_STATES: '150', ...env };
  if (all['SPEX_KILL_AFTER_CHECKPOINTS'] === undefined) {
    const r = spexHere(args, all);
    return { status: r.code, signal: null, stdout: r.stdout, stderr: r.stderr };
  }
  const r = spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8', env: { ...process.env, ...all } });
  if (r.error) throw r.error;
  return { status: r.status, signal: r.signal, stdout: r.stdout, stderr: r.stderr };
}

/** Resumes from `cp` if a checkpoint is there (else starts afresh, as a user would); the run's JSON. */
function resume(base: string[], cp: string, check: string): { status: number | null; stdout: string } {
  const has = existsSync(join(cp, check, 'checkpoint.json'));
  const r = cli([...base, has ? '--resume' : '--checkpoint', cp]);
  if (has) expect(r.stdout).toContain('"resumed":true');
  return r;
}

describe('--max-memory through the CLI', () => {
  it('goes on on disk past the budget by default, with the in-memory run\'s counts and a note', () => {
    const base = ['check', 'spec/bench/counter-grid.spex', '--const', 'N=4', '--const', 'K=12', '--workers', '1'];
    const whole = spawnSync(process.execPath, [CLI, ...base], { encoding: 'utf8' });
    // 1 MiB: any process is over it, so explore() hands over at its first look.
    const disk = spawnSync(process.execPath, [CLI, ...base, '--max-memory', '1m', '--spill-dir', dir], { encoding: 'utf8' });
    expect(disk.status).toBe(0);
    const counts = (s: string): string | undefined => /^\d+ distinct states, \d+ generated, depth \d+/m.exec(s)?.[0];
    expect(counts(disk.stdout)).toBe(counts(whole.stdout));
    expect(disk.stderr).toMatch(/note: the search reached --max-memory at [\d,]+ distinct states and went on on disk/);
    // Its spill directory is gone.
    expect(readdirSync(dir).filter((f) => f.startsWith('spex-spill-'))).toEqual([]);
  });

  it('with several workers, searches again on one thread, which spills', () => {
    const base = ['check', 'spec/bench/counter-grid.spex', '--const', 'N=4', '--const', 'K=12', '--json'];
    const whole = cli([...base, '--workers', '1']);
    const r = spawnSync(process.execPath, [CLI, ...base, '--workers', '2', '--max-memory', '1m'], { encoding: 'utf8', env: { ...process.env, SPEX_WORKERS_EAGER: '1' } });
    expect(r.status).toBe(0);
    expect(events(r.stdout)).toEqual(events(whole.stdout));
    expect(r.stderr).toMatch(/note: the parallel search stopped for memory at [\d,]+ distinct states \(the process used \d+ MiB, over --max-memory 1 MiB\); searching again on 1 thread/);
  });

  it('--workers auto goes on on disk from its one-thread start, not searching again', () => {
    const base = ['check', 'spec/bench/counter-grid.spex', '--const', 'N=4', '--const', 'K=12', '--json'];
    const whole = cli([...base, '--workers', '1']);
    const r = spawnSync(process.execPath, [CLI, ...base, '--workers', 'auto', '--max-memory', '1m'], { encoding: 'utf8' });
    expect(r.status).toBe(0);
    expect(events(r.stdout)).toEqual(events(whole.stdout));
    expect(r.stderr).toMatch(/note: the search reached --max-memory at [\d,]+ distinct states and went on on disk/);
    expect(r.stderr).not.toMatch(/parallel search/);
  });

  // The parallel explorer keeps a level in growable shared buffers, 4 GiB each at most in
  // Node 20; SPEX_TEST_SHARED_BUFFER_BYTES makes them small. A level past them is a stop for
  // memory: the search runs again on one thread (exact counts), or with --no-spill stops.
  it('a level too big for the shared buffers: searched again on one thread, or stopped for memory', () => {
    const base = ['check', 'spec/bench/counter-grid.spex', '--const', 'N=4', '--const', 'K=12', '--json'];
    const whole = cli([...base, '--workers', '1']);
    const env = { ...process.env, SPEX_WORKERS_EAGER: '1', SPEX_TEST_SHARED_BUFFER_BYTES: '65536' };
    const r = spawnSync(process.execPath, [CLI, ...base, '--workers', '2'], { encoding: 'utf8', env });
    expect(r.status).toBe(0);
    expect(events(r.stdout)).toEqual(events(whole.stdout));
    expect(r.stderr).toMatch(/note: the parallel search stopped for memory at [\d,]+ distinct states \(a level of the parallel search would need \d+ KiB in one shared buffer, over the 64 KiB a shared buffer can hold\); searching again on 1 thread/);
    const text = spawnSync(process.execPath, [CLI, ...base.slice(0, -1), '--workers', '2', '--no-spill'], { encoding: 'utf8', env });
    expect(text.status).toBe(152);
    expect(text.stdout).toMatch(/^Stopped: the memory limit was reached before the search was complete \(a level of the parallel search would need \d+ KiB in one shared buffer, over the 64 KiB a shared buffer can hold\); nothing was violated up to there\. --workers 1 keeps its levels unshared, with no such limit\.$/m);
  });
});

describe('checkpoints: kill -9, then --resume', () => {
  // The packed engine's checkpoints are its in-memory search's; 'packed on disk' is the
  // disk-backed search from the start (the test hook SPEX_CHECKPOINT_ON_DISK).
  const cases: [string, string, number][] = [
    ['Ok', 'packed', 1], ['Ok', 'generic', 4], ['Ok', 'packed on disk', 2],
    ['Violation', 'generic', 2], ['Violation', 'packed', 5], ['Violation', 'packed on disk', 3],
    ['Deadlock', 'packed', 3], ['Deadlock', 'generic', 1],
    ['Fault', 'generic', 3], ['Fault', 'packed', 2],
    ['Constrained', 'generic', 2],
  ];
  it.each(cases)('%s on the %s engine, killed after %i checkpoints', (check, engine, n) => {
    const base = ['check', GRID, '--check', check, '--engine', engine.split(' ')[0]!, '--workers', '1', '--json'];
    const whole = cli(base);
    const cp = join(dir, `kill-${check}-${engine.replaceAll(' ', '-')}`);
    const onDisk: Record<string, string> = engine === 'packed on disk' ? { SPEX_CHECKPOINT_ON_DISK: '1' } : {};
    const killed = cli([...base, '--checkpoint', cp], { SPEX_KILL_AFTER_CHECKPOINTS: String(n), ...onDisk });
    expect(killed.signal).toBe('SIGKILL');
    expect(existsSync(join(cp, check, 'checkpoint.json'))).toBe(true);
    const m = JSON.parse(readFileSync(join(cp, check, 'checkpoint.json'), 'utf8')) as { run: unknown };
    // The disk-backed search spilled (its table is of 40 keys); the in-memory search did not.
    expect(m.run !== null, engine).toBe(engine !== 'packed');
    const r = resume(base, cp, check);
    expect(r.status).toBe(whole.status);
    expect(events(r.stdout)).toEqual(events(whole.stdout));
    // Resumed again from its own checkpoints: it went on writing them.
    expect(readdirSync(join(cp, check))).toEqual([]);
  });

  it('a run killed at a random moment, then resumed, ends as the uninterrupted run', async () => {
    const next = words(Date.now());
    for (const [check, engine] of [['Ok', 'generic'], ['Violation', 'packed'], ['Deadlock', 'generic']] as const) {
      const base = ['check', GRID, '--check', check, '--engine', engine, '--workers', '1', '--json'];
      const whole = cli(base);
      const cp = join(dir, `random-${check}-${engine}`);
      const child = spawn(process.execPath, [CLI, ...base, '--checkpoint', cp], { env: { ...process.env, SPEX_DISK_TABLE_KEYS: '40', SPEX_CHECKPOINT_EVERY_STATES: '50' }, stdio: 'ignore' });
      const delay = next() % 1500;
      await new Promise<void>((resolve) => {
        const t = setTimeout(() => child.kill('SIGKILL'), delay);
        child.on('exit', () => {
          clearTimeout(t);
          resolve();
        });
      });
      const r = resume(base, cp, check);
      expect(r.status).toBe(whole.status);
      expect(events(r.stdout)).toEqual(events(whole.stdout));
    }
  });

  it('an interrupt (SIGTERM) writes a checkpoint that resumes', async () => {
    const base = ['check', GRID, '--check', 'Ok', '--const', 'K=14', '--workers', '1', '--json'];
    const whole = cli(base);
    const cp = join(dir, 'sigterm');
    const child = spawn(process.execPath, [CLI, ...base, '--checkpoint', cp], { env: { ...process.env, SPEX_DISK_TABLE_KEYS: '40' }, stdio: ['ignore', 'pipe', 'ignore'] });
    let out = '';
    child.stdout!.on('data', (b: Buffer) => {
      out += b.toString();
      // Once the search has started, interrupt it.
      if (out.includes('"start"')) child.kill('SIGTERM');
    });
    const code = await new Promise<number | null>((resolve) => child.on('exit', (c) => resolve(c)));
    if (code === 143) expect(existsSync(join(cp, 'Ok', 'checkpoint.json'))).toBe(true);
    const r = resume(base, cp, 'Ok');
    expect(r.status).toBe(whole.status);
    expect(events(r.stdout)).toEqual(events(whole.stdout));
  });

  it('says why it runs on one thread, under --workers auto and 2 alike', () => {
    const cp = join(dir, 'one-thread');
    // (`auto` asks for more than one thread only on a machine of more than one core.)
    for (const workers of availableParallelism() > 1 ? ['auto', '2'] : ['2']) {
      const r = cli(['check', GRID, '--check', 'Ok', '--workers', workers, '--json', '--checkpoint', cp]);
      expect(r.stdout).toContain('"threads":1,"threadsReason":"checkpoints are written by the one-thread search"');
      // Said as a note only when the thread count was asked for.
      expect(r.stderr.includes('note: checkpoints are written by the one-thread search: exploring with 1 worker instead of 2')).toBe(workers === '2');
    }
  });

  it('refuses a checkpoint of other constants (E252)', () => {
    const base = ['check', GRID, '--check', 'Ok', '--workers', '1'];
    const cp = join(dir, 'other-consts');
    const killed = cli([...base, '--checkpoint', cp], { SPEX_KILL_AFTER_CHECKPOINTS: '1' });
    expect(killed.signal).toBe('SIGKILL');
    const r = cli([...base, '--const', 'K=8', '--resume', cp]);
    expect(r.status).toBe(120);
    expect(r.stderr).toMatch(/error\[E252\]: cannot resume from .*: consts is "\[\\"K=8\\"\]" now, "\[\]" in the checkpoint/);
    // The refused checkpoint is still there, and still resumes the right run.
    const ok = cli([...base, '--resume', cp]);
    expect(ok.status).toBe(0);
  });
});
