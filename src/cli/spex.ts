#!/usr/bin/env node
/**
 * The `spex` command (package.json's bin): starts the command (main.ts) in a worker thread and
 * keeps this thread free to take SIGINT and SIGTERM (launch.ts). This module imports nothing
 * heavy, so the command's modules are loaded once, by the worker. `node dist/cli/main.js`
 * runs the command on the main thread instead, without the interrupt handling (as does
 * SPEX_SAME_THREAD=1 here).
 *
 * The build makes this module and what it imports one CommonJS file, dist/cli/spex.cjs, the
 * bin (scripts/bundle.mjs), and the worker starts at main.cjs: CommonJS all the way, node
 * starts neither thread's ES-module loader (some 25 ms of a small check's 230).
 */
import { launch } from './launch.js';

// `spex lsp` talks over stdin, which a worker thread does not have: on this thread, where a
// signal ends it at once (as the editor expects of a language server).
if (process.env['SPEX_SAME_THREAD'] === '1' || process.argv[2] === 'lsp') void import('./main.js');
else launch(new URL('./main.cjs', import.meta.url), process.argv.slice(2));
