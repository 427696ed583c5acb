/**
 * The body of a simulation worker thread (simulate-parallel.ts; started at threads.ts's
 * THREAD_ENTRY). It builds its own TransitionSystem with the `createSimulationSystem(data)` its
 * entry links in (closures cannot cross threads), then runs the chunks of walks the coordinator sends, in
 * order. Between walks it reads the shared `stopBelow` word: walks from that index on are no
 * longer needed (a walk below it found a problem), so the chunk ends early.
 *
 * Every message it posts is followed by an increment of the shared `signal` word and a notify,
 * so the coordinator can block on Atomics.wait and then read messages synchronously.
 */
import type { MessagePort } from 'node:worker_threads';
import { Walker, type WalkOptions, type WalkStop } from './simulate.js';
import type { TransitionSystem } from './system.js';

export interface SimulationWorkerInit {
  /** What createSimulationSystem builds the thread's system from. */
  readonly data: unknown;
  readonly walk: WalkOptions;
  /** [0]: messages posted by all workers; [1]: stopBelow (walk indices from here on are not needed). */
  readonly shared: Int32Array;
  readonly port: MessagePort;
  /** Which worker this is, from 0. */
  readonly index: number;
}

/** What a worker's setup module exports. */
export type CreateSimulationSystem = (data: unknown) => TransitionSystem<unknown, unknown>;

/** One chunk of walks [start, end). */
export interface ChunkJob {
  readonly start: number;
  readonly end: number;
}

export interface ChunkDone {
  readonly kind: 'done';
  readonly start: number;
  /** Walks completed, from `start` on (fewer than the chunk when it ended early). */
  readonly walks: number;
  readonly steps: number;
  readonly generated: number;
  readonly longest: number;
  /** The first walk of the chunk that found a problem, if any. */
  readonly found: { readonly index: number; readonly steps: number; readonly stop: WalkStopSummary } | null;
}

/** A walk's problem as it crosses threads (errors lose their class): enough to check the rerun. */
export interface WalkStopSummary {
  readonly kind: WalkStop['kind'];
  readonly name: string;
}

export type WorkerMessage = { kind: 'ready' } | ChunkDone | { kind: 'error'; name: string; message: string; stack: string };

export function summarize(stop: WalkStop): WalkStopSummary {
  return { kind: stop.kind, name: stop.kind === 'invariant' ? stop.invariant : stop.kind === 'fault' ? stop.error.message : '' };
}

function post(port: MessagePort, shared: Int32Array, message: WorkerMessage): void {
  port.postMessage(message);
  Atomics.add(shared, 0, 1);
  Atomics.notify(shared, 0);
}

function failed(port: MessagePort, shared: Int32Array, e: unknown): void {
  post(port, shared, { kind: 'error', name: e instanceof Error ? e.name : 'Error', message: e instanceof Error ? e.message : String(e), stack: e instanceof Error ? (e.stack ?? e.message) : String(e) });
}

/** Runs a simulation worker thread: `init` is its workerData, `create` builds its system. */
export function runSimulationWorker(init: SimulationWorkerInit, create: CreateSimulationSystem): void {
  const { data, walk, shared, port, index } = init;
  try {
    const walker = new Walker(create(data), walk);
    // Test hook: worker n ends its thread as it starts, without a word, so that it dies
    // whatever the other workers have done by then (on its first chunk, it got none when the
    // others had run every walk before it was ready).
    if (process.env['SPEX_TEST_WORKER_EXIT'] === String(index + 1)) process.exit(70);
    port.on('message', (job: ChunkJob) => {
      try {
        const before = walker.generated;
        let steps = 0;
        let longest = 0;
        let walks = 0;
        let found: ChunkDone['found'] = null;
        for (let i = job.start; i < job.end; i++) {
          if (i >= Atomics.load(shared, 1)) break;
          const r = walker.walk(i);
          walks++;
          steps += r.steps;
          if (r.steps > longest) longest = r.steps;
          if (r.stop !== null) {
            found = { index: i, steps: r.steps, stop: summarize(r.stop) };
            break;
          }
        }
        post(port, shared, { kind: 'done', start: job.start, walks, steps, generated: walker.generated - before, longest, found });
      } catch (e) {
        failed(port, shared, e);
      }
    });
    post(port, shared, { kind: 'ready' });
  } catch (e) {
    failed(port, shared, e);
  }
}
