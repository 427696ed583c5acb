/**
 * `spex check --json`: the whole run as NDJSON events on stdout, one JSON object a line, for
 * CI and editors. The schema is docs/json-events.md; JSON_EVENTS_VERSION is bumped on any
 * change that could break a reader (a field removed, renamed or changing meaning); new events
 * and new fields do not bump it.
 *
 *   start · progress* · (violation? · stats · output* · check)* · exit      (or start? · error · exit)
 *
 * Nothing else is written to stdout in this mode; progress lines for people may still go to
 * stderr (progress.ts).
 */
import type { CheckResult, RunOptions } from '../engine/run.js';
import { WriteError } from './write-output.js';
import { interruptedExit, wasInterrupted } from '../engine/run.js';
import { EXIT, checkShowNames, constOverrides, formatExpectation, loadSpec, meetsExpectation, neverEnabledWarnings, prepareCheckpointDir, requireCheckpoint, runCheck, selectChecks } from '../engine/run.js';
import { Diagnostic, SpecErrors, formatLocation } from '../lang/diagnostics.js';
import { DiskError } from '../explore/disk/files.js';
import { counterexampleOf } from '../export/counterexample.js';
import { itfOfCheck, toItf, type Json } from '../export/itf.js';
import { checkOutputPaths, writeCheckOutputs, type OutputPaths } from './check-outputs.js';
import type { ProgressPrinter } from './progress.js';
import { coverageJson } from '../export/coverage.js';
import { Interrupted, interruptSignal, setPhase } from '../explore/guard.js';
import { NO_INITIAL_STATE, notStarted, signalName } from './report.js';
import { WorkerDied } from '../explore/parallel/supervisor.js';
import { readFailure } from '../lang/input.js';

export const JSON_EVENTS_VERSION = 1;

type Event = { event: string; [key: string]: Json };

export interface JsonRunDeps {
  readonly toolVersion: string;
  readonly write: (line: string) => void;
  readonly runOptions: RunOptions;
  /** Progress lines for people on stderr, if on. */
  readonly printer: ProgressPrinter | undefined;
}

export function diagnosticJson(d: Diagnostic): Json {
  return { code: d.code, message: d.message, location: d.span ? formatLocation(d.span) : null, hint: d.hint ?? null };
}

/** The `error` event of a spec that does not load (syntax or static errors). */
export function specErrorsEvent(e: SpecErrors, file: string): { event: string; [key: string]: Json } {
  return { event: 'error', kind: e.isSyntax ? 'syntax' : 'static', message: e.summary(file), diagnostics: e.diagnostics.map(diagnosticJson) };
}

/**
 * The coded error behind an `error` verdict, for the `check` event: the run-time error of the
 * constants, of a step or of a predicate (E7xx; an `assert` has no code), or E711 when there
 * is no initial state. Undefined for other verdicts.
 */
export function checkError(r: CheckResult): { code: string | null; message: string } | undefined {
  if (r.verdict.kind !== 'error') return undefined;
  const codeOf = (e: { location?: unknown; kind: string }): string | null => (e.kind === 'assert' ? null : ((e.location as { code?: string } | undefined)?.code ?? null));
  if (r.constError) return { code: codeOf(r.constError), message: r.constError.message };
  const o = r.result?.outcome;
  if (o?.kind === 'fault') return { code: codeOf(o.error), message: o.error.message };
  if (r.result && r.result.stats.distinct === 0) return { code: 'E711', message: NO_INITIAL_STATE };
  return undefined;
}

export function verdictFields(r: CheckResult): { verdict: string; name: string | null } {
  const v = r.verdict;
  if (v.kind === 'violation') return { verdict: 'violation', name: v.name };
  if (wasInterrupted(v)) return { verdict: 'interrupted', name: signalName(interruptSignal()) };
  if (v.kind === 'limit') return { verdict: 'limit', name: v.limit };
  return { verdict: v.kind, name: null };
}

/** The stats event's fields about the disk-backed search (docs/scale.md), when it ran. */
function diskJson(r: CheckResult): Record<string, Json> {
  const d = r.result?.disk;
  if (!d) return {};
  return {
    resumed: d.resumed !== undefined,
    disk: { spilled: d.spilled, checkpoints: d.checkpoints, diskBytes: d.diskBytes, ...(d.handedOverAt !== undefined ? { handedOverAt: d.handedOverAt } : {}), ...(d.resumed ? { resumedAt: d.resumed.distinct } : {}) },
  };
}

