import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { stepFingerprint, vectorFingerprint } from '../../src/values/fingerprint.js';

const fpOf = (f: (v: ArrayLike<number>, out: Uint32Array) => void, v: ArrayLike<number>): string => {
  const out = new Uint32Array(2);
  f(v, out);
  return `${out[0]}:${out[1]}`;
};

/** Every vector over the given slot sizes, in order. */
function allVectors(sizes: readonly number[]): number[][] {
  let out: number[][] = [[]];
  for (const n of sizes) out = out.flatMap((v) => Array.from({ length: n }, (_, x) => [...v, x]));
  return out;
}

describe('vectorFingerprint', () => {
  it('gives every vector of a layout that fits one word its own fingerprint (an exact key)', () => {
    const sizes = [5, 3, 3, 3, 3, 2, 4];
    const f = vectorFingerprint(sizes);
    const seen = new Set<string>();
    for (const v of allVectors(sizes)) seen.add(fpOf(f, v));
    expect(seen.size).toBe(5 * 3 ** 4 * 2 * 4);
  });

  it('gives vectors of a two-word layout distinct fingerprints (fast-check: pairs that differ)', () => {
    // 2^20 · 2^10 | 2^30 · 3: two words, still exact.
    const sizes = [2 ** 20, 2 ** 10, 2 ** 30, 3];
    const f = vectorFingerprint(sizes);
    const vec = fc.tuple(fc.nat({ max: 2 ** 20 - 1 }), fc.nat({ max: 2 ** 10 - 1 }), fc.nat({ max: 2 ** 30 - 1 }), fc.nat({ max: 2 }));
    fc.assert(
      fc.property(vec, vec, (a, b) => {
        const same = a.every((x, i) => x === b[i]);
        expect(fpOf(f, a) === fpOf(f, b)).toBe(same);
      }),
      { numRuns: 500 },
    );
  });

  it('hashes larger layouts and unbounded slots a word at a time, telling vectors that differ in one slot apart', () => {
    const sizes = [2 ** 30, 2 ** 30, 2 ** 30, 7, Infinity, 2];
    const f = vectorFingerprint(sizes);
    const base = [123456789, 5, 2 ** 30 - 1, 6, -42, 1];
    const fps = new Set<string>([fpOf(f, base)]);
    let made = 1;
    for (let i = 0; i < sizes.length; i++) {
      for (const d of [-1, 1]) {
        const v = base.slice();
        v[i] = v[i]! + d;
        if (v[i]! < 0 && sizes[i] !== Infinity) continue;
        if (v[i]! >= sizes[i]!) continue;
        fps.add(fpOf(f, v));
        made++;
      }
    }
    // Beyond 32 bits, the high part counts: 2^32 + 1 and 1 differ.
    const big = base.slice();
    big[4] = 2 ** 32 + 1;
    const small = base.slice();
    small[4] = 1;
    fps.add(fpOf(f, big));
    fps.add(fpOf(f, small));
    expect(made).toBe(10);
    expect(fps.size).toBe(made + 2);
    expect(fpOf(f, base)).toBe(fpOf(f, base.slice()));
  });

  it('reads typed arrays and plain arrays alike, -0 as 0', () => {
    const f = vectorFingerprint([4, Infinity, 9]);
    expect(fpOf(f, new Float64Array([3, -7, 8]))).toBe(fpOf(f, [3, -7, 8]));
    expect(fpOf(f, [-0, 0, 0])).toBe(fpOf(f, [0, 0, 0]));
  });

  // Past 256 slots the function is a loop over tables (V8 does not optimise straight-line code
  // that long): the same fingerprints, the same internal error.
  it('wide layouts: the loop over tables gives the straight-line code\'s fingerprints', () => {
    const size = fc.oneof(fc.constantFrom(1, 2, 3, 7, 2 ** 16, 2 ** 31, 2 ** 32, Infinity), fc.integer({ min: 1, max: 1000 }));
    fc.assert(
      fc.property(
        fc.array(size, { minLength: 1, maxLength: 400 }).chain((sizes) =>
          fc.tuple(fc.constant(sizes), fc.tuple(...sizes.map((n) => (n === Infinity ? fc.maxSafeInteger().map((x) => x - 2 ** 52) : fc.integer({ min: 0, max: Math.min(n, 2 ** 53) - 1 }))))),
        ),
        ([sizes, v]) => {
          const straight = vectorFingerprint(sizes, Infinity);
          const loop = vectorFingerprint(sizes, 0, 0);
          expect(fpOf(loop, v)).toBe(fpOf(straight, v));
          expect(fpOf(loop, Float64Array.from(v))).toBe(fpOf(straight, v));
          const runs = vectorFingerprint(sizes, 0, Infinity);
          expect(fpOf(runs, v)).toBe(fpOf(straight, v));
          expect(fpOf(runs, Float64Array.from(v))).toBe(fpOf(straight, v));
        },
      ),
      { seed: 7, numRuns: 200 },
    );
    // The default: loops past 256 slots; the two agree on a 3,000-slot layout too.
    const sizes = Array.from({ length: 3000 }, (_, i) => (i === 0 ? Infinity : 2 + (i % 5)));
    const v = sizes.map((n, i) => (n === Infinity ? -(2 ** 40) - 3 : i % n));
    expect(fpOf(vectorFingerprint(sizes), v)).toBe(fpOf(vectorFingerprint(sizes, Infinity), v));
    const w = v.slice();
    w[2999] = (w[2999]! + 1) % sizes[2999]!;
    expect(fpOf(vectorFingerprint(sizes), w)).not.toBe(fpOf(vectorFingerprint(sizes), v));
    const out = new Uint32Array(2);
    const bad = v.slice();
    bad[7] = sizes[7]!;
    expect(() => vectorFingerprint(sizes)(bad, out)).toThrow(`internal error: slot 7 of a packed state holds ${sizes[7]}, outside its ${sizes[7]} codes`);
    expect(() => vectorFingerprint(sizes, Infinity)(bad, out)).toThrow(`internal error: slot 7 of a packed state holds ${sizes[7]}, outside its ${sizes[7]} codes`);
  });

  // A wide layout that repeats itself (a map over thousands of values) gets a loop per run of
  // words of the same sizes, and per run of unbounded slots: the same fingerprints again.
  it('wide layouts of runs: the loops over runs give the straight-line code\'s fingerprints', () => {
    const segment = fc.tuple(fc.constantFrom(1, 2, 3, 4, 7, 300, 2 ** 16, 2 ** 31, 2 ** 32, Infinity), fc.integer({ min: 1, max: 90 }));
    fc.assert(
      fc.property(
        fc.array(segment, { minLength: 1, maxLength: 6 }).chain((segments) => {
          const sizes = segments.flatMap(([n, times]) => Array.from({ length: times }, () => n));
          return fc.tuple(fc.constant(sizes), fc.tuple(...sizes.map((n) => (n === Infinity ? fc.maxSafeInteger().map((x) => x - 2 ** 52) : fc.integer({ min: 0, max: Math.min(n, 2 ** 53) - 1 })))));
        }),
        ([sizes, v]) => {
          const straight = vectorFingerprint(sizes, Infinity);
          const runs = vectorFingerprint(sizes, 0, Infinity);
          expect(fpOf(runs, v)).toBe(fpOf(straight, v));
          expect(fpOf(runs, Float64Array.from(v))).toBe(fpOf(straight, v));
        },
      ),
      { seed: 11, numRuns: 300 },
    );
    // 26,685 slots (two maps over 13,341 pages, of 4 and 3 codes, and 3 more): the default
    // takes the loops, and every slot counts.
    const sizes = [...Array.from({ length: 13341 }, () => 4), ...Array.from({ length: 13341 }, () => 3), 3, 3, 3];
    const v = sizes.map((n, i) => (i * 7) % n);
    const f = vectorFingerprint(sizes);
    expect(fpOf(f, v)).toBe(fpOf(vectorFingerprint(sizes, 0, 0), v));
    const seen = new Set([fpOf(f, v)]);
    for (const i of [0, 1, 15, 16, 13340, 13341, 20000, 26681, 26682, 26684]) {
      const w = v.slice();
      w[i] = (w[i]! + 1) % sizes[i]!;
      seen.add(fpOf(f, w));
    }
    expect(seen.size).toBe(11);
    const bad = v.slice();
    bad[13345] = 3;
    expect(() => f(bad, new Uint32Array(2))).toThrow('internal error: slot 13345 of a packed state holds 3, outside its 3 codes');
  });

  it('reports a slot outside its size as an internal error, never as a fingerprint', () => {
    const f = vectorFingerprint([4, 2]);
    const out = new Uint32Array(2);
    expect(() => f([4, 0], out)).toThrow(/internal error: slot 0 .* holds 4/);
    expect(() => f([0, -1], out)).toThrow(/internal error/);
    expect(() => f([NaN, 0], out)).toThrow(/internal error/);
  });
});

