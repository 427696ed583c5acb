/**
 * The body of a worker thread of the vector explorer (vector-explorer.ts; started at
 * ../threads.ts's THREAD_ENTRY). It builds its own system (as ./worker.ts does, with the
 * createWorkerSystem its entry links in), then runs a
 * blocking loop: wait on the control word C_GEN for the next command, run its part of the
 * phase (vectors.ts) on the shared buffers, count itself done in C_DONE. No event loop: the
 * shard set it is given and its error reports go through its MessagePort, read and written
 * synchronously.
 */
import { receiveMessageOnPort, type MessagePort } from 'node:worker_threads';
import type { RecordGraph } from '../state-graph.js';
import type { CreateWorkerSystem, WorkerSetup } from './worker.js';
import {
  CMD_EXIT, CMD_EXPAND, CMD_GIVE_SHARD, CMD_TAKE_SHARD, C_CMD, C_DONE, C_ERR, C_GEN, C_READY,
  PhaseRunner, shardFromSnapshot, shardSnapshot, type SharedBuffers, type ShardSnapshot, type VectorSystem,
} from './vectors.js';

export interface VectorWorkerInit {
  readonly setup: WorkerSetup;
  readonly buffers: SharedBuffers;
  /** This worker's thread index (1 ..; the main thread is 0), and the shard it owns. */
  readonly index: number;
  readonly port: MessagePort;
}

function fail(port: MessagePort, ctrl: Int32Array, e: unknown): void {
  port.postMessage({ error: e instanceof Error ? (e.stack ?? e.message) : String(e), name: e instanceof Error ? e.name : undefined, message: e instanceof Error ? e.message : String(e) });
  Atomics.store(ctrl, C_ERR, 1);
}

function take(port: MessagePort, ctrl: Int32Array): unknown {
  let r = receiveMessageOnPort(port);
  for (let spins = 0; r === undefined && spins < 10_000; spins++) {
    Atomics.wait(ctrl, C_CMD, Atomics.load(ctrl, C_CMD), 1);
    r = receiveMessageOnPort(port);
  }
  if (r === undefined) throw new Error('internal error: a message announced to a vector worker never arrived');
  return r.message;
}

/** Runs a vector explorer's worker thread: `init` is its workerData, `create` builds its system. */
export function runVectorWorker(init: VectorWorkerInit, create: CreateWorkerSystem): void {
  const { setup, buffers, index, port } = init;
  const ctrl = new Int32Array(buffers.ctrl);
  let runner: PhaseRunner<unknown> | null = null;
  try {
    const built = create(setup.data);
    const system = built.system as unknown as VectorSystem<unknown>;
    if (system.width !== buffers.width) throw new Error(`internal error: a worker's system has width ${system.width}, not ${buffers.width}`);
    // Graph recording: this worker's own tagger (its step tags are mapped to the main thread's).
    runner = new PhaseRunner(system, buffers, built.record as RecordGraph<number[], unknown> | undefined);
  } catch (e) {
    fail(port, ctrl, e);
  }
  Atomics.add(ctrl, C_READY, 1);
  Atomics.notify(ctrl, C_READY);

  if (runner !== null) {
    let gen = 0;
    for (;;) {
      while (Atomics.load(ctrl, C_GEN) === gen) Atomics.wait(ctrl, C_GEN, gen);
      gen = Atomics.load(ctrl, C_GEN);
      const cmd = Atomics.load(ctrl, C_CMD);
      // Test hook: SPEX_TEST_WORKER_EXIT=n makes worker n end its thread on its first expansion,
      // without a word, as a thread killed or out of memory would (test/worker-death.test.ts).
      if (cmd === CMD_EXPAND && process.env['SPEX_TEST_WORKER_EXIT'] === String(index)) process.exit(70);
      try {
        if (cmd === CMD_TAKE_SHARD) runner.sets[index] = shardFromSnapshot(take(port, ctrl) as ShardSnapshot);
        else if (cmd === CMD_GIVE_SHARD) {
          const { snap, transfer } = shardSnapshot(runner.sets[index]!);
          runner.sets[index] = undefined;
          port.postMessage(snap, transfer);
        } else runner.run(cmd, index);
      } catch (e) {
        fail(port, ctrl, e);
      }
      Atomics.add(ctrl, C_DONE, 1);
      Atomics.notify(ctrl, C_DONE);
      if (cmd === CMD_EXIT) break;
    }
  }
  port.close();
}
