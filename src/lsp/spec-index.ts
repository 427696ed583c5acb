/**
 * The index a language server answers from: every declared name of one spec file (a symbol)
 * and every place a name is written that refers to one (an occurrence), as offsets into the
 * file's text. Built from the parsed AST and the checker's resolutions (`res`, keyed by the
 * name expressions, calls, patterns and lvalues it resolved); the walk over the AST supplies
 * what the checker does not record as a resolution: where each local name is bound and how far
 * it is visible, labels, types written in declarations, fairness and check items.
 *
 * It works on a spec with errors too (the resolutions found so far), and reads nothing but the
 * AST: no ohm, no LSP types.
 */
import type * as A from '../lang/ast.js';
import type { Resolution } from '../lang/check.js';
import { formatType, type Type } from '../lang/types.js';

export type SymbolKind =
  | 'const' | 'var' | 'enum' | 'member' | 'variant' | 'case' | 'type' | 'def' | 'action'
  | 'process' | 'procedure' | 'invariant' | 'property' | 'stepProperty' | 'view' | 'constraint'
  | 'check' | 'import'
  /** A name bound by let, pick, for, a quantifier, a pattern, or a parameter. */
  | 'local'
  /** A variable of a process (one per instance), or a parameter or variable of a procedure. */
  | 'processVar'
  | 'label';

export interface Range {
  readonly start: number;
  readonly end: number;
}

export interface SpecSymbol {
  readonly name: string;
  readonly kind: SymbolKind;
  /** Where the name is declared. */
  readonly nameSpan: Range;
  /** The whole declaration. */
  readonly declSpan: Range;
  /** The declaration as a line of spex (`var x: 0..5`, `def f(a: Int): Bool`), for hovers. */
  detail: string;
  /** The `//` comment lines directly above the declaration, without the slashes. */
  readonly doc: string | undefined;
  /** The declaration it belongs to: the enum of a member, the process of a label, ... */
  readonly container: SpecSymbol | undefined;
  /** Where the name can be used, for names that are not global (locals, process variables, labels). */
  readonly scope: Range | undefined;
  /** Nested declarations, for the outline. */
  readonly children: SpecSymbol[];
}

export interface Occurrence extends Range {
  readonly symbol: SpecSymbol;
  /** Whether this is the declaration itself. */
  readonly decl: boolean;
}

export interface SpecIndex {
  readonly text: string;
  /** Top-level declarations, in order, with their children (the outline). */
  readonly outline: readonly SpecSymbol[];
  /** Every symbol. */
  readonly symbols: readonly SpecSymbol[];
  /** Sorted by start offset. */
  readonly occurrences: readonly Occurrence[];
  /** Global names (declared at the top level). */
  readonly globals: ReadonlyMap<string, SpecSymbol>;
  /** The check blocks: their names' spans. */
  readonly checks: readonly { readonly name: string; readonly span: Range; readonly nameSpan: Range }[];
}

/** The occurrence at an offset (a cursor just after a name counts), if any. */
export function occurrenceAt(index: SpecIndex, offset: number): Occurrence | undefined {
  let found: Occurrence | undefined;
  for (const o of index.occurrences) {
    if (o.start > offset) break;
    if (offset <= o.end) found = o;
  }
  return found;
}

/** Every occurrence of a symbol, declaration included, in order. */
export function referencesOf(index: SpecIndex, symbol: SpecSymbol): Occurrence[] {
  return index.occurrences.filter((o) => o.symbol === symbol);
}

/** The names usable at an offset: globals, then the locals, process variables and labels in scope there. */
export function visibleAt(index: SpecIndex, offset: number): SpecSymbol[] {
  const out: SpecSymbol[] = [];
  for (const s of index.symbols) {
    if (s.scope === undefined) {
      if (s.kind !== 'check') out.push(s);
    } else if (s.scope.start <= offset && offset <= s.scope.end) out.push(s);
  }
  return out;
}

