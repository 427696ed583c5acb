import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  NONE,
  Rec,
  Tuple,
  Variant,
  diffValues,
  formatChange,
  mkMap,
  mkSeq,
  mkSet,
  some,
  valueEquals,
  type Change,
  type Value,
} from '../../src/values/index.js';
import { CPU, MODE, arbSameTypePair, arbValue, rebuild } from './arbitrary.js';

const [C, D, E] = CPU.atoms;
const [ONLINE, OFFLINE] = MODE.atoms;
const MEMCG = ['res', 'css'];

function lines(path: string, before: Value, after: Value): string[] {
  return diffValues(path, before, after).map(formatChange);
}

describe('diffValues', () => {
  it('reports nothing for equal values', () => {
    expect(diffValues('x', mkSet([1, 2]), mkSet([2, 1]))).toEqual([]);
  });

  it('reports scalars, sets, tuples and variants whole', () => {
    expect(lines('n', 1, 2)).toEqual(['n: 1 → 2']);
    expect(lines('s', mkSet([1, 2]), mkSet([2, 3]))).toEqual(['s: {1, 2} → {2, 3}']);
    expect(lines('t', new Tuple([1, C]), new Tuple([1, D]))).toEqual(['t: (1, C) → (1, D)']);
    expect(lines('o', some(mkMap([[C, 1]])), some(mkMap([[C, 2]])))).toEqual(['o: Some({C -> 1}) → Some({C -> 2})']);
    expect(lines('o', NONE, some(1))).toEqual(['o: None → Some(1)']);
  });

  it('goes into maps key by key, in key order', () => {
    const before = mkMap([
      [E, mkSet([3])],
      [C, mkSet([1])],
      [D, mkSet([2])],
    ]);
    const after = mkMap([
      [D, mkSet([2])],
      [C, mkSet()],
      [E, mkSet([3, 4])],
    ]);
    expect(lines('lru', before, after)).toEqual(['lru[C]: {1} → {}', 'lru[E]: {3} → {3, 4}']);
  });

  it('shows keys that appear or disappear as absent on one side', () => {
    const changes = diffValues('lru', mkMap([[C, 1], [D, 2]]), mkMap([[D, 2], [E, 3]]));
    expect(changes).toEqual<Change[]>([
      { path: 'lru[C]', before: 1, after: undefined },
      { path: 'lru[E]', before: undefined, after: 3 },
    ]);
    expect(changes.map(formatChange)).toEqual(['lru[C]: 1 → (absent)', 'lru[E]: (absent) → 3']);
  });

  it('goes into records of the same type field by field, also inside maps', () => {
    const before = mkMap([
      [C, new Rec(MEMCG, [0, ONLINE])],
      [D, new Rec(MEMCG, [5, ONLINE])],
    ]);
    const after = mkMap([
      [C, new Rec(MEMCG, [1, OFFLINE])],
      [D, new Rec(MEMCG, [5, ONLINE])],
    ]);
    expect(lines('memcg', before, after)).toEqual(['memcg[C].res: 0 → 1', 'memcg[C].css: Online → Offline']);
  });

  it('reports records of different types whole', () => {
    expect(lines('r', new Rec(['a'], [1]), new Rec(['b'], [1]))).toEqual(['r: { a: 1 } → { b: 1 }']);
  });

  it('goes into sequences of the same length by 0-based index, and shows resized ones whole', () => {
    expect(lines('q', mkSeq([C, D, E]), mkSeq([C, E, E]))).toEqual(['q[1]: D → E']);
    expect(lines('q', mkSeq([C, D]), mkSeq([C, D, E]))).toEqual(['q: [C, D] → [C, D, E]']);
  });

  it('formats keys of compound type canonically in paths', () => {
    const k1 = mkSet([2, 1]);
    expect(lines('m', mkMap([[k1, 0]]), mkMap([[mkSet([1, 2]), 1]]))).toEqual(['m[{1, 2}]: 0 → 1']);
    expect(lines('m', mkMap([[new Tuple([C, 1]), 0]]), mkMap([[new Tuple([C, 1]), 1]]))).toEqual(['m[(C, 1)]: 0 → 1']);
  });

  it('is empty exactly when the values are equal', () => {
    fc.assert(
      fc.property(arbSameTypePair, ([a, b]) => {
        expect(diffValues('x', a, b).length === 0).toBe(valueEquals(a, b));
      }),
      { numRuns: 2000 },
    );
    fc.assert(
      fc.property(arbValue, fc.integer(), (v, seed) => {
        expect(diffValues('x', v, rebuild(v, seed))).toEqual([]);
      }),
      { numRuns: 500 },
    );
  });

  it('reports only differing parts, each at its own path', () => {
    fc.assert(
      fc.property(arbSameTypePair, ([a, b]) => {
        const changes = diffValues('x', a, b);
        const paths = changes.map((c) => c.path);
        expect(new Set(paths).size).toBe(paths.length);
        for (const c of changes) {
          expect(c.before === undefined && c.after === undefined).toBe(false);
          if (c.before !== undefined && c.after !== undefined) {
            expect(valueEquals(c.before, c.after)).toBe(false);
          }
        }
      }),
      { numRuns: 1000 },
    );
  });

  it('shows a variant with a changed tag whole', () => {
    expect(lines('s', new Variant('Free', 0), new Variant('Lru', 1, C))).toEqual(['s: Free → Lru(C)']);
  });
});
