/**
 * The coordinator's worker threads, driven synchronously: jobs are posted to each worker's
 * MessagePort; the coordinator blocks on Atomics.wait until the worker's counter in a shared
 * Int32Array says a message is there, then takes it with receiveMessageOnPort. So the parallel
 * explorer is an ordinary synchronous function, like the single-threaded one, and the event
 * loop never has to run.
 */
import { MessageChannel, receiveMessageOnPort, type MessagePort } from 'node:worker_threads';
import { Supervised } from './supervisor.js';
import { THREAD_ENTRY, threadData, type ThreadRole } from '../threads.js';
import { checkInterrupt } from '../guard.js';
import type { ChunkInput, ChunkOutput } from './expand.js';
import type { WorkerInit, WorkerSetup } from './worker.js';

type Message = { kind: 'ready' } | { kind: 'result'; meta: Int32Array; bytes: Uint8Array } | { kind: 'error'; message: string };

/** How long to block before looking again (a message is always followed by a notify; a death or an
 * interrupt, which nothing notifies, is seen at the next look). */
const WAIT_MS = 200;

export class WorkerPool {
  readonly size: number;
  /** The workers, started and watched by a supervisor thread (supervisor.ts). */
  private readonly workers: Supervised;
  private readonly ports: MessagePort[] = [];
  private readonly signal: Int32Array;
  private readonly consumed: number[];
  private readyCount = 0;
  /** Jobs sent whose results have not been taken. */
  private outstanding = 0;

  constructor(size: number, setup: WorkerSetup) {
    this.size = size;
    this.signal = new Int32Array(new SharedArrayBuffer(4 * size));
    this.consumed = new Array<number>(size).fill(0);
    const inits: (WorkerInit & { spexThread: ThreadRole })[] = [];
    const transfer: MessagePort[][] = [];
    for (let i = 0; i < size; i++) {
      const { port1, port2 } = new MessageChannel();
      inits.push(threadData('explore', { setup, signal: this.signal, index: i, port: port2 }));
      transfer.push([port2]);
      this.ports.push(port1);
    }
    // A death wakes whoever waits for that worker's message.
    this.workers = new Supervised(THREAD_ENTRY, inits, transfer, inits.map((_, i) => ({ array: this.signal, index: i })));
  }

  /** Whether every worker has compiled its system; never blocks. */
  get ready(): boolean {
    while (this.readyCount < this.size && Atomics.load(this.signal, this.readyCount) > this.consumed[this.readyCount]!) {
      this.take(this.readyCount, 'ready');
      this.readyCount++;
    }
    // After the messages: a worker that reported an error and ended is reported by its message.
    this.workers.check();
    return this.readyCount === this.size;
  }

  /** Blocks until every worker is ready. */
  waitReady(): void {
    for (; this.readyCount < this.size; this.readyCount++) this.take(this.readyCount, 'ready');
  }

  send(worker: number, job: ChunkInput): void {
    this.outstanding++;
    this.ports[worker]!.postMessage(job, [job.bytes.buffer as ArrayBuffer, job.ends.buffer as ArrayBuffer, job.fps.buffer as ArrayBuffer]);
  }

  /** Blocks until the worker's next result. */
  receive(worker: number): ChunkOutput {
    const m = this.take(worker, 'result') as Extract<Message, { kind: 'result' }>;
    this.outstanding--;
    return { meta: m.meta, bytes: m.bytes };
  }

  /**
   * Ends the pool. Workers that are all ready and idle (every result taken) are given back for
   * a later search (supervisor.ts); otherwise, one of them still building its system or
   * expanding a chunk, or after an error, they are terminated.
   */
  close(): void {
    for (const p of this.ports) p.close();
    if (this.readyCount === this.size && this.outstanding === 0) this.workers.release();
    else this.workers.terminate();
  }

  private take(worker: number, expected: Message['kind']): Message {
    const signal = this.signal;
    const have = this.consumed[worker]!;
    while (Atomics.load(signal, worker) <= have) {
      Atomics.wait(signal, worker, have, WAIT_MS);
      // Woken, or WAIT_MS passed: a message, or a death (supervisor.ts), or nothing yet.
      if (Atomics.load(signal, worker) <= have) this.workers.checkWaiting();
      // Or an interrupt: a worker expanding a state with very many successors is not waited for.
      checkInterrupt();
    }
    let r = receiveMessageOnPort(this.ports[worker]!);
    // The counter is bumped after postMessage returns, so the message is there; but be patient.
    for (let spins = 0; r === undefined && spins < 1000; spins++) {
      Atomics.wait(signal, worker, Atomics.load(signal, worker), 1);
      r = receiveMessageOnPort(this.ports[worker]!);
    }
    if (r === undefined) throw new Error(`internal error: worker ${worker} signalled a message that never arrived`);
    this.consumed[worker] = have + 1;
    const m = r.message as Message;
    if (m.kind === 'error') {
      throw new Error(`internal error in exploration worker ${worker}: ${m.message}`);
    }
    if (m.kind !== expected) throw new Error(`internal error: worker ${worker} sent '${m.kind}' where '${expected}' was expected`);
    return m;
  }
}
