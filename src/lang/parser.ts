/**
 * Source text to AST. The grammar lives in grammar/spex.ohm; this file gives it meaning with
 * one ohm operation, `ast`, and turns ohm's intervals into plain Spans so that no later phase
 * depends on ohm.
 */
import { createRequire } from 'node:module';
import type * as ohm from 'ohm-js';
// Generated from grammar/spex.ohm by `ohm generateBundles` (npm run build): a precompiled
// grammar loads in a few milliseconds, where compiling the .ohm text costs a third of a second.
import type spexGrammar from '../../grammar/spex.ohm-bundle.js';
import type { SpexSemantics } from '../../grammar/spex.ohm-bundle.js';
import * as A from './ast.js';
import { Diagnostic, SpecErrors, TYPE_AS_SET_HINT } from './diagnostics.js';
import { attachAttributes, declWord, fastParseExpr, fastParseSpec, type ParsedAttribute } from './fast-parser.js';
import { checkNesting, checkText, stackOverflowAsE104 } from './input.js';

let semanticsCache: SpexSemantics | undefined;
let grammarCache: typeof spexGrammar | undefined;

/**
 * The ohm grammar, loaded on first use: the fast parser parses, so only a syntax error (or
 * isKeyword) needs it, and a run that never does never loads ohm-js. It is loaded with
 * require() (synchronously, as parsing is), in its CommonJS form grammar/spex.ohm-bundle.cjs
 * (written by scripts/grammar-cjs.mjs in the build from the ESM bundle).
 */
function grammar(): typeof spexGrammar {
  return (grammarCache ??= createRequire(import.meta.url)('../../grammar/spex.ohm-bundle.cjs') as typeof spexGrammar);
}

// The source being converted; set for the duration of one parse (parsing is synchronous).
let current: A.Source = { path: '<none>', text: '' };

function span(node: ohm.Node): A.Span {
  return { source: current, start: node.source.startIdx, end: node.source.endIdx };
}

function nameOf(node: ohm.Node): A.Name {
  return A.nameAt(node.sourceString, current, node.source.startIdx, node.source.endIdx);
}

function intAt(value: number, node: ohm.Node): Extract<A.Expr, { kind: 'int' }> {
  return A.intAt(value, current, node.source.startIdx, node.source.endIdx);
}

function nameRef(node: ohm.Node): Extract<A.Expr, { kind: 'name' }> {
  return A.nameRef(node.sourceString, current, node.source.startIdx, node.source.endIdx);
}

function binaryAt(op: A.BinaryOp, l: ohm.Node, r: ohm.Node, node: ohm.Node): Extract<A.Expr, { kind: 'binary' }> {
  return A.binaryAt(op, l.ast(), r.ast(), current, node.source.startIdx, node.source.endIdx);
}

function opt<T>(node: ohm.Node): T | undefined {
  return node.numChildren > 0 ? (node.children[0]!.ast() as T) : undefined;
}

function list<T>(node: ohm.Node): T[] {
  return node.asIteration().children.map((c) => c.ast() as T);
}

function bin(op: A.BinaryOp) {
  return function (this: ohm.Node, l: ohm.Node, _o: ohm.Node, r: ohm.Node): A.Expr {
    return binaryAt(op, l, r, this);
  };
}

