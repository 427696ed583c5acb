/**
 * The body of an exploration worker thread (started at ../threads.ts's THREAD_ENTRY). It builds
 * its own TransitionSystem and codec (closures cannot cross threads) with the
 * `createWorkerSystem(setup.data)` its entry links in, then expands the chunks the coordinator
 * sends, in order.
 *
 * Every message it posts is followed by an increment of its counter in the shared `signal`
 * array and a notify, so the coordinator can block on Atomics.wait and then read the message
 * synchronously with receiveMessageOnPort. Messages: {ready}, {result}, {error}.
 */
import type { MessagePort } from 'node:worker_threads';
import type { StateCodec } from './bytes.js';
import { Expander, type ChunkInput } from './expand.js';
import type { TransitionSystem } from '../system.js';
import type { RecordGraph } from '../state-graph.js';

/** What every worker builds its system from (createWorkerSystem's argument). */
export interface WorkerSetup {
  readonly data: unknown;
}

export interface WorkerInit {
  readonly setup: WorkerSetup;
  readonly signal: Int32Array;
  readonly index: number;
  readonly port: MessagePort;
}

/**
 * Builds a worker's system; `codec` (how its states cross threads as bytes) is needed by this
 * worker, not by the vector explorer's (vector-worker.ts), whose states are numbers in shared
 * memory.
 */
export type CreateWorkerSystem = (data: unknown) => {
  system: TransitionSystem<unknown, unknown>;
  codec?: StateCodec<unknown>;
  /** When the state graph is recorded: this thread's own step tagger and the recorded predicates. */
  record?: RecordGraph<unknown, unknown>;
};

function describe(e: unknown): string {
  return e instanceof Error ? (e.stack ?? e.message) : String(e);
}

/** Runs an exploration worker thread: `init` is its workerData, `create` builds its system. */
export function runExploreWorker(init: WorkerInit, create: CreateWorkerSystem): void {
  const { setup, signal, index, port } = init;

  function post(message: unknown, transfer: ArrayBuffer[] = []): void {
    port.postMessage(message, transfer);
    Atomics.add(signal, index, 1);
    Atomics.notify(signal, index);
  }

  try {
    const { system, codec, record } = create(setup.data);
    if (codec === undefined) throw new Error('internal error: an exploration worker got a system without a state codec');
    // Graph recording: this worker's own step tagger and the recorded predicates.
    const expander = new Expander(system, codec, record);
    // Test hook: SPEX_TEST_WORKER_EXIT=n makes worker n (1-based) end its thread on its first
    // job, without a word, as a thread killed or out of memory would (test/worker-death.test.ts).
    const dieOnJob = process.env['SPEX_TEST_WORKER_EXIT'] === String(index + 1);
    port.on('message', (job: ChunkInput) => {
      if (dieOnJob) process.exit(70);
      try {
        const r = expander.expand(job);
        post({ kind: 'result', meta: r.meta, bytes: r.bytes }, [r.meta.buffer as ArrayBuffer, r.bytes.buffer as ArrayBuffer]);
      } catch (e) {
        post({ kind: 'error', message: describe(e) });
      }
    });
    post({ kind: 'ready' });
  } catch (e) {
    post({ kind: 'error', message: describe(e) });
  }
}
