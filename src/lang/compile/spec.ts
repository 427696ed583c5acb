/**
 * Building the transition system of a checked spec: actions, process steps, init, invariants,
 * step properties, constraints, views and temporal properties; and explaining a step.
 */
import type * as A from '../ast.js';
import type { CheckedAction, CheckedBody, CheckedCheck, CheckedConstraint, CheckedSpec } from '../check.js';
import { Processes, explainProcessStep } from '../process.js';
import { ModelError, type Invariant, type StepViolation } from '../../explore/system.js';
import { compileFairness, compileProperties } from '../compile-temporal.js';
import { ISet, fingerprintValues, sortedElements, valueEquals, type Value } from '../../values/index.js';
import {
  type State, type Label, type RuntimeLocation, type Ctx, type Cont, fail,
  stepOverflow, type CompiledSpec,
  type CompiledView, type RequireSite, type StepExplanation,
} from './base.js';
import { Compiler } from './statements.js';
import { StepCounters, coverageSites } from '../coverage.js';
import { pollInterrupt } from '../../explore/guard.js';
import { evalWork } from '../work.js';
import { chargeDomain, chargeWork } from './expressions.js';
import { named } from '../by-name.js';

/** How to compile a spec beyond its constants. */
export interface CompileOptions {
  /** Keep the step counters of `--coverage` (docs/coverage.md); without it only which steps ever emit. */
  readonly coverage?: boolean;
  /** Where to keep the flags of the steps that emit (a worker's view of memory shared with the coordinator). */
  readonly reached?: Uint8Array;
}

/** An `always step` property, compiled: whether the step from `from` to `to` satisfies it. */
export interface StepProperty {
  readonly name: string;
  holds(from: State, to: State): boolean;
}

/** A `constraint` (`action` false: `to` alone is read) or `action constraint`, compiled. */
export interface CompiledConstraint {
  readonly name: string;
  readonly action: boolean;
  /** The checked declaration (the packed engine compiles its expression again). */
  readonly decl: CheckedConstraint;
  holds(from: State | undefined, to: State): boolean;
}

/** The label of PlusCal's `Terminating` step: the stutter of a state where every process is done. */
export const TERMINATING: Label = { action: 'Terminating', params: [] };

/**
 * The TransitionSystem step check of a list of step properties: the first one, in order, that
 * the step violates. Kept apart so that a check's `only` can make it again from fewer.
 */
export function checkStepOf(props: readonly StepProperty[]): ((from: State, to: State, label: Label) => StepViolation | undefined) | undefined {
  if (props.length === 0) return undefined;
  return (from, to) => {
    for (let i = 0; i < props.length; i++) if (!props[i]!.holds(from, to)) return { name: props[i]!.name };
    return undefined;
  };
}

/** The TransitionSystem `inModel` of a list of constraints (undefined when there are none). */
export function inModelOf(cs: readonly CompiledConstraint[]): ((state: State, from: State | undefined) => boolean) | undefined {
  if (cs.length === 0) return undefined;
  return (state, from) => {
    for (let i = 0; i < cs.length; i++) {
      const c = cs[i]!;
      if (c.action && from === undefined) continue; // an initial state has no step
      if (!c.holds(from, state)) return false;
    }
    return true;
  };
}

export interface CompiledAction {
  readonly name: string;
  /** The action's name in its declaration (E716 for a step that exhausts the stack). */
  readonly span: A.Span;
  readonly paramNames: readonly string[];
  /** Runs the action on c.st, calling the continuation once per successor. */
  readonly run: Cont;
  /**
   * As `run`, but a binding whose step fails hands its error (labelled) to `fault` and the
   * next binding runs, from c.st as it was (for stepsOf).
   */
  readonly runEach: (c: Ctx, fault: (error: ModelError) => void) => void;
  readonly frame: number;
}

