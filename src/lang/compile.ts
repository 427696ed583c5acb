/**
 * Compiles a checked spec, with its constants fixed, into a TransitionSystem. Every
 * expression and statement becomes a JavaScript closure once, here; exploring a state never
 * walks the AST again.
 *
 * Statements are compiled in continuation-passing style: each takes the continuation of the
 * rest of the step, so `pick` and action parameters simply call it once per value. Writes to
 * state variables and local slots are undone when the continuation returns, so the branches of
 * a step share one state array without seeing each other's writes.
 */
import type * as A from './ast.js';
import { walkExpr, type CheckedAction, type CheckedBody, type CheckedCheck, type CheckedSpec, type Resolution } from './check.js';
import { hasRanges, type EnumInfo, type Type } from './types.js';
import { Processes, explainProcessStep, type ProcessContext } from './process.js';
import { Diagnostic, MAX_ENUMERATION, SpecErrors, type Code } from './diagnostics.js';
import { ModelError, type Invariant, type StepViolation, type TransitionSystem } from '../explore/system.js';
import type { ValueTables } from './value-codec.js';
import { compileFairness, compileProperties, type PropertyInstance } from './compile-temporal.js';
import {
  Atom, IList, IMap, ISet, NONE, Rec, Tuple, Variant, fingerprintValues, formatValue, mkMap, mkSeq, mkSet,
  sortedElements, valueEquals, type Value,
} from '../values/index.js';

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

function checkedInt(n: number, span: A.Span): number {
  if (!Number.isSafeInteger(n)) fail('E706', span, `integer overflow: the result ${n} is beyond ±2^53`);
  return n;
}

export interface CompiledSpec extends TransitionSystem<State, Label> {
  /** The names of the state's slots: the variables, then each process instance's pc and variables. */
  readonly varNames: readonly string[];
  /**
   * The slots after the variables: per process instance its pc (`Offline(m=C).pc`, an enum of
   * its labels and `done`) and its variables (`Offline(m=C).busy`), with their types.
   */
  readonly processSlots: readonly { readonly name: string; readonly type: Type }[];
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
  /** The type of every slot of the state (varNames' order), for the state codec. */
  readonly slotTypes: readonly Type[];
  /** The interned atoms, record field arrays and plain variants, for the state codec. */
  readonly valueTables: ValueTables;
  /**
   * Compiles one more expression of the spec (checked with it, e.g. an import's mapping) into
   * a function of the state; `frameSize` is the local slots its checking gave it.
   */
  compileExpr(e: A.Expr, frameSize: number): (state: State) => Value;
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

export class Compiler {
  /**
   * Set only while compiling for explainStep: a `require` whose condition is false then
   * records itself here. Read at compile time, so the closures of the search never see it.
   */
  explainSink: { rejected: RequireSite[] } | undefined;
  private readonly atoms = new Map<EnumInfo, Atom[]>();
  private readonly fieldArrays = new Map<string, readonly string[]>();
  readonly consts: Value[] = [];
  private constCtx: Ctx;
  /** The process instance whose steps are being compiled (labels, goto, its variables). */
  proc: ProcessContext | undefined;
  /** The processes' instances and state slots, for `P(i) at L`. */
  processes: Processes | undefined;

  constructor(
    readonly spec: CheckedSpec,
    overrides: ReadonlyMap<number, A.Expr>,
  ) {
    for (const info of spec.enums) this.atoms.set(info, info.members.map((m, i) => new Atom(info.name, m, i)));
    this.constCtx = { st: [], loc: new Array<Value>(spec.constFrame) };
    for (const c of spec.consts) {
      const e = overrides.get(c.index) ?? c.decl.value;
      const v = this.expr(e)(this.constCtx);
      this.checkRange(c.type, v, e.span, `constant '${c.name}'`);
      this.consts.push(v);
    }
  }

  // ---- values of types

  atom(info: EnumInfo, index: number): Atom {
    return this.atoms.get(info)![index]!;
  }

  /** Interns the atoms of an enum declared outside the spec's enums (a process's pc). */
  registerAtoms(info: EnumInfo, atoms: Atom[]): void {
    this.atoms.set(info, atoms);
  }

  fields(names: readonly string[]): readonly string[] {
    const key = names.join(',');
    let arr = this.fieldArrays.get(key);
    if (!arr) this.fieldArrays.set(key, (arr = names));
    return arr;
  }

  constValue(e: A.Expr): Value {
    return this.expr(e)(this.constCtx);
  }

  /** Bounds of a range type, evaluated once per range (they are constant). */
  private readonly ranges = new Map<object, [number, number]>();
  rangeOf(t: Extract<Type, { k: 'int' }>): [number, number] {
    let r = this.ranges.get(t.range!);
    if (!r) {
      r = [this.constValue(t.range!.lo) as number, this.constValue(t.range!.hi) as number];
      this.ranges.set(t.range!, r);
    }
    return r;
  }

  /** Every value of a finite type, in canonical order. */
  valuesOf(t: Type): Value[] {
    switch (t.k) {
      case 'bool':
        return [false, true];
      case 'enum':
        return this.atoms.get(t.info)!;
      case 'int': {
        const [lo, hi] = this.rangeOf(t);
        const out: Value[] = [];
        for (let i = lo; i <= hi; i++) out.push(i);
        return out;
      }
      case 'tuple':
        return product(t.items.map((x) => this.valuesOf(x))).map((items) => new Tuple(items));
      case 'record': {
        const f = this.fields(t.fields);
        return product(t.types.map((x) => this.valuesOf(x))).map((vs) => new Rec(f, vs));
      }
      case 'variant': {
        const out: Value[] = [];
        t.info.cases.forEach((c, i) => {
          if (c.payload === undefined) out.push(this.variant(t.info.cases[i]!.tag, i, undefined));
          else for (const v of this.valuesOf(c.payload)) out.push(new Variant(c.tag, i, v));
        });
        return out;
      }
      case 'set':
        return subsetsOf(this.valuesOf(t.elem));
      case 'map': {
        const keys = this.valuesOf(t.key);
        return partialMapsOf(keys, keys.length === 0 ? [] : this.valuesOf(t.value));
      }
      default:
        throw new Error(`internal error: no finite domain for type ${t.k}`);
    }
  }

