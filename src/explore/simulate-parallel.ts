/**
 * Walks on worker threads (`spex simulate --workers N`, N ≥ 2), with the same result as on one
 * thread for the same seed and limits: which walk is reported, its trace, and (without a time
 * limit) the counts.
 *
 * The coordinator (this thread, which only waits) hands out chunks of consecutive walk
 * indices in increasing order to whichever worker is idle. A worker runs its chunk's walks in
 * order and stops the chunk at the first walk that finds a problem. Once some walk v found one,
 * no chunk beyond v is handed out and the shared word `stopBelow` (= the lowest such v) makes
 * workers drop the walks above it; chunks below v are always finished, also after the time
 * limit. So the reported walk is the lowest index that finds a problem, whoever ran it, and
 * the counts are those of walks 0 .. v exactly. Without a problem, the counts are those of
 * every walk completed: all `runs` of them, or (with --time) as many as the time allowed.
 * The walk itself is then rerun on this thread, from its seed, for its trace.
 */
import { MessageChannel, receiveMessageOnPort, type MessagePort } from 'node:worker_threads';
import { PROGRESS_PERIOD_MS, type SimulationLimits, type SimulationProgress, type Walker, type WalksResult } from './simulate.js';
import type { ChunkDone, SimulationWorkerInit, WorkerMessage } from './simulate-worker.js';
import { interruptSignal } from './guard.js';
import { releaseLevelPool } from './level-pool.js';
import { THREAD_ENTRY, threadData } from './threads.js';
import { Supervised } from './parallel/supervisor.js';

export interface SimulationPoolOptions {
  readonly workers: number;
  /** What each thread's createSimulationSystem (linked in by the thread entry) builds its system from. */
  readonly data: unknown;
}

/** Walks per chunk: enough that messages cost little next to the walks, few enough to balance. */
const CHUNK = 16;
const WAIT_MS = 100;

/** An error a worker reported, with the name of the original error (e.g. PackedGaveUp). */
export class SimulationWorkerError extends Error {
  constructor(
    message: string,
    readonly originalName: string,
    readonly originalMessage: string,
  ) {
    super(message);
    this.name = 'SimulationWorkerError';
  }
}

export function runWalksParallel<S, L>(walker: Walker<S, L>, limits: SimulationLimits, pool: SimulationPoolOptions, onProgress?: (p: SimulationProgress) => void): WalksResult {
  if (!(Number.isInteger(pool.workers) && pool.workers >= 2)) throw new RangeError(`workers must be an integer ≥ 2, got ${pool.workers}`);
  releaseLevelPool();
  const start = performance.now();
  const deadline = start + limits.seconds * 1000;
  const period = limits.progressPeriodMs ?? PROGRESS_PERIOD_MS;
  const shared = new Int32Array(new SharedArrayBuffer(8));
  shared[1] = 0x7fffffff;
  const ports: MessagePort[] = [];
  const inits: SimulationWorkerInit[] = [];
  const transfer: MessagePort[][] = [];
  for (let i = 0; i < pool.workers; i++) {
    const { port1, port2 } = new MessageChannel();
    inits.push(threadData('simulate', { data: pool.data, walk: walker.options, shared, port: port2, index: i }));
    transfer.push([port2]);
    ports.push(port1);
  }
  // Started and watched by a supervisor thread (parallel/supervisor.ts): a worker that dies
  // wakes this thread, which waits on shared[0], and is reported instead of waited for.
  const workers = new Supervised(THREAD_ENTRY, inits, transfer, [{ array: shared, index: 0 }], 'simulation worker', 'the simulation');
  // Whether every worker ended ready and idle: the crew is then given back for a later run.
  let idle = false;
  try {
    const busy: boolean[] = new Array<boolean>(pool.workers).fill(true); // until ready
    const ready: boolean[] = new Array<boolean>(pool.workers).fill(false);
    const chunks: ChunkDone[] = [];
    let next = 0;
    let lowest = Infinity;
    let timeUp = false;
    let interrupted = false;
    let lastProgress = start;
    let seenSignal = 0;
    const handOut = (w: number): void => {
      const end = Math.min(next + CHUNK, limits.runs, lowest);
      if (timeUp || next >= end) {
        busy[w] = false;
        return;
      }
      ports[w]!.postMessage({ start: next, end });
      busy[w] = true;
      next = end;
    };
    for (;;) {
      // Take every message there is.
      for (let w = 0; w < pool.workers; w++) {
        for (let r = receiveMessageOnPort(ports[w]!); r !== undefined; r = receiveMessageOnPort(ports[w]!)) {
          const m = r.message as WorkerMessage;
          if (m.kind === 'error') throw new SimulationWorkerError(`internal error in simulation worker ${w}: ${m.stack}`, m.name, m.message);
          if (m.kind === 'ready') ready[w] = true;
          else {
            chunks.push(m);
            if (m.found !== null && m.found.index < lowest) {
              lowest = m.found.index;
              Atomics.store(shared, 1, lowest);
            }
          }
          handOut(w);
        }
      }
      const now = performance.now();
      if (now >= deadline) timeUp = true;
      // A signal: no more walks are handed out; the chunks under way finish.
      if (interruptSignal() !== 0) timeUp = interrupted = true;
      if (ready.every((x) => x) && !busy.some((x) => x)) {
        idle = true;
        break;
      }
      if (onProgress !== undefined && now - lastProgress >= period) {
        lastProgress = now;
        const t = totals(chunks, Infinity);
        onProgress({ walks: t.walks, steps: t.steps, generated: walker.initialGenerated + t.generated, seconds: (now - start) / 1000 });
      }
      const seen = Atomics.load(shared, 0);
      if (seen === seenSignal) {
        Atomics.wait(shared, 0, seen, WAIT_MS);
        if (Atomics.load(shared, 0) === seen) workers.checkWaiting();
      }
      seenSignal = seen;
    }
    const t = totals(chunks, lowest);
    if (lowest === Infinity) {
      const all = t.walks >= limits.runs;
      if (interrupted && !all) return { found: undefined, walks: t.walks, steps: t.steps, generated: walker.initialGenerated + t.generated, longest: t.longest, timedOut: false, interrupted: true };
      return { found: undefined, walks: t.walks, steps: t.steps, generated: walker.initialGenerated + t.generated, longest: t.longest, timedOut: !all };
    }
    // The walk again, here: its problem as an object of this thread.
    const again = walker.walk(lowest);
    if (again.stop === null) throw new Error('internal error: a walk that found a problem on a worker finds none on the main thread; the transition system is not deterministic');
    return { found: { index: lowest, stop: again.stop, steps: again.steps }, walks: lowest + 1, steps: t.steps, generated: walker.initialGenerated + t.generated, longest: t.longest, timedOut: false };
  } finally {
    for (const p of ports) p.close();
    if (idle) workers.release();
    else workers.terminate();
  }
}

/** The counts of the chunks that start at or below `upTo` (those that hold walks 0 .. upTo). */
function totals(chunks: readonly ChunkDone[], upTo: number): { walks: number; steps: number; generated: number; longest: number } {
  let walks = 0;
  let steps = 0;
  let generated = 0;
  let longest = 0;
  for (const c of chunks) {
    if (c.start > upTo) continue;
    walks += c.walks;
    steps += c.steps;
    generated += c.generated;
    if (c.longest > longest) longest = c.longest;
  }
  return { walks, steps, generated, longest };
}
