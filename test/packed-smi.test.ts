/**
 * The packed engine's states are arrays of small integers (V8's PACKED_SMI_ELEMENTS), and stay
 * so: an initial state built as an array of doubles, checked by the same invariant as the
 * working array, made V8 turn the working array into an array of doubles once the invariant
 * was optimised, and every new state then took several times as long to copy into its level
 * (src/lang/packed/index.ts, `copy`). The elements' kind is read with V8's own %HasSmiElements.
 */
import { setFlagsFromString } from 'node:v8';
import { describe, expect, it } from 'vitest';
import { checkSpec } from '../src/lang/check.js';
import { compileSpec } from '../src/lang/compile.js';
import { parseSpec } from '../src/lang/parser.js';
import { compilePacked } from '../src/lang/packed/index.js';
import { explore } from '../src/explore/index.js';

setFlagsFromString('--allow-natives-syntax');
// eslint-disable-next-line @typescript-eslint/no-implied-eval
const hasSmiElements = new Function('a', 'return %HasSmiElements(a)') as (a: unknown) => boolean;

// A map over 40 pages, and an invariant that loops over it: 10,701 states, enough for V8 to
// optimise the invariant.
const text = `spec Kinds
type Page = 1..40
enum Loc { Lru, Iso }
var loc: Map[Page, Loc] = [p in Page |-> Lru]
var n: 0..3 = 0
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

describe('packed states as arrays of small integers', () => {
  it('the initial states and the working array stay arrays of small integers through a search', () => {
    const checked = checkSpec(parseSpec({ path: 'kinds.spex', text }));
    const packed = compilePacked(checked, new Map(), compileSpec(checked, new Map()));
    if (!packed.ok) throw new Error(packed.reason);
    const system = packed.system;
    const initial: number[][] = [];
    system.initialStates((s) => initial.push(s));
    expect(initial.length).toBe(1);
    expect(initial.every(hasSmiElements)).toBe(true);
    const r = explore(system, { checkDeadlock: false });
    expect(r.outcome.kind).toBe('ok');
    expect(r.stats.distinct).toBe(1 + 40 + 780 + 9880);
    // The working array, as the steps emit it after the search.
    const emitted: boolean[] = [];
    system.successorsAt!.at(Uint8Array.from(initial[0]!), 0, (s) => emitted.push(hasSmiElements(s)));
    expect(emitted.length).toBe(40);
    expect(emitted.every(Boolean)).toBe(true);
  });
});
