/**
 * Generating expressions: names, definitions, calls and builtins, patterns, sets and loops over
 * domains (in canonical order), quantifiers and operators.
 */
import type * as A from '../../ast.js';
import type { Resolution } from '../../check.js';
import { compareValues, isMap, type Value } from '../../../values/index.js';
import { MAX_SET_ELEMS, Unsupported, canonicalCodes, seqBase, type Dom } from '../dom.js';
import { MAX_ENUMERATION } from '../../diagnostics.js';
import { walkExpr } from '../../check/expressions.js';
import {
  MAX_ORDER, itemCode, lit, type Val, type IntVal, SAFE, ANY_INT, isLiteral, litValue, isSimple, add, mul,
  sameShape, CodeGenBase, Locals,
} from './base.js';
import { groupDigits } from '../../../values/format.js';
import { named } from '../../by-name.js';

/**
 * The most definition calls the packed engine writes out for one configuration. The memcg
 * library's largest needs a few hundred; the limit only stops definitions whose calls
 * multiply, which the generic engine runs in time linear in the spec.
 */
export const MAX_INLINED_CALLS = 20_000;

export abstract class ExprCodeGen extends CodeGenBase {
  protected abstract plocalSlot(index: number, span: A.Span): number;
  protected abstract processVar(e: Extract<A.Expr, { kind: 'field' }>): Val;
  protected abstract at(e: Extract<A.Expr, { kind: 'at' }>): Val;
  protected abstract frameVar(r: Extract<Resolution, { k: 'frame' }>, span: A.Span): Val;

  bool(e: A.Expr): string {
    return this.toBool(this.expr(e), e.span);
  }

  int(e: A.Expr): IntVal {
    return this.toInt(this.expr(e), e.span);
  }

  code(e: A.Expr, d: Dom): string {
    return this.toCode(this.expr(e, d), d, e.span);
  }

  /** Compiles an expression; `want` is the domain its value should be coded in, if known. */
  override expr(e: A.Expr, want?: Dom): Val {
    // A constant range wider than a set code holds stays a range (its bounds): building its
    // set of elements to fold it cost its size at every use (50,000 elements, in each of 16
    // unrolled copies of a loop, 0.5 s).
    const c = this.isWideRange(e) ? undefined : this.constValue(e);
    if (c !== undefined) {
      const v = this.constVal(c, e, want);
      if (v) return v;
    }
    try {
      return this.exprDynamic(e, want);
    } catch (err) {
      if (err instanceof Unsupported && err.span === undefined) throw new Unsupported(err.message, e.span);
      throw err;
    }
  }

  /** Whether `e` is `lo..hi` with constant bounds and more than MAX_SET_ELEMS elements. */
  private isWideRange(e: A.Expr): boolean {
    if (e.kind !== 'binary' || e.op !== '..') return false;
    const lo = this.constValue(e.left);
    const hi = this.constValue(e.right);
    return typeof lo === 'number' && typeof hi === 'number' && hi - lo + 1 > MAX_SET_ELEMS;
  }

  /** The domain of a value to be coded: the one wanted, else its type's. */
  private domFor(e: A.Expr, want: Dom | undefined): Dom {
    const d = want ?? this.natural(e);
    if (!d) {
      try {
        this.doms.of(this.type(e));
      } catch (err) {
        if (err instanceof Unsupported) this.fail(err.message, e.span);
        throw err;
      }
      this.fail('cannot determine a finite domain for this expression', e.span);
    }
    return d;
  }

