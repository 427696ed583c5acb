/**
 * The pipeline from a spec file to verdicts: parse, check, then for each configuration
 * (a `check` block, or the spec's defaults when it has none) compile and explore.
 * Pure of printing: results are data for src/cli/ and the exporters.
 */
import { dirname, isAbsolute, join as joinPath, resolve as resolvePath } from 'node:path';
import { linkImport } from '../lang/link.js';
import type * as A from '../lang/ast.js';
import { parseExpr, parseSpec } from '../lang/parser.js';
import { readFailure, readSpecFile, stackOverflowAsE104 } from '../lang/input.js';
import { checkSpec, type CheckedCheck, type CheckedSpec } from '../lang/check.js';
import { checkStepOf, compileSpec, type CompiledSpec, type Label, type State } from '../lang/compile.js';
import { compileFairness, compileGroupFairness } from '../lang/compile-temporal.js';
import { compilePacked, PackedGaveUp, type PackedSpec } from '../lang/packed/index.js';
import { compileSymmetry, symmetryOf, withSymmetry, type Canonicaliser } from '../lang/symmetry.js';
import { Diagnostic, SpecErrors, didYouMean, nameList } from '../lang/diagnostics.js';
import { Interrupted, interruptSignal, memoryNote, setPhase } from '../explore/guard.js';
import { onFlatLevels, type LimitKind } from '../explore/explorer.js';
import { explore, ModelError, type ExploreOptions, type ExploreResult, type RecordGraph, type StateGraph, type Trace } from '../explore/index.js';
import { exploreParallel } from '../explore/parallel/explorer.js';
import { ValueStateCodec } from '../lang/value-codec.js';
import { SharedBuffersUnavailable, WorkerError, exploreVectorsParallel } from '../explore/parallel/vector-explorer.js';
import type { ThreadsReport } from '../explore/parallel/auto.js';
import { availableParallelism } from 'node:os';
import type { SpecWorkerData } from './worker-system.js';
import { maxEvalWork } from '../lang/work.js';
import { checkProperties, temporalSetup, type TemporalResult } from './temporal.js';
import { AnalysisOverBudget } from '../explore/liveness.js';
import { compileRefinement, refinementMessage, type Refinement, type RefinementFailure } from './refine.js';
import type { Invariant, StepViolation, TransitionSystem } from '../explore/system.js';
import type { SeenSet } from '../explore/seen-set.js';
import type { SimulationSummary } from './simulate.js';
import { coverageSites, type CoverageReport } from '../lang/coverage.js';
import { resolveShows, type ShownExpr } from '../lang/show.js';
import { kernelLookup, type KernelOf } from '../lang/kernel.js';
import { createHash } from 'node:crypto';
import { accessSync, constants as fsConstants, mkdirSync, realpathSync } from 'node:fs';
import { DiskError, VectorCodec } from '../explore/disk/files.js';
import { exploreOnDisk, type DiskOptions } from '../explore/disk/explorer.js';
import { hasManifest } from '../explore/disk/checkpoint.js';
import type { StateCodec } from '../explore/parallel/bytes.js';
import { formatLabel } from '../lang/label.js';
import { groupDigits } from '../values/format.js';

export interface LoadedSpec {
  readonly source: A.Source;
  readonly spec: CheckedSpec;
}

/**
 * Reads, parses and checks a spec file, and each spec it imports, file by file (each checked
 * on its own, its diagnostics carrying its own path), then links every import. Throws
 * SpecErrors.
 */
export function loadSpec(path: string, text?: string): LoadedSpec {
  return loadWithImports(path, text, { files: [], at: new Map(), done: new Map() });
}

/**
 * The files of one loadSpec: those on the chain of imports being followed (as opened, and by
 * identity, for cycles) and those already loaded. A file imported by several specs (a diamond:
 * B and C both import D) is read and checked once, and its mistakes reported once: loading it
 * again for every path that leads to it took time and memory exponential in the depth of such
 * diamonds.
 */
interface ImportWalk {
  readonly files: string[];
  /** The position in `files` of each file on the chain, by identity (fileIdentity). */
  readonly at: Map<string, number>;
  /** The files loaded so far, by identity: the spec, or whether its failure stopped at the error limit. */
  readonly done: Map<string, LoadedSpec | { readonly stopped: boolean }>;
}

/**
 * What names one file, whatever the path that leads to it: its real path (symbolic links
 * resolved, so that a link back to a folder above does not hide a cycle behind ever longer
 * paths), else its absolute path.
 */
function fileIdentity(path: string): string {
  try {
    return realpathSync(path);
  } catch {
    return resolvePath(path);
  }
}

/** loadSpec, `walk` holding the files whose imports led here, for cycles, and those done. */
function loadWithImports(path: string, text: string | undefined, walk: ImportWalk): LoadedSpec {
  const loaded = loadOne(path, text);
  const imports = loaded.spec.imports ?? [];
  if (imports.length === 0) return loaded;
  const diags: Diagnostic[] = [];
  // Whether the checker stopped at its error limit in one of the imported specs.
  let stopped = false;
  // Whether an imported spec failed whose mistakes were reported where another spec imports it.
  let failed = false;
  const self = fileIdentity(path);
  walk.at.set(self, walk.files.length);
  walk.files.push(path);
  try {
    for (const imp of imports) {
      if (imp.decl.path === '') {
        // Else the importing file's directory, "cannot read .: it is a directory".
        diags.push(new Diagnostic('E229', imp.decl.pathSpan, `cannot import ${imp.name}: the path is empty`, 'give the path of the .spex file to import, relative to the importing file'));
        continue;
      }
      // Relative to the importing file; an absolute path is taken as it is.
      const file = isAbsolute(imp.decl.path) ? imp.decl.path : joinPath(dirname(path), imp.decl.path);
      const id = fileIdentity(file);
      const at = walk.at.get(id);
      if (at !== undefined) {
        const cycle = [...walk.files.slice(at), file];
        diags.push(new Diagnostic('E232', imp.decl.pathSpan, `import cycle: ${cycle[0]} imports ${cycle.slice(1).join(', which imports ')}`, 'a spec cannot import itself, directly or through others: move what both need into a third spec'));
        continue;
      }
      const before = walk.done.get(id);
      if (before !== undefined && !('spec' in before)) {
        failed = true;
        stopped ||= before.stopped;
        continue;
      }
      let imported: LoadedSpec;
      if (before !== undefined) imported = before;
      else {
        try {
          imported = loadWithImports(file, undefined, walk);
          walk.done.set(id, imported);
        } catch (e) {
          if (e instanceof SpecErrors) {
            // A file that is not a regular one, or too large (E102, E101): said at the import.
            const unreadable = e.diagnostics.length === 1 && e.diagnostics[0]!.span === undefined && (e.diagnostics[0]!.code === 'E101' || e.diagnostics[0]!.code === 'E102') ? e.diagnostics[0]! : undefined;
            if (unreadable) diags.push(new Diagnostic('E229', imp.decl.pathSpan, `cannot import ${imp.name}: ${unreadable.message}`, unreadable.hint));
            else diags.push(...e.diagnostics);
            stopped ||= e.stopped;
            walk.done.set(id, { stopped: e.stopped });
            continue;
          }
          const unread = readFailure(e);
          if (unread !== undefined) {
            diags.push(new Diagnostic('E229', imp.decl.pathSpan, `cannot import ${imp.name}: ${unread}`, 'the path is relative to the importing file'));
            continue;
          }
          throw e;
        }
      }
      diags.push(...linkImport(loaded.spec, imp, imported.spec));
    }
  } finally {
    walk.files.pop();
    walk.at.delete(self);
  }
  if (diags.length > 0 || failed) throw new SpecErrors(diags, stopped);
  return loaded;
}

function loadOne(path: string, text?: string): LoadedSpec {
  if (text === undefined) {
    try {
      text = readSpecFile(path);
    } catch (e) {
      // Some read errors (EISDIR) do not say which file; the report needs it.
      (e as NodeJS.ErrnoException).path ??= path;
      throw e;
    }
  }
  const source: A.Source = { path, text };
  setPhase(`parsing ${path}`);
  const ast = parseSpec(source);
  setPhase(`checking ${path}`);
  try {
    return { source, spec: checkSpec(ast) };
  } catch (e) {
    throw stackOverflowAsE104(e, source, ast);
  }
}

