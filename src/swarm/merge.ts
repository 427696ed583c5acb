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
  /** Indices 1..of that no input had (of the largest `of` merged). */
  readonly missing: readonly number[];
  readonly exitCode: number;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

const isString = (x: unknown): x is string => typeof x === 'string';
const isNumber = (x: unknown): x is number => typeof x === 'number' && Number.isFinite(x);
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
  if (!input.ok && input.kind === 'nesting') return fail(`it ${input.why}`);
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

/** Merges the jobs; throws SpecErrors (E259) when they are not of one spec and configuration. */
export function mergeJobs(inputs: readonly MergeInput[]): MergeResult {
  const first = inputs[0]!;
  const diags: Diagnostic[] = [];
  const hint = 'merge only the results of one swarm: the same spec file (unchanged) and the same --const values';
  const seen = new Map<string, string>();
  for (const { path, record } of inputs) {
    const r0 = first.record;
    if (record.spec !== r0.spec || record.source !== r0.source) {
      diags.push(new Diagnostic('E259', undefined, `${path} is a result for ${record.spec === r0.spec ? 'another version of' : `spec ${record.spec}, not`} spec ${r0.spec} (${first.path})`, hint));
    } else if (!sameConsts(record.consts, r0.consts)) {
      diags.push(new Diagnostic('E259', undefined, `${path} was run with --const ${record.consts.join(' ') || '(none)'}, ${first.path} with --const ${r0.consts.join(' ') || '(none)'}`, hint));
    }
    const key = `${record.job.index}/${record.job.of}:${record.job.seed}:${record.job.mode}`;
    const twin = seen.get(key);
    if (twin !== undefined) diags.push(new Diagnostic('E259', undefined, `${path} and ${twin} are both job ${record.job.index}/${record.job.of} with seed ${record.job.seed}`, 'a job run twice gives the same result: merge each job once'));
    seen.set(key, path);
  }
  if (diags.length > 0) throw new SpecErrors(diags);

  const sorted = [...inputs].sort((a, b) => order(a.record.job, b.record.job));
  const jobs = sorted.map((x) => x.record.job);
  const names: (string | null)[] = [];
  for (const { record } of sorted) for (const c of record.checks) if (!names.includes(c.check)) names.push(c.check);
  const checks = names.map((name) => mergeCheck(name, sorted.flatMap(({ record }) => record.checks.filter((c) => c.check === name).map((c) => ({ job: record.job, rec: c })))));
  const of = Math.max(...jobs.map((j) => j.of));
  const have = new Set(jobs.filter((j) => j.of === of).map((j) => j.index));
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
