/**
 * The abstract syntax of a spex spec. Plain data: no phase after parsing imports ohm, and
 * every node carries a Span (offsets into its source file) for diagnostics.
 */

/** A source file: its path as the user gave it, and its text. */
export interface Source {
  readonly path: string;
  readonly text: string;
}

export interface Span {
  readonly source: Source;
  readonly start: number;
  readonly end: number;
}

export interface Name {
  readonly text: string;
  readonly span: Span;
}

// The nodes a spec has most of (names, integer literals, references to names, binary
// operations) are built by the parsers as objects that are their own span, and that keep no
// more than they must: a name's end is its start plus its length, a literal's value and end are
// read from its digits in the source, and a binary operation's source and offsets are those of
// its operands (`nameAt`, `intAt`, `nameRef`, `binaryAt` build them, and build plain objects
// where that would not hold: a literal written `- 5`, an operation in brackets). What is the
// same for many nodes lives on a prototype: every node's `kind`, an operation's `op` (a
// subclass of BinaryAt for each operator) and a literal's or name's `source` (subclasses made
// for each source, `ofSource`). In `1+1+...` a term costs 72 bytes so, against 88 with the op
// and the source in each node, 128 with each offset kept as well, and 210 with a Span object
// per node. Readers use only `kind`, the fields and `span`, whatever built the node. Nothing
// may copy such a node by spreading it: what is on the prototype would be lost.

/** A name that is its own span: its text is the source's from `start` on. */
export class NameAt implements Name, Span {
  /** On the prototype of the source's own subclass (ofSource). */
  declare readonly source: Source;
  constructor(
    readonly text: string,
    readonly start: number,
  ) {}
  get end(): number {
    return this.start + this.text.length;
  }
  get span(): Span {
    return this;
  }
}

/** A name `text` spanning start..end of the source: a NameAt when the text is the source's there. */
export function nameAt(text: string, source: Source, start: number, end: number): Name {
  return end === start + text.length ? new (ofSource(source).NameAt)(text, start) : { text, span: { source, start, end } };
}

/** An integer literal that is its own span: the decimal digits of the source from `start` on. */
export class IntAt implements Span {
  declare readonly kind: 'int';
  /** On the prototype of the source's own subclass (ofSource). */
  declare readonly source: Source;
  constructor(readonly start: number) {}
  get value(): number {
    const text = this.source.text;
    let v = 0;
    for (let i = this.start, c = text.charCodeAt(i); c >= 48 && c <= 57; c = text.charCodeAt(++i)) v = v * 10 + (c - 48);
    return v;
  }
  get end(): number {
    const text = this.source.text;
    let i = this.start;
    for (let c = text.charCodeAt(i); c >= 48 && c <= 57; c = text.charCodeAt(++i));
    return i;
  }
  get span(): Span {
    return this;
  }
}

/**
 * An integer literal of `value` spanning start..end of the source: an IntAt when the source
 * there is exactly the decimal digits of `value` (and reading them gives it back exactly: a
 * safe integer), else a plain node.
 */
export function intAt(value: number, source: Source, start: number, end: number): Extract<Expr, { kind: 'int' }> {
  if (value >= 0 && Number.isSafeInteger(value) && end - start === decimalDigits(value)) {
    const node = new (ofSource(source).IntAt)(start);
    if (node.end === end && node.value === value) return node;
  }
  return { kind: 'int', value, span: { source, start, end } };
}

/** How many decimal digits a non-negative safe integer has. */
function decimalDigits(v: number): number {
  let n = 1;
  for (; v >= 10; v = Math.floor(v / 10)) n++;
  return n;
}

/** A reference to a name (`{ kind: 'name', name, span }`) that is its own name and span: its text is the source's from `start` on. */
export class NameRef implements Name, Span {
  declare readonly kind: 'name';
  /** On the prototype of the source's own subclass (ofSource). */
  declare readonly source: Source;
  constructor(
    readonly text: string,
    readonly start: number,
  ) {}
  get end(): number {
    return this.start + this.text.length;
  }
  get name(): Name {
    return this;
  }
  get span(): Span {
    return this;
  }
}

