/**
 * 64-bit structural fingerprints of values and states.
 *
 * The explorer stores only fingerprints of visited states, so two different states sharing one
 * would silently hide part of the state space. The 64 bits are two 32-bit lanes computed with
 * different seeds and different mixers (murmur3-style for `hi`, xxHash32-style for `lo`), so a
 * collision needs two roughly independent 32-bit collisions. Everything is plain int32
 * arithmetic (Math.imul, shifts): no BigInt, and no allocation on the common path.
 *
 * A fingerprint depends only on the value's structure and on the strings naming atoms, record
 * fields and variant tags, never on object identity, insertion order or immutable-js's own
 * hashes, so it is the same in every run and every process (workers can share visited sets).
 * Sets and maps add up per-element fingerprints, which makes them independent of iteration
 * order without sorting.
 */
import { Atom, IList, IMap, ISet, Rec, Tuple, Variant, type Value } from './value.js';

const imul = Math.imul;

// --- the two lanes ---------------------------------------------------------------------------

/** murmur3_32 block step. Bijective in `h` for fixed `k` and in `k` for fixed `h`. */
function mixHi(h: number, k: number): number {
  k = imul(k, 0xcc9e2d51);
  k = (k << 15) | (k >>> 17);
  k = imul(k, 0x1b873593);
  h ^= k;
  h = (h << 13) | (h >>> 19);
  return (imul(h, 5) + 0xe6546b64) | 0;
}

/** murmur3's fmix32, with the length folded in first. */
function finHi(h: number, n: number): number {
  h ^= n;
  h ^= h >>> 16;
  h = imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h | 0;
}

const P1 = 0x9e3779b1 | 0;
const P2 = 0x85ebca77 | 0;
const P3 = 0xc2b2ae3d | 0;
const P4 = 0x27d4eb2f | 0;

/** xxHash32's 4-byte step. Also bijective in either argument. */
function mixLo(h: number, k: number): number {
  h = (h + imul(k, P3)) | 0;
  h = (h << 17) | (h >>> 15);
  return imul(h, P4);
}

/** xxHash32's avalanche, with the length folded in first. */
function finLo(h: number, n: number): number {
  h = (h + imul(n, P1)) | 0;
  h ^= h >>> 15;
  h = imul(h, P2);
  h ^= h >>> 13;
  h = imul(h, P3);
  h ^= h >>> 16;
  return h | 0;
}

/**
 * Per-element remix before the commutative sum: each lane of the summand depends on both lanes
 * of the element, and the sum never sees raw fingerprints that nested structure might relate
 * linearly.
 */
function elemHi(h: number, l: number): number {
  return finHi((h + imul(l, P1)) | 0, 0x5bd1e995);
}

function elemLo(h: number, l: number): number {
  return finLo(l ^ imul(h, 0x5bd1e995), 0x1b873593);
}

function strHi(h: number, s: string): number {
  h = mixHi(h, s.length);
  let i = 0;
  for (; i + 1 < s.length; i += 2) h = mixHi(h, s.charCodeAt(i) | (s.charCodeAt(i + 1) << 16));
  if (i < s.length) h = mixHi(h, s.charCodeAt(i));
  return h;
}

function strLo(h: number, s: string): number {
  h = mixLo(h, s.length);
  let i = 0;
  for (; i + 1 < s.length; i += 2) h = mixLo(h, s.charCodeAt(i) | (s.charCodeAt(i + 1) << 16));
  if (i < s.length) h = mixLo(h, s.charCodeAt(i));
  return h;
}

// --- kinds -----------------------------------------------------------------------------------

const SEED_HI = 0x9747b28c | 0;
const SEED_LO = 0x165667b1 | 0;

// Every kind starts from its own lane states, so values of different kinds with the same
// contents (0, false, {}, empty map, [], None, ...) land far apart.
const KIND_BOOL = 1;
const KIND_INT = 2;
const KIND_ATOM = 3;
const KIND_TUPLE = 4;
const KIND_REC = 5;
const KIND_VARIANT = 6;
const KIND_SET = 7;
const KIND_MAP = 8;
const KIND_SEQ = 9;
const KIND_STATE = 10;
const KIND_MAP_ENTRY = 11;

const START_INT_HI = mixHi(SEED_HI, KIND_INT);
const START_INT_LO = mixLo(SEED_LO, KIND_INT);
const START_ATOM_HI = mixHi(SEED_HI, KIND_ATOM);
const START_ATOM_LO = mixLo(SEED_LO, KIND_ATOM);
const START_TUPLE_HI = mixHi(SEED_HI, KIND_TUPLE);
const START_TUPLE_LO = mixLo(SEED_LO, KIND_TUPLE);
const START_REC_HI = mixHi(SEED_HI, KIND_REC);
const START_REC_LO = mixLo(SEED_LO, KIND_REC);
const START_VARIANT_HI = mixHi(SEED_HI, KIND_VARIANT);
const START_VARIANT_LO = mixLo(SEED_LO, KIND_VARIANT);
const START_SET_HI = mixHi(SEED_HI, KIND_SET);
const START_SET_LO = mixLo(SEED_LO, KIND_SET);
const START_MAP_HI = mixHi(SEED_HI, KIND_MAP);
const START_MAP_LO = mixLo(SEED_LO, KIND_MAP);
const START_SEQ_HI = mixHi(SEED_HI, KIND_SEQ);
const START_SEQ_LO = mixLo(SEED_LO, KIND_SEQ);
const START_STATE_HI = mixHi(SEED_HI, KIND_STATE);
const START_STATE_LO = mixLo(SEED_LO, KIND_STATE);
const START_ENTRY_HI = mixHi(SEED_HI, KIND_MAP_ENTRY);
const START_ENTRY_LO = mixLo(SEED_LO, KIND_MAP_ENTRY);

