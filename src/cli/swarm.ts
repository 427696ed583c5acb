/**
 * The swarm on the command line (docs/scale.md):
 *
 *   spex check FILE --swarm i/n [--seed S] [--swarm-mode MODE] [--bitstate SIZE] [--hashes K] [--out FILE] [--json]
 *   spex swarm merge FILES... [--spec FILE] [--out-itf PATH] [--json]
 *
 * A job runs the search its plan gives (src/swarm/plan.ts), reports each check as `spex check`
 * does, saying how partial its search was, and writes its record (src/swarm/record.ts) to
 * --out, or as `swarm` events with --json. The merge reads those and prints the swarm's
 * verdict. Only this module and program.ts print.
 */
import { createHash } from 'node:crypto';
import type { Command } from 'commander';
import { Diagnostic, SpecErrors, renderDiagnostic } from '../lang/diagnostics.js';
import { EXIT, checkShowNames, interruptedExit, configOverrides, constOverrides, formatExpectation, loadSpec, meetsExpectation, neverEnabledWarnings, selectChecks, withRefinements, type CheckResult, type RunOptions } from '../engine/run.js';
import { counterexampleOf } from '../export/counterexample.js';
import { fromItf, formatItf, itfOfCheck, toItf, type Json } from '../export/itf.js';
import { coverageJson, formatCoverage } from '../export/coverage.js';
import { formatCollision, formatResult, formatStats, formatTrace, notStarted } from './report.js';
import { checkOutputPaths, writeCheckOutputs, type OutputPaths } from './check-outputs.js';
import { diagnosticJson, specErrorsEvent, verdictFields, JSON_EVENTS_VERSION } from './json-events.js';
import { itfPathForCheck } from './itf-out.js';
import { checkOutputPath, writeOutput, WriteError } from './write-output.js';
import { interruptSignal, setPhase } from '../explore/guard.js';
import { compileSpec, type Label } from '../lang/compile.js';
import type { CheckedSpec } from '../lang/check.js';
import type * as A from '../lang/ast.js';
import { DEFAULT_BITSTATE_LOG2, DEFAULT_HASHES, MAX_HASHES, MAX_BITSTATE_LOG2, MIN_BITSTATE_LOG2, parseBitstateSize } from '../swarm/bitstate.js';
import { SWARM_MODES, describePlan, parseSlice, planJob, type JobPlan, type SwarmMode } from '../swarm/plan.js';
import { refuseForcedBitstate, runSwarmCheck, type JobCheck } from '../swarm/job.js';
import { SWARM_FORMAT, SWARM_FORMAT_VERSION, type CheckRecord, type JobId, type JobRecord } from '../swarm/record.js';
import { interruptedCheck, mergeJobs, parseJobFile, type MergeResult, type MergedCheck } from '../swarm/merge.js';
import { traceDoesNotReplay } from '../swarm/validate.js';
import { FULL_VALUES_HELP } from './value-text.js';
import { MAX_JSON_INPUT_BYTES, readFailure, readInputFile } from '../lang/input.js';
import { groupDigits } from '../values/format.js';

/** The swarm options of `spex check`, as commander gives them. */
export interface SwarmCliOptions {
  swarm?: string;
  seed?: string;
  swarmMode?: string;
  bitstate?: string;
  hashes?: string;
  out?: string;
}

/** Whether `spex check` runs as a swarm job: any swarm option given. */
export function isSwarmJob(o: SwarmCliOptions): boolean {
  return o.swarm !== undefined || o.swarmMode !== undefined || o.bitstate !== undefined || o.hashes !== undefined || o.out !== undefined || o.seed !== undefined;
}

/** Adds the swarm options to `spex check`. */
export function withSwarmOptions(cmd: Command): Command {
  return cmd
    .option('--swarm <i/n>', 'run job i of a swarm of n diversified searches (docs/scale.md)')
    .option('--seed <n>', 'the swarm\'s seed: jobs with the same i/n and seed run the same search (default 0)')
    .option('--swarm-mode <mode>', `run this kind of search whatever the job's index: ${SWARM_MODES.join(', ')}`)
    .option('--bitstate <size>', `bitstate hashing over a bit array of this many bits, e.g. 2^28 (a power of two from 2^${MIN_BITSTATE_LOG2} to 2^${MAX_BITSTATE_LOG2}; default 2^${DEFAULT_BITSTATE_LOG2} for the swarm's bitstate jobs)`)
    .option('--hashes <k>', `bits set per state by bitstate hashing, 1 to ${MAX_HASHES} (default ${DEFAULT_HASHES}, more in later rounds of the mix)`)
    .option('--out <file>', 'write the job\'s result for spex swarm merge to FILE');
}

