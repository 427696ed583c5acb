/**
 * Static types of the spex language. Ranges are Ints for type checking; their bounds are
 * kept (as expressions, evaluated once the constants are known) for run-time range checks and
 * for enumerating finite domains.
 */
import type { Expr } from './ast.js';

export interface EnumInfo {
  readonly name: string;
  readonly members: readonly string[];
}

export interface VariantCase {
  readonly tag: string;
  readonly payload: Type | undefined;
}

export interface VariantInfo {
  /** The declared name; `Option` for every Option[T]. */
  readonly name: string;
  readonly cases: VariantCase[];
}

export type Type =
  | { readonly k: 'int'; readonly range?: { readonly lo: Expr; readonly hi: Expr } }
  | { readonly k: 'bool' }
  | { readonly k: 'enum'; readonly info: EnumInfo }
  | { readonly k: 'set'; readonly elem: Type }
  | { readonly k: 'seq'; readonly elem: Type }
  | { readonly k: 'map'; readonly key: Type; readonly value: Type }
  | { readonly k: 'tuple'; readonly items: readonly Type[] }
  | { readonly k: 'record'; readonly fields: readonly string[]; readonly types: readonly Type[] }
  | { readonly k: 'variant'; readonly info: VariantInfo }
  /** Unknown: the element type of `{}` or `[]`, and the type of an expression already in error. */
  | { readonly k: 'any' };

export const INT: Type = { k: 'int' };
export const BOOL: Type = { k: 'bool' };
export const ANY: Type = { k: 'any' };

export function optionType(elem: Type): Type {
  return { k: 'variant', info: { name: 'Option', cases: [{ tag: 'None', payload: undefined }, { tag: 'Some', payload: elem }] } };
}

export function isOption(t: Type): t is { k: 'variant'; info: VariantInfo } {
  return t.k === 'variant' && t.info.name === 'Option';
}

/** Structural compatibility, with `any` matching everything; ranges are ignored. */
export function compatible(a: Type, b: Type): boolean {
  if (a.k === 'any' || b.k === 'any') return true;
  if (a.k !== b.k) return false;
  switch (a.k) {
    case 'int':
    case 'bool':
      return true;
    case 'enum':
      return a.info === (b as typeof a).info;
    case 'set':
    case 'seq':
      return compatible(a.elem, (b as typeof a).elem);
    case 'map': {
      const m = b as typeof a;
      return compatible(a.key, m.key) && compatible(a.value, m.value);
    }
    case 'tuple': {
      const t = b as typeof a;
      return a.items.length === t.items.length && a.items.every((x, i) => compatible(x, t.items[i]!));
    }
    case 'record': {
      const r = b as typeof a;
      return a.fields.length === r.fields.length && a.fields.every((f, i) => f === r.fields[i] && compatible(a.types[i]!, r.types[i]!));
    }
    case 'variant': {
      const v = b as typeof a;
      if (a.info.name === 'Option' && v.info.name === 'Option') {
        return compatible(a.info.cases[1]!.payload!, v.info.cases[1]!.payload!);
      }
      return a.info === v.info;
    }
  }
}

/** The more informative of two compatible types (`{}` joined with `{1}` is Set[Int]). */
export function join(a: Type, b: Type): Type {
  if (a.k === 'any') return b;
  if (b.k === 'any') return a;
  // Incompatible types (`concat(s, true)`): the checker has reported them (E205); the first
  // stands for the result, so that checking goes on.
  if (a.k !== b.k) return a;
  if (a.k === 'tuple' && a.items.length !== (b as typeof a).items.length) return a;
  if (a.k === 'record' && a.types.length !== (b as typeof a).types.length) return a;
  switch (a.k) {
    case 'set':
      return { k: 'set', elem: join(a.elem, (b as typeof a).elem) };
    case 'seq':
      return { k: 'seq', elem: join(a.elem, (b as typeof a).elem) };
    case 'map': {
      const m = b as typeof a;
      return { k: 'map', key: join(a.key, m.key), value: join(a.value, m.value) };
    }
    case 'tuple':
      return { k: 'tuple', items: a.items.map((x, i) => join(x, (b as typeof a).items[i]!)) };
    case 'record': {
      const r = b as typeof a;
      return { k: 'record', fields: a.fields, types: a.types.map((x, i) => join(x, r.types[i]!)) };
    }
    case 'variant':
      if (isOption(a) && isOption(b)) return optionType(join(a.info.cases[1]!.payload!, b.info.cases[1]!.payload!));
      return a;
    default:
      return a;
  }
}

export function formatType(t: Type): string {
  switch (t.k) {
    case 'int':
      return 'Int';
    case 'bool':
      return 'Bool';
    case 'enum':
      return t.info.name;
    case 'set':
      return `Set[${formatType(t.elem)}]`;
    case 'seq':
      return `Seq[${formatType(t.elem)}]`;
    case 'map':
      return `Map[${formatType(t.key)}, ${formatType(t.value)}]`;
    case 'tuple':
      return `(${t.items.map(formatType).join(', ')})`;
    case 'record':
      return `{ ${t.fields.map((f, i) => `${f}: ${formatType(t.types[i]!)}`).join(', ')} }`;
    case 'variant':
      return isOption(t) ? `Option[${formatType(t.info.cases[1]!.payload!)}]` : t.info.name;
    case 'any':
      return '?';
  }
}

/** Whether `t`, or a type inside it (elements, keys, values, items, fields, payloads), is one that `is` picks. */
function anyPart(t: Type, is: (t: Type) => boolean): boolean {
  if (is(t)) return true;
  const inner = (x: Type): boolean => anyPart(x, is);
  switch (t.k) {
    case 'set':
    case 'seq':
      return inner(t.elem);
    case 'map':
      return inner(t.key) || inner(t.value);
    case 'tuple':
      return t.items.some(inner);
    case 'record':
      return t.types.some(inner);
    case 'variant':
      return t.info.cases.some((c) => c.payload !== undefined && inner(c.payload));
    default:
      return false;
  }
}

/** Whether a value of this type must be checked against declared ranges at run time. */
export function hasRanges(t: Type): boolean {
  return anyPart(t, (x) => x.k === 'int' && x.range !== undefined);
}

/** Whether values of this type hold sequences. */
export function holdsSeq(t: Type): boolean {
  return anyPart(t, (x) => x.k === 'seq');
}
