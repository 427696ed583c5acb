/**
 * Processes at run time: their instances, where each keeps its program counter and variables
 * in the state, and their steps.
 *
 * The state is the spec's variables followed, for each process in declaration order and each
 * instance in the canonical order of its domain, by the instance's pc and then its variables.
 * A pc is an atom of an enum of its own (`Offline.pc`), whose members are the labels in the
 * order written and then `done`; so pcs print, diff, fingerprint and export like any value.
 *
 * Each label compiles (compile.ts, Compiler.stmts) to one step: the statements from the label
 * up to the next label reached, in continuation-passing style like an action. Reaching a
 * label — by falling through, by `goto`, or at the end of a `while` body — sets the pc and
 * emits the successor; running off the end of the body sets the pc to `done`.
 */
import type * as A from './ast.js';
import type { CheckedProcess, CheckedSpec } from './check.js';
import { explainRun, fail, type Compiler, type Cont, type Ctx, type Ev, type Label, type RequireSite, type State, type StepExplanation } from './compile.js';
import { DONE } from './process-shape.js';
import type { EnumInfo, Type } from './types.js';
import { ModelError } from '../explore/system.js';
import { Atom, IMap, ISet, formatValue, sortedElements, type Value } from '../values/index.js';

/** What the compiler needs while it compiles the steps of one process instance. */
export interface ProcessContext {
  /** The state slot of the instance's pc; its variables follow. */
  readonly base: number;
  /** Records the step that starts at a label. */
  define(label: string, step: Cont): void;
  /** The continuation that ends the step at a label (or `done`). */
  endAt(label: string): Cont;
}

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
}

interface ProcessInfo {
  readonly instances: ProcessInstance[];
  /** The pc values: one atom per label, then `done`. */
  readonly pcs: Atom[];
  readonly pcType: Type;
  /** Instance index by parameter value. */
  readonly byValue: IMap<Value, number>;
}

export class Processes {
  readonly instances: ProcessInstance[] = [];
  readonly info = new Map<CheckedProcess, ProcessInfo>();
  /** The slots after the variables, named and typed for reports and ITF. */
  readonly slots: { name: string; type: Type }[] = [];
  /** Their values in every initial state. */
  readonly initial: Value[] = [];
  /** The largest frame a step needs. */
  readonly frame: number;
  /** The label of the step being run (set before each step, read when it emits). */
  private current: Label = { action: '', params: [] };

