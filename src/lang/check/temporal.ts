/**
 * Checking temporal properties, fairness, constraints and step predicates (including primed
 * names).
 */
import type * as A from '../ast.js';
import { didYouMean } from '../diagnostics.js';
import { ANY, BOOL, type Type } from '../types.js';
import type { CheckedBody, CheckedProperty, CheckedFairness, CheckedConstraint } from './checked.js';
import { Scope, type Frame, article, describe } from './base.js';
import { stateReadIn } from './expressions.js';
import { ProcessChecker } from './processes.js';
import { named } from '../by-name.js';

export abstract class TemporalChecker extends ProcessChecker {
  /**
   * A property: its quantifiers range over constant sets (evaluated once, at compile time),
   * and its predicates are Bool expressions over the state, with the binders in scope.
   */
  protected property(d: Extract<A.Decl, { kind: 'property' }>): CheckedProperty {
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
  protected fairness(d: Extract<A.Decl, { kind: 'fairness' }>): CheckedFairness | undefined {
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

  /** A `constraint` or `action constraint`: a Bool predicate over a state, or over a step. */
  protected constraint(d: Extract<A.Decl, { kind: 'constraint' }>, into: CheckedConstraint[], outer: readonly CheckedConstraint[]): void {
    const what = `${d.action ? 'action constraint' : 'constraint'} '${d.name.text}'`;
    if (named(into, d.name.text) !== undefined || named(outer, d.name.text) !== undefined) {
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
  protected stepPredicate(name: A.Name, body: A.Expr, what: string): CheckedBody {
    const frame: Frame = { size: 0, stateful: true, step: true };
    const t = this.expr(body, new Scope(undefined, frame));
    this.expectType(body, BOOL, t, what);
    return { name: name.text, expr: body, frameSize: frame.size };
  }

  /** `x'`: allowed in step predicates only, and only for state variables. */
  protected override primed(e: Extract<A.Expr, { kind: 'primed' }>, scope: Scope): Type {
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
}
