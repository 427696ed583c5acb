/**
 * A hand-written parser for the grammar of grammar/spex.ohm: the same language, the same AST
 * (spans included), in linear time and without deep recursion. It is the fast path of
 * parseSpec (src/lang/parser.ts): when it cannot parse a text, it says so (throws FAIL) and the
 * ohm grammar, which stays the definition of the language, parses the text again and reports
 * the syntax error. So this parser only has to be right on the texts it accepts; on any
 * construct it is unsure of it gives up rather than guess.
 *
 * It reads tokens (names, numbers, strings, punctuation) and follows the grammar's rules as a
 * PEG does: alternatives in order, a binary operator consumed only if its right operand parses.
 * Left-recursive rules are loops. Its own recursion is bounded by MAX_NESTING (E104).
 */
import type * as A from './ast.js';
import { binaryAt as binaryNode, intAt as intNode, nameAt as nameNode, nameRef as nameRefNode } from './ast.js';
import { Diagnostic, MAX_NESTING, NESTING_SLACK, SpecErrors } from './diagnostics.js';
import { classifyFormula, pure, withFairness } from './parser.js';
import { pollInterrupt } from '../explore/guard.js';

/** Thrown (never with a stack) when the fast parser cannot parse the text. */
export const FAIL = { fail: true } as const;

const RESERVED = new Set([
  'spec', 'const', 'enum', 'type', 'var', 'def', 'init', 'action', 'invariant',
  'check', 'expect', 'require', 'let', 'pick', 'where', 'if', 'then', 'else',
  'for', 'match', 'assert', 'forall', 'exists', 'choose', 'in', 'and', 'or',
  'not', 'implies', 'union', 'inter', 'minus', 'subset', 'is', 'with',
  'true', 'false', 'process', 'property', 'fair', 'strong', 'await',
  'goto', 'while', 'always', 'eventually', 'sum', 'at',
]);

const T_IDENT = 0;
const T_NUM = 1;
const T_STR = 2;
const T_PUNCT = 3;
const T_EOF = 4;
const T_OTHER = 5;

// Punctuation, longest first: `|->`, then two characters, then one.
const PUNCT2_BY_CODE = new Map(['==', '!=', '<=', '>=', ':=', '->', '=>', '~>', '..'].map((p) => [p.charCodeAt(0) * 65536 + p.charCodeAt(1), p]));
const PUNCT1_BY_CODE: (string | undefined)[] = [];
for (const p of '()[]{},:;|=<>+-*/%.\'@') PUNCT1_BY_CODE[p.charCodeAt(0)] = p;

/**
 * A chain of one associative operator, as its operands come: each with its first and last
 * token. Up to BALANCE_FROM operands they are kept as they are, for the left-leaning tree the
 * grammar gives. Past that, the lists are a stack of balanced subtrees whose sizes (powers of
 * two) decrease from the bottom, merged as a binary counter carries: the chain's tree is built
 * as it is read, balanced, with no list of all its operands.
 */
interface Run {
  readonly op: A.BinaryOp;
  readonly xs: A.Expr[];
  readonly starts: number[];
  readonly ends: number[];
  /** The operand count of each subtree, once the chain is past BALANCE_FROM. */
  sizes: number[] | undefined;
  /** The first token of the last operand. */
  lastStart: number;
}

interface Infix {
  readonly prec: number;
  readonly op: A.BinaryOp | 'with' | 'is' | 'at';
  readonly width: number;
}

/** Chains of one associative operator longer than this are built as balanced trees (Run). */
const BALANCE_FROM = 32;
const ASSOCIATIVE = new Set<A.BinaryOp>(['and', 'or', 'union', 'inter', '+', '*']);
/** The operators that chain to the left without a run (see Parser.noteLeftChain). */
const LEFT_CHAINED = new Set<A.BinaryOp>(['-', '/', '%']);

// Precedence levels of the grammar's expression rules, loosest first.
const P_IMPLIES = 1;
const P_OR = 2;
const P_AND = 3;
const P_NOT = 4;
const P_CMP = 5;
const P_WITH = 6;
const P_SETOP = 7;
const P_INTER = 8;
const P_RANGE = 9;
const P_ADD = 10;
const P_MUL = 11;
const P_UNARY = 12;
const P_MAX = 100;

const PUNCT_INFIX = new Map<string, Infix>([
  ...(['==', '!=', '<=', '>=', '<', '>'] as const).map((op): [string, Infix] => [op, { prec: P_CMP, op, width: 1 }]),
  ['..', { prec: P_RANGE, op: '..', width: 1 }],
  ['+', { prec: P_ADD, op: '+', width: 1 }],
  ['-', { prec: P_ADD, op: '-', width: 1 }],
  ['*', { prec: P_MUL, op: '*', width: 1 }],
  ['/', { prec: P_MUL, op: '/', width: 1 }],
  ['%', { prec: P_MUL, op: '%', width: 1 }],
]);
const WORD_INFIX = new Map<string, Infix>([
  ['implies', { prec: P_IMPLIES, op: 'implies', width: 1 }],
  ['or', { prec: P_OR, op: 'or', width: 1 }],
  ['and', { prec: P_AND, op: 'and', width: 1 }],
  ['in', { prec: P_CMP, op: 'in', width: 1 }],
  ['subset', { prec: P_CMP, op: 'subset', width: 1 }],
  ['is', { prec: P_CMP, op: 'is', width: 1 }],
  ['at', { prec: P_CMP, op: 'at', width: 1 }],
  ['with', { prec: P_WITH, op: 'with', width: 1 }],
  ['union', { prec: P_SETOP, op: 'union', width: 1 }],
  ['minus', { prec: P_SETOP, op: 'minus', width: 1 }],
  ['inter', { prec: P_INTER, op: 'inter', width: 1 }],
]);
const NOT_IN: Infix = { prec: P_CMP, op: 'notin', width: 2 };

/**
 * A text's tokens, in typed arrays: for each its start, and its text as an index into `texts`,
 * which holds each distinct token text once (a large spec repeats its names and numbers many
 * times), with its kind in `kinds` (a text is of one kind: a name, a number, a string, a
 * punctuation mark, ...). A token's text is the source's from its start on, so its end is its
 * start plus its text's length (Parser.endOf). The indexes are 16 bits wide while the text
 * has fewer than 65,536 distinct token texts (as nearly every spec has), else 32: 6 bytes a
 * token, not 13, for `1+1+...`'s token a byte.
 */
interface Tokens {
  start: Int32Array;
  textId: Uint16Array | Int32Array;
  texts: string[];
  kinds: number[];
  count: number;
}

