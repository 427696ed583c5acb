/**
 * What the compiler works with (states, labels, contexts, closures, the compiled spec) and the
 * compiler's shared state: its side tables, constants, and the process being compiled.
 */
import type { StepCounters } from '../coverage.js';
import type * as A from '../ast.js';
import type { CheckedSpec, Resolution } from '../check.js';
import type { EnumInfo, Type } from '../types.js';
import { Processes, type ProcessContext } from '../process.js';
import type { Code } from '../diagnostics.js';
import { ModelError, type TransitionSystem } from '../../explore/system.js';
import type { ValueTables } from '../value-codec.js';
import type { PropertyInstance } from '../compile-temporal.js';
import { Atom, Variant, type ISet, type Value } from '../../values/index.js';
import type { StepProperty, CompiledConstraint } from './spec.js';

/** A state: the value of every state variable, in declaration order. */
export type State = Value[];

/** What a step of a trace was: the action and its parameter values. */
export interface Label {
  /** The action, or the process. */
  readonly action: string;
  /** The action's parameters, or the process instance's parameter. */
  readonly params: readonly { readonly name: string; readonly value: Value }[];
  /** For a process step: the label the step starts at. */
  readonly at?: string;
}

/** Where a run-time error or a failed assert happened. */
export interface RuntimeLocation {
  readonly code: Code | 'assert';
  readonly span: A.Span;
  readonly hint?: string;
  /** Set when the error happened while evaluating this invariant. */
  readonly invariant?: string;
  /** Set when it happened in another predicate: e.g. `constraint 'Bound'`, `step property 'Grows'`. */
  readonly predicate?: string;
}

export interface Ctx {
  st: Value[];
  loc: Value[];
  /** In a step predicate, the state after the step (st is the state before). */
  nx?: Value[];
}

export type Ev = (c: Ctx) => Value;
export type Cont = (c: Ctx) => void;

export function fail(code: Code, span: A.Span, message: string, hint?: string): never {
  const loc: RuntimeLocation = hint === undefined ? { code, span } : { code, span, hint };
  throw new ModelError('runtime', message, loc);
}

/**
 * `err` as E716 at `span` when it is the engine running out of stack in a step (`what`: the
 * statements of an action or process step, nested one call each, so that a very long one
 * exhausts the stack without any loop), else `err` itself. The loops report their own E716
 * first (statements.ts); this is for the rest.
 */
export function stepOverflow(err: unknown, span: A.Span, what: string): unknown {
  if (!(err instanceof RangeError && /call stack/.test(err.message))) return err;
  return new ModelError('runtime', `step nested too deep: ${what} nested so deep that they exhausted the stack`, {
    code: 'E716',
    span,
    hint: 'make the step smaller: spread its statements over several steps (labels of a process, or several actions)',
  });
}

export interface CompiledSpec extends TransitionSystem<State, Label> {
  /** The names of the state's slots: the variables, then each process instance's pc and variables. */
  readonly varNames: readonly string[];
  /**
   * The slots after the variables: per process instance its pc (`Offline(m=C).pc`, an enum of
   * its labels and `done`) and its variables (`Offline(m=C).busy`), with their types.
   */
  readonly processSlots: readonly { readonly name: string; readonly type: Type }[];
  /**
   * Each process instance's block of slots (its pc, its variables, its call stack), in state
   * order: which process, the instance parameter's type and value (none for a process without
   * one), the first slot and how many. Symmetry reduction permutes the blocks of instances
   * whose parameter is a symmetric value (src/lang/symmetry.ts).
   */
  readonly processBlocks: readonly ProcessBlock[];
  /** Where each invariant's (and step property's) predicate is written, for reports. */
  readonly invariantSpans: ReadonlyMap<string, A.Span>;
  /** The `always step` properties; `checkStep` (set when there are any) checks them. */
  readonly stepProperties: readonly StepProperty[];
  /** The constraints in force (the spec's, then the check's); `inModel` (set when any) checks them. */
  readonly constraints: readonly CompiledConstraint[];
  readonly constValues: readonly { name: string; value: Value }[];
  /** The spec's `view` declarations; `value` may throw a ModelError like any expression. */
  readonly views: readonly CompiledView[];
  /** The temporal properties, one instance per binding of their quantifiers. */
  readonly properties: readonly PropertyInstance[];
  /** The fair actions (by label name), true for strong fairness. */
  readonly fairness: ReadonlyMap<string, boolean>;
  /**
   * What one action binding does in `state`: its successors, or why it has none (for
   * `spex replay`). Compiled on first use, apart from the closures of `successors`, which do
   * no extra work for it.
   */
  explainStep(state: State, label: Label): StepExplanation;
  /**
   * Every step from `state`, as `successors` emits them and in the same order, except that a
   * step that fails (a failed assert or a run-time error, labelled with its action binding or
   * process instance) goes to `fault` and the enumeration goes on with the next binding or
   * instance, where `successors` would stop. For `spex explore`, which lists every step.
   */
  stepsOf(state: State, emit: (next: State, label: Label) => void, fault: (error: ModelError) => void): void;
  /** The type of every slot of the state (varNames' order), for the state codec. */
  readonly slotTypes: readonly Type[];
  /** The interned atoms, record field arrays and plain variants, for the state codec. */
  readonly valueTables: ValueTables;
  /**
   * Compiles one more expression of the spec (checked with it, e.g. an import's mapping) into
   * a function of the state; `frameSize` is the local slots its checking gave it.
   */
  compileExpr(e: A.Expr, frameSize: number): (state: State) => Value;
  /** The step counters (src/lang/coverage.ts): which steps ever emit, and with `--coverage` every count. */
  readonly coverage: StepCounters;
}

