/**
 * Finite domains of the packed engine: every finite type with a dense code 0..size-1 whose
 * order is the canonical order of the values (compareValues), so that walking the bits of a
 * set's mask from the lowest visits its elements as sortedElements does.
 *
 * A state variable has a shape: a leaf (one slot holding a code) or, for a map over a finite
 * key type and for a record or tuple too large to code in one slot, a sequence of slots.
 */
import type { Compiler } from '../compile.js';
import type { EnumInfo, Type, VariantInfo } from '../types.js';
import { formatType } from '../types.js';
import type { ValueTables } from '../value-codec.js';
import { IList, IMap, ISet, Rec, Tuple, Variant, isMap, isSet, mkSeq, type Value } from '../../values/index.js';

/** The largest code a slot holds, plus one: codes stay small integers on every platform. */
export const MAX_CODES = 2 ** 30;
/** The most elements a set may range over to be a bitmask in one slot. */
export const MAX_SET_ELEMS = 30;
/** The most slots a state may have. */
export const MAX_WIDTH = 65536;
/** The most keys a map may have to be flattened into slots: as many as a state has slots. */
export const MAX_MAP_KEYS = MAX_WIDTH;
/** The longest sequence a sequence domain holds, whatever its element type. */
export const MAX_SEQ_LEN = 16;

/** A state variable of type Int without a range: its slot holds the value itself. */
const UNBOUNDED_INT: Dom = { k: 'int', lo: -Number.MAX_SAFE_INTEGER, hi: Number.MAX_SAFE_INTEGER, size: Infinity, key: 'iZ', unbounded: true };

export type Dom =
  | { readonly k: 'bool'; readonly size: number; readonly key: string }
  /** `unbounded`: a state variable of type Int; its code is its value (any safe integer). */
  | { readonly k: 'int'; readonly lo: number; readonly hi: number; readonly size: number; readonly key: string; readonly unbounded?: true }
  | { readonly k: 'enum'; readonly info: EnumInfo; readonly size: number; readonly key: string }
  | {
      readonly k: 'variant';
      readonly info: VariantInfo;
      /** Per case, in declaration order: the first code and the payload's domain. */
      readonly cases: readonly { readonly tag: string; readonly offset: number; readonly payload: Dom | undefined }[];
      readonly size: number;
      readonly key: string;
    }
  | { readonly k: 'set'; readonly elem: Dom; readonly size: number; readonly key: string }
  /**
   * Sequences of at most `max` elements: the sequences of length n take the codes from
   * seqBase(|elem|, n) on, the elements as the digits of a base-|elem| number, the first
   * most significant.
   */
  | { readonly k: 'seq'; readonly elem: Dom; readonly max: number; readonly size: number; readonly key: string }
  | {
      readonly k: 'tuple' | 'record';
      readonly fields: readonly string[];
      readonly items: readonly Dom[];
      /** Mixed radix, the first item most significant. */
      readonly strides: readonly number[];
      readonly size: number;
      readonly key: string;
    };

export type Shape =
  | { readonly k: 'leaf'; readonly dom: Dom; readonly width: 1 }
  | { readonly k: 'map'; readonly keyDom: Dom; readonly keys: readonly Value[]; readonly val: Shape; readonly width: number }
  | {
      readonly k: 'tuple' | 'record';
      readonly fields: readonly string[];
      readonly items: readonly Shape[];
      readonly offsets: readonly number[];
      readonly width: number;
    };

/** The number of sequences of fewer than n elements over k values: the first code of length n. */
export function seqBase(k: number, n: number): number {
  let b = 0;
  let p = 1;
  for (let i = 0; i < n; i++) {
    b += p;
    p *= k;
  }
  return b;
}

/** Set by seqLen: the first code of the sequence's length n, and k^n. */
export const seqAt = { base: 0, pow: 1 };

/** The length of the sequence of code c over k values; sets seqAt (no allocation). */
export function seqLen(c: number, k: number): number {
  let n = 0;
  let b = 0;
  let p = 1;
  while (c >= b + p) {
    b += p;
    p *= k;
    n++;
  }
  seqAt.base = b;
  seqAt.pow = p;
  return n;
}

/** The longest sequences over k values whose codes stay below MAX_CODES (at most MAX_SEQ_LEN). */
export function seqMax(k: number): number {
  let n = 0;
  while (n < MAX_SEQ_LEN && seqBase(k, n + 2) <= MAX_CODES) n++;
  return n;
}

