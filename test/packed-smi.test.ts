/**
 * The packed engine's states: typed arrays of the narrowest type that holds the layout's codes
 * (a byte a slot for small codes), the initial ones and the working array alike; where a slot
 * holds an unbounded Int, arrays of small integers (V8's PACKED_SMI_ELEMENTS), and they stay
 * so. An initial state built as an array of doubles, checked by the same invariant as the
 * working array, made V8 turn the working array into an array of doubles once the invariant
 * was optimised, and every new state then took several times as long to copy into its level
 * (src/lang/packed/index.ts, `copy`). The elements' kind is read with V8's own %HasSmiElements.
 */
import { setFlagsFromString } from 'node:v8';
import { describe, expect, it } from 'vitest';
import { checkSpec } from '../src/lang/check.js';
import { compileSpec } from '../src/lang/compile.js';
import { parseSpec } from '../src/lang/parser.js';
import { compilePacked, type PackedSpec } from '../src/lang/packed/index.js';
import { explore } from '../src/explore/index.js';

setFlagsFromString('--allow-natives-syntax');
// eslint-disable-next-line @typescript-eslint/no-implied-eval
const hasSmiElements = new Function('a', 'return %HasSmiElements(a)') as (a: unknown) => boolean;

// A map over 40 pages, and an invariant that loops over it: 10,701 states, enough for V8 to
// optimise the invariant. With `n: Int`, a slot of any integer.
const spec = (nType: string): string => `spec Kinds
type Page = 1..40
enum Loc { Lru, Iso }
var loc: Map[Page, Loc] = [p in Page |-> Lru]
var n: ${nType} = 0
action Isolate(p: Page) {
  require loc[p] == Lru and n < 3
  loc[p] := Iso
  n := n + 1
}
action Putback(p: Page) {
  require loc[p] == Iso
  loc[p] := Lru
  n := n - 1
}
invariant Count: forall p in Page: loc[p] == Lru or n > 0
`;

function packed(text: string): PackedSpec {
  const checked = checkSpec(parseSpec({ path: 'kinds.spex', text }));
  const p = compilePacked(checked, new Map(), compileSpec(checked, new Map()));
  if (!p.ok) throw new Error(p.reason);
  return p.system;
}

/** The initial states, the search's counts, and the working array as the steps emit it after the search. */
function run(system: PackedSpec): { initial: number[][]; distinct: number; emitted: number[][] } {
  const initial: number[][] = [];
  system.initialStates((s) => initial.push(s));
  const r = explore(system, { checkDeadlock: false });
  expect(r.outcome.kind).toBe('ok');
  const emitted: number[][] = [];
  system.successorsAt!.at(Uint8Array.from(initial[0]!), 0, (s) => emitted.push(s));
  return { initial, distinct: r.stats.distinct, emitted };
}

describe('packed states', () => {
  it('small codes: the initial states and the working array are Uint8Arrays', () => {
    const system = packed(spec('0..3'));
    expect(system.vectorNumbers).toBe('u8');
    const { initial, distinct, emitted } = run(system);
    expect(distinct).toBe(1 + 40 + 780 + 9880);
    expect(initial.length).toBe(1);
    expect(initial[0]).toBeInstanceOf(Uint8Array);
    expect(emitted.length).toBe(40);
    expect(emitted.every((s) => s instanceof Uint8Array && s.length === 41)).toBe(true);
  });

  it('an unbounded Int: the initial states and the working array stay arrays of small integers through a search', () => {
    const system = packed(spec('Int'));
    expect(system.vectorNumbers).toBeUndefined();
    const { initial, distinct, emitted } = run(system);
    expect(distinct).toBe(1 + 40 + 780 + 9880);
    expect(initial.every((s) => Array.isArray(s) && hasSmiElements(s))).toBe(true);
    expect(emitted.length).toBe(40);
    expect(emitted.every((s) => Array.isArray(s) && hasSmiElements(s))).toBe(true);
  });
});
