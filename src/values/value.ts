/**
 * Run-time values of the spec language.
 *
 * Every value is immutable and compared structurally. Scalars are plain JS numbers (always safe
 * integers) and booleans; sets, maps and sequences are immutable-js collections, so the
 * evaluator gets cheap persistent updates. The small classes below implement immutable-js's
 * value-object protocol (`equals` + `hashCode`) so they can be elements and keys of those
 * collections and compare correctly under `Immutable.is`.
 */
import { List as IList, Map as IMap, Set as ISet, hash, is } from 'immutable';

export type Value =
  | number
  | boolean
  | Atom
  | Tuple
  | Rec
  | Variant
  | ISet<Value>
  | IMap<Value, Value>
  | IList<Value>;

export { IList, IMap, ISet };

// Distinct salts keep, e.g., a one-item tuple and a variant with the same payload apart in
// immutable-js's hash tables.
const SALT_ATOM = 0x2f6b1c3d;
const SALT_TUPLE = 0x5a17e3b9;
const SALT_REC = 0x3c9d8e41;
const SALT_VARIANT = 0x71e4a2d7;

/** Spreads the bits of an accumulated hash (murmur3's fmix32), kept as a signed 32-bit int. */
function finishHash(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h | 0;
}

function combineHash(h: number, x: number): number {
  return (Math.imul(h, 31) + x) | 0;
}

/**
 * immutable-js hashes a set or a map by summing a weak mix of its elements' hashes, so sets of
 * small integers collide wholesale (the 65,536 subsets of 0..15 share 697 hashes) and a set of
 * such sets degrades to linear probing: `subsets(0..15)` took seconds. Each element's hash is
 * spread with fmix32 before the (order-free) sum instead. Equality is unchanged; only the
 * order in which immutable-js iterates a set of sets or maps can differ, and spex never relies
 * on that order (it sorts: sortedElements).
 */
function unorderedHash(salt: number, size: number, each: (add: (h: number) => void) => void): number {
  let sum = 0;
  each((h) => {
    sum = (sum + finishHash(h ^ salt)) | 0;
  });
  return finishHash(combineHash(sum, size));
}

const SALT_SET = 0x1b873593;
const SALT_MAP = 0x6a09e667;

type Hashed = { __hash?: number; hashCode(): number };
(ISet.prototype as unknown as Hashed).hashCode = function (this: ISet<Value> & Hashed): number {
  if (this.__hash === undefined) {
    this.__hash = unorderedHash(SALT_SET, this.size, (add) => this.forEach((v) => add(hash(v))));
  }
  return this.__hash;
};
(IMap.prototype as unknown as Hashed).hashCode = function (this: IMap<Value, Value> & Hashed): number {
  if (this.__hash === undefined) {
    this.__hash = unorderedHash(SALT_MAP, this.size, (add) => this.forEach((v, k) => add(combineHash(hash(k), hash(v)))));
  }
  return this.__hash;
};

/**
 * An enum constant. The evaluator interns atoms (one instance per constant), but equality is
 * still structural so that atoms built elsewhere (tests, a second evaluator) behave.
 */
export class Atom {
  /**
   * @internal Fingerprint cache, owned by fingerprint.ts; both 0 means "not computed yet" (a
   * real all-zero fingerprint is a 2^-64 event and would only cost a recomputation).
   */
  fpHi = 0;
  /** @internal See fpHi. */
  fpLo = 0;
  private hashMemo = 0;

  constructor(
    readonly enumName: string,
    readonly name: string,
    /** Declaration position within its enum; the order of atoms follows it. */
    readonly index: number,
  ) {}

  equals(other: unknown): boolean {
    return (
      this === other ||
      (other instanceof Atom && this.name === other.name && this.enumName === other.enumName)
    );
  }

  hashCode(): number {
    if (this.hashMemo === 0) {
      this.hashMemo = finishHash(combineHash(combineHash(SALT_ATOM, hash(this.enumName)), hash(this.name)));
    }
    return this.hashMemo;
  }
}

/** A tuple. `items` is shared, not copied: whoever builds a Tuple must not mutate the array. */
export class Tuple {
  /** @internal See Atom.fpHi. */
  fpHi = 0;
  /** @internal See Atom.fpHi. */
  fpLo = 0;
  private hashMemo = 0;

  constructor(readonly items: readonly Value[]) {}

  equals(other: unknown): boolean {
    if (this === other) return true;
    if (!(other instanceof Tuple)) return false;
    return valuesEqual(this.items, other.items);
  }

