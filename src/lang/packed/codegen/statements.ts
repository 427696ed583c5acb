/**
 * Generating statements and process steps (labels, `while`, `for`, assignments), each given the
 * code of the rest of the step.
 */
import type * as A from '../../ast.js';
import type { Resolution } from '../../check.js';
import { Unsupported, type Dom, type Shape } from '../dom.js';
import { lit, add, mul, itemCode, sameShape } from './base.js';
import { ProcedureCodeGen } from './procedures.js';
import { MAX_ENUMERATION, MAX_FOR_NESTING } from '../../diagnostics.js';
import { groupDigits } from '../../../values/format.js';

/** The most statements the code of one step nests (stmts). */
const MAX_STMT_NESTING = 1000;
/** The widest value whose slots an assignment writes one statement each; wider ones, by loops. */
const MAX_UNROLLED_WIDTH = 256;
/**
 * The longest rest of a step (in characters of generated code) that each branch of an `if`,
 * `match` or `either` repeats; a longer one is compiled once, as a local function the branches
 * call (join). Repeated, a loop of `if`s unrolled over a type of n values carried 2^n copies of
 * the rest of its step: the memcg reparenting model's steps over 7 pages were past the packed
 * engine's 4 MB of code.
 */
const JOIN_MIN_CHARS = 2000;

export class CodeGen extends ProcedureCodeGen {
  /**
   * With `--coverage`: the guard site of each require, await and pick (src/lang/coverage.ts),
   * whose evaluations and blocks the generated code then counts in `K`. Undefined: no counting
   * code at all.
   */
  guardSites: ReadonlyMap<A.Stmt, number> | undefined;
  /** How many statements enclose the one being generated, in the step's code (MAX_STMT_NESTING). */
  private stmtDepth = 0;

  /** A statement list followed by the continuation `k`, as JS statements. */
  stmts(list: readonly A.Stmt[], i: number, k: () => string): string {
    if (i === list.length) return k();
    const st = list[i]!;
    const rest = (): string => this.scoped(() => this.stmts(list, i + 1, k));
    // Each statement's code encloses the rest of the step's: V8 compiles code nested N blocks
    // deep in time growing as N^2 (0.1 s at 2,000, 15 s at 20,000 statements in a row).
    if (this.stmtDepth >= MAX_STMT_NESTING) {
      throw new Unsupported(`a step of more than ${groupDigits(MAX_STMT_NESTING)} statements one after the other (loops unrolled included) is not supported by the packed engine`, st.span);
    }
    this.stmtDepth++;
    try {
      // Reaching a label ends the step before it; a while loop begins the step of the label before it.
      if (st.kind === 'label') return this.endAt(st.name.text);
      if (isGuard(st) && isGuard(list[i + 1])) return this.guards(list, i, k);
      if (this.isSlotAssign(st) && this.isSlotAssign(list[i + 1])) return this.assigns(list, i, k);
      if (st.kind === 'while') return this.whileStmt(st, (list[i - 1] as Extract<A.Stmt, { kind: 'label' }>).name.text, rest);
      // A call ends the step; what follows it in its block (or ends the block) is its return point.
      if (st.kind === 'call') return this.callStmt(st, list[i + 1], k);
      return this.stmt(st, rest);
    } catch (err) {
      if (err instanceof Unsupported && err.span === undefined) throw new Unsupported(err.message, st.span);
      throw err;
    } finally {
      this.stmtDepth--;
    }
  }

  /**
   * The steps of a process body, as the generic engine defines them (Compiler.stmts): for each
   * label, the statements after it followed by what follows its statement list, `k` at the end
   * of the body; the end of a while body goes back to its label. `define` receives, per label,
   * a generator of its step's code.
   */
  collectSteps(list: readonly A.Stmt[], k: () => string, define: (label: string, step: () => string) => void): void {
    list.forEach((st, i) => {
      const rest = (): string => this.stmts(list, i + 1, k);
      switch (st.kind) {
        case 'label':
          define(st.name.text, rest);
          break;
        case 'if':
          this.collectSteps(st.then, rest, define);
          if (st.else) this.collectSteps(st.else, rest, define);
          break;
        case 'match':
          for (const a of st.arms) this.collectSteps(a.body, rest, define);
          break;
        case 'either':
          for (const b of st.branches) this.collectSteps(b, rest, define);
          break;
        case 'while': {
          const label = (list[i - 1] as Extract<A.Stmt, { kind: 'label' }>).name.text;
          this.collectSteps(st.body, this.ending(() => this.endAt(label), { label }), define);
          break;
        }
        default:
          break;
      }
    });
  }

