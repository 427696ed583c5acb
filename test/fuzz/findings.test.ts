/**
 * Reproducers of the bad outcomes `npm run fuzz` found (test/fuzz/cli.mjs), one per class, each
 * reduced to what caused it.
 *
 *   - A sequence that grows by one element a step (`s := append(s, 1)`, unbounded): every
 *     state fingerprinted the whole sequence again, and --max-states 20000 took over 10 s of
 *     CPU (quadratic). The fingerprint of an appended sequence now goes on from the one before.
 *   - A variable whose range type has no values (`var hr: (1 + 1 + ... + 1)..12`, the sum over
 *     12): the packed engine's layout took it and failed inside (exit 255). It now refuses the
 *     spec, and the generic engine reports the assignment (E703).
 *   - Nested quantifiers over a large constant (a sum of ones making about 27,000): minutes in
 *     one state. Bounded by --max-eval-work (E715): test/eval-work.test.ts and the runtime
 *     fixture E715-work-budget.
 */
import { describe, expect, it } from 'vitest';
import { loadSpec, runCheck } from '../../src/engine/run.js';
import { compileSpec, type RuntimeLocation } from '../../src/lang/compile.js';
import { compilePacked } from '../../src/lang/packed/index.js';
import { fingerprintValue, IList, mkSeq, noteAppend, type Value } from '../../src/values/index.js';

function fpOf(v: Value): [number, number] {
  const out = new Uint32Array(2);
  fingerprintValue(v, out);
  return [out[0]!, out[1]!];
}

describe('a sequence that grows by one element a step', () => {
  it('has the fingerprint of the same sequence built at once, at every length', () => {
    let s = mkSeq([]) as IList<Value>;
    for (let n = 1; n <= 80; n++) {
      const next = s.push(n % 4);
      noteAppend(s, next);
      // The one before is fingerprinted first, as the search does (its parent state).
      fpOf(s);
      expect(fpOf(next)).toEqual(fpOf(mkSeq(next.toArray()) as IList<Value>));
      s = next;
    }
  });

  it('is fingerprinted from the sequence before it, without walking it again', () => {
    let s = mkSeq(Array.from({ length: 100 }, (_, i) => i)) as IList<Value>;
    fpOf(s);
    const next = s.push(7);
    noteAppend(s, next);
    const whole = fpOf(mkSeq(next.toArray()) as IList<Value>);
    // Walking `next` element by element would call its forEach.
    Object.defineProperty(next, 'forEach', {
      value: () => {
        throw new Error('walked the whole sequence');
      },
    });
    expect(fpOf(next)).toEqual(whole);
    s = next;
  });

  it('a growing sequence explores to the state limit with the generic engine', () => {
    const text = `spec Grow
var s: Seq[0..3] = []
action Push { s := append(s, 1) }
`;
    const { spec } = loadSpec('grow.spex', text);
    const r = runCheck(spec, undefined, new Map(), { workers: 1, maxStates: 3000 });
    expect(r.verdict).toEqual({ kind: 'limit', limit: 'states' });
    expect(r.result!.stats.distinct).toBe(3000);
  });
});

describe('a variable of a range type without values', () => {
  const text = `spec Empty
var hr: (1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1)..12
init {
  pick h in 1..12
  hr := h
}
action Tick { hr := if hr == 12 then 1 else hr + 1 }
`;

  it('is refused by the packed engine, with the reason', () => {
    const { spec } = loadSpec('empty.spex', text);
    const generic = compileSpec(spec);
    const p = compilePacked(spec, new Map(), generic);
    expect(p.ok).toBe(false);
    expect(!p.ok && p.reason).toBe("the type of 'hr' has no values");
  });

  it('gets E703 from the generic engine (auto falls back)', () => {
    const { spec } = loadSpec('empty.spex', text);
    const r = runCheck(spec, undefined, new Map(), { workers: 1 });
    expect(r.engine).toBe('generic');
    expect(r.result!.outcome.kind).toBe('fault');
    const o = r.result!.outcome as Extract<NonNullable<typeof r.result>['outcome'], { kind: 'fault' }>;
    expect((o.error.location as RuntimeLocation).code).toBe('E703');
  });
});
