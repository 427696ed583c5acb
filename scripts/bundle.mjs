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
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
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

const bundle = await rolldown({
  input: entry,
  platform: 'node',
  logLevel: 'warn',
  external: [/^node:/],
  plugins: [
    {
      name: 'spex-module-urls',
      resolveDynamicImport(specifier, importer) {
        // Loaded only when needed (the LSP server): left as an import of the file transpile.mjs wrote.
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
// ASCII only (strings, templates and regular expressions escaped; doc comments left out): node
// reads a file of ASCII into a one-byte string at memory speed, and one with a single `→` is
// decoded character by character into a string of twice the bytes (25 ms against 12 for this
// one on the bench machine).
const { output } = await bundle.generate({ format: 'cjs', strict: true, sourcemap: false, charset: 'ascii', comments: { legal: true, annotation: false, jsdoc: false } });
await bundle.close();
if (output.length !== 1 || output[0].type !== 'chunk') throw new Error(`scripts/bundle.mjs: expected one chunk, got ${output.map((o) => o.fileName).join(', ')}`);
// runBundle wraps the file in a function: no #! line; and it must stay strict, as the modules were.
// A script run by node:vm cannot import() without an experimental flag: the dynamic imports
// left (of files beside the bundle) go through the function runBundle passes in, __spexImport.
let code = output[0].code.replace(/^#!.*\n/, '').replace(/\bimport\((["'])(\.{1,2}\/[^"']+)\1\)/g, '__spexImport($1$2$1)');
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
if (/\bimport\.meta\b/.test(code.replace(/\/\/[^\n]*|\/\*[\s\S]*?\*\//g, ''))) throw new Error('scripts/bundle.mjs: import.meta is left in the CommonJS bundle');
const nonAscii = /[^\x00-\x7f]/.exec(code);
if (nonAscii) throw new Error(`scripts/bundle.mjs: the bundle is not ASCII: ${JSON.stringify(code.slice(Math.max(0, nonAscii.index - 60), nonAscii.index + 20))}`);
writeFileSync(out, code);
const key = createHash('sha256').update(code).digest('hex').slice(0, 32);
rmSync(entry + '.map', { force: true });

// The code cache's module as CommonJS too (dist/cli/code-cache.cjs), for main.js to require:
// an ES module that imports node's modules makes node build an ES-module view of each (of all
// of node:fs's exports, which loads its streams), some 10 ms of a small check's start-up.
const cacheBundle = await rolldown({ input: join(dist, 'engine', 'code-cache.js'), platform: 'node', logLevel: 'warn', external: [/^node:/] });
const { output: cacheOutput } = await cacheBundle.generate({ format: 'cjs', strict: true, sourcemap: false });
await cacheBundle.close();
if (cacheOutput.length !== 1 || cacheOutput[0].type !== 'chunk') throw new Error('scripts/bundle.mjs: expected one chunk for the code cache');
if (/\bimport\.meta\b/.test(cacheOutput[0].code)) throw new Error('scripts/bundle.mjs: import.meta is left in code-cache.cjs');
writeFileSync(join(cli, 'code-cache.cjs'), cacheOutput[0].code);
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