  private exprDynamic(e: A.Expr, want: Dom | undefined): Val {
    switch (e.kind) {
      case 'primed':
        return this.fail('step predicates are not supported by the packed engine', e.span);
      case 'int':
        return { r: 'int', v: lit(e.value), lo: e.value, hi: e.value };
      case 'bool':
        return { r: 'bool', v: e.value ? 'true' : 'false' };
      case 'name':
        return this.name(e, want);
      case 'call':
        return this.call(e, want);
      case 'unary': {
        if (e.op === 'not') return { r: 'bool', v: `!${this.bool(e.arg)}` };
        const a = this.int(e.arg);
        return { r: 'int', v: `(-${a.v} || 0)`, lo: -a.hi, hi: -a.lo };
      }
      case 'binary':
        return this.binary(e, want);
      case 'is': {
        const r = this.res(e);
        const d = this.natural(e.arg);
        if (!d || d.k !== 'variant' || r.k !== 'case') return this.fail('this `is` test is not supported by the packed engine', e.span);
        const cs = d.cases[r.tagIndex]!;
        const v = this.once(this.code(e.arg, d));
        const n = cs.payload ? cs.payload.size : 1;
        return { r: 'bool', v: n === 1 ? `(${v} === ${lit(cs.offset)})` : `(${v} >= ${lit(cs.offset)} && ${v} < ${lit(cs.offset + n)})` };
      }
      case 'index': {
        const table = this.constMapTable(e.target);
        if (table !== undefined) {
          // A key the map does not hold (-1): the generic engine's error.
          const x = this.once(`${table.name}[${this.once(this.code(e.index, table.key))}]`);
          this.emit(`if (${x} < 0) bail();`);
          return this.valOfCode(table.value, x);
        }
        const t = this.expr(e.target);
        if (t.r === 'code' && t.dom.k === 'seq') {
          return this.valOfCode(t.dom.elem, `sqAt(${t.v}, ${this.int(e.index).v}, ${lit(t.dom.elem.size)})`);
        }
        if (t.r !== 'place') return this.fail('indexing a value that is not a state variable is not supported by the packed engine', e.span);
        const p = this.indexPlace(t, e.index, e.span);
        return this.read(p.sh, p.off, t.root);
      }
      case 'field':
      case 'tupleItem': {
        if (e.kind === 'field' && this.spec.res.get(e)?.k === 'pvar') return this.processVar(e);
        const t = this.expr(e.target);
        let i: number;
        if (e.kind === 'tupleItem') i = e.item;
        else {
          const rt = this.type(e.target);
          if (rt.k !== 'record') return this.fail('a field of a value of unknown type', e.span);
          i = rt.fields.indexOf(e.field.text);
        }
        if (t.r === 'place') {
          const p = this.fieldPlace(t, i);
          return this.read(p.sh, p.off, t.root);
        }
        if (t.r !== 'code' || (t.dom.k !== 'tuple' && t.dom.k !== 'record')) return this.fail('internal: a field of a non-record', e.span);
        return this.valOfCode(t.dom.items[i]!, itemCode(t.v, t.dom, i));
      }
      case 'tuple':
      case 'record': {
        const d = this.domFor(e, want);
        if (d.k !== 'tuple' && d.k !== 'record') return this.fail('internal: a tuple or record literal of another type', e.span);
        const items: A.Expr[] =
          e.kind === 'tuple' ? e.items : d.fields.map((f) => e.fields.find((x) => x.name.text === f)!.value);
        const parts = items.map((x, i) => mul(this.once(this.code(x, d.items[i]!)), d.strides[i]!));
        return { r: 'code', dom: d, v: `(${parts.join(' + ')})` };
      }
      case 'withFields': {
        const d = this.domFor(e, want);
        if (d.k !== 'record') return this.fail('`with` on a record laid out over several slots is not supported by the packed engine', e.span);
        let v = this.once(this.code(e.target, d));
        for (const f of e.fields) {
          const i = d.fields.indexOf(f.name.text);
          const it = d.items[i]!;
          const old = d.strides[i] === 1 ? v : `Math.floor(${v} / ${lit(d.strides[i]!)})`;
          const oldCode = i > 0 ? `(${old} % ${lit(it.size)})` : old;
          const nc = this.once(this.code(f.value, it));
          v = this.once(`(${v} + (${nc} - ${oldCode}) * ${lit(d.strides[i]!)})`);
        }
        return { r: 'code', dom: d, v };
      }
      case 'setLit': {
        const d = this.domFor(e, want);
        if (d.k !== 'set') return this.fail('internal: a set literal of another type', e.span);
        if (e.items.length === 0) return { r: 'code', dom: d, v: '0' };
        const bits = e.items.map((x) => `(1 << ${this.once(this.code(x, d.elem))})`);
        return { r: 'code', dom: d, v: `(${bits.join(' | ')})` };
      }
      case 'filter': {
        const d = this.domFor(e, want);
        if (d.k !== 'set') return this.fail('internal: a filter of another type', e.span);
        const q = this.fresh('q');
        this.emit(`let ${q} = 0;`);
        const src = this.code(e.binder.domain, d);
        const m = this.fresh('m');
        const b = this.fresh('b');
        const slot = this.slotOf(e.binder);
        const [pre, cond] = this.capture(() => {
          this.env.set(slot, this.valOfCode(d.elem, b));
          return this.bool(e.cond);
        });
        this.emit(this.workCharge(lit(d.elem.size)));
        this.emit(`for (let ${m} = ${src}; ${m} !== 0; ${m} &= ${m} - 1) { const ${b} = 31 - Math.clz32(${m} & -${m});\n${pre}\nif (${cond}) ${q} |= 1 << ${b}; }`);
        return { r: 'code', dom: d, v: q };
      }
      case 'image': {
        const d = this.domFor(e, want);
        if (d.k !== 'set') return this.fail('internal: a set comprehension of another type', e.span);
        const q = this.fresh('q');
        this.emit(`let ${q} = 0;`);
        this.emit(
          this.loops(e.binders, 0, () => {
            const [pre, c] = this.capture(() => this.code(e.body, d.elem));
            return `${pre}\n${q} |= 1 << ${c};`;
          }),
        );
        return { r: 'code', dom: d, v: q };
      }
      case 'ifThen': {
        const cond = this.bool(e.cond);
        return this.choice(e, want, [
          { test: cond, body: e.then },
          { test: undefined, body: e.else },
        ]);
      }
      case 'let': {
        const v = this.expr(e.value);
        this.bindLocal(this.slotOf(e), v);
        return this.expr(e.body, want);
      }
      case 'quant':
        return this.quant(e);
      case 'choose': {
        const d = this.setElemDom(e.binder.domain);
        const q = this.fresh('q');
        const lbl = this.fresh('L');
        const slot = this.slotOf(e.binder);
        this.emit(`let ${q} = 0;`);
        // An integer is kept as itself: the loop over a range of a domain too wide for codes
        // (an `Int` range, as `0..len(s) - 1`) has no code for its elements.
        let int: IntVal | undefined;
        const loop = this.iterate(e.binder.domain, d, (val, code) => {
          this.env.set(slot, val);
          if (val.r === 'int') int = val;
          const [pre, cond] = this.capture(() => this.bool(e.cond));
          return `${pre}\nif (${cond}) { ${q} = ${int ? int.v : code}; break ${lbl}; }`;
        });
        this.emit(`${lbl}: {\n${loop}\nbail();\n}`);
        return int ? { r: 'int', v: q, lo: int.lo, hi: int.hi } : this.valOfCode(d, q);
      }
      case 'match': {
        const scrut = this.expr(e.scrutinee);
        if (scrut.r === 'place' || scrut.r === 'typeset' || scrut.r === 'range') return this.fail('matching on this value is not supported by the packed engine', e.span);
        const sv = this.once(scrut.v);
        const sd = scrut.r === 'code' ? scrut.dom : undefined;
        const arms = e.arms.map((a) => ({ test: this.patternTest(a.pattern, sv, sd, scrut), body: a.body }));
        return this.choice(e, want, arms, true);
      }
      case 'withIndex': {
        const d = this.natural(e.target);
        if (d?.k === 'seq') {
          const c = this.once(this.code(e.target, d));
          const i = this.once(this.int(e.index).v);
          const x = this.once(this.code(e.value, d.elem));
          return { r: 'code', dom: d, v: `sqSet(${c}, ${i}, ${x}, ${lit(d.elem.size)})` };
        }
        return this.fail('map values are supported by the packed engine only as state variables (assign elements instead)', e.span);
      }
      case 'mapLit':
      case 'mapFor':
        return this.fail('map values are supported by the packed engine only as state variables (assign elements instead)', e.span);
      case 'seqLit': {
        const d = this.domFor(e, want);
        if (d.k !== 'seq') return this.fail('internal: a sequence literal of another type', e.span);
        // Longer than the domain holds: give up at run time (the generic engine then runs).
        if (e.items.length > d.max) return { r: 'code', dom: d, v: 'bail()' };
        const k = d.elem.size;
        const n = e.items.length;
        const parts = [lit(seqBase(k, n))];
        e.items.forEach((x, i) => parts.push(mul(this.once(this.code(x, d.elem)), k ** (n - 1 - i))));
        return { r: 'code', dom: d, v: parts.length === 1 ? parts[0]! : `(${parts.join(' + ')})` };
      }
      case 'at':
        return this.at(e);
      case 'seqFilter':
      case 'seqFor':
        return this.seqBuild(e, want);
    }
  }