function isIdentStart(c: number): boolean {
  return (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || c === 95;
}
function isIdentRest(c: number): boolean {
  return isIdentStart(c) || (c >= 48 && c <= 57);
}
/**
 * Beyond ASCII, names are those of the grammar's `letter` and `alnum` (ohm's): a letter is any
 * code point of Unicode's category L, a digit only 0 to 9. Sticky, matched at `lastIndex`.
 */
const UNICODE_LETTER = /\p{L}/uy;
const UNICODE_NAME_REST = /[\p{L}0-9_]*/uy;
function unicodeLetterAt(src: string, i: number): boolean {
  UNICODE_LETTER.lastIndex = i;
  return UNICODE_LETTER.test(src);
}
/** The end of the name that goes on at `j` with a character beyond ASCII. */
function unicodeNameEnd(src: string, j: number): number {
  UNICODE_NAME_REST.lastIndex = j;
  UNICODE_NAME_REST.test(src);
  return UNICODE_NAME_REST.lastIndex;
}

/** The tokens of a text; a character no token begins with is a token no rule accepts. */
function tokenize(src: string): Tokens {
  const n = src.length;
  let cap = 1024;
  let start = new Int32Array(cap);
  let textId: Uint16Array | Int32Array = new Uint16Array(cap);
  const texts: string[] = [];
  const kinds: number[] = [];
  const ids = new Map<string, number>();
  let count = 0;
  const push = (k: number, s: number, e: number, t: string) => {
    if (count === cap) {
      cap *= 2;
      const s2 = new Int32Array(cap); s2.set(start); start = s2;
      const t2 = textId instanceof Uint16Array ? new Uint16Array(cap) : new Int32Array(cap); t2.set(textId); textId = t2;
    }
    let id = ids.get(t);
    if (id === undefined) {
      id = texts.length;
      if (id === 0x10000) { const t2 = new Int32Array(cap); t2.set(textId); textId = t2; }
      texts.push(t);
      kinds.push(k);
      ids.set(t, id);
    } else if (kinds[id] !== k) throw new Error(`internal error: token ${count}'s text ${JSON.stringify(t)} was read as another kind before`);
    if (e !== s + t.length) throw new Error(`internal error: token ${count} is not the text from its start`);
    start[count] = s; textId[count] = id; count++;
  };
  // A byte order mark at the start is no part of the text.
  let i = src.charCodeAt(0) === 0xfeff ? 1 : 0;
  while (i < n) {
    pollInterrupt();
    const c = src.charCodeAt(i);
    if (c <= 32) { i++; continue; }
    if (c === 47 && src.charCodeAt(i + 1) === 47) {
      const nl = src.indexOf('\n', i);
      i = nl < 0 ? n : nl;
      continue;
    }
    if (c === 47 && src.charCodeAt(i + 1) === 42) {
      const close = src.indexOf('*/', i + 2);
      // Unterminated: a token no rule accepts, so that the parser stops here.
      if (close < 0) { push(T_OTHER, i, i + 2, '/*'); i += 2; continue; }
      i = close + 2;
      continue;
    }
    const ascii = isIdentStart(c);
    if (ascii || (c > 127 && unicodeLetterAt(src, i))) {
      let j = ascii ? i + 1 : i;
      while (j < n && isIdentRest(src.charCodeAt(j))) j++;
      if (j < n && src.charCodeAt(j) > 127) j = unicodeNameEnd(src, j);
      push(T_IDENT, i, j, src.slice(i, j));
      i = j;
      continue;
    }
    if (c >= 48 && c <= 57) {
      let j = i + 1;
      while (j < n && src.charCodeAt(j) >= 48 && src.charCodeAt(j) <= 57) j++;
      push(T_NUM, i, j, src.slice(i, j));
      i = j;
      continue;
    }
    if (c === 34) {
      let j = i + 1;
      while (j < n && src.charCodeAt(j) !== 34 && src.charCodeAt(j) !== 10) j++;
      if (j >= n || src.charCodeAt(j) !== 34) { push(T_OTHER, i, i + 1, '"'); i++; continue; }
      push(T_STR, i, j + 1, src.slice(i, j + 1));
      i = j + 1;
      continue;
    }
    const c2 = src.charCodeAt(i + 1);
    if (c === 124 && c2 === 45 && src.charCodeAt(i + 2) === 62) { push(T_PUNCT, i, i + 3, '|->'); i += 3; continue; }
    const two = PUNCT2_BY_CODE.get(c * 65536 + c2);
    if (two !== undefined) { push(T_PUNCT, i, i + 2, two); i += 2; continue; }
    const one = PUNCT1_BY_CODE[c];
    if (one !== undefined) { push(T_PUNCT, i, i + 1, one); i++; continue; }
    // Anything else (`&`, `!`, a character beyond ASCII that is no letter, ...) is a token no
    // rule accepts.
    push(T_OTHER, i, i + 1, src[i]!);
    i++;
  }
  push(T_EOF, n, n, '');
  return { start, textId, texts, kinds, count };
}

type Memo<T> = Map<number, { node: T; next: number } | null>;

class Parser {
  private i = 0;
  private depth = 0;
  private readonly exprMemo: Memo<A.Expr> = new Map();
  private readonly typeMemo: Memo<A.TypeExpr> = new Map();
  /** Positions (token indices) of the declarations parsed; the last one is where a failure is. */
  readonly declStarts: number[] = [];
  /**
   * The body of the declaration being parsed, when a statement that does not parse ended its
   * statement list: the positions of the statements before it (the failing one is `failing`).
   */
  bodyStop: { starts: number[]; failing: number } | undefined;
  /**
   * The last declaration body whose statements all parsed: the position of its declaration
   * (as in declStarts) and of each of its statements (those before its first attribute).
   */
  bodyDone: { decl: number; starts: number[] } | undefined;
  /**
   * The chains of one associative operator (a run: `+`, `*`, `and`, `or`, `union`, `inter`)
   * and the lists (`a, b, ...`) the parser stopped in or after, there where it has gone
   * furthest so far (`at`, a token position): [from, to) the operands or items before the last,
   * with their operators or commas (offsets). A declaration that ends with such a chain
   * parses: the failure comes at the next one, which must not forget them.
   */
  readonly chainStops: { from: number; to: number; at: number }[] = [];
  /**
   * The chains of one associative operator longer than BALANCE_FROM operands that the
   * declaration being parsed holds, as pairs of token positions (its first operand's, its last
   * operand's), and those of the declaration before it: if the next one fails, ohm reads that
   * declaration again, and need not read such a chain's operands but the last (fastParseSpec).
   * Those of an alternative that failed are let go (attempt).
   */
  private declChains: number[] = [];
  prevDeclChains: number[] = [];
  /** The furthest token a failed alternative reached. */
  furthest = 0;
  /**
   * Attribute problems (E247, E248) inside bodies, in the order the ohm semantics finds them;
   * a failed alternative drops those it found.
   */
  private attrErrors: A.AttributeError[] = [];
  /** Those of the attributes between declarations: the ohm semantics finds them last. */
  private readonly declAttrErrors: A.AttributeError[] = [];

  constructor(private readonly source: A.Source, readonly t: Tokens) {}

  /**
   * Per token: 1 for an opening bracket that holds a comma at its own level (or is never
   * closed), so that only such a `(` is tried as a tuple type; worked out in one pass over the
   * tokens the first time a type starts with `(`. Tried at every `(`, a range bound in many
   * brackets (`((…(0)…))..2`) failed once per bracket, each failure a thrown exception: a file
   * of them parsed at 0.6 MB/s.
   */
  private commaInside: Uint8Array | undefined;

  private holdsComma(k: number): boolean {
    if (this.commaInside === undefined) {
      const t = this.t;
      const marks = new Uint8Array(t.count);
      const open: number[] = [];
      for (let j = 0; j < t.count; j++) {
        if (t.kinds[t.textId[j]!] !== T_PUNCT) continue;
        const p = this.text(j);
        if (p === '(' || p === '[' || p === '{') open.push(j);
        else if (p === ')' || p === ']' || p === '}') open.pop();
        else if (p === ',' && open.length > 0) marks[open[open.length - 1]!] = 1;
      }
      for (const j of open) marks[j] = 1;
      this.commaInside = marks;
    }
    return this.commaInside[k] === 1;
  }

  get pos(): number {
    return this.i;
  }

  // ---- tokens
  /** Token k's kind (T_IDENT, T_NUM, ...). */
  private kindAt(k: number): number {
    return this.t.kinds[this.t.textId[k]!]!;
  }
  private text(k = this.i): string {
    return this.t.texts[this.t.textId[k]!]!;
  }
  private isP(p: string, k = this.i): boolean {
    return this.kindAt(k) === T_PUNCT && this.text(k) === p;
  }
  /** A keyword or contextual keyword (kw<word> in the grammar): an identifier token with that text. */
  private isKw(w: string, k = this.i): boolean {
    return this.kindAt(k) === T_IDENT && this.text(k) === w;
  }
  private isName(k = this.i): boolean {
    return this.kindAt(k) === T_IDENT && !RESERVED.has(this.text(k));
  }
  private expectP(p: string): void {
    if (!this.isP(p)) throw FAIL;
    this.i++;
  }
  private expectKw(w: string): void {
    if (!this.isKw(w)) throw FAIL;
    this.i++;
  }
  private optP(p: string): boolean {
    if (this.isP(p)) { this.i++; return true; }
    return false;
  }
  /** Where token k ends: its start and its text's length. */
  endOf(k: number): number {
    const t = this.t;
    return t.start[k]! + t.texts[t.textId[k]!]!.length;
  }
  private span(from: number, to = this.i - 1): A.Span {
    return { source: this.source, start: this.t.start[from]!, end: this.endOf(to) };
  }
  /** A name of the text of tokens `from` to `to`, as written there. */
  private nameAt(text: string, from: number, to = from): A.Name {
    return nameNode(text, this.source, this.t.start[from]!, this.endOf(to));
  }
  /** A reference to the name that token k is. */
  private nameRef(k: number): Extract<A.Expr, { kind: 'name' }> {
    return nameRefNode(this.text(k), this.source, this.t.start[k]!, this.endOf(k));
  }
  private intAt(value: number, from: number, to = this.i - 1): Extract<A.Expr, { kind: 'int' }> {
    return intNode(value, this.source, this.t.start[from]!, this.endOf(to));
  }
  private binaryAt(op: A.BinaryOp, left: A.Expr, right: A.Expr, from: number, to = this.i - 1): Extract<A.Expr, { kind: 'binary' }> {
    return binaryNode(op, left, right, this.source, this.t.start[from]!, this.endOf(to));
  }
  private name(): A.Name {
    if (!this.isName()) throw FAIL;
    const k = this.i++;
    return this.nameAt(this.text(k), k);
  }
  /** Lexical adjacency: token k+1 starts where token k ends (no space or comment between). */
  private adjacent(k: number): boolean {
    return this.endOf(k) === this.t.start[k + 1];
  }
  private enter(): void {
    if (++this.depth > MAX_NESTING + NESTING_SLACK) {
      throw new SpecErrors([nestingTooDeep(this.source, this.t.start[this.i]!, this.endOf(this.i))]);
    }
  }
  /** Runs f; on failure puts the position back and returns undefined. */
  private attempt<T>(f: () => T): T | undefined {
    const save = this.i;
    const depth = this.depth;
    const errors = this.attrErrors.length;
    const chains = this.declChains.length;
    try {
      return f();
    } catch (e) {
      if (e !== FAIL) throw e;
      if (this.i > this.furthest) this.furthest = this.i;
      this.i = save;
      this.depth = depth;
      this.attrErrors.length = errors;
      this.declChains.length = chains;
      return undefined;
    }
  }
  private intLiteral(k: number, negative: boolean): number {
    const v = Number(this.text(k));
    // Too large: E100, as ohm's semantics reports it, but only once the whole text has parsed
    // (a syntax error anywhere is reported first): the first such literal is remembered.
    if (!Number.isSafeInteger(v)) {
      if (this.tooLarge < 0 || k < this.tooLarge) this.tooLarge = k;
      return 0;
    }
    return negative ? -v : v;
  }

  /** The token of the first integer literal too large for a safe integer, -1 if none. */
  tooLarge = -1;

  /** E100 for the first integer literal too large, once the text has parsed; undefined if none. */
  literalTooLarge(): SpecErrors | undefined {
    const k = this.tooLarge;
    if (k < 0) return undefined;
    return new SpecErrors([
      new Diagnostic('E100', { source: this.source, start: this.t.start[k]!, end: this.endOf(k) }, 'integer literal too large', `integers are limited to ±${Number.MAX_SAFE_INTEGER}`),
    ]);
  }

  // ---- lists
  /** NonemptyListOf<item, ","> */
  private list1<T>(item: () => T): T[] {
    const out = [item()];
    for (;;) {
      if (!this.isP(',')) return out;
      const save = this.i;
      this.i++;
      const next = this.attempt(item);
      if (next === undefined) {
        this.noteListStop(out);
        this.i = save;
        return out;
      }
      out.push(next);
    }
  }
  /** ListOf<item, ","> */
  private list0<T>(item: () => T): T[] {
    const save = this.i;
    const r = this.attempt(() => this.list1(item));
    if (r === undefined) { this.i = save; return []; }
    return r;
  }

  // ---- spec
  spec(): A.SpecAst {
    this.expectKw('spec');
    const name = this.name();
    const decls: A.Decl[] = [];
    // Attributes waiting for the declaration they stand before.
    let pending: ParsedAttribute[] | undefined;
    while (this.kindAt(this.i) !== T_EOF) {
      this.declStarts.push(this.i);
      this.prevDeclChains = this.declChains;
      this.declChains = [];
      this.bodyStop = undefined;
      // No alternative goes back before a declaration: forget the positions behind.
      this.exprMemo.clear();
      this.typeMemo.clear();
      if (this.isP('@')) {
        (pending ??= []).push(this.attribute());
        continue;
      }
      let d = this.decl();
      if (pending !== undefined) {
        const word = declWord(d.kind);
        const kernel = attachAttributes(this.declAttrErrors, pending, d.kind === 'action' || d.kind === 'process' || d.kind === 'procedure', `${/^[aeiou]/.test(word) ? 'an' : 'a'} ${word} declaration`);
        if (kernel) d = { ...d, kernel } as A.Decl;
        pending = undefined;
      }
      decls.push(...withFairness(d));
    }
    if (pending !== undefined) attachAttributes(this.declAttrErrors, pending, false, 'the end of the spec');
    const ast: A.SpecAst = { name, decls, source: this.source };
    const errors = [...this.attrErrors, ...this.declAttrErrors];
    return errors.length > 0 ? { ...ast, attributeErrors: errors } : ast;
  }

  /** Attribute: "@" name "(" ListOf<string, ","> ")" */
  private attribute(): ParsedAttribute {
    const s = this.i;
    this.expectP('@');
    const name = this.name();
    this.expectP('(');
    const args = this.list0(() => {
      if (this.kindAt(this.i) !== T_STR) throw FAIL;
      const k = this.i++;
      return { text: this.text(k).slice(1, -1), span: this.span(k, k) };
    });
    this.expectP(')');
    return { kind: 'attribute', name, args, span: this.span(s) };
  }

  exprOnly(): A.Expr {
    const e = this.expr();
    if (this.kindAt(this.i) !== T_EOF) throw FAIL;
    return e;
  }

  private decl(): A.Decl {
    const s = this.i;
    const w = this.kindAt(s) === T_IDENT ? this.text() : '';
    switch (w) {
      case 'const': {
        this.i++;
        const name = this.name();
        this.expectP(':');
        const type = this.type();
        this.expectP('=');
        const value = this.expr();
        return { kind: 'const', name, type, value, span: this.span(s) };
      }
      case 'enum': {
        this.i++;
        const name = this.name();
        this.expectP('{');
        const members = this.list1(() => this.name());
        this.optP(',');
        this.expectP('}');
        return { kind: 'enum', name, members, span: this.span(s) };
      }
      case 'type':
        return this.typeDecl();
      case 'var': {
        this.i++;
        const name = this.name();
        this.expectP(':');
        const type = this.type();
        if (this.isP('=') || this.isKw('in')) {
          const isIn = this.isKw('in');
          const save = this.i;
          this.i++;
          const init = this.attempt(() => this.expr());
          if (init === undefined) this.i = save;
          else if (isIn) return { kind: 'var', name, type, init: undefined, initIn: init, span: this.span(s) };
          else return { kind: 'var', name, type, init, span: this.span(s) };
        }
        return { kind: 'var', name, type, init: undefined, span: this.span(s) };
      }
      case 'def': {
        this.i++;
        const name = this.name();
        let params: { name: A.Name; type: A.TypeExpr }[] = [];
        if (this.optP('(')) {
          params = this.list0(() => this.typedParam());
          this.expectP(')');
        }
        this.expectP(':');
        const result = this.type();
        this.expectP('=');
        const body = this.expr();
        return { kind: 'def', name, params, result, body, span: this.span(s) };
      }
      case 'init': {
        this.i++;
        return { kind: 'init', body: this.block(true), span: this.span(s) };
      }
      case 'invariant': {
        this.i++;
        const name = this.name();
        this.expectP(':');
        return { kind: 'invariant', name, body: this.expr(), span: this.span(s) };
      }
      case 'view': {
        const r = this.attempt(() => {
          this.i++;
          const name = this.name();
          this.expectP(':');
          return { kind: 'view' as const, name, body: this.expr(), span: this.span(s) };
        });
        if (r) return r;
        throw FAIL;
      }
      case 'constraint':
        return this.constraintDecl();
      case 'always': {
        this.i++;
        this.expectKw('step');
        const name = this.name();
        this.expectP(':');
        return { kind: 'stepProperty', name, body: this.expr(), span: this.span(s) };
      }
      case 'property': {
        this.i++;
        const name = this.name();
        this.expectP(':');
        let t = this.temporalExpr();
        const binders: A.Binder[] = [];
        while (t.kind === 'forall') {
          binders.push(...t.binders);
          t = t.body;
        }
        return { kind: 'property', name, binders, formula: classifyFormula(t), span: this.span(s) };
      }
      case 'import': {
        this.i++;
        const name = this.name();
        this.expectKw('from');
        if (this.kindAt(this.i) !== T_STR) throw FAIL;
        const k = this.i++;
        const path = this.text(k).slice(1, -1);
        const pathSpan = this.span(k, k);
        let mappings: { name: A.Name; value: A.Expr }[] = [];
        if (this.isKw('with')) {
          this.i++;
          this.expectP('{');
          mappings = this.list0(() => {
            const n = this.name();
            this.expectP(':');
            return { name: n, value: this.expr() };
          });
          this.optP(',');
          this.expectP('}');
        }
        return { kind: 'import', name, path, pathSpan, mappings, span: this.span(s) };
      }
      case 'refines': {
        this.i++;
        return { kind: 'refines', name: this.name(), span: this.span(s) };
      }
      case 'symmetry': {
        this.i++;
        return { kind: 'symmetry', names: this.list1(() => this.name()), span: this.span(s) };
      }
      case 'show': {
        this.i++;
        return { kind: 'show', name: this.name(), span: this.span(s) };
      }
      case 'check':
        return this.checkDecl();
      case 'procedure':
        return this.procedureDecl();
      default:
        break;
    }
    // ActionDecl, ProcessDecl (with a fair prefix), ConstraintDecl (`action constraint`),
    // FairnessDecl, GroupFairnessDecl: in the grammar's order.
    if (w === 'action' && this.isKw('constraint', this.i + 1)) {
      const r = this.attempt(() => this.constraintDecl());
      if (r) return r;
    }
    const withFair = this.attempt(() => this.actionOrProcess());
    if (withFair) return withFair;
    if (w === 'strong' || w === 'fair') return this.fairnessDecl();
    throw FAIL;
  }

  private typeDecl(): A.Decl {
    const s = this.i;
    this.i++;
    const name = this.name();
    this.expectP('=');
    const afterEq = this.i;
    // variant: "|"? VariantCase ("|" VariantCase)+
    const variant = this.attempt(() => {
      this.optP('|');
      const cases = [this.variantCase()];
      for (;;) {
        if (!this.isP('|')) break;
        const save = this.i;
        this.i++;
        const c = this.attempt(() => this.variantCase());
        if (c === undefined) { this.i = save; break; }
        cases.push(c);
      }
      if (cases.length < 2) throw FAIL;
      return { kind: 'variant' as const, name, cases, span: this.span(s) };
    });
    if (variant) return variant;
    this.i = afterEq;
    if (this.isP('|')) {
      this.i++;
      const only = this.variantCase();
      return { kind: 'variant', name, cases: [only], span: this.span(s) };
    }
    return { kind: 'typeAlias', name, type: this.type(), span: this.span(s) };
  }

  private variantCase(): A.VariantCaseDecl {
    const name = this.name();
    if (this.isP('(')) {
      const r = this.attempt(() => {
        this.i++;
        const payload = this.type();
        this.expectP(')');
        return { name, payload };
      });
      if (r) return r;
    }
    return { name, payload: undefined };
  }

  private typedParam(): { name: A.Name; type: A.TypeExpr } {
    const name = this.name();
    this.expectP(':');
    return { name, type: this.type() };
  }

  private actionParam(): A.ActionParam {
    const name = this.name();
    if (this.optP(':')) return { kind: 'typed', name, type: this.type() };
    this.expectKw('in');
    return { kind: 'ranged', name, domain: this.expr() };
  }

  private fairPrefix(): A.FairPrefix | undefined {
    const s = this.i;
    if (this.isKw('strong') && this.isKw('fair', this.i + 1)) {
      this.i += 2;
      return { strong: true, span: this.span(s) };
    }
    if (this.isKw('fair')) {
      this.i++;
      return { strong: false, span: this.span(s) };
    }
    return undefined;
  }

  private actionOrProcess(): A.Decl {
    const s = this.i;
    const fair = this.fairPrefix();
    if (this.isKw('action')) {
      this.i++;
      const name = this.name();
      let params: A.ActionParam[] = [];
      if (this.isP('(')) {
        this.i++;
        params = this.list0(() => this.actionParam());
        this.expectP(')');
      }
      const body = this.block(true);
      const d: A.Decl = { kind: 'action', name, params, body, span: this.span(s) };
      return fair ? { ...d, fair } : d;
    }
    if (this.isKw('process')) {
      this.i++;
      const name = this.name();
      let param: A.ActionParam | undefined;
      if (this.isP('(')) {
        this.i++;
        param = this.actionParam();
        this.expectP(')');
      }
      this.expectP('{');
      const locals = this.processVars();
      const body = this.stmts(true);
      this.expectP('}');
      const d: A.Decl = { kind: 'process', name, param, locals, body, span: this.span(s) };
      return fair ? { ...d, fair } : d;
    }
    throw FAIL;
  }

  private processVars(): A.ProcessVarDecl[] {
    const out: A.ProcessVarDecl[] = [];
    while (this.isKw('var')) {
      const s = this.i;
      this.i++;
      const name = this.name();
      this.expectP(':');
      const type = this.type();
      let init: A.Expr | undefined;
      let choice = false;
      if (this.isP('=') || this.isKw('in')) {
        const isIn = this.isKw('in');
        const save = this.i;
        this.i++;
        const e = this.attempt(() => this.expr());
        if (e === undefined) this.i = save;
        else { init = e; choice = isIn; }
      }
      out.push({ name, type, init, ...(choice ? { choice: true } : {}), span: this.span(s) });
    }
    return out;
  }

  private procedureDecl(): A.Decl {
    const s = this.i;
    this.i++;
    const name = this.name();
    this.expectP('(');
    const params = this.list0(() => this.typedParam());
    this.expectP(')');
    this.expectP('{');
    const locals = this.processVars();
    const body = this.stmts(true);
    this.expectP('}');
    return { kind: 'procedure', name, params, locals, body, span: this.span(s) };
  }

  private constraintDecl(): Extract<A.Decl, { kind: 'constraint' }> {
    const s = this.i;
    const action = this.isKw('action');
    if (action) this.i++;
    this.expectKw('constraint');
    const name = this.name();
    this.expectP(':');
    return { kind: 'constraint', action, name, body: this.expr(), span: this.span(s) };
  }

  private fairnessDecl(): Extract<A.Decl, { kind: 'fairness' }> {
    const s = this.i;
    const strong = this.isKw('strong');
    if (strong) this.i++;
    this.expectKw('fair');
    if (this.isKw('action') || this.isKw('process')) {
      const target = this.text() as 'action' | 'process';
      this.i++;
      const name = this.name();
      return { kind: 'fairness', strong, target, name, span: this.span(s) };
    }
    if (this.isP('{')) {
      this.i++;
      const members = this.list1(() => this.name());
      this.expectP('}');
      const text = `{${members.map((m) => m.text).join(', ')}}`;
      const sp = this.span(s);
      return { kind: 'fairness', strong, target: 'group', name: { text, span: sp }, members, span: sp };
    }
    if (this.isKw('next')) {
      const k = this.i++;
      return { kind: 'fairness', strong, target: 'next', name: this.nameAt('next', k), members: [], span: this.span(s) };
    }
    throw FAIL;
  }

  private checkDecl(): A.Decl {
    const s = this.i;
    this.i++;
    const name = this.name();
    this.expectP('{');
    const check = {
      kind: 'check' as const,
      name,
      consts: [] as { name: A.Name; value: A.Expr }[],
      deadlock: undefined as boolean | undefined,
      expect: undefined as A.Expectation | undefined,
      fairness: [] as Extract<A.Decl, { kind: 'fairness' }>[],
      only: undefined as A.Name[] | undefined,
      refines: [] as Extract<A.Decl, { kind: 'refines' }>[],
      constraints: [] as Extract<A.Decl, { kind: 'constraint' }>[],
      shows: undefined as A.Name[] | undefined,
      span: undefined as unknown as A.Span,
      duplicates: [] as A.Span[],
    };
    while (!this.isP('}')) {
      const is = this.i;
      const w = this.kindAt(is) === T_IDENT ? this.text() : '';
      if (w === 'const') {
        this.i++;
        const n = this.name();
        this.expectP('=');
        check.consts.push({ name: n, value: this.expr() });
      } else if (w === 'deadlock') {
        this.i++;
        let on: boolean;
        if (this.isKw('on')) on = true;
        else if (this.isKw('off')) on = false;
        else throw FAIL;
        this.i++;
        if (check.deadlock !== undefined) check.duplicates.push(this.span(is));
        check.deadlock = on;
      } else if (w === 'expect') {
        this.i++;
        const es = this.i;
        let e: A.Expectation;
        if (this.isKw('ok')) { this.i++; e = { kind: 'ok', span: this.span(es) }; }
        else if (this.isKw('violation')) { this.i++; const n = this.name(); e = { kind: 'violation', name: n, span: this.span(es) }; }
        else if (this.isKw('deadlock')) { this.i++; e = { kind: 'deadlock', span: this.span(es) }; }
        else if (this.isKw('error')) { this.i++; e = { kind: 'error', span: this.span(es) }; }
        else throw FAIL;
        if (check.expect !== undefined) check.duplicates.push(this.span(is));
        check.expect = e;
      } else if (w === 'strong' || w === 'fair') {
        check.fairness.push(this.fairnessDecl());
      } else if (w === 'only') {
        this.i++;
        const names = this.list1(() => this.name());
        if (check.only !== undefined) check.duplicates.push(this.span(is));
        check.only = names;
      } else if (w === 'refines') {
        this.i++;
        check.refines.push({ kind: 'refines', name: this.name(), span: this.span(is) });
      } else if (w === 'action' || w === 'constraint') {
        check.constraints.push(this.constraintDecl());
      } else if (w === 'symmetry') {
        this.i++;
        const names = this.list1(() => this.name());
        // The key is added on the first item, after the others, as the ohm semantics does.
        ((check as { symmetry?: Extract<A.Decl, { kind: 'symmetry' }>[] }).symmetry ??= []).push({ kind: 'symmetry', names, span: this.span(is) });
      } else if (w === 'show') {
        this.i++;
        (check.shows ??= []).push(this.name());
      } else {
        throw FAIL;
      }
    }
    this.i++;
    check.span = this.span(s);
    return check;
  }

  // ---- types
  private type(): A.TypeExpr {
    const k = this.i;
    const m = this.typeMemo.get(k);
    if (m !== undefined) {
      if (m === null) throw FAIL;
      this.i = m.next;
      return m.node;
    }
    this.enter();
    try {
      const node = this.typeUncached();
      this.typeMemo.set(k, { node, next: this.i });
      return node;
    } catch (e) {
      if (e === FAIL) this.typeMemo.set(k, null);
      throw e;
    } finally {
      this.depth--;
    }
  }

  private typeUncached(): A.TypeExpr {
    const s = this.i;
    if (this.kindAt(s) === T_IDENT && this.isP('[', s + 1)) {
      const w = this.text();
      if (w === 'Set' || w === 'Seq' || w === 'Option') {
        const r = this.attempt(() => {
          this.i += 2;
          const elem = this.type();
          this.expectP(']');
          return { kind: (w === 'Set' ? 'set' : w === 'Seq' ? 'seq' : 'option') as 'set', elem, span: this.span(s) };
        });
        if (r) return r;
      } else if (w === 'Map') {
        const r = this.attempt(() => {
          this.i += 2;
          const key = this.type();
          this.expectP(',');
          const value = this.type();
          this.expectP(']');
          return { kind: 'map' as const, key, value, span: this.span(s) };
        });
        if (r) return r;
      }
    }
    // A tuple type holds a comma at its own level.
    if (this.isP('(') && this.holdsComma(s)) {
      const r = this.attempt(() => {
        this.i++;
        const first = this.type();
        this.expectP(',');
        const rest = this.list1(() => this.type());
        this.expectP(')');
        return { kind: 'tuple' as const, items: [first, ...rest], span: this.span(s) };
      });
      if (r) return r;
    }
    if (this.isP('{')) {
      const r = this.attempt(() => {
        this.i++;
        const fields = this.list1(() => {
          const name = this.name();
          this.expectP(':');
          return { name, type: this.type() };
        });
        this.optP(',');
        this.expectP('}');
        return { kind: 'record' as const, fields, span: this.span(s) };
      });
      if (r) return r;
    }
    const range = this.attempt(() => {
      const lo = this.rangeBound();
      this.expectP('..');
      const hi = this.rangeBound();
      return { kind: 'range' as const, lo, hi, span: this.span(s) };
    });
    if (range) return range;
    const name = this.name();
    // One token: the name's span is the node's (one object fewer per name; spans are never changed).
    return { kind: 'named', name, span: name.span };
  }

  private rangeBound(): A.Expr {
    const s = this.i;
    if (this.isP('-') && this.kindAt(s + 1) === T_NUM) {
      this.i += 2;
      return this.intAt(this.intLiteral(s + 1, true), s);
    }
    if (this.kindAt(s) === T_NUM) {
      this.i++;
      return this.intAt(this.intLiteral(s, false), s);
    }
    if (this.isName()) {
      const k = this.i++;
      return this.nameRef(k);
    }
    this.expectP('(');
    const e = this.expr();
    this.expectP(')');
    return e;
  }

  // ---- statements
  /** `top`: a declaration's body (see stmts). */
  private block(top = false): A.Stmt[] {
    this.expectP('{');
    const body = this.stmts(top);
    this.expectP('}');
    return body;
  }

  /**
   * Stmt*: as many statements as parse. In a declaration's body (`top`), a statement that does
   * not parse is noted in bodyStop with the positions of those before it.
   */
  private stmts(top = false): A.Stmt[] {
    const out: A.Stmt[] = [];
    const starts: number[] | undefined = top ? [] : undefined;
    // A nested list's statements so far, its first's token and its last's.
    let count = 0;
    let first = 0;
    let last = 0;
    for (;;) {
      if (this.isP('}') || this.isP('@')) {
        if (starts !== undefined) this.bodyDone = { decl: this.declStarts[this.declStarts.length - 1]!, starts };
        return this.isP('}') ? out : this.stmtsWithAttributes(out);
      }
      const at = this.i;
      starts?.push(at);
      const st = this.attempt(() => this.stmt());
      if (st === undefined) {
        if (starts !== undefined) this.bodyStop = { starts: starts.slice(0, -1), failing: starts[starts.length - 1]! };
        // A list of a block inside a statement (`match`, `if`, a process's `either`...) whose
        // statement the parser went into: its statements but the last, as a chain's operands
        // (chainStops): a fuzz mutant with thousands of statements in a match arm took ohm 10 s
        // and 1.1 GB to find an error after them.
        else if (count >= 2 && this.furthest >= at) this.noteChainStop(first, last);
        return out;
      }
      if (count++ === 0) first = at;
      last = at;
      // Not an attribute: one starts with '@'.
      if (st !== null) out.push(st as A.Stmt);
    }
  }

  /**
   * The rest of a Stmt* that has attributes: each attribute goes to the label that follows it;
   * the problems are found after those of the statements, as the ohm semantics finds them.
   */
  private stmtsWithAttributes(out: A.Stmt[]): A.Stmt[] {
    const items: (A.Stmt | ParsedAttribute)[] = [];
    for (;;) {
      if (this.isP('}')) break;
      const st = this.attempt(() => this.stmt());
      if (st === undefined) break;
      if (st !== null) items.push(st);
    }
    let pending: ParsedAttribute[] = [];
    for (const st of items) {
      if (st.kind === 'attribute') {
        pending.push(st);
        continue;
      }
      if (pending.length > 0) {
        const kernel = attachAttributes(this.attrErrors, pending, st.kind === 'label', `a '${st.kind}' statement`);
        out.push(kernel && st.kind === 'label' ? { ...st, kernel } : st);
        pending = [];
      } else out.push(st);
    }
    if (pending.length > 0) attachAttributes(this.attrErrors, pending, false, 'the end of a block');
    return out;
  }

  private stmt(): A.Stmt | ParsedAttribute | null {
    this.enter();
    try {
      return this.stmtInner();
    } finally {
      this.depth--;
    }
  }

  private stmtInner(): A.Stmt | ParsedAttribute | null {
    const s = this.i;
    if (this.isP('@')) return this.attribute();
    const w = this.kindAt(s) === T_IDENT ? this.text() : '';
    switch (w) {
      case 'require':
        this.i++;
        return { kind: 'require', cond: this.expr(), span: this.span(s) };
      case 'let': {
        this.i++;
        const name = this.name();
        this.expectP('=');
        return { kind: 'let', name, value: this.expr(), span: this.span(s) };
      }
      case 'pick': {
        this.i++;
        const name = this.name();
        this.expectKw('in');
        const domain = this.expr();
        let where: A.Expr | undefined;
        if (this.isKw('where')) {
          const save = this.i;
          this.i++;
          where = this.attempt(() => this.expr());
          if (where === undefined) this.i = save;
        }
        return { kind: 'pick', name, domain, where, span: this.span(s) };
      }
      case 'if':
        return this.ifStmt();
      case 'for': {
        this.i++;
        const name = this.name();
        this.expectKw('in');
        const domain = this.expr();
        const body = this.block();
        return { kind: 'for', name, domain, body, span: this.span(s) };
      }
      case 'match': {
        this.i++;
        const scrutinee = this.expr();
        this.expectP('{');
        const arms: A.StmtArm[] = [];
        for (;;) {
          const arm = this.attempt(() => this.stmtArm());
          if (arm === undefined) break;
          arms.push(arm);
        }
        this.expectP('}');
        return { kind: 'match', scrutinee, arms, span: this.span(s) };
      }
      case 'assert': {
        this.i++;
        const cond = this.expr();
        let message: string | undefined;
        if (this.isP(',') && this.kindAt(this.i + 1) === T_STR) {
          message = this.text(this.i + 1).slice(1, -1);
          this.i += 2;
        }
        return { kind: 'assert', cond, message, span: this.span(s) };
      }
      case 'await':
        this.i++;
        return { kind: 'await', cond: this.expr(), span: this.span(s) };
      case 'goto':
        this.i++;
        return { kind: 'goto', target: this.name(), span: this.span(s) };
      case 'while': {
        this.i++;
        const cond = this.expr();
        const body = this.block();
        return { kind: 'while', cond, body, span: this.span(s) };
      }
      default:
        break;
    }
    if (w === 'call') {
      const r = this.attempt(() => {
        this.i++;
        const callee = this.name();
        this.expectP('(');
        const args = this.list0(() => this.expr());
        this.expectP(')');
        return { kind: 'call' as const, callee, args, span: this.span(s) };
      });
      if (r) return r;
    }
    if (w === 'return' && !(this.isP(':', s + 1) || this.isP('[', s + 1) || this.isP('.', s + 1) || this.isP(':=', s + 1))) {
      // ~(":" | "[" | ".") after the keyword: `:=` starts with ':' too.
      this.i++;
      return { kind: 'return', span: this.span(s) };
    }
    if (this.isName()) {
      // LValue ":=" Expr
      const assign = this.attempt(() => {
        const root = this.name();
        const path = this.lsels();
        const target: A.LValue = { root, path, span: this.span(s) };
        this.expectP(':=');
        return { kind: 'assign' as const, target, value: this.expr(), span: this.span(s) };
      });
      if (assign) return assign;
      if (this.isP('(', s + 1)) {
        const inst = this.attempt(() => {
          const root = this.name();
          this.expectP('(');
          this.list0(() => this.expr());
          this.expectP(')');
          const selStart = this.i;
          const path = this.lsels();
          if (path.length === 0) throw FAIL;
          const target: A.LValue = { root, path, span: { source: this.source, start: this.t.start[s]!, end: this.endOf(this.i - 1) } };
          void selStart;
          this.expectP(':=');
          return { kind: 'assign' as const, target, value: this.expr(), span: this.span(s) };
        });
        if (inst) return inst;
      }
    }
    if (w === 'either') {
      const r = this.attempt(() => {
        this.i++;
        const branches = [this.block()];
        while (this.isKw('or')) {
          const save = this.i;
          this.i++;
          const b = this.attempt(() => this.block());
          if (b === undefined) { this.i = save; break; }
          branches.push(b);
        }
        return { kind: 'either' as const, branches, span: this.span(s) };
      });
      if (r) return r;
    }
    if (w === 'end' && this.isName(s + 1) && this.isP(':', s + 2)) {
      this.i += 3;
      return { kind: 'label', name: this.nameAt(this.text(s + 1), s + 1), end: true, span: this.span(s) };
    }
    if (this.isName() && this.isP(':', s + 1)) {
      this.i += 2;
      return { kind: 'label', name: this.nameAt(this.text(s), s), span: this.span(s) };
    }
    if (this.isP(';')) {
      this.i++;
      return null;
    }
    throw FAIL;
  }

  private lsels(): A.LSelector[] {
    const out: A.LSelector[] = [];
    for (;;) {
      const s = this.i;
      if (this.isP('[')) {
        const r = this.attempt(() => {
          this.i++;
          const index = this.expr();
          this.expectP(']');
          return { kind: 'index' as const, index, span: this.span(s) };
        });
        if (!r) return out;
        out.push(r);
      } else if (this.isP('.') && this.isName(s + 1)) {
        this.i += 2;
        out.push({ kind: 'field', field: this.nameAt(this.text(s + 1), s + 1), span: this.span(s) });
      } else {
        return out;
      }
    }
  }

  private ifStmt(): A.Stmt {
    const s = this.i;
    this.expectKw('if');
    const cond = this.expr();
    const before = this.attrErrors.length;
    const then = this.block();
    let elseBody: A.Stmt[] | undefined;
    if (this.isKw('else')) {
      const save = this.i;
      this.i++;
      const afterThen = this.attrErrors.length;
      const e = this.attempt(() => (this.isKw('if') ? [this.ifStmt()] : this.block()));
      if (e === undefined) this.i = save;
      else elseBody = e;
      // The ohm semantics finds the else branch's attribute problems before the then branch's.
      if (afterThen > before && this.attrErrors.length > afterThen) {
        const thenErrors = this.attrErrors.splice(before, afterThen - before);
        this.attrErrors.push(...thenErrors);
      }
    }
    return { kind: 'if', cond, then, else: elseBody, span: this.span(s) };
  }

  private stmtArm(): A.StmtArm {
    const pattern = this.pattern();
    this.expectP('=>');
    let body: A.Stmt[];
    if (this.isP('{')) {
      const b = this.attempt(() => this.block());
      if (b !== undefined) body = b;
      else body = this.armStmt();
    } else {
      body = this.armStmt();
    }
    this.optP(',');
    return { pattern, body };
  }

  /** The body of a match arm that is one statement; an attribute there stands before nothing. */
  private armStmt(): A.Stmt[] {
    const st = this.stmt();
    if (st === null) return [];
    if (st.kind === 'attribute') {
      attachAttributes(this.attrErrors, [st], false, 'the end of a block');
      return [];
    }
    return [st];
  }

  private pattern(): A.Pattern {
    const s = this.i;
    if (this.isKw('_')) {
      this.i++;
      return { kind: 'wild', span: this.span(s) };
    }
    if (this.isName()) {
      if (this.isP('(', s + 1) && this.isName(s + 2) && this.isP(')', s + 3)) {
        this.i += 4;
        return {
          kind: 'payload',
          tag: this.nameAt(this.text(s), s),
          bind: this.nameAt(this.text(s + 2), s + 2),
          span: this.span(s),
        };
      }
      // A name starting with '_' would match the wildcard first in the grammar.
      if (this.text().startsWith('_')) throw FAIL;
      if (!this.isName()) throw FAIL;
      return this.nameRef(this.i++);
    }
    const neg = this.isP('-');
    if (neg) this.i++;
    if (this.kindAt(this.i) !== T_NUM) throw FAIL;
    const k = this.i++;
    return this.intAt(this.intLiteral(k, neg), s);
  }

  // ---- temporal formulas
  private temporalExpr(): A.TemporalTree {
    this.enter();
    try {
      const s = this.i;
      if (this.isKw('forall') || this.isKw('exists')) {
        const q = this.text() as 'forall' | 'exists';
        const r = this.attempt(() => {
          this.i++;
          const binders = this.list1(() => this.binder());
          this.expectP(':');
          const body = this.temporalExpr();
          return pure({ kind: q, binders, body, span: this.span(s) });
        });
        if (r) return r;
      }
      const left = this.temporalLeads();
      if (this.isKw('implies')) {
        const save = this.i;
        this.i++;
        const right = this.attempt(() => this.temporalExpr());
        if (right !== undefined) return pure({ kind: 'implies', left, right, span: this.span(s) });
        this.i = save;
      }
      return left;
    } finally {
      this.depth--;
    }
  }

  private temporalLeads(): A.TemporalTree {
    const s = this.i;
    const left = this.temporalOr();
    if (this.isP('~>')) {
      const save = this.i;
      this.i++;
      const right = this.attempt(() => this.temporalOr());
      if (right !== undefined) return { kind: 'leadsTo', left, right, span: this.span(s) };
      this.i = save;
    }
    return left;
  }

  private temporalOr(): A.TemporalTree {
    return this.temporalChain('or', () => this.temporalAnd());
  }

  private temporalAnd(): A.TemporalTree {
    return this.temporalChain('and', () => this.temporalUnary());
  }

  /** `operand (kw operand)*`, left-associative; an operand that does not parse ends the chain before its `kw`. */
  private temporalChain(kw: 'or' | 'and', operand: () => A.TemporalTree): A.TemporalTree {
    const s = this.i;
    let left = operand();
    while (this.isKw(kw)) {
      const save = this.i;
      this.i++;
      const right = this.attempt(operand);
      if (right === undefined) { this.i = save; break; }
      left = pure({ kind: kw, left, right, span: this.span(s) });
    }
    return left;
  }

  private temporalUnary(): A.TemporalTree {
    this.enter();
    try {
      const s = this.i;
      if (this.isKw('always') || this.isKw('eventually')) {
        const k = this.text() as 'always' | 'eventually';
        this.i++;
        return { kind: k, body: this.temporalUnary(), span: this.span(s) };
      }
      const e = this.attempt(() => this.expr());
      if (e !== undefined) return { kind: 'atom', expr: e, span: this.span(s) };
      if (this.isKw('not')) {
        this.i++;
        return pure({ kind: 'not', body: this.temporalUnary(), span: this.span(s) });
      }
      this.expectP('(');
      const t = this.temporalExpr();
      this.expectP(')');
      return t.kind === 'atom' ? { kind: 'atom', expr: t.expr, span: this.span(s) } : t;
    } finally {
      this.depth--;
    }
  }

  // ---- expressions
  private binder(): A.Binder {
    const name = this.name();
    this.expectKw('in');
    return { name, domain: this.bin(P_CMP) };
  }

  /** Expr, memoised by position: alternatives that start with an expression parse it once. */
  expr(): A.Expr {
    const k = this.i;
    const m = this.exprMemo.get(k);
    if (m !== undefined) {
      if (m === null) throw FAIL;
      this.i = m.next;
      return m.node;
    }
    this.enter();
    try {
      const node = this.bin(P_IMPLIES);
      // A one-token expression is as quick to parse again as to look up.
      if (this.i - k > 1) this.exprMemo.set(k, { node, next: this.i });
      return node;
    } catch (e) {
      if (e === FAIL) this.exprMemo.set(k, null);
      throw e;
    } finally {
      this.depth--;
    }
  }

  /** attempt(() => this.expr()) in fewer stack frames (nested brackets recurse through it). */
  private tryExpr(): A.Expr | undefined {
    const save = this.i;
    const depth = this.depth;
    try {
      return this.expr();
    } catch (e) {
      if (e !== FAIL) throw e;
      if (this.i > this.furthest) this.furthest = this.i;
      this.i = save;
      this.depth = depth;
      return undefined;
    }
  }

  /** The infix operator at the current token: its precedence and operator, or undefined. */
  private infix(): Infix | undefined {
    const k = this.i;
    const kind = this.kindAt(k);
    if (kind === T_PUNCT) return PUNCT_INFIX.get(this.text(k));
    if (kind !== T_IDENT) return undefined;
    const tx = this.text(k);
    if (tx === 'not') return this.isKw('in', k + 1) ? NOT_IN : undefined;
    return WORD_INFIX.get(tx);
  }

  /**
   * The grammar's precedence levels from Implies down to Unary, as one loop (precedence
   * climbing): an expression of level minPrec or tighter. Equivalent to the grammar's rules:
   * operators are applied in non-increasing precedence, a non-associative level (Cmp, Range)
   * takes one operator, a prefix (`not`, `-`) takes an operand of the level below it, and an
   * operator is consumed only if its right operand parses.
   */
  private bin(minPrec: number): A.Expr {
    const s = this.i;
    let left: A.Expr;
    let ceiling = P_MAX;
    if (this.isKw('not') && minPrec <= P_NOT) {
      let n = 0;
      while (this.isKw('not')) { this.i++; n++; }
      if (n > MAX_NESTING) throw new SpecErrors([nestingTooDeep(this.source, this.t.start[s + MAX_NESTING]!, this.endOf(s + MAX_NESTING))]);
      let e = this.bin(P_CMP);
      const endTok = this.i - 1;
      for (let j = n - 1; j >= 0; j--) e = { kind: 'unary', op: 'not', arg: e, span: this.span(s + j, endTok) };
      left = e;
      ceiling = P_AND;
    } else if (this.isP('-') && minPrec <= P_UNARY) {
      let n = 0;
      while (this.isP('-')) { this.i++; n++; }
      if (n > MAX_NESTING) throw new SpecErrors([nestingTooDeep(this.source, this.t.start[s + MAX_NESTING]!, this.endOf(s + MAX_NESTING))]);
      let a = this.postfix();
      const endTok = this.i - 1;
      for (let j = n - 1; j >= 0; j--) {
        // Fold literal negation so that -1 is an integer literal (patterns, range bounds).
        if (a.kind === 'int') a = this.intAt(-a.value, s + j, endTok);
        else a = { kind: 'unary', op: 'neg', arg: a, span: this.span(s + j, endTok) };
      }
      left = a;
      ceiling = P_MUL;
    } else {
      left = this.postfix();
    }
    // The current run of one associative operator (see Run). While a run is open, `left`
    // stands for its first operand only: the run's tree is built by closeRun.
    let run: Run | undefined;
    const closeRun = (): void => {
      if (run !== undefined) left = this.closeChain(run);
      run = undefined;
    };
    let chainLength = 0;
    for (;;) {
      const op = this.infix();
      if (op === undefined || op.prec < minPrec || op.prec > ceiling) break;
      const save = this.i;
      if (op.op === 'implies') {
        // Right-associative: Or ("implies" Or)*, folded from the right.
        closeRun();
        const operands = [left];
        const starts = [s];
        while (this.isKw('implies')) {
          const at = this.i;
          this.i++;
          const r = this.attempt(() => this.bin(P_OR));
          if (r === undefined) { this.i = at; break; }
          operands.push(r);
          starts.push(at + 1);
        }
        const endTok = this.i - 1;
        let acc = operands[operands.length - 1]!;
        for (let j = operands.length - 2; j >= 0; j--) {
          acc = this.binaryAt('implies', operands[j]!, acc, starts[j]!, endTok);
        }
        left = acc;
        break;
      }
      if (op.op === 'is') {
        if (!this.isName(save + 1)) break;
        closeRun();
        this.i += 2;
        left = { kind: 'is', arg: left, tag: this.nameAt(this.text(save + 1), save + 1), span: this.span(s) };
        ceiling = P_CMP - 1;
        continue;
      }
      if (op.op === 'at') {
        closeRun();
        const target = left;
        let r: A.Expr | undefined;
        if (this.isP('{', save + 1)) {
          r = this.attempt(() => {
            this.i += 2;
            const labels = this.list1(() => this.atLabel());
            this.optP(',');
            this.expectP('}');
            return { kind: 'at' as const, target, label: labels[0]!, labels, span: this.span(s) };
          });
        }
        r ??= this.attempt(() => {
          this.i++;
          return { kind: 'at' as const, target, label: this.atLabel(), span: this.span(s) };
        });
        if (r === undefined) break;
        left = r;
        ceiling = P_CMP - 1;
        continue;
      }
      if (op.op === 'with') {
        closeRun();
        const target = left;
        const r = this.attempt((): A.Expr => {
          this.i++;
          if (this.isP('[')) {
            const idx = this.attempt(() => {
              this.i++;
              const index = this.expr();
              this.expectP(']');
              this.expectP('=');
              const value = this.bin(P_SETOP);
              return { kind: 'withIndex' as const, target, index, value, span: this.span(s) };
            });
            if (idx) return idx;
          }
          this.expectP('{');
          const fields = this.list1(() => this.fieldInit());
          this.optP(',');
          this.expectP('}');
          return { kind: 'withFields', target, fields, span: this.span(s) };
        });
        if (r === undefined) break;
        left = r;
        ceiling = P_WITH;
        if (++chainLength > MAX_NESTING) throw new SpecErrors([nestingTooDeep(this.source, this.t.start[save]!, this.endOf(save))]);
        continue;
      }
      const binop = op.op;
      const nonAssoc = op.prec === P_CMP || op.prec === P_RANGE;
      this.i += op.width;
      const rightPrec = op.prec === P_CMP ? P_WITH : op.prec === P_RANGE ? P_ADD : op.prec + 1;
      const rs = this.i;
      const right = this.attempt(() => this.bin(rightPrec));
      if (right === undefined) { this.i = save; break; }
      if (run?.op !== binop || nonAssoc) {
        closeRun();
        if (!nonAssoc && ASSOCIATIVE.has(binop)) run = { op: binop, xs: [left], starts: [s], ends: [save - 1], sizes: undefined, lastStart: s };
      }
      if (run !== undefined) {
        this.addToChain(run, right, rs, this.i - 1);
      } else {
        left = this.binaryAt(binop, left, right, s);
      }
      ceiling = nonAssoc ? op.prec - 1 : op.prec;
    }
    // A run ended where the parser had gone past its last operand's start: the failure is in
    // that operand or after it, and may be the one reported. (No local variable more in this
    // function: its frame is most of what nesting costs.)
    if (run !== undefined) {
      if (this.furthest > run.lastStart) this.noteChainStop(s, run.lastStart);
    } else if (left.kind === 'binary' && this.furthest > s) this.noteLeftChain(s, left);
    closeRun();
    return left;
  }

  /**
   * A chain of one operator, `from` its first operand to `to` its last (tokens), where the
   * parser stopped (see chainStops).
   */
  private noteChainStop(from: number, to: number): void {
    this.noteStop(this.t.start[from]!, this.t.start[to]!);
  }

  /**
   * A chain of `-`, `/` or `%` built by this level of bin (`left`, from token `s`) where the
   * parser stopped past its last operand's start: its operands but the last, as for a run.
   * The last operand's first token is the one after its operator, which is the last token
   * before the operand's own span that is not an opening parenthesis.
   */
  private noteLeftChain(s: number, left: A.Expr & { kind: 'binary' }): void {
    const from = this.t.start[s]!;
    if (!LEFT_CHAINED.has(left.op) || left.span.start !== from) return;
    const starts = this.t.start;
    // The token the last operand's span starts at.
    let lo = s;
    let hi = this.t.count - 1;
    const at = left.right.span.start;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (starts[mid]! < at) lo = mid + 1;
      else hi = mid;
    }
    let k = lo - 1;
    while (k > s && this.kindAt(k) === T_PUNCT && this.text(k) === '(') k--;
    if (k <= s || this.text(k) !== left.op || this.furthest <= k + 1) return;
    this.noteStop(from, starts[k + 1]!);
  }

  /** A list whose next item did not parse: its items but the last, when they have spans. */
  private noteListStop(items: readonly unknown[]): void {
    if (items.length < 2) return;
    const first = (items[0] as { span?: A.Span }).span?.start;
    const last = (items[items.length - 1] as { span?: A.Span }).span?.start;
    if (first !== undefined && last !== undefined) this.noteStop(first, last);
  }

  private noteStop(from: number, to: number): void {
    const stops = this.chainStops;
    if (stops.length > 0 && stops[stops.length - 1]!.at < this.furthest) stops.length = 0;
    stops.push({ from, to, at: this.furthest });
  }

  /** Adds an operand, its tokens `first` to `last`, to a chain. */
  private addToChain(run: Run, x: A.Expr, first: number, last: number): void {
    run.lastStart = first;
    const { xs, starts, ends } = run;
    if (run.sizes === undefined) {
      xs.push(x);
      starts.push(first);
      ends.push(last);
      if (xs.length <= BALANCE_FROM) return;
      // Long: from here on a stack of balanced subtrees, the operands so far added anew.
      const kept = { xs: xs.splice(0), starts: starts.splice(0), ends: ends.splice(0) };
      run.sizes = [];
      for (let j = 0; j < kept.xs.length; j++) this.addToChain(run, kept.xs[j]!, kept.starts[j]!, kept.ends[j]!);
      return;
    }
    const sizes = run.sizes;
    xs.push(x);
    starts.push(first);
    ends.push(last);
    sizes.push(1);
    // Two subtrees of one size on top become one of twice the size.
    for (let n = xs.length; n >= 2 && sizes[n - 1] === sizes[n - 2]; n--) {
      xs[n - 2] = this.binaryAt(run.op, xs[n - 2]!, xs[n - 1]!, starts[n - 2]!, ends[n - 1]!);
      ends[n - 2] = ends[n - 1]!;
      sizes[n - 2]! *= 2;
      xs.pop();
      starts.pop();
      ends.pop();
      sizes.pop();
    }
  }

  /** The tree of a chain: left-leaning if short, else its subtrees joined from the right. */
  private closeChain(run: Run): A.Expr {
    const { op, xs, starts, ends } = run;
    let e = xs[0]!;
    if (run.sizes === undefined) {
      for (let j = 1; j < xs.length; j++) e = this.binaryAt(op, e, xs[j]!, starts[0]!, ends[j]!);
      return e;
    }
    const last = xs.length - 1;
    this.declChains.push(starts[0]!, run.lastStart);
    e = xs[last]!;
    for (let j = last - 1; j >= 0; j--) e = this.binaryAt(op, xs[j]!, e, starts[j]!, ends[last]!);
    return e;
  }

  /** atLabel = name ("." name)?, lexical: no space around the dot. */
  private atLabel(): A.Name {
    const s = this.i;
    this.name();
    if (this.isP('.') && this.adjacent(s) && this.isName(s + 2) && this.adjacent(s + 1)) this.i += 2;
    return this.nameAt(this.source.text.slice(this.t.start[s]!, this.endOf(this.i - 1)), s, this.i - 1);
  }

  private fieldInit(): { name: A.Name; value: A.Expr } {
    const name = this.name();
    this.expectP(':');
    return { name, value: this.expr() };
  }

  private postfix(): A.Expr {
    const s = this.i;
    let e = this.primary();
    let n = 0;
    for (;;) {
      const k = this.i;
      if (this.isP('[')) {
        const r = this.attempt(() => {
          this.i++;
          const index = this.expr();
          this.expectP(']');
          return index;
        });
        if (r === undefined) break;
        e = { kind: 'index', target: e, index: r, span: this.span(s) };
      } else if (this.isP('.') && this.kindAt(k + 1) === T_NUM) {
        this.i += 2;
        e = { kind: 'tupleItem', target: e, item: Number(this.text(k + 1)), span: this.span(s) };
      } else if (this.isP('.') && this.isName(k + 1)) {
        this.i += 2;
        e = { kind: 'field', target: e, field: this.nameAt(this.text(k + 1), k + 1), span: this.span(s) };
      } else {
        break;
      }
      if (++n > MAX_NESTING) throw new SpecErrors([nestingTooDeep(this.source, this.t.start[k]!, this.endOf(k))]);
    }
    return e;
  }

  private primary(): A.Expr {
    pollInterrupt();
    const s = this.i;
    const kind = this.kindAt(s);
    const tx = this.text(s);
    if (kind === T_NUM) {
      this.i++;
      return this.intAt(this.intLiteral(s, false), s);
    }
    if (kind === T_IDENT) {
      switch (tx) {
        case 'if': {
          this.i++;
          const cond = this.expr();
          this.expectKw('then');
          const a = this.expr();
          this.expectKw('else');
          const b = this.expr();
          return { kind: 'ifThen', cond, then: a, else: b, span: this.span(s) };
        }
        case 'let': {
          this.i++;
          const name = this.name();
          this.expectP('=');
          const value = this.bin(P_WITH);
          this.expectKw('in');
          return { kind: 'let', name, value, body: this.expr(), span: this.span(s) };
        }
        case 'forall':
        case 'exists':
        case 'sum': {
          this.i++;
          const binders = this.list1(() => this.binder());
          this.expectP(':');
          return { kind: 'quant', quant: tx, binders, body: this.expr(), span: this.span(s) };
        }
        case 'choose': {
          this.i++;
          const binder = this.binder();
          this.expectP(':');
          return { kind: 'choose', binder, cond: this.expr(), span: this.span(s) };
        }
        case 'match': {
          this.i++;
          const scrutinee = this.expr();
          this.expectP('{');
          const arms = this.list1(() => {
            const pattern = this.pattern();
            this.expectP('=>');
            return { pattern, body: this.expr() };
          });
          this.optP(',');
          this.expectP('}');
          return { kind: 'match', scrutinee, arms, span: this.span(s) };
        }
        case 'true':
          this.i++;
          return { kind: 'bool', value: true, span: this.span(s) };
        case 'false':
          this.i++;
          return { kind: 'bool', value: false, span: this.span(s) };
        default:
          break;
      }
      if (!this.isName()) throw FAIL;
      if (this.isP('(', s + 1)) {
        const r = this.attempt(() => {
          this.i += 2;
          const args = this.list0(() => this.expr());
          this.expectP(')');
          return args;
        });
        if (r !== undefined) {
          return { kind: 'call', callee: this.nameAt(tx, s), args: r, span: this.span(s) };
        }
      }
      if (this.isP("'", s + 1) && this.adjacent(s)) {
        this.i += 2;
        return { kind: 'primed', name: this.nameAt(tx, s), span: this.span(s) };
      }
      this.i++;
      return this.nameRef(s);
    }
    if (kind !== T_PUNCT) throw FAIL;
    if (tx === '(') {
      this.i++;
      const e = this.expr();
      if (this.optP(')')) return e;
      this.expectP(',');
      const rest = this.list1(() => this.expr());
      this.expectP(')');
      return { kind: 'tuple', items: [e, ...rest], span: this.span(s) };
    }
    if (tx === '{') return this.brace(s);
    if (tx === '[') return this.bracket(s);
    throw FAIL;
  }

  /** `{`: emptySet, filter, image, mapLit, record, setLit, in the grammar's order. */
  private brace(s: number): A.Expr {
    this.i++;
    if (this.optP('}')) return { kind: 'setLit', items: [], span: this.span(s) };
    if (this.isName() && this.isKw('in', s + 2)) {
      const r = this.attempt(() => {
        const name = this.name();
        this.i++;
        const domain = this.expr();
        this.expectP('|');
        const cond = this.expr();
        this.expectP('}');
        return { kind: 'filter' as const, binder: { name, domain }, cond, span: this.span(s) };
      });
      if (r) return r;
    }
    const first = this.tryExpr();
    const afterFirst = this.i;
    if (first !== undefined && this.isP(':')) {
      const r = this.attempt(() => {
        this.i++;
        const binders = this.list1(() => this.binder());
        this.expectP('}');
        return { kind: 'image' as const, body: first, binders, span: this.span(s) };
      });
      if (r) return r;
      this.i = afterFirst;
    }
    if (first !== undefined && this.isP('->')) {
      const r = this.attempt(() => {
        this.i = s + 1;
        const entries = this.list1(() => {
          const key = this.expr();
          this.expectP('->');
          return { key, value: this.expr() };
        });
        this.optP(',');
        this.expectP('}');
        return { kind: 'mapLit' as const, entries, span: this.span(s) };
      });
      if (r) return r;
    }
    if (this.isName(s + 1) && this.isP(':', s + 2)) {
      const r = this.attempt(() => {
        this.i = s + 1;
        const fields = this.list1(() => this.fieldInit());
        this.optP(',');
        this.expectP('}');
        return { kind: 'record' as const, fields, span: this.span(s) };
      });
      if (r) return r;
    }
    if (first === undefined) throw FAIL;
    this.i = s + 1;
    const items = this.list1(() => this.expr());
    this.optP(',');
    this.expectP('}');
    return { kind: 'setLit', items, span: this.span(s) };
  }

  /** `[`: mapFor, seqFilter, seqFor, seqLit, in the grammar's order. */
  private bracket(s: number): A.Expr {
    this.i++;
    if (this.isName() && this.isKw('in', s + 2)) {
      const r = this.attempt((): A.Expr => {
        const name = this.name();
        this.i++;
        const domain = this.expr();
        if (this.optP('|->')) {
          const body = this.expr();
          this.expectP(']');
          return { kind: 'mapFor', binder: { name, domain }, body, span: this.span(s) };
        }
        this.expectP('|');
        const cond = this.expr();
        this.expectP(']');
        return { kind: 'seqFilter', binder: { name, domain }, cond, span: this.span(s) };
      });
      if (r) return r;
    }
    const body = this.tryExpr();
    if (body !== undefined && this.isP(':')) {
      const r = this.attempt(() => {
        this.i++;
        const name = this.name();
        this.expectKw('in');
        const domain = this.expr();
        this.expectP(']');
        return { kind: 'seqFor' as const, body, binder: { name, domain }, span: this.span(s) };
      });
      if (r) return r;
    }
    this.i = s + 1;
    const items = this.list0(() => this.expr());
    this.optP(',');
    this.expectP(']');
    return { kind: 'seqLit', items, span: this.span(s) };
  }
}

