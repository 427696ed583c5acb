/** The edit distance behind "did you mean" hints (src/lang/diagnostics.ts). */
import { describe, expect, it } from 'vitest';
import { SpecErrors, didYouMean, editDistance } from '../../src/lang/diagnostics.js';
import { checkSpec } from '../../src/lang/check.js';
import { parseSpec } from '../../src/lang/parser.js';

describe('editDistance', () => {
  it('counts insertions, deletions and substitutions, case aside', () => {
    expect(editDistance('', '')).toBe(0);
    expect(editDistance('', 'abc')).toBe(3);
    expect(editDistance('abc', '')).toBe(3);
    expect(editDistance('count', 'count')).toBe(0);
    expect(editDistance('Count', 'cOUNT')).toBe(0);
    expect(editDistance('kitten', 'sitting')).toBe(3);
    expect(editDistance('smal', 'small')).toBe(1);
    expect(editDistance('small', 'smal')).toBe(1);
    expect(editDistance('big', 'bag')).toBe(1);
  });

  it('counts a swap of two neighbouring letters as one edit', () => {
    expect(editDistance('cuont', 'count')).toBe(1);
    expect(editDistance('ab', 'ba')).toBe(1);
    expect(editDistance('reparnet', 'reparent')).toBe(1);
    expect(editDistance('Ba', 'aB')).toBe(1);
    // Two swaps, and a swap with a substitution beside it.
    expect(editDistance('abcd', 'badc')).toBe(2);
    expect(editDistance('abcd', 'bxcd')).toBe(2);
    // A letter moved two places is not a swap: two edits.
    expect(editDistance('abc', 'bca')).toBe(2);
    // The optimal string alignment distance edits no substring twice: 'ca' to 'abc' is 3.
    expect(editDistance('ca', 'abc')).toBe(3);
  });

  it('is symmetric', () => {
    const words = ['', 'a', 'ab', 'ba', 'count', 'cuont', 'amount', 'reparent', 'parent', 'xyz'];
    for (const a of words) for (const b of words) expect(editDistance(a, b), `${a} ${b}`).toBe(editDistance(b, a));
  });
});

describe('didYouMean', () => {
  it('names the closest candidate within a third of the name, swaps counted once', () => {
    expect(didYouMean('cuont', ['amount', 'count', 'counter'])).toBe("did you mean 'count'?");
    expect(didYouMean('cuont', ['amount'])).toBeUndefined();
    expect(didYouMean('xy', ['yx', 'xz'])).toBe("did you mean 'xz'?");
    expect(didYouMean('nothing', [])).toBeUndefined();
  });
});

describe('"did you mean" for an unknown name in an expression', () => {
  it('offers only names that have a value there, not actions, invariants or procedures', () => {
    const text = 'spec P\nvar count: 0..3 = 0\naction Cont { count := 0 }\ninvariant Coun: count >= 0\ninvariant I: cont >= 0\n';
    try {
      checkSpec(parseSpec({ path: 'p.spex', text }));
      expect.unreachable();
    } catch (e) {
      const d = (e as SpecErrors).diagnostics[0]!;
      expect(d.message).toBe("unknown name 'cont'");
      expect(d.hint).toBe("did you mean 'count'?");
    }
  });
});
