/**
 * The checker's shared state (side tables, globals, scopes) and its helpers: reporting a
 * diagnostic, declaring a global name, and resolving written types.
 */
import type * as A from '../ast.js';
import { Diagnostic, MAX_ERRORS, SpecErrors, didYouMean, type Code, type WarningCode } from '../diagnostics.js';
import {
  ANY, BOOL, INT, compatible, formatType, optionType, type EnumInfo, type Type, type VariantInfo,
} from '../types.js';
import type {
  Resolution, CheckedDef, CheckedVar, CheckedConst, CheckedProcess, CheckedProcedure,
  CheckedImport,
} from './checked.js';

/** A type as the spec writes it (a range alias stays `Res`, not `Int`), for messages. */
export function typeText(t: A.TypeExpr): string {
  const sp = t.span;
  return sp.source.text.slice(sp.start, sp.end).replace(/\s+/g, ' ');
}

export interface Local {
  readonly slot: number;
  readonly type: Type;
}

export class Scope {
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

export interface Frame {
  size: number;
  /** Whether state variables may be read here (not in constant expressions). */
  readonly stateful: boolean;
  /** A step predicate: primed names (the values after the step) may be read too. */
  readonly step?: boolean;
}

export type Global =
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
export const BUILTIN_TYPES = new Map<string, Type>([
  ['Int', INT],
  ['Bool', BOOL],
]);

/** What a statement list belongs to. */
export type Where = 'init' | 'action' | 'process';

export function article(noun: string): string {
  return /^[aeiou]/.test(noun) ? `an ${noun}` : `a ${noun}`;
}

export function describe(g: Global): string {
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

/** The bound expressions of every range inside a type. */
export function rangeBounds(t: Type): A.Expr[] {
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

export abstract class CheckerBase {
  protected abstract mustBeConstant(e: A.Expr): void;
  abstract expr(e: A.Expr, scope: Scope): Type;

  readonly diags: Diagnostic[] = [];
  /** Warnings (W codes): reported, but the spec is accepted. */
  readonly warnings: Diagnostic[] = [];
  readonly globals = new Map<string, Global>();
  readonly res = new Map<object, Resolution>();
  readonly types = new Map<A.Expr, Type>();
  readonly slots = new Map<object, number>();
  readonly constFrame: Frame = { size: 0, stateful: false };
  private resolving = new Set<string>();
  protected readonly defDeps = new Map<string, Set<string>>();
  protected currentDef: string | undefined;
  /**
   * Expressions that must be constant (constant values, initial values, range bounds,
   * overrides). A direct read of a state variable is caught where the name is resolved; a
   * read through a definition can only be seen once every definition is checked.
   */
  protected constantExprs: A.Expr[] | undefined = [];
  /** The process whose body is being checked, and the scope each of its steps starts in. */
  protected currentProcess: { p: CheckedProcess; base: Scope; stepNames: Set<string>; procedure?: CheckedProcedure } | undefined;
  protected readonly processes: CheckedProcess[] = [];
  protected readonly procedures: CheckedProcedure[] = [];
  protected readonly imports: CheckedImport[] = [];

  constructor(readonly ast: A.SpecAst) {}

  /**
   * Records an error. At the error past MAX_ERRORS the check stops: SpecErrors with the first
   * MAX_ERRORS, marked as stopped (nothing in the checker catches it).
   */
  error(code: Code, span: A.Span | undefined, message: string, hint?: string): void {
    this.report(new Diagnostic(code, span, message, hint));
  }

  /** As error, for a diagnostic already made. */
  report(d: Diagnostic): void {
    if (this.diags.length >= MAX_ERRORS) throw new SpecErrors(this.diags.splice(0), true);
    this.diags.push(d);
  }

  warn(code: WarningCode, span: A.Span | undefined, message: string, hint?: string): void {
    this.warnings.push(new Diagnostic(code, span, message, hint));
  }

  protected declare(name: A.Name, g: Global): void {
    if (this.globals.has(name.text) || BUILTIN_TYPES.has(name.text)) {
      this.error('E203', name.span, `'${name.text}' is declared twice`, 'rename one of the two declarations');
      return;
    }
    this.globals.set(name.text, g);
  }

  protected resolveNamedType(name: string, span: A.Span): Type {
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

  protected expectType(e: A.Expr | { span: A.Span }, expected: Type, actual: Type, what: string): void {
    if (!compatible(expected, actual)) {
      this.error('E205', e.span, `${what} should be ${formatType(expected)}, but this is ${formatType(actual)}`);
    }
  }
}