  /**
   * How many values a finite type has, as a float: exact up to 2^53, Infinity when it
   * overflows. 2^|T| for Set[T]; for Map[K, V], whose values each have their own domain (a
   * subset of K), the sum over the subsets D of K of |V|^|D|, that is (|V| + 1)^|K|.
   */
  sizeOf(t: Type): number {
    switch (t.k) {
      case 'bool':
        return 2;
      case 'enum':
        return t.info.members.length;
      case 'int': {
        if (!t.range) return Infinity;
        const [lo, hi] = this.rangeOf(t);
        return Math.max(0, hi - lo + 1);
      }
      case 'tuple':
      case 'record':
        // 0 × Infinity is 0 here: a product with an empty factor is empty.
        return (t.k === 'tuple' ? t.items : t.types).reduce((n, x) => {
          const m = this.sizeOf(x);
          return n === 0 || m === 0 ? 0 : n * m;
        }, 1);
      case 'variant':
        return t.info.cases.reduce((n, c) => n + (c.payload === undefined ? 1 : this.sizeOf(c.payload)), 0);
      case 'set':
        return 2 ** this.sizeOf(t.elem);
      case 'map': {
        const k = this.sizeOf(t.key);
        return k === 0 ? 1 : (this.sizeOf(t.value) + 1) ** k;
      }
      default:
        return Infinity;
    }
  }

  /** The largest size among a type and the types it is made of: what enumerating it builds. */
  private enumerationSize(t: Type): number {
    let n = this.sizeOf(t);
    if (Number.isNaN(n)) return n;
    const parts: Type[] =
      t.k === 'tuple' ? [...t.items] : t.k === 'record' ? [...t.types] : t.k === 'set' ? [t.elem] : t.k === 'map' ? [t.key, t.value]
        : t.k === 'variant' ? t.info.cases.flatMap((c) => (c.payload ? [c.payload] : [])) : [];
    for (const x of parts) n = Math.max(n, this.enumerationSize(x));
    return n;
  }

  /**
   * Every value of a finite type (valuesOf), after checking, before anything is built, that
   * there are at most MAX_ENUMERATION: otherwise E221, a static error of this configuration.
   */
  enumerate(t: Type, span: A.Span, what: string): Value[] {
    const n = this.enumerationSize(t);
    // Written so that a NaN (1^Infinity for a map into a type without values) is refused too.
    if (!(n <= MAX_ENUMERATION)) {
      throw new SpecErrors([
        new Diagnostic('E221', span, `${what} has ${formatCount(n)} values, more than the ${formatCount(MAX_ENUMERATION)} spex enumerates`, ENUMERATION_HINT),
      ]);
    }
    return this.valuesOf(t);
  }

  private readonly plainCases = new Map<string, Variant>();
  variant(tag: string, tagIndex: number, payload: Value | undefined): Variant {
    if (payload !== undefined) return new Variant(tag, tagIndex, payload);
    if (tag === 'None' && tagIndex === 0) return NONE;
    let v = this.plainCases.get(tag);
    if (!v) this.plainCases.set(tag, (v = new Variant(tag, tagIndex)));
    return v;
  }

  /** Whether a value lies within every range its declared type names. */
  inRange(t: Type, v: Value): boolean {
    switch (t.k) {
      case 'int': {
        if (!t.range) return true;
        const [lo, hi] = this.rangeOf(t);
        return (v as number) >= lo && (v as number) <= hi;
      }
      case 'set':
      case 'seq':
        for (const x of v as ISet<Value> | IList<Value>) if (!this.inRange(t.elem, x)) return false;
        return true;
      case 'map':
        for (const [k, x] of v as IMap<Value, Value>) if (!this.inRange(t.key, k) || !this.inRange(t.value, x)) return false;
        return true;
      case 'tuple':
        return t.items.every((it, i) => this.inRange(it, (v as Tuple).items[i]!));
      case 'record':
        return t.types.every((it, i) => this.inRange(it, (v as Rec).values[i]!));
      case 'variant': {
        const vv = v as Variant;
        const c = t.info.cases[vv.tagIndex];
        return c?.payload === undefined || vv.value === undefined || this.inRange(c.payload, vv.value);
      }
      default:
        return true;
    }
  }

  checkRange(t: Type, v: Value, span: A.Span, what: string): void {
    if (hasRanges(t) && !this.inRange(t, v)) {
      fail('E703', span, `${what} would be ${formatValue(v)}, outside its declared type`, 'check the bounds of its range type, or the guard that should prevent this step');
    }
  }

  // ---- expressions

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

  /**
   * Compiles an expression. One that reads no state, no local and no definition is evaluated
   * once, here (set literals in invariants, constant arithmetic); if that evaluation fails,
   * it stays dynamic so that the error is reported in the step that reaches it.
   */
  expr(e: A.Expr): Ev {
    const ev = this.exprDynamic(e);
    if (e.kind === 'int' || e.kind === 'bool' || !this.isConstant(e)) return ev;
    try {
      const v = ev(this.constCtx);
      return () => v;
    } catch (err) {
      if (err instanceof ModelError) return ev;
      throw err;
    }
  }

  private readonly constantMemo = new Map<A.Expr, boolean>();
  /** Whether an expression reads nothing that can change (no state, local or definition). */
  isConstant(e: A.Expr): boolean {
    let memo = this.constantMemo.get(e);
    if (memo !== undefined) return memo;
    memo = true;
    walkExpr(e, (x) => {
      if (!memo) return;
      switch (x.kind) {
        case 'name':
        case 'call': {
          // Only names whose value cannot change: constants already evaluated, enum atoms,
          // variant cases, type names as sets, built-in functions. Everything else (state and
          // process variables, locals, definitions, pcs) may read the state.
          const r = this.spec.res.get(x);
          const fixed =
            r !== undefined &&
            ((r.k === 'const' && r.index < this.consts.length) || r.k === 'atom' || r.k === 'case' || r.k === 'typeSet' || r.k === 'builtin');
          if (!fixed) memo = false;
          break;
        }
        case 'int': case 'bool': case 'unary': case 'binary': case 'is': case 'index': case 'field':
        case 'tupleItem': case 'withIndex': case 'withFields': case 'tuple': case 'setLit':
        case 'seqLit': case 'mapLit': case 'record': case 'ifThen':
          break;
        default:
          // Binders (quantifiers, comprehensions, let, match arms) and anything newer.
          memo = false;
      }
    });
    this.constantMemo.set(e, memo);
    return memo;
  }

