/**
 * Refinement (`refines Abstract`): every initial state of this spec, mapped through the
 * import's mapping, is an initial state of Abstract, and every step maps to a step of Abstract
 * or to a stutter (the mapped state does not change). TLA+'s `Spec => Abstract!Spec` for the
 * safety part, as TLC checks a `PROPERTY` that is an instance's spec.
 *
 * The concrete state is read through the mapping (expressions of the importing spec, compiled
 * by its generic engine); Abstract's initial states and successors are computed by the
 * generic engine on Abstract, each mapped state's successors once (cached by fingerprint).
 * docs/refinement.md.
 */
import type * as A from '../lang/ast.js';
import type { CheckedImport, CheckedSpec } from '../lang/check.js';
import { compileSpec, type CompiledSpec, type Label, type RuntimeLocation, type State } from '../lang/compile.js';
import { ModelError } from '../explore/system.js';
import { parseExpr } from '../lang/parser.js';
import { IList, IMap, ISet, Rec, Tuple, Variant, formatValue, sortedElements, valueEquals, type Value } from '../values/index.js';

/** One abstract step offered from the mapped state: its label and the state it leads to. */
export interface AbstractStep {
  readonly label: Label;
  readonly next: State;
}

/** Why a state or a step of the concrete spec does not map into Abstract. */
export type RefinementFailure =
  /** An initial state whose image is not an initial state of Abstract. */
  | { readonly kind: 'init'; readonly mapped: State; readonly initial: readonly State[] }
  /** A step whose image is neither a step of Abstract nor a stutter. */
  | { readonly kind: 'step'; readonly before: State; readonly after: State; readonly tried: readonly AbstractStep[] };

export interface Refinement {
  /** The import's name: the verdict of a failure is `violation <name>`. */
  readonly name: string;
  /** The import's name where it is declared, for reports. */
  readonly span: A.Span;
  readonly abstract: CompiledSpec;
  /** Abstract's variable names, in the order of a mapped state. */
  readonly varNames: readonly string[];
  /** Abstract's actions, in declaration order. */
  readonly actionNames: readonly string[];
  /** The image of a concrete state. May throw a ModelError (a run-time error in a mapping). */
  map(state: State): State;
  /** Whether the image of an initial state is an initial state of Abstract. */
  initialOk(state: State): boolean;
  /**
   * The key of a state's image: Abstract's fingerprint of `map(state)`, as text. Two states
   * whose images have the same key are taken to have the same image, as the search takes
   * two states of one fingerprint to be one state. May throw as `map` does.
   */
  imageKey(state: State): string;
  /**
   * Whether a step whose ends' images have the keys `fromKey` and `toKey` maps to a step of
   * Abstract or to a stutter (the same key). `image()` gives the image of the step's first
   * state; it is asked for only when Abstract's successors of that image are not known yet.
   */
  stepKeysOk(fromKey: string, toKey: string, image: () => State): boolean;
  /** Why the initial state `state` (init) or the step from `from` to `state` does not map. */
  explain(from: State | undefined, state: State): RefinementFailure | undefined;
}

/**
 * The refinement of the linked import `imp` by the spec `spec`, compiled as `system` (its
 * constants fixed). Abstract's constants get the values the import maps them to (evaluated
 * in `system`), else their own. Throws a ModelError if Abstract's constants cannot be
 * evaluated.
 */
