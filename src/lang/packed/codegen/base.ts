/**
 * What the packed code generator works with (representations of values, layouts, literals) and
 * its shared state and helpers: names, the statement buffer, locals, constants, conversions
 * between representations, and places (slots of the state).
 */
import type * as A from '../../ast.js';
import type { CheckedProcedure, CheckedSpec, Resolution } from '../../check.js';
import type { StackLayout } from './procedures.js';
import type { Compiler } from '../../compile.js';
import type { Type } from '../../types.js';
import { ModelError } from '../../../explore/system.js';
import { ISet, type Value } from '../../../values/index.js';
import { Doms, Unsupported, type Dom, type Shape } from '../dom.js';
import { SpecErrors } from '../../diagnostics.js';

/** The most values a loop over a domain whose codes are not in canonical order may visit. */
export const MAX_ORDER = 1 << 20;

/** An integer literal for generated source: only safe integers, never text from elsewhere. */
export function lit(n: number): string {
  if (!Number.isSafeInteger(n)) throw new Error(`internal error: ${n} is not a safe integer literal`);
  return n < 0 ? `(${String(n)})` : String(n);
}

export type Val =
  /** `src`: the value is src.c + src.lo, src.c a code already at hand. */
  | { r: 'int'; v: string; lo: number; hi: number; src?: { lo: number; c: string } }
  | { r: 'bool'; v: string }
  | { r: 'code'; dom: Dom; v: string }
  /** Slots of the state: a map, or a record or tuple laid out over several slots. */
  | { r: 'place'; sh: Shape; off: string; root: number }
  /** A finite type used as the set of its values. */
  | { r: 'typeset'; dom: Dom }
  /** `lo..hi`, not yet built. */
  | { r: 'range'; lo: Extract<Val, { r: 'int' }>; hi: Extract<Val, { r: 'int' }> };

export type IntVal = Extract<Val, { r: 'int' }>;

export const SAFE = Number.MAX_SAFE_INTEGER;
/** The element domain of a range whose bounds are not constant: iterated, never coded. */
export const ANY_INT: Dom = { k: 'int', lo: -SAFE, hi: SAFE, size: Infinity, key: 'i*' };
export const isLiteral = (v: string): boolean => /^\(?-?\d+\)?$/.test(v);
export const litValue = (v: string): number => Number(v.replace(/[()]/g, ''));
export const isSimple = (v: string): boolean => /^[a-z]+\d*$/.test(v) || isLiteral(v);

export function add(a: string, b: number): string {
  if (b === 0) return a;
  if (isLiteral(a)) return lit(litValue(a) + b);
  return b < 0 ? `(${a} - ${lit(-b)})` : `(${a} + ${lit(b)})`;
}

export function addS(a: string, b: string): string {
  if (isLiteral(b)) return add(a, litValue(b));
  if (isLiteral(a)) return add(b, litValue(a));
  return `(${a} + ${b})`;
}

export function mul(a: string, w: number): string {
  if (w === 1) return a;
  if (isLiteral(a)) return lit(litValue(a) * w);
  return `(${a} * ${lit(w)})`;
}

/** The code of item i of a tuple or record held in one slot, whose code is `code` (mixed radix, the first item most significant). */
export function itemCode(code: string, d: Extract<Dom, { k: 'tuple' | 'record' }>, i: number): string {
  const q = d.strides[i] === 1 ? code : `Math.floor(${code} / ${lit(d.strides[i]!)})`;
  return i === 0 ? q : `(${q} % ${lit(d.items[i]!.size)})`;
}

/** Where state variables live in the vector. */
export interface VarLayout {
  readonly name: string;
  readonly shape: Shape;
  readonly offset: number;
}

/** A process instance's place in the vector. */
export interface InstanceLayout {
  /** Its pc's index among the generic state's slots; its variables follow. */
  readonly base: number;
  /** Its pc's offset in the vector. */
  readonly pcOff: number;
  /** The instance parameter's code in the parameter's domain (undefined: no parameter). */
  readonly paramCode: number | undefined;
}

/** A process: its instances in order, and the domain of its parameter. */
export interface ProcessLayout {
  readonly paramDom: Dom | undefined;
  readonly instances: readonly InstanceLayout[];
}

/** The process instance whose steps are being compiled. */
export interface StepContext {
  readonly inst: InstanceLayout;
  /** The labels in the order written, then `done`: a pc's code is its index here. */
  readonly labels: readonly string[];
  /** The code that emits the successor once the pc is set (the step's label is the current one). */
  readonly finish: () => string;
  /** The pc name of a label of the body being compiled (`reparent.scan` in a procedure); none: the label itself. */
  readonly qualify?: (label: string) => string;
  /** The instance's call stack, for a process that calls procedures. */
  readonly stack?: StackLayout;
  /** The procedure whose steps are being compiled (undefined: the process's own body). */
  readonly procedure?: CheckedProcedure;
}