const FALSE_HI = finHi(mixHi(mixHi(SEED_HI, KIND_BOOL), 0), 1);
const FALSE_LO = finLo(mixLo(mixLo(SEED_LO, KIND_BOOL), 0), 1);
const TRUE_HI = finHi(mixHi(mixHi(SEED_HI, KIND_BOOL), 1), 1);
const TRUE_LO = finLo(mixLo(mixLo(SEED_LO, KIND_BOOL), 1), 1);

interface Lanes {
  readonly hi: number;
  readonly lo: number;
}

/** Lane states after absorbing a record type's field names, per shared fields array. */
const recStarts = new WeakMap<readonly string[], Lanes>();
/** Lane states after absorbing a variant tag; there are few distinct tags. */
const variantStarts = new Map<string, Lanes>();
/**
 * Fingerprints of large collections. Persistent updates share unchanged sub-collections between
 * a state and its successors, so big nested ones are worth remembering; small ones are cheaper
 * to recompute than to look up.
 */
const collectionCache = new WeakMap<object, Lanes>();
/** The size from which collections are remembered (here, and maps' key sets in the evaluator). */
export const CACHE_MIN_SIZE = 16;

/**
 * A large map's entry in collectionCache: its fingerprint and the two sums over its entries it
 * was finished from, so that a map made from it by one entry (noteMapSet, noteMapRemove) gets
 * its own from them.
 */
interface MapLanes extends Lanes {
  readonly sumHi: number;
  readonly sumLo: number;
}

// The result of fp(): plain module variables instead of a returned pair, to avoid allocating.
let H = 0;
let L = 0;

function fp(v: Value): void {
  if (typeof v === 'number') {
    fpInt(v);
  } else if (typeof v === 'boolean') {
    H = v ? TRUE_HI : FALSE_HI;
    L = v ? TRUE_LO : FALSE_LO;
  } else if (v instanceof Atom) {
    fpAtom(v);
  } else if (v instanceof Tuple) {
    fpTuple(v);
  } else if (v instanceof Rec) {
    fpRec(v);
  } else if (v instanceof Variant) {
    fpVariant(v);
  } else if (IMap.isMap(v)) {
    withCache(v, v.size, fpMap, mapLanes);
  } else if (ISet.isSet(v)) {
    withCache(v, v.size, fpSet);
  } else if (IList.isList(v)) {
    withCache(v, v.size, fpSeq);
  } else {
    throw new Error(`internal error: not a spec value: ${String(v)}`);
  }
}

function fpInt(v: number): void {
  let lo: number;
  let hi: number;
  if ((v | 0) === v) {
    lo = v | 0;
    hi = v < 0 ? -1 : 0;
  } else {
    // Safe integers beyond 32 bits: the two's-complement halves, same as the fast path gives.
    lo = v >>> 0;
    hi = Math.floor(v / 4294967296) | 0;
  }
  H = finHi(mixHi(mixHi(START_INT_HI, lo), hi), 2);
  L = finLo(mixLo(mixLo(START_INT_LO, lo), hi), 2);
}

function fpAtom(a: Atom): void {
  if ((a.fpHi | a.fpLo) === 0) {
    // The index is left out on purpose: equality ignores it.
    a.fpHi = finHi(strHi(strHi(START_ATOM_HI, a.enumName), a.name), 2);
    a.fpLo = finLo(strLo(strLo(START_ATOM_LO, a.enumName), a.name), 2);
  }
  H = a.fpHi;
  L = a.fpLo;
}

function fpTuple(t: Tuple): void {
  if ((t.fpHi | t.fpLo) === 0) {
    let a = START_TUPLE_HI;
    let b = START_TUPLE_LO;
    const items = t.items;
    for (let i = 0; i < items.length; i++) {
      fp(items[i]);
      a = mixHi(mixHi(a, H), L);
      b = mixLo(mixLo(b, L), H);
    }
    t.fpHi = finHi(a, items.length);
    t.fpLo = finLo(b, items.length);
  }
  H = t.fpHi;
  L = t.fpLo;
}