describe('stepFingerprint', () => {
  const size = fc.oneof(fc.constantFrom(1, 2, 3, 4, 7, 2 ** 16, 2 ** 31, 2 ** 32, Infinity), fc.integer({ min: 1, max: 1000 }));
  const valueOf = (n: number): fc.Arbitrary<number> => (n === Infinity ? fc.maxSafeInteger().map((x) => x - 2 ** 52) : fc.integer({ min: 0, max: Math.min(n, 2 ** 53) - 1 }));
  /** A layout, a state of it, and the writes of a step: slots and the values written, in order. */
  const stepCase = fc
    .array(size, { minLength: 1, maxLength: 300 })
    .chain((sizes) =>
      fc.tuple(
        fc.constant(sizes),
        fc.tuple(...sizes.map(valueOf)),
        fc.array(fc.integer({ min: 0, max: sizes.length - 1 }).chain((slot) => fc.tuple(fc.constant(slot), valueOf(sizes[slot]!))), { maxLength: 12 }),
        fc.array(fc.integer({ min: 0, max: sizes.length - 1 }), { maxLength: 4 }),
      ),
    );

  it('fingerprints a successor from its parent and the slots its step wrote as the full function does', () => {
    fc.assert(
      fc.property(stepCase, fc.integer({ min: 0, max: 40 }), ([sizes, parent, writes, untouched], base) => {
        const f = stepFingerprint(sizes);
        const fullOut = new Uint32Array(2);
        f.full(parent, fullOut);
        const next = parent.slice();
        for (const [slot, x] of writes) next[slot] = x;
        // The parent inside a level, at `base`; the dirty list with the slots written (some
        // repeated, some written back to what they held) and slots not written at all.
        const level = [...Array.from({ length: base }, () => 0), ...parent];
        const dirty = Int32Array.from([...writes.map(([slot]) => slot), ...untouched]);
        const stepOut = new Uint32Array(2);
        f.step(next, level, base, dirty, dirty.length, fullOut[0]! | 0, fullOut[1]! | 0, stepOut);
        expect(fpOf(f.full, next)).toBe(`${stepOut[0]}:${stepOut[1]}`);
        // The loop over tables (a layout that does not repeat) gives the same fingerprints.
        expect(fpOf(stepFingerprint(sizes, 0).full, next)).toBe(fpOf(f.full, next));
        expect(fpOf(stepFingerprint(sizes, 0).full, Float64Array.from(next))).toBe(fpOf(f.full, next));
      }),
      { seed: 13, numRuns: 300 },
    );
  });

  it('gives two states that differ in one part different fingerprints in both lanes', () => {
    // The 26,685 slots of fuzz mutant 1-2698's states: two maps over 13,341 pages (4 and 3
    // codes a slot), and 3 more.
    const sizes = [...Array.from({ length: 13341 }, () => 4), ...Array.from({ length: 13341 }, () => 3), 3, 3, 3];
    const f = stepFingerprint(sizes);
    const v = sizes.map((n, i) => (i * 7) % n);
    const base = new Uint32Array(2);
    f.full(v, base);
    const his = new Set([base[0]]);
    const los = new Set([base[1]]);
    for (const i of [0, 1, 15, 16, 13340, 13341, 20000, 26681, 26682, 26684]) {
      const w = v.slice();
      w[i] = (w[i]! + 1) % sizes[i]!;
      const out = new Uint32Array(2);
      f.full(w, out);
      his.add(out[0]);
      los.add(out[1]);
      const step = new Uint32Array(2);
      f.step(w, v, 0, Int32Array.of(i), 1, base[0]! | 0, base[1]! | 0, step);
      expect([...step]).toEqual([...out]);
    }
    expect([his.size, los.size]).toEqual([11, 11]);
    // A value outside its slot's size is an internal error, in full and in a step.
    const bad = v.slice();
    bad[13345] = 3;
    expect(() => f.full(bad, new Uint32Array(2))).toThrow('internal error: slot 13345 of a packed state holds 3, outside its 3 codes');
    expect(() => f.step(bad, v, 0, Int32Array.of(13345), 1, 0, 0, new Uint32Array(2))).toThrow('internal error: slot 13345 of a packed state holds 3, outside its 3 codes');
  });
});
