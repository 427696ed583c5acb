/**
 * Symmetry reduction (docs/symmetry.md): the canonical form of a state under the permutations
 * of the symmetric sets a configuration declares, and the transition system whose fingerprint
 * is the fingerprint of that canonical form, so that the seen set holds one state per orbit.
 *
 * The group is the product of the permutation groups of the symmetric sets (TLC's
 * Permutations(A) \union Permutations(B)). The canonical form is the least image of the state,
 * in the canonical order of values (values/order.ts) slot by slot, over the permutations that
 * sort the symmetric values by what the state says of each (refinement, below): for most
 * states a handful, where TLC tries the whole group. Permutations act through the slots'
 * declared types: an enum's members and a range type's integers move only where a slot's type
 * says they stand, so a counter of type Int is never mistaken for a page. Everything else the
 * explorer sees is the system's own: it expands and records the states as they were emitted
 * (the first of each orbit met), so traces rebuilt by replay are behaviours of the spec.
 * Nothing here runs for a configuration without symmetry.
 */
import type * as A from './ast.js';
import type { CheckedCheck, CheckedSpec, CheckedSymmetry } from './check.js';
import type { CompiledSpec, State } from './compile.js';
import type { ProcessBlock } from './compile/base.js';
import { Diagnostic, MAX_ENUMERATION, SpecErrors } from './diagnostics.js';
import { formatCount, rangeTooLarge } from './compile/enumerate.js';
import type { Type } from './types.js';
import {
  Atom, IList, IMap, ISet, Rec, Tuple, Variant, compareValues, fingerprintValues, mkMap, mkSet, sortedElements,
  sortedEntries, type Value,
} from '../values/index.js';
import { groupDigits } from '../values/format.js';

/** The symmetric sets in force for a configuration: the check's own, else the spec's. */
export function symmetryOf(spec: CheckedSpec, check: CheckedCheck | undefined): readonly CheckedSymmetry[] {
  return check?.symmetry ?? spec.symmetry ?? [];
}

/** The most permutations spex tries per state; a larger group is refused (E240) before the search. */
export const MAX_GROUP = 40320;
/** The most entries of the permutations' tables (permutations × values of the symmetric types); more is E240. */
const MAX_SYMMETRY_TABLES = 10_000_000;

/** One permutation of the group: per symmetric set, where each of its values goes. */
interface Perm {
  /** Per symmetric set: atom index → atom (enum sets), or undefined. */
  readonly atoms: (readonly Atom[] | undefined)[];
  /** Per symmetric set: value - lo → value (range sets), or undefined. */
  readonly ints: (readonly number[] | undefined)[];
  /** Per symmetric set: position j in canonical order → the value the permutation sends there. */
  readonly from: (readonly Value[])[];
  /** The same as positions: from[k][j] is all[k][fromIndex[k][j]]. */
  readonly fromIndex: (readonly number[])[];
}

/**
 * Compares the image of `v` under a permutation with `b` (an image already built), as
 * compareValues(image, b) would, building no more of the image than it must.
 */
type ImageCompare = (v: Value, p: Perm, b: Value) => number;

/** A compiled action of a permutation on the values of one type; null for a type it leaves alone. */
type Permuter = ((v: Value, p: Perm) => Value) | null;

/** The canonical form of states under a configuration's symmetry group. */
export interface Canonicaliser {
  /** The symmetric sets, as written, with their sizes: `Page (3 values)`. */
  readonly description: string;
  /** How many permutations the group has (the identity included). */
  readonly groupSize: number;
  /** The least image of `state` over the group (the state itself when it is the least). */
  canonical(state: State): State;
  /** The image of `state` under permutation number k (0 ≤ k < groupSize; 0 is the identity). */
  permute(state: State, k: number): State;
  /** How many permutations `canonical` tries for `state` (refinement, below). */
  tries(state: State): number;
  /** The states `canonical` has been asked for, and the permutations it tried for them in all. */
  readonly counts: { states: number; tried: number };
}

/**
 * Builds the canonicaliser of a configuration's symmetric sets over a compiled system (its
 * slot types, interned atoms and constant values). Throws SpecErrors (E240) for a constant
 * set target whose value is not a set, or a group larger than MAX_GROUP. A worker thread's
 * canonicaliser counts its states and tries into `shared` (two words, in memory shared with
 * the main thread) instead of `counts`.
 */