/** A reference to the name `text` spanning start..end of the source: a NameRef when the text is the source's there. */
export function nameRef(text: string, source: Source, start: number, end: number): Extract<Expr, { kind: 'name' }> {
  if (end === start + text.length) return new (ofSource(source).NameRef)(text, start);
  const span = { source, start, end };
  return { kind: 'name', name: { text, span }, span };
}

/** The subclasses of NameAt, IntAt and NameRef whose prototype holds `source`. */
interface SourceClasses {
  readonly NameAt: new (text: string, start: number) => NameAt;
  readonly IntAt: new (start: number) => IntAt;
  readonly NameRef: new (text: string, start: number) => NameRef;
}

const sourceClasses = new WeakMap<Source, SourceClasses>();
// The last source asked for and its classes, since a parse asks for one source node after
// node. (They keep that source alive until nodes of another are made.)
let lastSource: Source | undefined;
let lastClasses: SourceClasses | undefined;

/** The classes of nodes of `source` (made on its first node, then kept as long as the source is). */
function ofSource(source: Source): SourceClasses {
  if (source === lastSource) return lastClasses!;
  let c = sourceClasses.get(source);
  if (c === undefined) {
    c = { NameAt: class extends NameAt {}, IntAt: class extends IntAt {}, NameRef: class extends NameRef {} };
    for (const k of [c.NameAt, c.IntAt, c.NameRef]) Object.defineProperty(k.prototype, 'source', { value: source });
    sourceClasses.set(source, c);
  }
  lastSource = source;
  lastClasses = c;
  return c;
}

/** A binary operation that is its own span: from its left operand's start to its right operand's end. */
export class BinaryAt implements Span {
  declare readonly kind: 'binary';
  /** On the prototype of the operator's own subclass (BINARY_AT). */
  declare readonly op: BinaryOp;
  constructor(
    readonly left: Expr,
    readonly right: Expr,
  ) {}
  get source(): Source {
    return this.left.span.source;
  }
  get start(): number {
    return this.left.span.start;
  }
  get end(): number {
    return this.right.span.end;
  }
  get span(): Span {
    return this;
  }
}

/** A subclass of BinaryAt for each operator, with `op` on its prototype. */
const BINARY_AT = new Map<BinaryOp, new (left: Expr, right: Expr) => BinaryAt>();

/**
 * `left op right` spanning start..end of the source: a BinaryAt when its operands' spans begin
 * and end it, and the operand its start (or end) comes from is found within DERIVED_DEPTH
 * operations down its left (right) side. A long chain nested one way (`1 - 1 - ...`, `a
 * implies b implies ...`) so gets a node with offsets of its own every DERIVED_DEPTH levels: reading a
 * span, or building the next operation, never follows more than that many operands, where
 * following them all made such a chain quadratic to build.
 */
export function binaryAt(op: BinaryOp, left: Expr, right: Expr, source: Source, start: number, end: number): Extract<Expr, { kind: 'binary' }> {
  const l = edgeOperand(left, true);
  const r = edgeOperand(right, false);
  if (l !== undefined && r !== undefined && l.span.start === start && r.span.end === end && l.span.source === source && r.span.source === source) {
    let C = BINARY_AT.get(op);
    if (C === undefined) {
      C = class extends BinaryAt {};
      Object.defineProperty(C.prototype, 'op', { value: op });
      BINARY_AT.set(op, C);
    }
    return new C(left, right);
  }
  return { kind: 'binary', op, left, right, span: { source, start, end } };
}

/** How many BinaryAt operations a span is derived through at most (see binaryAt). */
const DERIVED_DEPTH = 64;