function fpRec(r: Rec): void {
  if ((r.fpHi | r.fpLo) === 0) {
    let start = recStarts.get(r.fields);
    if (start === undefined) {
      let a = mixHi(START_REC_HI, r.fields.length);
      let b = mixLo(START_REC_LO, r.fields.length);
      for (const f of r.fields) {
        a = strHi(a, f);
        b = strLo(b, f);
      }
      start = { hi: a, lo: b };
      recStarts.set(r.fields, start);
    }
    let a = start.hi;
    let b = start.lo;
    const values = r.values;
    for (let i = 0; i < values.length; i++) {
      fp(values[i]);
      a = mixHi(mixHi(a, H), L);
      b = mixLo(mixLo(b, L), H);
    }
    r.fpHi = finHi(a, values.length);
    r.fpLo = finLo(b, values.length);
  }
  H = r.fpHi;
  L = r.fpLo;
}

function fpVariant(v: Variant): void {
  if ((v.fpHi | v.fpLo) === 0) {
    let start = variantStarts.get(v.tag);
    if (start === undefined) {
      // Like equality, only the tag name identifies the alternative, not tagIndex.
      start = { hi: strHi(START_VARIANT_HI, v.tag), lo: strLo(START_VARIANT_LO, v.tag) };
      variantStarts.set(v.tag, start);
    }
    if (v.value === undefined) {
      v.fpHi = finHi(start.hi, 0);
      v.fpLo = finLo(start.lo, 0);
    } else {
      fp(v.value);
      v.fpHi = finHi(mixHi(mixHi(start.hi, H), L), 1);
      v.fpLo = finLo(mixLo(mixLo(start.lo, L), H), 1);
    }
  }
  H = v.fpHi;
  L = v.fpLo;
}

/**
 * `compute`'s fingerprint of a collection, remembered from CACHE_MIN_SIZE elements on, as
 * `lanes` gives it after `compute` (the fingerprint, and for a map its entry sums).
 */
function withCache<C extends object>(c: C, size: number, compute: (c: C) => void, lanes: () => Lanes = fingerprintLanes): void {
  if (size < CACHE_MIN_SIZE) {
    compute(c);
    return;
  }
  const cached = collectionCache.get(c);
  if (cached !== undefined) {
    H = cached.hi;
    L = cached.lo;
    return;
  }
  compute(c);
  collectionCache.set(c, lanes());
}

function fingerprintLanes(): Lanes {
  return { hi: H, lo: L };
}

/** A map's entry in collectionCache, after fpMap. */
function mapLanes(): MapLanes {
  return { hi: H, lo: L, sumHi: SUM_HI, sumLo: SUM_LO };
}

function fpSet(s: ISet<Value>): void {
  let sumHi = 0;
  let sumLo = 0;
  s.forEach((x) => {
    fp(x);
    sumHi = (sumHi + elemHi(H, L)) | 0;
    sumLo = (sumLo + elemLo(H, L)) | 0;
  });
  H = finHi(mixHi(mixHi(START_SET_HI, sumHi), sumLo), s.size);
  L = finLo(mixLo(mixLo(START_SET_LO, sumLo), sumHi), s.size);
}

/** The summands of a map entry, from its key's lanes and its value's. */
function entryHi(kh: number, kl: number, vh: number, vl: number): number {
  return finHi(mixHi(mixHi(mixHi(mixHi(START_ENTRY_HI, kh), kl), vh), vl), 2);
}

function entryLo(kh: number, kl: number, vh: number, vl: number): number {
  return finLo(mixLo(mixLo(mixLo(mixLo(START_ENTRY_LO, kl), kh), vl), vh), 2);
}

/** The entry sums of the map fpMap last finished. */
let SUM_HI = 0;
let SUM_LO = 0;

function fpMap(m: IMap<Value, Value>): void {
  let sumHi = 0;
  let sumLo = 0;
  m.forEach((val, key) => {
    fp(key);
    const kh = H;
    const kl = L;
    fp(val);
    sumHi = (sumHi + entryHi(kh, kl, H, L)) | 0;
    sumLo = (sumLo + entryLo(kh, kl, H, L)) | 0;
  });
  finishMap(sumHi, sumLo, m.size);
}

function finishMap(sumHi: number, sumLo: number, size: number): void {
  SUM_HI = sumHi;
  SUM_LO = sumLo;
  H = finHi(mixHi(mixHi(START_MAP_HI, sumHi), sumLo), size);
  L = finLo(mixLo(mixLo(START_MAP_LO, sumLo), sumHi), size);
}

/**
 * Says that `after` is `before` with the value at `key` set (the evaluator's `m[k] := v`,
 * `put`, `m with [k] = v`); `old` is the value at `key` in `before`, undefined if it had none.
 * See noteMapEntry.
 */
export function noteMapSet(before: IMap<Value, Value>, after: IMap<Value, Value>, key: Value, old: Value | undefined): void {
  if (after === before || after.size < CACHE_MIN_SIZE) return;
  noteMapEntry(before, after, key, old, after.get(key));
}

/** Says that `after` is `before` without `key` (`remove`), whose value there was `old`. See noteMapEntry. */
export function noteMapRemove(before: IMap<Value, Value>, after: IMap<Value, Value>, key: Value, old: Value): void {
  if (after === before || after.size < CACHE_MIN_SIZE) return;
  noteMapEntry(before, after, key, old, undefined);
}