/** The doc comment of a declaration starting at `start`: the `//` lines directly above it. */
export function docComment(text: string, start: number): string | undefined {
  const lineStart = text.lastIndexOf('\n', start - 1) + 1;
  // Something else before the declaration on its line: no doc comment.
  if (text.slice(lineStart, start).trim() !== '') return undefined;
  const lines: string[] = [];
  let end = lineStart - 1;
  while (end >= 0) {
    const from = text.lastIndexOf('\n', end - 1) + 1;
    const line = text.slice(from, end).trim();
    if (!line.startsWith('//')) break;
    lines.unshift(line.replace(/^\/\/\/?\s?/, ''));
    end = from - 1;
  }
  return lines.length > 0 ? lines.join('\n') : undefined;
}

type Scope = ReadonlyMap<string, SpecSymbol>;

/** What a walk of a body knows: the process or procedure it is in (for labels and their variables). */
interface Ctx {
  readonly owner: SpecSymbol | undefined;
}

class Builder {
  readonly symbols: SpecSymbol[] = [];
  readonly occurrences: Occurrence[] = [];
  readonly globals = new Map<string, SpecSymbol>();
  /** Process and procedure variables and labels by owner name, then name. */
  readonly owned = new Map<string, Map<string, SpecSymbol>>();
  readonly ownedLabels = new Map<string, Map<string, SpecSymbol>>();
  readonly outline: SpecSymbol[] = [];
  readonly checks: { name: string; span: Range; nameSpan: Range }[] = [];

  constructor(
    readonly ast: A.SpecAst,
    readonly res: ReadonlyMap<object, Resolution>,
    readonly types: ReadonlyMap<A.Expr, Type>,
  ) {}

  private get text(): string {
    return this.ast.source.text;
  }

  private slice(s: { span: A.Span }): string {
    return this.text.slice(s.span.start, s.span.end).replace(/\s+/g, ' ');
  }

  private mine(span: A.Span): boolean {
    return span.source === this.ast.source || span.source.text === this.text;
  }

  symbol(
    name: A.Name,
    kind: SymbolKind,
    decl: { span: A.Span },
    detail: string,
    opts: { container?: SpecSymbol; scope?: Range; doc?: boolean } = {},
  ): SpecSymbol {
    const s: SpecSymbol = {
      name: name.text,
      kind,
      nameSpan: { start: name.span.start, end: name.span.end },
      declSpan: { start: decl.span.start, end: decl.span.end },
      detail,
      doc: opts.doc ? docComment(this.text, decl.span.start) : undefined,
      container: opts.container,
      scope: opts.scope,
      children: [],
    };
    this.symbols.push(s);
    if (opts.container) opts.container.children.push(s);
    if (this.mine(name.span)) this.occurrences.push({ start: name.span.start, end: name.span.end, symbol: s, decl: true });
    return s;
  }

  use(name: A.Name | { span: A.Span }, s: SpecSymbol | undefined, span: A.Span = name.span): void {
    if (!s || !this.mine(span)) return;
    this.occurrences.push({ start: span.start, end: span.end, symbol: s, decl: false });
  }

  global(name: A.Name, kind: SymbolKind, decl: { span: A.Span }, detail: string): SpecSymbol {
    const s = this.symbol(name, kind, decl, detail, { doc: true });
    if (!this.globals.has(name.text)) this.globals.set(name.text, s);
    this.outline.push(s);
    return s;
  }

  private ownedMap(m: Map<string, Map<string, SpecSymbol>>, owner: string): Map<string, SpecSymbol> {
    let x = m.get(owner);
    if (!x) m.set(owner, (x = new Map()));
    return x;
  }

