/**
 * The state codec of the parallel explorer: decode(encode(s)) must equal s, have its
 * fingerprint, and encode back to the same bytes, for random states of random types and for
 * every reachable state of real specs.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ByteReader, ByteWriter } from '../../src/explore/parallel/bytes.js';
import { ValueStateCodec, type ValueTables } from '../../src/lang/value-codec.js';
import { configOverrides, constOverrides, loadSpec, selectChecks } from '../../src/engine/run.js';
import { compileSpec, type State } from '../../src/lang/compile.js';
import { ModelError } from '../../src/explore/system.js';
import { optionType, type EnumInfo, type Type, type VariantInfo } from '../../src/lang/types.js';
import { fingerprintValues, NONE, Variant, valueEquals, type Value } from '../../src/values/index.js';
import { ENUMS, SHAPES, CPU, arbType, arbValueOf, type EnumDef, type VType } from '../values/arbitrary.js';

// The arbitrary's types as the language's static types, with tables like a compiled spec's.
const enumInfos = new Map<EnumDef, EnumInfo>(ENUMS.map((e) => [e, { name: e.name, members: e.atoms.map((a) => a.name) }]));
const enumByInfo = new Map([...enumInfos].map(([d, i]) => [i, d]));

function slotInfo(of: Type): VariantInfo {
  return { name: 'Slot', cases: [{ tag: 'Free', payload: undefined }, { tag: 'Lru', payload: { k: 'enum', info: enumInfos.get(CPU)! } }, { tag: 'Busy', payload: of }] };
}

function toType(t: VType): Type {
  switch (t.k) {
    case 'int':
      return { k: 'int' };
    case 'bool':
      return { k: 'bool' };
    case 'enum':
      return { k: 'enum', info: enumInfos.get(t.e)! };
    case 'tuple':
      return { k: 'tuple', items: t.items.map(toType) };
    case 'rec':
      return { k: 'record', fields: t.fields, types: t.types.map(toType) };
    case 'option':
      return optionType(toType(t.of));
    case 'slot':
      return { k: 'variant', info: slotInfo(toType(t.of)) };
    case 'set':
      return { k: 'set', elem: toType(t.of) };
    case 'map':
      return { k: 'map', key: toType(t.key), value: toType(t.val) };
    case 'seq':
      return { k: 'seq', elem: toType(t.of) };
  }
}

const tables: ValueTables = {
  atom: (info, i) => enumByInfo.get(info)!.atoms[i]!,
  fields: (names) => SHAPES.find((s) => s.join() === names.join()) ?? names,
  variant: (tag, i, payload) => (payload === undefined && tag === 'None' ? NONE : new Variant(tag, i, payload)),
};

function fp(s: readonly Value[]): string {
  const out = new Uint32Array(2);
  fingerprintValues(s, out);
  return `${out[0]}:${out[1]}`;
}

/** Encodes, decodes and re-encodes; returns the decoded state and both encodings. */
function roundTrip(codec: ValueStateCodec, s: State): { back: State; bytes: Uint8Array; again: Uint8Array } {
  const w = new ByteWriter(8);
  codec.encode(s, w);
  const bytes = w.view().slice();
  const r = new ByteReader(bytes);
  const back = codec.decode(r);
  expect(r.pos).toBe(bytes.length);
  const w2 = new ByteWriter(8);
  codec.encode(back, w2);
  return { back, bytes, again: w2.view().slice() };
}

function expectSame(s: State, back: State): void {
  expect(back.length).toBe(s.length);
  s.forEach((v, i) => expect(valueEquals(back[i]!, v), `slot ${i}`).toBe(true));
  expect(fp(back)).toBe(fp(s));
}

describe('the parallel explorer state codec', () => {
  it('round-trips random states of random slot types (equal, same fingerprint, same bytes)', () => {
    const arbState = fc.array(arbType, { minLength: 1, maxLength: 4 }).chain((types) =>
      fc.tuple(fc.constant(types), fc.tuple(...types.map(arbValueOf))),
    );
    fc.assert(
      fc.property(arbState, ([types, values]) => {
        const codec = new ValueStateCodec(types.map(toType), tables);
        const { back, bytes, again } = roundTrip(codec, values);
        expectSame(values, back);
        expect(again).toEqual(bytes);
      }),
      { numRuns: 500 },
    );
  });

  it('encodes integers anywhere in the safe range', () => {
    const codec = new ValueStateCodec([{ k: 'int' }], tables);
    for (const n of [0, 1, -1, 2 ** 30 - 1, -(2 ** 30), 2 ** 30, -(2 ** 30) - 1, 2 ** 31, -(2 ** 31), 2 ** 32, Number.MAX_SAFE_INTEGER, Number.MIN_SAFE_INTEGER]) {
      expect(roundTrip(codec, [n]).back).toEqual([n]);
    }
  });

  const specs: [string, string | undefined, string[]][] = [
    ['spec/examples/twophase.spex', undefined, []],
    ['spec/memcg/reparent.spex', 'Scenario6_RfcAwol', []],
    ['spec/memcg/rfc-reparent-lrus.spex', 'PutbackToNearestOnline', ['PAGES=2']],
    ['test/fixtures/cli/offline-process.spex', undefined, []],
  ];
  for (const [file, checkName, consts] of specs) {
    it(`round-trips every reachable state of ${file}${checkName ? ` ${checkName}` : ''}`, () => {
      const { spec } = loadSpec(file);
      const check = selectChecks(spec, checkName)[0];
      const system = compileSpec(spec, configOverrides(check, constOverrides(spec, consts)));
      const codec = new ValueStateCodec(system.slotTypes, system.valueTables);
      const seen = new Set<string>();
      let level: State[] = [];
      const visit = (s: State): void => {
        const k = fp(s);
        if (seen.has(k)) return;
        seen.add(k);
        level.push(s);
      };
      system.initialStates(visit);
      let checked = 0;
      while (level.length > 0 && seen.size < 20_000) {
        const current = level;
        level = [];
        for (const s of current) {
          const { back, bytes, again } = roundTrip(codec, s);
          expectSame(s, back);
          expect(again).toEqual(bytes);
          checked++;
          try {
            system.successors(s, visit);
          } catch (err) {
            // A fault of the spec (a run-time error, a failed assert) ends that state's
            // expansion, as in the explorer; anything else is a bug to report.
            if (!(err instanceof ModelError)) throw err;
          }
        }
      }
      expect(checked).toBeGreaterThan(10);
    });
  }
});
