/**
 * Compiling expressions to closures: names, constants, patterns, definitions and their calls
 * (recursion included), builtins and operators; and the helpers those closures call.
 */
import type * as A from '../ast.js';
import type { Resolution } from '../check.js';
import { holdsSeq, type Type } from '../types.js';
import type { ProcessContext } from '../process.js';
import { Diagnostic, MAX_ENUMERATION, SpecErrors } from '../diagnostics.js';
import { ModelError } from '../../explore/system.js';
import {
  IList, IMap, ISet, Rec, Tuple, Variant, ascending, formatValue, mkSeq, mkSet, setInOrder, sortedElements, valueEquals,
  type Value,
} from '../../values/index.js';
import { type Ctx, type DefEntry, type Ev, fail } from './base.js';
import { ENUMERATION_HINT, formatCount, rangeTooLarge, subsetsOf, totalMapsOf, ValueCompiler } from './enumerate.js';
import { pollInterrupt } from '../../explore/guard.js';
import { evalWork } from '../work.js';
import { CACHE_MIN_SIZE, noteAppend, noteMapRemove, noteMapSet } from '../../values/fingerprint.js';
import { named } from '../by-name.js';
import { walkExpr } from '../check/expressions.js';
import { hash } from 'immutable';


export abstract class ExprCompiler extends ValueCompiler {
  protected abstract procCtx(): ProcessContext;

  /**
   * Compiles an expression. One that reads no state, no local and no definition is evaluated
   * once, here (set literals in invariants, constant arithmetic); if that evaluation fails,
   * it stays dynamic so that the error is reported in the step that reaches it.
   */
  override expr(e: A.Expr): Ev {
    pollInterrupt();
    const ev = this.exprDynamic(e);
    if (e.kind === 'int' || e.kind === 'bool') return this.compiled(e, true, ev);
    // An operation is constant when its operands are: binary() says whether they were, as this
    // function found them (isConstant at every node of a balanced chain of 2M literals walked
    // n log n nodes: 2.4 of the 7 s of `spex check` on it).
    const constant = this.operandsOf === e ? this.operandsConstant : this.isConstant(e);
    if (!constant) return this.compiled(e, false, ev);
    this.compiled(e, true, ev);
    try {
      const v = ev(this.constCtx);
      return () => v;
    } catch (err) {
      if (err instanceof ModelError) return ev;
      throw err;
    }
  }

  /** The expression expr compiled last, and whether it is constant (isConstant). */
  private lastCompiled: A.Expr | undefined;
  private lastConstant = false;
  /** The operation binary() compiled last, and whether its operands are all constant. */
  private operandsOf: A.Expr | undefined;
  private operandsConstant = false;

  private compiled(e: A.Expr, constant: boolean, ev: Ev): Ev {
    this.lastCompiled = e;
    this.lastConstant = constant;
    return ev;
  }

  /** expr(e), and whether e is constant: as isConstant(e) says, without walking e again. */
  private operand(e: A.Expr): [Ev, boolean] {
    const ev = this.expr(e);
    return [ev, this.lastCompiled === e ? this.lastConstant : this.isConstant(e)];
  }

  /**
   * Whether a binder's domain is the same set object from one evaluation to the next, so that
   * its elements' array is worth keeping (elementsOf): a constant (evaluated once, at compile
   * time) or a state variable (shared by the evaluations of one state).
   */
  keptDomain(e: A.Expr): boolean {
    if (this.isConstant(e)) return true;
    return e.kind === 'name' && this.spec.res.get(e)?.k === 'var';
  }

  /**
   * Whether a loop over the set `domain` charges its values' sequences too (chargeDomain):
   * its elements hold sequences. The packed engine holds no such set, so it charges none.
   */
  weighs(domain: A.Expr): boolean {
    const t = this.type(domain);
    return t.k === 'set' && holdsSeq(t.elem);
  }

  /** The binders of a quantifier or a set comprehension. */
  binders(bs: readonly A.Binder[]): Binder[] {
    return bs.map((b) => ({ elems: this.loopElements(b.domain), slot: this.slot(b), span: b.domain.span, weigh: this.weighs(b.domain) }));
  }

