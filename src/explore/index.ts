/** The search back end: the TransitionSystem interface and the breadth-first explorer. */

export * from './system.js';
export { FingerprintSet } from './fingerprint-set.js';
export {
  explore,
  type ExploreOptions,
  type ExploreResult,
  type Outcome,
  type Progress,
  type Stats,
  type Trace,
} from './explorer.js';
export { type RecordGraph, type StateGraph } from './state-graph.js';
export { LivenessChecker, type Lasso, type TemporalKind, type TemporalQuery } from './liveness.js';
