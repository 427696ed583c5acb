/**
 * The packed engine's build takes the constants' values from the generic compile it is given
 * (src/lang/compile/base.ts, `known`), instead of evaluating them again: a constant such as
 * reachable.spex's choose over maps(Node, subsets(Node)) costs seconds.
 */
import { describe, expect, it } from 'vitest';
import { checkSpec } from '../../src/lang/check.js';
import { compileSpec } from '../../src/lang/compile.js';
import { compilePacked } from '../../src/lang/packed/index.js';
import { parseSpec } from '../../src/lang/parser.js';
import { explore } from '../../src/explore/index.js';

const text = 'spec C\nconst K: Int = 3\nvar x: 0..9 = 0\naction Inc { require x < K\n  x := x + 1 }\n';

describe('the packed build and the constants', () => {
  it('uses the values the generic compile evaluated, not its own', () => {
    const spec = checkSpec(parseSpec({ path: 'c.spex', text }));
    const overrides = new Map();
    const generic = compileSpec(spec, overrides);
    expect(generic.constValues).toEqual([{ name: 'K', value: 3 }]);
    const plain = compilePacked(spec, overrides, generic);
    if (!plain.ok) throw new Error(plain.reason);
    expect(explore(plain.system, { checkDeadlock: false }).stats.distinct).toBe(4);
    // Told K is 6, the packed system runs with K = 6: it did not evaluate K itself.
    const told = compilePacked(spec, overrides, { ...generic, constValues: [{ name: 'K', value: 6 }] });
    if (!told.ok) throw new Error(told.reason);
    expect(explore(told.system, { checkDeadlock: false }).stats.distinct).toBe(7);
  });
});
