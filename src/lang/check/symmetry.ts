/**
 * Checking `symmetry` declarations (docs/symmetry.md): what each name declares symmetric (an
 * enum, a range type, or a constant set of the values of one), and whether the spec treats
 * those values alike. A spec that names one of them, orders them, or computes with them breaks
 * the symmetry, and reducing by it would give wrong answers: E241 and E242 say where.
 * Runs after the rest of the checker, on its side tables; it changes none of them.
 */
import type * as A from '../ast.js';
import { didYouMean, type Code } from '../diagnostics.js';
import { formatType, type Type } from '../types.js';
import type { CheckedSymmetry, CheckedProcess, CheckedProcedure, Resolution } from './checked.js';
import type { Global } from './base.js';

export interface SymmetryInputs {
  readonly ast: A.SpecAst;
  readonly globals: ReadonlyMap<string, Global>;
  readonly res: ReadonlyMap<object, Resolution>;
  readonly types: ReadonlyMap<A.Expr, Type>;
  readonly processes: readonly CheckedProcess[];
  readonly procedures: readonly CheckedProcedure[];
  readonly error: (code: Code, span: A.Span | undefined, message: string, hint?: string) => void;
}

/** The symmetric sets of one `symmetry` declaration (several declarations: their union). */
export function symmetryTargets(decls: readonly Extract<A.Decl, { kind: 'symmetry' }>[], inp: SymmetryInputs): CheckedSymmetry[] {
  const out: CheckedSymmetry[] = [];
  for (const d of decls) {
    for (const n of d.names) {
      const t = target(n, inp);
      if (t === undefined) continue;
      const clash = out.find((o) => sameType(o.type, t.type));
      if (clash) {
        inp.error('E240', n.span, `'${n.text}' is declared symmetric twice (${clash.name.text} permutes the same values)`, 'name each enum, range type or constant set once');
        continue;
      }
      out.push(t);
    }
  }
  // Instances whose parameter is a symmetric value are permuted with it (src/lang/symmetry.ts,
  // instanceView); a parameter that holds symmetric values inside a tuple or a record is not.
  for (const s of out) {
    for (const p of inp.processes) {
      if (p.param && !sameType(p.param.type, s.type) && containsType(p.param.type, s)) {
        inp.error('E240', p.decl.param!.name.span, `the instances of process '${p.name}' range over values that hold the symmetric ${s.name.text}`, `symmetry reduction permutes the instances of a process whose parameter is one of ${s.name.text}'s values, not a ${formatType(p.param.type)}; make the process an action with a parameter, or drop the symmetry`);
      }
    }
  }
  return out;
}

function target(n: A.Name, inp: SymmetryInputs): CheckedSymmetry | undefined {
  const g = inp.globals.get(n.text);
  const hint = 'symmetry names an enum, a range type (type Page = 1..N), or a constant set of the values of one';
  if (g === undefined) {
    const names = [...inp.globals].filter(([, v]) => v.k === 'type' || v.k === 'const').map(([k]) => k);
    inp.error('E201', n.span, `unknown name '${n.text}'`, didYouMean(n.text, names) ?? hint);
    return undefined;
  }
  if (g.k === 'type' && g.type !== undefined && (g.type.k === 'enum' || (g.type.k === 'int' && g.type.range !== undefined))) {
    return { name: n, type: g.type };
  }
  if (g.k === 'const' && g.c.type.k === 'set') {
    const elem = g.c.type.elem;
    if (elem.k === 'enum' || (elem.k === 'int' && elem.range !== undefined)) return { name: n, type: elem, constIndex: g.c.index };
    inp.error('E240', n.span, `constant '${n.text}' is a set of ${formatType(elem)}, not of the values of an enum or a range type`, hint);
    return undefined;
  }
  const what = g.k === 'type' ? (g.type?.k === 'int' ? 'Int' : `the type ${g.type ? formatType(g.type) : n.text}`) : g.k === 'const' ? `a constant of type ${formatType(g.c.type)}` : `not a type or a constant`;
  inp.error('E240', n.span, `'${n.text}' cannot be symmetric: it is ${what}`, hint);
  return undefined;
}

