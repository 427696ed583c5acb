/**
 * Values of types: atoms, records' field arrays, ranges, the values of a finite type and their
 * number, range checks; and the enumeration of subsets and maps.
 */
import type * as A from '../ast.js';
import { hasRanges, type EnumInfo, type Type } from '../types.js';
import { Diagnostic, MAX_ENUMERATION, SpecErrors } from '../diagnostics.js';
import {
  Atom, IList, IMap, ISet, NONE, Rec, Tuple, Variant, formatValue, mkMap, mkSet, type Value,
} from '../../values/index.js';
import { groupDigits } from '../../values/format.js';
import { fail, CompilerBase } from './base.js';
import { pollInterrupt } from '../../explore/guard.js';

export abstract class ValueCompiler extends CompilerBase {
  atom(info: EnumInfo, index: number): Atom {
    return this.atoms.get(info)![index]!;
  }

  /** Interns the atoms of an enum declared outside the spec's enums (a process's pc). */
  registerAtoms(info: EnumInfo, atoms: Atom[]): void {
    this.atoms.set(info, atoms);
  }

  fields(names: readonly string[]): readonly string[] {
    const key = names.join(',');
    let arr = this.fieldArrays.get(key);
    if (!arr) this.fieldArrays.set(key, (arr = names));
    return arr;
  }

  constValue(e: A.Expr): Value {
    return this.expr(e)(this.constCtx);
  }

  rangeOf(t: Extract<Type, { k: 'int' }>): [number, number] {
    let r = this.ranges.get(t.range!);
    if (!r) {
      r = [this.constValue(t.range!.lo) as number, this.constValue(t.range!.hi) as number];
      this.ranges.set(t.range!, r);
    }
    return r;
  }

  /** Every value of a finite type, in canonical order. */
  valuesOf(t: Type): Value[] {
    switch (t.k) {
      case 'bool':
        return [false, true];
      case 'enum':
        return this.atoms.get(t.info)!;
      case 'int': {
        const [lo, hi] = this.rangeOf(t);
        const out: Value[] = [];
        for (let i = lo; i <= hi; i++) out.push(i);
        return out;
      }
      case 'tuple':
        return product(t.items.map((x) => this.valuesOf(x))).map((items) => new Tuple(items));
      case 'record': {
        const f = this.fields(t.fields);
        return product(t.types.map((x) => this.valuesOf(x))).map((vs) => new Rec(f, vs));
      }
      case 'variant': {
        const out: Value[] = [];
        t.info.cases.forEach((c, i) => {
          if (c.payload === undefined) out.push(this.variant(t.info.cases[i]!.tag, i, undefined));
          else for (const v of this.valuesOf(c.payload)) out.push(new Variant(c.tag, i, v));
        });
        return out;
      }
      case 'set':
        return subsetsOf(this.valuesOf(t.elem));
      case 'map': {
        const keys = this.valuesOf(t.key);
        return partialMapsOf(keys, keys.length === 0 ? [] : this.valuesOf(t.value));
      }
      default:
        throw new Error(`internal error: no finite domain for type ${t.k}`);
    }
  }

  /**
   * How many values a finite type has, as a float: exact up to 2^53, Infinity when it
   * overflows. 2^|T| for Set[T]; for Map[K, V], whose values each have their own domain (a
   * subset of K), the sum over the subsets D of K of |V|^|D|, that is (|V| + 1)^|K|.
   */
  sizeOf(t: Type): number {
    switch (t.k) {
      case 'bool':
        return 2;
      case 'enum':
        return t.info.members.length;
      case 'int': {
        if (!t.range) return Infinity;
        const [lo, hi] = this.rangeOf(t);
        return Math.max(0, hi - lo + 1);
      }
      case 'tuple':
      case 'record':
        // 0 × Infinity is 0 here: a product with an empty factor is empty.
        return (t.k === 'tuple' ? t.items : t.types).reduce((n, x) => {
          const m = this.sizeOf(x);
          return n === 0 || m === 0 ? 0 : n * m;
        }, 1);
      case 'variant':
        return t.info.cases.reduce((n, c) => n + (c.payload === undefined ? 1 : this.sizeOf(c.payload)), 0);
      case 'set':
        return 2 ** this.sizeOf(t.elem);
      case 'map': {
        const k = this.sizeOf(t.key);
        return k === 0 ? 1 : (this.sizeOf(t.value) + 1) ** k;
      }
      default:
        return Infinity;
    }
  }

  /** The largest size among a type and the types it is made of: what enumerating it builds. */
  private enumerationSize(t: Type): number {
    let n = this.sizeOf(t);
    if (Number.isNaN(n)) return n;
    const parts: Type[] =
      t.k === 'tuple' ? [...t.items] : t.k === 'record' ? [...t.types] : t.k === 'set' ? [t.elem] : t.k === 'map' ? [t.key, t.value]
        : t.k === 'variant' ? t.info.cases.flatMap((c) => (c.payload ? [c.payload] : [])) : [];
    for (const x of parts) n = Math.max(n, this.enumerationSize(x));
    return n;
  }

  /**
   * Every value of a finite type (valuesOf), after checking, before anything is built, that
   * there are at most MAX_ENUMERATION: otherwise E221, a static error of this configuration.
   */
  enumerate(t: Type, span: A.Span, what: string): Value[] {
    const n = this.enumerationSize(t);
    // Written so that a NaN (1^Infinity for a map into a type without values) is refused too.
    if (!(n <= MAX_ENUMERATION)) {
      throw new SpecErrors([
        new Diagnostic('E221', span, `${what} has ${formatCount(n)} values, more than the ${formatCount(MAX_ENUMERATION)} spex enumerates`, ENUMERATION_HINT),
      ]);
    }
    return this.valuesOf(t);
  }

