/**
 * `spex simulate FILE`: random walks instead of the breadth-first search (docs/simulate.md).
 * Runs every check block (or one, `--check`), prints each result as `spex check` does (the
 * verdict and the counterexample, via report.ts), then how the walk found it and how it was
 * shrunk, and writes the same exports. `--json` writes NDJSON events (docs/json-events.md).
 */
import { coverageJson, formatCoverage } from '../export/coverage.js';
import { randomInt } from 'node:crypto';
import { EXIT, constOverrides, formatExpectation, loadSpec, meetsExpectation, selectChecks } from '../engine/run.js';
import { runSimulation, type SimulateOptions, type SimulationResult, type SimulationSummary } from '../engine/simulate.js';
import type { SimulationProgress } from '../explore/simulate.js';
import { MAX_SEED } from '../explore/simulate.js';
import { SpecErrors, renderDiagnostic } from '../lang/diagnostics.js';
import { counterexampleOf } from '../export/counterexample.js';
import { itfOfCheck, toItf, type Json } from '../export/itf.js';
import { formatResult, signalName } from './report.js';
import { Interrupted, acceptInterrupts, interruptSignal } from '../explore/guard.js';
import { interruptedExit, wasInterrupted } from '../engine/run.js';
import { checkOutputPaths, writeCheckOutputs, type OutputPaths } from './check-outputs.js';
import { checkError, diagnosticJson, specErrorsEvent, verdictFields, JSON_EVENTS_VERSION } from './json-events.js';
import type { ProgressOptions } from './progress.js';
import { readFailure } from '../lang/input.js';
import { groupDigits } from '../values/format.js';

export interface SimulateCliOptions extends OutputPaths, ProgressOptions {
  /** Seconds between progress reports. */
  progressInterval?: number;
  check?: string;
  const: string[];
  deadlock?: boolean;
  engine?: 'auto' | 'packed' | 'generic';
  depth: number;
  runs?: number;
  time?: number;
  seed?: string;
  workers?: number;
  shrinkBudget: number;
  coverage?: boolean;
  json?: boolean;
}

/** What the coverage of a simulation counts. */
const SIMULATION_COVERAGE = "of the walks, before shrinking: 'states' counts the states the walks expanded, 'new' the states no walk had reached before";

/** Walks when neither --runs nor --time is given. */
export const DEFAULT_RUNS = 10_000;
export const DEFAULT_DEPTH = 100;
export const DEFAULT_SHRINK_BUDGET = 500_000;

/** `--seed`: a non-negative integer, or `random` (a seed drawn once, and printed). */
export function parseSeed(text: string | undefined): number | undefined {
  if (text === undefined) return 0;
  if (text === 'random') return randomInt(0, 2 ** 47);
  if (!/^\d+$/.test(text)) return undefined;
  const n = Number(text);
  return Number.isSafeInteger(n) && n <= MAX_SEED ? n : undefined;
}

/** The text of one progress report. */
export function formatSimulationProgress(p: SimulationProgress): string {
  const rate = p.seconds > 0 ? p.generated / p.seconds : 0;
  return `${groupDigits(p.walks)} walks, ${groupDigits(p.steps)} steps, ${groupDigits(p.generated)} states generated (${groupDigits(rate)}/s), ${p.seconds.toFixed(0)} s`;
}

function progressWriter(o: ProgressOptions, stream: NodeJS.WriteStream = process.stderr): { report: (p: SimulationProgress) => void; done: () => void } | undefined {
  const tty = stream.isTTY === true;
  if (o.quiet || !(o.progress || tty)) return undefined;
  let shown = false;
  return {
    report: (p) => {
      const text = `progress: ${formatSimulationProgress(p)}`;
      if (tty) {
        stream.write(`\r${text}\x1b[K`);
        shown = true;
      } else stream.write(text + '\n');
    },
    done: () => {
      if (shown) stream.write('\r\x1b[K');
      shown = false;
    },
  };
}

function plural(n: number, one: string, many = `${one}s`): string {
  return `${groupDigits(n)} ${n === 1 ? one : many}`;
}