export function compileSymmetry(syms: readonly CheckedSymmetry[], system: CompiledSpec, spec: CheckedSpec, shared?: BigInt64Array): Canonicaliser {
  // The values each symmetric set permutes, and the range of its type (for range sets).
  const sets = syms.map((s) => {
    const t = s.type;
    let all: Value[];
    let lo = 0;
    if (t.k === 'enum') {
      all = t.info.members.map((_, i) => system.valueTables.atom(t.info, i));
    } else if (t.k === 'int' && t.range) {
      lo = Number(constValue(system, t.range.lo, spec));
      const hi = Number(constValue(system, t.range.hi, spec));
      const n = Math.max(0, hi - lo + 1);
      // Sized before it is enumerated: a whole range of more than a few values is a group too
      // large (E240, below), and a range past the enumeration limit is refused as any type
      // used as a set is (E221); `type Page = -2^53..3` once ran out of memory here.
      const group = factorial(n);
      if (s.constIndex === undefined && group > MAX_GROUP) throw groupTooLarge(syms, group);
      if (n > MAX_ENUMERATION) {
        throw new SpecErrors([new Diagnostic('E221', s.name.span, rangeTooLarge(lo, hi, s.name.text), 'declare a smaller range symmetric, or lower the constants that size it')]);
      }
      all = [];
      for (let v = lo; v <= hi; v++) all.push(v);
    } else {
      throw new Error('internal error: a symmetric set of neither an enum nor a range type');
    }
    let moved = all;
    if (s.constIndex !== undefined) {
      const v = system.constValues[s.constIndex]!.value;
      if (!ISet.isSet(v)) throw new Error('internal error: a symmetric constant that is not a set');
      moved = all.filter((x) => (v as ISet<Value>).has(x));
    }
    return { sym: s, all, moved, lo, size: all.length };
  });
  let groupSize = 1;
  for (const s of sets) groupSize *= factorial(s.moved.length);
  if (groupSize > MAX_GROUP) throw groupTooLarge(syms, groupSize);
  // Each permutation is tables over every value of the symmetric types (a constant set's type
  // included): their size is bounded as an enumeration is.
  const values = sets.reduce((a, s) => a + s.size, 0);
  if (groupSize * values > MAX_SYMMETRY_TABLES) {
    throw new SpecErrors([new Diagnostic('E240', syms[0]!.name.span, `the symmetry's ${groupDigits(groupSize)} permutations of ${formatCount(values)} values take tables of ${formatCount(groupSize * values)} entries, more than spex builds (${formatCount(MAX_SYMMETRY_TABLES)})`, 'declare a constant set of fewer values symmetric, or give it a smaller type')]);
  }
  // Where each value is in its set's list of values.
  const positions = sets.map((s) => new Map<Value, number>(s.all.map((v, j) => [v, j])));

  // Every permutation of the group: the product of each set's permutations, the identity first.
  const perSet = sets.map((s) => permutations(s.moved.length));
  const perms: Perm[] = [];
  const pick = (k: number, chosen: number[][]): void => {
    if (k === sets.length) {
      perms.push(buildPerm(chosen));
      return;
    }
    for (const p of perSet[k]!) pick(k + 1, [...chosen, p]);
  };
  const buildPerm = (chosen: number[][]): Perm => {
    const atoms: (Atom[] | undefined)[] = [];
    const ints: (number[] | undefined)[] = [];
    const from: Value[][] = [];
    const fromIndex: number[][] = [];
    sets.forEach((s, i) => {
      // Each value goes where the permutation sends it; values outside the set stay put.
      const at = positions[i]!;
      const to = s.all.slice();
      const p = chosen[i]!;
      s.moved.forEach((v, j) => {
        to[at.get(v)!] = s.moved[p[j]!]!;
      });
      const inv = s.all.slice();
      s.all.forEach((v, j) => {
        inv[at.get(to[j]!)!] = v;
      });
      from.push(inv);
      fromIndex.push(inv.map((v) => at.get(v)!));
      if (s.sym.type.k === 'enum') {
        atoms.push(to as Atom[]);
        ints.push(undefined);
      } else {
        atoms.push(undefined);
        ints.push(to as number[]);
      }
    });
    return { atoms, ints, from, fromIndex };
  };
  pick(0, []);

  const permuters = new Map<Type, Permuter>();
  const permuterOf = (t: Type): Permuter => {
    if (permuters.has(t)) return permuters.get(t)!;
    permuters.set(t, null); // types are not recursive; this only guards against repeated work
    const p = makePermuter(t, sets.map((s) => ({ type: s.sym.type, lo: s.lo, size: s.size })), permuterOf);
    permuters.set(t, p);
    return p;
  };
  const view = instanceView(system, sets);
  const slots = view.types.map((t) => permuterOf(t));
  const n = slots.length;
  const symTypes = sets.map((s) => ({ type: s.sym.type, lo: s.lo, size: s.size, all: s.all }));
  const compares = view.types.map((t, i) => (slots[i] === null ? null : imageCompare(t, symTypes, permuterOf)));

  const permuteView = (state: State, k: number): State => {
    const p = perms[k]!;
    const out = new Array<Value>(n);
    for (let i = 0; i < n; i++) {
      const f = slots[i]!;
      out[i] = f === null ? state[i]! : f(state[i]!, p);
    }
    return out;
  };

  const refine = refinement(view.types, sets, perSet, perms, compares);

  const counts = { states: 0, tried: 0 };
  const canonicalView = (state: State): State => {
    const tried = refine(state);
    if (shared === undefined) {
      counts.states++;
      counts.tried += tried.length;
    } else {
      Atomics.add(shared, 0, 1n);
      Atomics.add(shared, 1, BigInt(tried.length));
    }
    // The first candidate's image is the best so far; the identity's is the state itself.
    const k0 = tried[0]!;
    let best: State = k0 === 0 ? state : permuteView(state, k0);
    for (let t = 1; t < tried.length; t++) {
      const p = perms[tried[t]!]!;
      // Compare the image with the best so far slot by slot, building it only as far as needed.
      let cmp = 0;
      let i = 0;
      for (; i < n; i++) {
        const c = compares[i]!;
        if (c === null) continue; // the same in every image
        cmp = c(state[i]!, p, best[i]!);
        if (cmp !== 0) break;
      }
      if (cmp < 0) {
        // Slots before i have images equal to the best's: share them.
        const next = new Array<Value>(n);
        for (let j = 0; j < n; j++) {
          const f = slots[j]!;
          next[j] = f === null ? state[j]! : j < i ? best[j]! : f(state[j]!, p);
        }
        best = next;
      }
    }
    return best;
  };

  const description = sets.map((s) => `${s.sym.name.text} (${s.moved.length} value${s.moved.length === 1 ? '' : 's'})`).join(', ');
  return {
    description,
    groupSize,
    canonical: (state) => view.fromView(canonicalView(view.toView(state))),
    permute: (state, k) => view.fromView(permuteView(view.toView(state), k)),
    tries: (state) => refine(view.toView(state)).length,
    counts,
  };
}

