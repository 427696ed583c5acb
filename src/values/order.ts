/**
 * A canonical total order on values, for everything that must not depend on how a collection
 * was built: printing, diffs, deterministic iteration over sets and maps.
 *
 * Kinds first (bool < int < atom < tuple < record < variant < set < map < seq), then contents.
 * compareValues(a, b) is 0 exactly when valueEquals(a, b), so sorting by it is canonical.
 */
import { Atom, IList, IMap, ISet, Rec, Tuple, Variant, mkSet, sameFields, type Value } from './value.js';

const RANK_BOOL = 0;
const RANK_INT = 1;
const RANK_ATOM = 2;
const RANK_TUPLE = 3;
const RANK_REC = 4;
const RANK_VARIANT = 5;
const RANK_SET = 6;
const RANK_MAP = 7;
const RANK_SEQ = 8;

function rank(v: Value): number {
  if (typeof v === 'number') return RANK_INT;
  if (typeof v === 'boolean') return RANK_BOOL;
  if (v instanceof Atom) return RANK_ATOM;
  if (v instanceof Tuple) return RANK_TUPLE;
  if (v instanceof Rec) return RANK_REC;
  if (v instanceof Variant) return RANK_VARIANT;
  if (ISet.isSet(v)) return RANK_SET;
  if (IMap.isMap(v)) return RANK_MAP;
  if (IList.isList(v)) return RANK_SEQ;
  throw new Error(`internal error: not a spec value: ${String(v)}`);
}

function cmpPrim(a: number | string | boolean, b: number | string | boolean): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Negative, zero or positive as `a` sorts before, equal to or after `b`. */
export function compareValues(a: Value, b: Value): number {
  if (a === b) return 0;
  const ra = rank(a);
  const rb = rank(b);
  if (ra !== rb) return ra - rb;
  switch (ra) {
    case RANK_BOOL:
    case RANK_INT:
      return cmpPrim(a as number | boolean, b as number | boolean);
    case RANK_ATOM:
      return compareAtoms(a as Atom, b as Atom);
    case RANK_TUPLE:
      return compareArrays((a as Tuple).items, (b as Tuple).items);
    case RANK_REC:
      return compareRecs(a as Rec, b as Rec);
    case RANK_VARIANT:
      return compareVariants(a as Variant, b as Variant);
    case RANK_SET:
      return compareSets(a as ISet<Value>, b as ISet<Value>);
    case RANK_MAP:
      return compareMaps(a as IMap<Value, Value>, b as IMap<Value, Value>);
    default:
      return compareLists(a as IList<Value>, b as IList<Value>);
  }
}

function compareAtoms(a: Atom, b: Atom): number {
  const c = cmpPrim(a.enumName, b.enumName);
  if (c !== 0) return c;
  // Equality is by name, so equal names must compare 0 whatever the indices say.
  if (a.name === b.name) return 0;
  return cmpPrim(a.index, b.index) || cmpPrim(a.name, b.name);
}

function compareArrays(a: readonly Value[], b: readonly Value[]): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const c = compareValues(a[i], b[i]);
    if (c !== 0) return c;
  }
  return a.length - b.length;
}

function compareRecs(a: Rec, b: Rec): number {
  if (!sameFields(a.fields, b.fields)) {
    // Only records of different types get here; any consistent order will do.
    const c = a.fields.length - b.fields.length;
    if (c !== 0) return c;
    for (let i = 0; i < a.fields.length; i++) {
      const d = cmpPrim(a.fields[i], b.fields[i]);
      if (d !== 0) return d;
    }
  }
  return compareArrays(a.values, b.values);
}

function compareVariants(a: Variant, b: Variant): number {
  const c = cmpPrim(a.tagIndex, b.tagIndex) || cmpPrim(a.tag, b.tag);
  if (c !== 0) return c;
  if (a.value === undefined || b.value === undefined) {
    return (a.value === undefined ? 0 : 1) - (b.value === undefined ? 0 : 1);
  }
  return compareValues(a.value, b.value);
}

function compareSets(a: ISet<Value>, b: ISet<Value>): number {
  if (a.size !== b.size) return a.size - b.size;
  return compareArrays(sortedForCompare(a), sortedForCompare(b));
}

function compareMaps(a: IMap<Value, Value>, b: IMap<Value, Value>): number {
  if (a.size !== b.size) return a.size - b.size;
  const ea = sortedEntries(a);
  const eb = sortedEntries(b);
  for (let i = 0; i < ea.length; i++) {
    const c = compareValues(ea[i][0], eb[i][0]) || compareValues(ea[i][1], eb[i][1]);
    if (c !== 0) return c;
  }
  return 0;
}

function compareLists(a: IList<Value>, b: IList<Value>): number {
  const n = Math.min(a.size, b.size);
  for (let i = 0; i < n; i++) {
    const c = compareValues(a.get(i) as Value, b.get(i) as Value);
    if (c !== 0) return c;
  }
  return a.size - b.size;
}

// Sorting nested collections again at every comparison would make sorting a set of sets
// quadratic in the inner sorts; the collections are immutable, so the result can be kept for as
// long as the collection lives. Small ones are cheap enough to sort afresh and not worth the
// memory.
const MEMO_MIN_SIZE = 8;
const sortedSetMemo = new WeakMap<ISet<Value>, readonly Value[]>();
const sortedMapMemo = new WeakMap<IMap<Value, Value>, readonly (readonly [Value, Value])[]>();

