/**
 * The packed engine: a second back end for specs whose state fits a fixed-width vector of
 * small integers. Every action, the init and every invariant become generated JavaScript over
 * plain number arrays (see codegen.ts); states are one integer code per slot (dom.ts).
 *
 * It emits exactly what the generic engine (compile.ts) emits, in the same order, with the
 * same labels. Whatever it cannot handle it rejects with a reason, and the caller falls back
 * to the generic engine. A run-time problem in generated code (division by zero, a value
 * outside its range, a failed assert, ...) is never reported by the packed engine itself: it
 * decodes the state and runs the generic engine on it, which throws the genuine ModelError.
 */
import type { CheckedProcess, CheckedSpec } from '../check.js';
import { DONE } from '../process-shape.js';
import type * as A from '../ast.js';
import { Compiler, TERMINATING, type CompiledSpec, type Label, type State } from '../compile.js';
import { initialValues, procedureLabel } from '../process.js';
import { levelArray, levelArrayType, type Invariant, type LevelArray, type TransitionSystem, type VectorNumbers } from '../../explore/system.js';
import { stepFingerprint, vectorFingerprint, sortedElements, type ISet, type Value } from '../../values/index.js';
import { expandTree } from '../compile-temporal.js';
import { FormulaTooLarge } from '../../explore/ltl.js';
import { StepCounters, coverageSites, labelSiteOf } from '../coverage.js';
import { CodeGen, lit, type Val, type InstanceLayout, type ProcessLayout, type StepContext, type VarLayout } from './codegen.js';
import { procedureDepths, stackLayout, pcNamesOf, endNamesOf, type StackLayout } from './stack.js';
import { Doms, MAX_WIDTH, Unsupported, seqAt, seqBase, seqLen, type Dom } from './dom.js';
import { MAX_ENUMERATION } from '../diagnostics.js';
import { cachedFunction, INTERPRETED_PREFIX } from '../../engine/code-cache.js';
import { evalWork } from '../work.js';

/**
 * The packed engine as a transition system over vectors of numbers. Its steps emit one working
 * array; the copies `copyState` makes to keep are typed-array views (keptCopies),
 * typed here as the arrays they stand in for: read a packed state only by index and length.
 */
export interface PackedSpec extends TransitionSystem<number[], Label> {
  /** Integers per state. */
  readonly width: number;
  /** The generated JavaScript (for tests, and for reading what a spec compiles to). */
  readonly source: string;
  /**
   * Characters of the longest function of `source`, about: what V8 compiles at once when the
   * function is first called (`--engine auto`'s pilot looks at it).
   */
  readonly largestFunction: number;
  /** A generic state as a vector. */
  encode(state: State): number[];
  /** A vector as a generic state (values equal to those compileSpec produces). */
  decode(vec: readonly number[]): State;
  /**
   * The state predicates of the temporal properties, in the order src/engine/temporal.ts
   * records them: per instance of `generic.properties`, P, then Q for `~>`. Undefined when
   * one of them uses something the packed engine does not support (`predicatesReason` says
   * what): temporal checks then run on the generic engine.
   */
  readonly predicates?: readonly ((vec: number[]) => boolean)[];
  readonly predicatesReason?: string;
  /**
   * The invariants and state constraints the code generator cannot encode, each with why
   * (`reason`: `invariant 'Inv': ...`): the generic engine evaluates them on the decoded state.
   */
  readonly onGeneric: readonly OnGeneric[];
  /** The step counters (src/lang/coverage.ts) the generated code marks and, with coverage, counts. */
  readonly coverage: StepCounters;
}

/**
 * Thrown when generated code stopped on something the generic engine does not find wrong: a
 * value the packed encoding cannot hold (an Int set element outside the range its bitmask
 * covers, say). The run is then redone on the generic engine (src/engine/run.ts), so the
 * answer is the generic engine's either way.
 */
export class PackedGaveUp extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PackedGaveUp';
  }
}

/** A state predicate of a packed system that the generic engine evaluates (PackedSpec.onGeneric). */
export interface OnGeneric {
  readonly kind: 'invariant' | 'constraint';
  readonly name: string;
  readonly reason: string;
}

export type PackedResult = { ok: true; system: PackedSpec } | { ok: false; reason: string; span?: A.Span };

/** Thrown by generated code on any run-time problem; never escapes this module. */
const BAIL: { readonly bail: true } = Object.freeze({ bail: true });


/**
 * The width from which the generated succAt copies a state out of its level with a view and one
 * `set` (some 30 ns, then a memory copy) rather than a loop (0.5 ns a slot).
 */
const WIDE_COPY = 64;
/** The most labels one action may have (one per binding of its parameters). */
const MAX_LABELS = 1 << 20;
/** The most characters of generated source. */
const MAX_SOURCE = 4_000_000;
/**
 * How much of its code (characters of source) a generated function runs at a call from which
 * it runs on V8's interpreter alone (`declare`; docs/engine.md, "Huge steps"). Per statement of
 * unrolled element assignments, baseline / interpreter: 98 KB of source, too large for TurboFan
 * to optimise, 124 / 121 ns; 149 KB 251 / 115 ns; 2.3 MB 382 / 159 ns.
 */
const INTERPRETED_CHARS = 128 * 1024;

/**
 * A generated function's declaration: one that runs INTERPRETED_CHARS characters of its code or
 * more at a call (`run`: all of it, but for a process's step, which runs one case of its
 * `switch`) is named with INTERPRETED_PREFIX, which keeps V8's baseline compiler off it, and
 * given its name as a constant as well. A `switch` of many small cases is the other way round:
 * V8 compares the cases one by one, a hot chain that its baseline code runs twice as fast
 * (1,000 cases of 10 statements, 577 KB: 4.3 µs a call against 8.5).
 */
function declare(name: string, params: string, body: string, run = body.length): string {
  const rest = `(${params}) {\n${body}\n}`;
  return run < INTERPRETED_CHARS ? `function ${name}${rest}` : `function ${INTERPRETED_PREFIX}${name}${rest}\nconst ${name} = ${INTERPRETED_PREFIX}${name};`;
}

/**
 * The width from which successors are fingerprinted from the slots their step wrote
 * (stepFingerprint, CodeGen.recordWrites) rather than in full: a store more a write, against
 * the whole state read at each emission.
 */
const STEP_FINGERPRINT_SLOTS = 1024;
/** The most writes recorded on the way to one emission; past them, it is fingerprinted in full. */
const MAX_RECORDED_WRITES = 4096;
/** The fewest characters of an emission in generated source (`RS[0] = 1;\nemit(s, L0(0));`, 26). */
const MIN_EMISSION = 26;