function semantics(): SpexSemantics {
  if (semanticsCache) return semanticsCache;
  const s = grammar().createSemantics();
  s.addOperation<unknown>('ast', {
    Spec(header, decls, _end): A.SpecAst {
      const all = attachDeclAttributes(decls.children.map((d) => d.ast() as A.Decl | ParsedAttribute));
      const ast: A.SpecAst = { name: header.ast(), decls: all.flatMap((d) => withFairness(d)), source: current };
      return attributeErrors.length > 0 ? { ...ast, attributeErrors: [...attributeErrors] } : ast;
    },
    Attribute(_at, name, _o, args, _c): ParsedAttribute {
      return { kind: 'attribute', name: nameOf(name), args: args.asIteration().children.map((a) => ({ text: a.sourceString.slice(1, -1), span: span(a) })), span: span(this) };
    },
    Stmt_attribute(attr) {
      return attr.ast();
    },
    ShowDecl(_kw, name) {
      return { kind: 'show', name: nameOf(name), span: span(this) };
    },
    CheckItem_show(decl) {
      return decl.ast();
    },
    SpecHeader(_kw, name) {
      return nameOf(name);
    },
    ConstDecl(_kw, name, _c, type, _eq, value) {
      return { kind: 'const', name: nameOf(name), type: type.ast(), value: value.ast(), span: span(this) };
    },
    EnumDecl(_kw, name, _o, members, _comma, _c) {
      return { kind: 'enum', name: nameOf(name), members: members.asIteration().children.map(nameOf), span: span(this) };
    },
    TypeDecl_variant(_kw, name, _eq, _bar, first, _bars, rest) {
      return {
        kind: 'variant',
        name: nameOf(name),
        cases: [first.ast(), ...rest.children.map((c) => c.ast())],
        span: span(this),
      };
    },
    TypeDecl_single(_kw, name, _eq, _bar, only) {
      return { kind: 'variant', name: nameOf(name), cases: [only.ast()], span: span(this) };
    },
    TypeDecl_alias(_kw, name, _eq, type) {
      return { kind: 'typeAlias', name: nameOf(name), type: type.ast(), span: span(this) };
    },
    VariantCase_payload(name, _o, type, _c): A.VariantCaseDecl {
      return { name: nameOf(name), payload: type.ast() };
    },
    VariantCase_plain(name): A.VariantCaseDecl {
      return { name: nameOf(name), payload: undefined };
    },
    VarDecl(_kw, name, _c, type, op, init) {
      if (op.children[0]?.sourceString === 'in') {
        return { kind: 'var', name: nameOf(name), type: type.ast(), init: undefined, initIn: opt(init), span: span(this) };
      }
      return { kind: 'var', name: nameOf(name), type: type.ast(), init: opt(init), span: span(this) };
    },
    DefDecl_params(_kw, name, _o, params, _c, _colon, result, _eq, body) {
      return {
        kind: 'def',
        name: nameOf(name),
        params: list(params),
        result: result.ast(),
        body: body.ast(),
        span: span(this),
      };
    },
    DefDecl_noparams(_kw, name, _colon, result, _eq, body) {
      return { kind: 'def', name: nameOf(name), params: [], result: result.ast(), body: body.ast(), span: span(this) };
    },
    InitDecl(_kw, body) {
      return { kind: 'init', body: body.ast(), span: span(this) };
    },
    ActionDecl(fair, _kw, name, params, body) {
      const d: A.Decl = { kind: 'action', name: nameOf(name), params: opt<A.ActionParam[]>(params) ?? [], body: body.ast(), span: span(this) };
      const f = opt<A.FairPrefix>(fair);
      return f ? { ...d, fair: f } : d;
    },
    FairPrefix(strong, _fair): A.FairPrefix {
      return { strong: strong.numChildren > 0, span: span(this) };
    },
    ActionParams(_o, params, _c) {
      return list(params);
    },
    ActionParam_typed(name, _c, type): A.ActionParam {
      return { kind: 'typed', name: nameOf(name), type: type.ast() };
    },
    ActionParam_ranged(name, _in, domain): A.ActionParam {
      return { kind: 'ranged', name: nameOf(name), domain: domain.ast() };
    },
    TypedParam(name, _c, type) {
      return { name: nameOf(name), type: type.ast() };
    },
    ProcessDecl(fair, _kw, name, param, _o, locals, body, _c) {
      const d: A.Decl = {
        kind: 'process',
        name: nameOf(name),
        param: opt<A.ActionParam>(param),
        locals: locals.children.map((l) => l.ast()),
        body: attachLabelAttributes(body.children.map((s) => s.ast())),
        span: span(this),
      };
      const f = opt<A.FairPrefix>(fair);
      return f ? { ...d, fair: f } : d;
    },
    ProcedureDecl(_kw, name, _o, params, _c, _ob, locals, body, _cb) {
      return {
        kind: 'procedure',
        name: nameOf(name),
        params: list(params),
        locals: locals.children.map((l) => l.ast()),
        body: attachLabelAttributes(body.children.map((s) => s.ast())),
        span: span(this),
      };
    },
    ProcessParam(_o, param, _c) {
      return param.ast();
    },
    ProcessVar(_kw, name, _c, type, init): A.ProcessVarDecl {
      const i = opt<{ choice: boolean; expr: A.Expr }>(init);
      return { name: nameOf(name), type: type.ast(), init: i?.expr, ...(i?.choice ? { choice: true } : {}), span: span(this) };
    },
    ProcessVarInit_value(_eq, expr) {
      return { choice: false, expr: expr.ast() };
    },
    ProcessVarInit_choice(_in, expr) {
      return { choice: true, expr: expr.ast() };
    },
    InvariantDecl(_kw, name, _c, body) {
      return { kind: 'invariant', name: nameOf(name), body: body.ast(), span: span(this) };
    },
    ConstraintDecl(action, _kw, name, _c, body) {
      return { kind: 'constraint', action: action.numChildren > 0, name: nameOf(name), body: body.ast(), span: span(this) };
    },
    StepPropertyDecl(_always, _step, name, _c, body) {
      return { kind: 'stepProperty', name: nameOf(name), body: body.ast(), span: span(this) };
    },
    ViewDecl(_kw, name, _c, body) {
      return { kind: 'view', name: nameOf(name), body: body.ast(), span: span(this) };
    },
    SymmetryDecl(_kw, names) {
      return { kind: 'symmetry', names: names.asIteration().children.map(nameOf), span: span(this) };
    },
    ImportDecl(_kw, name, _from, path, mapping) {
      const w = opt<{ name: A.Name; value: A.Expr }[]>(mapping);
      return { kind: 'import', name: nameOf(name), path: path.sourceString.slice(1, -1), pathSpan: span(path), mappings: w ?? [], span: span(this) };
    },
    ImportWith(_kw, _o, mappings, _comma, _c) {
      return list(mappings);
    },
    ImportMapping(name, _c, value) {
      return { name: nameOf(name), value: value.ast() };
    },
    RefinesDecl(_kw, name) {
      return { kind: 'refines', name: nameOf(name), span: span(this) };
    },
    PropertyDecl(_kw, name, _c, formula) {
      // Leading quantifiers make the instances; the rest is one of the simple forms (with its
      // fast path) or a general formula.
      let t = formula.ast() as A.TemporalTree;
      const binders: A.Binder[] = [];
      while (t.kind === 'forall') {
        binders.push(...t.binders);
        t = t.body;
      }
      return { kind: 'property', name: nameOf(name), binders, formula: classifyFormula(t), span: span(this) };
    },
    TemporalExpr_forall(_kw, binders, _c, body): A.TemporalTree {
      return pure({ kind: 'forall', binders: list(binders), body: body.ast(), span: span(this) });
    },
    TemporalExpr_exists(_kw, binders, _c, body): A.TemporalTree {
      return pure({ kind: 'exists', binders: list(binders), body: body.ast(), span: span(this) });
    },
    TemporalExpr_implies(left, _kw, right): A.TemporalTree {
      return pure({ kind: 'implies', left: left.ast(), right: right.ast(), span: span(this) });
    },
    TemporalLeads_leadsTo(left, _op, right): A.TemporalTree {
      return { kind: 'leadsTo', left: left.ast(), right: right.ast(), span: span(this) };
    },
    TemporalOr_or(left, _kw, right): A.TemporalTree {
      return pure({ kind: 'or', left: left.ast(), right: right.ast(), span: span(this) });
    },
    TemporalAnd_and(left, _kw, right): A.TemporalTree {
      return pure({ kind: 'and', left: left.ast(), right: right.ast(), span: span(this) });
    },
    TemporalUnary_always(_kw, body): A.TemporalTree {
      return { kind: 'always', body: body.ast(), span: span(this) };
    },
    TemporalUnary_eventually(_kw, body): A.TemporalTree {
      return { kind: 'eventually', body: body.ast(), span: span(this) };
    },
    TemporalUnary_atom(e): A.TemporalTree {
      return { kind: 'atom', expr: e.ast(), span: span(this) };
    },
    TemporalUnary_not(_kw, body): A.TemporalTree {
      return pure({ kind: 'not', body: body.ast(), span: span(this) });
    },
    TemporalUnary_paren(_o, body, _c): A.TemporalTree {
      const t = body.ast() as A.TemporalTree;
      // A parenthesised state predicate is an expression in parentheses: its span includes them.
      return t.kind === 'atom' ? { kind: 'atom', expr: t.expr, span: span(this) } : t;
    },
    FairnessDecl(strong, _fair, target, name) {
      return {
        kind: 'fairness',
        strong: strong.numChildren > 0,
        target: target.sourceString.startsWith('process') ? 'process' : 'action',
        name: nameOf(name),
        span: span(this),
      };
    },
    GroupFairnessDecl_group(strong, _fair, _o, names, _c) {
      const members = names.asIteration().children.map(nameOf);
      const text = `{${members.map((m) => m.text).join(', ')}}`;
      return { kind: 'fairness', strong: strong.numChildren > 0, target: 'group', name: { text, span: span(this) }, members, span: span(this) };
    },
    GroupFairnessDecl_next(strong, _fair, next) {
      return { kind: 'fairness', strong: strong.numChildren > 0, target: 'next', name: nameOf(next), members: [], span: span(this) };
    },
    CheckDecl(_kw, name, _o, items, _c) {
      const check = {
        kind: 'check' as const,
        name: nameOf(name),
        consts: [] as { name: A.Name; value: A.Expr }[],
        deadlock: undefined as boolean | undefined,
        expect: undefined as A.Expectation | undefined,
        fairness: [] as Extract<A.Decl, { kind: 'fairness' }>[],
        only: undefined as A.Name[] | undefined,
        refines: [] as Extract<A.Decl, { kind: 'refines' }>[],
        constraints: [] as Extract<A.Decl, { kind: 'constraint' }>[],
        shows: undefined as A.Name[] | undefined,
        span: span(this),
        // Repeated items are reported by the checker; keep the spans of the extra ones.
        duplicates: [] as A.Span[],
      };
      for (const item of items.children) {
        const it = item.ast() as
          | { kind: 'const'; name: A.Name; value: A.Expr }
          | { kind: 'deadlock'; on: boolean; span: A.Span }
          | { kind: 'expect'; expect: A.Expectation; span: A.Span }
          | { kind: 'only'; names: A.Name[]; span: A.Span }
          | Extract<A.Decl, { kind: 'fairness' }>
          | Extract<A.Decl, { kind: 'refines' }>
          | Extract<A.Decl, { kind: 'constraint' }>
          | Extract<A.Decl, { kind: 'symmetry' }>
          | Extract<A.Decl, { kind: 'show' }>;
        if (it.kind === 'symmetry') {
          (check as { symmetry?: Extract<A.Decl, { kind: 'symmetry' }>[] }).symmetry ??= [];
          (check as { symmetry?: Extract<A.Decl, { kind: 'symmetry' }>[] }).symmetry!.push(it);
        } else if (it.kind === 'show') (check.shows ??= []).push(it.name);
        else if (it.kind === 'fairness') check.fairness.push(it);
        else if (it.kind === 'refines') check.refines.push(it);
        else if (it.kind === 'constraint') check.constraints.push(it);
        else if (it.kind === 'only') {
          if (check.only !== undefined) check.duplicates.push(it.span);
          check.only = it.names;
        }
        else if (it.kind === 'const') check.consts.push({ name: it.name, value: it.value });
        else if (it.kind === 'deadlock') {
          if (check.deadlock !== undefined) check.duplicates.push(it.span);
          check.deadlock = it.on;
        } else {
          if (check.expect !== undefined) check.duplicates.push(it.span);
          check.expect = it.expect;
        }
      }
      return check;
    },
    CheckItem_const(_kw, name, _eq, value) {
      return { kind: 'const', name: nameOf(name), value: value.ast() };
    },
    CheckItem_deadlock(_kw, onOff) {
      return { kind: 'deadlock', on: onOff.sourceString.startsWith('on'), span: span(this) };
    },
    CheckItem_fair(decl) {
      return decl.ast();
    },
    CheckItem_groupFair(decl) {
      return decl.ast();
    },
    CheckItem_refines(decl) {
      return decl.ast();
    },
    CheckItem_constraint(decl) {
      return decl.ast();
    },
    CheckItem_symmetry(decl) {
      return decl.ast();
    },
    CheckItem_only(_kw, names) {
      return { kind: 'only', names: names.asIteration().children.map(nameOf), span: span(this) };
    },
    CheckItem_expect(_kw, e) {
      return { kind: 'expect', expect: e.ast(), span: span(this) };
    },
    Expectation_ok(_kw) {
      return { kind: 'ok', span: span(this) };
    },
    Expectation_violation(_kw, name) {
      return { kind: 'violation', name: nameOf(name), span: span(this) };
    },
    Expectation_deadlock(_kw) {
      return { kind: 'deadlock', span: span(this) };
    },
    Expectation_error(_kw) {
      return { kind: 'error', span: span(this) };
    },

    // ---- types
    Type_set(_k, _o, elem, _c): A.TypeExpr {
      return { kind: 'set', elem: elem.ast(), span: span(this) };
    },
    Type_seq(_k, _o, elem, _c): A.TypeExpr {
      return { kind: 'seq', elem: elem.ast(), span: span(this) };
    },
    Type_option(_k, _o, elem, _c): A.TypeExpr {
      return { kind: 'option', elem: elem.ast(), span: span(this) };
    },
    Type_map(_k, _o, key, _comma, value, _c): A.TypeExpr {
      return { kind: 'map', key: key.ast(), value: value.ast(), span: span(this) };
    },
    Type_tuple(_o, first, _comma, rest, _c): A.TypeExpr {
      return { kind: 'tuple', items: [first.ast(), ...list<A.TypeExpr>(rest)], span: span(this) };
    },
    Type_record(_o, fields, _comma, _c): A.TypeExpr {
      return { kind: 'record', fields: list(fields), span: span(this) };
    },
    Type_range(lo, _dots, hi): A.TypeExpr {
      return { kind: 'range', lo: lo.ast(), hi: hi.ast(), span: span(this) };
    },
    Type_named(name): A.TypeExpr {
      return { kind: 'named', name: nameOf(name), span: span(this) };
    },
    FieldType(name, _c, type) {
      return { name: nameOf(name), type: type.ast() };
    },
    RangeBound_neg(_m, n): A.Expr {
      return intAt(-intLiteral(n), this);
    },
    RangeBound_num(n): A.Expr {
      return intAt(intLiteral(n), this);
    },
    RangeBound_name(name): A.Expr {
      return nameRef(name);
    },
    RangeBound_paren(_o, e, _c): A.Expr {
      return e.ast();
    },

    // ---- statements
    Block(_o, stmts, _c): A.Stmt[] {
      return attachLabelAttributes(stmts.children.map((s) => s.ast()));
    },
    Stmt_require(_kw, cond): A.Stmt {
      return { kind: 'require', cond: cond.ast(), span: span(this) };
    },
    Stmt_let(_kw, name, _eq, value): A.Stmt {
      return { kind: 'let', name: nameOf(name), value: value.ast(), span: span(this) };
    },
    Stmt_pick(_kw, name, _in, domain, _where, cond): A.Stmt {
      return { kind: 'pick', name: nameOf(name), domain: domain.ast(), where: opt(cond), span: span(this) };
    },
    IfStmt(_kw, cond, then, _else, otherwise): A.Stmt {
      let elseBody: A.Stmt[] | undefined;
      if (otherwise.numChildren > 0) {
        const e = otherwise.children[0]!.ast() as A.Stmt | A.Stmt[];
        elseBody = Array.isArray(e) ? e : [e];
      }
      return { kind: 'if', cond: cond.ast(), then: then.ast(), else: elseBody, span: span(this) };
    },
    EitherStmt(_kw, first, _ors, rest): A.Stmt {
      return { kind: 'either', branches: [first.ast(), ...rest.children.map((b) => b.ast())], span: span(this) };
    },
    Stmt_for(_kw, name, _in, domain, body): A.Stmt {
      return { kind: 'for', name: nameOf(name), domain: domain.ast(), body: body.ast(), span: span(this) };
    },
    Stmt_match(_kw, scrutinee, _o, arms, _c): A.Stmt {
      return { kind: 'match', scrutinee: scrutinee.ast(), arms: arms.children.map((a) => a.ast()), span: span(this) };
    },
    Stmt_assert(_kw, cond, _comma, message): A.Stmt {
      const m = message.numChildren > 0 ? message.children[0]!.sourceString.slice(1, -1) : undefined;
      return { kind: 'assert', cond: cond.ast(), message: m, span: span(this) };
    },
    Stmt_assign(target, _op, value): A.Stmt {
      return { kind: 'assign', target: target.ast(), value: value.ast(), span: span(this) };
    },
    // `P(i).x := e`: parsed so that the checker can say that only P's steps assign x (E206).
    Stmt_assignInstance(root, _o, _args, _c, sels, _op, value): A.Stmt {
      const target: A.LValue = { root: nameOf(root), path: sels.children.map((s) => s.ast()), span: { source: current, start: root.source.startIdx, end: sels.source.endIdx } };
      return { kind: 'assign', target, value: value.ast(), span: span(this) };
    },
    Stmt_call(_kw, callee, _o, args, _c): A.Stmt {
      return { kind: 'call', callee: nameOf(callee), args: list(args), span: span(this) };
    },
    Stmt_return(_kw): A.Stmt {
      return { kind: 'return', span: span(this) };
    },
    Stmt_await(_kw, cond): A.Stmt {
      return { kind: 'await', cond: cond.ast(), span: span(this) };
    },
    Stmt_goto(_kw, target): A.Stmt {
      return { kind: 'goto', target: nameOf(target), span: span(this) };
    },
    Stmt_while(_kw, cond, body): A.Stmt {
      return { kind: 'while', cond: cond.ast(), body: body.ast(), span: span(this) };
    },
    Stmt_label(name, _c): A.Stmt {
      return { kind: 'label', name: nameOf(name), span: span(this) };
    },
    Stmt_endLabel(_end, name, _c): A.Stmt {
      return { kind: 'label', name: nameOf(name), end: true, span: span(this) };
    },
    Stmt_empty(_semi) {
      return null;
    },
    StmtArm(pattern, _arrow, body, _comma): A.StmtArm {
      const b = body.ast() as A.Stmt[] | A.Stmt | ParsedAttribute | null;
      return { pattern: pattern.ast(), body: Array.isArray(b) ? b : b === null ? [] : attachLabelAttributes([b]) };
    },
    LValue(root, sels): A.LValue {
      return { root: nameOf(root), path: sels.children.map((s) => s.ast()), span: span(this) };
    },
    LSel_index(_o, index, _c): A.LSelector {
      return { kind: 'index', index: index.ast(), span: span(this) };
    },
    LSel_field(_dot, name): A.LSelector {
      return { kind: 'field', field: nameOf(name), span: span(this) };
    },
    Pattern_wild(_u): A.Pattern {
      return { kind: 'wild', span: span(this) };
    },
    Pattern_payload(tag, _o, bind, _c): A.Pattern {
      return { kind: 'payload', tag: nameOf(tag), bind: nameOf(bind), span: span(this) };
    },
    Pattern_int(minus, n): A.Pattern {
      const v = intLiteral(n);
      return intAt(minus.numChildren > 0 ? -v : v, this);
    },
    Pattern_name(name): A.Pattern {
      return nameRef(name);
    },

    // ---- expressions
    Primary_ifthen(_if, cond, _then, a, _else, b): A.Expr {
      return { kind: 'ifThen', cond: cond.ast(), then: a.ast(), else: b.ast(), span: span(this) };
    },
    Primary_let(_kw, name, _eq, value, _in, body): A.Expr {
      return { kind: 'let', name: nameOf(name), value: value.ast(), body: body.ast(), span: span(this) };
    },
    Primary_quant(q, binders, _c, body): A.Expr {
      return {
        kind: 'quant',
        quant: q.sourceString as 'forall' | 'exists' | 'sum',
        binders: list(binders),
        body: body.ast(),
        span: span(this),
      };
    },
    Primary_choose(_kw, binder, _c, cond): A.Expr {
      return { kind: 'choose', binder: binder.ast(), cond: cond.ast(), span: span(this) };
    },
    Primary_match(_kw, scrutinee, _o, arms, _comma, _c): A.Expr {
      return { kind: 'match', scrutinee: scrutinee.ast(), arms: list(arms), span: span(this) };
    },
    Binder(name, _in, domain): A.Binder {
      return { name: nameOf(name), domain: domain.ast() };
    },
    ExprArm(pattern, _arrow, body): A.ExprArm {
      return { pattern: pattern.ast(), body: body.ast() };
    },
    Implies_implies: bin('implies'),
    Or_or: bin('or'),
    And_and: bin('and'),
    Not_not(_kw, arg): A.Expr {
      return { kind: 'unary', op: 'not', arg: arg.ast(), span: span(this) };
    },
    Cmp_eq: bin('=='),
    Cmp_ne: bin('!='),
    Cmp_le: bin('<='),
    Cmp_ge: bin('>='),
    Cmp_lt: bin('<'),
    Cmp_gt: bin('>'),
    Cmp_notin(l, _not, _in, r): A.Expr {
      return binaryAt('notin', l, r, this);
    },
    Cmp_in: bin('in'),
    Cmp_subset: bin('subset'),
    Cmp_is(arg, _kw, tag): A.Expr {
      return { kind: 'is', arg: arg.ast(), tag: nameOf(tag), span: span(this) };
    },
    Cmp_atSet(target, _kw, _o, labels, _comma, _c): A.Expr {
      const names = labels.asIteration().children.map(nameOf);
      return { kind: 'at', target: target.ast(), label: names[0]!, labels: names, span: span(this) };
    },
    Cmp_at(target, _kw, label): A.Expr {
      return { kind: 'at', target: target.ast(), label: nameOf(label), span: span(this) };
    },
    With_index(target, _kw, _o, index, _c, _eq, value): A.Expr {
      return { kind: 'withIndex', target: target.ast(), index: index.ast(), value: value.ast(), span: span(this) };
    },
    With_fields(target, _kw, _o, fields, _comma, _c): A.Expr {
      return { kind: 'withFields', target: target.ast(), fields: list(fields), span: span(this) };
    },
    SetOp_union: bin('union'),
    SetOp_minus: bin('minus'),
    Inter_inter: bin('inter'),
    Range_range: bin('..'),
    Add_plus: bin('+'),
    Add_minus: bin('-'),
    Mul_times: bin('*'),
    Mul_div: bin('/'),
    Mul_mod: bin('%'),
    Unary_neg(_m, arg): A.Expr {
      const a = arg.ast() as A.Expr;
      // Fold literal negation so that -1 is an integer literal (patterns, range bounds).
      if (a.kind === 'int') return intAt(-a.value, this);
      return { kind: 'unary', op: 'neg', arg: a, span: span(this) };
    },
    Postfix_index(target, _o, index, _c): A.Expr {
      return { kind: 'index', target: target.ast(), index: index.ast(), span: span(this) };
    },
    Postfix_tupleItem(target, _dot, item): A.Expr {
      return { kind: 'tupleItem', target: target.ast(), item: Number(item.sourceString), span: span(this) };
    },
    Postfix_field(target, _dot, field): A.Expr {
      return { kind: 'field', target: target.ast(), field: nameOf(field), span: span(this) };
    },
    Primary_paren(_o, e, _c): A.Expr {
      return e.ast();
    },
    Primary_tuple(_o, first, _comma, rest, _c): A.Expr {
      return { kind: 'tuple', items: [first.ast(), ...list<A.Expr>(rest)], span: span(this) };
    },
    Primary_emptySet(_o, _c): A.Expr {
      return { kind: 'setLit', items: [], span: span(this) };
    },
    Primary_filter(_o, name, _in, domain, _bar, cond, _c): A.Expr {
      return { kind: 'filter', binder: { name: nameOf(name), domain: domain.ast() }, cond: cond.ast(), span: span(this) };
    },
    Primary_image(_o, body, _colon, binders, _c): A.Expr {
      return { kind: 'image', body: body.ast(), binders: list(binders), span: span(this) };
    },
    Primary_mapLit(_o, entries, _comma, _c): A.Expr {
      return { kind: 'mapLit', entries: list(entries), span: span(this) };
    },
    Primary_record(_o, fields, _comma, _c): A.Expr {
      return { kind: 'record', fields: list(fields), span: span(this) };
    },
    Primary_setLit(_o, items, _comma, _c): A.Expr {
      return { kind: 'setLit', items: list(items), span: span(this) };
    },
    Primary_mapFor(_o, name, _in, domain, _arrow, body, _c): A.Expr {
      return { kind: 'mapFor', binder: { name: nameOf(name), domain: domain.ast() }, body: body.ast(), span: span(this) };
    },
    Primary_seqFilter(_o, name, _in, domain, _bar, cond, _c): A.Expr {
      return { kind: 'seqFilter', binder: { name: nameOf(name), domain: domain.ast() }, cond: cond.ast(), span: span(this) };
    },
    Primary_seqFor(_o, body, _colon, name, _in, domain, _c): A.Expr {
      return { kind: 'seqFor', body: body.ast(), binder: { name: nameOf(name), domain: domain.ast() }, span: span(this) };
    },
    Primary_seqLit(_o, items, _comma, _c): A.Expr {
      return { kind: 'seqLit', items: list(items), span: span(this) };
    },
    Primary_call(callee, _o, args, _c): A.Expr {
      return { kind: 'call', callee: nameOf(callee), args: list(args), span: span(this) };
    },
    Primary_num(n): A.Expr {
      return intAt(intLiteral(n), this);
    },
    Primary_true(_t): A.Expr {
      return { kind: 'bool', value: true, span: span(this) };
    },
    Primary_false(_f): A.Expr {
      return { kind: 'bool', value: false, span: span(this) };
    },
    Primary_primed(p): A.Expr {
      return p.ast();
    },
    primedName(name, _prime): A.Expr {
      return { kind: 'primed', name: nameOf(name), span: span(this) };
    },
    Primary_name(name): A.Expr {
      return nameRef(name);
    },
    MapEntry(key, _arrow, value) {
      return { key: key.ast(), value: value.ast() };
    },
    FieldInit(name, _c, value) {
      return { name: nameOf(name), value: value.ast() };
    },
    NonemptyListOf(first, _sep, rest) {
      return [first.ast(), ...rest.children.map((c) => c.ast())];
    },
    EmptyListOf() {
      return [];
    },
    _iter(...children) {
      return children.map((c) => c.ast());
    },
  });
  semanticsCache = s;
  return s;
}

