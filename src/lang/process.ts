/**
 * Processes at run time: their instances, where each keeps its program counter and variables
 * in the state, and their steps.
 *
 * The state is the spec's variables followed, for each process in declaration order and each
 * instance in the canonical order of its domain, by the instance's pc and then its variables.
 * A pc is an atom of an enum of its own (`Offline.pc`), whose members are the labels in the
 * order written and then `done`; so pcs print, diff, fingerprint and export like any value.
 *
 * Each label compiles (compile/statements.ts, Compiler.stmts) to one step: the statements from
 * the label up to the next label reached, in continuation-passing style like an action. Reaching a
 * label — by falling through, by `goto`, or at the end of a `while` body — sets the pc and
 * emits the successor; running off the end of the body sets the pc to `done`.
 */
import type * as A from './ast.js';
import type { CheckedProcedure, CheckedProcess, CheckedSpec } from './check.js';
import { explainRun, fail, stepOverflow, type Compiler, type Cont, type Ctx, type Ev, type Label, type RequireSite, type State, type StepExplanation } from './compile.js';
import type { ProcessBlock } from './compile/base.js';
import { DONE } from './process-shape.js';
import { Diagnostic, MAX_INSTANCES, SpecErrors } from './diagnostics.js';
import type { EnumInfo, Type, VariantInfo } from './types.js';
import { ModelError } from '../explore/system.js';
import { labelSiteOf, type StepCounters } from './coverage.js';
import { Atom, IList, IMap, ISet, Rec, Variant, formatValue, sortedElements, type Value } from '../values/index.js';
import { named } from './by-name.js';
import { groupDigits } from '../values/format.js';

/** What the compiler needs while it compiles the steps of one process instance. */
export interface ProcessContext {
  /** The state slot of the instance's pc; its variables follow. */
  readonly base: number;
  /** Records the step that starts at a label. */
  define(label: string, step: Cont): void;
  /** The continuation that ends the step at a label (or `done`). */
  endAt(label: string): Cont;
  /** `call P(args)`; `next` is what follows the call in the step (a label, goto or return). */
  call(st: Extract<A.Stmt, { kind: 'call' }>, next: Cont): Cont;
  /** `return`, in a procedure: pops the frame, the caller goes on at the frame's return point. */
  ret(): Cont;
  /** Reads field `index` of the top frame of the call stack (a procedure's parameter or variable). */
  frameRead(index: number): Ev;
  /** The state slot of the call stack (undefined: the process calls no procedure). */
  readonly stack: number | undefined;
}

/** The name of a procedure's label in the pc of a calling instance: `reparent.loop`. */
export function procedureLabel(proc: CheckedProcedure, label: string): string {
  return `${proc.name}.${label}`; // as stepLabels in process-shape.ts
}

/** The field of a frame that holds its return point (the pc the caller goes on at). */
export const RET = 'ret';

export interface ProcessInstance {
  readonly proc: CheckedProcess;
  /** The instance parameter's value; undefined for a process without one. */
  readonly value: Value | undefined;
  /** `Offline(m=C)`, or `Main` for a process without parameter. */
  readonly name: string;
  readonly base: number;
  /** Per label index: the label of a step starting there. */
  readonly labels: Label[];
  /** Per label index: the step starting there. */
  steps: Cont[];
  /** Per label index: its coverage step site (-1 for `done`). */
  sites: number[];
  /** Per label index: its coverage row, made on first use (counting only). */
  rows: number[];
}

interface ProcessInfo {
  readonly instances: ProcessInstance[];
  /** The pc names: the labels, `done`, then the labels of the procedures it may call (`P.L`). */
  readonly pcNames: string[];
  /** Per procedure it may call: the frame's case in the stack's element type and its field names. */
  readonly frames: Map<CheckedProcedure, { caseIndex: number; fields: readonly string[] }>;
  /** The pc values: one atom per label, then `done`. */
  readonly pcs: Atom[];
  readonly pcType: Type;
  /** Instance index by parameter value. */
  readonly byValue: IMap<Value, number>;
  /**
   * When the parameter's values are integers close together (a range, as `1..N`): the pc's
   * slot of each by `value - lo`, -1 where there is no instance. An array read instead of
   * byValue's hashed lookup, which `P(i) at L` made at every evaluation.
   */
  readonly baseByInt: { readonly lo: number; readonly bases: Int32Array } | undefined;
}