export interface RunOptions {
  /** Only this check (by name). */
  readonly check?: string;
  /** `NAME=VALUE` overrides from the command line, applied over a check block's own. */
  readonly consts?: readonly string[];
  /** Deadlock detection; undefined means: as the check block says, else on. */
  readonly deadlock?: boolean;
  readonly maxStates?: number;
  readonly maxDepth?: number;
  /**
   * The most milliseconds the pilot of a spec with large packed code takes (default
   * MAX_PILOT_MS): tests set it to 0 or Infinity, so that which engine runs does not depend
   * on the machine's speed.
   */
  readonly pilotMs?: number;
  readonly onProgress?: (p: { distinct: number; generated: number; depth: number; queue: number; seconds: number; expanding?: number; step?: string }) => void;
  /** Milliseconds between two progress reports (default 1,000). */
  readonly progressPeriodMs?: number;
  /**
   * Worker threads to explore with (default 1: the single-threaded explorer, in this thread).
   * With more, each worker compiles the spec itself from its source text, the check's name and
   * `consts`, so `consts` must be the texts the `cli` overrides were parsed from. `auto`: up to
   * one thread per core, as many as measured throughput says (docs/parallel.md); the CLI's
   * default.
   */
  readonly workers?: number | 'auto';
  /**
   * Whether `workers` was the user's explicit choice: only then is falling back to one worker
   * (symmetry, coverage, refinements) worth a note. `auto` falls back quietly.
   */
  readonly workersChosen?: boolean;
  /**
   * Which engine computes the states (docs/engine.md): `packed`, generated JavaScript over
   * integer vectors, for specs it can encode; `generic`, closures over immutable values, for
   * every spec; `auto` (the default), packed when it can, else generic.
   */
  readonly engine?: EngineChoice;
  /**
   * Explore with the configuration's symmetry even though it checks temporal properties, step
   * properties or refinements, which symmetry reduction may make unsound (E243 otherwise).
   */
  readonly unsoundSymmetry?: boolean;
  /**
   * Count, per step and binding, how often it was evaluated, enabled and taken and how many new
   * states it found, and per require/await/pick how often it blocked (docs/coverage.md). Runs
   * on one thread.
   */
  readonly coverage?: boolean;
  /** `--show NAME`: definitions (without parameters) and views to print in every state of a trace. */
  readonly show?: readonly string[];
  /** A swarm job's search (src/swarm/job.ts): a seeded successor order, a lossy seen set. One thread. */
  readonly search?: SearchVariant;
  /** The disk-backed search and checkpoints (docs/scale.md). */
  readonly disk?: DiskRunOptions;
}

/**
 * How a swarm job's search differs from the plain one: `wrap` is applied to the system
 * explored, on either engine (src/swarm/permute.ts: a seeded successor order), and `seenSet`
 * replaces the exact seen set (src/swarm/bitstate.ts). The caller runs it with one worker.
 */
export interface SearchVariant {
  readonly wrap?: <S, T extends TransitionSystem<S, Label>>(system: T) => T;
  readonly seenSet?: () => SeenSet;
}

/** `--no-spill`, `--spill-dir`, `--checkpoint`, `--checkpoint-every`, `--resume` (docs/scale.md). */
export interface DiskRunOptions {
  /** Go on on disk when the memory budget is reached (default true); false: stop there (limit 'memory'). */
  readonly spill?: boolean;
  /** Where the spill files go (default: the OS's temporary directory). */
  readonly spillDir?: string;
  /** Write checkpoints into this directory (a subdirectory per check); the search runs on disk, on one thread. */
  readonly checkpoint?: string;
  /** Minutes between two checkpoints (default 10). */
  readonly checkpointEveryMinutes?: number;
  /** Continue from the checkpoint in `checkpoint` (a check without one there starts afresh). */
  readonly resume?: boolean;
  /** Tests and the bench: a checkpoint after this many expansions too. */
  readonly checkpointEveryStates?: number;
  /** Tests: the process kills itself (SIGKILL) right after this many checkpoints. */
  readonly killAfterCheckpoints?: number;
}

/** Minutes between two checkpoints by default. */
export const DEFAULT_CHECKPOINT_MINUTES = 10;

/** The directory of one configuration's checkpoint: a subdirectory named after the check (or the spec). */
export function checkpointDirOf(dir: string, spec: CheckedSpec, check: CheckedCheck | undefined): string {
  return joinPath(dir, check?.name ?? spec.name);
}

/** E251 unless one of the configurations to run has a checkpoint in `dir`. */
export function requireCheckpoint(dir: string, spec: CheckedSpec, checks: readonly (CheckedCheck | undefined)[]): void {
  if (checks.some((c) => hasManifest(checkpointDirOf(dir, spec, c)))) return;
  throw new SpecErrors([new Diagnostic('E251', undefined, `cannot resume from ${dir}: it holds no checkpoint of ${checks.length === 1 && checks[0] ? `check '${checks[0].name}'` : `spec ${spec.name}`}`, 'give --resume the directory a run with --checkpoint wrote to; a run that finished removes its checkpoint')]);
}

/** Creates the --checkpoint directory before any check runs (E250 if it cannot be). */
export function prepareCheckpointDir(dir: string): void {
  try {
    mkdirSync(dir, { recursive: true });
    accessSync(dir, fsConstants.W_OK);
  } catch (e) {
    const ne = e as NodeJS.ErrnoException;
    const why = ne.code === 'ENOENT' ? 'a directory on its path cannot be created' : ne.code === 'EACCES' || ne.code === 'EPERM' ? 'permission denied' : ne.code === 'ENOTDIR' || ne.code === 'EEXIST' ? 'a file on its path is not a directory' : ne.code === 'EROFS' ? 'the file system is read-only' : (ne.code ?? String(e));
    throw new SpecErrors([new Diagnostic('E250', undefined, `cannot write checkpoints into ${dir}: ${why}`, 'give --checkpoint (or --resume) a directory spex can create and write')]);
  }
}

/**
 * A DiskError as the CLI reports it: E250–E252, about the command line, as static errors
 * (exit 120); E712, a file that failed during the search, stays a DiskError (an I/O error, exit 1).
 */
function diskDiagnostic(e: DiskError): Error {
  if (e.code === 'E712') return e;
  return new SpecErrors([new Diagnostic(e.code, undefined, e.message, e.hint)]);
}

export type EngineChoice = 'auto' | 'packed' | 'generic';

/** How one configuration ended, in the terms a user checks against `expect`. */
export type Verdict =
  | { kind: 'ok' }
  /** `temporal`: a property is violated (exit 13), not an invariant or an assert. */
  | { kind: 'violation'; name: string; temporal?: true }
  | { kind: 'deadlock' }
  | { kind: 'error' }
  | { kind: 'limit'; limit: LimitKind };

/** Why the temporal properties have no answer. */
export interface TemporalInconclusive {
  readonly inconclusive: LimitKind;
  /** The search was complete: the interrupt stopped the analysis of the graph, or (`memory`) it would have passed --max-memory. */
  readonly analysis?: boolean;
  /** The search was complete, but ended exactly at the states or depth limit (limitReached). */
  readonly reached?: boolean;
}

/**
 * The limit a complete search ended exactly at: `states` when it stored --max-states states,
 * `depth` when it stored states at --max-depth. Past those the explorers stop recording the
 * state graph's edges, so its analysis would see dead ends that are not the spec's.
 */
function limitReached(stats: { readonly distinct: number; readonly depth: number }, opts: { readonly maxStates?: number; readonly maxDepth?: number }): 'states' | 'depth' | undefined {
  if (opts.maxStates !== undefined && stats.distinct >= opts.maxStates) return 'states';
  if (opts.maxDepth !== undefined && stats.depth >= opts.maxDepth) return 'depth';
  return undefined;
}

