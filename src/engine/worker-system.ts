/**
 * How an exploration worker thread (src/explore/parallel/worker.ts) gets its own copy of a
 * configuration's TransitionSystem: it parses, checks and compiles the same spec text with
 * the same check block and `--const` overrides as the main thread, exactly as runCheck does.
 */
import { compileSpec } from '../lang/compile.js';
import { ValueStateCodec } from '../lang/value-codec.js';
import { compilePacked } from '../lang/packed/index.js';
import { compileSymmetry, symmetryOf, withSymmetry } from '../lang/symmetry.js';
import { setMaxEvalWork } from '../lang/work.js';
import type { CreateWorkerSystem } from '../explore/parallel/worker.js';
import { configOverrides, constOverrides, loadSpec, onlyChecked, onlyInvariants, packedRecordOf, selectChecks, temporalSetupOf } from './run.js';

export interface SpecWorkerData {
  readonly path: string;
  readonly text: string;
  /** The check block's name; undefined for a spec run with its defaults. */
  readonly check: string | undefined;
  /** The command line's `--const NAME=VALUE` texts. */
  readonly consts: readonly string[];
  /** Whether the main thread explores with the packed engine (which then must accept the spec here too). */
  readonly packed: boolean;
  /**
   * Memory shared by every worker and the coordinator for the flags of the steps that ever
   * emit (W100): workers only ever set a flag, so they need no lock.
   */
  readonly reached?: SharedArrayBuffer;
  /** Whether the state graph is recorded (temporal properties; packed engine): the worker tags steps and evaluates the recorded predicates. */
  readonly temporal?: boolean;
  /** The main thread's --max-eval-work (src/lang/work.ts; Infinity: none). */
  readonly maxEvalWork?: number;
  /**
   * When the main thread reduces by the configuration's symmetry: the workers' fingerprints are
   * of canonical forms too, and they count the states and the permutations tried here (two
   * BigInt64 words) for the report.
   */
  readonly symmetryCounts?: SharedArrayBuffer;
}

export const createWorkerSystem: CreateWorkerSystem = (data) => {
  const d = data as SpecWorkerData;
  if (d.maxEvalWork !== undefined) setMaxEvalWork(d.maxEvalWork);
  const { spec } = loadSpec(d.path, d.text);
  const check = d.check === undefined ? undefined : selectChecks(spec, d.check)[0];
  const overrides = configOverrides(check, constOverrides(spec, d.consts));
  const reached = d.reached ? new Uint8Array(d.reached) : undefined;
  const system = compileSpec(spec, overrides, check, reached ? { reached } : {});
  if (d.packed) {
    const p = compilePacked(spec, overrides, system, reached ? { reached } : {});
    if (!p.ok) throw new Error(`internal error: the packed engine accepts the spec on the main thread but not in a worker: ${p.reason}`);
    // The check's `only` invariants, as on the main thread: workers decide which states fail.
    const only = check?.decl.only?.map((n) => n.text);
    const packed = onlyInvariants(p.system, only);
    // Packed states go to the vector explorer, which keeps them in shared memory: no codec.
    if (!d.temporal) return { system: packed as never };
    // A step tagger of this thread's own, and the predicates, as runCheck sets them up.
    const setup = temporalSetupOf(spec, check, onlyChecked(system, only));
    if (!setup || p.system.predicates === undefined) throw new Error('internal error: a worker cannot record the temporal properties the main thread records');
    return { system: packed as never, record: packedRecordOf(system, p.system.predicates, setup.record, only) as never };
  }
  const codec = new ValueStateCodec(system.slotTypes, system.valueTables) as never;
  if (d.symmetryCounts) {
    if (d.temporal) throw new Error('internal error: symmetry and the state graph of temporal properties on worker threads');
    return { system: withSymmetry(system, compileSymmetry(symmetryOf(spec, check), system, spec, new BigInt64Array(d.symmetryCounts))) as never, codec };
  }
  if (!d.temporal) return { system: system as never, codec };
  // A step tagger of this thread's own, and the predicates, as runCheck sets them up.
  const only = check?.decl.only?.map((n) => n.text);
  const setup = temporalSetupOf(spec, check, onlyChecked(system, only));
  if (!setup) throw new Error('internal error: a worker cannot record the temporal properties the main thread records');
  return { system: system as never, codec, record: setup.record as never };
};