  variant(tag: string, tagIndex: number, payload: Value | undefined): Variant {
    if (payload !== undefined) return new Variant(tag, tagIndex, payload);
    if (tag === 'None' && tagIndex === 0) return NONE;
    let v = this.plainCases.get(tag);
    if (!v) this.plainCases.set(tag, (v = new Variant(tag, tagIndex)));
    return v;
  }

  /** Whether a value lies within every range its declared type names. */
  inRange(t: Type, v: Value): boolean {
    switch (t.k) {
      case 'int': {
        if (!t.range) return true;
        const [lo, hi] = this.rangeOf(t);
        return (v as number) >= lo && (v as number) <= hi;
      }
      case 'set':
      case 'seq': {
        // Once per assignment, over the whole collection: a sequence that grows by one element
        // a step is checked again in every state, so the loop is immutable-js's own (`every`,
        // no iterator objects), and integer elements are compared with the bounds read once.
        const e = t.elem;
        const c = v as ISet<Value> | IList<Value>;
        if (e.k === 'int') {
          if (!e.range) return true;
          const [lo, hi] = this.rangeOf(e);
          return c.every((x) => (x as number) >= lo && (x as number) <= hi);
        }
        if (!hasRanges(e)) return true;
        return c.every((x) => this.inRange(e, x));
      }
      case 'map':
        for (const [k, x] of v as IMap<Value, Value>) if (!this.inRange(t.key, k) || !this.inRange(t.value, x)) return false;
        return true;
      case 'tuple':
        return t.items.every((it, i) => this.inRange(it, (v as Tuple).items[i]!));
      case 'record':
        return t.types.every((it, i) => this.inRange(it, (v as Rec).values[i]!));
      case 'variant': {
        const vv = v as Variant;
        const c = t.info.cases[vv.tagIndex];
        return c?.payload === undefined || vv.value === undefined || this.inRange(c.payload, vv.value);
      }
      default:
        return true;
    }
  }

  override checkRange(t: Type, v: Value, span: A.Span, what: string): void {
    if (hasRanges(t) && !this.inRange(t, v)) {
      fail('E703', span, `${what} would be ${formatValue(v)}, outside its declared type`, 'check the bounds of its range type, or the guard that should prevent this step');
    }
  }
}

export const ENUMERATION_HINT = 'enumerate a smaller type or set (fewer elements, or a smaller range), or pick from a set built from the state';

/** E221's and E710's message for a range past MAX_ENUMERATION values (`of`: what it is the range of). */
export function rangeTooLarge(lo: number, hi: number, of?: string): string {
  return `the range ${lo}..${hi}${of === undefined ? '' : ` of '${of}'`} has ${formatCount(hi - lo + 1)} values, more than the ${formatCount(MAX_ENUMERATION)} spex enumerates`;
}

/** A count for a message: exact with thousands separators, or its order of magnitude. */
export function formatCount(n: number): string {
  if (n <= Number.MAX_SAFE_INTEGER) return groupDigits(n);
  if (Number.isFinite(n)) return `about 10^${Math.floor(Math.log10(n))}`;
  return 'more than 10^308';
}

/**
 * All subsets of `elems` (given in canonical order), in canonical order: by size, then by
 * their elements in order, so the k-subsets are the k-combinations of indices in lexicographic
 * order.
 */
export function subsetsOf(elems: readonly Value[]): ISet<Value>[] {
  const n = elems.length;
  const out: ISet<Value>[] = [];
  for (let k = 0; k <= n; k++) {
    const idx = Array.from({ length: k }, (_, i) => i);
    for (;;) {
      pollInterrupt();
      out.push(mkSet(idx.map((i) => elems[i]!)));
      let i = k - 1;
      while (i >= 0 && idx[i] === n - k + i) i--;
      if (i < 0) break;
      idx[i]!++;
      for (let j = i + 1; j < k; j++) idx[j] = idx[j - 1]! + 1;
    }
  }
  return out;
}

/**
 * All maps from a subset of `keys` to `values` (both in canonical order), in canonical order:
 * by size, then entry by entry (the first key, its value, the second key, ...).
 */
export function partialMapsOf(keys: readonly Value[], values: readonly Value[]): IMap<Value, Value>[] {
  const out: IMap<Value, Value>[] = [];
  const entries: [Value, Value][] = [];
  const walk = (from: number, left: number): void => {
    if (left === 0) {
      pollInterrupt();
      out.push(mkMap(entries));
      return;
    }
    for (let i = from; i <= keys.length - left; i++) {
      for (const v of values) {
        entries.push([keys[i]!, v]);
        walk(i + 1, left - 1);
        entries.pop();
      }
    }
  };
  for (let k = 0; k <= keys.length; k++) walk(0, k);
  return out;
}

/** All maps whose domain is exactly `keys`, values in `values`: canonical order, the first key's value most significant. */
export function totalMapsOf(keys: readonly Value[], values: readonly Value[]): IMap<Value, Value>[] {
  const out: IMap<Value, Value>[] = [];
  const entries: [Value, Value][] = [];
  const walk = (i: number): void => {
    if (i === keys.length) {
      pollInterrupt();
      out.push(mkMap(entries));
      return;
    }
    for (const v of values) {
      entries.push([keys[i]!, v]);
      walk(i + 1);
      entries.pop();
    }
  };
  walk(0);
  return out;
}

export function product(lists: Value[][]): Value[][] {
  let out: Value[][] = [[]];
  for (const l of lists) out = out.flatMap((prefix) => l.map((x) => [...prefix, x]));
  return out;
}
