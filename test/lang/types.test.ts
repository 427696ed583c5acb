/**
 * The static types' laws (src/lang/types.ts): compatibility is structural, looks at every
 * component of a type, and `any` matches everything; join keeps the more informative side;
 * formatType writes the language's own syntax; hasRanges finds a range anywhere inside.
 * Also through the checker: a value of the wrong type in any component is E205.
 */
import { describe, expect, it } from 'vitest';
import type { Expr } from '../../src/lang/ast.js';
import { ANY, BOOL, INT, compatible, formatType, hasRanges, isOption, join, optionType, type EnumInfo, type Type, type VariantInfo } from '../../src/lang/types.js';
import { SpecErrors } from '../../src/lang/diagnostics.js';
import { compile } from './helpers.js';

const Cpu: EnumInfo = { name: 'Cpu', members: ['A', 'B'] };
const Node: EnumInfo = { name: 'Node', members: ['A', 'B'] };
const Slot: VariantInfo = { name: 'Slot', cases: [{ tag: 'Free', payload: undefined }, { tag: 'Busy', payload: INT }] };
const Slot2: VariantInfo = { name: 'Slot', cases: [{ tag: 'Free', payload: undefined }, { tag: 'Busy', payload: INT }] };
const range = { lo: { kind: 'int' } as unknown as Expr, hi: { kind: 'int' } as unknown as Expr };
const R: Type = { k: 'int', range };

const set = (elem: Type): Type => ({ k: 'set', elem });
const seq = (elem: Type): Type => ({ k: 'seq', elem });
const map = (key: Type, value: Type): Type => ({ k: 'map', key, value });
const tuple = (...items: Type[]): Type => ({ k: 'tuple', items });
const record = (fields: string[], types: Type[]): Type => ({ k: 'record', fields, types });
const en = (info: EnumInfo): Type => ({ k: 'enum', info });
const variant = (info: VariantInfo): Type => ({ k: 'variant', info });

/** Pairs that differ in exactly one component: never compatible, in either order. */
const different: [string, Type, Type][] = [
  ['int and bool', INT, BOOL],
  ['two enums with the same members', en(Cpu), en(Node)],
  ['set elements', set(INT), set(BOOL)],
  ['sequence elements', seq(en(Cpu)), seq(en(Node))],
  ['set and sequence', set(INT), seq(INT)],
  ['map keys', map(INT, BOOL), map(BOOL, BOOL)],
  ['map values', map(en(Cpu), INT), map(en(Cpu), BOOL)],
  ['tuple lengths', tuple(INT, INT), tuple(INT, INT, INT)],
  ['tuple items', tuple(INT, BOOL), tuple(INT, INT)],
  ['record field names', record(['a', 'b'], [INT, INT]), record(['a', 'c'], [INT, INT])],
  ['record field types', record(['a', 'b'], [INT, INT]), record(['a', 'b'], [INT, BOOL])],
  ['record field counts', record(['a'], [INT]), record(['a', 'b'], [INT, INT])],
  ['two variants of the same shape', variant(Slot), variant(Slot2)],
  ['option payloads', optionType(INT), optionType(BOOL)],
  ['an option and another variant', optionType(INT), variant(Slot)],
  ['deep inside', map(INT, set(tuple(INT, optionType(BOOL)))), map(INT, set(tuple(INT, optionType(INT))))],
];

/** Pairs that are compatible, in either order. */
const same: [string, Type, Type][] = [
  ['ints, ranged or not', R, INT],
  ['an enum with itself', en(Cpu), en(Cpu)],
  ['any with anything', ANY, map(INT, BOOL)],
  ['an empty set literal', set(ANY), set(en(Cpu))],
  ['maps with any values', map(INT, ANY), map(INT, seq(BOOL))],
  ['options of compatible payloads', optionType(ANY), optionType(INT)],
  ['records with the same fields', record(['a', 'b'], [R, BOOL]), record(['a', 'b'], [INT, BOOL])],
  ['a variant with itself', variant(Slot), variant(Slot)],
  ['tuples item by item', tuple(INT, ANY), tuple(R, BOOL)],
];

describe('compatible', () => {
  it.each(different)('rejects %s', (_, a, b) => {
    expect(compatible(a, b)).toBe(false);
    expect(compatible(b, a)).toBe(false);
  });
  it.each(same)('accepts %s', (_, a, b) => {
    expect(compatible(a, b)).toBe(true);
    expect(compatible(b, a)).toBe(true);
  });
});

