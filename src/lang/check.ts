/**
 * Static checking: resolves every name, types every expression and statement, and collects
 * every mistake as a Diagnostic before any state is explored. The result annotates the AST
 * (resolutions and types in side tables keyed by node) for the compiler.
 */
import type * as A from './ast.js';
import { Diagnostic, SpecErrors, TYPE_AS_SET_HINT, didYouMean, type Code } from './diagnostics.js';
import { DONE, checkCallShape, checkProcessShape, procedureCalls, processEndLabels, processLabels, stepLabels } from './process-shape.js';
import {
  ANY, BOOL, INT, compatible, formatType, isOption, join, optionType,
  type EnumInfo, type Type, type VariantInfo,
} from './types.js';

// ---------------------------------------------------------------- what names resolve to

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

/** A type as the spec writes it (a range alias stays `Res`, not `Int`), for messages. */
function typeText(t: A.TypeExpr): string {
  const sp = t.span;
  return sp.source.text.slice(sp.start, sp.end).replace(/\s+/g, ' ');
}

export interface CheckedDef {
  readonly name: string;
  readonly decl: Extract<A.Decl, { kind: 'def' }>;
  readonly paramTypes: Type[];
  readonly result: Type;
  /** Local slots the body needs (its parameters first). */
  frameSize: number;
  /** Whether it calls itself, directly or through other definitions (only with parameters). */
  recursive?: boolean;
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
  readonly properties: CheckedProperty[];
  readonly fairness: CheckedFairness[];
  readonly checks: CheckedCheck[];
  /** `import` declarations, in order. */
  readonly imports?: CheckedImport[];
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
}

// ---------------------------------------------------------------- scopes

interface Local {
  readonly slot: number;
  readonly type: Type;
}

class Scope {
  private readonly names = new Map<string, Local>();
  constructor(readonly parent: Scope | undefined, readonly frame: Frame) {}
  lookup(name: string): Local | undefined {
    return this.names.get(name) ?? this.parent?.lookup(name);
  }
  bind(name: string, type: Type): number {
    const slot = this.frame.size++;
    this.names.set(name, { slot, type });
    return slot;
  }
  child(): Scope {
    return new Scope(this, this.frame);
  }
  allNames(): string[] {
    return [...this.names.keys(), ...(this.parent?.allNames() ?? [])];
  }
}

interface Frame {
  size: number;
  /** Whether state variables may be read here (not in constant expressions). */
  readonly stateful: boolean;
  /** A step predicate: primed names (the values after the step) may be read too. */
  readonly step?: boolean;
}

type Global =
  | { k: 'const'; c: CheckedConst }
  | { k: 'var'; v: CheckedVar }
  | { k: 'type'; decl: A.Decl; type?: Type }
  | { k: 'atom'; info: EnumInfo; index: number }
  | { k: 'case'; info: VariantInfo; tagIndex: number }
  | { k: 'def'; d: CheckedDef }
  | { k: 'action' }
  | { k: 'process'; p: CheckedProcess }
  | { k: 'procedure'; p: CheckedProcedure }
  | { k: 'invariant' }
  | { k: 'property' }
  | { k: 'import'; imp: CheckedImport }
  | { k: 'stepProperty' };

/** A Map, not an object: names such as `constructor` must not find Object.prototype's properties. */
const BUILTIN_TYPES = new Map<string, Type>([
  ['Int', INT],
  ['Bool', BOOL],
]);

/** What a statement list belongs to. */
type Where = 'init' | 'action' | 'process';

// ---------------------------------------------------------------- the checker

class Checker {
  readonly diags: Diagnostic[] = [];
  readonly globals = new Map<string, Global>();
  readonly res = new Map<object, Resolution>();
  readonly types = new Map<A.Expr, Type>();
  readonly slots = new Map<object, number>();
  readonly constFrame: Frame = { size: 0, stateful: false };
  private resolving = new Set<string>();
  private readonly defDeps = new Map<string, Set<string>>();
  private currentDef: string | undefined;
  /**
   * Expressions that must be constant (constant values, initial values, range bounds,
   * overrides). A direct read of a state variable is caught where the name is resolved; a
   * read through a definition can only be seen once every definition is checked.
   */
  private constantExprs: A.Expr[] | undefined = [];
  /** The process whose body is being checked, and the scope each of its steps starts in. */
  private currentProcess: { p: CheckedProcess; base: Scope; stepNames: Set<string>; procedure?: CheckedProcedure } | undefined;
  private readonly processes: CheckedProcess[] = [];
  private readonly procedures: CheckedProcedure[] = [];
  private readonly imports: CheckedImport[] = [];

  constructor(readonly ast: A.SpecAst) {}

  error(code: Code, span: A.Span | undefined, message: string, hint?: string): void {
    this.diags.push(new Diagnostic(code, span, message, hint));
  }

  // ---- declarations

  run(): CheckedSpec {
    const consts: CheckedConst[] = [];
    const vars: CheckedVar[] = [];
    const defs: CheckedDef[] = [];
    const enums: EnumInfo[] = [];
    const actions: CheckedAction[] = [];
    const invariants: CheckedBody[] = [];
    const views: CheckedBody[] = [];
    const stepProperties: CheckedBody[] = [];
    const constraints: CheckedConstraint[] = [];
    const checks: CheckedCheck[] = [];
    let init: { stmts: A.Stmt[]; frameSize: number } | undefined;
    let initDecl: Extract<A.Decl, { kind: 'init' }> | undefined;

    // Pass 1: declare every global name, so that declarations may refer to later ones.
    for (const d of this.ast.decls) {
      switch (d.kind) {
        case 'enum': {
          const info: EnumInfo = { name: d.name.text, members: d.members.map((m) => m.text) };
          enums.push(info);
          this.declare(d.name, { k: 'type', decl: d, type: { k: 'enum', info } });
          d.members.forEach((m, i) => this.declare(m, { k: 'atom', info, index: i }));
          break;
        }
        case 'variant':
        case 'typeAlias':
          if (BUILTIN_TYPES.has(d.name.text) || ['Set', 'Map', 'Seq', 'Option'].includes(d.name.text)) {
            this.error('E203', d.name.span, `'${d.name.text}' is a built-in type and cannot be redeclared`);
            break;
          }
          this.declare(d.name, { k: 'type', decl: d });
          if (d.kind === 'variant') {
            // Cases are declared now so that they can be used before the type is resolved.
            const info: VariantInfo = { name: d.name.text, cases: [] };
            const g = this.globals.get(d.name.text);
            if (g && g.k === 'type' && g.decl === d) g.type = { k: 'variant', info };
            d.cases.forEach((c, i) => this.declare(c.name, { k: 'case', info, tagIndex: i }));
          }
          break;
        case 'const': {
          const c: CheckedConst = { name: d.name.text, index: consts.length, type: ANY, decl: d };
          consts.push(c);
          this.declare(d.name, { k: 'const', c });
          break;
        }
        case 'var': {
          const v: CheckedVar = { name: d.name.text, index: vars.length, type: ANY, decl: d };
          vars.push(v);
          this.declare(d.name, { k: 'var', v });
          break;
        }
        case 'def': {
          const def: CheckedDef = { name: d.name.text, decl: d, paramTypes: [], result: ANY, frameSize: 0 };
          defs.push(def);
          this.declare(d.name, { k: 'def', d: def });
          break;
        }
        case 'action':
          this.declare(d.name, { k: 'action' });
          break;
        case 'process': {
          const p: CheckedProcess = {
            name: d.name.text,
            decl: d,
            param: undefined,
            locals: [],
            labels: processLabels(d.body).map((l) => l.text),
            endLabels: processEndLabels(d.body),
            frameSize: 0,
            initFrameSize: 0,
            procedures: [],
          };
          this.processes.push(p);
          this.declare(d.name, { k: 'process', p });
          break;
        }
        case 'procedure': {
          const p: CheckedProcedure = {
            name: d.name.text,
            decl: d,
            params: [],
            locals: [],
            labels: processLabels(d.body).map((l) => l.text),
            endLabels: processEndLabels(d.body),
            calls: procedureCalls(d.body),
            frameSize: 0,
            initFrameSize: 0,
          };
          this.procedures.push(p);
          this.declare(d.name, { k: 'procedure', p });
          break;
        }
        case 'invariant':
          this.declare(d.name, { k: 'invariant' });
          break;
        case 'stepProperty':
          this.declare(d.name, { k: 'stepProperty' });
          break;
        case 'constraint':
          break;
        case 'property':
          this.declare(d.name, { k: 'property' });
          break;
        case 'import': {
          const imp: CheckedImport = { name: d.name.text, decl: d, mappings: [] };
          this.imports.push(imp);
          this.declare(d.name, { k: 'import', imp });
          break;
        }
        case 'refines':
        case 'fairness':
          break;
        case 'init':
          if (initDecl) this.error('E203', d.span, 'a spec has one init block', 'merge the two init blocks');
          initDecl ??= d;
          break;
        case 'check':
        case 'view':
          break;
      }
    }

    // Pass 2: resolve types of declarations (types first, then consts, vars, def signatures).
    for (const d of this.ast.decls) {
      if ((d.kind === 'variant' || d.kind === 'typeAlias') && this.globals.get(d.name.text)?.k === 'type') {
        this.resolveNamedType(d.name.text, d.name.span);
      }
    }
    for (const c of consts) (c as { type: Type }).type = this.resolveType(c.decl.type, false);
    for (const v of vars) (v as { type: Type }).type = this.resolveType(v.decl.type, true);
    for (const p of this.processes) this.processSignature(p);
    for (const p of this.procedures) this.procedureSignature(p);
    for (const p of this.processes) this.reachableProcedures(p);
    for (const def of defs) {
      (def as { paramTypes: Type[] }).paramTypes = def.decl.params.map((p) => this.resolveType(p.type, true));
      (def as { result: Type }).result = this.resolveType(def.decl.result, true);
    }

    // Pass 3: bodies.
    for (const c of consts) {
      const t = this.expr(c.decl.value, new Scope(undefined, this.constFrame));
      this.expectType(c.decl.value, c.type, t, `constant '${c.name}'`);
      this.noForwardConst(c.decl.value, c.index);
      this.mustBeConstant(c.decl.value);
      // The constant's value is range-checked when it is evaluated, so the bounds of its
      // type must be known by then.
      for (const b of rangeBounds(c.type)) this.noForwardConst(b, c.index);
    }
    for (const v of vars) {
      if (v.decl.init) {
        const t = this.expr(v.decl.init, new Scope(undefined, { size: 0, stateful: false }));
        this.expectType(v.decl.init, v.type, t, `variable '${v.name}'`);
        this.mustBeConstant(v.decl.init);
      }
      if (v.decl.initIn) this.varInitialChoice(v);
    }
    for (const def of defs) {
      const frame: Frame = { size: 0, stateful: true };
      const scope = new Scope(undefined, frame);
      def.decl.params.forEach((p, i) => {
        this.slots.set(p, scope.bind(p.name.text, def.paramTypes[i]!));
      });
      this.currentDef = def.name;
      const t = this.expr(def.decl.body, scope);
      this.currentDef = undefined;
      this.expectType(def.decl.body, def.result, t, `the result of '${def.name}'`);
      def.frameSize = frame.size;
    }
    this.checkRecursion(defs);
    const pendingConstants = this.constantExprs ?? [];
    this.constantExprs = undefined;
    for (const e of pendingConstants) this.mustBeConstant(e);
    if (initDecl) {
      const frame: Frame = { size: 0, stateful: true };
      this.stmts(initDecl.body, new Scope(undefined, frame), 'init');
      init = { stmts: initDecl.body, frameSize: frame.size };
      this.checkInitialised(vars, initDecl);
    } else {
      init = { stmts: [], frameSize: 0 };
      this.checkInitialised(vars, undefined);
    }
    for (const d of this.ast.decls) {
      if (d.kind === 'action') actions.push(this.action(d));
      else if (d.kind === 'process') this.processBody(this.processes.find((p) => p.decl === d)!);
      else if (d.kind === 'procedure') this.procedureBody(this.procedures.find((p) => p.decl === d)!);
      else if (d.kind === 'invariant') {
        const frame: Frame = { size: 0, stateful: true };
        const t = this.expr(d.body, new Scope(undefined, frame));
        this.expectType(d.body, BOOL, t, `invariant '${d.name.text}'`);
        invariants.push({ name: d.name.text, expr: d.body, frameSize: frame.size });
      } else if (d.kind === 'stepProperty') {
        stepProperties.push(this.stepPredicate(d.name, d.body, `step property '${d.name.text}'`));
      } else if (d.kind === 'constraint') {
        this.constraint(d, constraints, []);
      } else if (d.kind === 'view') {
        // Views have names of their own, like check blocks; their value may be of any type.
        if (views.some((v) => v.name === d.name.text)) this.error('E203', d.name.span, `view '${d.name.text}' is declared twice`);
        const frame: Frame = { size: 0, stateful: true };
        this.expr(d.body, new Scope(undefined, frame));
        views.push({ name: d.name.text, expr: d.body, frameSize: frame.size });
      }
    }
    const properties: CheckedProperty[] = [];
    const fairness: CheckedFairness[] = [];
    for (const d of this.ast.decls) {
      if (d.kind === 'property') properties.push(this.property(d));
      else if (d.kind === 'fairness') {
        const f = this.fairness(d);
        if (f) fairness.push(f);
      }
    }
    for (const imp of this.imports) this.importMappings(imp);
    const refines: CheckedImport[] = [];
    for (const d of this.ast.decls) {
      if (d.kind !== 'refines') continue;
      const imp = this.refinesTarget(d);
      if (imp && refines.includes(imp)) this.error('E203', d.name.span, `'refines ${imp.name}' is declared twice`);
      else if (imp) refines.push(imp);
    }
    const checkNames = new Set<string>();
    for (const d of this.ast.decls) {
      if (d.kind !== 'check') continue;
      if (checkNames.has(d.name.text)) this.error('E203', d.name.span, `check '${d.name.text}' is declared twice`);
      checkNames.add(d.name.text);
      checks.push(this.check(d, consts, invariants, actions, properties, stepProperties, constraints));
    }
    if (this.diags.length > 0) throw new SpecErrors(this.diags);
    const spec: CheckedSpec = {
      ast: this.ast,
      name: this.ast.name.text,
      consts,
      vars,
      defs,
      init,
      actions,
      processes: this.processes,
      procedures: this.procedures,
      invariants,
      stepProperties,
      constraints,
      views,
      properties,
      fairness,
      checks,
      imports: this.imports,
      refines,
      enums,
      res: this.res,
      types: this.types,
      slots: this.slots,
      constFrame: this.constFrame.size,
      checkExtra: (e, index, what) => {
        const before = this.diags.length;
        const t = this.expr(e, new Scope(undefined, this.constFrame));
        this.expectType(e, consts[index]!.type, t, what);
        this.noForwardConst(e, index);
        this.mustBeConstant(e);
        spec.constFrame = this.constFrame.size;
        if (this.diags.length > before) throw new SpecErrors(this.diags.splice(before));
      },
    };
    return spec;
  }