export function compileRefinement(spec: CheckedSpec, system: CompiledSpec, imp: CheckedImport): Refinement {
  const linked = imp.linked;
  if (!linked) throw new Error(`internal error: import ${imp.name} of ${spec.name} is not linked`);
  const abstractSpec = linked.spec;
  const overrides = new Map<number, A.Expr>();
  linked.consts.forEach((m, i) => {
    if (!m) return;
    const c = abstractSpec.consts[i]!;
    const value = system.compileExpr(m.value, m.frameSize)([]);
    // The value goes to Abstract as a constant override, written as spex text and checked in
    // Abstract's own scope, as a `--const` is: its enum members are then Abstract's.
    const e = parseExpr({ path: `${imp.name}.${c.name}`, text: valueSource(value) });
    abstractSpec.checkExtra(e, i, `constant '${c.name}' of ${imp.name}`);
    overrides.set(i, e);
  });
  const abstract = compileSpec(abstractSpec, overrides);
  const maps = linked.vars.map((v) => system.compileExpr(v.value, v.frameSize));
  const map = (s: State): State => {
    try {
      return maps.map((f) => f(s));
    } catch (err) {
      // Named in the report, which otherwise says "an invariant" of an initial state's error.
      if (err instanceof ModelError && err.label === undefined) {
        throw new ModelError(err.kind, err.message, { ...(err.location as RuntimeLocation), predicate: `the mapping of ${imp.name}` });
      }
      throw err;
    }
  };

  const fp = new Uint32Array(2);
  const key = (s: State): string => {
    abstract.fingerprint(s, fp);
    return `${fp[0]!.toString(36)}:${fp[1]!.toString(36)}`;
  };
  let initial: { states: State[]; keys: Set<string> } | undefined;
  const initials = (): { states: State[]; keys: Set<string> } => {
    if (!initial) {
      const states: State[] = [];
      abstract.initialStates((s) => states.push(abstract.copyState ? abstract.copyState(s) : s));
      initial = { states, keys: new Set(states.map(key)) };
    }
    return initial;
  };
  /** Per abstract state (by fingerprint), the fingerprints of its successors. */
  const successorKeys = new Map<string, Set<string>>();
  const steps = (s: State): AbstractStep[] => {
    const out: AbstractStep[] = [];
    abstract.successors(s, (next, label) => out.push({ label, next: abstract.copyState ? abstract.copyState(next) : next }));
    return out;
  };
  const sameState = (a: State, b: State): boolean => a.length === b.length && a.every((v, i) => valueEquals(v, b[i]!));

  return {
    name: imp.name,
    span: imp.decl.name.span,
    abstract,
    varNames: abstractSpec.vars.map((v) => v.name),
    actionNames: abstractSpec.actions.map((a) => a.name),
    map,
    initialOk: (s) => initials().keys.has(key(map(s))),
    imageKey: (s) => key(map(s)),
    stepKeysOk(fromKey, toKey, image) {
      if (fromKey === toKey) return true;
      let succ = successorKeys.get(fromKey);
      if (!succ) {
        succ = new Set(steps(image()).map((x) => key(x.next)));
        successorKeys.set(fromKey, succ);
      }
      return succ.has(toKey);
    },
    explain(from, state) {
      const after = map(state);
      if (from === undefined) {
        const init = initials();
        return init.keys.has(key(after)) ? undefined : { kind: 'init', mapped: after, initial: init.states };
      }
      const before = map(from);
      if (sameState(before, after)) return undefined;
      const tried = steps(before);
      if (tried.some((x) => sameState(x.next, after))) return undefined;
      return { kind: 'step', before, after, tried };
    },
  };
}

/** The value of a mapped state's variable, for reports. */
export function formatAbstractState(r: Refinement, s: State): string[] {
  return r.varNames.map((n, i) => `${n} = ${formatValue(s[i] as Value)}`);
}

/** One sentence saying what a refinement failure is, for exports (JSON, ITF, HTML). */
export function refinementMessage(name: string, failure: RefinementFailure): string {
  return failure.kind === 'init'
    ? `Refinement of ${name} is violated: an initial state maps to no initial state of ${name}.`
    : `Refinement of ${name} is violated: the last step maps to no step of ${name}.`;
}

/**
 * A value as spex source text that evaluates to it: formatValue's text, but for the forms
 * it prints for reading only (the empty map).
 */
function valueSource(v: Value): string {
  if (IMap.isMap(v)) {
    if (v.size === 0) return '[k in {} |-> k]';
    return `{${[...v.entries()].map(([k, x]) => `${valueSource(k)} -> ${valueSource(x)}`).join(', ')}}`;
  }
  if (ISet.isSet(v)) return `{${sortedElements(v).map(valueSource).join(', ')}}`;
  if (IList.isList(v)) return `[${v.map(valueSource).join(', ')}]`;
  if (v instanceof Tuple) return `(${v.items.map(valueSource).join(', ')})`;
  if (v instanceof Rec) return `{ ${v.fields.map((f, i) => `${f}: ${valueSource(v.values[i]!)}`).join(', ')} }`;
  if (v instanceof Variant) return v.value === undefined ? v.tag : `${v.tag}(${valueSource(v.value)})`;
  return formatValue(v);
}