/**
 * Sorting a set of at least this many elements first sorts each of its elements that is a small
 * set or map, once, and keeps the result for as long as the element lives: comparing two of them
 * would otherwise sort both again, some n log n times over (a choose over maps(Node,
 * subsets(Node)), 65,536 maps of 4 entries, took 2.6 s, most of it sorting the same maps again).
 */
const PRESORT_MIN_SIZE = 64;

/** The elements of `set` in canonical order. The array may be shared: do not mutate it. */
export function sortedElements(set: ISet<Value>): readonly Value[] {
  let sorted = set.size >= MEMO_MIN_SIZE ? sortedSetMemo.get(set) : undefined;
  if (sorted === undefined) {
    const elements = set.toArray();
    if (elements.length >= PRESORT_MIN_SIZE) for (const x of elements) presort(x);
    sorted = elements.sort(compareValues);
    if (set.size >= MEMO_MIN_SIZE) sortedSetMemo.set(set, sorted);
  }
  return sorted;
}

/** The entries of `map` in canonical order of their keys. Shared arrays: do not mutate. */
export function sortedEntries(map: IMap<Value, Value>): readonly (readonly [Value, Value])[] {
  let sorted = map.size > 1 ? sortedMapMemo.get(map) : undefined;
  if (sorted === undefined) {
    sorted = sortMap(map);
    if (map.size >= MEMO_MIN_SIZE) sortedMapMemo.set(map, sorted);
  }
  return sorted;
}

/**
 * The set of `sorted`, distinct values already in canonical order (the values of a finite type,
 * `subsets(S)`, `maps(S, T)`, which are enumerated in that order), with that order kept as
 * sortedElements would have computed it: a `choose` or a loop over the set then takes it as it
 * is, with no comparison. (A choose over maps(Node, subsets(Node)), 65,536 maps, spent 0.7 s
 * of its 1.1 s ordering them.)
 */
export function setInOrder(sorted: readonly Value[]): ISet<Value> {
  const set = mkSet(sorted);
  if (set.size === sorted.length && set.size >= MEMO_MIN_SIZE) sortedSetMemo.set(set, sorted);
  return set;
}

/** The large sets ascending has taken elements of without sorting them all. */
const heapedOnce = new WeakSet<ISet<Value>>();

/**
 * The elements of `set` in canonical order, computed as they are asked for: what
 * sortedElements gives, without sorting all of a large set when only its first elements are
 * wanted (`choose` stops at the first element that satisfies its condition). A large set not
 * sorted before is put in a binary heap (n comparisons) and taken from it one element at a
 * time (log n each). The second time a set is asked for, it is sorted and the order kept, as
 * sortedElements does: a choose over the same set at every step pays the sort once.
 */
export function* ascending(set: ISet<Value>): Generator<Value, void, undefined> {
  const known = set.size >= MEMO_MIN_SIZE ? sortedSetMemo.get(set) : undefined;
  if (known !== undefined || set.size < PRESORT_MIN_SIZE || heapedOnce.has(set)) {
    yield* known ?? sortedElements(set);
    return;
  }
  heapedOnce.add(set);
  const heap = set.toArray();
  for (const x of heap) presort(x);
  const n = heap.length;
  const down = (i: number, size: number): void => {
    const x = heap[i]!;
    for (;;) {
      let c = 2 * i + 1;
      if (c >= size) break;
      if (c + 1 < size && compareValues(heap[c + 1]!, heap[c]!) < 0) c++;
      if (compareValues(heap[c]!, x) >= 0) break;
      heap[i] = heap[c]!;
      i = c;
    }
    heap[i] = x;
  };
  for (let i = (n >>> 1) - 1; i >= 0; i--) down(i, n);
  for (let size = n; size > 0; size--) {
    const top = heap[0]!;
    heap[0] = heap[size - 1]!;
    down(0, size - 1);
    yield top;
  }
}

/** Sorts every small set and map inside `v` (inner ones first) and keeps the results. */
function presort(v: Value): void {
  if (typeof v !== 'object') return;
  if (v instanceof Tuple) for (const x of v.items) presort(x);
  else if (v instanceof Rec) for (const x of v.values) presort(x);
  else if (v instanceof Variant) {
    if (v.value !== undefined) presort(v.value);
  } else if (ISet.isSet(v)) {
    if (v.size < 2 || sortedSetMemo.has(v)) return;
    v.forEach((x) => presort(x));
    if (v.size < MEMO_MIN_SIZE) sortedSetMemo.set(v, sortSet(v));
  } else if (IMap.isMap(v)) {
    if (v.size < 2 || sortedMapMemo.has(v)) return;
    v.forEach((x, k) => {
      presort(k);
      presort(x);
    });
    if (v.size < MEMO_MIN_SIZE) sortedMapMemo.set(v, sortMap(v));
  } else if (IList.isList(v)) v.forEach((x) => presort(x));
}

/** As sortedElements, for compareSets: also finds the small sets presorted. */
function sortedForCompare(set: ISet<Value>): readonly Value[] {
  return (set.size > 1 && set.size < MEMO_MIN_SIZE ? sortedSetMemo.get(set) : undefined) ?? sortedElements(set);
}

function sortSet(set: ISet<Value>): Value[] {
  return set.toArray().sort(compareValues);
}

function sortMap(map: IMap<Value, Value>): (readonly [Value, Value])[] {
  const entries: [Value, Value][] = [];
  map.forEach((v, k) => {
    entries.push([k, v]);
  });
  // Keys are distinct, so ordering by key alone is already total.
  return entries.sort((x, y) => compareValues(x[0], y[0]));
}