export function sameShape(a: Shape, b: Shape): boolean {
  if (a.k !== b.k || a.width !== b.width) return false;
  switch (a.k) {
    case 'leaf':
      return a.dom.key === (b as typeof a).dom.key;
    case 'map':
      return a.keyDom.key === (b as typeof a).keyDom.key && sameShape(a.val, (b as typeof a).val);
    default:
      return a.items.every((x, i) => sameShape(x, (b as typeof a).items[i]!));
  }
}

/**
 * The values of local slots while code is generated, which `scoped` puts back as they were:
 * every binding is logged with the value it replaced, and going back undoes the log down to a
 * mark. A copy of the whole map per scope cost its size each time: a step of 20,000 `let`s
 * nests 20,000 scopes, and copied 200 million entries (4 GB).
 */
export class Locals {
  private readonly map = new Map<number, Val>();
  private readonly log: { readonly slot: number; readonly old: Val | undefined }[] = [];

  get(slot: number): Val | undefined {
    return this.map.get(slot);
  }

  set(slot: number, v: Val): void {
    this.log.push({ slot, old: this.map.get(slot) });
    this.map.set(slot, v);
  }

  /** Where the log stands: rewind(mark()) puts back the bindings as they are now. */
  mark(): number {
    return this.log.length;
  }

  rewind(mark: number): void {
    while (this.log.length > mark) {
      const { slot, old } = this.log.pop()!;
      if (old === undefined) this.map.delete(slot);
      else this.map.set(slot, old);
    }
  }
}

export abstract class CodeGenBase {
  abstract expr(e: A.Expr, want?: Dom): Val;

  private n = 0;
  private buf: string[] = [];
  /** Values of local slots, per frame (a def's body has its own). */
  protected env = new Locals();
  /** While compiling init: reads of a slot check that it has a value. */
  initMode = false;
  /**
   * Whether the generated code records the slots a step writes (for stepFingerprint): each
   * write of `s` pushes its slot on the stack `D` (DN entries, past its DC-long array only
   * counted), and each write undone pops it, so at an emission `D` lists every slot in which
   * the successor may differ from the state expanded. Wide layouts only: it costs a store a write.
   */
  recordWrites = false;

  /** The code that records a write of slot `slot` (recordWrites), to follow the write. */
  wrote(slot: string): string {
    return this.recordWrites ? `if (DN < DC) D[DN] = ${slot};\nDN++;` : '';
  }

  /** The code that forgets the last `n` writes recorded (recordWrites), to follow their undoing. */
  undid(n: number | string): string {
    return this.recordWrites ? `DN -= ${n};` : '';
  }

  constructor(
    readonly spec: CheckedSpec,
    readonly cc: Compiler,
    readonly doms: Doms,
    /** Every slot of the generic state: the variables, then each process instance's pc and variables. */
    readonly vars: readonly VarLayout[],
    readonly processes: ReadonlyMap<object, ProcessLayout> = new Map(),
  ) {}

  /** The process instance being compiled, if any. */
  proc: StepContext | undefined;

  /** Forgets every local: a process step starts with none but its instance parameter. */
  clearLocals(): void {
    this.env = new Locals();
  }

  /** Binds a local slot (an action parameter) to a value at hand. */
  setLocal(slot: number, v: Val): void {
    this.env.set(slot, v);
  }

  /**
   * Compiles f with the locals as they are now, and puts them back afterwards. The rest of a
   * step is compiled once per branch that reaches it (`if`, `either`, `match`, `pick`), and
   * compiling it binds the locals of the statements after (the `let`s of the next iterations
   * of an unrolled `for` included): without this, a branch compiled after another would read
   * the constants its sibling's continuation bound, declared in a block it cannot see.
   */
  scoped<T>(f: () => T): T {
    const env = this.env;
    const mark = env.mark();
    try {
      return f();
    } finally {
      env.rewind(mark);
    }
  }

  fresh(prefix: string): string {
    return `${prefix}${this.n++}`;
  }

  fail(message: string, span?: A.Span): never {
    throw new Unsupported(message, span);
  }

  protected res(node: object): Resolution {
    const r = this.spec.res.get(node);
    if (!r) throw new Error('internal error: unresolved node');
    return r;
  }

  protected type(e: A.Expr): Type {
    return this.spec.types.get(e) ?? { k: 'any' };
  }

