/**
 * Every mistake a user can make in a spec, and every run-time error of a spec, is a
 * Diagnostic: a code from the catalog below, a span and a one-line message (plus an optional
 * hint). They are rendered in one place, renderDiagnostic, as
 *
 *   spec/x.spex:7:5: error[E201]: unknown name 'cnt'
 *     7 |   cnt := cnt + 1
 *       |   ^^^
 *     = hint: did you mean 'count'?
 */
import type { Source, Span } from './ast.js';
import { lastAtMost } from '../values/bisect.js';
import { groupDigits } from '../values/format.js';

/** The catalog. Each code keeps its meaning forever; docs/diagnostics.md explains each. */
export const CODES = {
  E100: 'syntax error',
  E101: 'spec file too large',
  E102: 'not a regular file',
  E103: 'control character in the spec',
  E104: 'nesting too deep',
  E201: 'unknown name',
  E202: 'unknown type',
  E203: 'duplicate declaration',
  E204: 'wrong number of arguments',
  E205: 'type mismatch',
  E206: 'assignment to something that is not a state variable',
  E207: 'non-exhaustive match',
  E208: 'a write that is always lost',
  E209: 'unknown field',
  E210: 'a domain that is not finite',
  E211: 'recursive definition',
  E212: 'state variable never initialised',
  E213: 'unknown check target',
  E214: 'bad constant override',
  E215: 'misplaced statement',
  E216: 'constant expression required',
  E217: 'the packed engine cannot run this spec',
  E218: 'a primed name outside a step predicate',
  E219: 'a primed name that is not a state variable',
  E220: 'misused either/or',
  E221: 'an enumeration too large',
  E222: 'a type where a set of values is expected',
  E223: 'a call not followed by a label, a return or a goto',
  E224: 'return outside a procedure',
  E225: 'call or return inside a for loop',
  E226: 'process variable without an initial value',
  E227: 'temporal operator inside an expression',
  E228: 'temporal formula too large',
  E229: 'cannot import a spec',
  E230: 'import mapping incomplete',
  E231: 'import mapping of the wrong type',
  E232: 'import cycle',
  E233: 'too many process instances',
  E240: 'a symmetry that cannot be declared',
  E241: 'a symmetric value named',
  E242: 'symmetric values ordered or computed with',
  E243: 'symmetry with temporal properties',
  E246: 'a shown name that is not a definition without parameters or a view',
  E247: 'a misplaced attribute',
  E248: 'a malformed attribute',
  E255: 'a malformed swarm slice',
  E256: 'a malformed bitstate size or hash count',
  E257: 'a swarm search that cannot check the configuration',
  E258: 'not a swarm job result',
  E259: 'swarm job results that do not belong together',
  E250: 'a directory the disk-backed search cannot use',
  E251: 'no checkpoint to resume',
  E252: 'a checkpoint of another spec or configuration',
  E701: 'division by zero',
  E702: 'key outside the map domain',
  E703: 'value outside its declared range',
  E704: 'choice from an empty set',
  E705: 'index out of bounds',
  E706: 'integer overflow',
  E707: 'no match arm applies',
  E708: 'undefined value',
  E709: 'recursion too deep',
  E710: 'a set too large to enumerate',
  E711: 'no initial state',
  E712: 'the disk-backed search cannot read or write its files',
  E715: 'an evaluation over its work budget',
  E716: 'a step nested too deep for the stack',
} as const;

/**
 * Warnings: the spec is accepted and runs, but something in it is probably not what was meant.
 * Codes W001–W099 are found statically, W100 and up during a run. Rendered as `warning[Wnnn]`.
 */
export const WARNINGS = {
  W001: 'a variable of unbounded type',
  W100: 'a step never enabled',
} as const;

export type WarningCode = keyof typeof WARNINGS;

export type Code = keyof typeof CODES | WarningCode;

/** Whether a code is a warning's (the run goes on) rather than an error's. */
export function isWarning(code: Code): boolean {
  return code.startsWith('W');
}