/**
 * The states as the canonical form sees them. The blocks of slots of a process's instances
 * (pc, variables, call stack) stand in the state in the order of the instances' parameter
 * values; when those values are symmetric, a permutation moves each instance's block to the
 * instance of the value it sends the parameter to, its contents permuted as values. So the
 * instances of such a process are gathered into one slot, a map from the parameter's value to
 * the tuple of its block's slots, which the permutations act on as on any map keyed by
 * symmetric values; the other slots stay as they are. The identity when no process has such
 * instances.
 *
 * Only the instances of a process whose values the group maps onto themselves can move: a
 * process with instances for some of a symmetric set's values but not all of them would have a
 * permutation send an instance to a value that has none, and is E240.
 */
function instanceView(system: CompiledSpec, sets: readonly { sym: CheckedSymmetry; moved: readonly Value[] }[]): {
  readonly types: readonly Type[];
  toView(state: State): State;
  fromView(view: State): State;
} {
  const byProcess = new Map<string, ProcessBlock[]>();
  for (const b of system.processBlocks) {
    if (b.param === undefined || !sets.some((s) => isSymType(s.sym.type, b.param!))) continue;
    const list = byProcess.get(b.process) ?? [];
    list.push(b);
    byProcess.set(b.process, list);
  }
  const groups: ProcessBlock[][] = [];
  for (const [name, blocks] of byProcess) {
    const set = sets.find((s) => isSymType(s.sym.type, blocks[0]!.param!))!;
    const values = new Set(blocks.map((b) => b.value));
    const present = set.moved.filter((v) => values.has(v)).length;
    if (present === 0) continue; // no instance is ever moved
    if (present < set.moved.length) {
      throw new SpecErrors([
        new Diagnostic(
          'E240',
          set.sym.name.span,
          `process '${name}' has instances for ${present} of the ${set.moved.length} values ${set.sym.name.text} permutes: a permutation would send an instance to a value that has none`,
          `declare symmetric the set the instances of '${name}' range over, or give them all of ${set.sym.name.text}`,
        ),
      ]);
    }
    groups.push(blocks);
  }
  const types = system.slotTypes;
  if (groups.length === 0) return { types, toView: (s) => s, fromView: (s) => s };
  const grouped = new Set<number>();
  for (const g of groups) for (const b of g) for (let i = 0; i < b.width; i++) grouped.add(b.base + i);
  const kept = types.map((_, i) => i).filter((i) => !grouped.has(i));
  const viewTypes: Type[] = kept.map((i) => types[i]!);
  for (const g of groups) {
    const b = g[0]!;
    viewTypes.push({ k: 'map', key: b.param!, value: { k: 'tuple', items: types.slice(b.base, b.base + b.width) } });
  }
  return {
    types: viewTypes,
    toView(state) {
      const out = kept.map((i) => state[i]!);
      for (const g of groups) out.push(mkMap(g.map((b) => [b.value!, new Tuple(state.slice(b.base, b.base + b.width))])));
      return out;
    },
    fromView(view) {
      const out = new Array<Value>(types.length);
      kept.forEach((i, j) => {
        out[i] = view[j]!;
      });
      groups.forEach((g, k) => {
        const m = view[kept.length + k] as IMap<Value, Value>;
        for (const b of g) {
          const items = (m.get(b.value!) as Tuple).items;
          for (let i = 0; i < b.width; i++) out[b.base + i] = items[i]!;
        }
      });
      return out;
    },
  };
}