/** The helpers generated code calls; each throws BAIL where the generic engine would fail. */
const helpers = {
  BAIL,
  /** The work count of the evaluation under way and its budget (src/lang/work.ts). */
  WK: evalWork,
  bail(): never {
    throw BAIL;
  },
  /** The code of v in lo..hi. */
  rc(v: number, lo: number, hi: number): number {
    if (v < lo || v > hi) throw BAIL;
    return v - lo;
  },
  ck(n: number): number {
    if (!Number.isSafeInteger(n)) throw BAIL;
    return n;
  },
  ck0(n: number): number {
    if (!Number.isSafeInteger(n)) throw BAIL;
    return n || 0;
  },
  dv(a: number, b: number): number {
    if (b === 0) throw BAIL;
    return Math.floor(a / b) || 0;
  },
  md(a: number, b: number): number {
    if (b === 0) throw BAIL;
    return a - b * Math.floor(a / b) || 0;
  },
  /** A slot read in init: it must have a value (not NaN). */
  un(x: number): number {
    if (x !== x) throw BAIL;
    return x;
  },
  /**
   * A copy of an initial state of a layout with an unbounded Int, built as an array of small
   * integers like every other state of it (the other layouts' are typed arrays, see build).
   * The initial vectors are arrays of doubles (unset slots are NaN), whose numbers V8 reads as
   * doubles: pushed as they are, they made the copy an array of doubles too. The generated
   * functions, called with it and with the working array, then turned the working array into
   * one of doubles at their first optimised run (so that they handle one kind of array), and
   * the explorer's copy of each new state out of it took seven times as long: `x | 0` is a
   * small integer.
   */
  copy(s: readonly number[]): number[] {
    const out: number[] = [];
    for (let i = 0; i < s.length; i++) {
      const x = s[i]!;
      out.push((x | 0) === x ? x | 0 : x);
    }
    return out;
  },
  pop(m: number): number {
    let n = 0;
    for (; m !== 0; m &= m - 1) n++;
    return n;
  },
  /** A mask over lo1..hi1 moved to a domain starting d lower, of n elements. */
  shm(m: number, d: number, n: number): number {
    let r: number;
    if (d >= 0) r = m * 2 ** d;
    else {
      const k = -d;
      if (k >= 31 ? m !== 0 : (m & ((1 << k) - 1)) !== 0) throw BAIL;
      r = k >= 31 ? 0 : m >>> k;
    }
    if (r >= 2 ** n) throw BAIL;
    return r;
  },
  /** The mask of lo..hi over a domain starting at ulo, of n elements. */
  rng(lo: number, hi: number, ulo: number, n: number): number {
    if (hi - lo + 1 > MAX_ENUMERATION) throw BAIL;
    let m = 0;
    for (let x = lo; x <= hi; x++) {
      const c = x - ulo;
      if (c < 0 || c >= n) throw BAIL;
      m |= 1 << c;
    }
    return m;
  },
  // Sequences (dom.ts): the code c of a sequence over k values.
  sqLen: seqLen,
  sqB: seqBase,
  /** head(): the first element's code. */
  sqHd(c: number, k: number): number {
    if (seqLen(c, k) === 0) throw BAIL;
    return Math.floor((c - seqAt.base) / (seqAt.pow / k));
  },
  /** tail(): all but the first element. */
  sqTl(c: number, k: number): number {
    if (seqLen(c, k) === 0) throw BAIL;
    const p = seqAt.pow / k;
    return seqAt.base - p + ((c - seqAt.base) % p);
  },
  /** append(): a sequence longer than max is beyond the domain (the packed system gives up). */
  sqAp(c: number, x: number, k: number, max: number): number {
    if (seqLen(c, k) >= max) throw BAIL;
    return seqAt.base + seqAt.pow + (c - seqAt.base) * k + x;
  },
  sqCat(a: number, b: number, k: number, max: number): number {
    const na = seqLen(a, k);
    const ra = a - seqAt.base;
    const nb = seqLen(b, k);
    if (na + nb > max) throw BAIL;
    return seqBase(k, na + nb) + ra * seqAt.pow + (b - seqAt.base);
  },
  /** s[i]: the element's code. */
  sqAt(c: number, i: number, k: number): number {
    const n = seqLen(c, k);
    if (i < 0 || i >= n) throw BAIL;
    return Math.floor((c - seqAt.base) / k ** (n - 1 - i)) % k;
  },
  /** s with [i] = x. */
  sqSet(c: number, i: number, x: number, k: number): number {
    const n = seqLen(c, k);
    if (i < 0 || i >= n) throw BAIL;
    const p = k ** (n - 1 - i);
    return c + (x - (Math.floor((c - seqAt.base) / p) % k)) * p;
  },
  /** slice(s, i, j): the elements at i <= x < j. */
  sqSlc(c: number, i: number, j: number, k: number): number {
    const n = seqLen(c, k);
    if (!(0 <= i && i <= j && j <= n)) throw BAIL;
    const r = Math.floor((c - seqAt.base) / k ** (n - j)) % k ** (j - i);
    return seqBase(k, j - i) + r;
  },
  /** insertAt(s, i, x): x before index i; longer than max is beyond the domain. */
  sqIns(c: number, i: number, x: number, k: number, max: number): number {
    const n = seqLen(c, k);
    if (!(0 <= i && i <= n) || n >= max) throw BAIL;
    const p = k ** (n - i);
    const r = c - seqAt.base;
    return seqBase(k, n + 1) + (Math.floor(r / p) * k + x) * p + (r % p);
  },
  /** removeAt(s, i): without the element at index i. */
  sqRem(c: number, i: number, k: number): number {
    const n = seqLen(c, k);
    if (!(0 <= i && i < n)) throw BAIL;
    const p = k ** (n - 1 - i);
    const r = c - seqAt.base;
    return seqBase(k, n - 1) + Math.floor(r / (p * k)) * p + (r % p);
  },
  /** The last element's code (a call stack's top frame). */
  sqTop(c: number, k: number): number {
    if (seqLen(c, k) === 0) throw BAIL;
    return (c - seqAt.base) % k;
  },
  /** All but the last element (a call stack without its top frame). */
  sqPop(c: number, k: number): number {
    const n = seqLen(c, k);
    if (n === 0) throw BAIL;
    return seqBase(k, n - 1) + Math.floor((c - seqAt.base) / k);
  },
  eqs(s: number[], a: number, b: number, w: number): boolean {
    for (let i = 0; i < w; i++) if (s[a + i] !== s[b + i]) return false;
    return true;
  },
};

interface Generated {
  init(emit: (s: number[], l: Label) => void): void;
  succ(st: readonly number[], emit: (s: number[], l: Label) => void): void;
  /** As succ, for the state at lv[b .. b + width). */
  succAt(lv: LevelArray, b: number, emit: (s: number[], l: Label) => void): void;
  /** The working array: after succ or succAt returns, the state expanded (every step restores it). */
  s: number[];
  /** The invariants; null where the generic engine evaluates one (onGeneric). */
  inv: (((s: readonly number[]) => boolean) | null)[];
  /** The state constraints, in the generic engine's order; null as in inv. */
  cons: (((s: readonly number[]) => boolean) | null)[];
  /** The temporal properties' predicates (empty when they are not compiled). */
  tp: ((s: readonly number[]) => boolean)[];
  /** With recordWrites: the slots written on the way to the emission under way, and how many (past D's length only counted). */
  D?: Int32Array;
  dn?: () => number;
}

/**
 * Compiles a checked spec, with the constants of `overrides`, to a packed transition system,
 * or says why it cannot. `generic` is compileSpec(spec, overrides): the packed system decodes
 * states with its tables and asks it for the genuine error whenever generated code fails.
 */
