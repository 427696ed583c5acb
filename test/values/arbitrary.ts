/**
 * fast-check generators of spec values, for property tests here and elsewhere.
 *
 * Values are generated from a random *type*, so collections are homogeneous as in real specs
 * and two values of one type are often close to each other (or equal), which is where
 * fingerprints, orders and printers have to work hardest. Depth and collection sizes are small.
 * Atom names, variant tags and record field names are distinct across the fixed types so that
 * printed values are unambiguous even when different types are mixed.
 */
import fc from 'fast-check';
import {
  Atom,
  IList,
  IMap,
  ISet,
  NONE,
  Rec,
  Tuple,
  Variant,
  mkMap,
  mkSeq,
  mkSet,
  some,
  type Value,
} from '../../src/values/index.js';

export interface EnumDef {
  readonly name: string;
  readonly atoms: readonly Atom[];
}

function mkEnum(name: string, names: readonly string[]): EnumDef {
  return { name, atoms: names.map((n, i) => new Atom(name, n, i)) };
}

export const CPU = mkEnum('Cpu', ['C', 'D', 'E']);
export const MODE = mkEnum('Mode', ['Online', 'Offline', 'Dying']);
export const RES = mkEnum('Res', ['R', 'P']);
export const ENUMS: readonly EnumDef[] = [CPU, MODE, RES];

/** Shared field arrays, as the evaluator shares one per record type. */
export const SHAPES: readonly (readonly string[])[] = [['res', 'css'], ['lru', 'cur', 'n'], ['only']];

export type VType =
  | { readonly k: 'int' }
  | { readonly k: 'bool' }
  | { readonly k: 'enum'; readonly e: EnumDef }
  | { readonly k: 'tuple'; readonly items: readonly VType[] }
  | { readonly k: 'rec'; readonly fields: readonly string[]; readonly types: readonly VType[] }
  /** Option[T]: None | Some(T). */
  | { readonly k: 'option'; readonly of: VType }
  /** Free | Lru(Cpu) | Busy(T). */
  | { readonly k: 'slot'; readonly of: VType }
  | { readonly k: 'set'; readonly of: VType }
  | { readonly k: 'map'; readonly key: VType; readonly val: VType }
  | { readonly k: 'seq'; readonly of: VType };

const leafType: fc.Arbitrary<VType> = fc.oneof(
  fc.constant<VType>({ k: 'int' }),
  fc.constant<VType>({ k: 'bool' }),
  fc.constantFrom(...ENUMS).map((e): VType => ({ k: 'enum', e })),
);

function typeOfDepth(depth: number): fc.Arbitrary<VType> {
  if (depth === 0) return leafType;
  const sub = typeOfDepth(depth - 1);
  return fc.oneof(
    { weight: 3, arbitrary: leafType },
    { weight: 1, arbitrary: fc.array(sub, { minLength: 1, maxLength: 3 }).map((items): VType => ({ k: 'tuple', items })) },
    {
      weight: 1,
      arbitrary: fc
        .constantFrom(...SHAPES)
        .chain((fields) => fc.array(sub, { minLength: fields.length, maxLength: fields.length }).map((types): VType => ({ k: 'rec', fields, types }))),
    },
    { weight: 1, arbitrary: sub.map((of): VType => ({ k: 'option', of })) },
    { weight: 1, arbitrary: sub.map((of): VType => ({ k: 'slot', of })) },
    { weight: 2, arbitrary: sub.map((of): VType => ({ k: 'set', of })) },
    { weight: 2, arbitrary: fc.tuple(sub, sub).map(([key, val]): VType => ({ k: 'map', key, val })) },
    { weight: 1, arbitrary: sub.map((of): VType => ({ k: 'seq', of })) },
  );
}

/** Types nested at most three levels deep. */
export const arbType: fc.Arbitrary<VType> = typeOfDepth(3);

const arbInt: fc.Arbitrary<number> = fc.oneof(
  { weight: 6, arbitrary: fc.integer({ min: -3, max: 3 }) },
  { weight: 1, arbitrary: fc.integer() },
  { weight: 1, arbitrary: fc.integer({ min: Number.MIN_SAFE_INTEGER, max: Number.MAX_SAFE_INTEGER }) },
);