  /**
   * `[x in s | c]` and `[e : x in d]`: a loop (in the code before the expression, as for set
   * filters) that builds the result's code element by element, as base-k digits; over a
   * sequence in its order, over a set or range by `iterate` (canonical order, ascending).
   */
  private seqBuild(e: Extract<A.Expr, { kind: 'seqFilter' | 'seqFor' }>, want: Dom | undefined): Val {
    const d = this.domFor(e, want);
    if (d.k !== 'seq') return this.fail('internal: a sequence built of another type', e.span);
    const k = lit(d.elem.size);
    const r = this.fresh('r');
    const n = this.fresh('n');
    const slot = this.slotOf(e.binder);
    // One element x (its value, its code): the digits it adds to the result.
    const step = (x: Val, xc: string): string => {
      this.env.set(slot, x);
      if (e.kind === 'seqFilter') {
        const [pre, cond] = this.capture(() => this.bool(e.cond));
        return `${pre}\nif (${cond}) { ${r} = ${r} * ${k} + ${xc}; ${n}++; }`;
      }
      const [pre, c] = this.capture(() => this.once(this.code(e.body, d.elem)));
      return `${pre}\nif (${n} >= ${lit(d.max)}) bail();\n${r} = ${r} * ${k} + ${c}; ${n}++;`;
    };
    this.emit(`let ${r} = 0, ${n} = 0;`);
    const domType = this.type(e.binder.domain);
    if (domType.k === 'seq') {
      const sd = e.kind === 'seqFilter' ? d : this.natural(e.binder.domain);
      if (sd?.k !== 'seq') return this.fail('a sequence of unknown type', e.binder.domain.span);
      const src = this.once(this.code(e.binder.domain, sd));
      const len = this.fresh('l');
      const t = this.fresh('t');
      const xc = this.fresh('x');
      this.emit(`const ${len} = sqLen(${src}, ${lit(sd.elem.size)});`);
      this.emit(this.workCharge(len));
      const body = step(this.valOfCode(sd.elem, xc), xc);
      this.emit(`for (let ${t} = 0; ${t} < ${len}; ${t}++) { const ${xc} = sqAt(${src}, ${t}, ${lit(sd.elem.size)});\n${body}\n}`);
    } else {
      if (e.kind === 'seqFilter') return this.fail('internal: a sequence filter over a set', e.span);
      const ed = this.setElemDom(e.binder.domain);
      const [pre, loop] = this.capture(() => this.iterate(e.binder.domain, ed, (x) => step(x, '')));
      this.emit(`${pre}\n${loop}`);
    }
    return { r: 'code', dom: d, v: `(sqB(${k}, ${n}) + ${r})` };
  }

  /**
   * if/else chains and matches as a value: `arms` are tried in order (test undefined: always);
   * none matching throws BAIL (`exhaustive` false only for ifThen, whose else always matches).
   */
  private choice(e: A.Expr, want: Dom | undefined, arms: { test: string | (() => string) | undefined; body: A.Expr }[], match = false): Val {
    const t = this.type(e);
    const kind: 'int' | 'bool' | Dom = t.k === 'int' ? 'int' : t.k === 'bool' ? 'bool' : this.domFor(e, want);
    const q = this.fresh('q');
    this.emit(`let ${q};`);
    let lo = Infinity;
    let hi = -Infinity;
    let code = '';
    let closing = '';
    for (const arm of arms) {
      const [pre, v] = this.capture(() => {
        const test = typeof arm.test === 'function' ? arm.test() : arm.test;
        const [bodyPre, val] = this.capture(() => {
          const x = this.expr(arm.body, typeof kind === 'object' ? kind : undefined);
          if (kind === 'int') {
            const iv = this.toInt(x, arm.body.span);
            lo = Math.min(lo, iv.lo);
            hi = Math.max(hi, iv.hi);
            return iv.v;
          }
          if (kind === 'bool') return this.toBool(x, arm.body.span);
          return this.toCode(x, kind, arm.body.span);
        });
        return { test, bodyPre, val };
      });
      code += pre;
      if (v.test === undefined) {
        code += `\n{\n${v.bodyPre}\n${q} = ${v.val};\n}`;
        closing += '';
        break;
      }
      code += `\nif (${v.test}) {\n${v.bodyPre}\n${q} = ${v.val};\n} else {`;
      closing += '}';
    }
    if (match && !arms.some((a) => a.test === undefined)) code += '\nbail();';
    this.emit(code + closing);
    if (kind === 'int') return { r: 'int', v: q, lo, hi };
    if (kind === 'bool') return { r: 'bool', v: q };
    return this.valOfCode(kind, q);
  }

  /** A pattern's test on the scrutinee `sv`, binding its payload when it matches. */
  protected patternTest(p: A.Pattern, sv: string, sd: Dom | undefined, scrut: Val): (() => string) | undefined {
    switch (p.kind) {
      case 'wild':
        return undefined;
      case 'int':
        return () => `${sv} === ${lit(p.value)}`;
      case 'name': {
        const r = this.res(p);
        if (r.k === 'atom') return () => `${sv} === ${lit(r.index)}`;
        if (r.k !== 'case' || !sd || sd.k !== 'variant') this.fail('this pattern is not supported by the packed engine', p.span);
        const cs = sd.cases[r.tagIndex]!;
        const n = cs.payload ? cs.payload.size : 1;
        return () => (n === 1 ? `${sv} === ${lit(cs.offset)}` : `(${sv} >= ${lit(cs.offset)} && ${sv} < ${lit(cs.offset + n)})`);
      }
      case 'payload': {
        const r = this.res(p) as { tagIndex: number };
        if (!sd || sd.k !== 'variant' || scrut.r !== 'code') return this.fail('this pattern is not supported by the packed engine', p.span);
        const cs = sd.cases[r.tagIndex]!;
        const slot = this.spec.slots.get(p);
        return () => {
          if (slot !== undefined) this.env.set(slot, this.valOfCode(cs.payload!, add(sv, -cs.offset)));
          return `(${sv} >= ${lit(cs.offset)} && ${sv} < ${lit(cs.offset + cs.payload!.size)})`;
        };
      }
    }
  }

  protected slotOf(node: object): number {
    const s = this.spec.slots.get(node);
    if (s === undefined) throw new Error('internal error: no slot for a binder');
    return s;
  }

  /** Binds a local to a value computed now (into a const, so it is evaluated once, here). */
  protected bindLocal(slot: number, v: Val): void {
    if (v.r === 'int') {
      if (isSimple(v.v)) this.env.set(slot, v);
      else {
        const t = this.fresh('v');
        this.emit(`const ${t} = ${v.v};`);
        this.env.set(slot, { r: 'int', v: t, lo: v.lo, hi: v.hi });
      }
    } else if (v.r === 'bool' || v.r === 'code') {
      this.env.set(slot, { ...v, v: this.once(v.v) });
    } else if (v.r === 'range') {
      this.env.set(slot, { r: 'range', lo: { ...v.lo, v: this.once(v.lo.v) }, hi: { ...v.hi, v: this.once(v.hi.v) } });
    } else {
      this.env.set(slot, v.r === 'place' ? { ...v, off: this.once(v.off) } : v);
    }
  }

