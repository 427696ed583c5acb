/**
 * Shown expressions (TLC's ALIAS): a definition without parameters, or a view, named by a
 * `show NAME` declaration, a check block's `show NAME` item or `--show NAME`, printed in every
 * state of a trace and written into the exports (docs/language.md, Shown expressions).
 */
import type * as A from './ast.js';
import type { CheckedBody, CheckedDef } from './check.js';
import { Diagnostic, didYouMean, nameList } from './diagnostics.js';
import { named } from './by-name.js';
import { ModelError } from '../explore/system.js';
import type { Value } from '../values/index.js';

/** What a shown name is: a definition without parameters, or a view. */
export interface CheckedShow extends CheckedBody {
  readonly kind: 'def' | 'view';
}

/**
 * The definition or view `name` names, or E246 if it names neither (or a definition with
 * parameters). `span` is undefined for a name from the command line.
 */
export function resolveShow(defs: readonly CheckedDef[], views: readonly CheckedBody[], name: string, span: A.Span | undefined): CheckedShow | Diagnostic {
  const view = named(views, name);
  if (view) return { ...view, kind: 'view' };
  const def = named(defs, name);
  if (def && def.decl.params.length > 0) {
    return new Diagnostic('E246', span, `'${name}' is a definition with parameters: there is no one value to show in a state`, `define one without parameters, e.g. 'def ${name}_all: ... = ...', and show that`);
  }
  if (def) return { name, expr: def.decl.body, frameSize: def.frameSize, kind: 'def' };
  const names = [...defs.filter((d) => d.decl.params.length === 0).map((d) => d.name), ...views.map((v) => v.name)];
  return new Diagnostic('E246', span, `'${name}' is neither a definition nor a view`, didYouMean(name, names) ?? (names.length > 0 ? `the definitions and views that can be shown: ${nameList(names)}` : 'show names a `def` without parameters or a `view` of the spec'));
}

/**
 * The shows of a list of names, without repeats (the first of each name kept); each name that
 * is not one is given to `report`.
 */
export function resolveShows(defs: readonly CheckedDef[], views: readonly CheckedBody[], names: readonly { text: string; span: A.Span | undefined }[], report: (d: Diagnostic) => void): CheckedShow[] {
  const out: CheckedShow[] = [];
  const taken = new Set<string>();
  for (const n of names) {
    const r = resolveShow(defs, views, n.text, n.span);
    if (r instanceof Diagnostic) report(r);
    else if (!taken.has(r.name)) {
      taken.add(r.name);
      out.push(r);
    }
  }
  return out;
}

/** A shown expression compiled over a configuration's states. */
export interface ShownExpr {
  readonly name: string;
  readonly kind: 'def' | 'view';
  /** May throw a ModelError (an evaluation error in the expression, in this state). */
  value(state: readonly Value[]): Value;
}

/** A shown expression's value in a state, or the evaluation error it raised there. */
export type ShownValue = { readonly name: string; readonly value: Value } | { readonly name: string; readonly error: string };

export function shownValue(s: ShownExpr, state: readonly Value[]): ShownValue {
  try {
    return { name: s.name, value: s.value(state) };
  } catch (err) {
    if (err instanceof ModelError) return { name: s.name, error: err.message };
    throw err;
  }
}