/**
 * A connective or quantifier over state predicates only is itself a state predicate: one atom,
 * the expression it would have been outside a property (so `always forall i in S: P` is
 * `always P'` with P' a quantifier expression, as before formulas could nest).
 */
export function pure(t: A.TemporalTree): A.TemporalTree {
  const sp = t.span;
  switch (t.kind) {
    case 'and':
    case 'or':
    case 'implies':
      if (t.left.kind === 'atom' && t.right.kind === 'atom') {
        return { kind: 'atom', expr: { kind: 'binary', op: t.kind, left: t.left.expr, right: t.right.expr, span: sp }, span: sp };
      }
      return t;
    case 'not':
      return t.body.kind === 'atom' ? { kind: 'atom', expr: { kind: 'unary', op: 'not', arg: t.body.expr, span: sp }, span: sp } : t;
    case 'forall':
    case 'exists':
      return t.body.kind === 'atom' ? { kind: 'atom', expr: { kind: 'quant', quant: t.kind, binders: t.binders, body: t.body.expr, span: sp }, span: sp } : t;
    default:
      return t;
  }
}

/** The simple forms keep their own kinds (and fast paths); anything else is 'general'. */
export function classifyFormula(t: A.TemporalTree): A.TemporalFormula {
  const span = t.span;
  if (t.kind === 'leadsTo' && t.left.kind === 'atom' && t.right.kind === 'atom') {
    return { kind: 'leadsTo', left: t.left.expr, right: t.right.expr, span };
  }
  if (t.kind === 'always' || t.kind === 'eventually') {
    const b = t.body;
    if (b.kind === 'atom') return { kind: t.kind, body: b.expr, span };
    if ((b.kind === 'always' || b.kind === 'eventually') && b.kind !== t.kind && b.body.kind === 'atom') {
      return { kind: t.kind === 'always' ? 'alwaysEventually' : 'eventuallyAlways', body: b.body.expr, span };
    }
  }
  return { kind: 'general', tree: t, span };
}

