/**
 * The bodies of spex's worker threads, linked to the systems they build. Every worker thread
 * starts at the command's entry (src/explore/threads.ts); main.ts runs runThread instead of
 * the command line when the thread has a role.
 */
import { workerData, type MessagePort } from 'node:worker_threads';
import type { ThreadRole } from '../explore/threads.js';
import { runExploreWorker, type CreateWorkerSystem, type WorkerInit } from '../explore/parallel/worker.js';
import { runVectorWorker, type VectorWorkerInit } from '../explore/parallel/vector-worker.js';
import { runSimulationWorker, type CreateSimulationSystem, type SimulationWorkerInit } from '../explore/simulate-worker.js';
import { createWorkerSystem } from '../engine/worker-system.js';
import { createSimulationSystem } from '../engine/simulate.js';
import { writeCodeCacheNow } from '../engine/code-cache.js';

/**
 * The threads are terminated when the search ends, and a terminated thread writes no cache
 * entry on its way out: each writes the entries compiled so far (src/engine/code-cache.ts),
 * the first time only, once its system is built.
 */
function thenCache<F extends (data: unknown) => unknown>(create: F): F {
  return ((data: unknown) => {
    const built = create(data);
    writeCodeCacheNow();
    return built;
  }) as F;
}

/**
 * Runs this thread's body: `role` is its workerData's spexThread. Then, the thread being one of
 * a crew that later searches may take again (src/explore/parallel/supervisor.ts), the body again
 * for each workerData its host port brings, once the one before has returned.
 */
export function runThread(role: ThreadRole): void {
  runRole(role, workerData);
  (workerData as { hostPort?: MessagePort }).hostPort?.on('message', (init: unknown) => runRole(role, init));
}

function runRole(role: ThreadRole, init: unknown): void {
  switch (role) {
    case 'explore':
      return runExploreWorker(init as WorkerInit, thenCache<CreateWorkerSystem>(createWorkerSystem));
    case 'explore-vectors':
      return runVectorWorker(init as VectorWorkerInit, thenCache<CreateWorkerSystem>(createWorkerSystem));
    case 'simulate':
      return runSimulationWorker(init as SimulationWorkerInit, thenCache<CreateSimulationSystem>(createSimulationSystem));
  }
}