/**
 * The system whose fingerprints are those of the canonical forms: the explorer then stores and
 * counts one state per orbit. Every other member is the system's own (states are expanded and
 * traces replayed as emitted).
 */
export function withSymmetry(system: CompiledSpec, canon: Canonicaliser): CompiledSpec {
  return {
    ...system,
    fingerprint(state, out) {
      fingerprintValues(canon.canonical(state), out);
    },
  };
}

function constValue(system: CompiledSpec, e: A.Expr, spec: CheckedSpec): Value {
  return system.compileExpr(e, spec.constFrame)([]);
}

/** n!, Infinity past 170! (a double's range), without counting up to a huge n. */
function factorial(n: number): number {
  if (n > 170) return Infinity;
  let f = 1;
  for (let i = 2; i <= n; i++) f *= i;
  return f;
}

function groupTooLarge(syms: readonly CheckedSymmetry[], groupSize: number): SpecErrors {
  return new SpecErrors([new Diagnostic('E240', syms[0]!.name.span, `the symmetry group has ${groupDigits(groupSize)} permutations, more than spex tries per state (${groupDigits(MAX_GROUP)})`, 'declare fewer or smaller sets symmetric, or lower the constants that size them')]);
}

/** Every permutation of 0..n-1, the identity first (lexicographic order). */
function permutations(n: number): number[][] {
  const out: number[][] = [];
  const cur: number[] = [];
  const used = new Array<boolean>(n).fill(false);
  const go = (): void => {
    if (cur.length === n) {
      out.push(cur.slice());
      return;
    }
    for (let i = 0; i < n; i++) {
      if (used[i]) continue;
      used[i] = true;
      cur.push(i);
      go();
      cur.pop();
      used[i] = false;
    }
  };
  go();
  return out;
}

/** Whether `t` is the type of symmetric set `s`: its enum, or its range type. */
function isSymType(s: Type, t: Type): boolean {
  return s.k === 'enum' && t.k === 'enum' ? s.info === t.info : s.k === 'int' && t.k === 'int' && t.range !== undefined && s.range === t.range;
}

/** What a symmetric value becomes in a signature: the value itself, the set's others, an absent entry. */
const SELF = new Atom('', '*', 0);
const ABSENT = new Atom('', '-', 0);

/**
 * The permutations canonical() tries for a state, by their numbers in the group: the least image
 * over these is the canonical form. Each symmetric value gets a signature, what the state says
 * of it with the other symmetric values made anonymous (a page's LRU, the set of messages it
 * is named in, with the other pages all alike); the candidates are the permutations that put
 * each set's values in ascending order of their signatures. Values with equal signatures may
 * go in any order among themselves (each order is a candidate), unless the state is the same
 * whatever their order (every swap of two of them leaves it unchanged): then one order stands
 * for all.
 *
 * Exact: a permutation σ of the state gives each value σ(x) the signature x had, so the
 * candidates of σ(s) are those of s composed with σ⁻¹, which give the same images; the least
 * of them is the same, for every state of an orbit. The form differs from the least image over
 * the whole group, but it is one canonical form as good as another, and it is found from the
 * few permutations that sort the signatures (TwoPhase with 7 resource managers: from 5,040 to
 * a handful for most states) rather than from every permutation.
 */
