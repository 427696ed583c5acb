/**
 * Runs one swarm job's search on one configuration (docs/scale.md): the plan of
 * src/swarm/plan.ts carried out through runCheck (a breadth-first search, its successor order
 * permuted by src/swarm/permute.ts, its seen set exact or a bit array, src/swarm/bitstate.ts)
 * or runSimulation (random walks). Returns the CheckResult the reports and exports take, and
 * the record the job writes for `spex swarm merge`, its trace already replayed. Pure of printing.
 */
import type * as A from '../lang/ast.js';
import type { CheckedCheck, CheckedSpec } from '../lang/check.js';
import { Diagnostic, SpecErrors } from '../lang/diagnostics.js';
import { EXIT, runCheck, type CheckResult, type RunOptions, type SearchVariant, type Verdict } from '../engine/run.js';
import { runSimulation } from '../engine/simulate.js';
import { DEFAULT_RUNS, DEFAULT_SHRINK_BUDGET } from '../cli/simulate.js';
import { itfOfCheck, toItf, type Json } from '../export/itf.js';
import { coverageJson } from '../export/coverage.js';
import type { TransitionSystem } from '../explore/system.js';
import type { Label } from '../lang/compile.js';
import { BitstateSet } from './bitstate.js';
import { permuted } from './permute.js';
import type { JobPlan, SwarmMode } from './plan.js';
import type { CheckRecord } from './record.js';
import { traceDoesNotReplay } from './validate.js';

export interface JobCheck {
  readonly result: CheckResult;
  readonly record: CheckRecord;
  /** Said to the user about how this check ran (e.g. a bitstate job that ran an exact search). */
  readonly note?: string;
}

/** The temporal properties a configuration checks (its `only` applied). */
function temporalProperties(spec: CheckedSpec, check: CheckedCheck | undefined): A.Name[] {
  const only = check?.decl.only?.map((n) => n.text);
  return spec.properties.filter((p) => !only || only.includes(p.name)).map((p) => p.decl.name);
}

/**
 * E257 before any check runs: bitstate hashing the user asked for, on configurations with
 * temporal properties (which need the whole state graph, every state numbered).
 */
export function refuseForcedBitstate(spec: CheckedSpec, checks: readonly (CheckedCheck | undefined)[], plan: JobPlan, forced: boolean): void {
  if (!forced || plan.mode !== 'bitstate') return;
  for (const check of checks) {
    const name = temporalProperties(spec, check)[0];
    if (name) throw bitstateCannot(name, check);
  }
}

function bitstateCannot(name: A.Name, check: CheckedCheck | undefined): SpecErrors {
  return new SpecErrors([new Diagnostic('E257', name.span, `bitstate hashing cannot check temporal property '${name.text}'${check ? ` of check '${check.name}'` : ''}`, 'a temporal property needs the whole state graph, every state numbered; leave it to a check without --bitstate (`only` names what a check checks), or run this job with --swarm-mode bfs')]);
}

/**
 * Runs the plan on one configuration. `forced`: the user asked for bitstate hashing
 * (--bitstate or --swarm-mode bitstate), so a configuration it cannot check is an error
 * (E257) rather than a quiet change of mode. Throws SpecErrors as runCheck does.
 */
export function runSwarmCheck(
  spec: CheckedSpec,
  check: CheckedCheck | undefined,
  cli: Map<number, A.Expr>,
  file: string,
  plan: JobPlan,
  base: RunOptions,
  forced: boolean,
): JobCheck {
  const temporal = temporalProperties(spec, check);
  let mode: SwarmMode = plan.mode;
  let note: string | undefined;
  if (mode === 'bitstate' && temporal.length > 0) {
    const name = temporal[0]!;
    if (forced) throw bitstateCannot(name, check);
    mode = 'bfs';
    note = `note: ${check?.name ?? spec.name} checks temporal property '${name.text}', which bitstate hashing cannot: this job runs an exact breadth-first search instead`;
  }
  const out = mode === 'simulate' ? simulateJob(spec, check, cli, plan, base) : searchJob(spec, check, cli, plan, base, mode);
  const record = withTrace(spec, check, cli, file, out.result, out.record);
  return { result: out.result, record, ...(note ? { note } : {}) };
}

/** A check's record before its trace is replayed and added. */
type Unreplayed = Omit<CheckRecord, 'trace' | 'steps' | 'replayed'>;

/** The verdict fields of a record. */
function verdictOf(v: Verdict): Pick<CheckRecord, 'verdict' | 'name'> {
  if (v.kind === 'violation') return { verdict: 'violation', name: v.name };
  if (v.kind === 'limit') return { verdict: 'limit', name: v.limit };
  return { verdict: v.kind, name: null };
}