  /** Declares every global name (so that uses may come before declarations), with its children. */
  declareAll(): void {
    for (const d of this.ast.decls) {
      switch (d.kind) {
        case 'const':
          this.global(d.name, 'const', d, `const ${d.name.text}: ${this.slice(d.type)}${d.value.span.end - d.value.span.start <= 60 ? ` = ${this.slice(d.value)}` : ''}`);
          break;
        case 'enum': {
          const e = this.global(d.name, 'enum', d, `enum ${d.name.text} { ${d.members.map((m) => m.text).join(', ')} }`);
          for (const m of d.members) {
            const s = this.symbol(m, 'member', { span: m.span }, `${m.text}: ${d.name.text}`, { container: e });
            if (!this.globals.has(m.text)) this.globals.set(m.text, s);
          }
          break;
        }
        case 'typeAlias':
          this.global(d.name, 'type', d, `type ${d.name.text} = ${this.slice(d.type)}`);
          break;
        case 'variant': {
          const cases = d.cases.map((c) => (c.payload ? `${c.name.text}(${this.slice(c.payload)})` : c.name.text));
          const v = this.global(d.name, 'variant', d, `type ${d.name.text} = ${cases.join(' | ')}`);
          d.cases.forEach((c, i) => {
            const s = this.symbol(c.name, 'case', { span: c.name.span }, `${cases[i]}: ${d.name.text}`, { container: v });
            if (!this.globals.has(c.name.text)) this.globals.set(c.name.text, s);
          });
          break;
        }
        case 'var':
          this.global(d.name, 'var', d, `var ${d.name.text}: ${this.slice(d.type)}`);
          break;
        case 'def': {
          const params = d.params.map((p) => `${p.name.text}: ${this.slice(p.type)}`).join(', ');
          this.global(d.name, 'def', d, `def ${d.name.text}${d.params.length > 0 ? `(${params})` : ''}: ${this.slice(d.result)}`);
          break;
        }
        case 'action':
          this.global(d.name, 'action', d, `${d.fair ? (d.fair.strong ? 'strong fair ' : 'fair ') : ''}action ${d.name.text}${d.params.length > 0 ? `(${d.params.map((p) => this.paramText(p)).join(', ')})` : ''}`);
          break;
        case 'process': {
          const p = this.global(d.name, 'process', d, `${d.fair ? (d.fair.strong ? 'strong fair ' : 'fair ') : ''}process ${d.name.text}${d.param ? `(${this.paramText(d.param)})` : ''}`);
          const scope = { start: d.span.start, end: d.span.end };
          const vars = this.ownedMap(this.owned, d.name.text);
          for (const l of d.locals) {
            vars.set(l.name.text, this.symbol(l.name, 'processVar', l, `var ${l.name.text}: ${this.slice(l.type)}  (a variable of process ${d.name.text})`, { container: p, scope }));
          }
          this.declareLabels(d.body, p, scope);
          break;
        }
        case 'procedure': {
          const params = d.params.map((x) => `${x.name.text}: ${this.slice(x.type)}`).join(', ');
          const p = this.global(d.name, 'procedure', d, `procedure ${d.name.text}(${params})`);
          const scope = { start: d.span.start, end: d.span.end };
          const vars = this.ownedMap(this.owned, d.name.text);
          for (const x of d.params) {
            vars.set(x.name.text, this.symbol(x.name, 'processVar', { span: x.name.span }, `${x.name.text}: ${this.slice(x.type)}  (a parameter of procedure ${d.name.text})`, { container: p, scope }));
          }
          for (const l of d.locals) {
            vars.set(l.name.text, this.symbol(l.name, 'processVar', l, `var ${l.name.text}: ${this.slice(l.type)}  (a variable of procedure ${d.name.text})`, { container: p, scope }));
          }
          this.declareLabels(d.body, p, scope);
          break;
        }
        case 'invariant':
          this.global(d.name, 'invariant', d, `invariant ${d.name.text}${this.body(d.body.span.start, d.body.span.end)}`);
          break;
        case 'property':
          this.global(d.name, 'property', d, `property ${d.name.text}${this.body(d.name.span.end, d.span.end)}`);
          break;
        case 'stepProperty':
          this.global(d.name, 'stepProperty', d, `always step ${d.name.text}${this.body(d.body.span.start, d.body.span.end)}`);
          break;
        case 'view':
          this.global(d.name, 'view', d, `view ${d.name.text}${this.body(d.body.span.start, d.body.span.end)}`);
          break;
        case 'constraint':
          this.global(d.name, 'constraint', d, `${d.action ? 'action ' : ''}constraint ${d.name.text}${this.body(d.body.span.start, d.body.span.end)}`);
          break;
        case 'import':
          this.global(d.name, 'import', d, `import ${d.name.text} from "${d.path}"`);
          break;
        case 'check': {
          const c = this.symbol(d.name, 'check', d, `check ${d.name.text}`, { doc: true });
          this.outline.push(c);
          this.checks.push({ name: d.name.text, span: { start: d.span.start, end: d.span.end }, nameSpan: { start: d.name.span.start, end: d.name.span.end } });
          const scope = { start: d.span.start, end: d.span.end };
          for (const k of d.constraints) {
            this.symbol(k.name, 'constraint', k, `${k.action ? 'action ' : ''}constraint ${k.name.text}  (in check ${d.name.text})`, { container: c, scope });
          }
          break;
        }
        case 'init':
        case 'fairness':
        case 'refines':
          break;
      }
    }
  }

