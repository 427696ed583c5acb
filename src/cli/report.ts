/**
 * Human-readable reports of check results: the verdict, the counterexample (each step with its
 * action and parameters, and under it only what changed), and the closing statistics line.
 * Pure functions to strings; program.ts prints them.
 */
import type { Label, RuntimeLocation, State } from '../lang/compile.js';
import { Diagnostic, formatLocation, renderDiagnostic } from '../lang/diagnostics.js';
import type { ModelError, Stats, Trace } from '../explore/index.js';
import { diffValues } from '../values/index.js';
import { showChange, showValue } from './value-text.js';
import type { CheckResult } from '../engine/run.js';
import type { CheckedCheck } from '../lang/check.js';
import { formatTemporalSummary, formatTemporalViolation } from './report-temporal.js';
import { formatLabel } from '../lang/label.js';
import { formatRefinementViolation } from './report-refine.js';
import { traceNote } from '../export/counterexample.js';
import { shownValue } from '../lang/show.js';
import { formatKernel } from '../lang/kernel.js';
import type { TraceExtras } from '../lang/trace.js';
import { interruptSignal, memoryHint, memoryNote } from '../explore/guard.js';

/** SIGINT, SIGTERM or the signal's number. */
export function signalName(signal: number): string {
  return signal === 15 ? 'SIGTERM' : signal === 2 || signal === 0 ? 'SIGINT' : `signal ${signal}`;
}

export { formatLabel };

const formatTraceWith = (...a: Parameters<typeof formatTrace>): string => formatTrace(...a);

export type { TraceExtras };

/** A step's label as the trace prints it: with its kernel name, if it has one. */
function stepLine(label: Label, extras: TraceExtras | undefined): string {
  const k = extras?.kernelOf?.(label);
  return k ? `${formatLabel(label)}   ${formatKernel(k)}` : formatLabel(label);
}

/**
 * The trace, state by state: the initial state in full, then each step's changes; under each
 * state the shown expressions (`show total = 7`), in every state.
 */
export function formatTrace(trace: Trace<State, Label>, varNames: readonly string[], failing?: { label: Label; note: string }, extras?: TraceExtras): string {
  const lines: string[] = [];
  const width = String(trace.states.length).length;
  const num = (i: number): string => String(i).padStart(width);
  const shown = (s: State): void => {
    for (const x of extras?.shown ?? []) {
      const v = shownValue(x, s);
      lines.push(`${' '.repeat(width)}     show ${x.name} = ${'value' in v ? showValue(v.value) : `<error: ${v.error}>`}`);
    }
  };
  trace.states.forEach((s, i) => {
    if (i === 0) {
      lines.push(`${num(0)}  init`);
      varNames.forEach((n, j) => lines.push(`${' '.repeat(width)}     ${n} = ${showValue(s[j]!)}`));
      shown(s);
      return;
    }
    const prev = trace.states[i - 1]!;
    lines.push(`${num(i)}  ${stepLine(trace.labels[i - 1]!, extras)}`);
    const changes = varNames.flatMap((n, j) => diffValues(n, prev[j]!, s[j]!));
    if (changes.length === 0) lines.push(`${' '.repeat(width)}     (no change)`);
    for (const c of changes) lines.push(`${' '.repeat(width)}     ${showChange(c)}`);
    shown(s);
  });
  if (failing) {
    const isInit = failing.label.action === 'init' && trace.states.length === 0;
    lines.push(`${' '.repeat(width)}  ${isInit ? 'init' : stepLine(failing.label, extras)}  ← ${failing.note}`);
  }
  return lines.join('\n');
}

function steps(n: number): string {
  return `${n} step${n === 1 ? '' : 's'}`;
}

export function formatStats(s: Stats): string {
  return `${s.distinct} distinct states, ${s.generated} generated, depth ${s.depth}, ${s.seconds.toFixed(2)} s`;
}

export function formatCollision(s: Stats): string {
  return `fingerprint collision probability (optimistic): ${s.collisionProbability === 0 ? '0' : s.collisionProbability.toExponential(1)}`;
}

/** E711's message (without its final full stop). */
export const NO_INITIAL_STATE = 'there is no initial state: the requires of init (or the initial choices) rule out every state, so nothing was checked';

/** The diagnostic for a run-time error or failed assert, with its source excerpt. */
export function formatModelError(err: ModelError): string {
  const loc = err.location as RuntimeLocation | undefined;
  if (!loc) return `error: ${err.message}`;
  if (loc.code === 'assert') {
    return renderDiagnostic(new Diagnostic('E701', loc.span, err.message), 'assertion failed');
  }
  return renderDiagnostic(new Diagnostic(loc.code, loc.span, err.message, loc.hint));
}