/**
 * The most elements of `for` loops one step nests (E716): the elements of a loop whose bodies
 * are under way, each continuing with the next, and those of the loops around and before it
 * in the same step. Both engines run a loop's elements as nested calls; the threads that run
 * steps have stacks (THREAD_STACK_MB) for at least ten times as many with a body of a few
 * statements.
 */
export const MAX_FOR_NESTING = 50_000;

/** The most values spex enumerates for a type, `subsets` or `maps` (E221, E710). */
export const MAX_ENUMERATION = 1_000_000;

/**
 * The most levels an expression, statement or formula may be nested (E104): brackets, `not`,
 * `-`, operators that are not associative (`a - b - c`), if-then-else, quantifiers, blocks.
 * Chains of one associative operator (`a + b + ...`, `and`, `or`, `union`, `inter`, `*`) do
 * not count. The trees are allowed NESTING_SLACK more levels for the declaration and
 * operands around the nested part.
 */
export const MAX_NESTING = 1000;
export const NESTING_SLACK = 24;

/** The most process instances of a spec, all processes together (E233). */
export const MAX_INSTANCES = 10_000;

/** The largest spec file spex reads, in bytes (E101). */
export const MAX_SOURCE_BYTES = 16 * 1024 * 1024;

/**
 * The checker stops after this many errors (as clang's -ferror-limit): a file of thousands of
 * mistakes is not read to its end, and each error's hint costs time in proportion to the
 * spec's names. SpecErrors.stopped says so, and the report tells the user.
 */
export const MAX_ERRORS = 100;

/** The longest message or hint shown whole, in characters; a longer one is cut with '…'. */
export const MAX_MESSAGE = 1000;

/** The most columns of a source line a diagnostic shows; a longer line is shown around its caret. */
export const MAX_SNIPPET = 120;
/** Of those, the columns shown before the caret when the line is cut. */
const SNIPPET_BEFORE = 40;

/** The most names a hint lists ("the checks are: ..."); more are counted instead. */
export const MAX_LISTED = 12;

/**
 * Characters a reader cannot see or that reorder what is shown (zero-width, bidirectional
 * controls, byte order mark, soft hyphen), Unicode spaces that look like a plain one (no-break,
 * typographic, ideographic) and line separators, and control characters: shown as `\uXXXX` in
 * messages.
 */
const INVISIBLE = /[\u0000-\u0008\u000b-\u001f\u007f-\u00a0\u00ad\u061c\u115f\u1160\u1680\u17b4\u17b5\u180e\u2000-\u200f\u2028-\u202f\u205f-\u206f\u3000\u3164\ufe00-\ufe0f\ufeff\uffa0\ufff9-\ufffb]/g;

