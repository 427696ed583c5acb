/**
 * The spex command line: `main(argv)` runs one command and returns its exit code. With
 * swarm.ts the only place that prints; everything it shows comes from report.ts, everything it
 * runs from engine/run.ts. main.ts is the process's entry; nothing here runs on import, so
 * that a command can also be run in a process that is not spex's own (the tests).
 */
import { readdirSync, readFileSync, realpathSync, statSync } from 'node:fs';
import { WriteError } from './write-output.js';
import { join } from 'node:path';
import { Command, InvalidArgumentError, Option } from 'commander';
import { Diagnostic, SpecErrors, renderDiagnostic } from '../lang/diagnostics.js';
import { DiskError } from '../explore/disk/files.js';
import {
  EXIT, checkShowNames, prepareCheckpointDir, requireCheckpoint, constOverrides, formatExpectation, formatVerdict, loadSpec, meetsExpectation, neverEnabledWarnings, runCheck, selectChecks,
  type CheckResult, type EngineChoice, type RunOptions,
} from '../engine/run.js';
import { groupDigits } from '../values/format.js';
import { formatCollision, formatResult, formatStats } from './report.js';
import { formatTemporalStats } from './report-temporal.js';
import { formatCoverage } from '../export/coverage.js';
import { cmdReplay, type ReplayOpts } from './replay.js';
import { checkOutputPaths, writeCheckOutputs, type OutputPaths } from './check-outputs.js';
import { cmdCheckJson } from './json-events.js';
import { cmdGraph, type GraphOpts } from './graph.js';
import { progressPrinter, type ProgressPrinter } from './progress.js';
import { DEFAULT_DEPTH, DEFAULT_RUNS, DEFAULT_SHRINK_BUDGET, cmdSimulate, type SimulateCliOptions } from './simulate.js';
import { cmdExplore, type ExploreOpts } from './explore.js';
import { acceptInterrupts, defaultMaxMemory, interruptSignal, parseMemorySize, setMemoryBudget, setPhase } from '../explore/guard.js';
import { Interrupted } from '../explore/guard.js';
import { notStarted, signalName } from './report.js';
import { DEFAULT_CHECKPOINT_MINUTES, interruptedExit, wasInterrupted } from '../engine/run.js';
import { WorkerDied } from '../explore/parallel/supervisor.js';
import { addSwarmCommand, cmdSwarmJob, isSwarmJob, withSwarmOptions, type SwarmCliOptions } from './swarm.js';
import { disableCodeCache } from '../engine/code-cache.js';
import { FULL_VALUES_HELP, showWholeValues } from './value-text.js';
import { DEFAULT_MAX_EVAL_WORK, parseEvalWork, setMaxEvalWork } from '../lang/work.js';
import { forgetInputs, readFailure } from '../lang/input.js';
import { MAX_TIMEOUT_SECONDS } from '../lsp/limits.js';

const out = (s: string): void => {
  process.stdout.write(s + '\n');
};
const err = (s: string): void => {
  process.stderr.write(s + '\n');
};

function version(): string {
  const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
  return pkg.version;
}

/**
 * An option's number, written as a decimal number (`1e6`, `2.5e3` and `.5` included), spaces
 * around it allowed; NaN for anything else. Number() alone took '' (and a blank) for 0, so
 * `--port ""` listened on a random port, and '0x10', '0b11', '0o7' for 16, 3 and 7 (counts,
 * seconds and minutes alike).
 */
function decimal(value: string): number {
  return /^\s*(\d+(\.\d*)?|\.\d+)(e[+-]?\d+)?\s*$/i.test(value) ? Number(value) : NaN;
}

/** --port: 0 to 65535; 0 asks the system for a free port. */
export function portNumber(value: string): number {
  const n = decimal(value);
  if (!Number.isSafeInteger(n) || n < 0 || n > 65535) throw new InvalidArgumentError('expected a port number (0: any free port)');
  return n;
}

function positiveInt(value: string): number {
  const n = decimal(value);
  if (!Number.isSafeInteger(n) || n < 1) throw new InvalidArgumentError('expected a positive integer');
  return n;
}