/** `@name("arg", ...)` before a declaration or a statement, until it is attached. */
export interface ParsedAttribute {
  readonly kind: 'attribute';
  readonly name: A.Name;
  readonly args: readonly { readonly text: string; readonly span: A.Span }[];
  readonly span: A.Span;
}

// What attributes mean, for both parsers (src/lang/parser.ts's ohm semantics use these too):
// the @kernel values and the E247 and E248 problems.

const ATTRIBUTE_PLACES = 'an action, a process, a procedure, or a label inside a process or procedure';

export function declWord(kind: A.Decl['kind']): string {
  return kind === 'stepProperty' ? 'step property' : kind === 'typeAlias' || kind === 'variant' ? 'type' : kind;
}

/** A `@kernel` attribute's value, or undefined (and an E248 added to `errors`) if it is malformed. */
function kernelAttr(errors: A.AttributeError[], a: ParsedAttribute): A.KernelAttr | undefined {
  if (a.name.text !== 'kernel') {
    errors.push({ code: 'E248', span: a.name.span, message: `unknown attribute '@${a.name.text}'`, hint: 'the attribute spex knows is @kernel("function", "file")' });
    return undefined;
  }
  const [fn, file] = a.args;
  if (fn === undefined || a.args.length > 2 || fn.text === '' || file?.text === '') {
    errors.push({ code: 'E248', span: a.span, message: '@kernel takes the name of a kernel function and, optionally, its file', hint: 'write @kernel("isolate_lru_page", "mm/vmscan.c") or @kernel("isolate_lru_page")' });
    return undefined;
  }
  return file === undefined ? { fn: fn.text, span: a.span } : { fn: fn.text, file: file.text, span: a.span };
}