function refinement(
  slotTypes: readonly Type[],
  sets: readonly { sym: CheckedSymmetry; all: readonly Value[]; moved: readonly Value[]; lo: number; size: number }[],
  perSet: readonly number[][][],
  perms: readonly Perm[],
  compares: readonly (ImageCompare | null)[],
): (state: State) => readonly number[] {
  const symOf = (t: Type): number => sets.findIndex((s) => isSymType(s.sym.type, t));
  const others = sets.map((_, k) => new Atom('', `~${k}`, 0));
  // Where each moved value stands in its set's list of moved values (-1: not moved).
  const movedAt = sets.map((s) => {
    const at = new Array<number>(s.size).fill(-1);
    s.moved.forEach((v, q) => {
      at[s.sym.type.k === 'enum' ? (v as Atom).index : (v as number) - s.lo] = q;
    });
    return at;
  });
  const posOf = (k: number, v: Value): number => {
    const s = sets[k]!;
    const i = s.sym.type.k === 'enum' ? (v as Atom).index : (v as number) - s.lo;
    return i >= 0 && i < s.size ? movedAt[k]![i]! : -1;
  };
  // A signature part: value v of type t, with moved value number `xq` of set k as SELF and every
  // other moved value as its set's anonymous one; collections become sorted lists (a multiset,
  // so that values made alike are not merged).
  type Mask = (v: Value, k: number, xq: number) => Value;
  const same: Mask = (v) => v;
  const maskOf = (t: Type): Mask => {
    const j = symOf(t);
    if (j >= 0) {
      return (v, k, xq) => {
        const q = posOf(j, v);
        return q < 0 ? v : j === k && q === xq ? SELF : others[j]!;
      };
    }
    if (!containsSym(t, sets)) return same;
    switch (t.k) {
      case 'set': {
        const e = maskOf(t.elem);
        return (v, k, xq) => IList((v as ISet<Value>).toArray().map((x) => e(x, k, xq)).sort(compareValues));
      }
      case 'seq': {
        const e = maskOf(t.elem);
        return (v, k, xq) => (v as IList<Value>).map((x) => e(x, k, xq));
      }
      case 'map': {
        const mk = maskOf(t.key);
        const mv = maskOf(t.value);
        return (v, k, xq) => {
          const entries: Value[] = [];
          (v as IMap<Value, Value>).forEach((val, key) => {
            entries.push(new Tuple([mk(key, k, xq), mv(val, k, xq)]));
          });
          return IList(entries.sort(compareValues));
        };
      }
      case 'tuple': {
        const fs = t.items.map(maskOf);
        return (v, k, xq) => new Tuple((v as Tuple).items.map((x, i) => fs[i]!(x, k, xq)));
      }
      case 'record': {
        const fs = t.types.map(maskOf);
        return (v, k, xq) => new Tuple((v as Rec).values.map((x, i) => fs[i]!(x, k, xq)));
      }
      case 'variant': {
        const fs = t.info.cases.map((c) => (c.payload === undefined ? same : maskOf(c.payload)));
        return (v, k, xq) => {
          const x = v as Variant;
          return new Tuple([x.tagIndex, x.value === undefined ? ABSENT : fs[x.tagIndex]!(x.value, k, xq)]);
        };
      }
      default:
        return same;
    }
  };
  // The moved values of set k that value v of type t holds: marks their numbers in `out`.
  type Mentions = (v: Value, k: number, out: boolean[]) => void;
  const none: Mentions = () => {};
  const mentionsOf = (t: Type): Mentions => {
    const j = symOf(t);
    if (j >= 0) {
      return (v, k, out) => {
        if (j !== k) return;
        const q = posOf(j, v);
        if (q >= 0) out[q] = true;
      };
    }
    if (!containsSym(t, sets)) return none;
    switch (t.k) {
      case 'set':
      case 'seq': {
        const e = mentionsOf(t.elem);
        return (v, k, out) => (v as ISet<Value> | IList<Value>).forEach((x) => void e(x, k, out));
      }
      case 'map': {
        const mk = mentionsOf(t.key);
        const mv = mentionsOf(t.value);
        return (v, k, out) =>
          (v as IMap<Value, Value>).forEach((val, key) => {
            mk(key, k, out);
            mv(val, k, out);
          });
      }
      case 'tuple': {
        const fs = t.items.map(mentionsOf);
        return (v, k, out) => (v as Tuple).items.forEach((x, i) => fs[i]!(x, k, out));
      }
      case 'record': {
        const fs = t.types.map(mentionsOf);
        return (v, k, out) => (v as Rec).values.forEach((x, i) => fs[i]!(x, k, out));
      }
      case 'variant': {
        const fs = t.info.cases.map((c) => (c.payload === undefined ? none : mentionsOf(c.payload)));
        return (v, k, out) => {
          const x = v as Variant;
          if (x.value !== undefined) fs[x.tagIndex]!(x.value, k, out);
        };
      }
      default:
        return none;
    }
  };
  // Per set: the signature of its moved value number q, one part per slot its type occurs in.
  // A map from the set's type to values without symmetric ones is its entry; a set of the type,
  // whether q is in it. A set or a map of other values: the elements (entries) that hold q,
  // masked, as a sorted list. The masked whole would say no more: the elements that do not
  // hold q are, masked, the whole's elements made anonymous less those that do. Each element
  // is looked at once per state, not once per value.
  type Part = (v: Value, q: number) => Value;
  const partsOf = sets.map((s, k) => {
    const parts: { slot: number; part: Part }[] = [];
    slotTypes.forEach((t, slot) => {
      if (!containsSym(t, [s])) return;
      let part: Part;
      if (t.k === 'map' && isSymType(s.sym.type, t.key) && !containsSym(t.value, sets)) {
        part = (v, q) => (v as IMap<Value, Value>).get(s.moved[q]!) ?? ABSENT;
      } else if (t.k === 'set' && isSymType(s.sym.type, t.elem)) {
        part = (v, q) => (v as ISet<Value>).has(s.moved[q]!);
      } else if (t.k === 'set' || t.k === 'map') {
        part = bucketed(t, k, s.moved.length);
      } else {
        const m = maskOf(t);
        part = (v, q) => m(v, k, q);
      }
      parts.push({ slot, part });
    });
    return parts;
  });
  /**
   * The part of a set or map slot (above): per state, each element's (entry's) moved values of
   * set k are found once, and value q's part is the sorted list of the elements that hold it,
   * masked for q. The buckets of the last slot value asked for are kept: the parts of one
   * state are asked for value by value.
   */
  function bucketed(t: Extract<Type, { k: 'set' | 'map' }>, k: number, m: number): Part {
    let last: Value | undefined;
    let buckets: Value[][] = [];
    const isMap = t.k === 'map';
    const mentions = isMap ? [mentionsOf(t.key), mentionsOf(t.value)] : [mentionsOf(t.elem)];
    const masks = isMap ? [maskOf(t.key), maskOf(t.value)] : [maskOf(t.elem)];
    const fill = (v: Value): void => {
      buckets = Array.from({ length: m }, () => []);
      const held = new Array<boolean>(m).fill(false);
      const put = (e: Value, key: Value | undefined): void => {
        held.fill(false);
        if (key !== undefined) mentions[0]!(key, k, held);
        mentions[isMap ? 1 : 0]!(e, k, held);
        for (let q = 0; q < m; q++) {
          if (!held[q]) continue;
          buckets[q]!.push(key === undefined ? masks[0]!(e, k, q) : new Tuple([masks[0]!(key, k, q), masks[1]!(e, k, q)]));
        }
      };
      if (isMap) (v as IMap<Value, Value>).forEach((val, key) => put(val, key));
      else (v as ISet<Value>).forEach((e) => put(e, undefined));
      for (const b of buckets) b.sort(compareValues);
      last = v;
    };
    return (v, q) => {
      if (v !== last) fill(v);
      return IList(buckets[q]!);
    };
  }
  // A permutation's number in the group: its rank among its set's permutations (lexicographic,
  // as `permutations` lists them) times the set's stride, plus the other sets' parts.
  const strides = perSet.map((_, i) => perSet.slice(i + 1).reduce((a, x) => a * x.length, 1));
  const facts = sets.map((s) => {
    const f = [1];
    for (let i = 1; i <= s.moved.length; i++) f.push(f[i - 1]! * i);
    return f;
  });
  const rank = (k: number, p: readonly number[]): number => {
    const m = p.length;
    const fact = facts[k]!;
    let r = 0;
    const used = new Array<boolean>(m).fill(false);
    for (let i = 0; i < m; i++) {
      let smaller = 0;
      for (let j = 0; j < p[i]!; j++) if (!used[j]) smaller++;
      used[p[i]!] = true;
      r += smaller * fact[m - 1 - i]!;
    }
    return r;
  };
  /** Whether swapping moved values a and b of set k leaves the state as it is. */
  const swapFixes = (state: State, k: number, a: number, b: number): boolean => {
    const p = Array.from({ length: sets[k]!.moved.length }, (_, i) => i);
    p[a] = b;
    p[b] = a;
    const perm = perms[rank(k, p) * strides[k]!]!;
    for (let i = 0; i < compares.length; i++) {
      const c = compares[i];
      if (c !== null && c !== undefined && c(state[i]!, perm, state[i]!) !== 0) return false;
    }
    return true;
  };
  const compareSigs = (a: readonly Value[], b: readonly Value[]): number => {
    for (let i = 0; i < a.length; i++) {
      const c = compareValues(a[i]!, b[i]!);
      if (c !== 0) return c;
    }
    return 0;
  };

  return (state) => {
    let out: number[] = [0];
    sets.forEach((s, k) => {
      const m = s.moved.length;
      if (m < 2) return;
      const parts = partsOf[k]!;
      const sigs: Value[][] = [];
      for (let q = 0; q < m; q++) sigs.push(parts.map(({ slot, part }) => part(state[slot]!, q)));
      const order = sigs.map((_, q) => q).sort((a, b) => compareSigs(sigs[a]!, sigs[b]!) || a - b);
      // Runs of equal signatures, in ascending order: position j of the image takes one of its run's values.
      const runs: { members: number[]; free: boolean }[] = [];
      for (let j = 0; j < m; j++) {
        const q = order[j]!;
        if (j > 0 && compareSigs(sigs[q]!, sigs[order[j - 1]!]!) === 0) runs[runs.length - 1]!.members.push(q);
        else runs.push({ members: [q], free: false });
      }
      for (const run of runs) {
        const r = run.members;
        for (let i = 0; i + 1 < r.length && !run.free; i++) if (!swapFixes(state, k, r[i]!, r[i + 1]!)) run.free = true;
      }
      const ranks: number[] = [];
      const from = new Array<number>(m);
      const p = new Array<number>(m);
      const fill = (ri: number, pos: number): void => {
        if (ri === runs.length) {
          // from[j] is the value at position j; the permutation sends value from[j] to j.
          for (let j = 0; j < m; j++) p[from[j]!] = j;
          ranks.push(rank(k, p) * strides[k]!);
          return;
        }
        const run = runs[ri]!;
        for (const perm of run.free ? permutationsOf(run.members) : [run.members]) {
          perm.forEach((q, j) => {
            from[pos + j] = q;
          });
          fill(ri + 1, pos + perm.length);
        }
      };
      fill(0, 0);
      out = out.flatMap((o) => ranks.map((r) => o + r));
    });
    return out;
  };
}

