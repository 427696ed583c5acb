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
 *
 * A crew (the supervisor and its workers) outlives the search that started it: a search that
 * ends cleanly, every worker idle, gives it back (Supervised.release), and the next search of
 * the process that wants as many workers of the same role takes it, instead of starting
 * threads anew (some 0.05 s each, and as much again to load the bundle). Its workers get their
 * next workerData as a message on a port of their own (`hostPort`, src/cli/threads.ts), and
 * the supervisor the words to wake. A search that ends otherwise (an error, an interrupt, a
 * worker still busy) terminates its crew, as does a worker's death.
 */
import { MessageChannel, MessagePort, Worker, isMainThread, receiveMessageOnPort, workerData } from 'node:worker_threads';
import type { Stats } from '../explorer.js';
import { THREAD_STACK_MB } from '../threads.js';

/** What the supervisor needs: the module of the workers, each one's workerData, whom to wake. */
interface SupervisorData {
  readonly role: 'spex-supervisor';
  /** Where a crew taken again sends the words to wake for its new search. */
  readonly control: MessagePort;
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

/** A supervisor and its workers, which may serve several searches in turn. */
interface Crew {
  /** Which searches may take it: the workers' role, their number, the environment they copied. */
  readonly key: string;
  readonly supervisor: Worker;
  readonly status: Int32Array;
  readonly report: MessagePort;
  readonly control: MessagePort;
  readonly beat: Int32Array;
  /** Per worker, where its next workerData goes. */
  readonly hosts: readonly MessagePort[];
}

/**
 * Crews given back, by key, oldest first; at most MAX_IDLE_CREWS are kept (a process that
 * alternates between two thread counts keeps both).
 */
const idle = new Map<string, Crew>();
export const MAX_IDLE_CREWS = 2;
/** Crews this thread has started. */
let started = 0;

/** How many crews this thread has started, and how many it keeps given back. */
export function crewCounts(): { started: number; idle: number } {
  return { started, idle: idle.size };
}

/**
 * A crew's key: the role of its workers (the code-cache entry they loaded is that role's), their
 * number, and spex's environment variables, which a worker copies when it starts and reads
 * (test hooks, SPEX_NO_CACHE).
 */
function crewKey(inits: readonly unknown[]): string {
  const role = (inits[0] as { spexThread?: unknown } | undefined)?.spexThread;
  const env = Object.keys(process.env)
    .filter((k) => k.startsWith('SPEX_'))
    .sort()
    .map((k) => `${k}=${process.env[k]}`);
  return JSON.stringify([role, inits.length, env]);
}

/** Whether no worker of the crew has died. */
function allAlive(crew: Crew): boolean {
  return crew.status.every((s) => s === 0);
}

function endCrew(crew: Crew): void {
  // Ending the supervisor ends the workers it started.
  void crew.supervisor.terminate();
  crew.report.close();
  crew.control.close();
  for (const p of crew.hosts) p.close();
}

/** A crew given back for `key` whose workers are all alive, taken out of the idle ones. */
function takeIdle(key: string): Crew | undefined {
  const crew = idle.get(key);
  if (crew === undefined) return undefined;
  idle.delete(key);
  if (allAlive(crew)) return crew;
  endCrew(crew);
  return undefined;
}

/** The explorer's side: starts the supervisor, which starts the workers, or takes a crew given back. */
export class Supervised {
  private crew: Crew | undefined;
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
    const key = crewKey(inits);
    const again = takeIdle(key);
    if (again !== undefined) {
      this.crew = again;
      again.control.postMessage({ wake });
      inits.forEach((init, i) => again.hosts[i]!.postMessage(init, transfer[i]!));
      return;
    }
    started++;
    const status = new Int32Array(new SharedArrayBuffer(4 * inits.length));
    const beat = new Int32Array(new SharedArrayBuffer(4));
    const report = new MessageChannel();
    const control = new MessageChannel();
    const hosts = inits.map(() => new MessageChannel());
    const data: SupervisorData = {
      role: 'spex-supervisor',
      url: url.href,
      inits: inits.map((init, i) => ({ ...(init as object), hostPort: hosts[i]!.port2 })),
      status,
      wake,
      report: report.port2,
      control: control.port2,
      beat,
    };
    const supervisor = new Worker(new URL(import.meta.url), { workerData: data, transferList: [report.port2, control.port2, ...hosts.map((h) => h.port2), ...transfer.flat()] });
    // Never keep the process alive, and let nothing be reported through the event loop.
    supervisor.unref();
    this.crew = { key, supervisor, status, report: report.port1, control: control.port1, beat, hosts: hosts.map((h) => h.port1) };
  }

  private get current(): Crew {
    if (this.crew === undefined) throw new Error('internal error: a crew of threads used after its search ended');
    return this.crew;
  }

  /** Throws WorkerDied if a worker has died. Costs one shared read per worker. */
  check(): void {
    const status = this.current.status;
    for (let i = 0; i < status.length; i++) {
      if (Atomics.load(status, i) !== 0) throw new WorkerDied(this.why(i));
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
    if (!this.heartbeat.alive(Atomics.load(this.current.beat, 0), performance.now())) {
      throw new WorkerDied(`internal error: the thread that watches the ${this.what}s has stopped (no sign of life for ${SILENT_MS / 1000} s); ${this.work} cannot go on without it`);
    }
  }

  private why(i: number): string {
    // The report is posted before the status word is set.
    let reason: string | undefined;
    const report = this.current.report;
    for (let r = receiveMessageOnPort(report); r !== undefined; r = receiveMessageOnPort(report)) {
      const m = r.message as { index: number; reason: string };
      if (m.index === i) reason = m.reason;
    }
    return `internal error: ${this.what} ${i + 1} died (${reason ?? 'no reason given'}); ${this.work} cannot go on without it`;
  }

  /** Ends the workers. */
  terminate(): void {
    if (this.crew !== undefined) endCrew(this.crew);
    this.crew = undefined;
  }

  /**
   * Gives the crew back for a later search, its workers idle: each has finished what it was
   * given and waits for its next workerData. Terminates it instead when a worker has died.
   */
  release(): void {
    const crew = this.crew;
    if (crew === undefined) return;
    this.crew = undefined;
    if (!allAlive(crew)) return endCrew(crew);
    const before = idle.get(crew.key);
    if (before !== undefined) endCrew(before);
    idle.delete(crew.key);
    idle.set(crew.key, crew);
    for (const [key, oldest] of idle) {
      if (idle.size <= MAX_IDLE_CREWS) break;
      idle.delete(key);
      endCrew(oldest);
    }
  }
}

// The supervisor thread itself.
if (!isMainThread && (workerData as Partial<SupervisorData> | null)?.role === 'spex-supervisor') {
  const { url, inits, status, report, control, beat } = workerData as SupervisorData;
  let { wake } = workerData as SupervisorData;
  // A crew taken again: the words its new search waits on.
  control.on('message', (m: { wake: SupervisorData['wake'] }) => {
    wake = m.wake;
  });
  control.unref();
  const tick = (): void => {
    Atomics.add(beat, 0, 1);
  };
  tick();
  // Unreferenced: the workers, not the beat, keep this thread alive.
  setInterval(tick, BEAT_MS).unref();
  let alive = inits.length;
  inits.forEach((init, i) => {
    const transfer = Object.values(init as Record<string, unknown>).filter((v): v is MessagePort => v instanceof MessagePort);
    const w = new Worker(new URL(url), { workerData: init, transferList: transfer, resourceLimits: { stackSizeMb: THREAD_STACK_MB } });
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
