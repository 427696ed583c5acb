/**
 * A grammar-aware mutator of spex specs, seeded and deterministic: the same corpus, seed and
 * index always give the same mutant. It cuts a spec into tokens the way the grammar does
 * (comments, strings, numbers, names and keywords, operators) and applies one to three
 * operators, each named so that a run can report which ones a bad mutant went through:
 *
 *   delete-token, duplicate-token, swap-tokens, delete-line, duplicate-line, repeat-lines (a
 *   few lines repeated hundreds to thousands of times), swap-lines, insert-keyword, edge-number (numbers near 2^31 and 2^53, 0, -1), deep-nesting (hundreds to
 *   thousands of parentheses), not-chain, long-sum (thousands of terms), huge-range (a range
 *   bound of 10^8 .. 2^53), unicode (invisible, bidirectional, astral, combining characters, a
 *   BOM), control (NUL and other control bytes), truncate.
 *
 * Used in-process by test/fuzz/fuzz.test.ts and through the CLI by test/fuzz/cli.mjs
 * (`npm run fuzz -- N`).
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';

/** A small, fast, seeded PRNG (mulberry32): a function returning floats in [0, 1). */
export function prng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Every .spex file under the given folders, sorted, as { path, text }. */
export function corpus(root, folders = ['spec', 'test']) {
  const files = [];
  const visit = (rel) => {
    const abs = join(root, rel);
    if (statSync(abs).isDirectory()) {
      for (const name of readdirSync(abs).sort()) visit(join(rel, name));
    } else if (rel.endsWith('.spex')) {
      files.push({ path: rel, text: readFileSync(abs, 'utf8') });
    }
  };
  for (const f of folders) visit(f);
  return files;
}

const KEYWORDS = [
  'spec', 'const', 'enum', 'type', 'var', 'def', 'init', 'action', 'invariant', 'check', 'expect', 'require', 'let', 'pick',
  'where', 'if', 'then', 'else', 'for', 'match', 'assert', 'forall', 'exists', 'choose', 'in', 'and', 'or', 'not', 'implies',
  'union', 'inter', 'minus', 'subset', 'is', 'with', 'true', 'false', 'process', 'property', 'fair', 'strong', 'await', 'goto',
  'while', 'always', 'eventually', 'sum', 'at', 'constraint', 'view', 'import', 'refines', 'procedure', 'call', 'return',
  'either', 'deadlock', 'off', 'only', '{', '}', '(', ')', '[', ']', ':', ':=', '..', '==', ',', ';', '|->', '=>', "'",
];

const EDGE_NUMBERS = [
  '0', '1', '-1', '2147483647', '2147483648', '-2147483648', '-2147483649', '4294967296', '9007199254740991', '9007199254740992',
  '9007199254740993', '-9007199254740991', '18446744073709551616', '1000000000', '99999999999999999999',
];

const HUGE_BOUNDS = ['100000000', '2147483647', '4294967295', '9007199254740991'];

const UNICODE = ['\u200b', '\u202e', '\u2066', '\ufeff', '\u00e9', 'e\u0301', '\u{1f600}', '\u03bb', '\u0430', '\u00a0', '\u2028', '\ud800'];

const CONTROL = ['\u0000', '\u0001', '\u0007', '\u0008', '\u000b', '\u000c', '\u001b', '\u007f', '\r'];

/** One token (or a run of whitespace); every character of a text is in exactly one. */
const TOKEN = /\/\/[^\n]*|\/\*[\s\S]*?\*\/|"(?:[^"\\\n]|\\.)*"|\d+|[A-Za-z_][A-Za-z0-9_]*|\|->|:=|\.\.|==|!=|<=|>=|=>|->|\s+|[\s\S]/;

/** Tokens with the whitespace between them kept, so that joining them gives the text back. */
export function tokenize(text) {
  return text.match(new RegExp(TOKEN.source, 'g')) ?? [];
}

const isSpace = (t) => /^\s+$/.test(t);
const isComment = (t) => t.startsWith('//') || t.startsWith('/*');