/** The same enum, or the same range type (by identity: the alias's declaration). */
function sameType(a: Type, b: Type): boolean {
  if (a.k === 'enum' && b.k === 'enum') return a.info === b.info;
  if (a.k === 'int' && b.k === 'int') return a.range !== undefined && a.range === b.range;
  return false;
}

function containsType(t: Type, s: CheckedSymmetry): boolean {
  if (sameType(t, s.type)) return true;
  switch (t.k) {
    case 'set':
    case 'seq':
      return containsType(t.elem, s);
    case 'map':
      return containsType(t.key, s) || containsType(t.value, s);
    case 'tuple':
      return t.items.some((x) => containsType(x, s));
    case 'record':
      return t.types.some((x) => containsType(x, s));
    case 'variant':
      return t.info.cases.some((c) => c.payload !== undefined && containsType(c.payload, s));
    default:
      return false;
  }
}

const ORDER_OPS = new Set(['<', '<=', '>', '>=']);
const ARITH_OPS = new Set(['+', '-', '*', '/', '%', '..']);

/**
 * Reports every expression that breaks one of the symmetries: a symmetric value named (an
 * enum member, an integer literal where a symmetric range's value is meant), ordered or
 * computed with. Every typed expression of the spec is looked at once, whichever check
 * declares the symmetry. The value of a constant set declared symmetric may name its members.
 */