/** The attribute problems of the spec being parsed (E247, E248); the checker reports them. */
let attributeErrors: A.AttributeError[] = [];

/** Attaches the attributes before a run of declarations to the action, process or procedure that follows. */
function attachDeclAttributes(items: readonly (A.Decl | ParsedAttribute)[]): A.Decl[] {
  const out: A.Decl[] = [];
  let pending: ParsedAttribute[] = [];
  for (const d of items) {
    if (d.kind === 'attribute') {
      pending.push(d);
      continue;
    }
    if (pending.length > 0) {
      const word = declWord(d.kind);
      const attached = attachAttributes(attributeErrors, pending, d.kind === 'action' || d.kind === 'process' || d.kind === 'procedure', `${/^[aeiou]/.test(word) ? 'an' : 'a'} ${word} declaration`);
      out.push(attached ? ({ ...d, kernel: attached } as A.Decl) : d);
      pending = [];
    } else out.push(d);
  }
  if (pending.length > 0) attachAttributes(attributeErrors, pending, false, 'the end of the spec');
  return out;
}

/** Attaches the attributes in a statement list to the label that follows each; drops `;`s. */
function attachLabelAttributes(items: readonly (A.Stmt | ParsedAttribute | null)[]): A.Stmt[] {
  const out: A.Stmt[] = [];
  let pending: ParsedAttribute[] = [];
  for (const st of items) {
    if (st === null) continue;
    if (st.kind === 'attribute') {
      pending.push(st);
      continue;
    }
    if (pending.length > 0) {
      const attached = attachAttributes(attributeErrors, pending, st.kind === 'label', `a '${st.kind}' statement`);
      out.push(attached && st.kind === 'label' ? { ...st, kernel: attached } : st);
      pending = [];
    } else out.push(st);
  }
  if (pending.length > 0) attachAttributes(attributeErrors, pending, false, 'the end of a block');
  return out;
}