  /**
   * The elements of a loop's domain (a set), in canonical order, at each evaluation. Over a
   * range `lo..hi` they are the integers themselves: the loop does not build the set (an
   * immutable-js set of integers costs some 100 ns an element, and `for i in 0..len(s) - 1`
   * builds one at every evaluation); the array of the last bounds is kept for the next
   * evaluation with the same ones. Over any other set: elementsOf its value.
   */
  loopElements(domain: A.Expr): (c: Ctx) => readonly Value[] {
    const range = this.rangeLoop(domain);
    if (range !== undefined) return range;
    const dom = this.expr(domain);
    const keep = this.keptDomain(domain);
    return (c) => elementsOf(dom(c) as ISet<Value>, keep);
  }

  /** For a domain written as a range `lo..hi`, its integers at each evaluation (rangeInts); else undefined. */
  private rangeLoop(domain: A.Expr): ((c: Ctx) => readonly Value[]) | undefined {
    return domain.kind === 'binary' && domain.op === '..' ? this.rangeInts(domain, this.expr(domain.left), this.expr(domain.right)) : undefined;
  }

  /**
   * The integers of the range `e` (lo..hi, bounds `l` and `r`) in ascending order, at each
   * evaluation; the array of the last bounds is kept, for the next evaluation with the same
   * ones (arrays given out are not changed). A range with constant bounds that is too large is a
   * static error of the configuration (E221); one whose bounds depend on the state, a run-time
   * error (E710). Checked before anything is built.
   */
  private rangeInts(e: Extract<A.Expr, { kind: 'binary' }>, l: Ev, r: Ev): (c: Ctx) => readonly Value[] {
    const span = e.span;
    if (this.isConstant(e.left) && this.isConstant(e.right)) {
      let lo: number | undefined;
      let hi: number | undefined;
      try {
        lo = l(this.constCtx) as number;
        hi = r(this.constCtx) as number;
      } catch (err) {
        if (!(err instanceof ModelError)) throw err;
      }
      if (lo !== undefined && hi !== undefined && hi - lo + 1 > MAX_ENUMERATION) {
        throw new SpecErrors([new Diagnostic('E221', span, rangeTooLarge(lo, hi), ENUMERATION_HINT)]);
      }
    }
    let lastLo = NaN;
    let lastHi = NaN;
    let last: readonly Value[] = [];
    return (c) => {
      const lo = l(c) as number;
      const hi = r(c) as number;
      if (lo === lastLo && hi === lastHi) return last;
      if (hi - lo + 1 > MAX_ENUMERATION) fail('E710', span, rangeTooLarge(lo, hi), 'guard the step so that the range stays small, or enumerate a smaller set');
      const ints: Value[] = [];
      for (let i = lo; i <= hi; i++) {
        ints.push(i);
        pollInterrupt();
      }
      lastLo = lo;
      lastHi = hi;
      last = ints;
      return ints;
    };
  }