  /** `: <text>` of a declaration's body (from `from` to `end`), for its hover, when it is short; else nothing. */
  private body(from: number, end: number): string {
    const text = this.text.slice(from, end).replace(/^\s*:\s*/, '').replace(/\s+/g, ' ');
    return text.length <= 80 ? `: ${text}` : '';
  }

  private paramText(p: A.ActionParam): string {
    return p.kind === 'typed' ? `${p.name.text}: ${this.slice(p.type)}` : `${p.name.text} in ${this.slice(p.domain)}`;
  }

  private declareLabels(body: A.Stmt[], owner: SpecSymbol, scope: Range): void {
    const labels = this.ownedMap(this.ownedLabels, owner.name);
    const visit = (stmts: A.Stmt[]): void => {
      for (const s of stmts) {
        switch (s.kind) {
          case 'label':
            if (!labels.has(s.name.text)) {
              labels.set(s.name.text, this.symbol(s.name, 'label', s, `${s.end ? 'end ' : ''}${s.name.text}:  (a label of ${owner.kind} ${owner.name})`, { container: owner, scope }));
            }
            break;
          case 'if':
            visit(s.then);
            if (s.else) visit(s.else);
            break;
          case 'for':
          case 'while':
            visit(s.body);
            break;
          case 'match':
            s.arms.forEach((a) => visit(a.body));
            break;
          case 'either':
            s.branches.forEach(visit);
            break;
          default:
            break;
        }
      }
    };
    visit(body);
  }

  // ------------------------------------------------------------ uses

  private local(name: A.Name, type: string | undefined, scope: Range, what = 'local'): SpecSymbol {
    return this.symbol(name, 'local', { span: name.span }, `(${what}) ${name.text}${type !== undefined ? `: ${type}` : ''}`, { scope });
  }

  private typeOf(e: A.Expr): Type | undefined {
    const t = this.types.get(e);
    return t && t.k !== 'any' ? t : undefined;
  }

  private elemOf(e: A.Expr): string | undefined {
    const t = this.typeOf(e);
    return t && (t.k === 'set' || t.k === 'seq') && t.elem.k !== 'any' ? formatType(t.elem) : undefined;
  }

  private bind(scope: Scope, s: SpecSymbol): Scope {
    const m = new Map(scope);
    m.set(s.name, s);
    return m;
  }

  /** The symbol a name refers to: as the checker resolved it, else (code with errors) by scope. */
  private resolve(name: A.Name, node: object | undefined, scope: Scope, ctx: Ctx): SpecSymbol | undefined {
    const r = node ? this.res.get(node) : undefined;
    const owned = (owner: string): SpecSymbol | undefined => this.owned.get(owner)?.get(name.text);
    if (r) {
      switch (r.k) {
        case 'local': {
          const s = scope.get(name.text);
          if (s && r.type.k !== 'any' && !s.detail.includes(':')) s.detail += `: ${formatType(r.type)}`;
          return s;
        }
        case 'plocal':
          return owned(r.proc.name);
        case 'frame':
          return owned(r.proc.name);
        case 'builtin':
          return undefined;
        case 'case':
          return r.info.name === 'Option' ? undefined : this.globals.get(name.text);
        default:
          return this.globals.get(name.text);
      }
    }
    return scope.get(name.text) ?? (ctx.owner ? owned(ctx.owner.name) : undefined) ?? this.globals.get(name.text);
  }