  private name(e: Extract<A.Expr, { kind: 'name' }>, want: Dom | undefined): Val {
    const r = this.res(e);
    switch (r.k) {
      case 'var': {
        const vl = this.vars[r.index]!;
        return this.read(vl.shape, lit(vl.offset), r.index);
      }
      case 'const': {
        const v = this.constVal(this.cc.consts[r.index]!, e, want);
        if (!v) return this.fail(`the constant '${e.name.text}' does not fit the domain it is used in`, e.span);
        return v;
      }
      case 'local': {
        const v = this.env.get(r.slot);
        if (!v) throw new Error('internal error: unbound local');
        return v;
      }
      case 'atom':
        return { r: 'code', dom: this.doms.of({ k: 'enum', info: r.info }), v: lit(r.index) };
      case 'case': {
        const d = this.domFor(e, want);
        if (d.k !== 'variant') return this.fail('internal: a case of another type', e.span);
        return { r: 'code', dom: d, v: lit(d.cases[r.tagIndex]!.offset) };
      }
      case 'typeSet':
        return { r: 'typeset', dom: this.doms.of(r.type) };
      case 'def':
        return this.defCall(r.def.name, [], want, e.span);
      case 'frame':
        return this.frameVar(r, e.span);
      case 'plocal': {
        const i = this.plocalSlot(r.index, e.span);
        const vl = this.vars[i]!;
        return this.read(vl.shape, lit(vl.offset), i);
      }
      default:
        return this.fail(`'${e.name.text}' is not supported by the packed engine`, e.span);
    }
  }

  private defCall(name: string, args: A.Expr[], want: Dom | undefined, span: A.Span): Val {
    const def = named(this.spec.defs, name)!;
    // Definitions are expanded inline; a recursive one has no fixed expansion.
    if (def.recursive) this.fail(`recursive definition '${name}' is not supported by the packed engine`, span);
    if (this.defDepth > 50) this.fail('definitions nested too deeply for the packed engine', span);
    // Each call is a copy of the body: calls of calls multiply (a definition calling another
    // twice, twenty deep, is a million copies). Past MAX_INLINED_CALLS the generic engine,
    // which compiles a definition once, runs the check.
    if (++this.inlinedCalls > MAX_INLINED_CALLS) {
      this.fail(`the definitions' calls expand into more than ${groupDigits(MAX_INLINED_CALLS)} copies of their bodies for the packed engine, which writes each call out in full`, span);
    }
    let doms = this.paramDoms.get(name);
    if (doms === undefined) {
      doms = def.paramTypes.map((t) => this.domOf(t));
      this.paramDoms.set(name, doms);
    }
    // A call in a definition's body: one unit of the evaluation's work, as the generic engine
    // charges it.
    if (this.defDepth > 0) this.chargeCall();
    const vals = args.map((a, i) => this.expr(a, doms[i]));
    const saved = this.env;
    this.env = new Locals();
    this.defDepth++;
    try {
      vals.forEach((v, i) => this.bindLocal(i, v));
      return this.expr(def.decl.body, want);
    } finally {
      this.env = saved;
      this.defDepth--;
    }
  }