  /** Ends the step: the pc becomes the label's code, the successor is emitted, the pc restored. */
  endAt(label: string): string {
    const p = this.proc;
    if (!p) return this.fail('internal: a label outside a process');
    const code = p.labels.indexOf(p.qualify ? p.qualify(label) : label);
    if (code < 0) return this.fail('internal: an unknown label');
    const o = this.fresh('o');
    const off = lit(p.inst.pcOff);
    return `{\nconst ${o} = s[${off}];\ns[${off}] = ${lit(code)};\n${this.wrote(off)}\n${p.finish()}\ns[${off}] = ${o};\n${this.undid(1)}\n}`;
  }

  /** `L: while c { body }`: c true runs the body, whose end goes back to L; else what follows. */
  private whileStmt(st: Extract<A.Stmt, { kind: 'while' }>, label: string, k: () => string): string {
    const [pre, c] = this.capture(() => this.bool(st.cond));
    const body = this.scoped(() => this.stmts(st.body, 0, this.ending(() => this.endAt(label), { label })));
    return `${pre}\nif (${c}) {\n${body}\n} else {\n${k()}\n}`;
  }

  /**
   * A run of `require`s and `await`s from list[i]: one block that the first failing guard
   * leaves, the rest of the step inside it after the last guard, instead of an `if` per guard,
   * each enclosing the next (a step of thousands of guards in a row was refused, as nested too
   * deep). The guards are evaluated in order and none after the first that fails, as nested
   * `if`s evaluate them.
   */
  private guards(list: readonly A.Stmt[], i: number, k: () => string): string {
    const block = this.fresh('G');
    const parts: string[] = [];
    let j = i;
    for (let st = list[j]; isGuard(st); st = list[++j]) {
      const [pre, c] = this.capture(() => this.bool(st.cond));
      const g = this.guardSites?.get(st);
      parts.push(g === undefined ? `${pre}\nif (!(${c})) break ${block};` : `${pre}\nK.evaluated[${lit(g)}]++;\nif (!(${c})) {\nK.blocked[${lit(g)}]++;\nbreak ${block};\n}`);
    }
    const rest = this.scoped(() => this.stmts(list, j, k));
    return `${block}: {\n${parts.join('\n')}\n${rest}\n}`;
  }

  /**
   * A run of assignments to state slots, as one block: each one's value, the old codes of its
   * place and the write, in order; then the rest of the step; then the old codes put back, last
   * first. Nested one in another, as any statement encloses the rest of its step's code, a
   * step of thousands of assignments (a line repeated, a long initialisation) was over
   * MAX_STMT_NESTING and ran on the generic engine; a run counts as one statement.
   */
  private assigns(list: readonly A.Stmt[], i: number, k: () => string): string {
    const opens: string[] = [];
    const closes: string[] = [];
    let j = i;
    for (let st = list[j]; this.isSlotAssign(st); st = list[++j]) {
      const { open, close } = this.assignParts(st);
      opens.push(open);
      closes.push(close);
    }
    const rest = this.scoped(() => this.stmts(list, j, k));
    return `{\n${opens.join('\n')}\n${rest}\n${closes.reverse().join('\n')}\n}`;
  }

  /** Whether st assigns a state variable or a process local (not a procedure's frame). */
  private isSlotAssign(st: A.Stmt | undefined): st is Extract<A.Stmt, { kind: 'assign' }> {
    return st !== undefined && st.kind === 'assign' && this.res(st.target).k !== 'frame';
  }