/**
 * A map's fingerprint is finished from sums over its entries, so when `before`'s are known
 * (it was fingerprinted, or noted in turn), those of `after`, which differs from it in the
 * entry at `key` only, follow from them in one entry's work: less the entry `key: old`, plus
 * `key: now` (either may be absent). A successor that updates one entry of a wide map then
 * costs one entry, not the map. Worked out at once, not on first use: a map updated many
 * times over in one step leaves no chain of maps to walk. The result is the fingerprint the
 * whole map gives (sums mod 2^32 do not depend on how they were reached).
 */
function noteMapEntry(before: IMap<Value, Value>, after: IMap<Value, Value>, key: Value, old: Value | undefined, now: Value | undefined): void {
  const known = collectionCache.get(before) as MapLanes | undefined;
  if (known === undefined) return;
  let sumHi = known.sumHi;
  let sumLo = known.sumLo;
  fp(key);
  const kh = H;
  const kl = L;
  if (old !== undefined) {
    fp(old);
    sumHi = (sumHi - entryHi(kh, kl, H, L)) | 0;
    sumLo = (sumLo - entryLo(kh, kl, H, L)) | 0;
  }
  if (now !== undefined) {
    fp(now);
    sumHi = (sumHi + entryHi(kh, kl, H, L)) | 0;
    sumLo = (sumLo + entryLo(kh, kl, H, L)) | 0;
  }
  finishMap(sumHi, sumLo, after.size);
  collectionCache.set(after, mapLanes());
}

function fpSeq(l: IList<Value>): void {
  let a = START_SEQ_HI;
  let b = START_SEQ_LO;
  // A sequence made by appending one element to a sequence folded before: its fold goes on
  // from there, so a sequence that grows by one element a step costs one element a state.
  const before = appendedTo.get(l);
  const fold = before === undefined ? undefined : seqFolds.get(before);
  if (fold !== undefined) {
    fp(l.last() as Value);
    a = mixHi(mixHi(fold.hi, H), L);
    b = mixLo(mixLo(fold.lo, L), H);
  } else {
    l.forEach((x) => {
      fp(x);
      a = mixHi(mixHi(a, H), L);
      b = mixLo(mixLo(b, L), H);
    });
  }
  if (l.size >= CACHE_MIN_SIZE) seqFolds.set(l, { hi: a, lo: b });
  H = finHi(a, l.size);
  L = finLo(b, l.size);
}

/** The fold of fpSeq before it is finished, per large sequence, for the sequences appended to it. */
const seqFolds = new WeakMap<IList<Value>, { hi: number; lo: number }>();
/**
 * Large sequences made by appending one element (`append(s, x)`, noteAppend): the sequence
 * before. The fingerprint is the same either way; only the work differs.
 */
const appendedTo = new WeakMap<IList<Value>, IList<Value>>();

/** Says that `after` is `before` with one element appended (the evaluator's `append`). */
export function noteAppend(before: IList<Value>, after: IList<Value>): void {
  if (after.size > CACHE_MIN_SIZE && after.size === before.size + 1) appendedTo.set(after, before);
}

// --- API -------------------------------------------------------------------------------------

/** Writes the 64-bit fingerprint of `v`: high 32 bits to out[0], low 32 bits to out[1]. */
export function fingerprintValue(v: Value, out: Uint32Array): void {
  fp(v);
  out[0] = H;
  out[1] = L;
}

/**
 * Writes the fingerprint of a whole state, an ordered array of variable values (position
 * matters: swapping two variables' values gives a different state). Distinct from the
 * fingerprint of a tuple or seq with the same items.
 */
export function fingerprintValues(vs: readonly Value[], out: Uint32Array): void {
  let a = START_STATE_HI;
  let b = START_STATE_LO;
  for (let i = 0; i < vs.length; i++) {
    fp(vs[i]);
    a = mixHi(mixHi(a, H), L);
    b = mixLo(mixLo(b, L), H);
  }
  out[0] = finHi(a, vs.length);
  out[1] = finLo(b, vs.length);
}

/**
 * The fingerprint of an array of small integers (a packed state: one code per slot), with the
 * same two lanes as values' fingerprints and the length folded into both. Equal arrays give
 * equal fingerprints; the packed encoding is canonical, so equal states do too.
 */
export function fingerprintInts(vec: ArrayLike<number>, out: Uint32Array): void {
  const n = vec.length;
  let hi = SEED_HI;
  let lo = SEED_LO;
  for (let i = 0; i < n; i++) {
    const x = vec[i]!;
    hi = mixHi(hi, x);
    lo = mixLo(lo, x);
    if ((x | 0) !== x) {
      // Beyond 32 bits (an unbounded Int): the high part too.
      const h = Math.floor(x / 4294967296);
      hi = mixHi(hi, h);
      lo = mixLo(lo, h);
    }
  }
  out[0] = finHi(hi, n) >>> 0;
  out[1] = finLo(lo, n) >>> 0;
}