/**
 * A declaration, followed by the fairness declaration that `fair` / `strong fair` on it
 * stands for: `fair process P { ... }` means `process P { ... }` and `fair process P`.
 */
export function withFairness(d: A.Decl): A.Decl[] {
  if ((d.kind !== 'action' && d.kind !== 'process') || !d.fair) return [d];
  const f = d.fair;
  const span: A.Span = { source: f.span.source, start: f.span.start, end: d.name.span.end };
  return [d, { kind: 'fairness', strong: f.strong, target: d.kind, name: d.name, span }];
}

function syntaxError(source: A.Source, m: ohm.FailedMatchResult, shift: (pos: number) => number = (p) => p): SpecErrors {
  const pos = shift(m.getRightmostFailurePosition());
  let expected: string;
  try {
    expected = m.getExpectedText();
  } catch (e) {
    // ohm works out what it expected by matching again, as deeply as the text nests: past
    // the stack (a syntax error inside hundreds of brackets), the error without that list.
    if (!(e instanceof RangeError)) throw e;
    expected = '';
  }
  const found = foundAt(source.text, pos);
  const odd = oddSpace(source, pos, found);
  if (odd !== undefined) return new SpecErrors([odd]);
  const temporal = temporalMisplaced(source, pos, found);
  if (temporal !== undefined) return new SpecErrors([temporal]);
  const what = found === '' ? 'end of input' : `'${found.length > 20 ? found.slice(0, 20) + '…' : found}'`;
  const typed = found.startsWith(',') ? typeWrittenAsSet(source, pos) : undefined;
  if (typed) return new SpecErrors([typed]);
  const newcomer = newcomerMistake(source, pos, found, expected);
  if (newcomer) return new SpecErrors([newcomer]);
  const word = /^[A-Za-z_]\w*/.exec(found)?.[0];
  if (word !== undefined && isKeyword(word)) {
    // A reserved word where a name is wanted (`var in: Int`, `let at = 1`, `(for: T)`).
    const after = source.text.slice(pos + word.length).trimStart()[0];
    if (expected.includes('a name') || (after !== undefined && ':=,)'.includes(after))) {
      return new SpecErrors([
        new Diagnostic(
          'E100',
          { source, start: pos, end: pos + word.length },
          `'${word}' is a keyword and cannot be used as a name`,
          `choose another name, such as '${word}_' or a more descriptive one`,
        ),
      ]);
    }
  }
  const d = new Diagnostic(
    'E100',
    { source, start: pos, end: pos + Math.max(1, Math.min(found.length, 20)) },
    `unexpected ${what}`,
    expected === '' ? 'the text is nested too deeply here for spex to say what it expected' : `expected ${expected}`,
  );
  return new SpecErrors([d]);
}

