/**
 * One pass of the front end over an editor's buffer: parse, check, link imports, and (for a
 * spec that checks) compile each configuration, collecting every diagnostic the CLI would
 * report for the same text, plus the index the server answers hover, definition and the rest
 * from. Pure of LSP types; src/lsp/server.ts converts.
 */
import { Diagnostic, SpecErrors } from '../lang/diagnostics.js';
import type * as A from '../lang/ast.js';
import { parseSpec } from '../lang/parser.js';
import { checkSpecKeepingResolutions, type CheckedSpec } from '../lang/check.js';
import { compileSpec } from '../lang/compile.js';
import { configOverrides, loadSpec } from '../engine/run.js';
import { buildIndex, type SpecIndex } from './spec-index.js';

export interface Analysis {
  readonly source: A.Source;
  /** Errors and warnings, in the order the CLI reports them. */
  readonly diagnostics: readonly Diagnostic[];
  /** Undefined when the text does not parse. */
  readonly index: SpecIndex | undefined;
  /** The checked spec, when it checks. */
  readonly spec: CheckedSpec | undefined;
  /** The import declarations, for placing diagnostics of imported files. */
  readonly imports: readonly Extract<A.Decl, { kind: 'import' }>[];
}

export interface AnalysisOptions {
  /**
   * Also compile every configuration (each check block's constants) for the errors that only
   * a configuration shows: E221 (an enumeration too large) and E228 (a temporal formula too
   * large). Default false: compiling can take seconds (it enumerates the types' values), so the
   * server does it in a worker thread on open and save (configurationErrors).
   */
  readonly configurations?: boolean;
}

/**
 * Analyses `text` as the file at `path` (imports are resolved relative to it, read from disk).
 * Never throws for a mistake in the spec.
 */
export function analyse(path: string, text: string, opts: AnalysisOptions = {}): Analysis {
  const source: A.Source = { path, text };
  let ast: A.SpecAst;
  try {
    ast = parseSpec(source);
  } catch (e) {
    if (e instanceof SpecErrors) return { source, diagnostics: e.diagnostics, index: undefined, spec: undefined, imports: [] };
    throw e;
  }
  const checked = checkSpecKeepingResolutions(ast);
  const index = buildIndex(ast, checked.res, checked.types);
  const imports = ast.decls.filter((d): d is Extract<A.Decl, { kind: 'import' }> => d.kind === 'import');
  const diagnostics: Diagnostic[] = [...checked.diagnostics, ...checked.warnings];
  const spec = checked.spec;
  if (spec && imports.length > 0) {
    // The imported files, checked and linked as the CLI does (this file's own part again, cheaply).
    try {
      loadSpec(path, text);
    } catch (e) {
      if (e instanceof SpecErrors) diagnostics.push(...e.diagnostics);
      else if (!isFileError(e)) throw e;
    }
  }
  if (spec && diagnostics.every((d) => d.code.startsWith('W')) && opts.configurations === true) {
    diagnostics.push(...configurationErrors(spec));
  }
  return { source, diagnostics, index, spec, imports };
}

function isFileError(e: unknown): boolean {
  const code = (e as NodeJS.ErrnoException | undefined)?.code;
  return typeof code === 'string' && code.startsWith('E') && !/^E\d/.test(code);
}

/**
 * The static errors of each configuration (a check block's constants, or the defaults):
 * compiling it reports E221 and E228. An error in evaluating the constants themselves (E7xx)
 * is a run-time error: `spex check` reports it with its run, and so does the code lens.
 */
export function configurationErrors(spec: CheckedSpec): Diagnostic[] {
  const out: Diagnostic[] = [];
  const seen = new Set<string>();
  const configs = spec.checks.length > 0 ? spec.checks : [undefined];
  for (const check of configs) {
    try {
      compileSpec(spec, configOverrides(check, new Map()), check);
    } catch (e) {
      if (!(e instanceof SpecErrors)) continue;
      for (const d of e.diagnostics) {
        const key = `${d.code}:${d.span?.start}:${d.message}`;
        if (seen.has(key)) continue;
        seen.add(key);
        out.push(check ? withCheck(d, check.name) : d);
      }
    }
  }
  return out;
}

function withCheck(d: Diagnostic, check: string): Diagnostic {
  return new Diagnostic(d.code, d.span, `${d.message} (in check ${check})`, d.hint);
}
