/**
 * `spex swarm merge`: the verdict of a swarm from its jobs' records (docs/scale.md). Per
 * check: a violation if any job found one, with the shortest trace found (ties broken by the
 * job's index, then its seed); "verified" only if some job searched exhaustively (complete and
 * without loss) and found nothing; else "no violation found", which is not a proof, with the
 * largest counts of the partial searches and the union of their coverage. Pure: reading the
 * files and printing are src/cli/swarm.ts's.
 */
import { Diagnostic, SpecErrors } from '../lang/diagnostics.js';
import type { Json } from '../export/itf.js';
import { EXIT } from '../engine/run.js';
import { SWARM_FORMAT, SWARM_FORMAT_VERSION, type CheckRecord, type JobId, type JobRecord } from './record.js';
import { SWARM_MODES } from './plan.js';
import { describeJson, parseJsonInput } from '../export/json-input.js';

/** One job as merged: where it was read from, and its record. */
export interface MergeInput {
  readonly path: string;
  readonly record: JobRecord;
}

export type MergedStatus = 'violation' | 'verified' | 'unproven';

export interface MergedCheck {
  readonly check: string | null;
  readonly status: MergedStatus;
  /** As in a record: `violation`, `deadlock`, `error`, or `ok` (verified or unproven). */
  readonly verdict: CheckRecord['verdict'];
  readonly name: string | null;
  readonly exitCode: number;
  /** The jobs that ran this check, by index. */
  readonly jobs: readonly JobId[];
  /** The jobs whose search found a violation (of any property). */
  readonly foundBy: readonly JobId[];
  /** The job whose record gives the verdict: the shortest trace's, or the exhaustive search's; null if unproven. */
  readonly from: JobId | null;
  readonly record: CheckRecord | null;
  /**
   * The verifying or violating job's counts; for `unproven`, lower bounds of the state space's:
   * the largest distinct and generated of the jobs that searched (not walked), the largest
   * depth of those whose seen set was exact.
   */
  readonly distinct: number;
  readonly generated: number;
  readonly depth: number;
  /** For `unproven`: the random walks of all jobs together (0 if none walked). */
  readonly walks?: number;
  /** The union of the jobs' coverage (with --coverage), or null. */
  readonly coverage: Json;
}