  private exprDynamic(e: A.Expr): Ev {
    switch (e.kind) {
      case 'int':
      case 'bool': {
        const v = e.value;
        return () => v;
      }
      case 'name':
        return this.name(e);
      case 'primed': {
        // Only in step predicates, evaluated with c.nx: the state after the step.
        const r = this.res(e) as Extract<Resolution, { k: 'next' }>;
        const i = r.index;
        return (c) => c.nx![i]!;
      }
      case 'call':
        return this.call(e);
      case 'unary': {
        const a = this.expr(e.arg);
        return e.op === 'not' ? (c) => !a(c) : (c) => -(a(c) as number) || 0;
      }
      case 'binary':
        return this.binary(e);
      case 'is': {
        const a = this.expr(e.arg);
        const r = this.spec.res.get(e);
        const tagIndex = r && r.k === 'case' ? r.tagIndex : -1;
        return (c) => (a(c) as Variant).tagIndex === tagIndex;
      }
      case 'index': {
        const t = this.expr(e.target);
        const i = this.expr(e.index);
        const span = e.span;
        if (this.type(e.target).k === 'seq') {
          return (c) => seqGet(t(c) as IList<Value>, i(c) as number, span);
        }
        return (c) => mapGet(t(c) as IMap<Value, Value>, i(c), span);
      }
      case 'field': {
        const pv = this.spec.res.get(e);
        if (pv?.k === 'pvar') {
          const inst = e.target.kind === 'call' && e.target.args.length > 0 ? this.expr(e.target.args[0]!) : undefined;
          return this.processes!.read(pv.proc, pv.index, inst, e.span);
        }
        const t = this.expr(e.target);
        const rt = this.type(e.target);
        const name = e.field.text;
        // The type is unknown only where no value can exist (an element of `{}` or `[]`).
        if (rt.k !== 'record') return (c) => (t(c) as Rec).get(name);
        const idx = rt.fields.indexOf(name);
        return (c) => (t(c) as Rec).values[idx]!;
      }
      case 'tupleItem': {
        const t = this.expr(e.target);
        const idx = e.item;
        return (c) => (t(c) as Tuple).items[idx]!;
      }
      case 'withIndex': {
        const t = this.expr(e.target);
        const i = this.expr(e.index);
        const v = this.expr(e.value);
        const span = e.span;
        if (this.type(e.target).k === 'seq') {
          return (c) => {
            const s = t(c) as IList<Value>;
            const k = i(c) as number;
            seqGet(s, k, span);
            return s.set(k, v(c));
          };
        }
        return (c) => {
          const m = t(c) as IMap<Value, Value>;
          const k = i(c);
          mapGet(m, k, span);
          return m.set(k, v(c));
        };
      }
      case 'withFields': {
        const t = this.expr(e.target);
        const updates = e.fields.map((f) => ({ name: f.name.text, ev: this.expr(f.value) }));
        return (c) => {
          const r = t(c) as Rec;
          const values = r.values.slice();
          for (const u of updates) values[r.fields.indexOf(u.name)] = u.ev(c);
          return new Rec(r.fields, values);
        };
      }
      case 'tuple': {
        const items = e.items.map((x) => this.expr(x));
        return (c) => new Tuple(items.map((f) => f(c)));
      }
      case 'setLit': {
        const items = e.items.map((x) => this.expr(x));
        if (items.length === 0) {
          const empty = mkSet();
          return () => empty;
        }
        return (c) => mkSet(items.map((f) => f(c)));
      }
      case 'seqLit': {
        const items = e.items.map((x) => this.expr(x));
        return (c) => mkSeq(items.map((f) => f(c)));
      }
      case 'mapLit': {
        const entries = e.entries.map((x) => ({ k: this.expr(x.key), v: this.expr(x.value), span: x.key.span }));
        return (c) =>
          IMap<Value, Value>().withMutations((m) => {
            for (const en of entries) {
              const k = en.k(c);
              if (m.has(k)) fail('E702', en.span, `key ${formatValue(k)} is given twice in this map`);
              m.set(k, en.v(c));
            }
          });
      }
      case 'record': {
        const rt = this.type(e) as Extract<Type, { k: 'record' }>;
        const f = this.fields(rt.fields);
        const byName = new Map(e.fields.map((x) => [x.name.text, this.expr(x.value)]));
        const evs = rt.fields.map((n) => byName.get(n)!);
        return (c) => new Rec(f, evs.map((ev) => ev(c)));
      }
      case 'filter': {
        const dom = this.expr(e.binder.domain);
        const s = this.slot(e.binder);
        const cond = this.expr(e.cond);
        return (c) =>
          ISet<Value>().withMutations((out) => {
            for (const x of elementsOf(dom(c) as ISet<Value>)) {
              c.loc[s] = x;
              if (cond(c)) out.add(x);
            }
          });
      }
      case 'image': {
        const body = this.expr(e.body);
        const binders = e.binders.map((b) => ({ dom: this.expr(b.domain), slot: this.slot(b) }));
        return (c) =>
          ISet<Value>().withMutations((out) => {
            forEachBinding(c, binders, 0, () => {
              out.add(body(c));
              return true;
            });
          });
      }
      case 'mapFor': {
        const dom = this.expr(e.binder.domain);
        const s = this.slot(e.binder);
        const body = this.expr(e.body);
        return (c) =>
          IMap<Value, Value>().withMutations((m) => {
            for (const x of elementsOf(dom(c) as ISet<Value>)) {
              c.loc[s] = x;
              m.set(x, body(c));
            }
          });
      }
      case 'seqFilter': {
        const dom = this.expr(e.binder.domain);
        const s = this.slot(e.binder);
        const cond = this.expr(e.cond);
        return (c) => {
          const out: Value[] = [];
          for (const x of dom(c) as IList<Value>) {
            c.loc[s] = x;
            if (cond(c)) out.push(x);
          }
          return mkSeq(out);
        };
      }
      case 'seqFor': {
        const dom = this.expr(e.binder.domain);
        const s = this.slot(e.binder);
        const body = this.expr(e.body);
        const overSeq = this.type(e.binder.domain).k === 'seq';
        return (c) => {
          const d = dom(c);
          const out: Value[] = [];
          // A sequence in its order; a set (a range among them) in canonical order, ascending for integers.
          for (const x of overSeq ? (d as IList<Value>) : elementsOf(d as ISet<Value>)) {
            c.loc[s] = x;
            out.push(body(c));
          }
          return mkSeq(out);
        };
      }
      case 'ifThen': {
        const cond = this.expr(e.cond);
        const a = this.expr(e.then);
        const b = this.expr(e.else);
        return (c) => (cond(c) ? a(c) : b(c));
      }
      case 'let': {
        const v = this.expr(e.value);
        const s = this.slot(e);
        const body = this.expr(e.body);
        return (c) => {
          c.loc[s] = v(c);
          return body(c);
        };
      }
      case 'quant': {
        const body = this.expr(e.body);
        const binders = e.binders.map((b) => ({ dom: this.expr(b.domain), slot: this.slot(b) }));
        const span = e.span;
        if (e.quant === 'forall') return (c) => forEachBinding(c, binders, 0, () => body(c) as boolean);
        if (e.quant === 'exists') return (c) => !forEachBinding(c, binders, 0, () => !(body(c) as boolean));
        return (c) => {
          let total = 0;
          forEachBinding(c, binders, 0, () => {
            total = checkedInt(total + (body(c) as number), span);
            return true;
          });
          return total;
        };
      }
      case 'choose': {
        const dom = this.expr(e.binder.domain);
        const s = this.slot(e.binder);
        const cond = this.expr(e.cond);
        const span = e.span;
        return (c) => {
          for (const x of sortedElements(dom(c) as ISet<Value>)) {
            c.loc[s] = x;
            if (cond(c)) return x;
          }
          return fail('E704', span, 'choose found no element that satisfies its condition', 'guard it with exists, or make sure the set is not empty');
        };
      }
      case 'at': {
        const r = this.res(e) as Extract<Resolution, { k: 'process' }>;
        const inst = e.target.kind === 'call' ? this.expr(e.target.args[0]!) : undefined;
        if (r.labels) return this.processes!.atAny(r.proc, r.labels, inst, e.span);
        return this.processes!.at(r.proc, r.label, inst, e.span);
      }
      case 'match': {
        const scrut = this.expr(e.scrutinee);
        const arms = e.arms.map((a) => ({ test: this.pattern(a.pattern), body: this.expr(a.body) }));
        const span = e.span;
        return (c) => {
          const v = scrut(c);
          for (const a of arms) if (a.test(c, v)) return a.body(c);
          return fail('E707', span, `no arm matches ${formatValue(v)}`);
        };
      }
    }
  }