/** The largest product of slot sizes packed into one 32-bit word. */
const WORD = 2 ** 32;

/**
 * Layouts of more slots than this get a loop over tables (loopFingerprint) rather than
 * straight-line code: V8 does not optimise a function past about 60 KB of bytecode, and the
 * straight-line code of thousands of slots (a process of thousands of instances) then ran
 * interpreted, at 15–20 ns a slot.
 */
const STRAIGHT_LINE_SLOTS = 256;

/** A part of a packed layout as vectorFingerprint hashes it: finite slots packed into a word, or an unbounded slot. */
type Part = { k: 'word'; slots: number[] } | { k: 'int'; slot: number };

/**
 * vectorFingerprint's function as a loop over its parts, for wide layouts: the same words in
 * the same order, so the same fingerprints. `parts` are the finite slots packed into words
 * (in slot order) and the unbounded slots, as vectorFingerprint found them.
 */
function loopFingerprint(
  sizes: readonly number[],
  parts: readonly Part[],
): (vec: ArrayLike<number>, out: Uint32Array) => void {
  // Per part, the end of its slots in `slot` (-1 − its slot for an unbounded one); per slot
  // of a word, its place value and size.
  const ends = new Int32Array(parts.length);
  const slot: number[] = [];
  const place: number[] = [];
  const size: number[] = [];
  parts.forEach((part, i) => {
    if (part.k === 'int') {
      ends[i] = -1 - part.slot;
      return;
    }
    let p = 1;
    const from = slot.length;
    for (let j = part.slots.length - 1; j >= 0; j--) {
      const s = part.slots[j]!;
      slot[from + j] = s;
      place[from + j] = p;
      size[from + j] = sizes[s]!;
      p *= sizes[s]!;
    }
    ends[i] = slot.length;
  });
  const slots = Int32Array.from(slot);
  const places = Float64Array.from(place);
  const bounds = Float64Array.from(size);
  // The straight-line code's lanes over the parts are fingerprintInts over the parts' values:
  // each word as an int32, each unbounded slot as it is.
  const values = new Float64Array(parts.length);
  return function fingerprintVector(v: ArrayLike<number>, out: Uint32Array): void {
    let j = 0;
    for (let i = 0; i < values.length; i++) {
      const end = ends[i]!;
      if (end < 0) {
        values[i] = v[-1 - end]!;
        continue;
      }
      let w = 0;
      for (; j < end; j++) {
        const x = v[slots[j]!]!;
        if (!(x >= 0 && x < bounds[j]!)) {
          throw new Error(`internal error: slot ${slots[j]} of a packed state holds ${x}, outside its ${bounds[j]} codes`);
        }
        w += x * places[j]!;
      }
      values[i] = w | 0;
    }
    fingerprintInts(values, out);
  };
}

/**
 * The parts of a packed layout as vectorFingerprint hashes it: runs of consecutive finite
 * slots packed into 32-bit words by mixed radix (as many as fit in a word), and unbounded slots.
 */
function partsOf(sizes: readonly number[]): Part[] {
  const parts: Part[] = [];
  let word: number[] | null = null;
  let product = 1;
  sizes.forEach((size, slot) => {
    if (!(size <= WORD)) {
      if (size !== Infinity && !(Number.isSafeInteger(size) && size > 0)) throw new Error(`internal error: slot size ${size}`);
      parts.push({ k: 'int', slot });
      word = null;
      return;
    }
    if (!(Number.isSafeInteger(size) && size > 0)) throw new Error(`internal error: slot size ${size}`);
    if (word === null || product * size > WORD) {
      word = [];
      product = 1;
      parts.push({ k: 'word', slots: word });
    }
    word.push(slot);
    product *= size;
  });
  return parts;
}

/** Whether the layout's fingerprint is an exact key: every slot finite, at most two words. */
function isExact(parts: readonly Part[]): boolean {
  return parts.every((p) => p.k === 'word') && parts.length <= 2;
}

/**
 * A fingerprint function for the vectors of one packed layout, where `sizes[i]` is the number
 * of codes slot i holds (0 .. sizes[i] − 1), or Infinity for a slot holding any safe integer.
 *
 * The finite slots are first packed, in order, into 32-bit words by mixed radix (as many
 * consecutive slots as fit in a word), so a state is hashed a word at a time rather than a
 * slot at a time. When every slot is finite and the words are at most two, the fingerprint is
 * the words themselves, put through a bijective 64-bit mix: an exact key, two different states
 * never share it. Otherwise the words (and the unbounded slots, as fingerprintInts takes them)
 * go through the two lanes of fingerprintInts, with the number of words folded in: a 64-bit
 * fingerprint with the same odds as fingerprintInts'.
 *
 * A slot holding a value outside its size (never emitted by the packed engine, whose stores
 * are range-checked) is an internal error rather than a silent collision.
 *
 * The function is generated (`new Function`) with the sizes as literals: integers only, from
 * the layout, never from spec text. A layout of more than `straightLineSlots` slots gets loops
 * over its runs of words (runFingerprint) if their bodies hold at most `loopSlots` slots, and
 * the loop over tables (loopFingerprint) otherwise; all three give the same fingerprints.
 */
