/**
 * Generating procedures (`call` and `return`): the call stack of a process instance is one
 * slot, the generic engine's `P(i).stack` coded as a sequence (dom.ts) of frames. A frame is a
 * case of the process's frame variant (one case per procedure it may call, in declaration
 * order), whose payload is the record of the procedure's parameters, its variables and `ret`,
 * the return point (the pc's code), mixed radix with `ret` least significant. The innermost
 * frame is the sequence's last element: its code is the stack's code modulo the number of
 * frames, so reading a field, writing one, pushing and popping are a few arithmetic steps.
 *
 * The steps of a procedure are compiled per calling process instance, with the procedure known
 * statically: the top frame is always its own while its steps run.
 */
import type * as A from '../../ast.js';
import type { CheckedProcedure, Resolution } from '../../check.js';
import type { Dom } from '../dom.js';
import { lit, add, mul, itemCode, Locals, type Val } from './base.js';
import { ProcessCodeGen } from './processes.js';
import { named } from '../../by-name.js';

/** A frame's payload: the record of a procedure's parameters, variables and `ret`. */
export type RecDom = Extract<Dom, { k: 'tuple' | 'record' }>;

/** Where the frames of one process's instances live, and how they are coded. */
export interface StackLayout {
  /** The stack's offset in the vector (the instance's last slot). */
  readonly off: number;
  /** The sequence domain of the stack. */
  readonly dom: Extract<Dom, { k: 'seq' }>;
  /** Per procedure the process may call: its frame case's first code and its record domain. */
  readonly frames: ReadonlyMap<CheckedProcedure, { readonly offset: number; readonly rec: RecDom }>;
}

/** What follows a call in its step: the label the caller goes on at, or `return` (a tail call). */
export type Ending = { readonly label: string } | 'return';

export abstract class ProcedureCodeGen extends ProcessCodeGen {
  /** The continuations that end a step, with where they end it, for `call` to find its return point. */
  private readonly endings = new WeakMap<() => string, Ending>();

  /** Marks `k` as ending the step at `ending` (a label, or the procedure's return). */
  ending(k: () => string, ending: Ending): () => string {
    this.endings.set(k, ending);
    return k;
  }

  /** Whether `k` ends the step at a label or a return (ending), which a `call` before it needs to know. */
  protected endsStep(k: () => string): boolean {
    return this.endings.has(k);
  }

  private stackOf(span: A.Span): StackLayout {
    const st = this.proc?.stack;
    if (!st) return this.fail('internal: a procedure statement in a process without a call stack', span);
    return st;
  }

  /** The frame layout of the procedure whose step is compiled. */
  private ownFrame(span: A.Span): { offset: number; rec: RecDom } {
    const q = this.proc?.procedure;
    const f = q && this.stackOf(span).frames.get(q);
    if (!f) return this.fail('internal: a procedure variable outside its procedure', span);
    return f;
  }

  /** The code of field `index` of a frame code `top` of layout f. */
  private fieldCode(f: { offset: number; rec: RecDom }, top: string, index: number): string {
    return itemCode(add(top, -f.offset), f.rec, index);
  }

  /** A parameter or variable of the running procedure: a field of the top frame. */
  protected frameVar(r: Extract<Resolution, { k: 'frame' }>, span: A.Span): Val {
    const st = this.stackOf(span);
    const f = this.ownFrame(span);
    const top = this.once(`sqTop(s[${lit(st.off)}], ${lit(st.dom.elem.size)})`);
    return this.valOfCode(f.rec.items[r.index]!, this.once(this.fieldCode(f, top, r.index)));
  }

  /** `x := e` for a parameter or variable of the running procedure: its field in the top frame. */
  protected frameAssign(st: Extract<A.Stmt, { kind: 'assign' }>, r: Extract<Resolution, { k: 'frame' }>, k: () => string): string {
    if (st.target.path.length > 0) return this.fail('assigning part of a procedure variable is not supported by the packed engine', st.span);
    const sl = this.stackOf(st.span);
    const f = this.ownFrame(st.span);
    const d = f.rec.items[r.index]!;
    const [pre, code] = this.capture(() => this.once(this.code(st.value, d)));
    const o = this.fresh('o');
    const t = this.fresh('t');
    const off = lit(sl.off);
    const stride = f.rec.strides[r.index]!;
    return `{\n${pre}\nconst ${o} = s[${off}];\nconst ${t} = sqTop(${o}, ${lit(sl.dom.elem.size)});\ns[${off}] = ${o} + ${mul(`(${code} - ${this.fieldCode(f, t, r.index)})`, stride)};\n${this.wrote(off)}\n${k()}\ns[${off}] = ${o};\n${this.undid(1)}\n}`;
  }

