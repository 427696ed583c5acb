// The editor grammar tokenises every spec in spec/ as VS Code would (vscode-textmate and
// vscode-oniguruma), and its main scopes agree with a plain scan of the same text: comments,
// strings, numbers, keywords (reserved and contextual), and names.
import { describe, expect, it } from 'vitest';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { tokenize, type Token } from './tokenize.js';

const RESERVED = [
  'spec', 'const', 'enum', 'type', 'var', 'def', 'init', 'action', 'invariant', 'check', 'expect', 'require',
  'let', 'pick', 'where', 'if', 'then', 'else', 'for', 'match', 'assert', 'forall', 'exists', 'choose', 'in',
  'and', 'or', 'not', 'implies', 'union', 'inter', 'minus', 'subset', 'is', 'with', 'true', 'false', 'process',
  'property', 'fair', 'strong', 'await', 'goto', 'while', 'always', 'eventually', 'sum', 'at',
];

/** Contextual keywords, and the contexts (one line, comments and strings blanked) where they are keywords. */
const CONTEXTUAL: [RegExp, string][] = [
  [/^\s*(view)\s+\w+\s*:/, 'view'],
  [/(?:^|[{;])\s*(constraint)\s+\w+\s*:/, 'constraint'],
  [/\baction\s+(constraint)\b/, 'constraint'],
  [/\balways\s+(step)\s+\w+/, 'step'],
  [/\b(either)\s*\{/, 'either'],
  [/\b(procedure)\s+\w+\s*\(/, 'procedure'],
  [/\b(call)\s+\w+\s*\(/, 'call'],
  [/(?:^|[{;:])\s*(return)\b(?!\s*[:[.])/, 'return'],
  [/^\s*(end)\s+\w+\s*:(?!=)/, 'end'],
  [/\b(import)\s+\w+\s+from\b/, 'import'],
  [/\bimport\s+\w+\s+(from)\b/, 'from'],
  [/\b(refines)\s+\w+/, 'refines'],
  [/\bfair\s+(next)\b/, 'next'],
  [/\bexpect\s+(ok|violation|deadlock|error)\b/, 'expectation'],
  [/\b(deadlock)\s+(?:on|off)\b/, 'deadlock'],
  [/\bdeadlock\s+(on|off)\b/, 'on/off'],
  [/(?:^|[{;])\s*(only)\s+[A-Za-z_]/, 'only'],
  [/\bat\s+(done)\b/, 'done'],
];

function specs(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? specs(join(dir, e.name)) : e.name.endsWith('.spex') ? [join(dir, e.name)] : [],
  );
}

/** Per character: 'comment', 'string' or 'code', by a plain scan of the language's lexical rules. */
function classify(text: string): ('comment' | 'string' | 'code')[] {
  const out: ('comment' | 'string' | 'code')[] = new Array(text.length).fill('code');
  let i = 0;
  while (i < text.length) {
    if (text.startsWith('//', i)) {
      const end = text.indexOf('\n', i);
      const e = end < 0 ? text.length : end;
      out.fill('comment', i, e);
      i = e;
    } else if (text.startsWith('/*', i)) {
      const end = text.indexOf('*/', i + 2);
      const e = end < 0 ? text.length : end + 2;
      for (let k = i; k < e; k++) if (text[k] !== '\n') out[k] = 'comment';
      i = e;
    } else if (text[i] === '"') {
      let e = i + 1;
      while (e < text.length && text[e] !== '"' && text[e] !== '\n') e++;
      out.fill('string', i, Math.min(e + 1, text.length));
      i = e + 1;
    } else i++;
  }
  return out;
}

/** The innermost scopes at each character of each line. */
function scopesByChar(lines: Token[][], text: string): (readonly string[])[] {
  const out: (readonly string[])[] = new Array(text.length).fill([]);
  let offset = 0;
  text.split('\n').forEach((line, i) => {
    for (const t of lines[i]!) for (let k = t.start; k < t.end; k++) out[offset + k] = t.scopes;
    offset += line.length + 1;
  });
  return out;
}

const has = (scopes: readonly string[], prefix: string): boolean => scopes.some((s) => s.startsWith(prefix));
const isKeywordScope = (scopes: readonly string[]): boolean =>
  has(scopes, 'keyword.') || has(scopes, 'storage.type') || has(scopes, 'constant.language');
const NAME_SCOPES = ['variable.', 'entity.name.', 'support.', 'constant.other', 'variable.other'];

describe('the TextMate grammar over every spec in spec/', () => {
  for (const file of specs('spec')) {
    it(`scopes ${file}`, async () => {
      const text = readFileSync(file, 'utf8');
      const lines = await tokenize(text);
      const kind = classify(text);
      const scopes = scopesByChar(lines, text);
      const where = (o: number): string => {
        const before = text.slice(0, o);
        return `${file}:${before.split('\n').length}:${o - before.lastIndexOf('\n')}`;
      };
      let keywords = 0;
      // Comments and strings: every character is scoped so, and nothing in them as a keyword.
      for (let o = 0; o < text.length; o++) {
        if (kind[o] === 'code' || /\s/.test(text[o]!)) continue;
        const want = kind[o] === 'comment' ? 'comment.' : 'string.quoted';
        expect(has(scopes[o]!, want), `${where(o)} should be ${want}: ${scopes[o]!.join(' ')}`).toBe(true);
        expect(isKeywordScope(scopes[o]!), `${where(o)} is inside a ${kind[o]}`).toBe(false);
      }
      // Every line that is a // comment is a comment from its slashes to its end.
      text.split('\n').forEach((line, i) => {
        const at = line.indexOf('//');
        if (!line.trimStart().startsWith('//')) return;
        const toks = lines[i]!.filter((t) => t.end > at);
        expect(toks.every((t) => has(t.scopes, 'comment.line.double-slash')), `${file}:${i + 1} is a comment line`).toBe(true);
      });
      // The code with comments and strings blanked: numbers, keywords and names.
      const code = [...text].map((c, o) => (kind[o] === 'code' || c === '\n' ? c : ' ')).join('');
      for (const m of code.matchAll(/\b\d+\b/g)) {
        expect(has(scopes[m.index]!, 'constant.numeric'), `${where(m.index)}: ${m[0]} should be numeric: ${scopes[m.index]!.join(' ')}`).toBe(true);
      }
      const contextual = new Set<number>();
      let lineStart = 0;
      for (const line of code.split('\n')) {
        for (const [re] of CONTEXTUAL) {
          for (const m of line.matchAll(new RegExp(re.source, 'dg'))) {
            const o = lineStart + m.indices![1]![0];
            contextual.add(o);
            expect(isKeywordScope(scopes[o]!), `${where(o)}: contextual keyword '${m[1]}' should be a keyword: ${scopes[o]!.join(' ')}`).toBe(true);
          }
        }
        lineStart += line.length + 1;
      }
      for (const m of code.matchAll(/\b[A-Za-z_][A-Za-z0-9_]*\b/g)) {
        const s = scopes[m.index]!;
        if (RESERVED.includes(m[0])) {
          keywords++;
          expect(isKeywordScope(s), `${where(m.index)}: '${m[0]}' should be a keyword: ${s.join(' ')}`).toBe(true);
        } else if (!contextual.has(m.index)) {
          // A name: never a keyword scope (a contextual keyword out of its context is a name).
          expect(isKeywordScope(s) && !has(s, 'constant.language.switch'), `${where(m.index)}: '${m[0]}' should be a name: ${s.join(' ')}`).toBe(false);
          expect(NAME_SCOPES.some((p) => has(s, p)), `${where(m.index)}: '${m[0]}' should have a name scope: ${s.join(' ')}`).toBe(true);
        }
      }
      expect(keywords).toBeGreaterThan(0);
    });
  }
});

describe('the TextMate grammar on its own', () => {
  const scopesOf = async (text: string, word: string, n = 0): Promise<readonly string[]> => {
    const lines = await tokenize(text);
    let seen = 0;
    for (const line of lines) {
      for (const t of line) {
        if (t.text === word && seen++ === n) return t.scopes;
      }
    }
    throw new Error(`no token ${word}`);
  };

  it('scopes a block comment over several lines, and keywords in it as comment', async () => {
    const text = 'spec S\n/* if this\n   then that */\nvar x: Int = 1\n';
    expect(await scopesOf(text, '   then that ')).toContain('comment.block.spex');
    expect(await scopesOf(text, 'x')).toContain('variable.other.declaration.spex');
  });

  it('scopes a keyword inside a string as string', async () => {
    const text = 'spec S\nimport A from "forall if.spex"\n';
    const s = await scopesOf(text, 'forall if.spex');
    expect(s).toContain('string.quoted.double.spex');
    expect(s.some((x) => x.startsWith('keyword'))).toBe(false);
  });

  it('scopes declarations, labels and calls', async () => {
    const text = 'spec S\nprocedure P(a: Int) {\n  l1: call Q(a)\n      return\n  end l2: goto l1\n}\ndef f(n: Int): Int = size({n})\n';
    expect(await scopesOf(text, 'P')).toContain('entity.name.function.spex');
    expect(await scopesOf(text, 'l1')).toContain('entity.name.label.spex');
    expect(await scopesOf(text, 'call')).toContain('keyword.control.call.spex');
    expect(await scopesOf(text, 'return')).toContain('keyword.control.return.spex');
    expect(await scopesOf(text, 'end')).toContain('keyword.control.end.spex');
    expect(await scopesOf(text, 'l1', 1)).toContain('entity.name.label.spex');
    expect(await scopesOf(text, 'size')).toContain('support.function.builtin.spex');
    expect(await scopesOf(text, 'Int')).toContain('support.type.builtin.spex');
  });

  it('leaves contextual keywords used as names as names', async () => {
    const text = 'spec S\nvar step: Int = 0\nvar next: Int = 0\naction A { next := step + 1 }\n';
    expect(await scopesOf(text, 'next', 1)).toContain('variable.other.spex');
    expect(await scopesOf(text, 'step', 1)).toContain('variable.other.spex');
  });
});