  /** The domain of a type, if it is finite and fully ranged. */
  protected domOf(t: Type): Dom | undefined {
    try {
      return this.doms.of(t);
    } catch (err) {
      if (err instanceof Unsupported) return undefined;
      throw err;
    }
  }

  /** The domain of an expression's static type, if it is finite and fully ranged. */
  natural(e: A.Expr): Dom | undefined {
    return this.domOf(this.type(e));
  }

  protected elemNatural(e: A.Expr): Dom | undefined {
    const t = this.type(e);
    return t.k === 'set' ? this.domOf(t.elem) : undefined;
  }

  /**
   * Runs f with a fresh statement buffer; returns the statements and f's result. The calls of
   * definitions written out in the block (chargeCall) are charged to the evaluation's work
   * once, at its start: a loop's body charges them once an iteration, not once a call.
   */
  capture<T>(f: () => T): [string, T] {
    const saved = this.buf;
    const savedCalls = this.calls;
    this.buf = [];
    this.calls = 0;
    this.captures++;
    try {
      const r = f();
      if (this.calls > 0) this.buf.unshift(this.workCharge(String(this.calls)));
      return [this.buf.join('\n'), r];
    } finally {
      this.buf = saved;
      this.calls = savedCalls;
      this.captures--;
    }
  }

  /** Calls of definitions written out in the block being captured, not yet charged. */
  private calls = 0;
  private captures = 0;

  /**
   * One call of a definition to charge to the evaluation's work, as the generic engine does:
   * at the start of the block it is written in (capture), which may charge it before the call
   * is made, or when it is not, but never less.
   */
  protected chargeCall(): void {
    if (this.captures > 0) this.calls++;
    else this.emit(this.workCharge('1'));
  }

  /**
   * The statement that charges the entry of a loop over at most `n` values to the evaluation's
   * work count (src/lang/work.ts), giving up on the state past the budget: the generic engine,
   * which charges at most as much at the same loop, then decides whether it is E715.
   */
  workCharge(n: string): string {
    return `if ((WK.n += ${n}) > WK.max) bail();`;
  }

  protected emit(stmt: string): void {
    this.buf.push(stmt);
  }

  /** A JS expression evaluated once: simple ones as they are, others into a temporary. */
  protected once(v: string): string {
    if (isSimple(v)) return v;
    const t = this.fresh('t');
    this.emit(`const ${t} = ${v};`);
    return t;
  }

  // ---------------------------------------------------------------- constants

  protected constValue(e: A.Expr): Value | undefined {
    if (e.kind === 'int' || e.kind === 'bool') return e.value;
    if (!this.cc.isConstant(e)) return undefined;
    try {
      return this.cc.constValue(e);
    } catch (err) {
      if (err instanceof ModelError) return undefined;
      // A constant too large to enumerate (E221) where it is not enumerated (`x in 0..N`):
      // the generic compiler has reported any that is.
      if (err instanceof SpecErrors && err.diagnostics.every((d) => d.code === 'E221')) return undefined;
      throw err;
    }
  }

  /** A constant value as a Val; undefined when it does not fit the domain wanted. */
  protected constVal(v: Value, e: A.Expr, want: Dom | undefined): Val | undefined {
    if (typeof v === 'number') return { r: 'int', v: lit(v), lo: v, hi: v };
    if (typeof v === 'boolean') return { r: 'bool', v: v ? 'true' : 'false' };
    let dom = want ?? this.natural(e);
    if (!dom && ISet.isSet(v)) {
      // A constant set of integers without a ranged type: its own span.
      const xs = [...v];
      if (xs.length > 0 && xs.every((x) => typeof x === 'number')) {
        const lo = Math.min(...(xs as number[]));
        const hi = Math.max(...(xs as number[]));
        if (hi - lo < 30) dom = { k: 'set', elem: this.doms.intDom(lo, hi), size: 2 ** (hi - lo + 1), key: `s(i${lo}..${hi})` };
      }
    }
    if (!dom || (dom.k === 'set' && dom.elem.size > 30)) return undefined;
    const c = this.doms.encode(dom, v);
    if (c < 0) return undefined;
    return { r: 'code', dom, v: lit(c) };
  }

  // ---------------------------------------------------------------- conversions

  toBool(x: Val, span: A.Span): string {
    if (x.r !== 'bool') this.fail('internal: expected a Bool', span);
    return x.v;
  }

  toInt(x: Val, span: A.Span): IntVal {
    if (x.r !== 'int') this.fail('internal: expected an Int', span);
    return x;
  }

