/**
 * The shape rules of a process body, checked on the AST alone (no names, no types): where
 * labels may stand, that they are unique, and that every loop goes through a label. They are
 * what makes every step of a process finite: the only ways back are a `goto` and the end of a
 * `while` body, and both end the step at a label.
 */
import type * as A from './ast.js';
import type { Code } from './diagnostics.js';
import type { CheckedProcess } from './check.js';

/** The pc of a process instance that has run to its end; no label may take this name. */
export const DONE = 'done';

type Report = (code: Code, span: A.Span, message: string, hint?: string) => void;

/** The statement lists nested in a statement: the branches of if, match and either, loop bodies. */
function nestedBodies(st: A.Stmt): readonly (readonly A.Stmt[])[] {
  switch (st.kind) {
    case 'if':
      return st.else ? [st.then, st.else] : [st.then];
    case 'while':
    case 'for':
      return [st.body];
    case 'match':
      return st.arms.map((a) => a.body);
    case 'either':
      return st.branches;
    default:
      return [];
  }
}

/** Calls f on every statement of a body, at any depth, in the order written. */
function forEachStmt(body: readonly A.Stmt[], f: (st: A.Stmt) => void): void {
  for (const st of body) {
    f(st);
    for (const b of nestedBodies(st)) forEachStmt(b, f);
  }
}

/**
 * The labels a step of a process may start at: its own, then those of the procedures it may
 * call, named `procedure.label` (in traces, ITF and the pc).
 */
export function stepLabels(p: CheckedProcess): string[] {
  return [...p.labels, ...p.procedures.flatMap((q) => q.labels.map((l) => `${q.name}.${l}`))];
}

/** Every label of a process body, at any depth, in the order written. */
export function processLabels(body: readonly A.Stmt[]): A.Name[] {
  const out: A.Name[] = [];
  forEachStmt(body, (st) => {
    if (st.kind === 'label') out.push(st.name);
  });
  return out;
}

/** The labels written `end L:` (valid end states), in the order written. */
export function processEndLabels(body: readonly A.Stmt[]): string[] {
  const out: string[] = [];
  forEachStmt(body, (st) => {
    if (st.kind === 'label' && st.end) out.push(st.name.text);
  });
  return out;
}

/** The procedures a body calls, by name, in the order written (repeats removed). */
export function procedureCalls(body: readonly A.Stmt[]): string[] {
  const out: string[] = [];
  forEachStmt(body, (st) => {
    if (st.kind === 'call' && !out.includes(st.callee.text)) out.push(st.callee.text);
  });
  return out;
}

/**
 * The rules of `call` and `return`, PlusCal's: a call ends its step, and the caller resumes at
 * the label that follows it, so what follows a call must be a label, a `return` or a `goto`
 * (or the end of the body, or of a while body, which reach a label or return too) (E223).
 * Neither may stand inside a for loop, which runs within one step (E225).
 */
export function checkCallShape(body: readonly A.Stmt[], inProcedure: boolean, report: Report): void {
  // `ends`: whether the end of this statement list reaches a label or a return by itself.
  const visit = (stmts: readonly A.Stmt[], ends: boolean, inFor: boolean): void => {
    stmts.forEach((st, i) => {
      switch (st.kind) {
        case 'call': {
          if (inFor) {
            report('E225', st.span, `a call cannot stand inside a for loop`, 'a for loop runs within one step, and a call ends the step: call from a labelled step, or loop with while');
            break;
          }
          const next = stmts[i + 1];
          const ok = next === undefined ? ends : next.kind === 'label' || next.kind === 'goto' || next.kind === 'return';
          if (!ok) {
            report('E223', st.span, `a call must be followed by a label, a return or a goto`, `the call ends the step and '${st.callee.text}' returns to the point after it, which must be a label: put a label on the next statement ('after: ...')`);
          }
          break;
        }
        case 'return':
          if (inFor && inProcedure) report('E225', st.span, `a return cannot stand inside a for loop`, 'a for loop runs within one step: leave the loop first, then return');
          break;
        case 'if':
          visit(st.then, false, inFor);
          if (st.else) visit(st.else, false, inFor);
          break;
        case 'while':
          visit(st.body, true, inFor);
          break;
        case 'for':
          visit(st.body, false, true);
          break;
        case 'match':
          st.arms.forEach((a) => visit(a.body, false, inFor));
          break;
        case 'either':
          st.branches.forEach((b) => visit(b, false, inFor));
          break;
        default:
          break;
      }
    });
  };
  visit(body, true, false);
}

/** Reports every violation of the shape rules in a process declaration. */
export function checkProcessShape(d: Extract<A.Decl, { kind: 'process' }>, report: Report): void {
  const first = d.body[0];
  if (first === undefined) {
    report('E215', d.name.span, `process '${d.name.text}' has no steps`, `give it at least one labelled statement, such as 'run: x := x + 1'`);
  } else if (first.kind !== 'label') {
    report('E215', first.span, `this statement comes before the first label of process '${d.name.text}'`, `every statement of a process belongs to the step of a label: put a label such as 'start:' before it`);
  }

  const seen = new Set<string>();
  for (const l of processLabels(d.body)) {
    if (l.text === DONE) {
      report('E203', l.span, `'${DONE}' cannot be a label: it is the pc of a process instance that has run to its end`, 'choose another name');
    } else if (seen.has(l.text)) {
      report('E203', l.span, `label '${l.text}' is declared twice in process '${d.name.text}'`, 'rename one of the two labels');
    }
    seen.add(l.text);
  }

  const visit = (stmts: readonly A.Stmt[], inFor: boolean): void => {
    stmts.forEach((st, i) => {
      switch (st.kind) {
        case 'label':
          if (inFor) {
            report('E215', st.span, `a label cannot stand inside a for loop`, 'a for loop runs within one step; a labelled while loop spreads its iterations over steps');
          }
          break;
        case 'while':
          if (stmts[i - 1]?.kind !== 'label') {
            report('E215', st.span, 'a while loop must begin a step', `put a label right before it ('loop: while ...'): the end of its body goes back to that label`);
          }
          visit(st.body, inFor);
          break;
        case 'if':
          visit(st.then, inFor);
          if (st.else) visit(st.else, inFor);
          break;
        case 'for':
          visit(st.body, true);
          break;
        case 'match':
          st.arms.forEach((a) => visit(a.body, inFor));
          break;
        case 'either':
          st.branches.forEach((b) => visit(b, inFor));
          break;
        default:
          break;
      }
    });
  };
  visit(d.body, false);
}
