/**
 * The nodes that are their own span (src/lang/ast.ts): what they derive from the source and
 * their operands (a name's end, a literal's value and end, an operation's source and offsets)
 * is what was written there, and where it would not be (a literal `- 5` or `007`, an operation
 * in brackets, a name whose span is not its text) the factories build plain nodes instead.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import * as A from '../../src/lang/ast.js';
import { parseSpec } from '../../src/lang/parser.js';
import { root } from '../support/cli.js';

const src = (text: string): A.Source => ({ path: 't.spex', text });

describe('the factories', () => {
  it('make a literal its own span only when the source there is its decimal digits', () => {
    const s = src('x = 42 + 007 - 5 + 9007199254740993');
    const lit = A.intAt(42, s, 4, 6);
    expect(lit).toBeInstanceOf(A.IntAt);
    expect([lit.kind, lit.value, lit.span.start, lit.span.end]).toEqual(['int', 42, 4, 6]);
    // Leading zeros: the value is 7, the span three characters.
    const padded = A.intAt(7, s, 9, 12);
    expect(padded).not.toBeInstanceOf(A.IntAt);
    expect([padded.kind, padded.value, padded.span.start, padded.span.end]).toEqual(['int', 7, 9, 12]);
    // A negative literal spans its sign.
    const negative = A.intAt(-5, s, 13, 16);
    expect(negative).not.toBeInstanceOf(A.IntAt);
    expect([negative.value, negative.span.start, negative.span.end]).toEqual([-5, 13, 16]);
    // Too large (the parser reports E100 and puts 0): not read back from the digits.
    const large = A.intAt(0, s, 19, 35);
    expect(large).not.toBeInstanceOf(A.IntAt);
    expect(large.value).toBe(0);
    // Digits that are not the value given.
    expect(A.intAt(41, s, 4, 6)).not.toBeInstanceOf(A.IntAt);
    expect(A.intAt(4, s, 4, 6)).not.toBeInstanceOf(A.IntAt);
    // Part of the digits only (the literal is 42).
    expect(A.intAt(4, s, 4, 5)).not.toBeInstanceOf(A.IntAt);
  });

  it('make a name its own span only when its text is the source there', () => {
    const s = src('count + P.L');
    const n = A.nameAt('count', s, 0, 5);
    expect(n).toBeInstanceOf(A.NameAt);
    expect([n.text, n.span.start, n.span.end]).toEqual(['count', 0, 5]);
    const other = A.nameAt('P.L', s, 8, 12);
    expect(other).not.toBeInstanceOf(A.NameAt);
    expect([other.text, other.span.start, other.span.end]).toEqual(['P.L', 8, 12]);
    const ref = A.nameRef('count', s, 0, 5);
    expect(ref).toBeInstanceOf(A.NameRef);
    expect([ref.kind, ref.name.text, ref.span.end]).toEqual(['name', 'count', 5]);
    const plainRef = A.nameRef('count', s, 0, 6);
    expect(plainRef).not.toBeInstanceOf(A.NameRef);
    expect([plainRef.kind, plainRef.name.text, plainRef.name.span.end, plainRef.span.end]).toEqual(['name', 'count', 6, 6]);
  });

  it('make an operation its own span only when its operands begin and end it', () => {
    const s = src('(a + b) * c');
    const a = A.nameRef('a', s, 1, 2);
    const b = A.nameRef('b', s, 5, 6);
    const c = A.nameRef('c', s, 10, 11);
    const sum = A.binaryAt('+', a, b, s, 1, 6);
    expect(sum).toBeInstanceOf(A.BinaryAt);
    expect([sum.kind, sum.op, sum.span.source, sum.span.start, sum.span.end]).toEqual(['binary', '+', s, 1, 6]);
    // The product spans the bracket before its left operand.
    const product = A.binaryAt('*', sum, c, s, 0, 11);
    expect(product).not.toBeInstanceOf(A.BinaryAt);
    expect([product.span.start, product.span.end]).toEqual([0, 11]);
    // Its left operand's offsets come from its own operands, however deep.
    const deeper = A.binaryAt('-', A.binaryAt('+', a, b, s, 1, 6), c, s, 1, 11);
    expect(deeper).toBeInstanceOf(A.BinaryAt);
    expect([deeper.span.start, deeper.span.end]).toEqual([1, 11]);
    // Operands of another source: a plain node.
    expect(A.binaryAt('+', a, A.nameRef('b', src('b'), 0, 1), s, 1, 1)).not.toBeInstanceOf(A.BinaryAt);
  });
});

describe('what a node keeps', () => {
  it('its own fields only: the kind, the operator and the source are on its prototype', () => {
    const s = src('count + 42');
    const ref = A.nameRef('count', s, 0, 5);
    const lit = A.intAt(42, s, 8, 10);
    const sum = A.binaryAt('+', ref, lit, s, 0, 10);
    expect(Object.keys(A.nameAt('count', s, 0, 5))).toEqual(['text', 'start']);
    expect(Object.keys(ref)).toEqual(['text', 'start']);
    expect(Object.keys(lit)).toEqual(['start']);
    expect(Object.keys(sum)).toEqual(['left', 'right']);
    expect([sum.kind, sum.op, sum.span.source, lit.kind, lit.span.source, ref.kind, ref.span.source]).toEqual(['binary', '+', s, 'int', s, 'name', s]);
  });

  it('the source it was made for, whatever was made for other sources before and after', () => {
    // Nodes of three sources made in turn, one source twice in a row, then read back.
    const sources = [src('7 + b'), src('7 + b'), { path: 'u.spex', text: '7 + b' }];
    const made: [A.Source, A.Expr, A.Name][] = [];
    for (const s of [...sources, sources[0]!, sources[0]!, sources[2]!, sources[1]!]) {
      const lit = A.intAt(7, s, 0, 1);
      const ref = A.nameRef('b', s, 4, 5);
      made.push([s, A.binaryAt('*', lit, ref, s, 0, 5), A.nameAt('b', s, 4, 5)]);
    }
    for (const [s, e, n] of made) {
      expect(e).toBeInstanceOf(A.BinaryAt);
      const b = e as Extract<A.Expr, { kind: 'binary' }>;
      expect([b.op, b.span.source, b.left.span.source, b.right.span.source, n.span.source]).toEqual(['*', s, s, s, s]);
      expect(b.left.span.source).toBe(s);
      expect(b.right.span.source).toBe(s);
      expect(n.span.source).toBe(s);
    }
    // A node of each operator says its own.
    const s = src('a b');
    const ops: A.BinaryOp[] = ['implies', 'or', 'and', '==', '!=', '<', '<=', '>', '>=', 'in', 'notin', 'subset', 'union', 'minus', 'inter', '..', '+', '-', '*', '/', '%'];
    const nodes = ops.map((op) => A.binaryAt(op, A.nameRef('a', s, 0, 1), A.nameRef('b', s, 2, 3), s, 0, 3));
    expect(nodes.map((n) => (n instanceof A.BinaryAt ? n.op : 'plain'))).toEqual(ops);
  });
});

/** Every expression node under x (through arrays and object fields, not spans or sources). */
function* expressions(x: unknown, seen = new Set<unknown>()): Generator<A.Expr> {
  if (typeof x !== 'object' || x === null || seen.has(x)) return;
  seen.add(x);
  if (Array.isArray(x)) {
    for (const y of x) yield* expressions(y, seen);
    return;
  }
  const node = x as { kind?: unknown; span?: unknown };
  if (typeof node.kind === 'string' && node.span !== undefined) yield node as A.Expr;
  const fields = x instanceof A.BinaryAt ? { left: x.left, right: x.right } : x;
  for (const [k, v] of Object.entries(fields)) if (k !== 'span' && k !== 'source') yield* expressions(v, seen);
}

