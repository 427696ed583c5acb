/**
 * The work budget of one evaluation (`--max-eval-work`, E715): a bound on the work spex does
 * inside one state, where `--max-states` and `--max-depth` bound nothing.
 *
 * What is counted: every loop over a domain charges the size of that domain once, when the loop
 * is entered: a quantifier (`forall`, `exists`, `sum`), a comprehension (`{x in S | ...}`,
 * `{e | x in S}`, `[x in S | ...]`, maps built with `for`), `choose`, `pick`, and the parameters
 * of an action (each parameter's loop, once per binding of the parameters before it). Nested
 * loops therefore charge |A| + |A|·|B|. A call of a recursive definition charges 1. Only the
 * entry of a loop pays (one addition and one comparison), so the loops themselves cost nothing
 * more per iteration. Values that hold sequences charge the elements of their sequences too,
 * in the loops over sets of them and in the set comprehensions that build them (chargeDomain
 * and the `image` case in compile/expressions.ts): comparing and hashing them walks those
 * elements, and sets of long sequences otherwise ran for a minute inside the budget.
 *
 * What one evaluation is: the successors of one state (every action, process step and
 * parameter binding), one initial state's `init`, and each predicate on one state (an
 * invariant, a constraint, a step property, a temporal property's predicate, a view). A
 * predicate evaluated while successors are being computed has its own count and leaves the
 * count of the successors where it was.
 *
 * The packed engine (src/lang/packed/) charges at least what the generic engine does at the same
 * loops (a domain's full size where the generic engine charges the elements actually present);
 * past the budget its generated code gives up on the state, the generic engine evaluates the
 * state again, and reports E715 if its own count passes the budget (docs/engine.md). It holds
 * no set of values with sequences, so the charges for sequences never arise there.
 *
 * One counter per thread: every explorer runs the evaluations of a thread one at a time.
 */

/** The default --max-eval-work: values enumerated by the loops of one evaluation. */
export const DEFAULT_MAX_EVAL_WORK = 10_000_000;

/** The counter of the evaluation under way (n) and the budget (max; Infinity for none). */
export const evalWork = {
  n: 0,
  max: DEFAULT_MAX_EVAL_WORK,
  /** The packed engine's count of `for` elements nested in the step under way (MAX_FOR_NESTING, E716). */
  f: 0,
};

/** Sets the budget of the evaluations to come: a positive count, or Infinity for none. */
export function setMaxEvalWork(max: number): void {
  evalWork.max = max > 0 ? max : Infinity;
}

/** The budget in force (Infinity: none), for worker threads to take over. */
export function maxEvalWork(): number {
  return evalWork.max;
}

/**
 * Parses a --max-eval-work value: a positive integer (with an optional k, m or g suffix, powers
 * of 1000), or `0` / `none` for no bound (Infinity); undefined if it is neither.
 */
export function parseEvalWork(text: string): number | undefined {
  const t = text.trim().toLowerCase();
  if (t === 'none' || t === '0') return Infinity;
  const m = /^(\d+)([kmg]?)$/.exec(t.replace(/_/g, ''));
  if (!m) return undefined;
  const n = Number(m[1]) * { '': 1, k: 1e3, m: 1e6, g: 1e9 }[m[2] as '' | 'k' | 'm' | 'g'];
  return Number.isSafeInteger(n) && n > 0 ? n : n === 0 ? Infinity : undefined;
}