/** The job's plan from the options; throws SpecErrors (E255, E256, E257) for bad ones. */
export function jobPlan(o: SwarmCliOptions & { maxDepth?: number }): { plan: JobPlan; forced: boolean } {
  const diags: Diagnostic[] = [];
  let slice = { index: 1, of: 1 };
  if (o.swarm !== undefined) {
    const s = parseSlice(o.swarm);
    if (s) slice = s;
    else diags.push(new Diagnostic('E255', undefined, `--swarm expects i/n with 1 ≤ i ≤ n, not '${o.swarm}'`, 'job i of n: e.g. --swarm 1/4 ... --swarm 4/4 for a swarm of four jobs'));
  }
  let seed: number | undefined;
  if (o.seed !== undefined) {
    if (/^\d{1,15}$/.test(o.seed.trim()) && Number.isSafeInteger(Number(o.seed))) seed = Number(o.seed);
    else diags.push(new Diagnostic('E255', undefined, `--seed expects a non-negative integer, not '${o.seed}'`, 'every job of one swarm takes the same --seed; another seed gives other searches'));
  }
  let mode: SwarmMode | undefined;
  if (o.swarmMode !== undefined) {
    if ((SWARM_MODES as readonly string[]).includes(o.swarmMode)) mode = o.swarmMode as SwarmMode;
    else diags.push(new Diagnostic('E255', undefined, `--swarm-mode expects one of ${SWARM_MODES.join(', ')}, not '${o.swarmMode}'`, 'docs/scale.md describes each kind of search'));
  }
  let log2: number | undefined;
  if (o.bitstate !== undefined) {
    log2 = parseBitstateSize(o.bitstate);
    if (log2 === undefined) diags.push(new Diagnostic('E256', undefined, `--bitstate expects a power of two from 2^${MIN_BITSTATE_LOG2} to 2^${MAX_BITSTATE_LOG2} bits, not '${o.bitstate}'`, 'e.g. --bitstate 2^28 (32 MiB), --bitstate 2^33 (1 GiB); a number of bits such as 268435456 or 256m works too'));
  }
  let hashes: number | undefined;
  if (o.hashes !== undefined) {
    const k = Number(o.hashes);
    if (/^\d+$/.test(o.hashes.trim()) && k >= 1 && k <= MAX_HASHES) hashes = k;
    else diags.push(new Diagnostic('E256', undefined, `--hashes expects an integer from 1 to ${MAX_HASHES}, not '${o.hashes}'`, `bitstate hashing sets this many bits per state; ${DEFAULT_HASHES} is the default`));
  }
  // Without --swarm, --bitstate alone asks for a bitstate search (job 1 of 1).
  if (mode === undefined && o.swarm === undefined && (log2 !== undefined || hashes !== undefined)) mode = 'bitstate';
  if (mode !== undefined && mode !== 'bitstate' && (o.bitstate !== undefined || o.hashes !== undefined)) {
    diags.push(new Diagnostic('E257', undefined, `--${o.bitstate !== undefined ? 'bitstate' : 'hashes'} sizes bitstate hashing, which --swarm-mode ${mode} does not use`, 'drop it, or use --swarm-mode bitstate (or no --swarm-mode: the swarm\'s mix has bitstate jobs)'));
  }
  if (diags.length > 0) throw new SpecErrors(diags);
  const plan = planJob(slice, { ...(seed !== undefined ? { seed } : {}), ...(mode ? { mode } : {}), ...(log2 !== undefined ? { bitstateLog2: log2 } : {}), ...(hashes !== undefined ? { hashes } : {}), ...(o.maxDepth !== undefined ? { maxDepth: o.maxDepth } : {}) }, DEFAULT_BITSTATE_LOG2, DEFAULT_HASHES);
  // A lone --bitstate keeps the spec's successor order unless a seed is given.
  const lone = o.swarm === undefined && seed === undefined && plan.mode === 'bitstate';
  const { orderSeed: _o, ...rest } = plan;
  return { plan: lone ? rest : plan, forced: mode === 'bitstate' };
}