export interface CheckResult {
  /** The check block's name, or undefined for a spec run with its defaults. */
  readonly name: string | undefined;
  readonly expect: A.Expectation | undefined;
  readonly deadlock: boolean;
  readonly system: CompiledSpec | undefined;
  /** The exploration; undefined if the constants themselves could not be evaluated. */
  readonly result: ExploreResult<State, Label> | undefined;
  /** A run-time error while evaluating the constants. */
  readonly constError?: ModelError;
  /**
   * The temporal properties, when the spec has some: checked once the search completed
   * without another error; `inconclusive` when a limit cut the state graph short.
   */
  readonly temporal?: TemporalResult | TemporalInconclusive;
  readonly verdict: Verdict;
  readonly exitCode: number;
  /** Worker threads the exploration used (1 for the single-threaded explorer). */
  readonly workers: number;
  /**
   * How many threads explored at most, and why (with `--workers auto`, what the measurements
   * said). Undefined when no search ran.
   */
  readonly threads?: ThreadsReport;
  /** The engine that computed the states. */
  readonly engine: 'packed' | 'generic';
  /** With `auto`, why the packed engine could not take this configuration. */
  readonly engineReason?: string;
  /** Something the user should know about how the run went (stderr), e.g. fewer workers used. */
  readonly note?: string;
  /** The symmetry the states were reduced by (docs/symmetry.md), when the configuration declares one. */
  readonly symmetry?: {
    readonly description: string;
    readonly groupSize: number;
    /** The permutations the canonical form tried per state, on average (docs/symmetry.md). */
    readonly triedPerState: number;
  };
  /** When the verdict is a refinement's violation: why its last state or step does not map. */
  readonly refinement?: { readonly refinement: Refinement; readonly failure: RefinementFailure; readonly message: string };
  /** Set by `spex simulate` (src/engine/simulate.ts): the trace comes from a random walk, shrunk. */
  readonly simulation?: SimulationSummary;
  /** With `coverage`: the counts of the search (docs/coverage.md). */
  readonly coverage?: CoverageReport;
  /**
   * Per coverage step site (src/lang/coverage.ts): whether the step ever emitted a successor
   * in this run. With `complete`, the basis of W100 (neverEnabledWarnings).
   */
  readonly reached?: Uint8Array;
  /** Whether the search covered every reachable state (no limit or violation cut it short). */
  readonly complete?: boolean;
  /** The expressions shown in every state of a trace: the spec's `show`s, the check's, `--show`'s. */
  readonly shown?: readonly ShownExpr[];
  /** The kernel function each step stands for (`@kernel`), when some step carries one. */
  readonly kernelOf?: KernelOf;
  /** What a report says of the trace's length when it is not known to be a shortest one (a swarm job's lossy search). */
  readonly traceNote?: string;
}

interface RefinementChecks {
  readonly all: Refinement[];
  /** The check of every step (undefined without refinements). */
  readonly checkStep?: (from: State, to: State, label: Label) => StepViolation | undefined;
  /**
   * The check of the initial states, as invariants named after the imports: present only for
   * a refinement that some initial state breaks, and false exactly on those initial states
   * (by fingerprint), so a run that passes pays nothing for it.
   */
  readonly invariants: Invariant<State>[];
}

/** The refinements a configuration checks: the spec's `refines`, then its check block's. */
function refinementChecks(spec: CheckedSpec, check: CheckedCheck | undefined, system: CompiledSpec): RefinementChecks {
  const imports = [...(spec.refines ?? [])];
  for (const imp of check?.refines ?? []) if (!imports.includes(imp)) imports.push(imp);
  if (imports.length === 0) return { all: [], invariants: [] };
  const all = imports.map((imp) => compileRefinement(spec, system, imp));
  const checkStep = refinementStepCheck(all, (s: State, out) => system.fingerprint(s, out), (s) => s);
  const fp = new Uint32Array(2);
  const key = (s: State): string => {
    system.fingerprint(s, fp);
    return `${fp[0]}:${fp[1]}`;
  };
  const initial: State[] = [];
  try {
    system.initialStates((s) => initial.push(system.copyState ? system.copyState(s) : s));
  } catch (err) {
    // The exploration meets the same error and reports it.
    if (err instanceof ModelError) return { all, checkStep, invariants: [] };
    throw err;
  }
  const invariants: Invariant<State>[] = [];
  for (const r of all) {
    const bad = new Set<string>();
    for (const s of initial) {
      let ok: boolean;
      try {
        ok = r.initialOk(s);
      } catch (err) {
        if (!(err instanceof ModelError)) throw err;
        // A run-time error in the mapping: the invariant evaluates it again, and reports it.
        ok = false;
      }
      if (!ok) bad.add(key(s));
    }
    if (bad.size > 0) invariants.push({ name: r.name, holds: (s) => !bad.has(key(s)) || r.initialOk(s) });
  }
  return { all, checkStep, invariants };
}

/** The images' keys kept per refinement before the memo of refinementStepCheck starts again. */
const IMAGE_MEMO_MAX = 1 << 20;

/**
 * The refinements' check of a step between states of type S: the generic engine's, or the
 * packed engine's vectors, which `decode` turns into the generic states the mappings read.
 * Each refinement keeps the key of a state's image (Refinement.imageKey, judged by
 * stepKeysOk) by the state's fingerprint, so that a state is mapped once however many steps
 * reach it or leave it (the mapping, evaluated on every step, took four fifths of a search
 * of barriers.spex), up to `memoMax` states, after which the memo starts again. The
 * refinements are judged in order, the first one's mapping evaluated before the second's, as
 * without the memo. Exported for its tests.
 */
export function refinementStepCheck<S>(
  all: readonly Refinement[],
  fingerprint: (s: S, out: Uint32Array) => void,
  decode: (s: S) => State,
  memoMax = IMAGE_MEMO_MAX,
): (from: S, to: S) => StepViolation | undefined {
  // Per refinement, by 53 bits of a state's fingerprint: its other bits and its image's key.
  // Two states that share those 53 bits take turns in the entry.
  const memos = all.map(() => new Map<number, { lo: number; key: string }>());
  const imageKey = (i: number, s: S, hi: number, lo: number): string => {
    const memo = memos[i]!;
    const id = hi * 2 ** 21 + (lo >>> 11);
    const kept = memo.get(id);
    if (kept !== undefined && kept.lo === lo) return kept.key;
    const key = all[i]!.imageKey(decode(s));
    if (memo.size >= memoMax) memo.clear();
    memo.set(id, { lo, key });
    return key;
  };
  const fp = new Uint32Array(2);
  // The steps of a state are judged one after another: its fingerprint and keys are kept.
  let fromHi = -1;
  let fromLo = -1;
  const fromKeys: (string | undefined)[] = all.map(() => undefined);
  return (from, to) => {
    fingerprint(from, fp);
    if (fp[0] !== fromHi || fp[1] !== fromLo) {
      fromHi = fp[0]!;
      fromLo = fp[1]!;
      fromKeys.fill(undefined);
    }
    fingerprint(to, fp);
    const hi = fp[0]!;
    const lo = fp[1]!;
    for (let i = 0; i < all.length; i++) {
      const r = all[i]!;
      const fromKey = (fromKeys[i] ??= imageKey(i, from, fromHi, fromLo));
      if (!r.stepKeysOk(fromKey, imageKey(i, to, hi, lo), () => r.map(decode(from)))) return { name: r.name };
    }
    return undefined;
  };
}

/**
 * The system with the refinements a configuration checks: their checks of the initial states
 * among its invariants and their step checks in checkStep (for `spex replay`, which judges a
 * recorded violation on the generic engine). Throws a ModelError if an imported spec's
 * constants cannot be evaluated.
 */
export function withRefinements(spec: CheckedSpec, check: CheckedCheck | undefined, system: CompiledSpec): CompiledSpec {
  const r = refinementChecks(spec, check, system);
  let out = system;
  if (r.invariants.length > 0) out = { ...out, invariants: [...out.invariants, ...r.invariants] };
  if (r.checkStep) out = withStepCheck(out, r.checkStep);
  return out;
}

/** The system with `check` run on every step, after the step checks it already has. */
function withStepCheck<S, T extends TransitionSystem<S, Label>>(system: T, check: (from: S, to: S, label: Label) => StepViolation | undefined): T {
  const own = system.checkStep?.bind(system);
  return { ...system, checkStep: own ? (from: S, to: S, label: Label) => own(from, to, label) ?? check(from, to, label) : check };
}

/** Why a run's violation of a refinement happened: its trace's last state or step, mapped. */
function refinementFailure(all: readonly Refinement[], result: ExploreResult<State, Label>): CheckResult['refinement'] {
  const o = result.outcome;
  if (o.kind !== 'invariant') return undefined;
  const r = all.find((x) => x.name === o.invariant);
  if (!r) return undefined;
  const states = o.trace.states;
  const last = states[states.length - 1]!;
  const failure = r.explain(states.length > 1 ? states[states.length - 2] : undefined, last);
  return failure ? { refinement: r, failure, message: refinementMessage(r.name, failure) } : undefined;
}

/**
 * For a result found otherwise than by runCheck (`spex simulate`): why its violation of a
 * refinement the configuration checks happened, if it is one.
 */