/**
 * The most threads `--workers` may ask for. Each is a V8 isolate with a heap of its own, more
 * than one per core never explores faster (docs/parallel.md), and a few hundred made node
 * abort or crash while starting them.
 */
const MAX_WORKERS = 64;

/** `--workers`: a number of threads, or `auto` (as many as measured throughput says, up to one per core). */
function workerCount(value: string): number | 'auto' {
  if (value === 'auto') return 'auto';
  return threadCount(value, ' or auto');
}

/** A number of threads from 1 to MAX_WORKERS. */
function threadCount(value: string, or = ''): number {
  const n = decimal(value);
  if (!Number.isSafeInteger(n) || n < 1 || n > MAX_WORKERS) throw new InvalidArgumentError(`expected a positive integer up to ${MAX_WORKERS}${or}`);
  return n;
}

/** `spex lsp --timeout`: whole seconds, up to the longest delay a timer of Node.js takes (a longer one would fire at once). */
function lspTimeout(value: string): number {
  const n = decimal(value);
  if (!Number.isSafeInteger(n) || n < 1 || n > MAX_TIMEOUT_SECONDS) {
    throw new InvalidArgumentError(`expected a positive integer up to ${MAX_TIMEOUT_SECONDS} (about 24 days, the longest timer Node.js sets)`);
  }
  return n;
}

function nonNegativeNumber(value: string): number {
  const n = decimal(value);
  if (!Number.isFinite(n) || n < 0) throw new InvalidArgumentError('expected a number of seconds, 0 or more');
  return n;
}

function nonNegativeInt(value: string): number {
  const n = Number(value);
  if (!/^\d+$/.test(value.trim()) || !Number.isSafeInteger(n)) throw new InvalidArgumentError('expected a non-negative integer');
  return n;
}

function positiveNumber(value: string): number {
  const n = decimal(value);
  if (!Number.isFinite(n) || n <= 0) throw new InvalidArgumentError('expected a positive number');
  return n;
}

/** `--max-eval-work`: a positive count (k, m, g: thousands, millions, billions), or 0 / none for no bound. */
function evalWorkCount(value: string): number {
  const n = parseEvalWork(value);
  if (n === undefined) throw new InvalidArgumentError('expected a positive integer (k, m, g suffixes allowed), or 0 or none for no bound');
  return n;
}

/**
 * `--check NAME`, given once: a second one used to replace the first without a word (`--const`
 * and `--show` add up, so `--check A --check B` read as both).
 */
function oneCheck(value: string, previous: string | undefined): string {
  if (previous !== undefined) throw new InvalidArgumentError(`given twice ('${previous}', then '${value}'): one check block per run; without --check every check block runs`);
  return value;
}

const PROGRESS_INTERVAL_HELP = 'seconds between progress reports, on stderr and in --json (default 1; 0: as often as the run looks at the clock)';
const EVAL_WORK_HELP = `the most values the loops of one evaluation may enumerate (a state's successors, one invariant on one state; docs/diagnostics.md#e715); 0 or none: no bound (default ${groupDigits(DEFAULT_MAX_EVAL_WORK)})`;

function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

/** Reports a front-end failure (syntax or static errors) and returns its exit code. */
function reportSpecErrors(e: SpecErrors): number {
  for (const d of e.diagnostics) err(renderDiagnostic(d) + '\n');
  err(e.summary());
  return e.isSyntax ? EXIT.syntax : EXIT.static;
}

/** Prints a spec's static warnings, or a run's (W100), on stderr; the run goes on. */
function reportWarnings(spec: { readonly warnings?: readonly Diagnostic[] | undefined }): void {
  for (const d of spec.warnings ?? []) err(renderDiagnostic(d) + '\n');
}

interface CheckOpts {
  check?: string;
  const: string[];
  deadlock?: boolean;
  maxStates?: number;
  maxDepth?: number;
  progress?: boolean;
  progressInterval?: number;
  quiet?: boolean;
  workers?: number | 'auto';
  engine?: EngineChoice;
  unsoundSymmetry?: boolean;
  coverage?: boolean;
  show?: string[];
  maxMemory?: number;
  spill?: boolean;
  spillDir?: string;
  checkpoint?: string;
  checkpointEvery?: number;
  resume?: string;
}