function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

function jobId(plan: JobPlan): JobId {
  return { index: plan.slice.index, of: plan.slice.of, seed: plan.seed, mode: plan.mode, description: describePlan(plan) };
}

export interface SwarmJobDeps {
  readonly toolVersion: string;
  readonly runOptions: RunOptions;
  readonly out: (s: string) => void;
  readonly err: (s: string) => void;
}

/** The line that replaces "No error found" for a partial search, which proves nothing. */
function partialOk(j: JobCheck): string {
  const rec = j.record;
  const r = j.result;
  if (rec.search === 'simulate') {
    const s = rec.simulation!;
    return `No violation found in ${groupDigits(s.walks)} random walks of up to ${groupDigits(s.depth)} steps: walks cover only part of the state space; not a proof.`;
  }
  if (rec.partial === 'bitstate') {
    return `No violation found in the ${groupDigits(rec.distinct)} states this bitstate search stored: it may have lost states whose bits were already set; not a proof.`;
  }
  return formatResult(r);
}

/** The bitstate line: the array, how full it is, and the estimated chance of a lost state. */
function bitstateLine(b: NonNullable<CheckRecord['bitstate']>): string {
  return `bitstate: 2^${b.log2} bits, ${b.hashes} hash functions, ${(100 * b.fill).toPrecision(3)}% of the bits set; estimated probability that a new state was taken as seen at the end: ${b.lossProbability.toExponential(1)}`;
}

/** Runs `spex check` as a swarm job; returns the exit code. */
export function cmdSwarmJob(file: string, o: SwarmCliOptions & OutputPaths & { check?: string; json?: boolean; maxDepth?: number }, deps: SwarmJobDeps): number {
  if (o.json) return cmdSwarmJobJson(file, o, deps);
  const { out, err } = deps;
  const { plan, forced } = jobPlan(o);
  const { spec } = loadSpec(file);
  for (const d of spec.warnings) err(renderWarning(d));
  const opts = deps.runOptions;
  const cli = constOverrides(spec, opts.consts ?? []);
  const checks = selectChecks(spec, opts.check);
  checkShowNames(spec, opts.show);
  if (o.out !== undefined) checkOutputPath(o.out);
  checkOutputPaths(o, checks.map((c) => c?.name));
  refuseForcedBitstate(spec, checks, plan, forced);
  const id = jobId(plan);
  let code: number = EXIT.ok;
  const records: CheckRecord[] = [];
  const results: CheckResult[] = [];
  let cut = false;
  for (const [i, check] of checks.entries()) {
    if (interruptSignal() !== 0) {
      // A signal between two checks (or before the first): the record says the job was
      // interrupted through its exit code, and the merge takes its checks as those it ran.
      if (!records.some(interruptedCheck)) {
        out('');
        out(notStarted(interruptSignal(), checks.slice(i)));
        code = interruptedExit(interruptSignal());
      }
      cut = true;
      break;
    }
    if (i > 0) out('');
    out(check ? `check ${check.name} (${spec.name}, ${file})` : `spec ${spec.name} (${file})`);
    out(`swarm job ${plan.slice.index}/${plan.slice.of} (seed ${plan.seed}): ${id.description}`);
    const j = runSwarmCheck(spec, check, cli, file, plan, opts, forced);
    if (j.note) err(j.note);
    const r = j.result;
    results.push(r);
    records.push(j.record);
    out(r.verdict.kind === 'ok' && !j.record.exhaustive ? partialOk(j) : formatResult(r));
    if (j.record.replayed) out('The trace was replayed on the spec and ends as it says.');
    if (j.record.temporalUnchecked.length > 0) out(`note: temporal properties are not checked by this search (${j.record.temporalUnchecked.join(', ')})`);
    if (j.record.bitstate) out(bitstateLine(j.record.bitstate));
    if (r.result && j.record.search !== 'simulate') {
      if (!j.record.bitstate) out(formatCollision(r.result.stats));
      out(formatStats(r.result.stats));
    } else if (r.simulation) {
      out(`${groupDigits(r.simulation.walks)} walks, ${groupDigits(r.simulation.steps)} steps, ${groupDigits(r.simulation.generated)} states generated, ${r.simulation.elapsed.toFixed(2)} s`);
    }
    if (r.coverage && r.result) out('\n' + formatCoverage(r.coverage, j.record.exhaustive));
    for (const w of writeCheckOutputs(r, spec, file, o, checks.length > 1)) out(w.line);
    if (code === EXIT.ok) code = j.record.exitCode;
    if (i + 1 < checks.length) setPhase('between checks', false);
  }
  if (!cut) for (const d of neverEnabledWarnings(spec, results.filter((r) => r.simulation === undefined && r.traceNote === undefined))) err(renderWarning(d));
  if (o.out !== undefined) {
    const rec: JobRecord = { format: SWARM_FORMAT, version: SWARM_FORMAT_VERSION, toolVersion: deps.toolVersion, file, spec: spec.name, source: sha256(spec.ast.source.text), consts: [...(opts.consts ?? [])], job: id, checks: records, exitCode: code };
    writeOutput(o.out, JSON.stringify(rec, null, 1) + '\n');
    out(`swarm job result written to ${o.out}`);
  }
  return code;
}