  private call(e: Extract<A.Expr, { kind: 'call' }>, want: Dom | undefined): Val {
    const r = this.res(e);
    if (r.k === 'case') {
      const d = this.domFor(e, want);
      if (d.k !== 'variant') return this.fail('internal: a case of another type', e.span);
      const cs = d.cases[r.tagIndex]!;
      return { r: 'code', dom: d, v: add(this.code(e.args[0]!, cs.payload!), cs.offset) };
    }
    if (r.k === 'def') return this.defCall(r.def.name, e.args, want, e.span);
    if (r.k !== 'builtin') return this.fail('this call is not supported by the packed engine', e.span);
    const args = e.args;
    switch (r.name) {
      case 'len':
      case 'size': {
        const qd = this.natural(args[0]!);
        if (qd?.k === 'seq') return { r: 'int', v: `sqLen(${this.code(args[0]!, qd)}, ${lit(qd.elem.size)})`, lo: 0, hi: qd.max };
        if (r.name === 'len') return this.fail('len() of a sequence of unknown type', e.span);
        const d = this.setDom(args[0]!);
        return { r: 'int', v: `pop(${this.code(args[0]!, d)})`, lo: 0, hi: d.elem.size };
      }
      case 'min':
      case 'max': {
        const f = r.name === 'min' ? 'Math.min' : 'Math.max';
        if (args.length === 2) {
          const a = this.int(args[0]!);
          const b = this.int(args[1]!);
          const lo = r.name === 'min' ? Math.min(a.lo, b.lo) : Math.max(a.lo, b.lo);
          const hi = r.name === 'min' ? Math.min(a.hi, b.hi) : Math.max(a.hi, b.hi);
          return { r: 'int', v: `${f}(${a.v}, ${b.v})`, lo, hi };
        }
        const d = this.setDom(args[0]!);
        if (d.elem.k !== 'int') return this.fail('internal: min/max of a set of non-integers', e.span);
        const m = this.once(this.code(args[0]!, d));
        const c = r.name === 'min' ? `(31 - Math.clz32(${m} & -${m}))` : `(31 - Math.clz32(${m}))`;
        this.emit(`if (${m} === 0) throw BAIL;`);
        return { r: 'int', v: add(c, d.elem.lo), lo: d.elem.lo, hi: d.elem.hi };
      }
      case 'abs': {
        const a = this.int(args[0]!);
        return { r: 'int', v: `Math.abs(${a.v})`, lo: a.lo >= 0 ? a.lo : a.hi <= 0 ? -a.hi : 0, hi: Math.max(Math.abs(a.lo), Math.abs(a.hi)) };
      }
      case 'keys': {
        const t = this.expr(args[0]!);
        if (t.r !== 'place' || t.sh.k !== 'map') return this.fail('keys() of a value that is not a map variable', e.span);
        if (this.initMode) this.emit(`un(s[${t.off}]);`);
        return { r: 'typeset', dom: t.sh.keyDom };
      }
      case 'values': {
        const t = this.expr(args[0]!);
        if (t.r !== 'place' || t.sh.k !== 'map' || t.sh.val.k !== 'leaf') return this.fail('values() of a value that is not a map variable', e.span);
        const vd = t.sh.val.dom;
        if (vd.size > 30) return this.fail('values() of a map whose values are not a small finite type', e.span);
        const d: Dom = { k: 'set', elem: vd, size: 2 ** vd.size, key: `s(${vd.key})` };
        const off = this.once(t.off);
        const parts: string[] = [];
        for (let i = 0; i < t.sh.keys.length; i++) parts.push(`(1 << ${this.initMode ? `un(s[${add(off, i)}])` : `s[${add(off, i)}]`})`);
        return { r: 'code', dom: d, v: parts.length ? `(${parts.join(' | ')})` : '0' };
      }
      case 'unwrap': {
        const d = this.natural(args[0]!);
        if (!d || d.k !== 'variant') return this.fail('unwrap of a value of unknown type', e.span);
        const v = this.once(this.code(args[0]!, d));
        // A statement rather than `v === 0 ? bail() : v - 1`: V8 optimised loops with that call
        // in them less well (fuzz mutant 1-2698, whose invariants unwrap a page's memcg 534
        // million times a check: 9.3-11.4 s of user CPU before, 8.2-9.9 s after).
        this.emit(`if (${v} === 0) throw BAIL;`);
        return this.valOfCode(d.cases[1]!.payload!, add(v, -1));
      }
      case 'put':
      case 'remove':
        return this.fail(`${r.name}() is not supported by the packed engine (maps are total over their key type)`, e.span);
      case 'head':
      case 'tail': {
        const d = this.natural(args[0]!);
        if (d?.k !== 'seq') return this.fail(`${r.name}() of a sequence of unknown type`, e.span);
        const c = this.code(args[0]!, d);
        const k = lit(d.elem.size);
        return r.name === 'head' ? this.valOfCode(d.elem, `sqHd(${c}, ${k})`) : { r: 'code', dom: d, v: `sqTl(${c}, ${k})` };
      }
      case 'append':
      case 'concat': {
        const d = this.domFor(e, want);
        if (d.k !== 'seq') return this.fail(`internal: ${r.name}() of another type`, e.span);
        const a = this.once(this.code(args[0]!, d));
        const b = this.once(r.name === 'append' ? this.code(args[1]!, d.elem) : this.code(args[1]!, d));
        return { r: 'code', dom: d, v: `${r.name === 'append' ? 'sqAp' : 'sqCat'}(${a}, ${b}, ${lit(d.elem.size)}, ${lit(d.max)})` };
      }
      case 'slice':
      case 'insertAt':
      case 'removeAt': {
        const d = this.domFor(e, want);
        if (d.k !== 'seq') return this.fail(`internal: ${r.name}() of another type`, e.span);
        const q = this.once(this.code(args[0]!, d));
        const i = this.once(this.int(args[1]!).v);
        const k = lit(d.elem.size);
        if (r.name === 'removeAt') return { r: 'code', dom: d, v: `sqRem(${q}, ${i}, ${k})` };
        if (r.name === 'slice') return { r: 'code', dom: d, v: `sqSlc(${q}, ${i}, ${this.once(this.int(args[2]!).v)}, ${k})` };
        const x = this.once(this.code(args[2]!, d.elem));
        return { r: 'code', dom: d, v: `sqIns(${q}, ${i}, ${x}, ${k}, ${lit(d.max)})` };
      }
      default:
        return this.fail(`${r.name}() is not supported by the packed engine`, e.span);
    }
  }

  /** The set domain of a set-valued expression (bitmask over its element domain). */
  private setDom(e: A.Expr, want?: Dom): Extract<Dom, { k: 'set' }> {
    if (want && want.k === 'set') return want;
    const d = this.natural(e) ?? this.constSetDom(e);
    if (!d || d.k !== 'set') return this.fail('cannot determine the elements of this set for the packed engine', e.span);
    return d;
  }

  private constSetDom(e: A.Expr): Dom | undefined {
    if (e.kind === 'binary' && e.op === '..') {
      const lo = this.constValue(e.left);
      const hi = this.constValue(e.right);
      if (typeof lo === 'number' && typeof hi === 'number' && hi - lo < 30) {
        const elem = this.doms.intDom(lo, Math.max(hi, lo));
        return { k: 'set', elem, size: 2 ** elem.size, key: `s(${elem.key})` };
      }
    }
    const v = this.constValue(e);
    if (v !== undefined) {
      const c = this.constVal(v, e, undefined);
      if (c && c.r === 'code') return c.dom;
    }
    return undefined;
  }

  /**
   * A constant map indexed at run time (`Succ[v]`, with `Succ` a constant or a constant
   * expression of a map type) as a table of the codes of its values by the codes of their keys,
   * -1 for a key it does not hold; undefined when the expression is not such a map, or its key
   * or value type has no finite domain, or a value lies outside it.
   */
  private constMapTable(e: A.Expr): { name: string; key: Dom; value: Dom } | undefined {
    const t = this.type(e);
    if (t.k !== 'map' || !this.cc.isConstant(e)) return undefined;
    const key = this.domOf(t.key);
    const value = this.domOf(t.value);
    if (key === undefined || value === undefined || !(key.size <= MAX_ORDER)) return undefined;
    const m = this.constValue(e);
    if (m === undefined || !isMap(m)) return undefined;
    const codes: number[] = [];
    for (let c = 0; c < key.size; c++) {
      const v = m.get(this.doms.decode(key, c));
      const code = v === undefined ? -1 : this.doms.encode(value, v);
      if (v !== undefined && !(code >= 0)) return undefined;
      codes.push(code);
    }
    const id = this.orders.length;
    this.orders.push(codes);
    return { name: `OR[${lit(id)}]`, key, value };
  }

  /**
   * `undefined` when a domain's codes are already in canonical order, else the name of the
   * table of its codes in that order, which a loop over the domain follows.
   */
  orderTable(d: Dom, span: A.Span): string | undefined {
    const id = this.orderId(d, span);
    return id === undefined ? undefined : `OR[${lit(id)}]`;
  }

  protected orderId(d: Dom, span: A.Span): number | undefined {
    if (canonicalCodes(d)) return undefined;
    let id = this.orderIds.get(d.key);
    if (id === undefined) {
      if (!(d.size <= MAX_ORDER)) return this.fail(`iterating over more than ${MAX_ORDER} values of a set type is not supported by the packed engine`, span);
      const values: Value[] = [];
      const codes: number[] = [];
      for (let c = 0; c < d.size; c++) {
        codes.push(c);
        values.push(this.doms.decode(d, c));
      }
      codes.sort((x, y) => compareValues(values[x]!, values[y]!));
      id = this.orders.length;
      this.orders.push(codes);
      this.orderIds.set(d.key, id);
    }
    return id;
  }

