// The first JavaScript step of `npm run build`: every module of src/ becomes its own file of
// dist/ (src/a/b.ts -> dist/a/b.js, as tsc would write it), its types stripped by rolldown
// (oxc), in half a second. tsc took 13 s for the same files, most of it checking their types:
// that check is `npm run typecheck`, and a test of the suite (test/typecheck.test.ts), not a
// step of every build. Nothing is bundled or left out here: every module is an entry, tree
// shaking is off, and the packages stay imports. scripts/bundle.mjs then bundles the command
// line from these files.
import { readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { rolldown } from 'rolldown';

const src = fileURLToPath(new URL('../src/', import.meta.url));
const dist = fileURLToPath(new URL('../dist/', import.meta.url));

const files = [];
const walk = (dir) => {
  for (const name of readdirSync(dir).sort()) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) walk(path);
    else if (name.endsWith('.ts') && !name.endsWith('.d.ts')) files.push(path);
  }
};
walk(src);

const build = await rolldown({
  input: Object.fromEntries(files.map((f) => [relative(src, f).slice(0, -'.ts'.length), f])),
  // Packages and Node's modules are imported at run time, as tsc's output imports them.
  external: (id) => !id.startsWith('.') && !id.startsWith('/'),
  platform: 'node',
  treeshake: false,
  logLevel: 'warn',
});
await build.write({ dir: dist, format: 'esm', preserveModules: true, preserveModulesRoot: src, entryFileNames: '[name].js', sourcemap: true });
await build.close();