/** One process instance's slots in the state (CompiledSpec.processBlocks). */
export interface ProcessBlock {
  readonly process: string;
  readonly param: Type | undefined;
  readonly value: Value | undefined;
  readonly base: number;
  readonly width: number;
}

/** A `view` declaration, compiled: its static type decides how reports draw it. */
export interface CompiledView {
  readonly name: string;
  readonly type: Type;
  value(state: State): Value;
}

/** A `require` statement: where it is, and where its condition is. */
export interface RequireSite {
  readonly span: A.Span;
  readonly cond: A.Span;
  /** The keyword, when it is not `require`. */
  readonly keyword?: 'await' | 'pick';
}

/** What one action binding (an action and its parameter values) does in a state. */
export type StepExplanation =
  /** Every successor the binding produces (several when it picks); [] only if nothing blocked it. */
  | { readonly kind: 'enabled'; readonly successors: State[] }
  /** No successor: the first `require` found false, in evaluation order. */
  | { readonly kind: 'rejected'; readonly require: RequireSite }
  /** A process step, but the instance's pc is not at the step's label (`pc`: where it is). */
  | { readonly kind: 'elsewhere'; readonly pc: string }
  /**
   * A parameter's value lies outside its domain here: its type, or the set after `in`
   * (`domainValue`: that set's value in this state).
   */
  | { readonly kind: 'outsideDomain'; readonly param: string; readonly domain: A.Span; readonly domainValue?: Value }
  | { readonly kind: 'noSuchAction' }
  /** The step fails: a failed assert or a run-time error, labelled with the binding. */
  | { readonly kind: 'fault'; readonly error: ModelError };

/**
 * A definition as the compiler keeps it: its body (compiled at its first call), its frame, and
 * how every call runs the body on the call's frame: the body itself, or through its memo
 * (ExprCompiler.defCall, memoBody).
 */
export interface DefEntry {
  body: Ev | undefined;
  readonly frame: number;
  readonly recursive: boolean;
  run: (c: Ctx, loc: Value[]) => Value;
}

export abstract class CompilerBase {
  abstract checkRange(t: Type, v: Value, span: A.Span, what: string): void;
  abstract expr(e: A.Expr): Ev;

  /**
   * Set only while compiling for explainStep: a `require` whose condition is false then
   * records itself here. Read at compile time, so the closures of the search never see it.
   */
  explainSink: { rejected: RequireSite[] } | undefined;
  protected readonly atoms = new Map<EnumInfo, Atom[]>();
  protected readonly fieldArrays = new Map<string, readonly string[]>();
  readonly consts: Value[] = [];
  protected constCtx: Ctx;
  /** The process instance whose steps are being compiled (labels, goto, its variables). */
  proc: ProcessContext | undefined;
  /** The processes' instances and state slots, for `P(i) at L`. */
  processes: Processes | undefined;

  /**
   * `known`: the constants' values, already evaluated with the same overrides by another
   * compiler of this spec (the packed engine's build compiles the spec again after the generic
   * engine has; a constant such as a choose over maps(K, subsets(K)) costs seconds).
   */
  constructor(
    readonly spec: CheckedSpec,
    overrides: ReadonlyMap<number, A.Expr>,
    known?: readonly Value[],
  ) {
    for (const info of spec.enums) this.atoms.set(info, info.members.map((m, i) => new Atom(info.name, m, i)));
    this.constCtx = { st: [], loc: new Array<Value>(spec.constFrame) };
    if (known !== undefined) {
      if (known.length !== spec.consts.length) throw new Error('internal error: constant values out of step with the spec');
      this.consts.push(...known);
      return;
    }
    for (const c of spec.consts) {
      const e = overrides.get(c.index) ?? c.decl.value;
      const v = this.expr(e)(this.constCtx);
      this.checkRange(c.type, v, e.span, `constant '${c.name}'`);
      this.consts.push(v);
    }
  }

  /** Bounds of a range type, evaluated once per range (they are constant). */
  protected readonly ranges = new Map<object, [number, number]>();
  protected readonly plainCases = new Map<string, Variant>();
  /**
   * A type's values as a set, one set object per type, built on first use: every mention of
   * a type name is then the same object, so comparing two of them, or a map's key set made
   * over one with another (`keys(m) == T`), is immediate.
   */
  protected readonly typeSets = new Map<Type, ISet<Value>>();
  res(node: object): Resolution {
    const r = this.spec.res.get(node);
    if (!r) throw new Error('internal error: unresolved node');
    return r;
  }

  slot(node: object): number {
    const s = this.spec.slots.get(node);
    if (s === undefined) throw new Error('internal error: no slot for a binder');
    return s;
  }

  type(e: A.Expr): Type {
    return this.spec.types.get(e) ?? { k: 'any' };
  }

  /** Per definition: its compiled body, and how its calls run it (DefEntry). */
  protected defBodies = new Map<string, DefEntry>();
  /** Definition bodies waiting to be compiled, and whether a call is compiling them (defCall). */
  protected readonly defsToCompile: [A.Expr, { body: Ev | undefined }][] = [];
  protected compilingDefs = false;
  /** How many calls of recursive definitions are under way (E709 beyond MAX_DEF_DEPTH). */
  protected defDepth = 0;
  /** The deepest defDepth since a memoised definition's body started (memoBody). */
  protected defPeak = 0;
  /** What the memos of state-free definitions hold (memoBody, MEMO_WEIGHT). */
  protected memoWeight = 0;
  /** How many `for` loops are under way, the continuations of earlier ones included (E716). */
  protected forDepth = 0;
  /** How many elements of `for` loops nest their bodies (the step's continuation) right now (E716 beyond MAX_FOR_NESTING). */
  protected forNesting = 0;
}