export function symmetryBreaks(syms: readonly CheckedSymmetry[], inp: SymmetryInputs): void {
  if (syms.length === 0) return;
  const symOf = (t: Type | undefined): CheckedSymmetry | undefined => (t === undefined ? undefined : syms.find((s) => sameType(t, s.type)));
  const within = (t: Type | undefined): CheckedSymmetry | undefined => (t === undefined ? undefined : syms.find((s) => containsType(t, s)));
  // The values of the constant sets declared symmetric: naming their members there is how they are defined.
  const exempt: A.Span[] = [];
  for (const s of syms) {
    if (s.constIndex === undefined) continue;
    const g = inp.globals.get(s.name.text);
    if (g?.k === 'const') exempt.push(g.c.decl.value.span);
    for (const v of overridesOf(s, inp)) exempt.push(v.span);
  }
  const isExempt = (sp: A.Span): boolean => exempt.some((x) => x.source === sp.source && sp.start >= x.start && sp.end <= x.end);
  const named = (s: CheckedSymmetry): string => (s.constIndex === undefined ? `symmetric ${s.name.text}` : `symmetric set ${s.name.text}`);
  const reported = new Map<string, { code: Code; sp: A.Span; message: string; hint: string }>();
  const report = (code: Code, sp: A.Span, message: string, hint: string): void => {
    const key = `${code}:${sp.source.path}:${sp.start}`;
    if (!reported.has(key)) reported.set(key, { code, sp, message, hint });
  };
  const exprs = [...inp.types.keys()].sort((a, b) => (a.span.source.path < b.span.source.path ? -1 : a.span.source.path > b.span.source.path ? 1 : a.span.start - b.span.start));
  const literal = (e: A.Expr): e is Extract<A.Expr, { kind: 'int' }> => e.kind === 'int' || (e.kind === 'unary' && e.op === 'neg' && e.arg.kind === 'int');
  literalWrites(
    syms, inp,
    (sp, s) => report('E241', sp, `this literal names one of the values of the ${named(s)}: naming it breaks the symmetry`, `the reduction treats the values of ${s.name.text} as interchangeable; quantify over ${s.name.text} instead, or drop the symmetry declaration`),
    (sp, s) => report('E242', sp, `this loop over values of the ${named(s)} fills a sequence in their order, which breaks the symmetry`, `a permutation of ${s.name.text} reorders them; collect them in a set or a map instead`),
  );
  for (const e of exprs) {
    if (isExempt(e.span)) continue;
    switch (e.kind) {
      case 'name': {
        const r = inp.res.get(e);
        if (r?.k !== 'atom') break;
        const s = syms.find((x) => x.type.k === 'enum' && x.type.info === r.info);
        if (!s) break;
        if (s.constIndex !== undefined && !constNames(s, inp).has(e.name.text)) break;
        report('E241', e.span, `'${e.name.text}' is one of the values of the ${named(s)}: naming it breaks the symmetry`, `the reduction treats the values of ${s.name.text} as interchangeable; quantify over ${s.name.text} instead (forall/exists/pick), or drop the symmetry declaration`);
        break;
      }
      case 'binary': {
        const lt = inp.types.get(e.left);
        const rt = inp.types.get(e.right);
        if (ORDER_OPS.has(e.op)) {
          const s = symOf(lt) ?? symOf(rt);
          if (s) report('E242', e.span, `'${e.op}' orders values of the ${named(s)}, which breaks the symmetry`, `a permutation of ${s.name.text} does not keep their order; compare with == and != only`);
        } else if (ARITH_OPS.has(e.op)) {
          const s = (lt?.k === 'int' ? symOf(lt) : undefined) ?? (rt?.k === 'int' ? symOf(rt) : undefined);
          if (s) report('E242', e.span, `'${e.op}' computes with values of the ${named(s)}, which breaks the symmetry`, `a permutation of ${s.name.text} does not respect arithmetic; use its values as names only`);
        } else if (e.op === '==' || e.op === '!=') {
          const s = (literal(e.right) ? symOf(lt) : undefined) ?? (literal(e.left) ? symOf(rt) : undefined);
          const lit = literal(e.right) ? e.right : e.left;
          if (s) report('E241', lit.span, `this literal names one of the values of the ${named(s)}: naming it breaks the symmetry`, `the reduction treats the values of ${s.name.text} as interchangeable; quantify over ${s.name.text} instead, or drop the symmetry declaration`);
        }
        break;
      }
      case 'index': {
        const tt = inp.types.get(e.target);
        if (tt?.k === 'map' && literal(e.index)) {
          const s = symOf(tt.key);
          if (s) report('E241', e.index.span, `this literal names one of the values of the ${named(s)}: naming it breaks the symmetry`, `the reduction treats the values of ${s.name.text} as interchangeable; quantify over ${s.name.text} instead, or drop the symmetry declaration`);
        } else if (tt?.k === 'seq') {
          const s = symOf(inp.types.get(e.index));
          if (s) report('E242', e.index.span, `a value of the ${named(s)} used as a position in a sequence breaks the symmetry`, `a permutation of ${s.name.text} does not move the items of a sequence; use a Map[${s.name.text}, ...] instead`);
        }
        break;
      }
      case 'call': {
        if (e.callee.text !== 'min' && e.callee.text !== 'max') break;
        const r = inp.res.get(e);
        if (r !== undefined && r.k !== 'builtin') break;
        const s = e.args.map((a) => within(inp.types.get(a))).find((x) => x !== undefined);
        if (s) report('E242', e.span, `'${e.callee.text}' picks by the order of the values of the ${named(s)}, which breaks the symmetry`, `a permutation of ${s.name.text} does not keep their order; pick with 'pick' or 'exists' instead`);
        break;
      }
      case 'choose': {
        const s = within(inp.types.get(e.binder.domain));
        if (s) report('E242', e.span, `'choose' picks the least value in the order of the ${named(s)}, which breaks the symmetry`, `a permutation of ${s.name.text} does not keep their order; use 'pick' (one successor per choice) instead`);
        break;
      }
      case 'seqFor': {
        const dt = inp.types.get(e.binder.domain);
        const s = dt?.k === 'set' ? within(dt.elem) : undefined;
        if (s) report('E242', e.span, `this sequence lists values of the ${named(s)} in their order, which breaks the symmetry`, `a permutation of ${s.name.text} reorders them; keep them in a set or a map instead`);
        break;
      }
      case 'quant': {
        if (e.quant !== 'sum') break;
        const s = symOf(inp.types.get(e.body));
        if (s) report('E242', e.span, `'sum' adds values of the ${named(s)}, which breaks the symmetry`, `a permutation of ${s.name.text} does not respect arithmetic; count them with size(...) instead`);
        break;
      }
      default:
        break;
    }
  }
  // In the order of the source, whichever walk found them.
  const all = [...reported.values()].sort((a, b) => (a.sp.source.path < b.sp.source.path ? -1 : a.sp.source.path > b.sp.source.path ? 1 : a.sp.start - b.sp.start));
  for (const r of all) inp.error(r.code, r.sp, r.message, r.hint);
}