  type(t: A.TypeExpr): void {
    switch (t.kind) {
      case 'named':
        this.use(t.name, this.globals.get(t.name.text));
        break;
      case 'set':
      case 'seq':
      case 'option':
        this.type(t.elem);
        break;
      case 'map':
        this.type(t.key);
        this.type(t.value);
        break;
      case 'tuple':
        t.items.forEach((x) => this.type(x));
        break;
      case 'record':
        t.fields.forEach((f) => this.type(f.type));
        break;
      case 'range':
        this.expr(t.lo, new Map(), { owner: undefined });
        this.expr(t.hi, new Map(), { owner: undefined });
        break;
    }
  }

  /** Binds the binders one after another (each domain sees the ones before); returns the inner scope. */
  private binders(binders: A.Binder[], scope: Scope, ctx: Ctx, visible: Range): Scope {
    let s = scope;
    for (const b of binders) {
      this.expr(b.domain, s, ctx);
      s = this.bind(s, this.local(b.name, this.elemOf(b.domain), visible));
    }
    return s;
  }

  expr(e: A.Expr, scope: Scope, ctx: Ctx): void {
    const range = { start: e.span.start, end: e.span.end };
    switch (e.kind) {
      case 'int':
      case 'bool':
        return;
      case 'name':
        this.use(e.name, this.resolve(e.name, e, scope, ctx));
        return;
      case 'primed':
        this.use(e.name, this.globals.get(e.name.text));
        return;
      case 'call':
        this.use(e.callee, this.resolve(e.callee, e, new Map(), { owner: undefined }));
        e.args.forEach((a) => this.expr(a, scope, ctx));
        return;
      case 'unary':
        this.expr(e.arg, scope, ctx);
        return;
      case 'binary':
        this.expr(e.left, scope, ctx);
        this.expr(e.right, scope, ctx);
        return;
      case 'is': {
        this.expr(e.arg, scope, ctx);
        const g = this.globals.get(e.tag.text);
        if (g?.kind === 'case') this.use(e.tag, g);
        return;
      }
      case 'index':
        this.expr(e.target, scope, ctx);
        this.expr(e.index, scope, ctx);
        return;
      case 'field': {
        const r = this.res.get(e);
        if (r?.k === 'pvar') {
          // `P(i).x` / `P.x`: the process, then its variable.
          const t = e.target;
          const pname = t.kind === 'call' ? t.callee : t.kind === 'name' ? t.name : undefined;
          if (pname) this.use(pname, this.globals.get(pname.text));
          if (t.kind === 'call') t.args.forEach((a) => this.expr(a, scope, ctx));
          this.use(e.field, this.owned.get(r.proc.name)?.get(e.field.text));
          return;
        }
        this.expr(e.target, scope, ctx);
        return;
      }
      case 'tupleItem':
        this.expr(e.target, scope, ctx);
        return;
      case 'withIndex':
        this.expr(e.target, scope, ctx);
        this.expr(e.index, scope, ctx);
        this.expr(e.value, scope, ctx);
        return;
      case 'withFields':
        this.expr(e.target, scope, ctx);
        e.fields.forEach((f) => this.expr(f.value, scope, ctx));
        return;
      case 'tuple':
      case 'setLit':
      case 'seqLit':
        e.items.forEach((x) => this.expr(x, scope, ctx));
        return;
      case 'mapLit':
        e.entries.forEach((x) => {
          this.expr(x.key, scope, ctx);
          this.expr(x.value, scope, ctx);
        });
        return;
      case 'record':
        e.fields.forEach((f) => this.expr(f.value, scope, ctx));
        return;
      case 'filter':
      case 'seqFilter':
        this.expr(e.cond, this.binders([e.binder], scope, ctx, range), ctx);
        return;
      case 'mapFor':
      case 'seqFor':
        this.expr(e.body, this.binders([e.binder], scope, ctx, range), ctx);
        return;
      case 'image':
        this.expr(e.body, this.binders(e.binders, scope, ctx, range), ctx);
        return;
      case 'quant':
        this.expr(e.body, this.binders(e.binders, scope, ctx, range), ctx);
        return;
      case 'choose':
        this.expr(e.cond, this.binders([e.binder], scope, ctx, range), ctx);
        return;
      case 'ifThen':
        this.expr(e.cond, scope, ctx);
        this.expr(e.then, scope, ctx);
        this.expr(e.else, scope, ctx);
        return;
      case 'let': {
        this.expr(e.value, scope, ctx);
        const t = this.typeOf(e.value);
        this.expr(e.body, this.bind(scope, this.local(e.name, t ? formatType(t) : undefined, range)), ctx);
        return;
      }
      case 'match':
        this.expr(e.scrutinee, scope, ctx);
        for (const arm of e.arms) this.expr(arm.body, this.pattern(arm.pattern, scope, { start: arm.pattern.span.start, end: arm.body.span.end }), ctx);
        return;
      case 'at': {
        const t = e.target;
        const pname = t.kind === 'name' ? t.name : t.kind === 'call' ? t.callee : undefined;
        const proc = pname ? this.globals.get(pname.text) : undefined;
        if (pname && proc?.kind === 'process') this.use(pname, proc);
        if (t.kind === 'call') t.args.forEach((a) => this.expr(a, scope, ctx));
        else if (t.kind !== 'name') this.expr(t, scope, ctx);
        if (proc?.kind !== 'process') return;
        for (const l of e.labels ?? [e.label]) this.atLabel(l, proc);
        return;
      }
    }
  }