function permutationsOf(xs: readonly number[]): number[][] {
  return permutations(xs.length).map((p) => p.map((i) => xs[i]!));
}

function containsSym(t: Type, sets: readonly { sym: CheckedSymmetry }[]): boolean {
  if (sets.some((s) => isSymType(s.sym.type, t))) return true;
  switch (t.k) {
    case 'set':
    case 'seq':
      return containsSym(t.elem, sets);
    case 'map':
      return containsSym(t.key, sets) || containsSym(t.value, sets);
    case 'tuple':
      return t.items.some((x) => containsSym(x, sets));
    case 'record':
      return t.types.some((x) => containsSym(x, sets));
    case 'variant':
      return t.info.cases.some((c) => c.payload !== undefined && containsSym(c.payload, sets));
    default:
      return false;
  }
}

/**
 * The image comparer of a type that symmetric values occur in. A map keyed by a symmetric
 * type, and a set of symmetric values, are compared without building their image (the keys
 * of the image, in canonical order, are the symmetric values in order); other types build
 * the image and compare it.
 */
function imageCompare(t: Type, sets: readonly { type: Type; lo: number; size: number; all: readonly Value[] }[], permuterOf: (t: Type) => Permuter): ImageCompare {
  const symIndex = (x: Type): number => sets.findIndex((s) => isSymType(s.type, x));
  const whole = permuterOf(t)!;
  const built: ImageCompare = (v, p, b) => compareValues(whole(v, p), b);
  if (t.k === 'map') {
    const k = symIndex(t.key);
    if (k < 0) return built;
    const vf = permuterOf(t.value);
    const vc: ImageCompare = vf === null ? (v, _p, b) => compareValues(v, b) : imageCompare(t.value, sets, permuterOf);
    const all = sets[k]!.all;
    // The best image changes seldom while the permutations are tried: keep its entries sorted.
    let lastB: Value | undefined;
    let lastE: readonly (readonly [Value, Value])[] = [];
    // So is the state's own map, tried under every permutation in turn: its values by position.
    let lastV: Value | undefined;
    const byPos: (Value | undefined)[] = new Array<Value | undefined>(all.length);
    return (v, p, b) => {
      const m = v as IMap<Value, Value>;
      const bm = b as IMap<Value, Value>;
      if (m.size !== bm.size) return m.size - bm.size;
      if (b !== lastB) {
        lastB = b;
        lastE = sortedEntries(bm);
      }
      if (v !== lastV) {
        lastV = v;
        for (let j = 0; j < all.length; j++) byPos[j] = m.get(all[j]!);
      }
      const be = lastE;
      const from = p.fromIndex[k]!;
      let bi = 0;
      for (let j = 0; j < all.length; j++) {
        const x = byPos[from[j]!];
        if (x === undefined) continue;
        const e = be[bi++]!;
        const c = compareValues(all[j]!, e[0]) || vc(x, p, e[1]);
        if (c !== 0) return c;
      }
      return 0;
    };
  }
  if (t.k === 'set') {
    const k = symIndex(t.elem);
    let lastB: Value | undefined;
    let lastS: readonly Value[] = [];
    const sortedBest = (b: Value): readonly Value[] => {
      if (b !== lastB) {
        lastB = b;
        lastS = sortedElements(b as ISet<Value>);
      }
      return lastS;
    };
    if (k < 0) {
      // Elements that hold symmetric values: their images, sorted, against the best's.
      const ef = permuterOf(t.elem)!;
      return (v, p, b) => {
        const set = v as ISet<Value>;
        const bs = b as ISet<Value>;
        if (set.size !== bs.size) return set.size - bs.size;
        const img = set.toArray().map((x) => ef(x, p)).sort(compareValues);
        const belems = sortedBest(b);
        for (let i = 0; i < img.length; i++) {
          const c = compareValues(img[i]!, belems[i]!);
          if (c !== 0) return c;
        }
        return 0;
      };
    }
    const all = sets[k]!.all;
    let lastV: Value | undefined;
    const inSet: boolean[] = new Array<boolean>(all.length).fill(false);
    return (v, p, b) => {
      const set = v as ISet<Value>;
      const bs = b as ISet<Value>;
      if (set.size !== bs.size) return set.size - bs.size;
      const belems = sortedBest(b);
      if (v !== lastV) {
        lastV = v;
        for (let j = 0; j < all.length; j++) inSet[j] = set.has(all[j]!);
      }
      const from = p.fromIndex[k]!;
      let bi = 0;
      for (let j = 0; j < all.length && bi < belems.length; j++) {
        if (!inSet[from[j]!]) continue;
        const c = compareValues(all[j]!, belems[bi++]!);
        if (c !== 0) return c;
      }
      return 0;
    };
  }
  return built;
}

