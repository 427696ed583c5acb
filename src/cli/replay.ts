/**
 * `spex replay TRACE SPEC`: decodes an ITF trace, compiles the spec with the constants of the
 * trace's check block (or --check) and --const, replays the trace (engine/replay.ts) and
 * reports the first step that does not replay. Returns text; program.ts prints it.
 *
 * Exit codes: 0 the trace replays; 1 it does not, or it is not an ITF trace of this spec
 * (or the command line is wrong); 75 the constants cannot be evaluated; 120/150 the spec has
 * static/syntax errors.
 */
import { MAX_JSON_INPUT_BYTES, readInputFile } from '../lang/input.js';
import { compileSpec, type CompiledSpec, type Label, type State } from '../lang/compile.js';
import { escapeInvisible, formatLocation } from '../lang/diagnostics.js';
import { ModelError } from '../explore/index.js';
import { EXIT, configOverrides, constOverrides, loadSpec, selectChecks, withRefinements } from '../engine/run.js';
import { replayTrace, type ReplayFailure, type ReplayResult } from '../engine/replay.js';
import { fromItf, ItfError } from '../export/itf.js';
import type { ItfTraceMeta } from '../lang/trace.js';
import { diffValues, formatValue, valueEquals, type Value } from '../values/index.js';
import { formatLabel, formatModelError, signalName } from './report.js';
import { Interrupted, acceptInterrupts, setPhase } from '../explore/guard.js';
import { interruptedExit } from '../engine/run.js';
import { parseJsonInput } from '../export/json-input.js';

export interface ReplayOpts {
  check?: string;
  const: string[];
}

export interface CommandOutput {
  readonly code: number;
  readonly stdout: string[];
  readonly stderr: string[];
}

export function cmdReplay(traceFile: string, specFile: string, o: ReplayOpts): CommandOutput {
  const stdout: string[] = [];
  const stderr: string[] = [];
  // A trace is outside input: names and messages taken from it (an action, a variable, a
  // recorded violation or error) could carry terminal escape sequences; they are shown escaped.
  const done = (code: number): CommandOutput => ({ code, stdout: stdout.map(escapeInvisible), stderr: stderr.map(escapeInvisible) });

  const text = readInputFile(traceFile, MAX_JSON_INPUT_BYTES, 'a trace');
  const input = parseJsonInput(text);
  if (!input.ok) {
    stderr.push(`error: ${traceFile} ${input.why}`);
    return done(1);
  }
  const json = input.value;
  const { spec } = loadSpec(specFile);
  const recorded = (json as { '#meta'?: { check?: unknown; spec?: unknown } } | null)?.['#meta'];
  const recordedCheck = typeof recorded?.check === 'string' ? recorded.check : undefined;
  if (o.check === undefined && recordedCheck !== undefined && !spec.checks.some((c) => c.name === recordedCheck)) {
    const of = typeof recorded?.spec === 'string' ? ` of spec ${recorded.spec}` : '';
    stderr.push(`error: ${traceFile} is a trace${of} on check ${recordedCheck}, which ${specFile} does not have; name the check block whose constants to use with --check NAME`);
    return done(1);
  }
  const checkName = o.check ?? recordedCheck;
  const check = checkName === undefined ? undefined : selectChecks(spec, checkName)[0];
  const cli = constOverrides(spec, o.const);

  let system: CompiledSpec;
  try {
    system = withRefinements(spec, check, compileSpec(spec, configOverrides(check, cli), check));
  } catch (e) {
    if (!(e instanceof ModelError)) throw e;
    stderr.push('Error while evaluating the constants:', formatModelError(e));
    return done(EXIT.evaluation);
  }

  let decoded;
  try {
    decoded = fromItf(json, spec, system.processSlots);
  } catch (e) {
    if (!(e instanceof ItfError)) throw e;
    stderr.push(`error: ${traceFile} is not an ITF trace of spec ${spec.name}: ${e.message}`);
    return done(1);
  }

  stdout.push(`replay ${traceFile} on ${check ? `check ${check.name}` : 'the default constants'} (${spec.name}, ${specFile})`);
  const note = constantsNote(decoded.meta, system);
  if (note) stdout.push(note);
  // A long trace (or a long step) is interrupted by the first signal, with what replayed so far.
  acceptInterrupts();
  const progress = { steps: 0 };
  let result: ReplayResult;
  try {
    setPhase('replaying the trace');
    result = replayTrace(system, decoded.trace, decoded.meta, progress);
  } catch (e) {
    if (!(e instanceof Interrupted)) throw e;
    const n = progress.steps;
    const of = Math.max(0, decoded.trace.states.length - 1);
    stdout.push(`Interrupted (${signalName(e.signal)}) while replaying the trace: ${n} of its ${of} step${of === 1 ? '' : 's'} replayed; no verdict.`);
    return done(interruptedExit(e.signal));
  }
  stdout.push(...formatReplay(result, system));
  return done(result.ok ? EXIT.ok : 1);
}

/** Says so when the trace was recorded with other constant values than this replay uses. */
function constantsNote(meta: ItfTraceMeta, system: CompiledSpec): string | undefined {
  const differ = (meta.constants ?? []).filter((c) => {
    const now = system.constValues.find((x) => x.name === c.name);
    return now !== undefined && !valueEquals(now.value, c.value);
  });
  if (differ.length === 0) return undefined;
  const fmt = (cs: readonly { name: string; value: Value }[]): string => cs.map((c) => `${c.name}=${formatValue(c.value)}`).join(', ');
  const now = differ.map((c) => system.constValues.find((x) => x.name === c.name)!);
  return `note: the trace was recorded with ${fmt(differ)}; this replay uses ${fmt(now)}`;
}