/** The first (last) operand of e that is not a BinaryAt, down its left (right) side, within DERIVED_DEPTH steps. */
function edgeOperand(e: Expr, leftSide: boolean): Expr | undefined {
  for (let k = 0; k <= DERIVED_DEPTH; k++) {
    if (!(e instanceof BinaryAt)) return e;
    e = leftSide ? e.left : e.right;
  }
  return undefined;
}

for (const [c, kind] of [[IntAt, 'int'], [NameRef, 'name'], [BinaryAt, 'binary']] as const) {
  Object.defineProperty(c.prototype, 'kind', { value: kind });
}

// ---------------------------------------------------------------- types

export type TypeExpr =
  | { kind: 'named'; name: Name; span: Span }
  | { kind: 'set'; elem: TypeExpr; span: Span }
  | { kind: 'seq'; elem: TypeExpr; span: Span }
  | { kind: 'option'; elem: TypeExpr; span: Span }
  | { kind: 'map'; key: TypeExpr; value: TypeExpr; span: Span }
  | { kind: 'tuple'; items: TypeExpr[]; span: Span }
  | { kind: 'record'; fields: { name: Name; type: TypeExpr }[]; span: Span }
  | { kind: 'range'; lo: Expr; hi: Expr; span: Span };

// ---------------------------------------------------------------- expressions

export type BinaryOp =
  | 'implies' | 'or' | 'and'
  | '==' | '!=' | '<' | '<=' | '>' | '>=' | 'in' | 'notin' | 'subset'
  | 'union' | 'minus' | 'inter' | '..'
  | '+' | '-' | '*' | '/' | '%';

export interface Binder {
  readonly name: Name;
  readonly domain: Expr;
}

export type Pattern =
  | { kind: 'wild'; span: Span }
  | { kind: 'int'; value: number; span: Span }
  /** A bare name: an enum atom or a variant case without payload (resolved by the checker). */
  | { kind: 'name'; name: Name; span: Span }
  | { kind: 'payload'; tag: Name; bind: Name; span: Span };

export interface ExprArm {
  readonly pattern: Pattern;
  readonly body: Expr;
}

export type Expr =
  | { kind: 'int'; value: number; span: Span }
  | { kind: 'bool'; value: boolean; span: Span }
  | { kind: 'name'; name: Name; span: Span }
  | { kind: 'call'; callee: Name; args: Expr[]; span: Span }
  | { kind: 'unary'; op: 'not' | 'neg'; arg: Expr; span: Span }
  | { kind: 'binary'; op: BinaryOp; left: Expr; right: Expr; span: Span }
  | { kind: 'is'; arg: Expr; tag: Name; span: Span }
  | { kind: 'index'; target: Expr; index: Expr; span: Span }
  | { kind: 'field'; target: Expr; field: Name; span: Span }
  | { kind: 'tupleItem'; target: Expr; item: number; span: Span }
  | { kind: 'withIndex'; target: Expr; index: Expr; value: Expr; span: Span }
  | { kind: 'withFields'; target: Expr; fields: { name: Name; value: Expr }[]; span: Span }
  | { kind: 'tuple'; items: Expr[]; span: Span }
  | { kind: 'setLit'; items: Expr[]; span: Span }
  | { kind: 'seqLit'; items: Expr[]; span: Span }
  | { kind: 'mapLit'; entries: { key: Expr; value: Expr }[]; span: Span }
  | { kind: 'record'; fields: { name: Name; value: Expr }[]; span: Span }
  | { kind: 'filter'; binder: Binder; cond: Expr; span: Span }
  | { kind: 'image'; body: Expr; binders: Binder[]; span: Span }
  | { kind: 'mapFor'; binder: Binder; body: Expr; span: Span }
  /** `[x in s | cond]`: the elements of sequence s that satisfy cond, in order (TLA+'s SelectSeq). */
  | { kind: 'seqFilter'; binder: Binder; cond: Expr; span: Span }
  /**
   * `[e : x in d]`: the sequence of e for each x of d, in d's order: a sequence in order, a
   * range `lo..hi` ascending, a set in canonical order.
   */
  | { kind: 'seqFor'; body: Expr; binder: Binder; span: Span }
  | { kind: 'ifThen'; cond: Expr; then: Expr; else: Expr; span: Span }
  | { kind: 'let'; name: Name; value: Expr; body: Expr; span: Span }
  | { kind: 'quant'; quant: 'forall' | 'exists' | 'sum'; binders: Binder[]; body: Expr; span: Span }
  | { kind: 'choose'; binder: Binder; cond: Expr; span: Span }
  | { kind: 'match'; scrutinee: Expr; arms: ExprArm[]; span: Span }
  /**
   * `P(i) at L` (or `P at L` for a process without parameter): whether that process instance's
   * program counter is at label L (`done` once it has run to its end). `target` is as parsed
   * (a call or a name); the checker resolves it to a process. `P(i) at {L1, L2}` lists its
   * labels in `labels` (`label` is then the first): the pc is at any of them.
   */
  | { kind: 'at'; target: Expr; label: Name; labels?: Name[]; span: Span }
  /** `x'`: state variable x after the step; only in a step predicate (the checker's E218). */
  | { kind: 'primed'; name: Name; span: Span };

