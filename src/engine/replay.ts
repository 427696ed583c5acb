/**
 * Replays a trace (decoded from ITF) against a compiled spec: state 0 must be an initial
 * state, and each next state a successor of the one before, by exactly the action binding the
 * trace names for the step, or by any action when it names none. Returns data: the first step
 * that does not replay and why, or, for a trace that replays, whether its last state shows
 * what the trace records (the violated invariant, the deadlock, the failing step).
 * src/cli/replay.ts prints it.
 */
import type * as A from '../lang/ast.js';
import type { CompiledSpec, Label, RequireSite, State } from '../lang/compile.js';
import type { ItfFault, ItfTrace, ItfTraceMeta } from '../lang/trace.js';
import { ModelError } from '../explore/index.js';
import { checkInterrupt } from '../explore/guard.js';
import { lassoMisses } from './temporal.js';
import { valueEquals, type Value } from '../values/index.js';

/** A successor the spec produces, with the step that produces it. */
export interface Candidate {
  readonly label: Label;
  readonly state: State;
}

/**
 * Why a trace does not replay. Step i leads from state i - 1 to state i; the step back from
 * the last state to the state a lasso loops to is step `states.length`.
 */
export type ReplayFailure =
  | { readonly kind: 'empty' }
  /** State 0 is none of the initial states. */
  | { readonly kind: 'notInitial'; readonly found: State; readonly initials: readonly State[] }
  /** init itself fails (and emitted no state equal to state 0 before failing). */
  | { readonly kind: 'initFault'; readonly error: ModelError }
  | { readonly kind: 'noSuchAction'; readonly step: number; readonly label: Label }
  /** The step's parameter value is outside the parameter's domain in the state before. */
  | {
      readonly kind: 'outsideDomain';
      readonly step: number;
      readonly label: Label;
      readonly param: string;
      readonly domain: A.Span;
      readonly domainValue?: Value;
    }
  /** A process step whose instance is not at the step's label in the state before (it is at `pc`). */
  | { readonly kind: 'elsewhere'; readonly step: number; readonly label: Label; readonly pc: string }
  /** The step's action binding is not enabled: this `require` is false in the state before. */
  | { readonly kind: 'rejected'; readonly step: number; readonly label: Label; readonly require: RequireSite }
  /** The binding is enabled, but none of its successors is the trace's next state. */
  | { readonly kind: 'wrongSuccessor'; readonly step: number; readonly label: Label; readonly found: State; readonly successors: readonly State[] }
  /** The step fails (a failed assert or a run-time error). */
  | { readonly kind: 'fault'; readonly step: number; readonly label: Label; readonly error: ModelError }
  /**
   * State `state`, which is not the last, is outside constraint `constraint` (reached by step
   * `state`; 0: the initial state): the search never goes on from such a state.
   */
  | { readonly kind: 'outsideConstraint'; readonly state: number; readonly constraint: string }
  /** A constraint fails to evaluate on state `state` (reached by step `state`). */
  | { readonly kind: 'constraintFault'; readonly state: number; readonly error: ModelError }
  /**
   * A step the trace names no action for (or the lasso's step back): no successor of the state
   * before is the trace's next state. `error`: the expansion of the state before failed.
   */
  | {
      readonly kind: 'noAction';
      readonly step: number;
      readonly from: number;
      readonly to: number;
      readonly found: State;
      readonly candidates: readonly Candidate[];
      readonly error?: ModelError;
    };

/** Whether the replayed trace ends the way its metadata says. */
export interface RecordedOutcome {
  /** e.g. `invariant NotSolved is violated in the last state`. */
  readonly claim: string;
  readonly reproduced: boolean;
  /** What happens instead, when it is not reproduced. */
  readonly actual?: string;
}

export type ReplayResult =
  | { readonly ok: true; readonly steps: number; readonly outcome: RecordedOutcome | undefined }
  | { readonly ok: false; readonly failure: ReplayFailure };

export function statesEqual(a: State, b: State): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (!valueEquals(a[i]!, b[i]!)) return false;
  return true;
}

/** Every emission of a call, and the model error that cut it short, if any. */
function collect<T>(call: (emit: (x: T) => void) => void): { items: T[]; error: ModelError | undefined } {
  const items: T[] = [];
  try {
    call((x) => items.push(x));
  } catch (e) {
    if (!(e instanceof ModelError)) throw e;
    return { items, error: e };
  }
  return { items, error: undefined };
}

/**
 * `progress.steps` is kept at the number of steps that replayed so far, for a caller that an
 * interrupt (Interrupted, thrown from the evaluation or between two steps) stops in the middle.
 */
