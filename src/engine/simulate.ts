/**
 * `spex simulate`: random walks over a configuration's TransitionSystem instead of the
 * breadth-first search, then the shrinking of the walk that found a problem
 * (src/explore/simulate.ts). Builds the system as runCheck does (the check's constants,
 * constraints and `only`, the refinements it checks, the packed engine where it applies) and
 * returns a CheckResult, so that the reports and every export take it as they take a check's.
 * Pure of printing.
 */
import type * as A from '../lang/ast.js';
import type { CheckedCheck, CheckedSpec } from '../lang/check.js';
import { compileSpec, type CompiledSpec, type Label, type RuntimeLocation, type State } from '../lang/compile.js';
import { compilePacked, PackedGaveUp, type PackedSpec } from '../lang/packed/index.js';
import { Diagnostic, SpecErrors } from '../lang/diagnostics.js';
import { formatLabel } from '../lang/label.js';
import { ModelError, type ExploreResult, type Outcome, type TransitionSystem } from '../explore/index.js';
import {
  Walker, outcomeOfStop, runWalks, shrinkWalk, type ShrinkReport, type SimulationProgress, type WalksResult,
} from '../explore/simulate.js';
import { SimulationWorkerError, runWalksParallel } from '../explore/simulate-parallel.js';
import { searchStats } from '../explore/stop.js';
import { maxEvalWork, setMaxEvalWork } from '../lang/work.js';
import {
  configOverrides, constOverrides, exitCodeOf, loadSpec, onlyChecked, onlyInvariants, onGenericReason, selectChecks, verdictOf, withRefinements,
  refinementFailureOf, type CheckResult, type EngineChoice, type Verdict,
} from './run.js';

export interface SimulateOptions {
  readonly check?: string;
  /** `NAME=VALUE` overrides, as for runCheck (worker threads compile the spec from these texts). */
  readonly consts?: readonly string[];
  /** Deadlock detection; undefined means: as the check block says, else on. */
  readonly deadlock?: boolean;
  readonly engine?: EngineChoice;
  /** The most steps per walk. */
  readonly depth: number;
  /** The most walks. */
  readonly runs: number;
  /** Hand out no walk after this many seconds (Infinity: no time limit). */
  readonly seconds: number;
  /** Milliseconds between progress reports (default 1,000). */
  readonly progressPeriodMs?: number;
  readonly seed: number;
  /** Threads to walk on (1: this thread). */
  readonly workers: number;
  /** States the breadth-first phase of shrinking may store (0: no such phase). */
  readonly shrinkBudget: number;
  /** Count per step how often it was enabled and taken and the new states it found (docs/coverage.md); one thread. */
  readonly coverage?: boolean;
  readonly onProgress?: (p: SimulationProgress) => void;
}

/** How a simulation went, beside the verdict and the trace of CheckResult. */
export interface SimulationSummary {
  readonly seed: number;
  readonly depth: number;
  readonly runs: number;
  readonly seconds: number;
  readonly workers: number;
  /** Walks counted (0 .. the one that found the problem, else all completed). */
  readonly walks: number;
  readonly steps: number;
  readonly generated: number;
  /** The longest walk counted, in steps. */
  readonly longest: number;
  readonly elapsed: number;
  /** The time limit ended the run before `runs` walks, without a problem found. */
  readonly timedOut: boolean;
  /** Whether a signal ended the walks (the verdict is then `interrupted`). */
  readonly interrupted?: boolean;
  /** The walk that found the problem (its index), when one did; undefined for a problem in the initial states. */
  readonly walk?: number;
  readonly shrink?: ShrinkReport;
  /** The temporal properties the configuration has, which simulation does not check. */
  readonly temporal: readonly string[];
}

export interface SimulationResult extends CheckResult {
  readonly simulation: SimulationSummary;
}

/** What a worker thread needs to build the same system as the main thread. */
export interface SimulationWorkerData {
  readonly path: string;
  readonly text: string;
  readonly check: string | undefined;
  readonly consts: readonly string[];
  readonly packed: boolean;
  /** The main thread's --max-eval-work (src/lang/work.ts; Infinity: none). */
  readonly maxEvalWork?: number;
}

interface Systems {
  readonly generic: CompiledSpec;
  readonly packed: PackedSpec | undefined;
  readonly engineReason: string | undefined;
}

/**
 * The configuration's systems, as runCheck builds them: the generic one with `only` and the
 * refinements applied, and the packed one where the engine choice and the spec allow.
 * Throws a ModelError when the constants cannot be evaluated, SpecErrors (E217) when
 * `--engine packed` cannot take the spec.
 */
