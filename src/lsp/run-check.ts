/**
 * The language server's slow work, in worker threads so that the server keeps answering and a
 * job that takes too long is stopped (the worker is terminated): running one check of a buffer
 * for the "Run check" code lens, and compiling every configuration of a buffer for the errors
 * only a configuration shows (E221, E228). The worker is this same file, started with
 * workerData.
 */
import { Worker, isMainThread, parentPort, workerData } from 'node:worker_threads';
import { SpecErrors, renderDiagnostic, type Diagnostic } from '../lang/diagnostics.js';
import { formatExpectation, formatVerdict, loadSpec, meetsExpectation, runCheck, selectChecks } from '../engine/run.js';
import { formatResult, formatStats } from '../cli/report.js';
import { configurationErrors } from './analysis.js';
import { THREAD_STACK_MB } from '../explore/threads.js';
import { MAX_TIMER_MS } from './limits.js';

export interface RunRequest {
  readonly kind: 'run';
  /** The file's path: imports are read relative to it. */
  readonly path: string;
  /** The buffer's text (possibly unsaved). */
  readonly text: string;
  /** The check block's name; undefined: the spec's defaults. */
  readonly check: string | undefined;
  readonly maxStates: number;
}

export interface RunOutcome {
  readonly check: string | undefined;
  /**
   * `pass`/`fail`: the run ended and met / did not meet the check's expectation; `error`: the
   * spec or its configuration has static errors; `timeout`: stopped after the time limit.
   */
  readonly status: 'pass' | 'fail' | 'error' | 'timeout';
  /** One line: `PASS Check: violation Inv (34 distinct states, ...)`. */
  readonly summary: string;
  /** What `spex check` prints for it: verdict, trace, statistics (or the diagnostics). */
  readonly report: string;
}

/** The work itself (in the worker). */
export function runInThisThread(req: RunRequest): RunOutcome {
  const name = req.check ?? '(defaults)';
  try {
    const { spec } = loadSpec(req.path, req.text);
    const [check] = selectChecks(spec, req.check);
    const r = runCheck(spec, check, new Map(), { maxStates: req.maxStates, workers: 1 });
    const ok = meetsExpectation(r.verdict, r.expect);
    const stats = r.result ? ` (${formatStats(r.result.stats)})` : '';
    const expected = ok ? '' : `, expected ${formatExpectation(r.expect)}`;
    const limit = r.verdict.kind === 'limit' && r.verdict.limit === 'states' ? ` (the editor's limit of ${req.maxStates} states: run spex check for the whole search)` : '';
    return {
      check: req.check,
      status: ok ? 'pass' : 'fail',
      summary: `${ok ? 'PASS' : 'FAIL'} ${name}: ${formatVerdict(r.verdict)}${expected}${stats}${limit}`,
      report: formatResult(r),
    };
  } catch (e) {
    if (!(e instanceof SpecErrors)) throw e;
    return {
      check: req.check,
      status: 'error',
      summary: `ERROR ${name}: ${e.summary()}: ${e.diagnostics[0]?.message ?? ''}`,
      report: e.diagnostics.map((d) => renderDiagnostic(d)).join('\n\n'),
    };
  }
}

/** Runs the check in a worker thread; resolves with `timeout` once `timeoutMs` has passed. */
export async function runInWorker(req: Omit<RunRequest, 'kind'>, timeoutMs: number): Promise<RunOutcome> {
  const name = req.check ?? '(defaults)';
  const r = await inWorker<RunOutcome>({ kind: 'run', ...req }, timeoutMs);
  switch (r.kind) {
    case 'done':
      return r.value;
    case 'timeout':
      return { check: req.check, status: 'timeout', summary: `STOPPED ${name}: no verdict within ${Math.round(timeoutMs / 1000)} s (run spex check for the whole search)`, report: '' };
    case 'failed':
      return { check: req.check, status: 'error', summary: `ERROR ${name}: internal error: ${r.message}`, report: r.message };
  }
}

export interface ConfigurationsRequest {
  readonly kind: 'configurations';
  readonly path: string;
  readonly text: string;
}

/** A diagnostic as it crosses threads: its span as offsets into the file at `path`. */
export interface PlainDiagnostic {
  readonly code: Diagnostic['code'];
  readonly message: string;
  readonly hint: string | undefined;
  readonly path: string | undefined;
  readonly start: number;
  readonly end: number;
}

/** The configuration errors (E221, E228) of a buffer; undefined if the job failed or took longer than `timeoutMs`. */
export async function configurationErrorsInWorker(req: Omit<ConfigurationsRequest, 'kind'>, timeoutMs: number): Promise<PlainDiagnostic[] | undefined> {
  const r = await inWorker<PlainDiagnostic[]>({ kind: 'configurations', ...req }, timeoutMs);
  return r.kind === 'done' ? r.value : undefined;
}

function configurationsInThisThread(req: ConfigurationsRequest): PlainDiagnostic[] {
  let spec;
  try {
    spec = loadSpec(req.path, req.text).spec;
  } catch {
    return [];
  }
  return configurationErrors(spec).map((d) => ({ code: d.code, message: d.message, hint: d.hint, path: d.span?.source.path, start: d.span?.start ?? 0, end: d.span?.end ?? 0 }));
}

type WorkerResult<T> = { kind: 'done'; value: T } | { kind: 'timeout' } | { kind: 'failed'; message: string };

function inWorker<T>(job: RunRequest | ConfigurationsRequest, timeoutMs: number): Promise<WorkerResult<T>> {
  return new Promise((resolve) => {
    // stdout is the protocol's: whatever the worker might print goes to stderr instead.
    const worker = new Worker(new URL(import.meta.url), { workerData: job, stdout: true, stderr: true, resourceLimits: { stackSizeMb: THREAD_STACK_MB } });
    worker.stdout.pipe(process.stderr);
    worker.stderr.pipe(process.stderr);
    let settled = false;
    const finish = (r: WorkerResult<T>): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      void worker.terminate();
      resolve(r);
    };
    // The server refuses longer limits; a longer delay would fire at once, stopping every job.
    const timer = setTimeout(() => finish({ kind: 'timeout' }), Math.min(timeoutMs, MAX_TIMER_MS));
    worker.on('message', (value: T) => finish({ kind: 'done', value }));
    worker.on('error', (e) => finish({ kind: 'failed', message: e.stack ?? e.message }));
    worker.on('exit', () => finish({ kind: 'failed', message: 'the worker ended without an answer' }));
  });
}

const job = isMainThread ? undefined : (workerData as RunRequest | ConfigurationsRequest | undefined);
if (parentPort && (job?.kind === 'run' || job?.kind === 'configurations')) {
  parentPort.postMessage(job.kind === 'run' ? runInThisThread(job) : configurationsInThisThread(job));
}