/** Whether a domain holds sequences somewhere: their code order is not the canonical order. */
function holdsSeq(d: Dom): boolean {
  switch (d.k) {
    case 'seq':
      return true;
    case 'set':
      return holdsSeq(d.elem);
    case 'variant':
      return d.cases.some((c) => c.payload !== undefined && holdsSeq(c.payload));
    case 'tuple':
    case 'record':
      return d.items.some(holdsSeq);
    default:
      return false;
  }
}

/**
 * Whether the codes of a domain follow the canonical order of its values, so that a loop over
 * codes visits values as the generic engine does. A set's bitmask does not once its elements
 * have 3 values or more ({0, 1} is code 3, {2} code 4, but {2} comes first); nor do sequences.
 */
export function canonicalCodes(d: Dom): boolean {
  switch (d.k) {
    case 'seq':
      return false;
    case 'set':
      return d.elem.size <= 2 && canonicalCodes(d.elem);
    case 'variant':
      return d.cases.every((c) => c.payload === undefined || canonicalCodes(c.payload));
    case 'tuple':
    case 'record':
      return d.items.every(canonicalCodes);
    default:
      return true;
  }
}

/** Why a type has no domain or shape: a sentence for the rejection. */
export class Unsupported extends Error {
  constructor(
    message: string,
    readonly span?: import('../ast.js').Span,
  ) {
    super(message);
  }
}

export class Doms {
  private readonly variantIds = new Map<VariantInfo, number>();
  private readonly enumIds = new Map<EnumInfo, number>();

  constructor(
    private readonly cc: Compiler,
    private readonly tables: ValueTables,
  ) {}

  private enumId(info: EnumInfo): number {
    let id = this.enumIds.get(info);
    if (id === undefined) this.enumIds.set(info, (id = this.enumIds.size));
    return id;
  }

  private variantId(info: VariantInfo): number {
    let id = this.variantIds.get(info);
    if (id === undefined) this.variantIds.set(info, (id = this.variantIds.size));
    return id;
  }

  intDom(lo: number, hi: number): Dom {
    if (!(Number.isSafeInteger(lo) && Number.isSafeInteger(hi))) throw new Unsupported(`the range ${lo}..${hi} is not a range of safe integers`);
    const size = Math.max(0, hi - lo + 1);
    if (size > MAX_CODES) throw new Unsupported(`the range ${lo}..${hi} has more than 2^30 values`);
    return { k: 'int', lo, hi, size, key: `i${lo}..${hi}` };
  }

  /** The domain of a finite type; throws Unsupported with the reason otherwise. */
  of(t: Type): Dom {
    switch (t.k) {
      case 'bool':
        return { k: 'bool', size: 2, key: 'b' };
      case 'int': {
        if (!t.range) throw new Unsupported('unbounded Int values are not supported by the packed engine (give the type a range)');
        const [lo, hi] = this.cc.rangeOf(t);
        return this.intDom(lo, hi);
      }
      case 'enum':
        return { k: 'enum', info: t.info, size: t.info.members.length, key: `e${this.enumId(t.info)}` };
      case 'variant': {
        let offset = 0;
        const cases = t.info.cases.map((c) => {
          const payload = c.payload === undefined ? undefined : this.of(c.payload);
          const out = { tag: c.tag, offset, payload };
          offset += payload ? payload.size : 1;
          return out;
        });
        if (offset > MAX_CODES) throw new Unsupported(`the type ${formatType(t)} has more than 2^30 values`);
        const id = t.info.name === 'Option' ? `O(${cases[1]!.payload!.key})` : `v${this.variantId(t.info)}(${cases.map((c) => c.payload?.key ?? '').join(',')})`;
        return { k: 'variant', info: t.info, cases, size: offset, key: id };
      }
      case 'set': {
        const elem = this.of(t.elem);
        if (holdsSeq(elem)) throw new Unsupported(`sets of sequences (${formatType(t)}) are not supported by the packed engine`);
        if (elem.size > MAX_SET_ELEMS) throw new Unsupported(`the set type ${formatType(t)} ranges over more than ${MAX_SET_ELEMS} values`);
        return { k: 'set', elem, size: 2 ** elem.size, key: `s(${elem.key})` };
      }
      case 'tuple':
      case 'record': {
        const types = t.k === 'tuple' ? t.items : t.types;
        const items = types.map((x) => this.of(x));
        const strides = new Array<number>(items.length);
        let size = 1;
        for (let i = items.length - 1; i >= 0; i--) {
          strides[i] = size;
          size *= items[i]!.size;
          if (size > MAX_CODES) throw new Unsupported(`the type ${formatType(t)} has more than 2^30 values`);
        }
        const fields = t.k === 'record' ? t.fields : [];
        const key = `${t.k === 'tuple' ? 't' : 'r' + fields.join('.')}(${items.map((d) => d.key).join(',')})`;
        return { k: t.k, fields, items, strides, size, key };
      }
      case 'seq': {
        const elem = this.of(t.elem);
        const max = seqMax(elem.size);
        if (max < 1) throw new Unsupported(`the sequence type ${formatType(t)} has elements of too many values for the packed engine`);
        return { k: 'seq', elem, max, size: seqBase(elem.size, max + 1), key: `q${max}(${elem.key})` };
      }
      case 'map':
        throw new Unsupported(`map values (${formatType(t)}) are supported only as state variables`);
      case 'any':
        throw new Unsupported('a value of unknown type is not supported by the packed engine');
    }
  }