  /**
   * `for (code of the domain in canonical order) { body }`: `head` opens the loop and binds
   * `code` (a fresh name) to each code in turn.
   */
  codeLoop(d: Dom, span: A.Span, code: string): string {
    const table = this.orderTable(d, span);
    const charge = this.workCharge(lit(d.size));
    if (table === undefined) return `${charge}\nfor (let ${code} = 0; ${code} < ${lit(d.size)}; ${code}++) {`;
    const j = this.fresh('j');
    return `${charge}\nfor (let ${j} = 0; ${j} < ${lit(d.size)}; ${j}++) { const ${code} = ${table}[${j}];`;
  }

  /** The element domain of a domain expression (quantifier, pick, parameter). */
  setElemDom(e: A.Expr): Dom {
    const r = this.spec.res.get(e);
    if (e.kind === 'name' && r?.k === 'typeSet') return this.doms.of(r.type);
    if (e.kind === 'call' && r?.k === 'builtin' && r.name === 'keys') {
      const t = this.type(e);
      if (t.k === 'set') return this.doms.of(t.elem);
    }
    if (e.kind === 'binary' && e.op === '..') {
      const lo = this.constValue(e.left);
      const hi = this.constValue(e.right);
      if (typeof lo === 'number' && typeof hi === 'number' && hi - lo < 2 ** 29) return this.doms.intDom(lo, Math.max(lo, hi));
      return ANY_INT;
    }
    const n = this.elemNatural(e);
    if (n) return n;
    return this.setDom(e).elem;
  }

  /**
   * A loop over the elements of a domain expression, in canonical order; `body` gets each
   * element as a Val and as its code in `d` (from setElemDom).
   */
  iterate(domain: A.Expr, d: Dom, body: (elem: Val, code: string) => string): string {
    const x = this.expr(domain, d.size <= 30 ? { k: 'set', elem: d, size: 2 ** d.size, key: `s(${d.key})` } : undefined);
    if (x.r === 'typeset' && x.dom.key === d.key) {
      const b = this.fresh('b');
      return `${this.codeLoop(d, domain.span, b)}\n${body(this.valOfCode(d, b), b)}\n}`;
    }
    if (x.r === 'range' && d.k === 'int') {
      const lo = this.once(x.lo.v);
      const hi = this.once(x.hi.v);
      const i = this.fresh('i');
      this.emit(`if (${hi} - ${lo} + 1 > ${lit(MAX_ENUMERATION)}) bail();`);
      this.emit(this.workCharge(`(${hi} >= ${lo} ? ${hi} - ${lo} + 1 : 0)`));
      const elem: IntVal = { r: 'int', v: i, lo: x.lo.lo, hi: x.hi.hi };
      const code = d.size > 2 ** 29 ? '0' : `(${i} - ${lit(d.lo)})`;
      if (d.size <= 2 ** 29) this.emit(`if (${lo} <= ${hi} && (${lo} < ${lit(d.lo)} || ${hi} > ${lit(d.hi)})) bail();`);
      return `for (let ${i} = ${lo}; ${i} <= ${hi}; ${i}++) {\n${body(elem, code)}\n}`;
    }
    if (d.size > 30) return this.fail('iterating over this set is not supported by the packed engine', domain.span);
    const sd: Dom = { k: 'set', elem: d, size: 2 ** d.size, key: `s(${d.key})` };
    const mask = this.toCode(x, sd, domain.span);
    const m = this.fresh('m');
    const b = this.fresh('b');
    const table = this.orderTable(d, domain.span);
    this.emit(this.workCharge(lit(d.size)));
    if (table !== undefined) {
      // Elements whose codes are not in canonical order: walk the order, test the mask.
      const j = this.fresh('j');
      return `const ${m} = ${mask};\nfor (let ${j} = 0; ${j} < ${lit(d.size)}; ${j}++) { const ${b} = ${table}[${j}];\nif (((${m} >>> ${b}) & 1) === 0) continue;\n${body(this.valOfCode(d, b), b)}\n}`;
    }
    return `for (let ${m} = ${mask}; ${m} !== 0; ${m} &= ${m} - 1) { const ${b} = 31 - Math.clz32(${m} & -${m});\n${body(this.valOfCode(d, b), b)}\n}`;
  }

  /** Nested loops over binders (each domain evaluated inside the loops before it). */
  private loops(binders: readonly A.Binder[], i: number, inner: () => string): string {
    if (i === binders.length) return inner();
    const b = binders[i]!;
    const d = this.setElemDom(b.domain);
    const slot = this.slotOf(b);
    const [pre, loop] = this.capture(() =>
      this.iterate(b.domain, d, (val) => {
        this.env.set(slot, val);
        return this.loops(binders, i + 1, inner);
      }),
    );
    return `${pre}\n${loop}`;
  }

  private quant(e: Extract<A.Expr, { kind: 'quant' }>): Val {
    const q = this.fresh('q');
    const lbl = this.fresh('L');
    if (e.quant === 'sum') {
      this.emit(`let ${q} = 0;`);
      this.emit(
        this.loops(e.binders, 0, () => {
          const [pre, v] = this.capture(() => this.int(e.body));
          return `${pre}\n${q} = ck(${q} + ${v.v});`;
        }),
      );
      return { r: 'int', v: q, lo: -Infinity, hi: Infinity };
    }
    const forall = e.quant === 'forall';
    this.emit(`let ${q} = ${forall ? 'true' : 'false'};`);
    const hoisted = forall ? this.guardedForall(e, q, lbl) : undefined;
    if (hoisted !== undefined) {
      this.emit(`${lbl}: {\n${hoisted}\n}`);
      return { r: 'bool', v: q };
    }
    const loops = this.loops(e.binders, 0, () => {
      const [pre, v] = this.capture(() => this.bool(e.body));
      return `${pre}\nif (${forall ? `!${v}` : v}) { ${q} = ${forall ? 'false' : 'true'}; break ${lbl}; }`;
    });
    this.emit(`${lbl}: {\n${loops}\n}`);
    return { r: 'bool', v: q };
  }

