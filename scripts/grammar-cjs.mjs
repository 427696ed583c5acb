// grammar/spex.ohm-bundle.cjs: the CommonJS form of the ESM grammar bundle that
// `ohm generateBundles --esm` writes (grammar/spex.ohm-bundle.js). The parser needs the ohm
// grammar only to report a syntax error (src/lang/fast-parser.ts parses), so it loads it on
// first use, synchronously, with require(): ohm-js as one CommonJS file (dist/ohm.cjs) loads
// in a fraction of the time its 46 ES modules take, and a run without a syntax error never
// loads it at all.
import { readFileSync, writeFileSync } from 'node:fs';

const from = new URL('../grammar/spex.ohm-bundle.js', import.meta.url);
const to = new URL('../grammar/spex.ohm-bundle.cjs', import.meta.url);
const esm = readFileSync(from, 'utf8');
const head = "import {makeRecipe} from 'ohm-js';";
const tail = 'export default result;';
if (!esm.startsWith(head) || !esm.trimEnd().endsWith(tail)) {
  console.error(`scripts/grammar-cjs.mjs: ${from.pathname} does not have the shape it expects (an ohm-js upgrade?): it should start with "${head}" and end with "${tail}"`);
  process.exit(1);
}
const body = esm.trimEnd().slice(head.length, -tail.length);
writeFileSync(to, `'use strict';const {makeRecipe}=require('ohm-js');${body}module.exports=result;\n`);
