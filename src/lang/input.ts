/**
 * What spex accepts as the text of a spec, before and after parsing: a regular file of at most
 * MAX_SOURCE_BYTES (E101, E102), UTF-8 with an optional byte order mark, no control character
 * but tab, line feed, carriage return (before a line feed) and form feed (E103), and no
 * expression or statement nested more than MAX_NESTING deep (E104). And the other files the
 * CLI reads, JSON inputs (readInputFile), on the same terms.
 */
import { closeSync, fstatSync, openSync, readSync, statSync, type Stats } from 'node:fs';
import type * as A from './ast.js';
import { formatCount } from './compile/enumerate.js';
import { Diagnostic, MAX_NESTING, MAX_SOURCE_BYTES, NESTING_SLACK, SpecErrors } from './diagnostics.js';
import { nestingTooDeep } from './fast-parser.js';

/**
 * The text of a spec file. A directory or a missing file throws the usual Node error (the
 * callers report them with the path); any other file that is not a regular file is E102, one
 * larger than MAX_SOURCE_BYTES is E101. Nothing past the limit is read. A leading byte order
 * mark is dropped.
 */
export function readSpecFile(path: string): string {
  return readChecked(path, (st) => {
    checkRegular(path, st);
    if (st.size > MAX_SOURCE_BYTES) throw new SpecErrors([tooLarge(path, st.size)]);
  });
}

/** The files the run under way has read as input (specs, traces, job results), by device and inode. */
const readFiles = new Set<string>();

function fileKey(st: Stats): string {
  return `${st.dev}:${st.ino}`;
}

/** Whether the file of `st` is one this run read as input: the CLI does not write over it. */
export function wasReadAsInput(st: Stats): boolean {
  return readFiles.has(fileKey(st));
}

/**
 * Starts a run's list of inputs afresh (the CLI, at each command): a process that runs several
 * commands (the tests, in process) must not keep an earlier run's files, whose inodes the file
 * system may since have given to a new file, such as an output.
 */
export function forgetInputs(): void {
  readFiles.clear();
}

/**
 * The text of file `path` once `look` has passed its status (it throws otherwise), looked at
 * before opening (opening a FIFO would wait for a writer) and again once open. Nothing past
 * the size it had then is read. A leading byte order mark is dropped.
 */
function readChecked(path: string, look: (st: Stats) => void): string {
  look(statSync(path));
  const fd = openSync(path, 'r');
  try {
    const st = fstatSync(fd);
    look(st);
    readFiles.add(fileKey(st));
    const buf = Buffer.alloc(st.size);
    let off = 0;
    while (off < st.size) {
      const n = readSync(fd, buf, off, st.size - off, off);
      if (n === 0) break;
      off += n;
    }
    // A file that grew while being read: its size is that of the moment it was opened.
    const text = buf.toString('utf8', 0, off);
    return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  } finally {
    closeSync(fd);
  }
}

/**
 * The largest JSON input spex reads (an ITF trace for `spex replay` or `spex explore
 * --open-trace`, a swarm job's result for `spex swarm merge`): 64 MiB. Its values take some
 * fifteen times their text in memory; a trace longer than that is not one a run writes.
 */
export const MAX_JSON_INPUT_BYTES = 64 * 2 ** 20;

/**
 * The text of a JSON input file, `what` naming it in messages (`a trace`). As for a spec, a
 * directory, a missing or unreadable file throw the file system's error with the path; a pipe,
 * a device or a socket (which could be read for ever, and a FIFO would wait for a writer) and
 * a file over `max` bytes throw such an error too, with their own reason, unread: the CLI
 * reports them all as `cannot read PATH: reason` (exit 1). A leading byte order mark is dropped.
 */
export function readInputFile(path: string, max: number, what: string): string {
  const refuse = (code: string, reason: string): never => {
    const e = new Error(`${code}: ${reason}`) as NodeJS.ErrnoException & { reason?: string };
    e.code = code;
    e.path = path;
    e.reason = reason;
    throw e;
  };
  const look = (st: Stats): void => {
    if (st.isDirectory()) refuse('EISDIR', READ_REASONS['EISDIR']!);
    if (!st.isFile()) refuse('ENOTREG', `it is ${irregular(st)}, not a regular file; ${what} is read from a file`);
    if (st.size > max) refuse('EFBIG', `it has ${formatCount(st.size)} bytes, more than the ${formatCount(max)} ${what} may have`);
  };
  try {
    return readChecked(path, look);
  } catch (e) {
    (e as NodeJS.ErrnoException).path ??= path;
    throw e;
  }
}