function renderWarning(d: Diagnostic): string {
  return renderDiagnostic(d) + '\n';
}

type Event = { event: string; [key: string]: Json };

/** `spex check --swarm i/n --json`: check's events, plus a `swarm` event per check (docs/json-events.md). */
function cmdSwarmJobJson(file: string, o: SwarmCliOptions & OutputPaths & { check?: string }, deps: SwarmJobDeps): number {
  const emit = (e: Event): void => deps.out(JSON.stringify(e));
  const finish = (code: number): number => {
    emit({ event: 'exit', code });
    return code;
  };
  let code: number = EXIT.ok;
  try {
    const { plan, forced } = jobPlan(o);
    const id = jobId(plan);
    const { spec } = loadSpec(file);
    const opts = deps.runOptions;
    const cli = constOverrides(spec, opts.consts ?? []);
    const checks = selectChecks(spec, o.check);
    checkShowNames(spec, opts.show);
    if (o.out !== undefined) checkOutputPath(o.out);
    checkOutputPaths(o, checks.map((c) => c?.name));
    refuseForcedBitstate(spec, checks, plan, forced);
    const head = { format: SWARM_FORMAT, version: SWARM_FORMAT_VERSION, toolVersion: deps.toolVersion, file, spec: spec.name, source: sha256(spec.ast.source.text), consts: [...(opts.consts ?? [])], job: id as unknown as Json };
    emit({ event: 'start', version: JSON_EVENTS_VERSION, tool: 'spex', toolVersion: deps.toolVersion, command: 'check', file, spec: spec.name, checks: checks.map((c) => c?.name ?? null), swarm: id as unknown as Json });
    for (const d of spec.warnings) emit({ event: 'warning', check: null, ...(diagnosticJson(d) as Record<string, Json>) });
    const records: CheckRecord[] = [];
    for (const [i, check] of checks.entries()) {
      if (interruptSignal() !== 0) {
        // As in cmdSwarmJob: the exit code says the job was interrupted.
        if (!records.some(interruptedCheck)) {
          emit({ event: 'error', kind: 'interrupted', message: notStarted(interruptSignal(), checks.slice(i)), diagnostics: [] });
          code = interruptedExit(interruptSignal());
        }
        break;
      }
      const name = check?.name ?? null;
      const j = runSwarmCheck(spec, check, cli, file, plan, opts, forced);
      if (j.note) deps.err(j.note);
      const r = j.result;
      const cex = counterexampleOf(r);
      if (cex) {
        const itf = itfOfCheck(r, file, spec.name);
        emit({ event: 'violation', check: name, kind: cex.kind, name: cex.name, message: cex.message, location: cex.location, steps: Math.max(0, cex.states.length - 1), trace: itf ? toItf(itf.trace, itf.meta) : null });
      }
      if (r.result && j.record.search !== 'simulate') {
        const s = r.result.stats;
        emit({ event: 'stats', check: name, distinct: s.distinct, generated: s.generated, depth: s.depth, queue: s.queue, seconds: s.seconds, collisionProbability: s.collisionProbability, engine: r.engine, ...(r.engineReason !== undefined ? { engineReason: r.engineReason } : {}) });
      }
      if (r.coverage && r.result) emit({ event: 'coverage', check: name, ...coverageJson(r.coverage, j.record.exhaustive) });
      emit({ event: 'swarm', ...head, ...(j.record as unknown as Record<string, Json>) });
      records.push(j.record);
      for (const w of writeCheckOutputs(r, spec, file, o, checks.length > 1)) emit({ event: 'output', check: name, format: w.format, path: w.path });
      emit({ event: 'check', check: name, ...verdictFields(r), expect: formatExpectation(r.expect), met: meetsExpectation(r.verdict, r.expect), exitCode: j.record.exitCode, error: r.constError ? r.constError.message : null });
      if (code === EXIT.ok) code = j.record.exitCode;
      if (i + 1 < checks.length) setPhase('between checks', false);
    }
    if (o.out !== undefined) {
      const rec = { ...head, checks: records, exitCode: code } as unknown as JobRecord;
      writeOutput(o.out, JSON.stringify(rec, null, 1) + '\n');
      emit({ event: 'output', check: null, format: 'swarm', path: o.out });
    }
  } catch (e) {
    if (e instanceof SpecErrors) {
      emit(specErrorsEvent(e, file));
      return finish(e.isSyntax ? EXIT.syntax : EXIT.static);
    }
    if (e instanceof WriteError) {
      emit({ event: 'error', kind: 'io', message: e.message, diagnostics: [] });
      return finish(1);
    }
    const unread = readFailure(e);
    if (unread !== undefined) {
      emit({ event: 'error', kind: 'io', message: unread, diagnostics: [] });
      return finish(1);
    }
    emit({ event: 'error', kind: 'internal', message: e instanceof Error ? e.message : String(e), diagnostics: [] });
    return finish(EXIT.internal);
  }
  return finish(code);
}