export function refinementFailureOf(spec: CheckedSpec, check: CheckedCheck | undefined, system: CompiledSpec, result: ExploreResult<State, Label>): CheckResult['refinement'] {
  const imports = [...(spec.refines ?? [])];
  for (const imp of check?.refines ?? []) if (!imports.includes(imp)) imports.push(imp);
  if (imports.length === 0) return undefined;
  return refinementFailure(imports.map((imp) => compileRefinement(spec, system, imp)), result);
}

/** TLC's exit codes (design.md). */
export const EXIT = {
  ok: 0,
  deadlock: 11,
  safety: 12,
  liveness: 13,
  evaluation: 75,
  static: 120,
  syntax: 150,
  limit: 152,
  /** Interrupted by SIGINT (Ctrl-C) or SIGTERM: 128 + the signal's number, as shells report it. */
  sigint: 130,
  sigterm: 143,
  internal: 255,
} as const;

/** Whether a signal stopped the run of this verdict (SIGINT, SIGTERM). */
export function wasInterrupted(v: Verdict): boolean {
  return v.kind === 'limit' && v.limit === 'interrupted';
}

/** The exit code of a run interrupted by `signal` (its number): 128 + signal, as shells report it. */
export function interruptedExit(signal: number): number {
  return 128 + (signal === 0 ? 2 : signal);
}

/** The configurations a run covers: every check block, or one, or the defaults. */
export function selectChecks(spec: CheckedSpec, name: string | undefined): (CheckedCheck | undefined)[] {
  if (name === undefined) return spec.checks.length > 0 ? spec.checks : [undefined];
  const found = spec.checks.find((c) => c.name === name);
  if (!found) {
    const names = spec.checks.map((c) => c.name);
    const hint = didYouMean(name, names) ?? (names.length ? `the checks are: ${nameList(names)}` : 'this spec has no check blocks');
    throw new SpecErrors([new Diagnostic('E213', undefined, `no check named '${name}' in ${spec.ast.source.path}`, hint)]);
  }
  return [found];
}

/** Parses and type-checks the command line's `--const NAME=VALUE` overrides. */
export function constOverrides(spec: CheckedSpec, consts: readonly string[]): Map<number, A.Expr> {
  const out = new Map<number, A.Expr>();
  const given = new Map<number, string>();
  const diags: Diagnostic[] = [];
  for (const text of consts) {
    const eq = text.indexOf('=');
    if (eq <= 0) {
      diags.push(new Diagnostic('E214', undefined, `--const expects NAME=VALUE, not '${text}'`));
      continue;
    }
    const name = text.slice(0, eq).trim();
    const c = spec.consts.find((x) => x.name === name);
    if (!c) {
      diags.push(new Diagnostic('E214', undefined, `'${name}' is not a constant of spec ${spec.name}`, didYouMean(name, spec.consts.map((x) => x.name))));
      continue;
    }
    // Given twice (a script that appends options, a typo): which one was meant? As a check
    // block giving a constant twice (E215), refused rather than the last taken.
    const before = given.get(c.index);
    if (before !== undefined) {
      diags.push(new Diagnostic('E214', undefined, `--const ${name} is given twice ('${before}', then '${text}')`, 'give each constant once'));
      continue;
    }
    given.set(c.index, text);
    try {
      const e = parseExpr({ path: `--const ${name}`, text: text.slice(eq + 1) });
      spec.checkExtra(e, c.index, `constant '${name}'`);
      out.set(c.index, e);
    } catch (err) {
      if (err instanceof SpecErrors) diags.push(...err.diagnostics);
      else throw err;
    }
  }
  if (diags.length > 0) throw new SpecErrors(diags);
  return out;
}

export function verdictOf(result: ExploreResult<State, Label>): Verdict {
  const o = result.outcome;
  switch (o.kind) {
    case 'ok':
      return { kind: 'ok' };
    case 'invariant':
      return { kind: 'violation', name: o.invariant };
    case 'deadlock':
      return { kind: 'deadlock' };
    case 'fault':
      if (o.error.kind === 'assert') return { kind: 'violation', name: (o.error.label as Label | undefined)?.action ?? 'init' };
      return { kind: 'error' };
    case 'limit':
      return { kind: 'limit', limit: o.limit };
  }
}

export function exitCodeOf(v: Verdict): number {
  switch (v.kind) {
    case 'ok':
      return EXIT.ok;
    case 'violation':
      return v.temporal ? EXIT.liveness : EXIT.safety;
    case 'deadlock':
      return EXIT.deadlock;
    case 'error':
      return EXIT.evaluation;
    case 'limit':
      return v.limit === 'interrupted' ? interruptedExit(interruptSignal()) : EXIT.limit;
  }
}

/** The constants of a configuration: the check block's own, then the command line's over them. */
export function configOverrides(check: CheckedCheck | undefined, cli: ReadonlyMap<number, A.Expr>): Map<number, A.Expr> {
  const overrides = new Map<number, A.Expr>();
  for (const o of check?.overrides ?? []) overrides.set(o.index, o.value);
  for (const [k, v] of cli) overrides.set(k, v);
  return overrides;
}

/** Checks the `--show` names against the spec before any check runs (E246). */
export function checkShowNames(spec: CheckedSpec, names: readonly string[] | undefined): void {
  const diags: Diagnostic[] = [];
  resolveShows(spec.defs, spec.views, (names ?? []).map((text) => ({ text, span: undefined })), (d) => diags.push(d));
  if (diags.length > 0) throw new SpecErrors(diags);
}

/**
 * What the packed engine records of the state graph: the setup's step tagger, and the packed
 * predicates of the property instances `only` keeps, in the order the setup records them.
 */
export function packedRecordOf(full: CompiledSpec, all: readonly ((vec: number[]) => boolean)[], record: RecordGraph<State, Label>, only: readonly string[] | undefined): RecordGraph<number[], Label> {
  const predicates: ((vec: number[]) => boolean)[] = [];
  let k = 0;
  for (const inst of full.properties) {
    const n = inst.kind === 'general' ? inst.atoms!.length : inst.q ? 2 : 1;
    if (!only || only.includes(inst.property)) predicates.push(...all.slice(k, k + n));
    k += n;
  }
  if (predicates.length !== record.predicates.length) throw new Error('internal error: packed predicates out of step with the properties');
  return { edgeTag: record.edgeTag, predicates };
}

/** The temporal setup of a configuration (what the explorer records for its properties), or undefined. */
export function temporalSetupOf(spec: CheckedSpec, check: CheckedCheck | undefined, system: CompiledSpec): ReturnType<typeof temporalSetup> {
  return temporalSetup(system, compileFairness(spec, check?.fairness), compileGroupFairness(spec, check?.fairness), {
    actions: spec.actions.length > 0,
    processes: spec.processes.length > 0,
  });
}

