/**
 * Compiling statements in continuation-passing style: each takes the continuation of the rest
 * of the step. Writes are undone when the continuation returns.
 */
import type * as A from '../ast.js';
import type { Resolution } from '../check.js';
import { hasRanges, type Type } from '../types.js';
import type { ProcessContext } from '../process.js';
import { ModelError } from '../../explore/system.js';
import {
  IList, IMap, Rec, Variant, formatValue, type Value,
} from '../../values/index.js';
import { groupDigits } from '../../values/format.js';
import { type RuntimeLocation, type Ctx, type Cont, fail, type RequireSite } from './base.js';
import { chargeDomain, mapGet, mapWith, seqGet, ExprCompiler, STACK_EXHAUSTED } from './expressions.js';
import type { StepCounters } from '../coverage.js';
import { pollInterrupt } from '../../explore/guard.js';
import { MAX_FOR_NESTING } from '../diagnostics.js';

/** Thrown past MAX_FOR_NESTING elements of `for` loops nested in one step; E716 at the outermost loop. */
const FOR_TOO_DEEP = new Error('for loops nested too deep');

export class Compiler extends ExprCompiler {
  /** Step counters that count (`--coverage`): requires, awaits and picks then count as they run. */
  counters: StepCounters | undefined;

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

  protected override procCtx(): ProcessContext {
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
        const counters = this.counters;
        const g = counters?.sites.guardOf.get(st);
        if (counters !== undefined && g !== undefined) {
          return (c) => {
            const ok = cond(c) as boolean;
            counters.guard(g, ok);
            if (ok) k(c);
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
        const dom = this.loopElements(st.domain);
        const s = this.slot(st);
        const where = st.where ? this.expr(st.where) : undefined;
        const dspan = st.domain.span;
        const weigh = this.weighs(st.domain);
        // No element (an empty set, or none satisfying `where`): no successor, like TLA+'s \E.
        const sink = this.explainSink;
        const site: RequireSite | undefined = sink ? { span: st.span, cond: st.span, keyword: 'pick' } : undefined;
        const counters = sink ? undefined : this.counters;
        const g = counters?.sites.guardOf.get(st);
        if (counters !== undefined && g !== undefined) {
          return (c) => {
            const old = c.loc[s]!;
            let any = false;
            const elems = dom(c);
            chargeDomain(elems, dspan, weigh);
            for (const x of elems) {
              pollInterrupt();
              c.loc[s] = x;
              if (where && !where(c)) continue;
              any = true;
              k(c);
            }
            c.loc[s] = old;
            counters.guard(g, any);
          };
        }
        return (c) => {
          const old = c.loc[s]!;
          let any = false;
          const elems = dom(c);
          chargeDomain(elems, dspan, weigh);
          for (const x of elems) {
            pollInterrupt();
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
        const dom = this.loopElements(st.domain);
        const v = this.slot(st);
        const dspan = st.domain.span;
        const weigh = this.weighs(st.domain);
        // The two slots after the loop variable hold the elements and the position.
        const elemsSlot = v + 1;
        const posSlot = v + 2;
        const loop: Cont = (c) => {
          const elems = c.loc[elemsSlot] as unknown as readonly Value[];
          const i = c.loc[posSlot] as number;
          if (i >= elems.length) return k(c);
          if (this.forNesting >= MAX_FOR_NESTING) throw FOR_TOO_DEEP;
          this.forNesting++;
          const oldV = c.loc[v]!;
          c.loc[v] = elems[i]!;
          body(c);
          c.loc[v] = oldV;
          this.forNesting--;
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
          const elems = dom(c);
          chargeDomain(elems, dspan, weigh);
          c.loc[elemsSlot] = elems as unknown as Value;
          c.loc[posSlot] = 0;
          // Each element nests its body, which continues with the next element, and the last
          // with the rest of the step: past MAX_FOR_NESTING elements nested (the packed engine
          // counts the same), or past the stack, E716 at the outermost loop.
          const outer = this.forDepth === 0;
          this.forDepth++;
          try {
            loop(c);
          } catch (err) {
            const overflow = err instanceof RangeError && /call stack/.test(err.message);
            if (err !== FOR_TOO_DEEP && err !== STACK_EXHAUSTED && !overflow) throw err;
            if (!outer) throw err === FOR_TOO_DEEP ? err : STACK_EXHAUSTED;
            const how = err === FOR_TOO_DEEP ? `more than ${groupDigits(MAX_FOR_NESTING)} elements of loops nested in one step` : 'nested so deep that it exhausted the stack';
            fail('E716', dspan, `step nested too deep: this \`for\` over ${groupDigits(elems.length)} elements, with the statements after it: ${how}`, 'loop over fewer elements in one step: split the set, or spread the loop over several steps (a process whose loop takes one element a step)');
          } finally {
            this.forDepth--;
            if (outer) this.forNesting = 0;
          }
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
            const old = mapGet(m, key, sspan);
            return mapWith(m, key, inner(c, old, v), old);
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