// ---------------------------------------------------------------- statements

export type LSelector =
  | { kind: 'index'; index: Expr; span: Span }
  | { kind: 'field'; field: Name; span: Span };

export interface LValue {
  readonly root: Name;
  readonly path: LSelector[];
  readonly span: Span;
}

export interface StmtArm {
  readonly pattern: Pattern;
  readonly body: Stmt[];
}

export type Stmt =
  | { kind: 'require'; cond: Expr; span: Span }
  | { kind: 'let'; name: Name; value: Expr; span: Span }
  | { kind: 'pick'; name: Name; domain: Expr; where: Expr | undefined; span: Span }
  | { kind: 'if'; cond: Expr; then: Stmt[]; else: Stmt[] | undefined; span: Span }
  | { kind: 'for'; name: Name; domain: Expr; body: Stmt[]; span: Span }
  | { kind: 'match'; scrutinee: Expr; arms: StmtArm[]; span: Span }
  | { kind: 'assert'; cond: Expr; message: string | undefined; span: Span }
  | { kind: 'assign'; target: LValue; value: Expr; span: Span }
  // Process statements (the checker reports them anywhere else).
  /** `L:` starts an atomic step of a process; the statements after it, up to the next label reached, are that step. */
  | {
      kind: 'label';
      name: Name;
      /** `end L:`: a valid end state, as Promela's end labels: an instance blocked here is not a deadlock. */
      end?: boolean;
      /** `@kernel("fn", "file")` written before the label. */
      kernel?: KernelAttr;
      span: Span;
    }
  /** `await e`: like `require e`, in a process. */
  | { kind: 'await'; cond: Expr; span: Span }
  /** `goto L`: ends the step, the process goes on at L. */
  | { kind: 'goto'; target: Name; span: Span }
  /** `L: while c { body }`: the test is part of the step that reaches L; the body's end goes back to L. */
  | { kind: 'while'; cond: Expr; body: Stmt[]; span: Span }
  /** `either { ... } or { ... }`: each branch that can run yields its successors; what follows runs after either. */
  | { kind: 'either'; branches: Stmt[][]; span: Span }
  /** `call P(args)`: ends the step; the instance goes on at P's first label, and comes back after the call on `return`. */
  | { kind: 'call'; callee: Name; args: Expr[]; span: Span }
  /** `return`, in a procedure: ends the step; the caller goes on after its call. */
  | { kind: 'return'; span: Span };

// ---------------------------------------------------------------- declarations

export interface VariantCaseDecl {
  readonly name: Name;
  readonly payload: TypeExpr | undefined;
}

