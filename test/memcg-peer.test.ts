// spec/bench/memcg-peer.spex, the twin of the Promela model memcg.pml that the bench times
// beside Spin (bench/run.mjs --only spin): its counts at P=3, on both engines, against the
// distinct states Spin stores for the same model (peers' README; TLC's counts are the same).
import { describe, expect, it } from 'vitest';
import { loadSpec, runCheck, selectChecks } from '../src/engine/run.js';

const FILE = 'spec/bench/memcg-peer.spex';

// Spin 6.5.2, `spin -DP=3 -DVARIANT=V -DNOCHECK -a memcg.pml`, pan built with -DSAFETY -DNOREDUCE:
// "states, stored".
const SPIN_FULL_P3: Record<string, number> = {
  RfcFull: 1_306,
  WaitFull: 674,
  ReparentFull: 900,
  ReparentRacyFull: 3_750,
};

// Without -DNOCHECK, pan's NoAWOL assertion fails after this many steps (its shortest trace,
// pan -i); Wait and Reparent keep NoAwol.
const NOAWOL_STEPS: Record<string, number | undefined> = { Rfc: 4, Wait: undefined, Reparent: undefined, ReparentRacy: 5 };

describe('memcg-peer.spex at P=3', () => {
  const { spec } = loadSpec(FILE);
  for (const engine of ['packed', 'generic'] as const) {
    for (const [name, distinct] of Object.entries(SPIN_FULL_P3)) {
      it(`${name} (${engine}): the whole space has Spin's ${distinct} states`, () => {
        const r = runCheck(spec, selectChecks(spec, name)[0], new Map(), { engine, workers: 1 });
        expect(r.engine).toBe(engine);
        expect(r.verdict.kind).toBe('ok');
        expect(r.result?.stats.distinct).toBe(distinct);
        expect(r.result?.stats.queue).toBe(0);
      });
    }
    for (const [name, steps] of Object.entries(NOAWOL_STEPS)) {
      it(`${name} (${engine}): NoAwol ${steps === undefined ? 'holds' : `fails in ${steps} steps`}`, () => {
        const r = runCheck(spec, selectChecks(spec, name)[0], new Map(), { engine, workers: 1 });
        const outcome = r.result!.outcome;
        if (steps === undefined) {
          expect(outcome.kind).toBe('ok');
          // Where NoAwol holds, checking it does not cut the space short.
          expect(r.result?.stats.distinct).toBe(SPIN_FULL_P3[`${name}Full`]);
        } else {
          expect(outcome.kind).toBe('invariant');
          if (outcome.kind !== 'invariant') return;
          expect(outcome.invariant).toBe('NoAwol');
          expect(outcome.trace.labels.length).toBe(steps);
        }
      });
    }
  }
});
