/**
 * Generating the expressions that read processes: a process's local slots, `p.var` and
 * `p at label`.
 */
import type * as A from '../../ast.js';
import type { Resolution } from '../../check.js';
import { lit, type Val, addS, mul, type InstanceLayout } from './base.js';
import { Unsupported, type Shape } from '../dom.js';
import type { Type } from '../../types.js';
import { ExprCodeGen } from './expressions.js';

export abstract class ProcessCodeGen extends ExprCodeGen {
  /** The generic state slot of variable `index` of the process instance being compiled. */
  protected override plocalSlot(index: number, span: A.Span): number {
    if (!this.proc) return this.fail('internal: a process variable outside its process', span);
    return this.proc.inst.base + 1 + index;
  }

  /**
   * `P(i).x`: the variable's slots in the instance of i. The instances of a process have the
   * same layout, so with one instance per value of the parameter's domain (dense) the offset is
   * computed from the code; otherwise it is chosen by testing the code against each instance.
   */
  protected override processVar(e: Extract<A.Expr, { kind: 'field' }>): Val {
    const r = this.res(e) as Extract<Resolution, { k: 'pvar' }>;
    const pl = this.processes.get(r.proc);
    if (!pl) return this.fail('internal: an unknown process', e.span);
    const insts = pl.instances;
    if (insts.length === 0) return this.noInstanceVar(r.proc.locals[r.index]!.type, e);
    const slotOf = (inst: InstanceLayout): number => inst.base + 1 + r.index;
    const first = this.vars[slotOf(insts[0]!)]!;
    if (e.target.kind !== 'call' || !pl.paramDom) return this.read(first.shape, lit(first.offset), slotOf(insts[0]!));
    const step = insts.length > 1 ? this.vars[slotOf(insts[1]!)]!.offset - first.offset : 0;
    const dense = insts.length === pl.paramDom.size && insts.every((x, i) => x.paramCode === i && this.vars[slotOf(x)]!.offset === first.offset + i * step);
    const c = this.once(this.code(e.target.args[0]!, pl.paramDom));
    if (dense) return this.read(first.shape, addS(lit(first.offset), mul(c, step)), slotOf(insts[0]!));
    // Instances over a subset of the type: the offset by a chain of tests; a value that is not
    // an instance gives up (the generic engine's error).
    let off = 'bail()';
    for (let i = insts.length - 1; i >= 0; i--) off = `${c} === ${lit(insts[i]!.paramCode!)} ? ${lit(this.vars[slotOf(insts[i]!)]!.offset)} : ${off}`;
    return this.read(first.shape, this.once(`(${off})`), slotOf(insts[0]!));
  }

  /**
   * `P(i).x` for a process without instances with these constants (its parameter's domain is
   * empty): there is no slot to read, and evaluating it is the generic engine's error (E702),
   * so the read gives up where it is evaluated, a value of the variable's shape otherwise.
   */
  private noInstanceVar(type: Type, e: Extract<A.Expr, { kind: 'field' }>): Val {
    let sh: Shape;
    try {
      sh = this.doms.shape(type);
    } catch (err) {
      if (err instanceof Unsupported) return this.fail(`process variable '${e.field.text}': ${err.message}`, e.span);
      throw err;
    }
    if (sh.k === 'leaf') return this.valOfCode(sh.dom, 'bail()');
    return { r: 'place', sh, off: 'bail()', root: -1 };
  }

  /** `P(i) at L`: the pc of the instance of i is L's code. */
  protected override at(e: Extract<A.Expr, { kind: 'at' }>): Val {
    const r = this.res(e) as Extract<Resolution, { k: 'process' }>;
    const pl = this.processes.get(r.proc);
    if (!pl) return this.fail('internal: an unknown process', e.span);
    const rd = (off: number): string => (this.initMode ? `un(s[${lit(off)}])` : `s[${lit(off)}]`);
    if (r.labels && r.labels.length > 1 && r.proc.labels.length + r.proc.procedures.reduce((n, q) => n + q.labels.length, 0) >= 31) return this.fail('`at {...}` in a process of more than 30 labels is not supported by the packed engine', e.span);
    // `P(i) at {L1, L2}`: the pc, evaluated once, has its bit in the labels' mask.
    const mask = r.labels && r.labels.length > 1 ? r.labels.reduce((m, l) => m | (1 << l), 0) : undefined;
    const is = (pc: string): string => (mask === undefined ? `(${pc} === ${lit(r.label)})` : `(((${lit(mask)} >>> ${pc}) & 1) === 1)`);
    // No instance with these constants: any read is the generic engine's error (E702).
    if (pl.instances.length === 0) return { r: 'bool', v: is('bail()') };
    if (e.target.kind !== 'call' || !pl.paramDom) return { r: 'bool', v: is(rd(pl.instances[0]!.pcOff)) };
    const c = this.once(this.code(e.target.args[0]!, pl.paramDom));
    const insts = pl.instances;
    const step = insts.length > 1 ? insts[1]!.pcOff - insts[0]!.pcOff : 0;
    const dense = insts.length === pl.paramDom.size && insts.every((x, i) => x.paramCode === i && x.pcOff === insts[0]!.pcOff + i * step);
    if (dense) {
      // Every value of the parameter's domain has an instance; a code is within the domain.
      const off = addS(lit(insts[0]!.pcOff), mul(c, step));
      return { r: 'bool', v: is(this.initMode ? `un(s[${off}])` : `s[${off}]`) };
    }
    // Not an instance: the generic engine's error.
    let v = 'bail()';
    for (let i = insts.length - 1; i >= 0; i--) v = `${c} === ${lit(insts[i]!.paramCode!)} ? ${rd(insts[i]!.pcOff)} : ${v}`;
    return { r: 'bool', v: is(`(${v})`) };
  }
}