describe('join', () => {
  it('keeps the informative side of any, at every depth', () => {
    expect(join(ANY, INT)).toBe(INT);
    expect(join(BOOL, ANY)).toBe(BOOL);
    expect(formatType(join(set(ANY), set(en(Cpu))))).toBe('Set[Cpu]');
    expect(formatType(join(seq(INT), seq(ANY)))).toBe('Seq[Int]');
    expect(formatType(join(map(ANY, INT), map(en(Cpu), ANY)))).toBe('Map[Cpu, Int]');
    expect(formatType(join(tuple(ANY, BOOL), tuple(INT, ANY)))).toBe('(Int, Bool)');
    expect(formatType(join(record(['a'], [ANY]), record(['a'], [BOOL])))).toBe('{ a: Bool }');
    expect(formatType(join(optionType(ANY), optionType(seq(INT))))).toBe('Option[Seq[Int]]');
    expect(join(variant(Slot), variant(Slot))).toEqual(variant(Slot));
    // The unknown side first or second, at the top and inside.
    expect(formatType(join(set(INT), ANY))).toBe('Set[Int]');
    expect(formatType(join(seq(ANY), seq(INT)))).toBe('Seq[Int]');
    expect(formatType(join(set(ANY), set(INT)))).toBe('Set[Int]');
    expect(join(en(Cpu), en(Cpu))).toEqual(en(Cpu));
  });
});

describe('isOption', () => {
  it('holds for Option[T] only, and asks nothing of other types', () => {
    expect(isOption(optionType(INT))).toBe(true);
    expect(isOption(variant(Slot))).toBe(false);
    for (const t of [INT, BOOL, ANY, set(INT), seq(INT), map(INT, INT), tuple(INT), record(['a'], [INT]), en(Cpu)]) expect(isOption(t)).toBe(false);
  });
});

describe('formatType', () => {
  it('writes every type as the language writes it', () => {
    expect(formatType(R)).toBe('Int');
    expect(formatType(BOOL)).toBe('Bool');
    expect(formatType(en(Cpu))).toBe('Cpu');
    expect(formatType(map(en(Cpu), seq(set(BOOL))))).toBe('Map[Cpu, Seq[Set[Bool]]]');
    expect(formatType(tuple(INT, BOOL))).toBe('(Int, Bool)');
    expect(formatType(record(['a', 'b'], [INT, BOOL]))).toBe('{ a: Int, b: Bool }');
    expect(formatType(variant(Slot))).toBe('Slot');
    expect(formatType(optionType(en(Cpu)))).toBe('Option[Cpu]');
    expect(formatType(ANY)).toBe('?');
  });
});

describe('hasRanges', () => {
  it('finds a range at any depth, and only there', () => {
    expect(hasRanges(R)).toBe(true);
    expect(hasRanges(INT)).toBe(false);
    expect(hasRanges(BOOL)).toBe(false);
    expect(hasRanges(en(Cpu))).toBe(false);
    for (const wrap of [set, seq, (t: Type) => map(INT, t), (t: Type) => map(t, INT), (t: Type) => tuple(BOOL, t), (t: Type) => record(['a', 'b'], [BOOL, t]), optionType]) {
      expect(hasRanges(wrap(R))).toBe(true);
      expect(hasRanges(wrap(INT))).toBe(false);
    }
    const ranged: VariantInfo = { name: 'V', cases: [{ tag: 'A', payload: undefined }, { tag: 'B', payload: R }] };
    expect(hasRanges(variant(ranged))).toBe(true);
    expect(hasRanges(variant(Slot))).toBe(false);
  });
});

function codes(text: string): string[] {
  try {
    compile(text);
    return [];
  } catch (e) {
    if (e instanceof SpecErrors) return e.diagnostics.map((d) => d.code);
    throw e;
  }
}

describe('the checker compares every component of a type', () => {
  const spec = (decl: string, value: string): string => `spec T\nenum K { a, b }\n${decl}\ninit { x := ${value} }\naction Stay { x := x }\n`;
  it.each([
    ['a map value', 'var x: Map[K, 0..3]', '{a -> true}'],
    ['a map key', 'var x: Map[K, 0..3]', '{1 -> 2}'],
    ['a set element', 'var x: Set[K]', '{true}'],
    ['a sequence element', 'var x: Seq[Bool]', '[1]'],
    ['a tuple item', 'var x: (Int, Bool)', '(1, 2)'],
    ['an option payload', 'var x: Option[K]', 'Some(1)'],
  ])('E205 for %s of the wrong type', (_, decl, value) => {
    expect(codes(spec(decl, value))).toEqual(['E205']);
  });
  it('accepts the right types', () => {
    expect(codes(spec('var x: Map[K, 0..3]', '{a -> 1, b -> 3}'))).toEqual([]);
    expect(codes(spec('var x: Option[K]', 'Some(a)'))).toEqual([]);
  });
});
