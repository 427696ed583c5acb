/**
 * Watching the exploration workers for death. The parallel explorers block on Atomics.wait
 * and never return to their event loop, so the 'exit' and 'error' events of the workers they
 * start would never reach them: a worker that died (killed, out of memory, an exception outside
 * its job loop) would leave the search waiting forever. So the workers are started by a
 * supervisor thread instead, whose event loop is free: it listens for its workers' 'error' and
 * 'exit', records a death in a shared word per worker, posts what it knows, and wakes the
 * explorer by notifying the words it waits on. The explorer looks at those words whenever its
 * wait returns (Supervised.check) and then throws WorkerDied.
 *
 * The job ports go straight from the explorer to each worker (created by the explorer,
 * handed on by the supervisor): the supervisor takes no part in the search itself.
 *
 * The supervisor's own death (its module not loading, an exit) would take its workers with it
 * and tell no one: so it also beats, adding one to a shared word every BEAT_MS, and an
 * explorer waiting for its workers (checkWaiting) reports it dead once it has seen no beat for
 * SILENT_MS of its own waiting. The silence is timed from the first wait that saw no beat, not
 * from the last beat, so a process stopped and continued (Ctrl-Z, then fg) is not taken for
 * dead when its explorer wakes before the supervisor has beaten again.
 */
import { MessageChannel, MessagePort, Worker, isMainThread, receiveMessageOnPort, workerData } from 'node:worker_threads';
import type { Stats } from '../explorer.js';

/** What the supervisor needs: the module of the workers, each one's workerData, whom to wake. */
interface SupervisorData {
  readonly role: 'spex-supervisor';
  readonly url: string;
  readonly inits: readonly unknown[];
  /** Per worker: 0 alive, else DEATH_*. */
  readonly status: Int32Array;
  /** Words the explorer may be waiting on, notified on a death. */
  readonly wake: readonly { readonly array: Int32Array; readonly index: number }[];
  readonly report: MessagePort;
  /** One word, the supervisor's heartbeat. */
  readonly beat: Int32Array;
}

const DEATH_EXIT = 1;
const DEATH_ERROR = 2;

/** How often the supervisor beats. */
const BEAT_MS = 250;
/**
 * How long an explorer waits through the supervisor's silence before it reports it dead
 * (SPEX_TEST_SILENT_MS, a test hook, shortens it for the tests of that death).
 */
export const SILENT_MS = Number(process.env['SPEX_TEST_SILENT_MS']) || 5000;

/** A worker died during a search: an internal error, with the statistics of the search so far. */
export class WorkerDied extends Error {
  /** Set by the explorer that was running: what it had done when the worker died. */
  stats?: Stats;
  constructor(message: string) {
    super(message);
    this.name = 'WorkerDied';
  }
}

/**
 * Judges the supervisor's heartbeat from the beats an explorer sees while it waits: dead once
 * the same beat has been seen for SILENT_MS, timed from the first wait that saw it unchanged.
 */
export class Heartbeat {
  /** The beat last seen (-1: none yet), and when it was first seen unchanged. */
  private last = -1;
  private silentFrom: number | undefined;

  /** Whether the supervisor still counts as alive, given its beat seen at time `now` (ms). */
  alive(beat: number, now: number): boolean {
    if (beat !== this.last) {
      this.last = beat;
      this.silentFrom = undefined;
      return true;
    }
    this.silentFrom ??= now;
    return now - this.silentFrom < SILENT_MS;
  }
}

/** The explorer's side: starts the supervisor, which starts the workers. */
export class Supervised {
  private readonly supervisor: Worker;
  private readonly status: Int32Array;
  private readonly report: MessagePort;
  private readonly beat = new Int32Array(new SharedArrayBuffer(4));
  private readonly heartbeat = new Heartbeat();

