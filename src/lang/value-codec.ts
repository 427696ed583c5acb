/**
 * A compact binary encoding of spex states (State = Value[]), directed by the static types of
 * the state's slots, so that no value carries a kind tag, a field name or a type name:
 *
 *   Int        zigzag varint if it lies in [-2^30, 2^30), else the escape 2^31 and 8 bytes
 *   Bool       1 byte
 *   enum       varint index of the constant in its enum
 *   tuple      its items; record: its field values, in declared order
 *   variant    varint tag index, then the payload if the tag has one
 *   Set / Seq  varint size, then the elements in iteration order
 *   Map        varint size, then key and value of each entry in iteration order
 *
 * The decoder rebuilds values with the compiled spec's own interned atoms, record field arrays
 * and payload-less variants, so decoded states fingerprint, compare and print exactly like the
 * ones the evaluator builds (decode(encode(s)) equals s and has its fingerprint). Sets and maps
 * are rebuilt by inserting in the encoded iteration order.
 *
 * Both sides of a thread boundary compile the same spec with the same constants, so the types,
 * and with them the encoding, are the same on both sides.
 */
import type { EnumInfo, Type } from './types.js';
import { Atom, IList, IMap, ISet, Rec, Tuple, Variant, type Value } from '../values/index.js';
import type { ByteReader, ByteWriter, StateCodec } from '../explore/parallel/bytes.js';

/** The interned values a decoder rebuilds states with (the compiled spec provides them). */
export interface ValueTables {
  atom(info: EnumInfo, index: number): Atom;
  fields(names: readonly string[]): readonly string[];
  variant(tag: string, tagIndex: number, payload: Value | undefined): Variant;
}

const SMALL = 2 ** 30;
const ESCAPE = 2 ** 31;

type Enc = (v: Value, w: ByteWriter) => void;
type Dec = (r: ByteReader) => Value;

export class ValueStateCodec implements StateCodec<Value[]> {
  private readonly enc: Enc[];
  private readonly dec: Dec[];

  constructor(slotTypes: readonly Type[], private readonly tables: ValueTables) {
    this.enc = slotTypes.map((t) => this.encoder(t));
    this.dec = slotTypes.map((t) => this.decoder(t));
  }

  encode(state: Value[], w: ByteWriter): void {
    const enc = this.enc;
    if (state.length !== enc.length) throw new Error(`internal error: encoding a state of ${state.length} slots, expected ${enc.length}`);
    for (let i = 0; i < enc.length; i++) enc[i]!(state[i]!, w);
  }

  decode(r: ByteReader): Value[] {
    const dec = this.dec;
    const out = new Array<Value>(dec.length);
    for (let i = 0; i < dec.length; i++) out[i] = dec[i]!(r);
    return out;
  }

  private encoder(t: Type): Enc {
    switch (t.k) {
      case 'int':
        return encodeInt;
      case 'bool':
        return (v, w) => w.u8(v ? 1 : 0);
      case 'enum':
        return (v, w) => w.varuint((v as Atom).index);
      case 'tuple': {
        const items = t.items.map((x) => this.encoder(x));
        return (v, w) => {
          const xs = (v as Tuple).items;
          for (let i = 0; i < items.length; i++) items[i]!(xs[i]!, w);
        };
      }
      case 'record': {
        const fields = t.types.map((x) => this.encoder(x));
        return (v, w) => {
          const xs = (v as Rec).values;
          for (let i = 0; i < fields.length; i++) fields[i]!(xs[i]!, w);
        };
      }
      case 'variant': {
        const payloads = t.info.cases.map((c) => (c.payload === undefined ? undefined : this.encoder(c.payload)));
        return (v, w) => {
          const x = v as Variant;
          w.varuint(x.tagIndex);
          const p = payloads[x.tagIndex];
          if (p !== undefined) p(x.value!, w);
        };
      }
      case 'set':
      case 'seq': {
        const elem = this.encoder(t.elem);
        return (v, w) => {
          const s = v as ISet<Value> | IList<Value>;
          w.varuint(s.size);
          s.forEach((x) => {
            elem(x, w);
          });
        };
      }
      case 'map': {
        const key = this.encoder(t.key);
        const val = this.encoder(t.value);
        return (v, w) => {
          const m = v as IMap<Value, Value>;
          w.varuint(m.size);
          m.forEach((x, k) => {
            key(k, w);
            val(x, w);
          });
        };
      }
      case 'any':
        // A slot's type is always declared; `any` only types `{}`/`[]` inside expressions.
        throw new Error('internal error: a state slot of unknown type cannot be encoded');
    }
  }

  private decoder(t: Type): Dec {
    const tables = this.tables;
    switch (t.k) {
      case 'int':
        return decodeInt;
      case 'bool':
        return (r) => r.u8() !== 0;
      case 'enum': {
        const info = t.info;
        const atoms = info.members.map((_, i) => tables.atom(info, i));
        return (r) => atoms[r.varuint()]!;
      }
      case 'tuple': {
        const items = t.items.map((x) => this.decoder(x));
        return (r) => {
          const xs = new Array<Value>(items.length);
          for (let i = 0; i < items.length; i++) xs[i] = items[i]!(r);
          return new Tuple(xs);
        };
      }
      case 'record': {
        const decs = t.types.map((x) => this.decoder(x));
        const fields = tables.fields(t.fields);
        return (r) => {
          const xs = new Array<Value>(decs.length);
          for (let i = 0; i < decs.length; i++) xs[i] = decs[i]!(r);
          return new Rec(fields, xs);
        };
      }
      case 'variant': {
        const cases = t.info.cases.map((c, i) => ({
          tag: c.tag,
          payload: c.payload === undefined ? undefined : this.decoder(c.payload),
          plain: c.payload === undefined ? tables.variant(c.tag, i, undefined) : undefined,
        }));
        return (r) => {
          const i = r.varuint();
          const c = cases[i]!;
          return c.plain ?? new Variant(c.tag, i, c.payload!(r));
        };
      }
      case 'set': {
        const elem = this.decoder(t.elem);
        return (r) => {
          const n = r.varuint();
          if (n === 0) return EMPTY_SET;
          return ISet<Value>().withMutations((s) => {
            for (let i = 0; i < n; i++) s.add(elem(r));
          });
        };
      }
      case 'seq': {
        const elem = this.decoder(t.elem);
        return (r) => {
          const n = r.varuint();
          const xs = new Array<Value>(n);
          for (let i = 0; i < n; i++) xs[i] = elem(r);
          return IList(xs);
        };
      }
      case 'map': {
        const key = this.decoder(t.key);
        const val = this.decoder(t.value);
        return (r) => {
          const n = r.varuint();
          if (n === 0) return EMPTY_MAP;
          return IMap<Value, Value>().withMutations((m) => {
            for (let i = 0; i < n; i++) {
              const k = key(r);
              m.set(k, val(r));
            }
          });
        };
      }
      case 'any':
        throw new Error('internal error: a state slot of unknown type cannot be decoded');
    }
  }
}

const EMPTY_SET = ISet<Value>();
const EMPTY_MAP = IMap<Value, Value>();

function encodeInt(v: Value, w: ByteWriter): void {
  const n = v as number;
  if (n >= -SMALL && n < SMALL) {
    w.varuint(((n << 1) ^ (n >> 31)) >>> 0);
  } else {
    w.varuint(ESCAPE);
    w.f64(n);
  }
}

function decodeInt(r: ByteReader): Value {
  const z = r.varuint();
  if (z === ESCAPE) return r.f64();
  return (z >>> 1) ^ -(z & 1);
}
