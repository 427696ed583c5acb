// The packed engine's wide states are fingerprinted from the slots their step wrote
// (stepFingerprint, CodeGen.recordWrites). test/packed.test.ts checks every config of the
// repository so; this spec makes every kind of write the generated code records.
import { describe, expect, it } from 'vitest';
import { checkSpec } from '../src/lang/check.js';
import { compileSpec } from '../src/lang/compile.js';
import { compilePacked } from '../src/lang/packed/index.js';
import { parseSpec } from '../src/lang/parser.js';
import { sameSteppedSearch } from './support/stepped-search.js';

describe('step fingerprints', () => {
  it('cover each kind of write: assignments of slots and of wide values, record fields, procedure frames, calls, returns, labels', () => {
    const spec = checkSpec(
      parseSpec({
        path: 'writes.spex',
        text: `spec Writes
type K = 0..299
var big: Map[K, 0..2] = [k in K |-> 0]
var other: Map[K, 0..2] = [k in K |-> 1]
var r: { a: 0..99999, b: 0..99999 } = { a: 0, b: 0 }
var n: 0..3 = 0
procedure bump(d: 0..3) {
  var t: 0..3 = 0
  p1: t := (d + 1) % 4
      r.a := t
  p2: return
}
process W {
  a: either { big := other } or { big := [k in K |-> n % 3] } or { r.b := (r.b + 1) % 4 }
  b: call bump(n)
  c: n := (n + 1) % 4
     if n == 0 { goto a } else { goto b }
}
`,
      }),
    );
    const generic = compileSpec(spec, new Map());
    const packed = compilePacked(spec, new Map(), generic);
    if (!packed.ok) throw new Error(packed.reason);
    expect(sameSteppedSearch(spec, new Map(), generic, packed.system, false)).toBeGreaterThan(50);
  });
});
