/**
 * Checking statements: assignments, control flow, procedure calls and returns, and writes
 * that a later write in the same step would lose; and the walk over a statement.
 */
import type * as A from '../ast.js';
import { didYouMean, nameList } from '../diagnostics.js';
import { ANY, BOOL, INT, formatType, type Type } from '../types.js';
import type { CheckedVar } from './checked.js';
import { Scope, type Where, article, describe } from './base.js';
import { walkExpr, ExprChecker } from './expressions.js';

export abstract class StmtChecker extends ExprChecker {
  protected stmts(stmts: A.Stmt[], scope: Scope, where: Where): void {
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
            : (didYouMean(st.target.text, cp.p.labels) ?? `the labels of '${cp.p.name}' are: ${nameList(cp.p.labels)}`);
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
          this.error(g ? 'E205' : 'E201', st.callee.span, what, didYouMean(st.callee.text, names) ?? (names.length ? `the procedures are: ${nameList(names)}` : `declare it with 'procedure ${st.callee.text}(...) { ... }'`));
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