  /** Types each mapping of an import in a scope where the state may be read. */
  private importMappings(imp: CheckedImport): void {
    const seen = new Set<string>();
    for (const m of imp.decl.mappings) {
      if (seen.has(m.name.text)) this.error('E203', m.name.span, `'${m.name.text}' is mapped twice in the import of ${imp.name}`);
      seen.add(m.name.text);
      const frame: Frame = { size: 0, stateful: true };
      const type = this.expr(m.value, new Scope(undefined, frame));
      imp.mappings.push({ name: m.name, value: m.value, type, frameSize: frame.size });
    }
  }

  /** The import a `refines Name` names (E201 if it names none). */
  private refinesTarget(d: Extract<A.Decl, { kind: 'refines' }>): CheckedImport | undefined {
    const g = this.globals.get(d.name.text);
    if (g?.k === 'import') return g.imp;
    const names = this.imports.map((i) => i.name);
    const hint = g
      ? `'${d.name.text}' is ${article(describe(g))}; refines names a spec brought in by 'import ${d.name.text} from "file.spex"'`
      : (didYouMean(d.name.text, names) ?? (names.length > 0 ? `the imported specs are: ${names.join(', ')}` : `import the abstract spec first: import ${d.name.text} from "file.spex"`));
    this.error('E201', d.name.span, `'${d.name.text}' is not an imported spec`, hint);
    return undefined;
  }

  private declare(name: A.Name, g: Global): void {
    if (this.globals.has(name.text) || BUILTIN_TYPES.has(name.text)) {
      this.error('E203', name.span, `'${name.text}' is declared twice`, 'rename one of the two declarations');
      return;
    }
    this.globals.set(name.text, g);
  }

  private action(d: Extract<A.Decl, { kind: 'action' }>): CheckedAction {
    const frame: Frame = { size: 0, stateful: true };
    const scope = new Scope(undefined, frame);
    const params: CheckedParam[] = [];
    const seen = new Set<string>();
    for (const p of d.params) {
      if (seen.has(p.name.text)) this.error('E203', p.name.span, `parameter '${p.name.text}' is declared twice`);
      seen.add(p.name.text);
      if (p.kind === 'typed') {
        const type = this.resolveType(p.type, true);
        if (!this.isFinite(type)) {
          this.error('E210', p.type.span, `action parameter '${p.name.text}' has the infinite type ${typeText(p.type)}`, `give it a finite type such as a range (0..N) or an enum, or write '${p.name.text} in <set>'`);
        }
        params.push({ name: p.name.text, type, domain: { k: 'type', type } });
      } else {
        // The domain is evaluated in the state; it may use earlier parameters.
        const t = this.expr(p.domain, scope);
        let elem: Type = ANY;
        if (t.k === 'set') elem = t.elem;
        else if (t.k !== 'any') this.error('E205', p.domain.span, `a parameter ranges over a set, not ${formatType(t)}`);
        params.push({ name: p.name.text, type: elem, domain: { k: 'expr', expr: p.domain } });
      }
      this.slots.set(p, scope.bind(p.name.text, params[params.length - 1]!.type));
    }
    this.stmts(d.body, scope, 'action');
    return { name: d.name.text, decl: d, params, frameSize: frame.size };
  }

  /** The instance parameter and the variables of a process (pass 2: they type `at` and reads). */
  private processSignature(p: CheckedProcess): void {
    const d = p.decl;
    const param = d.param;
    if (param) {
      let type: Type;
      let domain: CheckedParam['domain'];
      if (param.kind === 'typed') {
        type = this.resolveType(param.type, true);
        if (!this.isFinite(type)) {
          this.error('E210', param.type.span, `process parameter '${param.name.text}' has the infinite type ${typeText(param.type)}`, `give it a finite type such as a range (0..N) or an enum, or write '${param.name.text} in <set>'`);
        }
        domain = { k: 'type', type };
      } else {
        // The instances are fixed before the exploration: the domain is a constant expression.
        const t = this.expr(param.domain, new Scope(undefined, this.constFrame));
        type = ANY;
        if (t.k === 'set') type = t.elem;
        else if (t.k !== 'any') this.error('E205', param.domain.span, `a process parameter ranges over a set, not ${formatType(t)}`);
        domain = { k: 'expr', expr: param.domain };
      }
      (p as { param: CheckedParam | undefined }).param = { name: param.name.text, type, domain };
    }
    const seen = new Set<string>();
    for (const l of d.locals) {
      const n = l.name.text;
      if (seen.has(n) || n === param?.name.text) {
        this.error('E203', l.name.span, `'${n}' is declared twice in process '${p.name}'`, 'rename one of the two');
      } else if (this.globals.has(n) || BUILTIN_TYPES.has(n)) {
        this.error('E203', l.name.span, `process variable '${n}' would shadow the global '${n}'`, 'give the process variable a name of its own');
      }
      seen.add(n);
      p.locals.push({ name: n, type: this.resolveType(l.type, true), decl: l });
    }
  }

  /** The parameters and the variables of a procedure (pass 2). */
  private procedureSignature(p: CheckedProcedure): void {
    const seen = new Set<string>();
    const named = (n: A.Name): boolean => {
      if (seen.has(n.text)) {
        this.error('E203', n.span, `'${n.text}' is declared twice in procedure '${p.name}'`, 'rename one of the two');
        return false;
      }
      seen.add(n.text);
      if (n.text === 'ret') {
        this.error('E203', n.span, `'ret' is the return point in the frame of procedure '${p.name}'`, 'give the parameter or variable another name');
      } else if (this.globals.has(n.text) || BUILTIN_TYPES.has(n.text)) {
        this.error('E203', n.span, `'${n.text}' in procedure '${p.name}' would shadow the global '${n.text}'`, 'give it a name of its own');
      }
      return true;
    };
    for (const a of p.decl.params) {
      named(a.name);
      p.params.push({ name: a.name.text, type: this.resolveType(a.type, true) });
    }
    for (const l of p.decl.locals) {
      named(l.name);
      p.locals.push({ name: l.name.text, type: this.resolveType(l.type, true), decl: l });
    }
  }