/** A breadth-first job: exhaustive, permuted, depth-bounded or bitstate. */
function searchJob(spec: CheckedSpec, check: CheckedCheck | undefined, cli: Map<number, A.Expr>, plan: JobPlan, base: RunOptions, mode: SwarmMode): { result: CheckResult; record: Unreplayed } {
  let set: BitstateSet | undefined;
  const orderSeed = plan.orderSeed;
  const search: { -readonly [K in keyof SearchVariant]: SearchVariant[K] } = {};
  if (orderSeed !== undefined) search.wrap = <S, T extends TransitionSystem<S, Label>>(system: T): T => permuted<S, Label, T>(system, orderSeed);
  if (mode === 'bitstate') {
    const b = plan.bitstate!;
    // Each exploration of the configuration (the pilot, the search) starts on a clear array.
    search.seenSet = () => (set = new BitstateSet(b.log2, b.hashes));
  }
  const maxDepth = mode === 'depth' ? plan.maxDepth : base.maxDepth;
  const opts: RunOptions = { ...base, workers: 1, workersChosen: false, search, ...(maxDepth !== undefined ? { maxDepth } : {}) };
  let result = runCheck(spec, check, cli, opts);
  const stats = result.result?.stats;
  const outcome = result.result?.outcome;
  const lossy = mode === 'bitstate';
  const complete = outcome?.kind === 'ok' && (stats?.distinct ?? 0) > 0 && !(result.temporal && 'inconclusive' in result.temporal);
  const exhaustive = complete && !lossy && result.verdict.kind === 'ok';
  let partial: string | null = null;
  if (!exhaustive) {
    if (result.verdict.kind === 'violation' || result.verdict.kind === 'deadlock' || result.verdict.kind === 'error') partial = 'violation';
    else if (outcome?.kind === 'limit') partial = outcome.limit;
    else if (lossy) partial = 'bitstate';
    else partial = 'incomplete';
  }
  // A lossy search's trace need not be a shortest one: a state lost on a shorter path.
  if (lossy) result = { ...result, traceNote: 'from a bitstate search, not known to be a shortest one' };
  // A partial search that found nothing is not a pass: it exits as a search cut short does.
  if (partial !== null && partial !== 'violation' && result.verdict.kind === 'ok') result = { ...result, exitCode: EXIT.limit };
  const record: Unreplayed = {
    check: check?.name ?? null,
    ...verdictOf(result.verdict),
    exitCode: result.exitCode,
    search: mode,
    engine: result.engine,
    exhaustive,
    partial,
    shortest: !lossy,
    distinct: stats?.distinct ?? 0,
    generated: stats?.generated ?? 0,
    depth: stats?.depth ?? 0,
    seconds: stats?.seconds ?? 0,
    bitstate: set ? { log2: set.log2, hashes: set.hashes, fill: set.fill, lossProbability: set.lossProbability } : null,
    simulation: null,
    temporalUnchecked: [],
    coverage: result.coverage && result.result ? coverageJson(result.coverage, complete && !lossy) : null,
  };
  return { result, record };
}

/** A random-walk job: spex simulate with the job's seed. */
function simulateJob(spec: CheckedSpec, check: CheckedCheck | undefined, cli: Map<number, A.Expr>, plan: JobPlan, base: RunOptions): { result: CheckResult; record: Unreplayed } {
  let result: CheckResult = runSimulation(spec, check, cli, {
    ...(base.consts ? { consts: base.consts } : {}),
    ...(check ? { check: check.name } : {}),
    ...(base.deadlock !== undefined ? { deadlock: base.deadlock } : {}),
    ...(base.engine ? { engine: base.engine } : {}),
    ...(base.coverage ? { coverage: true } : {}),
    depth: plan.walkDepth!,
    runs: DEFAULT_RUNS,
    seconds: Infinity,
    seed: plan.orderSeed!,
    workers: 1,
    shrinkBudget: DEFAULT_SHRINK_BUDGET,
  });
  const sim = result.simulation!;
  const found = result.verdict.kind === 'violation' || result.verdict.kind === 'deadlock' || result.verdict.kind === 'error';
  if (!found && !result.constError) result = { ...result, exitCode: EXIT.limit };
  const record: Unreplayed = {
    check: check?.name ?? null,
    ...verdictOf(result.verdict),
    exitCode: result.exitCode,
    search: 'simulate',
    engine: result.engine,
    exhaustive: false,
    partial: found ? 'violation' : 'simulation',
    shortest: found && (sim.shrink === undefined || sim.shrink.shortest),
    distinct: 0,
    generated: sim.generated,
    depth: sim.longest + 1,
    seconds: sim.elapsed,
    bitstate: null,
    simulation: { seed: sim.seed, walks: sim.walks, steps: sim.steps, depth: sim.depth },
    temporalUnchecked: [...sim.temporal],
    coverage: result.coverage ? coverageJson(result.coverage, false) : null,
  };
  return { result, record };
}

/** The record with its trace, replayed first: a trace that does not replay is a bug of spex. */
function withTrace(spec: CheckedSpec, check: CheckedCheck | undefined, cli: Map<number, A.Expr>, file: string, r: CheckResult, rec: Unreplayed): CheckRecord {
  const itf = itfOfCheck(r, file, spec.name);
  if (!itf) return { ...rec, trace: null, steps: null, replayed: null };
  const json = toItf(itf.trace, itf.meta) as Json;
  const why = traceDoesNotReplay(spec, check, cli, json);
  if (why !== undefined) throw new Error(`internal error: the ${rec.search} search's trace for ${check?.name ?? spec.name} does not replay: ${why}`);
  return { ...rec, trace: json, steps: Math.max(0, itf.trace.states.length - 1), replayed: true };
}

