/**
 * Checking processes and procedures: their signatures, bodies and frames, and the expressions
 * that read them (`p.var`, `p at label`).
 */
import type * as A from '../ast.js';
import { didYouMean, nameList } from '../diagnostics.js';
import { DONE, checkCallShape, checkProcessShape, procedureCalls, stepLabels } from '../process-shape.js';
import { ANY, BOOL, formatType, type Type } from '../types.js';
import type { Resolution, CheckedParam, CheckedProcess, CheckedProcedure } from './checked.js';
import { typeText, Scope, type Frame, BUILTIN_TYPES, article, describe } from './base.js';
import { StmtChecker } from './statements.js';
import { named } from '../by-name.js';

export abstract class ProcessChecker extends StmtChecker {
  /** The instance parameter and the variables of a process (pass 2: they type `at` and reads). */
  protected processSignature(p: CheckedProcess): void {
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
  protected procedureSignature(p: CheckedProcedure): void {
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
  protected procedureBody(p: CheckedProcedure): void {
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
  protected override frameVar(n: string): Extract<Resolution, { k: 'frame' }> | undefined {
    const proc = this.currentProcess?.procedure;
    if (!proc) return undefined;
    const i = proc.params.findIndex((x) => x.name === n);
    if (i >= 0) return { k: 'frame', proc, index: i, type: proc.params[i]!.type };
    const j = proc.locals.findIndex((x) => x.name === n);
    if (j >= 0) return { k: 'frame', proc, index: proc.params.length + j, type: proc.locals[j]!.type };
    return undefined;
  }

  /** The procedures a process may call, directly or through other procedures. */
  protected reachableProcedures(p: CheckedProcess): void {
    const names = new Set<string>();
    const visit = (calls: readonly string[]): void => {
      for (const n of calls) {
        const q = named(this.procedures, n);
        if (!q || names.has(n)) continue;
        names.add(n);
        visit(q.calls);
      }
    };
    visit(procedureCalls(p.decl.body));
    p.procedures = this.procedures.filter((q) => names.has(q.name));
  }

  /** The shape, the variables' initial values and the steps of a process (pass 3). */
  protected processBody(p: CheckedProcess): void {
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
   * `P(i).x` / `P.x`: a read of variable x of an instance of process P, from any expression
   * that may read the state. Undefined when the target does not name a process (an ordinary
   * field access, or a call that the checker reports as usual).
   */
  protected override processVarRead(e: Extract<A.Expr, { kind: 'field' }>, scope: Scope): Type | undefined {
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
          : (didYouMean(x, p.locals.map((l) => l.name)) ?? (p.locals.length ? `its variables are: ${nameList(p.locals.map((l) => l.name))}` : `process '${p.name}' has no variables`));
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
  protected override at(e: Extract<A.Expr, { kind: 'at' }>, scope: Scope): Type {
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
      this.error(g ? 'E205' : 'E201', pname.span, what, didYouMean(pname.text, names) ?? (names.length ? `the processes are: ${nameList(names)}` : 'this spec declares no process'));
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
      if (index < 0) this.error('E201', l.span, `process '${p.name}' has no label '${l.text}'`, didYouMean(l.text, all) ?? `its labels are: ${nameList(all)}`);
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
}