function memorySize(value: string): number {
  const n = parseMemorySize(value);
  if (n === undefined) throw new InvalidArgumentError('expected a size such as 512m, 4g or 2000000000 (bytes; k, m, g, t are powers of 1024)');
  return n;
}

/** Sets the memory budget of the searches to come: --max-memory, else the default share of the machine's memory. */
function applyMemoryBudget(o: CheckOpts): void {
  setMemoryBudget(o.maxMemory ?? defaultMaxMemory());
}

function runOptions(o: CheckOpts, printer: ProgressPrinter | undefined): RunOptions {
  const r: { -readonly [K in keyof RunOptions]: RunOptions[K] } = { consts: o.const };
  if (o.check !== undefined) r.check = o.check;
  // Undefined unless given: a check block's `deadlock off` then decides.
  if (o.deadlock !== undefined) r.deadlock = o.deadlock;
  if (o.maxStates !== undefined) r.maxStates = o.maxStates;
  if (o.maxDepth !== undefined) r.maxDepth = o.maxDepth;
  if (printer) r.onProgress = printer.report;
  if (o.progressInterval !== undefined) r.progressPeriodMs = o.progressInterval * 1000;
  r.workers = o.workers ?? 'auto';
  r.workersChosen = o.workers !== undefined && o.workers !== 'auto';
  if (o.engine !== undefined) r.engine = o.engine;
  if (o.unsoundSymmetry === true) r.unsoundSymmetry = true;
  if (o.coverage) r.coverage = true;
  if (o.show !== undefined && o.show.length > 0) r.show = o.show;
  r.disk = diskRunOptions(o);
  return r;
}

/** The disk-backed search's options (docs/scale.md), and its test hooks (environment variables). */
function diskRunOptions(o: CheckOpts): NonNullable<RunOptions['disk']> {
  const d: { -readonly [K in keyof NonNullable<RunOptions['disk']>]: NonNullable<RunOptions['disk']>[K] } = {};
  if (o.spill === false) d.spill = false;
  if (o.spillDir !== undefined) d.spillDir = o.spillDir;
  const dir = o.resume ?? o.checkpoint;
  if (dir !== undefined) {
    d.checkpoint = dir;
    if (o.resume !== undefined) d.resume = true;
    if (o.checkpointEvery !== undefined) d.checkpointEveryMinutes = o.checkpointEvery;
    const everyStates = Number(process.env['SPEX_CHECKPOINT_EVERY_STATES'] ?? '');
    if (Number.isSafeInteger(everyStates) && everyStates > 0) d.checkpointEveryStates = everyStates;
    const killAfter = Number(process.env['SPEX_KILL_AFTER_CHECKPOINTS'] ?? '');
    if (Number.isSafeInteger(killAfter) && killAfter > 0) d.killAfterCheckpoints = killAfter;
  }
  return d;
}