/**
 * The text a syntax error found at `pos`: up to the next white space of the spec's own (space,
 * tab, line break, form feed). A no-break or other Unicode space is not white space to spex,
 * so it is what was found, not the end of the input.
 */
function foundAt(text: string, pos: number): string {
  return text.slice(pos, pos + 200).match(/^[^ \t\r\n\f]*/)?.[0] ?? '';
}

/** Unicode spaces and line separators that look like white space but are not, to spex. */
const ODD_SPACES: Record<number, string> = {
  0xa0: 'no-break space', 0x1680: 'ogham space mark', 0x2028: 'line separator', 0x2029: 'paragraph separator',
  0x202f: 'narrow no-break space', 0x205f: 'medium mathematical space', 0x3000: 'ideographic space', 0xfeff: 'zero-width no-break space (a byte order mark)',
  0x200b: 'zero-width space',
};

/** E100 for a syntax error at a Unicode space (`x :=\u00a01`, copied from a web page): names it. */
function oddSpace(source: A.Source, pos: number, found: string): Diagnostic | undefined {
  const c = found.charCodeAt(0);
  const name = ODD_SPACES[c] ?? (c >= 0x2000 && c <= 0x200a ? 'typographic space' : undefined);
  if (name === undefined) return undefined;
  const code = `U+${c.toString(16).toUpperCase().padStart(4, '0')}`;
  return new Diagnostic(
    'E100',
    { source, start: pos, end: pos + 1 },
    `unexpected ${code} (${name}), which is not white space to spex`,
    'replace it with a plain space (or a line break); text copied from a web page or a word processor often carries such characters',
  );
}