  /**
   * Whether an expression reads nothing that can change (no state, local or definition): a
   * loop over its parts, without recursion or callbacks, that stops at the first part that
   * is not constant. `expr` asks it of each node but binary operations, whose operands' answers
   * it has (asked at every node, a constant balanced chain cost n log n steps of it). (walkExpr's
   * callback over every node of each subtree took 8 of the 12 s of `spex check` on a sum of 2M
   * literals; an answer remembered for every node in a Map, 2.5 s; this loop, 0.2 s.)
   */
  isConstant(e: A.Expr): boolean {
    const stack: A.Expr[] = [e];
    while (stack.length > 0) {
      const x = stack.pop()!;
      switch (x.kind) {
        case 'int': case 'bool':
          break;
        case 'name':
        case 'call': {
          // Only names whose value cannot change: constants already evaluated, enum atoms,
          // variant cases, type names as sets, built-in functions. Everything else (state and
          // process variables, locals, definitions, pcs) may read the state.
          const r = this.spec.res.get(x);
          const fixed =
            r !== undefined &&
            ((r.k === 'const' && r.index < this.consts.length) || r.k === 'atom' || r.k === 'case' || r.k === 'typeSet' || r.k === 'builtin');
          if (!fixed) return false;
          if (x.kind === 'call') for (const a of x.args) stack.push(a);
          break;
        }
        case 'unary': case 'is':
          stack.push(x.arg);
          break;
        case 'field': case 'tupleItem':
          stack.push(x.target);
          break;
        case 'binary':
          stack.push(x.right, x.left);
          break;
        case 'index':
          stack.push(x.index, x.target);
          break;
        case 'withIndex':
          stack.push(x.value, x.index, x.target);
          break;
        case 'withFields':
          for (const f of x.fields) stack.push(f.value);
          stack.push(x.target);
          break;
        case 'tuple': case 'setLit': case 'seqLit':
          for (const i of x.items) stack.push(i);
          break;
        case 'mapLit':
          for (const m of x.entries) stack.push(m.value, m.key);
          break;
        case 'record':
          for (const f of x.fields) stack.push(f.value);
          break;
        case 'ifThen':
          stack.push(x.else, x.then, x.cond);
          break;
        default:
          // Binders (quantifiers, comprehensions, let, match arms) and anything newer.
          return false;
      }
    }
    return true;
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
          const old = mapGet(m, k, span);
          return mapWith(m, k, v(c), old);
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
        const dom = this.loopElements(e.binder.domain);
        const s = this.slot(e.binder);
        const cond = this.expr(e.cond);
        const dspan = e.binder.domain.span;
        const weigh = this.weighs(e.binder.domain);
        return (c) =>
          ISet<Value>().withMutations((out) => {
            const elems = dom(c);
            chargeDomain(elems, dspan, weigh);
            for (const x of elems) {
              pollInterrupt();
              c.loc[s] = x;
              if (cond(c)) out.add(x);
            }
          });
      }
      case 'image': {
        const body = this.expr(e.body);
        const binders = this.binders(e.binders);
        // Each new element is hashed into the set whole: one that holds sequences costs their
        // elements (work.ts), charged at the body.
        const built = holdsSeq((this.type(e) as Extract<Type, { k: 'set' }>).elem) ? e.body.span : undefined;
        return (c) =>
          ISet<Value>().withMutations((out) => {
            forEachBinding(c, binders, 0, () => {
              const v = body(c);
              if (built !== undefined) chargeWork(seqElements(v), built, 'built');
              out.add(v);
              return true;
            });
          });
      }
      case 'mapFor': {
        const dom = this.expr(e.binder.domain);
        const s = this.slot(e.binder);
        const body = this.expr(e.body);
        const dspan = e.binder.domain.span;
        const keep = this.keptDomain(e.binder.domain);
        const weigh = this.weighs(e.binder.domain);
        return (c) => {
          const d = dom(c) as ISet<Value>;
          const m = IMap<Value, Value>().withMutations((m) => {
            const elems = elementsOf(d, keep);
            chargeDomain(elems, dspan, weigh);
            for (const x of elems) {
              pollInterrupt();
              c.loc[s] = x;
              m.set(x, body(c));
            }
          });
          noteKeys(m, d);
          return m;
        };
      }
      case 'seqFilter': {
        const dom = this.expr(e.binder.domain);
        const s = this.slot(e.binder);
        const cond = this.expr(e.cond);
        const dspan = e.binder.domain.span;
        return (c) => {
          const out: Value[] = [];
          const d = dom(c) as IList<Value>;
          chargeWork(d.size, dspan);
          for (const x of d) {
            pollInterrupt();
            c.loc[s] = x;
            if (cond(c)) out.push(x);
          }
          return mkSeq(out);
        };
      }
      case 'seqFor': {
        const overSeq = this.type(e.binder.domain).k === 'seq';
        // A sequence in its order; a set (a range among them) in canonical order, ascending for integers.
        const seq = overSeq ? this.expr(e.binder.domain) : undefined;
        const set = overSeq ? undefined : this.loopElements(e.binder.domain);
        const s = this.slot(e.binder);
        const body = this.expr(e.body);
        const dspan = e.binder.domain.span;
        const weigh = this.weighs(e.binder.domain);
        return (c) => {
          const out: Value[] = [];
          const elems = seq !== undefined ? (seq(c) as IList<Value>) : set!(c);
          if (seq !== undefined) chargeWork((elems as IList<Value>).size, dspan);
          else chargeDomain(elems as readonly Value[], dspan, weigh);
          for (const x of elems) {
            pollInterrupt();
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
        const binders = this.binders(e.binders);
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
        const domain = e.binder.domain;
        const s = this.slot(e.binder);
        const cond = this.expr(e.cond);
        const span = e.span;
        const dspan = domain.span;
        const weigh = this.weighs(domain);
        const first = (c: Ctx, elems: Iterable<Value>): Value => {
          for (const x of elems) {
            pollInterrupt();
            c.loc[s] = x;
            if (cond(c)) return x;
          }
          return fail('E704', span, 'choose found no element that satisfies its condition', 'guard it with exists, or make sure the set is not empty');
        };
        const ints = this.rangeLoop(domain);
        if (ints !== undefined) {
          // A range: its integers, without the set.
          return (c) => {
            const elems = ints(c);
            chargeWork(elems.length, dspan);
            return first(c, elems);
          };
        }
        const dom = this.expr(domain);
        return (c) => {
          const d = dom(c) as ISet<Value>;
          chargeWork(weigh ? d.size + seqElements(d) : d.size, dspan, weigh ? 'weighed' : 'loop');
          // In canonical order, sorting only as far as the first element that satisfies it.
          return first(c, ascending(d));
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
        return () => {
          if (cached !== undefined) return cached;
          cached = this.typeSets.get(t);
          if (cached === undefined) this.typeSets.set(t, (cached = setInOrder(this.valuesOf(t))));
          return cached;
        };
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
      return setInOrder(name === 'subsets' ? subsetsOf(keys) : totalMapsOf(keys, sortedElements(sets[1]!) as Value[]));
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
  protected procSlot(index: number): number {
    if (!this.proc) throw new Error('internal error: a process variable outside its process');
    return this.proc.base + 1 + index;
  }

  private defCall(name: string, args: Ev[], span?: A.Span): Ev {
    // A call written in a definition's body (compiled while the bodies are): only those can
    // multiply, and only those count against the work budget (below).
    const nested = this.compilingDefs;
    let entry = this.defBodies.get(name);
    if (!entry) {
      const def = named(this.spec.defs, name)!;
      const e: DefEntry = { body: undefined, frame: def.frameSize, recursive: def.recursive === true, run: (c, loc) => e.body!({ st: c.st, loc }) };
      // A definition whose value depends on its arguments alone, and costs loops or calls to
      // compute, is computed once per arguments (memoBody).
      const params = def.decl.params.length;
      if (def.stateFree === true && (e.recursive || params === 0 || computes(def.decl.body, this.spec.res))) e.run = this.memoBody(e, params);
      entry = e;
      this.defBodies.set(name, entry);
      // A body is compiled once, at its first call; the calls it makes of definitions not yet
      // compiled wait in a list that the outermost such call works through, so that a chain
      // of definitions calling one another (up to E104's 1,000) does not nest the compiler
      // as deep. Every body is compiled before that outermost call returns.
      this.defsToCompile.push([def.decl.body, entry]);
      if (!this.compilingDefs) {
        this.compilingDefs = true;
        try {
          for (let next = this.defsToCompile.pop(); next !== undefined; next = this.defsToCompile.pop()) next[1].body = this.expr(next[0]);
        } finally {
          this.compilingDefs = false;
          this.defsToCompile.length = 0;
        }
      }
    }
    const d = entry;
    const n = args.length;
    const body = d.run;
    if (d.recursive && span) {
      // Past the limit (or out of stack) the error is raised at the outermost call of a
      // recursive definition: where the spec's own expression started the recursion.
      return (c) => {
        if (this.defDepth >= MAX_DEF_DEPTH) throw TOO_DEEP;
        chargeWork(1, span);
        const loc = new Array<Value>(d.frame);
        for (let i = 0; i < n; i++) loc[i] = args[i]!(c);
        const outer = this.defDepth === 0;
        if (++this.defDepth > this.defPeak) this.defPeak = this.defDepth;
        try {
          return body(c, loc);
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
    if (!nested || !span) {
      return (c) => {
        const loc = new Array<Value>(d.frame);
        for (let i = 0; i < n; i++) loc[i] = args[i]!(c);
        return body(c, loc);
      };
    }
    // A call in a definition's body counts one unit of the evaluation's work
    // (--max-eval-work): definitions that call others more than once multiply their calls,
    // twenty deep a million. Calls from elsewhere are made once an evaluation and stay uncounted.
    return (c) => {
      if (++evalWork.n > evalWork.max) callsExceeded(span);
      const loc = new Array<Value>(d.frame);
      for (let i = 0; i < n; i++) loc[i] = args[i]!(c);
      return body(c, loc);
    };
  }

  /**
   * The body of a state-free definition (CheckedDef.stateFree) through its memo: its values by
   * the values of its `n` arguments, kept for as long as the compiled system lives (one per
   * thread), up to MEMO_WEIGHT elements of values in all the memos of the system (beyond that
   * the definitions compute as any other). A value found there stands for the computation it
   * saves in every respect the spec can see: the work that computation charged to
   * --max-eval-work is charged again, and where that would pass the budget, or the calls it
   * nested would pass MAX_DEF_DEPTH from here, the body is evaluated instead, so that E715 and
   * E709 come where and when they would without the memo. A body that fails (a run-time error,
   * E715, E709) leaves nothing behind.
   */
  private memoBody(d: { body: Ev | undefined }, n: number): (c: Ctx, loc: Value[]) => Value {
    const memo = new Map<number, MemoEntry[]>();
    return (c, loc) => {
      let h = 0;
      for (let i = 0; i < n; i++) h = (Math.imul(h, 31) + hash(loc[i])) | 0;
      const found = memo.get(h);
      if (found !== undefined) {
        for (const e of found) {
          if (!sameArgs(e.args, loc, n)) continue;
          if (evalWork.n + e.work <= evalWork.max && this.defDepth + e.depth < MAX_DEF_DEPTH) {
            evalWork.n += e.work;
            memoCounts.hits++;
            return e.value;
          }
          break;
        }
      }
      const key = loc.slice(0, n);
      memoCounts.misses++;
      const work0 = evalWork.n;
      const peak0 = this.defPeak;
      this.defPeak = this.defDepth;
      let value: Value;
      let peak: number;
      try {
        value = d.body!({ st: c.st, loc });
      } finally {
        peak = this.defPeak;
        this.defPeak = Math.max(peak0, peak);
      }
      // The arguments are kept too: they weigh as much as the value.
      let w = 1 + sizeOf(value);
      for (let i = 0; i < n; i++) w += sizeOf(key[i]!);
      // Read again: the body's own calls may have added to it.
      const bucket = memo.get(h);
      if (this.memoWeight + w <= memoCounts.limit && bucket?.some((e) => sameArgs(e.args, key, n)) !== true) {
        this.memoWeight += w;
        const entry: MemoEntry = { args: key, value, work: evalWork.n - work0, depth: peak - this.defDepth };
        if (bucket === undefined) memo.set(h, [entry]);
        else bucket.push(entry);
      }
      return value;
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
        return (c) => keysOf(a(c) as IMap<Value, Value>);
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
        return (c) => {
          const s = a(c) as IList<Value>;
          const r = s.push(b(c));
          noteAppend(s, r);
          return r;
        };
      case 'concat':
        return (c) => (a(c) as IList<Value>).concat(b(c) as IList<Value>);
      case 'put':
        return (c) => mapWith(a(c) as IMap<Value, Value>, b(c), d(c), undefined);
      case 'remove':
        return (c) => mapWithout(a(c) as IMap<Value, Value>, b(c));
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
    // `x in lo..hi`: a comparison with the bounds; the range is not built (and has no size
    // limit), as in the packed engine.
    if ((e.op === 'in' || e.op === 'notin') && e.right.kind === 'binary' && e.right.op === '..') {
      const [lo, loConstant] = this.operand(e.right.left);
      const [hi, hiConstant] = this.operand(e.right.right);
      const [x, xConstant] = this.operand(e.left);
      this.operandsOf = e;
      this.operandsConstant = loConstant && hiConstant && xConstant;
      const want = e.op === 'in';
      return (c) => {
        const a = lo(c) as number;
        const b = hi(c) as number;
        const v = x(c) as number;
        return (v >= a && v <= b) === want;
      };
    }
    const [l, lConstant] = this.operand(e.left);
    const [r, rConstant] = this.operand(e.right);
    this.operandsOf = e;
    this.operandsConstant = lConstant && rConstant;
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
      case '..': {
        const ints = this.rangeInts(e, l, r);
        // Built in ascending order, which the set keeps: loops over it do not sort it. The
        // same bounds as the last time: the same set.
        let lastInts: readonly Value[] | undefined;
        let lastSet: ISet<Value> = ISet();
        return (c) => {
          const a = ints(c);
          if (a !== lastInts) {
            lastInts = a;
            lastSet = setInOrder(a);
          }
          return lastSet;
        };
      }
    }
  }
}

export function checkedInt(n: number, span: A.Span): number {
  if (!Number.isSafeInteger(n)) fail('E706', span, `integer overflow: the result ${n} is beyond ±2^53`);
  return n;
}

/** The deepest nesting of calls of recursive definitions before run-time error E709. */
export const MAX_DEF_DEPTH = 1000;

/**
 * Elements of values the memos of state-free definitions keep at most, all together (memoBody):
 * an entry weighs 1 plus the sizes of its value and arguments (their elements or entries, not
 * theirs).
 */
export const MEMO_WEIGHT = 1_000_000;

/**
 * @internal For tests: the memos' lookups that found a value and the bodies they evaluated,
 * and the weight they may hold (MEMO_WEIGHT).
 */
export const memoCounts = { hits: 0, misses: 0, limit: MEMO_WEIGHT };

interface MemoEntry {
  readonly args: readonly Value[];
  readonly value: Value;
  /** What the computation charged to the evaluation's work budget. */
  readonly work: number;
  /** How deep the calls of recursive definitions it made nested, below its own. */
  readonly depth: number;
}

function sameArgs(a: readonly Value[], b: readonly Value[], n: number): boolean {
  for (let i = 0; i < n; i++) if (!valueEquals(a[i]!, b[i]!)) return false;
  return true;
}

function sizeOf(v: Value): number {
  return typeof v === 'object' && (ISet.isSet(v) || IMap.isMap(v) || IList.isList(v)) ? (v as { size: number }).size : 0;
}

/**
 * Whether a definition's body costs more than its arithmetic: a loop (a quantifier, a
 * comprehension, `choose`), a call of a definition, or a built-in that enumerates.
 */
function computes(body: A.Expr, res: ReadonlyMap<object, Resolution>): boolean {
  let found = false;
  walkExpr(body, (x) => {
    if (found) return;
    switch (x.kind) {
      case 'quant': case 'choose': case 'filter': case 'image': case 'mapFor': case 'seqFilter': case 'seqFor':
        found = true;
        return;
      case 'call': {
        const r = res.get(x);
        if (r?.k === 'def' || (r?.k === 'builtin' && (r.name === 'subsets' || r.name === 'maps'))) found = true;
        return;
      }
      default:
        return;
    }
  });
  return found;
}
/** Thrown from the deepest call; the outermost recursive call turns it into E709. */
export const TOO_DEEP = new Error('recursion too deep');
/** Thrown on from a stack overflow inside a recursive definition, to the outermost call. */
export const STACK_EXHAUSTED = new Error('recursion exhausted the stack');

export function spanText(span: A.Span): string {
  return span.source.text.slice(span.start, span.end).replace(/\s+/g, ' ');
}

export function mapGet(m: IMap<Value, Value>, k: Value, span: A.Span): Value {
  const v = m.get(k);
  if (v === undefined) {
    const keys = [...m.keys()].map(formatValue).sort();
    const shown = keys.length > 8 ? keys.slice(0, 8).join(', ') + ', …' : keys.join(', ');
    fail('E702', span, `key ${formatValue(k)} is outside the map's domain {${shown}}`, 'use put(m, k, v) to add a key, or test membership with `k in keys(m)` first');
  }
  return v;
}

/**
 * Key sets of maps of at least CACHE_MIN_SIZE entries, per map object; smaller maps build
 * theirs again, which costs less than the bookkeeping. Building `keys(m)` walks the map, and
 * an invariant such as `keys(m) == S` then compares the set with S element by element: two
 * walks of a wide map for every state. The set is remembered instead, and shared: a map made
 * from another by setting a key it has gets the other's very set; one made by adding or
 * removing a key, the other's set with that key added or removed; a map built over a set
 * (`[x in S |-> e]`), S itself. Equality tests identity first, so `keys(m) == S` is then
 * immediate. Only the object is shared: its elements are always exactly the map's keys.
 */
const keySets = new WeakMap<IMap<Value, Value>, ISet<Value>>();

/** `keys(m)`. */
export function keysOf(m: IMap<Value, Value>): ISet<Value> {
  if (m.size < CACHE_MIN_SIZE) return m.keySeq().toSet();
  let ks = keySets.get(m);
  if (ks === undefined) keySets.set(m, (ks = m.keySeq().toSet()));
  return ks;
}

/** Says that the keys of `m` are the elements of `s` (exactly: no more, no fewer). */
function noteKeys(m: IMap<Value, Value>, s: ISet<Value>): void {
  if (m.size >= CACHE_MIN_SIZE) keySets.set(m, s);
}

/**
 * `m` with `k` mapped to `v`, its fingerprint and key set worked out from those of `m`
 * (noteMapSet, keySets). `old`: the value of `k` in `m` if the caller has it, else undefined.
 */
export function mapWith(m: IMap<Value, Value>, k: Value, v: Value, old: Value | undefined): IMap<Value, Value> {
  const r = m.set(k, v);
  // The same object: `v` is the value `k` had. Small: neither cache holds such maps.
  if (r === m || r.size < CACHE_MIN_SIZE) return r;
  const added = r.size !== m.size;
  if (!added) old ??= m.get(k);
  noteMapSet(m, r, k, added ? undefined : old);
  const ks = keySets.get(m);
  if (ks !== undefined) keySets.set(r, added ? ks.add(k) : ks);
  return r;
}

/** `m` without `k`, its fingerprint and key set worked out from those of `m` (see mapWith). */
export function mapWithout(m: IMap<Value, Value>, k: Value): IMap<Value, Value> {
  const r = m.remove(k);
  if (r === m || r.size < CACHE_MIN_SIZE) return r;
  noteMapRemove(m, r, k, m.get(k)!);
  const ks = keySets.get(m);
  if (ks !== undefined) keySets.set(r, ks.remove(k));
  return r;
}

export function seqGet(s: IList<Value>, i: number, span: A.Span): Value {
  if (!Number.isInteger(i) || i < 0 || i >= s.size) {
    fail('E705', span, `index ${i} is out of bounds for a sequence of length ${s.size}`, 'sequence indices run from 0 to len(s) - 1');
  }
  return s.get(i)!;
}

/**
 * The elements of a set in canonical order. Canonical: binders visit values in the same order
 * however the set was built (or decoded in a worker), so which element's evaluation fails
 * first, and so every verdict, never depends on history.
 *
 * `keep`: the array is kept per set object, for a domain that is a constant or a state variable
 * (ExprCompiler.keptDomain): many evaluations walk the same set, and walking an array costs
 * far less than an immutable-js iterator. A domain computed afresh at each evaluation (a range
 * between two variables, a set built by the spec) is a new set every time: keeping its array
 * only filled a WeakMap (quicksort.spex ran 30 % faster without).
 */
const elementArrays = new WeakMap<ISet<Value>, readonly Value[]>();
export function elementsOf(s: ISet<Value>, keep: boolean): readonly Value[] {
  if (!keep) return sortedElements(s);
  let arr = elementArrays.get(s);
  if (!arr) elementArrays.set(s, (arr = sortedElements(s)));
  return arr;
}

/** A binder of a quantifier or a comprehension, compiled (ExprCompiler.binders). */
export interface Binder {
  /** The domain's elements in canonical order (ExprCompiler.loopElements). */
  readonly elems: (c: Ctx) => readonly Value[];
  readonly slot: number;
  readonly span: A.Span;
  /** Its values hold sequences: they are charged by their elements too (chargeDomain). */
  readonly weigh: boolean;
}

/** Calls f for every combination of binder values; stops (returning false) when f does. */
export function forEachBinding(c: Ctx, binders: readonly Binder[], i: number, f: () => boolean): boolean {
  if (i === binders.length) return f();
  const b = binders[i]!;
  const elems = b.elems(c);
  chargeDomain(elems, b.span, b.weigh);
  for (let j = 0; j < elems.length; j++) {
    pollInterrupt();
    c.loc[b.slot] = elems[j]!;
    if (!forEachBinding(c, binders, i + 1, f)) return false;
  }
  return true;
}

/**
 * What charged work: a loop's entry ('loop'), a loop over values that hold sequences, charged
 * by their elements too ('weighed'), or the new sequences of a set comprehension ('built').
 */
type Charge = 'loop' | 'weighed' | 'built';

/**
 * Charges `n` to the evaluation under way (src/lang/work.ts): the values a loop enters, or
 * what `what` says; past --max-eval-work, run-time error E715 at `span`.
 */
export function chargeWork(n: number, span: A.Span, what: Charge = 'loop'): void {
  if ((evalWork.n += n) > evalWork.max) workExceeded(span, what);
}

/**
 * The entry of a loop over `elems`: one per value, and when `weigh` (the domain's values hold
 * sequences) the elements of those sequences too, which sorting and hashing the values walk.
 * The count of an array kept for a domain (elementsOf) is kept with it.
 */
export function chargeDomain(elems: readonly Value[], span: A.Span, weigh: boolean): void {
  if (!weigh) return chargeWork(elems.length, span);
  let n = weights.get(elems);
  if (n === undefined) {
    n = elems.length + sumOf(elems);
    weights.set(elems, n);
  }
  chargeWork(n, span, 'weighed');
}
const weights = new WeakMap<readonly Value[], number>();

/** The elements of the sequences in a value, however nested: what comparing or hashing it walks. */
function seqElements(v: Value): number {
  if (IList.isList(v)) {
    const xs = v as IList<Value>;
    let n = xs.size;
    for (const x of xs) if (typeof x === 'object') n += seqElements(x);
    return n;
  }
  if (v instanceof Tuple) return sumOf(v.items);
  if (v instanceof Rec) return sumOf(v.values);
  if (v instanceof Variant) return v.value === undefined ? 0 : seqElements(v.value);
  if (ISet.isSet(v)) {
    let n = 0;
    for (const x of v as ISet<Value>) n += seqElements(x);
    return n;
  }
  if (IMap.isMap(v)) {
    let n = 0;
    for (const [k, x] of v as IMap<Value, Value>) n += seqElements(k) + seqElements(x);
    return n;
  }
  return 0;
}

function sumOf(xs: Iterable<Value>): number {
  let n = 0;
  for (const x of xs) n += seqElements(x);
  return n;
}

function callsExceeded(span: A.Span): never {
  return fail(
    'E715',
    span,
    `this evaluation is over its work budget: its loops and definition calls have come to ${formatCount(evalWork.n)} values and calls, more than the ${formatCount(evalWork.max)} of --max-eval-work (this call passed it)`,
    'a definition that calls another more than once multiplies the calls below it: compute the repeated call once (let), or raise --max-eval-work (0 or none: no bound)',
  );
}

function workExceeded(span: A.Span, what: Charge): never {
  const n = formatCount(evalWork.n);
  const max = formatCount(evalWork.max);
  if (what === 'loop') {
    return fail(
      'E715',
      span,
      `this evaluation is over its work budget: its loops have enumerated ${n} values, more than the ${max} of --max-eval-work (this loop passed it)`,
      'nested quantifiers and parameters multiply the sizes of their domains: make the domains smaller or guard the step, or raise --max-eval-work (0 or none: no bound)',
    );
  }
  return fail(
    'E715',
    span,
    `this evaluation is over its work budget: its loops and set comprehensions have come to ${n} values and elements of sequences, more than the ${max} of --max-eval-work (${what === 'built' ? "the sequences this comprehension built passed it" : 'this loop over sequences passed it'})`,
    'a loop over values that hold sequences, and a set of sequences being built, cost the elements of those sequences: make the sequences or the domains smaller (a constant that came out larger than meant), or raise --max-eval-work (0 or none: no bound)',
  );
}