export class Processes {
  readonly instances: ProcessInstance[] = [];
  readonly info = new Map<CheckedProcess, ProcessInfo>();
  /** The slots after the variables, named and typed for reports and ITF. */
  readonly slots: { name: string; type: Type }[] = [];
  /** Each instance's block of slots, in state order (CompiledSpec.processBlocks). */
  readonly blocks: ProcessBlock[] = [];
  /**
   * Per slot, its possible initial values: one for a pc or a variable set with `= e`, the
   * elements of S in canonical order for `var x: T in S`.
   */
  readonly initialChoices: Value[][] = [];
  /** Per instance (in order), the pc indices where it may rest for good: its end labels, and `done`. */
  private readonly validEnds: { base: number; ends: boolean[] }[] = [];
  /** The largest frame a step needs. */
  readonly frame: number;
  /** The label of the step being run (set before each step, read when it emits). */
  private current: Label = { action: '', params: [] };
  /** The coverage step site of the step being run. */
  private currentSite = 0;
  /** The step counters, when they count (`--coverage`). */
  private counters: StepCounters | undefined;

  constructor(
    cc: Compiler,
    readonly spec: CheckedSpec,
    firstSlot: number,
  ) {
    let slot = firstSlot;
    for (const p of spec.processes) {
      const labels = [...p.labels, DONE, ...p.procedures.flatMap((q) => q.labels.map((l) => procedureLabel(q, l)))];
      const enumInfo: EnumInfo = { name: `${p.name}.pc`, members: labels };
      const pcs = labels.map((l, i) => new Atom(enumInfo.name, l, i));
      cc.registerAtoms(enumInfo, pcs);
      const pcType: Type = { k: 'enum', info: enumInfo };
      // The call stack, for a process that calls procedures: a sequence of frames, each a case
      // (the procedure) of a variant of the process's own, whose payload is a record of the
      // parameters, the variables and the return point.
      const frames = new Map<CheckedProcedure, { caseIndex: number; fields: readonly string[] }>();
      const frameInfo: VariantInfo = { name: `${p.name}.frame`, cases: [] };
      p.procedures.forEach((q, caseIndex) => {
        const fields = cc.fields([...q.params.map((x) => x.name), ...q.locals.map((x) => x.name), RET]);
        frames.set(q, { caseIndex, fields });
        frameInfo.cases.push({ tag: q.name, payload: { k: 'record', fields, types: [...q.params.map((x) => x.type), ...q.locals.map((x) => x.type), pcType] } });
      });
      const stackType: Type | undefined = p.procedures.length > 0 ? { k: 'seq', elem: { k: 'variant', info: frameInfo } } : undefined;
      let values: (Value | undefined)[] = [undefined];
      if (p.param) {
        const dp = p.decl.param!;
        values = p.param.domain.k === 'type'
          ? cc.enumerate(p.param.domain.type, dp.kind === 'typed' ? dp.type.span : p.decl.name.span, `the type of parameter '${p.param.name}'`)
          : [...sortedElements(cc.constValue(p.param.domain.expr) as ISet<Value>)];
      }
      if (this.instances.length + values.length > MAX_INSTANCES) {
        const at = p.decl.param ? (p.decl.param.kind === 'typed' ? p.decl.param.type.span : p.decl.param.domain.span) : p.decl.name.span;
        throw new SpecErrors([
          new Diagnostic(
            'E233',
            at,
            `process '${p.name}' would have ${groupDigits(values.length)} instances${this.instances.length > 0 ? ` (${groupDigits(this.instances.length + values.length)} with the processes before it)` : ''}, more than the ${groupDigits(MAX_INSTANCES)} spex runs`,
            'every instance is a program counter in every state and a step to try in every state: model a few instances (the behaviour of 3 is usually that of many)',
          ),
        ]);
      }
      const instances: ProcessInstance[] = [];
      let byValue = IMap<Value, number>();
      for (const value of values) {
        const params = p.param && value !== undefined ? [{ name: p.param.name, value }] : [];
        const name = params.length > 0 ? `${p.name}(${params[0]!.name}=${formatValue(params[0]!.value)})` : p.name;
        const inst: ProcessInstance = {
          proc: p,
          value,
          name,
          base: slot,
          labels: labels.map((at) => ({ action: p.name, params, at })),
          steps: [],
          sites: [],
          rows: [],
        };
        if (value !== undefined) byValue = byValue.set(value, instances.length);
        instances.push(inst);
        this.instances.push(inst);
        this.slots.push({ name: `${name}.pc`, type: pcType });
        this.initialChoices.push([pcs[0]!]);
        const endNames = new Set([DONE, ...p.endLabels, ...p.procedures.flatMap((q) => q.endLabels.map((l) => procedureLabel(q, l)))]);
        this.validEnds.push({ base: slot, ends: labels.map((l) => endNames.has(l)) });
        const loc = new Array<Value>(Math.max(1, p.initFrameSize));
        if (value !== undefined) loc[0] = value;
        for (const l of p.locals) {
          const choices = initialValues(cc, l.decl, loc);
          for (const v of choices) cc.checkRange(l.type, v, l.decl.init!.span, `variable '${l.name}' of ${name}`);
          this.slots.push({ name: `${name}.${l.name}`, type: l.type });
          this.initialChoices.push(choices);
        }
        if (stackType) {
          this.slots.push({ name: `${name}.stack`, type: stackType });
          this.initialChoices.push([IList<Value>()]);
        }
        const width = 1 + p.locals.length + (stackType ? 1 : 0);
        this.blocks.push({ process: p.name, param: p.param?.type, value, base: slot, width });
        slot += width;
      }
      this.info.set(p, { instances, pcs, pcType, byValue, baseByInt: basesByInt(instances), pcNames: labels, frames });
    }
    this.frame = Math.max(0, ...spec.processes.map((p) => p.frameSize), ...spec.procedures.map((q) => q.frameSize));
  }

