import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  Atom,
  NONE,
  Rec,
  Tuple,
  Variant,
  formatValue,
  formatValueWithin,
  groupDigits,
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

describe('formatValueWithin (the terminal’s traces)', () => {
  it('prints a value whose text fits exactly as formatValue does, at every limit from its length on', () => {
    fc.assert(
      fc.property(arbValue, fc.nat(40), (v, extra) => {
        const whole = formatValue(v);
        expect(formatValueWithin(v, whole.length + extra)).toBe(whole);
        expect(formatValueWithin(v, Infinity)).toBe(whole);
      }),
      { numRuns: 500 },
    );
  });

  it('cuts a longer one in its collections: up to the first cut, the start of the whole text; then how much is left out', () => {
    fc.assert(
      fc.property(arbValue, fc.integer({ min: 1, max: 60 }), (v, max) => {
        const whole = formatValue(v);
        const cut = formatValueWithin(v, max);
        // Scalars, and variants and records of scalars only, are never cut.
        if (cut === whole) return;
        expect(whole.length).toBeGreaterThan(max);
        const at = cut.indexOf('… ');
        expect(at).toBeGreaterThanOrEqual(0);
        // Up to the first elision, the same text (the separator before it aside).
        expect(whole.startsWith(cut.slice(0, at).replace(/, $/, ''))).toBe(true);
        expect(cut).toMatch(/… [\d,]+ more/);
        // A cut that says less in as many characters is not made.
        expect(cut.length).toBeLessThan(whole.length);
      }),
      { numRuns: 500 },
    );
  });

  it('counts what each collection still open leaves out', () => {
    const big = mkMap(Array.from({ length: 3001 }, (_, k) => [k, 0] as [number, number]));
    const cut = formatValueWithin(big, 1000);
    expect(cut.startsWith('{0 -> 0, 1 -> 0, 2 -> 0,')).toBe(true);
    expect(cut).toMatch(/, 110 -> 0, … 2,890 more\}$/);
    expect(cut.length).toBeLessThanOrEqual(1000 + 20);
    // Nested: the inner sequence is cut, then the set around it.
    const nested = mkSet([mkSeq([1, 2, 3, 4, 5, 6]), mkSeq([7]), mkSeq([8])]);
    expect(formatValue(nested)).toBe('{[1, 2, 3, 4, 5, 6], [7], [8]}');
    expect(formatValueWithin(nested, 30)).toBe('{[1, 2, 3, 4, 5, 6], [7], [8]}');
    expect(formatValueWithin(nested, 8)).toBe('{[1, 2, … 4 more], … 2 more}');
    expect(formatValueWithin(nested, 3)).toBe('{[… 6 more], … 2 more}');
    // A cut text no shorter than the whole one ('{[1, 2, 3, 4, 5, … 1 more], … 2 more}' at 17,
    // 38 characters against 30): the whole one.
    expect(formatValueWithin(nested, 17)).toBe('{[1, 2, 3, 4, 5, 6], [7], [8]}');
    expect(formatValueWithin(mkSeq([mkSet([1]), mkSet([1, 2]), mkSet()]), 4)).toBe('[{1}, {1, 2}, {}]');
    // Records, tuples and variants around a cut.
    const seq = (n: number, from: number): ReturnType<typeof mkSeq> => mkSeq(Array.from({ length: n }, (_, k) => from + k));
    const rec = new Rec(['a', 'b'], [new Tuple([seq(12, 1), 4]), some(seq(8, 20))]);
    expect(formatValue(rec)).toBe('{ a: ([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12], 4), b: Some([20, 21, 22, 23, 24, 25, 26, 27]) }');
    expect(formatValueWithin(rec, 12)).toBe('{ a: ([1, … 11 more], … 1 more), … 1 more }');
    expect(formatValueWithin(rec, 30)).toBe('{ a: ([1, 2, 3, 4, 5, 6, 7, … 5 more], … 1 more), … 1 more }');
  });
});

describe('groupDigits', () => {
  it("writes counts as toLocaleString('en-US') does, without loading the locale data", () => {
    expect(groupDigits(0)).toBe('0');
    expect(groupDigits(999)).toBe('999');
    expect(groupDigits(1000)).toBe('1,000');
    expect(groupDigits(1234567)).toBe('1,234,567');
    expect(groupDigits(-1234567)).toBe('-1,234,567');
    expect(groupDigits(Number.MAX_SAFE_INTEGER)).toBe('9,007,199,254,740,991');
    for (const x of [Infinity, -Infinity, NaN, 2 ** 53, 2 ** 70, -(2 ** 70), 1e21, 1.5e300, Number.MAX_VALUE]) expect(groupDigits(x)).toBe(x.toLocaleString('en-US'));
    fc.assert(fc.property(fc.integer({ min: -(2 ** 53) + 1, max: 2 ** 53 - 1 }), (n) => groupDigits(n) === n.toLocaleString('en-US')));
  });

  it('keeps at most the digits after the point asked for, and no trailing zero', () => {
    expect(groupDigits(2.25, 1)).toBe('2.3');
    expect(groupDigits(2, 1)).toBe('2');
    expect(groupDigits(12345.06, 1)).toBe('12,345.1');
    expect(groupDigits(1.5)).toBe('2');
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 10 ** 9 }), (tenths) => {
        const x = tenths / 10;
        return groupDigits(x, 1) === x.toLocaleString('en-US', { maximumFractionDigits: 1 });
      }),
    );
  });
});