/** What a file that is not a regular one is, in words. */
function irregular(st: Stats): string {
  return st.isFIFO() ? 'a pipe' : st.isCharacterDevice() ? 'a character device' : st.isBlockDevice() ? 'a block device' : st.isSocket() ? 'a socket' : 'not a regular file';
}

/** Why a path could not be read, in words, for the errors reading a spec or walking a folder can meet. */
const READ_REASONS: Record<string, string> = {
  ENOENT: 'no such file',
  EISDIR: 'it is a directory',
  EACCES: 'permission denied',
  EPERM: 'permission denied',
  ELOOP: 'too many levels of symbolic links (a link that leads back to itself)',
  ENOTDIR: 'a part of the path is not a directory',
  ENAMETOOLONG: 'the name is too long',
  EMFILE: 'too many open files',
  ENFILE: 'too many open files',
  EIO: 'input/output error',
};

/**
 * `cannot read PATH: reason` when `e` is the file system's error for a path being read
 * (opened, looked at, listed), else undefined: the CLI reports it as an I/O error (exit 1),
 * not an internal one.
 */
export function readFailure(e: unknown): string | undefined {
  const ne = e as (Partial<NodeJS.ErrnoException> & { reason?: unknown }) | null;
  if (typeof ne !== 'object' || ne === null || typeof ne.code !== 'string') return undefined;
  const reason = typeof ne.reason === 'string' ? ne.reason : READ_REASONS[ne.code];
  if (reason === undefined) return undefined;
  return `cannot read ${ne.path ?? 'file'}: ${reason}`;
}

function checkRegular(path: string, st: Stats): void {
  if (st.isDirectory()) {
    const e = new Error(`EISDIR: illegal operation on a directory, read`) as NodeJS.ErrnoException;
    e.code = 'EISDIR';
    e.path = path;
    throw e;
  }
  if (!st.isFile()) {
    const what = irregular(st);
    throw new SpecErrors([
      new Diagnostic('E102', undefined, `cannot read ${path}: it is ${what}, not a regular file`, 'give the path of a .spex file; to check generated text, write it to a file first'),
    ]);
  }
}

function tooLarge(path: string, size: number): Diagnostic {
  return new Diagnostic(
    'E101',
    undefined,
    `cannot read ${path}: it has ${formatCount(size)} bytes, more than the ${formatCount(MAX_SOURCE_BYTES)} a spec may have`,
    'split the spec into several files (import), or generate less',
  );
}

/** Whether a character is refused in a spec: a C0 or C1 control other than tab, LF, FF, CR; DEL. */
function isRefusedControl(c: number): boolean {
  return (c < 0x20 && c !== 9 && c !== 10 && c !== 12 && c !== 13) || (c >= 0x7f && c <= 0x9f);
}

const CONTROL_NAMES: Record<number, string> = { 0: 'NUL', 0x1b: 'ESC', 0x7f: 'DEL', 0x0b: 'vertical tab', 0x08: 'backspace' };

/**
 * E103 at the first control character of the text, or at the first carriage return not
 * followed by a line feed; a text larger than the limit is E101. Lines end with LF or CR LF: a
 * lone CR ends a line for editors (and the language server) but not for the grammar, so a `//`
 * comment would run on past it and silently swallow the code after it.
 */
export function checkText(source: A.Source): void {
  const text = source.text;
  if (text.length > MAX_SOURCE_BYTES) throw new SpecErrors([tooLarge(source.path, text.length)]);
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 13 && text.charCodeAt(i + 1) !== 10) {
      throw new SpecErrors([
        new Diagnostic(
          'E103',
          { source, start: i, end: i + 1 },
          'carriage return (U+000D) not followed by a line feed',
          "spex ends lines with LF or CR LF; convert the file's line endings (`tr '\\r' '\\n'` for a file with CR alone), since an editor shows a new line here where spex would not see one",
        ),
      ]);
    }
    if (c < 0x20 ? c !== 9 && c !== 10 && c !== 12 && c !== 13 : c >= 0x7f && c <= 0x9f) {
      if (!isRefusedControl(c)) continue;
      const code = `U+${c.toString(16).toUpperCase().padStart(4, '0')}`;
      const name = CONTROL_NAMES[c];
      throw new SpecErrors([
        new Diagnostic(
          'E103',
          { source, start: i, end: i + 1 },
          `control character ${code}${name ? ` (${name})` : ''} in the spec`,
          'remove it: outside strings and comments a spec is made of printable characters, spaces, tabs and line breaks, and no control character may appear anywhere',
        ),
      ]);
    }
  }
}