  /** A pattern as a test that binds the payload slot (if any) when it matches. */
  pattern(p: A.Pattern): (c: Ctx, v: Value) => boolean {
    switch (p.kind) {
      case 'wild':
        return () => true;
      case 'int': {
        const n = p.value;
        return (_c, v) => v === n;
      }
      case 'name': {
        const r = this.res(p);
        if (r.k === 'atom') {
          const a = this.atom(r.info, r.index);
          return (_c, v) => v === a || valueEquals(v, a);
        }
        const tagIndex = (r as { tagIndex: number }).tagIndex;
        return (_c, v) => (v as Variant).tagIndex === tagIndex;
      }
      case 'payload': {
        const r = this.res(p) as { tagIndex: number };
        const tagIndex = r.tagIndex;
        const s = this.spec.slots.get(p);
        return (c, v) => {
          if ((v as Variant).tagIndex !== tagIndex) return false;
          if (s !== undefined) c.loc[s] = (v as Variant).value!;
          return true;
        };
      }
    }
  }

  private name(e: Extract<A.Expr, { kind: 'name' }>): Ev {
    const r = this.res(e);
    switch (r.k) {
      case 'var': {
        const i = r.index;
        const span = e.span;
        const name = e.name.text;
        return (c) => {
          const v = c.st[i];
          if (v === undefined) fail('E708', span, `'${name}' has no value yet`, `assign '${name}' earlier in init`);
          return v;
        };
      }
      case 'const': {
        const consts = this.consts;
        const i = r.index;
        if (i < consts.length) {
          const v = consts[i]!;
          return () => v;
        }
        // Only reached while the constants themselves are being evaluated.
        return () => consts[i]!;
      }
      case 'local': {
        const s = r.slot;
        return (c) => c.loc[s]!;
      }
      case 'atom': {
        const a = this.atom(r.info, r.index);
        return () => a;
      }
      case 'case': {
        const v = this.variant(r.info.cases[r.tagIndex]?.tag ?? 'None', r.tagIndex, undefined);
        return () => v;
      }
      case 'typeSet': {
        const t = r.type;
        // Checked now, built on first use.
        this.enumerate(t, e.span, `the type ${spanText(e.span)}`);
        let cached: ISet<Value> | undefined;
        return () => (cached ??= mkSet(this.valuesOf(t)));
      }
      case 'def':
        return this.defCall(r.def.name, []);
      case 'plocal': {
        const i = this.procSlot(r.index);
        return (c) => c.st[i]!;
      }
      case 'frame':
        return this.procCtx().frameRead(r.index);
      case 'builtin':
      case 'process':
      case 'pvar':
      case 'next':
        throw new Error(`internal error: ${r.k} used as a value`);
    }
  }

  /**
   * `subsets(S)` (2^|S| sets) and `maps(S, T)` (|T|^|S| maps). The size is checked before
   * anything is built: with constant arguments when compiling (E221), else in the step (E710).
   */
  private enumerationBuiltin(e: Extract<A.Expr, { kind: 'call' }>, name: 'subsets' | 'maps', args: Ev[]): Ev {
    const span = e.span;
    const constant = e.args.every((a) => this.isConstant(a));
    const build = (sets: ISet<Value>[], staticError: boolean): ISet<Value> => {
      const n = name === 'subsets' ? 2 ** sets[0]!.size : sets[1]!.size ** sets[0]!.size;
      if (n > MAX_ENUMERATION) {
        const what = name === 'subsets'
          ? `subsets of a set of ${sets[0]!.size} elements: 2^${sets[0]!.size} = ${formatCount(n)} sets`
          : `maps from ${sets[0]!.size} keys to ${sets[1]!.size} values: ${sets[1]!.size}^${sets[0]!.size} = ${formatCount(n)} maps`;
        const message = `${what}, more than the ${formatCount(MAX_ENUMERATION)} spex enumerates`;
        if (staticError) throw new SpecErrors([new Diagnostic('E221', span, message, ENUMERATION_HINT)]);
        fail('E710', span, message, 'guard the step so that the set stays small, or enumerate a smaller set');
      }
      const keys = sortedElements(sets[0]!) as Value[];
      return mkSet(name === 'subsets' ? subsetsOf(keys) : totalMapsOf(keys, sortedElements(sets[1]!) as Value[]));
    };
    if (constant) {
      let v: ISet<Value> | undefined;
      try {
        v = build(args.map((a) => a(this.constCtx) as ISet<Value>), true);
      } catch (err) {
        // A run-time error in the arguments is reported in the step that reaches it.
        if (!(err instanceof ModelError)) throw err;
      }
      if (v !== undefined) {
        const value = v;
        return () => value;
      }
    }
    return (c) => build(args.map((a) => a(c) as ISet<Value>), false);
  }

  /** The state slot of variable `index` of the process instance being compiled. */
  private procSlot(index: number): number {
    if (!this.proc) throw new Error('internal error: a process variable outside its process');
    return this.proc.base + 1 + index;
  }

  private defBodies = new Map<string, { body: Ev | undefined; frame: number; recursive: boolean }>();
  /** How many calls of recursive definitions are under way (E709 beyond MAX_DEF_DEPTH). */
  private defDepth = 0;