  /** The label of `P(i) at L`, or `proc.L` for a label of a procedure P calls. */
  private atLabel(l: A.Name, proc: SpecSymbol): void {
    const dot = l.text.indexOf('.');
    if (dot < 0) {
      this.use(l, this.ownedLabels.get(proc.name)?.get(l.text));
      return;
    }
    const procName = l.text.slice(0, dot);
    const label = l.text.slice(dot + 1).trim();
    const callee = this.globals.get(procName);
    // New spans, not spreads of the name's: a name node keeps its end on its prototype (ast.ts).
    const { source, start, end } = l.span;
    this.use(l, callee, { source, start, end: start + procName.length });
    this.use(l, this.ownedLabels.get(procName)?.get(label), { source, start: end - label.length, end });
  }

  /** A pattern: its case or enum member, and (a payload) the name it binds, visible in `visible`. */
  private pattern(p: A.Pattern, scope: Scope, visible: Range): Scope {
    if (p.kind === 'name' || p.kind === 'payload') {
      const tag = p.kind === 'name' ? p.name : p.tag;
      const r = this.res.get(p);
      const g = this.globals.get(tag.text);
      if (!(r?.k === 'case' && r.info.name === 'Option') && (g?.kind === 'case' || g?.kind === 'member')) this.use(tag, g);
      if (p.kind === 'payload' && p.bind.text !== '_') {
        const t = r?.k === 'case' ? r.info.cases[r.tagIndex]?.payload : undefined;
        return this.bind(scope, this.local(p.bind, t && t.k !== 'any' ? formatType(t) : undefined, visible));
      }
    }
    return scope;
  }

  /** A statement list; names bound by let and pick are visible to the end of `blockEnd`. */
  stmts(list: A.Stmt[], scope: Scope, ctx: Ctx, blockEnd: number): void {
    let s = scope;
    for (const st of list) s = this.stmt(st, s, ctx, blockEnd);
  }