  private stmt(st: A.Stmt, k: () => string): string {
    switch (st.kind) {
      case 'goto':
        return this.endAt(st.target.text);
      case 'return':
        return this.returnStmt(st.span);
      case 'await':
      case 'require': {
        const [pre, c] = this.capture(() => this.bool(st.cond));
        const g = this.guardSites?.get(st);
        if (g !== undefined) return `${pre}\nK.evaluated[${lit(g)}]++;\nif (${c}) {\n${k()}\n} else K.blocked[${lit(g)}]++;`;
        return `${pre}\nif (${c}) {\n${k()}\n}`;
      }
      case 'assert': {
        const [pre, c] = this.capture(() => this.bool(st.cond));
        return `${pre}\nif (!${c}) bail();\n${k()}`;
      }
      case 'let': {
        const [pre] = this.capture(() => this.bindLocal(this.slotOf(st), this.expr(st.value)));
        return `{\n${pre}\n${k()}\n}`;
      }
      case 'pick': {
        const d = this.setElemDom(st.domain);
        const slot = this.slotOf(st);
        // No element: no successor (the generic engine's pick).
        const g = this.guardSites?.get(st);
        const any = g === undefined ? undefined : this.fresh('any');
        const mark = any === undefined ? '' : `${any} = true;\n`;
        const [pre, loop] = this.capture(() =>
          this.iterate(st.domain, d, (val) => {
            this.env.set(slot, val);
            if (!st.where) return mark + k();
            const [wpre, w] = this.capture(() => this.bool(st.where!));
            return `${wpre}\nif (${w}) {\n${mark}${k()}\n}`;
          }),
        );
        if (any !== undefined) return `{\nlet ${any} = false;\n${pre}\n${loop}\nK.evaluated[${lit(g!)}]++;\nif (!${any}) K.blocked[${lit(g!)}]++;\n}`;
        return `{\n${pre}\n${loop}\n}`;
      }
      case 'if': {
        const [pre, c] = this.capture(() => this.bool(st.cond));
        // A condition known when the code is generated (a constant's test): its branch alone.
        if (c === 'true' || c === 'false') return `${pre}\n{\n${this.scoped(() => this.stmts((c === 'true' ? st.then : st.else) ?? [], 0, k))}\n}`;
        const j = this.join(k);
        const then = this.scoped(() => this.stmts(st.then, 0, j.k));
        const els = this.scoped(() => this.stmts(st.else ?? [], 0, j.k));
        return `${pre}\n${j.decl}if (${c}) {\n${then}\n} else {\n${els}\n}`;
      }
      case 'match': {
        const j = this.join(k);
        const [pre, code] = this.capture(() => {
          const scrut = this.expr(st.scrutinee);
          if (scrut.r === 'place' || scrut.r === 'typeset' || scrut.r === 'range') return this.fail('matching on this value is not supported by the packed engine', st.span);
          const sv = this.once(scrut.v);
          const sd = scrut.r === 'code' ? scrut.dom : undefined;
          let out = '';
          let close = '';
          let exhaustive = false;
          for (const arm of st.arms) {
            const test = this.patternTest(arm.pattern, sv, sd, scrut);
            if (!test) {
              out += `{\n${this.scoped(() => this.stmts(arm.body, 0, j.k))}\n}`;
              exhaustive = true;
              break;
            }
            const [tpre, t] = this.capture(test);
            out += `${tpre}\nif (${t}) {\n${this.scoped(() => this.stmts(arm.body, 0, j.k))}\n} else {\n`;
            close += '}';
          }
          if (!exhaustive) out += 'bail();\n';
          return out + close;
        });
        return `${j.decl}${pre}\n${code}`;
      }
      case 'either': {
        // Each branch on the same state, in order, each followed by the rest of the step.
        const j = this.join(k);
        return j.decl + st.branches.map((b) => `{\n${this.scoped(() => this.stmts(b, 0, j.k))}\n}`).join('\n');
      }
      case 'for':
        return this.forStmt(st, k);
      case 'assign':
        return this.assign(st, k);
      default:
        return this.fail(`internal: a '${st.kind}' statement outside a statement list`, st.span);
    }
  }

  /**
   * The rest of a step `k` for the branches of an `if`, `match` or `either`, generated once:
   * repeated as it is in each branch when short, or else a local function (declared by `decl`,
   * before the branches) that each branch calls. Either way the generated code runs as if k
   * were compiled into each branch: k's code reads the state, not what the branch bound (a
   * branch's `let`s are scoped to it), and each branch undoes its writes after k returns. A
   * continuation that ends the step where a `call` finds its return point (`ending`) is left
   * as it is.
   */
  private join(k: () => string): { decl: string; k: () => string } {
    if (this.endsStep(k)) return { decl: '', k };
    const [pre, code] = this.capture(() => this.scoped(k));
    const body = pre === '' ? code : `${pre}\n${code}`;
    if (body.length < JOIN_MIN_CHARS) return { decl: '', k: () => `{\n${body}\n}` };
    const f = this.fresh('J');
    return { decl: `const ${f} = () => {\n${body}\n};\n`, k: () => `${f}();` };
  }