export function vectorFingerprint(sizes: readonly number[], straightLineSlots = STRAIGHT_LINE_SLOTS, loopSlots = STRAIGHT_LINE_SLOTS): (vec: ArrayLike<number>, out: Uint32Array) => void {
  const parts = partsOf(sizes);
  const exact = isExact(parts);
  if (!exact && sizes.length > straightLineSlots) return runFingerprint(sizes, parts, loopSlots, false) ?? loopFingerprint(sizes, parts);
  const body: string[] = [];
  // A slot outside its size: the out-of-line function reports it.
  const words: string[] = [];
  for (const part of parts) {
    if (part.k !== 'word') continue;
    const w = `w${words.length}`;
    // The mixed-radix word as a sum of independent products, added pairwise: a chain of
    // multiply-adds, slot after slot, would make every slot wait for the one before.
    const terms: string[] = [];
    let place = 1;
    for (let j = part.slots.length - 1; j >= 0; j--) {
      const slot = part.slots[j]!;
      terms.unshift(place === 1 ? `x${slot}` : `x${slot} * ${place}`);
      place *= sizes[slot]!;
    }
    for (const slot of part.slots) {
      const size = sizes[slot]!;
      body.push(`const x${slot} = v[${slot}];`, `if (!(x${slot} >= 0 && x${slot} < ${size})) bad(${slot}, x${slot}, ${size});`);
    }
    body.push(`const ${w} = ${pairwiseSum(terms)};`);
    words.push(w);
  }
  if (exact) {
    // (a, b) → (hi, lo): l1 = (a ^ s1)·K1, hi = (b ^ s2)·K2 ^ (l1 >>> 15), lo = l1 ^ hi·K3 (odd
    // multipliers, mod 2^32): each step invertible, so distinct vectors get distinct
    // fingerprints, and the high bits of lo (which pick a parallel explorer's shard) depend
    // on every bit of both words. The seen sets mix keys again for their tables.
    const a = words[0] ?? '0';
    const b = words[1] ?? '0';
    body.push(
      `const l1 = Math.imul(${a} ^ ${SEED_LO}, ${P1});`,
      `const h = Math.imul(${b} ^ ${SEED_HI}, ${P2}) ^ (l1 >>> 15);`,
      'out[0] = h;',
      `out[1] = l1 ^ Math.imul(h, ${P3});`,
    );
  } else {
    body.push(`let hi = ${SEED_HI};`, `let lo = ${SEED_LO};`);
    let n = 0;
    for (const part of parts) {
      if (part.k === 'word') {
        const w = words[n++]!;
        body.push(`hi = mh(hi, ${w} | 0);`, `lo = ml(lo, ${w} | 0);`);
      } else {
        body.push(...mixIntCode(`v[${part.slot}]`));
      }
    }
    body.push(`out[0] = fh(hi, ${parts.length}) >>> 0;`, `out[1] = fl(lo, ${parts.length}) >>> 0;`);
  }
  return generated(body);
}

/** The sum of the terms as JavaScript, added pairwise (independent additions, not a chain). */
function pairwiseSum(terms: readonly string[]): string {
  return terms.length === 1 ? terms[0]! : `(${pairwiseSum(terms.slice(0, terms.length >> 1))} + ${pairwiseSum(terms.slice(terms.length >> 1))})`;
}

/** Generated code mixing the unbounded slot read by `read` into both lanes, its high part too beyond 32 bits. */
function mixIntCode(read: string): string[] {
  return [`{ const x = ${read}; hi = mh(hi, x); lo = ml(lo, x);`, 'if ((x | 0) !== x) { const h = Math.floor(x / 4294967296); hi = mh(hi, h); lo = ml(lo, h); } }'];
}

function badSlot(slot: number, x: number, size: number): never {
  throw new Error(`internal error: slot ${slot} of a packed state holds ${x}, outside its ${size} codes`);
}

/** A fingerprint function with `body` (generated code over v and out; see vectorFingerprint). */
function generated(body: readonly string[]): (vec: ArrayLike<number>, out: Uint32Array) => void {
  // eslint-disable-next-line @typescript-eslint/no-implied-eval
  return new Function('mh', 'ml', 'fh', 'fl', 'bad', 'wh', 'wl', 'ih', 'il', `"use strict";\nreturn function fingerprintVector(v, out) {\n${body.join('\n')}\n};`)(
    mixHi,
    mixLo,
    finHi,
    finLo,
    badSlot,
    partHi,
    partLo,
    intPartHi,
    intPartLo,
  ) as (vec: ArrayLike<number>, out: Uint32Array) => void;
}