/** Compiles and explores one configuration. */
export function runCheck(spec: CheckedSpec, check: CheckedCheck | undefined, cli: Map<number, A.Expr>, opts: RunOptions): CheckResult {
  const overrides = configOverrides(check, cli);
  const deadlock = opts.deadlock ?? check?.decl.deadlock ?? true;
  const showDiags: Diagnostic[] = [];
  const shows = resolveShows(spec.defs, spec.views, [...(spec.shows ?? []).map((s) => ({ text: s.name, span: undefined })), ...(check?.shows ?? []).map((s) => ({ text: s.name, span: undefined })), ...(opts.show ?? []).map((text) => ({ text, span: undefined }))], (d) => showDiags.push(d));
  if (showDiags.length > 0) throw new SpecErrors(showDiags);
  const kernelOf = kernelLookup(spec);
  const base = { name: check?.name, expect: check?.decl.expect, deadlock, ...(kernelOf ? { kernelOf } : {}) };
  let system: CompiledSpec;
  /** The system with every invariant, whatever `only` says: what the packed engine mirrors. */
  let full: CompiledSpec;
  /** The refinements this configuration checks (`refines`), and their checks on initial states. */
  let refinements: RefinementChecks;
  /** The canonical form of states, when the configuration declares a symmetry. */
  let canon: Canonicaliser | undefined;
  setPhase(`compiling ${check?.name ?? spec.name}`);
  try {
    system = full = compileSpec(spec, overrides, check, opts.coverage ? { coverage: true } : {});
    refinements = refinementChecks(spec, check, full);
    const only = check?.decl.only?.map((n) => n.text);
    system = onlyChecked(system, only);
    if (refinements.invariants.length > 0) system = { ...system, invariants: [...system.invariants, ...refinements.invariants] };
    if (refinements.checkStep) system = withStepCheck(system, refinements.checkStep);
    const syms = symmetryOf(spec, check);
    if (syms.length > 0) {
      refuseUnsoundSymmetry(spec, check, system, refinements.all.length > 0, opts.unsoundSymmetry === true);
      canon = compileSymmetry(syms, system, spec);
      system = withSymmetry(system, canon);
    }
  } catch (err) {
    if (err instanceof ModelError) {
      const verdict: Verdict = { kind: 'error' };
      return { ...base, system: undefined, result: undefined, constError: err, verdict, exitCode: exitCodeOf(verdict), workers: 1, engine: 'generic' };
    }
    throw err;
  }
  if (opts.search?.wrap) system = opts.search.wrap<State, CompiledSpec>(system);
  const exploreOpts: ExploreOptions<State, Label> = { checkDeadlock: deadlock };
  if (opts.search?.seenSet) exploreOpts.seenSet = opts.search.seenSet;
  if (opts.maxStates !== undefined) exploreOpts.maxStates = opts.maxStates;
  if (opts.maxDepth !== undefined) exploreOpts.maxDepth = opts.maxDepth;
  if (opts.onProgress !== undefined) {
    // A report from the middle of one state's expansion names the step being taken.
    const report = opts.onProgress;
    exploreOpts.onProgress = (p) => {
      const { expandingLabel, ...rest } = p;
      report(expandingLabel === undefined ? rest : { ...rest, step: formatLabel(expandingLabel as Label) });
    };
  }
  if (opts.progressPeriodMs !== undefined) exploreOpts.progressPeriodMs = opts.progressPeriodMs;
  const setup = temporalSetupOf(spec, check, system);
  if (setup) exploreOpts.recordGraph = setup.record;
  const choice = opts.engine ?? 'auto';
  let packed: PackedSpec | undefined;
  let engineReason: string | undefined;
  /** What the packed exploration records for the temporal properties. */
  let packedRecord: RecordGraph<number[], Label> | undefined;
  // Specs with processes first get a pilot on the generic engine: a search that ends within
  // PILOT_STATES states is done before compiling for the packed engine would pay off. Their
  // generated code is large (every branch of a step carries the rest of the step), some 100 KB
  // and 10 ms a check for the memcg library, whose checks have a few hundred states. Without
  // processes the packed code compiles in a millisecond or two, less than a pilot costs. A
  // configuration reduced by a symmetry runs on the generic engine whatever its size: no pilot.
  // A spec whose generated code is larger still gets a pilot in proportion to it (below).
  let pilot: ExploreResult<State, Label> | undefined;
  const eager = process.env['SPEX_WORKERS_EAGER'] === '1';
  /** A pilot of `budget` states, and with `ms`, of that many milliseconds at most (checked before each expansion). */
  const runPilot = (budget: number, ms?: number): void => {
    if (choice !== 'auto' || canon !== undefined || eager || (opts.maxStates !== undefined && opts.maxStates <= budget)) return;
    system.coverage.reset();
    let target = system;
    if (ms !== undefined && ms !== Infinity) {
      const deadline = performance.now() + ms;
      const successors = system.successors.bind(system);
      target = {
        ...system,
        successors(state, emit) {
          if (performance.now() >= deadline) throw PILOT_OUT_OF_TIME;
          successors(state, emit);
        },
      };
    }
    let r: ExploreResult<State, Label>;
    try {
      r = explore(target, { ...exploreOpts, ...wideLevels(system), maxStates: budget });
    } catch (err) {
      if (err === PILOT_OUT_OF_TIME) return;
      throw err;
    }
    if (!(r.outcome.kind === 'limit' && r.outcome.limit === 'states')) {
      pilot = r;
      engineReason = `the search ended within ${groupDigits(budget)} states, before compiling it for the packed engine would pay off`;
    }
  };
  if (spec.processes.length > 0) runPilot(PILOT_STATES);
  if (canon !== undefined && choice !== 'generic' && pilot === undefined) {
    // The packed engine's fingerprints are of its integer vectors, which it does not permute.
    const reason = 'symmetry reduction runs on the generic engine only';
    if (choice === 'packed') throw new SpecErrors([new Diagnostic('E217', symmetryOf(spec, check)[0]!.name.span, reason, PACKED_ONLY_HINT)]);
    engineReason = reason;
  } else if (choice !== 'generic' && pilot === undefined) {
    let p = compilePacked(spec, overrides, full, opts.coverage ? { coverage: true } : {});
    if (p.ok && setup && p.system.predicates === undefined) {
      const why = p.system.predicatesReason;
      p = { ok: false, reason: `the packed engine cannot compile the temporal properties${why === undefined ? '' : `: ${why}`}` };
    }
    // A function of hundreds of kilobytes takes V8 about 2 ms a kilobyte to compile and warm
    // up (a fuzz mutant whose action held 4,000 guards in a row: 1 MB, 3.0 s a check where the
    // generic engine took 0.9 s, both on 2,916 states), which a small search never earns back.
    // Many small functions do not cost that: fuzz mutant 13-899's 6,940 process instances, 2.6
    // MB of code in functions of some 400 characters (and a `succ` of 100 KB calling them),
    // checked 20,000 states in 0.85 s, compiling included, where its pilot of 10,000 states
    // took 2.5 s before it.
    // The pilot gets MAX_PILOT_MS at most: fuzz mutant 1-8799, 8,786 assignments in one step,
    // took 84 s over its 3,528 states on the generic engine, and 5.6-6.1 s packed (its step on
    // V8's interpreter, packed/index.ts `declare`).
    if (p.ok && p.system.largestFunction >= PILOT_CODE_CHARS) runPilot(Math.min(MAX_PILOT_STATES, Math.floor(p.system.source.length / PILOT_CODE_CHARS_PER_STATE)), opts.pilotMs ?? MAX_PILOT_MS);
    if (p.ok && pilot === undefined) {
      const only = check?.decl.only?.map((n) => n.text);
      packed = onlyInvariants(p.system, only);
      if (packed.onGeneric.length > 0) engineReason = onGenericReason(packed);
      if (refinements.invariants.length > 0) {
        const ps = packed;
        packed = { ...ps, invariants: [...ps.invariants, ...refinements.invariants.map((i) => ({ name: i.name, holds: (v: number[]) => i.holds(ps.decode(v)) }))] };
      }
      if (refinements.checkStep) {
        // The mappings read generic states: the packed engine decodes a state the first time
        // a step reaches it (the images are kept by the vector's fingerprint).
        const ps = packed;
        packed = withStepCheck<number[], PackedSpec>(ps, refinementStepCheck(refinements.all, (v: number[], out) => ps.fingerprint(v, out), (v) => ps.decode(v)));
      }
      if (opts.search?.wrap) packed = opts.search.wrap<number[], PackedSpec>(packed);
      if (setup) packedRecord = packedRecordOf(full, p.system.predicates!, setup.record, only);
    } else if (p.ok) {
      // The pilot finished the search: the packed code is not used.
    } else if (choice === 'packed') {
      const where = 'span' in p && p.span ? p.span : undefined;
      throw new SpecErrors([new Diagnostic('E217', where, p.reason, PACKED_ONLY_HINT)]);
    } else {
      engineReason = p.reason;
    }
  }
  // `auto`: up to a thread per core, as many as measured throughput says (vector explorer).
  const auto = opts.workers === 'auto';
  const requested = opts.workers === 'auto' ? availableParallelism() : (opts.workers ?? 1);
  let workers = pilot ? 1 : requested;
  let note: string | undefined;
  /** Why the search runs on one thread when more were asked for (the threads report). */
  let oneThread: string | undefined = pilot ? 'a pilot search on one thread (the generic engine) finished it' : undefined;
  /** One thread where more were asked for: `why` for the threads report, `said` the note under an explicit --workers N. */
  const onOneThread = (why: string, said: string): void => {
    workers = 1;
    oneThread = why;
    if (opts.workersChosen !== false) note = said;
  };
  if (canon !== undefined && setup !== undefined && workers > 1) {
    // The state graph of temporal properties (--unsound-symmetry) is recorded on one thread.
    onOneThread('symmetry reduction with temporal properties runs on one thread', `note: ${check?.name ?? spec.name} reduces by a symmetry and records the state graph of temporal properties, which the parallel explorer does not do together: exploring with 1 worker instead of ${requested}`);
  }
  if (opts.coverage && workers > 1) {
    // Per-step counts are kept where the steps run; one thread keeps them all, in order.
    onOneThread('--coverage counts on one thread', `note: --coverage counts on one thread: exploring ${check?.name ?? spec.name} with 1 worker instead of ${requested}`);
  }
  const diskOpts = opts.disk ?? {};
  /**
   * Checkpoints are written by the one-thread search: the packed engine's flat-level search in
   * memory, else the disk-backed search from the start. Neither keeps the state graph or the
   * coverage counts in a checkpoint.
   */
  let checkpointing = diskOpts.checkpoint !== undefined;
  const notes: string[] = [];
  if (checkpointing && (setup || opts.coverage)) {
    checkpointing = false;
    notes.push(`note: ${setup ? `${check?.name ?? spec.name} has temporal properties, whose state graph a checkpoint does not hold` : 'a checkpoint does not hold --coverage counts'}: no checkpoints are written`);
  }
  if (checkpointing && workers > 1) {
    workers = 1;
    oneThread ??= 'checkpoints are written by the one-thread search';
    if (opts.workersChosen !== false) notes.push(`note: checkpoints are written by the one-thread search: exploring with 1 worker instead of ${requested}`);
  }
  const spillOk = diskOpts.spill !== false && !opts.coverage && !setup && opts.search?.seenSet === undefined;
  if (refinements.all.length > 0 && workers > 1) {
    // The worker threads compile the spec themselves, without the abstract specs.
    onOneThread('refinements are checked on one thread', `note: ${check?.name ?? spec.name} checks a refinement, which the parallel explorer cannot check yet: exploring with 1 worker instead of ${requested}`);
  }
  if (packed !== undefined && packed.width >= THREADS_MAX_SLOTS && workers > 1) {
    // The parallel explorer copies each emission whole between its phases, as doubles.
    onOneThread(
      `states of ${groupDigits(packed.width)} slots run on one thread`,
      `note: the states of ${check?.name ?? spec.name} have ${groupDigits(packed.width)} slots, which the parallel explorer copies whole at every step (slower than one thread, in several times its memory): exploring with 1 worker instead of ${requested}`,
    );
  }
  if (((packed ?? system).inModel !== undefined || (packed ?? system).checkStep !== undefined) && workers > 1) {
    // Neither parallel explorer takes them (they would run explore() on this thread, with no
    // word of it): one thread, said.
    onOneThread('state constraints and step properties are checked on one thread', `note: ${check?.name ?? spec.name} has state constraints or step properties, which the parallel explorers do not check yet: exploring with 1 worker instead of ${requested}`);
  }
  let threads: ThreadsReport | undefined;
  const codecOf = (packed: PackedSpec | undefined): StateCodec<unknown> =>
    (packed ? new VectorCodec(packed.width) : valueCodec(system)) as StateCodec<unknown>;
  let resumeAllowed = diskOpts.resume === true;
  /** The disk-backed search's options with checkpoints, for the packed engine or the generic one. */
  const checkpointOptions = (packed: PackedSpec | undefined): DiskOptions<unknown> => {
    const identity = {
      format: 'spex-checkpoint',
      specHash: createHash('sha256').update(spec.ast.source.text).digest('hex'),
      check: check?.name ?? null,
      consts: JSON.stringify(opts.consts ?? []),
      deadlock,
      maxStates: opts.maxStates ?? null,
      maxDepth: opts.maxDepth ?? null,
      engine: packed ? 'packed' : 'generic',
    };
    const disk: DiskOptions<unknown> = {
      codec: codecOf(packed),
      checkpoint: {
        dir: checkpointDirOf(diskOpts.checkpoint!, spec, check),
        everyMs: 60_000 * (diskOpts.checkpointEveryMinutes ?? DEFAULT_CHECKPOINT_MINUTES),
        ...(diskOpts.checkpointEveryStates !== undefined ? { everyStates: diskOpts.checkpointEveryStates } : {}),
        ...(diskOpts.killAfterCheckpoints !== undefined ? { killAfter: diskOpts.killAfterCheckpoints } : {}),
        identity,
        resume: resumeAllowed,
      },
    };
    return disk;
  };
  const exploreCheckpointed = (packed: PackedSpec | undefined): ExploreResult<State, Label> => {
    const disk = checkpointOptions(packed);
    if (!packed) return exploreOnDisk(system, exploreOpts, disk as DiskOptions<State>);
    const { recordGraph: _generic, ...rest } = exploreOpts;
    const popts = rest as ExploreOptions<number[], Label>;
    if (onFlatLevels(packed, popts) && process.env['SPEX_CHECKPOINT_ON_DISK'] === undefined) {
      // The in-memory search writes the checkpoints, and goes on on disk at the budget as
      // without them (unless --no-spill). Test hook: SPEX_CHECKPOINT_ON_DISK runs the
      // disk-backed search from the start instead, as the generic engine does.
      const inMemory: DiskOptions<unknown> = { ...disk, spill: spillOk, ...(diskOpts.spillDir !== undefined ? { spillDir: diskOpts.spillDir } : {}) };
      return decodeResult(explore(packed, { ...popts, disk: inMemory as DiskOptions<number[]> }), packed);
    }
    return decodeResult(exploreOnDisk(packed, popts, disk as DiskOptions<number[]>), packed);
  };
  const spillOptions = (packed: PackedSpec | undefined): DiskOptions<unknown> | undefined =>
    spillOk ? { codec: codecOf(packed), ...(diskOpts.spillDir !== undefined ? { spillDir: diskOpts.spillDir } : {}) } : undefined;
  const exploreWith = (packed: PackedSpec | undefined): ExploreResult<State, Label> => {
    (packed ?? system).coverage.reset();
    threads = workers > 1 ? undefined : { threads: 1, reason: oneThread ?? (auto ? 'auto: one core, one thread' : 'one thread, as asked') };
    if (checkpointing) return exploreCheckpointed(packed);
    if (workers > 1 && auto && !packed) {
      // The generic engine's parallel explorer expands on this thread with slower code than
      // explore() (states encoded between levels): auto keeps to explore().
      workers = 1;
      threads = { threads: 1, reason: 'auto: the generic engine explores on one thread (--workers N runs its parallel explorer)' };
    } else if (workers > 1 && auto && packedRecord && process.env['SPEX_TEST_AUTO_PATTERN'] === undefined) {
      // The flat one-thread search records the graph as fast as the threads do (they record it
      // on this thread after each level): counter-grid-live K=21 explored in 0.64 s on one
      // thread, 0.72-0.88 s under auto with threads; K=30, 3.9 s against 3.8 s on two. (The
      // tests' switching pattern still runs the threads' policy with the graph.)
      workers = 1;
      threads = { threads: 1, reason: 'auto: the state graph of temporal properties is recorded on one thread (--workers N records it from the threads)' };
    } else if (workers > 1) {
      if (cli.size > 0 && opts.consts === undefined) {
        throw new Error('internal error: runCheck with workers > 1 needs the --const texts in opts.consts');
      }
      // The workers mark the steps that emit in memory shared with this thread.
      const reached = new SharedArrayBuffer(Math.max(1, system.coverage.reached.length));
      // With a symmetry, the workers fingerprint canonical forms too: the first state of an
      // orbit that the merge meets, in the single-threaded search's order, is the one kept.
      const symmetryCounts = canon !== undefined ? new SharedArrayBuffer(16) : undefined;
      const data: SpecWorkerData = {
        path: spec.ast.source.path, text: spec.ast.source.text, check: check?.name, consts: [...(opts.consts ?? [])], packed: packed !== undefined, reached,
        maxEvalWork: maxEvalWork(), ...(setup ? { temporal: true } : {}), ...(symmetryCounts ? { symmetryCounts } : {}),
      };
      const pool = { workers, setup: { data }, auto, onThreads: (r: ThreadsReport) => (threads = r) };
      const { recordGraph: _generic, ...rest } = exploreOpts;
      // `auto` begins as the one-thread search, which goes on on disk if it reaches the budget
      // before the threads take over; the parallel explorer itself ignores `disk`.
      const autoSpill = auto && packed && !packedRecord ? spillOptions(packed) : undefined;
      const vopts: ExploreOptions<number[], Label> = {
        ...(rest as ExploreOptions<number[], Label>),
        ...(packedRecord ? { recordGraph: packedRecord } : {}),
        ...(autoSpill ? { disk: autoSpill as DiskOptions<number[]> } : {}),
      };
      // Graph recording on threads: this thread's share is tagged by a tagger of its own.
      const localTagger = setup ? (temporalSetupOf(spec, check, system)!.record.edgeTag as (label: unknown) => number) : undefined;
      let r: ExploreResult<State, Label> | undefined;
      try {
        r = packed
          ? decodeResult(exploreVectorsParallel(packed, vopts, { ...pool, ...(localTagger ? { localTagger } : {}) }), packed)
          : exploreParallel(system, exploreOpts, { ...pool, codec: valueCodec(system), ...(localTagger ? { localTagger } : {}) });
      } catch (e) {
        if (!(e instanceof SharedBuffersUnavailable)) throw e;
        // Under `ulimit -v`: the one-thread search, from the start.
        notes.push(`note: ${e.message}: exploring with 1 worker instead of ${workers}`);
        threads = { threads: 1, reason: e.message };
        workers = 1;
        (packed ?? system).coverage.reset();
      }
      if (r !== undefined) {
        (packed ?? system).coverage.mergeReached(new Uint8Array(reached));
        if (canon !== undefined && symmetryCounts !== undefined) {
          const shared = new BigInt64Array(symmetryCounts);
          canon.counts.states += Number(shared[0]!);
          canon.counts.tried += Number(shared[1]!);
        }
        if (!(spillOk && r.outcome.kind === 'limit' && r.outcome.limit === 'memory')) return r;
        // The parallel explorers do not spill: the one-thread search, which does, starts again.
        notes.push(`note: the parallel search stopped for memory at ${groupDigits(r.stats.distinct)} distinct states (${memoryNote() ?? 'over --max-memory'}); searching again on 1 thread, which goes on on disk`);
        workers = 1;
        threads = { threads: 1, reason: 'the parallel search stopped for memory: searched again on one thread, which goes on on disk' };
        (packed ?? system).coverage.reset();
      }
    }
    const spill = spillOptions(packed);
    if (!packed) return explore(system, { ...exploreOpts, ...wideLevels(system), ...(spill ? { disk: spill as DiskOptions<State> } : {}) });
    const { recordGraph: _generic, ...rest } = exploreOpts;
    const popts: ExploreOptions<number[], Label> = { ...(rest as ExploreOptions<number[], Label>), ...(packedRecord ? { recordGraph: packedRecord } : {}), ...(spill ? { disk: spill as DiskOptions<number[]> } : {}) };
    return decodeResult(explore(packed, popts), packed);
  };
  let result: ExploreResult<State, Label>;
  setPhase(`searching ${check?.name ?? spec.name}`);
  try {
    result = pilot ?? exploreWith(packed);
  } catch (err) {
    if (err instanceof DiskError) throw diskDiagnostic(err);
    // The packed engine met a value it cannot encode (here or in a worker thread): the
    // generic engine answers instead.
    const gaveUp = err instanceof PackedGaveUp ? err.message : err instanceof WorkerError && err.originalName === 'PackedGaveUp' ? err.originalMessage : undefined;
    if (gaveUp === undefined) throw err;
    if (choice === 'packed') throw new SpecErrors([new Diagnostic('E217', undefined, gaveUp, PACKED_ONLY_HINT)]);
    packed = undefined;
    engineReason = gaveUp;
    // A checkpoint of the packed search cannot go on on the generic engine: it starts afresh.
    resumeAllowed = false;
    try {
      result = exploreWith(undefined);
    } catch (e) {
      if (e instanceof DiskError) throw diskDiagnostic(e);
      throw e;
    }
  }
  const d = result.disk;
  if (d?.resumed) notes.push(`note: resumed from the checkpoint in ${d.dir} (${groupDigits(d.resumed.distinct)} distinct states, written ${d.resumed.written})`);
  if (d?.handedOverAt !== undefined) notes.push(`note: the search reached --max-memory at ${groupDigits(d.handedOverAt)} distinct states and went on on disk (up to ${groupDigits(Math.ceil(d.diskBytes / 1048576))} MiB of files; --no-spill stops there instead)`);
  if (result.outcome.kind === 'limit' && result.outcome.limit === 'memory' && diskOpts.spill !== false && (setup || opts.coverage)) {
    notes.push(`note: ${setup ? 'the state graph of temporal properties stays in memory' : '--coverage counts on the in-memory search'}: the search stops at --max-memory instead of going on on disk`);
  }
  if (notes.length > 0) note = [...(note ? [note] : []), ...notes].join('\n');
  const engine = packed ? ('packed' as const) : ('generic' as const);
  // No initial state at all means init's requires rule everything out: nothing was checked,
  // and saying "no error found" would be vacuous.
  let verdict: Verdict = result.stats.distinct === 0 && result.outcome.kind === 'ok' ? { kind: 'error' } : verdictOf(result);
  let temporal: CheckResult['temporal'];
  const reached = setup && result.graph && verdict.kind === 'ok' ? limitReached(result.stats, opts) : undefined;
  if (setup && result.outcome.kind === 'limit') {
    // A cut graph has cycles and dead ends that the full one does not: no answer either way.
    temporal = { inconclusive: result.outcome.limit };
  } else if (reached !== undefined) {
    // The search is complete, but the explorers record no steps out of the states at the depth
    // limit, nor steps to states seen before once the states limit is met: such a graph has
    // dead ends the spec does not.
    temporal = { inconclusive: reached, reached: true };
    verdict = { kind: 'limit', limit: reached };
  } else if (setup && result.graph && verdict.kind === 'ok') {
    try {
      setPhase(`checking the temporal properties of ${check?.name ?? spec.name}`);
      const t = checkProperties(system, result.graph, setup);
      temporal = t;
      if (t.violation) verdict = { kind: 'violation', name: t.violation.property.property, temporal: true };
    } catch (e) {
      // The search was complete; the interrupt stopped the analysis of the graph, or the
      // analysis would have passed --max-memory.
      if (e instanceof AnalysisOverBudget) {
        temporal = { inconclusive: 'memory', analysis: true };
        verdict = { kind: 'limit', limit: 'memory' };
      } else {
        if (!(e instanceof Interrupted)) throw e;
        temporal = { inconclusive: 'interrupted', analysis: true };
        verdict = { kind: 'limit', limit: 'interrupted' };
      }
    }
  }
  // The search is over (perhaps interrupted): what is left makes its report.
  setPhase(`reporting ${check?.name ?? spec.name}`, false);
  const refinement = refinementFailure(refinements.all, result);
  const counters = packed?.coverage ?? system.coverage;
  const coverage = opts.coverage ? counters.report() : undefined;
  // Only a complete search can tell that a step is never enabled.
  const complete = result.outcome.kind === 'ok' && result.stats.distinct > 0;
  return {
    ...base, system, result, ...(temporal ? { temporal } : {}), ...(refinement ? { refinement } : {}), verdict, exitCode: exitCodeOf(verdict), workers, engine,
    ...(threads ? { threads } : {}),
    ...(canon !== undefined ? { symmetry: { description: canon.description, groupSize: canon.groupSize, triedPerState: canon.counts.states > 0 ? canon.counts.tried / canon.counts.states : 0 } } : {}),
    ...(engineReason !== undefined ? { engineReason } : {}), ...(note ? { note } : {}),
    ...(coverage ? { coverage } : {}), reached: counters.reached.slice(), complete,
    ...(shows.length > 0 ? { shown: shows.map((sh): ShownExpr => ({ name: sh.name, kind: sh.kind, value: full.compileExpr(sh.expr, sh.frameSize) })) } : {}),
  };
}