  /**
   * `for x in S { body }`. As in the generic engine, S is evaluated once, before the loop, and
   * its elements are visited in canonical order; each element's body continues with the next
   * element, so it sees the writes of the bodies before it, and the last continues with `k`.
   * Over a type of at most 16 values the loop is unrolled; over any other set of at most 30
   * possible elements (a bitmask), a range, or every value of a larger type, it is a local
   * function that runs the body for the first element left and passes the rest on, `k` being
   * compiled once, at its end.
   */
  private forStmt(st: Extract<A.Stmt, { kind: 'for' }>, k: () => string): string {
    // Each element's body nests the next element and, after the last, the rest of the step:
    // counted as the generic engine counts them, past MAX_FOR_NESTING the generic engine
    // reports E716.
    const nested = (body: string): string => `if (WK.f >= ${lit(MAX_FOR_NESTING)}) bail();\nWK.f++;\n${body}\nWK.f--;`;
    const r = this.spec.res.get(st.domain);
    const slot = this.slotOf(st);
    if (st.domain.kind === 'name' && r?.k === 'typeSet') {
      const d = this.doms.of(r.type);
      if (d.size <= 16) {
        const id = this.orderId(d, st.domain.span);
        const order = id === undefined ? undefined : this.orders[id]!;
        const step = (i: number): string => {
          if (i === d.size) return k();
          this.env.set(slot, this.valOfCode(d, lit(order ? order[i]! : i)));
          return nested(this.stmts(st.body, 0, () => step(i + 1)));
        };
        return `{\n${this.workCharge(lit(d.size))}\n${step(0)}\n}`;
      }
    }
    const d = this.setElemDom(st.domain);
    const f = this.fresh('F');
    const [pre, loop] = this.capture(() => {
      const sd: Dom | undefined = d.size <= 30 ? { k: 'set', elem: d, size: 2 ** d.size, key: `s(${d.key})` } : undefined;
      const x = this.expr(st.domain, sd);
      if (x.r === 'range' && d.k === 'int') {
        const lo = this.once(x.lo.v);
        const hi = this.once(x.hi.v);
        this.emit(`if (${hi} - ${lo} + 1 > ${lit(MAX_ENUMERATION)}) bail();`);
        this.emit(this.workCharge(`(${hi} >= ${lo} ? ${hi} - ${lo} + 1 : 0)`));
        const i = this.fresh('i');
        this.env.set(slot, { r: 'int', v: i, lo: x.lo.lo, hi: x.hi.hi });
        const body = nested(this.stmts(st.body, 0, () => `${f}(${i} + 1);`));
        return `const ${f} = (${i}) => {\nif (${i} > ${hi}) {\n${k()}\n} else {\n${body}\n}\n};\n${f}(${lo});`;
      }
      if (x.r === 'typeset' && x.dom.key === d.key && !sd) {
        // Every value of a type too large for a mask (a type name, or the keys of a map
        // variable): F(j) runs the body for the value at position j of the canonical order.
        this.emit(this.workCharge(lit(d.size)));
        const j = this.fresh('j');
        const b = this.fresh('b');
        const table = this.orderTable(d, st.domain.span);
        this.env.set(slot, this.valOfCode(d, b));
        const body = nested(this.stmts(st.body, 0, () => `${f}(${j} + 1);`));
        return `const ${f} = (${j}) => {\nif (${j} === ${lit(d.size)}) {\n${k()}\n} else {\nconst ${b} = ${table === undefined ? j : `${table}[${j}]`};\n${body}\n}\n};\n${f}(0);`;
      }
      if (!sd) return this.fail('`for` over a set of more than 30 possible elements is not supported by the packed engine', st.domain.span);
      const mask = this.once(this.toCode(x, sd, st.domain.span));
      this.emit(this.workCharge(lit(d.size)));
      const m = this.fresh('m');
      const b = this.fresh('b');
      this.env.set(slot, this.valOfCode(d, b));
      const table = this.orderTable(d, st.domain.span);
      if (table !== undefined) {
        // Codes not in canonical order: F(j) runs the body for the first element of the mask
        // at or after position j of the order.
        const j = this.fresh('j');
        const body = nested(this.stmts(st.body, 0, () => `${f}(${j} + 1);`));
        return `const ${f} = (${j}) => {\nwhile (${j} < ${lit(d.size)} && ((${mask} >>> ${table}[${j}]) & 1) === 0) ${j}++;\nif (${j} === ${lit(d.size)}) {\n${k()}\n} else {\nconst ${b} = ${table}[${j}];\n${body}\n}\n};\n${f}(0);`;
      }
      const body = nested(this.stmts(st.body, 0, () => `${f}(${m} & (${m} - 1));`));
      return `const ${f} = (${m}) => {\nif (${m} === 0) {\n${k()}\n} else {\nconst ${b} = 31 - Math.clz32(${m} & -${m});\n${body}\n}\n};\n${f}(${mask});`;
    });
    return `{\n${pre}\n${loop}\n}`;
  }