/** Values of type `t`. Atoms are usually the interned instance and sometimes a fresh copy. */
export function arbValueOf(t: VType): fc.Arbitrary<Value> {
  switch (t.k) {
    case 'int':
      return arbInt;
    case 'bool':
      return fc.boolean();
    case 'enum': {
      const atoms = t.e.atoms;
      return fc
        .tuple(fc.nat(atoms.length - 1), fc.integer({ min: 0, max: 3 }))
        .map(([i, fresh]) => (fresh === 0 ? new Atom(atoms[i].enumName, atoms[i].name, atoms[i].index) : atoms[i]));
    }
    case 'tuple':
      return fc.tuple(...t.items.map(arbValueOf)).map((items) => new Tuple(items));
    case 'rec':
      return fc.tuple(...t.types.map(arbValueOf)).map((values) => new Rec(t.fields, values));
    case 'option':
      return fc.oneof(fc.constant<Value>(NONE), arbValueOf(t.of).map(some));
    case 'slot':
      return fc.oneof(
        fc.constant<Value>(new Variant('Free', 0)),
        fc.constantFrom(...CPU.atoms).map((c): Value => new Variant('Lru', 1, c)),
        arbValueOf(t.of).map((x): Value => new Variant('Busy', 2, x)),
      );
    case 'set':
      return fc.array(arbValueOf(t.of), { maxLength: 4 }).map(mkSet);
    case 'map':
      return fc.array(fc.tuple(arbValueOf(t.key), arbValueOf(t.val)), { maxLength: 4 }).map(mkMap);
    case 'seq':
      return fc.array(arbValueOf(t.of), { maxLength: 3 }).map(mkSeq);
  }
}

/** Any value, of a random type. */
export const arbValue: fc.Arbitrary<Value> = arbType.chain(arbValueOf);

/** Two values of one random type: often close, sometimes equal. */
export const arbSameTypePair: fc.Arbitrary<[Value, Value]> = arbType.chain((t) => fc.tuple(arbValueOf(t), arbValueOf(t)));

/** Three values of one random type. */
export const arbSameTypeTriple: fc.Arbitrary<[Value, Value, Value]> = arbType.chain((t) =>
  fc.tuple(arbValueOf(t), arbValueOf(t), arbValueOf(t)),
);

// --- rebuilding a value along a different history ------------------------------------------

/** A small deterministic PRNG (mulberry32), so rebuilt values are reproducible from a seed. */
export function prng(seed: number): () => number {
  let s = seed | 0;
  return () => {
    s = (s + 0x6d2b79f5) | 0;
    let t = Math.imul(s ^ (s >>> 15), 1 | s);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function shuffled<T>(xs: readonly T[], rand: () => number): T[] {
  const a = xs.slice();
  for (let i = a.length - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    [a[i], a[j]] = [a[j], a[i]];
  }
  return a;
}

const JUNK: readonly Value[] = [new Atom('Junk', 'J0', 0), new Atom('Junk', 'J1', 1), 123456789, 987654321];

/**
 * A structurally equal copy of `v` built along a different history: every collection is
 * rebuilt from a shuffled insertion order, with junk elements/keys inserted and removed again
 * and map values first set to junk and then overwritten; every tuple, record and variant is a
 * fresh object (with a fresh field array), and atoms are fresh copies. Nothing is shared with
 * `v`, so no per-object cache can help.
 */
export function rebuild(v: Value, seed: number): Value {
  return rebuildWith(v, prng(seed));
}

function rebuildWith(v: Value, rand: () => number): Value {
  if (typeof v === 'number' || typeof v === 'boolean') return v;
  if (v instanceof Atom) return new Atom(v.enumName, v.name, v.index);
  if (v instanceof Tuple) return new Tuple(v.items.map((x) => rebuildWith(x, rand)));
  if (v instanceof Rec) return new Rec(v.fields.slice(), v.values.map((x) => rebuildWith(x, rand)));
  if (v instanceof Variant) {
    return new Variant(v.tag, v.tagIndex, v.value === undefined ? undefined : rebuildWith(v.value, rand));
  }
  if (ISet.isSet(v)) {
    const elems = shuffled(v.toArray(), rand).map((x) => rebuildWith(x, rand));
    const junk = JUNK.filter((j) => !v.has(j));
    return ISet<Value>().withMutations((s) => {
      for (const x of shuffled([...elems, ...junk], rand)) s.add(x);
      for (const j of junk) s.delete(j);
    });
  }
  if (IMap.isMap(v)) {
    const entries = shuffled([...v.entries()], rand).map(([k, x]): [Value, Value] => [rebuildWith(k, rand), rebuildWith(x, rand)]);
    let m = IMap<Value, Value>();
    for (const [k] of entries) m = m.set(k, JUNK[0]);
    for (const j of JUNK) if (!v.has(j)) m = m.set(j, j);
    for (const [k, x] of shuffled(entries, rand)) m = m.set(k, x);
    for (const j of JUNK) if (!v.has(j)) m = m.delete(j);
    return m;
  }
  if (IList.isList(v)) {
    // A list has one order, but it can still come from a different sequence of operations.
    const items = v.toArray().map((x) => rebuildWith(x, rand));
    return IList<Value>([JUNK[0]]).concat(items).shift();
  }
  throw new Error('not a value');
}