  /** The slots of a state variable's type. */
  shape(t: Type): Shape {
    if (t.k === 'map') {
      const keyDom = this.of(t.key);
      if (holdsSeq(keyDom)) throw new Unsupported(`maps with sequences as keys (${formatType(t)}) are not supported by the packed engine`);
      if (keyDom.size > MAX_MAP_KEYS) throw new Unsupported(`the map type ${formatType(t)} has more than ${MAX_MAP_KEYS} keys`);
      const val = this.shape(t.value);
      const width = keyDom.size * val.width;
      if (width > MAX_WIDTH) throw new Unsupported(`the map type ${formatType(t)} needs more than ${MAX_WIDTH} slots`);
      return { k: 'map', keyDom, keys: this.values(keyDom), val, width };
    }
    if (t.k === 'int' && !t.range) return { k: 'leaf', dom: UNBOUNDED_INT, width: 1 };
    try {
      return { k: 'leaf', dom: this.of(t), width: 1 };
    } catch (err) {
      if (!(err instanceof Unsupported) || (t.k !== 'tuple' && t.k !== 'record')) throw err;
    }
    const types = t.k === 'tuple' ? t.items : t.types;
    const items = types.map((x) => this.shape(x));
    const offsets: number[] = [];
    let width = 0;
    for (const it of items) {
      offsets.push(width);
      width += it.width;
    }
    return { k: t.k, fields: t.k === 'record' ? t.fields : [], items, offsets, width };
  }

  // ---- values <-> codes

  /** Every value of a domain, in code order. */
  values(d: Dom): Value[] {
    const out: Value[] = [];
    for (let c = 0; c < d.size; c++) out.push(this.decode(d, c));
    return out;
  }

  /** The value of a code (atoms, fields arrays and plain variants are the generic engine's). */
  decode(d: Dom, c: number): Value {
    switch (d.k) {
      case 'bool':
        return c === 1;
      case 'int':
        return d.unbounded ? c : c + d.lo;
      case 'enum':
        return this.tables.atom(d.info, c);
      case 'variant': {
        for (let i = d.cases.length - 1; i >= 0; i--) {
          const cs = d.cases[i]!;
          if (c >= cs.offset) {
            return this.tables.variant(cs.tag, i, cs.payload ? this.decode(cs.payload, c - cs.offset) : undefined);
          }
        }
        throw new Error(`internal error: code ${c} outside its variant domain`);
      }
      case 'set': {
        const out: Value[] = [];
        for (let i = 0; i < d.elem.size; i++) if ((c >>> i) & 1) out.push(this.decode(d.elem, i));
        return ISet<Value>(out);
      }
      case 'seq': {
        const k = d.elem.size;
        const n = seqLen(c, k);
        let p = seqAt.pow;
        const out: Value[] = [];
        let r = c - seqAt.base;
        for (let i = 0; i < n; i++) {
          p /= k;
          const digit = Math.floor(r / p);
          r -= digit * p;
          out.push(this.decode(d.elem, digit));
        }
        return mkSeq(out);
      }
      case 'tuple':
      case 'record': {
        const vals = d.items.map((it, i) => this.decode(it, Math.floor(c / d.strides[i]!) % it.size));
        return d.k === 'tuple' ? new Tuple(vals) : new Rec(this.tables.fields(d.fields), vals);
      }
    }
  }