/**
 * Builds the transition system of a checked spec with constants fixed by `overrides`
 * (constant index → expression). Throws ModelError if a constant cannot be evaluated.
 */
export function compileSpec(spec: CheckedSpec, overrides: ReadonlyMap<number, A.Expr> = new Map(), check?: CheckedCheck, opts: CompileOptions = {}): CompiledSpec {
  const cc = new Compiler(spec, overrides);
  // Which steps ever emit (always kept, for W100); with `coverage`, every count of docs/coverage.md.
  const counting = opts.coverage === true;
  const counters = new StepCounters(coverageSites(spec), counting, opts.reached);
  const reached = counters.reached;
  if (counting) cc.counters = counters;
  const nVars = spec.vars.length;
  // Laid out first: any expression may ask where a process instance is.
  const processes = new Processes(cc, spec, nVars);
  cc.processes = processes;

  // The step being emitted; set by initialStates/successors around each run.
  let emitFn: (s: State, l: Label) => void = () => {};

  // A parameter not bound yet (an error in its domain) is left out. One label per emission: a
  // loop, not flatMap (an array per parameter, and a call), which was an eighth of the generic
  // engine's search of counter-grid K=21.
  const labelOf = (a: CompiledAction, c: Ctx): Label => {
    const names = a.paramNames;
    const params: { name: string; value: Value }[] = [];
    for (let i = 0; i < names.length; i++) {
      const value = c.loc[i];
      if (value !== undefined) params.push({ name: names[i]!, value });
    }
    return { action: a.name, params };
  };

  const actions: CompiledAction[] = spec.actions.map((a, ai) => {
    const n = a.params.length;
    const site = counters.sites.actionSite[ai]!;
    const finish: Cont = counting
      ? (c) => {
          reached[site] = 1;
          counters.took();
          emitFn(c.st.slice(), labelOf(compiled, c));
        }
      : (c) => {
          reached[site] = 1;
          emitFn(c.st.slice(), labelOf(compiled, c));
        };
    const body = cc.stmts(a.decl.body, finish);
    let run = body;
    if (counting) {
      // One row per binding of the parameters: evaluated, enabled (it emitted), taken.
      const uncounted = run;
      const fixed = n === 0 ? counters.row(site, []) : -1;
      run = (c) => {
        const row = fixed >= 0 ? fixed : counters.row(site, a.params.map((p, i) => ({ name: p.name, value: c.loc[i]! })));
        const before = counters.begin(row);
        uncounted(c);
        counters.end(row, before);
      };
    }
    // Parameters bind slots 0..n-1, outermost first.
    for (let i = n - 1; i >= 0; i--) {
      const p = a.params[i]!;
      const inner = run;
      const slot = i;
      if (p.domain.k === 'type') {
        const decl = a.decl.params[i]!;
        const pspan = decl.kind === 'typed' ? decl.type.span : a.decl.name.span;
        const values = cc.enumerate(p.domain.type, pspan, `the type of parameter '${p.name}'`);
        run = (c) => {
          if (evalWork.n + values.length > evalWork.max) {
            // Over the budget here: the label names the parameters bound so far only.
            for (let j = slot; j < n; j++) c.loc[j] = undefined as unknown as Value;
            chargeWork(values.length, pspan);
          }
          evalWork.n += values.length;
          for (const v of values) {
            pollInterrupt();
            c.loc[slot] = v;
            inner(c);
          }
        };
      } else {
        const dom = cc.loopElements(p.domain.expr);
        const pspan = p.domain.expr.span;
        const weigh = cc.weighs(p.domain.expr);
        run = (c) => {
          // Until the domain is known, this parameter and the ones after it are unbound.
          for (let j = slot; j < n; j++) c.loc[j] = undefined as unknown as Value;
          const values = dom(c);
          chargeDomain(values, pspan, weigh);
          for (const v of values) {
            pollInterrupt();
            c.loc[slot] = v;
            inner(c);
          }
        };
      }
    }
    const compiled: CompiledAction = { name: a.name, span: a.decl.name.span, paramNames: a.params.map((p) => p.name), run, runEach: runEachOf(cc, a, body, () => compiled), frame: a.frameSize };
    return compiled;
  });

  processes.compileSteps(cc, (s, l) => emitFn(s, l), counters);

  const initValues: (Value | undefined)[] = spec.vars.map((v) => (v.decl.init ? cc.constValue(v.decl.init) : undefined));
  // One starting point per combination of the process variables' initial choices.
  const procInits = processes.initialCombinations();
  spec.vars.forEach((v, i) => {
    if (initValues[i] !== undefined) cc.checkRange(v.type, initValues[i]!, v.decl.init!.span, `variable '${v.name}'`);
  });
  // `var x: T in S`: the variables with initial choices, in declaration order, the first
  // varying slowest; each combination runs init.
  const choices = spec.vars.flatMap((v, i) => {
    if (!v.decl.initIn) return [];
    const e = v.decl.initIn;
    const values = sortedElements(cc.constValue(e) as ISet<Value>);
    for (const x of values) cc.checkRange(v.type, x, e.span, `variable '${v.name}'`);
    return [{ slot: i, values }];
  });
  const initLabel: Label = { action: 'init', params: [] };
  const initDecl = spec.ast.decls.find((d) => d.kind === 'init');
  const initSpan = initDecl?.span ?? spec.ast.name.span;
  const initRun = cc.stmts(spec.init.stmts, (c) => {
    for (let i = 0; i < nVars; i++) {
      if (c.st[i] === undefined) fail('E708', initSpan, `init leaves '${spec.vars[i]!.name}' without a value on this path`);
    }
    emitFn(c.st.slice(), initLabel);
  });

  const invariants: Invariant<State>[] = spec.invariants.map((inv) => {
    const ev = cc.expr(inv.expr);
    const loc = new Array<Value>(inv.frameSize);
    const name = inv.name;
    const holds = (s: State): boolean => {
      try {
        // Its own work budget (src/lang/work.ts); the count of the evaluation it is part of stays.
        const outer = evalWork.n;
        evalWork.n = 0;
        const r = ev({ st: s, loc }) as boolean;
        evalWork.n = outer;
        return r;
      } catch (err) {
        // Name the invariant: its error has no step label to say where it happened.
        if (err instanceof ModelError && err.label === undefined) {
          throw new ModelError(err.kind, err.message, { ...(err.location as RuntimeLocation), invariant: name });
        }
        throw err;
      }
    };
    return { name, holds };
  });

  /** A Bool predicate over a step (or a state): a ModelError in it names the predicate. */
  const predicate = (body: CheckedBody, what: string): ((from: State | undefined, to: State) => boolean) => {
    const ev = cc.expr(body.expr);
    const loc = new Array<Value>(body.frameSize);
    return (from, to) => {
      try {
        const outer = evalWork.n;
        evalWork.n = 0;
        const r = ev({ st: from ?? to, loc, nx: to }) as boolean;
        evalWork.n = outer;
        return r;
      } catch (err) {
        if (err instanceof ModelError && err.label === undefined) {
          throw new ModelError(err.kind, err.message, { ...(err.location as RuntimeLocation), predicate: what });
        }
        throw err;
      }
    };
  };
  const stepProperties: StepProperty[] = spec.stepProperties.map((p) => {
    const holds = predicate(p, `step property '${p.name}'`);
    return { name: p.name, holds: (from: State, to: State) => holds(from, to) };
  });
  const constraints: CompiledConstraint[] = [...spec.constraints, ...(check?.constraints ?? [])].map((c) => {
    const holds = predicate(c, `${c.action ? 'action constraint' : 'constraint'} '${c.name}'`);
    // A state constraint reads the state it is given: st is `to`.
    return { name: c.name, action: c.action, decl: c, holds: c.action ? holds : (_from: State | undefined, to: State) => holds(undefined, to) };
  });

  const views: CompiledView[] = spec.views.map((v) => {
    const ev = cc.expr(v.expr);
    return { name: v.name, type: spec.types.get(v.expr)!, value: (s: State) => withOwnWork(() => ev({ st: s, loc: new Array<Value>(v.frameSize) })) };
  });

  const properties = compileProperties(spec, (e, frameSize, bound) => {
    const ev = cc.expr(e);
    const loc = new Array<Value>(frameSize);
    for (const b of bound) loc[b.slot] = b.value;
    return (s) => {
      const outer = evalWork.n;
      evalWork.n = 0;
      const r = ev({ st: s, loc });
      evalWork.n = outer;
      return r;
    };
  });

  const explainAction = explainer(cc, spec);
  const explainCache: Parameters<typeof explainProcessStep>[2] = new Map();
  const terminating = processes.instances.length > 0 && !spec.actions.some((a) => a.name === TERMINATING.action);
  const explainStep = (state: State, label: Label): StepExplanation => {
    evalWork.n = 0;
    if (terminating && label.action === TERMINATING.action && label.params.length === 0) {
      // PlusCal's Terminating: the stutter of a state where every process is done.
      return { kind: 'enabled', successors: processes.isDone(state) ? [state.slice()] : [] };
    }
    return processes.instanceOf(label) ? explainProcessStep(cc, processes, explainCache, state, label) : explainAction(state, label);
  };

  const maxFrame = Math.max(0, processes.frame, ...actions.map((a) => a.frame));
  const ctx: Ctx = { st: [], loc: new Array<Value>(maxFrame) };

  const system: CompiledSpec = {
    varNames: [...spec.vars.map((v) => v.name), ...processes.slots.map((x) => x.name)],
    stateSize: spec.vars.length + processes.slots.length,
    processSlots: processes.slots,
    processBlocks: processes.blocks,
    invariantSpans: new Map([...spec.invariants, ...spec.stepProperties].map((inv) => [inv.name, inv.expr.span])),
    stepProperties,
    constraints,
    constValues: spec.consts.map((c, i) => ({ name: c.name, value: cc.consts[i]! })),
    invariants,
    views,
    properties,
    fairness: compileFairness(spec),
    coverage: counters,
    initialStates(emit) {
      emitFn = (s) => emit(s);
      // Global variables' choices vary slowest (state-slot order, the last slot fastest), then
      // the process variables' combinations; init runs from each.
      const c: Ctx = { st: [], loc: new Array<Value>(spec.init.frameSize) };
      const globals = initValues.slice() as Value[];
      const choose = (k: number): void => {
        if (k === choices.length) {
          for (const procInit of procInits) {
            pollInterrupt();
            evalWork.n = 0;
            c.st = [...globals, ...procInit] as Value[];
            initRun(c);
          }
          return;
        }
        const { slot, values } = choices[k]!;
        for (const v of values) {
          globals[slot] = v;
          choose(k + 1);
        }
        globals[slot] = undefined as unknown as Value;
      };
      try {
        choose(0);
      } catch (err) {
        if (err instanceof ModelError && err.label === undefined) err.label = initLabel;
        throw err;
      }
    },
    successors(state, emit) {
      emitFn = emit;
      evalWork.n = 0;
      ctx.st = state.slice();
      for (const a of actions) {
        try {
          a.run(ctx);
        } catch (thrown) {
          const err = stepOverflow(thrown, a.span, `the statements of '${a.name}'`);
          if (err instanceof ModelError && err.label === undefined) err.label = labelOf(a, ctx);
          throw err;
        }
      }
      processes.successors(ctx);
      // PlusCal's Terminating: a state where every process is done stutters, once.
      if (processes.instances.length > 0 && processes.isDone(state)) emit(state.slice(), TERMINATING);
    },
    fingerprint(state, out) {
      fingerprintValues(state, out);
    },
    explainStep,
    stepsOf(state, emit, fault) {
      emitFn = emit;
      evalWork.n = 0;
      const c: Ctx = { st: state.slice(), loc: new Array<Value>(maxFrame) };
      for (const a of actions) a.runEach(c, fault);
      processes.successorsEach(c, state, fault);
      if (processes.instances.length > 0 && processes.isDone(state)) emit(state.slice(), TERMINATING);
    },
    slotTypes: [...spec.vars.map((v) => v.type), ...processes.slots.map((x) => x.type)],
    valueTables: {
      atom: (info, index) => cc.atom(info, index),
      fields: (names) => cc.fields(names),
      variant: (tag, tagIndex, payload) => cc.variant(tag, tagIndex, payload),
    },
    compileExpr(e, frameSize) {
      const ev = cc.expr(e);
      return (s) => withOwnWork(() => ev({ st: s, loc: new Array<Value>(frameSize) }));
    },
  };
  // With processes, a state where every instance has run to its end, or stands at an `end`
  // label, is a valid end, not deadlocked.
  if (processes.instances.length > 0) system.isDone = (s) => processes.isValidEnd(s);
  const checkStep = checkStepOf(stepProperties);
  if (checkStep !== undefined) system.checkStep = checkStep;
  const inModel = inModelOf(constraints);
  if (inModel !== undefined) system.inModel = inModel;
  return system;
}