  /**
   * `inits[i]` is worker i's workerData, with `transfer[i]` the ports in it; `wake`, the
   * shared words the explorer waits on.
   */
  constructor(
    url: URL,
    inits: readonly unknown[],
    transfer: readonly MessagePort[][],
    wake: readonly { array: Int32Array; index: number }[],
    /** What the workers are called in the reports, and what they do. */
    private readonly what = 'exploration worker',
    private readonly work = 'the search',
  ) {
    this.status = new Int32Array(new SharedArrayBuffer(4 * inits.length));
    const { port1, port2 } = new MessageChannel();
    this.report = port1;
    const data: SupervisorData = { role: 'spex-supervisor', url: url.href, inits, status: this.status, wake, report: port2, beat: this.beat };
    this.supervisor = new Worker(new URL(import.meta.url), { workerData: data, transferList: [port2, ...transfer.flat()] });
    // Never keep the process alive, and let nothing be reported through the event loop.
    this.supervisor.unref();
  }

  /** Throws WorkerDied if a worker has died. Costs one shared read per worker. */
  check(): void {
    for (let i = 0; i < this.status.length; i++) {
      if (Atomics.load(this.status, i) !== 0) throw new WorkerDied(this.why(i));
    }
  }

  /**
   * As check, for an explorer about to wait for its workers again (after a wait that timed
   * out or was woken): also throws WorkerDied once the supervisor has not beaten through
   * SILENT_MS of such waits. A poll that does not wait (`ready`) uses check: a search whose
   * workers never start goes on on one thread.
   */
  checkWaiting(): void {
    this.check();
    if (!this.heartbeat.alive(Atomics.load(this.beat, 0), performance.now())) {
      throw new WorkerDied(`internal error: the thread that watches the ${this.what}s has stopped (no sign of life for ${SILENT_MS / 1000} s); ${this.work} cannot go on without it`);
    }
  }

  private why(i: number): string {
    // The report is posted before the status word is set.
    let reason: string | undefined;
    for (let r = receiveMessageOnPort(this.report); r !== undefined; r = receiveMessageOnPort(this.report)) {
      const m = r.message as { index: number; reason: string };
      if (m.index === i) reason = m.reason;
    }
    return `internal error: ${this.what} ${i + 1} died (${reason ?? 'no reason given'}); ${this.work} cannot go on without it`;
  }

  terminate(): void {
    // Ending the supervisor ends the workers it started.
    void this.supervisor.terminate();
    this.report.close();
  }
}

// The supervisor thread itself.
if (!isMainThread && (workerData as Partial<SupervisorData> | null)?.role === 'spex-supervisor') {
  const { url, inits, status, wake, report, beat } = workerData as SupervisorData;
  const tick = (): void => {
    Atomics.add(beat, 0, 1);
  };
  tick();
  // Unreferenced: the workers, not the beat, keep this thread alive.
  setInterval(tick, BEAT_MS).unref();
  let alive = inits.length;
  inits.forEach((init, i) => {
    const transfer = Object.values(init as Record<string, unknown>).filter((v): v is MessagePort => v instanceof MessagePort);
    const w = new Worker(new URL(url), { workerData: init, transferList: transfer });
    let reason: string | undefined;
    const died = (kind: number): void => {
      if (Atomics.load(status, i) !== 0) return;
      report.postMessage({ index: i, reason: reason ?? 'it ended' });
      Atomics.store(status, i, kind);
      for (const { array, index } of wake) Atomics.notify(array, index);
    };
    w.on('error', (e: Error & { code?: string }) => {
      reason = e.code === 'ERR_WORKER_OUT_OF_MEMORY' ? 'out of memory' : `${e.name}: ${e.message}`;
      died(DEATH_ERROR);
    });
    w.on('exit', (code) => {
      reason ??= `it exited with code ${code}`;
      died(DEATH_EXIT);
      if (--alive === 0) report.close();
    });
  });
  // Test hook: the supervisor ends at once, taking its workers with it, without a word.
  if (process.env['SPEX_TEST_SUPERVISOR_EXIT'] === '1') process.exit(70);
}
