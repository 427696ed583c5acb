// A check of the packed engine's step fingerprints (stepFingerprint, CodeGen.recordWrites),
// shared by test/packed.test.ts (every config of the repository) and test/step-fingerprint.test.ts.
import { expect } from 'vitest';
import type * as A from '../../src/lang/ast.js';
import type { CheckedSpec } from '../../src/lang/check.js';
import type { CompiledSpec, Label } from '../../src/lang/compile.js';
import { compilePacked, PackedGaveUp, type PackedSpec } from '../../src/lang/packed/index.js';
import { explore, type ExploreResult } from '../../src/explore/index.js';

/**
 * Explores `packed`, and `spec` compiled with the slots each step writes recorded whatever its
 * width (stepFingerprint), each emission's step fingerprint checked against the full one: the
 * same search, up to 1,500 states. Returns the number of emissions checked.
 */
export function sameSteppedSearch(spec: CheckedSpec, overrides: ReadonlyMap<number, A.Expr>, generic: CompiledSpec, packed: PackedSpec, deadlock: boolean): number {
  const stepped = compilePacked(spec, overrides, generic, { stepFingerprintSlots: 0 });
  if (!stepped.ok) throw new Error(`compiled only without recording: ${stepped.reason}`);
  const at = stepped.system.successorsAt!;
  expect(at.fingerprintEmitted).toBeDefined();
  const full = new Uint32Array(2);
  let n = 0;
  const checked: PackedSpec = {
    ...stepped.system,
    successorsAt: {
      of: at.of,
      at: (level, base, emit) => at.at(level, base, emit),
      fingerprintEmitted(next, level, base, hi, lo, out) {
        at.fingerprintEmitted!(next, level, base, hi, lo, out);
        stepped.system.fingerprint(next, full);
        if (full[0] !== out[0] || full[1] !== out[1]) throw new Error(`a step fingerprint ${out[0]}:${out[1]} differs from the full one ${full[0]}:${full[1]}`);
        n++;
      },
    },
  };
  const run = (p: PackedSpec): ExploreResult<number[], Label> | string => {
    try {
      return explore(p, { maxStates: 1_500, checkDeadlock: deadlock });
    } catch (err) {
      // A value the packed engine cannot encode, met in the search: the generic engine's then.
      if (err instanceof PackedGaveUp) return err.message;
      throw err;
    }
  };
  const a = run(packed);
  const b = run(checked);
  if (typeof a === 'string' || typeof b === 'string') {
    expect(b).toEqual(a);
    return n;
  }
  expect([b.stats.distinct, b.stats.generated, b.stats.depth, b.outcome.kind]).toEqual([a.stats.distinct, a.stats.generated, a.stats.depth, a.outcome.kind]);
  if ('trace' in a.outcome && 'trace' in b.outcome) expect(b.outcome.trace.states).toEqual(a.outcome.trace.states);
  return n;
}