/**
 * The @kernel of the attributes before something: E247 where that cannot carry one (`before`
 * says what it is), E248 for a malformed or repeated one.
 */
export function attachAttributes(errors: A.AttributeError[], attrs: readonly ParsedAttribute[], allowed: boolean, before: string): A.KernelAttr | undefined {
  let kernel: A.KernelAttr | undefined;
  for (const a of attrs) {
    const k = kernelAttr(errors, a);
    if (k === undefined) continue;
    if (!allowed) {
      errors.push({ code: 'E247', span: a.span, message: `@kernel stands before ${before}; it may stand only before ${ATTRIBUTE_PLACES}`, hint: 'move it to the line before the action, process, procedure or label it names' });
    } else if (kernel !== undefined) {
      errors.push({ code: 'E248', span: a.span, message: '@kernel is given twice for the same step', hint: 'keep one @kernel per action, process, procedure or label' });
    } else kernel = k;
  }
  return kernel;
}

/** E104: beyond MAX_NESTING levels of nesting. */
export function nestingTooDeep(source: A.Source, start: number, end: number): Diagnostic {
  return new Diagnostic(
    'E104',
    { source, start, end: Math.max(end, start + 1) },
    `expression or statement nested more than ${MAX_NESTING} levels deep`,
    'name the inner parts with def or let, or split the expression',
  );
}

