/**
 * What static checking produces: what names resolve to, and the checked spec (its constants,
 * variables, actions, processes, procedures, properties and checks) that the compiler reads.
 */
import type * as A from '../ast.js';
import type { Diagnostic } from '../diagnostics.js';
import type { EnumInfo, Type, VariantInfo } from '../types.js';
import type { CheckedShow } from '../show.js';

export type Resolution =
  | { k: 'var'; index: number; type: Type }
  | { k: 'const'; index: number; type: Type }
  | { k: 'local'; slot: number; type: Type }
  | { k: 'atom'; info: EnumInfo; index: number }
  | { k: 'case'; info: VariantInfo; tagIndex: number }
  /** A type name used as a value: the set of all its values. */
  | { k: 'typeSet'; type: Type }
  | { k: 'def'; def: CheckedDef }
  | { k: 'builtin'; name: Builtin }
  /** A variable of the process being checked: one per instance, kept in the state. */
  | { k: 'plocal'; proc: CheckedProcess; index: number; type: Type }
  /** The process and label of a `P(i) at L` expression (label: labels.length for `done`). */
  | { k: 'process'; proc: CheckedProcess; label: number; labels?: number[] }
  /** `P(i).x` (or `P.x`): variable `index` of an instance of P, read from anywhere (on the field node). */
  | { k: 'pvar'; proc: CheckedProcess; index: number; type: Type }
  /** A parameter or variable of the procedure being checked: field `index` of the top frame of the call stack. */
  | { k: 'frame'; proc: CheckedProcedure; index: number; type: Type }
  /** `x'` in a step predicate: state variable x after the step. */
  | { k: 'next'; index: number; type: Type };

export const BUILTINS = [
  'size', 'min', 'max', 'abs', 'keys', 'values', 'len', 'head', 'tail', 'append', 'concat',
  'put', 'remove', 'unwrap', 'slice', 'insertAt', 'removeAt', 'subsets', 'maps',
] as const;
export type Builtin = (typeof BUILTINS)[number];

export interface CheckedDef {
  readonly name: string;
  readonly decl: Extract<A.Decl, { kind: 'def' }>;
  readonly paramTypes: Type[];
  readonly result: Type;
  /** Local slots the body needs (its parameters first). */
  frameSize: number;
  /** Whether it calls itself, directly or through other definitions (only with parameters). */
  recursive?: boolean;
  /**
   * Whether its value depends on its arguments alone: its body, and every definition it calls,
   * reads no state (no state or process variable, no `P at L`). The generic engine keeps the
   * values of such definitions (src/lang/compile/expressions.ts, memoBody).
   */
  stateFree?: boolean;
}

export interface CheckedVar {
  readonly name: string;
  readonly index: number;
  readonly type: Type;
  readonly decl: Extract<A.Decl, { kind: 'var' }>;
}

export interface CheckedConst {
  readonly name: string;
  readonly index: number;
  readonly type: Type;
  readonly decl: Extract<A.Decl, { kind: 'const' }>;
}

export interface CheckedParam {
  readonly name: string;
  readonly type: Type;
  /** A typed parameter ranges over its type; a ranged one over an expression's value. */
  readonly domain: { k: 'type'; type: Type } | { k: 'expr'; expr: A.Expr };
}

export interface CheckedAction {
  readonly name: string;
  readonly decl: Extract<A.Decl, { kind: 'action' }>;
  readonly params: CheckedParam[];
  frameSize: number;
}

export interface CheckedProcess {
  readonly name: string;
  readonly decl: Extract<A.Decl, { kind: 'process' }>;
  /** The instance parameter: one instance per value of its domain; none, a single instance. */
  readonly param: CheckedParam | undefined;
  readonly locals: { readonly name: string; readonly type: Type; readonly decl: A.ProcessVarDecl }[];
  /** The labels in the order written; the pc of an instance that has run to its end is `done`. */
  readonly labels: string[];
  /** The labels written `end L:`: an instance blocked at one is a valid end state, not a deadlock. */
  readonly endLabels: string[];
  /** Local slots of a step (slot 0: the instance parameter, if any). */
  frameSize: number;
  /** Local slots for the initial values of the process variables (slot 0: the parameter). */
  initFrameSize: number;
  /** The procedures its steps may call, directly or through other procedures, in declaration order. */
  procedures: CheckedProcedure[];
}

/**
 * A procedure: its frame (on the call stack of the calling instance) holds its parameters,
 * then its variables, then the return point.
 */
export interface CheckedProcedure {
  readonly name: string;
  readonly decl: Extract<A.Decl, { kind: 'procedure' }>;
  readonly params: { readonly name: string; readonly type: Type }[];
  readonly locals: { readonly name: string; readonly type: Type; readonly decl: A.ProcessVarDecl }[];
  readonly labels: string[];
  readonly endLabels: string[];
  /** The procedures its body calls, by name. */
  readonly calls: string[];
  /** Local slots of a step (a procedure's parameters and variables live in its frame, not here). */
  frameSize: number;
  /** Local slots for the initial values of its variables (slots 0..: the parameters). */
  initFrameSize: number;
}

export interface CheckedBody {
  readonly name: string;
  readonly expr: A.Expr;
  frameSize: number;
}

/** A `property` declaration, checked; compile.ts makes one instance per binding of its binders. */
export interface CheckedProperty {
  readonly name: string;
  readonly decl: Extract<A.Decl, { kind: 'property' }>;
  /** The quantifier binders, outermost first: their domains are constant expressions. */
  readonly binders: { readonly name: string; readonly slot: number; readonly domain: A.Expr }[];
  /** Local slots the predicates need (the binders first). */
  readonly frameSize: number;
}