/** The whole report of one configuration, without the statistics line. */
export function formatResult(r: CheckResult, opts: { trace: boolean } = { trace: true }): string {
  const out: string[] = [];
  const varNames = r.system?.varNames ?? [];
  const extras: TraceExtras = { shown: r.shown, kernelOf: r.kernelOf };
  const formatTrace = (t: Trace<State, Label>, names: readonly string[], failing?: { label: Label; note: string }): string => formatTraceWith(t, names, failing, extras);
  if (r.constError) {
    out.push('Error while evaluating the constants:');
    out.push(formatModelError(r.constError));
    return out.join('\n');
  }
  const res = r.result!;
  const o = res.outcome;
  if (r.temporal && 'checked' in r.temporal && r.temporal.violation) {
    out.push(formatTemporalViolation(r.temporal.violation, varNames, opts.trace, formatTrace, (l) => stepLine(l, extras)));
    out.push(...formatTemporalSummary(r.temporal));
    return out.join('\n');
  }
  switch (o.kind) {
    case 'ok':
      if (res.stats.distinct === 0) {
        out.push(`error[E711]: ${NO_INITIAL_STATE}.`);
        break;
      }
      out.push(`No error found: every reachable state satisfies every invariant${r.deadlock ? ', and none is a deadlock' : ''}.`);
      if (r.temporal) out.push(...formatTemporalSummary(r.temporal));
      break;
    case 'limit':
      if (o.limit === 'interrupted') {
        out.push(`Interrupted (${signalName(interruptSignal())}): the search was stopped before it was complete; nothing was violated up to there.`);
      } else if (o.limit === 'memory') {
        const hint = memoryHint();
        out.push(`Stopped: the memory limit was reached before the search was complete (${memoryNote() ?? 'over --max-memory'}); nothing was violated up to there.${hint === '' ? '' : ` ${hint}`}`);
      } else {
        out.push(`Stopped: the ${o.limit === 'states' ? 'state' : 'depth'} limit was reached before the search was complete; nothing was violated up to there.`);
      }
      if (r.temporal) out.push(...formatTemporalSummary(r.temporal));
      break;
    case 'invariant': {
      if (r.refinement) {
        out.push(formatRefinementViolation(r.refinement.refinement, r.refinement.failure, o.trace, varNames, opts.trace, formatTrace, traceNote(r)));
        break;
      }
      out.push(o.step ? `Step property ${o.invariant} is violated by the last step.` : `Invariant ${o.invariant} is violated.`);
      const span = r.system?.invariantSpans.get(o.invariant);
      if (span) out.push(`  ${formatLocation(span)}: ${span.source.text.slice(span.start, span.end).replace(/\s+/g, ' ')}`);
      if (opts.trace) {
        out.push(`Counterexample (${steps(o.trace.states.length - 1)}, ${traceNote(r)}):`, '');
        out.push(formatTrace(o.trace, varNames));
      }
      break;
    }
    case 'deadlock':
      out.push('Deadlock: a reachable state has no enabled action.');
      if (opts.trace) {
        out.push(`Trace to it (${steps(o.trace.states.length - 1)}, ${traceNote(r)}):`, '');
        out.push(formatTrace(o.trace, varNames));
      }
      break;
    case 'fault': {
      const label = o.error.label as Label | undefined;
      const assert = o.error.kind === 'assert';
      const inv = (o.error.location as RuntimeLocation | undefined)?.invariant;
      const pred = (o.error.location as RuntimeLocation | undefined)?.predicate;
      const where = label ? (label.action === 'init' ? 'init' : formatLabel(label)) : inv ? `invariant ${inv}` : pred ?? 'an invariant';
      out.push(assert ? `Assertion failed in ${where}: ${o.error.message}` : `Evaluation error in ${where}: ${o.error.message}`);
      out.push(formatModelError(o.error));
      if (opts.trace) {
        const n = Math.max(0, o.trace.states.length - 1);
        out.push('', `Trace (${steps(n)} to the state where it happens, ${traceNote(r)}):`, '');
        const note = assert ? 'this step fails its assert' : 'this step fails';
        out.push(formatTrace(o.trace, varNames, label ? { label, note } : undefined));
      }
      break;
    }
  }
  return out.join('\n');
}

/** What a run cut by an interrupt between checks says of those it did not start. */
export function notStarted(signal: number, rest: readonly (CheckedCheck | undefined)[]): string {
  const names = rest.map((c) => c?.name ?? '(the spec)');
  const shown = names.length > 3 ? `${names.slice(0, 3).join(', ')} and ${names.length - 3} more` : names.join(', ');
  return `Interrupted (${signalName(signal)}) between checks: ${names.length === 1 ? 'check' : `${names.length} checks`} not run (${shown}); no verdict for ${names.length === 1 ? 'it' : 'them'}.`;
}
