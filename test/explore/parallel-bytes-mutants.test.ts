/**
 * The byte and int buffers of the parallel explorers (src/explore/parallel/bytes.ts) at their
 * edges: a buffer asked for no room at all, a write much larger than the room left, and the
 * varuint at the boundary of one byte.
 */
import { describe, expect, it } from 'vitest';
import { ByteReader, ByteWriter, IntWriter } from '../../src/explore/parallel/bytes.js';

describe('ByteWriter, ByteReader, IntWriter', () => {
  it('start at 16 entries at least, and grow from there', () => {
    const w = new ByteWriter(0);
    expect(w.buf.length).toBe(16);
    for (let i = 0; i < 40; i++) w.u8(i);
    expect(Array.from(w.view())).toEqual(Array.from({ length: 40 }, (_, i) => i));
    const n = new IntWriter(0);
    expect(n.buf.length).toBe(16);
    for (let i = 0; i < 40; i++) n.push(1 - i);
    expect(Array.from(n.view())).toEqual(Array.from({ length: 40 }, (_, i) => 1 - i));
    n.clear();
    expect(n.view().length).toBe(0);
  });

  it('makes room for a write many times larger than the buffer', () => {
    const w = new ByteWriter(16);
    w.u8(7);
    const big = Uint8Array.from({ length: 100 }, (_, i) => i + 1);
    w.bytes(big);
    expect(w.pos).toBe(101);
    expect(Array.from(w.view())).toEqual([7, ...big]);
    w.clear();
    expect(w.view().length).toBe(0);
  });

  it('varuint: one byte below 128, two from 128, five at 2^32 - 1', () => {
    const w = new ByteWriter(16);
    for (const v of [0, 127, 128, 129, 16383, 16384, 2 ** 32 - 1]) w.varuint(v);
    const bytes = Array.from(w.view());
    expect(bytes.slice(0, 4)).toEqual([0, 127, 0x80, 0x01]);
    const r = new ByteReader(w.view());
    expect([r.varuint(), r.varuint(), r.varuint(), r.varuint(), r.varuint(), r.varuint(), r.varuint()]).toEqual([0, 127, 128, 129, 16383, 16384, 2 ** 32 - 1]);
    expect(r.pos).toBe(w.pos);
    expect(w.pos).toBe(1 + 1 + 2 + 2 + 2 + 3 + 5);
  });

  it('f64 round trips, next to other bytes', () => {
    const w = new ByteWriter(16);
    w.u8(1);
    for (const x of [0.1, -(2 ** 60), Infinity, 12345.678]) w.f64(x);
    w.u8(2);
    const r = new ByteReader(w.view());
    expect(r.u8()).toBe(1);
    expect([r.f64(), r.f64(), r.f64(), r.f64()]).toEqual([0.1, -(2 ** 60), Infinity, 12345.678]);
    expect(r.u8()).toBe(2);
  });
});