/** The text with every invisible or bidirectional character written as `\uXXXX`. */
export function escapeInvisible(s: string): string {
  return s.replace(INVISIBLE, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/** How to write the set of all values of a set or map type (E222). */
export const TYPE_AS_SET_HINT =
  "write subsets(S) for the sets of elements of S, maps(K, V) for the maps from the keys K to values in V, or name the type ('type Grant = Map[Res, Bool]') and use the name as the set of its values";

export class Diagnostic {
  readonly message: string;
  readonly hint?: string;
  constructor(
    readonly code: Code,
    readonly span: Span | undefined,
    message: string,
    hint?: string,
  ) {
    // Messages quote source text: what cannot be seen is written out, and a name as long as
    // a file does not fill the terminal.
    this.message = clipped(escapeInvisible(message));
    if (hint !== undefined) this.hint = clipped(escapeInvisible(hint));
  }
}

/** The text, cut at MAX_MESSAGE characters (not inside a surrogate pair) with '…'. */
export function clipped(text: string): string {
  if (text.length <= MAX_MESSAGE) return text;
  let end = MAX_MESSAGE - 1;
  if (isLowSurrogate(text.charCodeAt(end))) end--;
  return text.slice(0, end) + '…';
}

function isLowSurrogate(c: number): boolean {
  return c >= 0xdc00 && c <= 0xdfff;
}

/** Names for a hint, comma-separated: the first MAX_LISTED of them, and how many more there are. */
export function nameList(names: readonly string[]): string {
  if (names.length <= MAX_LISTED) return names.join(', ');
  return `${names.slice(0, MAX_LISTED).join(', ')} and ${groupDigits(names.length - MAX_LISTED)} more`;
}

/** Thrown by the front end when it cannot go on; carries every diagnostic found so far. */
export class SpecErrors extends Error {
  /**
   * `stopped`: the checker stopped at MAX_ERRORS errors, so there may be more. The message is
   * the first diagnostics' (the reports print each one, rendered).
   */
  constructor(
    readonly diagnostics: Diagnostic[],
    readonly stopped = false,
  ) {
    super(diagnostics.slice(0, MAX_ERRORS).map((d) => d.message).join('\n'));
    this.name = 'SpecErrors';
  }

  /** "3 errors", "3 errors in FILE"; when the checker stopped, "100 errors …; checking stopped there". */
  summary(where?: string): string {
    const n = this.diagnostics.length;
    const count = `${groupDigits(n)} error${n === 1 ? '' : 's'}${where === undefined ? '' : ` in ${where}`}`;
    return this.stopped ? `${count}; checking stopped there (at most ${MAX_ERRORS} are reported): fix these and check again` : count;
  }

  /** A syntax or input error (E100–E109): exit 150. */
  get isSyntax(): boolean {
    return this.diagnostics.some((d) => d.code.startsWith('E10'));
  }
}

export interface LineCol {
  readonly line: number;
  readonly col: number;
}

/** Per source text, the offset at which each line starts: built once, on the first lookup. */
const lineStarts = new WeakMap<Source, { readonly text: string; readonly starts: Uint32Array }>();

function lineStartsOf(source: Source): Uint32Array {
  const known = lineStarts.get(source);
  if (known !== undefined && known.text === source.text) return known.starts;
  const text = source.text;
  let lines = 1;
  for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) lines++;
  const starts = new Uint32Array(lines);
  let k = 1;
  for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) starts[k++] = i + 1;
  lineStarts.set(source, { text, starts });
  return starts;
}

/**
 * 1-based line and column of an offset (one past the text's end at most). A binary search
 * over the source's line starts, so that a report of many diagnostics in a large file is not
 * quadratic.
 */
export function lineCol(source: Source, offset: number): LineCol {
  const starts = lineStartsOf(source);
  const line = lastAtMost(starts, starts.length, Math.min(Math.max(offset, 0), source.text.length));
  return { line: line + 1, col: offset - starts[line]! + 1 };
}

export function formatLocation(span: Span): string {
  const { line, col } = lineCol(span.source, span.start);
  return `${span.source.path}:${line}:${col}`;
}

/** The diagnostic as the user reads it: header, source line, caret, hint. */
export function renderDiagnostic(d: Diagnostic, severity = `${isWarning(d.code) ? 'warning' : 'error'}[${d.code}]`): string {
  if (d.span === undefined) {
    return `${severity}: ${d.message}` + (d.hint ? `\n  = hint: ${d.hint}` : '');
  }
  const { line, col } = lineCol(d.span.source, d.span.start);
  const text = d.span.source.text;
  const lineStart = d.span.start - (col - 1);
  let lineEnd = text.indexOf('\n', lineStart);
  if (lineEnd < 0) lineEnd = text.length;
  const rawLine = text.slice(lineStart, lineEnd).replace(/\r$/, '').replace(/\t/g, ' ');
  const { shown, caret, width } = snippet(rawLine, col - 1, Math.min(d.span.end, lineEnd) - lineStart);
  const gutter = String(line).length;
  const pad = ' '.repeat(gutter);
  const out = [
    `${d.span.source.path}:${line}:${col}: ${severity}: ${d.message}`,
    `${pad} |`,
    `${line} | ${shown}`,
    `${pad} | ${' '.repeat(caret)}${'^'.repeat(width)}`,
  ];
  if (d.hint) out.push(`${pad} = hint: ${d.hint}`);
  return out.join('\n');
}