export function replayTrace(system: CompiledSpec, trace: ItfTrace, meta: ItfTraceMeta = {}, progress: { steps: number } = { steps: 0 }): ReplayResult {
  const { states, labels } = trace;
  const fail = (failure: ReplayFailure): ReplayResult => ({ ok: false, failure });
  if (states.length === 0) {
    // Only a trace to a failing init has no states.
    if (meta.error?.label?.action !== 'init') return fail({ kind: 'empty' });
    return { ok: true, steps: 0, outcome: recordedOutcome(system, trace, meta) };
  }

  const init = collect<State>((emit) => system.initialStates(emit));
  if (!init.items.some((s) => statesEqual(s, states[0]!))) {
    if (init.error) return fail({ kind: 'initFault', error: init.error });
    return fail({ kind: 'notInitial', found: states[0]!, initials: init.items });
  }

  for (let i = 1; i < states.length; i++) {
    progress.steps = i - 1;
    checkInterrupt();
    const from = states[i - 1]!;
    const to = states[i]!;
    const label = labels[i - 1];
    // The search expands only states inside the constraints: every state but the last.
    const outside = outsideConstraint(system, i - 1, states[i - 2], from);
    if (outside) return fail(outside);
    if (label === undefined) {
      const f = anyStep(system, i, i - 1, i, from, to);
      if (f) return fail(f);
      continue;
    }
    const ex = system.explainStep(from, label);
    switch (ex.kind) {
      case 'enabled':
        if (ex.successors.some((s) => statesEqual(s, to))) continue;
        return fail({ kind: 'wrongSuccessor', step: i, label, found: to, successors: ex.successors });
      case 'rejected':
        return fail({ kind: 'rejected', step: i, label, require: ex.require });
      case 'elsewhere':
        return fail({ kind: 'elsewhere', step: i, label, pc: ex.pc });
      case 'outsideDomain':
        return fail({ kind: 'outsideDomain', step: i, label, param: ex.param, domain: ex.domain, ...(ex.domainValue !== undefined ? { domainValue: ex.domainValue } : {}) });
      case 'noSuchAction':
        return fail({ kind: 'noSuchAction', step: i, label });
      case 'fault':
        return fail({ kind: 'fault', step: i, label, error: ex.error });
    }
  }
  // loop = last: the behaviour stutters forever in its last state, which is always a step.
  if (trace.loop !== undefined && trace.loop !== states.length - 1) {
    const last = states.length - 1;
    const f = anyStep(system, states.length, last, trace.loop, states[last]!, states[trace.loop]!);
    if (f) return fail(f);
  }
  return { ok: true, steps: states.length - 1, outcome: recordedOutcome(system, trace, meta) };
}

/** Whether state `index` (`from`: the one before it) is outside a constraint: the failure, or undefined. */
function outsideConstraint(system: CompiledSpec, index: number, from: State | undefined, state: State): ReplayFailure | undefined {
  try {
    for (const c of system.constraints) {
      if (c.action && from === undefined) continue;
      if (!c.holds(from, state)) return { kind: 'outsideConstraint', state: index, constraint: c.name };
    }
  } catch (e) {
    if (!(e instanceof ModelError)) throw e;
    return { kind: 'constraintFault', state: index, error: e };
  }
  return undefined;
}

/** A step by any action: some successor of `from` must be `to`. */
function anyStep(system: CompiledSpec, step: number, fromIndex: number, toIndex: number, from: State, to: State): ReplayFailure | undefined {
  const r = collect<Candidate>((emit) => system.successors(from, (state, label) => emit({ label, state })));
  if (r.items.some((c) => statesEqual(c.state, to))) return undefined;
  const f = { kind: 'noAction', step, from: fromIndex, to: toIndex, found: to, candidates: r.items } as const;
  return r.error ? { ...f, error: r.error } : f;
}