// ---------------------------------------------------------------------------------------------
// spex swarm merge

export interface MergeCliOptions {
  spec?: string;
  outItf?: string;
  json?: boolean;
}

function jobName(j: JobId): string {
  return `${j.index}/${j.of}${j.seed === 0 ? '' : ` seed ${j.seed}`}`;
}

function checkLabel(c: MergedCheck, spec: string): string {
  return c.check ?? spec;
}

/** The merged verdict of one check, in words. */
function formatMerged(c: MergedCheck, spec: string): string[] {
  const lines: string[] = [];
  const name = checkLabel(c, spec);
  const rec = c.record;
  switch (c.status) {
    case 'violation': {
      const what = c.verdict === 'violation' ? `violation ${c.name}` : c.verdict === 'deadlock' ? 'deadlock' : 'error';
      const steps = rec?.steps ?? null;
      lines.push(`${name}: ${what}, found by job${c.foundBy.length === 1 ? '' : 's'} ${c.foundBy.map(jobName).join(', ')} of ${c.jobs.length}`);
      if (steps !== null) lines.push(`  the shortest trace found: ${steps} step${steps === 1 ? '' : 's'}, from job ${jobName(c.from!)} (${rec!.search}${rec!.shortest ? ', a shortest one' : ', not known to be a shortest one'})`);
      break;
    }
    case 'verified':
      lines.push(`${name}: verified by job ${jobName(c.from!)}, an exhaustive search without loss (${groupDigits(c.distinct)} distinct states, ${groupDigits(c.generated)} generated, depth ${c.depth})`);
      break;
    case 'unproven':
      lines.push(`${name}: no violation found (not a proof): no job completed an exhaustive search without loss`);
      lines.push(`  the state space has at least ${groupDigits(c.distinct)} distinct states, ${groupDigits(c.generated)} generated${c.depth > 0 ? `, depth ${c.depth}` : ''} (the largest of the searches)${c.walks ? `; ${groupDigits(c.walks)} random walks found nothing` : ''}`);
      break;
  }
  return lines;
}

