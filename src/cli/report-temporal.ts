/**
 * Reports of temporal properties: the violated property and its lasso, a behaviour that
 * loops back to an earlier state forever ("back to state 3") or stops and stutters forever
 * ("stutters here forever"). Pure functions to strings, like report.ts.
 */
import type { Label, State } from '../lang/compile.js';
import { formatLocation } from '../lang/diagnostics.js';
import type { TemporalResult, TemporalViolation } from '../engine/temporal.js';
import type { TemporalInconclusive } from '../engine/run.js';
import { memoryHint, memoryNote } from '../explore/guard.js';
import { diffValues } from '../values/index.js';
import { showChange } from './value-text.js';
import { formatLabel, formatTrace as formatPlainTrace } from './report.js';

function steps(n: number): string {
  return `${n} step${n === 1 ? '' : 's'}`;
}

function text(span: { source: { text: string }; start: number; end: number }): string {
  return span.source.text.slice(span.start, span.end).replace(/\s+/g, ' ');
}

/** What the behaviour does wrong, in the property's own terms. */
function what(v: TemporalViolation): string {
  const p = v.property;
  const P = text(p.pSpan);
  switch (p.kind) {
    case 'always':
      return `its last state does not satisfy ${P}`;
    case 'eventually':
      return `it never reaches a state where ${P}`;
    case 'alwaysEventually':
      return `from state ${v.loop ?? v.trace.states.length - 1} on, it never again reaches a state where ${P}`;
    case 'eventuallyAlways':
      return `it leaves ${P} again and again, forever`;
    case 'leadsTo':
      return `${P} holds in state ${leadsToStart(v)}, and from there on ${text(p.qSpan!)} never holds`;
    case 'general':
      return 'the formula is false on it';
  }
}

/** For ~>: the state where P ∧ ¬Q holds, the first one on the lasso's path out of which Q never holds. */
function leadsToStart(v: TemporalViolation): number {
  const p = v.property;
  const states = v.trace.states;
  // Q never holds from some point on: the last state where Q holds, plus one, and then the
  // first state from there where P holds.
  let from = 0;
  states.forEach((s, i) => {
    if (p.q!(s)) from = i + 1;
  });
  for (let i = from; i < states.length; i++) if (p.p(states[i]!)) return i;
  return from;
}

export function formatTemporalViolation(v: TemporalViolation, varNames: readonly string[], withTrace: boolean, formatTrace: (t: TemporalViolation['trace'], names: readonly string[]) => string = formatPlainTrace, stepName: (l: Label) => string = formatLabel): string {
  const out: string[] = [];
  out.push(`Property ${v.property.name} is violated by a behaviour: ${what(v)}.`);
  out.push(`  ${formatLocation(v.property.span)}: ${text(v.property.span)}`);
  if (!withTrace) return out.join('\n');
  const n = v.trace.states.length - 1;
  if (v.kind === 'finite') {
    out.push(`Counterexample (${steps(n)}, a shortest one; any continuation violates it):`, '');
    out.push(formatTrace(v.trace, varNames));
    return out.join('\n');
  }
  if (v.kind === 'stutter') {
    out.push(`Counterexample (${steps(n)}, then it stops: it stutters forever in state ${n}, which no fairness forbids):`, '');
    out.push(formatTrace(v.trace, varNames));
    out.push(`${' '.repeat(String(n).length)}  (stutters here forever)`);
    return out.join('\n');
  }
  const loop = v.loop!;
  const cycle = `a cycle of ${steps(n - loop)} from state ${loop} back to it, repeated forever`;
  out.push(`Counterexample (a lasso: ${loop === 0 ? cycle : `${steps(loop)} to state ${loop}, then ${cycle}`}):`, '');
  // The last state is the state at `loop` again: print the steps up to it, then the closing step.
  const body = { states: v.trace.states.slice(0, n), labels: v.trace.labels.slice(0, n - 1) };
  out.push(formatTrace(body, varNames));
  const width = String(n).length;
  const last = v.trace.labels[n - 1]!;
  out.push(`${' '.repeat(width)}  ${stepName(last as Label)}  → back to state ${loop}`);
  const prev = v.trace.states[n - 1] as State;
  const next = v.trace.states[n] as State;
  const changes = varNames.flatMap((name, j) => diffValues(name, prev[j]!, next[j]!));
  if (changes.length === 0) out.push(`${' '.repeat(width)}     (no change)`);
  for (const c of changes) out.push(`${' '.repeat(width)}     ${showChange(c)}`);
  return out.join('\n');
}

/** The statistics line of the temporal check: what it checked, the graph's size, its time. */
export function formatTemporalStats(t: TemporalResult): string {
  const n = t.checked.length;
  const mib = (t.graphBytes / 1048576).toFixed(1);
  return `temporal properties: ${n} instance${n === 1 ? '' : 's'} checked, ${t.units} fairness unit${t.units === 1 ? '' : 's'}, state graph ${mib} MiB, ${t.seconds.toFixed(2)} s`;
}

/** Lines about the properties for a run that found no violation (or was cut short). */
export function formatTemporalSummary(t: TemporalResult | TemporalInconclusive): string[] {
  if ('inconclusive' in t) {
    if (t.analysis === true && t.inconclusive === 'memory') {
      const hint = memoryHint();
      return [`Temporal properties: inconclusive. The search was complete, but checking them would pass the memory limit (${memoryNote() ?? 'over --max-memory'}).${hint === '' ? '' : ` ${hint}`}`];
    }
    if (t.analysis === true) return ['Temporal properties: inconclusive. The search was complete, but the run was interrupted while they were being checked.'];
    if (t.reached === true) {
      return [
        t.inconclusive === 'depth'
          ? 'Temporal properties: inconclusive. The search reached the depth limit, and the steps out of the states at that depth are not in the state graph (it would have dead ends the spec does not); run with a larger --max-depth, or without it, to check them.'
          : 'Temporal properties: inconclusive. The search stored as many states as the states limit allows, and steps to states seen before are not in the state graph from then on (it would have dead ends the spec does not); run with a larger --max-states, or without it, to check them.',
      ];
    }
    if (t.inconclusive === 'interrupted' || t.inconclusive === 'memory') {
      return [`Temporal properties: inconclusive. The search was ${t.inconclusive === 'interrupted' ? 'interrupted' : 'stopped by the memory limit'} before the state graph was complete.`];
    }
    return [`Temporal properties: inconclusive. The ${t.inconclusive} limit cut the state graph short, and a cut graph has dead ends and cycles the full one does not; run without --max-states/--max-depth to check them.`];
  }
  const lines: string[] = [];
  if (!t.violation) {
    const n = t.checked.length;
    lines.push(`Every temporal property holds (${n} instance${n === 1 ? '' : 's'}${t.units > 0 ? `, under ${t.units} fairness unit${t.units === 1 ? '' : 's'}` : ', without fairness'}).`);
  }
  for (const w of t.warnings) lines.push(`warning: ${w}`);
  return lines;
}
