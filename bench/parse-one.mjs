#!/usr/bin/env node
// One parse for bench/run.mjs: generates a spec of about SIZE bytes (declarations of every
// kind, with line and block comments) and parses it; prints one JSON line with the wall and
// CPU seconds and the peak RSS, as { type: 'result', ... }.
//
//   node bench/parse-one.mjs SIZE_BYTES
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

const size = Number(process.argv[2]);
const text = generate(size);
// Warm the JIT on a small spec first, as a long-running process would be.
parseSpec({ path: 'warm.spex', text: generate(64 * 1024) });
const rssBefore = process.memoryUsage().rss;
const c0 = process.cpuUsage();
const t0 = performance.now();
const ast = parseSpec({ path: 'big.spex', text });
const seconds = (performance.now() - t0) / 1000;
const c = process.cpuUsage(c0);
const maxRss = process.resourceUsage().maxRSS * 1024;
console.log(JSON.stringify({
  type: 'result',
  bytes: text.length,
  decls: ast.decls.length,
  seconds,
  cpuSeconds: (c.user + c.system) / 1e6,
  peakRssMiB: maxRss / 2 ** 20,
  rssGrowthMiB: (maxRss - rssBefore) / 2 ** 20,
}));