/**
 * vectorFingerprint's function for a wide layout that repeats itself (a map over a type of
 * thousands of values, a process of thousands of instances), as generated code with a loop per
 * run of words of the same sizes (and per run of unbounded slots): the same words in the same
 * order as the straight-line code, so the same fingerprints, at a fraction of loopFingerprint's
 * time (its tables cost three loads a slot: 2.8 ns a slot against 0.86 on 26,685 slots of
 * sizes 4 and 3, arrays of small integers). Null when the loops' bodies would hold more than `maxSlots` slots in all:
 * a layout that does not repeat, for loopFingerprint. With `sum`, stepFingerprint's full
 * function instead: the same parts in the same order, added up rather than chained.
 */
function runFingerprint(
  sizes: readonly number[],
  parts: readonly Part[],
  maxSlots: number,
  sum: boolean,
): ((vec: ArrayLike<number>, out: Uint32Array) => void) | null {
  // Runs: `count` words of the slot sizes `shape` each, the first at slot `from`; `count`
  // unbounded slots from `from` (shape null). A word's slots follow one another.
  type Run = { from: number; count: number; shape: number[] | null };
  const runs: Run[] = [];
  let unrolled = 0;
  for (const part of parts) {
    const last = runs[runs.length - 1];
    if (part.k === 'int') {
      if (last !== undefined && last.shape === null && last.from + last.count === part.slot) last.count++;
      else {
        runs.push({ from: part.slot, count: 1, shape: null });
        unrolled++;
      }
      continue;
    }
    const shape = part.slots.map((slot) => sizes[slot]!);
    const first = part.slots[0]!;
    if (last?.shape != null && last.from + last.count * last.shape.length === first && last.shape.length === shape.length && last.shape.every((n, j) => n === shape[j])) {
      last.count++;
      continue;
    }
    runs.push({ from: first, count: 1, shape });
    unrolled += shape.length;
    if (unrolled > maxSlots) return null;
  }
  if (unrolled > maxSlots) return null;
  // Summed (stepFingerprint): each part's hash, of its index and its word, added to the lanes.
  const body: string[] = sum ? ['let hi = 0;', 'let lo = 0;', 'let p = 0;'] : [`let hi = ${SEED_HI};`, `let lo = ${SEED_LO};`];
  for (const run of runs) {
    const end = run.from + run.count * (run.shape?.length ?? 1);
    const loop = run.count > 1;
    const b = loop ? 'b' : String(run.from);
    const at = (j: number): string => (loop ? (j === 0 ? 'v[b]' : `v[b + ${j}]`) : `v[${run.from + j}]`);
    if (loop) body.push(`for (let b = ${run.from}; b < ${end}; b += ${run.shape?.length ?? 1}) {`);
    if (run.shape === null) {
      body.push(...(sum ? [`{ const x = ${at(0)}; hi = (hi + ih(p, x)) | 0; lo = (lo + il(p, x)) | 0; p++; }`] : mixIntCode(at(0))));
    } else {
      const shape = run.shape;
      const terms: string[] = [];
      let place = 1;
      for (let j = shape.length - 1; j >= 0; j--) {
        terms.unshift(place === 1 ? `x${j}` : `x${j} * ${place}`);
        place *= shape[j]!;
      }
      body.push('{');
      shape.forEach((size, j) => body.push(`const x${j} = ${at(j)};`, `if (!(x${j} >= 0 && x${j} < ${size})) bad(${j === 0 ? b : `${b} + ${j}`}, x${j}, ${size});`));
      body.push(`const w = ${pairwiseSum(terms)} | 0;`, sum ? 'hi = (hi + wh(p, w)) | 0; lo = (lo + wl(p, w)) | 0; p++;' : 'hi = mh(hi, w); lo = ml(lo, w);', '}');
    }
    if (loop) body.push('}');
  }
  if (sum) body.push('out[0] = hi >>> 0;', 'out[1] = lo >>> 0;');
  else body.push(`out[0] = fh(hi, ${parts.length}) >>> 0;`, `out[1] = fl(lo, ${parts.length}) >>> 0;`);
  return generated(body);
}

// --- summed fingerprints of wide packed layouts ----------------------------------------------

/** The high lane's hash of part `p` of a packed state holding the word `w`: bijective in w for a given p. */
function partHi(p: number, w: number): number {
  return finHi(mixHi((SEED_HI + imul(p, P1)) | 0, w), 0);
}

/** The low lane's hash of part `p` holding `w`, with the other lane's mixers: bijective in w too. */
function partLo(p: number, w: number): number {
  return finLo(mixLo(SEED_LO ^ imul(p, P2), w), 0);
}

/** partHi of an unbounded slot's integer, its part beyond 32 bits mixed in when it has one. */
function intPartHi(p: number, x: number): number {
  const low = x | 0;
  return low === x ? partHi(p, x) : (partHi(p, low) + finHi(mixHi(SEED_LO, Math.floor(x / 4294967296)), p)) | 0;
}

/** partLo of an unbounded slot's integer (see intPartHi). */
function intPartLo(p: number, x: number): number {
  const low = x | 0;
  return low === x ? partLo(p, x) : (partLo(p, low) + finLo(mixLo(SEED_HI, Math.floor(x / 4294967296)), p)) | 0;
}