  /** The pc code of a procedure's label in the instance being compiled. */
  private pcOf(label: string, span: A.Span): number {
    const code = this.proc!.labels.indexOf(label);
    if (code < 0) return this.fail('internal: an unknown label', span);
    return code;
  }

  /**
   * `call Q(args)`, followed in its block by `next` (undefined: the end of the block, whose
   * continuation `k` says where it ends): evaluates the arguments and Q's variables' initial
   * values, pushes the frame (a tail call, `call` then `return`, replaces the caller's), and
   * ends the step at Q's first label.
   */
  protected callStmt(st: Extract<A.Stmt, { kind: 'call' }>, next: A.Stmt | undefined, k: () => string): string {
    const sl = this.stackOf(st.span);
    const q = named(this.spec.procedures, st.callee.text);
    const f = q && sl.frames.get(q);
    if (!q || !f) return this.fail('internal: a call of an unknown procedure', st.span);
    let after: Ending | undefined;
    if (next?.kind === 'label') after = { label: next.name.text };
    else if (next?.kind === 'goto') after = { label: next.target.text };
    else if (next?.kind === 'return') after = 'return';
    else if (next === undefined) after = this.endings.get(k);
    if (after === undefined) return this.fail('internal: a call not followed by a label, a return or a goto', st.span);
    const retCode = after === 'return' ? undefined : this.pcOf(this.proc!.qualify ? this.proc!.qualify(after.label) : after.label, st.span);
    const first = this.pcOf(`${q.name}.${q.labels[0]!}`, st.span);
    const kk = lit(sl.dom.elem.size);
    const off = lit(sl.off);
    const [pre, frame] = this.capture(() => {
      const args = st.args.map((a, i) => this.once(this.code(a, f.rec.items[i]!)));
      // The initial values of Q's variables see the constants and the parameters (slots 0..).
      const saved = this.env;
      this.env = new Locals();
      let inits: string[];
      try {
        q.params.forEach((_p, i) => this.env.set(i, this.valOfCode(f.rec.items[i]!, args[i]!)));
        inits = q.locals.map((l, j) => this.once(this.code(l.decl.init!, f.rec.items[q.params.length + j]!)));
      } finally {
        this.env = saved;
      }
      const codes = [...args, ...inits];
      let ret: string;
      if (retCode !== undefined) ret = lit(retCode);
      else {
        // A tail call: Q returns straight to the caller's caller, in place of the caller's frame.
        const own = this.ownFrame(st.span);
        const top = this.once(`sqTop(s[${off}], ${kk})`);
        ret = this.once(this.fieldCode(own, top, own.rec.items.length - 1));
      }
      codes.push(ret);
      const sum = codes.map((c, i) => mul(c, f.rec.strides[i]!)).join(' + ');
      return this.once(add(`(${sum})`, f.offset));
    });
    const base = retCode !== undefined ? `s[${off}]` : `sqPop(s[${off}], ${kk})`;
    const o = this.fresh('o');
    const op = this.fresh('o');
    const pc = lit(this.proc!.inst.pcOff);
    return (
      `{\n${pre}\nconst ${o} = s[${off}];\nconst ${op} = s[${pc}];\n` +
      `s[${off}] = sqAp(${base}, ${frame}, ${kk}, ${lit(sl.dom.max)});\ns[${pc}] = ${lit(first)};\n${this.wrote(off)}\n${this.wrote(pc)}\n` +
      `${this.proc!.finish()}\ns[${pc}] = ${op};\ns[${off}] = ${o};\n${this.undid(2)}\n}`
    );
  }

  /** `return` (or the end of a procedure's body): pops the frame, the pc becomes its `ret`. */
  returnStmt(span: A.Span): string {
    const sl = this.stackOf(span);
    const f = this.ownFrame(span);
    const kk = lit(sl.dom.elem.size);
    const off = lit(sl.off);
    const pc = lit(this.proc!.inst.pcOff);
    const o = this.fresh('o');
    const op = this.fresh('o');
    const t = this.fresh('t');
    return (
      `{\nconst ${o} = s[${off}];\nconst ${op} = s[${pc}];\nconst ${t} = sqTop(${o}, ${kk});\n` +
      `s[${pc}] = ${this.fieldCode(f, t, f.rec.items.length - 1)};\ns[${off}] = sqPop(${o}, ${kk});\n${this.wrote(pc)}\n${this.wrote(off)}\n` +
      `${this.proc!.finish()}\ns[${pc}] = ${op};\ns[${off}] = ${o};\n${this.undid(2)}\n}`
    );
  }
}