  private assign(st: Extract<A.Stmt, { kind: 'assign' }>, k: () => string): string {
    const rf = this.res(st.target) as Extract<Resolution, { k: 'var' | 'plocal' | 'frame' }>;
    if (rf.k === 'frame') return this.frameAssign(st, rf, k);
    const { open, close } = this.assignParts(st);
    return `{\n${open}\n${k()}\n${close}\n}`;
  }

  /**
   * An assignment to a state variable or a process local as the code that makes it (its
   * value, the old codes of its place, the write) and the code that undoes it.
   */
  private assignParts(st: Extract<A.Stmt, { kind: 'assign' }>): { open: string; close: string } {
    const r = this.res(st.target) as Extract<Resolution, { k: 'var' | 'plocal' }>;
    const root = r.k === 'var' ? r.index : this.plocalSlot(r.index, st.span);
    const vl = this.vars[root]!;
    const [pre, parts] = this.capture(() => {
      // The value first, then the place (generic order does not matter: any error bails).
      let sh: Shape = vl.shape;
      // The selectors from `inSlot` on pick a part of a value held in one slot (a code): a
      // field of a record, an element of a sequence.
      let inSlot = st.target.path.length;
      for (const [j, sel] of st.target.path.entries()) {
        if (sh.k === 'leaf') {
          inSlot = j;
          break;
        }
        if (sel.kind === 'index') {
          if (sh.k !== 'map') return this.fail('indexing a value that is not a map is not supported by the packed engine', sel.span);
          sh = sh.val;
        } else {
          if (sh.k !== 'record') return this.fail('internal: a field of a non-record', sel.span);
          sh = sh.items[sh.fields.indexOf(sel.field.text)]!;
        }
      }
      const inner = inSlot < st.target.path.length ? this.slotPath(sh, st.target.path.slice(inSlot)) : undefined;
      const target = sh;
      const codes = inner !== undefined ? [this.once(this.code(st.value, inner.dom))] : target.width > MAX_UNROLLED_WIDTH ? this.wideValue(st.value, target) : this.valueCodes(st.value, target);
      let p: { sh: Shape; off: string } = { sh: vl.shape, off: lit(vl.offset) };
      for (const sel of st.target.path.slice(0, inSlot)) {
        const pv = { r: 'place' as const, sh: p.sh, off: p.off, root };
        p = sel.kind === 'index' ? this.indexPlace(pv, sel.index, sel.span) : this.fieldPlace(pv, (p.sh as { fields: readonly string[] }).fields.indexOf(sel.field.text));
      }
      if (this.initMode && st.target.path.length > 0) this.emit(`un(s[${lit(vl.offset)}]);`);
      const off = this.once(p.off);
      if (inner !== undefined) {
        const old = this.once(this.initMode ? `un(s[${off}])` : `s[${off}]`);
        // The slot's code as read, which the write is undone with (init mode reads it checked).
        return { codes: [inner.update(old, codes[0]!)], off, width: 1, saved: this.initMode ? undefined : old };
      }
      return { codes, off, width: target.width };
    });
    if (typeof parts.codes === 'string') {
      // A wide value, in an array: written and put back by loops.
      const o = this.fresh('O');
      const i = this.fresh('i');
      const W = lit(parts.width);
      const copy = (from: string, record: string): string => `for (let ${i} = 0; ${i} < ${W}; ${i}++) {\ns[${parts.off} + ${i}] = ${from}[${i}];\n${record}\n}`;
      const save = `const ${o} = s.slice(${parts.off}, ${parts.off} + ${W});`;
      return { open: `${pre}\n${save}\n${copy(parts.codes, this.wrote(`${parts.off} + ${i}`))}`, close: `${copy(o, '')}\n${this.undid(W)}` };
    }
    const saved = 'saved' in parts ? parts.saved : undefined;
    const olds = saved !== undefined ? [saved] : parts.codes.map(() => this.fresh('o'));
    const save = saved !== undefined ? '' : olds.map((o, j) => `const ${o} = s[${add(parts.off, j)}];`).join(' ');
    const write = parts.codes.map((c, j) => `s[${add(parts.off, j)}] = ${c};${this.wrote(add(parts.off, j))}`).join(' ');
    const restore = olds.map((o, j) => `s[${add(parts.off, j)}] = ${o};`).join(' ');
    return { open: `${pre}\n${save}\n${write}`, close: `${restore}\n${this.undid(olds.length)}` };
  }