/** Checks the trace's recorded verdict against its last state, when the metadata gives one. */
function recordedOutcome(system: CompiledSpec, trace: ItfTrace, meta: ItfTraceMeta): RecordedOutcome | undefined {
  const last = trace.states[trace.states.length - 1];
  if (meta.error) return recordedFault(system, last, meta.error);
  if (last === undefined) return undefined;
  if (meta.verdict === 'deadlock') {
    const claim = 'no action is enabled in the last state (a deadlock)';
    const r = collect<Label>((emit) => system.successors(last, (_s, l) => emit(l)));
    if (r.error) return { claim, reproduced: false, actual: `expanding it fails: ${r.error.message}` };
    const done = system.isDone?.(last) ?? false;
    if (r.items.length === 0 && !done) return { claim, reproduced: true };
    return { claim, reproduced: false, actual: done ? 'the state is done, not deadlocked' : `${r.items.length} step(s) are enabled in it` };
  }
  if (meta.property !== undefined) {
    const name = meta.property;
    const stutters = trace.loop === trace.states.length - 1 ? ' (stuttering forever in the last state)' : '';
    const claim = `property ${name} is violated by this ${trace.loop === undefined ? 'trace' : `lasso${stutters}`}`;
    const prop = system.properties.find((x) => x.name === name);
    if (!prop) return { claim, reproduced: false, actual: 'the spec has no such property' };
    try {
      const miss = lassoMisses(prop, trace.states, trace.loop);
      return miss === undefined ? { claim, reproduced: true } : { claim, reproduced: false, actual: miss };
    } catch (e) {
      if (!(e instanceof ModelError)) throw e;
      return { claim, reproduced: false, actual: `evaluating it fails: ${e.message}` };
    }
  }
  if (meta.verdict === 'violation' && typeof meta.violation === 'string' && system.stepProperties.some((p) => p.name === meta.violation)) {
    const name = meta.violation;
    const claim = `step property ${name} is violated by the last step`;
    const prop = system.stepProperties.find((p) => p.name === name)!;
    const before = trace.states[trace.states.length - 2];
    if (before === undefined) return { claim, reproduced: false, actual: 'the trace has no step' };
    try {
      return prop.holds(before, last) ? { claim, reproduced: false, actual: 'it holds there' } : { claim, reproduced: true };
    } catch (e) {
      if (!(e instanceof ModelError)) throw e;
      return { claim, reproduced: false, actual: `evaluating it fails: ${e.message}` };
    }
  }
  if (meta.verdict === 'violation' && typeof meta.violation === 'string') {
    const step = recordedStepViolation(system, trace, meta.violation);
    if (step) return step;
    const name = meta.violation;
    const claim = `invariant ${name} is violated in the last state`;
    const inv = system.invariants.find((x) => x.name === name);
    if (!inv) return { claim, reproduced: false, actual: 'the spec has no such invariant' };
    try {
      return inv.holds(last) ? { claim, reproduced: false, actual: 'it holds there' } : { claim, reproduced: true };
    } catch (e) {
      if (!(e instanceof ModelError)) throw e;
      return { claim, reproduced: false, actual: `evaluating it fails: ${e.message}` };
    }
  }
  return undefined;
}

/**
 * A recorded violation of a step check (a refinement, `refines Name`): the system's step check
 * refuses the trace's last step under that name. Undefined when the name is not a step
 * check's (the last step, if any, passes, or the system has no step checks) and an invariant
 * of that name should say.
 */
function recordedStepViolation(system: CompiledSpec, trace: ItfTrace, name: string): RecordedOutcome | undefined {
  const n = trace.states.length;
  if (system.checkStep === undefined || n < 2) return undefined;
  const label = trace.labels[n - 2] ?? { action: '?', params: [] };
  const claim = `the last step violates ${name}`;
  try {
    const v = system.checkStep(trace.states[n - 2]!, trace.states[n - 1]!, label);
    if (v?.name === name) return { claim, reproduced: true };
    if (system.invariants.some((x) => x.name === name)) return undefined;
    return { claim, reproduced: false, actual: v ? `it violates ${v.name} instead` : 'the step is allowed' };
  } catch (e) {
    if (!(e instanceof ModelError)) throw e;
    return { claim, reproduced: false, actual: `checking it fails: ${e.message}` };
  }
}

function recordedFault(system: CompiledSpec, last: State | undefined, f: ItfFault): RecordedOutcome {
  const what = f.kind === 'assert' ? 'an assert fails' : 'a run-time error happens';
  const label = f.label;
  const claim =
    label === undefined
      ? `${what} in an invariant in the last state: ${f.message}`
      : label.action === 'init'
        ? `${what} in init: ${f.message}`
        : `${what} in the step ${label.action} from the last state: ${f.message}`;
  const matches = (e: ModelError): RecordedOutcome =>
    e.kind === f.kind && e.message === f.message
      ? { claim, reproduced: true }
      : { claim, reproduced: false, actual: `it fails otherwise: ${e.message}` };

  if (label?.action === 'init') {
    const r = collect<State>((emit) => system.initialStates(emit));
    return r.error ? matches(r.error) : { claim, reproduced: false, actual: 'init does not fail' };
  }
  if (last === undefined) return { claim, reproduced: false, actual: 'the trace has no state' };
  if (label === undefined) {
    try {
      for (const inv of system.invariants) inv.holds(last);
    } catch (e) {
      if (!(e instanceof ModelError)) throw e;
      return matches(e);
    }
    return { claim, reproduced: false, actual: 'every invariant evaluates without error' };
  }
  const ex = system.explainStep(last, label);
  if (ex.kind === 'fault') return matches(ex.error);
  return { claim, reproduced: false, actual: `the step ${ex.kind === 'enabled' ? 'succeeds' : 'is not enabled'}` };
}
