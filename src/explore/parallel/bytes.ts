/**
 * Growable byte and int buffers for moving states and expansion results between threads.
 * Everything is written into typed arrays whose ArrayBuffers are transferred (not copied) with
 * postMessage, so no structured clone of object graphs happens on the hot path.
 */

/** Appends bytes; grows by doubling. */
export class ByteWriter {
  buf: Uint8Array;
  pos = 0;

  constructor(initialBytes = 4096) {
    this.buf = new Uint8Array(Math.max(16, initialBytes));
  }

  /** Makes room for n more bytes. */
  ensure(n: number): void {
    const need = this.pos + n;
    if (need <= this.buf.length) return;
    let cap = this.buf.length * 2;
    while (cap < need) cap *= 2;
    const b = new Uint8Array(cap);
    b.set(this.buf.subarray(0, this.pos));
    this.buf = b;
  }

  u8(v: number): void {
    if (this.pos >= this.buf.length) this.ensure(1);
    this.buf[this.pos++] = v;
  }

  /** An unsigned integer below 2^32, 7 bits per byte, low bits first. */
  varuint(v: number): void {
    if (this.pos + 5 > this.buf.length) this.ensure(5);
    const buf = this.buf;
    let p = this.pos;
    while (v >= 0x80) {
      buf[p++] = (v & 0x7f) | 0x80;
      v >>>= 7;
    }
    buf[p++] = v;
    this.pos = p;
  }

  /** Any finite double, as 8 bytes (little-endian). */
  f64(v: number): void {
    this.ensure(8);
    F64[0] = v;
    this.buf.set(F64_BYTES, this.pos);
    this.pos += 8;
  }

  bytes(src: Uint8Array): void {
    this.ensure(src.length);
    this.buf.set(src, this.pos);
    this.pos += src.length;
  }

  /** The bytes written so far, as a view (not a copy). */
  view(): Uint8Array {
    return this.buf.subarray(0, this.pos);
  }

  clear(): void {
    this.pos = 0;
  }
}

const F64 = new Float64Array(1);
const F64_BYTES = new Uint8Array(F64.buffer);

/** Reads what a ByteWriter wrote. */
export class ByteReader {
  buf: Uint8Array;
  pos: number;

  constructor(buf: Uint8Array, pos = 0) {
    this.buf = buf;
    this.pos = pos;
  }

  u8(): number {
    return this.buf[this.pos++]!;
  }

  varuint(): number {
    const buf = this.buf;
    let p = this.pos;
    let b = buf[p++]!;
    let v = b & 0x7f;
    let shift = 7;
    while (b >= 0x80) {
      b = buf[p++]!;
      // Up to 5 bytes: the last one carries bits 28..31, beyond what `<<` keeps positive.
      v += (b & 0x7f) * 2 ** shift;
      shift += 7;
    }
    this.pos = p;
    return v;
  }

  f64(): number {
    for (let i = 0; i < 8; i++) F64_BYTES[i] = this.buf[this.pos + i]!;
    this.pos += 8;
    return F64[0]!;
  }
}

/** Appends 32-bit integers; grows by doubling. */
export class IntWriter {
  buf: Int32Array;
  length = 0;

  constructor(initial = 1024) {
    this.buf = new Int32Array(Math.max(16, initial));
  }

  push(v: number): void {
    if (this.length === this.buf.length) {
      const b = new Int32Array(this.buf.length * 2);
      b.set(this.buf);
      this.buf = b;
    }
    this.buf[this.length++] = v;
  }

  view(): Int32Array {
    return this.buf.subarray(0, this.length);
  }

  clear(): void {
    this.length = 0;
  }
}

/** How states are turned into bytes and back, for a given transition system. */
export interface StateCodec<S> {
  encode(state: S, out: ByteWriter): void;
  decode(input: ByteReader): S;
}