  private stmt(st: A.Stmt, scope: Scope, ctx: Ctx, blockEnd: number): Scope {
    const rest = { start: st.span.start, end: blockEnd };
    switch (st.kind) {
      case 'require':
      case 'await':
      case 'assert':
        this.expr(st.cond, scope, ctx);
        return scope;
      case 'let': {
        this.expr(st.value, scope, ctx);
        const t = this.typeOf(st.value);
        return this.bind(scope, this.local(st.name, t ? formatType(t) : undefined, rest));
      }
      case 'pick': {
        this.expr(st.domain, scope, ctx);
        const inner = this.bind(scope, this.local(st.name, this.elemOf(st.domain), rest));
        if (st.where) this.expr(st.where, inner, ctx);
        return inner;
      }
      case 'if':
        this.expr(st.cond, scope, ctx);
        this.stmts(st.then, scope, ctx, st.span.end);
        if (st.else) this.stmts(st.else, scope, ctx, st.span.end);
        return scope;
      case 'for': {
        this.expr(st.domain, scope, ctx);
        const inner = this.bind(scope, this.local(st.name, this.elemOf(st.domain), { start: st.span.start, end: st.span.end }));
        this.stmts(st.body, inner, ctx, st.span.end);
        return scope;
      }
      case 'while':
        this.expr(st.cond, scope, ctx);
        this.stmts(st.body, scope, ctx, st.span.end);
        return scope;
      case 'match':
        this.expr(st.scrutinee, scope, ctx);
        for (const arm of st.arms) {
          const armScope = this.pattern(arm.pattern, scope, { start: arm.pattern.span.start, end: st.span.end });
          this.stmts(arm.body, armScope, ctx, st.span.end);
        }
        return scope;
      case 'either':
        st.branches.forEach((b) => this.stmts(b, scope, ctx, st.span.end));
        return scope;
      case 'assign': {
        this.expr(st.value, scope, ctx);
        this.use(st.target.root, this.resolve(st.target.root, st.target, scope, ctx));
        for (const sel of st.target.path) if (sel.kind === 'index') this.expr(sel.index, scope, ctx);
        return scope;
      }
      case 'label':
        // Declared by declareLabels.
        return scope;
      case 'goto':
        if (ctx.owner) this.use(st.target, this.ownedLabels.get(ctx.owner.name)?.get(st.target.text));
        return scope;
      case 'call': {
        const g = this.globals.get(st.callee.text);
        if (g?.kind === 'procedure') this.use(st.callee, g);
        st.args.forEach((a) => this.expr(a, scope, ctx));
        return scope;
      }
      case 'return':
        return scope;
    }
  }

  private named(name: A.Name, kinds: readonly SymbolKind[]): void {
    const g = this.globals.get(name.text);
    if (g && kinds.includes(g.kind)) this.use(name, g);
  }

  private fairness(d: Extract<A.Decl, { kind: 'fairness' }>): void {
    if (d.target === 'group') for (const m of d.members ?? []) this.named(m, ['action', 'process']);
    else if (d.target !== 'next') this.named(d.name, [d.target]);
  }

  private temporal(t: A.TemporalTree, scope: Scope): void {
    const ctx = { owner: undefined };
    switch (t.kind) {
      case 'atom':
        this.expr(t.expr, scope, ctx);
        return;
      case 'always':
      case 'eventually':
      case 'not':
        this.temporal(t.body, scope);
        return;
      case 'and':
      case 'or':
      case 'implies':
      case 'leadsTo':
        this.temporal(t.left, scope);
        this.temporal(t.right, scope);
        return;
      case 'forall':
      case 'exists':
        this.temporal(t.body, this.binders(t.binders, scope, ctx, { start: t.span.start, end: t.span.end }));
        return;
    }
  }

  private params(params: A.ActionParam[], scope: Scope, visible: Range, what: string): Scope {
    let s = scope;
    for (const p of params) {
      if (p.kind === 'typed') this.type(p.type);
      // A parameter's domain may use the parameters before it: `(m: Memcg, p in lru[m])`.
      else this.expr(p.domain, s, { owner: undefined });
      s = this.bind(s, this.local(p.name, p.kind === 'typed' ? this.slice(p.type) : this.elemOf(p.domain), visible, what));
    }
    return s;
  }

