/**
 * How the spex command runs (spex.ts, the package's bin): its main thread starts one worker
 * thread that runs the command (main.ts), and keeps its own event loop free to take signals. The searches are
 * synchronous (they never return to the event loop, for speed), so a signal handler on the
 * thread that searches would run only once the search is over.
 *
 *   - The first SIGINT (Ctrl-C) or SIGTERM stores the signal's number in the shared interrupt
 *     word (src/explore/guard.ts); the explorers see it at their next checkpoint, well within
 *     a second, and the run ends as a limit does: partial statistics, an "interrupted"
 *     verdict, the exports, the `exit` event of --json, and exit code 128 + the signal's
 *     number (130 for SIGINT, 143 for SIGTERM).
 *   - A second one ends the process at once, with the same code; so does the first, for the
 *     commands that take no interrupts (explore, swarm merge, ...). One that comes while a
 *     command that takes them is still starting is left for it to report at its first phase
 *     (`Interrupted (SIGINT) while parsing FILE: no verdict.`), unless it has not come to
 *     take them within STARTING_GRACE_MS.
 *   - The command's output goes through this thread (node forwards a worker's stdout and
 *     stderr), in order; whether they are terminals is passed on, for the progress line.
 *   - If the command's thread dies (V8 out of heap memory outside any search checkpoint),
 *     this thread says so: exit 152 for memory, 255 for anything else.
 *
 * `node dist/cli/main.js`, or SPEX_SAME_THREAD=1, runs the command on the main thread instead,
 * without the interrupt handling.
 */
import { writeSync } from 'node:fs';
import { Worker, isMainThread, workerData } from 'node:worker_threads';
import { INTERRUPT_WORDS, acceptsInterrupts, useInterruptFlag } from '../explore/guard.js';
import { THREAD_STACK_MB } from '../explore/threads.js';

export interface LaunchData {
  readonly argv: string[];
  readonly flag: SharedArrayBuffer;
  readonly stdoutTTY: boolean;
  readonly stderrTTY: boolean;
}

const SIGNALS = { SIGINT: 2, SIGTERM: 15 } as const;

/** The commands that take interrupts (acceptInterrupts) and report one that came while they started. */
const REPORTING = new Set(['check', 'test', 'simulate', 'parse', 'graph', 'replay']);
/** How long a command still starting has to come to take interrupts before a signal ends spex at once. */
const STARTING_GRACE_MS = 3000;

/** Starts `entry` (main.cjs) in a worker thread with `argv`; sets process.exitCode when it ends. */
export function launch(entry: URL, argv: string[]): void {
  const flag = new SharedArrayBuffer(4 * INTERRUPT_WORDS);
  const word = new Int32Array(flag);
  const data: LaunchData = { argv, flag, stdoutTTY: process.stdout.isTTY === true, stderrTTY: process.stderr.isTTY === true };
  const worker = new Worker(entry, { workerData: data, resourceLimits: { stackSizeMb: THREAD_STACK_MB } });
  let signalled = 0;
  for (const [name, n] of Object.entries(SIGNALS)) {
    process.on(name, () => {
      if (signalled !== 0) {
        // The second signal: at once.
        process.stderr.write(`\n${name} again: stopping at once\n`);
        process.exit(128 + n);
      }
      if (!acceptsInterrupts(word)) {
        // A command that does not take interrupts: at once too.
        if (!REPORTING.has(argv[0] ?? '')) process.exit(128 + n);
        // One that does but is still starting (loading its modules): it reports the signal at
        // its first phase, once it takes interrupts; at once if it has not come to that soon.
        setTimeout(() => {
          if (!acceptsInterrupts(word)) process.exit(128 + n);
        }, STARTING_GRACE_MS).unref();
      }
      signalled = n;
      Atomics.store(word, 0, n);
      Atomics.notify(word, 0);
    });
  }
  // A reader that goes away early (`spex check ... | head`) is not an error.
  for (const stream of [process.stdout, process.stderr]) {
    stream.on('error', (e: NodeJS.ErrnoException) => {
      if (e.code === 'EPIPE') process.exit(process.exitCode ?? 0);
      throw e;
    });
  }
  let failure: Error | undefined;
  worker.on('error', (e) => {
    failure = e;
  });
  worker.on('exit', (code) => {
    if (failure !== undefined) {
      if ((failure as NodeJS.ErrnoException).code === 'ERR_WORKER_OUT_OF_MEMORY') {
        process.stderr.write('error: spex ran out of memory (the JavaScript heap limit was reached outside a search); node --max-old-space-size raises it\n');
        process.exitCode = 152;
      } else {
        process.stderr.write('internal error (a bug in spex, not in your spec); please report it with this trace:\n');
        process.stderr.write((failure.stack ?? failure.message) + '\n');
        process.exitCode = 255;
      }
      return;
    }
    process.exitCode = code;
  });
}

/** In the command's thread: takes the launcher's interrupt word and terminals; returns argv. */
export function launched(): string[] {
  const data = workerData as LaunchData;
  useInterruptFlag(data.flag);
  if (data.stdoutTTY) (process.stdout as { isTTY?: boolean }).isTTY = true;
  if (data.stderrTTY) (process.stderr as { isTTY?: boolean }).isTTY = true;
  writeThrough(1, process.stdout);
  writeThrough(2, process.stderr);
  // Test hook: SPEX_TEST_STALL=starting holds the command before it takes interrupts until a
  // signal comes (at most a minute), as a signal while its modules load would find it.
  if (process.env['SPEX_TEST_STALL'] === 'starting') {
    process.stderr.write('phase: starting (held until a signal)\n');
    Atomics.wait(new Int32Array(data.flag), 0, 0, 60_000);
  }
  return data.argv;
}

/**
 * Makes the command thread's `stream` write straight to file descriptor `fd`, synchronously.
 * Node forwards a worker thread's stdout and stderr through the main thread one chunk at a
 * time, each after an acknowledgement that the worker's own event loop must take in; a search
 * never returns to that loop, so every line after the first (progress lines, and the lines a
 * test waits for before it sends a signal) waited for the end of the run.
 */
function writeThrough(fd: number, stream: NodeJS.WriteStream): void {
  const pause = new Int32Array(new SharedArrayBuffer(4));
  stream.write = ((chunk: string | Uint8Array, encoding?: BufferEncoding | ((e?: Error | null) => void), cb?: (e?: Error | null) => void): boolean => {
    const callback = typeof encoding === 'function' ? encoding : cb;
    const buf = typeof chunk === 'string' ? Buffer.from(chunk, typeof encoding === 'string' ? encoding : 'utf8') : chunk;
    let off = 0;
    while (off < buf.length) {
      try {
        off += writeSync(fd, buf, off);
      } catch (e) {
        const code = (e as NodeJS.ErrnoException).code;
        // A pipe whose reader is slower than spex: wait for room.
        if (code === 'EAGAIN') {
          Atomics.wait(pause, 0, 0, 1);
          continue;
        }
        // A reader that went away (`spex check ... | head`) is not an error.
        if (code === 'EPIPE') process.exit(process.exitCode ?? 0);
        throw e;
      }
    }
    if (callback) process.nextTick(callback);
    return true;
  }) as typeof stream.write;
}

/** Whether this thread is a command thread started by launch(). */
export function isLaunched(): boolean {
  return !isMainThread && (workerData as Partial<LaunchData> | null)?.flag instanceof SharedArrayBuffer && Array.isArray((workerData as Partial<LaunchData>).argv);
}