/** `fair action A` / `strong fair action A`: the fairness of every binding of A's parameters. */
export interface CheckedFairness {
  /** The name that steps carry in their labels (an action's name; a process's, later). */
  readonly name: string;
  readonly strong: boolean;
  readonly decl: Extract<A.Decl, { kind: 'fairness' }>;
  /**
   * `fair { A, B, P }`: the label names of the group, fair as one disjunction (one unit for all
   * their bindings); `fair next`: 'all', every step. Undefined for per-binding fairness.
   */
  readonly members?: readonly string[] | 'all';
}

export interface CheckedCheck {
  readonly name: string;
  readonly decl: Extract<A.Decl, { kind: 'check' }>;
  readonly overrides: { index: number; value: A.Expr }[];
  /** Fairness declared in the check block, on top of the spec's. */
  readonly fairness: CheckedFairness[];
  /** Constraints declared in the check block, on top of the spec's. */
  readonly constraints: CheckedConstraint[];
  /** The imports this check alone verifies a refinement of (`refines Name` items). */
  readonly refines?: CheckedImport[];
  /** The check's own `symmetry` items, which replace the spec's; undefined: the spec's apply. */
  readonly symmetry?: CheckedSymmetry[];
  /** `show NAME` items: shown in this check's traces, after the spec's. */
  shows?: CheckedShow[];
}

/**
 * One symmetric set of a `symmetry` declaration (docs/symmetry.md): the values of `type` (an
 * enum type, or a range type alias, by identity) are interchangeable, all of them, or those in
 * the value of the constant `constIndex` (a constant set).
 */
export interface CheckedSymmetry {
  readonly name: A.Name;
  readonly type: Type;
  readonly constIndex?: number;
}

/**
 * `import Name from "file" with { ... }`, checked in this spec alone: each mapping expression
 * is typed in a scope where the state may be read. Which names of the other spec it maps, and
 * whether their types agree, is settled when the files are linked (src/lang/imports.ts), which
 * sets `linked`.
 */
export interface CheckedImport {
  readonly name: string;
  readonly decl: Extract<A.Decl, { kind: 'import' }>;
  readonly mappings: { readonly name: A.Name; readonly value: A.Expr; readonly type: Type; readonly frameSize: number }[];
  /** The imported spec, once linked, and per variable and constant of it what gives its value. */
  linked?: LinkedImport;
}

export interface LinkedImport {
  readonly spec: CheckedSpec;
  /** Per variable of the imported spec, in its order: the expression of this spec that maps it. */
  readonly vars: { readonly value: A.Expr; readonly frameSize: number }[];
  /**
   * Per constant of the imported spec: an expression of this spec (a constant one) that gives
   * its value, or undefined to keep the imported spec's own value.
   */
  readonly consts: ({ readonly value: A.Expr; readonly frameSize: number } | undefined)[];
}

/**
 * A `constraint` (a state predicate) or an `action constraint` (a step predicate, `action`):
 * TLC's CONSTRAINT and ACTION_CONSTRAINT.
 */
export interface CheckedConstraint extends CheckedBody {
  readonly action: boolean;
}

export interface CheckedSpec {
  readonly ast: A.SpecAst;
  readonly name: string;
  readonly consts: CheckedConst[];
  readonly vars: CheckedVar[];
  readonly defs: CheckedDef[];
  readonly init: { stmts: A.Stmt[]; frameSize: number };
  readonly actions: CheckedAction[];
  /** The processes, in declaration order. */
  readonly processes: CheckedProcess[];
  /** The procedures, in declaration order. */
  readonly procedures: CheckedProcedure[];
  readonly invariants: CheckedBody[];
  /** `always step` properties: Bool step predicates over every non-stuttering step. */
  readonly stepProperties: CheckedBody[];
  /** The spec's own constraints (a check block may add its own). */
  readonly constraints: CheckedConstraint[];
  /** `view` declarations: expressions of any type, drawn by reports. */
  readonly views: CheckedBody[];
  /** `show NAME` declarations: definitions and views printed in every state of a trace. */
  readonly shows?: CheckedShow[];
  readonly properties: CheckedProperty[];
  readonly fairness: CheckedFairness[];
  readonly checks: CheckedCheck[];
  /** Static warnings (W codes): the spec runs, but probably not as meant. */
  readonly warnings: readonly Diagnostic[];
  /** `import` declarations, in order. */
  readonly imports?: CheckedImport[];
  /** The top-level `symmetry` declarations' sets (a check's own replace them). */
  readonly symmetry?: CheckedSymmetry[];
  /** The imports every check verifies a refinement of (top-level `refines Name`). */
  readonly refines?: CheckedImport[];
  readonly enums: EnumInfo[];
  /** Resolution of every name expression, call, pattern and lvalue root. */
  readonly res: Map<object, Resolution>;
  /** The type of every expression. */
  readonly types: Map<A.Expr, Type>;
  /** Slot bound by each binder, let, pick, for and payload pattern. */
  readonly slots: Map<object, number>;
  /** Frame sizes of constant expressions (const values, overrides, range bounds). */
  constFrame: number;
  /** Checks a command-line override of the constant at `index`, in the global scope. */
  readonly checkExtra: (e: A.Expr, index: number, what: string) => void;
  /**
   * Checks one more state predicate in the spec's scope, as an invariant's body: a Bool over
   * the state (`spex explore`'s search). Returns the local slots it needs; throws SpecErrors.
   */
  readonly checkStatePredicate: (e: A.Expr, what: string) => number;
}