function cmdCheck(file: string, o: CheckOpts & OutputPaths & SwarmCliOptions & { json?: boolean }): number {
  applyMemoryBudget(o);
  acceptInterrupts();
  const printer = progressPrinter(o);
  if (isSwarmJob(o)) return cmdSwarmJob(file, o, { toolVersion: version(), runOptions: runOptions(o, o.json ? undefined : printer), out, err });
  if (o.json) {
    const runOpts = runOptions(o, undefined);
    return cmdCheckJson(file, o, { toolVersion: version(), write: out, runOptions: runOpts, printer });
  }
  const { spec } = loadSpec(file);
  reportWarnings(spec);
  const opts = runOptions(o, printer);
  const cli = constOverrides(spec, opts.consts ?? []);
  const checks = selectChecks(spec, opts.check);
  checkShowNames(spec, opts.show);
  checkOutputPaths(o, checks.map((c) => c?.name));
  if (o.resume === undefined && o.checkpoint !== undefined) prepareCheckpointDir(o.checkpoint);
  if (o.resume !== undefined) requireCheckpoint(o.resume, spec, checks);
  let code: number = EXIT.ok;
  const results: CheckResult[] = [];
  let cut = false;
  for (const [i, check] of checks.entries()) {
    // An interrupted check ends the run: the checks after it do not start. A signal that
    // came between two checks is reported here, as no search saw it.
    if (interruptSignal() !== 0) {
      const last = results[results.length - 1];
      if (last === undefined || !wasInterrupted(last.verdict)) {
        out('');
        out(notStarted(interruptSignal(), checks.slice(i)));
        code = interruptedExit(interruptSignal());
      }
      cut = true;
      break;
    }
    if (i > 0) out('');
    if (check) out(`check ${check.name} (${spec.name}, ${file})`);
    else out(`spec ${spec.name} (${file})`);
    const r = runCheck(spec, check, cli, opts);
    results.push(r);
    printer?.done();
    if (r.note) err(r.note);
    // With progress shown: how many threads the search ran on, and why.
    if (printer && r.threads) err(`threads: ${r.threads.threads} (${r.threads.reason})`);
    out(formatResult(r));
    if (r.result) {
      out(formatCollision(r.result.stats));
      if (r.symmetry) out(formatSymmetry(r.symmetry));
      out(formatStats(r.result.stats));
      if (r.temporal && 'checked' in r.temporal) out(formatTemporalStats(r.temporal));
    }
    if (r.coverage && r.result) out('\n' + formatCoverage(r.coverage, r.result.outcome.kind === 'ok'));
    for (const w of writeCheckOutputs(r, spec, file, o, checks.length > 1)) out(w.line);
    if (code === EXIT.ok || wasInterrupted(r.verdict)) code = r.exitCode;
    if (i + 1 < checks.length) setPhase('between checks', false);
  }
  // W100 needs every check to have run: a step no check enabled may be one a later check would.
  if (!cut) reportWarnings({ warnings: neverEnabledWarnings(spec, results) });
  return code;
}

/**
 * The .spex files under the paths, folders searched recursively, in name order. Symbolic
 * links are followed, but a folder reached again (a link back to a folder above, or a second
 * link to the same one) is not searched again, so a link cycle ends.
 */
function specFiles(paths: string[]): string[] {
  const files: string[] = [];
  const searched = new Set<string>();
  const visit = (p: string, named: boolean): void => {
    const st = statSync(p);
    if (st.isDirectory()) {
      const real = realpathSync(p);
      if (searched.has(real)) return;
      searched.add(real);
      for (const name of readdirSync(p).sort()) visit(join(p, name), false);
    } else if (named || p.endsWith('.spex')) files.push(p);
  };
  // A path given by name is read whatever it is (a pipe is then E102, as for check); in a
  // folder, only the .spex files.
  for (const p of paths) visit(p, true);
  return files;
}

