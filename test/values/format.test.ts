import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  Atom,
  NONE,
  Rec,
  Tuple,
  Variant,
  formatValue,
  mkMap,
  mkSeq,
  mkSet,
  some,
  valueEquals,
} from '../../src/values/index.js';
import { CPU, MODE, RES, arbSameTypePair, arbValue, rebuild } from './arbitrary.js';

const [R, P] = RES.atoms;
const [C, D] = CPU.atoms;
const [ONLINE] = MODE.atoms;

describe('formatValue', () => {
  it('prints scalars, atoms and tuples', () => {
    expect(formatValue(3)).toBe('3');
    expect(formatValue(-7)).toBe('-7');
    expect(formatValue(2 ** 53 - 1)).toBe('9007199254740991');
    expect(formatValue(true)).toBe('true');
    expect(formatValue(R)).toBe('R');
    expect(formatValue(new Tuple([1, R]))).toBe('(1, R)');
  });

  it('prints records in declared field order', () => {
    expect(formatValue(new Rec(['res', 'css'], [0, ONLINE]))).toBe('{ res: 0, css: Online }');
    expect(formatValue(new Rec(['css', 'res'], [ONLINE, 0]))).toBe('{ css: Online, res: 0 }');
  });

  it('prints variants with and without payload', () => {
    expect(formatValue(new Variant('Lru', 1, C))).toBe('Lru(C)');
    expect(formatValue(new Variant('Free', 0))).toBe('Free');
    expect(formatValue(NONE)).toBe('None');
    expect(formatValue(some(3))).toBe('Some(3)');
    expect(formatValue(some(new Tuple([1, 2])))).toBe('Some((1, 2))');
  });

  it('prints sets and maps sorted, whatever the insertion order', () => {
    expect(formatValue(mkSet([2, 1]))).toBe('{1, 2}');
    expect(formatValue(mkSet())).toBe('{}');
    expect(formatValue(mkMap([[P, 1], [R, 0]]))).toBe('{R -> 0, P -> 1}');
    expect(formatValue(mkMap())).toBe('{->}');
    expect(formatValue(mkSet([mkSet([3]), mkSet([1, 2]), mkSet()]))).toBe('{{}, {3}, {1, 2}}');
  });

  it('prints sequences in their own order', () => {
    expect(formatValue(mkSeq([D, C]))).toBe('[D, C]');
    expect(formatValue(mkSeq())).toBe('[]');
  });

  it('prints nested values', () => {
    const v = mkMap([
      [D, new Rec(['res', 'lru'], [1, mkSet([some(C), NONE])])],
      [C, new Rec(['res', 'lru'], [0, mkSet()])],
    ]);
    expect(formatValue(v)).toBe('{C -> { res: 0, lru: {} }, D -> { res: 1, lru: {None, Some(C)} }}');
  });

  it('keeps a field-less record apart from the empty set', () => {
    expect(formatValue(new Rec([], []))).not.toBe(formatValue(mkSet()));
  });

  it('prints equal values alike and different values differently', () => {
    fc.assert(
      fc.property(fc.oneof(arbSameTypePair, fc.tuple(arbValue, arbValue)), ([a, b]) => {
        expect(formatValue(a) === formatValue(b)).toBe(valueEquals(a, b));
      }),
      { numRuns: 3000 },
    );
  });

  it('does not depend on how collections were built', () => {
    fc.assert(
      fc.property(arbValue, fc.integer(), (v, seed) => {
        expect(formatValue(rebuild(v, seed))).toBe(formatValue(v));
      }),
      { numRuns: 1000 },
    );
  });

  it('prints fresh atom copies like interned ones', () => {
    expect(formatValue(mkSet([new Atom('Res', 'P', 1), R]))).toBe('{R, P}');
  });
});