/**
 * E104 at the token the parser had reached when it ran out of stack: within MAX_NESTING,
 * some constructs (nested set or sequence literals, some 760 levels) take more stack per level
 * than there is. The parser's position is where the nesting became too deep (unwinding does
 * not move it back). Anything but a stack overflow returns.
 */
function overflowAt(e: unknown, source: A.Source, p: Parser): void {
  if (!(e instanceof RangeError) || !/call stack/.test(e.message)) return;
  const k = Math.min(p.pos, p.t.count - 1);
  throw new SpecErrors([
    new Diagnostic(
      'E104',
      { source, start: p.t.start[k]!, end: Math.max(p.endOf(k), p.t.start[k]! + 1) },
      'expression nested too deeply: spex cannot follow the nesting past this point',
      `an expression, statement or formula nests more than spex can follow (at most ${MAX_NESTING} levels, fewer for nested set, sequence and map literals); name the inner parts with def or let`,
    ),
  ]);
}

/**
 * The result of the fast parser: the AST, or where it stopped: `furthest`, the offset of the
 * furthest token it reached; `skips`, ranges [from, to) of the text, in order, apart and none
 * empty, that ohm need not parse again to find the error: the declarations before the one it
 * stopped in but one, the statements of that one's body but its last, the statements of the
 * body of the declaration it stopped in before the one it stopped in but one, and the operands
 * of the chains and the items of the lists it stopped in but the last.
 */