export function compilePacked(
  spec: CheckedSpec,
  overrides: ReadonlyMap<number, A.Expr>,
  generic: CompiledSpec,
  opts: { readonly coverage?: boolean; readonly reached?: Uint8Array; readonly stepFingerprintSlots?: number } = {},
): PackedResult {
  try {
    return { ok: true, system: build(spec, overrides, generic, opts.coverage === true, opts.reached, opts.stepFingerprintSlots ?? STEP_FINGERPRINT_SLOTS) };
  } catch (err) {
    if (err instanceof Unsupported) return err.span ? { ok: false, reason: err.message, span: err.span } : { ok: false, reason: err.message };
    // The code generator recurses on expressions; a spec nested deeper than its stack allows
    // (within MAX_NESTING, which the generic engine handles) runs on the generic engine.
    if (err instanceof RangeError && /call stack/.test(err.message)) {
      return { ok: false, reason: 'an expression is nested too deeply for the packed engine', span: spec.ast.name.span };
    }
    // Generated code beyond what a string holds (the emission count above should stop it first).
    if (err instanceof RangeError && /string length/.test(err.message)) {
      return { ok: false, reason: 'the spec generates too much code for the packed engine', span: spec.ast.name.span };
    }
    throw err;
  }
}

function build(spec: CheckedSpec, overrides: ReadonlyMap<number, A.Expr>, generic: CompiledSpec, counting: boolean, reached: Uint8Array | undefined, stepSlots: number): PackedSpec {
  // Action constraints and step properties are evaluated by the generic engine only; `--engine
  // auto` runs such a configuration there. State constraints are compiled as invariants are.
  const actionConstraint = generic.constraints.find((c) => c.action);
  if (actionConstraint !== undefined) throw new Unsupported('action constraints are not supported by the packed engine', actionConstraint.decl.expr.span);
  if (generic.stepProperties.length > 0) throw new Unsupported('step properties are not supported by the packed engine', spec.ast.name.span);
  // The constants as the generic engine evaluated them, with the same overrides.
  const cc = new Compiler(spec, overrides, generic.constValues.map((c) => c.value));
  const doms = new Doms(cc, generic.valueTables);

  // ---- layout
  const vars: VarLayout[] = [];
  let width = 0;
  for (const v of spec.vars) {
    let shape;
    try {
      shape = doms.shape(v.type);
    } catch (err) {
      if (err instanceof Unsupported) throw new Unsupported(`state variable '${v.name}': ${err.message}`, v.decl.span);
      throw err;
    }
    vars.push({ name: v.name, shape, offset: width });
    width += shape.width;
    if (width > MAX_WIDTH) throw new Unsupported(`the state needs more than ${MAX_WIDTH} slots`, v.decl.span);
  }
  const nVars = vars.length;

  // A call stack is one slot, a sequence of frames (procedures.ts): the call graph must not be
  // recursive, so that the stack's depth is bounded statically.
  const depths = procedureDepths(spec);

  // ---- process instances: per process in order, per instance in the canonical order of its
  // parameter's domain, the pc (the code of its label, `done` last) and then its variables, as
  // in the generic state (compile.ts, process.ts).
  interface Instance {
    readonly proc: CheckedProcess;
    readonly layout: InstanceLayout;
    readonly param: Value | undefined;
    readonly labels: Label[];
    /** The initial values of each of its variables (several for `var x: T in S`). */
    readonly locals: Value[][];
    /** Its call stack (a process that calls procedures). */
    readonly stack?: StackLayout;
  }
  const instances: Instance[] = [];
  const procLayouts = new Map<object, ProcessLayout>();
  for (const p of spec.processes) {
    const where = (err: unknown): unknown =>
      err instanceof Unsupported ? new Unsupported(`process '${p.name}': ${err.message}`, err.span ?? p.decl.span) : err;
    let paramDom: Dom | undefined;
    let values: (Value | undefined)[] = [undefined];
    try {
      if (p.param) {
        paramDom = doms.of(p.param.type);
        values = p.param.domain.k === 'type' ? cc.valuesOf(p.param.domain.type) : [...sortedElements(cc.constValue(p.param.domain.expr) as ISet<Value>)];
      }
    } catch (err) {
      throw where(err);
    }
    const layouts: InstanceLayout[] = [];
    let stack: StackLayout | undefined;
    for (const value of values) {
      const base = vars.length;
      const pcSlot = generic.processSlots[base - nVars];
      if (!pcSlot) throw new Error('internal error: process slots out of step with the generic engine');
      const paramCode = value === undefined ? undefined : doms.encode(paramDom!, value);
      if (paramCode !== undefined && paramCode < 0) throw new Unsupported(`process '${p.name}': an instance has no packed encoding`, p.decl.span);
      const layout: InstanceLayout = { base, pcOff: width, paramCode };
      layouts.push(layout);
      const loc = new Array<Value>(Math.max(1, p.initFrameSize));
      if (value !== undefined) loc[0] = value;
      const locals: Value[][] = [];
      try {
        vars.push({ name: pcSlot.name, shape: doms.shape(pcSlot.type), offset: width });
        width += 1;
        p.locals.forEach((l, li) => {
          const slot = generic.processSlots[base - nVars + 1 + li]!;
          const shape = doms.shape(slot.type);
          vars.push({ name: slot.name, shape, offset: width });
          width += shape.width;
          locals.push(initialValues(cc, l.decl, loc));
        });
        if (p.procedures.length > 0) {
          // The call stack, after the variables, as the generic state has it.
          const slot = generic.processSlots[base - nVars + 1 + p.locals.length]!;
          let shape;
          try {
            shape = doms.shape(slot.type);
          } catch (err) {
            if (err instanceof Unsupported) throw new Unsupported(`the frames of its call stack (procedures ${p.procedures.map((q) => `'${q.name}'`).join(', ')}): ${err.message}`, p.procedures[0]!.decl.name.span);
            throw err;
          }
          if (shape.k !== 'leaf' || shape.dom.k !== 'seq') throw new Error('internal error: a call stack that is not a sequence');
          stack ??= stackLayout(p, shape.dom, depths, width);
          stack = { ...stack, off: width };
          vars.push({ name: slot.name, shape, offset: width });
          width += 1;
        }
      } catch (err) {
        throw where(err);
      }
      if (width > MAX_WIDTH) throw new Unsupported(`the state needs more than ${MAX_WIDTH} slots`, p.decl.span);
      const params = p.param && value !== undefined ? [{ name: p.param.name, value }] : [];
      instances.push({ proc: p, layout, param: value, labels: pcNamesOf(p).map((at) => ({ action: p.name, params, at })), locals, ...(stack ? { stack } : {}) });
    }
    procLayouts.set(p, { paramDom, instances: layouts });
  }
  if (vars.length !== nVars + generic.processSlots.length) throw new Error('internal error: process slots out of step with the generic engine');
  // A variable of a type without values (a range lo..hi with lo > hi): no state can be encoded;
  // on the generic engine, the assignment that gives it a value fails (E703).
  // The sizes of every slot at once (also the working array's type, below): a variable's own,
  // computed for each, made an array as wide as the slots up to it each time (n² for the
  // slots of n process instances).
  const sizes = slotSizes(vars, width);
  const empty = vars.find((v) => {
    for (let i = v.offset; i < v.offset + v.shape.width; i++) if (sizes[i] === 0) return true;
    return false;
  });
  if (empty !== undefined) throw new Unsupported(`the type of '${empty.name}' has no values`, spec.ast.name.span);

  const initVec: number[] = [];
  // Slots init has not assigned yet hold NaN: no code is NaN.
  for (let i = 0; i < width; i++) initVec.push(NaN);
  spec.vars.forEach((v, i) => {
    if (!v.decl.init) return;
    const value = cc.constValue(v.decl.init);
    if (!doms.encodeShape(vars[i]!.shape, value, initVec, vars[i]!.offset)) {
      throw new Unsupported(`the initial value of '${v.name}' has no packed encoding`, v.decl.init.span);
    }
  });
  // One initial vector per combination of the process variables' initial choices, in the
  // generic engine's order (Processes.initialCombinations: the last slot varying fastest).
  let initVecs: number[][] = [initVec];
  for (const inst of instances) {
    for (const v of initVecs) v[inst.layout.pcOff] = 0;
    // An empty call stack: the sequence code 0.
    if (inst.stack) for (const v of initVecs) v[inst.stack.off] = 0;
    inst.locals.forEach((choices, li) => {
      const vl = vars[inst.layout.base + 1 + li]!;
      const encode = (value: Value, v: number[]): void => {
        if (!doms.encodeShape(vl.shape, value, v, vl.offset)) {
          throw new Unsupported(`the initial value of '${vl.name}' has no packed encoding`, inst.proc.locals[li]!.decl.init!.span);
        }
      };
      // A local of one initial value is written into each vector where it is (each is its
      // own), as the pc is: copying every vector for each local made the initial states of n
      // instances cost n² slots (10,000 instances of two locals: 24 s, most of it the kernel's).
      if (choices.length === 1) {
        for (const v of initVecs) encode(choices[0]!, v);
        return;
      }
      const next: number[][] = [];
      for (const prefix of initVecs) {
        for (const value of choices) {
          const v = prefix.slice();
          encode(value, v);
          next.push(v);
        }
      }
      initVecs = next;
    });
  }

  const gen = new CodeGen(spec, cc, doms, vars, procLayouts);
  // A wide state: its steps record the slots they write, and successors are fingerprinted
  // from them (stepFingerprint).
  const stepped = width >= stepSlots;
  gen.recordWrites = stepped;
  const labelTables: (Label | null)[][] = [];
  /** Per action, the label of a binding by its index, made once (see the label tables below). */
  const labelMakers: ((idx: number) => Label)[] = [];
  const parts: string[] = [];
  // Step counters (src/lang/coverage.ts): each step marks RS[site] when it emits, always (W100);
  // the counting code of --coverage is generated only when asked. The rows of the counters
  // are made here, one per label of the label tables, so generated code only indexes them.
  const counters = new StepCounters(coverageSites(spec), counting, reached);
  if (counting) gen.guardSites = counters.sites.guardOf;
  /** The emission of a step: marks its site, counts it in its row (counting), emits. */
  let emissions = 0;
  const emitCode = (site: number, row: string | undefined, label: string): string => {
    // Each emission is at least MIN_EMISSION characters, so past this count the source is
    // beyond MAX_SOURCE: refused now, before it is built (a string of that size takes minutes
    // and gigabytes, or exceeds what V8 can hold). Branchings share the rest of their step
    // (CodeGen's joins), so it takes many steps: thousands of process instances, say.
    if (++emissions > MAX_SOURCE / MIN_EMISSION) throw new Unsupported('the spec generates too much code for the packed engine');
    return row === undefined ? `RS[${lit(site)}] = 1;\nemit(s, ${label});` : `RS[${lit(site)}] = 1;\nK.taken[${row}]++;\nK.last = ${row};\nemit(s, ${label});`;
  };
  /** A step's code for one binding, counting states and enabled around it. */
  const countAround = (row: string, code: string): string =>
    `{\nconst r_ = ${row};\nK.states[r_]++;\nconst t_ = K.taken[r_];\n${code}\nif (K.taken[r_] !== t_) K.enabled[r_]++;\n}`;

  // ---- actions
  spec.actions.forEach((a, ai) => {
    const pdoms: Dom[] = a.params.map((p) => {
      try {
        return p.domain.k === 'type' ? doms.of(p.domain.type) : gen.setElemDom(p.domain.expr);
      } catch (err) {
        if (err instanceof Unsupported) throw new Unsupported(`action '${a.name}', parameter '${p.name}': ${err.message}`, err.span ?? a.decl.span);
        throw err;
      }
    });
    const strides: number[] = new Array<number>(pdoms.length);
    let count = 1;
    for (let i = pdoms.length - 1; i >= 0; i--) {
      strides[i] = count;
      count *= pdoms[i]!.size;
      if (!(count <= MAX_LABELS)) throw new Unsupported(`action '${a.name}' has too many parameter bindings for the packed engine`, a.decl.span);
    }
    // One label per binding, made the first time the binding emits a state (labelOf) and kept:
    // emitting a state allocates nothing else. Made up front, the labels of an action over
    // 13,341 pages and 3 memcgs (and the four others over the pages) were 93,000 objects a
    // check, most of them never emitted, and 0.35 s of compiling and its collections.
    const table: (Label | null)[] = new Array<Label | null>(count).fill(null);
    const labelOf = (idx: number): Label =>
      (table[idx] ??= {
        action: a.name,
        params: a.params.map((p, i) => ({ name: p.name, value: doms.decode(pdoms[i]!, Math.floor(idx / strides[i]!) % pdoms[i]!.size) as Value })),
      });
    labelTables.push(table);
    labelMakers.push(labelOf);
    const site = counters.sites.actionSite[ai]!;
    let rowBase = -1;
    if (counting) {
      rowBase = counters.rowSite.length;
      for (let idx = 0; idx < count; idx++) {
        if (counters.row(site, labelOf(idx).params) !== rowBase + idx) throw new Error('internal error: coverage rows out of step with the label table');
      }
    }
    const codes: string[] = [];
    const body = (i: number): string => {
      if (i === a.params.length) {
        const idx = codes.map((c, j) => (strides[j] === 1 ? c : `${c} * ${lit(strides[j]!)}`)).join(' + ') || '0';
        if (!counting) return gen.stmts(a.decl.body.slice(), 0, () => emitCode(site, undefined, `L${ai}(${idx})`));
        const row = idx === '0' ? lit(rowBase) : `${lit(rowBase)} + ${idx}`;
        return countAround(row, gen.stmts(a.decl.body.slice(), 0, () => emitCode(site, 'r_', `L${ai}(${idx})`)));
      }
      const p = a.params[i]!;
      const d = pdoms[i]!;
      if (p.domain.k === 'type') {
        const pc = gen.fresh('pc');
        const decl = a.decl.params[i]!;
        const head = gen.codeLoop(d, decl.kind === 'typed' ? decl.type.span : a.decl.span, pc);
        codes.push(pc);
        gen.setLocal(i, gen.valOfCode(d, pc));
        const inner = body(i + 1);
        codes.pop();
        return `${head}\n${inner}\n}`;
      }
      const domain = p.domain.expr;
      const [pre, loop] = gen.capture(() =>
        gen.iterate(domain, d, (val, code) => {
          const pc = gen.fresh('pc');
          codes.push(pc);
          gen.setLocal(i, val);
          const inner = body(i + 1);
          codes.pop();
          return `const ${pc} = ${code};\n${inner}`;
        }),
      );
      return `${pre}\n${loop}`;
    };
    let src: string;
    try {
      src = body(0);
    } catch (err) {
      if (err instanceof Unsupported) throw new Unsupported(`action '${a.name}': ${err.message}`, err.span ?? a.decl.span);
      throw err;
    }
    parts.push(`const LB${ai} = LB[${lit(ai)}];\nconst LM${ai} = LM[${lit(ai)}];\nfunction L${ai}(k) {\nreturn LB${ai}[k] ?? LM${ai}(k);\n}\n${declare(`A${ai}`, 's, emit', src)}`);
  });

  // ---- process steps: per instance, the step its pc is at
  const procLabels: Label[][] = [];
  const procNames: string[] = [];
  instances.forEach((inst, k) => {
    const p = inst.proc;
    // The pc's codes: the labels, `done`, then the labels of the procedures it may call.
    const labels = pcNamesOf(p);
    let current = 0;
    const sites = labels.map((l) => (l === DONE ? -1 : labelSiteOf(counters.sites, p.name, l)));
    const rows = counting ? labels.map((l, li) => (l === DONE ? -1 : counters.row(sites[li]!, inst.labels[li]!.params, l.includes('.') ? p.name : undefined))) : [];
    const finish = (): string => emitCode(sites[current]!, counting ? 'r_' : undefined, `LP${k}[${lit(current)}]`);
    const own: StepContext = { inst: inst.layout, labels, finish, ...(inst.stack ? { stack: inst.stack } : {}) };
    const steps = new Map<string, { step: () => string; ctx: StepContext }>();
    const cases: string[] = [];
    try {
      gen.proc = own;
      gen.collectSteps(p.decl.body, gen.ending(() => gen.endAt(DONE), { label: DONE }), (label, step) => steps.set(label, { step, ctx: own }));
      // Running off the end of a procedure's body returns.
      for (const q of p.procedures) {
        const qualify = (l: string): string => procedureLabel(q, l);
        const ctx: StepContext = { ...own, qualify, procedure: q };
        gen.proc = ctx;
        gen.collectSteps(q.decl.body, gen.ending(() => gen.returnStmt(q.decl.span), 'return'), (label, step) => steps.set(qualify(label), { step, ctx }));
      }
      labels.forEach((label, li) => {
        if (label === DONE) return;
        const at = steps.get(label);
        if (!at) throw new Error(`internal error: no step at label '${label}'`);
        current = li;
        gen.proc = at.ctx;
        gen.clearLocals();
        const pd = procLayouts.get(p)!.paramDom;
        if (pd && at.ctx.procedure === undefined) gen.setLocal(0, gen.valOfCode(pd, lit(inst.layout.paramCode!)));
        cases.push(`case ${lit(li)}: {\n${counting ? countAround(lit(rows[li]!), at.step()) : at.step()}\nbreak;\n}`);
      });
    } catch (err) {
      if (err instanceof Unsupported) throw new Unsupported(`process '${p.name}': ${err.message}`, err.span ?? p.decl.span);
      throw err;
    } finally {
      gen.proc = undefined;
      gen.clearLocals();
    }
    procLabels.push(inst.labels);
    procNames.push(`P${k}`);
    const longest = cases.reduce((n, c) => Math.max(n, c.length), 0);
    parts.push(`const LP${k} = LP[${lit(k)}];\n${declare(`P${k}`, 's, emit', `switch (s[${lit(inst.layout.pcOff)}]) {\n${cases.join('\n')}\n}`, longest)}`);
  });

  // ---- init
  gen.initMode = true;
  let initSrc: string;
  try {
    const firsts = vars.slice(0, nVars).map((v) => `s[${lit(v.offset)}] !== s[${lit(v.offset)}]`).join(' || ') || 'false';
    initSrc = gen.stmts(spec.init.stmts, 0, () => `if (${firsts}) bail();\nemit(copy(s), IL);`);
  } catch (err) {
    if (err instanceof Unsupported) throw new Unsupported(`init: ${err.message}`, err.span);
    throw err;
  }
  gen.initMode = false;
  // `var x: T in S`: as the generic engine, one loop per such variable in declaration order
  // (the first outermost) over the encoded elements of S in canonical order; each combination
  // starts from a fresh copy of the initial vector.
  const choices: number[][][] = [];
  const heads: string[] = [];
  const writes: string[] = [];
  spec.vars.forEach((v, i) => {
    if (!v.decl.initIn) return;
    const vl = vars[i]!;
    const encoded = sortedElements(cc.constValue(v.decl.initIn) as ISet<Value>).map((x) => {
      const out = new Array<number>(width).fill(NaN);
      if (!doms.encodeShape(vl.shape, x, out, vl.offset)) throw new Unsupported(`an initial value of '${v.name}' has no packed encoding`, v.decl.initIn!.span);
      return out.slice(vl.offset, vl.offset + vl.shape.width);
    });
    const k = choices.length;
    choices.push(encoded);
    heads.push(`for (const c${k} of CH[${lit(k)}]) {`);
    for (let w = 0; w < vl.shape.width; w++) writes.push(`s[${lit(vl.offset + w)}] = c${k}[${lit(w)}];`);
  });
  // The process variables' combinations (INIT, one vector each) vary fastest, as in the generic engine.
  parts.push(
    `${declare('init1', 's, emit', initSrc)}\nfunction init(emit) {\n${heads.join('\n')}\n` +
      `for (const I of INIT) {\nconst s = I.slice();\n${writes.join('\n')}\ninit1(s, emit);\n}\n${heads.map(() => '}').join('\n')}\n}`,
  );

  // ---- invariants and state constraints (`inModel`): a function of the state each, named
  // `fname`. One the code generator cannot encode is left to the generic engine, which
  // evaluates it on the decoded state (`null` in the generated list, its reason in
  // `onGeneric`): one predicate does not send every step of the search there.
  const onGeneric: OnGeneric[] = [];
  const statePredicate = (fname: string, expr: A.Expr, kind: OnGeneric['kind'], name: string): string => {
    const what = `${kind} '${name}'`;
    let src: string;
    try {
      const [pre, v] = gen.scoped(() => gen.capture(() => gen.bool(expr)));
      src = `${pre}\nreturn ${v};`;
    } catch (err) {
      if (!(err instanceof Unsupported)) throw err;
      onGeneric.push({ kind, name, reason: `${what}: ${err.message}` });
      return 'null';
    }
    parts.push(declare(fname, 's', src));
    return fname;
  };
  const invNames = spec.invariants.map((inv, ii) => statePredicate(`I${ii}`, inv.expr, 'invariant', inv.name));
  const consNames = generic.constraints.map((c, ci) => statePredicate(`C${ci}`, c.decl.expr, 'constraint', c.name));

  // ---- temporal properties' predicates: one instance per binding of the property's binders
  // (constant domains, in canonical order, as compile-temporal.ts), the bound values constants.
  // Unsupported here leaves the predicates out, not the whole system: safety checks still
  // run packed.
  const tpParts: string[] = [];
  const tpNames: string[] = [];
  let predicatesReason: string | undefined;
  try {
    for (const prop of spec.properties) {
      const f = prop.decl.formula;
      const preds = f.kind === 'general' ? [] : f.kind === 'leadsTo' ? [f.left, f.right] : [f.body];
      const doms_ = prop.binders.map((b) => {
        try {
          return gen.setElemDom(b.domain);
        } catch (err) {
          if (err instanceof Unsupported) throw new Unsupported(`property '${prop.name}', '${b.name}': ${err.message}`, err.span ?? b.domain.span);
          throw err;
        }
      });
      /** Generates predicate `e` as function T<n> over the locals bound now; returns n. */
      const predicate = (e: A.Expr): number => {
        let src: string;
        try {
          const [pre, v] = gen.capture(() => gen.bool(e));
          src = `${pre}\nreturn ${v};`;
        } catch (err) {
          if (err instanceof Unsupported) throw new Unsupported(`property '${prop.name}': ${err.message}`, err.span);
          throw err;
        }
        const name = `T${tpNames.length}`;
        tpNames.push(name);
        tpParts.push(declare(name, 's', src));
        return tpNames.length - 1;
      };
      // A general formula: its atoms in expandTree's order, each with the values bound around it.
      const slotDoms = new Map<number, Dom>(prop.binders.map((b, j) => [b.slot, doms_[j]!]));
      const general = (t: A.TemporalTree, loc: Value[], bound: Val[]): void => {
        const visit = (t: A.TemporalTree): void => {
          if (t.kind === 'forall' || t.kind === 'exists') {
            for (const b of t.binders) slotDoms.set(spec.slots.get(b)!, gen.setElemDom(b.domain));
            visit(t.body);
          } else if (t.kind === 'always' || t.kind === 'eventually' || t.kind === 'not') visit(t.body);
          else if (t.kind === 'and' || t.kind === 'or' || t.kind === 'implies' || t.kind === 'leadsTo') {
            visit(t.left);
            visit(t.right);
          }
        };
        visit(t);
        const outer = prop.binders.map((b, j) => ({ slot: b.slot, value: loc[b.slot]!, name: b.name, val: bound[j]! }));
        try {
          expandTree(
            t,
            outer,
            spec.slots,
            (e, b) => {
              gen.clearLocals();
              for (const x of b) gen.setLocal(x.slot, constantVal(doms, slotDoms.get(x.slot)!, x.value, prop.name, e.span));
              const index = predicate(e);
              gen.clearLocals();
              return index;
            },
            (d, b) => {
              const here = new Array<Value>(Math.max(1, prop.frameSize));
              for (const x of b) here[x.slot] = x.value;
              return cc.expr(d)({ st: [], loc: here }) as ISet<Value>;
            },
          );
        } catch (err) {
          if (err instanceof FormulaTooLarge) throw new Unsupported(`property '${prop.name}': ${err.message}`, f.span);
          throw err;
        }
      };
      const bindings = (i: number, loc: Value[], bound: Val[]): void => {
        if (i === prop.binders.length) {
          if (f.kind === 'general') {
            general(f.tree, loc, bound);
            return;
          }
          gen.clearLocals();
          prop.binders.forEach((b, j) => gen.setLocal(b.slot, bound[j]!));
          for (const e of preds) predicate(e);
          gen.clearLocals();
          return;
        }
        const b = prop.binders[i]!;
        const d = doms_[i]!;
        const domain = cc.expr(b.domain)({ st: [], loc }) as ISet<Value>;
        for (const v of sortedElements(domain)) {
          const here = loc.slice();
          here[b.slot] = v;
          bindings(i + 1, here, [...bound, constantVal(doms, d, v, prop.name, b.domain.span)]);
        }
      };
      bindings(0, new Array<Value>(Math.max(1, prop.frameSize)), []);
    }
  } catch (err) {
    if (!(err instanceof Unsupported)) throw err;
    gen.clearLocals();
    predicatesReason = err.message;
  }
  if (predicatesReason === undefined && tpNames.length !== generic.properties.reduce((n, p) => n + (p.kind === 'general' ? p.atoms!.length : p.q ? 2 : 1), 0)) {
    throw new Error('internal error: property instances out of step with the generic engine');
  }

  const succ = [...spec.actions.map((_a, ai) => `A${ai}(s, emit);`), ...procNames.map((f) => `${f}(s, emit);`)].join('\n');
  // The working array, and the initial states: a typed array of the narrowest type that holds
  // every code of the layout, as the explorer's levels are (a byte a slot for small codes), so
  // that a state is copied into its level as bytes, and read a byte a slot; with an unbounded
  // Int, an array of small integers (helpers.copy). A byte a slot rather than an array's eight:
  // fuzz mutant 1-2698 (26,685 slots a state, 8 checks of 20,000 states) 12.5 s -> 10.4 s, the
  // memcg models at 5 and 6 pages 5-12 % faster.
  const numbers = numbersOf(sizes);
  const unbounded = numbers === undefined ? unboundedSlots(sizes) : undefined;
  const typed = numbers === undefined ? undefined : levelArrayType(numbers).name;
  const sourceWith = (tp: boolean): string => [
    '"use strict";',
    `const { BAIL, WK, bail, rc, ck, ck0, dv, md, un, ${typed !== undefined ? '' : 'copy, '}pop, shm, rng, eqs, sqLen, sqHd, sqTl, sqAp, sqCat, sqAt, sqSet, sqSlc, sqIns, sqRem, sqB, sqTop, sqPop } = H;`,
    `const W = ${lit(width)};`,
    ...(typed !== undefined ? [`const s = new ${typed}(W);`, `const copy = (a) => ${typed}.from(a);`] : ['const s = [];', 'for (let i = 0; i < W; i++) s.push(0);']),
    // The slots written on the way to an emission (CodeGen.recordWrites).
    ...(stepped ? [`const DC = ${lit(MAX_RECORDED_WRITES)};`, 'const D = new Int32Array(DC);', 'let DN = 0;'] : []),
    ...parts,
    ...(tp ? tpParts : []),
    declare('succ', 'st, emit', `${stepped ? 'DN = 0;\n' : ''}for (let i = 0; i < W; i++) s[i] = st[i];\n${succ}`),
    // A wide state is copied out of its level natively (a view of it, then one `set`).
    declare('succAt', 'lv, b, emit', `${stepped ? 'DN = 0;\n' : ''}${typed !== undefined && width >= WIDE_COPY ? 's.set(lv.subarray(b, b + W));' : 'for (let i = 0; i < W; i++) s[i] = lv[b + i];'}\n${succ}`),
    `return { init, succ, succAt, s, inv: [${invNames.join(', ')}], cons: [${consNames.join(', ')}], tp: [${tp ? tpNames.join(', ') : ''}]${stepped ? ', D, dn: () => DN' : ''} };`,
  ].join('\n');
  let source = sourceWith(predicatesReason === undefined);
  if (source.length > MAX_SOURCE && predicatesReason === undefined) {
    source = sourceWith(false);
    predicatesReason = 'the temporal properties generate too much code for the packed engine';
  }
  if (source.length > MAX_SOURCE) throw new Unsupported('the spec generates too much code for the packed engine', spec.ast.name.span);
  // The longest function of the source (each part holds one, succ calls them all): V8 compiles
  // a function whole the first time it is called.
  let largestFunction = succ.length;
  for (const part of predicatesReason === undefined ? [...parts, ...tpParts] : parts) largestFunction = Math.max(largestFunction, part.length);
  const initLabel: Label = { action: 'init', params: [] };
  const initArr: number[][] = [];
  for (const v of initVecs) {
    const arr: number[] = [];
    for (const x of v) arr.push(x);
    initArr.push(arr);
  }
  // As new Function(...) would, through the code cache (src/engine/code-cache.ts): a run of the
  // same generated source takes V8's compiled code from the disk.
  const made = cachedFunction(['H', 'LB', 'LM', 'LP', 'IL', 'INIT', 'OR', 'CH', 'RS', 'K'], source)(helpers, labelTables, labelMakers, procLabels, initLabel, initArr, gen.orders, choices, counters.reached, counters) as Generated;

  // ---- the system
  const decode = (vec: readonly number[]): State => vars.map((v) => doms.decodeShape(v.shape, vec, v.offset));
  const encode = (state: State): number[] => {
    const out: number[] = [];
    for (let i = 0; i < width; i++) out.push(0);
    vars.forEach((v, i) => {
      if (!doms.encodeShape(v.shape, state[i]!, out, v.offset)) throw new Error(`internal error: the value of '${v.name}' has no packed encoding`);
    });
    return out;
  };
  const noop = (): void => {};
  /** Set below for a spec with processes: whether every instance is done. */
  let terminates: ((vec: number[]) => boolean) | undefined;
  // Generated code that runs out of stack (a `for` over many elements nests a call per element)
  // gives up as a bail does: the generic engine then reports E716, or, if it has the stack the
  // generated code lacked, redoes the run.
  const overflowed = (err: unknown): boolean => err instanceof RangeError && /call stack/.test(err.message);
  const unexplained = (where: string, err: unknown): Error =>
    new PackedGaveUp(
      overflowed(err)
        ? `the packed engine's code ran out of stack in ${where}, where the generic engine does not`
        : `the packed engine met a value it cannot encode in ${where}, where the generic engine reports nothing`,
    );
  const isSentinel = (err: unknown): boolean => err === BAIL || overflowed(err);
  /**
   * A generated state predicate (an invariant, a constraint, a property's), with a work count
   * of its own; where its code gives up, the generic engine's `fallback` evaluates it on the
   * decoded state, which throws the genuine ModelError.
   */
  const guarded = (f: (vec: number[]) => boolean, fallback: (state: State) => unknown, where: string) => (vec: number[]): boolean => {
    try {
      const outer = evalWork.n;
      evalWork.n = 0;
      const r = f(vec);
      evalWork.n = outer;
      return r;
    } catch (err) {
      if (!isSentinel(err)) throw err;
      fallback(decode(vec));
      throw unexplained(where, err);
    }
  };

  const invariants: Invariant<number[]>[] = spec.invariants.map((inv, ii) => {
    const g = generic.invariants[ii]!;
    if (g.name !== inv.name) throw new Error('internal error: invariants out of order');
    const f = made.inv[ii];
    return { name: inv.name, holds: f ? guarded(f, (st) => g.holds(st), `invariant '${inv.name}'`) : (vec) => g.holds(decode(vec)) };
  });

  let predicates: ((vec: number[]) => boolean)[] | undefined;
  if (predicatesReason === undefined) {
    const gpreds = generic.properties.flatMap((p) => (p.kind === 'general' ? p.atoms! : p.q ? [p.p, p.q] : [p.p]));
    const gnames = generic.properties.flatMap((p) => (p.kind === 'general' ? p.atoms!.map(() => p.name) : p.q ? [p.name, p.name] : [p.name]));
    predicates = made.tp.map((f, k) => guarded(f, gpreds[k]!, `property '${gnames[k]!}'`));
  }

  const successors = (vec: number[], emit: (s: number[], l: Label) => void): void => {
    try {
      evalWork.n = 0;
      evalWork.f = 0;
      made.succ(vec, emit);
    } catch (err) {
      if (!isSentinel(err)) throw err;
      generic.successors(decode(vec), noop);
      throw unexplained('a step', err);
    }
    // As the generic engine: PlusCal's Terminating stutter once every process is done.
    if (terminates !== undefined && terminates(vec)) emit(vec.slice(), TERMINATING);
  };
  // A wide state's successors are fingerprinted from their parent's fingerprint and the slots
  // their step wrote, as long as the step recorded them all.
  const summed = stepped ? stepFingerprint(sizes) : undefined;
  const written = made.D;
  const recorded = made.dn;
  const emitted =
    summed !== undefined && written !== undefined && recorded !== undefined
      ? (next: number[], level: ArrayLike<number>, base: number, hi: number, lo: number, out: Uint32Array): void => {
          const n = recorded();
          if (n <= written.length) summed.step(next, level, base, written, n, hi, lo, out);
          else summed.full(next, out);
        }
      : undefined;
  const system: PackedSpec = {
    width,
    source,
    largestFunction,
    ...(predicates ? { predicates } : { predicatesReason: predicatesReason! }),
    encode,
    decode,
    invariants,
    onGeneric,
    initialStates(emit) {
      try {
        evalWork.n = 0;
        evalWork.f = 0;
        made.init(emit);
      } catch (err) {
        if (!isSentinel(err)) throw err;
        generic.initialStates(noop);
        throw unexplained('init', err);
      }
    },
    successors,
    successorsAt: {
      of: successors,
      ...(emitted !== undefined ? { fingerprintEmitted: emitted } : {}),
      at(level, base, emit) {
        try {
          evalWork.n = 0;
          evalWork.f = 0;
          made.succAt(level, base, emit);
        } catch (err) {
          if (!isSentinel(err)) throw err;
          generic.successors(decode(Array.from(level.subarray(base, base + width))), noop);
          throw unexplained('a step', err);
        }
        // The working array holds the state expanded again (every step restores it).
        if (terminates !== undefined && terminates(made.s)) emit(made.s.slice(), TERMINATING);
      },
    },
    // Hashed a 32-bit word of packed slots at a time, or an exact key when the state fits in
    // 64 bits; a wide state, as a sum over its words (stepFingerprint).
    fingerprint: summed?.full ?? vectorFingerprint(sizes),
    coverage: counters,
    vectorWidth: width,
    vectorNumbers: numbers,
    ...(unbounded !== undefined ? { vectorUnbounded: unbounded } : {}),
    // Steps emit their working array itself: most successors are duplicates, dropped at once,
    // and only the states the explorer keeps are copied (into typed arrays: keptCopies).
    copyState: keptCopies(width, numbers, unbounded),
  };
  if (instances.length > 0) {
    // As the generic engine: a valid end when every instance has run to its end or stands at
    // one of its `end` labels.
    const pcs = instances.map((inst) => [inst.layout.pcOff, pcNamesOf(inst.proc).map((l) => l === DONE || endNamesOf(inst.proc).has(l))] as const);
    system.isDone = (vec) => {
      for (const [off, ends] of pcs) if (!ends[vec[off]!]) return false;
      return true;
    };
    // PlusCal's Terminating only once every instance has run to its end (not at `end` labels).
    const donePcs = instances.map((inst) => [inst.layout.pcOff, inst.proc.labels.length] as const);
    terminates = (vec) => {
      for (const [off, done] of donePcs) if (vec[off] !== done) return false;
      return true;
    };
  } else if (generic.isDone) throw new Unsupported('specs whose states can be done are not supported by the packed engine');
  if (made.cons.length > 0) {
    // State constraints, in order, as the generic engine's inModel: where generated code gives
    // up, the generic engine evaluates the constraint on the decoded state (it throws the
    // genuine ModelError, naming the constraint).
    const cons = made.cons.map((f, ci) => {
      const g = generic.constraints[ci]!;
      return f ? guarded(f, (st) => g.holds(undefined, st), `constraint '${g.name}'`) : (vec: number[]) => g.holds(undefined, decode(vec));
    });
    system.inModel = (vec) => {
      for (let i = 0; i < cons.length; i++) if (!cons[i]!(vec)) return false;
      return true;
    };
  }
  return system;
}

