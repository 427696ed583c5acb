/**
 * Checking expressions: names, calls and builtins, operators, patterns and set membership;
 * and the walk over an expression's subexpressions.
 */
import type * as A from '../ast.js';
import { TYPE_AS_SET_HINT, didYouMean } from '../diagnostics.js';
import {
  ANY, BOOL, INT, compatible, formatType, isOption, join, optionType, type Type, type VariantInfo,
} from '../types.js';
import { type Resolution, BUILTINS, type Builtin, type CheckedDef } from './checked.js';
import { Scope, BUILTIN_TYPES, article, describe, CheckerBase } from './base.js';
import { pollInterrupt } from '../../explore/guard.js';

export abstract class ExprChecker extends CheckerBase {
  protected abstract primed(e: Extract<A.Expr, { kind: 'primed' }>, scope: Scope): Type;
  protected abstract at(e: Extract<A.Expr, { kind: 'at' }>, scope: Scope): Type;
  protected abstract processVarRead(e: Extract<A.Expr, { kind: 'field' }>, scope: Scope): Type | undefined;
  protected abstract frameVar(n: string): Extract<Resolution, { k: 'frame' }> | undefined;

  protected elemOfSet(e: A.Expr, t: Type, what: string): Type {
    if (t.k === 'set') return t.elem;
    if (t.k !== 'any') this.error('E205', e.span, `${what} needs a set, but this is ${formatType(t)}`);
    return ANY;
  }

  // ---- match arms (statements and expressions share the pattern rules)

  protected arms<Arm extends { pattern: A.Pattern }>(
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

  override expr(e: A.Expr, scope: Scope): Type {
    pollInterrupt();
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
        if (t.k !== 'any') {
          const size = /^(length|size|len|count|cardinality)$/.test(e.field.text) && (t.k === 'seq' || t.k === 'set' || t.k === 'map');
          this.error('E205', e.target.span, `${formatType(t)} has no fields`, size ? `the number of elements is ${t.k === 'seq' ? 'len' : 'size'}(${sourceText(e.target.span)}), not .${e.field.text}` : undefined);
        }
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
      // Names that have a value here: not actions, procedures, invariants or properties.
      const valued = [...this.globals].filter(([, v]) => v.k !== 'action' && v.k !== 'procedure' && v.k !== 'invariant' && v.k !== 'property' && v.k !== 'stepProperty').map(([k]) => k);
      const candidates = [...scope.allNames(), ...valued, ...(cp?.locals.map((l) => l.name) ?? [])];
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

  /** Reports a constant expression that reads the state through a definition (E216). */
  protected override mustBeConstant(e: A.Expr): void {
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
        return t.k === 'seq' ? { k: 'seq', elem: joinReported(t.elem, args[1]!) } : ANY;
      }
      case 'concat': {
        if (!this.arity(e, 2)) return ANY;
        const a = arg(0, 'a sequence', (x) => x.k === 'seq');
        const b = arg(1, 'a sequence', (x) => x.k === 'seq');
        this.expectType(e.args[1]!, a, b, 'the second sequence');
        return joinReported(a, b);
      }
      case 'put': {
        if (!this.arity(e, 3)) return ANY;
        const m = arg(0, 'a map', (x) => x.k === 'map');
        if (m.k === 'map') {
          this.expectType(e.args[1]!, m.key, args[1]!, 'a map key');
          this.expectType(e.args[2]!, m.value, args[2]!, 'a map value');
          return { k: 'map', key: joinReported(m.key, args[1]!), value: joinReported(m.value, args[2]!) };
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
        return t.k === 'seq' ? { k: 'seq', elem: joinReported(t.elem, args[2]!) } : ANY;
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
        return op === 'subset' ? BOOL : joinReported(l, r);
      }
    }
  }
}

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

/**
 * join() of two types a diagnostic has already been given for if they are not compatible
 * (join() is only defined on compatible types): the first one then, so that checking goes on.
 */
function joinReported(a: Type, b: Type): Type {
  return compatible(a, b) ? join(a, b) : a;
}

/** The source text of a span, on one line. */
function sourceText(span: A.Span): string {
  return span.source.text.slice(span.start, span.end).replace(/\s+/g, ' ');
}