  /**
   * `forall x1 in D1, ..., xn in Dn: not (G and Q)` (or `G implies Q`) where the guard G uses
   * only x1..x(k-1): once G is false for some x1..x(k-1), the body holds for every later
   * xk..xn, so those iterations are skipped (TCConsistent's `forall rm1, rm2: not
   * (rmState[rm1] == aborted and ...)` runs its inner loop only for the aborted rm1). The same
   * evaluations happen up to there, in the same order: G is still evaluated first, in the
   * first iteration of xk's loop (never when it is empty), and the skipped iterations would
   * only have evaluated G again, with the same result (expressions are pure), and the domains
   * of xk..xn, which must be type names for this (they cannot fail). Undefined when the
   * quantifier does not have that shape: the plain loops then.
   */
  private guardedForall(e: Extract<A.Expr, { kind: 'quant' }>, q: string, lbl: string): string | undefined {
    const body = e.body;
    let guard: A.Expr;
    let rest: A.Expr;
    let restHolds: boolean;
    if (body.kind === 'unary' && body.op === 'not' && body.arg.kind === 'binary' && body.arg.op === 'and') {
      guard = body.arg.left;
      rest = body.arg.right;
      restHolds = false; // the body fails when the rest is true
    } else if (body.kind === 'binary' && body.op === 'implies') {
      guard = body.left;
      rest = body.right;
      restHolds = true; // the body fails when the rest is false
    } else {
      return undefined;
    }
    const binders = e.binders;
    if (binders.length < 2) return undefined;
    const slots = binders.map((b) => this.slotOf(b));
    let k = 0;
    walkExpr(guard, (x) => {
      if (x.kind !== 'name') return;
      const r = this.spec.res.get(x);
      if (r?.k === 'local') k = Math.max(k, slots.indexOf(r.slot) + 1);
    });
    if (k >= binders.length) return undefined;
    for (let i = k; i < binders.length; i++) {
      const d = binders[i]!.domain;
      if (!(d.kind === 'name' && this.spec.res.get(d)?.k === 'typeSet')) return undefined;
    }
    const skip = this.fresh('H');
    // The generic engine runs the loops of x(k+1)..xn in every iteration of xk's loop, skipped
    // here once G is false: charged up front, what those entries charge there (src/lang/work.ts).
    let skipped = 0;
    let product = 1;
    for (let i = k; i < binders.length; i++) {
      product *= this.setElemDom(binders[i]!.domain).size;
      if (i > k) skipped += product;
    }
    const loop = (i: number): string => {
      if (i === binders.length) {
        const [preG, g] = this.capture(() => this.bool(guard));
        const [preR, r] = this.capture(() => this.bool(rest));
        return `${preG}\nif (!${g}) break ${skip};\n${preR}\nif (${restHolds ? `!${r}` : r}) { ${q} = false; break ${lbl}; }`;
      }
      const b = binders[i]!;
      const d = this.setElemDom(b.domain);
      const [pre, code] = this.capture(() =>
        this.iterate(b.domain, d, (val) => {
          this.env.set(slots[i]!, val);
          return loop(i + 1);
        }),
      );
      return i === k ? `${skip}: {\n${this.workCharge(lit(skipped))}\n${pre}\n${code}\n}` : `${pre}\n${code}`;
    };
    return loop(0);
  }

  /** Short-circuit: `right` is compiled into its own buffer, run only when needed. */
  private lazy(left: string, right: () => string, op: 'and' | 'or' | 'implies'): string {
    const [pre, r] = this.capture(right);
    const l = op === 'implies' ? `!${left}` : left;
    if (pre === '') return op === 'and' ? `(${l} && ${r})` : `(${l} || ${r})`;
    const t = this.fresh('t');
    this.emit(`let ${t} = ${l};`);
    this.emit(`if (${op === 'and' ? t : `!${t}`}) {\n${pre}\n${t} = ${r};\n}`);
    return t;
  }

  private binary(e: Extract<A.Expr, { kind: 'binary' }>, want: Dom | undefined): Val {
    const op = e.op;
    switch (op) {
      case 'and':
      case 'or':
      case 'implies': {
        const l = this.bool(e.left);
        return { r: 'bool', v: this.lazy(l, () => this.bool(e.right), op) };
      }
      case '+':
      case '-':
      case '*': {
        const a = this.int(e.left);
        const b = this.int(e.right);
        let lo: number;
        let hi: number;
        if (op === '+') [lo, hi] = [a.lo + b.lo, a.hi + b.hi];
        else if (op === '-') [lo, hi] = [a.lo - b.hi, a.hi - b.lo];
        else {
          const ps = [a.lo * b.lo, a.lo * b.hi, a.hi * b.lo, a.hi * b.hi];
          if (ps.some((x) => Number.isNaN(x))) [lo, hi] = [-Infinity, Infinity];
          else [lo, hi] = [Math.min(...ps), Math.max(...ps)];
        }
        const safe = lo >= -SAFE && hi <= SAFE;
        let v = `(${a.v} ${op} ${b.v})`;
        if (!safe) v = `${op === '*' ? 'ck0' : 'ck'}(${v})`;
        else if (op === '*' && lo < 0) v = `(${v} || 0)`;
        return { r: 'int', v, lo: safe ? lo : -SAFE, hi: safe ? hi : SAFE };
      }
      case '/':
      case '%': {
        const a = this.int(e.left);
        const b = this.int(e.right);
        const constB = isLiteral(b.v) ? litValue(b.v) : undefined;
        if (op === '%') {
          if (constB !== undefined && constB > 0) {
            if (a.lo >= 0) return { r: 'int', v: `(${a.v} % ${b.v})`, lo: 0, hi: Math.min(constB - 1, a.hi) };
            return { r: 'int', v: `md(${a.v}, ${b.v})`, lo: 0, hi: constB - 1 };
          }
          const m = Math.max(Math.abs(b.lo), Math.abs(b.hi));
          return { r: 'int', v: `md(${a.v}, ${b.v})`, lo: -m, hi: m };
        }
        const bound = Math.max(Math.abs(a.lo), Math.abs(a.hi));
        if (constB !== undefined && constB > 0 && a.lo >= 0) return { r: 'int', v: `Math.floor(${a.v} / ${b.v})`, lo: Math.floor(a.lo / constB), hi: Math.floor(a.hi / constB) };
        return { r: 'int', v: `dv(${a.v}, ${b.v})`, lo: -bound - 1, hi: bound + 1 };
      }
      case '<':
      case '<=':
      case '>':
      case '>=': {
        const a = this.int(e.left);
        const b = this.int(e.right);
        return { r: 'bool', v: `(${a.v} ${op} ${b.v})` };
      }
      case '==':
      case '!=': {
        const v = this.equal(e.left, e.right, e.span);
        return { r: 'bool', v: op === '==' ? v : `!${v}` };
      }
      case 'in':
      case 'notin': {
        const v = this.member(e.left, e.right, e.span);
        return { r: 'bool', v: op === 'in' ? v : `!${v}` };
      }
      case 'subset': {
        const nd = this.natural(e.left) ?? this.natural(e.right) ?? this.constSetDom(e.left) ?? this.constSetDom(e.right);
        if (!nd || nd.k !== 'set') return this.fail('cannot determine the elements of these sets for the packed engine', e.span);
        const d = nd;
        const a = this.once(this.code(e.left, d));
        const b = this.code(e.right, d);
        return { r: 'bool', v: `((${a} & ~${b}) === 0)` };
      }
      case 'union':
      case 'minus':
      case 'inter': {
        const d = want && want.k === 'set' ? want : this.natural(e.left) ?? this.natural(e.right) ?? this.setDom(e.left);
        if (d.k !== 'set') return this.fail('internal: a set operation on another type', e.span);
        const a = this.code(e.left, d);
        const b = this.code(e.right, d);
        const v = op === 'union' ? `(${a} | ${b})` : op === 'inter' ? `(${a} & ${b})` : `(${a} & ~${b})`;
        return { r: 'code', dom: d, v };
      }
      case '..': {
        const lo = this.int(e.left);
        const hi = this.int(e.right);
        return { r: 'range', lo: { ...lo, v: this.once(lo.v) }, hi: { ...hi, v: this.once(hi.v) } };
      }
    }
  }