function buildSystems(spec: CheckedSpec, check: CheckedCheck | undefined, overrides: ReadonlyMap<number, A.Expr>, choice: EngineChoice, coverage = false): Systems {
  const full = compileSpec(spec, overrides, check, coverage ? { coverage: true } : {});
  const only = check?.decl.only?.map((n) => n.text);
  let system = onlyChecked(full, only);
  const refines = (spec.refines?.length ?? 0) + (check?.refines?.length ?? 0) > 0;
  if (refines) system = withRefinements(spec, check, system);
  if (choice === 'generic') return { generic: system, packed: undefined, engineReason: undefined };
  if (refines) {
    const reason = 'a refinement is checked: simulation runs it on the generic engine';
    if (choice === 'packed') throw new SpecErrors([new Diagnostic('E217', undefined, reason, PACKED_ONLY_HINT)]);
    return { generic: system, packed: undefined, engineReason: reason };
  }
  const p = compilePacked(spec, overrides, full, coverage ? { coverage: true } : {});
  if (!p.ok) {
    if (choice === 'packed') throw new SpecErrors([new Diagnostic('E217', 'span' in p && p.span ? p.span : undefined, p.reason, PACKED_ONLY_HINT)]);
    return { generic: system, packed: undefined, engineReason: p.reason };
  }
  const packed = onlyInvariants(p.system, only);
  return { generic: system, packed, engineReason: packed.onGeneric.length > 0 ? onGenericReason(packed) : undefined };
}

const PACKED_ONLY_HINT =
  '--engine packed runs only what the packed engine can encode (docs/engine.md); --engine auto, the default, falls back to the generic engine by itself';

/** How a worker thread builds its system (src/explore/simulate-worker.ts imports this module). */
export function createSimulationSystem(data: unknown): TransitionSystem<unknown, unknown> {
  const d = data as SimulationWorkerData;
  if (d.maxEvalWork !== undefined) setMaxEvalWork(d.maxEvalWork);
  const { spec } = loadSpec(d.path, d.text);
  const check = d.check === undefined ? undefined : selectChecks(spec, d.check)[0];
  const overrides = configOverrides(check, constOverrides(spec, d.consts));
  const s = buildSystems(spec, check, overrides, d.packed ? 'packed' : 'generic');
  return (d.packed ? s.packed! : s.generic) as TransitionSystem<unknown, unknown>;
}

/** Two faults are the same problem when they are of the same kind, at the same place, in the same action. */
function sameFault(a: ModelError, b: ModelError): boolean {
  const la = a.location as RuntimeLocation | undefined;
  const lb = b.location as RuntimeLocation | undefined;
  const where = (l: RuntimeLocation | undefined): string => (l ? `${l.code}@${l.span.source.path}:${l.span.start}` : '');
  const action = (e: ModelError): string => (e.label as Label | undefined)?.action ?? '';
  return where(la) === where(lb) && action(a) === action(b) && (la !== undefined || a.message === b.message);
}

const keyOf = (l: Label): string => formatLabel(l);

