/**
 * The shape rules of a process body, checked on the AST alone (no names, no types): where
 * labels may stand, that they are unique, and that every loop goes through a label. They are
 * what makes every step of a process finite: the only ways back are a `goto` and the end of a
 * `while` body, and both end the step at a label.
 */
import type * as A from './ast.js';
import type { Code } from './diagnostics.js';

/** The pc of a process instance that has run to its end; no label may take this name. */
export const DONE = 'done';

type Report = (code: Code, span: A.Span, message: string, hint?: string) => void;

/** Every label of a process body, at any depth, in the order written. */
export function processLabels(body: readonly A.Stmt[]): A.Name[] {
  const out: A.Name[] = [];
  const visit = (stmts: readonly A.Stmt[]): void => {
    for (const st of stmts) {
      switch (st.kind) {
        case 'label':
          out.push(st.name);
          break;
        case 'if':
          visit(st.then);
          if (st.else) visit(st.else);
          break;
        case 'while':
        case 'for':
          visit(st.body);
          break;
        case 'match':
          st.arms.forEach((a) => visit(a.body));
          break;
        case 'either':
          st.branches.forEach(visit);
          break;
        default:
          break;
      }
    }
  };
  visit(body);
  return out;
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