/**
 * E243: a configuration with a symmetry and temporal properties, step properties or
 * refinements, unless forced. The reduced graph has one state per orbit, and its edges lead to
 * whichever state of an orbit was met first: a lasso in it need not be a behaviour, a fairness
 * verdict need not hold of the spec, and a step to a permuted state looks like a stutter. TLC
 * warns likewise that symmetry and liveness may not mix.
 */
function refuseUnsoundSymmetry(spec: CheckedSpec, check: CheckedCheck | undefined, system: CompiledSpec, refines: boolean, forced: boolean): void {
  if (forced) return;
  const what = system.properties.length > 0 ? `temporal property '${system.properties[0]!.property}'` : system.stepProperties.length > 0 ? `step property '${system.stepProperties[0]!.name}'` : refines ? 'a refinement' : undefined;
  if (what === undefined) return;
  const sym = symmetryOf(spec, check)[0]!;
  throw new SpecErrors([new Diagnostic(
    'E243', sym.name.span,
    `${check ? `check '${check.name}'` : `spec ${spec.name}`} reduces by symmetry and checks ${what}: symmetry reduction may be unsound for it`,
    `the reduced graph keeps one state per orbit, so its cycles and steps need not be the spec's; use 'only' to leave the property to a check without symmetry, or pass --unsound-symmetry to run anyway`,
  )]);
}