/** Simulates one configuration. */
export function runSimulation(spec: CheckedSpec, check: CheckedCheck | undefined, cli: ReadonlyMap<number, A.Expr>, opts: SimulateOptions): SimulationResult {
  const overrides = configOverrides(check, cli);
  const deadlock = opts.deadlock ?? check?.decl.deadlock ?? true;
  const base = { name: check?.name, expect: check?.decl.expect, deadlock };
  const summaryBase = { seed: opts.seed, depth: opts.depth, runs: opts.runs, seconds: opts.seconds };
  let systems: Systems;
  try {
    systems = buildSystems(spec, check, overrides, opts.engine ?? 'auto', opts.coverage === true);
  } catch (err) {
    if (err instanceof ModelError) {
      const verdict: Verdict = { kind: 'error' };
      const simulation: SimulationSummary = { ...summaryBase, workers: 1, walks: 0, steps: 0, generated: 0, longest: 0, elapsed: 0, timedOut: false, temporal: [] };
      return { ...base, system: undefined, result: undefined, constError: err, verdict, exitCode: exitCodeOf(verdict), workers: 1, engine: 'generic', simulation };
    }
    throw err;
  }
  const temporal = [...new Set(systems.generic.properties.map((p) => p.property))];
  let engineReason = systems.engineReason;
  if (systems.packed) {
    try {
      return simulateOn(systems.packed, systems, 'packed', undefined);
    } catch (err) {
      const gaveUp = err instanceof PackedGaveUp ? err.message : err instanceof SimulationWorkerError && err.originalName === 'PackedGaveUp' ? err.originalMessage : undefined;
      if (gaveUp === undefined) throw err;
      if (opts.engine === 'packed') throw new SpecErrors([new Diagnostic('E217', undefined, gaveUp, PACKED_ONLY_HINT)]);
      engineReason = gaveUp;
    }
  }
  return simulateOn(systems.generic, systems, 'generic', engineReason);

  function simulateOn<S>(system: TransitionSystem<S, Label>, s: Systems, engine: 'packed' | 'generic', reason: string | undefined): SimulationResult {
    const decode = engine === 'packed' ? (x: S): State => s.packed!.decode(x as unknown as number[]) : (x: S): State => x as unknown as State;
    const start = performance.now();
    const walker = new Walker<S, Label>(system, { checkDeadlock: deadlock, depth: opts.depth, seed: opts.seed });
    const init = walker.initialCheck;
    let outcome: Outcome<S, Label>;
    let walks: WalksResult = { found: undefined, walks: 0, steps: 0, generated: walker.initialGenerated, longest: 0, timedOut: false };
    let shrink: ShrinkReport | undefined;
    let workers = 1;
    if (init.kind === 'stop') {
      outcome = outcomeOfStop(init.stop, init.trace);
    } else if (init.kind === 'none') {
      outcome = { kind: 'ok' };
    } else {
      const limits = { runs: opts.runs, seconds: opts.seconds, ...(opts.progressPeriodMs !== undefined ? { progressPeriodMs: opts.progressPeriodMs } : {}) };
      // Threads pay off only for more than a handful of walks; refinements stay on this thread
      // (the workers compile the spec without the specs it imports), as in runCheck.
      // Coverage is counted where the steps run: on this thread.
      workers = opts.workers > 1 && opts.runs > 1 && !opts.coverage && (spec.refines?.length ?? 0) + (check?.refines?.length ?? 0) === 0 ? opts.workers : 1;
      if (workers > 1) {
        if (cli.size > 0 && opts.consts === undefined) throw new Error('internal error: runSimulation with workers > 1 needs the --const texts in opts.consts');
        const data: SimulationWorkerData = { path: spec.ast.source.path, text: spec.ast.source.text, check: check?.name, consts: [...(opts.consts ?? [])], packed: engine === 'packed', maxEvalWork: maxEvalWork() };
        walks = runWalksParallel(walker, limits, { workers, data }, opts.onProgress);
      } else {
        walks = runWalks(walker, limits, opts.onProgress);
      }
      // Coverage counted during the walks is complete here: shrinking replays steps again.
      system.coverage?.searchEnded();
      if (walks.found) {
        const shrunk = shrinkWalk(walker, walks.found, { keyOf, sameFault, budget: opts.shrinkBudget });
        outcome = shrunk.outcome;
        shrink = shrunk.report;
      } else {
        outcome = { kind: 'ok' };
      }
    }
    const elapsed = (performance.now() - start) / 1000;
    const decoded: Outcome<State, Label> = outcome.kind === 'ok' || outcome.kind === 'limit' ? outcome : { ...outcome, trace: { states: outcome.trace.states.map(decode), labels: outcome.trace.labels } };
    const result: ExploreResult<State, Label> = {
      outcome: decoded,
      // Walks store no states: no distinct count; depth is the longest walk's, in states.
      stats: searchStats(0, walks.generated, walks.longest + 1, 0, elapsed, 0),
    };
    let verdict: Verdict = init.kind === 'none' ? { kind: 'error' } : verdictOf(result);
    if (verdict.kind === 'limit') verdict = { kind: 'ok' };
    // A signal ended the walks before any found a problem: no verdict but that.
    if (walks.interrupted === true && verdict.kind === 'ok') verdict = { kind: 'limit', limit: 'interrupted' };
    const refinement = refinementFailureOf(spec, check, s.generic, result);
    const simulation: SimulationSummary = {
      ...summaryBase, workers, walks: walks.walks, steps: walks.steps, generated: walks.generated, longest: walks.longest, elapsed, timedOut: walks.timedOut,
      ...(walks.interrupted === true ? { interrupted: true } : {}),
      ...(walks.found ? { walk: walks.found.index } : {}), ...(shrink ? { shrink } : {}), temporal,
    };
    const coverage = opts.coverage ? (engine === 'packed' ? s.packed!.coverage : s.generic.coverage).report() : undefined;
    return {
      ...base, system: s.generic, result, verdict, exitCode: exitCodeOf(verdict), workers, engine, ...(coverage ? { coverage } : {}),
      ...(reason !== undefined ? { engineReason: reason } : {}), ...(refinement ? { refinement } : {}), simulation,
    };
  }
}
