/**
 * The report of a violated refinement (`refines Abstract`, docs/refinement.md): which state or
 * step of the trace Abstract does not allow, the mapped abstract states, and what Abstract
 * could do instead (its initial states, or the steps it offers from the mapped state).
 */
import type { Label, State } from '../lang/compile.js';
import type { Trace } from '../explore/index.js';
import { diffValues } from '../values/index.js';
import { showChange, showValue } from './value-text.js';
import { formatLabel } from '../lang/label.js';
import type { Refinement, RefinementFailure } from '../engine/refine.js';

/** At most this many abstract initial states or steps are listed; the rest are counted. */
const MAX_LISTED = 12;

export function formatRefinementViolation(
  r: Refinement,
  failure: RefinementFailure,
  trace: Trace<State, Label>,
  varNames: readonly string[],
  withTrace: boolean,
  formatTrace: (t: Trace<State, Label>, names: readonly string[]) => string,
  /** What the trace is, after its length (`spex simulate`'s may not be a shortest one). */
  note = 'a shortest one',
): string {
  const out: string[] = [];
  const n = trace.states.length - 1;
  const a = r.name;
  if (failure.kind === 'init') {
    out.push(`Refinement of ${a} is violated: an initial state maps to no initial state of ${a}.`);
  } else {
    out.push(`Refinement of ${a} is violated: step ${n}, ${formatLabel(trace.labels[n - 1]!)}, maps to no step of ${a} (and changes the mapped state).`);
  }
  if (withTrace) {
    out.push(`Counterexample (${n} step${n === 1 ? '' : 's'}, ${note}):`, '');
    out.push(formatTrace(trace, varNames));
  }
  const names = r.varNames;
  const state = (s: State): string => names.map((v, i) => `${v} = ${showValue(s[i]!)}`).join(', ');
  out.push('');
  if (failure.kind === 'init') {
    out.push(`Mapped to ${a}: ${state(failure.mapped)}`);
    out.push(`${a}'s initial states (${failure.initial.length}):`);
    for (const s of failure.initial.slice(0, MAX_LISTED)) out.push(`  ${state(s)}`);
    if (failure.initial.length > MAX_LISTED) out.push(`  ... and ${failure.initial.length - MAX_LISTED} more`);
    return out.join('\n');
  }
  out.push(`Mapped to ${a}, step ${n} goes`);
  out.push(`  from ${state(failure.before)}`);
  out.push(`    to ${state(failure.after)}`);
  const changes = names.flatMap((v, i) => diffValues(v, failure.before[i]!, failure.after[i]!));
  out.push(`  changing ${changes.map(showChange).join(', ')}`);
  if (failure.tried.length === 0) {
    out.push(`${a} has no step from the mapped state: no action of ${a} is enabled there.`);
    return out.join('\n');
  }
  out.push(`${a}'s steps from the mapped state (actions tried: those enabled, with the successors they offer):`);
  for (const x of failure.tried.slice(0, MAX_LISTED)) {
    const ch = names.flatMap((v, i) => diffValues(v, failure.before[i]!, x.next[i]!));
    out.push(`  ${formatLabel(x.label)}: ${ch.length === 0 ? '(no change)' : ch.map(showChange).join(', ')}`);
  }
  if (failure.tried.length > MAX_LISTED) out.push(`  ... and ${failure.tried.length - MAX_LISTED} more`);
  const disabled = r.actionNames.filter((act) => !failure.tried.some((x) => x.label.action === act));
  if (disabled.length > 0) out.push(`  not enabled: ${disabled.join(', ')}`);
  return out.join('\n');
}