/**
 * W100, after the checks of one spec have run: each step (action, process or procedure label)
 * that emitted no successor in any of them, provided at least one of them was a complete
 * search (a search cut short cannot tell "never"). A step that some configuration enables is
 * not reported: scenarios switch parts of a spec off on purpose.
 */
export function neverEnabledWarnings(spec: CheckedSpec, results: readonly CheckResult[]): Diagnostic[] {
  const runs = results.filter((r) => r.reached !== undefined);
  const complete = runs.filter((r) => r.complete);
  if (complete.length === 0) return [];
  const sites = coverageSites(spec).steps;
  const one = runs.length === 1 ? runs[0]! : undefined;
  const where = one ? (one.name === undefined ? '' : ` in check ${one.name}`) : ` in any of the ${runs.length} checks run`;
  const distinct = one?.result?.stats.distinct;
  const states = distinct === undefined ? '' : ` (${distinct} reachable state${distinct === 1 ? '' : 's'})`;
  const cut = runs.length - complete.length;
  const partial = cut === 0 ? '' : `; ${cut} of the checks stopped before their search was complete`;
  return sites.flatMap((s, i) => {
    if (runs.some((r) => r.reached![i] === 1)) return [];
    return [
      s.kind === 'action'
        ? new Diagnostic('W100', s.span, `action '${s.owner}' is never enabled${where}${states}${partial}`, 'its requires (or picks) rule out every reachable state; `spex check --coverage` shows how often each one blocked')
        : new Diagnostic('W100', s.span, `label '${s.label}' of ${s.ownerKind} '${s.owner}' is never enabled${where}${states}${partial}`, 'either no instance ever reaches it, or its awaits (requires, picks) block whenever one does; `spex check --coverage` shows both'),
    ];
  });
}