/** The ITF path of a check's trace: PATH, or PATH.<check>.itf.json when several checks have one. */
function itfPath(path: string, c: MergedCheck, several: boolean): string {
  return several && c.check !== null ? itfPathForCheck(path, c.check) : path;
}

/** Runs `spex swarm merge`; returns the exit code. */
export function cmdSwarmMerge(files: string[], o: MergeCliOptions, out: (s: string) => void, err: (s: string) => void): number {
  if (!o.json) return merge(files, o, out, err);
  // --json: the errors that refuse the inputs are events too, then the exit event.
  const fail = (event: Event, code: number): number => {
    out(JSON.stringify(event));
    out(JSON.stringify({ event: 'exit', code }));
    return code;
  };
  try {
    return merge(files, o, out, err);
  } catch (e) {
    if (e instanceof SpecErrors) return fail(specErrorsEvent(e, files[0] ?? ''), e.isSyntax ? EXIT.syntax : EXIT.static);
    if (e instanceof WriteError) return fail({ event: 'error', kind: 'io', message: e.message, diagnostics: [] }, 1);
    const unread = readFailure(e);
    if (unread !== undefined) return fail({ event: 'error', kind: 'io', message: unread, diagnostics: [] }, 1);
    throw e;
  }
}

function merge(files: string[], o: MergeCliOptions, out: (s: string) => void, err: (s: string) => void): number {
  const inputs = files.map((path) => {
    return { path, record: parseJobFile(path, readInputFile(path, MAX_JSON_INPUT_BYTES, "a job's result")) };
  });
  const merged = mergeJobs(inputs);
  const spec = o.spec !== undefined ? loadSpec(o.spec).spec : undefined;
  if (spec !== undefined) {
    const r0 = inputs[0]!;
    if (r0.record.spec !== spec.name || r0.record.source !== sha256(spec.ast.source.text)) {
      throw new SpecErrors([new Diagnostic('E259', undefined, `the results are for ${r0.record.spec === spec.name ? 'another version of' : `spec ${r0.record.spec}, not`} spec ${spec.name} (${o.spec})`, 'give --spec the spec file the jobs ran, unchanged')]);
    }
  }
  // With the spec at hand, each trace reported is replayed once more, here.
  const replays = new Map<MergedCheck, string | undefined>();
  if (spec !== undefined) {
    const cli = constOverrides(spec, inputs[0]!.record.consts);
    for (const c of merged.checks) {
      if (c.record?.trace == null) continue;
      const check = c.check === null ? undefined : selectChecks(spec, c.check)[0];
      replays.set(c, traceDoesNotReplay(spec, check, cli, c.record.trace));
    }
  }
  const bad = [...replays.entries()].find(([, why]) => why !== undefined);
  if (o.json) return mergeJson(merged, replays, o, out);
  out(`swarm of ${merged.jobs.length} job${merged.jobs.length === 1 ? '' : 's'} (${merged.jobs.map(jobName).join(', ')}), spec ${merged.spec} (${merged.file})`);
  if (merged.missing.length > 0) out(`note: job${merged.missing.length === 1 ? '' : 's'} ${merged.missing.join(', ')} of ${Math.max(...merged.jobs.map((j) => j.of))} missing`);
  const several = merged.checks.filter((c) => c.record?.trace != null).length > 1;
  for (const c of merged.checks) {
    out('');
    for (const line of formatMerged(c, merged.spec)) out(line);
    if (replays.has(c)) out(replays.get(c) === undefined ? '  the trace replays on the spec' : `  the trace does not replay on the spec: ${replays.get(c)!}`);
    const cov = coverageSummary(c);
    if (cov) out(cov);
    if (spec !== undefined && c.record?.trace != null && replays.get(c) === undefined) out(indentLines(showTrace(spec, c, constOverrides(spec, inputs[0]!.record.consts))));
    if (o.outItf !== undefined && c.record?.trace != null) {
      const path = itfPath(o.outItf, c, several);
      writeOutput(path, formatItf(c.record.trace as Record<string, Json>));
      out(`  ITF trace written to ${path}`);
    }
  }
  if (bad) {
    err(`internal error: a trace of the swarm does not replay on ${o.spec}: ${bad[1]!}`);
    return EXIT.internal;
  }
  return merged.exitCode;
}