/** The operators, by name: each takes (text, rand) and returns the mutated text. */
export const OPERATORS = {
  'delete-token': (text, r) => editToken(text, r, () => ''),
  'duplicate-token': (text, r) => editToken(text, r, (t) => `${t} ${t}`),
  'swap-tokens': (text, r) => {
    const toks = tokenize(text);
    const idx = solid(toks);
    if (idx.length < 2) return text;
    const k = Math.floor(r() * (idx.length - 1));
    const [a, b] = [idx[k], idx[k + 1]];
    [toks[a], toks[b]] = [toks[b], toks[a]];
    return toks.join('');
  },
  'delete-line': (text, r) => editLine(text, r, (lines, i) => lines.splice(i, 1)),
  'duplicate-line': (text, r) => editLine(text, r, (lines, i) => lines.splice(i, 0, lines[i])),
  // One to three lines repeated hundreds to thousands of times: thousands of declarations, or
  // of the same mistake, in one spec.
  'repeat-lines': (text, r) =>
    editLine(text, r, (lines, i) => {
      const block = lines.slice(i, i + 1 + Math.floor(r() * 3));
      const times = 500 + Math.floor(r() * 5000);
      const copies = [];
      for (let k = 0; k < times; k++) for (const line of block) copies.push(line);
      lines.splice(i, 0, ...copies);
    }),
  'swap-lines': (text, r) =>
    editLine(text, r, (lines, i) => {
      const j = Math.floor(r() * lines.length);
      [lines[i], lines[j]] = [lines[j], lines[i]];
    }),
  'insert-keyword': (text, r) => editToken(text, r, (t) => `${pick(r, KEYWORDS)} ${t}`),
  'edge-number': (text, r) => editToken(text, r, () => pick(r, EDGE_NUMBERS), (t) => /^\d+$/.test(t)),
  'deep-nesting': (text, r) => {
    const n = 50 + Math.floor(r() * 2000);
    return editToken(text, r, (t) => `${'('.repeat(n)}${t}${')'.repeat(n)}`, (t) => /^(\d+|[a-z_][A-Za-z0-9_]*)$/.test(t) && !KEYWORDS.includes(t));
  },
  'not-chain': (text, r) => {
    const n = 100 + Math.floor(r() * 3000);
    return editToken(text, r, (t) => `${'not '.repeat(n)}${t}`, (t) => t === 'true' || t === 'false' || /^[a-z_][A-Za-z0-9_]*$/.test(t) && !KEYWORDS.includes(t));
  },
  'long-sum': (text, r) => {
    const n = 500 + Math.floor(r() * 10000);
    return editToken(text, r, (t) => `(${Array(n).fill(t).join(' + ')})`, (t) => /^\d+$/.test(t));
  },
  'huge-range': (text, r) => {
    const toks = tokenize(text);
    const at = [];
    toks.forEach((t, i) => {
      if (t === '..') at.push(i);
    });
    if (at.length === 0) return text;
    const i = pick(r, at);
    // The next number or name after '..' becomes a huge bound.
    for (let j = i + 1; j < toks.length; j++) {
      if (isSpace(toks[j]) || toks[j] === '(') continue;
      toks[j] = pick(r, HUGE_BOUNDS);
      break;
    }
    return toks.join('');
  },
  unicode: (text, r) => insertAt(text, r, pick(r, UNICODE)),
  control: (text, r) => insertAt(text, r, pick(r, CONTROL)),
  truncate: (text, r) => text.slice(0, Math.floor(r() * text.length)),
};

export const OPERATOR_NAMES = Object.keys(OPERATORS);

function pick(r, xs) {
  return xs[Math.floor(r() * xs.length)];
}

/** Indices of the tokens that are neither whitespace nor comments. */
function solid(toks) {
  const idx = [];
  toks.forEach((t, i) => {
    if (!isSpace(t) && !isComment(t)) idx.push(i);
  });
  return idx;
}

/**
 * The text with one of its tokens that are neither whitespace nor comments and that `accept`
 * takes replaced by `f` of it: the one `r` picks among them. (As tokenize, then the token
 * replaced and the tokens joined again, without building the array of every token of texts
 * that repeat-lines made long.)
 */
function editToken(text, r, f, accept) {
  const re = new RegExp(TOKEN.source, 'y');
  const starts = [];
  const ends = [];
  for (let at = 0; at < text.length; at = re.lastIndex) {
    re.lastIndex = at;
    re.test(text);
    const end = re.lastIndex;
    const c = text.charCodeAt(at);
    // Whitespace, a comment (a lone '/' is neither), or not a token `accept` takes.
    if (c === 32 || c === 10 || /\s/.test(text[at]) || (end - at > 1 && (text.startsWith('//', at) || text.startsWith('/*', at)))) continue;
    if (accept !== undefined && !accept(text.slice(at, end))) continue;
    starts.push(at);
    ends.push(end);
  }
  if (starts.length === 0) return text;
  const k = Math.floor(r() * starts.length);
  return text.slice(0, starts[k]) + f(text.slice(starts[k], ends[k])) + text.slice(ends[k]);
}

function editLine(text, r, f) {
  const lines = text.split('\n');
  f(lines, Math.floor(r() * lines.length));
  return lines.join('\n');
}

function insertAt(text, r, s) {
  const at = Math.floor(r() * (text.length + 1));
  return text.slice(0, at) + s + text.slice(at);
}

/**
 * Mutant number `index` of `files` under `seed`: the file it starts from, the operators
 * applied (in order) and the text.
 */
export function mutant(files, seed, index) {
  const r = prng((seed * 0x9e3779b1 + index * 0x85ebca6b) >>> 0);
  const file = files[Math.floor(r() * files.length)];
  const count = 1 + Math.floor(r() * 3);
  const ops = [];
  let text = file.text;
  for (let k = 0; k < count; k++) {
    const op = pick(r, OPERATOR_NAMES);
    ops.push(op);
    text = OPERATORS[op](text, r);
  }
  return { path: file.path, ops, text };
}

/**
 * The outcome class of a CLI exit code: ok (a verdict: no error, a violation, a deadlock),
 * syntax, static, runtime, limit, interrupted, usage (1: a bad option or unreadable file), or
 * internal (255) and crash (any other code): the last two are failures.
 */
export function classOfExit(code) {
  switch (code) {
    case 0:
    case 11:
    case 12:
    case 13:
      return 'ok';
    case 150:
      return 'syntax';
    case 120:
      return 'static';
    case 75:
      return 'runtime';
    case 152:
      return 'limit';
    case 1:
      return 'usage';
    case 255:
      return 'internal';
    default:
      return 'crash';
  }
}