  /** The code of a value, or -1 if it lies outside the domain. */
  encode(d: Dom, v: Value): number {
    switch (d.k) {
      case 'bool':
        return v === true ? 1 : v === false ? 0 : -1;
      case 'int':
        if (d.unbounded) return typeof v === 'number' ? v : NaN;
        return typeof v === 'number' && v >= d.lo && v <= d.hi ? v - d.lo : -1;
      case 'enum': {
        const a = v as { enumName?: string; name?: string };
        if (a.enumName !== d.info.name) return -1;
        return d.info.members.indexOf(a.name!);
      }
      case 'variant': {
        if (!(v instanceof Variant)) return -1;
        const i = d.cases.findIndex((c) => c.tag === v.tag);
        if (i < 0) return -1;
        const cs = d.cases[i]!;
        if (!cs.payload) return v.value === undefined ? cs.offset : -1;
        if (v.value === undefined) return -1;
        const p = this.encode(cs.payload, v.value);
        return p < 0 ? -1 : cs.offset + p;
      }
      case 'set': {
        if (!isSet(v)) return -1;
        let m = 0;
        for (const x of v) {
          const e = this.encode(d.elem, x);
          if (e < 0) return -1;
          m |= 1 << e;
        }
        return m >>> 0 === m ? m : m >>> 0;
      }
      case 'seq': {
        if (!IList.isList(v) || v.size > d.max) return -1;
        let c = 0;
        for (const x of v) {
          const e = this.encode(d.elem, x);
          if (e < 0) return -1;
          c = c * d.elem.size + e;
        }
        return seqBase(d.elem.size, v.size) + c;
      }
      case 'tuple':
      case 'record': {
        const vals = d.k === 'tuple' ? (v instanceof Tuple ? v.items : undefined) : v instanceof Rec ? v.values : undefined;
        if (!vals || vals.length !== d.items.length) return -1;
        let c = 0;
        for (let i = 0; i < d.items.length; i++) {
          const e = this.encode(d.items[i]!, vals[i]!);
          if (e < 0) return -1;
          c += e * d.strides[i]!;
        }
        return c;
      }
    }
  }

  /** Writes a value of shape `sh` at `off`; false if it does not fit the shape. */
  encodeShape(sh: Shape, v: Value, out: number[], off: number): boolean {
    switch (sh.k) {
      case 'leaf': {
        const c = this.encode(sh.dom, v);
        out[off] = c;
        return sh.dom.k === 'int' && sh.dom.unbounded ? c === c : c >= 0;
      }
      case 'map': {
        if (!isMap(v) || v.size !== sh.keys.length) return false;
        for (let i = 0; i < sh.keys.length; i++) {
          const x = v.get(sh.keys[i]!);
          if (x === undefined || !this.encodeShape(sh.val, x, out, off + i * sh.val.width)) return false;
        }
        return true;
      }
      case 'tuple':
      case 'record': {
        const vals = sh.k === 'tuple' ? (v instanceof Tuple ? v.items : undefined) : v instanceof Rec ? v.values : undefined;
        if (!vals || vals.length !== sh.items.length) return false;
        return sh.items.every((it, i) => this.encodeShape(it, vals[i]!, out, off + sh.offsets[i]!));
      }
    }
  }

  decodeShape(sh: Shape, vec: readonly number[], off: number): Value {
    switch (sh.k) {
      case 'leaf':
        return this.decode(sh.dom, vec[off]!);
      case 'map': {
        const w = sh.val.width;
        return IMap<Value, Value>().withMutations((m) => {
          for (let i = 0; i < sh.keys.length; i++) m.set(sh.keys[i]!, this.decodeShape(sh.val, vec, off + i * w));
        });
      }
      case 'tuple':
      case 'record': {
        const vals = sh.items.map((it, i) => this.decodeShape(it, vec, off + sh.offsets[i]!));
        return sh.k === 'tuple' ? new Tuple(vals) : new Rec(this.tables.fields(sh.fields), vals);
      }
    }
  }
}