  /** Equality of two expressions of the same type, as a JS boolean expression. */
  private equal(l: A.Expr, r: A.Expr, span: A.Span): string {
    const t = this.type(l).k === 'any' ? this.type(r) : this.type(l);
    if (t.k === 'int') return `(${this.int(l).v} === ${this.int(r).v})`;
    if (t.k === 'bool') return `(${this.bool(l)} === ${this.bool(r)})`;
    if (t.k === 'map' || t.k === 'record' || t.k === 'tuple') {
      const a = this.expr(l);
      if (a.r === 'place') {
        const b = this.expr(r);
        if (b.r !== 'place' || !sameShape(a.sh, b.sh)) return this.fail('comparing a map or a large record with anything but a variable of the same type is not supported by the packed engine', span);
        const ao = this.once(a.off);
        const bo = this.once(b.off);
        const parts: string[] = [];
        if (a.sh.width > 64) return `eqs(s, ${ao}, ${bo}, ${lit(a.sh.width)})`;
        const rd = (o: string): string => (this.initMode ? `un(s[${o}])` : `s[${o}]`);
        for (let i = 0; i < a.sh.width; i++) parts.push(`${rd(add(ao, i))} === ${rd(add(bo, i))}`);
        return `(${parts.join(' && ')})`;
      }
      const d = a.r === 'code' ? a.dom : this.domFor(l, undefined);
      return `(${this.toCode(a, d, l.span)} === ${this.code(r, d)})`;
    }
    // Two whole types as sets (a type's name, the keys of a map variable, which holds every key
    // of its type): known here, whatever their size. A set of more elements than a code holds
    // has no domain to compare codes in (`keys(ctl) == Proc` for 6,456 processors, fuzz
    // mutant 23-535, ran on the generic engine for it).
    if (t.k === 'set' && this.isWholeType(l) && this.isWholeType(r)) {
      const a = this.expr(l);
      const b = this.expr(r);
      if (a.r === 'typeset' && b.r === 'typeset') {
        const same = this.sameValues(a.dom, b.dom);
        if (same !== undefined) return same ? 'true' : 'false';
      }
    }
    const nl = this.isSetish(l) ? undefined : this.natural(l);
    const nr = this.isSetish(r) ? undefined : this.natural(r);
    const d = nl ?? nr ?? this.natural(l) ?? this.natural(r) ?? this.constSetDom(l) ?? this.constSetDom(r);
    if (!d) return this.fail('cannot determine a finite domain for this comparison', span);
    return `(${this.code(l, d)} === ${this.code(r, d)})`;
  }

  /** Whether an expression is a type's name or `keys` of something: a whole type as a set (expr gives a typeset, or fails). */
  private isWholeType(e: A.Expr): boolean {
    const r = this.spec.res.get(e);
    return (e.kind === 'name' && r?.k === 'typeSet') || (e.kind === 'call' && r?.k === 'builtin' && r.name === 'keys');
  }

  /** Whether two domains hold the same values; undefined past MAX_ENUMERATION values. */
  private sameValues(a: Dom, b: Dom): boolean | undefined {
    if (a.key === b.key) return true;
    if (a.size !== b.size) return false;
    if (a.size > MAX_ENUMERATION) return undefined;
    const x = this.doms.values(a).sort(compareValues);
    const y = this.doms.values(b).sort(compareValues);
    return x.every((v, i) => compareValues(v, y[i]!) === 0);
  }

  /** Whether an expression is a type name or a range: a set whose domain is best taken from the other side. */
  private isSetish(e: A.Expr): boolean {
    const r = this.spec.res.get(e);
    return (e.kind === 'name' && r?.k === 'typeSet') || (e.kind === 'binary' && e.op === '..');
  }

  /** `x in S` as a JS boolean expression. */
  private member(x: A.Expr, set: A.Expr, span: A.Span): string {
    const st = this.expr(set, this.natural(set));
    const xt = this.type(x);
    if (st.r === 'range') {
      const v = this.once(this.int(x).v);
      return `(${v} >= ${st.lo.v} && ${v} <= ${st.hi.v})`;
    }
    if (st.r === 'typeset') {
      if (st.dom.k === 'int') {
        const v = this.once(this.int(x).v);
        return `(${v} >= ${lit(st.dom.lo)} && ${v} <= ${lit(st.dom.hi)})`;
      }
      const xv = this.expr(x, st.dom);
      if (xv.r === 'code' && xv.dom.key !== st.dom.key) return this.fail('membership across different domains is not supported by the packed engine', span);
      this.toCode(xv, st.dom, x.span);
      return 'true';
    }
    if (st.r !== 'code' || st.dom.k !== 'set') return this.fail('internal: membership in a non-set', span);
    const d = st.dom;
    const m = this.once(st.v);
    if (xt.k === 'int' && d.elem.k === 'int') {
      const v = this.int(x);
      const c = this.once(v.lo >= d.elem.lo && v.hi <= d.elem.hi && v.src && v.src.lo === d.elem.lo ? v.src.c : add(v.v, -d.elem.lo));
      if (v.lo >= d.elem.lo && v.hi <= d.elem.hi) return `(((${m} >>> ${c}) & 1) === 1)`;
      return `(${c} >= 0 && ${c} < ${lit(d.elem.size)} && ((${m} >>> ${c}) & 1) === 1)`;
    }
    const c = this.code(x, d.elem);
    return `(((${m} >>> ${c}) & 1) === 1)`;
  }
}