  /**
   * The process slots of every initial state: one array per combination of the variables'
   * initial choices, the slots in state order, the last slot varying fastest.
   */
  initialCombinations(): Value[][] {
    let out: Value[][] = [[]];
    for (const choices of this.initialChoices) {
      // A slot of one choice (every pc, every local of a fixed value) extends each combination
      // where it is: each array of `out` is its own. Copied instead, the combinations of a
      // process of n instances cost n²/2 values: 7,000 instances took 1.8 GB of short-lived
      // arrays in a four-check run (fuzz mutant 20-476).
      if (choices.length === 1) {
        for (const prefix of out) prefix.push(choices[0]!);
        continue;
      }
      const next: Value[][] = [];
      for (const prefix of out) for (const v of choices) next.push([...prefix, v]);
      out = next;
    }
    return out;
  }

  /**
   * Compiles every instance's steps; `emit` receives each successor and its label. Each step
   * marks its site in `counters.reached` when it emits, and counts when the counters count.
   */
  compileSteps(cc: Compiler, emit: (state: State, label: Label) => void, counters: StepCounters): void {
    this.counters = counters.counting ? counters : undefined;
    const reached = counters.reached;
    for (const inst of this.instances) {
      const pcNames = this.info.get(inst.proc)!.pcNames;
      inst.sites = pcNames.map((l) => (l === DONE ? -1 : labelSiteOf(counters.sites, inst.proc.name, l)));
      inst.rows = pcNames.map(() => -1);
      const finish: Cont = counters.counting
        ? (c) => {
            reached[this.currentSite] = 1;
            counters.took();
            emit(c.st.slice(), this.current);
          }
        : (c) => {
            reached[this.currentSite] = 1;
            emit(c.st.slice(), this.current);
          };
      inst.steps = this.compileInstance(cc, inst, finish);
    }
  }

