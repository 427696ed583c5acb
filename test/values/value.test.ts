import fc from 'fast-check';
import { hash, is } from 'immutable';
import { describe, expect, it } from 'vitest';
import {
  Atom,
  NONE,
  Rec,
  Tuple,
  Variant,
  isMap,
  isSeq,
  isSet,
  mkMap,
  mkSeq,
  mkSet,
  some,
  valueEquals,
} from '../../src/values/index.js';
import { arbValue, rebuild } from './arbitrary.js';

const FIELDS = ['res', 'css'] as const;

describe('value classes', () => {
  it('compares atoms by enum and name, not by identity or index', () => {
    const a = new Atom('Cpu', 'C', 0);
    expect(a.equals(new Atom('Cpu', 'C', 0))).toBe(true);
    expect(a.equals(new Atom('Cpu', 'D', 1))).toBe(false);
    expect(a.equals(new Atom('Other', 'C', 0))).toBe(false);
    expect(a.hashCode()).toBe(new Atom('Cpu', 'C', 0).hashCode());
  });

  it('compares tuples, records and variants structurally', () => {
    expect(valueEquals(new Tuple([1, mkSet([2])]), new Tuple([1, mkSet([2])]))).toBe(true);
    expect(valueEquals(new Tuple([1, 2]), new Tuple([1, 2, 3]))).toBe(false);
    expect(valueEquals(new Rec(FIELDS, [0, true]), new Rec(['res', 'css'], [0, true]))).toBe(true);
    expect(valueEquals(new Rec(FIELDS, [0, true]), new Rec(FIELDS, [1, true]))).toBe(false);
    expect(valueEquals(some(3), some(3))).toBe(true);
    expect(valueEquals(some(3), some(4))).toBe(false);
    expect(valueEquals(NONE, new Variant('None', 0))).toBe(true);
    expect(valueEquals(NONE, some(0))).toBe(false);
  });

  it('keeps values of different kinds apart', () => {
    const values = [0, false, NONE, mkSet(), mkMap(), mkSeq(), new Tuple([]), new Rec([], [])];
    for (let i = 0; i < values.length; i++) {
      for (let j = 0; j < values.length; j++) {
        expect(valueEquals(values[i], values[j])).toBe(i === j);
      }
    }
  });

  it('lets immutable collections deduplicate and look up our values structurally', () => {
    const s = mkSet([new Tuple([1, new Atom('Cpu', 'C', 0)]), new Tuple([1, new Atom('Cpu', 'C', 0)]), some(1), some(1)]);
    expect(s.size).toBe(2);
    const m = mkMap([[new Rec(FIELDS, [0, true]), true]]);
    expect(m.get(new Rec(['res', 'css'], [0, true]))).toBe(true);
    expect(mkSet([mkSet([1, 2]), mkSet([2, 1])]).size).toBe(1);
  });

  it('reads and updates record fields without touching the original', () => {
    const r = new Rec(FIELDS, [0, true]);
    const r2 = r.with('res', 5);
    expect(r.get('res')).toBe(0);
    expect(r2.get('res')).toBe(5);
    expect(r2.get('css')).toBe(true);
    expect(r2.fields).toBe(r.fields);
  });

  it('throws a plain error for an unknown record field', () => {
    const r = new Rec(FIELDS, [0, true]);
    expect(() => r.get('nope')).toThrow(/no field 'nope'/);
    expect(() => r.with('nope', 1)).toThrow(Error);
  });

  it('recognises collections by kind', () => {
    expect(isSet(mkSet([1]))).toBe(true);
    expect(isSet(mkMap())).toBe(false);
    expect(isMap(mkMap([[1, 2]]))).toBe(true);
    expect(isMap(mkSeq())).toBe(false);
    expect(isSeq(mkSeq([1]))).toBe(true);
    expect(isSeq(mkSet())).toBe(false);
    expect(isSet(3)).toBe(false);
  });

  it('gives equal values equal immutable-js hash codes that are 32-bit ints', () => {
    fc.assert(
      fc.property(arbValue, fc.integer(), (v, seed) => {
        const w = rebuild(v, seed);
        expect(is(v, w)).toBe(true);
        expect(hash(w)).toBe(hash(v));
        expect(hash(v) | 0).toBe(hash(v));
      }),
      { numRuns: 500 },
    );
  });
});