/**
 * Integer literals written into a symmetric range's place by a statement or a declaration:
 * `owner := 1`, `pos[1] := ...` (a map keyed by the range), `var owner: Page = 1`.
 */
function literalWrites(
  syms: readonly CheckedSymmetry[],
  inp: SymmetryInputs,
  report: (sp: A.Span, s: CheckedSymmetry) => void,
  orderLeak: (sp: A.Span, s: CheckedSymmetry) => void,
): void {
  const symOf = (t: Type | undefined): CheckedSymmetry | undefined => (t === undefined ? undefined : syms.find((s) => s.type.k === 'int' && sameType(t, s.type)));
  const literal = (e: A.Expr): boolean => e.kind === 'int' || (e.kind === 'unary' && e.op === 'neg' && e.arg.kind === 'int');
  /** The symmetric set a `for` loop being visited iterates over, innermost first. */
  const loops: CheckedSymmetry[] = [];
  const assign = (st: Extract<A.Stmt, { kind: 'assign' }>): void => {
    const r = inp.res.get(st.target) as { type?: Type } | undefined;
    let t = r?.type;
    for (const sel of st.target.path) {
      if (t === undefined) return;
      if (sel.kind === 'index') {
        if (t.k !== 'map') return;
        const s = symOf(t.key);
        if (s && literal(sel.index)) report(sel.index.span, s);
        t = t.value;
      } else {
        if (t.k !== 'record') return;
        const i = t.fields.indexOf(sel.field.text);
        t = i < 0 ? undefined : t.types[i];
      }
    }
    const s = symOf(t);
    if (s && literal(st.value)) report(st.value.span, s);
    // A sequence filled inside a loop over symmetric values lists them in their order.
    if (t?.k === 'seq' && loops.length > 0) orderLeak(st.span, loops[loops.length - 1]!);
  };
  const visit = (ss: readonly A.Stmt[]): void => {
    for (const st of ss) {
      switch (st.kind) {
        case 'assign':
          assign(st);
          break;
        case 'if':
          visit(st.then);
          if (st.else) visit(st.else);
          break;
        case 'for': {
          const dt = inp.types.get(st.domain);
          const s = dt?.k === 'set' ? syms.find((x) => containsType(dt.elem, x)) : undefined;
          if (s) loops.push(s);
          visit(st.body);
          if (s) loops.pop();
          break;
        }
        case 'while':
          visit(st.body);
          break;
        case 'either':
          st.branches.forEach(visit);
          break;
        case 'match':
          st.arms.forEach((a) => visit(a.body));
          break;
        default:
          break;
      }
    }
  };
  for (const d of inp.ast.decls) {
    if (d.kind === 'init' || d.kind === 'action' || d.kind === 'process' || d.kind === 'procedure') visit(d.body);
    if (d.kind === 'var' && d.init !== undefined && literal(d.init)) {
      const g = inp.globals.get(d.name.text);
      const s = g?.k === 'var' ? symOf(g.v.type) : undefined;
      if (s) report(d.init.span, s);
    }
  }
}

/** The members a constant set target names in its value (the ones it permutes). */
function constNames(s: CheckedSymmetry, inp: SymmetryInputs): Set<string> {
  const g = inp.globals.get(s.name.text);
  const out = new Set<string>();
  if (g?.k !== 'const') return out;
  const visit = (e: A.Expr): void => {
    if (e.kind === 'name') out.add(e.name.text);
    if (e.kind === 'setLit') e.items.forEach(visit);
  };
  const values = [g.c.decl.value, ...overridesOf(s, inp)];
  values.forEach(visit);
  // A constant set written otherwise (a comprehension): every member may be in it.
  if (values.some((v) => v.kind !== 'setLit') && s.type.k === 'enum') for (const m of s.type.info.members) out.add(m);
  return out;
}

/** The values check blocks give the constant a constant set target is. */
function overridesOf(s: CheckedSymmetry, inp: SymmetryInputs): A.Expr[] {
  const out: A.Expr[] = [];
  for (const d of inp.ast.decls) {
    if (d.kind !== 'check') continue;
    for (const c of d.consts) if (c.name.text === s.name.text) out.push(c.value);
  }
  return out;
}