  /** The steps of one instance, per label index; `finish` is called at the end of each step. */
  compileInstance(cc: Compiler, inst: ProcessInstance, finish: Cont): Cont[] {
    const info = this.info.get(inst.proc)!;
    const labels = info.pcNames;
    const steps: Cont[] = [];
    const base = inst.base;
    const stack = inst.proc.procedures.length > 0 ? base + 1 + inst.proc.locals.length : undefined;
    // What a continuation that ends the step does, for `call` to find its return point.
    const ending = new WeakMap<Cont, { label: string } | 'return'>();
    const endAtPc = (label: string): Cont => {
      const pc = info.pcs[labels.indexOf(label)]!;
      const k: Cont = (c) => {
        const old = c.st[base]!;
        c.st[base] = pc;
        finish(c);
        c.st[base] = old;
      };
      ending.set(k, { label });
      return k;
    };
    const top = (c: Ctx): Variant => (c.st[stack!] as IList<Value>).last() as Variant;
    const ret: Cont = (c) => {
      const oldStack = c.st[stack!]!;
      const oldPc = c.st[base]!;
      const frame = top(c);
      const rec = frame.value as Rec;
      c.st[base] = rec.values[rec.values.length - 1]!;
      c.st[stack!] = (oldStack as IList<Value>).pop();
      finish(c);
      c.st[base] = oldPc;
      c.st[stack!] = oldStack;
    };
    ending.set(ret, 'return');
    const call = (st: Extract<A.Stmt, { kind: 'call' }>, next: Cont): Cont => {
      const q = named(this.spec.procedures, st.callee.text)!;
      const { caseIndex, fields } = info.frames.get(q)!;
      const args = st.args.map((a) => cc.expr(a));
      const inits = q.locals.map((l) => cc.expr(l.decl.init!));
      const first = info.pcs[labels.indexOf(procedureLabel(q, q.labels[0]!))]!;
      const after = ending.get(next);
      if (after === undefined) throw new Error('internal error: a call not followed by a label, a return or a goto');
      const retPc = after === 'return' ? undefined : info.pcs[labels.indexOf(after.label)]!;
      const loc = new Array<Value>(Math.max(1, q.initFrameSize));
      return (c) => {
        const values: Value[] = [];
        args.forEach((a, i) => {
          const v = a(c);
          cc.checkRange(q.params[i]!.type, v, st.args[i]!.span, `argument '${q.params[i]!.name}' of '${q.name}'`);
          values.push(v);
          loc[i] = v;
        });
        q.locals.forEach((l, i) => {
          const v = inits[i]!({ st: c.st, loc });
          cc.checkRange(l.type, v, l.decl.init!.span, `variable '${l.name}' of '${q.name}'`);
          values.push(v);
        });
        const oldStack = c.st[stack!]!;
        const oldPc = c.st[base]!;
        let s = oldStack as IList<Value>;
        let r: Value | undefined = retPc;
        if (r === undefined) {
          // `call Q(...)` then `return`: Q returns straight to this frame's caller.
          const rec = top(c).value as Rec;
          r = rec.values[rec.values.length - 1]!;
          s = s.pop();
        }
        values.push(r);
        c.st[stack!] = s.push(new Variant(q.name, caseIndex, new Rec(fields, values)));
        c.st[base] = first;
        finish(c);
        c.st[base] = oldPc;
        c.st[stack!] = oldStack;
      };
    };
    const frameRead = (index: number): Ev => (c) => (top(c).value as Rec).values[index]!;
    const saved = cc.proc;
    const context = (qualify: (label: string) => string, endOfBody: Cont): ProcessContext => ({
      base,
      stack,
      define: (label, step) => {
        steps[labels.indexOf(qualify(label))] = step;
      },
      endAt: (label) => (label === DONE ? endOfBody : endAtPc(qualify(label))),
      call,
      ret: () => ret,
      frameRead,
    });
    try {
      const done = endAtPc(DONE);
      cc.proc = context((l) => l, done);
      cc.stmts(inst.proc.decl.body, done);
      // Running off the end of a procedure returns.
      for (const q of inst.proc.procedures) {
        cc.proc = context((l) => procedureLabel(q, l), ret);
        cc.stmts(q.decl.body, ret);
      }
    } finally {
      cc.proc = saved;
    }
    return steps;
  }