  private defCall(name: string, args: Ev[], span?: A.Span): Ev {
    let entry = this.defBodies.get(name);
    if (!entry) {
      const def = this.spec.defs.find((d) => d.name === name)!;
      entry = { body: undefined, frame: def.frameSize, recursive: def.recursive === true };
      this.defBodies.set(name, entry);
      entry.body = this.expr(def.decl.body);
    }
    const d = entry;
    const n = args.length;
    if (d.recursive && span) {
      // Past the limit (or out of stack) the error is raised at the outermost call of a
      // recursive definition: where the spec's own expression started the recursion.
      return (c) => {
        if (this.defDepth >= MAX_DEF_DEPTH) throw TOO_DEEP;
        const loc = new Array<Value>(d.frame);
        for (let i = 0; i < n; i++) loc[i] = args[i]!(c);
        const outer = this.defDepth === 0;
        this.defDepth++;
        try {
          return d.body!({ st: c.st, loc });
        } catch (err) {
          const overflow = err instanceof RangeError && /call stack/.test(err.message);
          if (err !== TOO_DEEP && err !== STACK_EXHAUSTED && !overflow) throw err;
          if (!outer) throw overflow ? STACK_EXHAUSTED : err;
          const how = err === TOO_DEEP ? `nested more than ${MAX_DEF_DEPTH} deep` : 'nested so deep that they exhausted the stack';
          return fail('E709', span, `recursion too deep: calls of '${name}' ${how}`, 'make sure every recursive call moves toward a case that does not recurse (check the arguments this call receives)');
        } finally {
          this.defDepth--;
        }
      };
    }
    return (c) => {
      const loc = new Array<Value>(d.frame);
      for (let i = 0; i < n; i++) loc[i] = args[i]!(c);
      return d.body!({ st: c.st, loc });
    };
  }

  private call(e: Extract<A.Expr, { kind: 'call' }>): Ev {
    const r = this.res(e);
    const args = e.args.map((a) => this.expr(a));
    const span = e.span;
    if (r.k === 'case') {
      const tag = r.info.cases[r.tagIndex]!.tag;
      const ti = r.tagIndex;
      const a = args[0]!;
      return (c) => new Variant(tag, ti, a(c));
    }
    if (r.k === 'def') return this.defCall(r.def.name, args, span);
    if (r.k !== 'builtin') throw new Error('internal error: bad call');
    const [a, b, d] = args as [Ev, Ev, Ev];
    switch (r.name) {
      case 'size':
        return (c) => (a(c) as ISet<Value>).size;
      case 'min':
      case 'max': {
        const pick = r.name === 'min' ? Math.min : Math.max;
        if (args.length === 2) return (c) => pick(a(c) as number, b(c) as number);
        const what = r.name;
        return (c) => {
          const s = a(c) as ISet<Value>;
          if (s.size === 0) fail('E704', span, `${what} of an empty set`);
          let best = NaN;
          for (const x of s) best = Number.isNaN(best) ? (x as number) : pick(best, x as number);
          return best;
        };
      }
      case 'abs':
        return (c) => Math.abs(a(c) as number);
      case 'keys':
        return (c) => (a(c) as IMap<Value, Value>).keySeq().toSet();
      case 'values':
        return (c) => (a(c) as IMap<Value, Value>).valueSeq().toSet();
      case 'len':
        return (c) => (a(c) as IList<Value>).size;
      case 'head':
        return (c) => seqGet(a(c) as IList<Value>, 0, span);
      case 'tail':
        return (c) => {
          const s = a(c) as IList<Value>;
          if (s.size === 0) fail('E705', span, 'tail of an empty sequence');
          return s.shift();
        };
      case 'append':
        return (c) => (a(c) as IList<Value>).push(b(c));
      case 'concat':
        return (c) => (a(c) as IList<Value>).concat(b(c) as IList<Value>);
      case 'put':
        return (c) => (a(c) as IMap<Value, Value>).set(b(c), d(c));
      case 'remove':
        return (c) => (a(c) as IMap<Value, Value>).remove(b(c));
      case 'subsets':
      case 'maps':
        return this.enumerationBuiltin(e, r.name, args);
      case 'unwrap':
        return (c) => {
          const o = a(c) as Variant;
          if (o.value === undefined) fail('E708', span, 'unwrap of None', "test it with 'is Some' or match it first");
          return o.value;
        };
      case 'slice':
        return (c) => {
          const s = a(c) as IList<Value>;
          const i = b(c) as number;
          const j = d(c) as number;
          if (!(0 <= i && i <= j && j <= s.size)) {
            fail('E705', span, `slice from index ${i} to ${j} is out of bounds for a sequence of length ${s.size}`, 'slice(s, i, j) needs 0 <= i <= j <= len(s)');
          }
          return s.slice(i, j);
        };
      case 'insertAt':
        return (c) => {
          const s = a(c) as IList<Value>;
          const i = b(c) as number;
          if (!(0 <= i && i <= s.size)) {
            fail('E705', span, `insertAt index ${i} is out of bounds for a sequence of length ${s.size}`, 'insertAt(s, i, x) needs 0 <= i <= len(s)');
          }
          return s.insert(i, d(c));
        };
      case 'removeAt':
        return (c) => {
          const s = a(c) as IList<Value>;
          const i = b(c) as number;
          if (!(0 <= i && i < s.size)) {
            fail('E705', span, `removeAt index ${i} is out of bounds for a sequence of length ${s.size}`, 'removeAt(s, i) needs 0 <= i < len(s)');
          }
          return s.remove(i);
        };
    }
  }

  private binary(e: Extract<A.Expr, { kind: 'binary' }>): Ev {
    const l = this.expr(e.left);
    const r = this.expr(e.right);
    const span = e.span;
    switch (e.op) {
      case 'and':
        return (c) => (l(c) as boolean) && (r(c) as boolean);
      case 'or':
        return (c) => (l(c) as boolean) || (r(c) as boolean);
      case 'implies':
        return (c) => !(l(c) as boolean) || (r(c) as boolean);
      case '+':
        return (c) => checkedInt((l(c) as number) + (r(c) as number), span);
      case '-':
        return (c) => checkedInt((l(c) as number) - (r(c) as number), span);
      case '*':
        return (c) => checkedInt((l(c) as number) * (r(c) as number), span) || 0;
      case '/':
        return (c) => {
          const d = r(c) as number;
          if (d === 0) fail('E701', span, 'division by zero', 'guard the step with a require, or make the divisor non-zero');
          return Math.floor((l(c) as number) / d) || 0;
        };
      case '%':
        return (c) => {
          const d = r(c) as number;
          if (d === 0) fail('E701', span, 'remainder of a division by zero', 'guard the step with a require, or make the divisor non-zero');
          const n = l(c) as number;
          return n - d * Math.floor(n / d) || 0;
        };
      case '<':
        return (c) => (l(c) as number) < (r(c) as number);
      case '<=':
        return (c) => (l(c) as number) <= (r(c) as number);
      case '>':
        return (c) => (l(c) as number) > (r(c) as number);
      case '>=':
        return (c) => (l(c) as number) >= (r(c) as number);
      case '==':
        return (c) => valueEquals(l(c), r(c));
      case '!=':
        return (c) => !valueEquals(l(c), r(c));
      case 'in':
        return (c) => (r(c) as ISet<Value>).has(l(c));
      case 'notin':
        return (c) => !(r(c) as ISet<Value>).has(l(c));
      case 'subset':
        return (c) => (l(c) as ISet<Value>).isSubset(r(c) as ISet<Value>);
      case 'union':
        return (c) => (l(c) as ISet<Value>).union(r(c) as ISet<Value>);
      case 'minus':
        return (c) => (l(c) as ISet<Value>).subtract(r(c) as ISet<Value>);
      case 'inter':
        return (c) => (l(c) as ISet<Value>).intersect(r(c) as ISet<Value>);
      case '..':
        return (c) => {
          const lo = l(c) as number;
          const hi = r(c) as number;
          if (hi - lo > 10_000_000) fail('E706', span, `the range ${lo}..${hi} is too large to build`);
          return ISet<Value>().withMutations((s) => {
            for (let i = lo; i <= hi; i++) s.add(i);
          });
        };
    }
  }