  hashCode(): number {
    if (this.hashMemo === 0) {
      let h = SALT_TUPLE;
      for (const x of this.items) h = combineHash(h, hash(x));
      this.hashMemo = finishHash(h);
    }
    return this.hashMemo;
  }
}

/**
 * A record. `fields` is in the record type's declared order and is shared by every record of
 * that type (the fingerprint caches per fields array, and equality short-cuts on identity);
 * `values[i]` is the value of `fields[i]`. Neither array is copied nor may be mutated.
 */
export class Rec {
  /** @internal See Atom.fpHi. */
  fpHi = 0;
  /** @internal See Atom.fpHi. */
  fpLo = 0;
  private hashMemo = 0;

  constructor(
    readonly fields: readonly string[],
    readonly values: readonly Value[],
  ) {
    if (fields.length !== values.length) {
      throw new Error(`internal error: record with ${fields.length} fields and ${values.length} values`);
    }
  }

  get(name: string): Value {
    return this.values[this.fieldIndex(name)]!;
  }

  /** A copy with field `name` set to `v`. */
  with(name: string, v: Value): Rec {
    const i = this.fieldIndex(name);
    const values = this.values.slice();
    values[i] = v;
    return new Rec(this.fields, values);
  }

  equals(other: unknown): boolean {
    if (this === other) return true;
    if (!(other instanceof Rec)) return false;
    return sameFields(this.fields, other.fields) && valuesEqual(this.values, other.values);
  }

  hashCode(): number {
    if (this.hashMemo === 0) {
      // Field names are left out: records compared in one hash table share a type, and the
      // values alone spread them well enough.
      let h = SALT_REC;
      for (const x of this.values) h = combineHash(h, hash(x));
      this.hashMemo = finishHash(h);
    }
    return this.hashMemo;
  }

  private fieldIndex(name: string): number {
    const i = this.fields.indexOf(name);
    if (i < 0) {
      // The type checker rules this out, so reaching it is a bug in the evaluator.
      throw new Error(`internal error: record { ${this.fields.join(', ')} } has no field '${name}'`);
    }
    return i;
  }
}

/** A value of a variant type: a tag with at most one payload. */
export class Variant {
  /** @internal See Atom.fpHi. */
  fpHi = 0;
  /** @internal See Atom.fpHi. */
  fpLo = 0;
  private hashMemo = 0;

  constructor(
    readonly tag: string,
    /** Position of the tag in its type's declaration; orders variants (None < Some). */
    readonly tagIndex: number,
    readonly value: Value | undefined = undefined,
  ) {}

  equals(other: unknown): boolean {
    if (this === other) return true;
    if (!(other instanceof Variant) || this.tag !== other.tag) return false;
    if (this.value === undefined || other.value === undefined) return this.value === other.value;
    return is(this.value, other.value);
  }

  hashCode(): number {
    if (this.hashMemo === 0) {
      let h = combineHash(SALT_VARIANT, hash(this.tag));
      if (this.value !== undefined) h = combineHash(h, hash(this.value));
      this.hashMemo = finishHash(h);
    }
    return this.hashMemo;
  }
}

function valuesEqual(a: readonly Value[], b: readonly Value[]): boolean {
  if (a === b) return true;
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) {
    if (!is(a[i], b[i])) return false;
  }
  return true;
}

/** Whether two records' field lists are the same (usually the very same shared array). */
export function sameFields(a: readonly string[], b: readonly string[]): boolean {
  if (a === b) return true;
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) {
    if (a[i] !== b[i]) return false;
  }
  return true;
}

export function isSet(v: Value): v is ISet<Value> {
  return ISet.isSet(v);
}

export function isMap(v: Value): v is IMap<Value, Value> {
  return IMap.isMap(v);
}

export function isSeq(v: Value): v is IList<Value> {
  return IList.isList(v);
}

/** Structural equality of values (immutable-js's `is`). */
export function valueEquals(a: Value, b: Value): boolean {
  return is(a, b);
}

export function mkSet(items: Iterable<Value> = []): ISet<Value> {
  return ISet(items);
}

export function mkMap(entries: Iterable<readonly [Value, Value]> = []): IMap<Value, Value> {
  return IMap(entries);
}

export function mkSeq(items: Iterable<Value> = []): IList<Value> {
  return IList(items);
}

export const NONE: Variant = new Variant('None', 0);

export function some(v: Value): Variant {
  return new Variant('Some', 1, v);
}