/** With --coverage: how many steps some job took, and those none did. */
function coverageSummary(c: MergedCheck): string | undefined {
  const cov = c.coverage;
  if (cov === null || typeof cov !== 'object' || Array.isArray(cov) || !Array.isArray(cov['steps'])) return undefined;
  const steps = cov['steps'] as { step?: Json; taken?: Json }[];
  const never = steps.filter((s) => s.taken === 0).map((s) => String(s.step));
  const of = c.status === 'verified' ? 'the exhaustive search' : `the union of ${c.jobs.length} job${c.jobs.length === 1 ? '' : 's'}`;
  return `  coverage (${of}): ${steps.length - never.length} of ${steps.length} steps taken${never.length > 0 ? `; never taken: ${never.join(', ')}` : ''}`;
}

function indentLines(s: string): string {
  return s.split('\n').map((l) => (l === '' ? l : '    ' + l)).join('\n');
}

/** The merged trace printed as `spex check` prints one (it replays, so it decodes). */
function showTrace(spec: CheckedSpec, c: MergedCheck, cli: ReadonlyMap<number, A.Expr>): string {
  const check = c.check === null ? undefined : selectChecks(spec, c.check)[0];
  const system = withRefinements(spec, check, compileSpec(spec, configOverrides(check, cli), check));
  const decoded = fromItf(c.record!.trace, spec, system.processSlots);
  // A trace a job wrote names the step of every state after the first.
  return formatTrace({ states: [...decoded.trace.states], labels: decoded.trace.labels as Label[] }, system.varNames);
}

function mergeJson(m: MergeResult, replays: Map<MergedCheck, string | undefined>, o: MergeCliOptions, write: (s: string) => void): number {
  const emit = (e: Event): void => write(JSON.stringify(e));
  emit({ event: 'start', version: JSON_EVENTS_VERSION, tool: 'spex', command: 'swarm merge', file: m.file, spec: m.spec, jobs: m.jobs as unknown as Json, missing: [...m.missing] });
  const several = m.checks.filter((c) => c.record?.trace != null).length > 1;
  let bad = false;
  for (const c of m.checks) {
    const replayed = replays.has(c) ? replays.get(c) === undefined : null;
    if (replayed === false) bad = true;
    emit({
      event: 'merged', check: c.check, status: c.status, verdict: c.verdict, name: c.name, exitCode: c.exitCode,
      jobs: c.jobs.map((j) => j.index), foundBy: c.foundBy.map((j) => j.index), from: c.from ? (c.from as unknown as Json) : null,
      search: c.record?.search ?? null, steps: c.record?.steps ?? null, shortest: c.record?.shortest ?? null,
      distinct: c.distinct, generated: c.generated, depth: c.depth, walks: c.walks ?? null, replayed, trace: c.record?.trace ?? null, coverage: c.coverage,
    });
    if (o.outItf !== undefined && c.record?.trace != null) {
      const path = itfPath(o.outItf, c, several);
      writeOutput(path, formatItf(c.record.trace as Record<string, Json>));
      emit({ event: 'output', check: c.check, format: 'itf', path });
    }
  }
  const code = bad ? EXIT.internal : m.exitCode;
  emit({ event: 'exit', code });
  return code;
}

/** Adds `spex swarm merge`. `run` receives the exit code. */
export function addSwarmCommand(program: Command, out: (s: string) => void, err: (s: string) => void, run: (code: number) => void): void {
  const swarm = program.command('swarm').description('combine the results of a swarm of diversified searches (docs/scale.md)');
  swarm
    .command('merge <files...>')
    .description('merge swarm job results (spex check --swarm i/n --out FILE, or its --json output): a violation if any job found one, verified only if a job searched exhaustively')
    .option('--spec <file>', 'replay each trace on this spec (the one the jobs ran) and print it')
    .option('--full-values', FULL_VALUES_HELP)
    .option('--out-itf <path>', 'write the shortest trace as ITF to PATH (PATH.<check>.itf.json per check when several have one)')
    .option('--json', 'write the merge as NDJSON events on stdout')
    .action((files: string[], o: MergeCliOptions) => {
      run(cmdSwarmMerge(files, o, out, err));
    });
}