/**
 * Operators and punctuation from other languages: `&&`, `||`, `!`, `=` in an expression, a
 * `;` after a declaration, `0..N-1` as a type, `++` or `\o` joining sequences. The message
 * stays E100's, with the hint that says what to write.
 */
function newcomerMistake(source: A.Source, pos: number, found: string, expected: string): Diagnostic | undefined {
  const at = (n: number) => ({ source, start: pos, end: pos + n });
  const op = (sym: string, word: string, what: string) =>
    new Diagnostic('E100', at(sym.length), `unexpected '${sym}': spex writes ${what} as '${word}'`, `write '${word}' instead of '${sym}'`);
  if (found.startsWith('&&')) return op('&&', 'and', 'conjunction');
  if (found.startsWith('||')) return op('||', 'or', 'disjunction');
  if (found.startsWith('!') && !found.startsWith('!=')) return op('!', 'not', 'negation');
  if (found.startsWith('=') && !found.startsWith('==') && !found.startsWith('=>') && expected.includes('"=="')) {
    return new Diagnostic('E100', at(1), `unexpected '=': spex compares with '=='`, `write '==' to compare; ':=' assigns a state variable in an action, and '=' gives the value of a declaration`);
  }
  // `s ++ t` (Haskell, Scala) and TLA+'s `s \o t`: the parse stops at the second `+` or at `\`.
  const joined = found.startsWith('+') && source.text[pos - 1] === '+' ? { start: pos - 1, sym: '++' } : /^\\o\b/.test(found) ? { start: pos, sym: '\\o' } : undefined;
  if (joined !== undefined) {
    return new Diagnostic(
      'E100',
      { source, start: joined.start, end: joined.start + 2 },
      `unexpected '${joined.sym}': spex joins sequences with concat`,
      'write concat(s, t) to join two sequences, and append(s, x) to add x at the end',
    );
  }
  if (found.startsWith(';') && !expected.includes('"}"')) {
    return new Diagnostic('E100', at(1), `unexpected ';' after a declaration`, `declarations are not separated by ';': remove it (inside a block, ';' may separate statements)`);
  }
  if (found.startsWith('-') || found.startsWith('+') || found.startsWith('*')) {
    // A type's range bounds are numbers, names or parenthesised expressions: `0..N-1` stops at `-`.
    const before = source.text.slice(Math.max(0, pos - 200), pos);
    const m = /(-?\w+)\s*\.\.\s*(\w+)\s*$/.exec(before);
    if (m && /"(var|const|action|type|def|invariant)"|end of input|"[}]"|"="|"\)"/.test(expected)) {
      const expr = /^[-+*]\s*\w+/.exec(found)?.[0] ?? found;
      return new Diagnostic(
        'E100',
        at(1),
        `unexpected '${found[0]}' in a range type: a bound of a type's range is a number, a name or an expression in parentheses`,
        `write ${m[1]}..(${m[2]}${found.startsWith('-') ? ' ' : ' '}${expr.replace(/^([-+*])\s*/, '$1 ')})`,
      );
    }
  }
  return undefined;
}

/**
 * `pick g in Map[Res, Bool]`: a map type where an expression is expected parses as indexing
 * `Map` and fails at the comma. Say how to write the set of the type's values (E222).
 */