/** The permuter of type `t`, or null when no symmetric value can occur in it. */
function makePermuter(t: Type, sets: readonly { type: Type; lo: number; size: number }[], sub: (t: Type) => Permuter): Permuter {
  const k = sets.findIndex((s) => isSymType(s.type, t));
  if (k >= 0) {
    if (t.k === 'enum') return (v, p) => p.atoms[k]![(v as Atom).index]!;
    const { lo, size } = sets[k]!;
    return (v, p) => {
      const x = (v as number) - lo;
      // Out of the range: E703 is reported where it is assigned; leave it be meanwhile.
      return x >= 0 && x < size ? p.ints[k]![x]! : v;
    };
  }
  switch (t.k) {
    case 'set': {
      const e = sub(t.elem);
      if (e === null) return null;
      return (v, p) => mkSet((v as ISet<Value>).toArray().map((x) => e(x, p)));
    }
    case 'seq': {
      const e = sub(t.elem);
      if (e === null) return null;
      return (v, p) => (v as IList<Value>).map((x) => e(x, p));
    }
    case 'map': {
      const kf = sub(t.key);
      const vf = sub(t.value);
      if (kf === null && vf === null) return null;
      return (v, p) => {
        const entries: [Value, Value][] = [];
        (v as IMap<Value, Value>).forEach((val, key) => {
          entries.push([kf === null ? key : kf(key, p), vf === null ? val : vf(val, p)]);
        });
        return mkMap(entries);
      };
    }
    case 'tuple': {
      const fs = t.items.map(sub);
      if (fs.every((f) => f === null)) return null;
      return (v, p) => new Tuple((v as Tuple).items.map((x, i) => (fs[i] === null ? x : fs[i]!(x, p))));
    }
    case 'record': {
      const fs = t.types.map(sub);
      if (fs.every((f) => f === null)) return null;
      return (v, p) => {
        const r = v as Rec;
        // The record's own field order is the type's (both sorted by name).
        return new Rec(r.fields, r.values.map((x, i) => (fs[i] === null ? x : fs[i]!(x, p))));
      };
    }
    case 'variant': {
      const fs = t.info.cases.map((c) => (c.payload === undefined ? null : sub(c.payload)));
      if (fs.every((f) => f === null)) return null;
      return (v, p) => {
        const x = v as Variant;
        const f = fs[x.tagIndex];
        return f === null || f === undefined || x.value === undefined ? x : new Variant(x.tag, x.tagIndex, f(x.value, p));
      };
    }
    default:
      return null;
  }
}
