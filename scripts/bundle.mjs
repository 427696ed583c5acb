// The last step of `npm run build`: the command line, dist/cli/main.js as transpile.mjs wrote it, and
// every module it imports (commander and immutable included) become one CommonJS file,
// dist/cli/main.bundle.cjs, and dist/cli/main.js becomes a few lines that run it through
// spex's code cache (src/engine/code-cache.ts). Node then reads and compiles one file instead
// of some 150 modules, and from the second run on it does not even compile it: V8 takes the
// compiled code from the cache. That was most of a small check's time (bench/README.md, the
// diehard row).
//
// Everything else in dist/ stays as transpile.mjs wrote it: worker threads (the parallel explorers,
// simulation, the LSP's runs) and `import('../lsp/server.js')` still load those files. So each
// bundled `import.meta.url` is rewritten to the URL of the module it was written in, and
// dynamic imports stay imports of the files beside the bundle (code-cache.ts's runBundle
// resolves them).
import { createHash } from 'node:crypto';
import { chmodSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { rolldown } from 'rolldown';

const dist = fileURLToPath(new URL('../dist/', import.meta.url));
const cli = join(dist, 'cli');
const entry = join(cli, 'main.js');
const out = join(cli, 'main.bundle.cjs');
const posix = (p) => p.split(sep).join('/');
const fromBundle = (file) => {
  const r = posix(relative(cli, file));
  return r.startsWith('.') ? r : './' + r;
};

// main.js and spex.js as scripts/transpile.mjs wrote them: this script replaces both.
for (const f of [entry, join(cli, 'spex.js')]) {
  if (readFileSync(f, 'utf8').includes('written by scripts/bundle.mjs')) throw new Error(`scripts/bundle.mjs: ${relative(process.cwd(), f)} is already the bundled entry: run scripts/transpile.mjs first (npm run build does)`);
}

/**
 * `input` and the modules of dist/ it imports as one CommonJS file's code. Each bundled
 * `import.meta.url` becomes the URL of the module it was written in, and a dynamic import of a
 * file (the LSP server's) stays an import of that file beside the bundle. ASCII only (strings,
 * templates and regular expressions escaped; doc comments left out): node reads a file of
 * ASCII into a one-byte string at memory speed, and one with a single `→` is decoded
 * character by character into a string of twice the bytes (25 ms against 12 for the command's
 * bundle on the bench machine).
 */
async function commonJsCode(input) {
  const b = await rolldown({
    input,
    platform: 'node',
    logLevel: 'warn',
    external: [/^node:/],
    plugins: [
      {
        name: 'spex-module-urls',
        resolveDynamicImport(specifier, importer) {
          if (typeof specifier !== 'string' || !specifier.startsWith('.') || importer === undefined) return null;
          return { id: fromBundle(join(dirname(importer), specifier)), external: true };
        },
        transform(code, id) {
          if (!id.startsWith(dist) || !code.includes('import.meta.url')) return null;
          return code.replaceAll('import.meta.url', `new URL(${JSON.stringify(fromBundle(id))}, require('node:url').pathToFileURL(__filename)).href`);
        },
      },
    ],
  });
  const { output } = await b.generate({ format: 'cjs', strict: true, sourcemap: false, charset: 'ascii', comments: { legal: true, annotation: false, jsdoc: false } });
  await b.close();
  if (output.length !== 1 || output[0].type !== 'chunk') throw new Error(`scripts/bundle.mjs: expected one chunk for ${input}, got ${output.map((o) => o.fileName).join(', ')}`);
  const code = output[0].code.replace(/^#!.*\n/, '');
  if (/\bimport\.meta\b/.test(code.replace(/\/\/[^\n]*|\/\*[\s\S]*?\*\//g, ''))) throw new Error(`scripts/bundle.mjs: import.meta is left in the bundle of ${input}`);
  const nonAscii = /[^\x00-\x7f]/.exec(code);
  if (nonAscii) throw new Error(`scripts/bundle.mjs: the bundle of ${input} is not ASCII: ${JSON.stringify(code.slice(Math.max(0, nonAscii.index - 60), nonAscii.index + 20))}`);
  return code;
}

// runBundle wraps the file in a function: no #! line; and it must stay strict, as the modules were.
// A script run by node:vm cannot import() without an experimental flag: the dynamic imports
// left (of files beside the bundle) go through the function runBundle passes in, __spexImport.
let code = (await commonJsCode(entry)).replace(/\bimport\((["'])(\.{1,2}\/[^"']+)\1\)/g, '__spexImport($1$2$1)');
// node's modules that only some commands use are loaded when first used, not at start: each
// costs some milliseconds to load. node:http serves \`spex explore\`; node:child_process is
// commander's, for executable subcommands, which spex has none of. The module object is
// replaced by a stand-in that loads it on its first property access (both are only used as
// \`mod.name(...)\`).
const LAZY = ['node:http', 'node:child_process'];
for (const mod of LAZY) {
  code = code.replace(new RegExp(`\\b(let|const|var) (\\w+) = require\\("${mod}"\\);`, 'g'), (_m, kw, name) => `${kw} ${name} = __spexLazy(() => require("${mod}"));`);
}
code = code.replace(/^("use strict";\n)/, `$1const __spexLazy = (load) => new Proxy({}, { get: (_target, key) => load()[key] });\n`);
if (/\bimport\(/.test(code.replace(/\/\/[^\n]*|\/\*[\s\S]*?\*\//g, ''))) throw new Error('scripts/bundle.mjs: an import() is left in the bundle');
if (!/^\s*(\/\/[^\n]*\n\s*)*["']use strict["']/.test(code)) throw new Error('scripts/bundle.mjs: the bundle does not start with "use strict"');
writeFileSync(out, code);
const key = createHash('sha256').update(code).digest('hex').slice(0, 32);
rmSync(entry + '.map', { force: true });

// Small CommonJS files beside the bundle, so that no thread of a command starts node's ES-module
// loader (an ES module that imports node's modules also makes node build an ES-module view of
// each: of all of node:fs's exports, which loads its streams; some 25 ms of a small check's
// start-up in all):
//   - code-cache.cjs, the code cache's module, which main.js and main.cjs require;
//   - main.cjs, the command's entry as CommonJS: where the spex bin's command thread and the
//     explorers' and simulation's threads start (src/explore/threads.ts);
//   - spex.cjs, the bin (package.json): src/cli/spex.ts and the few modules it imports, with a
//     #! line; dist/cli/spex.js becomes a module that requires it, for `node dist/cli/spex.js`.
async function commonJs(input, file, preamble = '') {
  writeFileSync(join(cli, file), preamble + (await commonJsCode(input)));
}
await commonJs(join(dist, 'engine', 'code-cache.js'), 'code-cache.cjs');
const run = `require('./code-cache.cjs').runBundle(require('node:url').pathToFileURL(require('node:path').join(__dirname, 'main.bundle.cjs')), '${key}');`;
writeFileSync(join(cli, 'main.cjs'), ["'use strict';", '// The command, as main.js runs it, for threads to start at (written by scripts/bundle.mjs).', run, ''].join('\n'));
writeFileSync(
  entry,
  [
    '#!/usr/bin/env node',
    '// The spex command line, written by scripts/bundle.mjs: src/cli/main.ts and what it imports are',
    '// main.bundle.cjs, run through the code cache (src/engine/code-cache.ts, as CommonJS in code-cache.cjs).',
    "import { createRequire } from 'node:module';",
    '',
    `createRequire(import.meta.url)('./code-cache.cjs').runBundle(new URL('./main.bundle.cjs', import.meta.url), '${key}');`,
    '',
  ].join('\n'),
);
const bin = join(cli, 'spex.js');
await commonJs(bin, 'spex.cjs', '#!/usr/bin/env node\n');
chmodSync(join(cli, 'spex.cjs'), 0o755);
rmSync(bin + '.map', { force: true });
writeFileSync(
  bin,
  [
    '#!/usr/bin/env node',
    '// The spex bin is dist/cli/spex.cjs (src/cli/spex.ts, written by scripts/bundle.mjs); this runs it.',
    "import { createRequire } from 'node:module';",
    '',
    "createRequire(import.meta.url)('./spex.cjs');",
    '',
  ].join('\n'),
);