export function formatReplay(r: ReplayResult, system: CompiledSpec): string[] {
  if (r.ok) {
    const lines = [`Trace replays: ${r.steps} step${r.steps === 1 ? '' : 's'}`];
    const o = r.outcome;
    if (o) {
      if (o.reproduced) lines.push(`As recorded, ${o.claim}.`);
      else lines.push(`note: the trace records that ${o.claim}, but replayed, ${o.actual ?? 'it does not'}.`);
    }
    return lines;
  }
  return formatFailure(r.failure, system);
}

const stepName = (step: number, label: Label): string => `step ${step}, ${formatLabel(label)},`;

function formatFailure(f: ReplayFailure, system: CompiledSpec): string[] {
  const head = 'Trace does not replay: ';
  switch (f.kind) {
    case 'empty':
      return [`${head}it has no states.`];
    case 'notInitial': {
      const lines = [`${head}state 0 is not an initial state.`];
      if (f.initials.length === 0) lines.push('  init produces no state.');
      else lines.push(...differences((which) => `${which.replace('successor', 'initial state')}`, f.initials, f.found, system.varNames));
      return lines;
    }
    case 'initFault':
      return [`${head}init fails: ${f.error.message}`, formatModelError(f.error)];
    case 'noSuchAction':
      return [`${head}${stepName(f.step, f.label)} names an action the spec does not have.`];
    case 'outsideConstraint':
      return [`${head}state ${f.state} is outside constraint ${f.constraint}, so the search does not go on from it, but the trace does.`];
    case 'constraintFault':
      return [`${head}evaluating the constraints on state ${f.state} fails: ${f.error.message}`, formatModelError(f.error)];
    case 'outsideDomain': {
      const value = f.label.params.find((p) => p.name === f.param)?.value;
      const shown = value === undefined ? f.param : `${f.param} = ${formatValue(value)}`;
      const now = f.domainValue === undefined ? '' : `, which is ${formatValue(f.domainValue)} in state ${f.step - 1}`;
      return [
        `${head}${stepName(f.step, f.label)} is not a step from state ${f.step - 1}: its parameter ${shown} is outside its domain:`,
        `  ${formatLocation(f.domain)}: ${sourceText(f.domain)}${now}`,
      ];
    }
    case 'rejected': {
      const keyword = f.require.keyword ?? 'require';
      if (keyword === 'pick') {
        return [
          `${head}${stepName(f.step, f.label)} is not enabled in state ${f.step - 1}; this pick finds no element there:`,
          `  ${formatLocation(f.require.span)}: ${sourceText(f.require.span)}`,
        ];
      }
      return [
        `${head}${stepName(f.step, f.label)} is not enabled in state ${f.step - 1}; this ${keyword} is false there:`,
        `  ${formatLocation(f.require.span)}: ${keyword} ${sourceText(f.require.cond)}`,
      ];
    }
    case 'elsewhere': {
      const instance = formatLabel({ action: f.label.action, params: f.label.params });
      return [`${head}${stepName(f.step, f.label)} is not a step from state ${f.step - 1}: ${instance} is at ${f.pc} there.`];
    }
    case 'wrongSuccessor': {
      const lines = [`${head}${stepName(f.step, f.label)} does not lead from state ${f.step - 1} to state ${f.step} of the trace.`];
      lines.push(...differences((which) => `${which} of ${formatLabel(f.label)}`, f.successors, f.found, system.varNames));
      return lines;
    }
    case 'fault':
      return [`${head}${stepName(f.step, f.label)} fails in state ${f.step - 1}: ${f.error.message}`, formatModelError(f.error)];
    case 'noAction': {
      const what = f.to === f.step ? `step ${f.step} names no action, and` : `the lasso loops back to state ${f.to}, but`;
      const lines = [`${head}${what} no action leads from state ${f.from} to state ${f.to}.`];
      if (f.error) lines.push(`  expanding state ${f.from} fails: ${f.error.message}`, formatModelError(f.error));
      if (f.candidates.length === 0) {
        if (!f.error) lines.push(`  no action is enabled in state ${f.from}.`);
        return lines;
      }
      // The closest successor: the fewest differing variables, the first in emission order.
      const count = (s: State): number => s.filter((v, j) => !valueEquals(v, f.found[j]!)).length;
      const best = f.candidates.reduce((a, b) => (count(b.state) < count(a.state) ? b : a));
      lines.push(...differences(() => `the closest successor, by ${formatLabel(best.label)},`, [best.state], f.found, system.varNames));
      return lines;
    }
  }
}

/**
 * How the trace's state differs from each state the spec allows there: the differing
 * variables, and the changes within the first of them (expected: the spec's, found: the
 * trace's).
 */
function differences(name: (which: string) => string, expected: readonly State[], found: State, varNames: readonly string[]): string[] {
  const lines: string[] = [];
  if (expected.length === 0) return [`  there is no ${name('successor')} here.`];
  expected.forEach((s, k) => {
    const which = name(expected.length === 1 ? 'the successor' : `successor ${k + 1} of ${expected.length}`);
    const differing = varNames.map((_, j) => j).filter((j) => !valueEquals(s[j]!, found[j]!));
    lines.push(`  ${which} differs in ${differing.map((j) => varNames[j]).join(', ')}:`);
    const j = differing[0]!;
    for (const c of diffValues(varNames[j]!, s[j]!, found[j]!)) {
      lines.push(`    ${c.path}: expected ${show(c.before)}, found ${show(c.after)}`);
    }
  });
  return lines;
}

function show(v: Value | undefined): string {
  return v === undefined ? '(absent)' : formatValue(v);
}

function sourceText(span: { source: { text: string }; start: number; end: number }): string {
  return span.source.text.slice(span.start, span.end).replace(/\s+/g, ' ');
}
