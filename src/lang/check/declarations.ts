/**
 * Checking a spec's declarations in order (constants, types, variables, definitions, actions,
 * processes, properties, checks, imports), and the entry point checkSpec.
 */
import type * as A from '../ast.js';
import { resolveShows } from '../show.js';
import { MAX_NESTING, SpecErrors, didYouMean, type Diagnostic, nameList } from '../diagnostics.js';
import { procedureCalls, processEndLabels, processLabels } from '../process-shape.js';
import { ANY, BOOL, formatType, type EnumInfo, type Type, type VariantInfo } from '../types.js';
import type {
  CheckedDef, CheckedVar, CheckedConst, CheckedParam, CheckedAction, CheckedProcess,
  CheckedProcedure, CheckedBody, CheckedProperty, CheckedFairness, CheckedCheck, CheckedImport,
  CheckedConstraint, CheckedSpec, CheckedSymmetry, Resolution,
} from './checked.js';
import { groupDigits } from '../../values/format.js';
import { typeText, Scope, type Frame, BUILTIN_TYPES, article, describe, rangeBounds } from './base.js';
import { walkExpr } from './expressions.js';
import { TemporalChecker } from './temporal.js';
import { Tarjan } from '../../explore/liveness.js';
import { symmetryBreaks, symmetryTargets, type SymmetryInputs } from './symmetry.js';
import { named } from '../by-name.js';