/**
 * Visits every node of a tree that has a `kind` (the AST's nodes), with its depth in such
 * nodes (the root's is 1), parents before children. Walks with an explicit stack, so a tree
 * too deep for the JavaScript stack is walked too; names (`{ text, span }`) and spans hold
 * nothing nested and are skipped.
 */
function walkKinded(root: object, visit: (node: Record<string, unknown>, depth: number) => void): void {
  const nodes: unknown[] = [root];
  const depths: number[] = [0];
  while (nodes.length > 0) {
    const node = nodes.pop()!;
    const depth = depths.pop()!;
    if (Array.isArray(node)) {
      for (const x of node) {
        if (x !== null && typeof x === 'object') {
          nodes.push(x);
          depths.push(depth);
        }
      }
      continue;
    }
    const o = node as Record<string, unknown>;
    let d = depth;
    if (typeof o.kind === 'string') visit(o, ++d);
    for (const key in o) {
      if (key === 'span' || key === 'source' || key === 'pathSpan') continue;
      const v = o[key];
      // A name (`{ text, span }`) holds nothing nested; a reference to a name may be one too
      // (src/lang/ast.ts, NameRef) and is a node all the same.
      if (v !== null && typeof v === 'object' && ((v as { text?: unknown }).text === undefined || typeof (v as { kind?: unknown }).kind === 'string')) {
        nodes.push(v);
        depths.push(d);
      }
    }
  }
}

/**
 * E104 where an expression, statement or formula is nested more than MAX_NESTING deep: every
 * later phase (checker, compiler, code generator, evaluator) walks these trees recursively.
 */
export function checkNesting(root: object): void {
  const limit = MAX_NESTING + NESTING_SLACK;
  walkKinded(root, (o, depth) => {
    if (o.kind === 'tupleItem' && (o.target as { kind: string }).kind === 'int') decimal(o.span as A.Span);
    if (depth > limit) {
      const sp = o.span as A.Span;
      throw new SpecErrors([nestingTooDeep(sp.source, sp.start, sp.end)]);
    }
  });
}

/**
 * A JavaScript stack overflow in a phase that walks the spec's trees (within MAX_NESTING, the
 * trees of some shapes still take more stack than there is): E104 for the whole spec rather
 * than an internal error. Other errors are returned as they are.
 */
export function stackOverflowAsE104(e: unknown, source: A.Source, root?: object): unknown {
  if (!(e instanceof RangeError) || !/call stack/.test(e.message)) return e;
  // With the tree at hand: where the nesting is deepest, which is where the walk ran out of
  // stack (the innermost construct of the deepest chain), rather than the top of the file.
  const deepest = root === undefined ? undefined : deepestNode(root);
  if (deepest !== undefined && deepest.span.source === source) {
    return new SpecErrors([
      new Diagnostic(
        'E104',
        deepest.span,
        `the spec is nested too deeply to be checked: this is ${deepest.depth} levels deep`,
        `an expression, statement or formula nests more than spex can follow (at most ${MAX_NESTING} levels, fewer for some nested values such as set and sequence literals); name the inner parts with def or let`,
      ),
    ]);
  }
  return new SpecErrors([
    new Diagnostic(
      'E104',
      { source, start: 0, end: Math.min(source.text.length, source.text.indexOf('\n') < 0 ? source.text.length : source.text.indexOf('\n')) },
      'the spec is nested too deeply to be checked',
      `an expression, statement or formula nests more than spex can follow (at most ${MAX_NESTING} levels, fewer for some nested values); name the inner parts with def or let`,
    ),
  ]);
}

/**
 * The most deeply nested node of a tree (counting the nodes with a `kind`, as checkNesting
 * does) and its depth; the first of them in the walk's order if several are as deep.
 */
export function deepestNode(root: object): { span: A.Span; depth: number } | undefined {
  let best: { span: A.Span; depth: number } | undefined;
  walkKinded(root, (o, depth) => {
    const sp = o.span as A.Span | undefined;
    if (sp !== undefined && (best === undefined || depth > best.depth)) best = { span: sp, depth };
  });
  return best;
}

/** `3.5` parses as item 5 of the tuple 3: spex has integers only (E100). */
function decimal(span: A.Span): never {
  const text = span.source.text.slice(span.start, span.end);
  throw new SpecErrors([
    new Diagnostic('E100', span, `'${text}' is not an integer: spex numbers are integers`, 'write an integer; for fractions, scale the values (350 for 3.50)'),
  ]);
}