function typeWrittenAsSet(source: A.Source, pos: number): Diagnostic | undefined {
  const before = source.text.slice(0, pos);
  const m = /\bMap\s*\[[^[\]\n]*$/.exec(before);
  if (!m) return undefined;
  const close = source.text.indexOf(']', pos);
  const eol = source.text.indexOf('\n', pos);
  const end = close >= 0 && (eol < 0 || close < eol) ? close + 1 : pos + 1;
  return new Diagnostic('E222', { source, start: m.index, end }, "'Map[...]' is a type, not a set of values", TYPE_AS_SET_HINT);
}
/** Whether a word is reserved (the grammar's `keyword` rule): it cannot be a name. */
export function isKeyword(word: string): boolean {
  return grammar().match(word, 'keyword').succeeded();
}

/**
 * A temporal operator where the parser wanted an expression (E227): inside an if-then-else, a
 * function argument, a comparison, ... of a property, or anywhere in an invariant, a view, an
 * action. Recognised when the failure is at `always`, `eventually` (or, in a property, `~>`),
 * after the ':' or '{' that opens the declaration's body.
 */
function temporalMisplaced(source: A.Source, pos: number, found: string): Diagnostic | undefined {
  const word = /^(always|eventually)\b/.exec(source.text.slice(pos))?.[1] ?? (found.startsWith('~>') ? '~>' : undefined);
  if (word === undefined) return undefined;
  const before = source.text.slice(0, pos);
  const decls = [...before.matchAll(/^[ \t]*(property|invariant|view|def|action|process|init|const|var|check)\b[^\n]*/gm)];
  const decl = decls[decls.length - 1];
  if (decl === undefined) return undefined;
  const body = before.slice(decl.index!);
  if (!/[:{]/.test(body)) return undefined;
  const at = { source, start: pos, end: pos + word.length };
  if (decl[1] === 'property') {
    return new Diagnostic(
      'E227',
      at,
      `'${word}' stands inside an expression: temporal operators combine only with not, and, or, implies, ~> and quantifiers`,
      `write the choice or the comparison with connectives around the temporal parts, e.g. 'if c then eventually P else Q' as '(c implies eventually P) and (not c implies Q)'; a state predicate (an expression over the state) may not contain a temporal operator`,
    );
  }
  if (word === '~>') return undefined; // outside properties: a plain syntax error, as before
  return new Diagnostic(
    'E227',
    at,
    `'${word}' is a temporal operator: it may stand only in a property's formula, not in ${decl[1] === 'invariant' ? 'an invariant' : `${/^[aeiou]/.test(decl[1]!) ? 'an' : 'a'} ${decl[1]}`}`,
    decl[1] === 'invariant' ? `an invariant is a state predicate, already checked in every state; for a temporal formula declare 'property Name: ...'` : `declare 'property Name: ...' for a temporal formula`,
  );
}

/** An integer literal's value; literals that a JS number cannot hold exactly are refused. */
function intLiteral(node: ohm.Node): number {
  const v = Number(node.sourceString);
  if (!Number.isSafeInteger(v)) {
    throw new SpecErrors([
      new Diagnostic('E100', span(node), 'integer literal too large', `integers are limited to ±${Number.MAX_SAFE_INTEGER}`),
    ]);
  }
  return v;
}

/**
 * Parses a whole spec. Throws SpecErrors: E100 on a syntax error, E103 on a control character,
 * E104 on nesting beyond MAX_NESTING.
 *
 * The hand-written parser (fast-parser.ts) parses; when it cannot, the ohm grammar parses the
 * text again and reports the syntax error as it always has. On a large text ohm parses it
 * without what the fast parser found it need not read (its `skips`: the declarations before the
 * one it stopped in but one, the statements of that one's body before the one it stopped in but
 * one, and the operands of the chains and the items of the lists it stopped in but the last),
 * so that a syntax error in a large file, a large process or a long expression is found
 * quickly.
 * `ohmWindow`: the length from which it does so (tests give 0).
 */
export function parseSpec(source: A.Source, ohmWindow = OHM_WINDOW): A.SpecAst {
  checkText(source);
  let fast;
  try {
    fast = fastParseSpec(source);
  } catch (e) {
    throw stackOverflowAsE104(e, source);
  }
  if (fast.ok) {
    checkNesting(fast.value);
    return fast.value;
  }
  const full = source.text.charCodeAt(0) === 0xfeff ? ' ' + source.text.slice(1) : source.text;
  if (full.length > ohmWindow && fast.skips.length > 0) {
    // ohm reads the text without the skipped ranges, and the position of its error is moved
    // back to where it is in the whole text. Taken only if that error is past every range left
    // out: one before would mean that ohm parses otherwise what the fast parser parsed, and
    // ohm reads the whole text.
    const { text, shift } = withoutSkips(full, fast.skips);
    const m = ohmMatch(source, text, 'Spec', fast.furthest);
    const end = fast.skips[fast.skips.length - 1]![1];
    if (m.failed() && shift(m.getRightmostFailurePosition()) >= end) throw syntaxError(source, m, shift);
  }
  return ohmSpec(source, ohmMatch(source, full, 'Spec', fast.furthest));
}

/**
 * A text without the ranges [from, to) of `skips` (in order, apart), and the map of a position
 * in it to the same place in the whole text.
 */
export function withoutSkips(full: string, skips: readonly (readonly [number, number])[]): { text: string; shift: (p: number) => number } {
  const parts: string[] = [];
  let at = 0;
  for (const [from, to] of skips) {
    parts.push(full.slice(at, from));
    at = to;
  }
  parts.push(full.slice(at));
  const shift = (p: number): number => {
    for (const [from, to] of skips) if (p >= from) p += to - from;
    return p;
  };
  return { text: parts.join(''), shift };
}

/** Texts longer than this are given to ohm without what it need not read again (see parseSpec). */
const OHM_WINDOW = 64 * 1024;

function ohmMatch(source: A.Source, text: string, rule: string, furthest: number): ohm.MatchResult {
  try {
    return grammar().match(text, rule);
  } catch (e) {
    // ohm's matcher recurses deeply on nested input: past its stack, report where the fast
    // parser stopped.
    if (!(e instanceof RangeError)) throw e;
    const found = foundAt(source.text, furthest);
    throw new SpecErrors([
      new Diagnostic(
        'E100',
        { source, start: furthest, end: furthest + Math.max(1, Math.min(found.length, 20)) },
        found === '' ? 'unexpected end of input' : `unexpected '${found.length > 20 ? found.slice(0, 20) + '…' : found}'`,
      ),
    ]);
  }
}

function ohmSpec(source: A.Source, m: ohm.MatchResult, check = true): A.SpecAst {
  if (m.failed()) throw syntaxError(source, m);
  current = source;
  attributeErrors = [];
  try {
    const ast = semantics()(m).ast() as A.SpecAst;
    if (check) checkNesting(ast);
    return ast;
  } catch (e) {
    // ohm's semantics recurse as deeply as the text nests (a text only the ohm grammar
    // parses, deeply nested): past the stack, E104 as for the fast parser.
    throw stackOverflowAsE104(e, source);
  } finally {
    current = { path: '<none>', text: '' };
    attributeErrors = [];
  }
}

/** Parses one expression (a `--const` value on the command line, or a test snippet). */
export function parseExpr(source: A.Source): A.Expr {
  checkText(source);
  const fast = fastParseExpr(source);
  if (fast.ok) {
    checkNesting(fast.value);
    return fast.value;
  }
  const m = ohmMatch(source, source.text, 'Expr', fast.furthest);
  if (m.failed()) throw syntaxError(source, m);
  current = source;
  try {
    return semantics()(m).ast() as A.Expr;
  } catch (e) {
    throw stackOverflowAsE104(e, source);
  } finally {
    current = { path: '<none>', text: '' };
  }
}

/** The ohm grammar's parse alone, without the fast parser: for tests comparing the two. */
export function parseSpecWithOhm(source: A.Source): A.SpecAst {
  return ohmSpec(source, grammar().match(source.text, 'Spec'), false);
}