class Checker extends TemporalChecker {
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
        case 'symmetry':
        case 'show':
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
    this.warnUnbounded(vars);
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
    if (this.checkCallDepth(defs)) this.checkRecursion(defs);
    this.markStateFree(defs);
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
        if (named(views, d.name.text) !== undefined) this.error('E203', d.name.span, `view '${d.name.text}' is declared twice`);
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
    const symmetry = this.symmetries(checks);
    // `show NAME`: definitions and views printed in every state of a trace.
    const shows = resolveShows(defs, views, this.ast.decls.flatMap((d) => (d.kind === 'show' ? [d.name] : [])), (d) => this.report(d));
    for (const c of checks) if (c.decl.shows) c.shows = resolveShows(defs, views, c.decl.shows, (d) => this.report(d));
    for (const e of this.ast.attributeErrors ?? []) this.error(e.code, e.span, e.message, e.hint);
    if (this.diags.length > 0) throw new SpecErrors(this.diags);
    const spec: CheckedSpec = {
      shows,
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
      warnings: this.warnings,
      imports: this.imports,
      refines,
      ...(symmetry.length > 0 ? { symmetry } : {}),
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
      checkStatePredicate: (e, what) => {
        const before = this.diags.length;
        // Warnings about an expression typed after the spec are not the spec's.
        const warned = this.warnings.length;
        const frame: Frame = { size: 0, stateful: true };
        const t = this.expr(e, new Scope(undefined, frame));
        this.expectType(e, BOOL, t, what);
        this.warnings.splice(warned);
        if (this.diags.length > before) throw new SpecErrors(this.diags.splice(before));
        return frame.size;
      },
    };
    return spec;
  }

  /**
   * The spec's `symmetry` declarations and each check's own (set on the check), then every
   * expression that breaks one of them (docs/symmetry.md).
   */
  private symmetries(checks: CheckedCheck[]): CheckedSymmetry[] {
    const inputs: SymmetryInputs = {
      ast: this.ast, globals: this.globals, res: this.res, types: this.types, processes: this.processes, procedures: this.procedures,
      error: (code, span, message, hint) => this.error(code, span, message, hint),
    };
    const top = symmetryTargets(this.ast.decls.filter((d): d is Extract<A.Decl, { kind: 'symmetry' }> => d.kind === 'symmetry'), inputs);
    const all = [...top];
    for (const c of checks) {
      if (c.decl.symmetry === undefined) continue;
      const own = symmetryTargets(c.decl.symmetry, inputs);
      (c as { symmetry?: CheckedSymmetry[] }).symmetry = own;
      for (const s of own) if (!all.some((x) => x.type === s.type && x.constIndex === s.constIndex)) all.push(s);
    }
    symmetryBreaks(all, inputs);
    return top;
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
      : (didYouMean(d.name.text, names) ?? (names.length > 0 ? `the imported specs are: ${nameList(names)}` : `import the abstract spec first: import ${d.name.text} from "file.spex"`));
    this.error('E201', d.name.span, `'${d.name.text}' is not an imported spec`, hint);
    return undefined;
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
      // Two values for one constant: the second silently won.
      if (overrides.some((x) => x.index === c.index)) this.error('E215', o.name.span, `constant '${c.name}' is given twice in check '${d.name.text}'`);
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
   * Definitions that call one another more than MAX_NESTING levels deep (E104): a call is
   * evaluated inside the one that makes it, so such a chain nests as deep as an expression
   * nested that far, past what the compilers and the evaluation have stack for (a chain of
   * 4,000 overflowed the generic compiler). Measured without recursion, over the calls that
   * close no cycle (a recursive definition's depth is bounded at run time, E709). False when
   * too deep: checkRecursion is then not run.
   */
  private checkCallDepth(defs: CheckedDef[]): boolean {
    /** Per definition, the longest chain of calls from it (0: it calls none). */
    const depth = new Map<string, number>();
    const deeper = new Map<string, string>();
    const open = new Map<string, string[]>();
    for (const def of defs) {
      if (depth.has(def.name)) continue;
      const stack = [def.name];
      open.set(def.name, [...(this.defDeps.get(def.name) ?? [])]);
      while (stack.length > 0) {
        const name = stack[stack.length - 1]!;
        const todo = open.get(name)!;
        const dep = todo.pop();
        if (dep !== undefined) {
          if (depth.has(dep) || open.has(dep)) continue;
          open.set(dep, [...(this.defDeps.get(dep) ?? [])]);
          stack.push(dep);
          continue;
        }
        let best = 0;
        for (const d of this.defDeps.get(name) ?? []) {
          const x = depth.get(d);
          if (x !== undefined && x + 1 > best) {
            best = x + 1;
            deeper.set(name, d);
          }
        }
        depth.set(name, best);
        open.delete(name);
        stack.pop();
      }
    }
    let top: CheckedDef | undefined;
    for (const def of defs) if (top === undefined || depth.get(def.name)! > depth.get(top.name)!) top = def;
    if (top === undefined || depth.get(top.name)! <= MAX_NESTING) return true;
    const chain = [top.name];
    for (let n = deeper.get(top.name); n !== undefined; n = deeper.get(n)) chain.push(n);
    const shown = chain.length <= 4 ? chain : [...chain.slice(0, 3), '…', chain[chain.length - 1]!];
    this.error(
      'E104',
      top.decl.name.span,
      `definition '${top.name}' calls definitions ${groupDigits(depth.get(top.name)!)} levels deep (${shown.map((n) => (n === '…' ? n : `'${n}'`)).join(' → ')}), more than ${MAX_NESTING}`,
      'a call is evaluated inside the one that makes it: let a definition compute in fewer steps, or inline the short ones',
    );
    return false;
  }

  /**
   * A definition with parameters may call itself, directly or through others (its depth is
   * bounded at run time, E709). One without parameters is a value and cannot depend on itself.
   * The definitions on a cycle of calls are found in one pass over the calls (Tarjan's strongly
   * connected components), not by a search from each definition: that was cubic in the length
   * of a chain (1,000 definitions calling one another took 0.5 s and 1 GB of copied paths).
   */
  private checkRecursion(defs: CheckedDef[]): void {
    const onCycle = this.definitionsOnCycles(defs);
    for (const def of defs) {
      def.recursive = onCycle.has(def.name);
      if (def.recursive && def.decl.params.length === 0) {
        const cycle = this.cycleThrough(def.name);
        this.error('E211', def.decl.name.span, `'${def.name}' is defined in terms of itself (${cycle.join(' → ')})`, 'a definition without parameters is a value and cannot depend on itself; give it a parameter that decreases, or use a quantifier or a set expression');
      }
    }
  }

  /**
   * The names of the definitions that reach themselves through their calls: those of a
   * strongly connected component of more than one, and those that call themselves. The
   * liveness checks' Tarjan (iterative: a chain may be as long as the spec has definitions),
   * over the calls numbered as the definitions are.
   */
  private definitionsOnCycles(defs: CheckedDef[]): Set<string> {
    const number = new Map(defs.map((d, i) => [d.name, i]));
    const offsets = new Int32Array(defs.length + 1);
    const targets: number[] = [];
    defs.forEach((d, i) => {
      for (const dep of this.defDeps.get(d.name) ?? []) targets.push(number.get(dep)!);
      offsets[i + 1] = targets.length;
    });
    const all = Int32Array.from(defs.keys());
    const components = new Tarjan(defs.length, true).run({ offsets, targets: Int32Array.from(targets) }, all, new Int32Array(defs.length).fill(1), 1);
    return new Set(components.flatMap((c) => Array.from(c, (i) => defs[i]!.name)));
  }

  /**
   * A path of calls from a definition on a cycle back to itself, for E211: the first a
   * depth-first search finds, the calls of each definition taken in the order they were met,
   * each definition entered once.
   */
  private cycleThrough(start: string): string[] {
    const seen = new Set<string>();
    const path = [start];
    const deps: Iterator<string>[] = [(this.defDeps.get(start) ?? new Set<string>()).values()];
    while (deps.length > 0) {
      const step = deps[deps.length - 1]!.next();
      if (step.done) {
        deps.pop();
        path.pop();
        continue;
      }
      const dep = step.value;
      if (dep === start) return [...path, dep];
      if (seen.has(dep)) continue;
      seen.add(dep);
      path.push(dep);
      deps.push((this.defDeps.get(dep) ?? new Set<string>()).values());
    }
    return [start, start];
  }

  /**
   * Marks the definitions whose value depends on their arguments alone (CheckedDef.stateFree):
   * those that read no state themselves and call none that does.
   */
  private markStateFree(defs: CheckedDef[]): void {
    const reads = new Set<string>();
    const callers = new Map<string, string[]>();
    for (const def of defs) {
      for (const dep of this.defDeps.get(def.name) ?? []) {
        let list = callers.get(dep);
        if (!list) callers.set(dep, (list = []));
        list.push(def.name);
      }
      let direct = false;
      walkExpr(def.decl.body, (x) => {
        if (direct) return;
        // (`x'` cannot stand in a definition; `P at L` resolves to its process.)
        const k = this.res.get(x)?.k;
        if (k === 'var' || k === 'next' || k === 'plocal' || k === 'process' || k === 'pvar' || k === 'frame') direct = true;
      });
      if (direct) reads.add(def.name);
    }
    // A definition that calls one that reads the state reads it too.
    const todo = [...reads];
    for (let name = todo.pop(); name !== undefined; name = todo.pop()) {
      for (const caller of callers.get(name) ?? []) {
        if (reads.has(caller)) continue;
        reads.add(caller);
        todo.push(caller);
      }
    }
    for (const def of defs) def.stateFree = !reads.has(def.name);
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
  /**
   * W001: a variable declared `Int` has no bound, so a spec that keeps increasing it has
   * infinitely many states and its search never ends. Global and process/procedure variables
   * whose declared type is `Int` itself (not a range, and not Int inside a collection) are
   * reported, unless a state constraint of the spec (`constraint`, top level or in a check
   * block) names the variable: that is the documented way to bound it.
   */
  protected warnUnbounded(vars: readonly CheckedVar[]): void {
    const constrained = new Set<string>();
    const collect = (node: unknown): void => {
      if (typeof node !== 'object' || node === null) return;
      if (Array.isArray(node)) {
        for (const x of node) collect(x);
        return;
      }
      const o = node as { kind?: unknown; name?: { text?: unknown }; source?: unknown };
      if (o.kind === 'name' && typeof o.name?.text === 'string') constrained.add(o.name.text);
      for (const [k, v] of Object.entries(node)) if (k !== 'span' && k !== 'source') collect(v);
    };
    const constraintsOf = (decls: readonly unknown[]): void => {
      for (const d of decls as { kind?: string; action?: boolean; body?: unknown; constraints?: unknown[] }[]) {
        if (d.kind === 'constraint' && !d.action) collect(d.body);
        if (d.kind === 'check') for (const c of d.constraints ?? []) if (!(c as { action?: boolean }).action) collect((c as { body?: unknown }).body);
      }
    };
    constraintsOf(this.ast.decls);
    const unbounded = (name: string, type: Type, texpr: A.TypeExpr, of: string): void => {
      if (type.k !== 'int' || type.range !== undefined || constrained.has(name)) return;
      this.warn(
        'W001',
        texpr.span,
        `variable '${name}'${of} has type Int, which has no bound: if its value keeps growing, the search never ends`,
        "give it a range (e.g. '0..10'; a value outside it is then error E703), or bound the search with a 'constraint' on it or --max-states; if the actions keep it bounded, ignore this warning",
      );
    };
    for (const v of vars) unbounded(v.name, v.type, v.decl.type, '');
    for (const p of this.processes) for (const l of p.locals) unbounded(l.name, l.type, l.decl.type, ` of process '${p.name}'`);
    for (const p of this.procedures) for (const l of p.locals) unbounded(l.name, l.type, l.decl.type, ` of procedure '${p.name}'`);
  }
}

/** Resolves and type-checks a parsed spec. Throws SpecErrors with every diagnostic found. */
export function checkSpec(ast: A.SpecAst): CheckedSpec {
  return new Checker(ast).run();
}

/** What checkSpecKeepingResolutions found: the spec if it checks, and the resolutions either way. */
export interface PartialCheck {
  /** The checked spec; undefined when the spec has errors. */
  readonly spec: CheckedSpec | undefined;
  /** The errors (empty when `spec` is defined). */
  readonly diagnostics: readonly Diagnostic[];
  readonly warnings: readonly Diagnostic[];
  /** What every name the checker got to resolves to, even when it has errors elsewhere. */
  readonly res: ReadonlyMap<object, Resolution>;
  /** The type of every expression the checker got to. */
  readonly types: ReadonlyMap<A.Expr, Type>;
}

/**
 * checkSpec for editors (src/lsp/): the same diagnostics, but instead of throwing it returns
 * them with the resolutions and types found so far, so that a spec with a mistake in one place
 * still answers hover and go-to-definition everywhere else.
 */
export function checkSpecKeepingResolutions(ast: A.SpecAst): PartialCheck {
  const checker = new Checker(ast);
  try {
    const spec = checker.run();
    return { spec, diagnostics: [], warnings: spec.warnings, res: checker.res, types: checker.types };
  } catch (e) {
    if (!(e instanceof SpecErrors)) throw e;
    return { spec: undefined, diagnostics: e.diagnostics, warnings: checker.warnings, res: checker.res, types: checker.types };
  }
}