  constructor(
    cc: Compiler,
    readonly spec: CheckedSpec,
    firstSlot: number,
  ) {
    let slot = firstSlot;
    for (const p of spec.processes) {
      const labels = [...p.labels, DONE];
      const enumInfo: EnumInfo = { name: `${p.name}.pc`, members: labels };
      const pcs = labels.map((l, i) => new Atom(enumInfo.name, l, i));
      cc.registerAtoms(enumInfo, pcs);
      const pcType: Type = { k: 'enum', info: enumInfo };
      let values: (Value | undefined)[] = [undefined];
      if (p.param) {
        values = p.param.domain.k === 'type' ? cc.valuesOf(p.param.domain.type) : [...sortedElements(cc.constValue(p.param.domain.expr) as ISet<Value>)];
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
          labels: p.labels.map((at) => ({ action: p.name, params, at })),
          steps: [],
        };
        if (value !== undefined) byValue = byValue.set(value, instances.length);
        instances.push(inst);
        this.instances.push(inst);
        this.slots.push({ name: `${name}.pc`, type: pcType });
        this.initial.push(pcs[0]!);
        const loc = new Array<Value>(Math.max(1, p.initFrameSize));
        if (value !== undefined) loc[0] = value;
        for (const l of p.locals) {
          const v = cc.expr(l.decl.init)({ st: [], loc });
          cc.checkRange(l.type, v, l.decl.init.span, `variable '${l.name}' of ${name}`);
          this.slots.push({ name: `${name}.${l.name}`, type: l.type });
          this.initial.push(v);
        }
        slot += 1 + p.locals.length;
      }
      this.info.set(p, { instances, pcs, pcType, byValue });
    }
    this.frame = Math.max(0, ...spec.processes.map((p) => p.frameSize));
  }

  /** Compiles every instance's steps; `emit` receives each successor and its label. */
  compileSteps(cc: Compiler, emit: (state: State, label: Label) => void): void {
    for (const inst of this.instances) {
      inst.steps = this.compileInstance(cc, inst, (c) => emit(c.st.slice(), this.current));
    }
  }

  /** The steps of one instance, per label index; `finish` is called at the end of each step. */
  compileInstance(cc: Compiler, inst: ProcessInstance, finish: Cont): Cont[] {
    const info = this.info.get(inst.proc)!;
    const labels = [...inst.proc.labels, DONE];
    const steps: Cont[] = [];
    const base = inst.base;
    const endAt = (label: string): Cont => {
      const pc = info.pcs[labels.indexOf(label)]!;
      return (c) => {
        const old = c.st[base]!;
        c.st[base] = pc;
        finish(c);
        c.st[base] = old;
      };
    };
    const saved = cc.proc;
    cc.proc = {
      base,
      define: (label, step) => {
        steps[labels.indexOf(label)] = step;
      },
      endAt,
    };
    try {
      cc.stmts(inst.proc.decl.body, endAt(DONE));
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
      if (inst.value !== undefined) c.loc[0] = inst.value;
      try {
        step(c);
      } catch (err) {
        if (err instanceof ModelError && err.label === undefined) err.label = this.current;
        throw err;
      }
    }
  }

  /** Whether every instance has run to its end. */
  isDone(state: State): boolean {
    for (const inst of this.instances) {
      if ((state[inst.base] as Atom).name !== DONE) return false;
    }
    return true;
  }

  /** `P(i) at L`: `inst` evaluates i (undefined for a process without parameter). */
  at(proc: CheckedProcess, label: number, inst: Ev | undefined, span: A.Span): Ev {
    const info = this.info.get(proc)!;
    if (inst === undefined) {
      const slot = info.instances[0]!.base;
      return (c) => (c.st[slot] as Atom).index === label;
    }
    return (c) => {
      const v = inst(c);
      const i = info.byValue.get(v);
      if (i === undefined) {
        const all = info.instances.map((x) => formatValue(x.value!)).join(', ');
        fail('E702', span, `${formatValue(v)} is not an instance of process '${proc.name}' (its instances: ${all})`, `the instances of '${proc.name}' are the values of its parameter's domain`);
      }
      return (c.st[info.instances[i]!.base] as Atom).index === label;
    };
  }

  /** `P(i) at {L1, L2}`: whether the instance's pc is at any of the labels (indices). */
  atAny(proc: CheckedProcess, labels: readonly number[], inst: Ev | undefined, span: A.Span): Ev {
    const info = this.info.get(proc)!;
    const wanted = new Array<boolean>(proc.labels.length + 1).fill(false);
    for (const l of labels) wanted[l] = true;
    if (inst === undefined) {
      const slot = info.instances[0]!.base;
      return (c) => wanted[(c.st[slot] as Atom).index]!;
    }
    return (c) => {
      const v = inst(c);
      const i = info.byValue.get(v);
      if (i === undefined) {
        const all = info.instances.map((x) => formatValue(x.value!)).join(', ');
        fail('E702', span, `${formatValue(v)} is not an instance of process '${proc.name}' (its instances: ${all})`, `the instances of '${proc.name}' are the values of its parameter's domain`);
      }
      return wanted[(c.st[info.instances[i]!.base] as Atom).index]!;
    };
  }

  /** The instance a label names, if any. */
  instanceOf(label: Label): ProcessInstance | undefined {
    const p = this.spec.processes.find((x) => x.name === label.action);
    if (!p) return undefined;
    const info = this.info.get(p)!;
    if (!p.param) return info.instances[0];
    const v = label.params.find((x) => x.name === p.param!.name)?.value;
    const i = v === undefined ? undefined : info.byValue.get(v);
    return i === undefined ? undefined : info.instances[i];
  }
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
  const at = label.at === undefined ? -1 : inst.proc.labels.indexOf(label.at);
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
  const c: Ctx = { st: state.slice(), loc: new Array<Value>(Math.max(1, inst.proc.frameSize)) };
  if (inst.value !== undefined) c.loc[0] = inst.value;
  const step = e.steps[at]!;
  return explainRun(() => step(c), e.sink, label);
}