  /**
   * What `path` picks inside a value held in one slot of shape `sh` (fields of records, elements
   * of sequences, nested): its domain, and `update`, the slot's new code given its old one and
   * the code written there. A field's digit is replaced, old + (new − old digit) · stride; an
   * element by sqSet, its index out of the sequence a bail (the generic engine's error).
   */
  private slotPath(sh: Shape, path: readonly A.LSelector[]): { dom: Dom; update: (old: string, x: string) => string } {
    if (sh.k !== 'leaf') return this.fail('internal: a part of a value held in one slot outside a slot');
    // Each step gets the old code of its part and `inner`, the new code of that part given its
    // old one; `last`: the part is the one assigned, whose old code inner does not read.
    const steps: ((old: string, inner: (sub: string) => string, last: boolean) => string)[] = [];
    let dom = sh.dom;
    for (const sel of path) {
      if (sel.kind === 'field') {
        if (dom.k !== 'record') return this.fail('internal: a field of a non-record', sel.span);
        const d = dom;
        const i = d.fields.indexOf(sel.field.text);
        steps.push((old, inner) => {
          const digit = this.once(itemCode(old, d, i));
          return `(${old} + ${mul(`(${inner(digit)} - ${digit})`, d.strides[i]!)})`;
        });
        dom = d.items[i]!;
      } else {
        if (dom.k !== 'seq') return this.fail('indexing a value that is not a map or a sequence is not supported by the packed engine', sel.span);
        const k = lit(dom.elem.size);
        const index = sel.index;
        steps.push((old, inner, last) => {
          const i = this.once(this.int(index).v);
          // The element read only when a part of it is assigned (sqSet checks the index as
          // sqAt does, and the value was computed before).
          const elem = last ? '' : this.once(`sqAt(${old}, ${i}, ${k})`);
          return `sqSet(${old}, ${i}, ${this.once(inner(elem))}, ${k})`;
        });
        dom = dom.elem;
      }
    }
    const update = (old: string, x: string, j = 0): string => (j === steps.length ? x : steps[j]!(old, (sub) => update(sub, x, j + 1), j + 1 === steps.length));
    return { dom, update };
  }