/**
 * A source line as a diagnostic shows it, invisible characters escaped, with the caret's
 * column and width in what is shown, for the span [from, to) of the line (`to` may pass the
 * line's end). A line wider than MAX_SNIPPET is cut to MAX_SNIPPET columns around the span,
 * with '…' where it was cut, so that a spec written on one long line gets a readable report.
 */
export function snippet(line: string, from: number, to: number): { shown: string; caret: number; width: number } {
  const end = Math.max(from + 1, Math.min(to, line.length));
  // Escaping never shortens a line: one longer than the window is not escaped whole.
  const whole = line.length <= MAX_SNIPPET ? escapeInvisible(line) : undefined;
  if (whole !== undefined && whole.length <= MAX_SNIPPET) {
    // Escapes are wider than what they stand for: columns are counted in what is shown.
    return { shown: whole, caret: escapeInvisible(line.slice(0, from)).length, width: Math.max(1, escapeInvisible(line.slice(from, end)).length) };
  }
  // A window of raw characters, then escaped: never cut inside an escape or a surrogate pair.
  let a = Math.min(from, line.length);
  for (let before = 0; a > 0; ) {
    const step = a >= 2 && isLowSurrogate(line.charCodeAt(a - 1)) ? 2 : 1;
    const w = escapeInvisible(line.slice(a - step, a)).length;
    if (before + w > SNIPPET_BEFORE) break;
    before += w;
    a -= step;
  }
  let b = a;
  let columns = a > 0 ? 1 : 0;
  while (b < line.length) {
    const step = isLowSurrogate(line.charCodeAt(b + 1)) ? 2 : 1;
    const w = escapeInvisible(line.slice(b, b + step)).length;
    if (columns + w > MAX_SNIPPET - 1) break;
    columns += w;
    b += step;
  }
  const head = a > 0 ? '…' : '';
  const shown = head + escapeInvisible(line.slice(a, b)) + (b < line.length ? '…' : '');
  const caret = head.length + escapeInvisible(line.slice(a, from)).length;
  const width = Math.max(1, escapeInvisible(line.slice(from, Math.min(end, b))).length);
  return { shown, caret, width };
}

/**
 * Edit distance for "did you mean" hints, case aside: insertions, deletions, substitutions
 * and swaps of two neighbouring letters cost 1 each (the optimal string alignment distance),
 * so that `cuont` is one edit from `count`, as a typist would count it.
 */
export function editDistance(a: string, b: string): number {
  const x = a.toLowerCase();
  const y = b.toLowerCase();
  // Rows i - 2, i - 1 and i of the table.
  let before = new Array<number>(y.length + 1).fill(0);
  let prev = new Array<number>(y.length + 1);
  let row = new Array<number>(y.length + 1);
  for (let j = 0; j <= y.length; j++) prev[j] = j;
  for (let i = 1; i <= x.length; i++) {
    row[0] = i;
    for (let j = 1; j <= y.length; j++) {
      const cost = x[i - 1] === y[j - 1] ? 0 : 1;
      let d = Math.min(prev[j]! + 1, row[j - 1]! + 1, prev[j - 1]! + cost);
      if (i > 1 && j > 1 && x[i - 1] === y[j - 2] && x[i - 2] === y[j - 1]) d = Math.min(d, before[j - 2]! + 1);
      row[j] = d;
    }
    [before, prev, row] = [prev, row, before];
  }
  return prev[y.length]!;
}

/** "did you mean 'x'?" for the closest candidate, if any is close enough. */
export function didYouMean(name: string, candidates: Iterable<string>): string | undefined {
  let best: string | undefined;
  let bestDist = Infinity;
  for (const c of candidates) {
    const d = editDistance(name, c);
    if (d < bestDist || (d === bestDist && best !== undefined && c < best)) {
      best = c;
      bestDist = d;
    }
  }
  if (best === undefined) return undefined;
  const limit = Math.max(1, Math.floor(name.length / 3));
  return bestDist <= limit ? `did you mean '${best}'?` : undefined;
}