export type ActionParam =
  | { kind: 'typed'; name: Name; type: TypeExpr }
  | { kind: 'ranged'; name: Name; domain: Expr };

/**
 * `var x: T = e` inside a process: one copy per process instance, kept in the state.
 * `var x: T in S` starts it at each element of S (one initial state per choice); `choice`
 * says which form `init` is. Without either, `init` is undefined (the checker reports it).
 */
export interface ProcessVarDecl {
  readonly name: Name;
  readonly type: TypeExpr;
  readonly init: Expr | undefined;
  readonly choice?: boolean;
  readonly span: Span;
}

/** `fair` / `strong fair` written on an action or process declaration. */
export interface FairPrefix {
  readonly strong: boolean;
  readonly span: Span;
}

export type Expectation =
  | { kind: 'ok'; span: Span }
  | { kind: 'violation'; name: Name; span: Span }
  | { kind: 'deadlock'; span: Span }
  | { kind: 'error'; span: Span };

/**
 * The temporal formula of a `property`, under its quantifiers: one temporal operator over
 * state predicates (docs/temporal.md).
 */
export type TemporalFormula =
  | { kind: 'always'; body: Expr; span: Span }
  | { kind: 'eventually'; body: Expr; span: Span }
  | { kind: 'alwaysEventually'; body: Expr; span: Span }
  | { kind: 'eventuallyAlways'; body: Expr; span: Span }
  | { kind: 'leadsTo'; left: Expr; right: Expr; span: Span }
  /** Any other nesting: checked through a Büchi automaton (docs/temporal.md). */
  | { kind: 'general'; tree: TemporalTree; span: Span };

/**
 * A temporal formula as written: temporal operators, connectives and quantifiers over state
 * predicates (`atom`). Subtrees without a temporal operator are single atoms.
 */
export type TemporalTree =
  | { kind: 'atom'; expr: Expr; span: Span }
  | { kind: 'always' | 'eventually' | 'not'; body: TemporalTree; span: Span }
  | { kind: 'and' | 'or' | 'implies' | 'leadsTo'; left: TemporalTree; right: TemporalTree; span: Span }
  | { kind: 'forall' | 'exists'; binders: Binder[]; body: TemporalTree; span: Span };

