#!/usr/bin/env node
// One parse for bench/run.mjs: generates a text of about SIZE bytes and parses it; prints one
// JSON line with the wall and CPU seconds, the peak RSS and the heap the AST keeps, as
// { type: 'result', ... }. The texts:
//   spec   declarations of every kind, with line and block comments (the default)
//   sum    one invariant, a sum of integer literals: `1 + 1 + ...`, 4 bytes a term
//   names  the same over a variable: `x + x + ...`
//   tight  `1+1+...`, 2 bytes a term: the most nodes a byte can make
//
//   node --expose-gc bench/parse-one.mjs SIZE_BYTES [spec|sum|names|tight]
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const { parseSpec } = await import(join(ROOT, 'dist', 'lang', 'parser.js'));

/** A spec of at least `target` characters, of repeated blocks of declarations. */
export function generate(target) {
  const parts = ['spec Big\n'];
  let size = parts[0].length;
  for (let i = 0; size < target; i++) {
    const block =
      `// block ${i}: a comment line that is rather long, as comments in real specs are\n` +
      `/* a block comment\n   over two lines ${i} */\n` +
      `const C${i}: Int = ${i % 7}\n` +
      `var x${i}: 0..3 = 0\n` +
      `def f${i}(a: Int, b: Int): Int = if a > b then a - b else (b - a) * 2 + C${i}\n` +
      `action A${i}(p: 0..2) {\n  require x${i} < 3 and p != 1\n  let t = f${i}(x${i}, p)\n  x${i} := (x${i} + 1) % 4\n}\n` +
      `invariant I${i}: forall q in 0..3: x${i} <= 3 or q == x${i}\n\n`;
    parts.push(block);
    size += block.length;
  }
  return parts.join('');
}

/** A spec whose invariant is a chain of `unit` of at least `target` characters. */
function chain(target, unit, last) {
  const head = 'spec Dense\nvar x: 0..3 = 0\naction A { x := (x + 1) % 4 }\ninvariant I: ';
  return head + unit.repeat(Math.ceil((target - head.length) / unit.length)) + last + ' >= 0\n';
}

const TEXTS = {
  spec: generate,
  sum: (n) => chain(n, '1 + ', '1'),
  names: (n) => chain(n, 'x + ', 'x'),
  tight: (n) => chain(n, '1+', '1'),
};
const size = Number(process.argv[2]);
const make = TEXTS[process.argv[3] ?? 'spec'];
if (make === undefined) throw new Error(`no text ${process.argv[3]}: one of ${Object.keys(TEXTS).join(', ')}`);
const text = make(size);
// Warm the JIT on a small text first, as a long-running process would be.
parseSpec({ path: 'warm.spex', text: make(64 * 1024) });
globalThis.gc?.();
const heapBefore = process.memoryUsage().heapUsed;
const rssBefore = process.memoryUsage().rss;
const c0 = process.cpuUsage();
const t0 = performance.now();
const ast = parseSpec({ path: 'big.spex', text });
const seconds = (performance.now() - t0) / 1000;
const c = process.cpuUsage(c0);
const maxRss = process.resourceUsage().maxRSS * 1024;
globalThis.gc?.();
const keptMiB = globalThis.gc ? (process.memoryUsage().heapUsed - heapBefore) / 2 ** 20 : null;
console.log(JSON.stringify({
  type: 'result',
  bytes: text.length,
  decls: ast.decls.length,
  seconds,
  cpuSeconds: (c.user + c.system) / 1e6,
  peakRssMiB: maxRss / 2 ** 20,
  rssGrowthMiB: (maxRss - rssBefore) / 2 ** 20,
  keptMiB,
}));
