// The last step of `npm run build`: dist/cli/main.js, as tsc wrote it, becomes one file with
// every module it imports (commander and immutable included). Node then reads, resolves and
// compiles one module instead of some 150, which is most of a small check's time
// (bench/README.md, the diehard row). Everything else in dist/ stays as tsc wrote it: worker
// threads (the parallel explorers, simulation, the LSP's runs) and `import('../lsp/server.js')`
// still load those files, so each bundled `import.meta.url` is rewritten to the URL of the
// module it was written in, and dynamic imports stay imports of the files beside the bundle.
import { existsSync, renameSync, rmSync } from 'node:fs';
import { dirname, join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { rolldown } from 'rolldown';

const dist = fileURLToPath(new URL('../dist/', import.meta.url));
const entry = join(dist, 'cli', 'main.js');
const out = join(dist, 'cli', 'main.bundle.tmp.js');
const posix = (p) => p.split(sep).join('/');
const fromBundle = (file) => {
  const r = posix(relative(dirname(entry), file));
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
        // Loaded only when needed (the LSP server): left as an import of the file tsc wrote.
        if (typeof specifier !== 'string' || !specifier.startsWith('.') || importer === undefined) return null;
        return { id: fromBundle(join(dirname(importer), specifier)), external: true };
      },
      transform(code, id) {
        if (!id.startsWith(dist) || !code.includes('import.meta.url')) return null;
        return code.replaceAll('import.meta.url', `new URL(${JSON.stringify(fromBundle(id))}, import.meta.url).href`);
      },
    },
  ],
});
await bundle.write({ file: out, format: 'esm', sourcemap: false });
await bundle.close();
if (!existsSync(out)) throw new Error(`scripts/bundle.mjs: ${out} was not written`);
rmSync(entry + '.map', { force: true });
renameSync(out, entry);