function cmdTest(paths: string[], o: CheckOpts & { trace?: boolean }): number {
  applyMemoryBudget(o);
  acceptInterrupts();
  const files = specFiles(paths.length > 0 ? paths : ['spec']);
  let passed = 0;
  let failed = 0;
  for (const file of files) {
    // Interrupted: what ran is reported, the rest does not start.
    if (interruptSignal() !== 0) break;
    let loaded;
    try {
      loaded = loadSpec(file);
    } catch (e) {
      if (e instanceof Interrupted) {
        out(`INTERRUPTED ${file} (while ${e.phase})`);
        break;
      }
      if (!(e instanceof SpecErrors)) throw e;
      reportSpecErrors(e);
      out(`FAIL ${file}: the spec does not check`);
      failed++;
      continue;
    }
    const { spec } = loaded;
    reportWarnings(spec);
    if (spec.checks.length === 0) continue;
    const printer = progressPrinter(o);
    const opts = runOptions(o, printer);
    const cli = constOverrides(spec, opts.consts ?? []);
    if (opts.check !== undefined && !spec.checks.some((c) => c.name === opts.check)) continue;
    const results: CheckResult[] = [];
    for (const check of selectChecks(spec, opts.check)) {
      if (interruptSignal() !== 0) break;
      let r: CheckResult;
      try {
        r = runCheck(spec, check, cli, opts);
      } catch (e) {
        if (e instanceof Interrupted) {
          printer?.done();
          out(`INTERRUPTED ${file} ${check?.name ?? spec.name} (while ${e.phase})`);
          break;
        }
        // A static error of this configuration alone (E221: its constants make a type too
        // large to enumerate): the other checks still run.
        if (!(e instanceof SpecErrors)) throw e;
        printer?.done();
        reportSpecErrors(e);
        out(`FAIL ${file} ${check?.name ?? spec.name}: the configuration does not check`);
        failed++;
        continue;
      }
      printer?.done();
      if (r.note) err(r.note);
      results.push(r);
      const ok = meetsExpectation(r.verdict, r.expect);
      const stats = r.result ? `  (${formatStats(r.result.stats)})` : '';
      if (wasInterrupted(r.verdict)) {
        // Neither passed nor failed: the partial statistics, and the run ends.
        out(`INTERRUPTED ${file} ${r.name ?? spec.name}${stats}`);
        break;
      }
      out(`${ok ? 'PASS' : 'FAIL'} ${file} ${r.name}: ${formatVerdict(r.verdict)}${ok ? '' : `, expected ${formatExpectation(r.expect)}`}${stats}`);
      if (!ok || o.trace) {
        out(indent(formatResult(r)));
      }
      if (ok) passed++;
      else failed++;
    }
    reportWarnings({ warnings: neverEnabledWarnings(spec, results) });
  }
  if (o.check !== undefined && passed + failed === 0) {
    err(`error: no check named '${o.check}' in ${paths.join(' ') || 'spec'}`);
    return 1;
  }
  const signal = interruptSignal();
  if (signal !== 0) {
    out(`${passed} passed, ${failed} failed, interrupted (the checks after the interrupted one did not run)`);
    return interruptedExit(signal);
  }
  if (passed + failed === 0) {
    // Nothing ran: a typo in a path, or a folder without specs, must not look like success.
    err(`error: no check blocks in ${paths.join(' ') || 'spec'}`);
    err('  = hint: spex test runs the check blocks of .spex files (folders are searched recursively); spex check runs a spec without check blocks');
    return 1;
  }
  out(`${passed} passed, ${failed} failed`);
  return failed === 0 ? EXIT.ok : 1;
}

/** The line saying a run's counts are of orbits under a symmetry (docs/symmetry.md). */
function formatSymmetry(s: NonNullable<CheckResult['symmetry']>): string {
  const tried = groupDigits(s.triedPerState, 1);
  return `symmetry: ${s.description}, ${groupDigits(s.groupSize)} permutations (${tried} tried per state); distinct states are counted up to them`;
}

function indent(s: string): string {
  return s
    .split('\n')
    .map((l) => (l === '' ? l : '    ' + l))
    .join('\n');
}

function cmdParse(file: string): number {
  // A big file takes a while to parse: the first signal stops it with a message.
  acceptInterrupts();
  const { spec } = loadSpec(file);
  reportWarnings(spec);
  const n = (k: number, one: string, many = `${one}s`): string => `${k} ${k === 1 ? one : many}`;
  const parts = [n(spec.vars.length, 'variable'), n(spec.actions.length, 'action')];
  // Processes and properties are listed only where a spec has them, keeping the common line short.
  if (spec.processes.length > 0) parts.push(n(spec.processes.length, 'process', 'processes'));
  parts.push(n(spec.invariants.length, 'invariant'));
  if (spec.properties.length > 0) parts.push(n(spec.properties.length, 'property', 'properties'));
  if ((spec.imports?.length ?? 0) > 0) parts.push(n(spec.imports!.length, 'import'));
  parts.push(n(spec.checks.length, 'check'));
  out(`ok: spec ${spec.name}: ${parts.join(', ')}`);
  return EXIT.ok;
}

