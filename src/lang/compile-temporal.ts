/**
 * Compiles `property` and fairness declarations: each property becomes one instance per
 * binding of its quantifiers (the domains are constant, evaluated once here), named like
 * `Offlined[m=C]`, with its state predicates as closures; fairness becomes a map from the name
 * steps carry in their labels to the strength of its fairness.
 */
import type * as A from './ast.js';
import type { CheckedFairness, CheckedSpec } from './check.js';
import type { TemporalKind } from '../explore/liveness.js';
import { formatValue, sortedElements, type ISet, type Value } from '../values/index.js';

/** A state: the value of every state variable (compile.ts's State). */
type State = Value[];

/** One instance of a property: a temporal formula over compiled state predicates. */
export interface PropertyInstance {
  /** The instance's name: the property's, with its binding: `Offlined[m=C]`. */
  readonly name: string;
  /** The declared property's name (what `expect violation` names). */
  readonly property: string;
  readonly kind: TemporalKind;
  /** P (the left side of ~>). May throw a ModelError. */
  readonly p: (s: State) => boolean;
  /** Q, for ~>. */
  readonly q?: (s: State) => boolean;
  /** The formula's source, and its predicates'. */
  readonly span: A.Span;
  readonly pSpan: A.Span;
  readonly qSpan?: A.Span;
}

/** What compile.ts lends: compiling an expression with some local slots bound to values. */
export type CompileWithLocals = (e: A.Expr, frameSize: number, bound: readonly { slot: number; value: Value }[]) => (s: State) => Value;

export function compileProperties(spec: CheckedSpec, compile: CompileWithLocals): PropertyInstance[] {
  const out: PropertyInstance[] = [];
  for (const prop of spec.properties) {
    const f = prop.decl.formula;
    const bindings = (i: number, bound: { slot: number; value: Value; name: string }[]): void => {
      if (i === prop.binders.length) {
        const name = bound.length === 0 ? prop.name : `${prop.name}[${bound.map((b) => `${b.name}=${formatValue(b.value)}`).join(', ')}]`;
        const pred = (e: A.Expr): ((s: State) => boolean) => compile(e, prop.frameSize, bound) as (s: State) => boolean;
        if (f.kind === 'leadsTo') {
          out.push({ name, property: prop.name, kind: f.kind, p: pred(f.left), q: pred(f.right), span: f.span, pSpan: f.left.span, qSpan: f.right.span });
        } else {
          out.push({ name, property: prop.name, kind: f.kind, p: pred(f.body), span: f.span, pSpan: f.body.span });
        }
        return;
      }
      const b = prop.binders[i]!;
      // Constant (the checker made sure), so evaluated in no state at all.
      const domain = compile(b.domain, prop.frameSize, bound)([]) as ISet<Value>;
      for (const v of sortedElements(domain)) bindings(i + 1, [...bound, { slot: b.slot, value: v, name: b.name }]);
    };
    bindings(0, []);
  }
  return out;
}

/**
 * The fairness of each fair action (true: strong), the spec's and then a check block's; a name
 * declared weak and strong is strong.
 */
export function compileFairness(spec: CheckedSpec, more: readonly CheckedFairness[] = []): Map<string, boolean> {
  const out = new Map<string, boolean>();
  for (const f of [...spec.fairness, ...more]) {
    if (f.members === undefined) out.set(f.name, (out.get(f.name) ?? false) || f.strong);
  }
  return out;
}

/**
 * Fairness of a group as one disjunction: `fair { A, B, P }` (the label names of its members)
 * and `fair next` (members 'all': every step). One fairness unit each, enabled when a step of
 * any member is, taken by any of them.
 */
export interface FairGroup {
  readonly name: string;
  readonly strong: boolean;
  readonly members: readonly string[] | 'all';
}

/** The group fairness of the spec and then of a check block, in declaration order. */
export function compileGroupFairness(spec: CheckedSpec, more: readonly CheckedFairness[] = []): FairGroup[] {
  const out: FairGroup[] = [];
  for (const f of [...spec.fairness, ...more]) {
    if (f.members !== undefined) out.push({ name: f.name, strong: f.strong, members: f.members });
  }
  return out;
}
