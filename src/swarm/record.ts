/**
 * What a swarm job writes (`spex check --swarm i/n --out FILE`, or the `swarm` events of
 * `--json`) and `spex swarm merge` reads: per check, the verdict, whether the search was
 * exhaustive (complete and without loss) or why it was partial, its counts, the trace as ITF
 * and the coverage. Plain JSON; docs/scale.md describes every field.
 */
import type { Json } from '../export/itf.js';
import type { SwarmMode } from './plan.js';

export const SWARM_FORMAT = 'spex-swarm-job';
export const SWARM_FORMAT_VERSION = 1;

/** Which job of which swarm. */
export interface JobId {
  readonly index: number;
  readonly of: number;
  readonly seed: number;
  /** The mode planned (docs/scale.md); a check may run another (CheckRecord.search). */
  readonly mode: SwarmMode;
  readonly description: string;
}

/** One check's result in one job. */
export interface CheckRecord {
  readonly check: string | null;
  /** `ok`, `violation`, `deadlock`, `error` (a run-time error of the spec) or `limit`. */
  readonly verdict: 'ok' | 'violation' | 'deadlock' | 'error' | 'limit';
  /** The violated property or the limit hit; null otherwise. */
  readonly name: string | null;
  readonly exitCode: number;
  /** The search this check ran (a bitstate job runs `bfs` for a check with temporal properties). */
  readonly search: SwarmMode;
  readonly engine: 'packed' | 'generic';
  /** The search covered every reachable state without loss: an `ok` here is a proof. */
  readonly exhaustive: boolean;
  /** Why the search is not exhaustive: `bitstate`, `simulation`, `depth`, `states`, `memory`, `interrupted`, `violation`; null if it is. */
  readonly partial: string | null;
  /** The trace is known to be a shortest one (breadth-first over an exact seen set, or a walk shrunk to one). */
  readonly shortest: boolean;
  readonly distinct: number;
  readonly generated: number;
  readonly depth: number;
  readonly seconds: number;
  readonly bitstate: { readonly log2: number; readonly hashes: number; readonly fill: number; readonly lossProbability: number } | null;
  readonly simulation: { readonly seed: number; readonly walks: number; readonly steps: number; readonly depth: number } | null;
  /** The temporal properties this search did not check (random walks and bitstate do not). */
  readonly temporalUnchecked: readonly string[];
  /** The counterexample as an ITF trace (docs/exports.md), or null. */
  readonly trace: Json;
  readonly steps: number | null;
  /** The trace was decoded and replayed on the spec (src/swarm/validate.ts) and ends as it says. */
  readonly replayed: boolean | null;
  /** The `coverage` event's fields (docs/json-events.md) with --coverage, else null. */
  readonly coverage: Json;
}

/** A job's whole result file. */
export interface JobRecord {
  readonly format: typeof SWARM_FORMAT;
  readonly version: number;
  readonly toolVersion: string;
  /** The spec file as given, its name, and the SHA-256 of its text (the merge checks they agree). */
  readonly file: string;
  readonly spec: string;
  readonly source: string;
  /** The --const overrides, as given. */
  readonly consts: readonly string[];
  readonly job: JobId;
  readonly checks: readonly CheckRecord[];
  readonly exitCode: number;
}