export type Decl =
  | { kind: 'const'; name: Name; type: TypeExpr; value: Expr; span: Span }
  | { kind: 'enum'; name: Name; members: Name[]; span: Span }
  | { kind: 'typeAlias'; name: Name; type: TypeExpr; span: Span }
  | { kind: 'variant'; name: Name; cases: VariantCaseDecl[]; span: Span }
  /** `initIn`: the constant set S of `var x: T in S`, one initial state per element. */
  | { kind: 'var'; name: Name; type: TypeExpr; init: Expr | undefined; initIn?: Expr; span: Span }
  | { kind: 'def'; name: Name; params: { name: Name; type: TypeExpr }[]; result: TypeExpr; body: Expr; span: Span }
  | { kind: 'init'; body: Stmt[]; span: Span }
  | { kind: 'action'; name: Name; params: ActionParam[]; body: Stmt[]; span: Span; fair?: FairPrefix; kernel?: KernelAttr }
  | { kind: 'invariant'; name: Name; body: Expr; span: Span }
  /** A diagram of the state drawn by reports (HTML); any type, evaluated in each state. */
  | { kind: 'view'; name: Name; body: Expr; span: Span }
  /**
   * `symmetry A, B`: the states are explored up to permutations of the values of A and of B
   * (enums, range types, or constant sets of their values); docs/symmetry.md.
   */
  | { kind: 'symmetry'; names: Name[]; span: Span }
  | {
      kind: 'process';
      name: Name;
      /** The instance parameter; a process without one has a single instance. */
      param: ActionParam | undefined;
      locals: ProcessVarDecl[];
      body: Stmt[];
      span: Span;
      /** `fair process P ...`: the parser also adds the equivalent fairness declaration. */
      fair?: FairPrefix;
      kernel?: KernelAttr;
    }
  /** `procedure Name(a: T, ...) { var ...; labelled statements }`: called with `call Name(...)` from processes. */
  | {
      kind: 'procedure';
      name: Name;
      params: { name: Name; type: TypeExpr }[];
      locals: ProcessVarDecl[];
      body: Stmt[];
      span: Span;
      kernel?: KernelAttr;
    }
  /** `property Name: forall x in S, ...: formula`; binders are [] without quantifiers. */
  | { kind: 'property'; name: Name; binders: Binder[]; formula: TemporalFormula; span: Span }
  /**
   * `constraint Name: e` (TLC's CONSTRAINT) or `action constraint Name: e` (ACTION_CONSTRAINT,
   * a step predicate: primed names are the values after the step).
   */
  | { kind: 'constraint'; action: boolean; name: Name; body: Expr; span: Span }
  /** `always step Name: e`: TLA+'s [][e]_vars, e a step predicate. */
  | { kind: 'stepProperty'; name: Name; body: Expr; span: Span }
  /**
   * `fair action A`, `strong fair process P`; `fair { A, B, P }` (target 'group', name the
   * braces' text, members the names) and `fair next` (target 'next', name `next`, no members):
   * fairness of a group of actions and processes as one disjunction, or of every step.
   */
  | { kind: 'fairness'; strong: boolean; target: 'action' | 'process' | 'group' | 'next'; name: Name; members?: Name[]; span: Span }
  /**
   * `import Name from "file.spex" with { v: expr, ... }`: another spec, its variables and
   * constants mapped to expressions of this one (docs/refinement.md). `path` is as written,
   * relative to the importing file.
   */
  | { kind: 'import'; name: Name; path: string; pathSpan: Span; mappings: { name: Name; value: Expr }[]; span: Span }
  /** `refines Name`: every behaviour of this spec, mapped, is one of the imported spec Name. */
  | { kind: 'refines'; name: Name; span: Span }
  /** `show Name`: a definition without parameters, or a view, printed in every state of a trace. */
  | { kind: 'show'; name: Name; span: Span }
  | {
      kind: 'check';
      name: Name;
      consts: { name: Name; value: Expr }[];
      deadlock: boolean | undefined;
      expect: Expectation | undefined;
      /** Fairness for this check only, on top of the spec's. */
      fairness: Extract<Decl, { kind: 'fairness' }>[];
      /** `only A, B`: the invariants and properties this check verifies (all when undefined). */
      only: Name[] | undefined;
      /** `refines Name` items: refinements checked in this check only, on top of the spec's. */
      refines: Extract<Decl, { kind: 'refines' }>[];
      /** Constraints for this check only, on top of the spec's. */
      constraints: Extract<Decl, { kind: 'constraint' }>[];
      /** `symmetry` items: when present, they replace the spec's own symmetry declarations. */
      symmetry?: Extract<Decl, { kind: 'symmetry' }>[];
      /** Spans of repeated `deadlock`/`expect` items, reported by the checker. */
      duplicates: Span[];
      /** `show Name` items: shown in this check's traces, on top of the spec's. */
      shows?: Name[];
      span: Span;
    };

export interface SpecAst {
  readonly name: Name;
  readonly decls: Decl[];
  readonly source: Source;
  /** Attributes misplaced or malformed (E247, E248), found while parsing and reported by the checker. */
  readonly attributeErrors?: readonly AttributeError[];
}

/** `@kernel("fn", "file")`: the kernel function (and its file) an action, process, procedure or label stands for. */
export interface KernelAttr {
  readonly fn: string;
  readonly file?: string;
  readonly span: Span;
}

export interface AttributeError {
  readonly code: 'E247' | 'E248';
  readonly span: Span;
  readonly message: string;
  readonly hint: string;
}