/** Bytes per slab of kept states (keptCopies): 1 MiB. */
const SLAB_BYTES = 1 << 20;
/** The width from which kept states are typed arrays (keptCopies); measured: the two cost the same at about 20-40. */
const TYPED_FROM_WIDTH = 32;

/**
 * The narrowest typed array that holds every state of a layout as it is (vectorNumbers), from
 * the number of codes of each slot: codes run from 0 to the size − 1. None when a slot holds an
 * unbounded integer.
 */
function numbersOf(sizes: readonly number[]): VectorNumbers | undefined {
  let most = 0;
  for (const size of sizes) most = Math.max(most, size);
  return most <= 2 ** 8 ? 'u8' : most <= 2 ** 16 ? 'u16' : most <= 2 ** 31 ? 'i32' : undefined;
}

/** TransitionSystem.vectorUnbounded of a layout with an unbounded integer: its slots, and the type of the others' codes. */
function unboundedSlots(sizes: readonly number[]): { readonly slots: readonly number[]; readonly codes: VectorNumbers } {
  const slots: number[] = [];
  const bounded: number[] = [];
  sizes.forEach((size, i) => (size > 2 ** 31 ? slots.push(i) : bounded.push(size)));
  return { slots, codes: numbersOf(bounded) ?? 'i32' };
}