  /** Runs the enabled step of every instance that is not done, on c.st. */
  successors(c: Ctx): void {
    for (const inst of this.instances) {
      const pc = (c.st[inst.base] as Atom).index;
      const step = inst.steps[pc];
      if (step === undefined) continue;
      this.current = inst.labels[pc]!;
      this.currentSite = inst.sites[pc]!;
      if (inst.value !== undefined) c.loc[0] = inst.value;
      try {
        const counters = this.counters;
        if (counters === undefined) step(c);
        else {
          let row = inst.rows[pc]!;
          if (row < 0) row = inst.rows[pc] = counters.row(this.currentSite, this.current.params, this.current.at!.includes('.') ? inst.proc.name : undefined);
          const before = counters.begin(row);
          step(c);
          counters.end(row, before);
        }
      } catch (thrown) {
        const err = this.overflowOf(thrown, inst, pc);
        if (err instanceof ModelError && err.label === undefined) err.label = this.current;
        throw err;
      }
    }
  }

  /**
   * As successors, but an instance whose step fails hands its error (labelled) to `fault` and
   * the next instance runs, from `state` (for CompiledSpec.stepsOf).
   */
  successorsEach(c: Ctx, state: State, fault: (error: ModelError) => void): void {
    for (const inst of this.instances) {
      const pc = (c.st[inst.base] as Atom).index;
      const step = inst.steps[pc];
      if (step === undefined) continue;
      this.current = inst.labels[pc]!;
      if (inst.value !== undefined) c.loc[0] = inst.value;
      try {
        step(c);
      } catch (thrown) {
        const err = this.overflowOf(thrown, inst, pc);
        if (!(err instanceof ModelError)) throw err;
        if (err.label === undefined) err.label = this.current;
        c.st = state.slice();
        fault(err);
      }
    }
  }

  /** What a step of `inst` at `pc` threw, as E716 if it ran out of stack (stepOverflow). */
  private overflowOf(thrown: unknown, inst: ProcessInstance, pc: number): unknown {
    return stepOverflow(thrown, inst.proc.decl.name.span, `the statements of '${inst.proc.name}' at label '${this.current.at ?? pc}'`);
  }

  /** Whether every instance has run to its end. */
  isDone(state: State): boolean {
    for (const inst of this.instances) {
      if ((state[inst.base] as Atom).name !== DONE) return false;
    }
    return true;
  }

  /**
   * Whether a state without successors is a valid end, not a deadlock: every instance has run
   * to its end or stands at one of its `end` labels.
   */
  isValidEnd(state: State): boolean {
    for (const { base, ends } of this.validEnds) {
      if (!ends[(state[base] as Atom).index]) return false;
    }
    return true;
  }

  /**
   * The pc's slot of the instance that `inst` evaluates to (undefined: P's only instance): a
   * number when it is known statically, else a function of the state. A value that is not an
   * instance of P is E702.
   */
  private pcSlot(proc: CheckedProcess, inst: Ev | undefined, span: A.Span): number | ((c: Ctx) => number) {
    const info = this.info.get(proc)!;
    if (inst === undefined || proc.param === undefined) return info.instances[0]!.base;
    const notAnInstance = (v: Value): never => {
      const all = info.instances.map((x) => formatValue(x.value!)).join(', ');
      return fail('E702', span, `${formatValue(v)} is not an instance of process '${proc.name}' (its instances: ${all})`, `the instances of '${proc.name}' are the values of its parameter's domain`);
    };
    const ints = info.baseByInt;
    if (ints !== undefined) {
      const { lo, bases } = ints;
      return (c) => {
        const v = inst(c);
        // Out of the array (or not a number): undefined.
        const base = typeof v === 'number' ? bases[v - lo] : undefined;
        return base === undefined || base < 0 ? notAnInstance(v) : base;
      };
    }
    return (c) => {
      const v = inst(c);
      const i = info.byValue.get(v);
      return i === undefined ? notAnInstance(v) : info.instances[i]!.base;
    };
  }

  /** `P(i) at L`: `inst` evaluates i (undefined for a process without parameter). */
  at(proc: CheckedProcess, label: number, inst: Ev | undefined, span: A.Span): Ev {
    const pc = this.pcSlot(proc, inst, span);
    if (typeof pc === 'number') return (c) => (c.st[pc] as Atom).index === label;
    return (c) => (c.st[pc(c)] as Atom).index === label;
  }

