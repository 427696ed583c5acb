/**
 * The files `spex check` writes beside its report: --out-itf, --out-tlc-json and --out-html,
 * each written when a check ends in a counterexample. When several checks run, each writes
 * its own file, named as for --out-itf (itf-out.ts).
 */
import { checkOutputPath, writeOutput } from './write-output.js';
import type { CheckedSpec } from '../lang/check.js';
import type { CheckResult } from '../engine/run.js';
import { counterexampleOf } from '../export/counterexample.js';
import { formatTlcJson, toTlcJson } from '../export/tlc-json.js';
import { htmlReport } from '../export/html.js';
import { itfPathForCheck, writeCounterexampleItf } from './itf-out.js';

export interface OutputPaths {
  outItf?: string;
  outTlcJson?: string;
  outHtml?: string;
}

export type OutputFormat = 'itf' | 'tlc-json' | 'html';

export interface Written {
  readonly format: OutputFormat;
  readonly path: string;
  /** The line `spex check` prints for it. */
  readonly line: string;
}

function pathFor(path: string, check: string | undefined, several: boolean): string {
  if (!several || check === undefined) return path;
  if (path.endsWith('.html')) return `${path.slice(0, -'.html'.length)}.${check}.html`;
  return itfPathForCheck(path, check);
}

/**
 * Looks at the paths of the files asked for before any check runs (checkOutputPath): a
 * missing directory, a directory, or the spec itself is reported at once, not after the
 * search in place of its verdict. With several checks, each check's own file.
 */
export function checkOutputPaths(o: OutputPaths, checkNames: readonly (string | undefined)[]): void {
  const several = checkNames.length > 1;
  for (const path of [o.outItf, o.outTlcJson, o.outHtml]) {
    if (path === undefined) continue;
    for (const name of several ? checkNames : [undefined]) checkOutputPath(pathFor(path, name, several));
  }
}

export function writeCheckOutputs(r: CheckResult, spec: CheckedSpec, file: string, o: OutputPaths, several: boolean): Written[] {
  const written: Written[] = [];
  if (o.outItf !== undefined) {
    const line = writeCounterexampleItf(r, file, spec.name, o.outItf, several);
    if (line) written.push({ format: 'itf', path: pathFor(o.outItf, r.name, several), line });
  }
  const cex = counterexampleOf(r);
  if (!cex) return written;
  if (o.outTlcJson !== undefined) {
    const path = pathFor(o.outTlcJson, r.name, several);
    writeOutput(path, formatTlcJson(toTlcJson(spec, cex, r.shown || r.kernelOf ? { shown: r.shown, kernelOf: r.kernelOf } : undefined)));
    written.push({ format: 'tlc-json', path, line: `TLC JSON trace written to ${path}` });
  }
  if (o.outHtml !== undefined) {
    const path = pathFor(o.outHtml, r.name, several);
    // A simulation stores no states: its statistics are not the search's (distinct, depth).
    const stats = r.simulation ? undefined : r.result?.stats;
    writeOutput(
      path,
      htmlReport({
        spec: spec.name,
        source: file,
        check: r.name ?? null,
        cex,
        views: r.system?.views ?? [],
        constants: r.system?.constValues ?? [],
        ...(stats ? { stats: { distinct: stats.distinct, generated: stats.generated, depth: stats.depth } } : {}),
        ...(r.shown || r.kernelOf ? { extras: { shown: r.shown, kernelOf: r.kernelOf } } : {}),
        ...(r.coverage && r.result ? { coverage: { report: r.coverage, complete: r.result.outcome.kind === 'ok' } } : {}),
      }),
    );
    written.push({ format: 'html', path, line: `HTML report written to ${path}` });
  }
  return written;
}