  /** A Val of a code in a domain (a slot's content, a bit's index). */
  valOfCode(d: Dom, c: string): Val {
    switch (d.k) {
      case 'int':
        if (d.unbounded) return { r: 'int', v: c, lo: -SAFE, hi: SAFE };
        return { r: 'int', v: add(c, d.lo), lo: d.lo, hi: d.hi, src: { lo: d.lo, c } };
      case 'bool':
        return { r: 'bool', v: `(${c} === 1)` };
      default:
        return { r: 'code', dom: d, v: c };
    }
  }

  /** The code of a value in domain d; throws BAIL at run time if it lies outside. */
  toCode(x: Val, d: Dom, span: A.Span): string {
    switch (x.r) {
      case 'int': {
        if (d.k !== 'int') this.fail('internal: an Int where another type was expected', span);
        // Any safe integer fits (arithmetic has checked it already).
        if (d.unbounded) return x.v;
        if (x.lo >= d.lo && x.hi <= d.hi) {
          if (x.src && x.src.lo === d.lo) return x.src.c;
          return add(x.v, -d.lo);
        }
        if (isLiteral(x.v)) return `bail()`;
        return `rc(${x.v}, ${lit(d.lo)}, ${lit(d.hi)})`;
      }
      case 'bool':
        if (d.k !== 'bool') this.fail('internal: a Bool where another type was expected', span);
        return isLiteral(x.v) ? x.v : x.v === 'true' ? '1' : x.v === 'false' ? '0' : `(${x.v} ? 1 : 0)`;
      case 'code': {
        if (x.dom.key === d.key) return x.v;
        if (x.dom.k === 'set' && d.k === 'set' && x.dom.elem.k === 'int' && d.elem.k === 'int') {
          return `shm(${x.v}, ${lit(x.dom.elem.lo - d.elem.lo)}, ${lit(d.elem.size)})`;
        }
        return this.fail(`values of two different domains (${x.dom.key} and ${d.key}) are not supported by the packed engine`, span);
      }
      case 'typeset': {
        if (d.k !== 'set') this.fail('internal: a type used as a set where no set was expected', span);
        if (x.dom.key === d.elem.key) return lit(2 ** d.elem.size - 1);
        const c = this.doms.encode(d, ISet(this.doms.values(x.dom)));
        if (c < 0) this.fail('a type used as a set does not fit the set it is compared or combined with', span);
        return lit(c);
      }
      case 'range': {
        if (d.k !== 'set' || d.elem.k !== 'int') this.fail('internal: a range where no set of Int was expected', span);
        return `rng(${x.lo.v}, ${x.hi.v}, ${lit(d.elem.lo)}, ${lit(d.elem.size)})`;
      }
      case 'place':
        return this.fail('maps and large records are supported only as state variables, not as values', span);
    }
  }

  // ---------------------------------------------------------------- places

  /** Reads a leaf slot, or keeps a larger place as such. */
  protected read(sh: Shape, off: string, root: number): Val {
    if (sh.k !== 'leaf') return { r: 'place', sh, off, root };
    const slot = this.initMode ? `un(s[${off}])` : `s[${off}]`;
    return this.valOfCode(sh.dom, slot);
  }

  /** The place `target[index]` of a map place. */
  protected indexPlace(p: Extract<Val, { r: 'place' }>, index: A.Expr, span: A.Span): { sh: Shape; off: string } {
    if (p.sh.k !== 'map') this.fail('indexing a value that is not a map is not supported by the packed engine', span);
    const kd = p.sh.keyDom;
    const kc = this.toCode(this.expr(index, kd), kd, index.span);
    const code = isSimple(kc) ? kc : this.once(kc);
    return { sh: p.sh.val, off: addS(p.off, mul(code, p.sh.val.width)) };
  }

  protected fieldPlace(p: Extract<Val, { r: 'place' }>, i: number): { sh: Shape; off: string } {
    const sh = p.sh as Extract<Shape, { k: 'tuple' | 'record' }>;
    return { sh: sh.items[i]!, off: add(p.off, sh.offsets[i]!) };
  }

  protected defDepth = 0;
  /** Definition calls written out so far (expressions.ts, defCall). */
  protected inlinedCalls = 0;
  /** The domains of each definition's parameters (undefined: not finite). */
  protected readonly paramDoms = new Map<string, (Dom | undefined)[]>();
  /**
   * The tables of codes in canonical order, for the domains whose codes are not in that order
   * (canonicalCodes: sets of 3 or more possible elements). Generated code reads `OR[i]`.
   */
  readonly orders: number[][] = [];
  protected readonly orderIds = new Map<string, number>();
}