  // ---- statements

  stmts(stmts: A.Stmt[], k: Cont): Cont {
    let next = k;
    for (let i = stmts.length - 1; i >= 0; i--) {
      const st = stmts[i]!;
      if (st.kind === 'label') {
        // What follows the label is its step; reaching the label ends the step before it.
        this.procCtx().define(st.name.text, next);
        next = this.procCtx().endAt(st.name.text);
      } else if (st.kind === 'while') {
        // The checker makes sure a while loop comes right after its label.
        next = this.whileStmt(st, (stmts[i - 1] as Extract<A.Stmt, { kind: 'label' }>).name.text, next);
      } else next = this.stmt(st, next);
    }
    return next;
  }

  private procCtx(): ProcessContext {
    if (!this.proc) throw new Error('internal error: a process statement outside a process');
    return this.proc;
  }

  /** `L: while c { body }`: test c; the end of the body goes back to L, ending the step. */
  private whileStmt(st: Extract<A.Stmt, { kind: 'while' }>, label: string, k: Cont): Cont {
    const cond = this.expr(st.cond);
    const body = this.stmts(st.body, this.procCtx().endAt(label));
    return (c) => (cond(c) ? body(c) : k(c));
  }

  private stmt(st: A.Stmt, k: Cont): Cont {
    switch (st.kind) {
      case 'goto':
        return this.procCtx().endAt(st.target.text);
      case 'call':
        return this.procCtx().call(st, k);
      case 'return':
        return this.procCtx().ret();
      case 'label':
      case 'while':
        throw new Error(`internal error: ${st.kind} compiled outside a statement list`);
      case 'await':
      case 'require': {
        const cond = this.expr(st.cond);
        const sink = this.explainSink;
        if (sink) {
          const site: RequireSite = st.kind === 'await' ? { span: st.span, cond: st.cond.span, keyword: 'await' } : { span: st.span, cond: st.cond.span };
          return (c) => {
            if (cond(c)) k(c);
            else sink.rejected.push(site);
          };
        }
        return (c) => {
          if (cond(c)) k(c);
        };
      }
      case 'let': {
        const v = this.expr(st.value);
        const s = this.slot(st);
        return (c) => {
          const old = c.loc[s]!;
          c.loc[s] = v(c);
          k(c);
          c.loc[s] = old;
        };
      }
      case 'pick': {
        const dom = this.expr(st.domain);
        const s = this.slot(st);
        const where = st.where ? this.expr(st.where) : undefined;
        // No element (an empty set, or none satisfying `where`): no successor, like TLA+'s \E.
        const sink = this.explainSink;
        const site: RequireSite | undefined = sink ? { span: st.span, cond: st.span, keyword: 'pick' } : undefined;
        return (c) => {
          const old = c.loc[s]!;
          let any = false;
          for (const x of sortedElements(dom(c) as ISet<Value>)) {
            c.loc[s] = x;
            if (where && !where(c)) continue;
            any = true;
            k(c);
          }
          c.loc[s] = old;
          if (!any && sink) sink.rejected.push(site!);
        };
      }
      case 'if': {
        const cond = this.expr(st.cond);
        const thenK = this.stmts(st.then, k);
        const elseK = st.else ? this.stmts(st.else, k) : k;
        return (c) => (cond(c) ? thenK(c) : elseK(c));
      }
      case 'either': {
        // Every branch runs on the same state, in the order written, each continuing with k.
        const branches = st.branches.map((b) => this.stmts(b, k));
        return (c) => {
          for (let i = 0; i < branches.length; i++) branches[i]!(c);
        };
      }
      case 'for': {
        const dom = this.expr(st.domain);
        const v = this.slot(st);
        // The two slots after the loop variable hold the elements and the position.
        const elemsSlot = v + 1;
        const posSlot = v + 2;
        const loop: Cont = (c) => {
          const elems = c.loc[elemsSlot] as unknown as readonly Value[];
          const i = c.loc[posSlot] as number;
          if (i >= elems.length) return k(c);
          const oldV = c.loc[v]!;
          c.loc[v] = elems[i]!;
          body(c);
          c.loc[v] = oldV;
        };
        const next: Cont = (c) => {
          const i = c.loc[posSlot] as number;
          c.loc[posSlot] = i + 1;
          loop(c);
          c.loc[posSlot] = i;
        };
        const body = this.stmts(st.body, next);
        return (c) => {
          const oldElems = c.loc[elemsSlot]!;
          const oldPos = c.loc[posSlot]!;
          c.loc[elemsSlot] = sortedElements(dom(c) as ISet<Value>) as unknown as Value;
          c.loc[posSlot] = 0;
          loop(c);
          c.loc[elemsSlot] = oldElems;
          c.loc[posSlot] = oldPos;
        };
      }
      case 'match': {
        const scrut = this.expr(st.scrutinee);
        const arms = st.arms.map((a) => ({ test: this.pattern(a.pattern), body: this.stmts(a.body, k) }));
        const span = st.span;
        return (c) => {
          const v = scrut(c);
          for (const a of arms) {
            if (a.test(c, v)) return a.body(c);
          }
          fail('E707', span, `no arm matches ${formatValue(v)}`);
        };
      }
      case 'assert': {
        const cond = this.expr(st.cond);
        const loc: RuntimeLocation = { code: 'assert', span: st.span };
        const message = st.message ?? 'assertion failed';
        return (c) => {
          if (!cond(c)) throw new ModelError('assert', message, loc);
          k(c);
        };
      }
      case 'assign':
        return this.assign(st, k);
    }
  }