/**
 * The fingerprint of a wide packed layout as a sum, so that a step's successor can be
 * fingerprinted from its parent's fingerprint and the parts the step wrote, in time
 * proportional to them rather than to the state's width (26,685 slots a state: 13 µs a
 * fingerprint in full, where a step writes a few slots).
 *
 * The parts are vectorFingerprint's (finite slots packed into 32-bit words, unbounded slots);
 * each lane is the sum, modulo 2^32, of a hash of each part's index and value (partHi,
 * partLo: murmur3's and xxHash32's mixers as in the rest of this file, each a bijection of
 * the value for a given index). So two states that differ in one part never share either
 * lane, and states that differ in more share both with the odds of two independent 32-bit
 * sums. Not the same function as vectorFingerprint's: a layout uses one or the other for all
 * its states (the packed engine, in every thread, from the layout's width).
 */
export interface StepFingerprint {
  /** The fingerprint of a whole state. */
  readonly full: (vec: ArrayLike<number>, out: Uint32Array) => void;
  /**
   * The fingerprint of `vec`, which differs from the state at `parent[base]` onwards (whose
   * fingerprint is `hi`, `lo`) in no slot other than `dirty[0]` to `dirty[n − 1]` (in any
   * order, repeated or not, written back to what it was or not).
   */
  readonly step: (vec: ArrayLike<number>, parent: ArrayLike<number>, base: number, dirty: Int32Array, n: number, hi: number, lo: number, out: Uint32Array) => void;
}

/**
 * A StepFingerprint for the layout of `sizes` (see vectorFingerprint for what sizes are). Its
 * full function is generated code with a loop per run of words of the same sizes
 * (runFingerprint), or a loop over tables when those would hold more than `loopSlots` slots.
 */
export function stepFingerprint(sizes: readonly number[], loopSlots = STRAIGHT_LINE_SLOTS): StepFingerprint {
  const parts = partsOf(sizes);
  const width = sizes.length;
  // Per part its first slot and its number of slots (0 for an unbounded one); per slot its
  // part, its place value in its word and its size.
  const first = new Int32Array(parts.length);
  const count = new Int32Array(parts.length);
  const partOf = new Int32Array(width);
  const place = new Float64Array(width);
  const size = new Float64Array(width);
  parts.forEach((part, i) => {
    if (part.k === 'int') {
      first[i] = part.slot;
      partOf[part.slot] = i;
      return;
    }
    first[i] = part.slots[0]!;
    count[i] = part.slots.length;
    let pv = 1;
    for (let j = part.slots.length - 1; j >= 0; j--) {
      const slot = part.slots[j]!;
      partOf[slot] = i;
      place[slot] = pv;
      size[slot] = sizes[slot]!;
      pv *= sizes[slot]!;
    }
  });
  /**
   * The value of part p of the state at v[base] onwards: an unbounded slot's integer, or the
   * word of its slots (each range-checked), as runFingerprint's code reads it.
   */
  const partValue = (v: ArrayLike<number>, base: number, p: number): number => {
    const from = first[p]!;
    const c = count[p]!;
    if (c === 0) return v[base + from]!;
    let w = 0;
    for (let j = from; j < from + c; j++) {
      const x = v[base + j]!;
      if (!(x >= 0 && x < size[j]!)) badSlot(j, x, size[j]!);
      w += x * place[j]!;
    }
    return w | 0;
  };
  const laneHi = (p: number, x: number): number => (count[p] === 0 ? intPartHi(p, x) : partHi(p, x));
  const laneLo = (p: number, x: number): number => (count[p] === 0 ? intPartLo(p, x) : partLo(p, x));
  // A layout that does not repeat: a loop over the parts.
  const full =
    runFingerprint(sizes, parts, loopSlots, true) ??
    function fingerprintVector(v: ArrayLike<number>, out: Uint32Array): void {
      let hi = 0;
      let lo = 0;
      for (let p = 0; p < parts.length; p++) {
        const x = partValue(v, 0, p);
        hi = (hi + laneHi(p, x)) | 0;
        lo = (lo + laneLo(p, x)) | 0;
      }
      out[0] = hi >>> 0;
      out[1] = lo >>> 0;
    };
  // The parts already counted in a step: stamped with the step's number.
  const stamps = new Int32Array(parts.length);
  let stamp = 0;
  const step = (vec: ArrayLike<number>, parent: ArrayLike<number>, base: number, dirty: Int32Array, n: number, hi: number, lo: number, out: Uint32Array): void => {
    if (++stamp === 0x7fffffff) {
      stamps.fill(0);
      stamp = 1;
    }
    for (let k = 0; k < n; k++) {
      const p = partOf[dirty[k]!]!;
      if (stamps[p] === stamp) continue;
      stamps[p] = stamp;
      const x = partValue(vec, 0, p);
      const y = partValue(parent, base, p);
      if (x === y) continue;
      hi = (hi + laneHi(p, x) - laneHi(p, y)) | 0;
      lo = (lo + laneLo(p, x) - laneLo(p, y)) | 0;
    }
    out[0] = hi >>> 0;
    out[1] = lo >>> 0;
  };
  return { full, step };
}
