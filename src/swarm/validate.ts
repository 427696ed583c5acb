/**
 * A swarm trace is checked by replay before it is reported (src/engine/replay.ts): the ITF
 * trace a job writes is decoded again and replayed, step by step, on the generic engine with
 * the configuration's constants and refinements, and must end the way its metadata says. A
 * lossy search (bitstate, random walks) finds only real traces, and this shows it for each
 * one, through the very file format the merge reads.
 */
import type * as A from '../lang/ast.js';
import type { CheckedCheck, CheckedSpec } from '../lang/check.js';
import { compileSpec } from '../lang/compile.js';
import { configOverrides, withRefinements } from '../engine/run.js';
import { replayTrace } from '../engine/replay.js';
import { fromItf, ItfError } from '../export/itf.js';
import { ModelError } from '../explore/system.js';

/** Why a trace does not replay, or undefined when it does and ends as it says. */
export function traceDoesNotReplay(spec: CheckedSpec, check: CheckedCheck | undefined, cli: ReadonlyMap<number, A.Expr>, itf: unknown): string | undefined {
  let system;
  try {
    system = withRefinements(spec, check, compileSpec(spec, configOverrides(check, cli), check));
  } catch (e) {
    if (e instanceof ModelError) return `the constants cannot be evaluated: ${e.message}`;
    throw e;
  }
  let decoded;
  try {
    decoded = fromItf(itf, spec, system.processSlots);
  } catch (e) {
    if (e instanceof ItfError) return `it is not an ITF trace of spec ${spec.name}: ${e.message}`;
    throw e;
  }
  const r = replayTrace(system, decoded.trace, decoded.meta);
  if (!r.ok) return `step ${'step' in r.failure ? r.failure.step : 0} does not replay (${r.failure.kind})`;
  if (r.outcome && !r.outcome.reproduced) return `it replays, but ${r.outcome.claim} does not hold${r.outcome.actual ? `: ${r.outcome.actual}` : ''}`;
  return undefined;
}