  private assign(st: Extract<A.Stmt, { kind: 'assign' }>, k: Cont): Cont {
    const r = this.res(st.target) as Extract<Resolution, { k: 'var' | 'plocal' | 'frame' }>;
    const i = r.k === 'var' ? r.index : r.k === 'plocal' ? this.procSlot(r.index) : -1;
    // A procedure's parameter or variable: a field of the top frame of the call stack.
    const frame = r.k === 'frame' ? { slot: this.procCtx().stack!, index: r.index } : undefined;
    const varType = r.type;
    const value = this.expr(st.value);
    const name = st.target.root.text;
    const span = st.span;
    // Each selector rebuilds its level: maps and sequences may only update existing entries.
    type Upd = (c: Ctx, whole: Value, v: Value) => Value;
    let update: Upd = (_c, _w, v) => v;
    let t: Type = varType;
    const levels: { sel: A.LSelector; t: Type }[] = [];
    for (const sel of st.target.path) {
      levels.push({ sel, t });
      if (sel.kind === 'index') t = t.k === 'map' ? t.value : t.k === 'seq' ? t.elem : t;
      else if (t.k === 'record') t = t.types[t.fields.indexOf(sel.field.text)]!;
    }
    for (let j = levels.length - 1; j >= 0; j--) {
      const { sel, t: lt } = levels[j]!;
      const inner = update;
      if (sel.kind === 'index') {
        const idx = this.expr(sel.index);
        const sspan = sel.span;
        if (lt.k === 'seq') {
          update = (c, w, v) => {
            const s = w as IList<Value>;
            const key = idx(c) as number;
            return s.set(key, inner(c, seqGet(s, key, sspan), v));
          };
        } else {
          update = (c, w, v) => {
            const m = w as IMap<Value, Value>;
            const key = idx(c);
            return m.set(key, inner(c, mapGet(m, key, sspan), v));
          };
        }
      } else {
        const rt = lt as Extract<Type, { k: 'record' }>;
        const fi = rt.fields.indexOf(sel.field.text);
        update = (c, w, v) => {
          const rec = w as Rec;
          const values = rec.values.slice();
          values[fi] = inner(c, values[fi]!, v);
          return new Rec(rec.fields, values);
        };
      }
    }
    // Every state value already lies within its declared ranges (initial values and every
    // write are checked), so only the part written needs checking: the leaf's type.
    const leafType = t;
    const checkRange = hasRanges(leafType);
    const whole = levels.length === 0;
    const target = st.target.span.source.text.slice(st.target.span.start, st.target.span.end);
    if (frame) {
      return (c) => {
        const v = value(c);
        const stack = c.st[frame.slot] as IList<Value>;
        const top = stack.last() as Variant;
        const rec = top.value as Rec;
        if (checkRange && !this.inRange(leafType, v)) {
          fail('E703', span, `'${target}' would become ${formatValue(v)}, outside its declared type`, 'check the bounds of its range type, or the guard that should prevent this step');
        }
        const values = rec.values.slice();
        values[frame.index] = whole ? v : update(c, values[frame.index]!, v);
        c.st[frame.slot] = stack.set(stack.size - 1, new Variant(top.tag, top.tagIndex, new Rec(rec.fields, values)));
        k(c);
        c.st[frame.slot] = stack;
      };
    }
    return (c) => {
      const v = value(c);
      const old = c.st[i]!;
      if (!whole && old === undefined) fail('E708', span, `'${name}' has no value yet`, `assign '${name}' as a whole first`);
      if (checkRange && !this.inRange(leafType, v)) {
        fail('E703', span, `'${target}' would become ${formatValue(v)}, outside its declared type`, 'check the bounds of its range type, or the guard that should prevent this step');
      }
      const next = whole ? v : update(c, old, v);
      c.st[i] = next;
      k(c);
      c.st[i] = old;
    };
  }
}

/** The deepest nesting of calls of recursive definitions before run-time error E709. */
export const MAX_DEF_DEPTH = 1000;
/** Thrown from the deepest call; the outermost recursive call turns it into E709. */
const TOO_DEEP = new Error('recursion too deep');
/** Thrown on from a stack overflow inside a recursive definition, to the outermost call. */
const STACK_EXHAUSTED = new Error('recursion exhausted the stack');

const ENUMERATION_HINT = 'enumerate a smaller type or set (fewer elements, or a smaller range), or pick from a set built from the state';

/** A count for a message: exact with thousands separators, or its order of magnitude. */
function formatCount(n: number): string {
  if (n <= Number.MAX_SAFE_INTEGER) return n.toLocaleString('en-US');
  if (Number.isFinite(n)) return `about 10^${Math.floor(Math.log10(n))}`;
  return 'more than 10^308';
}

function spanText(span: A.Span): string {
  return span.source.text.slice(span.start, span.end).replace(/\s+/g, ' ');
}

/**
 * All subsets of `elems` (given in canonical order), in canonical order: by size, then by
 * their elements in order, so the k-subsets are the k-combinations of indices in lexicographic
 * order.
 */
export function subsetsOf(elems: readonly Value[]): ISet<Value>[] {
  const n = elems.length;
  const out: ISet<Value>[] = [];
  for (let k = 0; k <= n; k++) {
    const idx = Array.from({ length: k }, (_, i) => i);
    for (;;) {
      out.push(mkSet(idx.map((i) => elems[i]!)));
      let i = k - 1;
      while (i >= 0 && idx[i] === n - k + i) i--;
      if (i < 0) break;
      idx[i]!++;
      for (let j = i + 1; j < k; j++) idx[j] = idx[j - 1]! + 1;
    }
  }
  return out;
}

/**
 * All maps from a subset of `keys` to `values` (both in canonical order), in canonical order:
 * by size, then entry by entry (the first key, its value, the second key, ...).
 */
export function partialMapsOf(keys: readonly Value[], values: readonly Value[]): IMap<Value, Value>[] {
  const out: IMap<Value, Value>[] = [];
  const entries: [Value, Value][] = [];
  const walk = (from: number, left: number): void => {
    if (left === 0) {
      out.push(mkMap(entries));
      return;
    }
    for (let i = from; i <= keys.length - left; i++) {
      for (const v of values) {
        entries.push([keys[i]!, v]);
        walk(i + 1, left - 1);
        entries.pop();
      }
    }
  };
  for (let k = 0; k <= keys.length; k++) walk(0, k);
  return out;
}

/** All maps whose domain is exactly `keys`, values in `values`: canonical order, the first key's value most significant. */
export function totalMapsOf(keys: readonly Value[], values: readonly Value[]): IMap<Value, Value>[] {
  const out: IMap<Value, Value>[] = [];
  const entries: [Value, Value][] = [];
  const walk = (i: number): void => {
    if (i === keys.length) {
      out.push(mkMap(entries));
      return;
    }
    for (const v of values) {
      entries.push([keys[i]!, v]);
      walk(i + 1);
      entries.pop();
    }
  };
  walk(0);
  return out;
}

function product(lists: Value[][]): Value[][] {
  let out: Value[][] = [[]];
  for (const l of lists) out = out.flatMap((prefix) => l.map((x) => [...prefix, x]));
  return out;
}

function mapGet(m: IMap<Value, Value>, k: Value, span: A.Span): Value {
  const v = m.get(k);
  if (v === undefined) {
    const keys = [...m.keys()].map(formatValue).sort();
    const shown = keys.length > 8 ? keys.slice(0, 8).join(', ') + ', …' : keys.join(', ');
    fail('E702', span, `key ${formatValue(k)} is outside the map's domain {${shown}}`, 'use put(m, k, v) to add a key, or test membership with `k in keys(m)` first');
  }
  return v;
}

function seqGet(s: IList<Value>, i: number, span: A.Span): Value {
  if (!Number.isInteger(i) || i < 0 || i >= s.size) {
    fail('E705', span, `index ${i} is out of bounds for a sequence of length ${s.size}`, 'sequence indices run from 0 to len(s) - 1');
  }
  return s.get(i)!;
}

/**
 * The elements of a set in canonical order, as an array kept per set object. Canonical:
 * binders visit values in the same order however the set was built (or decoded in a worker),
 * so which element's evaluation fails first, and so every verdict, never depends on history.
 * Kept: quantifier domains are mostly constants or parts of a state that many evaluations
 * share, and walking an array costs far less than an immutable-js iterator.
 */
const elementArrays = new WeakMap<ISet<Value>, readonly Value[]>();
function elementsOf(s: ISet<Value>): readonly Value[] {
  let arr = elementArrays.get(s);
  if (!arr) elementArrays.set(s, (arr = sortedElements(s)));
  return arr;
}

/** Calls f for every combination of binder values; stops (returning false) when f does. */
function forEachBinding(c: Ctx, binders: { dom: Ev; slot: number }[], i: number, f: () => boolean): boolean {
  if (i === binders.length) return f();
  const b = binders[i]!;
  const elems = elementsOf(b.dom(c) as ISet<Value>);
  for (let j = 0; j < elems.length; j++) {
    c.loc[b.slot] = elems[j]!;
    if (!forEachBinding(c, binders, i + 1, f)) return false;
  }
  return true;
}

interface CompiledAction {
  readonly name: string;
  readonly paramNames: readonly string[];
  /** Runs the action on c.st, calling the continuation once per successor. */
  readonly run: Cont;
  readonly frame: number;
}

/**
 * Builds the transition system of a checked spec with constants fixed by `overrides`
 * (constant index → expression). Throws ModelError if a constant cannot be evaluated.
 */
export function compileSpec(spec: CheckedSpec, overrides: ReadonlyMap<number, A.Expr> = new Map(), check?: CheckedCheck): CompiledSpec {
  const cc = new Compiler(spec, overrides);
  const nVars = spec.vars.length;
  // Laid out first: any expression may ask where a process instance is.
  const processes = new Processes(cc, spec, nVars);
  cc.processes = processes;

  // The step being emitted; set by initialStates/successors around each run.
  let emitFn: (s: State, l: Label) => void = () => {};

  const labelOf = (a: CompiledAction, c: Ctx): Label => ({
    action: a.name,
    params: a.paramNames.map((name, i) => ({ name, value: c.loc[i]! })),
  });

  const actions: CompiledAction[] = spec.actions.map((a) => {
    const n = a.params.length;
    const finish: Cont = (c) => emitFn(c.st.slice(), labelOf(compiled, c));
    let run = cc.stmts(a.decl.body, finish);
    // Parameters bind slots 0..n-1, outermost first.
    for (let i = n - 1; i >= 0; i--) {
      const p = a.params[i]!;
      const inner = run;
      const slot = i;
      if (p.domain.k === 'type') {
        const decl = a.decl.params[i]!;
        const values = cc.enumerate(p.domain.type, decl.kind === 'typed' ? decl.type.span : a.decl.name.span, `the type of parameter '${p.name}'`);
        run = (c) => {
          for (const v of values) {
            c.loc[slot] = v;
            inner(c);
          }
        };
      } else {
        const dom = cc.expr(p.domain.expr);
        run = (c) => {
          for (const v of sortedElements(dom(c) as ISet<Value>)) {
            c.loc[slot] = v;
            inner(c);
          }
        };
      }
    }
    const compiled: CompiledAction = { name: a.name, paramNames: a.params.map((p) => p.name), run, frame: a.frameSize };
    return compiled;
  });

  processes.compileSteps(cc, (s, l) => emitFn(s, l));

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
        return ev({ st: s, loc }) as boolean;
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
        return ev({ st: from ?? to, loc, nx: to }) as boolean;
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
    return { name: c.name, action: c.action, holds: c.action ? holds : (_from: State | undefined, to: State) => holds(undefined, to) };
  });

  const views: CompiledView[] = spec.views.map((v) => {
    const ev = cc.expr(v.expr);
    return { name: v.name, type: spec.types.get(v.expr)!, value: (s: State) => ev({ st: s, loc: new Array<Value>(v.frameSize) }) };
  });

  const properties = compileProperties(spec, (e, frameSize, bound) => {
    const ev = cc.expr(e);
    const loc = new Array<Value>(frameSize);
    for (const b of bound) loc[b.slot] = b.value;
    return (s) => ev({ st: s, loc });
  });

  const explainAction = explainer(cc, spec);
  const explainCache: Parameters<typeof explainProcessStep>[2] = new Map();
  const terminating = processes.instances.length > 0 && !spec.actions.some((a) => a.name === TERMINATING.action);
  const explainStep = (state: State, label: Label): StepExplanation => {
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
    processSlots: processes.slots,
    invariantSpans: new Map([...spec.invariants, ...spec.stepProperties].map((inv) => [inv.name, inv.expr.span])),
    stepProperties,
    constraints,
    constValues: spec.consts.map((c, i) => ({ name: c.name, value: cc.consts[i]! })),
    invariants,
    views,
    properties,
    fairness: compileFairness(spec),
    initialStates(emit) {
      emitFn = (s) => emit(s);
      // Global variables' choices vary slowest (state-slot order, the last slot fastest), then
      // the process variables' combinations; init runs from each.
      const c: Ctx = { st: [], loc: new Array<Value>(spec.init.frameSize) };
      const globals = initValues.slice() as Value[];
      const choose = (k: number): void => {
        if (k === choices.length) {
          for (const procInit of procInits) {
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
      ctx.st = state.slice();
      for (const a of actions) {
        try {
          a.run(ctx);
        } catch (err) {
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
    slotTypes: [...spec.vars.map((v) => v.type), ...processes.slots.map((x) => x.type)],
    valueTables: {
      atom: (info, index) => cc.atom(info, index),
      fields: (names) => cc.fields(names),
      variant: (tag, tagIndex, payload) => cc.variant(tag, tagIndex, payload),
    },
    compileExpr(e, frameSize) {
      const ev = cc.expr(e);
      return (s) => ev({ st: s, loc: new Array<Value>(frameSize) });
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
 * explainStep for compileSpec. Each action is compiled again on first use, with `require`s
 * that record why they stopped the step and parameters fixed to the label's values, which
 * are checked against their domains instead of enumerated.
 */
function explainer(cc: Compiler, spec: CheckedSpec): (state: State, label: Label) => StepExplanation {
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
    const action = spec.actions.find((a) => a.name === label.action);
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