/**
 * copyState of a packed spec: each kept state of `TYPED_FROM_WIDTH` numbers or more is a view on
 * a slab it shares with the states kept just before and after it, of the narrowest type that
 * holds the layout's codes (`numbers`: a byte a slot for small codes). With an unbounded
 * integer (`unbounded`: its slots, and the type of the others' codes), of the narrowest type
 * that holds the bounded slots' codes and the state's integers, whose slots alone are looked at: a state whose
 * integers are small is kept in bytes as the others (an Int32Array a slot was four times the
 * memory, and the kernel's first touch of those pages most of a wide check's copying: fuzz
 * mutant 13-899, 6,941 slots, 1.6 s of a 2.6 s check), else in an Int32Array, or a
 * Float64Array for a number beyond 32 bits. A byte a slot takes an eighth of the memory of an
 * array of numbers, and the garbage collector does not scan typed arrays' contents; one buffer
 * per state would cost an allocation outside the heap each, which V8 pays for with
 * collections. A search that keeps its levels as states rather than in flat typed arrays
 * (explorer.ts, with temporal properties) keeps tens of thousands of them: 20,000 states of
 * 3,763 slots took 2.2 s of collection as arrays, and 2.1 GB. A slab lives while any of its
 * states does; the states of a level are copied one after another, so slabs go with their
 * levels.
 *
 * Every reader of a packed state only indexes it (the generated code, the fingerprint, decode,
 * the codecs), so a view, of whichever type, stands in for the array the type names.
 */