  /** Walks every declaration's body, recording the uses of names. */
  walkAll(): void {
    const top: Ctx = { owner: undefined };
    const none: Scope = new Map();
    for (const d of this.ast.decls) {
      const whole = { start: d.span.start, end: d.span.end };
      switch (d.kind) {
        case 'const':
          this.type(d.type);
          this.expr(d.value, none, top);
          break;
        case 'enum':
          break;
        case 'typeAlias':
          this.type(d.type);
          break;
        case 'variant':
          for (const c of d.cases) if (c.payload) this.type(c.payload);
          break;
        case 'var':
          this.type(d.type);
          if (d.init) this.expr(d.init, none, top);
          if (d.initIn) this.expr(d.initIn, none, top);
          break;
        case 'def': {
          let s = none;
          for (const p of d.params) {
            this.type(p.type);
            s = this.bind(s, this.local(p.name, this.slice(p.type), whole, 'parameter'));
          }
          this.type(d.result);
          this.expr(d.body, s, top);
          break;
        }
        case 'init':
          this.stmts(d.body, none, top, d.span.end);
          break;
        case 'action':
          this.stmts(d.body, this.params(d.params, none, whole, 'parameter'), top, d.span.end);
          break;
        case 'process': {
          const owner = this.globals.get(d.name.text);
          const ctx = { owner: owner?.kind === 'process' ? owner : undefined };
          const s = this.params(d.param ? [d.param] : [], none, whole, 'instance parameter');
          for (const l of d.locals) {
            this.type(l.type);
            if (l.init) this.expr(l.init, s, ctx);
          }
          this.stmts(d.body, s, ctx, d.span.end);
          break;
        }
        case 'procedure': {
          const owner = this.globals.get(d.name.text);
          const ctx = { owner: owner?.kind === 'procedure' ? owner : undefined };
          for (const p of d.params) this.type(p.type);
          for (const l of d.locals) {
            this.type(l.type);
            if (l.init) this.expr(l.init, none, ctx);
          }
          this.stmts(d.body, none, ctx, d.span.end);
          break;
        }
        case 'invariant':
        case 'view':
        case 'stepProperty':
        case 'constraint':
          this.expr(d.body, none, top);
          break;
        case 'property': {
          const s = this.binders(d.binders, none, top, whole);
          const f = d.formula;
          if (f.kind === 'general') this.temporal(f.tree, s);
          else if (f.kind === 'leadsTo') {
            this.expr(f.left, s, top);
            this.expr(f.right, s, top);
          } else this.expr(f.body, s, top);
          break;
        }
        case 'fairness':
          this.fairness(d);
          break;
        case 'import':
          for (const m of d.mappings) this.expr(m.value, none, top);
          break;
        case 'refines':
          this.named(d.name, ['import']);
          break;
        case 'check': {
          for (const c of d.consts) {
            this.named(c.name, ['const']);
            this.expr(c.value, none, top);
          }
          if (d.expect?.kind === 'violation') this.named(d.expect.name, ['invariant', 'property', 'stepProperty', 'import', 'action']);
          for (const n of d.only ?? []) this.named(n, ['invariant', 'property', 'stepProperty']);
          d.fairness.forEach((f) => this.fairness(f));
          d.refines.forEach((r) => this.named(r.name, ['import']));
          for (const k of d.constraints) this.expr(k.body, none, top);
          break;
        }
      }
    }
  }
}

/** Builds the index of a parsed spec from the checker's resolutions and types (partial ones will do). */
export function buildIndex(ast: A.SpecAst, res: ReadonlyMap<object, Resolution>, types: ReadonlyMap<A.Expr, Type>): SpecIndex {
  const b = new Builder(ast, res, types);
  b.declareAll();
  b.walkAll();
  // One occurrence per place: `fair process P` declares P and (the parser adds it) P's
  // fairness at the same name; the declaration is kept.
  const sorted = [...b.occurrences].sort((x, y) => x.start - y.start || x.end - y.end || Number(y.decl) - Number(x.decl));
  const occurrences = sorted.filter((o, i) => i === 0 || o.start !== sorted[i - 1]!.start || o.end !== sorted[i - 1]!.end);
  return { text: ast.source.text, outline: b.outline, symbols: b.symbols, occurrences, globals: b.globals, checks: b.checks };
}