  /**
   * The name of an array of the codes to write into the slots of a place of shape `sh`, wider
   * than MAX_UNROLLED_WIDTH: filled by a loop, each evaluated (and range checked) before any is
   * written. A map built over its whole key type, or another place of the same shape.
   */
  private wideValue(e: A.Expr, sh: Shape): string {
    const t = this.fresh('T');
    if (sh.k === 'map' && e.kind === 'mapFor') {
      if (!this.overKeyType(e, sh)) return this.fail('a map of more than 256 slots built over a domain other than its key type is not supported by the packed engine', e.span);
      const c = this.fresh('c');
      const vw = sh.val.width;
      this.emit(this.workCharge(lit(sh.keyDom.size)));
      this.emit(`const ${t} = new Array(${lit(sh.width)});`);
      const [body, codes] = this.scoped(() =>
        this.capture(() => {
          this.env.set(this.slotOf(e.binder), this.valOfCode(sh.keyDom, c));
          return this.valueCodes(e.body, sh.val);
        }),
      );
      const writes = codes.map((x, j) => `${t}[${c} * ${lit(vw)} + ${lit(j)}] = ${x};`).join('\n');
      this.emit(`for (let ${c} = 0; ${c} < ${lit(sh.keyDom.size)}; ${c}++) {\n${body}\n${writes}\n}`);
      return t;
    }
    const v = this.expr(e);
    if (v.r !== 'place' || !sameShape(v.sh, sh)) return this.fail('assigning this map or record value of more than 256 slots is not supported by the packed engine', e.span);
    const off = this.once(v.off);
    const i = this.fresh('i');
    this.emit(`const ${t} = new Array(${lit(sh.width)});`);
    this.emit(`for (let ${i} = 0; ${i} < ${lit(sh.width)}; ${i}++) ${t}[${i}] = ${this.initMode ? `un(s[${off} + ${i}])` : `s[${off} + ${i}]`};`);
    return t;
  }

  /** Whether a map built with `for` ranges over its key type by name, which holds every key. */
  private overKeyType(e: Extract<A.Expr, { kind: 'mapFor' }>, sh: Extract<Shape, { k: 'map' }>): boolean {
    const r = this.spec.res.get(e.binder.domain);
    return e.binder.domain.kind === 'name' && r?.k === 'typeSet' && this.doms.of(r.type).key === sh.keyDom.key;
  }

  /**
   * The codes to write into the slots of a place of shape `sh`, each evaluated (and range
   * checked) before any is written.
   */
  private valueCodes(e: A.Expr, sh: Shape): string[] {
    if (sh.k === 'leaf') return [this.once(this.code(e, sh.dom))];
    if (sh.width > MAX_UNROLLED_WIDTH) return this.fail('assigning a map or record of more than 256 slots as a whole, inside another value, is not supported by the packed engine', e.span);
    if (sh.k === 'map' && e.kind === 'mapFor') {
      const dom = e.binder.domain;
      if (!this.overKeyType(e, sh)) {
        // Any other domain must be all of the key type at run time.
        const sd: Dom = { k: 'set', elem: sh.keyDom, size: 2 ** sh.keyDom.size, key: `s(${sh.keyDom.key})` };
        if (sh.keyDom.size > 30) return this.fail('a map built over a domain other than its key type is not supported by the packed engine', e.span);
        const m = this.code(dom, sd);
        this.emit(`if (${m} !== ${lit(2 ** sh.keyDom.size - 1)}) bail();`);
      }
      const slot = this.slotOf(e.binder);
      const out: string[] = [];
      this.emit(this.workCharge(lit(sh.keyDom.size)));
      for (let c = 0; c < sh.keyDom.size; c++) {
        this.env.set(slot, this.valOfCode(sh.keyDom, lit(c)));
        out.push(...this.valueCodes(e.body, sh.val));
      }
      return out;
    }
    if ((sh.k === 'record' || sh.k === 'tuple') && (e.kind === 'record' || e.kind === 'tuple')) {
      const items: A.Expr[] = e.kind === 'tuple' ? e.items : sh.fields.map((f) => e.fields.find((x) => x.name.text === f)!.value);
      return items.flatMap((x, i) => this.valueCodes(x, sh.items[i]!));
    }
    const v = this.expr(e);
    if (v.r !== 'place' || !sameShape(v.sh, sh)) return this.fail('assigning this map or record value is not supported by the packed engine', e.span);
    const off = this.once(v.off);
    const out: string[] = [];
    for (let j = 0; j < sh.width; j++) out.push(this.once(this.initMode ? `un(s[${add(off, j)}])` : `s[${add(off, j)}]`));
    return out;
  }
}

/** A `require` or an `await`: a guard, which ends the step's code when false. */
function isGuard(st: A.Stmt | undefined): st is Extract<A.Stmt, { kind: 'require' | 'await' }> {
  return st !== undefined && (st.kind === 'require' || st.kind === 'await');
}