function keptCopies(width: number, numbers: VectorNumbers | undefined, unbounded: ReturnType<typeof unboundedSlots> | undefined): (vec: number[]) => number[] {
  // Narrow states are copies of their own, not views on a slab: making a view costs more than
  // copying a few numbers, and saves no memory. With a typed working array (numbers known), a
  // typed copy by its constructor: 20-23 ns for 8 to 24 slots, against 33-41 for `slice`.
  if (width < TYPED_FROM_WIDTH) {
    if (numbers === undefined) return (vec) => vec.slice();
    const Typed = levelArrayType(numbers);
    return (vec) => new Typed(vec) as unknown as number[];
  }
  // One call: V8 copies an array of small integers into bytes natively, 1.3 ns a slot against
  // 3.7 for a loop (an Int32Array: 2.0 against 2.2).
  const put = (copy: LevelArray, vec: number[]): void => {
    if (vec.length === width) copy.set(vec);
    else for (let i = 0; i < width; i++) copy[i] = vec[i]!;
  };
  if (numbers !== undefined) {
    // Every code fits as it is (the fingerprint refuses a state whose codes do not).
    const fit = new Slabs(width, (n) => levelArray(numbers, n));
    return (vec) => {
      const copy = fit.room();
      put(copy, vec);
      fit.take();
      return copy as unknown as number[];
    };
  }
  // The narrowest type for the bounded slots, then an Int32Array, then a Float64Array, which
  // holds any safe integer: the first whose copy reads back each unbounded slot as it is.
  const slots = unbounded!.slots;
  const kinds: ('u8' | 'u16' | 'i32' | 'f64')[] = [unbounded!.codes, 'i32', 'f64'];
  const tiers = [...new Set(kinds)].map((k) => new Slabs(width, (n) => new (levelArrayType(k))(n)));
  const last = tiers.length - 1;
  return (vec) => {
    for (let t = 0; ; t++) {
      const tier = tiers[t]!;
      const copy = tier.room();
      put(copy, vec);
      let fits = true;
      if (t < last) {
        for (let k = 0; k < slots.length; k++) {
          const i = slots[k]!;
          if (copy[i] !== vec[i]) {
            fits = false;
            break;
          }
        }
      }
      if (fits) {
        tier.take();
        return copy as unknown as number[];
      }
      // Not this type: its room is taken by the next state.
    }
  };
}