  /** `P(i) at {L1, L2}`: whether the instance's pc is at any of the labels (indices in the pc's order). */
  atAny(proc: CheckedProcess, labels: readonly number[], inst: Ev | undefined, span: A.Span): Ev {
    const wanted = new Array<boolean>(Math.max(...labels) + 1).fill(false);
    for (const l of labels) wanted[l] = true;
    const pc = this.pcSlot(proc, inst, span);
    if (typeof pc === 'number') return (c) => wanted[(c.st[pc] as Atom).index] === true;
    return (c) => wanted[(c.st[pc(c)] as Atom).index] === true;
  }

  /** `P(i).x`: variable `index` of the instance `inst` evaluates to (undefined: P's only instance). */
  read(proc: CheckedProcess, index: number, inst: Ev | undefined, span: A.Span): Ev {
    const pc = this.pcSlot(proc, inst, span);
    if (typeof pc === 'number') {
      const slot = pc + 1 + index;
      return (c) => c.st[slot]!;
    }
    return (c) => c.st[pc(c) + 1 + index]!;
  }

  /** The instance a label names, if any. */
  instanceOf(label: Label): ProcessInstance | undefined {
    const p = named(this.spec.processes, label.action);
    if (!p) return undefined;
    const info = this.info.get(p)!;
    if (!p.param) return info.instances[0];
    const v = label.params.find((x) => x.name === p.param!.name)?.value;
    const i = v === undefined ? undefined : info.byValue.get(v);
    return i === undefined ? undefined : info.instances[i];
  }
}

/**
 * The initial values of a process variable in one instance (`loc` binds its parameter): the
 * value of `= e`, or the elements of S in canonical order for `in S`.
 */
export function initialValues(cc: Compiler, decl: A.ProcessVarDecl, loc: Value[]): Value[] {
  const v = cc.expr(decl.init!)({ st: [], loc });
  return decl.choice ? [...sortedElements(v as ISet<Value>)] : [v];
}

/**
 * explainStep for a process step (`spex replay`): the instance's steps are compiled again
 * with `await`s (and `require`s) that record why they stopped the step.
 */
export function explainProcessStep(
  cc: Compiler,
  processes: Processes,
  cache: Map<ProcessInstance, { steps: Cont[]; sink: { rejected: RequireSite[]; successors: State[] } }>,
  state: State,
  label: Label,
): StepExplanation {
  const inst = processes.instanceOf(label);
  if (!inst) return { kind: 'noSuchAction' };
  const pcNames = processes.info.get(inst.proc)!.pcNames;
  const at = label.at === undefined || label.at === DONE ? -1 : pcNames.indexOf(label.at);
  if (at < 0) return { kind: 'noSuchAction' };
  const pc = state[inst.base] as Atom;
  if (pc.index !== at) return { kind: 'elsewhere', pc: pc.name };
  let e = cache.get(inst);
  if (!e) {
    const sink = { rejected: [] as RequireSite[], successors: [] as State[] };
    cc.explainSink = sink;
    try {
      e = { steps: processes.compileInstance(cc, inst, (c) => sink.successors.push(c.st.slice())), sink };
    } finally {
      cc.explainSink = undefined;
    }
    cache.set(inst, e);
  }
  e.sink.rejected = [];
  e.sink.successors = [];
  const c: Ctx = { st: state.slice(), loc: new Array<Value>(Math.max(1, processes.frame)) };
  if (inst.value !== undefined) c.loc[0] = inst.value;
  const step = e.steps[at]!;
  return explainRun(() => step(c), e.sink, label);
}

/**
 * The pc's slot of each instance by its parameter's value less the least, when every value is
 * an integer and they span at most 4n + MAX_INSTANCES integers, n the number of instances
 * (an array of at most 200 KB); else undefined.
 */
function basesByInt(instances: readonly ProcessInstance[]): ProcessInfo['baseByInt'] {
  if (instances.length === 0 || !instances.every((x) => typeof x.value === 'number')) return undefined;
  const values = instances.map((x) => x.value as number);
  const lo = Math.min(...values);
  const span = Math.max(...values) - lo + 1;
  if (span > 4 * instances.length + MAX_INSTANCES) return undefined;
  const bases = new Int32Array(span).fill(-1);
  instances.forEach((x, i) => (bases[values[i]! - lo] = x.base));
  return { lo, bases };
}