export interface MergeResult {
  readonly file: string;
  readonly spec: string;
  readonly checks: readonly MergedCheck[];
  /** The jobs merged, in the order of their indices. */
  readonly jobs: readonly JobId[];
  /** Indices 1..n of the swarm (of n jobs) that no input had. */
  readonly missing: readonly number[];
  readonly exitCode: number;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

const isString = (x: unknown): x is string => typeof x === 'string';
const isNumber = (x: unknown): x is number => typeof x === 'number' && Number.isFinite(x);
const isCount = (x: unknown): x is number => Number.isSafeInteger(x) && (x as number) >= 0;
const VERDICTS: readonly unknown[] = ['ok', 'violation', 'deadlock', 'error', 'limit'];

/** Why a parsed value is not a job record, or undefined when it is one. */
function notARecord(v: unknown): string | undefined {
  if (!isObject(v)) return 'it is not a JSON object';
  if (v['format'] !== SWARM_FORMAT) return `its "format" is not "${SWARM_FORMAT}"`;
  if (v['version'] !== SWARM_FORMAT_VERSION) return `it is of version ${describeJson(v['version'])}, and this spex reads version ${SWARM_FORMAT_VERSION}`;
  const job = v['job'];
  if (!isObject(job) || !isNumber(job['index']) || !isNumber(job['of']) || !isNumber(job['seed']) || !isString(job['mode']) || !isString(job['description'])) {
    return 'it has no "job" with index, of, seed, mode and description';
  }
  if (!isString(v['spec']) || !isString(v['source']) || !isString(v['file']) || !isString(v['toolVersion'])) return 'it has no "spec", "source", "file" and "toolVersion"';
  if (!Array.isArray(v['consts']) || !v['consts'].every(isString)) return 'its "consts" is not a list of NAME=VALUE texts';
  if (!Array.isArray(v['checks'])) return 'it has no "checks"';
  for (const c of v['checks']) {
    const why = notACheck(c);
    if (why !== undefined) return why;
  }
  return undefined;
}

/** Why a value is not the record of one check, or undefined when it is one. */
function notACheck(c: unknown): string | undefined {
  if (!isObject(c) || !VERDICTS.includes(c['verdict']) || typeof c['exhaustive'] !== 'boolean' || !('check' in c)) return 'a check in it has no "check", "verdict" and "exhaustive"';
  const field = (name: string, ok: (x: unknown) => boolean): string | undefined => (ok(c[name]) ? undefined : `a check in it has a "${name}" of the wrong kind (${describeJson(c[name])})`);
  const orNull = (ok: (x: unknown) => boolean) => (x: unknown): boolean => x === null || ok(x);
  return (
    field('check', orNull(isString)) ??
    field('name', orNull(isString)) ??
    field('exitCode', isNumber) ??
    field('search', isString) ??
    field('engine', isString) ??
    field('partial', orNull(isString)) ??
    field('shortest', (x) => typeof x === 'boolean') ??
    field('distinct', isNumber) ??
    field('generated', isNumber) ??
    field('depth', isNumber) ??
    field('seconds', isNumber) ??
    field('steps', orNull(isNumber)) ??
    field('replayed', orNull((x) => typeof x === 'boolean')) ??
    field('temporalUnchecked', (x) => Array.isArray(x) && x.every(isString)) ??
    field('bitstate', orNull(isObject)) ??
    field('simulation', orNull(isObject)) ??
    field('coverage', (x) => x === undefined || x === null || isObject(x))
  );
}

/**
 * Reads one input: a job's result file (`--out`), or the NDJSON events of `--json`, whose
 * `swarm` events carry the same records. Throws SpecErrors (E258) for anything else.
 */
export function parseJobFile(path: string, text: string): JobRecord {
  const fail = (why: string): never => {
    throw new SpecErrors([new Diagnostic('E258', undefined, `${path} is not a swarm job result: ${why}`, 'merge the files that `spex check --swarm i/n --out FILE` writes, or the output of `spex check --swarm i/n --json`')]);
  };
  const trimmed = text.trim();
  if (trimmed === '') return fail('it is empty');
  const input = parseJsonInput(trimmed);
  if (!input.ok && input.kind !== 'syntax') return fail(`it ${input.why}`);
  const whole = input.ok ? input.value : undefined;
  if (whole !== undefined && !(isObject(whole) && whole['event'] !== undefined)) {
    const why = notARecord(whole);
    if (why !== undefined) return fail(why);
    return whole as unknown as JobRecord;
  }
  // NDJSON: the `swarm` events, each with the job and the spec it belongs to.
  const checks: CheckRecord[] = [];
  let head: Record<string, unknown> | undefined;
  let exitCode = EXIT.ok as number;
  for (const [i, line] of trimmed.split('\n').entries()) {
    if (line.trim() === '') continue;
    const parsed = parseJsonInput(line);
    if (!parsed.ok) return fail(parsed.kind === 'syntax' ? `line ${i + 1} is not JSON` : `line ${i + 1} ${parsed.why}`);
    const e = parsed.value;
    if (!isObject(e)) return fail(`line ${i + 1} is not a JSON object`);
    if (e['event'] === 'swarm') {
      head ??= e;
      const { event: _e, job: _j, format: _f, version: _v, toolVersion: _t, file: _fi, spec: _s, source: _so, consts: _c, ...rec } = e;
      checks.push(rec as unknown as CheckRecord);
    } else if (e['event'] === 'exit' && typeof e['code'] === 'number') exitCode = e['code'];
  }
  if (head === undefined) return fail('it has no `swarm` events (was it written with --swarm?)');
  const record = { format: head['format'], version: head['version'], toolVersion: head['toolVersion'], file: head['file'], spec: head['spec'], source: head['source'], consts: head['consts'], job: head['job'], checks, exitCode };
  const why = notARecord(record);
  if (why !== undefined) return fail(why);
  return record as unknown as JobRecord;
}

const sameConsts = (a: readonly string[], b: readonly string[]): boolean => a.length === b.length && a.every((x, i) => x === b[i]);

/** A check's name in messages. */
const checkName = (c: CheckRecord): string => (c.check === null ? "the spec's check" : `check ${c.check}`);

/** A check stopped by a signal: its job stopped there, and ran none of the checks after it. */
export const interruptedCheck = (c: CheckRecord): boolean => c.verdict === 'limit' && c.name === 'interrupted';

/** A job's exit code for a signal (128 + its number): stopped between two checks, or before the first. */
const interruptCode = (code: number): boolean => Number.isInteger(code) && code > 128 && code < 128 + 65;

/**
 * Why a record of the right shape is not one a job writes, or undefined. Every record of the
 * job runner (src/swarm/job.ts) keeps these rules; one that breaks them was changed, and what
 * the merge would decide from it (its index, verdicts, exit codes, steps) is no search's.
 */
function impossibleRecord(r: JobRecord): string | undefined {
  const { index, of, seed, mode } = r.job;
  if (!isCount(of) || of < 1) return `its swarm size ("of") is ${describeJson(of)}, not a positive integer`;
  if (!Number.isSafeInteger(index) || index < 1 || index > of) return `it is job ${describeJson(index)} of ${of}, and the jobs of a swarm of ${of} are numbered 1 to ${of}`;
  if (!isCount(seed)) return `its seed is ${describeJson(seed)}, not a non-negative integer`;
  if (!(SWARM_MODES as readonly string[]).includes(mode)) return `its job's mode is ${describeJson(mode)}, none of ${SWARM_MODES.join(', ')}`;
  const seen = new Set<string | null>();
  for (const c of r.checks) {
    const name = checkName(c);
    if (!VERDICTS.includes(c.verdict)) return `${name} has a verdict ${describeJson(c.verdict)}, none of ${VERDICTS.join(', ')}`;
    if (seen.has(c.check)) return `it has ${name} twice`;
    seen.add(c.check);
    // A spec without check blocks is checked as itself (check null), and only then.
    if (c.check === null && r.checks.length > 1) return "it has the spec's check beside check blocks";
    // A bitstate job runs an exact breadth-first search for a check with temporal properties.
    if (!(SWARM_MODES as readonly string[]).includes(c.search) || (c.search !== mode && !(mode === 'bitstate' && c.search === 'bfs'))) {
      return `${name} ran a search ${describeJson(c.search)}, which a ${mode} job does not run`;
    }
    for (const f of ['distinct', 'generated', 'depth'] as const) if (!isCount(c[f])) return `${name} has a "${f}" of ${describeJson(c[f])}, not a count`;
    if (c.seconds < 0) return `${name} took ${c.seconds} seconds`;
    if (c.simulation !== null) {
      for (const f of ['walks', 'steps', 'depth'] as const) if (!isCount(c.simulation[f])) return `${name} has a "simulation.${f}" of ${describeJson(c.simulation[f])}, not a count`;
    }
    if (c.steps !== null && !isCount(c.steps)) return `${name} has a trace of ${describeJson(c.steps)} steps`;
    if ((c.trace ?? null) === null ? c.steps !== null : c.steps === null) return `${name} has ${c.steps === null ? 'a trace without its "steps"' : '"steps" without a trace'}`;
    // "exhaustive" makes an `ok` a proof: only a lossless search that found nothing has it.
    if (c.exhaustive && (c.search === 'bitstate' || c.search === 'simulate')) return `${name} is "exhaustive", from a ${c.search} search, which can miss states`;
    if (c.exhaustive && c.verdict !== 'ok') return `${name} is "exhaustive" with verdict ${c.verdict}: a search is exhaustive only when it found nothing`;
    if (c.exhaustive === (c.partial !== null)) return `${name} is ${c.exhaustive ? `both "exhaustive" and "partial" (${describeJson(c.partial)})` : 'neither "exhaustive" nor "partial"'}`;
    if (c.verdict === 'violation' && c.name === null) return `${name} is a violation of no property ("name" is null)`;
    const codes = exitCodesOf(c);
    if (!codes.includes(c.exitCode)) {
      const expected = codes.length === 1 ? `${codes[0]}` : codes.length === 2 ? `${codes[0]} or ${codes[1]}` : `from ${codes[0]} to ${codes[codes.length - 1]}`;
      return `${name} has verdict ${c.verdict}${c.verdict === 'ok' ? (c.exhaustive ? ' (exhaustive)' : ' (partial)') : ''} and exit code ${c.exitCode}, not ${expected}`;
    }
  }
  return undefined;
}

/** The exit codes a job gives a check of this verdict (src/engine/run.ts, exitCodeOf). */
function exitCodesOf(c: CheckRecord): readonly number[] {
  switch (c.verdict) {
    case 'ok':
      // A partial search that found nothing exits as a search cut short does.
      return [c.exhaustive ? EXIT.ok : EXIT.limit];
    case 'violation':
      return [EXIT.safety, EXIT.liveness];
    case 'deadlock':
      return [EXIT.deadlock];
    case 'error':
      return [EXIT.evaluation];
    case 'limit':
      // Interrupted: 128 + the signal's number, as shells report it.
      return interruptedCheck(c) ? Array.from({ length: 64 }, (_, i) => 129 + i) : [EXIT.limit];
  }
}

/**
 * Merges the jobs. Throws SpecErrors: E258 for a record no job writes (an index outside
 * 1..n, no checks, a verdict its exit code contradicts, ...), E259 when the records are not
 * of one swarm (spec, constants, size, checks) or a job is given twice.
 */
export function mergeJobs(inputs: readonly MergeInput[]): MergeResult {
  const first = inputs[0]!;
  const diags: Diagnostic[] = [];
  const damaged = 'no swarm job writes this (was the file edited?): run the job again (`spex check FILE --swarm i/n --out RESULT`) and merge its new result';
  for (const { path, record } of inputs) {
    if (record.checks.length === 0) {
      // A job stopped by a signal before its first check (a scheduler's time limit) checked
      // nothing and says so by its exit code: merged, it adds nothing. Any other is no job's.
      if (!interruptCode(record.exitCode)) diags.push(new Diagnostic('E258', undefined, `${path} is not a swarm job result: it has no checks, and its job was not interrupted (exit code ${record.exitCode})`, 'leave it out of the merge, or run the job again to its end'));
      continue;
    }
    const why = impossibleRecord(record);
    if (why !== undefined) diags.push(new Diagnostic('E258', undefined, `${path} is not a swarm job result: ${why}`, damaged));
  }
  if (diags.length > 0) throw new SpecErrors(diags);
  const hint = 'merge only the results of one swarm: the same spec file (unchanged) and the same --const values';
  const seen = new Map<string, string>();
  for (const { path, record } of inputs) {
    const r0 = first.record;
    if (record.spec !== r0.spec || record.source !== r0.source) {
      diags.push(new Diagnostic('E259', undefined, `${path} is a result for ${record.spec === r0.spec ? 'another version of' : `spec ${record.spec}, not`} spec ${r0.spec} (${first.path})`, hint));
    } else if (!sameConsts(record.consts, r0.consts)) {
      diags.push(new Diagnostic('E259', undefined, `${path} was run with --const ${record.consts.join(' ') || '(none)'}, ${first.path} with --const ${r0.consts.join(' ') || '(none)'}`, hint));
    }
    if (record.job.of !== first.record.job.of) {
      diags.push(new Diagnostic('E259', undefined, `${path} is job ${record.job.index}/${record.job.of}, of a swarm of ${record.job.of}, and ${first.path} job ${first.record.job.index}/${first.record.job.of}, of a swarm of ${first.record.job.of}`, 'the jobs of one swarm share its size n (--swarm i/n): merge the results of one swarm'));
    }
    const key = `${record.job.index}/${record.job.of}:${record.job.seed}:${record.job.mode}`;
    const twin = seen.get(key);
    if (twin !== undefined) diags.push(new Diagnostic('E259', undefined, `${path} and ${twin} are both job ${record.job.index}/${record.job.of} with seed ${record.job.seed}`, 'a job run twice gives the same result: merge each job once'));
    seen.set(key, path);
  }
  // Every job of a swarm runs the same checks, in the spec's order; a job stopped by a signal
  // (a scheduler's time limit) only the first of them, the last one interrupted.
  const longest = inputs.reduce((a, b) => (b.record.checks.length > a.record.checks.length ? b : a));
  const all = longest.record.checks.map((c) => c.check);
  const list = (names: readonly (string | null)[]): string => names.map((n) => n ?? `spec ${first.record.spec}`).join(', ');
  for (const { path, record } of inputs) {
    const names = record.checks.map((c) => c.check);
    const prefix = names.every((n, i) => n === all[i]);
    if (prefix && (names.length === all.length || interruptCode(record.exitCode) || interruptedCheck(record.checks[names.length - 1]!))) continue;
    diags.push(new Diagnostic('E259', undefined, `${path} ran the checks (${list(names)})${prefix ? ' and was not interrupted' : ''}, ${longest.path} the checks (${list(all)})`, 'every job of one swarm checks the same configurations: run them all with the same --check, or none'));
  }
  if (diags.length > 0) throw new SpecErrors(diags);

  const sorted = [...inputs].sort((a, b) => order(a.record.job, b.record.job));
  const jobs = sorted.map((x) => x.record.job);
  const names: (string | null)[] = [];
  for (const { record } of sorted) for (const c of record.checks) if (!names.includes(c.check)) names.push(c.check);
  const checks = names.map((name) => mergeCheck(name, sorted.flatMap(({ record }) => record.checks.filter((c) => c.check === name).map((c) => ({ job: record.job, rec: c })))));
  const of = first.record.job.of;
  const have = new Set(jobs.map((j) => j.index));
  const missing: number[] = [];
  for (let i = 1; i <= of; i++) if (!have.has(i)) missing.push(i);
  let exitCode: number = EXIT.ok;
  for (const c of checks) if (exitCode === EXIT.ok) exitCode = c.exitCode;
  return { file: first.record.file, spec: first.record.spec, checks, jobs, missing, exitCode };
}

/** Jobs in a fixed order: by index, then seed, then swarm size, then mode. */
function order(a: JobId, b: JobId): number {
  return a.index - b.index || a.seed - b.seed || a.of - b.of || (a.mode < b.mode ? -1 : a.mode > b.mode ? 1 : 0);
}

function mergeCheck(check: string | null, runs: readonly { job: JobId; rec: CheckRecord }[]): MergedCheck {
  const jobs = runs.map((r) => r.job);
  const found = runs.filter((r) => r.rec.verdict === 'violation' || r.rec.verdict === 'deadlock' || r.rec.verdict === 'error');
  const base = { check, jobs, foundBy: found.map((r) => r.job), coverage: unionCoverage(runs.map((r) => r.rec.coverage)) };
  if (found.length > 0) {
    // The shortest trace; among equally short ones the first job's (runs are in job order).
    let best = found[0]!;
    for (const r of found) if ((r.rec.steps ?? Infinity) < (best.rec.steps ?? Infinity)) best = r;
    const { rec } = best;
    return { ...base, status: 'violation', verdict: rec.verdict, name: rec.name, exitCode: rec.exitCode, from: best.job, record: rec, distinct: rec.distinct, generated: rec.generated, depth: rec.depth };
  }
  const proof = runs.find((r) => r.rec.exhaustive && r.rec.verdict === 'ok');
  if (proof) {
    const { rec } = proof;
    // The exhaustive search's own coverage is the state space's: no union needed.
    return { ...base, coverage: rec.coverage, status: 'verified', verdict: 'ok', name: null, exitCode: EXIT.ok, from: proof.job, record: rec, distinct: rec.distinct, generated: rec.generated, depth: rec.depth };
  }
  // Lower bounds of the state space's counts: a search stores and expands only reachable
  // states, each once, so its distinct and generated are at most the space's. Random walks
  // count revisits, and a bitstate search may reach a state late, past its true depth: the
  // depth is the exact searches' only.
  const searches = runs.filter((r) => r.rec.search !== 'simulate');
  const exact = searches.filter((r) => r.rec.search !== 'bitstate');
  const max = (of: typeof runs, f: (r: CheckRecord) => number): number => Math.max(0, ...of.map((r) => f(r.rec)));
  return {
    ...base, status: 'unproven', verdict: 'ok', name: null, exitCode: EXIT.limit, from: null, record: null,
    distinct: max(searches, (r) => r.distinct), generated: max(searches, (r) => r.generated), depth: max(exact, (r) => r.depth),
    walks: runs.reduce((n, r) => n + (r.rec.simulation?.walks ?? 0), 0),
  };
}

/**
 * The union of the jobs' coverage: every step and guard any job has, each count the largest
 * any job saw; `complete` if some job's was. The counts of random walks count revisits (a state
 * expanded once per visit), those of searches each state once: what the union tells for sure is
 * which steps and guards some job reached. Null when no job counted.
 */
function unionCoverage(all: readonly Json[]): Json {
  const covs = all.filter(isObject) as Record<string, Json>[];
  if (covs.length === 0) return null;
  const steps = new Map<string, Record<string, Json>>();
  const guards = new Map<string, Record<string, Json>>();
  const takeMax = (into: Map<string, Record<string, Json>>, key: string, row: Record<string, Json>, fields: readonly string[]): void => {
    const had = into.get(key);
    if (!had) {
      into.set(key, { ...row });
      return;
    }
    for (const f of fields) had[f] = Math.max(Number(had[f] ?? 0), Number(row[f] ?? 0));
  };
  for (const c of covs) {
    for (const s of Array.isArray(c['steps']) ? c['steps'] : []) {
      if (isObject(s)) takeMax(steps, `${String(s['step'])}\u0000${String(s['location'])}`, s as Record<string, Json>, ['states', 'enabled', 'taken', 'new']);
    }
    for (const g of Array.isArray(c['guards']) ? c['guards'] : []) {
      if (isObject(g)) takeMax(guards, `${String(g['location'])}\u0000${String(g['where'])}`, g as Record<string, Json>, ['evaluated', 'blocked']);
    }
  }
  return { complete: covs.some((c) => c['complete'] === true), steps: [...steps.values()], guards: [...guards.values()] };
}