/**
 * The `runEach` of an action (compileSpec's stepsOf): its parameter loops again around the
 * same compiled body, each binding run on its own, so a binding that fails does not stop the
 * next. Writes of a failed step may not have been undone, so the state is restored from a
 * copy taken before it. Apart from the search's `run`, which pays nothing for it.
 */
function runEachOf(cc: Compiler, a: CheckedAction, body: Cont, self: () => CompiledAction): (c: Ctx, fault: (error: ModelError) => void) => void {
  const n = a.params.length;
  // Compiled on first use, so that a check, which never lists steps this way, pays nothing.
  let domains: ((c: Ctx) => readonly Value[])[] | undefined;
  const compileDomains = (): ((c: Ctx) => readonly Value[])[] =>
    a.params.map((p, i) => {
      if (p.domain.k === 'type') {
        const decl = a.decl.params[i]!;
        const values = cc.enumerate(p.domain.type, decl.kind === 'typed' ? decl.type.span : a.decl.name.span, `the type of parameter '${p.name}'`);
        return (): readonly Value[] => values;
      }
      const dom = cc.expr(p.domain.expr);
      return (c: Ctx): readonly Value[] => sortedElements(dom(c) as ISet<Value>);
    });
  /** How many parameters are bound: a label names only those. */
  let bound = 0;
  const label = (c: Ctx): Label => ({ action: a.name, params: self().paramNames.slice(0, bound).map((name, i) => ({ name, value: c.loc[i]! })) });
  return (c, fault) => {
    domains ??= compileDomains();
    const ds = domains;
    const saved = c.st.slice();
    bound = 0;
    const attempt = (run: () => void): void => {
      try {
        run();
      } catch (thrown) {
        const err = stepOverflow(thrown, a.decl.name.span, `the statements of '${a.name}'`);
        if (!(err instanceof ModelError)) throw err;
        if (err.label === undefined) err.label = label(c);
        c.st = saved.slice();
        fault(err);
      }
    };
    const bind = (i: number): void => {
      if (i === n) {
        body(c);
        return;
      }
      // A domain that fails to evaluate fails every binding under it, labelled with the
      // parameters bound so far.
      bound = i;
      const values = ds[i]!(c);
      for (const v of values) {
        pollInterrupt();
        c.loc[i] = v;
        bound = i + 1;
        if (i === n - 1) attempt(() => body(c));
        else bind(i + 1);
      }
    };
    attempt(() => bind(0));
  };
}

