/**
 * CompiledSpec.stepsOf, which `spex explore` lists steps with, against successors, which the
 * checker explores with: on the memcg and example specs, the TLA+ models with procedures, and
 * the process and run-time error fixtures, over the
 * first states of a breadth-first search, stepsOf emits the same steps in the same order; where
 * successors stops at a failing step, stepsOf reports that very step as a fault at the same
 * place, and goes on.
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { configOverrides, loadSpec } from '../src/engine/run.js';
import { compileSpec, type Label, type State } from '../src/lang/compile.js';
import { formatLabel } from '../src/lang/label.js';
import { ModelError } from '../src/explore/system.js';
import { formatValue } from '../src/values/index.js';
import { SpecErrors } from '../src/lang/diagnostics.js';
import { specFiles } from './support/spec-files.js';

const root = new URL('..', import.meta.url).pathname;
/** States per configuration: enough to meet every kind of step, few enough to stay quick. */
const STATES = 150;

const show = (l: Label, s: State): string => `${formatLabel(l)} -> ${s.map((v) => formatValue(v)).join(' | ')}`;

describe('stepsOf emits what successors emits', () => {
  // The TLA+ models whose constants take seconds to evaluate (every graph of a kind) are left
  // out; the procedures among them are in.
  const files = [
    ...specFiles('spec/memcg'),
    ...specFiles('spec/examples'),
    'spec/tlaplus/callreturn1.spex',
    'spec/tlaplus/mpfactorial.spex',
    'spec/tlaplus/simpleloopwithprocedure.spex',
    'spec/tlaplus/quicksort.spex',
    ...specFiles('test/fixtures/processes'),
    ...specFiles('test/fixtures/runtime'),
    ...specFiles('test/fixtures/explore'),
  ];
  for (const file of files) {
    it(file, () => {
      let spec;
      try {
        spec = loadSpec(join(root, file)).spec;
      } catch (e) {
        if (e instanceof SpecErrors) return;
        throw e;
      }
      for (const check of spec.checks.length > 0 ? spec.checks.slice(0, 2) : [undefined]) {
        let system;
        try {
          system = compileSpec(spec, configOverrides(check, new Map()), check);
        } catch (e) {
          if (e instanceof ModelError || e instanceof SpecErrors) continue;
          throw e;
        }
        const seen = new Set<string>();
        const queue: State[] = [];
        const fp = new Uint32Array(2);
        const add = (s: State): void => {
          system.fingerprint(s, fp);
          const k = `${fp[0]}:${fp[1]}`;
          if (!seen.has(k) && seen.size < STATES) {
            seen.add(k);
            queue.push(s);
          }
        };
        // Some specs start from every graph of a kind: the enumeration stops once enough are in.
        const enough = new Error('enough initial states');
        try {
          system.initialStates((s) => {
            add(s.slice());
            if (seen.size >= STATES) throw enough;
          });
        } catch (e) {
          if (!(e instanceof ModelError) && e !== enough) throw e;
        }
        for (let head = 0; head < queue.length; head++) {
          const state = queue[head]!;
          const viaSuccessors: string[] = [];
          let thrown: ModelError | undefined;
          try {
            system.successors(state, (s, l) => viaSuccessors.push(show(l, s)));
          } catch (e) {
            if (!(e instanceof ModelError)) throw e;
            thrown = e;
          }
          const viaSteps: string[] = [];
          const faults: { at: number; label: Label }[] = [];
          system.stepsOf(
            state,
            (s, l) => {
              viaSteps.push(show(l, s));
              add(s.slice());
            },
            (e) => faults.push({ at: viaSteps.length, label: e.label as Label }),
          );
          if (thrown === undefined) {
            expect(faults).toEqual([]);
            expect(viaSteps).toEqual(viaSuccessors);
          } else {
            expect(faults.length).toBeGreaterThan(0);
            expect(formatLabel(faults[0]!.label)).toBe(formatLabel(thrown.label as Label));
            expect(viaSteps.slice(0, faults[0]!.at)).toEqual(viaSuccessors);
          }
        }
      }
    });
  }
});
