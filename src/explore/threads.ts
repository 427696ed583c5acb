/**
 * Where spex's worker threads start. Every worker of the explorers and of simulation starts at
 * the command's own entry, dist/cli/main.cjs, which runs the bundled command through the code
 * cache (src/engine/code-cache.ts); the bundle's entry sees the thread's role in its workerData
 * and runs that thread's body (src/cli/threads.ts) instead of the command line. A thread then
 * costs what a small run of the command costs to start, some 50 ms, instead of loading the
 * hundred and more modules tsc wrote one by one (about 175 ms a thread).
 *
 * The body of each thread is a function of its module (worker.ts, vector-worker.ts,
 * simulate-worker.ts), given the thread's init and the function that builds the thread's own
 * system: the thread entry links them, so this layer names no engine.
 */
import { isMainThread, workerData } from 'node:worker_threads';

/** What a thread does: expand chunks of states (worker.ts), take part in the vector explorer's phases (vector-worker.ts), run walks (simulate-worker.ts). */
export type ThreadRole = 'explore' | 'explore-vectors' | 'simulate';

const ROLES: readonly ThreadRole[] = ['explore', 'explore-vectors', 'simulate'];

/**
 * The stack of every thread that runs a spec's steps (the command's thread, the explorers' and
 * simulation's workers, the language server's check): 64 MiB, against the 4 MiB of a worker by
 * default. The engines run a step's statements as nested calls (a `for` nests one per element),
 * so the stack bounds how much one step can do (E716, docs/diagnostics.md); every thread gets the
 * same, so the bound does not depend on --workers. The stack is reserved, not taken: only what
 * a step uses is.
 */
export const THREAD_STACK_MB = 64;

/**
 * The module every thread starts at: the command's entry, beside this module's directory, as
 * CommonJS (main.cjs, written by the build beside main.js): a thread that starts at an ES
 * module first loads node's ES-module loader.
 */
export const THREAD_ENTRY = new URL('../cli/main.cjs', import.meta.url);

/** The workerData of a thread of `role`: its init, tagged. */
export function threadData<T extends object>(role: ThreadRole, init: T): T & { readonly spexThread: ThreadRole } {
  return { ...init, spexThread: role };
}

/** This thread's role, when it is one of spex's worker threads (not the command's thread). */
export function threadRole(): ThreadRole | undefined {
  if (isMainThread) return undefined;
  const role = (workerData as { spexThread?: unknown } | null)?.spexThread;
  return ROLES.includes(role as ThreadRole) ? (role as ThreadRole) : undefined;
}