/** The lines after the verdict: how the problem was found and shrunk (none for a run without one). */
export function formatSimulation(r: SimulationResult): string[] {
  const s = r.simulation;
  const out: string[] = [];
  if (s.walk !== undefined && s.shrink) {
    const k = s.shrink;
    out.push(`Walk ${s.walk} (seed ${s.seed}, --depth ${s.depth}) found it with a trace of ${plural(k.raw, 'step')}.`);
    const parts = [`${k.loopsCut} without loops`, `${k.dropped} by dropping steps (${plural(k.replays, 'replay')})`];
    let end: string;
    switch (k.search.kind) {
      case 'shortest':
        parts.push(`${k.final} by a breadth-first search up to ${plural(k.dropped, 'step')} (${plural(k.search.states, 'state')})`);
        end = 'a shortest trace';
        break;
      case 'budget':
        end = `a breadth-first search up to ${plural(k.dropped, 'step')} needed more than ${plural(k.search.states, 'state')} (--shrink-budget): not known to be a shortest trace`;
        break;
      case 'other':
        end = `a breadth-first search up to ${plural(k.dropped, 'step')} met ${k.search.other} first: not known to be a shortest trace`;
        break;
      case 'skipped':
        end = k.final === 0 ? 'a shortest trace' : 'no breadth-first search (--shrink-budget 0): not known to be a shortest trace';
        break;
    }
    out.push(`Shrunk from ${k.raw}: ${parts.join(', ')}; ${end}.`);
  } else if (r.result && r.result.outcome.kind !== 'ok' && r.result.outcome.kind !== 'limit') {
    out.push('Found among the initial states, which are all checked before the first walk.');
  }
  return out;
}

/** The closing statistics line; the time is last, as in check's. */
export function formatSimulationStats(s: SimulationSummary): string {
  return `${plural(s.walks, 'walk')}, ${plural(s.steps, 'step')}, ${groupDigits(s.generated)} states generated, longest walk ${plural(s.longest, 'step')}, ${s.elapsed.toFixed(2)} s`;
}

/** The verdict when no walk found a problem: what was and was not shown. */
function formatOk(r: SimulationResult): string {
  const s = r.simulation;
  if (r.verdict.kind === 'error') return 'error[E711]: there is no initial state inside the constraints: nothing was simulated.';
  if (s.interrupted === true) {
    return `Interrupted (${signalName(interruptSignal())}) after ${plural(s.walks, 'walk')} of up to ${plural(s.depth, 'step')}: no walk found a problem up to there; the run is not complete.`;
  }
  const why = s.timedOut ? ` (the --time limit of ${s.seconds} s ended the run)` : '';
  return (
    `No error found in ${plural(s.walks, 'walk')} of up to ${plural(s.depth, 'step')}${why}: every state they reached satisfies every invariant` +
    `${r.deadlock ? ', and none is a deadlock' : ''}. Simulation covers only part of the state space; spex check explores all of it.`
  );
}

function temporalNote(r: SimulationResult): string | undefined {
  const t = r.simulation.temporal;
  if (t.length === 0) return undefined;
  return `note: temporal properties are not checked by simulation (${t.join(', ')}); spex check checks them`;
}

function options(o: SimulateCliOptions, seed: number, onProgress: SimulateOptions['onProgress']): SimulateOptions {
  const runs = o.runs ?? (o.time !== undefined ? Infinity : DEFAULT_RUNS);
  return {
    consts: o.const,
    ...(o.check !== undefined ? { check: o.check } : {}),
    ...(o.deadlock !== undefined ? { deadlock: o.deadlock } : {}),
    ...(o.engine !== undefined ? { engine: o.engine } : {}),
    depth: o.depth,
    runs,
    seconds: o.time ?? Infinity,
    ...(o.progressInterval !== undefined ? { progressPeriodMs: o.progressInterval * 1000 } : {}),
    seed,
    workers: o.workers ?? 1,
    shrinkBudget: o.shrinkBudget,
    ...(o.coverage ? { coverage: true } : {}),
    ...(onProgress ? { onProgress } : {}),
  };
}

/** Runs `spex simulate`; returns the exit code. `out`/`err` print a line. */
export function cmdSimulate(file: string, o: SimulateCliOptions, out: (s: string) => void, err: (s: string) => void, toolVersion: string): number {
  const seed = parseSeed(o.seed);
  if (seed === undefined) {
    err(`error: option '--seed <n>' argument '${o.seed}' is invalid. expected a non-negative integer up to ${MAX_SEED}, or 'random'`);
    return 1;
  }
  if (o.json) return cmdSimulateJson(file, o, seed, out, toolVersion);
  const printer = progressWriter(o);
  const { spec } = loadSpec(file);
  for (const d of spec.warnings) err(renderDiagnostic(d) + '\n');
  const cli = constOverrides(spec, o.const);
  const checks = selectChecks(spec, o.check);
  checkOutputPaths(o, checks.map((c) => c?.name));
  let code: number = EXIT.ok;
  acceptInterrupts();
  checks.forEach((check, i) => {
    // An interrupted run ends there: the checks after it do not start.
    if (interruptSignal() !== 0) return;
    if (i > 0) out('');
    out(check ? `simulate ${check.name} (${spec.name}, ${file})` : `simulate ${spec.name} (${file})`);
    const r = runSimulation(spec, check, cli, options(o, seed, printer?.report));
    printer?.done();
    const note = temporalNote(r);
    if (note) out(note);
    if (r.constError || (r.result && r.result.outcome.kind !== 'ok')) out(formatResult(r));
    else out(formatOk(r));
    for (const line of formatSimulation(r)) out(line);
    if (!r.constError) out(formatSimulationStats(r.simulation));
    if (r.coverage) out('\n' + formatCoverage(r.coverage, false, SIMULATION_COVERAGE));
    for (const w of writeCheckOutputs(r, spec, file, o, checks.length > 1)) out(w.line);
    if (code === EXIT.ok || wasInterrupted(r.verdict)) code = r.exitCode;
  });
  return code;
}