export type FastResult<T> = { ok: true; value: T } | { ok: false; furthest: number; skips: [number, number][] };

export function fastParseSpec(source: A.Source): FastResult<A.SpecAst> {
  let p: Parser | undefined;
  try {
    p = new Parser(source, tokenize(source.text));
    const value = p.spec();
    const tooLarge = p.literalTooLarge();
    if (tooLarge !== undefined) throw tooLarge;
    return { ok: true, value };
  } catch (e) {
    if (p !== undefined) overflowAt(e, source, p);
    if (e !== FAIL) throw e;
    if (p === undefined) return { ok: false, furthest: 0, skips: [] };
    const starts = p.declStarts;
    const furthestToken = Math.min(Math.max(p.furthest, p.pos), p.t.count - 1);
    const furthest = p.t.start[furthestToken]!;
    const skips: [number, number][] = [];
    // Complete declarations, or statements of one list, parse in ohm as they do here whatever
    // comes before them, and an alternative reads at most a token past its own: ohm finds the
    // same error without all but the last of those before the one that failed.
    if (starts.length >= 3) skips.push([p.t.start[starts[0]!]!, p.t.start[starts[starts.length - 2]!]!]);
    // That last declaration kept before the failing one, when it has a body: its statements but
    // its last, which parse in ohm as they do here (the declaration ends with its `}`).
    const done = p.bodyDone;
    if (done !== undefined && starts.length >= 2 && done.decl === starts[starts.length - 2] && done.starts.length >= 3) {
      skips.push([p.t.start[done.starts[0]!]!, p.t.start[done.starts[done.starts.length - 1]!]!]);
    }
    const body = p.bodyStop;
    if (body !== undefined && body.failing <= furthestToken && body.starts.length >= 2) {
      skips.push([p.t.start[body.starts[0]!]!, p.t.start[body.starts[body.starts.length - 1]!]!]);
    }
    // So do the operands of a chain, or the items of a list, that the parser stopped in or
    // past (all but the last); a chain nested in that last one comes after it. And those of
    // the long chains of that last declaration kept (a fuzz mutant with a sum of 17,000 terms
    // in a type, then an error in the next declaration: 2.7 s in ohm, 400 KB of it 12.5 s).
    const more: [number, number][] = p.chainStops.filter((c) => c.at === furthestToken).map((c) => [c.from, c.to]);
    if (starts.length >= 2) {
      const long = p.prevDeclChains;
      for (let k = 0; k < long.length; k += 2) more.push([p.t.start[long[k]!]!, p.t.start[long[k + 1]!]!]);
    }
    // In order and apart: a range inside one that begins before it is left to that one (the
    // ranges are of nested pieces of syntax: they nest, or lie apart).
    const all = [...skips, ...more].filter(([from, to]) => to > from).sort((a, b) => a[0] - b[0] || b[1] - a[1]);
    const kept: [number, number][] = [];
    for (const r of all) if (kept.length === 0 || r[0] >= kept[kept.length - 1]![1]) kept.push(r);
    return { ok: false, furthest, skips: kept };
  }
}

export function fastParseExpr(source: A.Source): FastResult<A.Expr> {
  let p: Parser | undefined;
  try {
    p = new Parser(source, tokenize(source.text));
    const value = p.exprOnly();
    const tooLarge = p.literalTooLarge();
    if (tooLarge !== undefined) throw tooLarge;
    return { ok: true, value };
  } catch (e) {
    if (p !== undefined) overflowAt(e, source, p);
    if (e !== FAIL) throw e;
    return { ok: false, furthest: p === undefined ? 0 : p.t.start[Math.min(Math.max(p.furthest, p.pos), p.t.count - 1)]!, skips: [] };
  }
}
