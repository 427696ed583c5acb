/**
 * Compiles `property` and fairness declarations: each property becomes one instance per
 * binding of its quantifiers (the domains are constant, evaluated once here), named like
 * `Offlined[m=C]`, with its state predicates as closures; fairness becomes a map from the name
 * steps carry in their labels to the strength of its fairness.
 */
import type * as A from './ast.js';
import type { CheckedFairness, CheckedSpec } from './check.js';
import type { TemporalKind } from '../explore/liveness.js';
import { AutomatonTooLarge, buildAutomaton, conjunctsOf, fastConjunct, FormulaTooLarge, MAX_AUTOMATON_NODES, MAX_FORMULA_SIZE, type Ltl } from '../explore/ltl.js';
import { Diagnostic, SpecErrors } from './diagnostics.js';
import { formatValue, sortedElements, type ISet, type Value } from '../values/index.js';
import { groupDigits } from '../values/format.js';

/** A state: the value of every state variable (compile.ts's State). */
type State = Value[];

/** One instance of a property: a temporal formula over compiled state predicates. */
export interface PropertyInstance {
  /** The instance's name: the property's, with its binding: `Offlined[m=C]`. */
  readonly name: string;
  /** The declared property's name (what `expect violation` names). */
  readonly property: string;
  readonly kind: TemporalKind | 'general';
  /**
   * For a general formula: the formula over `atoms` (atom i is atoms[i]), its quantifiers
   * expanded. `p` is then atoms[0] (or true), for code that needs some predicate.
   */
  readonly formula?: Ltl;
  readonly atoms?: readonly ((s: State) => boolean)[];
  /** Where each atom is written. */
  readonly atomSpans?: readonly A.Span[];
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
        if (f.kind === 'general') {
          const atoms: ((s: State) => boolean)[] = [];
          const atomSpans: A.Span[] = [];
          let formula: Ltl;
          try {
            formula = expandTree(f.tree, bound, spec.slots, (e, b) => {
              atoms.push(compile(e, prop.frameSize, b) as (s: State) => boolean);
              atomSpans.push(e.span);
              return atoms.length - 1;
            }, (d, b) => compile(d, prop.frameSize, b)([]) as ISet<Value>);
            // The automata the check builds: one per conjunct without a fast path.
            for (const c of conjunctsOf(formula)) if (fastConjunct(c) === undefined) buildAutomaton({ k: 'not', a: c });
          } catch (err) {
            if (!(err instanceof AutomatonTooLarge)) throw err;
            if (err instanceof FormulaTooLarge) {
              throw new SpecErrors([
                new Diagnostic('E228', f.span, `the formula of property '${name}' is too large: its quantifiers expand it to more than ${groupDigits(MAX_FORMULA_SIZE)} subformulas`, `quantify over smaller sets, or split the property into several (a conjunction at the top is several properties)`),
              ]);
            }
            throw new SpecErrors([
              new Diagnostic('E228', f.span, `the automaton of property '${name}' is too large (over ${MAX_AUTOMATON_NODES} nodes, or too long to build)`, `split the property into several (a conjunction at the top is several properties), or quantify over smaller sets`),
            ]);
          }
          out.push({ name, property: prop.name, kind: 'general', formula, atoms, atomSpans, p: atoms[0] ?? (() => true), span: f.span, pSpan: f.span });
        } else if (f.kind === 'leadsTo') {
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
 * A general formula's tree as an Ltl formula: `implies` and `~>` rewritten (a ~> b is
 * always (not a or eventually b)), quantifiers expanded over their constant domains in
 * canonical order (forall: a conjunction; exists: a disjunction; over an empty set: true,
 * false), and each state predicate, with the bindings in force, made an atom by `atom`.
 * Exported for the packed engine, which compiles the same atoms in the same order.
 */
export function expandTree(
  t: A.TemporalTree,
  bound: readonly { slot: number; value: Value; name: string }[],
  slots: ReadonlyMap<object, number>,
  atom: (e: A.Expr, bound: readonly { slot: number; value: Value; name: string }[]) => number,
  domain: (d: A.Expr, bound: readonly { slot: number; value: Value; name: string }[]) => ISet<Value>,
): Ltl {
  let size = 0;
  // The atoms are made once the whole formula is known to be within MAX_FORMULA_SIZE, in the
  // order met: a formula past it used to compile thousands of predicates first (a predicate of
  // 800 nested `not`s under a quantifier over 100,001 values: 11.8 s to report E228).
  const atoms: { readonly e: A.Expr; readonly bound: readonly { slot: number; value: Value; name: string }[]; readonly node: { k: 'atom'; i: number } }[] = [];
  const go = (t: A.TemporalTree, bound: readonly { slot: number; value: Value; name: string }[]): Ltl => {
    if (++size > MAX_FORMULA_SIZE) throw new FormulaTooLarge(`the formula has more than ${MAX_FORMULA_SIZE} subformulas`);
    switch (t.kind) {
      case 'atom': {
        const node = { k: 'atom' as const, i: -1 };
        atoms.push({ e: t.expr, bound, node });
        return node;
      }
      case 'always':
      case 'eventually':
        return { k: t.kind, a: go(t.body, bound) };
      case 'not':
        return { k: 'not', a: go(t.body, bound) };
      case 'and':
      case 'or':
        return { k: t.kind, a: go(t.left, bound), b: go(t.right, bound) };
      case 'implies':
        return { k: 'or', a: { k: 'not', a: go(t.left, bound) }, b: go(t.right, bound) };
      case 'leadsTo':
        return { k: 'always', a: { k: 'or', a: { k: 'not', a: go(t.left, bound) }, b: { k: 'eventually', a: go(t.right, bound) } } };
      case 'forall':
      case 'exists': {
        const op = t.kind === 'forall' ? 'and' : 'or';
        const parts: Ltl[] = [];
        const bind = (i: number, b: readonly { slot: number; value: Value; name: string }[]): void => {
          if (i === t.binders.length) {
            parts.push(go(t.body, b));
            return;
          }
          const binder = t.binders[i]!;
          const slot = slots.get(binder)!;
          for (const v of sortedElements(domain(binder.domain, b))) bind(i + 1, [...b, { slot, value: v, name: binder.name.text }]);
        };
        bind(0, bound);
        if (parts.length === 0) return { k: 'const', v: op === 'and' };
        return balanced(op, parts);
      }
    }
  };
  const formula = go(t, bound);
  for (const a of atoms) a.node.i = atom(a.e, a.bound);
  return formula;
}

/**
 * The conjunction or disjunction of parts as a tree of depth log2(n), not a chain of depth n:
 * a quantifier over a domain of 100,000 values expands to as many parts, and every pass over
 * the formula (negation normal form, the tableau) recurses on its depth.
 */
function balanced(op: 'and' | 'or', parts: readonly Ltl[]): Ltl {
  let level = parts;
  while (level.length > 1) {
    const next: Ltl[] = [];
    for (let i = 0; i + 1 < level.length; i += 2) next.push({ k: op, a: level[i]!, b: level[i + 1]! });
    if (level.length % 2 === 1) next.push(level[level.length - 1]!);
    level = next;
  }
  return level[0]!;
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