/** The `simulation` event: the walks, and how the trace was shrunk. */
function simulationEvent(r: SimulationResult, name: string | null): { event: string; [key: string]: Json } {
  const s = r.simulation;
  const k = s.shrink;
  return {
    event: 'simulation',
    check: name,
    seed: s.seed,
    depth: s.depth,
    runs: Number.isFinite(s.runs) ? s.runs : null,
    time: Number.isFinite(s.seconds) ? s.seconds : null,
    workers: s.workers,
    walks: s.walks,
    steps: s.steps,
    generated: s.generated,
    longest: s.longest,
    seconds: s.elapsed,
    timedOut: s.timedOut,
    ...(s.interrupted === true ? { interrupted: true } : {}),
    walk: s.walk ?? null,
    shrink: k
      ? { raw: k.raw, loopsCut: k.loopsCut, dropped: k.dropped, replays: k.replays, search: k.search.kind, searchStates: k.search.states, final: k.final, shortest: k.shortest }
      : null,
    temporalUnchecked: [...s.temporal],
    engine: r.engine,
    ...(r.engineReason !== undefined ? { engineReason: r.engineReason } : {}),
  };
}

function cmdSimulateJson(file: string, o: SimulateCliOptions, seed: number, write: (s: string) => void, toolVersion: string): number {
  const emit = (e: { event: string; [key: string]: Json }): void => write(JSON.stringify(e));
  const finish = (code: number): number => {
    emit({ event: 'exit', code });
    return code;
  };
  const printer = progressWriter(o);
  let code: number = EXIT.ok;
  acceptInterrupts();
  try {
    const { spec } = loadSpec(file);
    const cli = constOverrides(spec, o.const);
    const checks = selectChecks(spec, o.check);
    checkOutputPaths(o, checks.map((c) => c?.name));
    emit({ event: 'start', version: JSON_EVENTS_VERSION, tool: 'spex', toolVersion, command: 'simulate', file, spec: spec.name, checks: checks.map((c) => c?.name ?? null) });
    for (const d of spec.warnings) emit({ event: 'warning', check: null, ...(diagnosticJson(d) as Record<string, Json>) });
    for (const check of checks) {
      if (interruptSignal() !== 0) break;
      const name = check?.name ?? null;
      const r = runSimulation(spec, check, cli, options(o, seed, (p) => {
        printer?.report(p);
        emit({ event: 'progress', check: name, walks: p.walks, steps: p.steps, generated: p.generated, seconds: p.seconds, generatedPerSecond: p.seconds > 0 ? Math.round(p.generated / p.seconds) : 0 });
      }));
      printer?.done();
      const cex = counterexampleOf(r);
      if (cex) {
        const itf = itfOfCheck(r, file, spec.name);
        emit({
          event: 'violation', check: name, kind: cex.kind, name: cex.name, message: cex.message, ...(cex.kind === 'error' ? { code: checkError(r)?.code ?? null } : {}), location: cex.location,
          steps: Math.max(0, cex.states.length - 1), trace: itf ? toItf(itf.trace, itf.meta) : null,
        });
      }
      if (!r.constError) emit(simulationEvent(r, name));
      if (r.coverage) emit({ event: 'coverage', check: name, ...coverageJson(r.coverage, false) });
      for (const w of writeCheckOutputs(r, spec, file, o, checks.length > 1)) emit({ event: 'output', check: name, format: w.format, path: w.path });
      emit({
        event: 'check', check: name, ...verdictFields(r), expect: formatExpectation(r.expect), met: meetsExpectation(r.verdict, r.expect),
        exitCode: r.exitCode, error: r.constError ? r.constError.message : null,
        // The code of an error verdict: the constants' or a step's (E7xx), else E711 (no initial state).
        ...(r.verdict.kind === 'error' ? { code: checkError(r)?.code ?? 'E711' } : {}),
      });
      if (code === EXIT.ok || wasInterrupted(r.verdict)) code = r.exitCode;
    }
  } catch (e) {
    if (e instanceof Interrupted) {
      emit({ event: 'error', kind: 'interrupted', message: `interrupted (${signalName(e.signal)}) while ${e.phase}`, diagnostics: [] });
      return finish(interruptedExit(e.signal));
    }
    if (e instanceof SpecErrors) {
      emit(specErrorsEvent(e, file));
      return finish(e.isSyntax ? EXIT.syntax : EXIT.static);
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