/** Runs `spex check --json FILE` and returns the exit code (also sent as the `exit` event). */
export function cmdCheckJson(file: string, o: OutputPaths & { check?: string }, deps: JsonRunDeps): number {
  const emit = (e: Event): void => deps.write(JSON.stringify(e));
  const finish = (code: number): number => {
    emit({ event: 'exit', code });
    return code;
  };
  let code: number = EXIT.ok;
  try {
    const { spec } = loadSpec(file);
    const cli = constOverrides(spec, deps.runOptions.consts ?? []);
    const checks = selectChecks(spec, o.check);
    checkShowNames(spec, deps.runOptions.show);
    checkOutputPaths(o, checks.map((c) => c?.name));
    if (deps.runOptions.disk?.checkpoint !== undefined && !deps.runOptions.disk.resume) prepareCheckpointDir(deps.runOptions.disk.checkpoint);
    if (deps.runOptions.disk?.resume) requireCheckpoint(deps.runOptions.disk.checkpoint!, spec, checks);
    emit({ event: 'start', version: JSON_EVENTS_VERSION, tool: 'spex', toolVersion: deps.toolVersion, command: 'check', file, spec: spec.name, checks: checks.map((c) => c?.name ?? null) });
    for (const d of spec.warnings) emit({ event: 'warning', check: null, ...(diagnosticJson(d) as Record<string, Json>) });
    const results: CheckResult[] = [];
    for (const [i, check] of checks.entries()) {
      // An interrupted check ends the run (its stats, check and exit events are sent). A
      // signal that came between two checks is reported here, as no search saw it.
      if (interruptSignal() !== 0) {
        const last = results[results.length - 1];
        if (last === undefined || !wasInterrupted(last.verdict)) {
          emit({ event: 'error', kind: 'interrupted', message: notStarted(interruptSignal(), checks.slice(i)), diagnostics: [] });
          return finish(interruptedExit(interruptSignal()));
        }
        return finish(code);
      }
      const name = check?.name ?? null;
      const opts: RunOptions = {
        ...deps.runOptions,
        onProgress: (p) => {
          deps.printer?.report(p);
          emit({ event: 'progress', check: name, distinct: p.distinct, generated: p.generated, depth: p.depth, queue: p.queue, seconds: p.seconds, distinctPerSecond: p.seconds > 0 ? Math.round(p.distinct / p.seconds) : 0, ...(p.expanding !== undefined ? { expanding: p.expanding } : {}), ...(p.step !== undefined ? { step: p.step } : {}) });
        },
      };
      const r = runCheck(spec, check, cli, opts);
      results.push(r);
      deps.printer?.done();
      if (r.note) process.stderr.write(r.note + '\n');
      const cex = counterexampleOf(r);
      if (cex) {
        const itf = itfOfCheck(r, file, spec.name);
        emit({
          event: 'violation',
          check: name,
          kind: cex.kind,
          name: cex.name,
          message: cex.message,
          // A run-time error's code (E701...): what the text report prints as error[E7xx].
          ...(cex.kind === 'error' ? { code: checkError(r)?.code ?? null } : {}),
          location: cex.location,
          steps: Math.max(0, cex.states.length - 1),
          trace: itf ? toItf(itf.trace, itf.meta) : null,
        });
      }
      if (r.result) {
        const s = r.result.stats;
        emit({ event: 'stats', check: name, distinct: s.distinct, generated: s.generated, depth: s.depth, queue: s.queue, seconds: s.seconds, collisionProbability: s.collisionProbability, engine: r.engine, ...(r.engineReason !== undefined ? { engineReason: r.engineReason } : {}), ...(r.symmetry ? { symmetry: r.symmetry } : {}), ...(r.threads ? { threads: r.threads.threads, threadsReason: r.threads.reason } : {}), ...diskJson(r) });
      }
      if (r.coverage && r.result) emit({ event: 'coverage', check: name, ...coverageJson(r.coverage, r.result.outcome.kind === 'ok') });
      for (const w of writeCheckOutputs(r, spec, file, o, checks.length > 1)) emit({ event: 'output', check: name, format: w.format, path: w.path });
      const error = checkError(r);
      emit({
        event: 'check',
        check: name,
        ...verdictFields(r),
        expect: formatExpectation(r.expect),
        met: meetsExpectation(r.verdict, r.expect),
        exitCode: r.exitCode,
        // The error no violation event carries: the constants', or E711.
        error: r.constError || error?.code === 'E711' ? error!.message : null,
        ...(error !== undefined ? { code: error.code } : {}),
      });
      if (code === EXIT.ok || wasInterrupted(r.verdict)) code = r.exitCode;
      if (i + 1 < checks.length) setPhase('between checks', false);
    }
    // W100: steps that no check enabled, after the last check (the check's name when one ran).
    const runChecks = results.filter((r) => r.reached !== undefined);
    const checkName = runChecks.length === 1 ? (runChecks[0]!.name ?? null) : null;
    for (const d of neverEnabledWarnings(spec, results)) emit({ event: 'warning', check: checkName, ...(diagnosticJson(d) as Record<string, Json>) });
  } catch (e) {
    if (e instanceof SpecErrors) {
      emit(specErrorsEvent(e, file));
      return finish(e.isSyntax ? EXIT.syntax : EXIT.static);
    }
    if (e instanceof Interrupted) {
      // The first signal, outside a search (which sends its own stats and check events).
      emit({ event: 'error', kind: 'interrupted', message: `interrupted (${signalName(e.signal)}) while ${e.phase}`, diagnostics: [] });
      return finish(interruptedExit(e.signal));
    }
    if (e instanceof WriteError) {
      emit({ event: 'error', kind: 'io', message: e.message, diagnostics: [] });
      return finish(1);
    }
    if (e instanceof DiskError) {
      emit({ event: 'error', kind: 'io', message: e.message, diagnostics: [diagnosticJson(new Diagnostic(e.code, undefined, e.message, e.hint))] });
      return finish(1);
    }
    const unread = readFailure(e);
    if (unread !== undefined) {
      emit({ event: 'error', kind: 'io', message: unread, diagnostics: [] });
      return finish(1);
    }
    if (e instanceof WorkerDied && e.stats) {
      // A thread of the search died: what was done so far goes with the error.
      const s = e.stats;
      emit({ event: 'error', kind: 'internal', message: e.message, diagnostics: [], stats: { distinct: s.distinct, generated: s.generated, depth: s.depth, queue: s.queue, seconds: s.seconds } });
      return finish(EXIT.internal);
    }
    emit({ event: 'error', kind: 'internal', message: e instanceof Error ? e.message : String(e), diagnostics: [] });
    return finish(EXIT.internal);
  }
  return finish(code);
}