function withCheckOptions(cmd: Command): Command {
  return cmd
    .option('--check <name>', 'run only this check block', oneCheck)
    .option('--const <NAME=VALUE>', 'override a constant (repeatable)', collect, [])
    .option('--deadlock', 'report states without successors (the default, unless a check says deadlock off)')
    .option('--no-deadlock', 'do not report states without successors')
    .option('--max-states <n>', 'stop after this many distinct states', positiveInt)
    .option('--max-depth <n>', 'do not explore beyond this depth', positiveInt)
    .option('--max-memory <size>', 'stop the search before the process uses this much memory, e.g. 512m, 4g (default: 3/4 of the machine\'s or the cgroup\'s memory)', memorySize)
    .option('--max-eval-work <n>', EVAL_WORK_HELP, evalWorkCount)
    .option('--workers <n>', `explore with this many threads (1: no worker threads; at most ${MAX_WORKERS}); auto, the default: up to one per core, as many as measured throughput says (docs/parallel.md)`, workerCount)
    .option('--no-spill', 'stop the search at --max-memory (limit reached) instead of going on with the disk-backed search (docs/scale.md)')
    .option('--spill-dir <dir>', 'where the disk-backed search puts its files when --max-memory is reached (default: the system\'s temporary directory; removed at the end)')
    .addOption(
      new Option('--engine <engine>', 'packed: generated code over integer-vector states; generic: every spec; auto: packed when the spec allows (docs/engine.md)')
        .choices(['auto', 'packed', 'generic'])
        .default('auto'),
    )
    .option('--unsound-symmetry', 'reduce by the spec\'s symmetry even with temporal properties, step properties or refinements (docs/symmetry.md)')
    .option('--show <name>', 'print this definition (without parameters) or view in every state of a trace and write it into the exports (repeatable)', collect, [])
    .option('--progress', 'print progress on stderr every second (the default when stderr is a terminal)')
    .option('--progress-interval <seconds>', PROGRESS_INTERVAL_HELP, nonNegativeNumber)
    .option('--quiet', 'no progress output')
    .option('--full-values', FULL_VALUES_HELP)
    .option('--no-cache', 'do not use the code cache (compiled code kept between runs, docs/engine.md); SPEX_NO_CACHE=1 does the same');
}

