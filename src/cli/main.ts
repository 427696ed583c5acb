#!/usr/bin/env node
/**
 * The process's entry: `node dist/cli/main.js ARGS` runs the command line (program.ts) on the
 * main thread; `spex` (spex.ts) runs this same file in a worker thread (launch.ts), and so do
 * the threads of the explorers and of simulation, which run their bodies instead.
 */
import { isLaunched, launched } from './launch.js';
import { main } from './program.js';
import { threadRole } from '../explore/threads.js';
import { runThread } from './threads.js';

// A reader that goes away early (`spex check ... | head`) is not an error.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (e: NodeJS.ErrnoException) => {
    if (e.code === 'EPIPE') process.exit(process.exitCode ?? 0);
    throw e;
  });
}

// One of spex's worker threads (an explorer's or simulation's): its body, not the command line.
// Else started by `spex` (spex.ts) in a worker thread, whose main thread takes signals
// (launch.ts); or run directly (`node dist/cli/main.js`), on the main thread.
const role = threadRole();
if (role !== undefined) runThread(role);
else process.exitCode = main(isLaunched() ? launched() : process.argv.slice(2));