describe('what parsed specs hold', () => {
  it('literals, names and operations say what the source says, on every spec of spec/memcg and spec/examples', () => {
    let classes = 0;
    let plain = 0;
    for (const file of ['spec/memcg/reparent.spex', 'spec/memcg/objcg-lru.spex', 'spec/examples/twophase.spex', 'spec/examples/peterson.spex', 'spec/bench/counter-grid-live.spex']) {
      const text = readFileSync(join(root, file), 'utf8');
      const ast = parseSpec({ path: file, text });
      for (const e of expressions(ast.decls)) {
        const written = text.slice(e.span.start, e.span.end);
        if (e.kind === 'int') {
          expect(Number(written.replace(/[\s()]/g, '')), `${file}:${e.span.start} '${written}'`).toBe(e.value);
        } else if (e.kind === 'name') {
          expect(written, `${file}:${e.span.start}`).toBe(e.name.text);
        } else if (e.kind === 'binary') {
          expect(e.left.span.start).toBeGreaterThanOrEqual(e.span.start);
          expect(e.right.span.end).toBeLessThanOrEqual(e.span.end);
          expect(e.left.span.end).toBeLessThanOrEqual(e.right.span.start);
        } else continue;
        if (e instanceof A.IntAt || e instanceof A.NameRef || e instanceof A.BinaryAt) classes++;
        else plain++;
      }
    }
    // Most are their own spans; some are not (brackets, negative literals).
    expect(classes).toBeGreaterThan(1000);
    expect(plain).toBeGreaterThan(0);
  });

  it('a long chain nested one way derives its spans through a bounded number of operations', () => {
    // `1 - 1 - ...` nests to the left, `implies` to the right: each node's span is right, and
    // none is derived through more than 65 operations (so neither building nor reading is
    // quadratic in the chain's length).
    for (const [op, n] of [['-', 900], ['implies', 900]] as const) {
      const body = Array.from({ length: n }, () => (op === '-' ? '1' : 'x')).join(` ${op} `);
      const text = `spec C\nvar x: Bool = false\naction A { x := not x }\ninvariant I: ${op === '-' ? `${body} < 5` : body}\n`;
      const ast = parseSpec({ path: 'c.spex', text });
      let nodes = 0;
      let deepest = 0;
      for (const e of expressions(ast.decls)) {
        if (e.kind !== 'binary' || e.op !== (op === '-' ? '-' : 'implies')) continue;
        nodes++;
        const written = text.slice(e.span.start, e.span.end);
        expect(written.startsWith(op === '-' ? '1 - ' : 'x implies ') && written.endsWith(op === '-' ? '- 1' : 'implies x')).toBe(true);
        expect(e.span.end - e.span.start).toBe(text.slice(e.left.span.start, e.right.span.end).length);
        let depth = 0;
        for (let x: A.Expr = e; x instanceof A.BinaryAt; x = op === '-' ? x.left : x.right) depth++;
        deepest = Math.max(deepest, depth);
      }
      expect(nodes).toBe(n - 1);
      expect(deepest).toBeGreaterThan(32);
      expect(deepest).toBeLessThanOrEqual(65);
    }
  });

  it('a sum of literals is built of nodes that are their own spans, brackets aside', () => {
    const text = 'spec S\nvar x: 0..3 = 0\naction A { x := 0 }\ninvariant I: 1+22+333 + (4+5) >= 0\n';
    const ast = parseSpec({ path: 's.spex', text });
    const inv = ast.decls.find((d) => d.kind === 'invariant') as Extract<A.Decl, { kind: 'invariant' }>;
    const cmp = inv.body as Extract<A.Expr, { kind: 'binary' }>;
    // Its operands begin and end it (its left one a plain node with a span of its own).
    expect(cmp).toBeInstanceOf(A.BinaryAt);
    const sum = cmp.left as Extract<A.Expr, { kind: 'binary' }>;
    // It ends with a bracket its right operand does not span: a plain node.
    expect(sum).not.toBeInstanceOf(A.BinaryAt);
    expect(text.slice(sum.span.start, sum.span.end)).toBe('1+22+333 + (4+5)');
    const inner = sum.right as Extract<A.Expr, { kind: 'binary' }>;
    expect(inner).toBeInstanceOf(A.BinaryAt);
    expect(text.slice(inner.span.start, inner.span.end)).toBe('4+5');
    const left = sum.left as Extract<A.Expr, { kind: 'binary' }>;
    expect(left).toBeInstanceOf(A.BinaryAt);
    expect(text.slice(left.span.start, left.span.end)).toBe('1+22+333');
    expect(left.right).toBeInstanceOf(A.IntAt);
    expect((left.right as A.IntAt).value).toBe(333);
    expect((left.left as A.BinaryAt).left).toBeInstanceOf(A.IntAt);
  });
});