/**
 * From this many slots a state, the generic engine's levels hold their states encoded
 * (ExploreOptions.levelCodec, explorer.ts's EncodedLevel): arrays that wide cost the garbage
 * collector more than encoding and decoding them.
 */
const WIDE_LEVEL_SLOTS = 1024;
/**
 * The widest packed state the parallel explorer is given: it copies each emission whole, as
 * 8-byte doubles, between its phases, where one thread copies only new states, a byte a slot.
 * 20,001 slots (spec/bench/wide-pages.spex, P=20,000): 11-15 s and 3.2 GB on 2 threads against
 * 2.8 s and 480 MB on one; 26,685 slots (fuzz mutant 1-2698): 114 s and 12.7 GB against 6 s.
 */
const THREADS_MAX_SLOTS = 1024;

/** The level codec of the generic engine's search, for states of WIDE_LEVEL_SLOTS or more. */
export function wideLevels(system: CompiledSpec): { levelCodec?: StateCodec<State> } {
  return system.slotTypes.length >= WIDE_LEVEL_SLOTS ? { levelCodec: valueCodec(system) } : {};
}

/** The generic engine's states as bytes (the disk-backed search, the threads, wide levels). */
function valueCodec(system: CompiledSpec): ValueStateCodec {
  return new ValueStateCodec(system.slotTypes, system.valueTables);
}

/** Searches of specs with processes that end within this many states run on the generic engine alone (`auto`). */
const PILOT_STATES = 400;
/**
 * A spec whose packed code has a function of at least PILOT_CODE_CHARS characters first gets a
 * pilot of a state per PILOT_CODE_CHARS_PER_STATE characters of its code, at most
 * MAX_PILOT_STATES (the largest check of the repository, of the memcg library, is 145 KB in
 * all).
 */
const PILOT_CODE_CHARS = 192 * 1024;
const PILOT_CODE_CHARS_PER_STATE = 100;
const MAX_PILOT_STATES = 10_000;
/**
 * The most time that pilot takes: a search whose states cost the generic engine that much is
 * not saved by it. Only which engine runs depends on it; the counts, verdicts and traces are
 * the same on both.
 */
const MAX_PILOT_MS = 1000;
/** Thrown through the pilot's successors when its time is up. */
const PILOT_OUT_OF_TIME: { readonly pilot: 'out of time' } = Object.freeze({ pilot: 'out of time' });

const PACKED_ONLY_HINT =
  '--engine packed runs only what the packed engine can encode (docs/engine.md); --engine auto, the default, falls back to the generic engine by itself';

/**
 * `only A, B`: the generic system with only the invariants, temporal properties and step
 * properties a check's `only` names (all without `only`).
 */
export function onlyChecked(system: CompiledSpec, only: readonly string[] | undefined): CompiledSpec {
  if (!only) return system;
  const stepProperties = system.stepProperties.filter((p) => only.includes(p.name));
  const out: CompiledSpec = {
    ...system,
    invariants: system.invariants.filter((i) => only.includes(i.name)),
    properties: system.properties.filter((p) => only.includes(p.property)),
    stepProperties,
  };
  const checkStep = checkStepOf(stepProperties);
  if (checkStep === undefined) delete out.checkStep;
  else out.checkStep = checkStep;
  return out;
}

/** The packed system with only the invariants a check's `only` names (all without `only`). */
export function onlyInvariants(p: PackedSpec, only: readonly string[] | undefined): PackedSpec {
  // As for the generic system: the same object but for its invariants, so the hot path calls
  // the packed system's own functions, and nothing it has is left out.
  return only ? { ...p, invariants: p.invariants.filter((i) => only.includes(i.name)), onGeneric: p.onGeneric.filter((g) => g.kind !== 'invariant' || only.includes(g.name)) } : p;
}

/** engineReason of a packed run some of whose predicates the generic engine evaluates. */
export function onGenericReason(p: PackedSpec): string {
  return `the packed engine ran, the generic engine evaluating on decoded states what it cannot compile: ${p.onGeneric.map((g) => g.reason).join('; ')}`;
}

/** A packed exploration's result in the generic engine's terms: its traces' states decoded. */
function decodeResult(r: ExploreResult<number[], Label>, p: PackedSpec): ExploreResult<State, Label> {
  const out = decodeOutcome(r, p);
  if (r.disk) out.disk = r.disk;
  return out;
}

function decodeOutcome(r: ExploreResult<number[], Label>, p: PackedSpec): ExploreResult<State, Label> {
  const o = r.outcome;
  if (o.kind === 'ok' || o.kind === 'limit') {
    const g = r.graph;
    if (!g) return { outcome: o, stats: r.stats };
    const graph: StateGraph<State, Label> = { ...g, path: (start, edges) => decodeTrace(g.path(start, edges), p) };
    return { outcome: o, stats: r.stats, graph };
  }
  return { outcome: { ...o, trace: decodeTrace(o.trace, p) }, stats: r.stats };
}

function decodeTrace(t: Trace<number[], Label>, p: PackedSpec): Trace<State, Label> {
  return { states: t.states.map((s) => p.decode(s)), labels: t.labels };
}

/** Whether a verdict is what a check block expects. A check without `expect` expects ok. */
export function meetsExpectation(verdict: Verdict, expect: A.Expectation | undefined): boolean {
  const e = expect?.kind ?? 'ok';
  switch (e) {
    case 'ok':
      return verdict.kind === 'ok';
    case 'deadlock':
      return verdict.kind === 'deadlock';
    case 'error':
      return verdict.kind === 'error';
    case 'violation':
      return verdict.kind === 'violation' && verdict.name === (expect as Extract<A.Expectation, { kind: 'violation' }>).name.text;
  }
}

export function formatExpectation(expect: A.Expectation | undefined): string {
  if (!expect) return 'ok';
  return expect.kind === 'violation' ? `violation ${expect.name.text}` : expect.kind;
}

export function formatVerdict(v: Verdict): string {
  switch (v.kind) {
    case 'violation':
      return `violation ${v.name}`;
    case 'limit':
      if (v.limit === 'interrupted') return 'interrupted';
      return `${v.limit} limit reached`;
    default:
      return v.kind;
  }
}