/** Views of `width` numbers, one after another, on slabs of SLAB_BYTES or one view. */
class Slabs<T extends LevelArray> {
  private readonly perSlab: number;
  private slab: T | undefined;
  private used = 0;

  constructor(
    private readonly width: number,
    private readonly make: (numbers: number) => T,
  ) {
    this.perSlab = Math.max(1, Math.floor(SLAB_BYTES / make(0).BYTES_PER_ELEMENT / width));
  }

  /** The next view, the same until take() (a new slab once this one is full). */
  room(): T {
    if (this.slab === undefined || this.used === this.perSlab) {
      this.slab = this.make(this.perSlab * this.width);
      this.used = 0;
    }
    return this.slab.subarray(this.used * this.width, (this.used + 1) * this.width) as T;
  }

  take(): void {
    this.used++;
  }
}

/**
 * The number of codes each slot of the layout holds (Infinity: any safe integer), for the
 * fingerprint (vectorFingerprint).
 */
function slotSizes(vars: readonly VarLayout[], width: number): number[] {
  const sizes = new Array<number>(width).fill(Infinity);
  const visit = (shape: VarLayout['shape'], offset: number): void => {
    if (shape.k === 'leaf') sizes[offset] = shape.dom.size;
    else if (shape.k === 'map') for (let i = 0; i < shape.keys.length; i++) visit(shape.val, offset + i * shape.val.width);
    else shape.items.forEach((item, i) => visit(item, offset + shape.offsets[i]!));
  };
  for (const v of vars) visit(v.shape, v.offset);
  return sizes;
}

/** A constant value (a property binder's) as a Val of generated code. */
function constantVal(doms: Doms, d: Dom, v: Value, prop: string, span: A.Span): Val {
  if (typeof v === 'number') return { r: 'int', v: lit(v), lo: v, hi: v };
  if (typeof v === 'boolean') return { r: 'bool', v: v ? 'true' : 'false' };
  const c = doms.encode(d, v);
  if (c < 0) throw new Unsupported(`property '${prop}': a value of its binder has no packed encoding`, span);
  return { r: 'code', dom: d, v: lit(c) };
}