/** Runs the CLI; returns the process exit code. */
export function main(argv: string[]): number {
  forgetInputs();
  let code: number = EXIT.ok;
  const program = new Command();
  program
    .name('spex')
    .description('An explicit-state model checker: breadth-first over every interleaving, shortest counterexamples.')
    .version(version())
    .exitOverride()
    .configureOutput({ writeErr: (s) => process.stderr.write(s) });
  // --no-cache (check, test, simulate): before the command compiles anything.
  program.hook('preAction', (_program, command) => {
    if (command.opts()['cache'] === false) disableCodeCache();
    showWholeValues(command.opts()['fullValues'] === true);
    // --max-eval-work (check, test, simulate, replay, graph, explore): before anything is evaluated.
    const work = command.opts()['maxEvalWork'] as number | undefined;
    setMaxEvalWork(work ?? DEFAULT_MAX_EVAL_WORK);
  });

  withCheckOptions(program.command('check <file>').description('explore a spec and report the first violation with a shortest trace'))
    .option('--out-itf <path>', 'write the counterexample as an ITF trace to PATH (PATH.<check>.itf.json per check when several run)')
    .option('--out-tlc-json <path>', "write the counterexample in the shape of TLC's -dumpTrace json")
    .option('--out-html <path>', 'write the counterexample as a self-contained HTML report')
    .option('--json', 'write the run as NDJSON events on stdout (docs/json-events.md), and nothing else there')
    .option('--coverage', 'count per action, label and binding how often it was enabled and taken and the new states it found, and how often each require, await and pick blocked (docs/coverage.md); runs on one thread')
    .option('--checkpoint <dir>', 'write a checkpoint into DIR every --checkpoint-every minutes and at an interrupt, for --resume (docs/scale.md); the search runs on one thread')
    .option('--checkpoint-every <minutes>', `minutes between two checkpoints, fractions allowed (default ${DEFAULT_CHECKPOINT_MINUTES})`, positiveNumber)
    .option('--resume <dir>', 'continue from the checkpoint in DIR (written by --checkpoint DIR), and go on writing checkpoints there; the result is that of an uninterrupted run')
    .action((file: string, o: CheckOpts & OutputPaths & SwarmCliOptions & { json?: boolean }) => {
      code = cmdCheck(file, o);
    });
  withSwarmOptions(program.commands.find((c) => c.name() === 'check')!);
  addSwarmCommand(program, out, err, (c) => {
    code = c;
  });
  withCheckOptions(program.command('test [paths...]').description('run every check block and compare each outcome with its expect'))
    .option('--trace', 'print the counterexample of every check, not only of the failing ones')
    .action((paths: string[], o: CheckOpts & { trace?: boolean }) => {
      code = cmdTest(paths, o);
    });
  program
    .command('simulate <file>')
    .description('random walks that check invariants, asserts and deadlock; a violation is shrunk before it is reported (docs/simulate.md)')
    .option('--check <name>', 'simulate only this check block', oneCheck)
    .option('--const <NAME=VALUE>', 'override a constant (repeatable)', collect, [])
    .option('--deadlock', 'report states without successors (the default, unless a check says deadlock off)')
    .option('--no-deadlock', 'do not report states without successors')
    .option('--depth <n>', `the most steps per walk (default ${DEFAULT_DEPTH})`, positiveInt, DEFAULT_DEPTH)
    .option('--runs <n>', `stop after this many walks (default ${DEFAULT_RUNS}, or no limit with --time)`, positiveInt)
    .option('--time <seconds>', 'stop handing out walks after this many seconds', positiveNumber)
    .option('--seed <n>', "the seed of the walks: a non-negative integer, or 'random' (default 0)")
    .option('--workers <n>', `walk on this many threads (default 1, at most ${MAX_WORKERS}); the result does not depend on it`, (v) => threadCount(v))
    .option('--max-eval-work <n>', EVAL_WORK_HELP, evalWorkCount)
    .option('--shrink-budget <n>', `states the breadth-first phase of shrinking may store; 0: skip it (default ${DEFAULT_SHRINK_BUDGET})`, nonNegativeInt, DEFAULT_SHRINK_BUDGET)
    .option('--coverage', 'count per action, label and binding how often the walks found it enabled and took it, and the new states it reached, and how often each require, await and pick blocked (docs/coverage.md); walks on one thread')
    .addOption(
      new Option('--engine <engine>', 'packed: generated code over integer-vector states; generic: every spec; auto: packed when the spec allows (docs/engine.md)')
        .choices(['auto', 'packed', 'generic'])
        .default('auto'),
    )
    .option('--out-itf <path>', 'write the counterexample as an ITF trace to PATH (PATH.<check>.itf.json per check when several run)')
    .option('--out-tlc-json <path>', "write the counterexample in the shape of TLC's -dumpTrace json")
    .option('--out-html <path>', 'write the counterexample as a self-contained HTML report')
    .option('--json', 'write the run as NDJSON events on stdout (docs/json-events.md), and nothing else there')
    .option('--progress', 'print progress on stderr every second (the default when stderr is a terminal)')
    .option('--progress-interval <seconds>', PROGRESS_INTERVAL_HELP, nonNegativeNumber)
    .option('--quiet', 'no progress output')
    .option('--full-values', FULL_VALUES_HELP)
    .option('--no-cache', 'do not use the code cache (compiled code kept between runs, docs/engine.md); SPEX_NO_CACHE=1 does the same')
    .action((file: string, o: SimulateCliOptions) => {
      code = cmdSimulate(file, o, out, err, version());
    });
  program
    .command('replay <trace> <spec>')
    .description("check that an ITF trace is a behaviour of the spec (exit 0), or show its first bad step (exit 1)")
    .option('--check <name>', "use this check block's constants (default: the trace's #meta.check)", oneCheck)
    .option('--const <NAME=VALUE>', 'override a constant (repeatable)', collect, [])
    .option('--max-eval-work <n>', EVAL_WORK_HELP, evalWorkCount)
    .action((trace: string, specFile: string, o: ReplayOpts) => {
      const r = cmdReplay(trace, specFile, o);
      for (const line of r.stdout) out(line);
      for (const line of r.stderr) err(line);
      code = r.code;
    });
  program
    .command('graph <spec>')
    .description('write the state graph of a small configuration as Graphviz DOT, the counterexample highlighted')
    .requiredOption('--out <file>', 'the .dot file to write')
    .option('--check <name>', 'the check block whose configuration to draw', oneCheck)
    .option('--const <NAME=VALUE>', 'override a constant (repeatable)', collect, [])
    .option('--deadlock', 'mark states without successors as deadlocks (the default, unless a check says deadlock off)')
    .option('--no-deadlock', 'do not mark states without successors')
    .option('--max-states <n>', `refuse graphs of more states than this (default ${2000})`, positiveInt)
    .option('--max-eval-work <n>', EVAL_WORK_HELP, evalWorkCount)
    .action((specFile: string, o: GraphOpts) => {
      const r = cmdGraph(specFile, o);
      for (const line of r.stdout) out(line);
      for (const line of r.stderr) err(line);
      code = r.code;
    });
  program
    .command('explore <spec>')
    .description('explore a spec by hand in the browser: a local web server on 127.0.0.1 (docs/explore.md)')
    .option('--check <name>', "use this check block's constants, constraints and refinements", oneCheck)
    .option('--const <NAME=VALUE>', 'override a constant (repeatable)', collect, [])
    .option('--port <n>', 'listen on this port (default 0: a free one)', portNumber)
    .option('--open-trace <itf>', 'open this ITF trace (spex check --out-itf) as the path to start from')
    .option('--search-limit <n>', 'the most distinct states a search visits (default 100000)', positiveInt)
    .option('--max-eval-work <n>', EVAL_WORK_HELP, evalWorkCount)
    .action((specFile: string, o: ExploreOpts) => {
      code = cmdExplore(specFile, o, { out, err }) ?? EXIT.ok;
    });
  program
    .command('parse <file>')
    .description('syntax and static checks only')
    .action((file: string) => {
      code = cmdParse(file);
    });

  program
    .command('lsp')
    .description('run the language server for editors (Language Server Protocol on stdin and stdout; docs/editor.md)')
    .option('--stdio', 'talk over stdin and stdout (the default, and the only transport)')
    .option('--max-states <n>', 'the most distinct states a "Run check" explores (default 1000000)', positiveInt)
    .option('--timeout <seconds>', `stop a "Run check" after this many seconds (default 60, at most ${MAX_TIMEOUT_SECONDS})`, lspTimeout)
    .action((o: { maxStates?: number; timeout?: number }) => {
      // Loaded only here: the other commands do not pay for the protocol library.
      import('../lsp/server.js')
        .then((m) => {
          m.startStdioServer({ ...(o.maxStates !== undefined ? { maxStates: o.maxStates } : {}), ...(o.timeout !== undefined ? { timeoutSeconds: o.timeout } : {}) });
        })
        .catch((e: unknown) => {
          err('internal error (a bug in spex, not in your spec); please report it with this trace:');
          err(e instanceof Error ? (e.stack ?? e.message) : String(e));
          process.exit(EXIT.internal);
        });
    });

  if (argv.length === 0) {
    program.outputHelp({ error: true });
    return 1;
  }
  try {
    program.parse(argv, { from: 'user' });
  } catch (e) {
    const ce = e as { code?: string; exitCode?: number };
    if (typeof ce.code === 'string' && ce.code.startsWith('commander.')) {
      return ce.code === 'commander.helpDisplayed' || ce.code === 'commander.version' || ce.code === 'commander.help' ? 0 : 1;
    }
    if (e instanceof SpecErrors) return reportSpecErrors(e);
    if (e instanceof Interrupted) {
      // The first signal, outside a search (which reports its partial statistics itself).
      err(`Interrupted (${signalName(e.signal)}) while ${e.phase}: no verdict.`);
      return interruptedExit(e.signal);
    }
    if (e instanceof WriteError) {
      err(`error: ${e.message}`);
      return 1;
    }
    if (e instanceof DiskError) {
      // E712: a file of the disk-backed search could not be read or written (docs/scale.md).
      err(renderDiagnostic(new Diagnostic(e.code, undefined, e.message, e.hint)));
      return 1;
    }
    const unread = readFailure(e);
    if (unread !== undefined) {
      err(`error: ${unread}`);
      return 1;
    }
    if (e instanceof WorkerDied) {
      // A thread of the search died: no trace of ours would help; what was done so far.
      err(`${e.message}`);
      if (e.stats) err(`the search so far: ${formatStats(e.stats)}, queue ${e.stats.queue}`);
      return EXIT.internal;
    }
    err('internal error (a bug in spex, not in your spec); please report it with this trace:');
    err(e instanceof Error ? (e.stack ?? e.message) : String(e));
    return EXIT.internal;
  }
  return code;
}