  /** The shape, the variables' initial values and the steps of a procedure (pass 3). */
  private procedureBody(p: CheckedProcedure): void {
    checkProcessShape({ kind: 'process', name: p.decl.name, param: undefined, locals: p.decl.locals, body: p.decl.body, span: p.decl.span }, (code, span, message, hint) => this.error(code, span, message.replace(/process '/g, `procedure '`), hint));
    checkCallShape(p.decl.body, true, (code, span, message, hint) => this.error(code, span, message, hint));
    // Initial values of its variables: constants and the parameters.
    const initFrame: Frame = { size: 0, stateful: false };
    const initScope = new Scope(undefined, initFrame);
    for (const a of p.params) initScope.bind(a.name, a.type);
    for (const l of p.locals) {
      const init = l.decl.init;
      if (init === undefined || l.decl.choice) {
        this.error('E226', l.decl.span, `variable '${l.name}' of procedure '${p.name}' needs an initial value`, `write 'var ${l.name}: ${formatType(l.type)} = <value>' (the value may use the parameters); a procedure's variables start at one value`);
        continue;
      }
      this.expectType(init, l.type, this.expr(init, initScope), `variable '${l.name}' of procedure '${p.name}'`);
    }
    p.initFrameSize = initFrame.size;
    const frame: Frame = { size: 0, stateful: true };
    const base = new Scope(undefined, frame);
    const pseudo: CheckedProcess = {
      name: p.name,
      decl: { kind: 'process', name: p.decl.name, param: undefined, locals: [], body: p.decl.body, span: p.decl.span },
      param: undefined,
      locals: [],
      labels: p.labels,
      endLabels: p.endLabels,
      frameSize: 0,
      initFrameSize: 0,
      procedures: [],
    };
    this.currentProcess = { p: pseudo, base, stepNames: new Set(), procedure: p };
    this.stmts(p.decl.body, base, 'process');
    this.currentProcess = undefined;
    p.frameSize = frame.size;
  }

  /** A parameter or variable of the procedure being checked, by name. */
  private frameVar(n: string): Extract<Resolution, { k: 'frame' }> | undefined {
    const proc = this.currentProcess?.procedure;
    if (!proc) return undefined;
    const i = proc.params.findIndex((x) => x.name === n);
    if (i >= 0) return { k: 'frame', proc, index: i, type: proc.params[i]!.type };
    const j = proc.locals.findIndex((x) => x.name === n);
    if (j >= 0) return { k: 'frame', proc, index: proc.params.length + j, type: proc.locals[j]!.type };
    return undefined;
  }

  /** The procedures a process may call, directly or through other procedures. */
  private reachableProcedures(p: CheckedProcess): void {
    const names = new Set<string>();
    const visit = (calls: readonly string[]): void => {
      for (const n of calls) {
        const q = this.procedures.find((x) => x.name === n);
        if (!q || names.has(n)) continue;
        names.add(n);
        visit(q.calls);
      }
    };
    visit(procedureCalls(p.decl.body));
    p.procedures = this.procedures.filter((q) => names.has(q.name));
  }

  /** The shape, the variables' initial values and the steps of a process (pass 3). */
  private processBody(p: CheckedProcess): void {
    checkProcessShape(p.decl, (code, span, message, hint) => this.error(code, span, message, hint));
    checkCallShape(p.decl.body, false, (code, span, message, hint) => this.error(code, span, message, hint));
    // Initial values: constants and the instance parameter, no state.
    const initFrame: Frame = { size: 0, stateful: false };
    const initScope = new Scope(undefined, initFrame);
    if (p.param) initScope.bind(p.param.name, p.param.type);
    for (const l of p.locals) {
      const init = l.decl.init;
      if (init === undefined) {
        this.error('E226', l.decl.span, `process variable '${l.name}' of '${p.name}' has no initial value`, `write 'var ${l.name}: ${formatType(l.type)} = <value>', or 'var ${l.name}: ${formatType(l.type)} in <set>' for one initial state per element`);
        continue;
      }
      const t = this.expr(init, initScope);
      if (l.decl.choice) {
        // `var x: T in S`: S is a set of T, constants and the instance parameter only.
        if (t.k === 'set') this.expectType(init, { k: 'set', elem: l.type }, t, `the initial choices of variable '${l.name}' of process '${p.name}'`);
        else if (t.k !== 'any') this.error('E205', init.span, `'var ${l.name}: ... in S' chooses from a set, not ${formatType(t)}`, `write 'var ${l.name}: ${formatType(l.type)} = <value>' for a single initial value`);
      } else {
        this.expectType(init, l.type, t, `variable '${l.name}' of process '${p.name}'`);
      }
    }
    p.initFrameSize = initFrame.size;
    const frame: Frame = { size: 0, stateful: true };
    const base = new Scope(undefined, frame);
    if (p.param) {
      const slot = base.bind(p.param.name, p.param.type);
      this.slots.set(p.decl.param!, slot);
    }
    this.currentProcess = { p, base, stepNames: new Set() };
    this.stmts(p.decl.body, base, 'process');
    this.currentProcess = undefined;
    p.frameSize = frame.size;
  }

  /**
   * A property: its quantifiers range over constant sets (evaluated once, at compile time),
   * and its predicates are Bool expressions over the state, with the binders in scope.
   */
  private property(d: Extract<A.Decl, { kind: 'property' }>): CheckedProperty {
    const frame: Frame = { size: 0, stateful: true };
    let scope = new Scope(undefined, frame);
    const binders: { name: string; slot: number; domain: A.Expr }[] = [];
    for (const b of d.binders) {
      const dt = this.expr(b.domain, scope);
      const elem = this.elemOfSet(b.domain, dt, `'${b.name.text} in ...'`);
      const reads = stateReadIn(b.domain, this.res);
      if (reads !== undefined) {
        this.error('E216', reads.span, `a property quantifies over a constant set, but this reads the state ${reads.what}`, `the instances of property '${d.name.text}' are fixed before the exploration: quantify over a type or a constant set (forall m in Memcg: ...) and test the state inside the predicates`);
      }
      scope = scope.child();
      const slot = scope.bind(b.name.text, elem);
      this.slots.set(b, slot);
      binders.push({ name: b.name.text, slot, domain: b.domain });
    }
    const f = d.formula;
    const pred = (e: A.Expr, what: string): void => this.expectType(e, BOOL, this.expr(e, scope), what);
    if (f.kind === 'general') {
      this.temporalTree(f.tree, scope, d.name.text);
    } else if (f.kind === 'leadsTo') {
      pred(f.left, `the left side of '~>'`);
      pred(f.right, `the right side of '~>'`);
    } else {
      pred(f.body, `the predicate of property '${d.name.text}'`);
    }
    return { name: d.name.text, decl: d, binders, frameSize: frame.size };
  }

  /**
   * A general temporal formula: its state predicates are Bool, and its quantifiers range over
   * constant sets (they are expanded at compile time, like the property's outer ones).
   */
  private temporalTree(t: A.TemporalTree, scope: Scope, property: string): void {
    switch (t.kind) {
      case 'atom':
        this.expectType(t.expr, BOOL, this.expr(t.expr, scope), `a state predicate of property '${property}'`);
        return;
      case 'always':
      case 'eventually':
      case 'not':
        this.temporalTree(t.body, scope, property);
        return;
      case 'and':
      case 'or':
      case 'implies':
      case 'leadsTo':
        this.temporalTree(t.left, scope, property);
        this.temporalTree(t.right, scope, property);
        return;
      case 'forall':
      case 'exists': {
        let inner = scope;
        for (const b of t.binders) {
          const dt = this.expr(b.domain, inner);
          const elem = this.elemOfSet(b.domain, dt, `'${b.name.text} in ...'`);
          const reads = stateReadIn(b.domain, this.res);
          if (reads !== undefined) {
            this.error('E216', reads.span, `a quantifier around a temporal operator ranges over a constant set, but this reads the state ${reads.what}`, `it is expanded before the exploration: quantify over a type or a constant set, and test the state inside the predicates`);
          }
          inner = inner.child();
          this.slots.set(b, inner.bind(b.name.text, elem));
        }
        this.temporalTree(t.body, inner, property);
        return;
      }
    }
  }

  /** `fair action A` names an action, `fair process P` a process. */
  private fairness(d: Extract<A.Decl, { kind: 'fairness' }>): CheckedFairness | undefined {
    if (d.target === 'next') return { name: 'next', strong: d.strong, decl: d, members: 'all' };
    if (d.target === 'group') return this.groupFairness(d);
    const n = d.name.text;
    // Fairness units are (label action, parameter values): a process's steps carry the
    // process name as their label's action and its instance as the parameters, so both
    // forms resolve to a label name.
    const want = d.target === 'process' ? 'process' : 'action';
    const g = this.globals.get(n);
    if (!g) {
      const candidates = [...this.globals].filter(([, v]) => v.k === want).map(([k]) => k);
      this.error('E201', d.name.span, `unknown ${want} '${n}'`, didYouMean(n, candidates) ?? `fair ${want} names one of the spec's ${want === 'action' ? 'actions' : 'processes'}`);
      return undefined;
    }
    if (g.k !== want) {
      const hint = g.k === 'action' || g.k === 'process' ? `write 'fair ${g.k} ${n}'` : 'fairness applies to actions and processes';
      this.error('E205', d.name.span, `'${n}' is ${article(describe(g))}, not ${want === 'action' ? 'an action' : 'a process'}`, hint);
      return undefined;
    }
    return { name: n, strong: d.strong, decl: d };
  }

  /** `fair { A, B, P }`: every member names an action or a process (a repeat changes nothing). */
  private groupFairness(d: Extract<A.Decl, { kind: 'fairness' }>): CheckedFairness | undefined {
    const members: string[] = [];
    let ok = true;
    for (const m of d.members ?? []) {
      const g = this.globals.get(m.text);
      if (!g) {
        const candidates = [...this.globals].filter(([, v]) => v.k === 'action' || v.k === 'process').map(([k]) => k);
        this.error('E201', m.span, `unknown action or process '${m.text}'`, didYouMean(m.text, candidates) ?? 'a fairness group lists actions and processes of the spec');
        ok = false;
      } else if (g.k !== 'action' && g.k !== 'process') {
        this.error('E205', m.span, `'${m.text}' is ${article(describe(g))}, not an action or a process`, 'a fairness group lists actions and processes of the spec');
        ok = false;
      } else if (!members.includes(m.text)) members.push(m.text);
    }
    return ok ? { name: d.name.text, strong: d.strong, decl: d, members } : undefined;
  }

  private check(
    d: Extract<A.Decl, { kind: 'check' }>,
    consts: CheckedConst[],
    invariants: CheckedBody[],
    actions: CheckedAction[],
    properties: CheckedProperty[],
    stepProperties: CheckedBody[],
    specConstraints: CheckedConstraint[],
  ): CheckedCheck {
    for (const s of d.duplicates) this.error('E215', s, `this item is given twice in check '${d.name.text}'`);
    const overrides: { index: number; value: A.Expr }[] = [];
    for (const o of d.consts) {
      const c = consts.find((x) => x.name === o.name.text);
      if (!c) {
        this.error('E214', o.name.span, `'${o.name.text}' is not a constant`, didYouMean(o.name.text, consts.map((x) => x.name)));
        continue;
      }
      const t = this.expr(o.value, new Scope(undefined, this.constFrame));
      this.expectType(o.value, c.type, t, `constant '${c.name}'`);
      this.noForwardConst(o.value, c.index);
      this.mustBeConstant(o.value);
      overrides.push({ index: c.index, value: o.value });
    }
    const e = d.expect;
    if (e && e.kind === 'violation') {
      const names = [...invariants.map((i) => i.name), ...stepProperties.map((p) => p.name), ...properties.map((p) => p.name), ...actions.map((a) => a.name), ...this.processes.map((p) => p.name), ...this.imports.map((i) => i.name)];
      if (!names.includes(e.name.text)) {
        const what = this.imports.length > 0 ? 'an invariant, a property, an action nor an imported spec' : properties.length > 0 ? 'an invariant, a property nor an action' : 'an invariant nor an action';
        this.error('E213', e.name.span, `'${e.name.text}' is neither ${what}`, didYouMean(e.name.text, names) ?? 'name an invariant, a property, or the action whose assert fails');
      }
    }
    if (d.only) {
      const checkable = [...invariants.map((i) => i.name), ...stepProperties.map((p) => p.name), ...properties.map((p) => p.name)];
      for (const n of d.only) {
        if (!checkable.includes(n.text)) {
          this.error('E213', n.span, `'${n.text}' is neither an invariant nor a property`, didYouMean(n.text, checkable) ?? `'only' names the invariants and properties this check verifies`);
        }
      }
      if (e?.kind === 'violation' && checkable.includes(e.name.text) && !d.only.some((n) => n.text === e.name.text)) {
        this.error('E213', e.name.span, `check '${d.name.text}' expects '${e.name.text}' to be violated but does not verify it`, `add it to 'only'`);
      }
    }
    const fairness = d.fairness.map((f) => this.fairness(f)).filter((f): f is CheckedFairness => f !== undefined);
    const constraints: CheckedConstraint[] = [];
    for (const c of d.constraints) this.constraint(c, constraints, specConstraints);
    if (d.refines.length > 0) {
      const refines: CheckedImport[] = [];
      for (const r of d.refines) {
        const imp = this.refinesTarget(r);
        if (imp && !refines.includes(imp)) refines.push(imp);
      }
      return { name: d.name.text, decl: d, overrides, fairness, constraints, refines };
    }
    return { name: d.name.text, decl: d, overrides, fairness, constraints };
  }

  /** A `constraint` or `action constraint`: a Bool predicate over a state, or over a step. */
  private constraint(d: Extract<A.Decl, { kind: 'constraint' }>, into: CheckedConstraint[], outer: readonly CheckedConstraint[]): void {
    const what = `${d.action ? 'action constraint' : 'constraint'} '${d.name.text}'`;
    if (into.some((c) => c.name === d.name.text) || outer.some((c) => c.name === d.name.text)) {
      this.error('E203', d.name.span, `constraint '${d.name.text}' is declared twice`, outer.length > 0 ? `a check's constraints add to the spec's: give this one a name of its own` : undefined);
    }
    if (d.action) {
      into.push({ ...this.stepPredicate(d.name, d.body, what), action: true });
      return;
    }
    const frame: Frame = { size: 0, stateful: true };
    const t = this.expr(d.body, new Scope(undefined, frame));
    this.expectType(d.body, BOOL, t, what);
    into.push({ name: d.name.text, expr: d.body, frameSize: frame.size, action: false });
  }

  /** A Bool predicate over a step: unprimed names are the values before it, primed ones after. */
  private stepPredicate(name: A.Name, body: A.Expr, what: string): CheckedBody {
    const frame: Frame = { size: 0, stateful: true, step: true };
    const t = this.expr(body, new Scope(undefined, frame));
    this.expectType(body, BOOL, t, what);
    return { name: name.text, expr: body, frameSize: frame.size };
  }

  /** `x'`: allowed in step predicates only, and only for state variables. */
  private primed(e: Extract<A.Expr, { kind: 'primed' }>, scope: Scope): Type {
    const n = e.name.text;
    if (!scope.frame.step) {
      this.error('E218', e.span, `the primed name ${n}' (the value of '${n}' after a step) can only be read in a step predicate`, `primed names belong in 'always step' properties and 'action constraint's; here write '${n}'`);
      return ANY;
    }
    const local = scope.lookup(n);
    const g = this.globals.get(n);
    if (local === undefined && g?.k === 'var') {
      this.res.set(e, { k: 'next', index: g.v.index, type: g.v.type });
      return g.v.type;
    }
    if (local === undefined && g === undefined) {
      this.error('E201', e.name.span, `unknown name '${n}'`, didYouMean(n, [...scope.allNames(), ...this.globals.keys()]));
      return ANY;
    }
    const what = local !== undefined ? 'a local name' : article(describe(g!));
    this.error('E219', e.span, `'${n}' is ${what}, not a state variable, and has no value after the step`, `only state variables can be primed; write '${n}'`);
    return ANY;
  }

  private checkInitialised(vars: CheckedVar[], initDecl: Extract<A.Decl, { kind: 'init' }> | undefined): void {
    const assigned = new Set<number>();
    const visit = (stmts: A.Stmt[]): void => {
      for (const s of stmts) {
        if (s.kind === 'assign') {
          const r = this.res.get(s.target);
          if (r && r.k === 'var') assigned.add(r.index);
        } else if (s.kind === 'if') {
          visit(s.then);
          if (s.else) visit(s.else);
        } else if (s.kind === 'for') visit(s.body);
        else if (s.kind === 'match') s.arms.forEach((a) => visit(a.body));
        else if (s.kind === 'either') s.branches.forEach(visit);
      }
    };
    if (initDecl) visit(initDecl.body);
    for (const v of vars) {
      if (!v.decl.init && !v.decl.initIn && !assigned.has(v.index)) {
        this.error('E212', v.decl.name.span, `variable '${v.name}' is never given an initial value`, `assign it in 'init', or write 'var ${v.name}: ... = <value>'`);
      }
    }
  }

  /** `var x: T in S`: S is a constant set of T's values, one initial state per element. */
  private varInitialChoice(v: CheckedVar): void {
    const e = v.decl.initIn!;
    const t = this.expr(e, new Scope(undefined, { size: 0, stateful: false }));
    this.expectType(e, { k: 'set', elem: v.type }, t, `the initial choices of variable '${v.name}'`);
    this.mustBeConstant(e);
  }

  /**
   * A definition with parameters may call itself, directly or through others (its depth is
   * bounded at run time, E709). One without parameters is a value and cannot depend on itself.
   */
  private checkRecursion(defs: CheckedDef[]): void {
    for (const def of defs) {
      // A path from the definition back to itself, if any (depth-first, each name once).
      const seen = new Set<string>();
      const find = (name: string, path: string[]): string[] | undefined => {
        for (const dep of this.defDeps.get(name) ?? []) {
          if (dep === def.name) return [...path, dep];
          if (seen.has(dep)) continue;
          seen.add(dep);
          const found = find(dep, [...path, dep]);
          if (found) return found;
        }
        return undefined;
      };
      const cycle = find(def.name, [def.name]);
      def.recursive = cycle !== undefined;
      if (cycle && def.decl.params.length === 0) {
        this.error('E211', def.decl.name.span, `'${def.name}' is defined in terms of itself (${cycle.join(' → ')})`, 'a definition without parameters is a value and cannot depend on itself; give it a parameter that decreases, or use a quantifier or a set expression');
      }
    }
  }

  private noForwardConst(e: A.Expr, index: number): void {
    // A constant may only use constants declared before it (they are evaluated in order).
    walkExpr(e, (x) => {
      if (x.kind === 'name') {
        const r = this.res.get(x);
        if (r && r.k === 'const' && r.index >= index) {
          this.error('E216', x.span, `constant '${x.name.text}' is used before its value is known`, 'declare it earlier in the spec');
        }
      }
    });
  }

  // ---- types

  private resolveNamedType(name: string, span: A.Span): Type {
    const builtin = BUILTIN_TYPES.get(name);
    if (builtin) return builtin;
    const g = this.globals.get(name);
    if (!g || g.k !== 'type') {
      const candidates = [...BUILTIN_TYPES.keys(), ...[...this.globals].filter(([, v]) => v.k === 'type').map(([k]) => k)];
      this.error('E202', span, `unknown type '${name}'`, didYouMean(name, candidates));
      return ANY;
    }
    if (g.decl.kind === 'variant') {
      const t = g.type as { k: 'variant'; info: VariantInfo };
      if (t.info.cases.length === 0 && !this.resolving.has(name)) {
        this.resolving.add(name);
        for (const c of g.decl.cases) {
          t.info.cases.push({ tag: c.name.text, payload: c.payload ? this.resolveType(c.payload, true) : undefined });
        }
        this.resolving.delete(name);
      } else if (this.resolving.has(name)) {
        this.error('E211', span, `type '${name}' is defined in terms of itself`, 'recursive types are not supported');
        return ANY;
      }
      return t;
    }
    if (g.type) return g.type;
    if (g.decl.kind !== 'typeAlias') return ANY;
    if (this.resolving.has(name)) {
      this.error('E211', span, `type '${name}' is defined in terms of itself`);
      return ANY;
    }
    this.resolving.add(name);
    g.type = this.resolveType(g.decl.type, true);
    this.resolving.delete(name);
    return g.type;
  }

  resolveType(t: A.TypeExpr, allowRanges: boolean): Type {
    switch (t.kind) {
      case 'named':
        return this.resolveNamedType(t.name.text, t.name.span);
      case 'set':
        return { k: 'set', elem: this.resolveType(t.elem, allowRanges) };
      case 'seq':
        return { k: 'seq', elem: this.resolveType(t.elem, allowRanges) };
      case 'option':
        return optionType(this.resolveType(t.elem, allowRanges));
      case 'map':
        return { k: 'map', key: this.resolveType(t.key, allowRanges), value: this.resolveType(t.value, allowRanges) };
      case 'tuple':
        return { k: 'tuple', items: t.items.map((x) => this.resolveType(x, allowRanges)) };
      case 'record': {
        const seen = new Set<string>();
        for (const f of t.fields) {
          if (seen.has(f.name.text)) this.error('E203', f.name.span, `field '${f.name.text}' is declared twice`);
          seen.add(f.name.text);
        }
        // Fields are kept sorted by name: one canonical layout per record type, whatever the
        // order a declaration or a literal writes them in.
        const sorted = [...t.fields].sort((a, b) => (a.name.text < b.name.text ? -1 : a.name.text > b.name.text ? 1 : 0));
        return { k: 'record', fields: sorted.map((f) => f.name.text), types: sorted.map((f) => this.resolveType(f.type, allowRanges)) };
      }
      case 'range': {
        const scope = new Scope(undefined, this.constFrame);
        for (const b of [t.lo, t.hi]) {
          this.expectType(b, INT, this.expr(b, scope), 'a range bound');
          this.mustBeConstant(b);
        }
        return { k: 'int', range: { lo: t.lo, hi: t.hi } };
      }
    }
  }

  isFinite(t: Type): boolean {
    switch (t.k) {
      case 'bool':
      case 'enum':
      case 'any':
        return true;
      case 'int':
        return t.range !== undefined;
      case 'tuple':
        return t.items.every((x) => this.isFinite(x));
      case 'record':
        return t.types.every((x) => this.isFinite(x));
      case 'variant':
        return t.info.cases.every((c) => c.payload === undefined || this.isFinite(c.payload));
      // All subsets of a finite type; all maps from a subset of a finite key type.
      case 'set':
        return this.isFinite(t.elem);
      case 'map':
        return this.isFinite(t.key) && this.isFinite(t.value);
      default:
        return false;
    }
  }

  private expectType(e: A.Expr | { span: A.Span }, expected: Type, actual: Type, what: string): void {
    if (!compatible(expected, actual)) {
      this.error('E205', e.span, `${what} should be ${formatType(expected)}, but this is ${formatType(actual)}`);
    }
  }

  // ---- statements

  private stmts(stmts: A.Stmt[], scope: Scope, where: Where): void {
    let s = scope;
    for (const st of stmts) s = this.stmt(st, s, where);
    this.lostWrites(stmts);
  }

  /** Checks one statement; returns the scope for the statements after it. */
  private stmt(st: A.Stmt, scope: Scope, where: Where): Scope {
    switch (st.kind) {
      case 'label':
        if (!this.currentProcess) {
          this.error('E215', st.span, `a label is only meaningful in a process`, `${where === 'init' ? 'init' : 'an action'} is one atomic step: remove the label, or make this a process`);
          return scope;
        }
        // A new step begins: names bound by let and pick in the step before are gone.
        return this.currentProcess.base;
      case 'await':
        if (!this.currentProcess) this.error('E215', st.span, `'await' is for processes`, `in ${where === 'init' ? 'init' : 'an action'}, write 'require'`);
        this.expectType(st.cond, BOOL, this.expr(st.cond, scope), 'an await condition');
        return scope;
      case 'goto': {
        const cp = this.currentProcess;
        if (!cp) {
          this.error('E215', st.span, `'goto' is for processes`, `${where === 'init' ? 'init' : 'an action'} is one atomic step and has no labels`);
          return scope;
        }
        if (!cp.p.labels.includes(st.target.text)) {
          const other = this.processes.find((q) => q !== cp.p && q.labels.includes(st.target.text));
          const hint = other
            ? `'${st.target.text}' is a label of process '${other.name}'; a process can only go to its own labels`
            : (didYouMean(st.target.text, cp.p.labels) ?? `the labels of '${cp.p.name}' are: ${cp.p.labels.join(', ')}`);
          this.error('E201', st.target.span, `unknown label '${st.target.text}' in ${cp.procedure ? 'procedure' : 'process'} '${cp.p.name}'`, hint);
        }
        return scope;
      }
      case 'while':
        if (!this.currentProcess) this.error('E215', st.span, `'while' is for processes`, `in ${where === 'init' ? 'init' : 'an action'}, loop over a set with 'for x in S { ... }'`);
        this.expectType(st.cond, BOOL, this.expr(st.cond, scope), 'a while condition');
        this.stmts(st.body, scope.child(), where);
        return scope;
      case 'require':
        this.expectType(st.cond, BOOL, this.expr(st.cond, scope), 'a require condition');
        return scope;
      case 'assert':
        this.expectType(st.cond, BOOL, this.expr(st.cond, scope), 'an assert condition');
        return scope;
      case 'let': {
        const t = this.expr(st.value, scope);
        const inner = scope.child();
        this.slots.set(st, inner.bind(st.name.text, t));
        this.currentProcess?.stepNames.add(st.name.text);
        return inner;
      }
      case 'pick': {
        this.currentProcess?.stepNames.add(st.name.text);
        const t = this.expr(st.domain, scope);
        const elem = this.elemOfSet(st.domain, t, 'pick');
        const inner = scope.child();
        this.slots.set(st, inner.bind(st.name.text, elem));
        if (st.where) this.expectType(st.where, BOOL, this.expr(st.where, inner), 'a where condition');
        return inner;
      }
      case 'if':
        this.expectType(st.cond, BOOL, this.expr(st.cond, scope), 'an if condition');
        this.stmts(st.then, scope.child(), where);
        if (st.else) this.stmts(st.else, scope.child(), where);
        return scope;
      case 'either':
        if (st.branches.length < 2) {
          this.error('E220', st.span, `'either' needs at least two branches`, `add 'or { ... }' with another way to take the step, or write the statements without 'either'`);
        }
        for (const b of st.branches) this.stmts(b, scope.child(), where);
        return scope;
      case 'for': {
        const t = this.expr(st.domain, scope);
        const elem = this.elemOfSet(st.domain, t, 'for');
        const inner = scope.child();
        this.slots.set(st, inner.bind(st.name.text, elem));
        // Two more slots hold the loop's elements and position while it runs.
        inner.frame.size += 2;
        this.stmts(st.body, inner, where);
        this.loopLostWrites(st);
        return scope;
      }
      case 'match': {
        const t = this.expr(st.scrutinee, scope);
        this.arms(st, t, st.arms, scope, (arm, armScope) => this.stmts(arm.body, armScope, where));
        return scope;
      }
      case 'assign':
        this.assign(st, scope);
        return scope;
      case 'call': {
        const args = st.args.map((a) => this.expr(a, scope));
        if (!this.currentProcess) {
          this.error('E215', st.span, `'call' is for processes and procedures`, `${where === 'init' ? 'init' : 'an action'} is one atomic step: a procedure's steps can only run in a process`);
          return scope;
        }
        const g = this.globals.get(st.callee.text);
        if (!g || g.k !== 'procedure') {
          const names = this.procedures.map((p) => p.name);
          const what = g ? `'${st.callee.text}' is ${article(describe(g))}, not a procedure` : `unknown procedure '${st.callee.text}'`;
          this.error(g ? 'E205' : 'E201', st.callee.span, what, didYouMean(st.callee.text, names) ?? (names.length ? `the procedures are: ${names.join(', ')}` : `declare it with 'procedure ${st.callee.text}(...) { ... }'`));
          return scope;
        }
        const q = g.p;
        if (args.length !== q.params.length) {
          this.error('E204', st.span, `procedure '${q.name}' takes ${q.params.length} argument${q.params.length === 1 ? '' : 's'}, not ${args.length}`, q.params.length ? `its parameters: ${q.params.map((x) => `${x.name}: ${formatType(x.type)}`).join(', ')}` : undefined);
        } else {
          args.forEach((t, i) => this.expectType(st.args[i]!, q.params[i]!.type, t, `argument '${q.params[i]!.name}' of '${q.name}'`));
        }
        return scope;
      }
      case 'return':
        if (!this.currentProcess?.procedure) {
          const hint = this.currentProcess
            ? 'a process ends by running off the end of its body; to stop early, goto a label at its end'
            : `${where === 'init' ? 'init' : 'an action'} is one atomic step: it ends at the end of its body`;
          this.error('E224', st.span, `'return' is only meaningful in a procedure`, hint);
        }
        return scope;
    }
  }

  private assign(st: Extract<A.Stmt, { kind: 'assign' }>, scope: Scope): void {
    const root = st.target.root;
    const valueType = this.expr(st.value, scope);
    const g = this.globals.get(root.text);
    const local = scope.lookup(root.text);
    const pi = local ? -1 : (this.currentProcess?.p.locals.findIndex((l) => l.name === root.text) ?? -1);
    const fv = local ? undefined : this.frameVar(root.text);
    if (fv) {
      this.res.set(st.target, fv);
    } else if (pi >= 0) {
      const p = this.currentProcess!.p;
      this.res.set(st.target, { k: 'plocal', proc: p, index: pi, type: p.locals[pi]!.type });
    } else if (local || !g || g.k !== 'var') {
      const owner = !local && !g ? this.processes.find((q) => q.locals.some((l) => l.name === root.text)) : undefined;
      if (local) {
        this.error('E206', root.span, `cannot assign to '${root.text}': it is a local name, not a state variable`, `use 'let' to bind a new value`);
      } else if (owner) {
        this.error('E206', root.span, `cannot assign to '${root.text}': it is a variable of process '${owner.name}'`, `only the steps of '${owner.name}' see its variables`);
      } else if (!g) {
        const vars = [...this.globals].filter(([, v]) => v.k === 'var').map(([k]) => k);
        this.error('E206', root.span, `cannot assign to undeclared variable '${root.text}'`, didYouMean(root.text, vars) ?? `declare it with 'var ${root.text}: <type>'`);
      } else if (g.k === 'process') {
        const field = st.target.path[0];
        const x = field?.kind === 'field' ? field.field.text : '<variable>';
        this.error('E206', st.target.span, `cannot assign to a variable of process '${root.text}' from outside it`, `only the steps of '${root.text}' assign its variables; elsewhere read them as '${g.p.param ? `${root.text}(<${g.p.param.name}>)` : root.text}.${x}'`);
      } else {
        this.error('E206', root.span, `cannot assign to '${root.text}': it is ${article(describe(g))}, not a state variable`);
      }
      return;
    }
    let t: Type;
    if (fv) t = fv.type;
    else if (pi >= 0) t = this.currentProcess!.p.locals[pi]!.type;
    else {
      const v = (g as { k: 'var'; v: CheckedVar }).v;
      this.res.set(st.target, { k: 'var', index: v.index, type: v.type });
      t = v.type;
    }
    for (const sel of st.target.path) {
      if (sel.kind === 'index') {
        const it = this.expr(sel.index, scope);
        if (t.k === 'map') {
          this.expectType(sel.index, t.key, it, 'a map key');
          t = t.value;
        } else if (t.k === 'seq') {
          this.expectType(sel.index, INT, it, 'a sequence index');
          t = t.elem;
        } else {
          if (t.k !== 'any') this.error('E205', sel.span, `cannot index into ${formatType(t)}`);
          t = ANY;
        }
      } else {
        if (t.k === 'record') {
          const i = t.fields.indexOf(sel.field.text);
          if (i < 0) {
            this.error('E209', sel.field.span, `${formatType(t)} has no field '${sel.field.text}'`, didYouMean(sel.field.text, t.fields));
            t = ANY;
          } else t = t.types[i]!;
        } else {
          if (t.k !== 'any') this.error('E205', sel.span, `${formatType(t)} has no fields`);
          t = ANY;
        }
      }
    }
    this.expectType(st.value, t, valueType, `the value assigned to '${root.text}'`);
  }

  /** A whole-variable write followed by another before anything reads the variable is lost. */
  private lostWrites(stmts: A.Stmt[]): void {
    const pending = new Map<number, A.Stmt>();
    for (const st of stmts) {
      if (st.kind === 'label' || st.kind === 'goto' || st.kind === 'call' || st.kind === 'return') {
        // A process step ends here: a later write is in another step.
        pending.clear();
        continue;
      }
      for (const [index, first] of [...pending]) {
        if (this.readsVar(st, index)) pending.delete(index);
        else if (st.kind === 'assign' && st.target.path.length === 0 && this.varOf(st) === index) {
          this.error('E208', first.span, `this value of '${(first as Extract<A.Stmt, { kind: 'assign' }>).target.root.text}' is overwritten before anything reads it`, 'remove one of the two assignments');
          pending.delete(index);
        }
      }
      if (st.kind === 'assign' && st.target.path.length === 0) {
        const index = this.varOf(st);
        if (index !== undefined) pending.set(index, st);
      }
    }
  }

  private loopLostWrites(loop: Extract<A.Stmt, { kind: 'for' }>): void {
    for (const st of loop.body) {
      if (st.kind !== 'assign' || st.target.path.length !== 0) continue;
      const index = this.varOf(st);
      if (index === undefined) continue;
      if (!loop.body.some((other) => this.readsVar(other, index))) {
        this.error('E208', st.span, `'${st.target.root.text}' is overwritten on every iteration; only the last iteration's value survives`, `read '${st.target.root.text}' in the new value, or assign it after the loop`);
      }
    }
  }

  private varOf(st: Extract<A.Stmt, { kind: 'assign' }>): number | undefined {
    const r = this.res.get(st.target);
    return r && r.k === 'var' ? r.index : undefined;
  }

  private readsVar(st: A.Stmt, index: number): boolean {
    let found = false;
    const visitExpr = (e: A.Expr): void => {
      walkExpr(e, (x) => {
        const r = this.res.get(x);
        if (r && r.k === 'var' && r.index === index) found = true;
        // A definition may read the variable too.
        if (r && r.k === 'def') found = true;
      });
    };
    walkStmt(st, visitExpr, (lv) => {
      // Writing part of a variable reads the rest of it.
      if (lv.path.length > 0) {
        const r = this.res.get(lv);
        if (r && r.k === 'var' && r.index === index) found = true;
      }
    });
    return found;
  }

  private elemOfSet(e: A.Expr, t: Type, what: string): Type {
    if (t.k === 'set') return t.elem;
    if (t.k !== 'any') this.error('E205', e.span, `${what} needs a set, but this is ${formatType(t)}`);
    return ANY;
  }

  // ---- match arms (statements and expressions share the pattern rules)

  private arms<Arm extends { pattern: A.Pattern }>(
    node: { span: A.Span; scrutinee: A.Expr },
    t: Type,
    arms: Arm[],
    scope: Scope,
    body: (arm: Arm, scope: Scope) => void,
  ): void {
    const covered = new Set<string>();
    let wild = false;
    for (const arm of arms) {
      const p = arm.pattern;
      const armScope = scope.child();
      if (wild) this.error('E207', p.span, 'this arm can never be reached: an earlier arm matches everything');
      switch (p.kind) {
        case 'wild':
          wild = true;
          break;
        case 'int':
          if (t.k !== 'int' && t.k !== 'any') this.error('E205', p.span, `an integer pattern cannot match ${formatType(t)}`);
          covered.add(String(p.value));
          break;
        case 'name':
        case 'payload': {
          const tag = p.kind === 'name' ? p.name : p.tag;
          const g = this.globals.get(tag.text);
          if (g && g.k !== 'atom' && g.k !== 'case') {
            // Bare names never bind: a misspelt case must not silently match everything.
            this.error('E205', p.span, `'${tag.text}' is ${article(describe(g))}, not a pattern`, `use '_' to match any value`);
            break;
          }
          const found = this.patternCase(tag, t);
          if (!found) break;
          this.res.set(p, found.res);
          covered.add(tag.text);
          if (p.kind === 'payload') {
            if (found.payload === undefined) {
              this.error('E204', p.span, `'${tag.text}' carries no value`, `write '${tag.text}' without parentheses`);
            } else {
              this.slots.set(p, armScope.bind(p.bind.text, found.payload));
            }
          } else if (found.payload !== undefined) {
            this.error('E204', p.span, `'${tag.text}' carries a value`, `write '${tag.text}(x)' or '${tag.text}(_)'`);
          }
          break;
        }
      }
      body(arm, armScope);
    }
    if (wild) return;
    let missing: string[] = [];
    if (t.k === 'variant') missing = t.info.cases.map((c) => c.tag).filter((c) => !covered.has(c));
    else if (t.k === 'enum') missing = t.info.members.filter((m) => !covered.has(m));
    else if (t.k !== 'any') missing = ['_'];
    if (missing.length > 0) {
      this.error('E207', node.scrutinee.span, `match does not cover ${missing.map((m) => `'${m}'`).join(', ')}`, `add an arm for each, or a '_ =>' arm`);
    }
  }

  private patternCase(tag: A.Name, t: Type): { res: Resolution; payload: Type | undefined } | undefined {
    if (isOption(t) && (tag.text === 'None' || tag.text === 'Some')) {
      const tagIndex = tag.text === 'None' ? 0 : 1;
      return { res: { k: 'case', info: t.info, tagIndex }, payload: t.info.cases[tagIndex]!.payload };
    }
    const g = this.globals.get(tag.text);
    if (g && g.k === 'case') {
      if (t.k !== 'any' && !(t.k === 'variant' && t.info === g.info)) {
        this.error('E205', tag.span, `'${tag.text}' is a case of ${g.info.name}, but the value matched is ${formatType(t)}`);
        return undefined;
      }
      return { res: { k: 'case', info: g.info, tagIndex: g.tagIndex }, payload: g.info.cases[g.tagIndex]?.payload };
    }
    if (g && g.k === 'atom') {
      if (t.k !== 'any' && !(t.k === 'enum' && t.info === g.info)) {
        this.error('E205', tag.span, `'${tag.text}' is a ${g.info.name}, but the value matched is ${formatType(t)}`);
        return undefined;
      }
      return { res: { k: 'atom', info: g.info, index: g.index }, payload: undefined };
    }
    this.error('E201', tag.span, `unknown case '${tag.text}'`, t.k === 'variant' ? didYouMean(tag.text, t.info.cases.map((c) => c.tag)) : undefined);
    return undefined;
  }

  // ---- expressions

  expr(e: A.Expr, scope: Scope): Type {
    const t = this.exprInner(e, scope);
    this.types.set(e, t);
    return t;
  }

  private bindBinders(binders: A.Binder[], scope: Scope): Scope {
    let s = scope;
    for (const b of binders) {
      const dt = this.expr(b.domain, s);
      const elem = this.elemOfSet(b.domain, dt, `'${b.name.text} in ...'`);
      s = s.child();
      this.slots.set(b, s.bind(b.name.text, elem));
    }
    return s;
  }

  private exprInner(e: A.Expr, scope: Scope): Type {
    switch (e.kind) {
      case 'int':
        return INT;
      case 'bool':
        return BOOL;
      case 'name':
        return this.name(e, scope);
      case 'primed':
        return this.primed(e, scope);
      case 'call':
        return this.call(e, scope);
      case 'unary': {
        const t = this.expr(e.arg, scope);
        const want = e.op === 'not' ? BOOL : INT;
        this.expectType(e.arg, want, t, `the operand of '${e.op === 'not' ? 'not' : '-'}'`);
        return want;
      }
      case 'binary':
        return this.binary(e, scope);
      case 'is': {
        const t = this.expr(e.arg, scope);
        if (t.k === 'variant') {
          if (!t.info.cases.some((c) => c.tag === e.tag.text)) {
            this.error('E201', e.tag.span, `${formatType(t)} has no case '${e.tag.text}'`, didYouMean(e.tag.text, t.info.cases.map((c) => c.tag)));
          } else this.res.set(e, { k: 'case', info: t.info, tagIndex: t.info.cases.findIndex((c) => c.tag === e.tag.text) });
        } else if (t.k !== 'any') {
          this.error('E205', e.arg.span, `'is' tests a variant, but this is ${formatType(t)}`);
        }
        return BOOL;
      }
      case 'index': {
        if (this.typeAsValue(e, scope)) return ANY;
        const t = this.expr(e.target, scope);
        const it = this.expr(e.index, scope);
        if (t.k === 'map') {
          this.expectType(e.index, t.key, it, 'a map key');
          return t.value;
        }
        if (t.k === 'seq') {
          this.expectType(e.index, INT, it, 'a sequence index');
          return t.elem;
        }
        if (t.k !== 'any') this.error('E205', e.target.span, `cannot index into ${formatType(t)}`, t.k === 'tuple' ? 'use .0, .1, ... for tuple items' : undefined);
        return ANY;
      }
      case 'field': {
        const pv = this.processVarRead(e, scope);
        if (pv !== undefined) return pv;
        const t = this.expr(e.target, scope);
        if (t.k === 'record') {
          const i = t.fields.indexOf(e.field.text);
          if (i >= 0) return t.types[i]!;
          this.error('E209', e.field.span, `${formatType(t)} has no field '${e.field.text}'`, didYouMean(e.field.text, t.fields));
          return ANY;
        }
        if (t.k !== 'any') this.error('E205', e.target.span, `${formatType(t)} has no fields`);
        return ANY;
      }
      case 'tupleItem': {
        const t = this.expr(e.target, scope);
        if (t.k === 'tuple') {
          if (e.item < t.items.length) return t.items[e.item]!;
          this.error('E209', e.span, `${formatType(t)} has no item ${e.item}`, `items are numbered from 0 to ${t.items.length - 1}`);
          return ANY;
        }
        if (t.k !== 'any') this.error('E205', e.target.span, `${formatType(t)} is not a tuple`);
        return ANY;
      }
      case 'withIndex': {
        const t = this.expr(e.target, scope);
        const it = this.expr(e.index, scope);
        const vt = this.expr(e.value, scope);
        if (t.k === 'map') {
          this.expectType(e.index, t.key, it, 'a map key');
          this.expectType(e.value, t.value, vt, 'a map value');
          return t;
        }
        if (t.k === 'seq') {
          this.expectType(e.index, INT, it, 'a sequence index');
          this.expectType(e.value, t.elem, vt, 'a sequence element');
          return t;
        }
        if (t.k !== 'any') this.error('E205', e.target.span, `'with [k] = v' updates a map or a sequence, not ${formatType(t)}`);
        return ANY;
      }
      case 'withFields': {
        const t = this.expr(e.target, scope);
        for (const f of e.fields) {
          const vt = this.expr(f.value, scope);
          if (t.k === 'record') {
            const i = t.fields.indexOf(f.name.text);
            if (i < 0) this.error('E209', f.name.span, `${formatType(t)} has no field '${f.name.text}'`, didYouMean(f.name.text, t.fields));
            else this.expectType(f.value, t.types[i]!, vt, `field '${f.name.text}'`);
          }
        }
        if (t.k !== 'record' && t.k !== 'any') this.error('E205', e.target.span, `'with { ... }' updates a record, not ${formatType(t)}`);
        return t;
      }
      case 'tuple':
        return { k: 'tuple', items: e.items.map((x) => this.expr(x, scope)) };
      case 'setLit': {
        let elem: Type = ANY;
        for (const x of e.items) {
          const t = this.expr(x, scope);
          if (!compatible(elem, t)) this.error('E205', x.span, `set elements should all be ${formatType(elem)}, but this is ${formatType(t)}`);
          else elem = join(elem, t);
        }
        return { k: 'set', elem };
      }
      case 'seqLit': {
        let elem: Type = ANY;
        for (const x of e.items) {
          const t = this.expr(x, scope);
          if (!compatible(elem, t)) this.error('E205', x.span, `sequence elements should all be ${formatType(elem)}, but this is ${formatType(t)}`);
          else elem = join(elem, t);
        }
        return { k: 'seq', elem };
      }
      case 'mapLit': {
        let key: Type = ANY;
        let value: Type = ANY;
        for (const en of e.entries) {
          const kt = this.expr(en.key, scope);
          const vt = this.expr(en.value, scope);
          if (!compatible(key, kt)) this.error('E205', en.key.span, `map keys should all be ${formatType(key)}, but this is ${formatType(kt)}`);
          else key = join(key, kt);
          if (!compatible(value, vt)) this.error('E205', en.value.span, `map values should all be ${formatType(value)}, but this is ${formatType(vt)}`);
          else value = join(value, vt);
        }
        return { k: 'map', key, value };
      }
      case 'record': {
        const seen = new Set<string>();
        for (const f of e.fields) {
          if (seen.has(f.name.text)) this.error('E203', f.name.span, `field '${f.name.text}' is given twice`);
          seen.add(f.name.text);
        }
        // Sorted by name, like record types (see resolveType).
        const sorted = [...e.fields].sort((a, b) => (a.name.text < b.name.text ? -1 : a.name.text > b.name.text ? 1 : 0));
        return { k: 'record', fields: sorted.map((f) => f.name.text), types: sorted.map((f) => this.expr(f.value, scope)) };
      }
      case 'filter': {
        const inner = this.bindBinders([e.binder], scope);
        this.expectType(e.cond, BOOL, this.expr(e.cond, inner), 'a filter condition');
        return this.types.get(e.binder.domain)?.k === 'set' ? this.types.get(e.binder.domain)! : { k: 'set', elem: ANY };
      }
      case 'image': {
        const inner = this.bindBinders(e.binders, scope);
        return { k: 'set', elem: this.expr(e.body, inner) };
      }
      case 'mapFor': {
        const inner = this.bindBinders([e.binder], scope);
        const dt = this.types.get(e.binder.domain)!;
        return { k: 'map', key: dt.k === 'set' ? dt.elem : ANY, value: this.expr(e.body, inner) };
      }
      case 'seqFilter': {
        const dt = this.expr(e.binder.domain, scope);
        if (dt.k !== 'seq' && dt.k !== 'any') {
          this.error('E205', e.binder.domain.span, `'[${e.binder.name.text} in ... | ...]' filters a sequence, but this is ${formatType(dt)}`, dt.k === 'set' ? `for a set, write '{${e.binder.name.text} in ... | ...}'` : undefined);
        }
        const inner = scope.child();
        this.slots.set(e.binder, inner.bind(e.binder.name.text, dt.k === 'seq' ? dt.elem : ANY));
        this.expectType(e.cond, BOOL, this.expr(e.cond, inner), 'a filter condition');
        return dt.k === 'seq' ? dt : { k: 'seq', elem: ANY };
      }
      case 'seqFor': {
        const dt = this.expr(e.binder.domain, scope);
        if (dt.k !== 'seq' && dt.k !== 'set' && dt.k !== 'any') {
          this.error('E205', e.binder.domain.span, `'[... : ${e.binder.name.text} in ...]' runs over a sequence, a range or a set, but this is ${formatType(dt)}`);
        }
        const inner = scope.child();
        this.slots.set(e.binder, inner.bind(e.binder.name.text, dt.k === 'seq' || dt.k === 'set' ? dt.elem : ANY));
        return { k: 'seq', elem: this.expr(e.body, inner) };
      }
      case 'ifThen': {
        this.expectType(e.cond, BOOL, this.expr(e.cond, scope), 'an if condition');
        const a = this.expr(e.then, scope);
        const b = this.expr(e.else, scope);
        if (!compatible(a, b)) {
          this.error('E205', e.else.span, `the two branches differ: ${formatType(a)} and ${formatType(b)}`);
          return ANY;
        }
        return join(a, b);
      }
      case 'let': {
        const vt = this.expr(e.value, scope);
        const inner = scope.child();
        this.slots.set(e, inner.bind(e.name.text, vt));
        return this.expr(e.body, inner);
      }
      case 'quant': {
        const inner = this.bindBinders(e.binders, scope);
        const bt = this.expr(e.body, inner);
        const want = e.quant === 'sum' ? INT : BOOL;
        this.expectType(e.body, want, bt, `the body of '${e.quant}'`);
        return want;
      }
      case 'choose': {
        const inner = this.bindBinders([e.binder], scope);
        this.expectType(e.cond, BOOL, this.expr(e.cond, inner), 'a choose condition');
        const dt = this.types.get(e.binder.domain)!;
        return dt.k === 'set' ? dt.elem : ANY;
      }
      case 'at':
        return this.at(e, scope);
      case 'match': {
        const t = this.expr(e.scrutinee, scope);
        let result: Type | undefined;
        this.arms(e, t, e.arms, scope, (arm, armScope) => {
          const at = this.expr(arm.body, armScope);
          if (result === undefined) result = at;
          else if (!compatible(result, at)) this.error('E205', arm.body.span, `match arms should all be ${formatType(result)}, but this is ${formatType(at)}`);
          else result = join(result, at);
        });
        return result ?? ANY;
      }
    }
  }

  private name(e: Extract<A.Expr, { kind: 'name' }>, scope: Scope): Type {
    const n = e.name.text;
    const local = scope.lookup(n);
    if (local) {
      this.res.set(e, { k: 'local', slot: local.slot, type: local.type });
      return local.type;
    }
    const cp = this.currentProcess?.p;
    const fv = this.frameVar(n);
    if (fv) {
      this.res.set(e, fv);
      return fv.type;
    }
    const pi = cp ? cp.locals.findIndex((l) => l.name === n) : -1;
    if (pi >= 0) {
      const type = cp!.locals[pi]!.type;
      this.res.set(e, { k: 'plocal', proc: cp!, index: pi, type });
      return type;
    }
    if (n === 'None') {
      const t = optionType(ANY);
      this.res.set(e, { k: 'case', info: (t as { info: VariantInfo }).info, tagIndex: 0 });
      return t;
    }
    if (BUILTIN_TYPES.has(n)) {
      if (n === 'Int') {
        this.error('E210', e.span, `'Int' is infinite and cannot be used as a set`, 'use a range such as 0..N');
        return ANY;
      }
      this.res.set(e, { k: 'typeSet', type: BOOL });
      return { k: 'set', elem: BOOL };
    }
    const g = this.globals.get(n);
    if (!g) {
      const candidates = [...scope.allNames(), ...this.globals.keys(), ...(cp?.locals.map((l) => l.name) ?? [])];
      const owner = this.processes.find((q) => q.locals.some((l) => l.name === n));
      const hint = owner
        ? `'${n}' is a variable of process '${owner.name}': read it as '${owner.param ? `${owner.name}(<${owner.param.name}>)` : owner.name}.${n}'`
        : this.currentProcess?.stepNames.has(n)
          ? `'${n}' was bound in an earlier step: names bound by let and pick end at the next label; keep the value in a process variable ('var ${n}: ...')`
          : didYouMean(n, candidates);
      this.error('E201', e.span, `unknown name '${n}'`, hint);
      return ANY;
    }
    switch (g.k) {
      case 'const':
        this.res.set(e, { k: 'const', index: g.c.index, type: g.c.type });
        return g.c.type;
      case 'var':
        if (!scope.frame.stateful) {
          this.error('E216', e.span, `'${n}' is a state variable, but this expression must be constant`, 'constants, range bounds and initial values given in a declaration cannot read the state');
          return g.v.type;
        }
        this.res.set(e, { k: 'var', index: g.v.index, type: g.v.type });
        return g.v.type;
      case 'atom':
        this.res.set(e, { k: 'atom', info: g.info, index: g.index });
        return { k: 'enum', info: g.info };
      case 'case': {
        const c = g.info.cases[g.tagIndex];
        if (c?.payload !== undefined) {
          this.error('E204', e.span, `'${n}' needs a value`, `write '${n}(...)'`);
        }
        this.res.set(e, { k: 'case', info: g.info, tagIndex: g.tagIndex });
        return { k: 'variant', info: g.info };
      }
      case 'type': {
        const t = this.resolveNamedType(n, e.span);
        if (!this.isFinite(t) || t.k === 'any') {
          if (t.k !== 'any') this.error('E210', e.span, `type '${n}' is infinite and cannot be used as a set of values`);
          return ANY;
        }
        this.res.set(e, { k: 'typeSet', type: t });
        return { k: 'set', elem: t };
      }
      case 'def':
        this.useDef(g.d);
        if (g.d.decl.params.length > 0) {
          this.error('E204', e.span, `'${n}' takes ${g.d.decl.params.length} argument(s)`, `call it as ${n}(...)`);
        }
        this.res.set(e, { k: 'def', def: g.d });
        return g.d.result;
      case 'action':
      case 'invariant':
      case 'property':
        this.error('E205', e.span, `'${n}' is ${g.k === 'action' ? 'an action' : g.k === 'property' ? 'a property' : 'an invariant'} and has no value here`);
        return ANY;
      case 'procedure':
        this.error('E205', e.span, `'${n}' is a procedure and has no value here`, `a process runs it with 'call ${n}(...)'`);
        return ANY;
      case 'stepProperty':
        this.error('E205', e.span, `'${n}' is a step property and has no value here`);
        return ANY;
      case 'process':
        this.error('E205', e.span, `'${n}' is a process and has no value here`, `test where it is with '${g.p.param ? `${n}(<${g.p.param.name}>)` : n} at <label>'`);
        return ANY;
       case 'import':
        this.error('E205', e.span, `'${n}' is an imported spec and has no value here`, `its variables are the mapped expressions of 'import ${n} ... with { ... }'`);
        return ANY;
    }
  }

  /**
   * `P(i).x` / `P.x`: a read of variable x of an instance of process P, from any expression
   * that may read the state. Undefined when the target does not name a process (an ordinary
   * field access, or a call that the checker reports as usual).
   */
  private processVarRead(e: Extract<A.Expr, { kind: 'field' }>, scope: Scope): Type | undefined {
    const t = e.target;
    const pname = t.kind === 'call' ? t.callee : t.kind === 'name' ? t.name : undefined;
    if (!pname || scope.lookup(pname.text)) return undefined;
    const g = this.globals.get(pname.text);
    if (!g || g.k !== 'process') return undefined;
    const p = g.p;
    const x = e.field.text;
    if (t.kind === 'call') {
      t.args.forEach((a, i) => {
        const at = this.expr(a, scope);
        if (i === 0 && p.param) this.expectType(a, p.param.type, at, `an instance of process '${p.name}'`);
      });
      if (!p.param) {
        this.error('E204', t.span, `process '${p.name}' has a single instance`, `write '${p.name}.${x}'`);
      } else if (t.args.length !== 1) {
        this.error('E204', t.span, `process '${p.name}' has one instance per value of '${p.param.name}'`, `name one instance: '${p.name}(<${p.param.name}>).${x}'`);
      }
    } else if (p.param) {
      this.error('E204', t.span, `process '${p.name}' has one instance per value of '${p.param.name}'`, `name the instance: '${p.name}(<${p.param.name}>).${x}'`);
    }
    const index = p.locals.findIndex((l) => l.name === x);
    if (index < 0) {
      const hint =
        x === 'pc'
          ? `test where an instance is with '${p.param ? `${p.name}(<${p.param.name}>)` : p.name} at <label>'`
          : (didYouMean(x, p.locals.map((l) => l.name)) ?? (p.locals.length ? `its variables are: ${p.locals.map((l) => l.name).join(', ')}` : `process '${p.name}' has no variables`));
      this.error('E201', e.field.span, `process '${p.name}' has no variable '${x}'`, hint);
      return ANY;
    }
    const type = p.locals[index]!.type;
    if (!scope.frame.stateful) {
      this.error('E216', e.span, `'${e.field.text}' is a variable of process '${p.name}', but this expression must be constant`, 'constants, range bounds and initial values cannot read the state');
      return type;
    }
    this.res.set(e, { k: 'pvar', proc: p, index, type });
    return type;
  }

  /** `P(i) at L`: P is a process, i one of its instances, L one of its labels or `done`. */
  private at(e: Extract<A.Expr, { kind: 'at' }>, scope: Scope): Type {
    const t = e.target;
    const pname = t.kind === 'name' ? t.name : t.kind === 'call' ? t.callee : undefined;
    const args = t.kind === 'call' ? t.args : [];
    const argTypes = args.map((a) => this.expr(a, scope));
    if (!pname) {
      this.error('E205', t.span, `'at' needs a process instance on its left, such as 'P(x)'`);
      return BOOL;
    }
    const g = this.globals.get(pname.text);
    if (!g || g.k !== 'process') {
      const names = this.processes.map((p) => p.name);
      const what = g ? `'${pname.text}' is ${article(describe(g))}, not a process` : `unknown process '${pname.text}'`;
      this.error(g ? 'E205' : 'E201', pname.span, what, didYouMean(pname.text, names) ?? (names.length ? `the processes are: ${names.join(', ')}` : 'this spec declares no process'));
      return BOOL;
    }
    const p = g.p;
    if (p.param) {
      if (t.kind !== 'call' || args.length !== 1) {
        this.error('E204', t.span, `process '${p.name}' has one instance per value of '${p.param.name}'`, `name the instance: '${p.name}(<${p.param.name}>) at ${e.label.text}'`);
      } else {
        this.expectType(args[0]!, p.param.type, argTypes[0]!, `the instance of '${p.name}'`);
      }
    } else if (t.kind === 'call') {
      this.error('E204', t.span, `process '${p.name}' has a single instance`, `write '${p.name} at ${e.label.text}'`);
    }
    // The pc's order: the labels, done, then the labels of the procedures P calls (`proc.label`).
    const steps = stepLabels(p);
    const all = [...p.labels, DONE, ...steps.slice(p.labels.length)];
    const labelIndex = (l: A.Name): number => {
      const at = steps.indexOf(l.text);
      const index = l.text === DONE ? p.labels.length : at < 0 ? -1 : at < p.labels.length ? at : at + 1;
      if (index < 0) this.error('E201', l.span, `process '${p.name}' has no label '${l.text}'`, didYouMean(l.text, all) ?? `its labels are: ${all.join(', ')}`);
      return index;
    };
    if (e.labels) {
      // `P(i) at {L1, L2}`: each label as for `at L`.
      const labels: number[] = [];
      for (const l of e.labels) {
        const index = labelIndex(l);
        if (index >= 0 && !labels.includes(index)) labels.push(index);
      }
      if (labels.length > 0) this.res.set(e, { k: 'process', proc: p, label: labels[0]!, labels });
      return BOOL;
    }
    const label = labelIndex(e.label);
    if (label < 0) return BOOL;
    this.res.set(e, { k: 'process', proc: p, label });
    return BOOL;
  }

  /** Reports a constant expression that reads the state through a definition (E216). */
  private mustBeConstant(e: A.Expr): void {
    if (this.constantExprs) {
      this.constantExprs.push(e);
      return;
    }
    const reads = stateReadIn(e, this.res);
    if (reads) {
      this.error('E216', reads.span, `this expression must be constant, but it reads the state ${reads.what}`, 'constants, range bounds and initial values given in a declaration cannot read the state');
    }
  }

  private useDef(d: CheckedDef): void {
    if (this.currentDef !== undefined) {
      let deps = this.defDeps.get(this.currentDef);
      if (!deps) this.defDeps.set(this.currentDef, (deps = new Set()));
      deps.add(d.name);
    }
  }

  private arity(e: Extract<A.Expr, { kind: 'call' }>, n: number | number[]): boolean {
    const ok = Array.isArray(n) ? n.includes(e.args.length) : e.args.length === n;
    if (!ok) {
      const want = Array.isArray(n) ? n.join(' or ') : String(n);
      this.error('E204', e.span, `'${e.callee.text}' takes ${want} argument(s), not ${e.args.length}`);
    }
    return ok;
  }

  private call(e: Extract<A.Expr, { kind: 'call' }>, scope: Scope): Type {
    const n = e.callee.text;
    const args = e.args.map((a) => this.expr(a, scope));
    if (scope.lookup(n)) {
      this.error('E205', e.callee.span, `'${n}' is a local value and cannot be called`);
      return ANY;
    }
    if (n === 'Some') {
      if (!this.arity(e, 1)) return ANY;
      const t = optionType(args[0]!);
      this.res.set(e, { k: 'case', info: (t as { info: VariantInfo }).info, tagIndex: 1 });
      return t;
    }
    const g = this.globals.get(n);
    if (g && g.k === 'case') {
      const c = g.info.cases[g.tagIndex]!;
      this.res.set(e, { k: 'case', info: g.info, tagIndex: g.tagIndex });
      if (c.payload === undefined) {
        this.error('E204', e.span, `'${n}' carries no value`, `write '${n}' without parentheses`);
      } else if (this.arity(e, 1)) {
        this.expectType(e.args[0]!, c.payload, args[0]!, `the value of '${n}'`);
      }
      return { k: 'variant', info: g.info };
    }
    if (g && g.k === 'def') {
      this.useDef(g.d);
      this.res.set(e, { k: 'def', def: g.d });
      if (this.arity(e, g.d.decl.params.length)) {
        args.forEach((t, i) => this.expectType(e.args[i]!, g.d.paramTypes[i]!, t, `argument ${i + 1} of '${n}'`));
      }
      return g.d.result;
    }
    if (g) {
      this.error('E205', e.callee.span, `'${n}' is ${article(describe(g))} and cannot be called`);
      return ANY;
    }
    if (!(BUILTINS as readonly string[]).includes(n)) {
      const candidates = [...BUILTINS, ...[...this.globals].filter(([, v]) => v.k === 'def' || v.k === 'case').map(([k]) => k)];
      this.error('E201', e.callee.span, `unknown function '${n}'`, didYouMean(n, candidates));
      return ANY;
    }
    this.res.set(e, { k: 'builtin', name: n as Builtin });
    return this.builtin(e, n as Builtin, args);
  }

  private builtin(e: Extract<A.Expr, { kind: 'call' }>, n: Builtin, args: Type[]): Type {
    const arg = (i: number, what: string, ok: (t: Type) => boolean): Type => {
      const t = args[i]!;
      if (t.k !== 'any' && !ok(t)) this.error('E205', e.args[i]!.span, `'${n}' needs ${what}, but this is ${formatType(t)}`);
      return t;
    };
    switch (n) {
      case 'size':
        if (this.arity(e, 1)) arg(0, 'a set, map or sequence', (t) => t.k === 'set' || t.k === 'map' || t.k === 'seq');
        return INT;
      case 'min':
      case 'max':
        if (!this.arity(e, [1, 2])) return INT;
        if (args.length === 1) arg(0, 'a set of integers', (t) => t.k === 'set' && compatible(t.elem, INT));
        else args.forEach((_, i) => arg(i, 'an integer', (t) => t.k === 'int'));
        return INT;
      case 'abs':
        if (this.arity(e, 1)) arg(0, 'an integer', (t) => t.k === 'int');
        return INT;
      case 'keys':
      case 'values': {
        if (!this.arity(e, 1)) return ANY;
        const t = arg(0, 'a map', (x) => x.k === 'map');
        return t.k === 'map' ? { k: 'set', elem: n === 'keys' ? t.key : t.value } : ANY;
      }
      case 'len':
        if (this.arity(e, 1)) arg(0, 'a sequence', (t) => t.k === 'seq');
        return INT;
      case 'head': {
        if (!this.arity(e, 1)) return ANY;
        const t = arg(0, 'a sequence', (x) => x.k === 'seq');
        return t.k === 'seq' ? t.elem : ANY;
      }
      case 'tail':
        if (!this.arity(e, 1)) return ANY;
        return arg(0, 'a sequence', (x) => x.k === 'seq');
      case 'append': {
        if (!this.arity(e, 2)) return ANY;
        const t = arg(0, 'a sequence', (x) => x.k === 'seq');
        if (t.k === 'seq') this.expectType(e.args[1]!, t.elem, args[1]!, `the element appended`);
        return t.k === 'seq' ? { k: 'seq', elem: join(t.elem, args[1]!) } : ANY;
      }
      case 'concat': {
        if (!this.arity(e, 2)) return ANY;
        const a = arg(0, 'a sequence', (x) => x.k === 'seq');
        const b = arg(1, 'a sequence', (x) => x.k === 'seq');
        this.expectType(e.args[1]!, a, b, 'the second sequence');
        return join(a, b);
      }
      case 'put': {
        if (!this.arity(e, 3)) return ANY;
        const m = arg(0, 'a map', (x) => x.k === 'map');
        if (m.k === 'map') {
          this.expectType(e.args[1]!, m.key, args[1]!, 'a map key');
          this.expectType(e.args[2]!, m.value, args[2]!, 'a map value');
          return { k: 'map', key: join(m.key, args[1]!), value: join(m.value, args[2]!) };
        }
        return ANY;
      }
      case 'remove': {
        if (!this.arity(e, 2)) return ANY;
        const m = arg(0, 'a map', (x) => x.k === 'map');
        if (m.k === 'map') this.expectType(e.args[1]!, m.key, args[1]!, 'a map key');
        return m;
      }
      case 'unwrap': {
        if (!this.arity(e, 1)) return ANY;
        const t = arg(0, 'an Option', (x) => isOption(x));
        return isOption(t) ? t.info.cases[1]!.payload! : ANY;
      }
      case 'slice': {
        if (!this.arity(e, 3)) return ANY;
        const t = arg(0, 'a sequence', (x) => x.k === 'seq');
        arg(1, 'an integer', (x) => x.k === 'int');
        arg(2, 'an integer', (x) => x.k === 'int');
        return t.k === 'seq' ? t : ANY;
      }
      case 'insertAt': {
        if (!this.arity(e, 3)) return ANY;
        const t = arg(0, 'a sequence', (x) => x.k === 'seq');
        arg(1, 'an integer', (x) => x.k === 'int');
        if (t.k === 'seq') this.expectType(e.args[2]!, t.elem, args[2]!, `the element inserted`);
        return t.k === 'seq' ? { k: 'seq', elem: join(t.elem, args[2]!) } : ANY;
      }
      case 'removeAt': {
        if (!this.arity(e, 2)) return ANY;
        const t = arg(0, 'a sequence', (x) => x.k === 'seq');
        arg(1, 'an integer', (x) => x.k === 'int');
        return t.k === 'seq' ? t : ANY;
      }
      case 'subsets': {
        if (!this.arity(e, 1)) return ANY;
        const t = arg(0, 'a set', (x) => x.k === 'set');
        return t.k === 'set' ? { k: 'set', elem: t } : ANY;
      }
      case 'maps': {
        if (!this.arity(e, 2)) return ANY;
        const k = arg(0, 'a set (the domain of every map)', (x) => x.k === 'set');
        const v = arg(1, 'a set (the values)', (x) => x.k === 'set');
        if (k.k !== 'set' || v.k !== 'set') return ANY;
        return { k: 'set', elem: { k: 'map', key: k.elem, value: v.elem } };
      }
    }
  }

  /**
   * `Set[T]`, `Seq[T]` or `Option[T]` written as an expression (`pick s in Set[Res]`) parses as
   * indexing a name that is not declared: say how to write the set of a type's values.
   */
  private typeAsValue(e: Extract<A.Expr, { kind: 'index' }>, scope: Scope): boolean {
    if (e.target.kind !== 'name') return false;
    const n = e.target.name.text;
    if (!['Set', 'Seq', 'Option', 'Map'].includes(n) || scope.lookup(n) || this.globals.has(n)) return false;
    this.error('E222', e.span, `'${n}[...]' is a type, not a set of values`, TYPE_AS_SET_HINT);
    return true;
  }

  private binary(e: Extract<A.Expr, { kind: 'binary' }>, scope: Scope): Type {
    const l = this.expr(e.left, scope);
    const r = this.expr(e.right, scope);
    const op = e.op;
    const both = (t: Type, what: string): void => {
      this.expectType(e.left, t, l, `the left side of '${what}'`);
      this.expectType(e.right, t, r, `the right side of '${what}'`);
    };
    switch (op) {
      case 'implies':
      case 'or':
      case 'and':
        both(BOOL, op);
        return BOOL;
      case '+':
      case '-':
      case '*':
      case '/':
      case '%':
        both(INT, op);
        return INT;
      case '<':
      case '<=':
      case '>':
      case '>=':
        both(INT, op);
        return BOOL;
      case '..':
        both(INT, op);
        return { k: 'set', elem: INT };
      case '==':
      case '!=':
        if (!compatible(l, r)) this.error('E205', e.span, `cannot compare ${formatType(l)} with ${formatType(r)}`);
        return BOOL;
      case 'in':
      case 'notin':
        if (r.k === 'set') {
          if (!compatible(r.elem, l)) this.error('E205', e.left.span, `a ${formatType(r)} cannot contain ${formatType(l)}`);
        } else if (r.k !== 'any') {
          this.error('E205', e.right.span, `'${op === 'in' ? 'in' : 'not in'}' needs a set on the right, but this is ${formatType(r)}`, r.k === 'map' ? 'use keys(m) for the keys of a map' : undefined);
        }
        return BOOL;
      case 'subset':
      case 'union':
      case 'minus':
      case 'inter': {
        if (l.k !== 'set' && l.k !== 'any') this.error('E205', e.left.span, `'${op}' needs sets, but this is ${formatType(l)}`);
        if (r.k !== 'set' && r.k !== 'any') this.error('E205', e.right.span, `'${op}' needs sets, but this is ${formatType(r)}`);
        if (!compatible(l, r)) this.error('E205', e.span, `cannot combine ${formatType(l)} with ${formatType(r)}`);
        return op === 'subset' ? BOOL : join(l, r);
      }
    }
  }
}

function article(noun: string): string {
  return /^[aeiou]/.test(noun) ? `an ${noun}` : `a ${noun}`;
}

function describe(g: Global): string {
  switch (g.k) {
    case 'const':
      return 'constant';
    case 'var':
      return 'state variable';
    case 'type':
      return 'type';
    case 'atom':
      return `value of enum ${g.info.name}`;
    case 'case':
      return `case of ${g.info.name}`;
    case 'def':
      return 'definition';
    case 'action':
      return 'action';
    case 'process':
      return 'process';
    case 'procedure':
      return 'procedure';
    case 'invariant':
      return 'invariant';
    case 'stepProperty':
      return 'step property';
    case 'property':
      return 'property';
    case 'import':
      return 'imported spec';
  }
}

// ---------------------------------------------------------------- walking

/** Calls f on e and every sub-expression. */
export function walkExpr(e: A.Expr, f: (e: A.Expr) => void): void {
  f(e);
  const w = (x: A.Expr): void => walkExpr(x, f);
  switch (e.kind) {
    case 'int':
    case 'bool':
    case 'name':
      return;
    case 'call':
      return e.args.forEach(w);
    case 'unary':
      return w(e.arg);
    case 'binary':
      w(e.left);
      return w(e.right);
    case 'is':
      return w(e.arg);
    case 'index':
      w(e.target);
      return w(e.index);
    case 'field':
    case 'tupleItem':
      return w(e.target);
    case 'withIndex':
      w(e.target);
      w(e.index);
      return w(e.value);
    case 'withFields':
      w(e.target);
      return e.fields.forEach((x) => w(x.value));
    case 'tuple':
    case 'setLit':
    case 'seqLit':
      return e.items.forEach(w);
    case 'mapLit':
      return e.entries.forEach((x) => {
        w(x.key);
        w(x.value);
      });
    case 'record':
      return e.fields.forEach((x) => w(x.value));
    case 'filter':
      w(e.binder.domain);
      return w(e.cond);
    case 'image':
      e.binders.forEach((b) => w(b.domain));
      return w(e.body);
    case 'mapFor':
      w(e.binder.domain);
      return w(e.body);
    case 'seqFilter':
      w(e.binder.domain);
      return w(e.cond);
    case 'seqFor':
      w(e.binder.domain);
      return w(e.body);
    case 'ifThen':
      w(e.cond);
      w(e.then);
      return w(e.else);
    case 'let':
      w(e.value);
      return w(e.body);
    case 'quant':
      e.binders.forEach((b) => w(b.domain));
      return w(e.body);
    case 'choose':
      w(e.binder.domain);
      return w(e.cond);
    case 'match':
      w(e.scrutinee);
      return e.arms.forEach((a) => w(a.body));
    case 'at':
      // The target names a process, not a function: only the instance is an expression.
      if (e.target.kind === 'call') e.target.args.forEach(w);
      return;
  }
}

/** Calls onExpr on every top-level expression of a statement (recursively through blocks). */
export function walkStmt(st: A.Stmt, onExpr: (e: A.Expr) => void, onLValue: (lv: A.LValue) => void = () => {}): void {
  const body = (ss: A.Stmt[]): void => ss.forEach((s) => walkStmt(s, onExpr, onLValue));
  switch (st.kind) {
    case 'require':
    case 'assert':
    case 'await':
      return onExpr(st.cond);
    case 'while':
      onExpr(st.cond);
      return body(st.body);
    case 'label':
    case 'goto':
    case 'return':
      return;
    case 'call':
      return st.args.forEach(onExpr);
    case 'let':
      return onExpr(st.value);
    case 'pick':
      onExpr(st.domain);
      if (st.where) onExpr(st.where);
      return;
    case 'if':
      onExpr(st.cond);
      body(st.then);
      if (st.else) body(st.else);
      return;
    case 'for':
      onExpr(st.domain);
      return body(st.body);
    case 'either':
      return st.branches.forEach(body);
    case 'match':
      onExpr(st.scrutinee);
      return st.arms.forEach((a) => body(a.body));
    case 'assign':
      onLValue(st.target);
      for (const s of st.target.path) if (s.kind === 'index') onExpr(s.index);
      return onExpr(st.value);
  }
}

/**
 * The first read of the state in `e`, directly or through a definition, or undefined when `e`
 * is constant.
 */
export function stateReadIn(e: A.Expr, res: Map<object, Resolution>, seen = new Set<CheckedDef>()): { span: A.Span; what: string } | undefined {
  let found: { span: A.Span; what: string } | undefined;
  walkExpr(e, (x) => {
    if (found) return;
    const r = res.get(x);
    if (r?.k === 'var') found = { span: x.span, what: `variable '${(x as { name: A.Name }).name.text}'` };
    else if (r?.k === 'plocal' || r?.k === 'process' || r?.k === 'pvar' || r?.k === 'frame') found = { span: x.span, what: 'of a process' };
    else if (r?.k === 'def' && !seen.has(r.def)) {
      seen.add(r.def);
      if (stateReadIn(r.def.decl.body, res, seen)) found = { span: x.span, what: `through definition '${r.def.name}'` };
    }
  });
  return found;
}

/** The bound expressions of every range inside a type. */
function rangeBounds(t: Type): A.Expr[] {
  switch (t.k) {
    case 'int':
      return t.range ? [t.range.lo, t.range.hi] : [];
    case 'set':
    case 'seq':
      return rangeBounds(t.elem);
    case 'map':
      return [...rangeBounds(t.key), ...rangeBounds(t.value)];
    case 'tuple':
      return t.items.flatMap(rangeBounds);
    case 'record':
      return t.types.flatMap(rangeBounds);
    case 'variant':
      return t.info.cases.flatMap((c) => (c.payload ? rangeBounds(c.payload) : []));
    default:
      return [];
  }
}

/** Resolves and type-checks a parsed spec. Throws SpecErrors with every diagnostic found. */
export function checkSpec(ast: A.SpecAst): CheckedSpec {
  return new Checker(ast).run();
}