/**
 * explainStep for compileSpec. Each action is compiled again on first use, with `require`s
 * that record why they stopped the step and parameters fixed to the label's values, which
 * are checked against their domains instead of enumerated.
 */
export function explainer(cc: Compiler, spec: CheckedSpec): (state: State, label: Label) => StepExplanation {
  interface Explaining {
    readonly action: CheckedAction;
    readonly body: Cont;
    /** Per parameter: the set it ranges over in this context, or a membership test of its type. */
    readonly domains: ((c: Ctx) => ISet<Value> | ((v: Value) => boolean))[];
    readonly sink: { rejected: RequireSite[]; successors: State[] };
  }
  const compiled = new Map<string, Explaining>();
  const compile = (action: CheckedAction): Explaining => {
    const sink = { rejected: [] as RequireSite[], successors: [] as State[] };
    cc.explainSink = sink;
    try {
      const body = cc.stmts(action.decl.body, (c) => {
        sink.successors.push(c.st.slice());
      });
      const domains = action.params.map((p): ((c: Ctx) => ISet<Value> | ((v: Value) => boolean)) => {
        if (p.domain.k === 'type') {
          const values = cc.valuesOf(p.domain.type);
          const member = (v: Value): boolean => values.some((x) => valueEquals(x, v));
          return () => member;
        }
        const dom = cc.expr(p.domain.expr);
        return (c) => dom(c) as ISet<Value>;
      });
      return { action, body, domains, sink };
    } finally {
      cc.explainSink = undefined;
    }
  };
  return (state, label) => {
    const action = named(spec.actions, label.action);
    if (!action) return { kind: 'noSuchAction' };
    let e = compiled.get(action.name);
    if (!e) compiled.set(action.name, (e = compile(action)));
    const c: Ctx = { st: state.slice(), loc: new Array<Value>(action.frameSize) };
    e.sink.rejected = [];
    e.sink.successors = [];
    try {
      // Parameters bind slots 0..n-1, and a domain may depend on the parameters before it.
      for (let i = 0; i < action.params.length; i++) {
        const p = action.params[i]!;
        const given = label.params.find((x) => x.name === p.name);
        if (!given) throw new Error(`internal error: the label of ${action.name} has no parameter '${p.name}'`);
        const dom = e.domains[i]!(c);
        if (typeof dom === 'function' ? !dom(given.value) : !dom.has(given.value)) {
          const decl = action.decl.params[i]!;
          if (decl.kind === 'typed') return { kind: 'outsideDomain', param: p.name, domain: decl.type.span };
          return { kind: 'outsideDomain', param: p.name, domain: decl.domain.span, domainValue: dom as ISet<Value> };
        }
        c.loc[i] = given.value;
      }
      return explainRun(() => e.body(c), e.sink, label);
    } catch (err) {
      if (!(err instanceof ModelError)) throw err;
      if (err.label === undefined) err.label = label;
      return { kind: 'fault', error: err };
    }
  };
}

/**
 * Runs one step compiled for explanation and says what it did: its successors, the first
 * `require`/`await` that stopped it, or the fault it raised (labelled with the step).
 */
export function explainRun(
  run: () => void,
  sink: { readonly successors: State[]; readonly rejected: RequireSite[] },
  label: Label,
): StepExplanation {
  try {
    run();
  } catch (err) {
    if (!(err instanceof ModelError)) throw err;
    if (err.label === undefined) err.label = label;
    return { kind: 'fault', error: err };
  }
  const { successors, rejected } = sink;
  if (successors.length === 0 && rejected.length > 0) return { kind: 'rejected', require: rejected[0]! };
  return { kind: 'enabled', successors };
}

/** Runs one evaluation with its own work count (src/lang/work.ts), then gives back the count of the one around it. */
function withOwnWork<T>(f: () => T): T {
  const outer = evalWork.n;
  evalWork.n = 0;
  const r = f();
  evalWork.n = outer;
  return r;
}
